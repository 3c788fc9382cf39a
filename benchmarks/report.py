"""Targets (``../shared/DESIGN.md``, Performance budget), pass/fail checks, ratios to the
baseline, and the printed table.

Units: 1 KB = 1,000 bytes, 1 MB = 1,000,000 bytes (the stricter reading of the budget).
"""

from __future__ import annotations

# Each target: figure -> {scale kind -> limit}. "synthetic" applies to every scale-up
# (10x and 100x); a figure with no limit for a scale kind is reported without a mark.
TARGETS = {
    "payload_bytes": {"real": 300_000, "synthetic": 1_500_000},
    "rerun_p95_ms": {"real": 300},
    "queries_p95_ms": {"real": 50, "synthetic": 500},
    # Real size: issue 19's "keep what is met" (2.5 s, what the app then did); the
    # synthetic scale-ups keep DESIGN.md's budget (3 s).
    "paint_ms": {"real": 2500, "synthetic": 3000},
    "slide_step_ms": {"real": 500},
    "animation_s": {"real": 30},
    "playback_payload_bytes": {"real": 600_000, "synthetic": 1_500_000},
}
PLAYBACK_FPS = 10  # frames a second, at least, on the longest playback (routes by month)
BASELINE_PAYLOAD_RATIO = 30  # baseline payload >= 30x ours, world view of all incidents
WORLD_VIEW_PAGES = ("overview", "routes")  # their default state: all incidents, world map
# Only these pages draw incidents. The others' data is real-size in every database: at
# the synthetic scales they are replicate measurements, shown without a verdict (·).
INCIDENT_PAGES = ("overview", "routes")
BUILD_SECONDS = 30
TARGET_TEXT = {
    "payload_bytes": "map payload (largest over the page's scenarios) ≤ 300 KB real, "
    "≤ 1.5 MB synthetic",
    "rerun_p95_ms": "rerun (queries + map build) p95 ≤ 300 ms at real size",
    "queries_p95_ms": "DuckDB queries of a rerun p95 ≤ 50 ms real, ≤ 500 ms synthetic",
    "paint_ms": "first paint in headless Chromium, offline, median ≤ 2.5 s real (issue 19), "
    "≤ 3 s synthetic",
    "baseline_payload_ratio": "baseline payload ≥ 30× ours (world view of all incidents)",
    "build_seconds": "full build from sources ≤ 30 s",
    "playback_payload_bytes": "time playback payload (animated view, whole map page) "
    "≤ 600 KB real, ≤ 1.5 MB synthetic",
    "playback_fps": "time playback frame rate in headless Chromium, offline, ≥ 10 frames/s",
    "animation_s": "animated export of a yearly playback (GIF square, MP4 16:9) ≤ 30 s each",
    "slide_step_ms": "HTML deck slide step (key press to the next headline shown and its map "
    "drawn) ≤ 0.5 s, every step",
}
PASS, FAIL, NONE = "✓", "✗", "·"


def check(figure: str, kind: str, value: float | None) -> dict | None:
    """``{"value", "target", "pass"}`` for a figure at a scale kind, or None (no target)."""
    limit = TARGETS[figure].get(kind)
    if limit is None or value is None:
        return None if limit is None else {"value": None, "target": limit, "pass": False}
    return {"value": value, "target": limit, "pass": bool(value <= limit)}


def ratio(ours: float | None, baseline: float | None) -> float | None:
    """ours / baseline (so 0.01 means 100 times smaller or faster than the baseline)."""
    if not ours or not baseline:
        return None
    return round(ours / baseline, 5)


