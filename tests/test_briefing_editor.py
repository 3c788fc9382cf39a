"""The Briefing editor and its store (issue 16), as a presenter uses them: views added
with "Add to briefing" on the map pages become slides with the view's link; slides are
moved, copied, deleted and worded; a figure that is no figure of the slide is refused;
the briefing is saved (never over a file that comes with the app), downloaded and
uploaded, with one message per problem of an uploaded file; untrusted text shows as
written. The browser journey is tests/test_browser_briefing.py; these are AppTest and
unit tests, with every expected figure from SQL over the test database."""

from __future__ import annotations

import os
import re
import shutil
import stat
import tomllib
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import _keys as K
from geo import briefing_store
from geo.briefing import Briefing, Slide, check_briefing, read_briefing, read_briefing_bytes
from geo.briefing_store import (
    briefing_key,
    briefing_toml,
    delete_briefing,
    free_key,
    is_shipped,
    new_slide,
    save_briefing,
)
from geo.pages import page as page_of
from geo.views import direct_query, md_plain
from tests.conftest import REPO, md_shown

SHIPPED_FILE = REPO / "data" / "briefings" / "deadliest-routes.toml"


# ---------------------------------------------------------------- expected figures (SQL)


def _top_route(con) -> str:
    """The route with the most incidents."""
    return con.execute(
        "SELECT r FROM (SELECT unnest(routes) AS r FROM incidents) "
        "GROUP BY r ORDER BY count(*) DESC, r LIMIT 1"
    ).fetchone()[0]


def _route_headline(con, route: str) -> str:
    n, dm = con.execute(
        "SELECT count(*), sum(dead_and_missing) FROM incidents WHERE list_contains(routes, ?)",
        [route],
    ).fetchone()
    return f"{dm:,} dead and missing in {n:,} incidents"


def _overview_headline(con) -> str:
    dm, first = con.execute(
        "SELECT sum(dead_and_missing), min(incident_date) FROM incidents"
    ).fetchone()
    return f"{dm:,} people recorded dead or missing on migration routes since {first:%B %Y}"


def _camps_country(con) -> tuple[str, str]:
    """A country with both open and closed sites (so the two figures differ), and the
    Camps page's slide headline for it."""
    iso3, n, n_open = con.execute(
        "SELECT iso3, count(*), count(*) FILTER (WHERE is_open) FROM sites "
        "GROUP BY iso3 HAVING count(*) FILTER (WHERE NOT is_open) > 0 "
        "ORDER BY count(*) DESC, iso3 LIMIT 1"
    ).fetchone()
    return iso3, f"{n:,} camps and sites, {n_open:,} of them open"


# ---------------------------------------------------------------- driving the app


@pytest.fixture()
def folder(tmp_path):
    """The user's briefings folder (empty)."""
    f = tmp_path / "briefings"
    f.mkdir()
    return f


@pytest.fixture()
def at(db_path, monkeypatch, folder) -> AppTest:
    """The app over the test database, saving briefings in ``folder``; first run done."""
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    monkeypatch.setenv("ATLAS_BRIEFINGS", str(folder))
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    app.run()  # AppTest resolves st.navigation's pages only after a first run
    return app


def _ok(at) -> None:
    assert not at.exception, [e.message for e in at.exception]


def _goto(at, key: str) -> None:
    """Open a map page and run it twice: the second run counts its map as drawn, which
    shows the export panel and its "Add to briefing" button."""
    at.switch_page(page_of(key).script)
    at.run()
    at.run()
    _ok(at)


def _add(at, key: str) -> dict:
    """Press the page's "Add to briefing"; returns the link it captured."""
    link = dict(at.query_params)  # the page's address at the click
    at.button(key=f"atlas_add_slide_{key}").click().run()
    _ok(at)
    assert any("Added as slide" in md_shown(s.value) for s in at.success)
    return link


def _editor(at) -> None:
    at.switch_page("app_pages/briefing_editor.py")
    at.run()
    _ok(at)


def _draft(at):
    return at.session_state[K.DRAFT]


