"""Invalid polygons in Natural Earth and the Cox's Bazar outlines (issue 14 item 6).

A bow tie, a two-point ring, a NaN or an out-of-range coordinate in one country or one
camp outline must be repaired or rejected at build, with a ``load_issues`` row naming the
feature, and every map page and the PNG snapshot must still draw from that database.

Before the fix the 1:50m countries went into the database unchecked: a two-point ring
there made ``shapely.shape`` raise in every page's basemap, and a bow tie made the
Camps page (zoomed to Bangladesh) raise in GEOS's clip; a NaN stopped the build with a
GEOS traceback.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import duckdb
import pytest
from shapely.geometry import shape
from streamlit.testing.v1 import AppTest

from geo.geometry import GeometryError, checked_polygon
from tests.conftest import REPO, copy_sources

NE110 = "natural_earth/ne_110m_admin_0_countries.geojson"
NE50 = "natural_earth/ne_50m_admin_0_countries.geojson"
OUTLINES = "camps/coxs_bazar_rohingya_camp_outlines.geojson"
BOW_TIE = "BGD"  # drawn on the Camps page zoomed to the Cox's Bazar camps
TWO_POINTS = "MMR"  # its neighbour
NAN = "NPL"
OUT_OF_RANGE = "BTN"
OUTLINE_ROW = 5  # the Cox's Bazar outline given a bow tie (1-based feature number)


def _outer(geometry: dict) -> list:
    """The outer ring of a polygon, or of a multipolygon's largest part (edited in place)."""
    if geometry["type"] == "Polygon":
        return geometry["coordinates"][0]
    return max(geometry["coordinates"], key=lambda p: len(p[0]))[0]


def _bow_tie(geometry: dict) -> dict:
    """The same shape with two vertices swapped: its edges cross (self-intersection)."""
    g = copy.deepcopy(geometry)
    ring = _outer(g)
    k = len(ring) // 2
    ring[1], ring[k] = ring[k], ring[1]
    assert not shape(g).is_valid
    return g


