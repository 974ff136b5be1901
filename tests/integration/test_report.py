"""The HTML report: every pillar and figure present, every number linked to its sentences, nothing loaded
from elsewhere, identical on rerun; and rendered in a real browser (headless Chromium)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pdfplumber
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.report import Method, page_list, percent, render_report
from pipeline.schema import TABLES, load_vocabularies
from pipeline.textkeys import slug
from tests.conftest import require_binary

VOCAB = load_vocabularies()
PILLARS = ["Algemeen", "Economie en werk", "Sociaal", "Fysiek", "Overig"]
THEMES = ["bestuur", "arbeidsmarkt", "zorg_jeugd_onderwijs", "wonen", "europa"]


class Links(HTMLParser):
    """Ids, link targets and external resource references of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}
        self.hrefs: list[str] = []
        self.resources: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if "id" in values:
            self.ids[values["id"]] = tag
        for name in ("href", "xlink:href"):
            if name in values:
                self.hrefs.append(values[name])
        if tag in ("script", "img", "iframe", "link", "image", "use") and (
            values.get("src") or (tag != "use" and values.get("href"))
        ):
            self.resources.append(f"{tag} {values.get('src') or values.get('href')}")


def small_tables(year: int, themes: list[str] = THEMES, law: str = "Omgevingswet") -> dict[str, pd.DataFrame]:
    """One report: a paragraph per pillar, each with its own theme, a mention of `law` and of the VNG, one lobbying act."""
    doc = f"verslag-{year}"
    paragraphs, mentions, acts = [], [], []
    for n, (pillar, theme) in enumerate(zip(PILLARS, themes, strict=True), start=1):
        pid = f"{doc}-p{n:04d}"
        sentence = f"In {year} bespraken we de {law} met de VNG (pijler {pillar})."
        text = f"Inleiding van de alinea. {sentence}"
        paragraphs.append(
            [
                doc,
                year,
                pid,
                n + 2,
                n + 2,
                pillar,
                "heading",
                "Algemeen",
                f"Kop {n}",
                "text",
                len(text.split()),
                theme,
                20,
                0.9,
                "classifier",
                "bestuur",
                0.05,
                VOCAB.themes[theme],
                text,
            ]
        )
        start = text.index(law)
        mentions.append(
            [
                doc,
                year,
                n + 2,
                pillar,
                "Algemeen",
                pid,
                "law",
                law,
                law,
                f"law:{slug(law)}",
                start,
                start + len(law),
                "gazetteer",
                sentence,
            ]
        )
        start = text.index("VNG")
        mentions.append(
            [
                doc,
                year,
                n + 2,
                pillar,
                "Algemeen",
                pid,
                "organisation",
                "VNG",
                "Vereniging van Nederlandse Gemeenten",
                "org:vng",
                start,
                start + 3,
                "gazetteer",
                sentence,
            ]
        )
        acts.append(
            [
                doc,
                year,
                pillar,
                "Algemeen",
                pid,
                n + 2,
                "gesprek",
                "Vereniging van Nederlandse Gemeenten",
                "org:vng",
                "",
                law,
                f"law:{slug(law)}",
                theme,
                VOCAB.themes[theme],
                sentence,
            ]
        )
    frames = {
        "documents": [[doc, year, f"Jaarverslag {year}", f"{doc}.pdf", "0" * 64, 9, 0]],
        "paragraphs": paragraphs,
        "mentions": mentions,
        "lobby_actions": acts,
        "pages": [[doc, year, 1, "cover", 0, 0], [doc, year, 2, "ocr_unavailable", 0, 0]],
        "errors": [],
    }
    tables = {name: pd.DataFrame(rows, columns=TABLES[name]) for name, rows in frames.items()}
    p = tables["paragraphs"]
    tables["focus"] = pd.DataFrame(
        {
            "year": year,
            "pillar": p["pillar"],
            "theme": p["theme"],
            "theme_label": p["theme_label"],
            "cap_major_topic": 20,
            "paragraphs": 1,
            "words": p["n_words"],
            "share": 1.0,
            "lobby_actions": 1,
        }
    )
    m = tables["mentions"]
    tables["pillar_entities"] = m.assign(mentions=1, rank=1)[TABLES["pillar_entities"]]
    return tables


