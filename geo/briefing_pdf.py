"""A briefing as one PDF: a 16:9 page per slide, its texts as vector text (selectable,
searchable, shrunk and wrapped to fit, never cut), the map with its legend as an image;
with a public address configured, a QR code of the slide's view; and a last page of the
sources and licences of every dataset the slides draw or quote.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from geo.briefing import Briefing, BriefingError, RenderedSlide, render_slide
from geo.catalog import DATASETS, MMP, WUP_REVISION_YEAR, Dataset
from geo.i18n import N_, _, fmt_date
from geo.mapspec import BASEMAP_DATASET
from geo.qr import qr_modules
from geo.registry import PageRender
from geo.settings import public_url
from geo.textmap import map_summary
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
# The slide number's box in the bottom-right corner (width, height).
NUMBER_W, NUMBER_H = 20.0, 5.0
# A slide's QR code: its side with the quiet zone (4 light modules each side, the
# page's white), and the address above it in this type (never cut: wrapped by character).
QR_SIDE = 30.0
QR_QUIET = 4
QR_GAP = 4.0
ADDRESS = ("", 6, 5, 6, 90)
# Translated where used: ``_(WUP_CAVEAT).format(year=WUP_REVISION_YEAR)``.
WUP_CAVEAT = N_(
    "World Urbanization Prospects {year} values for years after {year} are projections "
    "made in {year}, not counts."
)
# The sources page: its title (``_(SOURCES_TITLE)``), then a heading and a paragraph per
# dataset.
SOURCES_TITLE = N_("Sources and licences")
SOURCES_HEAD = ("B", 22, 22, 1, 20)
# Type sizes tried for the sources, largest first, each in 1, 2 then 3 columns.
SOURCES_SIZES = (10, 9, 8, 7, 6)
SOURCES_COLUMNS = (1, 2, 3)
COLUMN_GAP = 8.0


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
    page: int = 0  # on the sources page: which page of them (0 unless they overflow)

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
        crop = map_crop(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches=crop)
        return buf.getvalue(), crop.width / crop.height, drawn
    finally:
        plt.close(fig)


def map_crop(fig):
    """The part of a :func:`geo.snapshot.draw_figure` figure the PDF shows, in inches:
    the map, its legends and their notes beside it. The footer below the map (caveat,
    credit, date: the PDF sets them as text) is hidden, so no part of it shows in the
    crop when the legend column runs lower than the map."""
    from matplotlib.transforms import Bbox

    renderer = fig.canvas.get_renderer()
    box = fig.axes[0].get_window_extent(renderer)
    parts = [box] + [leg.get_window_extent(renderer) for leg in fig.legends]
    for t in fig.texts:
        if not t.get_text():
            continue
        extent = t.get_window_extent(renderer)
        if extent.y1 > box.y0:  # a legend note beside the map
            parts.append(extent)
        else:
            t.set_visible(False)
    return Bbox.union(parts).padded(4).transformed(fig.dpi_scale_trans.inverted())


def slide_url(rs: RenderedSlide) -> str | None:
    """The slide's view under the app's public address (:func:`geo.settings.public_url`),
    or ``None`` when none is configured (then the PDF carries no QR code)."""
    base = public_url()
    return base + rs.link if base else None


@dataclass
class QrBox:
    """Where a QR code goes: its top-left corner, side (quiet zone included, mm), and
    its modules (rows of dark / light, no quiet zone)."""

    x: float
    y: float
    side: float
    modules: list[list[bool]]

    @property
    def module(self) -> float:
        """Side of one module in millimetres."""
        return self.side / (len(self.modules) + 2 * QR_QUIET)

    def dark_squares(self) -> list[tuple[float, float, float]]:
        """(x, y, side) of each dark module, in millimetres on the page."""
        m = self.module
        x0, y0 = self.x + QR_QUIET * m, self.y + QR_QUIET * m
        return [
            (x0 + c * m, y0 + r * m, m)
            for r, row in enumerate(self.modules)
            for c, dark in enumerate(row)
            if dark
        ]


def wrap_address(pdf, url: str, x: float, y: float, w: float, spec: tuple = ADDRESS) -> TextBox:
    """An address as lines of at most ``w`` mm, broken anywhere (an address has no
    spaces to wrap at), preferably after a "/", "?" or "&"; shrunk as :func:`fit_text`.
    The lines joined with nothing give the address back."""
    style, big, small, most, grey = spec
    size = big
    while True:
        pdf.set_font("atlas", style, size)
        room = w - 2 * pdf.c_margin
        lines: list[str] = []
        rest = url
        while rest:
            n = len(rest)
            while n > 1 and pdf.get_string_width(rest[:n]) > room:
                n -= 1
            if n < len(rest):  # prefer a break after a separator in the last third
                cut = max(rest.rfind(ch, 0, n) for ch in "/?&=")
                n = cut + 1 if cut >= n * 2 // 3 else n
            lines.append(rest[:n])
            rest = rest[n:]
        if len(lines) <= most or size <= small:
            return TextBox(url, x, y, w, size, style, lines, grey)
        size = max(small, size - 0.5)


def qr_layout(pdf, url: str) -> tuple[QrBox, TextBox]:
    """The QR code of ``url`` in the bottom-right corner, above the slide number, and
    the address above it (a column the map and the footnote keep clear of)."""
    x = PAGE_W - MARGIN - QR_SIDE
    bottom = PAGE_H - MARGIN - 3
    qr = QrBox(x, bottom - QR_SIDE, QR_SIDE, qr_modules(url))
    text = wrap_address(pdf, url, x, 0, QR_SIDE)
    text.y = qr.y - text.h
    return qr, text


def _draw_qr(pdf, qr: QrBox, text: TextBox, url: str) -> None:
    """Dark modules as filled vector squares (sharp at any zoom), the address as small
    text, both linking to the address."""
    pdf.set_fill_color(0, 0, 0)
    for x, y, side in qr.dark_squares():
        pdf.rect(x, y, side, side, style="F")
    _draw(pdf, text)
    pdf.link(qr.x, text.y, qr.side, qr.y + qr.side - text.y, url)


def slide_layout(pdf, rs: RenderedSlide, when: date | None = None) -> list[TextBox]:
    """Lay out one slide's texts on the current page of ``pdf`` (not yet drawn).

    Returns the headline, caption, filter line and footnote boxes, top to bottom; the
    map goes between the filter line and the footnote. With a QR code
    (:func:`slide_url`) the footnote stops short of its column, and so do the texts at
    the top if they run down to it.
    """
    w = PAGE_W - 2 * MARGIN
    url = slide_url(rs)
    column_top = qr_layout(pdf, url)[1].y if url else PAGE_H
    for width in (w, w - QR_SIDE - QR_GAP):
        boxes = []
        y = MARGIN
        for text, spec in (
            (rs.headline, HEADLINE),
            (rs.caption, CAPTION),
            (rs.page.subtitle, FILTERS),
        ):
            if text:
                boxes.append(fit_text(pdf, text, MARGIN, y, width, spec))
                y += boxes[-1].h + 1.5
        if y - 1.5 <= column_top:
            break
    credit = (
        _("Source: {citation} ({licence}).").format(
            citation=rs.page.citation, licence=rs.page.licence
        )
        if rs.page.citation
        else ""
    )
    made = _("Map made with Arrival Atlas on {date}.").format(
        date=fmt_date(when or date.today(), "long")
    )
    foot = " ".join(t for t in (rs.page.caveat or "", credit, made) if t)
    # The footnote stops short of the slide number (and QR code) in the bottom-right corner.
    right = QR_SIDE + QR_GAP if url else NUMBER_W + 2
    box = fit_text(pdf, foot, MARGIN, 0, w - right, FOOTNOTE)
    box.y = PAGE_H - MARGIN + 3 - box.h
    boxes.append(box)
    return boxes


def slide_datasets(rs: RenderedSlide) -> list[str]:
    """Catalog keys a slide draws or quotes: the datasets of the layers its map shows
    and the basemap's, then those of the page's data (its figures and citation)."""
    from geo.pages import page

    keys: list[str] = []
    for layer in rs.page.spec.layers:
        if layer.show:
            keys += [k for k in layer.datasets if k not in keys]
    for k in (BASEMAP_DATASET, *page(rs.page.key).data_datasets):
        if k not in keys:
            keys.append(k)
    return keys


def _entry(d: Dataset) -> str:
    """A dataset's paragraph on the sources page (plain text)."""
    # The catalog's texts are marked for translation there (_() gives them back as they
    # are when they are not).
    parts = [
        _(d.publisher) + ".",
        _("Cite as: {citation}.").format(citation=_(d.citation).rstrip(".")),
        _("Licence: {licence}.").format(licence=_(d.licence).rstrip(".")),
    ]
    if d.url:
        parts.append(_("Source: {url}").format(url=d.url))
    if d.caveat:
        parts.append(_("Note: {caveat}").format(caveat=_(d.caveat)))
    return " ".join(parts)


