"""User journeys on every map page, through the widgets (issue 13, "Journey tests").

Per page, one user: opens the page, changes a filter in the sidebar or a slider (the
map keeps drawing the chosen layers, the headline equals SQL), exports the view (the
HTML file draws the same layers with the same features, legend and subtitle; the data
rows equal SQL; the PNG is a real image of the same subtitle), opens another tab and
zooms, then copies the URL into a fresh browser, which must show the same widgets,
headline, layers, tab and view. The Briefing is stepped with every key a clicker sends,
also after a click on the map.
"""

from __future__ import annotations

import io
import math
import struct

import openpyxl
import pandas as pd
import pytest

from geo.queries import run_query
from tests.journeys import (
    MAP_LAYERS,
    PICKER,
    Journey,
    expected_metrics,
    headline_mismatches,
    query,
)

pytestmark = pytest.mark.browser


def check_screen(j: Journey, con, page: str, unpicked_before: int | None = None) -> dict:
    """The invariants of a page at rest; returns its map state.

    No exception box; the headline equals SQL for the URL's state; every layer chosen
    in the layer picker is on the map and no other; when the selection has data, a
    chosen layer draws features; a filter change switches no layer off: at most
    ``unpicked_before`` of the map's layers are left out (a layer the selection has no
    data for may leave the map, but never stays there switched off).
    """
    assert not j.exceptions(), j.exceptions()
    params = j.params()
    bad = headline_mismatches(j.metrics(), expected_metrics(con, page, params))
    assert not bad, (page, params, bad)
    state = j.map_state()
    assert state is not None, "no map drawn"
    picked = j.picked_layers()
    on_map = [o["name"] for o in state["overlays"] if o["shown"]]
    assert sorted(picked) == sorted(on_map), (
        f"layer picker {picked} but map shows {on_map}; URL layers={params.get('layers')}"
    )
    off = [o["name"] for o in state["overlays"] if not o["shown"]]
    if unpicked_before is not None:
        assert len(off) <= unpicked_before, (
            f"a layer switched itself off: {off} (before: {unpicked_before} off); "
            f"URL layers={params.get('layers')}"
        )
    # The schematic layers (corridors, destinations) draw what the data layers' selection
    # happens to touch; the data layers must draw whenever SQL finds data.
    drawn = {
        o["name"]: o["n"]
        for o in state["overlays"]
        if o["shown"] and "schematic" not in o["name"].lower()
    }
    # A user may switch every data layer off; a chosen one must draw when there is data.
    if drawn and has_data(con, page, params):
        assert any(n > 0 for n in drawn.values()), f"selection has data but map draws {drawn}"
    return state


def has_data(con, page: str, params: dict) -> bool:
    """Whether SQL finds anything the page's map should draw for this state."""
    from geo.views import camps, cities, direct_query, routes

    q = direct_query(con)
    if page == "routes":
        state, _ = routes.RoutesState.from_params(params, routes.options(q))
        return bool(run_query(con, "incident_totals", **state.query_params()).iloc[0]["located"])
    if page == "camps":
        state, _ = camps.CampsState.from_params(params, camps.options(q))
        rows = run_query(con, "site_totals", **state.query_params())
        return bool(rows[rows["all_datasets"].astype(bool)].iloc[0]["located"])
    if page == "cities":
        state, _ = cities.CitiesState.from_params(params, cities.options(q))
        return bool(len(run_query(con, "city_sizes", year=state.year, min_population=0)))
    return True  # overview and CIFAL always have centres, routes and incidents


def expected_rows(con, page: str, params: dict) -> int:
    """Rows the page's data export must hold for a URL state (SQL)."""
    from geo.views import camps, cities, direct_query, routes

    q = direct_query(con)
    if page == "overview":
        opts = routes.options(q)
        full = routes.RoutesState.defaults(opts).query_params()
        return len(run_query(con, "incident_bins", cell=2.0, **full))
    if page == "routes":
        state, _ = routes.RoutesState.from_params(params, routes.options(q))
        return int(run_query(con, "incident_totals", **state.query_params()).iloc[0]["located"])
    if page == "camps":
        state, _ = camps.CampsState.from_params(params, camps.options(q))
        rows = run_query(con, "site_totals", **state.query_params())
        return int(rows[rows["all_datasets"].astype(bool)].iloc[0]["sites"])
    if page == "cities":
        s, _ = cities.CitiesState.from_params(params, cities.options(q))
        if s.mode == "growth":
            return len(
                run_query(
                    con,
                    "city_growth",
                    year_from=s.year_from,
                    year_to=s.year_to,
                    min_population=s.min_population,
                )
            )
        return len(run_query(con, "city_sizes", year=s.year, min_population=s.min_population))
    raise KeyError(page)


def uncovered_names(con, params: dict) -> set[str]:
    """The fast-growing cities with no CIFAL centre near, for a CIFAL URL state."""
    from geo.views import cifal, cities, direct_query

    state, _ = cifal.CifalState.from_params(params, cities.options(direct_query(con)))
    fields = dict(vars(state))
    fields.update(min_growth_pct=float(state.min_growth_pct), radius_km=float(state.radius_km))
    return set(run_query(con, "uncovered_fast_growing", **fields)["name"])


