"""A layout gallery: the same known content laid out as annual reports in many designs (reportlab).

Each `Design` says how the report looks — columns, how headings are marked (size, weight, colour,
capitals), their numbering, how the pillars are named, the contents page, running headers and footers, a
colophon or photo page, a heading left as the last line of a page — and `render` lays the content out in
it. The content is fixed, so every design must give the same pillars and sections (`EXPECTED`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT, RIGHT, TOP, BOTTOM = 60.0, 60.0, 110.0, 720.0
GUTTER = 22.0
BODY_SIZE = 9.5
LEADING = 13.0
PARAGRAPH_GAP = 9.0

# The report's content: (pillar, [(section, [paragraphs])]). The foreword has no pillar.
FOREWORD = [
    "Dit jaar stond in het teken van de verkiezingen en van een nieuw kabinet. Het netwerk heeft de "
    "partijen vooraf zijn boodschap meegegeven en na de formatie snel contact gezocht met de nieuwe bewindslieden.",
    "De steden werkten in alle pijlers samen met provincies, ministeries en maatschappelijke partners. Dit "
    "verslag laat per pijler zien waar wij ons voor hebben ingezet en wat dat heeft opgeleverd.",
]
CONTENT: list[tuple[str, list[tuple[str, list[str]]]]] = [
    (
        "Economie en werk",
        [
            (
                "MKB en economische vernieuwing",
                [
                    "Het mkb is de motor van de regionale economie. Wij hebben gepleit voor betere ondersteuning "
                    "van ondernemers bij innovatie en digitalisering, samen met de Kamers van Koophandel.",
                    "Met regionale ontwikkelingsmaatschappijen is gesproken over verdienmodellen voor brede "
                    "welvaart en over de financiering van innovatie in het mkb.",
                ],
            ),
            (
                "Vitale binnensteden en werklocaties",
                [
                    "De leegstand in winkelgebieden nam toe. Het netwerk vroeg om een landelijk programma voor "
                    "vitale binnensteden en om ruimte voor werklocaties en bedrijventerreinen.",
                    "In de binnensteden werken gemeenten aan transformatie van winkelgebieden, met retail, wonen "
                    "en horeca, en aan zero-emissiezones in de centra.",
                ],
            ),
        ],
    ),
    (
        "Sociaal",
        [
            (
                "Armoede en schulden",
                [
                    "Steeds meer huishoudens hebben problematische schulden. Wij hebben gepleit voor vroegsignalering "
                    "en een hoger minimumloon, zodat bestaanszekerheid weer de norm wordt.",
                    "Met de schuldhulpverlening en het Rijk is afgesproken de armoede onder kinderen te halveren "
                    "en de bijzondere bijstand eenvoudiger te maken.",
                ],
            ),
            (
                "Vergunninghouders en asiel",
                [
                    "De opvang van asielzoekers en de huisvesting van vergunninghouders vroegen veel van de "
                    "steden. Het netwerk drong aan op een eerlijke spreiding over gemeenten.",
                    "Voor inburgering en integratie van statushouders hebben wij taallessen en werk vanaf de "
                    "eerste dag bepleit, samen met het COA.",
                ],
            ),
        ],
    ),
    (
        "Fysiek",
        [
            (
                "Woningmarkt",
                [
                    "Er moeten meer betaalbare woningen komen. Wij hebben bij de minister aangedrongen op "
                    "snellere woningbouw, woondeals en geld voor de bouw van sociale huurwoningen.",
                    "Met corporaties is gesproken over de volkshuisvesting, de woningnood onder starters en de "
                    "regie op de woningmarkt.",
                ],
            ),
            (
                "Duurzaamheid",
                [
                    "De energietransitie loopt vast op netcongestie. Het netwerk vroeg om ruimte op het net en "
                    "om geld voor de warmtetransitie in de wijken.",
                    "Gemeenten werken aan klimaatadaptatie en isolatie van woningen, en aan een Regionale "
                    "Energiestrategie met zon en wind.",
                ],
            ),
        ],
    ),
    (
        "Overig",
        [
            (
                "Financiën",
                [
                    "Het tekort vanaf 2026 bedreigt de gemeentefinanciën. Wij hebben gepleit voor een groter "
                    "gemeentefonds, een eerlijk accres en het schrappen van de opschalingskorting.",
                    "Over de herijking van het gemeentefonds en de specifieke uitkeringen is overlegd met het "
                    "ministerie van Binnenlandse Zaken.",
                ],
            ),
            (
                "Europa",
                [
                    "Het Europese cohesiebeleid en de structuurfondsen zijn belangrijk voor de steden. Het netwerk "
                    "reageerde op de Europese Commissie over het EFRO na 2027.",
                    "Met Brussel en het Comité van de Regio's is gesproken over Europese subsidies voor "
                    "stedelijke ontwikkeling en over de Urban Agenda.",
                ],
            ),
        ],
    ),
]
# What every design must give: (pillar, section) of each paragraph in reading order.
EXPECTED = [("Algemeen", "Algemeen")] * len(FOREWORD) + [
    (pillar, section) for pillar, sections in CONTENT for section, paragraphs in sections for _ in paragraphs
]


@dataclass(frozen=True)
class HeadingLook:
    """How one heading level is set: size, weight, colour, capitals."""

    size: float
    bold: bool = False
    colour: Color = black
    capitals: bool = False
    italic: bool = False

    @property
    def font(self) -> str:
        """The Helvetica face of the look."""
        return {(False, False): "Helvetica", (True, False): "Helvetica-Bold", (False, True): "Helvetica-Oblique"}.get(
            (self.bold, self.italic), "Helvetica-BoldOblique"
        )


@dataclass(frozen=True)
class Design:
    """One report design."""

    name: str
    columns: int
    chapter: HeadingLook
    section: HeadingLook
    pillar_names: tuple[str, str, str, str]
    numbering: str = ""  # "", "decimal" (1. / 1.1), "hoofdstuk" (Hoofdstuk 1), "roman" (I.), "deel" (Deel 1 –)
    contents_page: bool = True
    footer: str = "running"  # "running" (text + « n »), "pagina" (pagina 3 van 20), "alternating"
    before_text: str = ""  # "", "colophon", "photo"
    heading_at_page_foot: bool = False
    foreword_heading: str = "Voorwoord"


ROMAN = ["I", "II", "III", "IV", "V", "VI"]
BLUE = Color(0.05, 0.3, 0.6)

DESIGNS = [
    Design(
        "classic-two-columns",
        columns=2,
        chapter=HeadingLook(16, bold=True),
        section=HeadingLook(12, bold=True),
        pillar_names=("Pijler Werk en economie", "Pijler Sociaal", "Pijler Fysiek", "Overige themagroepen"),
    ),
    Design(
        "numbered-size-only-one-column",
        columns=1,
        chapter=HeadingLook(18),
        section=HeadingLook(13),
        pillar_names=("Werk & Economie", "Sociale pijler", "Fysiek domein", "Overige thema’s"),
        numbering="decimal",
        footer="pagina",
        before_text="colophon",
        heading_at_page_foot=True,
    ),
    Design(
        "hoofdstuk-three-columns",
        columns=3,
        chapter=HeadingLook(15, bold=True),
        section=HeadingLook(11, bold=True),
        pillar_names=("Economie en werk", "Sociaal domein", "Fysieke pijler", "Overig"),
        numbering="hoofdstuk",
        footer="alternating",
        before_text="photo",
    ),
    Design(
        "roman-weight-only",
        columns=1,
        chapter=HeadingLook(BODY_SIZE, bold=True),
        section=HeadingLook(BODY_SIZE, bold=True),
        pillar_names=("Pijler Economie & Werk", "Pijler Sociaal", "Pijler Fysiek", "Overige themagroepen"),
        numbering="roman",
        footer="pagina",
        contents_page=False,
        heading_at_page_foot=True,
    ),
    Design(
        "colour-two-columns",
        columns=2,
        chapter=HeadingLook(14, colour=BLUE),
        section=HeadingLook(BODY_SIZE, colour=BLUE),
        pillar_names=(
            "Economie, werk en innovatie",
            "Sociaal: meedoen en bestaanszekerheid",
            "Ruimte en wonen",
            "Overige thema’s",
        ),
        footer="alternating",
        before_text="colophon",
        foreword_heading="Woord vooraf",
    ),
    Design(
        "capitals-numbered-one-column",
        columns=1,
        chapter=HeadingLook(12, capitals=True),
        section=HeadingLook(BODY_SIZE, capitals=True),
        pillar_names=("Economie en werk", "Sociaal", "Fysiek", "Geld en Europa"),
        numbering="decimal",
        footer="running",
        before_text="photo",
    ),
    # Added after trying a design the gallery did not hold (#14): theme groups marked by slant alone.
    Design(
        "italic-sections-deel",
        columns=2,
        chapter=HeadingLook(20, bold=True, colour=Color(0.5, 0.05, 0.05)),
        section=HeadingLook(10, italic=True),
        pillar_names=("Economische zaken", "Zorg en welzijn", "Wonen en ruimte", "Bestuur en geld"),
        numbering="deel",
        footer="pagina",
        contents_page=False,
    ),
]


def numbered(design: Design, chapter: int, section: int | None, text: str) -> str:
    """A heading with the design's numbering (`2.1 Woningmarkt`, `Hoofdstuk 2 Sociaal`, `II. Sociaal`)."""
    if design.numbering == "decimal":
        return f"{chapter}.{section} {text}" if section else f"{chapter}. {text}"
    if design.numbering == "hoofdstuk" and section is None:
        return f"Hoofdstuk {chapter} {text}"
    if design.numbering == "deel" and section is None:
        return f"Deel {chapter} – {text}"
    if design.numbering == "roman" and section is None:
        return f"{ROMAN[chapter - 1]}. {text}"
    return text


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line breaking at spaces for the given column width."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


