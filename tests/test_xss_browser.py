"""Text from datasets is inert wherever it is shown: a small database whose locations,
sources, links and site names carry HTML and script payloads, opened in headless
Chromium (offline, see tests/browser.py), and passed through the exports.

The payloads are set on a few rows of a sample of the real MMP export and of the UNHCR
location register; the build stores them as they are (they are text), and every page,
popup, tooltip, table and export must show them as text and never run them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from tests.conftest import copy_sources

EXPORT = "missing_migrants/Missing_Migrants_Global_Figures_allData_2025-04.csv"
REGISTER = "camps/displacement_locations_unhcr_2020-01.csv"
DAY = "2013-12-31"  # before the export's first incident: only the payload rows have it
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
QUOTES = 'Quote\'s "test" & <b>bold</b>'
SVG = '"><svg onload=alert(2)>'
CLOSE = "</script><script>alert(4)</script>"
JS_URL = "javascript:alert(1)"
QUOTED_URL = 'https://example.org/?q="><script>alert(3)</script>'
GOOD_URL = "http://example.org/ok"
# Spreadsheet formulas (OWASP CSV injection; issue 14 item 2)
FORMULA_EQ = '=HYPERLINK("https://evil.example/f","Click")'
FORMULA_MINUS = "-2+3+cmd|' /C calc'!A0"
FORMULA_AT = "@SUM(1+1)*cmd|' /C calc'!A0"
# Markdown payloads (issue 14): a route, a cause and a site type named like this must
# show as text in captions and notes, never as a link, an image or styled text.
ROUTE_LINK = "[Click here](https://evil.example/route)"
CAUSE_RED = ":red[**SECURITY ALERT**]"
TYPE_LINK = "[Verify your account](https://evil.example/type)"
DAY2 = "2013-12-30"  # the Markdown payload incident: not on DAY, whose rows are counted
# export row -> values (row numbers count the header as row 1)
INCIDENTS = {
    11: {
        "Location of Incident": SCRIPT,
        "Information Source": IMG,
        "URL": JS_URL,
        "Country of Incident": FORMULA_MINUS,
    },
    21: {
        "Location of Incident": QUOTES,
        "Information Source": SVG,
        "URL": QUOTED_URL,
        "Country of Incident": FORMULA_EQ,
    },
    31: {
        "Location of Incident": IMG,
        "Country of Incident": CLOSE,
        "URL": GOOD_URL,
        "Information Source": FORMULA_AT,
    },
}
MARKDOWN_INCIDENT = (41, {"Migration Route": ROUTE_LINK, "Cause of Death": CAUSE_RED})
SITE_NAMES = [SCRIPT, IMG, QUOTES]
SITES_COUNTRY = "Uganda"  # the register rows whose names are replaced


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.fixture(scope="module")
def xss_db(mirror, tmp_path_factory) -> Path:
    """A database built from samples of the export and the register with payloads."""
    from geo.build import build

    root = tmp_path_factory.mktemp("xss")
    src = copy_sources(mirror, root / "src", only=["natural_earth/ne_110m"])
    with (mirror / EXPORT).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[:1501]
    col = {c: i for i, c in enumerate(rows[0])}
    for row, values in [*INCIDENTS.items(), MARKDOWN_INCIDENT]:
        r = rows[row - 1]
        for k, v in values.items():
            r[col[k]] = v
        dm = str(100 + row)
        r[col["Incident Date"]] = DAY if row in INCIDENTS else DAY2
        r[col["Number of Dead"]] = r[col["Total Number of Dead and Missing"]] = dm
        r[col["Minimum Estimated Number of Missing"]] = ""
    (src / EXPORT).parent.mkdir(parents=True, exist_ok=True)
    (src / EXPORT).write_text(_csv(rows), encoding="utf-8")
    with (mirror / REGISTER).open(encoding="utf-8-sig", newline="") as fh:
        sites = list(csv.reader(fh))[:801]
    scol = {c: i for i, c in enumerate(sites[0])}
    uganda = [r for r in sites[1:] if r[scol["Country"]] == SITES_COUNTRY]
    assert len(uganda) > len(SITE_NAMES)
    for r, name in zip(uganda, SITE_NAMES, strict=False):
        r[scol["name"]] = name
    uganda[len(SITE_NAMES)][scol["loc_type"]] = TYPE_LINK
    (src / REGISTER).parent.mkdir(parents=True, exist_ok=True)
    (src / REGISTER).write_text(_csv(sites), encoding="utf-8")
    db = root / "atlas.duckdb"
    build(src, db, out=io.StringIO())
    return db


@pytest.fixture(scope="module")
def xss_server(xss_db):
    from tests.browser import Server

    s = Server(xss_db)
    yield s
    s.stop()


def test_build_keeps_the_payloads_as_text(xss_db):
    with duckdb.connect(str(xss_db), read_only=True) as c:
        rows = c.execute(
            "SELECT location, information_source, url, country FROM incidents "
            "WHERE incident_date = ? ORDER BY dead_and_missing",
            [date.fromisoformat(DAY)],
        ).fetchall()
        names = {r[0] for r in c.execute("SELECT name FROM sites").fetchall()}
    assert [r[0] for r in rows] == [SCRIPT, QUOTES, IMG]
    assert rows[0][2] is None  # javascript: links are dropped by the loader
    assert rows[2][2] == GOOD_URL and rows[2][3] == CLOSE
    assert set(SITE_NAMES) <= names


# Every incident marker's popup and tooltip, opened in turn, as HTML and as text.
POPUPS = """() => {
    const maps = new Set(), out = [];
    for (const k of Object.keys(window)) {
        let v; try { v = window[k]; } catch (e) { continue; }
        if (v instanceof L.Map) { maps.add(v); }
    }
    for (const m of maps) {
        m.eachLayer(l => {
            if (!(l instanceof L.CircleMarker)) { return; }
            const item = {};
            if (l.getPopup()) {
                l.openPopup();
                const el = l.getPopup().getElement().querySelector('.leaflet-popup-content');
                item.popup_html = el.innerHTML;
                item.popup_text = el.innerText;
                item.popup_live = el.querySelectorAll(
                    'script,img,svg,iframe,[onerror],[onload]').length;
                l.closePopup();
            }
            if (l.getTooltip()) {
                l.openTooltip();
                const el = l.getTooltip().getElement();
                item.tip_text = el.innerText;
                item.tip_live = el.querySelectorAll(
                    'script,img,svg,iframe,[onerror],[onload]').length;
                l.closeTooltip();
            }
            out.push(item);
        });
    }
    return out;
}"""

# Where the first incident marker is, in the page's coordinates (for a real click).
MARKER_POINT = """() => {
    for (const k of Object.keys(window)) {
        let v; try { v = window[k]; } catch (e) { continue; }
        if (!(v instanceof L.Map)) { continue; }
        let p = null;
        v.eachLayer(l => {
            if (!p && l instanceof L.CircleMarker && l.getPopup()) {
                p = v.latLngToContainerPoint(l.getLatLng());
            }
        });
        if (p) {
            const r = v.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }
    }
    return null;
}"""

JS_LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
    .map(a => a.getAttribute('href'))
    .filter(h => !/^(https?:|#|\\/|\\?|$)/i.test(h.trim()))"""


