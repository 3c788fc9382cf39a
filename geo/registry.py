"""The map pages as one registry: for a page key and its URL parameters, the view, its
title, a subtitle stating the filters, the caveat, and the filtered data with its
citation and licence. Exports, the snapshot command and the briefing all use it, so a
PNG, a CSV and the screen always agree.

Each function looks the page up in :data:`geo.pages.PAGES` and calls its contract
(:class:`geo.views.page.Page`): nothing here names a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from geo.mapspec import LAYERS_KEY, MapSpec, layer_choice
from geo.pages import PAGE_KEYS, PAGES, page
from geo.views import Query
from geo.views.page import PLACES, MapView, PageExport, Place

TITLES = {p.key: p.title for p in PAGES}
# Short names for export files (``arrival-atlas_deadly-routes_...``).
FILE_STEMS = {p.key: p.file_stem for p in PAGES}


@dataclass
class PageRender(PageExport, MapView):
    """A page rendered outside Streamlit: its export facts plus its map description
    (``spec``, what the PNG and the briefing draw) and view."""

    spec: MapSpec | None = None
    view: object = None
    notes: list[str] = field(default_factory=list)


def export_of(key: str, view, q: Query) -> PageExport:
    """Export facts (subtitle, headline, data, citation) of an already built view.

    The data and the places a PNG names are loaded only when an export asks for them
    (``load_data()``, ``load_places()``).
    """
    return page(key).export(view, q)


def headline_of(key: str, view, q: Query) -> str:
    """The page's headline figure as one sentence, from the result the screen shows."""
    return export_of(key, view, q).headline


def places_of(key: str, view, q: Query) -> list[Place]:
    """The places that matter to a view, most important first (for PNG labels)."""
    return export_of(key, view, q).load_places()


def page_options(key: str, q: Query) -> object:
    """The filter options of a page's data (``None`` for the Overview, which has none).

    Raises
    ------
    KeyError
        ``key`` is not one of :data:`PAGE_KEYS`.
    """
    return page(key).options(q)


def page_state(key: str, params: Mapping[str, str], opts: object) -> tuple[object, list[str]]:
    """A page's state from URL-style parameters: its own ``from_params``, exactly as the
    page and :func:`render_page` read a link (the briefing checks its slides with it).

    Parameters
    ----------
    key : str
        One of :data:`PAGE_KEYS`.
    params : mapping
        Parameter name -> value (a string, lists joined by ``|``).
    opts : object
        :func:`page_options` of the same page.

    Returns
    -------
    (state, notes)
        The state (``None`` for the Overview) and one plain-text note per value ignored.
    """
    return page(key).state(params, opts)


def param_choices(key: str, opts: object) -> dict[str, list[str]]:
    """The values each parameter of a page can take, as URL strings, where they are a
    list (a route, a year...): for messages saying what a link or a briefing may use.
    Dates and other open-ended values are not listed."""
    return page(key).choices(opts)


def render_page(key: str, q: Query, countries: dict, params: Mapping[str, str]) -> PageRender:
    """Build a page's view from URL-style parameters, as the page itself would.

    Invalid parameters fall back to defaults; their notes are returned. The link's
    ``layers`` are switched on the map as the page's picker does, before the export facts
    (a subtitle can name the layers shown); :func:`geo.mapspec.apply_view` notes the keys
    it does not know.
    """
    view, notes = page(key).render(q, countries, params)
    layer_choice(view.spec, params.get(LAYERS_KEY))
    exp = export_of(key, view, q)
    return PageRender(**exp.__dict__, spec=view.spec, view=view, notes=list(notes))


__all__ = [
    "FILE_STEMS",
    "PAGES",
    "PAGE_KEYS",
    "PLACES",
    "PageExport",
    "PageRender",
    "Place",
    "TITLES",
    "export_of",
    "headline_of",
    "page_options",
    "page_state",
    "param_choices",
    "places_of",
    "render_page",
]
