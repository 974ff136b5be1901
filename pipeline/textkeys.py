"""Text keys: the one place where names are folded, slugged and keyed for lookups and identifiers.

Every lookup in the pipeline (gazetteer names, heading aliases, document ids, report anchors) goes through
these functions, so two stages never disagree on whether two spellings are the same name.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

HYPHEN_SPACING_RE = re.compile(r"\s*-\s*")
SPACES_RE = re.compile(r"\s+")
NON_WORD_RE = re.compile(r"[^\w]+")
NON_SLUG_RE = re.compile(r"[^a-z0-9]+")


def strip_accents(text: str) -> str:
    """Drop combining accents, keep their letters: `Oekraïne` → `Oekraine`."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=131072)
def fold(text: str) -> str:
    """Case, diacritics, apostrophe and hyphen-spacing insensitive key: `Oekraïne` = `Oekraine`."""
    text = strip_accents(text.replace("’", "'").replace("‘", "'")).casefold()
    text = HYPHEN_SPACING_RE.sub("-", text)
    return SPACES_RE.sub(" ", text).strip()


def slug(text: str) -> str:
    """Lower-case ASCII identifier part: `Ministerie van EZK` → `ministerie-van-ezk`."""
    return NON_SLUG_RE.sub("-", fold(text)).strip("-")


def alias_key(text: str) -> str:
    """Key of a heading or section name: case folded, punctuation as single spaces (accents kept)."""
    return NON_WORD_RE.sub(" ", text.casefold()).strip()


def name_key(text: str) -> str:
    """Key of a name compared by its words only: folded, punctuation as single spaces."""
    return NON_WORD_RE.sub(" ", fold(text)).strip()


def doc_id_for(path: Path) -> str:
    """The file name as a lower-case ASCII slug, accents dropped, not their letters: `Één verslag` → `een-verslag`."""
    ascii_name = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    return NON_SLUG_RE.sub("-", ascii_name.casefold()).strip("-") or "document"


def unique_doc_ids(names: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """A `doc_id` per file name that is unique in the corpus, and a note per collision.

    Files whose names slug alike (`G40 jaarverslag.pdf`, `g40_jaarverslag.pdf`) would merge their rows: in
    the order of their names the first keeps the slug and the others get `-2`, `-3`, … (skipping ids taken
    by other files), so the ids depend only on the names in the corpus.
    """
    names = sorted(names)
    natural = {name: doc_id_for(Path(name)) for name in names}
    counts = Counter(natural.values())
    taken = set(natural.values())
    ids: dict[str, str] = {}
    notes = []
    for name in names:
        base = natural[name]
        if counts[base] == 1 or base not in ids.values():
            ids[name] = base
            continue
        number = 2
        while f"{base}-{number}" in taken:
            number += 1
        ids[name] = f"{base}-{number}"
        taken.add(ids[name])
        first = next(other for other in names if ids.get(other) == base)
        notes.append(f"{name} and {first} both give doc_id {base!r}: {name} is {ids[name]!r}")
    return ids, notes


@lru_cache(maxsize=64)
def keyword_regex(keywords: tuple[str, ...], min_length: int = 3, ending: str = r"\w{0,3}") -> re.Pattern[str]:
    """Whole-word match of any (lower-cased) keyword, allowing a short Dutch ending (`woningen`, `wijkteams`):
    the one keyword matcher of the theme lexicon, used by the structure stage (a chapter's content) and by
    the theme classifier (keyword features and the fallback)."""
    usable = sorted({k.lower() for k in keywords if len(k) >= min_length}, key=lambda k: (-len(k), k))
    if not usable:
        return re.compile(r"(?!)")
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, usable))}){ending}(?!\w)")


def is_acronym(alias: str) -> bool:
    """A short single word with two or more capitals: `VNG`, `IenW`, `BZK`."""
    return " " not in alias and len(alias) <= 6 and sum(c.isupper() for c in alias) >= 2
