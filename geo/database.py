"""The app's read-only view of the database file, following rebuilds.

``geo build`` swaps a new file in with ``os.replace``. ``duckdb.connect(path)``
would hand back the instance already open for that path (the deleted file), so a
running server would keep serving the old figures. Here each build of the file
(told apart by inode, size and modification time) is attached to its own in-memory
DuckDB instance. New work goes to the newest build; a query already running on the
previous one finishes there, and that instance is closed (releasing the deleted
file) once nothing uses it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb


def file_key(path: Path) -> tuple[str, int, int, int]:
    """What tells one build of the database file from another.

    Parameters
    ----------
    path : Path
        The database file.

    Returns
    -------
    tuple
        ``(path, inode, size, mtime_ns)``; raises ``OSError`` if the file is gone.
    """
    st = os.stat(path)
    return (str(path), st.st_ino, st.st_size, st.st_mtime_ns)


# DuckDB splits a scan by row groups of 122,880 rows. The real data's largest table holds
# 139k rows, so a second thread has next to nothing to scan and only adds its scheduling:
# on one thread a Deadly routes view's queries took 31 ms instead of 44, and a Cities
# view's 32 instead of 45 (issue 19). A scaled-up database (benchmarks: 100x) keeps
# DuckDB's default, one thread per core.
SINGLE_THREAD_ROWS = 2 * 122_880


def open_read_only(path: str) -> duckdb.DuckDBPyConnection:
    """A fresh DuckDB instance with ``path`` attached read-only as the default catalog.

    Never shares an instance with an earlier connection to the same path. It runs each
    query on one thread when no table is larger than :data:`SINGLE_THREAD_ROWS`.
    """
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH ? AS atlas (READ_ONLY)", [path])
        con.execute("USE atlas")
        largest = con.execute(
            "SELECT max(estimated_size) FROM duckdb_tables() WHERE database_name = 'atlas'"
        ).fetchone()[0]
        if (largest or 0) <= SINGLE_THREAD_ROWS:
            con.execute("SET threads = 1")
    except BaseException:
        con.close()
        raise
    return con


# Cursors kept open per instance between pieces of work. Opening one (a connection to
# the instance, then USE) took 0.4 ms, and a new Deadly routes state runs five or six
# queries (issue 19); at most this many wait, one per thread that ran a query at once.
IDLE_CURSORS = 8


@dataclass
class _Instance:
    key: tuple
    con: duckdb.DuckDBPyConnection
    users: int = 0
    retired: bool = False
    idle: list = field(default_factory=list)
    # What the app derives once per build (geo.cache: the filter codes)
    memo: dict = field(default_factory=dict)

    def close(self) -> None:
        for cur in self.idle:
            cur.close()
        self.idle.clear()
        self.con.close()


@dataclass
class Databases:
    """Connections per build of database files, shared by every session of a server."""

    _open: dict[str, _Instance] = field(default_factory=dict)
    _retired: list[_Instance] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _current(self, path: Path) -> _Instance:
        key = file_key(path)
        with self._lock:
            inst = self._open.get(key[0])
            if inst is not None and inst.key == key:
                inst.users += 1
                return inst
        # Opening takes a moment; not under the lock, so other sessions keep querying.
        con = open_read_only(key[0])
        with self._lock:
            inst = self._open.get(key[0])
            if inst is not None and inst.key == key:
                # Another session opened the same build meanwhile.
                con.close()
            else:
                if inst is not None:
                    inst.retired = True
                    self._retired.append(inst)
                inst = _Instance(key, con)
                self._open[key[0]] = inst
            inst.users += 1
            self._close_unused()
            return inst

    def _close_unused(self) -> None:
        for old in [i for i in self._retired if i.users == 0]:
            old.close()
            self._retired.remove(old)

    @contextmanager
    def cursor(self, path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the newest build of ``path``, for one piece of work.

        Parameters
        ----------
        path : Path
            The database file.

        Yields
        ------
        duckdb.DuckDBPyConnection
            A cursor whose default catalog is the database.
        """
        with self.cursor_and_memo(path) as (cur, _):
            yield cur

    @contextmanager
    def cursor_and_memo(self, path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict]]:
        """:meth:`cursor`, with a dict kept for the build the cursor reads (what a caller
        derives from that build once, such as its filter codes)."""
        inst = self._current(path)
        cur = None
        done = False
        try:
            with self._lock:
                cur = inst.idle.pop() if inst.idle else None
            if cur is None:
                cur = inst.con.cursor()
                # A cursor starts in the instance's own (empty) catalog.
                cur.execute("USE atlas")
            yield cur, inst.memo
            done = True
        finally:
            with self._lock:
                # Only a cursor whose work ended normally is used again: one left by an
                # error or an interrupted run is closed.
                keep = done and not inst.retired and len(inst.idle) < IDLE_CURSORS
                if keep:
                    inst.idle.append(cur)
            if cur is not None and not keep:
                cur.close()
            with self._lock:
                inst.users -= 1
                if inst.retired:
                    self._close_unused()

    def open_count(self) -> int:
        """Instances open now, retired ones still in use included."""
        with self._lock:
            return len(self._open) + len(self._retired)
