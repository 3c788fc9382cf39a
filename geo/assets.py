"""Leaflet's files, served by the app itself so maps draw with no internet.

They come from the installed ``django-js-lib-leaflet`` package (Leaflet 1.9.4) and are
copied into ``static/leaflet/``, which Streamlit serves at ``/app/static/leaflet/``
(``server.enableStaticServing``). The folder is git-ignored: nothing vendored.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

from geo import REPO_ROOT

STATIC_DIR = REPO_ROOT / "static"
LEAFLET_DIR = STATIC_DIR / "leaflet"
LEAFLET_URL = "/app/static/leaflet"
FILES = ("leaflet.js", "leaflet.css")
# The app's icon, served beside Leaflet's files: as a file path Streamlit registered it
# as a media file on every run, and each viewer's browser fetched it from the replica two
# or three times (not cacheable by nginx); as a static URL nginx keeps one copy.
ICON = REPO_ROOT / "data" / "icon.png"
ICON_URL = "/app/static/icon.png"


def package_dir() -> Path:
    """Folder of the Leaflet files inside the installed asset package."""
    import js_lib_leaflet

    return Path(js_lib_leaflet.__file__).resolve().parent / "static" / "js_lib_leaflet"


def leaflet_source(name: str) -> str:
    """Text of one of Leaflet's files, for HTML exports that inline them."""
    return (package_dir() / name).read_text(encoding="utf-8")


# Every run of every page calls it: once the files are in place, later calls in the
# process return at once instead of stating 30-odd files again (issue 19).
@functools.cache
def ensure_static() -> Path:
    """Copy Leaflet's JS, CSS and marker images into ``static/leaflet``, and the app's
    icon into ``static/``, if missing (checked once per process)."""
    src = package_dir()
    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    icon = STATIC_DIR / ICON.name
    if not icon.exists() or icon.stat().st_size != ICON.stat().st_size:
        shutil.copy2(ICON, icon)
    LEAFLET_DIR.mkdir(parents=True, exist_ok=True)
    for item in src.iterdir():
        target = LEAFLET_DIR / item.name
        if item.is_dir():
            if not target.exists():
                shutil.copytree(item, target)
        elif not target.exists() or target.stat().st_size != item.stat().st_size:
            shutil.copy2(item, target)
    return LEAFLET_DIR


if __name__ == "__main__":
    print(f"Leaflet assets in {ensure_static()}")
