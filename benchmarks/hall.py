"""The hall test: a presenter shows a briefing's link and a hall of viewers opens it
within a minute, then one map page each (issue 19).

Every viewer is a protocol-level client (:mod:`benchmarks.stclient`: Streamlit's own
websocket and protobuf messages, as a browser sends them), all in one asyncio loop in
this process, arriving evenly spread over ``--within`` seconds. A viewer opens the
briefing link (``/briefing?b=<first briefing>``: the page's GETs, the websocket, the
run that sends the deck), then goes to the map page of one of the briefing's slides
(viewer ``i`` takes slide ``i mod n``) in the same tab, as a click on the slide's link.

Recorded per view: seconds from its start (the page's GET; the click) to the map's
data received (the deck's frame; ``st_folium``'s map or its reference) and to its
last run finished, bytes, errors (HTTP errors, exceptions or error boxes on the page,
a page not found, a dropped socket, no map, a time-out). Server CPU is read from
``/proc/<pid>/stat`` (user + system, every thread and child) before and after the
hall, divided by the views; the client's own CPU is reported too, as it shares the
machine.

Before the hall one viewer opens every link on each replica directly (the presenter
checking the talk), not counted; ``--no-warmup`` skips it.

Usage::

    .venv/bin/python -m benchmarks.hall --sessions 200 --within 60
    .venv/bin/python -m benchmarks.hall --replicas 3        # through nginx (deploy/)
    .venv/bin/python -m benchmarks.hall --url http://127.0.0.1:8501 --pid 1234
    .venv/bin/python -m benchmarks.hall --base-commit 0da381f   # also "today's" code

Prints the figures and writes JSON (``--json``). Exit code 1 when a viewer had an error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks import stclient
from benchmarks.machine import cpu_seconds, rss_mb
from tests.browser import Server

REPO = Path(__file__).resolve().parent.parent
# The state before issue 19's work: "today's" code of the issue, measured in the same run.
BASE_COMMIT = "0da381f"
TARGETS = {"cpu_per_view_s": 0.15, "map_p95_s": 5.0, "errors": 0}
TARGET_TEXT = (
    f"server CPU per page view ≤ {TARGETS['cpu_per_view_s']} s; "
    f"p95 from a view's start to its map's data ≤ {TARGETS['map_p95_s']:g} s; 0 errors"
)


# --------------------------------------------------------------------------- the links


def hall_plan(db: Path) -> list[list[tuple[str, str, str]]]:
    """One plan per slide of the first briefing: ``[("briefing", "briefing",
    "b=<key>"), ("map", page, query of the slide's link)]``."""
    import duckdb

    from geo.briefing import read_briefings, render_slide
    from geo.views import countries_of, direct_query

    available, _problems = read_briefings()
    if not available:
        raise SystemExit("no usable briefing in the briefings folder")
    b = available[0]
    con = duckdb.connect(str(db), read_only=True)
    try:
        q, countries = direct_query(con), countries_of(con)
        links = [render_slide(b, n, q, countries).link for n in range(1, len(b.slides) + 1)]
    finally:
        con.close()
    plans = []
    for link in links:
        u = urlsplit(link)
        page = u.path.strip("/")
        plans.append([("briefing", "briefing", f"b={b.key}"), ("map", page, u.query)])
    return plans


# --------------------------------------------------------------------------- servers


@contextlib.contextmanager
def worktree(commit: str):
    """A temporary ``git worktree`` of ``commit`` (with this checkout's Leaflet files,
    which are not in git), removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="atlas-base-"))
    path = tmp / "repo"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", str(path), commit],
        check=True,
        capture_output=True,
    )
    try:
        leaflet = REPO / "static" / "leaflet"
        if leaflet.is_dir() and not (path / "static" / "leaflet").exists():
            shutil.copytree(leaflet, path / "static" / "leaflet")
        yield path
    finally:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(path)],
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def hidden(packages: tuple[str, ...]):
    """A folder that, first on ``PYTHONPATH``, makes ``import <package>`` fail for each
    of ``packages``: a commit whose requirements did not have them runs without them
    (uvicorn then falls back to asyncio's loop and h11), though this venv has them."""
    with tempfile.TemporaryDirectory(prefix="atlas-hide-") as tmp:
        for name in packages:
            (Path(tmp) / name).mkdir()
            (Path(tmp) / name / "__init__.py").write_text(
                f"raise ModuleNotFoundError('{name} hidden: not in this commit\\'s requirements')\n"
            )
        yield tmp


def missing_requirements(repo: Path, packages=("uvloop", "httptools")) -> tuple[str, ...]:
    """Which of ``packages`` the checkout's ``requirements.txt`` does not pin."""
    reqs = repo / "requirements.txt"
    text = reqs.read_text(encoding="utf-8") if reqs.exists() else ""
    return tuple(p for p in packages if not re.search(rf"^{p}==", text, re.M))


def checkout_env(stack: contextlib.ExitStack, repo: Path) -> tuple[dict | None, tuple]:
    """(environment, hidden packages) for a server of the checkout ``repo``: the
    packages its requirements lacked hidden (:func:`hidden`, kept for ``stack``)."""
    hide = missing_requirements(repo)
    return ({"PYTHONPATH": stack.enter_context(hidden(hide))} if hide else None), hide


def checkout_nginx(stack: contextlib.ExitStack, repo: Path, upstreams: list[str]):
    """nginx with the checkout's own ``deploy/nginx.conf`` (today's had no file cache) in
    front of ``upstreams``, stopped and its folder removed with ``stack``."""
    from deploy.local import Nginx

    site = repo / "deploy" / "nginx.conf"
    prefix = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="atlas-ngx-")))
    nginx = Nginx(
        upstreams, prefix, site=site.read_text(encoding="utf-8") if site.exists() else None
    )
    stack.callback(nginx.stop)
    return nginx


