"""Page views: for each page, its state (filters, parsed from and written to URL query
parameters), and a ``build`` function that runs the page's queries and returns its
figures, tables and folium map. Pages, exports, the snapshot command, tests and
benchmarks all go through these, so they show the same numbers.

A view never touches Streamlit: it receives ``q(name, **params) -> DataFrame`` (the
cached :func:`geo.cache.query` in the app, :func:`direct_query` elsewhere) and the
basemap countries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date

import duckdb
import pandas as pd

from geo.maps import Basemap, make_basemap
from geo.queries import run_query

Query = Callable[..., pd.DataFrame]


def md_plain(text: str) -> str:
    """Text with data values in it (a country name...) made safe for Streamlit Markdown
    (``st.caption``, ``st.markdown``): every Markdown, HTML and directive character is
    backslash-escaped, so a value is shown as written and never formats, links or hides
    anything."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~:$=])", r"\\\1", text)


def direct_query(con: duckdb.DuckDBPyConnection) -> Query:
    """A ``q`` that runs queries straight on a connection (no cache)."""

    def q(name: str, **params) -> pd.DataFrame:
        return run_query(con, name, **params)

    return q


BASEMAP_SQL = "SELECT iso3, name, geometry FROM countries ORDER BY iso3"
DETAIL_SQL = "SELECT iso3, geometry FROM countries_detail ORDER BY iso3"


def memo(q: Query) -> Query:
    """A ``q`` that runs each (query, parameters) once and reuses the result.

    A page's map and its tables sometimes ask for the same query (route totals for the
    corridors and for the table); outside the app's cache this keeps it to one run.
    """
    seen: dict[str, pd.DataFrame] = {}

    def cached(name: str, **params) -> pd.DataFrame:
        key = name + repr(sorted(params.items()))
        if key not in seen:
            seen[key] = q(name, **params)
        return seen[key].copy()

    return cached


def countries_of(con: duckdb.DuckDBPyConnection) -> Basemap:
    """The basemap of a database: world shapes plus 1:50m detail (see :class:`geo.maps.Basemap`)."""
    world = tuple(con.execute(BASEMAP_SQL).fetchall())
    detail = tuple(con.execute(DETAIL_SQL).fetchall())
    return make_basemap(world, detail)


def parse_list(text: str | None, allowed: list[str]) -> tuple[list[str], list[str]]:
    """Split a ``|``-joined URL value into allowed values; returns (values, rejected)."""
    if not text:
        return [], []
    values = [v for v in text.split("|") if v]
    ok = [v for v in values if v in allowed]
    return ok, [v for v in values if v not in allowed]


def parse_int(text: str | None, default: int, lo: int, hi: int) -> tuple[int, bool]:
    """An integer within [lo, hi] from a URL value; returns (value, was_valid)."""
    if text is None or text == "":
        return default, True
    try:
        v = int(text)
    except ValueError:
        return default, False
    return (v, True) if lo <= v <= hi else (default, False)


def pick_choice(
    state: object,
    params: Mapping[str, str],
    key: str,
    attr: str,
    allowed: Sequence[int],
    label: str,
    notes: list[str],
) -> None:
    """Set ``state.<attr>`` from the URL parameter ``key`` when it is one of ``allowed``.

    An absent or empty parameter leaves the default; an invalid one leaves it too and
    adds a note such as "Ignored year 'abc' from the link; showing 2025.".
    """
    raw = params.get(key)
    if raw is None or raw == "":
        return
    v, ok = parse_int(raw, getattr(state, attr), min(allowed), max(allowed))
    if ok and v in allowed:
        setattr(state, attr, v)
    else:
        notes.append(f"Ignored {label} {raw!r} from the link; showing {getattr(state, attr)}.")


def parse_day(text: str | None, default: date, lo: date, hi: date) -> tuple[date, bool]:
    """A date within [lo, hi] from an ISO URL value; returns (value, was_valid)."""
    if not text:
        return default, True
    try:
        d = date.fromisoformat(text)
    except ValueError:
        return default, False
    return (d, True) if lo <= d <= hi else (default, False)
