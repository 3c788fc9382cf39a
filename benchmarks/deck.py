"""Slide steps of a briefing's HTML deck (:func:`geo.deck.briefing_deck`) in headless
Chromium, opened from ``file://`` with no network.

A step is timed from the key press (Playwright's ``keyboard.press``) until the next
slide is the one shown, with its headline, and its map has drawn: its frame's Leaflet
map holds vector features and the frame has painted twice since (two animation frames,
so a frame the browser kept from rendering while hidden has caught up). The times are
wall clock in this process and include Playwright's round trips of the polling (a few
ms each): an upper bound of what a presenter sees.

Steps are taken once the deck has loaded every map (a presenter speaks for longer than
that before the first key press): forward through every slide, then back to the first.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from tests.browser import COUNT_FEATURES

TIMEOUT_S = 20
PAUSE_MS = 250  # between steps, as a presenter pauses (and the previous step settles)
# In the slide's frame: features drawn, then two animation frames painted.
DRAWN = (
    f"async () => {{ if (!(({COUNT_FEATURES})() > 0)) {{ return false; }}"
    " await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));"
    " return true; }"
)
SHOWN = (
    "([n, headline]) => { const s = document.getElementById('slide-' + n);"
    " return !!s && s.classList.contains('current') && getComputedStyle(s).visibility === 'visible'"
    " && s.querySelector('.headline').textContent === headline; }"
)


def _wait_drawn(page, frame, n: int, headline: str, t0: float) -> float:
    """Seconds from ``t0`` until slide ``n`` is shown with its headline and map drawn."""
    while time.perf_counter() - t0 < TIMEOUT_S:
        if page.evaluate(SHOWN, [n, headline]) and (frame is None or frame.evaluate(DRAWN)):
            return time.perf_counter() - t0
    raise TimeoutError(f"slide {n} not shown and drawn within {TIMEOUT_S} s")


def _stats(ms: list[float]) -> dict:
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms)),
        "max_ms": round(max(ms)),
        "steps_ms": [round(v) for v in ms],
    }


def measure_deck(db: Path, *, log=print, workdir: Path | None = None) -> dict:
    """Time every slide step of the first shipped briefing's deck.

    Parameters
    ----------
    db : Path
        A built database.
    log : callable
        Progress lines.
    workdir : Path, optional
        Where the deck file is written (default: a temporary folder).

    Returns
    -------
    dict
        ``briefing``, ``slides``, ``deck_bytes``, ``build_s`` (Python, every slide),
        ``open_ms`` (file opened to slide 1 drawn), ``median_ms``, ``max_ms``,
        ``steps_ms`` (forward then back), ``blocked`` (requests other than
        ``file:``/``data:``/``about:``, refused: must be 0).
    """
    import duckdb
    from playwright.sync_api import sync_playwright

    from benchmarks.paint import launch_offline_browser
    from geo.briefing import BriefingError, briefings, render_slide
    from geo.deck import briefing_deck
    from geo.views import countries_of, direct_query

    con = duckdb.connect(str(db), read_only=True)
    try:
        q, countries = direct_query(con), countries_of(con)
        b = briefings()[0]
        t0 = time.perf_counter()
        deck = briefing_deck(b, q, countries)
        build_s = time.perf_counter() - t0
        heads = {}
        for n in range(1, len(b.slides) + 1):
            try:
                heads[n] = render_slide(b, n, q, countries).headline
            except BriefingError:
                heads[n] = f"Slide {n} cannot be shown"
    finally:
        con.close()
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        path = Path(tmp) / "deck.html"
        path.write_text(deck, encoding="utf-8")
        with sync_playwright() as p:
            browser = launch_offline_browser(p.chromium)
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 720})
                blocked: list[str] = []

                def route(r) -> None:
                    if r.request.url.startswith(("file:", "data:", "about:")):
                        r.continue_()
                    else:
                        blocked.append(r.request.url)
                        r.abort()

                context.route("**/*", route)
                page = context.new_page()
                t0 = time.perf_counter()
                page.goto(path.as_uri(), wait_until="commit")
                frames = {}
                for n in heads:
                    el = page.wait_for_selector(f"#slide-{n}", state="attached")
                    iframe = el.query_selector("iframe")
                    frames[n] = iframe.content_frame() if iframe else None
                open_s = _wait_drawn(page, frames[1], 1, heads[1], t0)
                # Every map loaded (the deck loads them one after another).
                for frame in frames.values():
                    if frame is not None:
                        frame.wait_for_function(f"({COUNT_FEATURES})() > 0", timeout=60_000)
                order = list(range(2, len(heads) + 1)) + list(range(len(heads) - 1, 0, -1))
                steps = []
                for i, n in enumerate(order):
                    page.wait_for_timeout(PAUSE_MS)
                    key = "ArrowRight" if i < len(heads) - 1 else "ArrowLeft"
                    t0 = time.perf_counter()
                    page.keyboard.press(key)
                    steps.append(_wait_drawn(page, frames[n], n, heads[n], t0) * 1000)
                version = browser.version
            finally:
                browser.close()
    out = {
        "briefing": b.key,
        "slides": len(heads),
        "deck_bytes": len(deck.encode()),
        "build_s": round(build_s, 2),
        "open_ms": round(open_s * 1000),
        "blocked": len(blocked),
        "chromium": version,
        **(_stats(steps) if steps else {"n": 0, "median_ms": None, "max_ms": None}),
    }
    log(
        f"    deck of {b.key!r}: {out['slides']} slides, {out['deck_bytes'] / 1e6:.1f} MB, "
        f"built in {out['build_s']} s, opened in {out['open_ms']} ms; slide steps "
        f"{out.get('steps_ms')} ms"
    )
    return out


__all__ = ["measure_deck"]
