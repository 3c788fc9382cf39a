"""Camps and sites: view, map, state and query tests, and one AppTest of the page."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.maps import CircleLayer, GeoJsonLayer, layer_names, map_html
from geo.views import camps as cv
from geo.views import countries_of, direct_query
from geo.views.camps import CampsState, build, build_map, coarsen
from tests.conftest import REPO

MAIN = "Camps and sites (UNHCR register, Cox's Bazar)"
ISIMM = "NW Syria IDP sites (CCCM ISIMM) - approximate positions"
OUTLINES = "Cox's Bazar camp outlines (RRRC/ISCG)"
XSS = "<script>alert(1)</script>"
BUDGET = 300 * 1024


@pytest.fixture()
def q(con):
    return direct_query(con)


@pytest.fixture()
def world(con):
    return countries_of(con)


def _layers(m, kind):
    return {c.layer_name: c for c in m._children.values() if isinstance(c, kind) and c.layer_name}


def _located(con, *, types=(), open_only=False, iso3=None) -> int:
    """Located sites counted straight from the table (independent of the macro)."""
    return con.execute(
        "SELECT count(*) FROM sites WHERE lat IS NOT NULL"
        " AND (len($types) = 0 OR list_contains($types, site_type))"
        " AND (NOT $open_only OR is_open) AND ($iso3 IS NULL OR iso3 = $iso3)",
        {"types": list(types), "open_only": open_only, "iso3": iso3},
    ).fetchone()[0]


def test_world_view_bins_layers_and_total(q, world, con):
    m, mode, layers = build_map(q, world, CampsState())
    assert mode == "bins"
    names = layer_names(m)
    for name in (MAIN, ISIMM, OUTLINES):
        assert name in names
    circles = _layers(m, CircleLayer)
    binned = sum(int(v[0]) for layer in circles.values() for v in (c.values for c in layer.circles))
    assert binned == _located(con)
    assert sum(len(layer.circles) for layer in circles.values()) == sum(
        len(layers[n]) for n in (MAIN, ISIMM)
    )
    html = map_html(m)
    assert len(html.encode()) <= BUDGET
    assert "Zhou" in html and "ISIMM" in html and "Natural Earth" in html


def test_filtered_bins_total_equals_sql(q, world, con):
    state = CampsState(status="open", site_types=["Refugee Location", "IS"])
    _, mode, layers = build_map(q, world, state)
    assert mode == "bins"
    expected = _located(con, types=["Refugee Location", "IS"], open_only=True)
    assert int(layers[MAIN]["sites"].sum() + layers[ISIMM]["sites"].sum()) == expected


def test_one_country_gives_points_and_outlines(q, world, con):
    m, mode, layers = build_map(q, world, CampsState(countries=["BGD"]))
    assert mode == "points"
    main = _layers(m, CircleLayer)[MAIN]
    assert len(main.circles) == _located(con, iso3="BGD")
    outlines = _layers(m, GeoJsonLayer)[OUTLINES]
    n = con.execute("SELECT count(*) FROM camp_outlines").fetchone()[0]
    assert len(outlines.data["features"]) == n
    html = map_html(m)
    assert len(html.encode()) <= BUDGET
    # fitted to Bangladesh, not the world
    assert "fitBounds" in html and "[[-45.0, -125.0]" not in html


def test_isimm_layer_flagged_approximate(q, world):
    m, mode, _ = build_map(q, world, CampsState(countries=["SYR"]))
    assert mode == "points"
    layer = _layers(m, CircleLayer)[ISIMM]
    assert len(layer.circles) > 1000
    assert "approximate position" in layer.tooltip_format
    assert len(map_html(m).encode()) <= BUDGET


@pytest.mark.parametrize("precision", ["1", "0.1", "0.01"])
def test_coordinates_are_coarsened(q, world, precision):
    state = CampsState(countries=["BGD", "SYR", "KEN"], precision=precision)
    m, mode, layers = build_map(q, world, state)
    step = float(precision)
    points = [c for layer in _layers(m, CircleLayer).values() for c in layer.circles]
    assert points
    for c in points:
        for v in (c.lat, c.lon):
            assert abs(v / step - round(v / step)) < 1e-6, (v, step)
    # the rendered rows carry the coarsened numbers too
    layer = _layers(m, CircleLayer)[MAIN]
    rows = json.loads(layer.rows_json.replace("<\\/", "</"))
    for r in rows:
        assert abs(r[0] / step - round(r[0] / step)) < 1e-6
    if precision == "1":
        # many Cox's Bazar camps collapse onto one rounded point
        bgd = layers[MAIN][layers[MAIN]["iso3"] == "BGD"]
        assert bgd[["lat", "lon"]].drop_duplicates().shape[0] <= 2


def test_tables_are_coarsened(q, world, con):
    view = build(q, world, CampsState(countries=["KEN"], precision="1"))
    exact = con.execute("SELECT lat FROM sites WHERE iso3='KEN' AND lat IS NOT NULL").fetchall()
    assert any(abs(v - round(v)) > 1e-3 for (v,) in exact)  # the raw data is precise
    for df in (view.sites, view.largest):
        lat = df["lat"].dropna()
        assert len(lat) and (lat == lat.round()).all()


def test_table_is_a_preview_and_the_export_holds_every_site(q, world, con):
    from geo.registry import export_of

    state = CampsState(status="all", precision="1")
    view = build(q, world, state)
    n = con.execute("SELECT count(*) FROM sites").fetchone()[0]
    assert len(view.sites) == cv.TABLE_LIMIT < n
    assert int(view.headline["sites"]) == n
    # the headline row and the per-dataset rows come from one query and agree
    rows = q("site_totals", **state.query_params())
    total, per_dataset = cv.split_totals(rows)
    assert int(per_dataset["sites"].sum()) == int(total["sites"]) == n
    # every dataset that has sites (Cox's Bazar centroids merged into register sites add none)
    stored = {r[0] for r in con.execute("SELECT DISTINCT dataset FROM sites").fetchall()}
    assert set(per_dataset["dataset"]) == stored and "unhcr_register" in stored
    data = export_of("camps", view, q).load_data()
    assert len(data) == n and data["site_id"].notna().all()
    lat = data["lat"].dropna()
    assert len(lat) == _located(con) and (lat == lat.round()).all()  # coarsened to 1°
    # the table is the export's first rows
    assert data.head(cv.TABLE_LIMIT)["site_id"].tolist() == view.sites["site_id"].tolist()


def test_coarsen_values():
    assert coarsen(21.1563, 0.1) == 21.2
    assert coarsen(-3.14159, 0.01) == -3.14
    assert coarsen(92.6, 1.0) == 93.0
    assert coarsen(None, 0.1) is None


def test_crafted_names_are_escaped(world):
    crafted = pd.DataFrame(
        [
            dict(
                site_id="X1",
                dataset="unhcr_register",
                name=XSS,
                site_type=f"Camp {XSS}",
                population_group="Refugee",
                is_open=True,
                iso3="KEN",
                country=f"K{XSS}",
                admin1=None,
                lat=1.234,
                lon=36.789,
                position_approximate=False,
                population_2025=10,
                individuals=None,
            ),
            dict(
                site_id="X2",
                dataset="isimm",
                name=XSS,
                site_type="IS",
                population_group="IDP",
                is_open=True,
                iso3="SYR",
                country="Syria",
                admin1=None,
                lat=36.2,
                lon=36.7,
                position_approximate=True,
                population_2025=None,
                individuals=500,
            ),
        ]
    )
    outline = pd.DataFrame(
        [
            dict(
                ssid="CXB-1",
                name=XSS,
                upazila="U",
                union_name=XSS,
                area_km2=1.0,
                lat=21.2,
                lon=92.1,
                geometry=json.dumps(
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [[92.1, 21.2], [92.11, 21.2], [92.11, 21.21], [92.1, 21.2]]
                        ],
                    }
                ),
            )
        ]
    )

    def fake_q(name, **params):
        if name == "site_totals":
            return pd.DataFrame(
                {
                    "dataset": [None, "unhcr_register", "isimm", "coxs_bazar"],
                    "all_datasets": [True, False, False, False],
                    "sites": [2, 1, 1, 0],
                    "located": [2, 1, 1, 0],
                }
            )
        if name == "site_list":
            return crafted
        if name == "camp_outlines":
            return outline
        raise AssertionError(name)

    m, mode, _ = build_map(fake_q, world, CampsState())
    assert mode == "points"
    html = map_html(m)
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    data = cv.outlines_geojson(outline)
    tip = data["features"][0]["properties"]["tip"]
    assert XSS not in tip and "&lt;script&gt;" in tip


def test_state_round_trip(q):
    opts = cv.options(q)
    state = CampsState(
        site_types=["Refugee Camp", "T/RC"],
        status="open",
        countries=["BGD", "KEN"],
        datasets=["unhcr_register", "coxs_bazar"],
        precision="0.01",
    )
    params = state.to_params()
    assert params["type"] == "Refugee Camp|T/RC" and params["country"] == "BGD|KEN"
    assert all(isinstance(v, str) for v in params.values())
    again, notes = CampsState.from_params(params, opts)
    assert again == state and notes == []
    assert CampsState().to_params() == {}
    assert CampsState.from_params({}, opts) == (CampsState(), [])


def test_invalid_params_fall_back(q):
    opts = cv.options(q)
    bad = {
        "type": "Refugee Camp|Bogus",
        "status": "maybe",
        "country": "ZZZ|BGD",
        "dataset": "secret",
        "precision": "0.00001",
    }
    state, notes = CampsState.from_params(bad, opts)
    assert state == CampsState(site_types=["Refugee Camp"], countries=["BGD"])
    assert len(notes) == 5
    assert any("ZZZ" in n for n in notes) and any("precision" in n for n in notes)


def test_injection_as_country_filter(con, world):
    before = con.execute("SELECT count(*) FROM sites").fetchone()[0]
    evil = "BGD'); DROP TABLE sites; --"
    q = direct_query(con)
    state = CampsState(countries=[evil, "' OR 1=1 --"])
    totals = q("site_totals", **state.query_params()).iloc[0]
    assert totals["all_datasets"] and totals["sites"] == 0
    assert q("site_list", **state.query_params(), limit=10, located_only=False).empty
    view = build(q, world, state)
    assert view.sites.empty and int(view.headline["sites"]) == 0
    assert con.execute("SELECT count(*) FROM sites").fetchone()[0] == before
    # and the URL path rejects it before any query
    state, notes = CampsState.from_params({"country": evil}, cv.options(q))
    assert state.countries == [] and notes


def test_isimm_months_have_gaps(q):
    months = q("isimm_monthly_totals")
    assert months["month"].is_monotonic_increasing
    missing = months.loc[~months["reported"]]
    assert len(missing) == 10 and missing["individuals"].isna().all()
    assert int(months["individuals"].iloc[-1]) == 1_479_320


def test_camps_page_apptest(db_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["precision"] = "0.000001"  # invalid: default and one note
    at.switch_page("app_pages/camps.py")
    at.run()
    assert not at.exception
    assert len(at.info) == 1 and "precision" in at.info[0].value
    with duckdb.connect(str(db_path), read_only=True) as c:
        sites = c.execute("SELECT count(*) FROM sites").fetchone()[0]
    metric = next(m for m in at.metric if m.label == "Sites")
    assert metric.value == f"{sites:,}"
    assert any("sensitive" in c.value for c in at.caption)
    assert [t.label for t in at.tabs] == ["Filtered sites", "Largest in 2025", "NW Syria over time"]
    # the first run waits for the map: no table, no export panel, a "Show now" button
    assert len(at.dataframe) == 0 and not at.expander
    assert any("once the map has drawn" in c.value for c in at.caption)
    at.button(key="_atlas_show_sections").click().run()
    # the map's text twin (its table, folded) and the export panel wait for the map too
    assert not at.exception
    assert [e.label for e in at.expander] == ["Map as a table", "Export this view"]
    # only the open section is computed: the sites table, 1,000 rows
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == cv.TABLE_LIMIT
    assert not any("once the map has drawn" in c.value for c in at.caption)
    assert len(at.get("vega_lite_chart")) == 0

    # a link to the largest sites opens that table, deadliest first by 2025 population
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["section"] = "Largest in 2025"
    at.switch_page("app_pages/camps.py")
    at.run().run()  # the second run stands for the map's report of its view
    assert not at.exception and len(at.dataframe) == 1
    people = at.dataframe[0].value["People 2025"]
    assert people.is_monotonic_decreasing and len(people) == cv.LARGEST_LIMIT
    with duckdb.connect(str(db_path), read_only=True) as c:
        top = c.execute("SELECT max(population_2025) FROM sites").fetchone()[0]
    assert people.iloc[0] == top


def test_table_order_is_country_name_then_site_name(q, con):
    listed = q(
        "site_list",
        site_types=[],
        status="all",
        countries=[],
        datasets=[],
        limit=20_000,
        located_only=False,
    )
    expected = con.execute(
        "SELECT s.site_id FROM sites s LEFT JOIN countries c ON c.iso3 = s.iso3 "
        "ORDER BY coalesce(c.name, s.country) NULLS LAST, s.name, s.site_id"
    ).fetchall()
    assert listed["site_id"].tolist() == [r[0] for r in expected]
    located = q(
        "site_list",
        site_types=[],
        status="all",
        countries=["SYR"],
        datasets=[],
        limit=20_000,
        located_only=True,
    )
    assert located["lat"].notna().all() and len(located) == _located(con, iso3="SYR")


def test_other_sections_query_only_when_read(q, world, con):
    calls = []

    def recording(name, **params):
        calls.append(name)
        return q(name, **params)

    view = build(recording, world, CampsState(countries=["BGD"]))
    assert "site_list" in calls  # the default section's table
    assert "site_largest_2025" not in calls and "isimm_monthly_totals" not in calls
    top = con.execute("SELECT max(population_2025) FROM sites WHERE iso3 = 'BGD'").fetchone()[0]
    assert view.largest["population_2025"].iloc[0] == top
    assert len(view.isimm_months) and calls.count("isimm_monthly_totals") == 1
    view.largest, view.isimm_months  # noqa: B018 - read again: no second query
    assert calls.count("site_largest_2025") == calls.count("isimm_monthly_totals") == 1
