"""Briefing files checked on load (issue 14 item 7): one message per problem naming the
file, slide and field; the good slides and files still shown; slide parameters read by
the page's own ``from_params``, so a value not in the data is a message, never the
page's default figures under the slide's headline; a slide that matches nothing is shown
with zeros."""

from __future__ import annotations

import html
import io
import re
import shutil

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from geo.briefing import (
    BriefingError,
    briefings,
    check_briefing,
    read_briefing,
    read_briefings,
    render_slide,
    slide_problems,
)
from geo.briefing_pdf import briefing_pdf
from geo.registry import page_options, page_state
from geo.views import countries_of, direct_query
from tests.conftest import REPO

GOOD_SLIDE = """
[[slides]]
page = "routes"
figures = ["incident_totals"]
headline = "{dead_and_missing:,} dead and missing"
"""


def _write(folder, name: str, text: str):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# (file text, [(slide, field, words of the message)]): each file also has a good slide,
# which must be kept.
STATIC_CASES = {
    "params-as-text": (
        '[[slides]]\npage = "routes"\nparams = "routes=Darien"\nheadline = "h"\n',
        [(1, "params", "a table expected, such as params = {")],
    ),
    "params-value-a-table": (
        '[[slides]]\npage = "routes"\nparams = { routes = { name = "Darien" } }\nheadline = "h"\n',
        [(1, "params.routes", "text, a number or a list of them expected, found a table")],
    ),
    "unknown-page": (
        '[[slides]]\npage = "nowhere"\nheadline = "h"\n',
        [(1, "page", "'nowhere' is not a page; page must be one of overview, routes")],
    ),
    "missing-page-and-headline": (
        '[[slides]]\ncaption = "c"\n',
        [(1, "page", "missing"), (1, "headline", "missing: every slide needs a headline")],
    ),
    "wrong-types": (
        '[[slides]]\npage = "routes"\nheadline = 5\ncaption = ["a"]\nfigures = 3\n',
        [
            (1, "headline", "text expected, found a whole number 5"),
            (1, "caption", "text expected, found an array"),
            (1, "figures", "a query name or a list of them expected, found 3"),
        ],
    ),
    "unknown-query-and-field": (
        '[[slides]]\npage = "routes"\nheadline = "h"\nfigures = ["nope"]\nheadlin = "x"\n',
        [(1, "headlin", "unknown field"), (1, "figures", "no query named 'nope'")],
    ),
    "bad-template": (
        '[[slides]]\npage = "routes"\nheadline = "{dead_and_missing"\n',
        [(1, "headline", "not a valid text with figures")],
    ),
    "slide-not-a-table": (
        'slides = ["x"]\n',
        [(1, "", "a [[slides]] table expected, found text")],
    ),
    "title-a-number": ("title = 3\n", [(None, "title", "text expected, found a whole number")]),
}


@pytest.mark.parametrize("case", list(STATIC_CASES))
def test_each_problem_is_named_and_the_good_slides_kept(tmp_path, case):
    text, expected = STATIC_CASES[case]
    if case == "slide-not-a-table":
        path = _write(tmp_path, "bad.toml", text)  # slides = [...] cannot take [[slides]] too
        b, problems = read_briefing(path)
        assert b is None
    else:
        path = _write(tmp_path, "bad.toml", text + GOOD_SLIDE)
        b, problems = read_briefing(path)
        kept = [1] if case == "title-a-number" else [2]  # the good slide, by its number
        assert b is not None and [s.number for s in b.slides] == kept
    assert len(problems) == len(expected), [str(p) for p in problems]
    for p, (slide, field, words) in zip(problems, expected, strict=True):
        assert (p.file, p.slide, p.field) == ("bad.toml", slide, field), str(p)
        assert words in p.message, str(p)
        where = "bad.toml" + (f", slide {slide}" if slide else "") + (f", {field}" if field else "")
        assert str(p).startswith(where + ": ")


