"""English, French and Spanish: the catalogues cover every message of the code and are
current, each session keeps its own language, and numbers and dates are written as
each language does (geo/i18n.py, scripts/i18n.py)."""

from __future__ import annotations

import builtins
import subprocess
import sys
import threading
from datetime import date

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal

from geo import i18n
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import i18n as catalogues  # noqa: E402  (scripts/i18n.py)


def test_every_message_has_a_translation_and_no_catalogue_is_stale():
    found = catalogues.problems()
    assert not found, f"{len(found)} problems, e.g. {found[:10]}"


def test_the_check_fails_on_a_missing_translation(tmp_path, monkeypatch):
    """The check above can fail: a French catalogue missing one message is reported."""
    from babel.messages.pofile import read_po, write_po

    with catalogues.po_path("fr").open("rb") as f:
        catalog = read_po(f, locale="fr", domain="atlas")
    ids = [m.id for m in catalog if m.id]
    assert ids, "the French catalogue is empty"
    catalog.delete(ids[0])
    fake = tmp_path / "fr" / "LC_MESSAGES" / "atlas.po"
    fake.parent.mkdir(parents=True)
    with fake.open("wb") as f:
        write_po(f, catalog)
    real = catalogues.po_path
    monkeypatch.setattr(catalogues, "po_path", lambda lang: fake if lang == "fr" else real(lang))
    found = catalogues.problems()
    key = ids[0] if isinstance(ids[0], str) else ids[0][0]
    assert f"fr: no translation of {key!r}" in found


def test_the_catalogues_compile_and_translate(tmp_path):
    """``compile`` (run by setup) writes .mo files that gettext reads."""
    out = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "i18n.py"), "compile"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr
    for lang in ("fr", "es"):
        assert catalogues.po_path(lang).with_suffix(".mo").stat().st_size > 1000
    i18n.translations.cache_clear()
    with i18n.using("fr"):
        assert i18n._("Data and sources") == "Données et sources"
    with i18n.using("es"):
        assert i18n._("Data and sources") == "Datos y fuentes"
    assert i18n._("Data and sources") == "Data and sources"


def test_each_thread_keeps_its_own_language():
    """Two sessions at once (Streamlit runs each in its own thread): French in one,
    Spanish in the other, English in the main thread; nothing installed process-wide."""
    seen: dict[str, list[str]] = {}
    start = threading.Barrier(2)

    def session(lang: str) -> None:
        i18n.set_language(lang)
        start.wait()
        seen[lang] = [i18n._("Data and sources") for _i in range(200)]

    threads = [threading.Thread(target=session, args=(lang,)) for lang in ("fr", "es")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(seen["fr"]) == {"Données et sources"}
    assert set(seen["es"]) == {"Datos y fuentes"}
    assert i18n.language() == "en" and i18n._("Data and sources") == "Data and sources"
    assert not hasattr(builtins, "_"), "a process-wide gettext install"


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7", "fr"),
        ("es-419,es;q=0.9", "es"),
        ("de-DE,de;q=0.9,es;q=0.5,fr;q=0.4", "es"),
        ("en-GB,en;q=0.9,fr;q=0.8", "en"),
        ("de-DE", "en"),
        ("", "en"),
        (None, "en"),
        ("fr;q=abc, es;q=0.2", "es"),
    ],
)
def test_accept_language_picks_the_preferred_offered_language(header, lang):
    assert i18n.negotiate(header) == lang


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_numbers_and_dates_are_written_as_the_language_does(lang):
    n, d = 76272, date(2025, 9, 8)
    with i18n.using(lang):
        if lang == "en":
            # English keeps the app's own forms
            assert i18n.fmt_int(n) == f"{n:,}"
            assert i18n.fmt_date(d) == d.strftime("%d %b %Y")
            assert i18n.fmt_date(d, "long") == d.strftime("%d %B %Y")
        else:
            assert i18n.fmt_int(n) == format_decimal(n, locale=lang)
            assert i18n.fmt_date(d) == format_date(d, "d MMM y", locale=lang)
    assert {"fr": "76\u202f272", "es": "76.272"}.get(lang, "76,272") == (
        i18n.fmt_int(n) if lang == "en" else format_decimal(n, locale=lang)
    )
    with i18n.using("fr"):
        assert i18n.fmt_date(d) == "8 sept. 2025"
    with i18n.using("es"):
        assert i18n.fmt_date(d) == "8 sept 2025"


