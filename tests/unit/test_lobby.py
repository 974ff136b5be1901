"""Lobbying acts: instrument, addressee and subject of sentences from the 2023 report and a few traps."""

import pytest

from pipeline.nlp import build_nlp, lobby_acts_in, parse_paragraphs


@pytest.fixture(scope="module")
def nlp():
    return build_nlp("no-such-spacy-model")[0]


def acts(nlp, text: str) -> list[tuple[str, str, str]]:
    ((paragraph_id, doc),) = parse_paragraphs(nlp, [("p", text)])
    return [(a.instrument, a.target, a.subject) for a in lobby_acts_in(doc, paragraph_id)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "We zitten goed aan tafel bij het ministerie van BZK en brengen daar de punten in uit ons position paper 'Interbestuurlijke samenwerking'.",
            (
                "position paper",
                "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
                "Interbestuurlijke samenwerking",
            ),
        ),
        (
            "We hebben daarom het manifest 'Geen pleisters meer!' opgesteld en aan de Tweede Kamer aangeboden.",
            ("manifest", "Tweede Kamer der Staten-Generaal", "Geen pleisters meer!"),
        ),
        (
            "Met het ministerie van SZW wordt ook gesproken over herziening van de Participatiewet.",
            ("gesprek", "Ministerie van Sociale Zaken en Werkgelegenheid", "Participatiewet"),
        ),
        (
            "De resultaten van het symposium met het UWV in april zijn in een brief gedeeld met het ministerie van SZW.",
            ("brief", "Ministerie van Sociale Zaken en Werkgelegenheid", ""),
        ),
        (
            "Daarnaast organiseerde de themagroep een gesprek met de minister van BZK Hanke Bruins Slot op de bestuurlijke netwerkdag.",
            ("gesprek", "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties", ""),
        ),
        ("De G40 pleit voor structurele financiering en ontschotting van middelen.", ("pleidooi", "", "")),
        (
            "Ook hebben we via de VNG en Divosa input geleverd voor de uitwerking van de basisdienstverlening.",
            ("inbreng", "", ""),
        ),
        (
            "We stuurden onder andere de informateur en Kamerleden een pamflet over de propositie.",
            ("inbreng", "Tweede Kamer der Staten-Generaal", ""),
        ),
    ],
)
def test_lobbying_acts_from_the_2023_report(nlp, sentence, expected):
    assert acts(nlp, sentence) == [expected]


@pytest.mark.parametrize(
    "sentence",
    [
        "De themagroep IBS heeft het afgelopen jaar een position paper opgesteld.",
        "In december ondertekende de wethouder namens het G40-stedennetwerk het manifest.",
        "Oproepen online kunnen in snel tempo uitgroeien tot een risicosituatie.",
        "De woningbouw in de binnensteden blijft achter.",
    ],
)
def test_drafting_signing_and_plain_description_are_not_acts(nlp, sentence):
    assert acts(nlp, sentence) == []


def test_the_network_itself_is_never_the_target(nlp):
    assert acts(nlp, "Het G40 Stedennetwerk voerde een lobby met de VNG.") == [
        ("lobby", "Vereniging van Nederlandse Gemeenten", "")
    ]


def test_an_unnamed_ministry_is_the_one_named_before_and_partners_are_not_targets(nlp):
    text = "De G40 sprak met het ministerie van SZW over werk. Met het ministerie wordt ook gesproken over de Participatiewet."
    assert acts(nlp, text) == [
        ("gesprek", "Ministerie van Sociale Zaken en Werkgelegenheid", ""),
        ("gesprek", "Ministerie van Sociale Zaken en Werkgelegenheid", "Participatiewet"),
    ]
    assert acts(nlp, "Samen met de VNG voerden we een lobby richting het kabinet.") == [("lobby", "Rijksoverheid", "")]
