"""Lobbying acts: found by structure (verb families in every form, passive, who acts, bullets), not from
furniture, opinions or wishes, once each; their instrument, target, addressee and subject."""

import pytest

from pipeline.lobby import letter_addressee, repeats, settle_acts
from pipeline.nlp import build_nlp, lobby_acts_in, parse_paragraphs
from pipeline.records import LobbyAct

SZW = "Ministerie van Sociale Zaken en Werkgelegenheid"
BZK = "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"
EZ = "Ministerie van Economische Zaken"
TK = "Tweede Kamer der Staten-Generaal"
VNG = "Vereniging van Nederlandse Gemeenten"


@pytest.fixture(scope="module")
def nlp():
    return build_nlp("no-such-spacy-model")[0]


def found(nlp, *paragraphs: str, senders: frozenset[str] = frozenset()) -> list[LobbyAct]:
    parsed = parse_paragraphs(nlp, [(str(i), text) for i, text in enumerate(paragraphs)])
    return settle_acts([a for pid, doc in parsed for a in lobby_acts_in(doc, pid)], senders)


def acts(nlp, *paragraphs: str) -> list[tuple[str, str, str, str]]:
    return [(a.instrument, a.target, a.addressee, a.subject) for a in found(nlp, *paragraphs)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "We zitten goed aan tafel bij het ministerie van BZK en brengen daar de punten in uit ons position paper 'Interbestuurlijke samenwerking'.",
            ("position paper", BZK, "", "Interbestuurlijke samenwerking"),
        ),
        (
            "We hebben daarom het manifest 'Geen pleisters meer!' opgesteld en aan de Tweede Kamer aangeboden.",
            ("manifest", TK, "", "Geen pleisters meer!"),
        ),
        (
            "Met het ministerie van SZW wordt ook gesproken over herziening van de Participatiewet.",
            ("gesprek", SZW, "", "Participatiewet"),
        ),
        (
            "De resultaten van het symposium met het UWV in april zijn in een brief gedeeld met het ministerie van SZW.",
            ("brief", SZW, "", ""),
        ),
        (
            "Daarnaast organiseerde de themagroep een gesprek met de minister van BZK Hanke Bruins Slot op de bestuurlijke netwerkdag.",
            ("gesprek", BZK, "", ""),
        ),
        ("De G40 pleit voor structurele financiering en ontschotting van middelen.", ("pleidooi", "", "", "")),
        (
            "Ook hebben we via de VNG en Divosa input geleverd voor de uitwerking van de basisdienstverlening.",
            ("inbreng", "", "", ""),
        ),
        (
            "We stuurden onder andere de informateur en Kamerleden een pamflet over de propositie.",
            ("inbreng", "", "de informateur", ""),
        ),
    ],
)
def test_lobbying_acts_from_the_2023_report(nlp, sentence, expected):
    assert acts(nlp, sentence) == [expected]


@pytest.mark.parametrize(
    ("sentence", "instrument"),
    [
        ("De G40 riep het kabinet vorig jaar nogmaals op om de opschalingskorting te schrappen.", "pleidooi"),
        ("De pijler heeft bij de minister van EZK gepleit voor meer regionale middelen.", "pleidooi"),
        ("De themagroep is in gesprek gegaan met het ministerie van SZW.", "gesprek"),
        ("De voorzitter drong er bij het ministerie van BZK op aan de middelen te verhogen.", "pleidooi"),
        ("Het netwerk deed een dringend beroep op het ministerie van BZK.", "pleidooi"),
        ("De G40 vraagt het kabinet om structurele middelen voor de jeugdzorg.", "pleidooi"),
        ("Met het ministerie van EZK is overlegd over de regionale economie.", "gesprek"),
        ("Het position paper is in juni aangeboden aan de Tweede Kamer.", "position paper"),
        ("De themagroep reageerde op het wetsvoorstel met een uitgebreide inbreng.", "inbreng"),
        ("De G32-zienswijze vraagt aandacht voor geluid bij binnenstedelijk bouwen.", "consultatiereactie"),
        ("Zwolle, Apeldoorn en Deventer bepleitten bij het ministerie van EZK een regionale aanpak.", "pleidooi"),
        ("De pijler heeft de tekorten in de jeugdzorg aangekaart bij het ministerie van VWS.", "pleidooi"),
        ("De voorzitter heeft de knelpunten onder de aandacht gebracht van de Tweede Kamer.", "pleidooi"),
        ("De wethouder heeft namens het netwerk ingesproken bij de vaste commissie voor Wonen.", "inbreng"),
        ("De themagroep nam in mei deel aan een rondetafelgesprek van de Tweede Kamer.", "gesprek"),
        ("Een delegatie van het netwerk was in juni op bezoek bij het ministerie van BZK.", "gesprek"),
        ("Wij verzoeken de minister van BZK de regels voor de woningbouw te versoepelen.", "pleidooi"),
        ("Wij bieden aan de nieuwe regeling van het ministerie van SZW in onze steden te testen.", "inbreng"),
        ("Het netwerk wil u graag enkele punten over het wetsvoorstel meegeven.", "inbreng"),
        ("De G40 stelt de minister van BZK voor om de middelen te verdubbelen.", "pleidooi"),
    ],
)
def test_verb_families_in_every_tense_word_order_and_voice(nlp, sentence, instrument):
    assert [a[0] for a in acts(nlp, sentence)] == [instrument]


