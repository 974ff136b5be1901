"""One set of entities from all families: rule spans over a statistical model's, the longest name first.

Each family ruler writes its own spans key; this component, `g40_entity_merge`, merges them into `doc.ents`
so that the outcome does not depend on the order of the families: overlapping rule names keep the longest
(then the earliest), rule names replace overlapping model entities, and a policy title never overlaps a law
unless it is a quoted title that holds the law's name (`het programma 'Aan de slag met de Omgevingswet'`, `de brief
'Participatiewet in balans'`).
The cue words before a quoted title (`City Deal 'Circulaire Stad'`) are no dossier of their own, and a name
after an organisation's class noun (`de waterschappen Rivierenland, …`, `de vervoerregio's MRDH`) is that
organisation, not the place of the same name.
An unknown capitalised name listed with known ones of one type (`Divosa, Cedris en het UWV`, `Tubbergen,
Ootmarsum en Haaksbergen`) is of that type too (pattern id `rule:coordinated`, in that family's spans key),
unless the name is the tail of a hyphenated compound (`Rotterdam-Zuid`) or the known name it is listed
with is itself only part of a longer name (`Woonstad Rotterdam, Portaal`) or a surname (`Tom Horn en …`).
"""

from __future__ import annotations

import shutil
from collections.abc import Collection, Iterable
from itertools import pairwise
from pathlib import Path

from spacy.language import Language
from spacy.pipeline.span_ruler import prioritize_new_ents_filter
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, filter_spans

from pipeline.ner.common import joined_by_hyphen, overlaps
from pipeline.ner.knowledge import load_type_words
from pipeline.ner.organisation.factory import APPOSITION
from pipeline.ner.place.naming import reads_as_surname
from pipeline.ner.policy.titles import CUES_SUFFIX

FACTORY = "g40_entity_merge"
COORDINATED = "rule:coordinated"
COORDINATED_TYPES = ("organisation", "place")
LIST_WORDS = (",", "en", "of")
ARTICLES = ("de", "het")
NAME_ENDS = (".", ";", ")", ":", "?", "!")
"""A listed name ends at a list word or punctuation: `Hugo de Jonge` or `Postbus 20011` are no listed names."""
MAX_NAME_TOKENS = 3
REGIONAL_BRANCH = "rule:regional-branch"
COOPERATION = "rule:city-cooperation"
COOPERATION_WORD = "Regio"
"""Capitalised before a municipality it names the cooperation around it (`Regio Alkmaar`), an organisation; in
lower case the area (`de regio Alkmaar`, an `area_word` in `models/type_words.csv`)."""
MUNICIPALITY_ID = "GM"
AREA_IDS = ("PV", "place:", "rule:compass-region", "rule:metropolitan-region")
"""The ids of countries, provinces and regions (`models/entities.csv`, `models/patterns/place/rules.jsonl`)."""


@Language.factory(FACTORY, default_config={"rule_keys": [], "title_key": ""})
def make_entity_resolver(nlp: Language, name: str, rule_keys: list[str], title_key: str) -> EntityResolver:
    """spaCy factory of the merging component; `rule_keys` are the families' spans keys."""
    return EntityResolver(rule_keys, title_key)


TYPE_WORDS_FILE = "type_words.csv"


