"""A protocol-level Streamlit viewer: what a browser asks of the server when it opens a
page, without the browser.

It speaks Streamlit's own protocol with the installed package's messages
(``streamlit.proto``): an HTTP GET of the page and of the files its HTML names, the
health and host-config probes the frontend makes (under the page's path first, then
the root, as Streamlit's base-path discovery does), then the websocket at
``/_stcore/stream`` (subprotocol ``streamlit``, the page's Origin, the cookies), a
``BackMsg.rerun_script`` with the page's name, query string and the browser's context
(time zone, locale, URL, colour scheme), and every ``ForwardMsg`` read and classified.

What a browser does after the first run is done too, because it costs the server as
much as the first run: when the page sends a map (``st_folium``'s component), the
browser loads the component's frame (its ``index.html`` and Leaflet's files) and the
component reports the map's view, which reruns the page with that value and the
hashes of the messages the browser holds (the server then sends a reference, not the
map again). The second step of a viewer (another page in the same tab) is a
``rerun_script`` with that page's script hash and query string, as a click on a link
in the app sends.

Not done: the ~30 script chunks the frontend loads on demand for each kind of element
(first view only, then cached by the browser; static files), and the browser's own
work (drawing). ``tests/test_hall.py`` checks the client against Chromium on the same
links (:func:`summary` of both sides' websocket frames).
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FOLIUM = "streamlit_folium.st_folium"
# A briefing's deck is one st.iframe holding every slide's map; smaller iframes are not maps.
DECK_MIN_BYTES = 100_000
# Chromium's request headers that change what the server does (compression, language).
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0 Safari/537.36 atlas-hall",
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "Accept-Language": "en-US,en;q=0.9",
}
_ASSET = re.compile(r'(?:src|href)="\./(static/[^"]+|favicon\.png)"')
FINISHED_EARLY_FOR_RERUN = 2
PARALLEL = 6  # connections a browser opens to one host (HTTP/1.1)


class ProtocolError(Exception):
    """The server answered something a browser would show as an error."""


# --------------------------------------------------------------------------- HTTP


class HttpConnection:
    """One keep-alive HTTP/1.1 connection (what a browser keeps open to a host), with
    the session's cookies. Bodies are counted, not decoded."""

    def __init__(self, host: str, port: int, cookies: dict[str, str]):
        self.host, self.port, self.cookies = host, port, cookies
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, int]:
        """``GET path``: (status, body bytes). Reconnects when the server closed."""
        for attempt in (0, 1):
            if self.writer is None or self.writer.is_closing():
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                sock = self.writer.get_extra_info("socket")
                if sock is not None:  # as browsers do: no Nagle delay on small requests
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                return await self._get(path)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _get(self, path: str) -> tuple[int, int]:
        headers = {"Host": f"{self.host}:{self.port}", **BROWSER_HEADERS, "Accept": "*/*"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write((head + "\r\n").encode("latin-1"))
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        length, chunked, close = None, False, False
        while True:
            line = (await self.reader.readline()).decode("latin-1").strip()
            if not line:
                break
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                close = True
            elif name == "set-cookie":
                k, _, v = value.split(";", 1)[0].partition("=")
                self.cookies[k.strip()] = v.strip()
        n = 0
        if chunked:
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                n += len(await self.reader.readexactly(size))
                await self.reader.readline()
        elif length is not None:
            n = len(await self.reader.readexactly(length))
        else:
            n = len(await self.reader.read())
            close = True
        if close:
            self.close()
        return status, n

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.writer = None


# --------------------------------------------------------------------------- results


@dataclass
class Step:
    """One page view of a viewer: from its start (the page's GET, or the click that
    reruns the tab on another page) until its last run finished."""

    name: str  # "briefing", "map"
    page: str  # URL path: "briefing", "routes", "" (the default page)
    query: str
    started: float = 0.0  # time.monotonic()
    ws_open_s: float | None = None  # seconds from the start
    new_session_s: float | None = None
    map_s: float | None = None  # the map's data received (its delta, or its reference)
    finished_s: float | None = None  # the view's last run finished
    map_kind: str | None = None  # "st_folium", "deck", "ref"
    map_bytes: int = 0
    ws_bytes: int = 0
    messages: int = 0
    runs: int = 0  # script runs finished (a map's report reruns the page: two)
    http_requests: int = 0
    http_bytes: int = 0
    elements: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k not in ("elements", "started")}
        out["elements"] = dict(self.elements)
        return out


