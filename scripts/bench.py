"""`make bench`: what a user waits for, and how it grows — measured, never asserted.

Every measurement is repeated (`--runs`, default 3) and stored per run in `outputs/bench_runs.csv`; the
median with its spread is in `outputs/bench.csv`, the fitted growth per stage in `outputs/bench_growth.csv`,
and the issue #17 targets with measured value and verdict in `outputs/bench_targets.csv`. The console shows
the same tables (Markdown when the output is not a terminal). `--readme` rewrites the benchmark tables of
README.md from those CSVs without measuring anything.

What is measured:
- import time of each heavy library in a fresh interpreter, and the command's own start-up;
- each stage once on the shipped report, in this process;
- `g40 extract` on the shipped report as a user runs it: cold, warm rerun, `--force`;
- growth in reports: corpora of 1, 10 and 40 byte-distinct copies of the shipped report (one year each):
  pdfplumber's bare `extract_words` in one process, the pipeline in this process (`--jobs 1` and `2`, at 40),
  and the whole command with `--jobs 2` (stage times from its run.json, memory of all its processes);
- growth in pages: reports of 17, 170 and 1,000 pages made of the shipped report's pages: bare reading,
  each stage in this process, and the whole command.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pdfplumber
import psutil
import pypdfium2
from rich.console import Console
from rich.table import Table

from pipeline import tables
from pipeline.config import DEFAULT_CORPUS, DEFAULT_OUT, PACKAGE_DIR, RunOptions, Settings
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
README = PACKAGE_DIR.parent / "README.md"
FIRST_YEAR = 1990
CORPUS_SIZES = (1, 10, 40)
PAGE_SIZES = (17, 170, 1000)
LIBRARIES = (
    "spacy",
    "sklearn.pipeline",
    "pandas",
    "matplotlib.figure",
    "pdfplumber",
    "pypdfium2",
    "openpyxl",
    "wordfreq",
    "py3langid",
    "pydantic",
    "typer",
    "rich.console",
    "pebble",
    "jinja2",
)
# A fitted exponent up to this counts as linear: three sizes and timing noise do not tell 1.0 from 1.1.
LINEAR_EXPONENT = 1.15
MIN_FITTED_SECONDS = 0.5
RUN_COLUMNS = ["run", "scenario", "stage", "documents", "pages", "words", "seconds", "peak_rss_mib"]
BENCH_COLUMNS = [
    "scenario",
    "stage",
    "documents",
    "pages",
    "words",
    "runs",
    "seconds",
    "seconds_min",
    "seconds_max",
    "pages_per_s",
    "peak_rss_mib",
    "ratio_to_extract_words",
    "ratio_min",
    "ratio_max",
]
BARE = "pdfplumber extract_words (bare)"


class PeakMemory:
    """Peak resident memory of this process's children (a measured command and its workers), sampled every
    50 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self.running = False

    def sample(self) -> int:
        """Resident memory of the children now, in bytes."""
        total = 0
        for child in psutil.Process().children(recursive=True):
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


