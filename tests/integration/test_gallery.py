"""The layout gallery: one known content in many designs must give exactly the same pillars and sections."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.pdf import read_pdf
from pipeline.structure import load_aliases, structure_report
from pipeline.textkeys import fold
from tests.conftest import Text, make_pdf
from tests.gallery import CONTENT, DESIGNS, EXPECTED, FOREWORD, render

ALIASES = load_aliases()
FIRST_WORDS = [" ".join(text.split()[:6]) for text in FOREWORD] + [
    " ".join(text.split()[:6]) for _, sections in CONTENT for _, paragraphs in sections for text in paragraphs
]


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    """Every design rendered and structured once for the module."""
    folder = tmp_path_factory.mktemp("gallery")
    return {d.name: structure_report(read_pdf(render(d, folder), ocr=False), ALIASES) for d in DESIGNS}


@pytest.fixture(params=DESIGNS, ids=[d.name for d in DESIGNS])
def gallery_report(request, gallery):
    return request.param, gallery[request.param.name]


def test_every_known_paragraph_has_its_pillar_and_section(gallery_report):
    design, report = gallery_report
    found = []
    for start in FIRST_WORDS:
        matches = [p for p in report.paragraphs if p.text.startswith(start)]
        assert len(matches) == 1, f"{design.name}: paragraph {start!r} found {len(matches)} times"
        found.append((matches[0].pillar, matches[0].section))
    assert found == EXPECTED


def test_the_sections_are_exactly_the_known_ones(gallery_report):
    _, report = gallery_report
    assert {(p.pillar, p.section) for p in report.paragraphs} == set(EXPECTED)
    assert report.structure_problem == ""


def test_no_furniture_or_contents_in_the_text(gallery_report):
    design, report = gallery_report
    for paragraph in report.paragraphs:
        assert "pagina" not in paragraph.text and "Inhoud" not in paragraph.text
        assert "Testnetwerk ·" not in paragraph.text and "«" not in paragraph.text
    statuses = [p.status for p in report.pages]
    assert statuses[0] == "cover"
    assert ("toc" in statuses) == design.contents_page


def test_every_pillar_heading_says_how_it_was_told(gallery_report):
    design, report = gallery_report
    sources = {p.pillar: p.pillar_source for p in report.paragraphs if p.pillar != "Algemeen"}
    assert set(sources) == {"Economie en werk", "Sociaal", "Fysiek", "Overig"}
    assert set(sources.values()) <= {"heading", "alias", "words", "content"}
    for pillar, name in zip(("Economie en werk", "Sociaal", "Fysiek", "Overig"), design.pillar_names, strict=True):
        assert any(fold(name) in fold(note) and f"→ {pillar} [" in note for note in report.pillar_notes)


@pytest.mark.parametrize(
    ("design_name", "pillar", "source"),
    [
        ("classic-two-columns", "Sociaal", "heading"),
        ("numbered-size-only-one-column", "Sociaal", "alias"),
        ("colour-two-columns", "Fysiek", "words"),
        ("capitals-numbered-one-column", "Overig", "content"),
    ],
)
def test_pillars_are_told_by_name_alias_words_and_content(design_name, pillar, source, gallery):
    report = gallery[design_name]
    assert {p.pillar_source for p in report.paragraphs if p.pillar == pillar} == {source}


def test_a_report_whose_structure_cannot_be_told_is_an_error_row_but_keeps_its_analysis(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = "De gemeente Zwolle werkt samen met de VNG aan woningbouw en de Omgevingswet in de regio."
    lines = [Text("Jaarverslag 2031", size=20, bold=True, y=80), *(Text(body, y=140 + 14 * i) for i in range(12))]
    make_pdf(corpus / "verslag-2031.pdf", [lines], title="Jaarverslag 2031")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["extract", "--corpus", str(corpus), "--out", str(out), "--spacy-model", "none", "--no-cache", "--quiet"]
    )
    assert result.exit_code == 1
    errors = pd.read_csv(out / "errors.csv")
    assert errors[["doc", "kind"]].values.tolist() == [["verslag-2031.pdf", "structure"]]
    assert "no heading names a pillar" in errors["message"][0]
    paragraphs = pd.read_csv(out / "paragraphs.csv")
    assert set(paragraphs["pillar_source"]) == {"none"} and paragraphs["theme"].notna().all()
    assert "Zwolle" in set(pd.read_csv(out / "mentions.csv")["canonical"])


def test_a_chapter_whose_pillar_cannot_be_told_is_named(tmp_path):
    pages = [
        [Text("Jaarverslag 2031", y=200, size=30, bold=True)],
        [
            Text("Pijler Fysiek", y=80, size=15, bold=True),
            Text("Woningmarkt", y=110, size=11.5, bold=True),
            Text("De woningbouw blijft achter en de woningnood groeit in de regio.", y=130),
            Text("Terugblik en vooruitblik", y=170, size=15, bold=True),
            Text("Wij kijken terug op een druk jaar met veel overleg.", y=200),
        ],
    ]
    report = structure_report(read_pdf(make_pdf(tmp_path / "verslag-2031.pdf", pages), ocr=False), ALIASES)
    assert [(p.pillar, p.pillar_source) for p in report.paragraphs] == [("Fysiek", "heading"), ("Algemeen", "none")]
    assert "'Terugblik en vooruitblik' (page 2)" in report.structure_problem


def test_the_run_says_which_heading_opened_which_pillar(shipped_outputs):
    notes = json.loads((shipped_outputs / "run.json").read_text(encoding="utf-8"))["notes"]
    assert (
        "g40-jaarverslag-2023.pdf: heading 'Pijler Sociaal' (page 7) → Sociaal [heading]: 'sociaal' is the pillar's name"
        in notes
    )
    assert any("'Overige themagroepen' (page 15) → Overig [alias]" in note for note in notes)
    sections = pd.read_csv(shipped_outputs / "sections.csv")
    assert set(sections["pillar_source"]) == {"heading", "alias"}
