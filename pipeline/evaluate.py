"""Evaluation against the hand-made gold standards in `tests/gold/`: entity P/R/F1, theme accuracy, lobbying acts.

Entities are compared as distinct canonical entities per document and per pillar (docs/ANNOTATION.md). A gold
name and a predicted one are the same entity when they resolve to the same identifier through the
gazetteer, or else when their folded names are equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from spacy.language import Language

from pipeline.clean import clean_text, join_lines
from pipeline.config import MODELS_DIR, PROJ_ROOT, Settings
from pipeline.flow.document import nlp_for, process_document
from pipeline.lobby import document_acts, named_organisations, network_names, title_senders
from pipeline.metrics import precision_recall_f1
from pipeline.ner.knowledge import KnowledgeBase, load_knowledge_base
from pipeline.ner.memory import with_memory
from pipeline.nlp import find_mentions, lobby_acts_in, parse_paragraphs
from pipeline.records import ENTITY_TYPES, GENERAL, LobbyAct, Mention
from pipeline.tables import paragraph_frame
from pipeline.textkeys import fold, name_key
from pipeline.themes import (
    HeldOut,
    ThemeKnowledge,
    calibrated,
    classify,
    fit_classifier,
    fit_temperature,
    held_out_sections,
    load_theme_knowledge,
    log_loss_at,
    theme_scores,
    training_set,
    weak_labels,
)

GOLD_DIR = PROJ_ROOT / "tests" / "gold"
EVALUATION_COLUMNS = ["dataset", "task", "scope", "pillar", "label", "metric", "value", "support"]


def entity_key(entity_type: str, name: str, kb: KnowledgeBase) -> str:
    """The gazetteer id of a name, else its folded words: gold and predicted names meet on this key."""
    entity = kb.lookup(entity_type, name)
    if entity is not None:
        return entity.entity_id
    return name_key(name)


def gold_entities(path: Path, kb: KnowledgeBase) -> pd.DataFrame:
    """Gold rows with every key (canonical and aliases) that identifies the entity."""
    gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    gold["keys"] = pd.Series(
        [
            {entity_key(t, n, kb) for n in [c, *filter(None, a.split(";"))]}
            for t, c, a in zip(gold["entity_type"], gold["canonical"], gold["aliases"], strict=True)
        ],
        index=gold.index,
        dtype=object,
    )
    return gold


def entity_counts(gold_keys: list[set[str]], predicted: set[str]) -> tuple[int, int]:
    """(gold entities found, predictions wrong): a gold entity is found when any of its keys is predicted;
    a prediction is wrong when it is no key of any gold entity."""
    found = sum(1 for keys in gold_keys if keys & predicted)
    wrong = len(predicted - (set().union(*gold_keys) if gold_keys else set()))
    return found, wrong


def prf(gold_keys: list[set[str]], predicted: set[str]) -> dict[str, float]:
    """Entity P/R/F1 of one document (see `entity_counts`)."""
    found, wrong = entity_counts(gold_keys, predicted)
    return {**precision_recall_f1(found, found + wrong, found, len(gold_keys)), "support": len(gold_keys)}


def score_entities(dataset: str, predicted: pd.DataFrame, gold: pd.DataFrame, kb: KnowledgeBase) -> pd.DataFrame:
    """P/R/F1 per entity type, for the whole document and for each pillar."""
    predicted = predicted.assign(
        key=[entity_key(t, c, kb) for t, c in zip(predicted["entity_type"], predicted["canonical"], strict=True)]
    )
    rows = []
    scopes = [("document", "", gold, predicted)] + [
        ("pillar", pillar, gold[gold["pillar"] == pillar], predicted[predicted["pillar"] == pillar])
        for pillar in sorted(set(gold["pillar"]))
    ]
    for scope, pillar, gold_part, predicted_part in scopes:
        for entity_type in ENTITY_TYPES:
            gold_keys = _distinct(gold_part[gold_part["entity_type"] == entity_type]["keys"])
            keys = set(predicted_part[predicted_part["entity_type"] == entity_type]["key"])
            scores = prf(gold_keys, keys)
            for metric in ("precision", "recall", "f1"):
                rows.append(
                    [
                        dataset,
                        "entities",
                        scope,
                        pillar,
                        entity_type,
                        metric,
                        round(scores[metric], 4),
                        scores["support"],
                    ]
                )
    return pd.DataFrame(rows, columns=EVALUATION_COLUMNS)


def _distinct(key_sets: Iterable[set[str]]) -> list[set[str]]:
    """Merge gold rows of one entity (several pillars) into one set of keys per entity."""
    merged: list[set[str]] = []
    for keys in key_sets:
        for existing in merged:
            if existing & keys:
                existing |= keys
                break
        else:
            merged.append(set(keys))
    return merged


def predicted_frame(mentions: Iterable[Mention], pillar_of: Callable[[str], str]) -> pd.DataFrame:
    """Mentions as (pillar, entity_type, canonical) rows."""
    return pd.DataFrame(
        [
            {"pillar": pillar_of(m.paragraph_id), "entity_type": m.entity_type, "canonical": m.canonical}
            for m in mentions
        ],
        columns=["pillar", "entity_type", "canonical"],
    )


def text_blocks(text: str) -> list[str]:
    """The blocks of a plain text (separated by blank lines), lines joined and cleaned as report text is;
    a `## ` heading marker is dropped."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    return [
        clean_text(join_lines([line.strip().removeprefix("## ") for line in block.splitlines()])) for block in blocks
    ]


