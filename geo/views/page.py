"""What a map page is: the one contract every ``geo/views/<page>.py`` fills in.

Each page module ends with ``PAGE = Page(...)``: its key, titles, the datasets it draws
(credits and citations come from :mod:`geo.catalog` by these), its filter options, its
``State`` (read from and written to URL query parameters), ``build`` (the queries and
the map) and ``export`` (the facts every export carries). :data:`geo.pages.PAGES` finds
them; the registry, the snapshot command, the briefing, the benchmarks and the load
test loop over it, and each Streamlit page script calls its own ``PAGE``.

Adding a page: one view module ending with ``PAGE = Page(...)`` and one script in
``app_pages/`` (named ``PAGE.script``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.catalog import citation_for, credit_for, licence_for
from geo.exports import about_rows
from geo.i18n import _

if TYPE_CHECKING:
    import folium

    from geo.mapspec import MapSpec

PLACES = 6  # at most this many places named on a PNG


class MapView:
    """What every page's view has for its map: ``spec``, the map description.

    The screen (``st_folium``), the PNG, the HTML export and the briefing are all drawn
    from ``spec``; the layer picker switches its layers. ``map`` is the interactive map
    rendered from it once, for scripts and tests that look at folium's output.
    """

    spec: MapSpec

    @cached_property
    def map(self) -> folium.Map:
        """The folium map of :attr:`spec` (:func:`geo.maps.render`), made on first use."""
        from geo.maps import render

        return render(self.spec)


@dataclass(frozen=True)
class Place:
    """A place to name on a PNG export: its label and candidate positions (lat, lon),
    best first (the first inside the picture is used)."""

    name: str
    positions: tuple[tuple[float, float], ...]


@dataclass
class PageExport:
    """What a page's exports carry.

    ``headline`` is the page's main figure as a sentence (e.g. "12,345 dead and
    missing in 3,210 incidents"), from the same query result as the screen's headline;
    ``load_places`` gives the few places a PNG names (run only when a PNG is made);
    ``file_tags`` are the main filters, short, for file names (see
    :func:`geo.exports.export_name`); ``params`` reopen the view (its URL parameters).
    ``citation`` and ``licence`` are those of the datasets the exported data holds,
    from :mod:`geo.catalog` (:meth:`Page.citation`).
    """

    key: str
    title: str
    subtitle: str
    caveat: str | None
    load_data: Callable[[], pd.DataFrame]
    data_name: str
    citation: str
    licence: str
    params: dict[str, str] = field(default_factory=dict)
    headline: str = ""
    load_places: Callable[[], list[Place]] = field(default=lambda: [], repr=False)
    file_tags: list[str] = field(default_factory=list)
    stem: str = ""

    @property
    def file_stem(self) -> str:
        """What export file names start with, after ``arrival-atlas_``."""
        return self.stem or self.title

    def about(self, rows: int, link: str | None = None) -> list[tuple[str, str]]:
        """The Excel file's About sheet for ``rows`` rows of this view's data.

        Parameters
        ----------
        rows : int
            Rows of the data sheet.
        link : str, optional
            The view's link as the page wrote it (its layers and open section too); by
            default :attr:`link`, the filters only.
        """
        return about_rows(
            self.title,
            self.subtitle,
            self.citation,
            self.licence,
            self.caveat,
            rows=rows,
            link=link or self.link,
        )

    @property
    def link(self) -> str:
        """The view's address in the app, relative: ``/routes?from=...`` (the first
        page's is ``/?...``, see :func:`geo.pages.app_link`)."""
        from urllib.parse import urlencode

        from geo.pages import app_link  # (geo.pages imports the pages, which import this)

        return app_link(self.key, urlencode(self.params))


class NoState:
    """The state of a page without filters (the Overview): no parameter, nothing to say."""

    @classmethod
    def from_params(cls, params: Mapping[str, str], options: object) -> tuple[None, list[str]]:
        """Always ``(None, [])``: the page reads no parameter."""
        return None, []


def no_options(q) -> None:
    """The options of a page without filters."""
    return None


