"""The records that pass between the stages, in the order data flows: PDF words → lines and blocks →
a structured report → entity mentions and lobbying acts → a document's result → a run's result.

Plain dataclasses and enums with no heavy imports, so that any stage (and the report) can import them
without loading pdfplumber, spaCy or scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.config import RunOptions, Settings

if TYPE_CHECKING:
    import pandas as pd

GENERAL = "Algemeen"
LANGUAGE = "nl"
ENTITY_TYPES = ("organisation", "place", "law", "policy")
# The spaCy span groups the components share: linked entities, and the sentences that record lobbying acts.
ENTITY_SPANS = "g40_entities"
LOBBY_SPANS = "g40_lobby"
# `doc.user_data` key of the mentions each curation row changed (line in models/curation.csv → count).
CURATION_EFFECTS = "g40_curation"


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """One word with its box (PDF points, top-left origin) and font style."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    color: str = ""
    italic: bool = False


@dataclass
class Page:
    """The words of one page and how they were obtained (`text`, `ocr`, `ocr_unavailable`, `blank`, `unreadable`)."""

    number: int
    width: float
    height: float
    words: list[Word]
    links: list[str]
    source: str


@dataclass
class PdfDocument:
    """A read PDF: its pages of positioned words, metadata and the problems met while reading."""

    path: Path
    sha256: str
    metadata: dict[str, str]
    pages: list[Page]
    warnings: list[str] = field(default_factory=list)
    page_errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def n_pages(self) -> int:
        """Pages in the PDF, read or not."""
        return len(self.pages)


# --- structure -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """Words on one baseline, with the dominant font size and whether all of it is bold."""

    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    color: str = ""
    italic: bool = False


@dataclass(frozen=True)
class Block:
    """A heading (level 1 or 2) or a paragraph, in reading order."""

    kind: str
    level: int
    page: int
    page_end: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph with its place in the report: pages, pillar, section and the heading above it."""

    paragraph_id: str
    page: int
    page_end: int
    pillar: str
    section: str
    heading: str
    source: str
    text: str
    pillar_source: str = "none"


@dataclass(frozen=True)
class PageStatus:
    """What became of a page (`text`, `ocr`, `cover`, `toc`, `blank`, …) and how many furniture lines it lost."""

    page: int
    status: str
    removed_lines: int


@dataclass
class Report:
    """One annual report, structured: what every later stage starts from."""

    doc_id: str
    year: int
    title: str
    source_file: str
    sha256: str
    n_pages: int
    paragraphs: list[Paragraph]
    pages: list[PageStatus]
    links: list[tuple[int, str]]
    warnings: list[str] = field(default_factory=list)
    page_errors: list[tuple[int, str]] = field(default_factory=list)
    language: str = LANGUAGE
    pillar_notes: list[str] = field(default_factory=list)
    structure_problem: str = ""

    @property
    def n_pages_ocr(self) -> int:
        """Pages whose text came from OCR."""
        return sum(1 for p in self.pages if p.status == "ocr")


# --- entities and lobbying -----------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in a paragraph, linked to its canonical name and identifier."""

    paragraph_id: str
    entity_type: str
    surface: str
    canonical: str
    entity_id: str
    start_char: int
    end_char: int
    method: str
    sentence: str


@dataclass(frozen=True)
class LobbyAct:
    """A sentence that records a lobbying act: its instrument, target organisation and subject dossier; an
    addressee without a named organisation (`het kabinet`, `Kamerleden`) as written; `actor` is the other
    organisation that acted (empty when the network did), kept until the document's acts are settled."""

    paragraph_id: str
    instrument: str
    target: str
    subject: str
    sentence: str
    addressee: str = ""
    actor: str = ""


# --- per document and per run --------------------------------------------------------------------


class ErrorKind(StrEnum):
    """The kinds of `errors.csv` rows. A refusing kind keeps the document out of the analysis."""

    NOT_PDF = "not_pdf"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    ZERO_PAGES = "zero_pages"
    TOO_LARGE = "too_large"
    UNREADABLE_PAGE = "unreadable_page"
    NO_TEXT = "no_text"
    NOT_DUTCH = "not_dutch"
    YEAR = "year"
    STRUCTURE = "structure"
    DUPLICATE_YEAR = "duplicate_year"
    FILE_NAME = "file_name"
    UNREADABLE_FILE = "unreadable_file"
    TIMEOUT = "timeout"
    WORKER_CRASHED = "worker_crashed"
    CACHE_UNAVAILABLE = "cache_unavailable"
    DUPLICATE_FILE = "duplicate_file"
    INTERNAL = "internal"

    @property
    def transient(self) -> bool:
        """True for failures that say nothing about the document's content (a worker died, the time limit,
        the cache): retried once, and a run with such a failure never replaces a complete earlier set."""
        return self in (ErrorKind.TIMEOUT, ErrorKind.WORKER_CRASHED, ErrorKind.CACHE_UNAVAILABLE)

    @property
    def refuses_analysis(self) -> bool:
        """True for problems after which the document's paragraphs get no entities, acts or themes."""
        return self in (ErrorKind.NO_TEXT, ErrorKind.NOT_DUTCH, ErrorKind.DUPLICATE_YEAR)

    @property
    def refuses_tables(self) -> bool:
        """True where the document's rows stay out of every table (two reports claim its year)."""
        return self is ErrorKind.DUPLICATE_YEAR


@dataclass
class DocumentError:
    """One row of errors.csv: the file, the page when the problem is one page, the kind and what to do."""

    doc: str
    page: int | None
    kind: ErrorKind
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
    notes: list[str] = field(default_factory=list)
    curation: dict[int, int] = field(default_factory=dict)


@dataclass
class RunResult:
    """What a corpus run produced, before it is written: documents, errors, tables, notes and timings."""

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
    curation: list[dict[str, Any]] = field(default_factory=list)
    run_warnings: list[str] = field(default_factory=list)

    @property
    def reports(self) -> list[Report]:
        """The reports that could be read."""
        return [d.report for d in self.documents if d.report is not None]

    @property
    def warnings(self) -> list[str]:
        """The run's own warnings (curation rows that matched nothing), then every report's, prefixed with its file name."""
        return [*self.run_warnings, *(f"{r.source_file}: {w}" for r in self.reports for w in r.warnings)]

    @property
    def failed(self) -> set[str]:
        """Files with at least one error row."""
        return {e.doc for e in self.errors}

    @property
    def transient_failures(self) -> set[str]:
        """Files that failed for a reason other than their content (worker died, time limit, cache)."""
        return {e.doc for e in self.errors if ErrorKind(e.kind).transient}

    @property
    def refused_analysis(self) -> set[str]:
        """Files whose paragraphs get no entities, lobbying acts or themes."""
        return {e.doc for e in self.errors if ErrorKind(e.kind).refuses_analysis}

    @property
    def refused_tables(self) -> set[str]:
        """Files that stay out of every table."""
        return {e.doc for e in self.errors if ErrorKind(e.kind).refuses_tables}
