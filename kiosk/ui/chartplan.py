"""The usage chart's geometry from weekly tallies: every bar, line and label, in plain Python.

:func:`plan_chart` turns the weekly :class:`~kiosk.core.tallies.Tally` s into a
:class:`ChartPlan`: filled rectangles, lines and texts in pixels, for a picture a clinic
manager pastes into a report. Two panels: sessions per week (bars stacked completed /
cancelled / abandoned, and "no end recorded" when the kiosk itself cut sessions short, with
the started total on top) and where people stop (a bar per point, in routine order, the share
of the period's started sessions that completed a hold of it). :func:`nice_ticks` picks the
axis's round numbers. :mod:`kiosk.ui.chart` paints a plan with pygame; nothing here imports
it (an import contract says so), so the geometry is tested with plain numbers.

Texts are placed by an anchor point (``anchor``: ``"left"``, ``"center"`` or ``"right"`` of
the text at ``x``; ``y`` is its top). Where a text's width decides the layout (the legend,
whether a number fits in its bar) the plan asks ``measure(text, size, bold)``; the painter
hands it the real font's, tests a fixed-width estimate.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kiosk.core.tallies import Tally
from kiosk.ui.theme import Color, contrast

#: The size the chart is drawn at unless told otherwise.
CHART_SIZE = (1600, 900)

WHITE: Color = (255, 255, 255)
INK: Color = (20, 24, 28)
SOFT_INK: Color = (70, 76, 84)
GRID: Color = (222, 225, 229)
# Paul Tol's "high contrast" scheme (safe for every kind of colour blindness, and three
# distinct greys when printed in black and white), a neutral grey, and Tol's bright blue.
COMPLETED_COLOR: Color = (0, 68, 136)
CANCELLED_COLOR: Color = (221, 170, 51)
ABANDONED_COLOR: Color = (187, 85, 102)
NO_END_COLOR: Color = (187, 187, 187)
REACH_COLOR: Color = (68, 119, 170)

#: The parts of a week's bar, bottom up: (Tally field or "no_end", legend words, colour).
SEGMENTS = (
    ("completed", "completed (every point, to the end)", COMPLETED_COLOR),
    ("cancelled", "cancelled (held the button to stop)", CANCELLED_COLOR),
    ("abandoned", "abandoned (left at \u201cAre you still there?\u201d)", ABANDONED_COLOR),
    ("no_end", "no end recorded (kiosk restarted)", NO_END_COLOR),
)

Measure = Callable[[str, int, bool], int]


def estimate(text: str, size: int, bold: bool = False) -> int:
    """A text's width without a font: DejaVu Sans averages well under 0.62 em a character
    (0.66 bold), so this errs on the wide side."""
    return math.ceil(len(text) * size * (0.66 if bold else 0.62))


@dataclass(frozen=True)
class Fill:
    """A filled rectangle (x, y, width, height); ``what`` says what it shows, for tests."""

    rect: tuple[int, int, int, int]
    color: Color
    what: str = ""


@dataclass(frozen=True)
class Line:
    start: tuple[int, int]
    end: tuple[int, int]
    color: Color
    width: int = 1


@dataclass(frozen=True)
class Label:
    """One line of text: its top at ``y``, its ``anchor`` side at ``x``."""

    text: str
    x: int
    y: int
    size: int
    bold: bool = False
    color: Color = INK
    anchor: str = "left"


@dataclass(frozen=True)
class WeekBar:
    """One week's stacked bar: the week, its Monday, its slot's centre, and each segment's
    (name, count, rectangle) bottom up (zero counts have no rectangle)."""

    period: str
    monday: dt.date
    center: int
    started: int
    segments: tuple[tuple[str, int, tuple[int, int, int, int]], ...]


@dataclass(frozen=True)
class PointBar:
    """One point's reach: the point's id, sessions that completed a hold of it, the share of
    the period's started sessions (0 to 1) and its rectangle."""

    point: str
    reached: int
    share: float
    rect: tuple[int, int, int, int]


@dataclass
class ChartPlan:
    size: tuple[int, int]
    background: Color = WHITE
    fills: list[Fill] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    weeks: list[WeekBar] = field(default_factory=list)
    points: list[PointBar] = field(default_factory=list)
    #: The two plot areas (x, y, width, height): sessions per week, reach per point.
    week_area: tuple[int, int, int, int] = (0, 0, 0, 0)
    point_area: tuple[int, int, int, int] = (0, 0, 0, 0)
    #: The ticks of each plot's vertical axis (sessions; per cent).
    week_ticks: list[int] = field(default_factory=list)
    point_ticks: list[int] = field(default_factory=list)


