"""The Deadly routes filter written into a query as masks (``run_query(codes=...)``)
returns exactly what the ``filtered_incidents`` macro returns, for every query that
filters incidents and for states of every kind: one value, several, values the data
does not hold, incident types, narrow dates and undated incidents' years."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo.queries import FilterCodes, query_names, query_text, run_query

EXTRA = {
    "cell": 2.0,
    "grain": "year",
    "limit": 25,
    "cumulative": False,
    "top": 5,
}
WIDE = (date(1900, 1, 1), date(2100, 12, 31))


def _filtering_queries() -> list[str]:
    return [n for n in query_names() if "filtered_incidents(" in query_text(n)]


@pytest.fixture(scope="module")
def codes(db_path):
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as c:
        return FilterCodes.read(c)


def _states(con) -> list[dict]:
    values = {
        kind: [v for (v,) in con.execute(
            "SELECT value FROM incident_codes WHERE kind = ? ORDER BY incidents DESC", [kind]
        ).fetchall()]
        for kind in ("region", "route", "cause")
    }  # fmt: skip
    types = [t for (t,) in con.execute("SELECT DISTINCT incident_type FROM incidents").fetchall()]
    undated_year = con.execute(
        "SELECT min(year) FROM incidents WHERE incident_date IS NULL"
    ).fetchone()[0]
    base = dict(date_from=WIDE[0], date_to=WIDE[1], regions=[], routes=[], causes=[], types=[])
    states = [base]
    # the commonest and the rarest values of each kind (the suite's time is counted)
    states += [dict(base, regions=[r]) for r in values["region"][:3] + values["region"][-2:]]
    states += [dict(base, routes=[r]) for r in values["route"][:3] + values["route"][-1:]]
    states += [dict(base, causes=[c]) for c in values["cause"][:2] + values["cause"][-1:]]
    states += [
        dict(base, regions=values["region"][:3], routes=values["route"][:2]),
        dict(base, regions=["No such region"]),
        dict(base, routes=[values["route"][0], "No such route"]),
        dict(base, causes=values["cause"][:2], types=types[:1]),
        dict(base, types=["No such type"]),
        dict(base, date_from=date(2023, 3, 1), date_to=date(2023, 3, 31)),
        dict(base, date_from=date(undated_year, 6, 1), date_to=date(undated_year, 6, 2)),
        dict(base, date_from=date(undated_year, 1, 1), date_to=date(undated_year, 12, 31)),
    ]
    return states


@pytest.mark.parametrize("name", _filtering_queries())
def test_masks_written_in_return_what_the_macro_returns(con, codes, name):
    assert codes is not None  # the real vocabularies fit the masks
    for state in _states(con):
        params = dict(state, **EXTRA)
        want = run_query(con, name, **params)
        got = run_query(con, name, codes=codes, **params)
        pd.testing.assert_frame_equal(got, want, check_exact=True, obj=f"{name} {state}")


def test_the_masks_name_no_text_from_the_state(codes):
    where = codes.where(
        dict(regions=["x'); DROP TABLE incidents; --"], routes=[], causes=[], types=["y'"])
    )
    assert "DROP" not in where and "'" not in where
    assert "false" in where and "$types" in where  # the unknown region matches nothing
