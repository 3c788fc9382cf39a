"""Helpers of the journey tests (tests/test_journeys*.py): drive a map page through its
widgets as a user does, and read back what the screen shows (widget values, headline
figures, the layers drawn on the Leaflet map, the URL), to compare with SQL.

Everything waits for conditions (Streamlit's script state, the URL, the map's drawn
features), never for a fixed time alone.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import duckdb
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geo.queries import run_query
from tests.browser import OfflinePage, wait_for_app

VIEWPORT = {"width": 1440, "height": 1000}
PAGES = ("overview", "routes", "camps", "cities", "cifal")
EXCEPTION = "[data-testid='stException']"
PICKER = "Layers on the map (and in exports)"

# Every overlay of the page's Leaflet map: its name (as the layer control lists it),
# whether it is on the map, and how many vector features (circle markers, paths) it
# draws. Also the map's zoom and centre.
MAP_LAYERS = """() => {
    if (typeof L === 'undefined') { return null; }
    let map = null, name = null;
    for (const k of Object.keys(window)) {
        let v; try { v = window[k]; } catch (e) { continue; }
        if (v instanceof L.Map) { map = v; name = k; }
    }
    if (!map) { return null; }
    const count = (l) => {
        if (l instanceof L.Path) { return 1; }
        let n = 0;
        if (l.eachLayer) { l.eachLayer(c => { n += count(c); }); }
        return n;
    };
    const overlays = [];
    for (const k of Object.keys(window)) {
        let v; try { v = window[k]; } catch (e) { continue; }
        if (k.endsWith('_layers') && v && v.overlays) {
            for (const [label, layer] of Object.entries(v.overlays)) {
                overlays.push({name: label, shown: map.hasLayer(layer), n: count(layer)});
            }
        }
    }
    const c = map.getCenter();
    return {map: name, zoom: map.getZoom(), lat: c.lat, lon: c.lng, overlays: overlays};
}"""

# The values every widget of the page shows, by label (the layer picker included).
WIDGETS = """() => {
    const out = {};
    const label = (el) => {
        const l = el.querySelector('[data-testid="stWidgetLabel"]');
        return l ? l.innerText.trim() : '';
    };
    const root = document.querySelector('[data-testid="stApp"]');
    root.querySelectorAll('[data-testid="stMultiSelect"]').forEach(el => {
        const tags = [...el.querySelectorAll('[data-tag]')]
            .map(t => (t.querySelector('[title]') || t).innerText.trim()).filter(t => t);
        out['multiselect:' + label(el)] = tags;
    });
    root.querySelectorAll('[data-testid="stSlider"]').forEach(el => {
        out['slider:' + label(el)] = [...el.querySelectorAll('input[type="range"]')]
            .map(i => i.getAttribute('aria-valuetext'));
    });
    root.querySelectorAll('[data-testid="stSelectbox"]').forEach(el => {
        out['selectbox:' + label(el)] = el.querySelector('input').value;
    });
    root.querySelectorAll('[data-testid="stRadio"]').forEach(el => {
        const sel = el.querySelector('[data-testid="stRadioOption"][data-selected="true"]')
            || [...el.querySelectorAll('[data-testid="stRadioOption"]')].find(o => o.querySelector('input').checked);
        out['radio:' + label(el)] = sel ? sel.innerText.trim() : null;
    });
    root.querySelectorAll('[data-testid="stCheckbox"]').forEach(el => {
        const i = el.querySelector('input');
        out['toggle:' + (i.getAttribute('aria-label') || label(el))] = i.checked;
    });
    root.querySelectorAll('[data-testid="stDateInput"]').forEach(el => {
        out['date:' + label(el)] = [...el.querySelectorAll('input')].map(i => i.value);
    });
    const tab = document.querySelector('[data-testid="stTab"][aria-selected="true"]');
    out['tab'] = tab ? tab.innerText.trim() : null;
    return out;
}"""

# True once Streamlit has not run the script, and the URL has not changed, for
# ``quiet`` milliseconds (a rerun the map's view report triggers comes within that).
QUIET = """([quiet]) => {
    const a = document.querySelector('[data-testid="stApp"]');
    const s = a ? a.getAttribute('data-test-script-state') : null;
    const now = performance.now();
    const sig = s + ' ' + location.href;
    if (s !== 'notRunning' || window.__atlasSig !== sig || window.__atlasQuiet === undefined) {
        if (window.__atlasSig !== sig || s !== 'notRunning') { window.__atlasQuiet = now; }
        window.__atlasSig = sig;
        if (window.__atlasQuiet === undefined) { window.__atlasQuiet = now; }
        return false;
    }
    return now - window.__atlasQuiet >= quiet;
}"""


def query(url: str) -> dict[str, str]:
    """The query parameters of a URL (last value of each)."""
    return {k: v[-1] for k, v in parse_qs(urlparse(url).query, keep_blank_values=True).items()}


class Journey:
    """One user on one browser page, offline (see :class:`tests.browser.OfflinePage`).

    Parameters
    ----------
    server : tests.browser.Server
        The running app.
    browser : playwright Browser
        The session's chromium.
    viewport : dict, optional
        Window size.
    """

    def __init__(self, server, browser, viewport: dict | None = None):
        self.server = server
        self.context = browser.new_context(viewport=viewport or VIEWPORT, accept_downloads=True)
        self.op = OfflinePage(self.context)
        self.page = self.op.page

    def close(self) -> None:
        """Close the browser context."""
        self.context.close()

    # --- opening and waiting -------------------------------------------------------

    def open(self, path: str) -> Journey:
        """Open ``path`` (``routes?...``) and wait until the page has settled with its map."""
        self.page.goto(f"{self.server.url}/{path.lstrip('/')}", wait_until="domcontentloaded")
        wait_for_app(self.page)
        self.settle()
        return self

    def settle(self, timeout: float = 45, quiet_ms: int = 700) -> None:
        """Wait until the page is at rest: no script run for ``quiet_ms``, the URL stable,
        the map drawn and the sections below it filled (or no map at all)."""
        self.page.evaluate("() => { window.__atlasQuiet = undefined; window.__atlasSig = ''; }")
        self.page.wait_for_function(QUIET, arg=[quiet_ms], timeout=timeout * 1000, polling=100)
        self.page.wait_for_function(
            "() => !document.body.innerText.includes('Loading once the map has drawn')",
            timeout=timeout * 1000,
        )
        if self.frame(timeout=timeout) is not None:
            # st_folium may redraw the map in its frame after the script run: wait for
            # its features to stop changing.
            deadline = time.time() + timeout
            last, same = None, 0
            while time.time() < deadline:
                state = self.map_state()
                sig = repr(state and [(o["name"], o["shown"], o["n"]) for o in state["overlays"]])
                same = same + 1 if sig == last else 0
                if same >= 2 and state:
                    break
                last = sig
                self.page.wait_for_timeout(150)
            # the map may report its view once drawn: wait for that rerun too
            self.page.evaluate("() => { window.__atlasQuiet = undefined; window.__atlasSig = ''; }")
            self.page.wait_for_function(QUIET, arg=[quiet_ms], timeout=timeout * 1000, polling=100)

    def frame(self, timeout: float = 30):
        """The st_folium frame holding a drawn Leaflet map, or None after ``timeout``."""
        deadline = time.time() + timeout
        while True:
            for frame in self.page.frames:
                if "streamlit_folium" not in frame.url:
                    continue
                try:
                    if frame.evaluate(MAP_LAYERS):
                        return frame
                except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                    continue
            if time.time() > deadline:
                return None
            self.page.wait_for_timeout(200)

    # --- reading the screen -------------------------------------------------------

    def map_state(self) -> dict | None:
        """:data:`MAP_LAYERS` of the page's map (None when no map has drawn)."""
        for frame in self.page.frames:
            if "streamlit_folium" not in frame.url:
                continue
            try:
                state = frame.evaluate(MAP_LAYERS)
            except Exception:  # noqa: BLE001
                continue
            if state:
                return state
        return None

    def shown_layers(self) -> dict[str, int]:
        """Name -> drawn features of each overlay on the map."""
        state = self.map_state() or {"overlays": []}
        return {o["name"]: o["n"] for o in state["overlays"] if o["shown"]}

    def widgets(self) -> dict:
        """:data:`WIDGETS`: every widget's shown value, by kind and label.

        The layer picker's chips are a set: a link lists the layers in the map's order,
        a session in the order they were picked.
        """
        values = self.page.evaluate(WIDGETS)
        picker = f"multiselect:{PICKER}"
        if isinstance(values.get(picker), list):
            values[picker] = sorted(values[picker])
        return values

    def metrics(self) -> dict[str, str]:
        """Label -> value of each ``st.metric`` on the page."""
        out = {}
        for el in self.page.locator("[data-testid='stMetric']").all():
            label = el.locator("[data-testid='stMetricLabel']").inner_text().strip()
            out[label] = el.locator("[data-testid='stMetricValue']").inner_text().strip()
        return out

    def params(self) -> dict[str, str]:
        """The page URL's query parameters."""
        return query(self.page.url)

    def exceptions(self) -> list[str]:
        """Texts of Streamlit exception boxes on the page."""
        return [e.inner_text()[:500] for e in self.page.locator(EXCEPTION).all()]

    def picked_layers(self) -> list[str]:
        """Names of the layers chosen in the layer picker."""
        return self.widgets().get(f"multiselect:{PICKER}", [])

    # --- acting through the widgets -----------------------------------------------

    def _widget(self, testid: str, label: str):
        loc = self.page.locator(f"[data-testid='{testid}']").filter(
            has=self.page.locator("[data-testid='stWidgetLabel']", has_text=label)
        )
        return loc.first

    def multiselect_add(self, label: str, option: str) -> None:
        """Choose ``option`` (its shown text) in the multiselect ``label``."""
        box = self._widget("stMultiSelect", label)
        inp = box.locator("input[role='combobox']")
        inp.click()
        inp.fill(option)
        self.page.get_by_role("option", name=option, exact=True).first.click()
        self.page.keyboard.press("Escape")
        self.settle()

    def multiselect_options(self, label: str) -> list[str]:
        """The options offered (not yet chosen) by the multiselect ``label``."""
        box = self._widget("stMultiSelect", label)
        inp = box.locator("input[role='combobox']")
        inp.click()
        try:
            self.page.wait_for_selector("[role='listbox'] [role='option']", timeout=5_000)
        except PlaywrightTimeout:
            # Every option is chosen already: the dropdown has none to offer.
            self.page.keyboard.press("Escape")
            return []
        names = [
            o.inner_text().strip()
            for o in self.page.locator("[role='listbox'] [role='option']").all()
        ]
        self.page.keyboard.press("Escape")
        return names

    def multiselect_remove(self, label: str, option: str) -> None:
        """Remove the chosen ``option`` from the multiselect ``label``."""
        box = self._widget("stMultiSelect", label)
        tag = box.locator("[data-tag]").filter(has_text=option)
        tag.first.locator("button").first.click()
        self.settle()

    def multiselect_clear(self, label: str) -> None:
        """Clear every choice of the multiselect ``label`` (its "clear all" button)."""
        box = self._widget("stMultiSelect", label)
        box.locator("[data-testid='stMultiSelectClearAll'], [aria-label='Clear all']").first.click()
        self.settle()

    def slider_keys(self, label: str, key: str, times: int = 1, thumb: int = 0) -> None:
        """Press ``key`` (ArrowLeft, ArrowRight, Home, End...) on a slider thumb."""
        box = self._widget("stSlider", label)
        handle = box.locator("input[type='range']").nth(thumb)
        handle.focus()
        for _ in range(times):
            self.page.keyboard.press(key)
        self.settle()

    def select(self, label: str, option: str) -> None:
        """Choose ``option`` (shown text) in the selectbox ``label``."""
        box = self._widget("stSelectbox", label)
        box.locator("input[role='combobox']").click()
        self.page.get_by_role("option", name=option, exact=True).first.click()
        self.settle()

    def select_options(self, label: str) -> list[str]:
        """The options of the selectbox ``label``."""
        box = self._widget("stSelectbox", label)
        box.locator("input[role='combobox']").click()
        self.page.wait_for_selector("[role='listbox'] [role='option']", timeout=10_000)
        names = [
            o.inner_text().strip()
            for o in self.page.locator("[role='listbox'] [role='option']").all()
        ]
        self.page.keyboard.press("Escape")
        return names

    def radio(self, label: str, option: str) -> None:
        """Click ``option`` of the radio group ``label``."""
        box = self._widget("stRadio", label)
        box.locator("[data-testid='stRadioOption']").filter(has_text=option).first.click()
        self.settle()

    def toggle(self, label: str) -> None:
        """Flip the toggle or checkbox ``label``."""
        self.page.locator("[data-testid='stCheckbox']").filter(has_text=label).first.locator(
            "label"
        ).click()
        self.settle()

    def tab(self, name: str) -> None:
        """Open the tab ``name`` below the map."""
        self.page.locator("[data-testid='stTab']").filter(has_text=name).first.click()
        self.settle()

    def tabs(self) -> list[str]:
        """Names of the tabs below the map."""
        return [t.inner_text().strip() for t in self.page.locator("[data-testid='stTab']").all()]

    def set_view(self, lat: float, lon: float, zoom: int) -> None:
        """Move the map as a user's pan and zoom would (Leaflet ``setView``)."""
        frame = self.frame()
        now = frame.evaluate(MAP_LAYERS)
        name = now["map"]
        if now["zoom"] == zoom and abs(now["lat"] - lat) < 0.5 and abs(now["lon"] - lon) < 0.5:
            # The map is already there: a user who wants this zoom pans a little, and
            # only a real move is written to the URL.
            lat += 1.0
        frame.evaluate(
            "([n, lat, lon, z]) => { window[n].setView([lat, lon], z, {animate: false}); }",
            [name, lat, lon, zoom],
        )
        self.page.wait_for_function(
            "([z]) => new URLSearchParams(location.search).get('z') === String(z)",
            arg=[zoom],
            timeout=20_000,
        )
        self.settle()


