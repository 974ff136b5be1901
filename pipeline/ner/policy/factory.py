"""The policy span ruler for known dossiers, registered as the spaCy factory `g40_policies`."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language

from pipeline.ner.common import FamilyRuler, family_pattern_files, family_ruler

FAMILY = "policy"
FACTORY = "g40_policies"
SPANS_KEY = "g40_policy"
PATTERN_FILES = ("gazetteer",)


def pattern_files(models_dir: Path) -> dict[str, Path]:
    """The policy pattern files of the span ruler in `models_dir`, by role."""
    return family_pattern_files(models_dir, FAMILY, PATTERN_FILES)


@Language.factory(FACTORY, default_config={"spans_key": SPANS_KEY})
def make_policy_ruler(nlp: Language, name: str, spans_key: str) -> FamilyRuler:
    """spaCy factory: a span ruler for known policy dossiers (patterns are added by `build_nlp` or read `from_disk`)."""
    return family_ruler(nlp, name, spans_key)
