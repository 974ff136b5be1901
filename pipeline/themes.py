"""Stage 4: one theme per paragraph from the fixed taxonomy (`models/themes.csv`), with scikit-learn.

There is no hand-labelled training set. The report labels itself: paragraphs under a themagroep heading
get that group's theme through `models/theme_map.csv`; each theme's scope keywords (`scope_nl` in the
taxonomy and `models/theme_keywords.csv`) are added as short documents, so a theme is known even when no
section of a report maps to it. A TF-IDF (words + character n-grams, so Dutch compounds share features)
plus per-theme keyword counts feed a linear classifier that learns from both; every paragraph then gets its
theme, score and runner-up. A paragraph with no theme keyword at all names no policy field: it gets the
fallback theme of `models/theme_fallback.csv` (the network's own work). Training is deterministic: fixed
seeds, fixed row order, no shuffling.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import scipy.optimize
import scipy.sparse as sp
import scipy.special
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import LeaveOneGroupOut
from sklearn.pipeline import FeatureUnion, Pipeline

from pipeline.columns import THEME_COLUMNS
from pipeline.records import GENERAL
from pipeline.resources import ThemeFallbackRow, ThemeKeywordRow, ThemeMapRow, ThemeRow, read_rows
from pipeline.textkeys import alias_key, keyword_regex

SEED = 0
PARAGRAPH_WEIGHT = 1.0
KEYWORD_ENDING = r"\w{0,3}"
KEYWORD_GROUP = "keywords"
TEMPERATURE_BOUNDS = (0.05, 20.0)
MODEL_FILE = "theme_classifier.joblib"
CARD_FILE = "theme_classifier.card.json"
PARAMETERS: dict[str, Any] = {
    "words": {
        "analyzer": "word",
        "ngram_range": (1, 2),
        "sublinear_tf": True,
        "min_df": 1,
        "strip_accents": "unicode",
        "lowercase": True,
    },
    "chars": {
        "analyzer": "char_wb",
        "ngram_range": (3, 5),
        "sublinear_tf": True,
        "min_df": 1,
        "strip_accents": "unicode",
        "lowercase": True,
    },
    "keyword_hits": {"min_length": 3, "ending": KEYWORD_ENDING},
    "classifier": {"C": 20.0, "class_weight": "balanced", "max_iter": 3000, "random_state": SEED},
    "paragraph_weight": PARAGRAPH_WEIGHT,
}


@dataclass(frozen=True)
class ThemeKnowledge:
    """What the classifier knows besides text: the taxonomy, the section → theme map and the keywords."""

    taxonomy: pd.DataFrame
    section_themes: dict[str, str]
    keywords: pd.DataFrame
    fallback_theme: str
    fallback_below: float

    @property
    def cap_topics(self) -> dict[str, int]:
        """Theme id → CAP major topic."""
        return {
            str(t): int(c) for t, c in zip(self.taxonomy["theme_id"], self.taxonomy["cap_major_topic"], strict=True)
        }


def load_theme_knowledge(models_dir: Path) -> ThemeKnowledge:
    """The taxonomy, section → theme map, keywords and fallback from `models/`, checked against each other."""
    read_rows(models_dir / "themes.csv", ThemeRow)
    taxonomy = pd.read_csv(models_dir / "themes.csv", dtype={"cap_major_topic": int}, keep_default_na=False)
    known = set(taxonomy["theme_id"])
    section_themes = {
        alias_key(row.section): row.theme_id for row in read_rows(models_dir / "theme_map.csv", ThemeMapRow).rows
    }
    keyword_rows = [
        {"theme_id": row.theme_id, "keyword": keyword.strip()}
        for row in taxonomy.itertuples()
        for keyword in str(row.scope_nl).split(",")
        if keyword.strip()
    ]
    keyword_rows += [
        {"theme_id": row.theme_id, "keyword": row.keyword}
        for row in read_rows(models_dir / "theme_keywords.csv", ThemeKeywordRow).rows
    ]
    keywords = pd.DataFrame(keyword_rows, columns=["theme_id", "keyword"]).drop_duplicates(ignore_index=True)
    fallback_row = {row.condition: row for row in read_rows(models_dir / "theme_fallback.csv", ThemeFallbackRow).rows}[
        "no_theme_keyword"
    ]
    fallback = fallback_row.theme_id
    unknown = (set(section_themes.values()) | set(keywords["theme_id"]) | {fallback}) - known
    if unknown:
        raise ValueError(
            f"theme_map.csv, theme_keywords.csv or theme_fallback.csv name themes outside themes.csv: {sorted(unknown)}"
        )
    return ThemeKnowledge(taxonomy, section_themes, keywords, fallback, fallback_row.below_score)


def keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """Whole-word match of any (lower-cased) keyword, allowing a short Dutch ending (`woningen`, `wijkteams`)."""
    return keyword_regex(keywords, PARAMETERS["keyword_hits"]["min_length"], KEYWORD_ENDING)


class KeywordHits(BaseEstimator, TransformerMixin):
    """Per-theme counts (log-scaled) of the theme's keywords in a text: the lexicon as classifier features."""

    def __init__(self, keywords: tuple[tuple[str, str], ...] = ()) -> None:
        self.keywords = keywords

    def fit(self, texts: list[str], labels: object = None) -> KeywordHits:
        """Compile one keyword pattern per theme."""
        self.themes_ = sorted({theme for theme, _ in self.keywords})
        self.patterns_ = [keyword_pattern(tuple(k for t, k in self.keywords if t == theme)) for theme in self.themes_]
        return self

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """Log-scaled keyword counts per theme."""
        counts = np.array([[len(p.findall(text.lower())) for p in self.patterns_] for text in texts], dtype=float)
        return sp.csr_matrix(np.log1p(counts.reshape(len(texts), len(self.patterns_))))