# --- what SQL says the headline should be ------------------------------------------


def _int(n) -> str:
    return f"{int(n):,}"


def expected_metrics(con: duckdb.DuckDBPyConnection, page: str, params: dict) -> dict[str, str]:
    """The headline a page must show for a URL state, from the named queries.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The test database.
    page : str
        One of :data:`PAGES`.
    params : dict
        The page URL's query parameters (parsed by the page's state class, as the page
        does when it opens).

    Returns
    -------
    dict
        Metric label (or the start of it, for labels with a year) -> shown value.
    """
    from geo.views import camps, cifal, cities, direct_query, routes

    q = direct_query(con)
    if page == "overview":
        last = q("incident_date_range").iloc[0]["last_date"]
        h = run_query(con, "overview_headline", year=last.year).iloc[0]
        return {
            "Dead and missing since 2014": _int(h["dead_and_missing"]),
            f"Dead and missing in {last.year}": _int(h["dead_and_missing_year"]),
            "Camps and sites": _int(h["sites"]),
            "Arrival cities tracked": _int(h["cities"]),
            "CIFAL centres": _int(h["cifal_active"]),  # active, as CIFAL network counts
        }
    if page == "routes":
        state, _ = routes.RoutesState.from_params(params, routes.options(q))
        t = run_query(con, "incident_totals", **state.query_params()).iloc[0]
        return {
            "Incidents": _int(t["incidents"]),
            "Dead and missing": _int(t["dead_and_missing"]),
            "Dead": _int(t["dead"]),
            "Missing": _int(t["missing"]),
            # blank is not zero: a view where no incident gives a survivor count shows none
            "Survivors": _int(t["survivors"]) if t["survivors_reported"] else "–",
        }
    if page == "camps":
        state, _ = camps.CampsState.from_params(params, camps.options(q))
        rows = run_query(con, "site_totals", **state.query_params())
        t = rows[rows["all_datasets"].astype(bool)].iloc[0]
        return {
            "Sites": _int(t["sites"]),
            "Open": _int(t["open_sites"]),
            "Countries": _int(t["countries"]),
            "With 2025 pop.": _int(t["with_population_2025"]),
            "People 2025": _int(t["people_2025"]),
        }
    if page == "cities":
        state, _ = cities.CitiesState.from_params(params, cities.options(q))
        year = state.year_to if state.mode == "growth" else state.year
        h = run_query(con, "cities_headline", year=year, min_population=state.min_population).iloc[
            0
        ]
        refugees = run_query(con, "refugees_by_asylum", year=state.refugee_year)
        return {
            f"Cities in {year}": _int(h["cities"]),
            f"People in them, {year}": f"{h['population'] / 1e9:,.2f} bn",
            f"Megacities, {year}": _int(h["megacities"]),
            f"Refugees hosted, {state.refugee_year}": f"{refugees['total'].sum() / 1e6:,.1f} M",
        }
    if page == "cifal":
        state, _ = cifal.CifalState.from_params(params, cities.options(q))
        radius = float(state.radius_km)
        centres = run_query(con, "cifal_centres")
        near = run_query(
            con,
            "cifal_nearby",
            radius_km=radius,
            year=state.year,
            min_population=state.min_population,
        )
        if not state.include_closed:
            near = near[near["active"]]
        covered = near[near["kind"] == "arrival city"].drop_duplicates(["place", "lat", "lon"])
        dest = run_query(con, "cifal_destinations", include_closed=state.include_closed)
        extra = {k: getattr(state, k) for k in vars(state)}
        uncovered = run_query(
            con,
            "uncovered_fast_growing",
            **{
                **extra,
                "min_growth_pct": float(state.min_growth_pct),
                "radius_km": radius,
            },
        )
        return {
            # closed centres count only when the view counts them
            "CIFAL centres": _int(
                len(centres) if state.include_closed else int(centres["active"].sum())
            ),
            "Cities within reach": _int(len(covered)),
            "Route ends within reach": f"{_int((dest['nearest_km'] <= radius).sum())} of "
            f"{_int(len(dest))}",
            "Fast-growing, no centre": _int(len(uncovered)),
        }
    raise KeyError(page)


def headline_mismatches(shown: dict[str, str], expected: dict[str, str]) -> list[str]:
    """Differences between the shown metrics and the expected ones.

    An expected label matches the shown label that starts with it (labels may go on
    with a projection note or a part-year date).
    """
    bad = []
    for label, value in expected.items():
        hits = [k for k in shown if k == label] or [k for k in shown if k.startswith(label)]
        if not hits:
            bad.append(f"no metric {label!r} among {list(shown)}")
        elif shown[hits[0]] != value:
            bad.append(f"{label}: screen {shown[hits[0]]!r}, SQL {value!r}")
    return bad
