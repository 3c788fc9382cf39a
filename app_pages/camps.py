"""Camps and sites: filters (in the URL), headline figures, the sites map with coarsened
positions, NW Syria sites over time, and the site tables."""

import altair as alt
import streamlit as st

from app_pages._ui import (
    data_grid,
    export_panel,
    fmt,
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
from geo.views import camps

opts, state = open_page(
    camps.PAGE,
    "Where displaced people live: the UNHCR location register (camps, settlements, urban "
    "locations, collective centres; open and closed), NW Syria IDP sites and the Cox's Bazar camps.",
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

with st.sidebar:
    st.header("Filters")
    st.multiselect(
        "Country",
        opts.countries,
        key=KEYS["countries"],
        format_func=lambda iso: f"{names.get(iso, iso)} ({iso})",
        placeholder="All countries",
    )
    st.multiselect(
        "Site type", opts.site_types, key=KEYS["site_types"], placeholder="All site types"
    )
    st.radio(
        "Status",
        camps.STATUSES,
        key=KEYS["status"],
        horizontal=True,
        format_func=str.capitalize,
    )
    st.multiselect(
        "Dataset",
        list(camps.DATASETS),
        key=KEYS["datasets"],
        format_func=camps.DATASETS.get,
        placeholder="All datasets",
    )
    st.selectbox(
        "Coordinate precision",
        list(camps.PRECISIONS),
        key=KEYS["precision"],
        format_func=camps.PRECISIONS.get,
    )

state = camps.CampsState(**{field: st.session_state[key] for field, key in KEYS.items()})
sync_url(state.to_params(), "camps")

view = camps.PAGE.build(cache.query, cache.basemap(), state, opts)
t = view.headline
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Sites", fmt(t["sites"]), help=f"{fmt(t['located'])} with a position on the map.")
c2.metric("Open", fmt(t["open_sites"]), help="Open at the dataset's vintage (register: Jan 2020).")
c3.metric("Countries", fmt(t["countries"]))
c4.metric(
    "With 2025 pop.",
    fmt(t["with_population_2025"]),
    help="Register sites joined by name and country to UNHCR end-2025 camp populations "
    "(named sites only: state, district and dispersed totals are not joined).",
)
c5.metric("People 2025", fmt(t["people_2025"]), help="At the joined sites only.")
# The note follows the country filter: the figures are for the chosen countries of asylum.
population_note = camps.population_note(view.match, [names.get(i, i) for i in state.countries])
st.caption(":material/info: " + md_plain(population_note))

st.caption(
    f":material/lock: Camp locations are sensitive: every position on the map and in the tables "
    f"is rounded to {camps.PRECISIONS[state.precision]} (sidebar: Coordinate precision), and the "
    "default of 0.1° is coarse on purpose."
)
layer_picker(view.spec, key="camps")
drawn = show_map(view.spec, key="camps_map")
export_panel("camps", view, drawn)
how = (
    "Each circle is one site"
    if view.mode == "points"
    else f"Circles are sites binned on a grid (individual sites appear once at most "
    f"{fmt(camps.POINT_LIMIT)} located sites pass the filters, e.g. one country)"
)
unlocated = int(t["sites"] - t["located"])
st.caption(
    f"{how}. "
    + (
        f"{fmt(unlocated)} filtered sites have no position and are not mapped. "
        if unlocated
        else ""
    )
    + "NW Syria ISIMM positions are imprecise on purpose (publisher's choice, for security). "
    "Cox's Bazar outlines are the published RRRC/ISCG camp boundaries, simplified. "
    "Each Cox's Bazar camp is counted once: its RRRC centroid is merged into the UNHCR register "
    "site of the same name (Data page, load issues)."
)


def _sites() -> None:
    table = view.sites.assign(
        status=view.sites["is_open"].map({True: "open", False: "closed"}),
        dataset=view.sites["dataset"].map(camps.DATASETS),
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
            "name": "Site",
            "site_type": "Type",
            "status": "Status",
            "country": "Country",
            "population_group": "Population group",
            "lat": "Lat (rounded)",
            "lon": "Lon (rounded)",
            "population_2025": "People 2025",
            "individuals": "People (ISIMM 2020, approx.)",
            "dataset": "Dataset",
            "site_id": "Code",
        }
    )
    people_cols = ["People 2025", "People (ISIMM 2020, approx.)"]
    data_grid(
        table,
        hide_index=True,
        width="stretch",
        height=380,
        column_config={c: st.column_config.NumberColumn(format="localized") for c in people_cols},
    )
    shown = len(view.sites)
    st.caption(
        f"{fmt(shown)} of {fmt(t['sites'])} sites"
        + (
            f" (the first {fmt(camps.TABLE_LIMIT)} by country and name; the CSV and GeoJSON "
            "exports below the map hold all of them)"
            if shown < t["sites"]
            else ""
        )
        + f"; positions rounded to {camps.PRECISIONS[state.precision]}. Sources: "
        + md_plain(credit_for(("unhcr_register", "isimm", "coxs_bazar")))
        + "."
    )


def _largest() -> None:
    st.markdown("**Largest sites by 2025 population**")
    if view.largest.empty:
        st.info("No site in this selection has a 2025 population joined.")
    else:
        data_grid(
            view.largest[
                ["name", "country", "population_2025", "site_type", "lat", "lon", "unhcr_location"]
            ].rename(
                columns={
                    "name": "Site",
                    "country": "Country",
                    "site_type": "Type",
                    "population_2025": "People 2025",
                    "unhcr_location": "UNHCR location",
                    "lat": "Lat (rounded)",
                    "lon": "Lon (rounded)",
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"People 2025": st.column_config.NumberColumn(format="localized")},
        )
        st.caption(
            "Source: "
            + md_plain(credit_for(("unhcr_demographics",)))
            + "; joined register sites only. "
            + md_plain(population_note)
        )


def _over_time() -> None:
    st.markdown("**NW Syria IDP sites over time**")
    months = view.isimm_months.rename(columns={"individuals": "People", "sites": "Sites"})
    base = alt.Chart(defuse_formulas(months)).encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format="%Y", tickCount="year"))
    )
    people = base.mark_line(
        point=alt.OverlayMarkDef(color=camps.ISIMM_COLOR, size=18), color=camps.ISIMM_COLOR
    ).encode(
        y=alt.Y("People:Q", title="People on sites (approx.)"),
        tooltip=[alt.Tooltip("month:T", format="%b %Y"), "People:Q", "Sites:Q"],
    )
    sites_line = base.mark_line(strokeDash=[4, 3], color="#636363").encode(
        y=alt.Y("Sites:Q", title="Sites reported (dashed)")
    )
    st.altair_chart(
        alt.layer(people, sites_line).resolve_scale(y="independent"),
        width="stretch",
    )
    missing = view.isimm_months.loc[~view.isimm_months["reported"], "month"]
    st.caption(
        "CCCM Cluster ISIMM monthly matrix, Feb 2017 to Jul 2020, all NW Syria sites (not filtered). "
        "Figures are approximate; months with no file are gaps, not zeros: "
        + ", ".join(f"{m:%b %Y}" for m in missing)
        + ". The 2017 files have no site codes, and July 2018's low total is as published."
    )


show_sections(
    {"Filtered sites": _sites, "Largest in 2025": _largest, "NW Syria over time": _over_time}, drawn
)
