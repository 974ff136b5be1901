"""Stage: the tables' contract — a Frictionless Data Package (`datapackage.json`) describing every CSV.

Column lists come from `tables.TABLE_COLUMNS`, allowed values from the data files in `models/`
(pillars, themes, lobbying instruments), so the descriptor follows the domain knowledge and a
change to a table's shape shows up as a failing validation rather than silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.columns import OUTPUT_TABLES
from pipeline.config import MODELS_DIR
from pipeline.records import ENTITY_TYPES, GENERAL
from pipeline.resources import LobbyPattern, PillarAlias, ThemeRow, read_rows

TABLES = OUTPUT_TABLES
PAGE_STATUSES = ("text", "ocr", "cover", "toc", "blank", "ocr_unavailable", "unreadable")
PARAGRAPH_SOURCES = ("text", "ocr")
PILLAR_SOURCES = ("heading", "alias", "words", "content", "none")
THEME_SOURCES = ("classifier", "fallback")
MENTION_METHODS = ("gazetteer", "rule", "title", "memory", "model")
COMPARISON_DIMENSIONS = ("theme", "organisation", "place", "law", "policy", "lobby_instrument")
CHANGES = ("new", "dropped", "up", "down", "same")
# How `tables.write_table` writes, said in the descriptor so that no reader guesses (a guessed
# `skipInitialSpace` turns a cell of one space into a missing value).
CSV_DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "skipInitialSpace": False}

TABLE_DESCRIPTIONS = {
    "documents": "One row per annual report that was processed.",
    "sections": "One row per run of consecutive paragraphs with the same pillar and section (themagroep).",
    "paragraphs": "One row per paragraph, with its place in the report and its theme.",
    "pages": "One row per page: how it was read, or why it yields no paragraphs.",
    "links": "Hyperlinks per page.",
    "mentions": "One row per entity mention (organisation, place, law, policy dossier) with the sentence it is in.",
    "entities": "Distinct entities per year and pillar.",
    "pillar_entities": "The most mentioned entities per year, pillar and entity type.",
    "lobby_actions": "One row per sentence that records a lobbying act.",
    "focus": "The lobbying focus per pillar: words, paragraphs and lobbying acts per theme.",
    "comparison": "What changed between two years, per pillar: themes, entities and lobbying instruments.",
    "errors": "Documents (or pages) that could not be processed, and why.",
}
PRIMARY_KEYS: dict[str, list[str]] = {
    "documents": ["doc_id"],
    "sections": ["section_id"],
    "paragraphs": ["paragraph_id"],
    "pages": ["doc_id", "page"],
    "links": ["doc_id", "page", "url"],
    "mentions": ["paragraph_id", "start_char", "end_char"],
    "entities": ["year", "pillar", "entity_type", "canonical", "entity_id"],
    "pillar_entities": ["year", "pillar", "entity_type", "rank"],
    "lobby_actions": ["paragraph_id", "sentence"],
    "focus": ["year", "pillar", "theme"],
}
# (table, column) → (referenced table, column): every count can be followed back to its paragraphs.
FOREIGN_KEYS = {
    ("sections", "doc_id"): ("documents", "doc_id"),
    ("paragraphs", "doc_id"): ("documents", "doc_id"),
    ("pages", "doc_id"): ("documents", "doc_id"),
    ("links", "doc_id"): ("documents", "doc_id"),
    ("mentions", "paragraph_id"): ("paragraphs", "paragraph_id"),
    ("lobby_actions", "paragraph_id"): ("paragraphs", "paragraph_id"),
}


@dataclass(frozen=True)
class Vocabularies:
    """The closed sets of values of the tables, read from `models/`; pillars in reading order."""

    pillars: tuple[str, ...]
    themes: dict[str, str]
    cap_major_topics: tuple[int, ...]
    instruments: tuple[str, ...]


def load_vocabularies(models_dir: Path = MODELS_DIR) -> Vocabularies:
    """Pillars from `pillars.csv` (the front matter's `Algemeen` first), themes with their Dutch label from
    `themes.csv`, instruments from `patterns/lobby.jsonl`."""
    pillars = dict.fromkeys([GENERAL, *(row.pillar for row in read_rows(models_dir / "pillars.csv", PillarAlias).rows)])
    themes = read_rows(models_dir / "themes.csv", ThemeRow).rows
    lobby_patterns = read_rows(models_dir / "patterns" / "lobby.jsonl", LobbyPattern).rows
    instruments = dict.fromkeys(e.instrument for e in lobby_patterns if e.instrument is not None)
    return Vocabularies(
        pillars=tuple(pillars),
        themes={row.theme_id: row.label_nl for row in themes},
        cap_major_topics=tuple(sorted({row.cap_major_topic for row in themes})),
        instruments=tuple(instruments),
    )


def column_spec(name: str, kind: str, description: str, **constraints: Any) -> dict[str, Any]:
    """One Frictionless field descriptor."""
    descriptor: dict[str, Any] = {"name": name, "type": kind, "description": description}
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def column_fields(vocab: Vocabularies) -> dict[str, dict[str, Any]]:
    """Type, description and constraints per column name; a name means the same in every table,
    except where `TABLE_FIELD_OVERRIDES` says otherwise."""
    count = {"minimum": 0}
    probability = {"minimum": 0, "maximum": 1}
    pillar = {"enum": list(vocab.pillars)}
    theme = {"enum": list(vocab.themes)}
    entity_type = {"enum": list(ENTITY_TYPES)}
    specs = [
        column_spec("doc_id", "string", "Report identifier, from the file name.", required=True),
        column_spec("year", "integer", "Year the report covers.", required=True, minimum=1900, maximum=2100),
        column_spec("title", "string", "Report title (PDF metadata or title page)."),
        column_spec("source_file", "string", "PDF file name in the corpus folder.", required=True),
        column_spec("sha256", "string", "SHA-256 of the PDF file.", required=True, pattern="[0-9a-f]{64}"),
        column_spec("n_pages", "integer", "Pages in the PDF.", minimum=1),
        column_spec("n_pages_ocr", "integer", "Pages read with OCR.", **count),
        column_spec("section_id", "string", "Section identifier: doc_id, `-s`, running number.", required=True),
        column_spec(
            "pillar", "string", "Pillar (models/pillars.csv); `Algemeen` for front matter.", required=True, **pillar
        ),
        column_spec(
            "pillar_source",
            "string",
            "How the pillar was told from its chapter heading: `heading` (the pillar's name), `alias` "
            "(models/pillars.csv), `words` (models/pillar_words.csv), `content` (its paragraphs' theme keywords), "
            "`none` (no heading above, or not told: filed under `Algemeen`).",
            required=True,
            enum=list(PILLAR_SOURCES),
        ),
        column_spec("section", "string", "Theme group (themagroep) within the pillar, or `Algemeen`.", required=True),
        column_spec("page_start", "integer", "First page of the section.", minimum=1),
        column_spec("page_end", "integer", "Last page.", minimum=1),
        column_spec("n_paragraphs", "integer", "Number of paragraphs.", **count),
        column_spec("n_words", "integer", "Number of words.", **count),
        column_spec(
            "paragraph_id",
            "string",
            "Paragraph identifier: doc_id, `-p`, running number in reading order.",
            required=True,
        ),
        column_spec("page", "integer", "Page number (1-based).", minimum=1),
        column_spec("heading", "string", "Nearest heading above the paragraph, as printed."),
        column_spec("source", "string", "How the paragraph's text was obtained.", enum=list(PARAGRAPH_SOURCES)),
        column_spec("theme", "string", "Theme (theme_id of models/themes.csv).", **theme),
        column_spec(
            "cap_major_topic",
            "integer",
            "Comparative Agendas Project major topic of the theme.",
            enum=list(vocab.cap_major_topics),
        ),
        column_spec("theme_label", "string", "Dutch label of the theme (label_nl of models/themes.csv)."),
        column_spec("theme_score", "number", "Classifier probability of the theme.", **probability),
        column_spec(
            "theme_source",
            "string",
            "`classifier` (the classifier's first choice) or `fallback` (no theme keyword and a top score below "
            "the threshold of models/theme_fallback.csv: the fallback theme); empty, as the theme, for a paragraph "
            "that was not analysed (a report not in Dutch).",
            enum=list(THEME_SOURCES),
        ),
        column_spec("runner_up", "string", "Second most likely theme.", **theme),
        column_spec("runner_up_score", "number", "Classifier probability of the runner-up.", **probability),
        column_spec("text", "string", "Paragraph text, cleaned."),
        column_spec(
            "status",
            "string",
            "How the page was read, or why it has no paragraphs.",
            required=True,
            enum=list(PAGE_STATUSES),
        ),
        column_spec("removed_lines", "integer", "Running header and footer lines dropped.", **count),
        column_spec("url", "string", "Link target.", required=True),
        column_spec("entity_type", "string", "Entity type.", required=True, **entity_type),
        column_spec("surface", "string", "The mention as written."),
        column_spec("canonical", "string", "Canonical entity name.", required=True),
        column_spec(
            "entity_id", "string", "Stable entity identifier (CBS code, BWB id, ISO code or slug).", required=True
        ),
        column_spec(
            "start_char", "integer", "Start offset of the mention in the paragraph text.", required=True, **count
        ),
        column_spec("end_char", "integer", "End offset (exclusive).", required=True, **count),
        column_spec("method", "string", "What found the mention.", enum=list(MENTION_METHODS)),
        column_spec("sentence", "string", "The sentence the row is about, as in the paragraph.", required=True),
        column_spec("mentions", "integer", "Number of mentions.", **count),
        column_spec("paragraphs", "integer", "Number of paragraphs.", **count),
        column_spec("rank", "integer", "1 = most mentioned; ties by name.", required=True, minimum=1),
        column_spec(
            "instrument",
            "string",
            "Lobbying instrument (models/patterns/lobby.jsonl).",
            required=True,
            enum=list(vocab.instruments),
        ),
        column_spec("target", "string", "Canonical organisation the act is addressed to, when named."),
        column_spec("target_id", "string", "entity_id of the target (as in mentions.csv), when named."),
        column_spec(
            "addressee", "string", "Addressee without a named organisation, as written (het kabinet, Kamerleden)."
        ),
        column_spec("subject", "string", "Canonical law or policy dossier named in the sentence."),
        column_spec("subject_id", "string", "entity_id of the subject (as in mentions.csv), when named."),
        column_spec("words", "integer", "Number of words.", **count),
        column_spec("share", "number", "Share of the pillar's words that year.", **probability),
        column_spec("lobby_actions", "integer", "Lobbying acts in these paragraphs.", **count),
        column_spec("year_from", "integer", "Earlier year.", required=True),
        column_spec("year_to", "integer", "Later year.", required=True),
        column_spec("dimension", "string", "What is compared.", required=True, enum=list(COMPARISON_DIMENSIONS)),
        column_spec("key", "string", "The theme, entity or instrument compared.", required=True),
        column_spec("value_from", "number", "Its value in year_from."),
        column_spec("value_to", "number", "Its value in year_to."),
        column_spec("count_from", "integer", "Its count in year_from.", **count),
        column_spec("count_to", "integer", "Its count in year_to.", **count),
        column_spec("delta", "number", "value_to minus value_from."),
        column_spec("change", "string", "Direction of the change.", required=True, enum=list(CHANGES)),
        column_spec("doc", "string", "File that could not be processed.", required=True),
        column_spec("kind", "string", "Kind of error.", required=True),
        column_spec("message", "string", "What went wrong and what to do."),
    ]
    return {spec["name"]: spec for spec in specs}


TABLE_FIELD_OVERRIDES = {
    ("paragraphs", "page"): "Page where the paragraph starts.",
    ("paragraphs", "page_end"): "Page where the paragraph ends.",
    ("pages", "n_paragraphs"): "Paragraphs on the page (starting, continuing or ending there).",
    ("entities", "paragraphs"): "Paragraphs that name the entity.",
    ("focus", "paragraphs"): "The pillar's paragraphs with this theme.",
    ("focus", "words"): "Words in those paragraphs.",
    ("lobby_actions", "theme"): "Theme of the paragraph the act is in.",
    ("lobby_actions", "page"): "Page where the act's paragraph starts (as in paragraphs.csv).",
    ("comparison", "theme_label"): "Dutch label of the theme, for dimension `theme`; empty otherwise.",
    ("errors", "page"): "Page concerned, when the error is about one page.",
    ("comparison", "entity_id"): "Identifier of the compared entity; empty for themes and lobbying instruments.",
    (
        "comparison",
        "value_from",
    ): "Its value in year_from: percent of the pillar's words (themes) or per 10,000 words (entities, instruments).",
    ("comparison", "delta"): "value_to minus value_from: percentage points for themes, per 10,000 words otherwise.",
}
# Columns that may be empty in one table although they never are elsewhere.
OPTIONAL_FIELDS = {("comparison", "entity_id")}


def table_schema(name: str, fields: dict[str, dict[str, Any]], present: Iterable[str]) -> dict[str, Any]:
    """Table Schema of one CSV; foreign keys only to tables that are in the same package."""
    columns = []
    for column in TABLES[name]:
        if column not in fields:
            raise KeyError(f"column {column!r} of {name}.csv is not described in pipeline/schema.py")
        spec = dict(fields[column])
        if (name, column) in TABLE_FIELD_OVERRIDES:
            spec["description"] = TABLE_FIELD_OVERRIDES[(name, column)]
        if (name, column) in OPTIONAL_FIELDS:
            spec["constraints"] = {k: v for k, v in spec.get("constraints", {}).items() if k != "required"}
        columns.append(spec)
    schema: dict[str, Any] = {"fields": columns, "missingValues": [""]}
    if name in PRIMARY_KEYS:
        schema["primaryKey"] = PRIMARY_KEYS[name]
    foreign = [
        {"fields": column, "reference": {"resource": target, "fields": target_column}}
        for (table, column), (target, target_column) in FOREIGN_KEYS.items()
        if table == name and target in present
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    return schema


WORKBOOK_RESOURCE = {
    "name": "workbook",
    "path": "g40.xlsx",
    "type": "file",
    "format": "xlsx",
    "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def datapackage(names: Iterable[str], vocab: Vocabularies, workbook: bool = True) -> dict[str, Any]:
    """The Data Package descriptor for the CSVs `names` (each `<name>.csv` beside `datapackage.json`) and,
    with `workbook`, the Excel workbook that holds the same tables, one sheet each."""
    present = [name for name in TABLES if name in set(names)]
    fields = column_fields(vocab)
    sheets = {
        **WORKBOOK_RESOURCE,
        "description": "The same tables in one Excel workbook, one sheet per table with the CSV's name and columns: "
        + ", ".join(present)
        + ".",
    }
    return {
        "profile": "data-package",
        "name": "g40-report-tables",
        "title": "G40 Stedennetwerk annual reports: lobbying focus per pillar",
        "description": "Tables written by `g40 extract` (and `g40 compare`); see README.md, section Output tables.",
        "resources": [
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": CSV_DIALECT,
                "description": TABLE_DESCRIPTIONS[name],
                "schema": table_schema(name, fields, present),
            }
            for name in present
        ]
        + ([sheets] if workbook else []),
    }


def missing_cells(column: pd.Series) -> pd.Series:
    """Cells a CSV reader would see as missing: NaN, None and empty text."""
    return column.isna() | column.astype(str).eq("")


def check_tables(frames: Mapping[str, pd.DataFrame], vocab: Vocabularies) -> list[str]:
    """What in `frames` breaks the data package they will be written with: duplicate primary keys, empty
    required cells, values outside an enum or range, references to no row. Run on the frames before
    anything is written, so a broken set never replaces a good one."""
    package = datapackage(frames, vocab, workbook=False)
    problems = []
    for resource in package["resources"]:
        name, schema = resource["name"], resource["schema"]
        frame = frames[name]
        key = schema.get("primaryKey")
        if key and frame.duplicated(key).any():
            example = frame[frame.duplicated(key, keep=False)][key].iloc[0].tolist()
            problems.append(f"{name}.csv: key {', '.join(key)} is not unique (e.g. {example})")
        for spec in schema["fields"]:
            column, constraints = frame[spec["name"]], spec.get("constraints", {})
            empty = missing_cells(column)
            if constraints.get("required") and empty.any():
                problems.append(f"{name}.csv: {spec['name']} is empty in {int(empty.sum())} row(s)")
            present = column[~empty]
            if "enum" in constraints and not present.isin(constraints["enum"]).all():
                odd = sorted(set(present[~present.isin(constraints["enum"])].astype(str)))[:3]
                problems.append(f"{name}.csv: {spec['name']} has values outside its list: {odd}")
            if spec["type"] in ("integer", "number") and len(present):
                values = pd.to_numeric(present, errors="coerce")
                low, high = constraints.get("minimum"), constraints.get("maximum")
                if (
                    values.isna().any()
                    or (low is not None and (values < low).any())
                    or (high is not None and (values > high).any())
                ):
                    problems.append(f"{name}.csv: {spec['name']} has values outside its range")
        for foreign in schema.get("foreignKeys", []):
            target = frames[foreign["reference"]["resource"]][foreign["reference"]["fields"]]
            dangling = ~frame[foreign["fields"]].isin(target)
            if dangling.any():
                problems.append(
                    f"{name}.csv: {int(dangling.sum())} {foreign['fields']} value(s) not in "
                    f"{foreign['reference']['resource']}.csv"
                )
    return problems
