"""CIFAL network: the UNITAR CIFAL centres, the arrival cities and route destinations
within a chosen distance of each, and the fast-growing arrival cities with no centre
near them, with the dead and missing recorded near each and its nearest route corridor.

Distances are great-circle (haversine, R = 6371 km) in whole kilometres, rounded half
up, and "within d km" means a rounded distance of at most d km, everywhere: the queries,
the captions, the tables and the map rings (drawn at d + 0.5 km, where the rounded
distance turns d + 1). Aleppo, 300.47 km from CIFAL Lebanon, is within 300 km.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from geo import mapspec as ms
from geo.catalog import FAST_GROWING_CAVEAT, MMP, MMP_CAVEAT
from geo.i18n import N_, _, fmt_int, ngettext
from geo.maps import (
    Circle,
    escape,
    http_url,
    radius_for,
)
from geo.views import Query, link_value, memo, pick_choice
from geo.views.cities import (
    CitiesOptions,
    english_key,
    fit_years,
    fix_growth_period,
    tip_number,
    year_options,
)
from geo.views.page import PLACES, MapView, Page, PageExport, positions

RADII = tuple(range(50, 1001, 50))
GROWTH_THRESHOLDS = tuple(range(10, 201, 10))
MIN_POPULATIONS = (300_000, 500_000, 1_000_000, 2_000_000, 5_000_000)
# Dead and missing (MMP) counted within this distance of each city; the build stores
# them up to 500 km (table city_incidents).
NEAR_KM = (25, 50, 100, 200, 300, 500)
# Keep cities with at least this many dead and missing within NEAR_KM (0: all).
MIN_DEAD = (0, 1, 10, 100, 1000)
# Keep cities within this distance of a route corridor's line (0: all).
CORRIDOR_KM = (0, 25, 50, 100, 200, 300, 500)
UNCOVERED_KEY = "fast-growing-cities-with-no-centre-within-km"
CORRIDOR_NAMES_MAX = 600
# Centres in Paul Tol's dark green and a mid grey, each 3:1 against land and sea (the
# lighter Dark2 green and grey they had were not); cities within reach in Dark2 purple,
# the fast-growing ones with no centre in Okabe–Ito orange (Dark2's met the green under
# protanopia).
ACTIVE, CLOSED = "#117733", "#767676"
COVERED, UNCOVERED, DEST = "#7570b3", "#e69f00", "#252525"
# Marks besides colour (WCAG 1.4.1): centres are diamonds, a closed one smaller; fast-
# growing cities with no centre are squares, the cities within reach circles.
CENTRE_SHAPE, UNCOVERED_SHAPE = "diamond", "square"
CENTRE_PX, CLOSED_PX = 7, 5


def then(first: str, second: str) -> str:
    """Two clauses joined as the language writes a semicolon ("a; b", French "a ; b");
    ``first`` alone when ``second`` is empty."""
    return _("{first}; {second}").format(first=first, second=second) if second else first


@dataclass
class CifalState:
    """The CIFAL network page state; round-trips through URL query parameters."""

    radius_km: int = 300
    year: int = 2025
    min_population: int = 1_000_000
    year_from: int = 2015
    year_to: int = 2035
    min_growth_pct: int = 50
    include_closed: bool = False
    near_km: int = 200
    min_dead: int = 0
    corridor_km: int = 0

    @classmethod
    def defaults(cls, opts: CitiesOptions) -> CifalState:
        s = cls()
        fit_years(s, opts)
        return s

    @classmethod
    def from_params(
        cls, params: Mapping[str, str], opts: CitiesOptions
    ) -> tuple[CifalState, list[str]]:
        """State from URL parameters; invalid values fall back to defaults with a note each."""
        s = cls.defaults(opts)
        notes: list[str] = []

        pick_choice(s, params, "radius", "radius_km", RADII, _("radius (km)"), notes)
        pick_choice(s, params, "year", "year", opts.years, _("year"), notes)
        pick_choice(
            s, params, "min", "min_population", MIN_POPULATIONS, _("minimum city size"), notes
        )
        pick_choice(s, params, "from", "year_from", opts.years, _("growth start year"), notes)
        pick_choice(s, params, "to", "year_to", opts.years, _("growth end year"), notes)
        pick_choice(
            s,
            params,
            "growth",
            "min_growth_pct",
            GROWTH_THRESHOLDS,
            _("growth threshold (%)"),
            notes,
        )
        pick_choice(
            s, params, "near", "near_km", NEAR_KM, _("distance for dead and missing"), notes
        )
        pick_choice(s, params, "dead", "min_dead", MIN_DEAD, _("minimum dead and missing"), notes)
        pick_choice(
            s, params, "corridor", "corridor_km", CORRIDOR_KM, _("corridor distance"), notes
        )
        closed = params.get("closed")
        if closed:
            if closed in ("0", "1"):
                s.include_closed = closed == "1"
            else:
                notes.append(
                    _("Ignored closed-centres setting {value} from the link.").format(
                        value=repr(link_value(closed))
                    )
                )
        fix_growth_period(s, cls.defaults(opts), notes)
        return s, notes

    def to_params(self) -> dict[str, str]:
        return {
            "radius": str(self.radius_km),
            "year": str(self.year),
            "min": str(self.min_population),
            "from": str(self.year_from),
            "to": str(self.year_to),
            "growth": str(self.min_growth_pct),
            "closed": "1" if self.include_closed else "0",
            "near": str(self.near_km),
            "dead": str(self.min_dead),
            "corridor": str(self.corridor_km),
        }

    def describe(self) -> str:
        """One line saying what the state selects (years as numbers)."""
        deadly = self.deadly_text()
        shown = _(
            "fast-growing cities (+{growth}% or more, {start}-{end}; {min}+) with no CIFAL "
            "centre within {radius} km"
        ).format(
            growth=self.min_growth_pct,
            start=self.year_from,
            end=self.year_to,
            min=fmt_int(self.min_population),
            radius=self.radius_km,
        )
        return then(shown, deadly)

    def deadly_text(self) -> str:
        """The 'near deadly routes' filters in words ('' when none is set)."""
        parts = []
        if self.min_dead:
            parts.append(
                _("{n}+ dead and missing recorded within {km} km (MMP)").format(
                    n=fmt_int(self.min_dead), km=self.near_km
                )
            )
        if self.corridor_km:
            parts.append(_("within {km} km of a route corridor").format(km=self.corridor_km))
        text = ""
        for part in parts:
            text = then(text, part) if text else part
        return text


@dataclass
class CifalView(MapView):
    """What the CIFAL network page shows."""

    state: CifalState
    centres: pd.DataFrame
    coverage: pd.DataFrame
    nearby: pd.DataFrame
    uncovered: pd.DataFrame
    destinations: pd.DataFrame
    headline: dict
    spec: ms.MapSpec  # the map, as a description (every output is drawn from it)
    # What "fast-growing" means (WUP projected total growth) and which WUP years shown
    # are 2018 projections: for captions, the legend and every export.
    caveat: str = ""


def centres_table(centres: pd.DataFrame) -> pd.DataFrame:
    """Centres for display: only http(s) source links survive."""
    t = centres[
        ["centre", "city", "country", "host", "status", "active", "source_url", "source_date"]
    ].copy()
    t["source_url"] = t["source_url"].map(http_url)
    return t


def export_table(view: CifalView) -> pd.DataFrame:
    """The view's answer as a table: the fast-growing cities with no centre within reach
    (and, when set, near deadly routes), one row per city, as the map and list show them.

    Parameters
    ----------
    view : CifalView
        A built view.

    Returns
    -------
    pandas.DataFrame
        ``city``, ``country``, ``iso3``, ``lat``, ``lon``, ``population_<from>``,
        ``population_<to>`` (WUP 2018, persons), ``growth`` (persons), ``growth_pct``,
        ``nearest_centre``, ``nearest_centre_km``, ``incidents_within_<d>km``,
        ``dead_within_<d>km``, ``missing_within_<d>km``, ``dead_and_missing_within_<d>km``
        (MMP, minimum estimates), ``nearest_corridor``, ``nearest_corridor_km``
        (to the corridor's line). Distances are great-circle, whole km.
    """
    s, u = view.state, view.uncovered
    d = f"within_{s.near_km}km"
    return pd.DataFrame(
        {
            "city": u["name"],
            "country": u["country"],
            "iso3": u["iso3"],
            "lat": u["lat"],
            "lon": u["lon"],
            f"population_{s.year_from}": u["pop_from"],
            f"population_{s.year_to}": u["pop_to"],
            "growth": u["growth"],
            "growth_pct": u["growth_pct"].round(1),
            "nearest_centre": u["nearest_centre"],
            "nearest_centre_km": u["nearest_km"].astype("Int64"),
            f"incidents_{d}": u["incidents"],
            f"dead_{d}": u["dead"],
            f"missing_{d}": u["missing"],
            f"dead_and_missing_{d}": u["dead_and_missing"],
            "nearest_corridor": u["nearest_corridor"],
            "nearest_corridor_km": u["corridor_km"].astype("Int64"),
        }
    ).reset_index(drop=True)


def centre_layer(centres: pd.DataFrame, *, show: bool = True) -> ms.CircleLayer:
    """The CIFAL centres (rows of ``cifal_centres``): active and closed in their colours.
    The Overview draws them with this too."""
    return ms.CircleLayer(
        name=_("CIFAL centres (UNITAR)"),
        key=english_key(lambda: _("CIFAL centres (UNITAR)")),
        datasets=("cifal",),
        show=show,
        circles=[
            Circle(
                r.lat,
                r.lon,
                CENTRE_PX if r.active else CLOSED_PX,
                0 if r.active else 1,
                tooltip=_centre_tip(r),
            )
            for r in centres.itertuples()
        ],
        colors=[ACTIVE, CLOSED],
        shapes=(CENTRE_SHAPE, CENTRE_SHAPE),
        stroke="#ffffff",
        weight=2,
        fill_opacity=0.95,
        table=ms.LayerTable(
            [_("Centre"), _("City"), _("Country"), _("Host"), _("Status")],
            [
                (
                    r.centre,
                    r.city,
                    r.country,
                    r.host if isinstance(r.host, str) else None,
                    r.status if r.active else f"{r.status} ({_('closed')})",
                )
                for r in centres.itertuples()
            ],
            sentence=ngettext("{n} CIFAL centre.", "{n} CIFAL centres.", len(centres)),
        ),
    )


def centre_item(color: str, label: str, layer: str) -> ms.LegendItem:
    """A centre's legend swatch: a diamond, smaller for a closed centre (as drawn)."""
    size = 12 * (CLOSED_PX if color == CLOSED else CENTRE_PX) / CENTRE_PX
    return ms.mark(CENTRE_SHAPE, color, label, round(size), layer=layer)


def _centre_tip(r) -> str:
    host = f"<br>{escape(r.host)}" if isinstance(r.host, str) and r.host else ""
    status = "" if r.active else "<br><i>" + _("closed") + "</i>"
    return (
        f"<b>{escape(r.centre)}</b><br>{escape(r.city)}, {escape(r.country)}{host}"
        f"<br>{escape(r.status)}{status}"
    )


def build(q: Query, countries: dict, state: CifalState | None = None) -> CifalView:
    """Run the CIFAL network queries and build the map.

    Parameters
    ----------
    q : Query
        Query runner.
    countries : dict
        Basemap countries.
    state : CifalState, optional
        Page state (default: :meth:`CifalState.defaults`).
    """
    opts = options(q)
    if state is None:
        state = CifalState.defaults(opts)
    radius = float(state.radius_km)
    projection = opts.projection_note(state.year, state.year_from, state.year_to)
    # the catalogue's caveats are its constants, translated here where they are shown
    caveat = f"{_(FAST_GROWING_CAVEAT)} {projection} {_(MMP_CAVEAT)}".replace("  ", " ").strip()
    y0, y1 = opts.year_label(state.year_from), opts.year_label(state.year_to)
    within = {"radius_km": radius, "year": state.year, "min_population": state.min_population}
    fast_growing = {
        "year_from": state.year_from,
        "year_to": state.year_to,
        "min_growth_pct": float(state.min_growth_pct),
        "radius_km": radius,
        "min_population": state.min_population,
        "include_closed": state.include_closed,
        "near_km": state.near_km,
        "min_dead": state.min_dead,
        "corridor_km": state.corridor_km,
    }
    ends = {"include_closed": state.include_closed}
    q = memo(q)
    # the page's five queries at once (none needs another's result)
    q.prefetch(
        ("cifal_coverage", within),
        ("cifal_nearby", within),
        ("uncovered_fast_growing", fast_growing),
        ("cifal_destinations", ends),
    )
    centres = q("cifal_centres")
    coverage = q("cifal_coverage", **within)
    if not state.include_closed:
        coverage = coverage[coverage["active"]].reset_index(drop=True)
    nearby = q("cifal_nearby", **within)
    if not state.include_closed:
        nearby = nearby[nearby["active"]].reset_index(drop=True)
    uncovered = q("uncovered_fast_growing", **fast_growing)
    destinations = q("cifal_destinations", **ends)

    shown = centres if state.include_closed else centres[centres["active"]]

    def rings_name() -> str:
        return _("Within {km} km of a centre").format(km=state.radius_km)

    def covered_name() -> str:
        return _("Arrival cities within {km} km ({year})").format(
            km=state.radius_km, year=state.year
        )

    rings = ms.RingLayer(
        name=rings_name(),
        key=english_key(rings_name),
        datasets=("cifal",),
        rings=[
            # within = rounded distance <= radius: the edge is where it rounds past it
            ms.Ring(r.lat, r.lon, (radius + 0.5) * 1000.0, ACTIVE if r.active else CLOSED)
            for r in shown.itertuples()
        ],
        table=ms.LayerTable(
            [_("Centre"), _("Radius (km)")],
            [(r.centre, state.radius_km) for r in shown.itertuples()],
        ),
    )

    cities = nearby[nearby["kind"] == "arrival city"]
    covered = (
        cities.sort_values("distance_km")
        .drop_duplicates(subset=["place", "lat", "lon"])
        .reset_index(drop=True)
    )
    cmax = float(covered["population"].max() or 1) if len(covered) else 1.0
    covered_layer = ms.CircleLayer(
        name=covered_name(),
        key=english_key(covered_name),
        datasets=("wup_cities", "cifal"),
        circles=[
            Circle(
                r.lat,
                r.lon,
                radius_for(r.population, cmax, min_px=2.5, max_px=14),
                0,
                values=(
                    escape(r.place),
                    escape(r.country),
                    tip_number(r.population / 1e6, 2),
                    escape(r.centre),
                    tip_number(r.distance_km, None),
                ),
            )
            for r in covered.itertuples()
        ],
        colors=[COVERED],
        stroke="#3f007d",  # a dark edge: the fill alone is under 3:1 on the sea
        fill_opacity=0.7,
        # {0}..{4} stay for the browser to fill (the circle's values)
        tooltip_format="<b>{0}</b>, {1}<br>"
        + _("{{2}} million ({year})<br>{{4}} km from {{3}}").format(year=state.year),
        table=ms.LayerTable(
            [
                _("City"),
                _("Country"),
                _("Population {year}").format(year=state.year),
                _("Centre"),
                _("Distance (km)"),
            ],
            [
                (r.place, r.country, int(round(r.population)), r.centre, int(r.distance_km))
                for r in covered.itertuples()
            ],
            measure=2,
            sentence=ngettext(
                "{n} arrival city within reach, {total} people in all; the largest, {top}, "
                "{top_value}.",
                "{n} arrival cities within reach, {total} people in all; the largest, {top}, "
                "{top_value}.",
                len(covered),
            ),
        ),
    )

    umax = float(uncovered["pop_to"].max() or 1) if len(uncovered) else 1.0
    deadly = state.deadly_text()
    # Corridor names cost ~28 bytes a circle: a list longer than this (up to 1,781 cities
    # at 10% growth since 1950) names the corridor in the table and exports, not the map.
    named = len(uncovered) <= CORRIDOR_NAMES_MAX
    uncovered_layer = ms.CircleLayer(
        name=_("Fast-growing cities with no centre within {km} km").format(km=state.radius_km)
        + (f" ({deadly})" if deadly else ""),
        key=UNCOVERED_KEY,
        datasets=("wup_cities", "cifal", *MMP, "route_corridors"),
        circles=[
            Circle(
                r.lat,
                r.lon,
                radius_for(r.pop_to, umax, min_px=3, max_px=12),
                0,
                values=(
                    escape(r.name),
                    escape(r.country),
                    tip_number(r.growth_pct, None),
                    tip_number(r.pop_to / 1e6, 2),
                    escape(r.nearest_centre) if isinstance(r.nearest_centre, str) else _("none"),
                    tip_number(r.nearest_km, None) if pd.notna(r.nearest_km) else "–",
                    tip_number(r.dead_and_missing, None),
                    tip_number(r.corridor_km, None) if pd.notna(r.corridor_km) else "–",
                    *(
                        (escape(r.nearest_corridor) if isinstance(r.nearest_corridor, str) else "",)
                        if named
                        else ()
                    ),
                ),
            )
            for r in uncovered.itertuples()
        ],
        colors=[UNCOVERED],
        shapes=(UNCOVERED_SHAPE,),
        stroke="#7f2704",
        fill_opacity=0.85,
        # {0}..{8} stay for the browser to fill (the circle's values)
        tooltip_format="<b>{0}</b>, {1}<br>"
        + _(
            "+{{2}}% total population {start}–{end}, {{3}} million in {end}<br>nearest "
            "centre: {{4}}, {{5}} km<br>{{6}} dead and missing recorded within {km} km "
            "(MMP, minimum)"
        ).format(start=y0, end=y1, km=state.near_km)
        + (
            _("<br>nearest route corridor: {8}, {7} km")
            if named
            else _("<br>route corridor {7} km away")
        ),
        table=ms.LayerTable(
            [
                _("City"),
                _("Country"),
                _("Growth {start}–{end} (%)").format(start=y0, end=y1),
                _("Population {year}").format(year=y1),
                _("Nearest centre"),
                _("Distance (km)"),
                _("Dead and missing within {km} km").format(km=state.near_km),
                _("Nearest route corridor"),
                _("Corridor distance (km)"),
            ],
            [
                (
                    r.name,
                    r.country,
                    round(float(r.growth_pct), 1),
                    int(round(r.pop_to)),
                    r.nearest_centre if isinstance(r.nearest_centre, str) else None,
                    None if pd.isna(r.nearest_km) else int(r.nearest_km),
                    None if pd.isna(r.dead_and_missing) else int(r.dead_and_missing),
                    r.nearest_corridor if isinstance(r.nearest_corridor, str) else None,
                    None if pd.isna(r.corridor_km) else int(r.corridor_km),
                )
                for r in uncovered.itertuples()
            ],
            measure=3,
            sentence=ngettext(
                "{n} fast-growing city with no centre within reach; the largest, {top}, "
                "{top_value} people.",
                "{n} fast-growing cities with no centre within reach; the largest, {top}, "
                "{top_value} people.",
                len(uncovered),
            ),
        ),
    )
    destinations_layer = ms.CircleLayer(
        name=_("Route destinations (schematic)"),
        key=english_key(lambda: _("Route destinations (schematic)")),
        datasets=("route_corridors", "cifal"),
        circles=[
            Circle(
                r.dest_lat,
                r.dest_lon,
                4.5,
                0 if r.nearest_km <= radius else 1,
                tooltip=f"<b>{escape(r.destination_label)}</b><br>"
                + _("end of {route}<br>nearest centre: {centre}, {km} km").format(
                    route=escape(r.route),
                    centre=escape(r.nearest_centre),
                    km=fmt_int(r.nearest_km),
                ),
            )
            for r in destinations.itertuples()
        ],
        colors=[DEST, "#ffffff"],
        stroke=DEST,
        weight=1.5,
        fill_opacity=0.95,
    )

    centres_layer = centre_layer(shown)
    # Each item names its layer: a picture with that layer hidden leaves it out.
    dest_key = destinations_layer.stable_key
    items = [
        centre_item(ACTIVE, _("CIFAL centre (active)"), centres_layer.stable_key),
        ms.dot(  # larger and ringed, as the reach is on the map
            ACTIVE,
            _("within {km} km of a centre").format(km=state.radius_km),
            16,
            opacity=0.35,
            border=ACTIVE,
            layer=rings.stable_key,
        ),
        ms.dot(
            COVERED,
            _("arrival city within reach ({year})").format(year=state.year),
            layer=covered_layer.stable_key,
        ),
        ms.mark(
            UNCOVERED_SHAPE,
            UNCOVERED,
            then(
                _(
                    "total population growing {growth}%+ {start}–{end} (WUP 2018), no centre "
                    "within {km} km"
                ).format(
                    growth=state.min_growth_pct,
                    start=state.year_from,
                    end=state.year_to,
                    km=state.radius_km,
                ),
                deadly,
            ),
            layer=uncovered_layer.stable_key,
        ),
        ms.dot(DEST, _("route destination (reached)"), 9, layer=dest_key),
        ms.dot("#fff", _("route destination (no centre near)"), 9, border=DEST, layer=dest_key),
    ]
    if state.include_closed:
        items.insert(1, centre_item(CLOSED, _("CIFAL centre (closed)"), centres_layer.stable_key))
    legend = ms.Legend(
        _("CIFAL centres and arrival cities"),
        items,
        _("Cities of {min}+ people (WUP 2018).").format(min=fmt_int(state.min_population))
        + f" {caveat} "
        + _("Distances are great-circle, in whole km; within means at most."),
    )
    layers = [rings, covered_layer, uncovered_layer, destinations_layer, centres_layer]
    spec = ms.MapSpec(countries, layers, [legend])
    headline = {
        # the centres this view counts (the closed ones only with "Count closed centres")
        "centres": int(len(shown)),
        "active": int(centres["active"].sum()),
        "closed": int((~centres["active"]).sum()),
        "centres_reaching": int((coverage["cities_within"] > 0).sum()),
        "cities_covered": int(len(covered)),
        "destinations_reached": int((destinations["nearest_km"] <= radius).sum()),
        "destinations": int(len(destinations)),
        "uncovered": int(len(uncovered)),
        "uncovered_dead_and_missing": int(uncovered["dead_and_missing"].sum()),
    }
    return CifalView(
        state=state,
        centres=centres,
        coverage=coverage,
        nearby=nearby,
        uncovered=uncovered,
        destinations=destinations,
        headline=headline,
        spec=spec,
        caveat=caveat,
    )


__all__ = ["CifalState", "CifalView", "build", "centres_table", "export_table"]


# --------------------------------------------------------------------------- the page


def options(q: Query) -> CitiesOptions:
    """The CIFAL widgets' choices: the WUP years and which are projections
    (:func:`geo.views.cities.year_options`; no refugee layer, so no UNHCR years)."""
    return year_options(q)


def export(view: CifalView, q: Query) -> PageExport:
    """The export facts of a CIFAL network view: the fast-growing cities with no
    centre within reach (:func:`export_table`)."""
    s, label = view.state, options(q).year_label
    deadly = s.deadly_text()
    n = int(view.headline["uncovered"])

    def places():
        u = view.uncovered
        col = next((c for c in ("pop_to", "population") if c in u.columns), None)
        if col:
            u = u.sort_values(col, ascending=False)
        name = "city" if "city" in u.columns else "name"
        return positions(u.head(PLACES * 2).rename(columns={name: "name"}), ("lat", "lon"))

    return PAGE.facts(
        subtitle=then(
            then(
                _(
                    "Fast-growing cities (total population +{growth}% or more, {start}-{end}, "
                    "WUP 2018; {min}+ in {end}) with no CIFAL centre within {km} km"
                ).format(
                    growth=s.min_growth_pct,
                    start=label(s.year_from),
                    end=label(s.year_to),
                    min=fmt_int(s.min_population),
                    km=s.radius_km,
                ),
                deadly,
            ),
            _("dead and missing counted within {km} km").format(km=s.near_km),
        ),
        caveat=view.caveat or None,
        load_data=lambda: export_table(view),
        data_name=_("fast-growing cities with no centre within reach"),
        params=s.to_params(),
        headline=ngettext(
            "{n} fast-growing city with no CIFAL centre within {km} km",
            "{n} fast-growing cities with no CIFAL centre within {km} km",
            n,
        ).format(n=fmt_int(n), km=fmt_int(s.radius_km))
        + (_(" and {filters}").format(filters=deadly) if deadly else ""),
        load_places=places,
        file_tags=[
            f"{s.radius_km}km",
            f"min-{s.min_population}",
            f"growth-{s.min_growth_pct}pct",
            *([f"dead-{s.min_dead}-within-{s.near_km}km"] if s.min_dead else []),
            *([f"corridor-{s.corridor_km}km"] if s.corridor_km else []),
        ],
    )


def choices(opts: CitiesOptions) -> dict[str, list[str]]:
    """The values each parameter can take, as URL strings."""
    years = [str(v) for v in opts.years]

    def strs(values) -> list[str]:
        return [str(v) for v in values]

    return {
        "year": years,
        "from": years,
        "to": years,
        "radius": strs(RADII),
        "min": strs(MIN_POPULATIONS),
        "growth": strs(GROWTH_THRESHOLDS),
        "near": strs(NEAR_KM),
        "dead": strs(MIN_DEAD),
        "corridor": strs(CORRIDOR_KM),
        "closed": ["0", "1"],
    }


PAGE = Page(
    key="cifal",
    title=N_("CIFAL network"),
    nav_title=N_("CIFAL network"),
    icon=":material/school:",
    file_stem=N_("cifal network"),
    order=4,
    datasets=("cifal", "wup_cities", *MMP, "route_corridors", "natural_earth"),
    data_datasets=("cifal", "wup_cities", *MMP, "route_corridors"),
    options=options,
    State=CifalState,
    build=lambda q, basemap, state=None, options=None: build(q, basemap, state),
    export=export,
    choices=choices,
    slide_headline=N_("{uncovered:,} fast-growing cities have no CIFAL centre nearby"),
)
