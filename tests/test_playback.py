"""Time playback (geo/playback.py): the frames of Deadly routes and Arrival cities agree
with the incidents and cities recounted here in pandas, the last routes frame is the
still map, links carry the step, the payload keeps its budget, hostile names stay text."""

from __future__ import annotations

import json
import math
import re
from datetime import date

import pandas as pd
import pytest

from geo import mapspec as ms
from geo.briefing import briefings
from geo.deck import briefing_deck
from geo.i18n import fmt_int, using
from geo.maps import map_html, render
from geo.playback import city_playback, period_label, periods
from geo.views import cities, countries_of, direct_query, routes

ROUTE = "Central Mediterranean"


@pytest.fixture()
def env(con):
    q = direct_query(con)
    return q, countries_of(con), routes.options(q)


def incidents(con) -> pd.DataFrame:
    """Every incident with its date, position, routes and toll, read as plain rows."""
    return con.execute(
        "SELECT incident_date, lat, lon, routes, dead_and_missing FROM incidents"
    ).df()


def playback_layer(spec: ms.MapSpec) -> ms.PlaybackLayer:
    (layer,) = [x for x in spec.layers if isinstance(x, ms.PlaybackLayer)]
    return layer


def test_periods_cover_the_range_evenly():
    assert periods(date(2014, 2, 15), date(2014, 5, 1), "month") == [
        date(2014, 2, 1),
        date(2014, 3, 1),
        date(2014, 4, 1),
        date(2014, 5, 1),
    ]
    assert periods(date(2014, 2, 15), date(2015, 1, 1), "quarter") == [
        date(2014, 1, 1),
        date(2014, 4, 1),
        date(2014, 7, 1),
        date(2014, 10, 1),
        date(2015, 1, 1),
    ]
    assert periods(date(2014, 12, 31), date(2016, 1, 1), "year") == [
        date(2014, 1, 1),
        date(2015, 1, 1),
        date(2016, 1, 1),
    ]
    assert period_label(date(2015, 7, 1), "quarter") == "Q3 2015"
    assert period_label(date(2015, 3, 1), "month") == "Mar 2015"


def test_routes_frames_add_up_to_the_selection(env, con):
    q, countries, opts = env
    state = routes.RoutesState(opts.first_date, opts.last_date, routes=[ROUTE], play="year")
    spec = routes.map_spec(q, countries, state, options=opts)
    layer = playback_layer(spec)
    info = spec.info.playback

    df = incidents(con)
    df = df[df["routes"].apply(lambda r: ROUTE in list(r))]
    dated = df[df["incident_date"].notna()]
    years = sorted({d.year for d in pd.to_datetime(dated["incident_date"])})
    first, last = opts.first_date.year, opts.last_date.year
    assert layer.labels == [str(y) for y in range(first, last + 1)]
    assert years[0] >= first and years[-1] <= last

    # each frame adds the located, dated dead and missing of its year
    located = dated[dated["lat"].notna()]
    by_year = located.groupby(pd.to_datetime(located["incident_date"]).dt.year)[
        "dead_and_missing"
    ].sum()
    for i, label in enumerate(layer.labels):
        assert sum(layer.frames[i].values()) == by_year.get(int(label), 0), label

    # the counter's running total counts every dated incident, located or not
    total = int(dated["dead_and_missing"].sum())
    assert info.total == total
    assert layer.counters[-1].startswith(fmt_int(total) + " dead and missing")
    undated = df[df["incident_date"].isna()]
    assert info.undated_incidents == len(undated)
    assert info.undated_dead_and_missing == int(undated["dead_and_missing"].sum())

    # the last frame's cells: the located, dated incidents on the still map's grid
    cell = spec.info.cell
    cells = located.assign(
        y=(located["lat"] / cell).apply(math.floor), x=(located["lon"] / cell).apply(math.floor)
    ).groupby(["y", "x"])
    expected = sorted(int(v) for v in cells["dead_and_missing"].sum() if v > 0)
    assert sorted(int(v) for v in layer.values_at(-1).values()) == expected
    # where the still map draws each cell: the mean of its located incidents, dated or not
    everywhere = df[df["lat"].notna()]
    means = everywhere.assign(
        y=(everywhere["lat"] / cell).apply(math.floor),
        x=(everywhere["lon"] / cell).apply(math.floor),
    ).groupby(["y", "x"])[["lat", "lon"]]
    positions = sorted(tuple(p) for p in means.mean().values)
    assert len(layer.places) == len(positions)
    for (a, b), (c, d) in zip(sorted(layer.places), positions, strict=True):
        assert math.isclose(a, c, abs_tol=1e-6) and math.isclose(b, d, abs_tol=1e-6)