def _blocks(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _blocks(child)


def _slides(at) -> list[tuple[int, object]]:
    """(uid, container) of each slide of the editor, top to bottom."""
    out = []
    for b in _blocks(at.main):
        bid = getattr(getattr(b, "proto", None), "id", "") or ""
        if "-atlas_slide_" in bid:
            out.append((int(bid.rsplit("_", 1)[1]), b))
    return out


def _pages(at) -> list[str]:
    """The page of each slide as its head says ("Slide 2 · Deadly routes")."""
    heads = []
    for n, (_, block) in enumerate(_slides(at), start=1):
        head = md_shown(block.markdown[0].value)
        assert head.startswith(f"**Slide {n}** · "), head
        heads.append(head.split(" · ", 1)[1])
    return heads


def _preview(block) -> str | None:
    """The slide's headline preview, as shown (``None`` when there is none)."""
    captions = [c.value for c in block.caption]
    if "Preview, with today's data" not in captions:
        return None
    bold = [m.value for m in block.markdown[1:] if m.value != "**Figures of this slide**"]
    assert bold and bold[0].startswith("**") and bold[0].endswith("**"), bold
    return md_shown(bold[0][2:-2])


def _set_text(at, key: str, value: str) -> None:
    w = at.text_input(key=key) if key.startswith("ed_head_") else at.text_area(key=key)
    w.set_value(value).run()
    _ok(at)


def _save_button(at):
    return at.button(key="atlas_editor_save")


def _uids(at) -> list[int]:
    return [uid for uid, _ in _slides(at)]


# ---------------------------------------------------------------- 1. adding views


def test_views_added_on_three_pages_are_three_slides_with_their_links(at, con):
    route = _top_route(con)
    iso3, camps_headline = _camps_country(con)
    _goto(at, "routes")
    routes = next(m for m in at.multiselect if m.label.lower().startswith("migration route"))
    routes.set_value([route]).run()
    # A map view and a tab in the link are captured too.
    at.query_params.update({"lat": "12.5", "lon": "-80.25", "z": "5"})
    at.run()
    routes_link = _add(at, "routes")
    _goto(at, "overview")
    overview_link = _add(at, "overview")
    _goto(at, "camps")
    at.multiselect(key="camps_countries").set_value([iso3]).run()
    camps_link = _add(at, "camps")
    assert any("Added as slide 3 of “My briefing”" in md_shown(s.value) for s in at.success)

    _editor(at)
    assert _pages(at) == [page_of(k).nav_title for k in ("routes", "overview", "camps")]
    d = _draft(at)
    assert [s.page for s in d.slides] == ["routes", "overview", "camps"]
    assert d.slides[0].params["routes"] == route
    assert {k: d.slides[0].params[k] for k in ("lat", "lon", "z")} == {
        "lat": "12.5",
        "lon": "-80.25",
        "z": "5",
    }
    assert d.slides[2].params["country"] == iso3
    for slide, link in zip(d.slides, (routes_link, overview_link, camps_link), strict=True):
        assert slide.params == link  # the whole link: filters, map view, layers, tab
    # Each slide's "Open this view" link quotes its filters.
    labels = [block.get("page_link")[0].proto.label for _, block in _slides(at)]
    assert f"routes={route}" in md_shown(labels[0]) and f"country={iso3}" in md_shown(labels[2])
    previews = [_preview(block) for _, block in _slides(at)]
    assert previews == [_route_headline(con, route), _overview_headline(con), camps_headline]
    assert [t.value for t in at.text_input if (t.key or "").startswith("ed_head_")] == [
        page_of(k).slide_headline for k in ("routes", "overview", "camps")
    ]


# ---------------------------------------------------------------- 2. order, copies


def test_reorder_duplicate_and_delete_are_what_is_saved(at, con, folder):
    route = _top_route(con)
    _goto(at, "routes")
    next(m for m in at.multiselect if m.label.lower().startswith("migration route")).set_value(
        [route]
    ).run()
    _add(at, "routes")
    _goto(at, "overview")
    _add(at, "overview")
    _editor(at)
    r, o = _uids(at)
    edited = "Worst route: {dead_and_missing:,} dead and missing"
    _set_text(at, f"ed_head_{r}", edited)
    _set_text(at, f"ed_caption_{r}", "{incidents:,} incidents.")
    _set_text(at, f"ed_notes_{r}", "Pause here.\nThen the map.")
    at.button(key=f"ed_dup_{r}").click().run()
    _ok(at)
    r, c, o2 = _uids(at)
    assert o2 == o and c not in (r, o)
    assert _pages(at) == ["Deadly routes", "Deadly routes", "Overview"]
    # The copy starts with the original's texts, the edited headline included...
    assert at.text_input(key=f"ed_head_{c}").value == edited
    assert at.text_area(key=f"ed_caption_{c}").value == "{incidents:,} incidents."
    assert at.text_area(key=f"ed_notes_{c}").value == "Pause here.\nThen the map."
    n, dm = con.execute(
        "SELECT count(*), sum(dead_and_missing) FROM incidents WHERE list_contains(routes, ?)",
        [route],
    ).fetchone()
    assert _preview(_slides(at)[1][1]) == f"Worst route: {dm:,} dead and missing"
    # ...and is its own slide afterwards: editing it leaves the original as it was.
    _set_text(at, f"ed_head_{c}", "Copy: {incidents:,} incidents")
    assert at.text_input(key=f"ed_head_{r}").value == edited
    d = _draft(at)
    assert [s.headline for s in d.slides] == [
        edited,
        "Copy: {incidents:,} incidents",
        d.slides[2].headline,
    ]
    assert _preview(_slides(at)[0][1]) == f"Worst route: {dm:,} dead and missing"
    assert _preview(_slides(at)[1][1]) == f"Copy: {n:,} incidents"

    # Down on the first, Up on the last: copy, overview, original. Texts follow slides.
    assert at.button(key=f"ed_up_{r}").disabled and at.button(key=f"ed_down_{o}").disabled
    at.button(key=f"ed_down_{r}").click().run()
    at.button(key=f"ed_up_{o}").click().run()
    _ok(at)
    assert _uids(at) == [c, o, r]
    assert at.text_input(key=f"ed_head_{r}").value == edited
    assert _preview(_slides(at)[2][1]) == f"Worst route: {dm:,} dead and missing"
    at.button(key=f"ed_del_{c}").click().run()
    _ok(at)
    assert _uids(at) == [o, r]
    assert _pages(at) == ["Overview", "Deadly routes"]

    _save_button(at).click().run()
    _ok(at)
    files = sorted(folder.glob("*.toml"))
    assert len(files) == 1
    data = tomllib.loads(files[0].read_text(encoding="utf-8"))
    assert [s["page"] for s in data["slides"]] == ["overview", "routes"]
    assert data["slides"][1]["headline"] == edited
    assert data["slides"][1]["notes"] == "Pause here.\nThen the map."
    assert data["slides"][1]["params"]["routes"] == route


# ---------------------------------------------------------------- 3. refused figures


def test_an_unknown_figure_is_named_and_blocks_saving(at, con):
    _goto(at, "overview")
    _add(at, "overview")
    _editor(at)
    (uid,) = _uids(at)
    assert not _save_button(at).disabled
    _set_text(at, f"ed_head_{uid}", "{bogus} and {dead_and_missing:,}")
    errors = [md_shown(e.value) for e in at.error]
    assert any("No figure {bogus} on this slide" in e for e in errors), errors
    assert _save_button(at).disabled
    assert _preview(_slides(at)[0][1]) is None  # no half-filled headline
    _set_text(at, f"ed_head_{uid}", "Unmatched { brace")
    assert any("Unmatched {" in md_shown(e.value) for e in at.error)
    assert _save_button(at).disabled
    # Fixed: the error goes, Save comes back.
    _set_text(at, f"ed_head_{uid}", "{dead_and_missing:,} in all")
    assert not at.error and not _save_button(at).disabled
    dm = con.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0]
    assert _preview(_slides(at)[0][1]) == f"{dm:,} in all"


