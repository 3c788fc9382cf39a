"""Arrival cities: view, map builder, queries, URL state and one AppTest."""

from __future__ import annotations

import json
import math

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.maps import CircleLayer, layer_names, map_html
from geo.views import cities as V
from geo.views import countries_of, direct_query
from tests.conftest import REPO, md_shown

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
    return V.options(q)


def _layer(m, prefix: str):
    for child in m._children.values():
        if getattr(child, "layer_name", "").startswith(prefix):
            return child
    raise AssertionError(f"no layer {prefix!r} in {layer_names(m)}")


def test_layers_legend_credit(q, con):
    v = V.build(q, countries_of(con))
    names = layer_names(v.map)
    assert names == [
        "Countries (Natural Earth)",
        "Refugees hosted, 2025 (UNHCR)",
        "Cities, population (2025, WUP 2018 projection)",
        "Route destinations and nearest cities",
    ]
    html = map_html(v.map)
    assert "atlas-legend" in html and "CC BY 3.0 IGO" in html and "CC BY 4.0" in html
    assert "L.control.layers" in html


@pytest.mark.parametrize("year", [1950, 2025, 2035])
def test_circle_count_equals_sql(q, con, year):
    v = V.build(q, countries_of(con), V.CitiesState(year=year))
    n = con.execute(
        "SELECT count(*) FROM city_population WHERE year = ? AND population >= 300000", [year]
    ).fetchone()[0]
    assert len(_layer(v.map, "Cities, population").circles) == n > 0


def test_lagos_2035_population_equals_sql(q, con):
    v = V.build(q, countries_of(con), V.CitiesState(year=2035))
    pop = con.execute(
        "SELECT p.population FROM cities c JOIN city_population p USING (city_code) "
        "WHERE c.name = 'Lagos' AND p.year = 2035"
    ).fetchone()[0]
    lagos = [c for c in _layer(v.map, "Cities, population").circles if c.values[0] == "Lagos"]
    assert len(lagos) == 1
    assert lagos[0].values[2] == round(pop / 1e6, 2) and pop > 20_000_000


def test_growth_mode_values_equal_sql(q, con):
    v = V.build(q, countries_of(con), V.CitiesState(mode="growth", year_from=2015, year_to=2035))
    layer = _layer(v.map, "City growth 2015–2035")
    a, b = con.execute(
        "SELECT max(population) FILTER (WHERE year = 2015), max(population) FILTER (WHERE year = 2035) "
        "FROM cities c JOIN city_population p USING (city_code) WHERE c.name = 'Lagos'"
    ).fetchone()
    lagos = [c for c in layer.circles if c.values[0] == "Lagos"][0]
    assert lagos.values[2] == f"{b - a:+,}"
    assert lagos.values[3] == f"{100 * (b - a) / a:+.0f}%"
    assert "Lagos" in v.growth["name"].tolist()


def test_choropleth_value_equals_sql_sum(q, con):
    v = V.build(q, countries_of(con), V.CitiesState(refugee_year=2024))
    layer = _layer(v.map, "Refugees hosted, 2024")
    total = con.execute(
        "SELECT sum(refugees) + sum(asylum_seekers) FROM refugee_population "
        "WHERE year = 2024 AND asylum_iso3 = 'DEU'"
    ).fetchone()[0]
    assert layer.values["DEU"]["total"] == total > 1_000_000
    assert f"{total:,}" in layer.values["DEU"]["tip"]
    # every country on the choropleth has a basemap shape, and the page payload has its value
    shapes = {f["properties"]["iso3"] for f in countries_of(con)["features"]}
    assert set(layer.values) <= shapes
    assert json.dumps(layer.values["DEU"]["fill"]) in map_html(v.map)


