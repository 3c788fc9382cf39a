"""French and Spanish names of published values (geo/names.py, data/mmp_terms.csv):
every region, cause and incident type in the real data has one, English is the
published value, unknown values pass through, countries follow CLDR/UN."""

from __future__ import annotations

import csv

import pytest
from babel import Locale

from geo import i18n
from geo.names import (
    TERMS_FILE,
    cause_name,
    country_name,
    incident_type_name,
    iso3_to_alpha2,
    joined_names,
    region_name,
)

NAMERS = {"region": region_name, "cause": cause_name, "type": incident_type_name}
# Natural Earth codes that are not ISO 3166: no CLDR name, the page's own name is kept.
NO_ISO_NAME = {"KOS", "SOL", "CYN"}


def _rows() -> list[dict]:
    with TERMS_FILE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _values(con, kind: str) -> list[str]:
    sql = {
        "region": "SELECT DISTINCT unnest(regions) FROM incidents",
        "cause": "SELECT DISTINCT unnest(causes) FROM incidents",
        "type": "SELECT DISTINCT incident_type FROM incidents",
    }[kind]
    return sorted(v for (v,) in con.execute(sql).fetchall() if v)


@pytest.mark.parametrize("kind", ["region", "cause", "type"])
def test_every_published_value_has_french_and_spanish(con, kind):
    name = NAMERS[kind]
    values = _values(con, kind)
    assert values, f"no {kind} values in the data"
    missing = [
        (lang, v)
        for v in values
        for lang in ("fr", "es")
        # a name is given when it differs, or the table says the same word is right
        if name(v, lang) == v and not _listed_same(kind, v, lang)
    ]
    assert not missing, f"{kind} values without a French/Spanish name: {missing}"


def _listed_same(kind: str, value: str, lang: str) -> bool:
    """The table gives this value the same spelling in ``lang`` (e.g. fr «Violence»)."""
    return any(r["kind"] == kind and r["value"] == value and r[lang] == value for r in _rows())


@pytest.mark.parametrize("kind", ["region", "cause", "type"])
def test_english_is_the_published_value(con, kind):
    name = NAMERS[kind]
    for v in _values(con, kind):
        assert name(v, "en") == v
        with i18n.using("en"):
            assert name(v) == v


def test_language_comes_from_the_run():
    row = next(r for r in _rows() if r["kind"] == "region")
    for lang in ("fr", "es"):
        with i18n.using(lang):
            assert region_name(row["value"]) == row[lang]
    assert region_name(row["value"]) == row["value"]  # default run: English


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_unknown_values_pass_through(lang):
    for fn in (region_name, cause_name, incident_type_name):
        assert fn("A category from next year's file", lang) == "A category from next year's file"
        assert fn(None, lang) is None
    assert incident_type_name("Incident,Brand new type", lang) == "Incident,Brand new type"
    assert country_name("ZZZ", lang) == "ZZZ"
    assert country_name("ZZZ", lang, default="Nowhere") == "Nowhere"


def test_regions_are_cldr_names_of_un_m49_areas():
    rows = [r for r in _rows() if r["kind"] == "region" and r["m49"]]
    assert rows
    for r in rows:
        assert Locale("en").territories[r["m49"]].lower().replace("-", "") in (
            r["value"].lower().replace("-", ""),
            # CLDR's English shortens one M49 name: South-eastern Asia -> Southeast Asia
            "southeast asia" if r["m49"] == "035" else None,
        ), r
        for lang in ("fr", "es"):
            assert r[f"source_{lang}"] == "cldr-m49"
            assert r[lang] == Locale(lang).territories[r["m49"]], (r["value"], lang)


def test_combined_incident_type_names_each_part(con):
    combined = [v for v in _values(con, "type") if "," in v]
    assert combined, "the data no longer has a combined incident type"
    for v in combined:
        parts = v.split(",")
        assert incident_type_name(v, "es") == ", ".join(incident_type_name(p, "es") for p in parts)


def test_joined_causes_of_real_incidents(con):
    rows = con.execute(
        "SELECT DISTINCT causes, array_to_string(causes, ', ') FROM incidents WHERE len(causes) > 0"
    ).fetchall()
    assert any(len(c) > 1 for c, _text in rows), "no incident with two causes"
    for causes, text in rows:
        for lang in ("fr", "es"):
            assert joined_names("cause", text, lang) == ", ".join(
                cause_name(c, lang) for c in causes
            )
        assert joined_names("cause", text, "en") == text
    assert joined_names("cause", "Drowning, Something new", "fr") == "Drowning, Something new"


def test_iso3_to_alpha2_agrees_with_the_numeric_codes(con):
    """CLDR's alpha-3 alias and its numeric alias of the same country (Natural Earth's
    iso_n3) must lead to the same alpha-2 code: the mapping is not guessed."""
    from babel.core import get_global

    aliases = get_global("territory_aliases")
    rows = con.execute("SELECT iso3, iso_n3 FROM countries WHERE iso_n3 IS NOT NULL").fetchall()
    checked = 0
    for iso3, n3 in rows:
        by_num = aliases.get(f"{int(n3):03d}")
        if iso3 in iso3_to_alpha2() and by_num and len(by_num) == 1:
            assert iso3_to_alpha2()[iso3] == by_num[0], iso3
            checked += 1
    assert checked > 150


@pytest.mark.parametrize("iso3", ["BGD", "SYR", "MEX", "LBY", "AFG", "TUR", "COD"])
@pytest.mark.parametrize("lang", ["fr", "es"])
def test_country_names_follow_cldr_or_the_un(iso3, lang):
    override = next(
        (r[lang] for r in _rows() if r["kind"] == "country" and r["value"] == iso3 and r[lang]),
        None,
    )
    expected = override or Locale(lang).territories[iso3_to_alpha2()[iso3]]
    assert country_name(iso3, lang) == expected
    with i18n.using(lang):
        assert country_name(iso3, default="anything") == expected


def test_english_country_names_unchanged_and_every_site_country_named(con):
    rows = con.execute(
        "SELECT iso3, coalesce(any_value(c.name), mode(s.country), s.iso3) AS name "
        "FROM sites AS s LEFT JOIN countries AS c USING (iso3) "
        "WHERE iso3 IS NOT NULL GROUP BY iso3"
    ).fetchall()
    assert rows
    for iso3, name in rows:
        assert country_name(iso3, "en", default=name) == name
        for lang in ("fr", "es"):
            shown = country_name(iso3, lang, default=name)
            assert shown, iso3
            if iso3 not in NO_ISO_NAME:
                assert iso3 in iso3_to_alpha2(), f"{iso3} has no ISO alpha-2 code in CLDR"


def test_table_is_well_formed():
    rows = _rows()
    keys = [(r["kind"], r["value"]) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate rows"
    for r in rows:
        assert r["kind"] in ("region", "cause", "type", "country"), r
        for lang in ("fr", "es"):
            assert r[lang] == r[lang].strip(), r
            assert bool(r[lang]) == bool(r[f"source_{lang}"]), r
        if r["kind"] == "country":
            assert r["value"] in iso3_to_alpha2(), r
