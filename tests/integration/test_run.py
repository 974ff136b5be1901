"""Running a corpus: bad inputs become errors.csv rows, outputs are atomic and locked, the cache and executors agree."""

import io
import os
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import pypdfium2
import pytest
from filelock import FileLock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.lib import pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from pipeline import tables
from pipeline.cli import app
from pipeline.config import MODELS_DIR, RunOptions, Settings
from pipeline.flow.corpus import extract_corpus
from pipeline.flow.document import process_document
from pipeline.flow.outputs import write_outputs
from tests.conftest import SHIPPED_PDF, Text, body_lines, make_pdf, run_extract

runner = CliRunner()
DUTCH = [
    "De gemeenten vragen het kabinet om meer ruimte voor de woningbouw in de regio.",
    "Wij pleiten bij het ministerie van BZK voor betaalbare huurwoningen en snellere procedures.",
    "Ook de jeugdzorg en de schuldhulpverlening vragen om structurele financiering van het Rijk.",
    "Met de provincies maakten we afspraken over de energietransitie en de warmtenetten.",
    "De binnensteden veranderen: winkels verdwijnen en er komt ruimte voor wonen en werken.",
]
ENGLISH = [
    "The network of cities asked the national government for more money for housing and youth care.",
    "We met the minister to discuss the energy transition and the future of our city centres.",
    "Our members share knowledge about poverty, debt relief and the labour market every month.",
    "This summary of the annual report is written for our international partners and friends.",
    "The next year will bring elections, new coalitions and new chances for our region.",
]


def report_pages(year: int, lines: list[str], pages: int = 2) -> list[list[Text]]:
    cover = [Text(f"Jaarverslag {year}", y=200, size=30, bold=True), Text("Testnetwerk", y=240, size=16)]
    body = [[Text("Pijler Fysiek", y=80, size=15, bold=True), *body_lines(lines, start=110)] for _ in range(pages - 1)]
    return [cover, *body]


def encrypted_pdf(path, user_password: str, year: int):
    pdf = canvas.Canvas(
        str(path), pagesize=A4, encrypt=pdfencrypt.StandardEncryption(user_password, ownerPassword="eigenaar")
    )
    pdf.setTitle(f"Jaarverslag {year}")
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawString(70, 640, f"Jaarverslag {year}")
    pdf.showPage()
    pdf.setFont("Helvetica-Bold", 15)
    pdf.drawString(70, 760, "Pijler Fysiek")
    pdf.setFont("Helvetica", 9.5)
    for i, line in enumerate(DUTCH * 2):
        pdf.drawString(70, 700 - 13 * i, line)
    pdf.showPage()
    pdf.save()


def image_only_pdf(path):
    document = pypdfium2.PdfDocument(SHIPPED_PDF)
    image = document[4].render(scale=100 / 72).to_pil().convert("RGB")
    document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=100)
    path.write_bytes(buffer.getvalue())


ZERO_PAGES = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory):
    """One good report and one file of every kind of bad input, with the errors.csv rows each must give."""
    corpus = tmp_path_factory.mktemp("corpus")
    make_pdf(corpus / "goed 2031.pdf", report_pages(2031, DUTCH * 3), title="Jaarverslag 2031")
    (corpus / "word-bestand-2032.pdf").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    truncated = make_pdf(corpus / "afgebroken-2033.pdf", report_pages(2033, DUTCH * 3), title="Jaarverslag 2033")
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 3])
    encrypted_pdf(corpus / "met-wachtwoord-2034.pdf", "geheim", 2034)
    encrypted_pdf(corpus / "leeg-wachtwoord-2035.pdf", "", 2035)
    (corpus / "nul-paginas-2036.pdf").write_bytes(ZERO_PAGES)
    image_only_pdf(corpus / "scan-2037.pdf")
    make_pdf(corpus / "summary-2038.pdf", report_pages(2038, ENGLISH * 3), title="Annual report 2038")
    make_pdf(corpus / "zonder-jaar.pdf", report_pages(2031, DUTCH, pages=2)[1:] * 2)
    make_pdf(corpus / "dubbel-a-2039.pdf", report_pages(2039, DUTCH), title="Jaarverslag 2039")
    make_pdf(corpus / "dubbel-b-2039.pdf", report_pages(2039, DUTCH[::-1]), title="Jaarverslag 2039")
    make_pdf(corpus / "te-groot-2040.pdf", report_pages(2040, DUTCH, pages=6), title="Jaarverslag 2040")
    out = tmp_path_factory.mktemp("out")
    result = run_extract(corpus, out, "--no-ocr", "--no-cache", "--max-pages", "5", "--jobs", "1")
    return corpus, out, result


