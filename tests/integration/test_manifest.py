"""run.json: what a run did — versions, spaCy model, inputs with sha256, options, times, stage durations, counts."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd
import spacy

from pipeline.config import Settings
from pipeline.flow.manifest import environment, run_manifest
from pipeline.records import DocumentError, RunResult
from pipeline.tables import errors_table
from tests.conftest import SHIPPED_PDF


def test_run_json_of_the_shipped_report(shipped_outputs):
    manifest = json.loads((shipped_outputs / "run.json").read_text(encoding="utf-8"))
    assert manifest["tool"] == {"name": "g40-pipeline", "version": metadata.version("g40-pipeline")}
    assert manifest["packages"]["spacy"] == spacy.__version__
    assert manifest["spacy"]["requested"] == "no-such-model" and manifest["spacy"]["model"] is None
    assert "g40_lobby" in manifest["spacy"]["components"]
    assert "no-such-model not installed: rules only" in manifest["spacy"]["note"]
    [source] = manifest["inputs"]
    assert source["file"] == SHIPPED_PDF.name and source["year"] == 2023 and source["pages"] == 17
    assert source["sha256"] == hashlib.sha256(SHIPPED_PDF.read_bytes()).hexdigest()
    assert manifest["failed"] == []
    assert manifest["options"]["spacy_model"] == "no-such-model" and manifest["options"]["ocr"] is True
    assert manifest["options"]["out"] == str(shipped_outputs.resolve())
    stages = manifest["seconds"]["stages"]
    assert list(stages) == ["documents", "corpus memory", "themes", "tables", "comparison", "write_tables", "report"]
    assert datetime.fromisoformat(manifest["started"]) <= datetime.fromisoformat(manifest["finished"])
    assert sum(stages.values()) <= manifest["seconds"]["total"] + 1.01
    for name, count in manifest["counts"].items():
        assert len(pd.read_csv(shipped_outputs / f"{name}.csv")) == count, name
    assert manifest["counts"]["lobby_actions"] > 20


def test_environment_follows_the_declared_dependencies():
    packages = environment()["packages"]
    assert {"pdfplumber", "spacy", "scikit-learn", "pandas", "matplotlib", "frictionless"} <= set(packages)
    assert "pytest" not in packages


def test_failures_and_repeated_notes_are_listed_once():
    result = RunResult(
        settings=Settings(spacy_model="x"),
        corpus=Path("corpus"),
        started=datetime(2031, 1, 1, tzinfo=UTC),
        notes=["same", "same"],
    )
    result.errors.append(DocumentError("a.pdf", None, "year", "no year"))
    tables = {"errors": errors_table(result.errors)}
    manifest = run_manifest(
        result, tables, {"tool": {}}, Path("out"), datetime(2031, 1, 1, 0, 0, 5, tzinfo=UTC), {"errors.csv": "0" * 64}
    )
    assert manifest["failed"] == [{"doc": "a.pdf", "page": None, "kind": "year", "message": "no year"}]
    assert manifest["notes"] == ["same"]
    assert manifest["seconds"]["total"] == 5.0
    assert manifest["counts"] == {"errors": 1}
    assert manifest["output_sha256"] == {"errors.csv": "0" * 64}
    json.dumps(manifest)
