"""The map's text twin (WCAG 2.2 AA, issue 18): what a map shows as a table and as a
paragraph, read from its description (:class:`geo.mapspec.MapSpec`).

Both are built from the spec itself, so they are by construction the map's query:
one row per feature a shown layer draws (a circle, a line, a polygon, a country), the
figures it stands for from the layer's :class:`geo.mapspec.LayerTable` (filled by the
view from the rows it draws), or, for a layer without one, its tooltip as text. The
summary is generated from those figures; it is shown under the map and embedded as alt
text in the PNG, the PDF and the HTML export.

Values are plain text here; :func:`twin_html` escapes every one. Nothing here imports
Streamlit, folium or matplotlib.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Sequence

import pandas as pd

from geo import mapspec as ms
from geo.i18n import _, fmt_int, fmt_num, ngettext
from geo.rows import records

# The rows shown on screen per layer, largest first; the CSV of the table has them all.
SCREEN_ROWS = 100
_TAGS = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def plain(text: object) -> str:
    """Escaped tooltip HTML as one line of plain text (line breaks become "; ")."""
    s = _BREAK.sub("; ", "" if text is None else str(text))
    s = html.unescape(_TAGS.sub("", s))
    return " ".join(s.split())


def fmt_value(v: object) -> str:
    """A table value as the language writes it (numbers grouped, "–" for none)."""
    if isinstance(v, str):
        return v
    if v is None or v is pd.NA:
        return "–"
    if isinstance(v, numbers.Number) and not isinstance(v, bool):
        f = float(v)
        if math.isnan(f):
            return "–"
        return _short(f, 0 if f.is_integer() else 1)
    return str(v)


def _short(f: float, digits: int) -> str:
    """:func:`~geo.i18n.fmt_int` (``digits`` 0) or :func:`~geo.i18n.fmt_num`."""
    return fmt_int(f) if digits == 0 else fmt_num(f, digits)


def where(lat: float, lon: float) -> str:
    """A position in words: "35.5° N, 12.0° E" (translated hemispheres)."""
    ns = _("{deg}° N") if lat >= 0 else _("{deg}° S")
    ew = _("{deg}° E") if lon >= 0 else _("{deg}° W")
    return ns.format(deg=fmt_num(abs(lat), 1)) + ", " + ew.format(deg=fmt_num(abs(lon), 1))


# --------------------------------------------------------------------------- features


def _positions(layer: ms.Layer) -> list[tuple[float, float] | None] | None:
    """Where each drawn feature sits, in drawing order (None: not a point layer)."""
    if isinstance(layer, ms.CircleLayer):
        return [(c.lat, c.lon) for c in layer.circles]
    if isinstance(layer, ms.RingLayer):
        return [(r.lat, r.lon) for r in layer.rings]
    if hasattr(layer, "values_at") and hasattr(layer, "places"):  # a playback layer's frame
        return [layer.places[k] for k in _playback_drawn(layer)]
    return None


def _playback_drawn(layer) -> list[int]:
    """The places a playback layer's still frame draws, largest first (as it draws them)."""
    values = layer.values_at()
    return [k for k in sorted(values, key=lambda k: -values[k]) if values[k] > 0]


def _tip_rows(tips: Sequence[str]) -> ms.LayerTable:
    """A table from tooltips: the first line names the feature, the rest describes it."""
    rows = []
    for tip in tips:
        head, _sep, rest = plain(tip).partition("; ")
        rows.append((head, rest))
    return ms.LayerTable([_("Place"), _("Details")], rows)


def _circle_tip(layer: ms.CircleLayer, c: ms.Circle) -> str:
    if c.tooltip or not c.values:
        return c.tooltip
    try:
        return layer.tooltip_format.format(*c.values)
    except (IndexError, KeyError, ValueError):
        return "; ".join(str(v) for v in c.values)


def fallback_table(layer: ms.Layer) -> ms.LayerTable:
    """What a layer without a :class:`~geo.mapspec.LayerTable` draws, from its tooltips."""
    if isinstance(layer, ms.CircleLayer):
        return _tip_rows([_circle_tip(layer, c) for c in layer.circles])
    if isinstance(layer, ms.LineLayer):
        return _tip_rows([line.tooltip for line in layer.lines])
    if isinstance(layer, ms.RingLayer):
        return _tip_rows([layer.name] * len(layer.rings))
    if isinstance(layer, ms.PolygonLayer):
        return _tip_rows([f.get("properties", {}).get("tip", "") for f in layer.data["features"]])
    if isinstance(layer, ms.ChoroplethLayer):
        return _tip_rows([v.get("tip", "") for v in layer.values.values()])
    if hasattr(layer, "values_at") and hasattr(layer, "tips"):
        return _playback_table(layer)
    return ms.LayerTable([_("Place")], [])