EXPECTED_ERRORS = [
    ("afgebroken-2033.pdf", "corrupt"),
    ("dubbel-a-2039.pdf", "duplicate_year"),
    ("dubbel-b-2039.pdf", "duplicate_year"),
    ("met-wachtwoord-2034.pdf", "encrypted"),
    ("nul-paginas-2036.pdf", "zero_pages"),
    ("scan-2037.pdf", "no_text"),
    ("summary-2038.pdf", "not_dutch"),
    ("te-groot-2040.pdf", "too_large"),
    ("word-bestand-2032.pdf", "not_pdf"),
    ("zonder-jaar.pdf", "year"),
]


def test_every_bad_input_is_one_specific_error_row(bad_corpus):
    _, out, result = bad_corpus
    errors = pd.read_csv(out / "errors.csv", keep_default_na=False)
    assert list(zip(errors["doc"], errors["kind"], strict=True)) == EXPECTED_ERRORS
    assert errors["message"].str.len().gt(15).all()
    assert "Traceback" not in result.output
    assert result.exit_code == 1
    assert "2 document(s) succeeded, 10 failed" in result.output


def test_the_good_documents_are_processed_and_counted(bad_corpus):
    _, out, _ = bad_corpus
    documents = pd.read_csv(out / "documents.csv")
    assert documents["source_file"].tolist() == [
        "goed 2031.pdf",
        "leeg-wachtwoord-2035.pdf",
        "scan-2037.pdf",
        "summary-2038.pdf",
    ]
    paragraphs = pd.read_csv(out / "paragraphs.csv", keep_default_na=False)
    english = paragraphs[paragraphs["doc_id"] == "summary-2038"]
    assert len(english) > 0 and (english["theme"] == "").all()
    mentions = pd.read_csv(out / "mentions.csv")
    assert set(mentions["doc_id"]) == {"goed-2031", "leeg-wachtwoord-2035"}


def test_every_page_is_in_a_paragraph_or_skipped_with_a_reason(bad_corpus):
    _, out, _ = bad_corpus
    pages = pd.read_csv(out / "pages.csv")
    documents = pd.read_csv(out / "documents.csv")
    assert pages.groupby("doc_id").size().to_dict() == dict(zip(documents["doc_id"], documents["n_pages"], strict=True))
    assert (
        (pages["n_paragraphs"] > 0) | pages["status"].isin(["cover", "toc", "blank", "ocr_unavailable", "unreadable"])
    ).all()
    assert pages[pages["doc_id"] == "scan-2037"]["status"].tolist() == ["ocr_unavailable"]


def test_keep_going_exits_zero_and_still_lists_the_errors(bad_corpus, tmp_path):
    corpus, _, _ = bad_corpus
    result = run_extract(corpus, tmp_path, "--no-ocr", "--no-cache", "--max-pages", "5", "--keep-going", "--jobs", "1")
    assert result.exit_code == 0
    assert len(pd.read_csv(tmp_path / "errors.csv")) == len(EXPECTED_ERRORS)


def test_odd_file_names_work_and_nothing_is_written_outside_out(tmp_path):
    corpus = tmp_path / "corpus met spatie"
    corpus.mkdir()
    make_pdf(
        corpus / 'Jaarverslag ’s-Hertogenbosch "concept" 2031.pdf',
        report_pages(2031, DUTCH * 2),
        title="Jaarverslag 2031",
    )
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    out = tmp_path / "uitvoer"
    result = run_extract(corpus, out, "--no-cache", "--quiet")
    assert result.exit_code == 0, result.output
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if out not in p.parents and p != out)
    assert after == before
    assert pd.read_csv(out / "documents.csv")["doc_id"].tolist() == ["jaarverslag-s-hertogenbosch-concept-2031"]