def dev_paragraphs(text: str) -> list[str]:
    """The paragraphs of a development text as its theme gold numbers them (from 1): its blocks without the
    title line and the `## ` headings, cleaned as report text is."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()][1:]
    return [
        block for raw, block in zip(blocks, text_blocks("\n\n".join(blocks)), strict=True) if not raw.startswith("## ")
    ]


def starts_alike(text: str, start: str) -> bool:
    """True when `text` begins with `start`, compared on letters and digits only (folded), so quote styles,
    spacing and line-break hyphens of the cleaning do not count."""
    key = re.sub(r"[\W_]+", "", fold(start))
    return re.sub(r"[\W_]+", "", fold(text)).startswith(key)


def dev_theme_frame(folder: Path) -> pd.DataFrame:
    """Every hand-labelled paragraph of a folder of development texts: text, gold theme, text id; refusing a
    gold file whose paragraphs no longer start as they did."""
    rows = []
    for text_path in sorted(folder.glob("*.txt")):
        paragraphs = dev_paragraphs(text_path.read_text(encoding="utf-8"))
        gold = pd.read_csv(text_path.with_suffix(".themes.csv"), dtype=str, keep_default_na=False)
        for number, start, theme in zip(
            gold["paragraph"].astype(int), gold["text_start"], gold["theme_id"], strict=True
        ):
            if not 1 <= number <= len(paragraphs) or not starts_alike(paragraphs[number - 1], start):
                raise ValueError(f"{text_path.name}: paragraph {number} changed since labelling (re-align the gold)")
            rows.append({"text_id": text_path.stem, "text": paragraphs[number - 1], "theme_id": theme})
    return pd.DataFrame(rows, columns=["text_id", "text", "theme_id"])


def theme_rows(dataset: str, scope: str, gold: pd.Series | np.ndarray, predicted: pd.Series | np.ndarray) -> list[dict]:
    """Accuracy and macro-F1 as evaluation rows."""
    return [
        {
            "dataset": dataset,
            "task": "theme",
            "scope": scope,
            "pillar": "",
            "label": "",
            "metric": m,
            "value": v,
            "support": len(gold),
        }
        for m, v in theme_scores(gold, predicted).items()
    ]


def score_dev_themes(dataset: str, folder: Path, model: Pipeline, knowledge: ThemeKnowledge) -> pd.DataFrame:
    """Theme accuracy and macro-F1 over the hand-labelled paragraphs of a folder of development texts, with
    the model an extraction of the shipped corpus uses (the texts are never in its training)."""
    frame = dev_theme_frame(folder)
    predicted = classify(model, frame, knowledge)["theme"]
    return pd.DataFrame(
        theme_rows(dataset, "hand_paragraphs", frame["theme_id"], predicted), columns=EVALUATION_COLUMNS
    )


def text_paragraphs(text: str) -> list[tuple[str, str]]:
    """A plain text's paragraphs (blocks separated by blank lines) as (paragraph_id, text) pairs."""
    return [(str(i), block) for i, block in enumerate(text_blocks(text))]


def mentions_with_memory(nlp: Language, texts: Sequence[str]) -> list[list[Mention]]:
    """The mentions of each text, with the names learned from all of them, as a corpus run finds them."""
    documents = []
    for text in texts:
        paragraphs = text_paragraphs(text)
        documents.append((paragraphs, list(find_mentions(nlp, paragraphs))))
    return with_memory(documents)


