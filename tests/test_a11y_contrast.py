"""Contrast of the map's own text and controls (WCAG 1.4.3, 1.4.11), computed with the
WCAG 2 formula from the colours the maps and pages are drawn with, and the map's pan
buttons and styles present in every rendering (screen and HTML export)."""

from __future__ import annotations

import re

import pytest

from geo import mapaccess as ma
from geo.mapspec import LAND, OCEAN, Legend, LegendItem, MapSpec

# The darkest thing a map can have under a panel (a dark choropleth class, a marker).
DARKEST = "#000000"
# Text on the map's panels; a panel is white at PANEL_ALPHA over whatever lies below.
PANEL_OVER_DARKEST = ma.over(ma.PANEL_BG, ma.PANEL_ALPHA, DARKEST)


def test_contrast_formula():
    assert ma.contrast("#000", "#fff") == pytest.approx(21)
    assert ma.contrast("#777", "#777") == pytest.approx(1)
    # WCAG's own example: #767676 on white is the lightest grey that passes 4.5:1
    assert ma.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert ma.over((255, 255, 255), 0.5, "#000000") == (128, 128, 128)


@pytest.mark.parametrize("text", [ma.MAP_TEXT, ma.NOTE_TEXT])
def test_map_text_on_its_panels(text):
    """Legend, credit, scale and layer names on their panel, even over a black map."""
    assert ma.contrast(text, PANEL_OVER_DARKEST) >= 4.5
    for below in (OCEAN, LAND):
        assert ma.contrast(text, ma.over(ma.PANEL_BG, ma.PANEL_ALPHA, below)) >= 4.5


def test_page_captions():
    assert ma.contrast(ma.CAPTION_TEXT, "#ffffff") >= 4.5


@pytest.mark.parametrize("colour", [ma.FOCUS_RING, ma.CONTROL_BORDER])
def test_rings_and_borders_against_control_and_map(colour):
    """Non-text contrast: 3:1 against the white control and the map around it."""
    for next_to in ("#ffffff", OCEAN, LAND):
        assert ma.contrast(colour, next_to) >= 3, next_to
    if colour == ma.FOCUS_RING:  # the ring's halo, which keeps it apart on a dark map
        assert ma.contrast(ma.FOCUS_RING, ma.FOCUS_HALO) >= 3


def _text_colours(html: str) -> list[tuple[str, str]]:
    """(selector or element, colour) of each text ``color:#hex`` in the map's own styles
    for its panels (legend and its note line, credit, scale, layer control, pan buttons)
    and in inline styles of the legend's markup."""
    found = []
    for sel, body in re.findall(r"([^{}<>]+)\{([^{}]*)\}", html):
        if re.search(r"atlas-legend|attribution|scale|control-layers|atlas-pan", sel):
            for c in re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})\b", body):
                found.append((sel.strip()[-60:], c))
    for c in re.findall(r'style=\\?"[^"]*?(?<![-\w])color:(#[0-9a-fA-F]{3,6})', html):
        found.append(("inline", c))
    return found


def test_rendered_map_text_colours_and_controls():
    """Every text colour the rendered map gives its panels passes 4.5:1 on the panel
    over black; the map has the pan buttons (named, in the page's language) and the
    styles that make its targets 24 px and its focus visible."""
    from geo.maps import map_html, render

    legend = Legend(
        "Dead and missing", [LegendItem("circle", "#bd0026", "1 to 10")], note="A caveat"
    )
    spec = MapSpec({"type": "FeatureCollection", "features": []}, [], [legend])
    html = map_html(render(spec))
    colours = _text_colours(html)
    # the legend's note line and its "show the notes" button were seen
    assert any(sel.endswith(".atlas-legend-note") for sel, _ in colours), colours
    assert any(sel.endswith(".atlas-legend-more") for sel, _ in colours), colours
    assert len(colours) >= 4, colours
    for sel, colour in colours:
        assert ma.contrast(colour, PANEL_OVER_DARKEST) >= 4.5, (sel, colour)
    assert ma.MAP_CSS in html
    assert "min-height:24px" in ma.MAP_CSS and "focus-visible" in ma.MAP_CSS
    for word in ("Pan up", "Pan left", "Pan right", "Pan down", "Move the map", "Map layers"):
        assert word in html
    assert html.count("map.panBy(") == 1


def test_map_frame_speaks_the_page_language():
    """The map's own document says the run's language (its legend and buttons are in it)."""
    from geo import i18n
    from geo.maps import map_html, render

    spec = MapSpec({"type": "FeatureCollection", "features": []}, [], [])
    before = i18n.language()
    try:
        i18n.set_language("fr")
        html = map_html(render(spec))
    finally:
        i18n.set_language(before)
    assert 'document.documentElement.lang = "fr";' in html
    assert "Déplacer vers le haut" in html  # the pan buttons' names, in French
