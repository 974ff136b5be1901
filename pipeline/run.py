"""Wiring: run the stages over a corpus and write the outputs (the stages load their own data files from
`models/`; the corpus, the cache and the output folder are read and written here)."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout
from sklearn.pipeline import Pipeline

from pipeline import compare, tables
from pipeline.config import MODELS_DIR, RunOptions, Settings, find_pdfs
from pipeline.document import (
    DocumentCache,
    DocumentError,
    DocumentResult,
    as_document_error,
    process_document,
    structure_document,
)
from pipeline.fingerprint import output_digests, run_fingerprint
from pipeline.manifest import environment, run_manifest
from pipeline.report import render_report
from pipeline.schema import TABLES, Vocabularies, column_fields, datapackage, load_vocabularies
from pipeline.structure import Report
from pipeline.themes import (
    classify,
    fit_classifier,
    held_out_section_predictions,
    load_classifier,
    load_theme_knowledge,
    model_card,
    theme_scores,
    training_set,
    unmapped_sections,
)

log = logging.getLogger(__name__)

@dataclass
class RunResult:
    documents: list[DocumentResult] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    options: RunOptions = field(default_factory=RunOptions)
    corpus: Path | None = None
    started: datetime | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    spacy: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""

    @property
    def reports(self) -> list[Report]:
        return [d.report for d in self.documents if d.report is not None]

    @property
    def warnings(self) -> list[str]:
        return [f"{r.source_file}: {w}" for r in self.reports for w in r.warnings]

    @property
    def failed(self) -> set[str]:
        return {e.doc for e in self.errors}


@dataclass
class StageClock:
    """Adds the wall time since the previous lap to `seconds[stage]`: the per-stage durations of run.json."""

    seconds: dict[str, float]
    last: float = field(default_factory=time.perf_counter)

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.last
        self.last = now


def check_years(reports: Sequence[Report]) -> list[DocumentError]:
    """One report per year: two reports that claim the same year are both refused."""
    by_year: dict[int, list[Report]] = {}
    for report in reports:
        by_year.setdefault(report.year, []).append(report)
    errors = []
    for year, claimants in sorted(by_year.items()):
        if len(claimants) > 1:
            names = ", ".join(r.source_file for r in claimants)
            for report in claimants:
                errors.append(DocumentError(report.source_file, None, "duplicate_year", f"{names} all claim year {year}; name the year with --year FILE=YEAR"))
    return errors


def run_documents(paths: Sequence[Path], settings: Settings, options: RunOptions) -> Iterator[DocumentResult]:
    """Process documents in this process, in a local process pool (`jobs` > 1) or on a Dask cluster.

    The pool's workers are started fresh (spawn) and stopped when the documents are done, so they hold
    no memory while the themes, tables and report are made.
    """
    cache = DocumentCache(options.cache_dir) if options.cache_dir else None
    if options.executor == "dask":
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed

        cluster = None if options.scheduler else LocalCluster(n_workers=options.jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        with Client(options.scheduler or cluster) as client:
            futures = client.map(process_document, paths, settings=settings, cache=cache, pure=False)
            for future in dask_completed(futures):
                yield future.result()
        if cluster is not None:
            cluster.close()
    elif options.jobs > 1 and len(paths) > 1:
        with ProcessPoolExecutor(max_workers=options.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(process_document, path, settings, cache): path for path in paths}
            for done in as_completed(futures):
                try:
                    yield done.result()
                except Exception as error:
                    name = futures[done].name
                    yield DocumentResult(name, None, errors=[as_document_error(name, error)])
    else:
        for path in paths:
            yield process_document(path, settings, cache)


def extract_corpus(corpus: Path, settings: Settings, options: RunOptions | None = None, progress: Callable[[str, int], None] | None = None) -> RunResult:
    """Every PDF of the corpus to tables; failed documents become rows of errors.csv, never a lost run.

    `progress(step, documents_done)` hears of every document read and of each later stage.
    """
    options = options or RunOptions()
    result = RunResult(settings=settings, options=options, corpus=corpus, started=datetime.now(UTC), fingerprint=run_fingerprint(corpus, settings))
    clock = StageClock(result.stage_seconds)
    paths = find_pdfs(corpus)
    for document in run_documents(paths, settings, options):
        if progress:
            progress(f"read {document.source_file}", 1)
        result.documents.append(document)
        result.errors += document.errors
    result.documents.sort(key=lambda d: d.source_file)
    clock.lap("documents")
    result.spacy = next((d.spacy for d in result.documents if d.spacy), {"requested": settings.spacy_model, "note": "no document was analysed"})
    result.notes += sorted({d.spacy["note"] for d in result.documents if d.spacy})
    duplicates = check_years(result.reports)
    result.errors += duplicates
    refused = {e.doc for e in duplicates} | {e.doc for e in result.errors if e.kind in ("no_text", "not_dutch")}
    analysed = [d for d in result.documents if d.report is not None and d.source_file not in refused]
    kept = [d for d in result.documents if d.report is not None and d.source_file not in {e.doc for e in duplicates}]
    if progress:
        progress("themes", 0)
    paragraphs = tables.paragraph_frame([d.report for d in kept if d.report is not None])
    themed = paragraphs["doc_id"].isin([d.report.doc_id for d in analysed if d.report is not None])
    theme_columns, notes = assign_themes(paragraphs[themed], settings.models_dir)
    result.notes += notes
    clock.lap("themes")
    if progress:
        progress("tables and comparison", 0)
    result.tables = build_tables(kept, paragraphs, theme_columns.reindex(paragraphs.index))
    result.notes += add_comparison(result.tables)
    clock.lap("tables")
    return result


def assign_themes(paragraphs: pd.DataFrame, models_dir: Path) -> tuple[pd.DataFrame, list[str]]:
    """Classify with the saved model; without one, train on this corpus for this run (and say so)."""
    knowledge = load_theme_knowledge(models_dir)
    notes = []
    unmapped = unmapped_sections(paragraphs, knowledge)
    if unmapped:
        notes.append(f"sections without a theme in theme_map.csv (not used for training): {', '.join(unmapped)}")
    model = load_classifier(models_dir)
    if model is None:
        notes.append("no saved theme classifier for this scikit-learn: trained one on this corpus for this run (save it with `make train`)")
        model = fit_classifier(training_set(paragraphs, knowledge), knowledge)
    return classify(model, paragraphs, knowledge), notes


def train_themes(corpus: Path, settings: Settings, date: str) -> tuple[Pipeline, dict, list[DocumentError]]:
    """Train the theme classifier on the reports in `corpus` and score it by leaving out one section at a time;
    reports that cannot be read are left out and returned as errors."""
    reports, errors = [], []
    for path in find_pdfs(corpus):
        try:
            reports.append(structure_document(path, settings))
        except Exception as error:
            errors.append(as_document_error(path.name, error))
    paragraphs = tables.paragraph_frame(reports)
    knowledge = load_theme_knowledge(settings.models_dir)
    training = training_set(paragraphs, knowledge)
    held_out = held_out_section_predictions(training, knowledge)
    scores = theme_scores(held_out["theme_id"], held_out["predicted"])
    card = model_card(training, scores, [f"{r.source_file} (sha256 {r.sha256})" for r in reports], date)
    return fit_classifier(training, knowledge), card, errors


def build_tables(documents: Sequence[DocumentResult], paragraph_rows: pd.DataFrame, themes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    reports = [d.report for d in documents if d.report is not None]
    paragraphs = tables.paragraphs_table(paragraph_rows, themes)
    mentions = tables.mentions_table(paragraphs, [m for d in documents for m in d.mentions])
    entities = tables.entities_table(mentions)
    lobby_actions = tables.lobby_actions_table(paragraphs, [a for d in documents for a in d.lobby_acts])
    return {
        "documents": tables.documents_table(reports),
        "sections": tables.sections_table(paragraphs),
        "paragraphs": paragraphs,
        "pages": tables.pages_table(reports),
        "links": tables.links_table(reports),
        "mentions": mentions,
        "entities": entities,
        "pillar_entities": tables.pillar_entities_table(entities),
        "lobby_actions": lobby_actions,
        "focus": tables.focus_table(paragraphs, lobby_actions),
    }


def errors_table(errors: Sequence[DocumentError]) -> pd.DataFrame:
    frame = pd.DataFrame([e.__dict__ for e in errors], columns=["doc", "page", "kind", "message"])
    frame["page"] = frame["page"].astype("Int64")
    return frame.sort_values(["doc", "kind", "message"], kind="mergesort").reset_index(drop=True)


class OutputLocked(Exception):
    """Another run is writing to the same output folder."""


OUTPUT_NAMES = (*tables.TABLE_COLUMNS, "errors")


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold `out/.g40.lock` for a whole run: a second run on the same folder stops at once with a clear message."""
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out / ".g40.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout as error:
        raise OutputLocked(f"another g40 run is writing to {out} (lock file {out / '.g40.lock'}); wait for it to finish") from error
    try:
        yield
    finally:
        lock.release()


