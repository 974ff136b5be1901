"""Every entity linked to a type, canonical name and identifier, with the user's curation applied.

Gazetteer names are matched case-insensitively (on the folded `NORM`); a name written with capitals in
the gazetteer (`Best`, `Den Haag`) does not count where none of those words is capitalised (`best`,
`den haag`), while `ministerie van Sociale Zaken` still does. The knowledge base files travel with the
pipeline (`to_disk`/`from_disk`), so an exported pipeline links as the run did.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from pipeline.ner import law, organisation, place, policy
from pipeline.ner.common import QUOTES, needs_exact_case
from pipeline.ner.knowledge import KNOWLEDGE_BASE_FILES, Entity, KnowledgeBase, load_knowledge_base
from pipeline.ner.memory import TITLE_METHOD
from pipeline.records import CURATION_EFFECTS, ENTITY_SPANS, ENTITY_TYPES
from pipeline.textkeys import fold, slug

FACTORY = "g40_linker"
MODEL_LABELS = {"ORG": "organisation", "GPE": "place", "LOC": "place", "LAW": "law"}


def is_generic_rule(span: Span) -> bool:
    """A match of a generic rule (`rule:…`), which gives way to a gazetteer match of the same words."""
    return span.id_.startswith("rule:")


@Language.factory(FACTORY, default_config={"rule_keys": [], "title_key": ""})
def make_linker(nlp: Language, name: str, rule_keys: list[str], title_key: str) -> EntityLinker:
    """spaCy factory of the entity linker (its knowledge base is loaded by `build_nlp` or read `from_disk`)."""
    return EntityLinker(nlp, rule_keys, title_key)


class EntityLinker:
    """Map every entity of `doc.ents` to a canonical entity into `doc.spans[ENTITY_SPANS]`."""

    def __init__(self, nlp: Language, rule_keys: list[str], title_key: str) -> None:
        self.nlp = nlp
        self.rule_keys = list(rule_keys)
        self.title_key = title_key
        self.source: Path | None = None
        self.use(KnowledgeBase({}, {}, {}, set()))

    def use(self, kb: KnowledgeBase, source: Path | None = None) -> EntityLinker:
        """Link against `kb` (read from the folder `source`, which `to_disk` copies)."""
        self.kb, self.source = kb, source
        self.capitals: dict[tuple[str, str], tuple[bool, ...]] = {}
        self.exact = {key: alias for key, alias in kb.written.items() if needs_exact_case(alias)}
        return self

    def load(self, models_dir: Path) -> EntityLinker:
        """Read the knowledge base files of `models_dir` (validated)."""
        return self.use(load_knowledge_base(models_dir), models_dir)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the knowledge base files beside the pipeline (spaCy serialisation)."""
        if self.source is None:
            raise ValueError(f"{FACTORY}: no knowledge base loaded, nothing to save")
        folder = ensure_path(path)
        folder.mkdir(parents=True, exist_ok=True)
        for name in KNOWLEDGE_BASE_FILES:
            shutil.copyfile(self.source / name, folder / name)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> EntityLinker:
        """Load the knowledge base files saved by `to_disk`."""
        return self.load(ensure_path(path))

    def capitals_of(self, key: tuple[str, str]) -> tuple[bool, ...]:
        """Which tokens of the gazetteer name `key` start with a capital (none for laws, whose names are written
        either way); tokenized when first asked, not for all thousands of names when the pipeline is built."""
        if key not in self.capitals:
            alias = self.kb.written.get(key) if key[0] != "law" else None
            self.capitals[key] = tuple(t.text[:1].isupper() for t in self.nlp.make_doc(alias)) if alias else ()
        return self.capitals[key]

    def written_in_lower_case(self, ent: Span, entity_type: str) -> bool:
        """True where a gazetteer name is not written as the gazetteer requires: an acronym in another case, or a
        capitalised name with none of its capitals."""
        exact = self.exact.get((entity_type, fold(ent.text)))
        if exact is not None:
            return ent.text != exact
        capitals = self.capitals_of((entity_type, fold(ent.text)))
        if len(capitals) != len(ent) or not any(capitals):
            return False
        return all(token.is_lower for required, token in zip(capitals, ent, strict=True) if required)

    def __call__(self, doc: Doc) -> Doc:
        """Link every entity of `doc.ents` into `doc.spans[ENTITY_SPANS]`."""
        rule_spans = sorted(
            (s for key in self.rule_keys for s in doc.spans.get(key, [])), key=is_generic_rule, reverse=True
        )
        from_rules = {(s.start, s.end, s.label_): s.id_ for s in rule_spans}
        from_titles = {(s.start, s.end) for s in doc.spans.get(self.title_key, [])}
        events = self.kb.type_words.get("event_word", set())
        determiners = self.kb.type_words.get("generic_determiner", set())
        neighbourhoods = self.kb.type_words.get("neighbourhood_word", set())
        demonstratives = self.kb.type_words.get("demonstrative", set())
        rivers = self.kb.type_words.get("water_name", set())
        people = place.PersonCues(
            self.kb.type_words.get("person_word", set()),
            self.kb.first_names,
            self.kb.type_words.get("speech_word", set()),
        )
        place_starts = {ent.start for ent in doc.ents if "place" in (ent.label_, MODEL_LABELS.get(ent.label_))}
        linked = []
        for ent in doc.ents:
            entity_type = ent.label_ if ent.label_ in ENTITY_TYPES else MODEL_LABELS.get(ent.label_)
            if entity_type is None:
                continue
            rule_id = from_rules.get((ent.start, ent.end, ent.label_))
            if entity_type == "organisation" and rule_id is not None:
                council_place = organisation.council_of_place(doc, ent, self.kb, rule_id.startswith("rule:"))
                if council_place is not None:
                    ent, entity_type, rule_id = council_place, "place", organisation.COUNCIL_OF_PLACE
            if rule_id and not rule_id.startswith("rule:") and self.written_in_lower_case(ent, entity_type):
                continue
            if rule_id is not None:
                method = "rule" if rule_id.startswith("rule:") or not rule_id else "gazetteer"
            else:
                method = TITLE_METHOD if (ent.start, ent.end) in from_titles else "model"
            if entity_type == "organisation" and organisation.names_an_event(doc, ent, events):
                continue
            if entity_type == "policy" and (
                policy.names_a_kind(doc, ent, determiners)
                or (ent.text.islower() and policy.names_a_kind(doc, ent, demonstratives))
            ):
                continue
            listed: list[Span] = []
            if rule_id == organisation.MINISTER_OF_PERSON:
                cut = organisation.ministry_of_minister(doc, ent, self.kb)
                if cut is None:
                    continue
            else:
                if entity_type == "law":
                    cut = law.cut_run_on(doc, ent, self.kb, bounded=rule_id in law.BOUNDED_RULES)
                elif rule_id == organisation.MINISTRY_RULE:
                    cut = organisation.cut_ministry(doc, ent, self.kb)
                    listed = organisation.listed_ministries(doc, ent, cut, self.kb)
                else:
                    cut = None
            span = cut or Span(doc, ent.start, ent.end, label=entity_type)
            entity = self.link(entity_type, span.text, rule_id or "", doc)
            if entity is None:
                continue
            if entity_type == "place" and (
                place.reads_as_surname(doc, span, entity.entity_id, people)
                or place.names_a_neighbourhood(doc, span, neighbourhoods)
                or place.heads_a_district(doc, span, place_starts)
                or place.names_a_river(span, rivers)
            ):
                continue
            period = policy.year_after(doc, span) if entity_type == "policy" else None
            if period is not None and not entity.canonical.endswith(period.text):
                span = Span(doc, span.start, period.end, label=entity_type)
                entity = Entity(f"{entity.entity_id}-{period.text}", entity_type, f"{entity.canonical} {period.text}")
            span._.canonical, span._.entity_id, span._.method = entity.canonical, entity.entity_id, method
            linked.append(span)
            for name in listed:
                listed_entity = self.link(entity_type, name.text, rule_id or "", doc)
                if listed_entity is not None:
                    name._.canonical, name._.entity_id = listed_entity.canonical, listed_entity.entity_id
                    name._.method = method
                    linked.append(name)
        doc.spans[ENTITY_SPANS] = linked
        return doc

    def link(self, entity_type: str, surface: str, rule_id: str, doc: Doc | None = None) -> Entity | None:
        """The entity a mention names (curation, gazetteer, law words, or a new one), None when dropped.

        Every curation row that changes the mention is counted in `doc.user_data[CURATION_EFFECTS]` (by its
        line in `models/curation.csv`), so a run can say what each row did.
        """
        surface = surface.strip(QUOTES + " ")
        if (entity_type, fold(surface)) in self.kb.dropped:
            return self.curated_by(doc, (entity_type, fold(surface)), None)
        curated = self.kb.curated.get((entity_type, fold(surface)))
        if curated:
            self.curated_by(doc, (entity_type, fold(surface)), None)
        gazetteer_id = rule_id if rule_id and not rule_id.startswith("rule:") else ""
        entity = self.kb.entities.get(curated or gazetteer_id) or self.kb.lookup(entity_type, surface)
        if entity is None and entity_type == "law":
            entity = law.match_law(surface, self.kb)
            if entity is None and rule_id == "rule:bill" and not self.kb.without_type_words(surface)[:1].isupper():
                return None
        if entity is None:
            entity = self.new_entity(entity_type, surface)
        by_name = (entity_type, fold(entity.canonical))
        if by_name in self.kb.dropped:
            return self.curated_by(doc, by_name, None)
        if not curated and by_name in self.kb.curated and self.kb.curated[by_name] != entity.entity_id:
            return self.curated_by(doc, by_name, self.kb.entities[self.kb.curated[by_name]])
        return entity

    def curated_by(self, doc: Doc | None, key: tuple[str, str], entity: Entity | None) -> Entity | None:
        """Count one mention changed by the curation row of `key`; returns `entity` (None: dropped)."""
        if doc is not None:
            effects = doc.user_data.setdefault(CURATION_EFFECTS, {})
            line = self.kb.curation_lines[key]
            effects[line] = effects.get(line, 0) + 1
        return entity

    def new_entity(self, entity_type: str, surface: str) -> Entity:
        """An entity not in the gazetteers, named by its surface without type words (`bureau`, `wetsvoorstel`)."""
        name = self.kb.without_type_words(surface)
        if entity_type == "organisation":
            canonical = organisation.new_organisation_name(surface, name)
        elif entity_type == "law" and name.startswith("Wet "):
            canonical = name
        else:
            canonical = surface.rstrip(" .,;:")
        return Entity(f"{entity_type}:{slug(canonical)}", entity_type, canonical)
