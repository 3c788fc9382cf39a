"""Small layout helpers shared by the page scripts (kept out of ``geo``, which must not
import Streamlit outside ``geo/cache.py``)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import folium
import streamlit as st
from streamlit_folium import st_folium

from app_pages import _keys as K
from app_pages import _mapframe
from app_pages._a11y import after_map, skip_link
from geo import i18n
from geo.catalog import MMP_CAVEAT
from geo.i18n import N_, _, bound, fmt_int
from geo.maps import render
from geo.mapspec import LAYERS_KEY, SECTION_KEY, UI_KEYS, VIEW_KEYS, Layer, MapSpec
from geo.views import html_text, link_value, md_plain  # noqa: F401 (html_text: for the pages)

MAP_HEIGHT = 560
NOTE_MAX = 300  # characters of one note on a link's ignored settings
GRID_ROW_PX = 35  # st.dataframe's default row (and header) height


# What each table holds, in the words of the Data and sources page.
DATASET_OF = {
    "incidents": (N_("IOM Missing Migrants Project incidents"), "missing_migrants/"),
    "sites": (N_("camps and sites"), "camps/"),
    "cities": (N_("UN World Urbanization Prospects cities"), "city_population/"),
    "cifal_centres": (N_("CIFAL centres"), "data/cifal_centres.csv"),
    "countries": (N_("Natural Earth countries"), "natural_earth/"),
    "refugee_population": (N_("UNHCR refugee statistics"), "unhcr_refugees/"),
}


def require_data(needs: tuple[str, ...]) -> None:
    """Stop the page with one clear message when a table it needs is empty.

    A database built from a sources folder without one dataset still opens; its pages
    then say what is missing and how to add it, instead of failing on an empty table.
    """
    if not needs:
        return
    from geo import cache

    rows = cache.dataset_rows()
    missing = [t for t in needs if not rows[t]]
    if not missing:
        return
    what = "; ".join(
        f"{_(DATASET_OF[t][0])} (`{DATASET_OF[t][1]}`)"  # md: trusted (the table above)
        for t in missing
    )
    st.warning(
        _(
            "This page needs data the database does not hold: {what}. Add the files to the "
            "sources folder (`bash scripts/run.sh` fetches them, or see the Data and sources "
            "page, How to refresh), rebuild, and reload this page."
        ).format(what=what),
        icon=":material/database_off:",
    )
    st.stop()


def page_header(title: str, subtitle: str, needs: tuple[str, ...] = ()) -> None:
    """Title, one line saying what the page is for, and a stop when its data is missing."""
    st.title(md_plain(title))
    st.caption(md_plain(subtitle))
    require_data(needs)


def open_page(page, subtitle: str, needs: tuple[str, ...] = ()) -> tuple[object, object]:
    """The start of every map page: header, options, and the state the link describes.

    Parameters
    ----------
    page : geo.views.page.Page
        The page's ``PAGE``.
    subtitle : str
        One line saying what the page is for.
    needs : tuple of str
        Tables the page cannot do without (see :func:`require_data`).

    Returns
    -------
    (options, state)
        The filter options and the link's state; what the link held that was not
        understood is said once, above the page's figures.
    """
    from geo import cache

    page_header(_(page.nav_title), subtitle, needs=needs)
    options = cache.options(page)
    state, notes = page.state(st.query_params.to_dict(), options)
    notes = link_notes(page.key, notes, state.to_params())
    if notes:
        # One sentence: each note without its own full stop. The values a note quotes
        # are cut where it is written (geo.views.link_value); this bounds the note too.
        said = "; ".join(link_value(n, NOTE_MAX).rstrip(".") for n in notes)
        st.info(
            _("Some settings in the link were not understood and were ignored: {notes}.").format(
                notes=md_plain(said)
            ),
            icon=":material/link_off:",
        )
    return options, state


def mmp_caveat() -> None:
    """The Missing Migrants Project caveat, wherever its figures are shown."""
    st.caption(":material/info: " + _(MMP_CAVEAT))  # md: trusted (the app's own constant)


def fmt(n) -> str:
    """Thousands-separated integer, as the session's language writes it (76,272 / 76 272
    / 76.272)."""
    return fmt_int(int(n))


def data_grid(data, **kwargs) -> None:
    """``st.dataframe`` of a table whose text cannot run as a spreadsheet formula.

    The grid's own "Download as CSV" and copied cells carry what it shows, so text cells
    starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are shown with a
    leading ``'`` (see :func:`geo.exports.defuse_formulas`); numbers stay numbers. Pages
    show every table through this (tests/test_untrusted_text.py checks it).

    A blank cell shows "–", not the grid's "None" (a site with no 2025 population is
    not a site named None); a fixed ``height`` taller than the rows need gives way to
    the rows' own height rather than a block of empty rows.
    """
    from geo.exports import defuse_formulas

    kwargs.setdefault("placeholder", "–")
    height = kwargs.get("height")
    if isinstance(height, int) and (len(data) + 1) * GRID_ROW_PX + 3 < height:
        kwargs["height"] = "auto"
    st.dataframe(defuse_formulas(data), **kwargs)


# --- the URL: filters, map view and layers ---------------------------------------


def link_notes(key: str, notes: list[str], params: dict[str, str]) -> list[str]:
    """Notes about a link's ignored values, kept while the page shows that link's state.

    The map reports its view once drawn, which reruns the page with the corrected URL;
    without this the note would vanish a moment after it appeared.
    """
    store = st.session_state.setdefault(K.LINK_NOTES, {})
    if notes:
        store[key] = (list(notes), dict(params))
    saved = store.get(key)
    if saved and saved[1] == params:
        return saved[0]
    store.pop(key, None)
    return []


def _url_filters() -> dict[str, str]:
    """The page filters in the URL (everything but map view, layers and open section)."""
    return {k: v for k, v in st.query_params.to_dict().items() if k not in UI_KEYS}


def seed_widgets(page: str, values: Mapping[str, object], *, force: bool = False) -> None:
    """Give a page's keyed widgets the values of the state its link describes.

    The one way the pages tie a widget to the URL. The widget has a ``key`` and no
    ``value``, ``index`` or ``default`` (a range slider's ``value`` gives only its shape):
    its value lives in ``st.session_state[key]``, and this sets it

    * when the widget has none: the page opens, or the widget was not shown on the last
      run (the year slider of the other mode);
    * when the URL's filters are not the ones the page wrote last (:func:`sync_url` with
      ``page``) while the widgets still show what it wrote: a link from outside, such as
      the browser's back and forward buttons (Streamlit reruns the page with that URL) or
      a link opened in the running session. A rerun that carries an older URL together
      with a widget the user has just moved (a quick second change) is not one: the
      user's choice wins.

    Otherwise the widget keeps the user's choice, and :func:`sync_url` writes the page's
    state back. Streamlit 1.67's ``bind="query-params"`` would change the links (lists
    as repeated parameters instead of ``a|b``, shown labels as values, defaults left out,
    no note for a value it drops): see the README.

    Parameters
    ----------
    page : str
        The page's key (the same one given to :func:`sync_url`).
    values : mapping of str to object
        Widget key to the value the link's state gives it.
    force : bool
        Set every value over the user's choice: for a reset button (as its ``on_click``,
        since a widget's value cannot change once the widget is drawn in a run), or for a
        widget that tells a link from outside by itself (:func:`layer_picker`).
    """
    linked = st.session_state.setdefault(K.LINKED_WIDGETS, {}).setdefault(page, {})
    linked["keys"] = list(values)
    if not force and "params" in linked:
        untouched = all(
            st.session_state[k] == v for k, v in linked["shown"].items() if k in st.session_state
        )
        force = untouched and _url_filters() != linked["params"]
    for key, value in values.items():
        if force or key not in st.session_state:
            st.session_state[key] = value


def held(key: str) -> list:
    """What a seeded multiselect holds now (``st.session_state[key]``), to pass as its
    ``default``.

    Streamlit sends a seeded widget's value once, in the run that seeds it; later runs
    send only the widget's ``default`` (``index``, ``value``). Under load the browser
    sometimes meets the later run's widget before it has taken in the value (the map's
    report came first), and the widget then reports its default as if the user had chosen
    it: a link's route filter was lost that way, its dates kept (once in CI, and in 2 of 8
    local runs of the browser link, routes and export tests beside other work), and a
    Cities link's growth mode fell back to population (CI). With the value it holds as
    its default, that fallback is the same choice. The value still comes from the session
    state (Streamlit's rule when a widget has both), so nothing else changes.
    :func:`held_index` and :func:`held_value` do the same for the other widgets.
    """
    return list(st.session_state.get(key) or [])


def held_index(key: str, options: Sequence) -> int:
    """The ``index`` of what a seeded selectbox or radio holds (see :func:`held`)."""
    values = list(options)
    value = st.session_state.get(key)
    return values.index(value) if value in values else 0


def held_value(key: str, fallback, options: Sequence | None = None):
    """The ``value`` (or a segmented control's ``default``) a seeded slider, toggle or
    date range holds (see :func:`held`); ``fallback`` when it holds none, or holds what
    ``options`` (a select slider's) lacks."""
    value = st.session_state.get(key, fallback)
    if options is not None:
        ends = value if isinstance(value, tuple | list) else (value,)
        if not all(v in options for v in ends):
            return fallback
    return value


def period_slider(
    label: str, years: Sequence[int], key: str, format_func: Callable, where=st
) -> tuple[int, int]:
    """A growth-period slider (two years, its key seeded by :func:`seed_widgets`).

    Both ends on one year is an empty period: the slider moves on to the next year (the
    previous one at the end of the range), so the slider, the map, the link and the
    exports show the same period, and says so once.
    """

    def one_year_is_no_period() -> None:
        y0, y1 = st.session_state[key]
        if y0 == y1:
            i = years.index(y0)
            st.session_state[key] = (
                (years[i - 1], y0) if i == len(years) - 1 else (y0, years[i + 1])
            )
            st.session_state[K.PERIOD_FIXED] = True

    y0, y1 = where.select_slider(
        label,  # md: trusted (the pages' own constant labels)
        options=years,
        # A two-ended ``value`` makes it a range slider; the seeded state is what shows,
        # and the held range is the fallback (see held).
        value=tuple(held_value(key, (years[0], years[-1]), years)),
        format_func=format_func,
        key=key,
        on_change=one_year_is_no_period,
    )
    if st.session_state.pop(K.PERIOD_FIXED, False):
        st.warning(_("Pick two different years; showing the growth to the next one."))
    return y0, y1


def sync_url(page_params: dict[str, str], page: str | None = None) -> None:
    """Write a page's filter state to the URL, keeping the map view, layer choice and
    open section.

    When the filters change, the map view in the URL is dropped so the map fits the
    new selection. With ``page``, what was written and what that page's widgets
    (:func:`seed_widgets`) show are kept, to tell a link from outside from an echo.
    """
    current = st.query_params.to_dict()
    kept = {k: current[k] for k in UI_KEYS if k in current}
    previous = _url_filters()
    if previous != page_params and st.session_state.get(K.URL_SEEN):
        kept = {k: v for k, v in kept.items() if k not in VIEW_KEYS}
    st.session_state[K.URL_SEEN] = True
    wanted = {**page_params, **kept}
    # Key by key, never from_dict: the open section's key is bound to its tabs, and
    # rewriting a bound key (even to its own value) raises, as a filter change did.
    for k in current:
        if k not in wanted:
            del st.query_params[k]
    for k, v in wanted.items():
        if current.get(k) != v:
            st.query_params[k] = v
    if page is not None:
        linked = st.session_state.setdefault(K.LINKED_WIDGETS, {}).setdefault(page, {})
        linked["params"] = dict(page_params)
        linked["shown"] = {
            k: st.session_state[k] for k in linked.get("keys", ()) if k in st.session_state
        }


def show_sections(sections: dict[str, Callable[[], None]], map_drawn: bool) -> None:
    """Tabs below a map, one render function per label; only the open one runs.

    The open tab is the URL's ``section`` parameter, so a copied link reopens it. Only
    the open section is computed and sent (a view's other sections query when first
    read), so the browser loads the table or chart code of one section only.

    Until the map has drawn (``map_drawn``, from :func:`show_map`), no section runs:
    the table and chart code (1.6 MB of JavaScript for a table) would compete with the
    map for the browser's one main thread. The map's first report of its view reruns
    the page, and that run fills the open section. "Show now" (any rerun) stops waiting,
    for a browser whose map never reports.
    """
    # The keys are the pages' own English section names (N_ constants) and the URL's
    # values in every language, so a link opens its tab whatever the reader's language;
    # the tabs show them translated. (Streamlit's bind="query-params" would put the shown
    # label in the URL: a French link's tab would be lost in English.)
    keys = list(sections)
    labels = [_(k) for k in keys]  # md: trusted (the pages' own names, translated)
    tab_key = f"atlas_tabs_{i18n.language()}_{'|'.join(keys)}"
    asked = st.query_params.get(SECTION_KEY)
    if asked in labels and asked not in keys:  # a link written with a translated label
        asked = keys[labels.index(asked)]
    written = st.session_state.setdefault(K.SECTIONS_WRITTEN, {})
    if tab_key not in st.session_state or written.get(tab_key) != asked:
        # First open, or a link from outside (the back button): the URL decides.
        st.session_state[tab_key] = labels[keys.index(asked)] if asked in keys else labels[0]
        written[tab_key] = asked

    def _opened() -> None:
        shown = st.session_state[tab_key]
        key = keys[labels.index(shown)] if shown in labels else keys[0]
        st.query_params[SECTION_KEY] = key
        written[tab_key] = key

    tabs = st.tabs(labels, key=tab_key, on_change=_opened)
    opened = next((i for i, t in enumerate(tabs) if t.open), None)
    if map_drawn:
        if opened is not None:
            with tabs[opened]:
                list(sections.values())[opened]()
        return
    with tabs[opened or 0]:
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.caption(":material/hourglass_top: " + _("Loading once the map has drawn."))
        c2.button(_("Show now"), key=K.SHOW_SECTIONS, type="tertiary")


def _zoom_text(z: float) -> str:
    """A zoom level as the URL writes it: ``7``, or ``6.5`` on a map that snaps to halves."""
    return f"{round(z, 2):g}"


def _same_view(a: tuple[float, float, float], b: tuple[float, float, float]) -> bool:
    """Whether two (lat, lon, zoom) views are one, give or take two screen pixels.

    Leaflet recentres on whole pixels when the map's frame is resized, which moves a
    link's centre by a fraction of a pixel (0.02 degrees at z=5): that is no user's move
    and must not rewrite the link.
    """
    if round(a[2], 2) != round(b[2], 2):
        return False
    tol = 2 * 360 / (256 * 2 ** a[2])  # degrees of longitude in two pixels
    return abs(a[0] - b[0]) <= tol and abs((a[1] - b[1] + 180) % 360 - 180) <= tol


def _url_view(key: str) -> tuple[float, float, float] | None:
    """The link's map view (lat, lon, zoom), or None; an invalid view is dropped with a note.

    The zoom may be fractional (maps fitted with ``zoomSnap`` 0.5 stop at halves).
    """
    qp = st.query_params
    noted = st.session_state.setdefault(K.VIEW_NOTES, set())
    if key in noted:
        st.info(
            _("The map view in the link was not understood; showing the default view."),
            icon=":material/link_off:",
        )
    if not all(k in qp for k in VIEW_KEYS):
        return None
    try:
        lat, lon, z = float(qp["lat"]), float(qp["lon"]), float(qp["z"])
    except ValueError:
        lat = lon = z = None
    if lat is None or not (-90 <= lat <= 90 and -180 <= lon <= 180 and 1 <= z <= 12):  # NaN too
        if key not in noted:
            noted.add(key)
            st.info(
                _("The map view in the link was not understood; showing the default view."),
                icon=":material/link_off:",
            )
        for k in VIEW_KEYS:
            del st.query_params[k]
        return None
    return lat, lon, z


def choose_layers(
    spec: MapSpec, known: set[str] | None = None, off: set[str] = frozenset()
) -> list[str]:
    """Apply the ``layers`` URL parameter (keys of the overlays switched on) to a map's
    description.

    Keys the map does not have are ignored; when none of the link's keys is known the
    map keeps its default layers (never an empty map). The PNG, HTML and the screen
    then all show the same layers.

    Parameters
    ----------
    spec : geo.mapspec.MapSpec
        The view's map description.
    known : set of str, optional
        Keys of the layers this session's map has had. ``None`` for a link opened
        afresh, which shows exactly the layers it lists.
    off : set of str
        Keys the user switched off in this session. A layer the link does not list and
        the user never switched off appeared later (a filter brought its data in): it
        keeps its default instead of counting as switched off.

    Returns
    -------
    list[str]
        The link's keys that were not understood (to tell the user).
    """
    raw = st.query_params.get(LAYERS_KEY)
    if raw is None:
        return []
    wanted = [k for k in raw.split("|") if k]
    layers = {layer.stable_key: layer for layer in overlays(spec)}
    unknown = [k for k in wanted if k not in layers and k not in (known or ())]
    if wanted and not any(k in layers for k in wanted) and len(unknown) == len(wanted):
        return unknown  # nothing usable: keep the defaults
    for key, layer in layers.items():
        if known is None or key in wanted or key in off:
            layer.show = key in wanted
    return unknown


def overlays(spec: MapSpec) -> list[Layer]:
    """The map's toggleable overlay layers (the description's; the basemap is not one)."""
    return list(spec.layers)


def layer_picker(spec: MapSpec, key: str) -> None:
    """A multiselect of the map's overlays, kept in the URL as ``layers``.

    The options are the layers' stable keys (:attr:`geo.mapspec.Layer.stable_key`),
    shown by their current names: a name that changes with a filter (a bin size, a
    radius, a year) keeps the user's choice. The choice switches the description's
    layers, so the screen and every export show the same ones.
    """
    known = st.session_state.setdefault(K.LAYERS_KNOWN, {})
    switched_off = st.session_state.setdefault(K.LAYERS_OFF, {})
    unknown = choose_layers(spec, known.get(key), switched_off.get(key, set()))
    layers = overlays(spec)
    if not layers:
        return
    names = {layer.stable_key: layer.name for layer in layers}
    shown = [layer.stable_key for layer in layers if layer.show]
    # The multiselect keeps its choice as the shown labels, not the option values: a
    # label that changes with a filter ("2° grid" to "0.5° grid", "300 km" to "400 km")
    # would drop out of it. So the widget is keyed by the labels too; a renamed layer
    # gets a new widget that starts from the URL's choice (``shown``), which holds keys.
    labels = hashlib.sha1(repr(sorted(names.items())).encode()).hexdigest()[:10]
    state_key = f"{key}_layers_{labels}"
    link = st.query_params.get(LAYERS_KEY)
    seen_links = st.session_state.setdefault(K.LAYERS_LINK, {})
    # A link opened in a running session (or the back button) wins over the widget: the
    # picker's own test, since it writes its parameter itself (not through sync_url).
    seed_widgets(
        f"{key}_layers", {state_key: shown}, force=link is not None and seen_links.get(key) != link
    )
    if unknown:
        kept = (
            _("Showing the default layers.") if not any(k in names for k in link.split("|")) else ""
        )
        st.info(
            _("Layers in the link not found on this map: {layers}.").format(
                layers=md_plain(", ".join(unknown)[:200])
            )
            + " "
            + kept,
            icon=":material/layers_clear:",
        )
    picked = st.multiselect(
        _("Layers on the map (and in exports)"),
        list(names),
        default=held(state_key),
        format_func=lambda k: names.get(k, k),
        key=state_key,
        help=_("Also switchable on the map itself (top right); this choice travels with the link."),
    )
    for layer in layers:
        layer.show = layer.stable_key in picked
    ids = "|".join(k for k in names if k in picked)
    if picked != shown or LAYERS_KEY in st.query_params:
        if st.query_params.get(LAYERS_KEY) != ids:
            st.query_params[LAYERS_KEY] = ids
    seen_links[key] = st.query_params.get(LAYERS_KEY)
    known[key] = known.get(key, set()) | set(names)
    switched_off[key] = (switched_off.get(key, set()) - set(picked)) | (set(names) - set(picked))


def show_map(spec: MapSpec, key: str, height: int = MAP_HEIGHT) -> bool:
    """Render a map description (:func:`geo.maps.render`) at the URL's view; panning
    and zooming update the URL.

    The view travels in ``lat``, ``lon`` and ``z``, so a copied link reopens it.

    Returns
    -------
    bool
        Whether the map has drawn: False on the session's first run of this map, True
        once the browser has reported the map's view (which reruns the page). Any later
        run also counts, so a map that never reports holds nothing back for long.
    """
    seen = st.session_state.setdefault(K.MAPS_RUN, set())
    first_run = key not in seen
    seen.add(key)
    view = _url_view(key)
    # Built once per state and process, redrawn in the open frame (app_pages/_mapframe.py);
    # ATLAS_VIEW_CACHE=0 renders and sends it through st_folium on every run as before.
    digest = _mapframe.spec_key(spec) if _mapframe.enabled() else None
    payload = _mapframe.map_payload(spec, digest) if digest else None
    m = None if payload else render(spec)
    # The map's script fits its bounds, then st_folium moves it to the link's view. An
    # animated fit would end after that move and undo it (Leaflet animates a zoom change
    # of at most 4 levels: from the world's z=2, a link at z >= 7 reopened at the fit).
    for child in m._children.values() if m else ():
        if isinstance(child, folium.map.FitBounds):
            child.options["animate"] = False
    # st_folium moves the map whenever the center/zoom it is given change. After a user's
    # move the URL still holds the view written on the run before (this run writes the
    # new one), so giving the URL's view would pull the map back one move. When the
    # URL's view is the one this session wrote, give the map's own last report instead:
    # only a view from outside (a link, the back button) moves the map.
    written = st.session_state.setdefault(K.VIEW_WRITTEN, {})
    send = view
    reported = st.session_state.get(key)
    if (
        view is not None
        and key in written
        and _same_view(view, written[key])
        and isinstance(reported, dict)
        and reported.get("center")
        and reported.get("zoom") is not None
    ):
        send = (reported["center"]["lat"], reported["center"]["lng"], reported["zoom"])
    skip_link(key)  # a keyboard's way past the map's controls
    if payload:
        out = _mapframe.draw(
            payload,
            key,
            height,
            center=(send[0], send[1]) if send else None,
            zoom=send[2] if send else None,
        )
    else:
        out = st_folium(
            m,
            key=key,
            height=height,
            use_container_width=True,
            returned_objects=["center", "zoom"],
            center=(send[0], send[1]) if send else None,
            zoom=send[2] if send else None,
        )
    swapping = payload is not None and out is None and _has_reported(key)
    if swapping:
        # A new state in a map that reports: its frame redraws now, and the map's message
        # is this run's last. Anything sent after it (even the summary's line) is laid
        # out by the browser's one main thread between the map's redraw and its paint
        # (25 to 60 ms of page layout). The map's report of the new state reruns the page
        # (stopping this run), and that run, with the map drawn, sends the rest.
        await_map_report()
    after_map(key)  # where the skip link leads
    # right after the map: what it shows in words, and (once drawn, as the sections) a table
    twin_summary(spec, key, digest)
    if swapping or not first_run:
        twin_table(spec, key, digest)
    center, zoom = (out or {}).get("center"), (out or {}).get("zoom")
    if not center or zoom is None:
        return not first_run
    got = (round(center["lat"], 3), round(center["lng"], 3), round(float(zoom), 2))
    # The first view the map reports is its own starting (fitted) view, not a user's
    # move: keep it as the baseline and write the URL only when the view departs from
    # it, and not when it is the link's own view.
    fit = (
        payload.fit
        if payload
        else repr([c.bounds for c in m._children.values() if isinstance(c, folium.map.FitBounds)])
    )
    base = st.session_state.setdefault(K.MAP_BASE, {})
    if key not in base or base[key][0] != fit:
        base[key] = (fit, got)
        return True
    # Back at the fitted view after a move, the URL must follow too (its view is stale).
    moved = view is not None or not _same_view(got, base[key][1])
    if moved and (view is None or not _same_view(got, view)):
        st.query_params.update({"lat": str(got[0]), "lon": str(got[1]), "z": _zoom_text(got[2])})
        written[key] = got
    return True


# How long a run waits, after sending a new state's map, for the map's report of it:
# the redraw takes 0.1 to 0.4 s; a browser that is slower gets the rest of the page
# from this run, as before.
REPORT_WAIT_S = 1.5


def _has_reported(key: str) -> bool:
    """Whether this session's map ``key`` has reported a drawn state (a browser whose
    map reports its view; Streamlit's test client and viewers without JavaScript never
    do, and never wait)."""
    report = st.session_state.get(key)
    return isinstance(report, dict) and bool(report.get(_mapframe.TOKEN_FIELD))


def await_map_report(timeout: float = REPORT_WAIT_S) -> None:
    """Let the browser draw the map just sent before the rest of the page follows.

    Waits up to ``timeout`` seconds, reading the session state every few milliseconds:
    each read is one of Streamlit's yield points, where a rerun request (the map's
    report of its new state, or the user's next click) stops this run and starts the
    next. Returns when no request came in time.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.01)
        K.MAPS_RUN in st.session_state  # noqa: B015 - the yield point itself


# The summary and the table's HTML of a map state: 20 to 150 ms to write, the same for
# every session that shows the state (a hall opens the same few links). Kept apart: a
# session's first run of a map shows the summary only.
@st.cache_resource(show_spinner=False, max_entries=64)
def _cached_summary(db_key: tuple, lang: str, digest: str, _spec: MapSpec) -> str:
    from geo.textmap import map_summary

    with i18n.using(lang):
        return html_text(map_summary(_spec))


@st.cache_resource(show_spinner=False, max_entries=64)
def _cached_table(db_key: tuple, lang: str, digest: str, key: str, _spec: MapSpec) -> str:
    from geo.textmap import twin_html

    with i18n.using(lang):
        return twin_html(_spec, key)


def folded(label: str, icon: str, key: str):
    """A fold whose content is written and sent only while it is open: the expander
    (Streamlit 1.67's lazy one, ``on_change="rerun"``: opening it reruns the page) when
    open, else None. Most views open neither the map's table nor the export panel
    (issue 19)."""
    box = st.expander(label, icon=icon, key=key, on_change="rerun")  # md: trusted (own labels)
    return box if box.open else None


def twin_summary(spec: MapSpec, key: str, digest: str | None = None) -> None:
    """The first part of the map's text twin (WCAG 2.2 AA): a paragraph generated from
    the figures the map draws (:func:`geo.textmap.map_summary`), escaped.

    ``digest`` (:func:`app_pages._mapframe.spec_key` of ``spec``) keeps the text per
    state and language for every session of the process; without it (today's path,
    ``ATLAS_VIEW_CACHE=0``) it is written on every run."""
    from geo import cache
    from geo.textmap import map_summary

    if digest:
        words = _cached_summary(cache.database(), i18n.language(), digest, spec)
    else:
        words = html_text(map_summary(spec))
    st.html(
        # md: trusted (key is the page's own map key, a code constant; summary escaped)
        f'<p class="atlas-map-summary" id="{key}-summary">{words}</p>'  # md: trusted
    )


def twin_table(spec: MapSpec, key: str, digest: str | None = None) -> None:
    """The rest of the map's text twin: folded (and written only once opened), a table
    of every feature of its shown layers in a region a keyboard reaches, and that table
    as a CSV (:func:`geo.textmap.twin_html`, :func:`geo.textmap.map_table`). Values are escaped:
    no data value is read as HTML or Markdown. Like the sections below the map, it
    waits for the map's first draw. ``digest`` as for :func:`twin_summary`."""
    from geo import cache
    from geo.exports import csv_data, export_name
    from geo.textmap import map_table, twin_html

    # 20 KB of HTML and, for a new state, 5-10 ms of server CPU most views never look at
    box = folded(_("Map as a table"), ":material/table_rows:", f"{key}_twin_open")
    if box is None:
        return
    with box:
        if digest:
            table_html = _cached_table(cache.database(), i18n.language(), digest, key, spec)
        else:
            table_html = twin_html(spec, key)
        st.html(table_html)  # md: trusted (geo.textmap escapes every value)
        st.download_button(
            _("Map table (CSV)"),
            bound(lambda: csv_data(map_table(spec))),
            export_name(f"{key} table", "csv"),
            "text/csv",
            key=f"{key}_twin_csv",
            icon=":material/table:",
            on_click="ignore",
        )


# --- exports --------------------------------------------------------------------

# The data grids' toolbar "Download as CSV" writes the cells shown (no citation, no
# byte-order mark, only the rows on screen): hidden on pages whose export panel offers
# the file. Hiding is not the defence against formulas: a hidden button can be shown
# again, and copied cells carry the same text, so data_grid defuses what grids show.
GRID_EXPORT_CSS = (
    "<style>[data-testid='stElementToolbarButton']:has(button[aria-label^='Download as'])"
    "{display:none}</style>"
)


class ExportFile(NamedTuple):
    """One file of :func:`export_panel`: its button and what makes its bytes."""

    key: str  # the button's key after the page's: ``<page>_<key>``
    label: str
    icon: str  # a Material icon's name
    ext: str  # the file name's extension
    mime: str
    data: Callable[[], bytes | str]  # makes the file when its button is clicked, not before
    help: str
    what: str = ""  # words added to the file's name ("slides")


def animation_files(spec: MapSpec, exp) -> tuple[ExportFile, ...]:
    """GIF and MP4, square and 16:9, of a map that plays over time (:mod:`geo.animation`):
    every frame with the title, the period, the running total, the credit and caveat."""
    from geo.animation import MIME, playback_of, render_animation

    step = playback_of(spec).step

    def make(fmt: str, size: str):
        return lambda: render_animation(
            spec,
            fmt=fmt,
            size=size,
            title=exp.title,
            subtitle=exp.subtitle,
            caveat=exp.caveat,
            headline=exp.headline,
            places=exp.load_places(),
        )

    sizes = {"square": (_("square"), "1080 × 1080"), "wide": (_("16:9"), "1920 × 1080")}
    kinds = {
        "gif": ("gif_box", _("Animated GIF, {px} px, looping: one frame per {step}")),
        "mp4": ("movie", _("Video (MP4, H.264), {px} px: one picture per {step}")),
    }
    return tuple(
        ExportFile(
            key=f"{fmt}_{size}",
            label=f"{fmt.upper()}, {shape}",
            icon=icon,
            ext=fmt,
            mime=MIME[fmt],
            data=make(fmt, size),
            help=text.format(px=px, step=step),
            what=shape,
        )
        for fmt, (icon, text) in kinds.items()
        for size, (shape, px) in sizes.items()
    )


def view_link(key: str) -> str:
    """This view's link as the page wrote it to the address bar (its filters, and its
    layers and open section when they are not the defaults), under ``ATLAS_PUBLIC_URL``
    when it is set: what reopens the view."""
    from urllib.parse import urlencode

    from geo.pages import app_link
    from geo.settings import public_url

    link = app_link(key, urlencode(st.query_params.to_dict()))
    return (public_url() or "") + link


def export_panel(key: str, view, map_drawn: bool) -> None:
    """PNG (print, slides), HTML, Excel, CSV and GeoJSON of the current view; GIF and MP4
    too when its map plays over time (:func:`animation_files`).

    Files are made only when a button is clicked; their names carry the view's main
    filters and the date. The Excel file's "About" sheet and the GeoJSON metadata carry
    citation, licence, filters, caveat and date; the CSV is plain (no comment lines) so
    spreadsheets and ``pandas.read_csv`` open it as is. On a page with this panel the
    data grids' own "Download as CSV" is hidden: it would bypass what these files
    guarantee (citation, the rows of the view; formulas are defused in both).

    Like the sections below the map, the panel waits until the map has drawn
    (``map_drawn``, from :func:`show_map`): its buttons cost the browser's main thread
    about 0.3 s that the map needs first. Folded, it holds nothing: it is written when
    opened.
    """
    if not map_drawn:
        return
    from app_pages._draft import add_to_briefing_button

    add_to_briefing_button(key)
    st.html(GRID_EXPORT_CSS)
    # a view that exports nothing pays none of its buttons: 5 ms of server CPU
    box = folded(_("Export this view"), ":material/download:", f"{key}_export_open")
    if box is None:
        return
    from geo import cache
    from geo.animation import playback_of
    from geo.exports import (
        csv_data,
        export_name,
        geojson_with_citation,
        standalone_html,
        xlsx_data,
    )
    from geo.registry import export_of
    from geo.snapshot import render_png

    exp = export_of(key, view, cache.query)

    def name(ext: str, what: str = "") -> str:
        return export_name(f"{exp.file_stem} {what}", ext, tags=exp.file_tags)

    # read in this run: the file is made later, on the click, outside it
    link = view_link(key)

    def xlsx() -> bytes:
        data = exp.load_data()
        return xlsx_data(data, exp.about(len(data), link=link))

    with box:
        st.caption(
            md_plain(
                _(
                    "{subtitle}. Source: {citation}. Licence: {licence}. The Excel file's "
                    "About sheet and the GeoJSON metadata carry them with the filters and "
                    "today's date; the CSV holds the rows only."
                ).format(subtitle=exp.subtitle, citation=exp.citation, licence=exp.licence)
                + (f" {exp.caveat}" if exp.caveat else "")
            )
        )
        cols = [*st.columns(3), *st.columns(3)]  # map files, then data files: no label cut
        rows = md_plain(exp.data_name)  # the help of the data files names them

        def png(preset: str):
            return lambda: render_png(
                view.spec,
                title=exp.title,
                subtitle=exp.subtitle,
                caveat=exp.caveat,
                preset=preset,
                headline=exp.headline,  # the figure the screen's headline shows
                places=exp.load_places(),
            )

        def html() -> str:
            return standalone_html(
                view.spec,
                exp.title,
                exp.subtitle,
                citation=exp.citation,
                licence=exp.licence,
                caveat=exp.caveat,
            )

        def geojson() -> str:
            return geojson_with_citation(
                exp.load_data(), exp.citation, exp.licence, exp.subtitle, caveat=exp.caveat
            )

        files = (
            ExportFile(
                key="png_print",
                label=_("PNG for print"),
                icon="print",
                ext="png",
                mime="image/png",
                data=png("print"),
                help=_("A4 landscape, 300 dpi"),
            ),
            ExportFile(
                key="png_slides",
                label=_("PNG for slides"),
                icon="slideshow",
                ext="png",
                mime="image/png",
                data=png("slides"),
                help=_("16:9, 1920 × 1080 px"),
                what=_("slides"),
            ),
            ExportFile(
                key="html",
                label=_("HTML map"),
                icon="public",
                ext="html",
                mime="text/html",
                data=html,
                help=_("One file; opens with no internet"),
            ),
            ExportFile(
                key="xlsx",
                label="Excel",
                icon="grid_on",
                ext="xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                data=xlsx,
                help=_(
                    "The {rows} shown (sheet Data) with citation, licence, filters and date "
                    "(sheet About)"
                ).format(rows=rows),
            ),
            ExportFile(
                key="csv",
                label="CSV",
                icon="table",
                ext="csv",
                mime="text/csv",
                data=lambda: csv_data(exp.load_data()),
                help=_(
                    "The {rows} shown, header on row 1, UTF-8; cite as in the Excel file's "
                    "About sheet"
                ).format(rows=rows),
            ),
            ExportFile(
                key="geojson",
                label="GeoJSON",
                icon="map",
                ext="geojson",
                mime="application/geo+json",
                data=geojson,
                help=_("The {rows} shown as points, citation in its metadata").format(rows=rows),
            ),
        )
        if playback_of(view.spec) is not None:  # a map that plays over time: its animation too
            files += animation_files(view.spec, exp)
            cols += st.columns(4)
        for col, file in zip(cols, files, strict=True):
            col.download_button(
                file.label,  # md: trusted (the table above: its words, the data name escaped)
                # Made when clicked, maybe in another thread: in this session's language.
                bound(file.data),
                name(file.ext, file.what),
                file.mime,
                key=f"{key}_{file.key}",
                help=file.help,  # md: trusted (as the label)
                icon=f":material/{file.icon}:",
                on_click="ignore",
            )
