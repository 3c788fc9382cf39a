"""Exports that leave the app: a self-contained HTML map, and the filtered data as a
spreadsheet (.xlsx with an About sheet), a clean CSV and GeoJSON.

The HTML export inlines Leaflet's script and stylesheet (read from the installed asset
package), so the file opens with no internet and references no external file. It shows
the view's title, subtitle, source, licence and caveat above the map, on the app's sea
colour.

Data files: the CSV is plain (header on row 1, UTF-8 with a byte-order mark so Excel
reads accents, no comment lines) so ``pandas.read_csv`` and Excel open it as is; the
citation, licence, filters, caveat and date travel in the .xlsx "About" sheet and in the
GeoJSON ``metadata``. Text cells that a spreadsheet would run as a formula are defused
in the CSV and written as text in the .xlsx.

Language: the words of a file (title bar, About sheet, header row) are the language of
the run that makes it (:mod:`geo.i18n`); data values stay as published. The data's
column names are English identifiers, kept as they are in English (scripts read them);
a French or Spanish CSV or workbook names them in its language (:func:`column_header`).
GeoJSON property keys stay the identifiers.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from geo.assets import LEAFLET_URL, leaflet_source
from geo.i18n import DEFAULT, N_, _, fmt_date, fmt_int, language
from geo.maps import OCEAN, escape, render
from geo.mapspec import MapSpec

# A text cell starting with one of these is run as a formula by spreadsheets (OWASP
# "CSV injection"): tab and carriage return too, which some strip before parsing.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# The workbook's sheets (translated where written).
DATA_SHEET = N_("Data")
ABOUT_SHEET = N_("About")

# The header a French or Spanish data file gives each column the views export (English
# files keep the column names themselves). Translated where used: ``_(label)``.
COLUMN_LABELS = {
    # i18n: a column header of an exported data file (CSV, Excel)
    "incident_id": N_("Incident ID"),
    "incident_date": N_("Incident date"),
    "year": N_("Year"),
    "lat": N_("Latitude"),
    "lon": N_("Longitude"),
    "incidents": N_("Incidents"),
    "dead": N_("Dead"),
    "missing": N_("Missing"),
    "dead_and_missing": N_("Dead and missing"),
    "survivors": N_("Survivors"),
    "causes": N_("Causes of death"),
    "routes": N_("Migration routes"),
    "location": N_("Location"),
    "country": N_("Country"),
    "information_source": N_("Information source"),
    "url": N_("URL"),
    "incident_type": N_("Incident type"),
    "first_date": N_("First incident date"),
    "last_date": N_("Last incident date"),
    "top_route": N_("Most frequent route"),
    "site_id": N_("Site ID"),
    "dataset": N_("Dataset"),
    "name": N_("Name"),
    "site_type": N_("Site type"),
    "population_group": N_("Population group"),
    "is_open": N_("Open site"),
    "iso3": N_("ISO3 code"),
    "admin1": N_("First-level administrative unit"),
    "position_approximate": N_("Approximate position"),
    "individuals": N_("Individuals"),
    "city_code": N_("City code"),
    "city": N_("City"),
    "population": N_("Population"),
    "projected": N_("Projected value"),
    "pop_from": N_("Population, start of period"),
    "pop_to": N_("Population, end of period"),
    "growth": N_("Growth (people)"),
    "growth_pct": N_("Growth (%)"),
    "nearest_centre": N_("Nearest CIFAL centre"),
    "nearest_centre_km": N_("Distance to the nearest CIFAL centre (km)"),
    "nearest_corridor": N_("Nearest route corridor"),
    "nearest_corridor_km": N_("Distance to the nearest route corridor (km)"),
}
# Columns named with a number (a year, a distance): pattern -> header with placeholders.
COLUMN_PATTERNS = (
    (re.compile(r"population_(?P<year>\d{4})"), N_("Population {year}")),
    (re.compile(r"incidents_within_(?P<km>\d+)km"), N_("Incidents within {km} km")),
    (re.compile(r"dead_within_(?P<km>\d+)km"), N_("Dead within {km} km")),
    (re.compile(r"missing_within_(?P<km>\d+)km"), N_("Missing within {km} km")),
    (
        re.compile(r"dead_and_missing_within_(?P<km>\d+)km"),
        N_("Dead and missing within {km} km"),
    ),
)


def column_header(name: object) -> str:
    """The header a data file gives the column ``name`` in this run's language.

    English keeps the column name itself (``dead_and_missing``: the files scripts and
    the reconciliation read); French and Spanish name it in words ("Morts et disparus").
    A column with no known label keeps its name.
    """
    name = str(name)
    if language() == DEFAULT:
        return name
    if name in COLUMN_LABELS:
        return _(COLUMN_LABELS[name])
    for pattern, label in COLUMN_PATTERNS:
        m = pattern.fullmatch(name)
        if m:
            values = m.groupdict()
            if "km" in values:
                values["km"] = fmt_int(int(values["km"]))
            return _(label).format(**values)
    return name


def _headed(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its columns named as :func:`column_header` names them (itself in
    English); a header two columns would share keeps the column name."""
    headers = [column_header(c) for c in df.columns]
    if headers == [str(c) for c in df.columns]:
        return df
    seen: dict[str, int] = {}
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
    headers = [h if seen[h] == 1 else str(c) for h, c in zip(headers, df.columns, strict=True)]
    return df.set_axis(headers, axis=1)


