"""Download the sources from the publishers' own addresses into the reference layout.

``python -m geo fetch [--to DIR]`` fills a sources folder with the same folder layout,
file names and formats as the offline mirror (``../shared/data``), so that
``python -m geo build --sources DIR`` reads it the same way. What is fetched, from
where, and whether the run fails without it, is the table :data:`SOURCES` below;
:data:`DERIVED` lists the CSV files made from the downloaded workbooks.

Every file is streamed to a hidden temporary file in its destination folder, checked
(non-empty, and parsed where it is JSON, GeoJSON, a workbook or a CSV), then moved
over the old file with :func:`os.replace`: a failed or interrupted download never
leaves a half file and never spoils the file a previous run left. A manifest,
``fetch_manifest.json`` at the top of the folder, records for every written file the
address it came from, its sha256, size and the time of the download.

Where the network is unreachable (name lookup fails, connection refused, or no answer
to the first request) the run prints one line and returns 2. A missing optional item
(HTTP 404 for this year's or a future year's JSON) is reported and skipped. Any
required item that fails makes the run return 1, after the summary.

Limitations
-----------
- The MMP export is saved as ``Missing_Migrants_Global_Figures_allData_2025-04.xlsx``,
  the file name of the reference layout, whatever its content's vintage (IOM's file
  has one fixed address and is updated in place). The real vintage is the latest
  ``Incident Date`` inside it; the manifest records when it was downloaded. The build
  finds it by the pattern ``Missing_Migrants_Global_Figures_allData*``.
- The CSV next to it is made here from the workbook exactly as the mirror's was
  (every cell read as text, UTF-8, pandas ``to_csv``); likewise the two WUP CSVs from
  the ``.xls`` (sheet ``Data`` with its header on row 17, and sheet ``NOTES``). Run on
  the mirror's workbooks these conversions give the mirror's CSVs byte for byte.
- ``unhcr_refugees/unhcr_population.csv`` is rebuilt from the paginated JSON of the
  UNHCR Refugee Data Finder API the way the official ``refugees`` R package builds its
  ``population`` table (``data-raw/rdf.R`` in PopulationStatistics/refugees):
  ``yearFrom=1951``, ``yearTo=`` this year, ``coo_all=true``, ``coa_all=true``, pages
  of 10,000 rows; ``coo_id``/``coa_id`` dropped, the API's ``"-"`` written as an empty
  cell, whole numbers as integers. Columns and their order are those of the mirror's
  file. Row order is the API's. If UNHCR changes the API's fields, missing columns are
  left empty and reported; the run fails if the key columns are missing.
- Not fetched (no stable publisher address, or compiled by the project): the other
  UNHCR tables (flows, demographics, solutions, asylum, IDMC, UNRWA, countries), Cox's
  Bazar camp outlines, the NW Syria ISIMM sites, Natural Earth populated places and
  the CIFAL list. Keep using the mirror for those.
- The Natural Earth files come from the ``master`` branch of
  ``nvkelso/natural-earth-vector`` (the current release), so they may be newer than
  the mirror's v5.1.x copies. The UNHCR location register is pinned to the commit the
  mirror was copied from; it has not changed since 2021.
- IOM's site sits behind a firewall that is reported to refuse browser-like and
  default client User-Agents; requests go out as ``arrival-atlas-fetch/<version>``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as _dt
import hashlib
import importlib.util
import io
import json
import math
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from tqdm import tqdm
from urllib3.util.retry import Retry

from geo.firstrun import missing_package_help
from geo.loaders import unhcr as unhcr_loader

__all__ = [
    "SOURCES",
    "DERIVED",
    "Source",
    "Derived",
    "run_fetch",
    "add_arguments",
    "main",
    "parse_years",
]

# ---------------------------------------------------------------------------------------
# The address table: where each file of the reference layout comes from.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One file of the reference layout and the publisher addresses it comes from.

    Attributes
    ----------
    dataset : str
        Short name of the dataset (what ``--only`` selects).
    path : str
        Path of the file inside the sources folder. ``{year}`` marks a per-year file.
    urls : tuple of str
        Publisher addresses, tried in order: an HTTP 404 moves on to the next one.
        ``{year}`` is filled in for per-year files.
    required : bool
        Whether the run fails without this file. For per-year files only the years
        before the current one are required; this year's and later ones are optional
        (the publisher may not have them yet).
    kind : str
        What the body must be: ``json-list``, ``geojson``, ``xlsx``, ``xls``, ``csv``,
        or ``unhcr-api`` (paginated JSON converted to CSV).
    """

    dataset: str
    path: str
    urls: tuple[str, ...]
    required: bool
    kind: str

    @property
    def per_year(self) -> bool:
        """Whether the path holds one file per year."""
        return "{year}" in self.path


