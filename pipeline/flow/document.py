"""The per-document step: one PDF and the settings in, its report, entity mentions and lobbying acts out.

A pure function of its inputs (`process_document`), so it runs unchanged in this process, in a pool of
worker processes or on a Dask cluster; the cache only saves time. spaCy and the NLP stage are imported where
the analysis needs them, so the main process, which only hands the documents out, never loads them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from pipeline.config import REPORTS_FILE, Settings
from pipeline.files import atomic_write, file_sha256
from pipeline.flow.fingerprint import code_digest, spacy_model_version
from pipeline.pdf import PdfError, read_pdf, tesseract_available
from pipeline.records import DocumentError, DocumentResult, ErrorKind, LobbyAct, Mention, Report
from pipeline.structure import load_aliases, structure_report
from pipeline.textkeys import doc_id_for
from pipeline.year import YearError

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)


class CacheUnavailable(Exception):
    """The cache folder cannot be written (disk full, removed, read-only): a transient failure."""


CACHE_SHAPES: dict[str, TypeAdapter[Any]] = {
    "structure": TypeAdapter(Report),
    "nlp": TypeAdapter(tuple[list[Mention], list[LobbyAct], dict[str, Any], dict[int, int]]),
}


def payload_digest(payload: object) -> str:
    """sha256 of a cache payload as canonical JSON: what an entry's checksum is taken over."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class DocumentCache:
    """Per-document results on disk, keyed by content and by the code and data files they depend on.

    Entries are JSON (loading one can never run code), each with the sha256 of its payload; an entry that
    cannot be read, was altered or has the wrong shape is computed again, with a note.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, stage: str, key: str) -> Path:
        """Where the entry of `stage` under `key` is kept."""
        return self.folder / stage / f"{key}.json"

    def load(self, stage: str, key: str) -> tuple[Any, str | None]:
        """The entry (None when missing or bad) and, for a bad one, a note saying it is recomputed."""
        path = self.path(stage, key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None, None
        except (OSError, ValueError) as error:
            return None, f"cache entry {path} cannot be read ({type(error).__name__}): recomputed"
        if not isinstance(entry, dict) or entry.get("sha256") != payload_digest(entry.get("payload")):
            return None, f"cache entry {path} was altered (checksum differs): recomputed"
        try:
            return CACHE_SHAPES[stage].validate_python(entry["payload"]), None
        except ValidationError:
            return None, f"cache entry {path} has the wrong shape: recomputed"

    def save(self, stage: str, key: str, value: object) -> None:
        """Write atomically, so parallel workers never see half an entry; a cache that cannot be written
        raises `CacheUnavailable`."""
        payload = CACHE_SHAPES[stage].dump_python(value, mode="json")
        text = json.dumps({"sha256": payload_digest(payload), "payload": payload}, ensure_ascii=False)
        path = self.path(stage, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))
        except OSError as error:
            raise CacheUnavailable(
                f"the cache {self.folder} cannot be written ({error.strerror or error}): "
                "free space, fix the folder, or run with --no-cache"
            ) from error


@lru_cache(maxsize=2)
def nlp_for(spacy_model: str, models_dir: Path) -> tuple[Language, str]:
    """One spaCy pipeline per process (and per worker), built on first use only."""
    from pipeline.nlp import build_nlp

    return build_nlp(spacy_model, models_dir)


def key_of(parts: dict[str, object]) -> str:
    """A cache key: sha256 of the parts as sorted JSON."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def doc_id_of(path: Path, settings: Settings) -> str:
    """The file's `doc_id`: the one the corpus gave it (unique among its files), else its name's slug."""
    return settings.doc_ids.get(path.name) or doc_id_for(path)


def structure_key(pdf_sha256: str, file_name: str, settings: Settings) -> str:
    """What a structured report depends on: the PDF, the code, the heading tables and the reading options."""
    return key_of(
        {
            "pdf": pdf_sha256,
            "code": code_digest(),
            "data": load_aliases(settings.models_dir).digest,
            "file": file_name,
            "doc_id": settings.doc_ids.get(file_name),
            "year": settings.year_overrides.get(file_name),
            "ocr": settings.ocr and tesseract_available(),
            "max_pages": settings.max_pages,
        }
    )


def nlp_key(report_key: str, settings: Settings) -> str:
    """What the entities and lobbying acts depend on: the report, the code, the NLP data files and the model."""
    from pipeline.nlp import resources_digest

    return key_of(
        {
            "report": report_key,
            "code": code_digest(),
            "data": resources_digest(settings.models_dir),
            "spacy_model": settings.spacy_model,
            "spacy_model_version": spacy_model_version(settings.spacy_model),
        }
    )


def structure_document(path: Path, settings: Settings) -> Report:
    """Read and structure one PDF."""
    pdf = read_pdf(path, ocr=settings.ocr, max_pages=settings.max_pages)
    return structure_report(
        pdf,
        load_aliases(settings.models_dir),
        year=settings.year_overrides.get(path.name),
        doc_id=doc_id_of(path, settings),
    )