def _open(server, browser, path: str):
    from tests.browser import OfflinePage, wait_for_app

    context = browser.new_context(viewport={"width": 1440, "height": 1200}, accept_downloads=True)
    # Streamlit's table download uses the save-file picker when the browser has one.
    context.add_init_script("delete window.showSaveFilePicker;")
    op = OfflinePage(context)
    op.page.goto(f"{server.url}/{path}", wait_until="domcontentloaded")
    wait_for_app(op.page)
    return op, context


def _table_csv(op, index: int) -> str:
    """The CSV of the page's ``index``-th dataframe, through its own download button."""
    # Pages with an export panel hide the grid's own download (it would bypass the
    # panel's guarantees); the test still reads the grid's cells through it.
    op.page.add_style_tag(
        content="[data-testid='stElementToolbarButton']{display:inline-flex!important}"
    )
    table = op.page.locator("[data-testid='stDataFrame']").nth(index)
    table.hover()
    with op.page.expect_download() as dl:
        table.get_by_label("Download as CSV").click()
    return Path(dl.value.path()).read_text(encoding="utf-8-sig")


@pytest.mark.browser
def test_routes_popups_tooltips_and_table_show_payloads_as_text(xss_server, browser):
    op, context = _open(
        xss_server, browser, f"routes?from={DAY}&to={DAY}&section=Deadliest+incidents"
    )
    try:
        frame = op.map_frame()
        # a real click on a marker opens its popup (the whole map in view first: a click
        # on a partly hidden frame scrolls the page between mouse down and up)
        frame.frame_element().scroll_into_view_if_needed()
        op.page.wait_for_timeout(300)
        box = frame.frame_element().bounding_box()
        x, y = frame.evaluate(MARKER_POINT)
        op.page.mouse.click(box["x"] + x, box["y"] + y)
        frame.wait_for_selector(".leaflet-popup-content", timeout=5000)
        items = frame.evaluate(POPUPS)
        popups = [i for i in items if "popup_text" in i]
        assert len(popups) == len(INCIDENTS), items
        text = "\n".join(i["popup_text"] for i in popups)
        html = "\n".join(i["popup_html"] for i in popups)
        for payload in (SCRIPT, IMG, QUOTES, SVG, CLOSE):
            assert payload in text, payload  # shown literally ...
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # ... because escaped
        assert all(i["popup_live"] == 0 and i["tip_live"] == 0 for i in popups), items
        assert any(IMG in i["tip_text"] for i in popups)
        assert frame.evaluate(JS_LINKS) == [] and op.page.evaluate(JS_LINKS) == []
        hrefs = frame.evaluate(
            "() => Array.from(document.querySelectorAll('.leaflet-popup-pane a, a[target=_blank]'))"
            ".map(a => a.href)"
        )
        assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs

        deadliest = pd.read_csv(io.StringIO(_table_csv(op, 0)), dtype=str, keep_default_na=False)
        assert set(deadliest["location"]) == {SCRIPT, QUOTES, IMG}
        assert set(deadliest["information_source"]) == {IMG, SVG, "'" + FORMULA_AT}
        assert set(deadliest["country"]) == {CLOSE, "'" + FORMULA_EQ, "'" + FORMULA_MINUS}
        assert set(deadliest["url"]) == {"", GOOD_URL}  # javascript: and quoted links dropped
        # the grid's own download: no cell a spreadsheet would run, numbers still numbers
        cells = deadliest.to_numpy().ravel()
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
        assert sorted(int(v) for v in deadliest["dead_and_missing"]) == [111, 121, 131]

        op.page.wait_for_timeout(500)
        assert op.dialogs == [], op.dialogs
        assert not op.real_errors(), op.console_errors
        assert not op.blocked, op.blocked[:5]
    finally:
        context.close()


