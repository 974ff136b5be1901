import re

import pytest

from pipeline.clean import clean_text
from pipeline.pdf import read_pdf
from pipeline.structure import load_aliases, structure_report
from pipeline.year import YearError, detect_year
from tests.conftest import SEED_TEXT, Text, body_lines, make_pdf, running_furniture

EXPECTED_SECTIONS = {
    ("Algemeen", "Algemeen"),
    ("Economie en werk", "Algemeen"),
    ("Economie en werk", "MKB en economische vernieuwing"),
    ("Economie en werk", "Vitale binnensteden en werklocaties"),
    ("Economie en werk", "Sterke keten van leren, werken en ondernemen"),
    ("Sociaal", "Algemeen"),
    ("Sociaal", "Zorg, Jeugd en Onderwijs"),
    ("Sociaal", "Vergunninghouders en asiel"),
    ("Sociaal", "Wonen, Welzijn en Zorg"),
    ("Sociaal", "Armoede en schulden"),
    ("Fysiek", "Algemeen"),
    ("Fysiek", "Circulair bouwen"),
    ("Fysiek", "Woningmarkt"),
    ("Fysiek", "Leefomgeving en stedelijke transformatie"),
    ("Fysiek", "Duurzaamheid"),
    ("Fysiek", "Slimme duurzame verstedelijking en mobiliteitsvernieuwing"),
    ("Overig", "Financiën"),
    ("Overig", "Interbestuurlijke samenwerking"),
    ("Overig", "Veiligheid"),
    ("Overig", "Europa"),
}


def test_every_pillar_and_theme_group_of_2023_is_found(shipped_report):
    found = {(p.pillar, p.section) for p in shipped_report.paragraphs}
    assert found == EXPECTED_SECTIONS


def test_front_matter_is_algemeen_with_its_heading(shipped_report):
    headings = {p.heading for p in shipped_report.paragraphs if p.pillar == "Algemeen"}
    assert headings == {"Voorwoord", "Public affairs"}


def test_cover_and_table_of_contents_are_skipped(shipped_report):
    statuses = {p.page: p.status for p in shipped_report.pages}
    assert statuses[1] == "cover" and statuses[2] == "toc"
    assert all(status == "text" for page, status in statuses.items() if page > 2)


def test_no_running_header_footer_or_toc_text_in_paragraphs(shipped_report):
    for paragraph in shipped_report.paragraphs:
        assert "JAARVERSLAG 2023" not in paragraph.text
        assert "Stedennetwerk · Jaarverslag" not in paragraph.text
        assert not re.search(r"«\s*\d+\s*»", paragraph.text)
        assert not re.search(r"Pijler (Sociaal|Fysiek) \d", paragraph.text)


def test_hyphenation_of_the_shipped_report_is_undone(shipped_report):
    text = " ".join(p.text for p in shipped_report.paragraphs)
    assert "'Actieplan MKB-dienstverlening'" in text
    assert "'MKB-dienstverlening'" in text
    assert "zelfstandig als G40-stedennetwerk." in text
    assert "betere voorwaarden" in text
    assert "voor- waarden" not in text


def test_multi_line_heading_is_merged(shipped_report):
    headings = {p.heading for p in shipped_report.paragraphs}
    assert "Themagroep Slimme duurzame verstedelijking en mobiliteitsvernieuwing" in headings
    assert "Thema Circulair bouwen: het ondertekenen van het manifest 'Het Nieuwe Normaal'" in headings


def test_paragraph_continues_across_a_page_break(shipped_report):
    paragraph = next(p for p in shipped_report.paragraphs if "in samenwerking met de G4 en de VNG" in p.text)
    assert (paragraph.page, paragraph.page_end) == (8, 9)


TITLES = load_aliases().words_pattern("report_title")


def test_the_shipped_report_is_2023_by_all_three_sources(shipped_report):
    assert shipped_report.year == 2023