def write_outputs(result: RunResult, out: Path) -> None:
    """Write the complete set of tables, the report, the data package and run.json into a staging folder
    inside `out`, then move them in.

    A run killed before the move leaves the previous tables as they were. Tables of an earlier run that
    this run does not produce (a comparison when only one year is left) are removed, so the folder always
    holds one consistent set.
    """
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    clock = StageClock(result.stage_seconds)
    try:
        for name, frame in result.tables.items():
            tables.write_table(frame, staging / f"{name}.csv")
        tables.write_table(errors_table(result.errors), staging / "errors.csv")
        clock.lap("write_tables")
        written = write_report(staging, result.settings.models_dir)
        clock.lap("report")
        manifest = run_manifest(result, written, environment(), out, datetime.now(UTC), output_digests(staging))
        write_text(staging / "run.json", json_text(manifest))
        for item in sorted(staging.iterdir()):
            os.replace(item, out / item.name)
        for name in OUTPUT_NAMES:
            if name not in written:
                (out / f"{name}.csv").unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


COMPARISON_INPUTS = ["focus", "entities", "lobby_actions", "paragraphs"]


def add_comparison(frames: dict[str, pd.DataFrame]) -> list[str]:
    """Add `comparison` to the tables when they hold two or more years; the notes say what is not compared."""
    inputs = {name: frames[name] for name in COMPARISON_INPUTS}
    if inputs["paragraphs"]["year"].nunique() >= 2:
        frames["comparison"] = compare.comparison_table(**inputs)
    return compare.comparison_notes(inputs["paragraphs"])


