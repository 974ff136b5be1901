"""The entity targets of issue 3, on the 2023 report and on the independent news item (tests/gold/)."""

import pytest

from pipeline.evaluate import evaluation_table
from tests.conftest import SHIPPED_PDF

TARGETS = {"organisation": 0.95, "place": 0.95, "law": 0.95, "policy": 0.80}


@pytest.fixture(scope="module")
def scores():
    table = evaluation_table("no-such-model", SHIPPED_PDF.parent)
    return table[(table["scope"] == "document") & (table["metric"] == "f1")]


@pytest.mark.parametrize("dataset", ["report-2023", "news-2025"])
@pytest.mark.parametrize(("entity_type", "target"), TARGETS.items())
def test_entity_f1_meets_the_target(scores, dataset, entity_type, target):
    value = scores[(scores["dataset"] == dataset) & (scores["label"] == entity_type)]["value"].item()
    assert value >= target