class EntityResolver:
    """Merge the family spans, the policy titles and any model entities into `doc.ents`."""

    def __init__(self, rule_keys: list[str], title_key: str) -> None:
        self.rule_keys = list(rule_keys)
        self.title_key = title_key
        self.person_titles: set[str] = set()
        self.source: Path | None = None

    def load(self, models_dir: Path) -> EntityResolver:
        """Read the person titles (`person_word` in `models/type_words.csv`): a name right after one is a
        person's, and lends or takes no type in a list (`minister Grapperhaus en de Nationale Politie`)."""
        self.source = models_dir / TYPE_WORDS_FILE
        self.person_titles = load_type_words(models_dir).get("person_word", set())
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the type words beside the pipeline (spaCy serialisation)."""
        folder = ensure_path(path)
        folder.mkdir(parents=True, exist_ok=True)
        if self.source is not None:
            shutil.copyfile(self.source, folder / TYPE_WORDS_FILE)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> EntityResolver:
        """Load the type words saved by `to_disk` (none saved: no person titles)."""
        folder = ensure_path(path)
        return self.load(folder) if (folder / TYPE_WORDS_FILE).exists() else self

    def __call__(self, doc: Doc) -> Doc:
        """Set `doc.ents` from the families' spans keys (the model's entities lose where they overlap)."""
        cues = doc.spans.get(self.title_key + CUES_SUFFIX, [])
        spans = {span for key in self.rule_keys for span in doc.spans.get(key, [])}
        after_class_noun = {(span.start, span.end) for span in spans if span.id_ == APPOSITION}
        rules = sorted(
            span
            for span in spans
            if not (span.label_ == "policy" and any(within(span, cue) for cue in cues))
            and not (span.label_ != "organisation" and (span.start, span.end) in after_class_noun)
        )
        ents = prioritize_new_ents_filter(list(doc.ents), rules)
        cued = {cue.end + 1 for cue in cues if any(token.lower_ not in ARTICLES for token in cue)}
        titles = [
            title
            for title in doc.spans.get(self.title_key, [])
            if not any(overlaps(title, ent) and not holds_law(title, ent, cued) for ent in ents if ent.label_ == "law")
            and not any(within(title, cue) for cue in cues)
        ]
        doc.ents = filter_spans([*titles, *ents])
        branches = regional_branches(doc) + city_cooperations(doc)
        if branches:
            doc.ents = filter_spans([*branches, *doc.ents])
            self.add_to_family(doc, branches)
        for _ in range(2):
            listed = coordinated_names(doc, self.person_titles)
            if not listed:
                break
            doc.ents = sorted([*doc.ents, *listed])
            self.add_to_family(doc, listed)
        return doc

    def add_to_family(self, doc: Doc, found: list[Span]) -> None:
        """Add names found here to their family's spans key, where the linker looks up how they were found."""
        for span in found:
            key = next((key for key in self.rule_keys if key.endswith(span.label_)), None)
            if key is not None:
                doc.spans[key] = [*doc.spans.get(key, []), span]


def regional_branches(doc: Doc) -> list[Span]:
    """An organisation followed at once by a country, province or region is one organisation, its branch
    there (`Vluchtelingenwerk Oost-Nederland`, `GGD Fryslân`): the area names no place of its own
    (docs/ANNOTATION.md). A municipality or village after it stays a place (`ChristenUnie Zwolle`)."""
    return [
        Span(doc, name.start, area.end, label="organisation", span_id=REGIONAL_BRANCH)
        for name, area in pairwise(doc.ents)
        if name.label_ == "organisation"
        and area.label_ == "place"
        and name.end == area.start
        and doc[name.end - 1].whitespace_
        and area.id_.startswith(AREA_IDS)
        and not doc[area.start].is_sent_start
    ]


def city_cooperations(doc: Doc) -> list[Span]:
    """`Regio Alkmaar`: the cooperation of a municipality and its neighbours is one organisation, and the
    municipality names no place of its own there (`Regio Groningen-Assen` names two cities and is left alone)."""
    return [
        Span(doc, ent.start - 1, ent.end, label="organisation", span_id=COOPERATION)
        for ent in doc.ents
        if ent.label_ == "place"
        and ent.id_.startswith(MUNICIPALITY_ID)
        and ent.start > 0
        and doc[ent.start - 1].text == COOPERATION_WORD
        and not joined_by_hyphen(doc, ent.end)
    ]


def within(span: Span, outer: Span) -> bool:
    """`span` lies inside `outer`."""
    return outer.start <= span.start and span.end <= outer.end


def holds_law(title: Span, law: Span, cued: set[int]) -> bool:
    """A quoted title that holds a law's name and is longer, or follows a cue word (`het programma
    'Participatiewet in balans'`; `cued`: where titles after a cue word start, an article alone is none:
    `de 'Omgevingswet'` is the law): the title is the dossier."""
    quoted = title.id_.startswith("quoted") and within(law, title)
    return quoted and (len(title) > len(law) or title.start in cued)


