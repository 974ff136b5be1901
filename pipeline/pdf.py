"""Stage 1: read a report PDF into positioned words per page, with OCR for pages without a text layer.

Everything downstream works on `Word` positions and font styles, so this is the only module that
touches pdfplumber, pypdfium2 and Tesseract.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import shutil
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pdfplumber
import pypdfium2
import pytesseract
from pdfminer.layout import LTChar, LTContainer, LTImage
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1, stream_value
from pdfplumber.page import Page as PlumberPage
from pdfplumber.page import fix_fontname_bytes
from pdfplumber.utils import dedupe_chars, extract_words
from pdfplumber.utils.exceptions import PdfminerException
from PIL import Image

from pipeline.config import DEFAULT_MAX_PAGES
from pipeline.files import file_sha256
from pipeline.records import ErrorKind, Page, PdfDocument, Word

log = logging.getLogger(__name__)

OCR_DPI = 300
OCR_LANGUAGE = "nld"
MIN_TEXT_CHARS = 25
OCR_MAX_PIXELS = 40_000_000
OCR_MIN_DPI = 100
OCR_BAND_MARGIN = 2.0
# Cap and ascender height over the em in common sans and serif faces: a line's height above its baseline.
ASCENT_EM = 0.72
INK_THRESHOLD = 128
# Regular stems are about 0.08–0.09 em wide, bold ones 0.13–0.15 em.
BOLD_STROKE_SHARE = 0.11
MAX_CHARS_PER_SQUARE_POINT = 0.05
MIN_GUARDED_CHARS = 20_000
TEXT_OPERAND_RE = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>")
BOLD_MARKERS = ("bold", "black", "heavy", "semibold", "demi")
ITALIC_MARKERS = ("italic", "oblique")
PDF_SIGNATURE = b"%PDF-"
SIGNATURE_WINDOW = 1024
OTHER_FORMATS = {
    b"PK\x03\x04": "a ZIP container (a Word .docx?)",
    b"\xd0\xcf\x11\xe0": "an old Office file (a Word .doc?)",
    b"{\\rtf": "an RTF document",
}


class PageTooDense(Exception):
    """A page that cannot be read within the bounds: too many characters for its area, or too large to render."""


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


def page_objects(page: PlumberPage) -> tuple[list[dict], bool]:
    """The page's characters as pdfplumber char dicts, and whether it shows an image, in one walk over
    pdfminer's layout of the page.

    Only the attributes that word grouping and the styles need are taken, with pdfplumber's own coordinate
    rules; `page.chars` would first resolve every attribute of every object on the page (curves, rects and
    images included), which is most of the cost of reading a PDF with pdfplumber.
    """
    mb_x0, mb_top = float(page.mediabox[0]), float(page.mediabox[1])
    height = float(page.height)
    chars: list[dict] = []
    has_image = False
    stack: list = list(page.layout._objs)
    while stack:
        item = stack.pop()
        if isinstance(item, LTChar):
            colour = item.graphicstate.ncolor
            fontname = item.fontname
            chars.append(
                {
                    "text": item.get_text(),
                    "x0": item.x0 + mb_x0,
                    "x1": item.x1 + mb_x0,
                    "top": height - item.y1 + mb_top,
                    "bottom": height - item.y0 + mb_top,
                    "doctop": page.initial_doctop + height - item.y1 + mb_top,
                    "upright": item.upright,
                    "size": item.size,
                    "fontname": fix_fontname_bytes(fontname) if isinstance(fontname, bytes) else fontname,
                    "non_stroking_color": colour if isinstance(colour, tuple) else (colour,),
                }
            )
        elif isinstance(item, LTImage):
            has_image = True
        elif isinstance(item, LTContainer):
            stack.extend(item._objs)
    chars.reverse()
    return chars, has_image


def has_doubled_glyphs(chars: list[dict]) -> bool:
    """Fake bold prints each glyph twice at (almost) the same spot."""
    doubled = sum(
        1
        for a, b in itertools.pairwise(chars)
        if a["text"] == b["text"] and abs(a["x0"] - b["x0"]) < 1 and abs(a["top"] - b["top"]) < 1
    )
    return doubled > 0.01 * len(chars)


WORD_ATTRS = ["fontname", "size", "non_stroking_color"]


def page_words(chars: list[dict]) -> list[Word]:
    """Words of a page's characters (pdfplumber's word grouping); `dedupe_chars` (slow, so only when needed)
    undoes fake-bold doubling."""
    source = dedupe_chars(chars) if has_doubled_glyphs(chars) else chars
    raw = extract_words(source, extra_attrs=WORD_ATTRS, keep_blank_chars=False)
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


def is_damaged(text: str) -> bool:
    """A word from a font without a Unicode map: replacement characters or `(cid:N)` codes."""
    return "\ufffd" in text or "(cid:" in text


def text_layer_is_unusable(chars: list[dict], has_image: bool, words: list[Word]) -> bool:
    """The whole page needs OCR: next to no text but an image (a scan), or (nearly) all of its text damaged."""
    if sum(1 for c in chars if not c["text"].isspace()) < MIN_TEXT_CHARS:
        return has_image
    good = sum(len(w.text) for w in words if not is_damaged(w.text))
    return good < MIN_TEXT_CHARS


def estimated_chars(page: PlumberPage) -> int:
    """Characters the page's content streams show, counted from their string operands without parsing the
    page (a regular expression over the decoded bytes): what the density guard needs before the parse."""
    total = 0
    for content in page.page_obj.contents:
        data = stream_value(resolve1(content)).get_data()
        total += sum(len(match) - 2 for match in TEXT_OPERAND_RE.findall(data))
    return total


def check_density(page: PlumberPage) -> None:
    """Refuse a page with far more characters than its area holds in legible print: parsing and laying out
    such a page (hundreds of thousands of glyphs of 1 pt) takes minutes, and it is never body text."""
    area = float(page.width) * float(page.height)
    chars = estimated_chars(page)
    if chars > MIN_GUARDED_CHARS and chars > MAX_CHARS_PER_SQUARE_POINT * area:
        raise PageTooDense(
            f"about {chars} characters on a page of {float(page.width):.0f}×{float(page.height):.0f} pt, "
            "too small to be read as text: skipped"
        )


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


def ocr_scale(width: float, height: float) -> float:
    """Render scale for OCR: 300 dpi, less where the page would exceed the pixel budget; a page that would
    need less than 100 dpi to fit is refused (its print would be too small to read)."""
    scale = min(OCR_DPI / 72, math.sqrt(OCR_MAX_PIXELS / max(width * height, 1.0)))
    if scale * 72 < OCR_MIN_DPI:
        raise PageTooDense(
            f"a page of {width:.0f}×{height:.0f} pt is too large to render for OCR within "
            f"{OCR_MAX_PIXELS // 1_000_000} million pixels: skipped"
        )
    return scale


def render_page(path: Path, page_index: int, scale: float) -> Image.Image:
    """One page as a greyscale image at `scale` pixels per point (pypdfium2)."""
    document = pypdfium2.PdfDocument(path)
    try:
        return document[page_index].render(scale=scale, grayscale=True).to_pil().convert("L")
    finally:
        document.close()


def is_bold_ink(image: Image.Image, em_px: float) -> bool:
    """Bold print has thicker strokes: the median run of dark pixels along the rows, over the em, is larger."""
    pixels = np.asarray(image) < INK_THRESHOLD
    padded = np.pad(pixels, ((0, 0), (1, 1))).astype(np.int8)
    edges = np.diff(padded, axis=1)
    starts, ends = np.nonzero(edges == 1), np.nonzero(edges == -1)
    runs = ends[1] - starts[1]
    return bool(len(runs)) and float(np.median(runs)) / max(em_px, 1.0) > BOLD_STROKE_SHARE


def hocr_fields(title: str) -> dict[str, list[float]]:
    """The properties of an hOCR `title` (`bbox 1 2 3 4; baseline 0.002 -9; x_size 38`) as numbers."""
    fields = {}
    for part in title.split(";"):
        name, *values = part.split()
        if name != "image":
            fields[name] = [float(v) for v in values]
    return fields


def ocr_image(image: Image.Image, scale: float, top: float = 0.0) -> list[Word]:
    """Tesseract's Dutch words (hOCR) of an image of a page, or of a band of it that starts `top` points down.

    Each word gets its line's font size, from the line's height above its baseline (the ascent, about 0.72
    of the em), and its line's weight from the thickness of its strokes, so OCR'd headings stay headings.
    """
    hocr = pytesseract.image_to_pdf_or_hocr(image, lang=OCR_LANGUAGE, extension="hocr")
    words = []
    for line in ElementTree.fromstring(hocr).iter():
        if not line.get("class", "").startswith("ocr_") or line.get("class") in ("ocr_page", "ocr_carea", "ocr_par"):
            continue
        fields = hocr_fields(line.get("title", ""))
        if "baseline" not in fields:
            continue
        x0, y0, x1, y1 = fields["bbox"]
        em_px = (y1 - y0 + fields["baseline"][1]) / ASCENT_EM
        bold = is_bold_ink(image.crop((int(x0), int(y0), int(x1), int(y1))), em_px)
        for span in line:
            text = "".join(span.itertext()).strip()
            if not text or "ocrx_word" not in span.get("class", ""):
                continue
            wx0, wy0, wx1, wy1 = hocr_fields(span.get("title", ""))["bbox"]
            words.append(
                Word(
                    text=text,
                    x0=wx0 / scale,
                    x1=wx1 / scale,
                    top=top + wy0 / scale,
                    bottom=top + wy1 / scale,
                    size=round(em_px / scale, 1),
                    bold=bold,
                )
            )
    return words


def ocr_page(path: Path, page_index: int, width: float, height: float) -> list[Word]:
    """Render one page with pypdfium2 (within the pixel budget) and read it with Tesseract's Dutch model."""
    scale = ocr_scale(width, height)
    return ocr_image(render_page(path, page_index, scale), scale)


