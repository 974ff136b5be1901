"""The corpus run: every PDF through the per-document step (here, in a process pool or on Dask), then
the themes, the tables and the comparison over all documents."""

from __future__ import annotations

import importlib
import itertools
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, TimeoutError, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from pebble import ProcessExpired

from pipeline import compare, tables
from pipeline.config import REPORTS_FILE, RunOptions, Settings, find_pdfs, scan_corpus
from pipeline.files import file_sha256
from pipeline.flow.document import (
    DocumentCache,
    as_document_error,
    process_document,
    structure_document,
)
from pipeline.flow.fingerprint import run_fingerprint
from pipeline.flow.workers import Workers, run_workers
from pipeline.ner.memory import with_memory
from pipeline.records import DocumentError, DocumentResult, ErrorKind, Report, RunResult
from pipeline.resources import load_curation
from pipeline.textkeys import doc_id_for, unique_doc_ids

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

log = logging.getLogger(__name__)
# Imported while the workers read the documents (`import_later_stages`); scikit-learn and matplotlib are
# not needed before.
LATER_STAGES = ("pipeline.themes", "pipeline.flow.outputs")
# What the workers that draw the report's years need, imported as they start.
REPORT_STAGE = ("pipeline.report",)


@dataclass
class StageClock:
    """Adds the wall time since the previous lap to `seconds[stage]`: the per-stage durations of run.json."""

    seconds: dict[str, float]
    last: float = field(default_factory=time.perf_counter)

    def lap(self, stage: str) -> None:
        """Count the time since the last lap towards `stage`."""
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.last
        self.last = now


def check_years(reports: Sequence[Report]) -> list[DocumentError]:
    """One report per year: two reports that claim the same year are both refused."""
    by_year: dict[int, list[Report]] = {}
    for report in reports:
        by_year.setdefault(report.year, []).append(report)
    errors = []
    for year, claimants in sorted(by_year.items()):
        if len(claimants) > 1:
            names = ", ".join(r.source_file for r in claimants)
            message = (
                f"{names} all claim year {year}; name the year in {REPORTS_FILE} (file,year) or with --year FILE=YEAR"
            )
            errors += [
                DocumentError(report.source_file, None, ErrorKind.DUPLICATE_YEAR, message) for report in claimants
            ]
    return errors


