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

from geo.geometry import EARTH_RADIUS_KM, great_circle_km
from geo.parse import normalise_name

FAR_KM = 500.0
NEAR_KM = 25.0
PLACEHOLDER_COUNTRIES = 3
# A degree of latitude is this long; a degree of longitude never longer. A shape that
# is within d degrees of a point (planar) is therefore within KM_PER_DEGREE * d km.
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180

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
    return great_circle_km(lat, lon, near.y, near.x)


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


# MMP routes that cross land only: an incident on them cannot lie far out at sea.
LAND_ROUTES = frozenset(
    {
        "US-Mexico border crossing",
        "Afghanistan to Iran",
        "Sahara Desert crossing",
        "Western Balkans",
        "Darien",
        "Türkiye-Europe land route",
        "Syria to Türkiye",
        "Iran to Türkiye",
        "Belarus-EU border",
        "Route to Southern Africa",
        "Horn of Africa Route",
        "Italy to France",
        "Ukraine to Europe",
        "Haiti to Dominican Republic",
        "DRC to Uganda",
    }
)


@dataclass(frozen=True)
class Place:
    """What a record says about where an incident happened.

    Attributes
    ----------
    lat, lon : float or None
        The published position.
    iso3 : str or None
        The country of incident's ISO3 code (``None``: the position is not checked).
    location : str
        The location text.
    routes : tuple of str
        The incident's migration routes.
    """

    lat: float | None
    lon: float | None
    iso3: str | None
    location: str = ""
    routes: tuple[str, ...] = ()


def _outside_km(places: list[Place], shapes: dict, beyond: float) -> dict[int, float]:
    """Great-circle distance outside its country of each place more than ``beyond`` km
    outside it."""
    by_iso: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(places):
        if p.lat is not None and p.lon is not None and p.iso3 in shapes:
            by_iso[p.iso3].append(i)
    out: dict[int, float] = {}
    for iso, idx in by_iso.items():
        lats = np.array([places[i].lat for i in idx])
        lons = np.array([places[i].lon for i in idx])
        # Planar degrees bound the distance from above: only points beyond the bound
        # need the exact (slower) great-circle measure.
        degrees = shapely.distance(shapes[iso], shapely.points(lons, lats))
        for i, d in zip(idx, degrees, strict=True):
            if d * KM_PER_DEGREE > beyond:
                km = _km(shapes[iso], places[i].lat, places[i].lon)
                if km > beyond:
                    out[i] = km
    return out


# Words of a location text that place an incident at sea, in a desert, at a border or
# along a way: there a position a few hundred km outside the country is plausible.
_STRETCH_WORDS = frozenset(
    "sea off coast coastal shore beach waters water sar boat ship island islands desert "
    "border borders frontier route way road between km miles mile nautical nm river lake "
    "channel strait gulf bay ocean atlantic mediterranean zone unspecified unknown".split()
)


def _describes_a_stretch(location: str) -> bool:
    """Whether a location text names a stretch (a sea, a desert, a border, a way)
    rather than a town: then only a position far outside its country is read again."""
    return not _STRETCH_WORDS.isdisjoint(normalise_name(location).split())


def _reading(p: Place, geom, near_km: float, readings=READINGS):
    """The preferred reading of a place's position that falls in its country."""
    fitting = []
    for rank, (how, read) in enumerate(readings):
        la, lo = read(p.lat, p.lon)
        if -90 <= la <= 90 and -180 <= lo <= 180:
            d = _km(geom, la, lo)
            if d <= near_km:
                fitting.append((d, rank, how, la, lo))
    return min(fitting) if fitting else None