class Layout:
    """Flows headings and paragraphs into the columns of pages, then draws every page with its furniture."""

    def __init__(self, design: Design) -> None:
        self.design = design
        self.width = (PAGE_WIDTH - LEFT - RIGHT - GUTTER * (design.columns - 1)) / design.columns
        self.pages: list[list[tuple[float, float, str, str, float, Color]]] = []
        self.column = 0
        self.y = TOP

    def new_page(self) -> None:
        self.pages.append([])
        self.column, self.y = 0, TOP

    def next_column(self) -> None:
        if self.column + 1 < self.design.columns:
            self.column, self.y = self.column + 1, TOP
        else:
            self.new_page()

    def put(self, text: str, font: str, size: float, colour: Color, leading: float) -> None:
        for line in wrap(text, font, size, self.width):
            if self.y + leading > BOTTOM:
                self.next_column()
            x = LEFT + self.column * (self.width + GUTTER)
            self.pages[-1].append((x, self.y, line, font, size, colour))
            self.y += leading

    def heading(self, text: str, look: HeadingLook) -> None:
        font = look.font
        if self.y > TOP:
            self.y += PARAGRAPH_GAP
        if self.y + 3 * LEADING > BOTTOM:
            self.next_column()
        self.put(text.upper() if look.capitals else text, font, look.size, look.colour, max(LEADING, look.size * 1.3))
        self.y += 4

    def paragraph(self, text: str) -> None:
        self.put(text, "Helvetica", BODY_SIZE, black, LEADING)
        self.y += PARAGRAPH_GAP

    def heading_at_foot(self, text: str, look: HeadingLook) -> None:
        """Fill the column with the filler lines a designer would leave, so the heading is its last line."""
        font = look.font
        height = max(LEADING, look.size * 1.3)
        self.y = max(self.y + PARAGRAPH_GAP, BOTTOM - height - 2)
        x = LEFT + self.column * (self.width + GUTTER)
        self.pages[-1].append((x, self.y, text.upper() if look.capitals else text, font, look.size, look.colour))
        self.next_column()


