"""Writing the outputs: the tables, report, data package and run.json of a run appear together or not at
all, under a lock that keeps a second run off the same folder; the tables can be read back as written."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout

from pipeline import compare, tables
from pipeline.columns import OUTPUT_TABLES
from pipeline.config import MODELS_DIR
from pipeline.files import atomic_write, json_text, write_text
from pipeline.flow.corpus import StageClock
from pipeline.flow.fingerprint import MANIFEST, output_digests
from pipeline.flow.manifest import environment, run_manifest
from pipeline.records import RunResult
from pipeline.report import Method, render_report
from pipeline.schema import Vocabularies, column_fields, datapackage, load_vocabularies


class OutputLocked(Exception):
    """Another run is writing to the same output folder."""


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold `out/.g40.lock` for a whole run: a second run on the same folder stops at once with a clear message."""
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out / ".g40.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout as error:
        raise OutputLocked(
            f"another g40 run is writing to {out} (lock file {out / '.g40.lock'}); wait for it to finish"
        ) from error
    try:
        yield
    finally:
        lock.release()


def write_outputs(result: RunResult, out: Path) -> None:
    """Write the complete set of tables, the report, the data package and run.json into a staging folder
    inside `out`, then move them in.

    A run killed before the move leaves the previous tables as they were. Tables of an earlier run that
    this run does not produce (a comparison when only one year is left) are removed, so the folder always
    holds one consistent set.
    """
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    clock = StageClock(result.stage_seconds)
    try:
        for name, frame in result.tables.items():
            tables.write_table(frame, staging / f"{name}.csv")
        tables.write_table(tables.errors_table(result.errors), staging / "errors.csv")
        clock.lap("write_tables")
        written = write_report(staging, result.settings.models_dir, spacy=result.spacy, evaluation_dir=out)
        clock.lap("report")
        manifest = run_manifest(result, written, environment(), out, datetime.now(UTC), output_digests(staging))
        write_text(staging / "run.json", json_text(manifest))
        for item in sorted(staging.iterdir()):
            os.replace(item, out / item.name)
        for name in OUTPUT_TABLES:
            if name not in written:
                (out / f"{name}.csv").unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def compare_outputs(out: Path, models_dir: Path = MODELS_DIR) -> list[str]:
    """Recompute `comparison.csv` from the tables in `out`; with one year, write none (and drop a stale one)."""
    read = read_tables(out, load_vocabularies(models_dir))
    missing = [f"{name}.csv" for name in compare.COMPARISON_INPUTS if name not in read]
    if missing:
        raise FileNotFoundError(f"{out} lacks {', '.join(missing)}: run `g40 extract --out {out}` first")
    notes = compare.add_comparison(read)
    if "comparison" in read:
        write_table_atomically(read["comparison"], out / "comparison.csv")
    else:
        (out / "comparison.csv").unlink(missing_ok=True)
    return notes


def write_table_atomically(frame: pd.DataFrame, path: Path) -> None:
    """One table replaced in place, never half written."""
    atomic_write(path, lambda temporary: tables.write_table(frame, temporary))


def read_tables(folder: Path, vocab: Vocabularies) -> dict[str, pd.DataFrame]:
    """The CSV tables in `folder` by name, text columns typed as the data package says."""
    fields = column_fields(vocab)
    return {
        name: tables.read_table(
            folder / f"{name}.csv", [c for c in columns if fields.get(c, {}).get("type") == "string"]
        )
        for name, columns in OUTPUT_TABLES.items()
        if (folder / f"{name}.csv").is_file()
    }


def report_method(folder: Path, spacy: dict[str, Any] | None, evaluation_dir: Path | None) -> Method:
    """What the report's method note says: the run's spaCy facts (given, else from `run.json` in `folder`) and
    the scores of `make evaluate` (`evaluation.csv`, when it is there)."""
    if spacy is None:
        try:
            spacy = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("spacy") or {}
        except (OSError, ValueError):
            spacy = {}
    scores = (evaluation_dir or folder) / "evaluation.csv"
    return Method(spacy, pd.read_csv(scores, keep_default_na=False) if scores.is_file() else None)


def write_report(
    folder: Path,
    models_dir: Path = MODELS_DIR,
    spacy: dict[str, Any] | None = None,
    evaluation_dir: Path | None = None,
) -> dict[str, pd.DataFrame]:
    """Write report.html, the workbook g40.xlsx and datapackage.json beside the CSVs in `folder`, from the CSVs
    as written (so the report and the workbook show exactly what the tables say); returns those tables."""
    vocab = load_vocabularies(models_dir)
    found = read_tables(folder, vocab)
    write_text(folder / "report.html", render_report(found, vocab, report_method(folder, spacy, evaluation_dir)))
    atomic_write(folder / tables.WORKBOOK, lambda temporary: tables.write_workbook(found, temporary))
    write_text(folder / "datapackage.json", json_text(datapackage(found, vocab)))
    return found
