"""Data and sources: provenance table, licences, citations, caveats, how to refresh."""

import re

import streamlit as st

from app_pages._ui import data_grid, md_plain, page_header
from geo import cache
from geo.i18n import _, fmt_int, fmt_num
from geo.views import data_sources

page_header(
    _("Data and sources"),
    _(
        "Where every figure comes from, under which licence, how to cite it, and what to keep "
        "in mind."
    ),
)
view = data_sources.build(cache.query)
src = view.sources

st.subheader(_("Datasets"))
# The catalogue's texts (geo/catalog.py, copied into ``sources`` by the build) in this
# language; a text the catalogue no longer has shows as stored.
catalogue = ["title", "publisher", "vintage", "licence", "citation"]
per_dataset = (
    src.assign(**{c: src[c].map(_) for c in catalogue})
    .groupby(catalogue, sort=False)
    .agg(
        files=("file", "count"),
        rows_loaded=("rows_loaded", "sum"),
        rows_rejected=("rows_rejected", "sum"),
    )
    .reset_index()
)
data_grid(
    per_dataset,
    hide_index=True,
    width="stretch",
    column_config={
        "title": _("Dataset"),
        "publisher": _("Publisher"),
        "vintage": _("Vintage"),
        "licence": _("Licence"),
        "citation": st.column_config.TextColumn(_("Cite as"), width="large"),
        "files": st.column_config.NumberColumn(_("Files"), format="%d"),
        "rows_loaded": st.column_config.NumberColumn(_("Rows loaded"), format="localized"),
        "rows_rejected": st.column_config.NumberColumn(_("Rows rejected"), format="localized"),
    },
)

st.subheader(_("Missing Migrants Project: which publication each year comes from"))
st.caption(
    _(
        "IOM publishes the same incidents twice: the full download (export) and one JSON file "
        "per year. For each year the later publication wins; its date is its latest incident. "
        "IDs that only the earlier publication holds were renumbered, merged or withdrawn by IOM "
        "and are not counted. Figures are minimum estimates."
    )
)
mmp_years = view.mmp_years.assign(
    origin=view.mmp_years["origin"].map(
        lambda o: _(data_sources.ORIGINS[o]) if o in data_sources.ORIGINS else o
    )
)
data_grid(
    mmp_years,
    hide_index=True,
    width="stretch",
    column_config={
        "year": st.column_config.NumberColumn(_("Year"), format="%d"),
        "origin": _("Publication"),
        "files": _("File(s)"),
        "published_to": st.column_config.DateColumn(_("Runs to")),
        "other_published_to": st.column_config.DateColumn(_("Other publication runs to")),
        "incidents": st.column_config.NumberColumn(_("Incidents"), format="localized"),
        "dead_and_missing": st.column_config.NumberColumn(
            _("Dead and missing"), format="localized"
        ),
        "superseded_ids": st.column_config.NumberColumn(_("IDs not counted"), format="localized"),
        "superseded_dead_and_missing": st.column_config.NumberColumn(
            _("Their dead and missing"), format="localized"
        ),
    },
)

st.subheader(_("Caveats"))
for title, text in data_sources.CAVEATS:
    st.markdown(f"**{_(title)}.** {_(text)}")  # md: trusted (the code's constants, translated)
match = view.facts.get("site_population_match")
parts = re.fullmatch(r"(\d+) of (\d+) camps; (\d+) of (\d+) people", match or "")
if parts:  # the build's record, written in the session's language
    a, b, c, d = (int(x) for x in parts.groups())
    st.caption(
        _(
            "2025 population join: {camps} of {all_camps} camps; {people} of {all_people} people."
        ).format(camps=fmt_int(a), all_camps=fmt_int(b), people=fmt_int(c), all_people=fmt_int(d))
    )
elif match:
    st.caption(_("2025 population join: {match}.").format(match=md_plain(match)))

st.subheader(_("Sensitive coordinates"))
deg = data_sources.DEFAULT_PRECISION_DEG
st.markdown(
    _(
        "Camp and site positions are shown rounded to **{deg}°** (about 11 km) by default, on "
        "screen and in every export. Camps shelter people at risk; a published map should not "
        "point at a tent row. Analysts can choose a finer or coarser precision on the Camps and "
        "sites page; the choice travels with the link."
    ).format(deg=fmt_num(deg, len(str(deg).partition(".")[2])))
)

st.subheader(_("Files"))
data_grid(
    src[["dataset", "file", "bytes", "sha256", "tables", "rows_loaded", "rows_rejected", "url"]],
    hide_index=True,
    width="stretch",
    column_config={
        # English keeps the tables' own column names as headers.
        "dataset": _("dataset"),
        "file": _("file"),
        "bytes": st.column_config.NumberColumn(_("Bytes"), format="localized"),
        "sha256": st.column_config.TextColumn("SHA-256", width="small"),
        "tables": _("tables"),
        "rows_loaded": _("rows_loaded"),
        "rows_rejected": _("rows_rejected"),
        "url": st.column_config.TextColumn(_("Publisher address")),
    },
)

st.subheader(_("Rows rejected, repaired or kept without a position"))
st.caption(
    _(
        "Every row the build could not take as it was, grouped by file and reason. "
        "Full list: table `load_issues` in the database."
    )
)
data_grid(
    view.issues,
    hide_index=True,
    width="stretch",
    # The counts before the reasons, which run long: a narrow grid still shows them.
    column_order=("dataset", "action", "rows", "reason", "example_row", "file"),
    column_config={
        "dataset": _("dataset"),
        "file": _("file"),
        "action": _("action"),
        "reason": st.column_config.TextColumn(_("reason"), width="large"),
        "rows": _("rows"),
        "example_row": _("example_row"),
    },
)

st.subheader(_("How to refresh"))
st.markdown(
    _(
        "1. Download the sources from their publishers: `.venv/bin/python -m geo fetch --to "
        "data/sources` (or point `ATLAS_SOURCES` at an offline mirror in the same layout).\n"
        "2. Rebuild: `.venv/bin/python -m geo build --sources data/sources --db "
        "data/atlas.duckdb`. A dataset of the current database that is missing from the folder "
        "stops the build unless `--allow-missing NAME` says it may go. The build is atomic: if "
        "any file is damaged it stops with one line naming the file, row and reason, and the "
        "current database stays as it is.\n"
        "3. Reload this page: the app notices the new database."
    )
)
seconds = view.facts.get("build_seconds")
try:
    seconds = fmt_num(float(seconds), 1)  # stored as written by the build ("9.6")
except (TypeError, ValueError):
    seconds = seconds or "?"
st.caption(
    # Facts stored by the build (a folder name can hold any character): shown as text.
    md_plain(
        _("Database built {when} from {folder} in {seconds} s (DuckDB {version}).").format(
            when=view.facts.get("built_at", "?"),
            folder=view.facts.get("sources_dir", "?"),
            seconds=seconds,
            version=view.facts.get("duckdb_version", "?"),
        )
    )
)
