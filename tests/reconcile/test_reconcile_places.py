"""Arrival cities and the CIFAL network: refugees by country of asylum, WUP city
populations by year, and CIFAL coverage, against an independent count of the files."""

from __future__ import annotations

import pytest

from tests.reconcile.sources import km_to, read_cifal, read_destinations


def differences(expected: dict, actual: dict) -> dict:
    """{key: (expected, app)} where the two disagree (absent = None)."""
    keys = sorted(set(expected) | set(actual), key=str)
    return {k: (expected.get(k), actual.get(k)) for k in keys if expected.get(k) != actual.get(k)}


# ----------------------------------------------------------------- refugees by asylum


@pytest.fixture(scope="module")
def refugee_years(refugees) -> list[int]:
    """The latest year, and years across the series (1990s, 2000s, 2010s)."""
    years = sorted(set(refugees["year"]))
    return sorted({years[-1], years[-2], 2015, 2000, 1995} & set(years))


def test_refugees_by_asylum(app, refugees, refugee_years):
    """Refugees, asylum-seekers and their total per country of asylum, several years."""
    assert len(refugee_years) >= 4
    wrong = {}
    for year in refugee_years:
        part = refugees[refugees["year"] == year]
        expected = {
            r.asylum_iso3: (r.refugees, r.asylum_seekers, r.total) for r in part.itertuples()
        }
        table = app("refugees_by_asylum", year=year)
        actual = {
            r.asylum_iso3: (int(r.refugees), int(r.asylum_seekers), int(r.total))
            for r in table.itertuples()
        }
        assert len(expected) > 50
        diff = differences(expected, actual)
        if diff:
            wrong[year] = diff
    assert wrong == {}


# ----------------------------------------------------------------- city populations


@pytest.mark.parametrize("min_population", [0, 300_000, 1_000_000, 10_000_000])
def test_cities_headline(app, wup, min_population):
    """Cities, their population and megacities for every WUP year (thousands x 1000)."""
    wrong = {}
    for year in sorted(set(wup["year"])):
        p = wup[(wup["year"] == year) & (wup["population"] >= min_population)]["population"]
        expected = (len(p), int(p.sum()), int((p >= 10_000_000).sum()), year >= 2020)
        row = app("cities_headline", year=year, min_population=min_population).iloc[0]
        actual = (
            int(row["cities"]),
            int(row["population"]),
            int(row["megacities"]),
            bool(row["projected"]),
        )
        if actual != expected:
            wrong[year] = (expected, actual)
    assert len(set(wup["year"])) == 18
    assert wrong == {}


@pytest.mark.parametrize("year", [1950, 2000, 2015, 2025, 2035])
def test_city_sizes(app, wup, year):
    """Every city's population in a year, by WUP city code."""
    part = wup[wup["year"] == year]
    expected = dict(zip(part["city_code"], part["population"], strict=True))
    table = app("city_sizes", year=year, min_population=0)
    actual = dict(zip(table["city_code"].astype(int), table["population"].astype(int), strict=True))
    assert len(expected) > 1000
    assert differences(expected, actual) == {}


# ----------------------------------------------------------------- CIFAL coverage


@pytest.fixture(scope="module")
def centres():
    """CIFAL centres with coordinates, from the project's compiled table."""
    return read_cifal()


@pytest.fixture(scope="module")
def destinations():
    """Destination ends of the route corridors."""
    return read_destinations()


def test_cifal_centres(app, centres):
    """Centres with coordinates: the same names, places and active flags."""
    table = app("cifal_centres")
    actual = {
        r.centre: (round(r.lat, 5), round(r.lon, 5), bool(r.active)) for r in table.itertuples()
    }
    expected = {
        r.centre: (round(r.lat, 5), round(r.lon, 5), bool(r.active)) for r in centres.itertuples()
    }
    assert len(expected) >= 30
    assert differences(expected, actual) == {}


COVERAGE = [(300, 2025, 1_000_000), (100, 2020, 300_000), (800, 2035, 5_000_000)]
# A place this close to the limit could fall either side through floating point alone.
EDGE_KM = 0.01


def within(d, radius_km: float):
    """The app's rule, as its captions state it: distances are whole kilometres (half up),
    and "within 300 km" includes 300 km, so a place 300.47 km away is within."""
    return d < radius_km + 0.5


@pytest.mark.parametrize(("radius_km", "year", "min_population"), COVERAGE)
def test_cifal_coverage(app, wup, centres, destinations, radius_km, year, min_population):
    """Per centre: arrival cities within the radius, their population, route destinations
    within it (great-circle distance), and the (centre, city) pairs ``cifal_nearby`` lists."""
    cities = wup[(wup["year"] == year) & (wup["population"] >= min_population)]
    coverage = app(
        "cifal_coverage", radius_km=float(radius_km), year=year, min_population=min_population
    ).set_index("centre")
    nearby = app(
        "cifal_nearby", radius_km=float(radius_km), year=year, min_population=min_population
    )
    listed = set(
        zip(
            nearby.loc[nearby["kind"] == "arrival city", "centre"],
            nearby.loc[nearby["kind"] == "arrival city", "place"],
            strict=True,
        )
    )
    wrong, pairs, edge = {}, set(), set()
    for c in centres.itertuples():
        d = km_to(c.lat, c.lon, cities)
        inside = cities[within(d, radius_km)]
        edge |= {(c.centre, n) for n in cities.loc[(d - radius_km - 0.5).abs() < EDGE_KM, "name"]}
        pairs |= {(c.centre, n) for n in inside["name"]}
        dd = km_to(c.lat, c.lon, destinations)
        expected = (len(inside), int(inside["population"].sum()), int(within(dd, radius_km).sum()))
        row = coverage.loc[c.centre] if c.centre in coverage.index else None
        actual = (
            None
            if row is None
            else (
                int(row["cities_within"]),
                int(row["cities_population"]),
                int(row["destinations_within"]),
            )
        )
        near_edge = any(p[0] == c.centre for p in edge)
        if actual != expected and not near_edge:
            wrong[c.centre] = (expected, actual)
    assert len(pairs) > 0, "no city within the radius of any centre"
    assert wrong == {}
    assert (pairs - edge) == (listed - edge)
