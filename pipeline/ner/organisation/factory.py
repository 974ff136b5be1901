"""The organisation span ruler, registered as the spaCy factory `g40_organisations`."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.pipeline import SpanRuler

from pipeline.ner.common import family_pattern_files, family_ruler

FAMILY = "organisation"
FACTORY = "g40_organisations"
SPANS_KEY = "g40_organisation"
PATTERN_FILES = ("gazetteer", "rules")


def pattern_files(models_dir: Path) -> dict[str, Path]:
    """The organisation pattern files in `models_dir`, by role."""
    return family_pattern_files(models_dir, FAMILY, PATTERN_FILES)


@Language.factory(FACTORY, default_config={"spans_key": SPANS_KEY})
def make_organisation_ruler(nlp: Language, name: str, spans_key: str) -> SpanRuler:
    """spaCy factory: a span ruler for organisations (patterns are added by `build_nlp` or read `from_disk`)."""
    return family_ruler(nlp, name, spans_key)
