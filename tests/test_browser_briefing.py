"""A presenter's whole journey in offline Chromium: three views from three map pages
into a briefing, a headline reworded with a figure, the slides reordered, saved,
presented at a projector's 1280 x 720 with the keyboard (also after a click on the map),
then the HTML deck and the PDF downloaded; the deck steps through every slide from
``file://`` with the network off, and the PDF's text holds every slide in full.

The expected figures come from SQL over the test database, not from the app."""

from __future__ import annotations

import io
import re
import time
import tomllib
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.browser import Server
from tests.journeys import Journey

pytestmark = pytest.mark.browser

W, H = 1280, 720
DECK = "[data-testid='stIFrame']"
CURRENT = "() => window.atlasDeck && window.atlasDeck.current()"
HEADLINE = "([n]) => { const h = document.querySelector('#slide-' + n + ' h1.headline');"
HEADLINE += " return h ? h.innerText.trim() : null; }"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("briefings")


@pytest.fixture(scope="module")
def app(db_path, folder):
    """The app over the test database, saving briefings in an empty folder of its own."""
    s = Server(db_path, env={"ATLAS_BRIEFINGS": str(folder)}, log_prefix="briefing")
    yield s
    s.stop()


def _ready(page, timeout_ms: int = 60_000) -> None:
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms
    )


def _click(page, selector: str, done, tries: int = 3) -> None:
    """Click until ``done()`` holds: a click landing during a rerun can be lost."""
    for _ in range(tries):
        page.locator(selector).first.click()
        deadline = time.time() + 15
        while time.time() < deadline:
            if done():
                return
            time.sleep(0.3)
    raise AssertionError(f"clicking {selector} had no effect")


def _add_view(j, key: str) -> None:
    """Press the page's "Add to briefing" and wait for its note."""
    button = f".st-key-atlas_add_slide_{key} button"
    j.page.wait_for_selector(button, timeout=60_000)
    _click(j.page, button, lambda: j.page.get_by_text("Added as slide").count() > 0)


def _nav(j, name: str) -> None:
    """Go to another page through the app's navigation (the same session)."""
    j.page.mouse.move(900, 5)  # a button's help tooltip can cover the sidebar's links
    j.page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=name).click()
    _ready(j.page)
    j.settle()


def _slides(page):
    return page.locator("[class*='st-key-atlas_slide_']")


def _order(page) -> list[str]:
    """The pages of the editor's slides, top to bottom ("Slide 1 · Deadly routes")."""
    heads = _slides(page).locator("[data-testid='stMarkdownContainer'] p")
    return [t.split("·")[-1].strip() for t in heads.all_inner_texts() if t.startswith("Slide ")]


def _deck_frame(page):
    page.wait_for_selector(DECK, timeout=60_000)
    frame = page.locator(DECK).element_handle().content_frame()
    frame.wait_for_function(CURRENT, timeout=60_000)
    return frame


def _map_drawn(deck, n: int) -> bool:
    """Whether slide ``n``'s map frame has drawn Leaflet vectors."""
    el = deck.locator(f"#slide-{n} iframe").element_handle()
    inner = el.content_frame() if el else None
    if inner is None:
        return False
    try:
        return bool(inner.evaluate("() => document.querySelectorAll('path, canvas').length"))
    except Exception:  # noqa: BLE001 - the frame may still be loading
        return False


def _wait_slide(deck, n: int, headline: str) -> None:
    deck.wait_for_function(f"() => window.atlasDeck.current() === {n}", timeout=10_000)
    assert deck.evaluate(HEADLINE, [n]) == headline
    deadline = time.time() + 20
    while not _map_drawn(deck, n):
        assert time.time() < deadline, f"slide {n}'s map did not draw"
        time.sleep(0.2)


