"""Year-on-year comparison: the pure functions on small frames, then `g40 extract` on generated reports of several years."""

import json
import shutil
import textwrap
from dataclasses import dataclass

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.columns import TABLE_COLUMNS
from pipeline.compare import ONE_YEAR_NOTE, change, comparison_notes, comparison_table, year_pairs
from tests.conftest import SHIPPED_PDF, Text, make_pdf, run_extract
from tests.integration.test_schema import problems

runner = CliRunner()

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
        "entities": pd.DataFrame(
            entities, columns=["year", "pillar", "entity_type", "canonical", "entity_id", "mentions"]
        ),
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
    acts=[
        (2031, "Sociaal", "gesprek"),
        (2032, "Sociaal", "gesprek"),
        (2032, "Sociaal", "gesprek"),
        (2032, "Sociaal", "brief"),
    ],
)
EXPECTED_2031_2032 = [
    (2031, 2032, "Sociaal", "law", "Participatiewet", "BWBR0015703", 0.0, 5.0, 0, 1, 5.0, "new"),
    (2031, 2032, "Sociaal", "law", "Wmo", "BWBR0035362", 20.0, 20.0, 2, 4, 0.0, "same"),
    (2031, 2032, "Sociaal", "lobby_instrument", "brief", "", 0.0, 5.0, 0, 1, 5.0, "new"),
    (2031, 2032, "Sociaal", "lobby_instrument", "gesprek", "", 10.0, 10.0, 1, 2, 0.0, "same"),
    (
        2031,
        2032,
        "Sociaal",
        "organisation",
        "Stichting Voorbeeld",
        "org:stichting-voorbeeld",
        10.0,
        30.0,
        1,
        6,
        20.0,
        "up",
    ),
    (2031, 2032, "Sociaal", "place", "Utrecht", "GM0344", 10.0, 5.0, 1, 1, -5.0, "down"),
    (2031, 2032, "Sociaal", "place", "Utrecht", "PV26", 10.0, 0.0, 1, 0, -10.0, "dropped"),
    (2031, 2032, "Sociaal", "theme", "asiel_integratie", "", 0.0, 30.0, 0, 1, 30.0, "new"),
    (2031, 2032, "Sociaal", "theme", "wonen", "", 60.0, 70.0, 2, 3, 10.0, "up"),
    (2031, 2032, "Sociaal", "theme", "zorg_jeugd_onderwijs", "", 40.0, 0.0, 1, 0, -40.0, "dropped"),
]


def rows(table: pd.DataFrame) -> list[tuple]:
    """The rows without the theme label (checked on its own in `test_theme_rows_carry_the_theme_label`)."""
    return [tuple(row) for row in table.drop(columns="theme_label", errors="ignore").itertuples(index=False)]


def test_year_pairs_are_consecutive_years_plus_first_with_last():
    assert year_pairs([2031]) == []
    assert year_pairs([2032, 2031, 2032]) == [(2031, 2032)]
    assert year_pairs([2034, 2031, 2032]) == [(2031, 2032), (2032, 2034), (2031, 2034)]


def test_themes_compare_shares_in_points_and_entities_per_10k_words_with_raw_counts():
    table = comparison_table(**TWO_YEARS)
    assert list(table.columns) == TABLE_COLUMNS["comparison"]
    assert rows(table) == EXPECTED_2031_2032


def test_theme_rows_carry_the_theme_label():
    labels = {"wonen": "Wonen en volkshuisvesting", "zorg_jeugd_onderwijs": "Zorg", "asiel_integratie": "Asiel"}
    focus = TWO_YEARS["focus"].assign(theme_label=TWO_YEARS["focus"]["theme"].map(labels))
    table = comparison_table(**{**TWO_YEARS, "focus": focus})
    labelled = dict(zip(table["key"], table["theme_label"], strict=True))
    assert labelled["wonen"] == "Wonen en volkshuisvesting" and labelled["asiel_integratie"] == "Asiel"
    assert labelled["Wmo"] == "" and labelled["gesprek"] == ""


def test_a_pillar_missing_in_one_year_gives_no_rows_but_a_note():
    table = comparison_table(**TWO_YEARS)
    assert "Fysiek" not in set(table["pillar"])
    assert comparison_notes(TWO_YEARS["paragraphs"]) == [
        "comparison 2031-2032: pillar Fysiek has no paragraphs in 2032 (only in 2031): not compared"
    ]


