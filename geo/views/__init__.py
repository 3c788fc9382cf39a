"""Page views: for each page, its state (filters, parsed from and written to URL query
parameters), and a ``build`` function that runs the page's queries and returns its
figures, tables and folium map. Pages, exports, the snapshot command, tests and
benchmarks all go through these, so they show the same numbers.

A view never touches Streamlit: it receives ``q(name, **params) -> DataFrame`` (the
cached :func:`geo.cache.query` in the app, :func:`direct_query` elsewhere) and the
basemap countries.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date

import duckdb
import pandas as pd

from geo.i18n import _
from geo.maps import Basemap, make_basemap
from geo.queries import run_query

Query = Callable[..., pd.DataFrame]


# Every ASCII punctuation character: CommonMark lets a backslash escape each of them, and
# Markdown, GFM, HTML and Streamlit's directives (``:red[...]``, ``$...$``) are all spelt
# with them.
_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
# A line break inside a value would start a new block (a heading, a list, a quote) or,
# in HTML, end the HTML block with a blank line and let the rest be read as Markdown.
_BREAKS = re.compile(r"[ \t]*(?:\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029])\s*")
# U+2060 WORD JOINER: invisible, never a line break. Streamlit's Markdown runs a few
# rules over the text *after* backslash escapes are resolved, so escaping alone does not
# stop them: GFM's bare links (``https://``, ``www.``, ``name@host``), the icon and logo
# shortcodes (``:material/...:``, ``:streamlit:``, emoji ``:smile:``) and the arrows
# (``->`` shown as →). A word joiner after ``:`` and ``@``, after ``www`` before a dot,
# and inside the arrow pairs leaves the text as written and matches none of them.
WORD_JOINER = "\u2060"
_TEXT_RULES = re.compile(r"(?<=[:@])(?=\S)|(?i:(?<=www)(?=\.))|(?<=[-<>~])(?=[->=])")


def md_plain(text: object) -> str:
    """Untrusted text (a data value, a URL value, a file's text) made literal for
    Streamlit Markdown: ``st.markdown``, ``st.caption``, ``st.info`` and the other alerts,
    metric labels and help, tab and expander labels, widget labels and help.

    The one escaping function for Markdown. Every ASCII punctuation character is
    backslash-escaped (links ``[x](url)``, images ``![x](url)``, emphasis, headings, lists,
    quotes, code, tables, HTML tags and entities, ``:red[...]`` directives, ``$`` maths),
    line breaks become spaces (a value is never more than one line of its sentence), and
    an invisible word joiner (:data:`WORD_JOINER`) breaks the patterns Streamlit matches
    in the text itself (bare links, ``:material/...:`` icons, emoji shortcodes, arrows).
    The text shows exactly as written, with nothing clickable, styled or fetched.

    For text inside HTML (``unsafe_allow_html``) use :func:`html_text` instead.
    """
    s = _BREAKS.sub(" ", str(text)).replace("\t", " ")
    s = _TEXT_RULES.sub(WORD_JOINER, s)
    return _MD_PUNCT.sub(r"\\\1", s)


def html_text(text: object) -> str:
    """Untrusted text made literal inside HTML that Streamlit renders as Markdown
    (``st.markdown(..., unsafe_allow_html=True)``): HTML-escaped, quotes included, and on
    one line, because a blank line would end the HTML block and the rest would be read as
    Markdown (links, images, ``:red[...]``)."""
    return html.escape(_BREAKS.sub(" ", str(text)), quote=True)


# Queries a view starts ahead of need (:func:`memo`'s ``prefetch``) run here: two at a
# time, as this machine has two cores; DuckDB releases the GIL while it plans and runs,
# so a page's independent queries overlap (Overview's nine: 44 -> 25 ms, issue 19).
QUERY_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="atlas-query")


def direct_query(con: duckdb.DuckDBPyConnection) -> Query:
    """A ``q`` that runs queries straight on a connection (no cache).

    Its ``start(name, params)`` runs a query on :data:`QUERY_POOL`, on a cursor of its
    own (:func:`on_cursor`), and returns the future.
    """

    def q(name: str, **params) -> pd.DataFrame:
        return run_query(con, name, **params)

    def start(name: str, params: dict) -> Future:
        return QUERY_POOL.submit(on_cursor, con.cursor(), name, params)

    q.start = start
    return q


def on_cursor(cur: duckdb.DuckDBPyConnection, name: str, params: Mapping) -> pd.DataFrame:
    """Run a query on a cursor of its own and close it (a pool thread's task).

    The cursor is made on the thread that owns the connection: a connection serves one
    thread at a time.
    """
    try:
        return run_query(cur, name, **params)
    finally:
        cur.close()


BASEMAP_SQL = "SELECT iso3, name, geometry FROM countries ORDER BY iso3"
DETAIL_SQL = "SELECT iso3, geometry FROM countries_detail ORDER BY iso3"


def _call_key(name: str, params: Mapping) -> str:
    return name + repr(sorted(params.items()))


def memo(q: Query) -> Query:
    """A ``q`` that runs each (query, parameters) once and reuses the result.

    A page's map and its tables sometimes ask for the same query (route totals for the
    corridors and for the table); outside the app's cache this keeps it to one run.

    Its ``prefetch((name, params), ...)`` starts queries the view will ask for, where
    ``q`` can run them on other threads (``q.start(name, params)`` returning a future,
    as :func:`direct_query` and :func:`geo.cache.query` do); elsewhere it does nothing.
    A later ``q(name, **params)`` with the same parameters takes the result: it waits
    for a query under way, and runs one the pool has not begun itself (so a busy pool
    never makes a page slower than running its queries in turn).
    """
    seen: dict[str, object] = {}
    start = getattr(q, "start", None)

    def cached(name: str, **params) -> pd.DataFrame:
        key = _call_key(name, params)
        got = seen.get(key)
        if got is not None and not isinstance(got, pd.DataFrame):  # a future
            got = got.result() if got.done() or not got.cancel() else None
        if got is None:
            got = q(name, **params)
        seen[key] = got
        return got.copy()

    def prefetch(*calls: tuple[str, Mapping]) -> None:
        if start is None:
            return
        for name, params in calls:
            key = _call_key(name, params)
            if key not in seen:
                seen[key] = start(name, dict(params))

    cached.prefetch = prefetch
    return cached


def countries_of(con: duckdb.DuckDBPyConnection) -> Basemap:
    """The basemap of a database: world shapes plus 1:50m detail (see :class:`geo.maps.Basemap`)."""
    world = tuple(con.execute(BASEMAP_SQL).fetchall())
    detail = tuple(con.execute(DETAIL_SQL).fetchall())
    return make_basemap(world, detail)


LINK_VALUE_MAX = 60  # characters of a link's value quoted back in a note
LINK_VALUES_MAX = 5  # rejected values of one list quoted back


def link_value(v: object, n: int = LINK_VALUE_MAX) -> str:
    """A value from a link as a note quotes it back: its text, cut to ``n`` characters.

    A link is anyone's text: a 20,000-character value quoted whole filled screens with
    the notice that it was ignored.
    """
    if isinstance(v, list | tuple):  # st.query_params.to_dict() gives the last value
        v = v[-1] if v else ""
    s = "" if v is None else str(v)
    return s if len(s) <= n else s[: n - 1] + "…"


def link_values(values: Sequence[object], *, quoted: bool = True) -> str:
    """Rejected values of a link's list, cut (:func:`link_value`) and quoted unless
    ``quoted`` is false; at most :data:`LINK_VALUES_MAX` of them, then "…"."""
    shown = ", ".join(
        repr(link_value(v)) if quoted else link_value(v) for v in values[:LINK_VALUES_MAX]
    )
    return shown + (", …" if len(values) > LINK_VALUES_MAX else "")


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
    adds a note such as "Ignored year 'abc' from the link; showing 2025." (in the
    session's language).
    """
    raw = params.get(key)
    if raw is None or raw == "":
        return
    v, ok = parse_int(raw, getattr(state, attr), min(allowed), max(allowed))
    if ok and v in allowed:
        setattr(state, attr, v)
    else:
        notes.append(
            _("Ignored {label} {value} from the link; showing {shown}.").format(
                label=label, value=repr(link_value(raw)), shown=getattr(state, attr)
            )
        )


def parse_day(text: str | None, default: date, lo: date, hi: date) -> tuple[date, bool]:
    """A date within [lo, hi] from an ISO URL value; returns (value, was_valid)."""
    if not text:
        return default, True
    try:
        d = date.fromisoformat(text)
    except ValueError:
        return default, False
    return (d, True) if lo <= d <= hi else (default, False)
