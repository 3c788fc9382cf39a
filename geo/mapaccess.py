"""What makes every Leaflet map usable by keyboard and legible (WCAG 2.2 AA).

:func:`add_map_access` (called by :func:`geo.maps.finish`, so the screen, the HTML
export and the briefing deck all get it) adds

* pan buttons (:class:`PanControl`): a single-pointer and keyboard way to move the map
  besides dragging (WCAG 2.5.7), under Leaflet's zoom buttons;
* styles (:data:`MAP_CSS`): controls of at least 24 x 24 px (2.5.8), a focus ring that
  shows on any colour (2.4.7, 2.4.11), control borders and map text dark enough
  (1.4.3 text 4.5:1, 1.4.11 non-text 3:1).

The colours are constants here so ``tests/test_a11y_contrast.py`` computes their WCAG
contrast ratios; :func:`contrast` and :func:`over` are the WCAG 2 formulas.
"""

from __future__ import annotations

import json

from branca.element import MacroElement
from folium.template import Template

from geo.i18n import _, language

# Text and rings. The map's own panels (legend, credit, scale) are white at least
# PANEL_ALPHA opaque over the map; their text is checked against that white laid over
# black, the darkest thing a map can have beneath.
MAP_TEXT = "#222222"  # legend title and items, credit, scale, layer names
NOTE_TEXT = "#555555"  # the legend's caveat line, the legend's fold button
CAPTION_TEXT = "#6b6a68"  # the app's captions (Streamlit's are its text at 60% opacity, 3.9:1)
PANEL_BG = (255, 255, 255)
PANEL_ALPHA = 0.9
FOCUS_RING = "#1a4f8b"
FOCUS_HALO = "#ffffff"
CONTROL_BORDER = "#666666"  # the edge of buttons and panels, against the map and white

PAN_STEP = 4  # a press moves the map by a quarter of its width or height


