"""When a place name is a person's name: many villages are also surnames (`wethouder Jeroen Baars`)."""

from __future__ import annotations

from spacy.tokens import Doc, Span

VILLAGE_ID_PREFIX = "WP"
"""Woonplaatsen from `models/gazetteers/woonplaatsen.csv` have ids `WP<BAG woonplaatscode>`."""


def reads_as_surname(doc: Doc, span: Span, entity_id: str) -> bool:
    """A one-word village name right after a capitalised word inside a sentence (a first name) is a surname."""
    if not entity_id.startswith(VILLAGE_ID_PREFIX) or len(span) != 1 or span.start == 0:
        return False
    before = doc[span.start - 1]
    return before.is_alpha and before.text[:1].isupper() and not before.is_sent_start
