"""Stage 1: read a report PDF into positioned words per page, with OCR for pages without a text layer.

Everything downstream works on `Word` positions and font styles, so this is the only module that
touches pdfplumber, pypdfium2 and Tesseract.
"""

from __future__ import annotations

import itertools
import logging
import shutil
from functools import cache
from pathlib import Path

import pdfplumber
import pypdfium2
import pytesseract
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.page import Page as PlumberPage
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.config import DEFAULT_MAX_PAGES
from pipeline.files import file_sha256
from pipeline.records import ErrorKind, Page, PdfDocument, Word

log = logging.getLogger(__name__)

OCR_DPI = 300
OCR_LANGUAGE = "nld"
MIN_TEXT_CHARS = 25
MAX_DAMAGED_GLYPH_SHARE = 0.05
BOLD_MARKERS = ("bold", "black", "heavy", "semibold", "demi")
ITALIC_MARKERS = ("italic", "oblique")
PDF_SIGNATURE = b"%PDF-"
SIGNATURE_WINDOW = 1024
OTHER_FORMATS = {
    b"PK\x03\x04": "a ZIP container (a Word .docx?)",
    b"\xd0\xcf\x11\xe0": "an old Office file (a Word .doc?)",
    b"{\\rtf": "an RTF document",
}


class PdfError(Exception):
    """A file that cannot be read as a report PDF; `kind` names the problem for errors.csv."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def is_bold(fontname: str) -> bool:
    """Bold, black, heavy, semibold or demi font names count as bold (headings)."""
    return any(marker in fontname.lower() for marker in BOLD_MARKERS)


def is_italic(fontname: str) -> bool:
    """Italic or oblique font names (a heading may be marked by slant alone)."""
    return any(marker in fontname.lower() for marker in ITALIC_MARKERS)


def has_doubled_glyphs(page: PlumberPage) -> bool:
    """Fake bold prints each glyph twice at (almost) the same spot."""
    chars = page.chars
    doubled = sum(
        1
        for a, b in itertools.pairwise(chars)
        if a["text"] == b["text"] and abs(a["x0"] - b["x0"]) < 1 and abs(a["top"] - b["top"]) < 1
    )
    return doubled > 0.01 * len(chars)


def page_words(page: PlumberPage) -> list[Word]:
    """Words from the text layer; `dedupe_chars` (slow, so only when needed) undoes fake-bold doubling."""
    source = page.dedupe_chars() if has_doubled_glyphs(page) else page
    raw = source.extract_words(extra_attrs=["fontname", "size", "non_stroking_color"], keep_blank_chars=False)
    return [
        Word(
            text=w["text"],
            x0=float(w["x0"]),
            x1=float(w["x1"]),
            top=float(w["top"]),
            bottom=float(w["bottom"]),
            size=round(float(w["size"]), 1),
            bold=is_bold(str(w["fontname"])),
            color=colour_name(w.get("non_stroking_color")),
            italic=is_italic(str(w["fontname"])),
        )
        for w in raw
    ]


def colour_name(colour: object) -> str:
    """A fill colour as a short stable string (`0.2,0.4,0.6`); grey levels and black are one component."""
    if colour is None:
        return ""
    values = colour if isinstance(colour, (tuple, list)) else (colour,)
    try:
        numbers = [round(float(v), 2) for v in values]
    except (TypeError, ValueError):
        return str(colour)
    if len(numbers) == 3 and len(set(numbers)) == 1:
        numbers = numbers[:1]
    if len(numbers) == 4 and numbers[:3] == [0.0, 0.0, 0.0]:
        numbers = [round(1 - numbers[3], 2)]
    return ",".join(f"{n:g}" for n in numbers)


def page_needs_ocr(page: PlumberPage) -> bool:
    """A page needs OCR when its text layer is (nearly) empty or mostly damaged glyphs."""
    chars = [c["text"] for c in page.chars if not c["text"].isspace()]
    if len(chars) < MIN_TEXT_CHARS:
        return bool(page.images)
    damaged = sum(1 for c in chars if c == "\ufffd" or c.startswith("(cid:"))
    return damaged / len(chars) > MAX_DAMAGED_GLYPH_SHARE


def page_links(page: PlumberPage) -> list[str]:
    """The URIs of a page's hyperlinks."""
    return [str(link["uri"]) for link in page.hyperlinks if link.get("uri")]


@cache
def tesseract_available() -> bool:
    """True where the `tesseract` binary and its Dutch model are installed."""
    if shutil.which("tesseract") is None:
        return False
    try:
        return OCR_LANGUAGE in pytesseract.get_languages(config="")
    except pytesseract.TesseractError:
        return False


