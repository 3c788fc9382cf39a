"""Positions that contradict their country of incident: repaired, unmapped or noted.

The rule is tested on drawn squares, then on the real export: every position the
build stores differently from the file is explained row by row in ``load_issues``,
and the Western Africa incidents published south of the equator (latitude and
longitude swapped, so Bamako fell off Angola) are back in Western Africa.
"""

from __future__ import annotations

import csv
import json

import pytest
import shapely

from geo.parse import CellError, parse_latlon
from geo.positions import FAR_KM, Place, check_positions, country_shapes

# Two 10-degree squares far apart, standing for countries: AAA around (15 N, 5 W),
# BBB around (45 N, 60 E).
SQUARES = [
    ("AAA", "Aland", shapely.to_geojson(shapely.box(-10, 10, 0, 20))),
    ("BBB", "Beland", shapely.to_geojson(shapely.box(55, 40, 65, 50))),
]


@pytest.fixture(scope="module")
def squares():
    return country_shapes(SQUARES)


def _one(points, squares, **kw):
    shapes, names = squares
    return check_positions([Place(*p) for p in points], shapes, names, **kw)


def test_a_position_inside_or_near_its_country_is_not_questioned(squares):
    # Inside, and 3 degrees (about 330 km) off the coast: a border or a rescue at sea.
    assert _one([(15.0, -5.0, "AAA", ""), (15.0, 3.0, "AAA", "")], squares) == []


def test_swapped_latitude_and_longitude_are_swapped_back(squares):
    [f] = _one([(-5.0, 15.0, "AAA", "Somewhere, Aland")], squares)
    assert (f.action, f.lat, f.lon) == ("repaired", 15.0, -5.0)
    assert f.reason.startswith("latitude and longitude swapped back")
    assert f"over {FAR_KM:,.0f} km outside the country of incident" in f.reason


def test_a_lost_sign_is_restored(squares):
    [f] = _one([(15.0, 5.5, "AAA", "")], squares)  # 5.5 E is 5.5 W with its sign lost
    assert (f.action, f.lat, f.lon) == ("repaired", 15.0, -5.5)
    assert "longitude's sign" in f.reason


def test_a_position_on_land_elsewhere_is_unmapped(squares):
    [f] = _one([(45.0, 60.0, "AAA", "A town, Aland")], squares)
    assert (f.action, f.lat, f.lon) == ("unlocated", None, None)
    assert "on land in another" in f.reason and "kept in totals" in f.reason


def test_the_location_text_naming_the_other_country_keeps_the_position(squares):
    # Then the country of incident is the field in doubt, not the position.
    [f] = _one([(45.0, 60.0, "AAA", "Near a river, Beland")], squares)
    assert (f.action, f.lat, f.lon) == ("noted", 45.0, 60.0)


def test_a_position_far_out_at_sea_is_kept_and_noted(squares):
    [f] = _one([(-30.0, 30.0, "AAA", "")], squares)
    assert (f.action, f.lat, f.lon) == ("noted", -30.0, 30.0)
    assert "at sea" in f.reason


def test_one_position_given_for_many_countries_is_a_placeholder(squares):
    shapes, names = squares
    shapes = {**shapes, "CCC": shapely.box(100, -10, 110, 0)}
    names = {**names, "CCC": "Celand"}
    placeholder = (-30.0, -60.0)
    points = [Place(*placeholder, iso, "") for iso in ("AAA", "BBB", "CCC")]
    found = check_positions(points, shapes, names)
    assert [f.action for f in found] == ["unlocated"] * 3
    assert "placeholder" in found[0].reason


def test_unknown_countries_and_missing_positions_are_not_checked(squares):
    assert _one([(-5.0, 15.0, None, ""), (None, None, "AAA", ""), (1, 2, "ZZZ", "")], squares) == []


def test_a_town_just_outside_whose_swap_lies_inside_is_swapped_back(squares):
    # Lagos published as 3.38 N, 6.52 E: in the sea, within 500 km of Nigeria.
    shapes, names = squares
    shapes = {**shapes, "NNN": shapely.box(2.5, 4.0, 14.5, 14.0)}
    [f] = check_positions([Place(3.0, 6.5, "NNN", "Lagos, Nland")], shapes, names)
    assert (f.action, f.lat, f.lon) == ("repaired", 6.5, 3.0)
    assert "names a town" in f.reason
    # Just as far out, but swapped it is no better: left as published.
    assert check_positions([Place(3.0, 16.0, "NNN", "Atown, Nland")], shapes, names) == []


def test_a_sea_or_desert_just_outside_is_left_as_published(squares):
    shapes, names = squares
    shapes = {**shapes, "NNN": shapely.box(2.5, 4.0, 14.5, 14.0)}
    for text in ("Off the coast of Lagos, Nland", "Sahara desert, Nland", "Unspecified location"):
        assert check_positions([Place(3.0, 6.5, "NNN", text)], shapes, names) == []


