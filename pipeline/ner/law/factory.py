"""The law span ruler, registered as the spaCy factory `g40_laws`."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.ner.common import FamilyRuler, family_pattern_files, family_ruler

FAMILY = "law"
FACTORY = "g40_laws"
SPANS_KEY = "g40_law"
PATTERN_FILES = ("gazetteer", "rules")


def pattern_files(models_dir: Path) -> dict[str, Path]:
    """The law pattern files in `models_dir`, by role."""
    return family_pattern_files(models_dir, FAMILY, PATTERN_FILES)


BOUNDED_RULES = ("rule:law-bracketed", "rule:law-name-long")
"""Patterns that find a long law name by what follows it (a bracketed abbreviation, punctuation): the
bound is the end of the name, so it is not cut back at a frequent word like `en` or `in`."""


class LawRuler(FamilyRuler):
    """The family's span ruler; a bounded match ends before its bracket or punctuation."""

    def match(self, doc: Doc) -> list[Span]:
        """The ruler's matches, bounded ones without the words that bound them."""
        matches = []
        for span in super().match(doc):
            if span.id_ in BOUNDED_RULES:
                end = next((t.i for t in span if t.text == "("), span.end)
                while end > span.start + 1 and doc[end - 1].is_punct:
                    end -= 1
                span = Span(doc, span.start, end, label=span.label_, span_id=span.id_)
            matches.append(span)
        return sorted(set(matches))


@Language.factory(FACTORY, default_config={"spans_key": SPANS_KEY})
def make_law_ruler(nlp: Language, name: str, spans_key: str) -> LawRuler:
    """spaCy factory: the law ruler (patterns are added by `build_nlp` or read `from_disk`)."""
    return family_ruler(nlp, name, spans_key, LawRuler)
