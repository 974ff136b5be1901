"""A token `Matcher` that only tries a pattern on a text holding a word the pattern cannot match without.

spaCy's `Matcher` starts every pattern at every token, so its cost grows with patterns × tokens: the lobbying
patterns alone took a third of the NLP stage. Most patterns require a word from a fixed set somewhere
(`{"LOWER": {"IN": ["brief", "brieven"]}}`); such a pattern can only match a doc that holds one of those words.
`AnchoredMatcher` groups the patterns by those sets (their anchors) and runs a group only on a doc that holds a
word of each, and only on the stretch of the doc around its anchor words when its patterns have a bounded
length; patterns without anchors (capitalised words, regular expressions) always run. The matches are the ones
spaCy's `Matcher` finds, in a fixed order: by end, then start, then the order their keys were added (spaCy's own
order can differ among matches that end on the same token).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

ANCHOR_ATTRIBUTES = {"LOWER": "LOWER", "ORTH": "ORTH", "TEXT": "ORTH", "NORM": "NORM"}
"""Pattern attributes whose fixed values can anchor a pattern, and the token attribute they compare."""
AT_LEAST_ONE = re.compile(r"^\{([1-9]\d*)(,\d*)?\}$")
AT_MOST = re.compile(r"^\{(\d*),?(\d*)\}$")
Anchor = tuple[str, frozenset[str]]
"""A token attribute and the words one of which a pattern token must have."""
Gate = frozenset[tuple[str, frozenset[int]]]
"""A pattern's anchors with their words as string-store hashes, as `Doc.to_array` gives them."""


def upper_keys(token_spec: dict[str, Any]) -> dict[str, Any]:
    """A pattern token with its keys in upper case, as spaCy reads them (`{"lower": …, "op": "?"}` is valid)."""
    return {
        key.upper(): {k.upper(): v for k, v in value.items()} if isinstance(value, dict) else value
        for key, value in token_spec.items()
    }


def required(token_spec: dict[str, Any]) -> bool:
    """Whether a pattern token must match at least once (no `?`, `*`, `!`, `{0,n}` operator)."""
    op = upper_keys(token_spec).get("OP")
    return op is None or op == "+" or bool(AT_LEAST_ONE.match(str(op)))


def token_anchor(token_spec: dict[str, Any]) -> Anchor | None:
    """The attribute and the fixed words one pattern token must have, if it names them."""
    spec = upper_keys(token_spec)
    for attribute, token_attribute in ANCHOR_ATTRIBUTES.items():
        value = spec.get(attribute)
        if isinstance(value, str):
            return token_attribute, frozenset([value])
        if isinstance(value, dict) and isinstance(value.get("IN"), list) and value["IN"]:
            return token_attribute, frozenset(str(word) for word in value["IN"])
    return None


def pattern_length(pattern: Sequence[dict[str, Any]]) -> int | None:
    """The most tokens a pattern can match; None when a `*`, `+` or `{n,}` makes it unbounded."""
    length = 0
    for spec in pattern:
        op = str(upper_keys(spec).get("OP", ""))
        repeat = AT_MOST.match(op)
        if op in ("*", "+") or (repeat and repeat.group(1) and not repeat.group(2) and "," in op):
            return None
        length += int(repeat.group(2) or repeat.group(1)) if repeat else 1
    return length


def pattern_anchors(pattern: Sequence[dict[str, Any]]) -> frozenset[Anchor]:
    """The anchors of a pattern: the fixed words of each of its required tokens (empty when it has none)."""
    return frozenset(anchor for spec in pattern if required(spec) and (anchor := token_anchor(spec)) is not None)


@dataclass
class AnchorGroup:
    """The patterns with the same anchors, and the most tokens any of them matches (None: unbounded)."""

    gate: Gate
    matcher: Matcher
    reach: int | None


class AnchoredMatcher:
    """spaCy's `Matcher` with the same `add`/`remove`/`__call__`, split into one matcher per set of anchors."""

    def __init__(self, vocab: Vocab, validate: bool = True) -> None:
        self.vocab = vocab
        self.validate = validate
        self.unanchored = Matcher(vocab, validate=validate)
        self.groups: dict[Gate, AnchorGroup] = {}
        self.added: dict[int, int] = {}

    def add(self, key: str, patterns: Sequence[Sequence[dict[str, Any]]]) -> None:
        """Add patterns under `key`, each to the group of its anchors."""
        match_id = self.vocab.strings.add(key)
        self.added.setdefault(match_id, len(self.added))
        for pattern in patterns:
            gate = frozenset(
                (attribute, frozenset(self.vocab.strings.add(word) for word in words))
                for attribute, words in pattern_anchors(pattern)
            )
            if not gate:
                self.unanchored.add(key, [list(pattern)])
                continue
            length = pattern_length(pattern)
            group = self.groups.setdefault(gate, AnchorGroup(gate, Matcher(self.vocab, validate=self.validate), 0))
            group.reach = None if length is None or group.reach is None else max(group.reach, length)
            group.matcher.add(key, [list(pattern)])

    def remove(self, key: str) -> None:
        """Remove every pattern under `key` (a `ValueError` when there is none, as spaCy's)."""
        if key not in self:
            raise ValueError(f"no patterns under {key!r}")
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
        for group in self.groups.values():
            yield group.matcher

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        """The `(match_id, start, end)` matches in `doc`, from the groups whose anchors it holds."""
        values = DocValues(doc)
        found: set[tuple[int, int, int]] = set()
        for group in self.groups.values():
            if len(group.matcher) and all(values.holds(anchor) for anchor in group.gate):
                found.update(self.group_matches(doc, values, group))
        if len(self.unanchored):
            found.update(self.unanchored(doc))
        return sorted(found, key=lambda match: (match[2], match[1], self.added.get(match[0], 0)))

    @staticmethod
    def group_matches(doc: Doc, values: DocValues, group: AnchorGroup) -> Iterator[tuple[int, int, int]]:
        """A group's matches, from the stretch of the doc a match can reach from the anchor words: every match
        holds one of them, so it lies within `reach` tokens of the first or the last."""
        if group.reach is None:
            yield from group.matcher(doc)
            return
        positions = min((values.positions(anchor) for anchor in group.gate), key=len)
        start, end = max(0, positions[0] - group.reach + 1), min(len(doc), positions[-1] + group.reach)
        for match_id, match_start, match_end in group.matcher(doc[start:end]):
            yield match_id, match_start + start, match_end + start


class DocValues:
    """A doc's token values per attribute, read once from `Doc.to_array` (not a `Token` object per word)."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.values: dict[str, list[int]] = {}
        self.sets: dict[str, set[int]] = {}

    def of(self, attribute: str) -> list[int]:
        """The doc's values of `attribute`, in token order."""
        if attribute not in self.values:
            self.values[attribute] = self.doc.to_array(attribute).tolist()
            self.sets[attribute] = set(self.values[attribute])
        return self.values[attribute]

    def holds(self, anchor: tuple[str, frozenset[int]]) -> bool:
        """Whether a token has one of the anchor's words."""
        attribute, words = anchor
        self.of(attribute)
        return not words.isdisjoint(self.sets[attribute])

    def positions(self, anchor: tuple[str, frozenset[int]]) -> list[int]:
        """The tokens that have one of the anchor's words."""
        attribute, words = anchor
        return [i for i, value in enumerate(self.of(attribute)) if value in words]
