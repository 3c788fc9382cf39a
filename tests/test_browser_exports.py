"""Export buttons in the browser: each gives its file, named after the filters, with
citation, licence and date where the format holds them; the CSV opens as is."""

from __future__ import annotations

import io
import json
import re
import struct
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geo.views import direct_query, routes
from tests.browser import OfflinePage, wait_for_app

pytestmark = pytest.mark.browser


def _download(page, label: str, tries: int = 3):
    """Click an export button and return its download.

    A click that lands while the page is rerunning (the map reporting its view on a
    busy machine) can be swallowed by the re-rendered button; a user clicks again, and
    so does this, at most ``tries`` times.
    """
    for attempt in range(1, tries + 1):
        wait_for_app(page)
        try:
            with page.expect_download(timeout=30000) as info:
                page.get_by_test_id("stExpanderDetails").get_by_role(
                    "button", name=label, exact=True
                ).click()
            return info.value
        except PlaywrightTimeout:
            if attempt == tries:
                raise
    raise AssertionError("unreachable")


def test_routes_exports_download(server, browser, con, tmp_path):
    link = "/routes?from=2016-01-01&to=2016-12-31&routes=Central%20Mediterranean"
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    try:
        op = OfflinePage(context)
        page = op.page
        page.goto(server.url + link, wait_until="domcontentloaded")
        wait_for_app(page)
        op.map_frame()
        # The map reports its fitted view once drawn, and the page reruns to put it in
        # the URL: click only when that rerun is over.
        try:
            page.wait_for_url(re.compile(r"[?&]lat="), timeout=10000)
        except PlaywrightTimeout:
            pass  # no view report: nothing to wait for
        wait_for_app(page)
        page.get_by_text("Export this view").click()
        files = {}
        for label in ("CSV", "Excel", "GeoJSON", "HTML map", "PNG for slides"):
            d = _download(page, label)
            path = tmp_path / d.suggested_filename
            d.save_as(path)
            files[label] = path
        day = r"\d{4}-\d{2}-\d{2}"
        stem = "arrival-atlas_deadly-routes_central-mediterranean_2016"
        for label, ext in (("CSV", "csv"), ("Excel", "xlsx"), ("GeoJSON", "geojson")):
            assert re.fullmatch(rf"{stem}_{day}\.{ext}", files[label].name), files[label].name
        assert re.fullmatch(rf"{stem}_{day}\.html", files["HTML map"].name)
        slides = "arrival-atlas_deadly-routes-slides_central-mediterranean_2016"
        assert re.fullmatch(rf"{slides}_{day}\.png", files["PNG for slides"].name)
        q = direct_query(con)
        state, _ = routes.RoutesState.from_params(
            {"from": "2016-01-01", "to": "2016-12-31", "routes": "Central Mediterranean"},
            routes.options(q),
        )
        want = q("incident_points", limit=10_000_000, **state.query_params())
        n = len(want)
        # CSV: byte-order mark, header on row 1, plain pandas.read_csv gives the view's rows
        raw = files["CSV"].read_bytes()
        assert raw.startswith(b"\xef\xbb\xbfincident_id,") and b"\n#" not in raw
        table = pd.read_csv(io.BytesIO(raw))
        assert len(table) == n and table["incident_id"].tolist() == want["incident_id"].tolist()
        assert table["dead_and_missing"].sum() == want["dead_and_missing"].sum()
        # Excel: the same rows on "Data", citation, licence, filters and date on "About"
        book = openpyxl.load_workbook(files["Excel"], read_only=True)
        assert book.sheetnames == ["Data", "About"]
        rows = list(book["Data"].iter_rows(values_only=True))
        assert list(rows[0]) == list(want.columns) and len(rows) == n + 1
        about = dict(book["About"].iter_rows(values_only=True))
        assert about["Source (cite as)"].startswith("IOM Missing Migrants Project")
        assert about["Licence"] == "CC BY-IGO" and "Central Mediterranean" in about["Filters"]
        assert re.fullmatch(rf"from Arrival Atlas on {day}", about["Exported"])
        # the link that reopens the view, as the address bar has it
        link, here = urlsplit(about["View settings"]), urlsplit(page.url)
        got, shown = parse_qs(link.query), parse_qs(here.query)
        assert link.path == here.path == "/routes", (link, here)
        assert {k: got.get(k) for k in ("from", "to", "routes")} == {
            k: shown.get(k) for k in ("from", "to", "routes")
        }
        book.close()
        doc = json.loads(files["GeoJSON"].read_text(encoding="utf-8"))
        assert doc["metadata"]["licence"] == "CC BY-IGO" and len(doc["features"]) == n
        html = files["HTML map"].read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=", html) and "L.circleMarker" in html
        assert html.count("L.map(") == 1 and "<h1>Deadly migration routes</h1>" in html
        png = files["PNG for slides"].read_bytes()
        assert struct.unpack(">II", png[16:24]) == (1920, 1080)
        # The grids' own "Download as CSV" would bypass all this: hidden on this page.
        page.get_by_role("tab", name="Deadliest incidents").click()
        wait_for_app(page)
        grid = page.get_by_test_id("stDataFrame").first
        grid.hover()
        toolbar = page.get_by_test_id("stElementToolbarButton")
        toolbar.first.wait_for(state="visible", timeout=10000)  # the toolbar is shown ...
        grid_csv = page.get_by_role(
            "button", name=re.compile("^Download as CSV"), include_hidden=True
        )
        assert grid_csv.count() >= 1 and not grid_csv.first.is_visible()  # ... without it
        assert not op.real_errors()
    finally:
        context.close()