def sources_texts(slides: list[RenderedSlide], when: date | None = None) -> list[tuple[str, str]]:
    """The sources page as (heading, paragraph) pairs: each dataset drawn or quoted on
    any slide (:func:`slide_datasets`) with its publisher, citation,
    licence and address; then the caveats of the figures shown; then the date."""
    keys: list[str] = []
    for rs in slides:
        keys += [k for k in slide_datasets(rs) if k not in keys]
    # Every dataset, even two cited alike (the MMP export and endpoint): each has its
    # own title and address.
    datasets = [DATASETS[k] for k in keys]
    out = [(_(d.title), _entry(d)) for d in datasets]
    caveats = [rs.page.caveat for rs in slides if rs.page.caveat]
    if any(k in MMP for k in keys):
        caveats.append(_(next(d.caveat for d in datasets if d.key in MMP)))
    # A Cities page's caveat names the projected years (geo.catalog.wup_projection_note,
    # whose translation says "projections made in <year>" in these words too).
    made_in = _("projections made in {year}").format(year=WUP_REVISION_YEAR)
    wup_said = any(made_in in c for c in caveats)
    if "wup_cities" in keys and not wup_said:
        caveats.append(_(WUP_CAVEAT).format(year=WUP_REVISION_YEAR))
    # Each sentence once: a page's caveat may repeat another's (the MMP one).
    said = dict.fromkeys(s for c in caveats for s in re.split(r"(?<=\.)\s+", " ".join(c.split())))
    if said:
        out.append((_("Caveats"), " ".join(said)))
    day = fmt_date(when or date.today(), "long")
    out.append(("", _("Made with Arrival Atlas on {date}.").format(date=day)))
    return out