@pytest.mark.parametrize(
    "text,words",
    [
        ("[[slides]\npage=", "not a valid TOML file (Expected ']]'"),
        ("title = 'x'", "no [[slides]]"),
        ("slides = 3", "no [[slides]] (found a whole number)"),
    ],
)
def test_a_file_with_no_usable_slide_is_one_message(tmp_path, text, words):
    b, problems = read_briefing(_write(tmp_path, "bad.toml", text))
    assert b is None
    assert len(problems) == 1 and words in str(problems[0]) and "bad.toml" in str(problems[0])


def test_not_utf8_is_a_message(tmp_path):
    (tmp_path / "latin.toml").write_bytes(b"title = '\xe9'\n")
    b, problems = read_briefing(tmp_path / "latin.toml")
    assert b is None and "not UTF-8 text" in problems[0].message


def test_a_folder_gives_its_good_briefings_and_every_problem(tmp_path):
    shipped = REPO / "data" / "briefings" / "deadliest-routes.toml"
    shutil.copy(shipped, tmp_path / "a-good.toml")
    _write(tmp_path, "b-bad.toml", "[[slides]\n")
    _write(tmp_path, "c-partly.toml", STATIC_CASES["params-as-text"][0] + GOOD_SLIDE)
    found, problems = read_briefings(tmp_path)
    assert [b.key for b in found] == ["a-good", "c-partly"]
    assert len(found[0].slides) == len(briefings(shipped.parent)[0].slides)
    assert [s.number for s in found[1].slides] == [2]
    assert [(p.file, p.slide) for p in problems] == [("b-bad.toml", None), ("c-partly.toml", 1)]


def test_the_briefing_folder_comes_from_the_environment(tmp_path, monkeypatch):
    _write(tmp_path, "only.toml", GOOD_SLIDE)
    monkeypatch.setenv("ATLAS_BRIEFINGS", str(tmp_path))
    assert [b.key for b in read_briefings()[0]] == ["only"]


# --------------------------------------------------------------- against the data


def _slide(tmp_path, con, params: str, page: str = "routes", figures: str = "incident_totals"):
    text = (
        f'[[slides]]\npage = "{page}"\nparams = {params}\nfigures = ["{figures}"]\nheadline = "h"\n'
    )
    b, problems = read_briefing(_write(tmp_path, "s.toml", text))
    assert not problems, [str(p) for p in problems]
    return b


def test_an_unknown_route_is_a_message_not_the_all_routes_total(tmp_path, con):
    known = [r[0] for r in con.execute("SELECT DISTINCT unnest(routes) FROM incidents").fetchall()]
    assert "Darienx" not in known
    b = _slide(tmp_path, con, '{ routes = "Darienx" }')
    q = direct_query(con)
    (p,) = slide_problems(b.slides[0], q)
    assert (p.file, p.slide, p.field) == ("s.toml", 1, "params.routes")
    assert p.message.startswith("route 'Darienx' is not in the data (known: ")
    assert any(r in p.message for r in known)
    # The link reads it the same way: the page ignores the value and says so.
    _, notes = page_state("routes", {"routes": "Darienx"}, page_options("routes", q))
    assert notes
    with pytest.raises(BriefingError) as info:
        render_slide(b, 1, q, countries_of(con))
    assert info.value.problems == [p]


@pytest.mark.parametrize(
    "page,params,field,words",
    [
        ("routes", '{ route = "Darien" }', "params.route", "not a filter of the routes page"),
        ("routes", '{ from = "2016-13-01" }', "params.from", "from=2016-13-01 (a date from"),
        ("routes", '{ from = "2020-01-01", to = "2019-01-01" }', "params.from, params.to", "after"),
        ("camps", '{ country = "XXX" }', "params.country", "country 'XXX' is not in the data"),
        ("camps", '{ type = ["TYPE", "Castle"] }', "params.type", "site type 'Castle' is not"),
        ("cities", "{ year = 1800 }", "params.year", "year '1800' is not in the data (known: "),
        ("cities", '{ mode = "bogus" }', "params.mode", "mode 'bogus' is not a choice"),
        ("cifal", "{ radius = 7 }", "params.radius", "radius '7' is not a choice (choices: 50"),
        ("overview", '{ routes = "Darien" }', "params.routes", "not a filter of the overview"),
    ],
)
def test_each_bad_parameter_is_one_message(tmp_path, con, page, params, field, words):
    figures = {"overview": "incident_totals", "routes": "incident_totals"}.get(page, "site_types")
    # A site type the data has, beside one it has not.
    real = con.execute("SELECT min(site_type) FROM sites").fetchone()[0]
    b = _slide(tmp_path, con, params.replace("TYPE", real), page, figures)
    problems = slide_problems(b.slides[0], direct_query(con))
    assert [p.field for p in problems] == [field], [str(p) for p in problems]
    assert words in problems[0].message, str(problems[0])


