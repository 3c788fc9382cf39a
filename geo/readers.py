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
import zipfile
from pathlib import Path

import pandas as pd

from geo.errors import SourceError

ROW = "_row"
# Python's csv module refuses fields over 128 KiB by default; real exports carry long
# free-text fields, and a damaged file may carry a huge one. Let pandas' C parser take
# them and keep our own sniffing within bounds.
csv.field_size_limit(64 * 1024 * 1024)


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM stripped) or, failing that, Windows-1252."""
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


def _looks_binary(raw: bytes) -> str | None:
    head = raw[:8]
    if head.startswith(b"PK\x03\x04"):
        return "a zip/xlsx workbook"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Excel (xls) workbook"
    if head.startswith(b"%PDF"):
        return "a PDF"
    if b"\x00" in raw[:4096]:
        return "binary data"
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
    raw = path.read_bytes()
    kind = _looks_binary(raw)
    if kind:
        raise SourceError(path, f"expected a CSV text file but found {kind}")
    text, encoding = _decode(path, raw)
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
        raise SourceError(path, f"not a well-formed CSV file ({_short(exc)})") from exc
    return _with_rows(df, header_row + 1), encoding


def read_excel(path: Path, *, header_row: int = 1, sheet: str | int = 0) -> pd.DataFrame:
    """Read one sheet of an xlsx/xls workbook as strings (see :func:`read_csv`)."""
    raw_head = path.read_bytes()[:8]
    if not (raw_head.startswith(b"PK\x03\x04") or raw_head.startswith(b"\xd0\xcf\x11\xe0")):
        raise SourceError(path, "expected an Excel workbook but the file is not one")
    try:
        df = pd.read_excel(
            path, sheet_name=sheet, dtype=str, header=header_row - 1, engine="calamine"
        )
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        raise SourceError(path, f"cannot read the workbook ({_short(exc)})") from exc
    return _with_rows(df, header_row + 1)


def read_json_records(path: Path) -> list[dict]:
    """Read a JSON file holding a list of objects.

    Raises
    ------
    SourceError
        When the file is empty, not JSON, or not a list of objects.
    """
    raw = path.read_bytes()
    text, _ = _decode(path, raw)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            path, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    if isinstance(data, dict):
        # Some endpoint snapshots wrap the list; take the first list value.
        lists = [v for v in data.values() if isinstance(v, list)]
        if not lists:
            raise SourceError(path, "expected a JSON list of records")
        data = lists[0]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise SourceError(path, "expected a JSON list of records")
    return data


def read_geojson(path: Path) -> dict:
    """Read a GeoJSON FeatureCollection as a dict (features with geometry and properties)."""
    text, _ = _decode(path, path.read_bytes())
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"not valid GeoJSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise SourceError(path, "expected a GeoJSON FeatureCollection")
    if not isinstance(data.get("features"), list):
        raise SourceError(path, "the FeatureCollection has no features list")
    return data


def require_columns(df: pd.DataFrame, path: Path, columns: list[str]) -> None:
    """Fail with one line naming the file and the first missing required column."""
    present = set(df.columns)
    for column in columns:
        if column not in present:
            raise SourceError(path, f"missing required column '{column}'", column=None)


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]