def sources_layout(pdf, texts: list[tuple[str, str]]) -> list[TextBox]:
    """Lay out the sources page: the title, then each heading and paragraph in columns,
    at the largest type (of :data:`SOURCES_SIZES`) and fewest columns that fit one page.

    Nothing is cut: if even the smallest type in the most columns does not fit, the
    boxes go on (``TextBox.page`` 1, 2...) onto further pages.
    """
    title = fit_text(pdf, _(SOURCES_TITLE), MARGIN, MARGIN, PAGE_W - 2 * MARGIN, SOURCES_HEAD)
    top = title.y + title.h + 4
    for size in SOURCES_SIZES:
        for columns in SOURCES_COLUMNS:
            boxes = _flow(pdf, texts, size, columns, top)
            if all(b.page == 0 for b in boxes):
                return [title, *boxes]
    return [title, *boxes]


def _flow(pdf, texts, size: float, columns: int, top: float) -> list[TextBox]:
    """Headings and paragraphs at ``size`` pt down ``columns`` columns from ``top``, a
    heading kept with its paragraph; past the last column, onto a further page."""
    col_w = (PAGE_W - 2 * MARGIN - (columns - 1) * COLUMN_GAP) / columns
    bottom = PAGE_H - MARGIN
    page, col, y = 0, 0, top
    out: list[TextBox] = []
    for head, body in texts:
        x = MARGIN + col * (col_w + COLUMN_GAP)
        group = []
        if head:
            group.append(fit_text(pdf, head, x, 0, col_w, ("B", size, size, 1, 20)))
        group.append(fit_text(pdf, body, x, 0, col_w, ("", size, size, 1, 60)))
        h = sum(b.h for b in group) + 0.4 * size
        if y + h > bottom and y > top:
            col += 1
            if col == columns:
                page, col = page + 1, 0
            y = top
            x = MARGIN + col * (col_w + COLUMN_GAP)
        for b in group:
            b.x, b.y, b.page = x, y, page
            y += b.h
        y += 0.4 * size
        out += group
    return out


