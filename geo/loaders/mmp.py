"""IOM Missing Migrants Project incidents: the export (csv or xlsx) merged with the
JSON endpoint files, one row per incident.

Counting rule (see data/TABLES.md): the export has one row per ``Main ID``; IOM
already merged the records of a split incident (one per group of origin) into that
row, and a cumulative incident is one record of remains found over a period. Each
export row is therefore counted once, whatever its type, which reproduces IOM's
published total. The endpoint's rows sharing a ``web_id`` are summed into one
incident, identical rows included (they are separate groups of origin).

Which publication counts: **for each year, the later publication of that year wins.**
A publication's date is the latest incident it holds. In the mirror the export (to
2025-04-29) is later than the endpoint files for 2014-2024, and the endpoint files for
2025 (to 2025-09-08) and 2026 are later than the export, so those years come from the
endpoint, including incidents IOM added late with dates before the export's last day.
An id that only the earlier publication of its year holds was renumbered, merged or
withdrawn by IOM: it is not counted, and each one is reported in ``load_issues``.
A new year's file (``api/2027.json``) is taken by the same rule with no code change.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd

from geo.context import LoadContext
from geo.errors import SourceError
from geo.loaders.countries import iso_for
from geo.parse import (
    CellError,
    clean_id,
    date_order,
    is_ambiguous_date,
    parse_count,
    parse_date,
    parse_latlon,
    split_multi,
)
from geo.positions import Place, check_positions, country_shapes
from geo.queries import INCIDENT_CODES_FILE, run_script
from geo.readers import (
    align_columns,
    read_csv,
    read_excel,
    read_json_records,
    require_columns,
)

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
# Above this a head count for one incident is a damaged cell, not a figure (see _Rows.count).
MAX_PEOPLE = 10_000
# Renamed count columns are found again when only case, spaces or punctuation differ
# ("Number_of_Dead", "number of dead"); any other rename fails the build by name.
COUNT_COLUMNS = [
    "Number of Dead",
    "Minimum Estimated Number of Missing",
    "Total Number of Dead and Missing",
]


def _safe_url(text: str) -> str | None:
    s = text.strip()
    # Several links are sometimes joined; keep the first, and only http(s).
    first = re.split(r"[\s,;|]+", s)[0] if s else ""
    return first if re.match(r"^https?://", first, re.IGNORECASE) else None


_NAME_MONTH = re.compile(r"_((?:19|20)\d\d)-(0[1-9]|1[0-2])(?:-\d\d)?$")
_FORMATS = {".csv": 0, ".xlsx": 1, ".xls": 2}  # preference within one publication
EXPORT_COLUMNS = list(dict.fromkeys(REQUIRED_EXPORT + COUNT_COLUMNS))


def _read_export(path: Path) -> pd.DataFrame:
    """The export's table as text cells, from its CSV or workbook."""
    return read_excel(path) if path.suffix.lower() in {".xlsx", ".xls"} else read_csv(path)[0]


def _latest_incident_month(path: Path) -> tuple[int, int]:
    """(year, month) of the latest ``Incident Date`` in an export (for undated names)."""
    df = _read_export(path)
    require_columns(df, path, ["Incident Date"])
    latest = (0, 0)
    order = date_order(df["Incident Date"])
    for text in df["Incident Date"]:
        try:
            when = parse_date(text, latest=date.today(), order=order)
        except CellError:
            continue
        if when is not None:
            latest = max(latest, (when.year, when.month))
    return latest


def _publication(path: Path) -> tuple[tuple[int, int], str]:
    """(year, month) of the publication an export file holds, and how it was found."""
    m = _NAME_MONTH.search(path.stem)
    if m:
        return (int(m.group(1)), int(m.group(2))), "the date in its name"
    return _latest_incident_month(path), "its latest Incident Date"


