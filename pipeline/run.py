"""Wiring: run the stages over a corpus and write the outputs. All file I/O of a run happens here."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.pipeline import Pipeline
from spacy.language import Language

from pipeline import tables
from pipeline.config import MODELS_DIR, Settings, load_aliases
from pipeline.entities import Mention, build_nlp, mentions_in, parse_paragraphs
from pipeline.lobby import LobbyAct, lobby_acts_in
from pipeline.manifest import environment, run_manifest, spacy_facts
from pipeline.pdf import read_pdf
from pipeline.report import render_report
from pipeline.schema import TABLES, Vocabularies, column_fields, datapackage, load_vocabularies
from pipeline.structure import Report, YearError, structure_report
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
class DocumentError:
    doc: str
    page: int | None
    kind: str
    message: str


@dataclass
class DocumentResult:
    """Everything one report yields; tables are built from a list of these."""

    report: Report
    mentions: list[Mention]
    lobby_acts: list[LobbyAct]


@dataclass
class RunResult:
    documents: list[DocumentResult] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    corpus: Path | None = None
    started: datetime | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    spacy: dict[str, Any] = field(default_factory=dict)

    @property
    def reports(self) -> list[Report]:
        return [d.report for d in self.documents]

    @property
    def warnings(self) -> list[str]:
        return [f"{r.source_file}: {w}" for r in self.reports for w in r.warnings]


@dataclass
class StageClock:
    """Adds the wall time since the previous lap to `seconds[stage]`: the per-stage durations of run.json."""

    seconds: dict[str, float]
    last: float = field(default_factory=time.perf_counter)

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.last
        self.last = now


def find_pdfs(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix.lower() == ".pdf")


def structure_document(path: Path, settings: Settings) -> Report:
    pdf = read_pdf(path, ocr=settings.ocr)
    return structure_report(pdf, load_aliases(settings.models_dir), year=settings.year_overrides.get(path.name))


def process_document(path: Path, settings: Settings, nlp: Language) -> DocumentResult:
    """The per-document step: a PDF path and settings in, the report, its entity mentions and lobbying acts out."""
    report = structure_document(path, settings)
    mentions: list[Mention] = []
    acts: list[LobbyAct] = []
    for paragraph_id, doc in parse_paragraphs(nlp, ((p.paragraph_id, p.text) for p in report.paragraphs)):
        mentions.extend(mentions_in(doc, paragraph_id))
        acts.extend(lobby_acts_in(doc, paragraph_id))
    return DocumentResult(report, mentions, acts)


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


def extract_corpus(corpus: Path, settings: Settings, progress: Callable[[str], None] | None = None) -> RunResult:
    result = RunResult(settings=settings, corpus=corpus, started=datetime.now(UTC))
    clock = StageClock(result.stage_seconds)
    nlp, note = build_nlp(settings.spacy_model, settings.models_dir)
    result.notes.append(note)
    result.spacy = spacy_facts(nlp, settings.spacy_model, note)
    clock.lap("load_nlp")
    for path in find_pdfs(corpus):
        if progress:
            progress(path.name)
        try:
            result.documents.append(process_document(path, settings, nlp))
        except YearError as error:
            result.errors.append(DocumentError(path.name, None, "year", str(error)))
    duplicates = check_years(result.reports)
    refused = {e.doc for e in duplicates}
    result.errors += duplicates
    result.documents = [d for d in result.documents if d.report.source_file not in refused]
    clock.lap("documents")
    paragraphs = tables.paragraph_frame(result.reports)
    theme_columns, notes = assign_themes(paragraphs, settings.models_dir)
    result.notes += notes
    clock.lap("themes")
    result.tables = build_tables(result.documents, paragraphs, theme_columns)
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


def train_themes(corpus: Path, settings: Settings, date: str) -> tuple[Pipeline, dict]:
    """Train the theme classifier on the reports in `corpus` and score it by leaving out one section at a time."""
    reports = [structure_document(path, settings) for path in find_pdfs(corpus)]
    paragraphs = tables.paragraph_frame(reports)
    knowledge = load_theme_knowledge(settings.models_dir)
    training = training_set(paragraphs, knowledge)
    held_out = held_out_section_predictions(training, knowledge)
    scores = theme_scores(held_out["theme_id"], held_out["predicted"])
    card = model_card(training, scores, [f"{r.source_file} (sha256 {r.sha256})" for r in reports], date)
    return fit_classifier(training, knowledge), card


def build_tables(documents: Sequence[DocumentResult], paragraph_rows: pd.DataFrame, themes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    reports = [d.report for d in documents]
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


def write_outputs(result: RunResult, out: Path) -> None:
    """Write every table, the report, the data package and run.json into a temporary folder beside `out`,
    then move the complete set in."""
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    clock = StageClock(result.stage_seconds)
    try:
        for name, frame in result.tables.items():
            tables.write_table(frame, staging / f"{name}.csv")
        tables.write_table(errors_table(result.errors), staging / "errors.csv")
        clock.lap("write_tables")
        written = write_report(staging, result.settings.models_dir)
        clock.lap("report")
        write_text(staging / "run.json", json_text(run_manifest(result, written, environment(), out, datetime.now(UTC))))
        for item in sorted(staging.iterdir()):
            os.replace(item, out / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