def front_pages(design: Design, year: int) -> list[list[tuple[float, float, str, str, float, Color]]]:
    """Cover, then a colophon or photo page, then the contents page, as the design has them."""
    cover = [
        (LEFT, 200.0, f"Jaarverslag {year}", "Helvetica-Bold", 30.0, black),
        (LEFT, 240.0, "Testnetwerk van middelgrote steden", "Helvetica", 16.0, black),
    ]
    pages = [cover]
    if design.before_text == "colophon":
        pages.append(
            [
                (LEFT, 560.0, "Colofon", "Helvetica-Bold", 12.0, black),
                (LEFT, 580.0, "Uitgave van het Testnetwerk, secretariaat in Utrecht.", "Helvetica", 8.0, black),
                (LEFT, 592.0, "Tekst en redactie door het bureau van het netwerk.", "Helvetica", 8.0, black),
                (LEFT, 604.0, "Vormgeving door een extern ontwerpbureau.", "Helvetica", 8.0, black),
            ]
        )
    if design.before_text == "photo":
        pages.append([("photo", 0.0, "Foto: wethouders van de steden op werkbezoek.", "Helvetica", 8.0, black)])
    if design.contents_page:
        entries = [design.foreword_heading, *design.pillar_names]
        lines = [(LEFT, 120.0, "Inhoud", "Helvetica-Bold", 16.0, black)]
        for i, entry in enumerate(entries):
            label = numbered(design, i, None, entry) if i else entry
            dots = "." * max(
                3, int((300 - stringWidth(label, "Helvetica", 10.5)) / stringWidth(".", "Helvetica", 10.5))
            )
            lines.append((LEFT, 150.0 + i * 18, f"{label} {dots} {3 + 2 * i}", "Helvetica", 10.5, black))
        pages.append(lines)
    return pages


