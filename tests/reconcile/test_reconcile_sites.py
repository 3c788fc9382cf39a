"""Camps and sites: the app's site counts by country, type and status against an
independent count of the UNHCR register, the Cox's Bazar centroids and ISIMM."""

from __future__ import annotations

import pytest

ALL_SITES = {"site_types": [], "status": "all", "countries": [], "datasets": []}


def app_site_totals(app, **filters) -> dict[str, int]:
    """Sites and open sites of the filtered set (the ``all_datasets`` row of site_totals)."""
    table = app("site_totals", **{**ALL_SITES, **filters})
    total = table[table["all_datasets"]]
    if total.empty:
        return {"sites": 0, "open_sites": 0}
    row = total.iloc[0]
    return {"sites": int(row["sites"]), "open_sites": int(row["open_sites"])}


def expected_totals(sites, site_types=(), status="all", countries=()) -> dict[str, int]:
    """The same two figures from the source files."""
    s = sites
    if site_types:
        s = s[s["site_type"].isin(site_types)]
    if status != "all":
        s = s[s["is_open"] == (status == "open")]
    if countries:
        s = s[s["iso3"].isin(countries)]
    return {"sites": len(s), "open_sites": int(s["is_open"].sum())}


def differences(expected: dict, actual: dict) -> dict:
    """{key: (expected, app)} where the two disagree (absent = 0)."""
    keys = sorted(set(expected) | set(actual), key=str)
    return {
        k: (expected.get(k, 0), actual.get(k, 0))
        for k in keys
        if expected.get(k, 0) != actual.get(k, 0)
    }


def test_all_sites(app, sites):
    """The headline: sites and open sites, each place once (the 35 Cox's Bazar centroids
    are open register sites already: issue 12, finding 5)."""
    expected = expected_totals(sites)
    assert expected["sites"] > 10_000
    assert app_site_totals(app) == expected


@pytest.mark.parametrize("status", ["open", "closed"])
def test_sites_by_status(app, sites, status):
    """The status filter: open (status 1, and every Cox's Bazar and ISIMM site) or closed."""
    expected = expected_totals(sites, status=status)
    assert expected["sites"] > 1000
    assert app_site_totals(app, status=status) == expected


def test_sites_by_type(app, sites):
    """The type filter's options (``site_types``): register loc_type, ISIMM TypeSite."""
    expected = sites["site_type"].dropna().value_counts().to_dict()
    table = app("site_types")
    actual = dict(zip(table["site_type"], table["sites"].astype(int), strict=True))
    assert len(expected) >= 20
    assert differences(expected, actual) == {}


def test_sites_by_country(app, sites):
    """The country filter's options (``site_countries``): sites per ISO code.

    Every register name must resolve (issue 12, finding 6: "Rep. of Chad", "Swaziland",
    "The former Yugoslav Republic of Macedonia" resolved to nothing and "France" to the
    French Southern Territories), and Bangladesh counts each Cox's Bazar camp once
    (finding 5).
    """
    assert sites["iso3"].notna().all(), sites.loc[sites["iso3"].isna(), "country"].unique()
    expected = sites.groupby("iso3").size().astype(int).to_dict()
    table = app("site_countries")
    actual = dict(zip(table["iso3"], table["sites"].astype(int), strict=True))
    assert len(expected) >= 100
    assert differences(expected, actual) == {}


# Filter combinations; the values are inputs, the expected counts come from the files.
COMBINATIONS = {
    "open refugee camps in Kenya": dict(
        site_types=["Refugee Camp"], status="open", countries=["KEN"]
    ),
    "closed sites in Sudan": dict(status="closed", countries=["SDN"]),
    "informal settlements in NW Syria (ISIMM)": dict(site_types=["IS"], countries=["SYR"]),
    "all sites in Uganda": dict(countries=["UGA"]),
    "IDP camps and settlements, open": dict(
        site_types=["IDP Camp", "IDP Settlement"], status="open"
    ),
}


@pytest.mark.parametrize("name", list(COMBINATIONS))
def test_site_filter_combinations(app, sites, name):
    """The headline for one combination of type, status and country."""
    expected = expected_totals(sites, **COMBINATIONS[name])
    assert expected["sites"] > 0, f"{name}: no site in the sources"
    assert app_site_totals(app, **COMBINATIONS[name]) == expected


def test_isimm_months(app, isimm_months):
    """ISIMM month by month: sites and people of every month with a file."""
    table = app("isimm_monthly_totals")
    reported = table[table["reported"]]
    actual = {
        f"{m:%Y-%m}": (int(s), int(i))
        for m, s, i in zip(
            reported["month"], reported["sites"], reported["individuals"], strict=True
        )
    }
    expected = {m: (int(r.sites), int(r.individuals)) for m, r in isimm_months.iterrows()}
    assert len(expected) >= 20
    assert differences(expected, actual) == {}


def test_site_population_levels(app, camp_populations):
    """End-2025 camp populations by the level UNHCR reports them at (issue 12, finding 7).

    The people of a state, a district or "dispersed" cannot be placed at a site: the
    app must say how many they are, and no site may carry more people than the
    site-level rows hold, nor a state's figure.
    """
    levels = camp_populations.groupby("level")["total"].sum().astype(int).to_dict()
    expected = {
        "camps": len(camp_populations),
        "people": int(camp_populations["total"].sum()),
        "people_at_sites": levels.get("site", 0),
        "people_admin1": levels.get("admin1", 0),
        "people_admin2": levels.get("admin2", 0),
        "people_dispersed": levels.get("dispersed", 0),
    }
    assert expected["people_admin1"] > 0 and expected["people_at_sites"] > 0
    row = app("site_population_match", countries=[]).iloc[0]
    assert {k: int(row[k]) for k in expected} == expected
    placed = int(app("site_totals", **ALL_SITES).query("all_datasets").iloc[0]["people_2025"])
    assert 0 < placed <= expected["people_at_sites"]
    largest = app("site_largest_2025", **ALL_SITES, limit=50)
    assert len(largest) > 0
    states = largest[largest["unhcr_location"].str.contains(r"\[Admin [12]\b", regex=True)]
    assert states.empty, states[["name", "unhcr_location", "population_2025"]]
