"""Arrival cities: UN WUP 2018 agglomerations as proportional circles for a chosen year
or their growth between two years, refugees hosted by country of asylum (UNHCR) as a
choropleth, and the cities nearest each route corridor's destination end."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from geo import maps
from geo import mapspec as ms
from geo.catalog import oip_note, wup_projection_note, wup_year_label
from geo.i18n import DEFAULT, N_, _, fmt_int, fmt_num, fmt_pct, language, ngettext, using
from geo.maps import (
    BLUES,
    REDS,
    Circle,
    class_index,
    escape,
    nice_breaks,
    radius_for,
)
from geo.playback import CITY_STEP, PLAY_KEY, PlaybackInfo, city_playback
from geo.views import Query, link_value, memo, pick_choice
from geo.views.page import PLACES, MapView, Page, PageExport, positions

if TYPE_CHECKING:  # CIFAL's state shares the year fields (no import at run time)
    from geo.views.cifal import CifalState

# The URL values (keys) stay English; the labels are translated where shown: _(MODES[m]).
MODES = {"population": N_("City population in a year"), "growth": N_("Growth between two years")}
MIN_POPULATIONS = (300_000, 1_000_000, 5_000_000, 10_000_000)
CITY_BREAKS = (1e6, 5e6, 10e6, 20e6)  # population classes of the circles (people)
NEAREST_K = (1, 2, 3, 4, 5)
DECLINE = "#969696"
DEST = "#252525"


def english_key(name: Callable[[], str]) -> str:
    """A layer's id (picker, link, briefing): the slug of its English name, whatever the
    language of this run, so a link or a slide names the same layer in every language."""
    with using(DEFAULT):
        return ms.slug(name())


def tip_number(x: float, digits: int | None = None):
    """A number a tooltip shows, rounded to ``digits`` (None: a whole number): in English
    the number itself (the browser writes it, as before: 12.35, 3.1, 1234), in French and
    Spanish the language's form (12,35; 1 234)."""
    if language() == DEFAULT:
        return round(x, digits)
    return fmt_int(x) if digits is None else fmt_num(x, digits)


def signed_int(n) -> str:
    """A whole number with its sign: +12,345 / -3,210 (+12 345 in French)."""
    n = int(n)
    return ("+" if n >= 0 else "") + fmt_int(n)


def signed_pct(pct: float) -> str:
    """A percent change with its sign: +35% in English (ungrouped, as before), the
    language's percent form otherwise (+35 %)."""
    if language() == DEFAULT:
        return f"{pct:+.0f}%"
    return ("+" if round(pct) >= 0 else "") + fmt_pct(pct / 100)


@dataclass(frozen=True)
class CitiesOptions:
    """What the Cities widgets may offer, from the data."""

    years: tuple[int, ...]
    projected: frozenset[int]
    refugee_years: tuple[int, ...]

    def year_label(self, year: int) -> str:
        """'2025 (2018 projection)' for a projected year, else '1990'."""
        return wup_year_label(year, year in self.projected)

    def projection_note(self, *years: int) -> str:
        """The WUP projection caveat when any of ``years`` is projected, else ''."""
        return wup_projection_note(self.projected) if set(years) & self.projected else ""


def year_options(q: Query) -> CitiesOptions:
    """The WUP years (with projections) alone, no UNHCR year (``city_years``): the
    options of a page drawing no refugee layer (CIFAL network)."""
    y = q("city_years")
    return CitiesOptions(
        years=tuple(int(v) for v in y["year"]),
        projected=frozenset(int(v) for v, p in zip(y["year"], y["projected"], strict=True) if p),
        refugee_years=(),
    )


def options(q: Query) -> CitiesOptions:
    """Available WUP years (with projections) and UNHCR years (≤ 2025)."""
    r = q("refugees_years").iloc[0]
    last = min(int(r["last_year"]), 2025)
    return replace(year_options(q), refugee_years=tuple(range(int(r["first_year"]), last + 1)))


def fit_years(state: CitiesState | CifalState, opts: CitiesOptions) -> None:
    """Move a state's default map year and growth period onto the WUP years offered.

    A default not among ``opts.years`` becomes the latest year (map year, period end)
    or the first one (period start). Shared by the Arrival cities and CIFAL states.
    """
    ys = opts.years
    if state.year not in ys:
        state.year = ys[-1]
    if state.year_from not in ys:
        state.year_from = ys[0]
    if state.year_to not in ys:
        state.year_to = ys[-1]


