"""The map's text twin (issue 18, WCAG 2.2 AA): every map page's table lists what its
shown layers draw, one row per feature, with the figures the view drew them from; the
summary is generated from those figures (in the page's language) and travels as alt text
in the PNG, the briefing PDF and the HTML export; data values are escaped."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest

from geo import mapspec as ms
from geo.i18n import fmt_int, using
from geo.pages import page as page_of
from geo.textmap import layer_frame, layer_html, map_summary, map_table, twin_html
from geo.views import countries_of, direct_query, memo
from geo.views import routes as R
from tests.conftest import IN_DATES, in_dates_args

CASES = [
    ("overview", {}),
    ("routes", {}),
    ("routes", {"routes": "Central Mediterranean", "from": "2016-06-01", "to": "2016-06-30"}),
    ("camps", {}),
    ("camps", {"country": "BGD"}),
    ("cities", {}),
    ("cities", {"mode": "growth"}),
    ("cifal", {}),
]
IDS = [f"{k}-{'-'.join(p) or 'default'}" for k, p in CASES]


@pytest.fixture(scope="module")
def world(db_path):
    """(query, basemap, connection) on the test database."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    yield memo(direct_query(con)), countries_of(con), con
    con.close()


@pytest.fixture(scope="module")
def views(world):
    """Each case's view, built once."""
    q, basemap, _con = world
    out = {}
    for (key, params), case_id in zip(CASES, IDS, strict=True):
        view, notes = page_of(key).render(q, basemap, params)
        assert not notes, notes
        out[case_id] = view
    return out


def features(layer: ms.Layer) -> int:
    """How many features a layer draws, counted from what the renderers draw."""
    if isinstance(layer, ms.CircleLayer):
        return len(layer.circles)
    if isinstance(layer, ms.LineLayer):
        return len(layer.lines)
    if isinstance(layer, ms.RingLayer):
        return len(layer.rings)
    if isinstance(layer, ms.PolygonLayer):
        return len(layer.data["features"])
    if isinstance(layer, ms.ChoroplethLayer):
        return len(layer.values)
    raise AssertionError(f"a layer kind the test does not know: {type(layer).__name__}")


@pytest.mark.parametrize("case_id", IDS)
def test_table_has_one_row_per_feature_of_the_shown_layers(views, case_id):
    spec = views[case_id].spec
    shown = [layer for layer in spec.layers if layer.show]
    table = map_table(spec)
    assert len(table) == sum(features(layer) for layer in shown) > 0
    assert list(dict.fromkeys(table["Layer"])) == [x.name for x in shown if features(x)]
    for layer in shown:
        frame = layer_frame(layer)
        assert len(frame) == features(layer), layer.name
        if isinstance(layer, ms.CircleLayer):  # each row where its circle is drawn
            assert list(frame["Latitude"]) == [c.lat for c in layer.circles]
            assert list(frame["Longitude"]) == [c.lon for c in layer.circles]
    # the page's layers with figures carry the view's own rows, not their tooltips
    own = [layer for layer in shown if layer.table is not None and layer.table.measure is not None]
    assert own, [layer.name for layer in shown]
    for layer in own:
        assert len(layer.table.rows) == features(layer)
        for row in layer.table.rows:  # plain values: no markup in a cell
            assert not any(isinstance(v, str) and re.search(r"<[a-z/]", v) for v in row), row


def test_hidden_layers_are_left_out_of_table_and_summary(views):
    spec = views["overview-default"].spec
    hidden = [layer for layer in spec.layers if not layer.show]
    assert hidden  # the Overview opens with camps and cities switched off
    table, summary = map_table(spec), map_summary(spec)
    for layer in hidden:
        assert layer.name not in set(table["Layer"])
    # switched on (as the layer picker or a link does), they join both
    before = len(table)
    ms.layer_choice(spec, "|".join(layer.stable_key for layer in spec.layers))
    try:
        table = map_table(spec)
        assert len(table) == before + sum(features(layer) for layer in hidden)
        for layer in hidden:
            assert layer.name in set(table["Layer"])
            assert f"{layer.name}: " in map_summary(spec)
    finally:
        for layer in hidden:
            layer.show = False
    assert "Switched off: " + "; ".join(layer.name for layer in hidden) in summary