def briefing_pdf(
    b: Briefing, q: Query, countries: dict, *, when: date | None = None, progress=None
) -> bytes:
    """The whole briefing as a PDF, one 16:9 page per slide, then a page of sources and
    licences, for a projector's laptop with no app.

    Each slide page holds the headline, caption and filters as text (selectable and
    searchable, shrunk and wrapped to fit, never cut), the map with the legend of the
    layers it shows as an image, then the caveat, source credit, date and slide number
    as text; with a public address configured (``ATLAS_PUBLIC_URL``), a QR code of the
    slide's view and its address. The last page lists every dataset the slides draw or
    quote, with its citation, licence and address, and the caveats
    (:func:`sources_texts`).

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
    pdf = slide_document(b.text("title"))
    total = len(b.slides)
    shown: list[RenderedSlide] = []
    for n in range(1, total + 1):
        pdf.add_page()
        try:
            rs = render_slide(b, n, q, countries)
        except BriefingError as exc:
            # The page says why, in place of a slide that would show wrong figures.
            w = PAGE_W - 2 * MARGIN
            head = fit_text(
                pdf, _("Slide {n} cannot be shown").format(n=n), MARGIN, MARGIN, w, HEADLINE
            )
            _draw(pdf, head)
            _draw(pdf, fit_text(pdf, str(exc), MARGIN, head.y + head.h + 2, w, CAPTION))
            if progress:
                progress(n, total)
            continue
        shown.append(rs)
        boxes = slide_layout(pdf, rs, when)
        for box in boxes:
            _draw(pdf, box)
        url = slide_url(rs)
        room = PAGE_W - 2 * MARGIN
        if url:
            _draw_qr(pdf, *qr_layout(pdf, url), url)
            room -= QR_SIDE + QR_GAP  # the map keeps clear of the QR column
        png, ratio, __ = _map_png(rs.page, when)
        top = boxes[-2].y + boxes[-2].h + 2 if len(boxes) > 1 else MARGIN
        bottom = boxes[-1].y - 2
        h = bottom - top
        w = min(room, h * ratio)
        # the map's text twin as its alt text: a tagged Figure with /Alt for screen readers
        pdf.image(
            io.BytesIO(png),
            x=MARGIN,
            y=top,
            w=w,
            h=w / ratio,
            title=rs.page.title,
            alt_text=map_summary(rs.page.spec),
        )
        pdf.set_font("atlas", "", 9)
        pdf.set_text_color(90, 90, 90)
        pdf.set_xy(PAGE_W - MARGIN - NUMBER_W, PAGE_H - MARGIN - 2)
        pdf.cell(NUMBER_W, NUMBER_H, f"{n} / {total}", align="R")
        if progress:
            progress(n, total)
    _sources_pages(pdf, shown, when)
    return bytes(pdf.output())


def _sources_pages(pdf, slides: list[RenderedSlide], when: date | None) -> None:
    """The last page (or pages, if they overflow): :func:`sources_layout`."""
    pdf.add_page()
    boxes = sources_layout(pdf, sources_texts(slides, when))
    page = 0
    for box in boxes:
        if box.page > page:
            pdf.add_page()
            page = box.page
        _draw(pdf, box)
