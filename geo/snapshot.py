"""Server-side PNG snapshots of a page's map, drawn with matplotlib (no browser).

The renderer draws a view's map description (:class:`geo.mapspec.MapSpec`: the
basemap, the circle, line, ring, polygon and choropleth layers that are switched on,
the legends and the credit) in Web Mercator, as :func:`geo.maps.render` draws it for
the screen; it never reads the folium map (and imports nothing from folium). Around the map it
puts a title, a subtitle stating the filters, the legend, the source credit with
licence, the date and, where incidents are shown, the MMP caveat.

``python -m geo snapshot --page routes [--param value ...] --out FILE.png`` gives the
PNG the export button gives.
"""

from __future__ import annotations

import argparse
import io
import math
import re
import sys
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import shapely
from shapely.geometry import mapping

from geo import mapspec as ms
from geo.basemap import Basemap
from geo.catalog import MMP_CAVEAT
from geo.i18n import _, fmt_date, fmt_int
from geo.mapspec import OCEAN

if TYPE_CHECKING:
    from matplotlib.path import Path as MplPath


def _import_matplotlib() -> None:
    """Import matplotlib when the first figure is drawn, binding the names below.

    Not at import: ``python -m geo`` imports this module for its options, and the
    build must not pay half a second for matplotlib nor, with an unwritable HOME, get
    its two lines about a temporary cache directory on stderr.
    """
    global plt, patheffects, LineCollection, PatchCollection, Line2D
    global Ellipse, Patch, PathPatch, Rectangle, MplPath
    import matplotlib

    matplotlib.use("Agg")  # no display, ever
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Ellipse, Patch, PathPatch, Rectangle
    from matplotlib.path import Path as MplPath


@dataclass(frozen=True)
class Preset:
    """Output size: inches and dots per inch."""

    width_in: float
    height_in: float
    dpi: int
    label: str


HEADLINE_WRAP = 85  # characters of a headline line (see _header)
PRESETS = {
    "print": Preset(3508 / 300, 2480 / 300, 300, "A4 landscape, 300 dpi"),
    "slides": Preset(12.0, 6.75, 160, "16:9, 1920 px"),
    # social media (geo.animation's GIF and MP4 frames): exact pixel sizes
    "square": Preset(7.2, 7.2, 150, "square, 1080 × 1080 px"),
    "wide": Preset(12.0, 6.75, 160, "16:9, 1920 × 1080 px"),
}
# Interactive maps are about 1,300 CSS px wide; circle radii and line widths are
# given in those pixels and scaled to the page's width in points.
SCREEN_PX = 1300.0
MAX_LAT = 85.0
# Below this span (degrees of longitude or latitude in the picture) the basemap is
# redrawn from the 1:50m countries: at 1:110m Malta and Lampedusa vanish.
DETAIL_BELOW_DEG = 40.0
KM_PER_DEG = 111.32  # one degree of longitude at the equator (WGS84, rounded)
MAX_LABELS = 5
HEADLINE_COLOR = "#8b1a1a"


def _merc_lat(y: float) -> float:
    """Latitude of a Mercator ``y`` (the inverse of :func:`_merc_y`)."""
    return math.degrees(2 * math.atan(math.exp(math.radians(y))) - math.pi / 2)


def _merc_y(lat: float) -> float:
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return lon, _merc_y(lat)


def _rings(geom: dict) -> Iterator[list[list[list[float]]]]:
    """Polygons of a GeoJSON geometry, each as a list of rings (lon, lat)."""
    if geom.get("type") == "Polygon":
        yield geom["coordinates"]
    elif geom.get("type") == "MultiPolygon":
        yield from geom["coordinates"]


def _polygon_path(rings: list) -> MplPath | None:
    verts, codes = [], []
    for ring in rings:
        pts = [_xy(x, y) for x, y, *__ in ring]
        if len(pts) < 3:
            continue
        verts += pts + [pts[0]]
        codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(pts) - 1) + [MplPath.CLOSEPOLY]
    return MplPath(verts, codes) if verts else None


