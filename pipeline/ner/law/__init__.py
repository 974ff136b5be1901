"""Laws and bills: names with their BWB identifiers, `…wet`, `Wet …`, `wetsvoorstel …`, `Wxyz` abbreviations.

Patterns in `models/patterns/law/`. `matching` links a law written in other words to the known law and
cuts a name that runs on into the sentence.
"""

from pipeline.ner.law.factory import BOUNDED_RULES, FACTORY, SPANS_KEY, pattern_files
from pipeline.ner.law.matching import cut_run_on, match_law

__all__ = ["BOUNDED_RULES", "FACTORY", "SPANS_KEY", "cut_run_on", "match_law", "pattern_files"]
