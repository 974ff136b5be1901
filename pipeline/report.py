"""Stage: the HTML report — one file that opens offline, for reviewing and presenting the tables.

Charts are matplotlib figures rendered to SVG at build time and inlined (no scripts or styles from
elsewhere). Every number can be followed to what it counts: a chart segment links to the paragraphs of
its pillar and theme, an entity expands into its mention sentences, a lobbying act shows its sentence.
The output depends only on the tables, so a rerun gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
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
from matplotlib.ticker import FuncFormatter
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
SEGMENT_LABEL_MIN_SHARE = 0.06
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

    pillar: str
    instrument: str
    target: str
    subject: str
    theme: str
    sentence: str
    page: int
    paragraph_id: str


@dataclass(frozen=True)
class YearView:
    """Everything the report shows of one year."""

    year: int
    chart: Markup | None
    pillars: list[PillarView]
    lobby: list[LobbyRow]


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
    chart: Markup | None
    changes: list[EntityChanges]


def percent(share: float) -> str:
    """Dutch notation: `17,8 %`."""
    return f"{share * 100:.1f} %".replace(".", ",")


def points(delta: float) -> str:
    """A change of share in percentage points, signed, Dutch notation."""
    return f"{delta * 100:+.1f} %-punt".replace(".", ",")


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
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
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


def theme_mix_chart(
    year: int, focus: pd.DataFrame, pillars: list[str], vocab: Vocabularies, colours: Mapping[str, str]
) -> Markup:
    """Stacked bars: per pillar the share of its words per theme; each segment links to its paragraphs."""
    prefix = f"mix-{year}"
    titles: dict[str, str] = {}
    with matplotlib.rc_context(CHART_STYLE):
        figure = Figure(figsize=(9.5, 0.6 * len(pillars) + 1.9), layout="constrained")
        axes = figure.add_subplot()
        for row_number, pillar in enumerate(pillars):
            rows = focus[focus["pillar"] == pillar]
            shares = {str(t): float(v) for t, v in zip(rows["theme"], rows["share"], strict=True)}
            left = 0.0
            for theme in [t for t in vocab.themes if t in shares] + sorted(set(shares) - set(vocab.themes)):
                share = shares[theme]
                colour = colours.get(theme, "#999999")
                bar = axes.barh(
                    row_number, share * 100, left=left * 100, color=colour, edgecolor="white", linewidth=0.8, height=0.7
                )[0]
                gid = f"seg-{row_number}-{theme}"
                bar.set_url("#" + theme_anchor(year, pillar, theme))
                bar.set_gid(gid)
                titles[gid] = f"{pillar} · {vocab.themes.get(theme, theme)}: {percent(share)} (klik voor de alinea's)"
                if share >= SEGMENT_LABEL_MIN_SHARE:
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
        shown = [t for t in vocab.themes if t in set(focus["theme"])]
        handles = [Patch(facecolor=colours[t], label=vocab.themes[t]) for t in shown]
        figure.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False, fontsize=9)
    return inline_svg(figure, prefix, titles)


def shift_chart(year_from: int, year_to: int, shifts: Mapping[str, pd.DataFrame], vocab: Vocabularies) -> Markup:
    """Per pillar the themes whose share moved most; each bar links to the paragraphs of the later year
    (of the earlier one for a theme that disappeared)."""
    prefix = f"shift-{year_from}-{year_to}"
    titles: dict[str, str] = {}
    with matplotlib.rc_context(CHART_STYLE):
        figure = Figure(
            figsize=(9.5, 0.3 * sum(len(rows) for rows in shifts.values()) + 0.7 * len(shifts) + 0.6),
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
            labels = [vocab.themes.get(t, t) for t in rows["key"]]
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
        )
    return inline_svg(figure, prefix, titles)


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
    """Look-ups from a count to the rows behind it."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        self.paragraphs = frame(tables, "paragraphs")
        self.mentions = frame(tables, "mentions")
        self.lobby = frame(tables, "lobby_actions")
        self.texts = dict(zip(self.paragraphs["paragraph_id"], self.paragraphs["text"], strict=True))
        self.pages = {
            str(k): int(v) for k, v in zip(self.paragraphs["paragraph_id"], self.paragraphs["page"], strict=True)
        }

    def acts(self, paragraph_id: str) -> list[Act]:
        """The lobbying acts of a paragraph."""
        rows = self.lobby[self.lobby["paragraph_id"] == paragraph_id]
        return [Act(r["instrument"], r["target"], r["subject"], r["sentence"]) for r in records(rows)]

    def theme_paragraphs(self, year: int, pillar: str, theme: str) -> list[Paragraph]:
        """The paragraphs of a pillar with a theme in a year."""
        p = self.paragraphs
        rows = p[(p["year"] == year) & (p["pillar"] == pillar) & (p["theme"] == theme)]
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
            for r in records(rows)
        ]

    def entity_sentences(self, year: int, pillar: str, entity_type: str, name: str) -> list[Sentence]:
        """The sentences that mention an entity, with the name marked."""
        m = self.mentions
        rows = m[
            (m["year"] == year)
            & (m["pillar"] == pillar)
            & (m["entity_type"] == entity_type)
            & ((m["canonical"] == name) | (m["entity_id"] == name))
        ]
        return mention_sentences(rows, self.texts)


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
    order = {p: i for i, p in enumerate(pillars)}
    acts = acts.assign(order=acts["pillar"].map(lambda p: order.get(p, len(order)))).sort_values(
        ["order", "paragraph_id"], kind="mergesort"
    )
    lobby = [
        LobbyRow(
            r["pillar"],
            r["instrument"],
            r["target"],
            r["subject"],
            vocab.themes.get(r["theme"], r["theme"]),
            r["sentence"],
            evidence.pages.get(r["paragraph_id"], 0),
            r["paragraph_id"],
        )
        for r in records(acts)
    ]
    chart = theme_mix_chart(year, focus, pillars, vocab, colours) if not focus.empty else None
    return YearView(year, chart, views, lobby)


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


def render_report(tables: Mapping[str, pd.DataFrame], vocab: Vocabularies) -> str:
    """The report as one HTML string, from the tables by name (as written to the CSVs)."""
    colours = theme_colours(vocab)
    evidence = Evidence(tables)
    documents = frame(tables, "documents").sort_values(["year", "doc_id"], kind="mergesort")
    years = sorted({int(y) for y in documents["year"]} | {int(y) for y in frame(tables, "focus")["year"]}, reverse=True)
    comparison = frame(tables, "comparison")
    pages = frame(tables, "pages")
    context: dict[str, Any] = {
        "documents": records(documents),
        "years": [year_view(year, tables, evidence, vocab, colours) for year in years],
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
