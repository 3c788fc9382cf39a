"""A download is checked with the build's own readers: fetch refuses a file for the
reason the build would give, before the file replaces a good one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from geo import readers  # noqa: E402
from geo.errors import SourceError  # noqa: E402
from geo.fetch.errors import ItemError  # noqa: E402
from geo.fetch.validate import check  # noqa: E402

CAMPS = "camps/displacement_locations_unhcr_2020-01.csv"


def body(tmp_path: Path, data: bytes, name: str = "x.part") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def build_reason(read, path: Path) -> str:
    with pytest.raises(SourceError) as err:
        read(path)
    return err.value.reason


@pytest.mark.parametrize(
    "data",
    [
        b"pcode,POINT_X,POINT_Y\nA,1,2\nB,3\n",  # cut off in the last row
        b"<!DOCTYPE html><html><body>Rate limited</body></html>\n",
        b"pcode,POINT_X,POINT_Y\n",  # a header and nothing else
    ],
    ids=["truncated", "html", "header-only"],
)
def test_csv_refused_for_the_build_readers_reason(tmp_path, data):
    path = body(tmp_path, data)
    with pytest.raises(ItemError) as err:
        check("csv", CAMPS, path, len(data))
    assert str(err.value) == build_reason(readers.read_csv, path)


def test_csv_without_the_register_columns_is_refused(tmp_path):
    data = b"pcode,lon,lat\nA,1,2\n"
    path = body(tmp_path, data)
    with pytest.raises(ItemError, match="POINT_X"):
        check("csv", CAMPS, path, len(data))
    assert check("csv", CAMPS, body(tmp_path, b"pcode,POINT_X,POINT_Y\nA,1,2\n"), 27) is None


def test_html_instead_of_json_is_not_valid_json(tmp_path):
    data = b"<html><body>Service unavailable</body></html>"
    path = body(tmp_path, data)
    for kind, read in (("geojson", readers.read_geojson), ("json-list", readers.read_json_records)):
        with pytest.raises(ItemError) as err:
            check(kind, "natural_earth/x.geojson", path, len(data))
        assert str(err.value).startswith("not valid JSON")
        assert build_reason(read, path) in str(err.value)


def test_json_list_counts_rows_and_an_empty_year_is_not_found(tmp_path):
    rows = [{"Incident ID": "1"}, {"Incident ID": "2"}]
    data = json.dumps(rows).encode()
    assert check("json-list", "a.json", body(tmp_path, data), len(data)) == "2 rows"
    with pytest.raises(ItemError) as err:
        check("json-list", "a.json", body(tmp_path, b"[]", "e.part"), 2)
    assert err.value.not_found


def test_workbook_kind_must_match(tmp_path):
    xlsx = body(tmp_path, b"PK\x03\x04" + b"\x00" * 60)
    with pytest.raises(ItemError, match="not an xls workbook"):
        check("xls", "city_population/a.xls", xlsx, 64)
    page = body(tmp_path, b"<html><title>404</title></html>", "p.part")
    with pytest.raises(ItemError) as err:
        check("xlsx", "missing_migrants/a.xlsx", page, 31)
    assert str(err.value) == build_reason(readers.read_excel, page)
