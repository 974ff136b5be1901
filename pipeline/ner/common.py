"""What every entity family shares: span attributes, the folded `NORM`, the tokenizer and the family ruler."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import spacy
from spacy.language import BaseDefaults, Language
from spacy.pipeline import SpanRuler
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

from pipeline.anchored_matcher import AnchoredMatcher
from pipeline.resources import SpanPattern, read_rows
from pipeline.textkeys import fold, is_acronym

HYPHEN_INFIX = r"(?<=[\w])-(?=[\w])"
DASH_INFIX = r"(?<=[^\W\d_])[–—](?=[^\W\d_])"
"""A dash between two words (`Amsterdam–Hamburg`), not in a range of years or numbers."""
ACRONYM_FULL_STOP = r"(?<=[a-z&][A-Z])\."
"""A sentence's full stop after a mixed-case acronym (`PvdA.`, `IenW.`, `I&M.`), which spaCy keeps as an abbreviation."""
QUOTES = "'\""
LIST_MARKERS = ("-", "–", "•", "*")
PATTERNS_FOLDER = "patterns"

for attribute in ("canonical", "entity_id", "method"):
    if not Span.has_extension(attribute):
        Span.set_extension(attribute, default="")


def needs_exact_case(alias: str) -> bool:
    """Short or mixed-case acronyms (`BAM`, `RUG`, `IenW`) are also words in lower case: match them as written."""
    return is_acronym(alias) and (len(alias) <= 4 or not alias.isupper())


TOKENIZER = "g40_tokenizer"
"""The registered name of the tool's tokenizer (`[nlp.tokenizer]` of a blank pipeline, and of an exported one)."""
FOLD_NORMS = "g40_fold_norms"


def tokenizer_rules(defaults: type[BaseDefaults]) -> dict[str, Any]:
    """The language's tokenizer settings plus the tool's: hyphenated compounds and dashed pairs split so
    `VNG-lobby`, `Apeldoorn-Deventer` and `Amsterdam–Hamburg` expose their names, and a full stop split from a
    mixed-case acronym (`en PvdA.`)."""
    return {
        "prefix_search": compile_prefix_regex(defaults.prefixes or []).search,
        "suffix_search": compile_suffix_regex([*(defaults.suffixes or []), ACRONYM_FULL_STOP]).search,
        "infix_finditer": compile_infix_regex([*(defaults.infixes or []), HYPHEN_INFIX, DASH_INFIX]).finditer,
        "token_match": defaults.token_match,
        "url_match": defaults.url_match,
    }


@registry.tokenizers(TOKENIZER)
def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """The tokenizer of a blank pipeline, built once with the tool's rules: setting them on a built tokenizer
    reloads its thousands of special cases each time."""

    def make_tokenizer(nlp: Language) -> Tokenizer:
        return Tokenizer(nlp.vocab, rules=nlp.Defaults.tokenizer_exceptions, **tokenizer_rules(nlp.Defaults))

    return make_tokenizer


def customise_tokenizer(nlp: Language) -> Language:
    """Give a loaded pipeline's tokenizer (a statistical model's, read from its folder) the tool's rules."""
    tokenizer: Tokenizer = nlp.tokenizer  # type: ignore[assignment]
    rules = tokenizer_rules(nlp.Defaults)
    tokenizer.infix_finditer = rules["infix_finditer"]
    tokenizer.suffix_search = rules["suffix_search"]
    return nlp


def blank_dutch() -> Language:
    """A blank Dutch pipeline with the tool's tokenizer."""
    return spacy.blank("nl", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})


def joined_by_hyphen(doc: Doc, i: int) -> bool:
    """The token at `i` is a hyphen written without spaces, joining the words on either side into one name
    (`Heerlen-Noord`, `2023-2027`, `De Wit-Hoogland`)."""
    return 0 < i < len(doc) - 1 and doc[i].text == "-" and not doc[i - 1].whitespace_ and not doc[i].whitespace_


def overlaps(a: Span, b: Span) -> bool:
    """Two spans share a token."""
    return a.start < b.end and b.start < a.end


def family_pattern_files(models_dir: Path, family: str, names: Iterable[str]) -> dict[str, Path]:
    """The pattern files of one family, by role: `models/patterns/<family>/<name>.jsonl`."""
    return {f"{family}_{name}": models_dir / PATTERNS_FOLDER / family / f"{name}.jsonl" for name in names}


def read_patterns(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The validated span patterns of some pattern files, as the span ruler takes them."""
    return [row.model_dump(exclude_none=True) for path in paths for row in read_rows(path, SpanPattern).rows]


class FamilyRuler(SpanRuler):
    """spaCy's span ruler whose token patterns run in an `AnchoredMatcher`: a rule is only tried on a text that
    holds the words it needs."""

    def clear(self) -> None:
        """Reset all patterns (spaCy's `clear`, with the anchored matcher)."""
        super().clear()
        self.matcher = AnchoredMatcher(self.nlp.vocab, validate=self.validate)  # type: ignore[assignment]


RulerT = TypeVar("RulerT", bound=FamilyRuler)


def family_ruler(nlp: Language, name: str, spans_key: str, ruler: type[RulerT] = FamilyRuler) -> RulerT:  # type: ignore[assignment]
    """A span ruler for one family (`ruler`: `FamilyRuler` or a family's subclass): gazetteer phrases on the
    folded `NORM` and token rules, into its own spans key.

    The ruler does not write `doc.ents`: `g40_entity_merge` merges the families, so no family order decides overlaps.
    """
    return ruler(nlp, name, spans_key=spans_key, phrase_matcher_attr="NORM", validate=True, overwrite=True)


@Language.component(FOLD_NORMS)
def fold_norms(doc: Doc) -> Doc:
    """Set `NORM` to the folded text so patterns match regardless of case, diacritics and OCR accents."""
    for token in doc:
        token.norm_ = fold(token.text)
    return doc


@Language.component("g40_quote_sentences")
def keep_quoted_titles_in_sentence(doc: Doc) -> Doc:
    """Repair the sentencizer's boundaries: undo a split after `!`/`?` inside a quoted title (`het manifest 'Geen
    pleisters meer!' opgesteld`), and start a sentence at each item of a list joined into one paragraph
    (`…; - brief aan de Kamer over …; - gesprek met …`), so every item is a sentence of its own."""
    for token in doc[2:]:
        if (
            token.is_sent_start
            and token.text[:1].islower()
            and doc[token.i - 1].text in QUOTES
            and doc[token.i - 2].text in "!?"
        ):
            token.is_sent_start = False
    for token in doc[1:-1]:
        if token.text in LIST_MARKERS and doc[token.i - 1].text in (";", ":") and doc[token.i + 1].is_alpha:
            token.is_sent_start = True
    return doc
