"""A corpus of damaged sources, generated from the real files of the mirror.

Every case builds a small sources folder (the damaged dataset, a sample of its real
file, plus the Natural Earth countries) over a copy of a good database, and either

- fails: exit 1, one line naming the file (and the row or column where one is at
  fault) and a reason, with the previous database byte-identical and no file left
  behind; or
- loads: the damaged rows are reported in ``load_issues`` (file, row, reason) and
  every headline figure equals the undamaged build's, give or take exactly what the
  damaged rows should change.

No case may print a Traceback. Most cases run ``geo.build.build`` in-process; the ones
marked ``cli`` run ``python -m geo build`` as a subprocess.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO

EXPORT = "missing_migrants/Missing_Migrants_Global_Figures_allData_2025-04.csv"
XLSX = "missing_migrants/Missing_Migrants_Global_Figures_allData_2025-04.xlsx"
API = "missing_migrants/api/2025.json"
REGISTER = "camps/displacement_locations_unhcr_2020-01.csv"
ISIMM = "camps/nw_syria_isimm_idp_sites_2020-07.csv"
OUTLINES = "camps/coxs_bazar_rohingya_camp_outlines.geojson"
WUP = "city_population/WUP2018-F12-Cities_Over_300K_1950-2035_thousands.csv"
WUP_XLS = "city_population/WUP2018-F12-Cities_Over_300K.xls"
POPULATION = "unhcr_refugees/unhcr_population.csv"
NE = "natural_earth/ne_110m_admin_0_countries.geojson"

# Rows (after the header) kept from each real CSV: enough for every kind of row the
# cases damage, small enough that a build takes well under a second.
SAMPLE_ROWS = {EXPORT: 400, REGISTER: 600, ISIMM: 300, WUP: 300, POPULATION: 3000}
SAMPLE_RECORDS = 300  # of the endpoint's 2025 file

FIGURES = {
    "incidents": "SELECT count(*) FROM incidents",
    "dead_and_missing": "SELECT coalesce(sum(dead_and_missing), 0) FROM incidents",
    "located": "SELECT count(*) FROM incidents WHERE lat IS NOT NULL",
    "sites": "SELECT count(*) FROM sites",
    "sites_located": "SELECT count(*) FROM sites WHERE lat IS NOT NULL",
    "isimm_people": "SELECT coalesce(sum(individuals), 0) FROM sites WHERE dataset = 'isimm'",
    "outlines": "SELECT count(*) FROM camp_outlines",
    "cities": "SELECT count(*) FROM cities",
    "city_population": "SELECT coalesce(sum(population), 0) FROM city_population",
    "refugee_rows": "SELECT count(*) FROM refugee_population",
    "refugees": "SELECT coalesce(sum(refugees), 0) FROM refugee_population",
    "countries": "SELECT count(*) FROM countries",
}


def figures(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {k: int(con.execute(sql).fetchone()[0]) for k, sql in FIGURES.items()}


# --------------------------------------------------------------------------- files


def _write(path: Path, data: bytes | str, encoding: str = "utf-8") -> None:
    """Write a file, replacing (never writing through) whatever is there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


@dataclass
class Samples:
    """The first rows of the real files (header first), read once per session."""

    csv: dict[str, list[list[str]]]
    api: list[dict]
    ne: dict
    outlines: dict
    mirror: Path

    def rows(self, rel: str) -> list[list[str]]:
        return copy.deepcopy(self.csv[rel])

    def col(self, rel: str, name: str) -> int:
        return self.csv[rel][0].index(name)


@pytest.fixture(scope="session")
def samples(mirror) -> Samples:
    rows = {}
    for rel, n in SAMPLE_ROWS.items():
        with (mirror / rel).open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            rows[rel] = [next(reader) for _ in range(n + 1)]
    api = json.loads((mirror / API).read_text(encoding="utf-8"))[:SAMPLE_RECORDS]
    ne = json.loads((mirror / NE).read_text(encoding="utf-8"))
    outlines = json.loads((mirror / OUTLINES).read_text(encoding="utf-8"))
    return Samples(rows, api, ne, outlines, mirror)


def write_sample(src: Path, rel: str, s: Samples) -> None:
    """The undamaged sample of one file into a sources folder."""
    if rel in s.csv:
        _write(src / rel, csv_text(s.csv[rel]))
    elif rel == API:
        _write(src / rel, json.dumps(s.api, ensure_ascii=False))
    elif rel == OUTLINES:
        _write(src / rel, json.dumps(s.outlines))
    elif rel == NE:
        _write(src / rel, json.dumps(s.ne))
    else:  # pragma: no cover - a case names a file the samples lack
        raise KeyError(rel)


def make_sources(root: Path, files: tuple[str, ...], s: Samples) -> Path:
    src = root / "src"
    for rel in (NE, *files):
        write_sample(src, rel, s)
    return src


# --------------------------------------------------------------------------- cases


@dataclass
class Fail:
    """The build must stop: one line naming ``file`` (and row/column) with these words."""

    file: str
    words: tuple[str, ...] = ()
    row: int | None = None
    column: str | None = None


@dataclass
class Issue:
    """A row of ``load_issues`` the build must record."""

    file: str
    row: int
    action: str
    reason: str  # regular expression searched in the reason


@dataclass
class Load:
    """The build must succeed, report ``issues`` and change the figures by ``delta``."""

    issues: list[Issue] = field(default_factory=list)
    delta: dict[str, int] = field(default_factory=dict)
    check: Callable[[duckdb.DuckDBPyConnection], None] | None = None


@dataclass
class Case:
    id: str
    files: tuple[str, ...]  # undamaged samples present (Natural Earth always is)
    damage: Callable[[Path, Samples], Fail | Load]  # damages the folder, says what to expect
    cli: bool = False


CASES: list[Case] = []


def case(id: str, *files: str, cli: bool = False):
    def register(fn):
        CASES.append(Case(id, files, fn, cli))
        return fn

    return register


def edit_csv(src: Path, rel: str, s: Samples, fn, **fmt) -> list[list[str]]:
    rows = s.rows(rel)
    fn(rows)
    _write(src / rel, csv_text(rows, **fmt))
    return rows


def _int(text: str) -> int:
    return int(text.replace(",", "") or 0)


# ---- MMP export (CSV) -----------------------------------------------------------------


@case("export-missing-column", EXPORT, cli=True)
def _(src, s):
    i = s.col(EXPORT, "Coordinates")
    edit_csv(src, EXPORT, s, lambda rows: [r.pop(i) for r in rows])
    return Fail(EXPORT, ("missing required column", "'Coordinates'"))


@case("export-renamed-column", EXPORT)
def _(src, s):
    i = s.col(EXPORT, "Main ID")
    edit_csv(src, EXPORT, s, lambda rows: rows[0].__setitem__(i, "Incident Key"))
    return Fail(EXPORT, ("missing required column", "'Main ID'"))


@case("export-column-spelled-differently", EXPORT)
def _(src, s):
    i, d = s.col(EXPORT, "Main ID"), s.col(EXPORT, "Number of Dead")

    def damage(rows):
        rows[0][i], rows[0][d] = "Main_ID", "number of dead"

    edit_csv(src, EXPORT, s, damage)
    return Load(
        [
            Issue(EXPORT, 1, "repaired", "column 'Main_ID' read as 'Main ID'"),
            Issue(EXPORT, 1, "repaired", "column 'number of dead' read as 'Number of Dead'"),
        ]
    )


@case("export-renamed-count-column", EXPORT, cli=True)
def _(src, s):
    i = s.col(EXPORT, "Number of Dead")
    edit_csv(src, EXPORT, s, lambda rows: rows[0].__setitem__(i, "Deaths"))
    return Fail(EXPORT, ("missing required column", "'Number of Dead'"))


@case("export-renamed-missing-column", EXPORT)
def _(src, s):
    # Not needed for the total, but dead + missing would silently become dead + 0.
    i = s.col(EXPORT, "Minimum Estimated Number of Missing")
    edit_csv(src, EXPORT, s, lambda rows: rows[0].__setitem__(i, "Missing (min.)"))
    return Fail(EXPORT, ("missing required column", "'Minimum Estimated Number of Missing'"))


