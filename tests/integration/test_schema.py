"""The data package: it describes every CSV, its allowed values come from models/, and the outputs of a run
on the shipped report validate against it, so a change to a table's shape has to be made on purpose."""

from __future__ import annotations

import json
import shutil

import pandas as pd
from frictionless import validate

from pipeline.columns import TABLE_COLUMNS
from pipeline.config import MODELS_DIR
from pipeline.resources import read_source_rows as read_csv_rows
from pipeline.schema import TABLES, datapackage, load_vocabularies
from pipeline.tables import write_table

VOCAB = load_vocabularies()


def problems(path) -> list[tuple[str, str, str]]:
    """(table, error type, message) of each validation error."""
    report = validate(path)
    return [("package", e.type, e.message) for e in report.errors] + [
        (t.name, e.type, e.message) for t in report.tasks for e in t.errors
    ]


def test_datapackage_describes_every_csv_of_a_run(shipped_outputs):
    descriptor = json.loads((shipped_outputs / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"] if r["path"].endswith(".csv")}
    workbook = next(r for r in descriptor["resources"] if r["path"] == "g40.xlsx")
    assert workbook["format"] == "xlsx" and "one sheet per table" in workbook["description"]
    assert {f"{name}.csv" for name in resources} == {p.name for p in shipped_outputs.glob("*.csv")}
    assert set(resources) == set(TABLE_COLUMNS) - {"comparison"} | {"errors"}  # one year: no comparison
    for name, resource in resources.items():
        assert [f["name"] for f in resource["schema"]["fields"]] == TABLES[name]
        assert all(f["description"] for f in resource["schema"]["fields"])
    assert resources["mentions"]["schema"]["foreignKeys"] == [
        {"fields": "paragraph_id", "reference": {"resource": "paragraphs", "fields": "paragraph_id"}}
    ]


def test_outputs_of_the_shipped_report_validate(shipped_outputs):
    assert problems(shipped_outputs / "datapackage.json") == []


def test_allowed_values_are_read_from_models():
    fields = {
        f["name"]: f for r in datapackage(TABLES, VOCAB)["resources"] if "schema" in r for f in r["schema"]["fields"]
    }
    pillars = {row["pillar"] for row in read_csv_rows(MODELS_DIR / "pillars.csv")}
    assert (
        set(fields["pillar"]["constraints"]["enum"])
        == pillars
        == {"Algemeen", "Economie en werk", "Sociaal", "Fysiek", "Overig"}
    )
    assert fields["theme"]["constraints"]["enum"] == [
        row["theme_id"] for row in read_csv_rows(MODELS_DIR / "themes.csv")
    ]
    assert {"position paper", "petitie", "gesprek", "lobby"} <= set(fields["instrument"]["constraints"]["enum"])
    assert fields["entity_type"]["constraints"]["enum"] == ["organisation", "place", "law", "policy"]
    assert fields["change"]["constraints"]["enum"] == ["new", "dropped", "up", "down", "same"]


def test_a_changed_table_fails_validation(shipped_outputs, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(shipped_outputs, out)
    focus = pd.read_csv(out / "focus.csv")
    focus.loc[0, "pillar"] = "Cultuur"
    write_table(focus, out / "focus.csv")
    lobby = pd.read_csv(out / "lobby_actions.csv", keep_default_na=False)
    write_table(lobby.drop(columns="subject"), out / "lobby_actions.csv")
    found = {(table, kind) for table, kind, _ in problems(out / "datapackage.json")}
    assert ("focus", "constraint-error") in found
    assert ("lobby_actions", "missing-label") in found


def test_comparison_table_is_described(tmp_path):
    comparison = pd.DataFrame(
        [
            [2023, 2024, "Sociaal", "theme", "wonen", "Wonen en volkshuisvesting", "", 14.0, 20.0, 6, 8, 6.0, "up"],
            [2023, 2024, "Sociaal", "law", "Omgevingswet", "", "BWBR0037885", 0.0, 3.0, 0, 3, 3.0, "new"],
        ],
        columns=TABLES["comparison"],
    )
    write_table(comparison, tmp_path / "comparison.csv")
    (tmp_path / "datapackage.json").write_text(
        json.dumps(datapackage(["comparison"], VOCAB, workbook=False)), encoding="utf-8"
    )
    assert problems(tmp_path / "datapackage.json") == []
    write_table(comparison.assign(change="grown"), tmp_path / "comparison.csv")
    assert [kind for _, kind, _ in problems(tmp_path / "datapackage.json")] == ["constraint-error", "constraint-error"]
