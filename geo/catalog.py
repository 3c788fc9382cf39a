"""What each dataset is, who publishes it, its licence and how to cite it.

The build copies these facts into the ``sources`` table next to each file's sha256
and row counts, so the Data and sources page and every export can quote them.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.i18n import N_, _, fmt_num

# The texts below are English msgids (marked ``N_``): they are translated where shown,
# ``_(MMP_CAVEAT)``, and by :func:`credit_for`, :func:`citation_for` and
# :func:`licence_for` at call time; the ``sources`` table keeps the English.
MMP_CAVEAT = N_(
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
    return _(
        "WUP values for {years} are projections made in {revision}, not counts, "
        "including years now past."
    ).format(years=", ".join(map(str, years)), revision=WUP_REVISION_YEAR)


def wup_year_label(year: int, projected: bool) -> str:
    """'2025 (2018 projection)' for a projected WUP year, else '1990'."""
    if not projected:
        return str(year)
    return _("{year} ({revision} projection)").format(year=year, revision=WUP_REVISION_YEAR)


# The revision year is written out: a message is a plain literal (WUP_REVISION_YEAR).
FAST_GROWING_CAVEAT = N_(
    '"Fast-growing" is the projected growth of each city\'s total population in UN World '
    "Urbanization Prospects 2018 (births, deaths and all moves), not a count "
    "of migrants or refugees arriving."
)


def _millions(n: float) -> str:
    """``n`` in millions with two decimals, as the language writes it (1.23 / 1,23).

    Rounded by Python first, so English is exactly ``f"{n / 1e6:,.2f}"`` (Babel would
    round a half-way value of the decimal text, not of the float).
    """
    return fmt_num(round(n / 1e6, 2), 2)


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
    if top_name:
        return _(
            "Refugees and asylum-seekers only: UNHCR's other people in need of international "
            "protection ({n} million at the end of {year}, {top} million of them in "
            "{country}) are not included."
        ).format(n=_millions(people), year=year, top=_millions(top_people), country=top_name)
    return _(
        "Refugees and asylum-seekers only: UNHCR's other people in need of international "
        "protection ({n} million at the end of {year}) are not included."
    ).format(n=_millions(people), year=year)


@dataclass(frozen=True)
class Dataset:
    """Facts about one dataset.

    The texts are English msgids (``N_``): show them with ``_(d.title)``.
    """

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
            N_("Missing Migrants Project: global figures, all data (export)"),
            N_("International Organization for Migration (IOM)"),
            N_("CC BY-IGO (per HDX); cite IOM Missing Migrants Project"),
            N_("IOM Missing Migrants Project, missingmigrants.iom.int"),
            "https://missingmigrants.iom.int/downloads",
            N_("incidents 2014-01-02 to 2025-04-29 (export of 2025-04)"),
            MMP_CAVEAT,
            credit=N_("IOM Missing Migrants Project (CC BY-IGO), minimum estimates"),
            licence_short="CC BY-IGO",
            short="MMP",
        ),
        Dataset(
            "mmp_endpoint",
            N_("Missing Migrants Project: JSON endpoint, one file per year"),
            N_("International Organization for Migration (IOM)"),
            N_("CC BY-IGO (per HDX); cite IOM Missing Migrants Project"),
            N_("IOM Missing Migrants Project, missingmigrants.iom.int"),
            "https://missingmigrants.iom.int/global-figures/{year}/json",
            N_(
                "one file per year; a year comes from the endpoint when its file is the later "
                "publication"
            ),
            MMP_CAVEAT,
            credit=N_("IOM Missing Migrants Project (CC BY-IGO), minimum estimates"),
            licence_short="CC BY-IGO",
            short="MMP",
        ),
        Dataset(
            "unhcr_register",
            N_("UNHCR location register (camps, settlements, urban and other sites)"),
            N_("UNHCR ODSS/FICSS, via Zhou & Shaver (2021)"),
            N_("No licence stated; cite Zhou & Shaver (2021) and acknowledge UNHCR ODSS"),
            N_("Zhou, Y.-Y. & Shaver, A. (2021), APSR, doi:10.1017/S0003055421000502; UNHCR ODSS"),
            "https://github.com/global-displacement-locations/displacement_locations_unhcr",
            N_("register last updated 2020-01-06"),
            N_("Open and closed sites; no population figures in the register."),
            credit=N_("UNHCR ODSS location register via Zhou & Shaver (2021)"),
            licence_short=N_("no licence stated"),
            short=N_("UNHCR register"),
        ),
        Dataset(
            "coxs_bazar",
            N_("Cox's Bazar Rohingya camp outlines and centroids"),
            N_("RRRC / ISCG (Inter Sector Coordination Group), Bangladesh"),
            N_("No licence stated in the copy used; published by ISCG/RRRC on HDX"),
            N_("ISCG/RRRC Cox's Bazar camp outlines (AL1), 2020-09-08"),
            "https://data.humdata.org/",
            "2020-09-08",
            credit=N_("RRRC/ISCG camp outlines (Cox's Bazar)"),
            licence_short=N_("no licence stated"),
            short=N_("Cox's Bazar outlines"),
        ),
        Dataset(
            "isimm",
            N_("NW Syria IDP sites, Integrated Monitoring Matrix (ISIMM)"),
            N_("CCCM Cluster (Türkiye cross-border hub, UNHCR-led)"),
            N_("Repository Apache-2.0; no separate data statement; cite CCCM Cluster - ISIMM"),
            N_("CCCM Cluster - ISIMM, July 2020"),
            "https://unhcr-xborder-turkey.github.io/ISIMM/",
            N_("monthly 2017-02 to 2020-07"),
            N_(
                "Site coordinates are purposely imprecise (publisher, for security): "
                "indicative only."
            ),
            credit=N_("CCCM Cluster ISIMM (NW Syria, July 2020)"),
            licence_short=N_("no data licence stated"),
            short="ISIMM",
        ),
        Dataset(
            "unhcr_demographics",
            N_("UNHCR demographics by location, 2025 (site populations)"),
            N_("UNHCR Refugee Data Finder"),
            "CC BY 4.0",
            N_("UNHCR Refugee Data Finder, unhcr.org/refugee-statistics"),
            "https://api.unhcr.org/population/v1/demographics/",
            N_("end-2025 (Global Trends 2025)"),
            N_(
                "Joined to register sites by normalised name and country; unmatched sites "
                "have no 2025 figure."
            ),
            credit=N_("2025 site populations: UNHCR (CC BY 4.0)"),
            licence_short="CC BY 4.0",
            short=N_("UNHCR"),
        ),
        Dataset(
            "unhcr_population",
            N_("UNHCR population statistics by origin and asylum"),
            N_("UNHCR Refugee Data Finder"),
            "CC BY 4.0",
            N_("UNHCR Refugee Data Finder, unhcr.org/refugee-statistics"),
            "https://api.unhcr.org/population/v1/population/",
            N_("1951-2025 (Global Trends 2025)"),
            credit=N_("refugees: UNHCR (CC BY 4.0)"),
            licence_short="CC BY 4.0",
            short=N_("UNHCR"),
        ),
        Dataset(
            "wup_cities",
            N_("World Urbanization Prospects 2018, File 12: cities of 300,000+"),
            N_("UN DESA, Population Division"),
            N_("CC BY 3.0 IGO, © 2018 United Nations"),
            N_(
                "United Nations, DESA, Population Division (2018). World Urbanization "
                "Prospects: The 2018 Revision, Online Edition."
            ),
            "https://population.un.org/wup/Download/Files/WUP2018-F12-Cities_Over_300K.xls",
            N_("2018 revision; 2020-2035 are projections"),
            N_("Populations from 2020 on are projections made in 2018."),
            credit=N_("cities: UN DESA World Urbanization Prospects 2018 (CC BY 3.0 IGO)"),
            licence_short="CC BY 3.0 IGO",
            short="WUP",
        ),
        Dataset(
            "natural_earth",
            N_("Natural Earth admin-0 countries, 1:110m"),
            "Natural Earth",
            N_("Public domain"),
            N_("Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com."),
            "https://www.naturalearthdata.com/",
            "v5.1",
            N_("Boundaries by de facto control."),
            credit=N_("basemap Natural Earth (public domain)"),
            licence_short=N_("public domain"),
            short="Natural Earth",
        ),
        Dataset(
            "cifal",
            N_("UNITAR CIFAL Global Network centres (compiled)"),
            N_("Arrival Atlas, from public UNITAR and press pages (one source per row)"),
            N_("Facts; source per row"),
            N_("Arrival Atlas compilation of UNITAR CIFAL centres (see source_url per centre)"),
            "https://unitar.org/",
            N_("compiled 2026"),
            N_("City coordinates, not the centres' addresses."),
            credit=N_("CIFAL centres: UNITAR, compiled by Arrival Atlas"),
            licence_short=N_("facts"),
            short="CIFAL",
        ),
        Dataset(
            "route_corridors",
            N_("Schematic migration route corridors"),
            "Arrival Atlas",
            N_("CC BY 4.0 (Arrival Atlas)"),
            N_("Arrival Atlas schematic corridors for the MMP route names"),
            "",
            N_("authored 2026"),
            N_("Schematic lines for orientation, not actual paths."),
            credit=N_("corridors schematic (Arrival Atlas)"),
            licence_short="CC BY 4.0",
            short=N_("corridors"),
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
        schematic (Arrival Atlas); basemap Natural Earth (public domain)", in the
        language of this run.
    """
    return "; ".join(dict.fromkeys(_(d.credit) for d in datasets_of(keys)))


def citations_for(keys) -> list[str]:
    """How to cite datasets ``keys``: each distinct :attr:`Dataset.citation`, in order,
    in the language of this run."""
    return list(dict.fromkeys(_(d.citation) for d in datasets_of(keys)))


def citation_for(keys) -> str:
    """:func:`citations_for` as one line ("; "-joined, each without its final full
    stop), for an export's Source line."""
    return "; ".join(c.rstrip(".") for c in citations_for(keys))


def licence_for(keys) -> str:
    """The licence line of data drawn from datasets ``keys``.

    One licence when they share it ("CC BY-IGO"), else each with the short names of
    its datasets ("CC BY 3.0 IGO (WUP); CC BY 4.0 (UNHCR)"), in the language of this run
    (licence names such as CC BY-IGO stay as they are).
    """
    by_licence: dict[str, list[str]] = {}
    for d in datasets_of(keys):
        names = by_licence.setdefault(_(d.licence_short), [])
        if _(d.short) not in names:
            names.append(_(d.short))
    if len(by_licence) == 1:
        return next(iter(by_licence))
    return "; ".join(f"{lic} ({', '.join(names)})" for lic, names in by_licence.items())