def predicted_for_text(nlp: Language, text: str, pillar: str = GENERAL) -> pd.DataFrame:
    """Entities of a plain text (paragraphs separated by blank lines), cleaned as report text is."""
    return predicted_frame(mentions_with_memory(nlp, [text])[0], lambda _: pillar)


def score_text_set(dataset: str, folder: Path, nlp: Language, kb: KnowledgeBase) -> pd.DataFrame:
    """Micro P/R/F1 per entity type over a folder of texts (`devNN.txt` with `devNN.entities.csv`), read as one
    corpus (names learned in one text are known in the others): distinct entities per text, counts summed."""
    counts = {t: [0, 0, 0, 0] for t in ENTITY_TYPES}
    texts = sorted(folder.glob("*.txt"))
    found_mentions = mentions_with_memory(nlp, [path.read_text(encoding="utf-8") for path in texts])
    for text_path, mentions in zip(texts, found_mentions, strict=True):
        gold = gold_entities(text_path.with_suffix(".entities.csv"), kb)
        predicted = predicted_frame(mentions, lambda _: GENERAL)
        keys = [entity_key(t, c, kb) for t, c in zip(predicted["entity_type"], predicted["canonical"], strict=True)]
        predicted = predicted.assign(key=keys)
        for entity_type in ENTITY_TYPES:
            gold_keys = _distinct(gold[gold["entity_type"] == entity_type]["keys"])
            predicted_keys = set(predicted[predicted["entity_type"] == entity_type]["key"])
            found, wrong = entity_counts(gold_keys, predicted_keys)
            for i, value in enumerate((found, found + wrong, found, len(gold_keys))):
                counts[entity_type][i] += value
    rows = []
    for entity_type, (right, n_predicted, gold_found, n_gold) in counts.items():
        for metric, score in precision_recall_f1(right, n_predicted, gold_found, n_gold).items():
            rows.append([dataset, "entities", "micro", "", entity_type, metric, round(score, 4), n_gold])
    return pd.DataFrame(rows, columns=EVALUATION_COLUMNS)


def hand_theme_labels(path: Path, paragraphs: pd.DataFrame) -> pd.Series:
    """Hand labels by paragraph_id, refusing a gold file whose paragraphs no longer start as they did."""
    gold = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("paragraph_id")
    texts = paragraphs.set_index("paragraph_id")["text"]
    moved = [pid for pid in gold.index if not str(texts.get(pid, "")).startswith(gold.loc[pid, "text_start"])]
    if moved:
        raise ValueError(f"{path.name}: paragraphs changed since labelling (re-align the gold): {', '.join(moved[:5])}")
    return gold["theme_id"]


def score_themes(
    dataset: str,
    paragraphs: pd.DataFrame,
    hand: pd.Series,
    knowledge: ThemeKnowledge,
    model: Pipeline,
    held_out: HeldOut,
) -> pd.DataFrame:
    """Theme accuracy and macro-F1 of the shipped report: every paragraph against its hand label with the
    model of the run (its themed sections were in training: optimistic), each themed section predicted by a
    model trained without it (against the weak labels and against the hand labels), and the foreword and
    `Algemeen` paragraphs, never in training, against the hand labels; and the held-out log-loss before and
    after calibration."""
    general = paragraphs[weak_labels(paragraphs, knowledge).isna()]
    predicted = classify(model, paragraphs, knowledge)["theme"]
    labelled_ids = paragraphs.loc[weak_labels(paragraphs, knowledge).notna(), "paragraph_id"].to_numpy()
    held_out_ids = labelled_ids[held_out.predictions.index.to_numpy()]
    rows = theme_rows(
        dataset, "all_paragraphs_hand", hand.loc[paragraphs["paragraph_id"]].to_numpy(), predicted.to_numpy()
    )
    rows += theme_rows(
        dataset, "held_out_sections", held_out.predictions["theme_id"], held_out.predictions["predicted"]
    )
    rows += theme_rows(
        dataset,
        "held_out_sections_hand",
        hand.loc[held_out_ids].to_numpy(),
        held_out.predictions["predicted"].to_numpy(),
    )
    rows += theme_rows(
        dataset,
        "general_paragraphs_hand",
        hand.loc[general["paragraph_id"]].to_numpy(),
        predicted.loc[general.index].to_numpy(),
    )
    temperature = fit_temperature(held_out)
    rows += [
        {
            "dataset": dataset,
            "task": "theme",
            "scope": "held_out_sections",
            "pillar": "",
            "label": "",
            "metric": metric,
            "value": round(value, 4),
            "support": len(held_out.truth),
        }
        for metric, value in (
            ("log_loss_uncalibrated", log_loss_at(held_out, 1.0)),
            ("log_loss_calibrated", log_loss_at(held_out, temperature)),
            ("temperature", temperature),
        )
    ]
    return pd.DataFrame(rows, columns=EVALUATION_COLUMNS)


