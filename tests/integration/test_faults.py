"""The ten faults of issue #16, each on files made here: no wrong numbers, no hang, no lost run."""

import io
import json
import os
import resource
import signal
import subprocess
import sys
import time

import pandas as pd
import psutil
import pytest
from frictionless import validate
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from pipeline import tables
from pipeline.config import Settings
from pipeline.flow.document import process_document
from pipeline.pdf import read_pdf
from tests.conftest import make_pdf, require_binary, run_extract
from tests.hostile import looping_pdf, unmapped_heading_pdf
from tests.integration.test_run import DUTCH, report_pages

RULES_ONLY = ["--spacy-model", "no-such-model", "--no-ocr"]
ONE_JOB = ["--jobs", "1"]  # an option given again later wins


def extract(corpus, out, *options):
    return run_extract(corpus, out, "--no-ocr", *ONE_JOB, *options)


def said(result) -> str:
    """The command's output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def report(corpus, name, year, lines=DUTCH, pages=2):
    return make_pdf(corpus / name, report_pages(year, lines, pages=pages), title=f"Jaarverslag {year}")


def outputs(out):
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


# 1. Two file names with one slug: their rows never merge.
def test_file_names_that_slug_alike_keep_their_own_rows(corpus, tmp_path):
    report(corpus, "G40 jaarverslag.pdf", 2031, DUTCH * 2)
    report(corpus, "g40_jaarverslag.pdf", 2032, DUTCH[:2])
    result = extract(corpus, tmp_path / "out", "--no-cache")
    assert result.exit_code == 0, result.output
    assert "both give doc_id 'g40-jaarverslag'" in said(result)
    out = tmp_path / "out"
    documents = pd.read_csv(out / "documents.csv")
    assert documents[["doc_id", "year"]].values.tolist() == [["g40-jaarverslag", 2031], ["g40-jaarverslag-2", 2032]]
    acts = pd.read_csv(out / "lobby_actions.csv")
    assert acts.groupby("doc_id")["year"].nunique().eq(1).all()
    assert validate(out / "datapackage.json").valid


# 2. A transient failure (here the cache) is retried, reported as what it is, and never replaces good outputs.
def test_a_cache_that_cannot_be_written_keeps_the_earlier_outputs_and_is_not_up_to_date(corpus, tmp_path):
    report(corpus, "a-2031.pdf", 2031)
    out = tmp_path / "out"
    assert extract(corpus, out, "--no-cache").exit_code == 0
    before = outputs(out)
    report(corpus, "b-2032.pdf", 2032, DUTCH[::-1])
    (tmp_path / "not-a-folder").write_text("x")
    result = extract(corpus, out, "--cache", str(tmp_path / "not-a-folder" / "cache"))
    assert result.exit_code == 1
    assert "complete outputs in" in said(result) and "kept as they were" in said(result)
    assert outputs(out) == before
    written = extract(corpus, out, "--cache", str(tmp_path / "not-a-folder" / "cache"), "--keep-going")
    assert written.exit_code == 0
    errors = pd.read_csv(out / "errors.csv")
    assert set(errors["kind"]) == {"cache_unavailable"}
    assert errors["message"].str.contains("also when tried again").all()
    assert json.loads((out / "run.json").read_text())["complete"] is False
    assert "up to date" not in said(extract(corpus, out, "--no-cache"))
    assert len(pd.read_csv(out / "documents.csv")) == 2


# 3. A PDF whose objects refer only to each other: a timeout row, the other documents go on.
def test_a_pdf_that_loops_is_stopped_at_the_time_limit_and_the_others_go_on(corpus, tmp_path):
    looping_pdf(corpus / "lus-2031.pdf")
    report(corpus, "goed-2032.pdf", 2032)
    result = extract(corpus, tmp_path / "out", "--no-cache", "--timeout", "5", "--keep-going")
    assert result.exit_code == 0, result.output
    errors = pd.read_csv(tmp_path / "out" / "errors.csv")
    assert errors[["doc", "kind"]].values.tolist() == [["lus-2031.pdf", "timeout"]]
    assert pd.read_csv(tmp_path / "out" / "documents.csv")["source_file"].tolist() == ["goed-2032.pdf"]


def test_workers_that_loop_are_stopped_at_the_time_limit(corpus, tmp_path):
    looping_pdf(corpus / "lus-2031.pdf")
    looping_pdf(corpus / "lus-2032.pdf", 2032)
    result = extract(corpus, tmp_path / "out", "--no-cache", "--timeout", "3", "--jobs", "2", "--keep-going")
    assert result.exit_code == 0, result.output
    errors = pd.read_csv(tmp_path / "out" / "errors.csv")
    assert errors[["doc", "kind"]].values.tolist() == [["lus-2031.pdf", "timeout"], ["lus-2032.pdf", "timeout"]]
    assert errors["message"].str.contains("also when tried again").all()


def test_ctrl_c_stops_a_parallel_run_at_once_and_leaves_no_workers(corpus, tmp_path):
    looping_pdf(corpus / "lus-2031.pdf")
    looping_pdf(corpus / "lus-2032.pdf", 2032)
    command = [sys.executable, "-m", "pipeline.cli", "extract", "--corpus", str(corpus), "--out", str(tmp_path / "out")]
    running = subprocess.Popen([*command, *RULES_ONLY, "--no-cache", "--jobs", "2"], stderr=subprocess.PIPE, text=True)
    children = started_workers(running)
    assert children, "no worker started"
    time.sleep(2)
    running.send_signal(signal.SIGINT)
    assert running.wait(timeout=20) == 130
    assert "interrupted" in running.stderr.read()
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive


def workers(parent):
    """The live worker processes under `parent` (a killed one may linger as a zombie until it is reaped)."""
    found = []
    for process in parent.children(recursive=True):
        try:
            if "spawn_main" in " ".join(process.cmdline()):
                found.append(process)
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            continue
    return found


def started_workers(running, count=2, seconds=60):
    """The worker processes of a running command, once `count` of them are there (or the time is up)."""
    parent = psutil.Process(running.pid)
    deadline = time.monotonic() + seconds
    while len(workers(parent)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return workers(parent)


# 4. Bounds: a huge page to render, a page of tiny print, pages released, the type told from the first bytes.
def test_a_huge_page_and_a_page_of_tiny_print_become_unreadable_pages(corpus, tmp_path):
    require_binary("tesseract")
    huge = canvas.Canvas(str(corpus / "groot-2031.pdf"), pagesize=(14400, 14400))
    buffer = io.BytesIO()
    Image.new("L", (20, 20), 128).save(buffer, format="PNG")
    huge.drawImage(canvas.ImageReader(io.BytesIO(buffer.getvalue())), 0, 0, 14400, 14400)
    huge.showPage()
    huge.setFont("Helvetica", 9.5)
    for i, line in enumerate(DUTCH * 3):
        huge.drawString(70, 14000 - 13 * i, line)
    huge.showPage()
    huge.save()
    tiny = canvas.Canvas(str(corpus / "klein-2032.pdf"), pagesize=A4)
    tiny.setFont("Helvetica", 1)
    for step in range(760):
        tiny.drawString(1, 841 - step * 1.1, " ".join(DUTCH)[:200])
    tiny.showPage()
    tiny.setFont("Helvetica", 9.5)
    for i, line in enumerate(DUTCH * 3):
        tiny.drawString(70, 700 - 13 * i, line)
    tiny.showPage()
    tiny.save()
    settings = Settings(spacy_model="no-such-model", year_overrides={"groot-2031.pdf": 2031, "klein-2032.pdf": 2032})
    for name in ("groot-2031.pdf", "klein-2032.pdf"):
        result = process_document(corpus / name, settings)
        assert [(e.page, e.kind) for e in result.errors if e.page] == [(1, "unreadable_page")], result.errors
        assert [p.status for p in result.report.pages] == ["unreadable", "text"]


def test_pages_are_released_as_they_are_read(tmp_path):
    import tracemalloc

    def working_memory(pages):
        """Peak memory while reading, above what the read document keeps (its words)."""
        path = make_pdf(tmp_path / f"{pages}.pdf", report_pages(2031, DUTCH * 4, pages=pages))
        tracemalloc.start()
        document = read_pdf(path, ocr=False)
        kept, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len(document.pages) == pages
        return top - kept

    # One page's parsed objects at a time: the same for 16 pages as for 2 (8 × as much when pages were kept).
    assert working_memory(16) < 1.5 * working_memory(2)


def test_the_file_type_is_told_from_the_first_bytes_only(tmp_path):
    big = tmp_path / "groot.pdf"
    with big.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(4 << 30)
    script = (
        "import resource, sys; from pathlib import Path; "
        "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
        "from pipeline.pdf import PdfError, check_signature\n"
        "try:\n    check_signature(Path(sys.argv[1]))\nexcept PdfError as error:\n    print(error)"
    )
    checked = subprocess.run([sys.executable, "-c", script, str(big)], capture_output=True, text=True, timeout=60)
    assert "ZIP container" in checked.stdout, checked.stderr
    assert resource.getrlimit(resource.RLIMIT_AS)  # the limit was the child's only


def test_a_worker_cannot_take_more_memory_than_its_limit():
    script = (
        "from pipeline.flow.workers import start_worker\n"
        "start_worker(512)\n"
        "try:\n    block = bytearray(1 << 30)\nexcept MemoryError:\n    print('refused')"
    )
    checked = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert checked.stdout.strip() == "refused", checked.stderr


# 5. and 9. The file system: odd names, links to nowhere, loops, folders and FIFOs named *.pdf.
def test_every_entry_named_pdf_that_is_not_a_readable_file_gets_a_row(corpus, tmp_path):
    report(corpus, "goed-2031.pdf", 2031)
    os.close(os.open(os.fsencode(corpus) + b"/verslag-\xff-2032.pdf", os.O_CREAT | os.O_WRONLY))
    (corpus / "verslag\r2033.pdf").write_bytes(b"%PDF-1.4\n")
    (corpus / "nergens.pdf").symlink_to(tmp_path / "bestaat-niet.pdf")
    (corpus / "lus.pdf").symlink_to(corpus / "lus.pdf")
    (corpus / "map.pdf").mkdir()
    os.mkfifo(corpus / "fifo.pdf")
    result = extract(corpus, tmp_path / "out", "--no-cache")
    assert result.exit_code == 1
    assert "Traceback" not in said(result)
    assert "1 document(s) succeeded, 6 failed" in said(result)
    errors = pd.read_csv(tmp_path / "out" / "errors.csv", keep_default_na=False)
    assert errors[["doc", "kind"]].values.tolist() == [
        ["fifo.pdf", "not_pdf"],
        ["lus.pdf", "unreadable_file"],
        ["map.pdf", "not_pdf"],
        ["nergens.pdf", "unreadable_file"],
        ["verslag-\\xff-2032.pdf", "file_name"],
        ["verslag\\r2033.pdf", "file_name"],
    ]


def test_a_file_without_read_permission_gets_a_row_and_the_others_go_on(corpus, tmp_path, monkeypatch):
    """The tests run as root, whom permissions do not stop: the check the tool makes is answered `no` here."""
    report(corpus, "goed-2031.pdf", 2031)
    report(corpus, "geheim-2032.pdf", 2032)
    locked = corpus / "geheim-2032.pdf"
    real_access = os.access
    monkeypatch.setattr(
        "pipeline.config.os.access", lambda path, mode: False if path == locked else real_access(path, mode)
    )
    result = extract(corpus, tmp_path / "out", "--no-cache")
    assert result.exit_code == 1
    assert "Traceback" not in said(result)
    errors = pd.read_csv(tmp_path / "out" / "errors.csv", keep_default_na=False)
    assert errors[["doc", "kind"]].values.tolist() == [["geheim-2032.pdf", "unreadable_file"]]
    documents = pd.read_csv(tmp_path / "out" / "documents.csv", keep_default_na=False)
    assert documents["source_file"].tolist() == ["goed-2031.pdf"]


def test_an_out_that_is_a_file_or_cannot_be_written_is_one_line_and_exit_2(corpus, tmp_path, monkeypatch):
    report(corpus, "goed-2031.pdf", 2031)
    (tmp_path / "bestand").write_text("x")
    result = extract(corpus, tmp_path / "bestand", "--no-cache")
    assert result.exit_code == 2
    assert "is a file" in said(result) and len(said(result)) < 200

    def full(frame, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tables, "write_table", full)
    result = extract(corpus, tmp_path / "out", "--no-cache")
    assert result.exit_code == 2
    assert "No space left on device" in said(result) and "Traceback" not in said(result)


# 6. A carriage return inside a link URI.
def test_a_carriage_return_in_a_link_does_not_make_a_phantom_row(corpus, tmp_path):
    path = corpus / "link-2031.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Jaarverslag 2031")
    pdf.setFont("Helvetica", 9.5)
    for i, line in enumerate(DUTCH * 2):
        pdf.drawString(70, 700 - 13 * i, line)
    pdf.linkURL("https://example.org/a\rb,c", (70, 690, 300, 710))
    pdf.showPage()
    pdf.save()
    assert extract(corpus, tmp_path / "out", "--no-cache", "--keep-going").exit_code == 0  # no pillar: `structure`
    links = tables.read_table(tmp_path / "out" / "links.csv", ["doc_id", "url"])
    assert links["url"].tolist() == ["https://example.org/a\nb,c"]


# 7. One atomic switch; dead runs' folders removed.
def test_the_outputs_switch_in_one_step_and_dead_runs_are_cleaned(corpus, tmp_path):
    report(corpus, "a-2031.pdf", 2031)
    out = tmp_path / "out"
    assert extract(corpus, out, "--no-cache").exit_code == 0
    (out / ".sets" / "20000101T000000-dood").mkdir()
    (out / ".staging-oud").mkdir()
    report(corpus, "b-2032.pdf", 2032, DUTCH[::-1])
    assert extract(corpus, out, "--no-cache").exit_code == 0
    assert not (out / ".staging-oud").exists()
    assert [p.name for p in (out / ".sets").iterdir()] == [(out / ".current").resolve().name]
    for name in outputs(out):
        assert os.readlink(out / name) == f".current/{name}"


# 8. The cache: JSON only, an altered entry is recomputed with a note.
def test_an_altered_cache_entry_is_noticed_and_recomputed(corpus, tmp_path):
    report(corpus, "a-2031.pdf", 2031)
    cache = tmp_path / "cache"
    out = tmp_path / "out"
    assert extract(corpus, out, "--cache", str(cache)).exit_code == 0
    before = outputs(out)
    entries = sorted(cache.rglob("*"))
    assert [p.suffix for p in entries if p.is_file()] == [".json", ".json"]
    structure = next(cache.glob("structure/*.json"))
    structure.write_text(structure.read_text(encoding="utf-8").replace('"Fysiek"', '"Fysiekk"'), encoding="utf-8")
    result = extract(corpus, out, "--cache", str(cache), "--force")
    assert result.exit_code == 0
    assert "was altered (checksum differs): recomputed" in said(result)
    assert {k: v for k, v in outputs(out).items() if k != "run.json"} == {
        k: v for k, v in before.items() if k != "run.json"
    }


# 10. A page with one line in a font without a Unicode map.
def test_only_the_unmapped_line_is_ocrd_and_its_heading_still_counts(corpus, tmp_path):
    require_binary("tesseract")
    path = unmapped_heading_pdf(corpus / "gemengd-2031.pdf", "Pijler Fysiek", DUTCH * 2)
    settings = Settings(spacy_model="no-such-model", year_overrides={path.name: 2031})
    with_ocr = process_document(path, settings)
    assert {p.pillar for p in with_ocr.report.paragraphs} == {"Fysiek"}
    assert with_ocr.report.pages[0].status == "text"
    without = process_document(path, Settings(spacy_model="no-such-model", ocr=False, year_overrides={path.name: 2031}))
    assert "(cid:" not in " ".join(p.text for p in without.report.paragraphs)
    assert any("without a Unicode map" in w for w in without.report.warnings)


# Fault injection: a worker killed, and separately the parent, during a `--jobs 2` run.
@pytest.fixture
def grown_corpus(corpus, tmp_path):
    """A corpus with complete outputs of two reports, then two more reports added (work for a new run)."""
    report(corpus, "a-2031.pdf", 2031)
    report(corpus, "b-2032.pdf", 2032, DUTCH[::-1])
    out = tmp_path / "out"
    assert extract(corpus, out, "--no-cache").exit_code == 0
    report(corpus, "c-2033.pdf", 2033, DUTCH * 6, pages=4)
    report(corpus, "d-2034.pdf", 2034, DUTCH[::-1] * 6, pages=4)
    command = [sys.executable, "-m", "pipeline.cli", "extract", "--corpus", str(corpus), "--out", str(out)]
    return out, [*command, *RULES_ONLY, "--no-cache", "--jobs", "2"], outputs(out)


def test_killed_workers_leave_the_earlier_outputs_and_the_next_run_redoes_the_work(grown_corpus):
    out, command, before = grown_corpus
    running = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(running.pid)
    deadline = time.monotonic() + 180
    while running.poll() is None and time.monotonic() < deadline:
        for worker in workers(parent):
            worker.kill()
        time.sleep(0.2)
    assert running.wait(timeout=30) == 1
    message = " ".join(running.stderr.read().split())
    assert "worker process died" in message and "kept as they were" in message, message
    assert outputs(out) == before
    again = subprocess.run([*command, "--jobs", "1", "--keep-going"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "up to date" not in again.stderr
    assert len(pd.read_csv(out / "documents.csv")) == 4


def test_a_killed_parent_takes_its_workers_and_leaves_the_earlier_outputs(grown_corpus):
    out, command, before = grown_corpus
    running = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    parent = psutil.Process(running.pid)
    children = started_workers(running)
    assert children, "no worker started"
    parent.kill()
    running.wait()
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive
    assert outputs(out) == before
    again = subprocess.run([*command, "--jobs", "1", "--keep-going"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert len(pd.read_csv(out / "documents.csv")) == 4
