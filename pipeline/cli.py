"""The `g40` command: `extract` reads every report in a corpus and writes the tables to `--out`; `compare`,
`report`, `train` and `evaluate` work on those tables or on the models; `nlp-export` writes the spaCy pipeline.

The pipeline itself is imported inside the commands, so that `--help` and an `extract` whose outputs are
already up to date answer without loading spaCy and scikit-learn.
"""

from __future__ import annotations

import logging
import os
import sys
from contextlib import nullcontext
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.config import (
    DEFAULT_CACHE,
    DEFAULT_CORPUS,
    DEFAULT_MAX_PAGES,
    DEFAULT_MEMORY_LIMIT_MIB,
    DEFAULT_OUT,
    DEFAULT_SPACY_MODEL,
    DEFAULT_TIMEOUT,
    MODELS_DIR,
    REPORTS_FILE,
    RunOptions,
    Settings,
    corpus_folder,
    find_pdfs,
)
from pipeline.files import package_version
from pipeline.flow.fingerprint import DISTRIBUTION, previous_run, run_fingerprint
from pipeline.records import DocumentResult
from pipeline.resources import ResourceError, load_curation, load_report_decisions

if TYPE_CHECKING:
    from pipeline.flow.workers import Workers

app = typer.Typer(
    help="Analyse G40 annual reports: paragraphs, entities, themes and lobbying focus per pillar.", no_args_is_help=True
)
console = Console(stderr=True)

