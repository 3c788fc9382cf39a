"""Map descriptions: what a page's map shows, as plain data.

A view builds a :class:`MapSpec` (its layers, legends, bounds and the datasets they
draw); :func:`geo.maps.render` turns it into the interactive folium map (the screen
and the HTML export) and :mod:`geo.snapshot` into a matplotlib picture (the PNG and the
briefing PDF). Neither renderer reads the other's output, so a cosmetic change to one
cannot silently break the other, and both list the same layers and legend items.

Nothing here imports folium or matplotlib. Texts in layers (tooltips, popups, the
values of a ``tooltip_format``) are already-escaped HTML (see :func:`geo.maps.escape`);
legend titles, labels and notes are plain text, escaped by the renderer.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from geo.catalog import credit_for
from geo.i18n import N_, _, fmt_int, fmt_num


def script_json(value) -> str:
    """Compact JSON for a map's script that can never close the script element (``</``
    escaped): GeoJSON, layer data, labels."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


WORLD_BOUNDS = [[-45.0, -125.0], [62.0, 150.0]]
OCEAN = "#dbe7ee"
LAND = "#f4f1ea"
BORDER = "#b9b2a5"
# The basemap's name in the layer control (translated where drawn: ``_(BASEMAP_NAME)``).
BASEMAP_NAME = N_("Countries (Natural Earth)")
BASEMAP_STYLE = {"fillColor": LAND, "color": BORDER, "weight": 0.6, "fillOpacity": 1.0}
BASEMAP_DATASET = "natural_earth"


def slug(name: str) -> str:
    """A layer name as a stable key: lower case, digits dropped (a radius or a year in a
    name must not change the layer's identity), other characters as hyphens."""
    return re.sub(r"[^a-z]+", "-", re.sub(r"\d", "", name.lower())).strip("-")


def class_index(value: float, breaks: Sequence[float]) -> int:
    """Index of the class of ``value`` given ascending upper ``breaks``."""
    for i, b in enumerate(breaks):
        if value <= b:
            return i
    return len(breaks)


def radius_for(value: float, vmax: float, *, min_px: float = 3.0, max_px: float = 28.0) -> float:
    """Circle radius in pixels with area proportional to ``value`` (``vmax`` gets ``max_px``)."""
    if value <= 0 or vmax <= 0:
        return min_px
    return max(min_px, max_px * math.sqrt(value / vmax))


# --------------------------------------------------------------------------- layers


