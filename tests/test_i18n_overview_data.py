"""The Overview, the dataset catalogue and the database-file lines in French and Spanish:
figures written as the language writes them, layer ids that do not change with the
language, and catalogue texts translated when asked for, not when imported.

A stand-in catalogue (every message marked ``[fr] ...``) shows what is translated without
waiting for the real catalogues: the tests pass with or without them.
"""

from __future__ import annotations

import pytest
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from babel.support import NullTranslations

from geo import catalog, dbfile, i18n
from geo.views import countries_of, direct_query, overview


class Marked(NullTranslations):
    """Every message comes back as ``[lang] message`` (placeholders kept)."""

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang

    def gettext(self, message):
        return f"[{self.lang}] {message}"

    def ngettext(self, singular, plural, n):
        return f"[{self.lang}] {singular if n == 1 else plural}"


@pytest.fixture()
def marked(monkeypatch):
    """French and Spanish answer with the stand-in catalogue; English stays English."""
    real = i18n.translations
    monkeypatch.setattr(
        i18n, "translations", lambda lang: Marked(lang) if lang in ("fr", "es") else real(lang)
    )


@pytest.fixture()
def view(con):
    q = direct_query(con)
    return overview.build(q, countries_of(con)), q


def test_overview_figures_in_each_language(view, con):
    """The export headline and subtitle: numbers and dates as Babel writes them for the
    language (77 743 / 77.743; janvier 2014 / enero de 2014), English as before."""
    v, q = view
    total, first, last = con.execute(
        "SELECT sum(dead_and_missing), min(incident_date), max(incident_date) FROM incidents"
    ).fetchone()
    exp = overview.export(v, q)
    assert exp.headline == f"{int(total):,} dead and missing since {first:%B %Y}"
    assert exp.subtitle.startswith(
        f"Dead and missing per 2° cell, {first:%d %b %Y} to {last:%d %b %Y};"
    )
    for lang in ("fr", "es"):
        with i18n.using(lang):
            exp = overview.export(v, q)
        assert format_decimal(int(total), format="#,##0", locale=lang) in exp.headline
        assert format_skeleton("yMMMM", first, locale=lang) in exp.headline
        assert format_date(last, "d MMM y", locale=lang) in exp.subtitle
        assert f"{int(total):,}" not in exp.headline  # never the English separator


def test_layer_ids_do_not_follow_the_language(view, marked, con):
    """A link or a briefing names the Overview's layers by id: the same ids in every
    language, though the names shown are translated."""
    v, q = view
    with i18n.using("fr"):
        fr = overview.build(q, countries_of(con))
    assert [layer.stable_key for layer in fr.spec.layers] == [
        layer.stable_key for layer in v.spec.layers
    ]
    assert all(layer.name.startswith("[fr] ") for layer in fr.spec.layers[:1])
    legend = fr.spec.legends[0]
    assert legend.title.startswith("[fr] ") and legend.note.startswith("[fr] ")
    # Every legend item still names a layer of the map (a hidden layer hides its items).
    keys = {layer.stable_key for layer in fr.spec.layers}
    assert {i.layer for i in legend.items} <= keys


def test_catalogue_is_translated_when_asked(marked):
    """credit_for / citation_for / licence_for answer in the language of the call; the
    constants stay English (they are marked, not translated, at import)."""
    keys = ("mmp_export", "wup_cities", "unhcr_population")
    english = (catalog.credit_for(keys), catalog.citation_for(keys), catalog.licence_for(keys))
    assert catalog.DATASETS["mmp_export"].credit in english[0]
    with i18n.using("es"):
        credit, citation, licence = (
            catalog.credit_for(keys),
            catalog.citation_for(keys),
            catalog.licence_for(keys),
        )
        caveat = i18n._(catalog.MMP_CAVEAT)
    assert credit.split("; ") == [f"[es] {catalog.DATASETS[k].credit}" for k in keys]
    assert citation.split("; ")[0] == "[es] IOM Missing Migrants Project, missingmigrants.iom.int"
    assert "CC BY-IGO (MMP)" in english[2] and "[es] CC BY-IGO ([es] MMP)" in licence
    assert caveat == f"[es] {catalog.MMP_CAVEAT}"
    assert catalog.MMP_CAVEAT.startswith("Missing Migrants Project figures")
    # Back in English after the block: nothing was cached in Spanish.
    assert (catalog.credit_for(keys), catalog.citation_for(keys)) == english[:2]


def test_outdated_database_is_recognised_in_any_language(marked):
    """The app rebuilds a database of an older version when the line says so; the line
    may have been written in French (a cached check) and read in an English run."""
    with i18n.using("fr"):
        line = dbfile._outdated("table", ["cities", "sites"])
    assert line.startswith("[fr] ") and "[fr] " + dbfile.OUTDATED in line
    assert dbfile.is_outdated(line)
    assert not dbfile.is_outdated("[fr] " + i18n._(dbfile.FIX))


def test_overview_export_names_the_layers_shown_and_the_incidents_off_the_map(view, con):
    """The export's subtitle names the layers the view shows (camps and cities once the
    user switches them on, not before), and its caveat the incidents that are in the
    figures but have no position (counted here in SQL)."""
    import copy
    from dataclasses import replace

    v, q = view
    n, dm = con.execute(
        "SELECT count(*), sum(dead_and_missing) FROM incidents WHERE lat IS NULL OR lon IS NULL"
    ).fetchone()
    exp = overview.export(v, q)
    hidden = [layer.name for layer in v.spec.layers if not layer.show]
    assert hidden, "camps and cities start switched off"
    assert not any(name in exp.subtitle for name in hidden), exp.subtitle
    assert n and f"{n:,} incidents ({int(dm):,} dead and missing) have no usable position" in (
        exp.caveat
    )
    own = copy.copy(v)  # a session's view with every layer switched on
    own.spec = copy.copy(v.spec)
    own.spec.layers = [replace(layer, show=True) for layer in v.spec.layers]
    subtitle = overview.export(own, q).subtitle
    assert subtitle.startswith("Dead and missing per 2° cell")
    assert all(name in subtitle for name in hidden), subtitle