def test_latitude_typed_twice_outside_its_country_is_unmapped(squares):
    [f] = _one([(12.0, 12.0, "AAA", "On the way to Atown")], squares)
    assert (f.action, f.lat, f.lon) == ("unlocated", None, None)
    assert "one number typed twice" in f.reason


def test_a_land_route_far_out_at_sea_is_unmapped(squares):
    [f] = _one([(-30.0, 30.0, "AAA", "A ranch", ("US-Mexico border crossing",))], squares)
    assert (f.action, f.lat) == ("unlocated", None)
    [f] = _one([(-30.0, 30.0, "AAA", "", ("Central Mediterranean",))], squares)
    assert f.action == "noted"


# The real export ----------------------------------------------------------------------

EXPORT = "missing_migrants/Missing_Migrants_Global_Figures_allData_2025-04.csv"


@pytest.fixture(scope="module")
def export_positions(mirror) -> dict[int, tuple[str, str, float | None, float | None]]:
    """Source row (header = 1) -> (Main ID, region, lat, lon) as the file publishes it."""
    out = {}
    with open(mirror / EXPORT, encoding="utf-8-sig", newline="") as fh:
        for r, rec in enumerate(csv.DictReader(fh), start=2):
            try:
                lat, lon, _ = parse_latlon(rec["Coordinates"])
            except CellError:
                lat = lon = None
            out[r] = (rec["Main ID"].strip(), rec["Region of Incident"], lat, lon)
    return out


def test_every_moved_export_position_is_explained_in_load_issues(con, export_positions):
    stored = con.execute(
        "SELECT source_row, lat, lon FROM incidents WHERE origin = 'export'"
    ).fetchall()
    explained = {
        row: (action, reason)
        for row, action, reason in con.execute(
            "SELECT row, action, reason FROM load_issues "
            "WHERE dataset = 'mmp_export' AND field = 'Coordinates'"
        ).fetchall()
    }
    moved = 0
    for row, lat, lon in stored:
        _, _, plat, plon = export_positions[row]
        if (lat, lon) != (plat, plon):
            moved += 1
            assert row in explained, f"row {row}: ({plat}, {plon}) stored as ({lat}, {lon})"
            action, _ = explained[row]
            assert action == ("unlocated" if lat is None else "repaired")
    assert moved > 100  # the real file has hundreds (more than 250 swaps in 2019 alone)


def test_western_africa_incidents_lie_north_of_the_equator(con, export_positions):
    # Every country of Western Africa lies between 4 N and 28 N; the export has
    # Western Africa rows published south of the equator (lat and lon swapped).
    south = {
        mid
        for mid, region, lat, lon in export_positions.values()
        if region == "Western Africa" and lat is not None and lat < 0
    }
    assert len(south) > 50
    rows = con.execute(
        "SELECT incident_id, lat, lon FROM incidents WHERE incident_id IN "
        "(SELECT unnest(?::VARCHAR[]))",
        [sorted(south)],
    ).fetchall()
    assert rows
    for incident_id, lat, lon in rows:
        assert lat is None or 3.0 <= lat <= 28.0, (incident_id, lat, lon)


def test_a_repaired_position_lies_in_its_country(con):
    shapes = {
        iso: shapely.from_geojson(g)
        for iso, g in con.execute("SELECT iso3, geometry FROM countries_detail").fetchall()
    }
    rows = con.execute(
        "SELECT i.incident_id, i.lat, i.lon, c.iso3 FROM load_issues l "
        "JOIN incidents i ON i.source_file = l.file AND i.source_row = l.row "
        "JOIN countries_detail c ON c.name = i.country OR c.iso3 = i.country "
        "WHERE l.action = 'repaired' AND l.reason LIKE 'latitude and longitude swapped%'"
    ).fetchall()
    assert rows
    for incident_id, lat, lon, iso in rows:
        assert shapes[iso].distance(shapely.Point(lon, lat)) < 0.3, incident_id


def test_the_routes_caption_counts_the_unmapped(con):
    """The routes page's caption ("n of them have no usable position") counts them."""
    from geo.queries import run_query

    every = dict(
        date_from="1900-01-01", date_to="2100-12-31", regions=[], routes=[], causes=[], types=[]
    )
    t = run_query(con, "incident_totals", **every).iloc[0]
    unmapped = con.execute("SELECT count(*) FROM incidents WHERE lat IS NULL").fetchone()[0]
    assert unmapped > 0
    assert int(t["incidents"]) - int(t["mapped"]) == unmapped


def test_country_shapes_join_areas_drawn_apart(squares):
    shapes, _ = country_shapes(
        [
            ("SOM", "Somalia", json.dumps(shapely.geometry.mapping(shapely.box(41, -1, 51, 8)))),
            ("SOL", "Somaliland", json.dumps(shapely.geometry.mapping(shapely.box(43, 8, 49, 11)))),
        ]
    )
    assert shapes["SOM"].covers(shapely.Point(45.5, 9.5))  # Burao