def test_a_link_chooses_the_language_of_the_session(db_path, monkeypatch):
    """``?lang=fr`` opens the app in French (navigation and the page), keeps ``lang`` in
    the URL, and the sidebar selector shows it; choosing Spanish there moves the link."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params["lang"] = "fr"
    at.run()
    assert not at.exception
    assert at.selectbox(key="atlas_lang").value == "fr"
    assert at.query_params["lang"] == "fr"
    at.selectbox(key="atlas_lang").set_value("es").run()
    assert not at.exception
    assert at.query_params["lang"] == "es"
    from geo.views import md_plain

    at.switch_page("app_pages/routes.py")
    at.run()
    assert not at.exception
    assert at.query_params["lang"] == "es"  # kept as the session moves to another page
    with i18n.using("es"):
        title = i18n._("Deadly routes")
    assert title != "Deadly routes"
    assert at.title[0].value == md_plain(title)


def test_a_tab_link_opens_its_tab_in_every_language(db_path, monkeypatch):
    """``section=`` holds the tab's English name whatever the language, so a link shared
    across languages reopens its tab; the tab shows its translated label."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ATLAS_DB", str(db_path))
    for lang in ("fr", "es", "en"):
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
        at.run()
        at.switch_page("app_pages/routes.py")
        at.query_params["lang"] = lang
        at.query_params["section"] = "Deadliest incidents"
        at.run()
        at.run()  # the sections fill once the map counts as drawn
        assert not at.exception
        with i18n.using(lang):
            label = i18n._("Deadliest incidents")
        filled = [t.label for t in at.tabs if len(t.children)]
        assert filled == [label], (filled, [t.label for t in at.tabs])  # only it ran
        assert at.query_params["section"] == "Deadliest incidents"


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_one_view_exports_in_every_language(con, lang):
    """The Central Mediterranean view's CSV, Excel, HTML map, PNG, briefing deck and PDF
    are written in the session's language: headers, title bars, legends, footers, and
    the figures formatted as the language writes them (from SQL)."""
    import io

    import matplotlib.pyplot as plt
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from geo.briefing import Briefing, Slide
    from geo.briefing_pdf import briefing_pdf
    from geo.deck import briefing_deck
    from geo.exports import csv_data, standalone_html, xlsx_data
    from geo.registry import render_page
    from geo.snapshot import draw_figure
    from geo.views import countries_of, direct_query

    q, countries = direct_query(con), countries_of(con)
    total = con.execute(
        "SELECT sum(dead_and_missing) FROM incidents "
        "WHERE list_contains(routes, 'Central Mediterranean')"
    ).fetchone()[0]
    with i18n.using(lang):
        page = render_page("routes", q, countries, {"routes": "Central Mediterranean"})
        words = {k: i18n._(k) for k in ("Deadly migration routes", "Source", "Licence")}
        figure = i18n.fmt_int(total)
        assert figure in page.headline
        data = page.load_data()
        header = csv_data(data).decode("utf-8-sig").splitlines()[0]
        book = load_workbook(io.BytesIO(xlsx_data(data, page.about(len(data)))))
        html = standalone_html(page.spec, page.title, page.subtitle, citation=page.citation)
        fig, _drawn = draw_figure(page.spec, title=page.title, subtitle=page.subtitle)
        texts = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
        plt.close(fig)
        slide = Slide("routes", "{dead_and_missing:,}", "", {"routes": "Central Mediterranean"})
        b = Briefing("t", "T", "", [slide])
        deck = briefing_deck(b, q, countries)
        pdf = " ".join(
            p.extract_text() for p in PdfReader(io.BytesIO(briefing_pdf(b, q, countries))).pages
        )
    assert page.title == words["Deadly migration routes"]
    assert f'<html lang="{lang}"' in html and words["Source"] in html
    assert page.title in texts and words["Source"] in texts
    assert f'<html lang="{lang}"' in deck.replace("'", '"') and figure in deck
    assert figure.replace("\u202f", " ") in pdf.replace("\u202f", " ")
    if lang == "en":
        assert header.startswith("incident_id,") or "dead_and_missing" in header
        assert words["Source"] == "Source"
    else:
        assert "dead_and_missing" not in header, header  # a readable header in the language
        sheets = book.sheetnames
        assert sheets != ["Data", "About"], sheets
        assert words["Licence"] != "Licence" or lang == "fr"


