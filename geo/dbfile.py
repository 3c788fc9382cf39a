"""Is a path a usable Arrival Atlas database? One line saying what is wrong, or None.

Shared by the command line (``--db``) and the app (``ATLAS_DB``), so that an HTML page,
an empty or truncated file, a directory or an unreadable file is named once, with the
fix, instead of surfacing as a traceback.

The lines of :func:`check_database_file` are in the language of the run (the app's page;
English on the command line); :func:`replace_refusal` is the build's, in English.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import duckdb

from geo import QUERIES_DIR
from geo.i18n import LANGUAGES, N_, _, fmt_int, ngettext, using
from geo.schema import TABLES

# English msgids: a line says ``_(OUTDATED)`` and ``_(FIX)`` (see :func:`is_outdated`).
OUTDATED = N_("an Arrival Atlas database of an older version")
FIX = N_("build one with `python -m geo build`, or point ATLAS_DB (or --db) at a built database")

# A DuckDB file starts with a 4 KiB main header ("DUCK" at byte 8), then two 4 KiB
# database headers; the active one (higher iteration) gives the block count and size.
MAGIC_OFFSET = 8
MAGIC = b"DUCK"
HEADER_SIZE = 4096
FILE_HEADERS = 3 * HEADER_SIZE


def check_database_file(path: Path | str) -> str | None:
    """Say what keeps ``path`` from being opened as an Arrival Atlas database.

    Classifies, in this order: missing, a directory, unreadable, empty, not a DuckDB
    file (an HTML page, a text file...), truncated or damaged, locked by another
    program, and a DuckDB file without the atlas's tables (see :data:`geo.schema.TABLES`).

    The file is opened in a fresh in-memory DuckDB (``ATTACH ... READ_ONLY``), so the
    answer is about the file on disk now, not an instance this process already holds.

    Parameters
    ----------
    path : Path or str
        The database file.

    Returns
    -------
    str or None
        One line, ``<path>: <what is wrong>; <how to fix it>``, or None when the file is
        a readable atlas database.
    """
    path = Path(path)
    problem = _problem(path)
    return f"{path}: {problem}" if problem else None


def _problem(path: Path) -> str | None:
    fix = _(FIX)
    if not path.exists():
        return _("no database file here; {fix}").format(fix=fix)
    if path.is_dir():
        return _("is a directory, not a database file; {fix}").format(fix=fix)
    try:
        with path.open("rb") as f:
            head = f.read(FILE_HEADERS)
    except PermissionError:
        return _(
            "cannot be read (permission denied); give the user running the app read "
            "access (chmod a+r) or copy the file somewhere readable"
        )
    except OSError as exc:
        return _("cannot be read ({error}); {fix}").format(error=exc.strerror or exc, fix=fix)
    if not head:
        return _("is empty (0 bytes), an interrupted copy or build?; {fix}").format(fix=fix)
    if head[MAGIC_OFFSET : MAGIC_OFFSET + len(MAGIC)] != MAGIC:
        return _("is not a DuckDB database (it holds {what}); {fix}").format(
            what=_what_is(head), fix=fix
        )
    size = path.stat().st_size
    expected = _expected_size(head)
    if expected is not None and size < expected:
        return _(
            "is truncated ({size} of {expected} bytes), an interrupted copy?; "
            "copy it again or {fix}"
        ).format(size=fmt_int(size), expected=fmt_int(expected), fix=fix)
    if len(head) < FILE_HEADERS:
        return _(
            "is truncated (only {size} bytes), an interrupted copy?; copy it again or {fix}"
        ).format(size=fmt_int(size), fix=fix)
    return _open_problem(path)


def _what_is(head: bytes) -> str:
    """A few words on what a file that is not a DuckDB database holds."""
    if head.startswith(b"SQLite format 3"):
        return _("an SQLite database")
    if head.startswith(b"PK\x03\x04"):
        return _("a zip archive or Excel workbook")
    if head.startswith(b"%PDF"):
        return _("a PDF")
    text = head[:1024].decode("utf-8", errors="replace").lstrip().lower()
    if text.startswith(("<!doctype html", "<html", "<head", "<body")) or "<html" in text:
        return _("an HTML page: an error or login page saved in its place?")
    if text.startswith("<"):
        return _("XML/HTML markup")
    if b"\x00" not in head[:1024]:
        return _("text")
    return _("binary data of another kind")


def _expected_size(head: bytes) -> int | None:
    """Bytes the file must have according to its active database header, if readable.

    Each database header is a checksum, then iteration, meta block, free list, block
    count and block size (little-endian 64-bit). An unfamiliar layout gives None, and
    the open in :func:`_open_problem` is the only check.
    """
    best = None  # (iteration, block count, block size)
    for start in (HEADER_SIZE, 2 * HEADER_SIZE):
        block = head[start + 8 : start + 48]
        if len(block) < 40:
            return None
        iteration, _, _, count, block_size = struct.unpack("<QqqQQ", block)
        plausible = 4096 <= block_size <= 1 << 30 and block_size & (block_size - 1) == 0
        if plausible and count < 1 << 40 and (best is None or iteration > best[0]):
            best = (iteration, count, block_size)
    if best is None:
        return None
    return FILE_HEADERS + best[1] * best[2]


def _tables(path: Path) -> set[str]:
    """Names of the tables in the DuckDB file at ``path`` (raises ``duckdb.Error``)."""
    return _catalog(path)[0]


def _catalog(path: Path) -> tuple[set[str], set[str]]:
    """Names of the tables and of the macros in the DuckDB file at ``path`` (raises
    ``duckdb.Error``)."""
    con = duckdb.connect(":memory:", config={"threads": 1})
    try:
        con.execute("ATTACH ? AS atlas_check (TYPE duckdb, READ_ONLY)", [str(path)])
        tables = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'atlas_check'"
        ).fetchall()
        macros = con.execute(
            "SELECT function_name FROM duckdb_functions() WHERE database_name = 'atlas_check' "
            "AND function_type IN ('macro', 'table_macro')"
        ).fetchall()
        return {name for (name,) in tables}, {name for (name,) in macros}
    finally:
        con.close()


def _build_macros() -> list[str]:
    """The macros a build creates from ``queries/_macros.sql``, which the queries call."""
    text = (QUERIES_DIR / "_macros.sql").read_text(encoding="utf-8")
    return re.findall(r"^CREATE MACRO (\w+)", text, flags=re.MULTILINE)


def _open_problem(path: Path) -> str | None:
    try:
        found, macros = _catalog(path)
    except duckdb.Error as exc:
        return _error_problem(exc)
    wanted = [t.name for t in TABLES]
    missing = [name for name in wanted if name not in found]
    if len(missing) == len(wanted):
        return _(
            "is a DuckDB database but not an Arrival Atlas one (none of its tables, "
            "e.g. no '{table}'); {fix}"
        ).format(table=TABLES[-1].name, fix=_(FIX))
    if missing:
        return _outdated("table", missing)
    # A build creates every macro of its version; a file with none is not from a build
    # (its queries fail on the first macro anyway). One with some is an older build
    # whose queries would fail on the macros added since.
    lacking = [name for name in _build_macros() if name not in macros]
    if macros and lacking:
        return _outdated("macro", lacking)
    return None


def _outdated(kind: str, absent: list[str]) -> str:
    """The line of an older build that lacks the tables (``kind`` "table") or macros
    ("macro") ``absent`` of this version."""
    more = len(absent) - 1
    if kind == "table" and not more:
        text = _("is {outdated} (no table '{name}'); rebuild it with `python -m geo build`")
    elif kind == "table":
        text = ngettext(
            "is {outdated} (no table '{name}' and {n} more); rebuild it with `python -m geo build`",
            "is {outdated} (no table '{name}' and {n} more); rebuild it with `python -m geo build`",
            more,
        )
    elif not more:
        text = _("is {outdated} (no macro '{name}'); rebuild it with `python -m geo build`")
    else:
        text = ngettext(
            "is {outdated} (no macro '{name}' and {n} more); rebuild it with `python -m geo build`",
            "is {outdated} (no macro '{name}' and {n} more); rebuild it with `python -m geo build`",
            more,
        )
    return text.format(outdated=_(OUTDATED), name=absent[0], n=fmt_int(more))


def _error_problem(exc: duckdb.Error) -> str:
    text = " ".join(str(exc).split())
    low = text.lower()
    if "lock" in low and "conflict" in low:
        return _(
            "is locked by another program writing it; close that program (or wait for "
            "its build to finish) and try again ({error})"
        ).format(error=text[:200])
    if "already attached" in low or "unique file handle" in low:
        return _("is open for writing in this process; close that connection first")
    if "version" in low:
        return _(
            "was written by another DuckDB version than this one "
            "({version}); rebuild it with `python -m geo build` ({error})"
        ).format(version=duckdb.__version__, error=text[:200])
    return _("is damaged or truncated, DuckDB cannot read it ({error}); {fix}").format(
        error=text[:200], fix=_(FIX)
    )


def replace_refusal(path: Path | str) -> str | None:
    """Why a build must not replace what is at ``path``, or None when it may.

    A build moves its new database over ``path``. A directory cannot be replaced, and
    a file that is not an atlas database (an HTML page, ``/etc/passwd``, another
    program's DuckDB file) is not the build's to destroy. A missing, empty, truncated
    or damaged database, or one of an older version, may be replaced: that is how it
    is repaired.

    Returns
    -------
    str or None
        One line, ``<path>: <what it is>; <what to do>``.
    """
    path = Path(path)
    if not path.exists():
        return None
    if path.is_dir():
        return f"{path}: is a directory; give --db (or ATLAS_DB) a file name, e.g. {path / 'atlas.duckdb'}"
    keep = "the build will not replace it: move it away or choose another --db (or ATLAS_DB)"
    try:
        with path.open("rb") as f:
            head = f.read(FILE_HEADERS)
    except OSError as exc:
        return f"{path}: cannot be read ({exc.strerror or exc}), so {keep}"
    if not head:
        return None
    if head[MAGIC_OFFSET : MAGIC_OFFSET + len(MAGIC)] != MAGIC:
        return f"{path}: is not a DuckDB database (it holds {_what_is(head)}); {keep}"
    try:
        found = _tables(path)
    except duckdb.Error:
        return None  # damaged or truncated: replacing it is the repair
    if found and not found & {t.name for t in TABLES}:
        return f"{path}: is another program's DuckDB database (no atlas tables); {keep}"
    return None


__all__ = ["check_database_file", "replace_refusal", "FIX"]


def is_outdated(problem: str | None) -> bool:
    """Whether a problem of :func:`check_database_file` is only an older build's
    (a rebuild from the sources repairs it), whichever language the line is in."""
    return bool(problem) and any(words in problem for words in _outdated_words())


def _outdated_words() -> set[str]:
    """:data:`OUTDATED` in every language offered."""
    words = set()
    for lang in LANGUAGES:
        with using(lang):
            words.add(_(OUTDATED))
    return words


def main(argv: list[str] | None = None) -> int:
    """``python -m geo.dbfile PATH``: print what is wrong with PATH.

    Exit 0 when it is a usable database, 3 when it is an older build (rebuild it), 1
    for any other problem. ``scripts/run.sh`` uses it to rebuild an outdated database.
    """
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m geo.dbfile PATH", file=sys.stderr)
        return 2
    problem = check_database_file(args[0])
    if problem is None:
        return 0
    print(problem, file=sys.stderr)
    return 3 if is_outdated(problem) else 1


if __name__ == "__main__":
    raise SystemExit(main())