def heading_theme(section: str, knowledge: ThemeKnowledge) -> str | None:
    """The theme of a section heading that `theme_map.csv` does not list: the one theme whose keywords its
    name names (`Energietransitie` → `duurzaamheid_energie`), or None when it names none or several."""
    if section.casefold() == GENERAL.casefold():
        return None
    named = {
        str(theme)
        for theme, group in knowledge.keywords.groupby("theme_id", sort=True)
        if keyword_pattern(tuple(group["keyword"])).search(section.lower())
    }
    return named.pop() if len(named) == 1 else None


def weak_labels(paragraphs: pd.DataFrame, knowledge: ThemeKnowledge) -> pd.Series:
    """The theme of each paragraph's section: from `theme_map.csv`, else from the keywords of the section's
    name (`heading_theme`), so the headings of every report in the corpus label its paragraphs; missing
    for `Algemeen` and for sections whose name points to no single theme."""
    themes = {
        section: knowledge.section_themes.get(alias_key(section)) or heading_theme(section, knowledge)
        for section in sorted(set(paragraphs["section"]))
    }
    return paragraphs["section"].map(themes)


def training_set(paragraphs: pd.DataFrame, knowledge: ThemeKnowledge) -> pd.DataFrame:
    """Weakly labelled paragraphs (grouped by document and section) followed by one row per keyword."""
    labelled = paragraphs.assign(theme_id=weak_labels(paragraphs, knowledge)).dropna(subset=["theme_id"])
    texts = pd.DataFrame(
        {
            "text": labelled["text"],
            "theme_id": labelled["theme_id"],
            "group": labelled["doc_id"] + "/" + labelled["section"],
            "weight": PARAGRAPH_WEIGHT,
        }
    )
    keywords = pd.DataFrame(
        {
            "text": knowledge.keywords["keyword"],
            "theme_id": knowledge.keywords["theme_id"],
            "group": KEYWORD_GROUP,
            "weight": 1.0,
        }
    )
    return pd.concat([texts, keywords], ignore_index=True)


class TemperatureLogisticRegression(LogisticRegression):
    """A logistic regression whose probabilities are softened by a temperature (calibration that keeps
    every first choice): `softmax(decision / temperature)`. `make train` fits the temperature on
    leave-one-section-out predictions (`fit_temperature`); 1.0 is the plain logistic regression."""

    def __init__(self, *, temperature: float = 1.0, **parameters: Any) -> None:
        super().__init__(**parameters)
        self.temperature = temperature

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities at the model's temperature."""
        return softmax_rows(np.asarray(self.decision_function(X)) / self.temperature)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The logistic regression's parameters and the temperature."""
        return {**super().get_params(deep), "temperature": self.temperature}


def softmax_rows(decision: np.ndarray) -> np.ndarray:
    """Probabilities from decision values (one column for two classes, as scikit-learn gives them)."""
    if decision.ndim == 1:
        decision = np.column_stack([np.zeros_like(decision), decision])
    return scipy.special.softmax(decision, axis=1)


def make_classifier(knowledge: ThemeKnowledge) -> Pipeline:
    """TF-IDF words and characters plus keyword counts into a logistic regression."""
    keywords = tuple(zip(knowledge.keywords["theme_id"], knowledge.keywords["keyword"], strict=True))
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(**PARAMETERS["words"])),
            ("chars", TfidfVectorizer(**PARAMETERS["chars"])),
            ("keyword_hits", KeywordHits(keywords)),
        ]
    )
    return Pipeline([("features", features), ("classifier", TemperatureLogisticRegression(**PARAMETERS["classifier"]))])