@pytest.mark.parametrize(
    "sentence",
    [
        "De themagroep IBS heeft het afgelopen jaar een position paper opgesteld.",
        "In december ondertekende de wethouder namens het G40-stedennetwerk het manifest.",
        "Oproepen online kunnen in snel tempo uitgroeien tot een risicosituatie.",
        "De woningbouw in de binnensteden blijft achter.",
        "De G40 wil in het najaar een bestuurlijk overleg met de minister van BZK.",
        "Breda wil het ministerie van Infrastructuur en Waterstaat vragen om extra steun.",
        "Ook de aangekondigde asielnoodmaatregelenwet roept vragen op.",
        "Ik ben hierover in gesprek met de minister voor Natuur en Stikstof.",
        "Ook MKB-Nederland en de Kamer van Koophandel hebben de gemeente eerder opgeroepen om samen te werken.",
        "Tijdens de netwerkdag zijn we door de VNG bijgepraat over het position paper voor het cohesiebeleid.",
        "“Wij pleiten al jaren voor een structurele oplossing voor het gemeentefonds,” zegt de wethouder.",
        "Lees meer over onze lobby voor het gemeentefonds.",
        "Wij lichten onze inbreng graag nader toe.",
        "De energietransitie vraagt om warmtenetten en een oplossing voor netcongestie.",
        "Ook gaf het inbreng voor onze public affairs-strategie.",
        "Voor vragen kunt u contact opnemen met het secretariaat van de VNG.",
        "Noot voor de redactie: het netwerk sprak met de minister van BZK.",
        "Den Haag, 18 november 2024 Betreft: inbreng wetsvoorstel Wet gemeentelijke instrumenten warmtetransitie",
        "De pijler werkt aan inbreng voor de verkiezingsprogramma's van de partijen.",
    ],
)
def test_drafting_wishes_opinions_other_actors_and_furniture_are_not_acts(nlp, sentence):
    assert acts(nlp, sentence) == []


def test_the_network_itself_is_never_the_target(nlp):
    assert acts(nlp, "Het G40 Stedennetwerk voerde een lobby met de VNG.") == [("lobby", VNG, "", "")]


def test_an_unnamed_ministry_is_the_one_named_before_and_partners_are_not_targets(nlp):
    text = "De G40 sprak met het ministerie van SZW over werk. Met het ministerie wordt ook gesproken over de Participatiewet."
    assert acts(nlp, text) == [("gesprek", SZW, "", ""), ("gesprek", SZW, "", "Participatiewet")]
    assert acts(nlp, "Samen met de VNG voerden we een lobby richting het kabinet.") == [
        ("lobby", "", "het kabinet", "")
    ]


@pytest.mark.parametrize(
    ("sentence", "target", "addressee"),
    [
        ("Het netwerk stuurde een brief aan de vaste commissie voor Binnenlandse Zaken.", TK, ""),
        ("De G40 heeft er bij minister Kamp van Economische Zaken op aangedrongen om de regio te versterken.", EZ, ""),
        ("De G40 roept het nieuwe kabinet op om de gemeenten te compenseren.", "", "het nieuwe kabinet"),
        (
            "Eerder ontving Leeuwarden minister Carola Schouten (Armoedebeleid, Participatie en Pensioenen) voor een gesprek.",
            "",
            "minister Carola Schouten (Armoedebeleid, Participatie en Pensioenen)",
        ),
        (
            "Ook is de themagroep in gesprek gegaan met Joris van Eijck, lid van de Raad van State.",
            "Raad van State",
            "",
        ),
        (
            "De G40 heeft er bij staatssecretaris Van ’t Wout van Sociale Zaken en Werkgelegenheid op aangedrongen"
            " de kosten te vergoeden.",
            SZW,
            "",
        ),
        ("Wij pleiten ervoor het Nationaal Warmtefonds te verbinden aan de wijkaanpak.", "", ""),
        (
            "In november sprak de themagroep met minister Van Nieuwenhuizen van het nieuwe ministerie van"
            " Economische Zaken.",
            EZ,
            "",
        ),
    ],
)
def test_targets_are_organisations_and_generic_addressees_are_kept_as_written(nlp, sentence, target, addressee):
    ((_, found_target, found_addressee, _),) = acts(nlp, sentence)
    assert (found_target, found_addressee) == (target, addressee)


def test_a_plea_made_there_takes_the_addressee_of_the_act_before_it(nlp):
    text = (
        "In juni schreef het netwerk een brief aan de Tweede Kamer. De G40 riep daarin op om jongeren niet te vergeten."
    )
    assert [(a[0], a[1]) for a in acts(nlp, text)] == [("brief", TK), ("pleidooi", TK)]


