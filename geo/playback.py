"""Time playback: the frames of Deadly routes (by month, quarter or year) and of Arrival
cities (the WUP 5-year series), aggregated in DuckDB and described as a
:class:`geo.mapspec.PlaybackLayer`.

Routes frames use the still map's grid and positions (``incident_frames``); each
frame adds the period's dead and missing to its cells, so the circles grow into the
still map, and the counter shows the running total of the selection
(``incident_periods``, located or not). Cities frames are each WUP year's population
of the cities of the chosen size that year (``city_frames``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo import mapspec as ms
from geo.i18n import N_, _, fmt_int, fmt_month, fmt_num, ngettext
from geo.maps import escape
from geo.views import Query

# A link's ``play`` value on Deadly routes and the step's name in the controls.
STEPS = {"month": N_("month"), "quarter": N_("quarter"), "year": N_("year")}
STEP_CHOICES = {"month": N_("By month"), "quarter": N_("By quarter"), "year": N_("By year")}
# Frames a second a playback starts at: about 12 to 30 seconds for the whole series.
FPS = {"month": 10, "quarter": 4, "year": 2, "years": 2}
# Arrival cities' ``play`` value: the WUP 5-year series.
CITY_STEP = "years"
PLAY_KEY = "play"
ACTIVE_RING = "#000000"


@dataclass(frozen=True)
class PlaybackInfo:
    """What a playback leaves out or adds up (for captions, notes and tests)."""

    step: str
    frames: int
    first: str  # the first period's label
    last: str
    total: int  # the last frame's running total
    undated_incidents: int = 0
    undated_dead_and_missing: int = 0


def periods(first: date, last: date, step: str) -> list[date]:
    """The first day of every period from the one holding ``first`` to the one holding
    ``last`` (empty periods too: time runs evenly)."""
    months = {"month": 1, "quarter": 3, "year": 12}[step]
    m0 = (first.month - 1) // months * months
    y, m = first.year, m0
    out = []
    while date(y, m + 1, 1) <= last:
        out.append(date(y, m + 1, 1))
        m += months
        y, m = y + m // 12, m % 12
    return out


def period_label(day: date, step: str) -> str:
    """A period as the controls and pictures write it: Mar 2015, Q1 2015, 2015."""
    if step == "month":
        return fmt_month(day)
    if step == "quarter":
        return _("Q{quarter} {year}").format(quarter=(day.month - 1) // 3 + 1, year=day.year)
    return str(day.year)


def _day(v) -> date:
    return v.date() if isinstance(v, pd.Timestamp) else v


def incident_playback(
    q: Query,
    params: dict,
    *,
    cell: float,
    step: str,
    still: ms.CircleLayer,
    breaks: list[float],
    name: str,
) -> tuple[ms.PlaybackLayer, PlaybackInfo]:
    """Deadly routes over time on the still map's grid.

    Parameters
    ----------
    q : Query
        Query runner.
    params : dict
        The filters' bound parameters (``RoutesState.query_params``).
    cell : float
        The still map's grid cell in degrees (the same bins).
    step : {'month', 'quarter', 'year'}
    still : CircleLayer
        The still map's bins layer: its colours, outline and key are the playback's.
    breaks : list of float
        The still map's class limits (one legend for both).
    name : str
        The layer's name in the layer control.
    """
    frames_df = q("incident_frames", cell=cell, grain=step, **params)
    per = q("incident_periods", grain=step, **params)
    undated = per[per["period"].isna()]
    dated = per[per["period"].notna()]
    days = periods(params["date_from"], params["date_to"], step)
    index = {d: i for i, d in enumerate(days)}
    places: dict[tuple[int, int], int] = {}
    coords: list[tuple[float, float]] = []
    frames: list[dict[int, float]] = [{} for _d in days]
    for r in frames_df.itertuples():
        i = index.get(_day(r.period))
        if i is None:  # an undated incident's year range reaches past the dates: none here
            continue
        key = (int(r.cell_y), int(r.cell_x))
        if key not in places:
            places[key] = len(coords)
            coords.append((float(r.lat), float(r.lon)))
        if r.dead_and_missing > 0:
            frames[i][places[key]] = float(r.dead_and_missing)
    totals = dict.fromkeys(days, 0)
    for r in dated.itertuples():
        d = _day(r.period)
        if d in totals:
            totals[d] += int(r.dead_and_missing)
    running, counters = 0, []
    start = period_label(days[0], step) if days else ""
    for d in days:
        running += totals[d]
        counters.append(
            ngettext(
                "{n} dead and missing (minimum) since {start}",
                "{n} dead and missing (minimum) since {start}",
                running,
            ).format(n=fmt_int(running), start=start)
        )
    final: dict[int, float] = {}
    for f in frames:
        for k, v in f.items():
            final[k] = final.get(k, 0) + v
    labels = [period_label(d, step) for d in days]
    layer = ms.PlaybackLayer(
        name=name,
        key=still.stable_key,
        datasets=still.datasets,
        show=still.show,
        places=coords,
        tips=[""] * len(coords),
        frames=frames,
        labels=labels,
        counters=counters,
        projected=[False] * len(days),
        breaks=list(breaks),
        colors=list(still.colors),
        vmax=max(final.values(), default=1.0),
        value_tip=_("{value} dead and missing so far (minimum)"),
        accumulate=True,
        start=-1,
        step=_(STEPS[step]),
        mark_active=True,
        stroke=still.stroke or "#ffffff",
        active_stroke=ACTIVE_RING,
        weight=still.weight,
        fill_opacity=still.fill_opacity,
        fps=FPS[step],
    )
    info = PlaybackInfo(
        step=step,
        frames=len(days),
        first=labels[0] if labels else "",
        last=labels[-1] if labels else "",
        total=running,
        undated_incidents=int(undated["incidents"].sum()) if len(undated) else 0,
        undated_dead_and_missing=int(undated["dead_and_missing"].sum()) if len(undated) else 0,
    )
    return layer, info


def active_legend_item(layer_key: str) -> ms.LegendItem:
    """The legend's line for the ring around cells with deaths in the period shown."""
    return ms.dot(
        "#ffffff",
        _("black ring: dead and missing in the period shown"),
        12,
        border=ACTIVE_RING,
        layer=layer_key,
    )


