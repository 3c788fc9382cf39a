"""Deadly routes: IOM Missing Migrants Project incidents filtered by date, region, route,
cause of death and incident type; headline figures, a map (grid bins, or individual
incidents once the filtered set is small, with schematic route corridors), dead and
missing over time per route, and the deadliest incidents.

Filter values reach DuckDB only as bound parameters of the queries in ``queries/``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import folium
import numpy as np
import pandas as pd

from geo import maps
from geo import mapspec as ms
from geo.catalog import MMP, MMP_CAVEAT
from geo.i18n import N_, _, fmt_date, fmt_int, fmt_month, fmt_num, ngettext
from geo.maps import (
    REDS,
    WORLD_BOUNDS,
    Circle,
    class_index,
    escape,
    http_url,
    nice_breaks,
    radius_for,
    safe_link,
)
from geo.names import joined_names, names_of
from geo.playback import PLAY_KEY, STEPS, PlaybackInfo, active_legend_item, incident_playback
from geo.rows import records, tuples
from geo.textmap import where
from geo.views import Query, link_value, link_values, memo, parse_day, parse_list
from geo.views.page import (
    PLACES,
    MapView,
    Page,
    PageExport,
    Place,
    period_tag,
    positions,
    tag_values,
)

DETAIL_MAX = 500  # at most this many located incidents: draw each one, with a popup
POINTS_BUDGET = 180_000  # bytes of incident data; above it, bins are drawn instead
MAX_BINS = 1500  # coarsen the grid beyond this many bins (payload budget)
LEGEND_PAD = (250, 10)  # pixels kept free on the right of a fitted view (legend, layers)
TOP_ROUTES = 6
DEADLIEST = 25
TEXT_MAX = 140  # long location / source texts are clipped in popups
# The map's text summary (the screen reader's map, and the exports' table) gives a place
# whole: the source's longest location is 477 characters, and 4,332 of 20,044 run past
# 80, where the table had cut them. The cap only guards against a damaged file.
PLACE_MAX = 600
CORRIDOR_COLOR = "#37474f"
BINS_LAYER = N_("Dead and missing, binned (IOM MMP)")
POINTS_LAYER = N_("Incidents (IOM MMP)")
CORRIDOR_LAYER = N_("Route corridors (schematic)")
INCIDENTS_KEY = "incidents"
# The corridors' id in the picker and links: the English name's slug, in every language.
CORRIDORS_KEY = ms.slug(CORRIDOR_LAYER)
LIST_KEYS = ("regions", "routes", "causes", "types")
# The filters whose values have the publishers' names in French and Spanish (geo/names.py)
KINDS = {"regions": "region", "causes": "cause", "types": "type"}


# --------------------------------------------------------------------------- state


@dataclass(frozen=True)
class RoutesOptions:
    """What the filters can take: the data's date bounds and the values present."""

    first_date: date
    last_date: date
    regions: list[str]
    routes: list[str]
    causes: list[str]
    types: list[str]
    # region -> the routes its incidents are on (``route_regions``)
    region_routes: dict[str, frozenset[str]] = field(default_factory=dict)
    # the windows of days of the incidents with only a year (``undated_spans``)
    undated_spans: tuple[tuple[date, date], ...] = ()

    def cuts_undated(self, date_from: date, date_to: date) -> bool:
        """Whether a date range covers part, not all, of the window of some incident
        with only a year: such incidents are left out, and the page says so."""
        return any(
            hi >= date_from and lo <= date_to and not (lo >= date_from and hi <= date_to)
            for lo, hi in self.undated_spans
        )

    def routes_in(self, regions: Sequence[str], keep: Sequence[str] = ()) -> list[str]:
        """The route choices for a region filter: the routes with incidents in any of
        ``regions`` (every route when none is chosen), in the order of :attr:`routes`,
        and the routes in ``keep`` (already chosen) wherever they are, so narrowing the
        list never drops what the user picked.

        Parameters
        ----------
        regions : sequence of str
            The chosen regions (empty for all).
        keep : sequence of str
            Routes to offer in any case.
        """
        if not regions:
            return list(self.routes)
        found = set(keep).union(*(self.region_routes.get(r, ()) for r in regions))
        return [r for r in self.routes if r in found] + [r for r in keep if r not in self.routes]


def options(q: Query) -> RoutesOptions:
    """The filter choices of the database (``incident_date_range``, ``incident_options``,
    ``route_regions``, ``undated_spans``)."""
    span = q("incident_date_range").iloc[0]
    opts = q("incident_options")
    pairs = q("route_regions")
    undated = q("undated_spans")

    def of(kind: str) -> list[str]:
        return opts.loc[opts["kind"] == kind, "value"].tolist()

    return RoutesOptions(
        first_date=_as_date(span["first_date"]),
        last_date=_as_date(span["last_date"]),
        regions=of("region"),
        routes=of("route"),
        causes=of("cause"),
        types=of("type"),
        region_routes={
            region: frozenset(group["route"])
            for region, group in pairs.groupby("region", sort=False)
        },
        undated_spans=tuple(
            (_as_date(lo), _as_date(hi))
            for lo, hi in zip(undated["date_lo"], undated["date_hi"], strict=True)
        ),
    )


