"""Overview: headline figures with caveats and a world map with every layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import folium
import pandas as pd

from geo.catalog import MMP, MMP_CAVEAT, SITES
from geo.maps import (
    BLUES,
    REDS,
    WORLD_BOUNDS,
    Circle,
    CircleLayer,
    Legend,
    base_map,
    circle_legend_items,
    class_index,
    escape,
    finish,
    nice_breaks,
    radius_for,
)
from geo.views import Query
from geo.views.page import NoState, Page, PageExport, no_options, period_tag
from geo.views.routes import CORRIDOR_COLOR, corridor_layer, incident_bin_layer, incident_places

ALL = {"regions": [], "routes": [], "causes": [], "types": []}
CREDIT = (
    "Data: IOM Missing Migrants Project (CC BY-IGO), UNHCR (CC BY 4.0), CCCM ISIMM, UN DESA WUP 2018 "
    "(CC BY 3.0 IGO), UNITAR CIFAL (compiled), Natural Earth"
)
CITY_MIN = 1_000_000
CITY_YEAR = 2025


@dataclass
class OverviewView:
    """What the Overview shows."""

    headline: pd.Series
    map: folium.Map
    bins: pd.DataFrame
    vintage: pd.DataFrame


def build(q: Query, countries: dict, *, today: date | None = None) -> OverviewView:
    """Run the Overview's queries and build its map.

    Parameters
    ----------
    q : Query
        Query runner.
    countries : dict
        Basemap countries.
    today : date, optional
        Sets "this year" (default: the latest incident year in the data).
    """
    span = q("incident_date_range").iloc[0]
    year = (today or span["last_date"]).year
    headline = q("overview_headline", year=year).iloc[0]
    headline["year"] = year
    filters = dict(date_from=span["first_date"], date_to=span["last_date"], **ALL)
    bins = q("incident_bins", cell=2.0, **filters)
    m = base_map(countries, bounds=WORLD_BOUNDS)
    layer, breaks = incident_bin_layer(bins, "Dead and missing (IOM MMP)")
    layer.add_to(m)

    corridor_layer(q, filters)[0].add_to(m)

    sites = q("site_bins", site_types=[], status="open", countries=[], datasets=[], cell=2.0)
    smax = float(sites["sites"].max() or 1)
    site_breaks = nice_breaks(sites["sites"].tolist())
    CircleLayer(
        "Open camps and sites (UNHCR, ISIMM)",
        [
            Circle(
                r.lat,
                r.lon,
                radius_for(r.sites, smax, min_px=2, max_px=16),
                class_index(r.sites, site_breaks),
                values=(int(r.sites), escape(r.top_type)),
            )
            for r in sites.itertuples()
        ],
        BLUES,
        tooltip_format="<b>{0} open sites</b><br>mostly {1}",
        show=False,
        stroke="#08306b",
    ).add_to(m)

    cities = q("city_sizes", year=CITY_YEAR, min_population=CITY_MIN)
    cmax = float(cities["population"].max() or 1)
    CircleLayer(
        f"Cities of 1 million+ in {CITY_YEAR} (WUP 2018)",
        [
            Circle(
                r.lat,
                r.lon,
                radius_for(r.population, cmax, min_px=2, max_px=14),
                0,
                values=(escape(r.name), escape(r.country), f"{r.population / 1e6:,.1f}"),
            )
            for r in cities.itertuples()
        ],
        ["#9e9ac8"],
        tooltip_format=f"<b>{{0}}</b>, {{1}}<br>{{2}} million ({CITY_YEAR}, projected)",
        show=False,
        stroke="#54278f",
        fill_opacity=0.5,
    ).add_to(m)

    cifal = q("cifal_centres")
    CircleLayer(
        "CIFAL centres (UNITAR)",
        [
            Circle(
                r.lat,
                r.lon,
                6,
                0 if r.active else 1,
                tooltip=f"<b>{escape(r.centre)}</b><br>{escape(r.city)}, {escape(r.country)}"
                + ("" if r.active else "<br>closed"),
            )
            for r in cifal.itertuples()
        ],
        ["#1b9e77", "#bbbbbb"],
        stroke="#ffffff",
        fill_opacity=0.95,
        weight=1.5,
    ).add_to(m)

    items = circle_legend_items(breaks, REDS, "dead and missing")
    items += [
        (
            f"border-top:3px solid {CORRIDOR_COLOR};width:18px;height:0;border-left:0;border-right:0;border-bottom:0",
            "route corridor (schematic), width by deaths",
        ),
        (
            f"background:{BLUES[3]};width:12px;height:12px;border-radius:50%",
            "open camps and sites (binned)",
        ),
        (
            "background:#9e9ac8;width:12px;height:12px;border-radius:50%",
            "city of 1 million+ (2025, WUP 2018 projection)",
        ),
        ("background:#1b9e77;width:12px;height:12px;border-radius:50%", "CIFAL centre"),
    ]
    finish(
        m,
        legend=Legend(
            f"Dead and missing per 2° cell, {span['first_date']:%Y}-{span['last_date']:%Y}",
            items,
            MMP_CAVEAT,
        ),
        credit=CREDIT,
    )
    vintage = q("data_vintage")
    return OverviewView(headline=headline, map=m, bins=bins, vintage=vintage)


__all__ = ["build", "OverviewView"]


# --------------------------------------------------------------------------- the page


def export(view: OverviewView, q: Query) -> PageExport:
    """The export facts of the Overview: dead and missing per 2° cell, all incidents."""
    h = view.headline
    everything = {**ALL, "date_from": h["first_date"], "date_to": h["last_date"]}
    return PAGE.facts(
        subtitle=f"Dead and missing per 2° cell, {h['first_date']:%d %b %Y} to "
        f"{h['last_date']:%d %b %Y}; schematic route corridors; CIFAL centres",
        caveat=MMP_CAVEAT,
        load_data=lambda: view.bins,
        data_name="incidents per 2-degree cell",
        headline=f"{int(h['dead_and_missing']):,} dead and missing since {h['first_date']:%B %Y}",
        load_places=lambda: incident_places(q, everything),
        file_tags=[period_tag(h["first_date"], h["last_date"])],
    )


PAGE = Page(
    key="overview",
    title="Arrival Atlas: routes, camps, cities and the CIFAL network",
    nav_title="Overview",
    icon=":material/public:",
    file_stem="overview",
    order=0,
    datasets=(*MMP, "route_corridors", *SITES, "wup_cities", "cifal", "natural_earth"),
    data_datasets=MMP,
    options=no_options,
    State=NoState,
    build=lambda q, basemap, state=None, options=None: build(q, basemap),
    export=export,
)
