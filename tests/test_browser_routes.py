"""Deadly routes in headless Chromium with no internet (see tests/browser.py): the world
view, and a copied link that reopens a filtered view with the same figures as SQL."""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest

from tests.browser import check_page

pytestmark = pytest.mark.browser


# Open the popup of the first incident circle of the map and return its text.
OPEN_POPUP = """() => {
    for (const k of Object.keys(window)) {
        let v; try { v = window[k]; } catch (e) { continue; }
        if (!(v instanceof L.Map)) { continue; }
        let marker = null;
        v.eachLayer(l => { if (!marker && l instanceof L.CircleMarker && l.getPopup()) { marker = l; } });
        if (marker) {
            marker.openPopup();
            return document.querySelector('.leaflet-popup-content').innerText;
        }
    }
    return '';
}"""


def metrics(page) -> dict[str, str]:
    out = {}
    for el in page.locator("[data-testid='stMetric']").all():
        label = el.locator("[data-testid='stMetricLabel']").inner_text().strip()
        out[label] = el.locator("[data-testid='stMetricValue']").inner_text().strip()
    return out


def test_routes_world_view_offline(server, browser, con):
    op, frame, context = check_page(
        server,
        browser,
        "routes",
        "Deadly routes",
        ["Dead and missing", "minimum estimates", "Deadliest incidents", "schematic"],
    )
    try:
        total, n = con.execute("SELECT sum(dead_and_missing), count(*) FROM incidents").fetchone()
        shown = metrics(op.page)
        assert shown["Dead and missing"] == f"{total:,}"
        assert shown["Incidents"] == f"{n:,}"
        layers = frame.inner_text(".leaflet-control-layers")
        assert "Route corridors (schematic)" in layers and "2° grid" in layers
        legend = frame.inner_text(".atlas-legend")
        assert "schematic" in legend and "minimum estimates" in legend
        credit = frame.inner_text(".leaflet-control-attribution")
        assert "IOM Missing Migrants Project (CC BY-IGO)" in credit and "Natural Earth" in credit
        # the page writes its state into the URL
        assert "from=2014-01-02" in op.page.url
        assert not op.blocked, op.blocked[:5]
    finally:
        context.close()


def test_routes_link_reopens_filtered_view(server, browser, con):
    query = "?routes=Central%20Mediterranean&from=2016-01-01&to=2016-12-31"
    op, frame, context = check_page(
        server, browser, "routes", "Deadly routes", ["Central Mediterranean"], query=query
    )
    try:
        sidebar = op.page.inner_text("[data-testid='stSidebar']")
        assert "Central Mediterranean" in sidebar
        dates = op.page.locator("[data-testid='stSidebar'] [data-testid='stDateInput'] input")
        assert [d.input_value() for d in dates.all()] == ["2016-01-01", "2016-12-31"]
        n, dm, dead, missing = con.execute(
            "SELECT count(*), sum(dead_and_missing), sum(dead), sum(missing) FROM incidents "
            "WHERE incident_date BETWEEN DATE '2016-01-01' AND DATE '2016-12-31' "
            "AND list_contains(routes, 'Central Mediterranean')"
        ).fetchone()
        shown = metrics(op.page)
        assert shown["Incidents"] == f"{n:,}"
        assert shown["Dead and missing"] == f"{dm:,}"
        assert shown["Dead"] == f"{dead:,}" and shown["Missing"] == f"{missing:,}"
        # few enough incidents to draw one by one; popups open on click
        assert n <= 500
        assert "Incidents (IOM MMP)" in frame.inner_text(".leaflet-control-layers")
        popup = frame.evaluate(OPEN_POPUP)
        assert "dead and missing" in popup and "Cause:" in popup and "Source:" in popup, popup
        url = unquote_plus(op.page.url)
        assert "routes=Central Mediterranean" in url and "to=2016-12-31" in url
        # The map as a table is written once its fold is opened: a table of the drawn
        # incidents (each one with a position), and its CSV.
        assert op.page.locator(".atlas-twin").count() == 0
        located = con.execute(
            "SELECT count(*) FROM incidents WHERE incident_date BETWEEN DATE '2016-01-01' "
            "AND DATE '2016-12-31' AND list_contains(routes, 'Central Mediterranean') "
            "AND lat IS NOT NULL AND lon IS NOT NULL"
        ).fetchone()[0]
        op.page.get_by_text("Map as a table", exact=True).click()
        twin = op.page.locator(".atlas-twin")
        twin.wait_for(timeout=30_000)
        captions = twin.locator("caption").all_inner_texts()
        wanted = (f"({located:,} rows)", f"of {located:,} rows;")
        assert any(c.startswith("Incidents") and any(w in c for w in wanted) for c in captions)
        op.page.get_by_text("Map table (CSV)").wait_for(timeout=30_000)  # (visible)
    finally:
        context.close()
