"""Camps and sites: filters (in the URL), headline figures, the sites map with coarsened
positions, NW Syria sites over time, and the site tables."""

from datetime import date

import altair as alt
import streamlit as st

from app_pages._ui import (
    data_grid,
    export_panel,
    held,
    held_index,
    layer_picker,
    md_plain,
    open_page,
    seed_widgets,
    show_map,
    show_sections,
    sync_url,
)
from geo import cache
from geo.catalog import credit_for
from geo.exports import defuse_formulas
from geo.i18n import N_, _, bound, fmt_int, fmt_month
from geo.names import country_name
from geo.views import camps

opts, state = open_page(
    camps.PAGE,
    _(
        "Where displaced people live: the UNHCR location register (camps, settlements, urban "
        "locations, collective centres; open and closed), NW Syria IDP sites and the Cox's "
        "Bazar camps."
    ),
    needs=("countries",),
)
names = opts.country_names

# The filter widgets' keys by state field; they start from the URL (seed_widgets).
KEYS = {
    "site_types": "camps_types",
    "status": "camps_status",
    "countries": "camps_countries",
    "datasets": "camps_datasets",
    "precision": "camps_precision",
}
seed_widgets("camps", {key: getattr(state, field) for field, key in KEYS.items()})

# The status choices' labels; the URL keeps the values (all, open, closed). The labels
# of the choices are made in this run's language wherever Streamlit asks for them (bound).
status_labels = {"all": _("All"), "open": _("Open"), "closed": _("Closed")}

# UN country names in the session's language (geo/names.py); the URL keeps ISO3 codes.
country_labels = {
    iso: f"{country_name(iso, default=names.get(iso, iso))} ({iso})" for iso in opts.countries
}

with st.sidebar:
    st.header(_("Filters"))
    st.multiselect(
        _("Country"),
        opts.countries,
        default=held(KEYS["countries"]),
        key=KEYS["countries"],
        format_func=country_labels.get,
        placeholder=_("All countries"),
    )
    st.multiselect(
        _("Site type"),
        opts.site_types,
        default=held(KEYS["site_types"]),
        key=KEYS["site_types"],
        format_func=camps.site_type_label,
        placeholder=_("All site types"),
    )
    st.radio(
        _("Status"),
        camps.STATUSES,
        index=held_index(KEYS["status"], camps.STATUSES),
        key=KEYS["status"],
        horizontal=True,
        format_func=status_labels.get,
    )
    st.multiselect(
        _("Dataset"),
        list(camps.DATASETS),
        default=held(KEYS["datasets"]),
        key=KEYS["datasets"],
        format_func=bound(camps.dataset_label),
        placeholder=_("All datasets"),
    )
    st.selectbox(
        _("Coordinate precision"),
        list(camps.PRECISIONS),
        index=held_index(KEYS["precision"], camps.PRECISIONS),
        key=KEYS["precision"],
        format_func=bound(camps.precision_label),
    )

state = camps.CampsState(**{field: st.session_state[key] for field, key in KEYS.items()})
sync_url(state.to_params(), "camps")

view = cache.view(camps.PAGE, state, opts)
t = view.headline
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric(
    _("Sites"),
    fmt_int(t["sites"]),
    help=_("{n} with a position on the map.").format(n=fmt_int(t["located"])),
)
c2.metric(
    _("Open"),
    fmt_int(t["open_sites"]),
    help=_("Open at the dataset's vintage (register: {month}).").format(
        month=fmt_month(date(2020, 1, 1))
    ),
)
c3.metric(_("Countries"), fmt_int(t["countries"]))
c4.metric(
    _("With 2025 pop."),
    fmt_int(t["with_population_2025"]),
    help=_(
        "Register sites joined by name and country to UNHCR end-2025 camp populations "
        "(named sites only: state, district and dispersed totals are not joined)."
    ),
)
c5.metric(_("People 2025"), fmt_int(t["people_2025"]), help=_("At the joined sites only."))
# The note follows the country filter: the figures are for the chosen countries of asylum.
population_note = camps.population_note(view.match, [names.get(i, i) for i in state.countries])
st.caption(":material/info: " + md_plain(population_note))

st.caption(
    ":material/lock: "
    + _(
        "Camp locations are sensitive: every position on the map and in the tables is rounded "
        "to {precision} (sidebar: Coordinate precision), and the default of {default}° is "
        "coarse on purpose."
    ).format(
        precision=md_plain(camps.precision_label(state.precision)),
        default=md_plain(camps.precision_degrees(camps.DEFAULT_PRECISION)),
    )
)
layer_picker(view.spec, key="camps")
drawn = show_map(view.spec, key="camps_map")
export_panel("camps", view, drawn)
how = (
    _(
        "Each marker is one site: a square an open register site, a diamond a closed one, "
        "a circle a NW Syria ISIMM site."
    )
    if view.mode == "points"
    else _(
        "Markers are sites binned on a grid (squares: register sites; circles: NW Syria ISIMM "
        "sites); individual sites appear once at most {n} located sites pass the filters, "
        "e.g. one country."
    ).format(n=fmt_int(camps.POINT_LIMIT))
)
unlocated = int(t["sites"] - t["located"])
st.caption(
    how
    + " "
    + (
        _("{n} filtered sites have no position and are not mapped.").format(n=fmt_int(unlocated))
        + " "
        if unlocated
        else ""
    )
    + _(
        "NW Syria ISIMM positions are imprecise on purpose (publisher's choice, for security). "
        "Cox's Bazar outlines are the published RRRC/ISCG camp boundaries, simplified. "
        "Each Cox's Bazar camp is counted once: its RRRC centroid is merged into the UNHCR "
        "register site of the same name (Data page, load issues)."
    )
)


