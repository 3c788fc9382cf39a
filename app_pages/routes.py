"""Deadly routes: where people die on migration routes, when, and of what (IOM MMP)."""

import streamlit as st

from app_pages._ui import (
    data_grid,
    export_panel,
    held,
    held_value,
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
from geo.i18n import N_, _, babel_locale, fmt_date, fmt_int, fmt_num, language, ngettext
from geo.names import cause_name, incident_type_name, region_name
from geo.playback import STEP_CHOICES, STEPS
from geo.views import routes

KEYS = {
    "dates": "routes_dates",
    **{k: f"routes_{k}" for k in routes.LIST_KEYS},
    "play": "routes_play",
}
# The script runs anew for each run of a session, so its constants are in its language.
LABELS = {
    "regions": _("Region"),
    "routes": _("Migration route"),
    "causes": _("Cause of death"),
    "types": _("Incident type"),
}

options, url_state = open_page(
    routes.PAGE,
    _(
        "Where people die or go missing on migration routes, when, and of what: "
        "IOM Missing Migrants Project incidents."
    ),
    needs=("incidents", "countries"),
)
default = routes.RoutesState.defaults(options)


def _widget_values(state: routes.RoutesState) -> dict[str, object]:
    """The filter widgets' values (by key) for a state."""
    values = {KEYS["dates"]: (state.date_from, state.date_to)}
    values.update({KEYS[k]: list(getattr(state, k)) for k in routes.LIST_KEYS})
    values[KEYS["play"]] = state.play or STILL
    return values


STILL = "still"  # the play control's value for the still map (None once deselected)
NAMERS = {"regions": region_name, "causes": cause_name, "types": incident_type_name}
seed_widgets("routes", _widget_values(url_state))  # the URL sets the widgets when the page opens

with st.sidebar:
    st.subheader(_("Filters"))
    dates = st.date_input(
        _("Date range"),
        min_value=options.first_date,
        max_value=options.last_date,
        value=held_value(KEYS["dates"], (options.first_date, options.last_date)),
        format="YYYY-MM-DD",
        key=KEYS["dates"],
        help=_("Incidents between these dates (inclusive)."),
    )
    # Regions, causes and types in the publishers' French or Spanish names where they
    # exist (geo/names.py); the values, the URL and the exports keep the published ones.
    shown = {k: {v: NAMERS.get(k, str)(v) for v in getattr(options, k)} for k in routes.LIST_KEYS}
    chosen = {}
    for k in routes.LIST_KEYS:  # regions come first: the route list follows them
        choices = getattr(options, k)
        help_text = _("An incident matches when any of its values is chosen.")
        if k == "routes" and chosen["regions"]:
            choices = options.routes_in(chosen["regions"], keep=held(KEYS[k]))
            help_text += " " + _("The list shows the routes with incidents in the chosen regions.")
        if k == "types":
            help_text = _(
                "IOM's incident type, as published in its export. IOM's yearly JSON files, "
                "the source of the latest incidents, give no type: there an incident is "
                "“Split Incident” when IOM lists it in several rows, else “Incident”."
            )
        chosen[k] = st.multiselect(
            LABELS[k],
            choices,
            default=held(KEYS[k]),
            key=KEYS[k],
            format_func=lambda v, k=k: shown[k].get(v, v),
            placeholder=_("All"),
            help=help_text,
        )
    st.button(
        _("Reset filters"),
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
# The playback choice is drawn above the map; its value is read here, before the view.
play = st.session_state.get(KEYS["play"]) or STILL
state = routes.RoutesState(d_from, d_to, **chosen, play="" if play == STILL else play)
sync_url(state.to_params(), "routes")  # a copied link reopens this view

view = cache.view(routes.PAGE, state, options)
t = view.headline
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric(_("Incidents"), fmt_int(t["incidents"]))
c2.metric(
    _("Dead and missing"), fmt_int(t["dead_and_missing"]), help=_("Dead plus missing (minimum).")
)
c3.metric(_("Dead"), fmt_int(t["dead"]))
c4.metric(_("Missing"), fmt_int(t["missing"]))
# Most incidents have no survivor count: blank is not zero, so the figure says how many
# incidents it sums, and a view with none reported shows no number.
reported, incidents = int(t["survivors_reported"]), int(t["incidents"])
if not reported:
    survivors_help = _("No incident in this view gives a survivor count.")
elif reported == incidents:
    survivors_help = _("Every incident in this view gives a survivor count.")
else:
    survivors_help = ngettext(
        "{n} of the {m} incidents in this view gives a survivor count; the others give none.",
        "{n} of the {m} incidents in this view give a survivor count; the others give none.",
        reported,
    ).format(n=fmt_int(reported), m=fmt_int(incidents))
c5.metric(_("Survivors"), fmt_int(t["survivors"]) if reported else "–", help=survivors_help)
date_note = view.date_note()  # incidents with only a year: counted or left out
if t["incidents"]:
    located = (
        # English says "of them have" for any count (as it always has)
        ngettext(
            "{n} of them have no usable position and are not on the map.",
            "{n} of them have no usable position and are not on the map.",
            view.unlocated,
        ).format(n=fmt_int(view.unlocated))
        if view.unlocated
        else _("Every one of them has a position and is on the map.")
    )
    st.caption(
        _("Selection: {selection}. First incident {first}, last {last}.").format(
            selection=md_plain(state.describe()),
            first=fmt_date(t["first_date"]),
            last=fmt_date(t["last_date"]),
        )
        + " "
        + located
        + (" " + md_plain(date_note) if date_note else "")
    )
else:
    st.caption(
        _("Selection: {selection}. No incident matches these filters.").format(
            selection=md_plain(state.describe())
        )
        + (" " + md_plain(date_note) if date_note else "")
    )
mmp_caveat()

PLAY_LABELS = {STILL: _("Still map"), **{k: _(v) for k, v in STEP_CHOICES.items()}}
st.segmented_control(
    _("Time playback"),
    list(PLAY_LABELS),
    default=held_value(KEYS["play"], STILL),
    format_func=PLAY_LABELS.get,
    key=KEYS["play"],
    help=_(
        "Play the selection over time on the map: the circles add up period by period "
        "to the running total. Pause, step, or drag the slider on the map to a period."
    ),
)
layer_picker(view.spec, key="routes")
drawn = show_map(view.spec, key="routes_map")
export_panel("routes", view, drawn)
info = view.map_info
if info.playback is not None:
    pb = info.playback
    how = _(
        "Playback by {step}, {first} to {last} ({n} frames) on the {cell}° grid: each "
        "circle is a cell's running total, ringed in black when the period shown adds to "
        "it. Press play on the map, step, or drag the slider. The running total counts "
        "every dated incident of the selection."
    ).format(
        step=md_plain(_(STEPS[pb.step])),
        first=md_plain(pb.first),
        last=md_plain(pb.last),
        n=fmt_int(pb.frames),
        cell=fmt_num(info.cell, 0 if float(info.cell).is_integer() else 1),
    )
    if pb.undated_incidents:
        how += " " + ngettext(
            "{n} undated incident ({dead} dead and missing) has no period and is left out.",
            "{n} undated incidents ({dead} dead and missing) have no period and are left out.",
            pb.undated_incidents,
        ).format(n=fmt_int(pb.undated_incidents), dead=fmt_int(pb.undated_dead_and_missing))
elif info.mode == "incidents":
    how = _(
        "Each circle is one incident ({n}), sized by dead and missing; "
        "click one for its details and source."
    ).format(n=fmt_int(info.circles))
else:
    how = _(
        "Incidents are aggregated on a {cell}° grid ({n} cells), each circle "
        "at the mean position of its incidents and sized by dead and missing; narrow the filters "
        "to {most} incidents or fewer to see single incidents."
    ).format(
        cell=fmt_num(info.cell, 0 if float(info.cell).is_integer() else 1),
        n=fmt_int(info.circles),
        most=fmt_int(routes.DETAIL_MAX),
    )
st.caption(
    how
    + " "
    + _(
        "Grey lines are schematic route corridors, not actual paths; their width follows "
        "dead and missing. Layers can be switched at the top right."
    )
)


def _chart_locale() -> dict | None:
    """The chart's number and month names in this run's language (Vega writes 1,234 and
    Jan 2024 otherwise), from Babel's data; None in English (the chart as it always was)."""
    if language() == "en":
        return None
    loc = babel_locale()
    symbols = loc.number_symbols["latn"]
    months = loc.months["format"]
    days = loc.days["format"]  # Babel counts from Monday, Vega from Sunday
    return dict(
        number={
            "decimal": symbols["decimal"],
            "thousands": symbols["group"],
            "grouping": [3],
            "currency": ["", ""],
        },
        time={
            "dateTime": "%x, %X",
            "date": "%d/%m/%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": [days["wide"][(i + 6) % 7] for i in range(7)],
            "shortDays": [days["abbreviated"][(i + 6) % 7] for i in range(7)],
            "months": [months["wide"][i] for i in range(1, 13)],
            "shortMonths": [months["abbreviated"][i] for i in range(1, 13)],
        },
    )


def _series() -> None:
    grain = "year" if view.grain == "year" else "month"
    st.markdown(
        _("**Dead and missing per year on the deadliest routes**")
        if grain == "year"
        else _("**Dead and missing per month on the deadliest routes**")
    )
    if view.series.empty:
        st.caption(_("No incident on a named route matches these filters."))
    else:
        axis_fmt = "%Y" if grain == "year" else "%b %Y"
        # Vega-Lite's own JSON, not Altair's: Altair built and checked this chart
        # against the whole Vega-Lite schema on every run (12 ms, a tenth of a view's
        # CPU; issue 19). The data goes to the browser as Arrow, as st.altair_chart sends it.
        spec = {
            "mark": {"type": "line", "point": True, "strokeWidth": 2},
            "encoding": {
                "x": {
                    "field": "period",
                    "type": "temporal",
                    "timeUnit": "year" if grain == "year" else "yearmonth",
                    "title": None,
                    "axis": {"format": axis_fmt, "labelAngle": 0},
                },
                "y": {
                    "field": "dead_and_missing",
                    "type": "quantitative",
                    "title": _("Dead and missing"),
                    # Whole people: with a small total, ticks at half steps read
                    # "0, 1, 1, 2, 2, 3, 3" once written as integers.
                    "axis": {"format": ",d", "tickMinStep": 1},
                },
                "color": {
                    "field": "route",
                    "type": "nominal",
                    "title": _("Route"),
                    "sort": view.series["route"].unique().tolist(),
                    "scale": {"scheme": "tableau10"},
                    # below the lines, one route a row: a legend on the right takes
                    # all of a phone's width and leaves the lines none. 360 px holds
                    # the longest route name ("Western Africa / Atlantic route to the
                    # Canary Islands"), which 250 cut short.
                    "legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 360},
                },
                "tooltip": [
                    {"field": "route", "type": "nominal", "title": _("Route")},
                    {
                        "field": "period",
                        "type": "temporal",
                        "title": _("Year") if grain == "year" else _("Month"),
                        "format": axis_fmt,
                    },
                    {
                        "field": "dead_and_missing",
                        "type": "quantitative",
                        "title": _("Dead and missing"),
                        "format": ",",
                    },
                    {
                        "field": "incidents",
                        "type": "quantitative",
                        "title": _("Incidents"),
                        "format": ",",
                    },
                ],
            },
            # the height is the lines' own: fitting legend and all into it (Streamlit's
            # default "fit") leaves the lines a sliver once the legend is below them
            "height": 320,
            "autosize": {"type": "fit-x", "contains": "padding"},
        }
        locale = _chart_locale()
        if locale is not None:
            spec["config"] = {"locale": locale}
        # its table view exports CSV: text that could run as a formula is defused
        st.vega_lite_chart(defuse_formulas(view.series), spec, width="stretch")
        n_routes = view.series["route"].nunique()
        st.caption(
            (
                _(
                    "The route of the selection; an incident on two routes counts on each, "
                    "and incidents with no route given are left out."
                )
                if n_routes == 1
                else _(
                    "The {n} deadliest routes of the selection; an incident on two routes "
                    "counts on each, and incidents with no route given are left out."
                ).format(n=fmt_int(n_routes))
            )
            + (
                " "
                + ngettext(
                    "The {n} incident with only a year, no date, is in no month and is "
                    "left out of this monthly chart.",
                    "The {n} incidents with only a year, no date, are in no month and are "
                    "left out of this monthly chart.",
                    undated,
                ).format(n=fmt_int(undated))
                if grain == "month" and (undated := int(t["undated_incidents"]))
                else ""
            )
            + md_plain(routes.last_period_note(state, options.last_date, view.grain))
        )


def _route_table() -> None:
    rows = view.route_rows
    if rows.empty:
        st.caption(_("No incident matches these filters."))
    else:
        data_grid(
            rows[["route", "incidents", "dead_and_missing", "corridor"]],
            hide_index=True,
            width="stretch",
            height=min(320, 35 * (len(rows) + 1) + 3),
            column_config={
                "route": st.column_config.TextColumn(_("Route"), width="medium"),
                "incidents": st.column_config.NumberColumn(_("Incidents"), format="localized"),
                "dead_and_missing": st.column_config.NumberColumn(
                    _("Dead and missing"), format="localized"
                ),
                "corridor": st.column_config.TextColumn(_("Corridor on the map (schematic)")),
            },
        )
        cov = view.route_coverage
        notes = []
        # English keeps "incidents ... have" for any count (as it always has); other
        # languages take their own plural forms
        if cov["no_route_incidents"]:
            notes.append(
                ngettext(
                    "{n} incidents ({dead} dead and missing) have no route recorded by IOM: "
                    'they are the "{row}" row and are on no corridor.',
                    "{n} incidents ({dead} dead and missing) have no route recorded by IOM: "
                    'they are the "{row}" row and are on no corridor.',
                    int(cov["no_route_incidents"]),
                ).format(
                    n=fmt_int(cov["no_route_incidents"]),
                    dead=fmt_int(cov["no_route_dead_and_missing"]),
                    row=md_plain(_(routes.NO_ROUTE)),
                )
            )
        if cov["multi_route_incidents"]:
            notes.append(
                ngettext(
                    "{n} incidents ({dead} dead and missing) are tagged with several routes and "
                    "count under each, so the rows add up to more than the headline total.",
                    "{n} incidents ({dead} dead and missing) are tagged with several routes and "
                    "count under each, so the rows add up to more than the headline total.",
                    int(cov["multi_route_incidents"]),
                ).format(
                    n=fmt_int(cov["multi_route_incidents"]),
                    dead=fmt_int(cov["multi_route_dead_and_missing"]),
                )
            )
        else:
            notes.append(_("An incident tagged with several routes would count under each."))
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
    # the grid's month names are English: other languages get day/month/year in figures
    "incident_date": st.column_config.DateColumn(
        _("Date"), format="DD MMM YYYY" if language() == "en" else "DD/MM/YYYY"
    ),
    "incident_type": _("Type (IOM)"),
    "location": st.column_config.TextColumn(_("Location"), width="medium"),
    "country": _("Country"),
    "routes": _("Route(s)"),
    "causes": _("Cause(s)"),
    "dead_and_missing": st.column_config.NumberColumn(_("Dead and missing"), format="localized"),
    "dead": st.column_config.NumberColumn(_("Dead"), format="localized"),
    "missing": st.column_config.NumberColumn(_("Missing"), format="localized"),
    "information_source": _("Information source"),
    "url": st.column_config.LinkColumn(_("Link"), display_text=_("source ↗")),
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
        " "
        + ngettext(
            "{n} cumulative tallies ({dead} dead and missing recorded together over weeks or "
            "months, not single events) are not ranked here; they are listed below.",
            "{n} cumulative tallies ({dead} dead and missing recorded together over weeks or "
            "months, not single events) are not ranked here; they are listed below.",
            int(cum["incidents"]),
        ).format(n=fmt_int(cum["incidents"]), dead=fmt_int(cum["dead_and_missing"]))
        if cum["incidents"]
        else ""
    )
    st.caption(
        _("The {n} single incidents with the most dead and missing in the selection.").format(
            n=fmt_int(len(view.deadliest))
        )
        + left_out
        + " "
        + _("Links are shown only for http(s) sources.")
        + " "
        + _("Source: {source}.").format(source=md_plain(credit_for(MMP)))
    )
    if cum["incidents"]:
        st.markdown(_("**Cumulative tallies (not single incidents), ranked separately**"))
        data_grid(
            view.cumulative[DEADLIEST_COLUMNS],
            hide_index=True,
            width="stretch",
            column_config=DEADLIEST_CONFIG,
        )
        st.caption(
            _(
                'IOM "Cumulative Incident" rows: deaths that IOM counted together over a period '
                "(up to a whole year) or an area, not one event."
            )
        )


show_sections(
    {
        N_("Over time"): _series,
        N_("By route"): _route_table,
        N_("Deadliest incidents"): _deadliest,
    },
    drawn,
)
