"""Official French and Spanish names of published data values, for display only.

The data and every export keep the value as published (an MMP region, a cause of death,
an ISO3 code); a page shows :func:`region_name`, :func:`cause_name`,
:func:`incident_type_name` or :func:`country_name` of it in the run's language
(:func:`geo.i18n.language`). English is always the published value itself (or, for a
country, the name the page shows today, passed as ``default``), so English output does
not change. A value these tables do not know, such as a new category in a new MMP file,
comes back unchanged: a page never breaks on it.

Where the names come from (``data/mmp_terms.csv``, described in ``data/mmp_terms.md``):

* countries: Unicode CLDR names (Babel's ``Locale(lang).territories``), keyed by the ISO
  3166 alpha-2 code that CLDR's own alias table gives for the ISO3 code, with the United
  Nations' short names where CLDR's usage differs from the UN's (rows ``country``);
* regions: MMP's regions are UN M49 geographic sub-regions (MMP, "Regional
  classifications") plus the Mediterranean; their names are CLDR's names of the M49
  areas, checked against Babel by the tests;
* causes of death and incident types: MMP's French and Spanish pages do not give these
  category labels, so they are our translations (marked so in the note).

Route names are proper names in MMP's data and stay as published.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable
from pathlib import Path

from babel import Locale
from babel.core import get_global

from geo import i18n

TERMS_FILE = Path(__file__).resolve().parent.parent / "data" / "mmp_terms.csv"
KINDS = ("region", "cause", "type", "country")


@functools.cache
def terms() -> dict[tuple[str, str], dict[str, str]]:
    """The term table: ``(kind, value) -> {"fr": ..., "es": ...}`` (blank names left out).

    Returns
    -------
    dict
        One entry per row of ``data/mmp_terms.csv``; ``value`` is the published English
        value, or an ISO3 code for ``country``.
    """
    out: dict[tuple[str, str], dict[str, str]] = {}
    with TERMS_FILE.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            names = {lang: row[lang] for lang in ("fr", "es") if row.get(lang)}
            out[(row["kind"], row["value"])] = names
    return out


def _lang(lang: str | None) -> str:
    return lang or i18n.language()


def term(kind: str, value, lang: str | None = None) -> str:
    """The name of a published ``value`` of ``kind`` (``region``, ``cause``, ``type``) in
    ``lang`` (default: this run's language); the value itself in English or when unknown.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS` (``country`` rows hold overrides only: use
        :func:`country_name`).
    value : object
        The published value; ``None`` and non-text values come back as they are.
    lang : str, optional
        ``en``, ``fr`` or ``es``.
    """
    if not isinstance(value, str):
        return value
    lang = _lang(lang)
    if lang == i18n.DEFAULT:
        return value
    return terms().get((kind, value), {}).get(lang, value)


def region_name(value, lang: str | None = None) -> str:
    """An MMP region (``Region of Incident``) as MMP / the UN name it in ``lang``."""
    return term("region", value, lang)


def cause_name(value, lang: str | None = None) -> str:
    """An MMP cause-of-death category in ``lang`` (the published value in English)."""
    return term("cause", value, lang)


def incident_type_name(value, lang: str | None = None) -> str:
    """An MMP incident type in ``lang``. MMP joins two types with a comma
    (``Incident,Split Incident``): each part is named and they are joined with ", "."""
    if not isinstance(value, str):
        return value
    lang = _lang(lang)
    if lang == i18n.DEFAULT or ("type", value) in terms():
        return term("type", value, lang)
    parts = [p.strip() for p in value.split(",")]
    if len(parts) > 1 and all(("type", p) in terms() for p in parts):
        return ", ".join(term("type", p, lang) for p in parts)
    return value


def joined_names(kind: str, text, lang: str | None = None, sep: str = ", ") -> str:
    """A ``sep``-joined list of published values (a query's ``array_to_string(causes,
    ', ')``) with each value named in ``lang``.

    Causes themselves contain ", " ("shelter, food, water"), so the text is not split on
    ``sep``: it is read as known values separated by ``sep``, longest value first. When it
    is not made only of known values, it comes back unchanged.
    """
    if not isinstance(text, str) or not text:
        return text
    lang = _lang(lang)
    if lang == i18n.DEFAULT:
        return text
    pattern = _values_pattern(kind)
    if pattern is None:
        return text
    whole = re.compile(f"(?:{pattern.pattern})(?:{re.escape(sep)}(?:{pattern.pattern}))*")
    if not whole.fullmatch(text):
        return text
    return pattern.sub(lambda m: term(kind, m.group(0), lang), text)


@functools.cache
def _values_pattern(kind: str) -> re.Pattern | None:
    values = sorted((v for k, v in terms() if k == kind), key=len, reverse=True)
    if not values:
        return None
    return re.compile("|".join(re.escape(v) for v in values))


@functools.cache
def iso3_to_alpha2() -> dict[str, str]:
    """ISO 3166 alpha-3 -> alpha-2, from CLDR's territory aliases (as Babel ships them).

    Only one-to-one aliases count: a withdrawn code that CLDR splits into several (``ANT``)
    has no single name.
    """
    aliases = get_global("territory_aliases")
    return {
        k: v[0]
        for k, v in aliases.items()
        # ZZ is CLDR's "Unknown Region", where ZZZ points: not a country
        if len(k) == 3 and k.isalpha() and isinstance(v, list) and len(v) == 1 and v[0] != "ZZ"
    }


def country_name(iso3, lang: str | None = None, default: str | None = None) -> str:
    """The name of a country (ISO3 code) in ``lang`` (default: this run's language).

    Parameters
    ----------
    iso3 : str
        ISO 3166 alpha-3 code (Natural Earth's non-ISO codes such as ``KOS`` or ``SOL``
        have no CLDR name and fall back to ``default``).
    lang : str, optional
        ``en``, ``fr`` or ``es``.
    default : str, optional
        The name the page shows today (Natural Earth's short name or the publisher's);
        returned in English, and in French or Spanish when the code has no name.

    Returns
    -------
    str
        UN short name where it differs from CLDR's (``data/mmp_terms.csv``), else CLDR's
        name; in English ``default`` (or CLDR's English name, or the code, without one).
    """
    if not isinstance(iso3, str):
        return default if default is not None else iso3
    lang = _lang(lang)
    if lang == i18n.DEFAULT and default is not None:
        return default
    override = terms().get(("country", iso3.upper()), {}).get(lang)
    if override:
        return override
    alpha2 = iso3_to_alpha2().get(iso3.upper())
    if alpha2:
        name = _territories(lang).get(alpha2)
        if name:
            return name
    return default if default is not None else iso3


@functools.cache
def _territories(lang: str) -> dict[str, str]:
    return dict(Locale.parse(lang).territories)


def names_of(kind: str, values: Iterable, lang: str | None = None) -> list:
    """:func:`term` of each value (a column of a table, a list of filter choices)."""
    return [term(kind, v, lang) for v in values]
