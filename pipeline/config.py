"""Paths and settings in one place. Kept free of heavy imports: the command line reads it before it knows
whether there is any work to do."""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJ_ROOT = PACKAGE_DIR.parent
MODELS_ENV = "G40_MODELS"


def default_models_dir() -> Path:
    """`models/`: named by `G40_MODELS`, else inside the installed package, else beside it in a checkout."""
    if os.environ.get(MODELS_ENV):
        return Path(os.environ[MODELS_ENV])
    packaged = PACKAGE_DIR / "models"
    return packaged if packaged.is_dir() else PROJ_ROOT / "models"


MODELS_DIR = default_models_dir()
# In a checkout the corpus, outputs and cache sit beside the package; an installed tool works in the current folder.
WORK_DIR = PROJ_ROOT if (PROJ_ROOT / "pyproject.toml").is_file() else Path()
DEFAULT_CORPUS = WORK_DIR / "corpus"
DEFAULT_OUT = WORK_DIR / "outputs"
DEFAULT_SPACY_MODEL = "nl_core_news_sm"
DEFAULT_CACHE = WORK_DIR / ".cache" / "g40"
DEFAULT_MAX_PAGES = 1000
DEFAULT_TIMEOUT = 1200.0
DEFAULT_MEMORY_LIMIT_MIB = 3072
# The user's decisions per PDF (year, title, skip), kept beside the PDFs so that every run gives the same result.
REPORTS_FILE = "reports.csv"


@dataclass(frozen=True)
class Settings:
    """Options of one run; the per-document work depends on nothing else."""

    models_dir: Path = MODELS_DIR
    spacy_model: str = DEFAULT_SPACY_MODEL
    ocr: bool = True
    year_overrides: dict[str, int] = field(default_factory=dict)
    max_pages: int = DEFAULT_MAX_PAGES
    doc_ids: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    skip: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunOptions:
    """How a run is executed; none of this changes its results."""

    jobs: int = 1
    executor: str = "local"
    scheduler: str | None = None
    cache_dir: Path | None = None
    timeout: float | None = DEFAULT_TIMEOUT
    memory_limit_mib: int | None = DEFAULT_MEMORY_LIMIT_MIB


@dataclass(frozen=True)
class SkippedEntry:
    """An entry of the corpus folder named `*.pdf` that cannot be read as a file: its safe name, the kind
    of problem (an `ErrorKind` value) and what to do."""

    name: str
    kind: str
    message: str


def safe_name(name: str) -> str:
    """A file name that can be printed and written to a CSV: undecodable bytes and control characters escaped."""
    raw = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) == "Cc" else c for c in raw)


def entry_problem(path: Path) -> SkippedEntry | None:
    """Why an entry named `*.pdf` cannot be read as a report (a bad name, a link to nowhere, a folder, a FIFO,
    no permission), or None when it is a readable regular file."""
    name = safe_name(path.name)
    if name != path.name:
        return SkippedEntry(
            name, "file_name", "the file name is not valid UTF-8 or holds control characters: rename the file"
        )
    try:
        mode = path.stat().st_mode
    except OSError as error:
        if path.is_symlink():
            reason = "a symbolic link loop" if error.errno == errno.ELOOP else "a symbolic link to nowhere"
            return SkippedEntry(name, "unreadable_file", f"{reason}: point it at a PDF or remove it")
        return SkippedEntry(name, "unreadable_file", f"cannot be read ({error.strerror}): check the file")
    if not stat.S_ISREG(mode):
        what = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "not a regular file"
        return SkippedEntry(name, "not_pdf", f"{what} named .pdf, not a PDF file: rename or remove it")
    if not os.access(path, os.R_OK):
        return SkippedEntry(name, "unreadable_file", "cannot be read (permission denied): check its permissions")
    return None


def scan_corpus(corpus: Path, skip: tuple[str, ...] = ()) -> tuple[list[Path], list[SkippedEntry]]:
    """The readable PDFs of a corpus folder by name (or the one PDF given), without those `reports.csv` skips,
    and every other entry named `*.pdf` with its problem."""
    paths, skipped = [], []
    entries = [corpus] if corpus.is_file() else sorted(corpus.iterdir(), key=lambda p: os.fsencode(p.name))
    for path in entries:
        if path.suffix.lower() != ".pdf" or path.name in skip:
            continue
        problem = entry_problem(path)
        if problem is None:
            paths.append(path)
        else:
            skipped.append(problem)
    return paths, skipped


def corpus_folder(corpus: Path) -> Path:
    """The folder of a corpus given as a folder or as one PDF (where its `reports.csv` is)."""
    return corpus.parent if corpus.is_file() else corpus


def find_pdfs(corpus: Path, skip: tuple[str, ...] = ()) -> list[Path]:
    """The readable PDFs of a corpus folder by name (or the one PDF given), without those `reports.csv` skips."""
    return scan_corpus(corpus, skip)[0]