# --------------------------------------------------------------------------- one at a time


async def _assets_only(base: str) -> None:
    session = stclient.Session(base, stclient.Viewer(-1))
    step = stclient.Step("assets", "", "")
    try:
        for path in await session._page_assets():
            await session._get(step, "/" + path)
    finally:
        session.http.close()


def same_state_cpu(base: str, pid: int, plan: list, n: int = 10) -> dict:
    """Server CPU seconds of one view at a time, the same state again and again (after
    the warm-up): the page's static files (what a phone fetches the first time), the
    briefing link's view without them, and the slide's map page opened directly.
    Medians over ``n`` views each, so another process's burst does not decide them."""

    def each(make) -> float:
        values = []
        for _ in range(n):
            c0 = cpu_seconds(pid)
            asyncio.run(make())
            values.append(cpu_seconds(pid) - c0)
        return round(statistics.median(values), 3)

    return {
        "n": n,
        "static_files_s": each(lambda: _assets_only(base)),
        "briefing_s": each(lambda: stclient.view(base, -1, plan[:1], assets=False)),
        "map_page_s": each(lambda: stclient.view(base, -1, plan[1:], assets=False)),
        "map_page_first_run_s": each(
            lambda: stclient.view(base, -1, plan[1:], assets=False, report=False)
        ),
    }


# --------------------------------------------------------------------------- the hall


async def _hall(
    base: str, plans: list, sessions: int, within: float, timeout: float, hold: float
) -> tuple[list[stclient.Viewer], float]:
    started = time.monotonic()

    async def one(i: int) -> stclient.Viewer:
        await asyncio.sleep(started + i * within / max(1, sessions) - time.monotonic())
        return await stclient.view(base, i, plans[i % len(plans)], timeout=timeout, hold=hold)

    viewers = await asyncio.gather(*(one(i) for i in range(sessions)))
    return list(viewers), time.monotonic() - started


def _pct(values: list[float], q: int) -> float | None:
    v = sorted(values)
    if not v:
        return None
    if len(v) == 1:
        return round(v[0], 2)
    return round(statistics.quantiles(v, n=100, method="inclusive")[q - 1], 2)


def _times(viewers, name: str | None, attr: str) -> list[float]:
    return [
        getattr(s, attr)
        for v in viewers
        for s in v.steps
        if (name is None or s.name == name) and getattr(s, attr) is not None
    ]


