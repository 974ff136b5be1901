"""The organisation span ruler, registered as the spaCy factory `g40_organisations`."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.ner.common import FamilyRuler, family_pattern_files, family_ruler

FAMILY = "organisation"
FACTORY = "g40_organisations"
SPANS_KEY = "g40_organisation"
PATTERN_FILES = ("gazetteer", "rules")


def pattern_files(models_dir: Path) -> dict[str, Path]:
    """The organisation pattern files in `models_dir`, by role."""
    return family_pattern_files(models_dir, FAMILY, PATTERN_FILES)


APPOSITION = "rule:apposition"
APPOSITION_LIST = "rule:apposition-list"
IN_CONTEXT = "rule:acronym-context"
LIST_SEPARATORS = (",", "en")


class OrganisationRuler(FamilyRuler):
    """The family's span ruler, with names after a class noun: `onderzoeksbureau Locatus` gives `Locatus`, and
    `woningcorporaties (zoals) WonenBreburg en Laurentius` gives each name (pattern ids `rule:apposition(-list)`);
    an acronym in an organisation's context (`namens KHN`, `samen met de NVM`) gives the acronym."""

    def match(self, doc: Doc) -> list[Span]:
        """The ruler's matches, with appositions cut to their names."""
        matches = []
        for span in super().match(doc):
            if span.id_ == APPOSITION:
                matches.append(Span(doc, first_name(span), span.end, label=span.label_, span_id=APPOSITION))
            elif span.id_ == APPOSITION_LIST:
                matches += listed_names(doc, span)
            elif span.id_ == IN_CONTEXT:
                matches.append(Span(doc, span.end - 1, span.end, label=span.label_, span_id=IN_CONTEXT))
            else:
                matches.append(span)
        return sorted(set(matches) - set(bodies_of_known_names(matches)))


NAMED_BODY = "rule:named-body"
OF_WORDS = ("van", "voor", "de", "het", "der")


def bodies_of_known_names(matches: list[Span]) -> list[Span]:
    """Named-body matches that only run on into a known name: `commissie voor Wonen en Rijksdienst van de Tweede
    Kamer` is no `Rijksdienst van de Tweede Kamer`; the gazetteer's `Tweede Kamer` stands."""
    known = [span for span in matches if not span.id_.startswith("rule:")]
    return [
        span
        for span in matches
        if span.id_ == NAMED_BODY
        and any(
            span.end > name.start
            and span.start + 1 < name.start
            and all(token.lower_ in OF_WORDS for token in span.doc[span.start + 1 : name.start])
            for name in known
        )
    ]


def first_name(span: Span) -> int:
    """Where the names of an apposition start: the first capital or digit after the class noun (and an `als`)."""
    return next((token.i for token in span[1:] if token.text[:1].isupper() or token.text[:1].isdigit()), span.start + 1)


def listed_names(doc: Doc, span: Span) -> list[Span]:
    """The names in `<class noun> (als) A, B en C`, each its own span."""
    names, start = [], first_name(span)
    for token in doc[start : span.end]:
        if token.text in LIST_SEPARATORS:
            names.append(Span(doc, start, token.i, label=span.label_, span_id=APPOSITION))
            start = token.i + 1
    names.append(Span(doc, start, span.end, label=span.label_, span_id=APPOSITION))
    return [name for name in names if len(name)]


@Language.factory(FACTORY, default_config={"spans_key": SPANS_KEY})
def make_organisation_ruler(nlp: Language, name: str, spans_key: str) -> OrganisationRuler:
    """spaCy factory: the organisation ruler (patterns are added by `build_nlp` or read `from_disk`)."""
    return family_ruler(nlp, name, spans_key, OrganisationRuler)