def test_presenter_builds_presents_and_carries_a_briefing(app, browser, con, folder, tmp_path):
    mediterranean = con.execute(
        "SELECT sum(dead_and_missing)::BIGINT FROM incidents "
        "WHERE list_contains(routes, 'Central Mediterranean')"
    ).fetchone()[0]
    bgd_sites, bgd_open = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE is_open) FROM sites WHERE iso3 = 'BGD'"
    ).fetchone()
    j = Journey(app, browser, viewport={"width": W, "height": H})
    op, page = j.op, j.page
    try:
        # 1. Three views on three pages, chosen through the widgets and the map, in one
        # session (the draft lives in the browser tab until it is saved).
        j.open("routes")
        j.multiselect_add("Migration route", "Central Mediterranean")
        j.set_view(35.5, 14.5, 5)
        _add_view(j, "routes")
        _nav(j, "Camps and sites")
        j.multiselect_add("Country", "Bangladesh (BGD)")
        _add_view(j, "camps")
        _nav(j, "Arrival cities")
        _add_view(j, "cities")

        # 2. The editor: three slides in the order added.
        page.mouse.move(900, 5)
        page.locator("[data-testid='stSidebarNav']").get_by_role(
            "link", name="Briefing editor"
        ).click()
        _ready(page)
        page.wait_for_function(
            "() => [...document.querySelectorAll(\"[class*='st-key-atlas_slide_'] p\")]"
            ".filter(p => p.innerText.startsWith('Slide ')).length === 3",
            timeout=60_000,
        )
        titles = _order(page)
        assert titles == ["Deadly routes", "Camps and sites", "Arrival cities"], titles
        page.get_by_label("Title").fill("Hall briefing")
        page.get_by_label("Title").press("Enter")
        _ready(page)

        # A name that is no figure is refused; a figure of the slide is filled in.
        first = _slides(page).nth(0)
        first.get_by_label("Headline").fill("Central Mediterranean: {deaths_total:,}")
        first.get_by_label("Headline").press("Enter")
        page.wait_for_function(
            "() => document.body.innerText.includes('No figure {deaths_total}')",
            timeout=30_000,
        )
        page.wait_for_function(
            "() => [...document.querySelectorAll('.st-key-atlas_editor_save button')]"
            ".some(b => b.disabled)",
            timeout=10_000,
        )
        first = _slides(page).nth(0)
        first.get_by_label("Headline").fill("Central Mediterranean: {dead_and_missing:,} lost")
        first.get_by_label("Headline").press("Enter")
        want_head = f"Central Mediterranean: {mediterranean:,} lost"
        page.wait_for_function(
            "([t]) => document.body.innerText.includes(t)", arg=[want_head], timeout=30_000
        )
        notes = _slides(page).nth(0).get_by_label(re.compile("Speaker notes"))
        notes.fill("Pause here. Ask the hall who has crossed this sea.")
        notes.press("Tab")
        _ready(page)

        # Reorder: the routes slide goes down one; the camps slide leads. Done when the
        # editor shows all three slides again with camps first (read mid-render, the list
        # can lack the slide being moved).
        def moved() -> bool:
            order = _order(page)
            return len(order) == 3 and order[0] == "Camps and sites"

        _click(
            page,
            "[class*='st-key-atlas_slide_'] >> nth=0 >> [class*='st-key-ed_down_'] button",
            moved,
        )
        _ready(page)
        order = _order(page)
        assert order == ["Camps and sites", "Deadly routes", "Arrival cities"], order
        page.screenshot(path=str(tmp_path / "editor.png"), full_page=True)

        _click(
            page,
            ".st-key-atlas_editor_save button[data-testid^='stBaseButton']",
            lambda: page.get_by_text("Saved as").count() > 0,
        )
        saved = sorted(folder.glob("*.toml"))
        assert [p.name for p in saved] == ["hall-briefing.toml"]
        written = tomllib.loads(saved[0].read_text(encoding="utf-8"))
        assert [s["page"] for s in written["slides"]] == ["camps", "routes", "cities"]
        assert (
            written["slides"][1]["headline"] == "Central Mediterranean: {dead_and_missing:,} lost"
        )
        assert written["slides"][1]["params"]["routes"] == "Central Mediterranean"
        assert written["slides"][0]["params"]["country"] == "BGD"
        view = written["slides"][1]["params"]
        assert (view["lat"], view["lon"], view["z"]) == ("35.5", "14.5", "5"), view
        assert written["slides"][1]["notes"].startswith("Pause here")

        # 3. Present: the deck at 1280 x 720, no page scrollbar, keys move it.
        page.get_by_role("link", name="Present").click()
        page.wait_for_url(re.compile(r"/briefing\?.*b=hall-briefing"), timeout=30_000)
        deck = _deck_frame(page)
        camps_head = f"{bgd_sites:,} camps and sites, {bgd_open:,} of them open"
        _wait_slide(deck, 1, camps_head)
        assert page.evaluate(
            "() => document.documentElement.scrollHeight <= window.innerHeight + 1"
        ), "the presenter layout scrolls at 1280 x 720"
        box = page.locator(DECK).bounding_box()
        assert box["height"] >= 0.75 * H and box["y"] + box["height"] <= H + 1, box
        page.keyboard.press("PageDown")  # focus on the page: presenter.js forwards it
        _wait_slide(deck, 2, want_head)
        page.wait_for_function(
            "() => new URLSearchParams(location.search).get('slide') === '2'", timeout=10_000
        )
        # End, Home and P work from the page too, before any click in the deck.
        last = deck.evaluate("() => window.atlasDeck.total")
        page.keyboard.press("End")
        deck.wait_for_function(f"() => window.atlasDeck.current() === {last}", timeout=10_000)
        page.keyboard.press("Home")
        deck.wait_for_function("() => window.atlasDeck.current() === 1", timeout=10_000)
        with page.expect_popup(timeout=10_000) as popup:
            page.keyboard.press("p")
        popup.value.close()
        page.keyboard.press("PageDown")
        _wait_slide(deck, 2, want_head)
        # A click on the map puts the keys in its frame, where Leaflet would pan.
        mbox = deck.locator("#slide-2 iframe").bounding_box()
        page.mouse.click(mbox["x"] + mbox["width"] * 0.35, mbox["y"] + mbox["height"] * 0.6)
        for key, n in (("ArrowRight", 3), ("PageUp", 2), ("Space", 3), ("ArrowLeft", 2)):
            t0 = time.perf_counter()
            page.keyboard.press(key)
            deck.wait_for_function(f"() => window.atlasDeck.current() === {n}", timeout=10_000)
            assert time.perf_counter() - t0 < 2.0, f"{key} took {time.perf_counter() - t0:.2f} s"
        page.screenshot(path=str(tmp_path / "presenting.png"))

        # 4. Carry it: the HTML deck and the PDF.
        with page.expect_download(timeout=120_000) as dl:
            page.locator(".st-key-atlas_deck button[data-testid^='stBaseButton']").first.click()
        deck_file = tmp_path / "deck.html"
        dl.value.save_as(deck_file)
        with page.expect_download(timeout=180_000) as dl:
            page.locator(".st-key-atlas_pdf button[data-testid^='stBaseButton']").first.click()
        pdf = Path(dl.value.path()).read_bytes()
        assert not op.real_errors(), op.console_errors
        assert not op.blocked, op.blocked
    finally:
        j.close()

    # The deck from file://, network blocked: every slide, by keyboard.
    offline = browser.new_context(viewport={"width": W, "height": H})
    asked: list[str] = []

    def route(r):
        asked.append(r.request.url)
        if r.request.url.startswith(("file:", "data:", "about:", "blob:")):
            r.continue_()
        else:
            r.abort()

    offline.route("**/*", route)
    try:
        p2 = offline.new_page()
        p2.goto(deck_file.as_uri())
        p2.wait_for_function(CURRENT, timeout=30_000)
        heads = [camps_head, want_head]
        for n, head in enumerate(heads, start=1):
            _wait_slide(p2.main_frame, n, head)
            p2.keyboard.press("ArrowRight")
        _wait_slide(p2.main_frame, 3, p2.evaluate(HEADLINE, [3]))
        assert p2.evaluate(HEADLINE, [3]).endswith("people")
        outside = [u for u in asked if not u.startswith(("file:", "data:", "about:", "blob:"))]
        assert not outside, outside
    finally:
        offline.close()

    # The PDF: one page per slide (then the sources), every headline as text, in full.
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    assert camps_head in texts[0], texts[0][:200]
    assert want_head in texts[1], texts[1][:200]
    for p in reader.pages:
        w, h = float(p.mediabox.width), float(p.mediabox.height)
        assert abs(w / h - 16 / 9) < 0.01


