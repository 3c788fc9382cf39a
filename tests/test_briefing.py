"""Briefings: the shipped file, its figures against SQL, the PDF's texts, and bad files
(the presenter page in Chromium: tests/test_browser_briefing.py)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from geo.briefing import BriefingError, briefings, load_briefing, render_slide
from geo.briefing_pdf import (
    HEADLINE,
    PAGE_H,
    PAGE_W,
    SOURCES_TITLE,
    briefing_pdf,
    qr_layout,
    slide_document,
    slide_layout,
    slide_url,
    sources_layout,
    sources_texts,
)
from geo.catalog import DATASETS, MMP, MMP_CAVEAT
from geo.pages import page as page_of
from geo.views import countries_of, direct_query


@pytest.fixture(scope="module")
def shipped():
    found = briefings()
    assert found, "ship at least one briefing in data/briefings/"
    return found[0]


def test_shipped_briefing_has_five_or_more_slides_with_query_figures(shipped, con):
    """Every slide's headline quotes a figure of its page's own query, and the file is
    exactly what the editor writes (geo/briefing_store.py), speaker notes included."""
    from geo.briefing import read_briefing
    from geo.briefing_store import SHIPPED_DIR, briefing_toml

    assert len(shipped.slides) >= 5
    path = SHIPPED_DIR / f"{shipped.key}.toml"
    assert path.read_text(encoding="utf-8") == briefing_toml(read_briefing(path)[0])
    q, countries = direct_query(con), countries_of(con)
    for n in range(1, len(shipped.slides) + 1):
        rs = render_slide(shipped, n, q, countries)
        assert rs.headline and "{" not in rs.headline + rs.caption
        assert re.search(r"\{[a-z_]+", rs.slide.headline), f"slide {n} quotes no figure"
        assert rs.slide.notes, f"slide {n} has no speaker notes"
    rs = render_slide(shipped, 2, q, countries)
    total = con.execute(
        "SELECT sum(dead_and_missing) FROM incidents WHERE list_contains(routes, 'Central Mediterranean')"
    ).fetchone()[0]
    assert rs.headline == f"Central Mediterranean: {total:,} dead and missing"


WHEN = date(2025, 1, 1)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _check_boxes(doc, boxes, text: str, where, address=None) -> None:
    """What the page shows is what was laid out, line by line; no line is wider than its
    box, no box leaves the page and none overlaps another (nor the QR code's address,
    wrapped by character)."""
    page_lines = [ln.strip() for ln in text.splitlines()]
    if address is not None:
        assert "".join(address.lines) == address.text
        boxes = [*boxes, address]
    for box in boxes:
        if box is not address:
            assert _flat(" ".join(box.lines)) == _flat(box.text)
        for line in box.lines:
            assert line in page_lines, (where, line)
            doc.set_font("atlas", box.style, box.size)
            assert doc.get_string_width(line) <= box.w - 2 * doc.c_margin + 1e-6, (where, line)
        assert box.x >= 0 and box.x + box.w <= PAGE_W
        assert box.y >= 0 and box.y + box.h <= PAGE_H, (where, box)
    for i, one in enumerate(boxes):
        for other in boxes[i + 1 :]:
            apart = (
                one.y + one.h <= other.y
                or other.y + other.h <= one.y
                or one.x + one.w <= other.x
                or other.x + other.w <= one.x
            )
            assert apart, (where, one.text, other.text)


def _check_pdf(b, pdf: bytes, q, countries) -> list[str]:
    """Every slide's headline, caption and filters are in its page's text in full, and
    no line of them is wider than its box or leaves the page; the last page lists the
    sources and licences of every dataset the slides draw or quote, also in full.
    Returns the page texts."""
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(b.slides) + 1  # a page per slide, then the sources
    doc = slide_document(b.title)
    doc.add_page()
    texts = [page.extract_text() for page in reader.pages]
    shown = []
    for n, text in enumerate(texts[:-1], start=1):
        rs = render_slide(b, n, q, countries)
        shown.append(rs)
        found = _flat(text)
        for t in (rs.headline, rs.caption, rs.page.subtitle, rs.page.citation):
            assert _flat(t) in found, (n, t)
        assert f"{n} / {len(b.slides)}" in found
        url = slide_url(rs)
        address = qr_layout(doc, url)[1] if url else None
        _check_boxes(doc, slide_layout(doc, rs, WHEN), text, n, address)

    # The sources page: each dataset a slide's map shows (its layers switched on and the
    # basemap) or its figures quote (the page's data), with citation, licence, address.
    sources = texts[-1]
    assert sources.splitlines()[0] == SOURCES_TITLE
    keys = set()
    for rs in shown:
        keys |= {k for layer in rs.page.spec.layers if layer.show for k in layer.datasets}
        keys |= {"natural_earth", *page_of(rs.page.key).data_datasets}
    found = _flat(sources)
    for d in (DATASETS[k] for k in sorted(keys)):
        for t in (d.title, d.citation.rstrip("."), d.licence.rstrip("."), d.url):
            assert _flat(t) in found, (d.key, t)
    for caveat in {rs.page.caveat for rs in shown if rs.page.caveat}:
        for sentence in caveat.split(". "):
            assert _flat(sentence) in found, sentence
    if keys & set(MMP):
        assert found.count(MMP_CAVEAT) >= 1
    assert f"Made with Arrival Atlas on {WHEN:%d %B %Y}." in found
    _check_boxes(doc, sources_layout(doc, sources_texts(shown, WHEN)), sources, "sources")
    return texts


def test_pdf_sets_every_slide_text_in_full_as_searchable_text(shipped, con):
    q, countries = direct_query(con), countries_of(con)
    pdf = briefing_pdf(shipped, q, countries, when=WHEN)
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert round(float(box.width) / float(box.height), 2) == round(16 / 9, 2)
    texts = _check_pdf(shipped, pdf, q, countries)
    # Slide 1's headline, straight from SQL: the end of it used to be cut off.
    total = con.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0]
    assert f"{total:,} people recorded dead or missing on migration routes since 2014" in _flat(
        texts[0]
    )
    # One map image per slide page, under the texts; the sources page is text only.
    for page in reader.pages[:-1]:
        assert len(page.images) == 1
    assert not reader.pages[-1].images
    # Every slide draws MMP data: the sources page says they are minimum estimates.
    assert MMP_CAVEAT in _flat(texts[-1])


@pytest.mark.parametrize("public", [None, "https://atlas.example.org"])
def test_pdf_wraps_and_shrinks_very_long_texts(tmp_path, con, monkeypatch, public):
    """Also with a QR code: the texts keep clear of its column (checked by _check_pdf)."""
    if public:
        monkeypatch.setenv("ATLAS_PUBLIC_URL", public)
    else:
        monkeypatch.delenv("ATLAS_PUBLIC_URL", raising=False)
    long = " ".join(["Longwordsforwrapping and a great deal of text"] * 12)
    path = tmp_path / "long.toml"
    path.write_text(
        "[[slides]]\npage = 'routes'\nfigures = ['incident_totals']\n"
        f"headline = '{{dead_and_missing:,}} {long}'\ncaption = 'Caption: {long} the end.'\n",
        encoding="utf-8",
    )
    b = load_briefing(path)
    q, countries = direct_query(con), countries_of(con)
    pdf = briefing_pdf(b, q, countries, when=WHEN)
    _check_pdf(b, pdf, q, countries)
    doc = slide_document(b.title)
    doc.add_page()
    head, cap = slide_layout(doc, render_slide(b, 1, q, countries), WHEN)[:2]
    assert head.size == HEADLINE[2] and len(head.lines) > HEADLINE[3]  # shrunk, then wrapped
    assert cap.lines[-1].endswith("the end.")
    if public:
        # Texts running down to the QR code's column are set narrower, clear of it.
        rs = render_slide(b, 1, q, countries)
        rs.caption = " ".join([rs.caption] * 6)
        top = qr_layout(doc, slide_url(rs))[1].y
        *texts, foot = slide_layout(doc, rs, WHEN)
        assert texts[-1].y + texts[-1].h > top  # the premise: they reach its height
        assert all(bx.x + bx.w <= PAGE_W - 10 - 30 for bx in texts)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title = 'x'", r"no \[\[slides\]\]"),
        ("[[slides]]\npage = 'nowhere'\nheadline = 'h'", "page must be one of"),
        (
            "[[slides]]\npage = 'routes'\nheadline = 'h'\nfigures = 'no_such_query'",
            "no query named",
        ),
        ("[[slides]\npage=", "not a valid TOML file"),
    ],
)
def test_bad_briefing_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BriefingError, match=message) as info:
        load_briefing(path)
    assert "bad.toml" in str(info.value)


def test_figure_missing_from_queries_is_an_error(tmp_path, con):
    path = tmp_path / "b.toml"
    path.write_text(
        "[[slides]]\npage = 'routes'\nfigures = ['incident_totals']\nheadline = '{no_such_column} dead'\n",
        encoding="utf-8",
    )
    b = load_briefing(path)
    with pytest.raises(BriefingError, match="no_such_column"):
        render_slide(b, 1, direct_query(con), countries_of(con))


def test_a_missing_slide_in_the_link_gives_an_escaped_note(db_path, monkeypatch, con):
    """``?slide=`` past the end shows the last slide and says so, as plain text: a URL
    value is never Markdown."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO, md_shown

    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/briefing.py")
    at.query_params["slide"] = "99"
    at.run()
    assert not at.exception
    total = len(briefings()[0].slides)
    notes = " ".join(i.value for i in at.info)
    assert "Slide 99 does not exist in this briefing" in notes
    assert f"slide {total} is shown" in notes
    assert at.query_params["slide"] == [str(total)] or at.query_params["slide"] == str(total)
    at.query_params["slide"] = "*[x](js:y)*"
    at.run()
    note = " ".join(i.value for i in at.info)
    assert r"Slide \*\[x\]\(js\:" in note, note  # escaped Markdown ...
    assert "Slide *[x](js:y)* does not exist" in md_shown(note)  # ... shown as written
    assert "slide 1 is shown" in note


