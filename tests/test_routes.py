"""Deadly routes: filter state, queries, the map builder (bins, individual incidents,
escaped popups, corridors, legend, payload) and one AppTest of the page."""

from __future__ import annotations

from datetime import date

import folium
import pytest
from streamlit.testing.v1 import AppTest

from geo.maps import CircleLayer, Legend, layer_names, map_html
from geo.views import countries_of, direct_query
from geo.views import routes as R
from tests.conftest import REPO

INJECTION = "x'); DROP TABLE incidents; --"
BUDGET = 300_000


@pytest.fixture()
def q(con):
    return direct_query(con)


@pytest.fixture()
def countries(con):
    return countries_of(con)


@pytest.fixture()
def options(q):
    return R.load_options(q)


def sql_filtered(con, state: R.RoutesState, select: str, *, located: bool = False):
    """The filter written out independently of the queries' macro, for cross-checks."""
    where = ["(incident_date BETWEEN ? AND ? OR (incident_date IS NULL AND year BETWEEN ? AND ?))"]
    args: list = [state.date_from, state.date_to, state.date_from.year, state.date_to.year]
    for col, values in (
        ("regions", state.regions),
        ("routes", state.routes),
        ("causes", state.causes),
    ):
        if values:
            where.append(f"list_has_any({col}, ?::VARCHAR[])")
            args.append(values)
    if state.types:
        where.append("list_contains(?::VARCHAR[], incident_type)")
        args.append(state.types)
    if located:
        where.append("lat IS NOT NULL AND lon IS NOT NULL")
    return con.execute(
        f"SELECT {select} FROM incidents WHERE {' AND '.join(where)}",  # noqa: S608 - constant SQL fragments, values bound
        args,
    ).fetchone()


def layer_of(m: folium.Map, cls=CircleLayer) -> CircleLayer:
    found = [c for c in m._children.values() if isinstance(c, cls)]
    assert len(found) == 1, [type(c).__name__ for c in m._children.values()]
    return found[0]


def legend_of(m: folium.Map) -> Legend:
    return next(c for c in m._children.values() if isinstance(c, Legend))


def test_world_map_layers_legend_credit(q, countries, options, con):
    state = R.RoutesState.default(options)
    m = R.build_map(q, countries, state, options=options)
    names = layer_names(m)
    assert "Countries (Natural Earth)" in names
    assert R.CORRIDOR_LAYER in names and "schematic" in R.CORRIDOR_LAYER
    assert any(n.startswith(R.BINS_LAYER) and "2° grid" in n for n in names), names
    assert m.atlas_info.mode == "bins" and m.atlas_info.cell == 2.0
    assert m.atlas_info.bounds == [[-45.0, -125.0], [62.0, 150.0]]  # world view
    legend = legend_of(m)
    assert "minimum estimates" in legend.html and "schematic" in legend.html
    assert any("schematic" in label for _, label in legend.items)
    assert len(legend.items) >= 4  # class breaks + corridor
    html = map_html(m)
    assert "IOM Missing Migrants Project (CC BY-IGO), minimum estimates" in html
    assert "corridors schematic (Arrival Atlas); basemap Natural Earth" in html
    assert "L.control.layers" in html
    # every route with a corridor and incidents is drawn, tooltips say schematic
    lines = [
        c
        for g in m._children.values()
        if isinstance(g, folium.FeatureGroup) and g.layer_name == R.CORRIDOR_LAYER
        for c in g._children.values()
        if isinstance(c, folium.PolyLine)
    ]
    n_routes = con.execute(
        "SELECT count(DISTINCT route) FROM incident_routes JOIN route_corridors USING (route)"
    ).fetchone()[0]
    assert len(lines) == n_routes > 20
    tips = [
        c.text for line in lines for c in line._children.values() if isinstance(c, folium.Tooltip)
    ]
    assert len(tips) == len(lines) and all("schematic" in t for t in tips)
    weights = sorted(line.options["weight"] for line in lines)
    assert weights[0] < weights[-1]  # width follows dead and missing


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"routes": ["Central Mediterranean"]},
        {"regions": ["North America"], "causes": ["Violence", "Drowning"]},
    ],
)
def test_binned_total_equals_sql(q, countries, options, con, kw):
    state = R.RoutesState(options.first_date, options.last_date, **kw)
    m = R.build_map(q, countries, state, options=options)
    assert m.atlas_info.mode == "bins"
    layer = layer_of(m)
    drawn = sum(c.values[0] for c in layer.circles)
    total, n = sql_filtered(con, state, "sum(dead_and_missing), count(*)", located=True)
    assert drawn == total == m.atlas_info.dead_and_missing
    assert sum(c.values[1] for c in layer.circles) == n
    if kw:  # fitted to the filtered incidents, finer grid than the world's
        assert m.atlas_info.bounds != [[-45.0, -125.0], [62.0, 150.0]]
    if kw.get("routes"):
        assert m.atlas_info.cell < 2.0