def test_a_format_a_figure_cannot_take_is_an_error_not_a_crash(at):
    """``{dead_and_missing:%Y}``: a known figure, a format a number cannot take. The
    slide would fail when presented, so the editor says why and refuses to save it."""
    _goto(at, "overview")
    _add(at, "overview")
    _editor(at)
    (uid,) = _uids(at)
    for text in ("{dead_and_missing:%Y}", "{incidents[0]}", "{incidents!z}"):
        _set_text(at, f"ed_head_{uid}", text)
        errors = [md_shown(e.value) for e in at.error]
        assert any("cannot be written as asked" in e for e in errors), (text, errors)
        assert _save_button(at).disabled, text
    _set_text(at, f"ed_caption_{uid}", "{dead_and_missing:%Y}")
    _set_text(at, f"ed_head_{uid}", "{first_date:%Y}")
    assert len(at.error) == 1 and _save_button(at).disabled  # the caption's
    _set_text(at, f"ed_caption_{uid}", "")
    assert not at.error and not _save_button(at).disabled


# ---------------------------------------------------------------- 4. saving


def test_save_reads_back_and_saving_again_overwrites_the_same_file(at, con, folder):
    iso3, _ = _camps_country(con)
    _goto(at, "camps")
    at.multiselect(key="camps_countries").set_value([iso3]).run()
    _add(at, "camps")
    _goto(at, "overview")
    _add(at, "overview")
    _editor(at)
    at.text_input(key=K.EDITOR_TITLE).set_value("Camps then totals").run()
    at.text_input(key=K.EDITOR_DESCRIPTION).set_value("For the board").run()
    a, b = _uids(at)
    _set_text(at, f"ed_notes_{a}", 'Say "open" twice.\n\nSecond paragraph {not a figure}.')
    _set_text(at, f"ed_caption_{b}", "Since {first_date:%Y}.")
    assert any("Changes not saved yet" in c.value for c in at.caption)
    _save_button(at).click().run()
    _ok(at)
    path = folder / "camps-then-totals.toml"
    assert sorted(folder.iterdir()) == [path]
    assert any(md_plain(str(path)) in s.value for s in at.success)
    saved, problems = read_briefing(path)
    assert problems == []
    d = _draft(at)
    assert d.key == "camps-then-totals" and d.saved
    assert (saved.title, saved.description) == ("Camps then totals", "For the board")
    for got, want in zip(saved.slides, d.slides, strict=True):
        assert (got.page, got.headline, got.caption, got.notes, got.params) == (
            want.page,
            want.headline,
            want.caption,
            want.notes,
            want.params,
        )
    assert saved.slides[0].params["country"] == iso3
    assert saved.slides[0].notes == 'Say "open" twice.\n\nSecond paragraph {not a figure}.'
    assert [p.label for p in at.get("page_link") if p.label == "Present"]

    # Edited and saved again, even under a new title: the same file, no second one.
    at.text_input(key=K.EDITOR_TITLE).set_value("A new title").run()
    _set_text(at, f"ed_head_{b}", "Total: {dead_and_missing:,}")
    _save_button(at).click().run()
    _ok(at)
    assert sorted(folder.iterdir()) == [path]
    again, _ = read_briefing(path)
    assert (
        again.title == "A new title" and again.slides[1].headline == "Total: {dead_and_missing:,}"
    )
    # Opened from the list, it is the same briefing.
    at.selectbox(key=K.EDITOR_OPEN).set_value("camps-then-totals").run()
    _ok(at)
    assert [s.headline for s in _draft(at).slides] == [s.headline for s in again.slides]


