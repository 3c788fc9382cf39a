"""Arrival Atlas library: loading, validation, queries, map and export builders.

Nothing in this package imports Streamlit except :mod:`geo.cache`.
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
QUERIES_DIR = REPO_ROOT / "queries"

__all__ = ["REPO_ROOT", "DATA_DIR", "QUERIES_DIR"]
