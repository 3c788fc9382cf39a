"""CIFAL network: centres, the arrival cities and route destinations near them, and the
fast-growing arrival cities with no centre within reach."""

import streamlit as st

from app_pages._ui import (
    data_grid,
    export_panel,
    fmt,
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
from geo.views import cifal

opts, state = open_page(
    cifal.PAGE,
    "UNITAR's CIFAL training centres for local authorities: which arrival cities and route "
    "destinations lie within reach of a centre, and which fast-growing cities (projected "
    "growth of their whole population, UN WUP 2018) have none.",
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

c1, c2, c3 = st.columns(3)
radius = c1.select_slider("Within (km of a centre)", options=cifal.RADII, key=KEYS["radius_km"])
min_pop = c2.selectbox(
    "Cities of at least",
    cifal.MIN_POPULATIONS,
    format_func=lambda n: f"{n:,} people",
    key=KEYS["min_population"],
)
year = c3.select_slider(
    "Arrival cities in", options=opts.years, format_func=opts.year_label, key=KEYS["year"]
)
c4, c5, c6 = st.columns(3)
y0, y1 = period_slider("Fast growth between", opts.years, KEYS["period"], opts.year_label, where=c4)
growth = c5.select_slider(
    "Fast growth means at least (%)", options=cifal.GROWTH_THRESHOLDS, key=KEYS["min_growth_pct"]
)
closed = c6.toggle("Count closed centres", key=KEYS["include_closed"])
with st.sidebar:
    st.subheader("Near deadly routes")
    near = st.select_slider(
        "Count dead and missing within (km of the city)",
        options=cifal.NEAR_KM,
        help="Missing Migrants Project incidents with coordinates, all years recorded; "
        "minimum estimates.",
        key=KEYS["near_km"],
    )
    min_dead = st.selectbox(
        "Keep cities with at least (dead and missing)",
        cifal.MIN_DEAD,
        format_func=lambda n: "any number (no filter)" if n == 0 else f"{n:,}",
        key=KEYS["min_dead"],
    )
    corridor = st.selectbox(
        "Keep cities within (km of a route corridor)",
        cifal.CORRIDOR_KM,
        format_func=lambda n: "any distance (no filter)" if n == 0 else f"{n:,} km",
        help="Distance to the corridor's line (schematic corridors, data/route_corridors.md).",
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

view = cifal.PAGE.build(cache.query, cache.basemap(), state, opts)
h = view.headline
m1, m2, m3, m4 = st.columns(4)
m1.metric("CIFAL centres", fmt(h["centres"]), help=f"{fmt(h['active'])} active.")
m2.metric(
    "Cities within reach",
    fmt(h["cities_covered"]),
    help=f"Arrival cities of {min_pop:,}+ people in {year:d} within {radius:d} km of a centre.",
)
m3.metric(
    "Route ends within reach",
    f"{fmt(h['destinations_reached'])} of {fmt(h['destinations'])}",
    help=f"Route corridor destination ends within {radius:d} km of a centre.",
)
m4.metric(
    "Fast-growing, no centre",
    fmt(h["uncovered"]),
    help=f"Cities whose total population grows {growth:d}%+ from {y0:d} to {y1:d} with no "
    f"centre within {radius:d} km"
    + (f"; {md_plain(state.deadly_text())}" if state.deadly_text() else "")
    + f". {md_plain(view.caveat)}",
)

layer_picker(view.spec, key="cifal")
drawn = show_map(view.spec, key="cifal_map")
export_panel("cifal", view, drawn)
st.caption(
    f"Rings show {radius:d} km around each centre; orange circles are cities of {min_pop:,}+ "
    f"people in {y1:d} that grow at least {growth:d}% from {y0:d} to {y1:d} with no centre "
    f"within {radius:d} km"
    + (f" and {md_plain(state.deadly_text())}" if state.deadly_text() else "")
    + f". Dead and missing are Missing Migrants Project incidents recorded within {near:d} km "
    "of the city; the corridor distance is to the corridor's line. Route destinations are "
    "the ends of schematic corridors. Distances are great-circle (haversine), in whole km; "
    f"within {radius:d} km includes {radius:d} km. " + md_plain(view.caveat)
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
            "centre": "Centre",
            "city": "City",
            "country": "Country",
            "active": st.column_config.CheckboxColumn("Active"),
            "cities_within": st.column_config.NumberColumn(
                f"Arrival cities ({opts.year_label(year)})"
            ),
            "cities_population": st.column_config.NumberColumn(
                f"Their population ({opts.year_label(year)})", format="localized"
            ),
            "destinations_within": st.column_config.NumberColumn("Route destinations"),
        },
    )


def _within_reach() -> None:
    data_grid(
        view.nearby[["centre", "kind", "place", "country", "population", "distance_km"]],
        hide_index=True,
        width="stretch",
        column_config={
            "centre": "Centre",
            "kind": "Kind",
            "place": "Place",
            "country": "Country",
            "population": st.column_config.NumberColumn(
                f"Population {opts.year_label(year)}", format="localized"
            ),
            "distance_km": st.column_config.NumberColumn("Distance (km)", format="%.0f"),
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
            "name": "City",
            "country": "Country",
            "pop_from": st.column_config.NumberColumn(
                f"Population {opts.year_label(y0)}", format="localized"
            ),
            "pop_to": st.column_config.NumberColumn(
                f"Population {opts.year_label(y1)}", format="localized"
            ),
            "growth_pct": st.column_config.NumberColumn("Growth", format="%.0f%%"),
            "nearest_centre": "Nearest centre",
            "nearest_km": st.column_config.NumberColumn("Distance (km)", format="%.0f"),
            "dead_and_missing": st.column_config.NumberColumn(
                f"Dead and missing within {near} km", format="localized"
            ),
            "incidents": st.column_config.NumberColumn(f"Incidents within {near} km"),
            "nearest_corridor": "Nearest route corridor",
            "corridor_km": st.column_config.NumberColumn("Corridor distance (km)", format="%.0f"),
        },
    )
    st.caption(md_plain(view.caveat))


def _centres() -> None:
    data_grid(
        cifal.centres_table(view.centres),
        hide_index=True,
        width="stretch",
        column_config={
            "centre": "Centre",
            "city": "City",
            "country": "Country",
            "host": "Host",
            "status": "Status",
            "active": st.column_config.CheckboxColumn("Active"),
            "source_url": st.column_config.LinkColumn("Source", display_text="source"),
            "source_date": st.column_config.DateColumn("Source date"),
        },
    )
    st.caption("Compiled by Arrival Atlas from UNITAR and news pages; see data/cifal_centres.md.")


show_sections(
    {
        "Coverage per centre": _coverage,
        "Places within reach": _within_reach,
        "Fast-growing, no centre near": _uncovered,
        "Centres": _centres,
    },
    drawn,
)
