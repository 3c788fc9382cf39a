"""Where the sources and the database live, from the environment or the defaults."""

import os
from pathlib import Path

from geo import DATA_DIR, REPO_ROOT


def sources_dir() -> Path:
    """Folder of source files in the reference layout.

    Returns
    -------
    Path
        ``$ATLAS_SOURCES`` when set (relative paths resolve against the current
        directory), else ``data/sources`` in the repository.
    """
    value = os.environ.get("ATLAS_SOURCES")
    return Path(value).resolve() if value else DATA_DIR / "sources"


def db_path() -> Path:
    """Path of the DuckDB database file (``$ATLAS_DB`` or ``data/atlas.duckdb``)."""
    value = os.environ.get("ATLAS_DB")
    return Path(value).resolve() if value else DATA_DIR / "atlas.duckdb"


def briefings_dir() -> Path:
    """Folder of the briefing files (``$ATLAS_BRIEFINGS`` or ``data/briefings``)."""
    value = os.environ.get("ATLAS_BRIEFINGS")
    return Path(value).resolve() if value else DATA_DIR / "briefings"


def cifal_table() -> Path:
    """The project's compiled CIFAL centres table (committed facts, not a download)."""
    return DATA_DIR / "cifal_centres.csv"


__all__ = ["sources_dir", "db_path", "briefings_dir", "cifal_table", "REPO_ROOT"]
