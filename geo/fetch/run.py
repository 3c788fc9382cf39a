"""One fetch run: plan, download, convert, write the manifest, summarise."""

from __future__ import annotations

import contextlib
import datetime as _dt
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from geo.fetch import unhcr
from geo.fetch.download import Run, download, session
from geo.fetch.errors import ItemError, Unreachable
from geo.fetch.mirror import MANIFEST_NAME, Written, derive, update_manifest, writable
from geo.fetch.sources import DATASET_NAMES, DERIVED, MMP_START_YEAR, plan
from geo.firstrun import missing_package_help

EXIT_OK, EXIT_FAILED, EXIT_UNREACHABLE, EXIT_INTERRUPTED = 0, 1, 2, 130


def human(size: int) -> str:
    """A byte count for the summary line: ``512 B``, ``3.4 MB``."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def run_fetch(
    to: Path,
    *,
    base_url: str | None = None,
    years: list[int] | None = None,
    out: IO[str] = sys.stderr,
    timeout: float = 30.0,
    only: Sequence[str] | None = None,
) -> int:
    """Download every source into ``to``, in the reference layout.

    Parameters
    ----------
    to : pathlib.Path
        Sources folder to fill; created if needed. Files already there are replaced
        only by complete, checked downloads.
    base_url : str, optional
        Replaces the scheme and host of every publisher address, keeping the path
        (e.g. ``http://127.0.0.1:8000`` to serve publisher-shaped paths locally).
    years : list of int, optional
        Years of the MMP JSON endpoint to fetch; default 2014 to the current year.
        Years before the current one are required, the rest optional.
    out : text stream
        Where progress bars and messages go (default ``sys.stderr``).
    timeout : float
        Seconds to wait for a connection and for each read.
    only : sequence of str, optional
        Fetch only these datasets (names in :data:`DATASET_NAMES`).

    Returns
    -------
    int
        0 when every required file was written; 1 when a required file failed;
        2 when the network is unreachable or the folder cannot be written;
        130 when interrupted.
    """
    today = _dt.date.today()
    current_year = today.year
    year_list = sorted(set(years)) if years else list(range(MMP_START_YEAR, current_year + 1))
    if only:
        unknown = [name for name in only if name not in DATASET_NAMES]
        if unknown:
            print(
                f"fetch: unknown dataset {', '.join(unknown)}; choose from "
                f"{', '.join(DATASET_NAMES)}",
                file=out,
            )
            return EXIT_FAILED
    if any(spec.dataset in (only or DATASET_NAMES) for spec in DERIVED):
        # The workbooks are converted after every download is done: say now, not after
        # 100 MB, that the reader is missing.
        for module in ("python_calamine",):
            if importlib.util.find_spec(module) is None:
                print(missing_package_help("fetch", module), file=out)
                return EXIT_FAILED
    root = Path(to)
    problem = writable(root)
    if problem:
        print(f"fetch: cannot write to {root} ({problem})", file=out)
        return EXIT_UNREACHABLE

    run = Run(session=session(), out=out, timeout=timeout, base_url=base_url)
    jobs = plan(year_list, current_year, only)
    written: list[Written] = []
    skipped: list[str] = []
    failed: list[str] = []
    refreshed: set[str] = set()
    when = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
    try:
        for job in jobs:
            try:
                if job.kind == "unhcr-api":
                    item = unhcr.population(run, job, root, current_year)
                else:
                    item = download(run, job, root)
            except ItemError as exc:
                if job.required:
                    run.say(f"{job.path}: FAILED: {exc}")
                    failed.append(job.path)
                else:
                    run.say(f"{job.path}: skipped (optional): {exc}")
                    skipped.append(job.path)
                continue
            written.append(item)
            refreshed.add(job.path)
        for spec in DERIVED:
            if spec.source not in refreshed:
                continue
            try:
                written.append(derive(run, spec, root))
            except ItemError as exc:
                run.say(f"{spec.path}: FAILED: {exc}")
                failed.append(spec.path)
    except Unreachable as exc:
        print(
            f"fetch: cannot reach {exc.host} ({exc.reason}); no network? "
            "Use ATLAS_SOURCES to point at an offline mirror.",
            file=out,
        )
        return EXIT_UNREACHABLE
    except KeyboardInterrupt:
        print("\nfetch: interrupted; files already written are complete", file=out)
        if written:
            with contextlib.suppress(OSError):
                update_manifest(root, written, when)
        return EXIT_INTERRUPTED
    finally:
        run.session.close()

    if written:
        try:
            update_manifest(root, written, when)
        except OSError as exc:
            run.say(f"{MANIFEST_NAME}: not updated ({exc.strerror or exc})")
    total = sum(item.size for item in written)
    print(
        f"fetch: {len(written)} files written ({human(total)}) to {root}; "
        f"{len(skipped)} skipped; {len(failed)} failed",
        file=out,
    )
    if failed:
        print(f"fetch: required files missing: {', '.join(failed)}", file=out)
        return EXIT_FAILED
    return EXIT_OK
