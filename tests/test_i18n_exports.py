"""Exports, map words, PNG footer and HTML deck in the run's language (issue 17): numbers
and dates as Babel writes them in French and Spanish, French and Spanish header rows
over the same data, ``lang`` on the HTML files, English files as they were. Formats
only: nothing here needs a translated catalogue (the expected texts come from Babel)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest
from babel.dates import format_date
from babel.numbers import format_decimal

from geo.briefing import Briefing
from geo.deck import briefing_deck, presenter_html
from geo.exports import COLUMN_LABELS, column_header, csv_data, standalone_html, xlsx_data
from geo.i18n import fmt_date, using
from geo.maps import number_format
from geo.mapspec import MapSpec, class_legend_items

DAY = dt.date(2025, 9, 8)
EMPTY = {"type": "FeatureCollection", "features": []}


def _int(n: int, lang: str) -> str:
    return format_decimal(n, format="#,##0", locale=lang)


def test_class_labels_write_numbers_as_the_language_does():
    breaks, colors = [2000, 20000], ["#a", "#b", "#c"]
    english = [i.label for i in class_legend_items(breaks, colors, "people")]
    assert english == ["up to 2,000 people", "2,001–20,000 people", "more than 20,000 people"]
    for lang in ("fr", "es"):
        with using(lang):
            labels = [i.label for i in class_legend_items(breaks, colors, "people")]
        assert _int(2000, lang) in labels[0] and _int(20000, lang) in labels[2]
        assert f"{_int(2001, lang)}–{_int(20000, lang)}" in labels[1]
        assert "2,000" not in labels[0]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "incident_id": [7, 8],
            "dead_and_missing": [1200, 3],
            "population_2035": [1_500_000, 2],
            "dead_within_1500km": [5, 6],
            "routes": [["Central Mediterranean"], []],
            "unlisted": ["=x", "Türkiye"],
        }
    )


def test_data_files_head_columns_in_the_language_and_keep_the_rows():
    df = _frame()
    # English: the column names themselves (what scripts and the reconciliation read).
    back = pd.read_csv(io.BytesIO(csv_data(df)))
    assert list(back.columns) == list(df.columns)
    for lang in ("fr", "es"):
        with using(lang):
            headers = [column_header(c) for c in df.columns]
            raw = csv_data(df)
            book = xlsx_data(df, [("k", "v")])
        assert headers[-1] == "unlisted"  # no label: the name stays
        assert all(h != c for h, c in zip(headers[:-1], df.columns[:-1], strict=True)), headers
        assert _int(1500, lang) in headers[3] and "2035" in headers[2]
        back = pd.read_csv(io.BytesIO(raw))
        assert list(back.columns) == headers
        assert back.iloc[:, 1].tolist() == [1200, 3] and back.iloc[1, 5] == "Türkiye"
        assert back.iloc[0, 5] == "'=x"  # still defused
        wb = openpyxl.load_workbook(io.BytesIO(book))
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        assert list(rows[0]) == headers and rows[1][:3] == (7, 1200, 1_500_000)
    assert set(COLUMN_LABELS) >= {"incident_id", "dead_and_missing", "lat", "lon", "country"}


def test_html_export_says_its_language_and_date():
    spec = MapSpec(EMPTY, [], [])
    english = standalone_html(spec, "T", when=DAY)
    assert '<html lang="en"' in english and "Exported from Arrival Atlas on 2025-09-08" in english
    for lang in ("fr", "es"):
        with using(lang):
            page = standalone_html(spec, "T", when=DAY)
            long_date = fmt_date(DAY, "long")  # Spanish: "8 de septiembre de 2025"
        assert f'<html lang="{lang}"' in page
        assert long_date in page and format_date(DAY, "MMMM", locale=lang) in long_date


def test_png_footer_date_in_the_language():
    from geo.snapshot import _footer

    spec = MapSpec(EMPTY, [], [])
    text, _h = _footer(spec, None, DAY, 1.0)
    assert "Map made with Arrival Atlas on 08 September 2025." in text
    with using("fr"):
        text, _h = _footer(spec, None, DAY, 1.0)
    assert format_date(DAY, "d MMMM y", locale="fr") in text and "September" not in text


def test_deck_and_presenter_view_carry_the_language():
    b = Briefing("empty", "Empty", "", [])
    assert "<html lang='en'>" in briefing_deck(b, None, {}, when=DAY)
    for lang in ("fr", "es"):
        with using(lang):
            deck = briefing_deck(b, None, {}, when=DAY)
            presenter = presenter_html()
        assert f"<html lang='{lang}'>" in deck and f"<html lang='{lang}'>" in presenter
        # the presenter window's markup travels as JSON in the deck's script
        assert json.dumps(presenter, ensure_ascii=False).replace("</", "<\\/") in deck


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the map's script")
def test_tooltip_numbers_in_the_browser_match_babel():
    values = [76272, 1234567, 7272, 12.5, 3]
    for lang in ("en", "fr", "es"):
        with using(lang):
            fn = number_format()
        script = f"var f={fn};console.log(JSON.stringify({json.dumps(values)}.map(f)));"
        out = json.loads(
            subprocess.run(
                ["node", "-e", script], capture_output=True, text=True, check=True, timeout=20
            ).stdout
        )
        expected = [
            format_decimal(v, format="#,##0.###", locale=lang, group_separator=True) for v in values
        ]
        assert out == expected, (lang, out, expected)
        assert re.fullmatch(r"76\D272", out[0])


def test_the_briefing_page_deck_follows_the_session_language(db_path, monkeypatch, tmp_path):
    """The deck is cached: one built in French is never served to an English session
    (the language is part of its cache key)."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO

    (tmp_path / "one.toml").write_text(
        'title = "One"\n[[slides]]\npage = "routes"\nfigures = ["incident_totals"]\n'
        'headline = "{dead_and_missing:,} dead and missing"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    monkeypatch.setenv("ATLAS_BRIEFINGS", str(tmp_path))
    for lang in ("fr", "en", "es"):
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
        at.query_params["lang"] = lang
        at.run()
        at.switch_page("app_pages/briefing.py")
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        frames = [e for e in at.main if getattr(e, "type", "") == "iframe"]
        assert len(frames) == 1
        assert f"<html lang='{lang}'>" in frames[0].proto.srcdoc, lang
