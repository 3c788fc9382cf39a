"""Deadly routes: where people die on migration routes, when, and of what (IOM MMP)."""

import altair as alt
import streamlit as st

from app_pages._ui import (
    data_grid,
    export_panel,
    fmt,
    layer_picker,
    md_plain,
    mmp_caveat,
    open_page,
    seed_widgets,
    show_map,
    show_sections,
    sync_url,
)
from geo import cache
from geo.catalog import MMP, credit_for
from geo.exports import defuse_formulas
from geo.views import routes

KEYS = {"dates": "routes_dates", **{k: f"routes_{k}" for k in routes.LIST_KEYS}}
LABELS = {
    "regions": "Region",
    "routes": "Migration route",
    "causes": "Cause of death",
    "types": "Incident type",
}

options, url_state = open_page(
    routes.PAGE,
    "Where people die or go missing on migration routes, when, and of what: "
    "IOM Missing Migrants Project incidents.",
    needs=("incidents", "countries"),
)
default = routes.RoutesState.defaults(options)


def _widget_values(state: routes.RoutesState) -> dict[str, object]:
    """The filter widgets' values (by key) for a state."""
    values = {KEYS["dates"]: (state.date_from, state.date_to)}
    values.update({KEYS[k]: list(getattr(state, k)) for k in routes.LIST_KEYS})
    return values


seed_widgets("routes", _widget_values(url_state))  # the URL sets the widgets when the page opens

with st.sidebar:
    st.subheader("Filters")
    dates = st.date_input(
        "Date range",
        min_value=options.first_date,
        max_value=options.last_date,
        format="YYYY-MM-DD",
        key=KEYS["dates"],
        help="Incidents between these dates (inclusive).",
    )
    chosen = {
        k: st.multiselect(
            LABELS[k],
            getattr(options, k),
            key=KEYS[k],
            placeholder="All",
            help="An incident matches when any of its values is chosen." if k != "types" else None,
        )
        for k in routes.LIST_KEYS
    }
    st.button(
        "Reset filters",
        on_click=seed_widgets,
        args=("routes", _widget_values(default)),
        kwargs={"force": True},
        icon=":material/restart_alt:",
    )

if isinstance(dates, tuple | list) and len(dates) == 2:
    d_from, d_to = dates
elif isinstance(dates, tuple | list) and len(dates) == 1:  # second date not picked yet
    d_from = d_to = dates[0]
else:
    d_from, d_to = default.date_from, default.date_to
state = routes.RoutesState(d_from, d_to, **chosen)
sync_url(state.to_params(), "routes")  # a copied link reopens this view

view = routes.PAGE.build(cache.query, cache.basemap(), state, options)
t = view.headline
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Incidents", fmt(t["incidents"]))
c2.metric("Dead and missing", fmt(t["dead_and_missing"]), help="Dead plus missing (minimum).")
c3.metric("Dead", fmt(t["dead"]))
c4.metric("Missing", fmt(t["missing"]))
c5.metric("Survivors", fmt(t["survivors"]), help="Where survivors were reported.")
if t["incidents"]:
    located = (
        f"{fmt(view.unlocated)} of them have no usable position and are not on the map."
        if view.unlocated
        else "Every one of them has a position and is on the map."
    )
    st.caption(
        f"Selection: {md_plain(state.describe())}. First incident {t['first_date']:%d %b %Y}, "
        f"last {t['last_date']:%d %b %Y}. {located}"
    )
else:
    st.caption(f"Selection: {md_plain(state.describe())}. No incident matches these filters.")
mmp_caveat()

layer_picker(view.spec, key="routes")
drawn = show_map(view.spec, key="routes_map")
export_panel("routes", view, drawn)
info = view.map_info
if info.mode == "incidents":
    how = (
        f"Each circle is one incident ({fmt(info.circles)}), sized by dead and missing; "
        "click one for its details and source."
    )
else:
    how = (
        f"Incidents are aggregated on a {info.cell:g}° grid ({fmt(info.circles)} cells), each circle "
        f"at the mean position of its incidents and sized by dead and missing; narrow the filters "
        f"to {fmt(routes.DETAIL_MAX)} incidents or fewer to see single incidents."
    )
st.caption(
    how + " Grey lines are schematic route corridors, not actual paths; their width follows "
    "dead and missing. Layers can be switched at the top right."
)