def _playback_table(layer) -> ms.LayerTable:
    """The frame a still picture of a playback layer draws (its start): each place's
    value, the place named by its tooltip or its position; the sentence quotes the
    frame's period and running figure."""
    values = layer.values_at()
    rows = [
        (plain(layer.tips[k]) or where(*layer.places[k]), values[k] / (layer.value_scale or 1))
        for k in _playback_drawn(layer)
    ]
    sentence = ""
    if layer.frames:
        i = layer.frame_index()
        period, counter = layer.labels[i], layer.counters[i]
        # the period and figure are filled here; {n} is left for map_summary
        sentence = (
            ngettext(
                "{n} place, {period}: {counter}.", "{n} places, {period}: {counter}.", len(rows)
            )
            .replace("{period}", period.replace("{", "{{").replace("}", "}}"))
            .replace("{counter}", counter.replace("{", "{{").replace("}", "}}"))
        )
    header = plain(layer.value_tip.replace("{value}", "")).strip() or _("Value")
    return ms.LayerTable(
        [_("Place"), header[:1].upper() + header[1:]], rows, measure=1, sentence=sentence
    )


def layer_table(layer: ms.Layer) -> ms.LayerTable:
    """The layer's own table, or one read from its tooltips."""
    return layer.table if layer.table is not None else fallback_table(layer)


def layer_frame(layer: ms.Layer) -> pd.DataFrame:
    """One row per feature the layer draws: its table's columns, then latitude and
    longitude where the features are points."""
    t = layer_table(layer)
    frame = pd.DataFrame(list(t.rows), columns=list(t.columns), dtype=object)
    pos = _positions(layer)
    if pos is not None and len(pos) == len(frame):
        frame[_("Latitude")] = [p[0] if p else None for p in pos]
        frame[_("Longitude")] = [p[1] if p else None for p in pos]
    return frame


def shown_layers(spec: ms.MapSpec) -> list[ms.Layer]:
    """The layers switched on, in drawing order."""
    return [layer for layer in spec.layers if layer.show]


def map_table(spec: ms.MapSpec) -> pd.DataFrame:
    """What the map's shown layers draw, one row per drawn feature.

    Columns: the layer's name, the feature's place (its label), the figures it stands
    for as one plain-text cell ("Dead and missing: 1,234; Incidents: 56"), latitude and
    longitude (empty for lines, areas and countries). Hidden layers are left out.
    """
    layer_h, place_h, figures_h = _("Layer"), _("Place"), _("Figures")
    lat_h, lon_h = _("Latitude"), _("Longitude")
    rows = []
    for layer in shown_layers(spec):
        t = layer_table(layer)
        frame = layer_frame(layer)
        others = [c for i, c in enumerate(t.columns) if i != t.label]
        for rec in records(frame):
            label = rec.get(t.columns[t.label]) if t.columns else None
            figures = "; ".join(
                f"{c}: {fmt_value(rec[c])}" for c in others if fmt_value(rec[c]) not in ("", "–")
            )
            rows.append(
                {
                    layer_h: layer.name,
                    place_h: "" if label is None else str(label),
                    figures_h: figures,
                    lat_h: rec.get(lat_h),
                    lon_h: rec.get(lon_h),
                }
            )
    return pd.DataFrame(rows, columns=[layer_h, place_h, figures_h, lat_h, lon_h])


# --------------------------------------------------------------------------- summary


def _number(v: object) -> float:
    """A table value as a number, NaN when it is none (``pd.to_numeric``, coerced)."""
    if isinstance(v, numbers.Number):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return math.nan
    return math.nan


def _or_least(v: float) -> float:
    return -math.inf if math.isnan(v) else v


def _measure_values(t: ms.LayerTable) -> list[float]:
    """The measure column of the table's rows as numbers (NaN where none); [] without one."""
    return [_number(r[t.measure]) for r in t.rows] if t.measure is not None else []


def layer_sentence(layer: ms.Layer) -> str:
    """One sentence on what a shown layer draws, its figures filled from its rows.

    Read from the table's rows in plain Python (no frame): every new state of every map
    writes it (issue 19)."""
    t = layer_table(layer)
    rows = list(t.rows)
    n = len(rows)
    if n == 0:
        return _("{layer}: nothing drawn.").format(layer=layer.name)
    values = _measure_values(t)
    top = None  # the first row of the largest value (pandas' idxmax)
    for i, v in enumerate(values):
        if not math.isnan(v) and (top is None or v > values[top]):
            top = i
    if not t.sentence or (top is None and "{top" in t.sentence):
        text = ngettext("{n} item on the map.", "{n} items on the map.", n).format(n=fmt_int(n))
    else:
        figures = {"n": fmt_int(n)}
        if top is not None:
            label = rows[top][t.label] if t.columns else ""
            figures |= {
                "total": fmt_value(math.fsum(v for v in values if not math.isnan(v))),
                "top": "–" if label is None else str(label),
                "top_value": fmt_value(values[top]),
                "top_at": "",
                # any column of the largest row: "{top_row[6]}" (its main route, say)
                "top_row": [fmt_value(rows[top][i]) for i in range(len(t.columns))],
            }
            pos = _positions(layer)
            if pos is not None and len(pos) == n and pos[top]:
                figures["top_at"] = where(*pos[top])
        text = t.sentence.format(**figures)
    return _("{layer}: {text}").format(layer=layer.name, text=text)


