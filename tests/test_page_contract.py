"""The page contract (issue 15 items 1 and 3): every map page is one ``PAGE`` in its view
module, and its credits and citations come from the catalog by the datasets it draws.

The datasets a page draws are read from the SQL itself: each query the page runs (while
building, and while loading its export data) names its tables, and
``geo.catalog.TABLE_DATASETS`` says which datasets each table holds. A page that starts
drawing a new table without naming its dataset fails here, and so does a credit or a
citation that leaves a dataset out.
"""

from __future__ import annotations

import re

import pytest

from geo.catalog import DATASETS, TABLE_DATASETS, citation_for, credit_for, licence_for
from geo.pages import PAGE_KEYS, PAGES, page
from geo.queries import MACROS_FILE, QUERIES_DIR, query_text
from geo.schema import TABLES
from geo.views import countries_of, direct_query
from tests.conftest import REPO

_TABLE_REF = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)


def _sql(text: str) -> str:
    return re.sub(r"--[^\n]*", "", text)


def _macro_tables() -> dict[str, set[str]]:
    """Each table macro of ``_macros.sql`` -> the tables its body reads."""
    text = _sql((QUERIES_DIR / MACROS_FILE).read_text(encoding="utf-8"))
    out = {}
    for part in re.split(r"(?i)\bCREATE\s+(?:OR\s+REPLACE\s+)?MACRO\s+", text)[1:]:
        name = re.match(r"\w+", part).group(0)
        out[name] = {t.lower() for t in _TABLE_REF.findall(part)}
    return out


def tables_of(name: str) -> set[str]:
    """The database tables a named query reads (directly or through a table macro)."""
    sql = _sql(query_text(name))
    found = {t.lower() for t in _TABLE_REF.findall(sql)}
    for macro, tables in _macro_tables().items():
        if re.search(rf"\b{macro}\s*\(", sql):
            found |= tables
    return found & set(TABLE_DATASETS)


def datasets_read(names: set[str]) -> set[str]:
    """The catalog datasets the named queries read."""
    return {d for n in names for t in tables_of(n) for d in TABLE_DATASETS[t]}


class Recorder:
    """A ``q`` that runs queries on a connection and records their names."""

    def __init__(self, con):
        self._q = direct_query(con)
        self.names: set[str] = set()

    def __call__(self, name, **params):
        self.names.add(name)
        return self._q(name, **params)


def test_the_map_pages_in_navigation_order_each_with_its_script():
    # The five of today in their order (a new page may come anywhere: no list to edit).
    known = ["overview", "routes", "camps", "cities", "cifal"]
    assert [k for k in PAGE_KEYS if k in known] == known and PAGE_KEYS[0] == "overview"
    assert len({p.order for p in PAGES}) == len(PAGES)
    for p in PAGES:
        assert (REPO / p.script).is_file(), p.script
        assert page(p.key) is p
    with pytest.raises(KeyError, match="one of overview, routes"):
        page("nowhere")


def test_every_table_is_mapped_to_catalog_datasets():
    assert {t.name for t in TABLES} == set(TABLE_DATASETS)
    for keys in TABLE_DATASETS.values():
        assert set(keys) <= set(DATASETS)


def test_the_table_reader_sees_macros_and_joins():
    # A check of the check: filtered_incidents() reads incidents; a join is seen.
    assert "incidents" in tables_of("incident_totals")
    assert {"sites"} <= tables_of("site_totals")
    assert datasets_read({"incident_totals"}) == {"mmp_export", "mmp_endpoint"}


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_credit_and_citation_name_every_dataset_the_page_draws(con, key):
    p = page(key)
    q = Recorder(con)
    view, notes = p.render(q, countries_of(con), {})
    assert not notes
    drawn = datasets_read(q.names) | {"natural_earth"}  # every map has the basemap
    assert drawn <= set(p.datasets), f"{key} draws {drawn - set(p.datasets)} unnamed"
    for k in p.datasets:  # and names nothing it does not draw
        assert k in drawn or DATASETS[k].citation in {DATASETS[d].citation for d in drawn}, (
            f"{key} names {k} but draws none of it"
        )
    for k in drawn:
        assert DATASETS[k].credit in p.credit, (key, k)

    # The export: its data's datasets are cited, with their licences.
    exp = p.export(view, q)
    q.names.clear()
    exp.load_data()
    # The Overview's rows are built with the view (no query here). Country names joined
    # from the basemap (public domain) need no citation of the data.
    in_data = (datasets_read(q.names) or set(p.data_datasets)) - {"natural_earth"}
    assert in_data <= set(p.data_datasets) <= set(p.datasets), key
    assert exp.citation == citation_for(p.data_datasets)
    assert exp.licence == licence_for(p.data_datasets)
    for k in p.data_datasets:
        assert DATASETS[k].citation.rstrip(".") in exp.citation, (key, k)
        assert DATASETS[k].licence_short in exp.licence, (key, k)


def test_a_dataset_left_out_of_a_credit_is_caught():
    # The check above would fail for a page naming corridors but not the incidents.
    routes = page("routes")
    short = tuple(k for k in routes.datasets if not k.startswith("mmp"))
    assert DATASETS["mmp_export"].credit not in credit_for(short)
    assert DATASETS["mmp_export"].credit in routes.credit


def test_the_mmp_exports_keep_their_citation_and_licence():
    # The Missing Migrants Project's two sources cite alike: named once.
    assert citation_for(("mmp_export", "mmp_endpoint")) == (
        "IOM Missing Migrants Project, missingmigrants.iom.int"
    )
    assert licence_for(("mmp_export", "mmp_endpoint")) == "CC BY-IGO"
    assert licence_for(("wup_cities", "unhcr_population")) == (
        "CC BY 3.0 IGO (WUP); CC BY 4.0 (UNHCR)"
    )
    with pytest.raises(KeyError, match="unknown dataset"):
        credit_for(("mmp",))
