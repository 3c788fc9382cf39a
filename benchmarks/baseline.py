"""The baseline most public Missing Migrants dashboards use: a default folium map with
one marker per incident, each with a popup (date, dead and missing, location, cause).

It is built the straightforward way: read every located incident, loop over the rows,
add a ``folium.CircleMarker`` with a ``folium.Popup`` to a default ``folium.Map``
(default OpenStreetMap tiles and CDN scripts). CircleMarker rather than Marker so the
browser check that counts drawn vector features (``tests.browser.COUNT_FEATURES``)
applies unchanged; the script folium writes per marker is about the same size. Popup
texts are HTML-escaped, as any dashboard should.
"""

from __future__ import annotations

import html
import time

import duckdb
import folium

from geo.maps import map_html

BASELINE_SQL = """
SELECT incident_date, year, dead_and_missing, location, country,
       array_to_string(causes, ', ') AS causes, lat, lon
FROM incidents
WHERE lat IS NOT NULL AND lon IS NOT NULL
ORDER BY incident_id
"""


def _text(v) -> str:
    return html.escape("" if v is None else str(v))


def baseline_rows(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[tuple]:
    """Every located incident (or the first ``limit``), as the baseline reads them."""
    rows = con.execute(BASELINE_SQL).fetchall()
    return rows if limit is None else rows[:limit]


def baseline_map(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> folium.Map:
    """The marker-per-incident world map of every located incident (or the first ``limit``)."""
    return map_of_rows(baseline_rows(con, limit))


def map_of_rows(rows: list[tuple]) -> folium.Map:
    """A default folium map with one circle marker and popup per row of ``BASELINE_SQL``."""
    m = folium.Map(location=[20, 10], zoom_start=2)
    for day, year, dm, location, country, causes, lat, lon in rows:
        popup = (
            f"<b>{_text(day if day is not None else year)}</b><br>"
            f"Dead and missing: {int(dm or 0)}<br>"
            f"Location: {_text(location)}, {_text(country)}<br>"
            f"Cause: {_text(causes)}"
        )
        folium.CircleMarker(
            [lat, lon],
            radius=4,
            color="#b2182b",
            fill=True,
            popup=folium.Popup(popup, max_width=300),
        ).add_to(m)
    return m


def measure_baseline(db: str, runs: int = 2, limit: int | None = None, log=print) -> dict:
    """Build time (query + map), render time and payload of the baseline map.

    Returns
    -------
    dict
        ``markers``, ``payload_bytes``, ``queries_ms`` (the read, per run and median),
        ``build_ms`` (query + map, per run, median), ``render_ms``
        (per run, median), ``rerun_ms`` (build + render, median), ``sample`` (``limit``).
    """
    con = duckdb.connect(str(db), read_only=True)
    try:
        build, query, render, size, markers = [], [], [], 0, 0
        for i in range(max(runs, 1)):
            t0 = time.perf_counter()
            rows = baseline_rows(con, limit)
            query.append((time.perf_counter() - t0) * 1000)
            m = map_of_rows(rows)
            t1 = time.perf_counter()
            page = map_html(m)
            t2 = time.perf_counter()
            build.append((t1 - t0) * 1000)
            render.append((t2 - t1) * 1000)
            size = len(page.encode())
            markers = sum(isinstance(c, folium.CircleMarker) for c in m._children.values())
            log(f"    baseline run {i + 1}: build {t1 - t0:.1f} s, render {t2 - t1:.1f} s")
    finally:
        con.close()

    def med(v):
        s = sorted(v)
        return round(s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2, 1)

    return {
        "markers": markers,
        "sample": limit,
        "payload_bytes": size,
        "queries_ms": {"runs": [round(v, 1) for v in query], "median": med(query)},
        "build_ms": {"runs": [round(v, 1) for v in build], "median": med(build)},
        "render_ms": {"runs": [round(v, 1) for v in render], "median": med(render)},
        "rerun_ms": {"median": med([b + r for b, r in zip(build, render, strict=True)])},
    }


__all__ = ["baseline_map", "baseline_rows", "map_of_rows", "measure_baseline", "BASELINE_SQL"]
