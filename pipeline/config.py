"""Paths and settings in one place. Kept free of heavy imports: the command line reads it before it knows
whether there is any work to do."""

from __future__ import annotations

import os
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
    titles: dict[str, str] = field(default_factory=dict)
    skip: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunOptions:
    """How a run is executed; none of this changes its results."""

    jobs: int = 1
    executor: str = "local"
    scheduler: str | None = None
    cache_dir: Path | None = None


def corpus_folder(corpus: Path) -> Path:
    """The folder of a corpus given as a folder or as one PDF (where its `reports.csv` is)."""
    return corpus.parent if corpus.is_file() else corpus


def find_pdfs(corpus: Path, skip: tuple[str, ...] = ()) -> list[Path]:
    """The PDFs of a corpus folder by name (or the one PDF given), without those `reports.csv` skips."""
    if corpus.is_file():
        return [corpus] if corpus.name not in skip else []
    return sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix.lower() == ".pdf" and p.name not in skip)
