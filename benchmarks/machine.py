"""The machine a benchmark ran on: CPU model, cores, RAM, load, software versions."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def load_average() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def machine() -> dict:
    """CPU, cores usable by this process, RAM, OS, Python and library versions."""
    import duckdb
    import folium
    import streamlit

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": cores,
        "cpu_count": os.cpu_count(),
        "ram_gb": _ram_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "folium": folium.__version__,
        "streamlit": streamlit.__version__,
        "load_average_start": load_average(),
    }


def machine_line(m: dict) -> str:
    """One line: 'AMD EPYC, 2 cores, 23.4 GB RAM, Python 3.11.2, DuckDB 2.0.0, ...'."""
    parts = [
        m["cpu"],
        f"{m['cores']} cores",
        f"{m['ram_gb']} GB RAM" if m.get("ram_gb") else None,
        f"Python {m['python']}",
        f"DuckDB {m['duckdb']}",
        f"folium {m['folium']}",
        f"Streamlit {m['streamlit']}",
        f"Chromium {m['chromium']}" if m.get("chromium") else None,
    ]
    line = ", ".join(p for p in parts if p)
    la = m.get("load_average_start")
    if la:
        line += f"; load average at start {la[0]:.2f}"
        if m.get("load_average_end"):
            line += f", at end {m['load_average_end'][0]:.2f}"
    return line


__all__ = ["machine", "machine_line", "load_average"]


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (``/proc/<pid>/task/*/children``)."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (every thread) and its descendants so far."""
    total = 0
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def status_kb(pid: int, key: str) -> int:
    """A ``kB`` field of ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM``); 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def rss_mb(pid: int) -> float:
    """Resident memory (MB) of a process and its descendants now (``VmRSS``)."""
    return round(sum(status_kb(p, "VmRSS") for p in process_tree(pid)) / 1024, 1)
