"""Stage 3b: lobbying acts — sentences where the network offers a paper, meets a minister, pleads or lobbies.

A spaCy `Matcher` over `models/patterns/lobby.jsonl` finds the acts by their structure, on the blank Dutch
tokenizer (no parser, no lemmas): the verb families in their inflected and separable forms (`pleit`,
`heeft … gepleit`, `riep … op`, `dringt … aan op`, `doet een beroep op`, `is in gesprek gegaan met`,
`reageert op het wetsvoorstel`), the instrument nouns, and cue patterns (target prepositions, partners,
wishes, furniture lines, continuations). Each sentence keeps its most specific instrument (lowest `rank`:
a named document beats a meeting, a meeting beats `inbreng`, `pleidooi` and `lobby`); a document
(`needs_addressee`) counts only when the sentence names whom it went to.

Who acts decides whether it is an act: the candidate actor nearest before the verb in its clause (else right
after it: `Daarin pleitte de G32`), skipping the counterparts after `aan`/`met`/`bij` and the partners after
`samen met`/`via`. The network, its pillars, theme groups, chair, bestuurders and member cities
(`models/lobby_actors.csv`), a passive sentence and a bullet line without an actor all act; a minister, a
council, a party or `ik` do not (the sentence is dropped), and another organisation acts only when the text
is its own (`settle_acts`, given the document's senders). A wish (`wil … vragen`) is not an act, and a
pattern marked `needs_actor` (`vraagt om`, which also means `requires`) counts only with a named actor.

The target is the organisation the act is addressed to (after a target cue, else the first other one), never
the network itself nor a partner; a committee of parliament stands for the parliament; `het ministerie`
refers back to the ministry named before it. Addressees without a named organisation (`het kabinet`,
`Kamerleden`, `minister X voor Y`) are kept as written in `addressee` (`models/lobby_targets.csv`). A plea
that continues a recorded act (`Daarin …`) takes that act's addressee, as does a plea without one right after a
meeting with a named organisation (`Hij sprak met het ministerie van SZW. El Idrissi pleitte voor …`); a first-person plea without one takes
the addressee of the letter or paper the text opens with. The subject is the first law or policy dossier
in the sentence. The component runs after the linker, so targets and subjects carry canonical names.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from pipeline.anchored_matcher import AnchoredMatcher
from pipeline.config import MODELS_DIR
from pipeline.records import ENTITY_SPANS, LOBBY_SPANS, LobbyAct
from pipeline.resources import LobbyActor, LobbyPattern, LobbyTarget, read_rows
from pipeline.textkeys import fold

FACTORY = "g40_lobby"
LINKER = "g40_linker"
CUE_WINDOW = 5
LOOK_AHEAD = 4
OBJECT_REACH = 6
NO_ACT_REACH = 3
DOSSIER_SUBJECT = 3
PARLIAMENT = "Tweede Kamer der Staten-Generaal"
ADDRESS_BLOCK = re.compile(r"^Aan\s+(de|het|den)\s", re.IGNORECASE)
COMMITTEE = re.compile(r"\bcommissie\b", re.IGNORECASE)
REFERRING = {"de minister", "het ministerie", "de staatssecretaris"}
COMMITTEE_REACH = 12
NETWORK, CITY, OTHER = "network", "city", "other"
CLAUSE_BREAKS = {
    ",",
    ";",
    ":",
    "die",
    "dat",
    "waarin",
    "waarbij",
    "waarmee",
    "omdat",
    "terwijl",
    "toen",
    "nadat",
}
FIRST_PERSON = {"wij", "we"}
FIRST_WORDS = 4
QUOTE_MARKS = {'"', "'", "“", "”", "‘", "’", "„"}
QUOTED_SPEECH = 6
REPEAT_WORDS = 6
COORDINATORS = {"en", ",", "de", "het", "ook"}
NAME_JOINERS = {"van", "de", "der", "den", "ter", "’t", "'t"}
PLEADS_FOR = ("pleit", "gepleit", "bepleit")
"""The verbs of `pleiten voor`: their object is the plea's content, never its addressee."""
CONTINUATION_REACH = 4
"""`De G40 riep daarin op …`: a continuation word among a sentence's first words takes the act before it."""
MINISTRY_PREFIX = "Ministerie van"
MINISTRY_REACH = 4
"""`minister Van Nieuwenhuizen van het nieuwe ministerie van IenW`: the ministry named within a few lower-case
words after a minister's name is the target."""
DETERMINERS = {"de", "het", "een", "alle", "onze", "hun", "zijn", "haar"}
ANAPHORA = {"deze", "die", "dezelfde", "diezelfde"}
PREPOSITIONS = {
    "van",
    "na",
    "voor",
    "over",
    "door",
    "tijdens",
    "bij",
    "uit",
    "in",
    "op",
    "naar",
    "tegen",
    "zonder",
    "onder",
    "met",
}