class Recorder:
    """Collects one row per measurement of the current run."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.run = 0

    def add(self, scenario: str, stage: str, documents: int, pages: int, words: int, seconds: float, peak: int) -> None:
        """One measured row."""
        self.rows.append(
            {
                "run": self.run,
                "scenario": scenario,
                "stage": stage,
                "documents": documents,
                "pages": pages,
                "words": words,
                "seconds": round(seconds, 3),
                "peak_rss_mib": round(peak / 2**20) if peak else None,
            }
        )

    def measure(
        self,
        scenario: str,
        stage: str,
        documents: int,
        pages: int,
        words: int,
        work: Callable[[], Any],
        subprocess_only: bool = False,
    ) -> Any:
        """Time `work()` and record it, with the peak memory of the measured subprocess and its workers; work
        in this process gets no memory figure (this process holds the benchmark's own data too)."""
        gc.collect()
        with PeakMemory() as memory:
            start = time.perf_counter()
            value = work()
            seconds = time.perf_counter() - start
        self.add(scenario, stage, documents, pages, words, seconds, memory.peak if subprocess_only else 0)
        return value


def bare_extract_words(paths: Iterable[Path]) -> int:
    """pdfplumber's own word extraction over the files, the reference every ratio is taken against."""
    words = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                words += len(page.extract_words())
                page.close()
    return words


def extract_command(corpus: Path, out: Path, *options: str) -> list[str]:
    """`g40 extract` of CORPUS into OUT as a user runs it: a fresh Python process, start-up included."""
    return [sys.executable, "-m", "pipeline.cli", "extract", "--corpus", str(corpus), "--out", str(out), *options]


def run_command(arguments: list[str]) -> None:
    """Run a measured command; a failure stops the benchmark with the command's own message."""
    done = subprocess.run(arguments, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(arguments)} failed ({done.returncode}):\n{done.stderr[-2000:]}")


def command_stages(record: Recorder, scenario: str, out: Path, documents: int, pages: int, words: int) -> None:
    """The stage times the command wrote to its run.json, as rows `· <stage>` (no memory of their own)."""
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    for stage, seconds in manifest["seconds"]["stages"].items():
        record.add(scenario, f"· g40 extract stage: {stage}", documents, pages, words, seconds, 0)


def import_times(record: Recorder) -> None:
    """Seconds to import each heavy library in a fresh interpreter (the interpreter's own start subtracted),
    and the command's start-up (`g40 --version`)."""

    def fresh(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        return time.perf_counter() - start

    interpreter = min(fresh("pass") for _ in range(3))
    for library in LIBRARIES:
        record.add(
            "imports (fresh interpreter)", f"import {library}", 0, 0, 0, fresh(f"import {library}") - interpreter, 0
        )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline.cli", "--version"], check=True, capture_output=True)
    record.add(
        "imports (fresh interpreter)", "g40 --version (command start-up)", 0, 0, 0, time.perf_counter() - start, 0
    )


def shipped_stages(record: Recorder) -> None:
    """Each stage once on the shipped report, in this process (imports not counted)."""
    settings = Settings(spacy_model="nl_core_news_sm")
    name = "shipped report (stages in one process)"
    words = bare_extract_words([SHIPPED])
    pages = len(read_pdf(SHIPPED, ocr=False).pages)
    nlp_for.cache_clear()
    record.measure(
        name,
        "spaCy pipeline build (once per process)",
        1,
        pages,
        words,
        lambda: nlp_for(settings.spacy_model, settings.models_dir),
    )
    record.measure(name, BARE, 1, pages, words, lambda: bare_extract_words([SHIPPED]))
    pdf = record.measure(name, "PDF reading", 1, pages, words, lambda: read_pdf(SHIPPED, ocr=False))
    if tesseract_available():
        record.measure(name, "OCR (one page, 300 dpi)", 1, 1, 0, lambda: ocr_page(SHIPPED, 4, 595.0, 842.0))
    in_process_stages(record, name, pdf, settings, 1, pages, words)


def in_process_stages(
    record: Recorder, name: str, pdf: Any, settings: Settings, documents: int, pages: int, words: int
) -> None:
    """Structure, NLP, themes, tables and report of one read PDF, each timed."""
    report = record.measure(
        name, "cleaning and structure", documents, pages, words, lambda: structure_report(pdf, load_aliases())
    )
    mentions, acts, _, _ = record.measure(
        name, "NLP (entities, lobbying acts)", documents, pages, words, lambda: analyse_report(report, settings)
    )
    document = DocumentResult(pdf.path.name, report, mentions, acts)
    paragraphs = tables.paragraph_frame([report])
    themes, _ = record.measure(
        name,
        "theme classification",
        documents,
        pages,
        words,
        lambda: assign_themes(paragraphs, settings.models_dir),
    )
    built = record.measure(
        name, "tables", documents, pages, words, lambda: build_tables([document], paragraphs, themes)
    )
    record.measure(
        name,
        "report (HTML with SVG charts)",
        documents,
        pages,
        words,
        lambda: render_report(built, load_vocabularies(settings.models_dir)),
    )


def command_runs(record: Recorder) -> None:
    """`g40 extract` on the shipped report as a user runs it: cold (empty cache), warm (nothing changed),
    `--force` (every document from the cache)."""
    name = "shipped report (the command)"
    with tempfile.TemporaryDirectory() as folder:
        corpus, out, cache = Path(folder, "corpus"), Path(folder, "out"), Path(folder, "cache")
        corpus.mkdir()
        shutil.copy(SHIPPED, corpus)
        pages = len(read_pdf(SHIPPED, ocr=False).pages)
        words = record.measure(name, BARE, 1, pages, 0, lambda: bare_extract_words([SHIPPED]))
        command = extract_command(corpus, out, "--cache", str(cache), "--quiet")
        runs = {
            "g40 extract, cold (empty cache, start-up included)": command,
            "g40 extract, warm rerun (nothing changed: up to date)": command,
            "g40 extract --force, every document from the cache": [*command, "--force"],
        }
        for stage, arguments in runs.items():
            record.measure(name, stage, 1, pages, words, lambda: run_command(arguments), subprocess_only=True)  # noqa: B023


def copies_of_shipped(folder: Path, count: int) -> list[Path]:
    """`count` byte-distinct copies of the shipped report, one year each, so every run does the full work."""
    data = SHIPPED.read_bytes()
    paths = []
    for i in range(count):
        path = folder / f"jaarverslag-{FIRST_YEAR + i}.pdf"
        path.write_bytes(data + f"\n% bench copy {i}\n".encode())
        paths.append(path)
    return paths


def corpus_growth(record: Recorder) -> None:
    """Corpora of 1, 10 and 40 reports: bare reading, the pipeline in this process (`--jobs 1` and `2`, at the
    largest size) and the whole command with `--jobs 2`."""
    shipped_pages = len(read_pdf(SHIPPED, ocr=False).pages)
    for size in CORPUS_SIZES:
        with tempfile.TemporaryDirectory() as folder:
            corpus = Path(folder, "corpus")
            corpus.mkdir()
            paths = copies_of_shipped(corpus, size)
            overrides = {p.name: FIRST_YEAR + i for i, p in enumerate(paths)}
            pages = size * shipped_pages
            name = f"corpus of {size} report(s)"
            words = record.measure(name, BARE, size, pages, 0, lambda: bare_extract_words(paths))  # noqa: B023
            if size == max(CORPUS_SIZES):
                for jobs in (1, 2):
                    record.measure(
                        name,
                        f"pipeline PDF to tables in one process, --jobs {jobs}",
                        size,
                        pages,
                        words,
                        lambda: extract_corpus(corpus, Settings(year_overrides=overrides), RunOptions(jobs=jobs)),  # noqa: B023
                    )
            years = [f"--year={file}={year}" for file, year in overrides.items()]
            out = Path(folder, "out")
            command = extract_command(corpus, out, "--no-cache", "--quiet", "--jobs", "2", *years)
            record.measure(
                name,
                "g40 extract --jobs 2 (start-up, report of every year)",
                size,
                pages,
                words,
                lambda: run_command(command),  # noqa: B023
                subprocess_only=True,
            )
            command_stages(record, name, out, size, pages, words)


def long_report(path: Path, pages: int) -> Path:
    """A report of `pages` pages made of the shipped report: its cover once, then its other pages repeated
    in order (a cover in the middle would be a chapter without a pillar)."""
    source = pypdfium2.PdfDocument(SHIPPED)
    report = pypdfium2.PdfDocument.new()
    try:
        report.import_pages(source, pages=[0])
        body = list(range(1, len(source)))
        while len(report) < pages:
            report.import_pages(source, pages=body[: pages - len(report)])
        report.save(path)
    finally:
        report.close()
        source.close()
    return path


def page_growth(record: Recorder) -> None:
    """Reports of 17, 170 and 1,000 pages: bare reading, each stage in this process, and the whole command."""
    settings = Settings(spacy_model="nl_core_news_sm")
    nlp_for(settings.spacy_model, settings.models_dir)
    for pages in PAGE_SIZES:
        with tempfile.TemporaryDirectory() as folder:
            corpus = Path(folder, "corpus")
            corpus.mkdir()
            path = long_report(corpus / "jaarverslag-2023-lang.pdf", pages)
            name = f"one report of {pages} pages"
            words = record.measure(name, BARE, 1, pages, 0, lambda: bare_extract_words([path]))  # noqa: B023
            pdf = record.measure(name, "PDF reading", 1, pages, words, lambda: read_pdf(path, ocr=False))  # noqa: B023
            in_process_stages(record, name, pdf, settings, 1, pages, words)
            del pdf
            out = Path(folder, "out")
            command = extract_command(corpus, out, "--no-cache", "--quiet", "--timeout", "7200")
            record.measure(
                name,
                "g40 extract (start-up and report included)",
                1,
                pages,
                words,
                lambda: run_command(command),  # noqa: B023
                subprocess_only=True,
            )
            command_stages(record, name, out, 1, pages, words)


def dense_page(record: Recorder) -> None:
    """A page of 1 pt print (152,000 characters), which the density guard refuses before parsing it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    body = "De gemeenten vragen het kabinet om meer ruimte voor de woningbouw in de regio en voor snellere procedures."
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "klein.pdf")
        tiny = canvas.Canvas(str(path), pagesize=A4)
        tiny.setFont("Helvetica", 1)
        for step in range(760):
            tiny.drawString(1, 841 - step * 1.1, (body * 2)[:200])
        tiny.showPage()
        tiny.save()
        record.measure(
            "a page of 1 pt print (152,000 characters)",
            "PDF reading (refused by the density guard)",
            1,
            1,
            0,
            lambda: read_pdf(path, ocr=False),
        )


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Median and spread per measurement over the runs, with the ratio to bare `extract_words` of the same
    scenario in the same run."""
    runs = runs.copy()
    bare = runs[runs["stage"] == BARE].set_index(["run", "scenario"])["seconds"]
    keys = list(zip(runs["run"], runs["scenario"], strict=True))
    runs["ratio"] = [
        round(seconds / bare[key], 3) if key in bare.index and not stage.startswith("·") else np.nan
        for key, seconds, stage in zip(keys, runs["seconds"], runs["stage"], strict=True)
    ]
    group = runs.groupby(["scenario", "stage"], sort=False)
    summary = group.agg(
        documents=("documents", "first"),
        pages=("pages", "first"),
        words=("words", "max"),
        runs=("run", "nunique"),
        seconds=("seconds", "median"),
        seconds_min=("seconds", "min"),
        seconds_max=("seconds", "max"),
        peak_rss_mib=("peak_rss_mib", "max"),
        ratio_to_extract_words=("ratio", "median"),
        ratio_min=("ratio", "min"),
        ratio_max=("ratio", "max"),
    ).reset_index()
    summary["pages_per_s"] = (summary["pages"] / summary["seconds"]).where(summary["pages"] > 0).round(1)
    summary[["seconds", "seconds_min", "seconds_max"]] = summary[["seconds", "seconds_min", "seconds_max"]].round(3)
    summary[["ratio_to_extract_words", "ratio_min", "ratio_max"]] = summary[
        ["ratio_to_extract_words", "ratio_min", "ratio_max"]
    ].round(2)
    return summary[BENCH_COLUMNS]


def growth_exponent(sizes: list[float], values: list[float]) -> float:
    """The exponent b of the cost that grows with size, cost(n) − cost(n₁) ≈ a·(n − n₁)^b, from the two larger
    sizes' increments over the smallest: start-up and other fixed costs would make any stage look sublinear
    in a fit on the totals. Falls back to the fit on the totals when a cost did not grow."""
    rise = [v - values[0] for v in values[1:]]
    steps = [s - sizes[0] for s in sizes[1:]]
    if all(r > 0 for r in rise):
        return float(np.log(rise[-1] / rise[0]) / np.log(steps[-1] / steps[0]))
    x, y = np.log(np.asarray(sizes, float)), np.log(np.maximum(np.asarray(values, float), 1e-3))
    return float(np.polyfit(x, y, 1)[0])


def stage_key(stage: str) -> str:
    """The stage of a growth series: the command's stages (from run.json) under their own names."""
    return stage.removeprefix("· g40 extract stage: ").strip()


def growth(summary: pd.DataFrame) -> pd.DataFrame:
    """Per stage, how its time (and a command's memory) grow over the corpora of 1, 10 and 40 reports and the
    reports of 17, 170 and 1,000 pages: the fitted exponent and whether that is linear or worse. A stage
    whose time grows by less than `MIN_FITTED_SECONDS` from the smallest size to the largest is listed but
    not judged: its exponent is a ratio of two increments of timing noise."""
    rows = []
    series = {
        "reports": (summary["scenario"].str.startswith("corpus of"), "documents", CORPUS_SIZES),
        "pages": (summary["scenario"].str.startswith("one report of"), "pages", PAGE_SIZES),
    }
    for dimension, (mask, size_column, sizes) in series.items():
        part = summary[mask]
        for stage, group in part.groupby(part["stage"].map(stage_key), sort=False):
            group = group.sort_values(size_column)
            if list(group[size_column]) != list(sizes):
                continue
            for quantity in ("seconds", "peak_rss_mib"):
                values = [float(v) for v in pd.to_numeric(group[quantity], errors="coerce")]
                if any(np.isnan(values)) or not any(values):
                    continue
                exponent = growth_exponent([float(s) for s in sizes], values)
                floor = MIN_FITTED_SECONDS if quantity == "seconds" else 0
                verdict = (
                    f"too small to judge (grows < {floor} s)"
                    if values[-1] - values[0] < floor
                    else "linear or better"
                    if exponent <= LINEAR_EXPONENT
                    else "WORSE THAN LINEAR"
                )
                rows.append(
                    {
                        "dimension": dimension,
                        "stage": stage,
                        "quantity": quantity,
                        "sizes": "/".join(str(s) for s in sizes),
                        "values": "/".join(f"{v:g}" for v in values),
                        "exponent": round(exponent, 2),
                        "growth": verdict,
                    }
                )
    return pd.DataFrame(rows, columns=["dimension", "stage", "quantity", "sizes", "values", "exponent", "growth"])


def pick(summary: pd.DataFrame, scenario: str, stage: str) -> pd.Series:
    """The summary row of one measurement."""
    row = summary[(summary["scenario"] == scenario) & (summary["stage"] == stage)]
    if row.empty:
        raise KeyError(f"no measurement {scenario!r} / {stage!r}")
    return row.iloc[0]


def targets(summary: pd.DataFrame, grown: pd.DataFrame) -> pd.DataFrame:
    """The issue #17 targets: measured median (with spread) against each, and the verdict."""
    largest = f"corpus of {max(CORPUS_SIZES)} report(s)"
    rows = []

    def ratio(what: str, scenario: str, stage: str, limit: float, bare_scenario: str | None = None) -> None:
        row = pick(summary, scenario, stage)
        if bare_scenario is None:
            value, low, high = row["ratio_to_extract_words"], row["ratio_min"], row["ratio_max"]
        else:
            bare = pick(summary, bare_scenario, BARE)["seconds"]
            value, low, high = (round(row[c] / bare, 2) for c in ("seconds", "seconds_min", "seconds_max"))
        rows.append(target_row(what, f"≤ {limit} × bare extract_words", value, low, high, value <= limit))

    def memory(what: str, scenario: str, stage: str, limit_mib: int) -> None:
        value = pick(summary, scenario, stage)["peak_rss_mib"]
        rows.append(target_row(what, f"≤ {limit_mib} MiB", value, value, value, value <= limit_mib))

    ratio(
        "g40 extract, cold, shipped report",
        "shipped report (the command)",
        "g40 extract, cold (empty cache, start-up included)",
        3.0,
    )
    ratio(
        f"g40 extract --jobs 2, {max(CORPUS_SIZES)} reports, everything",
        largest,
        "g40 extract --jobs 2 (start-up, report of every year)",
        0.65,
    )
    ratio(
        f"pipeline --jobs 1 in one process, {max(CORPUS_SIZES)} reports",
        largest,
        "pipeline PDF to tables in one process, --jobs 1",
        1.15,
    )
    memory(
        "peak memory, 1,000-page report",
        f"one report of {max(PAGE_SIZES)} pages",
        "g40 extract (start-up and report included)",
        1536,
    )
    memory(
        f"peak memory, {max(CORPUS_SIZES)} reports, --jobs 2, all processes",
        largest,
        "g40 extract --jobs 2 (start-up, report of every year)",
        1024,
    )
    worse = grown[(grown["quantity"] == "seconds") & (grown["growth"] == "WORSE THAN LINEAR")]
    rows.append(
        {
            "target": "no stage grows worse than linearly in pages or reports",
            "limit": f"fitted exponent ≤ {LINEAR_EXPONENT}",
            "measured": ", ".join(f"{r.stage} ({r.dimension}: n^{r.exponent:g})" for r in worse.itertuples())
            or "none worse",
            "spread": "",
            "verdict": "met" if worse.empty else "MISSED",
        }
    )
    return pd.DataFrame(rows)


def target_row(what: str, limit: str, value: float, low: float, high: float, met: bool) -> dict[str, str]:
    """One line of the targets table."""
    return {
        "target": what,
        "limit": limit,
        "measured": f"{value:g}",
        "spread": f"{low:g}–{high:g}",
        "verdict": "met" if met else "MISSED",
    }


def markdown(frame: pd.DataFrame) -> str:
    """A frame as a Markdown table (empty cells for missing values)."""
    return frame.astype(object).where(frame.notna(), "").to_markdown(index=False)


def show(console: Console, title: str, frame: pd.DataFrame) -> None:
    """A table on the console: rich on a terminal, Markdown otherwise (a log, a pipe, CI)."""
    if not console.is_terminal:
        console.print(f"\n### {title}\n\n{markdown(frame)}", soft_wrap=True, highlight=False, markup=False)
        return
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*["" if pd.isna(v) else str(v) for v in row])
    console.print(table)


def machine() -> str:
    """The machine the figures come from."""
    return (
        f"{platform.node()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def readme_tables(folder: Path) -> str:
    """The README's benchmark block, made from the CSVs of the last `make bench`."""
    summary = pd.read_csv(folder / "bench.csv")
    aims = pd.read_csv(folder / "bench_targets.csv", keep_default_na=False)
    grown = pd.read_csv(folder / "bench_growth.csv")
    meta = json.loads((folder / "bench_meta.json").read_text(encoding="utf-8"))
    shown = summary[~summary["stage"].str.startswith("·")][
        ["scenario", "stage", "seconds", "seconds_min", "seconds_max", "ratio_to_extract_words", "peak_rss_mib"]
    ]
    return "\n".join(
        [
            README_START,
            f"Measured by `make bench` on {meta['machine']}, {meta['runs']} runs, {meta['date']} "
            "(median, min–max over the runs; ratio = time over bare `extract_words` of the same PDFs in the same run).",
            "",
            markdown(aims),
            "",
            markdown(shown),
            "",
            "Growth: exponent b of the cost above the smallest size, cost(n) − cost(n₁) ≈ a·(n − n₁)^b; "
            f"b ≤ {LINEAR_EXPONENT} counts as linear:",
            "",
            markdown(grown),
            README_END,
        ]
    )


def update_readme(folder: Path) -> None:
    """Replace the benchmark block of README.md with the tables of the CSVs in `folder`."""
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(README_START) + ".*?" + re.escape(README_END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"bench: {README} has no {README_START} … {README_END} block to update")
    README.write_text(pattern.sub(lambda _: readme_tables(folder), text), encoding="utf-8")


SCENARIOS: dict[str, Callable[[Recorder], None]] = {
    "imports": import_times,
    "shipped": shipped_stages,
    "commands": command_runs,
    "reports": corpus_growth,
    "pages": page_growth,
    "dense": dense_page,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of every measurement (default 3)")
    parser.add_argument("--only", choices=sorted(SCENARIOS), action="append", help="measure only these (repeatable)")
    parser.add_argument("--readme", action="store_true", help="only rewrite README.md's tables from the last CSVs")
    parser.add_argument(
        "--rejudge", action="store_true", help="only summarise and judge the runs of the last bench_runs.csv again"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the CSVs (default outputs/)")
    arguments = parser.parse_args()
    if arguments.readme:
        update_readme(arguments.out)
        return
    if arguments.rejudge:
        meta = json.loads((arguments.out / "bench_meta.json").read_text(encoding="utf-8"))
        runs = pd.read_csv(arguments.out / "bench_runs.csv", keep_default_na=False, na_values=[""])
        write_results(runs, arguments.out, meta["scenarios"])
        return
    console = Console()
    record = Recorder()
    chosen = arguments.only or list(SCENARIOS)
    for run in range(1, arguments.runs + 1):
        record.run = run
        for name in chosen:
            console.print(f"run {run}/{arguments.runs}: {name}", highlight=False)
            SCENARIOS[name](record)
    runs = pd.DataFrame(record.rows, columns=RUN_COLUMNS)
    arguments.out.mkdir(parents=True, exist_ok=True)
    tables.write_table(runs, arguments.out / "bench_runs.csv")
    meta = {"machine": machine(), "runs": arguments.runs, "date": time.strftime("%Y-%m-%d"), "scenarios": chosen}
    (arguments.out / "bench_meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    for title, frame in write_results(runs, arguments.out, chosen).items():
        show(console, f"g40 bench — {title} — {machine()}, {arguments.runs} run(s)", frame)


def write_results(runs: pd.DataFrame, folder: Path, chosen: list[str]) -> dict[str, pd.DataFrame]:
    """Summarise and judge the runs into bench.csv, bench_growth.csv and (when every scenario of the targets
    ran) bench_targets.csv in `folder`; returns the tables by title."""
    summary = summarise(runs)
    grown = growth(summary)
    tables.write_table(summary, folder / "bench.csv")
    tables.write_table(grown, folder / "bench_growth.csv")
    shown = {"measurements": summary, "growth": grown}
    if {"commands", "reports", "pages"} <= set(chosen):
        aims = targets(summary, grown)
        tables.write_table(aims, folder / "bench_targets.csv")
        shown["targets (issue #17)"] = aims
    return shown


if __name__ == "__main__":
    main()