def test_a_shipped_briefing_is_saved_as_a_copy(at, folder, monkeypatch):
    """The app's own file is never written: saving it writes a new file, and saving
    again writes that copy (SHIPPED_DIR pointed at a copy of data/briefings/)."""
    shipped = folder / SHIPPED_FILE.name
    shutil.copy(SHIPPED_FILE, shipped)
    monkeypatch.setattr(briefing_store, "SHIPPED_DIR", folder)
    original = shipped.read_bytes()
    _editor(at)
    box = at.selectbox(key=K.EDITOR_OPEN)
    assert "(comes with the app)" in box.format_func("deadliest-routes")
    box.set_value("deadliest-routes").run()
    _ok(at)
    assert any("comes with the app" in i.value for i in at.info)
    first = _uids(at)[0]
    _set_text(at, f"ed_head_{first}", "Mine: {dead_and_missing:,}")
    _save_button(at).click().run()
    _ok(at)
    assert shipped.read_bytes() == original
    copies = sorted(p for p in folder.glob("*.toml") if p != shipped)
    assert [p.name for p in copies] == ["the-deadliest-migration-routes-since-2014.toml"]
    assert _draft(at).key == copies[0].stem
    assert read_briefing(copies[0])[0].slides[0].headline == "Mine: {dead_and_missing:,}"
    _set_text(at, f"ed_head_{first}", "Mine again: {dead_and_missing:,}")
    _save_button(at).click().run()
    assert shipped.read_bytes() == original
    assert sorted(folder.glob("*.toml")) == sorted([shipped, copies[0]])
    assert read_briefing(copies[0])[0].slides[0].headline == "Mine again: {dead_and_missing:,}"