for name in ("lobby_target", "lobby_subject", "lobby_addressee", "lobby_actor"):
    if not Span.has_extension(name):
        Span.set_extension(name, default="")
if not Doc.has_extension("lobby_ministries"):
    Doc.set_extension("lobby_ministries", default=())


@dataclass(frozen=True)
class Instrument:
    """A lobbying instrument; a document (`position paper`, `brief`) only counts when addressed to someone, and
    an ambiguous verb (`vraagt om`: asks for, or requires) only with a named actor."""

    rank: int
    name: str
    needs_addressee: bool
    needs_actor: bool = False


@dataclass(frozen=True)
class Candidate:
    """Someone a sentence names: an actor (the network, or another organisation by canonical name) or an
    addressee (`target` an organisation canonical, `addressee` a generic one as written)."""

    start: int
    end: int
    role: str
    target: str = ""
    addressee: str = ""
    actor: str = ""


DATA_FILES = {"patterns_path": "lobby.jsonl", "actors_path": "lobby_actors.csv", "targets_path": "lobby_targets.csv"}
"""The component's data files, by factory setting and by the name they have beside an exported pipeline."""


def packaged_data(setting: str) -> Path:
    """Where a data file of the packaged `models/` is: the default when the configuration names none."""
    name = DATA_FILES[setting]
    return MODELS_DIR / "patterns" / name if name.endswith(".jsonl") else MODELS_DIR / name


@Language.factory(
    FACTORY,
    default_config={"patterns_path": "", "actors_path": "", "targets_path": "", "entity_spans_key": ENTITY_SPANS},
)
def make_lobby_finder(
    nlp: Language, name: str, patterns_path: str, actors_path: str, targets_path: str, entity_spans_key: str
) -> LobbyFinder:
    """spaCy factory of the lobbying-act component; an empty path means the packaged data file."""
    given = {"patterns_path": patterns_path, "actors_path": actors_path, "targets_path": targets_path}
    paths = {setting: Path(value) if value else packaged_data(setting) for setting, value in given.items()}
    finder = LobbyFinder(nlp, paths["patterns_path"], paths["actors_path"], paths["targets_path"], entity_spans_key)
    finder.linker = nlp.get_pipe(LINKER) if LINKER in nlp.pipe_names else None
    return finder


