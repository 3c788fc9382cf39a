"""English, French and Spanish: gettext catalogues (``locale/<lang>/LC_MESSAGES/atlas.po``,
compiled to ``.mo`` at setup) and locale formats of numbers and dates, with Babel.

The language is per session, never per process: a ``ContextVar`` holds it for the code
running now (Streamlit runs each session's script in its own thread and sets it at the
top of each run, :mod:`app`), so one viewer's French never reaches another's page. Library
code calls :func:`_` and the ``fmt_*`` functions and never asks who is viewing.

Messages are marked in the code with ``_("...")`` (translated where it runs) or
``N_("...")`` (a module-level constant, translated where it is shown with ``_(CONST)``);
``python scripts/i18n.py extract`` collects them, ``check`` fails on a message missing in a
catalogue or a stale catalogue (tests/test_i18n.py).
"""

from __future__ import annotations

import decimal
import functools
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _format_date
from babel.numbers import NumberPattern, format_percent, get_decimal_symbol, parse_pattern
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "atlas"
LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}
DEFAULT = "en"

_current: ContextVar[str] = ContextVar("atlas_language", default=DEFAULT)


def language() -> str:
    """The language of the code running now (``en``, ``fr`` or ``es``)."""
    return _current.get()


def set_language(lang: str | None) -> str:
    """Use ``lang`` for the rest of this run (this thread's context); returns the language
    used (English for anything not offered)."""
    lang = lang if lang in LANGUAGES else DEFAULT
    _current.set(lang)
    return lang


@contextmanager
def using(lang: str) -> Iterator[str]:
    """Run a block in ``lang`` (an export made for a chosen language), then go back."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def bound(fn: Callable, lang: str | None = None) -> Callable:
    """``fn`` that runs in ``lang`` (default: the language now) wherever it is called: for
    a download button's data, made later in another thread."""
    lang = lang or language()

    def run(*args, **kwargs):
        with using(lang):
            return fn(*args, **kwargs)

    return run


def negotiate(accept_language: str | None) -> str:
    """The offered language a browser's ``Accept-Language`` header prefers (English when
    it names none of ours)."""
    best = DEFAULT
    weighted = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        code = tag.strip().lower().split("-")[0]
        if code in LANGUAGES and weight > 0:
            weighted.append((-weight, i, code))
    if weighted:
        best = min(weighted)[2]
    return best


@functools.cache
def translations(lang: str) -> NullTranslations:
    """The catalogue of ``lang``: the compiled ``.mo`` when setup made it, else the
    ``.po`` compiled in memory (a fresh clone), else none (English)."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return NullTranslations()
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    mo = folder / f"{DOMAIN}.mo"
    po = folder / f"{DOMAIN}.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as f:
            return Translations(f, domain=DOMAIN)
    if po.exists():
        import io

        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as f:
            catalog = read_po(f, locale=lang, domain=DOMAIN)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return Translations(buf, domain=DOMAIN)
    return NullTranslations()


def _(message: str) -> str:
    """``message`` in the language of this run (itself when it has no translation)."""
    if not message:
        return message
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, in this run's language."""
    return translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name
    """Mark a module-level message for extraction; translate it where shown: ``_(CONST)``."""
    return message


def babel_locale(lang: str | None = None) -> Locale:
    """Babel's locale of a language (this run's by default)."""
    return _locale(lang or language())


@functools.lru_cache(maxsize=32)
def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT)


# Babel's format_decimal parses its pattern and the locale at every call: a map's table
# formats thousands of numbers (a cell's position alone is two), so both are kept. The
# pattern's apply() with its defaults is what format_decimal does with its own.
@functools.lru_cache(maxsize=32)
def _number_pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


# A map's popups and table repeat the same small counts and cell positions thousands of
# times; Babel takes 10-20 µs for each, a dict 0.1 µs. (NaN is never equal to itself, so
# it is formatted every time, correctly.)
@functools.lru_cache(maxsize=16384)
def _formatted_cached(lang: str, pattern: str, value: float) -> str:
    return _under_thousand(lang, pattern, value) or _number_pattern(pattern).apply(
        value, _locale(lang)
    )