MMP_START_YEAR = 2014
UNHCR_API_PAGE_SIZE = 10_000
UNHCR_API_FIRST_YEAR = 1951

#: Evidence for each address (looked up in public code, not guessed):
#: - MMP endpoint: OCHA-DAP/hdx-scraper-iom-missingmigrants, config ``base_url`` +
#:   ``/{year}/json`` (the mirror's api/*.json are that scraper's fixtures).
#: - MMP export: the IOM file path ``/sites/g/files/tmzbdl601/files/report-migrant-incident/``
#:   used for ``...allData.xlsx`` and ``...allData.csv`` by several public scripts.
#: - WUP 2018 F12: ``/wup/assets/Download/`` is the address of the current
#:   population.un.org site (``/wup/downloads?tab=Urban%20Agglomerations``);
#:   ``/wup/Download/Files/`` is the older one, kept as a fallback.
#: - Natural Earth: ``nvkelso/natural-earth-vector``, folder ``geojson/``.
#: - UNHCR register: ``global-displacement-locations/displacement_locations_unhcr``,
#:   ``displacement_locations_unhcr.csv`` at the commit the mirror copied.
#: - UNHCR population: ``https://api.unhcr.org/population/v1/population/`` with the
#:   parameters of PopulationStatistics/refugees ``data-raw/rdf.R``.
SOURCES: tuple[Source, ...] = (
    Source(
        "mmp_api",
        "missing_migrants/api/{year}.json",
        ("https://missingmigrants.iom.int/global-figures/{year}/json",),
        True,
        "json-list",
    ),
    Source(
        "mmp_export",
        "missing_migrants/Missing_Migrants_Global_Figures_allData_2025-04.xlsx",
        (
            "https://missingmigrants.iom.int/sites/g/files/tmzbdl601/files/"
            "report-migrant-incident/Missing_Migrants_Global_Figures_allData.xlsx",
        ),
        True,
        "xlsx",
    ),
    Source(
        "wup",
        "city_population/WUP2018-F12-Cities_Over_300K.xls",
        (
            "https://population.un.org/wup/assets/Download/WUP2018-F12-Cities_Over_300K.xls",
            "https://population.un.org/wup/Download/Files/WUP2018-F12-Cities_Over_300K.xls",
        ),
        True,
        "xls",
    ),
    Source(
        "natural_earth",
        "natural_earth/ne_110m_admin_0_countries.geojson",
        (
            "https://raw.githubusercontent.com/nvkelso/natural-earth-vector/master/"
            "geojson/ne_110m_admin_0_countries.geojson",
        ),
        True,
        "geojson",
    ),
    Source(
        "natural_earth",
        "natural_earth/ne_50m_admin_0_countries.geojson",
        (
            "https://raw.githubusercontent.com/nvkelso/natural-earth-vector/master/"
            "geojson/ne_50m_admin_0_countries.geojson",
        ),
        True,
        "geojson",
    ),
    Source(
        "camps",
        "camps/displacement_locations_unhcr_2020-01.csv",
        (
            "https://raw.githubusercontent.com/global-displacement-locations/"
            "displacement_locations_unhcr/85f02e0afcce80c8288e08ab745606474e3d4bab/"
            "displacement_locations_unhcr.csv",
        ),
        True,
        "csv",
    ),
    Source(
        "unhcr_population",
        "unhcr_refugees/unhcr_population.csv",
        ("https://api.unhcr.org/population/v1/population/",),
        True,
        "unhcr-api",
    ),
)

