"""Run ``deploy/nginx.conf`` with the machine's nginx, as an ordinary user, in front of
Streamlit replicas on loopback: the deployment of ``deploy/compose.yaml`` without
Docker, for the tests and the load test.

The site file is the one compose mounts; :func:`render` changes only the upstream
server (one loopback address per replica), the listen address, the log folder and the
file cache's folder, and wraps it in a main configuration that keeps the pid file, logs,
cached and temporary files in one folder (``nginx -p``), so no root is needed.

Usage::

    python deploy/local.py --upstream 127.0.0.1:8601 --upstream 127.0.0.1:8602 \\
        --listen 127.0.0.1:8080 --prefix /tmp/atlas-nginx > /tmp/atlas-nginx/nginx.conf
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SITE = Path(__file__).resolve().parent / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# What compose has and a local run replaces; each must occur exactly once.
_UPSTREAM = re.compile(r"^(\s*)server app:8501 (.*)$", re.M)
_LISTEN = re.compile(r"^(\s*)listen 80;$", re.M)
_LOGS = "/var/log/nginx/"
_CACHE = "/var/cache/nginx/atlas"

_MAIN = """\
# Rendered by deploy/local.py from deploy/nginx.conf: do not edit.
daemon off;
{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;

events {{
    worker_connections 1024;
}}

http {{
    client_body_temp_path {prefix}/temp/client_body;
    proxy_temp_path {prefix}/temp/proxy;
    fastcgi_temp_path {prefix}/temp/fastcgi;
    uwsgi_temp_path {prefix}/temp/uwsgi;
    scgi_temp_path {prefix}/temp/scgi;

{site}
}}
"""


def _replace_once(pattern: re.Pattern, repl, text: str, what: str) -> str:
    out, n = pattern.subn(repl, text)
    if n != 1:
        raise ValueError(f"{SITE}: expected one {what} line, found {n}")
    return out


def render(upstreams: list[str], listen: str, prefix: Path, site: str | None = None) -> str:
    """A complete nginx configuration serving ``deploy/nginx.conf`` on loopback.

    Parameters
    ----------
    upstreams
        ``host:port`` of each Streamlit replica, in place of compose's ``app:8501``.
    listen
        What nginx listens on, e.g. ``127.0.0.1:8080``.
    prefix
        Folder for the pid file, ``logs/``, ``cache/`` and ``temp/`` (created by
        :class:`Nginx`).
    site
        The site configuration; default the text of ``deploy/nginx.conf``.

    Returns
    -------
    str
        The configuration, for ``nginx -p PREFIX -c FILE``.
    """
    if not upstreams:
        raise ValueError("at least one upstream is needed")
    text = SITE.read_text(encoding="utf-8") if site is None else site
    text = _replace_once(
        _UPSTREAM,
        lambda m: "\n".join(f"{m.group(1)}server {u} {m.group(2)}" for u in upstreams),
        text,
        "'server app:8501 ...'",
    )
    text = _replace_once(_LISTEN, lambda m: f"{m.group(1)}listen {listen};", text, "'listen 80;'")
    if _LOGS not in text:
        raise ValueError(f"{SITE}: no {_LOGS} log path to move")
    text = text.replace(_LOGS, f"{prefix}/logs/")
    text = text.replace(_CACHE, f"{prefix}/cache")  # (an older site file has no cache)
    site_text = "\n".join(("    " + line) if line else "" for line in text.splitlines())
    # Started by root (CI), nginx's worker would run as "nobody", which cannot write the
    # file cache into a folder only root may enter (pytest's are 0700): keep root's.
    user = "user root;\n" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""
    return _MAIN.format(prefix=prefix, site=site_text, user=user)


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Request:
    """One line of the access log."""

    request: str
    status: int
    upstream: str  # "-" when nginx answered from its file cache
    sticky: str
    cache: str = "-"  # HIT, MISS, ... for the cached files (deploy/nginx.conf), else "-"


_LINE = re.compile(
    r'"(?P<request>[^"]*)" (?P<status>\d+) \d+ upstream=(?P<up>.*?) sticky=(?P<key>\S*)'
    r"(?:.* cache=(?P<cache>\S*))?"
)


class Nginx:
    """nginx in the foreground in front of ``upstreams``, listening on a free loopback
    port; ``url`` is where browsers go. Stop it with :meth:`stop`.

    ``site`` replaces the text of ``deploy/nginx.conf`` (to check that a test notices
    a broken configuration).
    """

    def __init__(
        self,
        upstreams: list[str],
        prefix: Path,
        port: int | None = None,
        *,
        site: str | None = None,
    ):
        self.prefix = Path(prefix)
        for sub in ("logs", "temp", "cache"):
            (self.prefix / sub).mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.conf = self.prefix / "nginx.conf"
        self.conf.write_text(
            render(upstreams, f"127.0.0.1:{self.port}", self.prefix, site), encoding="utf-8"
        )
        self.access_log = self.prefix / "logs" / "access.log"
        self.error_log = self.prefix / "logs" / "error.log"
        # -e: the error log before the configuration is read (the built-in path is root's)
        cmd = [NGINX, "-p", str(self.prefix), "-e", str(self.error_log), "-c", str(self.conf)]
        check = subprocess.run([*cmd, "-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejects {self.conf}: {check.stderr.strip()}")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.proc.stderr.read().decode()[-500:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("nginx did not listen within 10 s")

    def requests(self) -> list[Request]:
        """Every request logged so far (a websocket is logged when it closes)."""
        if not self.access_log.exists():
            return []
        out = []
        for line in self.access_log.read_text(encoding="utf-8", errors="replace").splitlines():
            m = _LINE.search(line)
            if m:
                out.append(
                    Request(m["request"], int(m["status"]), m["up"], m["key"], m["cache"] or "-")
                )
        return out

    def stop(self) -> None:
        """Stop nginx (SIGTERM: fast shutdown)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def established(port: int) -> int:
    """How many TCP connections to loopback ``port`` are open now (``/proc/net/tcp``).

    nginx keeps no idle connections to the replicas (no ``keepalive`` in the upstream),
    so what stays open to a replica is the websockets of the pages it serves.
    """
    n = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state = fields[1], fields[3]
        if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:  # 01: ESTABLISHED
            n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Print deploy/nginx.conf rendered for loopback.")
    ap.add_argument("--upstream", action="append", required=True, help="host:port, repeatable")
    ap.add_argument("--listen", default="127.0.0.1:8080")
    ap.add_argument("--prefix", type=Path, required=True, help="folder for pid, logs, temp")
    args = ap.parse_args(argv)
    sys.stdout.write(render(args.upstream, args.listen, args.prefix.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
