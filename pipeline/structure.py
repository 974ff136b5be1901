"""Stage 2b: from lines in reading order to clean, sectioned paragraphs.

Finds headings by font size and weight; joins lines into paragraphs (across pages); and walks the
headings to give every paragraph its pillar and section (docs/ANNOTATION.md, "pillar and section").
"""

from __future__ import annotations

import itertools
import logging
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.clean import detect_language, join_lines, normalise_whitespace, repair_ocr_words
from pipeline.config import MODELS_DIR
from pipeline.layout import body_size, is_cover_page, is_furniture, is_toc_page, page_lines, running_keys
from pipeline.records import GENERAL, Block, Line, PageStatus, Paragraph, PdfDocument, Report
from pipeline.resources import HeadingWord, PillarAlias, SectionAlias, digest, read_rows
from pipeline.textkeys import alias_key, doc_id_for
from pipeline.year import detect_year

log = logging.getLogger(__name__)

PARAGRAPH_GAP_FACTOR = 1.3
HEADING_MIN_EXTRA_SIZE = 1.0
HEADING_MERGE_GAP_FACTOR = 2.6
TERMINAL_PUNCTUATION = tuple(".!?:;'\")")
BULLET_RE = re.compile(r"^[-–•▪●◦«»*]\s")
WORD_TOKEN_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


@dataclass(frozen=True)
class Aliases:
    """What headings mean, from `models/`: heading text (casefolded) → canonical pillar or section, and the
    words around names in headings and title pages (`models/heading_words.csv`)."""

    pillars: dict[str, str]
    sections: dict[str, str]
    heading_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    digest: str = ""

    def words_pattern(self, role: str) -> str:
        """A regex alternation of the heading words of one role, longest first."""
        return "|".join(re.escape(w) for w in sorted(self.heading_words.get(role, ()), key=len, reverse=True)) or "(?!)"


# --- headings and paragraphs ------------------------------------------------------------------


def is_heading(line: Line, page_body_size: float) -> bool:
    """Bold and larger than the page's body text, and short."""
    return line.bold and line.size >= page_body_size + HEADING_MIN_EXTRA_SIZE and len(line.text) < 160


def heading_levels(sizes: Iterable[float]) -> dict[float, int]:
    """The largest heading size is level 1 (pillars, front matter); every smaller one is level 2."""
    distinct = sorted({round(s * 2) / 2 for s in sizes}, reverse=True)
    return {size: (1 if i == 0 and len(distinct) > 1 else 2) for i, size in enumerate(distinct)}


def ends_sentence(text: str) -> bool:
    """True when a line ends with sentence-final punctuation (a paragraph may end there)."""
    return text.rstrip().endswith(TERMINAL_PUNCTUATION)


def typical_leading(lines: Sequence[Line]) -> float:
    """The median distance between consecutive lines: a wider gap may end a paragraph."""
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
                starts_new = (
                    line.size != previous.size or line.top - previous.top > HEADING_MERGE_GAP_FACTOR * line.size
                )
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


def load_aliases(models_dir: Path = MODELS_DIR) -> Aliases:
    """Pillar and section alias tables (`models/pillars.csv`, `models/sections.csv`) and heading words."""
    pillar_rows = read_rows(models_dir / "pillars.csv", PillarAlias)
    section_rows = read_rows(models_dir / "sections.csv", SectionAlias)
    word_rows = read_rows(models_dir / "heading_words.csv", HeadingWord)
    heading_words: dict[str, list[str]] = {}
    for row in word_rows.rows:
        heading_words.setdefault(row.role, []).append(row.word)
    return Aliases(
        pillars={alias_key(row.alias): row.pillar for row in pillar_rows.rows},
        sections={alias_key(row.alias): row.section for row in section_rows.rows},
        heading_words={role: tuple(words) for role, words in heading_words.items()},
        digest=digest([pillar_rows, section_rows, word_rows]),
    )


def pillar_of(heading: str, level: int, aliases: Aliases) -> str | None:
    """The pillar a heading opens: any alias for a top-level heading, `Pijler …`/`… pijler` at any level."""
    key = alias_key(heading)
    pillar_word = re.compile(
        rf"^(?:{aliases.words_pattern('pillar_word')})\s+|\s+(?:{aliases.words_pattern('pillar_word')})$"
    )
    if level != 1 and not pillar_word.search(key):
        return None
    stripped = pillar_word.sub("", key)
    return aliases.pillars.get(key) or aliases.pillars.get(stripped)


def section_name(heading: str, aliases: Aliases) -> str:
    """`Thema Circulair bouwen: het ondertekenen van …` → `Circulair bouwen`, then the alias table."""
    prefix = re.compile(rf"^(?:{aliases.words_pattern('section_prefix')})\s+", re.I)
    name = prefix.sub("", heading).split(":", 1)[0].strip(" -'\"")
    return aliases.sections.get(alias_key(name), name)


def assign_sections(
    blocks: Sequence[Block], aliases: Aliases, doc_id: str, sources: dict[int, str]
) -> tuple[list[Paragraph], list[str]]:
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
                    warnings.append(
                        f"top-level heading {block.text!r} is not in models/pillars.csv: filed under {GENERAL}"
                    )
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


# --- the whole document -----------------------------------------------------------------------


def structure_report(pdf: PdfDocument, aliases: Aliases, year: int | None = None, doc_id: str | None = None) -> Report:
    """Turn a read PDF into a `Report`: furniture removed, pages classified, paragraphs sectioned.

    `doc_id` is the one the corpus gave the file (unique among its files); the file name's slug by default.
    """
    doc_id = doc_id or doc_id_for(pdf.path)
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
    report_year = (
        year
        if year is not None
        else detect_year(pdf.path.name, pdf.metadata, cover_text, aliases.words_pattern("report_title"))
    )
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