UNHCR_POPULATION_COLUMNS = unhcr_loader.COLUMNS
_UNHCR_KEY_COLUMNS = ("year", "coo_iso", "coa_iso", "refugees")

#: Columns the CSV header of a downloaded CSV must contain, by path.
_CSV_HEADERS: dict[str, tuple[str, ...]] = {
    "camps/displacement_locations_unhcr_2020-01.csv": ("pcode", "POINT_X", "POINT_Y"),
}


@dataclass(frozen=True)
class Derived:
    """A CSV of the reference layout made from a downloaded workbook.

    Attributes
    ----------
    dataset : str
        Dataset of the workbook it is made from.
    path : str
        Path of the CSV inside the sources folder.
    source : str
        Path of the downloaded workbook.
    sheet : str or int
        Sheet to convert.
    header : int
        Zero-based row of the sheet that holds the column names.
    as_text : bool
        Read every cell as text (the MMP export) rather than letting numbers be
        numbers (the WUP tables), as the mirror's conversion did.
    """

    dataset: str
    path: str
    source: str
    sheet: str | int = 0
    header: int = 0
    as_text: bool = False


DERIVED: tuple[Derived, ...] = (
    Derived(
        "mmp_export",
        "missing_migrants/Missing_Migrants_Global_Figures_allData_2025-04.csv",
        "missing_migrants/Missing_Migrants_Global_Figures_allData_2025-04.xlsx",
        as_text=True,
    ),
    Derived(
        "wup",
        "city_population/WUP2018-F12-Cities_Over_300K_1950-2035_thousands.csv",
        "city_population/WUP2018-F12-Cities_Over_300K.xls",
        sheet="Data",
        header=16,
    ),
    Derived(
        "wup",
        "city_population/WUP2018-F12-notes.csv",
        "city_population/WUP2018-F12-Cities_Over_300K.xls",
        sheet="NOTES",
    ),
)

DATASET_NAMES: tuple[str, ...] = tuple(dict.fromkeys(s.dataset for s in SOURCES))
MANIFEST_NAME = "fetch_manifest.json"
USER_AGENT = "arrival-atlas-fetch/0.1"
EXIT_OK, EXIT_FAILED, EXIT_UNREACHABLE, EXIT_INTERRUPTED = 0, 1, 2, 130

# ---------------------------------------------------------------------------------------
# Plan: the concrete files of one run.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    dataset: str
    path: str
    urls: tuple[str, ...]
    required: bool
    kind: str


def _plan(years: Iterable[int], current_year: int, only: Sequence[str] | None) -> list[_Job]:
    jobs: list[_Job] = []
    for src in SOURCES:
        if only and src.dataset not in only:
            continue
        if not src.per_year:
            jobs.append(_Job(src.dataset, src.path, src.urls, src.required, src.kind))
            continue
        for year in years:
            jobs.append(
                _Job(
                    src.dataset,
                    src.path.format(year=year),
                    tuple(u.format(year=year) for u in src.urls),
                    src.required and year < current_year,
                    src.kind,
                )
            )
    return jobs


def _rebase(url: str, base_url: str | None) -> str:
    """Swap the scheme and host of ``url`` for those of ``base_url``, keeping the path."""
    if not base_url:
        return url
    parts = urlsplit(url)
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    return base_url.rstrip("/") + tail


# ---------------------------------------------------------------------------------------
# Outcomes and errors.
# ---------------------------------------------------------------------------------------


class _Unreachable(Exception):
    """The first request of the run got no answer: no network, or no route to it."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason


class _ItemError(Exception):
    """One item could not be fetched; ``not_found`` when the publisher said 404."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.not_found = not_found


