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
from geo.i18n import _, fmt_date, ngettext
from geo.views import overview

page_header(
    "Arrival Atlas",
    _(
        "Deadly migration routes, camps and sites, growing arrival cities and the UNITAR CIFAL "
        "network, on one map."
    ),
    needs=("incidents", "countries"),
)
view = cache.view(overview.PAGE, None)
sync_url({})  # the Overview has no filters; the map view and layers stay in the URL
h = view.headline
# The two MMP figures carry the longest labels (a date range, a part year).
c1, c2, c3, c4, c5 = st.columns([1.35, 1.45, 1, 1, 0.8])
c1.metric(
    _("Dead and missing since {year}").format(year=f"{h['first_date']:%Y}"),
    fmt(h["dead_and_missing"]),
    help=_("{n} incidents recorded by IOM, {start} to {end}.").format(
        n=fmt(h["incidents"]), start=fmt_date(h["first_date"]), end=fmt_date(h["last_date"])
    ),
)
# The latest year is usually a part year: say where it stops in the label itself.
last = h["last_date"]
part_year = last.year == h["year"] and (last.month, last.day) != (12, 31)
c2.metric(
    (
        _("Dead and missing in {year}, to {day}").format(
            year=f"{h['year']:d}",
            day=overview.day_month(last),  # md: trusted (a date, formatted by the code)
        )
        if part_year
        else _("Dead and missing in {year}").format(year=f"{h['year']:d}")
    ),
    fmt(h["dead_and_missing_year"]),
    help=_("Incidents recorded to {date}; minimum estimates.").format(
        date=fmt_date(h["last_date"])
    ),
)
c3.metric(
    _("Camps and sites"),
    fmt(h["sites"]),
    help=_("{n} open; UNHCR register 2020, NW Syria ISIMM 2020, Cox's Bazar 2020.").format(
        n=fmt(h["sites_open"])
    ),
)
c4.metric(
    _("Arrival cities tracked"),
    fmt(h["cities"]),
    help=_("Urban agglomerations of {n}+ (UN WUP 2018).").format(n=fmt(300_000)),
)
# Active centres, as CIFAL network counts them by default: a terminated centre is on
# the map (as closed) but is no centre a city can turn to.
closed_centres = int(h["cifal_centres"]) - int(h["cifal_active"])
c5.metric(
    _("CIFAL centres"),
    fmt(h["cifal_active"]),
    help=(
        ngettext(
            "{n} active; {closed} closed, drawn on the map as closed and not counted.",
            "{n} active; {closed} closed, drawn on the map as closed and not counted.",
            closed_centres,
        ).format(n=fmt(h["cifal_active"]), closed=fmt(closed_centres))
        if closed_centres
        else _("{n} active.").format(n=fmt(h["cifal_active"]))
    ),
)
mmp_caveat()

layer_picker(view.spec, key="overview")
drawn = show_map(view.spec, key="overview_map")
export_panel("overview", view, drawn)
st.caption(
    _(
        "Circles are incidents binned on a 2° grid and sized by dead and missing; switch layers "
        "on and off with the control at the top right. Route corridors are schematic. Offline "
        "basemap: Natural Earth."
    )
    + (" " + md_plain(unlocated) if (unlocated := view.unlocated_note()) else "")
)
with st.expander(_("Data vintage"), expanded=False):
    data_grid(
        view.vintage[["title", "vintage", "files"]].rename(
            columns={"title": _("Title"), "vintage": _("Vintage"), "files": _("Files")}
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        _("Database built {when}. Details on the Data and sources page.").format(
            when=md_plain(view.vintage["built_at"].iloc[0])
        )
    )