@dataclass
class Viewer:
    """One viewer's steps, and what happened to it."""

    n: int
    steps: list[Step] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sticky: str | None = None  # nginx's stickiness cookie (which replica served it)

    @property
    def ok(self) -> bool:
        return not self.errors and all(not s.errors and s.map_s is not None for s in self.steps)


# --------------------------------------------------------------------------- viewer


def _client_state(msg_field, *, query: str, url: str, page_name: str = "", page_hash: str = ""):
    cs = msg_field
    cs.query_string = query
    cs.page_name = page_name
    cs.page_script_hash = page_hash
    cs.widget_states.SetInParent()
    ci = cs.context_info
    ci.timezone, ci.timezone_offset, ci.locale = "UTC", 0, "en-US"
    ci.url, ci.is_embedded, ci.color_scheme = url, False, "light"
    return cs


def classify(msg: ForwardMsg) -> tuple[str, str | None]:
    """(kind, map kind or None): e.g. ``("delta.component_instance", "st_folium")``."""
    kind = msg.WhichOneof("type")
    if kind != "delta":
        return kind or "?", None
    delta = msg.delta
    dk = delta.WhichOneof("type")
    if dk != "new_element":
        return f"delta.{dk}", None
    el = delta.new_element
    ek = el.WhichOneof("type")
    if ek == "component_instance" and el.component_instance.component_name == FOLIUM:
        return f"element.{ek}", "st_folium"
    if ek == "iframe" and len(el.iframe.srcdoc) >= DECK_MIN_BYTES:
        return f"element.{ek}", "deck"
    return f"element.{ek}", None


def widget_value(el) -> tuple[str, str, object] | None:
    """``(widget id, WidgetState field, value)`` a browser reports for a widget element
    it shows (its value as sent, else its default), or None (buttons report nothing
    until clicked; a widget with no value reports nothing)."""
    kind = el.WhichOneof("type")
    w = getattr(el, kind, None)
    if w is None or not getattr(w, "id", ""):
        return None
    if kind in ("multiselect", "button_group"):
        if w.set_value:
            values = list(w.raw_values)
        else:
            opts = [o.content if kind == "button_group" else o for o in w.options]
            values = [opts[i] for i in w.default if i < len(opts)]
        return w.id, "string_array_value", values
    if kind in ("selectbox", "radio"):
        if w.set_value and w.HasField("raw_value"):
            return w.id, "string_value", w.raw_value
        if w.HasField("default") and w.default < len(w.options):
            return w.id, "string_value", w.options[w.default]
        return None
    if kind == "date_input":
        return w.id, "string_array_value", list(w.value if w.set_value else w.default)
    if kind == "slider":
        if w.options:  # select_slider: the options' labels
            if w.set_value and w.raw_value:
                return w.id, "string_array_value", list(w.raw_value)
            return w.id, "string_array_value", [w.options[int(i)] for i in w.default]
        return w.id, "double_array_value", list(w.value if w.set_value else w.default)
    if kind == "checkbox":
        return w.id, "bool_value", w.value if w.set_value else w.default
    if kind == "text_input":
        value = w.value if w.set_value else w.default
        return (w.id, "string_value", value) if value is not None else None
    if kind == "number_input":
        return w.id, "double_value", w.value if w.set_value else w.default
    return None


def _set_widget(ws, wid: str, field_name: str, value) -> None:
    w = ws.widgets.add()
    w.id = wid
    if field_name == "string_array_value":
        w.string_array_value.data.extend(value)
    elif field_name == "double_array_value":
        w.double_array_value.data.extend(value)
    else:
        setattr(w, field_name, value)


