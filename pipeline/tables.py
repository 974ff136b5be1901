"""Stage: tidy tables (pandas) from structured reports, and writing them byte-identically."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline.columns import ERROR_COLUMNS, SORT_KEYS, TABLE_COLUMNS, THEME_COLUMNS
from pipeline.records import DocumentError, DocumentResult, LobbyAct, Mention, Report

TOP_ENTITIES = 10
FORMULA_START_RE = re.compile(r"^[=+\-@\t\r]")


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


def paragraphs_table(paragraphs: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """The paragraphs with their theme columns (`themes` is indexed like `paragraphs`)."""
    return tidy(paragraphs.join(themes), "paragraphs")


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


def lobby_actions_table(paragraphs: pd.DataFrame, acts: Sequence[LobbyAct]) -> pd.DataFrame:
    """One row per lobbying act, with its paragraph's pillar, section and theme (acts arrive in text order)."""
    frame = pd.DataFrame([a.__dict__ for a in acts], columns=[*LobbyAct.__dataclass_fields__])
    context = paragraphs[["paragraph_id", "doc_id", "year", "pillar", "section", "theme"]]
    return tidy(frame.merge(context, on="paragraph_id", how="left"), "lobby_actions")


def focus_table(paragraphs: pd.DataFrame, lobby_actions: pd.DataFrame) -> pd.DataFrame:
    """Where each pillar's text went: paragraphs, words, share of the pillar's words and lobbying acts per theme."""
    keys = ["year", "pillar", "theme"]
    focus = paragraphs.groupby([*keys, "cap_major_topic"], as_index=False).agg(
        paragraphs=("paragraph_id", "size"), words=("n_words", "sum")
    )
    focus["share"] = (focus["words"] / focus.groupby(["year", "pillar"])["words"].transform("sum")).round(6)
    acts = lobby_actions.groupby(keys).size().rename("lobby_actions")
    focus = focus.join(acts, on=keys)
    focus["lobby_actions"] = focus["lobby_actions"].fillna(0).astype(int)
    return tidy(focus, "focus")


def build_tables(
    documents: Sequence[DocumentResult], paragraph_rows: pd.DataFrame, themes: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Every table of a run (but the comparison and errors) from the documents and their paragraphs' themes."""
    reports = [d.report for d in documents if d.report is not None]
    paragraphs = paragraphs_table(paragraph_rows, themes)
    mentions = mentions_table(paragraphs, [m for d in documents for m in d.mentions])
    entities = entities_table(mentions)
    lobby_actions = lobby_actions_table(paragraphs, [a for d in documents for a in d.lobby_acts])
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


def neutralise_formula(value: object) -> object:
    """Prefix text cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) with an apostrophe."""
    if isinstance(value, str) and FORMULA_START_RE.match(value):
        return "'" + value
    return value


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as UTF-8 CSV with `\n` line ends, formula-like cells neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_formula)
    safe.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.6g")


def restore_formula(value: object) -> object:
    """Undo `neutralise_formula` when reading a table back."""
    if isinstance(value, str) and value.startswith("'") and FORMULA_START_RE.match(value[1:]):
        return value[1:]
    return value


def read_table(path: Path, text_columns: Sequence[str]) -> pd.DataFrame:
    """A table as `write_table` wrote it: text columns as strings (empty cells as `""`), the rest inferred."""
    header = pd.read_csv(path, nrows=0, encoding="utf-8").columns
    text = [c for c in text_columns if c in header]
    frame = pd.read_csv(path, encoding="utf-8", dtype=dict.fromkeys(text, str))
    for column in text:
        frame[column] = frame[column].fillna("").map(restore_formula)
    return frame
