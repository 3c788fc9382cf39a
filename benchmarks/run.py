"""One benchmark run: build the real database, make the synthetic scale-ups, measure every
map page at each scale (Python, queries, payload, first paint) and the baseline, then
check the targets and write the JSON."""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from benchmarks import baseline as baseline_mod
from benchmarks import pages as pages_mod
from benchmarks import report, synth
from benchmarks.machine import load_average, machine
from geo import REPO_ROOT

RESULTS = REPO_ROOT / "benchmarks" / "results" / "latest.json"


def default_sources() -> Path:
    """``$ATLAS_SOURCES``, else ``../shared/data`` relative to the repository."""
    value = os.environ.get("ATLAS_SOURCES")
    return Path(value).resolve() if value else (REPO_ROOT.parent / "shared" / "data").resolve()


def _count(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM incidents").fetchone()[0])
    finally:
        con.close()


def run(
    *,
    sources: Path | None = None,
    db: Path | None = None,
    scales: tuple[int, ...] = (10, 100),
    reruns: int = pages_mod.DEFAULT_RERUNS,
    paint_runs: int = 5,
    paint_scales: tuple[int, ...] | None = None,
    paint_all: bool = False,
    baseline: bool = True,
    baseline_runs: int = 1,
    baseline_sample: int | None = None,
    baseline_paint: bool = True,
    baseline_timeout: float = 60,
    # 8 views per figure and 8 regions added then removed (16 changes): with 4 and 5 a
    # figure's p95 was its worst sample, and one view or change that met a busy core
    # decided it (runs of the same code: redraw p95 334-456 ms, CPU 0.137-0.157 s)
    serve_views: int = 8,
    serve_redraws: int = 8,
    pages: tuple[str, ...] = pages_mod.PAGES,
    max_scenarios: int | None = None,
    out: Path | None = RESULTS,
    workdir: Path | None = None,
    mode: str = "full",
    hall: dict | None = None,
    log=print,
) -> dict:
    """Run the benchmark and return (and write to ``out``) its results.

    Parameters
    ----------
    sources : Path, optional
        Sources folder to build the real database from (default :func:`default_sources`).
    db : Path, optional
        Use this already built real database instead of building one.
    scales : tuple of int
        Synthetic scale-up factors (real incidents replicated with jitter).
    reruns : int
        Timed reruns per page and scale (cycling over the page's filter scenarios).
    max_scenarios : int, optional
        Keep only each page's first scenarios (quick runs): the payload's "largest" is
        then over those only.
    paint_runs : int
        First-paint runs per page (0: no browser); ``paint_scales`` limits the scales
        (1 = real; default all). At synthetic scales only overview and routes are
        painted (the other pages' data does not scale) unless ``paint_all``.
    baseline, baseline_runs, baseline_sample, baseline_paint, baseline_timeout
        The marker-per-incident baseline (real size only): whether to run it, Python
        runs, an optional sample size (quick runs), whether to time its first paint,
        and the paint time-out in seconds.
    hall : dict, optional
        The hall test (:func:`benchmarks.hall.run_all` keywords: ``sessions``,
        ``within``, ``replicas``, ``base_commit``); None skips it.
    """
    started = time.perf_counter()
    results: dict = {
        "benchmark": "arrival-atlas",
        "version": 1,
        "mode": mode,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "date": datetime.now(UTC).date().isoformat(),
        "machine": machine(),
        "targets": {**report.TARGETS, "baseline_payload_ratio": report.BASELINE_PAYLOAD_RATIO},
        "targets_text": report.TARGET_TEXT,
        "units": "bytes; milliseconds; 1 KB = 1,000 bytes",
        "settings": {
            "reruns": reruns,
            "paint_runs": paint_runs,
            "scales": [1, *scales],
            "baseline_runs": baseline_runs,
            "baseline_sample": baseline_sample,
            "max_scenarios": max_scenarios,
        },
        "scales": [],
    }
    own_tmp = workdir is None
    work = Path(workdir or tempfile.mkdtemp(prefix="atlas-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        # ------------------------------------------------------------- databases
        if db is None:
            from geo.build import build

            src = Path(sources or default_sources())
            results["sources"] = str(src)
            db = work / "atlas.duckdb"
            log(f"Building the real database from {src} …")
            t0 = time.perf_counter()
            build(src, db, out=io.StringIO())
            results["build"] = {"seconds": round(time.perf_counter() - t0, 1)}
            log(f"  built in {results['build']['seconds']} s")
        else:
            results["sources"] = None
            results["build"] = {"seconds": None, "db": str(db)}
        dbs = [
            {
                "label": "real",
                "factor": 1,
                "synthetic": False,
                "db": Path(db),
                "incidents": _count(Path(db)),
                "db_seconds": 0.0,
            }
        ]
        for f in scales:
            log(f"Making the {f}× synthetic database …")
            info = synth.scale_up(Path(db), work / f"atlas-x{f}.duckdb", f)
            log(f"  {info['incidents']:,} incidents in {info['seconds']} s")
            dbs.append(
                {
                    "label": f"{f}× synthetic",
                    "factor": f,
                    "synthetic": True,
                    "db": Path(info["db"]),
                    "incidents": info["incidents"],
                    "db_seconds": info["seconds"],
                }
            )

        # ------------------------------------------------------------- pages
        for d in dbs:
            d["load_average_start"] = load_average()
            log(f"Pages on {d['label']} ({d['incidents']:,} incidents), {reruns} reruns each …")
            measured = pages_mod.measure_all(
                str(d["db"]), reruns=reruns, pages=pages, log=log, max_scenarios=max_scenarios
            )
            want_paint = paint_runs > 0 and (paint_scales is None or d["factor"] in paint_scales)
            if want_paint:
                from benchmarks.paint import measure_pages

                log(f"First paint on {d['label']}, {paint_runs} runs per page …")
                # At the synthetic scales only the pages that draw incidents change; the
                # others' first paint would repeat the real one (unless asked for).
                painted = [
                    p
                    for p in measured
                    if not d["synthetic"] or paint_all or p in report.INCIDENT_PAGES
                ]
                paint = measure_pages(
                    d["db"], {p: pages_mod.URL_PATHS[p] for p in painted}, runs=paint_runs, log=log
                )
                results["machine"]["chromium"] = paint.pop("_browser", None)
                d["shell_paint_ms"] = paint.pop("_shell", None)
                for p in measured:
                    measured[p]["paint_ms"] = paint.get(p)
            else:
                for p in measured:
                    measured[p]["paint_ms"] = None
            d["load_average_end"] = load_average()
            results["scales"].append(
                {k: (str(v) if k == "db" else v) for k, v in d.items()} | {"pages": measured}
            )

        # ------------------------------------------------------------- animation
        results["animation"] = None
        if mode != "quick":  # ~5 s of drawing and encoding; the smoke run skips it
            from benchmarks.animation import measure_animation

            log("Animated export: yearly Deadly routes as GIF (square) and MP4 (16:9) …")
            results["animation"] = measure_animation(Path(db), log=log)

        # ------------------------------------------------------------- deck
        results["deck"] = None
        if paint_runs > 0:
            from benchmarks.deck import measure_deck

            log("Slide steps of the shipped briefing's HTML deck, offline …")
            results["deck"] = measure_deck(Path(db), log=log, workdir=work)

        # ------------------------------------------------------------- page views
        # Server CPU per page view and filter change to map redrawn (issue 19), now and on
        # today's code (the hall's base commit), real size.
        results["serve"] = None
        if paint_runs > 0 and serve_views > 0:
            from benchmarks import serve as serve_mod

            log("Server CPU per page view and filter redraw, cached and today's …")
            from benchmarks import hall as hall_mod

            results["serve"] = serve_mod.measure(
                Path(db),
                serve_mod.regions_of(Path(db)),
                views=serve_views,
                redraws=serve_redraws,
                # today's code beside: the hall's base commit (none: the cache switched off)
                base_commit=(hall or {}).get("base_commit", hall_mod.BASE_COMMIT),
                log=log,
            )

        # ------------------------------------------------------------- playback
        log("Time playback: payload of the animated views, frame rate offline …")
        from benchmarks.playback import measure_playback

        results["playback"] = measure_playback(
            [{k: d[k] for k in ("label", "factor", "synthetic", "db")} for d in dbs],
            paint=paint_runs > 0,
            log=log,
        )

        # ------------------------------------------------------------- hall
        results["hall"] = None
        if hall:
            from benchmarks import hall as hall_mod

            log(
                f"Hall: {hall['sessions']} viewers within {hall['within']:g} s, "
                f"servers {hall['replicas']}, today's code {hall.get('base_commit')} …"
            )
            results["hall"] = hall_mod.run_all(Path(db), log=log, **hall)

        # ------------------------------------------------------------- baseline
        if baseline:
            log("Baseline (one folium marker with a popup per incident), real size …")
            b = baseline_mod.measure_baseline(
                str(db), runs=baseline_runs, limit=baseline_sample, log=log
            )
            b["paint_ms"] = None
            if baseline_paint and paint_runs > 0 and baseline_sample is None:
                from benchmarks.paint import measure_baseline_paint

                b["paint_ms"] = measure_baseline_paint(
                    Path(db), runs=1, timeout=baseline_timeout, log=log
                )
            results["baseline"] = b
        else:
            results["baseline"] = None
    finally:
        if own_tmp:
            shutil.rmtree(work, ignore_errors=True)

    results["machine"]["load_average_end"] = load_average()
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    report.annotate(results)
    if out is not None:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1, default=str, ensure_ascii=False) + "\n")
        results["_written_to"] = str(out)
    return results


__all__ = ["run", "default_sources", "RESULTS"]
