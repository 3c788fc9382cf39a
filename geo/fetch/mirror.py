"""Writing the sources folder: atomic writes beside the target, the workbook -> CSV
conversions the mirror was made with, the manifest, and whether the folder is writable."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.fetch.errors import ItemError
from geo.fetch.sources import Derived

if TYPE_CHECKING:
    from geo.fetch.download import Run

MANIFEST_NAME = "fetch_manifest.json"


@dataclass
class Written:
    """One file written: where it came from (``url``, or ``derived_from`` a workbook)."""

    path: str
    dataset: str
    url: str
    sha256: str
    size: int
    derived_from: str | None = None


@contextlib.contextmanager
def temp_beside(target: Path):
    """Yield an open binary temp file next to ``target``; remove it unless moved."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle, tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_bytes(target: Path, body: bytes) -> str:
    """Write ``body`` to ``target`` atomically; return its sha256."""
    with temp_beside(target) as (handle, tmp):
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        os.replace(tmp, target)
    return hashlib.sha256(body).hexdigest()


def convert(spec: Derived, root: Path) -> tuple[bytes, int]:
    """Convert one sheet of a workbook to the mirror's CSV form; return bytes and rows."""
    kwargs: dict[str, Any] = {"sheet_name": spec.sheet, "header": spec.header}
    if spec.as_text:
        kwargs["dtype"] = str
    frame = pd.read_excel(root / spec.source, engine="calamine", **kwargs)
    text = frame.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8"), len(frame)


def derive(run: Run, spec: Derived, root: Path) -> Written:
    """Make one CSV of :data:`~geo.fetch.sources.DERIVED` from its downloaded workbook."""
    try:
        body, rows = convert(spec, root)
    except ImportError as exc:
        raise ItemError(f"cannot convert {spec.source}: {exc}") from None
    except Exception as exc:  # any reader error means a workbook we cannot read
        raise ItemError(f"cannot read {spec.source} ({type(exc).__name__}: {exc})") from None
    if rows == 0:
        raise ItemError(f"{spec.source} sheet {spec.sheet!r} has no rows")
    sha = write_bytes(root / spec.path, body)
    run.say(f"{spec.path}: {rows:,} rows, made from {Path(spec.source).name}")
    return Written(spec.path, spec.dataset, "", sha, len(body), spec.source)


def update_manifest(root: Path, written: list[Written], when: str) -> None:
    """Record the files written in ``fetch_manifest.json``, keeping the other entries."""
    path = root / MANIFEST_NAME
    files: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError, AttributeError):
        files = dict(json.loads(path.read_text(encoding="utf-8")).get("files", {}))
    for item in written:
        entry: dict[str, Any] = {
            "dataset": item.dataset,
            "sha256": item.sha256,
            "bytes": item.size,
            "fetched_at": when,
        }
        if item.derived_from:
            entry["derived_from"] = item.derived_from
        else:
            entry["url"] = item.url
        files[item.path] = entry
    manifest = {
        "tool": "python -m geo fetch",
        "updated_at": when,
        "files": dict(sorted(files.items())),
    }
    body = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    write_bytes(path, body)


def writable(root: Path) -> str | None:
    """Why ``root`` cannot take the downloads, or ``None`` when it can.

    A folder with no write permission bits is refused even where the process could
    write to it anyway (as root): that is how the offline mirror is marked read-only.
    """
    existing = root
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    with contextlib.suppress(OSError):
        if existing.is_dir() and not existing.stat().st_mode & 0o222:
            return f"{existing} is read-only; choose another --to"
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None