def fit_classifier(training: pd.DataFrame, knowledge: ThemeKnowledge) -> Pipeline:
    """Fit on a training set (paragraph and keyword rows, with weights)."""
    model = make_classifier(knowledge)
    model.fit(
        list(training["text"]), list(training["theme_id"]), classifier__sample_weight=training["weight"].to_numpy()
    )
    return model


def classify(model: Pipeline, paragraphs: pd.DataFrame, knowledge: ThemeKnowledge) -> pd.DataFrame:
    """Theme, CAP major topic, probability, how it was chosen and runner-up for every paragraph, indexed
    like `paragraphs`.

    The theme written is the classifier's first choice; only a paragraph that names no theme keyword *and*
    whose top probability is below the threshold of `models/theme_fallback.csv` (no theme is supported by
    the text) gets the fallback theme, with `theme_source` `fallback`.
    """
    if paragraphs.empty:
        return pd.DataFrame(columns=THEME_COLUMNS, index=paragraphs.index)
    probabilities = model.predict_proba(list(paragraphs["text"]))
    classes = np.asarray(model.classes_)
    order = np.argsort(-probabilities, axis=1, kind="stable")
    rows = np.arange(len(paragraphs))
    without_keyword = (
        ~paragraphs["text"]
        .str.lower()
        .map(keyword_pattern(tuple(knowledge.keywords["keyword"])).search)
        .astype(bool)
        .to_numpy()
    )
    unsupported = without_keyword & (probabilities[rows, order[:, 0]] < knowledge.fallback_below)
    fallback = int(np.flatnonzero(classes == knowledge.fallback_theme)[0])
    for row in np.flatnonzero(unsupported):
        order[row] = [fallback, *(c for c in order[row] if c != fallback)]
    best, second = order[:, 0], order[:, 1]
    themes = classes[best]
    return pd.DataFrame(
        {
            "theme": themes,
            "cap_major_topic": [knowledge.cap_topics[t] for t in themes],
            "theme_score": probabilities[rows, best].round(4),
            "theme_source": np.where(unsupported, "fallback", "classifier"),
            "runner_up": classes[second],
            "runner_up_score": probabilities[rows, second].round(4),
        },
        index=paragraphs.index,
    )


@dataclass(frozen=True)
class HeldOut:
    """Each themed section predicted by a model trained without it: the paragraphs with their `predicted`
    theme, and the decision values and true class index of each, for calibration."""

    predictions: pd.DataFrame
    decisions: np.ndarray
    truth: np.ndarray


def held_out_sections(training: pd.DataFrame, knowledge: ThemeKnowledge) -> HeldOut:
    """Predict each section's paragraphs with a model that never saw that section (keywords always train)."""
    paragraphs = training[training["group"] != KEYWORD_GROUP]
    keywords = training[training["group"] == KEYWORD_GROUP]
    classes = sorted(set(training["theme_id"]))
    predictions, decisions = [], []
    for train_index, test_index in LeaveOneGroupOut().split(paragraphs, groups=paragraphs["group"]):
        model = fit_classifier(pd.concat([paragraphs.iloc[train_index], keywords], ignore_index=True), knowledge)
        held_out = paragraphs.iloc[test_index]
        predictions.append(held_out.assign(predicted=classify(model, held_out, knowledge)["theme"]))
        decision = np.asarray(model.decision_function(list(held_out["text"])))
        full = np.full((len(held_out), len(classes)), -1e3)
        full[:, [classes.index(c) for c in model.classes_]] = decision
        decisions.append(full)
    frame = pd.concat(predictions)
    order = np.argsort(frame.index.to_numpy(), kind="stable")
    truth = np.array([classes.index(t) for t in frame["theme_id"]])
    return HeldOut(frame.iloc[order], np.vstack(decisions)[order], truth[order])


def log_loss_at(held_out: HeldOut, temperature: float) -> float:
    """Mean negative log-likelihood of the held-out sections' true themes at a temperature."""
    log_p = scipy.special.log_softmax(held_out.decisions / temperature, axis=1)
    return float(-log_p[np.arange(len(held_out.truth)), held_out.truth].mean())


def fit_temperature(held_out: HeldOut) -> float:
    """The temperature that makes the held-out probabilities most likely (calibration; first choices keep)."""
    if not len(held_out.truth):
        return 1.0
    found = scipy.optimize.minimize_scalar(
        lambda t: log_loss_at(held_out, t), bounds=TEMPERATURE_BOUNDS, method="bounded", options={"xatol": 1e-3}
    )
    return round(float(found.x), 3)


def calibrated(model: Pipeline, temperature: float) -> Pipeline:
    """The model with its probabilities at `temperature`."""
    model.named_steps["classifier"].set_params(temperature=temperature)
    return model


