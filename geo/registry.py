"""The map pages as one registry: for a page key and its URL parameters, the view, its
title, a subtitle stating the filters, the caveat, and the filtered data with its
citation and licence. Exports, the snapshot command and the briefing all use it, so a
PNG, a CSV and the screen always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import folium
import pandas as pd

from geo.catalog import MMP_CAVEAT
from geo.exports import about_rows
from geo.views import Query

PAGE_KEYS = ["overview", "routes", "camps", "cities", "cifal"]
TITLES = {
    "overview": "Arrival Atlas: routes, camps, cities and the CIFAL network",
    "routes": "Deadly migration routes",
    "camps": "Camps and sites",
    "cities": "Arrival cities",
    "cifal": "CIFAL network",
}
# Short names for export files (``arrival-atlas_deadly-routes_...``).
FILE_STEMS = {
    "overview": "overview",
    "routes": "deadly routes",
    "camps": "camps and sites",
    "cities": "arrival cities",
    "cifal": "cifal network",
}
MMP_CITATION = "IOM Missing Migrants Project, missingmigrants.iom.int"
MMP_LICENCE = "CC BY-IGO"


@dataclass(frozen=True)
class Place:
    """A place to name on a PNG export: its label and candidate positions (lat, lon),
    best first (the first inside the picture is used)."""

    name: str
    positions: tuple[tuple[float, float], ...]


@dataclass
class PageExport:
    """What a page's exports carry.

    ``headline`` is the page's main figure as a sentence (e.g. "12,345 dead and
    missing in 3,210 incidents"), from the same query result as the screen's headline;
    ``load_places`` gives the few places a PNG names (run only when a PNG is made);
    ``file_tags`` are the main filters, short, for file names (see
    :func:`geo.exports.export_name`); ``params`` reopen the view (its URL parameters).
    """

    key: str
    title: str
    subtitle: str
    caveat: str | None
    load_data: Callable[[], pd.DataFrame]
    data_name: str
    citation: str
    licence: str
    params: dict[str, str] = field(default_factory=dict)
    headline: str = ""
    load_places: Callable[[], list[Place]] = field(default=lambda: [], repr=False)
    file_tags: list[str] = field(default_factory=list)

    @property
    def file_stem(self) -> str:
        """What export file names start with, after ``arrival-atlas_``."""
        return FILE_STEMS.get(self.key, self.title)

    def about(self, rows: int) -> list[tuple[str, str]]:
        """The Excel file's About sheet for ``rows`` rows of this view's data."""
        return about_rows(
            self.title,
            self.subtitle,
            self.citation,
            self.licence,
            self.caveat,
            rows=rows,
            link=self.link,
        )

    @property
    def link(self) -> str:
        """The view's address in the app, relative: ``/routes?from=...``."""
        from urllib.parse import urlencode

        query = urlencode(self.params)
        return f"/{self.key}" + (f"?{query}" if query else "")


@dataclass
class PageRender(PageExport):
    """A page rendered outside Streamlit: its export facts plus map and view."""

    map: folium.Map | None = None
    view: object = None
    notes: list[str] = field(default_factory=list)


def _join(values: list[str], empty: str, many: str) -> str:
    if not values:
        return empty
    return ", ".join(values) if len(values) <= 3 else f"{len(values)} {many}"


def export_of(key: str, view, q: Query) -> PageExport:
    """Export facts (subtitle, headline, data, citation) of an already built view.

    The data and the places a PNG names are loaded only when an export asks for them
    (``load_data()``, ``load_places()``).
    """
    exp = _export_facts(key, view, q)
    exp.headline = headline_of(key, view, q)
    exp.load_places = lambda: places_of(key, view, q)
    return exp


PLACES = 6  # at most this many places named on a PNG


