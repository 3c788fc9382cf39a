"""The shipped briefing's HTML deck in headless Chromium, opened from ``file://`` with
every request but ``file:``/``data:``/``about:`` refused (issue 16): every slide shows
its headline and draws its map, keys step through them even after a click on a map
(which does not pan), the URL's hash follows, the presenter view shows the notes and
follows, and an embedding page hears of each slide and can move the deck; a hash in
the URL names the first slide."""

from __future__ import annotations

import dataclasses
import json

import duckdb
import pytest

from geo.briefing import briefings, render_slide
from geo.deck import briefing_deck
from geo.views import countries_of, direct_query
from tests.browser import COUNT_FEATURES

pytestmark = pytest.mark.browser

NOTES = "First point: <b>minimum</b> estimates.\nSecond line."
LOCAL = ("file:", "data:", "about:")
MAP_CENTER = """() => {
    for (const k of Object.keys(window)) {
        let v; try { v = window[k]; } catch (e) { continue; }
        if (v instanceof L.Map) { const c = v.getCenter(); return [c.lat, c.lng]; }
    }
    return null;
}"""
# The visible slide's number, headline and whether its footer is inside the window.
SHOWN = """() => {
    const s = document.querySelector('.slide.current');
    const f = s.querySelector('footer').getBoundingClientRect();
    const m = s.querySelector('.map');
    return [s.id, s.querySelector('.headline').textContent, getComputedStyle(s).visibility,
            f.bottom <= innerHeight + 0.5, m ? m.getBoundingClientRect().height : 0,
            document.scrollingElement.scrollHeight <= innerHeight];
}"""


