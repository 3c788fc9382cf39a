"""The interactive map: renders a map description (:class:`geo.mapspec.MapSpec`) to
folium, with an offline basemap, compact circle, line, polygon and choropleth layers, the
legends, the source credit and the layer control (:func:`render`). The page on screen and
the HTML export are this rendering; the PNG (:mod:`geo.snapshot`) is drawn from the same
description, never from this output.

All text from datasets is HTML-escaped before it reaches Leaflet, because Leaflet's
tooltips and popups render strings as HTML.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from collections.abc import Sequence

import folium
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode

from geo import branca_text, playmap
from geo import mapspec as ms
from geo.assets import LEAFLET_URL
from geo.basemap import Basemap, make_basemap, simplified_countries  # noqa: F401 (re-exported)
from geo.i18n import DEFAULT, _, babel_locale, language
from geo.mapaccess import add_map_access
from geo.mapspec import (  # noqa: F401 (re-exported)
    BORDER,
    LAND,
    OCEAN,
    WORLD_BOUNDS,
    Circle,
    class_index,
    radius_for,
)

branca_text.install()  # a map renders in half the time (see geo/branca_text.py)

WORLD_VIEW = {"location": [20.0, 10.0], "zoom_start": 2}
# Colour ramps of 6 classes, picked from ColorBrewer's 9-class YlOrRd (death counts)
# and Blues (sites, refugees hosted) so that neighbouring classes stay apart under
# deuteranopia, protanopia and tritanopia too (CAM02-UCS ΔE 10 and more:
# tests/test_colours.py); the 6-class schemes fall to 6-7 there.
REDS = ("#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#bd0026", "#800026")
BLUES = ("#deebf7", "#9ecae1", "#6baed6", "#2171b5", "#08519c", "#08306b")
# A map narrower than this (a phone) opens with its legends and layer control folded.
NARROW_MAP_PX = 600


def escape(value: object) -> str:
    """HTML-escape any value for a tooltip, popup, legend or table cell."""
    return html.escape("" if value is None else str(value), quote=True)


_HTTP_URL = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)


def http_url(url: object) -> str | None:
    """The URL, stripped, when it is a plain http(s) address; else ``None``.

    Used for every link shown (popups, LinkColumns): ``javascript:``, ``data:`` and
    addresses with quotes or spaces never become links.
    """
    if url is None or (isinstance(url, float) and math.isnan(url)):
        return None
    s = str(url).strip()
    return s if _HTTP_URL.match(s) else None


def safe_link(url: object, label: str | None = None) -> str:
    """An escaped ``<a>`` for http(s) URLs only; anything else (``javascript:``...) gives ''.
    ``label`` defaults to "source" in this run's language."""
    s = http_url(url)
    if s is None:
        return ""
    if label is None:
        label = _("source")
    return f'<a href="{escape(s)}" target="_blank" rel="noopener noreferrer">{escape(label)}</a>'


def make_offline(m: folium.Map) -> folium.Map:
    """Point the map's scripts at the Leaflet files the app serves itself.

    Folium's defaults load Leaflet, jQuery, Bootstrap and Font Awesome from public CDNs;
    none of our layers needs more than Leaflet, and a venue without internet gets a
    blank map otherwise.
    """
    m.default_js = [("leaflet", f"{LEAFLET_URL}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{LEAFLET_URL}/leaflet.css")]
    return m


def _css_text(text: str) -> str:
    """Text as the inside of a CSS string in single quotes (in a <style> element)."""
    return "".join(ch if ch.isalnum() or ch in " .,-()" else f"\\{ord(ch):x} " for ch in text)


