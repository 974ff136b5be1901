"""The code's shape: light modules stay light, and the stages import no wiring."""

import subprocess
import sys

import pytest

HEAVY = ("spacy", "pdfplumber", "sklearn", "pypdfium2")


@pytest.mark.parametrize(
    "module",
    ["pipeline.records", "pipeline.tables", "pipeline.report", "pipeline.schema", "pipeline.compare", "pipeline.cli"],
)
def test_importing_the_table_and_report_stages_loads_no_pdf_or_nlp_library(module):
    probe = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"importing {module} loads {loaded}"


def test_the_import_contracts_hold(capsys):
    """No import cycles, stages below the wiring, records at the bottom (import-linter, pyproject.toml)."""
    from importlinter.cli import lint_imports

    assert lint_imports(no_cache=True) == 0, capsys.readouterr().out[-3000:]