# ------------------------------------------------- a slide's map view, layers, QR code

ZOOMED = """
[[slides]]
page = "routes"
params = {{ routes = "Central Mediterranean", lat = 35, lon = 15, z = 5, layers = "{layers}" }}
figures = ["incident_totals"]
headline = "Central Mediterranean: {{dead_and_missing:,}} dead and missing"
"""


def _one_slide(tmp_path, text: str):
    path = tmp_path / "one.toml"
    path.write_text(text, encoding="utf-8")
    return load_briefing(path)


def test_a_slide_map_shows_its_view_and_only_the_legend_of_its_layers(tmp_path, con):
    """The PDF's map is drawn at the slide's lat/lon/z (not the page's fitted bounds), and
    lists the legend items of the layers switched on only."""
    import matplotlib.pyplot as plt

    from geo.briefing_pdf import _map_png
    from geo.mapspec import view_bounds
    from geo.snapshot import _merc_lat, draw_figure

    q, countries = direct_query(con), countries_of(con)
    default = render_slide(_one_slide(tmp_path, ZOOMED.format(layers="incidents")), 1, q, countries)
    keys = [layer.stable_key for layer in default.page.spec.layers]
    assert len(keys) == 2 and "incidents" in keys
    corridors = next(k for k in keys if k != "incidents")
    for shown in keys:
        rs = render_slide(_one_slide(tmp_path, ZOOMED.format(layers=shown)), 1, q, countries)
        assert [layer.show for layer in rs.page.spec.layers] == [k == shown for k in keys]
        _, _, drawn = _map_png(rs.page, WHEN)
        assert drawn.layers == [shown]
        items = [i for _, legend_items in drawn.legends for i in legend_items]
        kinds = {kind for kind, _, _ in items}
        # Incidents are circles, corridors a line: the legend lists the one shown only.
        assert kinds == ({"circle"} if shown == "incidents" else {"line"}), items
        assert all(label for _, _, label in items)
    assert corridors  # both layers were tried

    # The view: centred on 35°N 15°E at zoom 5, the area a 1240 x 560 px screen map shows
    # (only widened to the picture's shape), not the route's fitted bounds.
    (s, w), (n, e) = view_bounds(35, 15, 5)
    fig, _ = draw_figure(rs.page.spec, title="", subtitle="", preset="slides", when=WHEN)
    try:
        (x0, x1), (y0, y1) = fig.axes[0].get_xlim(), fig.axes[0].get_ylim()
    finally:
        plt.close(fig)
    assert abs((x0 + x1) / 2 - 15) < 0.01
    assert abs(_merc_lat((y0 + y1) / 2) - 35) < 0.5
    assert x0 <= w + 0.01 and x1 >= e - 0.01 and (x1 - x0) < 1.3 * (e - w)
    assert _merc_lat(y0) <= s + 0.01 and _merc_lat(y1) >= n - 0.01