@dataclass
class Drawn:
    """What a picture shows: the stable keys of the layers drawn, bottom first, and each
    legend as (title, [(swatch kind, colour, label), ...])."""

    layers: list[str]
    legends: list[tuple[str, list[tuple[str, str, str]]]]


def _draw_geojson(ax, features: list[dict], style: dict, scale: float, z: int):
    patches, faces = [], []
    for f in features:
        props = f.get("properties") or {}
        for rings in _rings(f.get("geometry") or {}):
            path = _polygon_path(rings)
            if path is not None:
                patches.append(PathPatch(path))
                faces.append(props.get("fill") or style.get("fillColor", "#cccccc"))
    if not patches:
        return None
    coll = PatchCollection(
        patches,
        facecolors=faces,
        edgecolors=style.get("color", "#555555"),
        linewidths=float(style.get("weight", 1)) * scale,
        alpha=float(style.get("fillOpacity", 1.0)),
        zorder=z,
    )
    ax.add_collection(coll)
    return coll


# matplotlib's marker for each mark shape (geo.mapspec.SHAPES), and the factor that
# gives a square or diamond the area of the circle of the same radius (as on screen)
_MARKERS = {
    "circle": ("o", 1.0),
    "square": ("s", math.pi / 4),
    "diamond": ("D", math.pi / 4),
    "triangle": ("^", math.pi / 2),
}


def _draw_circles(ax, layer: ms.CircleLayer, scale: float, z: int) -> None:
    by_shape: dict[str, list] = {}
    for c in layer.circles:
        x, y = _xy(c.lon, c.lat)
        shape = layer.shape_of(c.klass)
        size = (2 * c.radius * scale) ** 2 * _MARKERS[shape][1]
        color = layer.colors[min(c.klass, len(layer.colors) - 1)]
        by_shape.setdefault(shape, []).append((x, y, size, color))
    for shape, points in by_shape.items():  # circles first: other marks are categories
        points.sort(key=lambda p: -p[2])  # small marks on top
        ax.scatter(
            [p[0] for p in points],
            [p[1] for p in points],
            s=[p[2] for p in points],
            c=[p[3] for p in points],
            marker=_MARKERS[shape][0],
            alpha=float(layer.fill_opacity),
            edgecolors=layer.stroke or "none",
            linewidths=float(layer.weight) * scale,
            zorder=z,
        )


def _draw_line(ax, line: ms.Line, scale: float, z: int) -> None:
    # rounded as the interactive map's coordinates are
    pts = [_xy(round(lon, 3), round(lat, 3)) for lat, lon in line.coords]
    coll = LineCollection(
        [pts],
        colors=line.color,
        linewidths=float(line.weight) * scale,
        linestyles="--" if line.dash else "-",
        alpha=float(line.opacity),
        zorder=z,
    )
    ax.add_collection(coll)


def _draw_ring(ax, ring: ms.Ring, scale: float, z: int) -> None:
    lat, lon = round(ring.lat, 3), round(ring.lon, 3)
    r_m = float(ring.radius_m)
    dlat = r_m / 111_320.0
    dlon = dlat / max(0.05, math.cos(math.radians(lat)))
    x, y = _xy(lon, lat)
    h = _merc_y(lat + dlat) - _merc_y(lat - dlat)
    ax.add_patch(
        Ellipse(
            (x, y),
            2 * dlon,
            h,
            facecolor=ring.color,
            alpha=float(ring.fill_opacity),
            edgecolor=ring.color,
            linewidth=float(ring.weight) * scale,
            zorder=z,
        )
    )


