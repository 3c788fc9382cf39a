"""Deadly routes and Overview: the app's MMP figures against an independent count of the
export and the endpoint files (each year from its later publication, issue 12)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.reconcile.sources import BOM, mmp_breakdown, mmp_filter, mmp_totals

EVER = (date(1900, 1, 1), date(2100, 12, 31))
NO_LISTS = {"regions": [], "routes": [], "causes": [], "types": []}
FIGURES = ("incidents", "dead_and_missing", "dead", "missing")


def app_totals(app, date_from, date_to, regions=(), routes=(), causes=()) -> dict[str, int]:
    """The Deadly routes headline (``incident_totals``) for these filters."""
    row = app(
        "incident_totals",
        date_from=date_from,
        date_to=date_to,
        regions=list(regions),
        routes=list(routes),
        causes=list(causes),
        types=[],
    ).iloc[0]
    return {k: int(row[k]) for k in FIGURES}


def differences(expected: dict, actual: dict) -> dict:
    """{key: (expected, app)} for every key where the two disagree (missing = 0)."""
    keys = set(expected) | set(actual)
    return {
        k: (expected.get(k, 0), actual.get(k, 0))
        for k in sorted(keys, key=str)
        if expected.get(k, 0) != actual.get(k, 0)
    }


def test_every_year_has_one_publication(mmp):
    """The merge rule picks the endpoint for the years at and after the export's last one."""
    years = set(mmp.incidents["year"])
    assert mmp.endpoint_years, "no endpoint year: the api/*.json files were not found"
    assert min(mmp.endpoint_years) == mmp.export_last_date.year
    # Each year's incidents come from exactly one source.
    per_year = mmp.incidents.groupby("year")["source"].nunique()
    assert (per_year == 1).all(), per_year[per_year > 1]
    assert len(years) >= 10 and mmp.incidents["dead_and_missing"].sum() > 0


def test_all_incidents(app, mmp):
    """The headline with no filter: incidents, dead and missing, dead, missing."""
    expected = mmp_totals(mmp.incidents)
    assert expected["incidents"] > 10_000
    assert app_totals(app, *EVER) == expected


def test_overview_headline(app, mmp):
    """Overview: dead and missing since 2014, incidents, and "this year" (the latest year)."""
    latest = int(mmp.incidents["year"].max())
    row = app("overview_headline", year=latest).iloc[0]
    expected = mmp_totals(mmp.incidents)
    this_year = mmp.incidents.loc[mmp.incidents["year"] == latest, "dead_and_missing"].sum()
    assert {
        "incidents": int(row["incidents"]),
        "dead_and_missing": int(row["dead_and_missing"]),
        "dead_and_missing_year": int(row["dead_and_missing_year"]),
    } == {
        "incidents": expected["incidents"],
        "dead_and_missing": expected["dead_and_missing"],
        "dead_and_missing_year": int(this_year),
    }


def test_totals_per_year(app, mmp):
    """Each year's four figures, filtering the page's date range to that calendar year."""
    expected, actual = {}, {}
    for year in sorted(set(mmp.incidents["year"])):
        lo, hi = date(year, 1, 1), date(year, 12, 31)
        expected[year] = mmp_totals(mmp_filter(mmp.incidents, lo, hi))
        actual[year] = app_totals(app, lo, hi)
    assert len(expected) >= 10
    assert differences(expected, actual) == {}


def _breakdown(mmp, column: str) -> dict[str, dict[str, int]]:
    table = mmp_breakdown(mmp.incidents, column)
    return {k: {f: int(v) for f, v in row.items()} for k, row in table.iterrows()}


@pytest.mark.parametrize(
    ("column", "kind", "param"),
    [("regions", "region", "regions"), ("causes", "cause", "causes")],
    ids=["region", "cause"],
)
def test_totals_per_region_and_cause(app, mmp, column, kind, param):
    """Per region and per cause: the filter options' counts and the filtered headline.

    An incident with two regions (or causes) counts under each, as the filter selects it
    under each.
    """
    expected = _breakdown(mmp, column)
    assert len(expected) >= 5
    options = app("incident_options")
    listed = options[options["kind"] == kind].set_index("value")["incidents"].astype(int)
    assert differences({k: v["incidents"] for k, v in expected.items()}, listed.to_dict()) == {}
    actual = {value: app_totals(app, *EVER, **{param: [value]}) for value in expected}
    assert differences(expected, actual) == {}


def test_totals_per_route(app, mmp):
    """ "By route" (``route_totals``): incidents and dead and missing per route, no filter."""
    expected = {
        k: {"incidents": v["incidents"], "dead_and_missing": v["dead_and_missing"]}
        for k, v in _breakdown(mmp, "routes").items()
    }
    assert len(expected) >= 20
    table = app("route_totals", date_from=EVER[0], date_to=EVER[1], **NO_LISTS)
    actual = {
        r.route: {"incidents": int(r.incidents), "dead_and_missing": int(r.dead_and_missing)}
        for r in table.itertuples()
    }
    assert differences(expected, actual) == {}