def test_briefing_keeps_the_pages_in_reach_and_leaves_the_sidebar_as_it_was(server, browser):
    """The Briefing folds the sidebar for the deck, but its button stays on the page (the
    pages and the language are one click away), and a page opened afterwards in another
    tab has its sidebar open as the user left it."""
    from tests.browser import OfflinePage, wait_for_app

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        op = OfflinePage(context)
        op.page.goto(f"{server.url}/data", wait_until="domcontentloaded")
        wait_for_app(op.page)
        bar = op.page.locator("[data-testid='stSidebar']")
        assert bar.get_attribute("data-collapsed") == "false"
        op.page.goto(f"{server.url}/briefing", wait_until="domcontentloaded")
        op.page.wait_for_selector("[data-testid='stIFrame']", timeout=60_000)  # the deck
        op.page.wait_for_function(
            "() => document.querySelector('[data-testid=stSidebar]')?.dataset.collapsed === 'true'",
            timeout=20_000,
        )
        opener = op.page.locator("[data-testid='stExpandSidebarButton']")
        assert opener.is_visible()
        op.page.wait_for_timeout(2_000)  # presenter.js puts the stored state back
        other = OfflinePage(context)
        other.page.goto(f"{server.url}/data", wait_until="domcontentloaded")
        wait_for_app(other.page)
        assert (
            other.page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed")
            == "false"
        )
        opener.click()
        op.page.wait_for_function(
            "() => document.querySelector('[data-testid=stSidebar]')?.dataset.collapsed === 'false'",
            timeout=10_000,
        )
        assert op.page.get_by_role("link", name="Deadly routes").is_visible()
    finally:
        context.close()