def _export_day(when: date) -> str:
    """The export date as a file states it: ISO in English (as it always has been), the
    language's long form in French and Spanish (26 novembre 2026)."""
    return when.isoformat() if language() == DEFAULT else fmt_date(when, "long")


def _page_css() -> str:
    return (
        "<style>"
        "html,body{height:100%;margin:0}"
        "body{display:flex;flex-direction:column;background:#fff;"
        "font-family:'DejaVu Sans',Arial,sans-serif;color:#222}"
        ".atlas-export-head{flex:0 0 auto;padding:10px 16px 8px;border-bottom:1px solid #ccc}"
        ".atlas-export-head h1{font-size:20px;line-height:1.25;margin:0 0 2px;font-weight:600}"
        ".atlas-export-head p{margin:2px 0;font-size:13px;line-height:1.35}"
        ".atlas-export-head .atlas-export-credit{font-size:11px;color:#555}"
        ".atlas-export-summary{font-size:12px;margin-top:2px}"
        ".folium-map{flex:1 1 auto;min-height:360px;height:auto!important}"
        f".leaflet-container{{background:{OCEAN}}}"
        "</style>"
    )


def _title_bar(
    title: str,
    subtitle: str,
    citation: str | None,
    licence: str | None,
    caveat: str | None,
    when: date,
) -> str:
    credit = " · ".join(
        t
        for t in (
            _("Source: {citation}").format(citation=escape(citation)) if citation else "",
            _("Licence: {licence}").format(licence=escape(licence)) if licence else "",
            _("Exported from Arrival Atlas on {date}").format(date=_export_day(when)),
        )
        if t
    )
    parts = [f"<h1>{escape(title)}</h1>"]
    if subtitle:
        parts.append(f'<p class="atlas-export-subtitle">{escape(subtitle)}</p>')
    if caveat:
        parts.append(f'<p class="atlas-export-credit">{escape(caveat)}</p>')
    parts.append(f'<p class="atlas-export-credit">{credit}</p>')
    return '<header class="atlas-export-head">' + "".join(parts) + "</header>"


SUMMARY_ID = "atlas-map-summary"  # the HTML export's map description (its id)


