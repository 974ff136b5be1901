"""Year-on-year comparison: the pure functions on small frames."""

import pandas as pd
import pytest

from pipeline.compare import ONE_YEAR_NOTE, change, comparison_notes, comparison_table, year_pairs
from pipeline.tables import TABLE_COLUMNS

# --- the pure functions on frames built in code ------------------------------------------------


def frames(
    themes: list[tuple[int, str, str, int, int]],
    entities: list[tuple[int, str, str, str, str, int]],
    acts: list[tuple[int, str, str]],
) -> dict[str, pd.DataFrame]:
    """The comparison's inputs from (year, pillar, theme, paragraphs, words), (year, pillar, type, canonical, id, mentions)
    and (year, pillar, instrument) rows; every theme row stands for paragraphs of its words."""
    focus = pd.DataFrame(themes, columns=["year", "pillar", "theme", "paragraphs", "words"])
    paragraphs = focus.rename(columns={"words": "n_words"}).assign(paragraph_id=[f"p{i}" for i in range(len(focus))])
    return {
        "focus": focus,
        "entities": pd.DataFrame(entities, columns=["year", "pillar", "entity_type", "canonical", "entity_id", "mentions"]),
        "lobby_actions": pd.DataFrame(acts, columns=["year", "pillar", "instrument"]),
        "paragraphs": paragraphs,
    }


# Sociaal has 1,000 words in 2031 and 2,000 in 2032; Fysiek is only in 2031.
TWO_YEARS = frames(
    themes=[
        (2031, "Sociaal", "wonen", 2, 600),
        (2031, "Sociaal", "zorg_jeugd_onderwijs", 1, 400),
        (2031, "Fysiek", "wonen", 1, 500),
        (2032, "Sociaal", "wonen", 3, 1400),
        (2032, "Sociaal", "asiel_integratie", 1, 600),
    ],
    entities=[
        (2031, "Sociaal", "law", "Wmo", "BWBR0035362", 2),
        (2031, "Sociaal", "place", "Utrecht", "GM0344", 1),
        (2031, "Sociaal", "place", "Utrecht", "PV26", 1),
        (2031, "Sociaal", "organisation", "Stichting Voorbeeld", "org:stichting-voorbeeld", 1),
        (2031, "Fysiek", "place", "Zwolle", "GM0193", 3),
        (2032, "Sociaal", "law", "Wmo", "BWBR0035362", 4),
        (2032, "Sociaal", "law", "Participatiewet", "BWBR0015703", 1),
        (2032, "Sociaal", "place", "Utrecht", "GM0344", 1),
        (2032, "Sociaal", "organisation", "stichting Voorbeeld", "org:stichting-voorbeeld", 6),
    ],
    acts=[(2031, "Sociaal", "gesprek"), (2032, "Sociaal", "gesprek"), (2032, "Sociaal", "gesprek"), (2032, "Sociaal", "brief")],
)
EXPECTED_2031_2032 = [
    (2031, 2032, "Sociaal", "law", "Participatiewet", "BWBR0015703", 0.0, 5.0, 0, 1, 5.0, "new"),
    (2031, 2032, "Sociaal", "law", "Wmo", "BWBR0035362", 20.0, 20.0, 2, 4, 0.0, "same"),
    (2031, 2032, "Sociaal", "lobby_instrument", "brief", "", 0.0, 5.0, 0, 1, 5.0, "new"),
    (2031, 2032, "Sociaal", "lobby_instrument", "gesprek", "", 10.0, 10.0, 1, 2, 0.0, "same"),
    (2031, 2032, "Sociaal", "organisation", "Stichting Voorbeeld", "org:stichting-voorbeeld", 10.0, 30.0, 1, 6, 20.0, "up"),
    (2031, 2032, "Sociaal", "place", "Utrecht", "GM0344", 10.0, 5.0, 1, 1, -5.0, "down"),
    (2031, 2032, "Sociaal", "place", "Utrecht", "PV26", 10.0, 0.0, 1, 0, -10.0, "dropped"),
    (2031, 2032, "Sociaal", "theme", "asiel_integratie", "", 0.0, 30.0, 0, 1, 30.0, "new"),
    (2031, 2032, "Sociaal", "theme", "wonen", "", 60.0, 70.0, 2, 3, 10.0, "up"),
    (2031, 2032, "Sociaal", "theme", "zorg_jeugd_onderwijs", "", 40.0, 0.0, 1, 0, -40.0, "dropped"),
]


