"""Check a downloaded file with the readers the build uses (:mod:`geo.readers`), so that
fetch refuses what the build would refuse (an HTML error page saved under a data file's
name, a truncated file, a wrong column set) before it replaces a good file."""

from __future__ import annotations

from pathlib import Path

from geo import readers
from geo.errors import SourceError
from geo.fetch.errors import ItemError
from geo.fetch.sources import CSV_HEADERS


def check(kind: str, path: str, tmp: Path, size: int) -> str | None:
    """Check one downloaded file before it is moved into place.

    Parameters
    ----------
    kind : str
        What the body must be (:attr:`geo.fetch.sources.Source.kind`).
    path : str
        Its path in the sources folder (selects the CSV's required columns).
    tmp : pathlib.Path
        The downloaded body.
    size : int
        Its size in bytes.

    Returns
    -------
    str or None
        A note for the log (rows or features counted), if any.

    Raises
    ------
    ItemError
        When the file is not what the build could read; ``not_found`` when a JSON
        endpoint answered with no rows (the publisher has no data for that year).
    """
    if size == 0:
        raise ItemError("empty response")
    try:
        if kind == "json-list":
            rows = readers.read_json_records(tmp)
            if not rows:
                raise ItemError("the publisher returned no rows", not_found=True)
            return f"{len(rows):,} rows"
        if kind == "geojson":
            features = readers.read_geojson(tmp)["features"]
            if not features:
                raise ItemError("not a GeoJSON FeatureCollection with features")
            return f"{len(features):,} features"
        if kind in ("xlsx", "xls"):
            with open(tmp, "rb") as handle:
                found = readers.check_workbook(tmp, handle.read(4096))
            if found != kind:
                raise ItemError(f"not an {kind} workbook (found an {found} workbook)")
        if kind == "csv":
            frame, _ = readers.read_csv(tmp)
            readers.require_columns(frame, tmp, list(CSV_HEADERS.get(path, ())))
    except SourceError as exc:
        raise ItemError(_reason(kind, exc.reason)) from None
    return None


def _reason(kind: str, reason: str) -> str:
    """The readers' reason; for a JSON body that is not JSON text at all (an HTML page,
    binary data), said as such first, as the log has always said it."""
    if kind in ("json-list", "geojson") and " but found " in reason:
        return f"not valid JSON: {reason}"
    return reason