def _series() -> None:
    grain = "year" if view.grain == "year" else "month"
    st.markdown(f"**Dead and missing per {grain} on the deadliest routes**")
    if view.series.empty:
        st.caption("No incident on a named route matches these filters.")
    else:
        axis_fmt = "%Y" if grain == "year" else "%b %Y"
        chart = (
            alt.Chart(defuse_formulas(view.series))  # its table view exports CSV
            .mark_line(point=True, strokeWidth=2)
            .encode(
                x=alt.X(
                    f"{'year' if grain == 'year' else 'yearmonth'}(period):T",
                    title=None,
                    axis=alt.Axis(format=axis_fmt, labelAngle=0),
                ),
                y=alt.Y("dead_and_missing:Q", title="Dead and missing", axis=alt.Axis(format=",d")),
                color=alt.Color(
                    "route:N",
                    title="Route",
                    sort=view.series["route"].unique().tolist(),
                    scale=alt.Scale(scheme="tableau10"),
                    # below the lines, one route a row: a legend on the right takes
                    # all of a phone's width and leaves the lines none
                    legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=250),
                ),
                tooltip=[
                    alt.Tooltip("route:N", title="Route"),
                    alt.Tooltip("period:T", title=grain.capitalize(), format=axis_fmt),
                    alt.Tooltip("dead_and_missing:Q", title="Dead and missing", format=","),
                    alt.Tooltip("incidents:Q", title="Incidents", format=","),
                ],
            )
            # the height is the lines' own: fitting legend and all into it (Streamlit's
            # default "fit") leaves the lines a sliver once the legend is below them
            .properties(height=320, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
        )
        st.altair_chart(chart, width="stretch")
        n_routes = view.series["route"].nunique()
        st.caption(
            (
                "The route of the selection"
                if n_routes == 1
                else f"The {n_routes:d} deadliest routes of the selection"
            )
            + "; an incident on two routes counts on each, and incidents with no route given are left out."
            + md_plain(routes.last_period_note(state, options.last_date, view.grain))
        )


def _route_table() -> None:
    rows = view.route_rows
    if rows.empty:
        st.caption("No incident matches these filters.")
    else:
        data_grid(
            rows[["route", "incidents", "dead_and_missing", "corridor"]],
            hide_index=True,
            width="stretch",
            height=min(320, 35 * (len(rows) + 1) + 3),
            column_config={
                "route": st.column_config.TextColumn("Route", width="medium"),
                "incidents": st.column_config.NumberColumn("Incidents", format="localized"),
                "dead_and_missing": st.column_config.NumberColumn(
                    "Dead and missing", format="localized"
                ),
                "corridor": st.column_config.TextColumn("Corridor on the map (schematic)"),
            },
        )
        cov = view.route_coverage
        notes = []
        if cov["no_route_incidents"]:
            notes.append(
                f"{fmt(cov['no_route_incidents'])} incidents "
                f"({fmt(cov['no_route_dead_and_missing'])} dead and missing) have no route "
                f'recorded by IOM: they are the "{routes.NO_ROUTE}" row and are on no corridor.'
            )
        if cov["multi_route_incidents"]:
            notes.append(
                f"{fmt(cov['multi_route_incidents'])} incidents "
                f"({fmt(cov['multi_route_dead_and_missing'])} dead and missing) are tagged "
                "with several routes and count under each, so the rows add up to more than "
                "the headline total."
            )
        else:
            notes.append("An incident tagged with several routes would count under each.")
        st.caption(" ".join(notes))


DEADLIEST_COLUMNS = [
    "incident_date",
    "dead_and_missing",
    "incident_type",
    "location",
    "country",
    "routes",
    "causes",
    "url",
    "dead",
    "missing",
    "information_source",
]
DEADLIEST_CONFIG = {
    "incident_date": st.column_config.DateColumn("Date", format="DD MMM YYYY"),
    "incident_type": "Type (IOM)",
    "location": st.column_config.TextColumn("Location", width="medium"),
    "country": "Country",
    "routes": "Route(s)",
    "causes": "Cause(s)",
    "dead_and_missing": st.column_config.NumberColumn("Dead and missing", format="localized"),
    "dead": st.column_config.NumberColumn("Dead", format="localized"),
    "missing": st.column_config.NumberColumn("Missing", format="localized"),
    "information_source": "Information source",
    "url": st.column_config.LinkColumn("Link", display_text="source ↗"),
}


def _deadliest() -> None:
    data_grid(
        view.deadliest[DEADLIEST_COLUMNS],
        hide_index=True,
        width="stretch",
        column_config=DEADLIEST_CONFIG,
    )
    cum = view.cumulative_totals
    left_out = (
        f" {fmt(cum['incidents'])} cumulative tallies ({fmt(cum['dead_and_missing'])} dead "
        "and missing recorded together over weeks or months, not single events) are not "
        "ranked here; they are listed below."
        if cum["incidents"]
        else ""
    )
    st.caption(
        f"The {len(view.deadliest)} single incidents with the most dead and missing in the "
        f"selection.{left_out} Links are shown only for http(s) sources. Source: "
        + md_plain(credit_for(MMP))
        + "."
    )
    if cum["incidents"]:
        st.markdown("**Cumulative tallies (not single incidents), ranked separately**")
        data_grid(
            view.cumulative[DEADLIEST_COLUMNS],
            hide_index=True,
            width="stretch",
            column_config=DEADLIEST_CONFIG,
        )
        st.caption(
            'IOM "Cumulative Incident" rows: deaths that IOM counted together over a period '
            "(up to a whole year) or an area, not one event."
        )


show_sections(
    {"Over time": _series, "By route": _route_table, "Deadliest incidents": _deadliest}, drawn
)
