"""Stage 2b: from positioned words to clean, sectioned paragraphs.

Drops running headers/footers, the cover and the table of contents; reads multi-column pages
column by column; finds headings by font size and weight; joins lines into paragraphs; and walks
the headings to give every paragraph its pillar and section (docs/ANNOTATION.md, "pillar and section").
"""

from __future__ import annotations

import itertools
import logging
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.clean import (
    LANGUAGE,
    detect_language,
    join_lines,
    normalise_characters,
    normalise_whitespace,
    repair_ocr_words,
)
from pipeline.config import MODELS_DIR, read_csv_rows
from pipeline.pdf import Page, PdfDocument, Word

log = logging.getLogger(__name__)

MARGIN_SHARE = 0.12
RUNNING_MIN_PAGES = 3
RUNNING_PAGE_SHARE = 0.4
PARAGRAPH_GAP_FACTOR = 1.3
HEADING_MIN_EXTRA_SIZE = 1.0
HEADING_MERGE_GAP_FACTOR = 2.6
GUTTER_MIN_WIDTH = 9.0
TERMINAL_PUNCTUATION = tuple(".!?:;'\")")
BULLET_RE = re.compile(r"^[-–•▪●◦«»*]\s")
TOC_ENTRY_RE = re.compile(r"\S.*\s\.*\s*\d{1,3}$")
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
WORD_TOKEN_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
GENERAL = "Algemeen"


class YearError(ValueError):
    """The report's year cannot be told, or its sources disagree."""


@dataclass(frozen=True)
class Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool


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
    paragraph_id: str
    page: int
    page_end: int
    pillar: str
    section: str
    heading: str
    source: str
    text: str


@dataclass(frozen=True)
class PageStatus:
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

    @property
    def n_pages_ocr(self) -> int:
        return sum(1 for p in self.pages if p.status == "ocr")


@dataclass(frozen=True)
class Aliases:
    """What headings mean, from `models/`: heading text (casefolded) → canonical pillar or section, and the
    words around names in headings and title pages (`models/heading_words.csv`)."""

    pillars: dict[str, str]
    sections: dict[str, str]
    heading_words: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def words_pattern(self, role: str) -> str:
        return "|".join(re.escape(w) for w in sorted(self.heading_words.get(role, ()), key=len, reverse=True)) or "(?!)"


# --- words to lines ---------------------------------------------------------------------------


