"""What a page view costs the server, and how long a filter change takes to redraw the
map, in headless Chromium against ``streamlit run`` (issue 19).

Both are measured twice in one benchmark run: with the app as it is, and with
``ATLAS_VIEW_CACHE=0``, which turns off the per-state cache of built views and maps
(geo/cache.py ``view``, app_pages/_mapframe.py) and gives today's figures honestly. The
two servers run side by side and the views and changes alternate between them, so a
machine busy with other work slows both alike.

* Server CPU per page view: the server process's user + system CPU time
  (``/proc/<pid>/stat``) over a number of page views, each a fresh browser context
  opening a page's URL until the map has drawn and the page is at rest (the map's view
  report and the sections below it done). "Same state" views open one URL again and
  again (after one view that warms the server); "new state" views open URLs the server
  has not seen (another filter each).
* Filter change to map redrawn: on Deadly routes, a region is added to (or removed from)
  the sidebar's Region filter, as a user does; the clock runs, in the page, from the
  pointer going down on the option until the map frame holds the new state's Leaflet
  map and the browser has painted it (:data:`WATCH`). Additions are new states,
  removals return to a state already seen.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from benchmarks.machine import cpu_seconds
from benchmarks.paint import APP_READY, PROBE, _offline_page, launch_offline_browser
from tests.browser import Server
from tests.conftest import REPO
from tests.journeys import QUIET

VIEWPORT = {"width": 1440, "height": 1000}


@dataclass
class Deployed:
    """A server as viewers reach it: nginx with the commit's ``deploy/nginx.conf`` in
    front of it (``url``), and the processes whose CPU a view costs (``pids``)."""

    url: str
    pids: list[int]


def _cpu(server) -> float:
    return sum(cpu_seconds(p) for p in server.pids)


def deployed(stack: contextlib.ExitStack, server: Server, repo: Path) -> Deployed:
    """``server`` behind nginx as ``deploy/`` runs it (its file cache included), or the
    server alone where this machine has no nginx."""
    from benchmarks.hall import checkout_nginx
    from deploy.local import NGINX

    if not Path(NGINX).exists():
        return Deployed(server.url, [server.pid])
    nginx = checkout_nginx(stack, repo, [f"127.0.0.1:{server.port}"])
    return Deployed(nginx.url, [server.pid, nginx.proc.pid])


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


def cpu_per_view(servers: dict, browser, paths: list[str], timeout: float = 60) -> dict:
    """Server CPU seconds per page view over ``paths`` (one view each, fresh browser
    contexts), for each server: the views alternate between the servers, and each
    server's CPU is counted over its own views."""
    spent = dict.fromkeys(servers, 0.0)
    for path in paths:
        for label, server in servers.items():
            c0 = _cpu(server)
            _view(browser, f"{server.url}/{path}", timeout)
            spent[label] += _cpu(server) - c0
    return {label: round(v / max(1, len(paths)), 3) for label, v in spent.items()}


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
        c0 = _cpu(server)
        for _ in range(n):
            page.goto(f"{server.url}/{path}", wait_until="commit", timeout=timeout * 1000)
            _settle(page, timeout)
        return (_cpu(server) - c0) / max(1, n)
    finally:
        context.close()


def _region_box(page):
    return (
        page.locator("[data-testid='stMultiSelect']")
        .filter(has=page.locator("[data-testid='stWidgetLabel']", has_text="Region"))
        .first
    )


# Timed in the page itself (Playwright's polling would add its own latency): from the
# pointer going down on the widget until the map frame's Leaflet map is another map
# object with its layers on it, and the browser has painted the frame after that. Both
# ways of drawing a new state give a new map object: today's, in a new frame; now, in
# the same frame (app_pages/_mapframe.py).
WATCH = """() => {
    const frameMap = () => {
        for (const f of document.querySelectorAll('iframe')) {
            try {
                const w = f.contentWindow;
                if (w && w.L && w.map && (w.map instanceof w.L.Map)) { return w.map; }
            } catch (e) {}
        }
        return null;
    };
    const r = window.__atlasRedraw = {t0: null, t: null, old: frameMap(), layers: 0};
    document.addEventListener('pointerdown', () => {
        if (r.t0 === null) { r.t0 = performance.now(); }
    }, {capture: true, once: true});
    const tick = () => {
        const m = frameMap();
        if (r.t0 !== null && m && m !== r.old && Object.keys(m._layers).length > 2) {
            r.layers = Object.keys(m._layers).length;
            requestAnimationFrame(() => { r.t = performance.now(); });
            return;
        }
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}"""


def _timed_change(page, act, timeout: float) -> float | None:
    """Seconds from the pointer going down in ``act()`` to the new map painted (None on
    time-out)."""
    page.evaluate(WATCH)
    act()
    try:
        page.wait_for_function(
            "() => window.__atlasRedraw.t !== null", timeout=timeout * 1000, polling=50
        )
    except Exception:  # noqa: BLE001 - a time-out is reported as None
        return None
    t0, t = page.evaluate("() => [window.__atlasRedraw.t0, window.__atlasRedraw.t]")
    return (t - t0) / 1000


