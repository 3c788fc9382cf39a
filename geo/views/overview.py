"""Overview: headline figures with caveats and a world map with every layer."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
from babel.dates import format_skeleton

from geo import mapspec as ms
from geo.catalog import MMP, MMP_CAVEAT, SITES
from geo.i18n import DEFAULT, N_, _, babel_locale, fmt_date, fmt_int, language, ngettext
from geo.maps import BLUES, REDS, WORLD_BOUNDS, nice_breaks
from geo.views import Query, camps, cifal, cities, memo
from geo.views.page import MapView, NoState, Page, PageExport, no_options, period_tag
from geo.views.routes import CORRIDOR_COLOR, corridor_layer, incident_bin_layer, incident_places

ALL = {"regions": [], "routes": [], "causes": [], "types": []}
CITY_MIN = 1_000_000
CITY_YEAR = 2025
# The open sites (2° cells) and the cities of 1 million+ the world map shows.
OPEN_SITES = {"site_types": [], "status": "open", "countries": [], "datasets": [], "cell": 2.0}
BIG_CITIES = {"year": CITY_YEAR, "min_population": CITY_MIN}

# The layers' ids in links, briefings and exports: their English names' slugs, the same
# in every language (a layer's id is otherwise the slug of its shown, translated name).
# The layers drawn by other pages' functions are pinned here too: the Overview's ids
# hold whatever those functions name their layers.
INCIDENTS_KEY = "dead-and-missing-iom-mmp"
CORRIDORS_KEY = "route-corridors-schematic"
SITES_KEY = "open-camps-and-sites-unhcr-isimm"
CITIES_KEY = "cities-of-million-in-wup"
CENTRES_KEY = "cifal-centres-unitar"


def month_year(d) -> str:
    """A month in full and its year: January 2014 (English, as ever), janvier 2014,
    enero de 2014."""
    if language() == DEFAULT:
        return f"{d:%B %Y}"
    return format_skeleton("yMMMM", d, locale=babel_locale())


def day_month(d) -> str:
    """A day and month without the year: 08 Sep (English, as ever), 8 sept., 8 sept."""
    if language() == DEFAULT:
        return f"{d:%d %b}"
    return format_skeleton("MMMd", d, locale=babel_locale())


@dataclass
class OverviewView(MapView):
    """What the Overview shows."""

    headline: pd.Series
    spec: ms.MapSpec  # the map, as a description (every output is drawn from it)
    bins: pd.DataFrame
    vintage: pd.DataFrame

    def unlocated_note(self) -> str:
        """The incidents in the headline that are not on the map (no usable position),
        or "" when every one is."""
        n = int(self.headline["unlocated_incidents"])
        if not n:
            return ""
        return ngettext(
            "{n} incident ({dead} dead and missing) has no usable position: it is in the "
            "figures but not on the map.",
            "{n} incidents ({dead} dead and missing) have no usable position: they are in "
            "the figures but not on the map.",
            n,
        ).format(n=fmt_int(n), dead=fmt_int(int(self.headline["unlocated_dead_and_missing"])))


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
    incidents, breaks = incident_bin_layer(bins, _("Dead and missing (IOM MMP)"), key=INCIDENTS_KEY)
    corridors = replace(corridor_layer(q, filters)[0], key=CORRIDORS_KEY)

    sites = q("site_bins", **OPEN_SITES)
    site_breaks = nice_breaks(sites["sites"].tolist())
    smax = float(sites["sites"].max() or 1)
    site_layer = camps.site_bin_layer(
        _("Open camps and sites (UNHCR, ISIMM)"),
        sites,
        BLUES,
        site_breaks,
        None,
        smax,
        show=False,
    )
    site_layer = replace(site_layer, key=SITES_KEY)

    projected = CITY_YEAR in cities.year_options(q).projected
    city_layer = cities.population_circles(
        q("city_sizes", **BIG_CITIES),
        CITY_YEAR,
        projected,
        name=_("Cities of 1 million+ in {year} (WUP 2018)").format(year=CITY_YEAR),
        key=CITIES_KEY,
        show=False,
    )[0]
    city_layer = replace(city_layer, shapes=("triangle",) * len(city_layer.colors))
    city_item = (
        _("city of 1 million+ ({year}, WUP 2018 projection)")
        if projected
        else _("city of 1 million+ ({year}, WUP 2018)")
    ).format(year=CITY_YEAR)
    centres = replace(cifal.centre_layer(q("cifal_centres")), key=CENTRES_KEY)

    # Each item names its layer: a picture with that layer hidden leaves it out.
    items = [
        replace(i, layer=incidents.stable_key)
        for i in ms.class_legend_items(breaks, REDS, _("dead and missing"))
    ]
    items += [
        ms.stroke(
            CORRIDOR_COLOR,
            _("route corridor (schematic), width by deaths"),
            px=3,
            width=18,
            layer=corridors.stable_key,
        ),
        # each layer in its own mark (WCAG 1.4.1): deaths circles, sites squares (as
        # on Camps and sites), cities triangles (here only: circles are the deaths'),
        # centres diamonds (as on CIFAL network)
        ms.mark(
            "square", BLUES[4], _("open camps and sites (binned)"), layer=site_layer.stable_key
        ),
        ms.mark("triangle", "#9e9ac8", city_item, layer=city_layer.stable_key),
        cifal.centre_item(cifal.ACTIVE, _("CIFAL centre"), centres.stable_key),
        cifal.centre_item(cifal.CLOSED, _("CIFAL centre (closed)"), centres.stable_key),
    ]
    legend = ms.Legend(
        _("Dead and missing per 2° cell, {start}-{end}").format(
            start=f"{span['first_date']:%Y}", end=f"{span['last_date']:%Y}"
        ),
        items,
        _(MMP_CAVEAT),
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
    q = memo(q)
    span = q("incident_date_range").iloc[0]
    year = (today or span["last_date"]).year
    filters = dict(date_from=span["first_date"], date_to=span["last_date"], **ALL)
    # every other query of the page at once (none needs another's result)
    q.prefetch(
        ("incident_bins", {"cell": 2.0, **filters}),
        ("site_bins", OPEN_SITES),
        ("route_totals", filters),
        ("overview_headline", {"year": year}),
        ("city_years", {}),
        ("city_sizes", BIG_CITIES),
        ("cifal_centres", {}),
        ("data_vintage", {}),
    )
    headline = q("overview_headline", year=year).iloc[0]
    headline["year"] = year
    bins = q("incident_bins", cell=2.0, **filters)
    spec = map_spec(q, countries, filters, bins, span)
    vintage = q("data_vintage")
    # The catalogue's English (copied into ``sources`` by the build), in this language.
    vintage = vintage.assign(title=vintage["title"].map(_), vintage=vintage["vintage"].map(_))
    return OverviewView(headline=headline, spec=spec, bins=bins, vintage=vintage)


__all__ = ["build", "day_month", "month_year", "OverviewView"]


# --------------------------------------------------------------------------- the page


def export(view: OverviewView, q: Query) -> PageExport:
    """The export facts of the Overview: dead and missing per 2° cell, all incidents."""
    h = view.headline
    everything = {**ALL, "date_from": h["first_date"], "date_to": h["last_date"]}
    # the layers this view shows (the session's choice in the layer picker), as drawn
    shown = [layer for layer in view.spec.layers if layer.show]
    dates = dict(start=fmt_date(h["first_date"]), end=fmt_date(h["last_date"]))
    first = (
        _("Dead and missing per 2° cell, {start} to {end}")
        if any(layer.stable_key == INCIDENTS_KEY for layer in shown)
        else _("{start} to {end}")
    ).format(**dates)
    others = [layer.name for layer in shown if layer.stable_key != INCIDENTS_KEY]
    return PAGE.facts(
        subtitle="; ".join([first, *others]),
        caveat=" ".join(filter(None, [_(MMP_CAVEAT), view.unlocated_note()])),
        load_data=lambda: view.bins,
        data_name=_("incidents per 2-degree cell"),
        headline=_("{n} dead and missing since {month}").format(
            n=fmt_int(int(h["dead_and_missing"])), month=month_year(h["first_date"])
        ),
        load_places=lambda: incident_places(q, everything),
        file_tags=[period_tag(h["first_date"], h["last_date"])],
    )


PAGE = Page(
    key="overview",
    title=N_("Arrival Atlas: routes, camps, cities and the CIFAL network"),
    nav_title=N_("Overview"),
    icon=":material/public:",
    file_stem=N_("overview"),
    order=0,
    datasets=(*MMP, "route_corridors", *SITES, "wup_cities", "cifal", "natural_earth"),
    data_datasets=MMP,
    options=no_options,
    State=NoState,
    build=lambda q, basemap, state=None, options=None: build(q, basemap),
    export=export,
    slide_headline=N_(
        "{dead_and_missing:,} people recorded dead or missing on migration routes since "
        "{first_date:%B %Y}"
    ),
)
