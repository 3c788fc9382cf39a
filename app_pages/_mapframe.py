"""The screen's map frame: what ``st_folium`` sends, built once per map state, and a
filter change redrawn inside the frame that is already there.

``st_folium`` renders the folium map to HTML and JavaScript on every run (0.1 to 0.2 s
of CPU on a page of the Atlas), and keys its component by a hash of that script, so a
new filter gives a new key: Streamlit drops the map's frame and loads a new one
(Leaflet and the component's code parsed again, the page's whole map redrawn). Here

* :func:`map_payload` builds the arguments ``st_folium`` would send from a map
  description, cached per process by the description's content and the language: a
  second view of the same state costs a dictionary look-up;
* :func:`draw` calls the component with them under a key that does not change with
  the filters. The script of the frame's first state runs when the frame opens (as
  ``st_folium`` runs it); a later state's script arrives in the same argument, and the
  small ``feature_group`` program (which the component evaluates whenever it changes)
  replaces the Leaflet map inside the open frame with it.

``ATLAS_VIEW_CACHE=0`` switches both off (the pages then call ``st_folium`` as before):
the benchmark measures today's cost beside the new one with it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
from typing import NamedTuple

import folium
import streamlit as st
import streamlit_folium as sf

from geo import i18n
from geo.maps import basemap_layer, render
from geo.mapspec import LayerTable, MapSpec

# What the map reports (the view), plus the field that names the state it drew.
RETURNED = ("center", "zoom", "selected_tags")
# The component builds this field only for folium's tag filter buttons, which no Atlas
# map has: it carries the drawn state's token, so a report of the map of the previous
# filters (still the component's value on the run after a change) is not taken for
# the new map's.
TOKEN_FIELD = "selected_tags"


def enabled() -> bool:
    """Whether maps are cached and redrawn in place (``ATLAS_VIEW_CACHE`` not ``0``)."""
    return os.environ.get("ATLAS_VIEW_CACHE", "1") != "0"


class MapPayload(NamedTuple):
    """What the component is sent for one map state (see :func:`map_payload`)."""

    script: str  # the Leaflet program, ending by naming its token
    header: str
    html: str
    css_links: list[str]
    js_links: list[str]
    zoom: float | None  # the map's own starting zoom (the component's default value)
    fit: str  # the fitted bounds, as show_map keeps them (repr)
    token: str  # names this state's script


def spec_key(spec: MapSpec) -> str:
    """A digest of everything the description draws.

    The basemap (the largest part, the same object for every map of a database build)
    counts by a digest of its content, computed once per object (:func:`basemap_key`);
    so do a layer's data (circles, lines, tables: :func:`_layer_text`), which every
    session's copy of a cached view shares: only what a session sets on a layer
    (``show``) is read again. Written out in full, the Overview's description took
    6-13 ms on every run of every view.
    """
    light = dataclasses.replace(spec, basemap=None, layers=[])
    text = "|".join(
        [basemap_key(spec.basemap), repr(light), *(_layer_text(layer) for layer in spec.layers)]
    )
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


# id -> (a layer's data object, the digest of its repr): held, so no other object takes
# its id while it is here. Views never change a layer's data after they build it (a
# session sets ``show``, a scalar, on its own copy of the layer).
_PARTS: dict[int, tuple[object, str]] = {}
_PARTS_LOCK = threading.Lock()
_PARTS_MAX = 1024  # the layers of the cached views (32 states, a few layers each), twice


def _part_digest(obj: object) -> str:
    with _PARTS_LOCK:
        held = _PARTS.get(id(obj))
        if held is not None and held[0] is obj:
            return held[1]
    digest = hashlib.sha1(repr(obj).encode("utf-8", "surrogatepass")).hexdigest()
    with _PARTS_LOCK:
        while len(_PARTS) >= _PARTS_MAX:
            _PARTS.pop(next(iter(_PARTS)))
        _PARTS[id(obj)] = (obj, digest)
    return digest


def _layer_text(layer) -> str:
    """A layer as its repr would write it, with each collection of more than a few items
    (and its table) written as the digest of its repr."""
    parts = []
    for f in dataclasses.fields(layer):
        v = getattr(layer, f.name)
        big = isinstance(v, LayerTable) or (isinstance(v, list | tuple | dict) and len(v) > 8)
        parts.append(f"{f.name}=#{_part_digest(v)}" if big else f"{f.name}={v!r}")
    return f"{type(layer).__name__}({', '.join(parts)})"


# id -> (the basemap, its digest): the object is held, so its id cannot be reused by
# another while it is here. A few entries: one basemap per database build.
_BASEMAPS: dict[int, tuple[object, str]] = {}


def basemap_key(basemap) -> str:
    """A digest of a basemap's content, computed once per basemap object."""
    held = _BASEMAPS.get(id(basemap))
    if held is not None and held[0] is basemap:
        return held[1]
    digest = hashlib.sha1(
        json.dumps(basemap, sort_keys=True, default=str).encode("utf-8", "surrogatepass")
    ).hexdigest()
    extra = getattr(basemap, "detail", None)  # a Basemap's finer shapes (same build)
    if extra:
        digest += f"+{len(extra)}"
    while len(_BASEMAPS) >= 8:
        _BASEMAPS.pop(next(iter(_BASEMAPS)))
    _BASEMAPS[id(basemap)] = (basemap, digest)
    return digest


