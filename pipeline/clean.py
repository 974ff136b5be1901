"""Stage 2a: text normalisers, `str -> str`, composed by `structure.py`.

Dutch-specific repairs decide with word frequencies (wordfreq) and the document's own vocabulary,
never with a fixed word list: `land- en tuinbouw` keeps its hyphen, `voor-`/`waarden` is joined.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

import ftfy
from py3langid import langid
from wordfreq import zipf_frequency

LANGUAGE = "nl"
LANGUAGE_SAMPLE_CHARS = 5000
LANGUAGE_MIN_WORDS = 40
CANDIDATE_LANGUAGES = ("nl", "en", "de", "fr", "es", "it", "pt", "da", "sv", "no", "pl")
KNOWN_WORD_ZIPF = 2.0
FUNCTION_WORD_ZIPF = 6.0
ELISION_WORDS = frozenset({"en", "of", "tot", "noch"})
WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How common a Dutch word is (wordfreq's Zipf scale, 0 for unknown words)."""
    return zipf_frequency(word, LANGUAGE)


@lru_cache(maxsize=1)
def language_identifier() -> None:
    """Limit py3langid to the languages a report here can be in, so short Dutch is not taken for Afrikaans."""
    langid.set_languages(list(CANDIDATE_LANGUAGES))


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language (py3langid, offline); too short a text is taken to be Dutch."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if len(sample.split()) < LANGUAGE_MIN_WORDS:
        return LANGUAGE
    language_identifier()
    return str(langid.classify(sample)[0])


def normalise_characters(text: str) -> str:
    """Repair mojibake, unfold ligatures (ﬁ → fi) and straighten typographic quotes (‘…’ → '…')."""
    return ftfy.fix_text(text, uncurl_quotes=True, fix_latin_ligatures=True, normalization="NFC")


def normalise_whitespace(text: str) -> str:
    """Every run of spaces (also non-breaking and thin ones) as one space, trimmed."""
    return SPACES_RE.sub(" ", text).strip()


def join_hyphenated(head: str, tail: str, vocabulary: Collection[str] = ()) -> str:
    """Join a word broken at a line end (`head` ends with '-') with the first word of the next line.

    Keeps the hyphen after capitals and digits (`MKB-`, `G40-`), before capitals (`Noord-`/`Holland`)
    and in elisions (`land-`/`en tuinbouw`); otherwise joins unless the joined form is unknown while
    the hyphenated form is attested in the document.
    """
    stem = head[:-1]
    if not stem or not tail:
        return head + tail
    first_tail_word = tail.split(" ", 1)[0]
    if first_tail_word.lower() in ELISION_WORDS:
        return f"{head} {tail}"
    if stem[-1].isupper() or stem[-1].isdigit() or tail[0].isupper() or tail[0].isdigit():
        return head + tail
    joined_word = _last_word(stem) + _first_word(tail)
    hyphenated_word = f"{_last_word(stem)}-{_first_word(tail)}"
    joined_known = zipf(joined_word.lower()) >= KNOWN_WORD_ZIPF or joined_word.lower() in vocabulary
    if not joined_known and hyphenated_word.lower() in vocabulary:
        return head + tail
    return stem + tail


def _last_word(text: str) -> str:
    match = re.search(r"[^\W_]+$", text)
    return match.group(0) if match else ""


def _first_word(text: str) -> str:
    match = re.match(r"[^\W_]+(?:'[^\W_]+)?", text)
    return match.group(0) if match else ""


def join_lines(lines: list[str], vocabulary: Collection[str] = ()) -> str:
    """Join the lines of one paragraph into a single string, undoing line-break hyphenation."""
    text = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if text.endswith("-") and len(text) > 1 and text[-2].isalnum():
            text = join_hyphenated(text, line, vocabulary)
        elif text:
            text = f"{text} {line}"
        else:
            text = line
    return text


def split_joined_word(word: str) -> str:
    """Split OCR-joined words (`zorgin` → `zorg in`, `hetvlak` → `het vlak`) at a very frequent function word.

    Only unknown lowercase words are split, and only when both parts are ordinary words and one of
    them is among the most frequent Dutch words, so real compounds (`arbeidsmarktstructuur`, `woondeals`) stay whole.
    """
    if len(word) < 5 or not word.isalpha() or not word.islower() or zipf(word) > 0 or reads_as_compound(word):
        return word
    best: tuple[float, str] | None = None
    for cut in range(2, len(word) - 1):
        left, right = word[:cut], word[cut:]
        left_zipf, right_zipf = zipf(left), zipf(right)
        if min(left_zipf, right_zipf) < 3.0 or max(left_zipf, right_zipf) < FUNCTION_WORD_ZIPF:
            continue
        if min(len(left), len(right)) < 2:
            continue
        score = left_zipf + right_zipf
        if best is None or score > best[0]:
            best = (score, f"{left} {right}")
    return best[1] if best else word


def reads_as_compound(word: str) -> bool:
    """A new compound of two content words (`woondeals` = `woon` + `deals`) is Dutch, not two words joined by OCR."""
    for cut in range(3, len(word) - 2):
        left_zipf, right_zipf = zipf(word[:cut]), zipf(word[cut:])
        if 3.0 <= min(left_zipf, right_zipf) and max(left_zipf, right_zipf) < FUNCTION_WORD_ZIPF:
            return True
    return False


def repair_diacritics(word: str) -> str:
    """Undo OCR's é-for-ë confusion (`financiéle` → `financiële`) when only the repaired form is a word."""
    if "é" not in word or not word.isalpha():
        return word
    candidate = word.replace("é", "ë")
    if zipf(candidate.lower()) >= KNOWN_WORD_ZIPF and zipf(candidate.lower()) > zipf(word.lower()) + 1:
        return candidate
    return word


def repair_ocr_words(text: str) -> str:
    """Word-level OCR repairs: joined words and confused diacritics."""

    def repair(match: re.Match[str]) -> str:
        return split_joined_word(repair_diacritics(match.group(0)))

    return WORD_RE.sub(repair, text)


def clean_text(text: str) -> str:
    """The full normalisation applied to every line before paragraphs are built."""
    return normalise_whitespace(repair_ocr_words(normalise_characters(text)))
