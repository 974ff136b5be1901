"""Stage: the HTML report — one file that opens offline, for reviewing and presenting the tables.

Charts are matplotlib figures rendered to SVG at build time and inlined (no scripts or styles from
elsewhere). Every number can be followed to what it counts: a chart segment links to the paragraphs of
its pillar and theme, an entity expands into its mention sentences, a lobbying act shows its sentence.
The output depends only on the tables, so a rerun gives the same bytes.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import matplotlib
import pandas as pd
from jinja2 import Environment, PackageLoader, Template
from markupsafe import Markup, escape
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.typing import RcKeyType

from pipeline.schema import TABLES, Vocabularies
from pipeline.textkeys import slug

ENTITY_LISTS = {"organisation": "Organisaties", "law": "Wetten", "policy": "Beleidsdossiers"}
CHANGED_ENTITIES = {"organisation": "Organisaties", "law": "Wetten"}
PAGE_STATUS_NL = {
    "cover": "omslag",
    "toc": "inhoudsopgave",
    "blank": "leeg",
    "ocr_unavailable": "geen tekstlaag en geen OCR",
    "unreadable": "onleesbaar",
}
TOP_SHIFTS = 5
TOP_TARGETS = 12
TOP_FINDINGS = 3
SEGMENT_LABEL_MIN_SHARE = 0.06
# Charts are drawn twice: wide for screens and print, narrow (larger type relative to the width) for phones.
WIDE, NARROW = 9.5, 4.4
UP_COLOUR, DOWN_COLOUR = "#1f6fb4", "#d2691e"
CHART_STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
}


@dataclass(frozen=True)
class Act:
    """A lobbying act as the report shows it."""

    instrument: str
    target: str
    subject: str
    sentence: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph as the report shows it, with its acts."""

    paragraph_id: str
    page: int
    heading: str
    section: str
    n_words: int
    text: str
    acts: list[Act]


@dataclass(frozen=True)
class Sentence:
    """A sentence with the counted mention marked: `before`, `marked`, `after`."""

    paragraph_id: str
    page: int
    before: str
    marked: str
    after: str


@dataclass(frozen=True)
class ThemeRow:
    """One theme of a pillar's mix, with the paragraphs behind it."""

    anchor: str
    label: str
    colour: str
    share: float
    paragraphs: int
    words: int
    lobby_actions: int
    evidence: list[Paragraph]


@dataclass(frozen=True)
class EntityRow:
    """One entity of a pillar's top list, with its mention sentences."""

    anchor: str
    name: str
    sentences: list[Sentence]


@dataclass(frozen=True)
class PillarView:
    """A pillar's themes and entities in one year."""

    name: str
    anchor: str
    themes: list[ThemeRow]
    entities: dict[str, list[EntityRow]]


@dataclass(frozen=True)
class LobbyRow:
    """One row of the lobbying-acts table."""

    instrument: str
    target: str
    subject: str
    theme: str
    sentence: str
    page: int
    paragraph_id: str


@dataclass(frozen=True)
class LobbyGroup:
    """A pillar's lobbying acts, shown as one collapsible table."""

    pillar: str
    anchor: str
    instruments: list[tuple[str, int]]
    rows: list[LobbyRow]


@dataclass(frozen=True)
class Chart:
    """One chart in two renditions: `wide` for screens and print, `narrow` for phones."""

    wide: Markup
    narrow: Markup


@dataclass(frozen=True)
class YearView:
    """Everything the report shows of one year."""

    year: int
    chart: Chart | None
    lobby_chart: Chart | None
    target_chart: Chart | None
    pillars: list[PillarView]
    lobby: list[LobbyGroup]

    @property
    def n_acts(self) -> int:
        """Lobbying acts of the year."""
        return sum(len(group.rows) for group in self.lobby)


@dataclass(frozen=True)
class PillarFinding:
    """What stands out in one pillar: its leading themes, who it lobbied, the laws and dossiers it names."""

    pillar: str
    anchor: str
    themes: list[tuple[str, float]]
    targets: list[tuple[str, int]]
    laws: list[str]
    policies: list[str]
    acts: int


@dataclass(frozen=True)
class Findings:
    """The key findings at the top of the report, written from the tables of the latest year."""

    year: int
    acts: int
    instruments: list[tuple[str, int]]
    targets: list[tuple[str, int]]
    pillars: list[PillarFinding]
    shifts: list[str]
    shifts_from: int | None


@dataclass(frozen=True)
class Method:
    """How the figures were made and how reliable they are: the spaCy pipeline of the run (run.json) and
    the scores of `make evaluate` (evaluation.csv), when there are any."""

    spacy: Mapping[str, Any]
    evaluation: pd.DataFrame | None = None


