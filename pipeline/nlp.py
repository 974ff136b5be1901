"""Stage 3: the spaCy pipeline — assembled in one place, `pipeline/nlp.cfg`, from the entity families and lobbying.

`build_nlp` loads the statistical Dutch model when installed (else a blank Dutch pipeline with a
sentencizer, and says so), adds the components listed in `nlp.cfg` in order (one span ruler per entity
family, the policy-title finder, the merge into `doc.ents`, the linker, the lobbying-act finder) and loads
each component's data files from `models/`. `export_nlp` writes the whole pipeline for `spacy.load`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import load_config

from pipeline import lobby
from pipeline.config import MODELS_DIR, PACKAGE_DIR
from pipeline.files import files_digest
from pipeline.ner import law, linker, organisation, place, policy, resolve
from pipeline.ner.common import FOLD_NORMS, blank_dutch, customise_tokenizer, read_patterns
from pipeline.ner.knowledge import KNOWLEDGE_BASE_FILES
from pipeline.records import CURATION_EFFECTS, ENTITY_SPANS, LOBBY_SPANS, LobbyAct, Mention

NLP_CONFIG = PACKAGE_DIR / "nlp.cfg"
PATTERN_FILES: dict[str, Callable[[Path], dict[str, Path]]] = {
    organisation.FACTORY: organisation.pattern_files,
    place.FACTORY: place.pattern_files,
    law.FACTORY: law.pattern_files,
    policy.FACTORY: policy.pattern_files,
    policy.TITLES_FACTORY: policy.title_pattern_files,
}
COMPONENT_MODULES = (organisation, place, law, policy, resolve, linker, lobby)
"""The modules whose spaCy factories `nlp.cfg` names (importing them registers the factories)."""


def resource_files(models_dir: Path) -> dict[str, Path]:
    """Every data file the pipeline's components read, by role: `build_nlp` configures the components from
    this and the per-document cache key hashes the same files, so the key follows what is used."""
    files = {role: path for pattern_files in PATTERN_FILES.values() for role, path in pattern_files(models_dir).items()}
    return {
        **files,
        **{name.removesuffix(".csv"): models_dir / name for name in KNOWLEDGE_BASE_FILES},
        "lobby_patterns": models_dir / "patterns" / "lobby.jsonl",
        "lobby_actors": models_dir / "lobby_actors.csv",
        "lobby_targets": models_dir / "lobby_targets.csv",
    }


def resources_digest(models_dir: Path) -> str:
    """One digest of the pipeline's data files."""
    return files_digest(resource_files(models_dir).values())


def base_pipeline(spacy_model: str) -> tuple[Language, str]:
    """The statistical model when installed (without the parts the tool does not use), else blank Dutch."""
    try:
        nlp = spacy.load(spacy_model, exclude=["lemmatizer", "morphologizer", "tagger", "attribute_ruler"])
        note = f"spaCy model {spacy_model}"
        customise_tokenizer(nlp)
    except OSError:
        nlp = blank_dutch()
        nlp.add_pipe("sentencizer")
        note = f"{spacy_model} not installed: rules only (install it with `make spacy-model`)"
    if "parser" not in nlp.pipe_names and "senter" not in nlp.pipe_names:
        if "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        nlp.add_pipe("g40_quote_sentences", after="sentencizer")
    return nlp, note


def build_nlp(spacy_model: str, models_dir: Path = MODELS_DIR) -> tuple[Language, str]:
    """Assemble the pipeline of `nlp.cfg` with the data of `models_dir`; returns it and a note on the model used."""
    nlp, note = base_pipeline(spacy_model)
    config = load_config(NLP_CONFIG)
    files = resource_files(models_dir)
    for name in config["nlp"]["pipeline"]:
        settings = dict(config["components"][name])
        factory = settings.pop("factory")
        if not nlp.has_factory(factory):
            raise ValueError(f"{NLP_CONFIG}: component {name!r} names the unknown factory {factory!r}")
        component: Any = nlp.add_pipe(factory, name=name, config=settings)
        if factory in PATTERN_FILES:
            # Phrase patterns match on the folded NORM, so only the folding needs to run over them: spaCy
            # would run every component before this one, the other families' rulers included.
            with nlp.select_pipes(enable=[FOLD_NORMS, name]):
                component.add_patterns(read_patterns(PATTERN_FILES[factory](models_dir).values()))
        elif factory in (linker.FACTORY, resolve.FACTORY):
            component.load(models_dir)
        elif factory == lobby.FACTORY:
            component.load(files["lobby_patterns"], files["lobby_actors"], files["lobby_targets"])
    return nlp, note


def export_nlp(nlp: Language, folder: Path) -> Path:
    """Write the pipeline with its patterns and knowledge base to `folder`, loadable with `spacy.load(folder)`."""
    nlp.to_disk(folder)
    return folder


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
        yield LobbyAct(
            paragraph_id,
            span.label_,
            span._.lobby_target,
            span._.lobby_subject,
            span.text.strip(),
            addressee=span._.lobby_addressee,
            actor=span._.lobby_actor,
        )


def curation_effects(doc: Doc) -> dict[int, int]:
    """Mentions of one parsed paragraph changed per curation row (by its line in `models/curation.csv`)."""
    return dict(doc.user_data.get(CURATION_EFFECTS, {}))


def parse_paragraphs(nlp: Language, paragraphs: Iterable[tuple[str, str]]) -> Iterator[tuple[str, Doc]]:
    """Run the pipeline over (paragraph_id, text) pairs in batches (`nlp.pipe`)."""
    items = list(paragraphs)
    yield from zip((paragraph_id for paragraph_id, _ in items), nlp.pipe(text for _, text in items), strict=True)


def find_mentions(nlp: Language, paragraphs: Iterable[tuple[str, str]]) -> Iterator[Mention]:
    """Every entity mention in (paragraph_id, text) pairs."""
    for paragraph_id, doc in parse_paragraphs(nlp, paragraphs):
        yield from mentions_in(doc, paragraph_id)