@pytest.mark.parametrize(
    ("count_from", "count_to", "delta", "expected"),
    [
        (0, 2, 5.0, "new"),
        (2, 0, -5.0, "dropped"),
        (1, 1, 0.0, "same"),
        (1, 1, 0.004, "same"),
        (1, 1, 0.01, "up"),
        (1, 1, -0.01, "down"),
    ],
)
def test_change_rule(count_from, count_to, delta, expected):
    assert change(count_from, count_to, delta) == expected


def test_one_year_has_no_comparison_and_a_gap_is_named():
    one_year = frames([(2031, "Sociaal", "wonen", 1, 100)], [], [])
    assert comparison_table(**one_year).empty
    assert comparison_notes(one_year["paragraphs"]) == [ONE_YEAR_NOTE]
    gap = frames([(2031, "Sociaal", "wonen", 1, 100), (2033, "Sociaal", "wonen", 1, 100)], [], [])
    assert rows(comparison_table(**gap)) == [
        (2031, 2033, "Sociaal", "theme", "wonen", "", 100.0, 100.0, 1, 1, 0.0, "same")
    ]
    assert comparison_notes(gap["paragraphs"]) == ["no report for 2032: 2031 is compared with 2033"]


def test_a_third_year_leaves_the_rows_of_the_first_pair_unchanged():
    third = frames(
        [(2033, "Sociaal", "wonen", 1, 500), (2033, "Fysiek", "wonen", 1, 500)],
        [(2033, "Sociaal", "law", "Wmo", "BWBR0035362", 9)],
        [],
    )
    three_years = {name: pd.concat([TWO_YEARS[name], third[name]], ignore_index=True) for name in TWO_YEARS}
    table = comparison_table(**three_years)
    assert rows(table[(table["year_from"] == 2031) & (table["year_to"] == 2032)]) == EXPECTED_2031_2032
    assert sorted(set(zip(table["year_from"], table["year_to"], strict=True))) == [
        (2031, 2032),
        (2031, 2033),
        (2032, 2033),
    ]
    assert set(table.loc[table["year_from"] == 2032, "pillar"]) == {"Sociaal"}
    assert set(table.loc[(table["year_from"] == 2031) & (table["year_to"] == 2033), "pillar"]) == {"Sociaal", "Fysiek"}


# --- end to end: generated reports of several years through `g40 extract` ----------------------


@dataclass(frozen=True)
class Layout:
    """How a year's report is typeset: reports differ in fonts, margins, furniture and page breaks."""

    pillar_size: float
    group_size: float
    body_size: float
    leading: float
    x: float
    wrap: int
    footer: str
    page_per_pillar: bool = True


