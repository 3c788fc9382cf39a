"""CIFAL network: coverage against an independent haversine, uncovered cities, escaping,
payload, URL state and one AppTest."""

from __future__ import annotations

import json
import math

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.maps import http_url, layer_names, map_html
from geo.views import cifal as V
from geo.views import countries_of, direct_query
from geo.views.cities import options
from tests.conftest import REPO

BUDGET = 300 * 1024


def haversine(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


@pytest.fixture()
def q(con):
    return direct_query(con)


@pytest.fixture()
def opts(q):
    return options(q)


def _layer(m, prefix: str):
    for child in m._children.values():
        if getattr(child, "layer_name", "").startswith(prefix):
            return child
    raise AssertionError(f"no layer {prefix!r} in {layer_names(m)}")


def test_layers(q, con):
    v = V.build(q, countries_of(con))
    assert layer_names(v.map) == [
        "Countries (Natural Earth)",
        "Within 300 km of a centre",
        "Arrival cities within 300 km (2025)",
        "Fast-growing cities with no centre within 300 km",
        "Route destinations (schematic)",
        "CIFAL centres (UNITAR)",
    ]
    rings = _layer(v.map, "Within 300 km")
    circles = list(rings._children.values())
    active = con.execute("SELECT count(*) FROM cifal_centres WHERE active").fetchone()[0]
    assert len(circles) == active and circles[0].options["radius"] == 300_000
    html = map_html(v.map)
    assert (
        "UNITAR CIFAL compiled by Arrival Atlas"
        in html.replace("CIFAL centres: UNITAR, compiled", "UNITAR CIFAL compiled")
        and "atlas-legend" in html
    )


@pytest.mark.parametrize("radius,year,min_pop", [(300, 2025, 1_000_000), (150, 2035, 300_000)])
def test_coverage_counts_equal_python_haversine(q, con, radius, year, min_pop):
    cov = q("cifal_coverage", radius_km=float(radius), year=year, min_population=min_pop)
    centres = con.execute("SELECT centre, lat, lon FROM cifal_centres").fetchall()
    cities = con.execute(
        "SELECT c.lat, c.lon, p.population FROM cities c JOIN city_population p USING (city_code) "
        "WHERE p.year = ? AND p.population >= ?",
        [year, min_pop],
    ).fetchall()
    dests = con.execute("SELECT dest_lat, dest_lon FROM route_corridors").fetchall()
    got = cov.set_index("centre")
    assert len(got) == len(centres)
    for name, lat, lon in centres:
        near = [p for la, lo, p in cities if haversine(lat, lon, la, lo) <= radius]
        nd = sum(haversine(lat, lon, la, lo) <= radius for la, lo in dests)
        assert got.loc[name, "cities_within"] == len(near), name
        assert got.loc[name, "cities_population"] == sum(near), name
        assert got.loc[name, "destinations_within"] == nd, name
    assert got["cities_within"].sum() > 0 and got["destinations_within"].sum() > 0
    detail = q("cifal_nearby", radius_km=float(radius), year=year, min_population=min_pop)
    assert (detail["distance_km"] <= radius).all()
    per = detail[detail["kind"] == "arrival city"].groupby("centre").size()
    assert per.sum() == got["cities_within"].sum()


def test_uncovered_really_uncovered(q, con):
    state = V.CifalState(radius_km=300, min_growth_pct=50, year_from=2015, year_to=2035)
    v = V.build(q, countries_of(con), state)
    centres = con.execute("SELECT lat, lon FROM cifal_centres WHERE active").fetchall()
    assert len(v.uncovered) > 10
    for r in v.uncovered.itertuples():
        assert min(haversine(r.lat, r.lon, la, lo) for la, lo in centres) > 300
        assert r.growth_pct >= 50 and r.pop_to >= state.min_population
        assert r.nearest_km == pytest.approx(
            min(haversine(r.lat, r.lon, la, lo) for la, lo in centres), abs=1e-6
        )
    # and the complement: every fast-growing city that is not listed has a centre near it
    grow = con.execute(
        "SELECT c.name, c.lat, c.lon FROM cities c "
        "JOIN city_population a ON a.city_code = c.city_code AND a.year = 2015 "
        "JOIN city_population b ON b.city_code = c.city_code AND b.year = 2035 "
        "WHERE a.population > 0 AND b.population >= 1000000 "
        "AND 100.0 * (b.population - a.population) / a.population >= 50"
    ).fetchall()
    listed = set(zip(v.uncovered["name"], v.uncovered["lat"], strict=True))
    for name, lat, lon in grow:
        if (name, lat) not in listed:
            assert min(haversine(lat, lon, la, lo) for la, lo in centres) <= 300, name
    layer = _layer(v.map, "Fast-growing cities")
    assert len(layer.circles) == len(v.uncovered)
    assert v.headline["uncovered"] == len(v.uncovered)


def test_closed_centres_toggle(q, con):
    without = V.build(q, countries_of(con), V.CifalState())
    with_closed = V.build(q, countries_of(con), V.CifalState(include_closed=True))
    n = con.execute("SELECT count(*) FROM cifal_centres").fetchone()[0]
    assert len(_layer(with_closed.map, "CIFAL centres").circles) == n
    assert len(_layer(without.map, "CIFAL centres").circles) == n - 1
    assert len(with_closed.uncovered) <= len(without.uncovered)


def test_centre_text_is_escaped_and_links_are_http(q, con):
    def crafted(name, **params):
        df = q(name, **params)
        if name == "cifal_centres":
            df.loc[0, "centre"] = "<script>alert(1)</script>"
            df.loc[0, "host"] = '"><img src=x onerror=alert(2)>'
            df.loc[0, "source_url"] = "javascript:alert(3)"
        return df

    v = V.build(crafted, countries_of(con))
    html = map_html(v.map)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    table = V.centres_table(v.centres)
    assert pd.isna(table["source_url"].iloc[0])
    assert table["source_url"].dropna().str.match(r"^https?://").all()
    assert http_url("https://unitar.org/x") == "https://unitar.org/x"
    assert http_url(" data:text/html,x") is None


@pytest.mark.parametrize(
    "state",
    [
        V.CifalState(),
        V.CifalState(
            radius_km=1000, min_population=300_000, min_growth_pct=10, include_closed=True
        ),
        V.CifalState(radius_km=50, min_population=300_000, min_growth_pct=10, year_from=1950),
        V.CifalState(radius_km=50, min_population=300_000, min_growth_pct=10, year_from=2030),
    ],
)
def test_payload_within_budget(q, con, state):
    assert len(map_html(V.build(q, countries_of(con), state).map).encode()) <= BUDGET


def test_state_round_trip_and_invalid(opts):
    s = V.CifalState(
        radius_km=650,
        year=2030,
        min_population=500_000,
        year_from=2000,
        year_to=2030,
        min_growth_pct=120,
        include_closed=True,
    )
    back, notes = V.CifalState.from_params(s.to_params(), opts)
    assert back == s and notes == []
    bad = {"radius": "-5", "year": "1949", "min": "7", "growth": "1e9", "closed": "yes"}
    s2, notes2 = V.CifalState.from_params(bad, opts)
    assert s2 == V.CifalState.defaults(opts) and len(notes2) == 5


def test_injection_is_a_value(q, con, opts):
    evil = "300) OR 1=1; DROP TABLE cifal_centres; --"
    s, notes = V.CifalState.from_params({"radius": evil}, opts)
    assert s.radius_km == 300 and len(notes) == 1
    with pytest.raises(duckdb.Error):
        q("cifal_coverage", radius_km=evil, year=2025, min_population=0)
    assert con.execute("SELECT count(*) FROM cifal_centres").fetchone()[0] == 34


def test_apptest_cifal_page(db_path, monkeypatch, con):
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/cifal.py")
    at.run()
    assert not at.exception, at.exception
    n = con.execute("SELECT count(*) FROM cifal_centres").fetchone()[0]
    assert [m.value for m in at.metric if m.label == "CIFAL centres"] == [f"{n:,}"]
    reached = con.execute(
        "SELECT count(*) FROM route_corridors r WHERE EXISTS (SELECT 1 FROM cifal_centres f "
        "WHERE f.active AND haversine_km(f.lat, f.lon, r.dest_lat, r.dest_lon) <= 300)"
    ).fetchone()[0]
    metric = [m for m in at.metric if m.label == "Route ends within reach"][0]
    assert metric.value.startswith(f"{reached} of ")


def test_build_time_distances_match_a_python_haversine(con):
    import math

    n_centres, n_dest, n_cities = con.execute(
        "SELECT (SELECT count(*) FROM cifal_centres WHERE lat IS NOT NULL), "
        "(SELECT count(*) FROM route_corridors WHERE dest_lat IS NOT NULL), "
        "(SELECT count(*) FROM cities WHERE lat IS NOT NULL)"
    ).fetchone()
    counts = dict(con.execute("SELECT kind, count(*) FROM city_distances GROUP BY kind").fetchall())
    assert counts == {"centre": n_centres * n_cities, "destination": n_dest * n_cities}
    rows = con.execute(
        """SELECT d.km, f.lat, f.lon, c.lat, c.lon FROM city_distances d
           JOIN cifal_centres f ON d.kind = 'centre' AND f.centre = d.place
           JOIN cities c USING (city_code) USING SAMPLE 200 ROWS (reservoir, 3)"""
    ).fetchall()
    for km, lat1, lon1, lat2, lon2 in rows:
        p1, p2 = math.radians(lat1), math.radians(lat2)
        a = (
            math.sin((p2 - p1) / 2) ** 2
            + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
        )
        assert km == pytest.approx(2 * 6371.0 * math.asin(math.sqrt(a)), abs=1e-6)


def test_fast_growing_says_it_is_projected_total_growth(q, con, opts, db_path, monkeypatch):
    from geo.catalog import FAST_GROWING_CAVEAT
    from geo.exports import csv_with_citation, geojson_with_citation
    from geo.maps import Legend
    from geo.registry import export_of
    from geo.snapshot import build_figure

    v = V.build(q, countries_of(con))
    assert "not a count of migrants or refugees" in FAST_GROWING_CAVEAT
    assert FAST_GROWING_CAVEAT in v.caveat
    # the default period ends in a projected year: named as such
    assert v.state.year_to in opts.projected and f"{v.state.year_to}" in v.caveat
    legend = next(c for c in v.map._children.values() if isinstance(c, Legend))
    assert v.caveat in legend.note
    tip = _layer(v.map, "Fast-growing").tooltip_format
    assert "total population" in tip and "2018 projection" in tip
    exp = export_of("cifal", v, q)
    assert exp.caveat == v.caveat and "total population" in exp.subtitle
    csv = csv_with_citation(exp.load_data(), exp.citation, exp.licence, exp.subtitle, exp.caveat)
    assert f"# Note: {FAST_GROWING_CAVEAT}" in csv.decode()
    doc = geojson_with_citation(pd.DataFrame(), "c", "l", "f", caveat=exp.caveat)
    assert json.loads(doc)["metadata"]["caveat"] == exp.caveat
    fig = build_figure(v.map, title=exp.title, subtitle=exp.subtitle, caveat=exp.caveat)
    assert any("not a count of migrants" in t.get_text().replace("\n", " ") for t in fig.texts)
    # on the page: the map caption says it
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/cifal.py")
    at.run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert FAST_GROWING_CAVEAT in captions
