"""Per-page measurements in Python: map payload, rerun time (queries + map build through
the page's view with :func:`geo.views.direct_query`), and the page's DuckDB queries
alone: the time a rerun waits on them (a view runs its independent queries two at a
time, as the app does: :func:`geo.views.memo`), and each query's own time.

Each map page gets a list of filter states, written as the URL query parameters a user
would share and parsed with the page's own ``State.from_params``, so the benchmark
exercises the same code path as a copied link. Filter values are taken from the
database's own options, which makes the same scenarios valid on the synthetic scale-ups.

There is no query cache here (the app caches query results per parameters with
``st.cache_data``): every rerun runs every query, the worst case a user meets with a
filter nobody has chosen before.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import timedelta

import duckdb
import pandas as pd

from geo.heap import freeze_long_lived
from geo.maps import map_html
from geo.pages import PAGES as PAGE_LIST
from geo.views import (
    QUERY_POOL,
    camps,
    cifal,
    cities,
    countries_of,
    direct_query,
    on_cursor,
    routes,
)
from geo.views.page import Page as PageContract

PAGES = tuple(p.key for p in PAGE_LIST)
# The app's address of each page: the first (Overview) is the app's root.
URL_PATHS = {p.key: "" if i == 0 else p.key for i, p in enumerate(PAGE_LIST)}
MIN_RERUNS = 20  # the minimum, and the fewest filter scenarios a page has
# Timed reruns per page by default. With 20, "p95" is the second-slowest rerun, so a
# 0.2 s stretch in which another process holds a core (3 or 4 reruns) decides it; with
# 60 it takes a stretch three times as long, and every scenario is timed three times.
DEFAULT_RERUNS = 60


class TimedQuery:
    """A ``q`` for the views that runs queries directly and times them.

    ``calls`` holds, per call, how long the page waited on DuckDB: the whole query when
    it runs on the page's thread, the rest of it when the view started it ahead
    (``start``, :func:`geo.views.memo`'s ``prefetch``) and it is still running. Their
    sum (``total``) is the time a rerun spends on its queries. ``runs`` holds each
    query's own duration, wherever it ran (the per-query breakdown).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self._q = direct_query(con)
        self.calls: list[tuple[str, float]] = []
        self.runs: list[tuple[str, float]] = []

    def __call__(self, name: str, **params) -> pd.DataFrame:
        t0 = time.perf_counter()
        try:
            return self._q(name, **params)
        finally:
            dt = time.perf_counter() - t0
            self.calls.append((name, dt))
            self.runs.append((name, dt))

    def start(self, name: str, params: dict) -> _Waited:
        """Run a query on :data:`geo.views.QUERY_POOL`, as the app's ``q.start`` does."""

        cur = self._con.cursor()

        def run() -> pd.DataFrame:
            t0 = time.perf_counter()
            try:
                return on_cursor(cur, name, params)
            finally:
                self.runs.append((name, time.perf_counter() - t0))

        return _Waited(QUERY_POOL.submit(run), self, name)

    def reset(self) -> None:
        self.calls = []
        self.runs = []

    @property
    def total(self) -> float:
        return sum(s for _, s in self.calls)


class _Waited:
    """A started query's future that times the wait for its result."""

    def __init__(self, future: Future, timer: TimedQuery, name: str):
        self._future, self._timer, self._name = future, timer, name

    def done(self) -> bool:
        return self._future.done()

    def cancel(self) -> bool:
        return self._future.cancel()

    def result(self) -> pd.DataFrame:
        t0 = time.perf_counter()
        try:
            return self._future.result()
        finally:
            self._timer.calls.append((self._name, time.perf_counter() - t0))


@dataclass
class Page:
    """A map page: how to build it from URL parameters, and its scenarios."""

    name: str
    scenarios: list[dict[str, str]]
    build: Callable[[TimedQuery, dict, dict[str, str]], object]  # -> view with .map
    options_ms: float = 0.0
    notes: list[str] = field(default_factory=list)


def _years_across(first: int, last: int, n: int) -> list[int]:
    if n <= 1 or last <= first:
        return [last]
    return sorted({round(first + (last - first) * i / (n - 1)) for i in range(n)})


def routes_scenarios(opts: routes.RoutesOptions, q) -> list[dict[str, str]]:
    """Default (world), single routes, regions, single years, causes, types and combos."""
    o = q("incident_options")
    top = {k: o.loc[o["kind"] == k, "value"].tolist() for k in ("route", "region", "cause", "type")}
    first, last = opts.first_date.year, opts.last_date.year
    years = _years_across(first + 1, last - 1, 4)
    out: list[dict[str, str]] = [{}]
    out += [{"routes": r} for r in top["route"][:5]]
    out += [{"regions": r} for r in top["region"][:3]]
    out += [{"from": f"{y}-01-01", "to": f"{y}-12-31"} for y in years]
    out += [{"causes": top["cause"][0]}]
    if len(top["type"]) > 2:
        out += [{"types": top["type"][2]}]  # a rare type: few incidents, drawn one by one
    out += [
        {"routes": top["route"][0], "from": f"{last - 1}-01-01", "to": f"{last - 1}-12-31"},
        {"routes": "|".join(top["route"][:2])},
        {"regions": top["region"][2], "causes": top["cause"][0]},
        {"regions": top["region"][0], "from": f"{years[-1]}-01-01", "to": f"{years[-1]}-12-31"},
        {
            "from": (opts.last_date - timedelta(days=60)).isoformat(),
            "to": opts.last_date.isoformat(),
        },
        {"routes": top["route"][3], "from": f"{years[-2]}-01-01", "to": opts.last_date.isoformat()},
    ]
    return out


def camps_scenarios(opts: camps.CampsOptions, q) -> list[dict[str, str]]:
    """Default, status, single site types, single countries, combos, datasets, precision."""
    countries = q("site_countries").sort_values("sites", ascending=False)["iso3"].tolist()
    types = opts.site_types
    out: list[dict[str, str]] = [{}, {"status": "open"}, {"status": "closed"}]
    out += [{"type": t} for t in types[:5]]
    out += [{"country": c} for c in countries[:6]]
    out += [
        {"country": countries[0], "type": types[0]},
        {"country": "|".join(countries[1:3])},
        {"dataset": "isimm"},
        {"dataset": "coxs_bazar"},
        {"dataset": "unhcr_register", "status": "open"},
        {"country": countries[5], "precision": "0.01"},
        {"precision": "1"},
    ]
    return out


def cities_scenarios(opts: cities.CitiesOptions, q) -> list[dict[str, str]]:
    """Every WUP year (population mode) and growth over a few periods."""
    ys = opts.years
    out: list[dict[str, str]] = [{"year": str(y)} for y in ys]
    out += [
        {"mode": "growth", "from": str(ys[0]), "to": str(ys[-1])},
        {"mode": "growth", "from": "2000", "to": "2020", "min": "1000000"},
        {"mode": "growth", "from": "2015", "to": "2035"},
        {"year": "2025", "min": "5000000", "ryear": str(opts.refugee_years[-5])},
    ]
    return out


def cifal_scenarios(opts: cities.CitiesOptions, q) -> list[dict[str, str]]:
    """Every radius offered (50-1000 km) and a few other settings."""
    out: list[dict[str, str]] = [{"radius": str(r)} for r in cifal.RADII]
    out += [
        {"radius": "300", "closed": "1"},
        {"radius": "500", "growth": "100", "min": "300000"},
    ]
    return out


# Each page's filter scenarios from its options; a page not listed is measured in its
# default state only.
SCENARIOS: dict[str, Callable] = {
    "routes": routes_scenarios,
    "camps": camps_scenarios,
    "cities": cities_scenarios,
    "cifal": cifal_scenarios,
}


def _builder(page: PageContract, opts) -> Callable:
    """A page build from URL parameters, as the page does (the scenarios parse cleanly)."""

    def build(tq, countries, params):
        view, notes = page.render(tq, countries, params, opts)
        assert not notes, notes
        return view

    return build


def make_pages(q) -> list[Page]:
    """Every map page (:data:`geo.pages.PAGES`) with its scenarios (option queries
    timed once, untimed later)."""
    out = []
    for page in PAGE_LIST:
        t0 = time.perf_counter()
        opts = page.options(q)
        ms = (time.perf_counter() - t0) * 1000
        scenarios = SCENARIOS[page.key](opts, q) if page.key in SCENARIOS else [{}]
        out.append(Page(page.key, scenarios, _builder(page, opts), ms))
    return out


def _element_bytes(el) -> int:
    """Bytes of an element's header, html and script macros, with its children's."""
    n = 0
    template = getattr(el, "_template", None)
    if template is not None:
        try:
            module = template.module
        except Exception:  # noqa: BLE001 - templates that are not made of macros
            module = None
        for part in ("header", "html", "script"):
            macro = getattr(module, part, None)
            if macro is not None:
                n += len(str(macro(el, {})).encode())
    for child in el._children.values():
        n += _element_bytes(child)
    return n


def layer_bytes(m) -> dict[str, int]:
    """Bytes each top-level element of a map (layers, legend, credit, layer control) adds
    to the page, from its own templates; the rest of ``map_html`` is folium's page frame.

    Render the map (``map_html``) first: some elements finish their state while rendering.
    """
    out: dict[str, int] = {}
    for child in m._children.values():
        label = getattr(child, "layer_name", None) or type(child).__name__
        out[label] = out.get(label, 0) + _element_bytes(child)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolated percentile (``p`` in 0-100) of a non-empty list."""
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def stats_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50": round(percentile(ms, 50), 1),
        "p95": round(percentile(ms, 95), 1),
        "max": round(max(ms), 1),
        "mean": round(statistics.fmean(ms), 1),
    }


def measure_page(page: Page, con: duckdb.DuckDBPyConnection, countries: dict, reruns: int) -> dict:
    """Payload of every scenario, then ``reruns`` timed reruns cycling over the scenarios.

    Returns
    -------
    dict
        ``payload_bytes`` (default, max, min, by_scenario [{params, bytes, render_ms}]),
        ``rerun_ms`` and ``queries_ms`` (n, p50, p95, max, mean), ``cold_rerun_ms``
        (the first, untimed-in-stats run), ``by_query`` (per query name: calls, p50,
        p95, max ms), ``scenarios`` (count), ``options_ms``.
    """
    tq = TimedQuery(con)
    # Cold run (first compile, first read of the pages of the file): recorded apart.
    t0 = time.perf_counter()
    page.build(tq, countries, page.scenarios[0])
    cold = time.perf_counter() - t0

    by_scenario = []
    for params in page.scenarios:
        view = page.build(tq, countries, params)
        t0 = time.perf_counter()
        html = map_html(view.map)
        render = time.perf_counter() - t0
        info = view.spec.info
        entry = {
            "params": params,
            "bytes": len(html.encode()),
            "render_ms": round(render * 1000, 1),
        }
        if info is not None:
            entry["mode"] = info.mode
            entry["circles"] = info.circles
        elif hasattr(view, "mode"):
            entry["mode"] = view.mode
        by_scenario.append(entry)

    rerun_s: list[float] = []
    query_s: list[float] = []
    per_query: dict[str, list[float]] = {}
    n = max(reruns, 1)
    for i in range(n):
        params = page.scenarios[i % len(page.scenarios)]
        tq.reset()
        t0 = time.perf_counter()
        page.build(tq, countries, params)
        rerun_s.append(time.perf_counter() - t0)
        query_s.append(tq.total)
        for name, s in tq.runs:
            per_query.setdefault(name, []).append(s)

    sizes = [e["bytes"] for e in by_scenario]
    worst = page.scenarios[sizes.index(max(sizes))]
    worst_map = page.build(tq, countries, worst).map
    map_html(worst_map)
    layers = layer_bytes(worst_map)
    return {
        "scenarios": len(page.scenarios),
        "payload_bytes": {
            "default": sizes[0],
            "max": max(sizes),
            "min": min(sizes),
            "max_params": by_scenario[sizes.index(max(sizes))]["params"],
            "by_scenario": by_scenario,
            "max_layers": layers,
        },
        "render_ms": stats_ms([e["render_ms"] / 1000 for e in by_scenario]),
        "rerun_ms": stats_ms(rerun_s),
        "queries_ms": stats_ms(query_s),
        "cold_rerun_ms": round(cold * 1000, 1),
        "options_ms": round(page.options_ms, 1),
        "by_query": {k: {"calls": len(v), **stats_ms(v)} for k, v in sorted(per_query.items())},
    }


def measure_all(
    db: str,
    reruns: int = DEFAULT_RERUNS,
    pages: tuple[str, ...] = PAGES,
    log=print,
    max_scenarios: int | None = None,
) -> dict:
    """Measure every page on one database (opened read-only, as the app does).

    ``max_scenarios`` keeps only each page's first scenarios (quick runs and tests).
    """
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("SET enable_progress_bar = false")
        countries = countries_of(con)  # cached for the server's lifetime in the app
        freeze_long_lived()  # as the app does once it holds the basemap (geo/cache.py)
        q = direct_query(con)
        out = {}
        for page in make_pages(q):
            if page.name not in pages:
                continue
            t0 = time.perf_counter()
            if max_scenarios:
                page.scenarios = page.scenarios[:max_scenarios]
            out[page.name] = measure_page(page, con, countries, reruns)
            log(f"    {page.name}: {time.perf_counter() - t0:.1f} s")
        return out
    finally:
        con.close()


__all__ = [
    "PAGES",
    "URL_PATHS",
    "TimedQuery",
    "layer_bytes",
    "make_pages",
    "measure_page",
    "measure_all",
]
