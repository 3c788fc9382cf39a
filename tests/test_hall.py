"""The hall test's instruments (issue 19): the protocol-level viewer
(:mod:`benchmarks.stclient`) against a real server, checked against Chromium on the
same links, and the hall's links themselves.

The full hall (200 viewers within 60 s, 1 server and 2 or 3 behind nginx) is
``python -m benchmarks.hall``; its figures are in the README's "Audience scale".
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from benchmarks import stclient
from benchmarks.hall import hall_plan
from geo.briefing import read_briefings, render_slide
from geo.pages import PAGES
from geo.views import countries_of, direct_query
from tests.conftest import REPO

SMOKE_VIEWERS = 10


def test_every_slide_link_opens_a_page_of_the_app(con):
    """A slide's link (its QR code in the deck and the PDF) names a page Streamlit
    serves: the first page is the root, since a default page has no path of its own
    (``/overview`` shows Streamlit's "Page not found")."""
    q, countries = direct_query(con), countries_of(con)
    served = {""} | {p.key for p in PAGES[1:]}
    (b, *_), _ = read_briefings()
    paths = [
        urlsplit(render_slide(b, n, q, countries).link).path for n in range(1, len(b.slides) + 1)
    ]
    assert all(p.startswith("/") for p in paths)
    assert [p for p in paths if p[1:] not in served] == []
    # the shipped briefing opens on the first page: its link is the root
    assert b.slides[0].page == PAGES[0].key and paths[0] == "/"


def test_viewers_get_their_maps(server, db_path):
    """Ten protocol viewers within two seconds: each opens the briefing link, gets the
    deck, goes to a slide's map page in the same tab and gets its map, with no error."""
    plans = hall_plan(db_path)

    async def hall():
        async def one(i):
            await asyncio.sleep(i * 0.2)
            return await stclient.view(server.url, i, plans[i % len(plans)], timeout=90)

        return await asyncio.gather(*(one(i) for i in range(SMOKE_VIEWERS)))

    # in a thread of its own: a browser test run before in this worker may hold the
    # main thread's event loop (Playwright's sync API)
    with ThreadPoolExecutor(1) as pool:
        viewers = pool.submit(asyncio.run, hall()).result()
    problems = [(v.n, v.errors, [s.errors for s in v.steps]) for v in viewers if not v.ok]
    assert problems == []
    for v in viewers:
        briefing, page = v.steps
        assert briefing.map_kind == "deck" and briefing.map_bytes > 100_000
        assert briefing.http_requests > 10 and briefing.http_bytes > 100_000
        # the map page ran twice: once by the click, once by the map's report
        assert page.map_kind in ("st_folium", "ref") and page.runs == 2
        assert 0 < briefing.map_s <= briefing.finished_s
        assert page.ws_bytes > 0 and page.elements["script_finished"] == 2
    assert {v.steps[1].page for v in viewers} == {p[1][1] for p in plans}


def _browser_frames(browser, url: str, timeout: float = 40) -> list[bytes]:
    """The websocket frames a Chromium tab receives opening ``url``, until its map has
    drawn, the run its report causes has finished, and the page has been quiet for a
    second and a half."""
    from tests.browser import COUNT_FEATURES, OfflinePage

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    frames: list[bytes] = []
    last = [time.monotonic()]

    def on_ws(ws):
        def got(payload):
            frames.append(payload if isinstance(payload, bytes) else payload.encode())
            last[0] = time.monotonic()

        ws.on("framereceived", got)

    try:
        page = OfflinePage(context)
        page.page.on("websocket", on_ws)
        page.page.goto(url)
        deadline = time.monotonic() + timeout
        drawn = False
        while time.monotonic() < deadline:
            page.page.wait_for_timeout(250)
            if not drawn:
                for f in page.page.frames:
                    try:
                        drawn = drawn or bool(f.evaluate(COUNT_FEATURES))
                    except Exception:  # noqa: BLE001 - frames come and go
                        continue
            # a map's component reports its view once drawn, which reruns the page:
            # wait for that run too
            seen = stclient.summary(frames) if drawn else {}
            if drawn and time.monotonic() - last[0] > 1.5:
                if not seen["maps"].count("st_folium") or seen["runs"] >= 2:
                    break
        assert drawn, f"no map drawn at {url}"
        assert page.real_errors() == [] and page.blocked == []
        return frames
    finally:
        context.close()


@pytest.mark.browser
def test_protocol_viewer_receives_what_chromium_receives(server, db_path, browser):
    """Two links (the briefing, a map page with filters) opened by Chromium and by the
    protocol viewer: the same runs (the map's report reruns the page), the same maps,
    the same kinds of elements, and bytes within 10 %."""
    plans = hall_plan(db_path)
    routes = next(p[1] for p in plans if p[1][1] == "routes")
    links = [plans[0][0], routes]
    for name, path, query in links:
        url = f"{server.url}/{path}" + (f"?{query}" if query else "")
        seen = stclient.summary(_browser_frames(browser, url))
        frames: list[bytes] = []
        # in a thread of its own: Playwright's sync API holds this thread's event loop
        with ThreadPoolExecutor(1) as pool:
            coro = stclient.view(server.url, 0, [(name, path, query)], record=frames)
            v = pool.submit(asyncio.run, coro).result()
        assert v.ok, (v.errors, [s.errors for s in v.steps])
        ours = stclient.summary(frames)
        assert ours["runs"] == seen["runs"], (url, ours, seen)
        assert ours["maps"] == seen["maps"], (url, ours, seen)
        assert set(ours["kinds"]) == set(seen["kinds"]), (url, ours["kinds"], seen["kinds"])
        assert abs(ours["bytes"] - seen["bytes"]) <= 0.1 * seen["bytes"], (url, ours, seen)


def test_todays_code_runs_apart_without_the_packages_it_did_not_have():
    """``--base-commit`` checks the commit out apart, and its servers cannot import what
    its requirements lacked (uvloop and httptools came with issue 19)."""
    import subprocess
    import sys

    from benchmarks.hall import BASE_COMMIT, hidden, missing_requirements, worktree

    with worktree(BASE_COMMIT) as repo:
        assert (repo / "app.py").exists()
        missing = missing_requirements(repo)
    assert missing == ("uvloop", "httptools")
    assert missing_requirements(REPO) == ()
    with hidden(missing) as folder:
        probe = "import uvloop"
        run = subprocess.run(
            [sys.executable, "-c", probe],
            env={"PYTHONPATH": folder},
            capture_output=True,
            text=True,
        )
    assert run.returncode == 1 and "uvloop hidden" in run.stderr, run.stderr