@dataclass
class _Written:
    path: str
    dataset: str
    url: str
    sha256: str
    size: int
    derived_from: str | None = None


@dataclass
class _Run:
    session: requests.Session
    out: IO[str]
    timeout: float
    base_url: str | None
    contacted: bool = False
    dead_hosts: dict[str, str] = field(default_factory=dict)

    def say(self, message: str) -> None:
        """Print one line to ``out`` without breaking a progress bar."""
        tqdm.write(f"fetch: {message}", file=self.out)


def _reason(exc: BaseException, timeout: float) -> str:
    """A short, human reason for a connection failure."""
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g} s"
    text = str(exc)
    lowered = text.lower()
    for needle, reason in (
        ("name or service not known", "name lookup failed"),
        ("nodename nor servname", "name lookup failed"),
        ("temporary failure in name resolution", "name lookup failed"),
        ("failed to resolve", "name lookup failed"),
        ("getaddrinfo", "name lookup failed"),
        ("connection refused", "connection refused"),
        ("network is unreachable", "network is unreachable"),
        ("no route to host", "no route to host"),
        ("certificate", "TLS certificate problem"),
        ("connection reset", "connection reset"),
        ("timed out", f"no answer within {timeout:g} s"),
    ):
        if needle in lowered:
            return reason
    return text.splitlines()[0][:160] if text else type(exc).__name__


