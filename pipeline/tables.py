"""Stage: tidy tables (pandas) from structured reports, and writing them byte-identically."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from pipeline.columns import ERROR_COLUMNS, SORT_KEYS, TABLE_COLUMNS, THEME_COLUMNS
from pipeline.config import MODELS_DIR
from pipeline.records import DocumentError, DocumentResult, LobbyAct, Mention, Report
from pipeline.resources import EntityRow, ThemeRow, read_rows

TOP_ENTITIES = 10
# A formula start, after any apostrophes already there: `'=x` is written `''=x`, so reading it back gives `'=x`.
FORMULA_START_RE = re.compile(r"^'*[=+\-@\t\r]")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WORKBOOK = "g40.xlsx"
# A fixed date for the workbook's properties and zip entries, so the same tables give the same bytes.
WORKBOOK_DATE = datetime(2000, 1, 1)
MODIFIED_RE = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


@dataclass(frozen=True)
class Lookups:
    """What the tables show beside ids: the Dutch label of each theme, and the identifier of every canonical
    entity of `models/entities.csv` (for a lobbying target or subject that is not a mention of its own)."""

    theme_labels: Mapping[str, str]
    entity_ids: Mapping[str, str]


def load_lookups(models_dir: Path = MODELS_DIR) -> Lookups:
    """The lookups from `models/themes.csv` and `models/entities.csv`."""
    labels = {row.theme_id: row.label_nl for row in read_rows(models_dir / "themes.csv", ThemeRow).rows}
    ids: dict[str, str] = {}
    for row in read_rows(models_dir / "entities.csv", EntityRow).rows:
        ids.setdefault(row.canonical, row.entity_id)
    return Lookups(labels, ids)


def with_theme_label(frame: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """`theme_label` (Dutch, from the taxonomy) beside `theme`; empty where there is no theme."""
    return frame.assign(theme_label=frame["theme"].map(labels).fillna(""))


def word_count(text: str) -> int:
    """Words as whitespace-separated tokens (the unit of every share)."""
    return len(text.split())


def documents_table(reports: Sequence[Report]) -> pd.DataFrame:
    """One row per report read."""
    rows = [
        {
            "doc_id": r.doc_id,
            "year": r.year,
            "title": r.title,
            "source_file": r.source_file,
            "sha256": r.sha256,
            "n_pages": r.n_pages,
            "n_pages_ocr": r.n_pages_ocr,
        }
        for r in reports
    ]
    return tidy(pd.DataFrame(rows, columns=TABLE_COLUMNS["documents"]), "documents")


def paragraph_frame(reports: Sequence[Report]) -> pd.DataFrame:
    """Every paragraph with its place in the report: the input of the theme stage."""
    rows = [
        {
            "doc_id": r.doc_id,
            "year": r.year,
            "paragraph_id": p.paragraph_id,
            "page": p.page,
            "page_end": p.page_end,
            "pillar": p.pillar,
            "pillar_source": p.pillar_source,
            "section": p.section,
            "heading": p.heading,
            "source": p.source,
            "n_words": word_count(p.text),
            "text": p.text,
        }
        for r in reports
        for p in r.paragraphs
    ]
    return pd.DataFrame(rows, columns=[c for c in TABLE_COLUMNS["paragraphs"] if c not in THEME_COLUMNS])


def paragraphs_table(
    paragraphs: pd.DataFrame, themes: pd.DataFrame, labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The paragraphs with their theme columns (`themes` is indexed like `paragraphs`) and theme label."""
    labels = load_lookups().theme_labels if labels is None else labels
    return tidy(with_theme_label(paragraphs.join(themes), labels), "paragraphs")


