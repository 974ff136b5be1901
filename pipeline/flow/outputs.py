"""Writing the outputs: the tables, report, data package and run.json of a run appear together or not at
all, under a lock that keeps a second run off the same folder; the tables can be read back as written."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout

from pipeline import compare, tables
from pipeline.columns import OUTPUT_TABLES
from pipeline.config import MODELS_DIR
from pipeline.files import atomic_write, json_text, write_text
from pipeline.flow.corpus import StageClock
from pipeline.flow.fingerprint import MANIFEST, output_digests
from pipeline.flow.manifest import environment, run_manifest
from pipeline.flow.workers import Workers
from pipeline.records import RunResult
from pipeline.report import Method, render_report
from pipeline.schema import Vocabularies, check_tables, column_fields, datapackage, load_vocabularies


class OutputLocked(Exception):
    """Another run is writing to the same output folder."""


class InvalidTables(Exception):
    """The tables of a run break the data package (a key that is not unique, …): a bug, never written."""


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold `out/.g40.lock` for a whole run: a second run on the same folder stops at once with a clear message."""
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out / ".g40.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout as error:
        raise OutputLocked(
            f"another g40 run is writing to {out} (lock file {out / '.g40.lock'}); wait for it to finish"
        ) from error
    try:
        yield
    finally:
        lock.release()


SETS = ".sets"
CURRENT = ".current"


class IncompleteRun(Exception):
    """A run in which documents failed for reasons other than their content, over a complete earlier set."""


def current_set(out: Path) -> Path | None:
    """The folder of the output set that `out` shows now (None before the first run of this version)."""
    link = out / CURRENT
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def remove_stale(out: Path) -> None:
    """Remove the staging folders of runs that died (any set that `out` does not show): only ever called
    under the output lock, so no live run owns them."""
    shown = current_set(out)
    for folder in [*(out / SETS).glob("*"), *out.glob(".staging-*")]:
        if folder.resolve() != shown:
            shutil.rmtree(folder, ignore_errors=True)


def link(target: str, path: Path) -> None:
    """Make `path` a symbolic link to `target`, replacing whatever link is there in one step."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.link")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, path)


def ours(path: Path) -> bool:
    """An entry of `out` this tool made: a link into the current set, or an output of an earlier version."""
    if path.is_symlink():
        return os.readlink(path).startswith(f"{CURRENT}/")
    return path.is_file() and (path.stem in OUTPUT_TABLES or path.name in LEGACY_FILES)


LEGACY_FILES = {"errors.csv", "report.html", "datapackage.json", tables.WORKBOOK, MANIFEST}


def switch_to(out: Path, staged: Path) -> None:
    """Make the set in `staged` (a folder in `out/.sets`) the outputs of `out` in one rename.

    Every output `out/NAME` is a link to `.current/NAME`, and `.current` a link to one set, so the one
    `os.replace` of `.current` swaps the whole set: a reader sees the old set or the new one, never a mix.
    The previous set is kept until that moment and removed after it; so is every output it had and the new
    one lacks (a comparison when one year is left).
    """
    previous = current_set(out)
    names = sorted(item.name for item in staged.iterdir())
    for name in names:
        path = out / name
        if path.is_symlink() or not path.exists():
            link(f"{CURRENT}/{name}", path)
    if (out / CURRENT).is_dir() and not (out / CURRENT).is_symlink():
        shutil.rmtree(out / CURRENT)  # in a copy made following links (copytree): its files are also at OUT/NAME
    link(f"{SETS}/{staged.name}", out / CURRENT)
    for path in sorted(out.iterdir()):
        if not ours(path):
            continue
        if path.name not in names:
            path.unlink()
        elif not path.is_symlink():
            link(f"{CURRENT}/{path.name}", path)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def stage(out: Path) -> Path:
    """A new, empty set folder in `out/.sets`, after removing those of dead runs."""
    (out / SETS).mkdir(parents=True, exist_ok=True)
    remove_stale(out)
    staged = Path(tempfile.mkdtemp(prefix=datetime.now(UTC).strftime("%Y%m%dT%H%M%S-"), dir=out / SETS))
    staged.chmod(0o755)
    return staged


def complete_set_in(out: Path) -> bool:
    """True when `out` holds the outputs of a run in which no document failed for a transient reason."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return manifest.get("complete", True) is not False


