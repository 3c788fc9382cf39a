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


@pytest.mark.parametrize(
    ("link", "heading"),
    [("cities?year=2030", "Arrival cities"), ("data", "Data and sources")],
)
def test_shared_link_on_a_fresh_server_goes_through_navigation(db_path, browser, link, heading):
    """A shared link as the very first request to a fresh server opens its page with
    app.py's navigation and no "Page not found" dialog.

    A folder named ``pages/`` next to app.py switches on Streamlit's legacy
    pages-directory mode until a session has run ``st.navigation``: then ``/cities`` ran
    the page script alone (file names in the sidebar) and ``/data``, which names no file,
    answered "Page not found". The page scripts live in ``app_pages/`` for that reason.
    """
    from tests.browser import OfflinePage, Server, wait_for_app

    fresh = Server(db_path)
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        op = OfflinePage(context)
        op.page.goto(f"{fresh.url}/{link}", wait_until="domcontentloaded")
        wait_for_app(op.page)
        op.page.wait_for_selector("[data-testid='stSidebarNav']", timeout=30000)
        nav = op.page.inner_text("[data-testid='stSidebarNav']")
        assert "Deadly routes" in nav and "Data and sources" in nav, nav
        assert "_ui" not in nav and "\nui\n" not in f"\n{nav}\n"
        assert heading in op.page.inner_text("[data-testid='stMain'] h1")
        path, _, query = op.page.url.partition("?")
        assert path.endswith("/" + link.split("?")[0])
        assert all(p in query.split("&") for p in link.partition("?")[2].split("&") if p), query
        # Streamlit's "Page not found" is a modal of the page, not a browser dialog.
        op.page.wait_for_timeout(1000)
        assert "Page not found" not in op.page.inner_text("body")
        assert op.page.locator("[role='dialog']").count() == 0
        assert not op.dialogs, op.dialogs
    finally:
        context.close()
        fresh.stop()
