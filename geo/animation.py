"""Animated exports of a map that plays over time: GIF and MP4 for social media.

A view whose map description holds a :class:`geo.mapspec.PlaybackLayer` (Deadly routes
by month, quarter or year; Arrival cities over the WUP years) is drawn frame by frame
with the PNG's own renderer (:mod:`geo.snapshot`): the same basemap, layers, legend,
title, subtitle, credit and caveat on every frame, at 1080 × 1080 (square) or
1920 × 1080 (16:9) pixels. Each frame adds the period, large on the map (marked when
projected), and the running total in the headline's place.

Speed: the figure is laid out and drawn once (matplotlib Agg); what lies under the
circles is copied back for each frame and what lies above them and never changes is
blended over, so a frame draws only its circles, its period and its total (13 yearly
frames: about 1.5 s of CPU for a square GIF, 3 s for a 16:9 MP4). GIF frames share
one palette and are written one by one, each as the rectangle that changed; MP4 is
H.264 (yuv420p, ``+faststart``) by the static ffmpeg that the ``imageio-ffmpeg`` wheel
ships (no system ffmpeg).

``python -m geo snapshot --page routes --param play year --out map.gif`` (or ``.mp4``)
writes the file the export buttons give.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from geo import mapspec as ms
from geo.i18n import _

FORMATS = ("gif", "mp4")
SIZES = {"square": (1080, 1080), "wide": (1920, 1080)}  # snapshot.PRESETS of the same names
MIME = {"gif": "image/gif", "mp4": "video/mp4"}
# Seconds a period stays: the playback's own pace (frames a second) slowed to at most
# 0.6 s a year and kept at least 0.12 s a month, so a feed shows 13 years in ~9 s.
MAX_FRAME_S = 0.6
MIN_FRAME_S = 0.12
HOLD_S = 2.0  # the last frame (the full total) stays this long
VIDEO_FPS = 10  # MP4: a constant rate players and feeds accept; frames repeat to it
PERIOD_COLOR = "#222222"
PROJECTED_COLOR = "#5f5f5f"  # grey and italic: not a data colour of any layer


class NoPlayback(ValueError):
    """The map description has no playback layer switched on: nothing to animate."""


@dataclass(frozen=True)
class FrameText:
    """What a drawn frame says, read back from its artists (for checks and tests)."""

    index: int
    title: str
    period: str  # the large period ("2035")
    period_note: str  # under it: what the label adds ("2018 projection"), or "projection"
    counter: str
    projected: bool
    footer: str  # the caveat, source credit and date under the map, on one line


def playback_of(spec: ms.MapSpec) -> ms.PlaybackLayer | None:
    """The first playback layer switched on in a map description, or None."""
    return next(
        (la for la in spec.layers if isinstance(la, ms.PlaybackLayer) and la.show and la.frames),
        None,
    )


def split_label(label: str) -> tuple[str, str]:
    """A period's label as the large period and a note under it: '2035 (2018
    projection)' and '2030, projection' give ('2035', '2018 projection') and ('2030',
    'projection'); 'Mar 2015' stays whole."""
    head, sep, rest = label.partition(" (")
    if sep and rest.endswith(")"):
        return head, rest[:-1]
    head, sep, rest = label.partition(", ")
    return (head, rest) if sep else (label, "")


def frame_seconds(layer: ms.PlaybackLayer) -> list[float]:
    """How long each frame shows: one pace for all, the last held :data:`HOLD_S`."""
    pace = min(MAX_FRAME_S, max(MIN_FRAME_S, 1.2 / max(layer.fps, 0.1)))
    out = [pace] * len(layer.frames)
    if out:
        out[-1] = max(pace, HOLD_S)
    return out


def video_repeats(layer: ms.PlaybackLayer) -> list[int]:
    """How many MP4 frames (at :data:`VIDEO_FPS`) each period's picture takes."""
    return [max(1, round(s * VIDEO_FPS)) for s in frame_seconds(layer)]


