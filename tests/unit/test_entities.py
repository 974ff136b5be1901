"""Entity rules, compounds, linking, curation and both pipeline paths (rules only, and a statistical model)."""

import random
import shutil

import pandas as pd
import pytest
import spacy
from spacy.training import Example

from pipeline.config import MODELS_DIR
from pipeline.nlp import build_nlp, find_mentions
from pipeline.tables import mentions_table
from pipeline.textkeys import fold

RULES_ONLY = "no-such-spacy-model"


@pytest.fixture(scope="module")
def nlp():
    pipeline, note = build_nlp(RULES_ONLY)
    assert "not installed: rules only" in note
    return pipeline


def entities(nlp, text: str) -> list[tuple[str, str, str]]:
    return [(m.entity_type, m.surface, m.canonical) for m in find_mentions(nlp, [("p", text)])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("De Participatiewet moet eenvoudiger.", ("law", "Participatiewet", "Participatiewet")),
        (
            "Wij reageerden op de Spreidingswet.",
            ("law", "Spreidingswet", "Wet gemeentelijke taak mogelijk maken asielopvangvoorzieningen"),
        ),
        ("De Wet inburgering 2021 knelt.", ("law", "Wet inburgering 2021", "Wet inburgering 2021")),
        ("Houdbaarheid van de Wet langdurige zorg in GGZ.", ("law", "Wet langdurige zorg", "Wet langdurige zorg")),
        (
            "Een reactie op het wetsvoorstel Regie volkshuisvesting.",
            ("law", "wetsvoorstel Regie volkshuisvesting", "Wet versterking regie volkshuisvesting"),
        ),
        (
            "De aflosperiode van de Wsnp wordt korter.",
            ("law", "Wsnp", "Wet schuldsaneringsregeling natuurlijke personen"),
        ),
        (
            "Een nieuwe Wet digitale overheidsdiensten komt eraan.",
            ("law", "Wet digitale overheidsdiensten", "Wet digitale overheidsdiensten"),
        ),
        ("De Omroepwet en de Wkkgz gelden.", ("law", "Omroepwet", "Omroepwet")),
    ],
)
def test_law_rules(nlp, text, expected):
    assert expected in entities(nlp, text)


def test_unknown_law_abbreviation_is_a_law(nlp):
    assert ("law", "Wkkgz", "Wkkgz") in entities(nlp, "De Wkkgz geldt ook hier.")


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("We spraken met het ministerie van EZK.", "ministerie van EZK"),
        ("De minister van EZK en de VNG.", "EZK"),
        ("Een gesprek met de minister van Economische Zaken.", "minister van Economische Zaken"),
        ("Het Ministerie van Economische Zaken en Klimaat reageerde.", "Ministerie van Economische Zaken en Klimaat"),
    ],
)
def test_every_ministry_form_is_one_organisation(nlp, text, surface):
    assert ("organisation", surface, "Ministerie van Economische Zaken") in entities(nlp, text)


def test_ministry_not_in_the_gazetteer_gets_a_canonical_name(nlp):
    found = entities(nlp, "Het ministerie van Digitale Zaken en Ruimte nodigde ons uit.")
    assert (
        "organisation",
        "ministerie van Digitale Zaken en Ruimte",
        "Ministerie van Digitale Zaken en Ruimte",
    ) in found


def test_named_bodies_are_organisations(nlp):
    found = entities(
        nlp, "Het rapport van de Staatscommissie Demografische Ontwikkeling 2050 en het Instituut van Publieke Waarden."
    )
    assert (
        "organisation",
        "Staatscommissie Demografische Ontwikkeling 2050",
        "Staatscommissie Demografische Ontwikkeling 2050",
    ) in found
    assert ("organisation", "Instituut van Publieke Waarden", "Instituut van Publieke Waarden") in found


def test_place_inside_an_organisation_name_is_not_a_place(nlp):
    found = entities(nlp, "Een hoogleraar aan de Universiteit van Amsterdam sprak.")
    assert [f[0] for f in found] == ["organisation"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("De VNG-lobby was succesvol.", ("organisation", "VNG", "Vereniging van Nederlandse Gemeenten")),
        ("Alle G40-steden doen mee.", ("organisation", "G40", "G40 Stedennetwerk")),
        ("De G4-steden ook.", ("organisation", "G4", "G4")),
        ("Namens het G40-stedennetwerk.", ("organisation", "G40-stedennetwerk", "G40 Stedennetwerk")),
    ],
)
def test_entities_inside_compounds(nlp, text, expected):
    assert expected in entities(nlp, text)


