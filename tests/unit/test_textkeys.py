"""One set of text keys for every lookup and identifier."""

from pathlib import Path

import pytest

from pipeline.metrics import precision_recall_f1
from pipeline.records import DocumentError, ErrorKind, RunResult
from pipeline.textkeys import alias_key, doc_id_for, fold, name_key, slug


@pytest.mark.parametrize(
    ("function", "text", "key"),
    [
        (fold, "Oekraïne", "oekraine"),
        (fold, "’s-Hertogenbosch", "'s-hertogenbosch"),
        (fold, "Apeldoorn - Deventer", "apeldoorn-deventer"),
        (slug, "Ministerie van EZK", "ministerie-van-ezk"),
        (alias_key, "Pijler: Werk & Economie", "pijler werk economie"),
        (name_key, "Raad van State.", "raad van state"),
        (doc_id_for, Path("Één verslag 2023.pdf"), "een-verslag-2023"),
        (doc_id_for, Path("!!!.pdf"), "document"),
    ],
)
def test_keys(function, text, key):
    assert function(text) == key


def test_precision_and_recall_count_apart_and_empty_sets_score_one():
    assert precision_recall_f1(3, 4, 3, 6) == pytest.approx({"precision": 0.75, "recall": 0.5, "f1": 0.6})
    assert precision_recall_f1(0, 0, 0, 0) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_refusing_error_kinds_are_told_by_the_kind_not_by_strings():
    errors = [
        DocumentError("a.pdf", None, ErrorKind.NOT_DUTCH, "in English"),
        DocumentError("b.pdf", None, ErrorKind.DUPLICATE_YEAR, "two claim 2023"),
        DocumentError("c.pdf", 3, ErrorKind.UNREADABLE_PAGE, "page 3"),
    ]
    result = RunResult(errors=errors)
    assert result.refused_analysis == {"a.pdf", "b.pdf"}
    assert result.refused_tables == {"b.pdf"}
    assert result.failed == {"a.pdf", "b.pdf", "c.pdf"}