def _folium_view(el) -> str:
    """What st_folium's component reports once the map has drawn: the map's view (the
    link's, when the page gave one, else the world: the page keeps the first report as
    the fitted view's baseline either way) and any other of its ``returned_objects``
    that the map's script sets in ``window.__GLOBAL_DATA__`` (the app's state token)."""
    try:
        args = json.loads(el.component_instance.json_args)
    except ValueError:
        args = {}
    center = args.get("center") or [20.0, 0.0]
    zoom = args.get("zoom") or 2
    out = {"zoom": zoom, "center": {"lat": center[0], "lng": center[1]}}
    script = args.get("script") or ""
    for name in args.get("returned_objects") or []:
        if name in out:
            continue
        m = re.search(rf"__GLOBAL_DATA__\.{re.escape(name)}\s*=\s*(.+?);\s*$", script, re.M)
        if m:
            try:
                out[name] = json.loads(m.group(1))
            except ValueError:
                continue
    return json.dumps(out)


class Session:
    """A viewer's tab: an HTTP connection, the websocket, and the messages read."""

    def __init__(
        self, base: str, viewer: Viewer, *, report_delay: float = 0.3, record: list | None = None
    ):
        u = urlsplit(base)
        self.record = record  # every frame received, when given (to compare with a browser)
        self.report = True  # send the map component's report (False: the first run only)
        self.base = base.rstrip("/")
        self.host, self.port = u.hostname, u.port or 80
        self.cookies: dict[str, str] = {}
        self.http = HttpConnection(self.host, self.port, self.cookies)
        self.viewer = viewer
        self.ws = None
        self.pages: dict[str, str] = {}  # url path -> page script hash (navigation msg)
        self.cached: set[str] = set()  # hashes of cacheable messages held, as a browser does
        self.by_hash: dict[str, str | None] = {}  # hash -> map kind
        self.report_delay = report_delay
        self.current_hash = ""  # the page shown (from the last navigation message)
        self.widgets: dict[str, tuple] = {}  # widget id -> (id, field, value) shown

    async def _get(self, step: Step, path: str, *, must: bool = True) -> None:
        status, n = await self.http.get(path)
        step.http_requests += 1
        step.http_bytes += n
        if must and status != 200:
            step.errors.append(f"HTTP {status} for {path[:100]}")

    async def open(self, step: Step, *, assets: bool = True) -> None:
        """The page's HTTP requests, the websocket, and the first ``rerun_script``."""
        import websockets

        path = f"/{step.page}" + (f"?{step.query}" if step.query else "")
        step.started = time.monotonic()
        status, n = await self.http.get(path)
        step.http_requests, step.http_bytes = 1, n
        if status != 200:
            step.errors.append(f"HTTP {status} for {path[:100]}")
            return
        if assets:
            # Over six connections at once, as Chromium opens at most six to a host.
            files = ["/" + a for a in await self._page_assets()]
            pool = [self.http] + [
                HttpConnection(self.host, self.port, self.cookies) for _ in range(PARALLEL - 1)
            ]

            async def fetch(conn: HttpConnection, paths: list[str]) -> None:
                for p in paths:
                    status, n = await conn.get(p)
                    step.http_requests += 1
                    step.http_bytes += n
                    if status != 200:
                        step.errors.append(f"HTTP {status} for {p[:100]}")

            try:
                await asyncio.gather(*(fetch(c, files[i :: len(pool)]) for i, c in enumerate(pool)))
            finally:
                for c in pool[1:]:
                    c.close()
        # Streamlit's base-path discovery: the page's own path first (404 at /routes),
        # then the root.
        if step.page:
            for probe in ("health", "host-config"):
                await self._get(step, f"/{step.page}/_stcore/{probe}", must=False)
        for probe in ("health", "host-config"):
            await self._get(step, f"/_stcore/{probe}")
        self.viewer.sticky = self.cookies.get("atlas_sticky")
        headers = {**BROWSER_HEADERS}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        ws_url = f"ws://{self.host}:{self.port}/_stcore/stream"
        self.ws = await websockets.connect(
            ws_url,
            subprotocols=["streamlit"],
            origin=f"http://{self.host}:{self.port}",
            additional_headers=headers,
            user_agent_header=None,
            max_size=None,  # a briefing's deck is one ~3 MB message
            open_timeout=None,
            ping_interval=None,
        )
        step.ws_open_s = time.monotonic() - step.started
        msg = BackMsg()
        _client_state(
            msg.rerun_script,
            query=step.query,
            url=f"{self.base}/{step.page}",
            page_name=step.page,
        )
        await self.ws.send(msg.SerializeToString())
        await self._read_view(step)

    _html_assets: list[str] | None = None

    async def _page_assets(self) -> list[str]:
        # Every viewer's page HTML is the same file: its asset list is read once per
        # process (the GETs are still made by every viewer).
        if Session._html_assets is None:
            import streamlit

            index = (
                __import__("pathlib").Path(streamlit.__file__).parent / "static" / "index.html"
            ).read_text(encoding="utf-8")
            Session._html_assets = list(dict.fromkeys(_ASSET.findall(index)))
        return Session._html_assets

    async def navigate(self, step: Step) -> None:
        """Another page in the same tab: a ``rerun_script`` with the page's script hash,
        its query string and the hashes of the messages this tab holds."""
        # The default page's entry has no URL path in the navigation message: a link
        # to it by name (``/overview``) is resolved by the server from ``page_name``.
        page_hash = self.pages.get(step.page, "")
        step.started = time.monotonic()
        step.ws_open_s = 0.0
        msg = BackMsg()
        cs = _client_state(
            msg.rerun_script,
            query=step.query,
            url=f"{self.base}/{step.page}",
            page_name="" if page_hash else step.page,
            page_hash=page_hash,
        )
        cs.cached_message_hashes.extend(sorted(self.cached))
        await self.ws.send(msg.SerializeToString())
        await self._read_view(step)

    async def _read_view(self, step: Step) -> None:
        """Read until the view's last run finished: after a run that sent a map, the
        component's frame is loaded and its report sent, and that run is waited for too."""
        reported = False
        folium = None
        # The widgets of the app's frame (the sidebar's) stay; a new page's replace the
        # old page's (the browser reports only the widgets it shows).
        self.widgets = {k: v for k, v in self.widgets.items() if k.endswith("-atlas_lang")}
        while True:
            raw = await self.ws.recv()
            if self.record is not None:
                self.record.append(raw)
            now = time.monotonic() - step.started
            step.ws_bytes += len(raw)
            step.messages += 1
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind, map_kind = classify(msg)
            step.elements[kind] += 1
            if msg.metadata.cacheable and msg.hash:
                self.cached.add(msg.hash)
                self.by_hash[msg.hash] = map_kind
            if kind == "ref_hash":
                map_kind = self.by_hash.get(msg.ref_hash)
                map_kind = "ref" if map_kind else None
            if map_kind and step.map_s is None:
                step.map_s, step.map_kind, step.map_bytes = now, map_kind, len(raw)
            if map_kind == "st_folium":
                folium = msg.delta.new_element
            if kind.startswith("element."):
                wv = widget_value(msg.delta.new_element)
                if wv is not None:
                    self.widgets[wv[0]] = wv
            if kind == "new_session":
                if step.new_session_s is None:
                    step.new_session_s = now
            elif kind == "navigation":
                self.current_hash = msg.navigation.page_script_hash  # the page that runs
                for p in msg.navigation.app_pages:
                    self.pages[p.url_pathname] = p.page_script_hash
                    if p.is_default:
                        self.pages.setdefault("", p.page_script_hash)
            elif kind == "element.exception":
                ex = msg.delta.new_element.exception
                step.errors.append(f"exception on the page: {ex.type}: {ex.message[:160]}")
            elif kind == "element.alert" and msg.delta.new_element.alert.format == 1:
                step.errors.append(f"error shown: {msg.delta.new_element.alert.body[:160]}")
            elif kind == "page_not_found":
                step.errors.append(f"page not found: {step.page}")
            elif kind == "script_finished":
                if msg.script_finished == FINISHED_EARLY_FOR_RERUN:
                    continue
                step.runs += 1
                if folium is not None and not reported and self.report:
                    # The browser loads the component's frame, Leaflet draws, and the
                    # component reports the map's view: the page reruns with it.
                    reported = True
                    await self._component_files(step)
                    await asyncio.sleep(self.report_delay)
                    await self._report(step, folium)
                    continue
                step.finished_s = now
                return

    async def _component_files(self, step: Step) -> None:
        url = f"{self.base}/{step.page}".replace(":", "%3A").replace("/", "%2F")
        await self._get(step, f"/component/{FOLIUM}/index.html?streamlitUrl={url}")
        for f in ("leaflet.js", "leaflet.css"):
            await self._get(step, f"/app/static/leaflet/{f}")

    async def _report(self, step: Step, folium) -> None:
        msg = BackMsg()
        cs = _client_state(
            msg.rerun_script,
            query=step.query,
            url=f"{self.base}/{step.page}",
            page_hash=self.current_hash,
        )
        for wid, field_name, value in self.widgets.values():
            _set_widget(cs.widget_states, wid, field_name, value)
        w = cs.widget_states.widgets.add()
        w.id = folium.component_instance.id
        w.json_value = _folium_view(folium)
        cs.cached_message_hashes.extend(sorted(self.cached))
        await self.ws.send(msg.SerializeToString())

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        self.http.close()