def _session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    retry = Retry(
        total=3,
        connect=0,
        read=1,
        status=2,
        backoff_factor=0.5,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _get(run: _Run, url: str, params: dict[str, Any] | None = None) -> requests.Response:
    """GET ``url`` (streamed), turning connection failures into our errors.

    Raises
    ------
    _Unreachable
        When this is the run's first request and it got no answer.
    _ItemError
        When the host is unreachable later in the run.
    """
    host = urlsplit(url).netloc
    if host in run.dead_hosts:
        raise _ItemError(f"{host} unreachable earlier in this run ({run.dead_hosts[host]})")
    try:
        response = run.session.get(url, params=params, stream=True, timeout=run.timeout)
    except (requests.ConnectionError, requests.Timeout) as exc:
        reason = _reason(exc, run.timeout)
        if not run.contacted:
            raise _Unreachable(host, reason) from None
        run.dead_hosts[host] = reason
        raise _ItemError(f"cannot reach {host} ({reason})") from None
    except requests.RequestException as exc:
        raise _ItemError(f"request to {host} failed ({_reason(exc, run.timeout)})") from None
    run.contacted = True
    return response


def _http_error(response: requests.Response) -> _ItemError:
    status = response.status_code
    text = f"HTTP {status} {response.reason or ''}".strip()
    return _ItemError(f"{text} from {response.url}", not_found=status in (404, 410))


# ---------------------------------------------------------------------------------------
# Writing safely.
# ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _temp_beside(target: Path):
    """Yield an open binary temp file next to ``target``; remove it unless moved."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle, tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _validate(kind: str, path: str, tmp: Path, size: int) -> str | None:
    """Check a downloaded file; return a note for the log, raise ``_ItemError`` if bad."""
    if size == 0:
        raise _ItemError("empty response")
    if kind in ("json-list", "geojson"):
        try:
            with open(tmp, "rb") as handle:
                data = json.load(handle)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _ItemError(f"not valid JSON ({exc})") from None
        if kind == "json-list":
            if not isinstance(data, list):
                raise _ItemError(f"expected a JSON list, got {type(data).__name__}")
            if not data:
                raise _ItemError("the publisher returned no rows", not_found=True)
            return f"{len(data):,} rows"
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list) or not features:
            raise _ItemError("not a GeoJSON FeatureCollection with features")
        return f"{len(features):,} features"
    with open(tmp, "rb") as handle:
        head = handle.read(4096)
    if kind == "xlsx" and not head.startswith(b"PK\x03\x04"):
        raise _ItemError(f"not an xlsx workbook (starts with {head[:16]!r})")
    if kind == "xls" and not head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise _ItemError(f"not an xls workbook (starts with {head[:16]!r})")
    if kind == "csv":
        first = head.decode("utf-8-sig", errors="replace").splitlines()[0] if head else ""
        if first.lstrip().startswith("<"):
            raise _ItemError("got an HTML page, not a CSV")
        missing = [c for c in _CSV_HEADERS.get(path, ()) if c not in first]
        if missing:
            raise _ItemError(f"CSV header lacks {', '.join(missing)}")
    return None


def _download(run: _Run, job: _Job, root: Path) -> _Written:
    """Fetch one file, trying its addresses in order; replace the target atomically."""
    target = root / job.path
    last_404: _ItemError | None = None
    for index, publisher_url in enumerate(job.urls):
        url = _rebase(publisher_url, run.base_url)
        response = _get(run, url)
        with response:
            if response.status_code != 200:
                error = _http_error(response)
                if error.not_found and index + 1 < len(job.urls):
                    run.say(f"{job.path}: {error}; trying the next address")
                    last_404 = error
                    continue
                raise error
            return _stream_to(run, job, target, response, url)
    raise last_404 or _ItemError("no publisher address")


def _stream_to(
    run: _Run, job: _Job, target: Path, response: requests.Response, url: str
) -> _Written:
    length = response.headers.get("Content-Length", "")
    expected = int(length) if length.isdigit() else None
    # With gzip the length counts the bytes on the wire: the bar follows those, and
    # the size check is left to the decoder.
    encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
    digest = hashlib.sha256()
    size = 0
    with _temp_beside(target) as (handle, tmp):
        with tqdm(
            total=expected,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=job.path,
            file=run.out,
            leave=True,
        ) as bar:
            try:
                for chunk in response.iter_content(chunk_size=64 * 1024):
                    if not chunk:
                        continue
                    handle.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    bar.update(response.raw.tell() - bar.n if encoded else len(chunk))
            except (requests.RequestException, OSError) as exc:
                raise _ItemError(
                    f"download broke off after {size:,} bytes ({_reason(exc, run.timeout)})"
                ) from None
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        if expected is not None and not encoded and size != expected:
            raise _ItemError(f"got {size:,} of {expected:,} bytes")
        note = _validate(job.kind, job.path, tmp, size)
        os.replace(tmp, target)
    if note:
        run.say(f"{job.path}: {note}")
    return _Written(job.path, job.dataset, url, digest.hexdigest(), size)


# ---------------------------------------------------------------------------------------
# UNHCR Refugee Data Finder API -> CSV.
# ---------------------------------------------------------------------------------------


def _unhcr_cell(value: Any) -> str:
    """One API value as the mirror writes it: ``-``/null empty, whole numbers as ints."""
    if value is None or value == "-":
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _unhcr_page(run: _Run, url: str, params: dict[str, Any]) -> dict:
    response = _get(run, url, params)
    with response:
        if response.status_code != 200:
            raise _http_error(response)
        try:
            data = response.json()
        except ValueError:
            raise _ItemError(f"page {params['page']} is not JSON") from None
        except requests.RequestException as exc:
            raise _ItemError(f"page {params['page']}: {_reason(exc, run.timeout)}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise _ItemError(f"page {params['page']} has no 'items' list")
    return data


def _unhcr_population(run: _Run, job: _Job, root: Path, current_year: int) -> _Written:
    url = _rebase(job.urls[0], run.base_url)
    params: dict[str, Any] = {
        "yearFrom": UNHCR_API_FIRST_YEAR,
        "yearTo": current_year,
        "coo_all": "true",
        "coa_all": "true",
        "limit": UNHCR_API_PAGE_SIZE,
        "page": 1,
    }
    first = _unhcr_page(run, url, params)
    try:
        pages = max(1, int(first.get("maxPages") or 1))
    except (TypeError, ValueError):
        raise _ItemError(f"maxPages is not a number: {first.get('maxPages')!r}") from None
    if pages > 10_000:
        raise _ItemError(f"implausible maxPages {pages}")
    items: list[dict] = list(first["items"])
    with tqdm(total=pages, unit="page", desc=job.path, file=run.out, leave=True) as bar:
        bar.update(1)
        for page in range(2, pages + 1):
            items.extend(_unhcr_page(run, url, {**params, "page": page})["items"])
            bar.update(1)
    if not items:
        raise _ItemError("the API returned no rows")
    seen = set().union(*(row.keys() for row in items if isinstance(row, dict)))
    lacking = [c for c in UNHCR_POPULATION_COLUMNS if c not in seen]
    if any(c in lacking for c in _UNHCR_KEY_COLUMNS):
        raise _ItemError(f"the API's rows lack {', '.join(lacking)}; has it changed?")
    if lacking:
        run.say(f"{job.path}: the API gave no {', '.join(lacking)}; left empty")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(UNHCR_POPULATION_COLUMNS)
    for row in items:
        writer.writerow([_unhcr_cell(row.get(c)) for c in UNHCR_POPULATION_COLUMNS])
    body = buffer.getvalue().encode("utf-8")
    sha = _write_bytes(root / job.path, body)
    run.say(f"{job.path}: {len(items):,} rows from {pages} page(s)")
    query = urlencode({k: v for k, v in params.items() if k != "page"})
    return _Written(job.path, job.dataset, f"{url}?{query}", sha, len(body))


def _write_bytes(target: Path, body: bytes) -> str:
    """Write ``body`` to ``target`` atomically; return its sha256."""
    with _temp_beside(target) as (handle, tmp):
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        os.replace(tmp, target)
    return hashlib.sha256(body).hexdigest()


# ---------------------------------------------------------------------------------------
# Workbook -> CSV, as the mirror did it.
# ---------------------------------------------------------------------------------------


def _convert(spec: Derived, root: Path) -> tuple[bytes, int]:
    """Convert one sheet of a workbook to the mirror's CSV form; return bytes and rows."""
    import pandas as pd  # imported here: the CLI starts faster without it

    kwargs: dict[str, Any] = {"sheet_name": spec.sheet, "header": spec.header}
    if spec.as_text:
        kwargs["dtype"] = str
    frame = pd.read_excel(root / spec.source, engine="calamine", **kwargs)
    text = frame.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8"), len(frame)


def _derive(run: _Run, spec: Derived, root: Path) -> _Written:
    try:
        body, rows = _convert(spec, root)
    except ImportError as exc:
        raise _ItemError(f"cannot convert {spec.source}: {exc}") from None
    except Exception as exc:  # any reader error means a workbook we cannot read
        raise _ItemError(f"cannot read {spec.source} ({type(exc).__name__}: {exc})") from None
    if rows == 0:
        raise _ItemError(f"{spec.source} sheet {spec.sheet!r} has no rows")
    sha = _write_bytes(root / spec.path, body)
    run.say(f"{spec.path}: {rows:,} rows, made from {Path(spec.source).name}")
    return _Written(spec.path, spec.dataset, "", sha, len(body), spec.source)


# ---------------------------------------------------------------------------------------
# Manifest.
# ---------------------------------------------------------------------------------------


def _update_manifest(root: Path, written: list[_Written], when: str) -> None:
    path = root / MANIFEST_NAME
    files: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError, AttributeError):
        files = dict(json.loads(path.read_text(encoding="utf-8")).get("files", {}))
    for item in written:
        entry: dict[str, Any] = {
            "dataset": item.dataset,
            "sha256": item.sha256,
            "bytes": item.size,
            "fetched_at": when,
        }
        if item.derived_from:
            entry["derived_from"] = item.derived_from
        else:
            entry["url"] = item.url
        files[item.path] = entry
    manifest = {
        "tool": "python -m geo fetch",
        "updated_at": when,
        "files": dict(sorted(files.items())),
    }
    body = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    _write_bytes(path, body)


