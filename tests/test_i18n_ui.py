"""The shared page helpers in French and Spanish (app_pages/_ui.py, app_pages/briefing.py):
files are made in the viewer's language even when Streamlit makes them later in another
thread, and the pages' counts are written as the language writes them."""

from __future__ import annotations

import threading

import pytest
from babel.numbers import format_decimal
from streamlit.elements.widgets.button import ButtonMixin
from streamlit.testing.v1 import AppTest

from geo import i18n
from tests.conftest import REPO


def _in_another_thread(fn):
    """What ``fn()`` returns when run in a fresh thread (its own, English context), as
    Streamlit runs a deferred download's data when the button is clicked."""
    out = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]


@pytest.fixture()
def downloads(db_path, monkeypatch):
    """Every download button's data callable of the runs that follow, by label."""
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    seen: dict[str, object] = {}
    original = ButtonMixin.download_button

    def record(self, label, data, *args, **kwargs):
        seen[label] = data
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", record)
    return seen


def _open(page: str, lang: str, runs: int = 1) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.switch_page(page)
    at.query_params["lang"] = lang
    for _run in range(runs):
        at.run()
        assert not at.exception, at.exception
    return at


def test_export_files_are_made_in_the_viewers_language(downloads, monkeypatch):
    """The export panel's files are made when clicked, in a thread of their own: each
    must still be made in the viewer's language (i18n.bound), not the thread's English."""
    import geo.exports

    # Each file reports the language it is made in instead of its bytes.
    for fn in ("csv_data", "xlsx_data", "geojson_with_citation", "standalone_html"):
        monkeypatch.setattr(geo.exports, fn, lambda *a, **k: i18n.language())
    monkeypatch.setattr("geo.snapshot.render_png", lambda *a, **k: i18n.language())
    # The panel waits for the map: the second run is the one after it has drawn; its
    # buttons are made once the viewer opens it.
    at = _open("app_pages/overview.py", "es", runs=2)
    assert not downloads
    at.session_state["overview_export_open"] = True
    at.run()
    assert not at.exception, at.exception
    assert len(downloads) == 6, list(downloads)
    made = {label: _in_another_thread(data) for label, data in downloads.items()}
    assert made == dict.fromkeys(downloads, "es")


def test_briefing_pdf_is_made_in_the_viewers_language(downloads, monkeypatch):
    """The Briefing page's PDF, made on click in another thread, is in the page's
    language."""
    monkeypatch.setattr("geo.briefing_pdf.briefing_pdf", lambda *a, **k: i18n.language())
    _open("app_pages/briefing.py", "fr")
    pdf = [data for label, data in downloads.items() if label.endswith("PDF")]
    assert len(pdf) == 1, list(downloads)
    assert _in_another_thread(pdf[0]) == "fr"


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_page_counts_are_written_as_the_language_does(lang):
    """``fmt`` (the pages' counts) follows the language: 76,272 / 76 272 / 76.272; English
    is unchanged."""
    from app_pages._ui import fmt

    with i18n.using(lang):
        got = fmt(76272.0)
    assert got == format_decimal(76272, format="#,##0", locale=lang)
    if lang == "en":
        assert got == f"{76272:,}"
