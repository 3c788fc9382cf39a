"""Data and sources: provenance, licences, citations, load issues and caveats."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.catalog import MMP_CAVEAT
from geo.i18n import N_
from geo.views import Query
from geo.views.camps import DEFAULT_PRECISION

# The page states the Camps page's default precision: one value, not a copy of it.
DEFAULT_PRECISION_DEG = float(DEFAULT_PRECISION)

# The publication a year of MMP incidents comes from (``incident_year_sources.origin``),
# as the page names it: the build's own words, shown in the page's language.
ORIGINS = {"export": N_("export"), "endpoint": N_("endpoint")}

# English msgids (N_): the page shows each pair as ``_(title)``, ``_(text)``.
CAVEATS = [
    (N_("Missing Migrants Project"), MMP_CAVEAT),
    (
        N_("Counting rule"),
        N_(
            "One incident per IOM ID. Export rows count once whatever their type (IOM already "
            "merged split incidents; a cumulative incident is one record of remains found over a "
            "period). The JSON endpoint's rows of one ID (one per group of origin) are summed. "
            "For each year the later publication of that year wins (a publication's date is its "
            "latest incident): the table below says which. An ID that only the earlier "
            "publication holds was renumbered, merged or withdrawn by IOM and is not counted; "
            "each one is listed in the table `load_issues` (action `superseded`)."
        ),
    ),
    (
        N_("Incident positions"),
        N_(
            "Each MMP position is checked against its country of incident. Where latitude and "
            "longitude were swapped or a sign was lost, the position is put back (the table "
            "`load_issues` lists each, action `repaired`); one that fits no reading and lies on "
            "land in another country, or is a placeholder, is counted but not mapped. A position "
            "far out at sea is kept: a boat's country of incident is often where it left."
        ),
    ),
    (
        N_("Route corridors"),
        N_(
            "The corridors are schematic lines drawn by Arrival Atlas for orientation, one per "
            "MMP route name; they are not actual paths."
        ),
    ),
    (
        N_("NW Syria sites (ISIMM)"),
        N_(
            "The publisher made site coordinates imprecise on purpose, for security: positions "
            "are indicative."
        ),
    ),
    (
        N_("City populations"),
        N_("WUP 2018 figures from 2020 on are projections made in 2018."),
    ),
    (
        N_("2025 site populations"),
        N_(
            "UNHCR's 2025 camp figures are joined to the 2020 location register by normalised "
            "name and country; unmatched camps have no figure on the map."
        ),
    ),
]


@dataclass
class DataSourcesView:
    """What the Data and sources page shows."""

    sources: pd.DataFrame
    issues: pd.DataFrame
    facts: dict[str, str]
    mmp_years: pd.DataFrame


def build(q: Query) -> DataSourcesView:
    """Run the page's queries."""
    facts = dict(q("build_facts")[["key", "value"]].itertuples(index=False, name=None))
    return DataSourcesView(
        sources=q("sources_table"),
        issues=q("load_issue_summary"),
        facts=facts,
        mmp_years=q("incident_year_sources"),
    )
