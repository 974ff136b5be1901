"""How a policy name is used: for a kind of dossier (`een Regio Deal`, `hun Transitievisie Warmte`) it names no
one dossier; followed by a year or period (`Miljoenennota 2023`) it names that document."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from pipeline.ner.common import joined_by_hyphen

ADJECTIVE_GAP = 1


def names_a_kind(doc: Doc, ent: Span, determiners: set[str]) -> bool:
    """True after an indefinite, possessive or quantifying word, also with one adjective between (`een nieuwe …`),
    unless a year or period follows, which makes it one document (`hun Arbeidsmarktagenda 2023-2027`)."""
    if year_after(doc, ent) is not None:
        return False
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


def year_after(doc: Doc, span: Span) -> Span | None:
    """The year or period written right after a policy name (`Miljoenennota 2023`, `Arbeidsmarktagenda
    2023-2027`), else None."""
    if span.end >= len(doc) or not is_year(doc[span.end].text):
        return None
    end = span.end + 1
    if joined_by_hyphen(doc, end) and is_year(doc[end + 1].text):
        end += 2
    return doc[span.end : end]


def is_year(text: str) -> bool:
    """Four digits between 1900 and 2100."""
    return len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100
