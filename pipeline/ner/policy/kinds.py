"""How a policy name is used: for a kind of dossier (`een Regio Deal`, `hun Transitievisie Warmte`) it names no
one dossier; followed by a year (`Miljoenennota 2023`) it names that year's document."""

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


def year_after(doc: Doc, span: Span) -> str:
    """The year written right after a policy name (`Miljoenennota 2023`), else ''."""
    if span.end < len(doc) and doc[span.end].shape_ == "dddd" and 1900 <= int(doc[span.end].text) <= 2100:
        return doc[span.end].text
    return ""
