"""Exports: the HTML map opens offline (no external file) with one map, its title and
the sea colour; data files open in spreadsheets and pandas as they are (plain CSV, .xlsx
with an About sheet) and carry citations where a format can hold them."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import folium
import openpyxl
import pandas as pd
import pytest

from geo.exports import (
    FORMULA_START,
    about_rows,
    csv_data,
    export_name,
    geojson_with_citation,
    standalone_html,
    xlsx_data,
)
from geo.maps import OCEAN, layer_names
from geo.mapspec import MapSpec
from geo.registry import export_of
from geo.views import camps, cifal, cities, countries_of, direct_query, overview, routes


def test_standalone_html_has_no_external_reference(con, tmp_path):
    v = overview.build(direct_query(con), countries_of(con))
    html = standalone_html(v.spec, "Overview <test>")
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    assert "<title>Overview &lt;test&gt;</title>" in html
    assert "L.circleMarker" in html and "Leaflet" in html


EVIL = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tcmd", "\rcmd", "Türkiye", None]


def test_csv_is_plain_and_defused():
    df = pd.DataFrame(
        {
            "name": EVIL,
            "n": [-1, 2, 3, 4, 5, 6, 7, 8],
            "routes": [["a", "b"]] + [[]] * 7,
        }
    )
    raw = csv_data(df)
    assert raw.startswith(b"\xef\xbb\xbfname,n,routes\r\n")  # BOM: Excel reads "Türkiye"
    assert b"#" not in raw and "Türkiye".encode() in raw
    back = pd.read_csv(io.BytesIO(raw), dtype={"name": str}, keep_default_na=False)
    assert list(back.columns) == ["name", "n", "routes"] and len(back) == len(df)
    assert back["n"].tolist() == df["n"].tolist()  # numbers stay numbers (-1 too)
    assert back["routes"][0] == "a; b"
    for cell in back["name"]:
        assert not cell.startswith(FORMULA_START), repr(cell)
    assert back["name"][0] == "'" + EVIL[0] and back["name"][6] == "Türkiye"


def test_grid_values_are_defused_and_numbers_kept():
    """What a data grid shows (and its own download and copied cells carry)."""
    from geo.exports import defuse_formulas

    df = pd.DataFrame(
        {
            "name": pd.array(EVIL, dtype="str"),
            "source": pd.Series(EVIL, dtype=object),
            "n": [-1, 2, 3, 4, 5, 6, 7, 8],
            "x": [-1.5] * 8,
            "routes": [["=a", "b"]] + [[]] * 7,
        }
    )
    out = defuse_formulas(df)
    for col in ("name", "source"):
        assert out[col].tolist()[:6] == ["'" + v for v in EVIL[:6]]
        assert out[col][6] == "Türkiye" and pd.isna(out[col][7])
    assert out["n"].tolist() == df["n"].tolist() and out["n"].dtype == df["n"].dtype
    assert out["x"].tolist() == [-1.5] * 8 and out["routes"][0] == ["=a", "b"]
    assert df["name"][0] == EVIL[0]  # the caller's table is left as it is
    plain = pd.DataFrame({"name": ["Kakuma", "Türkiye"], "n": [-1, 2]})
    assert defuse_formulas(plain) is plain


def test_geojson_carries_citation():
    df = pd.DataFrame(
        {"name": ['=HYPERLINK("http://x")', "Kakuma"], "lat": [1.0, None], "lon": [2.0, None]}
    )
    doc = json.loads(geojson_with_citation(df, "IOM MMP", "CC BY-IGO", "route=all", caveat="min"))
    assert doc["metadata"]["licence"] == "CC BY-IGO" and doc["metadata"]["caveat"] == "min"
    assert len(doc["features"]) == 1 and doc["features"][0]["geometry"]["coordinates"] == [2.0, 1.0]


def test_xlsx_has_data_and_about_sheets_with_text_never_formulas():
    when = dt.datetime(2020, 5, 17, 0, 0)
    df = pd.DataFrame(
        {
            "name": EVIL,
            "n": pd.array([1, None, 3, 4, 5, 6, 7, 8], dtype="Int32"),
            "when": [when] * 8,
            "routes": [["a", "b"]] + [[]] * 7,
        }
    )
    about = about_rows("Title", "=cmd()", "IOM <MMP>", "CC BY-IGO", "a caveat", rows=len(df))
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_data(df, about)))
    assert wb.sheetnames == ["Data", "About"]
    data = wb["Data"]
    rows = list(data.iter_rows(values_only=True))
    assert rows[0] == ("name", "n", "when", "routes") and len(rows) == 1 + len(df)
    # text kept as written (XML reads a carriage return as a line feed) ...
    assert [r[0] for r in rows[1:]] == [v and v.replace("\r", "\n") for v in EVIL]
    for cell, value in zip(data["A"][1:], EVIL, strict=True):
        if value is not None:
            assert cell.data_type == "s", (value, cell.data_type)  # ... and never a formula
            assert cell.quotePrefix == value.startswith(FORMULA_START), value
    assert rows[1][1] == 1 and rows[2][1] is None and rows[1][2] == when
    assert rows[1][3] == "a; b" and rows[2][3] in ("", None)
    info = dict(wb["About"].iter_rows(values_only=True))
    assert info["Source (cite as)"] == "IOM <MMP>" and info["Licence"] == "CC BY-IGO"
    assert info["Filters"] == "=cmd()" and wb["About"]["B2"].data_type == "s"
    assert info["Caveat"] == "a caveat" and info["Rows"].startswith("8 ")
    assert re.fullmatch(r"from Arrival Atlas on \d{4}-\d{2}-\d{2}", info["Exported"])


def test_export_names_carry_filters_and_stay_short():
    day = dt.date(2026, 11, 26)
    got = export_name("Deadly routes", "xlsx", day, ["Central Mediterranean", "2019-2021"])
    assert got == "arrival-atlas_deadly-routes_central-mediterranean_2019-2021_2026-11-26.xlsx"
    assert export_name("Deadly routes", "csv", day) == "arrival-atlas_deadly-routes_2026-11-26.csv"
    long = export_name("Camps / sites", "csv", day, ["<script>" * 30, "../../etc", "x" * 200])
    assert len(long) <= 120 and re.fullmatch(r"[a-z0-9_.-]+", long), long
    assert long.startswith("arrival-atlas_camps-sites_") and long.endswith("_2026-11-26.csv")
    # French and Spanish titles and values keep their letters, without the accents
    spanish = export_name("Las rutas más mortíferas", "pdf", day, ["Çà et là — Ñandú"])
    assert spanish == "arrival-atlas_las-rutas-mas-mortiferas_ca-et-la-nandu_2026-11-26.pdf"
    assert export_name("routes meurtrières", "png", day) == (
        "arrival-atlas_routes-meurtrieres_2026-11-26.png"
    )


def _routes_view(con, params):
    q = direct_query(con)
    opts = routes.options(q)
    state, notes = routes.RoutesState.from_params(params, opts)
    assert not notes, notes
    return q, routes.build(q, countries_of(con), state, options=opts)


def test_routes_files_hold_the_view_rows_and_name_the_filters(con):
    params = {"from": "2019-01-01", "to": "2021-12-31", "routes": "Central Mediterranean"}
    q, view = _routes_view(con, params)
    exp = export_of("routes", view, q)
    name = export_name(exp.file_stem, "xlsx", dt.date(2026, 11, 26), exp.file_tags)
    assert name == "arrival-atlas_deadly-routes_central-mediterranean_2019-2021_2026-11-26.xlsx"
    expected = q("incident_points", limit=10_000_000, **view.state.query_params())
    assert len(expected) > 100
    data = exp.load_data()
    # CSV: plain pandas.read_csv gives the view's rows
    back = pd.read_csv(io.BytesIO(csv_data(data)))
    assert list(back.columns) == list(expected.columns) and len(back) == len(expected)
    assert back["incident_id"].tolist() == expected["incident_id"].tolist()
    assert back["dead_and_missing"].sum() == expected["dead_and_missing"].sum()
    assert back["routes"].str.contains("Central Mediterranean").all()
    # XLSX: the same rows, and an About sheet saying what they are
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_data(data, exp.about(len(data)))), read_only=True)
    rows = list(wb["Data"].iter_rows(values_only=True))
    assert list(rows[0]) == list(expected.columns) and len(rows) == 1 + len(expected)
    ids = [r[0] for r in rows[1:]]
    assert ids == expected["incident_id"].tolist()
    dm = list(expected.columns).index("dead_and_missing")
    assert sum(r[dm] for r in rows[1:]) == expected["dead_and_missing"].sum()
    info = dict(wb["About"].iter_rows(values_only=True))
    assert info["Source (cite as)"].startswith("IOM Missing Migrants Project")
    assert info["Licence"] == "CC BY-IGO" and "Central Mediterranean" in info["Filters"]
    assert info["Caveat"] == " ".join(exp.caveat.split())
    assert info["View settings"].startswith("/routes?from=2019-01-01&to=2021-12-31")
    wb.close()


def _control_names(html: str) -> list[str]:
    """The layer names the HTML's layer control lists (base layers, then overlays)."""
    block = re.search(r"_layers = \{(.*?)\};", html, re.S).group(1)
    return [json.loads(f'"{n}"') for n in re.findall(r'"((?:[^"\\]|\\.)*)"\s*:\s*\w+,', block)]


