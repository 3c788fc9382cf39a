"""AppTest of the Overview and Data and sources pages: no exception, figures equal SQL."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO


@pytest.fixture()
def app(db_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)


def _metric(at, label_start: str) -> str:
    for m in at.metric:
        if m.label.startswith(label_start):
            return m.value
    raise AssertionError(f"no metric {label_start!r}: {[m.label for m in at.metric]}")


def test_no_pages_folder_next_to_app():
    """Any ``pages/`` next to app.py, even an untracked ``pages/__pycache__`` left by a
    checkout from before the rename to ``app_pages/``, switches on Streamlit's legacy
    pages-directory mode: a shared link on a fresh server then runs the page script
    alone or answers "Page not found" (tests/test_browser.py shows it in Chromium)."""
    assert not (REPO / "pages").exists(), f"delete {REPO / 'pages'}"


def test_session_keys_are_named_once():
    """Every ``_atlas_`` session-state name is spelled in app_pages/_keys.py only: the
    pages and helpers use its constants, so no two spellings of one entry can drift."""
    import ast

    spelled = {}
    for path in [*sorted((REPO / "app_pages").glob("*.py")), REPO / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and str(node.value).startswith("_atlas_"):
                spelled.setdefault(path.name, []).append(node.value)
    assert set(spelled) == {"_keys.py"}, spelled
    assert len(spelled["_keys.py"]) == len(set(spelled["_keys.py"]))  # one name, one entry


def test_overview_headline_equals_sql(app, con):
    app.run()
    assert not app.exception
    total, sites, cities, cifal = con.execute(
        "SELECT (SELECT sum(dead_and_missing) FROM incidents), (SELECT count(*) FROM sites), "
        "(SELECT count(*) FROM cities), (SELECT count(*) FROM cifal_centres)"
    ).fetchone()
    assert _metric(app, "Dead and missing since 2014") == f"{total:,}"
    assert _metric(app, "Camps and sites") == f"{sites:,}"
    assert _metric(app, "Arrival cities") == f"{cities:,}"
    # active centres, as CIFAL network counts them; the closed ones are named in the help
    # (counted here from the project's table, not the database)
    table = pd.read_csv(REPO / "data" / "cifal_centres.csv")
    active = int(table["active"].astype(str).str.lower().eq("true").sum())
    assert 0 < active < cifal == len(table)
    assert _metric(app, "CIFAL centres") == f"{active:,}"
    help_text = next(m.proto.help for m in app.metric if m.label == "CIFAL centres")
    assert f"{active:,} active; {cifal - active:,} closed" in help_text
    assert any("minimum estimates" in c.value for c in app.caption)


def test_data_sources_page(app, con):
    app.run()  # AppTest resolves st.navigation's url paths only after a first run
    app.switch_page("app_pages/data_sources.py")
    app.run()
    assert not app.exception
    tables = [d.value for d in app.dataframe]
    years = tables[1]
    assert list(years["year"]) == [
        r[0] for r in con.execute("SELECT year FROM incident_year_sources ORDER BY year").fetchall()
    ]
    assert years["incidents"].sum() == con.execute("SELECT count(*) FROM incidents").fetchone()[0]
    files = tables[2]
    assert len(files) == con.execute("SELECT count(*) FROM sources").fetchone()[0]
    issues = tables[3]
    assert issues["rows"].sum() == con.execute("SELECT count(*) FROM load_issues").fetchone()[0]
    text = " ".join(m.value for m in app.markdown)
    assert "minimum estimates" in text and "0.1°" in text and "schematic" in text


def test_missing_database_shows_how_to_get_data(monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_DB", str(tmp_path / "none.duckdb"))
    monkeypatch.setenv("ATLAS_SOURCES", str(tmp_path / "no-sources"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("python -m geo fetch" in e.value for e in at.error)


def test_briefing_page(app, con):
    """The Briefing embeds the shipped briefing's HTML deck at the link's slide, with its
    figures from SQL, and offers the deck and the PDF as files."""
    import html

    app.run()
    app.switch_page("app_pages/briefing.py")
    app.query_params["slide"] = "2"
    app.run()
    assert not app.exception
    deck = next(e for e in app.main if getattr(e, "type", "") == "iframe").proto.srcdoc
    assert 'data-start="2"' in deck
    heads = [html.unescape(h) for h in re.findall(r'<h1 class="headline">(.*?)</h1>', deck)]
    total = con.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0]
    assert f"{total:,} people recorded dead or missing" in heads[0]
    assert heads[1].startswith("Central Mediterranean")
    assert [b.label for b in app.get("download_button")] == ["HTML deck", "PDF"]


def test_layers_keep_their_identity_when_a_filter_renames_them(app):
    """Choosing a route renames the incident layer (bin size, or single incidents): the
    picker, the map and the link keep it on; a link with unknown layers keeps defaults."""
    app.run()
    app.switch_page("app_pages/routes.py")
    app.run()
    picker = next(m for m in app.multiselect if m.label.startswith("Layers on the map"))
    assert "incidents" in picker.value and len(picker.value) >= 2
    before = set(picker.value)
    routes = next(m for m in app.multiselect if m.label.lower().startswith("migration route"))
    routes.set_value(["Darien"]).run()
    assert not app.exception
    picker = next(m for m in app.multiselect if m.label.startswith("Layers on the map"))
    assert set(picker.value) == before
    # Switching the corridors off survives the next filter change too.
    picker.set_value(["incidents"]).run()
    routes = next(m for m in app.multiselect if m.label.lower().startswith("migration route"))
    routes.set_value(["Central Mediterranean"]).run()
    picker = next(m for m in app.multiselect if m.label.startswith("Layers on the map"))
    assert picker.value == ["incidents"]
    assert app.query_params["layers"] == "incidents"


def test_a_link_with_unknown_layers_shows_the_defaults_and_says_so(db_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DB", str(db_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["layers"] = "garbage|<b>x</b>"
    at.run()
    at.switch_page("app_pages/routes.py")
    at.query_params["layers"] = "garbage|<b>x</b>"
    at.run()
    assert not at.exception
    picker = next(m for m in at.multiselect if m.label.startswith("Layers on the map"))
    assert "incidents" in picker.value
    note = " ".join(i.value for i in at.info)
    assert "garbage" in note and "default layers" in note


@pytest.fixture(scope="module")
def db_without_incidents(mirror, tmp_path_factory):
    """A database built from a sources folder with no Missing Migrants files."""
    import io

    from geo.build import build
    from tests.conftest import copy_sources

    root = tmp_path_factory.mktemp("partial")
    src = copy_sources(mirror, root / "src", only=["natural_earth", "camps"])
    build(src, root / "a.duckdb", out=io.StringIO())
    return root / "a.duckdb"


@pytest.mark.parametrize(
    "page", ["overview", "routes", "cities", "cifal", "camps", "briefing", "data_sources"]
)
def test_a_page_whose_dataset_is_missing_says_so(db_without_incidents, monkeypatch, page):
    monkeypatch.setenv("ATLAS_DB", str(db_without_incidents))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    assert not at.exception
    warned = " ".join(w.value for w in at.warning)
    if page in {"overview", "routes", "briefing"}:
        assert "Missing Migrants Project incidents" in warned and "missing_migrants/" in warned
    if page == "camps":
        assert not warned and len(at.metric) > 0  # camps need no incidents


# --- filter widgets and the URL: one way (app_pages/_ui.py, seed_widgets) -------------


def _slider(at, label: str):
    return next(w for w in at.select_slider if w.label.startswith(label))


def _link(at, params: dict[str, str]) -> None:
    """Put ``params`` in the URL, as the browser's back button or a link does: Streamlit
    reruns the page with that URL and the widgets as they are."""
    for k in list(at.query_params):
        del at.query_params[k]
    for k, v in params.items():
        at.query_params[k] = v


def test_widgets_follow_a_link_from_outside_and_keep_a_users_change(app):
    """Back to an earlier URL, the widgets show it; a rerun that carries an older URL
    with a widget the user has just moved keeps the user's choice."""
    app.run()
    app.switch_page("app_pages/cities.py")
    app.run()
    first = dict(app.query_params)
    year = _slider(app, "Refugees hosted").value
    _slider(app, "Refugees hosted").set_value(year - 1).run()
    assert app.query_params["ryear"] == str(year - 1)
    second = dict(app.query_params)

    _link(app, first)  # back
    app.run()
    assert not app.exception
    assert _slider(app, "Refugees hosted").value == year
    assert app.query_params["ryear"] == str(year)
    assert any(m.label == f"Refugees hosted, {year}" for m in app.metric)

    _slider(app, "Refugees hosted").set_value(year - 2)
    _link(app, second)  # an older URL, with the user's new choice
    app.run()
    assert _slider(app, "Refugees hosted").value == year - 2
    assert app.query_params["ryear"] == str(year - 2)