def two_years() -> dict[str, pd.DataFrame]:
    """2030 and 2031, with a comparison as `g40 compare` writes it: Sociaal moved from wonen to zorg, a law came and went."""
    earlier = small_tables(2030, [*THEMES[:2], "wonen", *THEMES[3:]], law="Woningwet")
    later = small_tables(2031)
    tables = {name: pd.concat([earlier[name], later[name]], ignore_index=True) for name in later}
    rows = [
        [2030, 2031, "Sociaal", "theme", "wonen", "Wonen en volkshuisvesting", "", 100.0, 0.0, 1, 0, -100.0, "dropped"],
        [
            2030,
            2031,
            "Sociaal",
            "theme",
            "zorg_jeugd_onderwijs",
            "Zorg, jeugd en onderwijs",
            "",
            0.0,
            100.0,
            0,
            1,
            100.0,
            "new",
        ],
        [2030, 2031, "Fysiek", "theme", "wonen", "Wonen en volkshuisvesting", "", 100.0, 100.0, 1, 1, 0.0, "same"],
        [2030, 2031, "Sociaal", "law", "Omgevingswet", "", "BWBR0037885", 0.0, 50.0, 0, 1, 50.0, "new"],
        [2030, 2031, "Sociaal", "law", "Woningwet", "", "BWBR0005181", 50.0, 0.0, 1, 0, -50.0, "dropped"],
        [
            2030,
            2031,
            "Sociaal",
            "organisation",
            "Vereniging van Nederlandse Gemeenten",
            "",
            "org:vng",
            50.0,
            50.0,
            1,
            1,
            0.0,
            "same",
        ],
    ]
    tables["comparison"] = pd.DataFrame(rows, columns=TABLES["comparison"])
    return tables


@pytest.fixture(scope="module")
def one_year_html() -> str:
    return render_report(small_tables(2031), VOCAB)


def test_every_pillar_has_its_section_and_chart_bar(one_year_html):
    links = Links(one_year_html)
    chart = one_year_html[one_year_html.index('id="grafiek-2031"') :]
    chart = chart[: chart.index("</figure>")]
    for pillar in PILLARS:
        assert links.ids[f"pijler-2031-{slug(pillar)}"] == "article"
        assert f">{pillar}</text>" in chart
    assert chart.count("<a xlink:href=") == 2 * len(PILLARS), "a wide and a narrow rendition"


def test_every_link_leads_to_an_element_of_the_report(one_year_html):
    links = Links(one_year_html)
    assert links.hrefs
    for href in links.hrefs:
        assert href.startswith("#"), href
        assert href[1:] in links.ids, href


def details_element(html: str, element_id: str) -> str:
    details = html[html.index(f'<details id="{element_id}"') :]
    return details[: details.index("</details>")]


def test_chart_segments_open_the_paragraphs_they_count(one_year_html):
    anchor = "thema-2031-sociaal-zorg_jeugd_onderwijs"
    assert f'<a xlink:href="#{anchor}">' in one_year_html
    details = details_element(one_year_html, anchor)
    assert "Zorg, jeugd en onderwijs" in details and "100,0\u00a0%" in details
    assert '<li id="verslag-2031-p0003">' in details
    assert "Inleiding van de alinea. In 2031 bespraken we de Omgevingswet met de VNG (pijler Sociaal)." in details
    assert "<strong>gesprek</strong> → Vereniging van Nederlandse Gemeenten (over Omgevingswet)" in details


def test_entities_expand_into_their_sentences_with_the_mention_marked(one_year_html):
    details = details_element(one_year_html, "ent-2031-fysiek-law-1")
    assert 'Omgevingswet – <span class="num">1×</span>' in details
    assert "In 2031 bespraken we de <mark>Omgevingswet</mark> met de VNG (pijler Fysiek)." in details
    assert '<a class="src" href="#verslag-2031-p0004">p. 6</a>' in details


