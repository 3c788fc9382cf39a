"""Many browser sessions at once against one dashboard server.

Starts ``streamlit run app.py`` over a database (or targets a running server with
``--url``), then drives ``--sessions`` headless Chromium pages (Debian's chromium, one
browser context each, all in one asyncio event loop, every non-loopback request
blocked). Every session first opens one page (the "opening", timed on its own: twenty
browsers starting at once); then, for ``--duration`` seconds, each keeps loading pages
with different filters (routes by route and year, camps by country, cities by year,
...) and waits until the map has drawn features. ``--cold`` starts the clock at once.

Recorded: page loads; errors (exception text on the page, console errors other than
Streamlit's base-path probes, timeouts); the time from navigation to map drawn (p50,
p95, per page); the server's peak resident memory (``/proc/<pid>/status``, the
process and its children); and isolation: every Deadly routes and Camps load checks
that its headline figure is the one its own filters give in SQL, however many other
sessions are filtering differently at the same moment, and the database file is
byte-identical afterwards (the app opens it read-only).

``--replicas N`` runs the deployment of ``deploy/`` instead of one server: N servers
behind nginx with ``deploy/nginx.conf`` (see ``deploy/local.py``), every session going
through nginx. Then also, per replica: the sessions it served (nginx's access log:
the sticky keys of the websockets it held), its requests, CPU seconds in the measured
window and peak memory; and any 5xx answer of nginx counts as an error.

Usage::

    .venv/bin/python scripts/loadtest.py --db data/atlas.duckdb --sessions 20 --duration 60
    .venv/bin/python scripts/loadtest.py --url http://127.0.0.1:8501 --db data/atlas.duckdb
    .venv/bin/python scripts/loadtest.py --db data/atlas.duckdb --replicas 3 --sessions 30

Prints a summary and writes JSON (``--json``, default ``artifacts/loadtest.json``).
Exit code 1 when any error was recorded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.machine import cpu_seconds, process_tree, status_kb  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, COUNT_FEATURES, LOOPBACK  # noqa: E402

PAGE_READY = """() => !!document.querySelector("[data-testid='stApp']")
    && !document.querySelector("[data-testid='stStatusWidget']")
    && !!document.querySelector("[data-testid='stMainBlockContainer'] h1")"""
METRICS = """() => Object.fromEntries(Array.from(document.querySelectorAll("[data-testid='stMetric']"))
    .map(el => [el.querySelector("[data-testid='stMetricLabel']").innerText.trim(),
                el.querySelector("[data-testid='stMetricValue']").innerText.trim()]))"""
BAD_TEXT = ("Traceback", "Exception:", "Error:")
DEAD_PORT = 9  # the discard port: nothing listens on loopback
BASE_PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")


# --------------------------------------------------------------------------- targets


@dataclass
class Target:
    """One URL to load, and the headline figure it must show (when known)."""

    page: str
    path: str
    metric: str | None = None
    expected: str | None = None


def targets_from_db(db: Path) -> list[Target]:
    """Filter URLs from the database's own values, with the figures SQL gives for them."""
    import duckdb

    from geo.pages import page
    from geo.queries import run_query
    from geo.views import direct_query

    con = duckdb.connect(str(db), read_only=True)
    try:
        q = direct_query(con)
        out: list[Target] = []
        routes = page("routes")
        opts = routes.options(q)
        top = [
            r[0]
            for r in con.execute(
                "SELECT route FROM incident_routes GROUP BY route ORDER BY count(*) DESC LIMIT 6"
            ).fetchall()
        ]
        years = list(range(opts.first_date.year, opts.last_date.year + 1))
        for i, route in enumerate(top):
            for year in years[i % 3 :: 3]:
                params = {"routes": route, "from": f"{year}-01-01", "to": f"{year}-12-31"}
                state, _ = routes.state(params, opts)
                n = int(run_query(con, "incident_totals", **state.query_params())["incidents"][0])
                path = "routes?" + "&".join(f"{k}={quote(v)}" for k, v in params.items())
                out.append(Target("routes", path, "Incidents", f"{n:,}"))
        camps = page("camps")
        copts = camps.options(q)
        countries = [
            r[0]
            for r in con.execute(
                "SELECT iso3 FROM sites WHERE iso3 IS NOT NULL GROUP BY iso3 "
                "ORDER BY count(*) DESC LIMIT 12"
            ).fetchall()
        ]
        for iso in countries:
            state, _ = camps.state({"country": iso}, copts)
            n = int(run_query(con, "site_totals", **state.query_params())["sites"][0])
            out.append(Target("camps", f"camps?country={iso}", "Sites", f"{n:,}"))
        for year in page("cities").options(q).years[::2]:
            out.append(Target("cities", f"cities?year={year}"))
            if year > 2000:
                out.append(Target("cities", f"cities?mode=growth&from=2000&to={year}"))
        out.append(Target("overview", ""))
        for radius in (100, 300, 600):
            out.append(Target("cifal", f"cifal?radius={radius}"))
        return out
    finally:
        con.close()


