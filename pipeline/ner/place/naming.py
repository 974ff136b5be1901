"""When a place name is a person's name: many villages and towns are also surnames (`wethouder Jeroen Baars`,
`wethouder Van Veldhoven`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from pipeline.ner.common import joined_by_hyphen
from pipeline.textkeys import fold

VILLAGE_ID_PREFIX = "WP"
"""Woonplaatsen from `models/gazetteers/woonplaatsen.csv` have ids `WP<BAG woonplaatscode>`."""
SURNAME_PREFIXES = ("Van", "De", "Den", "Ter", "Ten", "Te", "Op")
"""Capitalised inside a sentence, these begin a surname (`Van Putten`, `Ter Apel` is a village only after a
sentence start or a preposition in lower case)."""
SURNAME_PARTICLES = ("van", "de", "der", "den", "ter", "ten", "te", "'t", "’t")
"""In lower case after a first name they begin a surname too: `Eddy van Hijum`, `Jan van der Meer`."""
CLAUSE_ENDS = (".", ";", ":", "!", "?", ")")
"""A speaker's name after `aldus`, `zei` … ends the clause; `zeggen Amsterdam, Rotterdam en …` lists cities."""


@dataclass(frozen=True)
class PersonCues:
    """What marks a person's name: titles (`person_word` in `models/type_words.csv`), first names
    (`models/first_names.csv`) and words that report speech (`speech_word`: `aldus`, `zei`)."""

    titles: Collection[str] = ()
    first_names: Collection[str] = ()
    speech_words: Collection[str] = ()


def reads_as_surname(doc: Doc, span: Span, entity_id: str, cues: PersonCues = PersonCues()) -> bool:
    """A one-word place that is a person's surname:
    - after a first name that is no stop word (`Dan Utrecht` is no person), with or without `van`, `de`,
      `van der` … (`Peter Mierlo`, `wethouder Paul de Kampen`);
    - after a capitalised `Van`, `De`, `Ter`, … inside a sentence (`wethouder Van Putten`);
    - after a title and a capitalised word (`wethouder Marleen Kampen`);
    - a village right after a word that reports speech, ending the clause (`, aldus Mierlo.`; a city may speak
      as a municipality: `benadrukt Eindhoven.`);
    - a village after a capitalised word inside a sentence (a first name the list lacks), also after `van` …,
      or in a double surname (`De Wit-Hoogland`)."""
    if len(span) != 1 or span.start == 0:
        return False
    before = doc[span.start - 1]
    first = span.start - 1
    while first > 0 and doc[first].text in SURNAME_PARTICLES:
        first -= 1
    if doc[first].text in cues.first_names and not doc[first].is_stop and doc[first].text not in SURNAME_PARTICLES:
        return True
    if before.text in SURNAME_PREFIXES and not before.is_sent_start:
        return True
    if span.start >= 2 and doc[span.start - 2].lower_ in cues.titles and before.is_title and before.is_alpha:
        return True
    if not entity_id.startswith(VILLAGE_ID_PREFIX):
        return False
    if before.lower_ in cues.speech_words and (span.end == len(doc) or doc[span.end].text in CLAUSE_ENDS):
        return True
    if first < span.start - 1:
        return doc[first].is_alpha and doc[first].is_title and not doc[first].is_sent_start
    if joined_by_hyphen(doc, span.start - 1):
        return doc[span.start - 2].is_alpha and doc[span.start - 2].text[:1].isupper()
    return before.is_alpha and before.text[:1].isupper() and not before.is_sent_start


def heads_a_district(doc: Doc, span: Span, place_starts: Collection[int]) -> bool:
    """`Heerlen-Noord`, `Groningen-Selwerd`: a place glued by a hyphen to a capitalised word that starts no place
    begins the name of a district, which is no place of its own (docs/ANNOTATION.md); `Apeldoorn-Deventer`
    names two places."""
    end = span.end
    return joined_by_hyphen(doc, end) and doc[end + 1].text[:1].isupper() and end + 1 not in place_starts


def names_a_river(span: Span, rivers: set[str]) -> bool:
    """`de Waal`, `Rijn`: a river (`water_name` in `models/type_words.csv`) is no place (docs/ANNOTATION.md), also
    where a village has its name."""
    words = span.text.split()
    if len(words) > 1 and words[0].lower() in ("de", "het"):
        words = words[1:]
    return fold(" ".join(words)) in rivers


def names_a_neighbourhood(doc: Doc, span: Span, neighbourhood_words: set[str]) -> bool:
    """A name after `wijk`, `stadsdeel`, `de wijken A, B en …` (`neighbourhood_word` in `models/type_words.csv`)
    is a neighbourhood, which is no place of its own (docs/ANNOTATION.md): `de wijk Hoogvliet`."""
    position = span.start - 1
    while position >= 0 and (
        doc[position].text == ","
        or doc[position].lower_ == "en"
        or (doc[position].text[:1].isupper() and not doc[position].is_sent_start)
    ):
        position -= 1
    return position >= 0 and doc[position].lower_ in neighbourhood_words