def test_lobbying_tables_are_grouped_per_pillar_and_show_each_sentence(one_year_html):
    for pillar in PILLARS:
        group = details_element(one_year_html, f"lobby-2031-{slug(pillar)}")
        assert f"<summary>{pillar} – " in group and "(gesprek (1))" in group
        assert (
            group.count("<tr>") == 2 and f"In 2031 bespraken we de Omgevingswet met de VNG (pijler {pillar})." in group
        )
    assert one_year_html.count('class="acts-group"') == len(PILLARS)


def test_key_findings_come_first_and_are_written_from_the_tables(one_year_html):
    findings = one_year_html[one_year_html.index('id="kernpunten"') :]
    findings = findings[: findings.index("</section>")]
    assert one_year_html.index('id="kernpunten"') < one_year_html.index('id="jaar-2031"')
    assert one_year_html.index('id="grafiek-lobby-2031"') < one_year_html.index('id="grafiek-doelen-2031"')
    assert one_year_html.index('id="grafiek-doelen-2031"') < one_year_html.index('id="grafiek-2031"')
    assert "<strong>5 lobbyacties</strong>, vooral via gesprek (5)" in findings
    assert "Het vaakst benaderd: Vereniging van Nederlandse Gemeenten (5)" in findings
    assert "Wonen en volkshuisvesting 100,0\u00a0%" in findings and "Omgevingswet" in findings
    assert "tweede jaarverslag" in findings
    two = render_report(two_years(), VOCAB)
    shifts = two[two.index('id="kernpunten"') :]
    shifts = shifts[: shifts.index("</section>")]
    assert "Kernpunten 2031" in shifts and "Grootste verschuivingen sinds 2030: Sociaal: " in shifts
    assert "+100,0\u00a0%-punt" in shifts


def test_the_method_note_names_the_model_and_the_measured_accuracy():
    tables = small_tables(2031)
    unmeasured = render_report(tables, VOCAB, Method({"requested": "nl_core_news_sm", "model": None}))
    assert "zonder statistisch model (nl_core_news_sm was niet geïnstalleerd)" in unmeasured
    assert "niet gemeten" in unmeasured
    evaluation = pd.DataFrame(
        [
            ["dev-frozen", "entities", "micro", "", "organisation", "f1", 0.876, 159],
            ["dev-frozen", "entities", "micro", "", "law", "f1", 0.909, 22],
            ["report-2023", "theme", "held_out_sections", "", "", "accuracy", 0.824, 51],
            ["report-2023", "lobby", "detection", "", "", "precision", 0.844, 45],
            ["report-2023", "lobby", "detection", "", "", "recall", 0.911, 45],
        ],
        columns=["dataset", "task", "scope", "pillar", "label", "metric", "value", "support"],
    )
    measured = render_report(tables, VOCAB, Method({"model": "nl_core_news_sm", "model_version": "3.8.0"}, evaluation))
    note = measured[measured.index('id="werkwijze"') :]
    note = note[: note.index("</section>")]
    assert "het statistische spaCy-model nl_core_news_sm 3.8.0" in note
    assert "F1: organisaties 0,88, wetten 0,91" in note and "0,82 juist" in note
    assert "precisie 0,84, recall 0,91" in note


def test_report_is_offline_dutch_and_says_what_was_skipped(one_year_html):
    assert Links(one_year_html).resources == []
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", one_year_html)
    assert "<metadata>" not in one_year_html and "<?xml" not in one_year_html
    assert 'lang="nl"' in one_year_html and "Themaverdeling per pijler" in one_year_html
    assert "Een vergelijking vraagt om een tweede jaar" in one_year_html
    assert "verslag-2031 p. 2 (geen tekstlaag en geen OCR)" in one_year_html


def test_svg_ids_are_unique_across_charts():
    html = render_report(two_years(), VOCAB)
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert html.count("<svg ") == 14, "per year three charts, one comparison chart, each wide and narrow"


def test_rendering_is_deterministic():
    assert render_report(two_years(), VOCAB) == render_report(two_years(), VOCAB)


