"""Text keys: the one place where names are folded, slugged and keyed for lookups and identifiers.

Every lookup in the pipeline (gazetteer names, heading aliases, document ids, report anchors) goes through
these functions, so two stages never disagree on whether two spellings are the same name.
"""

from __future__ import annotations

import re
import unicodedata
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


@lru_cache(maxsize=64)
def keyword_regex(keywords: tuple[str, ...], min_length: int = 3, ending: str = r"\w{0,3}") -> re.Pattern[str]:
    """Whole-word match of any (lower-cased) keyword, allowing a short Dutch ending (`woningen`, `wijkteams`):
    the one keyword matcher of the theme lexicon, used by the structure stage (a chapter's content) and by
    the theme classifier (keyword features and the fallback)."""
    usable = sorted({k.lower() for k in keywords if len(k) >= min_length}, key=lambda k: (-len(k), k))
    if not usable:
        return re.compile(r"(?!)")
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, usable))}){ending}(?!\w)")