LAYOUTS = {
    2031: Layout(15, 11.5, 9.5, 13, 70, 90, "Testnetwerk · Jaarverslag 2031 · {page}"),
    2032: Layout(18, 13, 10.5, 15, 95, 70, "« {page} »", page_per_pillar=False),
    2033: Layout(16, 12, 10, 14, 60, 80, "pagina {page}"),
}
# Per year: (pillar heading as printed, [(theme group heading or "", [paragraph, ...]), ...]). Against 2031, the
# 2032 report renames `Werk en economie` to `Economie en werk` and the themagroep `Zorg, Jeugd en Onderwijs` to
# `ZJO`, adds a themagroep on city centres, a letter to parliament and the Participatiewet in Sociaal, drops the
# themagroep Duurzaamheid, Zwolle and the pillar `Overige themagroepen`. The 2033 report writes a dossier's
# name in another case, more often than the earlier reports together.
REPORTS = {
    2031: [
        ("Voorwoord", [("", ["Onze voorzitter dankt alle leden en bestuurders voor een mooi jaar vol samenwerking."])]),
        (
            "Pijler Werk en economie",
            [
                (
                    "Thema MKB en economische vernieuwing",
                    [
                        "Het MKB en de ondernemers in de regio verdienen betere ondersteuning bij innovatie en ondernemerschap."
                    ],
                ),
                (
                    "Thema Sterke keten van leren, werken en ondernemen",
                    [
                        "Met het UWV en de arbeidsmarktregio's werkten we aan scholing van werkzoekenden onder de Participatiewet.",
                        "Wij voerden een gesprek met de minister van SZW over de arbeidsmarkt en een leven lang ontwikkelen.",
                    ],
                ),
            ],
        ),
        (
            "Pijler Fysiek",
            [
                (
                    "Thema Woningmarkt",
                    [
                        "De woningbouw blijft achter: er zijn meer betaalbare woningen nodig voor starters in Apeldoorn en Zwolle, en het programma 'Een thuis voor iedereen' moet helpen."
                    ],
                ),
                (
                    "Thema Duurzaamheid",
                    [
                        "De energietransitie vraagt om warmtenetten, isolatie van gebouwen en een oplossing voor netcongestie."
                    ],
                ),
            ],
        ),
        (
            "Pijler Sociaal",
            [
                (
                    "Thema Zorg, Jeugd en Onderwijs",
                    ["De Hervormingsagenda Jeugd moet de jeugdhulp betaalbaar houden; ook de Wmo vraagt aandacht."],
                ),
                (
                    "Thema Armoede en schulden",
                    [
                        "Steeds meer huishoudens hebben problematische schulden; vroegsignalering en schuldhulpverlening helpen tegen armoede."
                    ],
                ),
            ],
        ),
        (
            "Overige themagroepen",
            [
                (
                    "Thema Europa",
                    ["Via Brussel zetten we ons in voor Europese fondsen en het cohesiebeleid voor de steden."],
                )
            ],
        ),
    ],
    2032: [
        (
            "Voorwoord",
            [("", ["De voorzitter bedankt iedereen die dit jaar met ons samenwerkte, binnen en buiten het netwerk."])],
        ),
        (
            "Economie en werk",
            [
                (
                    "Thema MKB en economische vernieuwing",
                    [
                        "Ondernemers en het MKB hebben last van regeldruk; innovatie en ondernemerschap verdienen meer steun.",
                        "Wij stuurden een brief aan de Tweede Kamer over de regeldruk voor ondernemers.",
                    ],
                ),
                (
                    "Thema Sterke keten van leren, werken en ondernemen",
                    [
                        "Met het UWV en de arbeidsmarktregio's werkten we aan scholing van werkzoekenden onder de Participatiewet.",
                        "Wij voerden een gesprek met de minister van SZW over de arbeidsmarkt en een leven lang ontwikkelen.",
                    ],
                ),
                (
                    "Thema Vitale binnensteden en werklocaties",
                    ["Leegstand in binnensteden en winkelgebieden vraagt om de transformatie van werklocaties."],
                ),
            ],
        ),
        (
            "Fysieke pijler",
            [
                (
                    "Thema Woningmarkt",
                    [
                        "De woningbouw blijft achter: er zijn meer betaalbare woningen nodig voor starters in Apeldoorn, en het programma 'Een thuis voor iedereen' moet helpen."
                    ],
                ),
            ],
        ),
        (
            "Sociaal",
            [
                (
                    "Themagroep ZJO",
                    ["De Hervormingsagenda Jeugd moet de jeugdhulp betaalbaar houden; ook de Wmo vraagt aandacht."],
                ),
                (
                    "Thema Armoede en schulden",
                    [
                        "Steeds meer huishoudens hebben problematische schulden; vroegsignalering en schuldhulpverlening helpen tegen armoede.",
                        "Ook mensen in de bijstand onder de Participatiewet kampen met schulden en armoede.",
                    ],
                ),
            ],
        ),
    ],
    2033: [
        ("Voorwoord", [("", ["Een woord van dank aan alle leden van het netwerk."])]),
        (
            "Economie en werk",
            [
                (
                    "Thema MKB en economische vernieuwing",
                    ["Het MKB en de ondernemers in de regio verdienen steun bij innovatie."],
                )
            ],
        ),
        (
            "Fysiek",
            [
                (
                    "Thema Woningmarkt",
                    [
                        "Het programma 'Een Thuis Voor Iedereen' moet de woningbouw versnellen.",
                        "Met het programma 'Een Thuis Voor Iedereen' komen er betaalbare woningen bij.",
                        "Ook volgend jaar blijft het programma 'Een Thuis Voor Iedereen' de woningmarkt sturen.",
                    ],
                ),
            ],
        ),
    ],
}