def same_sentence(a: str, b: str) -> bool:
    """Two sentence strings are the same act sentence when one contains the other (words only)."""
    a, b = fold(re.sub(r"\W+", " ", a)), fold(re.sub(r"\W+", " ", b))
    return a in b or b in a


def entity_keys(names: str, entity_types: tuple[str, ...], kb: KnowledgeBase) -> set[str]:
    """The keys of `;`-separated entity names (a target or subject cell), resolved through the gazetteer."""
    keys = set()
    for name in filter(None, (n.strip() for n in names.split(";"))):
        found = next((e.entity_id for t in entity_types if (e := kb.lookup(t, name)) is not None), None)
        keys.add(found or name_key(name))
    return keys


def agreeing(predicted: set[str], gold: set[str]) -> bool:
    """A predicted cell agrees with the gold when both are empty, or when it names only gold entities."""
    return predicted <= gold and bool(predicted) == bool(gold)


LOBBY_FIELDS = {
    "instrument": (),
    "target": ("organisation",),
    "addressee": (),
    "subject": ("law", "policy"),
}


def score_lobby(dataset: str, predicted: pd.DataFrame, gold: pd.DataFrame, kb: KnowledgeBase) -> pd.DataFrame:
    """Lobbying acts: detection by sentence (precision, recall, F1), then instrument, target, addressee and
    subject agreement on the (gold, predicted) pairs of the same sentence."""
    gold_acts, predicted_acts = gold.to_dict("records"), predicted.to_dict("records")
    pairs = [
        (i, j)
        for i, g in enumerate(gold_acts)
        for j, p in enumerate(predicted_acts)
        if g["paragraph_id"] == p["paragraph_id"] and same_sentence(str(g["sentence"]), str(p["sentence"]))
    ]
    found_gold, found_predicted = {i for i, _ in pairs}, {j for _, j in pairs}
    scores = precision_recall_f1(len(found_predicted), len(predicted), len(found_gold), len(gold))
    detection = {metric: round(value, 4) for metric, value in scores.items()}

    def keys(act: dict[Any, Any], field: str) -> set[str]:
        cell = str(act.get(field, ""))
        types = LOBBY_FIELDS[field]
        return entity_keys(cell, types, kb) if types else {fold(v) for v in cell.split(";") if v.strip()}

    def agrees(field: str) -> float:
        hits = [agreeing(keys(predicted_acts[j], field), keys(gold_acts[i], field)) for i, j in pairs]
        return round(sum(hits) / len(hits), 4) if hits else 0.0

    rows = [("detection", metric, value, len(gold)) for metric, value in detection.items()]
    rows += [(field, "accuracy", agrees(field), len(pairs)) for field in LOBBY_FIELDS]
    return pd.DataFrame(
        [
            {
                "dataset": dataset,
                "task": "lobby",
                "scope": scope,
                "pillar": "",
                "label": "",
                "metric": m,
                "value": v,
                "support": n,
            }
            for scope, m, v, n in rows
        ],
        columns=EVALUATION_COLUMNS,
    )


