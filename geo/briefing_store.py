"""Briefing files as the editor writes them: one TOML file per briefing in the user's
folder (``$ATLAS_BRIEFINGS``, default ``data/briefings/`` beside the shipped ones).

The editor's format is the reader's (:func:`geo.briefing.read_briefing`): a title, a
description and ``[[slides]]``, each with its page, headline, caption, speaker notes and
``params`` (the view's link: filters, map view, layers, tab). A shipped briefing is
never overwritten: saving it writes the user's own copy under a new name.
"""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from pathlib import Path

import tomli_w

from geo import DATA_DIR
from geo.briefing import Briefing, Slide
from geo.i18n import DEFAULT, _, language
from geo.mapspec import LANG_KEY
from geo.pages import page
from geo.settings import briefings_dir

SHIPPED_DIR = DATA_DIR / "briefings"
# The briefings that come with the app (in SHIPPED_DIR): read-only for the editor.
SHIPPED = frozenset({"deadliest-routes.toml"})
MAX_KEY = 60


def is_shipped(path: Path) -> bool:
    """Whether ``path`` is one of the app's own briefing files (never written over)."""
    try:
        return path.name in SHIPPED and path.resolve().parent == SHIPPED_DIR.resolve()
    except OSError:
        return False


def briefing_key(title: str) -> str:
    """A file name stem for a title: lower-case ASCII words joined by ``-``."""
    ascii_ = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:MAX_KEY].strip("-")
    return key or "briefing"


def free_key(title: str, folder: Path, keep: str | None = None) -> str:
    """:func:`briefing_key` of ``title``, made unique in ``folder`` (``-2``, ``-3``...).

    ``keep`` is the key of the briefing being saved: its own file may be replaced,
    unless it is a shipped one.
    """
    base = briefing_key(title)
    key, n = base, 1
    while True:
        path = folder / f"{key}.toml"
        if not path.exists() or (key == keep and not is_shipped(path)):
            return key
        n += 1
        key = f"{base}-{n}"


def slide_table(slide: Slide) -> dict:
    """One slide as the file holds it (empty fields left out)."""
    out: dict = {"page": slide.page, "headline": slide.headline}
    if slide.caption:
        out["caption"] = slide.caption
    if slide.notes:
        out["notes"] = slide.notes
    if slide.figures:
        out["figures"] = list(slide.figures)
    if slide.params:
        out["params"] = {str(k): str(v) for k, v in slide.params.items()}
    for lang, texts in sorted(slide.texts.items()):
        kept = {k: v for k, v in texts.items() if v}
        if kept:
            out[lang] = kept
    return out


HEADER = (
    "# A briefing of Arrival Atlas, written by its briefing editor.\n"
    "# Each slide is a view of a page: its link's parameters (filters, map view lat/lon/z,\n"
    "# layers, the open tab), a headline and caption quoting the page's own figures as\n"
    "# {name} (filled in from the data when shown), and the speaker's notes.\n\n"
)


def briefing_toml(b: Briefing) -> str:
    """The briefing as the text of a TOML file, readable by
    :func:`geo.briefing.read_briefing` into the same briefing."""
    data: dict = {"title": b.title}
    if b.description:
        data["description"] = b.description
    for lang, texts in sorted(b.texts.items()):
        kept = {k: v for k, v in texts.items() if v}
        if kept:
            data[lang] = kept
    data["slides"] = [slide_table(s) for s in b.slides]
    return HEADER + tomli_w.dumps(data, multiline_strings=True)


def new_slide(page_key: str, params: dict[str, str]) -> Slide:
    """A slide capturing a page's view: its link's parameters and the page's usual
    headline (:attr:`geo.views.page.Page.slide_headline`), to be edited."""
    # The language is the presenter's, not the view's: a slide shows in the deck's.
    kept = {k: v for k, v in params.items() if k != LANG_KEY}
    template = page(page_key).slide_headline
    slide = Slide(page_key, template, "", kept)
    lang = language()
    if lang != DEFAULT and _(template) != template:
        slide.texts = {lang: {"headline": _(template)}}  # shown in the editor's language
    return slide


def save_briefing(b: Briefing, folder: Path | None = None) -> Path:
    """Write ``b`` to ``folder`` (default :func:`geo.settings.briefings_dir`).

    The file is ``<b.key>.toml`` when that is the user's own; a new briefing, or a
    shipped one being edited, gets a free name from its title. Written to a temporary
    file first, so a full disk never leaves half a briefing.

    Returns
    -------
    Path
        The file written; its stem is the briefing's key from now on.

    Raises
    ------
    OSError
        The folder cannot be created or written (the message names it).
    """
    folder = briefings_dir() if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    key = free_key(b.title, folder, keep=b.key or None)
    if b.key and not is_shipped(folder / f"{b.key}.toml") and (folder / f"{b.key}.toml").exists():
        key = b.key  # the user's own file, saved in place even if the title changed
    path = folder / f"{key}.toml"
    text = briefing_toml(b)
    # Opened like any new file (mkstemp would make it 0600, unreadable to the group and
    # whoever serves or shares the folder); a hidden name the *.toml glob never reads.
    tmp = folder / f".{key}.{secrets.token_hex(6)}.tmp"
    try:
        with open(tmp, "x", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def delete_briefing(key: str, folder: Path | None = None) -> bool:
    """Remove the user's briefing ``key``; a shipped one is never removed.

    Returns whether a file was removed.
    """
    folder = briefings_dir() if folder is None else folder
    path = folder / f"{key}.toml"
    if is_shipped(path) or not path.is_file():
        return False
    path.unlink()
    return True