def _sites() -> None:
    people_2025, people_isimm = _("People 2025"), _("People (ISIMM 2020, approx.)")
    table = view.sites.assign(
        status=view.sites["is_open"].map({True: _("open"), False: _("closed")}),
        dataset=view.sites["dataset"].map(camps.dataset_label),
    )[
        [
            "name",
            "site_type",
            "status",
            "country",
            "population_group",
            "lat",
            "lon",
            "population_2025",
            "individuals",
            "dataset",
            "site_id",
        ]
    ].rename(
        columns={
            "name": _("Site"),
            "site_type": _("Type"),
            "status": _("Status"),
            "country": _("Country"),
            "population_group": _("Population group"),
            "lat": _("Lat (rounded)"),
            "lon": _("Lon (rounded)"),
            "population_2025": people_2025,
            "individuals": people_isimm,
            "dataset": _("Dataset"),
            "site_id": _("Code"),
        }
    )
    people_cols = [people_2025, people_isimm]
    data_grid(
        table,
        hide_index=True,
        width="stretch",
        height=380,
        column_config={c: st.column_config.NumberColumn(format="localized") for c in people_cols},
    )
    shown = len(view.sites)
    if shown < t["sites"]:
        text = _(
            "{shown} of {total} sites (the first {limit} by country and name; the CSV and "
            "GeoJSON exports below the map hold all of them); positions rounded to "
            "{precision}. Sources: {credit}."
        )
    else:
        text = _("{shown} of {total} sites; positions rounded to {precision}. Sources: {credit}.")
    st.caption(
        text.format(
            shown=fmt_int(shown),
            total=fmt_int(t["sites"]),
            limit=fmt_int(camps.TABLE_LIMIT),
            precision=md_plain(camps.precision_label(state.precision)),
            credit=md_plain(credit_for(("unhcr_register", "isimm", "coxs_bazar"))),
        )
    )


def _largest() -> None:
    st.markdown("**" + _("Largest sites by 2025 population") + "**")
    if view.largest.empty:
        st.info(_("No site in this selection has a 2025 population joined."))
    else:
        people_2025 = _("People 2025")
        data_grid(
            view.largest[
                ["name", "country", "population_2025", "site_type", "lat", "lon", "unhcr_location"]
            ].rename(
                columns={
                    "name": _("Site"),
                    "country": _("Country"),
                    "site_type": _("Type"),
                    "population_2025": people_2025,
                    "unhcr_location": _("UNHCR location"),
                    "lat": _("Lat (rounded)"),
                    "lon": _("Lon (rounded)"),
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={people_2025: st.column_config.NumberColumn(format="localized")},
        )
        st.caption(
            _("Source: {credit}; joined register sites only. {note}").format(
                credit=md_plain(credit_for(("unhcr_demographics",))),
                note=md_plain(population_note),
            )
        )


def _over_time() -> None:
    st.markdown("**" + _("NW Syria IDP sites over time") + "**")
    # The fields keep their English names; the tooltip and the axes show their titles.
    months = view.isimm_months.rename(columns={"individuals": "People", "sites": "Sites"})
    base = alt.Chart(defuse_formulas(months)).encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format="%Y", tickCount="year"))
    )
    people = base.mark_line(
        point=alt.OverlayMarkDef(color=camps.ISIMM_COLOR, size=18), color=camps.ISIMM_COLOR
    ).encode(
        y=alt.Y("People:Q", title=_("People on sites (approx.)")),
        tooltip=[
            alt.Tooltip("month:T", format="%b %Y", title=_("month")),
            alt.Tooltip("People:Q", title=_("People")),
            alt.Tooltip("Sites:Q", title=_("Sites")),
        ],
    )
    sites_line = base.mark_line(strokeDash=[4, 3], color="#636363").encode(
        y=alt.Y("Sites:Q", title=_("Sites reported (dashed)"))
    )
    st.altair_chart(
        alt.layer(people, sites_line).resolve_scale(y="independent"),
        width="stretch",
    )
    missing = view.isimm_months.loc[~view.isimm_months["reported"], "month"]
    st.caption(
        _(
            "CCCM Cluster ISIMM monthly matrix, {first} to {last}, all NW Syria sites (not "
            "filtered). Figures are approximate; months with no file are gaps, not zeros: "
            "{months}. The 2017 files have no site codes, and July 2018's low total is as "
            "published."
        ).format(
            first=fmt_month(date(2017, 2, 1)),
            last=fmt_month(date(2020, 7, 1)),
            months=", ".join(fmt_month(m) for m in missing),
        )
    )


# The tabs: English keys (the URL's ``section``), shown translated (app_pages/_ui.py).
show_sections(
    {
        N_("Filtered sites"): _sites,
        N_("Largest in 2025"): _largest,
        N_("NW Syria over time"): _over_time,
    },
    drawn,
)
