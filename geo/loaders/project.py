"""Tables the project compiles itself and commits in ``data/``: the CIFAL centres and
the schematic route corridors."""

from __future__ import annotations

import json
import re

import pandas as pd

from geo import DATA_DIR
from geo.context import LoadContext
from geo.errors import SourceError
from geo.loaders.countries import report_unresolved
from geo.parse import CellError, check_position, parse_date, parse_float
from geo.readers import read_csv, read_geojson, require_columns

CIFAL = DATA_DIR / "cifal_centres.csv"
CORRIDORS = DATA_DIR / "route_corridors.geojson"


def load_cifal(ctx: LoadContext, path=CIFAL) -> bool:
    """Load the compiled CIFAL table; rows without usable coordinates are rejected."""
    if not path.exists():
        return False
    ds = "cifal"
    df, _ = read_csv(path)
    require_columns(df, path, ["centre", "city", "country", "source_url", "lat", "lon"])
    rows = []
    for rec in df.to_dict("records"):
        r = rec["_row"]
        try:
            lat, lon, _ = check_position(parse_float(rec["lat"]), parse_float(rec["lon"]))
        except CellError as exc:
            ctx.issue(ds, path, r, "lat/lon", f"{rec['lat']}, {rec['lon']}", "rejected", str(exc))
            continue
        url = rec["source_url"].strip()
        if not re.match(r"^https?://", url):
            ctx.issue(
                ds, path, r, "source_url", url, "rejected", "source is not an http(s) address"
            )
            continue
        try:
            when = parse_date(rec.get("source_date", ""))
        except CellError:
            when = None
        rows.append(
            {
                "centre": rec["centre"].strip(),
                "city": rec["city"].strip(),
                "country": rec["country"].strip(),
                "iso3": rec.get("iso3", "").strip() or None,
                "_row": r,
                "region": rec.get("region", "").strip() or None,
                "host": rec.get("host", "").strip() or None,
                "status": rec.get("status", "").strip() or None,
                "active": rec.get("active", "true").strip().lower() != "false",
                "source_url": url,
                "source_date": when,
                "lat": lat,
                "lon": lon,
                "coord_source": rec.get("coord_source", "").strip() or None,
                "notes": rec.get("notes", "").strip() or None,
            }
        )
    # The table's own iso3 wins; an empty one is filled from the country name, and a
    # country that resolves to no ISO3 code is reported.
    resolved = report_unresolved(
        ctx, ds, path, "country/iso3", ((c["_row"], c["country"], c["iso3"]) for c in rows)
    )
    for c in rows:
        c["iso3"] = resolved.get(c["country"])
    n = ctx.insert("cifal_centres", pd.DataFrame(rows))
    ctx.record_source(ds, path, ["cifal_centres"], n)
    ctx.say(f"  CIFAL centres: {n} with coordinates, {ctx.rejected(ds, path)} rejected")
    return True


def load_corridors(ctx: LoadContext, path=CORRIDORS) -> bool:
    """Load the schematic corridors (one LineString per MMP route)."""
    if not path.exists():
        return False
    ds = "route_corridors"
    data = read_geojson(path)
    rows = []
    for i, f in enumerate(data["features"], start=1):
        p = f.get("properties") or {}
        g = f.get("geometry") or {}
        if g.get("type") != "LineString" or len(g.get("coordinates", [])) < 2 or not p.get("route"):
            raise SourceError(path, "each feature must be a LineString with a 'route'", row=i)
        lon, lat = g["coordinates"][-1][:2]
        rows.append(
            {
                "route": p["route"],
                "origin_label": p.get("origin_label"),
                "destination_label": p.get("destination_label"),
                "dest_lat": lat,
                "dest_lon": lon,
                "geometry": json.dumps(g, separators=(",", ":")),
            }
        )
    n = ctx.insert("route_corridors", pd.DataFrame(rows))
    ctx.record_source(ds, path, ["route_corridors"], n)
    ctx.say(f"  route corridors: {n} schematic lines")
    return True
