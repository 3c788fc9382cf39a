"""Parsing rules for the messy cells of real sources.

Each parser returns a value or raises :class:`CellError` with a reason; loaders turn
that into a reported reject or repair. The repair rules are documented in
``data/TABLES.md`` ("Repair and reject rules").
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime


class CellError(ValueError):
    """A cell that cannot be read; ``str(exc)`` is the reason shown to users."""


_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_count(
    text: str, *, empty: int | None = 0, allow_negative: bool = False, round_fraction: bool = False
) -> int | None:
    """Parse a head count such as ``"12"``, ``"1,022"`` or ``"3.0"``.

    Parameters
    ----------
    text : str
        The cell.
    empty : int or None
        Value for an empty cell.
    allow_negative : bool
        Accept negative values (MMP publishes corrections as negative missing counts).
    round_fraction : bool
        Round a fractional value (ISIMM publishes some averaged head counts) instead
        of refusing it.

    Returns
    -------
    int or None

    Raises
    ------
    CellError
        Not a number, negative, or fractional.
    """
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if s == "" or s.upper() in {"NA", "N/A", "NULL", "NAN"}:
        return empty
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        raise CellError(f"'{_clip(text)}' is not a number")
    value = float(s)
    if value < 0 and not allow_negative:
        raise CellError(f"'{_clip(text)}' is negative")
    if not value.is_integer() and round_fraction:
        return int(round(value))
    if not value.is_integer():
        raise CellError(f"'{_clip(text)}' is not a whole number of people")
    return int(value)


def parse_float(text: str) -> float | None:
    """Parse a decimal number; empty and ``NA`` give ``None``."""
    s = text.strip()
    if s == "" or s.upper() in {"NA", "N/A", "NULL", "NAN"}:
        return None
    try:
        value = float(s)
    except ValueError as exc:
        raise CellError(f"'{_clip(text)}' is not a number") from exc
    if not math.isfinite(value):
        raise CellError(f"'{_clip(text)}' is not a finite number")
    return value


def parse_json_number(value: object) -> float | None:
    """A number from a JSON property: numbers as they are, text as :func:`parse_float`.

    Raises
    ------
    CellError
        Text that is not a number, a boolean, a list or an object, or a non-finite number.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CellError(f"'{_clip(value)}' is not a number")
    if isinstance(value, str):
        return parse_float(value)
    if not math.isfinite(value):
        raise CellError(f"'{_clip(value)}' is not a finite number")
    return float(value)


def check_position(lat: float | None, lon: float | None) -> tuple[float, float, bool]:
    """Validate a latitude/longitude pair, repairing an obvious swap.

    Returns
    -------
    (lat, lon, swapped)

    Raises
    ------
    CellError
        Missing or out of range, or (0, 0) which no source means literally.
    """
    if lat is None or lon is None:
        raise CellError("coordinates are missing")
    if abs(lat) <= 90 and abs(lon) <= 180:
        if lat == 0 and lon == 0:
            raise CellError("coordinates are 0, 0 (a placeholder, not a place)")
        return lat, lon, False
    if abs(lon) <= 90 and abs(lat) <= 180:
        # Only a swap explains a latitude beyond 90 with a valid longitude beside it.
        return lon, lat, True
    raise CellError(f"coordinates {lat}, {lon} are out of range")


def parse_latlon(text: str) -> tuple[float, float, bool]:
    """Parse a ``"lat, lon"`` string (MMP, ISIMM) into ``(lat, lon, swapped)``.

    Raises
    ------
    CellError
        Empty, not two numbers, or out of range.
    """
    s = text.strip().strip("()[]")
    if not s:
        raise CellError("coordinates are missing")
    parts = [p for p in re.split(r"[,;\s]+", s) if p]
    if len(parts) != 2:
        raise CellError(f"'{_clip(text)}' is not a 'lat, lon' pair")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError as exc:
        raise CellError(f"'{_clip(text)}' is not a 'lat, lon' pair") from exc
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise CellError(f"'{_clip(text)}' is not a 'lat, lon' pair")
    return check_position(lat, lon)


_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%m/%d/%y"]
EARLIEST = date(1900, 1, 1)


def parse_date(text: str, *, latest: date | None = None) -> date | None:
    """Parse a date cell; empty gives ``None``.

    ISO dates (with or without a time, or a trailing ``Z``) are tried first, then
    ``dd/mm/yyyy`` and ``m/d/yy``.

    Raises
    ------
    CellError
        Unparseable, or outside 1900-01-01 .. ``latest`` (an impossible date).
    """
    s = text.strip().rstrip("Z")
    if s == "":
        return None
    parsed = None
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(s, fmt).date()
            break
        except ValueError:
            continue
    if parsed is None:
        raise CellError(f"'{_clip(text)}' is not a date")
    if parsed < EARLIEST or (latest is not None and parsed > latest):
        raise CellError(f"'{_clip(text)}' is an impossible date")
    return parsed


def split_multi(text: str, vocabulary: tuple[str, ...] = ()) -> list[str]:
    """Split a comma-joined multi-valued cell into its values.

    Parameters
    ----------
    text : str
        e.g. ``"Drowning,Harsh environmental conditions / lack of adequate shelter, food, water"``.
    vocabulary : tuple of str
        Known values that themselves contain commas; they are kept whole.

    Returns
    -------
    list of str
        Stripped, non-empty values in source order, without duplicates.
    """
    s = text
    for term in vocabulary:
        if "," in term:
            s = s.replace(term, term.replace(",", "\x1f"))
    out: list[str] = []
    for part in s.split(","):
        value = " ".join(part.replace("\x1f", ",").split())
        if value and value not in out:
            out.append(value)
    return out


def normalise_name(text: str) -> str:
    """Lower-case a place name and drop brackets, punctuation and common words.

    Used to join UNHCR site names ("Kakuma [Admin 3: PRP]") to the location register.
    """
    s = re.sub(r"\[.*?\]|\(.*?\)", " ", text.lower())
    s = re.sub(r"[^0-9a-z\u00c0-\u024f]+", " ", s)
    words = [w for w in s.split() if w not in {"camp", "settlement", "refugee", "site", "the"}]
    return " ".join(words)


def _clip(text: str, n: int = 60) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= n else flat[: n - 1] + "…"