def test_overview_picture_leaves_out_the_legend_of_its_hidden_layers(con):
    """The Overview opens with camps and cities switched off: its PNG/PDF legend does not
    list them (the screen's may: there a click switches them on)."""
    from types import SimpleNamespace

    from geo.briefing_pdf import _map_png
    from geo.registry import render_page

    page = render_page("overview", direct_query(con), countries_of(con), {})
    hidden = {layer.stable_key for layer in page.spec.layers if not layer.show}
    assert hidden  # the premise
    hidden_items = [i.label for lg in page.spec.legends for i in lg.items if i.layer in hidden]
    assert hidden_items
    slide = SimpleNamespace(spec=page.spec, caveat=page.caveat, load_places=lambda: [])
    _, _, drawn = _map_png(slide, WHEN)
    labels = [label for _, items in drawn.legends for _, _, label in items]
    assert labels and not set(labels) & set(hidden_items)
    shown_items = [i.label for lg in page.spec.legends for i in lg.items if i.layer not in hidden]
    assert labels == shown_items


_RECT = re.compile(rb"([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re f")
_IMAGE = re.compile(rb"([-\d.]+) 0 0 ([-\d.]+) ([-\d.]+) ([-\d.]+) cm /I\w* Do")
PT = 72 / 25.4  # points per millimetre


