"""CIFAL network: centres, the arrival cities and route destinations near them, and the
fast-growing arrival cities with no centre within reach."""

import streamlit as st

from app_pages._ui import (
    data_grid,
    export_panel,
    held_index,
    held_value,
    layer_picker,
    md_plain,
    open_page,
    period_slider,
    seed_widgets,
    show_map,
    show_sections,
    sync_url,
)
from geo import cache
from geo.i18n import N_, _, fmt_int
from geo.views import cifal

# The kinds of place cifal_nearby.sql returns, by its own English words.
KINDS = {"arrival city": N_("arrival city"), "route destination": N_("route destination")}

opts, state = open_page(
    cifal.PAGE,
    _(
        "UNITAR's CIFAL training centres for local authorities: which arrival cities and route "
        "destinations lie within reach of a centre, and which fast-growing cities (projected "
        "growth of their whole population, UN WUP 2018) have none."
    ),
    needs=("cifal_centres", "cities", "countries"),
)

# The widgets' keys by state field; they start from the URL (seed_widgets).
KEYS = {
    "radius_km": "cifal_radius",
    "min_population": "cifal_min_population",
    "year": "cifal_year",
    "period": "cifal_period",
    "min_growth_pct": "cifal_min_growth",
    "include_closed": "cifal_closed",
    "near_km": "cifal_near",
    "min_dead": "cifal_min_dead",
    "corridor_km": "cifal_corridor",
}
seed_widgets(
    "cifal",
    {
        key: (state.year_from, state.year_to) if field == "period" else getattr(state, field)
        for field, key in KEYS.items()
    },
)

# The options' labels, made once in this run's language: a widget may call its format_func
# outside the run (Streamlit's AppTest does), where the language would be English.
size_labels = {n: _("{n} people").format(n=fmt_int(n)) for n in cifal.MIN_POPULATIONS}
year_labels = {y: opts.year_label(y) for y in opts.years}
dead_labels = {n: _("any number (no filter)") if n == 0 else fmt_int(n) for n in cifal.MIN_DEAD}
corridor_labels = {
    n: _("any distance (no filter)") if n == 0 else _("{km} km").format(km=fmt_int(n))
    for n in cifal.CORRIDOR_KM
}

c1, c2, c3 = st.columns(3)
radius = c1.select_slider(
    _("Within (km of a centre)"),
    options=cifal.RADII,
    value=held_value(KEYS["radius_km"], cifal.RADII[0], cifal.RADII),
    key=KEYS["radius_km"],
)
min_pop = c2.selectbox(
    _("Cities of at least"),
    cifal.MIN_POPULATIONS,
    index=held_index(KEYS["min_population"], cifal.MIN_POPULATIONS),
    format_func=size_labels.get,
    key=KEYS["min_population"],
)
year = c3.select_slider(
    _("Arrival cities in"),
    options=opts.years,
    value=held_value(KEYS["year"], opts.years[0], opts.years),
    format_func=year_labels.get,
    key=KEYS["year"],
)
c4, c5, c6 = st.columns(3)
y0, y1 = period_slider(
    _("Fast growth between"), opts.years, KEYS["period"], year_labels.get, where=c4
)
growth = c5.select_slider(
    _("Fast growth means at least (%)"),
    options=cifal.GROWTH_THRESHOLDS,
    value=held_value(KEYS["min_growth_pct"], cifal.GROWTH_THRESHOLDS[0], cifal.GROWTH_THRESHOLDS),
    key=KEYS["min_growth_pct"],
)
closed = c6.toggle(
    _("Count closed centres"),
    value=bool(held_value(KEYS["include_closed"], False)),
    key=KEYS["include_closed"],
)
with st.sidebar:
    st.subheader(_("Near deadly routes"))
    near = st.select_slider(
        _("Count dead and missing within (km of the city)"),
        options=cifal.NEAR_KM,
        value=held_value(KEYS["near_km"], cifal.NEAR_KM[0], cifal.NEAR_KM),
        help=_(
            "Missing Migrants Project incidents with coordinates, all years recorded; "
            "minimum estimates."
        ),
        key=KEYS["near_km"],
    )
    min_dead = st.selectbox(
        _("Keep cities with at least (dead and missing)"),
        cifal.MIN_DEAD,
        index=held_index(KEYS["min_dead"], cifal.MIN_DEAD),
        format_func=dead_labels.get,
        key=KEYS["min_dead"],
    )
    corridor = st.selectbox(
        _("Keep cities within (km of a route corridor)"),
        cifal.CORRIDOR_KM,
        index=held_index(KEYS["corridor_km"], cifal.CORRIDOR_KM),
        format_func=corridor_labels.get,
        help=_("Distance to the corridor's line (schematic corridors, data/route_corridors.md)."),
        key=KEYS["corridor_km"],
    )
state = cifal.CifalState(
    radius_km=radius,
    year=year,
    min_population=min_pop,
    year_from=y0,
    year_to=y1,
    min_growth_pct=growth,
    include_closed=closed,
    near_km=near,
    min_dead=min_dead,
    corridor_km=corridor,
)
sync_url(state.to_params(), "cifal")

