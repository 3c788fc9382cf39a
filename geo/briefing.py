"""Briefings: ordered views kept in ``data/briefings/*.toml``, shown by the Briefing
page and exported as one PDF with a slide a page.

A slide names a page and its URL parameters, a headline and a caption. Figures in the
texts come from queries (``figures``) run with the slide's own filters, so a briefing
file holds no number of its own.
"""

from __future__ import annotations

import dataclasses
import numbers
import string
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from geo.mapspec import UI_KEYS, VIEW_KEYS, apply_view, link_view
from geo.pages import app_link
from geo.queries import UnknownQuery, query_names
from geo.registry import PAGE_KEYS, PageRender, render_page
from geo.settings import briefings_dir
from geo.views import Query

# What a briefing file and each of its slides may hold.
# Other languages' texts (geo/i18n.py): a table per language, e.g. [slides.fr] with
# headline, caption and notes; a missing one falls back to the slide's own text.
LANGS = ("fr", "es")
FILE_FIELDS = ("title", "description", "slides", *LANGS)
SLIDE_FIELDS = ("page", "headline", "caption", "notes", "params", "figures", *LANGS)
PARAMS_EXAMPLE = 'params = { routes = "Central Mediterranean" }'
# Parameters whose values come from the data ("route 'X' is not in the data"); the
# others take one of a fixed set of values.
DATA_VALUES = {"regions", "routes", "causes", "types", "type", "country", "year", "from", "to"}
LABELS = {
    "regions": "region",
    "routes": "route",
    "causes": "cause of death",
    "types": "incident type",
    "type": "site type",
    "ryear": "refugee year",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a briefing file: where (file, slide, field) and what.

    ``message`` says what is wrong and what is expected. It quotes the file's own text,
    so it is shown as literal text, never as Markdown.
    """

    file: str
    slide: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.slide is not None:
            where += f", slide {self.slide}"
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.message}"


class BriefingError(ValueError):
    """A briefing file or slide that cannot be used; the message names the file and the
    slide, and ``problems`` lists each :class:`Problem`."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


@dataclass
class Slide:
    """One view of a briefing; ``file`` and ``number`` say where it is written.

    ``params`` is the view's link: the page's filters plus the map view (``lat``,
    ``lon``, ``z``), the overlays shown (``layers``) and the open tab (``section``).
    ``headline`` and ``caption`` quote figures as ``{name}`` (:func:`slide_figures`);
    ``notes`` are the speaker's, shown only in the presenter view.
    """

    page: str
    headline: str
    caption: str = ""
    params: dict[str, str] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    number: int = 0
    file: str = ""
    notes: str = ""
    texts: dict[str, dict[str, str]] = field(default_factory=dict)

    def text(self, name: str, lang: str | None = None) -> str:
        """``headline``, ``caption`` or ``notes`` in ``lang`` (default: the language of
        this run), or the slide's own text when that language has none."""
        from geo.i18n import language

        lang = lang or language()
        own = getattr(self, name)
        return self.texts.get(lang, {}).get(name) or own


@dataclass
class Briefing:
    """A briefing file: its usable slides (a slide with a problem is left out)."""

    key: str
    title: str
    description: str
    slides: list[Slide]
    texts: dict[str, dict[str, str]] = field(default_factory=dict)

    def text(self, name: str, lang: str | None = None) -> str:
        """``title`` or ``description`` in ``lang`` (default: this run's language)."""
        from geo.i18n import language

        return self.texts.get(lang or language(), {}).get(name) or getattr(self, name)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _kind(value: object) -> str:
    """The TOML name of a value's type, for messages."""
    names = {str: "text", bool: "true/false", int: "a whole number", float: "a number"}
    names |= {list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _short(value: object, n: int = 60) -> str:
    s = repr(value)
    return s if len(s) <= n else s[: n - 1] + "…"


def _param_value(value: object) -> str | None:
    """A slide's parameter as a URL value (lists joined by ``|``), or ``None`` when it
    has no URL form (a table, a list of tables)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str | int | float | date):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "|".join(str(v) for v in value)
    return None


def _check_slide(name: str, i: int, s: dict, known: set[str]) -> tuple[Slide | None, list]:
    """Check one ``[[slides]]`` table: (the slide or ``None``, its problems)."""
    problems: list[Problem] = []

    def bad(fld: str, message: str) -> None:
        problems.append(Problem(name, i, fld, message))

    for key in s:
        if key not in SLIDE_FIELDS:
            bad(key, f"unknown field (a slide has {', '.join(SLIDE_FIELDS)})")
    page = s.get("page")
    if page not in PAGE_KEYS:
        found = "missing" if page is None else f"{_short(page)} is not a page"
        bad("page", f"{found}; page must be one of {', '.join(PAGE_KEYS)}")
    texts = {}
    for key, required in (("headline", True), ("caption", False), ("notes", False)):
        value = s.get(key, None if required else "")
        if required and (value is None or value == ""):
            bad(key, "missing: every slide needs a headline (text)")
        elif not isinstance(value, str):
            bad(key, f"text expected, found {_kind(value)} {_short(value)}")
        else:
            try:
                if key != "notes":  # notes are said, not filled in: braces are braces
                    _fields(value)
                texts[key] = value
            except ValueError as exc:
                bad(key, f"not a valid text with figures ({exc}); write {{{{ and }}}} for braces")
    translated = _language_tables(s, ("headline", "caption", "notes"), bad, ("headline", "caption"))
    figures = s.get("figures", [])
    if isinstance(figures, str):
        figures = [figures]
    if not isinstance(figures, list) or not all(isinstance(f, str) for f in figures):
        bad("figures", f"a query name or a list of them expected, found {_short(figures)}")
        figures = []
    for f in figures:
        if f not in known:
            bad("figures", f"no query named {_short(f)} in queries/")
    raw = s.get("params", {})
    params: dict[str, str] = {}
    if not isinstance(raw, dict):
        bad(
            "params",
            f"a table expected, such as {PARAMS_EXAMPLE}; found {_kind(raw)} {_short(raw)}",
        )
    else:
        for key, value in raw.items():
            text = _param_value(value)
            if text is None:
                bad(
                    f"params.{key}",
                    f"text, a number or a list of them expected, found {_kind(value)}",
                )
            else:
                params[str(key)] = text
    if problems:
        return None, problems
    slide = Slide(
        page, texts["headline"], texts["caption"], params, figures, i, name, texts["notes"]
    )
    slide.texts = translated
    return slide, problems


def _language_tables(
    table: dict, fields: tuple[str, ...], bad, templates: tuple[str, ...] = ()
) -> dict[str, dict[str, str]]:
    """The ``[fr]`` / ``[es]`` tables of a briefing or slide: language -> field -> text.

    Each problem (not a table, an unknown field, not text, broken braces in one of
    ``templates``) goes to ``bad(field, message)``; the good texts are kept.
    """
    out: dict[str, dict[str, str]] = {}
    names = ", ".join(fields)
    spoken = ", ".join(fields[:-1]) + " and " + fields[-1]  # "headline, caption and notes"
    for lang in LANGS:
        texts = table.get(lang, {})
        if not isinstance(texts, dict):
            bad(lang, f"a table of {spoken} expected, found {_kind(texts)}")
            continue
        for key, value in texts.items():
            if key not in fields:
                bad(f"{lang}.{key}", f"unknown field (a language's table has {names})")
            elif not isinstance(value, str):
                bad(f"{lang}.{key}", f"text expected, found {_kind(value)} {_short(value)}")
            elif key in templates and _broken_braces(value):
                bad(f"{lang}.{key}", "not a valid text with figures; write {{ and }} for braces")
            else:
                out.setdefault(lang, {})[key] = value
    return out


def _broken_braces(text: str) -> bool:
    try:
        _fields(text)
    except ValueError:
        return True
    return False


def read_briefing(path: Path) -> tuple[Briefing | None, list[Problem]]:
    """Read a briefing file and check everything that needs no database.

    Each problem (TOML syntax, a field of the wrong type, an unknown page, query or
    field, a missing headline) is reported once with its file, slide and field; the
    slides without a problem are kept. The parameters' values are checked against the
    data by :func:`slide_problems`.

    Parameters
    ----------
    path : Path
        A ``.toml`` briefing file.

    Returns
    -------
    (Briefing or None, list of Problem)
        The briefing with its usable slides (``None`` when it has none), and the problems.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(path.name, None, "", f"cannot be read ({exc.strerror or exc})")]
    return read_briefing_bytes(raw, path.name)


MAX_FILE_BYTES = 1_000_000  # a briefing of a hundred slides is under 100 kB


def read_briefing_bytes(raw: bytes, name: str) -> tuple[Briefing | None, list[Problem]]:
    """:func:`read_briefing` of a file's content (an upload): ``name`` is the file name
    the messages quote, and its stem the briefing's key."""
    problems: list[Problem] = []

    def bad(fld: str, message: str) -> None:
        problems.append(Problem(name, None, fld, message))

    if len(raw) > MAX_FILE_BYTES:
        bad("", f"too large for a briefing ({len(raw):,} bytes; at most {MAX_FILE_BYTES:,})")
        return None, problems
    try:
        data = tomllib.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        bad("", f"not a valid TOML file ({exc})")
        return None, problems
    except UnicodeDecodeError as exc:
        bad("", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None, problems
    for key in data:
        if key not in FILE_FIELDS:
            bad(key, f"unknown field (a briefing has {', '.join(FILE_FIELDS)})")
    meta = {}
    for key, default in (("title", Path(name).stem), ("description", "")):
        value = data.get(key, default)
        if not isinstance(value, str):
            bad(key, f"text expected, found {_kind(value)} {_short(value)}")
            value = default
        meta[key] = value
    file_texts = _language_tables(data, ("title", "description"), bad)
    raw = data.get("slides")
    if not isinstance(raw, list) or not raw:
        found = "" if raw is None else f" (found {_kind(raw)})"
        bad("slides", f"no [[slides]]{found}: a briefing needs at least one [[slides]] table")
        return None, problems
    slides = []
    known = set(query_names())
    for i, s in enumerate(raw, start=1):
        if not isinstance(s, dict):
            problems.append(Problem(name, i, "", f"a [[slides]] table expected, found {_kind(s)}"))
            continue
        slide, found = _check_slide(name, i, s, known)
        problems += found
        if slide is not None:
            slides.append(slide)
    if not slides:
        return None, problems
    b = Briefing(Path(name).stem, meta["title"], meta["description"], slides, file_texts)
    return b, problems


def load_briefing(path: Path) -> Briefing:
    """Read a briefing file that must have no problem at all.

    Raises
    ------
    BriefingError
        Every problem :func:`read_briefing` finds, one per line.
    """
    b, problems = read_briefing(path)
    if problems or b is None:
        raise BriefingError("\n".join(map(str, problems)), problems)
    return b


def read_briefings(folder: Path | None = None) -> tuple[list[Briefing], list[Problem]]:
    """Every usable briefing of the folder (by file name) and every problem found.

    Parameters
    ----------
    folder : Path, optional
        Default :func:`geo.settings.briefings_dir` (``$ATLAS_BRIEFINGS``).

    Returns
    -------
    (list of Briefing, list of Problem)
        A file with some bad slides gives its good ones; a file with none gives none.
    """
    folder = briefings_dir() if folder is None else folder
    found, problems = [], []
    for path in sorted(folder.glob("*.toml")):
        b, bad = read_briefing(path)
        problems += bad
        if b is not None:
            found.append(b)
    return found, problems


def briefings(folder: Path | None = None) -> list[Briefing]:
    """Every briefing in the folder, by file name; any problem raises :class:`BriefingError`."""
    folder = briefings_dir() if folder is None else folder
    return [load_briefing(p) for p in sorted(folder.glob("*.toml"))]


class _Asked(dict):
    """A slide's parameters, noting each name a page's ``from_params`` asks for."""

    def __init__(self, params: dict, asked: set):
        super().__init__(params)
        self.asked = asked

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


def _listed(values: list[str], n: int = 12) -> str:
    if not values:
        return "none"
    more = f", … ({len(values)} in all)" if len(values) > n else ""
    return ", ".join(values[:n]) + more


def slide_problems(slide: Slide, q: Query, opts: object = None) -> list[Problem]:
    """What is wrong with a slide's parameters, read exactly as a link is read.

    The page's own ``from_params`` (:func:`geo.registry.page_state`) decides: a value it
    ignores (a route, country or year not in the data, a date out of range...) or a name
    it never asks for is a problem, because the slide would show the page's default (all
    routes, say) under the slide's headline.

    Parameters
    ----------
    slide : Slide
        A slide that passed :func:`read_briefing`.
    q : Query
        Runs the option queries of the slide's page.
    opts : object, optional
        :func:`geo.registry.page_options` of the page, when already known.

    Returns
    -------
    list of Problem
        One per parameter at fault, e.g. ``route 'X' is not in the data (known: ...)``.
    """
    from geo.registry import page_options, page_state, param_choices

    opts = page_options(slide.page, q) if opts is None else opts
    asked: set[str] = set()
    page_state(slide.page, _Asked(slide.params, asked), opts)
    out: list[Problem] = []

    def bad(fld: str, message: str) -> None:
        out.append(Problem(slide.file, slide.number, fld, message))

    if any(k in slide.params for k in VIEW_KEYS) and link_view(slide.params) is None:
        bad(
            "params.lat, params.lon, params.z",
            "not a map view: lat -90 to 90, lon -180 to 180 and z 1 to 12, all three",
        )
    for key in slide.params:
        if key not in asked and key not in UI_KEYS:
            names = ", ".join(sorted(asked)) or "none"
            bad(f"params.{key}", f"not a filter of the {slide.page} page (its filters: {names})")
    unknown = len(out)
    params = {k: v for k, v in slide.params.items() if k in asked and k not in UI_KEYS}
    _, notes = page_state(slide.page, params, opts)
    if not notes:
        return out
    choices = param_choices(slide.page, opts)
    explained: dict[str, list[str]] = {}
    for key, value in params.items():
        # The notes that go when this parameter goes are this parameter's.
        _, without = page_state(slide.page, {k: v for k, v in params.items() if k != key}, opts)
        gone = [n for n in notes if n not in without]
        if not gone:
            continue
        allowed = choices.get(key)
        wrong = [v for v in value.split("|") if v and v not in allowed] if allowed else []
        if wrong:
            label = LABELS.get(key, key)
            values = ", ".join(_short(v) for v in wrong[:5])
            verb = "is" if len(wrong) == 1 else "are"
            where = "in the data (known" if key in DATA_VALUES else "a choice (choices"
            bad(f"params.{key}", f"{label} {values} {verb} not {where}: {_listed(allowed)})")
        else:
            for note in gone:
                explained.setdefault(note, []).append(f"params.{key}")
    for note, keys in explained.items():
        bad(", ".join(keys), note)
    if len(out) == unknown:
        for note in notes:  # no single parameter took the blame: say what the page said
            bad("params", note)
    return out


def check_briefing(b: Briefing, q: Query) -> dict[int, list[Problem]]:
    """:func:`slide_problems` of every slide, by 1-based position in ``b.slides``."""
    from geo.registry import page_options

    opts: dict[str, object] = {}
    out = {}
    for n, slide in enumerate(b.slides, start=1):
        if slide.page not in opts:
            opts[slide.page] = page_options(slide.page, q)
        found = slide_problems(slide, q, opts[slide.page])
        if found:
            out[n] = found
    return out


def _figure_params(q: Query, page: PageRender) -> dict:
    """Bound parameters for a slide's figure queries: the page's own filters."""
    span = q("incident_date_range").iloc[0]
    params: dict = {
        "date_from": span["first_date"],
        "date_to": span["last_date"],
        "regions": [],
        "routes": [],
        "causes": [],
        "types": [],
        "year": span["last_date"].year,
    }
    state = getattr(page.view, "state", None)
    if state is not None:
        params.update(dataclasses.asdict(state))
        if hasattr(state, "query_params"):  # the bound parameters of the page's queries
            params.update(state.query_params())
    return params


NO_VALUE = "none"  # a figure with no value: a date or a name of no incident at all


class _Figures(string.Formatter):
    """Fills a slide's text. A figure without a value (the first date of no incidents)
    reads "none" whatever its format: ``{first_date:%Y}`` cannot crash the slide."""

    def format_field(self, value, format_spec):
        if _null(value):
            return NO_VALUE
        from geo.i18n import DEFAULT, language

        if language() != DEFAULT:  # the figure as the slide's language writes it
            localised = _localised(value, format_spec)
            if localised is not None:
                return localised
        return super().format_field(value, format_spec)


# strftime directives a slide may use, as CLDR date patterns (Babel): month names and
# abbreviations then come in the slide's language (sept. / sept), not C's English.
_STRFTIME_CLDR = {"d": "dd", "e": "d", "B": "MMMM", "b": "MMM", "Y": "y", "y": "yy", "m": "MM"}
_STRFTIME_CLDR |= {"A": "EEEE", "a": "EEE", "j": "D"}


def _cldr_pattern(spec: str) -> str | None:
    """A strftime format as a CLDR pattern (runs of literal letters quoted), or None when
    it uses a directive with no CLDR twin."""
    out: list[str] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            out.append("'" + "".join(literal).replace("'", "''") + "'")
            literal.clear()

    i = 0
    while i < len(spec):
        c = spec[i]
        if c == "%" and i + 1 < len(spec):
            d = spec[i + 1]
            if d == "%":
                literal.append("%")
            elif d in _STRFTIME_CLDR:
                flush()
                out.append(_STRFTIME_CLDR[d])
            else:
                return None
            i += 2
            continue
        if c.isalpha() or c == "'":
            literal.append(c)
        else:
            flush()
            out.append(c)
        i += 1
    flush()
    return "".join(out)


def _localised(value, spec: str) -> str | None:
    """A figure written the way the language of this run does (geo/i18n.py), for the
    specs slides use: thousands (``,``, ``,d``, ``,.1f``) and strftime dates. None
    otherwise."""
    from geo.i18n import fmt_date, fmt_int, fmt_num

    if isinstance(value, date) and "%" in spec:
        pattern = _cldr_pattern(spec)
        return fmt_date(value, pattern) if pattern else None
    if isinstance(value, numbers.Number) and not isinstance(value, bool) and "," in spec:
        if "." not in spec:
            return fmt_int(value)
        try:
            return fmt_num(value, int(spec.split(".")[1].rstrip("f%")))
        except ValueError:
            return None
    return None


def _null(value: object) -> bool:
    """``None``, NaN or NaT (a list or other non-scalar is a value)."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _matched_nothing(df: pd.DataFrame) -> bool:
    """No row, or one row whose values are all empty or zero (totals over no rows).

    Text and true/false columns (a label, ``all_datasets``) are not figures: skipped.
    """
    if len(df) != 1:
        return not len(df)
    values = [v for v in df.iloc[0] if not isinstance(v, str | bool | np.bool_)]
    return all(_null(v) or (isinstance(v, numbers.Number) and v == 0) for v in values)


def _figure_value(v: object) -> object:
    """A figure as text formats want it: numpy scalars as Python's, whole floats as
    integers (DuckDB sums arrive as floats in a mixed row; counts print as integers)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return int(v) if isinstance(v, float) and v.is_integer() else v


HEADLINE_FIGURES = "the page's headline figures"


def headline_figures(page: PageRender) -> dict:
    """The figures the page's headline shows (``view.headline``: its own query's row,
    e.g. ``incident_totals`` for Deadly routes), by name."""
    h = getattr(page.view, "headline", None)
    if h is None:
        return {}
    items = h.items() if isinstance(h, dict) else h.to_dict().items()
    return {str(k): _figure_value(v) for k, v in items}


def _figure_values(slide: Slide, q: Query, page: PageRender) -> tuple[dict, list[str]]:
    """The figures a slide's texts may quote (:func:`headline_figures`, then the first
    row of each ``figures`` query and its row count as ``{<query>_rows}``), and what
    matched nothing."""
    values: dict = headline_figures(page)
    empty: list[str] = []
    if values and _matched_nothing(pd.DataFrame([values])):
        empty.append(HEADLINE_FIGURES)
    params = _figure_params(q, page)
    for name in slide.figures:
        try:
            df: pd.DataFrame = q(name, **params)
        except (UnknownQuery, TypeError) as exc:
            raise BriefingError(
                f"{slide.file}, slide {slide.number}, figures: query {name}: {exc}",
                [Problem(slide.file, slide.number, "figures", f"query {name}: {exc}")],
            ) from exc
        values[f"{name}_rows"] = len(df)
        if _matched_nothing(df):
            empty.append(name)
        first = df.iloc[0].to_dict() if len(df) else dict.fromkeys(df.columns)
        values.update({k: _figure_value(v) for k, v in first.items()})
    return values, empty


def slide_figures(b: Briefing, number: int, q: Query, countries: dict) -> dict:
    """Every ``{name}`` slide ``number``'s texts may quote, with its value for the
    slide's view: what the editor lists beside the headline and caption."""
    slide = b.slides[number - 1]
    page = render_page(slide.page, q, countries, slide.params)
    return _figure_values(slide, q, page)[0]


def unknown_figures(template: str, names) -> list[str]:
    """The ``{name}`` fields of a text that are not figures in ``names`` (sorted), or
    ``["{"]`` when the braces do not parse (write ``{{`` and ``}}`` for braces)."""
    try:
        fields = _fields(template)
    except ValueError:
        return ["{"]
    return sorted(f for f in fields if f.split(".")[0].split("[")[0] not in names)


def fill_texts(slide: Slide, values: dict) -> tuple[str, str]:
    """The slide's headline and caption with ``values`` (:func:`slide_figures`) filled in.

    Raises
    ------
    BriefingError
        A ``{name}`` that is no figure of the slide, or a format a figure cannot take.
    """
    out = []
    for key in ("headline", "caption"):
        template = slide.text(key)
        missing = unknown_figures(template, values.keys())
        if missing:
            message = (
                f"no figure {', '.join(missing)} on this slide "
                f"(its figures: {_listed(sorted(values), 40)})"
            )
        else:
            try:
                out.append(_Figures().format(template, **values))
                continue
            except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
                message = f"a figure cannot be written as asked ({exc})"
        problem = Problem(slide.file, slide.number, key, message)
        raise BriefingError(str(problem), [problem])
    return out[0], out[1]


def slide_texts(slide: Slide, q: Query, page: PageRender) -> tuple[str, str]:
    """The slide's headline and caption with their figures filled in from queries."""
    return fill_texts(slide, _figure_values(slide, q, page)[0])


@dataclass
class RenderedSlide:
    """A slide ready to show: its page render and its texts.

    ``empty`` names the figure queries that matched nothing (the slide is shown, with
    its figures at 0 or "none", and the page says so).
    """

    number: int
    slide: Slide
    page: PageRender
    headline: str
    caption: str
    empty: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what of the map view was not understood

    @property
    def link(self) -> str:
        """The slide's view in the app, relative (``/routes?routes=...&z=5``; the first
        page's is ``/?...``): the page's own filter parameters, then the slide's map
        view, layers and tab."""
        from urllib.parse import urlencode

        params = dict(self.page.params)
        params |= {k: v for k, v in self.slide.params.items() if k in UI_KEYS}
        return app_link(self.slide.page, urlencode(params))


def render_slide(b: Briefing, number: int, q: Query, countries: dict) -> RenderedSlide:
    """Build slide ``number`` (1-based) of a briefing.

    Raises
    ------
    BriefingError
        The slide's parameters are not in the data (:func:`slide_problems`): shown, the
        slide would put the page's default figures (all routes...) under its headline.
    """
    slide = b.slides[number - 1]
    problems = slide_problems(slide, q)
    if problems:
        raise BriefingError("\n".join(map(str, problems)), problems)
    page = render_page(slide.page, q, countries, slide.params)
    # The captured map view and layers: the deck, the PDF and the screen show them.
    notes = apply_view(page.spec, slide.params)
    values, empty = _figure_values(slide, q, page)
    headline, caption = fill_texts(slide, values)
    return RenderedSlide(number, slide, page, headline, caption, empty, values, notes)