def test_routes_filter_follows_the_back_button(app, con):
    app.run()
    app.switch_page("app_pages/routes.py")
    app.run()
    first = dict(app.query_params)
    routes = app.multiselect(key="routes_routes")
    routes.set_value(["Central Mediterranean"]).run()
    assert app.query_params["routes"] == "Central Mediterranean"
    _link(app, first)
    app.run()
    assert not app.exception
    assert app.multiselect(key="routes_routes").value == []
    assert "routes" not in app.query_params
    total = con.execute("SELECT sum(dead_and_missing) FROM incidents").fetchone()[0]
    assert _metric(app, "Dead and missing") == f"{total:,}"


def test_a_one_year_growth_period_moves_on_in_slider_link_and_figures(app, con):
    from geo.views import cities, direct_query

    years = cities.options(direct_query(con)).years
    app.run()
    app.switch_page("app_pages/cities.py")
    app.query_params["mode"] = "growth"
    app.run()
    for picked, shown in [
        ((years[1], years[1]), (years[1], years[2])),
        ((years[-1], years[-1]), (years[-2], years[-1])),  # at the end: the year before
    ]:
        _slider(app, "Growth between").set_value(picked).run()
        assert not app.exception
        assert _slider(app, "Growth between").value == shown
        assert (app.query_params["from"], app.query_params["to"]) == tuple(map(str, shown))
        assert [w.value for w in app.warning] == [
            "Pick two different years; showing the growth to the next one."
        ]
        n = con.execute(
            "SELECT count(*) FROM city_population WHERE year = ? AND population >= 300000",
            [shown[1]],
        ).fetchone()[0]
        assert _metric(app, "Cities in") == f"{n:,}"
        app.run()  # said once
        assert not app.warning and _slider(app, "Growth between").value == shown