def test_a_shipped_briefing_opened_by_its_link_is_saved_as_a_copy_and_stays_it(
    at, folder, monkeypatch
):
    """The Briefing page's Edit link (/editor?b=<key>): after the copy is saved the
    editor goes on with the copy (the link must not reopen the original over it)."""
    shipped = folder / SHIPPED_FILE.name
    shutil.copy(SHIPPED_FILE, shipped)
    monkeypatch.setattr(briefing_store, "SHIPPED_DIR", folder)
    original = shipped.read_bytes()
    at.query_params["b"] = shipped.stem
    _editor(at)
    assert _draft(at).key == shipped.stem
    first = _uids(at)[0]
    _set_text(at, f"ed_head_{first}", "Mine: {dead_and_missing:,}")
    _save_button(at).click().run()
    _ok(at)
    (copy,) = (p for p in folder.glob("*.toml") if p != shipped)
    assert _draft(at).key == copy.stem and at.query_params["b"] == copy.stem
    assert at.text_input(key=f"ed_head_{first}").value == "Mine: {dead_and_missing:,}"
    _set_text(at, f"ed_head_{first}", "Mine again: {dead_and_missing:,}")
    _save_button(at).click().run()
    assert sorted(folder.glob("*.toml")) == sorted([shipped, copy])
    assert read_briefing(copy)[0].slides[0].headline == "Mine again: {dead_and_missing:,}"
    assert shipped.read_bytes() == original


def test_the_list_opens_what_is_chosen_and_new_starts_empty(at, folder):
    for title, page in (("First one", "overview"), ("Second one", "camps")):
        save_briefing(Briefing("", title, "", [new_slide(page, {})]), folder)
    at.query_params["b"] = "first-one"  # arrived by a link to the first
    _editor(at)
    assert _draft(at).key == "first-one"
    at.selectbox(key=K.EDITOR_OPEN).set_value("second-one").run()
    _ok(at)
    assert _draft(at).key == "second-one" and _pages(at) == ["Camps and sites"]
    at.run()
    assert _draft(at).key == "second-one"
    next(b for b in at.button if b.label == "New briefing").click().run()
    _ok(at)
    at.run()
    d = _draft(at)
    assert (d.key, d.slides) == ("", [])
    assert any("No slides yet" in i.value for i in at.info)


# ---------------------------------------------------------------- 5. upload


