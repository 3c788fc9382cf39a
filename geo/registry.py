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
from geo.views import Query

PAGE_KEYS = ["overview", "routes", "camps", "cities", "cifal"]
TITLES = {
    "overview": "Arrival Atlas: routes, camps, cities and the CIFAL network",
    "routes": "Deadly migration routes",
    "camps": "Camps and sites",
    "cities": "Arrival cities",
    "cifal": "CIFAL network",
}
MMP_CITATION = "IOM Missing Migrants Project, missingmigrants.iom.int"
MMP_LICENCE = "CC BY-IGO"


@dataclass
class PageExport:
    """What a page's exports carry."""

    key: str
    title: str
    subtitle: str
    caveat: str | None
    load_data: Callable[[], pd.DataFrame]
    data_name: str
    citation: str
    licence: str
    params: dict[str, str] = field(default_factory=dict)


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
    """Export facts (subtitle, data, citation) of an already built view.

    The data is loaded only when an export asks for it (``load_data()``).
    """
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
        )
    if key == "cities":
        from geo.views.cities import options

        s, label = view.state, options(q).year_label
        if s.mode == "growth":
            sub, frame = f"Growth {label(s.year_from)}-{label(s.year_to)}", view.growth
        else:
            sub, frame = f"Population {label(s.year)}", view.cities
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
        )
    if key == "cifal":
        from geo.views.cities import options

        s, label = view.state, options(q).year_label
        return PageExport(
            key,
            TITLES[key],
            f"Within {s.radius_km} km of a centre; cities of {s.min_population:,}+ in "
            f"{label(s.year)}; fast growth = total population +{s.min_growth_pct}% or more, "
            f"{label(s.year_from)}-{label(s.year_to)} (WUP 2018)",
            view.caveat or None,
            lambda: view.coverage,
            "centre coverage",
            "UNITAR CIFAL centres compiled by Arrival Atlas (source per centre); UN DESA WUP 2018",
            "facts (CIFAL); CC BY 3.0 IGO (WUP)",
            s.to_params(),
        )
    raise KeyError(key)


def render_page(key: str, q: Query, countries: dict, params: Mapping[str, str]) -> PageRender:
    """Build a page's view from URL-style parameters, as the page itself would.

    Invalid parameters fall back to defaults; their notes are returned.
    """
    from geo.views import camps, cifal, cities, overview, routes

    notes: list[str] = []
    if key == "overview":
        view = overview.build(q, countries)
    elif key == "routes":
        opts = routes.load_options(q)
        state, notes = routes.RoutesState.from_params(params, opts)
        view = routes.build(q, countries, state, options=opts)
    elif key == "camps":
        state, notes = camps.CampsState.from_params(params, camps.options(q))
        view = camps.build(q, countries, state)
    elif key == "cities":
        state, notes = cities.CitiesState.from_params(params, cities.options(q))
        view = cities.build(q, countries, state)
    elif key == "cifal":
        state, notes = cifal.CifalState.from_params(params, cities.options(q))
        view = cifal.build(q, countries, state)
    else:
        raise KeyError(f"unknown page {key!r}; one of {', '.join(PAGE_KEYS)}")
    exp = export_of(key, view, q)
    return PageRender(**exp.__dict__, map=view.map, view=view, notes=list(notes))