def number_format() -> str:
    """The browser's number format for this run's language: a tooltip value written by
    ``toLocaleString('en-US')`` with its group and decimal marks swapped for the
    language's (Babel's, as :func:`geo.i18n.fmt_int` writes them: 76,272 / 76 272 /
    76.272), as a JavaScript function."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    loc = babel_locale()
    marks = json.dumps([get_group_symbol(loc), get_decimal_symbol(loc)], ensure_ascii=False)
    # One formatter made once: ``toLocaleString`` makes a new one on every call (40 us
    # in Chromium), which was a third of a Deadly routes map's build (issue 19). Its
    # default options are ``toLocaleString``'s (up to 3 decimals).
    return (
        "(function(m,f){return function(v){var p=f.format(v).split('.');"
        "return p[0].replace(/,/g,m[0])+(p.length>1?m[1]+p[1]:'')}})("
        + marks
        + ",new Intl.NumberFormat('en-US'))"
    )


def base_map(
    countries: dict,
    *,
    location: Sequence[float] | None = None,
    zoom_start: int | None = None,
    bounds: Sequence[Sequence[float]] | None = None,
    height: str = "100%",
) -> folium.Map:
    """A map with the Natural Earth countries as its basemap, ready to draw offline.

    Parameters
    ----------
    countries : dict or Basemap
        GeoJSON FeatureCollection from :func:`simplified_countries`, or a
        :class:`Basemap`, which gives finer coastlines when ``bounds`` is small.
    location, zoom_start : initial view (default: the world).
    bounds : [[south, west], [north, east]], optional
        Fit the view to these bounds instead.
    """
    m = folium.Map(
        location=list(location or WORLD_VIEW["location"]),
        zoom_start=zoom_start if zoom_start is not None else WORLD_VIEW["zoom_start"],
        tiles=None,
        min_zoom=1,
        max_zoom=12,
        world_copy_jump=True,
        control_scale=True,
        prefer_canvas=True,
        height=height,
    )
    make_offline(m)
    m.get_root().header.add_child(
        branca_text.held_text(
            f"<style>.leaflet-container{{background:{OCEAN};font-family:'DejaVu Sans',Arial,sans-serif}}"
            ".atlas-legend{background:rgba(255,255,255,.93);padding:8px 10px;border-radius:4px;"
            "box-shadow:0 1px 4px rgba(0,0,0,.3);font-size:12px;line-height:1.35;max-width:240px}"
            ".atlas-legend b{display:block;margin-bottom:4px}"
            ".atlas-legend i{display:inline-block;vertical-align:middle;margin-right:6px;border:1px solid #555}"
            # the fold button: its label is CSS, so the legend's text is the legend alone
            ".atlas-legend{position:relative}.atlas-legend-body>b:first-child{padding-right:16px}"
            ".atlas-legend-toggle{position:absolute;top:3px;right:3px;border:0;background:none;"
            "cursor:pointer;color:#555;font:bold 15px/1 Arial,sans-serif;padding:2px 4px}"
            ".atlas-legend-toggle::after{content:'\\2212'}"
            ".atlas-legend.atlas-legend-closed{padding:0}"
            ".atlas-legend-closed .atlas-legend-body{display:none}"
            ".atlas-legend-closed .atlas-legend-toggle{position:static;padding:7px 10px;"
            "color:#222;font:bold 12px/1 'DejaVu Sans',Arial,sans-serif}"
            # brief: the symbols without the notes, when the whole legend would cover
            # the layer list; a button under the symbols shows the notes again
            ".atlas-legend-note{margin-top:4px;color:#555;font-style:italic}"
            ".atlas-legend-more{display:none;margin-top:4px;border:0;background:none;padding:0;"
            "min-height:24px;cursor:pointer;color:#1a5fb4;text-decoration:underline;"
            "font:italic 12px/1.35 'DejaVu Sans',Arial,sans-serif}"
            ".atlas-legend-brief .atlas-legend-note{display:none}"
            ".atlas-legend-brief .atlas-legend-more{display:block}"
            ".atlas-legend-closed .atlas-legend-toggle::after{content:'"
            + _css_text(_("Legend"))
            + " \\25B4'}"
            ".leaflet-control-attribution{font-size:11px}"
            # Leaflet sizes the scale's box to the distance, not to its label: in DejaVu
            # Sans "1000 km" ran past the tick. Arial's metrics and less padding fit it.
            ".leaflet-control-scale-line{font-family:Arial,'Liberation Sans',Helvetica,"
            "sans-serif;padding:2px 3px 1px}"
            ".leaflet-control-layers{font-size:12px;line-height:1.3}"
            ".leaflet-control-layers label{margin:1px 0}</style>"
        )
    )
    data, text = (
        countries.geojson_for(bounds) if isinstance(countries, Basemap) else (countries, None)
    )
    GeoJsonLayer(
        _(ms.BASEMAP_NAME),
        data,
        dict(ms.BASEMAP_STYLE),
        overlay=False,
        interactive=False,
        data_json=text,
    ).add_to(m)
    if bounds:
        m.fit_bounds([list(bounds[0]), list(bounds[1])])
    return m


def nice_breaks(values: Sequence[float], classes: int = 6) -> list[float]:
    """Upper class limits (``classes - 1`` of them) rounded to 1-2-5 steps, by quantiles."""
    vals = sorted(v for v in values if v is not None and v > 0)
    if not vals:
        return [1.0]
    out: list[float] = []
    for k in range(1, classes):
        q = vals[min(len(vals) - 1, int(len(vals) * k / classes))]
        mag = 10 ** math.floor(math.log10(q)) if q > 0 else 1
        nice = min((s * mag for s in (1, 2, 5, 10) if s * mag >= q), default=q)
        if not out or nice > out[-1]:
            out.append(float(nice))
    return out


class Described:
    """A folium layer drawn from a described layer (:func:`render_layer`): whether it is
    shown is the description's. Switching it (the layer picker, a link's ``layers``)
    switches the description, so the PNG and the PDF, drawn from the description, show
    the layers the screen and the HTML export show."""

    _described: ms.Layer | None = None
    _own_show: bool = True

    @property
    def show(self) -> bool:
        return self._described.show if self._described is not None else self._own_show

    @show.setter
    def show(self, value: bool) -> None:
        if self._described is not None:
            self._described.show = bool(value)
        else:
            self._own_show = value


class Group(Described, folium.FeatureGroup):
    """A feature group drawn from a described layer (lines, rings)."""


class PlaybackGroup(Described, playmap.PlaybackGroup):
    """Time playback drawn from a described layer (:class:`geo.mapspec.PlaybackLayer`)."""


# A square, diamond or triangle point mark (core Leaflet: a CircleMarker drawing another
# path), of the area of the circle of its radius; hit-testing stays the circle's.
MARK_JS = r"""
if (!L.AtlasMark) {
    L.AtlasMark = L.CircleMarker.extend({
        _updatePath: function() {
            var rd = this._renderer, p = this._point, r = this._radius, s = this.options.shape;
            var h = r * 0.8862, d = r * 1.2533;  // half the side, half the diagonal
            var pts = s === 'square' ? [[-h, -h], [h, -h], [h, h], [-h, h]]
                : s === 'diamond' ? [[0, -d], [d, 0], [0, d], [-d, 0]]
                : [[0, -1.5551 * r], [1.3468 * r, 0.7776 * r], [-1.3468 * r, 0.7776 * r]];
            if (rd._ctx) {
                if (!rd._drawing || this._empty()) { return; }
                var ctx = rd._ctx;
                ctx.beginPath();
                for (var k = 0; k < pts.length; k++) { ctx[k ? 'lineTo' : 'moveTo'](p.x + pts[k][0], p.y + pts[k][1]); }
                ctx.closePath();
                rd._fillStroke(ctx, this);
            } else {
                rd._setPath(this, 'M' + pts.map(function(q) { return (p.x + q[0]) + ',' + (p.y + q[1]); }).join('L') + 'z');
            }
        }
    });
}
"""


class CircleLayer(Described, folium.map.FeatureGroup):
    """Many circle markers from one compact JS array (no per-marker folium objects).

    A folium ``CircleMarker`` per point costs ~600 bytes of script; this layer costs
    ~40 bytes per point plus its texts, which keeps the map payload within budget.
    Tooltip and popup texts must be already-escaped HTML (see :func:`escape`).
    """

    _template = Template(
        r"""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup({{ this.options|tojavascript }});
        (function() {
            var colors = {{ this.colors_json }};
            var rows = {{ this.rows_json }};
            var style = {{ this.style_json }};
            var fmt = {{ this.format_json }};
            var num = {{ this.number_js }};
            var shapes = {{ this.shapes_json }};
            {% if this.shapes %}{{ this.mark_js }}{% endif %}
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                var o = Object.assign({}, style, {radius: r[2], fillColor: colors[r[3]], color: style.color || colors[r[3]]});
                var shape = shapes[r[3]];
                var c = shape && shape !== 'circle' ? new L.AtlasMark([r[0], r[1]], Object.assign(o, {shape: shape})) : L.circleMarker([r[0], r[1]], o);
                var tip = r[4];
                if (fmt && r[6]) {
                    tip = fmt.replace(/\{(\d+)\}/g, function(m, k) { var v = r[6][k]; return typeof v === 'number' ? num(v) : v; });
                }
                if (tip) { c.bindTooltip(tip, {sticky: true}); }
                if (r[5]) { c.bindPopup(r[5], {maxWidth: 320}); }
                c.addTo({{ this.get_name() }});
            }
        })();
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        name: str,
        circles: Sequence[Circle],
        colors: Sequence[str],
        *,
        show: bool = True,
        stroke: str | None = "#ffffff",
        fill_opacity: float = 0.8,
        weight: float = 0.7,
        tooltip_format: str = "",
        shapes: Sequence[str] = (),
    ):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self.tooltip_format = tooltip_format
        self.shapes = list(shapes)  # per class (geo.mapspec.SHAPES); none: circles
        self.shapes_json = json.dumps(self.shapes)
        self.mark_js = MARK_JS
        self.format_json = json.dumps(tooltip_format).replace("</", "<\\/")
        self.number_js = number_format()  # the session's language, when it is made
        self._name = "CircleLayer"
        self.circles = list(circles)
        self.colors = list(colors)
        self.colors_json = json.dumps(self.colors)
        self.rows_json = json.dumps(
            [
                [round(c.lat, 3), round(c.lon, 3), round(c.radius, 1), c.klass, c.tooltip, c.popup]
                + ([list(c.values)] if c.values else [])
                for c in self.circles
            ],
            separators=(",", ":"),
            ensure_ascii=False,
        ).replace("</", "<\\/")  # a data string can never close the script element
        self.style_json = json.dumps(
            {"weight": weight, "fillOpacity": fill_opacity, "opacity": 0.9, "color": stroke}
        )