@dataclass(frozen=True)
class RoutesState:
    """The page's filters. Empty lists mean "all"."""

    date_from: date
    date_to: date
    regions: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    # time playback's step ('month', 'quarter', 'year'; '' = the still map): how the
    # map shows the selection, not a filter (no query's figure depends on it)
    play: str = ""

    @classmethod
    def defaults(cls, options: RoutesOptions) -> RoutesState:
        """Every incident of the database."""
        return cls(options.first_date, options.last_date)

    @classmethod
    def from_params(
        cls, params: Mapping[str, str], options: RoutesOptions
    ) -> tuple[RoutesState, list[str]]:
        """The state a URL's query parameters describe.

        Invalid values fall back to the default (all dates, all values) and are listed
        in the notes; unknown parameters are left to other code and not reported.

        Returns
        -------
        (RoutesState, notes) : notes are short plain-text descriptions of what was ignored.
        """
        notes: list[str] = []
        lo, hi = options.first_date, options.last_date
        d_from, ok_from = parse_day(_str(params.get("from")), lo, lo, hi)
        d_to, ok_to = parse_day(_str(params.get("to")), hi, lo, hi)
        # the notes quote the link as written: its parameter names and ISO dates
        if not ok_from:
            notes.append(
                _("from={value} (a date from {first} to {last} expected)").format(
                    value=link_value(params.get("from")), first=lo, last=hi
                )
            )
        if not ok_to:
            notes.append(
                _("to={value} (a date from {first} to {last} expected)").format(
                    value=link_value(params.get("to")), first=lo, last=hi
                )
            )
        if d_from > d_to:
            notes.append(
                _("from={start} is after to={end} (dates reset)").format(start=d_from, end=d_to)
            )
            d_from, d_to = lo, hi
        lists = {}
        for key in LIST_KEYS:
            ok, bad = parse_list(_str(params.get(key)), getattr(options, key))
            lists[key] = list(dict.fromkeys(ok))
            if bad:
                notes.append(
                    _("{key}: {values} (not in the data)").format(
                        key=key, values=link_values(bad, quoted=False)
                    )
                )
        play = _str(params.get(PLAY_KEY)) or ""
        if play and play not in STEPS:
            notes.append(
                _("play={value} (month, quarter or year expected)").format(value=link_value(play))
            )
            play = ""
        return cls(d_from, d_to, **lists, play=play), notes

    def to_params(self) -> dict[str, str]:
        """Query parameters that reopen this state (lists joined by '|', dates ISO)."""
        out = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        for key in LIST_KEYS:
            values = getattr(self, key)
            if values:
                out[key] = "|".join(values)
        if self.play:
            out[PLAY_KEY] = self.play
        return out

    def query_params(self) -> dict:
        """The bound parameters of the filtered-incident queries."""
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "regions": list(self.regions),
            "routes": list(self.routes),
            "causes": list(self.causes),
            "types": list(self.types),
        }

    def is_default(self, options: RoutesOptions) -> bool:
        """Every incident selected (played or not)."""
        return replace(self, play="") == RoutesState.defaults(options)

    def describe(self) -> str:
        """One line saying what the filters select (for captions and the legend)."""
        parts = [
            _("{start} to {end}").format(start=fmt_date(self.date_from), end=fmt_date(self.date_to))
        ]
        for key in LIST_KEYS:
            values = getattr(self, key)
            if values:
                shown = names_of(KINDS[key], values) if key in KINDS else values
                parts.append(", ".join(shown) if len(values) <= 2 else _counted(key, len(values)))
        # i18n: between the parts of a selection ("01 Jan 2014 to 08 Sep 2025; Drowning")
        return _("; ").join(parts)


def _counted(key: str, n: int) -> str:
    """'3 routes': how many values of a list filter are chosen (a sentence's words)."""
    if key == "regions":
        text = ngettext("{n} region", "{n} regions", n)
    elif key == "routes":
        text = ngettext("{n} route", "{n} routes", n)
    elif key == "causes":
        text = ngettext("{n} cause", "{n} causes", n)
    else:
        text = ngettext("{n} type", "{n} types", n)
    return text.format(n=fmt_int(n))


def _str(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, list | tuple):  # st.query_params.to_dict() gives the last value
        v = v[-1] if v else ""
    return str(v)


def _as_date(v) -> date:
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v


# --------------------------------------------------------------------------- map


# Individual incidents are drawn by the renderer's incidents kind of circle layer (a
# circle layer with a ``popup_format``); the folium class, for tests and callers.
IncidentLayer = maps.IncidentLayer


CUMULATIVE_NOTE = N_("(cumulative tally over a period, not one incident)")
# Values: 0 date, 1 dead and missing, 2 dead, 3 missing, 4 survivors, 5 cause,
# 6 location, 7 country, 8 route(s), 9 information source, 10 link, 11 the tally note
# ('' for an incident; a cumulative tally must not read as one event on the map either).
# The formats are translated where the map is made (``_(TIP_FORMAT)``, :func:`popup_format`).
TIP_FORMAT = N_("<b>{1} dead and missing</b>{11}<br>{0}, {6}")
POPUP_TEXT = N_(
    "<b>{0}</b> · {8}<br>{6}, {7}<br>"
    "<b>{1} dead and missing</b>{11} (dead {2}, missing {3}); survivors {4}<br>"
    "Cause: {5}<br>Source: {9} {10}"
)
POPUP_BOX = '<div style="font-size:12px;line-height:1.4">{}</div>'
POPUP_FORMAT = POPUP_BOX.format(POPUP_TEXT)  # in English


