"""The build against the real mirror: figures equal the source files, provenance is
complete, and a failed build leaves the previous database untouched."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
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


def _id(text: str) -> str:
    # Ids carry no spaces: a byte-order mark or stray space is not part of one.
    return re.sub(r"[\s\ufeff\u200b-\u200d\u2060]", "", text)


def _count(text: str) -> int:
    text = (text or "").replace(",", "").strip()
    return int(float(text)) if text else 0


def _later_publication_wins(mirror: Path) -> dict[str, tuple[str, int, int]]:
    """Expected incidents from the files alone: ``{id: (origin, year, dead and missing)}``.

    For each year the later publication of that year wins; a publication's date is the
    latest incident date it holds. Endpoint rows of one web_id are summed, repeats too.
    """
    export = {}
    for r in _export_rows(mirror):
        main_id = _id(r["Main ID"])
        # An impossible date ("0") falls back to the year column, then the id's prefix.
        date_year = r["Incident Date"][:4] if len(r["Incident Date"]) >= 10 else ""
        year = int(date_year or r["Incident Year"] or main_id[:4])
        export[main_id] = (year, _count(r["Total Number of Dead and Missing"]))
    export_date = max(r["Incident Date"] for r in _export_rows(mirror) if r["Incident Date"])
    endpoint: dict[str, list] = {}
    file_date: dict[str, str] = {}
    for path in sorted((mirror / "missing_migrants/api").glob("*.json")):
        for rec in json.loads(path.read_text(encoding="utf-8")):
            d = rec["reported_date"].strip()
            file_date[path.name] = max(file_date.get(path.name, ""), d)
            e = endpoint.setdefault(_id(rec["web_id"]), [path.name, d or "9999", 0])
            e[1] = min(e[1], d or "9999")
            e[2] += _count(rec["total_dead_and_missing"]) or (
                _count(rec["number_dead"]) + _count(rec["number_missing"])
            )
    latest: dict[tuple[int, str], str] = {}
    for year, _ in export.values():
        latest[(year, "export")] = export_date
    for web_id, (name, d, _) in endpoint.items():
        year = int(d[:4]) if d != "9999" else int(Path(name).stem)
        endpoint[web_id].append(year)
        latest[(year, "endpoint")] = max(latest.get((year, "endpoint"), ""), file_date[name])

    def winner(year: int) -> str:
        # Ties go to the export, the fuller record.
        later = latest.get((year, "endpoint"), "") > latest.get((year, "export"), "")
        return "endpoint" if later else "export"

    expected = {}
    for i in export.keys() | endpoint.keys():
        e, p = export.get(i), endpoint.get(i)
        if e and p:
            both = ("endpoint", p[3], p[2]) if file_date[p[0]] > export_date else ("export", *e)
            expected[i] = both
        elif e and winner(e[0]) == "export":
            expected[i] = ("export", *e)
        elif p and winner(p[3]) == "endpoint":
            expected[i] = ("endpoint", p[3], p[2])
    return expected


def test_report_shows_the_merged_figures(built, mirror):
    _, summary, report = built
    expected = _later_publication_wins(mirror)
    assert summary["incidents"] == len(expected)
    assert summary["incidents_export"] == sum(1 for o, _, _ in expected.values() if o == "export")
    total = sum(dm for _, _, dm in expected.values())
    assert summary["dead_and_missing"] == total
    assert f"{len(expected):,} (" in report and f"{total:,} (minimum estimates)" in report
    assert summary["sites"] >= 13700
    wup = mirror / "city_population/WUP2018-F12-Cities_Over_300K_1950-2035_thousands.csv"
    with wup.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        years = [c for c in reader.fieldnames if c.isdigit()]
        assert summary["cities"] == sum(1 for _ in reader)
    assert summary["city_years_min"] == summary["city_years_max"] == len(years)
    assert summary["countries"] >= 177
    assert summary["cifal"] >= 30


def test_each_year_comes_from_its_later_publication(con, mirror):
    expected = _later_publication_wins(mirror)
    got = {
        i: (o, y, dm)
        for i, o, y, dm in con.execute(
            "SELECT incident_id, origin, year, dead_and_missing FROM incidents"
        ).fetchall()
    }
    assert got == expected
    years = con.execute("SELECT year, origin, incidents FROM incident_year_sources").fetchall()
    for year, origin, n in years:
        mine = [o for o, y, _ in expected.values() if y == year]
        assert n == len(mine) and set(mine) <= {origin}, year
    # Every year of every file is listed, and the newest endpoint year is the endpoint's.
    newest = max(int(p.stem) for p in (mirror / "missing_migrants/api").glob("*.json"))
    assert dict((y, o) for y, o, _ in years)[newest] == "endpoint"


def test_ids_only_the_earlier_publication_holds_are_reported(con, mirror):
    expected = _later_publication_wins(mirror)
    export_ids = {_id(r["Main ID"]) for r in _export_rows(mirror)}
    endpoint_ids = {
        _id(rec["web_id"])
        for p in (mirror / "missing_migrants/api").glob("*.json")
        for rec in json.loads(p.read_text(encoding="utf-8"))
    }
    dropped = (export_ids | endpoint_ids) - expected.keys()
    reported = {
        r[0]
        for r in con.execute("SELECT value FROM load_issues WHERE action = 'superseded'").fetchall()
    }
    assert dropped and reported == dropped
    per_year = con.execute("SELECT sum(superseded_ids) FROM incident_year_sources").fetchone()[0]
    assert per_year == len(dropped)


def test_identical_endpoint_rows_are_summed(con, mirror):
    # Two identical rows of one web_id are two groups of origin, not a duplicate.
    for path in sorted((mirror / "missing_migrants/api").glob("*.json")):
        groups: dict[str, list[str]] = {}
        for rec in json.loads(path.read_text(encoding="utf-8")):
            groups.setdefault(rec["web_id"], []).append(json.dumps(rec, sort_keys=True))
        repeats = [i for i, rows in groups.items() if len(set(rows)) < len(rows)]
        for web_id in repeats:
            row = con.execute(
                "SELECT origin, dead_and_missing FROM incidents WHERE incident_id = ?", [web_id]
            ).fetchone()
            if row and row[0] == "endpoint":
                want = sum(_count(json.loads(r)["total_dead_and_missing"]) for r in groups[web_id])
                assert row[1] == want, web_id
                return
    raise AssertionError("no repeated endpoint row in an endpoint year")


def test_a_new_year_file_is_taken_without_code_change(mirror, tmp_path, monkeypatch):
    """A 2027 file (made from 2026's by moving its dates a year on) comes in whole."""
    from datetime import date

    import geo.loaders.mmp
    from geo.build import build

    src = copy_sources(mirror, tmp_path / "src", only=["missing_migrants", "natural_earth"])
    records = json.loads((mirror / "missing_migrants/api/2026.json").read_text(encoding="utf-8"))
    newest = max(int(p.stem) for p in (mirror / "missing_migrants/api").glob("*.json"))
    later = newest + 1
    for rec in records:
        rec["web_id"] = rec["web_id"].replace(str(newest), str(later), 1)
        if rec["reported_date"]:
            rec["reported_date"] = str(later) + rec["reported_date"][4:]
    (src / f"missing_migrants/api/{later}.json").write_text(json.dumps(records), encoding="utf-8")
    db = tmp_path / "a.duckdb"

    class InThatYear(date):
        """Dates after today are impossible: build as if it were the end of that year."""

        @classmethod
        def today(cls):
            return date(later, 12, 31)

    monkeypatch.setattr(geo.loaders.mmp, "date", InThatYear)
    build(src, db, out=io.StringIO())
    with duckdb.connect(str(db), read_only=True) as c:
        origin, n, dm = c.execute(
            "SELECT origin, incidents, dead_and_missing FROM incident_year_sources WHERE year = ?",
            [later],
        ).fetchone()
    assert origin == "endpoint"
    assert n == len({r["web_id"] for r in records})
    assert dm == sum(_count(r["total_dead_and_missing"]) for r in records)


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
    assert archived > 0  # the publisher's "disregard" rows are rejected, not loaded
    assert loaded + rejected == len(rows)
    open_src = sum(r["status"] == "1" for r in rows if r["loc_type"] != "Archived data - disregard")
    open_db = con.execute(
        "SELECT count(*) FROM sites WHERE dataset = 'unhcr_register' AND is_open"
    ).fetchone()[0]
    assert abs(open_src - open_db) <= 1  # one duplicate pcode is rejected
    people = con.execute("SELECT sum(individuals) FROM sites WHERE dataset = 'isimm'").fetchone()[0]
    with (mirror / "camps/nw_syria_isimm_idp_sites_2020-07.csv").open(encoding="utf-8") as fh:
        assert people == sum(int(r["individual"] or 0) for r in csv.DictReader(fh))
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
    assert got == round(float(kabul["2015"]) * 1000)


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
