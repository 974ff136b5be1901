"""When a place name is a person's name: many villages and towns are also surnames (`wethouder Jeroen Baars`,
`wethouder Van Veldhoven`)."""

from __future__ import annotations

from collections.abc import Collection

from spacy.tokens import Doc, Span

from pipeline.textkeys import fold

VILLAGE_ID_PREFIX = "WP"
"""Woonplaatsen from `models/gazetteers/woonplaatsen.csv` have ids `WP<BAG woonplaatscode>`."""
SURNAME_PREFIXES = ("Van", "De", "Den", "Ter", "Ten", "Te", "Op")
"""Capitalised inside a sentence, these begin a surname (`Van Putten`, `Ter Apel` is a village only after a
sentence start or a preposition in lower case)."""
SURNAME_PARTICLES = ("van", "de", "der", "den", "ter", "ten", "te", "'t", "’t")
"""In lower case after a first name they begin a surname too: `Eddy van Hijum`, `Jan van der Meer`."""


def reads_as_surname(doc: Doc, span: Span, entity_id: str, person_words: Collection[str] = ()) -> bool:
    """A one-word village name right after a capitalised word inside a sentence (a first name) or in a double
    surname (`De Wit-Hoogland`) is a surname; so is any one-word place right after a capitalised `Van`, `De`,
    `Ter`, … inside a sentence (`wethouder Van Putten`), and any one-word place after a person's title and first
    name (`person_word` in `models/type_words.csv`: `wethouder Marleen Kampen`); a village after a first name
    and `van`, `de`, `van der` … in lower case is one too (`Eddy van Hijum`)."""
    if len(span) != 1 or span.start == 0:
        return False
    before = doc[span.start - 1]
    if before.text in SURNAME_PREFIXES and not before.is_sent_start:
        return True
    if span.start >= 2 and doc[span.start - 2].lower_ in person_words and before.is_title and before.is_alpha:
        return True
    if not entity_id.startswith(VILLAGE_ID_PREFIX):
        return False
    first = span.start - 1
    while first > 0 and doc[first].text in SURNAME_PARTICLES:
        first -= 1
    if first < span.start - 1:
        return doc[first].is_alpha and doc[first].is_title and not doc[first].is_sent_start
    if before.text == "-" and span.start >= 2 and not doc[span.start - 2].whitespace_ and not before.whitespace_:
        return doc[span.start - 2].is_alpha and doc[span.start - 2].text[:1].isupper()
    return before.is_alpha and before.text[:1].isupper() and not before.is_sent_start


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
