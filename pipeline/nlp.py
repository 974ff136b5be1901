"""Stage 3: the spaCy pipeline — assembled in one place from the entity and lobbying components.

`build_nlp` loads the statistical Dutch model when installed (else a blank Dutch pipeline with a
sentencizer, and says so), then adds spaCy's `span_ruler` with the pattern files in `models/patterns/`
(rules win where they overlap the model), the policy-title matcher, the linker and the lobbying-act finder.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline import entities, lobby
from pipeline.config import MODELS_DIR
from pipeline.files import files_digest
from pipeline.records import ENTITY_SPANS, LOBBY_SPANS, LobbyAct, Mention
from pipeline.resources import SpanPattern, read_rows


def resource_files(models_dir: Path) -> dict[str, Path]:
    """Every data file the pipeline's components read, by role: `build_nlp` configures the components from
    this and the per-document cache key hashes the same files, so the key follows what is used."""
    patterns = models_dir / "patterns"
    return {
        "gazetteer": patterns / "gazetteer.jsonl",
        "rules": patterns / "rules.jsonl",
        "titles": patterns / "titles.jsonl",
        **{name.removesuffix(".csv"): models_dir / name for name in entities.KNOWLEDGE_BASE_FILES},
        "lobby_patterns": patterns / "lobby.jsonl",
        "lobby_actors": models_dir / "lobby_actors.csv",
        "lobby_targets": models_dir / "lobby_targets.csv",
    }


def resources_digest(models_dir: Path) -> str:
    """One digest of the pipeline's data files."""
    return files_digest(resource_files(models_dir).values())


def build_nlp(spacy_model: str, models_dir: Path = MODELS_DIR) -> tuple[Language, str]:
    """Assemble the pipeline; returns it and a note on which statistical model (if any) it uses."""
    try:
        nlp = spacy.load(spacy_model, exclude=["lemmatizer", "morphologizer", "tagger", "attribute_ruler"])
        note = f"spaCy model {spacy_model}"
    except OSError:
        nlp = spacy.blank("nl")
        nlp.add_pipe("sentencizer")
        note = f"{spacy_model} not installed: rules only (install it with `make spacy-model`)"
    if "parser" not in nlp.pipe_names and "senter" not in nlp.pipe_names:
        if "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        nlp.add_pipe("g40_quote_sentences", after="sentencizer")
    entities.customise_tokenizer(nlp)
    nlp.add_pipe("g40_fold_norms")
    ruler = nlp.add_pipe(
        "span_ruler",
        name="g40_rules",
        config={
            "spans_key": entities.RULE_SPANS,
            "annotate_ents": True,
            "ents_filter": {"@misc": "spacy.prioritize_new_ents_filter.v1"},
            "overwrite": False,
            "validate": True,
            "phrase_matcher_attr": "NORM",
        },
    )
    files = resource_files(models_dir)
    for role in ("gazetteer", "rules"):
        ruler.add_patterns([row.model_dump(exclude_none=True) for row in read_rows(files[role], SpanPattern).rows])  # type: ignore[attr-defined]
    nlp.add_pipe("g40_titles", config={"patterns_path": str(files["titles"])})
    nlp.add_pipe("g40_linker", config={"models_dir": str(models_dir)})
    nlp.add_pipe(
        lobby.FACTORY,
        config={
            "patterns_path": str(files["lobby_patterns"]),
            "actors_path": str(files["lobby_actors"]),
            "targets_path": str(files["lobby_targets"]),
            "entity_spans_key": ENTITY_SPANS,
        },
    )
    return nlp, note


def pipeline_facts(nlp: Language, requested: str, note: str) -> dict[str, Any]:
    """Which spaCy pipeline ran: the statistical model (None when the run used rules only) and its components."""
    statistical = any(getattr(component, "is_trainable", False) for _, component in nlp.pipeline)
    meta = nlp.meta
    return {
        "requested": requested,
        "model": f"{meta['lang']}_{meta['name']}" if statistical else None,
        "model_version": meta["version"] if statistical else None,
        "components": list(nlp.pipe_names),
        "note": note,
    }


def mentions_in(doc: Doc, paragraph_id: str) -> Iterator[Mention]:
    """The linked entity mentions of one parsed paragraph."""
    for span in doc.spans[ENTITY_SPANS]:
        yield Mention(
            paragraph_id=paragraph_id,
            entity_type=span.label_,
            surface=span.text,
            canonical=span._.canonical,
            entity_id=span._.entity_id,
            start_char=span.start_char,
            end_char=span.end_char,
            method=span._.method,
            sentence=span.sent.text,
        )


def lobby_acts_in(doc: Doc, paragraph_id: str) -> Iterator[LobbyAct]:
    """The lobbying acts of one parsed paragraph."""
    for span in doc.spans[LOBBY_SPANS]:
        yield LobbyAct(paragraph_id, span.label_, span._.lobby_target, span._.lobby_subject, span.text.strip())


def curation_effects(doc: Doc) -> dict[int, int]:
    """Mentions of one parsed paragraph changed per curation row (by its line in `models/curation.csv`)."""
    return dict(doc.user_data.get(entities.CURATION_EFFECTS, {}))


def parse_paragraphs(nlp: Language, paragraphs: Iterable[tuple[str, str]]) -> Iterator[tuple[str, Doc]]:
    """Run the pipeline over (paragraph_id, text) pairs in batches (`nlp.pipe`)."""
    items = list(paragraphs)
    yield from zip((paragraph_id for paragraph_id, _ in items), nlp.pipe(text for _, text in items), strict=True)


def find_mentions(nlp: Language, paragraphs: Iterable[tuple[str, str]]) -> Iterator[Mention]:
    """Every entity mention in (paragraph_id, text) pairs."""
    for paragraph_id, doc in parse_paragraphs(nlp, paragraphs):
        yield from mentions_in(doc, paragraph_id)
