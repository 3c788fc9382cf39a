"""ATLAS_DB pointing at something that is not a usable database: every page says once
what is wrong with which file and how to fix it, never Streamlit's error box."""

from __future__ import annotations

import re
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO

PAGES = ["overview", "routes", "cities", "cifal", "camps", "briefing", "data_sources"]


def _html(tmp_path):
    p = tmp_path / "atlas.duckdb"
    p.write_text("<!DOCTYPE html><html><body>Sign in to continue</body></html>")
    return p, "HTML page"


def _empty(tmp_path):
    p = tmp_path / "atlas.duckdb"
    p.write_bytes(b"")
    return p, "empty"


def _directory(tmp_path):
    p = tmp_path / "atlas.duckdb"
    p.mkdir()
    return p, "directory"


def _truncated(tmp_path, db_path):
    p = tmp_path / "atlas.duckdb"
    data = db_path.read_bytes()
    p.write_bytes(data[: len(data) // 3])
    return p, "truncated"


CASES = {"html": _html, "empty": _empty, "directory": _directory, "truncated": _truncated}


def _shown(markdown: str) -> str:
    """The text a reader sees of escaped Markdown."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


# Every page with one kind of bad file, every kind of bad file on two pages.
COMBINATIONS = [("html", p) for p in PAGES] + [
    (c, p) for c in sorted(CASES) if c != "html" for p in ("overview", "routes")
]


@pytest.mark.parametrize(("case", "page"), COMBINATIONS)
def test_a_bad_database_file_is_named_once_on_every_page(
    case, page, tmp_path, db_path, monkeypatch
):
    make = CASES[case]
    path, what = make(tmp_path, db_path) if case == "truncated" else make(tmp_path)
    monkeypatch.setenv("ATLAS_DB", str(path))
    monkeypatch.setenv("ATLAS_SOURCES", str(tmp_path / "no-sources"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    assert not at.exception, at.exception
    errors = [_shown(e.value) for e in at.error]
    assert len(errors) == 1, errors
    assert what in errors[0] and "atlas.duckdb" in errors[0]
    assert "geo build" in errors[0]  # how to fix it


def test_unreadable_file_says_so(tmp_path, db_path, monkeypatch):
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = tmp_path / "atlas.duckdb"
    shutil.copy(db_path, path)
    path.chmod(0)
    monkeypatch.setenv("ATLAS_DB", str(path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert [e for e in at.error if "permission denied" in _shown(e.value)]


def test_a_fixed_file_is_taken_without_restart(tmp_path, db_path, monkeypatch):
    path, _ = _html(tmp_path)
    monkeypatch.setenv("ATLAS_DB", str(path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert len(at.error) == 1
    tmp = tmp_path / "new.duckdb"
    shutil.copy(db_path, tmp)
    tmp.replace(path)
    at.run()
    assert not at.exception and not at.error
    assert len(at.metric) > 0


def test_a_database_of_an_older_version_is_rebuilt_in_the_app(
    tmp_path, db_path, mirror, monkeypatch
):
    import duckdb

    path = tmp_path / "atlas.duckdb"
    shutil.copy(db_path, path)
    with duckdb.connect(str(path)) as con:  # what a build of an earlier version lacks
        con.execute("DROP MACRO is_cumulative")
    monkeypatch.setenv("ATLAS_DB", str(path))
    monkeypatch.setenv("ATLAS_SOURCES", str(mirror))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception and not at.error
    assert len(at.metric) > 0
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM duckdb_functions() WHERE function_name = 'is_cumulative'"
        ).fetchone()[0]