def coordinated_names(doc: Doc, person_titles: Collection[str] = ()) -> list[Span]:
    """Capitalised names, not yet entities, listed beside an entity of one type (`X, Y en het Z`); a name that
    is an entity of another type elsewhere in the text keeps that type, one right after an entity is the
    rest of a longer name (`Almere Poort en Almere Haven`: districts, no places), and one right after a
    person's title is a person's (`minister Grapperhaus en de Nationale Politie`)."""
    taken = {i for ent in doc.ents for i in range(ent.start, ent.end)}
    labelled = {token.text: ent.label_ for ent in doc.ents for token in ent if token.text[:1].isupper()}
    ending = {ent.end: ent for ent in doc.ents if stands_alone(doc, ent, taken)}
    starting = {ent.start: ent for ent in doc.ents if stands_alone(doc, ent, taken)}
    found = []
    position = 0
    while position < len(doc):
        end = position
        while end < len(doc) and end - position < MAX_NAME_TOKENS and is_name_token(doc, end, taken):
            end += 1
        if end == position:
            position += 1
            continue
        if end < len(doc) and doc[end].lower_ not in LIST_WORDS and doc[end].text not in NAME_ENDS:
            position = end
            continue
        after_a_title = position > 0 and doc[position - 1].lower_ in person_titles
        if in_compound(doc, position) or after_a_person(doc, position, taken) or after_a_title or position - 1 in taken:
            position = end
            continue
        types = {ent.label_ for ent in (listed_before(doc, position, ending), listed_after(doc, end, starting)) if ent}
        known_as = {labelled[token.text] for token in doc[position:end] if token.text in labelled}
        if len(types) == 1 and (label := types.pop()) in COORDINATED_TYPES and known_as <= {label}:
            found.append(Span(doc, position, end, label=label, span_id=COORDINATED))
        position = end
    return found


def in_compound(doc: Doc, start: int) -> bool:
    """The word at `start` is glued by a hyphen to the word before it: `Zuid` in `Rotterdam-Zuid`."""
    return start >= 2 and doc[start - 1].text == "-" and not doc[start - 2].whitespace_


def after_a_person(doc: Doc, start: int, taken: set[int]) -> bool:
    """The word at `start` opens a bracket after a name no entity covers, a person's: `Sanne Veldkamp (Wonen,
    D66)` gives a portfolio and a party, and the portfolio is no organisation."""
    return start >= 2 and doc[start - 1].text == "(" and is_name_token(doc, start - 2, taken)


def stands_alone(doc: Doc, ent: Span, taken: set[int]) -> bool:
    """An entity that can lend its type to names listed with it: not a place that is only the tail of a longer
    capitalised name (`Woonstad Rotterdam`, `Arnhem-Zuid`), nor a village read as a surname."""
    if ent.label_ != "place":
        return True
    if reads_as_surname(doc, ent, ent.id_):
        return False
    if ent.end < len(doc) - 1 and doc[ent.end].text == "-" and not doc[ent.end - 1].whitespace_:
        return False
    return not (ent.start > 0 and is_name_token(doc, ent.start - 1, taken - set(range(ent.start, ent.end))))


def is_name_token(doc: Doc, i: int, taken: set[int]) -> bool:
    """A capitalised word inside a sentence that no entity covers."""
    token = doc[i]
    return (
        i not in taken and not token.is_sent_start and token.text[:1].isupper() and any(c.isalpha() for c in token.text)
    )


def listed_before(doc: Doc, start: int, ending: dict[int, Span]) -> Span | None:
    """The entity just before `start` across a list word: `Divosa, ` or `de IVBN en `."""
    if start < 2 or doc[start - 1].lower_ not in LIST_WORDS:
        return None
    return ending.get(start - 1)


def listed_after(doc: Doc, end: int, starting: dict[int, Span]) -> Span | None:
    """The entity just after `end` across a list word and an article: ` en het UWV`."""
    if end >= len(doc) or doc[end].lower_ not in LIST_WORDS:
        return None
    after = end + 1
    if after < len(doc) and doc[after].lower_ in ARTICLES:
        after += 1
    return starting.get(after)
