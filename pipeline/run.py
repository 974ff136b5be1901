"""Wiring: run the stages over a corpus and write the outputs. All file I/O of a run happens here."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sklearn.pipeline import Pipeline
from spacy.language import Language

from pipeline import compare, tables
from pipeline.config import Settings, load_aliases
from pipeline.entities import Mention, build_nlp, mentions_in, parse_paragraphs
from pipeline.lobby import LobbyAct, lobby_acts_in
from pipeline.pdf import read_pdf
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

    @property
    def reports(self) -> list[Report]:
        return [d.report for d in self.documents]

    @property
    def warnings(self) -> list[str]:
        return [f"{r.source_file}: {w}" for r in self.reports for w in r.warnings]


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
    result = RunResult()
    nlp, note = build_nlp(settings.spacy_model, settings.models_dir)
    result.notes.append(note)
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
    paragraphs = tables.paragraph_frame(result.reports)
    theme_columns, notes = assign_themes(paragraphs, settings.models_dir)
    result.notes += notes
    result.tables = build_tables(result.documents, paragraphs, theme_columns)
    result.notes += add_comparison(result.tables)
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
    """Write every table into a temporary folder beside `out`, then move the complete set in."""
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for name, frame in result.tables.items():
            tables.write_table(frame, staging / f"{name}.csv")
        tables.write_table(errors_table(result.errors), staging / "errors.csv")
        for item in sorted(staging.iterdir()):
            os.replace(item, out / item.name)
        if "comparison" not in result.tables:
            (out / "comparison.csv").unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


COMPARISON_INPUTS = ["focus", "entities", "lobby_actions", "paragraphs"]


def add_comparison(frames: dict[str, pd.DataFrame]) -> list[str]:
    """Add `comparison` to the tables when they hold two or more years; the notes say what is not compared."""
    inputs = {name: frames[name] for name in COMPARISON_INPUTS}
    if inputs["paragraphs"]["year"].nunique() >= 2:
        frames["comparison"] = compare.comparison_table(**inputs)
    return compare.comparison_notes(inputs["paragraphs"])


def compare_outputs(out: Path) -> list[str]:
    """Recompute `comparison.csv` from the tables in `out`; with one year, write none (and drop a stale one)."""
    missing = [f"{name}.csv" for name in COMPARISON_INPUTS if not (out / f"{name}.csv").exists()]
    if missing:
        raise FileNotFoundError(f"{out} lacks {', '.join(missing)}: run `g40 extract --out {out}` first")
    text = dict.fromkeys(compare.TEXT_COLUMNS, str)
    read = {name: pd.read_csv(out / f"{name}.csv", keep_default_na=False, dtype=text) for name in COMPARISON_INPUTS}
    notes = add_comparison(read)
    if "comparison" in read:
        tables.write_table(read["comparison"], out / "comparison.csv")
    else:
        (out / "comparison.csv").unlink(missing_ok=True)
    return notes
