"""What an organisation-looking name is: an event (`… Netwerk Dagen`) is not an organisation; a new name drops its type words."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from pipeline.ner.knowledge import KnowledgeBase

MINISTER_OF_PERSON = "rule:minister-person"
MINISTRY_RULE = "rule:ministry"
COUNCIL_OF_PLACE = "rule:council-of-place"


def names_an_event(doc: Doc, ent: Span, event_words: set[str]) -> bool:
    """An organisation-looking name that ends in, or runs into, an event word (`… Netwerk Dagen`)."""
    following = doc[ent.end].lower_ if ent.end < len(doc) else ""
    return ent[-1].lower_ in event_words or following in event_words


def new_organisation_name(surface: str, without_type_words: str) -> str:
    """The canonical name of an organisation no gazetteer knows: `ministerie van BZK` → `Ministerie van BZK`."""
    if surface.lower().startswith("ministerie"):
        return f"Ministerie van {without_type_words}"
    return without_type_words


def ministry_of_minister(doc: Doc, ent: Span, kb: KnowledgeBase) -> Span | None:
    """The ministry in `minister Karien van Gennip van Sociale Zaken en Werkgelegenheid`: the longest known
    organisation after a `van`/`voor` that follows the person's name; None when there is none."""
    for i in range(ent.start + 1, ent.end - 1):
        if doc[i].lower_ not in ("van", "voor") or not doc[i + 1].text[:1].isupper():
            continue
        for end in range(ent.end, i + 1, -1):
            name = doc[i + 1 : end].text
            if kb.lookup("organisation", name) or kb.lookup("organisation", f"ministerie van {name}"):
                return Span(doc, i + 1, end, label="organisation")
    return None


def cut_ministry(doc: Doc, ent: Span, kb: KnowledgeBase) -> Span | None:
    """Cut `ministerie van BZK, Platform31` back to the longest known ministry, else before its first comma
    (a comma belongs to a name only inside one: `ministerie van Volksgezondheid, Welzijn en Sport`)."""
    if kb.lookup("organisation", ent.text):
        return None
    for end in range(ent.end - 1, ent.start + 2, -1):
        if kb.lookup("organisation", doc[ent.start : end].text):
            return Span(doc, ent.start, end, label="organisation")
    comma = next((token.i for token in ent if token.text == ","), None)
    return Span(doc, ent.start, comma, label="organisation") if comma is not None else None


def council_of_place(doc: Doc, ent: Span, kb: KnowledgeBase, generic: bool) -> Span | None:
    """The place in `Raad Enschede` or `Coalitie Amersfoort` (a headline's council or coalition of a city, a
    `council_word` in `models/type_words.csv`, found by a `generic` rule) and in `de regio Amersfoort` (an
    `area_word` in lower case, where `Regio Amersfoort` is the cooperation): these name the city or area, not an
    organisation. `Raad van Europa` is a body."""
    first = ent[0]
    council = generic and first.lower_ in kb.type_words.get("council_word", set())
    area = first.is_lower and first.lower_ in kb.type_words.get("area_word", set())
    start = ent.start + 1
    if area and start < ent.end and doc[start].lower_ == "van":
        start += 1
    if (council or area) and start < ent.end and kb.lookup("place", doc[start : ent.end].text):
        return Span(doc, start, ent.end, label="place")
    return None


def listed_ministries(doc: Doc, ent: Span, cut: Span | None, kb: KnowledgeBase) -> list[Span]:
    """The further names the ministry rule ran on into after the first ministry (`cut`): each known ministry of
    `ministeries van VWS en JenV`, and each known organisation after a `,` or `en` (`het ministerie van SZW,
    Divosa en …`), the longest first."""
    if cut is None:
        return []
    plural = ent[0].lower_ == "ministeries"
    found, position = [], cut.end
    while position < ent.end - 1 and doc[position].text in (",", "en"):
        start = position + 1
        end = next(
            (
                end
                for end in range(ent.end, start, -1)
                if kb.lookup("organisation", doc[start:end].text)
                or (plural and kb.lookup("organisation", f"ministerie van {doc[start:end].text}"))
            ),
            None,
        )
        if end is None:
            break
        found.append(Span(doc, start, end, label="organisation"))
        position = end
    return found
