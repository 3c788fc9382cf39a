"""``python -m benchmarks``: the whole benchmark in one run (see ``benchmarks/__init__.py``).

Prints the machine, a table with every figure marked against its target, and writes
``benchmarks/results/latest.json``. Exit code 0 even when targets are missed (the
table says which); 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks import hall as hall_mod
from benchmarks import pages as pages_mod
from benchmarks.report import text_report
from benchmarks.run import RESULTS, default_sources, run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure every map page (payload, rerun, queries, first paint) on the "
        "real data and synthetic scale-ups, against the marker-per-incident baseline.",
    )
    ap.add_argument("--sources", type=Path, help=f"sources folder (default {default_sources()})")
    ap.add_argument("--db", type=Path, help="use this built database instead of building one")
    ap.add_argument(
        "--scales", default="10,100", help="synthetic factors, comma-separated ('' none)"
    )
    ap.add_argument(
        "--reruns", type=int, default=pages_mod.DEFAULT_RERUNS, help="timed reruns per page"
    )
    ap.add_argument("--paint-runs", type=int, default=5, help="first-paint runs per page (0: none)")
    ap.add_argument(
        "--paint-scales", default="", help="factors to time first paint on (default: all)"
    )
    ap.add_argument(
        "--paint-all",
        action="store_true",
        help="at synthetic scales, also time first paint of camps, cities, cifal (unchanged data)",
    )
    ap.add_argument("--baseline-runs", type=int, default=1, help="Python runs of the baseline")
    ap.add_argument("--baseline-timeout", type=float, default=60, help="baseline paint time-out, s")
    ap.add_argument("--no-baseline", action="store_true", help="skip the baseline")
    ap.add_argument("--pages", default=",".join(pages_mod.PAGES), help="pages to measure")
    ap.add_argument("--hall-sessions", type=int, default=200, help="hall test: viewers (0: none)")
    ap.add_argument("--hall-within", type=float, default=60, help="hall test: seconds of arrival")
    ap.add_argument(
        "--hall-replicas",
        default="0,2,3",
        help="hall test: servers, comma-separated (0: one server; N: N behind nginx)",
    )
    ap.add_argument(
        "--hall-base",
        default=hall_mod.BASE_COMMIT,
        help=f"hall test: today's code, a commit (default {hall_mod.BASE_COMMIT}; '' none)",
    )
    ap.add_argument("--out", type=Path, default=RESULTS, help=f"JSON output (default {RESULTS})")
    ap.add_argument("--workdir", type=Path, help="keep the databases in this folder")
    ap.add_argument(
        "--quick",
        action="store_true",
        help="real size only, 5 scenarios and 3 reruns per page, no browser, baseline on 500 "
        "incidents (a smoke run)",
    )
    args = ap.parse_args(argv)

    pages = tuple(p for p in args.pages.split(",") if p)
    bad = [p for p in pages if p not in pages_mod.PAGES]
    if bad:
        ap.error(f"unknown page(s): {', '.join(bad)}; choose from {', '.join(pages_mod.PAGES)}")
    try:
        scales = tuple(int(s) for s in args.scales.split(",") if s.strip())
        paint_scales = tuple(int(s) for s in args.paint_scales.split(",") if s.strip()) or None
    except ValueError:
        ap.error("--scales and --paint-scales take comma-separated integers")
    if any(s < 2 for s in scales):
        ap.error("scale factors must be at least 2")
    try:
        hall_replicas = tuple(int(s) for s in args.hall_replicas.split(",") if s.strip()) or (0,)
    except ValueError:
        ap.error("--hall-replicas takes comma-separated integers")
    hall = None
    if args.hall_sessions > 0:
        hall = {
            "sessions": args.hall_sessions,
            "within": args.hall_within,
            "replicas": hall_replicas,
            "base_commit": args.hall_base or None,
        }

    kw = dict(
        sources=args.sources,
        db=args.db,
        scales=scales,
        reruns=args.reruns,
        paint_runs=args.paint_runs,
        paint_scales=paint_scales,
        paint_all=args.paint_all,
        baseline=not args.no_baseline,
        baseline_runs=args.baseline_runs,
        baseline_timeout=args.baseline_timeout,
        pages=pages,
        out=args.out,
        workdir=args.workdir,
        hall=hall,
    )
    if args.quick:
        kw.update(
            scales=(),
            reruns=3,
            max_scenarios=5,
            paint_runs=0,
            baseline_runs=1,
            baseline_sample=500,
            mode="quick",
            hall=None,
        )

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    results = run(**kw, log=log)
    print(text_report(results))
    if results.get("_written_to"):
        print(f"JSON: {results['_written_to']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
