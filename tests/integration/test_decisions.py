"""The analyst's loop: a curation typo, a duplicate file or an empty corpus never costs the outputs; the
decisions in reports.csv hold on every run; one PDF is a corpus too."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import MODELS_DIR
from tests.conftest import Text, body_lines, make_pdf, run_extract

runner = CliRunner()
LINES = [
    "De VNG en de gemeente Zwolle spraken over de Omgevingswet en de woningbouw in de regio.",
    "Wij pleiten bij het ministerie van BZK voor betaalbare huurwoningen en snellere procedures.",
    "Ook de jeugdzorg en de schuldhulpverlening vragen om structurele financiering van het Rijk.",
    "Met de provincies maakten we afspraken over de energietransitie en de warmtenetten.",
]


def report(path: Path, year: int | None, lines: list[str] = LINES) -> Path:
    """A two-page report; without a year nothing in it tells the year."""
    title = f"Jaarverslag {year}" if year else "Jaarverslag"
    cover = [Text(title, y=200, size=30, bold=True), Text("Testnetwerk", y=240, size=16)]
    body = [Text("Pijler Fysiek", y=80, size=15, bold=True), *body_lines(lines * 3, start=110)]
    return make_pdf(path, [cover, body], title=title)


def extract(corpus: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = run_extract(corpus, out, "--no-cache", "--jobs", "1", "--no-ocr", *extra)
    return result.exit_code, " ".join(result.output.split())


def contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def g40(*args: str, models: Path) -> subprocess.CompletedProcess:
    """The command in its own process, with `G40_MODELS` pointing at a copy of models/."""
    environment = {**os.environ, "G40_MODELS": str(models), "COLUMNS": "60"}
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, env=environment, timeout=300
    )


@pytest.fixture
def models(tmp_path):
    copy = tmp_path / "models"
    shutil.copytree(MODELS_DIR, copy)
    return copy


def test_curation_reports_what_each_row_did_and_a_broken_row_leaves_the_outputs_alone(tmp_path, models):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report(corpus / "verslag-2031.pdf", 2031)
    out = tmp_path / "out"
    (models / "curation.csv").write_text(
        "action,entity_type,name,target,note\n"
        "drop,organisation,VNG,,test\n"
        "merge,law,Omgevingswet,Wet omgeving,test\n"
        "drop,place,Nergenshuizen,,matches nothing\n",
        encoding="utf-8",
    )
    args = [
        "extract",
        "--corpus",
        str(corpus),
        "--out",
        str(out),
        "--spacy-model",
        "no-such-model",
        "--no-cache",
        "--no-ocr",
        "--jobs",
        "1",
    ]
    run = g40(*args, models=models)
    assert run.returncode == 0, run.stderr
    assert "curation line 2 (drop organisation 'VNG'): 3 mention(s) changed" in run.stderr
    assert "curation line 3 (merge law 'Omgevingswet' → 'Wet omgeving'): 3 mention(s) changed" in run.stderr
    assert "warning: curation.csv line 4 (drop place 'Nergenshuizen') matched no mention" in run.stderr
    assert all(len(line) <= 200 for line in run.stderr.splitlines()) and "\nmention" not in run.stderr, "no wrapping"
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert [(row["line"], row["mentions"]) for row in manifest["curation"]] == [(2, 3), (3, 3), (4, 0)]
    assert "curation.csv line 4 (drop place 'Nergenshuizen') matched no mention" in manifest["warnings"]
    mentions = pd.read_csv(out / "mentions.csv")
    assert "VNG" not in set(mentions["surface"]) and "Wet omgeving" in set(mentions["canonical"])
    before = contents(out)

    broken = {
        "rename,organisation,VNG,,": ("line 2", "action", "'alias', 'merge' or 'drop'", "(got 'rename')"),
        "drop,organisatie,VNG,,": ("line 2", "entity_type", "'organisation', 'place', 'law' or 'policy'"),
        "drop,organisation": ("line 2", "missing field(s) name"),
        "drop,organisation,VNG,,\nalias,organisation,vng,VNG,": ("line 3", "already curated on line 2"),
    }
    for rows, expected in broken.items():
        (models / "curation.csv").write_text(f"action,entity_type,name,target,note\n{rows}\n", encoding="utf-8")
        refused = g40(*args, models=models)
        assert refused.returncode == 2, refused.stderr
        message = " ".join(refused.stderr.split())
        assert "Traceback" not in message and f"{models / 'curation.csv'}, {expected[0]}" in message
        assert all(part in message for part in expected[1:]), message
        assert contents(out) == before


def test_reports_csv_years_titles_and_skips_hold_on_every_run(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report(corpus / "zonder jaar.pdf", None)
    report(corpus / "concept.pdf", 2032)
    code, output = extract(corpus, tmp_path / "refused")
    assert code == 1
    assert "give it in reports.csv in the corpus folder (a row `zonder jaar.pdf,YEAR`)" in output
    (corpus / "reports.csv").write_text(
        'file,year,title,skip\n"zonder jaar.pdf",2031,Ons verslag over 2031,\nconcept.pdf,,,yes\nweg.pdf,2020,,\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    for extra in ((), ("--force",)):
        code, output = extract(corpus, out, *extra)
        assert code == 0, output
        documents = pd.read_csv(out / "documents.csv")
        assert documents[["source_file", "year", "title"]].values.tolist() == [
            ["zonder jaar.pdf", 2031, "Ons verslag over 2031"]
        ]
    assert "skips concept.pdf" in output and "'weg.pdf' is not in the corpus" in output
    code, output = extract(corpus, tmp_path / "once", "--year", "zonder jaar.pdf=2030")
    assert code == 0 and pd.read_csv(tmp_path / "once" / "documents.csv")["year"].tolist() == [2030]
    (corpus / "reports.csv").write_text("file,year\nzonder jaar.pdf,twintig\n", encoding="utf-8")
    code, output = extract(corpus, out)
    assert code == 2 and "reports.csv, line 2: year" in output
    assert pd.read_csv(out / "documents.csv")["year"].tolist() == [2031]


def test_a_copy_under_another_name_is_reported_and_processed_once(tmp_path):
    single = tmp_path / "single"
    single.mkdir()
    report(single / "verslag-2031.pdf", 2031)
    code, output = extract(single, tmp_path / "alone")
    assert code == 0, output
    doubled = tmp_path / "doubled"
    shutil.copytree(single, doubled)
    shutil.copy(single / "verslag-2031.pdf", doubled / "website-download.pdf")
    code, output = extract(doubled, tmp_path / "out")
    assert code == 1
    errors = pd.read_csv(tmp_path / "out" / "errors.csv")
    assert errors[["doc", "kind"]].values.tolist() == [["website-download.pdf", "duplicate_file"]]
    assert "website-download.pdf has the same content as verslag-2031.pdf" in errors["message"][0]
    assert "1 document(s) succeeded, 1 failed" in output
    alone, out = contents(tmp_path / "alone"), contents(tmp_path / "out")
    tables = [name for name in alone if name.endswith(".csv") and name != "errors.csv"]
    assert len(tables) >= 10 and all(out[name] == alone[name] for name in tables)


def test_an_empty_corpus_is_an_error_and_leaves_the_outputs_alone(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report(corpus / "verslag-2031.pdf", 2031)
    out = tmp_path / "out"
    assert extract(corpus, out)[0] == 0
    before = contents(out)
    (corpus / "verslag-2031.pdf").unlink()
    code, output = extract(corpus, out)
    assert code == 2 and f"no PDF to read in {corpus}" in output
    assert contents(out) == before
    code, output = extract(tmp_path / "nowhere", out)
    assert code == 2 and "does not exist" in output


def test_one_pdf_is_a_corpus(tmp_path):
    pdf = report(tmp_path / "verslag-2031.pdf", 2031)
    report(tmp_path / "other-2032.pdf", 2032)
    code, output = extract(pdf, tmp_path / "out")
    assert code == 0, output
    assert pd.read_csv(tmp_path / "out" / "documents.csv")["source_file"].tolist() == ["verslag-2031.pdf"]


def test_version_and_verbose(tmp_path):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("g40 0.")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report(corpus / "verslag-2031.pdf", 2031)
    code, output = extract(corpus, tmp_path / "out", "-v")
    assert code == 0, output
    assert "verslag-2031.pdf: 2031, 2 pages (0 OCR)" in output and "seconds per stage: documents" in output
    code, output = extract(corpus, tmp_path / "quiet", "--quiet")
    assert code == 0 and "note:" not in output and "1 document(s) succeeded" in output


def test_the_workbook_has_one_sheet_per_table_with_the_csv_rows(shipped_outputs, tmp_path):
    from openpyxl import load_workbook

    from pipeline.tables import write_workbook

    book = load_workbook(shipped_outputs / "g40.xlsx", read_only=True)
    csvs = sorted(path.stem for path in shipped_outputs.glob("*.csv"))
    assert sorted(book.sheetnames) == csvs and len(csvs) >= 11
    for name in csvs:
        table = pd.read_csv(shipped_outputs / f"{name}.csv", keep_default_na=False, dtype=str)
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == list(table.columns) and len(rows) == len(table) + 1, name
    lobby = pd.read_csv(shipped_outputs / "lobby_actions.csv", keep_default_na=False)
    sheet = list(book["lobby_actions"].iter_rows(values_only=True))
    assert [row[sheet[0].index("sentence")] for row in sheet[1:]] == lobby["sentence"].tolist()
    risky = pd.DataFrame({"text": ['=HYPERLINK("http://x")', "gewoon"], "n": [1, 2]})
    write_workbook({"risky": risky}, tmp_path / "a.xlsx")
    cell = load_workbook(tmp_path / "a.xlsx")["risky"]["A2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'
    write_workbook({"risky": risky}, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_tables_carry_labels_pages_and_ids(shipped_outputs):
    read = {
        name: pd.read_csv(shipped_outputs / f"{name}.csv", keep_default_na=False)
        for name in ("lobby_actions", "paragraphs", "mentions", "pillar_entities", "entities", "focus")
    }
    labels = dict(pd.read_csv(MODELS_DIR / "themes.csv")[["theme_id", "label_nl"]].values)
    for name in ("lobby_actions", "paragraphs", "focus"):
        assert (read[name]["theme"].map(labels) == read[name]["theme_label"]).all(), name
    lobby = read["lobby_actions"]
    pages = dict(read["paragraphs"][["paragraph_id", "page"]].values)
    assert (lobby["paragraph_id"].map(pages) == lobby["page"]).all()
    mentioned = dict(read["mentions"][["entity_id", "canonical"]].values)
    for role in ("target", "subject"):
        named = lobby[lobby[role] != ""]
        assert len(named) > 10 and (named[f"{role}_id"] != "").all(), role
        assert (named[f"{role}_id"].map(mentioned) == named[role]).all(), role
    assert (lobby[lobby["target"] == ""]["target_id"] == "").all()
    keys = ["year", "pillar", "entity_type", "canonical"]
    ranked = read["pillar_entities"].merge(read["entities"], on=keys, suffixes=("", "_e"))
    assert len(ranked) == len(read["pillar_entities"]) and (ranked["entity_id"] == ranked["entity_id_e"]).all()


def test_progress_names_each_document_and_counts_documents_and_pages(tmp_path):
    from pipeline.config import Settings
    from pipeline.flow.corpus import extract_corpus

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report(corpus / "a-2031.pdf", 2031)
    report(corpus / "b-2032.pdf", 2032)
    heard: list[tuple[str, int]] = []
    extract_corpus(corpus, Settings(spacy_model="no-such-model", ocr=False), progress=lambda s, n: heard.append((s, n)))
    assert heard[:4] == [
        ("reading a-2031.pdf · 0/2 documents · 0 pages", 0),
        ("a-2031.pdf · 1/2 documents · 2 pages", 1),
        ("reading b-2032.pdf · 1/2 documents · 2 pages", 0),
        ("b-2032.pdf · 2/2 documents · 4 pages", 1),
    ]
    assert [step for step, _ in heard[4:]] == ["themes", "tables and comparison"]


def test_messages_are_plain_single_lines_when_not_on_a_terminal(tmp_path, models):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report(corpus / "verslag-2031.pdf", 2031)
    name = "een-heel-lang-bestandsnaam-dat-niet-in-de-corpusmap-van-de-gebruiker-staat.pdf"
    wrong = g40("extract", "--corpus", str(corpus), "--year", f"{name}=2024", models=models)
    assert wrong.returncode == 2
    assert f"error: --year: '{name}' is not a PDF in {corpus}\n" in wrong.stderr
    unknown = g40("extract", "--bogus", models=models)
    assert unknown.returncode == 2 and "No such option: --bogus" in unknown.stderr
    assert not any(box in unknown.stderr for box in "╭│╰"), unknown.stderr
