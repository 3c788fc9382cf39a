"""Command line: ``python -m geo build | fetch | snapshot | tables-doc``."""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from geo import DATA_DIR, settings
from geo.firstrun import missing_package_help


def _build(ns: argparse.Namespace) -> int:
    from geo.build import BuildError, BuildInterrupted, build

    try:
        build(Path(ns.sources), Path(ns.db), allow_missing=ns.allow_missing)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    except (BuildInterrupted, KeyboardInterrupt) as exc:
        # The build's cleanup has run: say so, and exit as the signal would (128 + n).
        signum = getattr(exc, "signum", signal.SIGINT)
        print(
            f"build {exc or 'interrupted'}: {ns.db} is unchanged and the temporary "
            "files are removed",
            file=sys.stderr,
        )
        return 128 + signum
    return 0


def _tables_doc(ns: argparse.Namespace) -> int:
    from geo.schema import tables_markdown

    (DATA_DIR / "TABLES.md").write_text(tables_markdown() + "\n", encoding="utf-8")
    return 0


def _is_own_module(name: str | None) -> bool:
    """Whether an import failure is in this project (a bug), not a missing package."""
    return not name or name.split(".")[0] == "geo"


def _lacks(command: str, module: str | None) -> Callable[[argparse.Namespace], int]:
    """A stand-in for a command whose module cannot be imported: say what is missing."""

    def run(ns: argparse.Namespace) -> int:
        print(missing_package_help(command, module), file=sys.stderr)
        return 1

    return run


def _module_command(sub: argparse._SubParsersAction, name: str, help_text: str) -> None:
    """Add the subcommand ``name`` served by ``geo.<name>`` (its options and ``main``).

    The module imports third-party packages (fetch: requests, tqdm, pandas), so with a
    Python that lacks one the command is still listed and, when run, names the missing
    package and how to install it; an unlisted command would only get argparse's
    "invalid choice".
    """
    try:
        module = importlib.import_module(f"geo.{name}")
        # add_arguments may import more (snapshot's page list needs duckdb): try it on
        # a scratch parser, since a subcommand once added cannot be taken back.
        module.add_arguments(argparse.ArgumentParser(add_help=False))
    except ImportError as exc:
        if _is_own_module(exc.name):
            raise
        stand_in = sub.add_parser(name, help=f"{help_text} (needs {exc.name})", add_help=False)
        stand_in.set_defaults(func=_lacks(name, exc.name), lacks_package=True)
        return
    parser = sub.add_parser(name, help=help_text)
    module.add_arguments(parser)
    parser.set_defaults(func=module.main)


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
    b.add_argument(
        "--allow-missing",
        action="append",
        default=[],
        metavar="NAME",
        help="a dataset (mmp_export), folder (missing_migrants) or file of the previous "
        "build that may be missing from this one; repeatable (default: any missing one "
        "fails the build)",
    )
    b.set_defaults(func=_build)
    _module_command(sub, "fetch", "download the sources from their publishers")
    _module_command(sub, "snapshot", "render a page's map as a PNG")
    t = sub.add_parser("tables-doc", help="rewrite data/TABLES.md from geo/schema.py")
    t.set_defaults(func=_tables_doc)
    # Known args only: a command whose packages are missing takes any options, so that
    # it can say what is missing instead of rejecting them.
    ns, extra = parser.parse_known_args(argv)
    if extra and not getattr(ns, "lacks_package", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return ns.func(ns)
    except ModuleNotFoundError as exc:
        # A package imported only when the command runs (build imports duckdb there).
        if _is_own_module(exc.name):
            raise
        print(missing_package_help(ns.command, exc.name), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
