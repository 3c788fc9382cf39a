"""Animated export (geo/animation.py): the yearly Deadly routes playback as a square GIF
and a 16:9 MP4 has one picture per year at the promised pace, exactly 1080 × 1080 or
1920 × 1080 pixels, the title and first year on its first frame and, on its last, the
running total recounted here from the incidents; a still map has nothing to animate."""

from __future__ import annotations

import io
import time

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from geo import mapspec as ms
from geo.animation import NoPlayback, frames, render_animation
from geo.registry import render_page
from geo.views import countries_of, direct_query

# What the animation promises: 0.6 s a year, the last year held 2 s, MP4 at 10 frames/s.
YEAR_MS, HOLD_MS, VIDEO_FPS = 600, 2000, 10


@pytest.fixture(scope="module")
def yearly(db_path):
    """The Deadly routes page over every dated incident, played by year, and the
    figures recounted from the incidents table."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        first, last = con.execute(
            "SELECT min(incident_date), max(incident_date) FROM incidents"
        ).fetchone()
        total = con.execute(
            "SELECT sum(dead_and_missing) FROM incidents "
            "WHERE incident_date IS NOT NULL AND incident_date BETWEEN ? AND ?",
            [first, last],
        ).fetchone()[0]
        params = {"play": "year", "from": first.isoformat(), "to": last.isoformat()}
        page = render_page("routes", direct_query(con), countries_of(con), params)
        places = page.load_places()
    finally:
        con.close()
    kw = dict(
        title=page.title,
        subtitle=page.subtitle,
        caveat=page.caveat,
        headline=page.headline,
        places=places,
    )
    years = list(range(first.year, last.year + 1))
    return page, kw, years, int(total)


def test_gif_square_one_frame_per_year_with_title_year_and_total(yearly):
    page, kw, years, total = yearly
    t0 = time.perf_counter()
    gif = render_animation(page.spec, fmt="gif", size="square", **kw)
    took = time.perf_counter() - t0
    print(f"\nGIF square, {len(years)} yearly frames: {took:.1f} s, {len(gif):,} bytes")

    im = Image.open(io.BytesIO(gif))
    assert im.format == "GIF"
    assert im.size == (1080, 1080)
    assert im.n_frames == len(years)
    durations = []
    for i in range(im.n_frames):
        im.seek(i)
        durations.append(im.info["duration"])
    assert durations == [YEAR_MS] * (len(years) - 1) + [HOLD_MS]
    assert im.info.get("loop") == 0

    # The texts the renderer drew, read back from its artists, frame by frame.
    drawn = list(frames(page.spec, size="square", **kw))
    assert len(drawn) == len(years)
    first_rgb, first = drawn[0]
    assert first.title == page.title != ""
    assert page.caveat and all(page.caveat in t.footer for _rgb, t in drawn)
    assert all(page.spec.credit in t.footer for _rgb, t in drawn)
    assert first.period == str(years[0])
    assert [t.period for _rgb, t in drawn] == [str(y) for y in years]
    last = drawn[-1][1]
    assert last.counter.startswith(f"{total:,} dead and missing")
    counts = [int(t.counter.split(" ")[0].replace(",", "")) for _rgb, t in drawn]
    assert counts == sorted(counts) and counts[0] < counts[-1]  # a running total

    # The GIF's first frame is that picture (up to its palette), not the last one's.
    im.seek(0)
    gif_first = np.asarray(im.convert("RGB"), dtype=int)
    assert np.abs(gif_first - first_rgb).mean() < 3
    assert np.abs(gif_first - drawn[-1][0]).mean() > np.abs(gif_first - first_rgb).mean()


def test_mp4_wide_is_h264_for_browsers_at_the_promised_pace(yearly):
    page, kw, years, _total = yearly
    t0 = time.perf_counter()
    mp4 = render_animation(page.spec, fmt="mp4", size="wide", **kw)
    took = time.perf_counter() - t0
    print(f"\nMP4 16:9, {len(years)} yearly frames: {took:.1f} s, {len(mp4):,} bytes")

    # +faststart: the index (moov) comes before the media (mdat), so a browser plays it
    # while it downloads
    assert 0 <= mp4.find(b"moov") < mp4.find(b"mdat")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.mp4"
        path.write_bytes(mp4)
        reader = imageio_ffmpeg.read_frames(str(path))
        meta = next(reader)
        pictures = [np.frombuffer(b, np.uint8).reshape(1080, 1920, 3) for b in reader]
    assert meta["codec"] == "h264"
    assert meta["pix_fmt"].startswith("yuv420p")
    assert meta["size"] == (1920, 1080)
    assert meta["fps"] == VIDEO_FPS
    per_year = YEAR_MS * VIDEO_FPS // 1000
    assert len(pictures) == (len(years) - 1) * per_year + HOLD_MS * VIDEO_FPS // 1000
    # a year's picture repeats, the next year's differs (circles grow)
    a, b, c = (pictures[k].astype(int) for k in (0, per_year - 1, per_year))
    assert np.abs(a - b).mean() < 0.5
    assert np.abs(a - c).max() > 100


def test_a_still_map_has_nothing_to_animate(yearly, db_path):
    page, kw, _years, _total = yearly
    still = [la for la in page.spec.layers if not isinstance(la, ms.PlaybackLayer)]
    spec = ms.MapSpec(page.spec.basemap, still, page.spec.legends, page.spec.bounds)
    with pytest.raises(NoPlayback):
        render_animation(spec, fmt="gif", size="square", **kw)
    with pytest.raises(ValueError):
        render_animation(page.spec, fmt="webm", size="square", **kw)


def test_benchmark_row_and_check():
    from benchmarks.report import TARGETS, annotate, table

    def results(seconds: float) -> dict:
        files = [
            {"fmt": "gif", "size": "square", "seconds": 4.2, "bytes": 700_000},
            {"fmt": "mp4", "size": "wide", "seconds": seconds, "bytes": 250_000},
        ]
        anim = {"view": "Deadly routes by year", "frames": 13, "files": files, "max_s": seconds}
        return annotate({"scales": [], "animation": anim})

    limit = TARGETS["animation_s"]["real"]
    ok, slow = results(limit - 1), results(limit + 1)
    assert ok["animation"]["check"]["pass"] and not slow["animation"]["check"]["pass"]
    assert slow["summary"]["failed"] == [f"animation/seconds: {limit + 1:,.0f} s > {limit:,} s"]
    (row,) = [ln for ln in table(ok).splitlines() if "animated export" in ln]
    assert "GIF 4.2 s" in row and f"MP4 {limit - 1} s ✓" in row and "13 frames" in row


def test_export_panel_offers_the_animation_when_the_map_plays(db_path, monkeypatch):
    """Deadly routes played by year: the panel adds GIF and MP4, square and 16:9, in the
    viewer's language, each made on click (in another thread) by render_animation with
    its own format and size; the still map offers none."""
    import threading

    from streamlit.elements.widgets.button import ButtonMixin
    from streamlit.testing.v1 import AppTest

    import geo.animation
    from geo import i18n
    from tests.conftest import REPO

    monkeypatch.setenv("ATLAS_DB", str(db_path))
    seen: dict[str, tuple] = {}
    original = ButtonMixin.download_button

    def record(self, label, data, file_name=None, mime=None, *args, **kwargs):
        seen[label] = (data, file_name, mime)
        return original(self, label, data, file_name, mime, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", record)
    monkeypatch.setattr(
        geo.animation,
        "render_animation",
        lambda spec, *, fmt, size, **kw: f"{i18n.language()} {fmt} {size} {kw['title']}",
    )

    def opened(**params) -> dict:
        seen.clear()
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
        at.switch_page("app_pages/routes.py")
        for k, v in params.items():
            at.query_params[k] = v
        for _run in range(2):  # the panel waits for the map: the second run has it
            at.run()
            assert not at.exception, at.exception
        assert not seen  # folded, the panel holds no button
        at.session_state["routes_export_open"] = True  # the viewer opens it
        at.run()
        assert not at.exception, at.exception
        return dict(seen)

    still = opened(lang="fr")
    assert still and not [k for k in still if k.startswith(("GIF", "MP4"))]
    played = opened(lang="fr", play="year")
    anim = {k: v for k, v in played.items() if k.startswith(("GIF", "MP4"))}
    assert list(anim) == ["GIF, carré", "GIF, 16:9", "MP4, carré", "MP4, 16:9"]
    assert [v[2] for v in anim.values()] == ["image/gif"] * 2 + ["video/mp4"] * 2
    assert [v[1].rsplit(".", 1)[1] for v in anim.values()] == ["gif", "gif", "mp4", "mp4"]
    made = []
    for data, _name, _mime in anim.values():
        t = threading.Thread(target=lambda d=data: made.append(d()))
        t.start()
        t.join()
    sizes = ["square", "wide"] * 2
    fmts = ["gif", "gif", "mp4", "mp4"]
    assert [m.split(" ")[:3] for m in made] == [
        ["fr", f, s] for f, s in zip(fmts, sizes, strict=True)
    ]


def test_projected_years_are_marked(db_path):
    """Arrival cities played over the WUP years: a projected year's frame says so under
    its year, a counted year's frame does not (years read from the database)."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute(
            "SELECT year, bool_or(projected) FROM city_population GROUP BY year ORDER BY year"
        ).fetchall()
        page = render_page("cities", direct_query(con), countries_of(con), {"play": "years"})
    finally:
        con.close()
    layer = next(la for la in page.spec.layers if isinstance(la, ms.PlaybackLayer))
    years = [y for y, _p in rows]
    counted = max(y for y, p in rows if not p)
    projected = min(y for y, p in rows if p)
    assert [int(label[:4]) for label in layer.labels] == years
    picks = [years.index(counted), years.index(projected)]
    kw = dict(title=page.title, subtitle=page.subtitle, caveat=page.caveat)
    (_a, past), (_b, future) = frames(page.spec, size="wide", indices=picks, **kw)
    assert (past.period, past.period_note, past.projected) == (str(counted), "", False)
    assert future.period == str(projected) and future.projected
    assert "projection" in future.period_note


def test_cli_writes_the_animation_and_refuses_a_still_map(db_path, tmp_path, capsys, yearly):
    from geo.__main__ import main

    _page, _kw, years, _total = yearly
    base = ["snapshot", "--page", "routes", "--db", str(db_path)]
    assert main([*base, "--out", str(tmp_path / "still.gif")]) == 2
    err = capsys.readouterr().err
    assert "does not play over time" in err and "--param play year" in err
    assert err.strip().count("\n") == 0 and not (tmp_path / "still.gif").exists()

    out = tmp_path / "played.gif"
    assert main([*base, "--param", "play", "year", "--out", str(out)]) == 0
    assert "1080 × 1080" in capsys.readouterr().out
    im = Image.open(out)
    assert im.size == (1080, 1080) and im.n_frames == len(years)