def render_report(year: int, folder, name: str = "") -> None:
    """The report of `year` as a PDF: a cover, then the pillars with their theme groups in that year's layout."""
    layout = LAYOUTS[year]
    pages: list[list[Text]] = [
        [Text(f"Jaarverslag {year}", y=200, size=30, bold=True), Text("Testnetwerk", y=240, size=16)]
    ]
    y = 0.0
    for pillar, groups in REPORTS[year]:
        if layout.page_per_pillar or y > 500 or len(pages) == 1:
            pages.append([Text(layout.footer.format(page=len(pages) + 1), x=layout.x, y=810, size=8)])
            y = 80
        pages[-1].append(Text(pillar, x=layout.x, y=y, size=layout.pillar_size, bold=True))
        y += 2.2 * layout.pillar_size
        for group, paragraphs in groups:
            if group:
                pages[-1].append(Text(group, x=layout.x, y=y, size=layout.group_size, bold=True))
                y += 2 * layout.group_size
            for paragraph in paragraphs:
                for line in textwrap.wrap(paragraph, layout.wrap):
                    pages[-1].append(Text(line, x=layout.x, y=y, size=layout.body_size))
                    y += layout.leading
                y += layout.leading
        y += layout.leading
    make_pdf(folder / (name or f"testnetwerk-jaarverslag-{year}.pdf"), pages, title=f"Jaarverslag {year}")


def extract(corpus, out, *options: str):
    result = run_extract(corpus, out, "--no-cache", *options)
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    corpus, out = tmp_path_factory.mktemp("corpus"), tmp_path_factory.mktemp("out")
    for year in (2031, 2032):
        render_report(year, corpus)
    code, output = extract(corpus, out)
    assert code == 0, output
    return corpus, out, output


def test_generated_reports_are_read_with_normalised_pillars_and_sections(two_years):
    _, out, _ = two_years
    paragraphs = pd.read_csv(out / "paragraphs.csv", keep_default_na=False)
    written = [
        (year, text) for year in (2031, 2032) for _, groups in REPORTS[year] for _, texts in groups for text in texts
    ]
    assert list(zip(paragraphs["year"], paragraphs["text"], strict=True)) == written
    pillars = paragraphs.groupby("year")["pillar"].agg(lambda p: sorted(set(p))).to_dict()
    assert pillars == {
        2031: ["Algemeen", "Economie en werk", "Fysiek", "Overig", "Sociaal"],
        2032: ["Algemeen", "Economie en werk", "Fysiek", "Sociaal"],
    }
    assert set(
        paragraphs.loc[paragraphs["heading"].isin(["Thema Zorg, Jeugd en Onderwijs", "Themagroep ZJO"]), "section"]
    ) == {"Zorg, Jeugd en Onderwijs"}
    assert paragraphs["theme"].tolist() == [
        "bestuur",
        "economie_mkb",
        "arbeidsmarkt",
        "arbeidsmarkt",
        "wonen",
        "duurzaamheid_energie",
        "zorg_jeugd_onderwijs",
        "bestaanszekerheid",
        "europa",
        "bestuur",
        "economie_mkb",
        "economie_mkb",
        "arbeidsmarkt",
        "arbeidsmarkt",
        "binnensteden",
        "wonen",
        "zorg_jeugd_onderwijs",
        "bestaanszekerheid",
        "bestaanszekerheid",
    ]