@dataclass
class Circle:
    """One circle of a :class:`CircleLayer` (radius in screen pixels).

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


@dataclass
class LayerTable:
    """What a layer draws, as plain text and numbers: the map's text twin
    (:mod:`geo.textmap`) lists it as a table and sums it up in a paragraph.

    The view fills it from the very rows it draws, so the table is the map's query.

    Attributes
    ----------
    columns : list of str
        Column headers (translated plain text).
    rows : list of tuple
        One per drawn feature, in drawing order (a circle layer's ``circles``, a line
        layer's ``lines``...): plain ``str`` (never HTML), ``int``, ``float`` or None.
    label : int
        The column that names a feature (its place).
    measure : int or None
        The column of the figure the feature's size or colour stands for.
    sentence : str
        The summary's sentence for the layer (translated), filled by
        :func:`geo.textmap.map_summary` from the rows: ``{n}`` features, ``{total}`` of
        the measure, the largest feature's ``{top}`` label, ``{top_value}``,
        ``{top_at}`` position and ``{top_row[i]}`` (its column ``i``).
    """

    columns: list[str]
    rows: list[tuple]
    label: int = 0
    measure: int | None = None
    sentence: str = ""


@dataclass(kw_only=True)
class Layer:
    """What every overlay has.

    Attributes
    ----------
    name : str
        Its name in the layer control (may change with the filters).
    datasets : tuple of str
        Keys of :data:`geo.catalog.DATASETS` whose data it draws (its credit).
    key : str
        Stable id in the layer picker and the ``layers`` URL parameter; '' means the
        name without digits as a slug (the ids links have always used).
    show : bool
        Switched on when the map opens.
    table : LayerTable or None
        What it draws as plain text (the map's text twin); None: read from its
        tooltips (:func:`geo.textmap.layer_frame`).
    """

    name: str
    datasets: tuple[str, ...]
    key: str = ""
    show: bool = True
    table: LayerTable | None = None

    @property
    def stable_key(self) -> str:
        """The layer's id in the picker, the link and the exports."""
        return self.key or slug(self.name)


@dataclass(kw_only=True)
class CircleLayer(Layer):
    """Circles of a fixed screen size (``Circle.radius`` px), coloured by class.

    ``popup_format`` set makes the incidents kind: ``values`` fill both formats, and
    texts shared by many circles are sent once.
    """

    circles: list[Circle]
    colors: Sequence[str]
    stroke: str | None = "#ffffff"
    fill_opacity: float = 0.8
    weight: float = 0.7
    tooltip_format: str = ""
    popup_format: str = ""
    # The mark of each class, one of SHAPES (missing: a circle): a category differs
    # from another in shape as well as colour (WCAG 1.4.1). Each mark covers the area
    # of the circle of that radius, so sizes stay comparable.
    shapes: Sequence[str] = ()

    def shape_of(self, klass: int) -> str:
        """The mark of class ``klass``, one of :data:`SHAPES`."""
        return self.shapes[klass] if klass < len(self.shapes) else "circle"


# Marks of a CircleLayer class; a legend item of the same kind shows each.
SHAPES = ("circle", "square", "diamond", "triangle")


@dataclass
class Line:
    """A polyline, ``coords`` as ``[[lat, lon], ...]``."""

    coords: list
    weight: float
    color: str
    tooltip: str = ""
    dash: str | None = None
    opacity: float = 0.75


@dataclass(kw_only=True)
class LineLayer(Layer):
    """Lines (the schematic route corridors)."""

    lines: list[Line]


@dataclass
class Ring:
    """A circle of a true ground radius (metres), such as a reach around a centre."""

    lat: float
    lon: float
    radius_m: float
    color: str
    fill_opacity: float = 0.08
    weight: float = 1.0


@dataclass(kw_only=True)
class RingLayer(Layer):
    """Rings of a ground radius, drawn under the other layers' circles."""

    rings: list[Ring]


@dataclass(kw_only=True)
class PolygonLayer(Layer):
    """Polygons from a GeoJSON FeatureCollection; a feature's ``fill`` property sets its
    fill colour, its ``tip`` property (escaped HTML) its tooltip."""

    data: dict
    style: dict


@dataclass(kw_only=True)
class ChoroplethLayer(Layer):
    """Countries of the basemap filled by value, joined by ISO3.

    ``values`` maps ISO3 to ``{"fill": colour, "tip": escaped HTML, ...}``; the country
    shapes are the basemap's own, so they are sent once.
    """

    values: dict[str, dict]
    style: dict


@dataclass(kw_only=True)
class PlaybackLayer(Layer):
    """Circles that change over time: one frame per period, played in the browser.

    The frames are aggregated server-side (one query per view); the browser only
    switches circles from one frame to the next. A still picture (the PNG, the PDF, a
    GIF frame) draws one frame through :meth:`still_layers`, so every output of the
    view draws the same circles for the same period.

    Attributes
    ----------
    places : list of (lat, lon)
        Where each circle sits (a grid cell's mean position, a city).
    tips : list of str
        Escaped HTML naming each place in its tooltip ('' for none).
    frames : list of dict
        Per frame, place index → that frame's value (absent: no circle). With
        ``accumulate`` the values are the period's own and add up frame after frame
        (a running total per place); otherwise each frame holds the values shown.
    labels : list of str
        The period of each frame, plain text ("Mar 2015", "2030, projection").
    counters : list of str
        The figure shown with each frame (the running total), plain text.
    projected : list of bool
        Frames whose values are projections (marked on the map).
    breaks, colors : class limits and colours (as the still map's legend)
    vmax : float
        The value drawn at ``max_px`` (one scale for every frame).
    value_tip : str
        A place's tooltip value, ``{value}`` filled with its value divided by
        ``value_scale`` at ``value_digits`` decimals.
    start : int
        The frame shown when the map opens and in still pictures (-1: the last).
    step : str
        The period a frame stands for, plain text ("month"), for the controls.
    mark_active : bool
        Ring the places whose value changed in the frame (new deaths this period).
    """

    places: list[tuple[float, float]]
    tips: list[str]
    frames: list[dict[int, float]]
    labels: list[str]
    counters: list[str]
    projected: list[bool]
    breaks: list[float]
    colors: Sequence[str]
    vmax: float
    value_tip: str = "{value}"
    value_scale: float = 1.0
    value_digits: int = 0
    accumulate: bool = False
    start: int = -1
    step: str = ""
    mark_active: bool = False
    stroke: str = "#ffffff"
    active_stroke: str = "#000000"
    weight: float = 0.7
    fill_opacity: float = 0.8
    min_px: float = 2.5
    max_px: float = 26.0
    fps: float = 4.0
    autoplay: bool = False  # play from the start whenever the map comes into view (a slide)

    def frame_index(self, frame: int | None = None) -> int:
        """A frame number within range (``None``: :attr:`start`; negatives count from the end)."""
        n = len(self.frames)
        i = self.start if frame is None else frame
        if n == 0:
            return 0
        return max(0, min(n - 1, i + n if i < 0 else i))

    def values_at(self, frame: int | None = None) -> dict[int, float]:
        """The value of each place drawn in a frame (running totals when accumulating)."""
        if not self.frames:
            return {}
        i = self.frame_index(frame)
        if not self.accumulate:
            return dict(self.frames[i])
        out: dict[int, float] = {}
        for f in self.frames[: i + 1]:
            for k, v in f.items():
                out[k] = out.get(k, 0) + v
        return out

    def still_layers(self, frame: int | None = None) -> list[Layer]:
        """The frame as still layers: its circles, and rings around the places active
        in it (``mark_active``); what a picture of that frame draws."""
        i = self.frame_index(frame)
        values = self.values_at(i)
        drawn = [(k, values[k]) for k in sorted(values, key=lambda k: -values[k]) if values[k] > 0]
        circles = [  # largest first: small circles stay on top
            Circle(
                self.places[k][0],
                self.places[k][1],
                radius_for(v, self.vmax, min_px=self.min_px, max_px=self.max_px),
                class_index(v, self.breaks),
            )
            for k, v in drawn
        ]
        out: list[Layer] = [
            CircleLayer(
                name=self.name,
                key=self.stable_key,
                datasets=self.datasets,
                show=self.show,
                circles=circles,
                colors=self.colors,
                stroke=self.stroke,
                weight=self.weight,
                fill_opacity=self.fill_opacity,
            )
        ]
        if self.mark_active and self.frames:
            now = self.frames[i]
            active = [
                Circle(c.lat, c.lon, c.radius + 2, c.klass)
                for (k, _v), c in zip(drawn, circles, strict=True)
                if k in now
            ]
            out.append(
                CircleLayer(
                    name=self.name,
                    key=self.stable_key + "-active",
                    datasets=self.datasets,
                    show=self.show,
                    circles=active,
                    colors=[self.active_stroke] * len(self.colors),
                    stroke=self.active_stroke,
                    weight=1.6,
                    fill_opacity=0.0,
                )
            )
        return out


# --------------------------------------------------------------------------- legend


@dataclass(frozen=True)
class LegendItem:
    """One legend row: a typed swatch and its label (plain text).

    Attributes
    ----------
    kind : {"circle", "square", "diamond", "triangle", "line"}
        The swatch's shape: a point mark's (see :attr:`CircleLayer.shapes`), an area's
        (square) or a line's.
    color : str
        Fill colour (a line's colour).
    width, height : float
        Swatch size in CSS pixels (a line's length is ``width``).
    opacity : float or None
        Fill opacity of the swatch (None: opaque).
    border : str or None
        Outline colour when not the default grey.
    line_px : float
        Line width of a ``line`` swatch.
    dashed : bool
        A dashed ``line`` swatch.
    layer : str
        Stable key of the layer the item stands for: a picture leaves the item out when
        that layer is hidden ('' = always listed).
    """

    kind: str
    color: str
    label: str
    width: float = 12
    height: float = 12
    opacity: float | None = None
    border: str | None = None
    line_px: float = 3.0
    dashed: bool = False
    layer: str = ""


def dot(color: str, label: str, size: float = 12, **kw) -> LegendItem:
    """A round swatch (circles on the map)."""
    return LegendItem("circle", color, label, size, size, **kw)


def mark(shape: str, color: str, label: str, size: float = 12, **kw) -> LegendItem:
    """The swatch of a point mark of that shape (one of :data:`SHAPES`)."""
    if shape not in SHAPES:
        raise ValueError(f"no mark {shape!r}; one of {', '.join(SHAPES)}")
    return LegendItem(shape, color, label, size, size, **kw)


def box(color: str, label: str, width: float = 12, height: float = 12, **kw) -> LegendItem:
    """A rectangular swatch (areas on the map)."""
    return LegendItem("square", color, label, width, height, **kw)


def stroke(color: str, label: str, px: float = 3, width: float = 18, **kw) -> LegendItem:
    """A line swatch (lines on the map)."""
    return LegendItem("line", color, label, width, 0, line_px=px, **kw)


@dataclass
class Legend:
    """A legend inside the map: title, items and a caveat line (all plain text).

    ``layer`` is the stable key of the one layer the whole legend stands for ('' when
    it is not one layer's): a picture leaves the legend out when that layer is hidden.
    """

    title: str
    items: list[LegendItem]
    note: str = ""
    position: str = "bottomright"
    layer: str = ""


def class_legend_items(
    breaks: Sequence[float], colors: Sequence[str], unit: str
) -> list[LegendItem]:
    """Round swatches for class breaks: ``up to b0``, ``b0–b1``, …, ``more than bn``."""
    items = []
    lo = 0.0
    for i, color in enumerate(colors[: len(breaks) + 1]):
        if i < len(breaks):
            label = (
                _("{low}–{high} {unit}").format(
                    low=_fmt(lo + (1 if lo else 0)), high=_fmt(breaks[i]), unit=unit
                )
                if lo
                else _("up to {n} {unit}").format(n=_fmt(breaks[i]), unit=unit)
            )
            lo = breaks[i]
        else:
            label = _("more than {n} {unit}").format(n=_fmt(lo), unit=unit)
        items.append(dot(color, label))
    return items


def _fmt(v: float) -> str:
    """A class limit as the language writes it (1,000 / 1 000 / 1.000; 2.5 / 2,5)."""
    return fmt_int(v) if float(v).is_integer() else fmt_num(v, 1)


# --------------------------------------------------------------------------- the map


@dataclass
class Fit:
    """How the interactive map fits ``bounds``: pixels kept free at the top left and
    bottom right (legend, layer control), the largest zoom, half zoom steps."""

    top_left: tuple[int, int]
    bottom_right: tuple[int, int]
    max_zoom: int


@dataclass
class MapSpec:
    """A page's map as data: basemap, layers in drawing order, legends, view, credit.

    Attributes
    ----------
    basemap : dict or geo.basemap.Basemap
        The countries; a Basemap gives finer coastlines for a small view.
    layers : list of Layer
        Overlays, bottom first.
    legends : list of Legend
        In the order they are added (the last is the main one).
    bounds : [[south, west], [north, east]]
        The view.
    fit : Fit or None
        Fit the view with padding (the basemap stays the world's); None fits
        ``bounds`` exactly and draws the basemap for them.
    info : object, optional
        What the view needs to know about how it was drawn (e.g. routes' ``MapInfo``).
    view : (lat, lon, zoom) or None
        A chosen map view (a link's or a slide's ``lat``, ``lon``, ``z``): the
        interactive map opens there instead of fitting ``bounds`` (which then hold the
        area that view shows, for the PNG). Set by :func:`apply_view`.
    """

    basemap: dict
    layers: list[Layer]
    legends: list[Legend]
    bounds: list = field(default_factory=lambda: [list(b) for b in WORLD_BOUNDS])
    fit: Fit | None = None
    info: object = None
    view: tuple[float, float, float] | None = None

    @property
    def datasets(self) -> tuple[str, ...]:
        """Catalog keys drawn: each layer's, then the basemap's."""
        keys: list[str] = []
        for layer in self.layers:
            keys += [k for k in layer.datasets if k not in keys]
        if BASEMAP_DATASET not in keys:
            keys.append(BASEMAP_DATASET)
        return tuple(keys)

    @property
    def credit(self) -> str:
        """The source credit: every dataset the layers draw, from the catalog."""
        return credit_for(self.datasets)

    def basemap_features(self) -> list[dict]:
        """The basemap's features as the interactive map draws them."""
        countries = self.basemap
        if self.fit is None and hasattr(countries, "for_bounds"):
            countries = countries.for_bounds(self.bounds)
        return list(countries.get("features", []))

    def shown_legends(self) -> list[Legend]:
        """The legends of the layers switched on: a legend or item standing for a
        hidden layer (:attr:`Legend.layer`, :attr:`LegendItem.layer`) is left out, and
        so is a legend all of whose items are."""
        hidden = {layer.stable_key for layer in self.layers if not layer.show}
        out = []
        for legend in self.legends:
            if legend.layer in hidden:
                continue
            items = [i for i in legend.items if i.layer not in hidden]
            if legend.items and not items:
                continue
            out.append(legend if len(items) == len(legend.items) else replace(legend, items=items))
        return out

    def layer(self, key: str) -> Layer:
        """The layer with this stable key."""
        for layer in self.layers:
            if layer.stable_key == key:
                return layer
        raise KeyError(key)


# The part of a link that is no page filter: the map view, the overlays switched on,
# and the open tab below the map (``section``).
VIEW_KEYS = ("lat", "lon", "z")
LAYERS_KEY = "layers"
SECTION_KEY = "section"
LANG_KEY = "lang"  # the language of the page (geo/i18n.py), kept as the link moves on
UI_KEYS = (*VIEW_KEYS, LAYERS_KEY, SECTION_KEY, LANG_KEY)
# The map area a view shows, in screen pixels: a presenter's map at 1280 x 720.
VIEW_PIXELS = (1240, 560)


def link_view(params: Mapping[str, str]) -> tuple[float, float, float] | None:
    """The map view (lat, lon, zoom) of a link's parameters, or ``None`` when it has
    none or it is not a view (not numbers, out of range, NaN): the default view then."""
    try:
        lat, lon, z = (float(params[k]) for k in VIEW_KEYS)
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 1 <= z <= 12):  # NaN fails too
        return None
    return lat, lon, z


def view_bounds(lat: float, lon: float, z: float, pixels=VIEW_PIXELS) -> list[list[float]]:
    """The [[south, west], [north, east]] a Web Mercator map of ``pixels`` (w, h)
    centred on (lat, lon) at zoom ``z`` shows."""
    world = 256 * 2**z  # pixels around the world at this zoom

    def y_of(la: float) -> float:
        s = math.sin(math.radians(max(min(la, 85.0), -85.0)))
        return world * (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi))

    def lat_of(y: float) -> float:
        n = math.pi * (1 - 2 * y / world)
        return math.degrees(math.atan(math.sinh(n)))

    half_w = pixels[0] / 2 * 360 / world
    y = y_of(lat)
    south, north = lat_of(min(y + pixels[1] / 2, world)), lat_of(max(y - pixels[1] / 2, 0))
    return [[south, lon - half_w], [north, lon + half_w]]