GOOD = """title = "Uploaded"
[[slides]]
page = "overview"
headline = "{dead_and_missing:,} in all"
notes = "Start here."
"""
BAD_SLIDES = (
    GOOD
    + '\n[[slides]]\npage = "nowhere"\nheadline = "h"\n'
    + '\n[[slides]]\npage = "routes"\ncaption = "no headline"\n'
    + '\n[[slides]]\npage = "routes"\nheadline = "{incidents:,} incidents"\nnotes = "Last."\n'
)
UPLOADS = {
    # name: (content, [(slide, field, words)])
    "syntax.toml": (b"[[slides]\npage=", [(None, "", "not a valid TOML file")]),
    "latin1.toml": ("title = 'Caf\u00e9'".encode("latin-1"), [(None, "", "not UTF-8 text")]),
    "empty.toml": (b"", [(None, "slides", "no [[slides]]")]),
    "huge.toml": (b"# " + b"x" * 1_000_001, [(None, "", "too large for a briefing")]),
    "three-bad.toml": (
        BAD_SLIDES.encode(),
        [(2, "page", "'nowhere' is not a page"), (3, "headline", "missing")],
    ),
}


def _upload(at, name: str, content: bytes) -> None:
    at.get("file_uploader")[0].set_value((name, content, "application/toml")).run()
    _ok(at)


def _problem_lines(at) -> list[str]:
    return [t.value for t in at.text]


def test_an_uploaded_briefing_opens_as_the_draft(at, con):
    _editor(at)
    _upload(at, "good.toml", GOOD.encode())
    assert any("Opened good.toml" in md_shown(s.value) for s in at.success)
    d = _draft(at)
    assert (d.title, d.key, d.saved) == ("Uploaded", "", False)
    assert at.text_input(key=K.EDITOR_TITLE).value == "Uploaded"
    assert [(s.page, s.headline, s.notes) for s in d.slides] == [
        ("overview", "{dead_and_missing:,} in all", "Start here.")
    ]
    dm = con.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0]
    assert _preview(_slides(at)[0][1]) == f"{dm:,} in all"


def test_each_problem_of_an_upload_is_one_line_and_good_slides_are_kept(at, con):
    """Through the page's own uploader (AppTest drives st.file_uploader); the lines are
    also checked against read_briefing_bytes + check_briefing, the functions it calls."""
    q = direct_query(con)
    _editor(at)
    _upload(at, "good.toml", GOOD.encode())
    before = [s.headline for s in _draft(at).slides]
    for name, (content, expected) in UPLOADS.items():
        _upload(at, name, content)
        lines = _problem_lines(at)
        assert len(lines) == len(expected), (name, lines)
        for line, (slide, field, words) in zip(lines, expected, strict=True):
            where = name + (f", slide {slide}" if slide else "") + (f", {field}" if field else "")
            assert line.startswith(where + ": ") and words in line, (name, line)
        n = len(expected)
        assert any(
            f"{n} problem{'s' if n > 1 else ''} in {md_plain(name)}" in e.value for e in at.error
        )
        b, found = read_briefing_bytes(content, name)
        if b is not None:
            found += [p for ps in check_briefing(b, q).values() for p in ps]
        assert lines == [str(p) for p in found]
        if name != "three-bad.toml":  # nothing usable: the draft stays as it was
            assert "nothing to open" in at.error[0].value
            assert [s.headline for s in _draft(at).slides] == before
    # The partly bad file: its slides 1 and 4 are the draft.
    assert "the slides without one are below" in at.error[0].value
    d = _draft(at)
    assert [(s.page, s.headline, s.notes) for s in d.slides] == [
        ("overview", "{dead_and_missing:,} in all", "Start here."),
        ("routes", "{incidents:,} incidents", "Last."),
    ]
    n = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
    assert _preview(_slides(at)[1][1]) == f"{n:,} incidents"


def test_a_parameter_not_in_the_data_is_a_line_of_the_upload(at):
    text = GOOD + '\n[[slides]]\npage = "routes"\nheadline = "h"\nparams = { routes = "Nowhere" }\n'
    _editor(at)
    _upload(at, "route.toml", text.encode())
    lines = _problem_lines(at)
    assert len(lines) == 1 and lines[0].startswith("route.toml, slide 2, params.routes: "), lines
    assert "'Nowhere' is not in the data" in lines[0]


# ---------------------------------------------------------------- 6. untrusted text


