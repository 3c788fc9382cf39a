"""The one module of ``geo`` that imports Streamlit: the shared read-only database,
cached query results, and the first-run build with a progress display.

Sessions share one read-only DuckDB instance per build of the file (each query runs
on its own cursor), so no session can change what another sees, and a rebuilt file
reaches every session at its next query (see ``geo.database``).
"""

from __future__ import annotations

import functools
import io
from concurrent.futures import Future
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import i18n, settings
from geo.database import Databases, file_key
from geo.dbfile import check_database_file, is_outdated
from geo.firstrun import no_data_help
from geo.heap import freeze_long_lived
from geo.maps import Basemap
from geo.queries import FilterCodes, run_query
from geo.views import QUERY_POOL, countries_of, md_plain

# One per server process: every session reads the newest build of the file.
_DATABASES = Databases()


def _build_with_progress(db: Path, sources: Path) -> None:
    from geo.build import BuildError, build

    class _Lines(io.StringIO):
        def __init__(self, status):
            super().__init__()
            self.status = status

        def write(self, s: str) -> int:
            if s.strip():
                self.status.write(md_plain(s.strip()))
            return len(s)

    label = f"First run: building the database from {md_plain(str(sources))} …"
    with st.status(label, expanded=True) as status:
        try:
            build(sources, db, out=_Lines(status))
        except BuildError as exc:
            status.update(label="The database could not be built", state="error")
            st.error(md_plain(str(exc)))
            st.stop()
        status.update(label="Database built", state="complete", expanded=False)


def database() -> tuple:
    """The key of the database's current build; builds it on first run if it can.

    With no database and no sources, shows what is missing and how to get it, then
    stops the page (never a traceback). The key changes when ``geo build`` swaps a
    new file in, so cached results and the basemap follow the rebuild.
    """
    db = settings.db_path()
    if not db.exists():
        sources = settings.sources_dir()
        if _has_sources(sources):
            _build_with_progress(db, sources)
        else:
            # The same paragraph scripts/run.sh prints, naming the folder read above.
            st.error(no_data_help(sources, db, in_app=True, markdown=True))
            st.stop()
    try:
        key = file_key(db)
        problem = _problem_of(key, i18n.language())
        if is_outdated(problem) and _has_sources(sources := settings.sources_dir()):
            # Built by an older version of the app (new code, old file): rebuild it.
            _build_with_progress(db, sources)
            key = file_key(db)
            problem = _problem_of(key, i18n.language())
    except OSError as exc:
        problem = check_database_file(db) or f"{db}: {exc}"
    if problem:
        # Once per page: the page stops here, before any of its queries.
        st.error(
            "**" + i18n._("The database cannot be opened.") + "** " + md_plain(problem),
            icon=":material/database_off:",
        )
        st.stop()
    return key


def _has_sources(sources: Path) -> bool:
    return sources.is_dir() and any(sources.iterdir())


@functools.lru_cache(maxsize=16)
def _problem_of(key: tuple, lang: str) -> str | None:
    # Judged once per build of the file (a rebuild or a fixed ATLAS_DB gets a new key) and
    # language: the line is written in the session's.
    with i18n.using(lang):
        return check_database_file(key[0])


def _run(db_key: tuple, name: str, params: dict) -> pd.DataFrame:
    # On a cursor of the shared database, on whichever thread calls it (a page's, or a
    # pool's for a query started ahead), with the filter codes of the build it reads.
    with _DATABASES.cursor_and_memo(Path(db_key[0])) as (cur, memo):
        if "filter_codes" not in memo:
            memo["filter_codes"] = FilterCodes.read(cur)
        return run_query(cur, name, codes=memo["filter_codes"], **params)


@st.cache_data(show_spinner=False, max_entries=512)
def _query(db_key: tuple, name: str, params: dict) -> pd.DataFrame:
    return _run(db_key, name, params)


def query(name: str, **params) -> pd.DataFrame:
    """Run a query of ``queries/`` on the shared database, cached per parameters.

    Returns a copy, so a page can modify it freely. ``query.start(name, params)`` runs
    one on :data:`geo.views.QUERY_POOL` (a view's ``prefetch``, see
    :func:`geo.views.memo`) and returns its future.
    """
    return _query(database(), name, params).copy()


def _start(name: str, params: dict) -> Future:
    # database() here: it may show a message and stop the page, on this thread. The
    # pool's run skips the cache of results (which reads the session's run context, on
    # the page's thread only): the view that asked is cached by state, and the result
    # with it.
    return _submit(database(), name, params)


def _submit(db_key: tuple, name: str, params: dict) -> Future:
    return QUERY_POOL.submit(_run, db_key, name, dict(params))


query.start = _start