class DocumentTimeout(BaseException):
    """A document ran over its time limit in this process. Not an `Exception`, so no handler in the PDF
    parser can swallow it."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `DocumentTimeout` in this process after `seconds` (where signals can be used: the main thread)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise DocumentTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def failed(path: Path, kind: ErrorKind, message: str) -> DocumentResult:
    """The result of a document that yielded nothing."""
    return DocumentResult(path.name, None, errors=[DocumentError(path.name, None, kind, message)])


def timed_out(path: Path, seconds: float | None) -> DocumentResult:
    """A document that ran over `--timeout`."""
    return failed(
        path, ErrorKind.TIMEOUT, f"took longer than the time limit of {seconds:g} s (raise it with --timeout)"
    )


def in_process(
    paths: Sequence[Path],
    settings: Settings,
    options: RunOptions,
    cache: DocumentCache | None,
    starting: Callable[[str], None] | None = None,
) -> Iterator[tuple[Path, DocumentResult]]:
    """Documents one after the other in this process, each within the time limit; `starting(file name)` hears
    of each before it is read."""
    for path in paths:
        if starting:
            starting(path.name)
        try:
            with time_limit(options.timeout):
                document = process_document(path, settings, cache)
        except DocumentTimeout:
            document = timed_out(path, options.timeout)
        yield path, document


def in_workers(
    paths: Sequence[Path],
    settings: Settings,
    options: RunOptions,
    cache: DocumentCache | None,
    workers: Workers,
    scheduled: Callable[[], None] | None = None,
) -> Iterator[tuple[Path, DocumentResult]]:
    """Documents in the run's worker processes, each within the time limit; `scheduled()` runs in this process
    once every document is handed out, while the workers read.

    A worker that dies or runs over the limit is replaced, and only its document fails (`worker_crashed`,
    `timeout`).
    """
    futures: dict[Future[DocumentResult], Path] = {
        workers.schedule(process_document, path, settings, cache, timeout=options.timeout): path for path in paths
    }
    if scheduled:
        scheduled()
    for done in as_completed(futures):
        path = futures[done]
        try:
            yield path, done.result()
        except TimeoutError:
            yield path, timed_out(path, options.timeout)
        except ProcessExpired as error:
            yield (
                path,
                failed(
                    path,
                    ErrorKind.WORKER_CRASHED,
                    f"the worker process died (exit code {error.exitcode}) on this file",
                ),
            )
        except BrokenProcessPool:
            yield (
                path,
                failed(path, ErrorKind.WORKER_CRASHED, "the worker process died before it could read the file"),
            )
        except Exception as error:
            yield path, DocumentResult(path.name, None, errors=[as_document_error(path.name, error)])


def import_later_stages() -> None:
    """Import the stages that follow the documents (themes with scikit-learn, the report with matplotlib) while
    the workers read: time this process would otherwise spend waiting, and not spend after them."""
    for module in LATER_STAGES:
        importlib.import_module(module)


def unique_files(paths: Sequence[Path]) -> tuple[list[Path], list[DocumentResult]]:
    """The files to process, once per content: a second file with the same bytes is not read again but
    becomes a `duplicate_file` row that names both, so a copy under another name is never compared with itself."""
    first: dict[str, Path] = {}
    duplicates = []
    for path in paths:
        digest = file_sha256(path)
        if digest not in first:
            first[digest] = path
            continue
        original = first[digest].name
        message = (
            f"{path.name} has the same content as {original} (sha256 {digest[:12]}…): processed once, as {original}; "
            f"remove the copy, or mark it skip in {REPORTS_FILE}"
        )
        duplicates.append(
            DocumentResult(path.name, None, errors=[DocumentError(path.name, None, ErrorKind.DUPLICATE_FILE, message)])
        )
    return list(first.values()), duplicates


def curation_effects(settings: Settings, documents: Sequence[DocumentResult]) -> tuple[list[dict], list[str]]:
    """What each row of `models/curation.csv` did in this run (mentions changed), and a warning per row that
    matched nothing: a misspelt name is seen, not silently ignored."""
    path = settings.models_dir / "curation.csv"
    changed: dict[int, int] = {}
    for document in documents:
        for line, count in document.curation.items():
            changed[line] = changed.get(line, 0) + count
    effects, warnings = [], []
    for line, row in load_curation(path).numbered():
        effects.append({"line": line, "row": row.describe(), "mentions": changed.get(line, 0)})
        if not changed.get(line):
            warnings.append(f"{path.name} line {line} ({row.describe()}) matched no mention")
    return effects, warnings


def apply_titles(documents: Sequence[DocumentResult], titles: dict[str, str]) -> None:
    """Titles given in `reports.csv` replace those read from the PDF."""
    for document in documents:
        if document.report is not None and titles.get(document.source_file):
            document.report.title = titles[document.source_file]


def run_documents(
    paths: Sequence[Path],
    settings: Settings,
    options: RunOptions,
    starting: Callable[[str], None] | None = None,
    workers: Workers | None = None,
) -> Iterator[DocumentResult]:
    """Process documents in the run's worker processes (when given), in this process, or on a Dask cluster;
    in this process `starting(file name)` hears of each document before it is read.

    A document that failed for a transient reason (its worker died, the time limit, the cache) is tried once
    more, in a fresh worker; a second failure is reported as what it is.
    """
    cache = DocumentCache(options.cache_dir) if options.cache_dir else None
    if options.executor == "dask":
        yield from on_dask(paths, settings, options, cache)
        return
    run = (
        partial(in_workers, workers=workers, scheduled=import_later_stages)
        if workers is not None
        else partial(in_process, starting=starting)
    )
    pending = list(paths)
    for attempt in (1, 2):
        retry = []
        for path, document in run(pending, settings, options, cache):
            transient = [e for e in document.errors if ErrorKind(e.kind).transient]
            if transient and attempt == 1:
                log.info("%s: %s, tried again", path.name, transient[0].kind)
                retry.append(path)
                continue
            if attempt == 2:
                for error in transient:
                    error.message += " (also when tried again in a fresh worker)"
                if not transient:
                    document.notes.append(
                        f"{path.name} failed once for a transient reason and was read when tried again"
                    )
            yield document
        if not retry:
            return
        pending = retry


def on_dask(
    paths: Sequence[Path], settings: Settings, options: RunOptions, cache: DocumentCache | None
) -> Iterator[DocumentResult]:
    """Documents on a Dask cluster: the one at `--scheduler`, or a local one."""
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    cluster = (
        None
        if options.scheduler
        else LocalCluster(n_workers=options.jobs, threads_per_worker=1, processes=True, dashboard_address=None)
    )
    with Client(options.scheduler or cluster) as client:
        futures = client.map(process_document, paths, settings=settings, cache=cache, pure=False)
        for future in dask_completed(futures):
            yield future.result()
    if cluster is not None:
        cluster.close()


def remember_names(documents: list[DocumentResult]) -> None:
    """Add the mentions of names learned anywhere in the corpus (`pipeline.ner.memory`) to every analysed document."""
    analysed = [d for d in documents if d.report is not None and d.mentions]
    remembered = with_memory(
        [([(p.paragraph_id, p.text) for p in d.report.paragraphs], d.mentions) for d in analysed if d.report]
    )
    for document, mentions in zip(analysed, remembered, strict=True):
        document.mentions = mentions


def extract_corpus(
    corpus: Path,
    settings: Settings,
    options: RunOptions | None = None,
    progress: Callable[[str, int], None] | None = None,
    workers: Workers | None = None,
) -> RunResult:
    """Every PDF of the corpus to tables; failed documents become rows of errors.csv, never a lost run.

    The documents go to `workers` when given (the command starts them first and uses them for the report
    after; they are renewed without the NLP pipeline when there are several years to draw); without them, a
    run of several documents with more than one job starts its own for the documents.
    `progress(step, documents_done)` hears of every document read (its name, and documents and pages so
    far) and of each later stage.
    """
    options = options or RunOptions()
    result = RunResult(
        settings=settings,
        options=options,
        corpus=corpus,
        started=datetime.now(UTC),
        fingerprint=run_fingerprint(corpus, settings),
    )
    clock = StageClock(result.stage_seconds)
    paths, skipped = scan_corpus(corpus, settings.skip)
    paths, duplicates = unique_files(paths)
    ids, collisions = unique_doc_ids(path.name for path in paths)
    result.notes += collisions
    settings = replace(settings, doc_ids={name: i for name, i in ids.items() if i != doc_id_for(Path(name))})
    result.settings = settings
    duplicates += [
        DocumentResult(entry.name, None, errors=[DocumentError(entry.name, None, ErrorKind(entry.kind), entry.message)])
        for entry in skipped
    ]
    pages = 0
    total = len(paths) + len(duplicates)

    def starting(name: str) -> None:
        if progress:
            progress(f"reading {name} · {len(result.documents)}/{total} documents · {pages} pages", 0)

    own = run_workers(options, len(paths)) if workers is None and len(paths) > 1 else None
    with own if own is not None else nullcontext():
        documents = run_documents(paths, settings, options, starting, workers or own)
        for document in itertools.chain(duplicates, documents):
            pages += document.report.n_pages if document.report is not None else 0
            if progress:
                progress(f"{document.source_file} · {len(result.documents) + 1}/{total} documents · {pages} pages", 1)
            result.documents.append(document)
    for document in result.documents:
        result.errors += document.errors
        result.notes += document.notes
    result.documents.sort(key=lambda d: d.source_file)
    if workers is not None and len(result.reports) > 1:
        workers.renew(preload=REPORT_STAGE)
    clock.lap("documents")
    remember_names(result.documents)
    apply_titles(result.documents, settings.titles)
    result.curation, result.run_warnings = curation_effects(settings, result.documents)
    clock.lap("corpus memory")
    result.spacy = next(
        (d.spacy for d in result.documents if d.spacy),
        {"requested": settings.spacy_model, "note": "no document was analysed"},
    )
    result.notes += sorted({d.spacy["note"] for d in result.documents if d.spacy})
    result.notes += [f"{r.source_file}: {note}" for r in result.reports for note in r.pillar_notes]
    result.errors += check_years(result.reports)
    kept = [d for d in result.documents if d.report is not None and d.source_file not in result.refused_tables]
    analysed = [d.report.doc_id for d in kept if d.report is not None and d.source_file not in result.refused_analysis]
    if progress:
        progress("themes", 0)
    paragraphs = tables.paragraph_frame([d.report for d in kept if d.report is not None])
    from pipeline.themes import assign_themes

    theme_columns, notes = assign_themes(paragraphs[paragraphs["doc_id"].isin(analysed)], settings.models_dir)
    result.notes += notes
    clock.lap("themes")
    if progress:
        progress("tables and comparison", 0)
    lookups = tables.load_lookups(settings.models_dir)
    result.tables = tables.build_tables(kept, paragraphs, theme_columns.reindex(paragraphs.index), lookups)
    clock.lap("tables")
    result.notes += compare.add_comparison(result.tables)
    clock.lap("comparison")
    return result


def train_on_corpus(corpus: Path, settings: Settings, date: str) -> tuple[Pipeline, dict, list[DocumentError]]:
    """Train the theme classifier on the reports in `corpus`; reports that cannot be read are left out and
    returned as errors."""
    reports, errors = [], []
    for path in find_pdfs(corpus, settings.skip):
        try:
            reports.append(structure_document(path, settings))
        except Exception as error:
            errors.append(as_document_error(path.name, error))
    trained_on = [f"{r.source_file} (sha256 {r.sha256})" for r in reports]
    from pipeline.themes import train_themes

    model, card = train_themes(tables.paragraph_frame(reports), trained_on, settings.models_dir, date)
    return model, card, errors