def popup_format() -> str:
    """The popup format of an incident in this run's language (see ``POPUP_TEXT``)."""
    return POPUP_BOX.format(_(POPUP_TEXT))


def _text(v, n: int = TEXT_MAX, empty: str | None = None) -> str:
    """Escaped, whitespace-collapsed text clipped to ``n`` characters; ``empty`` (default
    "not given") when there is none."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "":
        return _("not given") if empty is None else empty
    s = " ".join(str(v).split())
    return escape(s if len(s) <= n else s[: n - 1] + "…")


def _num(v, empty: str | None = None) -> str:
    """A count as the language writes it; ``empty`` (default "not reported") when none."""
    if v is None or pd.isna(v):
        return _("not reported") if empty is None else empty
    return fmt_int(int(v))


def popup_values(row: Mapping) -> tuple[str, ...]:
    """The escaped values of one incident's tooltip and popup (see ``POPUP_TEXT``)."""
    d = row.get("incident_date")
    day = (
        fmt_date(d)
        if d is not None and not pd.isna(d)
        else _("{year} (no date)").format(year=row.get("year", ""))
    )
    cumulative = "cumulative" in str(row.get("incident_type") or "").lower()
    return (
        escape(day),
        _num(row.get("dead_and_missing"), "0"),
        _num(row.get("dead"), "0"),
        _num(row.get("missing"), "0"),
        _num(row.get("survivors")),
        _text(joined_names("cause", row.get("causes"))),  # the publisher's name, then escaped
        _text(row.get("location"), empty=_("location not given")),
        _text(row.get("country"), 60, empty=_("country not given")),
        _text(row.get("routes"), 80, empty=_("no route given")),
        _text(row.get("information_source")),
        safe_link(row.get("url"), _("link")),
        f" <i>{_(CUMULATIVE_NOTE)}</i>" if cumulative else "",
    )


def incident_popup(row: Mapping) -> str:
    """The popup HTML of one incident (what the browser builds from ``popup_values``)."""
    return popup_format().format(*popup_values(row))


def choose_cell(extent: pd.Series | None) -> float:
    """Grid cell (degrees) for the filtered extent: 2° for the world, down to 0.5°."""
    if extent is None or not extent["located"]:
        return 2.0
    span = max(
        float(extent["p_max_lat"] - extent["p_min_lat"]),
        float(extent["p_max_lon"] - extent["p_min_lon"]) / 1.5,
    )
    if span > 60:
        return 2.0
    if span > 20:
        return 1.0
    return 0.5


# The smallest view the map fits to (degrees of latitude, longitude): about 900 x 1,300
# km near the Mediterranean, zoom 5-6 on the page's map.
MIN_VIEW_DEG = (8.0, 12.0)


def _padded(lo: float, hi: float, min_pad: float, min_span: float) -> tuple[float, float]:
    """An extent padded by 8 % (at least ``min_pad``), then widened about its middle to
    at least ``min_span`` (degrees)."""
    pad = max(min_pad, (hi - lo) * 0.08)
    lo, hi = lo - pad, hi + pad
    if hi - lo < min_span:
        mid = (hi + lo) / 2
        lo, hi = mid - min_span / 2, mid + min_span / 2
    return lo, hi


def view_bounds(extent: pd.Series | None, world: bool) -> list[list[float]]:
    """[[south, west], [north, east]] to fit: the world, or the incidents' extent."""
    if world or extent is None or not extent["located"]:
        return [list(b) for b in WORLD_BOUNDS]
    robust = extent["located"] > 200
    s, n = (
        (extent["p_min_lat"], extent["p_max_lat"])
        if robust
        else (extent["min_lat"], extent["max_lat"])
    )
    w, e = (
        (extent["p_min_lon"], extent["p_max_lon"])
        if robust
        else (extent["min_lon"], extent["max_lon"])
    )
    # A few incidents close together (one, or a boat's wreck and its survivors' landing)
    # would be fitted to a box of a few km: the view keeps a region around them, so a
    # reader sees the coast and the countries they lie between.
    s, n = _padded(float(s), float(n), 1.0, MIN_VIEW_DEG[0])
    w, e = _padded(float(w), float(e), 1.5, MIN_VIEW_DEG[1])
    return [[max(-80.0, s), max(-180.0, w)], [min(85.0, n), min(180.0, e)]]


@dataclass
class MapInfo:
    """How the map was drawn (for captions and tests)."""

    mode: str  # 'bins' or 'incidents'
    cell: float | None
    circles: int
    dead_and_missing: int  # total drawn as circles
    bounds: list[list[float]]
    playback: PlaybackInfo | None = None  # the frames, when the map plays over time


