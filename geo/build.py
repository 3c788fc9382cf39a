"""``python -m geo build``: validate every dataset in a sources folder into one DuckDB
file, atomically.

The new database is written to a temporary file beside the target and moved over it
with :func:`os.replace` only when every dataset present has loaded; on any error the
temporary file is deleted and the previous database is left byte-for-byte unchanged.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import duckdb
import pandas as pd

from geo import readers
from geo.context import LoadContext
from geo.dbfile import replace_refusal
from geo.errors import SourceError, is_disk_full
from geo.loaders import camps, countries, mmp, project, unhcr, wup
from geo.queries import DISTANCES_FILE, SITE_ORDER_FILE, install_macros, run_script
from geo.schema import TABLES

# Order matters: countries fill the ISO lookups the other loaders use.
STEPS = [
    ("countries", countries.load),
    ("MMP incidents", mmp.load),
    ("camps and sites", camps.load),
    ("UNHCR population", unhcr.load),
    ("WUP cities", wup.load),
    ("CIFAL centres", project.load_cifal),
    ("route corridors", project.load_corridors),
]


class BuildError(Exception):
    """The build failed; the message is one line for the user."""


class BuildInterrupted(BaseException):
    """SIGTERM arrived during a build (raised by the handler :func:`build` installs).

    A ``BaseException``, like ``KeyboardInterrupt``, so that no ``except Exception``
    in a loader takes it for a data error; the build's cleanup still runs.
    """

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


TEMP_SUFFIX = ".building"


def _temp_prefix(db: Path) -> str:
    return f".{db.name}."


def leftover_pattern(db: Path) -> re.Pattern:
    """Names of the temporary files a build of ``db`` makes beside it.

    ``tempfile.mkstemp`` adds 8 characters of ``[a-z0-9_]`` between the prefix and the
    suffix; DuckDB adds ``.wal`` (its log) and ``.tmp`` (a folder it spills to).
    """
    prefix = re.escape(_temp_prefix(db))
    return re.compile(rf"{prefix}[a-z0-9_]{{8}}{re.escape(TEMP_SUFFIX)}(\.wal|\.tmp)?")


def lock_file(db: Path) -> Path:
    """The lock every build of ``db`` holds (shared) while it runs."""
    return db.parent / f".{db.name}.build.lock"


def _size(path: Path) -> int:
    if path.is_dir() and not path.is_symlink():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.lstat().st_size


def remove_leftovers(db: Path) -> list[tuple[str, int]]:
    """Delete the temporary files of earlier builds of ``db`` that were killed.

    Only names matching :func:`leftover_pattern` in ``db``'s folder are touched. The
    caller must hold :func:`lock_file` exclusively, so that no running build's files
    are among them.

    Returns
    -------
    list of (str, int)
        Name and size in bytes of each file (or DuckDB spill folder) removed.
    """
    pattern = leftover_pattern(db)
    removed = []
    for path in sorted(db.parent.iterdir()):
        if not pattern.fullmatch(path.name):
            continue
        try:
            size = _size(path)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue  # not ours to force; it stays and is found again next time
        removed.append((path.name, size))
    return removed


def _lock(path: Path, how: int) -> int | None:
    """An open descriptor of ``path`` locked with ``flock(how)``; None if it would block.

    A build that finished may delete the lock file between our open and our lock (see
    :func:`_build_lock`); a lock on a deleted file excludes nobody, so then try again.
    """
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, how)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


@contextlib.contextmanager
def _build_lock(db: Path) -> Iterator[list[tuple[str, int]]]:
    """Hold :func:`lock_file` shared for the build; first remove leftovers if alone.

    A build that gets the lock exclusively knows no other build of ``db`` is running,
    so every temporary file beside ``db`` is a leftover of a killed build: it removes
    them (see :func:`remove_leftovers`, whose list it yields), then shares the lock
    with builds that start later. The kernel drops the lock of a killed build; the
    last build to finish deletes the lock file, so a finished build leaves no file.
    """
    path = lock_file(db)
    removed = []
    fd = _lock(path, fcntl.LOCK_EX | fcntl.LOCK_NB)
    if fd is not None:
        removed = remove_leftovers(db)
        fcntl.flock(fd, fcntl.LOCK_SH)
    else:
        # Another build is running: its temporary files are not leftovers.
        fd = _lock(path, fcntl.LOCK_SH)
    try:
        yield removed
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            path.unlink(missing_ok=True)  # no other build holds it
        except BlockingIOError:
            pass
        finally:
            os.close(fd)


def _removed_line(removed: list[tuple[str, int]]) -> str:
    total = sum(size for _, size in removed)
    names = ", ".join(name for name, _ in removed)
    return (
        f"  removed {len(removed)} leftover file{'s' * (len(removed) > 1)} of interrupted "
        f"builds ({total / 1e6:.1f} MB): {names}"
    )


def _discard(con: duckdb.DuckDBPyConnection | None, tmp: Path | None) -> None:
    """Close and delete a build's temporary database (with DuckDB's log and spill folder)."""
    if con is not None:
        try:
            con.close()
        except duckdb.Error:
            pass
    if tmp is None:
        return
    for leftover in (tmp, Path(f"{tmp}.wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(f"{tmp}.tmp", ignore_errors=True)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`BuildInterrupted` while the build runs, so that its
    ``finally`` deletes the temporary file. Only the main thread can set handlers (the
    app builds in a script thread, where the server's own handling stands)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        # A second SIGTERM must not cut the cleanup short.
        signal.signal(signum, signal.SIG_IGN)
        raise BuildInterrupted(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for t in TABLES:
        con.execute(t.ddl())
        # COMMENT ON takes no parameters; the texts are our own constants.
        con.execute(f"COMMENT ON TABLE {t.name} IS {_literal(t.doc)}")
        for column, _, doc in t.columns:
            con.execute(f"COMMENT ON COLUMN {t.name}.{column} IS {_literal(doc)}")


MASK_KINDS = ("region", "route", "cause")


def filter_macro(kind: str, codes: list[tuple[str, int | None]]) -> str:
    """``CREATE MACRO <kind>_passes(bits, have, wanted)``: the filter on one list column.

    ``codes`` are the kind's (value, bit) pairs in code order. When every value has a
    bit, the wanted values become a mask through ``list_position`` in a constant list of
    the values (cheaper to plan than a MAP, and a constant for a bound parameter), and
    the filter tests ``bits``. Otherwise (more than 63 values) it tests the text list.
    """
    if codes and all(bit is not None for _, bit in codes):
        values = "[" + ", ".join(_literal(value) for value, _ in codes) + "]"
        mask = (
            "list_aggregate(list_transform(wanted, lambda v: coalesce("
            f"1::BIGINT << (list_position({values}, v) - 1)::BIGINT, 0::BIGINT)), 'bit_or')"
        )
        test = f"(bits & {mask}) <> 0"
    else:
        test = "list_has_any(have, wanted)"
    return f"CREATE MACRO {kind}_passes(bits, have, wanted) AS len(wanted) = 0 OR {test}"


def install_filter_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``region_passes``, ``route_passes`` and ``cause_passes`` from ``incident_codes``."""
    for kind in MASK_KINDS:
        codes = con.execute(
            "SELECT value, bit FROM incident_codes WHERE kind = ? ORDER BY code", [kind]
        ).fetchall()
        con.execute(filter_macro(kind, codes))


