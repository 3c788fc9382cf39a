"""Validation and repair of the polygon geometries read from GeoJSON sources.

A self-intersecting ring (a "bow tie"), a ring of fewer than four points or an
unclosed ring draws wrongly or not at all in Leaflet and makes shapely's area and
containment tests fail. Loaders call :func:`checked_polygon` on each feature: a valid
polygon passes unchanged, an invalid one is repaired with :func:`shapely.make_valid`
(keeping only its polygonal parts) and the repair reported, and one that cannot be
repaired into an area is rejected with its reason.
"""

from __future__ import annotations

import math

import shapely
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

POLYGONAL = {"Polygon", "MultiPolygon"}


class GeometryError(ValueError):
    """A geometry that cannot be used as an area; ``str(exc)`` is the reason."""


EARTH_RADIUS_KM = 6371.0


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in km between two points given in degrees."""
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _polygonal(geom) -> shapely.Geometry | None:
    """The polygonal part of ``make_valid``'s result (it may add stray lines or points)."""
    if geom.geom_type in POLYGONAL:
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in POLYGONAL]
    polys = [p for g in parts for p in (g.geoms if g.geom_type == "MultiPolygon" else [g])]
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _close_rings(geometry: dict) -> dict:
    """The same GeoJSON polygon with every ring closed (first point repeated at the end).

    shapely refuses an unclosed ring outright; closing it is the repair every GIS makes.
    """

    def close(ring):
        ring = list(ring)
        return ring + [ring[0]] if ring and list(ring[0]) != list(ring[-1]) else ring

    coords = geometry.get("coordinates")
    if geometry.get("type") == "Polygon":
        coords = [close(r) for r in coords or []]
    else:
        coords = [[close(r) for r in poly or []] for poly in coords or []]
    return {**geometry, "coordinates": coords}


def _bad_coordinates(geometry: dict) -> str | None:
    """Why a GeoJSON polygon's positions cannot be drawn, or ``None`` when they can.

    Checked before shapely sees them: shapely keeps text, ``true`` and ±180+ degrees
    as they are, and NaN or infinity raise GEOS errors from deep inside ``make_valid``
    (Python's ``json`` reads ``NaN`` and ``Infinity``). Every position must be two or
    three finite numbers, longitude within ±180 and latitude within ±90.
    """
    coords = geometry.get("coordinates")
    depth = 2 if geometry.get("type") == "Polygon" else 3
    stack = [(coords, depth)]
    while stack:
        value, level = stack.pop()
        if value is None:
            continue
        if not isinstance(value, list):
            return f"coordinates are not nested lists ({type(value).__name__} found)"
        if level:
            stack.extend((v, level - 1) for v in value)
            continue
        position = value
        if not 2 <= len(position) <= 3 or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in position
        ):
            return f"a position is not 2 or 3 numbers ({str(position)[:60]})"
        if not all(math.isfinite(v) for v in position):
            return f"a coordinate is not a finite number ({str(position)[:60]})"
        lon, lat = position[0], position[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return f"a position is outside longitude ±180 / latitude ±90 ({str(position)[:60]})"
    return None


def checked_polygon(geometry: dict) -> tuple[dict, str | None]:
    """Validate a GeoJSON Polygon or MultiPolygon; repair it if invalid.

    Parameters
    ----------
    geometry : dict
        A GeoJSON geometry whose ``type`` is Polygon or MultiPolygon.

    Returns
    -------
    (dict, str or None)
        The geometry to store (the input itself when valid), and ``None`` or the
        repair made, in words for ``load_issues``.

    Raises
    ------
    GeometryError
        Coordinates that are not finite numbers or not longitude/latitude, or nothing
        of the polygon left to draw (e.g. a two-point ring, or a ring whose points are
        all on one line).
    """
    bad = _bad_coordinates(geometry)
    if bad:
        raise GeometryError(bad)
    try:
        geom = shape(_close_rings(geometry))
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        # shapely says "A linearring requires at least 4 coordinates" and the like.
        raise GeometryError(f"unusable polygon ({' '.join(str(exc).split())[:120]})") from exc
    if geom.is_empty:
        raise GeometryError("empty polygon")
    if geom.is_valid:
        closed = geometry != _close_rings(geometry)
        return (mapping(geom), "unclosed ring closed") if closed else (geometry, None)
    why = explain_validity(geom)
    try:
        fixed = _polygonal(shapely.make_valid(geom))
    except shapely.errors.ShapelyError as exc:
        # Left as a guard: GEOS may still refuse a shape the checks above let through.
        raise GeometryError(f"invalid polygon ({why}) that make_valid cannot repair") from exc
    if fixed is None or fixed.is_empty or fixed.area == 0:
        raise GeometryError(f"invalid polygon with no area left after repair ({why})")
    return mapping(fixed), f"invalid polygon ({why}) repaired with make_valid"


def usable_polygon(
    ctx, dataset: str, path, row: int, name: object, geometry: dict | None
) -> dict | None:
    """:func:`checked_polygon` for a loader's feature loop, reporting to ``load_issues``.

    Parameters
    ----------
    ctx : geo.context.LoadContext
        The build's context (its ``issue`` records the repair or the rejection).
    dataset, path, row, name
        The dataset key, file, feature number and the feature's name (the value shown).
    geometry : dict or None
        The feature's GeoJSON geometry; anything but a Polygon or MultiPolygon is
        rejected ("no polygon geometry").

    Returns
    -------
    dict or None
        The geometry to store, or ``None`` when the feature is rejected.
    """
    if not geometry or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        ctx.issue(dataset, path, row, "geometry", name, "rejected", "no polygon geometry")
        return None
    try:
        fixed, repair = checked_polygon(geometry)
    except GeometryError as exc:
        ctx.issue(dataset, path, row, "geometry", name, "rejected", str(exc))
        return None
    if repair:
        ctx.issue(dataset, path, row, "geometry", name, "repaired", repair)
    return fixed