def ocr_regions(path: Path, page_index: int, width: float, height: float, boxes: list[Word]) -> list[Word]:
    """OCR only where the text layer is unusable: each line of damaged words, rendered once and cut out."""
    scale = ocr_scale(width, height)
    image = render_page(path, page_index, scale)
    words = []
    for top, bottom in merged_bands(boxes):
        band_top, band_bottom = max(top - OCR_BAND_MARGIN, 0.0), min(bottom + OCR_BAND_MARGIN, height)
        band = image.crop((0, round(band_top * scale), image.width, round(band_bottom * scale)))
        words += ocr_image(band, scale, band_top)
    return words


def merged_bands(boxes: list[Word]) -> list[tuple[float, float]]:
    """The vertical bands (top, bottom) that a page's damaged words cover, overlapping ones merged."""
    bands: list[tuple[float, float]] = []
    for word in sorted(boxes, key=lambda w: w.top):
        if bands and word.top <= bands[-1][1]:
            bands[-1] = (bands[-1][0], max(bands[-1][1], word.bottom))
        else:
            bands.append((word.top, word.bottom))
    return bands


def read_page(path: Path, index: int, page: PlumberPage, ocr: bool, warnings: list[str]) -> Page:
    """One page's words from its text layer, by OCR where the text layer is unusable, and from both where
    only some lines are damaged (a font without a Unicode map): the good lines are kept, only the damaged
    ones are OCR'd, and damaged glyphs never reach the text."""
    number = index + 1
    width, height = float(page.width), float(page.height)
    links = page_links(page)
    check_density(page)
    chars, has_image = page_objects(page)
    words = page_words(chars)
    damaged = [w for w in words if is_damaged(w.text)]
    good = [w for w in words if not is_damaged(w.text)]
    can_ocr = ocr and tesseract_available()
    if text_layer_is_unusable(chars, has_image, words):
        if not can_ocr:
            warnings.append(f"page {number} has no usable text layer and OCR is unavailable")
            return Page(number, width, height, [], links, "ocr_unavailable")
        log.info("page %d has no text layer: OCR", number)
        read = ocr_page(path, index, width, height)
        return Page(number, width, height, read, links, "ocr" if read else "blank")
    if damaged and can_ocr:
        log.info("page %d: %d words without a Unicode map: OCR of their lines", number, len(damaged))
        good += [w for w in ocr_regions(path, index, width, height, damaged) if not overlaps_any(w, good)]
    elif damaged:
        warnings.append(
            f"page {number}: {len(damaged)} word(s) in a font without a Unicode map left out (OCR is unavailable)"
        )
    return Page(number, width, height, good, links, "text" if good else "blank")


