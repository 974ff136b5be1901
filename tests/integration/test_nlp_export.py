"""`g40 nlp-export DIR`: the pipeline as a spaCy folder that a plain Python session loads with `spacy.load`."""

import json
import subprocess
import sys

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.nlp import build_nlp, find_mentions

runner = CliRunner()
TEXT = (
    "Het G40 Stedennetwerk sprak met het ministerie van BZK over de Omgevingswet. "
    "In Zwolle en Deventer loopt het programma 'Mooi Nederland'; de VNG steunt de Woontop."
)
LOAD_AND_PARSE = """
import json, sys, spacy
nlp = spacy.load(sys.argv[1])
doc = nlp(sys.argv[2])
print(json.dumps([[s.text, s.label_, s._.entity_id] for s in doc.spans["g40_entities"]]))
"""


def test_exported_pipeline_loads_with_spacy_load_and_finds_what_the_run_finds(tmp_path):
    folder = tmp_path / "g40_nlp"
    result = runner.invoke(app, ["nlp-export", str(folder), "--spacy-model", "no-such-model"])
    assert result.exit_code == 0, result.output
    assert (folder / "config.cfg").is_file()
    assert (folder / "g40_linker" / "entities.csv").is_file()
    assert (folder / "g40_lobby" / "lobby.jsonl").is_file()
    assert str(folder.parents[2]) not in (folder / "config.cfg").read_text(encoding="utf-8"), "no machine paths"
    loaded = subprocess.run(
        [sys.executable, "-c", LOAD_AND_PARSE, str(folder), TEXT],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    exported = [tuple(row) for row in json.loads(loaded.stdout)]
    nlp, _ = build_nlp("no-such-model")
    in_process = [(m.surface, m.entity_type, m.entity_id) for m in find_mentions(nlp, [("p", TEXT)])]
    assert exported == in_process
    assert ("Omgevingswet", "law", "BWBR0037885") in exported
    assert ("Mooi Nederland", "policy", "policy:mooi-nederland") in exported


def test_export_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["nlp-export", str(tmp_path), "--spacy-model", "no-such-model"])
    assert result.exit_code == 2
    assert "not an empty folder" in result.output
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"
