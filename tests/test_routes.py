"""Deadly routes: filter state, queries, the map builder (bins, individual incidents,
escaped popups, corridors, legend, payload) and one AppTest of the page."""

from __future__ import annotations

import json
from datetime import date

import folium
import pytest
from streamlit.testing.v1 import AppTest

from geo.maps import CircleLayer, Legend, layer_names, map_html, render
from geo.views import countries_of, direct_query
from geo.views import routes as R
from tests.conftest import IN_DATES, REPO, in_dates_args

INJECTION = "x'); DROP TABLE incidents; --"
# Written out here, apart from the queries: IOM's type of a tally ("Cumulative Incident").
NOT_CUMULATIVE = "coalesce(incident_type NOT ILIKE '%cumulative%', true)"
TOP_SINGLE = (
    "SELECT max(dead_and_missing) FROM incidents "
    "WHERE coalesce(incident_type NOT ILIKE '%cumulative%', true)"
)
BUDGET = 300_000


@pytest.fixture()
def q(con):
    return direct_query(con)


@pytest.fixture()
def countries(con):
    return countries_of(con)


@pytest.fixture()
def options(q):
    return R.options(q)


def sql_filtered(con, state: R.RoutesState, select: str, *, located: bool = False):
    """The filter written out independently of the queries' macro, for cross-checks."""
    where = [IN_DATES]
    args: list = in_dates_args(state.date_from, state.date_to)
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
    state = R.RoutesState.defaults(options)
    spec = R.map_spec(q, countries, state, options=options)
    m = render(spec)
    names = layer_names(m)
    assert "Countries (Natural Earth)" in names
    assert R.CORRIDOR_LAYER in names and "schematic" in R.CORRIDOR_LAYER
    assert any(n.startswith(R.BINS_LAYER) and "2° grid" in n for n in names), names
    assert spec.info.mode == "bins" and spec.info.cell == 2.0
    assert spec.info.bounds == [[-45.0, -125.0], [62.0, 150.0]]  # world view
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
    spec = R.map_spec(q, countries, state, options=options)
    m = render(spec)
    assert spec.info.mode == "bins"
    layer = layer_of(m)
    drawn = sum(c.values[0] for c in layer.circles)
    total, n = sql_filtered(con, state, "sum(dead_and_missing), count(*)", located=True)
    assert drawn == total == spec.info.dead_and_missing
    assert sum(c.values[1] for c in layer.circles) == n
    if kw:  # fitted to the filtered incidents, finer grid than the world's
        assert spec.info.bounds != [[-45.0, -125.0], [62.0, 150.0]]
    if kw.get("routes"):
        assert spec.info.cell < 2.0


def test_small_filter_draws_incidents_with_popups(q, countries, options, con):
    state = R.RoutesState(date(2016, 6, 1), date(2016, 6, 30), routes=["Central Mediterranean"])
    spec = R.map_spec(q, countries, state, options=options)
    m = render(spec)
    assert spec.info.mode == "incidents"
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
        "world": R.RoutesState.defaults(options),
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
    assert default == R.RoutesState.defaults(options) and notes == []
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
    assert swapped == R.RoutesState.defaults(options) and len(notes) == 1


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
    top = sql_filtered(con, state, f"max(dead_and_missing) FILTER (WHERE {NOT_CUMULATIVE})")[0]
    assert d["dead_and_missing"].iloc[0] == top
    urls = d["url"].dropna().tolist()
    assert urls and all(u.startswith(("http://", "https://")) for u in urls)
    month = R.RoutesState(date(2023, 1, 1), date(2023, 12, 31))
    assert R.series_grain(month) == "month"


