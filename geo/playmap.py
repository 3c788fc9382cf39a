"""The interactive side of time playback: a :class:`geo.mapspec.PlaybackLayer` as a
Leaflet feature group and its play control, in core Leaflet only.

One payload holds every frame (sparse ``[place, value, place, value, …]`` lists); the
browser keeps one circle marker per place on the map's canvas and only changes the
radius and colour of the places a frame touches, so a frame costs a few milliseconds
and playback runs well above 10 frames a second. The control (first, previous,
play/pause, next, a slider to drag to any period, a speed choice) is made of real
buttons and a range input with labels, so it works from the keyboard and a screen
reader hears the period.

``window.atlasPlayback`` exposes the player to tests and the benchmark: ``show(i)``,
``play()``, ``pause()``, ``current``, ``count`` and ``drawn`` (frames shown so far).
"""

from __future__ import annotations

import folium
from folium.template import Template

from geo import mapspec as ms
from geo.i18n import _
from geo.mapspec import script_json as _js

# Frames a second the speed menu offers; the first playback speed is the layer's own.
SPEEDS = (1, 2, 4, 6, 10, 20)


def _number(v: float) -> float | int:
    """A value as short as JSON can write it."""
    return int(v) if float(v).is_integer() else round(float(v), 3)


def payload(layer: ms.PlaybackLayer) -> dict:
    """What the browser needs to play the layer (the JSON the page carries)."""
    return {
        "places": [[round(a, 3), round(b, 3)] for a, b in layer.places],
        "tips": layer.tips,
        "frames": [
            [x for k in sorted(f) for x in (k, _number(f[k] / layer.value_scale))]
            for f in layer.frames
        ],
        "scale": 1,  # values are sent already divided by value_scale
        "digits": layer.value_digits,
        "labels": layer.labels,
        "counters": layer.counters,
        "projected": [int(p) for p in layer.projected],
        "breaks": [b / layer.value_scale for b in layer.breaks],
        "colors": list(layer.colors),
        "vmax": layer.vmax / layer.value_scale,
        "minPx": layer.min_px,
        "maxPx": layer.max_px,
        "acc": int(layer.accumulate),
        "mark": int(layer.mark_active),
        "stroke": layer.stroke,
        "active": layer.active_stroke,
        "weight": layer.weight,
        "fillOpacity": layer.fill_opacity,
        "valueTip": layer.value_tip,
        "start": layer.frame_index(),
        "fps": layer.fps,
        "speeds": list(SPEEDS),
        "autoplay": int(layer.autoplay),
        "words": {
            "first": _("First period"),
            "prev": _("Previous period"),
            "play": _("Play"),
            "pause": _("Pause"),
            "next": _("Next period"),
            "slider": _("Period"),
            "speed": _("Speed"),
            "perSecond": _("{n} frames/s"),
            "region": _("Time playback"),
        },
    }


