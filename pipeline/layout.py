"""Stage 2a: page layout — positioned words to lines in reading order, without page furniture.

Two-column pages are read column by column (the gutter is found from word positions); running headers and
footers are the lines that recur in the page margins of many pages (digits masked); covers and contents
pages are told apart from text pages.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from pipeline.clean import normalise_characters, normalise_whitespace
from pipeline.records import Line, Page, Word

MARGIN_SHARE = 0.12
RUNNING_MIN_PAGES = 3
RUNNING_PAGE_SHARE = 0.25  # headers that alternate between left and right pages are on half of them
GUTTER_MIN_WIDTH = 9.0
# A contents entry: text, then spaces or dotted leaders (`.....`, `· · ·`), then a page number.
TOC_ENTRY_RE = re.compile(r"\S.*?(?:\s|\.{2,}|…)[\s.·…]*\d{1,3}$")


# --- words to lines ---------------------------------------------------------------------------


def find_gutters(words: Sequence[Word], width: float) -> list[float]:
    """The x of each empty vertical band between the page's columns (none for a one-column page).

    A band counts when it is at least `GUTTER_MIN_WIDTH` wide, lies between 15 % and 85 % of the page
    width, and every column it leaves holds a fair share of the words, mostly words with letters.
    """
    if len(words) < 20:
        return []
    lo, hi = int(width * 0.15), int(width * 0.85)
    crossing = [0] * (hi - lo)
    for w in words:
        for x in range(max(lo, int(w.x0)), min(hi, int(w.x1) + 1)):
            crossing[x - lo] += 1
    tolerance = max(1, len(words) // 200)
    bands: list[tuple[int, int]] = []
    start = None
    for i, count in enumerate([*crossing, tolerance + 1]):
        if count <= tolerance and start is None:
            start = i
        elif count > tolerance and start is not None:
            if i - start >= GUTTER_MIN_WIDTH and start > 0 and i < len(crossing):
                bands.append((start, i))
            start = None
    gutters = [lo + (a + b) / 2 for a, b in bands]
    edges = [-1.0, *gutters, width + 1]
    columns = [[w for w in words if left < w.x0 and w.x1 < right] for left, right in itertools.pairwise(edges)]
    share = 0.2 if len(columns) <= 2 else 0.1
    for column in columns:
        wordy = sum(1 for w in column if any(c.isalpha() for c in w.text))
        if len(column) < share * len(words) or wordy < 0.6 * len(column):
            return []
    return gutters


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
    """The words of a page (or column) as lines, top to bottom."""
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
        color=Counter(w.color for w in words for _ in w.text).most_common(1)[0][0],
        italic=all(w.italic for w in words),
    )


def page_lines(page: Page) -> list[Line]:
    """Lines of a page in reading order: full-width lines in place, columns left to right between them."""
    gutters = find_gutters(page.words, page.width)
    if not gutters:
        return group_lines(page.words, page.number)
    edges = [float("-inf"), *gutters, float("inf")]
    ordered: list[Line] = []
    columns: list[list[Word]] = [[] for _ in range(len(gutters) + 1)]

    def flush() -> None:
        for column in columns:
            ordered.extend(group_lines(column, page.number))
            column.clear()

    for row in baseline_rows(page.words):
        if any(w.x0 < gutter < w.x1 for w in row for gutter in gutters):
            flush()
            ordered.append(_make_line(row, page.number))
        else:
            for w in row:
                index = next(i for i, (a, b) in enumerate(itertools.pairwise(edges)) if a <= w.x0 < b)
                columns[index].append(w)
    flush()
    return ordered


# --- page furniture ---------------------------------------------------------------------------


def furniture_key(line: Line) -> str:
    """A line's text with digits masked, so `pagina 3` and `pagina 4` are the same running footer."""
    return re.sub(r"\d+", "#", line.text.casefold())


def in_margin(line: Line, height: float) -> bool:
    """True for a line in the top or bottom margin band of its page."""
    return line.bottom < height * MARGIN_SHARE or line.top > height * (1 - MARGIN_SHARE)


def running_keys(pages: Sequence[tuple[Page, list[Line]]]) -> set[str]:
    """Texts (digits masked) that recur in the top or bottom margin of many pages: headers, footers."""
    seen: Counter[str] = Counter()
    for page, lines in pages:
        seen.update({furniture_key(line) for line in lines if in_margin(line, page.height)})
    threshold = max(RUNNING_MIN_PAGES, RUNNING_PAGE_SHARE * len(pages))
    return {key for key, count in seen.items() if count >= threshold}


def is_furniture(line: Line, height: float, keys: set[str]) -> bool:
    """A running header or footer, or a bare page number, in the margin."""
    if not in_margin(line, height):
        return False
    return furniture_key(line) in keys or re.fullmatch(r"[\W\d]*\d[\W\d]*", line.text) is not None


def is_toc_page(lines: Sequence[Line]) -> bool:
    """A contents page: most lines end in a page number."""
    entries = sum(1 for line in lines if TOC_ENTRY_RE.fullmatch(line.text))
    return entries >= 3 and entries >= 0.6 * len(lines)


def is_cover_page(number: int, lines: Sequence[Line], body_size: float) -> bool:
    """The first page with few words and a large title."""
    words = sum(len(line.text.split()) for line in lines)
    return number == 1 and words < 80 and any(line.size >= 1.5 * body_size for line in lines)


def body_size(lines: Iterable[Line]) -> float:
    """The most common font size, weighted by characters: the body text of a page or document."""
    sizes: Counter[float] = Counter()
    for line in lines:
        if not line.bold:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0
