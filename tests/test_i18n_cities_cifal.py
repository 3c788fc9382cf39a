"""Arrival cities and CIFAL network in French and Spanish (issue 17): numbers as each
language writes them, English unchanged, and widgets whose labels hold locale numbers.

These check formatting only, so they need no catalogue: with an empty French catalogue
the words stay English but every number is already French. Expected figures come from
SQL, written by Babel.
"""

from __future__ import annotations

import re

import pytest
from babel.numbers import format_decimal
from streamlit.testing.v1 import AppTest

from geo.i18n import using
from geo.views import cifal, cities, countries_of, direct_query
from tests.conftest import REPO


@pytest.fixture()
def q(con):
    return direct_query(con)


def _count(con, year: int, min_population: int) -> int:
    return con.execute(
        "SELECT count(*) FROM city_population WHERE year = ? AND population >= ?",
        [year, min_population],
    ).fetchone()[0]


def _largest(con, year: int) -> float:
    return con.execute(
        "SELECT max(population) FROM city_population WHERE year = ?", [year]
    ).fetchone()[0]


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_cities_headline_and_tooltips_write_numbers_as_the_language_does(q, con, lang):
    countries = countries_of(con)
    with using(lang):
        view, notes = cities.PAGE.render(q, countries, {"year": "2025"})
        facts = cities.PAGE.export(view, q)
    assert not notes
    n = _count(con, 2025, 300_000)
    # the number, then a space (French and Spanish keep it with its word: no-break)
    assert re.match(re.escape(format_decimal(n, "#,##0", locale=lang)) + r"[ \xa0]", facts.headline)
    assert format_decimal(300_000, "#,##0", locale=lang) in facts.subtitle
    # the largest city's tooltip: millions with the language's decimal comma
    layer = next(la for la in view.spec.layers if la.key == "cities")
    top = max(layer.circles, key=lambda c: c.radius)
    want = format_decimal(round(_largest(con, 2025) / 1e6, 2), "#,##0.00", locale=lang)
    assert top.values[2] == want


def test_english_output_keeps_its_own_forms(q, con):
    """English text and tooltip values are as they were before translation: 1,857 and
    the number itself (the browser writes it)."""
    countries = countries_of(con)
    view, __ = cities.PAGE.render(q, countries, {"year": "2025"})
    facts = cities.PAGE.export(view, q)
    n = _count(con, 2025, 300_000)
    assert facts.headline.startswith(f"{n:,} cities of 300,000+ people in 2025")
    layer = next(la for la in view.spec.layers if la.key == "cities")
    top = max(layer.circles, key=lambda c: c.radius)
    assert top.values[2] == round(_largest(con, 2025) / 1e6, 2)
    growth, __ = cities.PAGE.render(q, countries, {"mode": "growth"})
    layer = next(la for la in growth.spec.layers if la.key == "cities")
    signed = [c.values[2] for c in layer.circles]
    assert all(v[0] in "+-" for v in signed) and any("," in v for v in signed)


def test_cifal_growth_in_french_counts_with_no_break_spaces(q, con):
    countries = countries_of(con)
    with using("fr"):
        view, __ = cifal.PAGE.render(q, countries, {"radius": "300"})
        facts = cifal.PAGE.export(view, q)
    n = int(view.headline["uncovered"])
    assert re.match(re.escape(format_decimal(n, "#,##0", locale="fr")) + r"[ \xa0]", facts.headline)
    assert format_decimal(1_000_000, "#,##0", locale="fr") in facts.subtitle


def test_cities_page_in_french_reruns_with_its_french_options(db_path, monkeypatch, con):
    """The page's selectbox shows '300 000 ...' in French: a rerun (AppTest reads each
    widget's value through its format_func, outside the run) must find its option, and
    the metric is the SQL count written the French way."""
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.switch_page("app_pages/cities.py")
    at.query_params["lang"] = "fr"
    at.run()
    at.run()
    assert not at.exception, at.exception
    sizes = next(w for w in at.selectbox if "300" in w.options[0])
    assert sizes.options[0].startswith(format_decimal(300_000, "#,##0", locale="fr"))
    n = _count(con, 2025, 300_000)
    assert at.metric[0].value == format_decimal(n, "#,##0", locale="fr")


class _Marked:
    """A stand-in catalogue: every message comes back with a word in front, so a layer
    name that went through it slugs differently from the English one (the real catalogue
    may not hold a message yet)."""

    def gettext(self, message):
        return f"fr {message}"

    def ngettext(self, singular, plural, n):
        return f"fr {singular if n == 1 else plural}"


@pytest.mark.parametrize("page", [cities.PAGE, cifal.PAGE])
def test_layer_ids_are_the_english_ones_in_every_language(q, con, monkeypatch, page):
    """Links (``layers=``) and briefing slides name layers by id: a translated name must
    not change it, and the English ids are those the names always gave."""
    import geo.i18n as i18n
    from geo import mapspec as ms

    countries = countries_of(con)
    english, __ = page.render(q, countries, {})
    ids = [la.stable_key for la in english.spec.layers]
    assert ids == [
        la.key if la.key in ("cities", cifal.UNCOVERED_KEY) else ms.slug(la.name)
        for la in english.spec.layers
    ]
    real = i18n.translations
    monkeypatch.setattr(
        i18n, "translations", lambda lang: real(lang) if lang == "en" else _Marked()
    )
    with using("fr"):
        marked, __ = page.render(q, countries, {})
    assert all(la.name.startswith("fr ") for la in marked.spec.layers if la.key != "cities")
    assert [la.stable_key for la in marked.spec.layers] == ids
