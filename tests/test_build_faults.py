"""Faults around the build: killed builds leave nothing behind, and every error names
the file actually at fault (issue 14, items 8 and 9)."""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.build import _build_lock, build, leftover_pattern, lock_file
from geo.dbfile import check_database_file
from tests.conftest import REPO, copy_sources


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _temp_files(db: Path) -> list[Path]:
    """Files beside ``db`` whose names are a build's temporary ones."""
    pattern = leftover_pattern(db)
    return sorted(p for p in db.parent.iterdir() if pattern.fullmatch(p.name))


def _start_build(sources: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "geo", "build", "--sources", str(sources), "--db", str(db)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _interrupt(
    sources: Path, db: Path, sig: signal.Signals, lines: int = 1
) -> tuple[int, str, str]:
    """Start ``python -m geo build``, send ``sig`` once it writes its temporary database
    and its report has begun (``lines`` lines), and return (exit code, stdout, stderr)."""
    before = set(_temp_files(db))
    proc = _start_build(sources, db)
    first_line = proc.stdout.readline()  # "Building ..." comes after the schema is written
    assert first_line.startswith("Building "), first_line + proc.stderr.read()
    first_line += "".join(proc.stdout.readline() for _ in range(lines - 1))
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".building") for p in set(_temp_files(db)) - before):
        assert proc.poll() is None, "the build finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, first_line + out, err


def test_killed_and_terminated_builds_leave_nothing_behind(mirror, tmp_path):
    """SIGTERM: the build removes its own temporary files. SIGKILL: the next build
    removes them, says so, and the previous database stays intact throughout."""
    sources = copy_sources(mirror, tmp_path / "src", only=["natural_earth"])
    db = tmp_path / "out" / "atlas.duckdb"
    build(sources, db, out=io.StringIO())
    before = _sha(db)
    # Names a careless pattern would take, which are not this database's temporaries.
    strangers = [
        db.parent / "notes.building",
        db.parent / ".other.duckdb.abcdefgh.building",
        db.parent / f".{db.name}.abcdefgh.building.bak",
        db.parent / f"{db.name}.wal",
    ]
    for p in strangers:
        p.write_text("not a leftover")

    code, out, err = _interrupt(sources, db, signal.SIGTERM)
    assert code == 128 + signal.SIGTERM, err
    assert "stopped by SIGTERM" in err and "unchanged" in err, err
    assert "Traceback" not in err
    assert _temp_files(db) == []
    assert not lock_file(db).exists()
    assert _sha(db) == before

    code, out, err = _interrupt(sources, db, signal.SIGKILL)
    assert code == -signal.SIGKILL
    left = _temp_files(db)
    assert [p.name for p in left if p.name.endswith(".building")], left
    assert _sha(db) == before
    # A second kill: the build it interrupts first removed the earlier leftovers.
    code, out, err = _interrupt(sources, db, signal.SIGKILL, lines=2)
    assert code == -signal.SIGKILL
    assert f"removed {len(left)} leftover file" in out, out
    assert all(p.name in out for p in left), out
    assert not any(p.exists() for p in left)
    assert _sha(db) == before
    assert check_database_file(db) is None

    left = _temp_files(db)
    sizes = sum(p.stat().st_size for p in left)
    assert left
    report = io.StringIO()
    build(sources, db, out=report)
    text = report.getvalue()
    names = ", ".join(p.name for p in left)
    assert (
        f"removed {len(left)} leftover file{'s' * (len(left) > 1)} of interrupted builds "
        f"({sizes / 1e6:.1f} MB): {names}"
    ) in text, text
    assert _temp_files(db) == []
    assert not lock_file(db).exists()
    assert all(p.read_text() == "not a leftover" for p in strangers)
    assert check_database_file(db) is None


def test_leftovers_are_kept_while_another_build_runs(tmp_path):
    """Only a build that is alone removes them: a running build's temporary file looks
    exactly like a leftover."""
    db = tmp_path / "atlas.duckdb"
    running = tmp_path / f".{db.name}.abcd1234.building"
    running.write_bytes(b"x" * 1000)
    (tmp_path / f"{running.name}.wal").write_bytes(b"y" * 500)
    other = os.open(lock_file(db), os.O_RDWR | os.O_CREAT)
    fcntl.flock(other, fcntl.LOCK_SH)  # as a running build holds it
    try:
        with _build_lock(db) as removed:
            assert removed == []
        assert running.exists()
    finally:
        os.close(other)
    with _build_lock(db) as removed:
        assert removed == [(running.name, 1000), (f"{running.name}.wal", 500)]
    assert not running.exists()
    assert list(tmp_path.iterdir()) == []  # nor the lock file


def test_a_spill_folder_is_a_leftover_too(tmp_path):
    db = tmp_path / "atlas.duckdb"
    spill = tmp_path / f".{db.name}.abcd1234.building.tmp"
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"z" * 300)
    with _build_lock(db) as removed:
        assert removed == [(spill.name, 300)]
    assert not spill.exists()