@dataclass(frozen=True)
class Page:
    """One map page.

    Parameters
    ----------
    key : str
        URL path and page key (``routes``).
    title : str
        Title of the page's exports and PNGs ("Deadly routes").
    nav_title, icon : str
        The app navigation's label and Material icon.
    file_stem : str
        What export file names start with ("deadly routes").
    order : int
        Position in :data:`geo.pages.PAGES` and the navigation.
    datasets : tuple of str
        Keys of :data:`geo.catalog.DATASETS` the view draws (map and tables): the map
        credit names each (:attr:`credit`).
    data_datasets : tuple of str
        The datasets the exported data holds (a subset of ``datasets``): the export
        citation and licence name each (:attr:`citation`, :attr:`licence`).
    options : callable
        ``options(q)``: the choices of the data the filters offer.
    State : type
        ``State.from_params(params, options) -> (state, notes)``; a state has
        ``to_params()``, ``describe()`` and ``query_params()``.
    build : callable
        ``build(q, basemap, state, options=None) -> view``: ``options`` when already
        loaded (saves their queries; the routes map needs them to open on the world).
    export : callable
        ``export(view, q) -> PageExport``: subtitle, headline, data, places, file tags.
    choices : callable
        ``choices(options) -> {parameter: [allowed values]}`` for messages.
    slide_headline : str
        The headline a new briefing slide of this page starts with: the page's headline
        figures as ``{name}`` fields (keys of ``view.headline``), filled in per slide.
    """

    key: str
    title: str
    nav_title: str
    icon: str
    file_stem: str
    order: int
    datasets: tuple[str, ...]
    data_datasets: tuple[str, ...]
    options: Callable[[Any], Any]
    State: type
    build: Callable[..., Any]
    export: Callable[[Any, Any], PageExport]
    choices: Callable[[Any], dict[str, list[str]]] = field(default=lambda opts: {})
    slide_headline: str = ""

    @property
    def script(self) -> str:
        """The Streamlit page script, relative to the repository."""
        return f"app_pages/{self.key}.py"

    @property
    def credit(self) -> str:
        """The map credit: every dataset drawn (:func:`geo.catalog.credit_for`)."""
        return credit_for(self.datasets)

    @property
    def citation(self) -> str:
        """How to cite the exported data (:func:`geo.catalog.citation_for`)."""
        return citation_for(self.data_datasets)

    @property
    def licence(self) -> str:
        """The exported data's licence line (:func:`geo.catalog.licence_for`)."""
        return licence_for(self.data_datasets)

    def state(self, params: Mapping[str, str], options: object) -> tuple[Any, list[str]]:
        """``State.from_params``: the state a link's parameters describe, with notes."""
        return self.State.from_params(params, options)

    def render(self, q, basemap, params: Mapping[str, str], options: object = None):
        """Options -> state -> view, as the page script does; returns (view, notes).

        ``options`` is loaded with ``q`` unless given (a caller building many views).
        """
        opts = self.options(q) if options is None else options
        state, notes = self.state(params, opts)
        return self.build(q, basemap, state, opts), notes

    def facts(self, **kw) -> PageExport:
        """A :class:`PageExport` with this page's key, title, file stem, citation and
        licence; ``kw`` gives the rest (subtitle, caveat, load_data, data_name...)."""
        return PageExport(
            key=self.key,
            title=_(self.title),  # the session's language: every export and PNG title
            citation=self.citation,
            licence=self.licence,
            stem=self.file_stem,
            **kw,
        )


# ---------------------------------------------------------------- export helpers


def join_values(values: list[str], empty: str, many: str) -> str:
    """A filter's values for a subtitle: ``empty`` when none, the count when many."""
    if not values:
        return empty
    return ", ".join(values) if len(values) <= 3 else f"{len(values)} {many}"


def tag_values(values: list[str], many: str) -> list[str]:
    """File-name tag of a multi-choice filter: the values, or their count when many."""
    if not values:
        return []
    return ["-".join(values)] if len(values) <= 2 else [f"{len(values)}-{many}"]


def period_tag(first, last) -> str:
    """``2019-2021`` for whole years, else ``20190301-20210531``."""
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return f"{first.year}" if first.year == last.year else f"{first.year}-{last.year}"
    return f"{first:%Y%m%d}-{last:%Y%m%d}"


def positions(rows: pd.DataFrame, *pairs: tuple[str, str]) -> list[Place]:
    """Places from rows with a ``name`` column and (lat, lon) column pairs, best first."""
    out = []
    for r in rows.to_dict("records"):
        pos = tuple(
            (float(r[a]), float(r[b])) for a, b in pairs if pd.notna(r[a]) and pd.notna(r[b])
        )
        if pos:
            out.append(Place(str(r["name"]), pos))
    return out
