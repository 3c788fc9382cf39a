"""Deadly routes in headless Chromium with no internet (see tests/browser.py): the world
view, and a copied link that reopens a filtered view with the same figures as SQL."""

from __future__ import annotations

from datetime import date
from urllib.parse import unquote_plus

import pytest

from tests.browser import check_page
from tests.conftest import IN_DATES, in_dates_args

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


# The frame's map, its basemap layer (the non-interactive GeoJSON base layer) and a mark
# set on that layer, the number of country shapes it draws, and the first incident
# circle's tooltip as it opens.
FRAME_MAP = """(mark) => {
    const m = window.map;
    let base = null, circle = null;
    m.eachLayer(l => {
        if (!base && l instanceof L.GeoJSON && l.options.interactive === false) { base = l; }
        if (!circle && l instanceof L.CircleMarker && l.getTooltip()) { circle = l; }
    });
    if (mark && base) { base.__testMark = mark; }
    let tip = null;
    if (circle) { circle.openTooltip(); tip = circle.getTooltip().getElement().innerText; circle.closeTooltip(); }
    return {
        token: window.__atlasToken,
        mark: base ? (base.__testMark || null) : null,
        onThisMap: !!base && base._map === m,
        shapes: base ? base.getLayers().length : 0,
        tip: tip,
    };
}"""


def test_a_filter_change_redraws_the_map_in_its_frame_keeping_the_basemap(server, browser, con):
    """A filter change draws the new state in the open frame, on the basemap layer the
    frame has already built (the same world shapes); tooltips open with their text; the
    figures above the map match SQL."""
    from tests.journeys import Journey

    j = Journey(server, browser)
    try:
        j.open("routes")
        before = j.frame().evaluate(FRAME_MAP, "world")
        assert before["mark"] == "world" and before["onThisMap"] and before["shapes"] > 150
        assert "dead and missing" in before["tip"], before["tip"]
        # A type filter keeps the whole world in view: the same basemap.
        j.multiselect_add("Incident type", "Incident")
        after = j.frame().evaluate(FRAME_MAP, None)
        assert after["token"] != before["token"]  # another state's map ...
        assert after["mark"] == "world" and after["onThisMap"]  # ... on the same basemap
        assert after["shapes"] == before["shapes"]
        assert "dead and missing" in after["tip"], after["tip"]
        url = j.params()
        assert url.get("types") == "Incident", url
        sql = f"SELECT count(*), sum(dead_and_missing) FROM incidents WHERE incident_type = 'Incident' AND {IN_DATES}"  # noqa: E501, S608 - a constant rule, values bound
        n, dm = con.execute(
            sql, in_dates_args(date.fromisoformat(url["from"]), date.fromisoformat(url["to"]))
        ).fetchone()
        shown = j.metrics()
        assert shown["Incidents"] == f"{n:,}" and shown["Dead and missing"] == f"{dm:,}"
        # One region: a view fitted to its incidents, still on the world's shapes.
        j.multiselect_add("Region", "Western Africa")
        zoomed = j.frame().evaluate(FRAME_MAP, None)
        assert zoomed["token"] != after["token"]
        assert zoomed["mark"] == "world" and zoomed["onThisMap"]
        assert zoomed["shapes"] == before["shapes"]
        # The headline stands above the map.
        figures = j.page.locator("[data-testid='stMetric']").first.bounding_box()
        frame_box = j.page.locator("iframe[title*='streamlit_folium']").first.bounding_box()
        assert figures["y"] + figures["height"] <= frame_box["y"]
        assert not j.exceptions()
    finally:
        j.close()
