"""Run the SQL files of ``queries/`` by name with ``$name`` parameters.

User input only ever reaches DuckDB as a bound parameter; a query's name must be
one of the files in ``queries/``. Each file starts with a header comment listing
its parameters and returned columns.
"""

from __future__ import annotations

import re
from functools import cache

import duckdb
import pandas as pd

from geo import QUERIES_DIR

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
MACROS_FILE = "_macros.sql"
INCIDENT_CODES_FILE = "_incident_codes.sql"
SITE_ORDER_FILE = "_site_order.sql"
DISTANCES_FILE = "_distances.sql"


class UnknownQuery(KeyError):
    """No file in ``queries/`` has this name."""


def query_names() -> list[str]:
    """Names of all runnable queries (files not starting with ``_``)."""
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql") if not p.name.startswith("_"))


@cache
def query_text(name: str) -> str:
    """The SQL of a query, checked to be one of the files in ``queries/``."""
    if not _NAME.match(name) or name not in query_names():
        raise UnknownQuery(name)
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


@cache
def query_params(name: str) -> frozenset[str]:
    """The ``$name`` parameters a query uses."""
    return frozenset(_PARAM.findall(_strip_comments(query_text(name))))


def run_query(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run ``queries/<name>.sql`` with bound parameters.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        An open connection (read-only is enough).
    name : str
        File name without ``.sql``.
    **params
        Values for the query's ``$name`` parameters. Extra keys are ignored, so a
        page can pass its whole filter state; missing ones raise ``TypeError``.

    Returns
    -------
    pandas.DataFrame
    """
    needed = query_params(name)
    missing = needed - params.keys()
    if missing:
        raise TypeError(f"query {name!r} needs parameters: {', '.join(sorted(missing))}")
    bound = {k: params[k] for k in needed}
    return con.execute(query_text(name), bound).df()


def run_script(con: duckdb.DuckDBPyConnection, filename: str) -> None:
    """Run the statements of a build-step file of ``queries/`` (``_*.sql``) in order.

    Statements are split on ``;``: build scripts hold no semicolon inside a literal.
    """
    sql = (QUERIES_DIR / filename).read_text(encoding="utf-8")
    for statement in _strip_comments(sql).split(";"):
        if statement.strip():
            con.execute(statement)


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the shared macros of ``queries/_macros.sql`` in a database being built."""
    run_script(con, MACROS_FILE)
