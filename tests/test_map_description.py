"""One map description, four renderings: the screen (folium, geo.maps), the PNG
(matplotlib, geo.snapshot), the HTML export and the briefing PDF's map list the same
layers and legend items for every map page, and each map's credit names every dataset
its layers draw (from geo.catalog)."""

from __future__ import annotations

import ast
import html
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from geo.catalog import DATASETS
from geo.exports import standalone_html
from geo.maps import map_html, swatch_css
from geo.mapspec import BASEMAP_NAME, MapSpec
from geo.pages import page as page_of
from geo.views import countries_of, direct_query, memo

ROOT = Path(__file__).resolve().parents[1]

# Each map page in its default state and one filtered state (URL parameters).
CASES = [
    ("overview", {}),
    ("routes", {}),
    ("routes", {"routes": "Central Mediterranean", "from": "2016-06-01", "to": "2016-06-30"}),
    ("camps", {}),
    ("camps", {"country": "BGD"}),
    ("cities", {}),
    ("cities", {"mode": "growth"}),
    ("cifal", {}),
    ("cifal", {"radius": "500", "closed": "1"}),
]
IDS = [f"{k}-{'-'.join(p) or 'default'}" for k, p in CASES]


@pytest.fixture(scope="module")
def views(db_path):
    """Each case's page, view, export facts and description, built once."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    q = memo(direct_query(con))
    basemap = countries_of(con)
    out = {}
    for (key, params), case_id in zip(CASES, IDS, strict=True):
        page = page_of(key)
        view, notes = page.render(q, basemap, params)
        assert not notes, notes  # the filtered state is understood, not dropped
        exp = page.export(view, q)
        out[case_id] = (page, view, exp, view.spec, exp.load_places())
    yield out
    con.close()


# --------------------------------------------------------------- reading the HTML


class _LegendText(HTMLParser):
    """Title, swatch CSS and label of each legend row in a Legend's HTML."""

    def __init__(self):
        super().__init__()
        self.title, self.rows, self.note = "", [], ""
        self._in = None

    def handle_starttag(self, tag, attrs):
        if tag == "b" and not self.title:
            self._in = "title"
        elif tag == "i":
            self.rows.append([dict(attrs).get("style", ""), ""])
            self._in = "row"
        elif tag == "div" and dict(attrs).get("style", "").startswith("margin-top"):
            self._in = "note"

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "row" and self.rows:
            self.rows[-1][1] += data
        elif self._in == "note":
            self.note += data

    def handle_endtag(self, tag):
        if tag in ("b", "div"):
            self._in = None if tag == "b" or self._in == "note" else self._in
        if tag == "div" and self._in == "row":
            self._in = None


def rendered(page_html: str) -> tuple[list[tuple[str, bool]], list[tuple[str, list]]]:
    """The overlays of a rendered map page (name, shown when it opens) and its legends
    (title, [(swatch CSS, label)]), read from the page's script."""
    control = re.search(r"overlays :\s*\{(.*?)\},\s*\};", page_html, re.S)
    assert control, "no layer control"
    overlays = []
    for name, var in re.findall(r'("(?:[^"\\]|\\.)*")\s*:\s*(\w+)', control.group(1)):
        shown = re.search(rf"\b{var}\.addTo\(map_\w+\);", page_html) is not None
        overlays.append((json.loads(name), shown))
    legends = []
    for body in re.findall(r"body\.innerHTML = (\"(?:[^\"\\]|\\.)*\");", page_html):
        p = _LegendText()
        p.feed(json.loads(body.replace("<\\/", "</")))
        legends.append((p.title, [(css, label) for css, label in p.rows]))
    return overlays, legends


def expected(spec: MapSpec):
    layers = [(layer.name, layer.show) for layer in spec.layers]
    legends = [(lg.title, [(swatch_css(i), i.label) for i in lg.items]) for lg in spec.legends]
    return layers, legends


# --------------------------------------------------------------------- the tests


