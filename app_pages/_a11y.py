"""Keyboard and contrast help for the app's own pages (WCAG 2.2 AA).

* :data:`PAGE_CSS`, added on every page by ``app.py``: captions dark enough to read
  (Streamlit draws them at 3.9:1 on white), date fields with targets of at least
  24 x 24 px, and a visible focus ring on links and buttons.
* :func:`skip_link` and :func:`after_map`, around each map (``_ui.show_map``): a link
  a keyboard reaches before the map that moves the focus to what follows it, so no one
  has to tab through every control of the map to reach the figures and tables below.

The map's own controls (pan and zoom buttons, their focus ring) are the map's:
:mod:`geo.mapaccess`.
"""

from __future__ import annotations

import json

import streamlit as st

from geo.i18n import _
from geo.mapaccess import CAPTION_TEXT, FOCUS_HALO, FOCUS_RING
from geo.views import html_text

# An element container that takes no room (its height 0, the column's 1rem gap after it
# taken back): it holds a link seen only while focused, or the spot the link leads to.
_NO_ROOM = "[data-testid='stElementContainer']:has({sel})"

PAGE_CSS = (
    "<style>"
    # Streamlit draws captions in its text colour at 60% opacity (#828180 on white, 3.9:1).
    f"[data-testid='stCaptionContainer']{{color:{CAPTION_TEXT};opacity:1}}"
    # The parts of a date field (day, month, year) are 18 x 20 px targets: 24 x 24.
    "[data-testid='stDateInputField'] [role='spinbutton']{display:inline-block;"
    "min-width:24px;min-height:24px;line-height:24px;text-align:center}"
    # A ring (with a white halo, so it shows on any colour) on the focused link or button.
    "[data-testid='stApp'] a:focus-visible,[data-testid='stApp'] button:focus-visible,"
    "[data-testid='stApp'] summary:focus-visible{"
    f"outline:3px solid {FOCUS_RING} !important;outline-offset:2px;"
    f"box-shadow:0 0 0 5px {FOCUS_HALO} !important}}"
    # The skip link: out of sight until a keyboard reaches it.
    + _NO_ROOM.format(sel=".atlas-skip")
    + ","
    + _NO_ROOM.format(sel=".atlas-after-map")
    + "{position:relative;height:0;min-height:0;margin-bottom:-1rem;overflow:visible;"
    "z-index:1000}"
    ".atlas-skip{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}"
    # Seen where the focus is: on the map's top edge, right of its zoom buttons.
    ".atlas-skip:focus{left:3.5rem;top:.5rem;width:auto;height:auto;overflow:visible;"
    f"white-space:nowrap;padding:.35rem .7rem;background:#fff;color:{FOCUS_RING};"
    f"border:1px solid {FOCUS_RING};border-radius:4px;font-weight:600}}"
    ".atlas-after-map{display:block;width:1px;height:1px;outline:none}"
    # A chosen value in a sidebar filter wraps rather than end in "…": in a 300 px sidebar
    # "Central Mediterranean" read "Central Mediterrane…" (WCAG 1.4.10, reflow).
    "[data-testid='stSidebar'] [data-tag]{height:auto;min-height:28px}"
    "[data-testid='stSidebar'] [data-tag]>span[title]{white-space:normal;overflow:visible;"
    "text-overflow:clip;overflow-wrap:anywhere;line-height:1.25;padding:3px 0}"
    "</style>"
)


def _anchor(key: str) -> str:
    return f"atlas-after-{key}"


def skip_link(key: str) -> None:
    """The "Skip past the map" link, placed just before the map ``key``."""
    words = html_text(_("Skip past the map"))  # outside the f-string: the extractor reads it
    # key is the page's own map key, a code constant; the words are escaped
    st.html(f'<a class="atlas-skip" href="#{_anchor(key)}">{words}</a>')  # md: trusted


def after_map(key: str) -> None:
    """Where :func:`skip_link` leads: the spot right after the map ``key``, focusable
    (``tabindex=-1``) so the next Tab goes on from there."""
    spot = f'<span class="atlas-after-map" id="{_anchor(key)}" tabindex="-1"></span>'
    st.html(spot)  # md: trusted (the page's own map key, a code constant)


def page_language(lang: str) -> None:
    """Set the page's ``<html lang>`` to the session's language (``en``, ``fr``, ``es``):
    Streamlit's page always says ``en``, so a screen reader would read French or Spanish
    with English rules."""
    script = f"<script>document.documentElement.lang = {json.dumps(lang)};</script>"
    st.html(script, unsafe_allow_javascript=True)  # md: trusted (one of the app's codes)