view = cache.view(cifal.PAGE, state, opts)
h = view.headline
m1, m2, m3, m4 = st.columns(4)
m1.metric(
    _("CIFAL centres"),
    fmt_int(h["centres"]),
    help=(
        _("{n} active and {closed} closed.")
        if closed
        else _("{n} active; {closed} closed, not counted (see “Count closed centres”).")
    ).format(n=fmt_int(h["active"]), closed=fmt_int(h["closed"])),
)
m2.metric(
    _("Cities within reach"),
    fmt_int(h["cities_covered"]),
    help=_("Arrival cities of {min}+ people in {year} within {km} km of a centre.").format(
        min=fmt_int(min_pop), year=int(year), km=int(radius)
    ),
)
m3.metric(
    _("Route ends within reach"),
    _("{reached} of {total}").format(
        reached=fmt_int(h["destinations_reached"]), total=fmt_int(h["destinations"])
    ),
    help=_("Route corridor destination ends within {km} km of a centre.").format(km=int(radius)),
)
GROWS = _(
    "Cities whose total population grows {growth}%+ from {start} to {end} with no "
    "centre within {km} km"
).format(growth=int(growth), start=int(y0), end=int(y1), km=int(radius))
m4.metric(
    _("Fast-growing, no centre"),
    fmt_int(h["uncovered"]),
    help=(
        _("{first}; {second}").format(first=GROWS, second=md_plain(state.deadly_text()))
        if state.deadly_text()
        else GROWS
    )
    + f". {md_plain(view.caveat)}",
)

layer_picker(view.spec, key="cifal")
drawn = show_map(view.spec, key="cifal_map")
export_panel("cifal", view, drawn)
st.caption(
    _(
        "Rings show {km} km around each centre; orange squares are cities of {min}+ people in "
        "{end} that grow at least {growth}% from {start} to {end} with no centre within {km} km"
    ).format(km=int(radius), min=fmt_int(min_pop), end=int(y1), growth=int(growth), start=int(y0))
    + (
        _(" and {filters}").format(filters=md_plain(state.deadly_text()))
        if state.deadly_text()
        else ""
    )
    + ". "
    + _(
        "Dead and missing are Missing Migrants Project incidents recorded within {near} km "
        "of the city; the corridor distance is to the corridor's line. Route destinations are "
        "the ends of schematic corridors. Distances are great-circle (haversine), in whole km; "
        "within {km} km includes {km} km."
    ).format(near=int(near), km=int(radius))
    + " "
    + md_plain(view.caveat)
)


def _coverage() -> None:
    data_grid(
        view.coverage[
            [
                "centre",
                "city",
                "country",
                "active",
                "cities_within",
                "cities_population",
                "destinations_within",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "centre": _("Centre"),
            "city": _("City"),
            "country": _("Country"),
            "active": st.column_config.CheckboxColumn(_("Active")),
            "cities_within": st.column_config.NumberColumn(
                _("Arrival cities ({year})").format(year=opts.year_label(year))
            ),
            "cities_population": st.column_config.NumberColumn(
                _("Their population ({year})").format(year=opts.year_label(year)),
                format="localized",
            ),
            "destinations_within": st.column_config.NumberColumn(_("Route destinations")),
        },
    )


def _within_reach() -> None:
    nearby = view.nearby[["centre", "kind", "place", "country", "population", "distance_km"]]
    # the kinds are the query's own words (cifal_nearby.sql), not data: shown translated
    nearby = nearby.assign(kind=nearby["kind"].map(lambda k: _(KINDS.get(k, k))))
    data_grid(
        nearby,
        hide_index=True,
        width="stretch",
        column_config={
            "centre": _("Centre"),
            "kind": _("Kind"),
            "place": _("Place"),
            "country": _("Country"),
            "population": st.column_config.NumberColumn(
                _("Population {year}").format(year=opts.year_label(year)), format="localized"
            ),
            "distance_km": st.column_config.NumberColumn(_("Distance (km)"), format="%.0f"),
        },
    )


def _uncovered() -> None:
    data_grid(
        view.uncovered[
            [
                "name",
                "country",
                "pop_from",
                "pop_to",
                "growth_pct",
                "nearest_centre",
                "nearest_km",
                "dead_and_missing",
                "incidents",
                "nearest_corridor",
                "corridor_km",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "name": _("City"),
            "country": _("Country"),
            "pop_from": st.column_config.NumberColumn(
                _("Population {year}").format(year=opts.year_label(y0)), format="localized"
            ),
            "pop_to": st.column_config.NumberColumn(
                _("Population {year}").format(year=opts.year_label(y1)), format="localized"
            ),
            "growth_pct": st.column_config.NumberColumn(_("Growth"), format="%.0f%%"),
            "nearest_centre": _("Nearest centre"),
            "nearest_km": st.column_config.NumberColumn(_("Distance (km)"), format="%.0f"),
            "dead_and_missing": st.column_config.NumberColumn(
                _("Dead and missing within {km} km").format(km=near), format="localized"
            ),
            "incidents": st.column_config.NumberColumn(
                _("Incidents within {km} km").format(km=near)
            ),
            "nearest_corridor": _("Nearest route corridor"),
            "corridor_km": st.column_config.NumberColumn(
                _("Corridor distance (km)"), format="%.0f"
            ),
        },
    )
    st.caption(md_plain(view.caveat))


def _centres() -> None:
    data_grid(
        cifal.centres_table(view.centres),
        hide_index=True,
        width="stretch",
        column_config={
            "centre": _("Centre"),
            "city": _("City"),
            "country": _("Country"),
            "host": _("Host"),
            "status": _("Status"),
            "active": st.column_config.CheckboxColumn(_("Active")),
            "source_url": st.column_config.LinkColumn(_("Source"), display_text=_("source")),
            "source_date": st.column_config.DateColumn(_("Source date")),
        },
    )
    st.caption(
        _("Compiled by Arrival Atlas from UNITAR and news pages; see data/cifal_centres.md.")
    )


show_sections(
    {
        N_("Coverage per centre"): _coverage,
        N_("Places within reach"): _within_reach,
        N_("Fast-growing, no centre near"): _uncovered,
        N_("Centres"): _centres,
    },
    drawn,
)
