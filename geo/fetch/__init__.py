"""Download the sources from the publishers' own addresses into the reference layout.

``python -m geo fetch [--to DIR]`` fills a sources folder with the same folder layout,
file names and formats as the offline mirror (``../shared/data``), so that
``python -m geo build --sources DIR`` reads it the same way. What is fetched, from
where, and whether the run fails without it, is the table :data:`~geo.fetch.sources.SOURCES`;
:data:`DERIVED` lists the CSV files made from the downloaded workbooks.

The package: :mod:`~geo.fetch.sources` (the address table and the plan of a run),
:mod:`~geo.fetch.download` (HTTP with retries and progress bars),
:mod:`~geo.fetch.validate` (each download checked with the build's own readers),
:mod:`~geo.fetch.unhcr` (the UNHCR API's pages to CSV), :mod:`~geo.fetch.mirror`
(atomic writes, workbook conversions, manifest), :mod:`~geo.fetch.run` (one run) and
:mod:`~geo.fetch.cli` (the command line).

Every file is streamed to a hidden temporary file in its destination folder, checked
(non-empty, and read by :mod:`geo.readers` as the build reads it), then moved
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

from geo.fetch.cli import add_arguments, main, parse_years
from geo.fetch.mirror import MANIFEST_NAME
from geo.fetch.run import run_fetch
from geo.fetch.sources import DATASET_NAMES, DERIVED, MMP_START_YEAR, SOURCES, Derived, Source

__all__ = [
    "SOURCES",
    "DERIVED",
    "DATASET_NAMES",
    "MANIFEST_NAME",
    "MMP_START_YEAR",
    "Source",
    "Derived",
    "run_fetch",
    "add_arguments",
    "main",
    "parse_years",
]