def test_haversine_macro_against_hand_computation(con):
    # London (51.5074, -0.1278) to Paris (48.8566, 2.3522): 343.5 km by hand (R = 6371 km)
    d = con.execute("SELECT haversine_km(51.5074, -0.1278, 48.8566, 2.3522)").fetchone()[0]
    assert d == pytest.approx(343.56, abs=0.1)
    assert haversine(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(d, abs=1e-6)


def test_nearest_cities_distances(q, con):
    near = q("cities_near_routes", k=3, year=2025)
    assert set(near["route"]) == {
        r[0] for r in con.execute("SELECT route FROM route_corridors").fetchall()
    }
    assert (near.groupby("route")["rank"].max() == 3).all()
    tehran = near[(near["route"] == "Afghanistan to Iran") & (near["rank"] == 1)].iloc[0]
    assert tehran["name"] == "Tehran"
    lat, lon = con.execute("SELECT lat, lon FROM cities WHERE name = 'Tehran'").fetchone()
    assert tehran["distance_km"] == pytest.approx(haversine(35.69, 51.39, lat, lon), abs=1e-6)
    # rank 1 is really the nearest of all cities (independent brute force)
    allc = con.execute("SELECT name, lat, lon FROM cities").fetchall()
    for r in near[near["rank"] == 1].itertuples():
        best = min(haversine(r.dest_lat, r.dest_lon, la, lo) for _n, la, lo in allc)
        assert r.distance_km == pytest.approx(best, abs=1e-6)


def test_destination_tooltips_list_nearest(q, con):
    v = V.build(q, countries_of(con), V.CitiesState(k=2))
    layer = _layer(v.map, "Route destinations")
    assert len(layer.circles) == con.execute("SELECT count(*) FROM route_corridors").fetchone()[0]
    tip = [c.tooltip for c in layer.circles if "Tehran, Iran" in c.tooltip][0]
    assert "1. Tehran" in tip and "2. " in tip and "3. " not in tip


def test_city_name_is_escaped():
    crafted = pd.DataFrame(
        {
            "name": ["<script>alert(1)</script>"],
            "country": ['"><img src=x onerror=alert(2)>'],
            "lat": [1.0],
            "lon": [2.0],
            "population": [1_000_000],
        }
    )
    layer, _items, _c = V.population_layer(crafted, 2025, True)
    assert isinstance(layer, CircleLayer)
    assert "<script>" not in layer.rows_json and "<img" not in layer.rows_json
    assert "&lt;script&gt;" in layer.rows_json
    near = pd.DataFrame(
        {
            "route": ["<b>x</b>"],
            "destination_label": ["<script>x</script>"],
            "dest_lat": [0.0],
            "dest_lon": [0.0],
            "rank": [1],
            "name": ["<i>n</i>"],
            "country": ["c"],
            "distance_km": [1.0],
        }
    )
    tip = V.destination_layer(near).circles[0].tooltip
    assert "<script>" not in tip and "&lt;i&gt;n&lt;/i&gt;" in tip


@pytest.mark.parametrize(
    "state",
    [
        V.CitiesState(),
        V.CitiesState(year=2035, min_population=300_000, k=5),
        V.CitiesState(mode="growth", year_from=1950, year_to=2035),
        V.CitiesState(mode="growth", year_from=2015, year_to=2035),
        V.CitiesState(mode="growth", year_from=2030, year_to=2035),
        V.CitiesState(year=1950, refugee_year=1951),
    ],
)
def test_payload_within_budget(q, con, state):
    assert len(map_html(V.build(q, countries_of(con), state).map).encode()) <= BUDGET


def test_state_round_trip(opts):
    s = V.CitiesState(
        year=1990,
        mode="growth",
        year_from=1960,
        year_to=2030,
        min_population=5_000_000,
        refugee_year=2010,
        k=5,
    )
    back, notes = V.CitiesState.from_params(s.to_params(), opts)
    assert back == s and notes == []
    assert V.CitiesState.from_params({}, opts) == (V.CitiesState.defaults(opts), [])


def test_invalid_params_fall_back_with_notes(opts):
    bad = {
        "year": "2026",
        "mode": "heatmap",
        "min": "12",
        "ryear": "2030",
        "k": "abc",
        "from": "2035",
        "to": "1950",
    }
    s, notes = V.CitiesState.from_params(bad, opts)
    d = V.CitiesState.defaults(opts)
    assert s == d
    assert len(notes) == 6  # year, mode, min, ryear, k, empty period
    assert any("2026" in n for n in notes) and any("heatmap" in n for n in notes)


def test_injection_is_a_value(q, con, opts):
    evil = "2025; DROP TABLE cities; --"
    s, notes = V.CitiesState.from_params({"year": evil, "mode": "x' OR '1'='1"}, opts)
    assert s.year == 2025 and s.mode == "population" and len(notes) == 2
    with pytest.raises(duckdb.Error):
        q("city_sizes", year=evil, min_population=0)
    # The injection string stayed a value: the table is whole.
    assert con.execute("SELECT count(*) FROM cities").fetchone()[0] > 1000


def test_apptest_cities_page(db_path, monkeypatch, con):
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("app_pages/cities.py")
    at.run()
    assert not at.exception, at.exception
    n = con.execute(
        "SELECT count(*) FROM city_population WHERE year = 2025 AND population >= 300000"
    ).fetchone()[0]
    metric = [m for m in at.metric if md_shown(m.label) == "Cities in 2025 (2018 projection)"][0]
    assert metric.value == f"{n:,}"
    # the map caption carries both caveats: projections, and who the refugee layer leaves out
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "projections made in 2018" in captions
    assert "other people in need of international protection" in captions
    assert not at.dataframe  # the section waits for the map's report of its view (a rerun)
    at.run()
    fastest = at.dataframe[0].value
    top = con.execute(
        "SELECT c.name FROM cities c JOIN city_population a ON a.city_code = c.city_code AND a.year = 2015 "
        "JOIN city_population b ON b.city_code = c.city_code AND b.year = 2035 "
        "WHERE b.population >= 300000 AND a.population > 0 "
        "ORDER BY (b.population - a.population) / a.population DESC LIMIT 1"
    ).fetchone()[0]
    assert fastest["name"].iloc[0] == top
    assert not at.info  # no notes without URL parameters


# --- caveats that travel with the figures (issue 12, finding 9) ------------------------


def unhcr_population(mirror) -> pd.DataFrame:
    return pd.read_csv(mirror / "unhcr_refugees" / "unhcr_population.csv")


def wup_thousands(mirror) -> pd.DataFrame:
    return pd.read_csv(
        mirror / "city_population" / "WUP2018-F12-Cities_Over_300K_1950-2035_thousands.csv"
    )


def test_refugee_layer_says_who_it_leaves_out(q, con, mirror):
    from geo.maps import Legend
    from geo.registry import export_of

    pop = unhcr_population(mirror)
    year = int(pop["year"].max())
    this = pop[pop["year"] == year]
    per = this.groupby("coa_name")["oip"].sum()
    total, top_name, top = per.sum(), per.idxmax(), per.max()
    assert total > 0
    v = V.build(q, countries_of(con), V.CitiesState(refugee_year=year))
    assert v.oip["oip"] == total and v.oip["top_oip"] == top
    assert v.oip["top_asylum_name"] == top_name
    assert f"{total / 1e6:,.2f} million at the end of {year}" in v.oip_note
    assert f"{top / 1e6:,.2f} million of them in {top_name}" in v.oip_note
    legends = [c for c in v.map._children.values() if isinstance(c, Legend)]
    refugee_legend = next(leg for leg in legends if "asylum-seekers hosted" in leg.title)
    assert v.oip_note in refugee_legend.note
    assert v.oip_note in export_of("cities", v, q).caveat
    # a year with no such people recorded: no note
    none_year = int(pop.groupby("year")["oip"].sum().loc[lambda s: s == 0].index.max())
    assert none_year in V.options(q).refugee_years
    empty = V.build(q, countries_of(con), V.CitiesState(refugee_year=none_year))
    assert empty.oip_note == "" and empty.oip["oip"] == 0


def test_projected_years_are_labelled_on_map_legend_and_exports(q, con, opts):
    from geo.exports import csv_with_citation
    from geo.maps import Legend
    from geo.registry import export_of
    from geo.snapshot import build_figure

    # SOURCES.md: the WUP 2018 years from 2020 on are projections
    assert opts.projected == {y for y in opts.years if y >= 2020} and opts.projected
    note = opts.projection_note(2025)
    assert all(str(y) in note for y in opts.projected) and "projections made in 2018" in note
    for state, projected in (
        (V.CitiesState(year=2025), True),
        (V.CitiesState(year=1990), False),
        (V.CitiesState(mode="growth", year_from=2015, year_to=2035), True),
        (V.CitiesState(mode="growth", year_from=1990, year_to=2015), False),
    ):
        v = V.build(q, countries_of(con), state)
        legend = next(
            c for c in v.map._children.values() if isinstance(c, Legend) and "asylum" not in c.title
        )
        data_layer = next(n for n in layer_names(v.map) if n.startswith(("Cities", "City growth")))
        exp = export_of("cities", v, q)
        csv = csv_with_citation(
            exp.load_data(), exp.citation, exp.licence, exp.subtitle, exp.caveat
        )
        head = "".join(line for line in csv.decode().splitlines(True) if line.startswith("#"))
        fig = build_figure(v.spec, title=exp.title, subtitle=exp.subtitle, caveat=exp.caveat)
        footer = next(t.get_text() for t in fig.texts if "Source:" in t.get_text())
        if projected:
            assert (v.projection_note == note) and note in legend.note, state
            assert "projection" in data_layer or "projected" in data_layer, data_layer
            assert "2018 projection" in exp.subtitle and note in head
            assert note[:60] in footer.replace("\n", " ")
        else:
            assert v.projection_note == "" and "projection" not in legend.note, state
            assert "projection" not in exp.subtitle and "projected" not in data_layer
            assert "projection" not in head


def test_growth_mode_headline_is_the_end_year(q, con, mirror):
    wup = wup_thousands(mirror)
    v = V.build(
        q,
        countries_of(con),
        V.CitiesState(mode="growth", year=1990, year_from=2000, year_to=2035),
    )
    assert v.headline_year == 2035
    big = wup["2035"] * 1000 >= 300_000
    assert v.headline["cities"] == int(big.sum())
    assert v.headline["megacities"] == int((wup["2035"] * 1000 >= 10_000_000).sum())
    assert v.headline["cities"] != int((wup["1990"] * 1000 >= 300_000).sum())


@pytest.mark.parametrize("page", ["cities", "cifal"])
def test_both_pages_fit_the_years_and_refuse_an_empty_growth_period(page):
    """Cities and CIFAL share one year fitting: defaults outside the offered years move to
    the first/last year, and a link's empty growth period falls back with a note."""
    from geo.views.cifal import CifalState

    state_cls = V.CitiesState if page == "cities" else CifalState
    years = (2000, 2010, 2020, 2030)
    opts = V.CitiesOptions(years=years, projected=frozenset({2030}), refugee_years=(2020,))
    d = state_cls.defaults(opts)
    assert (d.year, d.year_from, d.year_to) == (years[-1], years[0], years[-1])

    s, notes = state_cls.from_params({"from": "2030", "to": "2010"}, opts)
    assert (s.year_from, s.year_to) == (d.year_from, d.year_to)
    assert notes == [f"The growth period 2030–2010 is empty; showing {d.year_from}–{d.year_to}."]
    s, notes = state_cls.from_params({"from": "2010", "to": "2020"}, opts)
    assert (s.year_from, s.year_to, notes) == (2010, 2020, [])
