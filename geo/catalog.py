"""What each dataset is, who publishes it, its licence and how to cite it.

The build copies these facts into the ``sources`` table next to each file's sha256
and row counts, so the Data and sources page and every export can quote them.
"""

from __future__ import annotations

from dataclasses import dataclass

MMP_CAVEAT = (
    "Missing Migrants Project figures are minimum estimates: many deaths on migration "
    "routes are never recorded."
)

# UN WUP 2018 gives 1950-2015 as estimates and 2020-2035 as projections made in 2018;
# 2020 and 2025 are past now but remain projections, not counts.
WUP_REVISION_YEAR = 2018


def wup_projection_note(projected_years) -> str:
    """The caveat of WUP years that are projections, naming them.

    Parameters
    ----------
    projected_years : iterable of int
        The WUP years flagged ``projected`` in the data (``city_years``).

    Returns
    -------
    str
        One sentence; '' when no year is projected.
    """
    years = sorted(int(y) for y in projected_years)
    if not years:
        return ""
    return (
        f"WUP values for {', '.join(map(str, years))} are projections made in "
        f"{WUP_REVISION_YEAR}, not counts, including years now past."
    )


def wup_year_label(year: int, projected: bool) -> str:
    """'2025 (2018 projection)' for a projected WUP year, else '1990'."""
    return f"{year} ({WUP_REVISION_YEAR} projection)" if projected else str(year)


FAST_GROWING_CAVEAT = (
    '"Fast-growing" is the projected growth of each city\'s total population in UN World '
    f"Urbanization Prospects {WUP_REVISION_YEAR} (births, deaths and all moves), not a count "
    "of migrants or refugees arriving."
)


def oip_note(people: int, year: int, top_name: str | None, top_people: int) -> str:
    """The caveat of UNHCR figures that leave out "other people in need of international
    protection" (``oip``), with their number; '' when there are none that year.

    Parameters
    ----------
    people : int
        Other people in need of international protection, all countries of asylum.
    year : int
        End of which year.
    top_name : str or None
        The country of asylum hosting most of them (plain text; escape it for HTML).
    top_people : int
        How many that country hosts.
    """
    if not people:
        return ""
    top = f", {top_people / 1e6:,.2f} million of them in {top_name}" if top_name else ""
    return (
        "Refugees and asylum-seekers only: UNHCR's other people in need of international "
        f"protection ({people / 1e6:,.2f} million at the end of {year}{top}) are not included."
    )


@dataclass(frozen=True)
class Dataset:
    """Facts about one dataset."""

    key: str
    title: str
    publisher: str
    licence: str
    citation: str
    url: str
    vintage: str
    caveat: str = ""
    # How a map credit names it, licence included ("IOM Missing Migrants Project
    # (CC BY-IGO), minimum estimates"); see :func:`credit_for`.
    credit: str = ""
    # The licence in a few words ("CC BY-IGO") and the dataset's short name ("MMP"),
    # for an export's licence line; see :func:`licence_for`.
    licence_short: str = ""
    short: str = ""


