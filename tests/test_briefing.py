"""Briefings: the shipped file, its figures against SQL, the PDF's texts, and bad files
(the presenter page in Chromium: tests/test_browser_briefing.py)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from geo.briefing import BriefingError, briefings, load_briefing, render_slide
from geo.briefing_pdf import HEADLINE, PAGE_H, PAGE_W, briefing_pdf, slide_document, slide_layout
from geo.views import countries_of, direct_query


@pytest.fixture(scope="module")
def shipped():
    found = briefings()
    assert found, "ship at least one briefing in data/briefings/"
    return found[0]


def test_shipped_briefing_has_five_or_more_slides_with_query_figures(shipped, con):
    assert len(shipped.slides) >= 5
    q, countries = direct_query(con), countries_of(con)
    for n in range(1, len(shipped.slides) + 1):
        rs = render_slide(shipped, n, q, countries)
        assert rs.headline and "{" not in rs.headline + rs.caption
        assert rs.slide.figures, f"slide {n} quotes no query"
    rs = render_slide(shipped, 2, q, countries)
    total = con.execute(
        "SELECT sum(dead_and_missing) FROM incidents WHERE list_contains(routes, 'Central Mediterranean')"
    ).fetchone()[0]
    assert rs.headline == f"Central Mediterranean: {total:,} dead and missing"


WHEN = date(2025, 1, 1)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _check_pdf(b, pdf: bytes, q, countries) -> list[str]:
    """Every slide's headline, caption and filters are in its page's text in full, and
    no line of them is wider than its box or leaves the page. Returns the page texts."""
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(b.slides)
    doc = slide_document(b.title)
    doc.add_page()
    texts = []
    for n, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        texts.append(text)
        rs = render_slide(b, n, q, countries)
        found = _flat(text)
        for t in (rs.headline, rs.caption, rs.page.subtitle, rs.page.citation):
            assert _flat(t) in found, (n, t)
        assert f"{n} / {len(b.slides)}" in found
        boxes = slide_layout(doc, rs, WHEN)
        for box in boxes:
            # What the page shows is what was laid out, line by line.
            page_lines = [ln.strip() for ln in text.splitlines()]
            assert _flat(" ".join(box.lines)) == _flat(box.text)
            for line in box.lines:
                assert line in page_lines, (n, line)
                doc.set_font("atlas", box.style, box.size)
                assert doc.get_string_width(line) <= box.w - 2 * doc.c_margin + 1e-6, (n, line)
            assert box.x >= 0 and box.x + box.w <= PAGE_W
            assert box.y >= 0 and box.y + box.h <= PAGE_H, (n, box)
        heights = sorted(boxes, key=lambda bx: bx.y)
        for upper, lower in zip(heights, heights[1:], strict=False):
            assert upper.y + upper.h <= lower.y, (n, upper.text, lower.text)
    return texts


def test_pdf_sets_every_slide_text_in_full_as_searchable_text(shipped, con):
    q, countries = direct_query(con), countries_of(con)
    pdf = briefing_pdf(shipped, q, countries, when=WHEN)
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert round(float(box.width) / float(box.height), 2) == round(16 / 9, 2)
    texts = _check_pdf(shipped, pdf, q, countries)
    # Slide 1's headline, straight from SQL: the end of it used to be cut off.
    total = con.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0]
    assert f"{total:,} people recorded dead or missing on migration routes since 2014" in _flat(
        texts[0]
    )
    # One map image per page, under the texts.
    for page in reader.pages:
        assert len(page.images) == 1


def test_pdf_wraps_and_shrinks_very_long_texts(tmp_path, con):
    long = " ".join(["Longwordsforwrapping and a great deal of text"] * 12)
    path = tmp_path / "long.toml"
    path.write_text(
        "[[slides]]\npage = 'routes'\nfigures = ['incident_totals']\n"
        f"headline = '{{dead_and_missing:,}} {long}'\ncaption = 'Caption: {long} the end.'\n",
        encoding="utf-8",
    )
    b = load_briefing(path)
    q, countries = direct_query(con), countries_of(con)
    pdf = briefing_pdf(b, q, countries, when=WHEN)
    _check_pdf(b, pdf, q, countries)
    doc = slide_document(b.title)
    doc.add_page()
    head, cap = slide_layout(doc, render_slide(b, 1, q, countries), WHEN)[:2]
    assert head.size == HEADLINE[2] and len(head.lines) > HEADLINE[3]  # shrunk, then wrapped
    assert cap.lines[-1].endswith("the end.")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title = 'x'", r"no \[\[slides\]\]"),
        ("[[slides]]\npage = 'nowhere'\nheadline = 'h'", "page must be one of"),
        (
            "[[slides]]\npage = 'routes'\nheadline = 'h'\nfigures = 'no_such_query'",
            "no query named",
        ),
        ("[[slides]\npage=", "not a valid TOML file"),
    ],
)
def test_bad_briefing_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BriefingError, match=message) as info:
        load_briefing(path)
    assert "bad.toml" in str(info.value)


def test_figure_missing_from_queries_is_an_error(tmp_path, con):
    path = tmp_path / "b.toml"
    path.write_text(
        "[[slides]]\npage = 'routes'\nfigures = ['incident_totals']\nheadline = '{no_such_column} dead'\n",
        encoding="utf-8",
    )
    b = load_briefing(path)
    with pytest.raises(BriefingError, match="no_such_column"):
        render_slide(b, 1, direct_query(con), countries_of(con))


def test_a_missing_slide_in_the_link_gives_an_escaped_note(db_path, monkeypatch, con):
    """``?slide=`` past the end shows the last slide and says so, as plain text: a URL
    value is never Markdown."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO, md_shown

    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/briefing.py")
    at.query_params["slide"] = "99"
    at.run()
    assert not at.exception
    total = len(briefings()[0].slides)
    notes = " ".join(i.value for i in at.info)
    assert "Slide 99 does not exist in this briefing" in notes
    assert f"slide {total} is shown" in notes
    assert at.query_params["slide"] == [str(total)] or at.query_params["slide"] == str(total)
    at.query_params["slide"] = "*[x](js:y)*"
    at.run()
    note = " ".join(i.value for i in at.info)
    assert r"Slide \*\[x\]\(js\:" in note, note  # escaped Markdown ...
    assert "Slide *[x](js:y)* does not exist" in md_shown(note)  # ... shown as written
    assert "slide 1 is shown" in note
