"""geo.rows.records: a frame's rows as to_dict("records") writes them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo.rows import records
from geo.views import direct_query
from geo.views import routes as R


@pytest.fixture()
def q(con):
    return direct_query(con)


@pytest.fixture()
def options(q):
    return R.options(q)


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if a is pd.NaT or (isinstance(a, float) and math.isnan(a)):
        return a is b or (isinstance(b, float) and math.isnan(b))
    return a == b


def test_records_are_the_rows_to_dict_writes(q, options):
    """Every query a Deadly routes map reads, on every region: the same keys, values
    and Python types as ``to_dict("records")`` (nullable columns' gaps as None, NaT,
    NaN), in the same order."""
    checked = 0
    for region in options.regions:
        params = R.RoutesState(options.first_date, options.last_date, regions=[region])
        for name, extra in (
            ("incident_points", {"limit": 500}),
            ("incident_bins", {"cell": 1.0}),
            ("route_totals", {}),
        ):
            df = q(name, **extra, **params.query_params())
            want, got = df.to_dict("records"), records(df)
            assert len(got) == len(want)
            for w, g in zip(want, got, strict=True):
                assert list(g) == list(w)
                bad = [k for k in w if not _same(w[k], g[k])]
                assert not bad, (name, region, {k: (w[k], g[k]) for k in bad})
                checked += 1
    assert checked > 1000


def test_records_of_a_nullable_column_and_of_an_empty_frame():
    df = pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int32"), "s": ["a", None, "c"]})
    got, want = records(df), df.to_dict("records")
    assert [r["n"] for r in got] == [r["n"] for r in want] == [1, None, 3]
    assert all(_same(w["s"], g["s"]) for w, g in zip(want, got, strict=True))
    assert records(df.iloc[:0]) == []


def test_tuples_are_the_rows_itertuples_gives(q, options):
    """Named tuples with the same fields and values as ``itertuples()`` (the index
    first), on the Deadly routes map's bins and corridors of every region."""
    from geo.rows import tuples

    for region in options.regions:
        params = R.RoutesState(options.first_date, options.last_date, regions=[region])
        for name, extra in (("incident_bins", {"cell": 2.0}), ("route_totals", {})):
            df = q(name, **extra, **params.query_params())
            want, got = list(df.itertuples()), tuples(df)
            assert [w._fields for w in want] == [g._fields for g in got]
            for w, g in zip(want, got, strict=True):
                assert all(
                    _same(a if a is not pd.NA else None, b) for a, b in zip(w, g, strict=True)
                )
    odd = pd.DataFrame({"a b": [1], "class": ["x"]})
    assert list(tuples(odd)[0]) == list(next(odd.itertuples()))
