"""Colour on the maps (WCAG 2.2 AA, issue 18): every map page's legends, as built from
the test database, keep their colours apart under normal vision and simulated
deuteranopia, protanopia and tritanopia; categories differ in shape or size as well as
colour; point markers stand out from the basemap (non-text contrast 3:1, WCAG 1.4.11);
legend text reads at 4.5:1 (WCAG 1.4.3).

The colour-vision simulation is colorspacious's (Machado, Oliveira & Fernandes 2009, at
severity 100: the full dichromacy); distances are ΔE in CAM02-UCS, a space built so that
equal distances look equally different.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE
from matplotlib.colors import to_rgb

from geo import mapspec as ms
from geo.maps import map_html, render
from geo.pages import page as page_of
from geo.views import countries_of, direct_query, memo

# Each map page in its default state and the filtered states whose legends differ.
CASES = [
    ("overview", {}),
    ("routes", {}),
    ("camps", {}),
    ("camps", {"country": "BGD"}),
    ("camps", {"country": "SYR"}),
    ("cities", {}),
    ("cities", {"mode": "growth"}),
    ("cifal", {}),
    ("cifal", {"radius": "500", "closed": "1"}),
]
IDS = [f"{k}-{'-'.join(f'{a}={b}' for a, b in p.items()) or 'default'}" for k, p in CASES]

VISIONS = {"normal": None, "deuteranopia": "deuteranomaly", "protanopia": "protanomaly"}
VISIONS["tritanopia"] = "tritanomaly"

# ΔE 1 in CAM02-UCS is about the smallest difference seen between two large patches
# side by side; map marks are small and apart, so far more is needed. Categories (told
# apart by name, anywhere on the map, against any other item of the legend) need 10;
# neighbouring classes of a ramp, read in order and in a legend that shows the whole
# ramp, need 8 (about the step of a 6-class ColorBrewer ramp under normal vision:
# Blues 9.0, YlOrRd 11.6).
CATEGORY_DE = 10.0
CLASS_DE = 8.0
# WCAG 2.2: 1.4.11 non-text contrast (graphical objects), 1.4.3 text contrast.
NON_TEXT = 3.0
TEXT = 4.5
WHITE = (1.0, 1.0, 1.0)


@pytest.fixture(scope="module")
def specs(db_path):
    """Each case's map description, built once from the test database."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    q = memo(direct_query(con))
    basemap = countries_of(con)
    out = {}
    for (key, params), case_id in zip(CASES, IDS, strict=True):
        view, notes = page_of(key).render(q, basemap, params)
        assert not notes, notes
        out[case_id] = view.spec
    yield out
    con.close()


# ------------------------------------------------------------------ colour science


def over(color: str, alpha: float | None, background) -> tuple[float, float, float]:
    """The sRGB colour seen when ``color`` at ``alpha`` lies on ``background``."""
    rgb = np.array(to_rgb(color))
    if alpha is None:
        return tuple(rgb)
    bg = np.array(to_rgb(background) if isinstance(background, str) else background)
    return tuple(alpha * rgb + (1 - alpha) * bg)


def simulate(rgb, vision: str):
    """``rgb`` (sRGB 0–1) as a viewer with that colour vision sees it."""
    cvd = VISIONS[vision]
    if cvd is None:
        return np.array(rgb)
    space = {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}
    return np.clip(cspace_convert(rgb, space, "sRGB1"), 0, 1)


def delta_e(a, b, vision: str) -> float:
    """CAM02-UCS distance between two sRGB colours as that viewer sees them."""
    return float(deltaE(simulate(a, vision), simulate(b, vision), input_space="sRGB1"))


def luminance(rgb) -> float:
    """WCAG 2.2 relative luminance of an sRGB colour (0–1 channels)."""
    c = np.array(rgb, dtype=float)
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])


