"""The address table: where each file of the reference layout comes from, and the
concrete files (jobs) of one run."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit


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


#: Columns the CSV header of a downloaded CSV must contain, by path.
CSV_HEADERS: dict[str, tuple[str, ...]] = {
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


@dataclass(frozen=True)
class Job:
    """One concrete file of a run: a :class:`Source` with its year filled in."""

    dataset: str
    path: str
    urls: tuple[str, ...]
    required: bool
    kind: str


def plan(years: Iterable[int], current_year: int, only: Sequence[str] | None) -> list[Job]:
    """The files to fetch: every source of the chosen datasets, per-year ones per year.

    Parameters
    ----------
    years : iterable of int
        Years of the per-year sources.
    current_year : int
        Years before it are required (where the source is); the rest optional.
    only : sequence of str, optional
        Datasets to fetch; all when empty.

    Returns
    -------
    list of Job
        In the order of :data:`SOURCES`.
    """
    jobs: list[Job] = []
    for src in SOURCES:
        if only and src.dataset not in only:
            continue
        if not src.per_year:
            jobs.append(Job(src.dataset, src.path, src.urls, src.required, src.kind))
            continue
        for year in years:
            jobs.append(
                Job(
                    src.dataset,
                    src.path.format(year=year),
                    tuple(u.format(year=year) for u in src.urls),
                    src.required and year < current_year,
                    src.kind,
                )
            )
    return jobs


def rebase(url: str, base_url: str | None) -> str:
    """Swap the scheme and host of ``url`` for those of ``base_url``, keeping the path."""
    if not base_url:
        return url
    parts = urlsplit(url)
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    return base_url.rstrip("/") + tail
