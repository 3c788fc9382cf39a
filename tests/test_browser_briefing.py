"""The Briefing presenter at a projector's 1280 x 720 in offline Chromium: a bad slide
number in the link, the layout above the fold, and every key a clicker sends, also
after a click on the map (whose iframe would otherwise keep the keys and pan)."""

from __future__ import annotations

import time

import pytest

from geo.briefing import briefings, render_slide
from geo.views import countries_of, direct_query
from tests.browser import COUNT_FEATURES, OfflinePage, wait_for_app

pytestmark = pytest.mark.browser

W, H = 1280, 720
MAP = "iframe[title='streamlit_folium.st_folium']"


@pytest.fixture(scope="module")
def presenter(server, browser):
    """One 1280 x 720 page on the Briefing, opened at ``?slide=99``, shared by the tests."""
    context = browser.new_context(viewport={"width": W, "height": H})
    op = OfflinePage(context)
    op.page.goto(f"{server.url}/briefing?slide=99", wait_until="domcontentloaded")
    wait_for_app(op.page)
    op.map_frame()
    yield op
    context.close()


def _headlines(con) -> list[str]:
    b = briefings()[0]
    q, countries = direct_query(con), countries_of(con)
    return [render_slide(b, n, q, countries).headline for n in range(1, len(b.slides) + 1)]


def _wait_slide(page, n: int, total: int, headline: str, after: str = "") -> None:
    """Wait until the page, its counter and its URL all show slide ``n``."""
    try:
        _wait_for_slide(page, n, total, headline)
    except Exception as exc:
        shown = page.evaluate(
            "() => [location.search, document.querySelector('.atlas-count')?.innerText,"
            " document.activeElement?.tagName]"
        )
        raise AssertionError(f"slide {n} not shown after {after!r}: {shown}") from exc


def _wait_for_slide(page, n: int, total: int, headline: str) -> None:
    page.wait_for_function(
        """([n, count, head]) => {
            const c = document.querySelector('.atlas-count');
            const h = document.querySelector('h1.atlas-headline');
            return c && h && c.innerText.trim() === count && h.innerText.trim() === head
                && new URLSearchParams(location.search).get('slide') === String(n);
        }""",
        arg=[n, f"Slide {n} of {total}", headline],
        timeout=20_000,
    )


def _click_map(op, timeout: float = 20) -> None:
    """Click the shown slide's map once it has drawn, leaving the keyboard focus in its
    iframe (the previous slide's frame may linger for a moment: wait until it is gone)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if op.page.locator(MAP).count() == 1:
            for frame in op.page.frames:
                try:
                    if not frame.evaluate(COUNT_FEATURES):
                        continue
                    box = frame.frame_element().bounding_box()
                except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                    continue
                if box and box["height"] > 100:
                    # Open sea west of Africa, clear of the zoom buttons, layers and legend.
                    op.page.mouse.click(
                        box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.55
                    )
                    if op.page.evaluate("() => document.activeElement.tagName") == "IFRAME":
                        # A key pressed before the presenter script has hooked this
                        # frame's document (it does within 250 ms) would reach Leaflet.
                        op.page.wait_for_function(
                            "() => document.activeElement.contentWindow.__atlasKeys === true",
                            timeout=5_000,
                        )
                        return
        time.sleep(0.2)
    raise AssertionError("could not click into a drawn map")


def test_slide_99_falls_back_to_the_last_slide_with_a_note(presenter, con):
    page = presenter.page
    heads = _headlines(con)
    total = len(heads)
    _wait_slide(page, total, total, heads[-1])
    page.wait_for_timeout(1500)  # the map reports its view and reruns the page
    note = page.inner_text("[data-testid='stAlert']")
    assert f"Slide 99 does not exist in this briefing (slides 1 to {total})" in note
    assert f"slide {total} is shown" in note
    assert "slide=99" not in page.url


def test_layout_fits_1280_by_720_with_the_map_above_the_fold(presenter):
    page = presenter.page
    page.wait_for_timeout(800)  # the presenter script sizes the map every 250 ms
    shot = presenter.screenshot("briefing-1280x720")
    assert shot.stat().st_size > 20_000
    collapsed = page.get_attribute("[data-testid='stSidebar']", "data-collapsed")
    assert collapsed == "true", "the sidebar should close when presenting"
    for key in ("atlas_prev", "atlas_next", "atlas_pdf"):
        width = page.evaluate(
            """(k) => { const b = document.querySelector('.st-key-' + k + ' button');
                const p = b.querySelector('p') || b;
                return [p.scrollWidth, p.clientWidth, b.getBoundingClientRect().right]; }""",
            key,
        )
        assert width[0] <= width[1] and width[2] <= W, (key, width)
    head = page.locator("h1.atlas-headline").bounding_box()
    box = page.locator(MAP).bounding_box()
    assert head["y"] >= 0 and head["y"] + head["height"] <= box["y"]
    assert box["height"] >= 320 and box["y"] + box["height"] <= H, box
    # The Leaflet map inside fills its frame (no grey band, no cut-off bottom).
    frame = presenter.map_frame()
    inner = frame.evaluate(
        "() => document.querySelector('#map_div').getBoundingClientRect().height"
    )
    assert abs(inner - box["height"]) <= 2, (inner, box)


def test_clicker_keys_move_slides_even_after_a_click_on_the_map(presenter, con):
    page = presenter.page
    heads = _headlines(con)
    total = len(heads)
    _wait_slide(page, total, total, heads[-1])
    steps = [
        ("PageUp", total - 1),
        ("ArrowLeft", total - 2),
        ("ArrowUp", total - 3),
        ("Space", total - 2),
        ("PageDown", total - 1),
        ("ArrowDown", total),
        ("ArrowLeft", total - 1),
        ("ArrowRight", total),
    ]
    for key, expect in steps:
        _click_map(presenter)
        page.keyboard.press(key)
        _wait_slide(page, expect, total, heads[expect - 1], f"{key} in the map")
    # The keys also work with the focus on the page itself.
    page.locator("h1.atlas-headline").click()
    page.keyboard.press("ArrowLeft")
    _wait_slide(page, total - 1, total, heads[total - 2], "ArrowLeft in the page")
    assert not presenter.real_errors(), (presenter.console_errors, presenter.failed_responses)
