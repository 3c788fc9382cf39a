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


def test_shared_link_on_a_fresh_server_goes_through_navigation(db_path, browser):
    """A link to /cities as the very first request still gets app.py's navigation
    (Streamlit's old pages-directory mode would run the page script alone)."""
    from tests.browser import OfflinePage, Server, wait_for_app

    fresh = Server(db_path)
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        op = OfflinePage(context)
        op.page.goto(f"{fresh.url}/cities", wait_until="domcontentloaded")
        wait_for_app(op.page)
        op.page.wait_for_selector("[data-testid='stSidebarNav']", timeout=30000)
        nav = op.page.inner_text("[data-testid='stSidebarNav']")
        assert "Deadly routes" in nav and "Data and sources" in nav, nav
        assert "_ui" not in nav and "\nui\n" not in f"\n{nav}\n"
        assert "Arrival cities" in op.page.inner_text("[data-testid='stMain'] h1")
        assert op.page.url.split("?")[0].endswith("/cities")
    finally:
        context.close()
        fresh.stop()