DATASETS: dict[str, Dataset] = {
    d.key: d
    for d in [
        Dataset(
            "mmp_export",
            "Missing Migrants Project: global figures, all data (export)",
            "International Organization for Migration (IOM)",
            "CC BY-IGO (per HDX); cite IOM Missing Migrants Project",
            "IOM Missing Migrants Project, missingmigrants.iom.int",
            "https://missingmigrants.iom.int/downloads",
            "incidents 2014-01-02 to 2025-04-29 (export of 2025-04)",
            MMP_CAVEAT,
            credit="IOM Missing Migrants Project (CC BY-IGO), minimum estimates",
            licence_short="CC BY-IGO",
            short="MMP",
        ),
        Dataset(
            "mmp_endpoint",
            "Missing Migrants Project: JSON endpoint, one file per year",
            "International Organization for Migration (IOM)",
            "CC BY-IGO (per HDX); cite IOM Missing Migrants Project",
            "IOM Missing Migrants Project, missingmigrants.iom.int",
            "https://missingmigrants.iom.int/global-figures/{year}/json",
            "one file per year; a year comes from the endpoint when its file is the later publication",
            MMP_CAVEAT,
            credit="IOM Missing Migrants Project (CC BY-IGO), minimum estimates",
            licence_short="CC BY-IGO",
            short="MMP",
        ),
        Dataset(
            "unhcr_register",
            "UNHCR location register (camps, settlements, urban and other sites)",
            "UNHCR ODSS/FICSS, via Zhou & Shaver (2021)",
            "No licence stated; cite Zhou & Shaver (2021) and acknowledge UNHCR ODSS",
            "Zhou, Y.-Y. & Shaver, A. (2021), APSR, doi:10.1017/S0003055421000502; UNHCR ODSS",
            "https://github.com/global-displacement-locations/displacement_locations_unhcr",
            "register last updated 2020-01-06",
            "Open and closed sites; no population figures in the register.",
            credit="UNHCR ODSS location register via Zhou & Shaver (2021)",
            licence_short="no licence stated",
            short="UNHCR register",
        ),
        Dataset(
            "coxs_bazar",
            "Cox's Bazar Rohingya camp outlines and centroids",
            "RRRC / ISCG (Inter Sector Coordination Group), Bangladesh",
            "No licence stated in the copy used; published by ISCG/RRRC on HDX",
            "ISCG/RRRC Cox's Bazar camp outlines (AL1), 2020-09-08",
            "https://data.humdata.org/",
            "2020-09-08",
            credit="RRRC/ISCG camp outlines (Cox's Bazar)",
            licence_short="no licence stated",
            short="Cox's Bazar outlines",
        ),
        Dataset(
            "isimm",
            "NW Syria IDP sites, Integrated Monitoring Matrix (ISIMM)",
            "CCCM Cluster (Türkiye cross-border hub, UNHCR-led)",
            "Repository Apache-2.0; no separate data statement; cite CCCM Cluster - ISIMM",
            "CCCM Cluster - ISIMM, July 2020",
            "https://unhcr-xborder-turkey.github.io/ISIMM/",
            "monthly 2017-02 to 2020-07",
            "Site coordinates are purposely imprecise (publisher, for security): indicative only.",
            credit="CCCM Cluster ISIMM (NW Syria, July 2020)",
            licence_short="no data licence stated",
            short="ISIMM",
        ),
        Dataset(
            "unhcr_demographics",
            "UNHCR demographics by location, 2025 (site populations)",
            "UNHCR Refugee Data Finder",
            "CC BY 4.0",
            "UNHCR Refugee Data Finder, unhcr.org/refugee-statistics",
            "https://api.unhcr.org/population/v1/demographics/",
            "end-2025 (Global Trends 2025)",
            "Joined to register sites by normalised name and country; unmatched sites have no 2025 figure.",
            credit="2025 site populations: UNHCR (CC BY 4.0)",
            licence_short="CC BY 4.0",
            short="UNHCR",
        ),
        Dataset(
            "unhcr_population",
            "UNHCR population statistics by origin and asylum",
            "UNHCR Refugee Data Finder",
            "CC BY 4.0",
            "UNHCR Refugee Data Finder, unhcr.org/refugee-statistics",
            "https://api.unhcr.org/population/v1/population/",
            "1951-2025 (Global Trends 2025)",
            credit="refugees: UNHCR (CC BY 4.0)",
            licence_short="CC BY 4.0",
            short="UNHCR",
        ),
        Dataset(
            "wup_cities",
            "World Urbanization Prospects 2018, File 12: cities of 300,000+",
            "UN DESA, Population Division",
            "CC BY 3.0 IGO, © 2018 United Nations",
            "United Nations, DESA, Population Division (2018). World Urbanization Prospects: The 2018 Revision, Online Edition.",
            "https://population.un.org/wup/Download/Files/WUP2018-F12-Cities_Over_300K.xls",
            "2018 revision; 2020-2035 are projections",
            "Populations from 2020 on are projections made in 2018.",
            credit="cities: UN DESA World Urbanization Prospects 2018 (CC BY 3.0 IGO)",
            licence_short="CC BY 3.0 IGO",
            short="WUP",
        ),
        Dataset(
            "natural_earth",
            "Natural Earth admin-0 countries, 1:110m",
            "Natural Earth",
            "Public domain",
            "Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.",
            "https://www.naturalearthdata.com/",
            "v5.1",
            "Boundaries by de facto control.",
            credit="basemap Natural Earth (public domain)",
            licence_short="public domain",
            short="Natural Earth",
        ),
        Dataset(
            "cifal",
            "UNITAR CIFAL Global Network centres (compiled)",
            "Arrival Atlas, from public UNITAR and press pages (one source per row)",
            "Facts; source per row",
            "Arrival Atlas compilation of UNITAR CIFAL centres (see source_url per centre)",
            "https://unitar.org/",
            "compiled 2026",
            "City coordinates, not the centres' addresses.",
            credit="CIFAL centres: UNITAR, compiled by Arrival Atlas",
            licence_short="facts",
            short="CIFAL",
        ),
        Dataset(
            "route_corridors",
            "Schematic migration route corridors",
            "Arrival Atlas",
            "CC BY 4.0 (Arrival Atlas)",
            "Arrival Atlas schematic corridors for the MMP route names",
            "",
            "authored 2026",
            "Schematic lines for orientation, not actual paths.",
            credit="corridors schematic (Arrival Atlas)",
            licence_short="CC BY 4.0",
            short="corridors",
        ),
    ]
}