def fix_growth_period(
    state: CitiesState | CifalState, default: CitiesState | CifalState, notes: list[str]
) -> None:
    """Replace an empty growth period (start not before end) by the default one, noting it."""
    if state.year_from >= state.year_to:
        notes.append(
            _(
                "The growth period {start}–{end} is empty; showing {default_start}–{default_end}."
            ).format(
                start=state.year_from,
                end=state.year_to,
                default_start=default.year_from,
                default_end=default.year_to,
            )
        )
        state.year_from, state.year_to = default.year_from, default.year_to


@dataclass
class CitiesState:
    """The Arrival cities page state; round-trips through URL query parameters."""

    year: int = 2025
    mode: str = "population"
    year_from: int = 2015
    year_to: int = 2035
    min_population: int = 300_000
    refugee_year: int = 2025
    k: int = 3
    play: bool = False  # time playback over the WUP years (population mode)

    @classmethod
    def defaults(cls, opts: CitiesOptions) -> CitiesState:
        s = cls()
        fit_years(s, opts)
        if s.refugee_year not in opts.refugee_years:
            s.refugee_year = opts.refugee_years[-1]
        return s

    @classmethod
    def from_params(
        cls, params: Mapping[str, str], opts: CitiesOptions
    ) -> tuple[CitiesState, list[str]]:
        """State from URL parameters; invalid values fall back to defaults with a note each."""
        s = cls.defaults(opts)
        notes: list[str] = []

        pick_choice(s, params, "year", "year", opts.years, _("year"), notes)
        pick_choice(s, params, "from", "year_from", opts.years, _("growth start year"), notes)
        pick_choice(s, params, "to", "year_to", opts.years, _("growth end year"), notes)
        pick_choice(
            s, params, "min", "min_population", MIN_POPULATIONS, _("minimum city size"), notes
        )
        pick_choice(
            s, params, "ryear", "refugee_year", opts.refugee_years, _("refugee year"), notes
        )
        pick_choice(s, params, "k", "k", NEAREST_K, _("number of nearest cities"), notes)
        mode = params.get("mode")
        if mode:
            if mode in MODES:
                s.mode = mode
            else:
                # the mode shown is its URL value (what the link would need to say)
                notes.append(
                    _("Ignored map mode {value} from the link; showing {mode}.").format(
                        value=repr(link_value(mode)), mode=s.mode
                    )
                )
        play = params.get(PLAY_KEY)
        if play:
            if play == CITY_STEP:
                s.play = True
            else:
                notes.append(
                    _("Ignored play={value} from the link ({expected} expected).").format(
                        value=repr(link_value(play)), expected=CITY_STEP
                    )
                )
        fix_growth_period(s, cls.defaults(opts), notes)
        return s, notes

    def to_params(self) -> dict[str, str]:
        return {
            "year": str(self.year),
            "mode": self.mode,
            "from": str(self.year_from),
            "to": str(self.year_to),
            "min": str(self.min_population),
            "ryear": str(self.refugee_year),
            "k": str(self.k),
            **({PLAY_KEY: CITY_STEP} if self.play else {}),
        }

    def describe(self) -> str:
        """One line saying what the state shows (years as numbers, no projection mark)."""
        shown = (
            _("growth {start}-{end}").format(start=self.year_from, end=self.year_to)
            if self.mode == "growth"
            else _("population, played over every WUP year")
            if self.play
            else _("population {year}").format(year=self.year)
        )
        return _(
            "{shown}; cities of {min}+; refugees hosted at the end of {refugee_year}; "
            "{k} nearest cities per corridor end"
        ).format(
            shown=shown,
            min=fmt_int(self.min_population),
            refugee_year=self.refugee_year,
            k=self.k,
        )


@dataclass
class CitiesView(MapView):
    """What the Arrival cities page shows.

    ``headline`` is for ``headline_year``: the chosen year, or in growth mode the end
    year of the growth period (the cities the circles show). ``oip`` is the row of
    ``refugees_oip`` (people the refugee layer leaves out) and ``oip_note`` says so;
    ``projection_note`` is the WUP projection caveat of the years shown ('' if none).
    """

    state: CitiesState
    headline: pd.Series
    cities: pd.DataFrame
    growth: pd.DataFrame
    refugees: pd.DataFrame
    nearest: pd.DataFrame
    spec: ms.MapSpec  # the map, as a description (every output is drawn from it)
    notes: list[str] = field(default_factory=list)
    headline_year: int = 0
    oip: pd.Series | None = None
    oip_note: str = ""
    projection_note: str = ""
    playback: PlaybackInfo | None = None  # the frames, when the map plays over the years


