"""End to end: `g40 extract` on the shipped report, as `make extract` runs it."""

import subprocess
import sys

import pandas as pd
import pytest

from pipeline.tables import read_table
from tests.conftest import SHIPPED_PDF, Text, make_pdf, run_extract


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / SHIPPED_PDF.name).write_bytes(SHIPPED_PDF.read_bytes())
    out = tmp_path_factory.mktemp("out")
    cache = tmp_path_factory.mktemp("cache")
    result = run_extract(corpus, out, "--cache", str(cache))
    assert result.exit_code == 0, result.output
    return corpus, out, result.output


def test_extract_writes_every_table(extracted):
    _, out, output = extracted
    names = {p.name for p in out.iterdir()}
    assert {
        "documents.csv",
        "sections.csv",
        "paragraphs.csv",
        "links.csv",
        "pages.csv",
        "mentions.csv",
        "entities.csv",
        "pillar_entities.csv",
        "lobby_actions.csv",
        "focus.csv",
        "errors.csv",
    } <= names
    documents = pd.read_csv(out / "documents.csv")
    assert documents.to_dict("records")[0] | {"sha256": ""} == {
        "doc_id": "g40-jaarverslag-2023",
        "year": 2023,
        "title": "G40 Jaarverslag 2023",
        "source_file": "g40-jaarverslag-2023.pdf",
        "sha256": "",
        "n_pages": 17,
        "n_pages_ocr": 0,
    }
    assert "not installed: rules only" in output
    assert "1 document(s) succeeded, 0 failed" in output


def test_every_page_is_covered_or_skipped_with_a_reason(extracted):
    _, out, _ = extracted
    pages = pd.read_csv(out / "pages.csv")
    assert len(pages) == 17
    assert ((pages["n_paragraphs"] > 0) | pages["status"].isin(["cover", "toc", "blank", "ocr_unavailable"])).all()


def test_entity_tables_are_consistent(extracted):
    _, out, _ = extracted
    mentions = read_table(out / "mentions.csv", ["paragraph_id", "entity_type", "surface", "canonical"])
    entities = pd.read_csv(out / "entities.csv", keep_default_na=False)
    paragraphs = read_table(out / "paragraphs.csv", ["paragraph_id", "text"]).set_index("paragraph_id")
    assert set(mentions["entity_type"]) == {"organisation", "place", "law", "policy"}
    assert entities["mentions"].sum() == len(mentions)
    for row in mentions.itertuples():
        assert paragraphs.loc[row.paragraph_id, "text"][row.start_char : row.end_char] == row.surface
    spreidingswet = entities[entities["canonical"] == "Wet gemeentelijke taak mogelijk maken asielopvangvoorzieningen"]
    assert set(spreidingswet["entity_id"]) == {"BWBR0049307"}


def test_focus_tables_answer_where_each_pillar_put_its_effort(extracted):
    _, out, _ = extracted
    paragraphs = pd.read_csv(out / "paragraphs.csv", keep_default_na=False)
    focus = pd.read_csv(out / "focus.csv")
    lobby = pd.read_csv(out / "lobby_actions.csv", keep_default_na=False)
    taxonomy = pd.read_csv(SHIPPED_PDF.parents[1] / "models" / "themes.csv")
    assert set(paragraphs["theme"]) <= set(taxonomy["theme_id"])
    assert paragraphs["theme_score"].between(0, 1).all()
    assert set(focus["pillar"]) == {"Algemeen", "Economie en werk", "Sociaal", "Fysiek", "Overig"}
    assert focus.groupby("pillar")["share"].sum().to_numpy() == pytest.approx(1.0, abs=1e-5)
    assert focus["lobby_actions"].sum() == len(lobby) > 20
    assert set(lobby["instrument"]) >= {"position paper", "manifest", "gesprek", "inbreng", "pleidooi", "lobby"}
    ranked = pd.read_csv(out / "pillar_entities.csv", keep_default_na=False)
    top_law = ranked[(ranked["pillar"] == "Sociaal") & (ranked["entity_type"] == "law") & (ranked["rank"] == 1)]
    assert top_law["canonical"].item() == "Wet versterking regie volkshuisvesting"


def test_rerun_gives_byte_identical_tables(extracted, tmp_path):
    corpus, out, _ = extracted
    result = run_extract(corpus, tmp_path, "--no-cache", "--quiet")
    assert result.exit_code == 0
    for table in out.glob("*.csv"):
        assert (tmp_path / table.name).read_bytes() == table.read_bytes(), table.name


def test_year_conflict_is_an_error_row_and_a_failing_exit(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_pdf(
        corpus / "jaarverslag-2022.pdf",
        [[Text("Jaarverslag 2023", y=200, size=30, bold=True)]],
        title="Jaarverslag 2023",
    )
    result = run_extract(corpus, tmp_path / "out", "--no-cache", "--quiet")
    assert result.exit_code == 1
    errors = pd.read_csv(tmp_path / "out" / "errors.csv")
    assert errors[["doc", "kind"]].values.tolist() == [["jaarverslag-2022.pdf", "year"]]
    assert "file name says 2022" in errors["message"][0]


def test_a_rerun_with_nothing_changed_is_a_no_op_and_any_change_reruns(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_pdf(
        corpus / "verslag-2031.pdf",
        [
            [Text("Jaarverslag 2031", y=200, size=30, bold=True)],
            [Text("Pijler Fysiek", y=80, size=15, bold=True), Text("De woningbouw blijft achter in de regio.", y=120)],
        ],
        title="Jaarverslag 2031",
    )
    out = tmp_path / "out"

    def extract(*options: str) -> str:
        result = run_extract(corpus, out, "--no-cache", *options)
        assert result.exit_code == 0, result.output
        return result.output

    assert "succeeded" in extract()
    written = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert "up to date" in extract()
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == written
    assert "succeeded" in extract("--force")
    (out / "focus.csv").write_text("edited by hand\n", encoding="utf-8")
    assert "succeeded" in extract()
    assert "up to date" in extract()
    assert "succeeded" in extract("--no-ocr")
    assert "up to date" in extract("--no-ocr")


def test_the_console_command_keeps_its_output_and_exit_code_when_it_leaves_at_once(tmp_path):
    """`main()` ends the process without Python's teardown: what was printed and the exit code must survive."""
    version = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--version"], capture_output=True, text=True, timeout=120
    )
    assert version.returncode == 0 and version.stdout.startswith("g40 ")
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x", encoding="utf-8")
    refused = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", "--out", str(a_file)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2
    assert "is a file, not a folder" in refused.stderr
