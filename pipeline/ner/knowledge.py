"""The canonical entities (`models/entities.csv`), the user's curation (`models/curation.csv`), type words and
first names.

Every family's linking looks names up here; the linker serialises these files with the pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.resources import EntityRow, FirstName, TypeWord, load_curation, read_rows
from pipeline.textkeys import fold, slug

KNOWLEDGE_BASE_FILES = ("entities.csv", "curation.csv", "type_words.csv", "first_names.csv")


@dataclass(frozen=True)
class Entity:
    """A canonical entity: identifier, type and name."""

    entity_id: str
    entity_type: str
    canonical: str


@dataclass
class KnowledgeBase:
    """Canonical entities (`models/entities.csv`) and user curation (`models/curation.csv`)."""

    entities: dict[str, Entity]
    aliases: dict[tuple[str, str], str]
    curated: dict[tuple[str, str], str]
    dropped: set[tuple[str, str]]
    written: dict[tuple[str, str], str] = field(default_factory=dict)
    type_words: dict[str, set[str]] = field(default_factory=dict)
    law_stems: dict[str, set[str]] = field(default_factory=dict)
    curation_lines: dict[tuple[str, str], int] = field(default_factory=dict)
    first_names: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        articles = "|".join(sorted(self.type_words.get("article", set())))
        types = "|".join(
            sorted(
                set().union(*(self.type_words.get(role, set()) for role in ("ministry", "bill", "agency"))),
                key=len,
                reverse=True,
            )
        )
        self.type_prefix = re.compile(rf"^(?:(?:{articles})\s+)?(?:(?:{types})\s+(?:(?:van|voor)\s+)?)?", re.I)
        for (entity_type, alias), entity_id in self.aliases.items():
            if entity_type == "law":
                self.law_stems.setdefault(entity_id, set()).update(self.stems(alias))

    def without_type_words(self, surface: str) -> str:
        """`het ministerie van BZK` → `BZK`, `wetsvoorstel Regie volkshuisvesting` → `Regie volkshuisvesting`."""
        return self.type_prefix.sub("", surface)

    def stems(self, law_name: str) -> set[str]:
        """Content-word stems of a law name: `Versterken regie op de volkshuisvesting` ~ `Wet versterking regie volkshuisvesting`."""
        function_words = self.type_words.get("law_function_word", set()) | self.type_words.get("bill", set())
        return {w[:7] for w in re.findall(r"[a-z0-9]+", fold(law_name)) if w not in function_words}

    def lookup(self, entity_type: str, surface: str) -> Entity | None:
        """Curation first, then the gazetteer names; both with and without type words (`ministerie van`)."""
        for candidate in (fold(surface), fold(self.without_type_words(surface))):
            entity_id = self.curated.get((entity_type, candidate)) or self.aliases.get((entity_type, candidate))
            if entity_id:
                return self.entities[entity_id]
        return None


def load_knowledge_base(models_dir: Path) -> KnowledgeBase:
    """The canonical entities with their aliases, the curation file, the type words and the first names, validated."""
    entities_file, curation_file, type_words_file, first_names_file = (models_dir / n for n in KNOWLEDGE_BASE_FILES)
    entity_rows = read_rows(entities_file, EntityRow)
    curation_rows = load_curation(curation_file)
    type_word_rows = read_rows(type_words_file, TypeWord)
    entities: dict[str, Entity] = {}
    aliases: dict[tuple[str, str], str] = {}
    written: dict[tuple[str, str], str] = {}
    for row in entity_rows.rows:
        entity = Entity(row.entity_id, row.entity_type, row.canonical)
        entities[entity.entity_id] = entity
        for alias in row.names:
            aliases.setdefault((entity.entity_type, fold(alias)), entity.entity_id)
            key = (entity.entity_type, fold(alias))
            if key not in written or alias.islower():
                written[key] = alias
    dropped: set[tuple[str, str]] = set()
    curated: dict[tuple[str, str], str] = {}
    curation_lines: dict[tuple[str, str], int] = {}
    for line, curation in curation_rows.numbered():
        curation_lines[curation.key] = line
        if curation.action == "drop":
            dropped.add((curation.entity_type, fold(curation.name)))
            continue
        target = next(
            (
                e
                for e in entities.values()
                if e.entity_type == curation.entity_type and fold(e.canonical) == fold(curation.target)
            ),
            None,
        )
        if target is None:
            target = Entity(f"{curation.entity_type}:{slug(curation.target)}", curation.entity_type, curation.target)
            entities[target.entity_id] = target
        curated[(curation.entity_type, fold(curation.name))] = target.entity_id
    first_names = frozenset(row.name for row in read_rows(first_names_file, FirstName).rows)
    return KnowledgeBase(
        entities,
        aliases,
        curated,
        dropped,
        written,
        type_words_by_role(type_word_rows.rows),
        {},
        curation_lines,
        first_names,
    )


def type_words_by_role(rows: Iterable[TypeWord]) -> dict[str, set[str]]:
    """Words that say what kind of name follows (`ministerie`, `wetsvoorstel`, `bureau`), by role."""
    roles: dict[str, set[str]] = {}
    for row in rows:
        roles.setdefault(row.role, set()).add(row.word)
    return roles


def load_type_words(models_dir: Path) -> dict[str, set[str]]:
    """`models/type_words.csv` by role."""
    return type_words_by_role(read_rows(models_dir / "type_words.csv", TypeWord).rows)