@dataclass(frozen=True)
class EntityChanges:
    """Entities new in or gone from a pillar between two years."""

    pillar: str
    label: str
    new: list[EntityRow]
    dropped: list[EntityRow]


@dataclass(frozen=True)
class ComparisonView:
    """The comparison of two years."""

    year_from: int
    year_to: int
    chart: Chart | None
    changes: list[EntityChanges]


def percent(share: float) -> str:
    """Dutch notation: `17,8 %` (a no-break space, so the sign never wraps onto a line of its own)."""
    return f"{share * 100:.1f}\u00a0%".replace(".", ",")


def points(delta: float) -> str:
    """A change of share in percentage points, signed, Dutch notation."""
    return f"{delta * 100:+.1f}\u00a0%-punt".replace(".", ",")


def as_share(value: Any) -> float:
    """A comparison value, empty where the theme was absent that year."""
    return 0.0 if value is None or value == "" or pd.isna(value) else float(value)


def page_list(pages: Iterable[int]) -> str:
    """`p. 3, 5–7`: the pages to look up in the PDF."""
    numbers = sorted(set(pages))
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ("p. " + ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)) if runs else ""


def theme_colours(vocab: Vocabularies) -> dict[str, str]:
    """One fixed colour per theme across years and charts: tab20's strong shades first, then the light ones."""
    palette = matplotlib.colormaps["tab20"]
    ordered = [palette(i) for i in (*range(0, 20, 2), *range(1, 20, 2))]
    return {theme: to_hex(ordered[i % len(ordered)]) for i, theme in enumerate(vocab.themes)}


def ink_on(colour: str) -> str:
    """Black or white text, whichever reads better on `colour`."""
    red, green, blue = to_rgb(colour)
    return "#000000" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.55 else "#ffffff"


def theme_anchor(year: int, pillar: str, theme: str) -> str:
    """The HTML id of a theme's paragraph list."""
    return f"thema-{year}-{slug(pillar)}-{theme}"


