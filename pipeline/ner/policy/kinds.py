"""A policy name used for a kind of dossier (`een Regio Deal`, `hun Transitievisie Warmte`) names no one dossier."""

from __future__ import annotations

from spacy.tokens import Doc, Span

ADJECTIVE_GAP = 1


def names_a_kind(doc: Doc, ent: Span, determiners: set[str]) -> bool:
    """True after an indefinite, possessive or quantifying word, also with one adjective between (`een nieuwe …`)."""
    for back in range(1, ADJECTIVE_GAP + 2):
        position = ent.start - back
        if position < 0:
            return False
        token = doc[position]
        if token.lower_ in determiners:
            return True
        if not token.is_lower or not token.is_alpha:
            return False
    return False