def headline_of(key: str, view, q: Query) -> str:
    """The page's headline figure as one sentence, from the result the screen shows.

    Overview: ``overview_headline``; Deadly routes: ``incident_totals``; Camps:
    ``site_totals``; Arrival cities: ``cities_headline`` (for the headline year); CIFAL:
    the view's headline (``uncovered_fast_growing``).
    """
    if key == "overview":
        h = view.headline
        return f"{int(h['dead_and_missing']):,} dead and missing since {h['first_date']:%B %Y}"
    if key == "routes":
        t = view.totals
        n = int(t["incidents"])
        return (
            f"{int(t['dead_and_missing']):,} dead and missing in {n:,} "
            f"incident{'s' if n != 1 else ''}"
        )
    if key == "camps":
        t = view.totals
        n, c = int(t["sites"]), int(t["countries"])
        return f"{n:,} site{'s' if n != 1 else ''} in {c:,} countr{'ies' if c != 1 else 'y'}"
    if key == "cities":
        from geo.views.cities import options

        h, s = view.headline, view.state
        label = options(q).year_label(view.headline_year or s.year)
        return (
            f"{int(h['cities']):,} cities of {s.min_population:,}+ people in {label}, "
            f"{int(h['population']) / 1e9:,.2f} bn people"
        )
    if key == "cifal":
        h, s = view.headline, view.state
        n = int(h["uncovered"])
        deadly = s.deadly_text()
        return (
            f"{n:,} fast-growing cit{'ies' if n != 1 else 'y'} with no CIFAL centre within "
            f"{s.radius_km:,} km" + (f" and {deadly}" if deadly else "")
        )
    raise KeyError(key)


def _positions(rows: pd.DataFrame, *pairs: tuple[str, str]) -> list[Place]:
    out = []
    for r in rows.to_dict("records"):
        pos = tuple(
            (float(r[a]), float(r[b])) for a, b in pairs if pd.notna(r[a]) and pd.notna(r[b])
        )
        if pos:
            out.append(Place(str(r["name"]), pos))
    return out


def places_of(key: str, view, q: Query) -> list[Place]:
    """The places that matter to a view, most important first (for PNG labels).

    Overview and Deadly routes: the countries of incident holding the most dead and
    missing (``incident_places``); Camps: the countries with the most filtered sites
    (``site_places``); Arrival cities: the largest cities (or those adding the most
    people, in growth mode); CIFAL: the largest fast-growing cities with no centre.
    """
    if key in ("overview", "routes"):
        if key == "routes":
            params = view.state.query_params()
        else:
            h = view.headline
            params = dict(date_from=h["first_date"], date_to=h["last_date"], regions=[], routes=[])
            params.update(causes=[], types=[])
        rows = q("incident_places", limit=PLACES * 2, **params).rename(columns={"country": "name"})
        return _positions(rows, ("label_lat", "label_lon"), ("lat", "lon"))
    if key == "camps":
        s = view.state
        rows = q("site_places", limit=PLACES * 2, step=s.step, **s.filters())
        return _positions(
            rows.rename(columns={"country": "name"}), ("label_lat", "label_lon"), ("lat", "lon")
        )
    if key == "cities":
        growth = view.state.mode == "growth"
        frame = view.growth.sort_values("growth", ascending=False) if growth else view.cities
        if not growth:
            frame = frame.sort_values("population", ascending=False)
        return _positions(frame.head(PLACES * 2), ("lat", "lon"))
    if key == "cifal":
        u = view.uncovered
        col = next((c for c in ("pop_to", "population") if c in u.columns), None)
        if col:
            u = u.sort_values(col, ascending=False)
        name = "city" if "city" in u.columns else "name"
        return _positions(u.head(PLACES * 2).rename(columns={name: "name"}), ("lat", "lon"))
    raise KeyError(key)


def _tag(values: list[str], many: str) -> list[str]:
    """File-name tag of a multi-choice filter: the values, or their count when many."""
    if not values:
        return []
    return ["-".join(values)] if len(values) <= 2 else [f"{len(values)}-{many}"]


def _period(first, last) -> str:
    """``2019-2021`` for whole years, else ``20190301-20210531``."""
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return f"{first.year}" if first.year == last.year else f"{first.year}-{last.year}"
    return f"{first:%Y%m%d}-{last:%Y%m%d}"


