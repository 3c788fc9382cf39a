"""Synthetic scale-ups of a built database: the real incidents replicated with jittered
positions and dates, in SQL, into a copy of the database file.

Copy ``k`` (1 … factor-1) of incident ``ID`` gets the ID ``ID~sk``, a position moved by
up to ±0.25° in each direction and a date moved by up to ±30 days (kept within the
real data's date range; undated incidents stay undated). Counts, causes, routes, texts
and every other column are the original's. ``incident_routes`` gets the same copies.
Jitter comes from ``hash(incident_id, k)``, so a rebuild gives the same database.

The result is **synthetic**: it is for measuring how the pages scale, never for figures.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb

from geo.schema import BY_NAME

JITTER_DEG = 0.25
JITTER_DAYS = 30

# $k runs over the copies; u(salt) is a uniform number in [0, 1) from the id, copy and salt.
_INSERT_INCIDENTS = """
WITH copies AS (
    SELECT i.*, k.k,
        (hash(i.incident_id, k.k, 1) % 1000003) / 1000003.0 AS u_lat,
        (hash(i.incident_id, k.k, 2) % 1000003) / 1000003.0 AS u_lon,
        (hash(i.incident_id, k.k, 3) % 1000003) / 1000003.0 AS u_day
    FROM incidents i, range(1, $factor) k(k)
    WHERE i.incident_id NOT LIKE '%~s%'
),
span AS (SELECT min(incident_date) AS lo, max(incident_date) AS hi FROM incidents),
moved AS (
    SELECT c.* REPLACE (
        c.incident_id || '~s' || c.k AS incident_id,
        CASE WHEN c.incident_date IS NULL THEN NULL ELSE least(greatest(
            c.incident_date + CAST(round((c.u_day * 2 - 1) * $days) AS INTEGER),
            span.lo), span.hi) END AS incident_date,
        CASE WHEN c.lat IS NULL THEN NULL
            ELSE least(89.9, greatest(-89.9, c.lat + (c.u_lat * 2 - 1) * $deg)) END AS lat,
        CASE WHEN c.lon IS NULL THEN NULL
            ELSE least(180.0, greatest(-180.0, c.lon + (c.u_lon * 2 - 1) * $deg)) END AS lon
    )
    FROM copies c, span
)
INSERT INTO _scaled BY NAME
SELECT * EXCLUDE (k, u_lat, u_lon, u_day) REPLACE (
    CASE WHEN incident_date IS NULL THEN year ELSE year(incident_date) END AS year,
    CASE WHEN incident_date IS NULL THEN month ELSE month(incident_date) END AS month,
    coalesce(incident_date, date_lo) AS date_lo,
    coalesce(incident_date, date_hi) AS date_hi
)
FROM moved
"""

_INSERT_ROUTES = """
INSERT INTO incident_routes
SELECT r.incident_id || '~s' || k.k, r.route
FROM incident_routes r, range(1, $factor) k(k)
WHERE r.incident_id NOT LIKE '%~s%'
"""


def scale_up(real_db: Path, dest: Path, factor: int) -> dict:
    """Write ``dest``: a copy of ``real_db`` whose incidents are replicated ``factor`` times.

    Returns
    -------
    dict
        ``factor``, ``incidents`` (rows after), ``incident_routes`` (rows after),
        ``seconds`` (copy + inserts + checkpoint), ``synthetic`` (True), ``db`` (path).
    """
    if factor < 2:
        raise ValueError("factor must be at least 2")
    started = time.perf_counter()
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        dest.unlink()
    shutil.copyfile(real_db, dest)
    con = duckdb.connect(str(dest))
    try:
        # Secondary indexes are rebuilt once after the bulk insert (faster than
        # maintaining them row by row); the primary key stays.
        indexes = con.execute(
            "SELECT index_name, sql FROM duckdb_indexes() "
            "WHERE table_name IN ('incidents', 'incident_routes')"
        ).fetchall()
        for name, _sql in indexes:
            con.execute(f'DROP INDEX "{name}"')
        params = {"factor": factor, "days": JITTER_DAYS, "deg": JITTER_DEG}
        # The copies join the real rows in a scratch table, and the incidents table is
        # rewritten from it in date order, the physical order geo.build gives it.
        con.execute("CREATE TEMP TABLE _scaled AS SELECT * FROM incidents")
        con.execute(_INSERT_INCIDENTS, params)
        con.execute("DROP TABLE incidents")
        con.execute(BY_NAME["incidents"].ddl())
        con.execute(
            "INSERT INTO incidents BY NAME SELECT * FROM _scaled "
            "ORDER BY date_lo NULLS LAST, incident_id"
        )
        con.execute("DROP TABLE _scaled")
        con.execute(_INSERT_ROUTES, {"factor": factor})
        for _name, sql in indexes:
            con.execute(sql)
        con.execute(
            "INSERT OR REPLACE INTO build_info VALUES ('synthetic', ?)",
            [f"{factor}x jittered copies of the real incidents (benchmarks.synth)"],
        )
        con.execute("CHECKPOINT")
        n_inc = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
        n_routes = con.execute("SELECT count(*) FROM incident_routes").fetchone()[0]
    finally:
        con.close()
    return {
        "factor": factor,
        "synthetic": True,
        "incidents": int(n_inc),
        "incident_routes": int(n_routes),
        "seconds": round(time.perf_counter() - started, 2),
        "db": str(dest),
    }


__all__ = ["scale_up", "JITTER_DEG", "JITTER_DAYS"]