def corridor_layer(q: Query, params: dict) -> tuple[ms.LineLayer, pd.DataFrame, float]:
    """Schematic corridors of the filtered routes, width by dead and missing.

    Returns the layer, the routes drawn (rows of ``route_totals``) and their maximum.
    """
    routes = q("route_totals", **params)
    drawn = routes.dropna(subset=["geometry"])
    vmax = float(drawn["dead_and_missing"].max()) if len(drawn) else 1.0
    lines = []
    for r in tuples(drawn):
        coords = [[lat, lon] for lon, lat in json.loads(r.geometry)["coordinates"]]
        dm = int(r.dead_and_missing or 0)
        lines.append(
            ms.Line(
                coords,
                weight=corridor_weight(dm, vmax),
                color=CORRIDOR_COLOR,
                tooltip=(
                    _("<b>{route}</b> (schematic corridor)").format(route=escape(r.route))
                    + f"<br>{escape(r.origin_label)} → {escape(r.destination_label)}<br>"
                    # English says "incidents" whatever the count (as it always has);
                    # other languages take their own plural forms
                    + ngettext(
                        "{dead} dead and missing in {n} incidents",
                        "{dead} dead and missing in {n} incidents",
                        int(r.incidents),
                    ).format(dead=fmt_int(dm), n=fmt_int(r.incidents))
                ),
            )
        )
    # the deaths in the tooltips are MMP's
    layer = ms.LineLayer(
        name=_(CORRIDOR_LAYER),
        key=CORRIDORS_KEY,
        datasets=("route_corridors", *MMP),
        lines=lines,
        table=corridor_table(drawn),
    )
    return layer, drawn, vmax


def corridor_table(drawn: pd.DataFrame) -> ms.LayerTable:
    """The corridors drawn (rows of ``route_totals``) as plain text: the map's text twin.

    The summary names the widest and adds nothing up: an incident can lie on two routes.
    """
    return ms.LayerTable(
        [_("Route"), _("From"), _("To"), _("Dead and missing"), _("Incidents")],
        [
            (
                r.route,
                r.origin_label,
                r.destination_label,
                int(r.dead_and_missing or 0),
                int(r.incidents),
            )
            for r in tuples(drawn)
        ],
        measure=3,
        sentence=ngettext(
            "{n} schematic route corridor; the widest, {top}, stands for {top_value} dead "
            "and missing.",
            "{n} schematic route corridors; the widest, {top}, stands for {top_value} dead "
            "and missing.",
            len(drawn),
        ),
    )


def incident_table(pts: pd.DataFrame) -> ms.LayerTable:
    """Single incidents drawn (rows of ``incident_points``) as plain text."""

    def text(v, n: int = 80) -> str | None:
        if v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "":
            return None
        s = " ".join(str(v).split())
        return s if len(s) <= n else s[: n - 1] + "…"

    rows = []
    for r in records(pts):
        d = r.get("incident_date")
        rows.append(
            (
                text(r.get("location"), PLACE_MAX) or _("location not given"),
                fmt_date(d) if d is not None and not pd.isna(d) else str(r.get("year", "")),
                int(r.get("dead_and_missing") or 0),
                None if pd.isna(r.get("dead")) else int(r["dead"]),
                None if pd.isna(r.get("missing")) else int(r["missing"]),
                text(joined_names("cause", r.get("causes"))),
                text(r.get("country"), 60),
                text(r.get("routes")),
            )
        )
    return ms.LayerTable(
        [
            _("Place"),
            _("Date"),
            _("Dead and missing"),
            _("Dead"),
            _("Missing"),
            _("Cause"),
            _("Country"),
            _("Route"),
        ],
        rows,
        measure=2,
        sentence=ngettext(
            "{n} incident with {total} dead and missing (minimum); the deadliest, {top} "
            "({top_row[1]}), counts {top_value}.",
            "{n} incidents with {total} dead and missing (minimum); the deadliest, {top} "
            "({top_row[1]}), counts {top_value}.",
            len(rows),
        ),
    )


def corridor_legend(cmax: float, px: float = 5, width: float = 20) -> ms.LegendItem:
    """The corridors' legend line."""
    return ms.stroke(
        CORRIDOR_COLOR,
        _("route corridor, schematic (width by dead and missing, up to {n})").format(
            n=fmt_int(int(cmax))
        ),
        px=px,
        width=width,
    )


def corridor_weight(dead_and_missing: float, vmax: float) -> float:
    """Line width in pixels: 1.5 px plus up to 10 px, by the square root of the share."""
    if vmax <= 0:
        return 1.5
    return round(1.5 + 10 * (max(0.0, dead_and_missing) / vmax) ** 0.5, 1)


def incident_bin_layer(
    bins: pd.DataFrame, name: str, *, hint: str = "", key: str = ""
) -> tuple[ms.CircleLayer, list[float]]:
    """Circles for the rows of ``incident_bins``: area by dead and missing, colour by class.

    Returns the layer and its class breaks (for the legend).
    """
    breaks = nice_breaks(bins["dead_and_missing"].tolist())
    vmax = float(bins["dead_and_missing"].max() or 1) if len(bins) else 1.0
    no_route = _("no route given")
    circles = [
        Circle(
            r.lat,
            r.lon,
            radius_for(r.dead_and_missing, vmax, min_px=2.5, max_px=26),
            class_index(r.dead_and_missing, breaks),
            values=(
                int(r.dead_and_missing),
                int(r.incidents),
                _years(r.first_date, r.last_date),
                escape(r.top_route) if isinstance(r.top_route, str) else no_route,
                int(r.dead),
                int(r.missing),
            ),
        )
        for r in tuples(bins)
    ]
    tip = _(
        "<b>{0} dead and missing</b> (minimum)<br>{4} dead, {5} missing<br>"
        "{1} incidents, {2}<br>Main route: {3}"
    )
    if hint:
        tip += f"<br><i>{escape(hint)}</i>"
    table = ms.LayerTable(
        [
            _("Cell"),
            _("Dead and missing"),
            _("Dead"),
            _("Missing"),
            _("Incidents"),
            _("Years"),
            _("Main route"),
        ],
        [
            (
                where(r.lat, r.lon),
                int(r.dead_and_missing),
                int(r.dead),
                int(r.missing),
                int(r.incidents),
                _years(r.first_date, r.last_date),
                r.top_route if isinstance(r.top_route, str) else no_route,
            )
            for r in tuples(bins)
        ],
        measure=1,
        sentence=ngettext(
            "{n} grid cell holds {total} dead and missing (minimum); the largest, around "
            "{top}, holds {top_value} (main route: {top_row[6]}).",
            "{n} grid cells hold {total} dead and missing (minimum); the largest, around "
            "{top}, holds {top_value} (main route: {top_row[6]}).",
            len(bins),
        ),
    )
    layer = ms.CircleLayer(
        name=name,
        key=key,
        datasets=MMP,
        circles=circles,
        colors=REDS,
        stroke="#7f0000",
        tooltip_format=tip,
        table=table,
    )
    return layer, breaks


