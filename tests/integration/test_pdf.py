import io

import pypdfium2
import pytest

from pipeline.layout import page_lines
from pipeline.pdf import PdfError, read_pdf
from tests.conftest import SHIPPED_PDF, Text, make_pdf, require_binary


def test_shipped_report_words_carry_font_size_and_weight():
    pdf = read_pdf(SHIPPED_PDF, ocr=False)
    assert pdf.n_pages == 17
    foreword = pdf.pages[2]
    heading = next(w for w in foreword.words if w.text == "Voorwoord")
    body = next(w for w in foreword.words if w.text == "kabinet")
    assert heading.bold and not body.bold
    assert heading.size > body.size


def test_hyperlinks_are_collected_per_page():
    pdf = read_pdf(SHIPPED_PDF, ocr=False)
    links = {page.number: page.links for page in pdf.pages}
    assert "https://www.g40stedennetwerk.nl/nieuws/ruimte-voor-economie-en-werk" in links[6]
    assert links[1] == []


def test_two_column_page_is_read_column_by_column(tmp_path):
    left = [f"links regel {i} over woningbouw" for i in range(1, 13)]
    right = [f"rechts regel {i} over armoede" for i in range(1, 13)]
    page = [Text("Een kop over de hele breedte van de pagina", x=70, y=80, size=14, bold=True)]
    page += [Text(text, x=70, y=120 + 13 * i, size=9) for i, text in enumerate(left)]
    page += [Text(text, x=320, y=120 + 13 * i, size=9) for i, text in enumerate(right)]
    pdf = read_pdf(make_pdf(tmp_path / "columns.pdf", [page]), ocr=False)
    texts = [line.text for line in page_lines(pdf.pages[0])]
    assert texts == ["Een kop over de hele breedte van de pagina", *left, *right]


def rasterised_page_pdf(page_index: int, target) -> None:
    document = pypdfium2.PdfDocument(SHIPPED_PDF)
    image = document[page_index].render(scale=200 / 72).to_pil().convert("RGB")
    document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=200)
    target.write_bytes(buffer.getvalue())


def test_scanned_page_is_read_through_ocr(tmp_path):
    require_binary("tesseract")
    scanned = tmp_path / "scan.pdf"
    rasterised_page_pdf(4, scanned)
    pdf = read_pdf(scanned)
    page = pdf.pages[0]
    assert page.source == "ocr"
    words = {w.text.strip(".,'") for w in page.words}
    for key in ["Wepublic", "belangenbehartiging", "Apeldoorn", "Rijksdienst", "Ondernemend"]:
        assert key in words


def test_scanned_page_without_ocr_is_kept_empty_and_reported(tmp_path):
    scanned = tmp_path / "scan.pdf"
    rasterised_page_pdf(4, scanned)
    pdf = read_pdf(scanned, ocr=False)
    assert pdf.pages[0].source == "ocr_unavailable"
    assert pdf.warnings == ["page 1 has no usable text layer and OCR is unavailable"]


@pytest.mark.parametrize(
    ("garbage", "kind", "message"),
    [
        (b"", "not_pdf", "the file is empty"),
        (b"not a pdf at all", "not_pdf", "no %PDF- header"),
        (b"PK\x03\x04word/document.xml", "not_pdf", "ZIP container"),
        (b"%PDF-1.4\n1 0 obj <<", "corrupt", "corrupt or truncated PDF"),
    ],
)
def test_unreadable_files_raise_a_named_error(tmp_path, garbage, kind, message):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(garbage)
    with pytest.raises(PdfError, match=message) as raised:
        read_pdf(broken)
    assert raised.value.kind == kind
