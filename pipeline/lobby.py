"""Stage 3b: lobbying acts — sentences where the network offers a paper, meets a minister, pleads or lobbies.

A spaCy `Matcher` over `models/patterns/lobby.jsonl` finds the instrument words; each sentence keeps its
most specific instrument (lowest `rank`: a named document beats a meeting, a meeting beats `lobby`);
a document (`needs_addressee`) counts only when the sentence names the organisation it went to, so drafting
or signing a paper is not an act, offering it is.
The target is the organisation the act is addressed to (`aan`, `met`, `bij` … just before it), else the
first other organisation in the sentence; the network itself (`models/lobby_actors.csv`) is never a target.
The subject is the first law or policy dossier in the sentence. The component runs after the linker, so
targets and subjects carry canonical names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import srsly
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from pipeline.config import MODELS_DIR, read_csv_rows

LOBBY_SPANS = "g40_lobby"
CUE_WINDOW = 5

for name in ("lobby_target", "lobby_subject"):
    if not Span.has_extension(name):
        Span.set_extension(name, default="")


@dataclass(frozen=True)
class LobbyAct:
    paragraph_id: str
    instrument: str
    target: str
    subject: str
    sentence: str


@dataclass(frozen=True)
class Instrument:
    """A lobbying instrument; a document (`position paper`, `brief`) only counts when addressed to someone."""

    rank: int
    name: str
    needs_addressee: bool


@Language.factory(
    "g40_lobby",
    default_config={
        "patterns_path": str(MODELS_DIR / "patterns" / "lobby.jsonl"),
        "actors_path": str(MODELS_DIR / "lobby_actors.csv"),
        "entity_spans_key": "g40_entities",
    },
)
def make_lobby_finder(nlp: Language, name: str, patterns_path: str, actors_path: str, entity_spans_key: str) -> LobbyFinder:
    return LobbyFinder(nlp, Path(patterns_path), Path(actors_path), entity_spans_key)


class LobbyFinder:
    """Marks each sentence that records a lobbying act as a span in `doc.spans["g40_lobby"]`."""

    def __init__(self, nlp: Language, patterns_path: Path, actors_path: Path, entity_spans_key: str) -> None:
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.instruments: dict[str, Instrument] = {}
        self.cues: set[str] = set()
        for entry in srsly.read_jsonl(patterns_path):
            self.matcher.add(entry["id"], [entry["pattern"]])
            if "instrument" in entry:
                self.instruments[entry["id"]] = Instrument(int(entry["rank"]), entry["instrument"], bool(entry.get("needs_addressee")))
            else:
                self.cues.add(entry["id"])
        self.actors = {row["canonical"] for row in read_csv_rows(actors_path)}
        self.entity_spans_key = entity_spans_key

    def __call__(self, doc: Doc) -> Doc:
        found: dict[int, list[tuple[Instrument, int]]] = {}
        cue_ends: list[int] = []
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            if key in self.cues:
                cue_ends.append(end)
            else:
                found.setdefault(doc[start].sent.start, []).append((self.instruments[key], start))
        acts = []
        for sentence in doc.sents:
            entities = [e for e in doc.spans[self.entity_spans_key] if sentence.start <= e.start < sentence.end]
            cues = [c for c in cue_ends if sentence.start <= c < sentence.end]
            for instrument, start in sorted(found.get(sentence.start, []), key=lambda item: (item[0].rank, item[1])):
                target = self.target(entities, cues, start)
                if target or not instrument.needs_addressee:
                    act = Span(doc, sentence.start, sentence.end, label=instrument.name)
                    act._.lobby_target = target
                    act._.lobby_subject = next((e._.canonical for e in entities if e.label_ in ("law", "policy")), "")
                    acts.append(act)
                    break
        doc.spans[LOBBY_SPANS] = acts
        return doc

    def target(self, entities: list[Span], cue_ends: list[int], instrument_start: int) -> str:
        """Prefer an organisation right after `aan`/`met`/… following the instrument word, then anywhere."""
        addressed = [e for e in entities if e.label_ == "organisation" and e._.canonical not in self.actors]
        after_cue = [e for e in addressed if any(0 <= e.start - end < CUE_WINDOW for end in cue_ends)]
        after_instrument = [e for e in after_cue if e.start > instrument_start]
        chosen = (after_instrument or after_cue or addressed)[:1]
        return chosen[0]._.canonical if chosen else ""


def lobby_acts_in(doc: Doc, paragraph_id: str) -> Iterator[LobbyAct]:
    for span in doc.spans[LOBBY_SPANS]:
        yield LobbyAct(paragraph_id, span.label_, span._.lobby_target, span._.lobby_subject, span.text.strip())
