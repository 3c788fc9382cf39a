"""Every country name of every dataset resolves to an ISO3 code or is reported.

The names and the publishers' codes are read from the source files with ``csv``; what
the build made of them is read from the database. A name may only lack a code when a
``load_issues`` row (action ``unresolved``) says so.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

import duckdb
import pandas as pd
import pytest

from geo.context import LoadContext
from geo.loaders import countries
from geo.schema import TABLES

REGISTER = "camps/displacement_locations_unhcr_2020-01.csv"
DEMOGRAPHICS = "unhcr_refugees/unhcr_demographics.csv"
POPULATION = "unhcr_refugees/unhcr_population.csv"
UNHCR_COUNTRIES = "unhcr_refugees/unhcr_countries.csv"
WUP = "city_population/WUP2018-F12-Cities_Over_300K_1950-2035_thousands.csv"
ARCHIVED = "Archived data - disregard"


def _rows(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def lookups(mirror) -> LoadContext:
    """A build context with only the countries loaded (the name lookups)."""
    con = duckdb.connect()
    for t in TABLES:
        con.execute(t.ddl())
    ctx = LoadContext(mirror, con, io.StringIO())
    assert countries.load(ctx)
    yield ctx
    con.close()


def _unresolved(con, dataset: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "SELECT value FROM load_issues WHERE dataset = ? AND action = 'unresolved'",
            [dataset],
        ).fetchall()
    }


@pytest.fixture(scope="module")
def listing(db_path, mirror) -> pd.DataFrame:
    """Every distinct country name of each dataset, its publisher code (if any), the
    code the build stored, and whether ``load_issues`` reports it."""
    con = duckdb.connect(str(db_path), read_only=True)
    out = []

    # UNHCR register: names only; the build resolves them.
    register = [r for r in _rows(mirror / REGISTER) if r["loc_type"] != ARCHIVED]
    stored = dict(
        con.execute(
            "SELECT country, any_value(iso3) FROM sites WHERE dataset = 'unhcr_register' "
            "GROUP BY country"
        ).fetchall()
    )
    reported = _unresolved(con, "unhcr_register")
    for name, n in Counter(r["Country"].strip() for r in register).items():
        out.append(("unhcr_register", name, None, stored.get(name), name in reported, n))

    # UNHCR statistics: the publisher gives a code beside each name; the rows keep it.
    known = {r[0] for r in con.execute("SELECT iso3 FROM countries_detail").fetchall()}
    known |= {r["iso_code"] for r in _rows(mirror / UNHCR_COUNTRIES) if r["iso_code"]}
    known = {c for c in known if not c.startswith("X")}  # UNHCR's private-use codes
    for dataset, file, sides in (
        ("unhcr_demographics", DEMOGRAPHICS, ("coa",)),
        ("unhcr_population", POPULATION, ("coa", "coo")),
    ):
        reported = _unresolved(con, dataset)
        rows = _rows(mirror / file)
        for side in sides:
            pairs = Counter((r[f"{side}_name"].strip(), r[f"{side}_iso"].strip()) for r in rows)
            for (name, code), n in pairs.items():
                iso = code if code in known else None
                out.append((dataset, name, code, iso, f"{name} ({code})" in reported, n))

    # WUP: the build places cities by the numeric country code.
    stored = dict(
        con.execute("SELECT country, any_value(iso3) FROM cities GROUP BY country").fetchall()
    )
    reported = _unresolved(con, "wup_cities")
    pairs = Counter(
        (r["Country or area"].strip(), r["Country Code"].strip()) for r in _rows(mirror / WUP)
    )
    for (name, code), n in pairs.items():
        label = f"{name} ({stored.get(name)})" if stored.get(name) else name
        out.append(("wup_cities", name, code, stored.get(name), label in reported, n))

    # CIFAL: the project's compiled table (data/cifal_centres.csv), as loaded.
    reported = _unresolved(con, "cifal")
    for name, iso, n in con.execute(
        "SELECT country, any_value(iso3), count(*) FROM cifal_centres GROUP BY country"
    ).fetchall():
        out.append(("cifal", name, None, iso, name in reported, n))
    con.close()
    return pd.DataFrame(
        out, columns=["dataset", "name", "publisher_code", "iso3", "reported", "rows"]
    )


def test_every_name_resolves_or_is_reported(listing):
    # The listing itself is the record: shown with `pytest -s` or on failure.
    print(listing.sort_values(["dataset", "name"]).to_string(index=False))
    for dataset in ("unhcr_register", "unhcr_demographics", "unhcr_population", "wup_cities"):
        assert (listing["dataset"] == dataset).any(), f"no names read for {dataset}"
    silent = listing[listing["iso3"].isna() & ~listing["reported"]]
    assert silent.empty, f"names with no ISO3 code and no load_issues row:\n{silent}"


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("France", "FRA"),
        ("Denmark", "DNK"),
        ("United Kingdom", "GBR"),
        ("Rep. of Chad", "TCD"),
        ("Swaziland", "SWZ"),
        ("Eswatini", "SWZ"),
        ("The former Yugoslav Republic of Macedonia", "MKD"),
        ("North Macedonia", "MKD"),
        ("TFYR Macedonia", "MKD"),
    ],
)
def test_known_names(listing, name, iso3):
    rows = listing[listing["name"] == name]
    assert len(rows), f"{name!r} is in no dataset of this mirror"
    assert set(rows["iso3"]) == {iso3}, rows


def test_name_lookup_agrees_with_unhcr_codes(lookups, mirror):
    """Each UNHCR name read by the atlas's own lookup gives UNHCR's code (France is FRA,
    not the French Southern Territories; Denmark is not Greenland)."""
    countries_csv = _rows(mirror / UNHCR_COUNTRIES)
    pairs = {(r["coa_name"].strip(), r["coa_iso"].strip()) for r in _rows(mirror / POPULATION)}
    pairs |= {(r["name"], r["iso_code"]) for r in countries_csv if r["iso_code"]}
    wrong = {
        (name, code, countries.iso_for(lookups, name))
        for name, code in pairs
        if code in countries.known_codes(lookups)
        and countries.iso_for(lookups, name) not in {None, code}
    }
    assert not wrong, sorted(wrong)
    # and the register's names, which come without a code, reach one
    register = {r["Country"].strip() for r in _rows(mirror / REGISTER)}
    assert all(countries.iso_for(lookups, n) for n in register), sorted(
        n for n in register if not countries.iso_for(lookups, n)
    )


def test_a_name_that_does_not_resolve_is_reported(lookups, tmp_path):
    before = len(lookups.issues)
    codes = countries.report_unresolved(
        lookups,
        "unhcr_register",
        tmp_path / "x.csv",
        "Country",
        [(2, "Atlantis", None), (3, "Atlantis", None), (4, "France", None), (5, "Nowhere", "UNK")],
    )
    assert codes == {"Atlantis": None, "France": "FRA", "Nowhere": None}
    new = lookups.issues[before:]
    del lookups.issues[before:]
    assert [(i["row"], i["value"], i["action"]) for i in new] == [
        (2, "Atlantis", "unresolved"),
        (5, "Nowhere (UNK)", "unresolved"),
    ]
    assert "2 rows" in new[0]["reason"]


def test_chad_sites_are_in_chad(con, mirror):
    """The 'Rep. of Chad' sites are filed under TCD, so the country filter and the 2025
    population join reach them."""
    register = [
        r
        for r in _rows(mirror / REGISTER)
        if r["Country"].strip() == "Rep. of Chad" and r["loc_type"] != ARCHIVED
    ]
    stored = con.execute(
        "SELECT count(*), count(population_2025) FROM sites "
        "WHERE dataset = 'unhcr_register' AND country = 'Rep. of Chad'"
    ).fetchone()
    in_tcd = con.execute(
        "SELECT count(*) FROM sites WHERE dataset = 'unhcr_register' AND iso3 = 'TCD'"
    ).fetchone()[0]
    assert stored[0] == in_tcd and 0 < stored[0] <= len(register)
    chad_camps = {
        r["location"]
        for r in _rows(mirror / DEMOGRAPHICS)
        if r["coa_iso"] == "TCD" and r["acc_type"] in {"P", "S"}
    }
    assert chad_camps and stored[1] > 0