def test_last_frame_draws_the_still_map(env):
    """Where no undated incident has a position, playback ends on the still map."""
    q, countries, opts = env
    kw = {"routes": [ROUTE], "date_from": date(2016, 1, 1), "date_to": date(2020, 12, 31)}
    still = routes.map_spec(q, countries, routes.RoutesState(**kw), options=opts)
    played = routes.map_spec(q, countries, routes.RoutesState(**kw, play="quarter"), options=opts)
    assert played.info.cell == still.info.cell
    (bins,) = [x for x in still.layers if x.stable_key == routes.INCIDENTS_KEY]
    layer = playback_layer(played)
    assert layer.stable_key == bins.stable_key  # one layer to the picker and the link
    circles = layer.still_layers()[0].circles  # the frame a picture draws: the last
    assert sorted((round(c.lat, 4), round(c.lon, 4), c.radius, c.klass) for c in circles) == sorted(
        (round(c.lat, 4), round(c.lon, 4), c.radius, c.klass) for c in bins.circles
    )
    # the quarters of 2016-2020, the rings of the last one around its cells only
    assert len(layer.frames) == 20 and layer.labels[0] == "Q1 2016"
    rings = layer.still_layers()[1].circles
    assert len(rings) == len(layer.frames[-1]) > 0
    # the legend says what the ring means
    labels = [i.label for legend in played.legends for i in legend.items]
    assert any("black ring" in label for label in labels)


def test_play_travels_with_the_link(env):
    q, countries, opts = env
    state, notes = routes.RoutesState.from_params({"routes": ROUTE, "play": "month"}, opts)
    assert state.play == "month" and not notes
    assert state.to_params()["play"] == "month"
    assert state.is_default(opts) is False  # the route filter
    world, _n = routes.RoutesState.from_params({"play": "year"}, opts)
    assert world.is_default(opts)  # playing keeps the world view of every incident
    bad, notes = routes.RoutesState.from_params({"play": "<b>weekly</b>"}, opts)
    assert bad.play == "" and "play" not in bad.to_params()
    assert len(notes) == 1 and "weekly" in notes[0]

    copts = cities.options(q)
    cstate, notes = cities.CitiesState.from_params({"play": "years"}, copts)
    assert cstate.play and cstate.to_params()["play"] == "years" and not notes
    cbad, notes = cities.CitiesState.from_params({"play": "1"}, copts)
    assert not cbad.play and "play" not in cbad.to_params() and notes


def test_cities_frames_are_each_years_cities(env, con):
    q, countries, _opts = env
    copts = cities.options(q)
    state, _n = cities.CitiesState.from_params({"play": "years", "year": "1990"}, copts)
    view = cities.build(q, countries, state)
    layer = playback_layer(view.spec)
    rows = con.execute(
        "SELECT p.year, p.projected, c.city_code, p.population FROM cities c "
        "JOIN city_population p USING (city_code)"
    ).df()
    years = sorted(rows["year"].unique())
    assert len(layer.frames) == len(years) == 18
    assert layer.labels[years.index(1990)] == "1990"
    assert layer.frame_index() == years.index(1990)  # opens on the page's year
    for i, y in enumerate(years):
        of_year = rows[(rows["year"] == y) & (rows["population"] >= state.min_population)]
        assert sorted(layer.frames[i].values()) == sorted(float(v) for v in of_year["population"])
        assert layer.projected[i] == bool(rows.loc[rows["year"] == y, "projected"].any())
        if layer.projected[i]:
            assert "projection" in layer.labels[i]
        assert layer.counters[i].startswith(fmt_int(len(of_year)) + " cit")
    assert view.playback.frames == 18


def test_hostile_city_names_stay_text():
    hostile = '<img src=x onerror="alert(1)">'
    frame = pd.DataFrame(
        {
            "year": [2000, 2005],
            "projected": [False, False],
            "city_code": [1, 1],
            "name": [hostile, hostile],
            "country": ["A&B", "A&B"],
            "lat": [1.0, 1.0],
            "lon": [2.0, 2.0],
            "population": [400_000, 500_000],
        }
    )
    still = ms.CircleLayer(name="c", datasets=("wup_cities",), circles=[], colors=["#000"] * 5)
    layer, _info = city_playback(
        lambda name, **kw: frame,
        300_000,
        still=still,
        breaks=[1e6],
        year_label=str,
        start_year=2000,
        name="cities",
    )
    assert "<img" not in layer.tips[0] and "&lt;img" in layer.tips[0] and "A&amp;B" in layer.tips[0]
    page = map_html(render(ms.MapSpec({"type": "FeatureCollection", "features": []}, [layer], [])))
    assert "<img src=x" not in page


def test_payload_within_budget_and_playable(env):
    q, countries, opts = env
    state = routes.RoutesState(opts.first_date, opts.last_date, play="month")
    html = map_html(render(routes.map_spec(q, countries, state, options=opts)))
    assert len(html.encode()) <= 600_000
    data = json.loads(re.search(r"var d = (\{.*?\}), num = ", html).group(1))
    assert len(data["labels"]) == len(data["frames"]) == len(data["counters"])
    assert data["start"] == len(data["frames"]) - 1 and data["acc"] == 1


def test_french_controls_and_periods(env):
    q, countries, opts = env
    with using("fr"):
        state = routes.RoutesState(opts.first_date, opts.last_date, play="quarter")
        spec = routes.map_spec(q, countries, state, options=opts)
        html = map_html(render(spec))
    layer = playback_layer(spec)
    assert layer.labels[0] == "T1 2014" or layer.labels[0].endswith("2014")
    assert "morts et disparus" in layer.counters[-1]
    assert "Lecture" in html or "Lire" in html


def test_deck_plays_an_animated_slide(con):
    q, countries = direct_query(con), countries_of(con)
    b = next(b for b in briefings() if any(s.params.get("play") for s in b.slides))
    deck = briefing_deck(b, q, countries)
    # the map pages are escaped into srcdoc attributes
    assert "&quot;autoplay&quot;:1" in deck
