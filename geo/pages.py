"""Every map page, in navigation order: the ``PAGE`` of each ``geo/views/<page>.py``.

A module of :mod:`geo.views` is a page when it defines ``PAGE``
(:class:`geo.views.page.Page`); nothing else lists the pages, so a new page is one view
module (and its script in ``app_pages/``). The registry, the snapshot command, the
briefing, the benchmarks and the load test loop over :data:`PAGES`.
"""

from __future__ import annotations

import importlib
import pkgutil

import geo.views
from geo.views.page import Page


def _discover() -> list[Page]:
    found = []
    for info in pkgutil.iter_modules(geo.views.__path__):
        module = importlib.import_module(f"geo.views.{info.name}")
        page = getattr(module, "PAGE", None)
        if isinstance(page, Page):
            found.append(page)
    return sorted(found, key=lambda p: (p.order, p.key))


PAGES: list[Page] = _discover()
PAGE_KEYS: list[str] = [p.key for p in PAGES]
_BY_KEY = {p.key: p for p in PAGES}


def app_link(key: str, query: str = "") -> str:
    """A page's address in the app, relative, with an encoded query string if any.

    The first page is the app's root (``/?...``): Streamlit serves its default page at
    ``/`` only and answers ``/overview`` with "Page not found".
    """
    path = "" if PAGE_KEYS and key == PAGE_KEYS[0] else key
    return f"/{path}" + (f"?{query}" if query else "")


def page(key: str) -> Page:
    """The page of ``key``.

    Raises
    ------
    KeyError
        ``key`` is not one of :data:`PAGE_KEYS` (the message lists them).
    """
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown page {key!r}; one of {', '.join(PAGE_KEYS)}") from None