def annotate(results: dict) -> dict:
    """Add ``checks`` and ``vs_baseline`` to each page, the baseline's own check, and a
    ``summary`` (counts and the list of failed checks)."""
    base = results.get("baseline") or {}
    base_full = base and not base.get("sample")
    failed: list[str] = []
    n_checks = 0

    def tally(name: str, c: dict | None, unit: str) -> None:
        nonlocal n_checks
        if c is None:
            return
        n_checks += 1
        if not c["pass"]:
            v = "not measured" if c["value"] is None else f"{c['value']:,.0f} {unit}"
            failed.append(f"{name}: {v} > {c['target']:,} {unit}")

    for scale in results["scales"]:
        for page, r in scale["pages"].items():
            if not scale["synthetic"]:
                kind = "real"
            else:
                kind = "synthetic" if page in INCIDENT_PAGES else None
            paint = r.get("paint_ms") or {}
            checks = {
                "payload_bytes": check("payload_bytes", kind, r["payload_bytes"]["max"]),
                "rerun_p95_ms": check("rerun_p95_ms", kind, r["rerun_ms"]["p95"]),
                "queries_p95_ms": check("queries_p95_ms", kind, r["queries_ms"]["p95"]),
                "paint_ms": check("paint_ms", kind, paint.get("median")) if paint else None,
            }
            r["checks"] = checks
            for fig, c in checks.items():
                unit = "bytes" if fig == "payload_bytes" else "ms"
                tally(f"{scale['label']}/{page}/{fig}", c, unit)
            r["vs_baseline"] = None
            if base and not scale["synthetic"]:
                base_paint = (base.get("paint_ms") or {}).get("median")
                r["vs_baseline"] = {
                    "payload_bytes": ratio(r["payload_bytes"]["default"], base["payload_bytes"]),
                    "rerun_ms": ratio(r["rerun_ms"]["p50"], base["build_ms"]["median"]),
                    "rerun_plus_render_ms": ratio(
                        r["rerun_ms"]["p50"] + r["render_ms"]["p50"], base["rerun_ms"]["median"]
                    ),
                    "queries_ms": ratio(r["queries_ms"]["p50"], base["queries_ms"]["median"]),
                    "paint_ms": ratio(paint.get("median"), base_paint),
                }

    if base:
        real = next((s for s in results["scales"] if not s["synthetic"]), None)
        ratios = {}
        if real:
            for page in WORLD_VIEW_PAGES:
                if page in real["pages"]:
                    ours = real["pages"][page]["payload_bytes"]["default"]
                    ratios[page] = round(base["payload_bytes"] / ours, 1)
        worst = min(ratios.values()) if ratios else None
        c = {
            "value": worst,
            "by_page": ratios,
            "target": BASELINE_PAYLOAD_RATIO,
            "pass": bool(worst is not None and worst >= BASELINE_PAYLOAD_RATIO),
            "sample": base.get("sample"),
        }
        if not base_full:  # a sample of incidents says nothing about the world view
            c["pass"] = None
        base["checks"] = {"payload_ratio": c}
        if c["pass"] is not None:
            n_checks += 1
            if not c["pass"]:
                failed.append(f"baseline/payload_ratio: {worst}x < {BASELINE_PAYLOAD_RATIO}x")

    build = results.get("build")
    if build and build.get("seconds") is not None:
        build["check"] = {
            "value": build["seconds"],
            "target": BUILD_SECONDS,
            "pass": build["seconds"] <= BUILD_SECONDS,
        }
        n_checks += 1
        if not build["check"]["pass"]:
            failed.append(f"build_seconds: {build['seconds']} s > {BUILD_SECONDS} s")

    deck = results.get("deck")
    if deck:
        deck["check"] = check("slide_step_ms", "real", deck.get("max_ms"))
        tally("deck/slide_step_ms", deck["check"], "ms")

    anim = results.get("animation")
    if anim:
        anim["check"] = check("animation_s", "real", anim.get("max_s"))
        tally("animation/seconds", anim["check"], "s")

    for pb in results.get("playback") or []:
        kind = "synthetic" if pb["synthetic"] else "real"
        worst = max(pb["payload_bytes"].values(), key=lambda e: e["bytes"])
        pb["payload_check"] = check("playback_payload_bytes", kind, worst["bytes"])
        tally(f"playback/{pb['label']}/payload_bytes", pb["payload_check"], "bytes")
        fps = (pb.get("fps") or {}).get("fps_min")
        if fps is not None:
            pb["fps_check"] = {"value": fps, "target": PLAYBACK_FPS, "pass": fps >= PLAYBACK_FPS}
            n_checks += 1
            if not pb["fps_check"]["pass"]:
                failed.append(f"playback/{pb['label']}/fps: {fps} < {PLAYBACK_FPS}")

    for h in results.get("hall") or []:
        if h["label"] != "current":  # today's code is shown beside, not judged
            continue
        where = f"{h['replicas']} replicas" if h["replicas"] else "1 server"
        for fig, c in h["checks"].items():
            n_checks += 1
            if not c["pass"]:
                failed.append(f"hall ({where})/{fig}: {c['value']} > {c['target']}")

    if results.get("serve"):
        from benchmarks.serve import checks as serve_checks

        results["serve"]["checks"] = serve_checks(results["serve"])
        for fig, c in results["serve"]["checks"].items():
            n_checks += 1
            if not c["pass"]:
                failed.append(f"page views/{fig}: {c['value']} > {c['target']}")

    results["summary"] = {"checks": n_checks, "passed": n_checks - len(failed), "failed": failed}
    return results


# ----------------------------------------------------------------------------- table


