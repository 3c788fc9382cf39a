"""Accessibility in headless Chromium (issue 18, WCAG 2.2 AA).

axe-core (the pinned npm release, fetched by ``scripts/setup.sh --browser``, see
``scripts/axe_core.py``) is injected into every frame of each of the eight pages (the
map's own frame, the deck's slides) and into an HTML map export and the HTML briefing
deck opened from ``file://``: none may have a serious or critical violation of the
WCAG 2.0/2.1/2.2 A and AA rules. Then, on one map page, the keyboard: Tab reaches the
skip link before the map, which moves the focus past it; the pan buttons move the map
and the zoom buttons zoom it when pressed with Enter; every control of the map is at
least 24 x 24 px with a name, and the focused one shows a ring.
"""

from __future__ import annotations

import importlib.util
import time

import duckdb
import pytest

from geo.mapaccess import FOCUS_RING, rgb
from tests.browser import OfflinePage, wait_for_app
from tests.conftest import REPO
from tests.journeys import QUIET

pytestmark = pytest.mark.browser

_spec = importlib.util.spec_from_file_location("axe_core", REPO / "scripts" / "axe_core.py")
axe_core = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(axe_core)

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Each frame is checked on its own (``iframes: false``): the deck's map frames are
# sandboxed with an opaque origin, where axe's frame messaging cannot reach.
RUN_AXE = (
    "async () => { const r = await axe.run(document, {iframes: false, runOnly: {type: 'tag', "
    f"values: {TAGS!r}}}}});"
    " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
    " nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,"
    " summary: (n.failureSummary || '').slice(0, 300)}))})); }"
)
BAD = ("serious", "critical")
MAP_PAGES = ["overview", "routes", "camps", "cities", "cifal"]
PAGES = [*MAP_PAGES, "briefing", "editor", "data"]
# The Data and sources page is checked in French: its <html lang> must say so.
QUERY = {"data": "?lang=fr"}

# The first Leaflet map of a frame: its centre and zoom.
MAP_VIEW = """() => {
    for (const k of Object.keys(window)) {
        let v; try { v = window[k]; } catch (e) { continue; }
        if (v instanceof L.Map) { const c = v.getCenter(); return [c.lat, c.lng, v.getZoom()]; }
    }
    return null;
}"""
# Every control a keyboard or pointer can reach in a map's frame: its box, its name, and
# (inputs) the box of its label, which is the target a click lands on.
TARGETS = """() => {
    const sel = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
    return Array.from(document.querySelectorAll(sel)).filter(el => {
        const s = getComputedStyle(el), r = el.getBoundingClientRect();
        return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0
            && !el.classList.contains('leaflet-container');
    }).map(el => {
        const box = el.closest('label') || el, r = box.getBoundingClientRect();
        const inline = el.tagName === 'A' && getComputedStyle(el).display === 'inline'
            && el.closest('p, .leaflet-control-attribution, .leaflet-popup-content');
        const label = el.closest('label');
        const name = (el.getAttribute('aria-label') || (label ? label.textContent : '')
            || el.title || el.textContent || '').trim();
        return {html: el.outerHTML.slice(0, 120), w: r.width, h: r.height, inline: !!inline, name};
    });
}"""
FOCUS = """() => {
    const el = document.activeElement, s = getComputedStyle(el);
    return [el.className, parseFloat(s.outlineWidth) || 0, s.outlineStyle, s.outlineColor];
}"""
RING = "rgb({}, {}, {})".format(*rgb(FOCUS_RING))  # geo.mapaccess's focus ring


@pytest.fixture(scope="module")
def axe_js():
    path = axe_core.path()
    if not path.exists():
        pytest.fail(f"axe-core missing at {path}: run bash scripts/setup.sh --browser")
    return str(path)


def axe_problems(page, axe_js) -> list[str]:
    """Serious and critical axe violations in every frame of a page, one line a node.

    Of a deck's slide maps (``about:srcdoc`` frames, each a map export under the same
    markup) the first is checked: the others differ only in their data.
    """
    found = []
    slides = 0
    for frame in page.frames:
        if frame.url in ("about:blank", "") or frame.is_detached():
            continue
        if frame.url.startswith("about:srcdoc"):
            slides += 1
            if slides > 1:
                continue
        try:
            frame.add_script_tag(path=axe_js)
            violations = frame.evaluate(RUN_AXE)
        except Exception as exc:  # noqa: BLE001 - a frame replaced while Streamlit reruns
            if "detached" in str(exc) or "destroyed" in str(exc):
                continue
            raise
        for v in violations:
            for n in v["nodes"]:
                if (n["impact"] or v["impact"]) in BAD:
                    found.append(
                        f"{frame.url[:60]}: {v['id']} ({n['impact'] or v['impact']}) "
                        f"{n['target']}: {n['summary']}"
                    )
    return found