def _finish(ctx: LoadContext, sources: Path, started: float) -> None:
    con = ctx.con
    if ctx.issues:
        ctx.insert("load_issues", pd.DataFrame(ctx.issues))
    if ctx.provenance:
        ctx.insert("sources", pd.DataFrame(ctx.provenance))
    info = {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sources_dir": str(sources),
        "build_seconds": f"{time.perf_counter() - started:.1f}",
        "duckdb_version": duckdb.__version__,
    }
    con.executemany("INSERT OR REPLACE INTO build_info VALUES (?, ?)", list(info.items()))
    run_script(con, SITE_ORDER_FILE)
    install_filter_macros(con)
    install_macros(con)
    run_script(con, DISTANCES_FILE)  # uses the haversine_km macro
    # Indexes for the filters the pages use most.
    con.execute("CREATE INDEX incidents_year ON incidents(year)")
    con.execute("CREATE INDEX incident_routes_route ON incident_routes(route)")
    con.execute("CREATE INDEX sites_country ON sites(iso3)")
    con.execute("CHECKPOINT")


def previous_files(db: Path) -> dict[str, set[str]]:
    """Files of each dataset in the database already at ``db`` (its ``sources`` table).

    Returns an empty dict when there is no database there, or one that cannot be read
    (a damaged or truncated database: it will be replaced).
    """
    if not db.is_file():
        return {}
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            rows = con.execute("SELECT dataset, file FROM sources").fetchall()
    except duckdb.Error:
        return {}
    found: dict[str, set[str]] = {}
    for dataset, file in rows:
        found.setdefault(dataset, set()).add(file)
    return found


