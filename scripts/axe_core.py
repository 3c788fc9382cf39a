"""axe-core, the accessibility checker the browser tests inject into each page.

Fetched from the npm registry by ``scripts/setup.sh --browser`` (no Node or npm needed):
the pinned tarball, checked against the registry's sha512 integrity, and its
``package/axe.min.js`` written to ``.venv/share/axe-core/`` (git-ignored, nothing
vendored). Safe to run again: a file already there with the pinned version is kept.

Run ``python scripts/axe_core.py`` to fetch it; ``path()`` is where the tests read it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
# The ``dist.integrity`` of axe-core 4.14.1 in https://registry.npmjs.org/axe-core/4.14.1
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
DIR = Path(__file__).resolve().parent.parent / ".venv" / "share" / "axe-core"


def path() -> Path:
    """Where ``axe.min.js`` of the pinned version lives."""
    return DIR / f"axe-{VERSION}.min.js"


def check_integrity(data: bytes, integrity: str = INTEGRITY) -> None:
    """Raise ``ValueError`` unless ``data`` has the npm ``sha512-<base64>`` digest."""
    algo, _, want = integrity.partition("-")
    got = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if got != want:
        raise ValueError(f"axe-core {VERSION}: {algo} {got} is not the pinned {want}")


def ensure() -> Path:
    """Download, check and extract ``axe.min.js`` unless it is already there."""
    target = path()
    if target.exists() and target.stat().st_size > 100_000:
        return target
    with urllib.request.urlopen(URL, timeout=60) as r:  # noqa: S310 - a fixed https URL
        data = r.read()
    check_integrity(data)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile("package/axe.min.js")
        if member is None:
            raise ValueError(f"axe-core {VERSION}: no package/axe.min.js in {URL}")
        script = member.read()
    DIR.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    tmp.write_bytes(script)
    tmp.replace(target)  # never a half-written file under the final name
    return target


if __name__ == "__main__":
    try:
        print(f"setup: axe-core {VERSION} in {ensure()}")
    except (OSError, ValueError) as exc:
        print(f"setup: could not fetch axe-core {VERSION}: {exc}", file=sys.stderr)
        sys.exit(1)
