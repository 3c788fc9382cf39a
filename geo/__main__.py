"""Command line: ``python -m geo build | fetch | snapshot | tables-doc``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo import DATA_DIR, settings


def _build(ns: argparse.Namespace) -> int:
    from geo.build import BuildError, build

    try:
        build(Path(ns.sources), Path(ns.db), allow_missing=ns.allow_missing)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    return 0


def _tables_doc(ns: argparse.Namespace) -> int:
    from geo.schema import tables_markdown

    (DATA_DIR / "TABLES.md").write_text(tables_markdown() + "\n", encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m geo", description="Arrival Atlas data tools")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="validate and load every dataset into one DuckDB file")
    b.add_argument(
        "--sources",
        default=str(settings.sources_dir()),
        help="sources folder (default: $ATLAS_SOURCES or data/sources)",
    )
    b.add_argument(
        "--db",
        default=str(settings.db_path()),
        help="database file (default: $ATLAS_DB or data/atlas.duckdb)",
    )
    b.set_defaults(func=_build)
    try:
        from geo import fetch
    except ImportError:  # pragma: no cover - fetch is part of the package
        fetch = None
    if fetch is not None:
        f = sub.add_parser("fetch", help="download the sources from their publishers")
        fetch.add_arguments(f)
        f.set_defaults(func=fetch.main)
    try:
        from geo import snapshot
    except ImportError:
        snapshot = None
    if snapshot is not None:
        s = sub.add_parser("snapshot", help="render a page's map as a PNG")
        snapshot.add_arguments(s)
        s.set_defaults(func=snapshot.main)
    t = sub.add_parser("tables-doc", help="rewrite data/TABLES.md from geo/schema.py")
    t.set_defaults(func=_tables_doc)
    ns = parser.parse_args(argv)
    return ns.func(ns)


if __name__ == "__main__":
    sys.exit(main())
    b.add_argument(
        "--allow-missing",
        action="append",
        default=[],
        metavar="NAME",
        help="a dataset (mmp_export), folder (missing_migrants) or file of the previous "
        "build that may be missing from this one; repeatable (default: any missing one "
        "fails the build)",
    )
