"""The build against the real mirror: figures equal the source files, provenance is
complete, and a failed build leaves the previous database untouched."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import duckdb

from geo.schema import TABLES, tables_markdown
from tests.conftest import REPO, copy_sources

EXPORT_CSV = "missing_migrants/Missing_Migrants_Global_Figures_allData_2025-04.csv"


def _export_rows(mirror: Path) -> list[dict]:
    with (mirror / EXPORT_CSV).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_report_shows_the_issue_figures(built, mirror):
    _, summary, report = built
    rows = _export_rows(mirror)
    assert summary["incidents_export"] == len(rows) == 19255
    total = sum(int(r["Total Number of Dead and Missing"].replace(",", "")) for r in rows)
    assert summary["dead_and_missing_export"] == total == 74376
    assert "19,255 incidents" in report and "74,376 dead and missing" in report
    assert summary["sites"] >= 13700
    assert summary["cities"] == 1860
    assert summary["city_years_min"] == summary["city_years_max"] == 18
    assert summary["countries"] >= 177
    assert summary["cifal"] >= 30


def test_endpoint_adds_only_incidents_after_the_export(con, mirror):
    export_ids = {r["Main ID"] for r in _export_rows(mirror)}
    last = max(r["Incident Date"] for r in _export_rows(mirror) if r["Incident Date"])
    first_dates: dict[str, str] = {}
    for path in sorted((mirror / "missing_migrants/api").glob("*.json")):
        for rec in json.loads(path.read_text(encoding="utf-8")):
            d = rec["reported_date"].strip()
            if d and rec["web_id"] not in export_ids:
                first_dates[rec["web_id"]] = min(first_dates.get(rec["web_id"], d), d)
    expected = {i for i, d in first_dates.items() if d > last}
    got = {
        r[0]
        for r in con.execute(
            "SELECT incident_id FROM incidents WHERE origin = 'endpoint'"
        ).fetchall()
    }
    assert got == expected and len(got) > 300
    # An endpoint incident is the sum of its rows (one per group of origin).
    web_id, n_rows, dm = con.execute(
        """SELECT i.incident_id, 0, i.dead_and_missing FROM incidents i
           WHERE origin = 'endpoint' AND incident_type = 'Split Incident' LIMIT 1"""
    ).fetchone()
    src = [
        int(r["total_dead_and_missing"].replace(",", ""))
        for p in (mirror / "missing_migrants/api").glob("*.json")
        for r in json.loads(p.read_text(encoding="utf-8"))
        if r["web_id"] == web_id
    ]
    assert len(src) > 1 and sum(src) == dm


def test_multi_valued_fields_are_lists(con):
    n = con.execute(
        "SELECT count(*) FROM incidents WHERE list_contains(causes, "
        "'Harsh environmental conditions / lack of adequate shelter, food, water') AND len(causes) > 1"
    ).fetchone()[0]
    assert n >= 10
    routes = {r[0] for r in con.execute("SELECT DISTINCT route FROM incident_routes").fetchall()}
    assert "Central Mediterranean" in routes and not any("," in r for r in routes)


def test_register_and_sites_match_the_source(con, mirror):
    with (mirror / "camps/displacement_locations_unhcr_2020-01.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    archived = sum(r["loc_type"] == "Archived data - disregard" for r in rows)
    loaded = con.execute("SELECT count(*) FROM sites WHERE dataset = 'unhcr_register'").fetchone()[
        0
    ]
    rejected = con.execute(
        "SELECT count(*) FROM load_issues WHERE dataset = 'unhcr_register' AND action = 'rejected'"
    ).fetchone()[0]
    assert archived == 143
    assert loaded + rejected == len(rows) == 13733
    open_src = sum(r["status"] == "1" for r in rows if r["loc_type"] != "Archived data - disregard")
    open_db = con.execute(
        "SELECT count(*) FROM sites WHERE dataset = 'unhcr_register' AND is_open"
    ).fetchone()[0]
    assert abs(open_src - open_db) <= 1  # one duplicate pcode is rejected
    people = con.execute("SELECT sum(individuals) FROM sites WHERE dataset = 'isimm'").fetchone()[0]
    assert people == 1479320
    # POINT_X is the longitude: Opit (Uganda) lies at 32.47 E, 2.62 N.
    lat, lon = con.execute("SELECT lat, lon FROM sites WHERE site_id = 'UGAs003650'").fetchone()
    assert (round(lat, 3), round(lon, 3)) == (2.621, 32.475)


def test_city_populations_are_persons(con, mirror):
    with (mirror / "city_population/WUP2018-F12-Cities_Over_300K_1950-2035_thousands.csv").open(
        encoding="utf-8"
    ) as fh:
        kabul = next(r for r in csv.DictReader(fh) if r["Urban Agglomeration"] == "Kabul")
    got = con.execute(
        "SELECT population FROM city_population JOIN cities USING (city_code) WHERE name = 'Kabul' AND year = 2015"
    ).fetchone()[0]
    assert got == round(float(kabul["2015"]) * 1000) == 3723543


def test_refugee_population_totals(con, mirror):
    with (mirror / "unhcr_refugees/unhcr_population.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["year"] == "2025"]
    src = sum(int(r["refugees"] or 0) for r in rows)
    assert (
        con.execute("SELECT sum(refugees) FROM refugee_population WHERE year = 2025").fetchone()[0]
        == src
    )


def test_sources_table_is_complete(con):
    rows = con.execute(
        "SELECT file, sha256, rows_loaded, licence, citation, vintage FROM sources"
    ).fetchall()
    assert len(rows) >= 12
    for file, sha, loaded, licence, citation, vintage in rows:
        base = Path(file) if Path(file).is_absolute() else None
        assert licence and citation and vintage, file
        assert len(sha) == 64 and loaded >= 0
        if base:
            assert hashlib.sha256(base.read_bytes()).hexdigest() == sha
    incidents = con.execute(
        "SELECT sum(rows_loaded) FROM sources WHERE dataset IN ('mmp_export', 'mmp_endpoint')"
    ).fetchone()[0]
    assert incidents == con.execute("SELECT count(*) FROM incidents").fetchone()[0]


def test_every_table_is_documented(con):
    comments = dict(con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
    for t in TABLES:
        assert comments.get(t.name), t.name
    assert (REPO / "data/TABLES.md").read_text(
        encoding="utf-8"
    ).strip() == tables_markdown().strip(), "data/TABLES.md is stale: run python -m geo tables-doc"


def test_missing_column_fails_in_one_line_and_keeps_the_database(built, mirror, tmp_path):
    db_src, _, _ = built
    sources = copy_sources(mirror, tmp_path / "src", only=["missing_migrants", "natural_earth"])
    export = sources / EXPORT_CSV
    with (mirror / EXPORT_CSV).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    i = rows[0].index("Coordinates")
    export.unlink()  # it is a hard link to the mirror: never write through it
    with export.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([r[:i] + r[i + 1 :] for r in rows])
    db = tmp_path / "atlas.duckdb"
    db.write_bytes(db_src.read_bytes())
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "build", "--sources", str(sources), "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert EXPORT_CSV in lines[0] and "'Coordinates'" in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas.duckdb", "src"]
    # ... and the old database still opens and answers.
    with duckdb.connect(str(db), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM incidents").fetchone()[0] > 19000
