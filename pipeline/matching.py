"""A token `Matcher` that only tries a pattern on a text holding a word the pattern cannot match without.

spaCy's `Matcher` starts every pattern at every token, so its cost grows with patterns × tokens: the lobbying
patterns alone took a third of the NLP stage. Most patterns require a word from a fixed set somewhere
(`{"LOWER": {"IN": ["brief", "brieven"]}}`); such a pattern can only match a doc that holds one of those words.
`AnchoredMatcher` groups the patterns by that set (their anchor) and runs a group only on a doc that holds one of
its words; patterns without an anchor (capitalised words, regular expressions) always run. The matches are the
ones spaCy's `Matcher` finds, in the same order (by end, then start, then the order the patterns were added).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

ANCHOR_ATTRIBUTES = {"LOWER": "lower_", "ORTH": "text", "TEXT": "text", "NORM": "norm_"}
"""Pattern attributes whose fixed values can anchor a pattern, and the token attribute they compare."""
AT_LEAST_ONE = re.compile(r"^\{([1-9]\d*)(,\d*)?\}$")
Anchor = tuple[str, frozenset[str]]


def required(token_spec: dict[str, Any]) -> bool:
    """Whether a pattern token must match at least once (no `?`, `*`, `!`, `{0,n}` operator)."""
    op = token_spec.get("OP")
    return op is None or op == "+" or bool(AT_LEAST_ONE.match(str(op)))


def token_anchor(token_spec: dict[str, Any]) -> Anchor | None:
    """The attribute and the fixed words one pattern token must have, if it names them."""
    for attribute, token_attribute in ANCHOR_ATTRIBUTES.items():
        value = token_spec.get(attribute)
        if isinstance(value, str):
            return token_attribute, frozenset([value])
        if isinstance(value, dict) and isinstance(value.get("IN"), list) and value["IN"]:
            return token_attribute, frozenset(str(word) for word in value["IN"])
    return None


def pattern_anchor(pattern: Sequence[dict[str, Any]]) -> Anchor | None:
    """The anchor of a pattern: of its required tokens with fixed words, the one whose shortest word is longest
    (long words are rare, so the group runs on fewer texts); None when no required token has fixed words."""
    anchors = [anchor for spec in pattern if required(spec) and (anchor := token_anchor(spec)) is not None]
    return max(anchors, key=lambda anchor: min(len(word) for word in anchor[1]), default=None)


class AnchoredMatcher:
    """spaCy's `Matcher` with the same `add`/`remove`/`__call__`, split into one matcher per anchor."""

    def __init__(self, vocab: Vocab, validate: bool = True) -> None:
        self.vocab = vocab
        self.validate = validate
        self.unanchored = Matcher(vocab, validate=validate)
        self.anchored: dict[Anchor, Matcher] = {}
        self.added: dict[int, int] = {}

    def add(self, key: str, patterns: Sequence[Sequence[dict[str, Any]]]) -> None:
        """Add patterns under `key`, each to the matcher of its anchor."""
        match_id = self.vocab.strings.add(key)
        self.added.setdefault(match_id, len(self.added))
        for pattern in patterns:
            anchor = pattern_anchor(pattern)
            if anchor is None:
                self.unanchored.add(key, [list(pattern)])
            else:
                self.anchored.setdefault(anchor, Matcher(self.vocab, validate=self.validate)).add(key, [list(pattern)])

    def remove(self, key: str) -> None:
        """Remove every pattern under `key`."""
        for matcher in self.matchers():
            if key in matcher:
                matcher.remove(key)
        self.added.pop(self.vocab.strings[key], None)

    def __contains__(self, key: str) -> bool:
        return any(key in matcher for matcher in self.matchers())

    def __len__(self) -> int:
        return len(self.added)

    def matchers(self) -> Iterator[Matcher]:
        """Every underlying matcher."""
        yield self.unanchored
        yield from self.anchored.values()

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """The `(match_id, start, end)` matches in `doc`, from the matchers whose anchor words it holds."""
        words: dict[str, set[str]] = {}
        found: set[tuple[int, int, int]] = set()
        for (attribute, anchor_words), matcher in self.anchored.items():
            if attribute not in words:
                words[attribute] = {getattr(token, attribute) for token in doc}
            if len(matcher) and not anchor_words.isdisjoint(words[attribute]):
                found.update(matcher(doc))
        if len(self.unanchored):
            found.update(self.unanchored(doc))
        return sorted(found, key=lambda match: (match[2], match[1], self.added.get(match[0], 0)))