def sections_table(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """One row per run of consecutive paragraphs with the same pillar and section."""
    if paragraphs.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS["sections"])
    frame = paragraphs.sort_values(["year", "doc_id", "paragraph_id"]).copy()
    key = frame["doc_id"] + "\x1f" + frame["pillar"] + "\x1f" + frame["section"]
    frame["run"] = (key != key.shift()).cumsum()
    grouped = frame.groupby("run", sort=True).agg(
        doc_id=("doc_id", "first"),
        year=("year", "first"),
        pillar=("pillar", "first"),
        pillar_source=("pillar_source", "first"),
        section=("section", "first"),
        page_start=("page", "min"),
        page_end=("page_end", "max"),
        n_paragraphs=("paragraph_id", "count"),
        n_words=("n_words", "sum"),
    )
    grouped["section_id"] = grouped["doc_id"] + "-s" + (grouped.groupby("doc_id").cumcount() + 1).map("{:02d}".format)
    return tidy(grouped.reset_index(drop=True), "sections")


def pages_table(reports: Sequence[Report]) -> pd.DataFrame:
    """One row per page: how it was read and how many paragraphs it holds."""
    rows = []
    for r in reports:
        for status in r.pages:
            covered = sum(1 for p in r.paragraphs if p.page <= status.page <= p.page_end)
            rows.append(
                {
                    "doc_id": r.doc_id,
                    "year": r.year,
                    "page": status.page,
                    "status": status.status,
                    "removed_lines": status.removed_lines,
                    "n_paragraphs": covered,
                }
            )
    return tidy(pd.DataFrame(rows, columns=TABLE_COLUMNS["pages"]), "pages")


def links_table(reports: Sequence[Report]) -> pd.DataFrame:
    """Hyperlinks per page."""
    rows = [{"doc_id": r.doc_id, "year": r.year, "page": page, "url": url} for r in reports for page, url in r.links]
    return tidy(pd.DataFrame(rows, columns=TABLE_COLUMNS["links"]), "links")


def mentions_table(paragraphs: pd.DataFrame, mentions: Sequence[Mention]) -> pd.DataFrame:
    """One row per mention, with its paragraph's place in the report.

    Policies, found only by rule, take as canonical their most frequent written form in the earliest
    report that names them, so `Het Nieuwe Normaal` and `het nieuwe normaal` are one entity with one name,
    and a later year's report never renames a dossier of an earlier one.
    """
    frame = pd.DataFrame([m.__dict__ for m in mentions], columns=[*Mention.__dataclass_fields__])
    context = paragraphs[["paragraph_id", "doc_id", "year", "page", "pillar", "section"]]
    frame = frame.merge(context, on="paragraph_id", how="left")
    listed = frame["entity_type"] == "policy"
    if listed.any():
        forms = (
            frame[listed]
            .assign(surface=frame["surface"].str.strip("'\" "))
            .groupby(["entity_id", "year", "surface"])
            .size()
            .reset_index(name="n")
        )
        forms = forms.sort_values(
            ["entity_id", "year", "n", "surface"], ascending=[True, True, False, True], kind="mergesort"
        )
        preferred = forms.drop_duplicates("entity_id").set_index("entity_id")["surface"]
        frame.loc[listed, "canonical"] = frame.loc[listed, "entity_id"].map(preferred)
    return tidy(frame, "mentions")


def entities_table(mentions: pd.DataFrame) -> pd.DataFrame:
    """Distinct entities per year and pillar, with mention and paragraph counts."""
    grouped = mentions.groupby(["year", "pillar", "entity_type", "canonical", "entity_id"], as_index=False).agg(
        mentions=("surface", "size"), paragraphs=("paragraph_id", "nunique")
    )
    return tidy(grouped, "entities")


def pillar_entities_table(entities: pd.DataFrame, top: int = TOP_ENTITIES) -> pd.DataFrame:
    """The most mentioned entities per year, pillar and type (ties broken by name), ranked from 1."""
    ordered = entities.sort_values(
        ["year", "pillar", "entity_type", "mentions", "canonical"],
        ascending=[True, True, True, False, True],
        kind="mergesort",
    )
    ordered = ordered.assign(rank=ordered.groupby(["year", "pillar", "entity_type"]).cumcount() + 1)
    return tidy(ordered[ordered["rank"] <= top], "pillar_entities")


