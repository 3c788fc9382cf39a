"""Tests of ``geo.fetch`` against a real HTTP server on 127.0.0.1 (no internet needed).

The server answers the publishers' paths with the files of the offline mirror
(``$ATLAS_SOURCES`` or ``../shared/data``), so a fetch through it must reproduce the
mirror byte for byte. Tests that need no mirror serve small synthetic bodies.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # pytest's rootdir is tests/ unless the runner adds the repo
    sys.path.insert(0, str(REPO))

from geo import fetch  # noqa: E402

MIRROR = Path(os.environ.get("ATLAS_SOURCES", REPO.parent / "shared" / "data"))
CURRENT_YEAR = dt.date.today().year

MMP_FILES = "/sites/g/files/tmzbdl601/files/report-migrant-incident"
NE_RAW = "/nvkelso/natural-earth-vector/master/geojson"
WUP_NEW = "/wup/assets/Download/WUP2018-F12-Cities_Over_300K.xls"
WUP_OLD = "/wup/Download/Files/WUP2018-F12-Cities_Over_300K.xls"
REGISTER = (
    "/global-displacement-locations/displacement_locations_unhcr/"
    "85f02e0afcce80c8288e08ab745606474e3d4bab/displacement_locations_unhcr.csv"
)
UNHCR_API = "/population/v1/population/"

#: Publisher path -> file of the mirror, spelled out here independently of the module.
MIRROR_ROUTES: dict[str, str] = {
    **{
        f"/global-figures/{year}/json": f"missing_migrants/api/{year}.json"
        for year in range(2014, CURRENT_YEAR + 2)
    },
    f"{MMP_FILES}/Missing_Migrants_Global_Figures_allData.xlsx": (
        "missing_migrants/Missing_Migrants_Global_Figures_allData_2025-04.xlsx"
    ),
    WUP_NEW: "city_population/WUP2018-F12-Cities_Over_300K.xls",
    WUP_OLD: "city_population/WUP2018-F12-Cities_Over_300K.xls",
    f"{NE_RAW}/ne_110m_admin_0_countries.geojson": "natural_earth/ne_110m_admin_0_countries.geojson",
    f"{NE_RAW}/ne_50m_admin_0_countries.geojson": "natural_earth/ne_50m_admin_0_countries.geojson",
    REGISTER: "camps/displacement_locations_unhcr_2020-01.csv",
}

NUMERIC = (
    "refugees",
    "asylum_seekers",
    "returned_refugees",
    "idps",
    "returned_idps",
    "stateless",
    "ooc",
    "oip",
    "hst",
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def need_mirror(*relpaths: str) -> None:
    missing = [p for p in relpaths if not (MIRROR / p).is_file()]
    if missing:
        pytest.skip(f"offline mirror {MIRROR} lacks {', '.join(missing)}")


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def part_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".part")]


# ---------------------------------------------------------------------------------------
# The local "publisher".
# ---------------------------------------------------------------------------------------


class Publisher:
    """What the test server answers: files by path, API rows, deliberate faults."""

    def __init__(
        self,
        files: dict[str, bytes | Path] | None = None,
        *,
        api_rows: list[dict] | None = None,
        api_page_size: int | None = None,
        missing: set[str] = frozenset(),
        truncate: set[str] = frozenset(),
    ) -> None:
        self.files = files or {}
        self.api_rows = api_rows
        self.api_page_size = api_page_size
        self.missing = set(missing)
        self.truncate = set(truncate)
        self.requests: list[tuple[str, dict[str, list[str]], str]] = []

    def body(self, path: str) -> bytes | None:
        found = self.files.get(path)
        if isinstance(found, Path):
            return found.read_bytes() if found.is_file() else None
        return found


def make_handler(pub: Publisher) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep pytest output clean
            pass

        def _send(self, status: int, body: bytes, ctype: str, length: int | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            if length is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            if length is not None:
                self.close_connection = True

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            pub.requests.append((parts.path, query, self.headers.get("User-Agent", "")))
            path = parts.path
            if path in pub.missing:
                self._send(404, b"not found", "text/plain")
                return
            if pub.api_rows is not None and path.rstrip("/") == UNHCR_API.rstrip("/"):
                limit = pub.api_page_size or int(query.get("limit", ["25"])[0])
                page = int(query.get("page", ["1"])[0])
                rows = pub.api_rows[(page - 1) * limit : page * limit]
                doc = {
                    "page": page,
                    "maxPages": max(1, math.ceil(len(pub.api_rows) / limit)),
                    "total": [],
                    "items": rows,
                }
                self._send(200, json.dumps(doc).encode(), "application/json")
                return
            body = pub.body(path)
            if body is None:
                self._send(404, b"not found", "text/plain")
                return
            if path in pub.truncate:  # promise more than we send, then hang up
                self._send(200, body[:10], "application/octet-stream", length=len(body) + 1000)
                return
            self._send(200, body, "application/octet-stream")

    return Handler


@pytest.fixture
def serve() -> Iterator[Callable[[Publisher], str]]:
    """Start test servers on 127.0.0.1 (random ports); shut them down afterwards."""
    servers: list[ThreadingHTTPServer] = []

    class QuietServer(ThreadingHTTPServer):
        def handle_error(self, request, client_address) -> None:
            pass  # a client hanging up on a kept-alive connection is not a test failure

    def start(pub: Publisher) -> str:
        server = QuietServer(("127.0.0.1", 0), make_handler(pub))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def api_rows_from_csv(text: str) -> list[dict]:
    """Rows of ``unhcr_population.csv`` as the UNHCR API serves them."""
    rows = []
    for number, row in enumerate(csv.DictReader(io.StringIO(text, newline=""))):
        item: dict = {
            "year": int(row["year"]),
            "coo_id": number,
            "coo_name": row["coo_name"],
            "coo": row["coo"],
            "coo_iso": row["coo_iso"],
            "coa_id": number + 1,
            "coa_name": row["coa_name"],
            "coa": row["coa"],
            "coa_iso": row["coa_iso"],
        }
        for column in NUMERIC:
            value = row[column]
            # The real API mixes numbers, "0" strings and "-" for not available.
            item[column] = "-" if value == "" else value if value == "0" else int(value)
        rows.append(item)
    return rows


@pytest.fixture(scope="module")
def mirror_api_rows() -> list[dict]:
    need_mirror("unhcr_refugees/unhcr_population.csv")
    text = (MIRROR / "unhcr_refugees/unhcr_population.csv").read_text(encoding="utf-8")
    return api_rows_from_csv(text)


def mirror_publisher(**kwargs: object) -> Publisher:
    return Publisher({path: MIRROR / rel for path, rel in MIRROR_ROUTES.items()}, **kwargs)


# ---------------------------------------------------------------------------------------
# Tests against the mirror.
# ---------------------------------------------------------------------------------------

EXPECTED = (
    "missing_migrants/api/2023.json",
    "missing_migrants/api/2024.json",
    "missing_migrants/Missing_Migrants_Global_Figures_allData_2025-04.xlsx",
    "missing_migrants/Missing_Migrants_Global_Figures_allData_2025-04.csv",
    "city_population/WUP2018-F12-Cities_Over_300K.xls",
    "city_population/WUP2018-F12-Cities_Over_300K_1950-2035_thousands.csv",
    "city_population/WUP2018-F12-notes.csv",
    "natural_earth/ne_110m_admin_0_countries.geojson",
    "natural_earth/ne_50m_admin_0_countries.geojson",
    "camps/displacement_locations_unhcr_2020-01.csv",
    "unhcr_refugees/unhcr_population.csv",
)


def test_fetch_reproduces_the_mirror(tmp_path, serve, mirror_api_rows):
    need_mirror(*EXPECTED)
    pub = mirror_publisher(api_rows=mirror_api_rows)
    out = io.StringIO()

    code = fetch.run_fetch(tmp_path, base_url=serve(pub), years=[2023, 2024], out=out)

    log = out.getvalue()
    assert code == 0, log
    for rel in EXPECTED:
        assert (tmp_path / rel).is_file(), f"{rel} not written\n{log}"
        assert sha256(tmp_path / rel) == sha256(MIRROR / rel), f"{rel} differs from the mirror"
    assert not part_files(tmp_path)
    assert "11 files written" in log and "0 failed" in log
    assert "Traceback" not in log

    manifest = json.loads((tmp_path / fetch.MANIFEST_NAME).read_text(encoding="utf-8"))
    entry = manifest["files"]["natural_earth/ne_110m_admin_0_countries.geojson"]
    assert entry["sha256"] == sha256(MIRROR / "natural_earth/ne_110m_admin_0_countries.geojson")
    assert entry["url"].endswith(f"{NE_RAW}/ne_110m_admin_0_countries.geojson")
    assert manifest["files"][EXPECTED[3]]["derived_from"] == EXPECTED[2]

    api_calls = [q for path, q, _ in pub.requests if path.rstrip("/") == UNHCR_API.rstrip("/")]
    assert api_calls and all(
        q["coo_all"] == ["true"] and q["coa_all"] == ["true"] and q["yearFrom"] == ["1951"]
        for q in api_calls
    )
    assert all(ua.startswith("arrival-atlas-fetch/") for _, _, ua in pub.requests)


def test_optional_year_404_is_skipped_and_fallback_address_used(tmp_path, serve):
    need_mirror("missing_migrants/api/2024.json", MIRROR_ROUTES[WUP_OLD])
    this_year = f"/global-figures/{CURRENT_YEAR}/json"
    pub = mirror_publisher(missing={this_year, WUP_NEW})
    out = io.StringIO()

    code = fetch.run_fetch(
        tmp_path,
        base_url=serve(pub),
        years=[2024, CURRENT_YEAR],
        out=out,
        only=["mmp_api", "wup"],
    )

    log = out.getvalue()
    assert code == 0, log
    assert (tmp_path / "missing_migrants/api/2024.json").is_file()
    assert not (tmp_path / f"missing_migrants/api/{CURRENT_YEAR}.json").exists()
    assert f"missing_migrants/api/{CURRENT_YEAR}.json: skipped" in log and "404" in log
    xls = "city_population/WUP2018-F12-Cities_Over_300K.xls"
    assert sha256(tmp_path / xls) == sha256(MIRROR / xls)
    assert "trying the next address" in log
    assert "1 skipped" in log and "0 failed" in log
    assert not part_files(tmp_path)


def test_required_item_404_fails_the_run(tmp_path, serve):
    need_mirror(*(MIRROR_ROUTES[p] for p in MIRROR_ROUTES if p.startswith(NE_RAW)))
    gone = f"{NE_RAW}/ne_50m_admin_0_countries.geojson"
    out = io.StringIO()

    code = fetch.run_fetch(
        tmp_path,
        base_url=serve(mirror_publisher(missing={gone})),
        out=out,
        only=["natural_earth"],
    )

    log = out.getvalue()
    assert code != 0
    assert (tmp_path / "natural_earth/ne_110m_admin_0_countries.geojson").is_file()
    assert not (tmp_path / "natural_earth/ne_50m_admin_0_countries.geojson").exists()
    assert "ne_50m_admin_0_countries.geojson: FAILED" in log
    assert "1 failed" in log and "required files missing" in log
    assert "Traceback" not in log


def test_past_year_is_required(tmp_path, serve):
    out = io.StringIO()
    code = fetch.run_fetch(
        tmp_path, base_url=serve(Publisher()), years=[2013], out=out, only=["mmp_api"]
    )
    assert code == 1
    assert "missing_migrants/api/2013.json: FAILED" in out.getvalue()


# ---------------------------------------------------------------------------------------
# Tests with synthetic bodies (no mirror needed).
# ---------------------------------------------------------------------------------------

TINY_GEOJSON = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"ISO_A3": "XXX"}, "geometry": None},
        ],
    }
).encode()


def test_unreachable_network_gives_one_line(tmp_path):
    out = io.StringIO()
    code = fetch.run_fetch(
        tmp_path / "sources", base_url=f"http://127.0.0.1:{closed_port()}", out=out, timeout=5
    )
    text = out.getvalue()
    assert code == 2
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "127.0.0.1" in lines[0] and "cannot reach" in lines[0]
    assert "ATLAS_SOURCES" in lines[0]
    assert "Traceback" not in text
    assert not [p for p in (tmp_path / "sources").rglob("*") if p.is_file()]


def test_read_only_destination_is_refused(tmp_path):
    mirror_like = tmp_path / "mirror"
    mirror_like.mkdir()
    mirror_like.chmod(0o555)
    out = io.StringIO()
    try:
        code = fetch.run_fetch(
            mirror_like / "sub", base_url=f"http://127.0.0.1:{closed_port()}", out=out
        )
    finally:
        mirror_like.chmod(0o755)
    assert code == 2
    assert len(out.getvalue().strip().splitlines()) == 1
    assert "read-only" in out.getvalue()
    assert not list(mirror_like.iterdir())


def test_failed_downloads_leave_no_partial_files(tmp_path, serve):
    small = f"{NE_RAW}/ne_110m_admin_0_countries.geojson"
    large = f"{NE_RAW}/ne_50m_admin_0_countries.geojson"
    pub = Publisher({small: b"<html>not json</html>", large: TINY_GEOJSON * 50}, truncate={large})
    old = tmp_path / "natural_earth/ne_50m_admin_0_countries.geojson"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"previous good file")
    out = io.StringIO()

    code = fetch.run_fetch(tmp_path, base_url=serve(pub), out=out, only=["natural_earth"])

    log = out.getvalue()
    assert code == 1, log
    assert not part_files(tmp_path)
    assert not (tmp_path / "natural_earth/ne_110m_admin_0_countries.geojson").exists()
    assert old.read_bytes() == b"previous good file"
    assert "not valid JSON" in log
    assert "Traceback" not in log


def test_unhcr_api_pages_become_the_mirror_csv(tmp_path, serve):
    csv_text = (
        "year,coo_name,coo,coo_iso,coa_name,coa,coa_iso,refugees,asylum_seekers,"
        "returned_refugees,idps,returned_idps,stateless,ooc,oip,hst\n"
        "1951,Unknown,UKN,UNK,Australia,AUL,AUS,180000,0,0,0,0,0,0,,0\n"
        '1951,Unknown,UKN,UNK,"China, Hong Kong SAR",HKG,HKG,30000,0,0,0,0,0,0,,0\n'
        "2025,Syrian Arab Rep.,SYR,SYR,Türkiye,TUR,TUR,2940735,154083,0,0,0,420,0,12,0\n"
        "2025,Afghanistan,AFG,AFG,Iran (Islamic Rep. of),IRN,IRN,1,2,3,4,5,6,7,8,9\n"
        "2025,Sudan,SUD,SDN,Chad,CHD,TCD,5,,,,,,,,\n"
    )
    rows = api_rows_from_csv(csv_text)
    rows[3]["refugees"] = 1.0  # a whole-number float must come out as an integer
    pub = Publisher(api_rows=rows, api_page_size=2)
    out = io.StringIO()

    code = fetch.run_fetch(tmp_path, base_url=serve(pub), out=out, only=["unhcr_population"])

    assert code == 0, out.getvalue()
    written = (tmp_path / "unhcr_refugees/unhcr_population.csv").read_bytes()
    assert written == csv_text.encode("utf-8")
    pages = sorted(
        int(q["page"][0]) for p, q, _ in pub.requests if p.rstrip("/") == UNHCR_API.rstrip("/")
    )
    assert pages == [1, 2, 3]
    assert "5 rows from 3 page(s)" in out.getvalue()


def test_unhcr_api_without_key_columns_fails(tmp_path, serve):
    pub = Publisher(api_rows=[{"something": 1}])
    out = io.StringIO()
    code = fetch.run_fetch(tmp_path, base_url=serve(pub), out=out, only=["unhcr_population"])
    assert code == 1
    assert "has it changed?" in out.getvalue()
    assert not (tmp_path / "unhcr_refugees/unhcr_population.csv").exists()


def test_address_table_is_complete():
    paths = [s.path for s in fetch.SOURCES]
    assert len(paths) == len(set(paths))
    for src in fetch.SOURCES:
        assert src.urls and all(u.startswith("https://") for u in src.urls)
        assert src.per_year == ("{year}" in src.urls[0])
    sources = {s.path for s in fetch.SOURCES}
    assert all(d.source in sources for d in fetch.DERIVED)


# ---------------------------------------------------------------------------------------
# Command line.
# ---------------------------------------------------------------------------------------


def test_parse_years():
    assert fetch.parse_years("2014-2016,2020") == [2014, 2015, 2016, 2020]
    assert fetch.parse_years("2023") == [2023]
    for bad in ("", "twenty", "2025-2014", "3000"):
        with pytest.raises(Exception, match="year"):
            fetch.parse_years(bad)


def test_main_reads_options_and_environment(tmp_path, monkeypatch, capsys):
    import argparse

    parser = fetch.add_arguments(argparse.ArgumentParser())
    ns = parser.parse_args(["--to", str(tmp_path), "--years", "2020-2021", "--only", "mmp_api"])
    assert ns.years == [2020, 2021] and ns.only == ["mmp_api"] and ns.to == tmp_path
    monkeypatch.setenv("ATLAS_FETCH_BASE_URL", f"http://127.0.0.1:{closed_port()}")

    assert fetch.main(ns) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "127.0.0.1" in err


def _cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("ATLAS_FETCH_BASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", *args, "--to", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )


def test_module_cli_unreachable(tmp_path):
    result = _cli(["geo.fetch", "--base-url", f"http://127.0.0.1:{closed_port()}"], tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_geo_fetch_subcommand_unreachable(tmp_path):
    main_py = REPO / "geo" / "__main__.py"
    if not main_py.is_file() or "fetch" not in main_py.read_text(encoding="utf-8"):
        pytest.skip("geo/__main__.py has no fetch subcommand yet")
    result = _cli(["geo", "fetch", "--base-url", f"http://127.0.0.1:{closed_port()}"], tmp_path)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "127.0.0.1" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
