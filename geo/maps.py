"""Folium map builders shared by every page: an offline basemap, compact circle and
line layers fed by server-side aggregates, a legend, a source credit and the layer
control. Builders return folium objects; tests inspect them and their HTML.

All text from datasets is HTML-escaped here before it reaches Leaflet, because
Leaflet's tooltips and popups render strings as HTML.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import folium
import shapely
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode
from shapely.geometry import mapping, shape

from geo.assets import LEAFLET_URL

WORLD_VIEW = {"location": [20.0, 10.0], "zoom_start": 2}
WORLD_BOUNDS = [[-45.0, -125.0], [62.0, 150.0]]
OCEAN = "#dbe7ee"
LAND = "#f4f1ea"
BORDER = "#b9b2a5"
# Colour ramp (ColorBrewer YlOrRd, 6 classes) for death counts; print-safe and
# readable for most colour-blind viewers.
REDS = ("#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026", "#800026")
BLUES = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b")
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


def safe_link(url: object, label: str = "source") -> str:
    """An escaped ``<a>`` for http(s) URLs only; anything else (``javascript:``...) gives ''."""
    s = http_url(url)
    if s is None:
        return ""
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


@lru_cache(maxsize=4)
def simplified_countries(rows: tuple[tuple[str, str, str], ...]) -> dict:
    """Countries as a light GeoJSON FeatureCollection for the basemap (~85 KB).

    Parameters
    ----------
    rows : tuple of (iso3, name, geometry GeoJSON)
    """
    features = []
    for iso3, _name, geom in rows:
        g = shape(json.loads(geom)).simplify(0.2, preserve_topology=True)
        g = shapely.set_precision(g, 0.1)
        if g.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"iso3": iso3},
                "geometry": mapping(g),
            }
        )
    return {"type": "FeatureCollection", "features": features}


class Basemap(dict):
    """The world basemap (a GeoJSON FeatureCollection, as from
    :func:`simplified_countries`) plus the 1:50m shapes for zoomed-in views.

    ``detail`` holds (iso3, shapely geometry) pairs; :meth:`for_bounds` clips them to a
    view so a country-level map gets coastlines that fit its scale without sending the
    whole 1:50m world.
    """

    DETAIL_BELOW_DEG = 50.0
    DETAIL_BUDGET_BYTES = 110_000

    def __init__(self, world: dict, detail: Sequence[tuple[str, object]] = ()):
        super().__init__(world)
        self.detail = list(detail)

    def for_bounds(self, bounds: Sequence[Sequence[float]] | None) -> dict:
        """The FeatureCollection to draw for a view: the world, or clipped 1:50m shapes."""
        if not bounds or not self.detail:
            return dict(self)
        (s, w), (n, e) = bounds
        span = max(e - w, n - s)
        if span > self.DETAIL_BELOW_DEG:
            return dict(self)
        pad = max(span, 2.0)  # wide enough for a 16:9 export of a tall view
        box = shapely.box(w - pad, s - pad, e + pad, n + pad)
        clipped = [(iso3, g.intersection(box)) for iso3, g in self.detail if g.intersects(box)]
        # About two screen pixels of tolerance; coarser until the layer fits its budget.
        tol = max(span / 600.0, 0.003)
        while True:
            features = []
            for iso3, g in clipped:
                g = shapely.set_precision(g.simplify(tol, preserve_topology=True), tol / 2)
                if g.is_empty or g.geom_type not in {"Polygon", "MultiPolygon"}:
                    continue
                features.append(
                    {"type": "Feature", "properties": {"iso3": iso3}, "geometry": mapping(g)}
                )
            size = len(json.dumps(features, separators=(",", ":")))
            if size <= self.DETAIL_BUDGET_BYTES or tol > 0.2:
                break
            tol *= 2
        return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=4)
def make_basemap(
    world_rows: tuple[tuple[str, str, str], ...], detail_rows: tuple[tuple[str, str], ...]
) -> Basemap:
    """A :class:`Basemap` from ``countries`` rows and ``countries_detail`` (iso3, geometry) rows."""
    detail = [
        (iso3, shape(json.loads(geom)).simplify(0.002, preserve_topology=True))
        for iso3, geom in detail_rows
    ]
    return Basemap(simplified_countries(world_rows), detail)


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
        folium.Element(
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
            ".atlas-legend-closed .atlas-legend-toggle::after{content:'Legend \\25B4'}"
            ".leaflet-control-attribution{font-size:11px}"
            ".leaflet-control-layers{font-size:12px;line-height:1.3}"
            ".leaflet-control-layers label{margin:1px 0}</style>"
        )
    )
    GeoJsonLayer(
        "Countries (Natural Earth)",
        countries.for_bounds(bounds) if isinstance(countries, Basemap) else countries,
        {"fillColor": LAND, "color": BORDER, "weight": 0.6, "fillOpacity": 1.0},
        overlay=False,
        interactive=False,
    ).add_to(m)
    if bounds:
        m.fit_bounds([list(bounds[0]), list(bounds[1])])
    # PNG snapshots redraw the 1:50m coastline for the picture's own extent.
    m.atlas_basemap = countries if isinstance(countries, Basemap) else None
    return m


def class_index(value: float, breaks: Sequence[float]) -> int:
    """Index of the class of ``value`` given ascending upper ``breaks``."""
    for i, b in enumerate(breaks):
        if value <= b:
            return i
    return len(breaks)


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


@dataclass
class Circle:
    """One circle of a :class:`CircleLayer`.

    ``tooltip`` and ``popup`` are ready (escaped) HTML; alternatively ``values`` fill
    the layer's ``tooltip_format`` in the browser, which keeps the payload small when
    thousands of circles share one sentence.
    """

    lat: float
    lon: float
    radius: float
    klass: int
    tooltip: str = ""
    popup: str = ""
    values: tuple = ()


class CircleLayer(folium.map.FeatureGroup):
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
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                var o = Object.assign({}, style, {radius: r[2], fillColor: colors[r[3]], color: style.color || colors[r[3]]});
                var c = L.circleMarker([r[0], r[1]], o);
                var tip = r[4];
                if (fmt && r[6]) {
                    tip = fmt.replace(/\{(\d+)\}/g, function(m, k) { var v = r[6][k]; return typeof v === 'number' ? v.toLocaleString('en-US') : v; });
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
    ):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self.tooltip_format = tooltip_format
        self.format_json = json.dumps(tooltip_format).replace("</", "<\\/")
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


class GeoJsonLayer(folium.map.FeatureGroup):
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
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data_json }}, {
            interactive: {{ 'true' if this.interactive else 'false' }},
            style: function(f) {
                var s = Object.assign({}, {{ this.style_json }});
                if (f.properties && f.properties.fill) { s.fillColor = f.properties.fill; }
                return s;
            },
            onEachFeature: function(f, layer) {
                if (f.properties && f.properties.tip) { layer.bindTooltip(f.properties.tip, {sticky: true}); }
            }
        });
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
    ):
        super().__init__(name=name, overlay=overlay, control=True, show=show)
        self._name = "GeoJsonLayer"
        self.data = data
        self.interactive = interactive
        self.data_json = json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace(
            "</", "<\\/"
        )
        self.style_json = json.dumps(style)


class Legend(MacroElement):
    """A legend drawn inside the map (bottom right by default), so exports carry it too.

    A button folds it to a small "Legend" button and opens it again; on a map narrower
    than ``NARROW_MAP_PX`` (a phone) it starts folded, so it does not cover the map.

    Parameters
    ----------
    title : str
        Legend title (plain text; escaped here).
    items : list of (swatch_css, label)
        ``swatch_css`` such as ``"background:#f03b20;width:12px;height:12px;border-radius:50%"``.
    note : str
        A caveat line under the items (plain text).
    """

    _template = Template(
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
                    div.classList.toggle('atlas-legend-closed', !open);
                    button.setAttribute('aria-expanded', open ? 'true' : 'false');
                    button.title = open ? 'Hide the legend' : 'Show the legend';
                    button.setAttribute('aria-label', button.title);
                    map.fire('atlaslegend');
                };
                show(map.getSize().x >= {{ this.narrow_px }});  // folded on a phone
                L.DomEvent.on(button, 'click', function(e) {
                    L.DomEvent.preventDefault(e);
                    show(div.classList.contains('atlas-legend-closed'));
                    // Folded, the legend no longer lies under the pointer: a quick second
                    // tap would reach the map as a double click and zoom it.
                    var dbl = map.doubleClickZoom;
                    if (dbl && dbl.enabled()) {
                        dbl.disable();
                        setTimeout(function() { dbl.enable(); }, 600);
                    }
                });
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
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
        self.title = title
        self.items = list(items)
        self.note = note
        parts = [f"<b>{escape(title)}</b>"]
        for swatch, label in self.items:
            parts.append(f'<div><i style="{escape(swatch)}"></i>{escape(label)}</div>')
        if note:
            parts.append(
                f'<div style="margin-top:4px;color:#555;font-style:italic">{escape(note)}</div>'
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


def circle_legend_items(
    breaks: Sequence[float], colors: Sequence[str], unit: str
) -> list[tuple[str, str]]:
    """Legend rows for class breaks: ``≤ b0``, ``b0–b1``, …, ``> bn``."""
    items = []
    lo = 0.0
    for i, color in enumerate(colors[: len(breaks) + 1]):
        if i < len(breaks):
            label = (
                f"{_fmt(lo + (1 if lo else 0))}–{_fmt(breaks[i])} {unit}"
                if lo
                else f"up to {_fmt(breaks[i])} {unit}"
            )
            lo = breaks[i]
        else:
            label = f"more than {_fmt(lo)} {unit}"
        items.append((f"background:{color};width:12px;height:12px;border-radius:50%", label))
    return items


def _fmt(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.1f}"


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
    return m


def radius_for(value: float, vmax: float, *, min_px: float = 3.0, max_px: float = 28.0) -> float:
    """Circle radius in pixels with area proportional to ``value`` (``vmax`` gets ``max_px``)."""
    if value <= 0 or vmax <= 0:
        return min_px
    return max(min_px, max_px * math.sqrt(value / vmax))


def map_html(m: folium.Map) -> str:
    """The map's full HTML page, as handed to the browser (for payload measurements)."""
    return m.get_root().render()


def _slug(name: str) -> str:
    # Digits go: a radius or a year in a name must not change the layer's identity.
    return re.sub(r"[^a-z]+", "-", re.sub(r"\d", "", name.lower())).strip("-")


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
