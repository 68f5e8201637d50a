"""The opening hours (kiosk.core.schedule) with plain datetimes in an explicit zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.schedule import Hours, Schedule

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def ranges(*texts: str) -> tuple[tuple[int, int], ...]:
    return tuple((hm(a), hm(b)) for a, b in (t.split("-") for t in texts))


def clinic(**changes: object) -> Schedule:
    """The staff example: Monday 8-18, Tuesday with a lunch break, Saturday morning."""
    values: dict = {
        "open": {
            MON: ranges("08:00-18:00"),
            TUE: ranges("08:00-12:00", "13:00-18:00"),
            SAT: ranges("09:00-12:00"),
        },
        "zone": LONDON,
        "closed_dates": frozenset({dt.date(2026, 12, 25), dt.date(2027, 1, 1)}),
    }
    return Schedule(**(values | changes))


def local(*args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON, fold=fold)


# 2026-12-07 is a Monday.
@pytest.mark.parametrize(
    ("when", "is_open"),
    [
        (dt.datetime(2026, 12, 7, 7, 59, 59), False),
        (dt.datetime(2026, 12, 7, 8, 0), True),
        (dt.datetime(2026, 12, 7, 17, 59, 59), True),
        (dt.datetime(2026, 12, 7, 18, 0), False),
        (dt.datetime(2026, 12, 8, 12, 30), False),  # Tuesday lunch
        (dt.datetime(2026, 12, 8, 13, 0), True),
        (dt.datetime(2026, 12, 9, 10, 0), False),  # Wednesday is not listed
        (dt.datetime(2026, 12, 12, 11, 0), True),  # Saturday
        (dt.datetime(2026, 12, 13, 11, 0), False),  # Sunday
    ],
)
def test_open_at_naive_local_times(when: dt.datetime, is_open: bool) -> None:
    assert clinic().is_open(when) is is_open


def test_aware_times_in_other_zones_are_the_same_moment() -> None:
    # 08:30 in London in winter is 09:30 in Paris and 08:30 UTC.
    assert clinic().is_open(dt.datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Europe/Paris")))
    assert clinic().is_open(dt.datetime(2026, 12, 7, 8, 30, tzinfo=UTC))
    assert not clinic().is_open(dt.datetime(2026, 12, 7, 8, 30, tzinfo=ZoneInfo("Asia/Tokyo")))


def test_summer_hours_are_on_the_wall_clock() -> None:
    # In June London is on BST (UTC+1): 08:00 on the wall is 07:00 UTC.
    monday = dt.date(2027, 6, 7)
    assert monday.weekday() == MON
    assert clinic().is_open(dt.datetime(2027, 6, 7, 7, 0, tzinfo=UTC))
    assert not clinic().is_open(dt.datetime(2027, 6, 7, 6, 59, tzinfo=UTC))
    assert clinic().next_change(dt.datetime(2027, 6, 7, 6, 0)) == dt.datetime(
        2027, 6, 7, 7, 0, tzinfo=UTC
    )


def test_closed_dates_are_closed_all_day() -> None:
    christmas = dt.date(2026, 12, 25)
    schedule = clinic(open={christmas.weekday(): ranges("08:00-18:00")})
    assert not schedule.is_open(dt.datetime(2026, 12, 25, 10, 0))
    assert schedule.is_open(dt.datetime(2026, 12, 18, 10, 0))
    # Both closed dates are Fridays: the next opening is the Friday after New Year's Day.
    assert schedule.next_change(dt.datetime(2026, 12, 25, 9, 0)) == local(2027, 1, 8, 8, 0)


def test_next_change_walks_the_week() -> None:
    schedule = clinic()
    when = dt.datetime(2026, 12, 7, 6, 0)  # Monday before opening
    seen = []
    for _ in range(8):
        when = schedule.next_change(when)
        seen.append(when.astimezone(LONDON).strftime("%a %H:%M"))
    assert seen == [
        "Mon 08:00",
        "Mon 18:00",
        "Tue 08:00",
        "Tue 12:00",
        "Tue 13:00",
        "Tue 18:00",
        "Sat 09:00",
        "Sat 12:00",
    ]


def test_next_change_is_strictly_after_and_aware() -> None:
    change = clinic().next_change(dt.datetime(2026, 12, 7, 8, 0))
    assert change == local(2026, 12, 7, 18, 0)
    assert change.tzinfo is not None


def test_no_open_day_means_no_change() -> None:
    assert clinic(open={}).next_change(dt.datetime(2026, 12, 7)) is None
    assert not clinic(open={}).is_open(dt.datetime(2026, 12, 7, 12))


def test_many_closed_dates_in_a_row() -> None:
    closed = frozenset(dt.date(2027, 7, 1) + dt.timedelta(n) for n in range(60))
    schedule = clinic(closed_dates=closed)
    change = schedule.next_change(dt.datetime(2027, 6, 30, 20, 0))
    assert change is not None and change.astimezone(LONDON).date() == dt.date(2027, 8, 30)


def test_touching_ranges_are_one_opening() -> None:
    schedule = clinic(open={MON: ranges("08:00-12:00", "12:00-24:00"), TUE: ranges("00:00-02:00")})
    assert schedule.is_open(dt.datetime(2026, 12, 7, 23, 59))
    assert schedule.is_open(dt.datetime(2026, 12, 8, 0, 0))
    assert schedule.next_change(dt.datetime(2026, 12, 7, 9, 0)) == local(2026, 12, 8, 2, 0)


# -- daylight saving: London goes forward at 01:00 GMT on 2027-03-28 and back at 02:00 BST
# (01:00 GMT) on 2027-10-31, both Sundays.


def test_a_range_over_the_skipped_hour() -> None:
    schedule = clinic(open={SUN: ranges("00:30-03:00")})
    assert schedule.is_open(dt.datetime(2027, 3, 28, 0, 59, tzinfo=UTC))
    assert schedule.is_open(dt.datetime(2027, 3, 28, 1, 0, tzinfo=UTC))  # 02:00 BST
    # 03:00 BST is 02:00 UTC: the opening is 1.5 hours long that night, not 2.5.
    assert schedule.next_change(dt.datetime(2027, 3, 28, 0, 40)) == dt.datetime(
        2027, 3, 28, 2, 0, tzinfo=UTC
    )


def test_a_boundary_in_the_skipped_hour_happens_when_the_clocks_go_forward() -> None:
    schedule = clinic(open={SUN: ranges("01:30-03:00")})
    start = schedule.next_change(dt.datetime(2027, 3, 28, 0, 0))
    assert start == dt.datetime(2027, 3, 28, 1, 0, tzinfo=UTC)  # 01:00 GMT = 02:00 BST
    assert not schedule.is_open(dt.datetime(2027, 3, 28, 0, 59, 59, tzinfo=UTC))
    assert schedule.is_open(start)
    assert schedule.next_change(start) == dt.datetime(2027, 3, 28, 2, 0, tzinfo=UTC)


def test_a_range_wholly_in_the_skipped_hour_never_opens() -> None:
    schedule = clinic(open={SUN: ranges("01:10-01:50")}, closed_dates=frozenset())
    change = schedule.next_change(dt.datetime(2027, 3, 27, 12, 0))
    assert change == local(2027, 4, 4, 1, 10)


def test_naive_time_in_the_skipped_hour_reads_as_the_change() -> None:
    assert clinic().wall_to_instant(dt.datetime(2027, 3, 28, 1, 30)) == dt.datetime(
        2027, 3, 28, 1, 0, tzinfo=UTC
    )


def test_a_close_in_the_repeated_hour_happens_once() -> None:
    schedule = clinic(open={SUN: ranges("00:00-01:30")})
    close = schedule.next_change(dt.datetime(2027, 10, 31, 0, 10))
    assert close == dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # the first 01:30, BST
    # The wall clock reads 01:00-01:30 again (GMT): still closed.
    assert not schedule.is_open(local(2027, 10, 31, 1, 15, fold=1))
    assert schedule.next_change(close) == local(2027, 11, 7, 0, 0)


def test_an_opening_in_the_repeated_hour_lasts_through_it() -> None:
    schedule = clinic(open={SUN: ranges("01:30-03:00")})
    start = schedule.next_change(dt.datetime(2027, 10, 30, 12, 0))
    assert start == dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert schedule.is_open(local(2027, 10, 31, 1, 10, fold=1))
    end = schedule.next_change(start)
    assert end == dt.datetime(2027, 10, 31, 3, 0, tzinfo=UTC)  # 03:00 GMT
    assert end - start == dt.timedelta(hours=2, minutes=30)


def test_ordinary_days_around_the_changes_keep_their_hours() -> None:
    schedule = clinic(open={d: ranges("08:00-18:00") for d in range(7)}, closed_dates=frozenset())
    assert schedule.next_change(dt.datetime(2027, 3, 28, 0, 0)) == dt.datetime(
        2027, 3, 28, 7, 0, tzinfo=UTC
    )
    assert schedule.next_change(dt.datetime(2027, 10, 31, 0, 0)) == dt.datetime(
        2027, 10, 31, 8, 0, tzinfo=UTC
    )


# -- waking on a press


def test_a_press_while_closed_wakes_for_wake_minutes() -> None:
    hours = Hours(clinic(wake_minutes=5))
    night = local(2026, 12, 7, 20, 0)
    assert not hours.is_on(night)
    assert hours.press(night) is True
    assert hours.is_on(night + dt.timedelta(minutes=4, seconds=59))
    assert hours.next_change(night) == night + dt.timedelta(minutes=5)
    assert not hours.is_on(night + dt.timedelta(minutes=5))


def test_presses_while_woken_keep_it_on() -> None:
    hours = Hours(clinic(wake_minutes=5))
    night = local(2026, 12, 7, 20, 0)
    hours.press(night)
    later = night + dt.timedelta(minutes=4)
    assert hours.press(later) is False  # a press in the session, not a wake-up
    assert hours.next_change(later) == later + dt.timedelta(minutes=5)


def test_a_press_while_open_is_an_ordinary_press() -> None:
    hours = Hours(clinic())
    assert hours.press(local(2026, 12, 7, 10, 0)) is False
    assert hours.awake_until is None
    assert hours.next_change(local(2026, 12, 7, 10, 0)) == local(2026, 12, 7, 18, 0)


def test_woken_into_an_opening_stays_on_until_it_closes() -> None:
    hours = Hours(clinic(wake_minutes=5))
    early = local(2026, 12, 7, 7, 57)
    hours.press(early)
    assert hours.is_on(local(2026, 12, 7, 8, 1))
    assert hours.next_change(early) == local(2026, 12, 7, 18, 0)


def test_a_wake_ending_before_the_next_opening() -> None:
    hours = Hours(clinic(wake_minutes=5))
    hours.press(local(2026, 12, 7, 7, 0))
    assert hours.next_change(local(2026, 12, 7, 7, 1)) == local(2026, 12, 7, 7, 5)
    assert hours.next_change(local(2026, 12, 7, 7, 6)) == local(2026, 12, 7, 8, 0)
