"""Every page in French and Spanish in offline Chromium: no English left on screen but
data values, and numbers written as the language does.

What counts as English: a text on the page (the main area, the sidebar, the map's
legend and layer control) with an English function word ("the", "and", "of", "with",
"from", "by"...) once the data's own values (route, region, cause, site, city and
country names, publishers' file names and addresses) are taken out. Streamlit's own
words (the file uploader's "200MB per file") are Streamlit's, which has no translations. French and Spanish
sentences have none of those words, so a message left untranslated shows up here."""

from __future__ import annotations

import re

import pytest

from geo import i18n
from tests.browser import OfflinePage

pytestmark = pytest.mark.browser

PAGES = ["", "routes", "camps", "cities", "cifal", "data", "briefing", "editor"]
# Lower-case English function words in running text (case-sensitive: "CC BY", and the
# capitalised words of an official English title such as "World Urbanization Prospects:
# The 2018 Revision", are no sentence of ours). None is a French or Spanish word.
ENGLISH = re.compile(
    r"\b(the|and|of|with|from|for|by|to|are|is|this|that|which|shown|shows|per|"
    r"within|when|where|into|only|each|every|not|or)\b"
)
URL = re.compile(r"(https?://|www\.)\S+|\S+\.(csv|xlsx|json|geojson|zip|toml|html|pdf|shp)\b")

TEXTS = """() => {
  const out = [];
  const roots = [document.querySelector('[data-testid="stMain"]'),
                 document.querySelector('[data-testid="stSidebar"]')];
  for (const root of roots) {
    if (!root) continue;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const n = walker.currentNode;
      const el = n.parentElement;
      if (!el || !n.textContent.trim()) continue;
      if (el.closest('iframe, [data-testid="stDataFrame"], [data-baseweb="tag"], code, pre,'
          + ' [data-testid="stCode"], .atlas-data, [data-testid="stSelectbox"] [value],'
          + ' [data-testid="stFileUploaderDropzoneInstructions"]')) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      out.push(n.textContent.trim());
    }
  }
  return out;
}"""
MAP_TEXTS = """() => [...document.querySelectorAll(
  '.atlas-legend, .leaflet-control-layers-list label')].map(e => e.innerText.trim())"""


@pytest.fixture(scope="module")
def data_values(db_path) -> list[str]:
    """Every value the data shows as published, longest first (taken out of the texts)."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    values: set[str] = set()
    queries = [
        "SELECT DISTINCT unnest(routes) FROM incidents",
        "SELECT DISTINCT unnest(regions) FROM incidents",
        "SELECT DISTINCT unnest(causes) FROM incidents",
        "SELECT DISTINCT incident_type FROM incidents",
        "SELECT DISTINCT country FROM incidents",
        "SELECT DISTINCT site_type FROM sites",
        "SELECT DISTINCT site_subtype FROM sites",
        "SELECT DISTINCT country FROM sites",
        "SELECT DISTINCT dataset FROM sites",
        "SELECT DISTINCT name FROM cities",
        "SELECT DISTINCT country FROM cities",
        "SELECT DISTINCT name FROM countries",
        # UNHCR's own country names (the refugees hosted on Arrival cities, its table
        # and the map's text twin), shown as published like the other data values
        "SELECT DISTINCT asylum_name FROM refugee_population",
        "SELECT DISTINCT origin_name FROM refugee_population",
        "SELECT DISTINCT asylum_country FROM site_populations_2025",
    ]
    for sql in queries:
        try:
            values |= {str(v) for (v,) in con.execute(sql).fetchall() if v}
        except Exception:  # noqa: BLE001 - a table without that column in this build
            continue
    text_columns = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE data_type = 'VARCHAR' AND table_name IN "
        "('cifal_centres', 'sources', 'route_corridors', 'load_issues')"
    ).fetchall()
    for table, col in text_columns:
        sql = f'SELECT DISTINCT "{col}" FROM "{table}"'  # noqa: S608 - names from the catalog
        values |= {str(v) for (v,) in con.execute(sql).fetchall() if v}
    con.close()
    return sorted((v for v in values if len(v) > 2), key=len, reverse=True)


def _english(texts: list[str], data_values: list[str]) -> list[str]:
    left = []
    for text in texts:
        rest = URL.sub(" ", text)
        for v in data_values:
            if v in rest:  # a whole value only: a site named "Sit" is no part of "Sitios"
                rest = re.sub(rf"(?<!\w){re.escape(v)}(?!\w)", " ", rest)
        if ENGLISH.search(rest):
            left.append(text)
    return left


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_every_page_speaks_the_language(server, browser, con, data_values, lang):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=lang)
    op = OfflinePage(context)
    page = op.page
    found: dict[str, list[str]] = {}
    try:
        for path in PAGES:
            page.goto(f"{server.url}/{path}?lang={lang}", wait_until="domcontentloaded")
            page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                timeout=60_000,
            )
            page.wait_for_timeout(1500)
            texts = page.evaluate(TEXTS)
            for frame in page.frames[1:]:
                try:
                    texts += frame.evaluate(MAP_TEXTS)
                except Exception:  # noqa: BLE001 - a frame that went away
                    continue
            left = _english(texts, data_values)
            if left:
                found[path or "overview"] = left[:12]
        assert not op.real_errors(), op.console_errors
    finally:
        context.close()
    assert not found, f"English left on screen in {lang}: {found}"


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_headline_figures_are_written_as_the_language_does(server, browser, con, lang):
    total = con.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0]
    with i18n.using(lang):
        want = i18n.fmt_int(total)
    assert want != f"{total:,}"
    context = browser.new_context(locale=lang)
    op = OfflinePage(context)
    try:
        op.page.goto(f"{server.url}/routes?lang={lang}", wait_until="domcontentloaded")
        # The headline's five figures are drawn one by one: read them once the run is over.
        op.page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=\"stMetricValue\"]').length >= 5",
            timeout=60_000,
        )
        values = op.page.locator("[data-testid='stMetricValue']").all_inner_texts()
        assert len(values) == 5, values
        assert want in values, values
    finally:
        context.close()