def redraw_times(servers: dict, browser, regions: list[str], timeout: float = 30) -> dict:
    """Filter change to map redrawn on Deadly routes: add, then remove, each region, on
    each server in turn (so a busy machine weighs on both alike)."""
    pages, contexts = {}, []
    out = {label: {"added_s": [], "removed_s": []} for label in servers}
    try:
        for label, server in servers.items():
            context = browser.new_context(viewport=VIEWPORT)
            contexts.append(context)
            page, __ = _offline_page(context)
            page.goto(f"{server.url}/routes", wait_until="commit", timeout=60_000)
            _settle(page)
            pages[label] = page
        for region in regions:
            for label, page in pages.items():
                box = _region_box(page)
                inp = box.locator("input[role='combobox']")
                inp.click()
                inp.fill(region)
                option = page.get_by_role("option", name=region, exact=True).first
                option.wait_for(timeout=10_000)
                out[label]["added_s"].append(_timed_change(page, option.click, timeout))
                page.keyboard.press("Escape")
                _settle(page)
            for label, page in pages.items():
                tag = _region_box(page).locator("[data-tag]").filter(has_text=region).first
                button = tag.locator("button").first
                out[label]["removed_s"].append(_timed_change(page, button.click, timeout))
                _settle(page)
    finally:
        for context in contexts:
            context.close()
    return out


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
    base_commit: str | None = None,
    log=print,
) -> dict:
    """Server CPU per page view and filter redraw times, now and today's.

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
    base_commit : str, optional
        Today's code: this commit checked out apart (a ``git worktree``), served without
        the packages its requirements did not have (:func:`benchmarks.hall.hidden`).
        Without it, today's figures are this code with ``ATLAS_VIEW_CACHE=0``.
    """
    from playwright.sync_api import sync_playwright

    from benchmarks.hall import checkout_env, worktree

    stack = contextlib.ExitStack()
    if base_commit:
        repo = stack.enter_context(worktree(base_commit))
        env, __ = checkout_env(stack, repo)
        today = Server(db, env=env, cwd=repo, log_prefix="bench-serve-today", timeout=90)
    else:
        today = Server(db, env={"ATLAS_VIEW_CACHE": "0"}, log_prefix="bench-serve-today")
    stack.callback(today.stop)  # (before its worktree goes)
    started = {"cached": Server(db, log_prefix="bench-serve-cached"), "today": today}
    stack.callback(started["cached"].stop)
    # Views go through each code's own deployment (nginx and its file cache, if any).
    today_repo = repo if base_commit else REPO
    servers = {
        "cached": deployed(stack, started["cached"], REPO),
        "today": deployed(stack, today, today_repo),
    }
    out: dict = {label: {"cpu_per_view_s": {}} for label in servers}
    out["today"]["code"] = base_commit or "ATLAS_VIEW_CACHE=0"
    out["through_nginx"] = all(len(s.pids) > 1 for s in servers.values())
    try:
        with sync_playwright() as p:
            browser = launch_offline_browser(p.chromium)
            try:
                for server in servers.values():
                    _view(browser, f"{server.url}/data", timeout, has_map=False)  # imports

                def note(what: str, per: dict) -> None:
                    for label, v in per.items():
                        out[label]["cpu_per_view_s"][what] = v
                    log(f"    server CPU per view, {what}: {per}")

                for page in ("routes", "overview", "briefing"):
                    cpu_per_view(servers, browser, [page], timeout)  # the first view builds
                    note(f"{page} same state", cpu_per_view(servers, browser, [page] * views))
                new = route_links(regions[views : 2 * views])
                note("routes new state", cpu_per_view(servers, browser, new, timeout))
                note(
                    "routes same state, returning browser",
                    {
                        label: round(cpu_per_view_returning(s, browser, "routes", views), 3)
                        for label, s in servers.items()
                    },
                )
                raw = redraw_times(servers, browser, regions[:redraws])
                for label in servers:
                    out[label]["redraw"] = summarise_redraw(raw[label])
                    log(f"    filter change to map redrawn ({label}): {out[label]['redraw']}")
            finally:
                browser.close()
    finally:
        stack.close()  # nginx, the servers, then today's worktree
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
    lines = [f"{'':64} {'today':>9} {'now':>9}  target"]
    for what, v in now["cpu_per_view_s"].items():
        t = today["cpu_per_view_s"].get(what)
        lines.append(
            f"{'server CPU per page view, ' + what:64} {_s(t):>9} {_s(v):>9}  <= {CPU_PER_VIEW_S} s"
        )
    for key, label in (("p50_ms", "p50"), ("p95_ms", "p95"), ("new_state_p95_ms", "p95 new")):
        lines.append(
            f"{'filter change to map redrawn, ' + label:64} "
            f"{_msv(today['redraw'][key]):>9} {_msv(now['redraw'][key]):>9}"
            + (f"  <= {REDRAW_P95_MS} ms" if key == "p95_ms" else "")
        )
    lines.append(
        "(a page view: a fresh browser, so its share of the static files is counted; "
        + (
            "through nginx with each code's deploy/nginx.conf, its CPU counted; "
            if serve.get("through_nginx")
            else "straight to the server (no nginx here); "
        )
        + f"today = {today.get('code', 'ATLAS_VIEW_CACHE=0')} in the same run)"
    )
    return "\n".join(lines)


def _s(v) -> str:
    return "—" if v is None else f"{v:.3f} s"


def _msv(v) -> str:
    return "—" if v is None else f"{v} ms"