def _iso_dates_to(s: Samples, fmt) -> tuple[dict[str, str], Callable]:
    """Damage rewriting every ISO Incident Date with ``fmt(date)``; and the expected dates."""
    from datetime import date

    i = s.col(EXPORT, "Incident Date")
    expected = {r[0]: r[i] for r in s.csv[EXPORT][1:] if r[i]}

    def damage(rows):
        for r in rows[1:]:
            if r[i]:
                r[i] = fmt(date.fromisoformat(r[i]))

    return expected, damage


def _dates_check(expected: dict[str, str]):
    def check(con):
        got = dict(
            con.execute(
                "SELECT incident_id, strftime(incident_date, '%Y-%m-%d') FROM incidents "
                "WHERE origin = 'export' AND incident_date IS NOT NULL"
            ).fetchall()
        )
        assert got == expected

    return check


@case("export-dates-day-first", EXPORT)
def _(src, s):
    expected, damage = _iso_dates_to(s, lambda d: d.strftime("%d/%m/%Y"))
    edit_csv(src, EXPORT, s, damage)
    return Load([], {}, _dates_check(expected))


@case("export-dates-month-first", EXPORT)
def _(src, s):
    expected, damage = _iso_dates_to(s, lambda d: f"{d.month}/{d.day}/{d.year}")
    edit_csv(src, EXPORT, s, damage)
    return Load([], {}, _dates_check(expected))


@case("export-dates-with-weekday-and-time", EXPORT)
def _(src, s):
    # How IOM's web pages print dates (Drupal): "Tue, 01/02/2024 - 12:00", month first.
    expected, damage = _iso_dates_to(s, lambda d: d.strftime("%a, %m/%d/%Y - 12:00"))
    edit_csv(src, EXPORT, s, damage)
    return Load([], {}, _dates_check(expected))


@case("export-dates-as-spreadsheet-serials", EXPORT)
def _(src, s):
    from datetime import date

    expected, damage = _iso_dates_to(s, lambda d: str((d - date(1899, 12, 30)).days))
    edit_csv(src, EXPORT, s, damage)
    return Load([], {}, _dates_check(expected))


@case("export-impossible-year", EXPORT)
def _(src, s):
    i, y = s.col(EXPORT, "Incident Date"), s.col(EXPORT, "Incident Year")
    main_id = s.csv[EXPORT][17][0]

    def damage(rows):
        rows[17][i], rows[17][y] = "1850-03-01", "1850"

    edit_csv(src, EXPORT, s, damage)

    def check(con):
        got = con.execute("SELECT year FROM incidents WHERE incident_id = ?", [main_id]).fetchone()
        assert got == (int(main_id[:4]),)

    return Load(
        [Issue(EXPORT, 18, "repaired", "impossible date; year from the Main ID prefix")], {}, check
    )


@case("export-coordinates-wkt-point", EXPORT)
def _(src, s):
    # A real variant of the MMP export: WKT points, longitude first.
    i = s.col(EXPORT, "Coordinates")
    first = next(r for r in s.csv[EXPORT][1:] if r[i])
    lat, lon = (float(v) for v in first[i].split(","))

    def damage(rows):
        for r in rows[1:]:
            if r[i]:
                a, b = (v.strip() for v in r[i].split(","))
                r[i] = f"POINT ({b} {a})"

    edit_csv(src, EXPORT, s, damage)

    def check(con):
        got = con.execute("SELECT lat, lon FROM incidents WHERE incident_id = ?", [first[0]])
        assert got.fetchone() == pytest.approx((lat, lon))

    return Load([], {}, check)


@case("export-total-disagrees-with-dead-and-missing", EXPORT)
def _(src, s):
    d, t = s.col(EXPORT, "Number of Dead"), s.col(EXPORT, "Total Number of Dead and Missing")
    old = _int(s.csv[EXPORT][19][t])
    edit_csv(src, EXPORT, s, lambda rows: rows[19].__setitem__(t, str(old + 5)))
    # The publisher's total is the figure IOM publishes: kept, and the mismatch noted.
    assert _int(s.csv[EXPORT][19][d]) <= old
    return Load(
        [Issue(EXPORT, 20, "noted", "is not dead .* the publisher's total kept")],
        {"dead_and_missing": 5},
    )


@case("export-absurd-count", EXPORT)
def _(src, s):
    d, t = s.col(EXPORT, "Number of Dead"), s.col(EXPORT, "Total Number of Dead and Missing")
    old = _int(s.csv[EXPORT][21][t])

    def damage(rows):
        rows[21][d], rows[21][t] = "1000000000", "1000000000"

    edit_csv(src, EXPORT, s, damage)
    return Load(
        [Issue(EXPORT, 22, "rejected", "implausible for one incident")],
        {"incidents": -1, "dead_and_missing": -old, "located": -1},
    )


@case("export-negative-dead", EXPORT)
def _(src, s):
    d, t = s.col(EXPORT, "Number of Dead"), s.col(EXPORT, "Total Number of Dead and Missing")
    old = _int(s.csv[EXPORT][23][t])
    edit_csv(src, EXPORT, s, lambda rows: rows[23].__setitem__(d, "-4"))
    return Load(
        [Issue(EXPORT, 24, "rejected", "'-4' is negative")],
        {"incidents": -1, "dead_and_missing": -old, "located": -1},
    )


@case("export-latitude-95", EXPORT)
def _(src, s):
    i = s.col(EXPORT, "Coordinates")
    edit_csv(src, EXPORT, s, lambda rows: rows[25].__setitem__(i, "95.0, 120.0"))
    return Load([Issue(EXPORT, 26, "unlocated", "out of range; kept in totals")], {"located": -1})


@case("export-byte-order-mark-in-main-id", EXPORT)
def _(src, s):
    # Nine real Main IDs start with U+FEFF and then match no endpoint web_id.
    main_id = s.csv[EXPORT][27][0]
    edit_csv(src, EXPORT, s, lambda rows: rows[27].__setitem__(0, "\ufeff" + main_id))

    def check(con):
        got = con.execute("SELECT count(*) FROM incidents WHERE incident_id = ?", [main_id])
        assert got.fetchone() == (1,)

    return Load([Issue(EXPORT, 28, "repaired", "invisible characters removed")], {}, check)


NEWER = "missing_migrants/Missing_Migrants_Global_Figures_allData.csv"
LATER_XLSX = "missing_migrants/Missing_Migrants_Global_Figures_allData_2025-10.xlsx"


def _newer_rows(s: Samples) -> list[list[str]]:
    """The sample export plus one incident after it: a later publication."""
    rows = s.rows(EXPORT)
    extra = list(rows[1])
    extra[0] = extra[1] = "2025.MMP9999"
    cols = {c: s.col(EXPORT, c) for c in s.csv[EXPORT][0]}
    extra[cols["Incident Date"]], extra[cols["Incident Year"]] = "2025-06-01", "2025"
    extra[cols["Number of Dead"]] = extra[cols["Total Number of Dead and Missing"]] = "5"
    extra[cols["Minimum Estimated Number of Missing"]] = ""
    # A position off Malta, and the record says so (positions are checked against the
    # country of incident: geo/positions.py).
    extra[cols["Coordinates"]] = "35.5, 14.5"
    extra[cols["Country of Incident"]] = "Malta"
    extra[cols["Migration Route"]] = "Central Mediterranean"
    return [*rows, extra]


def _newer_check(name: str):
    def check(con):
        files = {r[0] for r in con.execute("SELECT DISTINCT source_file FROM incidents").fetchall()}
        assert files == {name}

    return check


@case("export-newer-undated-download-beside", EXPORT)
def _(src, s):
    _write(src / NEWER, csv_text(_newer_rows(s)))
    return Load(
        [Issue(EXPORT, None, "skipped", r"older publication \(2025-04, from the date in its name")],
        {"incidents": 1, "dead_and_missing": 5, "located": 1},
        _newer_check(NEWER),
    )