@pytest.mark.parametrize(
    ("file_name", "metadata", "title_page", "year"),
    [
        ("g40-2024.pdf", {}, "G40 Stedennetwerk", 2024),
        ("verslag.pdf", {"Title": "G40 jaarverslag 2025"}, "G40 Stedennetwerk", 2025),
        ("verslag.pdf", {}, "Jaarverslag 2026 · uitgave april 2027 (bijlage 2020)", 2026),
        ("verslag.pdf", {}, "G40 Stedennetwerk 2027", 2027),
    ],
)
def test_year_comes_from_whichever_source_names_it(file_name, metadata, title_page, year):
    assert detect_year(file_name, metadata, title_page, TITLES) == year


def test_conflicting_years_are_reported_not_guessed():
    with pytest.raises(YearError, match="file name says 2022; title page says 2023"):
        detect_year("jaarverslag-2022.pdf", {}, "Jaarverslag 2023 G40 Stedennetwerk", TITLES)
    with pytest.raises(YearError, match="cannot be told"):
        detect_year("verslag.pdf", {}, "Verslag", TITLES)


def test_recall_against_the_seed_text(shipped_report):
    """Nearly every content word of the plain-text edition must survive the PDF reading."""
    ours_text = " ".join([p.text for p in shipped_report.paragraphs] + [p.heading for p in shipped_report.paragraphs])
    ours = set(re.findall(r"[^\W\d_]{5,}", ours_text.casefold()))
    seed_lines = [
        line
        for line in SEED_TEXT.read_text(encoding="utf-8").splitlines()
        if not re.search(r"JAARVERSLAG|Jaarverslag 2023|http", line)
    ]
    seed_text = clean_text(re.sub(r"-\n\s*", "", "\n".join(seed_lines)))
    seed = re.findall(r"[^\W\d_]{5,}", seed_text.casefold())
    found = sum(1 for w in seed if w in ours)
    assert found / len(seed) > 0.98


def generated_report(tmp_path):
    """A small report: cover, running furniture, two pillars, a renamed pillar heading and hyphenation."""
    cover = [Text("Jaarverslag 2031", y=200, size=30, bold=True), Text("Testnetwerk", y=240, size=16)]
    page2 = [
        *running_furniture(2),
        Text("Pijler Werk en economie", y=80, size=15, bold=True),
        Text("Thema Arbeidsmarkt en", y=110, size=11.5, bold=True),
        Text("scholing", y=130, size=11.5, bold=True),
        *body_lines(["We hebben betere voor-", "waarden bepleit bij het ministerie.", ""], start=160),
        *body_lines(["Een tweede alinea over de MKB-", "dienstverlening in de regio."], start=200),
    ]
    page3 = [
        *running_furniture(3),
        Text("Pijler Fysiek", y=80, size=15, bold=True),
        *body_lines(["De woningbouw in de regio loopt achter en dat", "baart ons zorgen."], start=110),
    ]
    page4 = [*running_furniture(4), *body_lines(["Een laatste alinea op een eigen pagina."], start=110)]
    return make_pdf(tmp_path / "jaarverslag-2031.pdf", [cover, page2, page3, page4], title="Jaarverslag 2031")


def test_generated_report_is_sectioned_and_cleaned(tmp_path):
    report = structure_report(read_pdf(generated_report(tmp_path)), load_aliases())
    rows = [(p.pillar, p.section, p.text) for p in report.paragraphs]
    assert rows == [
        ("Economie en werk", "Arbeidsmarkt en scholing", "We hebben betere voorwaarden bepleit bij het ministerie."),
        ("Economie en werk", "Arbeidsmarkt en scholing", "Een tweede alinea over de MKB-dienstverlening in de regio."),
        ("Fysiek", "Algemeen", "De woningbouw in de regio loopt achter en dat baart ons zorgen."),
        ("Fysiek", "Algemeen", "Een laatste alinea op een eigen pagina."),
    ]
    assert report.year == 2031
    assert [p.status for p in report.pages] == ["cover", "text", "text", "text"]
    assert all(p.removed_lines == 2 for p in report.pages[1:])
