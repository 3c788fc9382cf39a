"""First run with no data: ``scripts/run.sh``, ``python -m geo fetch`` and the app's screen.

``run.sh`` is run in a copy of the project inside a temporary folder, so that
``../shared/data`` is whatever the test puts there (or nothing). The copy's ``.venv``
borrows the real one's interpreter and packages, its ``setup.sh`` is a stub (installing
packages is not what is tested) and its ``streamlit`` a stub that prints what it would
serve, so each run takes seconds. No test touches the internet: publishers are a closed
port or the local test server of ``tests/test_fetch.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import fetch, firstrun
from tests.test_fetch import (
    MIRROR,
    NE_RAW,
    Publisher,
    closed_port,
    mirror_api_rows,  # noqa: F401 - a fixture, used by name
    mirror_publisher,
    need_mirror,
    serve,  # noqa: F401 - a fixture, used by name
)

REPO = Path(__file__).resolve().parents[1]
NE_110M = "natural_earth/ne_110m_admin_0_countries.geojson"
NE_50M = "natural_earth/ne_50m_admin_0_countries.geojson"

STREAMLIT_STUB = """#!/usr/bin/env bash
echo "STREAMLIT sources=$ATLAS_SOURCES db=$ATLAS_DB args=$*"
"""


def _copy_project(parent: Path) -> Path:
    """A runnable copy of the project at ``parent/repo``; returns its folder."""
    root = parent / "repo"
    skip = shutil.ignore_patterns("__pycache__", "atlas.duckdb*", "sources", "leaflet")
    for name in ("geo", "app_pages", "queries", "data"):
        shutil.copytree(REPO / name, root / name, ignore=skip)
    shutil.copy2(REPO / "app.py", root / "app.py")
    (root / "scripts").mkdir()
    shutil.copy2(REPO / "scripts" / "run.sh", root / "scripts" / "run.sh")
    (root / "scripts" / "setup.sh").write_text("echo 'setup: (stub)'\n", encoding="utf-8")
    # A venv that is the real one except for streamlit: Python finds pyvenv.cfg beside
    # the unresolved link, so the packages are the project's.
    venv = root / ".venv"
    (venv / "bin").mkdir(parents=True)
    shutil.copy2(Path(sys.prefix) / "pyvenv.cfg", venv / "pyvenv.cfg")
    (venv / "lib").symlink_to(Path(sys.prefix) / "lib")
    (venv / "bin" / "python").symlink_to(sys.executable)
    stub = venv / "bin" / "streamlit"
    stub.write_text(STREAMLIT_STUB, encoding="utf-8")
    stub.chmod(0o755)
    return root


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project with no ``../shared/data`` beside it and no data."""
    return _copy_project(tmp_path / "work")


