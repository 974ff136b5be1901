"""Stage 2b: from lines in reading order to clean, sectioned paragraphs.

Finds headings by font size and weight; joins lines into paragraphs (across pages); and walks the
headings to give every paragraph its pillar and section (docs/ANNOTATION.md, "pillar and section").
"""

from __future__ import annotations

import itertools
import logging
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.clean import detect_language, join_lines, normalise_whitespace, repair_ocr_words
from pipeline.config import MODELS_DIR
from pipeline.layout import body_size, is_cover_page, is_furniture, is_toc_page, page_lines, running_keys
from pipeline.records import GENERAL, Block, Line, PageStatus, Paragraph, PdfDocument, Report
from pipeline.resources import (
    HeadingWord,
    PillarAlias,
    PillarWord,
    SectionAlias,
    ThemeFallbackRow,
    ThemeKeywordRow,
    ThemeMapRow,
    ThemeRow,
    digest,
    read_rows,
)
from pipeline.textkeys import NON_WORD_RE, alias_key, doc_id_for, fold, keyword_regex
from pipeline.year import detect_year

log = logging.getLogger(__name__)

PARAGRAPH_GAP_FACTOR = 1.3
HEADING_MIN_EXTRA_SIZE = 1.0
HEADING_MERGE_GAP_FACTOR = 2.6
HEADING_MAX_WORDS = 12
BODY_LINE_ENDINGS = tuple(".,;")
CONTENT_MIN_HITS = 3
CONTENT_MIN_SHARE = 0.5
TERMINAL_PUNCTUATION = tuple(".!?:;'\")")
BULLET_RE = re.compile(r"^[-–•▪●◦«»*]\s")
WORD_TOKEN_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


@dataclass(frozen=True)
class Aliases:
    """What headings mean, from `models/`: heading keys → pillar (with how it was named) and section, the
    words of each pillar, the theme keywords of each pillar (a chapter's content), and the words around
    names in headings and title pages (`models/heading_words.csv`)."""

    pillars: dict[str, str]
    sections: dict[str, str]
    heading_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    digest: str = ""
    pillar_keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    pillar_words: dict[str, str] = field(default_factory=dict)
    pillar_keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def words_pattern(self, role: str) -> str:
        """A regex alternation of the heading words of one role, longest first."""
        return "|".join(re.escape(w) for w in sorted(self.heading_words.get(role, ()), key=len, reverse=True)) or "(?!)"


@dataclass(frozen=True)
class PillarDecision:
    """The pillar a top-level heading opens, how it was told (`heading`, `alias`, `words`, `content`, or
    `none` when it could not be told) and why, in words for the run's notes."""

    pillar: str
    source: str
    reason: str


# --- headings and paragraphs ------------------------------------------------------------------


def is_capitals(text: str) -> bool:
    """A line in capitals (`WONINGMARKT`): at least four letters, none of them lower case."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def is_heading(line: Line, page_body_size: float, body_colour: str = "") -> bool:
    """A heading line: bold and larger than the body text, or a short line set apart from the body in one
    way only — larger, bold, italic, in another colour, or in capitals — that does not end like a sentence."""
    if len(line.text) >= 160 or not any(c.isalpha() for c in line.text):
        return False
    larger = line.size >= page_body_size + HEADING_MIN_EXTRA_SIZE
    if line.bold and larger:
        return True
    short = len(line.text.split()) <= HEADING_MAX_WORDS and not line.text.rstrip().endswith(BODY_LINE_ENDINGS)
    if not short or BULLET_RE.match(line.text) or line.size < page_body_size - 0.5:
        return False
    return (
        larger
        or line.bold
        or line.italic
        or (bool(body_colour) and line.color != body_colour)
        or is_capitals(line.text)
    )


def heading_style(line: Line, body_colour: str) -> tuple[float, bool, bool, bool, bool]:
    """How prominent a heading's look is, most prominent largest: size, weight, capitals, another colour, slant."""
    return (round(line.size * 2) / 2, line.bold, is_capitals(line.text), line.color != body_colour, line.italic)