def write_outputs(result: RunResult, out: Path, keep_going: bool = False, workers: Workers | None = None) -> None:
    """Write the complete set of tables, the report, the data package and run.json into a new set folder
    inside `out`, check it, then make it the outputs in one step.

    A run killed before the switch leaves the previous outputs as they were, and its folder is removed by
    the next run. The keys of every table are checked unique and the data package's rules are checked on
    the frames before anything is written. A run in which documents failed for a reason other than their
    content (a dead worker, the time limit, the cache) does not replace a complete earlier set, unless
    `keep_going`; when written, its run.json says it is incomplete, so the next run does the work again.
    The report's years are drawn by `workers` when given and there is more than one (one is drawn here, where
    matplotlib is loaded already).
    """
    transient = sorted(result.transient_failures)
    if transient and not keep_going and complete_set_in(out):
        raise IncompleteRun(
            f"{len(transient)} document(s) failed for a reason other than their content ({', '.join(transient)}): "
            f"the complete outputs in {out} are kept as they were; run again, or pass --keep-going to write this set"
        )
    errors = tables.errors_table(result.errors)
    problems = check_tables({**result.tables, "errors": errors}, load_vocabularies(result.settings.models_dir))
    if problems:
        raise InvalidTables("the tables break the data package, nothing was written: " + "; ".join(problems))
    out.mkdir(parents=True, exist_ok=True)
    staged = stage(out)
    clock = StageClock(result.stage_seconds)
    try:
        for name, frame in result.tables.items():
            tables.write_table(frame, staged / f"{name}.csv")
        tables.write_table(errors, staged / "errors.csv")
        clock.lap("write_tables")
        written = write_report(
            staged,
            result.settings.models_dir,
            spacy=result.spacy,
            evaluation_dir=out,
            map_years=workers.map if workers is not None and len(result.reports) > 1 else map,
        )
        clock.lap("report")
        manifest = run_manifest(result, written, environment(), out, datetime.now(UTC), output_digests(staged))
        manifest["complete"] = not transient
        write_text(staged / MANIFEST, json_text(manifest))
        switch_to(out, staged)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


@contextmanager
def revised_outputs(out: Path) -> Iterator[Path]:
    """A copy of the current outputs to change (`g40 compare`, `g40 report`), shown in one step when the
    block ends without an error."""
    shown = current_set(out) or out
    staged = stage(out)
    try:
        for item in shown.iterdir():
            if item.is_file() and (shown != out or ours(item)):
                shutil.copy2(item, staged / item.name)
        yield staged
        switch_to(out, staged)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def compare_outputs(out: Path, models_dir: Path = MODELS_DIR) -> list[str]:
    """Recompute `comparison.csv` from the tables in `out`; with one year, write none (and drop a stale one).
    The report is rebuilt with it, and both appear with the other outputs in one step."""
    read = read_tables(out, load_vocabularies(models_dir))
    missing = [f"{name}.csv" for name in compare.COMPARISON_INPUTS if name not in read]
    if missing:
        raise FileNotFoundError(f"{out} lacks {', '.join(missing)}: run `g40 extract --out {out}` first")
    notes = compare.add_comparison(read)
    with revised_outputs(out) as staged:
        if "comparison" in read:
            tables.write_table(read["comparison"], staged / "comparison.csv")
        else:
            (staged / "comparison.csv").unlink(missing_ok=True)
        write_report(staged, models_dir, evaluation_dir=out)
    return notes


def read_tables(folder: Path, vocab: Vocabularies) -> dict[str, pd.DataFrame]:
    """The CSV tables in `folder` by name, text columns typed as the data package says."""
    fields = column_fields(vocab)
    return {
        name: tables.read_table(
            folder / f"{name}.csv", [c for c in columns if fields.get(c, {}).get("type") == "string"]
        )
        for name, columns in OUTPUT_TABLES.items()
        if (folder / f"{name}.csv").is_file()
    }


def report_method(folder: Path, spacy: dict[str, Any] | None, evaluation_dir: Path | None) -> Method:
    """What the report's method note says: the run's spaCy facts (given, else from `run.json` in `folder`) and
    the scores of `make evaluate` (`evaluation.csv`, when it is there)."""
    if spacy is None:
        try:
            spacy = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("spacy") or {}
        except (OSError, ValueError):
            spacy = {}
    scores = (evaluation_dir or folder) / "evaluation.csv"
    return Method(spacy, pd.read_csv(scores, keep_default_na=False) if scores.is_file() else None)


def write_report(
    folder: Path,
    models_dir: Path = MODELS_DIR,
    spacy: dict[str, Any] | None = None,
    evaluation_dir: Path | None = None,
    map_years: Callable[..., Iterable[Any]] = map,
) -> dict[str, pd.DataFrame]:
    """Write report.html, the workbook g40.xlsx and datapackage.json beside the CSVs in `folder`, from the CSVs
    as written (so the report and the workbook show exactly what the tables say); returns those tables.
    `map_years` draws the report's years (a pool's map draws them in parallel); the workbook is written
    meanwhile, in a thread of this process, which would otherwise only wait for them."""
    vocab = load_vocabularies(models_dir)
    found = read_tables(folder, vocab)
    method = report_method(folder, spacy, evaluation_dir)
    with ThreadPoolExecutor(max_workers=1) as beside:
        workbook = beside.submit(
            atomic_write, folder / tables.WORKBOOK, lambda temporary: tables.write_workbook(found, temporary)
        )
        write_text(folder / "report.html", render_report(found, vocab, method, map_years))
        workbook.result()
    write_text(folder / "datapackage.json", json_text(datapackage(found, vocab)))
    return found