# The datasets of the Missing Migrants Project: a build reads the export, the endpoint or
# both; a page drawing incidents names both (they cite and credit alike, see
# :func:`datasets_of`).
MMP = ("mmp_export", "mmp_endpoint")
# The sites table holds the three site datasets (column ``dataset``) and the UNHCR 2025
# populations joined to them.
SITES = ("unhcr_register", "isimm", "coxs_bazar", "unhcr_demographics")

# Which datasets each table of the database holds (``geo.schema.TABLES``); derived and
# bookkeeping tables name the datasets they are computed from, or none. A test reads the
# tables each page's queries use through this map to check the page names them all.
TABLE_DATASETS: dict[str, tuple[str, ...]] = {
    "incidents": MMP,
    "incident_year_sources": MMP,
    "incident_codes": MMP,
    "incident_routes": MMP,
    "route_corridors": ("route_corridors",),
    "sites": SITES,
    "site_populations_2025": ("unhcr_demographics",),
    "isimm_site_months": ("isimm",),
    "camp_outlines": ("coxs_bazar",),
    "refugee_population": ("unhcr_population",),
    "cities": ("wup_cities",),
    "city_population": ("wup_cities",),
    "countries": ("natural_earth",),
    "countries_detail": ("natural_earth",),
    "cifal_centres": ("cifal",),
    # Distances from CIFAL centres and corridor ends to cities: a query naming a centre
    # or a corridor joins its own table (cifal_centres, route_corridors) for it.
    "city_distances": ("wup_cities",),
    "city_corridors": ("wup_cities", "route_corridors"),
    "city_incidents": ("wup_cities", *MMP),
    "sources": (),
    "load_issues": (),
    "build_info": (),
}


def datasets_of(keys) -> list[Dataset]:
    """The catalog entries of dataset ``keys``, in order, each citation once.

    Datasets cited alike (the two Missing Migrants Project sources) count once.

    Parameters
    ----------
    keys : iterable of str
        Keys of :data:`DATASETS`.

    Returns
    -------
    list of Dataset

    Raises
    ------
    KeyError
        A key is not in the catalog (a page naming a dataset that does not exist).
    """
    out: list[Dataset] = []
    for k in keys:
        if k not in DATASETS:
            raise KeyError(f"unknown dataset {k!r}; one of {', '.join(DATASETS)}")
        d = DATASETS[k]
        if all(d.citation != o.citation for o in out):
            out.append(d)
    return out


def credit_for(keys) -> str:
    """The source credit of a map (or picture) drawing datasets ``keys``: each dataset's
    :attr:`Dataset.credit`, licence included, joined by "; ".

    Parameters
    ----------
    keys : iterable of str
        Keys of :data:`DATASETS`, in the order the credit names them.

    Returns
    -------
    str
        e.g. "IOM Missing Migrants Project (CC BY-IGO), minimum estimates; corridors
        schematic (Arrival Atlas); basemap Natural Earth (public domain)".
    """
    return "; ".join(dict.fromkeys(d.credit for d in datasets_of(keys)))


def citations_for(keys) -> list[str]:
    """How to cite datasets ``keys``: each distinct :attr:`Dataset.citation`, in order."""
    return list(dict.fromkeys(d.citation for d in datasets_of(keys)))


def citation_for(keys) -> str:
    """:func:`citations_for` as one line ("; "-joined, each without its final full
    stop), for an export's Source line."""
    return "; ".join(c.rstrip(".") for c in citations_for(keys))


def licence_for(keys) -> str:
    """The licence line of data drawn from datasets ``keys``.

    One licence when they share it ("CC BY-IGO"), else each with the short names of
    its datasets ("CC BY 3.0 IGO (WUP); CC BY 4.0 (UNHCR)").
    """
    by_licence: dict[str, list[str]] = {}
    for d in datasets_of(keys):
        names = by_licence.setdefault(d.licence_short, [])
        if d.short not in names:
            names.append(d.short)
    if len(by_licence) == 1:
        return next(iter(by_licence))
    return "; ".join(f"{lic} ({', '.join(names)})" for lic, names in by_licence.items())
