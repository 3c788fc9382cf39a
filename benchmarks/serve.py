"""What a page view costs the server, and how long a filter change takes to redraw the
map, in headless Chromium against ``streamlit run`` (issue 19).

Both are measured twice in one benchmark run: with the app as it is, and with
``ATLAS_VIEW_CACHE=0``, which turns off the per-state cache of built views and maps
(geo/cache.py ``view``, app_pages/_mapframe.py) and gives today's figures honestly.

* Server CPU per page view: the server process's user + system CPU time
  (``/proc/<pid>/stat``) over a number of page views, each a fresh browser context
  opening a page's URL until the map has drawn and the page is at rest (the map's view
  report and the sections below it done). "Same state" views open one URL again and
  again (after one view that warms the server); "new state" views open URLs the server
  has not seen (another filter each).
* Filter change to map redrawn: on Deadly routes, a region is added to (or removed from)
  the sidebar's Region filter, as a user does; the clock runs from the click on the
  option until the Leaflet map in the page's frame draws the new selection (its vector
  features differ from before the click and stay so for :data:`STABLE_MS`; the time is
  that of the first poll showing them). Additions are new states, removals return to a
  state already seen.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from urllib.parse import quote

from benchmarks.paint import APP_READY, PROBE, _offline_page, launch_offline_browser
from tests.browser import Server
from tests.journeys import QUIET

POLL_MS = 25
STABLE_MS = 400
VIEWPORT = {"width": 1440, "height": 1000}

# A signature of what the map frame's Leaflet map draws: the count of its vector
# features and a checksum of their positions (a region filter changes both).
MAP_SIG = """() => {
    if (typeof L === 'undefined' || !window.map || !(window.map instanceof L.Map)) { return null; }
    let n = 0, s = 0;
    const walk = (l) => {
        if (l instanceof L.CircleMarker) { const p = l.getLatLng(); n++; s += p.lat * 7 + p.lng * 3; }
        else if (l instanceof L.Path) { n++; }
        if (l.eachLayer) { l.eachLayer(walk); }
    };
    window.map.eachLayer(walk);
    return n ? n + ':' + s.toFixed(3) : null;
}"""


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its waited-for children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return sum(int(f) for f in fields[11:15]) / tick


def _map_sig(page) -> str | None:
    for frame in page.frames:
        if "streamlit_folium" not in frame.url:
            continue
        try:
            sig = frame.evaluate(MAP_SIG)
        except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
            continue
        if sig:
            return sig
    return None


def _drawn(page) -> bool:
    """Whether a frame of the page (st_folium's, or the Briefing's deck) shows a map."""
    for frame in page.frames:
        try:
            if frame.evaluate(PROBE) > 0:
                return True
        except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
            continue
    return False


def _settle(page, timeout: float = 60, quiet_ms: int = 600, has_map: bool = True) -> None:
    """Wait until the map has drawn and the page has not run its script for ``quiet_ms``."""
    deadline = time.time() + timeout
    while has_map and not _drawn(page):
        if time.time() > deadline:
            raise TimeoutError("the map did not draw")
        page.wait_for_timeout(100)
    page.evaluate("() => { window.__atlasQuiet = undefined; window.__atlasSig = ''; }")
    page.wait_for_function(QUIET, arg=[quiet_ms], timeout=timeout * 1000, polling=100)
    page.wait_for_function(
        "() => !document.body.innerText.includes('Loading once the map has drawn')",
        timeout=timeout * 1000,
    )


def _view(browser, url: str, timeout: float, has_map: bool = True) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page, __ = _offline_page(context)
        page.goto(url, wait_until="commit", timeout=timeout * 1000)
        if not has_map:  # (the Briefing shows no title: its deck's map is the sign)
            page.wait_for_function(APP_READY, timeout=timeout * 1000, polling=100)
        _settle(page, timeout, has_map=has_map)
    finally:
        context.close()


def cpu_per_view(
    server: Server, browser, paths: list[str], timeout: float = 60, warm: str | None = None
) -> float:
    """Server CPU seconds per page view over ``paths`` (one view each), after ``warm``."""
    if warm:
        _view(browser, f"{server.url}/{warm}", timeout)
    c0 = _cpu_seconds(server.proc.pid)
    for path in paths:
        _view(browser, f"{server.url}/{path}", timeout)
    return (_cpu_seconds(server.proc.pid) - c0) / max(1, len(paths))


def cpu_per_view_returning(
    server: Server, browser, path: str, n: int, timeout: float = 60
) -> float:
    """Server CPU seconds per view of ``path`` reopened ``n`` times in one browser (its
    HTTP cache holds Streamlit's and the map frame's static files): the app's own cost."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page, __ = _offline_page(context)
        page.goto(f"{server.url}/{path}", wait_until="commit", timeout=timeout * 1000)
        _settle(page, timeout)
        c0 = _cpu_seconds(server.proc.pid)
        for _ in range(n):
            page.goto(f"{server.url}/{path}", wait_until="commit", timeout=timeout * 1000)
            _settle(page, timeout)
        return (_cpu_seconds(server.proc.pid) - c0) / max(1, n)
    finally:
        context.close()


