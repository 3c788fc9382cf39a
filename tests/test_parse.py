"""Unit tests of the cell parsers and their repair rules."""

from datetime import date

import pytest

from geo.geometry import GeometryError, checked_polygon
from geo.loaders.mmp import CAUSES
from geo.parse import (
    CellError,
    clean_id,
    date_order,
    is_ambiguous_date,
    normalise_name,
    parse_count,
    parse_date,
    parse_latlon,
    split_multi,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12), ("1,022", 1022), (" 3.0 ", 3), ("", 0), ("NA", 0), ("12,345,678", 12345678)],
)
def test_counts(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["abc", "1,02", "2.5", "-1", "1e400x"])
def test_bad_counts_raise(text):
    with pytest.raises(CellError):
        parse_count(text)


def test_negative_and_fraction_rules():
    assert parse_count("-13", allow_negative=True) == -13
    assert parse_count("752.64", round_fraction=True) == 753


def test_latlon_pairs_and_swap():
    assert parse_latlon("32.22804, -112.590416") == (32.22804, -112.590416, False)
    # 112 cannot be a latitude: the pair was written lon, lat.
    assert parse_latlon("-112.590416, 32.22804") == (32.22804, -112.590416, True)
    for bad in ["", "12.5", "abc, def", "95, 200", "0, 0", "nan, 3"]:
        with pytest.raises(CellError):
            parse_latlon(bad)


def test_dates():
    assert parse_date("2014-01-06") == date(2014, 1, 6)
    assert parse_date("2001-01-31T00:00:00Z") == date(2001, 1, 31)
    assert parse_date("11/1/19") == date(2019, 11, 1)
    assert parse_date("") is None
    for bad in ["0", "2014-13-01", "yesterday", "1850-01-01"]:
        with pytest.raises(CellError):
            parse_date(bad)
    with pytest.raises(CellError):
        parse_date("2099-01-01", latest=date(2026, 1, 1))


def test_split_multi_keeps_causes_with_commas_whole():
    text = "Drowning,Harsh environmental conditions / lack of adequate shelter, food, water"
    assert split_multi(text, CAUSES) == [
        "Drowning",
        "Harsh environmental conditions / lack of adequate shelter, food, water",
    ]
    assert split_multi("Central Mediterranean, Central Mediterranean,") == ["Central Mediterranean"]


def test_normalise_name():
    assert normalise_name("Kakuma [Admin 3: PRP]") == "kakuma"
    assert normalise_name("Kakuma Refugee Camp") == "kakuma"


def test_wkt_points_are_lon_lat():
    assert parse_latlon("POINT (-110.366453 31.650259)") == (31.650259, -110.366453, False)
    assert parse_latlon("SRID=4326;POINT Z (14.5 35.5 0)") == (35.5, 14.5, False)
    for bad in ["POINT EMPTY", "POINT (abc def)", "LINESTRING (0 0, 1 1)", "POINT (0 0)"]:
        with pytest.raises(CellError):
            parse_latlon(bad)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("13/02/2024", None, date(2024, 2, 13)),
        ("02/13/2024", None, date(2024, 2, 13)),
        ("01/02/2024", None, date(2024, 2, 1)),  # the sources' dd/mm/yyyy convention
        ("01/02/2024", "mdy", date(2024, 1, 2)),
        ("Tue, 01/02/2024 - 12:00", None, date(2024, 1, 2)),  # the weekday decides
        ("Thu, 01/02/2024 - 12:00", None, date(2024, 2, 1)),
        ("45000", None, date(2023, 3, 15)),  # spreadsheet serial
        ("2024-01-02T12:00:00+02:00", None, date(2024, 1, 2)),
        ("6 January 2014", None, date(2014, 1, 6)),
        ("Jan 6, 2014", None, date(2014, 1, 6)),
    ],
)
def test_dates_in_other_orders_and_forms(text, order, expected):
    assert parse_date(text, order=order) == expected


def test_date_order_and_ambiguity():
    assert date_order(["13/02/2024", "01/02/2024"]) == "dmy"
    assert date_order(["2/13/2024", "1/2/2024"]) == "mdy"
    assert date_order(["13/02/2024", "02/13/2024"]) is None
    assert date_order(["2024-01-02"]) is None
    assert is_ambiguous_date("01/02/2024") and not is_ambiguous_date("01/02/2024", "dmy")
    assert not is_ambiguous_date("13/02/2024")
    for bad in ["Wed, 01/02/2024", "2014", "1850-01-01", "31/31/2024"]:
        with pytest.raises(CellError):
            parse_date(bad, latest=date(2026, 1, 1))


def test_clean_id_drops_invisible_characters():
    assert clean_id("\ufeff2016.MMP00444") == ("2016.MMP00444", True)
    assert clean_id("2014.\u200bMMP1") == ("2014.MMP1", True)
    assert clean_id(" 2014.MMP1 ") == ("2014.MMP1", False)


def test_polygons_are_repaired_or_rejected():
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    fixed, repair = checked_polygon(bow_tie)
    assert fixed["type"] == "MultiPolygon" and "Self-intersection" in repair
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    assert checked_polygon(square) == (square, None)
    unclosed = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]}
    assert checked_polygon(unclosed)[1] == "unclosed ring closed"
    for bad in [[[[0, 0], [1, 1]]], [[[0, 0], [1, 1], [2, 2], [0, 0]]], []]:
        with pytest.raises(GeometryError):
            checked_polygon({"type": "Polygon", "coordinates": bad})


def test_place_names_join_whatever_their_accents():
    """UNHCR writes "Abeche" where the location register writes "Abéché" (Chad): the
    population join by name must not depend on accents, and still drops brackets and
    the common words."""
    from geo.parse import normalise_name

    assert normalise_name("Abeche [Admin 3: PRP]") == normalise_name("Abéché") == "abeche"
    assert normalise_name("Côte d'Ivoire") == normalise_name("Cote d'Ivoire")
    assert normalise_name("Kakuma Refugee Camp (Turkana)") == "kakuma"
    assert normalise_name("Goz Amer") != normalise_name("Goz Amir")