def camps_country(j: Journey) -> str:
    """A country option of the Camps page with many sites (Sudan if offered)."""
    options = j.multiselect_options("Country")
    return next((o for o in options if o.endswith("(SDN)")), options[1])


# Per page: the filter a user changes (through the widget), then the zoom levels whose
# links must reopen the same view.
def act_overview(j: Journey) -> None:
    j.multiselect_remove(PICKER, "Route corridors (schematic)")


def act_routes(j: Journey) -> None:
    j.multiselect_add("Migration route", "Central Mediterranean")


def act_camps(j: Journey) -> None:
    j.multiselect_add("Country", camps_country(j))
    j.radio("Status", "Open")


def act_cities(j: Journey) -> None:
    from geo.views.cities import MODES

    j.slider_keys("Year", "ArrowLeft", 2)
    j.radio("Circles show", MODES["growth"])


def act_cifal(j: Journey) -> None:
    j.slider_keys("Within (km of a centre)", "ArrowRight", 2)
    j.slider_keys("Fast growth means at least (%)", "ArrowLeft", 1)


ACTIONS = {
    "overview": act_overview,
    "routes": act_routes,
    "camps": act_camps,
    "cities": act_cities,
    "cifal": act_cifal,
}
# tests/test_browser_links.py opens links at z 3, 5, 7 and 9; here a journey's own zooms.
ZOOMS = {"overview": [4], "routes": [3, 8], "camps": [6], "cities": [5], "cifal": [7]}
PATHS = {"overview": ""}


def export_panel(j: Journey):
    """The "Export this view" expander of the page."""
    return j.page.get_by_test_id("stExpander").filter(has_text="Export this view").first


def download(j: Journey, label: str, tmp_path):
    """Click an export button of the open "Export this view" panel; the saved file."""
    page = j.page
    with page.expect_download(timeout=90_000) as info:
        export_panel(j).get_by_role("button", name=label, exact=True).click()
    d = info.value
    path = tmp_path / d.suggested_filename
    d.save_as(path)
    return path


def data_frame(text: str) -> pd.DataFrame:
    """The data rows of a CSV export (citation lines starting with ``#`` left out)."""
    text = text.lstrip("\ufeff")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return pd.read_csv(io.StringIO(body))


# A legend's text, whether it is folded or open: its body's words, each element apart.
LEGEND_TEXT = """el => {
    const body = el.querySelector('.atlas-legend-body') || el;
    const walk = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    const words = [];
    while (walk.nextNode()) { words.push(walk.currentNode.textContent); }
    return words.join(' ');
}"""


def check_exports(j: Journey, con, page: str, screen: dict, tmp_path) -> list[str]:
    """Download PNG, HTML and CSV of the view on screen and compare them with it.

    Returns the problems found (asserted by the caller after the link step).
    """
    from geo.registry import render_page
    from geo.views import countries_of, direct_query

    problems: list[str] = []
    params = j.params()
    j.page.get_by_text("Export this view").click()
    render = render_page(page, direct_query(con), countries_of(con), params)
    subtitle = render.subtitle  # what the PNG, HTML and spreadsheet are given
    caption = export_panel(j).locator("[data-testid='stCaptionContainer']").first.inner_text()
    if subtitle not in " ".join(caption.split()):
        problems.append(f"the export panel does not state {subtitle!r}: {caption[:200]!r}")
    frame = j.frame()
    # What the legend holds, folded or open (a legend that would cover the open layer
    # control starts folded on screen; the HTML export opens at its own size).
    legend = frame.eval_on_selector(".atlas-legend", LEGEND_TEXT)

    # HTML: opened offline in a new page, it draws one map with the same layers.
    html = download(j, "HTML map", tmp_path)
    other = j.context.new_page()
    try:
        other.goto(html.as_uri(), wait_until="load")
        other.wait_for_function(f"() => !!({MAP_LAYERS})()", timeout=20_000)
        got = other.evaluate(MAP_LAYERS)
        maps = other.evaluate(
            "() => Object.keys(window).filter(k => { try { return window[k] instanceof L.Map; }"
            " catch (e) { return false; } }).length"
        )
        if maps != 1:
            problems.append(f"HTML export holds {maps} maps")
        shown_html = {o["name"]: o["n"] for o in got["overlays"] if o["shown"]}
        shown_screen = {o["name"]: o["n"] for o in screen["overlays"] if o["shown"]}
        if shown_html != shown_screen:
            problems.append(f"HTML layers {shown_html} differ from screen {shown_screen}")
        html_legend = (
            other.eval_on_selector(".atlas-legend", LEGEND_TEXT)
            if other.locator(".atlas-legend").count()
            else ""
        )
        if html_legend.split() != legend.split():
            problems.append(f"HTML legend {html_legend[:120]!r} differs from {legend[:120]!r}")
        body = other.inner_text("body")
        if subtitle not in " ".join(body.split()):
            problems.append(f"HTML shows no subtitle {subtitle!r}")
    finally:
        other.close()

    # Data: the rows SQL gives for this state, with the filters in the citation lines.
    df = data_frame(download(j, "CSV", tmp_path).read_text(encoding="utf-8-sig"))
    if export_panel(j).get_by_role("button", name="Excel", exact=True).count():
        book = openpyxl.load_workbook(download(j, "Excel", tmp_path), read_only=True)
        about = " ".join(
            str(c)
            for ws in book.worksheets[1:]
            for row in ws.iter_rows(values_only=True)
            for c in row
            if c is not None
        )
        if subtitle not in " ".join(about.split()):
            problems.append(f"the spreadsheet's About sheet does not state {subtitle!r}")
        rows = sum(1 for r in book.worksheets[0].iter_rows(values_only=True) if any(r)) - 1
        if rows != len(df):
            problems.append(f"spreadsheet has {rows} data rows, the CSV {len(df)}")
    if page == "cifal":
        names = uncovered_names(con, params)
        col = next((c for c in ("name", "city") if c in df.columns), None)
        got_names = set(df[col]) if col else set()
        if not names <= got_names:
            problems.append(
                f"CIFAL data export lacks {len(names - got_names)} of the {len(names)} "
                f"fast-growing cities with no centre near (columns {list(df.columns)[:6]})"
            )
    else:
        want = expected_rows(con, page, params)
        if len(df) != want:
            problems.append(f"CSV has {len(df)} rows, SQL {want}")

    # PNG: a real 1920 x 1080 image.
    png = download(j, "PNG for slides", tmp_path).read_bytes()
    if png[:8] != b"\x89PNG\r\n\x1a\n" or struct.unpack(">II", png[16:24]) != (1920, 1080):
        problems.append("PNG for slides is not a 1920 x 1080 PNG")
    elif len(png) < 20_000:
        problems.append(f"PNG for slides is only {len(png)} bytes")
    return problems