def _region_box(page):
    return (
        page.locator("[data-testid='stMultiSelect']")
        .filter(has=page.locator("[data-testid='stWidgetLabel']", has_text="Region"))
        .first
    )


def _wait_redrawn(page, before: str | None, t0: float, timeout: float) -> float | None:
    """Seconds from ``t0`` to the first poll whose map signature differs from ``before``
    and holds for :data:`STABLE_MS`; None on time-out."""
    first, sig = None, None
    while time.perf_counter() - t0 < timeout:
        now_sig = _map_sig(page)
        t = time.perf_counter()
        if now_sig and now_sig != before:
            if now_sig != sig:
                first, sig = t, now_sig
            elif (t - first) * 1000 >= STABLE_MS:
                return first - t0
        else:
            first, sig = None, None
        page.wait_for_timeout(POLL_MS)
    return None


def redraw_times(server: Server, browser, regions: list[str], timeout: float = 30) -> dict:
    """Filter change to map redrawn on Deadly routes: add, then remove, each region."""
    context = browser.new_context(viewport=VIEWPORT)
    added: list[float | None] = []
    removed: list[float | None] = []
    try:
        page, __ = _offline_page(context)
        page.goto(f"{server.url}/routes", wait_until="commit", timeout=60_000)
        _settle(page)
        for region in regions:
            box = _region_box(page)
            inp = box.locator("input[role='combobox']")
            inp.click()
            inp.fill(region)
            option = page.get_by_role("option", name=region, exact=True).first
            option.wait_for(timeout=10_000)
            before = _map_sig(page)
            t0 = time.perf_counter()
            option.click()
            added.append(_wait_redrawn(page, before, t0, timeout))
            page.keyboard.press("Escape")
            _settle(page)
            tag = _region_box(page).locator("[data-tag]").filter(has_text=region).first
            before = _map_sig(page)
            t0 = time.perf_counter()
            tag.locator("button").first.click()
            removed.append(_wait_redrawn(page, before, t0, timeout))
            _settle(page)
    finally:
        context.close()
    return {"added_s": added, "removed_s": removed}