def standalone_html(
    spec: MapSpec,
    title: str,
    subtitle: str = "",
    *,
    citation: str | None = None,
    licence: str | None = None,
    caveat: str | None = None,
    when: date | None = None,
    description: str | None = None,
) -> str:
    """The map as one HTML file with Leaflet inlined, under a title bar.

    Parameters
    ----------
    spec : geo.mapspec.MapSpec
        The view's map description (``view.spec``), drawn afresh: a page no earlier
        render (``st_folium``'s) has touched, with the layers the screen shows (the
        layer picker switches the description's layers).
    title, subtitle : str
        The view's title and the line stating its filters (escaped), shown above the
        map and in the page title.
    citation, licence, caveat : str, optional
        Shown under the subtitle (escaped).
    when : date, optional
        Export date (default: today).
    description : str, optional
        The map in words (escaped), in the title bar under "Map in words" and named by
        the map's ``aria-describedby`` (default: :func:`geo.textmap.map_summary`).

    Returns
    -------
    str
        HTML with exactly one map, no ``<script src>`` or ``<link href>`` to any other
        file, and the map on the app's sea colour.
    """
    if not isinstance(spec, MapSpec):
        raise TypeError(f"a map description (MapSpec) is exported, not a {type(spec).__name__}")
    page = render(spec).get_root()
    html = page.render()
    page_title = (
        _("{title}: {subtitle}").format(title=title, subtitle=subtitle) if subtitle else title
    )
    bar = _title_bar(title, subtitle, citation, licence, caveat, when or date.today())
    if description is None:
        from geo.textmap import map_summary

        description = map_summary(spec)
    # The map's text twin: folded under the title (the map keeps its room), and the
    # description a screen reader gives the map.
    bar = bar.replace(
        "</header>",
        f'<details class="atlas-export-summary"><summary>{escape(_("Map in words"))}</summary>'
        f'<p id="{SUMMARY_ID}">{escape(description)}</p></details></header>',
        1,
    )
    html = re.sub(
        r'(<div class="folium-map" id="[^"]+")',
        rf'\1 role="region" aria-label="{escape(_("Map"))}" aria-describedby="{SUMMARY_ID}"',
        html,
        count=1,
    )
    # Title bar and styles first (the page's own markup, before any inlined script).
    html = re.sub(r"<html(?=[\s>])", f'<html lang="{language()}"', html, count=1)
    html = html.replace("<head>", f"<head>\n<title>{escape(page_title)}</title>", 1)
    html = html.replace("</head>", _page_css() + "\n</head>", 1)
    html = html.replace("<body>", "<body>\n" + bar, 1)
    js = leaflet_source("leaflet.js").replace("</script", "<\\/script")
    css = leaflet_source("leaflet.css")
    html = re.sub(
        rf'<script src="{re.escape(LEAFLET_URL)}/leaflet\.js"></script>',
        lambda m: f"<script>{js}</script>",
        html,
    )
    html = re.sub(
        rf'<link rel="stylesheet" href="{re.escape(LEAFLET_URL)}/leaflet\.css"/>',
        lambda m: f"<style>{css}</style>",
        html,
    )
    return html


MAX_NAME = 120


def _slug(text: str) -> str:
    # accents dropped, not the letters: "mortíferas" is "mortiferas", not "mort-feras"
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def export_name(stem: str, ext: str, when: date | None = None, tags: Sequence[str] = ()) -> str:
    """File name with the view's main filters and the export date.

    ``arrival-atlas_<stem>_<tag>_<tag>..._<YYYY-MM-DD>.<ext>``, in lower-case ASCII
    letters, digits and hyphens; tags are dropped from the end (and the last one cut)
    so the name stays within :data:`MAX_NAME` characters.

    Parameters
    ----------
    stem : str
        What the file is (the view's title).
    ext : str
        Extension without the dot.
    when : date, optional
        Export date (default: today).
    tags : sequence of str
        The main filters, most telling first (see ``PageExport.file_tags``).

    Returns
    -------
    str
        A file name safe on every common file system.
    """
    head = f"arrival-atlas_{_slug(stem) or 'export'}"
    tail = f"_{(when or date.today()).isoformat()}.{re.sub(r'[^a-z0-9]+', '', ext.lower())}"
    room = MAX_NAME - len(head) - len(tail)
    middle = ""
    for tag in filter(None, map(_slug, tags)):
        part = f"_{tag}"
        if len(middle) + len(part) > room:
            cut = part[: room - len(middle)].rstrip("-")
            middle += cut if len(cut) > 4 else ""
            break
        middle += part
    return head + middle + tail


