"""Arrival cities: WUP 2018 agglomerations by year or growth, refugees hosted by country
of asylum, and the cities nearest each route's destination."""

import streamlit as st

from app_pages._ui import (
    data_grid,
    export_panel,
    held_index,
    held_value,
    layer_picker,
    md_plain,
    open_page,
    period_slider,
    seed_widgets,
    show_map,
    show_sections,
    sync_url,
)
from geo import cache
from geo.i18n import N_, _, fmt_int, fmt_num
from geo.views import cities

opts, state = open_page(
    cities.PAGE,
    _(
        "Where cities grow: UN World Urbanization Prospects 2018 agglomerations (1950–2035; "
        "2020 onward are projections made in 2018, including years now past), refugees hosted "
        "by country of asylum (UNHCR), and the cities nearest each migration route's "
        "destination."
    ),
    needs=("cities", "countries", "refugee_population"),
)

# The widgets' keys by state field; they start from the URL (seed_widgets).
KEYS = {
    "mode": "cities_mode",
    "min_population": "cities_min_population",
    "k": "cities_k",
    "year": "cities_year",
    "period": "cities_period",
    "refugee_year": "cities_refugee_year",
    "play": "cities_play",
}
seed_widgets(
    "cities",
    {
        KEYS["mode"]: state.mode,
        KEYS["min_population"]: state.min_population,
        KEYS["k"]: state.k,
        KEYS["year"]: state.year,
        KEYS["period"]: (state.year_from, state.year_to),
        KEYS["refugee_year"]: state.refugee_year,
        KEYS["play"]: state.play,
    },
)

# The options' labels, made once in this run's language: a widget may call its format_func
# outside the run (Streamlit's AppTest does), where the language would be English.
mode_labels = {m: _(text) for m, text in cities.MODES.items()}
size_labels = {n: _("{n} people").format(n=fmt_int(n)) for n in cities.MIN_POPULATIONS}
year_labels = {y: opts.year_label(y) for y in opts.years}

c1, c2, c3 = st.columns([3, 2, 2])
mode = c1.radio(
    _("Circles show"),
    list(cities.MODES),  # the URL's values; the labels are translated
    index=held_index(KEYS["mode"], cities.MODES),
    format_func=mode_labels.get,
    horizontal=True,
    key=KEYS["mode"],
)
min_pop = c2.selectbox(
    _("Cities of at least"),
    cities.MIN_POPULATIONS,
    index=held_index(KEYS["min_population"], cities.MIN_POPULATIONS),
    format_func=size_labels.get,
    key=KEYS["min_population"],
)
k = c3.selectbox(
    _("Nearest cities per route destination"),
    cities.NEAREST_K,
    index=held_index(KEYS["k"], cities.NEAREST_K),
    key=KEYS["k"],
)
if mode == "population":
    year = st.select_slider(
        _("Year"),
        options=opts.years,
        value=held_value(KEYS["year"], opts.years[0], opts.years),
        format_func=year_labels.get,
        key=KEYS["year"],
    )
    y0, y1 = state.year_from, state.year_to
    play = st.toggle(
        _("Play {first}–{last} on the map").format(
            first=int(opts.years[0]), last=int(opts.years[-1])
        ),
        value=bool(held_value(KEYS["play"], False)),
        key=KEYS["play"],
        help=_(
            "Time playback of the WUP 5-year series: press play on the map, step, or drag "
            "its slider to a year. Years from 2020 are projections made in 2018, marked on "
            "the map."
        ),
    )
else:
    play = False
    year = state.year
    y0, y1 = period_slider(_("Growth between"), opts.years, KEYS["period"], year_labels.get)
ryear = st.select_slider(
    _("Refugees hosted at the end of"),
    options=opts.refugee_years,
    value=held_value(KEYS["refugee_year"], opts.refugee_years[-1], opts.refugee_years),
    key=KEYS["refugee_year"],
)
state = cities.CitiesState(
    year=year,
    mode=mode,
    year_from=y0,
    year_to=y1,
    min_population=min_pop,
    refugee_year=ryear,
    k=k,
    play=play,
)
sync_url(state.to_params(), "cities")