CorpusOption = Annotated[
    Path,
    typer.Option(
        "--corpus", help="Folder with the report PDFs (one report per year, decisions in its reports.csv), or one PDF."
    ),
]
OutOption = Annotated[Path, typer.Option("--out", help="Folder for the output tables (written atomically).")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Only print errors and the summary line.")]
VerboseOption = Annotated[
    int,
    typer.Option(
        "--verbose", "-v", count=True, help="Say more: per document what was found and from the cache (-vv: debug log)."
    ),
]


def say(message: str) -> None:
    """Print a message on stderr; lines are not wrapped when stderr is not a terminal (a log, a pipe, CI)."""
    console.print(message, soft_wrap=not console.is_terminal, highlight=False)


class Executor(StrEnum):
    """Where documents are processed: this machine or a Dask cluster."""

    local = "local"
    dask = "dask"


def show_version(wanted: bool) -> None:
    """`g40 --version`: print the tool's version and stop."""
    if wanted:
        print(f"g40 {package_version(DISTRIBUTION)}")
        raise typer.Exit()


@app.callback()
def cli(
    version: Annotated[
        bool, typer.Option("--version", callback=show_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Analyse G40 annual reports (see README.md)."""


def parse_years(values: list[str], corpus: Path) -> dict[str, int]:
    """`--year FILE=YEAR` options; a file that is not in the corpus is a mistake worth stopping for."""
    years = {}
    present = {path.name for path in find_pdfs(corpus)}
    for value in values:
        name, _, year = value.rpartition("=")
        if not name or not year.isdigit():
            fail(f"--year: expected FILE=YEAR, got {value!r}", 2)
        if name not in present:
            fail(f"--year: {name!r} is not a PDF in {corpus}", 2)
        years[name] = int(year)
    return years


def corpus_settings(corpus: Path, year_values: list[str], **options: object) -> tuple[Settings, list[str]]:
    """Settings for a run on `corpus`: the decisions of its `reports.csv` (years, titles, skips), then the
    one-off `--year` options on top; with notes on what `reports.csv` said. A bad `reports.csv` or
    `models/curation.csv` stops the run before any work (exit 2), so a typo never costs the outputs."""
    if not corpus.exists() or not (corpus.is_dir() or corpus.suffix.lower() == ".pdf"):
        fail(f"corpus {corpus} does not exist (give a folder of PDFs or one PDF)", 2)
    decisions_file = corpus_folder(corpus) / REPORTS_FILE
    notes = []
    try:
        load_curation(Path(str(options.get("models_dir", MODELS_DIR))) / "curation.csv")
        decisions = load_report_decisions(decisions_file).numbered() if decisions_file.is_file() else []
    except ResourceError as error:
        fail(str(error), 2)
    present = {path.name for path in find_pdfs(corpus)}
    for line, row in decisions:
        if row.file not in present and corpus.is_dir():
            notes.append(f"{decisions_file} line {line}: {row.file!r} is not in the corpus")
    chosen = [row for _, row in decisions if row.file in present]
    years = {row.file: row.year for row in chosen if row.year is not None} | parse_years(year_values, corpus)
    skip = tuple(sorted(row.file for row in chosen if row.skip))
    if skip:
        notes.append(f"{decisions_file} skips {', '.join(skip)}")
    titles = {row.file: row.title for row in chosen if row.title}
    settings = Settings(year_overrides=years, titles=titles, skip=skip, **options)  # type: ignore[arg-type]
    if not find_pdfs(corpus, skip):
        fail(f"no PDF to read in {corpus}" + (f" ({REPORTS_FILE} skips every file)" if skip else ""), 2)
    return settings, notes


@app.command()
def extract(
    corpus: CorpusOption = DEFAULT_CORPUS,
    out: OutOption = DEFAULT_OUT,
    spacy_model: Annotated[
        str,
        typer.Option(
            "--spacy-model", help="spaCy pipeline name or path; falls back to rules only when it is not installed."
        ),
    ] = DEFAULT_SPACY_MODEL,
    year: Annotated[
        list[str] | None, typer.Option("--year", help="Set a report's year explicitly: FILE=YEAR (repeatable).")
    ] = None,
    no_ocr: Annotated[
        bool, typer.Option("--no-ocr", help="Do not OCR pages without a text layer (they are listed as skipped).")
    ] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", min=1, help="Documents processed in parallel (default: all cores).")
    ] = os.cpu_count() or 1,
    executor: Annotated[
        Executor,
        typer.Option(
            "--executor", help="local: this machine's cores; dask: a Dask cluster (--scheduler, or a local one)."
        ),
    ] = Executor.local,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of a Dask scheduler, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    cache: Annotated[
        Path,
        typer.Option(
            "--cache", help="Folder for per-document results, reused when the PDF, code and data files are unchanged."
        ),
    ] = DEFAULT_CACHE,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Process every document from scratch and keep nothing.")
    ] = False,
    max_pages: Annotated[
        int, typer.Option("--max-pages", min=1, help="Refuse PDFs with more pages than this.")
    ] = DEFAULT_MAX_PAGES,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=1, help="Seconds one document may take before it is stopped and reported."),
    ] = DEFAULT_TIMEOUT,
    memory_limit: Annotated[
        int,
        typer.Option("--memory-limit", min=256, help="MiB of memory one worker process may use (with --jobs > 1)."),
    ] = DEFAULT_MEMORY_LIMIT_MIB,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going",
            help="Exit 0 even when some documents failed (they are still listed in errors.csv), and write the "
            "outputs even when documents failed for a reason other than their content.",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Run even when the outputs are up to date with the corpus, models, code and options."
        ),
    ] = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = 0,
) -> None:
    """Extract paragraphs, entities, lobbying acts and themes from every PDF in the corpus into tidy CSV
    tables, an Excel workbook, report.html, run.json and datapackage.json."""
    levels = {0: logging.WARNING, 1: logging.INFO}
    logging.basicConfig(level=levels.get(verbose, logging.DEBUG), format="%(levelname)s %(message)s")
    check_out(out)
    settings, decision_notes = corpus_settings(
        corpus, year or [], spacy_model=spacy_model, ocr=not no_ocr, max_pages=max_pages
    )
    previous = None if force else previous_run(out, run_fingerprint(corpus, settings))
    if previous is not None:
        failed_before = len({row["doc"] for row in previous["failed"]})
        say(
            f"outputs in {out} are up to date with the corpus, models, code and options "
            f"(run of {previous['finished']}): nothing to do (--force reruns)"
        )
        if failed_before and not keep_going:
            raise typer.Exit(1)
        return
    from pipeline.flow.workers import run_workers

    documents = len(find_pdfs(corpus, settings.skip))
    options = RunOptions(
        jobs=jobs,
        executor=executor.value,
        scheduler=scheduler,
        cache_dir=None if no_cache else cache,
        timeout=timeout,
        memory_limit_mib=memory_limit,
    )
    workers = run_workers(options, documents)
    try:
        with workers if workers is not None else nullcontext():
            run_extract(corpus, out, settings, options, decision_notes, workers, keep_going, quiet, verbose)
    except KeyboardInterrupt:
        fail(f"interrupted: the outputs in {out} are as they were before this run", 130)


def run_extract(
    corpus: Path,
    out: Path,
    settings: Settings,
    options: RunOptions,
    decision_notes: list[str],
    workers: Workers | None,
    keep_going: bool,
    quiet: bool,
    verbose: int,
) -> None:
    """The work of `g40 extract` once its worker processes are starting: documents, tables, outputs, summary."""
    from pipeline.flow.corpus import extract_corpus
    from pipeline.flow.outputs import IncompleteRun, InvalidTables, OutputLocked, output_lock, write_outputs

    kept: str | None = None
    documents = len(find_pdfs(corpus, settings.skip))
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=console,
        disable=quiet or not console.is_terminal,
    )
    try:
        with output_lock(out), progress as bar:
            task = bar.add_task(f"reading {documents} document(s)", total=documents)
            result = extract_corpus(
                corpus,
                settings,
                options,
                progress=lambda step, done: bar.update(task, description=escape(step), advance=done),
                workers=workers,
            )
            result.notes[:0] = decision_notes
            bar.update(task, description="writing tables, workbook and report")
            try:
                write_outputs(result, out, keep_going=keep_going, workers=workers)
            except IncompleteRun as error:
                kept = str(error)
    except OutputLocked as error:
        fail(str(error), 3)
    except ResourceError as error:
        fail(str(error), 2)
    except InvalidTables as error:
        fail(str(error), 1)
    except OSError as error:
        fail(f"cannot write to {out}: {error.strerror or error}", 2)
    if not quiet:
        for note in result.notes:
            say(f"[cyan]note:[/cyan] {escape(note)}")
        for effect in result.curation:
            if effect["mentions"]:
                say(
                    f"curation line {effect['line']} ({escape(effect['row'])}): {effect['mentions']} mention(s) changed"
                )
        for warning in result.warnings:
            say(f"[yellow]warning:[/yellow] {escape(warning)}")
    if verbose and not quiet:
        for document in result.documents:
            say(document_line(document))
        say("seconds per stage: " + ", ".join(f"{k} {v:.2f}" for k, v in result.stage_seconds.items()))
    for problem in result.errors:
        where = f" page {problem.page}" if problem.page else ""
        say(f"[red]error:[/red] {escape(problem.doc)}{where}: {escape(problem.message)}")
    failed = len(result.failed)
    if kept:
        console.print(f"[red]error:[/red] {kept}")
    where = f"outputs in {out} not replaced" if kept else f"tables in {out}"
    say(f"{len(result.documents) - failed} document(s) succeeded, {failed} failed; {where}")
    if kept or (failed and not keep_going):
        raise typer.Exit(1)


def check_out(out: Path) -> None:
    """Stop with one line (exit 2) when `--out` cannot take the outputs: a file, or a folder that cannot be written."""
    if out.exists() and not out.is_dir():
        fail(f"--out {out} is a file, not a folder: name a folder", 2)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"cannot create the output folder {out}: {error.strerror or error}", 2)
    if not os.access(out, os.W_OK | os.X_OK):
        fail(f"the output folder {out} is not writable: choose another --out", 2)


def document_line(document: DocumentResult) -> str:
    """One document's result in a line, for `-v`."""
    report = document.report
    if report is None:
        return f"{escape(document.source_file)}: not read"
    cached = f", from the cache: {', '.join(sorted(document.cached))}" if document.cached else ""
    return (
        f"{escape(document.source_file)}: {report.year}, {report.n_pages} pages ({report.n_pages_ocr} OCR), "
        f"{len(report.paragraphs)} paragraphs, {len(document.mentions)} mentions, "
        f"{len(document.lobby_acts)} lobbying acts{cached}"
    )


def fail(message: str, code: int) -> NoReturn:
    """Print an error and exit with `code`."""
    say(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code)


@app.command()
def train(
    corpus: CorpusOption = DEFAULT_CORPUS,
    year: Annotated[
        list[str] | None, typer.Option("--year", help="Set a report's year explicitly: FILE=YEAR (repeatable).")
    ] = None,
    no_ocr: Annotated[bool, typer.Option("--no-ocr", help="Do not OCR pages without a text layer.")] = False,
) -> None:
    """Train the theme classifier on the corpus (weak labels from models/theme_map.csv) and save it with its model card in models/."""
    from pipeline.flow.corpus import train_on_corpus
    from pipeline.themes import save_classifier

    settings, _ = corpus_settings(corpus, year or [], ocr=not no_ocr)
    model, card, errors = train_on_corpus(corpus, settings, date=datetime.now(UTC).date().isoformat())
    for problem in errors:
        say(f"[red]error:[/red] {escape(problem.doc)}: {escape(problem.message)} (left out of the training)")
    if not card["trained_on"]:
        fail(f"no readable report in {corpus}: nothing to train on", 1)
    save_classifier(model, card, settings.models_dir)
    scores = card["cross_validation"]
    say(
        f"trained on {card['weakly_labelled_paragraphs']} paragraphs in {card['sections']} sections "
        f"+ {card['keyword_documents']} keywords; "
        f"held-out sections: accuracy {scores['accuracy']:.3f}, macro-F1 {scores['macro_f1']:.3f}; saved in {settings.models_dir}"
    )


@app.command()
def evaluate(
    out: OutOption = DEFAULT_OUT,
    spacy_model: Annotated[
        str, typer.Option("--spacy-model", help="spaCy pipeline name or path.")
    ] = DEFAULT_SPACY_MODEL,
) -> None:
    """Score entities and themes against tests/gold/ (the 2023 report and an independent news item) into evaluation.csv."""
    from pipeline.evaluate import evaluation_table
    from pipeline.tables import write_table

    table = evaluation_table(spacy_model, DEFAULT_CORPUS)
    out.mkdir(parents=True, exist_ok=True)
    write_table(table, out / "evaluation.csv")
    entities = table[(table["task"] == "entities") & table["scope"].isin(["document", "micro"])]
    scores = entities.pivot_table(index=["dataset", "label", "support"], columns="metric", values="value", sort=False)
    for entity in scores.reset_index().to_dict("records"):
        say(
            f"{entity['dataset']:<12} {entity['label']:<13} P {entity['precision']:.3f}  R {entity['recall']:.3f}  "
            f"F1 {entity['f1']:.3f}  (gold entities: {entity['support']})"
        )
    for other in table[table["task"].isin(["theme", "lobby"])].to_dict("records"):
        say(
            f"{other['dataset']:<12} {other['task']} {other['scope']:<24} {other['metric']:<9} {other['value']:.3f}  "
            f"(n: {other['support']})"
        )
    if (out / "report.html").is_file():
        say(f"scores in {out / 'evaluation.csv'}; `g40 report --out {out}` (make report) shows them in the report")


@app.command("nlp-export")
def nlp_export(
    folder: Annotated[Path, typer.Argument(help="New or empty folder for the spaCy pipeline.")],
    spacy_model: Annotated[
        str, typer.Option("--spacy-model", help="spaCy pipeline name or path to start from (rules only when absent).")
    ] = DEFAULT_SPACY_MODEL,
) -> None:
    """Write the entity and lobbying pipeline, with its patterns and knowledge base, as a folder that
    `spacy.load(FOLDER)` loads in any Python session where this package is installed."""
    from pipeline.nlp import build_nlp, export_nlp

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        fail(f"{folder} exists and is not an empty folder: give a new one", 2)
    nlp, note = build_nlp(spacy_model, Settings().models_dir)
    export_nlp(nlp, folder)
    console.print(f"spaCy pipeline ({note}; components: {', '.join(nlp.pipe_names)}) written to {folder}")
    console.print(f'use it with: import spacy; nlp = spacy.load("{folder}")')


@app.command()
def compare(out: OutOption = DEFAULT_OUT) -> None:
    """Compare the years in the tables already in --out (written by `extract`, perhaps edited since) into
    comparison.csv, and rebuild the report."""
    from pipeline.flow.outputs import OutputLocked, compare_outputs, output_lock

    try:
        with output_lock(out):
            notes = compare_outputs(out)
    except FileNotFoundError as error:
        fail(str(error), 2)
    except OutputLocked as error:
        fail(str(error), 3)
    for note in notes:
        say(f"[cyan]note:[/cyan] {escape(note)}")
    if (out / "comparison.csv").exists():
        say(f"comparison in {out / 'comparison.csv'}, report in {out / 'report.html'}")


@app.command()
def report(out: OutOption = DEFAULT_OUT) -> None:
    """Rebuild report.html and datapackage.json from the CSV tables in --out (after editing them, or a changed template)."""
    from pipeline.flow.outputs import OutputLocked, output_lock, revised_outputs, write_report

    if not (out / "documents.csv").is_file():
        fail(f"no tables in {out}: run `g40 extract --out {out}` first", 2)
    try:
        with output_lock(out), revised_outputs(out) as staged:
            found = write_report(staged, evaluation_dir=out)
    except OutputLocked as error:
        fail(str(error), 3)
    say(f"report of {len(found)} tables written to {out / 'report.html'}, described in {out / 'datapackage.json'}")


def main() -> None:
    """The `g40` console script. When stderr is not a terminal, usage errors and help are plain text, so
    nothing is boxed or wrapped in a log.

    A finished command leaves at once, with its exit code, once its output is flushed: by then every file is
    closed and every worker has ended, and Python's own teardown of the libraries a run loads (pandas,
    scikit-learn, matplotlib) would take longer than some whole commands."""
    if not sys.stderr.isatty():
        app.rich_markup_mode = None
    try:
        app()
        code: int | str | None = 0
    except SystemExit as done:
        code = done.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else int(code is not None))


if __name__ == "__main__":
    main()
