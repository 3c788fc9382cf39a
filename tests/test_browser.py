"""Overview and Data pages in headless Chromium with no internet (see tests/browser.py)."""

from __future__ import annotations

import pytest

from tests.browser import check_page

pytestmark = pytest.mark.browser


def test_overview_renders_offline(server, browser, con):
    op, frame, context = check_page(
        server, browser, "", "Arrival Atlas", ["Dead and missing since 2014", "minimum estimates"]
    )
    try:
        total = con.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0]
        assert f"{total:,}" in op.page.inner_text("[data-testid='stMain']")
        names = frame.inner_text(".leaflet-control-layers")
        for layer in (
            "Dead and missing",
            "Route corridors",
            "CIFAL centres",
            "Camps and sites".lower(),
        ):
            assert layer.lower() in names.lower()
    finally:
        context.close()