def _run_sh(root: Path, base_url: str, timeout: float = 120, **env: str) -> tuple:
    """Run the copy's ``scripts/run.sh``; return (completed process, seconds)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    full.update(ATLAS_FETCH_BASE_URL=base_url, **env)
    started = time.monotonic()
    result = subprocess.run(
        ["bash", str(root / "scripts" / "run.sh"), "--server.headless", "true"],
        capture_output=True,
        text=True,
        env=full,
        timeout=timeout,
    )
    return result, time.monotonic() - started


# ---------------------------------------------------------------------------------------
# scripts/run.sh
# ---------------------------------------------------------------------------------------


def test_run_sh_with_no_mirror_and_no_network_explains_and_fails(project):
    result, seconds = _run_sh(project, f"http://127.0.0.1:{closed_port()}", timeout=60)

    err = result.stderr
    assert result.returncode == 1, err
    assert seconds < 30, f"took {seconds:.0f} s"
    assert "STREAMLIT" not in result.stdout  # nothing to show: the dashboard is not started
    assert "downloading the sources from the publishers" in err
    assert "cannot reach 127.0.0.1" in err
    paragraph = err[err.index("No data yet") :]
    sources = project / "data" / "sources"
    assert f"`.venv/bin/python -m geo fetch --to {sources}`" in paragraph
    assert str(project / "data" / "atlas.duckdb") in paragraph
    assert str(project.parent / "shared" / "data") in paragraph  # where a mirror goes
    assert "ATLAS_SOURCES" in paragraph and "`bash scripts/run.sh`" in paragraph
    assert "Traceback" not in err
    assert not (project / "data" / "atlas.duckdb").exists()


def test_run_sh_uses_the_mirror_beside_the_project(project):
    need_mirror(NE_110M)
    mirror = project.parent / "shared" / "data"
    (mirror / "natural_earth").mkdir(parents=True)
    shutil.copy2(MIRROR / NE_110M, mirror / NE_110M)

    # A closed port: any attempt to download would fail the run.
    result, _ = _run_sh(project, f"http://127.0.0.1:{closed_port()}")

    assert result.returncode == 0, result.stderr
    assert "downloading" not in result.stderr
    assert f"building the database {project / 'data' / 'atlas.duckdb'} from {mirror}" in (
        result.stderr
    )
    assert (project / "data" / "atlas.duckdb").is_file()
    assert f"STREAMLIT sources={mirror} " in result.stdout
    assert "args=run app.py --server.headless true" in result.stdout


def _mirror_beside(project) -> Path:
    need_mirror(NE_110M)
    mirror = project.parent / "shared" / "data"
    (mirror / "natural_earth").mkdir(parents=True)
    shutil.copy2(MIRROR / NE_110M, mirror / NE_110M)
    return mirror


def test_run_sh_rebuilds_a_database_of_an_older_version(project):
    import duckdb

    mirror = _mirror_beside(project)
    db = project / "data" / "atlas.duckdb"
    result, _ = _run_sh(project, f"http://127.0.0.1:{closed_port()}")
    assert result.returncode == 0, result.stderr
    with duckdb.connect(str(db)) as con:  # what a build of an earlier version lacks
        con.execute("DROP MACRO is_cumulative")

    result, _ = _run_sh(project, f"http://127.0.0.1:{closed_port()}")

    assert result.returncode == 0, result.stderr
    assert "older version" in result.stderr and "rebuilding it" in result.stderr
    assert f"building the database {db} from {mirror}" in result.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM duckdb_functions() WHERE function_name = 'is_cumulative'"
        ).fetchone()[0]
    assert "STREAMLIT" in result.stdout


def test_run_sh_refuses_an_unusable_database_and_keeps_it(project):
    _mirror_beside(project)
    db = project / "data" / "atlas.duckdb"
    db.write_text("<html>not a database</html>", encoding="utf-8")

    result, _ = _run_sh(project, f"http://127.0.0.1:{closed_port()}")

    assert result.returncode == 1
    assert f"{db}: is not a DuckDB database" in result.stderr
    assert "STREAMLIT" not in result.stdout
    assert db.read_text(encoding="utf-8") == "<html>not a database</html>"


def test_run_sh_downloads_builds_and_starts(project, serve):  # noqa: F811
    need_mirror(NE_110M, NE_50M)
    # Only the Natural Earth countries are served: every other required file fails, and
    # the run goes on to build from what it got (the countries are enough to start).
    pub = Publisher(
        {
            f"{NE_RAW}/ne_110m_admin_0_countries.geojson": MIRROR / NE_110M,
            f"{NE_RAW}/ne_50m_admin_0_countries.geojson": MIRROR / NE_50M,
        }
    )

    result, _ = _run_sh(project, serve(pub))

    err = result.stderr
    sources = project / "data" / "sources"
    db = project / "data" / "atlas.duckdb"
    assert result.returncode == 0, err
    assert f"downloading the sources from the publishers into {sources}" in err
    assert f"{NE_110M}: 177 features" in err  # the fetch's own progress lines
    assert "some files could not be downloaded" in err
    assert f"building the database {db} from {sources}" in err
    assert (sources / NE_110M).is_file() and (sources / fetch.MANIFEST_NAME).is_file()
    assert db.is_file()
    assert f"STREAMLIT sources={sources} db={db}" in result.stdout

    # Second run: the database is there, nothing is downloaded or built again.
    again, _ = _run_sh(project, f"http://127.0.0.1:{closed_port()}")
    assert again.returncode == 0, again.stderr
    assert "downloading" not in again.stderr and "building" not in again.stderr

    # No database, offline: it tries to download, then builds from the files it has.
    db.unlink()
    offline, _ = _run_sh(project, f"http://127.0.0.1:{closed_port()}")
    assert offline.returncode == 0, offline.stderr
    assert "cannot reach 127.0.0.1" in offline.stderr
    assert f"building from the files an earlier download left in {sources}" in offline.stderr
    assert db.is_file() and "STREAMLIT" in offline.stdout


@pytest.mark.slow
def test_run_sh_fetches_the_whole_layout(project, serve, mirror_api_rows):  # noqa: F811
    need_mirror(NE_110M, NE_50M)
    result, _ = _run_sh(project, serve(mirror_publisher(api_rows=mirror_api_rows)), 600)

    assert result.returncode == 0, result.stderr
    assert "some files could not be downloaded" not in result.stderr
    assert "0 failed" in result.stderr
    assert "STREAMLIT" in result.stdout


# ---------------------------------------------------------------------------------------
# python -m geo with a Python that lacks a package
# ---------------------------------------------------------------------------------------


def _geo_without(package: str, *args: str) -> subprocess.CompletedProcess:
    """``python -m geo ARGS`` in a Python where importing ``package`` fails."""
    code = (
        f"import runpy, sys; sys.modules[{package!r}] = None; "
        "runpy.run_module('geo', run_name='__main__', alter_sys=True)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize("args", [("fetch", "--to", "OUT"), ("fetch", "--help"), ("fetch",)])
def test_geo_fetch_names_the_missing_package(tmp_path, args):
    args = tuple(str(tmp_path / "out") if a == "OUT" else a for a in args)
    result = _geo_without("tqdm", *args)

    assert result.returncode == 1, result.stderr
    err = result.stderr
    assert "invalid choice" not in err and "Traceback" not in err
    assert "'tqdm'" in err and "bash scripts/setup.sh" in err
    assert ".venv/bin/python -m geo fetch" in err
    assert not (tmp_path / "out").exists()


def test_geo_build_names_the_missing_package(tmp_path):
    result = _geo_without("duckdb", "build", "--sources", str(tmp_path), "--db", "x.duckdb")
    assert result.returncode == 1, result.stderr
    assert "'duckdb'" in result.stderr and "bash scripts/setup.sh" in result.stderr
    assert "Traceback" not in result.stderr


def test_geo_lists_fetch_when_a_package_is_missing():
    result = _geo_without("tqdm", "--help")
    assert result.returncode == 0
    listing = " ".join(result.stdout.split())
    assert "fetch download the sources from their publishers (needs tqdm)" in listing


def test_unknown_options_are_still_refused():
    result = _geo_without("__nothing__", "build", "--bogus")
    assert result.returncode == 2
    assert "unrecognized arguments: --bogus" in result.stderr


def test_fetch_says_the_workbook_reader_is_missing_before_downloading(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "python_calamine" else real(name, *a),
    )
    out = __import__("io").StringIO()

    # A closed port: had it tried to download, the run would say "cannot reach" (2).
    code = fetch.run_fetch(tmp_path, base_url=f"http://127.0.0.1:{closed_port()}", out=out)

    assert code == 1
    assert "'python-calamine'" in out.getvalue() and "bash scripts/setup.sh" in out.getvalue()
    assert not list(tmp_path.iterdir())
    # Datasets with no workbook do not need it.
    out = __import__("io").StringIO()
    code = fetch.run_fetch(
        tmp_path, base_url=f"http://127.0.0.1:{closed_port()}", out=out, only=["camps"]
    )
    assert code == 2, out.getvalue()


# ---------------------------------------------------------------------------------------
# The paragraph, and the app's "no database" screen
# ---------------------------------------------------------------------------------------


def test_paragraph_commands_survive_odd_paths():
    sources = Path("/tmp/with space/and`tick")
    text = firstrun.no_data_help(sources, Path("/db/x.duckdb"), in_app=True, markdown=True)
    # shlex-quoted for the shell, in a code span longer than the backtick inside it.
    assert "``.venv/bin/python -m geo fetch --to '/tmp/with space/and`tick'``" in text
    assert "\n" not in text

    # The terminal's wrapped paragraph never splits a command over two lines.
    sources = Path("/tmp/a folder with spaces in its name/sources")
    wrapped = firstrun._wrap(firstrun.no_data_help(sources, Path("/db"), in_app=False))
    assert f"`.venv/bin/python -m geo fetch --to '{sources}'`" in wrapped
    assert max(len(line) for line in wrapped.splitlines() if "geo fetch" not in line) <= 88
    assert "`bash scripts/run.sh`" in wrapped and "`export ATLAS_SOURCES=" in wrapped


def test_firstrun_cli_prints_the_terminal_paragraph(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    result = subprocess.run(
        [sys.executable, "-m", "geo.firstrun", "--sources", "S", "--db", "D"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=30,
    )
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.startswith("No data yet") and "`bash scripts/run.sh`" in result.stderr


def test_app_without_data_gives_commands_for_the_folder_it_reads(monkeypatch, tmp_path):
    sources = tmp_path / "no-sources"
    db = tmp_path / "none.duckdb"
    monkeypatch.setenv("ATLAS_DB", str(db))
    monkeypatch.setenv("ATLAS_SOURCES", str(sources))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()

    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert f"`.venv/bin/python -m geo fetch --to {sources}`" in text
    assert f"`{db}`" in text and "reload this page" in text
    assert "data/sources" not in text  # the folder the app reads, not a fixed one


def test_app_without_data_defaults_to_data_sources(monkeypatch, tmp_path):
    """With no ATLAS_SOURCES the app reads data/sources, so the command fetches there."""
    from geo import settings

    monkeypatch.delenv("ATLAS_SOURCES", raising=False)
    monkeypatch.setenv("ATLAS_DB", str(tmp_path / "none.duckdb"))
    default = settings.sources_dir()
    if default.is_dir() and any(default.iterdir()):
        pytest.skip(f"{default} holds sources here: the app would build from them")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()

    text = " ".join(e.value for e in at.error)
    assert f"geo fetch --to {REPO / 'data' / 'sources'}`" in text


def test_reload_after_fetch_builds_from_that_folder(monkeypatch, tmp_path):
    """The page's advice works: files put where it says make the next load build."""
    api = "missing_migrants/api/2024.json"
    need_mirror(NE_110M, api)
    sources = tmp_path / "sources"
    db = tmp_path / "atlas.duckdb"
    monkeypatch.setenv("ATLAS_DB", str(db))
    monkeypatch.setenv("ATLAS_SOURCES", str(sources))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert any("No data yet" in e.value for e in at.error)

    for rel in (NE_110M, api):  # what the page draws needs countries and incidents
        (sources / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(MIRROR / rel, sources / rel)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()

    assert not at.exception
    assert db.is_file()
    assert not any("No data yet" in e.value for e in at.error)