def overlaps_any(word: Word, others: list[Word]) -> bool:
    """True when an OCR'd word lies on a word the text layer already gave (a good word beside damaged ones)."""
    return any(
        word.x0 < other.x1 and other.x0 < word.x1 and word.top < other.bottom and other.top < word.bottom
        for other in others
    )


def check_signature(path: Path) -> None:
    """Refuse a file without a `%PDF-` header near its start, naming what it looks like instead."""
    with path.open("rb") as handle:
        head = handle.read(SIGNATURE_WINDOW)
    if PDF_SIGNATURE in head:
        return
    for signature, what in OTHER_FORMATS.items():
        if head.startswith(signature):
            raise PdfError(ErrorKind.NOT_PDF, f"not a PDF: the file is {what} renamed to .pdf")
    raise PdfError(
        ErrorKind.NOT_PDF, "not a PDF: the file has no %PDF- header" if head else "not a PDF: the file is empty"
    )


def as_pdf_error(error: Exception) -> PdfError:
    """pdfminer's complaint about a file as an `encrypted` or `corrupt` error."""
    cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
    if isinstance(cause, PDFPasswordIncorrect):
        return PdfError(
            ErrorKind.ENCRYPTED,
            "encrypted PDF that needs a password: remove the password or export an unprotected copy",
        )
    return PdfError(ErrorKind.CORRUPT, f"corrupt or truncated PDF ({type(cause).__name__}: {cause})")


