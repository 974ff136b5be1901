"""The column contract: every output table's columns in order, and the keys its rows are sorted by.

Used by the tables stage (building and writing), the data package (schema) and the run manifest, so a
table's shape is stated once.
"""

from __future__ import annotations

THEME_COLUMNS = ["theme", "cap_major_topic", "theme_score", "theme_source", "runner_up", "runner_up_score"]
ERROR_COLUMNS = ["doc", "page", "kind", "message"]
TABLE_COLUMNS: dict[str, list[str]] = {
    "documents": ["doc_id", "year", "title", "source_file", "sha256", "n_pages", "n_pages_ocr"],
    "sections": [
        "doc_id",
        "year",
        "section_id",
        "pillar",
        "pillar_source",
        "section",
        "page_start",
        "page_end",
        "n_paragraphs",
        "n_words",
    ],
    "paragraphs": [
        "doc_id",
        "year",
        "paragraph_id",
        "page",
        "page_end",
        "pillar",
        "pillar_source",
        "section",
        "heading",
        "source",
        "n_words",
        *THEME_COLUMNS,
        "text",
    ],
    "pages": ["doc_id", "year", "page", "status", "removed_lines", "n_paragraphs"],
    "links": ["doc_id", "year", "page", "url"],
    "mentions": [
        "doc_id",
        "year",
        "page",
        "pillar",
        "section",
        "paragraph_id",
        "entity_type",
        "surface",
        "canonical",
        "entity_id",
        "start_char",
        "end_char",
        "method",
        "sentence",
    ],
    "entities": ["year", "pillar", "entity_type", "canonical", "entity_id", "mentions", "paragraphs"],
    "pillar_entities": ["year", "pillar", "entity_type", "canonical", "mentions", "rank"],
    "lobby_actions": [
        "doc_id",
        "year",
        "pillar",
        "section",
        "paragraph_id",
        "instrument",
        "target",
        "subject",
        "theme",
        "sentence",
    ],
    "focus": ["year", "pillar", "theme", "cap_major_topic", "paragraphs", "words", "share", "lobby_actions"],
    "comparison": [
        "year_from",
        "year_to",
        "pillar",
        "dimension",
        "key",
        "entity_id",
        "value_from",
        "value_to",
        "count_from",
        "count_to",
        "delta",
        "change",
    ],
}
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
# Every file a run writes as CSV: the tables above and errors.csv.
OUTPUT_TABLES: dict[str, list[str]] = TABLE_COLUMNS | {"errors": ERROR_COLUMNS}
