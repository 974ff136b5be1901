"""Corpus-wide memory: a name learned once is recognised everywhere in the corpus.

Two kinds of name are learned from the mentions the pipeline found:
- a policy title found by its cue (`het programma 'Mooi Nederland'`) is a name on its own: later
  `Mooi Nederland` without quotes, in any report, is the same dossier;
- an abbreviation introduced in brackets right after a name (`Wet versterking regie volkshuisvesting
  (Wvrv)`) stands for that entity wherever it is written.
Names are matched as written (not at a sentence start when only their first word has a capital); a
title with a rare word (`Woningbouwimpuls`) is distinctive and also matched in lower case. A name learned
for two different entities is ambiguous and left alone. Everything here is a pure function of the
paragraphs and mentions, so the result does not depend on the order of the documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pipeline.clean import zipf
from pipeline.records import Mention
from pipeline.textkeys import is_acronym

MEMORY_METHOD = "memory"
TITLE_METHOD = "title"
RARE_WORD_ZIPF = 3.0
BRACKETED = re.compile(r"\s*\(\s*([A-Za-z][A-Za-z0-9&]{1,9})\s*\)")
SENTENCE_END = re.compile(r"[.!?]\s+")
WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class LearnedName:
    """A written name and the entity it stands for."""

    surface: str
    entity_type: str
    canonical: str
    entity_id: str
    any_case: bool


def learned_names(paragraphs: Iterable[tuple[str, str]], mentions: Iterable[Mention]) -> list[LearnedName]:
    """The names a corpus teaches: titles found by a cue, and abbreviations in brackets after a name.

    `paragraphs` are (paragraph_id, text) pairs of every document, `mentions` their mentions; paragraph
    ids are unique in the corpus.
    """
    texts = dict(paragraphs)
    candidates: dict[str, set[tuple[str, str, str]]] = {}
    abbreviations = set()
    for mention in mentions:
        entity = (mention.entity_type, mention.canonical, mention.entity_id)
        if mention.method == TITLE_METHOD and len(mention.surface) > 3:
            candidates.setdefault(mention.surface, set()).add(entity)
        bracketed = BRACKETED.match(texts.get(mention.paragraph_id, ""), mention.end_char)
        if bracketed and is_abbreviation(bracketed.group(1), mention.surface):
            candidates.setdefault(bracketed.group(1), set()).add(entity)
            abbreviations.add(bracketed.group(1))
    names = []
    for surface, entities in sorted(candidates.items()):
        if len(entities) == 1:
            entity_type, canonical, entity_id = next(iter(entities))
            any_case = surface not in abbreviations and is_distinctive(surface)
            names.append(LearnedName(surface, entity_type, canonical, entity_id, any_case))
    return names


def is_abbreviation(word: str, name: str) -> bool:
    """`Wvrv` after `Wet versterking regie volkshuisvesting`, `ROB` after `Raad voor het Openbaar Bestuur`: a
    capitalised short form that is no ordinary word, shorter than the name it follows."""
    return (
        word[:1].isupper()
        and len(word) < len(name)
        and (is_acronym(word) or zipf(word.lower()) < RARE_WORD_ZIPF)
        and word[:1].lower() == name[:1].lower()
    )


def is_distinctive(title: str) -> bool:
    """A title with a rare word (`Woningbouwimpuls`, `Citydeal Kennis`) cannot be an ordinary phrase in lower case."""
    words = WORD.findall(title)
    return len(words) > 0 and not is_acronym(title) and any(zipf(word.lower()) < RARE_WORD_ZIPF for word in words)


def name_pattern(name: LearnedName) -> re.Pattern[str]:
    """Where `name` is written as a whole word (in any case when it is distinctive)."""
    return re.compile(rf"(?<!\w){re.escape(name.surface)}(?!\w)", re.IGNORECASE if name.any_case else 0)


def at_sentence_start(text: str, start: int) -> bool:
    """The match begins the paragraph or a sentence."""
    before = text[:start].rstrip(" '\"‘“")
    return not before or before[-1] in ".!?:"


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of the paragraph that holds characters `start`..`end`."""
    begin = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    close = SENTENCE_END.search(text, end)
    return text[begin : close.start() + 1 if close else len(text)].strip()


def recall_names(
    paragraphs: Iterable[tuple[str, str]], mentions: Sequence[Mention], names: Sequence[LearnedName]
) -> list[Mention]:
    """The mentions of learned names the pipeline did not find, where they overlap no other mention."""
    taken: dict[str, list[tuple[int, int]]] = {}
    for mention in mentions:
        taken.setdefault(mention.paragraph_id, []).append((mention.start_char, mention.end_char))
    patterns = [(name, name_pattern(name)) for name in names]
    found = []
    for paragraph_id, text in paragraphs:
        spans = taken.setdefault(paragraph_id, [])
        for name, pattern in patterns:
            single_capital = sum(word[:1].isupper() for word in WORD.findall(name.surface)) <= 1
            for match in pattern.finditer(text):
                start, end = match.span()
                if any(start < e and s < end for s, e in spans):
                    continue
                if single_capital and not name.any_case and at_sentence_start(text, start):
                    continue
                spans.append((start, end))
                found.append(
                    Mention(
                        paragraph_id,
                        name.entity_type,
                        match.group(0),
                        name.canonical,
                        name.entity_id,
                        start,
                        end,
                        MEMORY_METHOD,
                        sentence_around(text, start, end),
                    )
                )
    return found


def with_memory(
    documents: Sequence[tuple[list[tuple[str, str]], list[Mention]]],
) -> list[list[Mention]]:
    """Each document's mentions followed by those of the names learned from the whole corpus."""
    names = learned_names(
        (pair for paragraphs, _ in documents for pair in paragraphs),
        (mention for _, mentions in documents for mention in mentions),
    )
    by_surface = {name.surface: name for name in names if not name.any_case}
    remembered = []
    for paragraphs, mentions in documents:
        relinked = [relink(mention, by_surface.get(mention.surface)) for mention in mentions]
        remembered.append([*relinked, *recall_names(paragraphs, relinked, names)])
    return remembered


def relink(mention: Mention, name: LearnedName | None) -> Mention:
    """A mention that a generic rule found but could not link (`Wsb`, canonical `Wsb`) takes the learned entity."""
    if name is None or mention.method != "rule" or mention.canonical != mention.surface:
        return mention
    if name.entity_type != mention.entity_type:
        return mention
    return replace(mention, canonical=name.canonical, entity_id=name.entity_id, method=MEMORY_METHOD)