def check_against_previous(
    previous: dict[str, set[str]], ctx: LoadContext, allow_missing: set[str]
) -> None:
    """Fail when a dataset (or one of its files) of the previous build is missing now.

    A folder that lost ``missing_migrants/`` would otherwise replace a good database
    with one that has no incidents. A dataset counts as missing when it has no file
    now; a file counts as missing when it is absent and its dataset now has fewer files
    than before (a one-for-one replacement, such as a newer export, is an update).
    ``allow_missing`` names what may go: a dataset key (``mmp_export``), a top folder
    (``missing_migrants``) or a file (``missing_migrants/api/2026.json``).

    Raises
    ------
    BuildError
        One line naming the first thing missing and how to accept its loss.
    """
    now: dict[str, set[str]] = {}
    for row in ctx.provenance:
        now.setdefault(row["dataset"], set()).add(row["file"])
    for dataset, files in sorted(previous.items()):
        current = now.get(dataset, set())
        gone = sorted(files - current) if len(current) < len(files) else []
        for file in gone if current else [sorted(files)[0]]:
            names = {dataset, file, file.split("/")[0]}
            if names & allow_missing:
                ctx.say(f"  {dataset}: {file} was in the previous build; missing, as allowed")
                continue
            what = "this file" if current else f"dataset {dataset}"
            raise BuildError(
                f"{ctx.sources / file}: {what} was in the previous build and is missing now; "
                f"restore it, or pass --allow-missing {file if current else dataset} "
                "to build without it"
            )