def gold_paragraphs(text: str) -> list[str]:
    """The paragraphs of a development text as its gold numbers them (from 1): the blocks without the title
    line and the `## ` headings, which are furniture, not paragraphs."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()][1:]
    return [text_blocks(block)[0] for block in blocks if not block.startswith("## ")]


def lobby_for_text(nlp: Language, text: str, text_id: str = "") -> pd.DataFrame:
    """The lobbying acts of a development text, with `paragraph_id` as the gold numbers paragraphs
    (prefixed by `text_id`, so acts of several texts can be scored together)."""
    paragraphs = [(f"{text_id}{i}", paragraph) for i, paragraph in enumerate(gold_paragraphs(text), start=1)]
    senders = network_names() | title_senders(nlp, text_blocks(text)[0])
    docs = list(parse_paragraphs(nlp, paragraphs))
    named = [(pid, doc.text, named_organisations(doc)) for pid, doc in docs]
    acts = document_acts([a for pid, doc in docs for a in lobby_acts_in(doc, pid)], named, senders)
    return pd.DataFrame([a.__dict__ for a in acts], columns=[*LobbyAct.__dataclass_fields__])


def score_lobby_set(dataset: str, folder: Path, nlp: Language, kb: KnowledgeBase) -> pd.DataFrame:
    """Lobbying acts over a folder of texts (`devNN.txt` with `devNN.lobby.csv`), micro over the texts."""
    predicted, gold = [], []
    for text_path in sorted(folder.glob("*.txt")):
        text_id = f"{text_path.stem}:"
        predicted.append(lobby_for_text(nlp, text_path.read_text(encoding="utf-8"), text_id))
        labels = pd.read_csv(text_path.with_suffix(".lobby.csv"), dtype=str, keep_default_na=False)
        gold.append(labels.assign(paragraph_id=text_id + labels["paragraph"]))
    return score_lobby(dataset, pd.concat(predicted, ignore_index=True), pd.concat(gold, ignore_index=True), kb)


def evaluation_table(spacy_model: str, corpus: Path) -> pd.DataFrame:
    """Entity scores on the shipped 2023 report and on the independent news item; theme scores on the report."""
    kb = load_knowledge_base(MODELS_DIR)
    settings = Settings(spacy_model=spacy_model)
    nlp, _ = nlp_for(spacy_model, settings.models_dir)
    document = process_document(corpus / "g40-jaarverslag-2023.pdf", settings)
    if document.report is None:
        raise ValueError(f"the shipped report cannot be read: {document.errors}")
    pillars = {p.paragraph_id: p.pillar for p in document.report.paragraphs}
    remembered = with_memory([([(p.paragraph_id, p.text) for p in document.report.paragraphs], document.mentions)])
    report = predicted_frame(remembered[0], pillars.__getitem__)
    news = predicted_for_text(nlp, (GOLD_DIR / "news_g40_2025.txt").read_text(encoding="utf-8"))
    paragraphs = paragraph_frame([document.report])
    knowledge = load_theme_knowledge(MODELS_DIR)
    training = training_set(paragraphs, knowledge)
    held_out = held_out_sections(training, knowledge)
    model = calibrated(fit_classifier(training, knowledge), fit_temperature(held_out))
    return pd.concat(
        [
            score_entities("report-2023", report, gold_entities(GOLD_DIR / "entities_2023.csv", kb), kb),
            score_entities("news-2025", news, gold_entities(GOLD_DIR / "entities_news_g40_2025.csv", kb), kb),
            score_text_set("dev-tune", GOLD_DIR / "dev" / "tune", nlp, kb),
            score_text_set("dev-tune2", GOLD_DIR / "dev" / "tune2", nlp, kb),
            score_text_set("dev-tune3", GOLD_DIR / "dev" / "tune3", nlp, kb),
            score_text_set("dev-tune4", GOLD_DIR / "dev" / "tune4", nlp, kb),
            score_text_set("dev-tune5", GOLD_DIR / "dev" / "tune5", nlp, kb),
            score_text_set("dev-frozen", GOLD_DIR / "dev" / "frozen", nlp, kb),
            score_themes(
                "report-2023",
                paragraphs,
                hand_theme_labels(GOLD_DIR / "themes_2023.csv", paragraphs),
                knowledge,
                model,
                held_out,
            ),
            score_dev_themes("dev-tune", GOLD_DIR / "dev" / "tune", model, knowledge),
            score_dev_themes("dev-frozen", GOLD_DIR / "dev" / "frozen", model, knowledge),
            score_lobby(
                "report-2023",
                pd.DataFrame([a.__dict__ for a in document.lobby_acts]),
                pd.read_csv(GOLD_DIR / "lobby_2023.csv", dtype=str, keep_default_na=False),
                kb,
            ),
            score_lobby_set("dev-tune", GOLD_DIR / "dev" / "tune", nlp, kb),
            score_lobby_set("dev-tune3", GOLD_DIR / "dev" / "tune3", nlp, kb),
            score_lobby_set("dev-tune4", GOLD_DIR / "dev" / "tune4", nlp, kb),
            score_lobby_set("dev-tune5", GOLD_DIR / "dev" / "tune5", nlp, kb),
            score_lobby_set("dev-frozen", GOLD_DIR / "dev" / "frozen", nlp, kb),
        ],
        ignore_index=True,
    )
