"""Shared fixtures: the shipped report processed once, and a small PDF builder for generated cases."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import PROJ_ROOT, Settings
from pipeline.flow.document import structure_document
from pipeline.records import Report

# Tests write only under temporary folders: no Hypothesis example database in the checkout, and the user's
# own folders are checked to be untouched when the session ends.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="g40-hypothesis-"))
hypothesis_settings.register_profile("g40", database=None)
hypothesis_settings.load_profile("g40")
USER_FOLDERS = ("outputs", "corpus", "models", "docs", ".cache")

SHIPPED_PDF = PROJ_ROOT / "corpus" / "g40-jaarverslag-2023.pdf"
SEED_TEXT = PROJ_ROOT / "tests" / "gold" / "seed_g40_jaarverslag_2023.txt"
IN_CI = os.environ.get("CI") == "true"


def require_binary(name: str) -> None:
    """Skip where a system binary is missing, except in CI, where it must be there."""
    if shutil.which(name) is None:
        if IN_CI:
            pytest.fail(f"{name} is not installed, but CI must run this test (.ci/run installs it)")
        pytest.skip(f"{name} is not installed on this machine")


@dataclass(frozen=True)
class Text:
    """One line of text to draw: reportlab coordinates are bottom-up, `y` here is from the top."""

    text: str
    x: float = 70
    y: float = 100
    size: float = 10
    bold: bool = False


def make_pdf(path: Path, pages: Sequence[Sequence[Text]], title: str = "") -> Path:
    pdf = canvas.Canvas(str(path), pagesize=A4)
    if title:
        pdf.setTitle(title)
    height = A4[1]
    for page in pages:
        for item in page:
            pdf.setFont("Helvetica-Bold" if item.bold else "Helvetica", item.size)
            pdf.drawString(item.x, height - item.y, item.text)
        pdf.showPage()
    pdf.save()
    return path


def running_furniture(number: int) -> list[Text]:
    return [
        Text("Testnetwerk · Jaarverslag 2031", x=370, y=40, size=8),
        Text(f"TESTNETWERK JAARVERSLAG 2031 « {number} »", x=70, y=800, size=8),
    ]


def body_lines(
    lines: Sequence[str], start: float = 120, leading: float = 13, x: float = 70, size: float = 9.5
) -> list[Text]:
    return [Text(line, x=x, y=start + i * leading, size=size) for i, line in enumerate(lines)]


def folder_state(folders: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under the given folders of the checkout."""
    return {
        str(path.relative_to(PROJ_ROOT)): (path.stat().st_size, path.stat().st_mtime_ns)
        for folder in folders
        if (PROJ_ROOT / folder).is_dir()
        for path in sorted((PROJ_ROOT / folder).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="session", autouse=True)
def user_folders_stay_untouched():
    """No test writes into outputs/, corpus/, models/, docs/ or .cache/ of the checkout."""
    before = folder_state(USER_FOLDERS)
    yield
    after = folder_state(USER_FOLDERS)
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    assert changed == [], f"tests wrote into the checkout: {changed[:10]}"


def run_extract(corpus: Path | str, out: Path | str, *options: str) -> Result:
    """`g40 extract` of CORPUS into OUT with rules only (no spaCy model), as every CLI test runs it."""
    return CliRunner().invoke(
        app, ["extract", "--corpus", str(corpus), "--out", str(out), "--spacy-model", "no-such-model", *options]
    )


@pytest.fixture(scope="session")
def shipped_report() -> Report:
    return structure_document(SHIPPED_PDF, Settings())


@pytest.fixture(scope="session")
def shipped_outputs(tmp_path_factory) -> Path:
    """`g40 extract` on a copy of the shipped report, rules only (as on a machine without the spaCy model); read-only."""
    corpus = tmp_path_factory.mktemp("shipped-corpus")
    shutil.copy(SHIPPED_PDF, corpus)
    out = tmp_path_factory.mktemp("shipped-out")
    result = run_extract(corpus, out, "--quiet", "--no-cache")
    assert result.exit_code == 0, result.output
    return out