# ---------------------------------------------------------------------------------------
# The run.
# ---------------------------------------------------------------------------------------


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def _writable(root: Path) -> str | None:
    """Why ``root`` cannot take the downloads, or ``None`` when it can.

    A folder with no write permission bits is refused even where the process could
    write to it anyway (as root): that is how the offline mirror is marked read-only.
    """
    existing = root
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    with contextlib.suppress(OSError):
        if existing.is_dir() and not existing.stat().st_mode & 0o222:
            return f"{existing} is read-only; choose another --to"
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def run_fetch(
    to: Path,
    *,
    base_url: str | None = None,
    years: list[int] | None = None,
    out: IO[str] = sys.stderr,
    timeout: float = 30.0,
    only: Sequence[str] | None = None,
) -> int:
    """Download every source into ``to``, in the reference layout.

    Parameters
    ----------
    to : pathlib.Path
        Sources folder to fill; created if needed. Files already there are replaced
        only by complete, checked downloads.
    base_url : str, optional
        Replaces the scheme and host of every publisher address, keeping the path
        (e.g. ``http://127.0.0.1:8000`` to serve publisher-shaped paths locally).
    years : list of int, optional
        Years of the MMP JSON endpoint to fetch; default 2014 to the current year.
        Years before the current one are required, the rest optional.
    out : text stream
        Where progress bars and messages go (default ``sys.stderr``).
    timeout : float
        Seconds to wait for a connection and for each read.
    only : sequence of str, optional
        Fetch only these datasets (names in :data:`DATASET_NAMES`).

    Returns
    -------
    int
        0 when every required file was written; 1 when a required file failed;
        2 when the network is unreachable or the folder cannot be written;
        130 when interrupted.
    """
    today = _dt.date.today()
    current_year = today.year
    year_list = sorted(set(years)) if years else list(range(MMP_START_YEAR, current_year + 1))
    if only:
        unknown = [name for name in only if name not in DATASET_NAMES]
        if unknown:
            print(
                f"fetch: unknown dataset {', '.join(unknown)}; choose from "
                f"{', '.join(DATASET_NAMES)}",
                file=out,
            )
            return EXIT_FAILED
    if any(spec.dataset in (only or DATASET_NAMES) for spec in DERIVED):
        # The workbooks are converted after every download is done: say now, not after
        # 100 MB, that the reader is missing.
        for module in ("python_calamine",):
            if importlib.util.find_spec(module) is None:
                print(missing_package_help("fetch", module), file=out)
                return EXIT_FAILED
    root = Path(to)
    problem = _writable(root)
    if problem:
        print(f"fetch: cannot write to {root} ({problem})", file=out)
        return EXIT_UNREACHABLE

    run = _Run(session=_session(), out=out, timeout=timeout, base_url=base_url)
    jobs = _plan(year_list, current_year, only)
    written: list[_Written] = []
    skipped: list[str] = []
    failed: list[str] = []
    refreshed: set[str] = set()
    when = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
    try:
        for job in jobs:
            try:
                if job.kind == "unhcr-api":
                    item = _unhcr_population(run, job, root, current_year)
                else:
                    item = _download(run, job, root)
            except _ItemError as exc:
                if job.required:
                    run.say(f"{job.path}: FAILED: {exc}")
                    failed.append(job.path)
                else:
                    run.say(f"{job.path}: skipped (optional): {exc}")
                    skipped.append(job.path)
                continue
            written.append(item)
            refreshed.add(job.path)
        for spec in DERIVED:
            if spec.source not in refreshed:
                continue
            try:
                written.append(_derive(run, spec, root))
            except _ItemError as exc:
                run.say(f"{spec.path}: FAILED: {exc}")
                failed.append(spec.path)
    except _Unreachable as exc:
        print(
            f"fetch: cannot reach {exc.host} ({exc.reason}); no network? "
            "Use ATLAS_SOURCES to point at an offline mirror.",
            file=out,
        )
        return EXIT_UNREACHABLE
    except KeyboardInterrupt:
        print("\nfetch: interrupted; files already written are complete", file=out)
        if written:
            with contextlib.suppress(OSError):
                _update_manifest(root, written, when)
        return EXIT_INTERRUPTED
    finally:
        run.session.close()

    if written:
        try:
            _update_manifest(root, written, when)
        except OSError as exc:
            run.say(f"{MANIFEST_NAME}: not updated ({exc.strerror or exc})")
    total = sum(item.size for item in written)
    print(
        f"fetch: {len(written)} files written ({_human(total)}) to {root}; "
        f"{len(skipped)} skipped; {len(failed)} failed",
        file=out,
    )
    if failed:
        print(f"fetch: required files missing: {', '.join(failed)}", file=out)
        return EXIT_FAILED
    return EXIT_OK


