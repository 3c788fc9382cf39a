"""Parsing rules for the messy cells of real sources.

Each parser returns a value or raises :class:`CellError` with a reason; loaders turn
that into a reported reject or repair. The repair rules are documented in
``data/TABLES.md`` ("Repair and reject rules").
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta


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


_WKT_POINT = re.compile(
    r"^\s*(?:SRID=\d+;\s*)?POINT\s*(?:Z\s*)?\(\s*([^\s(),]+)[\s,]+([^\s(),]+)(?:\s+[^\s(),]+)?\s*\)\s*$",
    re.IGNORECASE,
)


def parse_latlon(text: str) -> tuple[float, float, bool]:
    """Parse a ``"lat, lon"`` string (MMP, ISIMM) into ``(lat, lon, swapped)``.

    A WKT point, ``"POINT (lon lat)"`` (a real variant of the MMP export, also with
    ``SRID=4326;`` or a third Z value), is read in WKT's own order: longitude first.

    Raises
    ------
    CellError
        Empty, not two numbers, or out of range.
    """
    wkt = _WKT_POINT.match(text)
    if wkt:
        try:
            lon, lat = float(wkt.group(1)), float(wkt.group(2))
        except ValueError as exc:
            raise CellError(f"'{_clip(text)}' is not a WKT point (lon lat)") from exc
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise CellError(f"'{_clip(text)}' is not a WKT point (lon lat)")
        return check_position(lat, lon)
    if re.match(r"^\s*[A-Za-z]", text):
        # Other WKT (POINT EMPTY, LINESTRING ...) names no single place.
        raise CellError(f"'{_clip(text)}' is not a 'lat, lon' pair")
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


EARLIEST = date(1900, 1, 1)
# Spreadsheet serial day numbers count from 1899-12-30 (Excel's and LibreOffice's
# epoch once Excel's phantom 1900-02-29 is allowed for). Only five-digit serials are
# read as dates (10000 = 1927-05-18): a four-digit number is far likelier a year.
SERIAL_EPOCH = date(1899, 12, 30)
_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")
_WEEKDAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A time of day after the date: "T12:00:00Z", " 12:00", " - 12:00" (Drupal's
# "Tue, 01/02/2024 - 12:00", as IOM's site prints dates), with an optional zone.
_CLOCK = re.compile(
    r"(?:\s*-\s*|\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AP]M)?"
    r"\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$")
_ISO_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d")
_NAMED_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d-%b-%Y", "%d-%b-%y")


def _date_parts(text: str) -> tuple[str, str | None]:
    """The date part of a cell (weekday and time of day removed) and the weekday."""
    s = text.strip()
    weekday = None
    m = _WEEKDAY.match(s)
    if m:
        weekday, s = m.group(1).lower(), s[m.end() :]
    return _CLOCK.sub("", s).rstrip("Z").strip(), weekday


def _day_month(a: int, b: int) -> tuple[str, ...]:
    """The orders ("dmy", "mdy") a numeric date ``a/b/y`` can be read in."""
    return tuple(o for o, day, month in (("dmy", a, b), ("mdy", b, a)) if month <= 12 and day <= 31)


def date_order(texts) -> str | None:
    """The day/month order of a column of numeric dates, from its unambiguous cells.

    A cell such as ``13/02/2024`` can only be day-first and ``02/13/2024`` only
    month-first; a column whose unambiguous cells all agree is read in that order,
    ambiguous cells (``01/02/2024``) included.

    Returns
    -------
    str or None
        ``"dmy"``, ``"mdy"``, or ``None`` when no cell decides or the cells disagree.
    """
    seen = set()
    for text in texts:
        m = _NUMERIC.match(_date_parts(str(text))[0])
        if m:
            orders = _day_month(int(m.group(1)), int(m.group(2)))
            if len(orders) == 1:
                seen.add(orders[0])
    return seen.pop() if len(seen) == 1 else None


def is_ambiguous_date(text: str, order: str | None = None) -> bool:
    """True when ``text`` is a numeric date whose day and month could be swapped and
    neither ``order`` nor a weekday in the cell says which is which."""
    s, weekday = _date_parts(text)
    m = _NUMERIC.match(s)
    return bool(
        m and order is None and weekday is None and len(_day_month(int(m[1]), int(m[2]))) == 2
    )


def _numeric_date(m: re.Match, order: str | None, weekday: str | None) -> date | None:
    a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
    year = int(y) if len(y) == 4 else datetime.strptime(y, "%y").year
    readings = []
    for o in _day_month(a, b):
        day, month = (a, b) if o == "dmy" else (b, a)
        try:
            readings.append((o, date(year, month, day)))
        except ValueError:
            continue
    if weekday is not None:
        readings = [r for r in readings if _WEEKDAYS[r[1].weekday()] == weekday] or readings
    if len(readings) > 1:
        # The file's order, else the sources' own conventions: dd/mm/yyyy, m/d/yy.
        want = order or ("dmy" if len(y) == 4 else "mdy")
        readings = [r for r in readings if r[0] == want]
    return readings[0][1] if readings else None


def parse_date(text: str, *, latest: date | None = None, order: str | None = None) -> date | None:
    """Parse a date cell; empty gives ``None``.

    Read, in turn: ISO dates (``2024-01-02``, with or without a time of day or a zone);
    spreadsheet serial day numbers (``45000`` = 2023-03-15); numeric dates
    ``a/b/yyyy`` or ``a.b.yy``, whose day/month order is the one possible reading, else
    the one that matches a weekday in the cell (``"Tue, 01/02/2024 - 12:00"`` is
    2 January), else ``order``, else day-first for four-digit years and month-first for
    two-digit ones (the conventions of the sources we know); and dates with month names
    (``6 January 2014``, ``Jan 6, 2014``).

    Parameters
    ----------
    text : str
        The cell.
    latest : date, optional
        Dates after it are impossible (usually today).
    order : {"dmy", "mdy"}, optional
        The column's order (see :func:`date_order`), for dates that could be either.

    Raises
    ------
    CellError
        Unparseable, a weekday that matches no reading, or outside 1900-01-01 ..
        ``latest`` (an impossible date).
    """
    s, weekday = _date_parts(text)
    if s == "":
        if weekday is not None:
            raise CellError(f"'{_clip(text)}' is not a date")
        return None
    parsed = None
    if _SERIAL.match(s):
        parsed = SERIAL_EPOCH + timedelta(days=int(float(s)))
    for fmt in () if parsed else _ISO_FORMATS:
        try:
            parsed = datetime.strptime(s, fmt).date()
            break
        except ValueError:
            continue
    m = None if parsed else _NUMERIC.match(s)
    if m:
        parsed = _numeric_date(m, order, weekday)
    named = " ".join(s.replace(",", " ").split())
    for fmt in () if parsed or m else _NAMED_FORMATS:
        try:
            parsed = datetime.strptime(named, fmt).date()
            break
        except ValueError:
            continue
    if parsed is None:
        raise CellError(f"'{_clip(text)}' is not a date")
    if weekday is not None and _WEEKDAYS[parsed.weekday()] != weekday:
        raise CellError(f"'{_clip(text)}' names the wrong weekday for {parsed.isoformat()}")
    if parsed < EARLIEST or (latest is not None and parsed > latest):
        raise CellError(f"'{_clip(text)}' is an impossible date")
    return parsed


def clean_id(text: str) -> tuple[str, bool]:
    """An identifier without whitespace or invisible format characters.

    Nine ``Main ID``s of the MMP export start with a byte-order mark (U+FEFF), so they
    would not equal the endpoint's ``web_id``; zero-width spaces and joiners, soft
    hyphens and non-breaking spaces do the same harm. No identifier we load has a space
    in it, so every whitespace and format character (Unicode category Cf) is dropped.

    Returns
    -------
    (str, bool)
        The identifier, and whether anything beyond ordinary surrounding whitespace
        was removed (the loader reports that as a repair).
    """
    out = "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")
    return out, out != text.strip()


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
    Accents are dropped: UNHCR writes "Abeche" where the register writes "Abéché".
    """
    s = unicodedata.normalize("NFKD", text.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"\[.*?\]|\(.*?\)", " ", s)
    s = re.sub(r"[^0-9a-z\u00c0-\u024f]+", " ", s)
    words = [w for w in s.split() if w not in {"camp", "settlement", "refugee", "site", "the"}]
    return " ".join(words)


def _clip(text: str, n: int = 60) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= n else flat[: n - 1] + "…"
