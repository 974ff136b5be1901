"""Stage 3b: lobbying acts — sentences where the network offers a paper, meets a minister, pleads or lobbies.

A spaCy `Matcher` over `models/patterns/lobby.jsonl` finds the instrument words; each sentence keeps its
most specific instrument (lowest `rank`: a named document beats a meeting, a meeting beats `lobby`);
a document (`needs_addressee`) counts only when the sentence names the organisation it went to, so drafting
or signing a paper is not an act, offering it is.
The target is the organisation the act is addressed to (`aan`, `met`, `bij` … just before it), else the
first other organisation in the sentence, never the network itself (`models/lobby_actors.csv`) nor a
partner it acted with (`samen met`, `via`). Words that name an addressee without a name (`Kamerleden`,
`het kabinet`, `het ministerie` after a named ministry) come from `models/lobby_targets.csv`.
The subject is the first law or policy dossier in the sentence. The component runs after the linker, so
targets and subjects carry canonical names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from pipeline.config import MODELS_DIR
from pipeline.records import ENTITY_SPANS, LOBBY_SPANS
from pipeline.resources import LobbyActor, LobbyPattern, LobbyTarget, read_rows

FACTORY = "g40_lobby"
CUE_WINDOW = 5

for name in ("lobby_target", "lobby_subject"):
    if not Span.has_extension(name):
        Span.set_extension(name, default="")


@dataclass(frozen=True)
class Instrument:
    """A lobbying instrument; a document (`position paper`, `brief`) only counts when addressed to someone."""

    rank: int
    name: str
    needs_addressee: bool


@Language.factory(
    FACTORY,
    default_config={
        "patterns_path": str(MODELS_DIR / "patterns" / "lobby.jsonl"),
        "actors_path": str(MODELS_DIR / "lobby_actors.csv"),
        "targets_path": str(MODELS_DIR / "lobby_targets.csv"),
        "entity_spans_key": ENTITY_SPANS,
    },
)
def make_lobby_finder(
    nlp: Language, name: str, patterns_path: str, actors_path: str, targets_path: str, entity_spans_key: str
) -> LobbyFinder:
    """spaCy factory of the lobbying-act component."""
    return LobbyFinder(nlp, Path(patterns_path), Path(actors_path), Path(targets_path), entity_spans_key)


class LobbyFinder:
    """Marks each sentence that records a lobbying act as a span in `doc.spans["g40_lobby"]`."""

    def __init__(
        self, nlp: Language, patterns_path: Path, actors_path: Path, targets_path: Path, entity_spans_key: str
    ) -> None:
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.instruments: dict[str, Instrument] = {}
        self.cues: dict[str, str] = {}
        patterns = read_rows(patterns_path, LobbyPattern)
        for entry in patterns.rows:
            self.matcher.add(entry.id, [entry.pattern])
            if entry.instrument is not None and entry.rank is not None:
                self.instruments[entry.id] = Instrument(entry.rank, entry.instrument, entry.needs_addressee)
            elif entry.cue is not None:
                self.cues[entry.id] = entry.cue
        self.actors = {row.canonical for row in read_rows(actors_path, LobbyActor).rows}
        self.addressees = {
            row.word: (row.canonical, row.refers_back) for row in read_rows(targets_path, LobbyTarget).rows
        }
        self.entity_spans_key = entity_spans_key

    def __call__(self, doc: Doc) -> Doc:
        """Mark the act sentences of `doc` with their instrument, target and subject."""
        found: dict[int, list[tuple[Instrument, int]]] = {}
        cue_ends: dict[str, list[int]] = {"target": [], "partner": []}
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            if key in self.cues:
                cue_ends[self.cues[key]].append(end)
            else:
                found.setdefault(doc[start].sent.start, []).append((self.instruments[key], start))
        acts = []
        for sentence in doc.sents:
            entities = [e for e in doc.spans[self.entity_spans_key] if sentence.start <= e.start < sentence.end]
            candidates = self.addressed(doc, sentence, entities, cue_ends["partner"])
            cues = [c for c in cue_ends["target"] if sentence.start <= c < sentence.end]
            for instrument, start in sorted(found.get(sentence.start, []), key=lambda item: (item[0].rank, item[1])):
                target = self.target(candidates, cues, start)
                if target or not instrument.needs_addressee:
                    act = Span(doc, sentence.start, sentence.end, label=instrument.name)
                    act._.lobby_target = target
                    act._.lobby_subject = next((e._.canonical for e in entities if e.label_ in ("law", "policy")), "")
                    acts.append(act)
                    break
        doc.spans[LOBBY_SPANS] = acts
        return doc

    def addressed(
        self, doc: Doc, sentence: Span, entities: list[Span], partner_cues: list[int]
    ) -> list[tuple[int, str]]:
        """(token, canonical) of what the sentence could address: organisations and addressee words, in
        text order, without the network itself and without partners (`samen met de VNG`)."""
        named = [
            (e.start, e._.canonical)
            for e in entities
            if e.label_ == "organisation" and e._.canonical not in self.actors
        ]
        inside = {i for e in entities for i in range(e.start, e.end)}
        for token in sentence:
            if token.lower_ not in self.addressees or token.i in inside:
                continue
            canonical, refers_back = self.addressees[token.lower_]
            if refers_back:
                earlier = [
                    e._.canonical
                    for e in doc.spans[self.entity_spans_key]
                    if e.end <= token.i and e._.canonical.startswith(canonical)
                ]
                canonical = earlier[-1] if earlier else ""
            if canonical:
                named.append((token.i, canonical))
        return sorted(
            (start, name) for start, name in named if not any(0 <= start - end < CUE_WINDOW for end in partner_cues)
        )

    def target(self, candidates: list[tuple[int, str]], cue_ends: list[int], instrument_start: int) -> str:
        """Prefer an addressee right after `aan`/`met`/… following the instrument word, then anywhere."""
        after_cue = [c for c in candidates if any(0 <= c[0] - end < CUE_WINDOW for end in cue_ends)]
        after_instrument = [c for c in after_cue if c[0] > instrument_start]
        chosen = (after_instrument or after_cue or candidates)[:1]
        return chosen[0][1] if chosen else ""
