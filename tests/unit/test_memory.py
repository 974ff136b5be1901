"""Corpus-wide memory: names learned with a cue or in brackets are found everywhere in the corpus."""

from pipeline.ner.memory import learned_names, with_memory
from pipeline.nlp import build_nlp, find_mentions


def corpus_mentions(*texts: str) -> list[list[tuple[str, str, str]]]:
    nlp, _ = build_nlp("no-such-model")
    documents = []
    for number, text in enumerate(texts):
        paragraphs = [(f"d{number}-p{i}", block) for i, block in enumerate(text.split("\n\n"))]
        documents.append((paragraphs, list(find_mentions(nlp, paragraphs))))
    return [[(m.surface, m.canonical, m.method) for m in mentions] for mentions in with_memory(documents)]


def test_a_title_found_with_its_cue_is_found_in_another_report_without_it():
    first, second = corpus_mentions(
        "Het G40 sloot zich aan bij het programma 'Sterke Wijken Samen' van het Rijk.",
        "Voor Sterke Wijken Samen vroegen de steden meer geld.",
    )
    assert ("Sterke Wijken Samen", "Sterke Wijken Samen", "title") in first
    assert ("Sterke Wijken Samen", "Sterke Wijken Samen", "memory") in second


def test_an_abbreviation_in_brackets_stands_for_its_name_in_the_document_and_the_corpus():
    first, second = corpus_mentions(
        "Het G40 reageerde op de Wet stevige binnensteden (Wsb).\n\nDe Wsb komt in 2025 in de Kamer.",
        "Over de Wsb sprak het netwerk met de minister.",
    )
    assert ("Wsb", "Wet stevige binnensteden", "memory") in first
    assert ("Wsb", "Wet stevige binnensteden", "memory") in second
    assert ("Wsb", "Wsb", "rule") not in first + second


def test_a_common_title_is_not_matched_in_lower_case_nor_at_a_sentence_start():
    _, second = corpus_mentions(
        "Steden tekenden het manifest 'Samen verder' in Zwolle.",
        "Samen verder kijken is nodig. We willen samen verder met het Rijk.",
    )
    assert not [m for m in second if m[0].lower() == "samen verder"]


def test_a_distinctive_title_is_matched_in_lower_case():
    _, second = corpus_mentions(
        "Het programma 'Woningbouwimpuls Plus' startte in 2022.",
        "De gemeenten vroegen om meer woningbouwimpuls plus middelen.",
    )
    assert ("woningbouwimpuls plus", "Woningbouwimpuls Plus", "memory") in second


def test_a_name_learned_for_two_entities_is_left_alone():
    paragraphs = [
        ("a-p0", "De Stichting Wonen Noord (SWN) adviseerde."),
        ("b-p0", "Ook Stichting Werk Nu (SWN) adviseerde."),
    ]
    nlp, _ = build_nlp("no-such-model")
    mentions = list(find_mentions(nlp, paragraphs))
    assert {"Stichting Wonen Noord", "Stichting Werk Nu"} <= {m.canonical for m in mentions}
    assert "SWN" not in {name.surface for name in learned_names(paragraphs, mentions)}