def _find_export(folder: Path) -> tuple[Path | None, list[tuple[Path, str]]]:
    """The export of the newest publication in ``folder``.

    A publication is dated by the ``_YYYY-MM`` in the file name (how ``geo fetch`` and
    the mirror name it); a file without one (IOM's default download name,
    ``Missing_Migrants_Global_Figures_allData.csv``) is dated by the latest Incident
    Date it holds, since no export can predate its own latest incident. The newest
    publication wins. Only between files of the same publication is the CSV preferred
    (the same table as the workbook, read ten times faster), then a dated name, then
    the newer file. Every other file is returned with why it was passed over.
    """
    candidates = [
        p for p in sorted(folder.glob(EXPORT_GLOB)) if p.suffix.lower() in _FORMATS and p.is_file()
    ]
    if len(candidates) < 2:
        return (candidates[0] if candidates else None), []
    dated = {p: _publication(p) for p in candidates}

    def rank(p: Path):
        month, how = dated[p]
        return (month, -_FORMATS[p.suffix.lower()], how.startswith("the date"), p.stat().st_mtime)

    ordered = sorted(candidates, key=rank, reverse=True)
    chosen = ordered[0]
    month, how = dated[chosen]
    passed = []
    for p in ordered[1:]:
        other, other_how = dated[p]
        when = f"{other[0]}-{other[1]:02d}"
        if other == month:
            why = f"same publication ({when}) as {chosen.name}, which is preferred"
        else:
            why = f"older publication ({when}, from {other_how}) than {chosen.name} ({month[0]}-{month[1]:02d}, from {how})"
        passed.append((p, why))
    return chosen, passed


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
        if value is not None and abs(value) > MAX_PEOPLE:
            # The deadliest incident IOM records is 1,022 people (2015.MMP00108); a
            # six-figure count is a damaged cell, and one such row would outweigh years.
            raise CellError(f"'{text.strip()}' in {column} is implausible for one incident")
        if "," in text.strip():
            self.issue(row, column, text, "repaired", "thousands separator removed")
        if value is not None and value < 0 and column in NULL_IF_NEGATIVE:
            self.issue(row, column, text, "repaired", "negative count treated as not reported")
            return None
        return value

    def ident(self, row: int, column: str, text: str) -> str:
        """An id without invisible characters (a byte-order mark), the removal reported."""
        value, changed = clean_id(text)
        if changed:
            self.issue(
                row, column, ascii(text), "repaired", "invisible characters removed from the id"
            )
        return value

    def check_total(self, row: int, column: str, dead, missing, total) -> None:
        """Report a total that is not dead + missing; the publisher's total is kept.

        IOM publishes the total as the incident's figure (its own sums use it), so it
        stays the figure we count; the disagreement is noted for the reader.
        """
        if total is not None and dead is not None and missing is not None:
            if total != dead + missing:
                self.issue(
                    row,
                    column,
                    total,
                    "noted",
                    f"total {total} is not dead {dead} + missing {missing}; "
                    "the publisher's total kept",
                )

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