def _two_points(geometry: dict) -> dict:
    ring = _outer(geometry)
    return {"type": "Polygon", "coordinates": [[ring[0], ring[len(ring) // 2]]]}


def _poked(geometry: dict, fn) -> dict:
    g = copy.deepcopy(geometry)
    ring = _outer(g)
    ring[2] = fn(ring[2])
    return g


DAMAGE = {
    BOW_TIE: _bow_tie,
    TWO_POINTS: _two_points,
    NAN: lambda g: _poked(g, lambda p: [p[0], float("nan")]),
    OUT_OF_RANGE: lambda g: _poked(g, lambda p: [p[0] + 400, p[1]]),
}
EXPECTED = {  # iso3 -> (action, words of the reason)
    BOW_TIE: ("repaired", "Self-intersection"),
    TWO_POINTS: ("rejected", "Too few points"),
    NAN: ("rejected", "not a finite number"),
    OUT_OF_RANGE: ("rejected", "outside longitude"),
}


def _rewrite(path, data: dict) -> None:
    path.unlink()  # the copy is hard-linked to the mirror: never write through it
    path.write_text(json.dumps(data))  # NaN is written as NaN, as json.loads reads it


@pytest.fixture(scope="module")
def damaged(mirror, tmp_path_factory):
    """(sources, database, build process, {file: {iso3 or name: row}}) of a damaged build."""
    root = tmp_path_factory.mktemp("geomfaults")
    src = copy_sources(mirror, root / "src")
    rows: dict[str, dict[str, tuple[int, str]]] = {}
    for rel in (NE110, NE50):
        data = json.loads((src / rel).read_text(encoding="utf-8"))
        rows[rel] = {}
        for i, f in enumerate(data["features"], start=1):
            iso = f["properties"].get("ADM0_A3")
            if iso in DAMAGE:
                f["geometry"] = DAMAGE[iso](f["geometry"])
                rows[rel][iso] = (i, f["properties"]["NAME"])
        assert set(rows[rel]) == set(DAMAGE), rel
        _rewrite(src / rel, data)
    data = json.loads((src / OUTLINES).read_text(encoding="utf-8"))
    feature = data["features"][OUTLINE_ROW - 1]
    feature["geometry"] = _bow_tie(feature["geometry"])
    rows[OUTLINES] = {"outline": (OUTLINE_ROW, feature["properties"]["CampName"])}
    _rewrite(src / OUTLINES, data)
    db = root / "atlas.duckdb"
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "build", "--sources", str(src), "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    return src, db, proc, rows


def test_build_succeeds_and_names_each_feature(damaged, mirror):
    src, db, proc, rows = damaged
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    n110 = len(json.loads((mirror / NE110).read_text(encoding="utf-8"))["features"])
    rejected = sum(1 for action, _ in EXPECTED.values() if action == "rejected")
    assert f"countries: {n110 - rejected}" in proc.stdout
    con = duckdb.connect(str(db), read_only=True)
    try:
        issues = con.execute(
            "SELECT file, row, value, action, reason FROM load_issues WHERE field = 'geometry'"
        ).fetchall()
        by_row = {
            (file, row): (value, action, reason) for file, row, value, action, reason in issues
        }
        for rel in (NE110, NE50):
            for iso, (row, name) in rows[rel].items():
                value, action, reason = by_row[(rel, row)]
                assert value == name
                assert action == EXPECTED[iso][0], (rel, iso, action, reason)
                assert EXPECTED[iso][1] in reason, (rel, iso, reason)
        row, name = rows[OUTLINES]["outline"]
        assert by_row[(OUTLINES, row)][:2] == (name, "repaired")
        # The bow ties are kept (repaired), the rejected features are gone, in both scales.
        kept = {r[0] for r in con.execute("SELECT iso3 FROM countries").fetchall()}
        detail = {r[0] for r in con.execute("SELECT iso3 FROM countries_detail").fetchall()}
        for iso, (action, _) in EXPECTED.items():
            assert (iso in kept, iso in detail) == ((action == "repaired",) * 2), iso
        for (geom,) in con.execute(
            "SELECT geometry FROM countries UNION ALL SELECT geometry FROM countries_detail "
            "UNION ALL SELECT geometry FROM camp_outlines"
        ).fetchall():
            assert shape(json.loads(geom)).is_valid
        names = {r[0] for r in con.execute("SELECT name FROM camp_outlines").fetchall()}
        assert name in names
    finally:
        con.close()


# Each map page, and the Camps page zoomed to Bangladesh: the 1:50m bow tie is clipped there.
PAGES = [("overview", {}), ("routes", {}), ("camps", {}), ("camps", {"country": BOW_TIE})]
PAGES += [("cities", {}), ("cifal", {})]


@pytest.mark.parametrize(
    "page,params", PAGES, ids=[f"{p}{'-' + str(q) if q else ''}" for p, q in PAGES]
)
def test_every_map_page_draws_from_the_damaged_build(damaged, monkeypatch, page, params):
    _, db, proc, _ = damaged
    assert proc.returncode == 0, proc.stderr
    monkeypatch.setenv("ATLAS_DB", str(db))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert len(at.metric) > 0  # the page went past its map to its figures


def test_snapshots_and_the_zoomed_basemap(damaged):
    """The overview PNG, and the Camps PNG zoomed to Bangladesh with its repaired shape."""
    import matplotlib.pyplot as plt

    from geo.registry import render_page
    from geo.snapshot import build_figure, detail_features, render_png
    from geo.views import countries_of, direct_query

    _, db, proc, rows = damaged
    assert proc.returncode == 0, proc.stderr
    con = duckdb.connect(str(db), read_only=True)
    try:
        page = render_page("overview", direct_query(con), countries_of(con), {})
        png = render_png(page.spec, title=page.title, subtitle=page.subtitle, preset="slides")
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        camps = render_page("camps", direct_query(con), countries_of(con), {"country": BOW_TIE})
        assert not camps.notes
        fig = build_figure(camps.spec, title=camps.title, subtitle=camps.subtitle)
        plt.close(fig)
        # Zoomed to Bangladesh both the browser's basemap and the PNG's draw its repaired
        # 1:50m shape, and the repaired camp outline is on the map.
        basemap = countries_of(con)
        near = [[20.5, 88.0], [26.5, 92.7]]
        assert BOW_TIE in {f["properties"]["iso3"] for f in basemap.for_bounds(near)["features"]}
        drawn = detail_features(basemap, (88.0, 20.5, 92.7, 26.5), 0.01)
        assert BOW_TIE in {f["properties"]["iso3"] for f in drawn}
        assert TWO_POINTS not in {f["properties"]["iso3"] for f in drawn}
        html = camps.map.get_root().render()
        assert rows[OUTLINES]["outline"][1] in html
    finally:
        con.close()


@pytest.mark.parametrize(
    "coordinates,reason",
    [
        ([], "empty polygon"),
        ([[]], "empty polygon"),
        ([[[0, 0], [1, 1]]], "no area left"),
        ([[[0, 0], [1, float("nan")], [1, 0], [0, 0]]], "not a finite number"),
        ([[[0, 0], [1, float("inf")], [1, 0], [0, 0]]], "not a finite number"),
        ([[[0, 0], [0, 1], [500, 1], [0, 0]]], "outside longitude"),
        ([[[0, 0], [0, 95], [1, 1], [0, 0]]], "outside longitude"),
        ([[[0, 0], [0, "1"], [1, 1], [0, 0]]], "not 2 or 3 numbers"),
        ([[[0, 0], [0, True], [1, 1], [0, 0]]], "not 2 or 3 numbers"),
        ("0 0, 1 1", "not nested lists"),
    ],
)
def test_unusable_polygons_are_rejected_with_a_reason(coordinates, reason):
    with pytest.raises(GeometryError, match=reason):
        checked_polygon({"type": "Polygon", "coordinates": coordinates})


def test_a_bow_tie_is_repaired_into_a_multipolygon():
    bow = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    fixed, repair = checked_polygon(bow)
    assert fixed["type"] == "MultiPolygon" and shape(fixed).is_valid
    assert shape(fixed).area == pytest.approx(0.5)
    assert "Self-intersection" in repair and "make_valid" in repair