def city_playback(
    q: Query,
    min_population: int,
    *,
    still: ms.CircleLayer,
    breaks: list[float],
    year_label,
    start_year: int,
    name: str,
) -> tuple[ms.PlaybackLayer, PlaybackInfo]:
    """Arrival cities over the WUP 5-year series (1950–2035, projections marked).

    Parameters
    ----------
    q : Query
        Query runner.
    min_population : int
        The page's minimum city size: a city shows from the year it reaches it.
    still : CircleLayer
        The still map's population layer: its colours, outline and key.
    breaks : list of float
        The still map's class limits (people).
    year_label : callable
        ``year -> str`` ('2025 (2018 projection)'), from the page's options.
    start_year : int
        The year shown when the map opens (the page's chosen year).
    name : str
        The layer's name in the layer control.
    """
    df = q("city_frames", min_population=min_population)
    years = sorted(int(y) for y in df["year"].unique())
    places: dict[int, int] = {}
    coords: list[tuple[float, float]] = []
    tips: list[str] = []
    frames: list[dict[int, float]] = [{} for _y in years]
    at = {y: i for i, y in enumerate(years)}
    projected = [False] * len(years)
    for r in df.itertuples():
        code = int(r.city_code)
        if code not in places:
            places[code] = len(coords)
            coords.append((float(r.lat), float(r.lon)))
            tips.append(f"<b>{escape(r.name)}</b>, {escape(r.country)}")
        i = at[int(r.year)]
        frames[i][places[code]] = float(r.population)
        projected[i] = projected[i] or bool(r.projected)
    counters = []
    for f in frames:
        total = sum(f.values())
        counters.append(
            ngettext(
                "{n} city of {size}+ people, {total} million in all",
                "{n} cities of {size}+ people, {total} million in all",
                len(f),
            ).format(n=fmt_int(len(f)), size=fmt_int(min_population), total=fmt_num(total / 1e6))
        )
    labels = [year_label(y) for y in years]
    layer = ms.PlaybackLayer(
        name=name,
        key=still.stable_key,
        datasets=still.datasets,
        show=still.show,
        places=coords,
        tips=tips,
        frames=frames,
        labels=labels,
        counters=counters,
        projected=projected,
        breaks=list(breaks),
        colors=list(still.colors),
        vmax=max((max(f.values(), default=0) for f in frames), default=1.0) or 1.0,
        value_tip=_("{value} million"),
        value_scale=1e6,
        value_digits=2,
        accumulate=False,
        start=at.get(start_year, len(years) - 1),
        step=_("5 years"),
        stroke=still.stroke or "#ffffff",
        weight=still.weight,
        fill_opacity=still.fill_opacity,
        min_px=2.0,
        max_px=24.0,
        fps=FPS[CITY_STEP],
    )
    total = int(sum(frames[-1].values())) if frames else 0
    info = PlaybackInfo(
        step=CITY_STEP,
        frames=len(years),
        first=labels[0] if labels else "",
        last=labels[-1] if labels else "",
        total=total,
    )
    return layer, info


__all__ = [
    "CITY_STEP",
    "PLAY_KEY",
    "STEPS",
    "STEP_CHOICES",
    "PlaybackInfo",
    "active_legend_item",
    "city_playback",
    "incident_playback",
    "period_label",
    "periods",
]