view = cache.view(cities.PAGE, state, opts)
h = view.headline
hy = view.headline_year  # the growth period's end year in growth mode
hy_label = md_plain(opts.year_label(hy))
proj = f" {md_plain(view.projection_note)}" if h["projected"] else ""
m1, m2, m3, m4 = st.columns(4)
m1.metric(
    _("Cities in {year}").format(year=hy_label),
    fmt_int(h["cities"]),
    help=_("Urban agglomerations of {min}+ people in {year} (UN WUP 2018).").format(
        min=fmt_int(min_pop), year=int(hy)
    )
    + proj,
)
m2.metric(
    _("People in them, {year}").format(year=hy_label),
    _("{n} bn").format(n=fmt_num(round(h["population"] / 1e9, 2), 2)),
    help=f"{hy:d}.{proj}",
)
m3.metric(
    _("Megacities, {year}").format(year=hy_label),
    fmt_int(h["megacities"]),
    help=_("10 million people or more."),
)
m4.metric(
    _("Refugees hosted, {year}").format(year=int(ryear)),
    _("{n} M").format(n=fmt_num(round(view.refugees["total"].sum() / 1e6, 1), 1)),
    help=_(
        "UNHCR Refugee Data Finder: refugees under UNHCR's mandate plus asylum-seekers, "
        "summed over countries of asylum."
    )
    + f" {md_plain(view.oip_note)}",
)

layer_picker(view.spec, key="cities")
drawn = show_map(view.spec, key="cities_map")
export_panel("cities", view, drawn)
st.caption(
    _(
        "Circle area is proportional to population (or to people added, in growth mode). "
        "Countries are shaded by refugees and asylum-seekers hosted; small states without a "
        "shape on the 1:110m basemap are listed in the table only. Route destinations are the "
        "ends of schematic corridors; hover one for its nearest cities."
    )
    + " "
    + md_plain(" ".join(t for t in (view.projection_note, view.oip_note) if t))
)


def _fastest_growing() -> None:
    st.markdown(_("**Fastest-growing cities, {start}–{end}**").format(start=int(y0), end=int(y1)))
    g = view.growth.dropna(subset=["growth_pct"]).head(25)
    data_grid(
        g[["name", "country", "pop_from", "pop_to", "growth", "growth_pct"]],
        hide_index=True,
        width="stretch",
        column_config={
            "name": _("City"),
            "country": _("Country"),
            "pop_from": st.column_config.NumberColumn(
                _("Population {year}").format(year=opts.year_label(y0)), format="localized"
            ),
            "pop_to": st.column_config.NumberColumn(
                _("Population {year}").format(year=opts.year_label(y1)), format="localized"
            ),
            "growth": st.column_config.NumberColumn(_("People added"), format="localized"),
            "growth_pct": st.column_config.NumberColumn(_("Growth"), format="%.0f%%"),
        },
    )
    st.caption(
        _(
            "The 25 fastest-growing cities of {min}+ people in {year} by percent growth of "
            "their total population (not arrivals)."
        ).format(min=fmt_int(min_pop), year=int(y1))
        + " "
        + (
            md_plain(opts.projection_note(y0, y1))
            or _("WUP figures for 2020 onward are projections.")
        )
    )


def _nearest_to_destinations() -> None:
    data_grid(
        view.nearest[
            [
                "route",
                "destination_label",
                "rank",
                "name",
                "country",
                "population",
                "distance_km",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "route": _("Route"),
            "destination_label": _("Destination end"),
            "rank": _("Rank"),
            "name": _("City"),
            "country": _("Country"),
            "population": st.column_config.NumberColumn(
                _("Population {year}").format(year=opts.year_label(year)), format="localized"
            ),
            "distance_km": st.column_config.NumberColumn(_("Distance (km)"), format="%.0f"),
        },
    )
    st.caption(_("Great-circle distance from each corridor's destination end (schematic)."))


def _refugees_hosted() -> None:
    data_grid(
        view.refugees[["asylum_name", "refugees", "asylum_seekers", "total", "in_basemap"]],
        hide_index=True,
        width="stretch",
        column_config={
            "asylum_name": _("Country of asylum"),
            "refugees": st.column_config.NumberColumn(_("Refugees"), format="localized"),
            "asylum_seekers": st.column_config.NumberColumn(
                _("Asylum-seekers"), format="localized"
            ),
            "total": st.column_config.NumberColumn(_("Total"), format="localized"),
            "in_basemap": st.column_config.CheckboxColumn(_("On the map")),
        },
    )
    if view.oip_note:
        st.caption(md_plain(view.oip_note))


show_sections(
    {
        N_("Fastest-growing"): _fastest_growing,
        N_("Nearest to route destinations"): _nearest_to_destinations,
        N_("Refugees hosted"): _refugees_hosted,
    },
    drawn,
)