# Words per pillar (2031 → 2032): Algemeen 13 → 15, Economie en werk 47 → 70, Fysiek 38 → 23, Sociaal 25 → 38.
# Themes: percent of the pillar's words (count: paragraphs); entities and acts: per 10,000 words (count: mentions, acts).
EXPECTED_GENERATED = [
    (2031, 2032, "Algemeen", "theme", "bestuur", "", 100.0, 100.0, 1, 1, 0.0, "same"),
    (2031, 2032, "Economie en werk", "law", "Participatiewet", "BWBR0015703", 212.77, 142.86, 1, 1, -69.91, "down"),
    (2031, 2032, "Economie en werk", "lobby_instrument", "brief", "", 0.0, 142.86, 0, 1, 142.86, "new"),
    (2031, 2032, "Economie en werk", "lobby_instrument", "gesprek", "", 212.77, 142.86, 1, 1, -69.91, "down"),
    (
        2031,
        2032,
        "Economie en werk",
        "organisation",
        "Ministerie van Sociale Zaken en Werkgelegenheid",
        "org:ministerie-van-sociale-zaken-en-werkgelegenheid",
        212.77,
        142.86,
        1,
        1,
        -69.91,
        "down",
    ),
    (
        2031,
        2032,
        "Economie en werk",
        "organisation",
        "Tweede Kamer der Staten-Generaal",
        "org:tweede-kamer-der-staten-generaal",
        0.0,
        142.86,
        0,
        1,
        142.86,
        "new",
    ),
    (
        2031,
        2032,
        "Economie en werk",
        "organisation",
        "Uitvoeringsinstituut Werknemersverzekeringen",
        "org:uitvoeringsinstituut-werknemersverzekeringen",
        212.77,
        142.86,
        1,
        1,
        -69.91,
        "down",
    ),
    (2031, 2032, "Economie en werk", "theme", "arbeidsmarkt", "", 68.09, 45.71, 2, 2, -22.38, "down"),
    (2031, 2032, "Economie en werk", "theme", "binnensteden", "", 0.0, 15.71, 0, 1, 15.71, "new"),
    (2031, 2032, "Economie en werk", "theme", "economie_mkb", "", 31.91, 38.57, 1, 2, 6.66, "up"),
    (2031, 2032, "Fysiek", "place", "Apeldoorn", "GM0200", 263.16, 434.78, 1, 1, 171.62, "up"),
    (2031, 2032, "Fysiek", "place", "Zwolle", "GM0193", 263.16, 0.0, 1, 0, -263.16, "dropped"),
    (
        2031,
        2032,
        "Fysiek",
        "policy",
        "Een thuis voor iedereen",
        "policy:een-thuis-voor-iedereen",
        263.16,
        434.78,
        1,
        1,
        171.62,
        "up",
    ),
    (2031, 2032, "Fysiek", "theme", "duurzaamheid_energie", "", 34.21, 0.0, 1, 0, -34.21, "dropped"),
    (2031, 2032, "Fysiek", "theme", "wonen", "", 65.79, 100.0, 1, 1, 34.21, "up"),
    (2031, 2032, "Sociaal", "law", "Participatiewet", "BWBR0015703", 0.0, 263.16, 0, 1, 263.16, "new"),
    (
        2031,
        2032,
        "Sociaal",
        "law",
        "Wet maatschappelijke ondersteuning 2015",
        "BWBR0035362",
        400.0,
        263.16,
        1,
        1,
        -136.84,
        "down",
    ),
    (
        2031,
        2032,
        "Sociaal",
        "policy",
        "Hervormingsagenda Jeugd",
        "policy:hervormingsagenda-jeugd",
        400.0,
        263.16,
        1,
        1,
        -136.84,
        "down",
    ),
    (2031, 2032, "Sociaal", "theme", "bestaanszekerheid", "", 48.0, 65.79, 1, 2, 17.79, "up"),
    (2031, 2032, "Sociaal", "theme", "zorg_jeugd_onderwijs", "", 52.0, 34.21, 1, 1, -17.79, "down"),
]


def read_comparison(out) -> pd.DataFrame:
    return pd.read_csv(out / "comparison.csv", keep_default_na=False)


def test_two_years_give_the_exact_comparison_with_the_renamed_pillar_as_one(two_years):
    _, out, output = two_years
    words = (
        pd.read_csv(out / "paragraphs.csv").groupby(["pillar", "year"])["n_words"].sum().unstack().fillna(0).astype(int)
    )
    assert words.loc[["Algemeen", "Economie en werk", "Fysiek", "Sociaal"]].to_numpy().tolist() == [
        [13, 15],
        [47, 70],
        [38, 23],
        [25, 38],
    ]
    assert rows(read_comparison(out)) == EXPECTED_GENERATED
    labelled = read_comparison(out)
    assert (labelled["theme_label"] != "").eq(labelled["dimension"] == "theme").all()
    assert "note: comparison 2031-2032: pillar Overig has no paragraphs in 2032 (only in 2031): not compared" in output