def entity_id_of(name: str, paragraph_id: str, mentions: Mapping[tuple[str, str], str], lookups: Lookups) -> str:
    """The identifier of an entity a lobbying act names: as mentioned in the act's paragraph, else anywhere in
    the run, else in `models/entities.csv`; empty when the act names none."""
    if not name:
        return ""
    return mentions.get((paragraph_id, name)) or mentions.get(("", name)) or lookups.entity_ids.get(name, "")


def lobby_actions_table(
    paragraphs: pd.DataFrame,
    acts: Sequence[LobbyAct],
    mentions: Sequence[Mention] = (),
    lookups: Lookups | None = None,
    preferred: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per lobbying act, with its paragraph's pillar, section, page and theme (acts arrive in text
    order), and the identifiers of its target and subject. A policy subject is named as in `mentions.csv`
    (`preferred`: canonical by entity id), so the two tables agree. A sentence printed twice in one paragraph
    is one row: the table's key is the paragraph and the sentence."""
    lookups = load_lookups() if lookups is None else lookups
    by_name: dict[tuple[str, str], str] = {}
    for m in sorted(mentions, key=lambda m: (m.paragraph_id, m.start_char)):
        by_name.setdefault((m.paragraph_id, m.canonical), m.entity_id)
        by_name.setdefault(("", m.canonical), m.entity_id)
    frame = pd.DataFrame([a.__dict__ for a in acts], columns=[*LobbyAct.__dataclass_fields__])
    frame = frame.drop_duplicates(["paragraph_id", "sentence"])
    for role in ("target", "subject"):
        frame[f"{role}_id"] = [
            entity_id_of(str(name), str(pid), by_name, lookups)
            for name, pid in zip(frame[role], frame["paragraph_id"], strict=True)
        ]
    if preferred:
        frame["subject"] = frame["subject_id"].map(preferred).fillna(frame["subject"])
    context = paragraphs[["paragraph_id", "doc_id", "year", "page", "pillar", "section", "theme"]]
    merged = frame.merge(context, on="paragraph_id", how="left")
    return tidy(with_theme_label(merged, lookups.theme_labels), "lobby_actions")


def focus_table(paragraphs: pd.DataFrame, lobby_actions: pd.DataFrame) -> pd.DataFrame:
    """Where each pillar's text went: paragraphs, words, share of the pillar's words and lobbying acts per theme."""
    keys = ["year", "pillar", "theme"]
    if "theme_label" not in paragraphs:
        paragraphs = with_theme_label(paragraphs, load_lookups().theme_labels)
    focus = paragraphs.groupby([*keys, "theme_label", "cap_major_topic"], as_index=False).agg(
        paragraphs=("paragraph_id", "size"), words=("n_words", "sum")
    )
    focus["share"] = (focus["words"] / focus.groupby(["year", "pillar"])["words"].transform("sum")).round(6)
    acts = lobby_actions.groupby(keys).size().rename("lobby_actions")
    focus = focus.join(acts, on=keys)
    focus["lobby_actions"] = focus["lobby_actions"].fillna(0).astype(int)
    return tidy(focus, "focus")


def build_tables(
    documents: Sequence[DocumentResult],
    paragraph_rows: pd.DataFrame,
    themes: pd.DataFrame,
    lookups: Lookups | None = None,
) -> dict[str, pd.DataFrame]:
    """Every table of a run (but the comparison and errors) from the documents and their paragraphs' themes."""
    lookups = load_lookups() if lookups is None else lookups
    reports = [d.report for d in documents if d.report is not None]
    paragraphs = paragraphs_table(paragraph_rows, themes, lookups.theme_labels)
    found = [m for d in documents for m in d.mentions]
    mentions = mentions_table(paragraphs, found)
    entities = entities_table(mentions)
    preferred = dict(zip(mentions["entity_id"], mentions["canonical"], strict=True))
    lobby_actions = lobby_actions_table(
        paragraphs, [a for d in documents for a in d.lobby_acts], found, lookups, preferred
    )
    return {
        "documents": documents_table(reports),
        "sections": sections_table(paragraphs),
        "paragraphs": paragraphs,
        "pages": pages_table(reports),
        "links": links_table(reports),
        "mentions": mentions,
        "entities": entities,
        "pillar_entities": pillar_entities_table(entities),
        "lobby_actions": lobby_actions,
        "focus": focus_table(paragraphs, lobby_actions),
    }


