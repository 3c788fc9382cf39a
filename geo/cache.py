"""The one module of ``geo`` that imports Streamlit: a shared read-only database
connection, cached query results, and the first-run build with a progress display.

Sessions share one read-only DuckDB connection (each query runs on its own cursor),
so no session can change what another sees.
"""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from geo import settings
from geo.firstrun import no_data_help
from geo.heap import freeze_long_lived
from geo.maps import Basemap
from geo.queries import run_query
from geo.views import countries_of


class DatabaseMissing(RuntimeError):
    """No database, and no sources to build one from."""


@st.cache_resource(show_spinner=False)
def _connection(path: str, mtime: float) -> duckdb.DuckDBPyConnection:
    # mtime is part of the key: a rebuilt database (os.replace) gets a new connection.
    return duckdb.connect(path, read_only=True)


def _build_with_progress(db: Path, sources: Path) -> None:
    from geo.build import BuildError, build

    class _Lines(io.StringIO):
        def __init__(self, status):
            super().__init__()
            self.status = status

        def write(self, s: str) -> int:
            if s.strip():
                self.status.write(s.strip())
            return len(s)

    with st.status(f"First run: building the database from {sources} …", expanded=True) as status:
        try:
            build(sources, db, out=_Lines(status))
        except BuildError as exc:
            status.update(label="The database could not be built", state="error")
            st.error(str(exc))
            st.stop()
        status.update(label="Database built", state="complete", expanded=False)


def connection() -> duckdb.DuckDBPyConnection:
    """The shared read-only connection; builds the database on first run if it can.

    With no database and no sources, shows what is missing and how to get it, then
    stops the page (never a traceback).
    """
    db = settings.db_path()
    if not db.exists():
        sources = settings.sources_dir()
        if sources.is_dir() and any(sources.iterdir()):
            _build_with_progress(db, sources)
        else:
            # The same paragraph scripts/run.sh prints, naming the folder read above.
            st.error(no_data_help(sources, db, in_app=True, markdown=True))
            st.stop()
    return _connection(str(db), db.stat().st_mtime)


@st.cache_data(show_spinner=False, max_entries=512)
def _query(db_key: tuple[str, float], name: str, params: dict) -> pd.DataFrame:
    cur = _connection(*db_key).cursor()
    try:
        return run_query(cur, name, **params)
    finally:
        cur.close()


def query(name: str, **params) -> pd.DataFrame:
    """Run a query of ``queries/`` on the shared database, cached per parameters.

    Returns a copy, so a page can modify it freely.
    """
    connection()
    db = settings.db_path()
    return _query((str(db), db.stat().st_mtime), name, params).copy()


@st.cache_resource(show_spinner=False)
def _basemap(db_key: tuple[str, float]) -> Basemap:
    cur = _connection(*db_key).cursor()
    try:
        countries = countries_of(cur)
    finally:
        cur.close()
    # Loaded once per server (per database build): what is alive now lives as long.
    freeze_long_lived()
    return countries


def basemap() -> Basemap:
    """The simplified Natural Earth countries for every map's basemap."""
    connection()
    db = settings.db_path()
    return _basemap((str(db), db.stat().st_mtime))
