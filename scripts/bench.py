"""`make bench`: time every stage on the shipped report and on a generated 40-report corpus.

Writes `outputs/bench.csv` and prints it. Measured, never asserted: targets are compared in the README.
The generated corpus is 40 byte-distinct copies of the shipped report (one year each), so every run does
the full work; the pipeline from PDFs to tables is compared with pdfplumber's bare `extract_words` on the same files, and
the whole command is timed too. Memory of the command runs is that of the command and its workers.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pdfplumber
import psutil
from rich.console import Console
from rich.table import Table

from pipeline import tables
from pipeline.config import DEFAULT_CORPUS, DEFAULT_OUT, RunOptions, Settings
from pipeline.flow.corpus import extract_corpus
from pipeline.flow.document import analyse_report, nlp_for
from pipeline.pdf import ocr_page, read_pdf, tesseract_available
from pipeline.records import DocumentResult
from pipeline.report import render_report
from pipeline.schema import load_vocabularies
from pipeline.structure import load_aliases, structure_report
from pipeline.tables import build_tables
from pipeline.themes import assign_themes

SHIPPED = DEFAULT_CORPUS / "g40-jaarverslag-2023.pdf"
CORPUS_SIZE = 40
FIRST_YEAR = 1990
COLUMNS = [
    "scenario",
    "stage",
    "documents",
    "pages",
    "words",
    "seconds",
    "pages_per_s",
    "words_per_s",
    "peak_rss_mib",
    "ratio_to_extract_words",
]


class PeakMemory:
    """Peak resident memory of this process and its children, or of the children only (a measured
    subprocess and its workers), sampled every 50 ms."""

    def __init__(self, children_only: bool) -> None:
        self.children_only = children_only
        self.peak = 0
        self.running = False

    def sample(self) -> int:
        """Resident memory now, in bytes."""
        process = psutil.Process()
        total = 0 if self.children_only else process.memory_info().rss
        for child in process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                continue
        return total

    def watch(self) -> None:
        """Sample until stopped."""
        while self.running:
            self.peak = max(self.peak, self.sample())
            time.sleep(0.05)

    def __enter__(self) -> PeakMemory:
        self.running, self.peak = True, self.sample()
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.running = False
        self.thread.join()


def measure(
    scenario: str,
    stage: str,
    documents: int,
    pages: int,
    words: int,
    work: Callable[[], Any],
    rows: list[dict],
    subprocess_only: bool = False,
) -> Any:
    with PeakMemory(children_only=subprocess_only) as memory:
        start = time.perf_counter()
        value = work()
        seconds = time.perf_counter() - start
    rows.append(
        {
            "scenario": scenario,
            "stage": stage,
            "documents": documents,
            "pages": pages,
            "words": words,
            "seconds": round(seconds, 3),
            "pages_per_s": round(pages / seconds, 1) if seconds else None,
            "words_per_s": round(words / seconds) if seconds else None,
            "peak_rss_mib": round(memory.peak / 2**20),
        }
    )
    return value


def bare_extract_words(paths: list[Path]) -> int:
    words = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            words += sum(len(page.extract_words()) for page in pdf.pages)
    return words


def extract_command(corpus: Path, out: Path, *options: str) -> list[str]:
    """`g40 extract` of CORPUS into OUT as a user runs it: a fresh Python process, start-up included."""
    return [sys.executable, "-m", "pipeline.cli", "extract", "--corpus", str(corpus), "--out", str(out), *options]


def shipped_stages(rows: list[dict]) -> None:
    """Each stage once on the shipped report, in one process (imports and the spaCy build not counted)."""
    settings = Settings(spacy_model="nl_core_news_sm")
    nlp_for(settings.spacy_model, settings.models_dir)
    words = bare_extract_words([SHIPPED])
    pages = len(read_pdf(SHIPPED, ocr=False).pages)
    name = "shipped report"
    measure(name, "pdfplumber extract_words (bare)", 1, pages, words, lambda: bare_extract_words([SHIPPED]), rows)
    pdf = measure(name, "PDF reading", 1, pages, words, lambda: read_pdf(SHIPPED, ocr=False), rows)
    if tesseract_available():
        measure(name, "OCR (one page, 300 dpi)", 1, 1, 0, lambda: ocr_page(SHIPPED, 4, 595.0, 842.0), rows)
    report = measure(
        name, "cleaning and structure", 1, pages, words, lambda: structure_report(pdf, load_aliases()), rows
    )
    mentions, acts, _, _ = measure(
        name, "NLP (entities, lobbying acts)", 1, pages, words, lambda: analyse_report(report, settings), rows
    )
    document = DocumentResult(SHIPPED.name, report, mentions, acts)
    paragraphs = tables.paragraph_frame([report])
    themes, _ = measure(
        name, "theme classification", 1, pages, words, lambda: assign_themes(paragraphs, settings.models_dir), rows
    )
    built = measure(name, "tables", 1, pages, words, lambda: build_tables([document], paragraphs, themes), rows)
    measure(
        name,
        "report (HTML with SVG charts)",
        1,
        pages,
        words,
        lambda: render_report(built, load_vocabularies(settings.models_dir)),
        rows,
    )


def command_runs(rows: list[dict]) -> None:
    """`g40 extract` as a user runs it, start-up included: cold (empty cache) and warm (nothing changed)."""
    with tempfile.TemporaryDirectory() as folder:
        corpus, out, cache = Path(folder, "corpus"), Path(folder, "out"), Path(folder, "cache")
        corpus.mkdir()
        shutil.copy(SHIPPED, corpus)
        command = extract_command(corpus, out, "--cache", str(cache), "--quiet")
        pages = len(read_pdf(SHIPPED, ocr=False).pages)
        words = bare_extract_words([SHIPPED])
        runs = {
            "g40 extract, cold (empty cache, start-up included)": command,
            "g40 extract, warm rerun (nothing changed: up to date)": command,
            "g40 extract --force, every document from the cache": [*command, "--force"],
        }
        for stage, arguments in runs.items():
            measure(
                "shipped report",
                stage,
                1,
                pages,
                words,
                lambda: subprocess.run(arguments, check=True, capture_output=True),  # noqa: B023
                rows,
                subprocess_only=True,
            )


def generated_corpus(folder: Path) -> list[Path]:
    data = SHIPPED.read_bytes()
    paths = []
    for i in range(CORPUS_SIZE):
        path = folder / f"jaarverslag-{FIRST_YEAR + i}.pdf"
        path.write_bytes(data + f"\n% bench copy {i}\n".encode())
        paths.append(path)
    return paths


def corpus_runs(rows: list[dict]) -> None:
    """The pipeline from PDFs to tables (reading, structure, NLP, themes, tables, comparison) in this process,
    with one and two jobs; then the whole `g40 extract` command (report included) in a subprocess, whose
    memory is that of the command and its workers."""
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder, "corpus")
        corpus.mkdir()
        paths = generated_corpus(corpus)
        overrides = {p.name: FIRST_YEAR + i for i, p in enumerate(paths)}
        pages = CORPUS_SIZE * len(read_pdf(SHIPPED, ocr=False).pages)
        words = bare_extract_words(paths[:1]) * CORPUS_SIZE
        name = f"generated corpus ({CORPUS_SIZE} reports)"
        measure(
            name, "pdfplumber extract_words (bare)", CORPUS_SIZE, pages, words, lambda: bare_extract_words(paths), rows
        )
        for jobs in (1, 2):
            options = RunOptions(jobs=jobs)
            measure(
                name,
                f"pipeline PDF to tables, --jobs {jobs}",
                CORPUS_SIZE,
                pages,
                words,
                lambda: extract_corpus(corpus, Settings(year_overrides=overrides), options),  # noqa: B023
                rows,
            )
        years = [f"--year={file}={year}" for file, year in overrides.items()]
        command = extract_command(corpus, Path(folder, "out"), "--no-cache", "--quiet", "--jobs", "2", *years)
        measure(
            name,
            "g40 extract --jobs 2 (start-up, report for 40 years)",
            CORPUS_SIZE,
            pages,
            words,
            lambda: subprocess.run(command, check=True, capture_output=True),
            rows,
            subprocess_only=True,
        )


LONG_REPORT_PAGES = 1000
BODY = (
    "De gemeenten vragen het kabinet om meer ruimte voor de woningbouw in de regio en voor snellere procedures.",
    "Wij pleiten bij het ministerie van BZK voor betaalbare huurwoningen, goede jeugdzorg en schuldhulpverlening.",
    "Met de provincies maakten we afspraken over de energietransitie, de warmtenetten en de binnensteden.",
)


def long_report(path: Path, pages: int) -> Path:
    """A text report of `pages` pages: a cover, then per page a pillar heading and 45 lines of body text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Jaarverslag 2031")
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawString(70, 640, "Jaarverslag 2031")
    pdf.showPage()
    for page in range(1, pages):
        pdf.setFont("Helvetica-Bold", 15)
        pdf.drawString(70, 770, ("Pijler Fysiek", "Pijler Sociaal", "Pijler Economie en werk")[page // 100 % 3])
        pdf.setFont("Helvetica", 9.5)
        for line in range(45):
            pdf.drawString(70, 740 - 14 * line, BODY[(page + line) % 3])
        pdf.showPage()
    pdf.save()
    return path


def long_report_runs(rows: list[dict]) -> None:
    """Peak memory of `g40 extract` on one 1,000-page text report (target: under 1.5 GiB), and the cost of
    a page of 1 pt print, which the density guard refuses before parsing it (target: a few seconds)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder, "corpus")
        corpus.mkdir()
        path = long_report(corpus / "lang-2031.pdf", LONG_REPORT_PAGES)
        command = extract_command(corpus, Path(folder, "out"), "--no-cache", "--quiet", "--no-ocr", "--timeout", "7200")
        measure(
            f"one text report of {LONG_REPORT_PAGES} pages",
            "g40 extract (start-up and report included)",
            1,
            LONG_REPORT_PAGES,
            0,
            lambda: subprocess.run(command, check=True, capture_output=True),
            rows,
            subprocess_only=True,
        )
        tiny = canvas.Canvas(str(path.with_name("klein.pdf")), pagesize=A4)
        tiny.setFont("Helvetica", 1)
        for step in range(760):
            tiny.drawString(1, 841 - step * 1.1, " ".join(BODY)[:200])
        tiny.showPage()
        tiny.save()
        measure(
            "a page of 1 pt print (152,000 characters)",
            "PDF reading (refused by the density guard)",
            1,
            1,
            0,
            lambda: read_pdf(path.with_name("klein.pdf"), ocr=False),
            rows,
        )


def main() -> None:
    rows: list[dict] = []
    if "--long-report-only" not in sys.argv:
        shipped_stages(rows)
        command_runs(rows)
        corpus_runs(rows)
    long_report_runs(rows)
    frame = pd.DataFrame(rows)
    for _, group in frame.groupby("scenario", sort=False):
        bare = group.loc[group["stage"].str.startswith("pdfplumber"), "seconds"]
        if len(bare):
            frame.loc[group.index, "ratio_to_extract_words"] = (group["seconds"] / bare.iloc[0]).round(2)
    frame = frame[COLUMNS]
    DEFAULT_OUT.mkdir(exist_ok=True)
    tables.write_table(
        frame, DEFAULT_OUT / ("bench_long_report.csv" if "--long-report-only" in sys.argv else "bench.csv")
    )
    table = Table(
        title=f"g40 bench — {platform.node()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    for column in COLUMNS:
        table.add_column(column)
    for row in frame.itertuples(index=False):
        table.add_row(*["" if pd.isna(v) else str(v) for v in row])
    Console().print(table)


if __name__ == "__main__":
    main()
