"""The `g40` command: `extract` reads every report in a corpus and writes the tables to `--out`; `compare`,
`report`, `train` and `evaluate` work on those tables or on the models; `nlp-export` writes the spaCy pipeline.

The pipeline itself is imported inside the commands, so that `--help` and an `extract` whose outputs are
already up to date answer without loading spaCy and scikit-learn.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import Progress

from pipeline.config import (
    DEFAULT_CACHE,
    DEFAULT_CORPUS,
    DEFAULT_MAX_PAGES,
    DEFAULT_OUT,
    DEFAULT_SPACY_MODEL,
    RunOptions,
    Settings,
    find_pdfs,
)
from pipeline.flow.fingerprint import previous_run, run_fingerprint

app = typer.Typer(
    help="Analyse G40 annual reports: paragraphs, entities, themes and lobbying focus per pillar.", no_args_is_help=True
)
console = Console(stderr=True)

CorpusOption = Annotated[Path, typer.Option("--corpus", help="Folder with the report PDFs, one report per year.")]
OutOption = Annotated[Path, typer.Option("--out", help="Folder for the output tables (written atomically).")]
QuietOption = Annotated[bool, typer.Option("--quiet", help="Only print errors and the summary line.")]


class Executor(StrEnum):
    """Where documents are processed: this machine or a Dask cluster."""

    local = "local"
    dask = "dask"


@app.callback()
def cli() -> None:
    """Analyse G40 annual reports (see README.md)."""


def parse_years(values: list[str], corpus: Path) -> dict[str, int]:
    """`--year FILE=YEAR` options; a file that is not in the corpus is a mistake worth stopping for."""
    years = {}
    present = {path.name for path in find_pdfs(corpus)}
    for value in values:
        name, _, year = value.rpartition("=")
        if not name or not year.isdigit():
            raise typer.BadParameter(f"expected FILE=YEAR, got {value!r}")
        if name not in present:
            raise typer.BadParameter(f"{name!r} is not a PDF in {corpus}")
        years[name] = int(year)
    return years


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
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going", help="Exit 0 even when some documents failed (they are still listed in errors.csv)."
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Run even when the outputs are up to date with the corpus, models, code and options."
        ),
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Extract paragraphs, entities, lobbying acts and themes from every PDF in the corpus into tidy CSV
    tables, report.html, run.json and datapackage.json."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    if not corpus.is_dir():
        fail(f"corpus folder {corpus} does not exist", 2)
    settings = Settings(
        spacy_model=spacy_model, ocr=not no_ocr, year_overrides=parse_years(year or [], corpus), max_pages=max_pages
    )
    previous = None if force else previous_run(out, run_fingerprint(corpus, settings))
    if previous is not None:
        failed_before = len({row["doc"] for row in previous["failed"]})
        console.print(
            f"outputs in {out} are up to date with the corpus, models, code and options "
            f"(run of {previous['finished']}): nothing to do (--force reruns)"
        )
        if failed_before and not keep_going:
            raise typer.Exit(1)
        return
    from pipeline.flow.corpus import extract_corpus
    from pipeline.flow.outputs import OutputLocked, output_lock, write_outputs

    options = RunOptions(jobs=jobs, executor=executor.value, scheduler=scheduler, cache_dir=None if no_cache else cache)
    try:
        with (
            output_lock(out),
            Progress(transient=True, console=console, disable=quiet or not console.is_terminal) as bar,
        ):
            task = bar.add_task("reading", total=len(find_pdfs(corpus)))
            result = extract_corpus(
                corpus, settings, options, progress=lambda step, done: bar.update(task, description=step, advance=done)
            )
            bar.update(task, description="writing tables and report")
            write_outputs(result, out)
    except OutputLocked as error:
        fail(str(error), 3)
    if not quiet:
        for note in result.notes:
            console.print(f"[cyan]note:[/cyan] {note}")
        for warning in result.warnings:
            console.print(f"[yellow]warning:[/yellow] {warning}")
    for problem in result.errors:
        where = f" page {problem.page}" if problem.page else ""
        console.print(f"[red]error:[/red] {problem.doc}{where}: {problem.message}")
    failed = len(result.failed)
    console.print(f"{len(result.documents) - failed} document(s) succeeded, {failed} failed; tables in {out}")
    if failed and not keep_going:
        raise typer.Exit(1)


def fail(message: str, code: int) -> NoReturn:
    """Print an error and exit with `code`."""
    console.print(f"[red]error:[/red] {message}")
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

    if not corpus.is_dir():
        fail(f"corpus folder {corpus} does not exist", 2)
    settings = Settings(ocr=not no_ocr, year_overrides=parse_years(year or [], corpus))
    model, card, errors = train_on_corpus(corpus, settings, date=datetime.now(UTC).date().isoformat())
    for problem in errors:
        console.print(f"[red]error:[/red] {problem.doc}: {problem.message} (left out of the training)")
    if not card["trained_on"]:
        fail(f"no readable report in {corpus}: nothing to train on", 1)
    save_classifier(model, card, settings.models_dir)
    scores = card["cross_validation"]
    console.print(
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
        console.print(
            f"{entity['dataset']:<12} {entity['label']:<13} P {entity['precision']:.3f}  R {entity['recall']:.3f}  "
            f"F1 {entity['f1']:.3f}  (gold entities: {entity['support']})"
        )
    for other in table[table["task"].isin(["theme", "lobby"])].to_dict("records"):
        console.print(
            f"{other['dataset']:<12} {other['task']} {other['scope']:<24} {other['metric']:<9} {other['value']:.3f}  "
            f"(n: {other['support']})"
        )


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
    from pipeline.flow.outputs import OutputLocked, compare_outputs, output_lock, write_report

    try:
        with output_lock(out):
            notes = compare_outputs(out)
            write_report(out)
    except FileNotFoundError as error:
        fail(str(error), 2)
    except OutputLocked as error:
        fail(str(error), 3)
    for note in notes:
        console.print(f"[cyan]note:[/cyan] {note}")
    if (out / "comparison.csv").exists():
        console.print(f"comparison in {out / 'comparison.csv'}, report in {out / 'report.html'}")


@app.command()
def report(out: OutOption = DEFAULT_OUT) -> None:
    """Rebuild report.html and datapackage.json from the CSV tables in --out (after editing them, or a changed template)."""
    from pipeline.flow.outputs import OutputLocked, output_lock, write_report

    if not (out / "documents.csv").is_file():
        fail(f"no tables in {out}: run `g40 extract --out {out}` first", 2)
    try:
        with output_lock(out):
            found = write_report(out)
    except OutputLocked as error:
        fail(str(error), 3)
    console.print(
        f"report of {len(found)} tables written to {out / 'report.html'}, described in {out / 'datapackage.json'}"
    )


def main() -> None:
    """The `g40` console script."""
    app()


if __name__ == "__main__":
    main()