def release_parsed_objects(pdf: pdfplumber.PDF) -> None:
    """Drop pdfminer's cache of parsed objects (content streams, fonts) after a page: a long report then
    needs the memory of one page, not of all of them."""
    pdf.doc._cached_objs.clear()


def read_pdf(path: Path, ocr: bool = True, max_pages: int = DEFAULT_MAX_PAGES) -> PdfDocument:
    """Read every page of a PDF; pages that need OCR but cannot get it are kept, empty and marked.

    A page pdfminer cannot parse is kept as `unreadable` (with its error) so the other pages still count;
    a file that is not a PDF, is encrypted, is corrupt, empty or over `max_pages` raises `PdfError`.
    """
    check_signature(path)
    warnings: list[str] = []
    page_errors: list[tuple[int, str]] = []
    try:
        pdf = pdfplumber.open(path)
    except Exception as error:
        raise as_pdf_error(error) from error
    try:
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
            finally:
                page.close()
                release_parsed_objects(pdf)
    except PdfError:
        raise
    except Exception as error:
        raise as_pdf_error(error) from error
    finally:
        # Not `pdf.close()`: it walks the page tree again, and a tree that loops would never let go.
        pdf.stream.close()
    return PdfDocument(
        path=path, sha256=file_sha256(path), metadata=metadata, pages=pages, warnings=warnings, page_errors=page_errors
    )
