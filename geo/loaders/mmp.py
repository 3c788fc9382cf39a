"""IOM Missing Migrants Project incidents: the export (csv or xlsx) merged with the
JSON endpoint files, one row per incident.

Counting rule (see data/TABLES.md): the export has one row per ``Main ID``; IOM
already merged the records of a split incident (one per group of origin) into that
row, and a cumulative incident is one record of remains found over a period. Each
export row is therefore counted once, whatever its type, which reproduces IOM's
published total. The endpoint's rows sharing a ``web_id`` are summed into one
incident. Endpoint incidents are added only when the export lacks their id and they
are dated after the export's last incident: earlier endpoint-only ids are records
the export (the fuller, later record) superseded, and adding them would double count.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from geo.context import LoadContext
from geo.errors import SourceError
from geo.parse import CellError, parse_count, parse_date, parse_latlon, split_multi
from geo.queries import INCIDENT_CODES_FILE, run_script
from geo.readers import read_csv, read_excel, read_json_records, require_columns

EXPORT = "mmp_export"
ENDPOINT = "mmp_endpoint"
FOLDER = "missing_migrants"
EXPORT_GLOB = "Missing_Migrants_Global_Figures_allData*"

REQUIRED_EXPORT = [
    "Main ID",
    "Incident Type",
    "Incident Date",
    "Number of Dead",
    "Total Number of Dead and Missing",
    "Region of Incident",
    "Cause of Death",
    "Migration Route",
    "Coordinates",
]
REQUIRED_ENDPOINT = ["web_id", "reported_date", "total_dead_and_missing", "location_coodinates"]

# Publisher's cause-of-death vocabulary; one category contains commas itself.
CAUSES = (
    "Harsh environmental conditions / lack of adequate shelter, food, water",
    "Sickness / lack of access to adequate healthcare",
    "Vehicle accident / death linked to hazardous transport",
    "Mixed or unknown",
    "Drowning",
    "Violence",
    "Accidental death",
)
MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
NEGATIVE_OK = {
    "Minimum Estimated Number of Missing",
    "number_missing",
    "Number of Survivors",
    "number_of_survivors",
}
NULL_IF_NEGATIVE = {"Number of Survivors", "number_of_survivors"}
_ID_YEAR = re.compile(r"^(19|20)\d\d(?=\.)")


def _safe_url(text: str) -> str | None:
    s = text.strip()
    # Several links are sometimes joined; keep the first, and only http(s).
    first = re.split(r"[\s,;|]+", s)[0] if s else ""
    return first if re.match(r"^https?://", first, re.IGNORECASE) else None


def _find_export(folder: Path) -> Path | None:
    candidates = sorted(folder.glob(EXPORT_GLOB))
    csvs = [p for p in candidates if p.suffix.lower() == ".csv"]
    books = [p for p in candidates if p.suffix.lower() in {".xlsx", ".xls"}]
    # The CSV is the same table as the workbook and loads ten times faster.
    return (csvs or books or [None])[-1]


def _get(row: dict, column: str) -> str:
    return str(row.get(column, "") or "")


class _Rows:
    """Turns source rows into incident dicts, recording issues as it goes."""

    def __init__(self, ctx: LoadContext, dataset: str, path: Path):
        self.ctx, self.dataset, self.path = ctx, dataset, path
        self.latest = date.today()

    def issue(self, row: int, column: str, value: object, action: str, reason: str) -> None:
        self.ctx.issue(self.dataset, self.path, row, column, value, action, reason)

    def count(self, row: int, column: str, text: str, empty: int | None = 0) -> int | None:
        # Negative missing counts are the publisher's corrections (a person first
        # counted missing was found dead): kept, so that dead + missing = total.
        value = parse_count(text, empty=empty, allow_negative=column in NEGATIVE_OK)
        if "," in text.strip():
            self.issue(row, column, text, "repaired", "thousands separator removed")
        if value is not None and value < 0 and column in NULL_IF_NEGATIVE:
            self.issue(row, column, text, "repaired", "negative count treated as not reported")
            return None
        return value

    def position(self, row: int, column: str, text: str) -> tuple[float | None, float | None]:
        try:
            lat, lon, swapped = parse_latlon(text)
        except CellError as exc:
            self.issue(row, column, text, "unlocated", f"{exc}; kept in totals, not mapped")
            return None, None
        if swapped:
            self.issue(row, column, text, "repaired", "latitude and longitude swapped back")
        return lat, lon

    def url(self, row: int, text: str) -> str | None:
        url = _safe_url(text)
        if text.strip() and url is None:
            self.issue(row, "URL", text, "repaired", "link dropped: not http(s)")
        return url


def _export_rows(ctx: LoadContext, path: Path) -> list[dict]:
    df = read_excel(path) if path.suffix.lower() in {".xlsx", ".xls"} else read_csv(path)[0]
    if "Main ID" not in df.columns and "web_id" in df.columns:
        raise SourceError(
            path,
            "missing required column 'Main ID': the columns are the JSON endpoint's field "
            "names (web_id, reported_date, ...), not the export's",
        )
    require_columns(df, path, REQUIRED_EXPORT)
    rows = _Rows(ctx, EXPORT, path)
    seen: dict[str, int] = {}
    out = []
    for rec in df.to_dict("records"):
        r = rec["_row"]
        main_id = _get(rec, "Main ID").strip()
        if not main_id:
            rows.issue(r, "Main ID", "", "rejected", "no Main ID")
            continue
        if main_id in seen:
            rows.issue(
                r,
                "Main ID",
                main_id,
                "rejected",
                f"duplicate Main ID (first at row {seen[main_id]})",
            )
            continue
        try:
            dead = rows.count(r, "Number of Dead", _get(rec, "Number of Dead"))
            missing = rows.count(
                r,
                "Minimum Estimated Number of Missing",
                _get(rec, "Minimum Estimated Number of Missing"),
            )
            total_text = _get(rec, "Total Number of Dead and Missing")
            total = rows.count(r, "Total Number of Dead and Missing", total_text, empty=None)
            extra = {
                key: rows.count(r, col, _get(rec, col), empty=None)
                for key, col in [
                    ("survivors", "Number of Survivors"),
                    ("females", "Number of Females"),
                    ("males", "Number of Males"),
                    ("children", "Number of Children"),
                ]
            }
        except CellError as exc:
            rows.issue(r, "counts", "", "rejected", str(exc))
            continue
        if total is None:
            total = dead + missing
            rows.issue(
                r, "Total Number of Dead and Missing", "", "repaired", "empty: dead + missing"
            )
        date_text = _get(rec, "Incident Date")
        year = month = None
        try:
            when = parse_date(date_text, latest=rows.latest)
        except CellError as exc:
            when = None
            reason = str(exc)
        else:
            reason = "no date"
        if when is not None:
            year, month = when.year, when.month
        else:
            year_text = _get(rec, "Incident Year").strip()
            id_year = _ID_YEAR.match(main_id)
            if year_text.isdigit() and 1900 < int(year_text) <= rows.latest.year:
                year, how = int(year_text), "'Incident Year'"
            elif id_year:
                year, how = int(id_year.group(0)), "the Main ID prefix"
            else:
                rows.issue(r, "Incident Date", date_text, "rejected", f"{reason} and no year")
                continue
            month = MONTHS.get(_get(rec, "Month").strip().lower())
            rows.issue(r, "Incident Date", date_text, "repaired", f"{reason}; year from {how}")
        lat, lon = rows.position(r, "Coordinates", _get(rec, "Coordinates"))
        regions = split_multi(_get(rec, "Region of Incident"))
        seen[main_id] = r
        out.append(
            {
                "incident_id": main_id,
                "record_ids": split_multi(_get(rec, "Incident ID")) or [main_id],
                "origin": "export",
                "incident_type": _get(rec, "Incident Type").strip() or "Incident",
                "incident_date": when,
                "date_imputed": when is None,
                "year": year,
                "month": month,
                "dead": dead,
                "missing": missing,
                "dead_and_missing": total,
                **extra,
                "regions": regions,
                "region": regions[0] if regions else None,
                "origin_countries": split_multi(_get(rec, "Country of Origin")),
                "origin_regions": split_multi(_get(rec, "Region of Origin")),
                "causes": split_multi(_get(rec, "Cause of Death"), CAUSES),
                "country": _get(rec, "Country of Incident").strip() or None,
                "routes": split_multi(_get(rec, "Migration Route")),
                "location": _get(rec, "Location of Incident").strip() or None,
                "lat": lat,
                "lon": lon,
                "unsd_grouping": _get(rec, "UNSD Geographical Grouping").strip() or None,
                "information_source": _get(rec, "Information Source").strip() or None,
                "url": rows.url(r, _get(rec, "URL")),
                "source_quality": _get(rec, "Source Quality").strip() or None,
                "source_file": ctx.rel(path),
                "source_row": r,
            }
        )
    return out


def _endpoint_records(ctx: LoadContext, path: Path) -> list[dict]:
    records = read_json_records(path)
    if records:
        fields = set().union(*(r.keys() for r in records[:50]))
        for column in REQUIRED_ENDPOINT:
            if column not in fields:
                hint = (
                    ": the fields are the export's column names (Main ID, Incident Date, ...), "
                    "not the endpoint's"
                    if "Main ID" in fields
                    else ""
                )
                raise SourceError(path, f"missing required field '{column}'{hint}")
    rows = _Rows(ctx, ENDPOINT, path)
    out = []
    for n, rec in enumerate(records, start=1):
        web_id = _get(rec, "web_id").strip()
        if not web_id:
            rows.issue(n, "web_id", "", "rejected", "no web_id")
            continue
        try:
            counts = {
                key: rows.count(n, col, _get(rec, col), empty=None)
                for key, col in [
                    ("dead", "number_dead"),
                    ("missing", "number_missing"),
                    ("dead_and_missing", "total_dead_and_missing"),
                    ("survivors", "number_of_survivors"),
                    ("females", "number_of_female"),
                    ("males", "number_of_male"),
                    ("children", "number_of_children"),
                ]
            }
        except CellError as exc:
            rows.issue(n, "counts", "", "rejected", str(exc))
            continue
        try:
            when = parse_date(_get(rec, "reported_date"), latest=rows.latest)
        except CellError as exc:
            rows.issue(n, "reported_date", _get(rec, "reported_date"), "rejected", str(exc))
            continue
        out.append({"n": n, "web_id": web_id, "when": when, "rec": rec, **counts})
    return out


def _without_duplicates(
    ctx: LoadContext, items: list[tuple[Path, dict]]
) -> list[tuple[Path, dict]]:
    """Drop records identical in every field to an earlier one of the same web_id.

    The endpoint's rows of one incident differ by group of origin; a row repeating
    another exactly is a duplicate, and summing it would count its dead twice.
    """
    seen: dict[tuple, tuple[Path, int]] = {}
    kept = []
    for path, item in items:
        key = tuple(sorted((k, str(v)) for k, v in item["rec"].items()))
        if key in seen:
            first_path, first_n = seen[key]
            ctx.issue(
                ENDPOINT,
                path,
                item["n"],
                "web_id",
                item["web_id"],
                "skipped",
                f"exact duplicate of {ctx.rel(first_path)} record {first_n}; counted once",
            )
            continue
        seen[key] = (path, item["n"])
        kept.append((path, item))
    return kept


def _merge_endpoint(ctx: LoadContext, paths: list[Path], export_ids: set[str], after: date | None):
    """Sum the endpoint's rows per web_id; keep ids the export lacks, dated after it."""
    groups: dict[str, list[tuple[Path, dict]]] = {}
    for path in paths:
        for item in _endpoint_records(ctx, path):
            groups.setdefault(item["web_id"], []).append((path, item))
    added, superseded, undated = [], 0, 0
    for web_id, items in groups.items():
        if web_id in export_ids:
            continue
        items = _without_duplicates(ctx, items)
        dates = [i["when"] for _, i in items if i["when"] is not None]
        when = min(dates) if dates else None
        if when is None:
            undated += 1
            path, first = items[0]
            ctx.issue(ENDPOINT, path, first["n"], "reported_date", "", "rejected", "no date")
            continue
        if after is not None and when <= after:
            superseded += 1
            continue
        path, first = items[0]
        rec = first["rec"]
        rows = _Rows(ctx, ENDPOINT, path)

        def total(key: str, items=items) -> int | None:
            values = [i[key] for _, i in items if i[key] is not None]
            return sum(values) if values else None

        dead, missing = total("dead") or 0, total("missing") or 0
        dm = total("dead_and_missing")
        lat, lon = rows.position(
            first["n"], "location_coodinates", _get(rec, "location_coodinates")
        )
        union = lambda col, vocab=(), items=items: list(  # noqa: E731
            dict.fromkeys(v for _, i in items for v in split_multi(_get(i["rec"], col), vocab))
        )
        regions = union("region")
        added.append(
            {
                "incident_id": web_id,
                "record_ids": [web_id],
                "origin": "endpoint",
                "incident_type": "Split Incident" if len(items) > 1 else "Incident",
                "incident_date": when,
                "date_imputed": False,
                "year": when.year,
                "month": when.month,
                "dead": dead,
                "missing": missing,
                "dead_and_missing": dm if dm is not None else dead + missing,
                "survivors": total("survivors"),
                "females": total("females"),
                "males": total("males"),
                "children": total("children"),
                "regions": regions,
                "region": regions[0] if regions else None,
                "origin_countries": union("country_origin"),
                "origin_regions": union("region_origin"),
                "causes": union("cause_death", CAUSES),
                "country": _get(rec, "country_of_incident").strip() or None,
                "routes": union("migration_route"),
                "location": _get(rec, "location_description").strip() or None,
                "lat": lat,
                "lon": lon,
                "unsd_grouping": _get(rec, "unsd_geographic_grouping").strip() or None,
                "information_source": _get(rec, "information_source").strip() or None,
                "url": rows.url(first["n"], _get(rec, "url")),
                "source_quality": _get(rec, "source_quality").strip() or None,
                "source_file": ctx.rel(path),
                "source_row": first["n"],
            }
        )
    return added, superseded, undated, sum(len(v) for v in groups.values())