def test_routes_figures_equal_sql(views, world):
    """The table's dead and missing add up to the filtered, located incidents counted
    straight from the table; the summary quotes that total and the largest cell."""
    from tests.test_routes import sql_filtered

    q, _basemap, con = world
    for case_id, params in (
        ("routes-default", {}),
        (IDS[2], CASES[2][1]),
    ):
        view = views[case_id]
        state, notes = R.RoutesState.from_params(params, R.options(q))
        assert not notes
        layer = view.spec.layer(R.INCIDENTS_KEY)
        frame = layer_frame(layer)
        total, n = sql_filtered(con, state, "sum(dead_and_missing), count(*)", located=True)
        assert frame["Dead and missing"].sum() == total > 0
        if view.spec.info.mode == "incidents":
            assert len(frame) == n
        summary = map_summary(view.spec)
        assert f"{fmt_int(total)} dead and missing (minimum)" in summary
        assert f"{fmt_int(frame['Dead and missing'].max())}" in summary
        # the corridors: one row per route drawn, its figure as the route's SQL total
        corridors = layer_frame(view.spec.layer(R.CORRIDORS_KEY))
        for route, dm in zip(corridors["Route"], corridors["Dead and missing"], strict=True):
            sql = f"SELECT coalesce(sum(dead_and_missing), 0) FROM incidents WHERE list_contains(routes, ?) AND {IN_DATES}"  # noqa: E501, S608 - a constant rule, values bound
            got = con.execute(
                sql, [route, *in_dates_args(state.date_from, state.date_to)]
            ).fetchone()[0]
            assert dm == got, route


def test_camps_and_cities_figures_equal_sql(views, world):
    _q, _basemap, con = world
    # Camps in Bangladesh, one row per located site, drawn one by one
    frame = layer_frame(views["camps-country"].spec.layers[0])
    n = con.execute("SELECT count(*) FROM sites WHERE iso3 = 'BGD' AND lat IS NOT NULL").fetchone()
    assert len(frame) == n[0] > 0
    assert f"{fmt_int(len(frame))} sites;" in map_summary(views["camps-country"].spec)
    # Cities of 300,000+ in 2025, their population from the table
    cities = views["cities-default"].spec
    pop = next(layer for layer in cities.layers if layer.name.startswith("Cities, population"))
    frame = layer_frame(pop)
    n, total, top = con.execute(
        "SELECT count(*), sum(population), max(population) FROM city_population "
        "WHERE year = 2025 AND population >= 300000"
    ).fetchone()
    assert len(frame) == n and abs(frame.iloc[:, 2].sum() - total) <= n  # rounded per city
    summary = map_summary(cities)
    assert f"the largest, {frame.iloc[frame.iloc[:, 2].astype(float).idxmax(), 0]}, " in summary
    assert fmt_int(round(top)) in summary


def test_summary_is_generated_in_the_page_language(views):
    spec = views["routes-default"].spec
    total = int(layer_frame(spec.layer(R.INCIDENTS_KEY))["Dead and missing"].sum())
    assert total >= 1000  # a number with a thousands separator
    english = map_summary(spec)
    assert f"{total:,}" in english
    with using("fr"):
        french = map_summary(spec)
        written = fmt_int(total)
    # French groups with a (narrow) no-break space: 77 743, never 77,743
    assert re.fullmatch(r"\d{1,3}([\u202f\u00a0]\d{3})+", written)
    assert written in french and f"{total:,}" not in french
    assert "minimum" in french and french != english


@pytest.mark.parametrize("case_id", ["camps-country"])
def test_png_carries_the_summary_as_alt_text(views, case_id):
    from PIL import Image

    from geo.snapshot import render_png

    spec = views[case_id].spec
    png = render_png(spec, title="Title – été", subtitle="s", preset="slides")
    text = Image.open(io.BytesIO(png)).text
    assert text["Description"] == map_summary(spec)
    assert text["Title"] == "Title – été"


