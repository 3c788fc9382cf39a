"""Camps and sites in another language (issue 17): every text of the map and the export
facts goes through the catalogue, numbers are written the language's way, and the links'
layer keys do not depend on the language.

No catalogue is needed: a stand-in marks every translated message, so a text that skips
``_()`` shows up unmarked; the numbers are checked against Babel's own formatting of
figures counted in SQL.
"""

from __future__ import annotations

import gettext

import pytest
from babel.numbers import format_decimal

from geo import i18n
from geo.views import camps as cv
from geo.views import countries_of, direct_query

MARK = "‹›"


class Marked(gettext.NullTranslations):
    """Every message comes back marked (placeholders kept), as a catalogue would translate it."""

    def gettext(self, message):
        return MARK + message

    def ngettext(self, singular, plural, n):
        return MARK + (singular if n == 1 else plural)


@pytest.fixture()
def marked(monkeypatch):
    real = i18n.translations
    monkeypatch.setattr(i18n, "translations", lambda lang: Marked() if lang == "fr" else real(lang))


@pytest.fixture()
def q(con):
    return direct_query(con)


def _views(q, con):
    world = countries_of(con)
    # points (two countries with ISIMM and Cox's Bazar) and bins (the world)
    for state in (cv.CampsState(countries=["BGD", "SYR"]), cv.CampsState()):
        yield state, cv.build(q, world, state)


def test_map_texts_are_translated_and_layer_keys_stay(q, con, marked):
    for state, english in _views(q, con):
        with i18n.using("fr"):
            view = cv.build(q, countries_of(con), state)
        # the same layers, by the same keys in the link, whatever the language
        assert [x.stable_key for x in view.spec.layers] == [
            x.stable_key for x in english.spec.layers
        ]
        assert len(view.spec.layers) == 3
        for layer in view.spec.layers:
            assert layer.name.startswith(MARK), layer.name
            if hasattr(layer, "tooltip_format") and layer.circles:
                assert layer.tooltip_format.startswith(MARK)
        (legend,) = view.spec.legends
        assert legend.title.startswith(MARK) and legend.note.startswith(MARK)
        # the class items' words come from mapspec; the unit and the other items are ours
        assert all(MARK in item.label for item in legend.items), legend.items


def test_french_numbers_in_headline_tooltips_and_note(q, con):
    bgd_syr = ["BGD", "SYR"]
    sites, countries = con.execute(
        "SELECT count(*), count(DISTINCT iso3) FROM sites WHERE iso3 IN ('BGD', 'SYR')"
    ).fetchone()
    fr = lambda n: format_decimal(n, format="#,##0", locale="fr")  # noqa: E731
    assert sites >= 1000  # a grouped number: 1 172, not 1,172
    world = countries_of(con)
    with i18n.using("fr"):
        view = cv.build(q, world, cv.CampsState(countries=bgd_syr))
        facts = cv.export(view, q)
        note = cv.population_note(view.match, ["Bangladesh", "Syria"])
    assert facts.headline.startswith(fr(sites) + " ")
    assert fr(countries) in facts.headline
    assert "0,1°" in facts.subtitle and "0.1" not in facts.subtitle
    people = int(view.match["people"])
    assert people >= 1000 and fr(people) in note and f"{people:,}" not in note
    # the largest 2025 population on the map's tooltips, written the French way
    top = con.execute(
        "SELECT max(population_2025) FROM sites WHERE iso3 IN ('BGD', 'SYR')"
    ).fetchone()[0]
    values = [c.values[4] for c in view.spec.layers[0].circles]
    assert fr(top) in values
    # English keeps the numbers for the browser to group (en-US), as before
    english = cv.build(q, world, cv.CampsState(countries=bgd_syr))
    assert int(top) in [c.values[4] for c in english.spec.layers[0].circles]


def test_precision_labels_follow_the_language():
    assert [cv.precision_label(p) for p in cv.PRECISIONS] == [
        "0.1° (about 11 km)",
        "0.01° (about 1 km)",
        "1° (about 110 km)",
    ]
    with i18n.using("fr"):
        assert cv.precision_degrees("0.01") == "0,01"
    with i18n.using("es"):
        assert cv.precision_degrees("0.1") == "0,1"