def build_map(
    q: Query,
    countries: dict,
    state: RoutesState,
    *,
    options: RoutesOptions | None = None,
    detail_max: int = DETAIL_MAX,
) -> folium.Map:
    """The Deadly routes map for a filter state (:func:`map_spec`, rendered).

    Returns
    -------
    folium.Map
        Nothing else: the :class:`MapInfo` (mode, cell, totals drawn) is the
        description's ``info`` (:func:`map_spec`).
    """
    return maps.render(map_spec(q, countries, state, options=options, detail_max=detail_max))


def map_spec(
    q: Query,
    countries: dict,
    state: RoutesState,
    *,
    options: RoutesOptions | None = None,
    detail_max: int = DETAIL_MAX,
) -> ms.MapSpec:
    """The description of the Deadly routes map for a filter state.

    Incidents are binned server-side (``incident_bins``) on a grid chosen from the
    filtered extent, or drawn one by one with popups (``incident_points``) when at most
    ``detail_max`` filtered incidents have a position. Route corridors
    (``route_totals``) are schematic lines whose width follows dead and missing.

    Returns
    -------
    MapSpec
        Its ``info`` is the :class:`MapInfo` (mode, cell, totals drawn).
    """
    params = state.query_params()
    # where the incidents with a position lie (incident_totals' extent; its ``mapped``)
    extent = q("incident_totals", **params).iloc[0].drop("located").rename({"mapped": "located"})
    located = int(extent["located"])
    world = options is not None and state.is_default(options)
    bounds = view_bounds(extent, world)
    # A zoomed view keeps the incidents clear of the legend and layer control on the right.
    fit = None if bounds == [list(b) for b in WORLD_BOUNDS] else ms.Fit((10, 10), LEGEND_PAD, 9)

    corridors, drawn, cmax = corridor_layer(q, params)

    layer = None
    if 0 < located <= detail_max and not state.play:  # playback runs on the grid
        pts = q("incident_points", limit=detail_max, **params)
        breaks = nice_breaks(pts["dead_and_missing"].tolist())
        vmax = float(pts["dead_and_missing"].max() or 1)
        circles = [
            Circle(
                r["lat"],
                r["lon"],
                radius_for(r["dead_and_missing"], vmax, min_px=4, max_px=20),
                class_index(r["dead_and_missing"], breaks),
                values=popup_values(r),
            )
            for r in records(pts)
        ]
        layer = ms.CircleLayer(
            name=_(POINTS_LAYER),
            key=INCIDENTS_KEY,
            datasets=MMP,
            circles=circles,
            colors=REDS,
            stroke="#7f0000",
            tooltip_format=_(TIP_FORMAT),
            popup_format=popup_format(),
            table=incident_table(pts),
        )
        unit_title = _("Dead and missing per incident")
        info = MapInfo("incidents", None, len(circles), int(pts["dead_and_missing"].sum()), bounds)
        if maps.weighed_layer(layer).payload > POINTS_BUDGET:
            layer = None  # unusually long texts: bins keep the page within budget
    if layer is None:
        cell = choose_cell(extent)
        bins = q("incident_bins", cell=cell, **params)
        while len(bins) > MAX_BINS and cell < 8:
            cell *= 2
            bins = q("incident_bins", cell=cell, **params)
        layer, breaks = incident_bin_layer(
            bins,
            _("{layer}, {cell} grid").format(layer=_(BINS_LAYER), cell=_deg(cell)),
            hint=_("zoom in or narrow the filters to see single incidents"),
            key=INCIDENTS_KEY,  # bins or single incidents: one layer to the picker and link
        )
        circles = layer.circles
        unit_title = _("Dead and missing per {cell} cell").format(cell=_deg(cell))
        info = MapInfo("bins", cell, len(circles), int(bins["dead_and_missing"].sum() or 0), bounds)
        if state.play:
            layer, info.playback = incident_playback(
                q,
                params,
                cell=cell,
                step=state.play,
                still=layer,
                breaks=breaks,
                name=_("{layer}, {cell} grid, by {step}").format(
                    layer=_(BINS_LAYER), cell=_deg(cell), step=_(STEPS[state.play])
                ),
            )
            unit_title = _("Dead and missing per {cell} cell, running total").format(
                cell=_deg(cell)
            )
    # Lines above the binned circles stay visible at world zoom; single incidents stay
    # clickable above the lines.
    layers = [layer, corridors] if info.mode == "bins" else [corridors, layer]

    # Each item names its layer: a picture with that layer hidden leaves it out.
    items = [
        replace(i, label=_tidy(i.label), layer=layer.stable_key)
        for i in ms.class_legend_items(breaks, REDS, "")
    ]
    if not circles:
        items = []
    if circles and state.play:
        items.append(active_legend_item(layer.stable_key))
    if len(drawn):
        items.append(replace(corridor_legend(cmax), layer=corridors.stable_key))
    if not circles:
        items.append(ms.box("#fff", _("no located incidents match")))
    span = f"{fmt_month(state.date_from)}–{fmt_month(state.date_to)}"
    return ms.MapSpec(
        countries,
        layers,
        [ms.Legend(f"{unit_title}, {span}", items, _(MMP_CAVEAT))],
        bounds=bounds,
        fit=fit,
        info=info,
    )