def test_comparison_shows_theme_shifts_and_new_and_dropped_laws():
    html = render_report(two_years(), VOCAB)
    links = Links(html)
    figure = html[html.index('id="grafiek-2030-2031"') :]
    figure = figure[: figure.index("</figure>")]
    assert '<a xlink:href="#thema-2031-sociaal-zorg_jeugd_onderwijs">' in figure
    assert '<a xlink:href="#thema-2030-sociaal-wonen">' in figure, "a theme that disappeared links to the earlier year"
    assert "Fysiek" not in figure, "a pillar whose themes did not move has no bars"
    assert all(href[1:] in links.ids for href in links.hrefs)
    changes = html[html.index("Nieuwe en verdwenen wetten en organisaties") :]
    new = changes[changes.index("Nieuw in 2031") : changes.index("Niet meer genoemd in 2031")]
    dropped = changes[changes.index("Niet meer genoemd in 2031") :]
    assert "Omgevingswet" in new and "In 2031 bespraken we de <mark>Omgevingswet</mark>" in new
    assert dropped.index("Woningwet") < dropped.index("</details>")
    assert "In 2030 bespraken we de <mark>Woningwet</mark>" in dropped
    assert "Vereniging van Nederlandse Gemeenten –" not in changes[: changes.index("Verantwoording")], (
        "unchanged entities are not listed"
    )


def test_dutch_number_formats():
    assert percent(0.178) == "17,8\u00a0%"
    assert page_list([5, 3, 6, 7, 3]) == "p. 3, 5–7"
    assert page_list([]) == ""


# --- the report of the shipped 2023 report, in a browser


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "chromium",
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def console_messages(stderr: str) -> list[str]:
    """What the page wrote to the console (uncaught errors included); Chromium logs it as `…:CONSOLE:<line>] "…"`."""
    return [line for line in stderr.splitlines() if re.search(r":CONSOLE[:(]\d+\)?\]", line)]


def test_console_messages_are_caught(tmp_path):
    require_binary("chromium")
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>", encoding="utf-8")
    messages = console_messages(chromium(tmp_path / "profile", "--dump-dom", page.as_uri()).stderr)
    assert any("Uncaught ReferenceError" in m for m in messages)


def test_report_renders_in_chromium_without_console_errors(shipped_outputs, tmp_path):
    require_binary("chromium")
    report = shipped_outputs / "report.html"
    run = chromium(tmp_path / "profile", "--dump-dom", report.as_uri())
    assert console_messages(run.stderr) == []
    dom = run.stdout
    assert '<html lang="nl" class="js">' in dom, "the page's script ran to the end"
    assert dom.count("<svg ") == 6 and dom.count('<a xlink:href="#thema-2023-') >= 20
    assert dom.count('<article class="pillar"') == 5
    assert '<table class="lobby">' in dom and dom.count("<tr>") >= 40
    screenshot = tmp_path / "report.png"
    chromium(
        tmp_path / "profile",
        f"--screenshot={screenshot}",
        "--window-size=1280,2000",
        "--hide-scrollbars",
        report.as_uri(),
    )
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 50_000


def test_following_a_link_opens_the_paragraphs(shipped_outputs, tmp_path):
    require_binary("chromium")
    anchor = "thema-2023-fysiek-wonen"
    dom = chromium(tmp_path / "profile", "--dump-dom", f"{(shipped_outputs / 'report.html').as_uri()}#{anchor}").stdout
    assert f'<details id="{anchor}" class="theme" open="">' in dom
    assert '<details id="thema-2023-fysiek-circulair" class="theme">' in dom


# --- the `report` command