async def view(
    base: str,
    n: int,
    plan: list[tuple[str, str, str]],
    *,
    timeout: float = 120.0,
    assets: bool = True,
    report_delay: float = 0.3,
    hold: float = 0.0,
    record: list | None = None,
    report: bool = True,
) -> Viewer:
    """One viewer: the first ``(name, page, query)`` of ``plan`` opened as a link, the
    others by navigating in the same tab. Every failure is recorded, never raised.

    Parameters
    ----------
    base
        The server's (or nginx's) address, ``http://host:port``.
    timeout
        Seconds allowed for the whole viewer.
    hold
        Seconds to keep the tab open at the end (a viewer keeps reading).
    record
        A list to append every websocket frame received to.
    report
        Whether the map's component reports its view (False: each view is its first
        run only, to tell the two runs' costs apart).
    """
    viewer = Viewer(n)
    session = Session(base, viewer, report_delay=report_delay, record=record)
    session.report = report

    async def run() -> None:
        for i, (name, page, query) in enumerate(plan):
            step = Step(name, page, query)
            viewer.steps.append(step)
            if i == 0:
                await session.open(step, assets=assets)
            else:
                await session.navigate(step)
            if step.errors:
                return
        if hold:
            await asyncio.sleep(hold)

    try:
        await asyncio.wait_for(run(), timeout)
    except TimeoutError:
        viewer.errors.append(f"timed out after {timeout:.0f} s")
    except Exception as exc:  # noqa: BLE001 - every failure is a recorded error
        viewer.errors.append(f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
    finally:
        try:
            await asyncio.wait_for(session.close(), 10)
        except Exception:  # noqa: BLE001, S110 - closing a broken socket
            pass
    for s in viewer.steps:
        if not s.errors and s.map_s is None and not viewer.errors:
            s.errors.append(f"no map received on {s.page or 'the default page'}")
    return viewer


def summary(frames: list[bytes]) -> dict:
    """What a tab received, from its raw websocket frames (the client's, or a browser's
    recorded by Playwright): messages by kind, runs finished, maps, bytes."""
    kinds: Counter = Counter()
    maps: list[str] = []
    runs = 0
    for raw in frames:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind, map_kind = classify(msg)
        kinds[kind] += 1
        if map_kind:
            maps.append(map_kind)
        if kind == "script_finished" and msg.script_finished != FINISHED_EARLY_FOR_RERUN:
            runs += 1
    return {
        "messages": len(frames),
        "bytes": sum(len(f) for f in frames),
        "runs": runs,
        "maps": maps,
        "kinds": dict(kinds),
    }


__all__ = ["view", "Viewer", "Step", "Session", "summary", "classify", "ProtocolError"]
