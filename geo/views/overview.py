"""Overview: headline figures with caveats and a world map with every layer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import folium
import pandas as pd

from geo.catalog import MMP_CAVEAT
from geo.maps import (
    BLUES,
    REDS,
    WORLD_BOUNDS,
    Circle,
    CircleLayer,
    Legend,
    add_line,
    base_map,
    circle_legend_items,
    class_index,
    escape,
    finish,
    nice_breaks,
    radius_for,
)
from geo.views import Query

ALL = {"regions": [], "routes": [], "causes": [], "types": []}
CREDIT = (
    "Data: IOM Missing Migrants Project (CC BY-IGO), UNHCR, CCCM ISIMM, UN DESA WUP 2018 "
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


def _incident_layer(bins: pd.DataFrame) -> tuple[CircleLayer, list[float]]:
    breaks = nice_breaks(bins["dead_and_missing"].tolist())
    vmax = float(bins["dead_and_missing"].max() or 1)
    circles = [
        Circle(
            r.lat,
            r.lon,
            radius_for(r.dead_and_missing, vmax, min_px=2.5, max_px=26),
            class_index(r.dead_and_missing, breaks),
            values=(
                int(r.dead_and_missing),
                int(r.incidents),
                str(r.first_date.year),
                str(r.last_date.year),
                escape(r.top_route) if isinstance(r.top_route, str) else "no route given",
            ),
        )
        for r in bins.itertuples()
    ]
    fmt = "<b>{0} dead and missing</b> (minimum)<br>{1} incidents, {2}-{3}<br>Main route: {4}"
    layer = CircleLayer(
        "Dead and missing (IOM MMP)", circles, REDS, stroke="#7f0000", tooltip_format=fmt
    )
    return layer, breaks


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
    layer, breaks = _incident_layer(bins)
    layer.add_to(m)

    routes = q("route_totals", **filters)
    group = folium.FeatureGroup(name="Route corridors (schematic)", show=True)
    vmax = float(routes["dead_and_missing"].max() or 1)
    for r in routes.dropna(subset=["geometry"]).itertuples():
        coords = [[lat, lon] for lon, lat in json.loads(r.geometry)["coordinates"]]
        add_line(
            group,
            coords,
            weight=1.5 + 9 * (r.dead_and_missing / vmax) ** 0.5,
            color="#5b5b5b",
            dash="6 4",
            tooltip=f"<b>{escape(r.route)}</b> (schematic)<br>{int(r.dead_and_missing):,} dead and missing",
        )
    group.add_to(m)

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
            "border-top:3px dashed #5b5b5b;width:18px;height:0;border-left:0;border-right:0;border-bottom:0",
            "route corridor (schematic), width by deaths",
        ),
        (
            f"background:{BLUES[3]};width:12px;height:12px;border-radius:50%",
            "open camps and sites (binned)",
        ),
        (
            "background:#9e9ac8;width:12px;height:12px;border-radius:50%",
            "city of 1 million+ (2025)",
        ),
        ("background:#1b9e77;width:12px;height:12px;border-radius:50%", "CIFAL centre"),
    ]
    finish(
        m,
        legend=Legend("Dead and missing per 2° cell, 2014-2025", items, MMP_CAVEAT),
        credit=CREDIT,
    )
    vintage = q("data_vintage")
    return OverviewView(headline=headline, map=m, bins=bins, vintage=vintage)


__all__ = ["build", "OverviewView"]
