"""Screenshots of a report at desktop and phone width for the README (`make screenshots`).

Headless Chromium will not make its window narrower than 500 px, so the phone view is the report in a
390 px wide frame, cropped to the frame. Writes `docs/report-1280.png` and `docs/report-390.png`.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from pipeline.config import DEFAULT_OUT, PROJ_ROOT

FRAME = """<!DOCTYPE html><html><head><style>body {{ margin: 0 }} iframe {{ border: 0; width: {width}px;
height: {height}px; display: block }}</style></head><body><iframe src="{src}"></iframe></body></html>"""


def shoot(page: str, path: Path, window: tuple[int, int], profile: Path) -> None:
    subprocess.run(
        [
            "chromium",
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--allow-file-access-from-files",
            f"--user-data-dir={profile}",
            f"--window-size={window[0]},{window[1]}",
            f"--screenshot={path}",
            page,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder with report.html")
    parser.add_argument("--docs", type=Path, default=PROJ_ROOT / "docs", help="where the PNGs go")
    arguments = parser.parse_args()
    report = (arguments.out / "report.html").resolve()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        wide = arguments.docs / "report-1280.png"
        shoot(report.as_uri(), wide, (1280, 2300), work / "profile")
        frame = work / "frame.html"
        frame.write_text(FRAME.format(width=390, height=4200, src=report.as_uri()), encoding="utf-8")
        raw = work / "phone.png"
        shoot(frame.as_uri(), raw, (500, 4200), work / "profile")
        narrow = arguments.docs / "report-390.png"
        with Image.open(raw) as image:
            image.crop((0, 0, 390, 4200)).save(narrow, optimize=True)
        with Image.open(wide) as image:
            image.save(wide, optimize=True)
    print(f"screenshots in {wide} and {narrow}")


if __name__ == "__main__":
    main()
