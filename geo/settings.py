"""Where the sources and the database live, from the environment or the defaults."""

import os
from functools import lru_cache
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
    return _resolved(value) if value else DATA_DIR / "atlas.duckdb"


@lru_cache(maxsize=8)
def _resolved(value: str) -> Path:
    # A page asks for the database's key a dozen times a run: resolving the path (a
    # system call per folder) was 5 % of a map page's server time (py-spy, issue 19).
    # A rebuild swaps the file at this path, which the key's stat still sees.
    return Path(value).resolve()


def briefings_dir() -> Path:
    """Folder of the briefing files (``$ATLAS_BRIEFINGS`` or ``data/briefings``)."""
    value = os.environ.get("ATLAS_BRIEFINGS")
    return Path(value).resolve() if value else DATA_DIR / "briefings"


def public_url() -> str | None:
    """The app's public address (``$ATLAS_PUBLIC_URL``, http or https), or ``None``.

    Set, each slide of a briefing's PDF and HTML deck carries a QR code of its view's
    link under this address, for the audience's phones. Anything but an http(s) address
    is ignored: a QR code must never send a phone to ``javascript:`` or a file.
    """
    value = (os.environ.get("ATLAS_PUBLIC_URL") or "").strip()
    if not value.lower().startswith(("http://", "https://")) or any(c.isspace() for c in value):
        return None
    return value.rstrip("/")


def cifal_table() -> Path:
    """The project's compiled CIFAL centres table (committed facts, not a download)."""
    return DATA_DIR / "cifal_centres.csv"


__all__ = ["sources_dir", "db_path", "briefings_dir", "public_url", "cifal_table", "REPO_ROOT"]