def contrast(a, b) -> float:
    """WCAG contrast ratio of two sRGB colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_measures_are_the_published_ones():
    """The helpers give the known values, so the thresholds below mean what they say."""
    assert contrast(to_rgb("#000000"), WHITE) == pytest.approx(21.0)
    assert contrast(to_rgb("#777777"), WHITE) == pytest.approx(4.48, abs=0.01)
    # red and green, far apart for most viewers, meet under deuteranopia
    red, green = to_rgb("#d62728"), to_rgb("#2ca02c")
    assert delta_e(red, green, "normal") > 30
    assert delta_e(red, green, "deuteranopia") < delta_e(red, green, "normal") / 2


# ------------------------------------------------------------------ legends


def swatch_rgb(item: ms.LegendItem):
    """The colour an item's swatch shows on the legend's white (a translucent swatch
    mixes with it)."""
    return over(item.color, item.opacity, WHITE)


def groups(legend: ms.Legend) -> list[list[ms.LegendItem]]:
    """The legend's items in groups: a ramp (three or more consecutive items of one
    layer drawn alike, the classes of one measure) or a single category."""
    out: list[list[ms.LegendItem]] = []
    for item in legend.items:
        prev = out[-1][-1] if out else None
        if prev is not None and (prev.layer, prev.kind, prev.width) == (
            item.layer,
            item.kind,
            item.width,
        ):
            out[-1].append(item)
        else:
            out.append([item])
    # a run of two is two categories (open and closed sites, say), not a ramp
    return [g for run in out for g in ([run] if len(run) >= 3 else [[i] for i in run])]


def must_differ(legend: ms.Legend):
    """(a, b, threshold) for every pair of items a reader must tell apart by colour:
    neighbouring classes of a ramp; any two categories (shape helps, but colour alone
    must do as well); a category and each class of a ramp drawn with the same mark (a
    category drawn with another mark cannot pass for one of the classes)."""
    gs = groups(legend)
    for g in gs:
        for a, b in itertools.pairwise(g):
            yield a, b, CLASS_DE
    for g1, g2 in itertools.combinations(gs, 2):
        for a in g1:
            for b in g2:
                if len(g1) == len(g2) == 1 or a.kind == b.kind:
                    yield a, b, CATEGORY_DE


@pytest.mark.parametrize("case_id", IDS)
@pytest.mark.parametrize("vision", list(VISIONS))
def test_legend_colours_stay_apart_under_colour_blindness(specs, case_id, vision):
    spec = specs[case_id]
    failures, lowest = [], {}
    for legend in spec.legends:
        for a, b, need in must_differ(legend):
            d = delta_e(swatch_rgb(a), swatch_rgb(b), vision)
            lowest[need] = min(lowest.get(need, 99.0), d)
            if d < need:
                failures.append(f"{a.label!r} {a.color} ~ {b.label!r} {b.color}: ΔE {d:.1f}")
    assert lowest, "no pair of legend colours to compare"
    assert not failures, f"{vision}: " + "; ".join(failures)


@pytest.mark.parametrize("case_id", IDS)
def test_drawn_ramps_keep_neighbouring_classes_apart(specs, case_id):
    """The ramps as the map draws them (a layer's class colours, some of which no legend
    lists, such as the ISIMM bins'): neighbouring classes of one mark differ by
    ``CLASS_DE`` for every colour vision."""
    spec = specs[case_id]
    for layer in spec.layers:
        if not isinstance(layer, ms.CircleLayer) or len(layer.colors) < 3:
            continue
        ramp = [c for k, c in enumerate(layer.colors) if layer.shape_of(k) == layer.shape_of(0)]
        for a, b in itertools.pairwise(ramp):
            for vision in VISIONS:
                d = delta_e(to_rgb(a), to_rgb(b), vision)
                assert d >= CLASS_DE, (layer.stable_key, a, b, vision, round(d, 1))


def is_ramp(legend_group: list[ms.LegendItem]) -> bool:
    return len(legend_group) >= 3


@pytest.mark.parametrize("case_id", IDS)
def test_categories_differ_in_more_than_colour(specs, case_id):
    """WCAG 1.4.1: two categories of a legend differ in shape (kind), size, outline or
    dashes as well as colour, and the map draws them so."""
    spec = specs[case_id]
    for legend in spec.legends:
        singles = [g[0] for g in groups(legend) if not is_ramp(g)]
        ramps = [g for g in groups(legend) if is_ramp(g)]
        # a ramp stands as one category (its first class's look) beside the others
        looks = [*singles, *(g[0] for g in ramps)]
        for a, b in itertools.combinations(looks, 2):
            assert look(a) != look(b), (
                f"{legend.title!r}: {a.label!r} and {b.label!r} differ by colour alone"
            )


def look(item: ms.LegendItem) -> tuple:
    """What a swatch shows besides its colour."""
    return (item.kind, item.width, item.height, bool(item.border), item.dashed)


@pytest.mark.parametrize("case_id", IDS)
def test_marker_shapes_on_the_map_match_the_legend(specs, case_id):
    """A class drawn as a square or diamond on the map has that shape in the legend."""
    spec = specs[case_id]
    items = [i for lg in spec.legends for i in lg.items]
    for layer in spec.layers:
        if not isinstance(layer, ms.CircleLayer):
            continue
        mine = [i for i in items if i.layer == layer.stable_key and i.kind != "line"]
        for klass in {c.klass for c in layer.circles}:
            shape = layer.shape_of(klass)
            color = layer.colors[min(klass, len(layer.colors) - 1)]
            same = [i for i in mine if i.color.lower() == color.lower()]
            for i in same:
                assert i.kind == shape, (layer.stable_key, klass, i)


# Layers whose circle size shows another measure than their colour classes: city growth
# is sized by people gained or lost and coloured by per cent (a small city doubling is
# dark and small); there the classes are told by colour lightness and the legend, and
# each circle's tooltip and the map's table give the figure.
OTHER_SIZE = {("cities-mode=growth", "cities")}


@pytest.mark.parametrize("case_id", IDS)
def test_ramp_classes_grow_in_size_on_the_map(specs, case_id):
    """Size carries a ramp's order as well as colour: a higher class's circles are never
    smaller than a lower class's, and the top class's are larger than the bottom's."""
    spec = specs[case_id]
    checked = 0
    for layer in spec.layers:
        if not isinstance(layer, ms.CircleLayer) or len(layer.colors) < 3:
            continue
        if (case_id, layer.stable_key) in OTHER_SIZE:
            continue
        radii = defaultdict(list)
        for c in layer.circles:
            if layer.shape_of(c.klass) == layer.shape_of(0):  # the ramp's, not a category
                radii[c.klass].append(c.radius)
        classes = sorted(radii)
        if len(classes) < 2:
            continue
        for lo, hi in itertools.pairwise(classes):
            assert max(radii[lo]) <= min(radii[hi]) + 1e-9, (layer.stable_key, lo, hi)
        assert max(radii[classes[-1]]) > min(radii[classes[0]]), layer.stable_key
        checked += 1
    if case_id.startswith(("routes", "camps-default", "overview")):
        assert checked, "no ramp layer measured"


# ------------------------------------------------------------------ on the basemap


def outline_of(layer: ms.Layer) -> list[tuple[str, float, float]]:
    """(colour, opacity, width px) of the outline a layer's marks are drawn with."""
    if isinstance(layer, ms.CircleLayer):
        return [(layer.stroke, 0.9, layer.weight)] if layer.stroke else []
    if isinstance(layer, ms.RingLayer):
        return [(r.color, 1.0, r.weight) for r in layer.rings[:1]]
    if isinstance(layer, ms.PolygonLayer | ms.ChoroplethLayer):
        style = layer.style
        return [(style["color"], style.get("opacity", 1.0), style.get("weight", 1))]
    return []


def marks(layer: ms.Layer) -> list[tuple[str, float]]:
    """(fill colour, opacity) of each kind of mark a layer draws."""
    if isinstance(layer, ms.CircleLayer):
        used = {min(c.klass, len(layer.colors) - 1) for c in layer.circles}
        return [(layer.colors[k], layer.fill_opacity) for k in sorted(used)]
    if isinstance(layer, ms.LineLayer):
        return sorted({(x.color, x.opacity) for x in layer.lines})
    if isinstance(layer, ms.RingLayer):
        return sorted({(r.color, r.fill_opacity) for r in layer.rings})
    if isinstance(layer, ms.ChoroplethLayer):
        fills = {v["fill"] for v in layer.values.values()}
        return [(f, layer.style.get("fillOpacity", 1.0)) for f in sorted(fills)]
    if isinstance(layer, ms.PolygonLayer):
        return [(layer.style["fillColor"], layer.style.get("fillOpacity", 1.0))]
    return []


@pytest.mark.parametrize("case_id", IDS)
def test_marks_stand_out_from_land_and_sea(specs, case_id):
    """WCAG 1.4.11: each mark's fill, or else its outline (at least a pixel wide), has a
    contrast of 3:1 with the land and the sea it lies on. A ring (a reach drawn as a
    translucent area) is told by its outline alone."""
    spec = specs[case_id]
    failures = []
    for layer in spec.layers:
        strokes = [(c, a) for c, a, w in outline_of(layer) if w >= 0.7]
        for color, alpha in marks(layer):
            for ground in (ms.LAND, ms.OCEAN):
                fill = contrast(over(color, alpha, ground), to_rgb(ground))
                edge = max(
                    (contrast(over(c, a, ground), to_rgb(ground)) for c, a in strokes),
                    default=1.0,
                )
                if max(fill, edge) < NON_TEXT:
                    failures.append(
                        f"{layer.stable_key} {color} on {ground}: fill {fill:.2f}, "
                        f"outline {edge:.2f}"
                    )
    assert not failures, "; ".join(failures)


# ------------------------------------------------------------------ legend text


def test_legend_text_reads_on_its_background(specs):
    """WCAG 1.4.3: the legend's title, labels, note and fold button against the legend
    box, which is a translucent white: measured over black, the worst map beneath."""
    page = map_html(render(specs[IDS[0]]))
    box = re.search(r"\.atlas-legend\{background:rgba\(([\d,. ]+)\)", page)
    assert box, "legend background not found"
    r, g, b, a = (float(x) for x in box.group(1).split(","))
    worst = tuple(a * v / 255 for v in (r, g, b))  # the box's white over black
    rules = re.findall(r"\.atlas-legend[^{]*\{([^}]*)\}", page)
    inline = re.findall(r'<div style=\\?"[^"]*?color:(#[0-9a-fA-F]{3,6})', page)
    texts = [m for rule in rules for m in re.findall(r"(?<![-\w])color:(#[0-9a-fA-F]{3,6})", rule)]
    texts += inline + ["#000000"]  # the labels' own colour: the page's, black
    assert len(texts) >= 3, texts
    for color in texts:
        assert contrast(to_rgb(color), worst) >= TEXT, (color, contrast(to_rgb(color), worst))


def test_picture_text_reads_on_its_background(db_path):
    """WCAG 1.4.3 for the PNG and the PDF's map: every text of the picture (title,
    headline, subtitle, legend, notes, credit, scale bar, place names) reads at 4.5:1 on
    the white page, and the texts drawn on the map on the land and the sea as well."""
    import duckdb
    from matplotlib.colors import to_hex

    from geo.snapshot import build_figure

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        q = memo(direct_query(con))
        page = page_of("cifal")
        view, _notes = page.render(q, countries_of(con), {})
        places = page.export(view, q).load_places()
    finally:
        con.close()
    fig = build_figure(view.spec, title="t", subtitle="s", caveat="c", headline="h", places=places)
    page_rgb = to_rgb(to_hex(fig.get_facecolor()))
    texts = [
        t
        for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_color"))
        if t.get_visible() and t.get_text().strip()
    ]
    on_map = [t for t in texts if t.get_gid() == "place"]
    assert on_map and len(texts) > len(on_map) + 5, "the picture's texts were not found"
    for t in texts:
        color = to_rgb(t.get_color())
        grounds = [page_rgb] + ([to_rgb(ms.LAND), to_rgb(ms.OCEAN)] if t in on_map else [])
        for ground in grounds:
            assert contrast(color, ground) >= TEXT, (t.get_text()[:40], t.get_color(), ground)
