"""What a run's outputs depend on, so that `g40 extract` can tell when there is nothing to do.

The fingerprint covers the corpus (file names and bytes), everything in `models/`, the pipeline's code and
templates, the settings, the spaCy model's version, Tesseract's languages and the versions of the packages
that shape the results. `run.json` records it with the sha256 of every file the run wrote; a rerun with the
same fingerprint and untouched outputs is a no-op. Light on imports on purpose: the command reads this
before it loads the pipeline.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.config import PACKAGE_DIR, Settings, scan_corpus
from pipeline.files import file_sha256, files_digest, package_version

RESULT_PACKAGES = (
    "pdfplumber",
    "pdfminer.six",
    "pypdfium2",
    "ftfy",
    "wordfreq",
    "spacy",
    "scikit-learn",
    "pandas",
    "numpy",
    "py3langid",
    "matplotlib",
    "jinja2",
)
DISTRIBUTION = "g40-pipeline"
MANIFEST = "run.json"


@cache
def code_digest() -> str:
    """The tool's version and a digest of its whole package (code and templates): a code change is a new key."""
    return f"{package_version(DISTRIBUTION)}:{files_digest([PACKAGE_DIR])}"


def spacy_model_version(spacy_model: str) -> str | None:
    """Version of an installed spaCy pipeline: a package, or a folder with `meta.json`."""
    meta = Path(spacy_model) / "meta.json"
    if meta.is_file():
        return hashlib.sha256(meta.read_bytes()).hexdigest()
    return package_version(spacy_model)


def tesseract_languages(ocr: bool) -> str | None:
    """Tesseract's installed languages (they change what OCR reads), None without OCR."""
    if not ocr or shutil.which("tesseract") is None:
        return None
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False)
    return listed.stdout


def run_fingerprint(corpus: Path, settings: Settings) -> str:
    """One digest of everything the outputs of a run on `corpus` with `settings` depend on."""
    paths, skipped = scan_corpus(corpus, settings.skip)
    parts: dict[str, Any] = {
        "pdfs": [(path.name, file_sha256(path)) for path in paths],
        "skipped": [(entry.name, entry.kind) for entry in skipped],
        "models": files_digest([settings.models_dir]),
        "code": code_digest(),
        "settings": asdict(settings),
        "spacy_model": spacy_model_version(settings.spacy_model),
        "tesseract": tesseract_languages(settings.ocr),
        "packages": {name: package_version(name) for name in RESULT_PACKAGES},
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def output_digests(folder: Path) -> dict[str, str]:
    """sha256 of every output file in `folder` except the manifest itself."""
    return {
        path.name: file_sha256(path) for path in sorted(folder.iterdir()) if path.is_file() and path.name != MANIFEST
    }


def previous_run(out: Path, fingerprint: str) -> dict[str, Any] | None:
    """The manifest of the run that made `out`, when it had this fingerprint, was complete (no document
    failed for a reason other than its content) and its files are as it wrote them."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    written = manifest.get("output_sha256") or {}
    if manifest.get("fingerprint") != fingerprint or not written or manifest.get("complete") is False:
        return None
    for name, digest in written.items():
        path = out / name
        if not path.is_file() or file_sha256(path) != digest:
            return None
    return manifest