CountryChoropleth = maps.CountryChoropleth  # the renderer's (the choropleth kind)


def refugee_layer(
    refugees: pd.DataFrame, basemap_features: list[dict], year: int
) -> tuple[ms.ChoroplethLayer, list[ms.LegendItem]]:
    """Choropleth of refugees + asylum-seekers by country of asylum (joined by ISO3 to
    the basemap's ``basemap_features``, see :meth:`geo.mapspec.MapSpec.basemap_features`)."""
    on_map = {f["properties"]["iso3"] for f in basemap_features}
    shown = refugees[refugees["asylum_iso3"].isin(on_map)]
    breaks = nice_breaks(shown["total"].tolist())
    values = {
        r.asylum_iso3: {
            "total": int(r.total),
            "fill": BLUES[class_index(r.total, breaks)],
            "tip": f"<b>{escape(r.asylum_name)}</b><br>"
            + _(
                "{total} refugees and asylum-seekers, end {year}<br>({refugees} refugees, "
                "{asylum_seekers} asylum-seekers)"
            ).format(
                total=fmt_int(r.total),
                year=year,
                refugees=fmt_int(r.refugees),
                asylum_seekers=fmt_int(r.asylum_seekers),
            ),
        }
        for r in shown.itertuples()
    }
    # the text twin's rows, keyed as ``values`` so both keep one entry per country
    rows = {
        r.asylum_iso3: (r.asylum_name, int(r.total), int(r.refugees), int(r.asylum_seekers))
        for r in shown.itertuples()
    }

    def name() -> str:
        return _("Refugees hosted, {year} (UNHCR)").format(year=year)

    layer = ms.ChoroplethLayer(
        name=name(),
        key=english_key(name),
        datasets=("unhcr_population",),
        values=values,
        # the darker edge marks a country with a value: the lightest classes are near the
        # land's colour (WCAG 1.4.11 asks 3:1 of the fill or of the edge)
        style={"color": "#6b7f8f", "weight": 0.7, "fillOpacity": 0.6},
        table=ms.LayerTable(
            [_("Country"), _("Refugees and asylum-seekers"), _("Refugees"), _("Asylum-seekers")],
            [rows[k] for k in values],
            measure=1,
            sentence=ngettext(
                "{n} country hosts {total} refugees and asylum-seekers; the most, {top}, "
                "hosts {top_value}.",
                "{n} countries host {total} refugees and asylum-seekers; the most, {top}, "
                "hosts {top_value}.",
                len(values),
            ),
        ),
    )
    items = [
        ms.box(c, item.label, 14, 10, opacity=0.75)
        for c, item in zip(BLUES, ms.class_legend_items(breaks, BLUES, _("people")), strict=False)
    ]
    return layer, items


def population_layer(
    cities: pd.DataFrame, year: int, projected: bool
) -> tuple[maps.CircleLayer, list, list]:
    """:func:`population_circles` with the layer rendered for the interactive map."""
    layer, items, circles = population_circles(cities, year, projected)
    return maps.render_layer(layer), items, circles