def nice_ticks(top: float, most: int = 6) -> list[int]:
    """Axis ticks from 0 up to the first tick at or above ``top``: whole numbers spaced by
    1, 2 or 5 times a power of ten, at most ``most`` intervals (``nice_ticks(47)`` is 0, 10,
    20, 30, 40, 50). A ``top`` of 0 or less gives 0 and 1."""
    if top <= 0:
        return [0, 1]
    most = max(1, most)
    step = 1
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(top / step) <= most:
                count = math.ceil(top / step)
                return [i * step for i in range(count + 1)]
        magnitude *= 10


def monday_of(period: str) -> dt.date:
    """The Monday of an ISO week such as ``"2026-W49"``."""
    year, week = period.split("-W")
    return dt.date.fromisocalendar(int(year), int(week), 1)


def every_week(tallies: Sequence[Tally]) -> list[Tally]:
    """The weekly tallies with the weeks between them that had no session, as zeros: the
    time axis has no holes."""
    if not tallies:
        return []
    known = {t.period: t for t in tallies}
    first, last = monday_of(tallies[0].period), monday_of(tallies[-1].period)
    weeks = []
    day = first
    while day <= last:
        year, week, _ = day.isocalendar()
        period = f"{year}-W{week:02d}"
        weeks.append(known.get(period, Tally(period)))
        day += dt.timedelta(weeks=1)
    return weeks


def stack(t: Tally) -> list[tuple[str, int]]:
    """A week's bar bottom up: completed, cancelled, abandoned and the started sessions with
    no end (the kiosk cut them short); the parts add up to ``started``."""
    no_end = max(0, t.started - t.completed - t.cancelled - t.abandoned)
    counts = {"completed": t.completed, "cancelled": t.cancelled, "abandoned": t.abandoned}
    counts["no_end"] = no_end
    return [(name, counts[name]) for name, _, _ in SEGMENTS]


def reach(tallies: Sequence[Tally], points: Sequence[str]) -> list[tuple[str, int, float]]:
    """Each point, in the order given (the routine's): the sessions over the whole period
    that completed a hold of it, and their share of the sessions started."""
    started = sum(t.started for t in tallies)
    rows = []
    for point in points:
        reached = sum(t.reach.get(point, 0) for t in tallies)
        rows.append((point, reached, reached / started if started else 0.0))
    return rows


def on_color(fill: Color) -> Color:
    """Black or white, whichever reads better on ``fill``."""
    return WHITE if contrast(WHITE, fill) >= contrast(INK, fill) else INK


def fit_size(
    measure: Measure, texts: Sequence[str], bold: bool, largest: int, room: float, floor: int
) -> int | None:
    """The largest size from ``largest`` down to ``floor`` at which every text is at most
    ``room`` wide; None when they are too wide even at ``floor`` (then they are left out)."""
    for size in range(largest, floor - 1, -1):
        if all(measure(words, size, bold) <= room for words in texts):
            return size
    return None


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"


def plan_chart(
    tallies: Sequence[Tally],
    points: Sequence[str],
    first: dt.date,
    last: dt.date,
    size: tuple[int, int] = CHART_SIZE,
    measure: Measure = estimate,
    note: str = "",
) -> ChartPlan:
    """The whole chart for the weekly ``tallies`` (oldest first, at least one) and the
    routine's ``points``: sessions from ``first`` to ``last`` (the days of the first and the
    last session counted), at ``size`` pixels. ``note`` is a small line at the foot (where
    the numbers come from)."""
    if not tallies:
        raise ValueError("a chart needs at least one week with a session")
    width, height = size
    s = min(width / 1600, height / 900)

    def px(value: float) -> int:
        return max(1, round(value * s))

    plan = ChartPlan(size)
    margin = px(40)
    weeks = every_week(tallies)
    started = sum(t.started for t in weeks)
    completed = sum(t.completed for t in weeks)
    cancelled = sum(t.cancelled for t in weeks)
    abandoned = sum(t.abandoned for t in weeks)

    title_size, sub_size, foot_size = (px(v) for v in (40, 26, 18))
    span = _day(first) if first == last else f"{_day(first)} \u2013 {_day(last)}"
    plan.labels.append(Label(f"Kiosk sessions, {span}", margin, margin, title_size, bold=True))
    share = f" ({_percent(completed / started)})" if started else ""
    summary = (
        f"{started} sessions started in {len(weeks)} week{'s' * (len(weeks) != 1)}: "
        f"{completed} completed{share}, {cancelled} cancelled, {abandoned} abandoned"
    )
    y = margin + round(title_size * 1.3)
    plan.labels.append(Label(summary, margin, y, sub_size, color=SOFT_INK))
    top = y + round(sub_size * 1.3) + px(28)
    foot_y = height - margin - foot_size
    if note:  # smaller until it fits the width, never below 12 px
        fits = foot_size
        while fits > px(12) and measure(note, fits, False) > width - 2 * margin:
            fits -= 1
        plan.labels.append(Label(note, margin, foot_y, fits, color=SOFT_INK))
    bottom = foot_y - px(16)

    split = round(width * 0.60)
    _plan_weeks(plan, weeks, (margin, top, split - px(40) - margin, bottom - top), s, measure)
    right = split + px(20)
    box = (right, top, width - margin - right, bottom - top)
    _plan_points(plan, tallies, points, box, s, measure)
    return plan