HOSTILE = "[click](https://evil.example) :red[alarm] <img src=x onerror=alert(1)> **b** $x$"


def test_hostile_text_of_an_upload_shows_as_written(at):
    text = (
        f"title = {HOSTILE!r}\n"
        f"description = {HOSTILE!r}\n"
        "[[slides]]\n"
        'page = "overview"\n'
        f'headline = "{HOSTILE} {{incidents:,}}"\n'
        f"caption = {HOSTILE!r}\n"
        f"notes = {HOSTILE!r}\n"
    ).replace("'", '"')
    b, problems = read_briefing_bytes(text.encode(), "x.toml")
    assert not problems and b.title == HOSTILE
    _editor(at)
    name = "[f](https://evil.example) :red[f].toml"
    _upload(at, name, text.encode())
    d = _draft(at)
    assert d.title == HOSTILE and d.slides[0].notes == HOSTILE
    # In widgets (plain text by nature) as written...
    assert at.text_input(key=K.EDITOR_TITLE).value == HOSTILE
    (uid,) = _uids(at)
    assert at.text_area(key=f"ed_notes_{uid}").value == HOSTILE
    # ...and in every Markdown element escaped: shown as written, never a link or colour.
    preview = _preview(_slides(at)[0][1])
    assert preview.startswith(HOSTILE + " ")
    caption = [m.value for m in _slides(at)[0][1].markdown if HOSTILE[:6] in md_shown(m.value)]
    assert md_plain(HOSTILE) in caption
    shown = [
        e.value
        for kind in ("markdown", "caption", "success", "error", "info", "warning")
        for e in at.get(kind)
    ]
    shown += [p.proto.label for p in at.get("page_link")]
    assert any(md_plain(name) in s for s in shown)  # "Opened <name>"
    for s in shown:  # no unescaped link, directive, tag, emphasis or maths
        for raw in (r"\]\(", r":red\[", r"<img", r"\*\*b", r"\$x"):
            assert not re.search(r"(?<!\\)" + raw, s), s


# ---------------------------------------------------------------- 7. the store


def _every_field() -> Briefing:
    return Briefing(
        "",
        "Quotes \"double\" and 'single', braces {{ }} and a backslash \\",
        "Line one\nline two",
        [
            Slide(
                "routes",
                'Route: {dead_and_missing:,} "dead" {{not a figure}}',
                "Caption with ''' and \"\"\" and {incidents:,}",
                {
                    "routes": "Central Mediterranean|Darien",
                    "from": "2020-01-01",
                    "lat": "35.5",
                    "lon": "14.25",
                    "z": "5",
                    "layers": "incidents|corridors",
                    "section": "table",
                },
                ["incident_totals"],
                notes='First line\n\n  indented "quoted" {braces} \\ backslash\nlast',
            ),
            Slide("overview", "{incidents:,}"),
        ],
    )


def test_briefing_toml_round_trips_every_field(tmp_path):
    b = _every_field()
    path = tmp_path / "round.toml"
    path.write_text(briefing_toml(b), encoding="utf-8")
    got, problems = read_briefing(path)
    assert problems == []
    assert (got.title, got.description) == (b.title, b.description)
    for n, (g, w) in enumerate(zip(got.slides, b.slides, strict=True), start=1):
        assert g == replace(w, number=n, file="round.toml")
    # Written again, the same text: the file is stable under read and save.
    assert briefing_toml(replace(got, key="")) == briefing_toml(b)


def test_new_slide_captures_the_link_and_the_pages_headline():
    params = {"routes": "Darien", "lat": "8.5", "lon": "-77.5", "z": "7", "layers": "incidents"}
    s = new_slide("routes", params)
    params["routes"] = "changed later"
    assert s.page == "routes" and s.params["routes"] == "Darien" and s.params["z"] == "7"
    assert s.headline == page_of("routes").slide_headline and s.notes == "" and s.caption == ""