def compare_outputs(out: Path, models_dir: Path = MODELS_DIR) -> list[str]:
    """Recompute `comparison.csv` from the tables in `out`; with one year, write none (and drop a stale one)."""
    read = read_tables(out, load_vocabularies(models_dir))
    missing = [f"{name}.csv" for name in COMPARISON_INPUTS if name not in read]
    if missing:
        raise FileNotFoundError(f"{out} lacks {', '.join(missing)}: run `g40 extract --out {out}` first")
    notes = add_comparison(read)
    if "comparison" in read:
        staged = out / ".comparison.csv.tmp"
        tables.write_table(read["comparison"], staged)
        os.replace(staged, out / "comparison.csv")
    else:
        (out / "comparison.csv").unlink(missing_ok=True)
    return notes


def read_tables(folder: Path, vocab: Vocabularies) -> dict[str, pd.DataFrame]:
    """The CSV tables in `folder` by name, text columns typed as the data package says."""
    fields = column_fields(vocab)
    return {
        name: tables.read_table(folder / f"{name}.csv", [c for c in columns if fields.get(c, {}).get("type") == "string"])
        for name, columns in TABLES.items()
        if (folder / f"{name}.csv").is_file()
    }


def write_report(folder: Path, models_dir: Path = MODELS_DIR) -> dict[str, pd.DataFrame]:
    """Write report.html and datapackage.json beside the CSVs in `folder`, from the CSVs as written (so the
    report shows exactly what the tables say); returns those tables."""
    vocab = load_vocabularies(models_dir)
    found = read_tables(folder, vocab)
    write_text(folder / "report.html", render_report(found, vocab))
    write_text(folder / "datapackage.json", json_text(datapackage(found, vocab)))
    return found


def json_text(content: object) -> str:
    return json.dumps(content, ensure_ascii=False, indent=2) + "\n"


def write_text(path: Path, text: str) -> None:
    """Write through a temporary file and a rename, so no reader sees half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8", newline="\n")
    os.replace(temporary, path)
