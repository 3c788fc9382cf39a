"""A briefing as one PDF: a 16:9 page per slide, its texts as vector text (selectable,
searchable, shrunk and wrapped to fit, never cut), the map with its legend as an image.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from geo.briefing import Briefing, BriefingError, RenderedSlide, render_slide
from geo.registry import PageRender
from geo.views import Query

# Page geometry of the PDF, in millimetres: 16:9 at the size of a 13.33-inch slide.
PAGE_W, PAGE_H = 338.67, 190.5
MARGIN = 10.0

# Each text block: (font style, largest size, smallest size, most lines before the
# smallest size is used with as many lines as it takes, grey level). Long text shrinks,
# then wraps; it is never cut: the map takes what height is left.
HEADLINE = ("B", 26, 17, 2, 20)
CAPTION = ("", 15, 10, 2, 50)
FILTERS = ("", 10, 7.5, 2, 100)
FOOTNOTE = ("", 8, 6.5, 3, 70)


@dataclass
class TextBox:
    """A block of text placed on a PDF page, line by line (for the layout test)."""

    text: str
    x: float
    y: float
    w: float
    size: float
    style: str
    lines: list[str]
    grey: int = 0

    @property
    def line_height(self) -> float:
        """Line pitch in millimetres (1.22 x the font size)."""
        return self.size * 0.3528 * 1.22

    @property
    def h(self) -> float:
        """Height the lines take, in millimetres."""
        return self.line_height * len(self.lines)


def slide_document(title: str):
    """An empty 16:9 PDF (millimetres) with the slide fonts registered as "atlas".

    The fonts are matplotlib's DejaVu Sans, regular and bold: Helvetica has no "≥", "–"
    or non-Latin-1 place names, and an embedded TrueType subset keeps text searchable.
    """
    import matplotlib
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format=(PAGE_H, PAGE_W))
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN)
    pdf.set_title(title)
    pdf.set_creator("Arrival Atlas")
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf.add_font("atlas", "", ttf / "DejaVuSans.ttf")
    pdf.add_font("atlas", "B", ttf / "DejaVuSans-Bold.ttf")
    return pdf


def fit_text(pdf, text: str, x: float, y: float, w: float, spec: tuple) -> TextBox:
    """Wrap and shrink ``text`` to the width ``w`` (mm) without cutting any of it.

    Parameters
    ----------
    pdf : fpdf.FPDF
        The document (its fonts measure the text).
    text : str
        Plain text.
    x, y, w : float
        Top-left corner and width of the box, in millimetres.
    spec : tuple
        ``(style, largest size, smallest size, most lines, grey)``, e.g. :data:`HEADLINE`.

    Returns
    -------
    TextBox
        The largest size at which the text takes at most the given number of lines
        (or the smallest size, on as many lines as needed), and its lines.
    """
    from fpdf.enums import MethodReturnValue

    style, big, small, most, grey = spec
    size = big
    while True:
        pdf.set_font("atlas", style, size)
        lines = pdf.multi_cell(
            w, text=text, dry_run=True, output=MethodReturnValue.LINES, align="L"
        )
        if len(lines) <= most or size <= small:
            return TextBox(text, x, y, w, size, style, [ln.strip() for ln in lines], grey)
        size = max(small, size - 0.5)


def _draw(pdf, box: TextBox) -> None:
    pdf.set_font("atlas", box.style, box.size)
    pdf.set_text_color(box.grey, box.grey, box.grey)
    for i, line in enumerate(box.lines):
        pdf.set_xy(box.x, box.y + i * box.line_height)
        pdf.cell(box.w, box.line_height, line, align="L")


def _map_png(page: PageRender, when: date | None) -> tuple[bytes, float, object]:
    """The slide's map and legend as a PNG (no title, subtitle or footer: the PDF sets
    those as text), its width / height ratio and what it shows
    (:class:`geo.snapshot.Drawn`: the layers and legend items, as the screen's).

    Drawn once, from the view's map description, by the PNG export's renderer; the crop
    is measured without drawing (the save is the one draw).
    """
    import matplotlib.pyplot as plt
    from matplotlib.transforms import Bbox

    from geo.snapshot import draw_figure

    fig, drawn = draw_figure(
        page.spec,
        title="",
        subtitle="",
        caveat=page.caveat,
        preset="slides",
        when=when,
        places=page.load_places(),  # the slide's headline is PDF text; the map names places
    )
    try:
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        box = ax.get_window_extent(renderer)
        parts = [box]
        parts += [leg.get_window_extent(renderer) for leg in fig.legends]
        # Legend notes sit beside the map; the footer (below the map) is left out.
        parts += [
            t.get_window_extent(renderer)
            for t in fig.texts
            if t.get_text() and t.get_window_extent(renderer).y1 > box.y0
        ]
        crop = Bbox.union(parts).padded(4).transformed(fig.dpi_scale_trans.inverted())
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches=crop)
        return buf.getvalue(), crop.width / crop.height, drawn
    finally:
        plt.close(fig)


def slide_layout(pdf, rs: RenderedSlide, when: date | None = None) -> list[TextBox]:
    """Lay out one slide's texts on the current page of ``pdf`` (not yet drawn).

    Returns the headline, caption, filter line and footnote boxes, top to bottom; the
    map goes between the filter line and the footnote.
    """
    w = PAGE_W - 2 * MARGIN
    boxes = []
    y = MARGIN
    for text, spec in ((rs.headline, HEADLINE), (rs.caption, CAPTION), (rs.page.subtitle, FILTERS)):
        if text:
            boxes.append(fit_text(pdf, text, MARGIN, y, w, spec))
            y += boxes[-1].h + 1.5
    credit = f"Source: {rs.page.citation} ({rs.page.licence})." if rs.page.citation else ""
    made = f"Map made with Arrival Atlas on {(when or date.today()):%d %B %Y}."
    foot = " ".join(t for t in (rs.page.caveat or "", credit, made) if t)
    # The footnote stops short of the slide number in the bottom-right corner.
    box = fit_text(pdf, foot, MARGIN, 0, w - 22, FOOTNOTE)
    box.y = PAGE_H - MARGIN + 3 - box.h
    boxes.append(box)
    return boxes


def briefing_pdf(
    b: Briefing, q: Query, countries: dict, *, when: date | None = None, progress=None
) -> bytes:
    """The whole briefing as a PDF, one 16:9 page per slide, for a projector's laptop
    with no app.

    Each page holds the headline, caption and filters as text (selectable and
    searchable, shrunk and wrapped to fit, never cut), the map with its legend as an
    image, then the caveat, source credit, date and slide number as text.

    Parameters
    ----------
    b : Briefing
        The briefing to export.
    q : Query
        Runs the figure queries.
    countries : dict
        Country shapes for the maps.
    when : date, optional
        Date printed on each page (default: today).
    progress : callable, optional
        ``progress(done, total)``, called after each slide.

    Returns
    -------
    bytes
        The PDF document.
    """
    pdf = slide_document(b.title)
    total = len(b.slides)
    for n in range(1, total + 1):
        pdf.add_page()
        try:
            rs = render_slide(b, n, q, countries)
        except BriefingError as exc:
            # The page says why, in place of a slide that would show wrong figures.
            w = PAGE_W - 2 * MARGIN
            head = fit_text(pdf, f"Slide {n} cannot be shown", MARGIN, MARGIN, w, HEADLINE)
            _draw(pdf, head)
            _draw(pdf, fit_text(pdf, str(exc), MARGIN, head.y + head.h + 2, w, CAPTION))
            if progress:
                progress(n, total)
            continue
        boxes = slide_layout(pdf, rs, when)
        for box in boxes:
            _draw(pdf, box)
        png, ratio, _ = _map_png(rs.page, when)
        top = boxes[-2].y + boxes[-2].h + 2 if len(boxes) > 1 else MARGIN
        bottom = boxes[-1].y - 2
        h = bottom - top
        w = min(PAGE_W - 2 * MARGIN, h * ratio)
        pdf.image(io.BytesIO(png), x=MARGIN, y=top, w=w, h=w / ratio)
        pdf.set_font("atlas", "", 9)
        pdf.set_text_color(90, 90, 90)
        pdf.set_xy(PAGE_W - MARGIN - 20, PAGE_H - MARGIN - 2)
        pdf.cell(20, 5, f"{n} / {total}", align="R")
        if progress:
            progress(n, total)
    return bytes(pdf.output())