@case("export-newer-dated-workbook-beside", EXPORT)
def _(src, s):
    import openpyxl

    book = openpyxl.Workbook()
    for row in _newer_rows(s):
        book.active.append(row)
    (src / LATER_XLSX).parent.mkdir(parents=True, exist_ok=True)
    book.save(src / LATER_XLSX)
    return Load(
        [Issue(EXPORT, None, "skipped", r"older publication \(2025-04.*than .*_2025-10\.xlsx")],
        {"incidents": 1, "dead_and_missing": 5, "located": 1},
        _newer_check(LATER_XLSX),
    )


@case("export-older-undated-download-beside", EXPORT)
def _(src, s):
    # An undated file whose latest incident is older than the dated export's month.
    rows = [r for r in s.rows(EXPORT) if not r[s.col(EXPORT, "Incident Date")].endswith("-31")]
    _write(src / NEWER, csv_text(rows[:50]))
    return Load(
        [Issue(NEWER, None, "skipped", r"older publication \(2014-\d\d, from its latest")],
        {},
        _newer_check(EXPORT),
    )


@case("mmp-folder-missing", EXPORT, API, cli=True)
def _(src, s):
    shutil.rmtree(src / "missing_migrants")
    # The first dataset missing is named (mmp_endpoint sorts before mmp_export).
    return Fail(API, ("dataset mmp_endpoint", "previous build", "--allow-missing mmp_endpoint"))


@case("natural-earth-missing", EXPORT)
def _(src, s):
    (src / NE).unlink()
    return Fail(NE, ("not found", "Natural Earth countries are required"))


ENDPOINT_NAMES = {
    "Main ID": "web_id",
    "Region of Incident": "region",
    "Incident Date": "reported_date",
    "Number of Dead": "number_dead",
    "Minimum Estimated Number of Missing": "number_missing",
    "Total Number of Dead and Missing": "total_dead_and_missing",
    "Number of Survivors": "number_of_survivors",
    "Cause of Death": "cause_death",
    "Country of Incident": "country_of_incident",
    "Location of Incident": "location_description",
    "Coordinates": "location_coodinates",
    "Migration Route": "migration_route",
    "Information Source": "information_source",
    "URL": "url",
}


@case("export-with-endpoint-field-names", EXPORT, cli=True)
def _(src, s):
    def rename(rows):
        rows[0] = [ENDPOINT_NAMES.get(c, c) for c in rows[0]]

    edit_csv(src, EXPORT, s, rename)
    return Fail(EXPORT, ("'Main ID'", "endpoint"))


@case("export-thousands-separator", EXPORT)
def _(src, s):
    cols = [
        s.col(EXPORT, c)
        for c in (
            "Number of Dead",
            "Minimum Estimated Number of Missing",
            "Total Number of Dead and Missing",
        )
    ]
    old = _int(s.csv[EXPORT][4][cols[2]])

    def damage(rows):
        rows[4][cols[0]], rows[4][cols[1]], rows[4][cols[2]] = "1,022", "0", "1,022"

    edit_csv(src, EXPORT, s, damage)
    return Load(
        [Issue(EXPORT, 5, "repaired", "thousands separator")], {"dead_and_missing": 1022 - old}
    )


@case("export-empty-date", EXPORT)
def _(src, s):
    i, y = s.col(EXPORT, "Incident Date"), s.col(EXPORT, "Incident Year")
    main_id = s.csv[EXPORT][6][0]
    year = int(s.csv[EXPORT][6][y])
    edit_csv(src, EXPORT, s, lambda rows: rows[6].__setitem__(i, ""))

    def check(con):
        got = con.execute(
            "SELECT incident_date, year FROM incidents WHERE incident_id = ?", [main_id]
        ).fetchone()
        assert got == (None, year)

    return Load([Issue(EXPORT, 7, "repaired", r"no date; year from 'Incident Year'")], {}, check)


@case("export-impossible-date", EXPORT)
def _(src, s):
    i = s.col(EXPORT, "Incident Date")
    edit_csv(src, EXPORT, s, lambda rows: rows[8].__setitem__(i, "2014-02-30"))
    return Load([Issue(EXPORT, 9, "repaired", r"'2014-02-30' is not a date; year from")])


@case("export-future-date", EXPORT)
def _(src, s):
    i = s.col(EXPORT, "Incident Date")
    edit_csv(src, EXPORT, s, lambda rows: rows[9].__setitem__(i, "2099-01-01"))
    return Load([Issue(EXPORT, 10, "repaired", r"impossible date; year from")])


@case("export-no-date-and-no-year", EXPORT)
def _(src, s):
    i, y = s.col(EXPORT, "Incident Date"), s.col(EXPORT, "Incident Year")
    t = s.col(EXPORT, "Total Number of Dead and Missing")
    old = _int(s.csv[EXPORT][11][t])

    def damage(rows):
        rows[11][0], rows[11][i], rows[11][y] = "MMP-no-year", "someday", ""

    edit_csv(src, EXPORT, s, damage)
    return Load(
        [Issue(EXPORT, 12, "rejected", r"'someday' is not a date and no year")],
        {"incidents": -1, "dead_and_missing": -old, "located": -1},
    )


@case("export-coordinates-out-of-range", EXPORT)
def _(src, s):
    i = s.col(EXPORT, "Coordinates")
    edit_csv(src, EXPORT, s, lambda rows: rows[13].__setitem__(i, "95.5, 200.1"))
    return Load([Issue(EXPORT, 14, "unlocated", r"out of range; kept in totals")], {"located": -1})


@case("export-coordinates-swapped", EXPORT)
def _(src, s):
    i = s.col(EXPORT, "Coordinates")
    k = next(
        n
        for n, r in enumerate(s.csv[EXPORT][1:], start=1)
        if r[i] and abs(float(r[i].split(",")[1])) > 90
    )
    lat, lon = (float(v) for v in s.csv[EXPORT][k][i].split(","))
    main_id = s.csv[EXPORT][k][0]
    edit_csv(src, EXPORT, s, lambda rows: rows[k].__setitem__(i, f"{lon}, {lat}"))

    def check(con):
        got = con.execute(
            "SELECT lat, lon FROM incidents WHERE incident_id = ?", [main_id]
        ).fetchone()
        assert got == pytest.approx((lat, lon))

    return Load([Issue(EXPORT, k + 1, "repaired", "swapped back")], {}, check)


@case("export-coordinates-unparseable", EXPORT)
def _(src, s):
    i = s.col(EXPORT, "Coordinates")
    edit_csv(src, EXPORT, s, lambda rows: rows[15].__setitem__(i, "31.6N 110.3W"))
    return Load([Issue(EXPORT, 16, "unlocated", "not a 'lat, lon' pair")], {"located": -1})


@case("export-duplicate-id", EXPORT, cli=True)
def _(src, s):
    t = s.col(EXPORT, "Total Number of Dead and Missing")
    old = _int(s.csv[EXPORT][20][t])
    edit_csv(src, EXPORT, s, lambda rows: rows[20].__setitem__(0, rows[3][0]))
    return Load(
        [Issue(EXPORT, 21, "rejected", r"duplicate Main ID \(first at row 4\)")],
        {"incidents": -1, "dead_and_missing": -old, "located": -1},
    )


@case("export-missing-id", EXPORT)
def _(src, s):
    t = s.col(EXPORT, "Total Number of Dead and Missing")
    old = _int(s.csv[EXPORT][22][t])
    edit_csv(src, EXPORT, s, lambda rows: rows[22].__setitem__(0, " "))
    return Load(
        [Issue(EXPORT, 23, "rejected", "no Main ID")],
        {"incidents": -1, "dead_and_missing": -old, "located": -1},
    )


