"""UN World Urbanization Prospects 2018, File 12 (cities over 300,000), long form in persons."""

from __future__ import annotations

import re

import pandas as pd

from geo.context import LoadContext
from geo.errors import SourceError
from geo.loaders.countries import report_unresolved
from geo.parse import CellError, check_position, parse_float
from geo.readers import read_csv, read_excel, require_columns

DATASET = "wup_cities"
FOLDER = "city_population"
REQUIRED = [
    "Country Code",
    "Country or area",
    "City Code",
    "Urban Agglomeration",
    "Latitude",
    "Longitude",
]
PROJECTION_FROM = 2020


def _find(folder):
    csvs = sorted(folder.glob("WUP2018-F12-*thousands*.csv"))
    books = sorted(folder.glob("WUP2018-F12-*.xls*"))
    if csvs:
        return csvs[-1], 1
    if books:
        return books[-1], 17  # the publisher's sheet has its header on row 17
    return None, None


def load(ctx: LoadContext) -> bool:
    """Load cities and their populations by year (thousands turned into persons)."""
    folder = ctx.sources / FOLDER
    path, header = _find(folder) if folder.exists() else (None, None)
    if path is None:
        return False
    df = (
        read_excel(path, header_row=header) if path.suffix.startswith(".xls") else read_csv(path)[0]
    )
    require_columns(df, path, REQUIRED)
    years = [c for c in df.columns if re.fullmatch(r"(19|20)\d\d", str(c).split(".")[0])]
    if not years:
        raise SourceError(path, "no population year columns (1950 ... 2035)")
    cities, pops, seen = [], [], {}
    for rec in df.to_dict("records"):
        r = rec["_row"]
        code_text = rec["City Code"].strip().split(".")[0]
        if not code_text.isdigit():
            ctx.issue(
                DATASET, path, r, "City Code", rec["City Code"], "rejected", "not a city code"
            )
            continue
        country_text = rec["Country Code"].strip().split(".")[0]
        if country_text and not country_text.isdigit():
            ctx.issue(
                DATASET,
                path,
                r,
                "Country Code",
                rec["Country Code"],
                "rejected",
                "not a country code",
            )
            continue
        code = int(code_text)
        if code in seen:
            ctx.issue(
                DATASET,
                path,
                r,
                "City Code",
                code,
                "rejected",
                f"duplicate City Code (first at row {seen[code]})",
            )
            continue
        try:
            lat, lon, swapped = check_position(
                parse_float(rec["Latitude"]), parse_float(rec["Longitude"])
            )
            values = {}
            for y in years:
                v = parse_float(
                    rec[y].replace(",", "")
                    if re.fullmatch(r"[\d,]+(\.\d+)?", rec[y].strip())
                    else rec[y]
                )
                if v is None or v < 0:
                    raise CellError(f"population for {y} is missing or negative")
                values[int(str(y).split(".")[0])] = v
        except CellError as exc:
            ctx.issue(
                DATASET, path, r, "Latitude/Longitude or population", "", "rejected", str(exc)
            )
            continue
        if swapped:
            ctx.issue(
                DATASET,
                path,
                r,
                "Latitude/Longitude",
                "",
                "repaired",
                "latitude and longitude swapped back",
            )
        for y in years:
            if "," in rec[y]:
                ctx.issue(
                    DATASET, path, r, str(y), rec[y], "repaired", "thousands separator removed"
                )
        seen[code] = r
        country_code = int(country_text or 0)
        cities.append(
            {
                "city_code": code,
                "country_code": country_code,
                "country": rec["Country or area"].strip(),
                "iso3": ctx.numeric_iso.get(country_code),
                "_row": r,
                "name": rec["Urban Agglomeration"].strip(),
                "note": rec.get("Note", "").strip() or None,
                "lat": lat,
                "lon": lon,
            }
        )
        for y, v in values.items():
            # The source is in thousands with three decimals, i.e. exact persons.
            pops.append(
                {
                    "city_code": code,
                    "year": y,
                    "population": round(v * 1000),
                    "projected": y >= PROJECTION_FROM,
                }
            )
    # Cities are placed by the numeric country code (the name where the code is unknown);
    # a country that resolves to no ISO3 code is reported once.
    resolved = report_unresolved(
        ctx,
        DATASET,
        path,
        "Country Code/Country or area",
        ((c["_row"], c["country"], c["iso3"]) for c in cities),
    )
    for c in cities:
        c["iso3"] = resolved.get(c["country"])
    n = ctx.insert("cities", pd.DataFrame(cities), path=path)
    m = ctx.insert("city_population", pd.DataFrame(pops), path=path)
    ctx.record_source(DATASET, path, ["cities", "city_population"], n)
    ctx.say(
        f"  WUP cities: {n:,} cities x {len(years)} years = {m:,} populations, {ctx.rejected(DATASET, path)} rejected"
    )
    return True
