"""The first-paint benchmark's browser: offline without request interception, and its
timing of a real page (benchmarks/paint.py)."""

from __future__ import annotations

import time

import pytest

from benchmarks.paint import _offline_page, launch_offline_browser, time_to_features
from tests.browser import COUNT_FEATURES

pytestmark = pytest.mark.browser

FETCH = "u => fetch(u, {mode: 'no-cors'}).then(() => 'reached').catch(() => 'failed')"


@pytest.fixture(scope="module")
def offline_browser(browser):
    b = launch_offline_browser(browser.browser_type)
    yield b
    b.close()


def test_benchmark_browser_reaches_loopback_only(server, offline_browser):
    context = offline_browser.new_context()
    try:
        page, blocked = _offline_page(context)
        page.goto(f"{server.url}/_stcore/health")
        assert page.inner_text("body") == "ok"
        # a package registry this machine can reach, an address with no name, a CDN
        outside = [
            "https://pypi.org/simple/",
            "http://151.101.0.223/",
            "https://unpkg.com/leaflet@1.9.4/dist/leaflet.js",
        ]
        assert [page.evaluate(FETCH, u) for u in outside] == ["failed"] * 3
        assert blocked == outside
        assert page.evaluate(FETCH, f"{server.url}/_stcore/health") == "reached"
    finally:
        context.close()


def test_first_paint_times_the_whole_map_drawn(server, offline_browser):
    res = time_to_features(offline_browser, f"{server.url}/cifal", timeout=60)
    assert res["ms"] is not None and res["blocked"] == 0
    assert 0 < res["heading_ms"] <= res["leaflet_ms"] <= res["ms"]
    # the clock stops with the map complete: as many features as once the page is idle
    context = offline_browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        page, _ = _offline_page(context)
        page.goto(f"{server.url}/cifal")
        # Until the map has drawn and stayed the same for 2 s (a loaded machine is slow).
        counts, same, deadline = [], 0, time.time() + 45
        while time.time() < deadline and same < 4:
            page.wait_for_timeout(500)
            now = []
            for f in page.frames:
                try:
                    if n := f.evaluate(f"({COUNT_FEATURES})()"):
                        now.append(n)
                except Exception:  # noqa: BLE001 - a frame replaced while the page runs
                    continue
            same = same + 1 if now and now == counts else 0
            counts = now
        assert counts == [res["features"]]
    finally:
        context.close()