@pytest.mark.browser
def test_camps_tooltips_show_site_names_as_text(xss_server, browser, xss_db):
    with duckdb.connect(str(xss_db), read_only=True) as c:
        iso = c.execute(
            "SELECT DISTINCT iso3 FROM sites WHERE country = ?", [SITES_COUNTRY]
        ).fetchone()[0]
    op, context = _open(xss_server, browser, f"camps?country={iso}")
    try:
        frame = op.map_frame()
        items = frame.evaluate(POPUPS)
        tips = "\n".join(i.get("tip_text", "") for i in items)
        for name in SITE_NAMES:
            assert name in tips, name
        assert all(i.get("tip_live", 0) == 0 for i in items)
        assert frame.evaluate(JS_LINKS) == [] and op.page.evaluate(JS_LINKS) == []
        op.page.wait_for_timeout(500)
        assert op.dialogs == [], op.dialogs
        assert not op.real_errors(), op.console_errors
    finally:
        context.close()


# --------------------------------------------------------------------------- Markdown payloads

# The page's text, the links and images that point outside, and the payloads' styling
# (a colour, bold "SECURITY ALERT"): what a hostile value would have made live.
MARKDOWN_LIVE = """() => {
    const main = document.querySelector('[data-testid=stMain]');
    const md = Array.from(main.querySelectorAll('[data-testid=stMarkdownContainer]'));
    return {
        text: main.textContent,
        outside: Array.from(document.querySelectorAll('a[href], img[src]'))
            .map(a => a.getAttribute('href') || a.getAttribute('src'))
            .filter(h => /evil/.test(h) && !h.startsWith('#')),
        styled: md.flatMap(m => Array.from(m.querySelectorAll(
                '.stMarkdownColoredText, .stMarkdownColoredBackground, strong, img, '
                + 'a[href]:not([href^="#"])')))
            .filter(e => /SECURITY|evil|Click|Verify/.test(e.outerHTML))
            .map(e => e.outerHTML.slice(0, 160)),
    };
}"""