def rgb(colour: str) -> tuple[int, int, int]:
    """The (red, green, blue) of a ``#rgb`` or ``#rrggbb`` colour."""
    c = colour.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def luminance(colour: str | tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (``#rrggbb`` or an RGB triple)."""
    triple = rgb(colour) if isinstance(colour, str) else colour

    def lin(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(v) for v in triple)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str | tuple[int, int, int], b: str | tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def over(
    top: tuple[int, int, int], alpha: float, below: str | tuple[int, int, int]
) -> tuple[int, int, int]:
    """The colour of ``top`` at opacity ``alpha`` laid over ``below``."""
    under = rgb(below) if isinstance(below, str) else below
    return tuple(round(alpha * t + (1 - alpha) * u) for t, u in zip(top, under, strict=True))


def _panel() -> str:
    return f"rgba({PANEL_BG[0]},{PANEL_BG[1]},{PANEL_BG[2]},{PANEL_ALPHA:g})"


MAP_CSS = (
    "<style>"
    # Controls stand out from any map colour by a dark edge (Leaflet's is a faint shadow).
    ".leaflet-container .leaflet-bar,.leaflet-container .leaflet-control-layers,"
    f".leaflet-container .atlas-legend{{border:1px solid {CONTROL_BORDER} !important}}"
    # Map text: the legend, the credit, the scale, the layer names.
    f".atlas-legend,.leaflet-control-layers{{color:{MAP_TEXT}}}"
    f".atlas-legend{{background:{_panel()} !important}}"
    f".leaflet-container .leaflet-control-attribution,.leaflet-control-scale-line{{"
    f"background:{_panel()};color:{MAP_TEXT}}}"
    # Targets of at least 24 x 24 px: each layer's whole row, the legend's fold button.
    ".leaflet-control-layers label{display:flex;align-items:center;min-height:24px;margin:0}"
    ".leaflet-control-layers-selector{width:16px;height:16px;margin:0 4px 0 0}"
    ".atlas-legend-toggle{min-width:24px;min-height:24px}"
    ".atlas-legend-body>b:first-child{padding-right:26px}"
    # The pan buttons: a cross of four under the zoom buttons, the map seen between them.
    ".atlas-pan{display:grid;grid-template-columns:repeat(3,26px);"
    "grid-template-rows:repeat(3,26px);gap:1px}"
    ".atlas-pan button{width:26px;height:26px;padding:0;margin:0;background:#fff;"
    f"border:1px solid {CONTROL_BORDER};border-radius:4px;"
    f"color:{MAP_TEXT};font:bold 16px/24px Arial,sans-serif;cursor:pointer}}"
    ".atlas-pan button:hover{background:#f0f0f0}"
    ".atlas-pan-up{grid-area:1/2}.atlas-pan-left{grid-area:2/1}"
    ".atlas-pan-right{grid-area:2/3}.atlas-pan-down{grid-area:3/2}"
    ".leaflet-touch .atlas-pan{grid-template-columns:repeat(3,30px);"
    "grid-template-rows:repeat(3,30px)}"
    ".leaflet-touch .atlas-pan button{width:30px;height:30px;line-height:28px}"
    # A focus ring with a white halo: it shows on white buttons and on a dark map alike.
    ".leaflet-container a:focus-visible,.leaflet-container button:focus-visible,"
    ".leaflet-container input:focus-visible,.leaflet-container summary:focus-visible{"
    f"outline:3px solid {FOCUS_RING} !important;outline-offset:1px;"
    f"box-shadow:0 0 0 5px {FOCUS_HALO} !important;position:relative;z-index:1}}"
    f".leaflet-container:focus-visible{{outline:3px solid {FOCUS_RING};outline-offset:-3px}}"
    "</style>"
)


class PanControl(MacroElement):
    """Four buttons (up, left, right, down) that pan the map a quarter of its size.

    Real ``<button>`` elements, each with a name in the page's language: a keyboard
    reaches them with Tab and presses them with Enter or Space; a single tap moves
    the map as a drag would (WCAG 2.5.7).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map) {
            var words = {{ this.words_json }};
            // folium's page forbids zooming the page on a phone (user-scalable=no):
            // text must stay enlargeable (WCAG 1.4.4).
            var vp = document.querySelector('meta[name="viewport"]');
            if (vp) { vp.setAttribute('content', 'width=device-width, initial-scale=1'); }
            // The map's frame speaks the page's language (its legend, its buttons).
            document.documentElement.lang = {{ this.lang_json }};
            var pan = L.control({position: 'topleft'});
            pan.onAdd = function() {
                var div = L.DomUtil.create('div', 'atlas-pan');
                div.setAttribute('role', 'group');
                div.setAttribute('aria-label', words.group);
                [['up', 0, -1, '\\u2191'], ['left', -1, 0, '\\u2190'],
                 ['right', 1, 0, '\\u2192'], ['down', 0, 1, '\\u2193']].forEach(function(d) {
                    var b = L.DomUtil.create('button', 'atlas-pan-' + d[0], div);
                    b.type = 'button';
                    b.title = words[d[0]];
                    b.setAttribute('aria-label', words[d[0]]);
                    b.textContent = d[3];
                    L.DomEvent.on(b, 'click', function(e) {
                        L.DomEvent.stop(e);
                        var s = map.getSize();
                        map.panBy([d[1] * Math.round(s.x / {{ this.step }}),
                                   d[2] * Math.round(s.y / {{ this.step }})]);
                    });
                });
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            map.addControl(pan);
            // The layer control's button (shown on a narrow map) in the page's language.
            var layers = map.getContainer().querySelector('.leaflet-control-layers-toggle');
            if (layers) {
                layers.title = words.layers;
                layers.setAttribute('aria-label', words.layers);
            }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "PanControl"
        self.step = PAN_STEP
        self.lang_json = json.dumps(language())
        self.words_json = json.dumps(
            {
                "group": _("Move the map"),
                "up": _("Pan up"),
                "left": _("Pan left"),
                "right": _("Pan right"),
                "down": _("Pan down"),
                "layers": _("Map layers"),
            },
            ensure_ascii=False,
        ).replace("</", "<\\/")


def add_map_access(m) -> None:
    """Add the pan buttons and the accessibility styles to a folium map."""
    from geo.branca_text import held_text

    m.get_root().header.add_child(held_text(MAP_CSS))
    PanControl().add_to(m)