def frames(
    spec: ms.MapSpec,
    *,
    size: str = "square",
    title: str,
    subtitle: str,
    caveat: str | None = None,
    headline: str = "",
    places: Sequence = (),
    when: date | None = None,
    indices: Sequence[int] | None = None,
) -> Iterator[tuple[np.ndarray, FrameText]]:
    """Draw the playback's frames one after the other.

    Parameters
    ----------
    spec : MapSpec
        The view's map description with a :class:`~geo.mapspec.PlaybackLayer`.
    size : {'square', 'wide'}
        1080 × 1080 or 1920 × 1080 pixels.
    title, subtitle, caveat, places, when
        As for :func:`geo.snapshot.render_png`.
    headline : str, optional
        Shown in the headline's place in a frame with no running total (an empty
        ``counters`` entry); otherwise each frame shows its own.
    indices : sequence of int, optional
        The frames to draw, in this order (default: all, first to last).

    Yields
    ------
    (ndarray, FrameText)
        The frame's RGB pixels (height × width × 3, uint8) and the texts drawn on it.

    Raises
    ------
    NoPlayback
        No playback layer is switched on.
    """
    from geo import snapshot

    if size not in SIZES:
        raise ValueError(f"size: one of {', '.join(SIZES)}, not {size!r}")
    layer = playback_of(spec)
    if layer is None:
        raise NoPlayback(_("This map does not play over time: there is nothing to animate."))
    n = len(layer.frames)
    given = list(layer.counters)
    counters = [given[i] if i < len(given) and given[i] else headline for i in range(n)]
    # Laid out once with no circles (the same number of still layers, so every other
    # layer keeps its depth); each frame then draws its own circles at the playback's.
    blank = replace(layer, frames=[{} for _f in layer.frames])
    base = replace(spec, layers=[blank if la is layer else la for la in spec.layers])
    fig, _drawn = snapshot.draw_figure(
        base,
        title=title,
        subtitle=subtitle,
        caveat=caveat,
        preset=size,
        when=when,
        headline=counters[0] or " ",  # keeps the headline's line for the counter
        places=places,
    )
    try:
        ax = next(a for a in fig.axes if hasattr(a, "playback"))
        z, scale = ax.playback[layer.stable_key]
        head = next(t for t in fig.texts if t.get_gid() == "headline")
        title_artist = next((t for t in fig.texts if t.get_gid() == "title"), None)
        # the footer's lines are wrapped (after spaces and hyphens): kept on one line
        lines = [" ".join(t.get_text().replace("-\n", "-").split()) for t in fig.texts]
        footer = next((t for t in lines if spec.credit and " ".join(spec.credit.split()) in t), "")
        fs = snapshot.PRESETS[size].width_in / 11.69
        halo = [snapshot.patheffects.withStroke(linewidth=5 * fs, foreground="white")]
        period = ax.text(
            0.02,
            0.97,
            "",
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=40 * fs,
            fontweight="bold",
            color=PERIOD_COLOR,
            zorder=70,
            gid="period",
            path_effects=halo,
        )
        mark = ax.text(
            0.02,
            0.97,
            "",
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=16 * fs,
            fontstyle="italic",
            color=PROJECTED_COLOR,
            zorder=70,
            gid="projected",
            path_effects=halo,
        )
        canvas = fig.canvas
        width, height = SIZES[size]
        # Everything under the playback's circles (basemap, legends, header, footer) is
        # drawn once and copied back for each frame; what lies above them on the map and
        # does not change (corridors, scale bar, place names) is drawn once too, alone
        # on a transparent picture laid over each frame's circles. Only the circles, the
        # period and the counter are drawn per frame, in the order a full draw would.
        moving = {id(period), id(mark)}
        above = [a for a in ax.get_children() if a.get_zorder() >= z and a.get_visible()]
        static = [a for a in above if id(a) not in moving]
        for a in [*above, head]:
            a.set_visible(False)
        canvas.draw()
        background = canvas.copy_from_bbox(fig.bbox)
        under = [a for a in fig.get_children() if a is not ax and a.get_visible()]
        under += [a for a in ax.get_children() if a.get_visible()]
        for a in under:
            a.set_visible(False)
        for a in static:
            a.set_visible(True)
        canvas.draw()
        overlay = _Overlay(np.asarray(canvas.buffer_rgba()))
        for a in [*under, *above, head]:
            a.set_visible(True)
        renderer = canvas.get_renderer()
        for i in range(n) if indices is None else indices:
            before = {id(c) for c in ax.collections}
            snapshot._draw_playback_layer(ax, replace(layer, start=i), None, scale, z)
            added = [c for c in ax.collections if id(c) not in before]
            projected = bool(layer.projected[i]) if i < len(layer.projected) else False
            big, note = split_label(layer.labels[i] if i < len(layer.labels) else "")
            period.set_text(big)
            period.set_color(PROJECTED_COLOR if projected else PERIOD_COLOR)
            period.set_fontstyle("italic" if projected else "normal")
            mark.set_text(note or (_("projection") if projected else ""))
            mark.set_color(PROJECTED_COLOR if projected else PERIOD_COLOR)
            if mark.get_text():  # under the period
                box = period.get_window_extent(renderer).transformed(ax.transAxes.inverted())
                mark.set_position((0.02, box.y0 - 0.01))
            head.set_text(counters[i])
            canvas.restore_region(background)
            for a in sorted(added, key=lambda a: a.get_zorder()):
                ax.draw_artist(a)
            overlay.blend(np.asarray(canvas.buffer_rgba()))
            ax.draw_artist(period)
            ax.draw_artist(mark)
            fig.draw_artist(head)
            rgb = np.asarray(canvas.buffer_rgba())[:height, :width, :3].copy()
            if rgb.shape != (height, width, 3):  # a rounding of inches × dpi: pad
                rgb = np.pad(
                    rgb,
                    ((0, height - rgb.shape[0]), (0, width - rgb.shape[1]), (0, 0)),
                    constant_values=255,
                )
            text = FrameText(
                index=i,
                title=title_artist.get_text() if title_artist is not None else "",
                period=period.get_text(),
                period_note=mark.get_text(),
                counter=head.get_text(),
                projected=projected,
                footer=footer,
            )
            yield rgb, text
            for c in added:
                c.remove()
    finally:
        snapshot.plt.close(fig)