def population_circles(
    cities: pd.DataFrame,
    year: int,
    projected: bool,
    *,
    name: str = "",
    key: str = "",
    show: bool = True,
) -> tuple[ms.CircleLayer, list[ms.LegendItem], list]:
    """Proportional circles of city population in a year, coloured by size class
    (the Overview's cities too: ``name``, ``key`` and ``show`` are its own)."""
    breaks = list(CITY_BREAKS)
    colors = ("#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f")
    vmax = float(cities["population"].max() or 1) if len(cities) else 1.0
    circles = [
        Circle(
            r.lat,
            r.lon,
            radius_for(r.population, vmax, min_px=2, max_px=24),
            class_index(r.population, breaks),
            values=(escape(r.name), escape(r.country), tip_number(r.population / 1e6, 2)),
        )
        for r in cities.itertuples()
    ]

    def tag_of() -> str:
        # "2025, WUP 2018 projection": a projected year is never shown as a count
        return (
            _("{year}, WUP 2018 projection").format(year=year)
            if projected
            else _("{year}, WUP 2018").format(year=year)
        )

    def own_name() -> str:
        return _("Cities, population ({tag})").format(tag=tag_of())

    tag = tag_of()
    layer = ms.CircleLayer(
        name=name or own_name(),
        key=key or ("" if name else english_key(own_name)),
        show=show,
        datasets=("wup_cities",),
        circles=circles,
        colors=colors,
        stroke="#3f007d",
        weight=0.7,  # the edge that makes the lightest classes 3:1 on land (WCAG 1.4.11)
        fill_opacity=0.75,
        # {0}..{2} stay for the browser to fill (the circle's values)
        tooltip_format="<b>{0}</b>, {1}<br>" + _("{{2}} million ({tag})").format(tag=tag),
        table=ms.LayerTable(
            [_("City"), _("Country"), _("Population ({tag})").format(tag=tag)],
            [(r.name, r.country, int(round(r.population))) for r in cities.itertuples()],
            measure=2,
            sentence=ngettext(
                "{n} city, {total} people in all; the largest, {top}, {top_value}.",
                "{n} cities, {total} people in all; the largest, {top}, {top_value}.",
                len(cities),
            ),
        ),
    )
    labels = [
        _("under 1 million"),
        _("1–5 million"),
        _("5–10 million"),
        _("10–20 million"),
        _("20 million+"),
    ]
    items = [ms.dot(c, label) for c, label in zip(colors, labels, strict=True)]
    return layer, items, circles


def growth_layer(
    growth: pd.DataFrame, y0: int, y1: int, projected: frozenset[int] = frozenset()
) -> tuple[ms.CircleLayer, list[ms.LegendItem], list]:
    """Circles sized by absolute growth, coloured by percent growth; declines in grey.

    Years in ``projected`` are labelled as 2018 projections in the layer name and tooltip.
    """

    def source_of() -> str:
        future = _(" and ").join(str(y) for y in (y0, y1) if y in projected)
        return (
            _("WUP 2018; {years} projected in 2018").format(years=future) if future else "WUP 2018"
        )

    def name() -> str:
        return _("City growth {start}–{end} ({source})").format(
            start=y0, end=y1, source=source_of()
        )

    source = source_of()
    breaks = [25.0, 50.0, 100.0, 200.0]
    # The lighter five of the deaths' ramp: its darkest class met the route destinations'
    # near-black under protanopia (tests/test_colours.py). Shrinking cities are squares,
    # a category apart from the growth classes (WCAG 1.4.1).
    colors = (*REDS[0:5], DECLINE)
    vmax = float(growth["growth"].abs().max() or 1) if len(growth) else 1.0
    circles, rows = [], []
    for r in growth.itertuples():
        rows.append(
            (
                r.name,
                r.country,
                int(round(r.growth)),
                None if pd.isna(r.growth_pct) else round(float(r.growth_pct), 1),
                int(round(r.pop_to)),
            )
        )
        pct = r.growth_pct
        if pd.isna(pct):
            klass, pct_text = 4, _("new since {year}").format(year=y0)
        elif r.growth < 0:
            klass, pct_text = 5, signed_pct(pct)
        else:
            klass, pct_text = class_index(pct, breaks), signed_pct(pct)
        circles.append(
            Circle(
                r.lat,
                r.lon,
                radius_for(abs(r.growth), vmax, min_px=2, max_px=24),
                klass,
                values=(
                    escape(r.name),
                    escape(r.country),
                    signed_int(r.growth),
                    pct_text,
                    tip_number(r.pop_to / 1e6, 2),
                ),
            )
        )
    layer = ms.CircleLayer(
        name=name(),
        key=english_key(name),
        datasets=("wup_cities",),
        circles=circles,
        colors=colors,
        shapes=("circle",) * 5 + ("square",),
        stroke="#67000d",
        weight=0.7,
        fill_opacity=0.75,
        # {0}..{4} stay for the browser to fill (the circle's values)
        tooltip_format="<b>{0}</b>, {1}<br>"
        + _("{{2}} people ({{3}}), {start}–{end} ({source})<br>{{4}} million in {year}").format(
            start=y0, end=y1, source=source, year=wup_year_label(y1, y1 in projected)
        ),
        table=ms.LayerTable(
            [
                _("City"),
                _("Country"),
                _("Growth {start}–{end} (people)").format(start=y0, end=y1),
                _("Growth (%)"),
                _("Population {year}").format(year=wup_year_label(y1, y1 in projected)),
            ],
            rows,
            measure=2,
            sentence=ngettext(
                "{n} city, a net change of {total} people; the largest growth, {top}, {top_value}.",
                "{n} cities, a net change of {total} people; the largest growth, {top}, "
                "{top_value}.",
                len(rows),
            ),
        ),
    )
    labels = [
        _("up to +25%"),
        _("+25–50%"),
        _("+50–100%"),
        _("+100–200%"),
        _("more than +200%"),
        _("shrinking"),
    ]
    items = [
        ms.mark(layer.shape_of(k), c, label)
        for k, (c, label) in enumerate(zip(colors, labels, strict=True))
    ]
    return layer, items, circles


