"""A database rebuilt under a running app reaches every new session, with no restart,
and work already running on the previous build finishes there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from geo.database import Databases


def _total(cur) -> int:
    return int(cur.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0])


def _rebuilt_without_latest_year(db: Path, work: Path) -> tuple[Path, int]:
    """A copy of ``db`` without its latest MMP year, swapped in the way ``geo build``
    does it (a new file, then ``os.replace``); returns the path and its new total."""
    fresh = work / "atlas.duckdb.new"
    shutil.copy(db, fresh)
    with duckdb.connect(str(fresh)) as c:
        c.execute(
            "DELETE FROM incidents WHERE year(incident_date) = "
            "(SELECT max(year(incident_date)) FROM incidents)"
        )
        total = _total(c)
    return fresh, total


@pytest.fixture()
def live_db(db_path, tmp_path) -> Path:
    path = tmp_path / "atlas.duckdb"
    shutil.copy(db_path, path)
    return path


def _open_files_to(path: Path) -> list[str]:
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(path)):
            found.append(target)
    return found


def test_a_rebuilt_file_reaches_the_next_cursor(live_db, tmp_path):
    dbs = Databases()
    with dbs.cursor(live_db) as cur:
        before = _total(cur)
    fresh, expected = _rebuilt_without_latest_year(live_db, tmp_path)
    assert expected < before
    os.replace(fresh, live_db)
    with dbs.cursor(live_db) as cur:
        assert _total(cur) == expected
    # The previous build is closed: nothing holds the deleted file any more.
    assert dbs.open_count() == 1
    assert not [t for t in _open_files_to(live_db) if "(deleted)" in t]


def test_a_cursor_is_used_again_unless_its_work_failed(live_db):
    dbs = Databases()
    with dbs.cursor(live_db) as first:
        _total(first)
    with dbs.cursor(live_db) as again:
        assert again is first  # kept open: no new connection and USE per query
        with dbs.cursor(live_db) as other:  # a second thread's meanwhile
            assert other is not first
    with pytest.raises(duckdb.Error), dbs.cursor(live_db) as failing:
        failing.execute("SELECT * FROM no_such_table")
    with dbs.cursor(live_db) as after:
        assert after is not failing  # closed, not handed out again
        assert _total(after) > 0


def test_work_on_the_previous_build_finishes_there(live_db, tmp_path):
    dbs = Databases()
    with dbs.cursor(live_db) as old:
        before = _total(old)
        fresh, expected = _rebuilt_without_latest_year(live_db, tmp_path)
        os.replace(fresh, live_db)
        with dbs.cursor(live_db) as new:
            assert _total(new) == expected
        # Still open and answering from the build it started on.
        assert _total(old) == before
        assert dbs.open_count() == 2
    assert dbs.open_count() == 1


def test_same_path_reconnect_would_serve_the_old_file(live_db, tmp_path):
    """Why geo.database exists: DuckDB hands back the instance already open for a
    path, so a plain reconnect after the swap still reads the deleted file."""
    held = duckdb.connect(str(live_db), read_only=True)
    try:
        before = _total(held)
        fresh, expected = _rebuilt_without_latest_year(live_db, tmp_path)
        os.replace(fresh, live_db)
        again = duckdb.connect(str(live_db), read_only=True)
        assert _total(again) == before != expected
        again.close()
    finally:
        held.close()


def _shows(page, text: str, timeout_ms: int = 30_000) -> str:
    """Wait until the main area shows ``text``; return the main area's text."""
    page.wait_for_function(
        "t => document.querySelector('[data-testid=stMain]')?.innerText.includes(t)",
        arg=text,
        timeout=timeout_ms,
    )
    return page.inner_text("[data-testid='stMain']")


@pytest.mark.browser
def test_running_app_shows_a_rebuild_to_new_sessions(db_path, browser, tmp_path):
    from tests.browser import OfflinePage, Server, wait_for_app

    live = tmp_path / "atlas.duckdb"
    shutil.copy(db_path, live)
    with duckdb.connect(str(live), read_only=True) as c:
        before = _total(c)
    server = Server(live)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        first = OfflinePage(context)
        first.page.goto(server.url, wait_until="domcontentloaded")
        wait_for_app(first.page)
        _shows(first.page, f"{before:,}")

        fresh, expected = _rebuilt_without_latest_year(live, tmp_path)
        os.replace(fresh, live)

        second = OfflinePage(context)
        second.page.goto(server.url, wait_until="domcontentloaded")
        wait_for_app(second.page)
        text = _shows(second.page, f"{expected:,}")
        assert f"{before:,}" not in text

        # The session opened before the swap keeps working: its next run reads the
        # new build, with no error.
        first.page.get_by_role("link", name="Deadly routes").first.click()
        wait_for_app(first.page)
        first.page.get_by_role("link", name="Overview").first.click()
        wait_for_app(first.page)
        text = _shows(first.page, f"{expected:,}")
        for bad in ("Traceback", "Exception", "Error:"):
            assert bad not in text
        assert not first.real_errors() and not second.real_errors()
    finally:
        context.close()
        server.stop()


def test_queries_run_on_one_thread_unless_a_table_spans_several_row_groups(db_path, tmp_path):
    """The real database (every table within two of DuckDB's 122,880-row groups) is
    queried on one thread; a database with a larger table keeps DuckDB's own count."""
    from geo.database import SINGLE_THREAD_ROWS, open_read_only

    con = open_read_only(str(db_path))
    try:
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
        largest = con.execute("SELECT max(estimated_size) FROM duckdb_tables()").fetchone()[0]
        assert 0 < largest <= SINGLE_THREAD_ROWS
    finally:
        con.close()
    big = tmp_path / "big.duckdb"
    with duckdb.connect(str(big)) as w:
        w.execute("CREATE TABLE t AS SELECT range AS i FROM range(?)", [SINGLE_THREAD_ROWS + 1])
    default = duckdb.connect(":memory:").execute("SELECT current_setting('threads')").fetchone()[0]
    con = open_read_only(str(big))
    try:
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == default
    finally:
        con.close()
