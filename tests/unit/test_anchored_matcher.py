"""The anchored matcher finds exactly what spaCy's `Matcher` finds, with every pattern file the tool ships."""

from functools import cache

import pytest
import spacy
import srsly
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.anchored_matcher import AnchoredMatcher, pattern_anchors, pattern_length
from pipeline.config import MODELS_DIR

TOKEN_PATTERNS = {
    f"{path.parent.name}/{path.name}": rows
    for path in sorted((MODELS_DIR / "patterns").rglob("*.jsonl"))
    if (rows := [row for row in srsly.read_jsonl(path) if isinstance(row.get("pattern"), list)])
}
TEXTS = [
    "De G40 stuurde een brief aan de minister van Binnenlandse Zaken over de Woningwet.",
    "Samen met de VNG en het Nationaal Programma ‘Vitale Steden’ pleiten de steden voor een Regio Deal Twente.",
    "Wethouder Jansen (Leefbaar Utrecht) voerde overleg met staatssecretaris Van Ark over de Participatiewet.",
    "In de reactie op de internetconsultatie vraagt de Stichting Lezen om meer tijd; de Omgevingswet wacht.",
    "",
]


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("nl")


def spacy_and_anchored(nlp, rows):
    plain, anchored = Matcher(nlp.vocab, validate=True), AnchoredMatcher(nlp.vocab, validate=True)
    for row in rows:
        plain.add(row["id"], [row["pattern"]])
        anchored.add(row["id"], [row["pattern"]])
    return plain, anchored


@pytest.mark.parametrize("name", TOKEN_PATTERNS)
def test_every_pattern_file_gives_spacys_matches(nlp, name):
    plain, anchored = spacy_and_anchored(nlp, TOKEN_PATTERNS[name])
    for doc in nlp.pipe(TEXTS):
        assert sorted(anchored(doc)) == sorted(plain(doc))


def test_a_pattern_is_anchored_on_the_words_of_its_required_tokens():
    pattern = [{"LOWER": "de", "OP": "?"}, {"LOWER": {"IN": ["een", "onze"]}}, {"LOWER": {"IN": ["brief", "brieven"]}}]
    assert pattern_anchors(pattern) == {
        ("LOWER", frozenset({"een", "onze"})),
        ("LOWER", frozenset({"brief", "brieven"})),
    }
    assert pattern_anchors([{"LOWER": "brief", "OP": "*"}, {"IS_TITLE": True}]) == frozenset()
    assert pattern_anchors([{"ORTH": "Wet"}, {"TEXT": {"REGEX": "^[a-z]"}, "OP": "+"}]) == {
        ("ORTH", frozenset({"Wet"}))
    }
    assert pattern_anchors([{"NORM": "wet", "OP": "{2}"}, {"NORM": "nota", "OP": "{0,2}"}]) == {
        ("NORM", frozenset({"wet"}))
    }


def test_a_pattern_length_is_bounded_unless_a_token_repeats_freely():
    assert pattern_length([{"LOWER": "brief"}, {"OP": "?"}, {"IS_TITLE": True, "OP": "{1,3}"}]) == 5
    assert pattern_length([{"ORTH": "Wet"}, {"OP": "{2}"}, {"OP": "{,4}"}]) == 7
    for op in ("*", "+", "{2,}"):
        assert pattern_length([{"ORTH": "Wet"}, {"IS_LOWER": True, "OP": op}]) is None


def test_remove_and_contains(nlp):
    matcher = AnchoredMatcher(nlp.vocab)
    with pytest.raises(ValueError, match="no patterns"):
        matcher.remove("brief")
    matcher.add("brief", [[{"LOWER": "brief"}]])
    matcher.add("naam", [[{"IS_TITLE": True}]])
    assert "brief" in matcher and len(matcher) == 2
    matcher.remove("brief")
    assert "brief" not in matcher and len(matcher) == 1
    assert [nlp.vocab.strings[key] for key, _, _ in matcher(nlp("een brief aan Jan"))] == ["naam"]


WORDS = ["de", "brief", "Wet", "aan", "Kamer", "minister", "van", "'", "Nota", "en", ",", "Ruimte"]
PATTERNS = [
    [{"LOWER": "brief"}, {"LOWER": "aan", "OP": "?"}, {"IS_TITLE": True, "OP": "+"}],
    [{"ORTH": "Wet"}, {"IS_LOWER": True, "OP": "{1,3}"}],
    [{"LOWER": {"IN": ["minister", "kamer"]}}, {"LOWER": "van"}, {"IS_TITLE": True}],
    [{"ORTH": "'"}, {"OP": "{1,4}", "ORTH": {"NOT_IN": ["'"]}}, {"ORTH": "'"}],
    [{"TEXT": {"REGEX": "^[A-Z]"}}, {"LOWER": "en", "OP": "?"}, {"ORTH": "Ruimte"}],
    [{"LOWER": "de", "OP": "*"}, {"ORTH": "Nota"}],
    [{"LOWER": "van"}, {"OP": "{0,3}"}, {"ORTH": "Kamer"}, {"IS_PUNCT": True, "OP": "?"}],
    [{"lower": "aan", "op": "?"}, {"orth": "Kamer"}, {"IS_ALPHA": True, "op": "*"}, {"lower": {"in": ["brief"]}}],
]


@cache
def small_matchers() -> tuple[Vocab, Matcher, AnchoredMatcher]:
    nlp = spacy.blank("nl")
    return nlp.vocab, *spacy_and_anchored(nlp, [{"id": f"p{i}", "pattern": p} for i, p in enumerate(PATTERNS)])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30))
def test_any_text_gives_spacys_matches(words):
    vocab, plain, anchored = small_matchers()
    doc = Doc(vocab, words=words)
    assert sorted(anchored(doc)) == sorted(plain(doc))