def _swatch(item: ms.LegendItem):
    """A legend handle for a typed legend item (as :func:`geo.maps.swatch_css` styles it)."""
    if item.kind == "line":
        return Line2D(
            [0], [0], color=item.color, lw=item.line_px * 1.2, ls="--" if item.dashed else "-"
        )
    alpha = 1.0 if item.opacity is None else float(item.opacity)
    # a point mark's swatch (a square one as wide as high); a wider square is an area
    if item.kind in ("circle", "diamond", "triangle") or (
        item.kind == "square" and item.width == item.height
    ):
        marker = _MARKERS[item.kind][0]
        return Line2D(
            [0],
            [0],
            marker=marker,
            ls="",
            markersize=9 * item.width / 12 * (0.8 if marker == "D" else 1.0),
            markerfacecolor=item.color,
            markeredgecolor=item.border or "#555555",
            alpha=alpha,
        )
    return Patch(facecolor=item.color, edgecolor=item.border or "#555555", alpha=alpha)


def _plain(html_text: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def detail_features(basemap: Basemap, extent: tuple[float, float, float, float], px: float) -> list:
    """The 1:50m countries clipped to a picture's extent, simplified to about a pixel.

    Parameters
    ----------
    basemap : Basemap
        World shapes plus the 1:50m ``detail`` (iso3, shapely geometry) pairs.
    extent : (west, south, east, north)
        Degrees; clipped with a margin so no coast stops short of the frame.
    px : float
        Degrees of longitude per output pixel (the simplification tolerance).

    Returns
    -------
    list of dict
        GeoJSON features with an ``iso3`` property, like the basemap layer's.
    """
    w, s, e, n = extent
    pad = max(e - w, n - s) * 0.05
    box = shapely.box(w - pad, max(-89.0, s - pad), e + pad, min(89.0, n + pad))
    tol = max(px, 0.002)
    out = []
    for iso3, g in basemap.detail:
        if not g.intersects(box):
            continue
        g = g.intersection(box).simplify(tol, preserve_topology=True)
        if g.is_empty or g.geom_type not in {"Polygon", "MultiPolygon", "GeometryCollection"}:
            continue
        if g.geom_type == "GeometryCollection":
            polys = [p for p in g.geoms if p.geom_type in {"Polygon", "MultiPolygon"}]
            if not polys:
                continue
            g = shapely.union_all(polys)
        out.append({"type": "Feature", "properties": {"iso3": iso3}, "geometry": mapping(g)})
    return out


def nice_length(max_km: float) -> float:
    """The longest 1, 2 or 5 × 10^n km not over ``max_km``."""
    if max_km <= 0:
        return 0.0
    mag = 10 ** math.floor(math.log10(max_km))
    return max(f * mag for f in (1, 2, 5) if f * mag <= max_km)


def _scale_bar(ax, fs: float) -> None:
    """A scale bar at the lower left, true at the latitude of the picture's centre.

    The map is Web Mercator (as the interactive map): one unit of x is one degree of
    longitude, whose length is 111.32 km × cos(latitude); the scale is the same both
    ways at a point and grows away from the equator, so the bar names its latitude.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    lat = _merc_lat((y0 + y1) / 2)
    km_per_x = KM_PER_DEG * math.cos(math.radians(lat))
    km = nice_length(0.22 * (x1 - x0) * km_per_x)
    if km <= 0:
        return
    length = km / km_per_x
    bx, by = x0 + 0.025 * (x1 - x0), y0 + 0.035 * (y1 - y0)
    h = 0.008 * (y1 - y0)
    ax.add_patch(
        Rectangle(
            (bx - 0.012 * (x1 - x0), by - 0.018 * (y1 - y0)),
            length + 0.024 * (x1 - x0),
            0.075 * (y1 - y0),
            facecolor="white",
            alpha=0.8,
            edgecolor="none",
            zorder=50,
            gid="scalebar-box",
        )
    )
    half = length / 2
    for i, color in enumerate(("#222222", "white")):
        ax.add_patch(
            Rectangle(
                (bx + i * half, by),
                half,
                h,
                facecolor=color,
                edgecolor="#222222",
                linewidth=0.8 * fs,
                zorder=51,
                gid="scalebar",
            )
        )
    deg = f"{abs(lat):.0f}"
    label = (_("{km} km (at {deg}°N)") if lat >= 0 else _("{km} km (at {deg}°S)")).format(
        km=fmt_int(km), deg=deg
    )
    ax.text(
        bx,
        by + 2.2 * h,
        label,
        fontsize=8.5 * fs,
        color="#222222",
        va="bottom",
        ha="left",
        zorder=52,
        gid="scalebar-label",
    )


def _place_labels(ax, places, fs: float, limit: int = MAX_LABELS) -> list:
    """Name up to ``limit`` places, most important first, never overlapping.

    Each place is tried at its candidate positions (the first inside the picture) and
    at a few offsets around it; a label that would overlap another label, the scale bar
    or the frame is left out.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    taken = [p.get_window_extent(renderer) for p in ax.patches if p.get_gid() in ("scalebar-box",)]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    mx, my = 0.02 * (x1 - x0), 0.02 * (y1 - y0)
    placed = []
    halo = [patheffects.withStroke(linewidth=3 * fs, foreground="white", alpha=0.85)]
    offsets = [
        (0, 0, "center", "center"),
        (0, 5, "center", "bottom"),
        (0, -5, "center", "top"),
        (6, 0, "left", "center"),
        (-6, 0, "right", "center"),
    ]
    seen = set()
    for place in places:
        if len(placed) >= limit:
            break
        name = re.sub(r"\s*\(.*\)$", "", str(place.name)).strip()
        if not name or name in seen:
            continue
        pos = next(
            (
                _xy(lon, lat)
                for lat, lon in place.positions
                if x0 + mx <= lon <= x1 - mx and y0 + my <= _merc_y(lat) <= y1 - my
            ),
            None,
        )
        if pos is None:
            continue
        for dx, dy, ha, va in offsets:
            t = _label_at(ax, name, pos, (dx * fs, dy * fs), ha, va, fs, halo)
            box = t.get_window_extent(renderer).expanded(1.08, 1.15)
            inside = (
                box.x0 >= frame.x0
                and box.x1 <= frame.x1
                and box.y0 >= frame.y0
                and box.y1 <= frame.y1
            )
            if inside and not any(box.overlaps(b) for b in taken):
                taken.append(box)
                placed.append(t)
                seen.add(name)
                break
            t.remove()
    return placed


def _label_at(ax, name: str, pos, offset: tuple, ha: str, va: str, fs: float, halo):
    """A place's name at ``pos``, moved by ``offset`` points (bold, on a white halo)."""
    return ax.annotate(
        name,
        pos,
        xytext=offset,
        textcoords="offset points",
        ha=ha,
        va=va,
        fontsize=10 * fs,
        fontweight="bold",
        color="#1f1f1f",
        zorder=60,
        path_effects=halo,
        gid="place",
        annotation_clip=False,
    )


def render_png(
    spec: ms.MapSpec,
    *,
    title: str,
    subtitle: str,
    caveat: str | None = None,
    preset: str = "print",
    when: date | None = None,
    headline: str = "",
    places: Sequence = (),
    description: str | None = None,
) -> bytes:
    """Draw a view's map as a PNG with title, headline figure, subtitle, place
    labels, scale bar, legend, credit and date.

    Parameters
    ----------
    spec : MapSpec
        The view's map description (``view.spec``); never the interactive map, so the
        picture does not depend on how folium writes it.
    title, subtitle : str
        Plain text; the subtitle states the filters.
    caveat : str, optional
        Printed under the map (the MMP caveat where incidents are shown).
    preset : {"print", "slides"}
        A4 landscape at 300 dpi (3508 × 2480 px) or 16:9 at 1920 × 1080 px.
    when : date, optional
        Date printed in the footer (default: today).
    headline : str, optional
        The view's headline figure as a sentence (``PageExport.headline``).
    places : sequence of geo.registry.Place, optional
        Places to name, most important first (``PageExport.load_places()``); a handful
        that fit without overlapping are drawn.
    description : str, optional
        The picture's alt text, kept in the file's "Description" text chunk with its
        "Title" (default: the map's generated summary, :func:`geo.textmap.map_summary`).

    Returns
    -------
    bytes
        PNG data.
    """
    if description is None:
        from geo.textmap import map_summary

        description = map_summary(spec)
    fig = build_figure(
        spec,
        title=title,
        subtitle=subtitle,
        caveat=caveat,
        preset=preset,
        when=when,
        headline=headline,
        places=places,
    )
    try:
        buf = io.BytesIO()
        # zlib level 3: a third of the default's encoding time, files ~10% larger
        fig.savefig(
            buf,
            format="png",
            dpi=fig.dpi,
            pil_kwargs={"compress_level": 3},
            # alt text for readers of the file (an iTXt chunk when not Latin-1)
            metadata={"Title": title, "Description": description},
        )
        return buf.getvalue()
    finally:
        plt.close(fig)


def build_figure(spec: ms.MapSpec, **options):
    """The matplotlib figure :func:`render_png` saves (tests inspect its texts and legends);
    ``options`` as for :func:`render_png`.

    Texts carry a ``gid``: "title", "headline", "place" (labels, on the map axes), "scalebar-label".
    """
    return draw_figure(spec, **options)[0]


def draw_figure(
    spec: ms.MapSpec,
    *,
    title: str,
    subtitle: str,
    caveat: str | None = None,
    preset: str = "print",
    when: date | None = None,
    headline: str = "",
    places: Sequence = (),
) -> tuple:
    """The figure of :func:`build_figure` and what it shows (:class:`Drawn`): the
    layers and legend items drawn, for comparing the picture with the screen."""
    _import_matplotlib()
    if not isinstance(spec, ms.MapSpec):
        raise TypeError(f"a map description (MapSpec) is drawn, not a {type(spec).__name__}")
    p = PRESETS[preset]
    fig = plt.figure(figsize=(p.width_in, p.height_in), dpi=p.dpi)
    drawn = _render(fig, spec, p, title, subtitle, caveat, when or date.today(), headline, places)
    return fig, drawn


def _render(
    fig, spec: ms.MapSpec, p: Preset, title, subtitle, caveat, when, headline="", places=()
) -> Drawn:
    scale = p.width_in * 72 * 0.74 / SCREEN_PX  # points per interactive px (map spans 74%)
    fs = p.width_in / 11.69  # font scale relative to A4
    fig.patch.set_facecolor("white")
    top = _header(fig, p, fs, title, headline, subtitle)
    footer_text, footer_h = _footer(spec, caveat, when, fs)
    bottom = (0.25 + footer_h + 0.12) / p.height_in
    ax = _map_axes(fig, bottom, top)
    xlim, ylim, wdt = _extent(ax, spec, p)
    basemap_features = _draw_basemap(ax, spec, p, xlim, ylim, wdt, scale)
    drawn = _draw_layers(ax, spec.layers, basemap_features, scale)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal", adjustable="box")
    _scale_bar(ax, fs)

    top -= 0.01
    legends = spec.shown_legends()  # a hidden layer's legend items are not listed
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()  # the axes' final box, as drawing would set it
    # The legend column may run below the map, not off the page: smaller type if needed.
    for shrink in (1.0, 0.88, 0.76, 0.66):
        artists, low = _legends(fig, renderer, legends, caveat, top, fs * shrink)
        if low >= 0.015:
            break
        for artist in artists:
            artist.remove()
    _place_labels(ax, places, fs)
    fig.text(
        0.03,
        (0.25 + footer_h) / p.height_in,
        footer_text,
        fontsize=8.5 * fs,
        va="top",
        color="#333333",
    )
    return Drawn(
        drawn,
        [(lg.title, [(i.kind, i.color, i.label) for i in lg.items]) for lg in legends],
    )


def _header(fig, p: Preset, fs: float, title: str, headline: str, subtitle: str) -> float:
    """Title, headline figure and subtitle at the top left; returns where the map's top
    goes (a figure fraction)."""

    def frac(inches: float) -> float:  # inches from the top as a figure fraction
        return 1 - inches / p.height_in

    y = 0.3
    if title:
        fig.text(
            0.03,
            frac(y),
            title,
            fontsize=22 * fs,
            fontweight="bold",
            va="top",
            color="#222222",
            gid="title",
        )
        y += 0.45 * fs
    if headline:
        # Fonts scale with the picture's width, so a line holds the same characters in
        # every preset: 135 of the subtitle's, about 85 of the larger bold headline's
        # (a CIFAL headline of 100 ran off the picture's right edge).
        lines = textwrap.wrap(headline, HEADLINE_WRAP)
        if len(lines) > 2:
            lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), HEADLINE_WRAP)]
        fig.text(
            0.03,
            frac(y),
            "\n".join(lines),
            fontsize=15 * fs,
            fontweight="bold",
            va="top",
            color=HEADLINE_COLOR,
            gid="headline",
        )
        y += 0.31 * fs * len(lines)
    if subtitle:
        lines = textwrap.wrap(subtitle, 135)
        if len(lines) > 2:
            lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), 135)]
        fig.text(0.03, frac(y), "\n".join(lines), fontsize=11 * fs, va="top", color="#444444")
        y += len(lines) * 0.19 * fs
    return frac(y + 0.1) if (title or headline or subtitle) else 0.95


