"""Session fixtures of the reconciliation suite: each source is read once, independently
of ``geo``, and the app's named queries run on the session's test database."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd
import pytest

from geo.queries import run_query
from tests.reconcile import sources


@pytest.fixture(scope="session")
def app_con(db_path) -> duckdb.DuckDBPyConnection:
    """One read-only connection to the session's test database for the whole suite."""
    con = duckdb.connect(str(db_path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def app(app_con) -> Callable[..., pd.DataFrame]:
    """``app(name, **params)``: run ``queries/<name>.sql`` as the pages do (bound parameters)."""

    def q(name: str, **params) -> pd.DataFrame:
        return run_query(app_con, name, **params)

    return q


@pytest.fixture(scope="session")
def mmp(mirror) -> sources.MMP:
    """The MMP incidents the app should hold, counted from the export and api/*.json."""
    return sources.read_mmp(mirror)


@pytest.fixture(scope="session")
def sites(mirror) -> pd.DataFrame:
    """Every camp or site place of the mirror, each counted once."""
    return sources.read_sites(mirror)


@pytest.fixture(scope="session")
def camp_populations(mirror) -> pd.DataFrame:
    """End-2025 camp populations (UNHCR demographics, P/S rows) with their level."""
    return sources.read_camp_populations(mirror)


@pytest.fixture(scope="session")
def isimm_months(mirror) -> pd.DataFrame:
    """ISIMM sites and people per month."""
    return sources.read_isimm_months(mirror)


@pytest.fixture(scope="session")
def refugees(mirror) -> pd.DataFrame:
    """Refugees and asylum-seekers per year and country of asylum."""
    return sources.read_refugees(mirror)


@pytest.fixture(scope="session")
def wup(mirror) -> pd.DataFrame:
    """WUP 2018 city populations (persons) per city and year."""
    return sources.read_wup(mirror)
