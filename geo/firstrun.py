"""What to tell a user who has no data yet, or a Python without the project's packages.

One paragraph, shared by ``scripts/run.sh`` (printed in the terminal before it exits
non-zero) and the app's "no database" screen (:func:`geo.cache.connection`), so both
name the same folders and commands. The folders are those actually in use: the sources
folder the app reads (``$ATLAS_SOURCES`` or ``data/sources``) and the database file
(``$ATLAS_DB`` or ``data/atlas.duckdb``).

Only the standard library is needed here: the text must print even where the project's
packages are missing. The app's paragraph is in the session's language (geo/i18n.py);
the terminal's is English (a command line has no language choice, and without Babel
the messages stay as written).

``python -m geo.firstrun --sources DIR --db FILE`` prints the terminal paragraph to
standard error (what ``scripts/run.sh`` calls).
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from geo import REPO_ROOT

try:
    from geo.i18n import N_, _
except ImportError:  # a Python without the project's packages (Babel): English

    def _(message: str) -> str:
        return message

    N_ = _

__all__ = ["MIRROR", "no_data_help", "missing_package_help", "main"]

#: Where ``scripts/run.sh`` looks for the offline mirror (the sibling ``shared/data``).
MIRROR = REPO_ROOT.parent / "shared" / "data"

#: Import names whose pip package is spelled differently (those in requirements.txt).
_PIP_NAMES = {
    "python_calamine": "python-calamine",
    "streamlit_folium": "streamlit-folium",
    "fpdf": "fpdf2",
    "leaflet": "django-js-lib-leaflet",
}

_PUBLISHERS = N_(
    "IOM Missing Migrants Project, UN DESA World Urbanization Prospects 2018, "
    "Natural Earth and UNHCR"
)


def _code(text: str, markdown: bool) -> str:
    """``text`` as an inline code span, for markdown or for a terminal.

    A path comes from the environment, so it may hold backticks; a CommonMark code
    span delimited by a longer run of backticks than any inside shows it literally.
    """
    if not markdown:
        return f"`{text}`"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def no_data_help(
    sources: Path, db: Path, *, in_app: bool, markdown: bool = False, mirror: Path = MIRROR
) -> str:
    """The paragraph that says what data is missing and how to get it.

    Parameters
    ----------
    sources : pathlib.Path
        The sources folder that is empty or missing (the one the app reads).
    db : pathlib.Path
        The database file that does not exist.
    in_app : bool
        ``True`` for the app's screen (fetch by hand, then reload the page);
        ``False`` for ``scripts/run.sh`` (fix the cause, then run the script again).
    markdown : bool
        Put paths and commands in code spans (for Streamlit); otherwise plain text.
    mirror : pathlib.Path
        Where ``scripts/run.sh`` looks for an offline mirror.

    Returns
    -------
    str
        One paragraph, no line breaks.
    """
    c = _code  # short: the paragraph below reads as prose
    m = markdown
    # Quoted: a folder name with a space must still give a command that runs.
    fetch = f".venv/bin/python -m geo fetch --to {shlex.quote(str(sources))}"
    head = _(
        "No data yet: there is no database at {db} and no source files in {sources}. The "
        "dashboard is built from the publishers' files ({publishers}) in the reference layout."
    ).format(db=c(str(db), m), sources=c(str(sources), m), publishers=_(_PUBLISHERS))
    if in_app:
        how = _(
            "To download them (needs internet), run {fetch} in the project folder {repo}, or "
            "copy an offline mirror in the same layout into {sources}; then reload this page, "
            "which builds the database. ({run} does all of this before it starts the "
            "dashboard.)"
        ).format(
            fetch=c(fetch, m),
            repo=c(str(REPO_ROOT), m),
            sources=c(str(sources), m),
            run=c("bash scripts/run.sh", m),
        )
    else:
        # The terminal's (scripts/run.sh): English, as every command-line message.
        how = (
            f"Either run {c('bash scripts/run.sh', m)} again where the internet is reachable "
            f"(it downloads them with {c(fetch, m)}, builds the database and starts the "
            f"dashboard), or put an offline mirror in the same layout at "
            f"{c(str(mirror), m)} (or {c('export ATLAS_SOURCES=/path/to/mirror', m)}) "
            f"and run {c('bash scripts/run.sh', m)} again."
        )
    return f"{head} {how}"


def missing_package_help(command: str, module: str | None) -> str:
    """Say which package a ``python -m geo`` command lacks and how to install it.

    Parameters
    ----------
    command : str
        The subcommand that needs it (``fetch``, ``build``...).
    module : str or None
        The name of the module that failed to import (``ImportError.name``).

    Returns
    -------
    str
        One paragraph for the terminal.
    """
    top = (module or "").split(".")[0]
    package = _PIP_NAMES.get(top, top)
    what = f"the Python package '{package}'" if package else "a Python package"
    return (
        f"python -m geo {command}: needs {what}, which this Python ({sys.executable}) "
        "does not have. Install the project's packages into .venv with "
        f"`bash scripts/setup.sh`, then run `.venv/bin/python -m geo {command}`."
    )


def _wrap(text: str) -> str:
    """Wrap the terminal paragraph; never inside a backtick span (a path or a command).

    A command split over two lines no longer pastes as one, so its spaces are hidden
    from :func:`textwrap.fill` and put back after.
    """
    glued = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\0"), text)
    wrapped = textwrap.fill(glued, width=88, break_long_words=False, break_on_hyphens=False)
    return wrapped.replace("\0", " ")


def main(argv: Sequence[str] | None = None) -> int:
    """Print the terminal paragraph to standard error.

    Parameters
    ----------
    argv : sequence of str, optional
        ``--sources DIR --db FILE``; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        Always 0: the caller decides its own exit code.
    """
    parser = argparse.ArgumentParser(prog="python -m geo.firstrun", description=__doc__)
    parser.add_argument("--sources", type=Path, required=True, metavar="DIR")
    parser.add_argument("--db", type=Path, required=True, metavar="FILE")
    ns = parser.parse_args(argv)
    print(_wrap(no_data_help(ns.sources, ns.db, in_app=False)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
