"""What an organisation-looking name is: an event (`… Netwerk Dagen`) is not an organisation; a new name drops its type words."""

from __future__ import annotations

from spacy.tokens import Doc, Span


def names_an_event(doc: Doc, ent: Span, event_words: set[str]) -> bool:
    """An organisation-looking name that ends in, or runs into, an event word (`… Netwerk Dagen`)."""
    following = doc[ent.end].lower_ if ent.end < len(doc) else ""
    return ent[-1].lower_ in event_words or following in event_words


def new_organisation_name(surface: str, without_type_words: str) -> str:
    """The canonical name of an organisation no gazetteer knows: `ministerie van BZK` → `Ministerie van BZK`."""
    if surface.lower().startswith("ministerie"):
        return f"Ministerie van {without_type_words}"
    return without_type_words