def _footer(spec: ms.MapSpec, caveat, when, fs: float) -> tuple[str, float]:
    """The footer's text (caveat, credit, date) and its height in inches."""
    credit = spec.credit
    footer = [
        _("Source: {credit}").format(credit=credit) if credit else "",
        _("Map made with Arrival Atlas on {date}.").format(date=fmt_date(when, "long")),
    ]
    if caveat:
        footer.insert(0, caveat)
    # within the map's column: the legends may run down beside it
    text = "\n".join("\n".join(textwrap.wrap(t, 132)) for t in footer if t)
    return text, (text.count("\n") + 1) * 8.5 * fs * 1.3 / 72


def _map_axes(fig, bottom: float, top: float):
    """The map's axes: 74% of the width, on the sea colour, no ticks."""
    ax = fig.add_axes((0.03, bottom, 0.74, top - bottom))
    ax.set_facecolor(OCEAN)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#999999")
    return ax


def _extent(ax, spec: ms.MapSpec, p: Preset) -> tuple[tuple, tuple, float]:
    """The picture's x and y limits (Mercator) and its width in degrees: the
    description's bounds, the shorter side widened to fill the axes."""
    (s, w), (n, e) = spec.bounds
    x0, x1 = w, e
    y0, y1 = _merc_y(s), _merc_y(n)
    # Fill the axes: widen the shorter side so one degree of longitude keeps its
    # Mercator length (aspect 1 in these units).
    bbox = ax.get_position()
    target = (bbox.width * p.width_in) / (bbox.height * p.height_in)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    wdt, hgt = max(x1 - x0, 0.05), max(y1 - y0, 0.05)
    if wdt / hgt < target:
        wdt = hgt * target
    else:
        hgt = wdt / target
    return (cx - wdt / 2, cx + wdt / 2), (cy - hgt / 2, cy + hgt / 2), wdt


