"""Where a page's query time goes, query by query, for diagnosing missed targets.

    python -m benchmarks.explain --db PATH [--page routes] [--scenario N]

Runs each query of the page's view (for one filter scenario) and prints, per query, the
median wall time, the time of its EXPLAIN alone (bind + optimize + plan, no execution),
the difference (execution + DataFrame), and the slowest optimizer step DuckDB reports.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.pages import PAGES, make_pages
from geo.views import countries_of, direct_query


def _median_ms(f, n: int) -> float:
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    return round(ts[len(ts) // 2], 2)


def _optimizer_profile(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> dict | None:
    """DuckDB's detailed JSON profile (optimizer steps), or None where DuckDB writes none
    (DuckDB 2.0 writes no profile for some queries, e.g. ``min()`` of a column)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profile.json"
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute("SET profiling_mode = 'detailed'")
        con.execute(f"PRAGMA profiling_output = '{path}'")
        try:
            con.execute(sql, params).df()
        finally:
            con.execute("PRAGMA disable_profiling")
        if not path.exists():
            return None
        return json.loads(path.read_text())


def profile_query(con: duckdb.DuckDBPyConnection, sql: str, params: dict, n: int = 5) -> dict:
    """Median wall time of a query (execute + DataFrame), of its ``EXPLAIN`` alone (bind,
    optimize, plan: no execution), their difference (execution and transfer), and the
    slowest optimizer step from DuckDB's profile when it gives one."""
    wall = _median_ms(lambda: con.execute(sql, params).df(), n)
    plan = _median_ms(lambda: con.execute("EXPLAIN " + sql, params).fetchall(), n)
    out = {"wall_ms": wall, "plan_ms": plan, "exec_ms": round(max(wall - plan, 0.0), 2)}
    prof = _optimizer_profile(con, sql, params)
    if prof:
        opt = prof.get("optimizer", {})
        steps = {k: v for k, v in opt.items() if k != "total_time" and isinstance(v, int | float)}
        step = max(steps.items(), key=lambda kv: kv[1], default=(None, 0))
        out.update(
            optimizer_ms=round(opt.get("total_time", 0) * 1000, 2),
            top_optimizer_step=step[0],
            top_optimizer_step_ms=round(step[1] * 1000, 2),
            cpu_ms=round(prof.get("query", {}).get("cpu_time", 0) * 1000, 2),
        )
    return out


def profile_page(db: str, page: str, scenario: int = 0) -> list[dict]:
    """Profile every query the page's view runs for one of its scenarios."""
    from geo.queries import query_params, query_text

    con = duckdb.connect(db, read_only=True)
    try:
        con.execute("SET enable_progress_bar = false")
        countries = countries_of(con)
        q = direct_query(con)
        pg = {p.name: p for p in make_pages(q)}[page]
        calls: list[tuple[str, dict]] = []

        def recording_q(name, **params):
            calls.append((name, params))
            return q(name, **params)

        params = pg.scenarios[scenario]
        pg.build(recording_q, countries, params)
        out = []
        for name, qp in calls:
            bound = {k: qp[k] for k in query_params(name)}
            out.append({"query": name, **profile_query(con, query_text(name), bound)})
        return out
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.explain", description=__doc__)
    ap.add_argument("--db", required=True)
    ap.add_argument("--page", choices=PAGES, action="append")
    ap.add_argument("--scenario", type=int, default=0)
    args = ap.parse_args(argv)
    for page in args.page or PAGES:
        print(f"== {page} (scenario {args.scenario})")
        print(f"{'query':28} {'wall':>8} {'plan':>8} {'exec':>8}  slowest optimizer step (ms)")
        for r in profile_page(args.db, page, args.scenario):
            step = r.get("top_optimizer_step")
            print(
                f"{r['query']:28} {r['wall_ms']:8.1f} {r['plan_ms']:8.1f} {r['exec_ms']:8.1f}  "
                + (f"{step} {r['top_optimizer_step_ms']:.1f}" if step else "(no profile)")
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
