"""Data files in models/ are validated when loaded, with messages that say where and what is allowed."""

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
    curation.write_text(
        curation.read_text(encoding="utf-8") + "rename,organisation,VNG,Vereniging,\n", encoding="utf-8"
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


def test_yes_and_no_become_booleans_and_a_missing_column_is_named(models):
    targets = read_rows(models / "lobby_targets.csv", LobbyTarget)
    assert {row.refers_back for row in targets.rows} == {True, False}
    (models / "lobby_targets.csv").write_text("word,canonical\nkabinet,Rijksoverheid\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"missing column.*refers_back"):
        read_rows(models / "lobby_targets.csv", LobbyTarget)


def test_the_digest_follows_the_bytes(models):
    before = load_aliases(models).digest
    pillars = models / "pillars.csv"
    pillars.write_text(pillars.read_text(encoding="utf-8") + "pijler wonen,Fysiek,test\n", encoding="utf-8")
    assert load_aliases(models).digest != before
