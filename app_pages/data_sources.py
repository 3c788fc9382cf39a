"""Data and sources: provenance table, licences, citations, caveats, how to refresh."""

import streamlit as st

from app_pages._ui import data_grid, md_plain, page_header
from geo import cache
from geo.views import data_sources

page_header(
    "Data and sources",
    "Where every figure comes from, under which licence, how to cite it, and what to keep in mind.",
)
view = data_sources.build(cache.query)
src = view.sources

st.subheader("Datasets")
per_dataset = (
    src.groupby(["title", "publisher", "vintage", "licence", "citation"], sort=False)
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
        "title": "Dataset",
        "publisher": "Publisher",
        "vintage": "Vintage",
        "licence": "Licence",
        "citation": st.column_config.TextColumn("Cite as", width="large"),
        "files": st.column_config.NumberColumn("Files", format="%d"),
        "rows_loaded": st.column_config.NumberColumn("Rows loaded", format="localized"),
        "rows_rejected": st.column_config.NumberColumn("Rows rejected", format="localized"),
    },
)

st.subheader("Missing Migrants Project: which publication each year comes from")
st.caption(
    "IOM publishes the same incidents twice: the full download (export) and one JSON file "
    "per year. For each year the later publication wins; its date is its latest incident. "
    "IDs that only the earlier publication holds were renumbered, merged or withdrawn by IOM "
    "and are not counted. Figures are minimum estimates."
)
data_grid(
    view.mmp_years,
    hide_index=True,
    width="stretch",
    column_config={
        "year": st.column_config.NumberColumn("Year", format="%d"),
        "origin": "Publication",
        "files": "File(s)",
        "published_to": st.column_config.DateColumn("Runs to"),
        "other_published_to": st.column_config.DateColumn("Other publication runs to"),
        "incidents": st.column_config.NumberColumn("Incidents", format="localized"),
        "dead_and_missing": st.column_config.NumberColumn("Dead and missing", format="localized"),
        "superseded_ids": st.column_config.NumberColumn("IDs not counted", format="localized"),
        "superseded_dead_and_missing": st.column_config.NumberColumn(
            "Their dead and missing", format="localized"
        ),
    },
)

st.subheader("Caveats")
for title, text in data_sources.CAVEATS:
    st.markdown(f"**{title}.** {text}")
match = view.facts.get("site_population_match")
if match:
    st.caption(f"2025 population join: {md_plain(match)}.")

st.subheader("Sensitive coordinates")
st.markdown(
    f"Camp and site positions are shown rounded to **{data_sources.DEFAULT_PRECISION_DEG}°** "
    "(about 11 km) by default, on screen and in every export. Camps shelter people at risk; "
    "a published map should not point at a tent row. Analysts can choose a finer or coarser "
    "precision on the Camps and sites page; the choice travels with the link."
)

st.subheader("Files")
data_grid(
    src[["dataset", "file", "bytes", "sha256", "tables", "rows_loaded", "rows_rejected", "url"]],
    hide_index=True,
    width="stretch",
    column_config={
        "bytes": st.column_config.NumberColumn("Bytes", format="localized"),
        "sha256": st.column_config.TextColumn("SHA-256", width="small"),
        "url": st.column_config.TextColumn("Publisher address"),
    },
)

st.subheader("Rows rejected, repaired or kept without a position")
st.caption(
    "Every row the build could not take as it was, grouped by file and reason. "
    "Full list: table `load_issues` in the database."
)
data_grid(view.issues, hide_index=True, width="stretch")

st.subheader("How to refresh")
st.markdown(
    "1. Download the sources from their publishers: `.venv/bin/python -m geo fetch --to "
    "data/sources` (or point `ATLAS_SOURCES` at an offline mirror in the same layout).\n"
    "2. Rebuild: `.venv/bin/python -m geo build --sources data/sources --db data/atlas.duckdb`. "
    "A dataset of the current database that is missing from the folder stops the build "
    "unless `--allow-missing NAME` says it may go. "
    "The build is atomic: if any file is damaged it stops with one line naming the file, "
    "row and reason, and the current database stays as it is.\n"
    "3. Reload this page: the app notices the new database."
)
st.caption(
    # Facts stored by the build (a folder name can hold any character): shown as text.
    md_plain(
        f"Database built {view.facts.get('built_at', '?')} from "
        f"{view.facts.get('sources_dir', '?')} in {view.facts.get('build_seconds', '?')} s "
        f"(DuckDB {view.facts.get('duckdb_version', '?')})."
    )
)