def rows(table: pd.DataFrame) -> list[tuple]:
    return [tuple(row) for row in table.itertuples(index=False)]


def test_year_pairs_are_consecutive_years_plus_first_with_last():
    assert year_pairs([2031]) == []
    assert year_pairs([2032, 2031, 2032]) == [(2031, 2032)]
    assert year_pairs([2034, 2031, 2032]) == [(2031, 2032), (2032, 2034), (2031, 2034)]


def test_themes_compare_shares_in_points_and_entities_per_10k_words_with_raw_counts():
    table = comparison_table(**TWO_YEARS)
    assert list(table.columns) == TABLE_COLUMNS["comparison"]
    assert rows(table) == EXPECTED_2031_2032


def test_a_pillar_missing_in_one_year_gives_no_rows_but_a_note():
    table = comparison_table(**TWO_YEARS)
    assert "Fysiek" not in set(table["pillar"])
    assert comparison_notes(TWO_YEARS["paragraphs"]) == ["comparison 2031-2032: pillar Fysiek has no paragraphs in 2032 (only in 2031): not compared"]


@pytest.mark.parametrize(
    ("count_from", "count_to", "delta", "expected"),
    [(0, 2, 5.0, "new"), (2, 0, -5.0, "dropped"), (1, 1, 0.0, "same"), (1, 1, 0.004, "same"), (1, 1, 0.01, "up"), (1, 1, -0.01, "down")],
)
def test_change_rule(count_from, count_to, delta, expected):
    assert change(count_from, count_to, delta) == expected


def test_one_year_has_no_comparison_and_a_gap_is_named():
    one_year = frames([(2031, "Sociaal", "wonen", 1, 100)], [], [])
    assert comparison_table(**one_year).empty
    assert comparison_notes(one_year["paragraphs"]) == [ONE_YEAR_NOTE]
    gap = frames([(2031, "Sociaal", "wonen", 1, 100), (2033, "Sociaal", "wonen", 1, 100)], [], [])
    assert rows(comparison_table(**gap)) == [(2031, 2033, "Sociaal", "theme", "wonen", "", 100.0, 100.0, 1, 1, 0.0, "same")]
    assert comparison_notes(gap["paragraphs"]) == ["no report for 2032: 2031 is compared with 2033"]


def test_a_third_year_leaves_the_rows_of_the_first_pair_unchanged():
    third = frames([(2033, "Sociaal", "wonen", 1, 500), (2033, "Fysiek", "wonen", 1, 500)], [(2033, "Sociaal", "law", "Wmo", "BWBR0035362", 9)], [])
    three_years = {name: pd.concat([TWO_YEARS[name], third[name]], ignore_index=True) for name in TWO_YEARS}
    table = comparison_table(**three_years)
    assert rows(table[(table["year_from"] == 2031) & (table["year_to"] == 2032)]) == EXPECTED_2031_2032
    assert sorted(set(zip(table["year_from"], table["year_to"], strict=True))) == [(2031, 2032), (2031, 2033), (2032, 2033)]
    assert set(table.loc[table["year_from"] == 2032, "pillar"]) == {"Sociaal"}
    assert set(table.loc[(table["year_from"] == 2031) & (table["year_to"] == 2033), "pillar"]) == {"Sociaal", "Fysiek"}