class LobbyFinder:
    """Marks each sentence that records a lobbying act as a span in `doc.spans["g40_lobby"]`."""

    def __init__(
        self, nlp: Language, patterns_path: Path, actors_path: Path, targets_path: Path, entity_spans_key: str
    ) -> None:
        self.vocab = nlp.vocab
        self.load(patterns_path, actors_path, targets_path)
        self.entity_spans_key = entity_spans_key
        self.linker: Any = None

    def load(self, patterns_path: Path, actors_path: Path, targets_path: Path) -> None:
        """Read the patterns, the network's own names and the generic addressees (validated)."""
        self.sources = {"patterns_path": patterns_path, "actors_path": actors_path, "targets_path": targets_path}
        self.matcher = AnchoredMatcher(self.vocab, validate=True)
        self.instruments: dict[str, Instrument] = {}
        self.cues: dict[str, str] = {}
        for entry in read_rows(patterns_path, LobbyPattern).rows:
            self.matcher.add(entry.id, [entry.pattern])
            if entry.instrument is not None and entry.rank is not None:
                self.instruments[entry.id] = Instrument(
                    entry.rank, entry.instrument, entry.needs_addressee, entry.needs_actor
                )
            elif entry.cue is not None:
                self.cues[entry.id] = entry.cue
        actors = read_rows(actors_path, LobbyActor).rows
        self.network = {row.name for row in actors if row.kind == "network"}
        self.actor_words = {fold(row.name): row.kind == "actor_word" for row in actors if row.kind != "network"}
        self.addressees = {row.word: row for row in read_rows(targets_path, LobbyTarget).rows}

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the data files beside the pipeline (spaCy serialisation)."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        for setting, source in self.sources.items():
            shutil.copyfile(source, folder / DATA_FILES[setting])

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> LobbyFinder:
        """Load the data files saved by `to_disk`."""
        folder = Path(path)
        self.load(*(folder / DATA_FILES[setting] for setting in ("patterns_path", "actors_path", "targets_path")))
        return self

    def ministry(self, doc: Doc, start: int, end: int) -> str:
        """The ministry a minister is named with (`minister Kamp van Economische Zaken`): the canonical of
        `ministerie van` + the words after a `van` in the name; a ministry the gazetteer does not know is
        `Ministerie van` + those words when they read as one (`Asiel en Migratie`), never a surname (`Van Ark`)."""
        vans = [i for i in range(start, end) if doc[i].lower_ == "van" and i + 1 < end and doc[i + 1].is_title]
        kb = getattr(self.linker, "kb", None)
        for i in vans:
            name = doc[i + 1 : end].text
            entity = kb.lookup("organisation", f"ministerie van {name}") if kb is not None else None
            if entity is not None:
                return str(entity.canonical)
        rest = doc[vans[-1] + 1 : end] if vans else None
        if rest is None or doc[vans[-1]].text != "van" or not any(t.lower_ == "en" for t in rest):
            return ""
        return f"Ministerie van {rest.text}"

    def __call__(self, doc: Doc) -> Doc:
        """Mark the act sentences of `doc` with their instrument, target, addressee, subject and actor."""
        found: dict[int, list[tuple[Instrument, int]]] = {}
        cues: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in self.matcher(doc):
            key = doc.vocab.strings[match_id]
            if key in self.cues:
                cues.setdefault(self.cues[key], []).append((start, end))
            else:
                found.setdefault(doc[start].sent.start, []).append((self.instruments[key], start))
        acts: list[Span] = []
        for sentence in doc.sents:
            if any(sentence.start <= start < sentence.end for start, _ in cues.get("furniture", [])):
                continue
            found_act = self.act_in(doc, sentence, found.get(sentence.start, []), cues)
            if found_act is None:
                continue
            act, cued = found_act
            continues = any(
                sentence.start <= start < sentence.start + CONTINUATION_REACH
                for start, _ in cues.get("continuation", [])
            )
            unaddressed_plea = act.label_ == "pleidooi" and not (act._.lobby_target or act._.lobby_addressee)
            follows = bool(acts) and acts[-1].end == sentence.start and acts[-1].label_ == "gesprek"
            follows = follows and bool(acts[-1]._.lobby_target)
            if (continues and acts and not cued) or (unaddressed_plea and follows):
                act._.lobby_target, act._.lobby_addressee = acts[-1]._.lobby_target, acts[-1]._.lobby_addressee
            acts.append(act)
        doc.spans[LOBBY_SPANS] = acts
        doc._.lobby_ministries = tuple(self.ministries_named(doc))
        return doc

    def ministries_named(self, doc: Doc) -> list[str]:
        """The ministries the paragraph names through a minister (`minister Kamp van Economische Zaken`), in
        text order: what a later `de minister` may refer back to."""
        named = []
        for token in doc:
            word = self.addressees.get(token.lower_)
            if word is not None and word.kind == "refers_back":
                found = self.ministry(
                    doc, token.i + 1, self.name_end(doc, token.sent, token.i + 1, NAME_JOINERS | {"en", ","})
                )
                if found:
                    named.append(found)
        return named

    def act_in(
        self, doc: Doc, sentence: Span, matches: list[tuple[Instrument, int]], cues: dict[str, list[tuple[int, int]]]
    ) -> tuple[Span, bool] | None:
        """The act a sentence records, if any — its most specific instrument the network performs, else one
        another organisation performs (kept for `settle_acts` to judge) — and whether
        its addressee was cued (`aan`, `met`, a direct object) rather than guessed. An instrument word in the
        content of a plea (`pleit ervoor dat gemeenten aan tafel zitten`) is not an act of its own, nor is input
        into the network's own plans (`inbreng voor onze strategie`) or lobby as a means (`via lobby`)."""
        if not matches:
            return None
        inside = [
            (s, self.past_person(doc, sentence, e))
            for s, e in cues.get("target", [])
            if sentence.start <= s < sentence.end
        ]
        partners = [e for s, e in cues.get("partner", []) if sentence.start <= s < sentence.end]
        wishes = {s for s, _ in cues.get("wish", []) if sentence.start <= s < sentence.end}
        entities = [e for e in doc.spans[self.entity_spans_key] if sentence.start <= e.start < sentence.end]
        candidates = self.candidates(doc, sentence, entities, partners)
        target_ends = [e for _, e in inside]
        pleas = [start for instrument, start in matches if instrument.name == "pleidooi"]
        foreign: tuple[Span, bool] | None = None
        quoted = self.quoted(doc, sentence)
        no_acts = [s for s, _ in cues.get("no_act", []) if sentence.start <= s < sentence.end]
        for instrument, start in sorted(matches, key=lambda item: (item[0].rank, item[1])):
            if start in quoted or self.wished(doc, sentence, start, wishes):
                continue
            if any(-NO_ACT_REACH <= s - start <= NO_ACT_REACH for s in no_acts):
                continue
            if instrument.name != "pleidooi" and any(p < self.clause_start(doc, sentence, start) for p in pleas):
                continue
            actor = self.actor(doc, sentence, start, candidates, target_ends, instrument)
            if actor is None:
                continue
            addressed = [c for c in candidates if (c.target or c.addressee) and c.start != actor.start]
            clause_end = next((t.i for t in doc[start + 1 : sentence.end] if t.lower_ in CLAUSE_BREAKS), sentence.end)
            target, addressee, cued = self.target(
                doc,
                addressed,
                target_ends,
                start,
                (self.clause_start(doc, sentence, start), clause_end),
                instrument.name == "pleidooi",
                instrument.needs_addressee,
                by_object=not doc[start].lower_.startswith(PLEADS_FOR),
            )
            if not (target or addressee) and instrument.needs_addressee:
                continue
            act = Span(doc, sentence.start, sentence.end, label=instrument.name)
            act._.lobby_target, act._.lobby_addressee = target, addressee
            act._.lobby_actor = actor.actor
            act._.lobby_subject = next((e._.canonical for e in entities if e.label_ in ("law", "policy")), "")
            if not actor.actor:
                return act, cued
            foreign = foreign or (act, cued)
        return foreign

    @staticmethod
    def quoted(doc: Doc, sentence: Span) -> set[int]:
        """Tokens inside quoted speech (a quote of `QUOTED_SPEECH` tokens or more): what someone says is an
        opinion, not an act, however it is worded; a short quoted title (`'Geen pleisters meer!'`) is not speech."""
        marks = [t.i for t in sentence if t.text in QUOTE_MARKS]
        inside: set[int] = set()
        for opening, closing in zip(marks[::2], marks[1::2], strict=False):
            if closing - opening > QUOTED_SPEECH:
                inside.update(range(opening, closing))
        if len(marks) % 2 and sentence.end - marks[-1] > QUOTED_SPEECH and marks[-1] == sentence.start:
            inside.update(range(marks[-1], sentence.end))
        return inside

    @staticmethod
    def past_person(doc: Doc, sentence: Span, end: int) -> int:
        """Where the addressee after a cue starts when a person is named first: past the name and its
        apposition (`met Joris van Eijck, lid van de Raad van State` → `de Raad van State`)."""
        i = end
        while i < sentence.end and (doc[i].is_title or (doc[i].lower_ in NAME_JOINERS and i > end)):
            i += 1
        if i == end or i + 2 >= sentence.end or doc[i].text != ",":
            return end
        j = i + 1
        while j < min(sentence.end, i + 6) and doc[j].is_lower and doc[j].lower_ not in {"van", "bij"}:
            j += 1
        return j + 1 if j < sentence.end and doc[j].lower_ in {"van", "bij"} else end

    def wished(self, doc: Doc, sentence: Span, start: int, wishes: set[int]) -> bool:
        """A wish or intention governs the act word (`wil … vragen`, `zou … pleiten`): not an act yet."""
        return any(i in wishes for i in range(self.clause_start(doc, sentence, start), start))

    @staticmethod
    def clause_start(doc: Doc, sentence: Span, start: int) -> int:
        """The first token of the clause the token at `start` is in (back to a comma, `die`, `dat` …)."""
        i = start
        while i > sentence.start and doc[i - 1].lower_ not in CLAUSE_BREAKS:
            i -= 1
        return i

    def candidates(self, doc: Doc, sentence: Span, entities: list[Span], partners: list[int]) -> list[Candidate]:
        """Who the sentence names, in text order: actors (the network and its parts, other organisations,
        words for non-network actors) and addressees; partners (`samen met de VNG`) are neither, and a
        many-word addressee (a committee with its name, a minister with a post) holds no other name."""
        found: list[Candidate] = []
        taken: set[int] = set()
        for entity in entities:
            if any(0 <= entity.start - end < CUE_WINDOW for end in partners):
                taken.update(range(entity.start, entity.end))
                continue
            if entity.label_ == "organisation":
                if entity._.canonical in self.network:
                    found.append(Candidate(entity.start, entity.end, NETWORK))
                else:
                    found.append(Candidate(entity.start, entity.end, "addressee", target=entity._.canonical))
            elif entity.label_ == "place" and str(entity._.entity_id).startswith("GM"):
                found.append(Candidate(entity.start, entity.end, CITY))
            elif entity.label_ in ("law", "policy") and entity.start - sentence.start <= DOSSIER_SUBJECT:
                found.append(Candidate(entity.start, entity.end, OTHER))
            taken.update(range(entity.start, entity.end))
        for token in sentence:
            if token.i in taken:
                continue
            role = self.actor_words.get(fold(token.text))
            word = self.addressees.get(token.lower_)
            if word is not None:
                candidate = self.addressee_word(doc, sentence, token, word, entities)
                if candidate is not None:
                    found.append(replace(candidate, role=OTHER) if role is False else candidate)
                    if word.kind == "committee":
                        taken.update(range(candidate.start, candidate.end))
                    continue
            if role is not None:
                found.append(Candidate(token.i, token.i + 1, NETWORK if role else OTHER))
        spans = [c for c in found if c.role not in (NETWORK, CITY) and c.end - c.start > 1]
        return sorted(
            (c for c in found if c in spans or not any(k.start < c.start < k.end for k in spans)),
            key=lambda c: c.start,
        )

    def addressee_word(
        self, doc: Doc, sentence: Span, token: Token, word: LobbyTarget, entities: list[Span]
    ) -> Candidate | None:
        """An addressee word as a candidate: a committee (the parliament named after it, else the Tweede Kamer),
        a ministry referred back to (`het ministerie`), the ministry named with a minister (`staatssecretaris Van ’t
        Wout van SZW`, `minister X van het ministerie van IenW`), or a generic addressee as written."""
        if word.kind == "committee":
            standing = word.word != "commissie" or (token.i > sentence.start and doc[token.i - 1].lower_ == "vaste")
            reach = min(sentence.end, token.i + COMMITTEE_REACH)
            chambers = [
                e
                for e in entities
                if token.i < e.start < reach and e.label_ == "organisation" and "Kamer" in e._.canonical
            ]
            if not (standing or chambers):
                return None
            end = chambers[0].end if chambers else min(reach, self.name_end(doc, sentence, token.i + 1))
            return Candidate(token.i, end, "addressee", target=chambers[0]._.canonical if chambers else word.canonical)
        if word.kind == "refers_back":
            following = [
                e for e in entities if e.start == token.i + 1 or (e.start > token.i and e.start - token.i <= 4)
            ]
            if any(e.label_ == "organisation" for e in following):
                return None
            earlier = [
                e._.canonical
                for e in doc.spans[self.entity_spans_key]
                if e.end <= token.i and e._.canonical.startswith(word.canonical)
            ]
            end = self.name_end(doc, sentence, token.i + 1, joiners=NAME_JOINERS | {"en", ","})
            named = self.ministry(doc, token.i + 1, end)
            if named:
                return Candidate(token.i, end, "addressee", target=named)
            if end == token.i + 1 and earlier:
                return Candidate(token.i, token.i + 1, "addressee", target=earlier[-1])
        start = token.i
        while (
            start > max(sentence.start, token.i - 3)
            and doc[start - 1].is_lower
            and (doc[start - 1].lower_ in DETERMINERS or doc[start - 1].lower_.endswith("e"))
        ):
            start -= 1
            if doc[start].lower_ in DETERMINERS:
                break
        if start > sentence.start and doc[start].lower_ in ANAPHORA:
            return None
        end = self.name_end(doc, sentence, token.i + 1)
        ministry = next(
            (
                e
                for e in entities
                if token.i < e.start <= end + MINISTRY_REACH
                and e._.canonical.startswith(MINISTRY_PREFIX)
                and all(t.is_lower for t in doc[end : e.start])
            ),
            None,
        )
        if ministry is not None:
            return Candidate(token.i, max(end, ministry.end), "addressee", target=ministry._.canonical)
        return Candidate(token.i, end, "addressee", addressee=doc[start:end].text)

    @staticmethod
    def name_end(doc: Doc, sentence: Span, i: int, joiners: set[str] = NAME_JOINERS) -> int:
        """The end of the name or post after an addressee word: capitalised words (`Carola Schouten`), a post
        (`voor Wonen en Rijksdienst`) and a parenthesis (`(Armoedebeleid, …)`)."""
        while i < sentence.end and (
            doc[i].is_title or (doc[i].lower_ in joiners and i + 1 < sentence.end and doc[i + 1].is_title)
        ):
            i += 1
        if i + 1 < sentence.end and doc[i].lower_ == "voor" and doc[i + 1].is_title:
            i += 1
            while i < sentence.end and (
                doc[i].is_title or (doc[i].lower_ in {"en", ","} and i + 1 < sentence.end and doc[i + 1].is_title)
            ):
                i += 1
        if i < sentence.end and doc[i].text == "(":
            close = next((j for j in range(i, sentence.end) if doc[j].text == ")"), None)
            if close is not None:
                i = close + 1
        return i

    def actor(
        self,
        doc: Doc,
        sentence: Span,
        start: int,
        candidates: list[Candidate],
        target_ends: list[int],
        instrument: Instrument,
    ) -> Candidate | None:
        """Who performs the act at `start`, as a candidate (`role` network, or an organisation's canonical in
        `actor`); None when it is not the network's (a minister, a council, a party, `ik`)."""
        clause = self.clause_start(doc, sentence, start)

        def counterpart(c: Candidate) -> bool:
            return any(0 <= c.start - end < CUE_WINDOW for end in target_ends)

        def acting(c: Candidate) -> bool:
            if self.governed(doc, sentence, c.start):
                return False
            return c.role in (NETWORK, CITY, OTHER) or bool(c.target)

        before = [c for c in candidates if clause <= c.start < start and acting(c) and not counterpart(c)]
        after = [c for c in candidates if start < c.start <= start + LOOK_AHEAD and acting(c) and not counterpart(c)]
        if instrument.name == "gesprek" and any(c.role == NETWORK for c in candidates):
            return Candidate(start, start, NETWORK)
        agents = [c for c in candidates if acting(c) or self.agent(doc, sentence, c.start)]
        agents = [c for c in agents if self.agent(doc, sentence, c.start)]
        if agents:
            chosen = agents[0]
        elif before:
            chosen = before[-1]
        else:
            inverted = [c for c in after if c.role in (NETWORK, CITY) or (c.target and c.start <= start + 2)]
            if not inverted and instrument.needs_actor:
                return None
            chosen = inverted[0] if inverted else Candidate(start, start, NETWORK)
        if chosen.role in (NETWORK, CITY):
            return chosen
        if chosen.role == OTHER or not chosen.target:
            return None
        return Candidate(chosen.start, chosen.end, "organisation", actor=chosen.target)

    @staticmethod
    def agent(doc: Doc, sentence: Span, start: int) -> bool:
        """The name at `start` is a passive agent (`door de VNG bijgepraat`): the one acting."""
        i = start
        while i > sentence.start and doc[i - 1].lower_ in DETERMINERS:
            i -= 1
        return i > sentence.start and doc[i - 1].lower_ == "door"

    @staticmethod
    def governed(doc: Doc, sentence: Span, start: int) -> bool:
        """The name at `start` is in a prepositional phrase (`na de val van het kabinet`), so not a subject."""
        i = start
        while i > sentence.start and doc[i - 1].lower_ in DETERMINERS:
            i -= 1
        return i > sentence.start and doc[i - 1].lower_ in PREPOSITIONS

    @staticmethod
    def target(
        doc: Doc,
        candidates: list[Candidate],
        cue_ends: list[int],
        instrument_start: int,
        clause: tuple[int, int],
        plea: bool = False,
        document: bool = False,
        by_object: bool = True,
    ) -> tuple[str, str, bool]:
        """(target, addressee, cued): the first of what follows `aan`/`met`/… after the instrument word, else
        after it anywhere, else before it; a plea is addressed only by a cue or its direct object
        (`vraagt het kabinet`), unless its object is what is pleaded for (`pleit ervoor het Warmtefonds …`, not
        `by_object`). A named organisation is the target, a generic addressee is kept as written."""
        after_cue = [c for c in candidates if any(0 <= c.start - end < CUE_WINDOW for end in cue_ends)]
        clause_start, clause_end = clause
        direct = [
            c
            for c in candidates
            if by_object and instrument_start < c.start <= instrument_start + OBJECT_REACH and c.start < clause_end
        ]
        following = sorted({*direct, *(c for c in after_cue if c.start > instrument_start)}, key=lambda c: c.start)
        cued = following or after_cue
        in_clause = [c for c in candidates if c.start > instrument_start and c.start < clause_end]
        after = [c for c in candidates if c.start > instrument_start]
        before = [c for c in candidates if clause_start <= c.start < instrument_start]
        anywhere = [c for c in candidates if c.start < instrument_start] if document else []
        guessed = [] if plea else in_clause or before or after or anywhere
        ordered = cued or guessed
        if not ordered:
            return "", "", False
        first = ordered[0]
        target, addressee = first.target, first.addressee
        joined = [c for c in ordered[1:] if c.start >= first.end and coordinated(doc[first.end : c.start])]
        if joined:
            target, addressee = target or joined[0].target, addressee or joined[0].addressee
        return target, addressee, bool(cued)