def numbering(text: str, aliases: Aliases) -> tuple[str, str]:
    """(`chapter`, `sub` or ``, the heading without its number): `2.1 Woningmarkt` → (`sub`, `Woningmarkt`),
    `Hoofdstuk 3 Sociaal`, `III. Sociaal`, `3. Sociaal` → (`chapter`, `Sociaal`)."""
    chapter = re.match(
        rf"^(?:{aliases.words_pattern('chapter_word')})\s+(?:\d+|[IVXLC]+)\b[.:)]?\s*", text, re.IGNORECASE
    )
    if chapter:
        return "chapter_word", text[chapter.end() :].strip(" -–:")
    sub = re.match(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+", text)
    if sub:
        return "sub", text[sub.end() :]
    number = re.match(r"^(?:\d{1,2}|[IVXLC]{1,5})[.)]\s+|^\d{1,2}\s+(?=[^\W\d])", text)
    if number:
        return "chapter", text[number.end() :]
    return "", text


def heading_levels(headings: Sequence[tuple[tuple[float, bool, bool, bool, bool], str]]) -> list[int]:
    """Level 1 (a chapter: pillar or front matter) or 2 (a theme group) for each heading (style, numbering).

    `Hoofdstuk 3` is a chapter; `2.1` a theme group, and then `2.` a chapter; otherwise the most prominent
    heading look of the document is level 1 and every other one level 2 (all level 2 when there is one look).
    """
    styles = sorted({style for style, _ in headings}, reverse=True)
    has_sub = any(kind == "sub" for _, kind in headings)
    levels = []
    for style, kind in headings:
        if kind == "chapter_word" or (kind == "chapter" and has_sub):
            levels.append(1)
        elif kind == "sub":
            levels.append(2)
        else:
            levels.append(1 if len(styles) > 1 and style == styles[0] else 2)
    return levels


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


def body_colour(lines: Iterable[Line]) -> str:
    """The colour of most body characters (a heading may be marked by another colour alone)."""
    colours: Counter[str] = Counter()
    for line in lines:
        colours[line.color] += len(line.text)
    return colours.most_common(1)[0][0] if colours else ""


def build_blocks(pages: Sequence[tuple[int, list[Line]]], vocabulary: set[str], aliases: Aliases) -> list[Block]:
    """Group body lines into paragraphs and heading lines into (merged) headings, across pages.

    A paragraph ends at a heading, a bullet, or a wider-than-usual line gap after a sentence end; a
    paragraph left open at the bottom of a page continues on the next page. Headings get their level
    from their look and numbering, compared over the whole document (`heading_levels`).
    """
    all_lines = [line for _, lines in pages for line in lines]
    colour = body_colour(all_lines)
    blocks: list[Block] = []
    styles: list[tuple[float, bool, bool, bool, bool]] = []
    current: list[Line] = []
    current_kind = ""

    def flush() -> None:
        nonlocal current, current_kind
        if current:
            text = join_lines([line.text for line in current], vocabulary)
            text = repair_ocr_words(text)
            if current_kind == "heading":
                styles.append(heading_style(current[0], colour))
            blocks.append(Block(current_kind, 0, current[0].page, current[-1].page, text))
        current, current_kind = [], ""

    for _, lines in pages:
        page_body = body_size(lines)
        leading = typical_leading([line for line in lines if not is_heading(line, page_body, colour)])
        for line in lines:
            kind = "heading" if is_heading(line, page_body, colour) else "paragraph"
            previous = current[-1] if current else None
            if previous is None or kind != current_kind:
                starts_new = True
            elif kind == "heading":
                starts_new = (
                    heading_style(line, colour) != heading_style(previous, colour)
                    or line.page != previous.page
                    or line.top - previous.top > HEADING_MERGE_GAP_FACTOR * line.size
                    or numbering(line.text, aliases)[0] != ""
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
    headings = [block for block in blocks if block.kind == "heading"]
    levels = iter(heading_levels([(s, numbering(h.text, aliases)[0]) for s, h in zip(styles, headings, strict=True)]))
    return [replace(block, level=next(levels)) if block.kind == "heading" else block for block in blocks]


# --- pillars and sections ---------------------------------------------------------------------


def load_aliases(models_dir: Path = MODELS_DIR) -> Aliases:
    """Pillar and section alias tables (`models/pillars.csv`, `models/sections.csv`), the pillar words,
    the heading words, and the theme keywords of each pillar (`themes.csv`, `theme_keywords.csv`; the
    fallback theme of `theme_fallback.csv` is left out, as it is about the network's own work anywhere)."""
    pillar_rows = read_rows(models_dir / "pillars.csv", PillarAlias)
    section_rows = read_rows(models_dir / "sections.csv", SectionAlias)
    word_rows = read_rows(models_dir / "heading_words.csv", HeadingWord)
    pillar_word_rows = read_rows(models_dir / "pillar_words.csv", PillarWord)
    theme_rows = read_rows(models_dir / "themes.csv", ThemeRow)
    keyword_rows = read_rows(models_dir / "theme_keywords.csv", ThemeKeywordRow)
    map_rows = read_rows(models_dir / "theme_map.csv", ThemeMapRow)
    fallback_rows = read_rows(models_dir / "theme_fallback.csv", ThemeFallbackRow)
    heading_words: dict[str, list[str]] = {}
    for word_row in word_rows.rows:
        heading_words.setdefault(word_row.role, []).append(word_row.word)
    fillers = frozenset(heading_words.get("pillar_filler", ()))
    pillar_keys: dict[str, tuple[str, str]] = {}
    for row in pillar_rows.rows:
        pillar_keys.setdefault(pillar_key(row.alias, fillers), (row.pillar, "alias"))
    for pillar in sorted({row.pillar for row in pillar_rows.rows}):
        pillar_keys[pillar_key(pillar, fillers)] = (pillar, "heading")
    unknown = {row.pillar for row in pillar_word_rows.rows} - {row.pillar for row in pillar_rows.rows}
    if unknown:
        raise ValueError(f"pillar_words.csv names pillars that pillars.csv does not know: {sorted(unknown)}")
    fallback = {row.theme_id for row in fallback_rows.rows}
    theme_pillar = {row.theme_id: row.usual_pillar for row in theme_rows.rows if row.theme_id not in fallback}
    keywords: dict[str, list[str]] = {}
    for theme in theme_rows.rows:
        if theme.theme_id in theme_pillar:
            keywords.setdefault(theme.usual_pillar, []).extend(
                k.strip() for k in theme.scope_nl.split(",") if k.strip()
            )
    for keyword in keyword_rows.rows:
        if keyword.theme_id in theme_pillar:
            keywords.setdefault(theme_pillar[keyword.theme_id], []).append(keyword.keyword)
    sections = {alias_key(row.section): row.section for row in map_rows.rows}
    sections |= {alias_key(row.alias): row.section for row in section_rows.rows}
    return Aliases(
        pillars={alias_key(row.alias): row.pillar for row in pillar_rows.rows},
        sections=sections,
        heading_words={role: tuple(words) for role, words in heading_words.items()},
        digest=digest(
            [pillar_rows, section_rows, word_rows, pillar_word_rows, theme_rows, keyword_rows, map_rows, fallback_rows]
        ),
        pillar_keys=pillar_keys,
        pillar_words={fold(row.word): row.pillar for row in pillar_word_rows.rows},
        pillar_keywords={pillar: tuple(sorted(set(words))) for pillar, words in sorted(keywords.items())},
    )


def heading_tokens(text: str) -> list[str]:
    """A heading's words, folded, without punctuation, `&` or one-letter rests (`thema’s` → `thema`)."""
    return [token for token in NON_WORD_RE.sub(" ", fold(text).replace("&", " ")).split() if len(token) > 1]


def pillar_key(text: str, fillers: frozenset[str]) -> str:
    """A heading compared with pillar names: folded, numbering, punctuation, `&`/`en`, `pijler`/`domein` left
    out, word order ignored, so `2. Werk & Economie` = `Economie en werk` and `Pijler Sociaal` = `Sociaal`."""
    return " ".join(sorted({token for token in heading_tokens(text) if token not in fillers}))


def is_pillar_heading(heading: str, level: int, aliases: Aliases) -> bool:
    """A heading that opens a pillar (or front matter): any top-level heading, a heading with a pillar word
    (`Pijler …`, `… pijler`) at any level, and a heading that is exactly a pillar's name at any level."""
    if level == 1:
        return True
    rest = numbering(heading, aliases)[1]
    if set(heading_tokens(rest)) & set(aliases.heading_words.get("pillar_word", ())):
        return True
    known = aliases.pillar_keys.get(pillar_key(rest, frozenset(aliases.heading_words.get("pillar_filler", ()))))
    return known is not None and known[0] != GENERAL


def is_front_matter(heading: str, aliases: Aliases) -> bool:
    """A heading named as front or back matter in models/pillars.csv (`Colofon`, `Voorwoord`): outside any
    pillar it starts front matter at any level, not a theme group."""
    key = pillar_key(numbering(heading, aliases)[1], frozenset(aliases.heading_words.get("pillar_filler", ())))
    return aliases.pillar_keys.get(key, ("", ""))[0] == GENERAL


def decide_pillar(heading: str, paragraphs: Sequence[str], aliases: Aliases) -> PillarDecision:
    """The pillar of a chapter: its heading compared with the pillar names and aliases, else the heading's
    words (`models/pillar_words.csv`, one pillar only), else what its paragraphs are about (the pillar whose
    themes' keywords they name most, at least `CONTENT_MIN_HITS` times and more than half of all hits)."""
    rest = numbering(heading, aliases)[1]
    fillers = frozenset(aliases.heading_words.get("pillar_filler", ()))
    key = pillar_key(rest, fillers)
    known = aliases.pillar_keys.get(key)
    if known is not None:
        pillar, source = known
        how = "is the pillar's name" if source == "heading" else "is an alias in models/pillars.csv"
        return PillarDecision(pillar, source, f"{key!r} {how}")
    votes = Counter(aliases.pillar_words[t] for t in heading_tokens(rest) if t in aliases.pillar_words)
    if len(votes) == 1:
        pillar = next(iter(votes))
        words = [t for t in heading_tokens(rest) if aliases.pillar_words.get(t) == pillar]
        return PillarDecision(pillar, "words", f"its words {', '.join(words)} (models/pillar_words.csv)")
    text = " ".join(paragraphs).lower()
    hits = Counter(
        {pillar: len(keyword_regex(words).findall(text)) for pillar, words in aliases.pillar_keywords.items()}
    )
    total = sum(hits.values())
    if total:
        (pillar, count), *_ = sorted(hits.items(), key=lambda item: (-item[1], item[0]))
        if count >= CONTENT_MIN_HITS and count > CONTENT_MIN_SHARE * total:
            return PillarDecision(
                pillar, "content", f"{count} of {total} theme keywords in its paragraphs are of {pillar} themes"
            )
    pointed = f" (its words point to {', '.join(sorted(votes))})" if votes else ""
    return PillarDecision(
        GENERAL, "none", f"no pillar name, no single pillar's words{pointed} and no clear theme in its paragraphs"
    )


def section_name(heading: str, aliases: Aliases) -> str:
    """`2.1 Thema Circulair bouwen: het ondertekenen van …` → `Circulair bouwen`, then the alias table;
    a name in capitals that the tables do not know is written with one capital."""
    prefix = re.compile(rf"^(?:{aliases.words_pattern('section_prefix')})\s+", re.I)
    name = prefix.sub("", numbering(heading, aliases)[1]).split(":", 1)[0].strip(" -'\"")
    known = aliases.sections.get(alias_key(name))
    if known is not None:
        return known
    return name.capitalize() if is_capitals(name) else name


def assign_sections(
    blocks: Sequence[Block], aliases: Aliases, doc_id: str, sources: dict[int, str]
) -> tuple[list[Paragraph], list[str], list[str]]:
    """Walk the headings: pillar headings (top-level ones, `Pijler …`) set the pillar, the others the section.

    Returns the paragraphs, the run's notes on each pillar heading (which pillar and why) and the headings
    whose pillar could not be told (their paragraphs filed under `Algemeen`, and said so; a heading with no
    paragraphs of its own, such as a title line, files nothing).
    """
    chapters: dict[int, PillarDecision] = {}
    empty: set[int] = set()
    starts = [i for i, b in enumerate(blocks) if b.kind == "heading" and is_pillar_heading(b.text, b.level, aliases)]
    for start, end in itertools.pairwise([*starts, len(blocks)]):
        texts = [b.text for b in blocks[start + 1 : end] if b.kind == "paragraph"]
        chapters[start] = decide_pillar(blocks[start].text, texts, aliases)
        if not texts:
            empty.add(start)
    pillar, source, section, heading = GENERAL, "none", GENERAL, ""
    paragraphs: list[Paragraph] = []
    notes: list[str] = []
    undecided: list[str] = []
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            if index in chapters:
                decision = chapters[index]
                pillar, source, section = decision.pillar, decision.source, GENERAL
                notes.append(f"heading {block.text!r} (page {block.page}) → {pillar} [{source}]: {decision.reason}")
                if source == "none" and index not in empty:
                    undecided.append(f"{block.text!r} (page {block.page})")
            elif pillar == GENERAL and is_front_matter(block.text, aliases):
                section = GENERAL
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
                pillar_source=source,
            )
        )
    return paragraphs, notes, undecided


def structure_problem(paragraphs: Sequence[Paragraph], undecided: Sequence[str]) -> str:
    """Why the report's structure cannot be told, or `` when it can: no paragraph under any pillar, or
    chapters whose pillar could not be told."""
    if not paragraphs:
        return ""
    if undecided:
        return (
            f"the pillar of {len(undecided)} chapter(s) cannot be told: {', '.join(undecided)}; their paragraphs "
            f"are filed under {GENERAL} (name the pillar of such a heading in models/pillars.csv)"
        )
    if all(p.pillar == GENERAL for p in paragraphs):
        return (
            f"no heading names a pillar, so every paragraph is filed under {GENERAL}: the headings are not "
            "told apart from the text, or the pillars are named in a way models/pillars.csv does not know"
        )
    return ""


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
    blocks = build_blocks(kept, vocabulary, aliases)
    sources = {page.number: page.source for page in pdf.pages}
    paragraphs, notes, undecided = assign_sections(blocks, aliases, doc_id, sources)
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
        warnings=pdf.warnings,
        pillar_notes=notes,
        structure_problem=structure_problem(paragraphs, undecided),
        page_errors=pdf.page_errors,
        language=detect_language(" ".join(p.text for p in paragraphs)),
    )
