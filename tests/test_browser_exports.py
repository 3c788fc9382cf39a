"""Export buttons in the browser: each gives its file, with citation, licence and date."""

from __future__ import annotations

import json
import re
import struct

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser import OfflinePage, wait_for_app

pytestmark = pytest.mark.browser


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
        for label in ("CSV", "GeoJSON", "HTML map", "PNG for slides"):
            wait_for_app(page)
            with page.expect_download(timeout=60000) as info:
                page.get_by_test_id("stExpanderDetails").get_by_role(
                    "button", name=label, exact=True
                ).click()
            d = info.value
            path = tmp_path / d.suggested_filename
            d.save_as(path)
            files[label] = path
        day = r"\d{4}-\d{2}-\d{2}"
        assert re.fullmatch(rf"arrival-atlas_deadly-migration-routes_{day}\.csv", files["CSV"].name)
        text = files["CSV"].read_text(encoding="utf-8")
        assert text.startswith("# Source: IOM Missing Migrants Project")
        assert "# Licence: CC BY-IGO" in text and "Central Mediterranean" in text
        n = con.execute(
            """SELECT count(*) FROM incidents WHERE list_contains(routes, 'Central Mediterranean')
               AND incident_date BETWEEN DATE '2016-01-01' AND DATE '2016-12-31' AND lat IS NOT NULL"""
        ).fetchone()[0]
        rows = [line for line in text.splitlines() if not line.startswith("#")]
        assert len(rows) - 1 == n  # header + one line per incident (no newline inside fields here)
        doc = json.loads(files["GeoJSON"].read_text(encoding="utf-8"))
        assert doc["metadata"]["licence"] == "CC BY-IGO" and len(doc["features"]) == n
        html = files["HTML map"].read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=", html) and "L.circleMarker" in html
        png = files["PNG for slides"].read_bytes()
        assert struct.unpack(">II", png[16:24]) == (1920, 1080)
        assert not op.real_errors()
    finally:
        context.close()
