"""The `g40` command: `extract` reads every report in a corpus and writes the tables to `--out`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipeline.config import DEFAULT_CORPUS, DEFAULT_OUT, DEFAULT_SPACY_MODEL, Settings
from pipeline.run import extract_corpus, train_themes, write_outputs, write_report
from pipeline.tables import write_table
from pipeline.themes import save_classifier

app = typer.Typer(help="Analyse G40 annual reports: paragraphs, entities, themes and lobbying focus per pillar.", no_args_is_help=True)
console = Console(stderr=True)

CorpusOption = Annotated[Path, typer.Option("--corpus", help="Folder with the report PDFs, one report per year.")]
OutOption = Annotated[Path, typer.Option("--out", help="Folder for the output tables (written atomically).")]
QuietOption = Annotated[bool, typer.Option("--quiet", help="Only print errors and the summary line.")]


@app.callback()
def cli() -> None:
    """Analyse G40 annual reports (see README.md)."""


def parse_years(values: list[str]) -> dict[str, int]:
    years = {}
    for value in values:
        name, _, year = value.rpartition("=")
        if not name or not year.isdigit():
            raise typer.BadParameter(f"expected FILE=YEAR, got {value!r}")
        years[name] = int(year)
    return years


@app.command()
def extract(
    corpus: CorpusOption = DEFAULT_CORPUS,
    out: OutOption = DEFAULT_OUT,
    spacy_model: Annotated[str, typer.Option("--spacy-model", help="spaCy pipeline name or path; falls back to rules only when it is not installed.")] = DEFAULT_SPACY_MODEL,
    year: Annotated[list[str] | None, typer.Option("--year", help="Set a report's year explicitly: FILE=YEAR (repeatable).")] = None,
    no_ocr: Annotated[bool, typer.Option("--no-ocr", help="Do not OCR pages without a text layer (they are listed as skipped).")] = False,
    quiet: QuietOption = False,
) -> None:
    """Extract paragraphs, sections and links from every PDF in the corpus into tidy CSV tables."""
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(levelname)s %(message)s")
    if not corpus.is_dir():
        console.print(f"[red]error:[/red] corpus folder {corpus} does not exist")
        raise typer.Exit(2)
    settings = Settings(spacy_model=spacy_model, ocr=not no_ocr, year_overrides=parse_years(year or []))
    result = extract_corpus(corpus, settings, progress=None if quiet else lambda name: console.print(f"reading {name}"))
    for note in result.notes:
        console.print(f"[cyan]note:[/cyan] {note}")
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    for error in result.errors:
        console.print(f"[red]error:[/red] {error.doc}: {error.message}")
    write_outputs(result, out)
    console.print(f"{len(result.reports)} document(s) succeeded, {len({e.doc for e in result.errors})} failed; tables in {out}")
    if result.errors:
        raise typer.Exit(1)


@app.command()
def train(
    corpus: CorpusOption = DEFAULT_CORPUS,
    no_ocr: Annotated[bool, typer.Option("--no-ocr", help="Do not OCR pages without a text layer.")] = False,
) -> None:
    """Train the theme classifier on the corpus (weak labels from models/theme_map.csv) and save it with its model card in models/."""
    settings = Settings(ocr=not no_ocr)
    model, card = train_themes(corpus, settings, date=datetime.now(UTC).date().isoformat())
    save_classifier(model, card, settings.models_dir)
    scores = card["cross_validation"]
    console.print(
        f"trained on {card['weakly_labelled_paragraphs']} paragraphs in {card['sections']} sections + {card['keyword_documents']} keywords; "
        f"held-out sections: accuracy {scores['accuracy']:.3f}, macro-F1 {scores['macro_f1']:.3f}; saved in {settings.models_dir}"
    )


@app.command()
def evaluate(
    out: OutOption = DEFAULT_OUT,
    spacy_model: Annotated[str, typer.Option("--spacy-model", help="spaCy pipeline name or path.")] = DEFAULT_SPACY_MODEL,
) -> None:
    """Score entities and themes against tests/gold/ (the 2023 report and an independent news item) into evaluation.csv."""
    from pipeline.evaluate import evaluation_table

    table = evaluation_table(spacy_model, DEFAULT_CORPUS)
    out.mkdir(parents=True, exist_ok=True)
    write_table(table, out / "evaluation.csv")
    shown = table[(table["scope"] == "document") & (table["metric"] == "f1")]
    for row in shown.itertuples():
        console.print(f"{row.dataset:<12} {row.label:<13} F1 {row.value:.3f}  (gold entities: {row.support})")
    for row in table[table["task"].isin(["theme", "lobby"])].itertuples():
        console.print(f"{row.dataset:<12} {row.task} {row.scope:<24} {row.metric:<9} {row.value:.3f}  (n: {row.support})")


@app.command()
def report(out: OutOption = DEFAULT_OUT) -> None:
    """Rebuild report.html and datapackage.json from the CSV tables in --out (after `g40 compare`, or a changed template)."""
    if not (out / "documents.csv").is_file():
        console.print(f"[red]error:[/red] no tables in {out}: run `g40 extract --out {out}` first")
        raise typer.Exit(2)
    found = write_report(out)
    console.print(f"report of {len(found)} tables written to {out / 'report.html'}, described in {out / 'datapackage.json'}")


def main() -> None:
    app()