def destination_layer(nearest: pd.DataFrame) -> ms.CircleLayer:
    """Route destination ends, each with its nearest cities and distances in its tooltip."""
    circles = []
    for (route, label, lat, lon), grp in nearest.groupby(
        ["route", "destination_label", "dest_lat", "dest_lon"], sort=True
    ):
        lines = "".join(
            f"<br>{int(r.rank)}. {escape(r.name)} ({escape(r.country)}): "
            + _("{km} km").format(km=fmt_int(r.distance_km))
            for r in grp.itertuples()
        )
        circles.append(
            Circle(
                lat,
                lon,
                5,
                0,
                tooltip=f"<b>{escape(label)}</b><br>"
                + _("end of {route} (schematic)<br><i>nearest cities</i>").format(
                    route=escape(route)
                )
                + lines,
            )
        )
    return ms.CircleLayer(
        name=_("Route destinations and nearest cities"),
        key=english_key(lambda: _("Route destinations and nearest cities")),
        datasets=("route_corridors", "wup_cities"),
        circles=circles,
        colors=[DEST],
        stroke="#ffffff",
        weight=1.5,
        fill_opacity=0.95,
    )


def build(q: Query, countries: dict, state: CitiesState | None = None) -> CitiesView:
    """Run the Arrival cities queries and build the map.

    Parameters
    ----------
    q : Query
        Query runner.
    countries : dict
        Basemap countries (GeoJSON FeatureCollection with ``iso3`` properties).
    state : CitiesState, optional
        Page state (default: :meth:`CitiesState.defaults`).
    """
    opts = options(q)
    if state is None:
        state = CitiesState.defaults(opts)
    # In growth mode the circles show the cities of the period's end year: so does the
    # headline (it stayed on the population year before).
    headline_year = state.year_to if state.mode == "growth" else state.year
    top = {"year": headline_year, "min_population": state.min_population}
    sizes = {"year": state.year, "min_population": state.min_population}
    period = {
        "year_from": state.year_from,
        "year_to": state.year_to,
        "min_population": state.min_population,
    }
    hosted = {"year": state.refugee_year}
    near = {"k": state.k, "year": state.year}
    q = memo(q)
    # the page's queries at once (none needs another's result)
    q.prefetch(
        ("city_sizes", sizes),
        ("city_growth", period),
        ("refugees_by_asylum", hosted),
        ("refugees_oip", hosted),
        ("cities_near_routes", near),
    )
    headline = q("cities_headline", **top).iloc[0]
    cities = q("city_sizes", **sizes)
    growth = q("city_growth", **period)
    refugees = q("refugees_by_asylum", **hosted)
    oip = q("refugees_oip", **hosted).iloc[0]
    left_out = oip_note(
        int(oip["oip"]), state.refugee_year, oip["top_asylum_name"], int(oip["top_oip"])
    )
    nearest = q("cities_near_routes", **near)

    spec = ms.MapSpec(countries, [], [])
    playback = None
    ref_layer, ref_items = refugee_layer(refugees, spec.basemap_features(), state.refugee_year)
    if state.mode == "growth":
        layer, items, __ = growth_layer(growth, state.year_from, state.year_to, opts.projected)
        title = _("City growth {start}–{end}").format(start=state.year_from, end=state.year_to)
        projection = opts.projection_note(state.year_from, state.year_to)
        note = (_("Circle area: people added (or lost).") + " " + projection).strip()
    else:
        layer, items, __ = population_circles(cities, state.year, bool(headline["projected"]))
        title = _("City population, {year}").format(year=opts.year_label(state.year))
        projection = opts.projection_note(state.year)
        note = (_("Circle area: population.") + " " + projection).strip()
        if state.play:
            layer, playback = city_playback(
                q,
                state.min_population,
                still=layer,
                breaks=list(CITY_BREAKS),
                year_label=opts.year_label,
                start_year=state.year,
                name=_("Cities, population (WUP 2018), {first} to {last}").format(
                    first=opts.years[0], last=opts.years[-1]
                ),
            )
            title = _("City population, {first}–{last}, played by 5 years").format(
                first=opts.years[0], last=opts.years[-1]
            )
            projection = opts.projection_note(*opts.years)
            note = (
                _("Circle area: population; one scale for every year.") + " " + projection
            ).strip()
    layer.key = "cities"  # population or growth: one layer to the picker and link
    dests = destination_layer(nearest)
    # Each legend and item names its layer: a picture with that layer hidden leaves it out.
    items = [replace(i, layer=layer.stable_key) for i in items]
    items.append(
        ms.dot(
            DEST,
            _("route destination (hover: nearest cities)"),
            10,
            border="#fff",
            layer=dests.stable_key,
        )
    )
    spec.layers = [ref_layer, layer, dests]
    spec.legends = [
        ms.Legend(
            _("Refugees + asylum-seekers hosted, end {year}").format(year=state.refugee_year),
            ref_items,
            (_("UNHCR; by country of asylum.") + " " + left_out).strip(),
            position="bottomleft",
            layer=ref_layer.stable_key,
        ),
        ms.Legend(title, items, note),
    ]
    return CitiesView(
        playback=playback,
        state=state,
        headline=headline,
        cities=cities,
        growth=growth,
        refugees=refugees,
        nearest=nearest,
        spec=spec,
        headline_year=headline_year,
        oip=oip,
        oip_note=left_out,
        projection_note=projection,
    )


