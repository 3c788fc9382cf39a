"""The database's tables: one definition used for the DDL, column comments and
``data/TABLES.md`` (a test checks that file is in sync with this module)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """A table: name, one-line description, and (column, SQL type, meaning) triples."""

    name: str
    doc: str
    columns: tuple[tuple[str, str, str], ...]

    def ddl(self) -> str:
        """``CREATE TABLE`` statement for this table."""
        cols = ",\n  ".join(f"{c} {t}" for c, t, _ in self.columns)
        return f"CREATE TABLE {self.name} (\n  {cols}\n)"


_PROVENANCE = (
    ("source_file", "VARCHAR", "source file name, relative to the sources folder"),
    ("source_row", "INTEGER", "spreadsheet-style row number in that file (header = row 1)"),
)

TABLES: tuple[Table, ...] = (
    Table(
        "incidents",
        "IOM Missing Migrants Project: one row per incident (export `Main ID` or endpoint "
        "`web_id`). Figures are minimum estimates.",
        (
            (
                "incident_id",
                "VARCHAR PRIMARY KEY",
                "export `Main ID`, equal to the endpoint's `web_id`",
            ),
            ("record_ids", "VARCHAR[]", "the publisher's `Incident ID`s merged into this incident"),
            (
                "origin",
                "VARCHAR",
                "`export` (the xlsx/csv download) or `endpoint` (the JSON files): the later publication of the incident's year (see `incident_year_sources`)",
            ),
            (
                "incident_type",
                "VARCHAR",
                "`Incident`, `Split Incident`, `Cumulative Incident` or a comma-joined mix, as published",
            ),
            ("incident_date", "DATE", "date of the incident (or of the report, for the endpoint)"),
            (
                "date_imputed",
                "BOOLEAN",
                "true when the date was missing or impossible and set to the first day of `Incident Year`/`Month`",
            ),
            ("year", "INTEGER", "year of the incident"),
            ("month", "INTEGER", "month of the incident (1-12)"),
            ("dead", "INTEGER", "number of dead (empty in the source = 0)"),
            ("missing", "INTEGER", "minimum estimated number of missing (empty = 0)"),
            (
                "dead_and_missing",
                "INTEGER",
                "total dead and missing as published (dead + missing when empty)",
            ),
            ("survivors", "INTEGER", "number of survivors (NULL when not reported)"),
            (
                "females",
                "INTEGER",
                "number of females among the dead and missing (NULL when not reported)",
            ),
            ("males", "INTEGER", "number of males (NULL when not reported)"),
            ("children", "INTEGER", "number of children (NULL when not reported)"),
            ("regions", "VARCHAR[]", "region(s) of incident"),
            ("region", "VARCHAR", "first region of incident, for display and grouping"),
            ("origin_countries", "VARCHAR[]", "country or countries of origin of the people"),
            ("origin_regions", "VARCHAR[]", "region(s) of origin"),
            ("causes", "VARCHAR[]", "cause(s) of death, split on the publisher's vocabulary"),
            ("country", "VARCHAR", "country of incident"),
            ("routes", "VARCHAR[]", "migration route(s); empty list when the publisher gives none"),
            (
                "location",
                "VARCHAR",
                "location description, as published (untrusted text: escape it)",
            ),
            ("lat", "DOUBLE", "latitude (NULL when the source coordinates were unusable)"),
            ("lon", "DOUBLE", "longitude (NULL when unusable)"),
            ("unsd_grouping", "VARCHAR", "UNSD geographical grouping"),
            ("information_source", "VARCHAR", "information source, as published (untrusted text)"),
            ("url", "VARCHAR", "source link, kept only when it is http(s)"),
            ("source_quality", "VARCHAR", "publisher's source quality score (1-5)"),
            *_PROVENANCE,
            (
                "date_lo",
                "DATE",
                "first day the date filter can match: `incident_date`, or 1 January of "
                "`year` when undated (derived at build, `queries/_incident_codes.sql`)",
            ),
            (
                "date_hi",
                "DATE",
                "last day the date filter can match: `incident_date`, or 31 December of `year`",
            ),
            (
                "region_bits",
                "BIGINT",
                "`regions` as a bit mask of `incident_codes` bits (kind `region`), for fast filters",
            ),
            ("route_bits", "BIGINT", "`routes` as a bit mask (kind `route`)"),
            ("cause_bits", "BIGINT", "`causes` as a bit mask (kind `cause`)"),
            (
                "main_route",
                "SMALLINT",
                "`incident_codes.code` of the first route (NULL when no route is given)",
            ),
        ),
    ),
    Table(
        "incident_year_sources",
        "Which MMP publication each year's incidents come from. For each year the later "
        "publication of that year wins (a publication's date is its latest incident): the "
        "export for the years it was saved after, the endpoint files for the years saved later.",
        (
            ("year", "INTEGER PRIMARY KEY", "year of the incidents"),
            ("origin", "VARCHAR", "`export` or `endpoint`: the publication that supplies the year"),
            ("files", "VARCHAR[]", "its file(s), relative to the sources folder"),
            ("published_to", "DATE", "latest incident date in that publication"),
            (
                "other_published_to",
                "DATE",
                "latest incident date in the other (earlier) publication holding the year, if any",
            ),
            ("incidents", "INTEGER", "incidents of the year in `incidents`"),
            ("dead_and_missing", "BIGINT", "their dead and missing (minimum estimates)"),
            (
                "superseded_ids",
                "INTEGER",
                "ids of the year that only the earlier publication holds: renumbered, merged or "
                "withdrawn by IOM, not counted (each one is in `load_issues`, action `superseded`)",
            ),
            ("superseded_dead_and_missing", "BIGINT", "the dead and missing of those ids"),
        ),
    ),
    Table(
        "incident_codes",
        "Every region, route and cause of `incidents` with a small integer code and a bit, so "
        "that the page filters test integer masks instead of text lists (derived at build).",
        (
            ("kind", "VARCHAR", "`region`, `route` or `cause`"),
            ("value", "VARCHAR", "the value, exactly as in the incidents' list"),
            ("incidents", "BIGINT", "incidents whose list holds the value"),
            ("code", "SMALLINT", "0 for the most frequent value of its kind, then 1, 2, ..."),
            (
                "bit",
                "BIGINT",
                "`1 << code`; NULL for every value of a kind with more than 63 values, "
                "whose filter then tests the text list",
            ),
        ),
    ),
    Table(
        "incident_routes",
        "One row per (incident, route): the `routes` list unnested, for filters and per-route sums.",
        (
            ("incident_id", "VARCHAR", "incident"),
            ("route", "VARCHAR", "one migration route of the incident"),
        ),
    ),
    Table(
        "route_corridors",
        "Schematic route corridors authored by Arrival Atlas (`data/route_corridors.geojson`), one per MMP route. Not actual paths.",
        (
            ("route", "VARCHAR PRIMARY KEY", "MMP route name, exactly as in `incidents.routes`"),
            ("origin_label", "VARCHAR", "label of the departure end"),
            ("destination_label", "VARCHAR", "label of the destination end"),
            ("dest_lat", "DOUBLE", "latitude of the destination end (last vertex)"),
            ("dest_lon", "DOUBLE", "longitude of the destination end"),
            ("geometry", "VARCHAR", "GeoJSON LineString"),
        ),
    ),
    Table(
        "sites",
        "Camps and sites: the UNHCR location register, the NW Syria ISIMM sites (July 2020) and the Cox's Bazar camps.",
        (
            (
                "site_id",
                "VARCHAR",
                "publisher's code (register `pcode`, ISIMM `PCODE`, Cox's Bazar `SSID`)",
            ),
            ("dataset", "VARCHAR", "`unhcr_register`, `isimm` or `coxs_bazar`"),
            ("name", "VARCHAR", "site name (untrusted text)"),
            ("name_alt", "VARCHAR", "alternative name"),
            ("country", "VARCHAR", "country name"),
            ("iso3", "VARCHAR", "ISO 3166-1 alpha-3 code of the country"),
            (
                "site_type",
                "VARCHAR",
                "register `loc_type` (IDP Camp, Refugee Camp, Settlement, Urban, ...), ISIMM site type, or `Camp`",
            ),
            ("site_subtype", "VARCHAR", "register `loc_subtype`"),
            (
                "population_group",
                "VARCHAR",
                "register `type` (Refugee, IDP, Returnee, ...); `IDP` for ISIMM; `Refugee` for Cox's Bazar",
            ),
            (
                "is_open",
                "BOOLEAN",
                "register `status` = 1; ISIMM and Cox's Bazar sites are open at their vintage",
            ),
            ("created", "DATE", "register `createdate`"),
            ("closed", "DATE", "register `closedate`"),
            ("admin1", "VARCHAR", "governorate / district (ISIMM, Cox's Bazar)"),
            ("admin2", "VARCHAR", "district / upazila (ISIMM, Cox's Bazar)"),
            ("lat", "DOUBLE", "latitude"),
            ("lon", "DOUBLE", "longitude"),
            (
                "position_approximate",
                "BOOLEAN",
                "true where the publisher made coordinates imprecise on purpose (ISIMM)",
            ),
            (
                "individuals",
                "BIGINT",
                "people on site at the dataset's vintage (ISIMM July 2020; NULL elsewhere)",
            ),
            (
                "population_2025",
                "BIGINT",
                "UNHCR 2025 population joined by name and country (NULL when no match)",
            ),
            *_PROVENANCE,
            (
                "list_order",
                "INTEGER",
                "rank of the site in the sites table: by country name, site name and code "
                "(derived at build, `queries/_site_order.sql`, so the table is a cheap top-N)",
            ),
        ),
    ),
    Table(
        "site_populations_2025",
        "UNHCR end-2025 populations of planned (P) and self-settled (S) camps, from `unhcr_demographics.csv`, summed per site name and country, with the register site they join to.",
        (
            ("asylum_iso3", "VARCHAR", "country of asylum (ISO3)"),
            ("asylum_country", "VARCHAR", "country of asylum (name)"),
            ("location", "VARCHAR", "UNHCR location text, e.g. `Kakuma [Admin 3: PRP]`"),
            ("site_name", "VARCHAR", "location without the bracketed admin suffix"),
            (
                "location_level",
                "VARCHAR",
                "`site` (a named camp: `[Admin 3: …]` or a bare name; only these join), "
                "`admin1` / `admin2` (a whole state or district) or `dispersed`",
            ),
            ("acc_type", "VARCHAR", "`P` planned/managed camp, `S` self-settled camp"),
            ("female", "BIGINT", "female total"),
            ("male", "BIGINT", "male total"),
            ("total", "BIGINT", "people (all origins and population types)"),
            ("origins", "INTEGER", "number of countries of origin"),
            (
                "matched_site_id",
                "VARCHAR",
                "register `site_id` joined by normalised name and country (NULL when none)",
            ),
        ),
    ),
    Table(
        "isimm_site_months",
        "NW Syria IDP sites month by month (CCCM Cluster ISIMM, 2017-02 to 2020-07). Coordinates deliberately imprecise.",
        (
            ("month", "DATE", "first day of the reporting month"),
            ("pcode", "VARCHAR", "site code (empty in the 2017 files)"),
            ("governorate", "VARCHAR", "governorate"),
            ("district", "VARCHAR", "district"),
            ("cluster", "VARCHAR", "camp cluster"),
            ("camp_name", "VARCHAR", "site name"),
            (
                "site_type",
                "VARCHAR",
                "IS informal settlement, PC planned camp, CC collective centre, T/RC transit/reception",
            ),
            ("girls", "INTEGER", "girls"),
            ("boys", "INTEGER", "boys"),
            ("women", "INTEGER", "women"),
            ("men", "INTEGER", "men"),
            ("individuals", "INTEGER", "people on site"),
            (
                "lat",
                "DOUBLE",
                "approximate latitude (NULL where the publisher's `geo` is malformed)",
            ),
            ("lon", "DOUBLE", "approximate longitude"),
            *_PROVENANCE,
        ),
    ),
    Table(
        "camp_outlines",
        "Cox's Bazar Rohingya camp outlines (RRRC/ISCG), polygons.",
        (
            ("ssid", "VARCHAR", "camp SSID (CXB-...)"),
            ("name", "VARCHAR", "camp name"),
            ("upazila", "VARCHAR", "upazila"),
            ("union_name", "VARCHAR", "union"),
            ("area_km2", "DOUBLE", "area in km², as published"),
            ("lat", "DOUBLE", "centroid latitude"),
            ("lon", "DOUBLE", "centroid longitude"),
            ("geometry", "VARCHAR", "GeoJSON polygon"),
        ),
    ),
    Table(
        "refugee_population",
        "UNHCR population statistics by year, country of origin and country of asylum (end-year stocks).",
        (
            ("year", "INTEGER", "year"),
            ("origin_iso3", "VARCHAR", "country of origin (ISO3; UNK unknown)"),
            ("origin_name", "VARCHAR", "country of origin"),
            ("asylum_iso3", "VARCHAR", "country of asylum (ISO3)"),
            ("asylum_name", "VARCHAR", "country of asylum"),
            ("refugees", "BIGINT", "refugees under UNHCR's mandate"),
            ("asylum_seekers", "BIGINT", "asylum-seekers"),
            ("returned_refugees", "BIGINT", "returned refugees"),
            ("idps", "BIGINT", "internally displaced people (UNHCR-protected)"),
            ("returned_idps", "BIGINT", "returned IDPs"),
            ("stateless", "BIGINT", "stateless people"),
            ("ooc", "BIGINT", "others of concern"),
            ("oip", "BIGINT", "other people in need of international protection"),
            ("hst", "BIGINT", "host community"),
        ),
    ),
    Table(
        "cities",
        "UN World Urbanization Prospects 2018, File 12: urban agglomerations of 300,000+ people in 2018.",
        (
            ("city_code", "INTEGER PRIMARY KEY", "WUP city code"),
            ("country_code", "INTEGER", "UN M49 numeric country code"),
            ("country", "VARCHAR", "country or area"),
            ("iso3", "VARCHAR", "ISO3 code (via Natural Earth ISO_N3; NULL when none)"),
            ("name", "VARCHAR", "urban agglomeration"),
            ("note", "VARCHAR", "WUP note number(s), see the notes sheet"),
            ("lat", "DOUBLE", "latitude"),
            ("lon", "DOUBLE", "longitude"),
        ),
    ),
    Table(
        "city_population",
        "WUP 2018 city populations in long form, in persons (the source is in thousands). 2020 onward are projections.",
        (
            ("city_code", "INTEGER", "WUP city code"),
            ("year", "INTEGER", "1950, 1955, ..., 2035"),
            ("population", "BIGINT", "persons (source thousands × 1000, rounded)"),
            ("projected", "BOOLEAN", "true for 2020 and later (projection)"),
        ),
    ),
    Table(
        "countries",
        "Natural Earth 1:110m admin-0 countries (de facto boundaries), the offline basemap.",
        (
            (
                "iso3",
                "VARCHAR",
                "ISO3 (`ISO_A3`, or `ADM0_A3` where ISO_A3 is -99, e.g. France, Norway)",
            ),
            ("iso_n3", "INTEGER", "ISO numeric code (NULL when -99)"),
            ("name", "VARCHAR", "short name"),
            ("name_long", "VARCHAR", "long name"),
            ("continent", "VARCHAR", "continent"),
            ("region_un", "VARCHAR", "UN region"),
            ("subregion", "VARCHAR", "UN subregion"),
            ("pop_est", "BIGINT", "population estimate (Natural Earth)"),
            ("label_lat", "DOUBLE", "label point latitude"),
            ("label_lon", "DOUBLE", "label point longitude"),
            ("geometry", "VARCHAR", "GeoJSON (Multi)Polygon, 1:110m"),
        ),
    ),
    Table(
        "countries_detail",
        "Natural Earth 1:50m admin-0 countries: the basemap of zoomed-in views (clipped to the view).",
        (
            ("iso3", "VARCHAR", "ISO3 (as in `countries`)"),
            ("name", "VARCHAR", "short name"),
            ("geometry", "VARCHAR", "GeoJSON (Multi)Polygon, 1:50m"),
        ),
    ),
    Table(
        "cifal_centres",
        "UNITAR CIFAL centres, compiled by Arrival Atlas from public pages (`data/cifal_centres.csv`); coordinates are the city's.",
        (
            ("centre", "VARCHAR PRIMARY KEY", "centre name"),
            ("city", "VARCHAR", "city"),
            ("country", "VARCHAR", "country"),
            ("iso3", "VARCHAR", "ISO3"),
            ("region", "VARCHAR", "world region"),
            ("host", "VARCHAR", "host institution, where a source states it"),
            ("status", "VARCHAR", "status as the source states it"),
            ("active", "BOOLEAN", "false when a source says the centre closed"),
            ("source_url", "VARCHAR", "where the facts come from"),
            ("source_date", "DATE", "date of that source"),
            ("lat", "DOUBLE", "city latitude"),
            ("lon", "DOUBLE", "city longitude"),
            ("coord_source", "VARCHAR", "where the coordinates come from"),
            ("notes", "VARCHAR", "notes"),
        ),
    ),
    Table(
        "city_distances",
        "Great-circle distance (haversine_km) from every CIFAL centre and every route-corridor "
        "destination end to every WUP city, computed at build (`queries/_distances.sql`): the "
        "places do not move, so the CIFAL and Arrival cities pages filter these rows instead of "
        "computing the distances on each rerun.",
        (
            ("kind", "VARCHAR", "`centre` (a CIFAL centre) or `destination` (a corridor's end)"),
            ("place", "VARCHAR", "`cifal_centres.centre` or `route_corridors.route`"),
            ("city_code", "INTEGER", "WUP city code"),
            ("km", "DOUBLE", "great-circle distance in kilometres"),
        ),
    ),
    Table(
        "city_corridors",
        "The route corridor nearest to every WUP city, computed at build "
        "(`queries/_distances.sql`): great-circle distance to the corridor's line (its "
        "segments taken as great-circle arcs), not only to its vertices.",
        (
            ("city_code", "INTEGER", "WUP city code"),
            ("route", "VARCHAR", "`route_corridors.route` of the nearest corridor"),
            ("km", "DOUBLE", "great-circle distance to its line in kilometres"),
        ),
    ),
    Table(
        "city_incidents",
        "MMP dead and missing near every WUP city, computed at build "
        "(`queries/_distances.sql`): incidents with coordinates, by whole kilometre of "
        "great-circle distance from the city (rounded half up), up to 500 km. The dead and "
        "missing within d km are the sum of the rows with km <= d. Minimum estimates.",
        (
            ("city_code", "INTEGER", "WUP city code"),
            ("km", "SMALLINT", "distance from the city, whole kilometres (0-500)"),
            ("incidents", "INTEGER", "incidents at that distance"),
            ("dead", "INTEGER", "their dead"),
            ("missing", "INTEGER", "their missing (minimum estimates)"),
            ("dead_and_missing", "INTEGER", "their dead and missing as published"),
        ),
    ),
    Table(
        "sources",
        "Provenance of every loaded file.",
        (
            ("dataset", "VARCHAR", "dataset key"),
            ("title", "VARCHAR", "dataset title"),
            ("publisher", "VARCHAR", "publisher"),
            (
                "file",
                "VARCHAR",
                "file, relative to the sources folder (or `data/` for project tables)",
            ),
            ("sha256", "VARCHAR", "SHA-256 of the file as loaded"),
            ("bytes", "BIGINT", "file size"),
            ("vintage", "VARCHAR", "vintage of the data"),
            ("licence", "VARCHAR", "licence or terms"),
            ("citation", "VARCHAR", "how to cite it"),
            ("url", "VARCHAR", "publisher's address"),
            ("tables", "VARCHAR", "tables filled from it"),
            ("rows_loaded", "INTEGER", "rows loaded"),
            ("rows_rejected", "INTEGER", "rows rejected (see `load_issues`)"),
            ("caveat", "VARCHAR", "what a reader must know"),
        ),
    ),
    Table(
        "load_issues",
        "Every rejected, repaired or skipped row, with its file, row and reason.",
        (
            ("dataset", "VARCHAR", "dataset key"),
            ("file", "VARCHAR", "file"),
            ("row", "INTEGER", "spreadsheet-style row (header = row 1) or record number for JSON"),
            ("field", "VARCHAR", "column or field at fault"),
            ("value", "VARCHAR", "offending value (clipped to 200 characters)"),
            (
                "action",
                "VARCHAR",
                "`rejected` (row not loaded), `repaired` (loaded after a documented fix), `unlocated` (loaded without a position), `skipped` (an exact duplicate or the same place as another row, counted once), `unresolved` (loaded, but its country name or code gives no ISO3 country), `noted` (loaded as published, with a disagreement the reader should know, e.g. a total that is not dead + missing) or `superseded` (an MMP id that the later publication of its year no longer holds, not counted)",
            ),
            ("reason", "VARCHAR", "why"),
        ),
    ),
    Table(
        "build_info",
        "Facts about the build itself.",
        (
            ("key", "VARCHAR PRIMARY KEY", "fact"),
            ("value", "VARCHAR", "value"),
        ),
    ),
)

BY_NAME = {t.name: t for t in TABLES}


def tables_markdown() -> str:
    """The text of ``data/TABLES.md``: every table and column with its meaning."""
    lines = [
        "# Database tables",
        "",
        "Generated from `geo/schema.py` (`python -m geo tables-doc`); a test checks it is current.",
        "Built by `python -m geo build`; every figure the app shows comes from a query in `queries/` over these tables.",
        "",
    ]
    for t in TABLES:
        lines += [f"## `{t.name}`", "", t.doc, "", "| column | type | meaning |", "|---|---|---|"]
        for c, ty, doc in t.columns:
            lines.append(f"| `{c}` | {ty.replace(' PRIMARY KEY', '')} | {doc} |")
        lines.append("")
    return "\n".join(lines)