def test_report_command_rebuilds_the_same_report(shipped_outputs, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(shipped_outputs, out)
    (out / "report.html").unlink()
    result = CliRunner().invoke(app, ["report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").read_bytes() == (shipped_outputs / "report.html").read_bytes()
    assert (out / "datapackage.json").read_bytes() == (shipped_outputs / "datapackage.json").read_bytes()
    assert (out / "g40.xlsx").read_bytes() == (shipped_outputs / "g40.xlsx").read_bytes()


def test_report_command_without_tables_fails_with_a_reason(tmp_path):
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "no tables in" in result.output and "g40 extract" in result.output


# A page that shows the report in a frame of the given width (headless Chromium will not make its window
# narrower than 500 px), opens every collapsible part, and records what a reader at that width would see:
# horizontal overflow of the page, the charts shown, the smallest chart text in CSS pixels, and the boxes
# that scroll sideways inside themselves.
PROBE = """<!DOCTYPE html><html><head><style>body {{ margin: 0 }} iframe {{ border: 0; width: {width}px;
height: 900px; display: block }}</style></head><body><iframe id="report" src="{src}"></iframe><script>
document.getElementById("report").addEventListener("load", function () {{
  var view = this.contentWindow, page = view.document, root = page.documentElement, fonts = [], charts = 0;
  page.querySelectorAll("details").forEach(function (d) {{ d.open = true; }});
  page.querySelectorAll("svg").forEach(function (svg) {{
    if (svg.getBoundingClientRect().width === 0) {{ return; }}
    charts += 1;
    svg.querySelectorAll("text").forEach(function (t) {{
      var m = t.getScreenCTM(), size = parseFloat(view.getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
      if (size > 0) {{ fonts.push(size); }}
    }});
  }});
  var boxes = Array.prototype.filter.call(page.querySelectorAll(".scroll"), function (b) {{
    return b.scrollWidth > b.clientWidth; }}).length;
  document.documentElement.setAttribute("data-probe", JSON.stringify({{
    overflow: root.scrollWidth - root.clientWidth, width: root.clientWidth, charts: charts,
    smallest: Math.min.apply(null, fonts), scrolling_boxes: boxes}}));
}});
</script></body></html>"""


def probe(report: Path, width: int, tmp_path: Path) -> dict:
    page = tmp_path / f"probe-{width}.html"
    page.write_text(PROBE.format(width=width, src=report.as_uri()), encoding="utf-8")
    run = chromium(
        tmp_path / "profile",
        "--allow-file-access-from-files",
        f"--window-size={max(width, 500) + 20},900",
        "--virtual-time-budget=5000",
        "--dump-dom",
        page.as_uri(),
    )
    found = re.search(r'data-probe="([^"]+)"', run.stdout)
    assert found, run.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"'))


@pytest.mark.parametrize("width", [1280, 390])
def test_the_report_reads_at_desktop_and_phone_width_without_page_scrolling(shipped_outputs, tmp_path, width):
    require_binary("chromium")
    seen = probe(shipped_outputs / "report.html", width, tmp_path)
    assert seen["overflow"] <= 0, f"the page scrolls sideways at {width} px: {seen}"
    assert seen["charts"] == 3, "one rendition of each chart is shown"
    assert seen["smallest"] >= 8, f"chart text shrinks to {seen['smallest']:.1f} px at {width} px"
    if width == 390:
        assert seen["scrolling_boxes"] >= 1, "wide tables scroll inside their box"


def test_the_printed_report_keeps_findings_first_and_every_word_on_the_page(shipped_outputs, tmp_path):
    require_binary("chromium")
    printed = tmp_path / "report.pdf"
    chromium(
        tmp_path / "profile",
        "--no-pdf-header-footer",
        f"--print-to-pdf={printed}",
        (shipped_outputs / "report.html").as_uri(),
    )
    with pdfplumber.open(printed) as pdf:
        texts = [page.extract_text() or "" for page in pdf.pages]
        for number, page in enumerate(pdf.pages, start=1):
            words = page.extract_words()
            assert words, f"printed page {number} is empty"
            outside = [w["text"] for w in words if w["x0"] < 0 or w["x1"] > page.width or w["bottom"] > page.height]
            assert outside == [], f"printed page {number} cuts off {outside[:5]}"
    assert "Kernpunten 2023" in texts[0]
    assert any("Lobbyacties per pijler en instrument" in text for text in texts[:2])
    assert len(texts) <= 12, f"{len(texts)} printed pages"
    assert "Werkwijze en betrouwbaarheid" in "".join(texts)