def _defuse_text(v):
    """A text cell a spreadsheet would run as a formula, with a leading ``'`` (OWASP);
    anything else (numbers, dates, other text) as it is."""
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def _defuse(v):
    """A cell as the CSV writes it: lists joined, formula starts defused."""
    if isinstance(v, (list, tuple, np.ndarray)):
        v = "; ".join(map(str, list(v)))
    return _defuse_text(v)


def defuse_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """The table as the app shows it in a data grid or a chart: text cells that a
    spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return) get a leading ``'``.

    What a grid shows also leaves the app through Streamlit's own controls, which this
    app cannot vet: the grid's "Download as CSV" and copied cells, a chart's table view.
    Streamlit 1.67 can hide those controls only for the whole server
    (``client.disableDataExport``, which also stops copying cells on every table), so
    the values are defused instead. Numbers, dates and lists are left as they are: a
    negative number stays a number.

    Parameters
    ----------
    df : pandas.DataFrame
        A table about to be shown.

    Returns
    -------
    pandas.DataFrame
        ``df`` itself when no cell needs it, else a copy with those cells prefixed.
    """
    out = df
    for col in df.columns:
        values = df[col]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        hit = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_START))
        if hit.any():
            if out is df:
                out = df.copy()
            out[col] = values.map(_defuse_text)
    return out


def _defused(df: pd.DataFrame) -> pd.DataFrame:
    safe = df.copy()
    for col in safe.columns:
        if safe[col].dtype == object or str(safe[col].dtype).startswith("str"):
            safe[col] = safe[col].map(_defuse)
    return safe


def csv_data(df: pd.DataFrame) -> bytes:
    """The rows as a plain CSV a spreadsheet or ``pandas.read_csv`` opens as is.

    Header on row 1 (the column names; in French and Spanish, :func:`column_header`), one line per row, no comment lines, UTF-8 with a byte-order mark
    (so Excel reads "Türkiye"; ``pandas.read_csv`` skips the mark). Lists are joined
    with ``"; "``; text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return get a leading ``'`` so no spreadsheet runs them as formulas.

    Parameters
    ----------
    df : pandas.DataFrame
        The view's data (``PageExport.load_data()``).

    Returns
    -------
    bytes
        The CSV file.
    """
    out = io.StringIO()
    _headed(_defused(df)).to_csv(out, index=False, lineterminator="\r\n")
    return out.getvalue().encode("utf-8-sig")


def about_rows(
    title: str,
    filters: str,
    citation: str,
    licence: str,
    caveat: str | None = None,
    *,
    rows: int | None = None,
    link: str | None = None,
    when: date | None = None,
) -> list[tuple[str, str]]:
    """What a data file says about itself: (field, value) pairs for the About sheet.

    Parameters
    ----------
    title, filters : str
        The view's title and the subtitle stating its filters.
    citation, licence : str
        How to cite the data, and its licence.
    caveat : str, optional
        What the figures are not (shown with the figures on screen).
    rows : int, optional
        Number of data rows.
    link : str, optional
        The view's URL parameters, to reopen it in the app.
    when : date, optional
        Export date (default: today).

    Returns
    -------
    list of (str, str)
    """
    items = [
        (_("Title"), title),
        (_("Filters"), filters),
        (_("Source (cite as)"), citation),
        (_("Licence"), licence),
    ]
    if caveat:
        items.append((_("Caveat"), caveat))
    if rows is not None:
        items.append(
            (_("Rows"), _("{n} (sheet {sheet})").format(n=fmt_int(rows), sheet=_(DATA_SHEET)))
        )
    if link:
        items.append((_("View settings"), link))
    day = _export_day(when or date.today())
    items.append((_("Exported"), _("from Arrival Atlas on {date}").format(date=day)))
    return [(k, " ".join(str(v).split())) for k, v in items]