def _pct(values: list[float], p: float) -> float | None:
    vals = sorted(values)
    if not vals:
        return None
    k = (len(vals) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (k - lo)


def summarise_redraw(raw: dict) -> dict:
    """p50 / p95 in milliseconds of all changes, and of the additions (new states)."""
    every = [t for t in raw["added_s"] + raw["removed_s"] if t is not None]
    new = [t for t in raw["added_s"] if t is not None]
    timed_out = sum(t is None for t in raw["added_s"] + raw["removed_s"])

    def ms(v):
        return None if v is None else round(v * 1000)

    return {
        "samples": len(every) + timed_out,
        "timed_out": timed_out,
        "p50_ms": ms(statistics.median(every)) if every else None,
        "p95_ms": ms(_pct(every, 95)),
        "new_state_p50_ms": ms(statistics.median(new)) if new else None,
        "new_state_p95_ms": ms(_pct(new, 95)),
        "runs_ms": [ms(t) for t in raw["added_s"] + raw["removed_s"]],
    }


def route_links(regions: list[str]) -> list[str]:
    """Deadly routes URLs of one region each (states a fresh server has not built)."""
    return [f"routes?regions={quote(r)}" for r in regions]


def measure(
    db: Path,
    regions: list[str],
    *,
    views: int = 4,
    redraws: int = 4,
    timeout: float = 60,
    log=print,
) -> dict:
    """Server CPU per page view and filter redraw times, cache on and off.

    Parameters
    ----------
    db : Path
        The database to serve (the real one).
    regions : list of str
        Region names of the incidents (the filter the views and redraws change).
    views : int
        Page views per figure (same state: one URL ``views`` times after a warm-up;
        new state: ``views`` URLs of one region each).
    redraws : int
        Regions added then removed on Deadly routes (2 * ``redraws`` changes).
    """
    from playwright.sync_api import sync_playwright

    out: dict = {}
    for label, env in (("cached", {}), ("today", {"ATLAS_VIEW_CACHE": "0"})):
        res: dict = {"cpu_per_view_s": {}}
        server = Server(db, env=env, log_prefix=f"bench-serve-{label}")
        try:
            with sync_playwright() as p:
                browser = launch_offline_browser(p.chromium)
                try:
                    _view(browser, f"{server.url}/data", timeout, has_map=False)  # imports
                    cpu = res["cpu_per_view_s"]
                    for page in ("routes", "overview", "briefing"):
                        cpu[f"{page} same state"] = round(
                            cpu_per_view(server, browser, [page] * views, timeout, warm=page), 3
                        )
                    new = route_links(regions[views : 2 * views])
                    cpu["routes new state"] = round(cpu_per_view(server, browser, new, timeout), 3)
                    cpu["routes same state, returning browser"] = round(
                        cpu_per_view_returning(server, browser, "routes", views, timeout), 3
                    )
                    log(f"    server CPU per view ({label}): {cpu}")
                    raw = redraw_times(server, browser, regions[:redraws])
                    res["redraw"] = summarise_redraw(raw)
                    log(f"    filter change to map redrawn ({label}): {res['redraw']}")
                finally:
                    browser.close()
        finally:
            server.stop()
        out[label] = res
    return out


# Issue 19's targets: server CPU per page view, filter change to map redrawn (p95).
CPU_PER_VIEW_S = 0.15
REDRAW_P95_MS = 400


def regions_of(db: Path) -> list[str]:
    """The incidents' regions, most incidents first (the filter values used)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT region FROM incidents WHERE region IS NOT NULL "
            "GROUP BY region ORDER BY count(*) DESC, region"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def checks(serve: dict) -> dict[str, dict]:
    """Pass/fail of the cached figures against :data:`CPU_PER_VIEW_S` and
    :data:`REDRAW_P95_MS` (today's figures are shown beside them, not judged)."""
    now = serve["cached"]
    out = {
        f"server CPU per view, {what}": {
            "value": v,
            "target": CPU_PER_VIEW_S,
            "pass": v is not None and v <= CPU_PER_VIEW_S,
        }
        for what, v in now["cpu_per_view_s"].items()
    }
    p95 = now["redraw"]["p95_ms"]
    out["filter change to map redrawn, p95 ms"] = {
        "value": p95,
        "target": REDRAW_P95_MS,
        "pass": p95 is not None and p95 <= REDRAW_P95_MS and not now["redraw"]["timed_out"],
    }
    return out


def text(serve: dict) -> str:
    """The rows of the benchmark report: today's figure (cache off) beside the new one."""
    now, today = serve["cached"], serve["today"]
    lines = [f"{'':44} {'today':>9} {'now':>9}  target"]
    for what, v in now["cpu_per_view_s"].items():
        t = today["cpu_per_view_s"].get(what)
        lines.append(
            f"{'server CPU per page view, ' + what:44} {_s(t):>9} {_s(v):>9}  <= {CPU_PER_VIEW_S} s"
        )
    for key, label in (("p50_ms", "p50"), ("p95_ms", "p95"), ("new_state_p95_ms", "p95 new")):
        lines.append(
            f"{'filter change to map redrawn, ' + label:44} "
            f"{_msv(today['redraw'][key]):>9} {_msv(now['redraw'][key]):>9}"
            + (f"  <= {REDRAW_P95_MS} ms" if key == "p95_ms" else "")
        )
    lines.append(
        "(a page view: a fresh browser, so its share of the server's static files is "
        "counted; today = ATLAS_VIEW_CACHE=0 in the same run)"
    )
    return "\n".join(lines)


def _s(v) -> str:
    return "—" if v is None else f"{v:.3f} s"


def _msv(v) -> str:
    return "—" if v is None else f"{v} ms"
