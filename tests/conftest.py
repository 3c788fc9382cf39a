"""Shared fixtures: the test database is built once per session from the real mirror."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
MIRROR = Path(os.environ.get("ATLAS_SOURCES", REPO.parent / "shared" / "data")).resolve()


# The Deadly routes date rule, written out apart from the queries' date_lo / date_hi: an
# incident passes a range when its date is in it or, when it has only a year, when the
# range covers that whole year within the data's first and last dates. Bind
# ``in_dates_args(date_from, date_to)``.
IN_DATES = (
    "(incident_date BETWEEN ? AND ? OR (incident_date IS NULL "
    "AND greatest(make_date(year, 1, 1), (SELECT min(incident_date) FROM incidents)) >= ? "
    "AND least(make_date(year, 12, 31), (SELECT max(incident_date) FROM incidents)) <= ?))"
)


def in_dates_args(date_from, date_to) -> list:
    """The parameters of :data:`IN_DATES` for a date range."""
    return [date_from, date_to, date_from, date_to]


def pytest_report_header(config):
    return f"sources mirror: {MIRROR}"


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The offline mirror of the real datasets (reference layout)."""
    if not (MIRROR / "missing_migrants").is_dir():
        pytest.fail(f"no sources mirror at {MIRROR}: set ATLAS_SOURCES")
    return MIRROR


@pytest.fixture(scope="session")
def built(mirror, tmp_path_factory) -> tuple[Path, dict, str]:
    """(database path, summary, report text) of one build from the mirror."""
    from geo.build import build

    db = tmp_path_factory.mktemp("db") / "atlas.duckdb"
    out = io.StringIO()
    summary = build(mirror, db, out=out)
    return db, summary, out.getvalue()


@pytest.fixture(scope="session")
def db_path(built) -> Path:
    """Path of the session's test database (do not modify it)."""
    return built[0]


@pytest.fixture()
def con(db_path):
    """A read-only connection to the test database."""
    c = duckdb.connect(str(db_path), read_only=True)
    yield c
    c.close()


def copy_sources(mirror: Path, dest: Path, *, only: list[str] | None = None) -> Path:
    """Copy (hard-link when possible) the mirror, or some of its files, to ``dest``.

    Tests then damage the copy, never the mirror.
    """
    for src in mirror.rglob("*"):
        if src.is_dir():
            continue
        rel = src.relative_to(mirror)
        if only is not None and not any(str(rel).startswith(o) for o in only):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, target)
        except OSError:
            shutil.copy2(src, target)
    return dest


@pytest.fixture(scope="session")
def server(db_path):
    """``streamlit run app.py`` on loopback over the test database."""
    from tests.browser import Server

    s = Server(db_path)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch_browser

    with sync_playwright() as p:
        b = launch_browser(p)
        yield b
        b.close()


def pytest_addoption(parser):
    """``--walk-steps N``: steps per page of the journeys' random walk (tests/test_journeys_walk.py);
    ``--walk-seed S`` replays a walk. Defaults: ``ATLAS_WALK_STEPS`` or 4, ``ATLAS_WALK_SEED`` (``random`` for a new walk) or 1234."""
    parser.addoption("--walk-steps", type=int, default=None, help="random-walk steps per page")
    parser.addoption("--walk-seed", type=int, default=None, help="random-walk seed (replay)")


def md_shown(markdown: str) -> str:
    """The text Streamlit shows for Markdown escaped by ``geo.views.md_plain``: its
    backslash escapes resolved and its invisible word joiners dropped (AppTest reports
    an element's Markdown source, not what the browser renders)."""
    import re

    from geo.views import WORD_JOINER

    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")