def layer_choice(spec: MapSpec, raw: str | None) -> list[str]:
    """Switch the description's overlays to a link's ``layers`` value (stable keys
    joined by ``|``): those listed show, the others hide.

    When none of the keys is a layer of this map it keeps its default layers (never
    an empty map). Returns the keys not understood.
    """
    if raw is None:
        return []
    wanted = [k for k in raw.split("|") if k]
    keys = {layer.stable_key for layer in spec.layers}
    unknown = [k for k in wanted if k not in keys]
    if wanted and len(unknown) == len(wanted):
        return unknown
    for layer in spec.layers:
        layer.show = layer.stable_key in wanted
    return unknown


def apply_view(spec: MapSpec, params: Mapping[str, str]) -> list[str]:
    """Give a description a link's map view and layers (a saved slide's, say), so the
    interactive map, the PNG and the PDF show what was captured.

    Returns
    -------
    list of str
        Plain-text notes on what was not understood (an invalid view, unknown layers).
    """
    notes = []
    unknown = layer_choice(spec, params.get(LAYERS_KEY))
    if unknown:
        # the keys come from a link or a briefing file: plain text, escaped where shown
        notes.append(_("layers not on this map: {layers}").format(layers=", ".join(unknown)))
    if any(k in params for k in VIEW_KEYS):
        view = link_view(params)
        if view is None:
            notes.append(_("the map view (lat, lon, z) is not a view; the default is shown"))
        else:
            spec.view = view
            spec.bounds = view_bounds(*view)
    return notes


__all__ = [
    "UI_KEYS",
    "VIEW_KEYS",
    "apply_view",
    "layer_choice",
    "link_view",
    "view_bounds",
    "WORLD_BOUNDS",
    "Circle",
    "ChoroplethLayer",
    "CircleLayer",
    "Fit",
    "Layer",
    "LayerTable",
    "Legend",
    "LegendItem",
    "Line",
    "LineLayer",
    "MapSpec",
    "PlaybackLayer",
    "PolygonLayer",
    "Ring",
    "RingLayer",
    "box",
    "class_legend_items",
    "dot",
    "stroke",
]
