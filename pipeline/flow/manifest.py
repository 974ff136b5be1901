"""The run manifest (`run.json`) — what a run did, so a table can be traced to the code, the
model and the exact files that made it: versions, spaCy model, inputs with sha256, options, times,
per-stage durations, row counts, what each curation row changed, notes and warnings."""

from __future__ import annotations

import platform
import re
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.columns import ERROR_COLUMNS, TABLE_COLUMNS
from pipeline.files import package_version
from pipeline.flow.fingerprint import DISTRIBUTION
from pipeline.records import RunResult

REQUIREMENT_NAME_RE = re.compile(r"^[A-Za-z0-9._-]+")


def environment() -> dict[str, Any]:
    """This tool's version, Python's, and those of its installed runtime dependencies (from the package metadata,
    so the list follows pyproject.toml)."""
    names = [
        match.group(0)
        for requirement in metadata.requires(DISTRIBUTION) or []
        if "extra ==" not in requirement and (match := REQUIREMENT_NAME_RE.match(requirement))
    ]
    packages = {name: package_version(name) for name in sorted(names, key=str.lower)}
    return {
        "tool": {"name": DISTRIBUTION, "version": metadata.version(DISTRIBUTION)},
        "python": {"version": platform.python_version(), "implementation": platform.python_implementation()},
        "platform": platform.platform(),
        "packages": packages,
    }


def plain(value: Any) -> Any:
    """JSON-ready: paths as strings, numpy and pandas scalars as Python values, missing as None."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is not None and not isinstance(value, str) and pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def run_manifest(
    result: RunResult,
    tables: Mapping[str, pd.DataFrame],
    environment: Mapping[str, Any],
    out: Path,
    finished: datetime,
    outputs: Mapping[str, str],
) -> dict[str, Any]:
    """The content of `run.json` for a run whose tables (including `errors`) were written to `out`, with the
    sha256 of every other file it wrote (`outputs`) and the fingerprint of what they depend on."""
    documents = tables.get("documents", pd.DataFrame(columns=TABLE_COLUMNS["documents"]))
    errors = tables.get("errors", pd.DataFrame(columns=ERROR_COLUMNS))
    manifest = {
        **environment,
        "spacy": result.spacy,
        "inputs": [
            {
                "file": r["source_file"],
                "doc_id": r["doc_id"],
                "year": r["year"],
                "sha256": r["sha256"],
                "pages": r["n_pages"],
                "pages_ocr": r["n_pages_ocr"],
            }
            for r in documents.to_dict("records")
        ],
        "failed": errors.to_dict("records"),
        "options": {
            "corpus": result.corpus.resolve() if result.corpus else None,
            "out": out.resolve(),
            **asdict(result.settings),
            **asdict(result.options),
        },
        "started": result.started.isoformat(timespec="seconds") if result.started else None,
        "finished": finished.isoformat(timespec="seconds"),
        "seconds": {
            "total": round((finished - result.started).total_seconds(), 3) if result.started else None,
            "stages": {stage: round(seconds, 3) for stage, seconds in result.stage_seconds.items()},
        },
        "counts": {name: len(tables[name]) for name in sorted(tables)},
        "curation": result.curation,
        "notes": list(dict.fromkeys(result.notes)),
        "warnings": list(dict.fromkeys(result.warnings)),
        "fingerprint": result.fingerprint,
        "output_sha256": dict(outputs),
    }
    return plain(manifest)