def map_summary(spec: ms.MapSpec) -> str:
    """One paragraph on what the map shows, generated from the figures it draws.

    The main legend's title (what and when), a sentence per shown layer (how many
    features, their total and the largest, from :func:`layer_frame`), the layers
    switched off, and the legends' caveats. Plain text in the session's language.
    """
    legends = spec.shown_legends()
    parts = []
    if legends and legends[-1].title:
        parts.append(_("Map: {title}.").format(title=legends[-1].title.rstrip(".")))
    parts += [layer_sentence(layer) for layer in shown_layers(spec)]
    hidden = [layer.name for layer in spec.layers if not layer.show]
    if hidden:
        parts.append(_("Switched off: {layers}.").format(layers="; ".join(hidden)))
    notes: list[str] = []
    for legend in legends:
        if legend.note and legend.note not in notes:
            notes.append(legend.note)
    parts += notes
    return " ".join(p.strip() for p in parts if p.strip())


# --------------------------------------------------------------------------- HTML


def _cell(v: object) -> str:
    return html.escape(fmt_value(v), quote=True)


def layer_html(layer: ms.Layer, limit: int = SCREEN_ROWS) -> str:
    """One layer's rows as an HTML table (caption, column and row headers), largest
    first, at most ``limit`` rows; every value escaped."""
    t = layer_table(layer)
    frame = layer_frame(layer)
    values = _measure_values(t)
    if any(not math.isnan(v) for v in values):  # largest first, none last, ties in order
        frame = frame.iloc[sorted(range(len(values)), key=lambda i: -_or_least(values[i]))]
    n = len(frame)
    caption = layer.name
    if n > limit:
        caption += " " + _("(the {shown} largest of {n} rows; the CSV has them all)").format(
            shown=fmt_int(limit), n=fmt_int(n)
        )
    elif n:
        caption += " " + ngettext("({n} row)", "({n} rows)", n).format(n=fmt_int(n))
    cols = list(frame.columns)
    label = t.columns[t.label] if t.columns else None
    order = ([label] if label in cols else []) + [c for c in cols if c != label]
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in order)
    coords = {_("Latitude"), _("Longitude")}  # two decimals each, a whole degree too

    def cell(c, v) -> str:
        if c in coords and isinstance(v, numbers.Number) and not math.isnan(float(v)):
            return html.escape(_short(float(v), 2))
        return _cell(v)

    body = []
    for rec in records(frame.head(limit)):
        cells = [
            f'<th scope="row">{cell(c, rec[c])}</th>'
            if c == label
            else f"<td>{cell(c, rec[c])}</td>"
            for c in order
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(
            f'<tr><td colspan="{len(order) or 1}">{html.escape(_("nothing drawn"))}</td></tr>'
        )
    return (
        f"<table><caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


TWIN_CSS = (
    "<style>.atlas-twin{max-height:420px;overflow:auto;font-size:0.85rem}"
    ".atlas-twin:focus{outline:2px solid #1f4e79;outline-offset:2px}"
    ".atlas-twin table{border-collapse:collapse;margin:0 0 1rem 0;width:100%}"
    ".atlas-twin caption{text-align:left;font-weight:600;padding:0.25rem 0}"
    ".atlas-twin th,.atlas-twin td{border:1px solid #ccc;padding:2px 6px;text-align:left;"
    "vertical-align:top}.atlas-twin thead th{background:#f0f2f6}</style>"
)


def twin_html(spec: ms.MapSpec, key: str, limit: int = SCREEN_ROWS) -> str:
    """The map's shown layers as HTML tables in one scrollable region a keyboard can
    reach (``tabindex=0``, ``role=region`` named by its label); values escaped."""
    tables = "".join(layer_html(layer, limit) for layer in shown_layers(spec))
    if not tables:
        tables = f"<p>{html.escape(_('No layer is switched on.'))}</p>"
    ident = re.sub(r"[^a-z0-9_-]+", "-", key.lower())
    return (
        f'{TWIN_CSS}<div class="atlas-twin" id="{ident}-table" role="region" tabindex="0" '
        f'aria-label="{html.escape(_("Map as a table"), quote=True)}">{tables}</div>'
    )


__all__ = [
    "SCREEN_ROWS",
    "fallback_table",
    "fmt_value",
    "layer_frame",
    "layer_html",
    "layer_sentence",
    "layer_table",
    "map_summary",
    "map_table",
    "plain",
    "shown_layers",
    "twin_html",
    "where",
]
