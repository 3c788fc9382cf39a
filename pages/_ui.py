"""Small layout helpers shared by the page scripts (kept out of ``geo``, which must not
import Streamlit outside ``geo/cache.py``)."""

from __future__ import annotations

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.catalog import MMP_CAVEAT

MAP_HEIGHT = 560
NAV_FLAG = "_atlas_navigation"


def require_app_navigation() -> None:
    """Make sure the page runs inside ``app.py``'s ``st.navigation``.

    Streamlit keeps its old "pages directory" mode until some session has run
    ``st.navigation``: on a fresh server, a shared link such as ``/routes`` would run
    ``pages/routes.py`` alone (no page config, raw file names in the sidebar). When
    that happens we switch the mode off and rerun; the rerun goes through ``app.py``
    and lands on the same URL.
    """
    if st.session_state.get(NAV_FLAG):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


def page_header(title: str, subtitle: str) -> None:
    """Title and one line saying what the page is for."""
    require_app_navigation()
    st.title(title)
    st.caption(subtitle)


def show_map(m: folium.Map, key: str, height: int = MAP_HEIGHT) -> None:
    """Render a folium map; it returns nothing to Python so panning never reruns the page."""
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])


def mmp_caveat() -> None:
    """The Missing Migrants Project caveat, wherever its figures are shown."""
    st.caption(f":material/info: {MMP_CAVEAT}")


def fmt(n) -> str:
    """Thousands-separated integer."""
    return f"{int(n):,}"
