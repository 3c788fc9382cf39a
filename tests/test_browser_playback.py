"""Time playback in headless Chromium, offline, as a user plays it: choose a step above
the Deadly routes map, play to the end, step back, drag the slider with the keys, then
reopen the copied link fresh; and Arrival cities played over the WUP years."""

from __future__ import annotations

import pytest

from geo.i18n import fmt_int
from tests.journeys import Journey

pytestmark = pytest.mark.browser

ROUTE = "Central Mediterranean"
STATE = """() => {
    const p = window.atlasPlayback;
    const box = document.querySelector('.atlas-play');
    if (!p || !box) { return null; }
    return {current: p.current, count: p.count, playing: p.playing,
            period: box.querySelector('.atlas-play-period').textContent,
            counter: box.querySelector('.atlas-play-counter').textContent,
            slider: box.querySelector('input[type=range]').value,
            center: (() => { for (const k of Object.keys(window)) { let v; try { v = window[k]; } catch (e) { continue; }
                       if (v instanceof L.Map) { const c = v.getCenter(); return [c.lat, c.lng]; } } return null; })(),
            circles: document.querySelectorAll('.leaflet-overlay-pane canvas').length};
}"""


def playback_frame(j: Journey):
    """The map frame once its play control is drawn."""
    deadline = 60
    for _ in range(deadline * 4):
        frame = j.frame()
        if frame is not None and frame.evaluate(STATE):
            return frame
        j.page.wait_for_timeout(250)
    raise AssertionError("no play control on the map")


def wait_state(frame, check, timeout_ms: int = 20000) -> dict:
    state = None
    for _ in range(timeout_ms // 100):
        state = frame.evaluate(STATE)
        if state and check(state):
            return state
        frame.page.wait_for_timeout(100)
    raise AssertionError(f"playback never reached the expected state: {state}")


def test_routes_playback_journey(server, browser, con):
    j = Journey(server, browser)
    try:
        j.open("routes?routes=Central+Mediterranean")
        j.page.locator("[data-testid='stButtonGroup']").get_by_role("radio", name="By year").click()
        j.settle()
        assert j.params().get("play") == "year"
        frame = playback_frame(j)

        total, first, last = con.execute(
            "SELECT sum(dead_and_missing), min(year(incident_date)), max(year(incident_date)) "
            "FROM incidents WHERE list_contains(routes, ?) AND incident_date IS NOT NULL",
            [ROUTE],
        ).fetchone()
        years = last - first + 1
        # it opens on the last year: the running total of the whole selection
        s = frame.evaluate(STATE)
        assert s["count"] == years and s["period"] == str(last) and not s["playing"]
        assert s["counter"].startswith(f"{fmt_int(total)} dead and missing")
        centre = s["center"]

        # first period, then play to the end
        frame.get_by_role("button", name="First period").click()
        s = wait_state(frame, lambda s: s["period"] == str(first))
        first_total = con.execute(
            "SELECT sum(dead_and_missing) FROM incidents "
            "WHERE list_contains(routes, ?) AND year(incident_date) = ?",
            [ROUTE, first],
        ).fetchone()[0]
        assert s["counter"].startswith(f"{fmt_int(first_total)} dead and missing")
        frame.get_by_role("button", name="Play").click()
        wait_state(frame, lambda s: s["playing"])
        s = wait_state(frame, lambda s: not s["playing"] and s["period"] == str(last))
        assert s["counter"].startswith(f"{fmt_int(total)} dead and missing")

        # a step back, then the slider from the keyboard; the map does not pan
        frame.get_by_role("button", name="Previous period").click()
        wait_state(frame, lambda s: s["period"] == str(last - 1))
        slider = frame.get_by_role("slider", name="Period")
        slider.focus()
        j.page.keyboard.press("Home")
        wait_state(frame, lambda s: s["period"] == str(first))
        j.page.keyboard.press("ArrowRight")
        s = wait_state(frame, lambda s: s["period"] == str(first + 1))
        assert s["center"] == centre
        assert not j.op.real_errors() and not j.op.blocked

        # the copied link reopens the playback, step chosen
        link = j.page.url
    finally:
        j.close()
    fresh = Journey(server, browser)
    try:
        fresh.page.goto(link)
        fresh.settle()
        group = fresh.page.locator("[data-testid='stButtonGroup']")
        assert group.get_by_role("radio", name="By year").get_attribute("aria-checked") == "true"
        s = playback_frame(fresh).evaluate(STATE)
        assert s["period"] == str(last) and s["counter"].startswith(fmt_int(total))
    finally:
        fresh.close()


def test_cities_playback_marks_projections(server, browser, con):
    j = Journey(server, browser)
    try:
        j.open("cities?play=years&year=1950")
        frame = playback_frame(j)
        s = frame.evaluate(STATE)
        years = [
            r[0]
            for r in con.execute("SELECT DISTINCT year FROM city_population ORDER BY 1").fetchall()
        ]
        assert s["count"] == len(years) and s["period"] == "1950"
        n = con.execute(
            "SELECT count(*) FROM city_population WHERE year = 1950 AND population >= 300000"
        ).fetchone()[0]
        assert s["counter"].startswith(f"{fmt_int(n)} cities")
        frame.get_by_role("button", name="Next period").click()
        wait_state(frame, lambda s: s["period"] == "1955")
        slider = frame.get_by_role("slider", name="Period")
        slider.focus()
        j.page.keyboard.press("End")
        s = wait_state(frame, lambda s: s["period"].startswith("2035"))
        assert "projection" in s["period"]
        assert frame.locator(".atlas-play-period.atlas-play-projected").count() == 1
        assert not j.op.real_errors() and not j.op.blocked
    finally:
        j.close()
