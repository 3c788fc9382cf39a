"""Natural Earth admin-0 countries (basemap, ISO codes) and the country-name lookups
other loaders use to attach ISO3 codes."""

from __future__ import annotations

import json

import pandas as pd

from geo.context import LoadContext
from geo.errors import SourceError
from geo.parse import CellError, normalise_name, parse_json_number
from geo.readers import read_csv, read_geojson

DATASET = "natural_earth"
FILE_110M = "natural_earth/ne_110m_admin_0_countries.geojson"
FILE_50M = "natural_earth/ne_50m_admin_0_countries.geojson"
UNHCR_COUNTRIES = "unhcr_refugees/unhcr_countries.csv"
REQUIRED = ["ISO_A3", "ADM0_A3", "NAME"]


def _iso3(props: dict) -> str:
    iso = str(props.get("ISO_A3") or "")
    if iso in {"", "-99"}:
        # France, Norway and a few others carry -99 in ISO_A3 in Natural Earth 5.x.
        iso = str(props.get("ISO_A3_EH") or "")
    if iso in {"", "-99"}:
        iso = str(props.get("ADM0_A3") or "")
    return iso


def _n3(props: dict) -> int | None:
    for key in ("ISO_N3", "ISO_N3_EH", "UN_A3"):
        try:
            value = int(str(props.get(key)))
        except (TypeError, ValueError):
            continue
        if value > 0:
            return value
    return None


def _lookups(ctx: LoadContext, features: list[dict]) -> None:
    for f in features:
        p = f.get("properties") or {}
        iso = _iso3(p)
        n3 = _n3(p)
        if n3 is not None:
            ctx.numeric_iso.setdefault(n3, iso)
        for key in ("NAME", "NAME_LONG", "ADMIN", "FORMAL_EN", "NAME_EN", "SOVEREIGNT"):
            if p.get(key):
                ctx.country_iso.setdefault(normalise_name(str(p[key])), iso)


def _number(ctx: LoadContext, path, i: int, props: dict, key: str) -> float | None:
    """An optional numeric property; text that is not a number is reported and left empty."""
    try:
        return parse_json_number(props.get(key))
    except CellError as exc:
        ctx.issue(DATASET, path, i, key, props.get(key), "repaired", f"{exc}; left empty")
        return None


def load(ctx: LoadContext) -> bool:
    """Load the 110m countries; build name and numeric lookups from 110m, 50m and
    UNHCR's country list (whichever are present)."""
    path = ctx.sources / FILE_110M
    if not path.exists():
        return False
    data = read_geojson(path)
    rows = []
    for i, f in enumerate(data["features"], start=1):
        p = f.get("properties") or {}
        missing = [c for c in REQUIRED if c not in p]
        if missing:
            raise SourceError(path, f"missing required property '{missing[0]}'", row=i)
        geom = f.get("geometry")
        if not geom or geom.get("type") not in {"Polygon", "MultiPolygon"}:
            ctx.issue(
                DATASET, path, i, "geometry", p.get("NAME"), "rejected", "no polygon geometry"
            )
            continue
        pop_est = _number(ctx, path, i, p, "POP_EST")
        rows.append(
            {
                "iso3": _iso3(p),
                "iso_n3": _n3(p),
                "name": p.get("NAME"),
                "name_long": p.get("NAME_LONG"),
                "continent": p.get("CONTINENT"),
                "region_un": p.get("REGION_UN"),
                "subregion": p.get("SUBREGION"),
                "pop_est": int(pop_est) if pop_est is not None else None,
                "label_lat": _number(ctx, path, i, p, "LABEL_Y"),
                "label_lon": _number(ctx, path, i, p, "LABEL_X"),
                "geometry": json.dumps(geom, separators=(",", ":")),
            }
        )
    n = ctx.insert("countries", pd.DataFrame(rows))
    ctx.record_source(DATASET, path, ["countries"], n)
    _lookups(ctx, data["features"])
    path50 = ctx.sources / FILE_50M
    if path50.exists():
        detail = read_geojson(path50)["features"]
        _lookups(ctx, detail)
        rows50 = [
            {
                "iso3": _iso3(f.get("properties") or {}),
                "name": (f.get("properties") or {}).get("NAME"),
                "geometry": json.dumps(f["geometry"], separators=(",", ":")),
            }
            for f in detail
            if (f.get("geometry") or {}).get("type") in {"Polygon", "MultiPolygon"}
        ]
        n50 = ctx.insert("countries_detail", pd.DataFrame(rows50))
        ctx.record_source(DATASET, path50, ["countries_detail"], n50)
    unhcr = ctx.sources / UNHCR_COUNTRIES
    if unhcr.exists():
        df, _ = read_csv(unhcr)
        if {"iso_code", "name"} <= set(df.columns):
            for iso, name in zip(df["iso_code"], df["name"], strict=True):
                if iso and name:
                    ctx.country_iso.setdefault(normalise_name(name), iso)
    ctx.say(f"  countries: {n} countries (Natural Earth 1:110m)")
    return True


def iso_for(ctx: LoadContext, name: str) -> str | None:
    """ISO3 for a country name, or ``None``."""
    return ctx.country_iso.get(normalise_name(name)) if name else None