def _sizes(s: float) -> tuple[Callable[[float], int], int, int, int]:
    """Pixels at the chart's scale ``s``, and its heading, text and small type sizes."""

    def px(value: float) -> int:
        return max(1, round(value * s))

    return px, px(28), px(22), px(20)


def _plan_weeks(
    plan: ChartPlan,
    weeks: Sequence[Tally],
    box: tuple[int, int, int, int],
    s: float,
    measure: Measure,
) -> None:
    x0, y0, w, h = box
    px, head, text, small = _sizes(s)
    plan.labels.append(Label("Sessions per week", x0, y0, head, bold=True))
    # The legend, in words, under the heading: only the parts some week has.
    used = {name for t in weeks for name, count in stack(t) if count}
    used.add("completed")
    lx, ly = x0, y0 + round(head * 1.5)
    swatch = px(22)
    for name, words, color in SEGMENTS:
        if name not in used:
            continue
        item = swatch + px(8) + measure(words, small, False) + px(24)
        if lx > x0 and lx + item > x0 + w:
            lx, ly = x0, ly + round(small * 1.5)
        plan.fills.append(Fill((lx, ly, swatch, swatch), color, f"legend:{name}"))
        plan.labels.append(Label(words, lx + swatch + px(8), ly, small))
        lx += item
    ticks = nice_ticks(max(t.started for t in weeks))
    plan.week_ticks = ticks
    tick_width = max(measure(str(v), text, False) for v in ticks)
    label_lines = 2
    plot_top = ly + round(small * 1.5) + px(40)  # room for the total above the tallest bar
    plot_bottom = y0 + h - label_lines * round(text * 1.25) - px(8)
    plot_left = x0 + tick_width + px(12)
    plot_w, plot_h = x0 + w - plot_left, plot_bottom - plot_top
    plan.week_area = (plot_left, plot_top, plot_w, plot_h)

    def y_of(value: float) -> int:
        return plot_bottom - round(value / ticks[-1] * plot_h)

    for value in ticks:
        y = y_of(value)
        color = INK if value == 0 else GRID
        plan.lines.append(
            Line((plot_left, y), (plot_left + plot_w, y), color, px(2 if value == 0 else 1))
        )
        plan.labels.append(
            Label(str(value), plot_left - px(10), y - round(text * 0.6), text, anchor="right")
        )
    slot = plot_w / len(weeks)
    bar = min(round(slot * 0.72), px(130))
    # The totals on top of the bars: smaller for many weeks, left out when even 12 px is
    # wider than a bar's slot (the summary line still has the sum).
    totals = fit_size(measure, [str(t.started) for t in weeks], True, text, slot - px(4), px(12))
    # Week labels: every week when they fit, else every n-th.
    label_width = max(measure(_short(monday_of(t.period)), text, False) for t in weeks) + px(10)
    every = max(1, math.ceil(label_width / slot))
    for index, t in enumerate(weeks):
        center = plot_left + round(slot * (index + 0.5))
        left = center - bar // 2
        base = 0
        segments = []
        for name, count in stack(t):
            if not count:
                continue
            upper, lower = y_of(base + count), y_of(base)
            rect = (left, upper, bar, lower - upper)
            color = next(c for n, _, c in SEGMENTS if n == name)
            plan.fills.append(Fill(rect, color, f"week:{t.period}:{name}"))
            segments.append((name, count, rect))
            number = str(count)
            if rect[3] >= round(small * 1.15) and measure(number, small, True) + px(8) <= bar:
                mid = upper + (rect[3] - small) // 2
                plan.labels.append(
                    Label(number, center, mid, small, True, on_color(color), "center")
                )
            base += count
        monday = monday_of(t.period)
        plan.weeks.append(WeekBar(t.period, monday, center, t.started, tuple(segments)))
        if totals is not None:
            total_y = y_of(t.started) - px(6) - totals
            color = INK if t.started else SOFT_INK  # a week without sessions says 0
            plan.labels.append(
                Label(str(t.started), center, total_y, totals, True, color, "center")
            )
        if index % every == 0:
            week_y = plot_bottom + px(8)
            plan.labels.append(Label(_short(monday), center, week_y, text, anchor="center"))
            plan.labels.append(
                Label(
                    f"W{t.period[-2:]}",
                    center,
                    week_y + round(text * 1.25),
                    text,
                    color=SOFT_INK,
                    anchor="center",
                )
            )


