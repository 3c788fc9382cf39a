"""Exports: the HTML map opens offline (no external file), data files carry citations."""

from __future__ import annotations

import json
import re

import pandas as pd

from geo.exports import csv_with_citation, export_name, geojson_with_citation, standalone_html
from geo.views import countries_of, direct_query, overview


def test_standalone_html_has_no_external_reference(con, tmp_path):
    v = overview.build(direct_query(con), countries_of(con))
    html = standalone_html(v.map, "Overview <test>")
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    assert "<title>Overview &lt;test&gt;</title>" in html
    assert "L.circleMarker" in html and "Leaflet" in html


def test_csv_and_geojson_carry_citation():
    df = pd.DataFrame(
        {"name": ['=HYPERLINK("http://x")', "Kakuma"], "lat": [1.0, None], "lon": [2.0, None]}
    )
    text = csv_with_citation(df, "IOM MMP", "CC BY-IGO", "route=all").decode()
    assert text.startswith("# Source: IOM MMP\n# Licence: CC BY-IGO\n# Filters: route=all\n")
    assert "'=HYPERLINK" in text
    doc = json.loads(geojson_with_citation(df, "IOM MMP", "CC BY-IGO", "route=all"))
    assert doc["metadata"]["licence"] == "CC BY-IGO"
    assert len(doc["features"]) == 1 and doc["features"][0]["geometry"]["coordinates"] == [2.0, 1.0]
    assert re.fullmatch(
        r"arrival-atlas_deadly-routes_\d{4}-\d{2}-\d{2}\.csv", export_name("Deadly routes", "csv")
    )


def test_standalone_html_draws_offline_in_chromium(con, browser, tmp_path):
    import pytest

    from tests.browser import OfflinePage

    pytest.importorskip("playwright")
    v = overview.build(direct_query(con), countries_of(con))
    path = tmp_path / "overview.html"
    path.write_text(standalone_html(v.map, "Overview"), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        op = OfflinePage(context)
        op.page.goto(path.as_uri())
        frame = op.map_frame(timeout=20)
        assert frame.locator(".atlas-legend").is_visible()
        assert not op.blocked, op.blocked
        assert not op.console_errors, op.console_errors
    finally:
        context.close()