DEFAULT_TARGETS = [
    Target("routes", "routes?routes=Central%20Mediterranean&from=2016-01-01&to=2016-12-31"),
    Target("routes", "routes?routes=US-Mexico%20border%20crossing&from=2019-01-01&to=2019-12-31"),
    Target("camps", "camps?country=SYR"),
    Target("camps", "camps?country=BGD"),
    Target("cities", "cities?year=2020"),
    Target("cities", "cities?mode=growth&from=2000&to=2030"),
    Target("overview", ""),
    Target("cifal", "cifal?radius=300"),
]


def interleave(targets: list[Target]) -> list[Target]:
    """Round-robin over pages so consecutive loads hit different pages."""
    by_page: dict[str, list[Target]] = {}
    for t in targets:
        by_page.setdefault(t.page, []).append(t)
    out, i = [], 0
    while any(i < len(v) for v in by_page.values()):
        out += [v[i] for v in by_page.values() if i < len(v)]
        i += 1
    return out


# --------------------------------------------------------------------------- memory


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine (``/proc/stat``)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


class MemoryWatch(threading.Thread):
    """Samples the resident memory of a process tree; keeps the peak of the sum."""

    def __init__(self, pid: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_kb = 0
        self.hwm_kb: dict[int, int] = {}
        self._halt = threading.Event()

    def sample(self) -> None:
        pids = process_tree(self.pid)
        self.peak_kb = max(self.peak_kb, sum(status_kb(p, "VmRSS") for p in pids))
        for p in pids:
            self.hwm_kb[p] = max(self.hwm_kb.get(p, 0), status_kb(p, "VmHWM"))

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)
        self.sample()


# --------------------------------------------------------------------------- sessions


@dataclass
class Stats:
    loads: list[tuple[str, float]] = field(default_factory=list)  # (page, seconds)
    first_loads: list[tuple[str, float]] = field(default_factory=list)  # opening each session
    errors: list[str] = field(default_factory=list)
    isolation_checks: int = 0
    isolation_failures: list[str] = field(default_factory=list)


async def _map_drawn(page, deadline: float) -> bool:
    """Wait until the map component's frame has drawn vector features.

    The check runs inside the browser (``wait_for_function`` polling every 250 ms)
    rather than as a round trip per frame from here: with twenty pages, round trips
    would cost more CPU than the pages themselves. The frame can be replaced while
    Streamlit reruns the page; then the next one is waited for.
    """
    while time.monotonic() < deadline:
        frames = [f for f in page.frames if "streamlit_folium" in f.url]
        if not frames:
            await asyncio.sleep(0.25)
            continue
        try:
            await frames[-1].wait_for_function(
                f"() => ({COUNT_FEATURES})() > 0",
                polling=250,
                timeout=max(0.5, deadline - time.monotonic()) * 1000,
            )
            return True
        except Exception:  # noqa: BLE001 - detached during a rerun, or timed out
            await asyncio.sleep(0.25)
    return False


async def load_once(page, base: str, target: Target, timeout: float, log: dict) -> float:
    """Open one URL and wait for the map; returns seconds, raises on any problem."""
    log["console"].clear()
    log["failed"].clear()
    started = time.monotonic()
    deadline = started + timeout
    await page.goto(f"{base}/{target.path}", wait_until="domcontentloaded", timeout=timeout * 1000)
    await page.wait_for_function(
        PAGE_READY, polling=250, timeout=max(1.0, deadline - time.monotonic()) * 1000
    )
    if not await _map_drawn(page, deadline):
        raise TimeoutError(f"no map drawn within {timeout:.0f} s")
    elapsed = time.monotonic() - started
    text = await page.inner_text("[data-testid='stMain']")
    bad = [b for b in BAD_TEXT if b in text]
    if bad or await page.locator("[data-testid='stException']").count():
        raise RuntimeError(f"exception text on the page: {bad or 'stException'}")
    probes = sum(1 for r in log["failed"] if BASE_PROBE.search(r))
    errors = list(log["console"])
    for _ in range(probes):
        for i, e in enumerate(errors):
            if "404" in e and "Failed to load resource" in e:
                del errors[i]
                break
    if errors:
        raise RuntimeError(f"console error: {errors[0][:200]}")
    return elapsed


