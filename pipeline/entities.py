"""Stage 3: Dutch entities with spaCy — organisations, places, laws and policy dossiers, linked to canonicals.

One factory, `build_nlp`, assembles the pipeline: the statistical model when installed (else a blank
Dutch pipeline with a sentencizer), then spaCy's `span_ruler` with the pattern files in
`models/patterns/` (rules win where they overlap the model), a `Matcher`-based component for policy
titles, and a linker that gives every mention a canonical name and identifier from `models/entities.csv`
and `models/curation.csv`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, filter_spans

from pipeline.clean import zipf
from pipeline.config import MODELS_DIR
from pipeline.records import ENTITY_SPANS, ENTITY_TYPES
from pipeline.resources import EntityRow, SpanPattern, TypeWord, load_curation, read_rows
from pipeline.textkeys import fold, slug

log = logging.getLogger(__name__)

KNOWLEDGE_BASE_FILES = ("entities.csv", "curation.csv", "type_words.csv")
MODEL_LABELS = {"ORG": "organisation", "GPE": "place", "LOC": "place", "LAW": "law"}
RULE_SPANS = "g40_rules"
TITLE_SPANS = "g40_titles"
CURATION_EFFECTS = "g40_curation"
HYPHEN_INFIX = r"(?<=[\w])-(?=[\w])"
QUOTES = "'\""
VERY_FREQUENT_ZIPF = 6.0

for name in ("canonical", "entity_id", "method"):
    if not Span.has_extension(name):
        Span.set_extension(name, default="")


def is_acronym(alias: str) -> bool:
    """A short single word with two or more capitals: `VNG`, `IenW`, `BZK`."""
    return " " not in alias and len(alias) <= 6 and sum(c.isupper() for c in alias) >= 2


def needs_exact_case(alias: str) -> bool:
    """Short or mixed-case acronyms (`BAM`, `RUG`, `IenW`) are also words in lower case: match them as written."""
    return is_acronym(alias) and (len(alias) <= 4 or not alias.isupper())


def customise_tokenizer(nlp: Language) -> Language:
    """Split hyphenated compounds so `VNG-lobby` and `Apeldoorn-Deventer` expose their names."""
    infixes = [*(nlp.Defaults.infixes or []), HYPHEN_INFIX]
    tokenizer: Tokenizer = nlp.tokenizer  # type: ignore[assignment]
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return nlp


# --- knowledge base -------------------------------------------------------------------------------


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
    """The canonical entities with their aliases, the curation file and the type words, validated."""
    entities_file, curation_file, type_words_file = (models_dir / name for name in KNOWLEDGE_BASE_FILES)
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
            written.setdefault((entity.entity_type, fold(alias)), alias)
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
    return KnowledgeBase(
        entities, aliases, curated, dropped, written, type_words_by_role(type_word_rows.rows), {}, curation_lines
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


def match_law(surface: str, kb: KnowledgeBase) -> Entity | None:
    """A law written in other words: every content word of the mention occurs in exactly one known law."""
    stems = kb.stems(surface)
    if not stems:
        return None
    candidates = [entity_id for entity_id, known in kb.law_stems.items() if stems <= known]
    return kb.entities[candidates[0]] if len(candidates) == 1 else None


# --- spaCy components -----------------------------------------------------------------------------


@Language.component("g40_fold_norms")
def fold_norms(doc: Doc) -> Doc:
    """Set `NORM` to the folded text so patterns match regardless of case, diacritics and OCR accents."""
    for token in doc:
        token.norm_ = fold(token.text)
    return doc


@Language.component("g40_quote_sentences")
def keep_quoted_titles_in_sentence(doc: Doc) -> Doc:
    """Undo a sentencizer split after `!`/`?` inside a quoted title: `het manifest 'Geen pleisters meer!' opgesteld`."""
    for token in doc[2:]:
        if (
            token.is_sent_start
            and token.text[:1].islower()
            and doc[token.i - 1].text in QUOTES
            and doc[token.i - 2].text in "!?"
        ):
            token.is_sent_start = False
    return doc


@Language.factory("g40_titles", default_config={"patterns_path": str(MODELS_DIR / "patterns" / "titles.jsonl")})
def make_title_finder(nlp: Language, name: str, patterns_path: str) -> TitleFinder:
    """spaCy factory of the policy-title component."""
    return TitleFinder(nlp, Path(patterns_path))


class TitleFinder:
    """Policy dossiers named by title: `manifest 'Geen pleisters meer!'`, `Hervormingsagenda Jeugd`.

    Pattern ids say which part of a match is the title: `quoted` (between the quotes), `after-trigger`
    (everything after the first token) or `whole`.
    """

    def __init__(self, nlp: Language, patterns_path: Path) -> None:
        self.matcher = Matcher(nlp.vocab, validate=True)
        for pattern in read_rows(patterns_path, SpanPattern).rows:
            self.matcher.add(pattern.id, [pattern.pattern])  # type: ignore[list-item]

    def __call__(self, doc: Doc) -> Doc:
        """Mark policy titles and put them in `doc.ents`, never over a law."""
        titles = []
        for match_id, start, end in self.matcher(doc):
            kind = doc.vocab.strings[match_id]
            found = self.title_spans(doc, kind, start, end)
            titles += found
            if kind.startswith("quoted") and found:
                titles += self.listed_after(doc, found[-1])
        titles = [t for t in filter_spans(titles) if not any(_overlaps(t, e) and e.label_ == "law" for e in doc.ents)]
        doc.spans[TITLE_SPANS] = titles
        doc.ents = filter_spans([*titles, *doc.ents])
        return doc

    def listed_after(self, doc: Doc, title: Span) -> list[Span]:
        """Further quoted titles in the same enumeration: `'A', 'B' en 'C'`."""
        listed = []
        position = title.end + 1
        while position + 2 < len(doc) and doc[position].text in (",", "en") and doc[position + 1].text in QUOTES:
            close = next((i for i in range(position + 2, min(len(doc), position + 16)) if doc[i].text in QUOTES), None)
            if close is None:
                break
            listed += self.title_spans(doc, "quoted", position + 1, close + 1)
            position = close + 1
        return listed

    @staticmethod
    def title_spans(doc: Doc, kind: str, start: int, end: int) -> list[Span]:
        """The title part of a match: between the quotes, after the trigger word, or all of it. A quoted
        phrase in lower case (`'netcongestie'`, `'circulair bouwen'`) names a theme, not a title."""
        if kind.startswith("quoted"):
            quotes = [i for i in range(start, end) if doc[i].text in QUOTES]
            bounds = [(a + 1, b) for a, b in zip(quotes[::2], quotes[1::2], strict=False)]
        else:
            bounds = [(start + 1 if kind.startswith("after-trigger") else start, end)]
        spans = []
        if kind.startswith("quoted"):
            bounds = [(first, last) for first, last in bounds if first < last and not doc[first].text[:1].islower()]
        for first, last in bounds:
            while (
                last < len(doc) - 1
                and doc[last].text == "-"
                and not doc[last - 1].whitespace_
                and doc[last + 1].is_alpha
            ):
                last += 2
            while last > first and doc[last - 1].is_punct and doc[last - 1].text not in "!?":
                last -= 1
            if last > first:
                spans.append(Span(doc, first, last, label="policy"))
        return spans


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


@Language.factory("g40_linker", default_config={"models_dir": str(MODELS_DIR)})
def make_linker(nlp: Language, name: str, models_dir: str) -> EntityLinker:
    """spaCy factory of the entity linker."""
    return EntityLinker(nlp, load_knowledge_base(Path(models_dir)))


class EntityLinker:
    """Map every entity to a type, canonical name and identifier; apply the curation file.

    Gazetteer names are matched case-insensitively (PhraseMatcher on the folded `NORM`); a name written
    with capitals in the gazetteer (`Best`, `Den Haag`) does not count where none of those words is
    capitalised (`best`, `den haag`), while `ministerie van Sociale Zaken` still does.
    """

    def __init__(self, nlp: Language, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.capitals = {
            key: tuple(t.text[:1].isupper() for t in nlp.make_doc(alias))
            for key, alias in kb.written.items()
            if key[0] != "law"
        }
        self.exact = {key: alias for key, alias in kb.written.items() if needs_exact_case(alias)}

    def written_in_lower_case(self, ent: Span, entity_type: str) -> bool:
        """True where a gazetteer name is not written as the gazetteer requires: an acronym in another case, or a
        capitalised name with none of its capitals."""
        exact = self.exact.get((entity_type, fold(ent.text)))
        if exact is not None:
            return ent.text != exact
        capitals = self.capitals.get((entity_type, fold(ent.text)), ())
        if len(capitals) != len(ent) or not any(capitals):
            return False
        return all(token.is_lower for required, token in zip(capitals, ent, strict=True) if required)

    def __call__(self, doc: Doc) -> Doc:
        """Link every entity of `doc.ents` into `doc.spans[ENTITY_SPANS]`."""
        from_rules = {(s.start, s.end, s.label_): s.id_ for s in doc.spans.get(RULE_SPANS, [])}
        from_titles = {(s.start, s.end) for s in doc.spans.get(TITLE_SPANS, [])}
        linked = []
        for ent in doc.ents:
            entity_type = ent.label_ if ent.label_ in ENTITY_TYPES else MODEL_LABELS.get(ent.label_)
            if entity_type is None:
                continue
            rule_id = from_rules.get((ent.start, ent.end, ent.label_))
            if rule_id and not rule_id.startswith("rule:") and self.written_in_lower_case(ent, entity_type):
                continue
            if rule_id is not None:
                method = "rule" if rule_id.startswith("rule:") or not rule_id else "gazetteer"
            else:
                method = "rule" if (ent.start, ent.end) in from_titles else "model"
            if entity_type == "organisation" and self.names_an_event(doc, ent):
                continue
            span = self.known_prefix(doc, ent, entity_type) or Span(doc, ent.start, ent.end, label=entity_type)
            entity = self.link(entity_type, span.text, rule_id or "", doc)
            if entity is None:
                continue
            span._.canonical, span._.entity_id, span._.method = entity.canonical, entity.entity_id, method
            linked.append(span)
        doc.spans[ENTITY_SPANS] = linked
        return doc

    def names_an_event(self, doc: Doc, ent: Span) -> bool:
        """An organisation-looking name that ends in, or runs into, an event word (`… Netwerk Dagen`)."""
        events = self.kb.type_words.get("event_word", set())
        following = doc[ent.end].lower_ if ent.end < len(doc) else ""
        return ent[-1].lower_ in events or following in events

    def known_prefix(self, doc: Doc, ent: Span, entity_type: str) -> Span | None:
        """Cut back a law name that runs on into the sentence: to a known law (`Wet betaalbare huur
        ongewijzigd`), else before the first very frequent word (`Wet digitale overheidsdiensten komt`)."""
        if entity_type != "law" or self.kb.lookup(entity_type, ent.text):
            return None
        for end in range(ent.end - 1, ent.start + 1, -1):
            if self.kb.lookup(entity_type, doc[ent.start : end].text):
                return Span(doc, ent.start, end, label=entity_type)
        for end in range(ent.start + 2, ent.end):
            if zipf(doc[end].lower_) >= VERY_FREQUENT_ZIPF:
                return Span(doc, ent.start, end, label=entity_type)
        return None

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
            entity = match_law(surface, self.kb)
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
        if entity_type == "organisation" and surface.lower().startswith("ministerie"):
            canonical = f"Ministerie van {name}"
        elif entity_type == "organisation" or (entity_type == "law" and name.startswith("Wet ")):
            canonical = name
        else:
            canonical = surface.rstrip(" .,;:")
        return Entity(f"{entity_type}:{slug(canonical)}", entity_type, canonical)