def frame(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """A table with empty text cells as `""` (the CSVs leave them empty), or an empty one when absent."""
    table = tables.get(name)
    if table is None:
        return pd.DataFrame(columns=TABLES[name])
    table = table.copy()
    for column in table.columns:
        if not pd.api.types.is_numeric_dtype(table[column]):
            table[column] = table[column].astype(object).where(table[column].notna(), "")
    return table


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with missing values as None."""
    return [{str(k): v for k, v in row.items()} for row in table.to_dict("records")]


def ordered_pillars(present: Iterable[str], vocab: Vocabularies) -> list[str]:
    """The pillars present, in the report's reading order."""
    names = set(present)
    return [p for p in vocab.pillars if p in names] + sorted(names - set(vocab.pillars))


def inline_svg(figure: Figure, prefix: str, titles: Mapping[str, str]) -> Markup:
    """Render a figure to SVG for inlining: no prolog or metadata, ids prefixed so several charts can share
    a page, links in the same tab, and a hover `<title>` on each element whose gid is in `titles`."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": prefix, **CHART_STYLE}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S).replace(' target="_blank"', "")
    ids = set(re.findall(r' id="([^"]+)"', svg))
    svg = re.sub(
        r'(url\(#|xlink:href="#)([^)"]+)',
        lambda m: m.group(1) + (f"{prefix}-{m.group(2)}" if m.group(2) in ids else m.group(2)),
        svg,
    )
    svg = re.sub(r' id="([^"]+)"', lambda m: f' id="{prefix}-{m.group(1)}"', svg)
    for gid, title in titles.items():
        svg = svg.replace(f'<g id="{prefix}-{gid}">', f'<g id="{prefix}-{gid}"><title>{escape(title)}</title>', 1)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


def both_widths(draw: Callable[[float, str], Markup]) -> Chart:
    """Draw a chart wide and narrow; `draw(width_inches, tag)` uses `tag` in its ids so both can share the page."""
    return Chart(draw(WIDE, "w"), draw(NARROW, "n"))


def fit(label: str, width: float, characters: int) -> str:
    """A label as is on a wide chart; on a narrow one wrapped onto lines of about `characters`, so the chart
    keeps its width and its type size."""
    return label if width >= WIDE else textwrap.fill(label, characters, break_long_words=False)


def legend_rows(count: int, width: float) -> tuple[int, int]:
    """Legend columns and rows for `count` entries: three columns on a wide chart, one on a narrow one."""
    columns = 3 if width >= WIDE else 1
    return columns, -(-count // columns)


def theme_mix_chart(
    year: int, focus: pd.DataFrame, pillars: list[str], vocab: Vocabularies, colours: Mapping[str, str]
) -> Chart:
    """Stacked bars: per pillar the share of its words per theme; each segment links to its paragraphs."""
    shown = [t for t in vocab.themes if t in set(focus["theme"])]

    def draw(width: float, tag: str) -> Markup:
        prefix = f"mix-{year}-{tag}"
        titles: dict[str, str] = {}
        columns, rows_of_legend = legend_rows(len(shown), width)
        with matplotlib.rc_context(CHART_STYLE):
            figure = Figure(figsize=(width, 0.6 * len(pillars) + 0.9 + 0.25 * rows_of_legend), layout="constrained")
            axes = figure.add_subplot()
            for row_number, pillar in enumerate(pillars):
                rows = focus[focus["pillar"] == pillar]
                shares = {str(t): float(v) for t, v in zip(rows["theme"], rows["share"], strict=True)}
                left = 0.0
                for theme in [t for t in vocab.themes if t in shares] + sorted(set(shares) - set(vocab.themes)):
                    share = shares[theme]
                    colour = colours.get(theme, "#999999")
                    bar = axes.barh(
                        row_number,
                        share * 100,
                        left=left * 100,
                        color=colour,
                        edgecolor="white",
                        linewidth=0.8,
                        height=0.7,
                    )[0]
                    gid = f"seg-{row_number}-{theme}"
                    bar.set_url("#" + theme_anchor(year, pillar, theme))
                    bar.set_gid(gid)
                    titles[gid] = (
                        f"{pillar} · {vocab.themes.get(theme, theme)}: {percent(share)} (klik voor de alinea's)"
                    )
                    if share >= SEGMENT_LABEL_MIN_SHARE * (WIDE / width):
                        axes.text(
                            (left + share / 2) * 100,
                            row_number,
                            f"{share * 100:.0f}%",
                            ha="center",
                            va="center",
                            fontsize=8.5,
                            color=ink_on(colour),
                        )
                    left += share
            axes.set_yticks(range(len(pillars)), pillars)
            axes.invert_yaxis()
            axes.set_xlim(0, 100)
            axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0f} %"))
            axes.set_xlabel("aandeel in de woorden van de pijler")
            handles = [Patch(facecolor=colours[t], label=fit(vocab.themes[t], width, 30)) for t in shown]
            figure.legend(handles=handles, loc="outside lower center", ncol=columns, frameon=False, fontsize=9)
        return inline_svg(figure, prefix, titles)

    return both_widths(draw)


def instrument_colours(vocab: Vocabularies) -> dict[str, str]:
    """One fixed colour per lobbying instrument (tab10), in the order of `models/patterns/lobby.jsonl`."""
    palette = matplotlib.colormaps["tab10"]
    return {instrument: to_hex(palette(i % 10)) for i, instrument in enumerate(vocab.instruments)}


def lobby_anchor(year: int, pillar: str) -> str:
    """The HTML id of a pillar's table of lobbying acts."""
    return f"lobby-{year}-{slug(pillar)}"


def lobby_mix_chart(year: int, acts: pd.DataFrame, pillars: list[str], vocab: Vocabularies) -> Chart:
    """Stacked bars: per pillar its lobbying acts by instrument; each segment opens the pillar's acts."""
    colours = instrument_colours(vocab)
    counts = acts.groupby(["pillar", "instrument"]).size()
    shown = [i for i in vocab.instruments if i in set(acts["instrument"])] + sorted(
        set(acts["instrument"]) - set(vocab.instruments)
    )
    rows = [p for p in pillars if p in set(acts["pillar"])]

    def draw(width: float, tag: str) -> Markup:
        prefix = f"acts-{year}-{tag}"
        titles: dict[str, str] = {}
        columns, rows_of_legend = legend_rows(len(shown), width)
        with matplotlib.rc_context(CHART_STYLE):
            figure = Figure(figsize=(width, 0.55 * len(rows) + 0.9 + 0.25 * rows_of_legend), layout="constrained")
            axes = figure.add_subplot()
            widest = max(int(counts.groupby(level=0).sum().max()), 1)
            for row_number, pillar in enumerate(rows):
                left = 0
                for instrument in shown:
                    count = int(counts.get((pillar, instrument), 0))
                    if not count:
                        continue
                    colour = colours.get(instrument, "#999999")
                    bar = axes.barh(
                        row_number, count, left=left, color=colour, edgecolor="white", linewidth=0.8, height=0.7
                    )[0]
                    gid = f"seg-{row_number}-{slug(instrument)}"
                    bar.set_url("#" + lobby_anchor(year, pillar))
                    bar.set_gid(gid)
                    titles[gid] = f"{pillar} · {instrument}: {count} lobbyactie{'s' if count != 1 else ''}"
                    if count / widest >= 0.07 * (WIDE / width):
                        axes.text(
                            left + count / 2,
                            row_number,
                            str(count),
                            ha="center",
                            va="center",
                            fontsize=8.5,
                            color=ink_on(colour),
                        )
                    left += count
                axes.text(left, row_number, f" {left}", ha="left", va="center", fontsize=9)
            axes.set_yticks(range(len(rows)), rows)
            axes.invert_yaxis()
            axes.set_xlim(0, widest * 1.12)
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            axes.set_xlabel("aantal lobbyacties (zinnen)")
            handles = [Patch(facecolor=colours.get(i, "#999999"), label=i) for i in shown]
            figure.legend(handles=handles, loc="outside lower center", ncol=columns, frameon=False, fontsize=9)
        return inline_svg(figure, prefix, titles)

    return both_widths(draw)


def pillar_colours(pillars: list[str]) -> dict[str, str]:
    """One colour per pillar (Set2), in reading order."""
    palette = matplotlib.colormaps["Set2"]
    return {pillar: to_hex(palette(i % 8)) for i, pillar in enumerate(pillars)}


def target_chart(year: int, acts: pd.DataFrame, pillars: list[str]) -> Chart | None:
    """The organisations lobbied most (acts addressed to them), each bar split by pillar; a segment opens
    the pillar's acts."""
    named = acts[acts["target"] != ""]
    if named.empty:
        return None
    totals = named.groupby("target").size().reset_index(name="n")
    top = totals.sort_values(["n", "target"], ascending=[False, True], kind="mergesort").head(TOP_TARGETS)
    names = [str(t) for t in top["target"]]
    counts = named.groupby(["target", "pillar"]).size()
    present = [p for p in pillars if p in set(named["pillar"])]
    colours = pillar_colours(pillars)

    def draw(width: float, tag: str) -> Markup:
        prefix = f"targets-{year}-{tag}"
        titles: dict[str, str] = {}
        columns, rows_of_legend = legend_rows(len(present), width)
        labels = [fit(name, width, 20) for name in names]
        lines = sum(label.count("\n") + 1 for label in labels)
        with matplotlib.rc_context(CHART_STYLE):
            figure = Figure(
                figsize=(width, 0.19 * lines + 0.12 * len(names) + 0.9 + 0.25 * rows_of_legend), layout="constrained"
            )
            axes = figure.add_subplot()
            for row_number, name in enumerate(names):
                left = 0
                for pillar in present:
                    count = int(counts.get((name, pillar), 0))
                    if not count:
                        continue
                    bar = axes.barh(
                        row_number,
                        count,
                        left=left,
                        color=colours[pillar],
                        edgecolor="white",
                        linewidth=0.8,
                        height=0.7,
                    )[0]
                    gid = f"bar-{row_number}-{slug(pillar)}"
                    bar.set_url("#" + lobby_anchor(year, pillar))
                    bar.set_gid(gid)
                    titles[gid] = f"{name} · {pillar}: {count} lobbyactie{'s' if count != 1 else ''}"
                    left += count
                axes.text(left, row_number, f" {left}", ha="left", va="center", fontsize=9)
            axes.set_yticks(range(len(names)), labels)
            axes.invert_yaxis()
            axes.set_xlim(0, int(top["n"].max()) * 1.15)
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            axes.set_xlabel("aantal lobbyacties gericht aan de organisatie")
            handles = [Patch(facecolor=colours[p], label=p) for p in present]
            figure.legend(handles=handles, loc="outside lower center", ncol=columns, frameon=False, fontsize=9)
        return inline_svg(figure, prefix, titles)

    return both_widths(draw)


def shift_chart(year_from: int, year_to: int, shifts: Mapping[str, pd.DataFrame], vocab: Vocabularies) -> Chart:
    """Per pillar the themes whose share moved most; each bar links to the paragraphs of the later year
    (of the earlier one for a theme that disappeared)."""

    def draw(width: float, tag: str) -> Markup:
        prefix = f"shift-{year_from}-{year_to}-{tag}"
        titles: dict[str, str] = {}
        with matplotlib.rc_context(CHART_STYLE):
            figure = Figure(
                figsize=(width, 0.3 * sum(len(rows) for rows in shifts.values()) + 0.7 * len(shifts) + 0.6),
                layout="constrained",
            )
            grid = figure.subplots(
                len(shifts),
                1,
                sharex=True,
                squeeze=False,
                height_ratios=[max(len(rows), 1) + 1 for rows in shifts.values()],
            )
            limit = max(float(rows["delta"].abs().max()) for rows in shifts.values()) * 100 * 1.25 + 2
            for axes, (pillar, rows) in zip(grid[:, 0], shifts.items(), strict=True):
                labels = [fit(vocab.themes.get(t, t), width, 20) for t in rows["key"]]
                bars = axes.barh(
                    range(len(rows)),
                    rows["delta"] * 100,
                    color=[UP_COLOUR if d > 0 else DOWN_COLOUR for d in rows["delta"]],
                    height=0.65,
                )
                for number, (bar, row) in enumerate(zip(bars, records(rows), strict=True)):
                    year = year_from if row["change"] == "dropped" else year_to
                    theme, delta = str(row["key"]), float(row["delta"])
                    gid = f"bar-{slug(pillar)}-{number}"
                    bar.set_url("#" + theme_anchor(year, pillar, theme))
                    bar.set_gid(gid)
                    titles[gid] = (
                        f"{pillar} · {vocab.themes.get(theme, theme)}: {percent(as_share(row['value_from']))}"
                        f" → {percent(as_share(row['value_to']))} ({points(delta)})"
                    )
                    axes.text(
                        delta * 100,
                        number,
                        f" {delta * 100:+.1f} ".replace(".", ","),
                        ha="left" if delta > 0 else "right",
                        va="center",
                        fontsize=8.5,
                    )
                axes.set_yticks(range(len(rows)), labels)
                axes.invert_yaxis()
                axes.axvline(0, color="#444444", linewidth=0.8)
                axes.set_title(pillar, loc="left")
                axes.set_xlim(-limit, limit)
            grid[-1, 0].xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:+.0f}".replace("+0", "0")))
            grid[-1, 0].set_xlabel(
                f"verschil in aandeel van de woorden van de pijler, in procentpunten ({year_from} → {year_to})"
                if width >= WIDE
                else f"verschil in procentpunten ({year_from} → {year_to})"
            )
        return inline_svg(figure, prefix, titles)

    return both_widths(draw)


