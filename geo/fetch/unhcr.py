"""UNHCR Refugee Data Finder API -> ``unhcr_refugees/unhcr_population.csv``."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
from tqdm import tqdm

from geo.fetch.download import Run, failure_reason, get, http_error
from geo.fetch.errors import ItemError
from geo.fetch.mirror import Written, write_bytes
from geo.fetch.sources import Job, rebase
from geo.loaders import unhcr as unhcr_loader

API_PAGE_SIZE = 10_000
API_FIRST_YEAR = 1951
#: Columns of the CSV, those of the mirror's file (the build's loader reads them).
COLUMNS = unhcr_loader.COLUMNS
KEY_COLUMNS = ("year", "coo_iso", "coa_iso", "refugees")


def cell(value: Any) -> str:
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


def fetch_page(run: Run, url: str, params: dict[str, Any]) -> dict:
    """One page of the API as a dict with an ``items`` list."""
    response = get(run, url, params)
    with response:
        if response.status_code != 200:
            raise http_error(response)
        try:
            data = response.json()
        except ValueError:
            raise ItemError(f"page {params['page']} is not JSON") from None
        except requests.RequestException as exc:
            raise ItemError(f"page {params['page']}: {failure_reason(exc, run.timeout)}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ItemError(f"page {params['page']} has no 'items' list")
    return data


def population(run: Run, job: Job, root: Path, current_year: int) -> Written:
    """Every page of the API, 1951 to ``current_year``, written as the mirror's CSV."""
    url = rebase(job.urls[0], run.base_url)
    params: dict[str, Any] = {
        "yearFrom": API_FIRST_YEAR,
        "yearTo": current_year,
        "coo_all": "true",
        "coa_all": "true",
        "limit": API_PAGE_SIZE,
        "page": 1,
    }
    first = fetch_page(run, url, params)
    try:
        pages = max(1, int(first.get("maxPages") or 1))
    except (TypeError, ValueError):
        raise ItemError(f"maxPages is not a number: {first.get('maxPages')!r}") from None
    if pages > 10_000:
        raise ItemError(f"implausible maxPages {pages}")
    items: list[dict] = list(first["items"])
    with tqdm(total=pages, unit="page", desc=job.path, file=run.out, leave=True) as bar:
        bar.update(1)
        for page in range(2, pages + 1):
            items.extend(fetch_page(run, url, {**params, "page": page})["items"])
            bar.update(1)
    if not items:
        raise ItemError("the API returned no rows")
    seen = set().union(*(row.keys() for row in items if isinstance(row, dict)))
    lacking = [c for c in COLUMNS if c not in seen]
    if any(c in lacking for c in KEY_COLUMNS):
        raise ItemError(f"the API's rows lack {', '.join(lacking)}; has it changed?")
    if lacking:
        run.say(f"{job.path}: the API gave no {', '.join(lacking)}; left empty")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in items:
        writer.writerow([cell(row.get(c)) for c in COLUMNS])
    body = buffer.getvalue().encode("utf-8")
    sha = write_bytes(root / job.path, body)
    run.say(f"{job.path}: {len(items):,} rows from {pages} page(s)")
    query = urlencode({k: v for k, v in params.items() if k != "page"})
    return Written(job.path, job.dataset, f"{url}?{query}", sha, len(body))