@pytest.mark.parametrize(
    "name",
    [
        "atlas.duckdb",
        "atlas.duckdb.wal",
        ".atlas.duckdb.build.lock",
        ".atlas.duckdb.abc.building",
        ".atlas.duckdb.abcdefgh.building.old",
        ".atlas.duckdbXabcdefgh.building",
        ".other.duckdb.abcdefgh.building",
    ],
)
def test_the_leftover_pattern_takes_only_our_names(name):
    assert not leftover_pattern(Path("/x/atlas.duckdb")).fullmatch(name)


# --- item 9: every message names the file at fault ---------------------------------

EXPORT_CSV = "missing_migrants/Missing_Migrants_Global_Figures_allData_2025-04.csv"
WUP_CSV = "city_population/WUP2018-F12-Cities_Over_300K_1950-2035_thousands.csv"
INT32_MAX = 2**31 - 1


def _set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Write ``value`` into the spreadsheet-style ``row`` (header = 1) of a CSV copy."""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[row - 1][rows[0].index(column)] = value
    path.unlink()  # a hard link to the mirror: never write through it
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def test_an_integer_beyond_int32_in_the_export_names_its_row(mirror, tmp_path, monkeypatch):
    """The issue's case: a count the loader lets through (as it did when the issue was
    filed; its bound is lifted here) overflows INTEGER at insert. It was reported
    against the last endpoint file read (api/2025.json), not the export."""
    from geo.build import BuildError
    from geo.loaders import mmp

    monkeypatch.setattr(mmp, "MAX_PEOPLE", 10**15)
    sources = copy_sources(mirror, tmp_path / "src", only=["natural_earth", "missing_migrants"])
    big = str(INT32_MAX * 40)
    _set_cell(sources / EXPORT_CSV, 7, "Number of Dead", big)
    with pytest.raises(BuildError) as err:
        build(sources, tmp_path / "atlas.duckdb", out=io.StringIO())
    message = str(err.value)
    assert message.startswith(f"{sources / EXPORT_CSV}, row 7: {big} is out of range"), message
    assert "incidents.dead" in message and "INTEGER" in message
    assert "api/" not in message


def test_a_city_code_beyond_int32_names_the_wup_row(mirror, tmp_path):
    """A WUP city code is an INTEGER with no bound of its own in the loader."""
    from geo.build import BuildError

    sources = copy_sources(mirror, tmp_path / "src", only=["natural_earth", "city_population"])
    _set_cell(sources / WUP_CSV, 12, "City Code", "99999999999")
    with pytest.raises(BuildError) as err:
        build(sources, tmp_path / "atlas.duckdb", out=io.StringIO())
    message = str(err.value)
    assert message.startswith(f"{sources / WUP_CSV}, row 12: 99999999999 is out of range"), message
    assert "cities.city_code" in message


@pytest.mark.parametrize(
    "error",
    [
        # DuckDB's own wording: a failed write, and a failed commit of the log (the one
        # a build on a 3 MB tmpfs got).
        'IO Error: Could not write file "{tmp}.wal": No space left on device',
        'TransactionContext Error: Failed to commit: Could not write file "{tmp}.wal": '
        "No space left on device",
    ],
)
def test_a_full_disk_names_the_database_and_the_free_space(mirror, tmp_path, monkeypatch, error):
    """Simulated at the first insert, after the loader read its file: it was reported
    as an unexpected error of the file read last (api/2025.json in the issue)."""
    import duckdb

    from geo.build import BuildError
    from geo.context import LoadContext

    sources = copy_sources(mirror, tmp_path / "src", only=["natural_earth"])
    db = tmp_path / "out" / "atlas.duckdb"
    db.parent.mkdir()
    db.write_bytes(b"")  # a previous (empty) file: it must stay as it was
    real_insert = LoadContext.insert

    def insert(self, table, df, **kw):
        if table == "countries":
            kind = duckdb.IOException if error.startswith("IO") else duckdb.TransactionException
            raise kind(error.format(tmp=db.parent / ".atlas.duckdb.x.building"))
        return real_insert(self, table, df, **kw)

    monkeypatch.setattr(LoadContext, "insert", insert)
    with pytest.raises(BuildError) as err:
        build(sources, db, out=io.StringIO())
    message = str(err.value)
    assert message.startswith(f"{db}: the disk is full"), message
    assert "free there now" in message and "previous database is unchanged" in message
    assert "natural_earth" not in message
    assert sorted(p.name for p in db.parent.iterdir()) == ["atlas.duckdb"]
    assert db.read_bytes() == b""


def test_a_utf16_csv_is_read_as_text(mirror, tmp_path, con):
    """A WUP table saved as UTF-16 (Excel's "Unicode Text") loads the same cities; it
    was refused as "binary data"."""
    sources = copy_sources(mirror, tmp_path / "src", only=["natural_earth", "city_population"])
    path = sources / WUP_CSV
    text = path.read_text(encoding="utf-8-sig")
    path.unlink()
    path.write_bytes(text.encode("utf-16"))
    db = tmp_path / "atlas.duckdb"
    build(sources, db, out=io.StringIO())
    import duckdb

    query = "SELECT count(*), sum(population) FROM city_population"
    with duckdb.connect(str(db), read_only=True) as mine:
        assert mine.execute(query).fetchone() == con.execute(query).fetchone()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_wide_encodings_read_like_utf8(mirror, tmp_path, encoding):
    from geo.readers import read_csv, read_json_records

    src = mirror / "camps" / "nw_syria_isimm_idp_sites_2020-07.csv"
    path = tmp_path / "t.csv"
    path.write_bytes(src.read_text(encoding="utf-8-sig").encode(encoding))
    df, used = read_csv(path)
    assert used == encoding
    assert df.equals(read_csv(src)[0])
    api = mirror / "missing_migrants" / "api" / "2026.json"
    path = tmp_path / "t.json"
    path.write_bytes(api.read_text(encoding="utf-8").encode(encoding))
    assert read_json_records(path) == read_json_records(api)


def test_a_cut_utf16_file_says_so(tmp_path):
    from geo.errors import SourceError
    from geo.readers import read_csv

    path = tmp_path / "t.csv"
    path.write_bytes("a,b\n1,2\n".encode("utf-16")[:-1])
    with pytest.raises(SourceError) as err:
        read_csv(path)
    assert "UTF-16 encoded" in str(err.value) and "save it again as UTF-8" in str(err.value)


def _bad_databases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name: (path, words the one line must hold)."""
    passwd = tmp_path / "passwd"
    passwd.write_bytes(Path("/etc/passwd").read_bytes())
    html = tmp_path / "atlas.html.duckdb"
    html.write_text("<!DOCTYPE html><html><body>Sign in</body></html>")
    empty = tmp_path / "empty.duckdb"
    empty.touch()
    folder = tmp_path / "folder"
    folder.mkdir()
    return {
        "passwd": (passwd, "is not a DuckDB database"),
        "html": (html, "an HTML page"),
        "empty": (empty, "is empty"),
        "directory": (folder, "is a directory"),
        "missing": (tmp_path / "nope.duckdb", "no database file"),
    }


@pytest.mark.parametrize("kind", ["passwd", "html", "empty", "directory", "missing"])
def test_snapshot_with_a_bad_db_says_so_in_one_line(tmp_path, kind):
    db, words = _bad_databases(tmp_path)[kind]
    out = tmp_path / "map.png"
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "snapshot", "--page", "routes", "--out", str(out)]
        + ["--db", str(db)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"snapshot: {db}: ") and words in lines[0], lines[0]
    assert not out.exists()


