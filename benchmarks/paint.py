"""First paint of a map page in headless Chromium with no internet.

``streamlit run app.py`` on loopback over a database (``tests.browser.Server``) and
Debian's chromium through Playwright, offline: the browser sends every non-loopback
request to a closed proxy port and resolves no host name (:data:`OFFLINE_ARGS`), so
such requests fail as they would with no network, and they are counted. First paint
is the time from the start of navigation until a Leaflet map in one of the page's
frames has drawn vector features: the same ``COUNT_FEATURES`` check the browser tests
use, polled every 50 ms. Each run uses a fresh browser context (empty HTTP cache); the
server keeps its ``st.cache_data`` between runs, as a real server does, so the first run
of a page is "cold" (its queries run) and later runs are "warm".

The browser tests block the network differently, by intercepting every request in
Playwright (``tests.browser.OfflinePage``), which lets them fail on any attempt. That
interception sends each of the page's ~150 loopback requests through the Playwright
driver and back; a presenter's browser does not pay that, and on 2 cores it added
about 0.3 s to every first paint (README, Performance). The benchmark therefore times
the browser with no interception.

The baseline is served the same way by ``benchmarks/baseline_app.py``. A default folium
map loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs; offline, those
requests are answered from local files (Leaflet from the installed asset package,
jQuery from Debian's ``libjs-jquery`` when present, else a tiny stand-in that parses
the popup HTML the way folium uses ``$``), and Bootstrap / Font Awesome with empty
files (circle markers and popups do not need them). Map tiles stay blocked.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from urllib.parse import urlparse

from tests.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    COUNT_FEATURES,
    LOOPBACK,
    Server,
)

POLL_MS = 50
# COUNT_FEATURES, or -1 while the frame has no Leaflet yet (to time when the map's frame
# has loaded its scripts, apart from when it has drawn).
PROBE = f"() => (typeof L === 'undefined') ? -1 : ({COUNT_FEATURES})()"
APP_READY = "() => !!document.querySelector(\"[data-testid='stMainBlockContainer'] h1\")"
JQUERY_DEBIAN = Path("/usr/share/javascript/jquery/jquery.min.js")
JQUERY_STANDIN = (
    "window.jQuery = window.$ = function (s) { var t = document.createElement('template');"
    " t.innerHTML = String(s).trim(); return [t.content.firstChild]; };"
)


# No network but loopback: Chromium never proxies loopback addresses, so loopback goes
# direct and everything else goes to port 9 on loopback, where nothing listens; no
# host name resolves either (so no DNS lookup leaves the machine).
OFFLINE_ARGS = [
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def launch_offline_browser(chromium):
    """Debian's chromium, headless, with no network but loopback (:data:`OFFLINE_ARGS`).

    Parameters
    ----------
    chromium : playwright.sync_api.BrowserType
        ``playwright.chromium``.
    """
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"chromium not found at {CHROMIUM}: run scripts/setup.sh --browser")
    return chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + OFFLINE_ARGS
    )


def _offline_page(context) -> tuple:
    """A page and the list its failed non-loopback requests are appended to."""
    page = context.new_page()
    blocked: list[str] = []

    def failed(request) -> None:
        if (urlparse(request.url).hostname or "") not in LOOPBACK:
            blocked.append(request.url)

    page.on("requestfailed", failed)
    return page, blocked


def _cdn_assets(route) -> None:
    """Answer a default folium map's CDN requests from local files (offline)."""
    from geo.assets import package_dir

    url = route.request.url
    name = urlparse(url).path.rsplit("/", 1)[-1]
    if name in ("leaflet.js", "leaflet.css"):
        body = (package_dir() / name).read_bytes()
    elif "jquery" in name:
        body = JQUERY_DEBIAN.read_bytes() if JQUERY_DEBIAN.exists() else JQUERY_STANDIN.encode()
    else:
        body = b""
    ctype = "text/css" if name.endswith(".css") else "application/javascript"
    route.fulfill(status=200, body=body, headers={"content-type": ctype})


CDN_HOSTS = (
    "**://cdn.jsdelivr.net/**",
    "**://code.jquery.com/**",
    "**://cdnjs.cloudflare.com/**",
    "**://netdna.bootstrapcdn.com/**",
)