# Filter combinations a user picks; the values are inputs, the expected figures come from
# the files. The 2025 windows are where the two publications meet.
COMBINATIONS = {
    "years 2019-2021": dict(date_from=date(2019, 1, 1), date_to=date(2021, 12, 31)),
    "2025 up to the export's last day": dict(date_from=date(2025, 1, 1), date_to=date(2025, 4, 29)),
    "mid-2024 to mid-2025": dict(date_from=date(2024, 7, 1), date_to=date(2025, 6, 30)),
    "2026": dict(date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)),
    "route Central Mediterranean": dict(routes=["Central Mediterranean"]),
    "route Afghanistan to Iran, 2025": dict(
        date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), routes=["Afghanistan to Iran"]
    ),
    "route Naf River crossing": dict(routes=["Naf River crossing"]),
    "region Mediterranean": dict(regions=["Mediterranean"]),
    "regions North and Central America, 2024-2026": dict(
        date_from=date(2024, 1, 1),
        date_to=date(2026, 12, 31),
        regions=["North America", "Central America"],
    ),
    "cause Drowning": dict(causes=["Drowning"]),
    "cause Harsh environmental conditions, 2025": dict(
        date_from=date(2025, 1, 1),
        date_to=date(2025, 12, 31),
        causes=["Harsh environmental conditions / lack of adequate shelter, food, water"],
    ),
    "Mediterranean drowning on the Central Mediterranean, 2023-2026": dict(
        date_from=date(2023, 1, 1),
        date_to=date(2026, 12, 31),
        regions=["Mediterranean"],
        routes=["Central Mediterranean"],
        causes=["Drowning"],
    ),
}


@pytest.mark.parametrize("name", list(COMBINATIONS))
def test_filter_combinations(app, mmp, name):
    """The headline and the chosen routes' rows of "By route" for one filter combination."""
    f = {"date_from": EVER[0], "date_to": EVER[1], "regions": [], "routes": [], "causes": []}
    f.update(COMBINATIONS[name])
    selected = mmp_filter(mmp.incidents, **f)
    # A filter value absent from the files would make both sides zero and prove nothing.
    assert len(selected) > 0, f"{name}: no incident in the sources"
    assert app_totals(app, **f) == mmp_totals(selected)
    routes = app("route_totals", **f, types=[])
    actual = {r.route: (int(r.incidents), int(r.dead_and_missing)) for r in routes.itertuples()}
    per_route = mmp_breakdown(selected, "routes")
    if f["routes"]:
        per_route = per_route.loc[per_route.index.isin(f["routes"])]
    expected = {k: (int(v.incidents), int(v.dead_and_missing)) for k, v in per_route.iterrows()}
    assert differences(expected, actual) == {}


def _app_incidents(app_con, ids) -> dict[str, dict[str, int]]:
    """{incident_id: dead, missing, dead_and_missing} of the app for these ids."""
    # No named query returns incidents by id; the incidents table is the one the
    # queries read, so look them up there (one query for all ids).
    rows = app_con.execute(
        "SELECT incident_id, dead, missing, dead_and_missing FROM incidents "
        "WHERE list_contains(?, incident_id)",
        [list(ids)],
    ).fetchall()
    return {
        r[0]: {"dead": int(r[1]), "missing": int(r[2]), "dead_and_missing": int(r[3])} for r in rows
    }


def test_identical_endpoint_rows_are_summed(app_con, mmp):
    """Identical rows of one web_id are separate origin groups: all of them count."""
    e = mmp.endpoint
    repeated = e[(e["identical_rows"] > 0) & e["year"].isin(mmp.endpoint_years)]
    assert len(repeated) > 0, "no repeated endpoint rows in an endpoint year"
    expected = {
        r.id: {"dead": r.dead, "missing": r.missing, "dead_and_missing": r.dead_and_missing}
        for r in repeated.itertuples()
    }
    assert differences(expected, _app_incidents(app_con, expected)) == {}


def test_late_additions_are_loaded(app_con, mmp):
    """Incidents of an endpoint year that the export lacks, dated on or before its last
    day (IOM added them after the export was made), are in the app with their totals."""
    e = mmp.endpoint
    export_ids = set(mmp.export["id"])
    late = e[
        e["year"].isin(mmp.endpoint_years)
        & ~e["id"].isin(export_ids)
        & e["date"].map(lambda d: d is not None and d <= mmp.export_last_date)
    ]
    assert len(late) > 0
    expected = {
        r.id: {"dead": r.dead, "missing": r.missing, "dead_and_missing": r.dead_and_missing}
        for r in late.itertuples()
    }
    wrong = differences(expected, _app_incidents(app_con, expected))
    assert wrong == {}, f"{len(wrong)} of {len(late)} late additions absent or different"


def test_ids_without_byte_order_mark(app_con, mmp):
    """Export ids that start with a BOM are stored without it (so they equal web_ids)."""
    with_bom = app_con.execute(
        "SELECT count(*) FROM incidents WHERE starts_with(incident_id, ?)", [BOM]
    ).fetchone()[0]
    assert with_bom == 0
    ids = mmp.incidents.loc[mmp.incidents["had_bom"].fillna(False).astype(bool), "id"]
    assert len(ids) > 0, "the export has no id with a BOM any more: update this check"
    assert sorted(set(ids) - set(_app_incidents(app_con, ids))) == []
