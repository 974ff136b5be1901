"""Precision, recall and F1: the one formula every evaluation uses."""

from __future__ import annotations


def precision_recall_f1(predicted_right: int, predicted: int, gold_found: int, gold: int) -> dict[str, float]:
    """P = right predictions / predictions, R = gold items found / gold items (counted apart, since one
    prediction may match several gold items and the other way round). Nothing predicted scores precision
    1.0 and no gold scores recall 1.0: nothing was wrong, nothing was missed."""
    precision = predicted_right / predicted if predicted else 1.0
    recall = gold_found / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