def ocr_page(path: Path, page_index: int) -> list[Word]:
    """Render one page with pypdfium2 and read it with Tesseract's Dutch model."""
    scale = OCR_DPI / 72
    document = pypdfium2.PdfDocument(path)
    try:
        image = document[page_index].render(scale=scale).to_pil()
    finally:
        document.close()
    data = pytesseract.image_to_data(image, lang=OCR_LANGUAGE, output_type=pytesseract.Output.DICT)
    words = []
    for i, text in enumerate(data["text"]):
        text = text.strip()
        if not text or float(data["conf"][i]) < 0:
            continue
        top = data["top"][i] / scale
        height = data["height"][i] / scale
        words.append(
            Word(
                text=text,
                x0=data["left"][i] / scale,
                x1=(data["left"][i] + data["width"][i]) / scale,
                top=top,
                bottom=top + height,
                size=round(height, 1),
                bold=False,
            )
        )
    return words


def read_page(path: Path, index: int, page: PlumberPage, ocr: bool, warnings: list[str]) -> Page:
    """One page's words from its text layer, or by OCR where the text layer is unusable."""
    number = index + 1
    width, height = float(page.width), float(page.height)
    links = page_links(page)
    if not page_needs_ocr(page):
        words = page_words(page)
        return Page(number, width, height, words, links, "text" if words else "blank")
    if not ocr or not tesseract_available():
        warnings.append(f"page {number} has no usable text layer and OCR is unavailable")
        return Page(number, width, height, [], links, "ocr_unavailable")
    log.info("page %d has no text layer: OCR", number)
    words = ocr_page(path, index)
    return Page(number, width, height, words, links, "ocr" if words else "blank")


def check_signature(path: Path) -> None:
    """Refuse a file without a `%PDF-` header near its start, naming what it looks like instead."""
    head = path.read_bytes()[:SIGNATURE_WINDOW]
    if PDF_SIGNATURE in head:
        return
    for signature, what in OTHER_FORMATS.items():
        if head.startswith(signature):
            raise PdfError(ErrorKind.NOT_PDF, f"not a PDF: the file is {what} renamed to .pdf")
    raise PdfError(
        ErrorKind.NOT_PDF, "not a PDF: the file has no %PDF- header" if head else "not a PDF: the file is empty"
    )


def read_pdf(path: Path, ocr: bool = True, max_pages: int = DEFAULT_MAX_PAGES) -> PdfDocument:
    """Read every page of a PDF; pages that need OCR but cannot get it are kept, empty and marked.

    A page pdfminer cannot parse is kept as `unreadable` (with its error) so the other pages still count;
    a file that is not a PDF, is encrypted, is corrupt, empty or over `max_pages` raises `PdfError`.
    """
    check_signature(path)
    warnings: list[str] = []
    page_errors: list[tuple[int, str]] = []
    try:
        with pdfplumber.open(path) as pdf:
            if pdf.doc.encryption is not None:
                warnings.append("encrypted with an empty user password: read without one")
            n_pages = len(pdf.pages)
            if n_pages == 0:
                raise PdfError(ErrorKind.ZERO_PAGES, "the PDF has no pages")
            if n_pages > max_pages:
                raise PdfError(
                    ErrorKind.TOO_LARGE,
                    f"{n_pages} pages, more than the limit of {max_pages} (raise it with --max-pages)",
                )
            metadata = {str(k): str(v) for k, v in (pdf.metadata or {}).items()}
            pages = []
            for i, page in enumerate(pdf.pages):
                try:
                    pages.append(read_page(path, i, page, ocr, warnings))
                except Exception as error:
                    page_errors.append((i + 1, f"page {i + 1} cannot be read: {type(error).__name__}: {error}"))
                    pages.append(Page(i + 1, float(page.width), float(page.height), [], [], "unreadable"))
    except PdfError:
        raise
    except Exception as error:
        cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
        if isinstance(cause, PDFPasswordIncorrect):
            raise PdfError(
                ErrorKind.ENCRYPTED,
                "encrypted PDF that needs a password: remove the password or export an unprotected copy",
            ) from error
        raise PdfError(ErrorKind.CORRUPT, f"corrupt or truncated PDF ({type(cause).__name__}: {cause})") from error
    return PdfDocument(
        path=path, sha256=file_sha256(path), metadata=metadata, pages=pages, warnings=warnings, page_errors=page_errors
    )