def load(ctx: LoadContext) -> bool:
    """Load the export and the endpoint files found in ``missing_migrants/``."""
    folder = ctx.sources / FOLDER
    export = _find_export(folder) if folder.exists() else None
    api_files = sorted((folder / "api").glob("*.json")) if folder.exists() else []
    if export is None and not api_files:
        return False
    incidents: list[dict] = []
    after = None
    if export is not None:
        incidents = _export_rows(ctx, export)
        dates = [i["incident_date"] for i in incidents if i["incident_date"] is not None]
        after = max(dates) if dates else None
        ctx.record_source(EXPORT, export, ["incidents", "incident_routes"], len(incidents))
        total = sum(i["dead_and_missing"] for i in incidents)
        ctx.say(
            f"  MMP export: {len(incidents):,} incidents, {total:,} dead and missing "
            f"(to {after}), {ctx.rejected(EXPORT, export)} rejected"
        )
    if api_files:
        export_ids = {i["incident_id"] for i in incidents}
        added, superseded, undated, nrows = _merge_endpoint(ctx, api_files, export_ids, after)
        incidents += added
        for path in api_files:
            n = sum(1 for a in added if a["source_file"] == ctx.rel(path))
            ctx.record_source(ENDPOINT, path, ["incidents", "incident_routes"], n)
        ctx.say(
            f"  MMP endpoint: {nrows:,} rows in {len(api_files)} files; added {len(added):,} "
            f"incidents after {after}, {sum(a['dead_and_missing'] for a in added):,} dead and "
            f"missing; {superseded:,} endpoint-only ids up to {after} left to the export"
            + (f"; {undated} undated rejected" if undated else "")
        )
    df = pd.DataFrame(incidents)
    if not df.empty:
        # Stored in date order: a date filter then skips whole row groups (zone maps).
        df = df.sort_values(["incident_date", "incident_id"], na_position="last", kind="stable")
    ctx.insert("incidents", df)
    ctx.con.execute("INSERT INTO incident_routes SELECT incident_id, unnest(routes) FROM incidents")
    run_script(ctx.con, INCIDENT_CODES_FILE)
    return True