def mention_sentences(mentions: pd.DataFrame, texts: Mapping[str, str]) -> list[Sentence]:
    """Each mention as its sentence with the mention marked (found by offset, else by its first occurrence)."""
    sentences = []
    for row in records(mentions):
        sentence, surface, paragraph_id = str(row["sentence"]), str(row["surface"]), str(row["paragraph_id"])
        sentence_start = texts.get(paragraph_id, "").find(sentence)
        start = int(row["start_char"]) - sentence_start if sentence_start >= 0 else -1
        if not (0 <= start and sentence[start : start + len(surface)] == surface):
            start = sentence.find(surface)
        if start < 0:
            sentences.append(Sentence(paragraph_id, int(row["page"]), sentence, "", ""))
        else:
            end = start + len(surface)
            sentences.append(
                Sentence(paragraph_id, int(row["page"]), sentence[:start], sentence[start:end], sentence[end:])
            )
    return sentences


class Evidence:
    """Look-ups from a count to the rows behind it, grouped once, so a report of many years costs each row once."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        self.paragraphs = frame(tables, "paragraphs")
        self.mentions = frame(tables, "mentions")
        self.lobby = frame(tables, "lobby_actions")
        self.texts = dict(zip(self.paragraphs["paragraph_id"], self.paragraphs["text"], strict=True))
        self.pages = {
            str(k): int(v) for k, v in zip(self.paragraphs["paragraph_id"], self.paragraphs["page"], strict=True)
        }
        self.acts_by_paragraph: dict[str, list[Act]] = {}
        for r in records(self.lobby):
            self.acts_by_paragraph.setdefault(r["paragraph_id"], []).append(
                Act(r["instrument"], r["target"], r["subject"], r["sentence"])
            )
        self.paragraph_groups = grouped(self.paragraphs, ["year", "pillar", "theme"])
        self.mention_groups = grouped(self.mentions, ["year", "pillar", "entity_type"])

    def acts(self, paragraph_id: str) -> list[Act]:
        """The lobbying acts of a paragraph."""
        return self.acts_by_paragraph.get(paragraph_id, [])

    def theme_paragraphs(self, year: int, pillar: str, theme: str) -> list[Paragraph]:
        """The paragraphs of a pillar with a theme in a year."""
        rows = self.paragraph_groups.get((year, pillar, theme))
        return [
            Paragraph(
                r["paragraph_id"],
                int(r["page"]),
                r["heading"],
                r["section"],
                int(r["n_words"]),
                r["text"],
                self.acts(r["paragraph_id"]),
            )
            for r in (records(rows) if rows is not None else [])
        ]

    def entity_sentences(self, year: int, pillar: str, entity_type: str, name: str) -> list[Sentence]:
        """The sentences that mention an entity, with the name marked."""
        m = self.mention_groups.get((year, pillar, entity_type))
        if m is None:
            return []
        return mention_sentences(m[(m["canonical"] == name) | (m["entity_id"] == name)], self.texts)


def grouped(table: pd.DataFrame, keys: list[str]) -> dict[tuple[Any, ...], pd.DataFrame]:
    """The rows of `table` per value of `keys`, split once (a year looks up as a plain int)."""
    if table.empty:
        return {}
    return {tuple(key): rows for key, rows in table.groupby(keys, sort=False)}


def year_view(
    year: int, tables: Mapping[str, pd.DataFrame], evidence: Evidence, vocab: Vocabularies, colours: Mapping[str, str]
) -> YearView:
    """One year's pillars, charts and lobbying acts."""
    focus = frame(tables, "focus")
    focus = focus[focus["year"] == year]
    ranked = frame(tables, "pillar_entities")
    ranked = ranked[ranked["year"] == year]
    pillars = ordered_pillars(focus["pillar"], vocab)
    views = []
    for pillar in pillars:
        rows = focus[focus["pillar"] == pillar].sort_values(
            ["share", "theme"], ascending=[False, True], kind="mergesort"
        )
        themes = [
            ThemeRow(
                theme_anchor(year, pillar, r["theme"]),
                vocab.themes.get(r["theme"], r["theme"]),
                colours.get(r["theme"], "#999999"),
                float(r["share"]),
                int(r["paragraphs"]),
                int(r["words"]),
                int(r["lobby_actions"]),
                evidence.theme_paragraphs(year, pillar, r["theme"]),
            )
            for r in records(rows)
        ]
        entities = {}
        for entity_type, label in ENTITY_LISTS.items():
            top = ranked[(ranked["pillar"] == pillar) & (ranked["entity_type"] == entity_type)].sort_values(
                "rank", kind="mergesort"
            )
            entities[label] = [
                EntityRow(
                    f"ent-{year}-{slug(pillar)}-{entity_type}-{int(r['rank'])}",
                    r["canonical"],
                    evidence.entity_sentences(year, pillar, entity_type, r["canonical"]),
                )
                for r in records(top)
            ]
        views.append(PillarView(pillar, f"pijler-{year}-{slug(pillar)}", themes, entities))
    acts = evidence.lobby[evidence.lobby["year"] == year]
    groups = []
    for pillar in ordered_pillars(acts["pillar"], vocab):
        rows = acts[acts["pillar"] == pillar].sort_values("paragraph_id", kind="mergesort")
        groups.append(
            LobbyGroup(
                pillar,
                lobby_anchor(year, pillar),
                ranked_counts(rows["instrument"]),
                [
                    LobbyRow(
                        r["instrument"],
                        r["target"],
                        r["subject"],
                        vocab.themes.get(r["theme"], r["theme"]),
                        r["sentence"],
                        evidence.pages.get(r["paragraph_id"], 0),
                        r["paragraph_id"],
                    )
                    for r in records(rows)
                ],
            )
        )
    order = ordered_pillars([*focus["pillar"], *acts["pillar"]], vocab)
    return YearView(
        year,
        theme_mix_chart(year, focus, pillars, vocab, colours) if not focus.empty else None,
        lobby_mix_chart(year, acts, order, vocab) if not acts.empty else None,
        target_chart(year, acts, order),
        views,
        groups,
    )