def furniture(design: Design, number: int, total: int, year: int) -> list[tuple[float, float, str, str, float]]:
    """The running header and footer of one page in the design's style."""
    if design.footer == "pagina":
        return [(PAGE_WIDTH / 2 - 30, 800.0, f"pagina {number} van {total}", "Helvetica", 8.0)]
    if design.footer == "alternating":
        if number % 2 == 0:
            return [(LEFT, 50.0, "Testnetwerk", "Helvetica", 8.0), (LEFT, 800.0, str(number), "Helvetica", 8.0)]
        return [
            (PAGE_WIDTH - RIGHT - 80, 50.0, f"Jaarverslag {year}", "Helvetica", 8.0),
            (PAGE_WIDTH - RIGHT - 10, 800.0, str(number), "Helvetica", 8.0),
        ]
    return [
        (PAGE_WIDTH - RIGHT - 150, 50.0, f"Testnetwerk · Jaarverslag {year}", "Helvetica", 8.0),
        (LEFT, 800.0, f"TESTNETWERK JAARVERSLAG {year} « {number} »", "Helvetica", 8.0),
    ]


def render(design: Design, folder: Path, year: int = 2031) -> Path:
    """The gallery's content as a PDF report in `design`."""
    layout = Layout(design)
    layout.new_page()
    layout.heading(design.foreword_heading, design.chapter)
    for text in FOREWORD:
        layout.paragraph(text)
    for chapter, ((_, sections), name) in enumerate(zip(CONTENT, design.pillar_names, strict=True), start=1):
        layout.new_page()
        layout.heading(numbered(design, chapter, None, name), design.chapter)
        for number, (section, paragraphs) in enumerate(sections, start=1):
            title = numbered(design, chapter, number, section)
            if design.heading_at_page_foot and number == 2:
                layout.heading_at_foot(title, design.section)
            else:
                layout.heading(title, design.section)
            for text in paragraphs:
                layout.paragraph(text)
    pages = front_pages(design, year) + layout.pages
    path = folder / f"{design.name}-{year}.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle(f"Jaarverslag {year}")
    for number, items in enumerate(pages, start=1):
        for x, y, text, font, size, colour in items:
            if x == "photo":
                pdf.setFillColor(Color(0.6, 0.6, 0.6))
                pdf.rect(LEFT, PAGE_HEIGHT - 600, PAGE_WIDTH - LEFT - RIGHT, 480, stroke=0, fill=1)
                pdf.setFillColor(black)
                pdf.setFont(font, size)
                pdf.drawString(LEFT, PAGE_HEIGHT - 620, text)
                continue
            pdf.setFillColor(colour)
            pdf.setFont(font, size)
            pdf.drawString(x, PAGE_HEIGHT - y, text)
        pdf.setFillColor(black)
        if number > 1:
            for x, y, text, font, size in furniture(design, number, len(pages), year):
                pdf.setFont(font, size)
                pdf.drawString(x, PAGE_HEIGHT - y, text)
        pdf.showPage()
    pdf.save()
    return path
