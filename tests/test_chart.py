"""The usage chart: its geometry from tallies in plain numbers (:mod:`kiosk.ui.chartplan`),
and ``stats --chart`` writing the PNG (:mod:`kiosk.ui.chart`), checked pixel by pixel."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pygame
import pytest

from kiosk.commands import cli
from kiosk.core.tallies import ABANDONED, CANCELLED, COMPLETED, HOLD, STARTED, Record, Tally
from kiosk.devices.usagedb import DB_NAME, UsageStore
from kiosk.ui import chartplan
from kiosk.ui.chartplan import (
    ABANDONED_COLOR,
    CANCELLED_COLOR,
    COMPLETED_COLOR,
    NO_END_COLOR,
    REACH_COLOR,
    every_week,
    nice_ticks,
    plan_chart,
    reach,
    stack,
)

ROOT = Path(__file__).resolve().parent.parent
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # ISO week 2026-W45
BAR_COLORS = {COMPLETED_COLOR, CANCELLED_COLOR, ABANDONED_COLOR, NO_END_COLOR, REACH_COLOR}

# -- the geometry, in plain numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (47, [0, 10, 20, 30, 40, 50]),
        (50, [0, 10, 20, 30, 40, 50]),
        (51, [0, 10, 20, 30, 40, 50, 60]),
        (77, [0, 20, 40, 60, 80]),
        (130, [0, 50, 100, 150]),
        (999, [0, 200, 400, 600, 800, 1000]),
        (2.5, [0, 1, 2, 3]),
    ],
)
def test_ticks_are_round_numbers_up_to_the_top(top: float, ticks: list[int]) -> None:
    assert nice_ticks(top) == ticks


@pytest.mark.parametrize("top", [1, 2, 9, 11, 19, 21, 99, 101, 333, 4999, 123456])
def test_ticks_cover_the_top_evenly_in_few_steps(top: int) -> None:
    ticks = nice_ticks(top)
    step = ticks[1]
    assert ticks[0] == 0 and ticks[-1] >= top > ticks[-2]
    assert all(b - a == step for a, b in itertools.pairwise(ticks))
    assert 2 <= len(ticks) <= 7
    assert str(step).rstrip("0") in ("1", "2", "5")


def weeks_of(*rows: tuple[str, int, int, int, int]) -> list[Tally]:
    return [Tally(p, s, c, x, a, reach={"UB60": s - 1, "LI4": c}) for p, s, c, x, a in rows]


def test_a_week_stacks_its_ends_up_to_the_sessions_started() -> None:
    week = Tally("2026-W45", started=10, completed=5, cancelled=2, abandoned=1)
    assert stack(week) == [("completed", 5), ("cancelled", 2), ("abandoned", 1), ("no_end", 2)]
    plan = plan_chart([week], ["UB60"], dt.date(2026, 11, 2), dt.date(2026, 11, 6))
    (bar,) = plan.weeks
    _, top, _, h = plan.week_area
    bottom = top + h
    assert plan.week_ticks == [0, 2, 4, 6, 8, 10]
    per_session = h / 10
    below = bottom
    for (name, count, rect), expected in zip(bar.segments, stack(week), strict=True):
        assert (name, count) == expected
        assert rect[1] + rect[3] == below  # each part sits on the one under it
        assert rect[3] == pytest.approx(count * per_session, abs=1)
        below = rect[1]
    assert bottom - below == pytest.approx(10 * per_session, abs=1)  # the whole bar: started


def test_bar_heights_follow_the_counts_on_one_scale() -> None:
    weeks = weeks_of(("2026-W45", 40, 30, 5, 5), ("2026-W46", 20, 20, 0, 0))
    plan = plan_chart(weeks, ["UB60", "LI4"], dt.date(2026, 11, 2), dt.date(2026, 11, 13))
    heights = [sum(rect[3] for _, _, rect in bar.segments) for bar in plan.weeks]
    assert heights[0] == pytest.approx(2 * heights[1], abs=2)
    assert plan.week_ticks[-1] == 40
    assert [name for name, _, _ in plan.weeks[1].segments] == ["completed"]  # no empty parts


def test_weeks_without_a_session_are_on_the_axis_with_no_bar() -> None:
    weeks = weeks_of(("2026-W52", 5, 5, 0, 0), ("2027-W02", 3, 3, 0, 0))
    filled = every_week(weeks)
    assert [t.period for t in filled] == ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]
    plan = plan_chart(weeks, ["UB60"], dt.date(2026, 12, 21), dt.date(2027, 1, 12))
    assert [b.segments == () for b in plan.weeks] == [False, True, True, False]
    assert [b.monday for b in plan.weeks][1] == dt.date(2026, 12, 28)
    centers = [b.center for b in plan.weeks]
    assert centers == sorted(centers)


def test_reach_is_a_bar_per_point_in_routine_order_as_a_share_of_started() -> None:
    weeks = [
        Tally("2026-W45", 10, reach={"UB60": 9, "UB40": 7, "LI4": 5}),
        Tally("2026-W46", 30, reach={"UB60": 27, "UB40": 20, "LI4": 15, "GB34": 12}),
    ]
    order = ["UB60", "UB40", "LI4", "GB34"]
    assert reach(weeks, order) == [
        ("UB60", 36, 0.9),
        ("UB40", 27, 0.675),
        ("LI4", 20, 0.5),
        ("GB34", 12, 0.3),
    ]
    plan = plan_chart(weeks, order, dt.date(2026, 11, 2), dt.date(2026, 11, 13))
    assert [p.point for p in plan.points] == order
    assert [p.rect[0] for p in plan.points] == sorted(p.rect[0] for p in plan.points)
    _, top, _, h = plan.point_area
    for bar in plan.points:
        assert bar.rect[1] + bar.rect[3] == top + h  # on the axis
        assert bar.rect[3] == pytest.approx(bar.share * h, abs=1)
    texts = [label.text for label in plan.labels]
    assert [t for t in texts if t.endswith(" %")][5:] == ["90 %", "68 %", "50 %", "30 %"]
    assert "36 of 40" in texts and "12 of 40" in texts


def test_the_title_gives_the_dates_and_the_legend_its_words() -> None:
    weeks = [Tally("2026-W45", 3, 1, 1, 1)]
    plan = plan_chart(weeks, [], dt.date(2026, 11, 2), dt.date(2026, 11, 5))
    texts = [label.text for label in plan.labels]
    assert texts[0] == "Kiosk sessions, 2 Nov 2026 \u2013 5 Nov 2026"
    assert texts[1].startswith("3 sessions started in 1 week: 1 completed (33 %)")
    legend = [f.what for f in plan.fills if f.what.startswith("legend:")]
    assert legend == ["legend:completed", "legend:cancelled", "legend:abandoned"]  # no no-end
    assert any(t.startswith("completed (") for t in texts)
    assert "No hold completed yet" in texts


@pytest.mark.parametrize("size", [(1600, 900), (800, 450), (3200, 1800)])
def test_everything_is_inside_the_picture_and_numbers_fit_their_bars(
    size: tuple[int, int],
) -> None:
    weeks = [Tally(f"2026-W{w:02d}", 40 + w, 30, 5, 5, reach={"UB60": 30}) for w in range(1, 53)]
    plan = plan_chart(weeks, ["UB60"], dt.date(2026, 1, 1), dt.date(2026, 12, 27), size)
    width, height = size
    for fill in plan.fills:
        x, y, w, h = fill.rect
        assert x >= 0 and x + w <= width and y >= 0 and y + h <= height, fill
    for label in plan.labels:
        w = chartplan.estimate(label.text, label.size, label.bold)
        left = {"left": label.x, "center": label.x - w / 2, "right": label.x - w}[label.anchor]
        assert label.size >= 12 * min(width / 1600, 1), label
        assert left >= 0 and left + w <= width + 2, label  # estimate errs wide
        assert label.y >= 0 and label.y + label.size <= height, label
    week_labels = [lb for lb in plan.labels if lb.text.startswith("W") and lb.text[1:].isdigit()]
    assert 0 < len(week_labels) < 52  # a year of weeks: every n-th is named
    lefts = sorted(lb.x for lb in week_labels)
    gap = min(b - a for a, b in itertools.pairwise(lefts))
    assert gap > chartplan.estimate("30 Nov", week_labels[0].size)


@pytest.mark.parametrize(("count", "shown"), [(8, True), (26, True), (52, False)])
def test_week_totals_shrink_for_many_weeks_and_never_overlap(count: int, shown: bool) -> None:
    weeks = [Tally(f"2026-W{w:02d}", 90 + w % 10, 80) for w in range(1, count + 1)]
    plan = plan_chart(weeks, [], dt.date(2026, 1, 1), dt.date(2026, 12, 27))
    totals = [lb for lb in plan.labels if lb.bold and lb.text.isdigit() and int(lb.text) >= 90]
    assert len(totals) == (count if shown else 0)  # all of them, or none (too narrow)
    assert all(12 <= lb.size <= 22 for lb in totals)
    for a, b in itertools.pairwise(sorted(totals, key=lambda lb: lb.x)):
        right = a.x + chartplan.estimate(a.text, a.size, True) / 2
        assert right < b.x - chartplan.estimate(b.text, b.size, True) / 2


# -- the PNG, through the command -------------------------------------------------------------


def stored(state: Path) -> Path:
    """Week 45: 6 sessions (3 completed, 2 cancelled, 1 abandoned); week 46: none; week 47:
    2 completed. Points UB60 then LI4."""
    state.mkdir(parents=True, exist_ok=True)
    store = UsageStore(state / DB_NAME)
    number = 0

    def one(day: int, end: str, holds: tuple[str, ...]) -> None:
        nonlocal number
        number += 1
        start = MONDAY + timedelta(days=day, minutes=number * 20)
        store.add(Record(start, number, STARTED, seconds=0.0))
        for point in holds:
            store.add(Record(start + timedelta(minutes=1), number, HOLD, point=point))
        store.add(Record(start + timedelta(minutes=5), number, end, seconds=300.0))

    for _ in range(3):
        one(0, COMPLETED, ("UB60", "LI4"))
    one(1, CANCELLED, ("UB60",))
    one(1, CANCELLED, ())
    one(2, ABANDONED, ("UB60",))
    one(14, COMPLETED, ("UB60", "LI4"))
    one(15, COMPLETED, ("UB60", "LI4"))
    store.close()
    return state


def colors_in(picture: pygame.Surface, rect: tuple[int, int, int, int]) -> set[tuple[int, ...]]:
    x, y, w, h = rect
    return {
        tuple(picture.get_at((px, py)))[:3]
        for px in range(x, x + w, max(1, w // 12))
        for py in range(y, y + h, max(1, h // 12))
    }


def test_the_chart_is_a_png_with_bars_where_the_counts_are(
    tmp_path, capsys, utc, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    plans = spy_on_plans(monkeypatch)
    state = stored(tmp_path / "state")
    out = tmp_path / "usage.png"
    assert cli.main(["stats", "--state-dir", str(state), "--chart", str(out)]) == 0
    assert capsys.readouterr().out == f"Chart saved in {out}\n"
    picture = pygame.image.load(str(out))
    assert picture.get_size() == (1600, 900)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (plan,) = plans  # the plan the painter had: where each bar is
    first, empty, last = plan.weeks
    assert [(n, c) for n, c, _ in first.segments] == [
        ("completed", 3),
        ("cancelled", 2),
        ("abandoned", 1),
    ]
    colors = {"completed": COMPLETED_COLOR, "cancelled": CANCELLED_COLOR}
    colors["abandoned"] = ABANDONED_COLOR
    for name, _, (x, y, w, h) in first.segments + last.segments:
        assert tuple(picture.get_at((x + w // 2, y + h - 3)))[:3] == colors[name], name
        assert tuple(picture.get_at((x + 3, y + 3)))[:3] == colors[name], name
    # No bar where there is no session: the empty week's column and the space above bars.
    _, area_y, _, area_h = plan.week_area
    column = (empty.center - 30, area_y, 60, area_h - 4)
    assert not colors_in(picture, column) & BAR_COLORS
    x, y, w, _ = last.segments[-1][2]
    assert not colors_in(picture, (x, area_y, w, y - area_y - 2)) & BAR_COLORS
    # Reach: UB60 5+2 of 8 sessions, LI4 5 of 8, in that order.
    ub60, li4 = plan.points
    assert (ub60.point, ub60.reached, li4.point, li4.reached) == ("UB60", 7, "LI4", 5)
    assert ub60.rect[3] > li4.rect[3]
    for bar in plan.points:
        x, y, w, h = bar.rect
        assert tuple(picture.get_at((x + w // 2, y + h // 2)))[:3] == REACH_COLOR
    above = (li4.rect[0], plan.point_area[1], li4.rect[2], li4.rect[1] - plan.point_area[1] - 40)
    assert not colors_in(picture, above) & BAR_COLORS


def test_chart_and_csv_together_do_both(tmp_path, capsys, utc) -> None:  # type: ignore[no-untyped-def]
    state = stored(tmp_path / "state")
    out = tmp_path / "usage.png"
    assert cli.main(["stats", "--csv", "--chart", str(out), "--state-dir", str(state)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("date,started,") and len(lines) == 1 + 5  # only the CSV
    assert captured.err == f"Chart saved in {out}\n"
    assert pygame.image.load(str(out)).get_size() == (1600, 900)


def spy_on_plans(monkeypatch) -> list:  # type: ignore[no-untyped-def]
    """The plans the chart is painted from, as it makes them."""
    import kiosk.ui.chart

    plans = []
    real = kiosk.ui.chart.plan_chart

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        plans.append(real(*args, **kwargs))
        return plans[-1]

    monkeypatch.setattr(kiosk.ui.chart, "plan_chart", spy)
    return plans


def test_chart_since_a_day_titles_its_range(tmp_path, capsys, utc, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    plans = spy_on_plans(monkeypatch)
    state = stored(tmp_path / "state")
    out = tmp_path / "since.png"
    argv = ["stats", "--since", "2026-11-03", "--chart", str(out), "--state-dir", str(state)]
    assert cli.main(argv) == 0
    (plan,) = plans
    assert plan.labels[0].text == "Kiosk sessions, 3 Nov 2026 \u2013 17 Nov 2026"
    assert [w.period for w in plan.weeks] == ["2026-W45", "2026-W46", "2026-W47"]
    assert [w.started for w in plan.weeks] == [3, 0, 2]  # Monday's three are left out


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("missing/usage.png", "the folder {tmp}/missing does not exist"),
        ("usage.txt", "is not a .png file name"),
        ("afolder.png", "is a folder, not a file"),
    ],
)
def test_a_chart_that_cannot_be_written_is_one_line_and_exit_2(
    tmp_path, capsys, where: str, says: str
) -> None:  # type: ignore[no-untyped-def]
    state = stored(tmp_path / "state")
    (tmp_path / "afolder.png").mkdir()
    out = tmp_path / where
    assert cli.main(["stats", "--chart", str(out), "--state-dir", str(state)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("acupressure-kiosk stats: error: argument --chart: ")
    assert says.format(tmp=tmp_path) in captured.err
    assert not (tmp_path / "missing").exists() and not (tmp_path / "usage.txt").exists()


def test_a_failed_write_is_one_line_exit_1_and_leaves_the_old_chart(
    tmp_path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    state = stored(tmp_path / "state")
    out = tmp_path / "usage.png"
    out.write_bytes(b"the chart of last month")

    def full_card(surface, file, namehint=""):  # type: ignore[no-untyped-def]
        file.write(b"\x89PNG half")
        raise pygame.error("No space left on device")

    monkeypatch.setattr(pygame.image, "save", full_card)
    assert cli.main(["stats", "--chart", str(out), "--state-dir", str(state)]) == 1
    err = capsys.readouterr().err
    assert err == f"Cannot write the chart {out}: No space left on device\n"
    assert out.read_bytes() == b"the chart of last month"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state", "usage.png"]


def test_no_sessions_no_chart(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state"
    state.mkdir()
    UsageStore(state / DB_NAME).close()
    out = tmp_path / "usage.png"
    assert cli.main(["stats", "--chart", str(out), "--state-dir", str(state)]) == 0
    text = capsys.readouterr().out
    assert text.count("\n") == 1 and text.startswith("No sessions recorded")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [state]  # no half-written file either


def test_the_chart_is_drawn_headless_without_a_display(tmp_path, kiosk_env) -> None:  # type: ignore[no-untyped-def]
    state = stored(tmp_path / "state")
    out = tmp_path / "usage.png"
    env = kiosk_env(TZ="UTC")
    for name in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    probe = (
        "import os, sys\n"
        "from kiosk.commands import cli\n"
        "status = cli.main(sys.argv[1:])\n"
        "print(os.environ.get('SDL_VIDEODRIVER'))\n"
        "sys.exit(status)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, "stats", "--chart", str(out), "--state-dir", str(state)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "dummy"
    assert pygame.image.load(str(out)).get_size() == (1600, 900)
