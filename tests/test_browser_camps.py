"""Camps and sites page in headless Chromium with no internet (see tests/browser.py)."""

from __future__ import annotations

import pytest

from tests.browser import check_page, page_text

pytestmark = pytest.mark.browser


def test_camps_world_view_offline(server, browser, con):
    op, frame, context = check_page(
        server,
        browser,
        "camps",
        "Camps and sites",
        ["Coordinate precision", "sensitive", "NW Syria over time", "Export this view"],
    )
    try:
        # the open tab's table arrives after the map (the run its report starts), no click
        tables = op.page.locator("[data-testid='stDataFrame']")
        tables.first.wait_for(timeout=20000)
        assert tables.count() == 1
        sites = con.execute("SELECT count(*) FROM sites").fetchone()[0]
        assert f"{sites:,}" in page_text(op.page)
        names = frame.inner_text(".leaflet-control-layers")
        assert "UNHCR register" in names and "approximate positions" in names
        assert "Zhou" in frame.inner_text(".leaflet-control-attribution")
    finally:
        context.close()


def test_camps_country_link_shows_outlines(server, browser, con):
    op, frame, context = check_page(
        server,
        browser,
        "camps",
        "Camps and sites",
        ["Largest sites by 2025 population", "0.01° (about 1 km)"],
        query="?country=BGD&precision=0.01&section=Largest+in+2025",
    )
    try:
        sites, people = con.execute(
            "SELECT count(*), sum(population_2025) FROM sites WHERE iso3 = 'BGD'"
        ).fetchone()
        text = page_text(op.page)
        assert f"{people:,}" in text
        metric = op.page.locator("[data-testid='stMetric']").first.inner_text()
        assert metric.split("\n")[-1].strip() == f"{sites:,}"
        assert "Cox's Bazar camp outlines" in frame.inner_text(".leaflet-control-layers")
        # the outline polygons are drawn (SVG paths or canvas) and hovering shows a tip
        n = frame.evaluate(
            "() => { const seen = new Set(); for (const k of Object.keys(window)) { let v; try { v = window[k]; }"
            " catch (e) { continue; } if (v instanceof L.Map) { v.eachLayer(l => {"
            " if (l instanceof L.Polygon && l.getTooltip() &&"
            " String(l.getTooltip().getContent()).includes('RRRC/ISCG outline')) {"
            " seen.add(L.stamp(l)); } }); } } return seen.size; }"
        )
        assert n == con.execute("SELECT count(*) FROM camp_outlines").fetchone()[0]
    finally:
        context.close()