def _mark(c: dict | None) -> str:
    if c is None or c.get("pass") is None:
        return NONE
    return PASS if c["pass"] else FAIL


def _kb(n: float) -> str:
    return f"{n / 1000:,.0f} KB" if n < 10_000_000 else f"{n / 1_000_000:,.1f} MB"


def _ms(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:,.0f}"


def _times(x: float | None) -> str:
    """A ratio ours/baseline shown as 'N×' smaller/faster."""
    if not x:
        return "–"
    inv = 1 / x
    return f"{inv:,.0f}×" if inv >= 10 else f"{inv:,.1f}×"


def table(results: dict) -> str:
    """The results as a Markdown table (also readable as plain text)."""
    head = (
        "| data | page | map payload, largest (default) | rerun p50 / p95 ms "
        "| queries p50 / p95 ms | render p50 ms | first paint median (cold) ms "
        "| baseline ÷ ours: payload · Python · paint |"
    )
    lines = [head, "|" + "---|" * 8]
    for scale in results["scales"]:
        label = scale["label"]
        for page, r in scale["pages"].items():
            c = r.get("checks", {})
            p = r["payload_bytes"]
            paint = r.get("paint_ms") or {}
            if not paint:
                paint_txt = "not measured"
            elif paint.get("median") is None:
                paint_txt = f"timed out ({paint.get('timeout_s')} s) {FAIL}"
            else:
                paint_txt = (
                    f"{_ms(paint['median'])} ({_ms(paint['cold'])}) {_mark(c.get('paint_ms'))}"
                )
            vs = r.get("vs_baseline") or {}
            vs_txt = (
                " · ".join(
                    _times(vs.get(k)) for k in ("payload_bytes", "rerun_plus_render_ms", "paint_ms")
                )
                if vs
                else "–"
            )
            lines.append(
                f"| {label} | {page} | {_kb(p['max'])} {_mark(c.get('payload_bytes'))} "
                f"({_kb(p['default'])}) "
                f"| {_ms(r['rerun_ms']['p50'])} / {_ms(r['rerun_ms']['p95'])} "
                f"{_mark(c.get('rerun_p95_ms'))} "
                f"| {_ms(r['queries_ms']['p50'])} / {_ms(r['queries_ms']['p95'])} "
                f"{_mark(c.get('queries_p95_ms'))} "
                f"| {_ms(r['render_ms']['p50'])} | {paint_txt} | {vs_txt} |"
            )
    base = results.get("baseline")
    if base:
        paint = base.get("paint_ms") or {}
        if not paint:
            paint_txt = "not measured"
        elif paint.get("median") is None:
            paint_txt = f"timed out (> {paint.get('timeout_s')} s)"
        else:
            paint_txt = _ms(paint["median"])
        c = base.get("checks", {}).get("payload_ratio", {})
        sample = f", first {base['sample']:,} only" if base.get("sample") else ""
        lines.append(
            f"| real | **baseline**: folium marker + popup per incident "
            f"({base['markers']:,} markers{sample}) "
            f"| {_kb(base['payload_bytes'])} "
            f"| {_ms(base['build_ms']['median'])} (1 run each) "
            f"| {_ms(base['queries_ms']['median'])} | {_ms(base['render_ms']['median'])} "
            f"| {paint_txt} "
            f"| payload ≥ {BASELINE_PAYLOAD_RATIO}× ours: "
            + ", ".join(f"{k} {v:,.0f}×" for k, v in c.get("by_page", {}).items())
            + f" {_mark(c) if c else NONE} |"
        )
    deck = results.get("deck")
    if deck:
        lines.append(
            f"| real | **slide step**, HTML deck of {deck['briefing']} ({deck['slides']} slides, "
            f"{deck['n']} steps) | {_kb(deck['deck_bytes'])} | – | – | – "
            f"| median {_ms(deck['median_ms'])} / max {_ms(deck['max_ms'])} "
            f"{_mark(deck.get('check'))} (opened in {_ms(deck['open_ms'])}) | – |"
        )
    anim = results.get("animation")
    if anim:
        files = {f["fmt"]: f for f in anim["files"]}
        gif, mp4 = files.get("gif"), files.get("mp4")
        lines.append(
            f"| real | **animated export**, {anim['view']} ({anim['frames']} frames): GIF "
            "1080 × 1080, MP4 1920 × 1080 "
            f"| GIF {_kb(gif['bytes']) if gif else '–'}, MP4 {_kb(mp4['bytes']) if mp4 else '–'} "
            f"| – | – | – | GIF {gif['seconds'] if gif else '–'} s, MP4 "
            f"{mp4['seconds'] if mp4 else '–'} s {_mark(anim.get('check'))} | – |"
        )
    for pb in results.get("playback") or []:
        sizes = ", ".join(
            f"{name} {_kb(e['bytes'])} ({e['frames']} frames)"
            for name, e in pb["payload_bytes"].items()
        )
        fps = pb.get("fps")
        fps_txt = (
            f"{fps['fps_median']} frames/s median, {fps['fps_min']} slowest run "
            f"{_mark(pb.get('fps_check'))}"
            if fps
            else "–"
        )
        lines.append(
            f"| {pb['label']} | **time playback** (animated views) "
            f"| {sizes} {_mark(pb.get('payload_check'))} | – | – | – "
            f"| frame rate, routes by month: {fps_txt} | – |"
        )
    return "\n".join(lines)