def _as_shown_by_st_folium(m):
    """What ``st_folium`` does to the view's map before an export renders it."""
    import streamlit_folium as sf

    m.get_root().render()
    m.render()
    sf._get_html(m)
    sf._get_header(m)
    sf._get_map_string(m)


def _page_map(con, key):
    q, countries = direct_query(con), countries_of(con)
    if key == "routes":
        view = _routes_view(con, {"routes": "Central Mediterranean"})[1]
    elif key == "camps":
        view = camps.build(q, countries)
    elif key == "cities":
        # growth mode: its choropleth draws on the basemap layer by that layer's name
        view = cities.build(
            q, countries, cities.CitiesState.from_params({"mode": "growth"}, cities.options(q))[0]
        )
    else:
        view = cifal.build(q, countries)
    return q, view


@pytest.mark.parametrize("key", ["routes", "cifal", "camps", "cities"])
def test_html_export_after_st_folium_has_one_map_title_and_sea(con, key):
    q, view = _page_map(con, key)
    exp = export_of(key, view, q)
    names = layer_names(view.map)
    _as_shown_by_st_folium(view.map)
    html = standalone_html(
        view.spec,
        exp.title,
        exp.subtitle,
        citation=exp.citation,
        licence=exp.licence,
        caveat=exp.caveat,
    )
    assert html.count("L.map(") == 1 and html.count('class="folium-map"') == 1
    assert html.count("L.control.layers(") == 1
    head = re.search(r'<header class="atlas-export-head">(.*?)</header>', html, re.S).group(1)
    from geo.maps import escape

    assert f"<h1>{escape(exp.title)}</h1>" in head and escape(exp.subtitle) in head
    assert escape(exp.citation) in head and escape(exp.licence) in head
    assert f".leaflet-container{{background:{OCEAN}}}" in html
    # the sea colour is set after Leaflet's own stylesheet (which would paint it grey)
    assert html.rindex(f"background:{OCEAN}") > html.index("/* required styles */")
    assert _control_names(html) == names  # the same layers as the screen
    # every layer added to the map is one the script defines (a stale name would stop it)
    defined = set(re.findall(r"(?:var|let|const) (\w+) =", html))
    added = re.findall(r"^\s*(\w+)\.addTo\((\w+)\);\s*$", html, re.M)
    assert len(added) >= len(names) - 1
    for layer, parent in added:
        assert {layer, parent} <= defined, (layer, parent)
    # no element's script names another by a name taken before st_folium renamed it
    named = set(re.findall(r"\b([a-z_]+_(?:[0-9a-f]{32}|div(?:_\d+)?))\b", html))
    assert named and named <= defined, named - defined
    assert not re.search(r"<script[^>]+src=", html) and not re.search(r"<link[^>]+href=", html)
    # exporting leaves the view's map as it was: a second export is the same
    again = standalone_html(view.spec, exp.title, exp.subtitle)
    assert again.count("L.map(") == 1