def _export_facts(key: str, view, q: Query) -> PageExport:
    if key == "overview":
        h = view.headline
        return PageExport(
            key,
            TITLES[key],
            f"Dead and missing per 2° cell, {h['first_date']:%d %b %Y} to {h['last_date']:%d %b %Y}; "
            "schematic route corridors; CIFAL centres",
            MMP_CAVEAT,
            lambda: view.bins,
            "incidents per 2-degree cell",
            MMP_CITATION,
            MMP_LICENCE,
            file_tags=[_period(h["first_date"], h["last_date"])],
        )
    if key == "routes":
        s = view.state
        return PageExport(
            key,
            TITLES[key],
            f"Dead and missing, {s.describe()}",
            MMP_CAVEAT,
            lambda: q("incident_points", limit=10_000_000, **s.query_params()),
            "incidents with a position",
            MMP_CITATION,
            MMP_LICENCE,
            s.to_params(),
            file_tags=[
                *_tag(s.routes, "routes"),
                *_tag(s.regions, "regions"),
                *_tag(s.causes, "causes"),
                *_tag(s.types, "types"),
                _period(s.date_from, s.date_to),
            ],
        )
    if key == "camps":
        from geo.views import camps

        s = view.state
        sub = "; ".join(
            [
                _join(s.countries, "all countries", "countries"),
                _join(s.site_types, "all site types", "types"),
                {"all": "open and closed", "open": "open", "closed": "closed"}[s.status],
                _join(s.datasets, "all datasets", "datasets"),
                f"positions rounded to {s.precision}°",
            ]
        )
        return PageExport(
            key,
            TITLES[key],
            sub,
            None,
            lambda: camps.all_sites(q, s, int(view.totals["sites"])),
            "sites",
            "UNHCR ODSS location register via Zhou & Shaver (2021); CCCM Cluster ISIMM; RRRC/ISCG; "
            "UNHCR Refugee Data Finder (2025 populations)",
            "register: no licence stated (cite as given); UNHCR statistics CC BY 4.0",
            s.to_params(),
            file_tags=[
                *_tag(s.countries, "countries"),
                *_tag(s.site_types, "types"),
                *([s.status] if s.status != "all" else []),
                *_tag(s.datasets, "datasets"),
            ],
        )
    if key == "cities":
        from geo.views.cities import options

        s, label = view.state, options(q).year_label
        if s.mode == "growth":
            sub, frame = f"Growth {label(s.year_from)}-{label(s.year_to)}", view.growth
            tags = [f"growth-{s.year_from}-{s.year_to}"]
        else:
            sub, frame = f"Population {label(s.year)}", view.cities
            tags = [f"population-{s.year}"]
        tags.append(f"min-{s.min_population}")
        sub += f"; cities of {s.min_population:,}+; refugees hosted at the end of {s.refugee_year}"
        # WUP projections and the people the refugee layer leaves out travel with the
        # figures: PNG footer, CSV note line, GeoJSON metadata.
        caveat = " ".join(t for t in (view.projection_note, view.oip_note) if t) or None
        return PageExport(
            key,
            TITLES[key],
            sub,
            caveat,
            lambda: frame,
            "cities",
            "United Nations, DESA, Population Division (2018). World Urbanization Prospects: "
            "The 2018 Revision; UNHCR Refugee Data Finder",
            "CC BY 3.0 IGO (WUP); CC BY 4.0 (UNHCR)",
            s.to_params(),
            file_tags=tags,
        )
    if key == "cifal":
        from geo.views.cifal import export_table
        from geo.views.cities import options

        s, label = view.state, options(q).year_label
        deadly = s.deadly_text()
        return PageExport(
            key,
            TITLES[key],
            f"Fast-growing cities (total population +{s.min_growth_pct}% or more, "
            f"{label(s.year_from)}-{label(s.year_to)}, WUP 2018; {s.min_population:,}+ in "
            f"{label(s.year_to)}) with no CIFAL centre within {s.radius_km} km"
            + (f"; {deadly}" if deadly else "")
            + f"; dead and missing counted within {s.near_km} km",
            view.caveat or None,
            lambda: export_table(view),
            "fast-growing cities with no centre within reach",
            "UNITAR CIFAL centres compiled by Arrival Atlas (source per centre); UN DESA WUP "
            f"2018; {MMP_CITATION}; route corridors: Arrival Atlas (schematic)",
            f"facts (CIFAL); CC BY 3.0 IGO (WUP); {MMP_LICENCE} (MMP)",
            s.to_params(),
            file_tags=[
                f"{s.radius_km}km",
                f"min-{s.min_population}",
                f"growth-{s.min_growth_pct}pct",
                *([f"dead-{s.min_dead}-within-{s.near_km}km"] if s.min_dead else []),
                *([f"corridor-{s.corridor_km}km"] if s.corridor_km else []),
            ],
        )
    raise KeyError(key)