@pytest.fixture(scope="module")
def deck_file(db_path, tmp_path_factory):
    """(the shipped briefing's deck file, with notes on slide 2; its headlines)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        q, countries = direct_query(con), countries_of(con)
        b = briefings()[0]
        b.slides[1] = dataclasses.replace(b.slides[1], notes=NOTES)
        heads = [render_slide(b, n, q, countries).headline for n in range(1, len(b.slides) + 1)]
        deck = briefing_deck(b, q, countries, public_url="https://atlas.example.org")
    finally:
        con.close()
    path = tmp_path_factory.mktemp("deck") / "deck.html"
    path.write_text(deck, encoding="utf-8")
    return path, heads


def _offline(browser, requested: list[str]):
    context = browser.new_context(viewport={"width": 1280, "height": 720})

    def route(r):
        requested.append(r.request.url)
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    return context


def _frame(page, n: int):
    return page.locator(f"#slide-{n} iframe").element_handle().content_frame()


def _wait_slide(page, n: int, headline: str):
    page.wait_for_function(
        "([id, h]) => { const s = document.querySelector('.slide.current');"
        " return s && s.id === id && s.querySelector('.headline').textContent === h; }",
        arg=[f"slide-{n}", headline],
        timeout=5000,
    )
    _frame(page, n).wait_for_function(f"({COUNT_FEATURES})() > 0", timeout=15000)


def test_deck_offline_keys_maps_presenter(browser, deck_file):
    path, heads = deck_file
    total = len(heads)
    requested: list[str] = []
    errors: list[str] = []
    context = _offline(browser, requested)
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(path.as_uri())
        _wait_slide(page, 1, heads[0])
        assert page.evaluate("location.hash") == "#1"

        # Every slide in turn, by each "next" key; each fits 1280x720 with its map.
        keys = ["ArrowRight", "PageDown", " ", "ArrowDown"]
        for n in range(1, total + 1):
            if n > 1:
                page.keyboard.press(keys[n % len(keys)])
                _wait_slide(page, n, heads[n - 1])
            sid, head, vis, fits, map_h, no_scroll = page.evaluate(SHOWN)
            assert (sid, head, vis) == (f"slide-{n}", heads[n - 1], "visible")
            assert fits and no_scroll and map_h > 250, (n, fits, no_scroll, map_h)
            assert page.evaluate("location.hash") == f"#{n}"
        page.keyboard.press("ArrowRight")  # past the last: stays
        assert page.evaluate(SHOWN)[0] == f"slide-{total}"
        page.keyboard.press("Home")
        _wait_slide(page, 1, heads[0])
        page.keyboard.press("End")
        _wait_slide(page, total, heads[-1])
        page.keyboard.press("Shift+ ")
        _wait_slide(page, total - 1, heads[-2])
        for _ in range(total - 2):
            page.keyboard.press("ArrowLeft" if _ % 2 else "PageUp")
        _wait_slide(page, 1, heads[0])

        # A click on the map gives it the keys: they still move the deck, not the map.
        page.keyboard.press("ArrowRight")
        _wait_slide(page, 2, heads[1])
        frame = _frame(page, 2)
        before = frame.evaluate(MAP_CENTER)
        box = page.locator("#slide-2 .map").bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6)
        assert frame.evaluate("document.hasFocus()")
        page.keyboard.press("ArrowRight")
        _wait_slide(page, 3, heads[2])
        page.keyboard.press("ArrowLeft")
        _wait_slide(page, 2, heads[1])
        page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6)
        page.keyboard.press("PageDown")
        _wait_slide(page, 3, heads[2])
        page.wait_for_timeout(300)  # a pan would animate in this time
        assert frame.evaluate(MAP_CENTER) == before
        page.keyboard.press("ArrowUp")  # the focus is still in slide 2's map
        _wait_slide(page, 2, heads[1])

        # Presenter view: notes as text, next headline, slide number, follows both ways.
        with page.expect_popup() as info:
            page.keyboard.press("p")
        pv = info.value
        pv.wait_for_function("() => document.getElementById('notes')")
        assert pv.inner_text("#notes") == NOTES
        assert pv.inner_text("#count") == f"Slide 2 of {total}"
        assert pv.inner_text("#headline") == heads[1]
        assert pv.inner_text("#next") == heads[2]
        assert pv.locator("#notes b").count() == 0
        assert pv.inner_text("#clock").count(":") == 1
        page.keyboard.press("ArrowRight")
        # The presenter window follows by a message: wait for it (a loaded machine lags).
        pv.wait_for_function(
            "(t) => document.getElementById('count').innerText === t",
            arg=f"Slide 3 of {total}",
            timeout=10_000,
        )
        assert pv.inner_text("#headline") == heads[2]
        assert pv.inner_text("#notes") != NOTES
        pv.keyboard.press("ArrowLeft")
        _wait_slide(page, 2, heads[1])
        pv.wait_for_function(
            "(t) => document.getElementById('count').innerText === t",
            arg=f"Slide 2 of {total}",
            timeout=10_000,
        )
        assert pv.inner_text("#notes") == NOTES
        pv.close()

        assert errors == []
    finally:
        context.close()
    assert requested and all(u.startswith(LOCAL) for u in requested), [
        u for u in requested if not u.startswith(LOCAL)
    ][:5]


def test_deck_embedded_talks_to_its_parent(browser, deck_file):
    path, heads = deck_file
    host = path.parent / "host.html"
    host.write_text(
        "<!doctype html><title>host</title><script>window.heard = [];"
        "addEventListener('message', e => window.heard.push(e.data));</script>"
        f"<iframe id='d' src={json.dumps(path.name + '#5')} style='width:1280px;height:720px'>"
        "</iframe>",
        encoding="utf-8",
    )
    requested: list[str] = []
    context = _offline(browser, requested)
    try:
        page = context.new_page()
        page.goto(host.as_uri())
        # The hash names the first slide (a reload stays on the slide shown).
        page.wait_for_function("() => window.heard.some(d => d && d.atlasDeckSlide === 5)")
        assert page.evaluate("window.heard.filter(d => d && 'atlasDeckSlide' in d)") == [
            {"atlasDeckSlide": 5}
        ]
        page.evaluate(
            "document.getElementById('d').contentWindow.postMessage({atlasDeckGo: 4}, '*')"
        )
        page.wait_for_function("() => window.heard.some(d => d && d.atlasDeckSlide === 4)")
        deck = page.frame_locator("#d")
        assert deck.locator(".slide.current .headline").inner_text() == heads[3]
        # Out of range or not a number: ignored.
        page.evaluate(
            "const w = document.getElementById('d').contentWindow;"
            "w.postMessage({atlasDeckGo: 99}, '*'); w.postMessage({atlasDeckGo: 'x'}, '*');"
        )
        page.wait_for_timeout(100)
        assert deck.locator(".slide.current .headline").inner_text() == heads[3]
    finally:
        context.close()
    assert all(u.startswith(LOCAL) for u in requested)
