"""Arrival cities and CIFAL network pages in headless Chromium with no internet."""

from __future__ import annotations

import pytest

from tests.browser import check_page

pytestmark = pytest.mark.browser


def test_cities_renders_offline(server, browser):
    op, frame, context = check_page(
        server,
        browser,
        "cities",
        "Arrival cities",
        ["Cities in 2025", "Fastest-growing", "Refugees hosted, 2025"],
    )
    try:
        names = frame.inner_text(".leaflet-control-layers")
        assert "Refugees hosted" in names and "Route destinations" in names
        assert "CC BY 4.0" in frame.inner_text(".leaflet-control-attribution")
        assert "mode=population" in op.page.url and "year=2025" in op.page.url
        # "People in them, 2025 (2018 projection)" wraps to two lines at this width; its
        # figure stays level with the other headline figures
        tops = op.page.eval_on_selector_all(
            "[data-testid='stMetricValue']", "els => els.map(e => e.getBoundingClientRect().top)"
        )
        assert len(tops) == 4 and max(tops) - min(tops) < 2, tops
    finally:
        context.close()


def test_cities_growth_link_and_bad_param(server, browser):
    op, frame, context = check_page(
        server,
        browser,
        "cities",
        "Arrival cities",
        ["Ignored year", "Fastest-growing cities, 2000–2035"],
        query="?mode=growth&from=2000&to=2035&year=abc",
    )
    try:
        assert "City growth 2000–2035" in frame.inner_text(".leaflet-control-layers")
    finally:
        context.close()


def test_cifal_renders_offline(server, browser, con):
    op, frame, context = check_page(
        server,
        browser,
        "cifal",
        "CIFAL network",
        [
            "CIFAL centres",
            "Fast-growing, no centre",
            "Coverage per centre",
        ],
    )
    try:
        names = frame.inner_text(".leaflet-control-layers")
        assert "Within 300 km of a centre" in names and "CIFAL centres (UNITAR)" in names
        assert "UNITAR" in frame.inner_text(".leaflet-control-attribution")
        assert "radius=300" in op.page.url
        # The legend and its notes do not fit under the layer list in this map: the
        # symbols stay shown (not folded to a button), the notes behind a button.
        legend = frame.locator(".atlas-legend").first
        assert legend.locator(".atlas-legend-body").is_visible()
        assert "CIFAL centre (active)" in legend.inner_text()
        assert "minimum estimates" not in legend.inner_text()
        legend.locator(".atlas-legend-more").click()
        assert "minimum estimates" in legend.inner_text()
        assert not legend.locator(".atlas-legend-more").is_visible()
    finally:
        context.close()