def page_options(key: str, q: Query) -> object:
    """The filter options of a page's data (``None`` for the Overview, which has none).

    Raises
    ------
    KeyError
        ``key`` is not one of :data:`PAGE_KEYS`.
    """
    from geo.views import camps, cities, routes

    if key == "overview":
        return None
    if key == "routes":
        return routes.load_options(q)
    if key == "camps":
        return camps.options(q)
    if key in ("cities", "cifal"):
        return cities.options(q)
    raise KeyError(f"unknown page {key!r}; one of {', '.join(PAGE_KEYS)}")


def page_state(key: str, params: Mapping[str, str], opts: object) -> tuple[object, list[str]]:
    """A page's state from URL-style parameters: its own ``from_params``, exactly as the
    page and :func:`render_page` read a link (the briefing checks its slides with it).

    Parameters
    ----------
    key : str
        One of :data:`PAGE_KEYS`.
    params : mapping
        Parameter name -> value (a string, lists joined by ``|``).
    opts : object
        :func:`page_options` of the same page.

    Returns
    -------
    (state, notes)
        The state (``None`` for the Overview) and one plain-text note per value ignored.
    """
    from geo.views import camps, cifal, cities, routes

    if key == "overview":
        return None, []
    if key == "routes":
        return routes.RoutesState.from_params(params, opts)
    if key == "camps":
        return camps.CampsState.from_params(params, opts)
    if key == "cities":
        return cities.CitiesState.from_params(params, opts)
    if key == "cifal":
        return cifal.CifalState.from_params(params, opts)
    raise KeyError(f"unknown page {key!r}; one of {', '.join(PAGE_KEYS)}")


def param_choices(key: str, opts: object) -> dict[str, list[str]]:
    """The values each parameter of a page can take, as URL strings, where they are a
    list (a route, a year...): for messages saying what a link or a briefing may use.
    Dates and other open-ended values are not listed."""
    from geo.views import camps, cifal, cities, routes

    def strs(values) -> list[str]:
        return [str(v) for v in values]

    if key == "routes":
        return {k: strs(getattr(opts, k)) for k in routes.LIST_KEYS}
    if key == "camps":
        return {
            "type": strs(opts["site_types"]),
            "country": strs(opts["countries"]),
            "dataset": strs(camps.DATASETS),
            "status": strs(camps.STATUSES),
            "precision": strs(camps.PRECISIONS),
        }
    if key == "cities":
        years = strs(opts.years)
        return {
            "year": years,
            "from": years,
            "to": years,
            "ryear": strs(opts.refugee_years),
            "min": strs(cities.MIN_POPULATIONS),
            "k": strs(cities.NEAREST_K),
            "mode": strs(cities.MODES),
        }
    if key == "cifal":
        years = strs(opts.years)
        return {
            "year": years,
            "from": years,
            "to": years,
            "radius": strs(cifal.RADII),
            "min": strs(cifal.MIN_POPULATIONS),
            "growth": strs(cifal.GROWTH_THRESHOLDS),
            "near": strs(cifal.NEAR_KM),
            "dead": strs(cifal.MIN_DEAD),
            "corridor": strs(cifal.CORRIDOR_KM),
            "closed": ["0", "1"],
        }
    return {}


def render_page(key: str, q: Query, countries: dict, params: Mapping[str, str]) -> PageRender:
    """Build a page's view from URL-style parameters, as the page itself would.

    Invalid parameters fall back to defaults; their notes are returned.
    """
    from geo.views import camps, cifal, cities, overview, routes

    opts = page_options(key, q)
    state, notes = page_state(key, params, opts)
    if key == "overview":
        view = overview.build(q, countries)
    elif key == "routes":
        view = routes.build(q, countries, state, options=opts)
    elif key == "camps":
        view = camps.build(q, countries, state)
    elif key == "cities":
        view = cities.build(q, countries, state)
    else:
        view = cifal.build(q, countries, state)
    exp = export_of(key, view, q)
    return PageRender(**exp.__dict__, map=view.map, view=view, notes=list(notes))