def _markdown_page(server, browser, path: str, params: dict[str, str]) -> dict:
    """Open a page with hostile URL values, its map drawn (the export panel shows), and
    return what MARKDOWN_LIVE finds, word joiners dropped from the text."""
    from urllib.parse import urlencode

    from geo.views import WORD_JOINER

    op, context = _open(server, browser, f"{path}?{urlencode(params)}")
    try:
        op.map_frame()
        op.page.get_by_text("Export this view").click()
        # the panel is written once opened (a rerun): wait for its buttons, then settle
        panel = op.page.get_by_test_id("stExpander").filter(has_text="Export this view")
        panel.get_by_test_id("stDownloadButton").first.wait_for(timeout=30_000)
        op.page.wait_for_timeout(800)
        found = op.page.evaluate(MARKDOWN_LIVE)
        found["text"] = found["text"].replace(WORD_JOINER, "")
        found["blocked"] = [u for u in op.blocked if "evil" in u]
        found["dialogs"] = op.dialogs
        return found
    finally:
        context.close()


@pytest.mark.browser
def test_routes_shows_hostile_link_values_and_route_names_as_text(xss_server, browser):
    """Issue 14: ``?from=[Click here](...)`` and unknown list values echoed in the note,
    and a route and a cause named like Markdown in the selection caption and the export
    panel, all show as written: nothing links out, nothing is fetched, nothing is red."""
    bad_from = "[Click here](https://evil.example/from)"
    bad_cause = "![x](https://evil.example/x.png)"
    bad_type = "<img src=x onerror=alert(1)>"
    found = _markdown_page(
        xss_server,
        browser,
        "routes",
        {
            "from": bad_from,
            "routes": ROUTE_LINK,
            "causes": f"{CAUSE_RED}|{bad_cause}",
            "regions": CAUSE_RED,
            "types": bad_type,
        },
    )
    text = found["text"]
    assert f"from={bad_from}" in text  # the note echoes the URL values, as text
    assert f"causes: {bad_cause} (not in the data)" in text
    assert f"regions: {CAUSE_RED} (not in the data)" in text
    assert f"types: {bad_type} (not in the data)" in text
    # the data values the filters picked, in the selection caption and the export panel
    assert text.count(f"; {ROUTE_LINK}; {CAUSE_RED}") >= 2, text[:3000]
    assert found["outside"] == [] and found["styled"] == [], found
    assert found["blocked"] == [] and found["dialogs"] == []


@pytest.mark.browser
def test_camps_shows_hostile_link_values_and_site_types_as_text(xss_server, browser):
    bad_country = "[Verify your account](https://evil.example/c)"
    bad_status = "![x](https://evil.example/x.png)"
    found = _markdown_page(
        xss_server,
        browser,
        "camps",
        {"country": bad_country, "status": bad_status, "type": TYPE_LINK},
    )
    text = found["text"]
    assert f"unknown country '{bad_country}'" in text
    assert f"unknown status '{bad_status}'" in text
    assert TYPE_LINK in text  # the chosen site type, in the export panel's caption
    assert found["outside"] == [] and found["styled"] == [], found
    assert found["blocked"] == [] and found["dialogs"] == []


# --------------------------------------------------------------------------- exports


def _routes_view(db: Path):
    from geo.views import countries_of, direct_query, routes

    con = duckdb.connect(str(db), read_only=True)
    q = direct_query(con)
    opts = routes.options(q)
    state, notes = routes.RoutesState.from_params({"from": DAY, "to": DAY}, opts)
    assert not notes
    return con, q, routes.build(q, countries_of(con), state, options=opts)