def _open(browser, server, path: str, *, wait: bool = True):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    op = OfflinePage(context)
    # The overview is the default page, at the root.
    url = f"{server.url}/" + ("" if path == "overview" else path) + QUERY.get(path, "")
    op.page.goto(url, wait_until="commit")
    if wait:
        _ready(op, path)
    return context, op


def _ready(op, path: str) -> None:
    """Wait until the page has run and its map (the deck's first, on the briefing) drew."""
    op.page.wait_for_selector("[data-testid='stApp']", timeout=45000)
    if path != "briefing":  # the presenter page hides its title: the deck holds it
        wait_for_app(op.page)
    if path in MAP_PAGES or path == "briefing":
        op.map_frame(timeout=45)
        if path != "briefing":
            wait_for_app(op.page)  # the rerun the map's first report starts


# A map frame's controls once Leaflet's and our stylesheets apply (a map redrawn in its
# frame adds them again: for a moment its zoom buttons are bare 13 x 19 px links).
STYLED = """() => { const z = document.querySelector('.leaflet-control-zoom-in');
    return !z || z.getBoundingClientRect().width >= 24; }"""


def _styled(page, timeout_ms: int = 10000) -> None:
    """Wait until every map frame's controls are styled; a frame that never is stays
    as it is, for axe to report."""
    for frame in page.frames:
        try:
            frame.wait_for_function(STYLED, timeout=timeout_ms)
        except Exception:  # noqa: BLE001 - detached while Streamlit reruns, or never styled
            continue


@pytest.fixture(scope="module")
def opened(browser, server):
    """Every page, opened at once so their loads overlap; closed at the module's end."""
    pages = {path: _open(browser, server, path, wait=False) for path in PAGES}
    yield pages
    for context, _op in pages.values():
        context.close()


def _at_rest(page, quiet_ms: int = 1000) -> None:
    """Wait until no script has run for ``quiet_ms``: while one runs, Streamlit fades
    the elements it has not sent again yet, and axe would judge the faded text."""
    page.evaluate("() => { window.__atlasQuiet = undefined; window.__atlasSig = ''; }")
    page.wait_for_function(QUIET, arg=[quiet_ms], timeout=60_000, polling=100)


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_axe_violation(opened, axe_js, path):
    _context, op = opened[path]
    _ready(op, path)
    _styled(op.page)
    _at_rest(op.page)
    problems = axe_problems(op.page, axe_js)
    if any('data-stale="true"' in p for p in problems):
        # a rerun began during the scan (a late report of the map's view): the faded
        # page is not the page; scan it again at rest
        _at_rest(op.page)
        problems = axe_problems(op.page, axe_js)
    assert not problems, "\n".join(problems)
    want = "fr" if "lang=fr" in QUERY.get(path, "") else "en"
    assert op.page.evaluate("() => document.documentElement.lang") == want


@pytest.fixture(scope="module")
def files(db_path, tmp_path_factory):
    """An HTML map export of the routes page and the shipped briefing's HTML deck."""
    from geo.briefing import briefings
    from geo.deck import briefing_deck
    from geo.exports import standalone_html
    from geo.registry import export_of
    from geo.views import countries_of, direct_query, routes

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        q, countries = direct_query(con), countries_of(con)
        view = routes.build(q, countries, routes.RoutesState.from_params({}, routes.options(q))[0])
        exp = export_of("routes", view, q)
        export = standalone_html(
            view.spec,
            exp.title,
            exp.subtitle,
            citation=exp.citation,
            licence=exp.licence,
            caveat=exp.caveat,
        )
        deck = briefing_deck(briefings()[0], q, countries, public_url="https://atlas.example.org")
    finally:
        con.close()
    out = tmp_path_factory.mktemp("a11y")
    (out / "export.html").write_text(export, encoding="utf-8")
    (out / "deck.html").write_text(deck, encoding="utf-8")
    return out


@pytest.mark.parametrize("name", ["export.html", "deck.html"])
def test_export_and_deck_have_no_serious_axe_violation(browser, axe_js, files, name):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        op = OfflinePage(context)
        op.page.goto((files / name).as_uri())
        frame = op.map_frame()
        problems = axe_problems(op.page, axe_js)
        assert not problems, "\n".join(problems)
        assert not op.blocked, op.blocked
        # the exported map has the pan buttons too (the deck's maps are exports)
        assert frame.locator("button[class^='atlas-pan-']").count() == 4
    finally:
        context.close()


def _focused(page) -> str:
    return page.evaluate(
        "() => (document.activeElement.className || '') + '|' + (document.activeElement.id || '')"
    )