def _draw_basemap(ax, spec: ms.MapSpec, p: Preset, xlim, ylim, wdt: float, scale: float) -> list:
    """The countries: as the interactive map draws them, or at 1:50m for a small
    extent (the picture's extent decides the detail). Returns the features drawn."""
    lat_s, lat_n = _merc_lat(ylim[0]), _merc_lat(ylim[1])
    basemap = spec.basemap
    detail = None
    if (
        isinstance(basemap, Basemap)
        and basemap.detail
        and max(wdt, lat_n - lat_s) < DETAIL_BELOW_DEG
    ):
        bbox = ax.get_position()
        px = wdt / (bbox.width * p.width_in * p.dpi)
        detail = detail_features(basemap, (xlim[0], lat_s, xlim[1], lat_n), px)
    features = detail if detail is not None else spec.basemap_features()
    coll = _draw_geojson(ax, features, ms.BASEMAP_STYLE, scale, 2)
    if coll is not None:
        coll.set_gid("basemap")
        coll.set_label("Natural Earth 1:50m" if detail is not None else "Natural Earth")
    return features


def _draw_circle_layer(ax, layer: ms.CircleLayer, basemap_features, scale, z) -> int:
    _draw_circles(ax, layer, scale, z)
    return z


def _draw_line_layer(ax, layer: ms.LineLayer, basemap_features, scale, z) -> int:
    for line in layer.lines:
        z += 1
        _draw_line(ax, line, scale, z)
    return z