def _export_rows(ctx: LoadContext, path: Path, passed: list[tuple[Path, str]] = ()) -> list[dict]:
    df = _read_export(path)
    if "Main ID" not in df.columns and "web_id" in df.columns:
        raise SourceError(
            path,
            "missing required column 'Main ID': the columns are the JSON endpoint's field "
            "names (web_id, reported_date, ...), not the export's",
        )
    renamed = align_columns(df, EXPORT_COLUMNS)
    require_columns(df, path, EXPORT_COLUMNS)
    rows = _Rows(ctx, EXPORT, path)
    for found, want in renamed:
        rows.issue(1, want, found, "repaired", f"column '{found}' read as '{want}'")
    for other, why in passed:
        ctx.issue(EXPORT, other, None, None, other.name, "skipped", f"not loaded: {why}")
        ctx.say(f"  MMP export: using {path.name}; passed over {other.name} ({why})")
    # Numeric dates are read in the file's own day/month order (see parse.date_order).
    order = date_order(df["Incident Date"])
    seen: dict[str, int] = {}
    out = []
    for rec in df.to_dict("records"):
        r = rec["_row"]
        main_id = rows.ident(r, "Main ID", _get(rec, "Main ID"))
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
        rows.check_total(r, "Total Number of Dead and Missing", dead, missing, total)
        date_text = _get(rec, "Incident Date")
        if is_ambiguous_date(date_text, order):
            rows.issue(
                r, "Incident Date", date_text, "repaired", "day/month order unknown: read day-first"
            )
        year = month = None
        try:
            when = parse_date(date_text, latest=rows.latest, order=order)
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
        coordinates = _get(rec, "Coordinates")
        lat, lon = rows.position(r, "Coordinates", coordinates)
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
                "_coordinates": coordinates,
                "unsd_grouping": _get(rec, "UNSD Geographical Grouping").strip() or None,
                "information_source": _get(rec, "Information Source").strip() or None,
                "url": rows.url(r, _get(rec, "URL")),
                "source_quality": _get(rec, "Source Quality").strip() or None,
                "source_file": ctx.rel(path),
                "source_row": r,
            }
        )
    return out


def _decode_entities(records: list[dict]) -> int:
    """Decode the HTML entities of the endpoint's text values, in place; returns how
    many values changed.

    IOM's site escapes its values for HTML before writing them to JSON ("L&#039;Espresso",
    "Trinidad &amp; Tobago", "&amp;id=" in links); the export has none. Stored decoded,
    a value is escaped once where it is shown, never shown as "Sa&amp;#039;ada".
    """
    changed = 0
    for rec in records:
        for key, value in rec.items():
            if isinstance(value, str) and "&" in value:
                text = html.unescape(value)
                if text != value:
                    rec[key] = text
                    changed += 1
    return changed


def _endpoint_records(ctx: LoadContext, path: Path) -> tuple[list[dict], int]:
    """The usable rows of one endpoint file, and how many of its values held entities."""
    records = read_json_records(path)
    decoded = _decode_entities(records)
    if records:
        fields = set().union(*(r.keys() for r in records[:50]))
        # The dead and missing counts are figures of every page: a renamed field fails.
        for column in [*REQUIRED_ENDPOINT, "number_dead", "number_missing"]:
            if column not in fields:
                hint = (
                    ": the fields are the export's column names (Main ID, Incident Date, ...), "
                    "not the endpoint's"
                    if "Main ID" in fields
                    else ""
                )
                raise SourceError(path, f"missing required field '{column}'{hint}")
    rows = _Rows(ctx, ENDPOINT, path)
    order = date_order(_get(rec, "reported_date") for rec in records)
    out = []
    for n, rec in enumerate(records, start=1):
        web_id = rows.ident(n, "web_id", _get(rec, "web_id"))
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
        rows.check_total(
            n,
            "total_dead_and_missing",
            counts["dead"],
            counts["missing"],
            counts["dead_and_missing"],
        )
        if is_ambiguous_date(_get(rec, "reported_date"), order):
            rows.issue(
                n,
                "reported_date",
                _get(rec, "reported_date"),
                "repaired",
                "day/month order unknown: read day-first",
            )
        try:
            when = parse_date(_get(rec, "reported_date"), latest=rows.latest, order=order)
        except CellError as exc:
            rows.issue(n, "reported_date", _get(rec, "reported_date"), "rejected", str(exc))
            continue
        out.append({"n": n, "web_id": web_id, "when": when, "rec": rec, **counts})
    return out, decoded


_FILE_YEAR = re.compile(r"^((19|20)\d\d)$")