class PlaybackGroup(folium.map.FeatureGroup):
    """The playback layer: circles of the shown frame and the control that plays them."""

    _template = Template(
        r"""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        (function() {
            var group = {{ this.get_name() }}, map = {{ this._parent.get_name() }};
            var d = {{ this.data_json }}, num = {{ this.number_js }}, W = d.words;
            var n = d.labels.length, cur = -1, vals = {}, circles = {}, timer = null, fps = d.fps;
            var p10 = Math.pow(10, d.digits);
            function radius(v) { return v <= 0 || d.vmax <= 0 ? d.minPx : Math.max(d.minPx, d.maxPx * Math.sqrt(v / d.vmax)); }
            function klass(v) { for (var i = 0; i < d.breaks.length; i++) { if (v <= d.breaks[i]) { return i; } } return d.breaks.length; }
            function frame(i) { var f = d.frames[i] || [], o = {}; for (var j = 0; j < f.length; j += 2) { o[f[j]] = f[j + 1]; } return o; }
            function valuesAt(i) {
                if (!d.acc) { return frame(i); }
                var o = {}, k, j, f;
                if (i === cur + 1 && cur >= 0) { for (k in vals) { o[k] = vals[k]; } f = frame(i); for (k in f) { o[k] = (o[k] || 0) + f[k]; } return o; }
                for (j = 0; j <= i; j++) { f = d.frames[j]; for (k = 0; k < f.length; k += 2) { o[f[k]] = (o[f[k]] || 0) + f[k + 1]; } }
                return o;
            }
            function tipOf(k) {
                return function() {
                    var v = Math.round((vals[k] || 0) * p10) / p10;
                    return (d.tips[k] ? d.tips[k] + '<br>' : '') + d.valueTip.replace('{value}', num(v)) + ' (' + d.labels[cur] + ')';
                };
            }
            var ui = {};
            // drawn icons: the fonts of a venue's laptop may lack the media symbols
            var svg = function(p) { return '<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">' + p + '</svg>'; };
            var ICONS = {first: svg('<rect x="2" y="3" width="2" height="10"/><path d="M14 3v10L5 8z"/>'),
                         prev: svg('<path d="M11 3v10L3 8z"/><rect x="12" y="3" width="2" height="10"/>'),
                         play: svg('<path d="M4 2v12l10-6z"/>'),
                         pause: svg('<rect x="3" y="2" width="3.5" height="12"/><rect x="9.5" y="2" width="3.5" height="12"/>'),
                         next: svg('<rect x="2" y="3" width="2" height="10"/><path d="M5 3v10l8-5z"/>')};
            function show(i) {
                i = Math.max(0, Math.min(n - 1, i | 0));
                var next = valuesAt(i), now = d.mark && d.acc ? frame(i) : {}, k, c, v, hot, keys = [];
                for (k in circles) { if (!(next[k] > 0)) { group.removeLayer(circles[k]); delete circles[k]; } }
                for (k in next) {
                    v = next[k]; if (!(v > 0)) { continue; }
                    hot = k in now; keys.push(k);
                    var st = {fillColor: d.colors[klass(v)], color: hot ? d.active : d.stroke, weight: hot ? 2.2 : d.weight};
                    c = circles[k];
                    if (!c) {
                        c = L.circleMarker(d.places[k], Object.assign({fillOpacity: d.fillOpacity, opacity: 0.9, radius: radius(v)}, st));
                        c.bindTooltip(tipOf(k), {sticky: true});
                        circles[k] = c; group.addLayer(c);
                    } else { c.setRadius(radius(v)); c.setStyle(st); }
                }
                // the largest circles underneath: smaller ones stay visible and hoverable
                keys.sort(function(a, b) { return next[b] - next[a]; });
                if (group._map) { for (var j = 0; j < keys.length; j++) { circles[keys[j]].bringToFront(); } }
                vals = next; cur = i;
                if (ui.slider) {
                    ui.slider.value = String(i);
                    var label = d.labels[i];  // a projected year's label says so
                    ui.slider.setAttribute('aria-valuetext', label);
                    ui.period.textContent = label;
                    ui.period.className = 'atlas-play-period' + (d.projected[i] ? ' atlas-play-projected' : '');
                    ui.counter.textContent = d.counters[i] || '';
                }
                api.current = i; api.drawn += 1;
            }
            function pause() {
                if (timer) { clearInterval(timer); timer = null; }
                if (ui.play) { ui.play.innerHTML = ICONS.play; ui.play.setAttribute('aria-label', W.play); ui.play.title = W.play; ui.live.setAttribute('aria-live', 'polite'); }
                api.playing = false;
            }
            function play() {
                pause();
                if (cur >= n - 1) { show(0); }
                timer = setInterval(function() { if (cur >= n - 1) { pause(); } else { show(cur + 1); } }, 1000 / fps);
                if (ui.play) { ui.play.innerHTML = ICONS.pause; ui.play.setAttribute('aria-label', W.pause); ui.play.title = W.pause; ui.live.setAttribute('aria-live', 'off'); }
                api.playing = true;
            }
            var api = {show: function(i) { pause(); show(i); }, play: play, pause: pause, count: n, current: 0, drawn: 0, playing: false,
                       speed: function(f) { fps = f; if (timer) { play(); } }};
            window.atlasPlayback = api;

            var Control = L.Control.extend({
                options: {position: 'bottomleft'},
                onAdd: function() {
                    var box = L.DomUtil.create('div', 'atlas-play leaflet-bar');
                    box.setAttribute('role', 'group'); box.setAttribute('aria-label', W.region);
                    function button(icon, label, fn) {
                        var b = L.DomUtil.create('button', 'atlas-play-btn', box);
                        b.type = 'button'; b.innerHTML = ICONS[icon]; b.title = label; b.setAttribute('aria-label', label);
                        L.DomEvent.on(b, 'click', function(e) { L.DomEvent.stop(e); fn(); });
                        return b;
                    }
                    button('first', W.first, function() { api.show(0); });
                    button('prev', W.prev, function() { api.show(cur - 1); });
                    ui.play = button('play', W.play, function() { if (timer) { pause(); } else { play(); } });
                    button('next', W.next, function() { api.show(cur + 1); });
                    var s = ui.slider = L.DomUtil.create('input', 'atlas-play-slider', box);
                    s.type = 'range'; s.min = '0'; s.max = String(n - 1); s.step = '1';
                    s.setAttribute('aria-label', W.slider);
                    L.DomEvent.on(s, 'input', function() { api.show(+s.value); });
                    var sp = L.DomUtil.create('select', 'atlas-play-speed', box);
                    sp.setAttribute('aria-label', W.speed); sp.title = W.speed;
                    var speeds = d.speeds.indexOf(fps) < 0 ? d.speeds.concat([fps]).sort(function(a, b) { return a - b; }) : d.speeds;
                    speeds.forEach(function(f) {
                        var o = document.createElement('option'); o.value = String(f);
                        o.textContent = W.perSecond.replace('{n}', num(f)); if (f === fps) { o.selected = true; }
                        sp.appendChild(o);
                    });
                    L.DomEvent.on(sp, 'change', function() { api.speed(+sp.value); });
                    ui.live = L.DomUtil.create('div', 'atlas-play-text', box);
                    ui.live.setAttribute('aria-live', 'polite');
                    ui.period = L.DomUtil.create('b', 'atlas-play-period', ui.live);
                    ui.counter = L.DomUtil.create('span', 'atlas-play-counter', ui.live);
                    L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
                    // the slider's arrow keys step periods; they must not pan the map too
                    L.DomEvent.on(box, 'keydown', L.DomEvent.stopPropagation);
                    return box;
                }
            });
            new Control().addTo(map);
            show(d.start);
            if (d.autoplay && window.IntersectionObserver) {
                // a deck's slide: play from the start each time the slide comes into view
                new IntersectionObserver(function(es) {
                    es.forEach(function(e) { if (e.isIntersecting) { show(0); setTimeout(play, 600); } else { pause(); } });
                }).observe(map.getContainer());
            }
        })();
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, layer: ms.PlaybackLayer, number_js: str):
        super().__init__(name=layer.name, overlay=True, control=True, show=layer.show)
        self._name = "PlaybackGroup"
        self.data_json = _js(payload(layer))
        self.number_js = number_js

    @property
    def payload(self) -> int:
        """Characters of data the layer sends (every frame)."""
        return len(self.data_json)


CSS = (
    "<style>.atlas-play{background:#fff;padding:6px 8px;font:12px/1.35 'DejaVu Sans',Arial,"
    "sans-serif;color:#222;max-width:min(560px,calc(100vw - 30px));display:flex;flex-wrap:wrap;"
    "align-items:center;gap:4px}"
    ".atlas-play .atlas-play-btn{min-width:30px;height:30px;border:1px solid #767676;"
    "border-radius:4px;background:#fff;color:#222;fill:#222;cursor:pointer;padding:0 7px;"
    "display:inline-flex;align-items:center;justify-content:center}"
    ".atlas-play .atlas-play-btn:hover{background:#f0f0f0}"
    ".atlas-play button:focus-visible,.atlas-play input:focus-visible,"
    ".atlas-play select:focus-visible{outline:3px solid #1a5fb4;outline-offset:1px}"
    ".atlas-play-slider{flex:1 1 160px;min-width:120px;height:24px;margin:0 4px}"
    ".atlas-play-speed{height:30px;border:1px solid #767676;border-radius:4px;background:#fff;"
    "color:#222}"
    ".atlas-play-text{flex:1 1 100%;min-height:18px}"
    ".atlas-play-period{margin-right:8px;font-size:14px}"
    ".atlas-play-projected{color:#8a4b00;font-style:italic}"
    "</style>"
)


def add_css(m: folium.Map) -> None:
    """The control's look, once per map."""
    m.get_root().header.add_child(folium.Element(CSS), name="atlas_play_css")
