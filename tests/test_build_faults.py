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
