"""An independent count of the raw source files, for the reconciliation tests.

Nothing here imports ``geo``: each figure is recomputed from the files of the sources
mirror with plain ``csv``/``json``/pandas, following the publishers' rules as
``SOURCES.md`` states them, so that a loader bug cannot hide by being shared with
the expectation. Where a rule had to be chosen (which copy of a place counts, how a
country name resolves), the choice is written next to it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------- MMP

MMP_FOLDER = "missing_migrants"
EXPORT_GLOB = "Missing_Migrants_Global_Figures_allData*.csv"
BOM = "\ufeff"
# Values of a multi-valued cell are joined by a bare comma ("Drowning,Violence"),
# while the one cause whose name holds commas writes them with a space ("shelter,
# food, water"): splitting on commas not followed by a space keeps it whole without
# a list of known names.
_JOIN = re.compile(r",(?!\s)")


def split_values(text: str) -> tuple[str, ...]:
    """The distinct values of a comma-joined cell, whitespace collapsed, in source order.

    Parameters
    ----------
    text : str
        A cell such as ``"Central Mediterranean,Western Mediterranean"``.

    Returns
    -------
    tuple of str
    """
    out: list[str] = []
    for part in _JOIN.split(text or ""):
        value = " ".join(part.split())
        if value and value not in out:
            out.append(value)
    return tuple(out)


def count_value(text: object) -> int | None:
    """A head count from a cell: ``"1,022"`` -> 1022, empty -> ``None``."""
    s = str(text if text is not None else "").strip().replace(",", "")
    if s == "":
        return None
    return int(Decimal(s))


def _iso_day(text: str) -> date | None:
    """An ISO date (optionally followed by a time); anything else is no date."""
    m = re.match(r"^\s*(\d{4})-(\d{2})-(\d{2})", text or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _export_path(folder: Path) -> Path:
    found = sorted(folder.glob(EXPORT_GLOB))
    assert found, f"no MMP export CSV in {folder}"
    # Dated names sort by date; the newest download is the one that counts.
    return found[-1]


def read_export(folder: Path) -> pd.DataFrame:
    """One incident per export row (``Main ID``), with its year and totals.

    The year is that of ``Incident Date``, else ``Incident Year`` (one row dated "0"
    in the 2025-04 export), else the year the ``Main ID`` starts with (13 rows have no
    date and no year).
    """
    df = pd.read_csv(_export_path(folder), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    rows = []
    for rec in df.to_dict("records"):
        raw_id = rec["Main ID"].strip()
        main_id = raw_id.lstrip(BOM).strip()
        day = _iso_day(rec["Incident Date"])
        year_text = rec["Incident Year"].strip()
        if day:
            year = day.year
        elif year_text.isdigit():
            year = int(year_text)
        else:
            # 13 rows of the 2025-04 export have neither; IOM ids start with the year.
            year = int(main_id[:4])
        dead = count_value(rec["Number of Dead"]) or 0
        missing = count_value(rec["Minimum Estimated Number of Missing"]) or 0
        total = count_value(rec["Total Number of Dead and Missing"])
        rows.append(
            {
                "id": main_id,
                "source": "export",
                "date": day,
                "year": year,
                "dead": dead,
                "missing": missing,
                "dead_and_missing": dead + missing if total is None else total,
                "regions": split_values(rec["Region of Incident"]),
                "routes": split_values(rec["Migration Route"]),
                "causes": split_values(rec["Cause of Death"]),
                "type": rec["Incident Type"].strip(),
                "had_bom": raw_id.startswith(BOM),
            }
        )
    out = pd.DataFrame(rows)
    assert not out["id"].duplicated().any(), "the export should have one row per Main ID"
    return out


def _endpoint_records(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):  # a response wrapped in an object: its one list of records
        data = next(v for v in data.values() if isinstance(v, list))
    return data


def read_endpoint(folder: Path) -> pd.DataFrame:
    """One incident per ``web_id`` over every ``api/*.json`` file.

    All rows of a web_id are summed, identical ones included: they are separate groups
    of origin (issue 12, finding 3). The incident's date is its earliest
    ``reported_date``; an incident with no date at all takes its file's year.
    """
    groups: dict[str, list[tuple[int | None, dict]]] = {}
    for path in sorted((folder / "api").glob("*.json")):
        file_year = int(path.stem) if path.stem.isdigit() else None
        for rec in _endpoint_records(path):
            web_id = str(rec.get("web_id") or "").strip().lstrip(BOM).strip()
            if web_id:
                groups.setdefault(web_id, []).append((file_year, rec))
    rows = []
    for web_id, items in groups.items():
        dead = missing = total = 0
        lists: dict[str, list[str]] = {"region": [], "migration_route": [], "cause_death": []}
        days = []
        for _, rec in items:
            d = count_value(rec.get("number_dead")) or 0
            m = count_value(rec.get("number_missing")) or 0
            t = count_value(rec.get("total_dead_and_missing"))
            dead, missing, total = dead + d, missing + m, total + (d + m if t is None else t)
            # An incident's list is the union over its origin groups' rows.
            for key, acc in lists.items():
                acc.extend(v for v in split_values(rec.get(key, "")) if v not in acc)
            day = _iso_day(str(rec.get("reported_date") or ""))
            if day:
                days.append(day)
        day = min(days) if days else None
        rows.append(
            {
                "id": web_id,
                "source": "endpoint",
                "date": day,
                "year": day.year if day else items[0][0],
                "dead": dead,
                "missing": missing,
                "dead_and_missing": total,
                "regions": tuple(lists["region"]),
                "routes": tuple(lists["migration_route"]),
                "causes": tuple(lists["cause_death"]),
                "type": "",
                "rows": len(items),
                "identical_rows": len(items)
                - len({json.dumps(r, sort_keys=True) for _, r in items}),
                "file_year": items[0][0],
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class MMP:
    """The incidents the app should hold, and how each year was decided."""

    incidents: pd.DataFrame
    export: pd.DataFrame
    endpoint: pd.DataFrame
    export_last_date: date
    endpoint_years: frozenset[int]

    def dropped_export_ids(self) -> list[str]:
        """Export ids of an endpoint year that the endpoint no longer has."""
        later = set(self.endpoint["id"])
        mask = self.export["year"].isin(self.endpoint_years) & ~self.export["id"].isin(later)
        return sorted(self.export.loc[mask, "id"])


def read_mmp(sources: Path) -> MMP:
    """Merge the export and the endpoint files: each year from its later publication.

    The export (published after its last incident, 2025-04-29 here) is the later
    publication of every year before its last one; the endpoint file of a year equal to
    or after the export's last year was saved later still (SOURCES.md). That source
    supplies all of the year's incidents, and an id the later source lacks is not
    carried over from the earlier one.
    """
    folder = sources / MMP_FOLDER
    export = read_export(folder)
    endpoint = read_endpoint(folder)
    last = max(d for d in export["date"] if d is not None)
    file_years = {int(p.stem) for p in (folder / "api").glob("*.json") if p.stem.isdigit()}
    later_years = {y for y in endpoint["year"].dropna().astype(int) if y > last.year}
    endpoint_years = frozenset({y for y in file_years if y >= last.year} | later_years)
    incidents = pd.concat(
        [
            export[~export["year"].isin(endpoint_years)],
            endpoint[endpoint["year"].isin(endpoint_years)],
        ],
        ignore_index=True,
    )
    return MMP(incidents, export, endpoint, last, endpoint_years)


def mmp_filter(
    incidents: pd.DataFrame,
    date_from: date,
    date_to: date,
    regions=(),
    routes=(),
    causes=(),
) -> pd.DataFrame:
    """The incidents the Deadly routes filters select (empty lists mean all).

    A dated incident passes when its day is in the range; one with only a year when the
    range covers that whole year within the data's first and last dates (the page's
    stated rule: June of that year leaves it out, and says so). A list filter passes an
    incident carrying any of the chosen values.
    """
    day = pd.to_datetime(incidents["date"])
    year = incidents["year"].astype(int).astype(str)
    lo = day.fillna(pd.to_datetime(year + "-01-01").clip(lower=day.min()))
    hi = day.fillna(pd.to_datetime(year + "-12-31").clip(upper=day.max()))
    mask = (lo >= pd.Timestamp(date_from)) & (hi <= pd.Timestamp(date_to))
    for column, wanted in (("regions", regions), ("routes", routes), ("causes", causes)):
        if wanted:
            chosen = set(wanted)
            mask &= incidents[column].map(lambda values, chosen=chosen: bool(chosen & set(values)))
    return incidents[mask]


def mmp_breakdown(incidents: pd.DataFrame, column: str) -> pd.DataFrame:
    """Totals per value of a list column (an incident with two values counts on each)."""
    long = incidents.explode(column).dropna(subset=[column])
    return long.groupby(column).agg(
        incidents=("id", "size"),
        dead_and_missing=("dead_and_missing", "sum"),
        dead=("dead", "sum"),
        missing=("missing", "sum"),
    )


def mmp_totals(selected: pd.DataFrame) -> dict[str, int]:
    """Headline figures of a set of incidents."""
    return {
        "incidents": len(selected),
        "dead_and_missing": int(selected["dead_and_missing"].sum()),
        "dead": int(selected["dead"].sum()),
        "missing": int(selected["missing"].sum()),
    }


# --------------------------------------------------------------------------- countries

# Names of the UNHCR location register that neither UNHCR's nor Natural Earth's
# country list spells this way (checked by hand against ISO 3166).
COUNTRY_ALIASES = {
    "Rep. of Chad": "TCD",
    "Serbia*": "SRB",  # UNHCR's footnote mark: "Serbia and Kosovo (S/RES/1244 (1999))"
    "Swaziland": "SWZ",
    "The former Yugoslav Republic of Macedonia": "MKD",
    "HKG": "HKG",
}


def country_codes(sources: Path) -> dict[str, str]:
    """Country name -> ISO 3166 alpha-3, from UNHCR's own country table first.

    UNHCR's table comes first because its names are the register's; Natural Earth's
    names fill gaps, skipping its ``-99`` codes (France and Norway have ``ISO_A3``
    -99 in some versions, which is how a Paris site ends up in the French Southern
    Territories if one falls back on another field).
    """
    codes: dict[str, str] = {}
    ne = json.loads(
        (sources / "natural_earth" / "ne_50m_admin_0_countries.geojson").read_text("utf-8")
    )
    for f in ne["features"]:
        p = f["properties"]
        iso = p.get("ISO_A3")
        if not iso or iso == "-99":
            continue
        for key in ("NAME", "NAME_LONG", "ADMIN", "FORMAL_EN"):
            if p.get(key):
                codes[p[key]] = iso
    unhcr = pd.read_csv(
        sources / "unhcr_refugees" / "unhcr_countries.csv", dtype=str, keep_default_na=False
    )
    codes.update(zip(unhcr["name"].str.strip(), unhcr["iso_code"].str.strip(), strict=True))
    codes.update(COUNTRY_ALIASES)
    return codes


# --------------------------------------------------------------------------- sites

REGISTER = "camps/displacement_locations_unhcr_2020-01.csv"
COX_CENTROIDS = "camps/coxs_bazar_rohingya_camps_200908_AL1_centroids.csv"
ISIMM_JULY = "camps/nw_syria_isimm_idp_sites_2020-07.csv"
ISIMM_MONTHLY = "camps/nw_syria_isimm_idp_sites_monthly_2017-02_to_2020-07.csv"
ARCHIVED = "Archived data - disregard"
SAME_PLACE_KM = 1.0


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine, mean Earth radius 6371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def km_to(lat: float, lon: float, places: pd.DataFrame) -> pd.Series:
    """Great-circle distance in km from one point to each row's ``lat``/``lon`` (vectorised)."""
    p1, p2 = np.radians(lat), np.radians(places["lat"].astype(float))
    dlon = np.radians(places["lon"].astype(float) - lon)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def _null(text: str) -> str | None:
    s = (text or "").strip()
    return None if s in {"", "NA", "N/A"} else s


def _number(text: str) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def read_sites(sources: Path) -> pd.DataFrame:
    """Every place of the camps files, each counted once.

    - UNHCR register: one site per ``pcode`` (one pcode is repeated, BFAs004462, and
      is one register entry), leaving out the 143 rows typed "Archived data -
      disregard"; ``status`` 1 is open; ``POINT_Y`` is the latitude.
    - Cox's Bazar centroids: a camp the register already holds (same name, within
      1 km, in Bangladesh) is the same place and is not counted again; the register's
      copy (type, status) is the one that stays.
    - ISIMM July 2020: one open site per row in Syria; no ``TypeSite`` is "unspecified".

    Returns
    -------
    pandas.DataFrame
        Columns dataset, site_id, name, country, iso3, site_type, is_open, lat, lon.
    """
    codes = country_codes(sources)
    reg = pd.read_csv(sources / REGISTER, dtype=str, keep_default_na=False)
    reg = reg[reg["loc_type"].str.strip() != ARCHIVED]
    reg = reg.drop_duplicates(subset="pcode", keep="first")
    register = pd.DataFrame(
        {
            "dataset": "unhcr_register",
            "site_id": reg["pcode"].str.strip(),
            "name": reg["name"].str.strip(),
            "country": reg["Country"].str.strip(),
            "site_type": reg["loc_type"].map(_null),
            "is_open": reg["status"].str.strip() == "1",
            "lat": reg["POINT_Y"].map(_number),
            "lon": reg["POINT_X"].map(_number),
        }
    )
    cox = pd.read_csv(sources / COX_CENTROIDS, dtype=str, keep_default_na=False)
    bgd = register[register["country"] == "Bangladesh"].dropna(subset=["lat", "lon"])

    def known(rec) -> bool:
        lat, lon, name = float(rec["Latitude"]), float(rec["Longitude"]), rec["Camp_Name"]
        same = bgd[
            bgd["name"].str.lower().str.split().str.join(" ") == " ".join(name.lower().split())
        ]
        return any(km(lat, lon, r.lat, r.lon) <= SAME_PLACE_KM for r in same.itertuples())

    cox = cox[~cox.apply(known, axis=1)] if len(cox) else cox
    coxs = pd.DataFrame(
        {
            "dataset": "coxs_bazar",
            "site_id": cox["SSID"].str.strip(),
            "name": cox["Camp_Name"].str.strip(),
            "country": "Bangladesh",
            "site_type": "Camp",
            "is_open": True,
            "lat": cox["Latitude"].map(_number),
            "lon": cox["Longitude"].map(_number),
        }
    )
    isimm = pd.read_csv(sources / ISIMM_JULY, dtype=str, keep_default_na=False)
    syria = pd.DataFrame(
        {
            "dataset": "isimm",
            "site_id": isimm["PCODE"].str.strip(),
            "name": isimm["camp_name"].str.strip(),
            "country": "Syrian Arab Republic",
            "site_type": isimm["TypeSite"].map(_null).fillna("unspecified"),
            "is_open": True,
            "lat": isimm["lat"].map(_number),
            "lon": isimm["lon"].map(_number),
        }
    )
    sites = pd.concat([register, coxs, syria], ignore_index=True)
    sites["iso3"] = sites["country"].map(codes)
    return sites


def read_isimm_months(sources: Path) -> pd.DataFrame:
    """Sites and people per month of the ISIMM monthly file (fractions rounded)."""
    df = pd.read_csv(sources / ISIMM_MONTHLY, dtype=str, keep_default_na=False)
    people = df["individual"].map(lambda s: round(float(s)) if s.strip() else 0)
    out = (
        pd.DataFrame({"month": df["month"].str.strip(), "individuals": people})
        .groupby("month")
        .agg(sites=("individuals", "size"), individuals=("individuals", "sum"))
    )
    return out


DEMOGRAPHICS = "unhcr_refugees/unhcr_demographics.csv"


def read_camp_populations(sources: Path) -> pd.DataFrame:
    """End-2025 people per (country of asylum, location) of the P/S rows, with the level
    UNHCR reports them at.

    The level is read from the location's tag: "[Admin 1: ...]" is a whole state or
    province, "[Admin 2: ...]" a district, "Dispersed in the country / territory" is
    no place at all, and anything else ("[Admin 3: ...]" or a bare name) names a site.
    """
    df = pd.read_csv(sources / DEMOGRAPHICS, dtype=str, keep_default_na=False)
    df = df[df["acc_type"].str.strip().isin(["P", "S"])]
    location = df["location"].str.strip()
    level = pd.Series("site", index=df.index)
    level[location.str.contains(r"\[Admin 1\b", regex=True)] = "admin1"
    level[location.str.contains(r"\[Admin 2\b", regex=True)] = "admin2"
    level[location.str.lower().str.startswith("dispersed")] = "dispersed"
    out = pd.DataFrame(
        {
            "asylum_iso3": df["coa_iso"].str.strip(),
            "location": location,
            "level": level,
            "total": df["total"].map(lambda s: count_value(s) or 0),
        }
    )
    return out.groupby(["asylum_iso3", "location", "level"], as_index=False)["total"].sum()


# --------------------------------------------------------------------------- UNHCR

POPULATION = "unhcr_refugees/unhcr_population.csv"


def read_refugees(sources: Path) -> pd.DataFrame:
    """Refugees and asylum-seekers per (year, country of asylum) from unhcr_population.csv."""
    df = pd.read_csv(sources / POPULATION, dtype=str, keep_default_na=False)
    out = pd.DataFrame(
        {
            "year": df["year"].astype(int),
            "asylum_iso3": df["coa_iso"].str.strip(),
            # Empty counts are zero (the package writes no value for none).
            "refugees": df["refugees"].map(lambda s: count_value(s) or 0),
            "asylum_seekers": df["asylum_seekers"].map(lambda s: count_value(s) or 0),
        }
    )
    g = out.groupby(["year", "asylum_iso3"], as_index=False)[["refugees", "asylum_seekers"]].sum()
    g["total"] = g["refugees"] + g["asylum_seekers"]
    return g[g["total"] > 0].reset_index(drop=True)


# --------------------------------------------------------------------------- WUP

WUP_GLOB = "city_population/WUP2018-F12-*thousands*.csv"


def read_wup(sources: Path) -> pd.DataFrame:
    """Long form of WUP 2018 File 12: city_code, name, lat, lon, year, population (persons).

    The file gives thousands with three decimals, so thousands x 1000 is an exact head
    count; Decimal keeps it exact.
    """
    path = sorted(sources.glob(WUP_GLOB))[-1]
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    years = [c for c in df.columns if re.fullmatch(r"(19|20)\d\d", c)]
    long = df.melt(
        id_vars=["City Code", "Urban Agglomeration", "Latitude", "Longitude"],
        value_vars=years,
        var_name="year",
        value_name="thousands",
    )
    return pd.DataFrame(
        {
            "city_code": long["City Code"].astype(int),
            "name": long["Urban Agglomeration"].str.strip(),
            "lat": long["Latitude"].astype(float),
            "lon": long["Longitude"].astype(float),
            "year": long["year"].astype(int),
            "population": long["thousands"].map(
                lambda s: int((Decimal(s.replace(",", "")) * 1000).to_integral_value())
            ),
        }
    )


# --------------------------------------------------------------------------- CIFAL

# The app loads the project's own compiled table (data/), which corrects the mirror's
# hand-made list (two renamed centres, two re-geocoded cities); see its notes column.
CIFAL_TABLE = Path(__file__).resolve().parents[2] / "data" / "cifal_centres.csv"
CORRIDORS = Path(__file__).resolve().parents[2] / "data" / "route_corridors.geojson"


def read_cifal(path: Path = CIFAL_TABLE) -> pd.DataFrame:
    """CIFAL centres with usable coordinates: centre, active, lat, lon."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    lat, lon = df["lat"].map(_number), df["lon"].map(_number)
    ok = lat.notna() & lon.notna() & lat.abs().le(90) & lon.abs().le(180)
    return pd.DataFrame(
        {
            "centre": df.loc[ok, "centre"].str.strip(),
            "active": df.loc[ok, "active"].str.strip().str.lower() != "false",
            "lat": lat[ok],
            "lon": lon[ok],
        }
    ).reset_index(drop=True)


def read_destinations(path: Path = CORRIDORS) -> pd.DataFrame:
    """The destination end (last vertex) of each schematic route corridor."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for f in data["features"]:
        lon, lat = f["geometry"]["coordinates"][-1][:2]
        rows.append({"route": f["properties"]["route"], "lat": lat, "lon": lon})
    return pd.DataFrame(rows)