def _endpoint_incident(ctx: LoadContext, web_id: str, items: list[tuple[Path, dict]]) -> dict:
    """One incident from every endpoint row of a ``web_id``, summed.

    The endpoint writes one row per group of origin; two rows may be identical in every
    field (two groups with the same figures), and IOM's own total counts both, so every
    row is summed, repeats included.
    """
    path, first = items[0]
    rec = first["rec"]
    rows = _Rows(ctx, ENDPOINT, path)
    dates = [i["when"] for _, i in items if i["when"] is not None]
    when = min(dates) if dates else None

    def total(key: str) -> int | None:
        values = [i[key] for _, i in items if i[key] is not None]
        return sum(values) if values else None

    def union(col: str, vocab: tuple[str, ...] = ()) -> list[str]:
        return list(
            dict.fromkeys(v for _, i in items for v in split_multi(_get(i["rec"], col), vocab))
        )

    dead, missing = total("dead") or 0, total("missing") or 0
    dm = total("dead_and_missing")
    coordinates = _get(rec, "location_coodinates")
    lat, lon = rows.position(first["n"], "location_coodinates", coordinates)
    regions = union("region")
    return {
        "incident_id": web_id,
        "record_ids": [web_id],
        "origin": "endpoint",
        "incident_type": "Split Incident" if len(items) > 1 else "Incident",
        "incident_date": when,
        "date_imputed": when is None,
        "year": when.year if when else None,
        "month": when.month if when else None,
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
        "_coordinates": coordinates,
        "unsd_grouping": _get(rec, "unsd_geographic_grouping").strip() or None,
        "information_source": _get(rec, "information_source").strip() or None,
        "url": rows.url(first["n"], _get(rec, "url")),
        "source_quality": _get(rec, "source_quality").strip() or None,
        "source_file": ctx.rel(path),
        "source_row": first["n"],
        "_path": path,
    }


def _endpoint_incidents(ctx: LoadContext, paths: list[Path]) -> tuple[list[dict], dict, int]:
    """Every endpoint incident, with the publication date of each file.

    Returns the incidents, ``{source_file: latest date in it}`` and the number of rows
    read. An undated incident takes its year from a file named ``YYYY.json`` (the
    endpoint is queried by year); with no such name it is rejected.
    """
    groups: dict[str, list[tuple[Path, dict]]] = {}
    published: dict[str, date] = {}
    nrows = decoded = 0
    for path in paths:
        dates = []
        items, n_decoded = _endpoint_records(ctx, path)
        decoded += n_decoded
        for item in items:
            nrows += 1
            groups.setdefault(item["web_id"], []).append((path, item))
            if item["when"] is not None:
                dates.append(item["when"])
        if dates:
            published[ctx.rel(path)] = max(dates)
    incidents = []
    for web_id, items in groups.items():
        incident = _endpoint_incident(ctx, web_id, items)
        if incident["year"] is None:
            path, first = items[0]
            named = _FILE_YEAR.match(path.stem)
            if not named:
                ctx.issue(ENDPOINT, path, first["n"], "reported_date", "", "rejected", "no date")
                continue
            incident["year"] = int(named.group(1))
            ctx.issue(
                ENDPOINT,
                path,
                first["n"],
                "reported_date",
                "",
                "repaired",
                f"no date; year {incident['year']} from the file name",
            )
        incidents.append(incident)
    if decoded:
        ctx.say(f"  MMP endpoint: {decoded:,} text values with HTML entities decoded")
    return incidents, published, nrows


