"""A law named in other words, and a law name that runs on into the sentence."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from pipeline.clean import zipf
from pipeline.ner.knowledge import Entity, KnowledgeBase

VERY_FREQUENT_ZIPF = 6.0
MIN_STEMS_IN_OTHER_WORDS = 3
"""A cut-back name is taken for a known law named in other words only with this many content words: `Wet
zorg` (of `Wet zorg en dwang`) is no `Wet langdurige zorg`."""


def match_law(surface: str, kb: KnowledgeBase) -> Entity | None:
    """A law written in other words: every content word of the mention occurs in exactly one known law."""
    stems = kb.stems(surface)
    if not stems:
        return None
    candidates = [entity_id for entity_id, known in kb.law_stems.items() if stems <= known]
    return kb.entities[candidates[0]] if len(candidates) == 1 else None


def in_other_words(name: str, kb: KnowledgeBase) -> bool:
    """A name of `MIN_STEMS_IN_OTHER_WORDS` content words or more that names one known law in other words."""
    return len(kb.stems(name)) >= MIN_STEMS_IN_OTHER_WORDS and match_law(name, kb) is not None


def cut_run_on(doc: Doc, ent: Span, kb: KnowledgeBase, bounded: bool = False) -> Span | None:
    """Cut back a law name that runs on into the sentence: to a known law, also one named in other words with
    three content words or more (`Wet betaalbare huur ongewijzigd`, `wetsvoorstel Versterking regie
    volkshuisvesting vragen`), else before the first very frequent word (`Wet digitale overheidsdiensten komt`)
    unless the match is `bounded` by what follows it (`Wet arbeidsmarkt in balans (WAB)`)."""
    if kb.lookup("law", ent.text) or in_other_words(ent.text, kb):
        return None
    for end in range(ent.end - 1, ent.start + 1, -1):
        name = doc[ent.start : end].text
        if kb.lookup("law", name) or in_other_words(name, kb):
            return Span(doc, ent.start, end, label="law")
    if bounded:
        return None
    for end in range(ent.start + 2, ent.end):
        if zipf(doc[end].lower_) >= VERY_FREQUENT_ZIPF:
            return Span(doc, ent.start, end, label="law")
    return None