def test_keyboard_skip_link_pan_zoom_targets_focus(opened):
    _context, op = opened["overview"]  # checked by axe already: moving it is fine now
    page = op.page
    _ready(op, "overview")
    frame = op.map_frame()
    # From the top of the page, Tab reaches the skip link before the map.
    page.locator("body").focus()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(60):
        page.keyboard.press("Tab")
        if "atlas-skip" in _focused(page):
            break
    else:
        raise AssertionError(f"Tab never reached the skip link; last: {_focused(page)}")
    skip = page.locator("a.atlas-skip")
    assert skip.inner_text().strip() == "Skip past the map"
    box = skip.bounding_box()
    assert box and box["width"] >= 24 and box["height"] >= 24, box  # seen when focused
    map_box = frame.frame_element().bounding_box()
    assert map_box["y"] - 1 <= box["y"] <= map_box["y"] + 60, (box, map_box)  # at the map
    got = page.evaluate(FOCUS)  # the page's own focus ring on its links and buttons
    assert got[1] >= 2 and got[2] == "solid" and got[3] == RING, got
    # Enter moves the focus past the map: the next Tab lands below the map's frame.
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => (document.activeElement.id || '').startsWith('atlas-after-')", timeout=5000
    )
    page.keyboard.press("Tab")
    below = page.evaluate("() => document.activeElement.getBoundingClientRect().top")
    map_box = frame.frame_element().bounding_box()  # the page has scrolled
    assert below >= map_box["y"] + map_box["height"] - 1, (below, map_box)

    # The pan buttons move the map, by keyboard (focus + Enter).
    start = frame.evaluate(MAP_VIEW)
    for direction, moved in (("right", lambda a, b: b[1] > a[1]), ("down", None)):
        before = frame.evaluate(MAP_VIEW)
        frame.focus(f"button.atlas-pan-{direction}")
        frame.page.keyboard.press("Enter")
        time.sleep(0.6)  # Leaflet's pan animation
        after = frame.evaluate(MAP_VIEW)
        assert after[:2] != before[:2], (direction, before, after)
        if moved:
            assert moved(before, after), (direction, before, after)
    assert frame.evaluate(MAP_VIEW)[0] < start[0]  # down shows what lies south
    # The zoom buttons zoom, by keyboard.
    z0 = frame.evaluate(MAP_VIEW)[2]
    frame.focus("a.leaflet-control-zoom-in")
    page.keyboard.press("Enter")
    frame.wait_for_function(f"() => ({MAP_VIEW})()[2] > {z0}", timeout=5000)
    time.sleep(0.6)  # Leaflet ignores a zoom asked for while it animates the last one
    z1 = frame.evaluate(MAP_VIEW)[2]
    frame.focus("a.leaflet-control-zoom-out")
    page.keyboard.press("Enter")
    frame.wait_for_function(f"() => ({MAP_VIEW})()[2] < {z1}", timeout=5000)
    # The control focused by keyboard shows the map's focus ring.
    for cls in ("leaflet-control-zoom-out", "atlas-pan-up"):
        frame.focus(f".{cls}")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # a keyboard's focus, so :focus-visible applies
        got = frame.evaluate(FOCUS)
        assert cls in got[0] and got[1] >= 2 and got[2] == "solid" and got[3] == RING, got
    # Every control of the map: at least 24 x 24 px (inline text links excepted),
    # and a name.
    targets = frame.evaluate(TARGETS)
    assert len(targets) >= 8, targets  # zoom 2, pan 4, legend button, layer rows
    small = [t for t in targets if not t["inline"] and (t["w"] < 24 or t["h"] < 24)]
    assert not small, small
    unnamed = [t for t in targets if not t["name"]]
    assert not unnamed, unnamed


def test_deck_skip_link_and_space_on_a_map_button(browser, files):
    """In the HTML deck, Tab reaches the slide's skip link, which moves the focus to the
    slide's footer (its buttons); Space on a map's pan button pans, not the slides."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        op = OfflinePage(context)
        page = op.page
        page.goto((files / "deck.html").as_uri())
        frame = op.map_frame()
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "skip"
        assert page.evaluate("() => document.activeElement.textContent") == "Skip past the map"
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "slide-1-end"
        page.keyboard.press("Tab")  # on to the footer's link or buttons, not into the map
        assert page.evaluate("() => !!document.activeElement.closest('#slide-1 footer')")
        before = frame.evaluate(MAP_VIEW)
        frame.focus("button.atlas-pan-right")
        page.keyboard.press(" ")
        time.sleep(0.6)
        assert frame.evaluate(MAP_VIEW)[1] > before[1]
        assert page.evaluate("() => window.atlasDeck.current()") == 1
        # Space on the deck's own "previous" button presses it (not "next slide").
        page.evaluate("() => window.atlasDeck.show(2)")
        page.focus("#slide-2 button[data-action='prev']")
        page.keyboard.press(" ")
        page.wait_for_function("() => window.atlasDeck.current() === 1", timeout=5000)
    finally:
        context.close()