# ---------------------------------------------------------------------------------------
# Command line.
# ---------------------------------------------------------------------------------------


def parse_years(text: str) -> list[int]:
    """Parse ``2014-2025``, ``2023,2024`` or ``2023`` into a sorted list of years.

    Parameters
    ----------
    text : str
        Years and ranges separated by commas.

    Returns
    -------
    list of int
        The years, sorted, without duplicates.

    Raises
    ------
    argparse.ArgumentTypeError
        When the text is not years or ranges of years.
    """
    years: set[int] = set()
    try:
        for part in filter(None, (p.strip() for p in text.split(","))):
            low, sep, high = part.partition("-")
            first, last = int(low), int(high) if sep else int(low)
            if not 1900 <= first <= last <= 2100:
                raise ValueError
            years.update(range(first, last + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a year or a range like 2014-2025"
        ) from None
    if not years:
        raise argparse.ArgumentTypeError("no years given")
    return sorted(years)


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``fetch`` options to an argparse (sub)parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser of the ``fetch`` subcommand.

    Returns
    -------
    argparse.ArgumentParser
        The same parser.
    """
    parser.add_argument(
        "--to",
        type=Path,
        default=None,
        metavar="DIR",
        help="sources folder to fill (default: $ATLAS_SOURCES or data/sources)",
    )
    parser.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="replace scheme and host of every publisher address, e.g. a local mirror "
        "server (default: $ATLAS_FETCH_BASE_URL)",
    )
    parser.add_argument(
        "--years",
        type=parse_years,
        default=None,
        metavar="YEARS",
        help=f"years of the MMP JSON endpoint, e.g. 2014-2025 (default: {MMP_START_YEAR} "
        "to this year)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=DATASET_NAMES,
        default=None,
        metavar="DATASET",
        help=f"fetch only this dataset (repeatable): {', '.join(DATASET_NAMES)}",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="seconds to wait for a connection and for each read (default: 30)",
    )
    return parser


def _default_sources() -> Path:
    value = os.environ.get("ATLAS_SOURCES")
    if value:
        return Path(value).resolve()
    return Path(__file__).resolve().parent.parent / "data" / "sources"


def main(args: argparse.Namespace | Sequence[str] | None = None) -> int:
    """Run ``fetch`` from parsed options (or from a list of command-line words).

    Parameters
    ----------
    args : argparse.Namespace or sequence of str, optional
        Options from a parser set up by :func:`add_arguments`; a list of words (or
        ``None`` for ``sys.argv``) is parsed here.

    Returns
    -------
    int
        The process exit code of :func:`run_fetch`.
    """
    if not isinstance(args, argparse.Namespace):
        parser = add_arguments(
            argparse.ArgumentParser(
                prog="python -m geo fetch",
                description="Download the sources from the publishers' addresses.",
            )
        )
        args = parser.parse_args(None if args is None else list(args))
    to = getattr(args, "to", None) or _default_sources()
    base_url = getattr(args, "base_url", None) or os.environ.get("ATLAS_FETCH_BASE_URL")
    return run_fetch(
        Path(to),
        base_url=base_url or None,
        years=getattr(args, "years", None),
        out=sys.stderr,
        timeout=getattr(args, "timeout", 30.0) or 30.0,
        only=getattr(args, "only", None),
    )


if __name__ == "__main__":
    sys.exit(main())
