"""The place span ruler, registered as the spaCy factory `g40_places`."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language

from pipeline.ner.common import FamilyRuler, family_pattern_files, family_ruler

FAMILY = "place"
FACTORY = "g40_places"
SPANS_KEY = "g40_place"
PATTERN_FILES = ("gazetteer", "rules")


def pattern_files(models_dir: Path) -> dict[str, Path]:
    """The place pattern files in `models_dir`, by role."""
    return family_pattern_files(models_dir, FAMILY, PATTERN_FILES)


@Language.factory(FACTORY, default_config={"spans_key": SPANS_KEY})
def make_place_ruler(nlp: Language, name: str, spans_key: str) -> FamilyRuler:
    """spaCy factory: a span ruler for places (patterns are added by `build_nlp` or read `from_disk`)."""
    return family_ruler(nlp, name, spans_key)