def run_hall(
    db: Path,
    *,
    sessions: int = 200,
    within: float = 60.0,
    replicas: int = 0,
    repo: Path = REPO,
    url: str | None = None,
    pid: int | None = None,
    warmup: bool = True,
    timeout: float = 180.0,
    hold: float = 0.0,
    label: str = "current",
    breakdown: bool = True,
    log=print,
) -> dict:
    """Run one hall and return its figures (see the module's docstring).

    Parameters
    ----------
    replicas
        0: one server, viewers connect to it; N: N servers behind nginx with
        ``deploy/nginx.conf`` (``deploy/local.py``), viewers connect to nginx.
    repo
        The checkout whose ``app.py`` is served (another commit's worktree for "today's"
        figures).
    url, pid
        Target a running server instead (its pid for the CPU figures).
    breakdown
        On one server, first time one view at a time (:func:`same_state_cpu`).
    """
    plans = hall_plan(db)
    with contextlib.ExitStack() as stack:
        servers: list[Server] = []
        nginx = None
        hide = ()
        if url:
            base, pids, direct = url.rstrip("/"), [pid] if pid else [], [url.rstrip("/")]
        else:
            env, hide = checkout_env(stack, repo)
            for _ in range(max(1, replicas)):
                servers.append(
                    Server(db, env=env, cwd=repo, log_prefix=f"hall-{label}", timeout=90)
                )
                stack.callback(servers[-1].stop)
            pids = [s.pid for s in servers]
            direct = [s.url for s in servers]
            base = servers[0].url
            if replicas:
                nginx = checkout_nginx(stack, repo, [f"127.0.0.1:{s.port}" for s in servers])
                base = nginx.url
        cpu0 = [cpu_seconds(p) for p in pids]
        warm = []
        if warmup:
            log(f"  warm-up: every link once on each of {len(direct)} server(s) …")
            for d in direct:
                for plan in plans:
                    warm.append(asyncio.run(stclient.view(d, -1, plan, timeout=timeout)))
        warm_errors = [e for v in warm for e in v.errors + [x for s in v.steps for x in s.errors]]
        alone = None
        if breakdown and pids and len(pids) == 1:
            log("  one view at a time, the same state: CPU of each part …")
            alone = same_state_cpu(direct[0], pids[0], plans[1])
        cpu1 = [cpu_seconds(p) for p in pids]
        ngx1 = cpu_seconds(nginx.proc.pid) if nginx else 0.0
        log(f"  {sessions} viewers within {within:g} s through {base} …")
        load0 = os.getloadavg()[0]
        client0 = time.process_time()
        viewers, wall = asyncio.run(_hall(base, plans, sessions, within, timeout, hold))
        client_cpu = time.process_time() - client0
        cpu2 = [cpu_seconds(p) for p in pids]
        # nginx's share (proxying, the file cache) counts as the server's: the machine pays it
        nginx_cpu = cpu_seconds(nginx.proc.pid) - ngx1 if nginx else None
        rss = [rss_mb(p) for p in pids]
        load1 = os.getloadavg()[0]
        per_replica = None
        if nginx is not None:
            nginx.stop()  # every websocket closed and logged
            where = {
                r.sticky: r.upstream.rsplit(", ", 1)[-1]
                for r in nginx.requests()
                if r.request.startswith("GET /_stcore/stream ")
            }
            upstream_errors = [r for r in nginx.requests() if r.status >= 500]
            nginx_log = _nginx_problems(nginx.error_log)
            per_replica = []
            for s, c1, c2, mb in zip(servers, cpu1, cpu2, rss, strict=True):
                address = f"127.0.0.1:{s.port}"
                mine = [v for v in viewers if where.get(v.sticky) == address]
                views = sum(len(v.steps) for v in mine)
                cpu = round(c2 - c1, 2)
                per_replica.append(
                    {
                        "address": address,
                        "viewers": len(mine),
                        "views": views,
                        "cpu_s": cpu,
                        "cpu_per_view_s": round(cpu / views, 3) if views else None,
                        "map_p95_s": _pct(_times(mine, None, "map_s"), 95),
                        "rss_mb": mb,
                    }
                )
    views = sum(len(v.steps) for v in viewers)
    errors = [f"viewer {v.n}: {e}" for v in viewers for e in v.errors] + [
        f"viewer {v.n} {s.name} /{s.page}: {e}" for v in viewers for s in v.steps for e in s.errors
    ]
    if per_replica is not None:
        errors += [f"nginx answered {r.status}: {r.request[:100]}" for r in upstream_errors]
        result_nginx = nginx_log
    else:
        result_nginx = None
    server_cpu = sum(c2 - c1 for c1, c2 in zip(cpu1, cpu2, strict=True)) if pids else None
    if server_cpu is not None and nginx_cpu is not None:
        server_cpu += nginx_cpu
    cpu_per_view = round(server_cpu / views, 3) if server_cpu is not None and views else None
    steps = sorted({s.name for v in viewers for s in v.steps})
    result = {
        "label": label,
        "repo": str(repo),
        "commit": _commit(repo),
        "url": base,
        "replicas": replicas,
        "sessions": sessions,
        "within_s": within,
        "wall_s": round(wall, 1),
        "views": views,
        "views_per_s": round(views / wall, 2) if wall else None,
        "errors": len(errors),
        "error_samples": errors[:10],
        "viewers_ok": sum(1 for v in viewers if v.ok),
        "map_p50_s": _pct(_times(viewers, None, "map_s"), 50),
        "map_p95_s": _pct(_times(viewers, None, "map_s"), 95),
        "finished_p95_s": _pct(_times(viewers, None, "finished_s"), 95),
        "by_step": {
            name: {
                "views": len(_times(viewers, name, "started")),
                "map_p50_s": _pct(_times(viewers, name, "map_s"), 50),
                "map_p95_s": _pct(_times(viewers, name, "map_s"), 95),
                "finished_p95_s": _pct(_times(viewers, name, "finished_s"), 95),
                "ws_mb": round(
                    sum(s.ws_bytes for v in viewers for s in v.steps if s.name == name) / 1e6, 1
                ),
                "http_mb": round(
                    sum(s.http_bytes for v in viewers for s in v.steps if s.name == name) / 1e6, 1
                ),
                "runs": sum(s.runs for v in viewers for s in v.steps if s.name == name),
            }
            for name in steps
        },
        "server_cpu_s": round(server_cpu, 1) if server_cpu is not None else None,
        "nginx_cpu_s": round(nginx_cpu, 2) if nginx_cpu is not None else None,
        "server_rss_mb": rss,
        "hidden_packages": list(hide),
        "cpu_per_view_s": cpu_per_view,
        "warmup_cpu_s": round(sum(c1 - c0 for c0, c1 in zip(cpu0, cpu1, strict=True)), 1)
        if pids
        else None,
        "warmup_errors": warm_errors[:5],
        "same_state": alone,
        "client_cpu_s": round(client_cpu, 1),
        "per_replica": per_replica,
        "nginx_error_log": result_nginx,
        "cores": len(os.sched_getaffinity(0)),
        "load_average_start_end": [round(load0, 1), round(load1, 1)],
    }
    result["arithmetic"] = arithmetic(result)
    result["checks"] = checks(result)
    return result


