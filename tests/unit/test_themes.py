"""Theme classification: the taxonomy is respected, training is deterministic, the saved model is used."""

import shutil
from dataclasses import replace

import joblib
import numpy as np
import pandas as pd
import pytest

from pipeline.config import MODELS_DIR
from pipeline.records import LobbyAct
from pipeline.tables import focus_table, lobby_actions_table
from pipeline.themes import (
    CARD_FILE,
    MODEL_FILE,
    assign_themes,
    classify,
    fit_classifier,
    load_classifier,
    load_theme_knowledge,
    training_set,
    weak_labels,
)


def paragraphs(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(pillar, section, text) rows as the paragraph frame the theme stage receives."""
    return pd.DataFrame(
        [
            {
                "doc_id": "doc-2031",
                "year": 2031,
                "paragraph_id": f"doc-2031-p{i:04d}",
                "pillar": pillar,
                "section": section,
                "n_words": len(text.split()),
                "text": text,
            }
            for i, (pillar, section, text) in enumerate(rows, start=1)
        ]
    )


FIXTURE = paragraphs(
    [
        (
            "Fysiek",
            "Woningmarkt",
            "De woningbouw blijft achter: er zijn meer betaalbare huurwoningen nodig en corporaties moeten kunnen bouwen.",
        ),
        (
            "Fysiek",
            "Woningmarkt",
            "Met de provincie maakten we afspraken over de woningbouwopgave en de volkshuisvesting.",
        ),
        (
            "Sociaal",
            "Armoede en schulden",
            "Steeds meer huishoudens hebben problematische schulden; vroegsignalering en schuldhulpverlening helpen.",
        ),
        (
            "Sociaal",
            "Vergunninghouders en asiel",
            "De opvang van asielzoekers en de huisvesting van statushouders vragen om de Spreidingswet.",
        ),
        (
            "Overig",
            "Veiligheid",
            "Vuurwerkoverlast en explosies in woonwijken: de burgemeesters willen een vuurwerkverbod.",
        ),
        ("Algemeen", "Algemeen", "Onze voorzitter dankt alle collega's voor een mooi jaar samen."),
    ]
)


@pytest.fixture(scope="module")
def knowledge():
    return load_theme_knowledge(MODELS_DIR)


@pytest.fixture(scope="module")
def model(knowledge):
    return fit_classifier(training_set(FIXTURE, knowledge), knowledge)


def test_weak_labels_come_from_the_section_map_and_skip_general_sections(knowledge):
    labels = weak_labels(FIXTURE, knowledge)
    assert labels.tolist()[:5] == ["wonen", "wonen", "bestaanszekerheid", "asiel_integratie", "veiligheid"]
    assert pd.isna(labels.iloc[5])


def test_a_section_heading_outside_the_map_labels_its_paragraphs_by_its_keywords(knowledge):
    frame = paragraphs(
        [
            ("Fysiek", "Energietransitie", "De steden willen meer ruimte op het net."),
            ("Fysiek", "Wonen en energie", "Twee thema's in één kop: geen label."),
            ("Fysiek", "Algemeen", "Geen themagroep."),
        ]
    )
    assert weak_labels(frame, knowledge).tolist()[:1] == ["duurzaamheid_energie"]
    assert weak_labels(frame, knowledge).iloc[1:].isna().all()


def test_every_theme_is_in_the_taxonomy_with_its_cap_topic(model, knowledge):
    unseen = paragraphs(
        [
            ("Overig", "Algemeen", t)
            for t in [
                "Het gemeentefonds krimpt door de opschalingskorting.",
                "Brussel en de Europese fondsen.",
                "xyz qqq",
            ]
        ]
    )
    themes = classify(model, unseen, knowledge)
    taxonomy = knowledge.taxonomy.set_index("theme_id")
    assert set(themes["theme"]) | set(themes["runner_up"]) <= set(taxonomy.index)
    assert (themes["cap_major_topic"] == taxonomy.loc[themes["theme"], "cap_major_topic"].to_numpy()).all()
    assert themes["theme"].tolist()[:2] == ["financien", "europa"]
    fallback = themes["theme_source"] == "fallback"
    assert (themes["theme_score"] >= themes["runner_up_score"])[~fallback].all()
    assert (themes.loc[fallback, "theme"] == knowledge.fallback_theme).all()


def test_the_fallback_never_overrides_a_confident_first_choice(model, knowledge):
    """Only a paragraph with no theme keyword and a top probability below the threshold gets the fallback."""
    themes = classify(model, FIXTURE, knowledge)
    top = np.maximum(themes["theme_score"], themes["runner_up_score"])
    fallback = themes["theme_source"] == "fallback"
    assert (top[fallback] < knowledge.fallback_below).all()
    assert (themes.loc[~fallback, "theme_score"] >= themes.loc[~fallback, "runner_up_score"]).all()
    confident = replace(knowledge, fallback_below=0.0)
    assert set(classify(model, FIXTURE, confident)["theme_source"]) == {"classifier"}


def test_a_paragraph_without_any_theme_keyword_gets_the_fallback_theme(model, knowledge):
    themes = classify(model, FIXTURE.iloc[[5]], knowledge)
    assert themes["theme"].item() == knowledge.fallback_theme == "bestuur"
    assert themes["theme_source"].item() == "fallback"
    assert themes["runner_up"].item() != "bestuur"


def test_a_theme_outside_the_taxonomy_is_refused(tmp_path):
    shutil.copytree(MODELS_DIR, tmp_path / "models", ignore=shutil.ignore_patterns("*.joblib"))
    with (tmp_path / "models" / "theme_map.csv").open("a", encoding="utf-8") as handle:
        handle.write("Sport,sport_en_cultuur,not a theme\n")
    with pytest.raises(ValueError, match="sport_en_cultuur"):
        load_theme_knowledge(tmp_path / "models")


def test_training_is_deterministic(knowledge, model, tmp_path):
    again = fit_classifier(training_set(FIXTURE, knowledge), knowledge)
    texts = list(FIXTURE["text"])
    assert np.array_equal(model.predict_proba(texts), again.predict_proba(texts))
    joblib.dump(model, tmp_path / "a.joblib")
    joblib.dump(again, tmp_path / "b.joblib")
    assert (tmp_path / "a.joblib").read_bytes() == (tmp_path / "b.joblib").read_bytes()


def test_the_shipped_model_is_used_and_a_missing_one_is_trained_for_the_run(tmp_path):
    assert load_classifier(MODELS_DIR) is not None
    shutil.copytree(MODELS_DIR, tmp_path / "models", ignore=shutil.ignore_patterns(MODEL_FILE, CARD_FILE))
    themes, notes = assign_themes(FIXTURE, tmp_path / "models")
    assert any("trained one on this corpus for this run" in note for note in notes)
    assert not (tmp_path / "models" / MODEL_FILE).exists()
    assert themes["theme"].iloc[0] == "wonen"


def test_a_model_from_another_scikit_learn_is_not_loaded(tmp_path):
    shutil.copytree(MODELS_DIR, tmp_path / "models")
    card = tmp_path / "models" / CARD_FILE
    card.write_text(
        card.read_text(encoding="utf-8").replace('"scikit_learn": "', '"scikit_learn": "0.0-'), encoding="utf-8"
    )
    assert load_classifier(tmp_path / "models") is None


def test_focus_shares_add_up_to_one_per_pillar_and_count_lobbying_acts(model, knowledge):
    frame = FIXTURE.join(classify(model, FIXTURE, knowledge))
    acts = [
        LobbyAct("doc-2031-p0001", "brief", "Tweede Kamer der Staten-Generaal", "", "Een brief aan de Tweede Kamer.")
    ]
    focus = focus_table(frame, lobby_actions_table(frame.assign(page=1), acts))
    assert focus.groupby(["year", "pillar"])["share"].sum().to_numpy() == pytest.approx(1.0, abs=1e-5)
    assert focus["words"].sum() == frame["n_words"].sum()
    assert focus.set_index(["pillar", "theme"]).loc[("Fysiek", "wonen"), "lobby_actions"] == 1
    assert focus["lobby_actions"].sum() == 1
