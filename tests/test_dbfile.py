"""geo.dbfile.check_database_file: one line per way a database path can be unusable."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import duckdb
import pytest

from geo.build import _create_schema
from geo.dbfile import check_database_file
from geo.schema import TABLES


@pytest.fixture()
def atlas_db(tmp_path) -> Path:
    """A small DuckDB file with every atlas table (empty), checkpointed."""
    path = tmp_path / "atlas.duckdb"
    with duckdb.connect(str(path)) as con:
        _create_schema(con)
        con.execute("INSERT INTO build_info VALUES ('built_at', 'now')")
        con.execute("CHECKPOINT")
    return path


def _says(path: Path, *words: str) -> str:
    problem = check_database_file(path)
    assert problem is not None, f"{path} was accepted"
    assert problem.startswith(f"{path}: "), problem
    assert "\n" not in problem
    for word in words:
        assert word in problem, problem
    return problem


def test_an_atlas_database_passes(atlas_db):
    assert check_database_file(atlas_db) is None
    assert check_database_file(str(atlas_db)) is None


def test_the_built_database_passes(db_path):
    assert check_database_file(db_path) is None


def test_missing(tmp_path):
    _says(tmp_path / "nope.duckdb", "no database file", "python -m geo build")


def test_directory(tmp_path):
    _says(tmp_path, "is a directory", "python -m geo build")


def test_empty(tmp_path):
    path = tmp_path / "empty.duckdb"
    path.touch()
    _says(path, "is empty (0 bytes)")


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", "an HTML page"),
        (b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin\n", "it holds text"),
        (b"PK\x03\x04" + b"\0" * 200, "a zip archive"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "binary data"),
    ],
)
def test_not_duckdb(tmp_path, content, what):
    path = tmp_path / "atlas.duckdb"
    path.write_bytes(content)
    _says(path, "is not a DuckDB database", what)


def test_sqlite_file(tmp_path):
    path = tmp_path / "atlas.duckdb"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (a)")
    con.close()
    _says(path, "an SQLite database")


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_at_a_block(atlas_db, keep):
    """Cut inside the data blocks: DuckDB itself would open it and fail on a later
    query, so the size is checked against the header's block count."""
    raw = atlas_db.read_bytes()
    atlas_db.write_bytes(raw[: int(len(raw) * keep)])
    _says(atlas_db, "is truncated", f"of {len(raw):,} bytes")


@pytest.mark.parametrize("size", [12, 100, 4096, 9000])
def test_truncated_in_the_headers(atlas_db, size):
    atlas_db.write_bytes(atlas_db.read_bytes()[:size])
    _says(atlas_db, "is truncated", f"{size:,}")


def test_damaged_block(atlas_db):
    raw = bytearray(atlas_db.read_bytes())
    raw[12288 : 12288 + 4096] = b"\xff" * 4096  # the first data block, full size kept
    atlas_db.write_bytes(bytes(raw))
    _says(atlas_db, "is damaged or truncated", "checksum")


def test_duckdb_without_our_tables(tmp_path):
    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t (a INTEGER)")
    _says(path, "not an Arrival Atlas one")


def test_older_atlas_database(atlas_db):
    with duckdb.connect(str(atlas_db)) as con:
        con.execute(f"DROP TABLE {TABLES[1].name}")
        con.execute("CHECKPOINT")
    _says(atlas_db, "older version", f"'{TABLES[1].name}'", "python -m geo build")


def test_quote_in_the_path(tmp_path, atlas_db):
    odd = tmp_path / "it's here.duckdb"
    atlas_db.rename(odd)
    assert check_database_file(odd) is None


def test_unreadable(tmp_path, atlas_db, monkeypatch):
    atlas_db.chmod(0)
    if os.geteuid() == 0:
        # root reads a mode-000 file; make the open fail as it does for anyone else.
        real_open = Path.open

        def deny(self, *args, **kwargs):
            if self == atlas_db:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", deny)
    try:
        _says(atlas_db, "permission denied", "chmod")
    finally:
        atlas_db.chmod(0o644)


def test_locked_by_another_writer(atlas_db):
    """A process holding the file for writing (DuckDB locks it per process)."""
    import subprocess
    import sys

    code = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
        "print('open', flush=True); time.sleep(30)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(atlas_db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        _says(atlas_db, "locked by another program")
    finally:
        holder.kill()
        holder.wait()


def test_reads_the_file_on_disk_not_an_open_instance(tmp_path, atlas_db):
    """With the database open in this process (as the app holds it), a file moved over
    it is judged as it is now: DuckDB's connect would hand back the old instance."""
    held = duckdb.connect(str(atlas_db), read_only=True)
    try:
        other = tmp_path / "other.duckdb"
        with duckdb.connect(str(other)) as con:
            con.execute("CREATE TABLE t (a INTEGER)")
        os.replace(other, atlas_db)
        _says(atlas_db, "not an Arrival Atlas one")
        atlas_db.write_text("<html><body>gone</body></html>")
        _says(atlas_db, "an HTML page")
    finally:
        held.close()


def test_atlas_database_of_an_older_build(atlas_db):
    """A file built before a macro was added: its tables and its own macros are there,
    but a query would fail on the macro added since (``is_cumulative`` came later)."""
    with duckdb.connect(str(atlas_db)) as con:
        con.execute("CREATE MACRO haversine_km(lat1, lon1, lat2, lon2) AS 0.0")
        con.execute("CHECKPOINT")
    from geo.dbfile import _build_macros

    later = len(_build_macros()) - 2  # all but haversine_km and is_cumulative
    _says(
        atlas_db,
        "older version",
        f"no macro 'is_cumulative' and {later} more",
        "python -m geo build",
    )