@case("export-unreadable-count", EXPORT)
def _(src, s):
    d, t = s.col(EXPORT, "Number of Dead"), s.col(EXPORT, "Total Number of Dead and Missing")
    old = _int(s.csv[EXPORT][24][t])
    edit_csv(src, EXPORT, s, lambda rows: rows[24].__setitem__(d, "about 12"))
    return Load(
        [Issue(EXPORT, 25, "rejected", "'about 12' is not a number")],
        {"incidents": -1, "dead_and_missing": -old, "located": -1},
    )


@case("export-negative-survivors", EXPORT)
def _(src, s):
    i = s.col(EXPORT, "Number of Survivors")
    edit_csv(src, EXPORT, s, lambda rows: rows[26].__setitem__(i, "-3"))
    return Load([Issue(EXPORT, 27, "repaired", "negative count treated as not reported")])


@case("export-empty-total", EXPORT)
def _(src, s):
    t = s.col(EXPORT, "Total Number of Dead and Missing")
    edit_csv(src, EXPORT, s, lambda rows: rows[28].__setitem__(t, ""))
    # the sample's dead + missing equal its total, so the repair changes nothing
    return Load([Issue(EXPORT, 29, "repaired", r"empty: dead \+ missing")])


@case("export-javascript-url", EXPORT)
def _(src, s):
    u = s.col(EXPORT, "URL")
    main_id = s.csv[EXPORT][30][0]
    edit_csv(src, EXPORT, s, lambda rows: rows[30].__setitem__(u, "javascript:alert(1)"))

    def check(con):
        got = con.execute("SELECT url FROM incidents WHERE incident_id = ?", [main_id]).fetchone()
        assert got == (None,)

    return Load([Issue(EXPORT, 31, "repaired", "link dropped: not http")], {}, check)


@case("export-byte-order-mark", EXPORT)
def _(src, s):
    _write(src / EXPORT, csv_text(s.csv[EXPORT]), encoding="utf-8-sig")
    return Load()


@case("export-semicolons", EXPORT)
def _(src, s):
    edit_csv(src, EXPORT, s, lambda rows: None, delimiter=";")
    return Load()


@case("export-latin-1", EXPORT)
def _(src, s):
    loc = s.col(EXPORT, "Location of Incident")
    main_id = s.csv[EXPORT][2][0]
    rows = s.rows(EXPORT)
    rows[2][loc] = "Ceuta, España, près de la frontière"
    _write(src / EXPORT, csv_text(rows).encode("latin-1", errors="replace"))

    def check(con):
        got = con.execute(
            "SELECT location FROM incidents WHERE incident_id = ?", [main_id]
        ).fetchone()
        assert got == ("Ceuta, España, près de la frontière",)

    return Load([], {}, check)


@case("export-one-megabyte-field", EXPORT)
def _(src, s):
    loc = s.col(EXPORT, "Location of Incident")
    main_id = s.csv[EXPORT][5][0]
    edit_csv(src, EXPORT, s, lambda rows: rows[5].__setitem__(loc, "Sahara " * 150_000))

    def check(con):
        n = con.execute(
            "SELECT length(location) FROM incidents WHERE incident_id = ?", [main_id]
        ).fetchone()[0]
        assert n > 1_000_000

    return Load([], {}, check)


@case("export-truncated-mid-row", EXPORT, cli=True)
def _(src, s):
    text = csv_text(s.csv[EXPORT])
    # cut just after the 5th field of the last row: a short row, no open quote
    last = text.rstrip("\n").rfind("\n") + 1
    cut = last + len(",".join(s.csv[EXPORT][-1][:5])) + 1
    _write(src / EXPORT, text[:cut])
    return Fail(EXPORT, ("truncated",), row=len(s.csv[EXPORT]))


@case("export-short-row", EXPORT)
def _(src, s):
    edit_csv(src, EXPORT, s, lambda rows: rows.__setitem__(33, rows[33][:12]))
    return Fail(EXPORT, ("12 of 25 fields",), row=34)


@case("export-truncated-in-quoted-field", EXPORT)
def _(src, s):
    text = csv_text(s.csv[EXPORT])
    cut = text.rfind('"Pima') + 10  # inside a quoted Location near the end
    _write(src / EXPORT, text[:cut])
    return Fail(EXPORT, ("truncated",))


@case("export-empty-file", EXPORT, cli=True)
def _(src, s):
    _write(src / EXPORT, b"")
    return Fail(EXPORT, ("empty",))


@case("export-header-only", EXPORT)
def _(src, s):
    _write(src / EXPORT, csv_text(s.csv[EXPORT][:1]))
    return Fail(EXPORT, ("no data rows",))


@case("export-extra-field", EXPORT)
def _(src, s):
    edit_csv(src, EXPORT, s, lambda rows: rows[40].append("surplus"))
    return Fail(EXPORT, ("row 41", "26 fields", "25"))


@case("export-html-named-csv", EXPORT, cli=True)
def _(src, s):
    _write(
        src / EXPORT,
        "<!DOCTYPE html>\n<html><head><title>Access denied</title></head>\n"
        "<body><p>Please log in, to download.</p></body></html>\n",
    )
    return Fail(EXPORT, ("HTML",))


@case("export-zip-named-csv", EXPORT)
def _(src, s):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("export.csv", csv_text(s.csv[EXPORT]))
    _write(src / EXPORT, buf.getvalue())
    return Fail(EXPORT, ("zip",))


@case("export-json-named-csv", EXPORT)
def _(src, s):
    _write(src / EXPORT, json.dumps(s.api[:20]))
    return Fail(EXPORT, ("JSON",))


@case("export-binary-named-csv", EXPORT)
def _(src, s):
    _write(src / EXPORT, bytes(range(256)) * 20)
    return Fail(EXPORT, ("binary",))


@case("export-xlsx-that-is-csv")
def _(src, s):
    _write(src / XLSX, csv_text(s.csv[EXPORT]))
    return Fail(XLSX, ("expected an Excel workbook", "CSV"))


