"""Every query file runs against the test database, returns the columns its header
lists, and takes user values only as bound parameters."""

from __future__ import annotations

import re
from datetime import date

import pytest

from geo import QUERIES_DIR
from geo.queries import UnknownQuery, query_names, query_params, query_text, run_query

# A plausible value for every parameter name used in queries/; a new parameter name
# must be added here (the test says so), so that every file is exercised.
SAMPLES = {
    "date_from": date(2014, 1, 1),
    "date_to": date(2025, 12, 31),
    "regions": [],
    "routes": [],
    "causes": [],
    "types": [],
    "cell": 2.0,
    "year": 2025,
    "year_from": 2015,
    "year_to": 2035,
    "min_population": 1_000_000,
    "limit": 10,
    "k": 3,
    "radius_km": 100.0,
    "min_growth_pct": 50.0,
    "site_types": [],
    "status": "all",
    "countries": [],
    "datasets": [],
    "precision": 0.1,
    "step": 0.1,
    "country": "BGD",
    "iso3": "BGD",
    "route": "Central Mediterranean",
    "max_points": 500,
    "lat_min": -90.0,
    "lat_max": 90.0,
    "lon_min": -180.0,
    "lon_max": 180.0,
    "include_closed": False,
    "located_only": False,
    "grain": "year",
    "top": 6,
    "cumulative": False,
    "near_km": 200,
    "min_dead": 0,
    "corridor_km": 0,
}


def _returns(sql: str) -> list[str]:
    header = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        header.append(line[2:].strip())
    text = " ".join(header)
    assert "returns:" in text, "the header comment must list the returned columns"
    after = text.split("returns:", 1)[1]
    return re.findall(r"([a-z_][a-z0-9_]*)\s+[A-Z]+", after)


@pytest.mark.parametrize("name", query_names())
def test_query_runs_and_returns_its_header_columns(con, name):
    params = query_params(name)
    unknown = params - SAMPLES.keys()
    assert not unknown, f"add sample values for {sorted(unknown)} to tests/test_queries.py"
    df = run_query(con, name, **{k: SAMPLES[k] for k in params})
    assert list(df.columns) == _returns(query_text(name)), name


def test_every_file_is_reachable_by_name():
    files = {p.stem for p in QUERIES_DIR.glob("*.sql") if not p.name.startswith("_")}
    assert files == set(query_names()) and len(files) >= 10


@pytest.mark.parametrize("bad", ["../geo/build", "sources_table; DROP TABLE incidents", "SELECT 1"])
def test_query_names_must_be_files(bad):
    with pytest.raises(UnknownQuery):
        query_text(bad)


def test_missing_parameter_is_a_clear_error(con):
    with pytest.raises(TypeError, match="needs parameters"):
        run_query(con, "overview_headline")


INJECTIONS = [
    "x'); DROP TABLE incidents; --",
    "' OR '1'='1",
    "Central Mediterranean' --",
    "$routes",
]


@pytest.mark.parametrize("evil", INJECTIONS)
def test_filters_are_values_not_sql(con, evil):
    base = {k: SAMPLES[k] for k in query_params("incident_totals")}
    for key in ("regions", "routes", "causes", "types"):
        got = run_query(con, "incident_totals", **{**base, key: [evil]})
        assert got["incidents"].iloc[0] == 0, key
    assert con.execute("SELECT count(*) FROM incidents").fetchone()[0] > 19000
