"""Policy dossiers named by title: `manifest 'Geen pleisters meer!'`, `Hervormingsagenda Jeugd`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, filter_spans

from pipeline.anchored_matcher import AnchoredMatcher
from pipeline.ner.common import QUOTES, family_pattern_files
from pipeline.resources import SpanPattern

TITLES_FACTORY = "g40_policy_titles"
TITLES_KEY = "g40_policy_titles"
CUES_SUFFIX = "_cues"
PATTERNS_FILE = "patterns.jsonl"


def pattern_files(models_dir: Path) -> dict[str, Path]:
    """The title pattern file in `models_dir`: `models/patterns/policy/titles.jsonl`."""
    return family_pattern_files(models_dir, "policy", ("titles",))


@Language.factory(TITLES_FACTORY, default_config={"spans_key": TITLES_KEY})
def make_title_finder(nlp: Language, name: str, spans_key: str) -> TitleFinder:
    """spaCy factory of the policy-title component (patterns are added by `build_nlp` or read `from_disk`)."""
    return TitleFinder(nlp, spans_key)


class TitleFinder:
    """Titles of policy documents, from `Matcher` patterns whose id says which part of a match is the title:
    `quoted` (between the quotes), `after-trigger` (everything after the first token) or `whole`."""

    def __init__(self, nlp: Language, spans_key: str) -> None:
        self.vocab = nlp.vocab
        self.spans_key = spans_key
        self.patterns: list[dict[str, Any]] = []
        self.matcher = AnchoredMatcher(nlp.vocab, validate=True)

    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        """Add title patterns (`{"id": …, "pattern": […]}`), validated as in `models/patterns/policy/titles.jsonl`."""
        for pattern in patterns:
            row = SpanPattern.model_validate({"label": "policy", **pattern})
            self.matcher.add(row.id, [row.pattern])  # type: ignore[list-item]
            self.patterns.append({"id": row.id, "pattern": row.pattern})

    def __call__(self, doc: Doc) -> Doc:
        """Put the titles in `doc.spans[spans_key]` and the cue words before quoted titles (`City Deal`,
        `het programma`) in `doc.spans[spans_key + "_cues"]`; `g40_entity_merge` decides against overlapping names."""
        titles, cues = [], []
        for match_id, start, end in self.matcher(doc):
            kind = doc.vocab.strings[match_id]
            found = self.title_spans(doc, kind, start, end)
            titles += found
            if kind.startswith("quoted") and found:
                titles += self.listed_after(doc, found[-1])
                if found[0].start - 1 > start:
                    cues.append(Span(doc, start, found[0].start - 1, label="cue"))
        doc.spans[self.spans_key] = filter_spans(titles)
        doc.spans[self.spans_key + CUES_SUFFIX] = filter_spans(cues)
        return doc

    def listed_after(self, doc: Doc, title: Span) -> list[Span]:
        """Further quoted titles in the same enumeration: `'A', 'B' en 'C'`."""
        listed = []
        position = title.end + 1
        while position + 2 < len(doc) and doc[position].text in (",", "en") and doc[position + 1].text in QUOTES:
            close = next((i for i in range(position + 2, min(len(doc), position + 16)) if doc[i].text in QUOTES), None)
            if close is None:
                break
            listed += self.title_spans(doc, "quoted", position + 1, close + 1)
            position = close + 1
        return listed

    @staticmethod
    def title_spans(doc: Doc, kind: str, start: int, end: int) -> list[Span]:
        """The title part of a match: between the quotes, after the trigger word (with it when it is
        capitalised: `Programma Woningbouw`), or all of it. A quoted phrase in lower case (`'netcongestie'`,
        `'circulair bouwen'`) names a theme, not a title."""
        if kind.startswith("quoted"):
            quotes = [i for i in range(start, end) if doc[i].text in QUOTES]
            bounds = [(a + 1, b) for a, b in zip(quotes[::2], quotes[1::2], strict=False)]
            bounds = [(first, last) for first, last in bounds if first < last and doc[first].text[:1].isupper()]
        else:
            named_by_trigger = kind.startswith("after-trigger") and not doc[start].text[:1].isupper()
            bounds = [(start + 1 if named_by_trigger else start, end)]
        spans = []
        for first, last in bounds:
            while (
                last < len(doc) - 1
                and doc[last].text == "-"
                and not doc[last - 1].whitespace_
                and doc[last + 1].is_alpha
                and (not doc[last + 1].is_lower or doc[last - 1].is_upper)
            ):
                last += 2
            while last > first and doc[last - 1].is_punct and doc[last - 1].text not in "!?":
                last -= 1
            if not kind.startswith("quoted"):
                last = before_next_phrase(doc, first, before_author(doc, first, last))
                while last > first and doc[last - 1].is_punct and doc[last - 1].text not in "!?":
                    last -= 1
            if last > first:
                spans.append(Span(doc, first, last, label="policy", span_id=kind))
        return spans

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the title patterns (spaCy serialisation)."""
        folder = ensure_path(path)
        folder.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(folder / PATTERNS_FILE, self.patterns)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> TitleFinder:
        """Load the title patterns saved by `to_disk`."""
        self.patterns, self.matcher = [], AnchoredMatcher(self.vocab, validate=True)
        self.add_patterns(srsly.read_jsonl(ensure_path(path) / PATTERNS_FILE))
        return self


def before_author(doc: Doc, first: int, last: int) -> int:
    """The end of a title without its author: `rapport Europeanisering van Hans Vollaard` ends before `van` when
    the title ends in (part of) `van` and a two-word name (first name and surname)."""
    for i in range(first + 1, last):
        name = doc[i + 1 : i + 3]
        if (
            doc[i].lower_ == "van"
            and i + 3 >= last
            and len(name) == 2
            and all(token.is_title and token.is_alpha for token in name)
            and name[0].text not in ("De", "Den", "Het")
        ):
            return i
    return last


def before_next_phrase(doc: Doc, first: int, last: int) -> int:
    """The end of a title before `en de`/`en het`, which begins another name: `Nationaal Programma Onderwijs en het
    Herstel- en veerkrachtplan` ends before `en`."""
    return next(
        (i for i in range(first + 1, last - 1) if doc[i].lower_ == "en" and doc[i + 1].lower_ in ("de", "het")), last
    )