def _tidy(label: str) -> str:
    """'2–2' (a class of one value) reads '2' (digits grouped as any language does)."""
    label = label.strip()
    m = re.fullmatch(r"([\d,.\s]+)–([\d,.\s]+)", label)
    return m.group(1) if m and m.group(1) == m.group(2) else label


def _deg(cell: float) -> str:
    """A grid cell's size: 2°, 0.5° (0,5° in French)."""
    return f"{fmt_num(cell, 0 if float(cell).is_integer() else 1)}°"


def _years(a, b) -> str:
    if a is None or pd.isna(a):
        return _("undated")
    ya, yb = a.year, (b.year if b is not None and not pd.isna(b) else a.year)
    return str(ya) if ya == yb else f"{ya}–{yb}"


# --------------------------------------------------------------------------- page view


@dataclass
class RoutesView(MapView):
    """What the Deadly routes page shows for one filter state."""

    state: RoutesState
    headline: pd.Series  # the headline figures (``incident_totals``)
    spec: ms.MapSpec  # the map, as a description (every output is drawn from it)
    map_info: MapInfo
    routes: pd.DataFrame  # route_totals
    # incidents with only a year that the date range cuts, by year (``undated_cut``)
    undated_cut: pd.DataFrame | None = None
    # The deadliest-incidents section's query runs when first read (the open tab's).
    q: Query = field(repr=False, default=None)
    limit: int = DEADLIEST
    # What the sections below the map compute when first read, kept here: shallow copies
    # of the view (one per run, geo.cache.session_view) share it.
    _lazy: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def series(self) -> pd.DataFrame:
        """Period, route, incidents, dead_and_missing (zeros filled) of the deadliest
        routes (:func:`route_series`), computed when first read (the Over time section)."""
        return self._series_grain()[0]

    @property
    def grain(self) -> str:
        """The series' period: 'year' or 'month'."""
        return self._series_grain()[1]

    def _series_grain(self) -> tuple[pd.DataFrame, str]:
        if "series" not in self._lazy:
            self._lazy["series"] = route_series(self.q, self.state)
        return self._lazy["series"]

    @cached_property
    def deadliest(self) -> pd.DataFrame:
        """The deadliest single incidents of the selection, cumulative tallies left out
        (:func:`deadliest_table`)."""
        return deadliest_table(self.q, self.state, self.limit)

    @cached_property
    def cumulative(self) -> pd.DataFrame:
        """The selection's largest cumulative tallies, ranked apart from incidents."""
        return deadliest_table(self.q, self.state, self.limit, cumulative=True)

    @cached_property
    def cumulative_totals(self) -> pd.Series:
        """``incidents`` and ``dead_and_missing`` of all the selection's cumulative tallies."""
        return self._totals_part("cumulative_", ("incidents", "dead_and_missing"))

    @cached_property
    def route_coverage(self) -> pd.Series:
        """No-route and several-route incidents of the selection (``incident_totals``)."""
        return self._totals_part(
            "",
            (
                "no_route_incidents",
                "no_route_dead_and_missing",
                "multi_route_incidents",
                "multi_route_dead_and_missing",
            ),
        )

    def _totals_part(self, prefix: str, names: tuple[str, ...]) -> pd.Series:
        """Some columns of the selection's ``incident_totals`` row, without ``prefix``:
        taken from the frame, so they keep their integer type (a row of the whole frame
        mixes dates and floats)."""
        df = self.q("incident_totals", **self.state.query_params())
        return df[[prefix + n for n in names]].set_axis(list(names), axis=1).iloc[0]

    @cached_property
    def route_rows(self) -> pd.DataFrame:
        """The By route table: one row per route, then "No route recorded" when the
        selection has incidents with no route (:func:`route_table`)."""
        return route_table(self.routes, self.route_coverage)

    @property
    def unlocated(self) -> int:
        return int(self.headline["incidents"] - self.headline["located"])

    def date_note(self) -> str:
        """What the selection's dates do with the incidents that have only a year (no
        date): counted when the range covers their year, left out when it covers only
        part of it. Empty when there are none. The page and the exports say it."""
        notes = []
        n = int(self.headline.get("undated_incidents", 0) or 0)
        if n:
            notes.append(
                ngettext(
                    "{n} incident of the selection has only a year, no date: it counts "
                    "because the dates cover that whole year.",
                    "{n} incidents of the selection have only a year, no date: they count "
                    "because the dates cover that whole year.",
                    n,
                ).format(n=fmt_int(n))
            )
        cut = self.undated_cut
        if cut is not None and len(cut):
            left = int(cut["incidents"].sum())
            notes.append(
                ngettext(
                    "{n} incident of {years} ({dead} dead and missing) has only a year, no "
                    "date, and is left out: the dates cover only part of that year.",
                    "{n} incidents of {years} ({dead} dead and missing) have only a year, no "
                    "date, and are left out: the dates cover only part of that year.",
                    left,
                ).format(
                    n=fmt_int(left),
                    years=", ".join(str(int(y)) for y in cut["year"]),
                    dead=fmt_int(int(cut["dead_and_missing"].sum())),
                )
            )
        return " ".join(notes)


