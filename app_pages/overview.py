"""Overview: headline figures with their caveats, a world map of every layer, data vintage."""

import streamlit as st

from app_pages._ui import (
    data_grid,
    export_panel,
    fmt,
    layer_picker,
    md_plain,
    mmp_caveat,
    page_header,
    show_map,
    sync_url,
)
from geo import cache
from geo.views import overview

page_header(
    "Arrival Atlas",
    "Deadly migration routes, camps and sites, growing arrival cities and the UNITAR CIFAL network, on one map.",
    needs=("incidents", "countries"),
)
view = overview.build(cache.query, cache.basemap())
sync_url({})  # the Overview has no filters; the map view and layers stay in the URL
h = view.headline
# The two MMP figures carry the longest labels (a date range, a part year).
c1, c2, c3, c4, c5 = st.columns([1.35, 1.45, 1, 1, 0.8])
c1.metric(
    f"Dead and missing since {h['first_date']:%Y}",
    fmt(h["dead_and_missing"]),
    help=f"{fmt(h['incidents'])} incidents recorded by IOM, {h['first_date']:%d %b %Y} to {h['last_date']:%d %b %Y}.",
)
# The latest year is usually a part year: say where it stops in the label itself.
last = h["last_date"]
part_year = last.year == h["year"] and (last.month, last.day) != (12, 31)
c2.metric(
    f"Dead and missing in {h['year']:d}" + (f", to {last:%d %b}" if part_year else ""),
    fmt(h["dead_and_missing_year"]),
    help=f"Incidents recorded to {h['last_date']:%d %b %Y}; minimum estimates.",
)
c3.metric(
    "Camps and sites",
    fmt(h["sites"]),
    help=f"{fmt(h['sites_open'])} open; UNHCR register 2020, NW Syria ISIMM 2020, Cox's Bazar 2020.",
)
c4.metric(
    "Arrival cities tracked",
    fmt(h["cities"]),
    help="Urban agglomerations of 300,000+ (UN WUP 2018).",
)
c5.metric("CIFAL centres", fmt(h["cifal_centres"]), help=f"{fmt(h['cifal_active'])} active.")
mmp_caveat()

layer_picker(view.spec, key="overview")
drawn = show_map(view.spec, key="overview_map")
export_panel("overview", view, drawn)
st.caption(
    "Circles are incidents binned on a 2° grid and sized by dead and missing; switch layers on and off "
    "with the control at the top right. Route corridors are schematic. Offline basemap: Natural Earth."
)
with st.expander("Data vintage", expanded=False):
    data_grid(
        view.vintage[["title", "vintage", "files"]].rename(columns=str.capitalize),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        f"Database built {md_plain(view.vintage['built_at'].iloc[0])}. "
        "Details on the Data and sources page."
    )