class Clock:
    """Starts the measured window once every session has opened its first page."""

    def __init__(self, sessions: int, duration: float, cold: bool):
        self.waiting = 0 if cold else sessions
        self.duration = duration
        self.until = time.monotonic() + duration if cold else float("inf")
        self.started = time.monotonic() if cold else None
        self.go = asyncio.Event()
        if cold:
            self.go.set()

    def opened(self) -> None:
        self.waiting -= 1
        if self.waiting == 0 and not self.go.is_set():
            self.started = time.monotonic()
            self.until = self.started + self.duration
            self.go.set()


async def _check_figure(page, target: Target, n: int, stats: Stats) -> None:
    """The headline figure this session shows is the one its own filters give."""
    shown = None
    for _ in range(40):  # the metrics can be mid-rerun right after the map drew
        shown = (await page.evaluate(METRICS)).get(target.metric)
        if shown is not None:
            break
        await asyncio.sleep(0.25)
    stats.isolation_checks += 1
    if shown != target.expected:
        stats.isolation_failures.append(
            f"session {n}: /{target.path}: {target.metric} {shown!r}, expected {target.expected!r}"
        )


async def session(
    n: int,
    browser,
    base: str,
    targets: list[Target],
    clock: Clock,
    timeout: float,
    stats: Stats,
    block: str = "proxy",
) -> None:
    """One browser context: opens a first page, then (once every session is open)
    loads filter URLs back to back until the window closes."""
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, reduced_motion="reduce"
    )

    async def route(r):
        url = r.request.url
        host = urlparse(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host in LOOPBACK:
            await r.continue_()
        else:
            await r.abort()  # reported by the requestfailed handler

    if block == "route":
        await context.route("**/*", route)
    page = await context.new_page()

    def failed(req) -> None:
        host = urlparse(req.url).hostname or ""
        if host not in LOOPBACK and not req.url.startswith(("data:", "blob:", "about:")):
            stats.errors.append(f"session {n}: blocked non-loopback request {req.url[:120]}")

    page.on("requestfailed", failed)
    log: dict[str, list[str]] = {"console": [], "failed": []}
    page.on("console", lambda m: log["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["console"].append(str(e)))
    page.on(
        "response",
        lambda r: log["failed"].append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("dialog", lambda d: stats.errors.append(f"session {n}: dialog {d.message[:80]}"))

    async def visit(target: Target, into: list) -> None:
        try:
            seconds = await load_once(page, base, target, timeout, log)
        except Exception as exc:  # noqa: BLE001 - every failure is a recorded error
            msg = " ".join(str(exc).split())[:240]
            stats.errors.append(f"session {n}: /{target.path}: {type(exc).__name__}: {msg}")
            return
        into.append((target.page, seconds))
        if target.metric:
            await _check_figure(page, target, n, stats)

    i = n
    try:
        if not clock.go.is_set():
            await visit(targets[i % len(targets)], stats.first_loads)
            i += 1
            clock.opened()
            await clock.go.wait()
        while time.monotonic() < clock.until:
            await visit(targets[i % len(targets)], stats.loads)
            i += 1
    finally:
        await context.close()


async def _proxy_blocks(browser) -> bool:
    """Non-loopback addresses (a name and an IP literal) fail at the dead proxy."""
    context = await browser.new_context()
    page = await context.new_page()
    try:
        for url in ("http://example.org/", "http://192.0.2.1/"):
            try:
                await page.goto(url, timeout=10_000)
            except Exception as exc:  # noqa: BLE001
                if "ERR_PROXY_CONNECTION_FAILED" not in str(exc):
                    return False
            else:
                return False
        return True
    finally:
        await context.close()


async def drive(base: str, targets: list[Target], args) -> tuple[Stats, dict]:
    from playwright.async_api import async_playwright

    stats = Stats()
    async with async_playwright() as p:
        # Non-loopback requests go to a closed port on loopback and fail there (Chromium
        # never proxies loopback): a block that costs nothing per request, where a
        # Playwright route would send every request of twenty pages through this
        # process. --block route uses the route instead, as tests/browser.py does.
        proxy = (
            {"server": f"http://127.0.0.1:{DEAD_PORT}", "bypass": "127.0.0.1,localhost,[::1]"}
            if args.block == "proxy"
            else None
        )
        browser = await p.chromium.launch(
            executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS, proxy=proxy
        )
        info = {"chromium": browser.version, "block": args.block}
        all0 = [cpu_seconds(pid) for pid in args.server_pids]
        if args.block == "proxy":
            info["block_verified"] = await _proxy_blocks(browser)
            if not info["block_verified"]:
                stats.errors.append("a non-loopback address was reachable: the block failed")
        # Warm up: one load per page fills the server's caches, as a first visitor does
        # (each replica directly: through nginx one context would reach only one).
        firsts = list({t.page: t for t in reversed(targets)}.values()) if args.warmup else []
        for warm_base in args.warm_bases or [base]:
            context = await browser.new_context()
            page = await context.new_page()
            log = {"console": [], "failed": []}
            for t in firsts:
                try:
                    await load_once(page, warm_base, t, args.timeout, log)
                except Exception as exc:  # noqa: BLE001
                    stats.errors.append(f"warm-up /{t.path}: {type(exc).__name__}: {exc}"[:300])
            await context.close()
        clock = Clock(args.sessions, args.duration, args.cold)
        runs = asyncio.gather(
            *(
                session(n, browser, base, targets, clock, args.timeout, stats, args.block)
                for n in range(args.sessions)
            )
        )
        opening = time.monotonic()
        await clock.go.wait()
        info["open_seconds"] = round(time.monotonic() - opening, 1)
        server0 = [cpu_seconds(pid) for pid in args.server_pids]
        busy0, total0 = machine_ticks()
        info["loadavg_start"] = round(os.getloadavg()[0], 1)
        await runs
        info["wall_seconds"] = round(time.monotonic() - clock.started, 1)
        busy1, total1 = machine_ticks()
        info["machine_busy"] = round((busy1 - busy0) / max(1, total1 - total0), 2)
        info["loadavg_end"] = round(os.getloadavg()[0], 1)
        if server0:
            per = [cpu_seconds(pid) - c for pid, c in zip(args.server_pids, server0, strict=True)]
            info["replica_cpu_seconds"] = [round(c, 1) for c in per]
            info["server_cpu_seconds"] = round(sum(per), 1)
            # and everything the run asked of them: warm-up, opening and window
            every = [cpu_seconds(pid) - c for pid, c in zip(args.server_pids, all0, strict=True)]
            info["replica_cpu_seconds_all"] = [round(c, 1) for c in every]
        await browser.close()
    return stats, info


# --------------------------------------------------------------------------- report


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 2)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 2)


def machine() -> dict:
    model = ""
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    mem = _status_kb_file("/proc/meminfo", "MemTotal")
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(mem / 1024 / 1024, 1) if mem else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def _status_kb_file(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def summarise(stats: Stats, info: dict, args, mem: MemoryWatch | None, db_same: bool | None):
    times = [s for _, s in stats.loads]
    pages = sorted({p for p, _ in stats.loads})
    report = {
        "sessions": args.sessions,
        "duration_seconds": args.duration,
        "wall_seconds": info.get("wall_seconds"),
        "page_loads": len(times),
        "loads_per_minute": round(len(times) * 60 / max(args.duration, 1e-9), 1),
        "errors": len(stats.errors) + len(stats.isolation_failures),
        "error_samples": (stats.errors + stats.isolation_failures)[:20],
        "p50_seconds": _pct(times, 50),
        "p95_seconds": _pct(times, 95),
        "max_seconds": round(max(times), 2) if times else None,
        "per_page": {
            p: {
                "loads": sum(1 for q, _ in stats.loads if q == p),
                "p50_seconds": _pct([s for q, s in stats.loads if q == p], 50),
                "p95_seconds": _pct([s for q, s in stats.loads if q == p], 95),
            }
            for p in pages
        },
        "first_loads": len(stats.first_loads),
        "first_load_p50_seconds": _pct([x for _, x in stats.first_loads], 50),
        "first_load_p95_seconds": _pct([x for _, x in stats.first_loads], 95),
        "open_seconds": info.get("open_seconds"),
        "isolation_checks": stats.isolation_checks,
        "isolation_failures": len(stats.isolation_failures),
        "database_unchanged": db_same,
        "non_loopback_block": info.get("block"),
        "block_verified": info.get("block_verified"),
        "server_cpu_seconds": info.get("server_cpu_seconds"),
        "server_cpu_per_load_seconds": (
            round(info["server_cpu_seconds"] / len(times), 2)
            if info.get("server_cpu_seconds") is not None and times
            else None
        ),
        "server_cpu_share_of_one_core": (
            round(info["server_cpu_seconds"] / info["wall_seconds"], 2)
            if info.get("server_cpu_seconds") is not None and info.get("wall_seconds")
            else None
        ),
        "machine_busy_share": info.get("machine_busy"),
        "load_average_start_end": [info.get("loadavg_start"), info.get("loadavg_end")],
        "server_peak_rss_mb": round(mem.peak_kb / 1024, 1) if mem else None,
        "server_vmhwm_mb": round(sum(mem.hwm_kb.values()) / 1024, 1) if mem else None,
        "machine": {**machine(), "chromium": info.get("chromium")},
    }
    return report


def print_summary(r: dict) -> None:
    print(
        f"{r['sessions']} sessions x {r['duration_seconds']:g} s: {r['page_loads']} page loads, "
        f"{r['errors']} errors"
    )
    if r["first_loads"]:
        print(
            f"  opening: {r['first_loads']} sessions opened their first page in "
            f"{r['open_seconds']} s (p50 {r['first_load_p50_seconds']} s, "
            f"p95 {r['first_load_p95_seconds']} s); then the clock started"
        )
    print(
        f"  navigation to map drawn: p50 {r['p50_seconds']} s, p95 {r['p95_seconds']} s, "
        f"max {r['max_seconds']} s"
    )
    for page, s in r["per_page"].items():
        print(
            f"    {page:9s} {s['loads']:4d} loads, p50 {s['p50_seconds']} s, p95 {s['p95_seconds']} s"
        )
    print(
        f"  isolation: {r['isolation_checks']} figure checks, {r['isolation_failures']} wrong; "
        f"database unchanged: {r['database_unchanged']}"
    )
    if r["server_cpu_seconds"] is not None:
        print(
            f"  server CPU: {r['server_cpu_seconds']} s ({r['server_cpu_per_load_seconds']} s "
            f"per load, {r['server_cpu_share_of_one_core']:.0%} of one core); whole machine "
            f"{r['machine_busy_share']:.0%} busy, load average {r['load_average_start_end']}"
        )
    for rep in r.get("replicas", []):
        print(
            f"  replica {rep['address']}: {rep['sessions']} sessions, {rep['requests']} "
            f"requests, CPU {rep['cpu_seconds']} s in the window ({rep['cpu_seconds_all']} s "
            f"with warm-up and opening), peak RSS {rep['peak_rss_mb']} MB"
        )
    if "upstream_errors" in r:
        print(f"  nginx 5xx answers: {r['upstream_errors']}")
    if r["server_peak_rss_mb"] is not None:
        print(
            f"  server memory: peak RSS {r['server_peak_rss_mb']} MB "
            f"(VmHWM {r['server_vmhwm_mb']} MB)"
        )
    m = r["machine"]
    print(
        f"  machine: {m['cpus']} x {m['cpu_model']}, {m['memory_gb']} GB, Chromium {m['chromium']}"
    )
    for e in r["error_samples"]:
        print(f"  ERROR {e}")


def _per_replica(requests, replicas, info: dict, mems: list) -> tuple[list[dict], list[str]]:
    """Per replica, from nginx's access log: the sessions it served (distinct sticky
    keys among its websockets), its requests, CPU seconds and peak memory; and the
    5xx answers nginx gave (as error texts)."""
    cpu = info.get("replica_cpu_seconds") or [None] * len(replicas)
    cpu_all = info.get("replica_cpu_seconds_all") or [None] * len(replicas)
    out = []
    for r, c, c_all, m in zip(replicas, cpu, cpu_all, mems, strict=True):
        address = f"127.0.0.1:{r.port}"
        # after a failover $upstream_addr lists every replica tried; the last answered
        served = [q for q in requests if q.upstream.rsplit(", ", 1)[-1] == address]
        sockets = {q.sticky for q in served if q.request.startswith("GET /_stcore/stream ")}
        out.append(
            {
                "address": address,
                "sessions": len(sockets),
                "requests": len(served),
                "cpu_seconds": c,
                "cpu_seconds_all": c_all,
                "peak_rss_mb": round(m.peak_kb / 1024, 1),
            }
        )
    errors = [f"nginx answered {q.status}: {q.request[:120]}" for q in requests if q.status >= 500]
    return out, errors


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, help="database to serve (and to take filters from)")
    ap.add_argument("--url", help="target a running server instead of starting one")
    ap.add_argument("--pid", type=int, help="with --url: the server's pid, for its memory")
    ap.add_argument(
        "--replicas",
        type=int,
        default=0,
        help="start this many servers behind nginx (deploy/nginx.conf) and go through it",
    )
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds allowed per page load")
    ap.add_argument("--json", type=Path, default=REPO / "artifacts" / "loadtest.json")
    ap.add_argument("--chromium", default=CHROMIUM)
    ap.add_argument(
        "--block",
        choices=["proxy", "route"],
        default="proxy",
        help="how non-loopback requests are blocked (default: a dead loopback proxy)",
    )
    ap.add_argument(
        "--cold",
        action="store_true",
        help="start the clock at once: sessions open their first page inside the window",
    )
    ap.add_argument(
        "--no-warmup",
        dest="warmup",
        action="store_false",
        help="skip the one load per page made before the clock starts",
    )
    args = ap.parse_args(argv)
    if args.db is None and args.url is None:
        env = os.environ.get("ATLAS_DB")
        args.db = Path(env) if env else REPO / "data" / "atlas.duckdb"
    if args.db is not None and not args.db.exists():
        print(f"{args.db}: no database (build one with python -m geo build)", file=sys.stderr)
        return 2
    if args.replicas and args.url:
        print("--replicas starts its own servers: not with --url", file=sys.stderr)
        return 2
    targets = interleave(targets_from_db(args.db) if args.db else DEFAULT_TARGETS)
    before = _sha(args.db) if args.db else None
    args.warm_bases = []
    with contextlib.ExitStack() as stack:
        nginx, replicas = None, []
        if args.url:
            base, pids = args.url.rstrip("/"), [args.pid] if args.pid else []
        else:
            from tests.browser import Server

            for _ in range(max(1, args.replicas)):
                replicas.append(
                    Server(args.db, log_prefix="replica" if args.replicas else "streamlit")
                )
                stack.callback(replicas[-1].stop)
            base, pids = replicas[0].url, [r.proc.pid for r in replicas]
            if args.replicas:
                from deploy.local import Nginx

                prefix = Path(
                    stack.enter_context(tempfile.TemporaryDirectory(prefix="atlas-nginx-"))
                )
                nginx = Nginx([f"127.0.0.1:{r.port}" for r in replicas], prefix)
                stack.callback(nginx.stop)
                base, args.warm_bases = nginx.url, [r.url for r in replicas]
        args.server_pids = pids
        mems = [MemoryWatch(pid) for pid in pids]
        for m in mems:
            m.start()
        try:
            stats, info = asyncio.run(drive(base, targets, args))
        finally:
            for m in mems:
                m.stop()
        per_replica = None
        if nginx:
            nginx.stop()  # every websocket closed and logged
            logged = nginx.requests()
            per_replica, upstream_errors = _per_replica(logged, replicas, info, mems)
            stats.errors += upstream_errors
            # Requests nginx had to send to another replica (a connect error, timeout
            # or 502/503 from the first): these move sessions between replicas.
            failovers = [
                f"{q.upstream} {q.status} {q.request[:80]}" for q in logged if ", " in q.upstream
            ]
    same = (_sha(args.db) == before) if args.db else None
    mem = max(mems, key=lambda m: m.peak_kb) if mems else None
    report = summarise(stats, info, args, mem, same)
    if per_replica is not None:
        report["replicas"] = per_replica
        report["upstream_errors"] = len(upstream_errors)
        report["failovers"] = len(failovers)
        report["failover_samples"] = failovers[:5]
    report["url"] = base
    report["targets"] = len(targets)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_summary(report)
    print(f"  written to {args.json}")
    return 1 if report["errors"] or same is False else 0


if __name__ == "__main__":
    sys.exit(main())