def errors_table(errors: Sequence[DocumentError]) -> pd.DataFrame:
    """errors.csv: one row per problem, sorted by file, kind and message."""
    frame = pd.DataFrame([e.__dict__ for e in errors], columns=ERROR_COLUMNS)
    frame["kind"] = frame["kind"].astype(str)
    frame["page"] = frame["page"].astype("Int64")
    return frame.sort_values(["doc", "kind", "message"], kind="mergesort").reset_index(drop=True)


def tidy(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Fixed column order and row order, so reruns give byte-identical files."""
    frame = frame[TABLE_COLUMNS[name]]
    return frame.sort_values(SORT_KEYS[name], kind="mergesort").reset_index(drop=True)


def clean_cell(value: object) -> object:
    """A text cell as it can be written and read back: carriage returns become line breaks (which the CSV
    writer quotes; a bare `\r` it does not) and other control characters spaces."""
    if isinstance(value, str):
        return CONTROL_RE.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value


def neutralise_formula(value: object) -> object:
    """Prefix text cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) with an apostrophe."""
    if isinstance(value, str) and FORMULA_START_RE.match(value):
        return "'" + value
    return value


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as UTF-8 CSV with `\n` line ends, control characters cleaned (`clean_cell`), cells with
    a line break quoted and formula-like cells neutralised: `read_table` gives back what was written."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda value: neutralise_formula(clean_cell(value)))
    safe.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.6g")


def workbook_value(value: object) -> object:
    """A cell value openpyxl can store: Python scalars, missing as empty, no XML-illegal control characters."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value.item() if hasattr(value, "item") else value


def write_workbook(frames: Mapping[str, pd.DataFrame], path: Path) -> None:
    """All tables in one Excel workbook, one sheet per table in the order given, for spreadsheet users whose
    Excel reads CSVs with another separator. Text is always stored as text (a cell starting with `=` is never
    a formula), and the file's dates are fixed, so the same tables give the same bytes."""
    book = Workbook(write_only=True)
    book.properties.creator = "g40"
    book.properties.created = book.properties.modified = WORKBOOK_DATE
    bold = Font(bold=True)
    for name, frame in frames.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.freeze_panes = "A2"
        header = []
        for column in frame.columns:
            cell = WriteOnlyCell(sheet, value=str(column))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in frame.itertuples(index=False):
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=workbook_value(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as built, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as fixed:
        for entry in built.infolist():
            stamped = zipfile.ZipInfo(entry.filename, date_time=WORKBOOK_DATE.timetuple()[:6])
            stamped.compress_type = zipfile.ZIP_DEFLATED
            content = built.read(entry.filename)
            if entry.filename == "docProps/core.xml":  # openpyxl stamps the time of saving as `modified`
                content = MODIFIED_RE.sub(rb"\g<1>" + WORKBOOK_DATE.isoformat().encode() + rb"Z\g<2>", content)
            fixed.writestr(stamped, content)


def restore_formula(value: object) -> object:
    """Undo `neutralise_formula` when reading a table back."""
    if isinstance(value, str) and value.startswith("'") and FORMULA_START_RE.match(value[1:]):
        return value[1:]
    return value


def read_table(path: Path, text_columns: Sequence[str]) -> pd.DataFrame:
    """A table as `write_table` wrote it: text columns as strings (empty cells as `""`, and `NA` is `NA`), the
    rest inferred."""
    header = pd.read_csv(path, nrows=0, encoding="utf-8").columns
    text = [c for c in text_columns if c in header]
    frame = pd.read_csv(
        path,
        encoding="utf-8",
        dtype=dict.fromkeys(text, str),
        keep_default_na=False,
        na_values={c: [""] for c in header if c not in text},
    )
    for column in text:
        frame[column] = frame[column].fillna("").map(restore_formula)
    return frame