# Stands for the basemap's shapes while st_folium writes the script: no underscore (its
# renaming regex reads names after one), no newline (dedent), and in no map's text.
_SHAPES = "ATLASBASEMAPSHAPES0D5F"


def build_payload(spec: MapSpec) -> MapPayload:
    """Render a description and take from it what ``st_folium`` sends.

    The same steps as ``streamlit_folium.st_folium`` 0.27 (pinned in requirements.txt),
    on a map whose fit is not animated (see :func:`app_pages._ui.show_map`), but for
    its first render of the whole HTML page (``get_root().render()``): the map's own
    render adds to the page's header all it adds, and the result is the same
    (tests/test_view_cache.py compares them) in 60 % of the time.
    """
    m = render(spec)
    for child in m._children.values():
        if isinstance(child, folium.map.FitBounds):
            child.options["animate"] = False
    fit = repr([c.bounds for c in m._children.values() if isinstance(c, folium.map.FitBounds)])
    # The basemap's shapes (95 KB, four fifths of the script) go in after st_folium's
    # passes over the text (its renaming regex and dedent: 3 ms a new state, issue 19):
    # one line of compact JSON that no pass changes.
    base = basemap_layer(m)
    base.keep_for_next_map()  # the frame draws the next state's map on this layer
    shapes, base.data_json = base.data_json, _SHAPES
    try:
        m.render()
        html = sf._get_html(m)
        header = sf._get_header(m)
        leaflet = sf._get_map_string(m)
    finally:
        base.data_json = shapes
    if leaflet.count(_SHAPES) != 1 or _SHAPES in html + header:
        raise RuntimeError("the basemap's place in the map script was not found once")
    leaflet = leaflet.replace(_SHAPES, shapes)
    css: list[str] = []
    js: list[str] = []
    for elem in _walk(m):
        css.extend(href for __, href in getattr(elem, "default_css", []))
        js.extend(src for __, src in getattr(elem, "default_js", []))
    token = hashlib.sha1(leaflet.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    tagged = json.dumps([token])
    script = (
        leaflet
        + f"\nwindow.__atlasToken = {json.dumps(token)};"
        + f"\nwindow.__GLOBAL_DATA__.{TOKEN_FIELD} = {tagged};\n"
    )
    return MapPayload(
        script=script,
        header=header,
        html=html,
        css_links=list(dict.fromkeys(css)),
        js_links=list(dict.fromkeys(js)),
        zoom=m.options.get("zoom"),
        fit=fit,
        token=token,
    )


def _walk(fig):
    # st_folium's own walk: every element that brings CSS or scripts (Atlas maps have
    # no branca colormap, whose d3 st_folium adds from a CDN).
    if isinstance(fig, folium.elements.JSCSSMixin):
        yield fig
    for child in getattr(fig, "_children", {}).values():
        yield from _walk(child)


# A payload is the map's script (up to the 300 KB budget): 64 states are about 15 MB.
@st.cache_resource(show_spinner=False, max_entries=64)
def _cached_payload(db_key: tuple, lang: str, key: str, _spec: MapSpec) -> MapPayload:
    # The description is passed unhashed (leading underscore): ``key`` is its digest.
    with i18n.using(lang):
        return build_payload(_spec)


def map_payload(spec: MapSpec, key: str | None = None) -> MapPayload:
    """The component's arguments for a description, built once per process for each
    database build, language and content (the layers switched on included).

    Every session with the same state gets the same payload; a different filter, layer
    choice or language is a different description, so a different entry. ``key`` is
    :func:`spec_key` of ``spec`` when the caller has it already.
    """
    from geo import cache

    return _cached_payload(cache.database(), i18n.language(), key or spec_key(spec), spec)


# Evaluated by the component (in its render function, where ``script`` is the arguments'
# script) whenever this text changes: when the state's token differs from the drawn one,
# the old map goes (its controls and handlers with it; its named layers are cleared from
# the window, where the frame's readers look for them), the new state's script runs as a
# script element (so its ``var`` names are global, as on a first draw; in a block, so its
# ``let`` names, which a page cannot declare twice, are the block's), and the component
# is told of the new map, which reports its view as a newly opened map does. It is told
# once the new map has been painted: its report reruns the page, and the rest of the
# page that run sends would otherwise be laid out before the map is drawn (issue 19).
_SWAP = """(function (src, token, hover) {
if (window.__atlasToken === token || typeof src !== "string") { return; }
if (window.map) { try { window.map.remove(); } catch (e) {} }
Object.keys(window).forEach(function (k) {
  if (/^[a-z][a-z_]*_div(_[0-9]+)*(_layers)?$/.test(k)) { try { window[k] = undefined; } catch (e) {} }
});
var g = window.__GLOBAL_DATA__;
g.last_zoom = null; g.last_center = null;
var el = document.createElement("script");
el.textContent = "{\\n" + src + "\\n}";
document.body.appendChild(el);
document.body.removeChild(el);  /* ran; its text need not stay in the page */
window.map = map_div;
requestAnimationFrame(function () { setTimeout(function () {
  if (window.map === map_div) { window.initComponent(map_div, hover); }
}, 0); });
})(script, %s, false);"""


def frame_key(key: str, p: MapPayload, height: int) -> str:
    """The component's key: the page's map key and what only a new frame can change
    (its header, scripts and height, the language), never the filters."""
    what = "|".join([key, p.header, p.html, *p.css_links, *p.js_links, str(height)])
    return f"{key}-{hashlib.sha1(what.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"


def draw(
    p: MapPayload,
    key: str,
    height: int,
    center: tuple[float, float] | None,
    zoom: float | None,
) -> dict | None:
    """Show a payload in the map's frame; returns the map's last report of its view.

    A report from the map of another state (the filters just changed, the frame still
    holds the old map) is answered as no report yet, as ``st_folium`` does after its
    frame is replaced.
    """
    fkey = frame_key(key, p, height)

    def _on_change() -> None:
        st.session_state[key] = st.session_state.get(fkey, {})

    out = sf._component_func(
        script=p.script,
        header=p.header,
        html=p.html,
        id="map_div",
        key=fkey,
        height=height,
        width=None,
        returned_objects=list(RETURNED),
        default={"zoom": p.zoom, TOKEN_FIELD: None},
        zoom=zoom,
        center=center,
        feature_group=_SWAP % json.dumps(p.token),
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=p.css_links,
        js_links=p.js_links,
        on_change=_on_change,
        wrap_longitude=False,
    )
    if not isinstance(out, dict) or out.get(TOKEN_FIELD) != [p.token]:
        return None
    return out
