"""The briefing being edited in this session: "Add to briefing" on the map pages puts
views in it, the Briefing editor (app_pages/briefing_editor.py) edits and saves it.

The draft lives in ``st.session_state`` (one per browser tab) until it is saved as a
file in the briefings folder.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import streamlit as st

from app_pages import _keys as K
from geo.briefing import Briefing, Slide
from geo.briefing_store import new_slide
from geo.i18n import N_, _, bound, fmt_int
from geo.views import md_plain

_ids = itertools.count(1)
DRAFT_TITLE = N_("My briefing")


@dataclass
class Draft:
    """A briefing under edit: ``key`` is its file's stem once saved or opened (``""``
    for a new one), ``ids`` give each slide a stable identity for its widgets, so a
    moved slide keeps its texts."""

    title: str = field(default_factory=lambda: _(DRAFT_TITLE))  # in the maker's language
    description: str = ""
    key: str = ""
    slides: list[Slide] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    saved: bool = True  # nothing changed since it was opened or saved
    texts: dict = field(default_factory=dict)  # title, description in other languages

    def add(self, slide: Slide, at: int | None = None) -> int:
        """Insert a slide (at the end by default); returns its new position (0-based)."""
        at = len(self.slides) if at is None else at
        self.slides.insert(at, slide)
        self.ids.insert(at, next(_ids))
        self.saved = False
        return at

    def briefing(self) -> Briefing:
        """The draft as a briefing (slides numbered from 1, as a file's are)."""
        slides = [replace(s, number=i) for i, s in enumerate(self.slides, start=1)]
        return Briefing(self.key, self.title, self.description, slides, dict(self.texts))

    @classmethod
    def of(cls, b: Briefing) -> Draft:
        """A draft holding a briefing read from a file or an upload."""
        d = cls(b.title, b.description, b.key, texts=dict(b.texts))
        for s in b.slides:
            d.add(replace(s, file="", number=0))
        d.saved = True
        return d


def draft() -> Draft:
    """This session's draft (an empty one at first)."""
    if K.DRAFT not in st.session_state:
        st.session_state[K.DRAFT] = Draft()
    return st.session_state[K.DRAFT]


def _add(page_key: str) -> None:
    # st.query_params is the view's whole link here: filters, map view, layers, tab.
    d = draft()
    at = d.add(new_slide(page_key, st.query_params.to_dict()))
    st.session_state[K.DRAFT_ADDED] = (page_key, at + 1, d.title)


def add_to_briefing_button(page_key: str) -> None:
    """The "Add to briefing" button of a map page, and the note after a click."""
    st.button(
        _("Add to briefing"),
        icon=":material/add_to_photos:",
        key=f"atlas_add_slide_{page_key}",
        # Callbacks run before app.py sets the run's language: a new draft's title is
        # made in this page's language.
        on_click=bound(_add),
        args=(page_key,),
        help=_(
            "Adds this view (filters, map view, layers, open tab) as a slide of the "
            "briefing you are making; edit it in the Briefing editor."
        ),
    )
    added = st.session_state.pop(K.DRAFT_ADDED, None)
    if added and added[0] == page_key:
        st.success(
            md_plain(
                _("Added as slide {n} of “{title}”.").format(n=fmt_int(added[1]), title=added[2])
            ),
            icon=":material/check:",
        )
        st.page_link(
            "app_pages/briefing_editor.py", label=_("Edit the briefing"), icon=":material/edit:"
        )