def test_page_apptest_headline_equals_sql(db_path, con, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("app_pages/routes.py")
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
    # people are counted whole: no half-step ticks written "0, 1, 1, 2" on a small total
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["encoding"]["y"]["axis"] == {"format": ",d", "tickMinStep": 1}

    # a link that opens the deadliest incidents: that table only, its rows from SQL
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("app_pages/routes.py")
    at.query_params["section"] = "Deadliest incidents"
    at.run().run()
    # single incidents first, then the cumulative tallies ranked apart
    assert not at.exception and len(at.dataframe) == 2
    assert len(at.get("vega_lite_chart")) == 0
    top = con.execute(TOP_SINGLE).fetchone()[0]
    assert at.dataframe[0].value["dead_and_missing"].iloc[0] == top
    assert "incident_type" in at.dataframe[0].value.columns
    assert at.dataframe[1].value["incident_type"].str.contains("Cumulative").all()

    # a link with a filter and some nonsense (a new session): filter applied, nonsense noted
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("app_pages/routes.py")
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

    view = R.build(recording, countries, R.RoutesState.defaults(options), options=options)
    # the sections' queries wait until read: the map goes out first
    assert "route_periods" not in calls and "deadliest_incidents" not in calls
    top = con.execute(TOP_SINGLE).fetchone()[0]
    assert view.deadliest["dead_and_missing"].iloc[0] == top
    assert view.deadliest is view.deadliest and calls.count("deadliest_incidents") == 1
    assert view.series is view.series and view.grain == "year"
    assert calls.count("route_periods") == 1


# --- cumulative tallies and the By route rows, checked against the export file --------


def export_incidents(mirror) -> list[dict]:
    """The MMP export read with the csv module alone (no code of geo.loaders): id, type,
    day (None when missing or not a date), year of the id, routes and dead and missing."""
    import csv

    path = next((mirror / "missing_migrants").glob("Missing_Migrants_Global_Figures_allData*.csv"))
    out = []
    with path.open(newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            iid = r["Main ID"].replace("\ufeff", "").strip()
            try:
                day = date.fromisoformat(r["Incident Date"].strip()[:10])
            except ValueError:
                day = None
            total = r["Total Number of Dead and Missing"].replace(",", "").strip()
            out.append(
                {
                    "id": iid,
                    "type": r["Incident Type"],
                    "day": day,
                    "year": int(iid[:4]),
                    "routes": [x.strip() for x in r["Migration Route"].split(",") if x.strip()],
                    "total": int(float(total)) if total else 0,
                }
            )
    return out


# 2014-2024: years for which the export is the later publication, so the database holds
# exactly its incidents whatever the merge rule for the endpoint's years.
EXPORT_YEARS = R.RoutesState(date(2014, 1, 1), date(2024, 12, 31))


def in_range(r: dict, state: R.RoutesState) -> bool:
    if r["day"] is not None:
        return state.date_from <= r["day"] <= state.date_to
    return state.date_from.year <= r["year"] <= state.date_to.year


def test_cumulative_tallies_are_ranked_apart(q, countries, options, mirror):
    rows = [r for r in export_incidents(mirror) if in_range(r, EXPORT_YEARS)]
    tallies = [r for r in rows if "cumulative" in r["type"].lower()]
    singles = [r for r in rows if "cumulative" not in r["type"].lower()]
    assert tallies and singles
    view = R.build(q, countries, EXPORT_YEARS, options=options)
    d, c = view.deadliest, view.cumulative
    assert "incident_type" in d.columns and "incident_type" in c.columns
    tally_ids = {r["id"] for r in tallies}
    # no yearly tally among the deadliest incidents; the largest tally heads its own list
    assert not set(d["incident_id"]) & tally_ids
    assert not d["incident_type"].str.contains("Cumulative").any()
    largest = max(tallies, key=lambda r: (r["total"], -r["year"]))
    assert c["incident_id"].iloc[0] == largest["id"]
    assert c["dead_and_missing"].iloc[0] == largest["total"]
    assert set(c["incident_id"]) <= tally_ids and len(c) == min(len(tallies), R.DEADLIEST)
    assert d["dead_and_missing"].iloc[0] == max(r["total"] for r in singles)
    t = view.cumulative_totals
    assert t["incidents"] == len(tallies)
    assert t["dead_and_missing"] == sum(r["total"] for r in tallies)
    # choosing only the other types leaves no tally to rank
    types = [v for v in options.types if "cumulative" not in v.lower()]
    other = R.build(q, countries, R.RoutesState(**{**EXPORT_YEARS.__dict__, "types": types}))
    assert other.cumulative.empty and other.cumulative_totals["incidents"] == 0


def test_by_route_rows_say_what_has_no_route_and_what_counts_twice(q, countries, options, mirror):
    rows = [r for r in export_incidents(mirror) if in_range(r, EXPORT_YEARS)]
    no_route = [r for r in rows if not r["routes"]]
    several = [r for r in rows if len(r["routes"]) > 1]
    view = R.build(q, countries, EXPORT_YEARS, options=options)
    table = view.route_rows
    last = table.iloc[-1]
    assert last["route"] == R.NO_ROUTE and not last["named"] and last["corridor"] == ""
    assert last["incidents"] == len(no_route) > 0
    assert last["dead_and_missing"] == sum(r["total"] for r in no_route)
    cov = view.route_coverage
    assert cov["multi_route_incidents"] == len(several)
    assert cov["multi_route_dead_and_missing"] == sum(r["total"] for r in several)
    # route rows plus the no-route row exceed the total by each extra route of an incident
    extra = sum((len(r["routes"]) - 1) * r["total"] for r in rows if r["routes"])
    assert table["dead_and_missing"].sum() == sum(r["total"] for r in rows) + extra
    assert view.headline["dead_and_missing"] == sum(r["total"] for r in rows)
    # a route filter lets no route-less incident through: no such row then
    one = R.RoutesState(**{**EXPORT_YEARS.__dict__, "routes": ["Central Mediterranean"]})
    picked = R.build(q, countries, one, options=options)
    assert picked.route_coverage["no_route_incidents"] == 0
    assert R.NO_ROUTE not in set(picked.route_rows["route"])


def test_last_period_note_only_when_the_period_is_cut():
    last = date(2025, 9, 8)
    whole = R.RoutesState(date(2024, 1, 1), date(2024, 12, 31))
    assert R.last_period_note(whole, last, "month") == ""
    assert R.last_period_note(whole, last, "year") == ""
    to_data_end = R.RoutesState(date(2024, 1, 1), last)
    assert "Data run to 08 Sep 2025" in R.last_period_note(to_data_end, last, "month")
    assert "may be incomplete" in R.last_period_note(to_data_end, last, "year")
    mid_month = R.RoutesState(date(2024, 1, 1), date(2024, 6, 15))
    assert "selection ends on 15 Jun 2024" in R.last_period_note(mid_month, last, "month")
    # data that end on a month's last day leave that month complete
    assert (
        R.last_period_note(
            R.RoutesState(date(2024, 1, 1), date(2024, 6, 30)), date(2024, 6, 30), "month"
        )
        == ""
    )


def test_page_by_route_tab_shows_the_no_route_row(db_path, con, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("app_pages/routes.py")
    at.query_params["section"] = "By route"
    at.run().run()
    assert not at.exception and len(at.dataframe) == 1
    table = at.dataframe[0].value
    n, dm = con.execute(
        "SELECT count(*), sum(dead_and_missing) FROM incidents WHERE len(routes) = 0"
    ).fetchone()
    assert table.iloc[-1]["route"] == R.NO_ROUTE and table.iloc[-1]["incidents"] == n
    text = " ".join(c.value for c in at.caption)
    assert f"{n:,} incidents ({dm:,} dead and missing) have no route" in text
    assert "count under each" in text
    assert "Dashed" not in " ".join(c.value for c in at.caption)


def test_map_popup_marks_cumulative_tallies(q, options, mirror):
    tally_ids = {r["id"] for r in export_incidents(mirror) if "cumulative" in r["type"].lower()}
    pts = q("incident_points", limit=100_000, **EXPORT_YEARS.query_params())
    tallies = pts[pts["incident_id"].isin(tally_ids)]
    others = pts[~pts["incident_id"].isin(tally_ids)]
    assert len(tallies) and len(others)
    for row in tallies.head(20).to_dict("records"):
        assert "cumulative tally" in R.incident_popup(row)
        assert "cumulative tally" in R.TIP_FORMAT.format(*R.popup_values(row))
    for row in others.head(20).to_dict("records"):
        assert "cumulative" not in R.incident_popup(row)


def test_monthly_series_fills_every_month_of_the_selection_from_sql(q, con, options):
    """The Over time series of a 22-month selection that starts and ends mid-month: one
    row per month from the first month to the last, per top route, deadliest route first,
    each cell the SQL figure of its month and route (0 where none), nothing else."""
    first, last = date(2021, 3, 15), date(2022, 12, 2)
    region = options.regions[0]
    state = R.RoutesState(first, last, regions=[region])
    series, grain = R.route_series(q, state)
    assert grain == "month" and not series.empty
    routes = list(dict.fromkeys(series["route"]))
    months = [date(2021 + (2 + i) // 12, (2 + i) % 12 + 1, 1) for i in range(22)]
    assert [d.date() for d in series["period"].drop_duplicates()] == months
    assert len(series) == len(months) * len(routes)
    rows = con.execute(
        # incidents with only a year are in no month
        "SELECT date_trunc('month', incident_date)::DATE AS m, r, count(*), "
        "sum(dead_and_missing) "
        "FROM (SELECT unnest(routes) AS r, incident_date, dead_and_missing FROM incidents "
        "      WHERE incident_date BETWEEN ? AND ? AND list_contains(regions, ?)) "
        "GROUP BY ALL",
        [first, last, region],
    ).fetchall()
    want = {(m, r): (int(n), int(d)) for m, r, n, d in rows}
    totals = {}
    for (_m, r), (_n, d) in want.items():
        totals[r] = totals.get(r, 0) + d
    top = sorted(totals, key=lambda r: (-totals[r], r))[: R.TOP_ROUTES]
    assert routes == top
    for rec in series.itertuples():
        assert (rec.incidents, rec.dead_and_missing) == want.get(
            (rec.period.date(), rec.route), (0, 0)
        ), rec
    assert str(series["incidents"].dtype) == str(series["dead_and_missing"].dtype) == "int64"


def _survivor_windows(con) -> tuple[tuple, tuple]:
    """A (region, year) whose incidents give no survivor count, and one where only some
    do: from the incidents themselves, so the test follows the data."""
    rows = con.execute(
        """SELECT r, year(incident_date) AS y, count(*) AS n, count(survivors) AS reported,
                  coalesce(sum(survivors), 0) AS survivors
           FROM (SELECT unnest(regions) AS r, * FROM incidents)
           WHERE incident_date IS NOT NULL
           GROUP BY ALL ORDER BY n DESC, r, y"""
    ).fetchall()
    none = next(r for r in rows if r[3] == 0)
    some = next(r for r in rows if 0 < r[3] < r[2])
    return none, some


def test_survivors_blank_in_the_source_is_not_shown_as_zero(db_path, con, monkeypatch):
    """Most incidents give no survivor count: a view where none does shows no number, not
    0, and a view where some do says how many incidents the figure sums."""
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    none, some = _survivor_windows(con)
    shown = {}
    for region, year, n, reported, survivors in (none, some):
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
        at.switch_page("app_pages/routes.py")
        at.query_params.update({"regions": region, "from": f"{year}-01-01", "to": f"{year}-12-31"})
        at.run()
        assert not at.exception
        metric = next(m for m in at.metric if m.label == "Survivors")
        incidents = next(m for m in at.metric if m.label == "Incidents")
        assert incidents.value == f"{n:,}", (region, year)
        shown[reported > 0] = (metric.value, metric.proto.help, reported, n, survivors)
    value, help_text, *_ = shown[False]
    assert value == "–" and "No incident in this view gives a survivor count" in help_text
    value, help_text, reported, n, survivors = shown[True]
    assert value == f"{survivors:,}"
    assert f"{reported:,} of the {n:,} incidents in this view give" in help_text or (
        reported == 1 and f"1 of the {n:,} incidents in this view gives" in help_text
    )


def test_a_single_incident_is_shown_in_its_region_not_at_street_level(q, countries, options, con):
    """A filter down to one incident fits the map to a region around it (coast and
    neighbours in view), not to a few km; the PNG and text summary share these bounds."""
    day, lat, lon = con.execute(
        """SELECT incident_date, any_value(lat), any_value(lon) FROM incidents
           WHERE incident_date IS NOT NULL AND lat IS NOT NULL
           GROUP BY incident_date HAVING count(*) = 1 AND count(*) = count(lat)
           ORDER BY incident_date DESC LIMIT 1"""
    ).fetchone()
    assert sql_filtered(con, R.RoutesState(day, day), "count(*)")[0] == 1
    spec = R.map_spec(q, countries, R.RoutesState(day, day), options=options)
    (s, w), (n, e) = spec.info.bounds
    assert s < lat < n and w < lon < e
    assert n - s >= R.MIN_VIEW_DEG[0] - 1e-9 or s == -80.0 or n == 85.0
    assert e - w >= R.MIN_VIEW_DEG[1] - 1e-9 or w == -180.0 or e == 180.0
    assert spec.bounds == spec.info.bounds


def test_the_maps_text_summary_gives_a_long_place_whole(q, countries, options, con):
    """The text summary (the map for a screen reader, and the exports' table) names each
    incident's place in full: a long location is not cut to its first 80 characters."""
    day, location = con.execute(
        """SELECT incident_date, location FROM incidents
           WHERE incident_date IS NOT NULL AND lat IS NOT NULL AND length(location) > 120
           ORDER BY length(location) DESC, incident_date LIMIT 1"""
    ).fetchone()
    spec = R.map_spec(q, countries, R.RoutesState(day, day), options=options)
    assert spec.info.mode == "incidents"
    places = [
        row[0] for layer in spec.layers if layer.table is not None for row in layer.table.rows
    ]
    assert " ".join(location.split()) in places


def test_route_list_narrows_to_the_chosen_regions_and_keeps_a_chosen_route(
    db_path, con, options, monkeypatch
):
    """Picking a region narrows the route filter to the routes its incidents are on
    (worked out here from the incidents' own lists, not the query); a route already
    chosen stays offered and chosen, and clearing the region offers every route again."""

    def routes_in(regions: list[str]) -> set[str]:
        rows = con.execute(
            "SELECT DISTINCT unnest(routes) FROM incidents WHERE list_has_any(regions, ?)",
            [regions],
        ).fetchall()
        return {r for (r,) in rows if r}

    region = "Europe"
    expected = routes_in([region])
    assert 0 < len(expected) < len(options.routes)
    outside = next(r for r in options.routes if r not in expected)

    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("app_pages/routes.py")
    at.run()
    assert set(at.multiselect(key="routes_routes").options) == set(options.routes)
    at.multiselect(key="routes_regions").select(region).run()
    assert not at.exception
    assert set(at.multiselect(key="routes_routes").options) == expected
    # two regions: the routes of either
    second = next(r for r in options.regions if r != region)
    at.multiselect(key="routes_regions").select(second).run()
    assert set(at.multiselect(key="routes_routes").options) == routes_in([region, second])

    # a route chosen before the region stays chosen and offered
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("app_pages/routes.py")
    at.run()
    at.multiselect(key="routes_routes").select(outside).run()
    at.multiselect(key="routes_regions").select(region).run()
    assert not at.exception
    routes_widget = at.multiselect(key="routes_routes")
    assert routes_widget.value == [outside]
    assert set(routes_widget.options) == expected | {outside}
    at.multiselect(key="routes_regions").unselect(region).run()
    assert set(at.multiselect(key="routes_routes").options) == set(options.routes)