def series_grain(state: RoutesState) -> str:
    """Monthly points when the date range is two years or less, else yearly."""
    return "month" if (state.date_to - state.date_from).days <= 731 else "year"


def route_series(q: Query, state: RoutesState, top: int = TOP_ROUTES) -> tuple[pd.DataFrame, str]:
    """Dead and missing per period for the top routes, with zero periods filled in.

    Routes come deadliest first (ties by name), each with every period of the selection.
    """
    grain = series_grain(state)
    df = q("route_periods", grain=grain, top=top, **state.query_params())
    if df.empty:
        return df, grain
    # Filled in plain Python: a pandas MultiIndex reindex of these ~100-300 rows took
    # 10 ms, a tenth of a new Deadly routes state's server time (issue 19).
    days = df["period"].to_numpy().astype("datetime64[D]").tolist()  # datetime.date
    found = {
        (p, r): (n, d)
        for p, r, n, d in zip(
            days,
            df["route"].tolist(),
            df["incidents"].astype("int64").tolist(),
            df["dead_and_missing"].astype("int64").tolist(),
            strict=True,
        )
    }
    sums: dict[str, int] = {}
    for (_p, r), (_n, d) in found.items():
        sums[r] = sums.get(r, 0) + d
    order = sorted(sums, key=lambda r: (-sums[r], r))
    periods = _period_starts(state.date_from, state.date_to, grain)
    cells = [found.get((p, r), (0, 0)) for p in periods for r in order]
    out = pd.DataFrame(
        {
            "period": np.repeat(np.array(periods, dtype="datetime64[ns]"), len(order)),
            "route": order * len(periods),
            "incidents": np.array([c[0] for c in cells], dtype="int64"),
            "dead_and_missing": np.array([c[1] for c in cells], dtype="int64"),
        }
    )
    return out, grain


def _period_starts(first: date, last: date, grain: str) -> list[date]:
    """The first days of the years (or months) from ``first``'s to ``last``'s."""
    y, m = first.year, (first.month if grain == "month" else 1)
    out = []
    while date(y, m, 1) <= last:
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if grain == "year" or m == 12 else (y, m + 1)
    return out


def last_period_note(state: RoutesState, last_date: date, grain: str) -> str:
    """A sentence (with a leading space) when the series' last period is not complete,
    else ''.

    The last point covers the period (month or year) holding ``state.date_to``; it is
    complete only if both the selection and the data reach that period's last day.
    """
    end = pd.Timestamp(state.date_to).to_period("M" if grain == "month" else "Y").end_time.date()
    if last_date < end and state.date_to >= last_date:
        text = (
            _("Data run to {date}, so the last month may be incomplete.")
            if grain == "month"
            else _("Data run to {date}, so the last year may be incomplete.")
        )
        return " " + text.format(date=fmt_date(last_date))
    if state.date_to < end:
        text = (
            _("The selection ends on {date}, so the last month is partial.")
            if grain == "month"
            else _("The selection ends on {date}, so the last year is partial.")
        )
        return " " + text.format(date=fmt_date(state.date_to))
    return ""


def deadliest_table(
    q: Query, state: RoutesState, limit: int = DEADLIEST, *, cumulative: bool = False
) -> pd.DataFrame:
    """The deadliest incidents, or the largest cumulative tallies.

    Parameters
    ----------
    q : Query
        Query runner.
    state : RoutesState
        The filters.
    limit : int
        Rows at most.
    cumulative : bool
        False (default): single incidents only, IOM's "Cumulative Incident" tallies left
        out, since a tally of a whole year must not rank beside a shipwreck. True: the
        tallies only.

    Returns
    -------
    pandas.DataFrame
        Rows of ``deadliest_incidents``; ``url`` kept only for http(s) links (else None).
    """
    df = q("deadliest_incidents", limit=limit, cumulative=cumulative, **state.query_params())
    df["url"] = pd.Series(
        [http_url(u) for u in df["url"]],
        index=df.index,
        dtype=object,
    )
    return df


