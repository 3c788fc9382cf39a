"""Animated export: the seconds a yearly playback takes to become a GIF and an MP4.

The view is Deadly routes over every incident of the database played by year (12–13
frames), as the export buttons make it: a square GIF (1080 × 1080) and a 16:9 MP4
(1920 × 1080), each timed from the map description to the file's bytes (layout, every
frame drawn, quantising or H.264 encoding), wall clock in this process. The target is
30 s each on the benchmark machine; the load average at the start and end is kept, as
other processes on a small machine stretch the times.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from benchmarks.machine import load_average
from geo.animation import playback_of, render_animation
from geo.registry import render_page
from geo.views import countries_of, direct_query

RUNS = (("gif", "square"), ("mp4", "wide"))


def measure_animation(db: Path, *, log=print) -> dict:
    """Time the yearly Deadly routes animation as GIF (square) and MP4 (16:9).

    Returns
    -------
    dict
        ``view``, ``frames`` (periods), ``files`` (one per run: ``fmt``, ``size``,
        ``seconds``, ``bytes``), ``max_s`` and the load averages.
    """
    con = duckdb.connect(str(db), read_only=True)
    try:
        page = render_page("routes", direct_query(con), countries_of(con), {"play": "year"})
        places = page.load_places()
    finally:
        con.close()
    layer = playback_of(page.spec)
    out = {
        "view": "Deadly routes by year",
        "frames": len(layer.frames) if layer else 0,
        "load_average_start": load_average(),
        "files": [],
    }
    for fmt, size in RUNS:
        t0 = time.perf_counter()
        data = render_animation(
            page.spec,
            fmt=fmt,
            size=size,
            title=page.title,
            subtitle=page.subtitle,
            caveat=page.caveat,
            headline=page.headline,
            places=places,
        )
        seconds = round(time.perf_counter() - t0, 2)
        out["files"].append({"fmt": fmt, "size": size, "seconds": seconds, "bytes": len(data)})
        log(f"  {fmt.upper()} {size}: {seconds:.1f} s, {len(data):,} bytes")
    out["load_average_end"] = load_average()
    out["max_s"] = max(f["seconds"] for f in out["files"])
    return out


__all__ = ["RUNS", "measure_animation"]
