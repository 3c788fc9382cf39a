"""Run the SQL files of ``queries/`` by name with ``$name`` parameters.

User input only ever reaches DuckDB as a bound parameter; a query's name must be
one of the files in ``queries/``. Each file starts with a header comment listing
its parameters and returned columns.

Given a database's :class:`FilterCodes`, :func:`run_query` writes the Deadly routes
filter (the ``filtered_incidents`` macro of ``_macros.sql``) into the query itself, as
integer masks of the chosen values: the same rows, bound and planned in about half the
time (issue 19). Values reach that SQL only as integers looked up in ``incident_codes``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
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


# The filter call as every query writes it (see _macros.sql), and the mask column of
# each list filter.
_FILTER_CALL = re.compile(
    r"filtered_incidents\(\s*\$date_from::DATE,\s*\$date_to::DATE,\s*\$regions::VARCHAR\[\],"
    r"\s*\$routes::VARCHAR\[\],\s*\$causes::VARCHAR\[\],\s*\$types::VARCHAR\[\]\s*\)"
)
_MASKED = (("regions", "region", "region_bits"), ("routes", "route", "route_bits"),
           ("causes", "cause", "cause_bits"))  # fmt: skip


@dataclass(frozen=True)
class FilterCodes:
    """The bit of each region, route and cause value of one database build.

    Attributes
    ----------
    bits : Mapping
        ``kind -> value -> bit`` (``kind``: ``region``, ``route``, ``cause``), from
        ``incident_codes``.
    """

    bits: Mapping[str, Mapping[str, int]]

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> FilterCodes | None:
        """The codes of the database ``con`` reads; ``None`` when a kind has values
        without a bit (more than 63: the macro then tests the text lists)."""
        bits: dict[str, dict[str, int]] = {kind: {} for _, kind, _ in _MASKED}
        for kind, value, bit in con.execute(
            "SELECT kind, value, bit FROM incident_codes"
        ).fetchall():
            if bit is None:
                return None
            bits.setdefault(kind, {})[value] = int(bit)
        return cls(bits)

    def where(self, params: Mapping) -> str:
        """The ``WHERE`` condition of ``filtered_incidents`` for these parameters."""
        # every day the incident may lie in is in the range (filtered_incidents)
        parts = ["date_lo >= $date_from::DATE", "date_hi <= $date_to::DATE"]
        for key, kind, column in _MASKED:
            wanted = params[key] or ()
            if wanted:
                known = self.bits.get(kind, {})
                mask = 0
                for value in wanted:
                    mask |= known.get(value, 0)
                # A value the data does not hold matches nothing, as in the macro.
                parts.append(f"({column} & {mask}::BIGINT) <> 0" if mask else "false")
        if params["types"]:
            parts.append("list_contains($types::VARCHAR[], incident_type)")
        return " AND ".join(parts)


def _inline_filter(sql: str, params: Mapping, codes: FilterCodes) -> str:
    where = codes.where(params)
    # Only integers and the query's own $parameters go into this text (FilterCodes.where).
    return _FILTER_CALL.sub(lambda _: f"(SELECT * FROM incidents WHERE {where})", sql)  # noqa: S608


def run_query(
    con: duckdb.DuckDBPyConnection, name: str, *, codes: FilterCodes | None = None, **params
) -> pd.DataFrame:
    """Run ``queries/<name>.sql`` with bound parameters.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        An open connection (read-only is enough).
    name : str
        File name without ``.sql``.
    codes : FilterCodes, optional
        The database's filter codes: the Deadly routes filter is then written into the
        query as masks (the same rows as the macro, planned faster).
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
    sql = query_text(name)
    if codes is not None and _FILTER_CALL.search(sql):
        sql = _inline_filter(sql, params, codes)
        needed = frozenset(_PARAM.findall(_strip_comments(sql)))
    bound = {k: params[k] for k in needed}
    return con.execute(sql, bound).df()


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
