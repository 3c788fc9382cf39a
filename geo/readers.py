"""Read source files as text tables, turning every way a file can be broken into a
:class:`~geo.errors.SourceError` with the file and the reason.

Every table comes back with all cells as ``str`` (empty string for empty cells) and
a ``_row`` column holding the spreadsheet-style row number (the header is row 1), so
loaders can report the row a user would find when opening the file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import deque
from pathlib import Path

import pandas as pd

from geo.errors import SourceError

ROW = "_row"


class _Opened:
    """How many files the readers opened, and the latest ones. The build names them
    when a loader fails in a way nobody foresaw (see ``geo.build``)."""

    count: int = 0
    last: Path | None = None

    def __init__(self) -> None:
        self.recent: deque[Path] = deque(maxlen=256)

    def note(self, path: Path) -> None:
        self.count += 1
        self.last = path
        self.recent.append(path)

    def since(self, mark: int) -> list[Path]:
        """The files opened since :attr:`count` was ``mark`` (the latest 256 at most)."""
        n = min(self.count - mark, len(self.recent))
        return list(self.recent)[-n:] if n > 0 else []


OPENED = _Opened()

# Python's csv module refuses fields over 128 KiB by default; real exports carry long
# free-text fields, and a damaged file may carry a huge one. Let pandas' C parser take
# them and keep our own sniffing within bounds.
csv.field_size_limit(64 * 1024 * 1024)


# Byte-order marks of the wide Unicode encodings, longest first (UTF-32 LE starts
# with the UTF-16 LE mark). Excel's "Unicode Text" and PowerShell write UTF-16 LE.
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _wide_encoding(raw: bytes) -> str | None:
    """``utf-16``/``utf-32`` (with a byte-order mark) or ``utf-16-le``/``-be`` (without
    one: text mostly in Latin script has a NUL in every other byte), else None."""
    for bom, name in _WIDE_BOMS:
        if raw.startswith(bom):
            return name
    sample = raw[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-16/32 (when marked so), UTF-8 (BOM stripped) or, failing
    that, Windows-1252."""
    wide = _wide_encoding(raw)
    if wide:
        try:
            text = raw.decode(wide).lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            raise SourceError(
                path,
                f"the file is {wide.upper()} encoded but cannot be decoded at byte "
                f"{exc.start:,} (truncated or damaged?); save it again as UTF-8",
            ) from exc
        if not text.strip():
            raise SourceError(path, "the file is empty")
        return text, wide
    if not raw.strip():
        raise SourceError(path, "the file is empty")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        # Publishers' older CSVs (e.g. ISIMM) are cp1252; it decodes any byte except
        # five undefined ones, which latin-1 then covers.
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return raw.decode("latin-1"), "latin-1"


#: First bytes of the two workbook containers: a zip (xlsx) and an OLE2 file (xls).
WORKBOOK_MAGIC = {"xlsx": b"PK\x03\x04", "xls": b"\xd0\xcf\x11\xe0"}


def workbook_format(raw: bytes) -> str | None:
    """``"xlsx"`` or ``"xls"`` by the first bytes of a file, else None."""
    return next((fmt for fmt, magic in WORKBOOK_MAGIC.items() if raw.startswith(magic)), None)


def _looks_binary(raw: bytes) -> str | None:
    fmt = workbook_format(raw)
    if fmt == "xlsx":
        return "a zip/xlsx workbook"
    if fmt == "xls":
        return "an old Excel (xls) workbook"
    head = raw[:8]
    if head.startswith(b"%PDF"):
        return "a PDF"
    if b"\x00" in raw[:4096] and not _wide_encoding(raw):
        return "binary data"
    return None


def _text_kind(text: str) -> str | None:
    """What a text file really holds when it is plainly not a table: an HTML page (an
    error or login page saved under the data file's name), XML, or JSON."""
    head = text[:2048].lstrip().lower()
    if re.match(r"<(!doctype html|html|head|body|title|h1|p|table)\b", head):
        return "an HTML page (an error or login page saved in its place?)"
    if head.startswith("<?xml") or head.startswith("<"):
        return "XML/HTML markup"
    if head.startswith(("{", "[")):
        return "JSON"
    return None


def _sniff_delimiter(text: str) -> str:
    sample = text[:65536]
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in [",", ";", "\t", "|"]}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _with_rows(df: pd.DataFrame, first_row: int = 2) -> pd.DataFrame:
    df = df.fillna("").astype(str)
    df.columns = [str(c).strip() for c in df.columns]
    df[ROW] = range(first_row, first_row + len(df))
    return df