__all__ = [
    "CitiesOptions",
    "CitiesState",
    "CitiesView",
    "build",
    "options",
    "refugee_layer",
    "population_layer",
    "growth_layer",
    "destination_layer",
]


# --------------------------------------------------------------------------- the page


def export(view: CitiesView, q: Query) -> PageExport:
    """The export facts of an Arrival cities view: its cities (population or growth)."""
    s, label = view.state, options(q).year_label
    if s.mode == "growth":
        shown = _("Growth {start}-{end}").format(start=label(s.year_from), end=label(s.year_to))
        frame = view.growth
        tags, rank = [f"growth-{s.year_from}-{s.year_to}"], "growth"
    else:
        shown, frame = _("Population {year}").format(year=label(s.year)), view.cities
        tags, rank = [f"population-{s.year}"], "population"
    tags.append(f"min-{s.min_population}")
    sub = _("{shown}; cities of {min}+; refugees hosted at the end of {refugee_year}").format(
        shown=shown, min=fmt_int(s.min_population), refugee_year=s.refugee_year
    )
    h = view.headline
    # WUP projections and the people the refugee layer leaves out travel with the
    # figures: PNG footer, CSV note line, GeoJSON metadata.
    caveat = " ".join(t for t in (view.projection_note, view.oip_note) if t) or None
    return PAGE.facts(
        subtitle=sub,
        caveat=caveat,
        load_data=lambda: frame,
        data_name=_("cities"),
        params=s.to_params(),
        headline=_("{cities} cities of {min}+ people in {year}, {people} bn people").format(
            cities=fmt_int(h["cities"]),
            min=fmt_int(s.min_population),
            year=label(view.headline_year or s.year),
            people=fmt_num(round(int(h["population"]) / 1e9, 2), 2),
        ),
        load_places=lambda: positions(
            frame.sort_values(rank, ascending=False).head(PLACES * 2), ("lat", "lon")
        ),
        file_tags=tags,
    )


def choices(opts: CitiesOptions) -> dict[str, list[str]]:
    """The values each parameter can take, as URL strings."""
    years = [str(v) for v in opts.years]
    return {
        "year": years,
        "from": years,
        "to": years,
        "ryear": [str(v) for v in opts.refugee_years],
        "min": [str(v) for v in MIN_POPULATIONS],
        "k": [str(v) for v in NEAREST_K],
        "mode": list(MODES),
    }


PAGE = Page(
    key="cities",
    title=N_("Arrival cities"),
    nav_title=N_("Arrival cities"),
    icon=":material/location_city:",
    file_stem=N_("arrival cities"),
    order=3,
    datasets=("wup_cities", "unhcr_population", "route_corridors", "natural_earth"),
    data_datasets=("wup_cities", "unhcr_population"),
    options=options,
    State=CitiesState,
    build=lambda q, basemap, state=None, options=None: build(q, basemap, state),
    export=export,
    choices=choices,
    slide_headline=N_("{cities:,} cities, home to {population:,} people"),
)