def _uris(page) -> list[str]:
    annots = page.get("/Annots") or []
    return [a.get_object()["/A"]["/URI"] for a in annots if "/A" in a.get_object()]


@pytest.mark.parametrize("public", [None, "javascript:alert(1)", "https://atlas.example.org/app/"])
def test_a_qr_code_of_the_slide_link_only_with_a_public_address(tmp_path, con, monkeypatch, public):
    from geo.qr import qr_modules

    if public is None:
        monkeypatch.delenv("ATLAS_PUBLIC_URL", raising=False)
    else:
        monkeypatch.setenv("ATLAS_PUBLIC_URL", public)
    q, countries = direct_query(con), countries_of(con)
    b = _one_slide(tmp_path, ZOOMED.format(layers="incidents"))
    pdf = briefing_pdf(b, q, countries, when=WHEN)
    texts = _check_pdf(b, pdf, q, countries)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    content = page.get_contents().get_data()
    rects = [tuple(float(v) / PT for v in m) for m in _RECT.findall(content)]
    if not public or not public.startswith("https"):
        assert not rects and not _uris(page) and "atlas.example" not in texts[0]
        assert "javascript" not in texts[0]
        return

    rs = render_slide(b, 1, q, countries)
    url = "https://atlas.example.org/app" + rs.link
    assert rs.link.startswith("/routes?") and "z=5" in rs.link
    assert _uris(page) == [url]
    # The address as text, wrapped by character, every line on the page.
    doc = slide_document(b.title)
    doc.add_page()
    qr, address = qr_layout(doc, url)
    assert "".join(address.lines) == url
    page_lines = [ln.strip() for ln in texts[0].splitlines()]
    for line in address.lines:
        assert line in page_lines
        doc.set_font("atlas", address.style, address.size)
        assert doc.get_string_width(line) <= address.w - 2 * doc.c_margin + 1e-6
    # The QR code: one filled square per dark module of the address's code.
    assert len(rects) == sum(map(sum, qr_modules(url)))
    # PDF y runs up from the bottom: (x, y_pdf, w, h) -> top-left box in mm.
    xs = [x for x, _, _, _ in rects] + [x + w for x, _, w, _ in rects]
    tops = [PAGE_H - y - h for _, y, _, h in rects] + [PAGE_H - y for _, y, _, _ in rects]
    qr_box = (min(xs), min(tops), max(xs), max(tops))
    assert 0 <= qr_box[0] < qr_box[2] <= PAGE_W and 0 <= qr_box[1] < qr_box[3] <= PAGE_H
    assert qr_box[2] - qr_box[0] > 15  # big enough for a phone across a room
    texts_boxes = [*slide_layout(doc, rs, WHEN), address]
    iw, ih, ix, iy = (float(v) / PT for v in _IMAGE.findall(content)[0])
    boxes = [(bx.x, bx.y, bx.x + bx.w, bx.y + bx.h) for bx in texts_boxes]
    boxes.append((ix, PAGE_H - iy - ih, ix + iw, PAGE_H - iy))
    number = (PAGE_W - 10 - 20, PAGE_H - 10 - 2, PAGE_W - 10, PAGE_H - 10 + 3)
    for x0, y0, x1, y1 in [*boxes, number]:
        apart = x1 <= qr_box[0] or qr_box[2] <= x0 or y1 <= qr_box[1] or qr_box[3] <= y0
        assert apart, ((x0, y0, x1, y1), qr_box)