def _merge(
    ctx: LoadContext,
    export: list[dict],
    export_file: str | None,
    export_date: date | None,
    endpoint: list[dict],
    published: dict[str, date],
) -> tuple[list[dict], list[dict]]:
    """Merge the two publications: for each year, the later publication of that year wins.

    A publication's date is the latest incident date it holds (it was saved no earlier).
    The export is one publication; each endpoint file is another. For an id both hold,
    the record of the later publication is kept (IOM revises totals). An id that only the
    earlier publication of its year holds was renumbered, merged or withdrawn by IOM in
    the later one: it is not counted, and each such id is reported in ``load_issues``.

    Returns
    -------
    tuple[list[dict], list[dict]]
        The incidents kept, and one row per year for ``incident_year_sources``.
    """

    def date_of(incident: dict) -> date | None:
        if incident["origin"] == "export":
            return export_date
        return published.get(incident["source_file"])

    def later(a: date | None, b: date | None) -> bool:
        # Ties go to the export: it is the fuller record of what both hold.
        return (a or date.min) > (b or date.min)

    by_year: dict[int, dict] = {}
    for incident in export + endpoint:
        y = by_year.setdefault(incident["year"], {"export": None, "endpoint": None, "files": {}})
        pub = date_of(incident)
        if incident["origin"] == "export":
            y["export"] = pub
        else:
            y["files"][incident["source_file"]] = pub
            if y["endpoint"] is None or later(pub, y["endpoint"]):
                y["endpoint"] = pub
    winner = {
        year: "endpoint"
        if y["export"] is None or (y["endpoint"] is not None and later(y["endpoint"], y["export"]))
        else "export"
        for year, y in by_year.items()
    }
    from_export = {i["incident_id"]: i for i in export}
    from_endpoint = {i["incident_id"]: i for i in endpoint}
    kept, dropped = [], []
    for incident_id in dict.fromkeys([*from_export, *from_endpoint]):
        e, p = from_export.get(incident_id), from_endpoint.get(incident_id)
        if e and p:
            chosen = p if later(date_of(p), date_of(e)) else e
            if chosen is p:
                # The endpoint has no type or record ids; the export's still describe it.
                p["incident_type"] = e["incident_type"]
                p["record_ids"] = list(dict.fromkeys([*e["record_ids"], incident_id]))
            kept.append(chosen)
        elif winner[(e or p)["year"]] == (e or p)["origin"]:
            kept.append(e or p)
        else:
            dropped.append(e or p)
    for d in dropped:
        source = "the export" if winner[d["year"]] == "export" else "the endpoint file"
        ctx.issue(
            EXPORT if d["origin"] == "export" else ENDPOINT,
            d["_path"],
            d["source_row"],
            "Main ID" if d["origin"] == "export" else "web_id",
            d["incident_id"],
            "superseded",
            f"not in the later publication of {d['year']} ({source}, to "
            f"{by_year[d['year']][winner[d['year']]]}): renumbered, merged or withdrawn by "
            f"IOM; its {d['dead_and_missing']} dead and missing are not counted",
        )
    kept_in: dict[int, list[dict]] = {}
    dropped_in: dict[int, list[dict]] = {}
    for group, incidents in ((kept_in, kept), (dropped_in, dropped)):
        for i in incidents:
            group.setdefault(i["year"], []).append(i)
    years = []
    for year in sorted(by_year):
        y = by_year[year]
        won = winner[year]
        mine, lost = kept_in.get(year, []), dropped_in.get(year, [])
        years.append(
            {
                "year": year,
                "origin": won,
                "files": sorted(y["files"]) if won == "endpoint" else [export_file],
                "published_to": y[won],
                "other_published_to": y["endpoint" if won == "export" else "export"],
                "incidents": len(mine),
                "dead_and_missing": sum(i["dead_and_missing"] for i in mine),
                "superseded_ids": len(lost),
                "superseded_dead_and_missing": sum(i["dead_and_missing"] for i in lost),
            }
        )
    return kept, years