def test_region_of_two_places_gives_both(nlp):
    found = entities(nlp, "De regio Apeldoorn-Deventer en Sittard-Geleen.")
    assert [f[2] for f in found] == ["Apeldoorn", "Deventer", "Sittard-Geleen"]


def test_places_tolerate_ocr_diacritics_and_quotes_but_not_demonyms(nlp):
    found = entities(nlp, "De oorlog in Oekraine raakt 's-Hertogenbosch en Den Haag; Oekraïners en Europese fondsen.")
    assert [f[2] for f in found] == ["Oekraïne", "'s-Hertogenbosch", "'s-Gravenhage"]


def test_common_word_place_names_need_more_than_a_capital(nlp):
    assert entities(nlp, "Best practices worden gedeeld.") == []
    assert ("place", "Best", "Best") in entities(nlp, "Wij gingen naar Best voor een werkbezoek.")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("We boden het manifest 'Geen pleisters meer!' aan.", "Geen pleisters meer!"),
        ("Het programma 'Een thuis voor iedereen' loopt.", "Een thuis voor iedereen"),
        ("De implementatie van de Hervormingsagenda Jeugd.", "Hervormingsagenda Jeugd"),
        ("De uitvoering van het Integraal Zorg Akkoord.", "Integraal Zorg Akkoord"),
        ("Het aanbieden van het 'Actieplan MKB-dienstverlening'.", "Actieplan MKB-dienstverlening"),
        ("De citydeal 'Een slimme stad, zo doe je dat.' liep af.", "Een slimme stad, zo doe je dat"),
        ("Bestuurlijk is ingezet op het programma Mooi Nederland en de Contourennotitie Ruimte.", "Mooi Nederland"),
    ],
)
def test_policy_titles(nlp, text, title):
    assert ("policy", title) in [(f[0], f[2]) for f in entities(nlp, text)]


def test_quoted_enumeration_after_position_papers(nlp):
    text = "Drie position papers van de G40: 'Verduurzamen van gebouwen', 'Rechtvaardige energietransitie' en 'Wet collectieve warmtevoorziening'."
    found = entities(nlp, text)
    assert ("policy", "Verduurzamen van gebouwen", "Verduurzamen van gebouwen") in found
    assert ("policy", "Rechtvaardige energietransitie", "Rechtvaardige energietransitie") in found
    assert ("law", "Wet collectieve warmtevoorziening", "Wet collectieve warmte") in found


def test_quoted_theme_names_are_not_policies(nlp):
    assert entities(nlp, "De thema's waren 'gebiedsontwikkeling', 'datagedreven werken' en 'smart mobility'.") == []


def test_mentions_carry_offsets_method_and_sentence(nlp):
    text = "Eerste zin. Wij spraken met de VNG over de Omgevingswet."
    mentions = list(find_mentions(nlp, [("p1", text)]))
    vng = next(m for m in mentions if m.surface == "VNG")
    assert text[vng.start_char : vng.end_char] == "VNG"
    assert vng.method == "gazetteer" and vng.entity_id == "org:vereniging-van-nederlandse-gemeenten"
    assert vng.sentence == "Wij spraken met de VNG over de Omgevingswet."
    law = next(m for m in mentions if m.entity_type == "law")
    assert law.entity_id == "BWBR0037885"


def test_a_policy_keeps_the_name_of_the_earliest_report_that_names_it(nlp):
    """A later report that writes a dossier otherwise, even more often, does not rename it (year-on-year comparison)."""
    texts = {
        "d2031-p0001": "Het programma 'Een thuis voor iedereen' helpt starters.",
        "d2032-p0001": "Het programma 'Een Thuis Voor Iedereen' helpt. Met het programma 'Een Thuis Voor Iedereen' gaat het sneller.",
    }
    paragraphs = pd.DataFrame(
        [
            {
                "paragraph_id": pid,
                "doc_id": pid[:5],
                "year": int(pid[1:5]),
                "page": 1,
                "pillar": "Fysiek",
                "section": "Woningmarkt",
            }
            for pid in texts
        ]
    )
    mentions = mentions_table(paragraphs, list(find_mentions(nlp, texts.items())))
    assert mentions[["year", "surface", "canonical"]].values.tolist() == [
        [2031, "Een thuis voor iedereen", "Een thuis voor iedereen"],
        [2032, "Een Thuis Voor Iedereen", "Een thuis voor iedereen"],
        [2032, "Een Thuis Voor Iedereen", "Een thuis voor iedereen"],
    ]


