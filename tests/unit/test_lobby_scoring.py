"""Scoring lobbying acts: sentence-level detection, and instrument, target and subject agreement on the
acts found; development texts numbered as their gold numbers paragraphs."""

import pandas as pd
import pytest

from pipeline.config import MODELS_DIR
from pipeline.evaluate import agreeing, gold_paragraphs, score_lobby
from pipeline.ner.knowledge import load_knowledge_base

COLUMNS = ["paragraph_id", "instrument", "target", "addressee", "subject", "sentence"]


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(MODELS_DIR)


def test_paragraphs_are_numbered_without_the_title_and_the_headings():
    text = "Titel van de tekst\n\n## Aanleiding\n\nEerste alinea\nover twee regels.\n\n## Kop\n\nTweede alinea."
    assert gold_paragraphs(text) == ["Eerste alinea over twee regels.", "Tweede alinea."]


@pytest.mark.parametrize(
    ("predicted", "gold", "agrees"),
    [
        (set(), set(), True),
        ({"a"}, {"a", "b"}, True),
        ({"a"}, set(), False),
        (set(), {"a"}, False),
        ({"a", "c"}, {"a", "b"}, False),
    ],
)
def test_a_cell_agrees_when_it_names_only_gold_entities(predicted, gold, agrees):
    assert agreeing(predicted, gold) is agrees


def test_detection_is_by_sentence_and_fields_are_compared_by_entity(kb):
    gold = pd.DataFrame(
        [
            ["1", "brief", "Tweede Kamer der Staten-Generaal", "", "", "De G40 stuurde een brief aan de Kamer."],
            ["2", "pleidooi", "", "het kabinet", "Participatiewet", "De G40 vraagt het kabinet om geld."],
            ["3", "gesprek", "Ministerie van Economische Zaken", "", "", "De G40 sprak met EZK."],
        ],
        columns=COLUMNS,
    )
    predicted = pd.DataFrame(
        [
            ["1", "brief", "Tweede Kamer", "", "", "De G40 stuurde een brief aan de Kamer."],
            ["2", "inbreng", "", "het kabinet", "Participatiewet", "De G40 vraagt het kabinet om geld"],
            ["4", "lobby", "", "", "", "Een zin die geen act is."],
        ],
        columns=COLUMNS,
    )
    scores = score_lobby("test", predicted, gold, kb).set_index(["scope", "metric"])["value"]
    assert scores[("detection", "precision")] == pytest.approx(2 / 3, abs=1e-4)
    assert scores[("detection", "recall")] == pytest.approx(2 / 3, abs=1e-4)
    assert scores[("instrument", "accuracy")] == 0.5
    assert scores[("target", "accuracy")] == 1.0
    assert scores[("addressee", "accuracy")] == 1.0
    assert scores[("subject", "accuracy")] == 1.0
