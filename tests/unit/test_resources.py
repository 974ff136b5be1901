"""Data files in models/ are validated when loaded, with messages that say where and what is allowed."""

import re
import shutil

import pytest

from pipeline.config import MODELS_DIR
from pipeline.ner.knowledge import load_knowledge_base
from pipeline.resources import CurationRow, LobbyTarget, ResourceError, read_rows
from pipeline.structure import load_aliases


@pytest.fixture
def models(tmp_path):
    copy = tmp_path / "models"
    shutil.copytree(MODELS_DIR, copy)
    return copy


def test_every_shipped_data_file_loads(models):
    assert load_aliases(models).pillars["werk en economie"] == "Economie en werk"
    assert len(load_knowledge_base(models).entities) > 1000


def test_an_unknown_curation_action_names_the_file_line_and_the_allowed_actions(models):
    curation = models / "curation.csv"
    header = curation.read_text(encoding="utf-8").splitlines()[0]
    curation.write_text(
        f"{header}\ndrop,organisation,Dagelijks Bestuur,,\nrename,organisation,VNG,Vereniging,\n", encoding="utf-8"
    )
    with pytest.raises(ResourceError) as raised:
        read_rows(curation, CurationRow)
    message = str(raised.value)
    assert "curation.csv, line 3" in message and "'alias', 'merge' or 'drop'" in message


def test_a_merge_without_target_and_a_misspelt_type_are_refused(models):
    curation = models / "curation.csv"
    header = curation.read_text(encoding="utf-8").splitlines()[0]
    curation.write_text(f"{header}\nmerge,organisation,VNG,,\n", encoding="utf-8")
    with pytest.raises(ResourceError, match="needs a target"):
        read_rows(curation, CurationRow)
    curation.write_text(f"{header}\ndrop,organsation,VNG,,\n", encoding="utf-8")
    with pytest.raises(ResourceError, match="entity_type"):
        load_knowledge_base(models)


def test_a_kind_outside_its_list_and_a_missing_column_are_named(models):
    targets = read_rows(models / "lobby_targets.csv", LobbyTarget)
    assert {row.kind for row in targets.rows} == {"generic", "refers_back", "committee"}
    (models / "lobby_targets.csv").write_text("word,canonical,kind\nkabinet,,government\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"line 2.*kind"):
        read_rows(models / "lobby_targets.csv", LobbyTarget)
    (models / "lobby_targets.csv").write_text("word,canonical\nkabinet,\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"missing column.*kind"):
        read_rows(models / "lobby_targets.csv", LobbyTarget)


def test_a_first_name_in_lower_case_or_without_source_is_refused(models):
    assert {"Henk", "Marleen", "Jeroen"} <= load_knowledge_base(models).first_names
    first_names = models / "first_names.csv"
    first_names.write_text("name,frequency_nl,source\nHenk,9,nam_dict\npeter,9,nam_dict\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"first_names.csv, line 3.*capital"):
        load_knowledge_base(models)
    first_names.write_text("name,frequency_nl,source\nHenk,9,\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"line 2.*source"):
        load_knowledge_base(models)


def test_the_digest_follows_the_bytes(models):
    before = load_aliases(models).digest
    pillars = models / "pillars.csv"
    pillars.write_text(pillars.read_text(encoding="utf-8") + "pijler wonen,Fysiek,test\n", encoding="utf-8")
    assert load_aliases(models).digest != before


def test_curation_rows_are_checked_as_a_file(tmp_path):
    from pipeline.resources import load_curation

    curation = tmp_path / "curation.csv"
    header = "action,entity_type,name,target,note\n"
    cases = {
        "drop,organisation,VNG,Vereniging,\n": "line 2: row: Value error, action 'drop' takes no target",
        "drop,organisation,VNG,,\nmerge,organisation,vng,VNG-bureau,\n": "line 3: organisation 'vng' is already curated on line 2",
        "alias,organisation\n": "line 2: missing field(s) name",
        "drop,organisation,VNG,,,extra\n": "line 2: more fields than the header",
    }
    for rows, expected in cases.items():
        curation.write_text(header + rows, encoding="utf-8")
        with pytest.raises(ResourceError, match=re.escape(expected)):
            load_curation(curation)
    curation.write_text(header + "drop,place,Europa\nalias,law,Omgevingswet 2024,Omgevingswet,\n", encoding="utf-8")
    loaded = load_curation(curation)
    assert [(line, row.describe()) for line, row in loaded.numbered()] == [
        (2, "drop place 'Europa'"),
        (3, "alias law 'Omgevingswet 2024' → 'Omgevingswet'"),
    ]


def test_reports_csv_rows_take_years_titles_and_skips(tmp_path):
    from pipeline.resources import load_report_decisions

    reports = tmp_path / "reports.csv"
    reports.write_text("file,year,title,skip\na.pdf,2024,Verslag,\nb.pdf,,,ja\nc.pdf,,,nee\n", encoding="utf-8")
    rows = [row for _, row in load_report_decisions(reports).numbered()]
    assert [(r.file, r.year, r.title, r.skip) for r in rows] == [
        ("a.pdf", 2024, "Verslag", False),
        ("b.pdf", None, "", True),
        ("c.pdf", None, "", False),
    ]
    for bad, expected in {
        "a.pdf,1850,,\n": "year 1850 is not between 1900 and 2100",
        "a.pdf,twintig,,\n": "(got 'twintig')",
        "a.pdf,,,misschien\n": "skip",
        "a.pdf,2024,,\na.pdf,2025,,\n": "'a.pdf' is already listed on line 2",
    }.items():
        reports.write_text("file,year,title,skip\n" + bad, encoding="utf-8")
        with pytest.raises(ResourceError, match=re.escape(expected)):
            load_report_decisions(reports)
