"""Checks an incident's published position against its country of incident.

The MMP export holds positions with latitude and longitude swapped (Bamako stored as
-8.00, 12.64, drawn off Angola), with a sign lost (Florida at 80.07 E) and, rarely, a
position in another continent or one placeholder shared by incidents of many
countries. Each is found by how far the position lies from the country the record
names, and each finding becomes one ``load_issues`` row:

- ``repaired``: the position lies more than :data:`FAR_KM` outside its country and
  swapping latitude and longitude, or flipping a sign, puts it inside (or within
  :data:`NEAR_KM` of the coast). The first such reading in :data:`READINGS` is kept.
- ``unlocated``: no reading fits and the position lies on land in another country that
  the record's location text does not name, or it is one position given for incidents
  of :data:`PLACEHOLDER_COUNTRIES` or more countries. The incident stays in every total
  and is left off the map.
- ``noted``: no reading fits and the position is at sea, or in a country that the
  location text names (then the country of incident is the field in doubt). It is
  kept: a boat's country of incident is often where it left or was taken, far from
  where it sank.

Positions within :data:`FAR_KM` of their country are not questioned: a border crossing
or a rescue at sea is often a few hundred kilometres from the country named.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.ops import nearest_points

from geo.parse import normalise_name

FAR_KM = 500.0
NEAR_KM = 25.0
PLACEHOLDER_COUNTRIES = 3
EARTH_KM = 6371.0088
# A degree of latitude is this long; a degree of longitude never longer. A shape that
# is within d degrees of a point (planar) is therefore within KM_PER_DEGREE * d km.
KM_PER_DEGREE = math.pi * EARTH_KM / 180

# Natural Earth draws areas under de facto control as their own shapes; the MMP names
# the country that the UN recognises. Each ISO3 code here also owns the listed shapes.
ALSO_DRAWN_AS = {
    "SOM": ("SOL",),  # Somaliland
    "CYP": ("CYN",),  # Northern Cyprus
    "SRB": ("KOS",),  # Kosovo
    "MAR": ("ESH", "SAH"),  # Western Sahara, administered by Morocco
    "ESH": ("MAR",),
    "IND": ("KAS",),  # Siachen Glacier
    "PAK": ("KAS",),
}

# Readings of a published (lat, lon), in order of preference: a swap is by far the
# commonest slip, so it wins where two readings both fit (a country that spans the
# prime meridian can hold both).
READINGS: tuple[tuple[str, Callable[[float, float], tuple[float, float]]], ...] = (
    ("latitude and longitude swapped back", lambda la, lo: (lo, la)),
    ("the longitude's sign restored", lambda la, lo: (la, -lo)),
    ("the latitude's sign restored", lambda la, lo: (-la, lo)),
    ("both signs restored", lambda la, lo: (-la, -lo)),
    (
        "latitude and longitude swapped back, the longitude's sign restored",
        lambda la, lo: (lo, -la),
    ),
    ("latitude and longitude swapped back, the latitude's sign restored", lambda la, lo: (-lo, la)),
    ("latitude and longitude swapped back, both signs restored", lambda la, lo: (-lo, -la)),
)


@dataclass(frozen=True)
class Finding:
    """What the check concluded about one incident's position.

    Attributes
    ----------
    index : int
        Position of the incident in the list checked.
    action : str
        ``repaired``, ``unlocated`` or ``noted`` (the ``load_issues`` actions).
    reason : str
        One sentence for the reader.
    lat, lon : float or None
        The position to store: the repaired one, ``None`` when unlocated, the published
        one when noted.
    """

    index: int
    action: str
    reason: str
    lat: float | None
    lon: float | None


def _km(geom, lat: float, lon: float) -> float:
    """Great-circle distance from a point to the nearest part of a shape (0 inside)."""
    point = shapely.Point(lon, lat)
    if geom.covers(point):
        return 0.0
    near = nearest_points(geom, point)[0]
    la1, lo1, la2, lo2 = map(math.radians, (lat, lon, near.y, near.x))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def country_shapes(rows: Iterable[tuple[str, str, str]]) -> tuple[dict, dict]:
    """Shapes of the countries, by ISO3 code, from GeoJSON geometry text.

    Parameters
    ----------
    rows : iterable of (iso3, name, geojson)
        One row per Natural Earth feature (a code may have several features).

    Returns
    -------
    shapes : dict
        ``iso3 -> geometry``, each code's features joined with those of
        :data:`ALSO_DRAWN_AS`.
    names : dict
        ``iso3 -> name`` as Natural Earth writes it.
    """
    parts: dict[str, list] = defaultdict(list)
    names: dict[str, str] = {}
    for iso, name, text in rows:
        if not iso or not text:
            continue
        parts[iso].append(shapely.from_geojson(text))
        names.setdefault(iso, name)
    own = {iso: shapely.union_all(geoms) for iso, geoms in parts.items()}
    shapes = {}
    for iso, geom in own.items():
        extra = [own[o] for o in ALSO_DRAWN_AS.get(iso, ()) if o in own]
        shapes[iso] = shapely.union_all([geom, *extra]) if extra else geom
    for geom in shapes.values():
        shapely.prepare(geom)
    return shapes, names


def _names_place(location: str, spellings: set[str]) -> bool:
    """Whether a location text names a country in one of its spellings.

    Names are matched as whole words of the normalised text; three-letter codes
    ("USA") only as capitals in the text itself, so that "can" is not Canada.
    """
    words = f" {normalise_name(location)} "
    for name in spellings:
        if len(name) == 3 and name.isalpha():
            if re.search(rf"\b{name.upper()}\b", location):
                return True
        elif f" {name} " in words:
            return True
    return False


def check_positions(
    points: list[tuple[float | None, float | None, str | None, str | None]],
    shapes: dict,
    names: dict,
    spellings: dict[str, set[str]] | None = None,
) -> list[Finding]:
    """Find positions that contradict their country of incident.

    Parameters
    ----------
    points : list of (lat, lon, iso3, location)
        Each incident's published position, the ISO3 code of its country of incident
        (``None`` when either is unknown: such a point is not checked) and its
        location text.
    shapes, names : dict
        From :func:`country_shapes`.
    spellings : dict, optional
        ``iso3 -> normalised names`` (and lower-case codes) a location text may use for
        the country; by default the names of ``names``.

    Returns
    -------
    list of Finding
        One per position that lies more than :data:`FAR_KM` outside its country, in
        the order of ``points``.
    """
    if spellings is None:
        spellings = {iso: {normalise_name(n)} for iso, n in names.items() if n}
    by_iso: dict[str, list[int]] = defaultdict(list)
    for i, (lat, lon, iso, _) in enumerate(points):
        if lat is not None and lon is not None and iso in shapes:
            by_iso[iso].append(i)
    far: dict[int, float] = {}
    for iso, idx in by_iso.items():
        lats = np.array([points[i][0] for i in idx])
        lons = np.array([points[i][1] for i in idx])
        # Planar degrees bound the distance from above: only points beyond the bound
        # need the exact (slower) great-circle measure.
        degrees = shapely.distance(shapes[iso], shapely.points(lons, lats))
        for i, d in zip(idx, degrees, strict=True):
            if d * KM_PER_DEGREE > FAR_KM:
                km = _km(shapes[iso], points[i][0], points[i][1])
                if km > FAR_KM:
                    far[i] = km
    if not far:
        return []
    countries_at: dict[tuple[float, float], set[str]] = defaultdict(set)
    for lat, lon, iso, _ in points:
        if lat is not None and lon is not None and iso:
            countries_at[(round(lat, 6), round(lon, 6))].add(iso)
    codes = list(shapes)
    tree = shapely.STRtree([shapes[c] for c in codes])
    findings = []
    for i in far:
        lat, lon, iso, location = points[i]
        country = names.get(iso, iso)
        # The reason names the rule, not the distance, so that the data page can group
        # the rows it applies to; the row and its published value locate each one.
        published = f"as published it lies more than {FAR_KM:,.0f} km outside {country}"
        fitting = []
        for rank, (how, read) in enumerate(READINGS):
            la, lo = read(lat, lon)
            if -90 <= la <= 90 and -180 <= lo <= 180:
                d = _km(shapes[iso], la, lo)
                if d <= NEAR_KM:
                    fitting.append((d, rank, how, la, lo))
        if fitting:
            _, _, how, la, lo = min(fitting)
            findings.append(Finding(i, "repaired", f"{how} ({published})", la, lo))
            continue
        here = shapely.Point(lon, lat)
        inside = [codes[j] for j in tree.query(here, predicate="covered_by") if codes[j] != iso]
        shared = countries_at[(round(lat, 6), round(lon, 6))]
        if len(shared) >= PLACEHOLDER_COUNTRIES:
            reason = (
                f"{published}, and the same position is given for incidents in "
                f"{len(shared)} countries: a placeholder; kept in totals, not mapped"
            )
            findings.append(Finding(i, "unlocated", reason, None, None))
        elif inside and _names_place(location or "", spellings.get(inside[0], set())):
            reason = (
                f"{published}, in {names.get(inside[0], inside[0])}, which its location "
                "names: kept on the map as published (the country of incident is in doubt)"
            )
            findings.append(Finding(i, "noted", reason, lat, lon))
        elif inside:
            reason = (
                f"{published}, on land in {names.get(inside[0], inside[0])}, and no swap "
                f"of latitude and longitude or of their signs puts it in {country}; kept "
                "in totals, not mapped"
            )
            findings.append(Finding(i, "unlocated", reason, None, None))
        else:
            reason = (
                f"{published}, at sea; kept on the map as published (the country of an "
                "incident at sea is often where the boat left or its people were taken)"
            )
            findings.append(Finding(i, "noted", reason, lat, lon))
    findings.sort(key=lambda f: f.index)
    return findings