def coordinated(between: Span) -> bool:
    """Two addressees are coordinated when only `en`, a comma or an article stands between them."""
    return (
        len(between) > 0
        and all(t.lower_ in COORDINATORS for t in between)
        and any(t.lower_ in {"en", ","} for t in between)
    )


def title_senders(nlp: Language, title: str) -> set[str]:
    """The organisations a text's title names as its sender (`VNG: …`, `Brief van Aedes aan …`,
    `G4 roept … op`): every organisation in it that is not after `aan`/`met`/`op`/`over` or in quotes."""
    doc = nlp(title)
    quoted = False
    inside: set[int] = set()
    for token in doc:
        if token.text in {"‘", "’", "'", '"', "“", "”"}:
            quoted = not quoted if token.text in {"'", '"'} else token.text in {"‘", "“"}
        elif quoted:
            inside.add(token.i)
    return {
        e._.canonical
        for e in doc.spans[ENTITY_SPANS]
        if e.label_ == "organisation"
        and e.start not in inside
        and not any(
            t.lower_ in {"aan", "met", "op", "over", "bij", "richting", "voor"}
            for t in doc[max(0, e.start - 3) : e.start]
        )
    }


def network_names(actors_path: Path = MODELS_DIR / "lobby_actors.csv") -> set[str]:
    """The network's own organisations (`models/lobby_actors.csv`): the senders of its reports."""
    return {row.name for row in read_rows(actors_path, LobbyActor).rows if row.kind == "network"}