def test_the_shipped_briefing_has_no_problem(con):
    b = briefings()[0]
    assert check_briefing(b, direct_query(con)) == {}


EMPTY = """
[[slides]]
page = "routes"
params = { routes = "Darien", from = "2015-01-01", to = "2015-01-02" }
figures = ["incident_totals"]
headline = "Darien: {dead_and_missing:,} dead and missing"
caption = "{incidents:,} incidents since {first_date:%Y}."
"""


def test_a_slide_matching_nothing_is_shown_with_zeros(tmp_path, con):
    n = con.execute(
        "SELECT count(*) FROM incidents WHERE list_contains(routes, 'Darien') "
        "AND incident_date BETWEEN DATE '2015-01-01' AND DATE '2015-01-02'"
    ).fetchone()[0]
    assert n == 0  # the premise, from the data
    b, problems = read_briefing(_write(tmp_path, "empty.toml", EMPTY))
    assert not problems
    q, countries = direct_query(con), countries_of(con)
    rs = render_slide(b, 1, q, countries)
    assert rs.headline == "Darien: 0 dead and missing"
    assert rs.caption == "0 incidents since none."
    assert rs.empty == ["the page's headline figures", "incident_totals"]
    assert "Darien" in rs.page.subtitle  # the slide's own filters, not the default
    rs.page.map.get_root().render()  # the map is drawn
    # The slide, then the sources page.
    assert len(PdfReader(io.BytesIO(briefing_pdf(b, q, countries))).pages) == 2


def test_the_pdf_says_which_slide_cannot_be_shown(tmp_path, con):
    text = (
        GOOD_SLIDE
        + '\n[[slides]]\npage = "routes"\nparams = { routes = "Darienx" }\nheadline = "h"\n'
    )
    b, _ = read_briefing(_write(tmp_path, "two.toml", text))
    pdf = briefing_pdf(b, direct_query(con), countries_of(con))
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 3 and "dead and missing" in pages[0]
    assert (
        "Slide 2 cannot be shown" in pages[1] and "route 'Darienx' is not in the data" in pages[1]
    )


# --------------------------------------------------------------- the Briefing page

UNKNOWN_ROUTE = (
    GOOD_SLIDE
    + """
[[slides]]
page = "routes"
params = { routes = "Darienx" }
figures = ["incident_totals"]
headline = "Darienx: {dead_and_missing:,} dead and missing"
"""
)


@pytest.fixture()
def folder(tmp_path):
    """One good file (the shipped one), one with params as text, one with an unknown
    route, one whose slide matches nothing."""
    shutil.copy(REPO / "data" / "briefings" / "deadliest-routes.toml", tmp_path / "a-good.toml")
    text = STATIC_CASES["params-as-text"][0] + GOOD_SLIDE
    _write(tmp_path, "b-params-text.toml", 'title = "Params as text"\n' + text)
    _write(tmp_path, "c-unknown-route.toml", 'title = "Unknown route"\n' + UNKNOWN_ROUTE)
    _write(tmp_path, "d-nothing.toml", 'title = "Nothing"\n' + EMPTY)
    return tmp_path


def _page(db_path, monkeypatch, folder, **params) -> AppTest:
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    monkeypatch.setenv("ATLAS_BRIEFINGS", str(folder))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("app_pages/briefing.py")
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _deck(at) -> str:
    """The HTML deck the Briefing page embeds (its slides step in the browser)."""
    frames = [e for e in at.main if getattr(e, "type", "") == "iframe"]
    assert len(frames) == 1, [type(e).__name__ for e in at.main]
    return frames[0].proto.srcdoc