def test_the_two_year_tables_validate_against_their_data_package(two_years):
    _, out, _ = two_years
    assert "comparison" in {
        r["name"] for r in json.loads((out / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    }
    assert problems(out / "datapackage.json") == []
    assert "Grootste verschuivingen in thema’s per pijler" in (out / "report.html").read_text(encoding="utf-8")


def test_rerun_and_the_compare_command_give_byte_identical_tables(two_years, tmp_path):
    corpus, out, _ = two_years
    code, output = extract(corpus, tmp_path)
    assert code == 0, output
    for table in out.glob("*.csv"):
        assert (tmp_path / table.name).read_bytes() == table.read_bytes(), table.name
    (tmp_path / "comparison.csv").unlink()
    result = runner.invoke(app, ["compare", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "comparison.csv").read_bytes() == (out / "comparison.csv").read_bytes()


def test_a_third_year_leaves_the_rows_of_the_first_two_unchanged(two_years, tmp_path):
    corpus, out, _ = two_years
    three = tmp_path / "corpus"
    shutil.copytree(corpus, three)
    render_report(2033, three)
    code, output = extract(three, tmp_path / "out")
    assert code == 0, output
    before = (out / "comparison.csv").read_text(encoding="utf-8").splitlines()
    after = (tmp_path / "out" / "comparison.csv").read_text(encoding="utf-8").splitlines()
    assert [line for line in after if line.startswith("2031,2032,")] == before[1:]
    table = read_comparison(tmp_path / "out")
    assert sorted(set(zip(table["year_from"], table["year_to"], strict=True))) == [
        (2031, 2032),
        (2031, 2033),
        (2032, 2033),
    ]
    assert "pillar Sociaal has no paragraphs in 2033 (only in 2032)" in output


def test_one_year_writes_no_comparison_and_says_why(two_years, tmp_path):
    corpus, out, _ = two_years
    one = tmp_path / "corpus"
    one.mkdir()
    shutil.copy(corpus / "testnetwerk-jaarverslag-2031.pdf", one)
    shutil.copytree(out, tmp_path / "out")
    code, output = extract(one, tmp_path / "out")
    assert code == 0, output
    assert f"note: {ONE_YEAR_NOTE}" in output
    assert not (tmp_path / "out" / "comparison.csv").exists()
    result = runner.invoke(app, ["compare", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and ONE_YEAR_NOTE in " ".join(result.output.split())
    assert not (tmp_path / "out" / "comparison.csv").exists()


def test_two_reports_of_one_year_are_refused_until_a_year_is_named(tmp_path):
    same = tmp_path / "corpus"
    same.mkdir()
    render_report(2031, same)
    render_report(2031, same, name="verslag.pdf")
    code, _ = extract(same, tmp_path / "refused")
    assert code == 1
    errors = pd.read_csv(tmp_path / "refused" / "errors.csv")
    assert errors["doc"].tolist() == ["testnetwerk-jaarverslag-2031.pdf", "verslag.pdf"]
    assert set(errors["message"]) == {
        "testnetwerk-jaarverslag-2031.pdf, verslag.pdf all claim year 2031; "
        "name the year in reports.csv (file,year) or with --year FILE=YEAR"
    }
    assert not (tmp_path / "refused" / "comparison.csv").exists()
    code, output = extract(same, tmp_path / "named", "--year", "verslag.pdf=2030")
    assert code == 0, output
    assert set(read_comparison(tmp_path / "named")["year_from"]) == {2030}


def test_compare_without_extracted_tables_says_what_to_run(tmp_path):
    result = runner.invoke(app, ["compare", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "run `g40 extract" in " ".join(result.output.split())


def test_the_shipped_report_under_two_years_is_the_same_everywhere(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SHIPPED_PDF, corpus)
    # One byte more after %%EOF: the same report under another year, not a duplicate file.
    (corpus / "kopie.pdf").write_bytes(SHIPPED_PDF.read_bytes() + b"\n")
    code, output = extract(corpus, tmp_path / "out", "--year", "kopie.pdf=2024")
    assert code == 0, output
    table = read_comparison(tmp_path / "out")
    assert len(table) > 200
    assert set(table["pillar"]) == {"Algemeen", "Economie en werk", "Sociaal", "Fysiek", "Overig"}
    assert set(table["dimension"]) == {"theme", "organisation", "place", "law", "policy", "lobby_instrument"}
    assert set(table["change"]) == {"same"} and (table["value_from"] == table["value_to"]).all()