class _Overlay:
    """A transparent picture's drawn pixels, to lay over a frame (alpha blending, as Agg
    draws them: only those pixels are touched)."""

    def __init__(self, rgba: np.ndarray):
        self.where = np.nonzero(rgba[..., 3])
        self.rgb = rgba[self.where][:, :3].astype(np.float32)
        self.alpha = rgba[self.where][:, 3:].astype(np.float32) / 255.0

    def blend(self, canvas_rgba: np.ndarray) -> None:
        """Lay the picture over the canvas's pixels, in place."""
        under = canvas_rgba[self.where][:, :3].astype(np.float32)
        mixed = self.rgb * self.alpha + under * (1.0 - self.alpha)
        canvas_rgba[self.where[0], self.where[1], :3] = np.rint(mixed).astype(np.uint8)


def render_animation(
    spec: ms.MapSpec,
    *,
    fmt: str,
    size: str = "square",
    title: str,
    subtitle: str,
    caveat: str | None = None,
    headline: str = "",
    places: Sequence = (),
    when: date | None = None,
) -> bytes:
    """A playback as an animated GIF or an MP4 video.

    Parameters
    ----------
    spec : MapSpec
        The view's map description with a playback layer (``view.spec``).
    fmt : {'gif', 'mp4'}
    size : {'square', 'wide'}
        1080 × 1080 or 1920 × 1080 pixels.
    title, subtitle, caveat, headline, places, when
        As for :func:`frames`.

    Returns
    -------
    bytes
        The file. A GIF has one frame per period (durations :func:`frame_seconds`,
        looping); an MP4 repeats each period's picture :func:`video_repeats` times at
        :data:`VIDEO_FPS` frames a second.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt: one of {', '.join(FORMATS)}, not {fmt!r}")
    kw = dict(
        spec=spec,
        size=size,
        title=title,
        subtitle=subtitle,
        caveat=caveat,
        headline=headline,
        places=places,
        when=when,
    )
    layer = playback_of(spec)
    if layer is None:
        raise NoPlayback(_("This map does not play over time: there is nothing to animate."))
    if fmt == "gif":
        # the last frame first (one layout): it holds every colour the playback draws
        n = len(layer.frames)
        drawn = (rgb for rgb, _text in frames(**kw, indices=[n - 1, *range(n)]))
        return _gif(drawn, frame_seconds(layer))
    return _mp4((rgb for rgb, _text in frames(**kw)), video_repeats(layer), SIZES[size])


def _gif(images: Iterator[np.ndarray], seconds: list[float]) -> bytes:
    """A looping GIF written frame by frame (only the previous frame is kept).

    The first image given is not a frame: its colours make the palette of every frame
    (the last frame's, which has every colour drawn). No dithering: flat map colours
    stay flat, and a frame stores only the rectangle that changed.
    """
    from PIL import GifImagePlugin, Image

    quantise = _Quantiser(next(images))
    out = io.BytesIO()
    prev = None
    for rgb, secs in zip(images, seconds, strict=True):
        now = quantise(rgb)
        frame = Image.fromarray(now)
        frame.putpalette(quantise.palette)
        if prev is None:
            header, _used = GifImagePlugin.getheader(frame, info={"loop": 0, "duration": 1})
            out.write(b"".join(header))
            box = (0, 0, now.shape[1], now.shape[0])
        else:
            changed = prev != now
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            box = (  # an unchanged frame still counts: one pixel
                (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
                if rows.size
                else (0, 0, 1, 1)
            )
        part = frame if prev is None else frame.crop(box)
        data = GifImagePlugin.getdata(part, offset=box[:2], duration=round(secs * 1000), disposal=1)
        out.write(b"".join(data))
        prev = now
    out.write(b";")  # trailer
    return out.getvalue()


class _Quantiser:
    """Each pixel to its nearest palette colour, exactly (a colour looked up once).

    The palette is a median cut of a picture's colours with the entries nearest its
    ``exact`` most frequent colours set to them, so flat areas (paper, sea, land) keep
    their colour instead of a bucket's average.
    """

    UNKNOWN = 255

    def __init__(self, rgb: np.ndarray, colors: int = 128, exact: int = 8):
        from PIL import Image

        cut = Image.fromarray(rgb).quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
        entries = np.array(cut.getpalette()[: 3 * colors], dtype=np.int32).reshape(-1, 3)
        values, counts = np.unique(self._packed(rgb).ravel(), return_counts=True)
        taken: set[int] = set()
        for v in values[np.argsort(-counts)[:exact]]:
            colour = np.array([(v >> 16) & 255, (v >> 8) & 255, v & 255])
            order = np.argsort(((entries - colour) ** 2).sum(axis=1))
            k = next(int(k) for k in order if int(k) not in taken)
            taken.add(k)
            entries[k] = colour
        self.entries = entries
        self.palette = entries.astype(np.uint8).ravel().tolist()
        self.table = np.full(1 << 24, self.UNKNOWN, dtype=np.uint8)  # packed RGB -> entry

    @staticmethod
    def _packed(rgb: np.ndarray) -> np.ndarray:
        c = rgb.astype(np.int32)
        return (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        """The palette index of each pixel (height × width, uint8)."""
        packed = self._packed(rgb)
        index = self.table[packed]
        unknown = index == self.UNKNOWN
        if unknown.any():
            new = np.unique(packed[unknown])
            for start in range(0, new.size, 2048):  # a few MB of distances at a time
                part = new[start : start + 2048]
                colours = np.stack([(part >> 16) & 255, (part >> 8) & 255, part & 255], axis=1)
                distance = ((colours[:, None, :] - self.entries[None, :, :]) ** 2).sum(axis=2)
                self.table[part] = distance.argmin(axis=1).astype(np.uint8)
            index = self.table[packed]
        return index


def _mp4(images: Iterator[np.ndarray], repeats: list[int], size: tuple[int, int]) -> bytes:
    """H.264, yuv420p, +faststart: plays in browsers and on phones."""
    import imageio_ffmpeg

    fd, path = tempfile.mkstemp(suffix=".mp4", prefix="atlas-")
    os.close(fd)
    try:
        writer = imageio_ffmpeg.write_frames(
            path,
            size,
            fps=VIDEO_FPS,
            codec="libx264",
            pix_fmt_out="yuv420p",
            quality=None,
            macro_block_size=2,  # 1080 is even, not a multiple of 16: no resizing
            output_params=["-preset", "veryfast", "-crf", "23", "-movflags", "+faststart"],
            ffmpeg_log_level="error",
        )
        writer.send(None)  # start ffmpeg
        try:
            for rgb, k in zip(images, repeats, strict=True):
                data = np.ascontiguousarray(rgb)
                for _k in range(k):
                    writer.send(data)
        finally:
            writer.close()
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)


__all__ = [
    "FORMATS",
    "HOLD_S",
    "MIME",
    "SIZES",
    "VIDEO_FPS",
    "FrameText",
    "NoPlayback",
    "frame_seconds",
    "frames",
    "playback_of",
    "render_animation",
    "split_label",
    "video_repeats",
]
