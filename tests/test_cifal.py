"""CIFAL network: coverage against an independent haversine, uncovered cities, escaping,
payload, URL state and one AppTest."""

from __future__ import annotations

import io
import json
import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.catalog import FAST_GROWING_CAVEAT
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


def whole_km(km: float) -> int:
    """A distance as the page shows and compares it: whole km, rounded half up."""
    return math.floor(km + 0.5)


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
    # within = whole km <= 300: the ring's edge is where the rounded distance turns 301
    assert len(circles) == active and circles[0].options["radius"] == 300_500
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
        near = [p for la, lo, p in cities if whole_km(haversine(lat, lon, la, lo)) <= radius]
        nd = sum(whole_km(haversine(lat, lon, la, lo)) <= radius for la, lo in dests)
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
        assert whole_km(min(haversine(r.lat, r.lon, la, lo) for la, lo in centres)) > 300
        assert r.growth_pct >= 50 and r.pop_to >= state.min_population
        assert r.nearest_km == whole_km(min(haversine(r.lat, r.lon, la, lo) for la, lo in centres))
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
            assert whole_km(min(haversine(lat, lon, la, lo) for la, lo in centres)) <= 300, name
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
        near_km=50,
        min_dead=10,
        corridor_km=100,
    )
    back, notes = V.CifalState.from_params(s.to_params(), opts)
    assert back == s and notes == []
    bad = {"radius": "-5", "year": "1949", "min": "7", "growth": "1e9", "closed": "yes"}
    bad |= {"near": "999", "dead": "-1", "corridor": "x"}
    s2, notes2 = V.CifalState.from_params(bad, opts)
    assert s2 == V.CifalState.defaults(opts) and len(notes2) == 8


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
    at.switch_page("app_pages/cifal.py")
    at.run()
    assert not at.exception, at.exception
    # by default the closed centres are not counted, on the map or in the headline
    n = con.execute("SELECT count(*) FROM cifal_centres WHERE active").fetchone()[0]
    assert n < con.execute("SELECT count(*) FROM cifal_centres").fetchone()[0]
    assert [m.value for m in at.metric if m.label == "CIFAL centres"] == [f"{n:,}"]
    reached = con.execute(
        "SELECT count(*) FROM route_corridors r WHERE EXISTS (SELECT 1 FROM cifal_centres f "
        "WHERE f.active AND round(haversine_km(f.lat, f.lon, r.dest_lat, r.dest_lon)) <= 300)"
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
    fig = build_figure(v.spec, title=exp.title, subtitle=exp.subtitle, caveat=exp.caveat)
    assert any("not a count of migrants" in t.get_text().replace("\n", " ") for t in fig.texts)
    # on the page: the map caption says it
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("app_pages/cifal.py")
    at.run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert FAST_GROWING_CAVEAT in captions


# --- "near deadly routes": one view, one export, computed independently -------------

WUP_CSV = "city_population/WUP2018-F12-Cities_Over_300K_1950-2035_thousands.csv"
EXAMPLE = V.CifalState(
    radius_km=300,
    min_population=1_000_000,
    year_from=2015,
    year_to=2035,
    min_growth_pct=50,
    near_km=200,
    min_dead=1,
)


def _km_to_many(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat), np.radians(lats)
    dl = np.radians(lons - lon)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def _corridor_points(step_km: float = 1.0) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Each corridor of data/route_corridors.geojson as points every ``step_km`` along
    its segments (great-circle interpolation): the distance to the line, measured another
    way than the build's cross-track formula."""
    doc = json.loads((REPO / "data" / "route_corridors.geojson").read_text(encoding="utf-8"))
    out = []
    for f in doc["features"]:
        coords = f["geometry"]["coordinates"]
        lats, lons = [], []
        for (lo1, la1), (lo2, la2) in zip(coords, coords[1:], strict=False):
            v1 = np.array(_unit(la1, lo1))
            v2 = np.array(_unit(la2, lo2))
            omega = math.acos(max(-1.0, min(1.0, float(v1 @ v2))))
            n = max(1, math.ceil(omega * 6371.0 / step_km))
            t = np.linspace(0.0, 1.0, n + 1)[:, None]
            if omega < 1e-12:
                pts = np.repeat(v1[None, :], len(t), axis=0)
            else:
                pts = (np.sin((1 - t) * omega) * v1 + np.sin(t * omega) * v2) / math.sin(omega)
            lats.append(np.degrees(np.arcsin(np.clip(pts[:, 2], -1, 1))))
            lons.append(np.degrees(np.arctan2(pts[:, 1], pts[:, 0])))
        out.append((f["properties"]["route"], np.concatenate(lats), np.concatenate(lons)))
    return out


def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    p, la = math.radians(lat), math.radians(lon)
    return (math.cos(p) * math.cos(la), math.cos(p) * math.sin(la), math.sin(p))


def expected_cities(mirror, con, s: V.CifalState) -> pd.DataFrame:
    """The fast-growing cities with no centre within ``s.radius_km`` and the dead and
    missing within ``s.near_km``, from the raw WUP csv, data/cifal_centres.csv and the
    incidents' coordinates, with pandas and a Python haversine (no query file)."""
    w = pd.read_csv(mirror / WUP_CSV)
    a = (w[str(s.year_from)] * 1000).round()
    b = (w[str(s.year_to)] * 1000).round()
    w = w.assign(pop_from=a, pop_to=b, growth_pct=100.0 * (b - a) / a)
    w = w[(a > 0) & (b >= s.min_population) & (w["growth_pct"] >= s.min_growth_pct)]
    centres = pd.read_csv(REPO / "data" / "cifal_centres.csv")
    centres = centres[centres["active"] & centres["lat"].notna()]
    inc = con.execute(
        "SELECT lat, lon, dead, missing, dead_and_missing FROM incidents WHERE lat IS NOT NULL"
    ).df()
    rows = []
    for r in w.itertuples():
        lat, lon = r.Latitude, r.Longitude
        d = [haversine(lat, lon, c.lat, c.lon) for c in centres.itertuples()]
        nearest = whole_km(min(d))
        if nearest <= s.radius_km:
            continue
        km = np.floor(_km_to_many(lat, lon, inc["lat"].to_numpy(), inc["lon"].to_numpy()) + 0.5)
        near = inc[km <= s.near_km]
        if int(near["dead_and_missing"].sum()) < s.min_dead:
            continue
        rows.append(
            {
                "lat": lat,
                "lon": lon,
                "city": r._5,  # Urban Agglomeration
                "nearest_centre": centres["centre"].iloc[int(np.argmin(d))],
                "nearest_centre_km": nearest,
                "pop_from": int(r.pop_from),
                "pop_to": int(r.pop_to),
                "growth_pct": r.growth_pct,
                "incidents": len(near),
                "dead": int(near["dead"].sum()),
                "missing": int(near["missing"].sum()),
                "dead_and_missing": int(near["dead_and_missing"].sum()),
            }
        )
    return pd.DataFrame(rows)


def test_example_question_equals_an_independent_computation(q, con, mirror):
    """'Fast-growing arrival cities within 200 km of deadly incidents with no CIFAL centre
    within 300 km': the query, the view, its export table, the CSV and the GeoJSON hold
    the list a pandas + haversine computation from the raw files gives."""
    from geo.exports import csv_data, geojson_with_citation
    from geo.registry import export_of

    exp_df = expected_cities(mirror, con, EXAMPLE)
    assert 100 < len(exp_df) < 300  # 157 with the mirror of 2026-02
    v = V.build(q, countries_of(con), EXAMPLE)
    table = V.export_table(v)
    assert list(table.columns) == [
        "city",
        "country",
        "iso3",
        "lat",
        "lon",
        "population_2015",
        "population_2035",
        "growth",
        "growth_pct",
        "nearest_centre",
        "nearest_centre_km",
        "incidents_within_200km",
        "dead_within_200km",
        "missing_within_200km",
        "dead_and_missing_within_200km",
        "nearest_corridor",
        "nearest_corridor_km",
    ]
    key = ["lat", "lon"]
    got = table.sort_values(key).reset_index(drop=True)
    want = exp_df.sort_values(key).reset_index(drop=True)
    assert got[key].values.tolist() == want[key].values.tolist()
    assert (got["city"].str.split().str.join(" ") == want["city"].str.split().str.join(" ")).all()
    assert got["nearest_centre"].tolist() == want["nearest_centre"].tolist()
    assert got["nearest_centre_km"].tolist() == want["nearest_centre_km"].tolist()
    assert got["population_2015"].tolist() == want["pop_from"].tolist()
    assert got["population_2035"].tolist() == want["pop_to"].tolist()
    assert np.allclose(got["growth_pct"], want["growth_pct"].round(1), atol=0.051)
    for col in ("incidents", "dead", "missing", "dead_and_missing"):
        assert got[f"{col}_within_200km"].tolist() == want[col].tolist(), col
    assert (got["dead_and_missing_within_200km"] >= 1).all()
    # the nearest corridor: distance to the line, against points every km along it
    lines = _corridor_points()
    for r in got.itertuples():
        dist = {name: float(_km_to_many(r.lat, r.lon, la, lo).min()) for name, la, lo in lines}
        best = min(dist.values())
        assert abs(r.nearest_corridor_km - best) <= 1.0, r.city
        assert dist[r.nearest_corridor] <= best + 1.0, r.city
    # the map draws the same list, the headline counts it
    assert len(_layer(v.map, "Fast-growing cities").circles) == len(got)
    assert v.headline["uncovered"] == len(got)
    # the export panel's data is that list, in CSV and GeoJSON
    exp = export_of("cifal", v, q)
    assert exp.load_data().equals(table)
    assert "200 km" in exp.subtitle and "300 km" in exp.subtitle
    assert "minimum estimates" in exp.caveat and FAST_GROWING_CAVEAT in exp.caveat
    back = pd.read_csv(io.BytesIO(csv_data(exp.load_data())), encoding="utf-8-sig")
    assert list(back.columns) == list(table.columns)
    assert (
        back["dead_and_missing_within_200km"].tolist()
        == table["dead_and_missing_within_200km"].tolist()
    )
    assert back["nearest_corridor"].tolist() == table["nearest_corridor"].tolist()
    doc = json.loads(
        geojson_with_citation(exp.load_data(), exp.citation, exp.licence, exp.subtitle)
    )
    props = [f["properties"] for f in doc["features"]]
    assert len(props) == len(table)
    assert [p["city"] for p in props] == table["city"].tolist()
    assert [p["nearest_centre_km"] for p in props] == table["nearest_centre_km"].tolist()


def test_corridor_filter_keeps_cities_near_a_corridor(q, con):
    base = V.build(q, countries_of(con), EXAMPLE).uncovered
    near = V.build(q, countries_of(con), V.CifalState(**{**EXAMPLE.__dict__, "corridor_km": 100}))
    u = near.uncovered
    assert 0 < len(u) < len(base)
    assert (u["corridor_km"] <= 100).all()
    assert set(u["name"]) == set(base.loc[base["corridor_km"] <= 100, "name"])
    many = V.CifalState(**{**EXAMPLE.__dict__, "min_dead": 1000})
    u2 = V.build(q, countries_of(con), many).uncovered
    assert (u2["dead_and_missing"] >= 1000).all()
    assert set(u2["name"]) == set(base.loc[base["dead_and_missing"] >= 1000, "name"])


ALEPPO = "Halab (Aleppo)"


def test_aleppo_at_300_km_is_within_300_km(q, con, db_path, monkeypatch):
    """Aleppo is 300.47 km from CIFAL Lebanon (Beirut): shown as 300 km, so it is within
    300 km everywhere (query, list, map rings, caption) and outside 299 km."""
    lat, lon = con.execute("SELECT lat, lon FROM cities WHERE name = ?", [ALEPPO]).fetchone()
    flat, flon = con.execute(
        "SELECT lat, lon FROM cifal_centres WHERE centre = 'CIFAL Lebanon'"
    ).fetchone()
    d = haversine(lat, lon, flat, flon)
    assert 300 < d < 300.5 and whole_km(d) == 300
    loose = {"min_population": 300_000, "min_growth_pct": 10, "year_from": 2015}
    at300 = V.build(q, countries_of(con), V.CifalState(radius_km=300, **loose))
    assert ALEPPO not in set(at300.uncovered["name"])
    nearby = at300.nearby
    row = nearby[(nearby["place"] == ALEPPO) & (nearby["centre"] == "CIFAL Lebanon")]
    assert row["distance_km"].tolist() == [300]
    assert ALEPPO in {c.values[0] for c in _layer(at300.map, "Arrival cities within").circles}
    # the ring around Beirut reaches Aleppo: its edge is at 300.5 km
    rings = list(_layer(at300.map, "Within 300 km")._children.values())
    assert all(c.options["radius"] / 1000 > d for c in rings)
    cov = at300.coverage.set_index("centre")
    assert cov.loc["CIFAL Lebanon", "cities_within"] == sum(
        whole_km(haversine(flat, flon, la, lo)) <= 300
        for la, lo in con.execute(
            "SELECT c.lat, c.lon FROM cities c JOIN city_population p USING (city_code) "
            "WHERE p.year = 2025 AND p.population >= 300000"
        ).fetchall()
    )
    # with a 250 km radius it is listed, its nearest centre 300 km away
    at250 = V.build(q, countries_of(con), V.CifalState(radius_km=250, **loose))
    listed = at250.uncovered.set_index("name")
    assert listed.loc[ALEPPO, "nearest_km"] == 300
    assert listed.loc[ALEPPO, "nearest_centre"] == "CIFAL Lebanon"
    # and just past the rule: a city 300.73 km away (Bucaramanga) is 301 km, not within
    far = q("cifal_nearby", radius_km=300.0, year=2025, min_population=300_000)
    assert "Bucaramanga" not in set(far.loc[far["centre"] == "CIFAL Bogota", "place"])
    assert "Gent" in set(far.loc[far["centre"] == "CIFAL Surrey", "place"])  # 300.01 km
    # the caption says what "within" means
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("app_pages/cifal.py")
    at.run()
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "within 300 km includes 300 km" in captions
    assert "minimum estimates" in captions


def _page(db_path, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.switch_page("app_pages/cifal.py")
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at


def _listed(at: AppTest) -> list[str]:
    tables = [d.value for d in at.dataframe if "dead_and_missing" in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]["name"].tolist()


def test_url_round_trip_of_the_near_deadly_routes_view(db_path, monkeypatch, q, con):
    """Set the sidebar widgets, read the URL, open a fresh page with it: same list."""
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = _page(db_path, {"section": "Fast-growing, no centre near"})
    at.run()
    assert not at.exception, at.exception
    near = next(w for w in at.sidebar.select_slider if w.label.startswith("Count dead"))
    near.set_value(100)
    dead = next(w for w in at.sidebar.selectbox if w.label.startswith("Keep cities with"))
    dead.set_value(10)
    corridor = next(w for w in at.sidebar.selectbox if w.label.startswith("Keep cities within"))
    corridor.set_value(300)
    radius = next(w for w in at.select_slider if w.label.startswith("Within"))
    radius.set_value(250)
    at.run()
    assert not at.exception, at.exception
    params = dict(at.query_params)
    assert {k: params[k] for k in ("near", "dead", "corridor", "radius")} == {
        "near": "100",
        "dead": "10",
        "corridor": "300",
        "radius": "250",
    }
    first = _listed(at)
    state = V.CifalState(radius_km=250, near_km=100, min_dead=10, corridor_km=300)
    want = V.build(q, countries_of(con), state).uncovered["name"].tolist()
    assert first == want and len(first) > 0
    again = _page(db_path, params)
    again.run()
    again.run()  # the map's first report reruns the page; the table shows then
    assert not again.exception, again.exception
    assert _listed(again) == first
    assert [m.value for m in again.metric if m.label == "Fast-growing, no centre"] == [
        f"{len(first):,}"
    ]