def test_snapshot_to_an_unwritable_place_says_so(tmp_path, db_path):
    from geo.__main__ import main

    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(
        ["snapshot", "--page", "overview", "--db", str(db_path), "--out", str(blocker / "m.png")]
    )
    assert code == 2


@pytest.mark.parametrize("kind", ["passwd", "html", "directory", "other_duckdb"])
def test_build_does_not_replace_what_is_not_an_atlas_database(mirror, tmp_path, kind, capsys):
    """``geo build --db /etc/passwd`` run as root replaced the file with a database."""
    import duckdb

    from geo.__main__ import main

    if kind == "other_duckdb":
        db = tmp_path / "theirs.duckdb"
        with duckdb.connect(str(db)) as c:
            c.execute("CREATE TABLE accounts (id INTEGER)")
        words = "another program's DuckDB database"
    else:
        db, words = _bad_databases(tmp_path)[kind]
    before = db.read_bytes() if db.is_file() else None
    sources = copy_sources(mirror, tmp_path / "src", only=["natural_earth"])
    code = main(["build", "--sources", str(sources), "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"build failed: {db}: ") and words in err, err
    assert len(err.strip().splitlines()) == 1
    if before is not None:
        assert db.read_bytes() == before


def test_build_into_a_folder_that_is_a_file_says_which(mirror, tmp_path, capsys):
    from geo.__main__ import main

    blocker = tmp_path / "file"
    blocker.write_text("x")
    db = blocker / "atlas.duckdb"
    sources = copy_sources(mirror, tmp_path / "src", only=["natural_earth"])
    assert main(["build", "--sources", str(sources), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"{blocker} is a file, not a folder" in err, err
    assert main(["build", "--sources", str(blocker), "--db", str(tmp_path / "a.duckdb")]) == 1
    assert f"{blocker}: is a file, not a folder" in capsys.readouterr().err


def test_the_build_does_not_import_matplotlib(mirror, tmp_path):
    """With HOME unwritable matplotlib printed two lines about a temporary cache
    directory on every build; the build never draws."""
    sources = copy_sources(mirror, tmp_path / "src", only=["natural_earth"])
    env = {k: v for k, v in os.environ.items() if k != "MPLCONFIGDIR"}
    env["HOME"] = "/dev/null/home"  # not a directory, even for root
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "build", "--sources", str(sources)]
        + ["--db", str(tmp_path / "atlas.duckdb")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "matplotlib" not in proc.stderr.lower(), proc.stderr
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, geo.build, geo.__main__, geo.snapshot; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr
