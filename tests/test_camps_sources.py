"""Camps figures against the source files: each Cox's Bazar camp counted once, 2025
populations joined only at named sites, and the statement of who cannot be placed.

Expected figures are computed here from the CSV files with ``csv``, independently of
``geo/loaders``.
"""

from __future__ import annotations

import csv
import math
import re

import pytest

from geo.maps import GeoJsonLayer, layer_names
from geo.views import camps as cv
from geo.views import countries_of, direct_query
from geo.views.camps import CampsState, build, build_map

REGISTER = "camps/displacement_locations_unhcr_2020-01.csv"
CENTROIDS = "camps/coxs_bazar_rohingya_camps_200908_AL1_centroids.csv"
OUTLINES = "Cox's Bazar camp outlines (RRRC/ISCG)"
DEMOGRAPHICS = "unhcr_refugees/unhcr_demographics.csv"


def _rows(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _km(lat1, lon1, lat2, lon2) -> float:
    p = math.pi / 180
    h = (
        math.sin((lat2 - lat1) * p / 2) ** 2
        + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2
    )
    return 12742 * math.asin(math.sqrt(h))


@pytest.fixture()
def q(con):
    return direct_query(con)


@pytest.fixture()
def world(con):
    return countries_of(con)


@pytest.fixture(scope="module")
def camp_areas(mirror) -> dict:
    """People of the P/S rows of the demographics file by kind of location, per country."""
    out: dict[str, dict[str, int]] = {}
    for r in _rows(mirror / DEMOGRAPHICS):
        if r["acc_type"] not in {"P", "S"}:
            continue
        loc = r["location"]
        if loc.startswith("Dispersed"):
            kind = "dispersed"
        elif "[Admin 1]" in loc:
            kind = "admin1"
        elif "[Admin 2]" in loc:
            kind = "admin2"
        else:
            kind = "site"
        per = out.setdefault(r["coa_iso"], {"site": 0, "admin1": 0, "admin2": 0, "dispersed": 0})
        per[kind] += int(r["total"])
    return out


def test_coxs_bazar_centroids_are_register_sites_counted_once(con, mirror):
    register = [
        r
        for r in _rows(mirror / REGISTER)
        if r["Country"] == "Bangladesh" and r["loc_type"] != "Archived data - disregard"
    ]
    centroids = _rows(mirror / CENTROIDS)
    same = []
    for c in centroids:
        lat, lon = float(c["Latitude"]), float(c["Longitude"])
        twins = [
            r
            for r in register
            if r["name"].strip().lower() == c["Camp_Name"].strip().lower()
            and _km(lat, lon, float(r["POINT_Y"]), float(r["POINT_X"])) <= 1.0
        ]
        if twins:
            same.append(c["SSID"])
    assert same, "the mirror's centroids all have a register site of the same camp"
    own = con.execute("SELECT count(*) FROM sites WHERE dataset = 'coxs_bazar'").fetchone()[0]
    assert own == len(centroids) - len(same)
    skipped = con.execute(
        "SELECT reason FROM load_issues WHERE dataset = 'coxs_bazar' AND action = 'skipped'"
    ).fetchall()
    assert len(skipped) == len(same)
    assert all(any(ssid in r[0] for (r) in skipped) for ssid in same)
    # no place in Bangladesh is listed twice: no two sites of one name within 1 km
    sites = con.execute(
        "SELECT lower(name), lat, lon FROM sites WHERE iso3 = 'BGD' AND lat IS NOT NULL"
    ).fetchall()
    twins = [
        (a[0], b[0])
        for i, a in enumerate(sites)
        for b in sites[i + 1 :]
        if a[0] == b[0] and _km(a[1], a[2], b[1], b[2]) <= 1.0
    ]
    assert not twins


def test_outlines_still_drawn_for_bangladesh(q, world, con, mirror):
    import json

    with (mirror / "camps/coxs_bazar_rohingya_camp_outlines.geojson").open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    stored = con.execute("SELECT count(*) FROM camp_outlines").fetchone()[0]
    assert stored == len(features)
    m, _, layers = build_map(q, world, CampsState(countries=["BGD"]))
    assert OUTLINES in layer_names(m) and len(layers[OUTLINES]) == len(features)
    assert any(isinstance(c, GeoJsonLayer) for c in m._children.values())
    m, _, layers = build_map(q, world, CampsState(countries=["KEN"]))
    assert OUTLINES not in layers


def test_only_named_sites_join(con, camp_areas):
    levels = dict(
        con.execute(
            "SELECT location_level, count(matched_site_id) FROM site_populations_2025 GROUP BY 1"
        ).fetchall()
    )
    assert levels["site"] > 0
    assert all(n == 0 for level, n in levels.items() if level != "site"), levels
    # no state, district or dispersed total reaches a site
    leaked = con.execute(
        "SELECT s.name, p.location FROM sites s JOIN site_populations_2025 p "
        "ON p.matched_site_id = s.site_id WHERE p.location_level <> 'site'"
    ).fetchall()
    assert not leaked


def test_largest_sites_are_sites(q):
    top = q("site_largest_2025", site_types=[], status="all", countries=[], datasets=[], limit=50)
    assert len(top)
    area = re.compile(r"\[Admin [12]\]|^Dispersed")
    assert not [loc for loc in top["unhcr_location"] if area.search(loc)]


@pytest.mark.parametrize("countries", [[], ["SDN"], ["UGA", "KEN"]])
def test_population_statement_matches_the_file(q, camp_areas, countries):
    chosen = [camp_areas[c] for c in countries] if countries else list(camp_areas.values())
    expect = {k: sum(p[k] for p in chosen) for k in ("site", "admin1", "admin2", "dispersed")}
    people = sum(expect.values())
    m = q("site_population_match", countries=countries).iloc[0]
    assert int(m["people"]) == people
    assert int(m["people_at_sites"]) == expect["site"]
    assert int(m["people_admin1"]) == expect["admin1"]
    assert int(m["people_admin2"]) == expect["admin2"]
    assert int(m["people_dispersed"]) == expect["dispersed"]
    assert int(m["people_not_at_site"]) == people - expect["site"]
    assert int(m["people_joined"]) <= expect["site"]
    note = cv.population_note(m, ["Sudan"] if countries == ["SDN"] else None)
    assert f"{people - expect['site']:,} of them" in note
    assert ("in Sudan" in note) == (countries == ["SDN"])


def test_a_country_whose_people_are_all_at_sites_gets_no_sentence_of_zeros(q, camp_areas):
    """Where the file places every P/S person at a named site (Bangladesh in the 2025
    file), the note says how many and where they joined, and nothing about "0 of them"
    reported for areas."""
    whole = [c for c, p in camp_areas.items() if p["site"] and p["site"] == sum(p.values())]
    assert whole, "the file has a country with every P/S person at a named site"
    for iso3 in whole:
        m = q("site_population_match", countries=[iso3]).iloc[0]
        assert int(m["people"]) == camp_areas[iso3]["site"] and int(m["people_not_at_site"]) == 0
        note = cv.population_note(m, [iso3])
        assert f"{camp_areas[iso3]['site']:,} people" in note, note
        assert "of them" not in note and "per state" not in note, note


def test_whole_file_share_not_at_a_site(q, camp_areas):
    """The issue's audit: state (Admin 1) and dispersed rows hold most P/S people."""
    total = sum(sum(p.values()) for p in camp_areas.values())
    admin1_dispersed = sum(p["admin1"] + p["dispersed"] for p in camp_areas.values())
    m = q("site_population_match", countries=[]).iloc[0]
    assert int(m["people_admin1"]) + int(m["people_dispersed"]) == admin1_dispersed
    share = f"{(total - sum(p['site'] for p in camp_areas.values())) / total:.0%}"
    assert f"({share})" in cv.population_note(m)


def test_population_note_and_headline_count_the_same_register_sites(q, world):
    """The headline's "With 2025 pop." counts register sites; UNHCR can list one site in
    parts (Kiryandongo: POC and PRP, both joined to one site), so the note says how many
    UNHCR rows joined how many sites, and its count of sites is the headline's."""
    view = build(q, world, CampsState())
    m = view.match
    sites = int(view.headline["with_population_2025"])
    note = cv.population_note(m)
    assert int(m["sites_joined"]) == sites
    if int(m["camps_joined"]) != sites:
        assert f"{int(m['camps_joined']):,} joined {sites:,} register sites" in note
    else:
        assert f"{sites:,} joined a register site" in note


def test_population_note_names_places_as_written():
    import pandas as pd

    m = pd.Series(
        dict(
            people=10,
            people_not_at_site=4,
            people_admin1=4,
            people_admin2=0,
            people_dispersed=0,
            site_rows=1,
            people_at_sites=6,
            camps_joined=1,
            sites_joined=1,
            people_joined=6,
        )
    )
    name = "*Bold* [link](http://x) :material/warning:"
    note = cv.population_note(m, [name, "Chad"])
    # plain text: the page escapes the whole note with md_plain (tests/test_untrusted_text.py
    # checks that it does), so the name is neither escaped twice nor shown with backslashes
    assert note.split(" in ", 1)[1].split(": 10 people")[0] == f"{name}, Chad"


def test_view_note_follows_the_country_filter(q, world, camp_areas):
    view = build(q, world, CampsState(countries=["SDN"]))
    assert int(view.match["people"]) == sum(camp_areas["SDN"].values())


def test_credits_name_the_unhcr_licence():
    from geo.views import overview

    assert "UNHCR" in cv.PAGE.credit and "CC BY 4.0" in cv.PAGE.credit
    assert "UNHCR (CC BY 4.0)" in overview.PAGE.credit


def test_camps_page_states_who_cannot_be_placed(db_path, monkeypatch, camp_areas):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO, md_shown

    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["country"] = "SDN"
    at.switch_page("app_pages/camps.py")
    at.run()
    assert not at.exception
    sudan = camp_areas["SDN"]
    away = sudan["admin1"] + sudan["admin2"] + sudan["dispersed"]
    note = md_shown(next(c.value for c in at.caption if "cannot be placed" in c.value))
    assert "in Sudan" in note and f"{away:,} of them" in note
    assert f"{sum(sudan.values()):,} people" in note


def test_camp_populations_join_across_punctuation_and_closed_namesakes(con, mirror):
    """UNHCR's 2025 camps join the register site of the same name in the same country
    even when one writes the name with punctuation the other leaves out (Za'atari /
    Zaatari), and when a closed site shares the name the open one gets the people.
    Names and statuses are read here from the two CSV files."""
    register = [r for r in _rows(mirror / REGISTER) if r["loc_type"] != "Archived data - disregard"]
    people = {}
    for r in _rows(mirror / DEMOGRAPHICS):
        if r["acc_type"] in ("P", "S"):
            key = (r["coa_iso"], r["location"])
            people[key] = people.get(key, 0) + int(float(r["total"] or 0))

    def squashed(name: str) -> str:
        # no brackets ("Mile (TC)"), no punctuation or spaces, no word "camp"
        return re.sub(r"[^a-z0-9]", "", re.sub(r"\(.*?\)", "", name.lower()).replace("camp", ""))

    checked = 0
    for (iso3, location), total in people.items():
        if not location.endswith("[Admin 3: POC]"):
            continue
        name = location.split("[")[0]
        same = [
            r for r in register if r["pcode"][:3] == iso3 and squashed(r["name"]) == squashed(name)
        ]
        spelled_alike = [r for r in same if r["name"].lower() == name.strip().lower()]
        open_ones = [r for r in same if r["status"] == "1"]
        # a name the register writes otherwise (only punctuation apart), or one that a
        # closed namesake shares with a single open site
        if (same and not spelled_alike and len(same) == 1) or (
            len(same) > 1 and len(open_ones) == 1
        ):
            want = (same[0] if len(same) == 1 else open_ones[0])["pcode"]
            got = con.execute(
                "SELECT matched_site_id, total FROM site_populations_2025 "
                "WHERE asylum_iso3 = ? AND location = ?",
                [iso3, location],
            ).fetchone()
            assert got == (want, total), (location, got, want)
            checked += 1
    assert checked >= 3  # Za'atari (JOR), Mile and Touloum (TCD) at least
