"""Briefings: ordered views kept in ``data/briefings/*.toml``, shown by the Briefing
page and exported as one PDF with a slide a page.

A slide names a page and its URL parameters, a headline and a caption. Figures in the
texts come from queries (``figures``) run with the slide's own filters, so a briefing
file holds no number of its own.
"""

from __future__ import annotations

import dataclasses
import io
import string
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from geo import DATA_DIR
from geo.queries import UnknownQuery, query_names
from geo.registry import PAGE_KEYS, PageRender, render_page
from geo.views import Query

BRIEFINGS_DIR = DATA_DIR / "briefings"


class BriefingError(ValueError):
    """A briefing file that cannot be used; the message names the file and the slide."""


@dataclass
class Slide:
    """One view of a briefing."""

    page: str
    headline: str
    caption: str = ""
    params: dict[str, str] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)


@dataclass
class Briefing:
    """A briefing file."""

    key: str
    title: str
    description: str
    slides: list[Slide]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def load_briefing(path: Path) -> Briefing:
    """Read and check a briefing file.

    Raises
    ------
    BriefingError
        Not TOML, no slides, an unknown page or query, or a text quoting a figure
        that none of its queries can give.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BriefingError(f"{path.name}: not a valid TOML file ({exc})") from exc
    raw = data.get("slides")
    if not isinstance(raw, list) or not raw:
        raise BriefingError(f"{path.name}: no [[slides]]")
    slides = []
    known = set(query_names())
    for i, s in enumerate(raw, start=1):
        where = f"{path.name}, slide {i}"
        page = s.get("page")
        if page not in PAGE_KEYS:
            raise BriefingError(f"{where}: page must be one of {', '.join(PAGE_KEYS)}")
        figures = s.get("figures", [])
        figures = [figures] if isinstance(figures, str) else list(figures)
        for f in figures:
            if f not in known:
                raise BriefingError(f"{where}: no query named {f!r} in queries/")
        if not s.get("headline"):
            raise BriefingError(f"{where}: no headline")
        params = {str(k): str(v) for k, v in (s.get("params") or {}).items()}
        slides.append(Slide(page, s["headline"], s.get("caption", ""), params, figures))
    return Briefing(path.stem, data.get("title", path.stem), data.get("description", ""), slides)


def briefings(folder: Path = BRIEFINGS_DIR) -> list[Briefing]:
    """Every briefing in the folder, by file name."""
    return [load_briefing(p) for p in sorted(folder.glob("*.toml"))]


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
        for method in ("query_params", "filters"):
            if hasattr(state, method):
                params.update(getattr(state, method)())
    return params


def slide_texts(slide: Slide, q: Query, page: PageRender) -> tuple[str, str]:
    """The slide's headline and caption with their figures filled in from queries."""
    values: dict = {}
    params = _figure_params(q, page)
    for name in slide.figures:
        try:
            df: pd.DataFrame = q(name, **params)
        except (UnknownQuery, TypeError) as exc:
            raise BriefingError(f"slide on {slide.page}: query {name}: {exc}") from exc
        values[f"{name}_rows"] = len(df)
        if len(df):
            for k, v in df.iloc[0].to_dict().items():
                # DuckDB sums arrive as floats in a mixed row; counts print as integers.
                values[k] = int(v) if isinstance(v, float) and v.is_integer() else v
    out = []
    for template in (slide.headline, slide.caption):
        missing = _fields(template) - values.keys()
        if missing:
            raise BriefingError(
                f"slide on {slide.page}: no figure {', '.join(sorted(missing))} in {slide.figures}"
            )
        out.append(template.format(**values))
    return out[0], out[1]


@dataclass
class RenderedSlide:
    """A slide ready to show: its page render and its texts."""

    number: int
    slide: Slide
    page: PageRender
    headline: str
    caption: str


def render_slide(b: Briefing, number: int, q: Query, countries: dict) -> RenderedSlide:
    """Build slide ``number`` (1-based) of a briefing."""
    slide = b.slides[number - 1]
    page = render_page(slide.page, q, countries, slide.params)
    headline, caption = slide_texts(slide, q, page)
    return RenderedSlide(number, slide, page, headline, caption)


def briefing_pdf(
    b: Briefing, q: Query, countries: dict, *, when: date | None = None, progress=None
) -> bytes:
    """The whole briefing as a PDF, one 16:9 page per slide (map, headline, caption,
    legend, source credit and slide number), for a projector's laptop with no app.

    ``progress(done, total)`` is called after each slide, if given.
    """
    from fpdf import FPDF

    from geo.snapshot import render_png

    pdf = FPDF(orientation="L", unit="mm", format=(190.5, 338.67))
    pdf.set_auto_page_break(False)
    pdf.set_title(b.title)
    pdf.set_creator("Arrival Atlas")
    total = len(b.slides)
    for n in range(1, total + 1):
        rs = render_slide(b, n, q, countries)
        png = render_png(
            rs.page.map,
            title=rs.headline,
            subtitle=f"{rs.caption}  ·  {rs.page.subtitle}",
            caveat=rs.page.caveat,
            preset="slides",
            when=when,
        )
        pdf.add_page()
        pdf.image(io.BytesIO(png), x=0, y=0, w=338.67, h=190.5)
        pdf.set_font("helvetica", size=9)
        pdf.set_text_color(90, 90, 90)
        pdf.set_xy(300, 183)
        pdf.cell(34, 5, f"{n} / {total}", align="R")
        if progress:
            progress(n, total)
    return bytes(pdf.output())
