"""Paths and settings in one place. Kept free of heavy imports: the command line reads it before it knows
whether there is any work to do."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = PROJ_ROOT / "models"
DEFAULT_CORPUS = PROJ_ROOT / "corpus"
DEFAULT_OUT = PROJ_ROOT / "outputs"
DEFAULT_SPACY_MODEL = "nl_core_news_sm"
DEFAULT_CACHE = PROJ_ROOT / ".cache" / "g40"
DEFAULT_MAX_PAGES = 1000


@dataclass(frozen=True)
class Settings:
    """Options of one run; the per-document work depends on nothing else."""

    models_dir: Path = MODELS_DIR
    spacy_model: str = DEFAULT_SPACY_MODEL
    ocr: bool = True
    year_overrides: dict[str, int] = field(default_factory=dict)
    max_pages: int = DEFAULT_MAX_PAGES


@dataclass(frozen=True)
class RunOptions:
    """How a run is executed; none of this changes its results."""

    jobs: int = 1
    executor: str = "local"
    scheduler: str | None = None
    cache_dir: Path | None = None


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def find_pdfs(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix.lower() == ".pdf")