def _draw_ring_layer(ax, layer: ms.RingLayer, basemap_features, scale, z) -> int:
    for ring in layer.rings:
        z += 1
        _draw_ring(ax, ring, scale, z)
    return z


def _draw_choropleth_layer(ax, layer: ms.ChoroplethLayer, basemap_features, scale, z) -> int:
    """The basemap's countries of the layer's values, filled by them."""
    vals = layer.values
    feats = [
        {**f, "properties": {**f["properties"], **vals[f["properties"]["iso3"]]}}
        for f in basemap_features
        if f.get("properties", {}).get("iso3") in vals
    ]
    _draw_geojson(ax, feats, layer.style, scale, z)
    return z


def _draw_polygon_layer(ax, layer: ms.PolygonLayer, basemap_features, scale, z) -> int:
    _draw_geojson(ax, layer.data.get("features", []), layer.style, scale, z)
    return z


def _draw_playback_layer(ax, layer: ms.PlaybackLayer, basemap_features, scale, z) -> int:
    """The playback's frame shown (``layer.start``): its circles and their rings."""
    # where it went, for an animation redrawing the frames at the same depth (geo.animation)
    ax.playback = {**getattr(ax, "playback", {}), layer.stable_key: (z, scale)}
    for still in layer.still_layers():
        z = _draw_circle_layer(ax, still, basemap_features, scale, z) + 1
    return z


