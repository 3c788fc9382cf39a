"""Time playback: the payload of the animated views and the frame rate they play at in
headless Chromium, offline.

Views: Deadly routes over every incident of the database by month, quarter and year
(the most frames and cells there are), and Arrival cities over the WUP years. The
payload is the map's whole HTML page (``map_html``), as for the still pages. The frame
rate is measured on the month view, the longest: the page is opened from ``file://``
with every other request refused, the player is asked for 60 frames a second, and the
frames drawn are counted over the wall-clock time the whole series takes (each frame
changes the circles on the map's canvas; Leaflet repaints in the next animation frame,
and the run's animation frames are counted too, so a frame that never painted shows).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import duckdb

from geo.exports import standalone_html
from geo.maps import map_html, render
from geo.views import cities, countries_of, direct_query, routes

REQUESTED_FPS = 60
PLAY = """() => new Promise(resolve => {
    const p = window.atlasPlayback;
    p.show(0);
    const drawn0 = p.drawn;
    let rafs = 0;
    p.speed(__FPS__);
    const t0 = performance.now();
    p.play();
    function tick() {
        rafs++;
        if (!p.playing) { resolve([p.drawn - drawn0, performance.now() - t0, rafs, p.count]); }
        else { requestAnimationFrame(tick); }
    }
    requestAnimationFrame(tick);
})""".replace("__FPS__", str(REQUESTED_FPS))


def views(db: Path) -> dict:
    """The animated views' descriptions of a database, by name."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        q = direct_query(con)
        countries = countries_of(con)
        opts = routes.options(q)
        out = {}
        for step in ("month", "quarter", "year"):
            state = routes.RoutesState(opts.first_date, opts.last_date, play=step)
            out[f"routes by {step}"] = routes.map_spec(q, countries, state, options=opts)
        copts = cities.options(q)
        cstate, _notes = cities.CitiesState.from_params({"play": "years"}, copts)
        out["cities by 5 years"] = cities.build(q, countries, cstate).spec
        return out
    finally:
        con.close()


def frame_rate(html: str, *, runs: int = 3, log=print) -> dict:
    """Frames a second the page's playback draws in headless Chromium (offline)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch_browser

    results = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = Path(tmp) / "playback.html"
        path.write_text(html, encoding="utf-8")
        browser = launch_browser(p)
        try:
            ctx = browser.new_context(viewport={"width": 1280, "height": 800})
            ctx.route(
                "**/*",
                lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
            )
            page = ctx.new_page()
            page.goto(path.as_uri())
            page.wait_for_function("() => window.atlasPlayback && atlasPlayback.drawn > 0")
            for _ in range(runs):
                drawn, ms, rafs, frames = page.evaluate(PLAY)
                results.append(
                    {
                        "frames": frames,
                        "drawn": drawn,
                        "ms": round(ms, 1),
                        "fps": round(drawn / (ms / 1000), 1),
                        "animation_frames": rafs,
                    }
                )
                time.sleep(0.3)
        finally:
            browser.close()
    fps = sorted(r["fps"] for r in results)
    return {"runs": results, "fps_median": fps[len(fps) // 2], "fps_min": fps[0]}


def measure_playback(dbs: list[dict], *, paint: bool = True, log=print) -> list[dict]:
    """Payload of each animated view and, with ``paint``, the month view's frame rate,
    for each database (``{"label", "factor", "synthetic", "db"}``)."""
    out = []
    for d in dbs:
        log(f"Playback on {d['label']} …")
        specs = views(Path(d["db"]))
        entry = {"label": d["label"], "factor": d["factor"], "synthetic": d["synthetic"]}
        entry["payload_bytes"] = {}
        pages = {}
        for name, spec in specs.items():
            t0 = time.perf_counter()
            html = map_html(render(spec))
            layer = next(layer for layer in spec.layers if hasattr(layer, "frames"))
            entry["payload_bytes"][name] = {
                "bytes": len(html.encode()),
                "frames": len(layer.frames),
                "places": len(layer.places),
                "render_ms": round((time.perf_counter() - t0) * 1000, 1),
            }
            # the page a browser opens from file:// must carry Leaflet itself
            pages[name] = standalone_html(spec, name, "")
        if paint:
            entry["fps"] = frame_rate(pages["routes by month"], log=log)
            log(
                f"  routes by month: {entry['fps']['fps_median']} frames/s "
                f"(slowest run {entry['fps']['fps_min']})"
            )
        out.append(entry)
    return out
