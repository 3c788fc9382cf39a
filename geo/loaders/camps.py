"""Camps and sites: the UNHCR location register, Cox's Bazar camps, the NW Syria
ISIMM sites, and 2025 site populations joined by name and country."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd

from geo.context import LoadContext
from geo.geometry import great_circle_km, usable_polygon
from geo.loaders.countries import report_unresolved
from geo.parse import (
    CellError,
    check_position,
    normalise_name,
    parse_count,
    parse_date,
    parse_float,
    parse_json_number,
)
from geo.readers import read_csv, read_geojson, require_columns

REGISTER = "camps/displacement_locations_unhcr_2020-01.csv"
COX_CENTROIDS = "camps/coxs_bazar_rohingya_camps_200908_AL1_centroids.csv"
COX_OUTLINES = "camps/coxs_bazar_rohingya_camp_outlines.geojson"
ISIMM_JULY = "camps/nw_syria_isimm_idp_sites_2020-07.csv"
ISIMM_MONTHLY = "camps/nw_syria_isimm_idp_sites_monthly_2017-02_to_2020-07.csv"
DEMOGRAPHICS = "unhcr_refugees/unhcr_demographics.csv"

ARCHIVED = "Archived data - disregard"
# A Cox's Bazar centroid and a register site of the same name this close are one camp
# (the 2020 centroids lie 0-0.23 km from their register namesakes); a namesake further
# away is taken to be another place.
SAME_PLACE_KM = 1.0


def _na(text: str) -> str | None:
    s = text.strip()
    return None if s in {"", "NA", "N/A"} else s


def _position(
    ctx, dataset, path, r, lat_text, lon_text, column, *, keep_unlocated=False
) -> tuple[float | None, float | None] | None:
    """Checked (lat, lon); ``None`` means reject the row, ``(None, None)`` keep it unmapped."""
    try:
        lat, lon, swapped = check_position(parse_float(lat_text), parse_float(lon_text))
    except CellError as exc:
        value = f"{lat_text}, {lon_text}"
        if keep_unlocated:
            ctx.issue(dataset, path, r, column, value, "unlocated", f"{exc}; listed, not mapped")
            return None, None
        ctx.issue(dataset, path, r, column, value, "rejected", str(exc))
        return None
    if swapped:
        ctx.issue(
            dataset,
            path,
            r,
            column,
            f"{lat_text}, {lon_text}",
            "repaired",
            "latitude and longitude swapped back",
        )
    return lat, lon


def _date(ctx, dataset, path, r, column, text) -> date | None:
    try:
        return parse_date(text if _na(text) else "", latest=date.today())
    except CellError as exc:
        ctx.issue(dataset, path, r, column, text, "repaired", f"{exc}; left empty")
        return None


def _register(ctx: LoadContext) -> list[dict]:
    path = ctx.sources / REGISTER
    if not path.exists():
        return []
    ds = "unhcr_register"
    df, _ = read_csv(path)
    require_columns(
        df, path, ["pcode", "Country", "name", "loc_type", "status", "POINT_X", "POINT_Y"]
    )
    out, seen = [], {}
    for rec in df.to_dict("records"):
        r = rec["_row"]
        if rec["loc_type"].strip() == ARCHIVED or rec.get("loc_subtype", "").strip() == ARCHIVED:
            ctx.issue(
                ds,
                path,
                r,
                "loc_type",
                ARCHIVED,
                "rejected",
                "the publisher marks this row archived: disregard",
            )
            continue
        pcode = _na(rec["pcode"]) or f"row{r}"
        if pcode in seen:
            ctx.issue(
                ds,
                path,
                r,
                "pcode",
                pcode,
                "rejected",
                f"duplicate pcode (first at row {seen[pcode]})",
            )
            continue
        # POINT_X is the longitude and POINT_Y the latitude (GIS x/y order).
        pos = _position(
            ctx, ds, path, r, rec["POINT_Y"], rec["POINT_X"], "POINT_X/POINT_Y", keep_unlocated=True
        )
        if pos is None:
            continue
        status = rec["status"].strip()
        if status not in {"0", "1"}:
            ctx.issue(ds, path, r, "status", status, "rejected", "status is neither 0 nor 1")
            continue
        seen[pcode] = r
        country = _na(rec["Country"]) or ""
        out.append(
            {
                "site_id": pcode,
                "dataset": ds,
                "name": _na(rec["name"]),
                "name_alt": _na(rec.get("name_alt", "")),
                "country": country,
                "iso3": None,  # resolved below, once per distinct name
                "site_type": _na(rec["loc_type"]),
                "site_subtype": _na(rec.get("loc_subtype", "")),
                "population_group": _na(rec.get("type", "")),
                "is_open": status == "1",
                "created": _date(ctx, ds, path, r, "createdate", rec.get("createdate", "")),
                "closed": _date(ctx, ds, path, r, "closedate", rec.get("closedate", "")),
                "lat": pos[0],
                "lon": pos[1],
                "position_approximate": False,
                "source_file": ctx.rel(path),
                "source_row": r,
            }
        )
    # A name with no ISO3 code would drop its sites out of the country filter and the
    # 2025 population join; each such name is reported once.
    codes = report_unresolved(
        ctx, ds, path, "Country", ((s["source_row"], s["country"], None) for s in out)
    )
    for s in out:
        s["iso3"] = codes.get(s["country"])
    ctx.record_source(ds, path, ["sites"], len(out))
    ctx.say(
        f"  UNHCR register: {len(out):,} sites, {ctx.rejected(ds, path)} rejected (incl. archived rows)"
    )
    return out


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lat, lon) points."""
    return great_circle_km(*a, *b)


