"""The integer filter columns of ``incidents`` (``queries/_incident_codes.sql``) and the
mask macros written at build select exactly what the text lists select."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from geo.build import _create_schema, install_filter_macros
from geo.queries import INCIDENT_CODES_FILE, install_macros, run_query, run_script

KINDS = {"region": "regions", "route": "routes", "cause": "causes"}
ALL_DATES = (date(1900, 1, 1), date(2100, 1, 1))


def macro_count(con, *, regions=(), routes=(), causes=(), dates=ALL_DATES) -> int:
    return con.execute(
        "SELECT count(*) FROM filtered_incidents(?::DATE, ?::DATE, ?::VARCHAR[], "
        "?::VARCHAR[], ?::VARCHAR[], []::VARCHAR[])",
        [*dates, list(regions), list(routes), list(causes)],
    ).fetchone()[0]


def list_count(con, column: str, values: list[str]) -> int:
    return con.execute(
        f"SELECT count(*) FROM incidents WHERE list_has_any({column}, ?::VARCHAR[])",  # noqa: S608 - column from KINDS
        [values],
    ).fetchone()[0]


def test_every_value_selects_what_its_text_list_selects(con):
    codes = con.execute("SELECT kind, value, incidents, code, bit FROM incident_codes").fetchall()
    assert {k for k, *_ in codes} == set(KINDS)
    for kind, value, n, code, bit in codes:
        column = KINDS[kind]
        expected = list_count(con, column, [value])
        assert n == expected > 0, (kind, value)
        assert macro_count(con, **{column: [value]}) == expected, (kind, value)
        assert code < 63 and bit == 1 << code  # the real vocabularies fit the masks
    # several values at once, and one that is not in the data
    routes = [v for k, v, *_ in codes if k == "route"][:3]
    assert macro_count(con, routes=routes) == list_count(con, "routes", routes)
    assert macro_count(con, routes=["No such route"]) == 0
    assert macro_count(con, routes=[*routes[:1], "No such route"]) == list_count(
        con, "routes", routes[:1]
    )


def test_masks_agree_with_the_lists_row_by_row(con):
    bad = con.execute(
        """
        SELECT count(*) FROM incidents i
        WHERE route_bits <> coalesce((SELECT bit_or(bit) FROM incident_codes c
                                      WHERE c.kind = 'route' AND list_contains(i.routes, c.value)), 0)
           OR region_bits <> coalesce((SELECT bit_or(bit) FROM incident_codes c
                                       WHERE c.kind = 'region' AND list_contains(i.regions, c.value)), 0)
           OR main_route IS DISTINCT FROM (SELECT code FROM incident_codes c
                                           WHERE c.kind = 'route' AND c.value = i.routes[1])
        """
    ).fetchone()[0]
    assert bad == 0


def test_undated_incidents_pass_when_the_range_covers_their_year(con):
    """An incident with only a year passes a range that covers the whole year, not one
    that covers part of it (June of its year), and the cut ones are the ones the page
    says it left out (``undated_cut``)."""
    undated = con.execute(
        "SELECT incident_id, year FROM incidents WHERE incident_date IS NULL ORDER BY incident_id"
    ).fetchall()
    assert undated, "the export has undated incidents"
    _, year = undated[0]
    undated_that_year = sum(1 for _, y in undated if y == year)

    def dated(first: date, last: date) -> int:
        return con.execute(
            "SELECT count(*) FROM incidents WHERE incident_date BETWEEN ? AND ?", [first, last]
        ).fetchone()[0]

    def cut(first: date, last: date):
        lists = dict(regions=[], routes=[], causes=[], types=[])
        return run_query(con, "undated_cut", date_from=first, date_to=last, **lists)

    june = (date(year, 6, 1), date(year, 6, 30))
    assert macro_count(con, dates=june) == dated(*june)
    left_out = cut(*june)
    assert left_out["year"].tolist() == [year]
    assert left_out["incidents"].sum() == undated_that_year
    whole = (date(year, 1, 1), date(year, 12, 31))
    assert macro_count(con, dates=whole) == dated(*whole) + undated_that_year
    assert cut(*whole).empty
    # the data's own first and last dates cover every incident
    first, last = con.execute(
        "SELECT min(incident_date), max(incident_date) FROM incidents"
    ).fetchone()
    assert (
        macro_count(con, dates=(first, last))
        == con.execute("SELECT count(*) FROM incidents").fetchone()[0]
    )


@pytest.fixture()
def big_vocabulary():
    """An in-memory database with 70 routes (more than a mask's 63 bits), one of them
    with a quote in its name, and the build's codes and macros."""
    con = duckdb.connect()
    _create_schema(con)
    routes = [f"Route {i:02d}" for i in range(69)] + ["Côte d'Ivoire; -- route"]
    rows = []
    for i, route in enumerate(routes):
        for j in range(100 - i):  # frequencies differ, so codes are ranked
            rows.append((f"{i}-{j}", date(2020, 1, 1 + j % 28), [route, routes[(i + 1) % 70]]))
    con.executemany(
        "INSERT INTO incidents (incident_id, incident_date, year, routes, regions, causes, "
        "dead_and_missing) VALUES (?, ?, 2020, ?, ['R'], ['C'], 1)",
        [(i, d, r) for i, d, r in rows],
    )
    run_script(con, INCIDENT_CODES_FILE)
    install_filter_macros(con)
    install_macros(con)
    yield con, routes
    con.close()


def test_a_vocabulary_beyond_the_mask_stays_exact(big_vocabulary):
    con, routes = big_vocabulary
    no_bits = con.execute(
        "SELECT count(*) FROM incident_codes WHERE kind = 'route' AND bit IS NULL"
    ).fetchone()[0]
    assert no_bits == 70  # routes filter on the text list; regions and causes on bits
    assert (
        con.execute(
            "SELECT count(*) FROM incident_codes WHERE kind <> 'route' AND bit IS NOT NULL"
        ).fetchone()[0]
        == 2
    )
    for route in routes:
        assert macro_count(con, routes=[route]) == list_count(con, "routes", [route]), route
    pair = [routes[3], routes[66]]
    assert macro_count(con, routes=pair) == list_count(con, "routes", pair)
    assert macro_count(con, routes=[routes[5]], regions=["R"], causes=["C"]) == list_count(
        con, "routes", [routes[5]]
    )
    assert macro_count(con, routes=[routes[5]], causes=["Other"]) == 0


def test_a_value_with_quotes_and_sql_is_a_literal_in_the_macro():
    from geo.build import filter_macro

    sql = filter_macro("route", [("a'); DROP TABLE incidents; --", 1), ("b", 2)])
    con = duckdb.connect()
    con.execute(sql)
    assert con.execute(
        "SELECT route_passes(2::BIGINT, [], ['b']), route_passes(1::BIGINT, [], ['b']), "
        "route_passes(1::BIGINT, [], ?::VARCHAR[])",
        [["a'); DROP TABLE incidents; --"]],
    ).fetchone() == (True, False, True)