def test_spreadsheet_formulas_in_the_text_are_neutralised(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    formulas = [
        '=HYPERLINK("http://example.org","klik") staat hier.',
        "+cmd|' /C calc'!A0 en meer tekst.",
        "@SUM(A1:A2) als laatste regel.",
    ]
    pages = [
        report_pages(2031, [])[0],
        *(
            [Text(f"Pijler {pillar}", y=80, size=15, bold=True), Text(line, y=110, size=9.5)]
            for pillar, line in zip(["Fysiek", "Sociaal", "Overig"], formulas, strict=True)
        ),
    ]
    make_pdf(corpus / "formules-2031.pdf", pages, title="Jaarverslag 2031")
    result = run_extract(corpus, tmp_path / "out", "--no-cache", "--quiet")
    assert result.exit_code == 0, result.output
    texts = (tmp_path / "out" / "paragraphs.csv").read_text(encoding="utf-8")
    for formula in ["=HYPERLINK", "+cmd", "@SUM"]:
        assert f"'{formula}" in texts or f"\"'{formula}" in texts
        assert f",{formula}" not in texts and f',"{formula}' not in texts


def test_a_second_run_on_the_same_out_folder_is_refused(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_pdf(corpus / "a-2031.pdf", report_pages(2031, DUTCH), title="Jaarverslag 2031")
    out = tmp_path / "out"
    out.mkdir()
    with FileLock(out / ".g40.lock"):
        result = runner.invoke(
            app, ["extract", "--corpus", str(corpus), "--out", str(out), "--spacy-model", "no-such-model", "--no-cache"]
        )
    assert result.exit_code == 3
    assert "another g40 run is writing to" in result.output
    assert not (out / "paragraphs.csv").exists()


def test_a_killed_run_leaves_the_previous_outputs_byte_identical(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / SHIPPED_PDF.name).write_bytes(SHIPPED_PDF.read_bytes())
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "pipeline.cli",
        "extract",
        "--corpus",
        str(corpus),
        "--out",
        str(out),
        "--spacy-model",
        "no-such-model",
        "--no-cache",
        "--quiet",
        "--jobs",
        "1",
    ]
    subprocess.run(command, check=True, capture_output=True)
    before = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    assert {"paragraphs.csv", "focus.csv", "errors.csv"} <= set(before)
    make_pdf(corpus / "extra-2031.pdf", report_pages(2031, DUTCH * 40, pages=12), title="Jaarverslag 2031")
    running = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    assert running.poll() is None, "the run ended before it could be interrupted"
    os.kill(running.pid, signal.SIGKILL)
    running.wait()
    assert {p.name: p.read_bytes() for p in out.glob("*.csv")} == before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=4000), st.integers(min_value=0, max_value=255)),
        min_size=1,
        max_size=8,
    ),
    st.integers(min_value=200, max_value=5000),
)
def test_mutated_pdf_bytes_end_in_a_result_or_an_error_never_a_traceback(tmp_path_factory, flips, cut):
    folder = tmp_path_factory.mktemp("fuzz")
    original = make_pdf(folder / "origineel-2031.pdf", report_pages(2031, DUTCH), title="Jaarverslag 2031").read_bytes()
    mutated = bytearray(original[:cut])
    for position, value in flips:
        if position < len(mutated):
            mutated[position] = value
    target = folder / "gemuteerd-2031.pdf"
    target.write_bytes(bytes(mutated))
    result = process_document(target, Settings(spacy_model="no-such-model", ocr=False))
    assert all(e.kind != "internal" for e in result.errors), result.errors