def test_every_legend_item_of_every_page_names_the_layer_it_stands_for(con):
    """With one layer switched on (a slide's ``layers``), the picture's legend lists that
    layer's items only, on every page: each item (or its whole legend) names its layer."""
    from geo.mapspec import layer_choice
    from geo.pages import PAGE_KEYS
    from geo.registry import render_page

    q, countries = direct_query(con), countries_of(con)
    for key in PAGE_KEYS:
        spec = render_page(key, q, countries, {}).spec
        for shown in [layer.stable_key for layer in spec.layers]:
            assert layer_choice(spec, shown) == []  # switches the others off
            legends = spec.shown_legends()
            items = [(lg.layer, i) for lg in legends for i in lg.items]
            assert items, (key, shown)  # a layer shown has a legend
            for legend_layer, item in items:
                assert shown in (item.layer, legend_layer), (key, shown, item.label)


def test_the_pdf_map_shows_no_part_of_the_picture_footer(con):
    """The CIFAL legend's notes run below the map: the crop the PDF shows then reaches
    the picture's own footer, which must be hidden, not shown cut in half (the PDF sets
    the caveat, credit and date as text)."""
    import matplotlib.pyplot as plt

    from geo.briefing_pdf import map_crop
    from geo.registry import render_page
    from geo.snapshot import draw_figure

    page = render_page("cifal", direct_query(con), countries_of(con), {})
    fig, _ = draw_figure(
        page.spec, title="", subtitle="", caveat=page.caveat, preset="slides", when=WHEN
    )
    try:
        crop = map_crop(fig)
        renderer = fig.canvas.get_renderer()
        inches = fig.dpi_scale_trans.inverted()
        shown = [t for t in fig.texts if t.get_visible() and t.get_text()]
        hidden = [t for t in fig.texts if not t.get_visible()]
        assert any("Arrival Atlas on" in t.get_text() for t in hidden)  # the footer
        map_bottom = fig.axes[0].get_window_extent(renderer).transformed(inches).y0
        assert crop.y0 < map_bottom  # the premise: the legend column runs lower
        for t in shown + list(fig.legends):
            box = t.get_window_extent(renderer).transformed(inches)
            assert crop.x0 <= box.x0 and box.x1 <= crop.x1, t
            assert crop.y0 <= box.y0 and box.y1 <= crop.y1, t
    finally:
        plt.close(fig)