def _check_positions(ctx: LoadContext, incidents: list[dict]) -> None:
    """Repair, unmap or note positions that contradict the country of incident.

    See :mod:`geo.positions`; each finding is one ``load_issues`` row on the source
    row the incident came from.
    """
    shapes_rows = ctx.con.execute("SELECT iso3, name, geometry FROM countries_detail").fetchall()
    if not shapes_rows:
        shapes_rows = ctx.con.execute("SELECT iso3, name, geometry FROM countries").fetchall()
    if not shapes_rows:
        ctx.say("  MMP positions not checked against countries: no country shapes loaded")
        return
    shapes, names = country_shapes(shapes_rows)
    places = [
        Place(
            i["lat"],
            i["lon"],
            iso_for(ctx, i["country"] or ""),
            i["location"] or "",
            tuple(i["routes"]),
        )
        for i in incidents
    ]
    spellings: dict[str, set[str]] = {}
    for name, iso in ctx.country_iso.items():
        spellings.setdefault(iso, set()).add(name)
    findings = check_positions(places, shapes, names, spellings)
    for f in findings:
        incident = incidents[f.index]
        export = incident["origin"] == "export"
        ctx.issue(
            EXPORT if export else ENDPOINT,
            incident["_path"],
            incident["source_row"],
            "Coordinates" if export else "location_coodinates",
            incident["_coordinates"],
            f.action,
            f.reason,
        )
        incident["lat"], incident["lon"] = f.lat, f.lon
    if findings:
        done = Counter(f.action for f in findings)
        ctx.say(
            f"  MMP positions outside their country: {done['repaired']:,} repaired, "
            f"{done['unlocated']:,} not mapped, {done['noted']:,} at sea kept (load_issues)"
        )


def load(ctx: LoadContext) -> bool:
    """Load the export and the endpoint files found in ``missing_migrants/``.

    For each year the later publication of that year supplies its incidents (see
    :func:`_merge`); ``incident_year_sources`` records which one, per year.
    """
    folder = ctx.sources / FOLDER
    export, passed = _find_export(folder) if folder.exists() else (None, [])
    api_files = sorted((folder / "api").glob("*.json")) if folder.exists() else []
    if export is None and not api_files:
        return False
    exported: list[dict] = []
    last = None
    if export is not None:
        exported = _export_rows(ctx, export, passed)
        for incident in exported:
            incident["_path"] = export
        last = max((i["incident_date"] for i in exported if i["incident_date"]), default=None)
        ctx.say(
            f"  MMP export {ctx.rel(export)}: {len(exported):,} incidents, "
            f"{sum(i['dead_and_missing'] for i in exported):,} dead and missing (to {last}), "
            f"{ctx.rejected(EXPORT, export)} rejected"
        )
    endpoint, published, nrows = _endpoint_incidents(ctx, api_files)
    if api_files:
        ctx.say(
            f"  MMP endpoint: {nrows:,} rows in {len(api_files)} files, {len(endpoint):,} "
            "incidents (rows of one web_id summed, one per group of origin)"
        )
    incidents, years = _merge(ctx, exported, export and ctx.rel(export), last, endpoint, published)
    _check_positions(ctx, incidents)
    per_file = Counter(i["source_file"] for i in incidents)
    if export is not None:
        ctx.record_source(
            EXPORT, export, ["incidents", "incident_routes"], per_file[ctx.rel(export)]
        )
    for path in api_files:
        ctx.record_source(ENDPOINT, path, ["incidents", "incident_routes"], per_file[ctx.rel(path)])
    ctx.say("  MMP: for each year the later publication wins (publication = its latest incident)")
    for y in years:
        files = ", ".join(y["files"])
        other = (
            f"; the other publication runs to {y['other_published_to']}"
            if y["other_published_to"]
            else ""
        )
        gone = (
            f"; {y['superseded_ids']} ids only in the earlier publication not counted "
            f"({y['superseded_dead_and_missing']:,} dead and missing)"
            if y["superseded_ids"]
            else ""
        )
        ctx.say(
            f"    {y['year']}: {y['origin']} {files} (to {y['published_to']}{other}): "
            f"{y['incidents']:,} incidents, {y['dead_and_missing']:,} dead and missing{gone}"
        )
    ctx.insert("incident_year_sources", pd.DataFrame(years))
    df = pd.DataFrame(incidents)
    if not df.empty:
        # Stored in date order: a date filter then skips whole row groups (zone maps).
        df = df.sort_values(["incident_date", "incident_id"], na_position="last", kind="stable")
    ctx.insert("incidents", df)
    ctx.con.execute("INSERT INTO incident_routes SELECT incident_id, unnest(routes) FROM incidents")
    run_script(ctx.con, INCIDENT_CODES_FILE)
    return True