def test_small_filter_draws_incidents_with_popups(q, countries, options, con):
    state = R.RoutesState(date(2016, 6, 1), date(2016, 6, 30), routes=["Central Mediterranean"])
    m = R.build_map(q, countries, state, options=options)
    assert m.atlas_info.mode == "incidents"
    assert R.POINTS_LAYER in layer_names(m)
    layer = layer_of(m, R.IncidentLayer)
    n, total = sql_filtered(con, state, "count(*), sum(dead_and_missing)", located=True)
    assert len(layer.circles) == n > 0
    assert sum(int(c.values[1].replace(",", "")) for c in layer.circles) == total
    html = map_html(m)
    assert "bindPopup" in html and layer.popup_format_json in html
    # the popup of the deadliest incident carries date, figures, cause, location, source, link
    pts = q("incident_points", limit=R.DETAIL_MAX, **state.query_params())
    top = pts.iloc[0]
    pop = R.incident_popup(top.to_dict())
    assert f"{top['incident_date']:%d %b %Y}" in pop
    assert f"{int(top['dead_and_missing']):,} dead and missing" in pop
    assert "Cause:" in pop and "survivors" in pop and "Source:" in pop
    assert R.escape(top["location"][:60]) in pop
    with_url = pts.dropna(subset=["url"])
    assert len(with_url)
    assert 'href="http' in R.incident_popup(with_url.iloc[0].to_dict())


def test_popup_escapes_text_and_refuses_javascript_links(countries):
    row = {
        "incident_date": date(2020, 5, 1),
        "dead": 3,
        "missing": 2,
        "dead_and_missing": 5,
        "survivors": None,
        "causes": "Drowning<img src=x onerror=alert(1)>",
        "location": "<script>alert('x')</script> near \"Lampedusa\"",
        "country": "Italy",
        "routes": "Central Mediterranean",
        "information_source": "</script><script>alert(2)</script>",
        "url": "javascript:alert(document.cookie)",
    }
    pop = R.incident_popup(row)
    assert "<script" not in pop and "<img" not in pop
    assert "&lt;script&gt;" in pop and "&lt;img" in pop
    assert "href" not in pop and "javascript:" not in pop
    assert "not reported" in pop  # survivors unknown
    assert 'href="https://example.org/a?b=1&amp;c=2"' in R.incident_popup(
        {**row, "url": "https://example.org/a?b=1&c=2"}
    )
    assert "href" not in R.incident_popup({**row, "url": 'https://x.org/"onmouseover="x'})
    # the rendered layer cannot close its script element or inject markup either
    m = folium.Map(tiles=None)
    R.IncidentLayer("t", [R.Circle(36.0, 12.0, 5, 0, values=R.popup_values(row))], ["#f00"]).add_to(
        m
    )
    html = map_html(m)
    assert "<script>alert" not in html and "</script><script>alert" not in html
    assert "javascript:alert" not in html


def test_payload_within_budget(q, countries, options):
    cases = {
        "world": R.RoutesState.default(options),
        "Central Mediterranean": R.RoutesState(
            options.first_date, options.last_date, routes=["Central Mediterranean"]
        ),
        # near the individual-incident limit, with long texts
        "North America 2021": R.RoutesState(
            date(2021, 1, 1), date(2021, 12, 31), regions=["North America"]
        ),
        "Drowning 2020": R.RoutesState(date(2020, 1, 1), date(2020, 12, 31), causes=["Drowning"]),
    }
    sizes = {}
    for name, state in cases.items():
        m = R.build_map(q, countries, state, options=options)
        sizes[name] = len(map_html(m).encode())
        assert sizes[name] <= BUDGET, sizes
    print("map payload bytes:", sizes)


def test_state_round_trip_and_invalid_params(options):
    state = R.RoutesState(
        date(2016, 1, 1),
        date(2016, 12, 31),
        regions=["Mediterranean"],
        routes=["Central Mediterranean", "Western Africa / Atlantic route to the Canary Islands"],
        causes=["Drowning"],
        types=["Incident"],
    )
    params = state.to_params()
    assert params["from"] == "2016-01-01" and params["to"] == "2016-12-31"
    assert params["routes"] == (
        "Central Mediterranean|Western Africa / Atlantic route to the Canary Islands"
    )
    back, notes = R.RoutesState.from_params(params, options)
    assert back == state and notes == []
    default, notes = R.RoutesState.from_params({}, options)
    assert default == R.RoutesState.default(options) and notes == []
    assert R.RoutesState.from_params(default.to_params(), options) == (default, [])

    bad, notes = R.RoutesState.from_params(
        {
            "from": "yesterday",
            "to": "2099-01-01",
            "routes": "Central Mediterranean|Atlantis",
            "causes": INJECTION,
            "embed": "true",  # someone else's parameter: not reported
        },
        options,
    )
    assert bad.date_from == options.first_date and bad.date_to == options.last_date
    assert bad.routes == ["Central Mediterranean"] and bad.causes == []
    text = " ".join(notes)
    assert len(notes) == 4, notes
    assert "yesterday" in text and "2099-01-01" in text and "Atlantis" in text
    assert "DROP TABLE" in text and "embed" not in text
    swapped, notes = R.RoutesState.from_params({"from": "2020-01-01", "to": "2019-01-01"}, options)
    assert swapped == R.RoutesState.default(options) and len(notes) == 1


