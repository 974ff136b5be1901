import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.clean import (
    clean_text,
    join_hyphenated,
    join_lines,
    normalise_characters,
    normalise_whitespace,
    split_joined_word,
)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["betere voor-", "waarden"], "betere voorwaarden"),
        (["het actieplan MKB-dienst-", "verlening"], "het actieplan MKB-dienstverlening"),
        (["als G40-stedennet-", "werk."], "als G40-stedennetwerk."),
        (["de MKB-", "dienstverlening"], "de MKB-dienstverlening"),
        (["land-", "en tuinbouw"], "land- en tuinbouw"),
        (["Noord-", "Holland"], "Noord-Holland"),
        (["arbeidsmarkt-", "regio's"], "arbeidsmarktregio's"),
        (["een niet-", "controversieel punt"], "een niet-controversieel punt"),
    ],
)
def test_line_break_hyphens_are_undone_and_real_hyphens_kept(lines, expected):
    vocabulary = {"niet-controversieel"}
    assert join_lines(lines, vocabulary) == expected


def test_typographic_quotes_and_ligatures_are_normalised_and_titles_kept():
    assert (
        normalise_characters("het manifest ‘Het Nieuwe Normaal’ voor ﬁnanciën")
        == "het manifest 'Het Nieuwe Normaal' voor financiën"
    )
    assert normalise_characters("“citaat” en ’s-Hertogenbosch") == '"citaat" en \'s-Hertogenbosch'


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("zorgin", "zorg in"),
        ("hetvlak", "het vlak"),
        ("ruimvoor", "ruim voor"),
        ("arbeidsmarktstructuur", "arbeidsmarktstructuur"),
        ("netwerkdagen", "netwerkdagen"),
        ("woondeals", "woondeals"),
    ],
)
def test_ocr_joined_words_are_split_only_at_function_words(word, expected):
    assert split_joined_word(word) == expected


def test_ocr_diacritic_confusion_is_repaired():
    assert clean_text("de financiéle positie") == "de financiële positie"


text_strategy = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs", "S"]), max_size=200)


@given(text_strategy)
def test_clean_text_is_idempotent_and_never_raises(text):
    once = clean_text(text)
    assert clean_text(once) == once


@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFG-'0123456789 ", max_size=30), max_size=8))
def test_joining_lines_never_drops_letters(lines):
    joined = join_lines(lines)
    letters = [c for c in "".join(lines) if c.isalnum()]
    assert [c for c in joined if c.isalnum()] == letters


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20),
)
def test_hyphen_join_keeps_both_parts(head, tail):
    joined = join_hyphenated(head + "-", tail)
    assert joined.replace("-", "").replace(" ", "") == head + tail


@given(text_strategy)
def test_character_normalisation_is_idempotent_and_keeps_every_letter(text):
    once = normalise_characters(text)
    assert normalise_characters(once) == once
    assert sum(c.isalpha() for c in once) >= sum(c.isalpha() for c in text if c.isascii())


@given(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs", "Cc"]), max_size=200))
def test_whitespace_normalisation_is_idempotent_and_keeps_everything_else(text):
    once = normalise_whitespace(text)
    assert normalise_whitespace(once) == once
    assert [c for c in once if not c.isspace()] == [c for c in text if not c.isspace() and c not in "\u200b"]