def check_positions(
    places: list[Place],
    shapes: dict,
    names: dict,
    spellings: dict[str, set[str]] | None = None,
) -> list[Finding]:
    """Find positions that contradict their country of incident.

    Parameters
    ----------
    places : list of Place
        Each incident's published position, country, location text and routes.
    shapes, names : dict
        From :func:`country_shapes`.
    spellings : dict, optional
        ``iso3 -> normalised names`` (and lower-case codes) a location text may use for
        the country; by default the names of ``names``.

    Returns
    -------
    list of Finding
        In the order of ``places``: one per position more than :data:`FAR_KM` outside
        its country, and one per position more than :data:`NEAR_KM` outside it that
        lies inside it once latitude and longitude are swapped, where the location
        names a town rather than a sea, desert, border or way (Lagos published at
        3.38 N, 6.52 E, in the Gulf of Guinea).
    """
    if spellings is None:
        spellings = {iso: {normalise_name(n)} for iso, n in names.items() if n}
    outside = _outside_km(places, shapes, NEAR_KM)
    if not outside:
        return []
    # The reasons name the rule, not the country or the distance, so that the data page
    # groups the rows each rule applies to; each row's value and number locate it.
    findings = []
    far: list[int] = []
    for i, km in outside.items():
        p = places[i]
        if round(p.lat, 6) == round(p.lon, 6):
            reason = (
                "latitude and longitude are one number typed twice, outside the country of "
                "incident; kept in totals, not mapped"
            )
            findings.append(Finding(i, "unlocated", reason, None, None))
            continue
        if km > FAR_KM:
            far.append(i)
            continue
        if _describes_a_stretch(p.location):
            continue
        swap = _reading(p, shapes[p.iso3], 0.0, READINGS[:1])
        if swap is not None:
            reason = (
                f"{swap[2]}: as published, outside the country of incident (at sea or "
                "across a border) though its location names a town"
            )
            findings.append(Finding(i, "repaired", reason, swap[3], swap[4]))
    countries_at: dict[tuple[float, float], set[str]] = defaultdict(set)
    for p in places:
        if p.lat is not None and p.lon is not None and p.iso3:
            countries_at[(round(p.lat, 6), round(p.lon, 6))].add(p.iso3)
    codes = list(shapes)
    tree = shapely.STRtree([shapes[c] for c in codes])
    published = f"over {FAR_KM:,.0f} km outside the country of incident"
    for i in far:
        p = places[i]
        fit = _reading(p, shapes[p.iso3], NEAR_KM)
        if fit is not None:
            reason = f"{fit[2]}: as published, {published}"
            findings.append(Finding(i, "repaired", reason, fit[3], fit[4]))
            continue
        here = shapely.Point(p.lon, p.lat)
        inside = [codes[j] for j in tree.query(here, predicate="covered_by") if codes[j] != p.iso3]
        shared = countries_at[(round(p.lat, 6), round(p.lon, 6))]
        if len(shared) >= PLACEHOLDER_COUNTRIES:
            reason = (
                f"{published}, at a position given for incidents of {PLACEHOLDER_COUNTRIES} "
                "or more countries (a placeholder); kept in totals, not mapped"
            )
            findings.append(Finding(i, "unlocated", reason, None, None))
        elif inside and _names_place(p.location, spellings.get(inside[0], set())):
            reason = (
                f"{published}, in a country its location names; kept on the map (the "
                "country of incident is in doubt)"
            )
            findings.append(Finding(i, "noted", reason, p.lat, p.lon))
        elif inside:
            reason = (
                f"{published}, on land in another, and no swap or sign change puts it "
                "back; kept in totals, not mapped"
            )
            findings.append(Finding(i, "unlocated", reason, None, None))
        elif p.routes and set(p.routes) <= LAND_ROUTES:
            reason = f"{published}, at sea on a land route; kept in totals, not mapped"
            findings.append(Finding(i, "unlocated", reason, None, None))
        else:
            reason = (
                f"{published}, at sea; kept on the map (a boat's country of incident is "
                "often where it left)"
            )
            findings.append(Finding(i, "noted", reason, p.lat, p.lon))
    findings.sort(key=lambda f: f.index)
    return findings