def test_html_export_escapes_title_bar():
    m = MapSpec({"type": "FeatureCollection", "features": []}, [], [])
    html = standalone_html(
        m, "<script>alert(1)</script>", "a & b", citation="<img src=x>", caveat='"q"'
    )
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x>" not in html and "a &amp; b" in html and "&quot;q&quot;" in html


def test_standalone_html_draws_offline_in_chromium(con, browser, tmp_path):
    from tests.browser import OfflinePage

    pytest.importorskip("playwright")
    q, view = _page_map(con, "routes")
    exp = export_of("routes", view, q)
    overlays = [
        c
        for c in view.map._children.values()
        if isinstance(c, folium.map.Layer) and c.control and getattr(c, "overlay", True)
    ]
    overlays[-1].show = False  # as the layer picker does: off on screen, off in the file
    shown = {c.layer_name: c.show for c in overlays}
    _as_shown_by_st_folium(view.map)
    path = tmp_path / "routes.html"
    path.write_text(
        standalone_html(view.spec, exp.title, exp.subtitle, citation=exp.citation),
        encoding="utf-8",
    )
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        op = OfflinePage(context)
        op.page.goto(path.as_uri())
        frame = op.map_frame(timeout=20)
        page = op.page
        assert page.locator(".leaflet-container").count() == 1
        assert any(legend.is_visible() for legend in frame.locator(".atlas-legend").all())
        assert page.locator("h1").inner_text() == exp.title
        assert page.get_by_text(exp.subtitle, exact=True).is_visible()
        sea = page.evaluate(
            "getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor"
        )
        r, g, b = (int(OCEAN[i : i + 2], 16) for i in (1, 3, 5))
        assert sea == f"rgb({r}, {g}, {b})"
        box = page.locator(".leaflet-container").bounding_box()
        assert box["height"] > 500 and box["y"] > 40  # below the title bar, filling the page
        got = {}
        for label in page.locator(".leaflet-control-layers-overlays label").all():
            got[label.inner_text().strip()] = label.locator("input").is_checked()
        assert got == shown
        assert page.locator("path.leaflet-interactive, canvas").count() > 0
        assert not op.blocked, op.blocked
        assert not op.console_errors, op.console_errors
    finally:
        context.close()


def test_an_exports_view_link_opens_its_page_in_the_app():
    """The About sheet's "View settings" link names the page's path, and the first page
    (the app's default, which Streamlit serves at ``/`` only: ``/overview`` is "Page not
    found") its root."""
    from geo.pages import PAGE_KEYS
    from geo.views.page import PageExport

    def link(key: str, params: dict) -> str:
        return PageExport(key, "t", "s", None, lambda: pd.DataFrame(), "d", "c", "l", params).link

    first, *others = PAGE_KEYS
    assert link(first, {"layers": "a|b"}) == "/?layers=a%7Cb"
    assert link(first, {}) == "/"
    for key in others:
        assert link(key, {"z": "5"}) == f"/{key}?z=5"