# One draw function per kind of layer: (ax, layer, basemap features, scale, z) -> the
# last z used.
LAYER_DRAWERS = (
    (ms.PlaybackLayer, _draw_playback_layer),
    (ms.CircleLayer, _draw_circle_layer),
    (ms.LineLayer, _draw_line_layer),
    (ms.RingLayer, _draw_ring_layer),
    (ms.ChoroplethLayer, _draw_choropleth_layer),
    (ms.PolygonLayer, _draw_polygon_layer),
)


def _draw_layers(ax, layers: Sequence[ms.Layer], basemap_features: list, scale: float) -> list:
    """Draw the layers that are switched on, bottom first, above the basemap; returns
    their stable keys."""
    drawn: list[str] = []
    z = 2
    for layer in layers:
        if not layer.show:
            continue
        z += 1
        drawn.append(layer.stable_key)
        draw = next((fn for kind, fn in LAYER_DRAWERS if isinstance(layer, kind)), None)
        if draw is None:
            raise TypeError(f"no picture for {type(layer).__name__}")
        z = draw(ax, layer, basemap_features, scale, z)
    return drawn


def _legends(fig, renderer, legends, caveat, top, fs) -> tuple[list, float]:
    """Lay out the legends (and their notes) down the right column from ``top``.

    Returns the artists added and the figure fraction where the column ends.
    """
    drawn = []
    for legend in legends:
        handles = [_swatch(item) for item in legend.items]
        labels = ["\n".join(textwrap.wrap(_plain(item.label), 25)) for item in legend.items]
        leg = fig.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(0.785, top),
            frameon=False,
            fontsize=9 * fs,
            title="\n".join(textwrap.wrap(legend.title, 26)),
            title_fontsize=10.5 * fs,
            alignment="left",
        )
        leg.get_title().set_fontweight("bold")
        drawn.append(leg)
        # Measured without drawing the figure (a full draw at 300 dpi costs ~0.5 s).
        box = leg.get_window_extent(renderer).transformed(fig.transFigure.inverted())
        top = box.y0 - 0.02
        if legend.note and legend.note != caveat:
            note = fig.text(
                0.79,
                top,
                "\n".join(textwrap.wrap(legend.note, 34)),
                fontsize=8.5 * fs,
                style="italic",
                color="#555555",
                va="top",
            )
            drawn.append(note)
            top = note.get_window_extent(renderer).transformed(fig.transFigure.inverted()).y0 - 0.03
    return drawn, top + 0.02