def named_organisations(doc: Doc) -> list[str]:
    """The organisations a parsed paragraph names, by canonical name: its entities, then the ministries
    named through a minister. `document_acts` takes them per paragraph."""
    entities = [e._.canonical for e in doc.spans[ENTITY_SPANS] if e.label_ == "organisation"]
    return entities + list(doc._.lobby_ministries)


def ministries_before(paragraphs: Iterable[tuple[str, Sequence[str]]]) -> dict[int, str]:
    """By paragraph number, the ministry named last in the paragraphs before it, given (text, organisations
    named in it in order): what `de minister` or `het ministerie` refers back to."""
    last, before = "", {}
    for number, (_, organisations) in enumerate(paragraphs):
        before[number] = last
        last = next((o for o in reversed(organisations) if o.startswith("Ministerie van")), last)
    return before


def letter_addressee(paragraphs: Iterable[tuple[str, Sequence[str]]]) -> str:
    """The organisation a letter is addressed to, from its address block (a paragraph opening with `Aan …`),
    given as (text, organisations named in it in order): a committee is its parliament."""
    for text, organisations in paragraphs:
        if not ADDRESS_BLOCK.match(text):
            continue
        chambers = [o for o in organisations if "Kamer" in o]
        if COMMITTEE.search(text):
            return chambers[0] if chambers else PARLIAMENT
        return organisations[0] if organisations else ""
    return ""


