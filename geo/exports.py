"""Exports that leave the app: a self-contained HTML map, and filtered data as CSV or
GeoJSON carrying its citation and licence.

The HTML export inlines Leaflet's script and stylesheet (read from the installed asset
package), so the file opens with no internet and references no external file.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date

import folium
import pandas as pd

from geo.assets import LEAFLET_URL, leaflet_source
from geo.maps import map_html


def standalone_html(m: folium.Map, title: str) -> str:
    """The map as one HTML file with Leaflet inlined.

    Parameters
    ----------
    m : folium.Map
        A map built by a view (its scripts point at ``/app/static/leaflet``).
    title : str
        Page title (escaped).

    Returns
    -------
    str
        HTML with no ``<script src>`` or ``<link href>`` to any other file.
    """
    html = map_html(m)
    js = leaflet_source("leaflet.js").replace("</script", "<\\/script")
    css = leaflet_source("leaflet.css")
    html = re.sub(
        rf'<script src="{re.escape(LEAFLET_URL)}/leaflet\.js"></script>',
        lambda _: f"<script>{js}</script>",
        html,
    )
    html = re.sub(
        rf'<link rel="stylesheet" href="{re.escape(LEAFLET_URL)}/leaflet\.css"/>',
        lambda _: f"<style>{css}</style>",
        html,
    )
    from geo.maps import escape

    html = html.replace("<head>", f"<head>\n<title>{escape(title)}</title>", 1)
    return html


def export_name(stem: str, ext: str, when: date | None = None) -> str:
    """File name with the export date: ``arrival-atlas_<stem>_<YYYY-MM-DD>.<ext>``."""
    safe = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "export"
    return f"arrival-atlas_{safe}_{(when or date.today()).isoformat()}.{ext}"


def csv_with_citation(
    df: pd.DataFrame, citation: str, licence: str, filters: str, caveat: str | None = None
) -> bytes:
    """CSV text preceded by ``#`` comment lines: citation, licence, filters, the caveat
    of the figures (when given), date.

    Text cells that start with ``=``, ``+``, ``-`` or ``@`` are prefixed with a quote
    so a spreadsheet never runs them as formulas.
    """
    out = io.StringIO()
    for line in (
        f"Source: {citation}",
        f"Licence: {licence}",
        f"Filters: {filters}",
        *([f"Note: {caveat}"] if caveat else []),
        f"Exported from Arrival Atlas on {date.today().isoformat()}",
    ):
        out.write("# " + " ".join(line.split()) + "\n")
    safe = df.copy()
    for col in safe.columns:
        if safe[col].dtype == object or str(safe[col].dtype).startswith("str"):
            safe[col] = safe[col].map(_defuse)
    safe.to_csv(out, index=False)
    return out.getvalue().encode("utf-8")


def _defuse(v):
    if isinstance(v, list):
        return "; ".join(map(str, v))
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v


def geojson_with_citation(
    df: pd.DataFrame,
    citation: str,
    licence: str,
    filters: str,
    *,
    lat: str = "lat",
    lon: str = "lon",
    caveat: str | None = None,
) -> bytes:
    """Points as a GeoJSON FeatureCollection with a ``metadata`` member (citation,
    licence, filters, the caveat of the figures when given, date). Rows without a
    position are left out."""
    feats = []
    for rec in df.to_dict("records"):
        y, x = rec.get(lat), rec.get(lon)
        if y is None or x is None or pd.isna(y) or pd.isna(x):
            continue
        props = {k: _jsonable(v) for k, v in rec.items() if k not in (lat, lon)}
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(x), float(y)]},
                "properties": props,
            }
        )
    doc = {
        "type": "FeatureCollection",
        "metadata": {
            "source": citation,
            "licence": licence,
            "filters": filters,
            **({"caveat": caveat} if caveat else {}),
            "exported": date.today().isoformat(),
            "generator": "Arrival Atlas",
        },
        "features": feats,
    }
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _jsonable(v):
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if hasattr(v, "tolist"):
        return v.tolist()
    if isinstance(v, (date, pd.Timestamp)):
        return v.isoformat()
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    return v
