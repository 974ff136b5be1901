"""A non-editable install finds its data files and runs from any folder."""

import shutil
import subprocess
import sys

from pipeline.config import PROJ_ROOT
from tests.conftest import Text, make_pdf


def test_a_built_wheel_installed_elsewhere_runs_extract_from_another_folder(tmp_path):
    source = tmp_path / "source"
    for part in ("pipeline", "models"):
        shutil.copytree(PROJ_ROOT / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(PROJ_ROOT / part, source / part)
    wheels = tmp_path / "wheels"
    build = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        str(wheels),
        str(source),
    ]
    built = subprocess.run(build, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    assert "Package would be ignored" not in built.stderr
    (wheel,) = wheels.glob("g40_pipeline-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True
    )
    work = tmp_path / "elsewhere"
    (work / "corpus").mkdir(parents=True)
    lines = [Text("Jaarverslag 2031", size=20, bold=True, y=80), Text("Pijler Fysiek", size=15, bold=True, y=110)] + [
        Text("De gemeente Zwolle werkt samen met de VNG aan woningbouw en de Omgevingswet in de regio.", y=140 + 14 * i)
        for i in range(12)
    ]
    make_pdf(work / "corpus" / "verslag-2031.pdf", [lines], title="Jaarverslag 2031")
    environment = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    where = subprocess.run(
        [sys.executable, "-c", "import pipeline, pipeline.config as c; print(pipeline.__file__); print(c.MODELS_DIR)"],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert where[0].startswith(str(target)) and where[1] == str(target / "pipeline" / "models")
    run = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", "--no-ocr", "--jobs", "1", "--no-cache", "--quiet"],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    paragraphs = (work / "outputs" / "paragraphs.csv").read_text(encoding="utf-8")
    assert "Zwolle" in paragraphs and (work / "outputs" / "report.html").is_file()
