"""Browser harness: a real ``streamlit run app.py`` on loopback over the test database,
and headless Debian chromium (Playwright) with every non-loopback request blocked."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import REPO

CHROMIUM = os.environ.get("ATLAS_CHROMIUM", "/usr/bin/chromium")
SHOTS = REPO / "artifacts" / "screenshots"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A Streamlit server process serving ``app.py``."""

    def __init__(
        self,
        db: Path,
        port: int | None = None,
        env: dict | None = None,
        *,
        script: str = "app.py",
        log_prefix: str = "streamlit",
        cwd: Path = REPO,
        timeout: float = 60,
    ):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, "ATLAS_DB": str(db), **(env or {})}
        if cwd != REPO:  # another checkout (a commit's worktree) imports its own code
            extra = (env or {}).get("PYTHONPATH")
            full_env["PYTHONPATH"] = os.pathsep.join([str(cwd), *([extra] if extra else [])])
        (REPO / "artifacts").mkdir(exist_ok=True)
        self.log = open(REPO / "artifacts" / f"{log_prefix}-{self.port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                # A test server serves the code it started with: no module reloads
                # when a file of the working tree changes under it.
                "--server.fileWatcherType",
                "none",
            ],
            cwd=cwd,
            env=full_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy in {timeout:g} s")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


def launch_browser(playwright):
    """Debian's chromium through Playwright (never a downloaded browser)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run scripts/setup.sh --browser as root")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


# The caption in the open tab below a map before the map has drawn (app_pages/_ui.py).
WAITING_BELOW_MAP = "Loading once the map has drawn"

# Vector features drawn by every Leaflet map in a frame (canvas or SVG renderer).
COUNT_FEATURES = """() => {
    if (typeof L === 'undefined') { return 0; }
    if (!document.querySelector('.leaflet-overlay-pane canvas, .leaflet-overlay-pane path')) { return 0; }
    let n = 0;
    for (const k of Object.keys(window)) {
        let v; try { v = window[k]; } catch (e) { continue; }
        if (v instanceof L.Map) { v.eachLayer(l => { if (l instanceof L.Path) { n++; } }); }
    }
    return n;
}"""


class OfflinePage:
    """A browser page that blocks every request to a non-loopback host and records
    console errors, page errors, dialogs and blocked requests."""

    def __init__(self, context):
        self.page = context.new_page()
        self.console_errors: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.page.on(
            "console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.failed_responses: list[str] = []
        self.page.on(
            "response",
            lambda r: (
                self.failed_responses.append(f"{r.status} {r.url}") if r.status >= 400 else None
            ),
        )

        def on_dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", on_dialog)
        context.route("**/*", self._route)

    def _route(self, route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:", "about:", "file:")) or host in LOOPBACK:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def real_errors(self) -> list[str]:
        """Console errors, minus the 404s of Streamlit's own base-path probes.

        Opened at ``/routes``, Streamlit's frontend first asks ``/routes/_stcore/health``
        and ``/routes/_stcore/host-config`` to discover its base path; those two 404s
        are Streamlit's, not the page's.
        """
        noise = [
            r
            for r in self.failed_responses
            if re.search(r"/[^/]+/_stcore/(health|host-config)$", r)
        ]
        errors = list(self.console_errors)
        for _ in noise:
            for i, e in enumerate(errors):
                if "404" in e and "Failed to load resource" in e:
                    del errors[i]
                    break
        return errors

    def map_frame(self, timeout: float = 30):
        """The iframe of the first Leaflet map, once it has drawn vector features."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for frame in self.page.frames:
                try:
                    n = frame.evaluate(COUNT_FEATURES)
                except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                    continue
                if n and n > 0:
                    return frame
            time.sleep(0.25)
        self.screenshot("FAILED-no-map")
        raise AssertionError(
            f"no Leaflet map drew features within {timeout} s; blocked: {self.blocked[:5]}; "
            f"console: {self.console_errors[:5]}"
        )

    def screenshot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def wait_for_app(page, timeout_ms: int = 45000) -> None:
    """Wait until Streamlit has finished running the page script.

    The app's root says whether a run is going on; the status widget shows only once a
    run has lasted a while, so its absence alone is also true before a run starts.
    """
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        '() => !!document.querySelector(\'[data-testid="stApp"][data-test-script-state="notRunning"]\')'
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=timeout_ms,
    )
    page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=timeout_ms)


def page_text(page) -> str:
    return page.inner_text("[data-testid='stMain']")


def check_page(server, browser, url_path: str, heading: str, texts: list[str], *, query: str = ""):
    """Open a page offline and run the checks every page must pass.

    The page loads without exception text, its Leaflet map draws features, the legend,
    the source credit and one layer control are visible, nothing logs a console error,
    no dialog fires, and a screenshot is saved to ``artifacts/screenshots``.

    Returns
    -------
    (OfflinePage, frame, context)
        Close the context when done.
    """
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    op = OfflinePage(context)
    op.page.goto(f"{server.url}/{url_path}{query}", wait_until="domcontentloaded")
    wait_for_app(op.page)
    frame = op.map_frame()
    assert frame.locator(".atlas-legend").first.is_visible()
    credit = frame.inner_text(".leaflet-control-attribution")
    assert len(credit) > 10 and ("Natural Earth" in credit or "IOM" in credit or "UN" in credit)
    assert frame.locator(".leaflet-control-layers").count() >= 1
    # what waits below the map (sections, export panel) fills once the map has drawn
    op.page.wait_for_function(
        f"() => !document.body.innerText.includes({WAITING_BELOW_MAP!r})", timeout=20_000
    )
    op.page.wait_for_timeout(800)
    shot = op.screenshot(
        (url_path or "overview")
        + (query.replace("?", "_").replace("&", "_").replace("=", "-") if query else "")
    )
    text = page_text(op.page)
    assert heading in text, heading
    for t in texts:
        assert t in text, t
    for bad in ("Traceback", "Exception", "Error:"):
        assert bad not in text, bad
    assert not op.real_errors(), (op.console_errors, op.failed_responses)
    assert not op.dialogs, op.dialogs
    assert shot.stat().st_size > 20_000
    assert not frame.evaluate(LEGEND_COVERS_LAYERS), f"{url_path}: the legend covers the layers"
    return op, frame, context


# Whether a legend of the map lies over its open layer control (and so hides the names
# of the layers a user switches).
LEGEND_COVERS_LAYERS = """() => {
    const lc = document.querySelector('.leaflet-control-layers-expanded');
    if (!lc) { return false; }
    const b = lc.getBoundingClientRect();
    return [...document.querySelectorAll('.atlas-legend')].some(el => {
        const a = el.getBoundingClientRect();
        return a.top < b.bottom && b.top < a.bottom && a.left < b.right && b.left < a.right;
    });
}"""
