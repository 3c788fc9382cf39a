"""The basemap: Natural Earth countries, light for the world view and at 1:50m for a
zoomed-in one. Plain GeoJSON and shapely (no folium), so the interactive map
(:mod:`geo.maps`) and the PNG renderer (:mod:`geo.snapshot`) share it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache

import shapely
from shapely.geometry import mapping, shape

from geo.mapspec import script_json


@lru_cache(maxsize=4)
def simplified_countries(rows: tuple[tuple[str, str, str], ...]) -> dict:
    """Countries as a light GeoJSON FeatureCollection for the basemap (~85 KB).

    Parameters
    ----------
    rows : tuple of (iso3, name, geometry GeoJSON)
    """
    features = []
    for iso3, _name, geom in rows:
        g = shape(json.loads(geom)).simplify(0.2, preserve_topology=True)
        g = shapely.set_precision(g, 0.1)
        if g.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"iso3": iso3},
                "geometry": mapping(g),
            }
        )
    return {"type": "FeatureCollection", "features": features}


class Basemap(dict):
    """The world basemap (a GeoJSON FeatureCollection, as from
    :func:`simplified_countries`) plus the 1:50m shapes for zoomed-in views.

    ``detail`` holds (iso3, shapely geometry) pairs; :meth:`for_bounds` clips them to a
    view so a country-level map gets coastlines that fit its scale without sending the
    whole 1:50m world.
    """

    DETAIL_BELOW_DEG = 50.0
    DETAIL_BUDGET_BYTES = 110_000

    def __init__(self, world: dict, detail: Sequence[tuple[str, object]] = ()):
        super().__init__(world)
        self.detail = list(detail)

    def _wants_detail(self, bounds: Sequence[Sequence[float]] | None) -> bool:
        if not bounds or not self.detail:
            return False
        (s, w), (n, e) = bounds
        return max(e - w, n - s) <= self.DETAIL_BELOW_DEG

    def world_json(self) -> str:
        """The world FeatureCollection as compact JSON (``</`` escaped for a script),
        written once: a basemap is never changed once made, and every map of a new
        state draws it (4 ms of JSON each time)."""
        text = self.__dict__.get("_world_json")
        if text is None:
            text = script_json(self)
            self.__dict__["_world_json"] = text
        return text

    def geojson_for(self, bounds: Sequence[Sequence[float]] | None) -> tuple[dict, str]:
        """:meth:`for_bounds` and its JSON text (:func:`geo.mapspec.script_json`)."""
        if not self._wants_detail(bounds):
            return dict(self), self.world_json()
        data = self.for_bounds(bounds)
        return data, script_json(data)

    def for_bounds(self, bounds: Sequence[Sequence[float]] | None) -> dict:
        """The FeatureCollection to draw for a view: the world, or clipped 1:50m shapes."""
        if not self._wants_detail(bounds):
            return dict(self)
        (s, w), (n, e) = bounds
        span = max(e - w, n - s)
        pad = max(span, 2.0)  # wide enough for a 16:9 export of a tall view
        box = shapely.box(w - pad, s - pad, e + pad, n + pad)
        clipped = [(iso3, g.intersection(box)) for iso3, g in self.detail if g.intersects(box)]
        # About two screen pixels of tolerance; coarser until the layer fits its budget.
        tol = max(span / 600.0, 0.003)
        while True:
            features = []
            for iso3, g in clipped:
                g = shapely.set_precision(g.simplify(tol, preserve_topology=True), tol / 2)
                if g.is_empty or g.geom_type not in {"Polygon", "MultiPolygon"}:
                    continue
                features.append(
                    {"type": "Feature", "properties": {"iso3": iso3}, "geometry": mapping(g)}
                )
            size = len(json.dumps(features, separators=(",", ":")))
            if size <= self.DETAIL_BUDGET_BYTES or tol > 0.2:
                break
            tol *= 2
        return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=4)
def make_basemap(
    world_rows: tuple[tuple[str, str, str], ...], detail_rows: tuple[tuple[str, str], ...]
) -> Basemap:
    """A :class:`Basemap` from ``countries`` rows and ``countries_detail`` (iso3, geometry) rows."""
    detail = [
        (iso3, shape(json.loads(geom)).simplify(0.002, preserve_topology=True))
        for iso3, geom in detail_rows
    ]
    return Basemap(simplified_countries(world_rows), detail)