def ranked_counts(values: Iterable[Any], top: int | None = None) -> list[tuple[str, int]]:
    """Distinct non-empty values with their counts, most frequent first (ties by name)."""
    counts: dict[str, int] = {}
    for value in values:
        if value is not None and str(value) != "":
            counts[str(value)] = counts.get(str(value), 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


def key_findings(year: YearView, tables: Mapping[str, pd.DataFrame], vocab: Vocabularies) -> Findings:
    """The findings at the top, from the tables of the latest year: per pillar its leading themes, the
    organisations its acts went to and the laws and dossiers it names most; across pillars the instruments
    and organisations; with an earlier year, the biggest theme shifts since."""
    acts = frame(tables, "lobby_actions")
    acts = acts[acts["year"] == year.year]
    ranked = frame(tables, "pillar_entities")
    ranked = ranked[ranked["year"] == year.year].sort_values("rank", kind="mergesort")
    pillars = []
    for view in year.pillars:
        own = acts[acts["pillar"] == view.name]
        named = ranked[ranked["pillar"] == view.name]
        pillars.append(
            PillarFinding(
                view.name,
                view.anchor,
                [(t.label, t.share) for t in view.themes[:2]],
                ranked_counts(own["target"], TOP_FINDINGS),
                [str(n) for n in named[named["entity_type"] == "law"]["canonical"].head(2)],
                [str(n) for n in named[named["entity_type"] == "policy"]["canonical"].head(2)],
                len(own),
            )
        )
    comparison = frame(tables, "comparison")
    shifts: list[str] = []
    shifts_from = None
    if not comparison.empty:
        pairs = comparison[(comparison["year_to"] == year.year) & (comparison["dimension"] == "theme")]
        if not pairs.empty:
            shifts_from = int(pairs["year_from"].max())
            rows = pairs[pairs["year_from"] == shifts_from].assign(size=lambda f: f["delta"].astype(float).abs())
            rows = rows[rows["size"] > 0].sort_values(["size", "pillar", "key"], ascending=[False, True, True])
            shifts = [
                f"{r['pillar']}: {vocab.themes.get(r['key'], r['key'])} {points(float(r['delta']) / 100)}"
                f" ({percent(as_share(r['value_from']) / 100)} → {percent(as_share(r['value_to']) / 100)})"
                for r in records(rows.head(TOP_SHIFTS))
            ]
    return Findings(
        year.year,
        len(acts),
        ranked_counts(acts["instrument"]),
        ranked_counts(acts["target"], TOP_FINDINGS + 2),
        pillars,
        shifts,
        shifts_from,
    )


ENTITY_SCORES_NL = {"organisation": "organisaties", "place": "plaatsen", "law": "wetten", "policy": "beleidsdossiers"}


def measured_accuracy(evaluation: pd.DataFrame | None) -> list[str]:
    """The scores of `make evaluate` in a few Dutch sentences: entities on the independent development texts
    that were never read while the rules were written (dev-frozen; else the 2023 report), themes on held-out
    sections, lobbying acts on the hand-marked 2023 report."""
    if evaluation is None or evaluation.empty:
        return []

    def score(dataset: str, task: str, scope: str, label: str, metric: str) -> float | None:
        e = evaluation
        hit = e[
            (e["dataset"] == dataset)
            & (e["task"] == task)
            & (e["scope"] == scope)
            & (e["label"].fillna("") == label)
            & (e["metric"] == metric)
            & (e["pillar"].fillna("") == "")
        ]
        return float(hit["value"].iloc[0]) if len(hit) else None

    def number(value: float) -> str:
        return f"{value:.2f}".replace(".", ",")

    lines = []
    for dataset, scope, what in (
        ("dev-frozen", "micro", "op onafhankelijke teksten die niet zijn ingezien bij het schrijven van de regels"),
        ("report-2023", "document", "op het jaarverslag 2023 (met de hand nagelopen)"),
    ):
        f1 = {t: score(dataset, "entities", scope, t, "f1") for t in ENTITY_SCORES_NL}
        if any(v is not None for v in f1.values()):
            parts = [f"{ENTITY_SCORES_NL[t]} {number(v)}" for t, v in f1.items() if v is not None]
            lines.append(f"Entiteiten {what}, F1: {', '.join(parts)}.")
            break
    accuracy = score("report-2023", "theme", "held_out_sections", "", "accuracy")
    if accuracy is not None:
        lines.append(f"Thema's: {number(accuracy)} juist op secties die bij het trainen werden weggelaten.")
    precision, recall = (score("report-2023", "lobby", "detection", "", m) for m in ("precision", "recall"))
    if precision is not None and recall is not None:
        lines.append(
            f"Lobbyacties in het jaarverslag 2023: precisie {number(precision)}, recall {number(recall)} "
            "(aandeel van de gevonden zinnen dat klopt, en van de echte lobbyzinnen dat gevonden is)."
        )
    return lines


def comparison_views(comparison: pd.DataFrame, evidence: Evidence, vocab: Vocabularies) -> list[ComparisonView]:
    """Per pair of years: the biggest theme shifts per pillar, and the laws and organisations that came or went."""
    views = []
    for year_from, year_to in sorted(
        {(int(a), int(b)) for a, b in zip(comparison["year_from"], comparison["year_to"], strict=True)}
    ):
        pair = comparison[(comparison["year_from"] == year_from) & (comparison["year_to"] == year_to)]
        themes = pair[(pair["dimension"] == "theme") & (pair["delta"].astype(float) != 0)]
        themes = themes.assign(
            **{column: themes[column].astype(float) / 100 for column in ("value_from", "value_to", "delta")}
        )
        shifts = {}
        for pillar in ordered_pillars(themes["pillar"], vocab):
            rows = themes[themes["pillar"] == pillar]
            rows = rows.assign(size=rows["delta"].astype(float).abs()).sort_values(
                ["size", "key"], ascending=[False, True], kind="mergesort"
            )
            shifts[pillar] = rows.head(TOP_SHIFTS)
        chart = shift_chart(year_from, year_to, shifts, vocab) if shifts else None
        changes = []
        entities = pair[pair["dimension"].isin(list(CHANGED_ENTITIES)) & pair["change"].isin(["new", "dropped"])]
        for pillar in ordered_pillars(entities["pillar"], vocab):
            for entity_type, label in CHANGED_ENTITIES.items():
                rows = entities[(entities["pillar"] == pillar) & (entities["dimension"] == entity_type)]
                lists: dict[str, list[EntityRow]] = {}
                for change, year, count in (("new", year_to, "count_to"), ("dropped", year_from, "count_from")):
                    chosen = rows[rows["change"] == change].sort_values(
                        [count, "key"], ascending=[False, True], kind="mergesort"
                    )
                    lists[change] = [
                        EntityRow(
                            f"{change}-{year_from}-{year_to}-{slug(pillar)}-{entity_type}-{n}",
                            str(key),
                            evidence.entity_sentences(year, pillar, entity_type, str(key)),
                        )
                        for n, key in enumerate(chosen["key"], start=1)
                    ]
                if lists["new"] or lists["dropped"]:
                    changes.append(EntityChanges(pillar, label, lists["new"], lists["dropped"]))
        views.append(ComparisonView(year_from, year_to, chart, changes))
    return views


@cache
def template() -> Template:
    """The report's Jinja template, with autoescaping."""
    environment = Environment(
        loader=PackageLoader("pipeline", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(percent=percent, pages=page_list)
    return environment.get_template("report.html.j2")


def method_view(method: Method | None) -> dict[str, Any]:
    """The method note: which spaCy pipeline found the entities, and the measured accuracy (if measured)."""
    spacy = dict(method.spacy) if method else {}
    if spacy.get("model"):
        model = f"het statistische spaCy-model {spacy['model']} {spacy.get('model_version') or ''}".strip()
        pipeline = f"{model}, aangevuld met regels en namenlijsten (gazetteers)"
    elif spacy:
        pipeline = "regels en namenlijsten (gazetteers) in spaCy, zonder statistisch model"
        if spacy.get("requested"):
            pipeline += f" ({spacy['requested']} was niet geïnstalleerd)"
    else:
        pipeline = "regels en namenlijsten in spaCy (welk model precies staat in run.json)"
    return {"pipeline": pipeline, "accuracy": measured_accuracy(method.evaluation if method else None)}


YearJob = tuple[int, dict[str, pd.DataFrame], Vocabularies, dict[str, str]]


def year_tables(tables: Mapping[str, pd.DataFrame], year: int) -> dict[str, pd.DataFrame]:
    """The rows of one year of every table that has years (the others whole): all a year's view reads."""
    return {name: table[table["year"] == year] if "year" in table.columns else table for name, table in tables.items()}


def year_view_job(job: YearJob) -> YearView:
    """One year's view from that year's tables: a task for a worker process."""
    year, tables, vocab, colours = job
    return year_view(year, tables, Evidence(tables), vocab, colours)


def render_report(
    tables: Mapping[str, pd.DataFrame],
    vocab: Vocabularies,
    method: Method | None = None,
    map_years: Callable[[Callable[[YearJob], YearView], list[YearJob]], Iterable[YearView]] = map,
) -> str:
    """The report as one HTML string, from the tables by name (as written to the CSVs); `method` says how
    they were made (run.json's spaCy facts, evaluation.csv's scores).

    Each year's view (its charts are most of the cost) is made from that year's rows alone, by `map_years`:
    `map` here, or a pool's map to draw the years in parallel.
    """
    colours = theme_colours(vocab)
    evidence = Evidence(tables)
    documents = frame(tables, "documents").sort_values(["year", "doc_id"], kind="mergesort")
    years = sorted({int(y) for y in documents["year"]} | {int(y) for y in frame(tables, "focus")["year"]}, reverse=True)
    comparison = frame(tables, "comparison")
    pages = frame(tables, "pages")
    views = list(map_years(year_view_job, [(year, year_tables(tables, year), vocab, colours) for year in years]))
    context: dict[str, Any] = {
        "documents": records(documents),
        "years": views,
        "findings": key_findings(views[0], tables, vocab) if views else None,
        "method": method_view(method),
        "comparisons": comparison_views(comparison, evidence, vocab) if not comparison.empty else [],
        "skipped_pages": [
            {"doc_id": r["doc_id"], "page": int(r["page"]), "status": PAGE_STATUS_NL[r["status"]]}
            for r in records(pages[pages["status"].isin(list(PAGE_STATUS_NL))])
        ],
        "errors": records(frame(tables, "errors")),
        "top_shifts": TOP_SHIFTS,
        "totals": {
            "paragraphs": len(evidence.paragraphs),
            "mentions": len(evidence.mentions),
            "lobby_actions": len(evidence.lobby),
        },
    }
    return template().render(**context)