def _median(values) -> float | None:
    v = sorted(x for x in (values or []) if x is not None)
    if not v:
        return None
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def paint_breakdown(results: dict) -> str:
    """Where first paint goes (medians): the page's title shown (Streamlit loaded, script
    started), then the map's frame from its creation to features drawn."""
    lines = []
    for scale in results["scales"]:
        parts = []
        for page, r in scale["pages"].items():
            p = r.get("paint_ms")
            if not p or p.get("median") is None:
                continue
            parts.append(
                f"{page} {_ms(_median(p.get('heading_ms')))} / {_ms(_median(p.get('frame_ms')))}"
                f" / {_ms(p['median'])}"
            )
        if parts:
            shell = (scale.get("shell_paint_ms") or {}).get("median")
            lines.append(
                f"  {scale['label']}: "
                + "; ".join(parts)
                + (f"; Data page (no map) to its title {_ms(shell)}" if shell else "")
            )
    if not lines:
        return ""
    return (
        "First paint, ms (median: title shown / map frame's own load-to-drawn / drawn):\n"
        + "\n".join(lines)
    )


def text_report(results: dict) -> str:
    """Machine line, data line, the table, the legend of marks and the failed checks."""
    from benchmarks.machine import machine_line

    out = [f"Arrival Atlas benchmark, {results['date']} ({results['mode']} run)"]
    out.append(f"Machine: {machine_line(results['machine'])}")
    build = results.get("build") or {}
    data = [
        f"{s['label']}: {s['incidents']:,} incidents"
        + (f" (synthetic, made in {s['db_seconds']:.1f} s)" if s["synthetic"] else "")
        for s in results["scales"]
    ]
    if build.get("seconds") is not None:
        data.insert(0, f"build from sources {build['seconds']:.1f} s {_mark(build.get('check'))}")
    out.append("Data: " + "; ".join(data))
    out.append("")
    out.append(table(results))
    out.append("")
    out.append(
        f"{PASS} meets its target, {FAIL} misses it, {NONE} no target at that scale (camps, "
        "cities and cifal draw no incidents: their data is real-size at every scale, so their "
        "synthetic rows are replicates, judged in the real rows). Targets: "
        + "; ".join(TARGET_TEXT[k] for k in TARGET_TEXT)
        + ". Python = rerun p50 + render p50 (map to HTML, which st_folium does on every rerun) "
        "against the baseline's query + build + render."
    )
    breakdown = paint_breakdown(results)
    if breakdown:
        out += ["", breakdown]
    la = [
        v
        for v in (
            results["machine"].get("load_average_start"),
            results["machine"].get("load_average_end"),
        )
        if v
    ]
    la += [
        s.get(k)
        for s in results["scales"]
        for k in ("load_average_start", "load_average_end")
        if s.get(k)
    ]
    peak = max((v[0] for v in la), default=0)
    if peak > (results["machine"].get("cores") or 1):
        out.append(
            f"Note: the 1-minute load average reached {peak:.1f} on {results['machine']['cores']} "
            "cores during the run: other processes competed for the CPU, so times (above all "
            "p95 and first paint) include waiting for it."
        )
    if results.get("hall"):
        from benchmarks.hall import text as hall_text

        out += ["", "Audience scale (the hall test, python -m benchmarks.hall):", ""]
        out.append(hall_text(results["hall"]))
    if results.get("serve"):
        from benchmarks.serve import text as serve_text

        out += ["", "Page views and filter changes (benchmarks/serve.py):", ""]
        out.append(serve_text(results["serve"]))
    s = results["summary"]
    out.append(f"{s['passed']} of {s['checks']} checks pass.")
    for f in s["failed"]:
        out.append(f"  FAIL {f}")
    out.append(f"Total time {results['elapsed_s']:.0f} s.")
    return "\n".join(out)


__all__ = ["TARGETS", "annotate", "table", "text_report", "check", "ratio"]