@case("export-xlsx-truncated")
def _(src, s):
    raw = (s.mirror / XLSX).read_bytes()
    _write(src / XLSX, raw[: len(raw) // 2])
    return Fail(XLSX, ("workbook",))


# ---- MMP JSON endpoint ----------------------------------------------------------------


def _unique_record(s: Samples, start: int = 0) -> int:
    """Index of a sample record whose web_id no other record shares, with a total."""
    counts: dict[str, int] = {}
    for r in s.api:
        counts[r["web_id"]] = counts.get(r["web_id"], 0) + 1
    return next(
        i
        for i, r in enumerate(s.api)
        if i >= start and counts[r["web_id"]] == 1 and r["total_dead_and_missing"].strip()
    )


def edit_api(src: Path, s: Samples, fn) -> list[dict]:
    recs = copy.deepcopy(s.api)
    fn(recs)
    _write(src / API, json.dumps(recs, ensure_ascii=False))
    return recs


@case("endpoint-truncated-json", API, cli=True)
def _(src, s):
    text = json.dumps(s.api)
    _write(src / API, text[: len(text) // 2])
    return Fail(API, ("not valid JSON", "line 1", "truncated"))


@case("endpoint-csv-named-json", API)
def _(src, s):
    _write(src / API, csv_text(s.csv[EXPORT][:20]))
    return Fail(API, ("not valid JSON",))


@case("endpoint-html-named-json", API)
def _(src, s):
    _write(src / API, "<html><body><h1>502 Bad Gateway</h1></body></html>")
    return Fail(API, ("HTML",))


@case("endpoint-missing-field", API)
def _(src, s):
    edit_api(src, s, lambda recs: [r.pop("location_coodinates") for r in recs])
    return Fail(API, ("missing required field", "'location_coodinates'"))


@case("endpoint-with-export-column-names", API)
def _(src, s):
    back = {v: k for k, v in ENDPOINT_NAMES.items()}
    edit_api(
        src,
        s,
        lambda recs: recs.__setitem__(
            slice(None), [{back.get(k, k): v for k, v in r.items()} for r in recs]
        ),
    )
    return Fail(API, ("missing required field", "'web_id'", "export"))


@case("endpoint-not-a-list", API)
def _(src, s):
    _write(src / API, json.dumps({"message": "rate limited", "status": 429}))
    return Fail(API, ("list of records",))


@case("endpoint-records-not-objects", API)
def _(src, s):
    _write(src / API, json.dumps([["2025.MMP0001", "2025-01-01", "3"]]))
    return Fail(API, ("list of records",))


@case("endpoint-thousands-separator", API)
def _(src, s):
    k = _unique_record(s)
    old = _int(s.api[k]["total_dead_and_missing"])

    def damage(recs):
        recs[k].update(number_dead="1,022", number_missing="0", total_dead_and_missing="1,022")

    edit_api(src, s, damage)
    return Load(
        [Issue(API, k + 1, "repaired", "thousands separator")], {"dead_and_missing": 1022 - old}
    )


@case("endpoint-empty-date", API)
def _(src, s):
    k = _unique_record(s, 5)
    year = s.api[k]["reported_date"][:4]
    edit_api(src, s, lambda recs: recs[k].__setitem__("reported_date", ""))
    # Kept in its year's totals: the file is named for the year (api/2025.json).
    return Load([Issue(API, k + 1, "repaired", f"no date; year {year} from the file name")])


@case("endpoint-numbers-and-nulls", API)
def _(src, s):
    k = _unique_record(s, 10)

    def damage(recs):
        r = recs[k]
        r["total_dead_and_missing"] = int(r["total_dead_and_missing"])
        r["number_of_survivors"] = None
        r["migration_route"] = None
        r.pop("url", None)

    edit_api(src, s, damage)
    return Load()


@case("endpoint-wrapped-in-data-object", API)
def _(src, s):
    _write(src / API, json.dumps({"data": s.api, "count": len(s.api)}))
    return Load()


@case("endpoint-wrapped-in-results-object", API)
def _(src, s):
    _write(src / API, json.dumps({"meta": {"page": 1}, "results": s.api}))
    return Load()


@case("endpoint-two-unknown-lists", API)
def _(src, s):
    _write(src / API, json.dumps({"a": s.api, "b": s.api[:5]}))
    return Fail(API, ("list of records", "several"))


@case("endpoint-renamed-count-field", API)
def _(src, s):
    edit_api(src, s, lambda recs: [r.__setitem__("dead", r.pop("number_dead")) for r in recs])
    return Fail(API, ("missing required field", "'number_dead'"))


@case("endpoint-impossible-year", API)
def _(src, s):
    k = _unique_record(s, 15)
    old = _int(s.api[k]["total_dead_and_missing"])
    located = 1 if s.api[k]["location_coodinates"].strip() else 0
    edit_api(src, s, lambda recs: recs[k].__setitem__("reported_date", "2099-05-01"))
    return Load(
        [Issue(API, k + 1, "rejected", "impossible date")],
        {"incidents": -1, "dead_and_missing": -old, "located": -located},
    )


@case("endpoint-dates-day-first", API)
def _(src, s):
    from datetime import date

    def damage(recs):
        for r in recs:
            if r["reported_date"]:
                r["reported_date"] = date.fromisoformat(r["reported_date"]).strftime("%d/%m/%Y")

    edit_api(src, s, damage)
    return Load()


@case("endpoint-byte-order-mark-in-web-id", API)
def _(src, s):
    k = _unique_record(s, 20)
    web_id = s.api[k]["web_id"]
    edit_api(src, s, lambda recs: recs[k].__setitem__("web_id", "\ufeff" + web_id))

    def check(con):
        got = con.execute("SELECT count(*) FROM incidents WHERE incident_id = ?", [web_id])
        assert got.fetchone() == (1,)

    return Load([Issue(API, k + 1, "repaired", "invisible characters removed")], {}, check)


@case("endpoint-byte-order-mark", API)
def _(src, s):
    _write(src / API, json.dumps(s.api), encoding="utf-8-sig")
    return Load()


# ---- UNHCR location register ------------------------------------------------------------


@case("register-missing-column", REGISTER, cli=True)
def _(src, s):
    i = s.col(REGISTER, "POINT_Y")
    edit_csv(src, REGISTER, s, lambda rows: [r.pop(i) for r in rows])
    return Fail(REGISTER, ("missing required column", "'POINT_Y'"))


@case("register-duplicate-pcode", REGISTER)
def _(src, s):
    i = s.col(REGISTER, "pcode")
    edit_csv(src, REGISTER, s, lambda rows: rows[30].__setitem__(i, rows[2][i]))
    located = 1 if s.csv[REGISTER][30][s.col(REGISTER, "POINT_X")] not in ("", "NA") else 0
    return Load(
        [Issue(REGISTER, 31, "rejected", r"duplicate pcode \(first at row 3\)")],
        {"sites": -1, "sites_located": -located},
    )


@case("register-coordinates-out-of-range", REGISTER)
def _(src, s):
    x, y = s.col(REGISTER, "POINT_X"), s.col(REGISTER, "POINT_Y")

    def damage(rows):
        rows[4][x], rows[4][y] = "200.5", "-95.25"

    edit_csv(src, REGISTER, s, damage)
    return Load(
        [Issue(REGISTER, 5, "unlocated", "out of range; listed, not mapped")],
        {"sites_located": -1},
    )


@case("register-coordinates-swapped", REGISTER)
def _(src, s):
    x, y = s.col(REGISTER, "POINT_X"), s.col(REGISTER, "POINT_Y")
    k = next(
        n
        for n, r in enumerate(s.csv[REGISTER][1:], start=1)
        if r[x] not in ("", "NA") and abs(float(r[x])) > 90
    )

    def damage(rows):
        rows[k][x], rows[k][y] = rows[k][y], rows[k][x]

    edit_csv(src, REGISTER, s, damage)
    return Load([Issue(REGISTER, k + 1, "repaired", "swapped back")])


@case("register-coordinates-unparseable", REGISTER)
def _(src, s):
    x = s.col(REGISTER, "POINT_X")
    edit_csv(src, REGISTER, s, lambda rows: rows[6].__setitem__(x, "32°28'E"))
    return Load(
        [Issue(REGISTER, 7, "unlocated", "is not a number; listed, not mapped")],
        {"sites_located": -1},
    )


@case("register-bad-status", REGISTER)
def _(src, s):
    i, x = s.col(REGISTER, "status"), s.col(REGISTER, "POINT_X")
    located = 1 if s.csv[REGISTER][8][x] not in ("", "NA") else 0
    edit_csv(src, REGISTER, s, lambda rows: rows[8].__setitem__(i, "open"))
    return Load(
        [Issue(REGISTER, 9, "rejected", "status is neither 0 nor 1")],
        {"sites": -1, "sites_located": -located},
    )


@case("register-latin-1-semicolons", REGISTER)
def _(src, s):
    n = s.col(REGISTER, "name")
    pcode = s.csv[REGISTER][3][s.col(REGISTER, "pcode")]
    rows = s.rows(REGISTER)
    rows[3][n] = "Camp Réfugiés Sainte-Thérèse"
    _write(src / REGISTER, csv_text(rows, ";").encode("latin-1", errors="replace"))

    def check(con):
        got = con.execute("SELECT name FROM sites WHERE site_id = ?", [pcode]).fetchone()
        assert got == ("Camp Réfugiés Sainte-Thérèse",)

    return Load([], {}, check)


# ---- NW Syria ISIMM ------------------------------------------------------------------------


@case("isimm-missing-column", ISIMM)
def _(src, s):
    i = s.col(ISIMM, "individual")
    edit_csv(src, ISIMM, s, lambda rows: rows[0].__setitem__(i, "individuals"))
    return Fail(ISIMM, ("missing required column", "'individual'"))


@case("isimm-fractional-head-count", ISIMM)
def _(src, s):
    i = s.col(ISIMM, "individual")
    old = int(s.csv[ISIMM][10][i])
    edit_csv(src, ISIMM, s, lambda rows: rows[10].__setitem__(i, "1782.5"))
    return Load(
        [Issue(ISIMM, 11, "rejected", "not a whole number of people")],
        {"sites": -1, "sites_located": -1, "isimm_people": -old},
    )


@case("isimm-unparseable-position", ISIMM)
def _(src, s):
    i, c = s.col(ISIMM, "lat"), s.col(ISIMM, "individual")
    old = int(s.csv[ISIMM][12][c])
    edit_csv(src, ISIMM, s, lambda rows: rows[12].__setitem__(i, "36,38"))
    return Load(
        [Issue(ISIMM, 13, "rejected", "not a number")],
        {"sites": -1, "sites_located": -1, "isimm_people": -old},
    )


@case("isimm-windows-1252", ISIMM)
def _(src, s):
    # The publisher's monthly files are cp1252; a name with an accent and a curly quote.
    i = s.col(ISIMM, "camp_name")
    pcode = s.csv[ISIMM][5][0]
    rows = s.rows(ISIMM)
    rows[5][i] = "Al ’Atmeh – Qah"
    _write(src / ISIMM, csv_text(rows).encode("cp1252", errors="replace"))

    def check(con):
        got = con.execute("SELECT name FROM sites WHERE site_id = ?", [pcode]).fetchone()
        assert got == ("Al ’Atmeh – Qah",)

    return Load([], {}, check)


# ---- Cox's Bazar outlines (GeoJSON) ---------------------------------------------------------


@case("outlines-null-geometry", OUTLINES)
def _(src, s):
    data = copy.deepcopy(s.outlines)
    data["features"][3]["geometry"] = None
    _write(src / OUTLINES, json.dumps(data))
    return Load([Issue(OUTLINES, 4, "rejected", "no polygon geometry")], {"outlines": -1})


@case("outlines-text-in-number", OUTLINES)
def _(src, s):
    data = copy.deepcopy(s.outlines)
    data["features"][2]["properties"]["CentroidY"] = "north of Ukhia"
    data["features"][5]["properties"]["AreaSqKM"] = "large"
    _write(src / OUTLINES, json.dumps(data))
    return Load(
        [
            Issue(OUTLINES, 3, "repaired", "not a number"),
            Issue(OUTLINES, 6, "repaired", "not a number"),
        ]
    )


# ---- WUP cities -----------------------------------------------------------------------------


@case("wup-no-year-columns", WUP, cli=True)
def _(src, s):
    keep = [i for i, c in enumerate(s.csv[WUP][0]) if not re.fullmatch(r"\d{4}", c)]
    edit_csv(
        src,
        WUP,
        s,
        lambda rows: rows.__setitem__(slice(None), [[r[i] for i in keep] for r in rows]),
    )
    return Fail(WUP, ("no population year columns",))


@case("wup-bad-country-code", WUP)
def _(src, s):
    i = s.col(WUP, "Country Code")
    years = [j for j, c in enumerate(s.csv[WUP][0]) if re.fullmatch(r"\d{4}", c)]
    pop = sum(round(float(s.csv[WUP][7][j]) * 1000) for j in years)
    edit_csv(src, WUP, s, lambda rows: rows[7].__setitem__(i, "Afghanistan"))
    return Load(
        [Issue(WUP, 8, "rejected", "not a country code")],
        {"cities": -1, "city_population": -pop},
    )


@case("wup-duplicate-city-code", WUP)
def _(src, s):
    i = s.col(WUP, "City Code")
    years = [j for j, c in enumerate(s.csv[WUP][0]) if re.fullmatch(r"\d{4}", c)]
    pop = sum(round(float(s.csv[WUP][9][j]) * 1000) for j in years)
    edit_csv(src, WUP, s, lambda rows: rows[9].__setitem__(i, rows[1][i]))
    return Load(
        [Issue(WUP, 10, "rejected", r"duplicate City Code \(first at row 2\)")],
        {"cities": -1, "city_population": -pop},
    )


@case("wup-negative-population", WUP)
def _(src, s):
    years = [j for j, c in enumerate(s.csv[WUP][0]) if re.fullmatch(r"\d{4}", c)]
    pop = sum(round(float(s.csv[WUP][11][j]) * 1000) for j in years)
    edit_csv(src, WUP, s, lambda rows: rows[11].__setitem__(years[3], "-12.5"))
    return Load(
        [Issue(WUP, 12, "rejected", "missing or negative")],
        {"cities": -1, "city_population": -pop},
    )


@case("wup-thousands-separator", WUP)
def _(src, s):
    j = s.col(WUP, "2035")
    k = next(n for n, r in enumerate(s.csv[WUP][1:], start=1) if float(r[j]) >= 1000)
    value = s.csv[WUP][k][j]
    whole, _, frac = value.partition(".")
    edit_csv(src, WUP, s, lambda rows: rows[k].__setitem__(j, f"{int(whole):,}.{frac}"))
    return Load([Issue(WUP, k + 1, "repaired", "thousands separator")])


@case("wup-coordinates-swapped", WUP)
def _(src, s):
    a, b = s.col(WUP, "Latitude"), s.col(WUP, "Longitude")
    k = next(n for n, r in enumerate(s.csv[WUP][1:], start=1) if abs(float(r[b])) > 90)

    def damage(rows):
        rows[k][a], rows[k][b] = rows[k][b], rows[k][a]

    edit_csv(src, WUP, s, damage)
    return Load([Issue(WUP, k + 1, "repaired", "swapped back")])


@case("wup-xls-that-is-html")
def _(src, s):
    _write(src / WUP_XLS, "<html><body><table><tr><td>Herat</td></tr></table></body></html>")
    return Fail(WUP_XLS, ("expected an Excel workbook", "HTML"))


# ---- UNHCR population -----------------------------------------------------------------------


@case("population-missing-column", POPULATION)
def _(src, s):
    i = s.col(POPULATION, "coa_iso")
    edit_csv(src, POPULATION, s, lambda rows: [r.pop(i) for r in rows])
    return Fail(POPULATION, ("missing required column", "'coa_iso'"))


@case("population-thousands-separator", POPULATION)
def _(src, s):
    i = s.col(POPULATION, "refugees")
    k = next(n for n, r in enumerate(s.csv[POPULATION][1:], start=1) if _int(r[i]) >= 1000)
    edit_csv(src, POPULATION, s, lambda rows: rows[k].__setitem__(i, f"{int(rows[k][i]):,}"))
    return Load([Issue(POPULATION, k + 1, "repaired", "thousands separator")])


@case("population-bad-year", POPULATION)
def _(src, s):
    i, r = s.col(POPULATION, "year"), s.col(POPULATION, "refugees")
    old = _int(s.csv[POPULATION][50][r])
    edit_csv(src, POPULATION, s, lambda rows: rows[50].__setitem__(i, "19S1"))
    return Load(
        [Issue(POPULATION, 51, "rejected", "not a year")],
        {"refugee_rows": -1, "refugees": -old},
    )


@case("population-negative-count", POPULATION)
def _(src, s):
    r = s.col(POPULATION, "refugees")
    old = _int(s.csv[POPULATION][60][r])
    edit_csv(src, POPULATION, s, lambda rows: rows[60].__setitem__(r, "-5"))
    return Load(
        [Issue(POPULATION, 61, "rejected", "not a count")],
        {"refugee_rows": -1, "refugees": -old},
    )


@case("population-semicolons-and-bom", POPULATION)
def _(src, s):
    _write(src / POPULATION, csv_text(s.csv[POPULATION], ";"), encoding="utf-8-sig")
    return Load()


# ---- Natural Earth countries ----------------------------------------------------------------


@case("countries-truncated-geojson", cli=True)
def _(src, s):
    text = json.dumps(s.ne)
    _write(src / NE, text[: len(text) * 2 // 3])
    return Fail(NE, ("not valid GeoJSON", "truncated"))


@case("countries-not-a-featurecollection")
def _(src, s):
    _write(src / NE, json.dumps(s.ne["features"][0]))
    return Fail(NE, ("FeatureCollection",))


@case("countries-missing-property")
def _(src, s):
    data = copy.deepcopy(s.ne)
    del data["features"][4]["properties"]["ISO_A3"]
    _write(src / NE, json.dumps(data))
    return Fail(NE, ("missing required property", "'ISO_A3'"), row=5)


@case("countries-feature-not-an-object")
def _(src, s):
    data = copy.deepcopy(s.ne)
    data["features"][2] = "Fiji"
    _write(src / NE, json.dumps(data))
    return Fail(NE, ("not a GeoJSON feature",), row=3)


@case("countries-null-geometry")
def _(src, s):
    data = copy.deepcopy(s.ne)
    data["features"][1]["geometry"] = None
    _write(src / NE, json.dumps(data))
    return Load([Issue(NE, 2, "rejected", "no polygon geometry")], {"countries": -1})


@case("countries-text-in-numbers")
def _(src, s):
    data = copy.deepcopy(s.ne)
    data["features"][6]["properties"]["POP_EST"] = "about 40 million"
    data["features"][7]["properties"]["LABEL_Y"] = "north"
    _write(src / NE, json.dumps(data))
    return Load(
        [Issue(NE, 7, "repaired", "not a number"), Issue(NE, 8, "repaired", "not a number")]
    )


BOW_TIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
TWO_POINTS = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}


def _shifted(geometry: dict, lon: float, lat: float) -> dict:
    g = copy.deepcopy(geometry)
    g["coordinates"] = [[[x + lon, y + lat] for x, y in ring] for ring in g["coordinates"]]
    return g


@case("countries-self-intersecting-polygon")
def _(src, s):
    data = copy.deepcopy(s.ne)
    data["features"][9]["geometry"] = _shifted(BOW_TIE, 10, 10)
    _write(src / NE, json.dumps(data))
    return Load([Issue(NE, 10, "repaired", "Self-intersection.*repaired with make_valid")])


@case("countries-two-point-polygon")
def _(src, s):
    data = copy.deepcopy(s.ne)
    data["features"][11]["geometry"] = _shifted(TWO_POINTS, 10, 10)
    _write(src / NE, json.dumps(data))
    return Load([Issue(NE, 12, "rejected", "polygon")], {"countries": -1})


@case("outlines-self-intersecting-polygon", OUTLINES)
def _(src, s):
    data = copy.deepcopy(s.outlines)
    data["features"][4]["geometry"] = _shifted(BOW_TIE, 92.1, 21.1)
    _write(src / OUTLINES, json.dumps(data))
    return Load([Issue(OUTLINES, 5, "repaired", "Self-intersection.*make_valid")])


@case("outlines-two-point-polygon", OUTLINES)
def _(src, s):
    data = copy.deepcopy(s.outlines)
    data["features"][6]["geometry"] = _shifted(TWO_POINTS, 92.1, 21.1)
    _write(src / OUTLINES, json.dumps(data))
    return Load([Issue(OUTLINES, 7, "rejected", "polygon")], {"outlines": -1})


@case("countries-empty-file")
def _(src, s):
    _write(src / NE, b"   \n")
    return Fail(NE, ("empty",))


# --------------------------------------------------------------------------- running


def _build_in_process(src: Path, db: Path) -> tuple[int, str, str]:
    from geo.build import BuildError, build

    out = io.StringIO()
    try:
        build(src, db, out=out)
    except BuildError as exc:
        return 1, out.getvalue(), f"build failed: {exc}\n"
    return 0, out.getvalue(), ""


def _build_cli(src: Path, db: Path) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "build", "--sources", str(src), "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def baselines(samples, tmp_path_factory, db_path):
    """Figures of the undamaged small builds, one per set of files (built on demand)."""
    cache: dict[tuple[str, ...], tuple[dict[str, int], Path]] = {}

    def get(files: tuple[str, ...], db: bool = False) -> dict[str, int] | Path:
        """The figures, or (``db=True``) the database, of the undamaged build."""
        if files not in cache:
            root = tmp_path_factory.mktemp("baseline")
            src = make_sources(root, files, samples)
            code, out, err = _build_in_process(src, root / "atlas.duckdb")
            assert code == 0, err
            with duckdb.connect(str(root / "atlas.duckdb"), read_only=True) as c:
                cache[files] = (figures(c), root / "atlas.duckdb")
                assert c.execute("SELECT count(*) FROM load_issues").fetchone()[0] >= 0
        return cache[files][1] if db else cache[files][0]

    return get


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_damaged_source(c: Case, samples, baselines, tmp_path):
    base = baselines(c.files)
    src = make_sources(tmp_path, c.files, samples)
    expect = c.damage(src, samples)
    db = tmp_path / "atlas.duckdb"
    # The previous good database: the undamaged build of the same files, so that a
    # dataset missing now is the damage itself (see check_against_previous).
    shutil.copyfile(baselines(c.files, db=True), db)
    before = _sha(db)
    code, out, err = (_build_cli if c.cli else _build_in_process)(src, db)
    assert "Traceback" not in out + err
    if isinstance(expect, Fail):
        assert code == 1, (out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        line = lines[0]
        assert expect.file in line, line
        reason = line.split(expect.file, 1)[1]
        assert re.search(r": \w", reason), f"no reason after the file name: {line}"
        for word in expect.words:
            assert word in line, (word, line)
        if expect.row is not None:
            assert f"row {expect.row}" in line, line
        if expect.column is not None:
            assert f"'{expect.column}'" in line, line
        assert _sha(db) == before, "a failed build changed the previous database"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas.duckdb", "src"]
        return
    assert code == 0, err
    assert err == "" or "Traceback" not in err
    with duckdb.connect(str(db), read_only=True) as con:
        got = figures(con)
        want = {k: v + expect.delta.get(k, 0) for k, v in base.items()}
        assert got == want
        issues = con.execute("SELECT file, row, action, reason FROM load_issues").fetchall()
        for i in expect.issues:
            match = [
                x
                for x in issues
                if x[0] == i.file
                and x[1] == i.row
                and x[2] == i.action
                and re.search(i.reason, x[3])
            ]
            assert match, (i, [x for x in issues if x[0] == i.file][:10])
        if expect.check:
            expect.check(con)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas.duckdb", "src"]


def test_corpus_is_large_and_covers_every_dataset():
    assert len(CASES) >= 30
    touched = {rel.split("/")[0] for c in CASES for rel in (c.files or (NE,))}
    assert {"missing_migrants", "camps", "city_population", "unhcr_refugees", "natural_earth"} <= (
        touched
    )
    assert sum(c.cli for c in CASES) >= 5


def test_allow_missing_names_what_may_go(samples, baselines, tmp_path):
    """A dataset of the previous build may go only when --allow-missing names it."""
    src = make_sources(tmp_path, (EXPORT,), samples)
    (src / EXPORT).unlink()
    db = tmp_path / "atlas.duckdb"
    shutil.copyfile(baselines((EXPORT,), db=True), db)
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "build", "--sources", str(src), "--db", str(db)]
        + ["--allow-missing", "missing_migrants"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "mmp_export: missing_migrants/" in proc.stdout and "as allowed" in proc.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        assert figures(con)["incidents"] == 0
        assert figures(con)["countries"] == baselines((EXPORT,))["countries"]


def test_no_previous_database_needs_natural_earth_only(samples, tmp_path):
    """With no previous build, a missing dataset is skipped and said, except the
    countries every map page draws, whose absence fails with one line naming the file."""
    from geo.build import BuildError, build

    src = make_sources(tmp_path, (POPULATION,), samples)
    out = io.StringIO()
    build(src, tmp_path / "first.duckdb", out=out)
    assert "MMP incidents: no file found, skipped" in out.getvalue()
    (src / NE).unlink()
    with pytest.raises(BuildError, match=r"natural_earth/ne_110m_admin_0_countries\.geojson: not"):
        build(src, tmp_path / "second.duckdb", out=io.StringIO())
    assert not (tmp_path / "second.duckdb").exists()


def test_a_missing_year_file_of_the_endpoint_fails(samples, tmp_path):
    """One year's endpoint file gone while the others remain is a loss, not an update."""
    from geo.build import BuildError, build

    src = make_sources(tmp_path, (API,), samples)
    other = src / "missing_migrants/api/2026.json"
    recs = [dict(r, web_id=r["web_id"].replace("2025.", "2026.")) for r in samples.api[:40]]
    _write(other, json.dumps(recs))
    db = tmp_path / "atlas.duckdb"
    build(src, db, out=io.StringIO())
    before = _sha(db)
    other.unlink()
    with pytest.raises(BuildError, match=r"api/2026\.json: this file was in the previous build"):
        build(src, db, out=io.StringIO())
    assert _sha(db) == before
    build(src, db, out=io.StringIO(), allow_missing=["missing_migrants/api/2026.json"])
    assert _sha(db) != before


def test_unexpected_error_is_one_line_naming_the_file(monkeypatch, samples, tmp_path):
    """A damaged source nobody foresaw (any exception in a loader) still gives one line."""
    from geo.build import BuildError, build
    from geo.loaders import wup

    def boom(*a, **k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(wup, "check_position", boom)
    src = make_sources(tmp_path, (WUP,), samples)
    with pytest.raises(BuildError) as info:
        build(src, tmp_path / "atlas.duckdb", out=io.StringIO())
    line = str(info.value)
    assert "\n" not in line and WUP in line and "ZeroDivisionError" in line
    assert not (tmp_path / "atlas.duckdb").exists()


# --------------------------------------------------------------------------- URL input

INJECTIONS = [
    "x'); DROP TABLE incidents; --",
    "' OR '1'='1",
    "Central Mediterranean' OR '1'='1",
    "2025; DELETE FROM cities",
    "2025 OR 1=1",
    "$routes",
    "%' OR '%'='",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "1e309",
    "-1",
    "\x00",
    "A" * 5000,
]
# Every URL parameter each page's State reads (see geo/views/*.py from_params).
PAGE_PARAMS = {
    "routes": ["from", "to", "regions", "routes", "causes", "types"],
    "camps": ["type", "status", "country", "dataset", "precision"],
    "cities": ["year", "mode", "from", "to", "min", "ryear", "k"],
    "cifal": ["radius", "year", "min", "from", "to", "growth", "closed"],
}


def _table_counts(con) -> dict[str, int]:
    names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608 - names from the catalogue


@pytest.fixture(scope="module")
def writable(db_path, tmp_path_factory):
    """A read-write connection to a copy of the session database: an injection that
    got through could really drop or change a table here."""
    path = tmp_path_factory.mktemp("inject") / "atlas.duckdb"
    shutil.copyfile(db_path, path)
    con = duckdb.connect(str(path))
    before = _table_counts(con)
    yield con
    try:
        assert _table_counts(con) == before, "a table changed"
    finally:
        con.close()


@pytest.mark.parametrize("page", list(PAGE_PARAMS))
def test_url_parameters_are_values_not_sql(page, writable):
    """Injection strings in every parameter a page reads fall back to the defaults,
    with a note, and the page shows exactly its default figures and data."""
    from geo.registry import render_page
    from geo.views import countries_of, direct_query

    q, countries = direct_query(writable), countries_of(writable)
    before = _table_counts(writable)
    default = render_page(page, q, countries, {})
    data = default.load_data().reset_index(drop=True)
    for evil in INJECTIONS:
        params = dict.fromkeys(PAGE_PARAMS[page], evil)
        got = render_page(page, q, countries, params)
        assert got.notes, (page, evil)  # each ignored value is reported
        assert got.subtitle == default.subtitle, (page, evil)
        assert got.params == default.params
        other = got.load_data().reset_index(drop=True)
        assert other.shape == data.shape and other.equals(data), (page, evil)
    assert _table_counts(writable) == before


@pytest.mark.parametrize("page", list(PAGE_PARAMS))
def test_a_huge_link_value_is_quoted_back_cut(page, writable):
    """A 20,000-character value in every parameter a page reads: each is noted, and
    quoted back cut to a few dozen characters (quoted whole, it filled screens)."""
    from geo.registry import render_page
    from geo.views import countries_of, direct_query

    q, countries = direct_query(writable), countries_of(writable)
    huge = "A" * 20_000
    notes = render_page(page, q, countries, dict.fromkeys(PAGE_PARAMS[page], huge)).notes
    assert notes, page
    for note in notes:
        assert huge[:80] not in note, (page, note)  # cut, and said to be
        assert "AAAA" not in note or "A…" in note, (page, note)
        assert len(note) < 400, (page, len(note))  # so the notice stays a line or two


def test_valid_values_survive_beside_injected_ones(writable):
    from geo.views import direct_query, routes

    q = direct_query(writable)
    opts = routes.options(q)
    params = {"routes": "Central Mediterranean|x'); DROP TABLE incidents; --|' OR '1'='1"}
    state, notes = routes.RoutesState.from_params(params, opts)
    assert state.routes == ["Central Mediterranean"]
    assert notes and "not in the data" in notes[0]


@pytest.mark.parametrize("evil", INJECTIONS[:9])
def test_states_built_directly_bind_injections_as_values(evil, writable):
    """Even a state that skipped from_params (a bug elsewhere) cannot inject: the
    strings reach DuckDB as bound values and match nothing."""
    from geo.views import camps, countries_of, direct_query, routes

    q, countries = direct_query(writable), countries_of(writable)
    opts = routes.options(q)
    for key in routes.LIST_KEYS:
        state = routes.RoutesState(opts.first_date, opts.last_date, **{key: [evil]})
        view = routes.build(q, countries, state, options=opts)
        assert int(view.headline["incidents"]) == 0, key
        assert view.deadliest.empty and view.map_info.circles == 0
    for key in ("site_types", "countries", "datasets"):
        view = camps.build(q, countries, camps.CampsState(**{key: [evil]}))
        assert int(view.headline["sites"]) == 0, key
        assert view.sites.empty
    assert writable.execute("SELECT count(*) FROM incidents").fetchone()[0] > 19000


SQL_CALLS = {"execute", "executemany", "sql", "query", "from_query"}
# The only dynamic SQL text: DDL and comments from geo.schema's own names and texts.
ALLOWED_DYNAMIC_SQL = {("geo/build.py", "_create_schema"), ("geo/context.py", "insert")}


def _dynamic_sql_calls(path: Path) -> list[tuple[str, int]]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node, func: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, ast.FunctionDef) else func
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr in SQL_CALLS
                and child.args
            ):
                arg = child.args[0]
                dynamic = (
                    isinstance(arg, ast.JoinedStr)
                    or (isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod | ast.Add))
                    or (
                        isinstance(arg, ast.Call)
                        and isinstance(arg.func, ast.Attribute)
                        and arg.func.attr in {"format", "replace", "join"}
                    )
                )
                if dynamic:
                    found.append((name, child.lineno))
            visit(child, name)

    visit(tree, "<module>")
    return found


def test_no_sql_text_is_built_from_values(tmp_path):
    """No ``.execute(`` in geo/ or app_pages/ takes an f-string, ``%`` or ``.format`` text,
    except the schema DDL whose names come from geo.schema (ruff S608 checks the rest)."""
    offenders = []
    files = [*sorted((REPO / "geo").rglob("*.py")), *sorted((REPO / "app_pages").glob("*.py"))]
    for path in files:
        rel = str(path.relative_to(REPO))
        for func, line in _dynamic_sql_calls(path):
            if (rel, func) not in ALLOWED_DYNAMIC_SQL:
                offenders.append(f"{rel}:{line} in {func}")
    assert not offenders, offenders
    # the allowed ones exist (so this list stays honest) and use schema names only
    build_src = (REPO / "geo/build.py").read_text(encoding="utf-8")
    assert "for t in TABLES:" in build_src
    assert "S608" in (REPO / "pyproject.toml").read_text(encoding="utf-8")
    text = "def f(con, x):\n    con.execute(f'SELECT {x}')\n"
    probe = tmp_path / "probe.py"
    probe.write_text(text, encoding="utf-8")
    assert _dynamic_sql_calls(probe) == [("f", 2)]  # the scanner does find one