def test_the_editor_writes_the_language_of_the_page(db_path, monkeypatch, tmp_path):
    """In French the editor's fields hold the French version (the English as their
    placeholder); saved, it goes to the slide's [fr] table and the English stays."""
    import tomllib

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ATLAS_DB", str(db_path))
    monkeypatch.setenv("ATLAS_BRIEFINGS", str(tmp_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params["lang"] = "fr"
    at.run()
    at.switch_page("app_pages/routes.py")
    at.run()
    at.run()
    at.button(key="atlas_add_slide_routes").click().run()
    at.switch_page("app_pages/briefing_editor.py")
    at.run()
    assert not at.exception
    head = next(t for t in at.text_input if t.key.startswith("ed_head_"))
    english = "{dead_and_missing:,} dead and missing in {incidents:,} incidents"
    assert head.placeholder == english
    head.set_value("Routes : {dead_and_missing:,} morts et disparus").run()
    at.button(key="atlas_editor_save").click().run()
    assert not at.exception
    (saved,) = tmp_path.glob("*.toml")
    slide = tomllib.loads(saved.read_text(encoding="utf-8"))["slides"][0]
    assert slide["headline"] == english
    assert slide["fr"]["headline"] == "Routes : {dead_and_missing:,} morts et disparus"


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_numbers_are_written_as_babel_writes_them(lang):
    """fmt_int and fmt_num keep Babel's parsed pattern and locale, and the text of each
    number they have written: the text must stay exactly what format_decimal writes, in
    every language, for every kind of number, the second time too (a number written in
    another language first included; -0.0, a key equal to 0.0, as Babel writes it)."""
    from geo.i18n import babel_locale, fmt_int, fmt_num, using

    values = [0, 1, 12, 999, 1234, 76272, 1234567, -5, -1234.5, 2.5, 3.5, 0.05, 1e9, -0.0]
    other = "fr" if lang != "fr" else "es"
    with using(other):  # the same numbers in another language first
        for v in values:
            fmt_int(v), fmt_num(v / 7, 1), fmt_num(v, 1)
    with using(lang):
        loc = babel_locale()
        for _ in range(2):
            for v in values:
                want = format_decimal(round(float(v)), format="#,##0", locale=loc)
                assert fmt_int(v) == want
                for digits in (0, 1, 2):
                    pattern = "#,##0" + ("." + "0" * digits if digits else "")
                    for x in (float(v) / 7, float(v)):
                        want = format_decimal(x, format=pattern, locale=loc)
                        assert fmt_num(x, digits) == want, (lang, x, digits)


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_numbers_under_a_thousand_are_rounded_as_babel_rounds_them(lang):
    """Positive numbers that round below 1,000 skip Babel (a map's table writes hundreds
    of cell positions per new state): their text must be Babel's to the last digit, ties
    (0.15, 2.5, 12.25, 999.95) and the edge at 1,000 (999.96 -> "1,000.0") included."""
    import random

    from geo.i18n import babel_locale, fmt_int, fmt_num, using

    rng = random.Random(19)
    values = [0.0, 5e-324, 1e-7, 0.05, 0.15, 0.25, 0.35, 2.5, 3.5, 12.25, 35.15, 35.25]
    values += [999.4, 999.5, 999.949, 999.95, 999.96, 999.9951, 1000.0]
    values += [rng.uniform(0, 1000) for _ in range(400)]
    values += [round(rng.uniform(0, 1000), rng.randint(0, 4)) for _ in range(400)]
    values += [rng.randint(0, 999) + 0.5 for _ in range(100)]
    values += [rng.randint(0, 99_999) / 100 + 0.005 for _ in range(100)]
    with using(lang):
        loc = babel_locale()
        for v in values:
            assert fmt_int(v) == format_decimal(round(v), format="#,##0", locale=loc), v
            for digits in (1, 2, 3):
                pattern = "#,##0." + "0" * digits
                want = format_decimal(v, format=pattern, locale=loc)
                assert fmt_num(v, digits) == want, (lang, v, digits)
