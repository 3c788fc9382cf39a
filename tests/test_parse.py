"""Unit tests of the cell parsers and their repair rules."""

from datetime import date

import pytest

from geo.loaders.mmp import CAUSES
from geo.parse import (
    CellError,
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