def test_pdf_map_carries_the_summary_as_alt_text(world):
    from pypdf import PdfReader

    from geo.briefing import Briefing, Slide
    from geo.briefing_pdf import briefing_pdf
    from geo.registry import render_page

    q, basemap, _con = world
    params = {"routes": "Central Mediterranean", "from": "2016-06-01", "to": "2016-06-30"}
    slide = Slide(page="routes", headline="Headline", caption="Caption", params=params)
    b = Briefing(key="t", title="T", description="", slides=[slide])
    pdf = briefing_pdf(b, q, basemap)
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    figures = []

    def walk(node):
        node = node.get_object()
        if node.get("/S") == "/Figure":
            figures.append(str(node.get("/Alt")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                walk(kid)

    walk(root["/StructTreeRoot"])
    expected = map_summary(render_page("routes", q, basemap, params).spec)
    assert figures == [expected]


def test_html_export_describes_the_map(views):
    from geo.exports import SUMMARY_ID, standalone_html

    spec = views["camps-country"].spec
    page = standalone_html(spec, "T", "s")
    assert (
        f'aria-describedby="{SUMMARY_ID}"' in re.search(r'<div class="folium-map"[^>]*>', page)[0]
    )
    shown = re.search(rf'<p id="{SUMMARY_ID}">(.*?)</p>', page)[1]
    import html

    assert html.unescape(shown) == map_summary(spec)


class _Table(HTMLParser):
    """Text of a table's cells (header and data) and the attributes of its region."""

    def __init__(self):
        super().__init__()
        self.region, self.cells, self.captions, self.scopes = {}, [], [], set()
        self._text: list[str] | None = None
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        a = dict(attrs)
        if tag == "div" and a.get("role") == "region":
            self.region = a
        if tag in ("td", "th", "caption"):
            self._text = []
            if tag == "th":
                self.scopes.add(a.get("scope"))

    def handle_endtag(self, tag):
        if tag in ("td", "th", "caption") and self._text is not None:
            (self.captions if tag == "caption" else self.cells).append("".join(self._text))
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def test_html_table_escapes_values_and_is_keyboard_reachable():
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    layer = ms.CircleLayer(
        name="Sites <b>",
        datasets=("unhcr_register",),
        circles=[ms.Circle(1.0, 2.0, 4, 0), ms.Circle(3.0, 4.0, 4, 0)],
        colors=["#000"],
        table=ms.LayerTable(
            ["Site", "People"], [(evil, 5), ("Plain", 7)], measure=1, sentence="{n} sites."
        ),
    )
    spec = ms.MapSpec({"features": []}, [layer], [])
    out = twin_html(spec, "test_map")
    assert "<script" not in out and "<img" not in out and "<b>" not in out
    table = _Table()
    table.feed(out)
    assert table.region["tabindex"] == "0" and table.region["aria-label"] == "Map as a table"
    assert {"script", "img", "b"}.isdisjoint(table.tags)
    assert evil in table.cells  # shown as written, as text
    assert table.scopes == {"col", "row"}
    assert table.captions == ["Sites <b> (2 rows)"]
    assert ["Plain", "7", "3.00", "4.00"] == table.cells[table.cells.index("Plain") :][:4]
    # largest first; a long layer is cut with a caption that says so
    assert table.cells.index("Plain") < table.cells.index(evil)
    short = _Table()
    short.feed(layer_html(layer, limit=1))
    assert "(the 1 largest of 2 rows; the CSV has them all)" in short.captions[0]
    assert "Plain" in short.cells and evil not in short.cells
    # the table the CSV holds: every row, the value as written
    assert list(map_table(spec)["Place"]) == [evil, "Plain"]


@pytest.mark.parametrize("case_id", ["routes-default", "cities-default"])
def test_every_page_table_renders(views, case_id):
    """The screen's HTML of a real page: one table per shown layer, every row a feature
    (up to the screen's limit)."""
    from geo.textmap import SCREEN_ROWS

    spec = views[case_id].spec
    table = _Table()
    table.feed(twin_html(spec, case_id))
    shown = [layer for layer in spec.layers if layer.show]
    assert len(table.captions) == len(shown)
    for caption, layer in zip(table.captions, shown, strict=True):
        assert caption.startswith(layer.name)
        n = features(layer)
        assert (f"of {fmt_int(n)} rows" if n > SCREEN_ROWS else f"({n} row") in caption


def test_overview_page_shows_its_text_twin_under_the_map(db_path, views, monkeypatch):
    """The screen: under the map, the summary of the same query (as text), then, once
    the map has drawn and its fold is opened, the table in a region a keyboard reaches
    (tabindex 0)."""
    import html

    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO

    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception

    def bodies() -> list[str]:
        return [e.proto.body for e in at.get("html")]

    summary = map_summary(views["overview-default"].spec)
    shown = [b for b in bodies() if 'class="atlas-map-summary"' in b]
    assert len(shown) == 1 and html.unescape(re.sub(r"<[^>]+>", "", shown[0])) == summary
    assert not any('class="atlas-twin"' in b for b in bodies())  # waits for the map
    at.run()  # the second run stands for the map's report of its view
    assert not at.exception and "Map as a table" in [e.label for e in at.expander]
    assert not any('class="atlas-twin"' in b for b in bodies())  # written once opened
    at.session_state["overview_map_twin_open"] = True  # the reader opens the fold
    at.run()
    assert not at.exception
    (twin,) = [b for b in bodies() if 'class="atlas-twin"' in b]
    table = _Table()
    table.feed(twin)
    assert table.region["tabindex"] == "0" and table.region["role"] == "region"
    assert len(table.captions) == sum(layer.show for layer in views["overview-default"].spec.layers)


def test_a_played_map_lists_the_frame_its_pictures_draw(world):
    """Deadly routes played by year: the table holds the circles of the frame a still
    picture draws (the last, running totals), the summary that frame's figure."""
    q, basemap, _con = world
    view, notes = page_of("routes").render(q, basemap, {"play": "year"})
    assert not notes
    played = next(layer for layer in view.spec.layers if isinstance(layer, ms.PlaybackLayer))
    still = played.still_layers()[0]
    frame = layer_frame(played)
    assert len(frame) == len(still.circles) > 0
    assert list(frame["Latitude"]) == [c.lat for c in still.circles]
    values = played.values_at()
    assert frame.iloc[:, 1].sum() == sum(values.values())
    i = played.frame_index()
    assert f"{played.labels[i]}: {played.counters[i]}." in map_summary(view.spec)


def test_deck_slide_map_keeps_its_description(world):
    """The HTML deck drops the export's title bar from each slide's map: the summary
    stays in the map page for screen readers, named by the map's aria-describedby."""
    import html

    from geo.briefing import Briefing, Slide, render_slide
    from geo.deck import _map_page
    from geo.exports import SUMMARY_ID

    q, basemap, _con = world
    b = Briefing(key="t", title="T", description="", slides=[Slide(page="camps", headline="H")])
    rs = render_slide(b, 1, q, basemap)
    doc = _map_page(rs)
    assert f'aria-describedby="{SUMMARY_ID}"' in re.search(r'<div class="folium-map"[^>]*>', doc)[0]
    (shown,) = re.findall(rf'<p id="{SUMMARY_ID}"[^>]*>(.*?)</p>', doc)
    assert html.unescape(shown) == map_summary(rs.page.spec)
    assert "<header" not in doc and "Map in words" not in doc


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_table_numbers_are_written_as_the_language_writes_them(lang):
    from geo.i18n import fmt_num
    from geo.textmap import fmt_value

    with using(lang):
        for v in (0, 5, -5, 999, 1000, 1234, 76272, -12345):
            assert fmt_value(v) == fmt_int(v)
        for v in (0.3, -16.4, 33.7, 999.96, 1234.5):
            assert fmt_value(v) == fmt_num(v, 1)
