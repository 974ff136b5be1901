"""What an organisation-looking name is: an event (`… Netwerk Dagen`) is not an organisation; a new name drops its type words."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from pipeline.ner.knowledge import KnowledgeBase

MINISTER_OF_PERSON = "rule:minister-person"
MINISTRY_RULE = "rule:ministry"


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
