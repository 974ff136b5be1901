"""Stage: tidy tables (pandas) from structured reports, and writing them byte-identically."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline.entities import Mention
from pipeline.lobby import LobbyAct
from pipeline.structure import Report
from pipeline.themes import THEME_COLUMNS

TABLE_COLUMNS: dict[str, list[str]] = {
    "documents": ["doc_id", "year", "title", "source_file", "sha256", "n_pages", "n_pages_ocr"],
    "sections": ["doc_id", "year", "section_id", "pillar", "section", "page_start", "page_end", "n_paragraphs", "n_words"],
    "paragraphs": [
        "doc_id", "year", "paragraph_id", "page", "page_end", "pillar", "section", "heading", "source", "n_words",
        "theme", "cap_major_topic", "theme_score", "runner_up", "runner_up_score", "text",
    ],
    "pages": ["doc_id", "year", "page", "status", "removed_lines", "n_paragraphs"],
    "links": ["doc_id", "year", "page", "url"],
    "mentions": [
        "doc_id", "year", "page", "pillar", "section", "paragraph_id", "entity_type", "surface", "canonical",
        "entity_id", "start_char", "end_char", "method", "sentence",
    ],
    "entities": ["year", "pillar", "entity_type", "canonical", "entity_id", "mentions", "paragraphs"],
    "pillar_entities": ["year", "pillar", "entity_type", "canonical", "mentions", "rank"],
    "lobby_actions": ["doc_id", "year", "pillar", "section", "paragraph_id", "instrument", "target", "subject", "theme", "sentence"],
    "focus": ["year", "pillar", "theme", "cap_major_topic", "paragraphs", "words", "share", "lobby_actions"],
    "comparison": [
        "year_from", "year_to", "pillar", "dimension", "key", "entity_id", "value_from", "value_to", "count_from", "count_to",
        "delta", "change",
    ],
}
TOP_ENTITIES = 10
SORT_KEYS: dict[str, list[str]] = {
    "documents": ["year", "doc_id"],
    "sections": ["year", "doc_id", "section_id"],
    "paragraphs": ["year", "doc_id", "paragraph_id"],
    "pages": ["year", "doc_id", "page"],
    "links": ["year", "doc_id", "page", "url"],
    "mentions": ["year", "doc_id", "paragraph_id", "start_char", "end_char", "entity_type"],
    "entities": ["year", "pillar", "entity_type", "canonical", "entity_id"],
    "pillar_entities": ["year", "pillar", "entity_type", "rank", "canonical"],
    "lobby_actions": ["year", "doc_id", "paragraph_id"],
    "focus": ["year", "pillar", "theme"],
    "comparison": ["year_from", "year_to", "pillar", "dimension", "key", "entity_id"],
}
FORMULA_START_RE = re.compile(r"^[=+\-@\t\r]")


def word_count(text: str) -> int:
    return len(text.split())


def documents_table(reports: Sequence[Report]) -> pd.DataFrame:
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
        section=("section", "first"),
        page_start=("page", "min"),
        page_end=("page_end", "max"),
        n_paragraphs=("paragraph_id", "count"),
        n_words=("n_words", "sum"),
    )
    grouped["section_id"] = grouped["doc_id"] + "-s" + (grouped.groupby("doc_id").cumcount() + 1).map("{:02d}".format)
    return tidy(grouped.reset_index(drop=True), "sections")


def pages_table(reports: Sequence[Report]) -> pd.DataFrame:
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
        forms = frame[listed].assign(surface=frame["surface"].str.strip("'\" ")).groupby(["entity_id", "year", "surface"]).size().reset_index(name="n")
        forms = forms.sort_values(["entity_id", "year", "n", "surface"], ascending=[True, True, False, True], kind="mergesort")
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
    ordered = entities.sort_values(["year", "pillar", "entity_type", "mentions", "canonical"], ascending=[True, True, True, False, True], kind="mergesort")
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
    focus = paragraphs.groupby([*keys, "cap_major_topic"], as_index=False).agg(paragraphs=("paragraph_id", "size"), words=("n_words", "sum"))
    focus["share"] = (focus["words"] / focus.groupby(["year", "pillar"])["words"].transform("sum")).round(6)
    acts = lobby_actions.groupby(keys).size().rename("lobby_actions")
    focus = focus.join(acts, on=keys)
    focus["lobby_actions"] = focus["lobby_actions"].fillna(0).astype(int)
    return tidy(focus, "focus")


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