def add_line(
    target: folium.map.FeatureGroup,
    coords: Sequence[Sequence[float]],
    *,
    weight: float,
    color: str,
    tooltip: str,
    dash: str | None = None,
) -> folium.PolyLine:
    """Add a polyline (``[[lat, lon], ...]``) with an escaped tooltip to a group."""
    line = folium.PolyLine(
        [[round(a, 3), round(b, 3)] for a, b in coords],
        weight=weight,
        color=color,
        opacity=0.75,
        dash_array=dash,
        tooltip=folium.Tooltip(tooltip, sticky=True),
    )
    line.add_to(target)
    return line


class GeoJsonLayer(Described, folium.map.FeatureGroup):
    """A GeoJSON layer embedded as compact JSON (folium's own adds ~30% whitespace).

    Parameters
    ----------
    name : str
        Name in the layer control.
    data : dict
        FeatureCollection. A feature's ``fill`` property, when present, sets its fill
        colour (choropleths); its ``tip`` property, already-escaped HTML, its tooltip.
    style : dict
        Leaflet path options shared by all features.
    overlay : bool
        False makes it a base layer (the Natural Earth basemap).
    interactive : bool
        False lets clicks pass through (basemap).
    data_json : str, optional
        ``data`` as :func:`_js` writes it, when the caller has it already.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {#- The map frame draws a filter change as a new map in the same page
            (app_pages/_mapframe.py): a basemap's layer, which the old map's removal took
            off every map, goes on the new map as built when its shapes and style are the
            same (its 250 shapes were a third of the new map's build). A layer still on a
            map is never taken. Written for the frame's script only (keep_for_next_map);
            Jinja comments, so the page's bytes carry only the code. #}
        var {{ this.get_name() }} = {% if this.keep_key -%}
        (function(){var k=window.__atlasKeptBase;if(k&&k.key=={{ this.keep_key|tojson }}&&!k.layer._map){return k.layer}k={key:{{ this.keep_key|tojson }},layer:{% endif %}L.geoJSON({{ this.data_json }}, {
        interactive: {{ 'true' if this.interactive else 'false' }},
        style: function(f) { var s = Object.assign({}, {{ this.style_json }}); if (f.properties && f.properties.fill) { s.fillColor = f.properties.fill; } return s; },
        onEachFeature: function(f, layer) { if (f.properties && f.properties.tip) { layer.bindTooltip(f.properties.tip, {sticky: true}); } }
        }){% if this.keep_key %}};window.__atlasKeptBase=k;return k.layer})(){% endif %};
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        name: str,
        data: dict,
        style: dict,
        *,
        overlay: bool = True,
        show: bool = True,
        interactive: bool = True,
        data_json: str | None = None,
    ):
        super().__init__(name=name, overlay=overlay, control=True, show=show)
        self._name = "GeoJsonLayer"
        self.data = data
        self.interactive = interactive
        # (the basemap passes its world's text, written once)
        self.data_json = _js(data) if data_json is None else data_json
        self.style_json = json.dumps(style)
        self.keep_key = ""  # set by keep_for_next_map

    def keep_for_next_map(self) -> None:
        """Let the page keep this basemap layer for its next map of the same shapes and
        style (see the template): the map frame's script only
        (:func:`app_pages._mapframe.build_payload`); a page of one map (an export) never
        draws a next one."""
        if self.overlay or self.interactive:
            return  # a basemap only: no tooltips, no clicks
        text = f"{self.data_json}|{self.style_json}"
        self.keep_key = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def unindented(template: str) -> str:
    """A template's text without the indentation of its lines: the script reaches the
    browser in every map and every export, and its indentation was a kilobyte of it.
    (Its macros end with ``{%- endmacro %}``: a script ending in a newline would lose
    it when branca renders it as a template again, and differ from geo.branca_text's.)"""
    return "\n".join(line.strip() for line in template.splitlines())


class Legend(MacroElement):
    """A legend drawn inside the map (bottom right by default), so exports carry it too.

    A button folds it to a small "Legend" button and opens it again; on a map narrower
    than ``NARROW_MAP_PX`` (a phone) it starts folded, so it does not cover the map.

    Parameters
    ----------
    title : str
        Legend title (plain text; escaped here).
    items : list of LegendItem or of (swatch_css, label)
        Typed items (:class:`geo.mapspec.LegendItem`) get their swatch CSS from
        :func:`swatch_css`; a pair gives it as is, such as
        ``"background:#f03b20;width:12px;height:12px;border-radius:50%"``.
    note : str
        A caveat line under the items (plain text).
    """

    _template = Template(
        unindented(
            """
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: {{ this.position_json }}});
            legend.onAdd = function(map) {
                var div = L.DomUtil.create('div', 'atlas-legend');
                var button = L.DomUtil.create('button', 'atlas-legend-toggle', div);
                var body = L.DomUtil.create('div', 'atlas-legend-body', div);
                body.innerHTML = {{ this.html_json }};
                button.type = 'button';
                var show = function(open) {
                    if (open) { div.classList.remove('atlas-legend-brief'); }
                    div.classList.toggle('atlas-legend-closed', !open);
                    button.setAttribute('aria-expanded', open ? 'true' : 'false');
                    button.title = open ? {{ this.hide_json }} : {{ this.show_json }};
                    button.setAttribute('aria-label', button.title);
                    map.fire('atlaslegend');
                };
                {# folded on a phone, and beside a play control in its corner (the two would cover
                   the map's left side) #}
                var crowded = {{ this.position_json }} === 'bottomleft'
                    && map.getContainer().querySelector('.atlas-play');
                show(map.getSize().x >= {{ this.narrow_px }} && !crowded);
                var userSet = false;
                L.DomEvent.on(button, 'click', function(e) {
                    L.DomEvent.preventDefault(e);
                    userSet = true;
                    show(div.classList.contains('atlas-legend-closed'));
                    {# Folded, the legend no longer lies under the pointer: a quick second tap would
                       reach the map as a double click and zoom it. #}
                    var dbl = map.doubleClickZoom;
                    if (dbl && dbl.enabled()) {
                        dbl.disable();
                        setTimeout(function() { dbl.enable(); }, 600);
                    }
                });
                var more = body.querySelector('.atlas-legend-more');
                if (more) {
                    L.DomEvent.on(more, 'click', function(e) {
                        L.DomEvent.preventDefault(e);
                        userSet = true;
                        div.classList.remove('atlas-legend-brief');
                        map.fire('atlaslegend');
                    });
                }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                {# A tall legend below an open layer control, in a map too short for both, would
                   cover the layers' names: it leaves out its notes there (a button shows them), and
                   folds if its symbols alone still cover the names, until the user opens it (the
                   control is added after it, and the frame takes its height later). #}
                var covers = function(lc) {
                    var a = div.getBoundingClientRect(), b = lc.getBoundingClientRect();
                    return a.top < b.bottom && b.top < a.bottom && a.left < b.right && b.left < a.right;
                };
                var fit = function() {
                    var lc = map.getContainer().querySelector('.leaflet-control-layers-expanded');
                    if (userSet || !lc || div.classList.contains('atlas-legend-closed')) { return; }
                    if (!covers(lc)) { return; }
                    if (more && !div.classList.contains('atlas-legend-brief')) {
                        div.classList.add('atlas-legend-brief');
                        map.fire('atlaslegend');
                        if (!covers(lc)) { return; }
                    }
                    show(false);
                };
                {# The corners take their places once Leaflet's style sheet has loaded (the frame
                   adds it with the map): look then, and whenever the map's size changes. #}
                var tries = 0;
                var settle = function() {
                    if (div.parentNode && getComputedStyle(div.parentNode).position === 'absolute') { fit(); }
                    else if (++tries < 200) { setTimeout(settle, 25); }
                };
                setTimeout(settle, 0);
                if (window.ResizeObserver) { new ResizeObserver(fit).observe(map.getContainer()); }
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {%- endmacro %}
        """
        )
    )

    def __init__(
        self,
        title: str,
        items: Sequence[tuple[str, str]],
        note: str = "",
        position: str = "bottomright",
    ):
        super().__init__()
        self._name = "Legend"
        self.narrow_px = NARROW_MAP_PX
        self.position_json = json.dumps(position)
        self.hide_json = _js(_("Hide the legend"))
        self.show_json = _js(_("Show the legend"))
        self.title = title
        self.items = [
            (swatch_css(i), i.label) if isinstance(i, ms.LegendItem) else tuple(i) for i in items
        ]
        self.note = note
        parts = [f"<b>{escape(title)}</b>"]
        for swatch, label in self.items:
            parts.append(f'<div><i style="{escape(swatch)}"></i>{escape(label)}</div>')
        if note:
            more = escape(_("Show the notes"))
            parts.append(
                f'<div class="atlas-legend-note">{escape(note)}</div>'
                f'<button type="button" class="atlas-legend-more">{more}</button>'
            )
        self.html = "".join(parts)
        self.html_json = json.dumps(self.html).replace("</", "<\\/")


class Credit(MacroElement):
    """Source credit and licence in Leaflet's attribution control (bottom right)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix(false);
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.html_json }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str):
        super().__init__()
        self._name = "Credit"
        self.text = text
        self.html_json = json.dumps(escape(text)).replace("</", "<\\/")


def swatch_css(item: ms.LegendItem) -> str:
    """The CSS of a legend item's swatch: the one place legend swatches are styled."""
    if item.kind == "line":
        style = "dashed" if item.dashed else "solid"
        return (
            f"border-top:{item.line_px:g}px {style} {item.color};width:{item.width:g}px;"
            "height:0;border-left:0;border-right:0;border-bottom:0"
        )
    css = f"background:{item.color};width:{item.width:g}px;height:{item.height:g}px"
    if item.kind == "circle":
        css += ";border-radius:50%"
    elif item.kind == "diamond":  # a square turned, a little smaller to fit its row
        css += ";transform:rotate(45deg) scale(.8)"
    elif item.kind == "triangle":
        css += ";clip-path:polygon(50% 0,100% 100%,0 100%)"
    if item.opacity is not None:
        css += f";opacity:{item.opacity:g}"
    if item.border:
        css += f";border-color:{item.border}"
    return css


class FitControls(MacroElement):
    """Keep the map's corners apart on a narrow map.

    On a phone the source credit (bottom right) wraps across the whole width and would
    cover the scale bar and a bottom-left legend: that corner is lifted above it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map) {
            var fit = function() {
                var credit = map.attributionControl && map.attributionControl.getContainer();
                var corner = map.getContainer().querySelector('.leaflet-bottom.leaflet-left');
                if (!credit || !corner) { return; }
                corner.style.bottom = '';
                var clash = credit.offsetWidth + corner.offsetWidth > map.getSize().x - 4;
                corner.style.bottom = clash ? credit.offsetHeight + 'px' : '';
            };
            map.whenReady(function() { setTimeout(fit, 0); });
            map.on('resize atlaslegend', fit);
            if (window.ResizeObserver && map.attributionControl) {  // fonts, wrapping
                new ResizeObserver(fit).observe(map.attributionControl.getContainer());
            }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "FitControls"


class ControlWords(MacroElement):
    """The zoom buttons' tooltips in the page's language (Leaflet writes them in
    English); added to French and Spanish maps only."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map) {
            var words = {{ this.words_json }};
            Object.keys(words).forEach(function(cls) {
                var b = map.getContainer().querySelector('.' + cls);
                if (b) { b.title = words[cls]; b.setAttribute('aria-label', words[cls]); }
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "ControlWords"
        self.words_json = _js(
            {"leaflet-control-zoom-in": _("Zoom in"), "leaflet-control-zoom-out": _("Zoom out")}
        )


def finish(
    m: folium.Map, *, legend: Legend | None, credit: str, collapsed: bool | None = None
) -> folium.Map:
    """Add the legend, the credit and the layer control: every map gets all three.

    Parameters
    ----------
    collapsed : bool, optional
        Whether the layer control starts folded to its button. By default it is open,
        except on a map narrower than ``NARROW_MAP_PX`` (a phone), where it would cover
        much of the map.
    """
    if legend is not None:
        legend.add_to(m)
    Credit(credit).add_to(m)
    if collapsed is None:
        # The window, not the map by name: st_folium renames the map after its render,
        # and the HTML export renders a copy under other names. A map fills its frame.
        collapsed = JsCode(f"window.innerWidth < {NARROW_MAP_PX}")
    folium.LayerControl(collapsed=collapsed, position="topright").add_to(m)
    FitControls().add_to(m)
    add_map_access(m)  # pan buttons, focus ring, 24 px targets, map text contrast
    if language() != DEFAULT:
        ControlWords().add_to(m)
    return m


def map_html(m: folium.Map) -> str:
    """The map's full HTML page, as handed to the browser (for payload measurements)."""
    return m.get_root().render()


_slug = ms.slug  # digits go: a radius or a year in a name must not change the layer's id


def set_layer_key(layer: folium.map.Layer, key: str) -> folium.map.Layer:
    """Give an overlay a stable key (its id in the ``layers`` URL parameter).

    A layer whose name changes with the view (a bin size, a mode) keeps one key, so a
    filter change never switches it off in the layer picker, the link or the exports.
    """
    layer.atlas_key = key
    return layer


def layer_key(layer: folium.map.Layer) -> str:
    """The overlay's stable key: set by :func:`set_layer_key`, else its name without
    digits as a slug (the ids links have always used)."""
    return getattr(layer, "atlas_key", None) or _slug(layer.layer_name)


def layer_names(m: folium.Map) -> list[str]:
    """Names of the map's toggleable layers, as the layer control lists them."""
    names = []
    for child in m._children.values():
        if isinstance(child, folium.map.Layer) and child.control:
            names.append(child.layer_name)
    return names


_js = ms.script_json


class IncidentLayer(CircleLayer):
    """Circles with a tooltip and a popup each, filled in the browser from two shared
    formats (values are already escaped HTML); texts shared by many circles (country,
    route, cause, "0"...) are sent once. Keeps 500 incidents with popups well within
    the payload budget.
    """

    _template = Template(
        r"""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup({{ this.options|tojavascript }});
        (function() {
            var colors = {{ this.colors_json }};
            var rows = {{ this.rows_json }};
            var style = {{ this.style_json }};
            var tipFmt = {{ this.format_json }};
            var popFmt = {{ this.popup_format_json }};
            var strs = {{ this.strings_json }};
            function fill(fmt, v) { return fmt.replace(/\{(\d+)\}/g, function(m, k) { return strs[v[k]]; }); }
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                var o = Object.assign({}, style, {radius: r[2], fillColor: colors[r[3]], color: style.color || colors[r[3]]});
                var c = L.circleMarker([r[0], r[1]], o);
                c.bindTooltip(fill(tipFmt, r[4]), {sticky: true});
                c.bindPopup(fill(popFmt, r[4]), {maxWidth: 320});
                c.addTo({{ this.get_name() }});
            }
        })();
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        name: str,
        circles: Sequence[Circle],
        colors: Sequence[str],
        *,
        tooltip_format: str = "",
        popup_format: str = "",
        **kw,
    ):
        super().__init__(name, circles, colors, tooltip_format=tooltip_format, **kw)
        self.popup_format = popup_format
        self.popup_format_json = json.dumps(popup_format).replace("</", "<\\/")
        strings: dict[str, int] = {}
        rows = [
            [
                round(c.lat, 3),
                round(c.lon, 3),
                round(c.radius, 1),
                c.klass,
                [strings.setdefault(v, len(strings)) for v in c.values],
            ]
            for c in self.circles
        ]
        self.strings_json = _js(list(strings))
        self.rows_json = _js(rows)

    @property
    def payload(self) -> int:
        """Characters of data the layer sends (rows and shared strings)."""
        return len(self.rows_json) + len(self.strings_json)


class CountryChoropleth(GeoJsonLayer):
    """A choropleth drawn on the basemap's own country shapes (joined by ISO3).

    The Natural Earth basemap is already in the page as GeoJSON (simplified and rounded
    by :func:`geo.basemap.simplified_countries`); this layer takes the features of that
    layer whose ``iso3`` has a value, so the geometry is sent once and the choropleth
    costs only its colours and tooltips (~15 KB instead of ~95 KB).

    Parameters
    ----------
    name : str
        Name in the layer control.
    basemap : GeoJsonLayer
        The map's basemap layer (its features carry ``iso3``).
    values : dict
        ISO3 → {"fill": colour, "tip": escaped HTML, "total": number}.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON(null, {
            style: function(f) {
                var s = Object.assign({}, {{ this.style_json }});
                s.fillColor = f.properties.fill;
                return s;
            },
            onEachFeature: function(f, layer) {
                if (f.properties.tip) { layer.bindTooltip(f.properties.tip, {sticky: true}); }
            }
        });
        (function() {
            var vals = {{ this.data_json }};
            {{ this.basemap.get_name() }}.eachLayer(function(l) {
                var f = l.feature, v = f && f.properties && vals[f.properties.iso3];
                if (v) {
                    {{ this.get_name() }}.addData({type: "Feature", geometry: f.geometry,
                        properties: Object.assign({iso3: f.properties.iso3}, v)});
                }
            });
        })();
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self, name: str, basemap: GeoJsonLayer, values: dict[str, dict], style: dict, **kw
    ):
        super().__init__(name, {}, style, **kw)
        self._name = "CountryChoropleth"
        # Named at render time: st_folium renames every element after its own render.
        self.basemap = basemap
        self.values = values
        self.data_json = _js(values)


# --------------------------------------------------------------------------- render


def basemap_layer(m: folium.Map) -> GeoJsonLayer:
    """The basemap's GeoJSON layer of a map made by :func:`base_map`."""
    for child in m._children.values():
        if isinstance(child, GeoJsonLayer) and not child.overlay:
            return child
    raise LookupError("map has no basemap layer")


# A layer rendered to weigh its data (:func:`weighed_layer`) is the one the next render of
# a map with it adds: building an incident layer's data twice cost a new Deadly routes
# state 3-5 ms (issue 19). Held by id with the layer itself (so no other object takes its
# id), taken once; the oldest go first.
_WEIGHED: dict[int, tuple[ms.Layer, folium.map.Layer]] = {}
_WEIGHED_MAX = 16


def weighed_layer(layer: ms.CircleLayer) -> folium.map.Layer:
    """:func:`render_layer` of a circle layer, kept for the next :func:`render` of it.

    Read its ``payload`` (characters of data) to keep a map within its budget.
    """
    out = render_layer(layer)
    while len(_WEIGHED) >= _WEIGHED_MAX:
        _WEIGHED.pop(next(iter(_WEIGHED)), None)
    _WEIGHED[id(layer)] = (layer, out)
    return out


def _rendered(layer: ms.Layer, basemap: GeoJsonLayer | None) -> folium.map.Layer:
    held = _WEIGHED.pop(id(layer), None)
    if held is not None and held[0] is layer:
        return held[1]
    return render_layer(layer, basemap)


def render_layer(layer: ms.Layer, basemap: GeoJsonLayer | None = None) -> folium.map.Layer:
    """One described layer as a folium layer (its stable key set).

    Parameters
    ----------
    layer : geo.mapspec.Layer
        A circle, line, ring, polygon or choropleth layer.
    basemap : GeoJsonLayer, optional
        The map's basemap layer; a choropleth needs it (it fills those shapes).
    """
    if isinstance(layer, ms.CircleLayer):
        style = {
            "show": layer.show,
            "stroke": layer.stroke,
            "fill_opacity": layer.fill_opacity,
            "weight": layer.weight,
            "tooltip_format": layer.tooltip_format,
        }
        if layer.popup_format:
            out = IncidentLayer(
                layer.name, layer.circles, layer.colors, popup_format=layer.popup_format, **style
            )
        else:
            out = CircleLayer(layer.name, layer.circles, layer.colors, shapes=layer.shapes, **style)
    elif isinstance(layer, ms.LineLayer):
        out = Group(name=layer.name, show=layer.show)
        for line in layer.lines:
            add_line(
                out,
                line.coords,
                weight=line.weight,
                color=line.color,
                tooltip=line.tooltip,
                dash=line.dash,
            )
    elif isinstance(layer, ms.RingLayer):
        out = Group(name=layer.name, show=layer.show)
        for ring in layer.rings:
            folium.Circle(
                [round(ring.lat, 3), round(ring.lon, 3)],
                radius=ring.radius_m,
                color=ring.color,
                weight=ring.weight,
                fill=True,
                fill_color=ring.color,
                fill_opacity=ring.fill_opacity,
                interactive=False,
            ).add_to(out)
    elif isinstance(layer, ms.ChoroplethLayer):
        if basemap is None:
            raise ValueError("a choropleth needs the map's basemap layer")
        out = CountryChoropleth(layer.name, basemap, layer.values, layer.style, show=layer.show)
    elif isinstance(layer, ms.PolygonLayer):
        out = GeoJsonLayer(layer.name, layer.data, layer.style, show=layer.show)
    elif isinstance(layer, ms.PlaybackLayer):
        out = PlaybackGroup(layer, number_format())
    else:
        raise TypeError(f"no folium rendering for {type(layer).__name__}")
    out._described = layer
    if layer.key:
        set_layer_key(out, layer.key)
    return out


def render(spec: ms.MapSpec, *, collapsed: bool | None = None) -> folium.Map:
    """The interactive map of a description: basemap, layers, legends, credit, controls.

    Parameters
    ----------
    spec : geo.mapspec.MapSpec
        What the view draws.
    collapsed : bool, optional
        Passed to :func:`finish` (the layer control folded or not).

    Returns
    -------
    folium.Map
        Nothing of the description is kept on it: the PNG, the HTML export and the
        briefing take the description from the view, not from this map.
    """
    if spec.view is not None:  # a chosen view (a slide's): opened there, not fitted
        lat, lon, z = spec.view
        countries = spec.basemap
        if hasattr(countries, "for_bounds"):
            countries = countries.for_bounds(spec.bounds)
        m = base_map(countries, location=(lat, lon), zoom_start=z)
        m.options["zoom_snap"] = 0.5  # links write half zoom levels
    elif spec.fit is None:
        m = base_map(spec.basemap, bounds=spec.bounds)
    else:  # keep what is drawn clear of the legend and layer control
        m = base_map(spec.basemap)
        m.options["zoom_snap"] = 0.5  # a closer fit than whole zoom levels give
        m.fit_bounds(
            spec.bounds,
            padding_top_left=spec.fit.top_left,
            padding_bottom_right=spec.fit.bottom_right,
            max_zoom=spec.fit.max_zoom,
        )
    base = basemap_layer(m)
    if any(isinstance(layer, ms.PlaybackLayer) for layer in spec.layers):
        playmap.add_css(m)
    for layer in spec.layers:
        _rendered(layer, base).add_to(m)
    for legend in spec.legends:
        Legend(legend.title, legend.items, legend.note, position=legend.position).add_to(m)
    finish(m, legend=None, credit=spec.credit, collapsed=collapsed)
    return m
