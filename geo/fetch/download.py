"""HTTP: one session with retries, GETs that turn connection failures into the run's
errors, and the streamed download of one file with a progress bar."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from tqdm import tqdm
from urllib3.util.retry import Retry

from geo.fetch.errors import ItemError, Unreachable
from geo.fetch.mirror import Written, temp_beside
from geo.fetch.sources import Job, rebase
from geo.fetch.validate import check

USER_AGENT = "arrival-atlas-fetch/0.1"


@dataclass
class Run:
    """The state of one run: its session, where it reports, and the hosts found dead."""

    session: requests.Session
    out: IO[str]
    timeout: float
    base_url: str | None
    contacted: bool = False
    dead_hosts: dict[str, str] = field(default_factory=dict)

    def say(self, message: str) -> None:
        """Print one line to ``out`` without breaking a progress bar."""
        tqdm.write(f"fetch: {message}", file=self.out)


def failure_reason(exc: BaseException, timeout: float) -> str:
    """A short, human reason for a connection failure."""
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g} s"
    text = str(exc)
    lowered = text.lower()
    for needle, reason in (
        ("name or service not known", "name lookup failed"),
        ("nodename nor servname", "name lookup failed"),
        ("temporary failure in name resolution", "name lookup failed"),
        ("failed to resolve", "name lookup failed"),
        ("getaddrinfo", "name lookup failed"),
        ("connection refused", "connection refused"),
        ("network is unreachable", "network is unreachable"),
        ("no route to host", "no route to host"),
        ("certificate", "TLS certificate problem"),
        ("connection reset", "connection reset"),
        ("timed out", f"no answer within {timeout:g} s"),
    ):
        if needle in lowered:
            return reason
    return text.splitlines()[0][:160] if text else type(exc).__name__


def session() -> requests.Session:
    """A session with the fetch User-Agent that retries a GET on a busy or failing server."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    retry = Retry(
        total=3,
        connect=0,
        read=1,
        status=2,
        backoff_factor=0.5,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def get(run: Run, url: str, params: dict[str, Any] | None = None) -> requests.Response:
    """GET ``url`` (streamed), turning connection failures into our errors.

    Raises
    ------
    Unreachable
        When this is the run's first request and it got no answer.
    ItemError
        When the host is unreachable later in the run.
    """
    host = urlsplit(url).netloc
    if host in run.dead_hosts:
        raise ItemError(f"{host} unreachable earlier in this run ({run.dead_hosts[host]})")
    try:
        response = run.session.get(url, params=params, stream=True, timeout=run.timeout)
    except (requests.ConnectionError, requests.Timeout) as exc:
        reason = failure_reason(exc, run.timeout)
        if not run.contacted:
            raise Unreachable(host, reason) from None
        run.dead_hosts[host] = reason
        raise ItemError(f"cannot reach {host} ({reason})") from None
    except requests.RequestException as exc:
        raise ItemError(f"request to {host} failed ({failure_reason(exc, run.timeout)})") from None
    run.contacted = True
    return response


def http_error(response: requests.Response) -> ItemError:
    """The item error for a response other than 200 (``not_found`` for 404 and 410)."""
    status = response.status_code
    text = f"HTTP {status} {response.reason or ''}".strip()
    return ItemError(f"{text} from {response.url}", not_found=status in (404, 410))


def download(run: Run, job: Job, root: Path) -> Written:
    """Fetch one file, trying its addresses in order; replace the target atomically."""
    target = root / job.path
    last_404: ItemError | None = None
    for index, publisher_url in enumerate(job.urls):
        url = rebase(publisher_url, run.base_url)
        response = get(run, url)
        with response:
            if response.status_code != 200:
                error = http_error(response)
                if error.not_found and index + 1 < len(job.urls):
                    run.say(f"{job.path}: {error}; trying the next address")
                    last_404 = error
                    continue
                raise error
            return stream_to(run, job, target, response, url)
    raise last_404 or ItemError("no publisher address")


def stream_to(run: Run, job: Job, target: Path, response: requests.Response, url: str) -> Written:
    """Stream a 200 response to a temp file beside ``target``, check it, move it in place."""
    length = response.headers.get("Content-Length", "")
    expected = int(length) if length.isdigit() else None
    # With gzip the length counts the bytes on the wire: the bar follows those, and
    # the size check is left to the decoder.
    encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
    digest = hashlib.sha256()
    size = 0
    with temp_beside(target) as (handle, tmp):
        with tqdm(
            total=expected,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=job.path,
            file=run.out,
            leave=True,
        ) as bar:
            try:
                for chunk in response.iter_content(chunk_size=64 * 1024):
                    if not chunk:
                        continue
                    handle.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    bar.update(response.raw.tell() - bar.n if encoded else len(chunk))
            except (requests.RequestException, OSError) as exc:
                raise ItemError(
                    f"download broke off after {size:,} bytes ({failure_reason(exc, run.timeout)})"
                ) from None
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        if expected is not None and not encoded and size != expected:
            raise ItemError(f"got {size:,} of {expected:,} bytes")
        note = check(job.kind, job.path, tmp, size)
        os.replace(tmp, target)
    if note:
        run.say(f"{job.path}: {note}")
    return Written(job.path, job.dataset, url, digest.hexdigest(), size)