def build(
    sources: Path,
    db: Path,
    out: TextIO = sys.stdout,
    *,
    allow_missing: Iterable[str] = (),
) -> dict:
    """Build the database.

    Parameters
    ----------
    sources : Path
        Folder in the reference layout (see ``../shared/data``).
    db : Path
        Target database file; replaced only on success.
    out : TextIO
        Where the report is written.
    allow_missing : iterable of str
        Datasets (``mmp_export``), top folders (``missing_migrants``) or files that
        were in the previous build at ``db`` and may be missing from this one. Anything
        else of the previous build that is missing fails the build (see
        :func:`check_against_previous`). The Natural Earth countries are always
        required: every map page draws them.

    Returns
    -------
    dict
        Summary figures (incidents, dead_and_missing, sites, cities, countries, cifal).

    Raises
    ------
    BuildError
        One line naming the file (and row or column) and the reason.
    """
    started = time.perf_counter()
    sources = Path(sources)
    db = Path(db)
    if not sources.is_dir():
        what = "is a file, not a folder" if sources.exists() else "sources folder not found"
        raise BuildError(f"{sources}: {what} (set ATLAS_SOURCES or --sources)")
    refusal = replace_refusal(db)
    if refusal:
        raise BuildError(refusal)
    previous = previous_files(db)
    with contextlib.ExitStack() as stack:
        stack.enter_context(_sigterm_raises())
        tmp = con = None
        ok = False
        try:
            try:
                db.parent.mkdir(parents=True, exist_ok=True)
                removed = stack.enter_context(_build_lock(db))
                fd, tmp_name = tempfile.mkstemp(
                    prefix=_temp_prefix(db), suffix=TEMP_SUFFIX, dir=db.parent
                )
                tmp = Path(tmp_name)
                os.close(fd)
                tmp.unlink()  # DuckDB wants to create the file itself
            except OSError as exc:
                # mkdir says "File exists" when a folder on the way is a file.
                blocked = next((p for p in db.parents if p.exists() and not p.is_dir()), None)
                reason = f"{blocked} is a file, not a folder" if blocked else exc.strerror or exc
                raise BuildError(f"{db}: cannot write the database here ({reason})") from exc
            con = duckdb.connect(str(tmp))
            _create_schema(con)
            ctx = LoadContext(sources=sources, con=con, out=out)
            ctx.say(f"Building {db} from {sources}")
            if removed:
                ctx.say(_removed_line(removed))
            loaded = []
            for label, step in STEPS:
                if _run_step(ctx, label, step):
                    loaded.append(label)
                else:
                    ctx.say(f"  {label}: no file found, skipped")
            if not loaded:
                raise BuildError(
                    f"{sources}: no dataset found (expected the reference layout, e.g. missing_migrants/)"
                )
            if "countries" not in loaded:
                raise BuildError(
                    f"{sources / countries.FILE_110M}: not found; the Natural Earth countries are "
                    "required (every map page draws them)"
                )
            check_against_previous(previous, ctx, set(allow_missing))
            _finish(ctx, sources, started)
            summary = summarise(con)
            con.close()
            os.replace(tmp, db)
            ok = True
        except SourceError as exc:
            raise BuildError(exc.one_line()) from exc
        except (duckdb.Error, OSError) as exc:
            raise BuildError(_write_error(db, tmp, con, exc)) from exc
        except (ValueError, KeyError) as exc:
            raise BuildError(
                f"{sources}: build failed: {type(exc).__name__}: {_flat(exc)}"
            ) from exc
        finally:
            if not ok:
                _discard(con, tmp)
    _report(summary, ctx, out, time.perf_counter() - started)
    return summary


def _run_step(ctx: LoadContext, label: str, step) -> bool:
    """Run one loader; any error it did not foresee becomes one line naming the file.

    A :class:`SourceError` already names its file. An error writing the new database
    (DuckDB's, a full disk) or the report is not a source's fault: it goes on to
    :func:`build`, which names the database. Anything else (a damaged source no rule
    anticipated) names the file it carries, or the one file the loader read, or, when
    it read several, their folder and the last one, so the user learns where to look
    without being told a wrong file for certain.
    """
    mark = readers.OPENED.count
    try:
        return step(ctx)
    except (SourceError, duckdb.Error, BrokenPipeError):
        raise
    except Exception as exc:  # noqa: BLE001 - turned into one line naming the file
        if is_disk_full(exc):
            raise
        opened = readers.OPENED.since(mark)
        after = ""
        if isinstance(exc, OSError) and exc.filename:
            where = exc.filename
        elif len(opened) == 1:
            where = opened[0]
        elif opened:
            where = os.path.commonpath(opened)
            after = f" (after reading {len(opened)} files, the last {ctx.rel(opened[-1])})"
        else:
            where = ctx.sources
        raise SourceError(
            where, f"cannot load {label}: unexpected {type(exc).__name__}: {_flat(exc, 200)}{after}"
        ) from exc


def _flat(exc: BaseException, limit: int = 300) -> str:
    """An exception's message on one line, cut to ``limit`` characters."""
    return " ".join(str(exc).split())[:limit]