def _nginx_problems(path: Path) -> dict:
    """nginx's error log, summarised: lines by level and the distinct messages (the
    time, process ids and connection numbers taken out), most frequent first."""
    import re

    levels: dict[str, int] = {}
    messages: dict[str, int] = {}
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        m = re.match(r"\S+ \S+ \[(\w+)\] \S+ (?:\*\d+ )?(.*)", line)
        if not m:
            continue
        levels[m[1]] = levels.get(m[1], 0) + 1
        text = re.sub(r"client: .*", "", m[2]).strip(" ,")
        text = re.sub(r"\d+", "N", text)[:160]
        messages[text] = messages.get(text, 0) + 1
    top = sorted(messages.items(), key=lambda kv: -kv[1])[:5]
    return {"levels": levels, "messages": [f"{n}× {t}" for t, n in top]}


def _commit(repo: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        return out.stdout.strip() + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def arithmetic(r: dict) -> dict | None:
    """Viewers per core: from the CPU per view, the views one core serves per second
    and per minute, the viewers (each ``views/sessions`` views) a core serves in a
    minute, and the cores a hall of ``sessions`` viewers within ``within_s`` needs."""
    c = r.get("cpu_per_view_s")
    if not c:
        return None
    per_viewer = r["views"] / r["sessions"] if r["sessions"] else 1
    views_per_core_s = 1 / c
    return {
        "views_per_core_s": round(views_per_core_s, 1),
        "viewers_per_core_minute": round(60 * views_per_core_s / per_viewer),
        "cores_for_this_hall": round(r["sessions"] * per_viewer * c / r["within_s"], 2),
    }


def checks(r: dict) -> dict:
    """Each target of issue 19: value, target, pass."""
    return {
        "cpu_per_view_s": {
            "value": r["cpu_per_view_s"],
            "target": TARGETS["cpu_per_view_s"],
            "pass": r["cpu_per_view_s"] is not None
            and r["cpu_per_view_s"] <= TARGETS["cpu_per_view_s"],
        },
        "map_p95_s": {
            "value": r["map_p95_s"],
            "target": TARGETS["map_p95_s"],
            "pass": r["map_p95_s"] is not None and r["map_p95_s"] <= TARGETS["map_p95_s"],
        },
        "errors": {"value": r["errors"], "target": 0, "pass": r["errors"] == 0},
    }


# --------------------------------------------------------------------------- report


def _mark(c: dict) -> str:
    return "✓" if c["pass"] else "✗"


def _f(v, fmt="{:.2f}") -> str:
    return "–" if v is None else fmt.format(v)


def table(results: list[dict]) -> str:
    """A Markdown table: one row per hall (and per replica), today's beside current."""
    head = (
        "| code | servers | viewers / s | views | errors | map p50 / p95 s "
        "| briefing p95 · map page p95 s | server CPU per view s | views per core-second "
        "| cores for this hall |"
    )
    lines = [head, "|" + "---|" * 10]
    for r in results:
        c = r["checks"]
        a = r.get("arithmetic") or {}
        bs = r["by_step"]
        servers = f"{r['replicas']} behind nginx" if r["replicas"] else "1"
        lines.append(
            f"| {r['label']} ({r['commit']}) | {servers} | {r['sessions']} / {r['within_s']:g} "
            f"| {r['views']} | {r['errors']} {_mark(c['errors'])} "
            f"| {_f(r['map_p50_s'])} / {_f(r['map_p95_s'])} {_mark(c['map_p95_s'])} "
            f"| {_f(bs.get('briefing', {}).get('map_p95_s'))} · "
            f"{_f(bs.get('map', {}).get('map_p95_s'))} "
            f"| {_f(r['cpu_per_view_s'], '{:.3f}')} {_mark(c['cpu_per_view_s'])} "
            f"| {_f(a.get('views_per_core_s'), '{:.1f}')} "
            f"| {_f(a.get('cores_for_this_hall'))} |"
        )
        for i, p in enumerate(r.get("per_replica") or []):
            lines.append(
                f"| ↳ replica {i + 1} | {p['address']} | {p['viewers']} viewers | {p['views']} "
                f"| | – / {_f(p['map_p95_s'])} | | {_f(p['cpu_per_view_s'], '{:.3f}')} "
                f"({p['cpu_s']:.1f} s) | | |"
            )
    return "\n".join(lines)


def _servers(r: dict) -> str:
    return f"{r['replicas']} replicas" if r["replicas"] else "1 server"


def text(results: list[dict]) -> str:
    """The table, the arithmetic in words, ratios to today's, and the error samples."""
    out = [table(results), ""]
    out.append(
        "A view: a viewer's page (the briefing link, then one slide's map page in the same "
        "tab), timed from its start (the page's GET; the click) to the map's data "
        "received (the deck; the map or its reference). Server CPU: user + system of the "
        "server process(es), and of nginx in front of replicas, during the hall, over its "
        "views. Targets: " + TARGET_TEXT + "."
    )
    for r in results:
        a = r.get("arithmetic")
        if a:
            per = r["views"] / r["sessions"]
            out.append(
                f"{r['label']}, {_servers(r)}: "
                f"{r['cpu_per_view_s']:.3f} CPU s per view → one core serves "
                f"{a['views_per_core_s']:.1f} views/s = {a['viewers_per_core_minute']} viewers "
                f"({per:g} views each) a minute; {r['sessions']} viewers in "
                f"{r['within_s']:g} s need {a['cores_for_this_hall']:.2f} cores "
                f"(this machine: {r['cores']}). "
                + (f"nginx's share: {r['nginx_cpu_s']:.1f} s. " if r.get("nginx_cpu_s") else "")
                + (
                    f"Memory after the hall: {', '.join(f'{m:.0f}' for m in r['server_rss_mb'])}"
                    " MB per server. "
                    if r.get("server_rss_mb")
                    else ""
                )
                + (
                    f"Run without {', '.join(r['hidden_packages'])} (not in its requirements). "
                    if r.get("hidden_packages")
                    else ""
                )
                + f"Client CPU {r['client_cpu_s']} s, "
                f"wall {r['wall_s']} s, load average {r['load_average_start_end']}."
            )
    for r in results:
        a = r.get("same_state")
        if a:
            out.append(
                f"{r['label']}, one view at a time (the same state, median of {a['n']}): "
                f"server CPU {a['static_files_s']:.3f} s for the page's static files (a "
                f"phone's first visit), {a['briefing_s']:.3f} s for the briefing link's "
                f"view, {a['map_page_s']:.3f} s for a slide's map page (two runs: the "
                f"click's, {a.get('map_page_first_run_s', 0):.3f} s alone, and the map's "
                "report)."
            )
    today = {(r["replicas"]): r for r in results if r["label"] == "today"}
    for r in results:
        t = today.get(r["replicas"])
        if r["label"] != "today" and t and t["cpu_per_view_s"] and r["cpu_per_view_s"]:
            out.append(
                f"current ÷ today ({r['replicas'] or 1} server(s)): CPU per view "
                f"{r['cpu_per_view_s'] / t['cpu_per_view_s']:.2f}, map p95 "
                + (
                    f"{r['map_p95_s'] / t['map_p95_s']:.2g}"
                    if r["map_p95_s"] and t["map_p95_s"]
                    else "–"
                )
            )
    for r in results:
        ngx = r.get("nginx_error_log")
        if ngx and ngx["levels"]:
            out.append(
                f"nginx error log ({r['label']}, {_servers(r)}): {ngx['levels']}; "
                + "; ".join(ngx["messages"][:3])
            )
        for e in r["error_samples"][:5]:
            out.append(f"  ERROR ({r['label']}, {r['replicas'] or 1} server(s)): {e}")
    return "\n".join(out)


def run_all(
    db: Path,
    *,
    sessions: int = 200,
    within: float = 60.0,
    replicas: tuple[int, ...] = (0,),
    base_commit: str | None = None,
    commit: str | None = None,
    log=print,
    **kw,
) -> list[dict]:
    """The hall on this checkout (or on ``commit``, checked out apart: a working tree
    others are editing may hold a half-written file) for each replica count, and on
    ``base_commit`` too."""
    results = []
    codes = [("current", commit)] + ([("today", base_commit)] if base_commit else [])
    for label, commit in codes:
        with contextlib.ExitStack() as stack:
            repo = REPO if commit is None else stack.enter_context(worktree(commit))
            for n in replicas:
                log(f"Hall on {label} code ({_commit(repo)}), {n or 1} server(s):")
                results.append(
                    run_hall(
                        db,
                        sessions=sessions,
                        within=within,
                        replicas=n,
                        repo=repo,
                        label=label,
                        log=log,
                        **kw,
                    )
                )
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.hall", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--db", type=Path, help="database to serve (default $ATLAS_DB or data/)")
    ap.add_argument("--sessions", type=int, default=200, help="viewers (default 200)")
    ap.add_argument("--within", type=float, default=60.0, help="seconds they arrive within")
    ap.add_argument(
        "--replicas",
        default="0",
        help="comma-separated: 0 = one server; N = N servers behind nginx (e.g. 0,2,3)",
    )
    ap.add_argument("--base-commit", help=f"also run on this commit (e.g. {BASE_COMMIT})")
    ap.add_argument(
        "--commit", help="measure this commit (a git worktree) instead of the working tree"
    )
    ap.add_argument("--url", help="target a running server instead of starting one")
    ap.add_argument("--pid", type=int, help="with --url: the server's pid (CPU figures)")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds allowed per viewer")
    ap.add_argument("--no-warmup", dest="warmup", action="store_false")
    ap.add_argument("--json", type=Path, default=REPO / "artifacts" / "hall.json")
    args = ap.parse_args(argv)
    db = args.db or Path(os.environ.get("ATLAS_DB") or REPO / "data" / "atlas.duckdb")
    if not db.exists():
        ap.error(f"{db}: no database (build one with python -m geo build)")
    try:
        replicas = tuple(int(x) for x in args.replicas.split(",") if x.strip())
    except ValueError:
        ap.error("--replicas takes comma-separated integers")
    if args.url and (args.base_commit or args.commit or any(replicas)):
        ap.error("--url measures that server only (no --replicas, no --base-commit)")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    results = run_all(
        db,
        sessions=args.sessions,
        within=args.within,
        replicas=replicas or (0,),
        base_commit=args.base_commit,
        commit=args.commit,
        url=args.url,
        pid=args.pid,
        warmup=args.warmup,
        timeout=args.timeout,
        log=log,
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(text(results))
    print(f"JSON: {args.json}")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