def test_a_plea_right_after_a_meeting_is_made_in_that_meeting(nlp):
    text = (
        "De voorzitter voerde in april een gesprek met het ministerie van SZW over werk."
        " El Idrissi pleitte voor een vaste financiering van de werkgeversservicepunten."
    )
    assert [(a[0], a[1]) for a in acts(nlp, text)] == [("gesprek", SZW), ("pleidooi", SZW)]


def test_a_plea_made_in_a_recorded_letter_is_addressed_as_the_letter(nlp):
    paragraph = (
        "Het stedennetwerk heeft samen met de VNG en de G4 een brief gestuurd aan de vaste commissie voor "
        "Binnenlandse Zaken. Daarin dringen de steden aan op een structurele oplossing."
    )
    assert acts(nlp, paragraph) == [("brief", TK, "", ""), ("pleidooi", TK, "", "")]


def test_u_in_a_letter_is_the_addressee_of_its_address_block(nlp):
    paragraphs = ["Aan de vaste commissie voor Sociale Zaken en Werkgelegenheid van de Tweede Kamer", "Geachte leden,"]
    paragraphs.append("Daarnaast vragen wij u de extra uitvoeringskosten volledig te compenseren.")
    parsed = list(parse_paragraphs(nlp, [(str(i), text) for i, text in enumerate(paragraphs)]))
    organisations = [
        (doc.text, [e._.canonical for e in doc.spans["g40_entities"] if e.label_ == "organisation"])
        for _, doc in parsed
    ]
    letter = letter_addressee(organisations)
    settled = settle_acts([a for pid, doc in parsed for a in lobby_acts_in(doc, pid)], letter=letter)
    assert letter == TK
    assert [(a.instrument, a.target) for a in settled] == [("pleidooi", TK)]


def test_acts_stated_in_a_bullet_list_count_each(nlp):
    bullets = [
        "In 2024 heeft de themagroep onder meer:",
        "een brief gestuurd aan de minister van BZK over de financiering;",
        "gesproken met het ministerie van SZW over de Participatiewet.",
    ]
    assert acts(nlp, *bullets) == [("brief", BZK, "", ""), ("gesprek", SZW, "", "Participatiewet")]


def test_acts_in_a_list_joined_into_one_paragraph_count_each(nlp):
    joined = (
        "Het netwerk deed onder meer: - brief aan het ministerie van BZK over de woningbouw; - gesprek met het"
        " ministerie van SZW over de Participatiewet."
    )
    assert acts(nlp, joined) == [("brief", BZK, "", ""), ("gesprek", SZW, "", "Participatiewet")]


def test_a_repeated_sentence_or_pull_quote_counts_once(nlp):
    sentence = "De G40 pleit bij het ministerie van BZK voor een structurele oplossing van het ravijnjaar."
    pull_quote = "De G40 pleit bij het ministerie van BZK voor een structurele oplossing"
    assert len(found(nlp, sentence, pull_quote, sentence)) == 1
    assert repeats("de g40 pleit voor meer geld", "de g40 pleit voor meer geld") is True
    assert repeats("de g40 pleit", "de g40 pleit voor meer geld voor de steden") is False


def test_another_organisation_acts_only_in_its_own_text(nlp):
    sentence = "De VNG vraagt het kabinet om de afspraken met gemeenten te respecteren."
    assert found(nlp, sentence) == []
    assert [a.addressee for a in found(nlp, sentence, senders=frozenset({VNG}))] == ["het kabinet"]


@pytest.mark.xfail(strict=True, reason="known miss: `zij` is the minister of the previous sentence (no coreference)")
def test_known_miss_a_pronoun_for_the_minister_of_the_previous_sentence(nlp):
    text = (
        "Op 16 maart bracht minister Van Gennip van Sociale Zaken en Werkgelegenheid een werkbezoek aan Helmond. "
        "Op uitnodiging van het G40 Stedennetwerk sprak zij met bestuurders uit de regio."
    )
    assert acts(nlp, text) == [("gesprek", SZW, "", "")]


@pytest.mark.xfail(strict=True, reason="known miss: a guest at a network meeting is a meeting only by reading")
def test_known_miss_a_ministry_official_as_guest(nlp):
    text = "Mirjam Visscher, directeur Regio en ruimte bij EZK, was gast bij de bestuurlijke netwerkdag in Haarlem."
    assert [a[0] for a in acts(nlp, text)] == ["gesprek"]


@pytest.mark.xfail(strict=True, reason="known miss: a description of what the network organises reads as a meeting")
def test_known_miss_a_description_of_planned_visits(nlp):
    assert acts(nlp, "Het G40 Stedennetwerk organiseert dit jaar meer werkbezoeken van bewindspersonen.") == []


@pytest.mark.xfail(
    reason="known miss: a plea in the second clause of an opinion (`vindt … en heeft gevraagd`)", strict=True
)
def test_known_miss_a_plea_after_an_opinion_in_one_sentence(nlp):
    sentence = "De G40 vindt dat onvoldoende en heeft gevraagd de bezuinigingen mee te nemen in de Voorjaarsnota."
    assert [a[0] for a in acts(nlp, sentence)] == ["pleidooi"]
