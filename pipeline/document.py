"""The per-document step: one PDF and the settings in, its report, entity mentions and lobbying acts out.

A pure function of its inputs (`process_document`), so it runs unchanged in this process, in a pool of
worker processes or on a Dask cluster; the cache only saves time. It imports only what reading a document
needs, so workers start quickly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
from spacy.language import Language

from pipeline.config import Settings
from pipeline.entities import Mention, build_nlp, mentions_in, parse_paragraphs, pipeline_facts
from pipeline.fingerprint import PACKAGE_DIR, file_sha256, files_digest, spacy_model_version
from pipeline.lobby import LobbyAct, lobby_acts_in
from pipeline.pdf import PdfError, read_pdf, tesseract_available
from pipeline.structure import Report, YearError, load_aliases, structure_report

log = logging.getLogger(__name__)

CACHE_INPUTS = {
    "structure": (("pdf", "clean", "structure"), ("pillars.csv", "sections.csv", "heading_words.csv")),
    "nlp": (("clean", "entities", "lobby"), ("entities.csv", "curation.csv", "type_words.csv", "lobby_actors.csv", "lobby_targets.csv", "patterns")),
}


@dataclass
class DocumentError:
    doc: str
    page: int | None
    kind: str
    message: str


@dataclass
class DocumentResult:
    """Everything one PDF yields; tables are built from a list of these. `report` is None when it failed."""

    source_file: str
    report: Report | None
    mentions: list[Mention] = field(default_factory=list)
    lobby_acts: list[LobbyAct] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)
    spacy: dict[str, Any] = field(default_factory=dict)
    cached: frozenset[str] = frozenset()

class DocumentCache:
    """Per-document results on disk, keyed by content and by the code and data files they depend on."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self, stage: str, key: str) -> Any:
        path = self.folder / stage / f"{key}.joblib"
        try:
            return joblib.load(path)
        except Exception:
            return None

    def save(self, stage: str, key: str, value: object) -> None:
        """Write to a temporary file and rename, so parallel workers never see half an entry."""
        folder = self.folder / stage
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        os.close(handle)
        joblib.dump(value, temporary)
        os.replace(temporary, folder / f"{key}.joblib")


def cache_key(parent: str, file_name: str, settings: Settings, stage: str) -> str:
    """What a stage's result depends on: its input, its code, its data files and the options it reads."""
    modules, data_files = CACHE_INPUTS[stage]
    parts: dict[str, object] = {
        "parent": parent,
        "stage": stage,
        "code": files_digest([PACKAGE_DIR / f"{module}.py" for module in modules]),
        "data": files_digest([settings.models_dir / name for name in data_files]),
    }
    if stage == "structure":
        parts |= {"file": file_name, "year": settings.year_overrides.get(file_name), "ocr": settings.ocr and tesseract_available(), "max_pages": settings.max_pages}
    else:
        parts |= {"spacy_model": settings.spacy_model, "spacy_model_version": spacy_model_version(settings.spacy_model)}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

def structure_document(path: Path, settings: Settings) -> Report:
    pdf = read_pdf(path, ocr=settings.ocr, max_pages=settings.max_pages)
    return structure_report(pdf, load_aliases(settings.models_dir), year=settings.year_overrides.get(path.name))


@lru_cache(maxsize=2)
def nlp_for(spacy_model: str, models_dir: Path) -> tuple[Language, str]:
    """One spaCy pipeline per process (and per worker), built on first use only."""
    return build_nlp(spacy_model, models_dir)


def analyse_report(report: Report, settings: Settings) -> tuple[list[Mention], list[LobbyAct], dict[str, Any]]:
    nlp, note = nlp_for(settings.spacy_model, settings.models_dir)
    mentions: list[Mention] = []
    acts: list[LobbyAct] = []
    for paragraph_id, doc in parse_paragraphs(nlp, ((p.paragraph_id, p.text) for p in report.paragraphs)):
        mentions.extend(mentions_in(doc, paragraph_id))
        acts.extend(lobby_acts_in(doc, paragraph_id))
    return mentions, acts, pipeline_facts(nlp, settings.spacy_model, note)


def document_problems(report: Report) -> list[DocumentError]:
    """Problems that leave the report readable but incomplete: unreadable pages, no text, not Dutch."""
    problems = [DocumentError(report.source_file, page, "unreadable_page", message) for page, message in report.page_errors]
    if not report.paragraphs:
        unread = [s.page for s in report.pages if s.status in ("ocr_unavailable", "unreadable")]
        pages = f"page {unread[0]} has" if len(unread) == 1 else f"pages {', '.join(map(str, unread))} have"
        reason = f"{pages} no text layer and OCR is unavailable" if unread else "no text on any page"
        problems.append(DocumentError(report.source_file, None, "no_text", f"no extractable text: {reason}"))
    elif report.language != "nl":
        problems.append(DocumentError(report.source_file, None, "not_dutch", f"the text is in {report.language!r}, not Dutch: paragraphs kept, no entities, lobbying acts or themes"))
    return problems


def process_document(path: Path, settings: Settings, cache: DocumentCache | None = None) -> DocumentResult:
    """The per-document step, a pure function of the PDF and the settings (the cache only saves time).

    Every failure becomes a `DocumentError` for errors.csv: nothing raised here stops the other documents.
    """
    try:
        structure_key = cache_key(file_sha256(path), path.name, settings, "structure") if cache else ""
        report = cache.load("structure", structure_key) if cache else None
        hits = {"structure"} if report is not None else set()
        if report is None:
            report = structure_document(path, settings)
            if cache:
                cache.save("structure", structure_key, report)
        problems = document_problems(report)
        if any(p.kind in ("no_text", "not_dutch") for p in problems):
            return DocumentResult(path.name, report, errors=problems, cached=frozenset(hits))
        nlp_key = cache_key(structure_key, "", settings, "nlp") if cache else ""
        analysed = cache.load("nlp", nlp_key) if cache else None
        hits |= {"nlp"} if analysed is not None else set()
        if analysed is None:
            analysed = analyse_report(report, settings)
            if cache:
                cache.save("nlp", nlp_key, analysed)
        mentions, acts, facts = analysed
        return DocumentResult(path.name, report, mentions, acts, problems, spacy=facts, cached=frozenset(hits))
    except Exception as error:
        log.debug("failure on %s", path.name, exc_info=True)
        return DocumentResult(path.name, None, errors=[as_document_error(path.name, error)])


def as_document_error(file_name: str, error: Exception) -> DocumentError:
    """A PDF or year problem as its named kind; anything else is a bug in this tool, reported as `internal`."""
    if isinstance(error, PdfError):
        return DocumentError(file_name, None, error.kind, str(error))
    if isinstance(error, YearError):
        return DocumentError(file_name, None, "year", str(error))
    return DocumentError(file_name, None, "internal", f"unexpected {type(error).__name__}: {error}")