def test_html_export_keeps_payloads_inert(xss_db, browser, tmp_path):
    from geo.exports import standalone_html
    from tests.browser import OfflinePage

    con, _, view = _routes_view(xss_db)
    con.close()
    assert view.map_info.mode == "incidents" and view.map_info.circles == len(INCIDENTS)
    html = standalone_html(view.spec, f"Deadly routes {SCRIPT}")
    assert "<title>Deadly routes &lt;script&gt;alert(1)&lt;/script&gt;</title>" in html
    assert not re.search(r"<(script|img|svg)[^>]*>\s*alert|onerror=alert\(1\)>", html)
    assert JS_URL not in html and "<script>alert" not in html
    path = tmp_path / "routes.html"
    path.write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        op = OfflinePage(context)
        op.page.goto(path.as_uri())
        frame = op.map_frame(timeout=20)
        items = frame.evaluate(POPUPS)
        text = "\n".join(i.get("popup_text", "") for i in items)
        assert SCRIPT in text and IMG in text and CLOSE in text
        assert all(i.get("popup_live", 0) == 0 for i in items)
        op.page.wait_for_timeout(300)
        assert op.dialogs == [] and not op.blocked
    finally:
        context.close()


def test_csv_and_geojson_exports_keep_payloads_as_data(xss_db):
    from geo.exports import csv_with_citation, geojson_with_citation

    con, q, view = _routes_view(xss_db)
    try:
        points = q("incident_points", limit=100, **view.state.query_params())
    finally:
        con.close()
    formula = pd.DataFrame(
        {
            "location": [SCRIPT, '=HYPERLINK("javascript:alert(1)")', "+1+1", "@SUM(A1)", "-2"],
            "lat": [1.0, 2.0, 3.0, 4.0, 5.0],
            "lon": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    for frame in (points, formula):
        text = csv_with_citation(frame, "IOM", "CC BY-IGO", f"{CLOSE}\n=cmd").decode("utf-8")
        lines = text.splitlines()
        assert all(line.startswith("# ") for line in lines[:4])
        body = pd.read_csv(io.StringIO(text), comment=None, skiprows=4, dtype=str)
        cells = set(body.to_numpy().ravel()) - {None}
        # formulas are defused; HTML stays literal text (a CSV is never rendered as HTML)
        assert not any(isinstance(c, str) and c[:1] in "=+@" for c in cells)
        doc = json.loads(geojson_with_citation(frame, "IOM", "CC BY-IGO", CLOSE))
        assert doc["metadata"]["filters"] == CLOSE
        texts = {str(v) for f in doc["features"] for v in f["properties"].values()}
        assert SCRIPT in texts
    assert "'=HYPERLINK" in csv_with_citation(formula, "c", "l", "f").decode()
    located = set(points["location"])
    assert {SCRIPT, QUOTES, IMG} <= located


def test_csv_and_xlsx_exports_defuse_formulas_and_keep_numbers(xss_db):
    """Issue 14 item 2: the export panel's CSV and Excel files of incidents whose country
    and source are spreadsheet formulas. The CSV prefixes them with ``'`` (OWASP); the
    Excel file stores them as text cells with Excel's own quote prefix (what typing a
    leading ``'`` does in Excel: shown as written, never run); numbers stay numbers."""
    from geo.exports import FORMULA_START, csv_data, xlsx_data
    from geo.registry import export_of

    con, q, view = _routes_view(xss_db)
    try:
        exp = export_of("routes", view, q)
        data = exp.load_data()
        raw_csv, raw_xlsx = csv_data(data), xlsx_data(data, exp.about(len(data)))
    finally:
        con.close()
    formulas = {FORMULA_EQ, FORMULA_MINUS, FORMULA_AT}
    assert formulas <= {v for v in data.to_numpy().ravel() if isinstance(v, str)}
    numeric = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])]
    assert {"dead_and_missing", "lat", "lon"} <= set(numeric)

    rows = list(csv.reader(io.StringIO(raw_csv.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header == [str(c) for c in data.columns] and len(body) == len(data)
    texts = [i for i, c in enumerate(header) if c not in numeric]
    cells = [r[i] for r in body for i in texts]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    assert {"'" + f for f in formulas} <= set(cells)
    assert any(r[header.index("lon")].startswith("-") for r in body)  # a negative number ...
    for col in numeric:  # ... and every number written as a number, never prefixed
        got = [r[header.index(col)] for r in body]
        want = data[col].tolist()
        assert [float(g) if g else None for g in got] == [
            None if pd.isna(w) else float(w) for w in want
        ], col

    sheet = openpyxl.load_workbook(io.BytesIO(raw_xlsx))["Data"]
    xrows = list(sheet.iter_rows())
    assert [c.value for c in xrows[0]] == [str(c) for c in data.columns]
    text = {}
    for row in xrows[1:]:
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                assert cell.data_type == "s" and cell.quotePrefix, (cell.value, cell.data_type)
                text[cell.value] = cell
    assert formulas <= set(text)  # kept as written, as text
    for col in numeric:
        i = list(data.columns).index(col)
        for row, want in zip(xrows[1:], data[col].tolist(), strict=True):
            if not pd.isna(want):
                assert row[i].data_type == "n" and row[i].value == pytest.approx(float(want))


# --------------------------------------------------------------------------- sensitive coordinates


def _on_grid(values, step: float) -> bool:
    vals = [float(v) for v in values if v is not None and not pd.isna(v)]
    return all(abs(v / step - round(v / step)) < 1e-6 for v in vals)


CAMP_STATES = [
    {},  # the world: bins
    {"country": "SYR"},  # NW Syria ISIMM sites, one by one
    {"country": "BGD"},  # Cox's Bazar camps (and outlines)
    {"country": "UGA", "status": "open"},
]


@pytest.mark.parametrize("precision", ["0.1", "0.01", "1"])
def test_every_camps_export_is_on_the_precision_grid(con, precision):
    """The Camps page's tables, map layers and every export built from them carry
    coordinates rounded to the chosen precision (default 0.1°), never finer."""
    from geo.exports import csv_with_citation, geojson_with_citation, standalone_html
    from geo.maps import CircleLayer
    from geo.registry import render_page
    from geo.views import camps, countries_of, direct_query

    assert precision in camps.PRECISIONS
    step = float(precision)
    q, countries = direct_query(con), countries_of(con)
    for params in CAMP_STATES:
        page = render_page("camps", q, countries, {**params, "precision": precision})
        view = page.view
        assert not page.notes and view.state.step == step
        where = (precision, params)
        points = 0
        for frame in (view.sites, view.largest, *view.layers.values()):
            if "lat" in frame:
                assert _on_grid(frame["lat"], step) and _on_grid(frame["lon"], step), where
                points += len(frame)
        assert points > 0, where
        layers = [c for c in view.map._children.values() if isinstance(c, CircleLayer)]
        assert layers, where
        for layer in layers:
            assert _on_grid([c.lat for c in layer.circles], step), where
            assert _on_grid([c.lon for c in layer.circles], step), where
        # what leaves the app: the data behind CSV and GeoJSON, and the HTML map
        data = page.load_data()
        doc = json.loads(geojson_with_citation(data, page.citation, page.licence, page.subtitle))
        xs = [f["geometry"]["coordinates"][0] for f in doc["features"]]
        ys = [f["geometry"]["coordinates"][1] for f in doc["features"]]
        assert xs and _on_grid(xs, step) and _on_grid(ys, step), where
        text = csv_with_citation(data, page.citation, page.licence, page.subtitle).decode()
        table = pd.read_csv(io.StringIO(text), skiprows=4)
        assert _on_grid(table["lat"], step) and _on_grid(table["lon"], step), where
        html = standalone_html(view.spec, page.title)
        found = re.findall(r"var rows = (\[.*?\]);\n", html)
        assert len(found) == len(layers), where
        for rows in found:
            pts = json.loads(rows.replace("<\\/", "</"))
            assert _on_grid([r[0] for r in pts], step), where
            assert _on_grid([r[1] for r in pts], step), where
        assert re.search(rf"rounded to {re.escape(precision)}(°|\\u00b0)", html), where