def read_csv(path: Path, *, header_row: int = 1) -> tuple[pd.DataFrame, str]:
    """Read a delimited text file as strings.

    Parameters
    ----------
    path : Path
        CSV file (comma, semicolon, tab or pipe delimited; UTF-8 with or without BOM,
        or Windows-1252).
    header_row : int
        Row number of the header (1 = first line).

    Returns
    -------
    (DataFrame, str)
        The table with a ``_row`` column, and the encoding used.

    Raises
    ------
    SourceError
        Empty, binary, truncated or otherwise unparseable files.
    """
    OPENED.note(path)
    raw = path.read_bytes()
    kind = _looks_binary(raw)
    if kind:
        raise SourceError(path, f"expected a CSV text file but found {kind}")
    text, encoding = _decode(path, raw)
    kind = _text_kind(text)
    if kind:
        raise SourceError(path, f"expected a CSV text file but found {kind}")
    delimiter = _sniff_delimiter(text)
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skiprows=header_row - 1,
            engine="c",
        )
    except pd.errors.EmptyDataError as exc:
        raise SourceError(path, "the file has no header row") from exc
    except pd.errors.ParserError as exc:
        raise _parser_error(path, exc) from exc
    first = header_row + 1
    if df.empty:
        raise SourceError(path, "the file has a header but no data rows")
    short = _short_row(text, delimiter, header_row)
    if short:
        row, have, want, last = short
        if last:
            raise SourceError(
                path, f"the file is truncated: its last row has {have} of {want} fields", row=row
            )
        raise SourceError(path, f"the row has {have} of {want} fields", row=row)
    return _with_rows(df, first), encoding


def _short_row(text: str, delimiter: str, header_row: int) -> tuple[int, int, int, bool] | None:
    """The first row with fewer fields than the header: (row, fields, header fields, is last).

    pandas pads a short row with empty cells, which hides a file cut off mid-row; no
    real source has short rows. Blank lines are skipped, as pandas skips them.
    """
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    row, found = header_row, None
    try:
        for _ in range(header_row - 1):
            next(reader, None)
        header = next(reader, [])
        for fields in reader:
            if not fields:
                continue
            row += 1
            if found is None and len(fields) < len(header):
                found = (row, len(fields), len(header))
            elif found is not None:
                return (*found, False)
    except csv.Error:
        return None  # pandas read the file; its own checks stand
    return (*found, True) if found else None


def _parser_error(path: Path, exc: Exception) -> SourceError:
    text = str(exc)
    if "EOF inside string" in text:
        return SourceError(path, "the file is truncated: it ends inside a quoted field")
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if m:
        expected, row, saw = (int(g) for g in m.groups())
        return SourceError(path, f"the row has {saw} fields but the header has {expected}", row=row)
    return SourceError(path, f"not a well-formed CSV file ({_short(exc)})")


def check_workbook(path: Path, raw: bytes) -> str:
    """The workbook format (``"xlsx"`` or ``"xls"``) of a file's bytes.

    Parameters
    ----------
    path : Path
        The file, named in the error.
    raw : bytes
        Its content, or at least its first 4 KiB.

    Returns
    -------
    str
        ``"xlsx"`` or ``"xls"``.

    Raises
    ------
    SourceError
        When the bytes are not a workbook: says what they are instead.
    """
    fmt = workbook_format(raw)
    if fmt:
        return fmt
    if not raw.strip():
        raise SourceError(path, "the file is empty")
    found = _looks_binary(raw) or _text_kind(raw[:2048].decode("latin-1")) or "a text file (CSV?)"
    raise SourceError(path, f"expected an Excel workbook but found {found}")


def read_excel(path: Path, *, header_row: int = 1, sheet: str | int = 0) -> pd.DataFrame:
    """Read one sheet of an xlsx/xls workbook as strings (see :func:`read_csv`)."""
    OPENED.note(path)
    check_workbook(path, path.read_bytes())
    try:
        df = pd.read_excel(
            path, sheet_name=sheet, dtype=str, header=header_row - 1, engine="calamine"
        )
    except Exception as exc:  # noqa: BLE001 - calamine, zipfile and pandas each raise their own
        raise SourceError(
            path, f"cannot read the workbook, damaged or truncated? ({_short(exc)})"
        ) from exc
    if df.empty:
        raise SourceError(path, "the sheet has a header but no data rows")
    return _with_rows(df, header_row + 1)


