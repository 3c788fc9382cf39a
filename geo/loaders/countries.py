"""Natural Earth admin-0 countries (basemap, ISO codes) and the country-name lookups
other loaders use to attach ISO3 codes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from geo.context import LoadContext
from geo.errors import SourceError
from geo.geometry import usable_polygon
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


# Names the sources use that neither Natural Earth nor UNHCR's country list spells that
# way: older official names (the register dates from 2020, WUP from 2018) and the UN
# statistical names of territories. They win over every other lookup.
ALIASES = {
    "Rep. of Chad": "TCD",
    "Swaziland": "SWZ",
    "The former Yugoslav Republic of Macedonia": "MKD",
    "TFYR Macedonia": "MKD",
    "China, Taiwan Province of China": "TWN",
    "Dem. People's Republic of Korea": "PRK",
    "China, Hong Kong Special Administrative Region": "HKG",
    "China, Macao Special Administrative Region": "MAC",
}


def _lookups(ctx: LoadContext, features: list[dict]) -> None:
    for f in features:
        p = f.get("properties") or {}
        iso = _iso3(p)
        n3 = _n3(p)
        if n3 is not None:
            ctx.numeric_iso.setdefault(n3, iso)
        # Not SOVEREIGNT: a dependency carries its sovereign's name there (the French
        # Southern Territories say "France", Greenland "Denmark", the Falklands "United
        # Kingdom"), so the first such feature read would take the sovereign's name.
        for key in ("NAME", "NAME_LONG", "ADMIN", "FORMAL_EN", "NAME_EN"):
            if p.get(key):
                ctx.country_iso.setdefault(normalise_name(str(p[key])), iso)


def _user_assigned(code: str) -> bool:
    """ISO 3166 reserves AAA-AAZ, QMA-QZZ, XAA-XZZ and ZZA-ZZZ for private use: UNHCR
    uses them for "Stateless" (XXA) and "Unknown" (XXX), which are not countries."""
    return code[:1] == "X" or code[:2] in {"AA", "ZZ"} or ("QM" <= code[:2] <= "QZ")


def known_codes(ctx: LoadContext) -> set[str]:
    """ISO3 codes of countries and territories the lookups know (Natural Earth and
    UNHCR's country list), without private-use codes.

    Parameters
    ----------
    ctx : LoadContext
        A build whose countries have been loaded.

    Returns
    -------
    set of str
    """
    return {c for c in ctx.country_iso.values() if len(c) == 3 and not _user_assigned(c)}


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
        geom = usable_polygon(ctx, DATASET, path, i, p.get("NAME"), f.get("geometry"))
        if geom is None:
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
        rows50 = []
        for i, f in enumerate(detail, start=1):
            p = f.get("properties") or {}
            # Every map page builds its basemap from these shapes: one the GEOS cannot
            # read (a two-point ring) or clip (a bow tie) would crash them all.
            geom = usable_polygon(ctx, DATASET, path50, i, p.get("NAME"), f.get("geometry"))
            if geom is not None:
                rows50.append(
                    {
                        "iso3": _iso3(p),
                        "name": p.get("NAME"),
                        "geometry": json.dumps(geom, separators=(",", ":")),
                    }
                )
        n50 = ctx.insert("countries_detail", pd.DataFrame(rows50))
        ctx.record_source(DATASET, path50, ["countries_detail"], n50)
    unhcr = ctx.sources / UNHCR_COUNTRIES
    if unhcr.exists():
        df, _ = read_csv(unhcr)
        if {"iso_code", "name"} <= set(df.columns):
            for iso, name in zip(df["iso_code"], df["name"], strict=True):
                if iso and name:
                    ctx.country_iso.setdefault(normalise_name(name), iso)
    for name, iso in ALIASES.items():
        ctx.country_iso[normalise_name(name)] = iso
    # A source that writes a code where a name belongs (the register's "HKG") resolves
    # to that code; added last so that no name is shadowed by a code.
    for code in known_codes(ctx):
        ctx.country_iso.setdefault(code.lower(), code)
    ctx.say(f"  countries: {n} countries (Natural Earth 1:110m)")
    return True


def iso_for(ctx: LoadContext, name: str) -> str | None:
    """ISO3 for a country name, or ``None``."""
    return ctx.country_iso.get(normalise_name(name)) if name else None


def report_unresolved(
    ctx: LoadContext,
    dataset: str,
    path: Path,
    column: str,
    rows: Iterable[tuple[int, str, str | None]],
) -> dict[str, str | None]:
    """Resolve every distinct country name of a file and report those that do not resolve.

    A name resolves when it, or the code the publisher gives beside it, is a known ISO3
    code (:func:`known_codes`). Each name that does not resolve, or whose publisher code
    disagrees with the name, gets one ``load_issues`` row (action ``unresolved``) at its
    first row, saying how many rows carry it; the rows themselves are kept.

    Parameters
    ----------
    ctx : LoadContext
        The build (countries loaded first).
    dataset, path, column : str, Path, str
        Where the names come from, for the issue rows.
    rows : iterable of (row, name, code)
        Source row number, country name and the publisher's code (``None`` when the file
        gives only a name).

    Returns
    -------
    dict
        ``name -> ISO3`` (``None`` when unresolved): the publisher's code when it is a
        known code, else the code the name resolves to.
    """
    known = known_codes(ctx)
    first: dict[tuple[str, str | None], int] = {}
    count: dict[tuple[str, str | None], int] = {}
    for row, name, code in rows:
        key = (name, code or None)
        first.setdefault(key, row)
        count[key] = count.get(key, 0) + 1
    out: dict[str, str | None] = {}
    for (name, code), n in count.items():
        by_name = iso_for(ctx, name)
        iso = code if code in known else by_name if code is None else None
        out[name] = iso
        label = f"{name} ({code})" if code else name
        if iso is None:
            reason = (
                f"'{code}' is not a country code" if code else "no ISO3 code for this name"
            ) + f"; placed in no country ({n:,} rows)"
        elif code and by_name not in {None, code}:
            reason = f"the name reads as {by_name}; the publisher's {code} is kept ({n:,} rows)"
        else:
            continue
        ctx.issue(dataset, path, first[(name, code)], column, label, "unresolved", reason)
    return out
