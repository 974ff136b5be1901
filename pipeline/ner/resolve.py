"""One set of entities from all families: rule spans over a statistical model's, the longest name first.

Each family ruler writes its own spans key; this component, `g40_entity_merge`, merges them into `doc.ents`
so that the outcome does not depend on the order of the families: overlapping rule names keep the longest
(then the earliest), rule names replace overlapping model entities, and a policy title never overlaps a law
unless it is a quoted title that holds the law's name (`het programma 'Aan de slag met de Omgevingswet'`).
The cue words before a quoted title (`City Deal 'Circulaire Stad'`) are no dossier of their own.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.pipeline.span_ruler import prioritize_new_ents_filter
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.ner.common import overlaps
from pipeline.ner.policy.titles import CUES_SUFFIX

FACTORY = "g40_entity_merge"


@Language.factory(FACTORY, default_config={"rule_keys": [], "title_key": ""})
def make_entity_resolver(nlp: Language, name: str, rule_keys: list[str], title_key: str) -> EntityResolver:
    """spaCy factory of the merging component; `rule_keys` are the families' spans keys."""
    return EntityResolver(rule_keys, title_key)


class EntityResolver:
    """Merge the family spans, the policy titles and any model entities into `doc.ents`."""

    def __init__(self, rule_keys: list[str], title_key: str) -> None:
        self.rule_keys = list(rule_keys)
        self.title_key = title_key

    def __call__(self, doc: Doc) -> Doc:
        """Set `doc.ents` from the families' spans keys (the model's entities lose where they overlap)."""
        cues = doc.spans.get(self.title_key + CUES_SUFFIX, [])
        rules = sorted(
            span
            for span in {span for key in self.rule_keys for span in doc.spans.get(key, [])}
            if not (span.label_ == "policy" and any(within(span, cue) for cue in cues))
        )
        ents = prioritize_new_ents_filter(list(doc.ents), rules)
        titles = [
            title
            for title in doc.spans.get(self.title_key, [])
            if not any(overlaps(title, ent) and not holds_law(title, ent) for ent in ents if ent.label_ == "law")
            and not any(within(title, cue) for cue in cues)
        ]
        doc.ents = filter_spans([*titles, *ents])
        return doc


def within(span: Span, outer: Span) -> bool:
    """`span` lies inside `outer`."""
    return outer.start <= span.start and span.end <= outer.end


def holds_law(title: Span, law: Span) -> bool:
    """A quoted title longer than the law name it holds: the title is the dossier."""
    return title.id_.startswith("quoted") and within(law, title) and len(title) > len(law)
