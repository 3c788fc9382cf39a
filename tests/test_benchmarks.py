"""The benchmark's pieces at real size, quickly (no browser, no scale-ups, few reruns):
the JSON structure, the checks, and payload figures that are the bytes of ``map_html``.
No timing assertions: timings belong to ``python -m benchmarks``, not to tests."""

from __future__ import annotations

import json

import duckdb
import pytest

from benchmarks import pages as bench_pages
from benchmarks.report import TARGETS, text_report
from benchmarks.run import run
from benchmarks.synth import scale_up
from geo.maps import map_html
from geo.views import countries_of, direct_query, routes


@pytest.fixture(scope="module")
def quick(db_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "latest.json"
    results = run(
        db=db_path,
        scales=(),
        reruns=2,
        max_scenarios=4,
        paint_runs=0,
        baseline_runs=1,
        baseline_sample=200,
        out=out,
        mode="quick",
        log=lambda *_: None,
    )
    return results, json.loads(out.read_text())


def test_json_structure(quick):
    results, written = quick
    assert written["mode"] == "quick"
    for key in ("machine", "targets", "scales", "baseline", "summary", "elapsed_s", "date"):
        assert key in written, key
    m = written["machine"]
    assert m["cores"] >= 1 and m["python"] and m["duckdb"] == duckdb.__version__ and m["cpu"]
    assert [s["label"] for s in written["scales"]] == ["real"]
    real = written["scales"][0]
    assert real["synthetic"] is False and real["incidents"] > 19_000
    assert set(real["pages"]) == set(bench_pages.PAGES)
    for name, page in real["pages"].items():
        p = page["payload_bytes"]
        assert p["max"] >= p["default"] > 10_000, name
        assert len(p["by_scenario"]) == page["scenarios"] >= 1
        assert page["scenarios"] <= 4
        assert p["max_layers"] and "Countries (Natural Earth)" in p["max_layers"]
        for fig in ("rerun_ms", "queries_ms"):
            st = page[fig]
            assert st["n"] == 2 and 0 < st["p50"] <= st["p95"] <= st["max"], (name, fig)
        assert page["queries_ms"]["p50"] <= page["rerun_ms"]["max"]
        assert page["by_query"], name
        assert page["paint_ms"] is None  # no browser in the quick run
        c = page["checks"]
        assert c["payload_bytes"]["target"] == TARGETS["payload_bytes"]["real"]
        assert c["payload_bytes"]["pass"] == (p["max"] <= TARGETS["payload_bytes"]["real"])
        assert c["queries_p95_ms"]["target"] == TARGETS["queries_p95_ms"]["real"]
        assert c["rerun_p95_ms"]["target"] == TARGETS["rerun_p95_ms"]["real"]
        assert c["paint_ms"] is None
        vs = page["vs_baseline"]
        assert vs["payload_bytes"] == pytest.approx(
            p["default"] / written["baseline"]["payload_bytes"], rel=1e-3
        )
    b = written["baseline"]
    assert b["sample"] == 200 and b["markers"] == 200 and b["payload_bytes"] > 100_000
    assert b["checks"]["payload_ratio"]["pass"] is None  # a sample: no verdict
    s = written["summary"]
    assert s["checks"] == s["passed"] + len(s["failed"])
    assert written["settings"]["max_scenarios"] == 4


def test_scenarios_vary_the_filters(con):
    """At least 20 reruns' worth of filter states per page (routes: routes, regions, years;
    camps: countries, types; cities: years; cifal: radius), all valid URL states."""
    pages = {p.name: p for p in bench_pages.make_pages(direct_query(con))}
    for name in ("routes", "camps", "cities", "cifal"):
        assert len(pages[name].scenarios) >= bench_pages.MIN_RERUNS, name
    scen = pages["routes"].scenarios
    assert {} in scen and sum("routes" in p for p in scen) >= 5
    assert sum("regions" in p for p in scen) >= 3 and sum("from" in p for p in scen) >= 4
    camps = pages["camps"].scenarios
    assert sum("country" in p for p in camps) >= 6 and sum("type" in p for p in camps) >= 5
    assert len({p.get("year") for p in pages["cities"].scenarios}) >= 18
    assert len({p.get("radius") for p in pages["cifal"].scenarios}) >= 20


def test_payload_is_the_bytes_of_map_html(quick, db_path):
    """The JSON's payload of a routes scenario is len(map_html(...).encode()) of that map."""
    _, written = quick
    by_scenario = written["scales"][0]["pages"]["routes"]["payload_bytes"]["by_scenario"]
    entry = next(e for e in by_scenario if e["params"].get("routes"))
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        q = direct_query(con)
        opts = routes.options(q)
        state, notes = routes.RoutesState.from_params(entry["params"], opts)
        assert not notes
        view = routes.build(q, countries_of(con), state, options=opts)
        assert entry["bytes"] == len(map_html(view.map).encode())
    finally:
        con.close()


def test_report_table_marks_every_figure(quick):
    results, _ = quick
    text = text_report(results)
    assert "| real | routes |" in text and "baseline" in text
    assert "Machine:" in text and "cores" in text and "DuckDB" in text
    rows = [ln for ln in text.splitlines() if ln.startswith("| real | ")]
    table = [ln for ln in rows if ln.split("|")[2].strip() in bench_pages.PAGES]
    assert len(table) == len(bench_pages.PAGES)
    for line in table:
        assert line.count("✓") + line.count("✗") >= 3, line  # payload, rerun, queries
    # the animated views' payload is judged too (time playback, issue 18)
    (playback,) = [ln for ln in rows if "time playback" in ln]
    assert playback.count("✓") + playback.count("✗") >= 1, playback


def test_scale_up_replicates_incidents_with_new_ids(db_path, tmp_path):
    info = scale_up(db_path, tmp_path / "x3.duckdb", 3)
    con = duckdb.connect(info["db"], read_only=True)
    real = duckdb.connect(str(db_path), read_only=True)
    try:
        n = real.execute("SELECT count(*) FROM incidents").fetchone()[0]
        nr = real.execute("SELECT count(*) FROM incident_routes").fetchone()[0]
        assert info["incidents"] == 3 * n and info["incident_routes"] == 3 * nr
        dup = con.execute(
            "SELECT count(*) - count(DISTINCT incident_id) FROM incidents"
        ).fetchone()[0]
        assert dup == 0
        lo, hi = real.execute(
            "SELECT min(incident_date), max(incident_date) FROM incidents"
        ).fetchone()
        row = con.execute(
            "SELECT min(c.incident_date), max(c.incident_date), "
            "count(*) FILTER (WHERE c.year <> year(c.incident_date)), "
            "max(abs(c.lat - o.lat)), max(abs(c.lon - o.lon)) "
            "FROM incidents c JOIN incidents o "
            "ON o.incident_id = split_part(c.incident_id, '~s', 1) "
            "WHERE c.incident_id LIKE '%~s%'"
        ).fetchone()
        assert row[0] >= lo and row[1] <= hi and row[2] == 0
        assert 0 < row[3] <= 0.25 + 1e-9 and 0 < row[4] <= 0.25 + 1e-9
        assert con.execute("SELECT value FROM build_info WHERE key = 'synthetic'").fetchone()
        # The filter columns follow the moved dates; the masks are the original's.
        stale = con.execute(
            "SELECT count(*) FROM incidents c JOIN incidents o "
            "ON o.incident_id = split_part(c.incident_id, '~s', 1) "
            "WHERE c.incident_id LIKE '%~s%' AND (c.route_bits <> o.route_bits "
            "OR (c.incident_date IS NOT NULL AND (c.date_lo <> c.incident_date "
            "OR c.date_hi <> c.incident_date)) "
            "OR (c.incident_date IS NULL AND c.date_lo <> o.date_lo))"
        ).fetchone()[0]
        assert stale == 0
        # Like the build, the copies are stored in date order (zone maps skip row groups).
        unsorted = con.execute(
            "SELECT count(*) FROM (SELECT date_lo < lag(date_lo) OVER (ORDER BY rowid) AS back "
            "FROM incidents) WHERE back"
        ).fetchone()[0]
        assert unsorted == 0
        # Every copy keeps its routes, under its new id.
        orphans = con.execute(
            "SELECT count(*) FROM incident_routes r ANTI JOIN incidents i USING (incident_id)"
        ).fetchone()[0]
        assert orphans == 0
    finally:
        con.close()
        real.close()