def off_px(a: dict, b: dict) -> float:
    """How far apart two map centres (``lat``, ``lon``, ``zoom``) lie on screen, in
    pixels of Web Mercator at their zoom."""
    per_degree = 256 * 2 ** b["zoom"] / 360
    stretch = 1 / max(math.cos(math.radians(b["lat"])), 0.05)  # Mercator's at that latitude
    dy = abs(a["lat"] - b["lat"]) * per_degree * stretch
    dx = abs(a["lon"] - b["lon"]) * per_degree
    return max(dx, dy)


def check_link(server, browser, con, page: str, j: Journey) -> None:
    """Open the page's URL in a fresh browser context: same state everywhere."""
    url = j.page.url
    want_widgets, want_metrics = j.widgets(), j.metrics()
    want_map = j.map_state()
    fresh = Journey(server, browser)
    try:
        fresh.open(url.removeprefix(server.url))
        got_map = fresh.map_state()
        assert fresh.widgets() == want_widgets, (url, fresh.widgets(), want_widgets)
        assert fresh.metrics() == want_metrics, (url, fresh.metrics(), want_metrics)
        want_q, got_q = query(url), fresh.params()
        assert got_q == want_q, f"the link {url} became {fresh.page.url}"
        assert got_map["zoom"] == want_map["zoom"], (url, got_map["zoom"], want_map["zoom"])
        # the same centre to the pixel: a fitted view may land a fraction of a pixel
        # apart in a map redrawn in its frame and in a fresh one (0.3 px at zoom 5)
        assert off_px(got_map, want_map) < 1.5, (url, got_map, want_map)
        shown = [(o["name"], o["n"]) for o in got_map["overlays"] if o["shown"]]
        assert shown == [(o["name"], o["n"]) for o in want_map["overlays"] if o["shown"]]
        assert not fresh.exceptions()
    finally:
        fresh.close()


@pytest.mark.parametrize("page", list(ACTIONS))
def test_journey(page, server, browser, con, tmp_path):
    """Filter through the widgets, export, change tab and zoom, then share the link."""
    j = Journey(server, browser)
    try:
        j.open(PATHS.get(page, page))
        screen = check_screen(j, con, page)
        assert j.picked_layers(), "no layer chosen when the page opens"
        off = sum(not o["shown"] for o in screen["overlays"])
        ACTIONS[page](j)
        expect = off + 1 if page == "overview" else off  # the Overview's user drops one
        screen = check_screen(j, con, page, unpicked_before=expect)
        problems = check_exports(j, con, page, screen, tmp_path)
        tabs = j.tabs()
        if len(tabs) > 1:
            j.tab(tabs[-1])
            assert j.params().get("section") == tabs[-1], j.page.url
            assert not j.exceptions(), j.exceptions()
        for z in ZOOMS[page]:
            st = j.map_state()
            j.set_view(round(st["lat"], 2), round(st["lon"], 2), z)
            assert j.params()["z"] == str(z), j.page.url
            check_link(server, browser, con, page, j)
        assert not problems, problems
        assert not j.op.real_errors(), j.op.console_errors
    finally:
        j.close()