def test_cache_and_parallel_runs_give_the_same_tables(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for year in (2031, 2032, 2033):
        make_pdf(
            corpus / f"verslag-{year}.pdf", report_pages(year, DUTCH[year % 5 :] + DUTCH), title=f"Jaarverslag {year}"
        )
    quiet = Settings(spacy_model="no-such-model", ocr=False)
    single = extract_corpus(corpus, quiet).tables
    cache = tmp_path / "cache"
    cold = extract_corpus(corpus, quiet, RunOptions(jobs=2, cache_dir=cache))
    warm = extract_corpus(corpus, quiet, RunOptions(jobs=1, cache_dir=cache))
    assert [d.cached for d in cold.documents] == [frozenset()] * 3
    assert [d.cached for d in warm.documents] == [frozenset({"structure", "nlp"})] * 3
    for name, frame in single.items():
        pd.testing.assert_frame_equal(cold.tables[name], frame)
        pd.testing.assert_frame_equal(warm.tables[name], frame)


def test_the_command_with_workers_writes_what_one_process_writes(tmp_path):
    """The workers read the documents and draw the report's years: tables, workbook sheets and report.html
    are the same bytes as when one process does everything."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for year in (2031, 2032, 2033):
        make_pdf(
            corpus / f"verslag-{year}.pdf", report_pages(year, DUTCH[year % 5 :] + DUTCH), title=f"Jaarverslag {year}"
        )
    outputs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}"
        result = run_extract(corpus, out, "--no-cache", "--no-ocr", "--jobs", jobs)
        assert result.exit_code == 0, result.output
        outputs[jobs] = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix in (".csv", ".html")}
    assert "report.html" in outputs["2"] and outputs["2"] == outputs["1"]


def test_the_cache_redoes_exactly_what_an_edit_affects(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_pdf(corpus / "verslag-2031.pdf", report_pages(2031, DUTCH), title="Jaarverslag 2031")
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    settings = Settings(spacy_model="no-such-model", ocr=False, models_dir=models)
    options = RunOptions(cache_dir=tmp_path / "cache")

    def cached_after(edit) -> frozenset[str]:
        edit()
        return extract_corpus(corpus, settings, options).documents[0].cached

    assert cached_after(lambda: None) == frozenset()
    assert cached_after(lambda: None) == {"structure", "nlp"}
    curation = models / "curation.csv"
    assert cached_after(lambda: curation.write_text(curation.read_text() + "drop,organisation,Rijksoverheid,,\n")) == {
        "structure"
    }
    pillars = models / "pillars.csv"
    assert (
        cached_after(lambda: pillars.write_text(pillars.read_text() + "pijler woningbouw,Fysiek,test\n")) == frozenset()
    )
    assert (
        cached_after(
            lambda: (corpus / "verslag-2031.pdf").write_bytes((corpus / "verslag-2031.pdf").read_bytes() + b"\n")
        )
        == frozenset()
    )


def test_a_dask_cluster_gives_the_same_tables(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for year in (2031, 2032):
        make_pdf(corpus / f"verslag-{year}.pdf", report_pages(year, DUTCH), title=f"Jaarverslag {year}")
    quiet = Settings(spacy_model="no-such-model", ocr=False)
    single = extract_corpus(corpus, quiet).tables
    on_dask = extract_corpus(corpus, quiet, RunOptions(jobs=2, executor="dask")).tables
    for name, frame in single.items():
        pd.testing.assert_frame_equal(on_dask[name], frame)


def test_a_failure_while_writing_leaves_the_previous_outputs_whole(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_pdf(corpus / "verslag-2031.pdf", report_pages(2031, DUTCH), title="Jaarverslag 2031")
    out = tmp_path / "out"
    quiet = Settings(spacy_model="no-such-model", ocr=False)
    write_outputs(extract_corpus(corpus, quiet), out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    make_pdf(corpus / "verslag-2032.pdf", report_pages(2032, DUTCH[::-1]), title="Jaarverslag 2032")
    result = extract_corpus(corpus, quiet)
    written = []

    def write_then_fail(frame, path):
        if len(written) == 5:
            raise OSError("disk full")
        written.append(path.name)
        frame.to_csv(path)

    monkeypatch.setattr(tables, "write_table", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(result, out)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert [p.name for p in (out / ".sets").iterdir()] == [(out / ".current").resolve().name]