# The app's two patterns, "#,##0" and "#,##0.0…", and the step each rounds to.
_QUANTA = {
    "#,##0": decimal.Decimal(1),
    **{"#,##0." + "0" * n: decimal.Decimal(1).scaleb(-n) for n in range(1, 7)},
}
_ZERO = decimal.Decimal(0)


def _under_thousand(lang: str, pattern: str, value: float) -> str | None:
    """What Babel writes for ``value`` in one of the app's patterns when it is positive
    and rounds below 1,000, else None (then Babel writes it).

    Such a number has no group separator in any language, so only the decimal sign is
    the language's. It is rounded as Babel rounds: the float's shortest text as a
    Decimal, half to even. A map's table writes hundreds of cell positions for each new
    state, and Babel takes 30 µs for each (issue 19); ``tests/test_i18n.py`` compares the
    two on every language.
    """
    quantum = _QUANTA.get(pattern)
    if quantum is None or not 0 <= value < 1000:  # (False for NaN)
        return None
    rounded = decimal.Decimal(repr(float(value))).quantize(quantum)
    if rounded >= 1000 or (rounded == _ZERO and rounded.is_signed()):
        return None
    return f"{rounded:f}".replace(".", _decimal_symbol(lang))  # (no "." in a whole number)


@functools.lru_cache(maxsize=32)
def _decimal_symbol(lang: str) -> str:
    return get_decimal_symbol(_locale(lang))


def _formatted(lang: str, pattern: str, value: float) -> str:
    if value == 0 and math.copysign(1.0, value) < 0:  # -0.0 (Babel writes "-0"), a key
        return _number_pattern(pattern).apply(value, _locale(lang))  # equal to 0.0's
    return _formatted_cached(lang, pattern, value)


def fmt_int(n) -> str:
    """A whole number as the language writes it: 76,272 / 76 272 / 76.272."""
    if n is None:
        return "–"
    return _formatted(language(), "#,##0", round(float(n)))


def fmt_num(x, digits: int = 1) -> str:
    """A number with ``digits`` decimals as the language writes it (1,234.5 / 1 234,5)."""
    if x is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return _formatted(language(), pattern, float(x))


def fmt_pct(share, digits: int = 0) -> str:
    """A share (0.5) as a percentage in the language's style (50%, 50 %)."""
    if digits <= 0:
        return format_percent(float(share), locale=babel_locale())
    pattern = "#,##0." + "0" * digits + "%"
    return format_percent(float(share), format=pattern, locale=babel_locale())


# English keeps the app's own day-month-year forms (02 Jan 2014, 02 January 2014);
# French and Spanish take Babel's (CLDR) month names and abbreviations.
_EN_DATES = {"medium": "%d %b %Y", "long": "%d %B %Y", "short": "%d/%m/%Y", "MMM y": "%b %Y"}
_DATES = {"medium": "d MMM y", "long": "d MMMM y", "short": "dd/MM/y"}
# Spanish writes a long date with "de": 26 de noviembre de 2026.
_LANG_DATES = {"es": {"long": "d 'de' MMMM 'de' y"}}


def fmt_date(d: date | datetime, style: str = "medium") -> str:
    """A date as the language writes it: ``medium`` 08 Sep 2025 / 8 sept. 2025 /
    8 sept 2025; ``long`` 08 September 2025 / 8 septembre 2025; ``short``
    08/09/2025; ``MMM y`` for a month."""
    if d is None:
        return "–"
    if hasattr(d, "to_pydatetime"):
        d = d.to_pydatetime()
    if isinstance(d, datetime):
        d = d.date()
    if language() == DEFAULT:
        return d.strftime(_EN_DATES.get(style, "%d %b %Y"))
    pattern = _LANG_DATES.get(language(), {}).get(style) or _DATES.get(style, style)
    return _format_date(d, format=pattern, locale=babel_locale())


def fmt_month(d: date | datetime) -> str:
    """A month and year: Sep 2025 / sept. 2025 / sept 2025."""
    return fmt_date(d, "MMM y")


__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "N_",
    "_",
    "bound",
    "fmt_date",
    "fmt_int",
    "fmt_month",
    "fmt_num",
    "fmt_pct",
    "language",
    "negotiate",
    "ngettext",
    "set_language",
    "translations",
    "using",
]