def test_curation_file_adds_aliases_merges_and_drops(tmp_path):
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models, ignore=shutil.ignore_patterns("*.joblib"))
    (models / "curation.csv").write_text(
        "action,entity_type,name,target,note\n"
        "alias,organisation,Wepublic,Wepublic B.V.,a public-affairs firm\n"
        "merge,policy,Actieprogramma MKB dienstverlening,Actieplan MKB-dienstverlening,same dossier\n"
        "drop,place,Europa,,too generic for our tables\n",
        encoding="utf-8",
    )
    nlp, _ = build_nlp(RULES_ONLY, models)
    text = "Het bureau Wepublic en het 'Actieprogramma MKB dienstverlening' in Europa en Wepublic."
    found = [(m.entity_type, m.canonical) for m in find_mentions(nlp, [("p", text)])]
    assert ("organisation", "Wepublic B.V.") in found
    assert ("policy", "Actieplan MKB-dienstverlening") in found
    assert all(kind != "place" for kind, _ in found)


def train_tiny_model(path):
    """A real statistical NER, trained here on a few sentences: the model-present path without a download."""
    nlp = spacy.blank("nl")
    ner = nlp.add_pipe("ner")
    sentences = [
        ("Wepublic verzorgt de monitoring.", [(0, 8, "ORG")]),
        ("Daarna sprak Wepublic met ons.", [(13, 21, "ORG")]),
        ("Het bureau Wepublic adviseert.", [(11, 19, "ORG")]),
        ("Wij reisden naar Tallinn in Estland.", [(17, 24, "GPE"), (28, 35, "GPE")]),
        ("In Tallinn was het koud.", [(3, 10, "GPE")]),
        ("De VNG overlegt met Wepublic.", [(3, 6, "ORG"), (20, 28, "ORG")]),
        ("Jan de Vries sprak in Tallinn.", [(0, 12, "PER"), (22, 29, "GPE")]),
    ]
    examples = [Example.from_dict(nlp.make_doc(text), {"entities": ents}) for text, ents in sentences]
    for label in ("ORG", "GPE", "PER"):
        ner.add_label(label)
    random.seed(0)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        random.shuffle(examples)
        nlp.update(examples, sgd=optimizer, drop=0.1)
    nlp.to_disk(path)
    return nlp


def test_statistical_model_path_with_rules_winning_overlaps(tmp_path):
    model_dir = tmp_path / "tiny_nl_model"
    tiny = train_tiny_model(model_dir)
    assert [(e.text, e.label_) for e in tiny("Wepublic verzorgt de monitoring.").ents] == [("Wepublic", "ORG")]
    nlp, note = build_nlp(str(model_dir))
    assert note == f"spaCy model {model_dir}"
    assert nlp.pipe_names.index("ner") < nlp.pipe_names.index("g40_entity_merge")
    mentions = list(
        find_mentions(nlp, [("p", "Wepublic verzorgt de monitoring."), ("q", "De VNG overlegt met Wepublic.")])
    )
    by_surface = {m.surface: m for m in mentions}
    assert by_surface["Wepublic"].method == "model"
    assert by_surface["Wepublic"].entity_type == "organisation"
    assert by_surface["VNG"].method == "gazetteer"
    assert by_surface["VNG"].canonical == "Vereniging van Nederlandse Gemeenten"
    assert all(m.entity_type in ("organisation", "place", "law", "policy") for m in mentions)


def test_fold_is_case_diacritic_and_apostrophe_insensitive():
    assert fold("Oekraïne") == fold("OEKRAINE") == "oekraine"
    assert fold("’s-Hertogenbosch") == fold("'s - Hertogenbosch")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wij spraken in Den Haag met de minister.", [("place", "Den Haag", "'s-Gravenhage")]),
        ("Het gesprek in den haag liep uit.", []),
        (
            "Een werkbezoek aan OEKRAÏNE en Oekraine.",
            [("place", "OEKRAÏNE", "Oekraïne"), ("place", "Oekraine", "Oekraïne")],
        ),
    ],
)
def test_gazetteer_names_match_any_case_or_accent_but_not_all_lower_case(nlp, text, expected):
    assert [e for e in entities(nlp, text) if e[0] == "place"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bouwbedrijf BAM bouwt mee.", [("organisation", "BAM", "Koninklijke BAM Groep")]),
        ("Met een bam viel de deur dicht.", []),
        (
            "Ook het ministerie van IenW sprak mee.",
            [("organisation", "ministerie van IenW", "Ministerie van Infrastructuur en Waterstaat")],
        ),
    ],
)
def test_short_acronyms_match_only_as_written(nlp, text, expected):
    assert [e for e in entities(nlp, text) if e[0] == "organisation"] == expected