def repeats(a: str, b: str) -> bool:
    """One sentence repeats another (a pull quote, the same act told twice): the same words, or one contains
    the other and is at least `REPEAT_WORDS` words long."""
    shorter, longer = sorted((a, b), key=len)
    return shorter == longer or (len(shorter.split()) >= REPEAT_WORDS and f" {shorter} " in f" {longer} ")


def settle_acts(
    acts: Iterable[LobbyAct],
    senders: Iterable[str] = (),
    letter: str = "",
    ministries: Mapping[str, str] | None = None,
) -> list[LobbyAct]:
    """A document's acts, once each and only its own: a sentence repeated (a pull quote, an act told twice in
    the same words) counts once, as its fullest wording; an act by another organisation counts only when the text is that
    organisation's (`senders`). `u` is the addressee of the letter (its address block, `letter`), else of
    the document the text opens with (its first act, when that sends one); a first-person plea without an
    addressee is made to the same; `de minister` without a name is the ministry named last before its
    paragraph (`ministries`, by paragraph_id) or by an earlier act."""
    sending = set(senders)
    settled: list[LobbyAct] = []
    seen: list[str] = []
    opening: LobbyAct | None = None
    for act in acts:
        key = " ".join(re.findall(r"\w+", fold(act.sentence)))
        if act.actor and act.actor not in sending:
            continue
        repeated = next((i for i, other in enumerate(seen) if repeats(key, other)), None)
        if repeated is not None:
            if len(key) > len(seen[repeated]):
                seen[repeated], settled[repeated] = key, replace(act, target=settled[repeated].target or act.target)
            continue
        seen.append(key)
        if opening is None:
            opening = act
        sent = opening is not act and opening.instrument not in ("pleidooi", "gesprek", "lobby")
        addressed = (letter, "") if letter else (opening.target, opening.addressee) if sent else None
        first_person = bool(FIRST_PERSON & {w.casefold() for w in re.findall(r"\w+", act.sentence)[:FIRST_WORDS]})
        if act.addressee == "u" and addressed is not None:
            act = replace(act, target=addressed[0], addressee=addressed[1])
        elif act.addressee in REFERRING and not act.target:
            earlier = [a.target for a in settled if a.target.startswith("Ministerie van")]
            named = (ministries or {}).get(act.paragraph_id) or (earlier[-1] if earlier else "")
            act = replace(act, target=named, addressee="") if named else act
        elif act.instrument == "pleidooi" and not (act.target or act.addressee) and first_person and addressed:
            act = replace(act, target=addressed[0], addressee=addressed[1])
        settled.append(act)
    return settled


def document_acts(
    acts: Iterable[LobbyAct], paragraphs: Sequence[tuple[str, str, Sequence[str]]], senders: Iterable[str]
) -> list[LobbyAct]:
    """The settled acts of one document, given its paragraphs as (paragraph_id, text, organisations named in
    it in order) and the organisations that send it (the network, or the sender named in a text's title)."""
    named = [(text, organisations) for _, text, organisations in paragraphs]
    before = ministries_before(named)
    ministries = {paragraph_id: before[number] for number, (paragraph_id, _, _) in enumerate(paragraphs)}
    return settle_acts(acts, set(senders), letter_addressee(named), ministries)
