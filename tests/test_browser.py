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


def test_data_page_renders_offline(server, browser, con):
    from tests.browser import OfflinePage, page_text, wait_for_app

    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        op = OfflinePage(context)
        op.page.goto(f"{server.url}/data", wait_until="domcontentloaded")
        wait_for_app(op.page)
        op.page.wait_for_selector("[data-testid='stDataFrame']", timeout=30000)
        op.page.wait_for_timeout(800)
        op.screenshot("data")
        text = page_text(op.page)
        assert "Data and sources" in text and "How to refresh" in text
        assert "Traceback" not in text
        assert not op.real_errors(), (op.console_errors, op.failed_responses)
    finally:
        context.close()
