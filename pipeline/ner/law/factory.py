"""The law span ruler, registered as the spaCy factory `g40_laws`."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.pipeline import SpanRuler

from pipeline.ner.common import family_pattern_files, family_ruler

FAMILY = "law"
FACTORY = "g40_laws"
SPANS_KEY = "g40_law"
PATTERN_FILES = ("gazetteer", "rules")


def pattern_files(models_dir: Path) -> dict[str, Path]:
    """The law pattern files in `models_dir`, by role."""
    return family_pattern_files(models_dir, FAMILY, PATTERN_FILES)


@Language.factory(FACTORY, default_config={"spans_key": SPANS_KEY})
def make_law_ruler(nlp: Language, name: str, spans_key: str) -> SpanRuler:
    """spaCy factory: a span ruler for laws and bills (patterns are added by `build_nlp` or read `from_disk`)."""
    return family_ruler(nlp, name, spans_key)
