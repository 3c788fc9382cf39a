"""Overview: headline figures with caveats and a world map with every layer."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from geo import mapspec as ms
from geo.catalog import MMP, MMP_CAVEAT, SITES
from geo.maps import BLUES, REDS, WORLD_BOUNDS, nice_breaks
from geo.views import Query, camps, cifal, cities
from geo.views.page import MapView, NoState, Page, PageExport, no_options, period_tag
from geo.views.routes import CORRIDOR_COLOR, corridor_layer, incident_bin_layer, incident_places

ALL = {"regions": [], "routes": [], "causes": [], "types": []}
CITY_MIN = 1_000_000
CITY_YEAR = 2025


@dataclass
class OverviewView(MapView):
    """What the Overview shows."""

    headline: pd.Series
    spec: ms.MapSpec  # the map, as a description (every output is drawn from it)
    bins: pd.DataFrame
    vintage: pd.DataFrame


def map_spec(q: Query, countries: dict, filters: dict, bins: pd.DataFrame, span) -> ms.MapSpec:
    """The Overview's world map: each layer drawn by its own page's function, in its
    colours (incidents and corridors as on Deadly routes, open sites as on Camps and
    sites, cities as on Arrival cities, centres as on CIFAL network).

    Parameters
    ----------
    filters : dict
        Every incident (``incident_bins`` / ``route_totals`` parameters).
    bins : DataFrame
        The ``incident_bins`` rows drawn (2° cells).
    span : Series
        ``incident_date_range`` (first and last date, for the legend's title).
    """
    incidents, breaks = incident_bin_layer(bins, "Dead and missing (IOM MMP)")
    corridors = corridor_layer(q, filters)[0]

    sites = q("site_bins", site_types=[], status="open", countries=[], datasets=[], cell=2.0)
    site_breaks = nice_breaks(sites["sites"].tolist())
    smax = float(sites["sites"].max() or 1)
    site_layer = camps.site_bin_layer(
        "Open camps and sites (UNHCR, ISIMM)", sites, BLUES, site_breaks, None, smax, show=False
    )

    projected = CITY_YEAR in cities.year_options(q).projected
    tag = " projection" if projected else ""
    city_layer, _, _ = cities.population_circles(
        q("city_sizes", year=CITY_YEAR, min_population=CITY_MIN),
        CITY_YEAR,
        projected,
        name=f"Cities of 1 million+ in {CITY_YEAR} (WUP 2018)",
        show=False,
    )
    centres = cifal.centre_layer(q("cifal_centres"))

    # Each item names its layer: a picture with that layer hidden leaves it out.
    items = [
        replace(i, layer=incidents.stable_key)
        for i in ms.class_legend_items(breaks, REDS, "dead and missing")
    ]
    items += [
        ms.stroke(
            CORRIDOR_COLOR,
            "route corridor (schematic), width by deaths",
            px=3,
            width=18,
            layer=corridors.stable_key,
        ),
        ms.dot(BLUES[3], "open camps and sites (binned)", layer=site_layer.stable_key),
        ms.dot(
            "#9e9ac8",
            f"city of 1 million+ ({CITY_YEAR}, WUP 2018{tag})",
            layer=city_layer.stable_key,
        ),
        ms.dot(cifal.ACTIVE, "CIFAL centre", layer=centres.stable_key),
        ms.dot(cifal.CLOSED, "CIFAL centre (closed)", layer=centres.stable_key),
    ]
    legend = ms.Legend(
        f"Dead and missing per 2° cell, {span['first_date']:%Y}-{span['last_date']:%Y}",
        items,
        MMP_CAVEAT,
    )
    layers = [incidents, corridors, site_layer, city_layer, centres]
    return ms.MapSpec(countries, layers, [legend], bounds=[list(b) for b in WORLD_BOUNDS])


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
    spec = map_spec(q, countries, filters, bins, span)
    vintage = q("data_vintage")
    return OverviewView(headline=headline, spec=spec, bins=bins, vintage=vintage)


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
    slide_headline="{dead_and_missing:,} people recorded dead or missing on migration routes since {first_date:%B %Y}",
)
