"""Lobbying acts in a generated report laid out as a magazine: a sentence that runs across columns and
across a page break is one act, and headings, pull quotes and `Lees meer` lines are not acts."""

from pipeline.config import Settings
from pipeline.flow.document import analyse_report, structure_document
from tests.conftest import Text, body_lines, make_pdf, running_furniture

LEFT, RIGHT = 70, 320
FILLER = [
    "De steden werken samen aan de",
    "opgaven van de regio en delen",
    "hun kennis met elkaar in de",
    "themagroepen van het netwerk.",
]


def magazine_report(tmp_path):
    """Page 2 has two columns: a heading and a sentence that runs into the right column, a pull quote in
    the right column repeating part of a sentence of page 2–3, a `Lees meer` line, and a paragraph open at
    the foot of the page."""
    cover = [Text("Jaarverslag 2031", y=200, size=30, bold=True), Text("Testnetwerk", y=240, size=16)]
    page2 = [
        *running_furniture(2),
        Text("Pijler Sociaal", y=80, size=15, bold=True, x=LEFT),
        Text("De G40 pleit voor meer geld", y=110, size=11.5, bold=True, x=LEFT),
        *body_lines([*FILLER, "", "In het voorjaar heeft de themagroep", "een brief gestuurd aan de minister"], x=LEFT),
        *body_lines(["van BZK over de financiering van", "de jeugdzorg.", "", "Lees meer over onze lobby."], x=RIGHT),
        Text("De G40 pleit voor een", y=200, size=14, x=RIGHT),
        Text("structurele oplossing", y=218, size=14, x=RIGHT),
        *body_lines(
            [*FILLER, "", "Ook dit jaar deden de steden", "van zich spreken. De G40 pleit voor"], start=260, x=RIGHT
        ),
    ]
    page3 = [*running_furniture(3), *body_lines(["een structurele oplossing voor de steden.", "", *FILLER])]
    page4 = [*running_furniture(4), *body_lines(FILLER)]
    return make_pdf(tmp_path / "jaarverslag-2031.pdf", [cover, page2, page3, page4], title="Jaarverslag 2031")


def test_acts_are_joined_across_columns_and_pages_and_furniture_is_not_an_act(tmp_path):
    settings = Settings(spacy_model="no-such-model", ocr=False)
    report = structure_document(magazine_report(tmp_path), settings)
    _, acts, _, _ = analyse_report(report, settings)
    assert [(a.instrument, a.target, a.sentence) for a in acts] == [
        (
            "brief",
            "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
            "In het voorjaar heeft de themagroep een brief gestuurd aan de minister van BZK over de financiering van de jeugdzorg.",
        ),
        ("pleidooi", "", "De G40 pleit voor een structurele oplossing voor de steden."),
    ]
