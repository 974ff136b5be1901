"""Hostile PDFs written byte by byte: what reportlab will not make (a page tree that loops, a font without a
Unicode map)."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase.pdfmetrics import stringWidth


def pdf_bytes(objects: dict[int, bytes]) -> bytes:
    """A PDF of numbered objects (1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for number in range(1, size):
        out += f"{offsets[number]:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def stream(content: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"


def looping_pdf(path: Path, year: int = 2031) -> Path:
    """Under 1 KB: the page's MediaBox is object 5, which is object 6, which is object 5 …"""
    path.write_bytes(
        pdf_bytes(
            {
                1: b"<< /Type /Catalog /Pages 2 0 R >>",
                2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                3: b"<< /Type /Page /Parent 2 0 R /MediaBox 5 0 R /Contents 4 0 R >>",
                4: stream(b"BT /F1 12 Tf 72 712 Td (Jaarverslag %d) Tj ET" % year),
                5: b"6 0 R",
                6: b"5 0 R",
            }
        )
    )
    return path


def unmapped_heading_pdf(path: Path, heading: str, body: list[str]) -> Path:
    """One page: `heading` in bold 15 pt in a Type 3 font whose glyph names mean nothing (no Unicode map, so
    the text layer has `(cid:N)` junk, though the page shows the heading), then `body` in Helvetica 9.5 pt."""
    letters = sorted(set(heading))
    codes = {letter: i + 1 for i, letter in enumerate(letters)}
    objects: dict[int, bytes] = {}
    procs = {}
    for number, (letter, code) in enumerate(codes.items(), start=9):
        width = round(stringWidth(letter, "Helvetica-Bold", 1000))
        escaped = letter.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        objects[number] = stream(f"{width} 0 d0 BT /H 1000 Tf 0 0 Td ({escaped}) Tj ET".encode())
        procs[code] = number
    widths = b" ".join(str(round(stringWidth(letter, "Helvetica-Bold", 1000))).encode() for letter in letters)
    shown = "".join(f"\\{codes[ch]:03o}" for ch in heading).encode()
    lines = [b"BT /T 15 Tf 70 762 Td (%s) Tj ET" % shown]
    lines += [
        b"BT /F 9.5 Tf 70 %d Td (%s) Tj ET" % (732 - 13 * i, line.encode("latin-1")) for i, line in enumerate(body)
    ]
    objects |= {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F 5 0 R /T 6 0 R >> >> >>",
        4: stream(b"\n".join(lines)),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        6: b"<< /Type /Font /Subtype /Type3 /FontBBox [0 -250 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] "
        b"/CharProcs 7 0 R /Encoding << /Type /Encoding /Differences [1 "
        + b" ".join(b"/g%d" % c for c in procs)
        + b"] >> /FirstChar 1 /LastChar %d /Widths [" % len(letters)
        + widths
        + b"] /Resources << /Font << /H 8 0 R >> >> >>",
        7: b"<< " + b" ".join(b"/g%d %d 0 R" % (c, n) for c, n in procs.items()) + b" >>",
        8: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    }
    path.write_bytes(pdf_bytes(objects))
    return path