def read_json_records(path: Path) -> list[dict]:
    """Read a JSON file holding a list of objects, bare or wrapped in an object.

    Raises
    ------
    SourceError
        When the file is empty, not JSON, or not a list of objects.
    """
    OPENED.note(path)
    raw = path.read_bytes()
    text = _json_text(path, raw)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            path,
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}){_cut(exc, text)}",
        ) from exc
    if isinstance(data, dict):
        data = _unwrap(path, data)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise SourceError(path, "expected a JSON list of records")
    return data


# Keys under which APIs commonly wrap their records ({"data": [...]}, {"results": ...}).
WRAPPER_KEYS = ("data", "results", "records", "items", "rows", "incidents")


def _unwrap(path: Path, data: dict, depth: int = 0) -> list:
    """The list of records inside a wrapper object such as ``{"data": [...]}``.

    Taken from a well-known key (:data:`WRAPPER_KEYS`), else from the only value that is
    a list of objects; one more level of nesting (``{"data": {"results": [...]}}``) is
    looked into. Two candidate lists under unknown keys are refused rather than guessed
    between, since taking the wrong one would change every figure silently.
    """
    for key in WRAPPER_KEYS:
        value = next((v for k, v in data.items() if str(k).lower() == key), None)
        if isinstance(value, list):
            return value
        if isinstance(value, dict) and depth == 0:
            return _unwrap(path, value, 1)
    lists = [k for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
    if len(lists) == 1:
        return data[lists[0]]
    if len(lists) > 1:
        names = ", ".join(repr(k) for k in lists[:4])
        raise SourceError(
            path, f"expected a JSON list of records; the object holds several ({names})"
        )
    nested = [v for v in data.values() if isinstance(v, dict)]
    if depth == 0 and len(nested) == 1:
        return _unwrap(path, nested[0], 1)
    raise SourceError(path, "expected a JSON list of records")


def read_geojson(path: Path) -> dict:
    """Read a GeoJSON FeatureCollection as a dict (features with geometry and properties)."""
    OPENED.note(path)
    text = _json_text(path, path.read_bytes())
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            path, f"not valid GeoJSON (line {exc.lineno}: {exc.msg}){_cut(exc, text)}"
        ) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise SourceError(path, "expected a GeoJSON FeatureCollection")
    if not isinstance(data.get("features"), list):
        raise SourceError(path, "the FeatureCollection has no features list")
    for i, f in enumerate(data["features"], start=1):
        if not isinstance(f, dict) or not isinstance(f.get("properties") or {}, dict):
            raise SourceError(path, "not a GeoJSON feature object", row=i)
    return data


def _cut(exc: json.JSONDecodeError, text: str) -> str:
    """' - the file ends early: truncated?' when the error is at the end of the text."""
    end = len(text.rstrip())
    started = exc.msg.startswith("Unterminated")
    return "; the file ends early: truncated?" if started or exc.pos >= end - 8 else ""


def _json_text(path: Path, raw: bytes) -> str:
    kind = _looks_binary(raw)
    if kind:
        raise SourceError(path, f"expected a JSON text file but found {kind}")
    text, _ = _decode(path, raw)
    kind = _text_kind(text)
    if kind and kind != "JSON":
        raise SourceError(path, f"expected JSON but found {kind}")
    return text


def _column_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", name.lower())


def align_columns(df: pd.DataFrame, columns: list[str]) -> list[tuple[str, str]]:
    """Rename columns that differ from an expected name only in case, spacing or
    punctuation (``Number_of_Dead`` for ``Number of Dead``), in place.

    Returns
    -------
    list of (str, str)
        The (found, expected) pairs renamed, for the loader to report.
    """
    present = set(df.columns)
    by_key = {}
    for c in df.columns:
        by_key.setdefault(_column_key(str(c)), c)
    renamed = []
    for want in columns:
        found = by_key.get(_column_key(want))
        if want not in present and found is not None and found not in columns:
            renamed.append((found, want))
    if renamed:
        names = dict(renamed)
        df.columns = [names.get(c, c) for c in df.columns]
    return renamed


def require_columns(df: pd.DataFrame, path: Path, columns: list[str]) -> None:
    """Fail with one line naming the file and the first missing required column."""
    present = set(df.columns)
    for column in columns:
        if column not in present:
            raise SourceError(path, f"missing required column '{column}'", column=None)


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]