def credit_text(spec: ms.MapSpec) -> str:
    """The map's source credit (plain text), from its description."""
    return spec.credit


# --- command line --------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m geo snapshot``."""
    from geo.registry import PAGE_KEYS

    parser.add_argument("--page", required=True, choices=PAGE_KEYS, help="which page's map")
    parser.add_argument(
        "--out",
        required=True,
        help="PNG file to write; .gif or .mp4: the animation of a map that plays over time "
        "(square, or 1920 × 1080 with --preset wide)",
    )
    parser.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default="print",
        help="print (A4, 300 dpi) or slides (1920 px)",
    )
    parser.add_argument(
        "--db", default=None, help="database (default: $ATLAS_DB or data/atlas.duckdb)"
    )
    parser.add_argument(
        "--param",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        default=[],
        help="a page parameter as in its URL, e.g. --param routes 'Central Mediterranean' --param from 2016-01-01",
    )


def main(ns: argparse.Namespace, extra: list[str] | None = None) -> int:
    """Run ``python -m geo snapshot``; returns the exit code."""
    import duckdb

    from geo import settings
    from geo.dbfile import check_database_file
    from geo.registry import render_page
    from geo.views import countries_of, direct_query

    db = Path(ns.db) if ns.db else settings.db_path()
    problem = check_database_file(db)
    if problem:
        print(f"snapshot: {problem}", file=sys.stderr)
        return 2
    out = Path(ns.out)
    if out.is_dir():
        print(f"snapshot: {out}: is a directory; give --out a PNG file name", file=sys.stderr)
        return 2
    params = {k: v for k, v in ns.param}
    with duckdb.connect(str(db), read_only=True) as con:
        page = render_page(ns.page, direct_query(con), countries_of(con), params)
        places = page.load_places()
    for note in page.notes:
        print(f"snapshot: {note}", file=sys.stderr)
    fmt = out.suffix.lower().lstrip(".")
    if fmt in ("gif", "mp4"):
        from geo.animation import NoPlayback, render_animation

        size = "wide" if ns.preset in ("wide", "slides") else "square"
        try:
            png = render_animation(
                page.spec,
                fmt=fmt,
                size=size,
                title=page.title,
                subtitle=page.subtitle,
                caveat=page.caveat,
                headline=page.headline,
                places=places,
            )
        except NoPlayback as exc:
            print(
                f"snapshot: {exc} Give the page's play parameter, e.g. --param play year.",
                file=sys.stderr,
            )
            return 2
        ns.preset = size
    else:
        png = render_png(
            page.spec,
            title=page.title,
            subtitle=page.subtitle,
            caveat=page.caveat,
            preset=ns.preset,
            headline=page.headline,
            places=places,
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(png)
    except OSError as exc:
        # mkdir says "File exists" when a folder on the way is a file.
        blocked = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
        reason = f"{blocked} is a file, not a folder" if blocked else exc.strerror or exc
        what = fmt.upper() if fmt in ("gif", "mp4") else "PNG"
        print(f"snapshot: {out}: cannot write the {what} ({reason})", file=sys.stderr)
        return 2
    print(f"snapshot: wrote {out} ({len(png):,} bytes, {PRESETS[ns.preset].label})")
    return 0


__all__ = [
    "PRESETS",
    "Drawn",
    "build_figure",
    "draw_figure",
    "render_png",
    "add_arguments",
    "main",
    "MMP_CAVEAT",
]
