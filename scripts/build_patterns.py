"""Regenerate `models/entities.csv` and `models/patterns/<family>/gazetteer.jsonl` from the gazetteer tables.

Run `make patterns` after editing anything in `models/gazetteers/`. Token patterns are built with the
pipeline's own tokenizer, so multi-word and hyphenated names match exactly as the text is tokenised.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field

from spacy.tokenizer import Tokenizer

from pipeline.config import MODELS_DIR
from pipeline.ner.common import blank_dutch, is_acronym, needs_exact_case
from pipeline.ner.knowledge import load_type_words
from pipeline.records import ENTITY_TYPES
from pipeline.resources import read_source_rows as read_csv_rows
from pipeline.textkeys import fold, slug

GAZETTEERS = MODELS_DIR / "gazetteers"


@dataclass
class Record:
    """One gazetteer entity on its way into entities.csv."""

    entity_id: str
    entity_type: str
    canonical: str
    kind: str
    source: str
    aliases: list[str] = field(default_factory=list)


def split_aliases(value: str) -> list[str]:
    return [a.strip() for a in value.split(";") if a.strip()]


def records() -> list[Record]:
    found: list[Record] = []
    for row in read_csv_rows(GAZETTEERS / "gemeenten.csv"):
        plain = re.sub(r"\s*\(.*\)$", "", row["name"])
        aliases = split_aliases(row["aliases"]) + ([plain] if plain != row["name"] else [])
        found.append(Record(row["cbs_code"], "place", row["name"], "municipality", row["source"], aliases))
    for row in read_csv_rows(GAZETTEERS / "provinces.csv"):
        found.append(
            Record(row["cbs_code"], "place", row["name"], "province", row["source"], split_aliases(row["aliases"]))
        )
    for row in read_csv_rows(GAZETTEERS / "places_world.csv"):
        entity_id = f"ISO:{row['iso_code']}" if row["iso_code"] else f"place:{slug(row['name'])}"
        found.append(Record(entity_id, "place", row["name"], row["kind"], row["source"], split_aliases(row["aliases"])))
    places = {fold(r.canonical) for r in found} | {fold(a) for r in found for a in r.aliases}
    for row in read_csv_rows(GAZETTEERS / "woonplaatsen.csv"):
        if fold(row["name"]) not in places:
            aliases = split_aliases(row["aliases"])
            found.append(
                Record(f"WP{row['woonplaatscode']}", "place", row["name"], "woonplaats", row["source"], aliases)
            )
    for table in ("organisations.csv", "organisations_extra.csv", "organisations_more.csv"):
        for row in read_csv_rows(GAZETTEERS / table):
            aliases = split_aliases(row["aliases"])
            found.append(
                Record(
                    f"org:{slug(row['canonical_name'])}",
                    "organisation",
                    row["canonical_name"],
                    row["kind"],
                    row["source"],
                    aliases,
                )
            )
    for row in read_csv_rows(GAZETTEERS / "policies.csv"):
        aliases = split_aliases(row["aliases"])
        found.append(
            Record(
                f"policy:{slug(row['canonical_name'])}",
                "policy",
                row["canonical_name"],
                row["kind"],
                row["source"],
                aliases,
            )
        )
    for row in read_csv_rows(GAZETTEERS / "laws.csv"):
        entity_id = row["bwb_id"] or f"law:{slug(row['canonical_name'])}"
        aliases = [a for a in split_aliases(row["short_names"]) if len(a) > 2]
        found.append(Record(entity_id, "law", row["canonical_name"], row["status"], row["source"], aliases))
    by_name = {(r.entity_type, fold(r.canonical)): r for r in found}
    for row in read_csv_rows(GAZETTEERS / "aliases_extra.csv"):
        by_name[(row["entity_type"], fold(row["canonical"]))].aliases.append(row["alias"])
    return found


def ambiguous_names() -> set[str]:
    """Names that are also common words: matched only where they cannot be a capitalised sentence start."""
    return {row["name"] for row in read_csv_rows(GAZETTEERS / "ambiguous_names.csv")}


def name_pattern(
    alias: str, record: Record, tokenizer: Tokenizer, ambiguous: set[str], ministry_words: list[str]
) -> str | list[dict]:
    """A phrase pattern (the folded name, matched on `NORM` by spaCy's PhraseMatcher) where the name needs
    nothing else; a token pattern for ambiguous names and for ministries named in context.

    The linker checks the case of phrase-matched names: an acronym only as written (`BAM`, not `bam`), a
    capitalised name not in lower case, so `best` never becomes the municipality Best.
    """
    acronym = is_acronym(alias)
    ministry_context = record.kind == "ministry" and not acronym and not alias.lower().startswith("ministerie")
    tokens = [t.text for t in tokenizer(alias)]
    phrase_tokens = [t.text for t in tokenizer(fold(alias))]
    if not ministry_context and alias not in ambiguous and phrase_tokens == [fold(t) for t in tokens]:
        return fold(alias)
    pattern: list[dict] = []
    for text in tokens:
        if needs_exact_case(alias):
            pattern.append({"ORTH": text})
        elif text[:1].isupper() and record.entity_type != "law":
            pattern.append({"NORM": fold(text), "IS_LOWER": False})
        else:
            pattern.append({"NORM": fold(text)})
    if alias in ambiguous:
        pattern[0]["IS_SENT_START"] = False
    if ministry_context:
        pattern = [{"LOWER": {"IN": ministry_words}}, {"LOWER": {"IN": ["van", "voor"]}}, *pattern]
    return pattern


def main() -> None:
    nlp = blank_dutch()
    ambiguous = ambiguous_names()
    ministry_words = sorted(load_type_words(MODELS_DIR)["ministry"])
    seen: set[tuple[str, str]] = set()
    patterns = []
    rows = []
    for record in records():
        names: list[str] = []
        for name in [record.canonical, *record.aliases]:
            key = (record.entity_type, fold(name))
            if key in seen:
                if name.islower() and any(fold(known) == fold(name) for known in names):
                    names.append(name)
                continue
            seen.add(key)
            names.append(name)
            patterns.append(
                {
                    "label": record.entity_type,
                    "id": record.entity_id,
                    "pattern": name_pattern(name, record, nlp.tokenizer, ambiguous, ministry_words),
                }
            )
        rows.append(
            [
                record.entity_id,
                record.entity_type,
                record.canonical,
                record.kind,
                ";".join(names[1:] if names[:1] == [record.canonical] else names),
                record.source,
            ]
        )
    for family in ENTITY_TYPES:
        folder = MODELS_DIR / "patterns" / family
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "gazetteer.jsonl").open("w", encoding="utf-8") as handle:
            for pattern in patterns:
                if pattern["label"] == family:
                    handle.write(json.dumps(pattern, ensure_ascii=False, sort_keys=True) + "\n")
    with (MODELS_DIR / "entities.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["entity_id", "entity_type", "canonical", "kind", "aliases", "source"])
        writer.writerows(sorted(rows))
    print(f"{len(rows)} entities, {len(patterns)} patterns")


if __name__ == "__main__":
    main()