def find_gutter(words: Sequence[Word], width: float) -> float | None:
    """The x of an empty vertical band in the middle of the page that splits it into two columns."""
    if len(words) < 20:
        return None
    lo, hi = int(width * 0.25), int(width * 0.75)
    crossing = [0] * (hi - lo)
    for w in words:
        for x in range(max(lo, int(w.x0)), min(hi, int(w.x1) + 1)):
            crossing[x - lo] += 1
    tolerance = max(1, len(words) // 200)
    best: tuple[int, int] | None = None
    start = None
    for i, count in enumerate([*crossing, tolerance + 1]):
        if count <= tolerance and start is None:
            start = i
        elif count > tolerance and start is not None:
            if best is None or i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    if best is None or best[1] - best[0] < GUTTER_MIN_WIDTH:
        return None
    gutter = lo + (best[0] + best[1]) / 2
    sides = ([w for w in words if w.x1 < gutter], [w for w in words if w.x0 > gutter])
    for side in sides:
        wordy = sum(1 for w in side if any(c.isalpha() for c in w.text))
        if len(side) < 0.2 * len(words) or wordy < 0.6 * len(side):
            return None
    return gutter


def baseline_rows(words: Sequence[Word]) -> list[list[Word]]:
    """Words on one baseline (within a third of the font size) form a row, left to right."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (round(w.bottom, 1), w.x0)):
        if rows and abs(rows[-1][-1].bottom - word.bottom) <= max(2.0, word.size / 3):
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(row, key=lambda w: w.x0) for row in rows]


def group_lines(words: Sequence[Word], page: int) -> list[Line]:
    return [_make_line(row, page) for row in baseline_rows(words)]


def _make_line(words: list[Word], page: int) -> Line:
    sizes = Counter(w.size for w in words for _ in w.text)
    return Line(
        page=page,
        text=normalise_whitespace(normalise_characters(" ".join(w.text for w in words))),
        x0=min(w.x0 for w in words),
        x1=max(w.x1 for w in words),
        top=min(w.top for w in words),
        bottom=max(w.bottom for w in words),
        size=sizes.most_common(1)[0][0],
        bold=all(w.bold for w in words),
    )


def page_lines(page: Page) -> list[Line]:
    """Lines of a page in reading order: full-width lines in place, two columns left before right."""
    gutter = find_gutter(page.words, page.width)
    if gutter is None:
        return group_lines(page.words, page.number)
    ordered: list[Line] = []
    left: list[Word] = []
    right: list[Word] = []
    for row in baseline_rows(page.words):
        if any(w.x0 < gutter < w.x1 for w in row):
            ordered += group_lines(left, page.number) + group_lines(right, page.number)
            ordered.append(_make_line(row, page.number))
            left, right = [], []
        else:
            left += [w for w in row if w.x1 <= gutter]
            right += [w for w in row if w.x0 >= gutter]
    return ordered + group_lines(left, page.number) + group_lines(right, page.number)


# --- page furniture ---------------------------------------------------------------------------


def furniture_key(line: Line) -> str:
    return re.sub(r"\d+", "#", line.text.casefold())


def in_margin(line: Line, height: float) -> bool:
    return line.bottom < height * MARGIN_SHARE or line.top > height * (1 - MARGIN_SHARE)


def running_keys(pages: Sequence[tuple[Page, list[Line]]]) -> set[str]:
    """Texts (digits masked) that recur in the top or bottom margin of many pages: headers, footers."""
    seen: Counter[str] = Counter()
    for page, lines in pages:
        seen.update({furniture_key(line) for line in lines if in_margin(line, page.height)})
    threshold = max(RUNNING_MIN_PAGES, RUNNING_PAGE_SHARE * len(pages))
    return {key for key, count in seen.items() if count >= threshold}


def is_furniture(line: Line, height: float, keys: set[str]) -> bool:
    if not in_margin(line, height):
        return False
    return furniture_key(line) in keys or re.fullmatch(r"[\W\d]*\d[\W\d]*", line.text) is not None


def is_toc_page(lines: Sequence[Line]) -> bool:
    entries = sum(1 for line in lines if TOC_ENTRY_RE.fullmatch(line.text))
    return entries >= 3 and entries >= 0.6 * len(lines)


def is_cover_page(number: int, lines: Sequence[Line], body_size: float) -> bool:
    words = sum(len(line.text.split()) for line in lines)
    return number == 1 and words < 80 and any(line.size >= 1.5 * body_size for line in lines)


def body_size(lines: Iterable[Line]) -> float:
    """The most common font size, weighted by characters: the body text of a page or document."""
    sizes: Counter[float] = Counter()
    for line in lines:
        if not line.bold:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


# --- headings and paragraphs ------------------------------------------------------------------


def is_heading(line: Line, page_body_size: float) -> bool:
    return line.bold and line.size >= page_body_size + HEADING_MIN_EXTRA_SIZE and len(line.text) < 160


def heading_levels(sizes: Iterable[float]) -> dict[float, int]:
    """The largest heading size is level 1 (pillars, front matter); every smaller one is level 2."""
    distinct = sorted({round(s * 2) / 2 for s in sizes}, reverse=True)
    return {size: (1 if i == 0 and len(distinct) > 1 else 2) for i, size in enumerate(distinct)}


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(TERMINAL_PUNCTUATION)


def typical_leading(lines: Sequence[Line]) -> float:
    steps = [b.top - a.top for a, b in itertools.pairwise(lines) if 0 < b.top - a.top < 3 * a.size]
    return statistics.median(steps) if steps else 0.0


def document_vocabulary(lines: Iterable[Line]) -> set[str]:
    """Every word as written mid-line in the document, to decide line-break hyphens."""
    vocabulary: set[str] = set()
    for line in lines:
        tokens = WORD_TOKEN_RE.findall(line.text.casefold())
        vocabulary.update(tokens[:-1] if line.text.endswith("-") else tokens)
    return vocabulary


def build_blocks(pages: Sequence[tuple[int, list[Line]]], vocabulary: set[str]) -> list[Block]:
    """Group body lines into paragraphs and heading lines into (merged) headings, across pages.

    A paragraph ends at a heading, a bullet, or a wider-than-usual line gap after a sentence end; a
    paragraph left open at the bottom of a page continues on the next page.
    """
    all_lines = [line for _, lines in pages for line in lines]
    document_body = body_size(all_lines)
    sizes = [line.size for line in all_lines if is_heading(line, document_body)]
    levels = heading_levels(sizes)
    blocks: list[Block] = []
    current: list[Line] = []
    current_kind = ""

    def flush() -> None:
        nonlocal current, current_kind
        if current:
            text = join_lines([line.text for line in current], vocabulary)
            text = repair_ocr_words(text)
            level = levels.get(round(current[0].size * 2) / 2, 2) if current_kind == "heading" else 0
            blocks.append(Block(current_kind, level, current[0].page, current[-1].page, text))
        current, current_kind = [], ""

    for _, lines in pages:
        page_body = body_size(lines)
        leading = typical_leading([line for line in lines if not is_heading(line, page_body)])
        for line in lines:
            kind = "heading" if is_heading(line, page_body) else "paragraph"
            previous = current[-1] if current else None
            if previous is None or kind != current_kind:
                starts_new = True
            elif kind == "heading":
                starts_new = line.size != previous.size or line.top - previous.top > HEADING_MERGE_GAP_FACTOR * line.size
            elif line.page != previous.page:
                starts_new = ends_sentence(previous.text)
            else:
                wide_gap = leading > 0 and line.top - previous.top > PARAGRAPH_GAP_FACTOR * leading
                starts_new = (
                    bool(BULLET_RE.match(line.text))
                    or abs(line.size - previous.size) > 1.0
                    or (wide_gap and ends_sentence(previous.text))
                )
            if starts_new:
                flush()
                current_kind = kind
            current.append(line)
    flush()
    return blocks


# --- sections ---------------------------------------------------------------------------------


def alias_key(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.casefold()).strip()


def load_aliases(models_dir: Path = MODELS_DIR) -> Aliases:
    """Pillar and section alias tables (`models/pillars.csv`, `models/sections.csv`)."""
    pillars = {alias_key(row["alias"]): row["pillar"] for row in read_csv_rows(models_dir / "pillars.csv")}
    sections = {alias_key(row["alias"]): row["section"] for row in read_csv_rows(models_dir / "sections.csv")}
    heading_words: dict[str, list[str]] = {}
    for row in read_csv_rows(models_dir / "heading_words.csv"):
        heading_words.setdefault(row["role"], []).append(row["word"])
    return Aliases(pillars, sections, {role: tuple(words) for role, words in heading_words.items()})


def pillar_of(heading: str, level: int, aliases: Aliases) -> str | None:
    """The pillar a heading opens: any alias for a top-level heading, `Pijler …`/`… pijler` at any level."""
    key = alias_key(heading)
    pillar_word = re.compile(rf"^(?:{aliases.words_pattern('pillar_word')})\s+|\s+(?:{aliases.words_pattern('pillar_word')})$")
    if level != 1 and not pillar_word.search(key):
        return None
    stripped = pillar_word.sub("", key)
    return aliases.pillars.get(key) or aliases.pillars.get(stripped)


def section_name(heading: str, aliases: Aliases) -> str:
    """`Thema Circulair bouwen: het ondertekenen van …` → `Circulair bouwen`, then the alias table."""
    prefix = re.compile(rf"^(?:{aliases.words_pattern('section_prefix')})\s+", re.I)
    name = prefix.sub("", heading).split(":", 1)[0].strip(" -'\"")
    return aliases.sections.get(alias_key(name), name)


def assign_sections(blocks: Sequence[Block], aliases: Aliases, doc_id: str, sources: dict[int, str]) -> tuple[list[Paragraph], list[str]]:
    """Walk the headings: level-1 headings set the pillar, level-2 headings the section."""
    pillar, section, heading = GENERAL, GENERAL, ""
    paragraphs: list[Paragraph] = []
    warnings: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            known_pillar = pillar_of(block.text, block.level, aliases)
            if known_pillar is not None or block.level == 1:
                if known_pillar is None:
                    known_pillar = GENERAL
                    warnings.append(f"top-level heading {block.text!r} is not in models/pillars.csv: filed under {GENERAL}")
                pillar, section = known_pillar, GENERAL
            else:
                section = section_name(block.text, aliases)
            heading = block.text
            continue
        number = len(paragraphs) + 1
        paragraphs.append(
            Paragraph(
                paragraph_id=f"{doc_id}-p{number:04d}",
                page=block.page,
                page_end=block.page_end,
                pillar=pillar,
                section=section,
                heading=heading,
                source=sources.get(block.page, "text"),
                text=block.text,
            )
        )
    return paragraphs, warnings


# --- document identity ------------------------------------------------------------------------


def doc_id_for(path: Path) -> str:
    """The file name as a lower-case ASCII slug, accents dropped, not their letters: `Één verslag` → `een-verslag`."""
    ascii_name = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.casefold()).strip("-") or "document"


def detect_year(file_name: str, metadata: dict[str, str], title_page: str, report_titles: str) -> int:
    """The report year from file name, PDF metadata and title page; disagreement is an error, not a guess.

    `report_titles` is a regex alternation of title words (`Jaarverslag 2023`) that name the year outright.
    """
    report_year = re.compile(rf"(?:{report_titles})\W+((?:19|20)\d{{2}})", re.I)
    evidence: dict[str, set[int]] = {
        "file name": {int(y) for y in YEAR_RE.findall(Path(file_name).stem)},
        "PDF metadata": {
            int(y) for key in ("Title", "Subject", "Keywords") for y in YEAR_RE.findall(metadata.get(key, ""))
        },
        "title page": {int(y) for y in report_year.findall(title_page)}
        or ({int(y) for y in YEAR_RE.findall(title_page)} if len(set(YEAR_RE.findall(title_page))) == 1 else set()),
    }
    claims = {source: years for source, years in evidence.items() if years}
    years = set().union(*claims.values()) if claims else set()
    if len(years) == 1:
        return years.pop()
    if not years:
        raise YearError(f"{file_name}: the report year cannot be told from its file name, metadata or title page")
    detail = "; ".join(f"{source} says {', '.join(map(str, sorted(ys)))}" for source, ys in claims.items())
    raise YearError(f"{file_name}: conflicting report years ({detail})")


# --- the whole document -----------------------------------------------------------------------


def structure_report(pdf: PdfDocument, aliases: Aliases, year: int | None = None) -> Report:
    """Turn a read PDF into a `Report`: furniture removed, pages classified, paragraphs sectioned."""
    doc_id = doc_id_for(pdf.path)
    laid_out = [(page, page_lines(page)) for page in pdf.pages]
    keys = running_keys(laid_out)
    doc_body = body_size(line for _, lines in laid_out for line in lines)
    statuses: list[PageStatus] = []
    kept: list[tuple[int, list[Line]]] = []
    for page, lines in laid_out:
        body = [line for line in lines if not is_furniture(line, page.height, keys)]
        removed = len(lines) - len(body)
        if page.source != "text" and page.source != "ocr":
            status = page.source
        elif not body:
            status = "blank"
        elif is_cover_page(page.number, body, doc_body):
            status = "cover"
        elif is_toc_page(body):
            status = "toc"
        else:
            status = page.source
            kept.append((page.number, body))
        statuses.append(PageStatus(page.number, status, removed))
        if removed:
            log.debug("page %d: removed %d header/footer lines", page.number, removed)
    cover_text = " ".join(line.text for line in laid_out[0][1]) if laid_out else ""
    report_year = year if year is not None else detect_year(pdf.path.name, pdf.metadata, cover_text, aliases.words_pattern("report_title"))
    vocabulary = document_vocabulary(line for _, lines in kept for line in lines)
    blocks = build_blocks(kept, vocabulary)
    sources = {page.number: page.source for page in pdf.pages}
    paragraphs, warnings = assign_sections(blocks, aliases, doc_id, sources)
    title = pdf.metadata.get("Title") or cover_text or pdf.path.stem
    links = sorted({(page.number, url) for page in pdf.pages for url in page.links})
    return Report(
        doc_id=doc_id,
        year=report_year,
        title=normalise_whitespace(title),
        source_file=pdf.path.name,
        sha256=pdf.sha256,
        n_pages=pdf.n_pages,
        paragraphs=paragraphs,
        pages=statuses,
        links=links,
        warnings=[*pdf.warnings, *warnings],
        page_errors=pdf.page_errors,
        language=detect_language(" ".join(p.text for p in paragraphs)),
    )
