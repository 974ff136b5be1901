"""Stage 2c: the year a report covers, from its file name, PDF metadata and title page."""

from __future__ import annotations

import re
from pathlib import Path

YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


class YearError(ValueError):
    """The report's year cannot be told, or its sources disagree."""


def detect_year(file_name: str, metadata: dict[str, str], title_page: str, report_titles: str) -> int:
    """The report year from file name, PDF metadata and title page; disagreement is an error, not a guess.

    `report_titles` is a regex alternation of title words (`Jaarverslag 2023`) that name the year outright.
    """
    report_year = re.compile(rf"(?:{report_titles})\W+((?:19|20)\d{{2}})", re.I)
    evidence: dict[str, set[int]] = {
        "file name": {int(y) for y in YEAR_RE.findall(Path(file_name).stem)},
        "PDF metadata": {
            int(y) for key in ("Title", "Subject", "Keywords") for y in YEAR_RE.findall(metadata.get(key, ""))
        },
        "title page": {int(y) for y in report_year.findall(title_page)}
        or ({int(y) for y in YEAR_RE.findall(title_page)} if len(set(YEAR_RE.findall(title_page))) == 1 else set()),
    }
    claims = {source: years for source, years in evidence.items() if years}
    years = set().union(*claims.values()) if claims else set()
    if len(years) == 1:
        return years.pop()
    if not years:
        raise YearError(f"{file_name}: the report year cannot be told from its file name, metadata or title page")
    detail = "; ".join(f"{source} says {', '.join(map(str, sorted(ys)))}" for source, ys in claims.items())
    raise YearError(f"{file_name}: conflicting report years ({detail})")
