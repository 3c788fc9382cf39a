"""Command line: ``python -m geo fetch`` (and ``python -m geo.fetch``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.fetch.run import run_fetch
from geo.fetch.sources import DATASET_NAMES, MMP_START_YEAR


def parse_years(text: str) -> list[int]:
    """Parse ``2014-2025``, ``2023,2024`` or ``2023`` into a sorted list of years.

    Parameters
    ----------
    text : str
        Years and ranges separated by commas.

    Returns
    -------
    list of int
        The years, sorted, without duplicates.

    Raises
    ------
    argparse.ArgumentTypeError
        When the text is not years or ranges of years.
    """
    years: set[int] = set()
    try:
        for part in filter(None, (p.strip() for p in text.split(","))):
            low, sep, high = part.partition("-")
            first, last = int(low), int(high) if sep else int(low)
            if not 1900 <= first <= last <= 2100:
                raise ValueError
            years.update(range(first, last + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a year or a range like 2014-2025"
        ) from None
    if not years:
        raise argparse.ArgumentTypeError("no years given")
    return sorted(years)


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``fetch`` options to an argparse (sub)parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser of the ``fetch`` subcommand.

    Returns
    -------
    argparse.ArgumentParser
        The same parser.
    """
    parser.add_argument(
        "--to",
        type=Path,
        default=None,
        metavar="DIR",
        help="sources folder to fill (default: $ATLAS_SOURCES or data/sources)",
    )
    parser.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="replace scheme and host of every publisher address, e.g. a local mirror "
        "server (default: $ATLAS_FETCH_BASE_URL)",
    )
    parser.add_argument(
        "--years",
        type=parse_years,
        default=None,
        metavar="YEARS",
        help=f"years of the MMP JSON endpoint, e.g. 2014-2025 (default: {MMP_START_YEAR} "
        "to this year)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=DATASET_NAMES,
        default=None,
        metavar="DATASET",
        help=f"fetch only this dataset (repeatable): {', '.join(DATASET_NAMES)}",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="seconds to wait for a connection and for each read (default: 30)",
    )
    return parser


def default_sources() -> Path:
    value = os.environ.get("ATLAS_SOURCES")
    if value:
        return Path(value).resolve()
    return Path(__file__).resolve().parents[2] / "data" / "sources"


def main(args: argparse.Namespace | Sequence[str] | None = None) -> int:
    """Run ``fetch`` from parsed options (or from a list of command-line words).

    Parameters
    ----------
    args : argparse.Namespace or sequence of str, optional
        Options from a parser set up by :func:`add_arguments`; a list of words (or
        ``None`` for ``sys.argv``) is parsed here.

    Returns
    -------
    int
        The process exit code of :func:`run_fetch`.
    """
    if not isinstance(args, argparse.Namespace):
        parser = add_arguments(
            argparse.ArgumentParser(
                prog="python -m geo fetch",
                description="Download the sources from the publishers' addresses.",
            )
        )
        args = parser.parse_args(None if args is None else list(args))
    to = getattr(args, "to", None) or default_sources()
    base_url = getattr(args, "base_url", None) or os.environ.get("ATLAS_FETCH_BASE_URL")
    return run_fetch(
        Path(to),
        base_url=base_url or None,
        years=getattr(args, "years", None),
        out=sys.stderr,
        timeout=getattr(args, "timeout", 30.0) or 30.0,
        only=getattr(args, "only", None),
    )