def test_injection_is_only_ever_a_value(q, con, countries, options):
    state = R.RoutesState(options.first_date, options.last_date, routes=[INJECTION])
    totals = q("incident_totals", **state.query_params()).iloc[0]
    assert totals["incidents"] == 0 and totals["dead_and_missing"] == 0
    view = R.build(q, countries, state, options=options)
    assert view.deadliest.empty and view.series.empty and view.routes.empty
    assert view.map_info.circles == 0
    assert con.execute("SELECT count(*) FROM incidents").fetchone()[0] > 10_000


def test_series_and_deadliest_match_sql(q, countries, options, con):
    state = R.RoutesState(options.first_date, options.last_date, regions=["Mediterranean"])
    view = R.build(q, countries, state, options=options, limit=10)
    assert view.grain == "year"
    per_route = view.series.groupby("route")["dead_and_missing"].sum()
    assert len(per_route) == R.TOP_ROUTES
    totals = view.routes.set_index("route")["dead_and_missing"]
    for route, value in per_route.items():
        assert value == totals[route]
    assert set(per_route.index) == set(totals.index[: R.TOP_ROUTES])
    # every year of the range is there for each route (zeros filled)
    assert len(view.series) == R.TOP_ROUTES * (options.last_date.year - options.first_date.year + 1)
    d = view.deadliest
    assert len(d) == 10 and d["dead_and_missing"].is_monotonic_decreasing
    top = sql_filtered(con, state, "max(dead_and_missing)")[0]
    assert d["dead_and_missing"].iloc[0] == top
    urls = d["url"].dropna().tolist()
    assert urls and all(u.startswith(("http://", "https://")) for u in urls)
    month = R.RoutesState(date(2023, 1, 1), date(2023, 12, 31))
    assert R.series_grain(month) == "month"


def test_page_apptest_headline_equals_sql(db_path, con, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/routes.py")
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    total, n = con.execute("SELECT sum(dead_and_missing), count(*) FROM incidents").fetchone()
    assert metrics["Dead and missing"] == f"{total:,}"
    assert metrics["Incidents"] == f"{n:,}"
    assert any("minimum estimates" in c.value for c in at.caption)
    assert [t.label for t in at.tabs] == ["Over time", "By route", "Deadliest incidents"]
    # the first run waits for the map's report of its view (a rerun) to fill the section
    assert len(at.get("vega_lite_chart")) == 0 and not at.expander
    at.run()
    # only the open section (the chart, by default) is computed and sent
    assert len(at.get("vega_lite_chart")) == 1 and len(at.dataframe) == 0 and not at.info

    # a link that opens the deadliest incidents: that table only, its rows from SQL
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/routes.py")
    at.query_params["section"] = "Deadliest incidents"
    at.run().run()
    assert not at.exception and len(at.dataframe) == 1
    assert len(at.get("vega_lite_chart")) == 0
    top = con.execute("SELECT max(dead_and_missing) FROM incidents").fetchone()[0]
    assert at.dataframe[0].value["dead_and_missing"].iloc[0] == top

    # a link with a filter and some nonsense (a new session): filter applied, nonsense noted
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/routes.py")
    at.query_params["routes"] = "Central Mediterranean|Atlantis"
    at.query_params["from"] = "2016-01-01"
    at.query_params["to"] = "2016-12-31"
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    state = R.RoutesState(date(2016, 1, 1), date(2016, 12, 31), routes=["Central Mediterranean"])
    dm = sql_filtered(con, state, "sum(dead_and_missing)")[0]
    assert metrics["Dead and missing"] == f"{dm:,}"
    assert len(at.info) == 1 and "Atlantis" in at.info[0].value
    assert at.multiselect(key="routes_routes").value == ["Central Mediterranean"]
    assert "Atlantis" not in str(at.query_params["routes"])


def test_deadliest_section_queries_only_when_read(q, countries, options, con):
    calls = []

    def recording(name, **params):
        calls.append(name)
        return q(name, **params)

    view = R.build(recording, countries, R.RoutesState.default(options), options=options)
    assert "route_periods" in calls and "deadliest_incidents" not in calls
    top = con.execute("SELECT max(dead_and_missing) FROM incidents").fetchone()[0]
    assert view.deadliest["dead_and_missing"].iloc[0] == top
    assert view.deadliest is view.deadliest and calls.count("deadliest_incidents") == 1