@pytest.mark.parametrize("case_id", IDS)
def test_screen_png_html_and_pdf_list_the_same_layers_and_legend(views, case_id):
    from geo.briefing_pdf import _map_png
    from geo.snapshot import draw_figure

    page, view, exp, spec, places = views[case_id]
    layers, legends = expected(spec)
    assert layers and all(items for _, items in legends)

    # The screen: the folium page geo.maps renders (what st_folium shows).
    screen = map_html(view.map)
    assert rendered(screen) == (layers, legends)
    assert f'"{BASEMAP_NAME}"' in screen.split("overlays :")[0]  # the base layer

    # The HTML export.
    export = standalone_html(view.spec, exp.title, exp.subtitle, citation=exp.citation)
    assert rendered(export) == (layers, legends)

    # The PNG: the layers switched on, and the legends as matplotlib drew them.
    fig, drawn = draw_figure(
        view.spec,
        title=exp.title,
        subtitle=exp.subtitle,
        caveat=exp.caveat,
        places=places,
        preset="slides",  # the layout is the print preset's, at a fifth of the pixels
    )
    try:
        shown_keys = [layer.stable_key for layer in spec.layers if layer.show]
        assert drawn.layers == shown_keys
        # The picture cannot switch layers on: it lists the legends of those shown.
        shown = spec.shown_legends()
        assert drawn.legends == [
            (lg.title, [(i.kind, i.color, i.label) for i in lg.items]) for lg in shown
        ]
        drawn_labels = [
            [t.get_text().replace("\n", " ") for t in leg.get_texts()] for leg in fig.legends
        ]
        assert drawn_labels == [[i.label for i in lg.items] for lg in shown]
        assert [len(leg.legend_handles) for leg in fig.legends] == [len(lg.items) for lg in shown]
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)

    # The briefing PDF's map (what geo.registry.render_page hands it: the view's map,
    # caveat and places), drawn once.
    slide = SimpleNamespace(spec=view.spec, caveat=exp.caveat, load_places=lambda: places)
    png, ratio, pdf_drawn = _map_png(slide, None)
    assert png.startswith(b"\x89PNG") and ratio > 1
    assert pdf_drawn == drawn


@pytest.mark.parametrize("case_id", IDS)
def test_credit_names_every_dataset_the_layers_draw(views, case_id):
    from geo.snapshot import build_figure

    page, view, exp, spec, _ = views[case_id]
    drawn = {k for layer in spec.layers for k in layer.datasets}
    assert all(layer.datasets for layer in spec.layers), "a layer without its datasets"
    assert drawn <= set(DATASETS), drawn - set(DATASETS)
    screen = map_html(view.map)
    fig = build_figure(view.spec, title="t", subtitle="s", preset="slides")
    try:
        footer = " ".join(t.get_text().replace("\n", " ") for t in fig.texts)
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)
    attribution = json.loads(re.search(r"addAttribution\((\".*?\")\);", screen).group(1))
    assert attribution == html.escape(spec.credit)
    for text in (spec.credit, html.unescape(attribution), footer, page.credit):
        assert not missing_credits(spec, text), (missing_credits(spec, text), text)


def missing_credits(spec: MapSpec, credit: str) -> list[str]:
    """Datasets the layers (and the basemap) draw that ``credit`` does not name."""
    drawn = {k for layer in spec.layers for k in layer.datasets} | {"natural_earth"}
    return sorted(k for k in drawn if DATASETS[k].credit not in credit)


def test_credit_check_fails_for_a_dataset_the_credit_leaves_out(views):
    _, _, _, spec, _ = views["cifal-default"]
    cut = spec.credit.replace(DATASETS["cifal"].credit, "")
    assert missing_credits(spec, cut) == ["cifal"]
    assert missing_credits(spec, spec.credit) == []


def test_layer_picker_switches_the_description(views):
    """Switching a layer off on the screen's map (the layer picker) switches it off in
    the description, so the PNG leaves it out too."""
    from geo.maps import layer_key

    _, view, _, spec, _ = views["overview-default"]
    overlay = next(
        c for c in view.map._children.values() if getattr(c, "overlay", False) and c.control
    )
    key = layer_key(overlay)
    overlay.show = False
    try:
        assert spec.layer(key).show is False
    finally:
        overlay.show = True
    assert spec.layer(key).show is True


def test_overview_draws_with_the_pages_own_layers(views):
    """CIFAL centres, cities and sites on the Overview are drawn by their pages'
    functions, in their colours (closed centres as on the CIFAL page)."""
    _, _, _, overview, _ = views["overview-default"]
    _, _, _, cifal, _ = views["cifal-radius-closed"]
    centres = overview.layer("cifal-centres-unitar")
    on_cifal = cifal.layer("cifal-centres-unitar")
    assert list(centres.colors) == list(on_cifal.colors)
    assert (centres.stroke, centres.weight, centres.fill_opacity) == (
        on_cifal.stroke,
        on_cifal.weight,
        on_cifal.fill_opacity,
    )
    assert [c.tooltip for c in centres.circles] == [c.tooltip for c in on_cifal.circles]
    _, _, _, cities, _ = views["cities-default"]
    city = next(layer for layer in overview.layers if "Cities of" in layer.name)
    assert list(city.colors) == list(cities.layer("cities").colors)


def test_snapshot_imports_nothing_from_folium():
    source = (ROOT / "geo" / "snapshot.py").read_text()
    imported = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [None])
    ]
    assert not [m for m in imported if m and m.split(".")[0] in ("folium", "branca")]
    assert "geo.maps" not in imported
    code = "import sys, geo.snapshot; print(sorted(m for m in sys.modules if m.split('.')[0] in ('folium', 'branca')))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