def _name_index(register: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """Register sites by (ISO3, normalised name or alternative name), in register order."""
    index: dict[tuple[str, str], list[dict]] = {}
    for s in register:
        if not s["iso3"]:
            continue
        for key in dict.fromkeys(normalise_name(n) for n in (s["name"], s["name_alt"]) if n):
            index.setdefault((s["iso3"], key), []).append(s)
    return index


def _compact_index(index: dict[tuple[str, str], list[dict]]) -> dict[tuple[str, str], list[dict]]:
    """The name index keyed by names without their spaces: UNHCR writes "Za'atari" and
    "Amnaback" where the register writes "Zaatari" and "Am-Naback"."""
    compact: dict[tuple[str, str], list[dict]] = {}
    for (iso3, key), sites in index.items():
        compact.setdefault((iso3, key.replace(" ", "")), []).extend(sites)
    return compact


def _population_site(
    index: dict[tuple[str, str], list[dict]],
    compact: dict[tuple[str, str], list[dict]],
    iso3: str,
    name: str,
) -> str | None:
    """The register site a UNHCR end-2025 camp population belongs to, or ``None``.

    The same country and normalised name; failing that, the same name without spaces.
    A name that several register sites share joins only when exactly one of them is
    open (a 2025 population lives in an open camp: Mile, Chad, is open TCDs002890 and
    the closed "Mile (TC)"); otherwise the join is ambiguous and left out.
    """
    key = normalise_name(name)
    sites = index.get((iso3, key)) or compact.get((iso3, key.replace(" ", "")), [])
    ids = list(dict.fromkeys(s["site_id"] for s in sites))
    if len(ids) == 1:
        return ids[0]
    open_ids = list(dict.fromkeys(s["site_id"] for s in sites if s.get("is_open")))
    return open_ids[0] if len(open_ids) == 1 else None


def _same_place(
    index: dict[tuple[str, str], list[dict]],
    iso3: str,
    name: str,
    pos: tuple[float | None, float | None],
) -> tuple[dict, float] | None:
    """The register site that is this camp (same country and normalised name, within
    :data:`SAME_PLACE_KM`) and its distance, or ``None``."""
    if pos[0] is None or pos[1] is None:
        return None
    near = [
        (s, _km((s["lat"], s["lon"]), pos))
        for s in index.get((iso3, normalise_name(name)), [])
        if s["lat"] is not None
    ]
    near = [(s, km) for s, km in near if km <= SAME_PLACE_KM]
    return min(near, key=lambda x: x[1]) if near else None


def _coxs_bazar(ctx: LoadContext, index: dict[tuple[str, str], list[dict]]) -> list[dict]:
    """Cox's Bazar camp centroids that are not already register sites, and the camp
    outlines (all of them: they are a layer of their own, not sites)."""
    ds = "coxs_bazar"
    out = []
    path = ctx.sources / COX_CENTROIDS
    if path.exists():
        df, _ = read_csv(path)
        require_columns(df, path, ["SSID", "Camp_Name", "Latitude", "Longitude"])
        for rec in df.to_dict("records"):
            r = rec["_row"]
            pos = _position(
                ctx, ds, path, r, rec["Latitude"], rec["Longitude"], "Latitude/Longitude"
            )
            if pos is None:
                continue
            same = _same_place(index, "BGD", rec["Camp_Name"], pos)
            if same is not None:
                site, km = same
                ctx.issue(
                    ds,
                    path,
                    r,
                    "Camp_Name",
                    rec["Camp_Name"],
                    "skipped",
                    f"the same camp as register site {site['site_id']} '{site['name']}' "
                    f"({km:.2f} km apart): counted once, as the register site "
                    f"(SSID {rec['SSID'].strip()})",
                )
                # The register lacks the camp's district and upazila: take them over.
                site["admin1"] = site.get("admin1") or _na(rec.get("District", ""))
                site["admin2"] = site.get("admin2") or _na(rec.get("Upazila", ""))
                continue
            out.append(
                {
                    "site_id": rec["SSID"].strip(),
                    "dataset": ds,
                    "name": rec["Camp_Name"].strip(),
                    "name_alt": _na(rec.get("NPM_Name", "")),
                    "country": "Bangladesh",
                    "iso3": "BGD",
                    "site_type": "Camp",
                    "site_subtype": _na(rec.get("Settlement", "")),
                    "population_group": "Refugee",
                    "is_open": True,
                    "admin1": _na(rec.get("District", "")),
                    "admin2": _na(rec.get("Upazila", "")),
                    "lat": pos[0],
                    "lon": pos[1],
                    "position_approximate": False,
                    "source_file": ctx.rel(path),
                    "source_row": r,
                }
            )
        ctx.record_source(ds, path, ["sites"], len(out))
    outline = ctx.sources / COX_OUTLINES
    if outline.exists():
        data = read_geojson(outline)
        rows = []
        for i, f in enumerate(data["features"], start=1):
            p = f.get("properties") or {}
            geom = usable_polygon(ctx, ds, outline, i, p.get("CampName"), f.get("geometry"))
            if geom is None:
                continue
            numbers = {}
            for key in ("AreaSqKM", "CentroidY", "CentroidX"):
                try:
                    numbers[key] = parse_json_number(p.get(key))
                except CellError as exc:
                    ctx.issue(ds, outline, i, key, p.get(key), "repaired", f"{exc}; left empty")
                    numbers[key] = None
            rows.append(
                {
                    "ssid": p.get("CampSSID"),
                    "name": p.get("CampName"),
                    "upazila": p.get("Upazila"),
                    "union_name": p.get("Union"),
                    "area_km2": numbers["AreaSqKM"],
                    "lat": numbers["CentroidY"],
                    "lon": numbers["CentroidX"],
                    "geometry": json.dumps(geom, separators=(",", ":")),
                }
            )
        n = ctx.insert("camp_outlines", pd.DataFrame(rows))
        ctx.record_source(ds, outline, ["camp_outlines"], n)
        merged = sum(1 for i in ctx.issues if i["dataset"] == ds and i["action"] == "skipped")
        ctx.say(
            f"  Cox's Bazar: {len(out)} camp centroids as sites of their own, {merged} merged "
            f"into the register sites of the same camps; {n} camp outlines"
        )
    return out


def _isimm_month(rec: dict) -> date | None:
    try:
        y, m = rec["month"].strip().split("-")
        return date(int(y), int(m), 1)
    except (ValueError, KeyError):
        return None


def _isimm(ctx: LoadContext) -> list[dict]:
    ds = "isimm"
    out = []
    path = ctx.sources / ISIMM_JULY
    counts = ["girls", "boys", "women", "men", "individual"]
    if path.exists():
        df, _ = read_csv(path)
        require_columns(df, path, ["PCODE", "camp_name", "geo", *counts])
        for rec in df.to_dict("records"):
            r = rec["_row"]
            pos = _position(ctx, ds, path, r, rec.get("lat", ""), rec.get("lon", ""), "lat/lon")
            if pos is None:
                continue
            try:
                people = parse_count(rec["individual"], empty=None)
            except CellError as exc:
                ctx.issue(ds, path, r, "individual", rec["individual"], "rejected", str(exc))
                continue
            out.append(
                {
                    "site_id": rec["PCODE"].strip(),
                    "dataset": ds,
                    "name": rec["camp_name"].strip(),
                    "country": "Syria",
                    "iso3": "SYR",
                    "site_type": _na(rec.get("TypeSite", "")) or "unspecified",
                    "population_group": "IDP",
                    "is_open": True,
                    "admin1": _na(rec.get("governorate", "")),
                    "admin2": _na(rec.get("district", "")),
                    "lat": pos[0],
                    "lon": pos[1],
                    "position_approximate": True,
                    "individuals": people,
                    "source_file": ctx.rel(path),
                    "source_row": r,
                }
            )
        ctx.record_source(ds, path, ["sites"], len(out))
        ctx.say(
            f"  ISIMM July 2020: {len(out):,} sites, "
            f"{sum(o['individuals'] or 0 for o in out):,} people (positions approximate)"
        )
    monthly = ctx.sources / ISIMM_MONTHLY
    if monthly.exists():
        df, _ = read_csv(monthly)
        require_columns(df, monthly, ["month", "camp_name", *counts])
        rows = []
        for rec in df.to_dict("records"):
            r = rec["_row"]
            month = _isimm_month(rec)
            if month is None:
                ctx.issue(
                    ds, monthly, r, "month", rec.get("month"), "rejected", "not a YYYY-MM month"
                )
                continue
            try:
                values = {c: parse_count(rec[c], empty=None, round_fraction=True) for c in counts}
                fractional = [
                    c for c in counts if "." in rec[c] and not rec[c].strip().endswith(".0")
                ]
                if fractional:
                    ctx.issue(
                        ds,
                        monthly,
                        r,
                        fractional[0],
                        rec[fractional[0]],
                        "repaired",
                        "fractional head count rounded",
                    )
            except CellError as exc:
                ctx.issue(ds, monthly, r, "counts", "", "rejected", str(exc))
                continue
            lat = lon = None
            if rec.get("lat", "").strip() or rec.get("lon", "").strip():
                pos = _position(
                    ctx, ds, monthly, r, rec.get("lat", ""), rec.get("lon", ""), "lat/lon"
                )
                if pos:
                    lat, lon = pos
            rows.append(
                {
                    "month": month,
                    "pcode": rec.get("PCODE", "").strip() or None,
                    "governorate": _na(rec.get("governorate", "")),
                    "district": _na(rec.get("district", "")),
                    "cluster": _na(rec.get("cluster", "")),
                    "camp_name": rec["camp_name"].strip(),
                    "site_type": _na(rec.get("TypeSite", "")),
                    "girls": values["girls"],
                    "boys": values["boys"],
                    "women": values["women"],
                    "men": values["men"],
                    "individuals": values["individual"],
                    "lat": lat,
                    "lon": lon,
                    "source_file": ctx.rel(monthly),
                    "source_row": r,
                }
            )
        n = ctx.insert("isimm_site_months", pd.DataFrame(rows))
        ctx.record_source(ds, monthly, ["isimm_site_months"], n)
        ctx.say(f"  ISIMM monthly: {n:,} site-months, {ctx.rejected(ds, monthly)} rejected")
    return out


def location_level(location: str) -> str:
    """What a UNHCR camp-population ``location`` names.

    Parameters
    ----------
    location : str
        e.g. ``"Kakuma [Admin 3: PRP]"``, ``"Khartoum [Admin 1]"``,
        ``"Dispersed in the country / territory"``.

    Returns
    -------
    str
        ``"admin1"`` or ``"admin2"`` for a whole state/province or district,
        ``"dispersed"`` for people spread over the country, else ``"site"`` (an
        ``[Admin 3: ...]`` point or a bare camp name such as Chad's "Goudrane").
    """
    if location.strip().lower().startswith("dispersed"):
        return "dispersed"
    m = re.search(r"\[\s*admin\s*([12])\s*[\]:]", location, flags=re.IGNORECASE)
    return f"admin{m.group(1)}" if m else "site"


def _demographics(ctx: LoadContext, index: dict[tuple[str, str], list[dict]]) -> dict[str, int]:
    """Load P/S camp populations and join them to register sites; returns site_id -> people."""
    path = ctx.sources / DEMOGRAPHICS
    if not path.exists():
        return {}
    ds = "unhcr_demographics"
    df, _ = read_csv(path)
    require_columns(df, path, ["coa_iso", "coa_name", "location", "acc_type", "total"])
    # The join below is by the publisher's code; a name or code that is not a country is
    # reported (e.g. "Unknown", UNK).
    report_unresolved(
        ctx,
        ds,
        path,
        "coa_name/coa_iso",
        zip(df["_row"], df["coa_name"].str.strip(), df["coa_iso"].str.strip(), strict=True),
    )
    sites = df[df["acc_type"].isin(["P", "S"])]
    groups: dict[tuple[str, str], dict] = {}
    rejected = 0
    for rec in sites.to_dict("records"):
        r = rec["_row"]
        try:
            total = parse_count(rec["total"])
            female = parse_count(rec.get("f_total", ""))
            male = parse_count(rec.get("m_total", ""))
        except CellError as exc:
            ctx.issue(ds, path, r, "total", rec["total"], "rejected", str(exc))
            rejected += 1
            continue
        key = (rec["coa_iso"].strip(), rec["location"].strip())
        g = groups.setdefault(
            key,
            {
                "asylum_iso3": key[0],
                "asylum_country": rec["coa_name"].strip(),
                "location": key[1],
                "site_name": key[1].split("[")[0].strip(),
                "location_level": location_level(key[1]),
                "acc_type": rec["acc_type"],
                "female": 0,
                "male": 0,
                "total": 0,
                "_origins": set(),
            },
        )
        g["female"] += female
        g["male"] += male
        g["total"] += total
        g["_origins"].add(rec.get("coo_iso", ""))
    populations: dict[str, int] = {}
    rows = []
    compact = _compact_index(index)
    for g in groups.values():
        # Join only a named site: a state's or district's total joined to a camp of the
        # same name (Khartoum, Blue Nile) is worse than no figure.
        site_level = g["location_level"] == "site"
        match = (
            _population_site(index, compact, g["asylum_iso3"], g["site_name"])
            if site_level
            else None
        )
        if match:
            populations[match] = populations.get(match, 0) + g["total"]
        g["origins"] = len(g.pop("_origins"))
        g["matched_site_id"] = match
        rows.append(g)
    n = ctx.insert("site_populations_2025", pd.DataFrame(rows))
    ctx.record_source(ds, path, ["site_populations_2025"], len(sites) - rejected)
    matched = [g for g in rows if g["matched_site_id"]]
    people = sum(g["total"] for g in rows)
    people_matched = sum(g["total"] for g in matched)
    areas = {
        level: sum(g["total"] for g in rows if g["location_level"] == level)
        for level in ("admin1", "admin2", "dispersed")
    }
    ctx.say(
        f"  UNHCR 2025 camp populations: {n} camps (P/S) with {people:,} people; "
        f"{len(matched)} ({len(matched) / max(n, 1):.0%}) joined to a register site by name, "
        f"covering {people_matched:,} people ({people_matched / max(people, 1):.0%}); "
        f"not at a named site: {areas['admin1']:,} reported per state or province (Admin 1), "
        f"{areas['admin2']:,} per district (Admin 2), {areas['dispersed']:,} dispersed "
        f"({sum(areas.values()) / max(people, 1):.0%})"
    )
    ctx.con.execute(
        "INSERT OR REPLACE INTO build_info VALUES ('site_population_match', ?)",
        [f"{len(matched)} of {n} camps; {people_matched} of {people} people"],
    )
    return populations


def load(ctx: LoadContext) -> bool:
    """Load every camp and site file present."""
    register = _register(ctx)
    index = _name_index(register)  # one lookup for the Cox's Bazar merge and the 2025 join
    cox = _coxs_bazar(ctx, index)
    isimm = _isimm(ctx)
    if not (register or cox or isimm) and not (ctx.sources / DEMOGRAPHICS).exists():
        return False
    populations = _demographics(ctx, index)
    for s in register:
        s["population_2025"] = populations.get(s["site_id"])
    ctx.insert("sites", pd.DataFrame(register + cox + isimm))
    return True