def _falls_back_to(widget) -> bool:
    """Whether a widget's ``default`` (what a browser shows when it missed the run that
    set the widget's value) is the value it holds."""
    p = widget.proto
    kind = type(widget).__name__
    if kind in ("Multiselect", "Radio", "Selectbox"):
        return (
            list(p.default) == list(widget.indices)
            if kind == "Multiselect"
            else (
                (list(p.default) if hasattr(p.default, "__len__") else [p.default])
                == [widget.index]
            )
        )
    if kind == "SelectSlider":
        held = widget.value if isinstance(widget.value, tuple | list) else (widget.value,)
        return [p.options[int(i)] for i in p.default] == [widget.format_func(v) for v in held]
    if kind in ("Toggle", "Checkbox"):
        return bool(p.default) == bool(widget.value)
    raise AssertionError(f"no check for a {kind}")


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("routes", {"routes": "Central Mediterranean", "causes": "Drowning"}),
        ("camps", {"country": "BGD|KEN", "dataset": "unhcr_register", "status": "open"}),
        (
            "cities",
            {"mode": "growth", "from": "2000", "to": "2030", "min": "1000000", "k": "5"},
        ),
        ("cifal", {"radius": "500", "min": "1000000", "closed": "1", "near": "200"}),
    ],
)
def test_a_linked_widget_falls_back_to_its_own_choice(app, page, params):
    """Streamlit sends a seeded widget's value only in the run that seeds it; a browser
    that meets a later run's widget first falls back to the widget's default (a link's
    route filter emptied, a Cities link's growth mode back to population: app_pages/
    _ui.py, ``held``). Every widget a link sets carries what it holds as that default in
    every run, so the fallback cannot undo what the link chose."""
    app.switch_page(f"app_pages/{page}.py")
    app.query_params.update(params)
    for run in (1, 2):  # the seeding run, then a run that sends no value
        app.run()
        assert not app.exception
        widgets = [
            *app.multiselect,
            *app.radio,
            *app.selectbox,
            *app.get("select_slider"),
            *app.toggle,
        ]
        linked = [w for w in widgets if w.label != "Language · Langue · Idioma"]
        assert len(linked) >= 3, [w.label for w in linked]
        for w in linked:
            assert _falls_back_to(w), (run, page, w.label, w.value, w.proto.default)
