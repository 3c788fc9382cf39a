"""Phone width (390 x 844): the map is visible and not buried under its legend and layer
control, the legend opens on a tap, the route time series has a real plot, and the
sidebar does not cover the page when it opens."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser import SHOTS, WAITING_BELOW_MAP, OfflinePage, wait_for_app

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# The share of the map's area under its legends and layer control (each clipped to
# the map), and the map's own size.
COVERED = """() => {
    const map = document.querySelector('.leaflet-container').getBoundingClientRect();
    let covered = 0;
    for (const el of document.querySelectorAll('.atlas-legend, .leaflet-control-layers')) {
        const r = el.getBoundingClientRect();
        const w = Math.max(0, Math.min(r.right, map.right) - Math.max(r.left, map.left));
        const h = Math.max(0, Math.min(r.bottom, map.bottom) - Math.max(r.top, map.top));
        covered += w * h;
    }
    return {share: covered / (map.width * map.height), width: map.width, height: map.height};
}"""


VIEW = """() => {
    for (const k of Object.keys(window)) {
        let v; try { v = window[k]; } catch (e) { continue; }
        if (typeof L !== 'undefined' && v instanceof L.Map) {
            const c = v.getCenter(); return [c.lat.toFixed(4), c.lng.toFixed(4), v.getZoom()];
        }
    }
    return null;
}"""


def open_phone(server, browser, path: str):
    """A phone-sized browser on a page, once its map has drawn and the sections filled."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    op = OfflinePage(context)
    op.page.goto(f"{server.url}/{path}", wait_until="domcontentloaded")
    wait_for_app(op.page)
    frame = op.map_frame()
    op.page.wait_for_function(
        f"() => !document.body.innerText.includes({WAITING_BELOW_MAP!r})", timeout=20_000
    )
    op.page.wait_for_timeout(800)
    return op, frame, context


def sidebar_leaves_the_page_free(page) -> None:
    """What a user sees at the page title is the title, not the sidebar over it."""
    hit = page.evaluate(
        """() => {
            const h = document.querySelector("[data-testid='stMainBlockContainer'] h1");
            const r = h.getBoundingClientRect();
            const at = document.elementFromPoint(r.left + 10, r.top + r.height / 2);
            return !!(at && at.closest('h1') === h);
        }"""
    )
    assert hit, "the sidebar (or something else) covers the page title on load"
    box = page.locator("[data-testid='stSidebar']").bounding_box()
    assert box is None or box["x"] + box["width"] <= 1, box


@pytest.mark.parametrize("path", ["routes", "camps", "cities", "cifal"])
def test_phone_map_is_visible_and_not_covered(server, browser, path):
    op, frame, context = open_phone(server, browser, path)
    try:
        sidebar_leaves_the_page_free(op.page)
        iframe = op.page.locator("iframe[title='streamlit_folium.st_folium']").first
        iframe.scroll_into_view_if_needed()
        box = iframe.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, box
        assert box["width"] > 300 and box["height"] > 300, box
        cover = frame.evaluate(COVERED)
        assert cover["share"] < 0.35, f"legend and layers cover {cover['share']:.0%} of the map"
        view = frame.evaluate(VIEW)
        # The layer control is folded to its button; a tap opens it.
        layers = frame.locator(".leaflet-control-layers").first
        assert not frame.locator(".leaflet-control-layers-list").first.is_visible()
        frame.locator(".leaflet-control-layers-toggle").first.tap()
        frame.wait_for_selector(".leaflet-control-layers-list", state="visible", timeout=5000)
        assert "Countries" in layers.inner_text()
        # Each legend is folded to a button; a tap opens it, another folds it again.
        for i in range(frame.locator(".atlas-legend").count()):
            legend = frame.locator(".atlas-legend").nth(i)
            body = legend.locator(".atlas-legend-body")
            assert legend.is_visible() and not body.is_visible()
            legend.locator(".atlas-legend-toggle").tap()
            body.wait_for(state="visible", timeout=5000)
            assert len(body.inner_text()) > 20
            assert legend.locator(".atlas-legend-toggle").get_attribute("aria-expanded") == "true"
            # open, the legend still fits on the map
            r, m = legend.bounding_box(), frame.locator(".leaflet-container").bounding_box()
            assert r["x"] >= m["x"] - 1 and r["x"] + r["width"] <= m["x"] + m["width"] + 1
            legend.locator(".atlas-legend-toggle").tap()
            body.wait_for(state="hidden", timeout=5000)
        # tapping the controls (twice in a row at one spot) never moves the map
        op.page.wait_for_timeout(700)
        assert frame.evaluate(VIEW) == view
        assert "z=" not in op.page.url, op.page.url
        # the scale bar is not under the source credit
        scale = frame.locator(".leaflet-control-scale").first.bounding_box()
        credit = frame.locator(".leaflet-control-attribution").first.bounding_box()
        assert scale["y"] + scale["height"] <= credit["y"] + 1, (scale, credit)
        SHOTS.mkdir(parents=True, exist_ok=True)
        op.page.screenshot(path=str(SHOTS / f"phone-{path}.png"))
        assert not op.real_errors(), op.console_errors
    finally:
        context.close()


def _plot_box(png: bytes) -> tuple[int, int]:
    """Width and height of a chart's plot area in a screenshot, from its horizontal grid
    lines (rows with many light neutral grey pixels): their length, and the distance
    from the top line to the bottom one."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = img.size
    px = img.load()
    rows = []
    for y in range(h):
        n = sum(
            1
            for x in range(w)
            if min(px[x, y]) >= 200 and max(px[x, y]) <= 245 and max(px[x, y]) - min(px[x, y]) <= 15
        )
        if n > 0.4 * w:
            rows.append((y, n))
    if not rows:
        return 0, 0
    return max(n for _, n in rows), rows[-1][0] - rows[0][0]


def test_phone_route_chart_has_a_real_plot(server, browser):
    op, _frame, context = open_phone(server, browser, "routes?section=Over+time")
    try:
        chart = op.page.locator("[data-testid='stVegaLiteChart']").first
        chart.wait_for(state="visible", timeout=20_000)
        chart.scroll_into_view_if_needed()
        op.page.wait_for_timeout(500)
        box = chart.bounding_box()
        assert box["height"] > 150 and box["width"] > 300, box
        width, height = _plot_box(chart.screenshot())
        assert width > 200 and height > 150, f"plot {width} x {height} px"
        chart.screenshot(path=str(SHOTS / "phone-routes-chart.png"))
    finally:
        context.close()


def test_desktop_keeps_the_sidebar_legend_and_layers_open(server, browser):
    """At desktop width nothing is folded: the sidebar, the legend and the layer list."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        op = OfflinePage(context)
        op.page.goto(f"{server.url}/routes", wait_until="domcontentloaded")
        wait_for_app(op.page)
        frame = op.map_frame()
        assert op.page.locator("[data-testid='stSidebar']").bounding_box()["width"] > 200
        assert frame.locator(".atlas-legend-body").first.is_visible()
        assert frame.locator(".leaflet-control-layers-list").first.is_visible()
        assert "minimum estimates" in frame.inner_text(".atlas-legend")
    finally:
        context.close()