def _xlsx_value(v):
    """A cell value openpyxl writes faithfully: text stays text, numbers numbers."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(v, (list, tuple, np.ndarray)):
        v = "; ".join(map(str, list(v)))
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
        if v.tzinfo is not None:
            v = v.replace(tzinfo=None)
    elif isinstance(v, np.generic):
        v = v.item()
        if isinstance(v, float) and v != v:
            return None
    if isinstance(v, str):
        return ILLEGAL_CHARACTERS_RE.sub("", v)
    if isinstance(v, (bool, int, float, date)):
        return v
    return ILLEGAL_CHARACTERS_RE.sub("", str(v))


def _text_cell(ws, value, *, bold: bool = False):
    """A write-only cell holding ``value``; text is stored as text, never a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_data(df: pd.DataFrame, about: Sequence[tuple[str, str]]) -> bytes:
    """The rows as an Excel workbook: sheet "Data" (header on row 1, frozen) and sheet
    "About" (citation, licence, filters, caveat, date).

    Text cells are written as text (never formulas), exactly as in the data; dates as
    dates; lists joined with ``"; "``.

    Parameters
    ----------
    df : pandas.DataFrame
        The view's data.
    about : sequence of (str, str)
        From :func:`about_rows`.

    Returns
    -------
    bytes
        The .xlsx file.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_(DATA_SHEET))
    ws.freeze_panes = "A2"
    cols = list(_headed(df).columns)
    widths = [min(max(len(c), 8), 40) + 2 for c in cols]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.append([_text_cell(ws, c, bold=True) for c in cols])
    for rec in df.itertuples(index=False, name=None):
        row = [_xlsx_value(v) for v in rec]
        if any(isinstance(v, str) and v.startswith(FORMULA_START) for v in row):
            row = [_text_cell(ws, v) for v in row]  # else openpyxl would store a formula
        ws.append(row)
    info = wb.create_sheet(_(ABOUT_SHEET))
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 110
    for key, value in about:
        info.append([_text_cell(info, key, bold=True), _text_cell(info, _xlsx_value(value))])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_with_citation(
    df: pd.DataFrame, citation: str, licence: str, filters: str, caveat: str | None = None
) -> bytes:
    """CSV text preceded by ``#`` comment lines: citation, licence, filters, the caveat
    of the figures (when given), date.

    Not what the app offers (see :func:`csv_data` and :func:`xlsx_data`: comment lines
    become data rows in spreadsheets); kept for scripts that read it with
    ``pandas.read_csv(..., comment="#")``. Cells are defused as in :func:`csv_data`.
    """
    out = io.StringIO()
    for line in (
        _("Source: {citation}").format(citation=citation),
        _("Licence: {licence}").format(licence=licence),
        _("Filters: {filters}").format(filters=filters),
        *([_("Note: {caveat}").format(caveat=caveat)] if caveat else []),
        _("Exported from Arrival Atlas on {date}").format(date=_export_day(date.today())),
    ):
        out.write("# " + " ".join(line.split()) + "\n")
    _headed(_defused(df)).to_csv(out, index=False)
    return out.getvalue().encode("utf-8")


def geojson_with_citation(
    df: pd.DataFrame,
    citation: str,
    licence: str,
    filters: str,
    *,
    lat: str = "lat",
    lon: str = "lon",
    caveat: str | None = None,
) -> bytes:
    """Points as a GeoJSON FeatureCollection with a ``metadata`` member (citation,
    licence, filters, the caveat of the figures when given, date). Rows without a
    position are left out."""
    feats = []
    for rec in df.to_dict("records"):
        y, x = rec.get(lat), rec.get(lon)
        if y is None or x is None or pd.isna(y) or pd.isna(x):
            continue
        props = {k: _jsonable(v) for k, v in rec.items() if k not in (lat, lon)}
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(x), float(y)]},
                "properties": props,
            }
        )
    doc = {
        "type": "FeatureCollection",
        "metadata": {
            "source": citation,
            "licence": licence,
            "filters": filters,
            **({"caveat": caveat} if caveat else {}),
            "exported": date.today().isoformat(),
            "generator": "Arrival Atlas",
        },
        "features": feats,
    }
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _jsonable(v):
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if hasattr(v, "tolist"):
        return v.tolist()
    if isinstance(v, (date, pd.Timestamp)):
        return v.isoformat()
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    return v
