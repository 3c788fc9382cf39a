"""Camps and sites: the UNHCR location register, NW Syria ISIMM sites and the Cox's Bazar
camps, filtered by type, status, country and dataset, with every site coordinate
coarsened to a chosen precision before it is shown or exported.

Camp locations are sensitive: the default precision is coarse on purpose, and
:func:`coarsen` / :func:`coarsen_frame` are the one place positions are rounded, so the
map, the tables and any export built from :class:`CampsView` agree.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from functools import cached_property

import folium
import pandas as pd
import shapely
from shapely.geometry import mapping, shape

from geo import maps
from geo import mapspec as ms
from geo.catalog import SITES
from geo.i18n import DEFAULT, N_, _, fmt_int, fmt_num, fmt_pct, language, ngettext
from geo.maps import (
    BLUES,
    WORLD_BOUNDS,
    Circle,
    class_index,
    escape,
    nice_breaks,
    radius_for,
)
from geo.names import country_name
from geo.textmap import where
from geo.views import Query, link_value, link_values, memo, parse_list
from geo.views.page import (
    PLACES,
    MapView,
    Page,
    PageExport,
    Place,
    join_values,
    positions,
    tag_values,
)

STATUSES = ("all", "open", "closed")
DATASETS = {
    "unhcr_register": N_("UNHCR register"),
    "isimm": N_("NW Syria ISIMM"),
    "coxs_bazar": N_("Cox's Bazar"),
}
# Precision steps in degrees (URL value -> about how many km a step is). The first is
# the default; :func:`precision_label` says it in the viewer's language.
PRECISIONS = {"0.1": 11, "0.01": 1, "1": 110}
DEFAULT_PRECISION = "0.1"
POINT_LIMIT = 1500  # at most this many located sites are drawn one by one
TABLE_LIMIT = 1000  # rows of the on-screen sites table; its CSV export has every site
LARGEST_LIMIT = 15
ISIMM_CAVEAT = N_("ISIMM positions are imprecise on purpose (publisher).")
SITE_COLORS = ("#3182bd", "#969696")  # open, closed
ISIMM_COLOR = "#e6550d"
ISIMM_COLORS = ("#fdae6b", "#fd8d3c", "#e6550d", "#a63603", "#7f2704", "#4d1a02")
# Camp outlines in ColorBrewer BrBG's brown: the greens they had met the site blues
# under tritanopia (tests/test_colours.py).
OUTLINE_COLOR, OUTLINE_EDGE = "#8c510a", "#543005"
# Register sites are squares (open) and diamonds (closed), ISIMM's circles: shape tells
# the kinds apart as well as colour (WCAG 1.4.1).
SITE_SHAPES = ("square", "diamond")
OUTLINE_TOLERANCE = 0.0002  # degrees (~20 m): keeps the 33 outlines to a few tens of KB
OUTLINE_DIGITS = 4


def dataset_label(key: str) -> str:
    """A dataset's name (a key of :data:`DATASETS`) in the viewer's language."""
    return _(DATASETS[key]) if key in DATASETS else key


def precision_degrees(precision: str) -> str:
    """A precision step (a key of :data:`PRECISIONS`) as the language writes the number:
    0.1 / 0,1 (the URL value's own decimals, so English reads as the URL)."""
    return fmt_num(float(precision), len(precision.partition(".")[2]))


def precision_label(precision: str) -> str:
    """A precision choice as the sidebar names it: ``0.1° (about 11 km)``."""
    return _("{degrees}° (about {km} km)").format(
        degrees=precision_degrees(precision), km=fmt_int(PRECISIONS[precision])
    )


@dataclass(frozen=True)
class CampsOptions:
    """What the filters can take: the site types and countries (iso3) of the database."""

    site_types: list[str]
    countries: list[str]
    country_names: dict[str, str]  # iso3 -> name, for the country filter's labels


@dataclass
class CampsState:
    """The Camps and sites filters and the coordinate precision (all in the URL)."""

    site_types: list[str] = field(default_factory=list)
    status: str = "all"
    countries: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    precision: str = DEFAULT_PRECISION

    @property
    def step(self) -> float:
        """Coordinate precision in degrees."""
        return float(self.precision)

    def query_params(self) -> dict:
        """Bound parameters of the ``filtered_sites`` queries."""
        return dict(
            site_types=list(self.site_types),
            status=self.status,
            countries=list(self.countries),
            datasets=list(self.datasets),
        )

    @classmethod
    def defaults(cls, options: CampsOptions | None = None) -> CampsState:
        """Every site, positions rounded to 0.1°."""
        return cls()

    def describe(self) -> str:
        """One line saying what the filters select (the exports' subtitle)."""
        status = {"all": _("open and closed"), "open": _("open"), "closed": _("closed")}
        return "; ".join(
            [
                # names, as the filter shows them (the link and file names keep the codes)
                join_values(
                    [country_name(c) for c in self.countries], _("all countries"), _("countries")
                ),
                join_values(self.site_types, _("all site types"), _("types")),
                status[self.status],
                join_values(self.datasets, _("all datasets"), _("datasets")),
                _("positions rounded to {degrees}°").format(
                    degrees=precision_degrees(self.precision)
                ),
            ]
        )

    def to_params(self) -> dict[str, str]:
        """URL query parameters (only values that differ from the defaults)."""
        out: dict[str, str] = {}
        if self.site_types:
            out["type"] = "|".join(self.site_types)
        if self.status != "all":
            out["status"] = self.status
        if self.countries:
            out["country"] = "|".join(self.countries)
        if self.datasets:
            out["dataset"] = "|".join(self.datasets)
        if self.precision != DEFAULT_PRECISION:
            out["precision"] = self.precision
        return out

    @classmethod
    def from_params(cls, params, options: CampsOptions) -> tuple[CampsState, list[str]]:
        """State from URL parameters; invalid values fall back to defaults.

        Parameters
        ----------
        params : mapping
            ``st.query_params`` or a dict of strings.
        options : CampsOptions
            The allowed site types and countries.

        Returns
        -------
        (CampsState, notes) : notes say, in plain words, what was ignored.
        """
        notes: list[str] = []

        def get(key: str) -> str | None:
            v = params.get(key)
            if isinstance(v, list):
                v = v[-1] if v else None
            return None if v is None else str(v)

        types, bad = parse_list(get("type"), list(options.site_types))
        if bad:
            notes.append(_("unknown site type {values}").format(values=link_values(bad)))
        countries, bad = parse_list(get("country"), list(options.countries))
        if bad:
            notes.append(_("unknown country {values}").format(values=link_values(bad)))
        datasets, bad = parse_list(get("dataset"), list(DATASETS))
        if bad:
            notes.append(_("unknown dataset {values}").format(values=link_values(bad)))
        status = get("status") or "all"
        if status not in STATUSES:
            notes.append(_("unknown status {value}").format(value=repr(link_value(status))))
            status = "all"
        precision = get("precision") or DEFAULT_PRECISION
        if precision not in PRECISIONS:
            notes.append(_("unknown precision {value}").format(value=repr(link_value(precision))))
            precision = DEFAULT_PRECISION
        state = cls(types, status, countries, datasets, precision)
        return state, notes


def coarsen(value: float | None, step: float) -> float | None:
    """Round a coordinate to the nearest multiple of ``step`` degrees."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    digits = max(0, -math.floor(math.log10(step)))
    return round(round(value / step) * step, digits)


def coarsen_frame(df: pd.DataFrame, step: float) -> pd.DataFrame:
    """A copy of ``df`` with its ``lat``/``lon`` columns coarsened to ``step`` degrees."""
    out = df.copy()
    for col in ("lat", "lon"):
        if col in out:
            out[col] = [coarsen(v, step) if pd.notna(v) else None for v in out[col]]
            out[col] = out[col].astype("float64")
    return out


@dataclass
class CampsView(MapView):
    """What the Camps and sites page shows (every coordinate already coarsened)."""

    state: CampsState
    headline: pd.Series  # the headline figures (``site_totals``)
    match: pd.Series
    mode: str  # "points" or "bins"
    spec: ms.MapSpec  # the map, as a description (every output is drawn from it)
    layers: dict[str, pd.DataFrame]
    sites: pd.DataFrame  # the sites table: the page's default section
    # The other sections' queries run when first read (the page reads the open tab's).
    q: Query = field(repr=False, default=None)

    @cached_property
    def largest(self) -> pd.DataFrame:
        """Largest sites by 2025 population (coarsened)."""
        f = self.state.query_params()
        return coarsen_frame(self.q("site_largest_2025", **f, limit=LARGEST_LIMIT), self.state.step)

    @cached_property
    def isimm_months(self) -> pd.DataFrame:
        """NW Syria ISIMM people and sites per month (not filtered)."""
        return self.q("isimm_monthly_totals")


def _pct(part, whole) -> str:
    return fmt_pct(int(part) / max(int(whole), 1))


def population_note(match: pd.Series, places: list[str] | None = None) -> str:
    """The statement beside the 2025 populations: what joined, and who cannot be placed.

    Parameters
    ----------
    match : pandas.Series
        A row of ``site_population_match`` (for the country filter in force).
    places : list of str, optional
        Names of the chosen countries of asylum (none: all countries).

    Returns
    -------
    str
        Plain text (the page escapes it, country names included, with ``md_plain``).
    """
    where = ", ".join(places or [])
    people, away = int(match["people"]), int(match["people_not_at_site"])
    if not people:
        if where:
            return _("UNHCR reports no end-2025 camp population in {places}.").format(places=where)
        return _("UNHCR reports no end-2025 camp population.")
    if where:
        total = _(
            "UNHCR end-2025 populations of planned and self-settled camps in {places}: "
            "{people} people."
        ).format(places=where, people=fmt_int(people))
    else:
        total = _(
            "UNHCR end-2025 populations of planned and self-settled camps: {people} people."
        ).format(people=fmt_int(people))
    # (none unplaced: no sentence of zeros; the joined sentence says where they are)
    unplaced = (
        ""
        if not away
        else _(
            "{away} of them ({share}) cannot be placed at a site, because UNHCR reports them for "
            "a whole area: {admin1} per state or province (Admin 1), {admin2} per district "
            "(Admin 2) and {dispersed} as dispersed in the country."
        ).format(
            away=fmt_int(away),
            share=_pct(away, people),
            admin1=fmt_int(match["people_admin1"]),
            admin2=fmt_int(match["people_admin2"]),
            dispersed=fmt_int(match["people_dispersed"]),
        )
    )
    joined = (
        _(
            "Of the {sites} named sites ({at_sites} people), {joined} joined a register site "
            "by name and country, covering {people_joined} people ({share} of the total)."
        )
        if match["sites_joined"] == match["camps_joined"]
        else _(
            "Of the {sites} named sites ({at_sites} people), {joined} joined {register} "
            "register sites by name and country (UNHCR can list one site in several parts), "
            "covering {people_joined} people ({share} of the total)."
        )
    ).format(
        sites=fmt_int(match["site_rows"]),
        at_sites=fmt_int(match["people_at_sites"]),
        joined=fmt_int(match["camps_joined"]),
        register=fmt_int(match["sites_joined"]),
        people_joined=fmt_int(match["people_joined"]),
        share=_pct(match["people_joined"], people),
    )
    rest = _(
        "Sites without a match show no population; the register itself dates from January 2020."
    )
    return " ".join(part for part in (total, unplaced, joined, rest) if part)


def options(q: Query) -> CampsOptions:
    """The filter choices of the database (``site_types``, ``site_countries``); the
    datasets are fixed (:data:`DATASETS`)."""
    types = q("site_types")
    countries = q("site_countries")
    return CampsOptions(
        site_types=types["site_type"].tolist(),
        countries=countries["iso3"].tolist(),
        country_names=dict(zip(countries["iso3"], countries["name"], strict=True)),
    )


def _groups(state: CampsState) -> tuple[list[str], list[str]]:
    """Dataset lists of the two site layers (register + Cox's Bazar, ISIMM); [] = skip."""
    chosen = state.datasets or list(DATASETS)
    main = [d for d in chosen if d != "isimm"]
    isimm = [d for d in chosen if d == "isimm"]
    return main, isimm


def _int(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


ISIMM_TYPES = {
    "IS": N_("informal settlement"),
    "PC": N_("planned camp"),
    "CC": N_("collective centre"),
    "T/RC": N_("transit/reception centre"),
}
# Constant text lives in the layer's format (sent once), only the values per site.
POINT_FORMAT = N_("<b>{0}</b><br>{1}, {2}<br>{3}<br>2025 population: {4}")
ISIMM_FORMAT = N_(
    "<b>{0}</b><br>{1}, north-west Syria<br>about {2} people (July 2020)"
    "<br><i>approximate position</i>"
)
BIN_FORMAT = N_("<b>{0} sites</b> ({1} open)<br>mostly {2}<br>{3}")


def _tip_number(n: int):
    """A number for a tooltip format: English leaves it to the browser (en-US grouping,
    as before); another language gets it written its own way (76 272, 76.272)."""
    return n if language() == DEFAULT else fmt_int(n)


# What each site layer draws (catalog keys): the register with its joined 2025
# populations and the Cox's Bazar camps merged into it, or the ISIMM sites.
MAIN_DATASETS = ("unhcr_register", "coxs_bazar", "unhcr_demographics")
ISIMM_DATASETS = ("isimm",)


def _isimm_type(code) -> str:
    """An ISIMM site type code in words (the app's own words), else the code as published."""
    if code in ISIMM_TYPES:
        return _(ISIMM_TYPES[code])
    return code or _("type not given")


def site_type_label(code: str) -> str:
    """A site type as the filter offers it: ISIMM's codes in words with the code and where
    they apply ("planned camp (PC, NW Syria ISIMM)"), other types as published (the link
    keeps the value itself)."""
    if code in ISIMM_TYPES:
        return _("{words} ({code}, NW Syria ISIMM)").format(words=_isimm_type(code), code=code)
    return code


def _point_layer(name: str, sites: pd.DataFrame, isimm: bool, key: str = "") -> ms.CircleLayer:
    no_name = _("(no name)")
    if isimm:
        vmax = float(sites["individuals"].max() or 1) if len(sites) else 1.0
        circles = [
            Circle(
                r.lat,
                r.lon,
                radius_for(_int(r.individuals) or 0, vmax, min_px=3, max_px=12),
                0,
                values=(
                    escape(r.name) or no_name,
                    escape(_isimm_type(r.site_type)),
                    _tip_number(_int(r.individuals)) if _int(r.individuals) is not None else "?",
                ),
            )
            for r in sites.itertuples()
        ]
        return ms.CircleLayer(
            name=name,
            key=key,
            datasets=ISIMM_DATASETS,
            circles=circles,
            colors=[ISIMM_COLOR],
            stroke="#7f2704",
            fill_opacity=0.6,
            tooltip_format=_(ISIMM_FORMAT),
            table=ms.LayerTable(
                [_("Site"), _("Type"), _("People (July 2020)")],
                [
                    (r.name or no_name, _isimm_type(r.site_type), _int(r.individuals))
                    for r in sites.itertuples()
                ],
                measure=2,
                sentence=ngettext(
                    "{n} site at an approximate position, about {total} people; the largest, "
                    "{top}, about {top_value}.",
                    "{n} sites at approximate positions, about {total} people; the largest, "
                    "{top}, about {top_value}.",
                    len(sites),
                ),
            ),
        )
    pops = sites["population_2025"].dropna()
    vmax = float(pops.max()) if len(pops) else 1.0
    words = {
        "type": _("type not given"),
        "open": _("open"),
        "closed": _("closed"),
        "country": _("country not given"),
        "pop": _("not joined"),
    }
    circles = [
        Circle(
            r.lat,
            r.lon,
            radius_for(_int(r.population_2025) or 0, vmax, min_px=4, max_px=16),
            0 if r.is_open else 1,
            values=(
                escape(r.name) or no_name,
                escape(r.site_type) or words["type"],
                words["open"] if r.is_open else words["closed"],
                escape(r.country) or words["country"],
                _tip_number(_int(r.population_2025))
                if pd.notna(r.population_2025)
                else words["pop"],
            ),
        )
        for r in sites.itertuples()
    ]
    return ms.CircleLayer(
        name=name,
        key=key,
        datasets=MAIN_DATASETS,
        circles=circles,
        colors=SITE_COLORS,
        shapes=SITE_SHAPES,
        stroke="#08306b",
        fill_opacity=0.75,
        tooltip_format=_(POINT_FORMAT),
        table=ms.LayerTable(
            [_("Site"), _("Type"), _("Status"), _("Country"), _("2025 population")],
            [
                (
                    r.name or no_name,
                    r.site_type or words["type"],
                    words["open"] if r.is_open else words["closed"],
                    r.country or words["country"],
                    _int(r.population_2025),
                )
                for r in sites.itertuples()
            ],
            measure=4,
            sentence=ngettext(
                "{n} site; {total} people at the sites with a 2025 population; the largest, "
                "{top}, {top_value}.",
                "{n} sites; {total} people at the sites with a 2025 population; the largest, "
                "{top}, {top_value}.",
                len(sites),
            ),
        ),
    )


def site_bin_layer(
    name: str,
    bins: pd.DataFrame,
    colors,
    breaks,
    isimm: bool | None,
    vmax: float,
    *,
    show: bool = True,
    key: str = "",
) -> ms.CircleLayer:
    """Circles for rows of ``site_bins``: area by sites, colour by class.

    ``isimm`` says whether the bins are ISIMM sites; ``None`` reads each row's ``isimm``
    flag (the Overview draws both in one layer). ``key`` is the layer's stable key (''
    means its name's slug, see :attr:`geo.mapspec.Layer.stable_key`).
    """
    approximate = "<i>" + _("approximate positions") + "</i>"
    about = _("about {n} people (July 2020)")
    at_joined = _("{n} people at joined sites (2025)")
    no_type = _("type not given")
    circles, rows = [], []
    for r in bins.itertuples():
        rows.append(
            (
                where(r.lat, r.lon),
                int(r.sites),
                int(r.open_sites),
                r.top_type if isinstance(r.top_type, str) else no_type,
            )
        )
        if isimm if isimm is not None else bool(r.isimm):
            people = _int(r.people_isimm)
            extra = (about.format(n=fmt_int(people)) + "<br>" if people else "") + approximate
        else:
            pop = _int(r.people_2025)
            extra = at_joined.format(n=fmt_int(pop)) if pop else ""
        circles.append(
            Circle(
                r.lat,
                r.lon,
                radius_for(r.sites, vmax, min_px=3, max_px=18),
                class_index(r.sites, breaks),
                values=(
                    _tip_number(int(r.sites)),
                    _tip_number(int(r.open_sites)),
                    escape(r.top_type) if isinstance(r.top_type, str) else no_type,
                    extra,
                ),
            )
        )
    return ms.CircleLayer(
        name=name,
        key=key,
        datasets=(
            ISIMM_DATASETS if isimm else MAIN_DATASETS + (ISIMM_DATASETS if isimm is None else ())
        ),
        show=show,
        circles=circles,
        colors=colors,
        shapes=() if isimm else ("square",) * len(colors),
        stroke="#7f2704" if isimm else "#08306b",
        fill_opacity=0.75,
        tooltip_format=_(BIN_FORMAT),
        table=ms.LayerTable(
            [_("Cell"), _("Sites"), _("Open sites"), _("Main type")],
            rows,
            measure=1,
            sentence=ngettext(
                "{n} grid cell holds {total} sites; the most, {top_value}, around {top}.",
                "{n} grid cells hold {total} sites; the most, {top_value}, around {top}.",
                len(rows),
            ),
        ),
    )


def outlines_geojson(outlines: pd.DataFrame) -> dict:
    """Camp outlines as a compact FeatureCollection (simplified, escaped ``tip``)."""
    features = []
    no_area = _("area not given")
    tip_format = _(
        "<b>{name}</b> ({ssid})<br>{upazila} upazila, {union} union<br>{area} (RRRC/ISCG outline)"
    )
    for r in outlines.itertuples():
        g = shape(json.loads(r.geometry)).simplify(OUTLINE_TOLERANCE, preserve_topology=True)
        g = shapely.set_precision(g, 10**-OUTLINE_DIGITS)
        if g.is_empty:
            continue
        area = fmt_num(r.area_km2, 2) + " km²" if pd.notna(r.area_km2) else no_area
        tip = tip_format.format(
            name=escape(r.name),
            ssid=escape(r.ssid),
            upazila=escape(r.upazila),
            union=escape(r.union_name),
            area=area,
        )
        features.append({"type": "Feature", "properties": {"tip": tip}, "geometry": mapping(g)})
    return {"type": "FeatureCollection", "features": features}


def outline_layer(name: str, data: dict, key: str = "") -> ms.PolygonLayer:
    """The Cox's Bazar camp outlines (a FeatureCollection from :func:`outlines_geojson`)."""
    return ms.PolygonLayer(
        name=name,
        key=key,
        datasets=("coxs_bazar",),
        data=data,
        style={
            "color": OUTLINE_EDGE,
            "weight": 1.2,
            "fillColor": OUTLINE_COLOR,
            "fillOpacity": 0.35,
        },
    )


def _bounds(frames: list[pd.DataFrame], pad: float) -> list[list[float]] | None:
    frames = [f[["lat", "lon"]].dropna() for f in frames if len(f)]
    if not frames:
        return None
    pts = pd.concat(frames, ignore_index=True)
    if pts.empty:
        return None
    # With many sites, fit the 1st-99th percentiles: one misplaced register entry
    # (Sutomore, listed in Serbia, lies at 0.5 N in the register) must not stretch a
    # country's view to the equator. Every site is still drawn.
    lo, hi = (0.01, 0.99) if len(pts) >= 50 else (0.0, 1.0)
    s, n = float(pts["lat"].quantile(lo)) - pad, float(pts["lat"].quantile(hi)) + pad
    w, e = float(pts["lon"].quantile(lo)) - pad, float(pts["lon"].quantile(hi)) + pad
    return [[max(s, -85.0), max(w, -180.0)], [min(n, 85.0), min(e, 180.0)]]


def split_totals(rows: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """The ``site_totals`` result as (all filtered sites, one row per dataset)."""
    flag = rows["all_datasets"].astype(bool)
    return rows.loc[flag].iloc[0], rows.loc[~flag].reset_index(drop=True)


def all_sites(q: Query, state: CampsState, total: int) -> pd.DataFrame:
    """Every filtered site (``total`` of them, the view's headline count), coarsened like
    the page's table (for the CSV and GeoJSON exports, not cut at :data:`TABLE_LIMIT`)."""
    rows = q("site_list", **state.query_params(), limit=max(total, 1), located_only=False)
    return coarsen_frame(rows, state.step)


def build_map(
    q: Query, countries: dict, state: CampsState, totals: pd.DataFrame | None = None
) -> tuple[folium.Map, str, dict[str, pd.DataFrame]]:
    """The Camps and sites map for a state (:func:`map_spec`, rendered), its mode and
    the rows of each layer."""
    spec, mode, layers = map_spec(q, countries, state, totals)
    return maps.render(spec), mode, layers


# The layers' names, in English: keys of the rows by layer (``CampsView.layers``) and,
# as slugs, the layers' stable keys (the ``layers`` URL value, the same in every
# language); the map shows them translated.
SITES_LAYER = N_("Camps and sites (UNHCR register, Cox's Bazar)")
ISIMM_LAYER = N_("NW Syria IDP sites (CCCM ISIMM) - approximate positions")
OUTLINE_LAYER = N_("Cox's Bazar camp outlines (RRRC/ISCG)")


@dataclass
class _Drawn:
    """What the layer functions of :func:`map_spec` add to: the rows each layer draws
    (by name), the layers in drawing order and the legend items."""

    rows: dict[str, pd.DataFrame] = field(default_factory=dict)
    layers: list[ms.Layer] = field(default_factory=list)
    items: list[ms.LegendItem] = field(default_factory=list)


def site_point_layers(
    q: Query, state: CampsState, main_ds: list[str], isimm_ds: list[str], out: _Drawn
) -> str:
    """Each located site (coarsened): the register's and Cox's Bazar's, then ISIMM's in
    their own layer. Returns the legend's title."""
    # Points mode means at most POINT_LIMIT sites have a position.
    sites = q("site_list", **state.query_params(), limit=POINT_LIMIT, located_only=True)
    sites = coarsen_frame(sites, state.step)
    if main_ds:
        main = sites[sites["dataset"].isin(main_ds)]
        out.rows[SITES_LAYER] = main
        out.layers.append(_point_layer(_(SITES_LAYER), main, isimm=False, key=ms.slug(SITES_LAYER)))
        key = out.layers[-1].stable_key  # a picture with the layer hidden leaves these out
        out.items += [
            ms.mark(
                SITE_SHAPES[0], SITE_COLORS[0], _("open site (size: 2025 population)"), layer=key
            ),
            ms.mark(SITE_SHAPES[1], SITE_COLORS[1], _("closed site"), layer=key),
        ]
    if isimm_ds:
        isimm = sites[sites["dataset"].isin(isimm_ds)]
        out.rows[ISIMM_LAYER] = isimm
        out.layers.append(_point_layer(_(ISIMM_LAYER), isimm, isimm=True, key=ms.slug(ISIMM_LAYER)))
        out.items.append(
            ms.dot(
                ISIMM_COLOR,
                _("NW Syria IDP site, approximate (size: people)"),
                layer=out.layers[-1].stable_key,
            )
        )
    return _("Camps and sites (rounded to {degrees}°)").format(
        degrees=precision_degrees(state.precision)
    )


def _site_bins(
    q: Query, state: CampsState, main_ds: list[str], isimm_ds: list[str], cell: float
) -> dict[str, pd.DataFrame]:
    """``site_bins`` of the chosen datasets, by layer (its English name; coarsened)."""
    if not (main_ds or isimm_ds):
        return {}
    # One query for both layers (ISIMM bins flagged), split here.
    f = state.query_params()
    bins = q("site_bins", **{**f, "datasets": main_ds + isimm_ds}, cell=cell)
    is_isimm = bins["isimm"].astype(bool)
    frames = {}
    for name, chosen, rows in (
        (SITES_LAYER, main_ds, ~is_isimm),
        (ISIMM_LAYER, isimm_ds, is_isimm),
    ):
        if chosen:
            part = bins.loc[rows].drop(columns="isimm").reset_index(drop=True)
            frames[name] = coarsen_frame(part, state.step)
    return frames


def site_bin_layers(
    q: Query, state: CampsState, main_ds: list[str], isimm_ds: list[str], out: _Drawn
) -> str:
    """Sites counted per grid cell (2°, 0.5° for chosen countries), one class scale for
    the register's bins and ISIMM's. Returns the legend's title."""
    cell = 2.0 if not state.countries else 0.5
    frames = _site_bins(q, state, main_ds, isimm_ds, cell)
    all_counts = pd.concat([b["sites"] for b in frames.values()]) if frames else []
    breaks = nice_breaks(list(all_counts))
    vmax = float(max(all_counts, default=1) or 1)
    keys = {}  # layer name -> stable key: a picture with the layer hidden leaves its items out
    for name, bins in frames.items():
        isimm = name == ISIMM_LAYER
        out.rows[name] = bins
        colors = ISIMM_COLORS if isimm else BLUES
        out.layers.append(
            site_bin_layer(_(name), bins, colors, breaks, isimm, vmax, key=ms.slug(name))
        )
        keys[name] = out.layers[-1].stable_key
    if SITES_LAYER in frames:
        out.items += [
            replace(i, kind="square", layer=keys[SITES_LAYER])
            for i in ms.class_legend_items(breaks, BLUES, _("sites"))
        ]
    if ISIMM_LAYER in frames:
        out.items.append(
            ms.dot(ISIMM_COLORS[2], _("NW Syria IDP sites (ISIMM)"), layer=keys[ISIMM_LAYER])
        )
    return _("Sites per {cell}° cell (rounded to {degrees}°)").format(
        cell=fmt_num(cell, 0 if float(cell).is_integer() else 1),
        degrees=precision_degrees(state.precision),
    )


def camp_outline_layer(
    q: Query, state: CampsState, has: set[str]
) -> tuple[ms.PolygonLayer, pd.DataFrame] | None:
    """The Cox's Bazar outlines and their rows when the filter can include those camps
    (else None)."""
    # The Cox's Bazar camps are register sites (their centroids are merged into them at
    # build), so the outlines follow a filter that can include those camps.
    chosen = set(state.datasets or DATASETS)
    in_bgd = not state.countries or "BGD" in state.countries
    if not ("coxs_bazar" in has or (chosen & {"coxs_bazar", "unhcr_register"} and in_bgd)):
        return None
    data = outlines_geojson(q("camp_outlines"))
    rows = pd.DataFrame({"tip": [ft["properties"]["tip"] for ft in data["features"]]})
    return outline_layer(_(OUTLINE_LAYER), data, key=ms.slug(OUTLINE_LAYER)), rows


def map_spec(
    q: Query, countries: dict, state: CampsState, totals: pd.DataFrame | None = None
) -> tuple[ms.MapSpec, str, dict[str, pd.DataFrame]]:
    """The description of the Camps and sites map for a state.

    Individual sites (coarsened, escaped tooltips) when at most :data:`POINT_LIMIT`
    located sites pass the filters, else bins of ``site_bins``; ISIMM sites in their own
    layer flagged as approximate; Cox's Bazar outlines when the filter includes them.

    Returns
    -------
    (MapSpec, mode, layers) : mode is ``"points"`` or ``"bins"``; layers maps each
        layer (its English name, :data:`SITES_LAYER`...) to the (coarsened) rows it draws.
    """
    f = state.query_params()
    per_dataset = totals if totals is not None else split_totals(q("site_totals", **f))[1]
    located = int(per_dataset["located"].sum()) if len(per_dataset) else 0
    has = set(per_dataset.loc[per_dataset["sites"] > 0, "dataset"]) if len(per_dataset) else set()
    mode = "points" if located <= POINT_LIMIT else "bins"
    main_ds, isimm_ds = _groups(state)
    main_ds = [d for d in main_ds if d in has]
    isimm_ds = [d for d in isimm_ds if d in has]
    out = _Drawn()
    sites_of = site_point_layers if mode == "points" else site_bin_layers
    title = sites_of(q, state, main_ds, isimm_ds, out)
    outlines = camp_outline_layer(q, state, has)
    if outlines is not None:
        out.rows[OUTLINE_LAYER] = outlines[1]
        out.items.append(
            ms.box(
                OUTLINE_COLOR,
                _("Cox's Bazar camp outline"),
                14,
                10,
                opacity=0.6,
                border=OUTLINE_EDGE,
                layer=outlines[0].stable_key,
            )
        )
    bounds = None
    if state.countries or mode == "points":
        frames = [out.rows[n] for n in (SITES_LAYER, ISIMM_LAYER) if n in out.rows]
        bounds = _bounds(frames, pad=max(state.step, 1.0))
    if outlines is not None:
        out.layers.append(outlines[0])
    note = (_(ISIMM_CAVEAT) + " " if isimm_ds else "") + _(
        "Positions rounded on purpose: camp locations are sensitive."
    )
    items = out.items or [ms.dot("#ffffff", _("no sites match the filters"))]
    legend = ms.Legend(title, items, note, position="bottomleft")
    bounds = [list(b) for b in bounds or WORLD_BOUNDS]
    return ms.MapSpec(countries, out.layers, [legend], bounds=bounds), mode, out.rows


def build(q: Query, countries: dict, state: CampsState | None = None) -> CampsView:
    """Run the Camps and sites queries and build the map (coordinates coarsened).

    Parameters
    ----------
    q : Query
        Query runner.
    countries : dict
        Basemap countries.
    state : CampsState, optional
        Filters and precision (default: everything, 0.1°).
    """
    q = memo(q)  # the map and the tables share some queries
    state = state or CampsState()
    f = state.query_params()
    matched = {"countries": list(state.countries)}
    listed = {**f, "limit": TABLE_LIMIT, "located_only": False}
    # the headline's and the table's queries beside the map's
    q.prefetch(("site_population_match", matched), ("site_list", listed))
    totals, per_dataset = split_totals(q("site_totals", **f))
    match = q("site_population_match", **matched).iloc[0]
    spec, mode, layers = map_spec(q, countries, state, per_dataset)
    sites = coarsen_frame(q("site_list", **listed), state.step)
    return CampsView(
        state=state,
        headline=totals,
        match=match,
        mode=mode,
        spec=spec,
        layers=layers,
        sites=sites,
        q=q,
    )


__all__ = [
    "CampsOptions",
    "CampsState",
    "CampsView",
    "all_sites",
    "build",
    "build_map",
    "coarsen",
    "coarsen_frame",
    "dataset_label",
    "options",
    "population_note",
    "precision_degrees",
    "precision_label",
    "site_type_label",
    "split_totals",
]


# --------------------------------------------------------------------------- the page


def export(view: CampsView, q: Query) -> PageExport:
    """The export facts of a Camps and sites view: every filtered site, coarsened."""
    s = view.state
    n, c = int(view.headline["sites"]), int(view.headline["countries"])

    def places() -> list[Place]:
        rows = q("site_places", limit=PLACES * 2, step=s.step, **s.query_params())
        rows = rows.rename(columns={"country": "name"})
        return positions(rows, ("label_lat", "label_lon"), ("lat", "lon"))

    return PAGE.facts(
        subtitle=s.describe(),
        caveat=None,
        load_data=lambda: all_sites(q, s, n),
        data_name=_("sites"),
        params=s.to_params(),
        headline=_("{sites} in {countries}").format(
            sites=ngettext("{n} site", "{n} sites", n).format(n=fmt_int(n)),
            countries=ngettext("{n} country", "{n} countries", c).format(n=fmt_int(c)),
        ),
        load_places=places,
        file_tags=[
            *tag_values(s.countries, "countries"),
            *tag_values(s.site_types, "types"),
            *([s.status] if s.status != "all" else []),
            *tag_values(s.datasets, "datasets"),
        ],
    )


def choices(opts: CampsOptions) -> dict[str, list[str]]:
    """The values each parameter can take, as URL strings."""
    return {
        "type": [str(v) for v in opts.site_types],
        "country": [str(v) for v in opts.countries],
        "dataset": list(DATASETS),
        "status": list(STATUSES),
        "precision": list(PRECISIONS),
    }


PAGE = Page(
    key="camps",
    title=N_("Camps and sites"),
    nav_title=N_("Camps and sites"),
    icon=":material/camping:",
    file_stem=N_("camps and sites"),
    order=2,
    datasets=(*SITES, "natural_earth"),
    data_datasets=SITES,
    options=options,
    State=CampsState,
    build=lambda q, basemap, state=None, options=None: build(q, basemap, state),
    export=export,
    choices=choices,
    slide_headline=N_("{sites:,} camps and sites, {open_sites:,} of them open"),
)