@pytest.mark.parametrize(
    "title,key",
    [
        ("Routes of the Sahel", "routes-of-the-sahel"),
        ("Méditerranée centrale — été 2024!", "mediterranee-centrale-ete-2024"),
        ("", "briefing"),
        ("   ", "briefing"),
        ("???", "briefing"),
        ("北京", "briefing"),
        ("../../etc/passwd", "etc-passwd"),
        ("a" * 100, "a" * 60),
        ("a" * 59 + " b", "a" * 59),
    ],
)
def test_briefing_key_is_a_safe_slug(title, key):
    assert briefing_key(title) == key


def test_free_key_never_takes_another_file(tmp_path, monkeypatch):
    for stem in ("my-briefing", "my-briefing-2"):
        (tmp_path / f"{stem}.toml").write_text("", encoding="utf-8")
    assert free_key("My briefing", tmp_path) == "my-briefing-3"
    assert free_key("My briefing", tmp_path, keep="my-briefing-2") == "my-briefing-2"
    assert free_key("Other", tmp_path) == "other"
    assert free_key("", tmp_path) == "briefing"
    # A shipped file is never "kept", even when it is the briefing being saved.
    monkeypatch.setattr(briefing_store, "SHIPPED_DIR", tmp_path)
    monkeypatch.setattr(briefing_store, "SHIPPED", frozenset({"my-briefing.toml"}))
    assert is_shipped(tmp_path / "my-briefing.toml")
    assert not is_shipped(tmp_path / "my-briefing-2.toml")
    assert free_key("My briefing", tmp_path, keep="my-briefing") == "my-briefing-3"


def test_the_real_shipped_file_is_protected():
    assert is_shipped(SHIPPED_FILE)
    assert not is_shipped(REPO / "elsewhere" / SHIPPED_FILE.name)
    assert not delete_briefing(SHIPPED_FILE.stem, SHIPPED_FILE.parent)
    assert SHIPPED_FILE.is_file()


def test_save_briefing_names_and_places_files(tmp_path, monkeypatch):
    b = _every_field()
    first = save_briefing(replace(b, title="Sahel"), tmp_path)
    assert first.name == "sahel.toml"
    other = save_briefing(replace(b, title="Sahel"), tmp_path)  # a new one, same title
    assert other.name == "sahel-2.toml" and first.read_text(encoding="utf-8")
    again = save_briefing(replace(b, key="sahel", title="Renamed"), tmp_path)
    assert again == first and read_briefing(first)[0].title == "Renamed"
    assert delete_briefing("sahel", tmp_path) and not first.exists()
    assert not delete_briefing("sahel", tmp_path)
    # The default folder is $ATLAS_BRIEFINGS; it is made when missing.
    monkeypatch.setenv("ATLAS_BRIEFINGS", str(tmp_path / "new" / "dir"))
    made = save_briefing(replace(b, title="Env"))
    assert made == (tmp_path / "new" / "dir" / "env.toml").resolve()
    # Readable like any file the user makes (not the 0600 of a temporary file).
    mode = stat.S_IMODE(made.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_save_over_a_shipped_file_writes_a_copy(tmp_path, monkeypatch):
    shipped = tmp_path / SHIPPED_FILE.name
    shutil.copy(SHIPPED_FILE, shipped)
    monkeypatch.setattr(briefing_store, "SHIPPED_DIR", tmp_path)
    original = shipped.read_bytes()
    b, _ = read_briefing(shipped)
    # Even when the title's own name is the shipped file's.
    path = save_briefing(replace(b, title=SHIPPED_FILE.stem.replace("-", " ")), tmp_path)
    assert path != shipped and path.name == f"{SHIPPED_FILE.stem}-2.toml"
    assert shipped.read_bytes() == original
    assert delete_briefing(path.stem, tmp_path) and not delete_briefing(shipped.stem, tmp_path)
    assert shipped.read_bytes() == original


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    b = _every_field()
    path = save_briefing(replace(b, title="Kept"), tmp_path)
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        save_briefing(replace(b, key="kept", title="Kept", description="changed"), tmp_path)
    with pytest.raises(OSError):
        save_briefing(replace(b, title="Brand new"), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.toml"]  # no temporary left
    assert path.read_bytes() == before