def analyse_report(
    report: Report, settings: Settings
) -> tuple[list[Mention], list[LobbyAct], dict[str, Any], dict[int, int]]:
    """Entities and lobbying acts of every paragraph, with the facts of the spaCy pipeline that found them and
    the mentions each curation row changed (by line)."""
    from pipeline.lobby import document_acts, named_organisations, network_names
    from pipeline.nlp import curation_effects, lobby_acts_in, mentions_in, parse_paragraphs, pipeline_facts

    nlp, note = nlp_for(settings.spacy_model, settings.models_dir)
    mentions: list[Mention] = []
    acts: list[LobbyAct] = []
    named: list[tuple[str, str, list[str]]] = []
    curated: dict[int, int] = {}
    for paragraph_id, doc in parse_paragraphs(nlp, ((p.paragraph_id, p.text) for p in report.paragraphs)):
        mentions.extend(mentions_in(doc, paragraph_id))
        named.append((paragraph_id, doc.text, named_organisations(doc)))
        acts.extend(lobby_acts_in(doc, paragraph_id))
        for line, changed in curation_effects(doc).items():
            curated[line] = curated.get(line, 0) + changed
    acts = document_acts(acts, named, network_names(settings.models_dir / "lobby_actors.csv"))
    return mentions, acts, pipeline_facts(nlp, settings.spacy_model, note), curated


def document_problems(report: Report) -> list[DocumentError]:
    """Problems that leave the report readable but incomplete: unreadable pages, no text, not Dutch, a
    structure that cannot be told (its entities and themes are still found)."""
    problems = [
        DocumentError(report.source_file, page, ErrorKind.UNREADABLE_PAGE, message)
        for page, message in report.page_errors
    ]
    if not report.paragraphs:
        unread = [s.page for s in report.pages if s.status in ("ocr_unavailable", "unreadable")]
        pages = f"page {unread[0]} has" if len(unread) == 1 else f"pages {', '.join(map(str, unread))} have"
        reason = f"{pages} no text layer and OCR is unavailable" if unread else "no text on any page"
        problems.append(DocumentError(report.source_file, None, ErrorKind.NO_TEXT, f"no extractable text: {reason}"))
    elif report.language == "nl" and report.structure_problem:
        problems.append(DocumentError(report.source_file, None, ErrorKind.STRUCTURE, report.structure_problem))
    elif report.language != "nl":
        problems.append(
            DocumentError(
                report.source_file,
                None,
                ErrorKind.NOT_DUTCH,
                f"the text is in {report.language!r}, not Dutch: paragraphs kept, no entities, lobbying acts or themes",
            )
        )
    return problems


def process_document(path: Path, settings: Settings, cache: DocumentCache | None = None) -> DocumentResult:
    """The per-document step, a pure function of the PDF and the settings (the cache only saves time).

    Every failure becomes a `DocumentError` for errors.csv: nothing raised here stops the other documents.
    """
    notes: list[str] = []
    try:
        report_key = structure_key(file_sha256(path), path.name, settings) if cache else ""
        report = load_entry(cache, "structure", report_key, notes)
        hits = {"structure"} if report is not None else set()
        if report is None:
            report = structure_document(path, settings)
            if cache:
                cache.save("structure", report_key, report)
        problems = document_problems(report)
        if any(ErrorKind(p.kind).refuses_analysis for p in problems):
            return DocumentResult(path.name, report, errors=problems, cached=frozenset(hits), notes=notes)
        analysis_key = nlp_key(report_key, settings) if cache else ""
        analysed = load_entry(cache, "nlp", analysis_key, notes)
        hits |= {"nlp"} if analysed is not None else set()
        if analysed is None:
            analysed = analyse_report(report, settings)
            if cache:
                cache.save("nlp", analysis_key, analysed)
        mentions, acts, facts, curated = analysed
        return DocumentResult(
            path.name,
            report,
            mentions,
            acts,
            problems,
            spacy=facts,
            cached=frozenset(hits),
            notes=notes,
            curation=curated,
        )
    except Exception as error:
        log.debug("failure on %s", path.name, exc_info=True)
        return DocumentResult(path.name, None, errors=[as_document_error(path.name, error)], notes=notes)


def load_entry(cache: DocumentCache | None, stage: str, key: str, notes: list[str]) -> Any:
    """A cached result or None; a bad entry's note goes to `notes`."""
    if cache is None:
        return None
    value, note = cache.load(stage, key)
    if note:
        notes.append(note)
    return value


def as_document_error(file_name: str, error: BaseException) -> DocumentError:
    """A PDF, year, memory or cache problem as its named kind; anything else is a bug in this tool, reported
    as `internal`."""
    if isinstance(error, PdfError):
        return DocumentError(file_name, None, error.kind, str(error))
    if isinstance(error, YearError):
        hint = f"; give it in {REPORTS_FILE} in the corpus folder (a row `{file_name},YEAR`) or with --year FILE=YEAR"
        return DocumentError(file_name, None, ErrorKind.YEAR, f"{error}{hint}")
    if isinstance(error, CacheUnavailable):
        return DocumentError(file_name, None, ErrorKind.CACHE_UNAVAILABLE, str(error))
    if isinstance(error, MemoryError):
        return DocumentError(
            file_name,
            None,
            ErrorKind.TOO_LARGE,
            "needs more memory than a worker may use (raise it with --memory-limit)",
        )
    return DocumentError(file_name, None, ErrorKind.INTERNAL, f"unexpected {type(error).__name__}: {error}")