def _mb(n: float) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.1f} MB"


def _write_error(
    db: Path, tmp: Path | None, con: duckdb.DuckDBPyConnection | None, exc: Exception
) -> str:
    """One line for an error writing the new database (or any OSError of the build).

    A full disk names the database, the free space and what the unfinished build had
    written (it is removed first, so the free space is what the user has now).
    """
    if is_disk_full(exc):
        used = 0
        if tmp is not None:
            used = sum(p.stat().st_size for p in (tmp, Path(f"{tmp}.wal")) if p.exists())
        _discard(con, tmp)
        try:
            free = f"{_mb(shutil.disk_usage(db.parent).free)} free there now"
        except OSError:
            free = "free space unknown"
        kept = "; the previous database is unchanged" if db.exists() else ""
        return (
            f"{db}: the disk is full: no space left to write the new database "
            f"({free}; the unfinished build had written {_mb(used)} and was removed{kept}); "
            "free some space and build again"
        )
    if isinstance(exc, BrokenPipeError):  # `geo build | head`: the reader went away
        return f"{db}: build stopped: the output of its report was closed (broken pipe)"
    if isinstance(exc, OSError):
        return f"{exc.filename or db}: build failed: {exc.strerror or _flat(exc)}"
    return f"{db}: cannot write the new database: {type(exc).__name__}: {_flat(exc)}"


def summarise(con: duckdb.DuckDBPyConnection) -> dict:
    """Headline counts of a built database."""
    q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "incidents": q("SELECT count(*) FROM incidents"),
        "incidents_export": q("SELECT count(*) FROM incidents WHERE origin = 'export'"),
        "incidents_endpoint": q("SELECT count(*) FROM incidents WHERE origin = 'endpoint'"),
        "dead_and_missing": q("SELECT coalesce(sum(dead_and_missing), 0) FROM incidents"),
        "sites": q("SELECT count(*) FROM sites"),
        "cities": q("SELECT count(*) FROM cities"),
        "city_years_min": q(
            "SELECT coalesce(min(n), 0) FROM (SELECT count(*) n FROM city_population GROUP BY city_code)"
        ),
        "city_years_max": q(
            "SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM city_population GROUP BY city_code)"
        ),
        "countries": q("SELECT count(*) FROM countries"),
        "cifal": q("SELECT count(*) FROM cifal_centres WHERE lat IS NOT NULL"),
        "rejected": q("SELECT count(*) FROM load_issues WHERE action = 'rejected'"),
        "superseded": q("SELECT count(*) FROM load_issues WHERE action = 'superseded'"),
        "repaired": q(
            "SELECT count(*) FROM load_issues WHERE action NOT IN ('rejected', 'superseded')"
        ),
    }


def _report(s: dict, ctx: LoadContext, out: TextIO, seconds: float) -> None:
    p = lambda line: print(line, file=out)  # noqa: E731
    p("Summary")
    p(
        f"  incidents: {s['incidents']:,} ({s['incidents_export']:,} from the export, "
        f"{s['incidents_endpoint']:,} from the endpoint files; by year: incident_year_sources)"
    )
    p(f"  dead and missing: {s['dead_and_missing']:,} (minimum estimates)")
    if s["superseded"]:
        p(
            f"  MMP ids not counted: {s['superseded']:,}, held only by the earlier publication "
            "of their year (load_issues, action 'superseded')"
        )
    p(f"  sites: {s['sites']:,}")
    p(
        f"  cities: {s['cities']:,} with {s['city_years_min']}-{s['city_years_max']} population years each"
    )
    p(f"  countries: {s['countries']:,}")
    p(f"  CIFAL centres with coordinates: {s['cifal']}")
    p(
        f"  rows rejected: {s['rejected']:,}; repaired or unlocated: {s['repaired']:,} (table load_issues)"
    )
    p(f"Done in {seconds:.1f} s.")