def _short(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def _plan_points(
    plan: ChartPlan,
    tallies: Sequence[Tally],
    points: Sequence[str],
    box: tuple[int, int, int, int],
    s: float,
    measure: Measure,
) -> None:
    x0, y0, w, h = box
    px, head, text, small = _sizes(s)
    plan.labels.append(Label("Where people stop", x0, y0, head, bold=True))
    plan.labels.append(
        Label("Share of sessions started that", x0, y0 + round(head * 1.5), small, color=SOFT_INK)
    )
    plan.labels.append(
        Label(
            "completed a hold of each point, in routine order",
            x0,
            y0 + round(head * 1.5) + round(small * 1.3),
            small,
            color=SOFT_INK,
        )
    )
    ticks = [0, 25, 50, 75, 100]
    plan.point_ticks = ticks
    tick_width = estimate("100 %", text)
    plot_top = y0 + round(head * 1.5) + round(small * 2.6) + px(40)
    plot_bottom = y0 + h - 2 * round(text * 1.25) - px(8)
    plot_left = x0 + tick_width + px(12)
    plot_w, plot_h = x0 + w - plot_left, plot_bottom - plot_top
    plan.point_area = (plot_left, plot_top, plot_w, plot_h)

    def y_of(share: float) -> int:
        return plot_bottom - round(share * plot_h)

    for value in ticks:
        y = y_of(value / 100)
        color = INK if value == 0 else GRID
        plan.lines.append(
            Line((plot_left, y), (plot_left + plot_w, y), color, px(2 if value == 0 else 1))
        )
        plan.labels.append(
            Label(f"{value} %", plot_left - px(10), y - round(text * 0.6), text, anchor="right")
        )
    rows = reach(tallies, points)
    if not rows:
        plan.labels.append(
            Label(
                "No hold completed yet",
                plot_left + plot_w // 2,
                plot_top + plot_h // 2,
                text,
                color=SOFT_INK,
                anchor="center",
            )
        )
        return
    slot = plot_w / len(rows)
    bar = min(round(slot * 0.66), px(110))
    # Labels shrink to their slot for a long routine; the counts under the names are left
    # out when they do not fit at 12 px, the names and shares never (12 px at the least).
    started = sum(t.started for t in tallies)
    names = ["100 %", *(p for p, _, _ in rows)]
    label = fit_size(measure, names, True, text, slot - px(4), px(12)) or px(12)
    counts = [f"{n} of {started}" for _, n, _ in rows]
    count_size = fit_size(measure, counts, False, round(label * 0.9), slot - px(6), px(12))
    for index, (point, reached, share) in enumerate(rows):
        center = plot_left + round(slot * (index + 0.5))
        top = y_of(share)
        rect = (center - bar // 2, top, bar, plot_bottom - top)
        if rect[3] > 0:
            plan.fills.append(Fill(rect, REACH_COLOR, f"point:{point}"))
        plan.points.append(PointBar(point, reached, share, rect))
        plan.labels.append(
            Label(_percent(share), center, top - px(6) - label, label, True, anchor="center")
        )
        under = plot_bottom + px(8)
        plan.labels.append(Label(point, center, under, label, True, anchor="center"))
        if count_size is not None:
            count = f"{reached} of {started}"
            below = under + round(label * 1.25)
            plan.labels.append(
                Label(count, center, below, count_size, color=SOFT_INK, anchor="center")
            )