def time_to_features(browser, url: str, timeout: float, *, cdn: bool = False) -> dict:
    """Open ``url`` in a fresh offline context; time until a map draws features.

    Returns
    -------
    dict
        ``ms`` (None when timed out); milestones ``heading_ms`` (the page's title is
        shown: Streamlit has loaded and run the script's first lines) and
        ``leaflet_ms`` (a frame has Leaflet loaded: the map's iframe exists);
        ``frame_ms`` (the map frame's own age when drawn: its load, Leaflet, drawing);
        ``features`` (count when drawn); ``blocked`` (non-loopback requests refused).
    """
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        page, blocked = _offline_page(context)
        if cdn:  # only these requests are intercepted, and answered from local files
            for pattern in CDN_HOSTS:
                context.route(pattern, _cdn_assets)
        res = {"ms": None, "heading_ms": None, "leaflet_ms": None, "frame_ms": None, "features": 0}
        t0 = time.perf_counter()

        def now() -> int:
            return round((time.perf_counter() - t0) * 1000)

        page.goto(url, wait_until="commit", timeout=timeout * 1000)
        while time.perf_counter() - t0 < timeout:
            if res["heading_ms"] is None:
                try:
                    if page.evaluate(APP_READY):
                        res["heading_ms"] = now()
                except Exception:  # noqa: BLE001 - the document may be navigating
                    pass
            for frame in page.frames:
                try:
                    n = frame.evaluate(PROBE)
                except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                    continue
                if n is not None and n >= 0 and res["leaflet_ms"] is None:
                    res["leaflet_ms"] = now()
                if n and n > 0:
                    res.update(ms=now(), features=n)
                    try:  # how long the map's own frame took, from its creation to drawn
                        res["frame_ms"] = round(frame.evaluate("() => performance.now()"))
                    except Exception:  # noqa: BLE001
                        res["frame_ms"] = None
                    break
            if res["ms"] is not None:
                break
            page.wait_for_timeout(POLL_MS)  # keeps Playwright's event loop (routes) running
        res["blocked"] = len(blocked)
        return res
    finally:
        context.close()


def _time_to_heading(browser, url: str, timeout: float) -> int | None:
    """Milliseconds from navigation to the page's title (Streamlit ran the script)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        page, _ = _offline_page(context)
        t0 = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout * 1000)
        page.wait_for_function(APP_READY, timeout=timeout * 1000, polling=POLL_MS)
        return round((time.perf_counter() - t0) * 1000)
    except Exception:  # noqa: BLE001 - a time-out is reported as None
        return None
    finally:
        context.close()


def _summary(runs: list[dict], timeout: float) -> dict:
    ms = [r["ms"] for r in runs if r["ms"] is not None]
    out = {
        "runs": [r["ms"] for r in runs],
        "heading_ms": [r["heading_ms"] for r in runs],
        "leaflet_ms": [r["leaflet_ms"] for r in runs],
        "frame_ms": [r.get("frame_ms") for r in runs],
        "timeout_s": timeout,
    }
    if len(ms) < len(runs):
        out.update(status="timed out", median=None, cold=runs[0]["ms"])
    else:
        out.update(status="ok", median=round(statistics.median(ms)), cold=ms[0])
    out["features"] = max((r["features"] for r in runs), default=0)
    return out


def measure_pages(
    db: Path, pages: dict[str, str], runs: int = 3, timeout: float = 45, log=print
) -> dict:
    """First paint of each page (name -> URL path) on one server over ``db``."""
    from playwright.sync_api import sync_playwright

    server = Server(db)
    try:
        with sync_playwright() as p:
            browser = launch_offline_browser(p.chromium)
            try:
                # The server's first script run imports the app's modules: not a page's
                # paint. Warm up on the Data page, which shares no query with the maps,
                # then time that page's title: the Streamlit shell with no map, a floor.
                t0 = time.perf_counter()
                shell = [_time_to_heading(browser, f"{server.url}/data", timeout)]
                log(f"    server warm-up {time.perf_counter() - t0:.1f} s")
                shell = [_time_to_heading(browser, f"{server.url}/data", timeout) for _ in range(3)]
                log(f"    Data page (no map) to its title: {shell} ms")
                out = {}
                for name, path in pages.items():
                    res = [
                        time_to_features(browser, f"{server.url}/{path}", timeout)
                        for _ in range(runs)
                    ]
                    out[name] = _summary(res, timeout)
                    log(
                        f"    {name}: drawn {out[name]['runs']} ms "
                        f"(title {out[name]['heading_ms']}, map frame {out[name]['frame_ms']})"
                    )
                ok = [v for v in shell if v is not None]
                out["_shell"] = {
                    "runs": shell,
                    "median": round(statistics.median(ok)) if ok else None,
                    "what": "Data page (no map): navigation to its title",
                }
                out["_browser"] = browser.version
                return out
            finally:
                browser.close()
    finally:
        server.stop()


def measure_baseline_paint(db: Path, runs: int = 1, timeout: float = 60, log=print) -> dict:
    """First paint of the baseline page (``benchmarks/baseline_app.py``)."""
    from playwright.sync_api import sync_playwright

    server = Server(db, script="benchmarks/baseline_app.py", log_prefix="streamlit-bench")
    try:
        with sync_playwright() as p:
            browser = launch_offline_browser(p.chromium)
            try:
                res = []
                for _ in range(runs):
                    r = time_to_features(browser, f"{server.url}/", timeout, cdn=True)
                    res.append(r)
                    log(f"    baseline paint: {r['ms']} ms")
                    if r["ms"] is None:
                        break
                return _summary(res, timeout)
            finally:
                browser.close()
    finally:
        server.stop()


__all__ = [
    "measure_pages",
    "measure_baseline_paint",
    "time_to_features",
    "launch_offline_browser",
]