def build(
    q: Query,
    countries: dict,
    state: RoutesState,
    *,
    options: RoutesOptions | None = None,
    limit: int = DEADLIEST,
) -> RoutesView:
    """Run the Deadly routes queries for a state and build the map, series and table."""
    q = memo(q)  # the map and the tables share some queries
    params = state.query_params()
    # the totals and the map's extent (one query), and the corridors and table, side by side
    q.prefetch(("incident_totals", params), ("route_totals", params))
    totals = q("incident_totals", **params).iloc[0]
    spec = map_spec(q, countries, state, options=options)
    # only when the dates cut the window of an incident with only a year (one query
    # less for every other view)
    cuts = options is None or options.cuts_undated(state.date_from, state.date_to)
    return RoutesView(
        state=state,
        headline=totals,
        spec=spec,
        map_info=spec.info,
        routes=_with_corridor(q("route_totals", **params)),
        undated_cut=q("undated_cut", **params) if cuts else None,
        q=q,
        limit=limit,
    )


NO_ROUTE = N_("No route recorded")  # the By route table's row (shown as _(NO_ROUTE))


def route_table(routes: pd.DataFrame, coverage: Mapping) -> pd.DataFrame:
    """Route rows (``route``, ``incidents``, ``dead_and_missing``, ``corridor``) with a
    last row for the incidents with no route, when there are any.

    Parameters
    ----------
    routes : pandas.DataFrame
        Rows of ``route_totals`` with ``corridor`` (see :func:`build`).
    coverage : Mapping
        The route coverage of the same filters (:attr:`RoutesView.route_coverage`).

    Returns
    -------
    pandas.DataFrame
        Also has ``named`` (False on the no-route row), so that a reader of the table or
        of a test can tell the added row from a route whose name were the same text.
    """
    cols = ["route", "incidents", "dead_and_missing", "corridor"]
    out = routes[cols].copy()
    out["named"] = True
    n = int(coverage["no_route_incidents"])
    if n:
        extra = pd.DataFrame(
            [
                {
                    "route": _(NO_ROUTE),
                    "incidents": n,
                    "dead_and_missing": int(coverage["no_route_dead_and_missing"]),
                    "corridor": "",
                    "named": False,
                }
            ]
        )
        out = pd.concat([out, extra], ignore_index=True)
    # sums arrive as HUGEINT (float in pandas): whole numbers in the table and its CSV
    return out.astype({"incidents": "int64", "dead_and_missing": "int64"})


def _with_corridor(routes: pd.DataFrame) -> pd.DataFrame:
    """Adds ``corridor``: 'origin → destination' of the schematic line ('' when none)."""
    routes["corridor"] = [
        f"{a} → {b}" if isinstance(a, str) and isinstance(b, str) and g else ""
        for a, b, g in zip(
            routes["origin_label"], routes["destination_label"], routes["geometry"], strict=True
        )
    ]
    return routes


__all__ = [
    "RoutesOptions",
    "RoutesState",
    "RoutesView",
    "MapInfo",
    "options",
    "build",
    "build_map",
    "incident_popup",
    "popup_values",
    "deadliest_table",
    "route_table",
    "last_period_note",
]


# --------------------------------------------------------------------------- the page


def incident_places(q: Query, params: dict) -> list[Place]:
    """The countries of incident holding the most dead and missing under ``params``
    (``incident_places``), most first: the places a PNG names."""
    rows = q("incident_places", limit=PLACES * 2, **params).rename(columns={"country": "name"})
    return positions(rows, ("label_lat", "label_lon"), ("lat", "lon"))


def headline_text(totals: Mapping) -> str:
    """The headline as a sentence ("12,345 dead and missing in 3,210 incidents")."""
    n = int(totals["incidents"])
    return ngettext(
        "{dead_and_missing} dead and missing in {incidents} incident",
        "{dead_and_missing} dead and missing in {incidents} incidents",
        n,
    ).format(dead_and_missing=fmt_int(int(totals["dead_and_missing"])), incidents=fmt_int(n))


def export(view: RoutesView, q: Query) -> PageExport:
    """The export facts of a Deadly routes view: the located incidents of its filters."""
    s = view.state
    return PAGE.facts(
        subtitle=_("Dead and missing, {selection}").format(selection=s.describe()),
        caveat=" ".join(filter(None, [_(MMP_CAVEAT), view.date_note()])),
        load_data=lambda: q("incident_points", limit=10_000_000, **s.query_params()),
        data_name=_("incidents with a position"),
        params=s.to_params(),
        headline=headline_text(view.headline),
        load_places=lambda: incident_places(q, s.query_params()),
        file_tags=[
            # i18n: words of a file name ("3-routes"): plain ASCII letters, no accents
            *tag_values(s.routes, _("routes")),
            *tag_values(s.regions, _("regions")),
            *tag_values(s.causes, _("causes")),
            *tag_values(s.types, _("types")),
            period_tag(s.date_from, s.date_to),
        ],
    )


def choices(opts: RoutesOptions) -> dict[str, list[str]]:
    """The values each list parameter can take (dates are open-ended)."""
    return {k: [str(v) for v in getattr(opts, k)] for k in LIST_KEYS}


PAGE = Page(
    key="routes",
    title=N_("Deadly migration routes"),
    nav_title=N_("Deadly routes"),
    icon=":material/route:",
    file_stem=N_("deadly routes"),
    order=1,
    datasets=(*MMP, "route_corridors", "natural_earth"),
    data_datasets=MMP,
    options=options,
    State=RoutesState,
    build=lambda q, basemap, state, options=None: build(q, basemap, state, options=options),
    export=export,
    choices=choices,
    slide_headline=N_("{dead_and_missing:,} dead and missing in {incidents:,} incidents"),
)
