"""Shareable links: filters, the map's view and the layer choice travel in the URL."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser import OfflinePage, wait_for_app

pytestmark = pytest.mark.browser

MAP_STATE = """() => {
    for (const k of Object.keys(window)) {
        let v; try { v = window[k]; } catch (e) { continue; }
        if (typeof L !== 'undefined' && v instanceof L.Map) {
            const c = v.getCenter(); let shown = [];
            document.querySelectorAll('.leaflet-control-layers-overlays label').forEach(l => {
                const box = l.querySelector('input'); if (box && box.checked) shown.push(l.innerText.trim());
            });
            return {lat: c.lat, lng: c.lng, zoom: v.getZoom(), shown: shown, name: k};
        }
    }
    return null;
}"""


def _query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def _wait_url(page, key: str, pred, timeout: float = 20) -> dict[str, str]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        q = _query(page)
        if key in q and pred(q[key]):
            return q
        page.wait_for_timeout(250)
    raise AssertionError(f"URL never had a matching {key}: {page.url}")


def test_link_reopens_filters_view_and_layers(server, browser):
    link = (
        "/routes?from=2016-01-01&to=2016-12-31&routes=Central%20Mediterranean"
        "&lat=35.5&lon=14.25&z=6&layers=route-corridors-schematic"
    )
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        op = OfflinePage(context)
        op.page.goto(server.url + link, wait_until="domcontentloaded")
        wait_for_app(op.page)
        frame = op.map_frame()
        op.page.wait_for_timeout(1500)
        state = frame.evaluate(MAP_STATE)
        assert state["zoom"] == 6
        assert abs(state["lat"] - 35.5) < 0.05 and abs(state["lng"] - 14.25) < 0.05
        assert state["shown"] == ["Route corridors (schematic)"], state["shown"]
        q = _query(op.page)
        assert q["routes"] == "Central Mediterranean" and q["from"] == "2016-01-01"
        assert q["layers"] == "route-corridors-schematic"
        # Zooming the map writes the new view into the URL.
        frame.evaluate(f"() => {{ window['{state['name']}'].setZoom(7); return 1; }}")
        q = _wait_url(op.page, "z", lambda z: z == "7")
        assert q["routes"] == "Central Mediterranean"
        assert not op.real_errors()
    finally:
        context.close()


def test_bad_view_in_link_falls_back_with_a_note(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        op = OfflinePage(context)
        op.page.goto(server.url + "/camps?lat=999&lon=abc&z=40", wait_until="domcontentloaded")
        wait_for_app(op.page)
        op.map_frame()
        text = op.page.inner_text("[data-testid='stMain']")
        assert "map view in the link was not understood" in text
        assert "Traceback" not in text
        assert not re.search(r"lat=999", op.page.url)
    finally:
        context.close()


@pytest.mark.parametrize("z", [3, 5, 7, 9])
def test_link_keeps_its_zoom_and_centre_on_a_filtered_view(server, browser, z):
    """A filtered Deadly routes link reopens at its own view, at any zoom, and the URL
    stays as written (the map's fitted view must not win over the link's view)."""
    from tests.browser import WAITING_BELOW_MAP

    link = f"/routes?routes=Central+Mediterranean&lat=35.9&lon=14.4&z={z}"
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        op = OfflinePage(context)
        op.page.goto(server.url + link, wait_until="domcontentloaded")
        wait_for_app(op.page)
        frame = op.map_frame()
        # The map's report of its view reruns the page, which then fills the sections.
        op.page.wait_for_function(
            f"() => !document.body.innerText.includes({WAITING_BELOW_MAP!r})", timeout=20_000
        )
        wait_for_app(op.page)
        op.page.wait_for_timeout(1500)
        state = frame.evaluate(MAP_STATE)
        pixel = 360 / (256 * 2**z)  # degrees of longitude in one screen pixel
        assert state["zoom"] == z, (z, state)
        assert abs(state["lat"] - 35.9) <= 2 * pixel and abs(state["lng"] - 14.4) <= 2 * pixel
        q = _query(op.page)
        assert (q.get("lat"), q.get("lon"), q.get("z")) == ("35.9", "14.4", str(z)), op.page.url
        assert q["routes"] == "Central Mediterranean"
        assert not op.real_errors(), op.console_errors
    finally:
        context.close()