def _build_query(db_key: tuple):
    """The ``q`` a view is built with: each query straight on a cursor, not through the
    cache of results. The built view is cached by state (:func:`view`), so the results
    would only be pickled into a second cache no later run reads."""

    def q(name: str, **params) -> pd.DataFrame:
        return _run(db_key, name, params)

    q.start = functools.partial(_submit, db_key)
    return q


@st.cache_resource(show_spinner=False, max_entries=2)
def _basemap(db_key: tuple) -> Basemap:
    with _DATABASES.cursor(Path(db_key[0])) as cur:
        countries = countries_of(cur)
    # Loaded once per server (per database build): what is alive now lives as long.
    freeze_long_lived()
    return countries


def basemap() -> Basemap:
    """The simplified Natural Earth countries for every map's basemap."""
    return _basemap(database())


@st.cache_data(show_spinner=False, max_entries=16)
def _deck(db_key: tuple, text: str, key: str, public_url: str | None, start: int, lang: str) -> str:
    from geo.briefing import read_briefing_bytes
    from geo.deck import briefing_deck
    from geo.i18n import using

    with using(lang):  # the deck's words are in the language it is cached for
        b, __ = read_briefing_bytes(text.encode("utf-8"), f"{key}.toml")
        return briefing_deck(b, query, basemap(), public_url=public_url, start=start)


def deck(b, start: int = 1) -> str:
    """The briefing's HTML deck (:func:`geo.deck.briefing_deck`), cached per database
    build, briefing text, public address, first slide and language: a key press on the
    Briefing page never rebuilds it, an edited file or another language does."""
    from geo.briefing_store import briefing_toml
    from geo.i18n import language

    return _deck(database(), briefing_toml(b), b.key, settings.public_url(), start, language())


@st.cache_resource(show_spinner=False, max_entries=64)
def _options(db_key: tuple, page_key: str, lang: str, _page):
    from geo.i18n import using

    with using(lang):
        return _page.options(_build_query(db_key))


def options(page):
    """A page's filter options (``page.options``), read once per database build and
    language: every run of every session opens its page with them, and they change only
    with the data. Pages read them, never change them."""
    if not view_cache_enabled():
        return page.options(query)
    return _options(database(), page.key, i18n.language(), page)


@functools.lru_cache(maxsize=4)
def _dataset_rows(db_key: tuple) -> dict[str, int]:
    return {k: int(v) for k, v in _run(db_key, "dataset_rows", {}).iloc[0].items()}


def dataset_rows() -> dict[str, int]:
    """Rows of each dataset's table in the current build (``dataset_rows``), read once
    per build: every map page checks the tables it needs on every run."""
    return _dataset_rows(database())


def view_cache_enabled() -> bool:
    """Whether built views and maps are kept per state (``ATLAS_VIEW_CACHE`` not ``0``).

    Off, every run builds its view and renders its map as before (the benchmark
    measures today's cost beside the cached one in the same run with it).
    """
    import os

    return os.environ.get("ATLAS_VIEW_CACHE", "1") != "0"


# A view holds its map description (a few thousand circles at most) and small tables:
# about 1 MB, so 32 states cost a replica tens of MB.
@st.cache_resource(show_spinner=False, max_entries=32)
def _view(db_key: tuple, page_key: str, state_repr: str, lang: str, _page, _state, _options):
    # Keyed by the state's repr (a dataclass: every field) and the day, the page, the
    # language (a view's words are in it) and the database build; the objects are
    # passed unhashed.
    from geo.i18n import using

    with using(lang):
        return _page.build(_build_query(db_key), basemap(), _state, _options)


def view(page, state, options=None):
    """A page's view of a state (``page.build`` with the shared queries and basemap),
    built once per process for each state, language and database build.

    Sessions share the built view; each run gets its own copy of the map description's
    layers, since the layer picker switches them for that session only (no session's
    choice shows in another's map). The view's other parts (tables, headline) are read,
    never changed, by the pages.

    Parameters
    ----------
    page : geo.views.page.Page
        The page (``routes.PAGE`` ...).
    state : dataclass
        The page's state (its repr holds every field).
    options : object, optional
        The page's filter options (one per database build).
    """
    if not view_cache_enabled():
        return page.build(query, basemap(), state, options)
    from datetime import date

    from geo.i18n import language

    # today's date too: a view may say how far into the year its figures go
    what = f"{repr(state)}|{date.today().isoformat()}"
    shared = _view(database(), page.key, what, language(), page, state, options)
    return session_view(shared)


def session_view(shared):
    """A copy of a cached view whose map description's layers are this run's own.

    Shallow: the layers' data (circles, lines) stay shared; only what a session sets on
    a layer (``show``) is separate. The view's folium ``map`` (made on first use from the
    description) is not carried over.
    """
    import copy

    own = copy.copy(shared)
    own.__dict__.pop("map", None)
    spec = copy.copy(shared.spec)
    spec.layers = [copy.copy(layer) for layer in spec.layers]
    own.spec = spec
    return own
