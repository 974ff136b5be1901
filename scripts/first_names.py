"""Write `models/first_names.csv`: the first names in use in the Netherlands, from gender-guesser's name list.

gender-guesser (https://pypi.org/project/gender-guesser/) ships Jörg Michael's `nam_dict.txt` (GNU FDL 1.2),
which gives each first name a frequency per country from 1 (rare) to 13 (extremely common). The tool uses the
names to tell a person from a place (`wethouder Paul de Kampen`, `Peter Mierlo, directeur van …`), so every
single-word name with a Dutch frequency is kept. Run with the downloaded wheel:
`pip download gender-guesser==0.4.0 --no-deps -d /tmp/gg && python scripts/first_names.py /tmp/gg/*.whl`.
"""

from __future__ import annotations

import csv
import sys
import zipfile
from pathlib import Path

from pipeline.config import MODELS_DIR

NAME_LIST = "gender_guesser/data/nam_dict.txt"
NAME_COLUMNS = slice(3, 29)
NETHERLANDS_COLUMN = 40
"""Column of the Netherlands' frequency digit (`nam_dict.txt`'s list of countries: Great Britain is column 30)."""
SOURCE = (
    "gender-guesser 0.4.0, gender_guesser/data/nam_dict.txt (Jörg Michael, GNU FDL 1.2): frequency in the Netherlands"
)


def dutch_first_names(lines: list[str]) -> dict[str, int]:
    """Single-word names with a frequency in the Netherlands, with the highest frequency any spelling has."""
    names: dict[str, int] = {}
    for line in lines:
        if line.startswith("#") or len(line) <= NETHERLANDS_COLUMN:
            continue
        name, frequency = line[NAME_COLUMNS].strip(), line[NETHERLANDS_COLUMN].strip()
        if frequency and name and " " not in name and "+" not in name:
            names[name] = max(int(frequency, 16), names.get(name, 0))
    return names


def main(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        lines = archive.read(NAME_LIST).decode("utf-8").splitlines()
    names = dutch_first_names(lines)
    with (MODELS_DIR / "first_names.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["name", "frequency_nl", "source"])
        for name in sorted(names):
            writer.writerow([name, names[name], SOURCE])
    print(f"{len(names)} first names written to {MODELS_DIR / 'first_names.csv'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