def theme_scores(gold: pd.Series | np.ndarray, predicted: pd.Series | np.ndarray) -> dict[str, float]:
    """Accuracy and macro-F1 over the gold themes."""
    return {
        "accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "macro_f1": round(
            float(f1_score(gold, predicted, average="macro", labels=sorted(set(gold)), zero_division=0)), 4
        ),
    }


def training_hash(training: pd.DataFrame) -> str:
    """sha256 of the training rows, for the model card."""
    digest = hashlib.sha256()
    for row in training[["text", "theme_id", "group", "weight"]].itertuples(index=False):
        digest.update(json.dumps(list(row), ensure_ascii=False).encode())
    return digest.hexdigest()


def model_card(
    training: pd.DataFrame, cross_validation: dict[str, float], trained_on: list[str], date: str, held_out: HeldOut
) -> dict:
    """What a reader of the saved model needs: data, parameters, scores, versions."""
    paragraphs = training[training["group"] != KEYWORD_GROUP]
    return {
        "model": "TF-IDF (words 1-2 + characters 3-5) + per-theme keyword counts → multinomial logistic regression; no-keyword fallback",
        "date": date,
        "trained_on": trained_on,
        "training_data_sha256": training_hash(training),
        "weakly_labelled_paragraphs": len(paragraphs),
        "sections": int(paragraphs["group"].nunique()),
        "keyword_documents": int((training["group"] == KEYWORD_GROUP).sum()),
        "parameters": PARAMETERS,
        "cross_validation": {"scheme": "leave one section out (keywords always in training)", **cross_validation},
        "calibration": {
            "method": "temperature scaling on the leave-one-section-out decision values",
            "temperature": fit_temperature(held_out),
            "log_loss_uncalibrated": round(log_loss_at(held_out, 1.0), 4),
            "log_loss_calibrated": round(log_loss_at(held_out, fit_temperature(held_out)), 4),
        },
        "scikit_learn": sklearn.__version__,
    }


def save_classifier(model: Pipeline, card: dict, models_dir: Path) -> None:
    """Save the model (joblib) and its model card beside it."""
    joblib.dump(model, models_dir / MODEL_FILE, compress=3)
    (models_dir / CARD_FILE).write_text(
        json.dumps(card, indent=2, ensure_ascii=False, default=list) + "\n", encoding="utf-8"
    )


def load_classifier(models_dir: Path) -> Pipeline | None:
    """The saved model, or None when it is missing or was trained with another scikit-learn version."""
    card_path, model_path = models_dir / CARD_FILE, models_dir / MODEL_FILE
    if not (card_path.exists() and model_path.exists()):
        return None
    card = json.loads(card_path.read_text(encoding="utf-8"))
    if card.get("scikit_learn") != sklearn.__version__:
        return None
    return joblib.load(model_path)


def unmapped_sections(paragraphs: pd.DataFrame, knowledge: ThemeKnowledge) -> list[str]:
    """Sections other than `Algemeen` without a theme in `theme_map.csv` (with the theme their name's keywords
    give them, if any): candidates for the curator."""
    sections = sorted({s for s in paragraphs["section"] if knowledge.section_themes.get(alias_key(s)) is None})
    named = {s: heading_theme(s, knowledge) for s in sections if s.casefold() != GENERAL.casefold()}
    return [f"{s} (by its name: {theme})" if theme else s for s, theme in named.items()]


def assign_themes(paragraphs: pd.DataFrame, models_dir: Path) -> tuple[pd.DataFrame, list[str]]:
    """Classify with the saved model; without one, train on these paragraphs for this run (and say so)."""
    knowledge = load_theme_knowledge(models_dir)
    notes = []
    unmapped = unmapped_sections(paragraphs, knowledge)
    if unmapped:
        notes.append(
            "sections without a theme in theme_map.csv (trained on under the theme their name gives, if any): "
            + ", ".join(unmapped)
        )
    model = load_classifier(models_dir)
    if model is None:
        notes.append(
            "no saved theme classifier for this scikit-learn: trained one on this corpus for this run, with uncalibrated "
            "scores (save a calibrated one with `make train`)"
        )
        model = fit_classifier(training_set(paragraphs, knowledge), knowledge)
    return classify(model, paragraphs, knowledge), notes


def train_themes(paragraphs: pd.DataFrame, trained_on: list[str], models_dir: Path, date: str) -> tuple[Pipeline, dict]:
    """Train the classifier on the weakly labelled paragraphs, score it by leaving out one section at a time,
    and calibrate its probabilities on those held-out predictions."""
    knowledge = load_theme_knowledge(models_dir)
    training = training_set(paragraphs, knowledge)
    held_out = held_out_sections(training, knowledge)
    scores = theme_scores(held_out.predictions["theme_id"], held_out.predictions["predicted"])
    model = calibrated(fit_classifier(training, knowledge), fit_temperature(held_out))
    return model, model_card(training, scores, trained_on, date, held_out)
