"""Deadly routes in another language (issue 17).

A stand-in catalogue marks every message it is asked for ("FR·" in front), so these
checks do not wait for the French catalogue: what the map, its legend, the popups, the
link notes and the export say goes through the catalogue; counts and dates are written
the French way (Babel, the figures from SQL); and the layer ids that links and pictures
use stay the English ones whatever the language.
"""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import NullTranslations

from geo import i18n
from geo.views import countries_of, direct_query
from geo.views import routes as R
from tests.test_routes import sql_filtered

MARK = "FR·"


class Marked(NullTranslations):
    """Every message "translated" as itself with a mark in front."""

    def gettext(self, message):
        return MARK + message

    def ngettext(self, singular, plural, n):
        return MARK + (singular if n == 1 else plural)


@pytest.fixture()
def french(monkeypatch):
    monkeypatch.setattr(
        i18n, "translations", lambda lang: Marked() if lang == "fr" else NullTranslations()
    )


@pytest.fixture()
def q(con):
    return direct_query(con)


def fr_int(n) -> str:
    return format_decimal(int(n), format="#,##0", locale="fr")


def test_map_in_french_keeps_layer_ids_and_counts_from_sql(french, q, con):
    countries = countries_of(con)
    options = R.options(q)
    state = R.RoutesState.defaults(options)
    english = R.map_spec(q, countries, state, options=options)
    with i18n.using("fr"):
        spec = R.map_spec(q, countries, state, options=options)
    # the ids of a link's `layers=` and of a picture's hidden layers do not follow the names
    assert [layer.stable_key for layer in spec.layers] == [
        layer.stable_key for layer in english.layers
    ]
    assert "route-corridors-schematic" in [layer.stable_key for layer in spec.layers]
    assert all(layer.name.startswith(MARK) for layer in spec.layers)
    legend = spec.legends[0]
    assert legend.title.startswith(MARK) and legend.note.startswith(MARK)
    assert "janv." in legend.title  # the period in French month names
    corridor_item = legend.items[-1]
    assert corridor_item.label.startswith(MARK + "route corridor")
    # binned circles: the tooltip is the catalogue's; its counts (numbers, written by the
    # browser in the language's format) still add up to SQL's total
    bins = spec.layer(R.INCIDENTS_KEY)
    assert bins.tooltip_format.startswith(MARK)
    total = con.execute(
        "SELECT sum(dead_and_missing) FROM incidents WHERE lat IS NOT NULL AND lon IS NOT NULL"
    ).fetchone()[0]
    assert sum(c.values[0] for c in bins.circles) == total


def test_popup_notes_and_export_in_french(french, q, con):
    countries = countries_of(con)
    options = R.options(q)
    with i18n.using("fr"):
        state, notes = R.RoutesState.from_params(
            {"from": "2016-06-01", "to": "2016-06-30", "routes": "Central Mediterranean|Atlantis"},
            options,
        )
        assert len(notes) == 1 and notes[0].startswith(MARK) and "Atlantis" in notes[0]
        view = R.build(q, countries, state, options=options)
        exp = R.export(view, q)
        pts = q("incident_points", limit=R.DETAIL_MAX, **state.query_params())
        row = pts.sort_values("dead_and_missing").iloc[-1].to_dict()
        popup = R.incident_popup(row)
    dm, n = sql_filtered(con, state, "sum(dead_and_missing), count(*)")
    assert exp.headline == MARK + f"{fr_int(dm)} dead and missing in {fr_int(n)} incidents"
    assert exp.subtitle.startswith(MARK) and exp.data_name.startswith(MARK)
    assert format_date(date(2016, 6, 1), "d MMM y", locale="fr") in exp.subtitle
    assert MARK in popup and fr_int(row["dead_and_missing"]) in popup
    assert format_date(row["incident_date"], "d MMM y", locale="fr") in popup
    # English is as it was
    en = R.export(R.build(q, countries, state, options=options), q)
    assert en.headline == f"{dm:,} dead and missing in {n:,} incidents"