def _deck_slide(at, n: int) -> str:
    """Slide ``n``'s section of the deck, tags and all."""
    deck = _deck(at)
    m = re.search(rf'<section class="slide[^"]*" id="slide-{n}".*?</section>', deck, re.S)
    assert m, f"no slide {n} in the deck"
    return m.group(0)


def _headline(at, n: int) -> str:
    m = re.search(r'<h1 class="headline">(.*?)</h1>', _deck_slide(at, n), re.S)
    return html.unescape(m.group(1)) if m else ""


def _start(at) -> int:
    """The slide the deck opens at (the link's)."""
    return int(re.search(r'data-start="(\d+)"', _deck(at)).group(1))


def test_the_page_shows_the_good_briefings_and_one_message_per_problem(
    db_path, monkeypatch, folder, con
):
    at = _page(db_path, monkeypatch, folder)
    problems = [t.value for t in at.text]
    assert len(problems) == 2, problems
    assert problems[0].startswith("b-params-text.toml, slide 1, params: a table expected")
    assert problems[1].startswith(
        "c-unknown-route.toml, slide 2, params.routes: route 'Darienx' is not in the data (known: "
    )
    assert at.expander[0].label == "2 problems in the briefing files"
    # Every usable file is offered; the first opens on its first slide, figures from SQL.
    assert at.selectbox[0].options == [
        "The deadliest migration routes since 2014",
        "Params as text",
        "Unknown route",
        "Nothing",
    ]
    total = con.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0]
    assert _start(at) == 1
    assert f"{total:,} people recorded dead or missing" in _headline(at, 1)


def test_a_partly_bad_file_shows_its_good_slides(db_path, monkeypatch, folder, con):
    at = _page(db_path, monkeypatch, folder, b="b-params-text")
    assert 'aria-label="Slide 1 of 1"' in _deck_slide(at, 1)
    total = con.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0]
    assert f"{total:,} dead and missing" in _headline(at, 1)


def test_a_slide_with_an_unknown_route_shows_why_and_no_figure(db_path, monkeypatch, folder, con):
    at = _page(db_path, monkeypatch, folder, b="c-unknown-route", slide="2")
    assert _start(at) == 2
    assert _headline(at, 2) == "Slide 2 cannot be shown"
    where = "c-unknown-route.toml, slide 2, params.routes"
    listed = [t.value for t in at.text if t.value.startswith(where)]
    assert len(listed) == 1  # in the list of problems above the deck
    assert html.unescape(_deck_slide(at, 2)).count(where) == 1  # and in place of the slide
    total = con.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0]
    # no "Darienx: <all routes> dead and missing"
    assert f"{total:,}" not in _deck_slide(at, 2) and "Darienx:" not in _headline(at, 2)


def test_a_slide_matching_nothing_shows_its_headline_and_says_so(db_path, monkeypatch, folder):
    at = _page(db_path, monkeypatch, folder, b="d-nothing")
    assert "Darien: 0 dead and missing" in _headline(at, 1)
    assert "Nothing in the data matches this slide" in html.unescape(_deck_slide(at, 1))


def test_choosing_another_briefing_opens_its_first_slide(db_path, monkeypatch, folder, con):
    """The briefing chooser is a keyed widget seeded from the URL (app_pages/_ui.py,
    seed_widgets): choosing writes the briefing and slide 1 to the URL, the slide follows;
    a link to another briefing moves the chooser."""
    at = _page(db_path, monkeypatch, folder, b="c-unknown-route", slide="2")
    at.selectbox[0].set_value("d-nothing").run()
    assert not at.exception
    assert (at.query_params["b"], at.query_params["slide"]) == ("d-nothing", "1")
    assert at.selectbox[0].value == "d-nothing"
    assert _start(at) == 1 and "Darien: 0 dead and missing" in _headline(at, 1)
    at.query_params["b"] = "a-good"
    at.query_params["slide"] = "1"
    at.run()
    assert at.selectbox[0].value == "a-good"
    total = con.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0]
    assert f"{total:,} people recorded dead or missing" in _headline(at, 1)
