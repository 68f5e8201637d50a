"""Usage counts, the pure part: records from the session's effects, and tallies from records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from kiosk.content.settings import default_timing
from kiosk.core.session import Effect, Phase, Session, View, plan_steps
from kiosk.core.tallies import (
    ABANDONED,
    CANCELLED,
    COMPLETED,
    HOLD,
    STARTED,
    Record,
    Tracker,
    language_order,
    point_order,
    tally,
)

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # ISO week 2026-W49


def at(minutes: float, days: int = 0) -> datetime:
    return MONDAY + timedelta(days=days, minutes=minutes)


def session(number: int, start: datetime, end: str | None, minutes: float, holds=()) -> list:  # type: ignore[no-untyped-def]
    records = [Record(start, number, STARTED, seconds=0.0)]
    records += [Record(start, number, HOLD, point, side) for point, side in holds]
    if end is not None:
        when = start + timedelta(minutes=minutes)
        records.append(Record(when, number, end, seconds=minutes * 60))
    return records


def test_a_week_counts_sessions_by_how_they_ended() -> None:
    records = [
        *session(1, at(0), COMPLETED, 7, [("UB60", 1), ("UB60", 2), ("LI4", None)]),
        *session(2, at(20), COMPLETED, 9, [("UB60", 1)]),
        *session(3, at(40), COMPLETED, 20, [("LI4", None)]),
        *session(4, at(60), CANCELLED, 1),
        *session(5, at(0, days=2), ABANDONED, 3, [("UB60", 1)]),
        *session(6, at(0, days=3), None, 0),  # the kiosk restarted mid-session
    ]
    (week,) = tally(records, by="week")
    assert week.period == "2026-W49"
    assert (week.started, week.completed, week.cancelled, week.abandoned) == (6, 3, 1, 1)
    assert week.median_minutes == 9  # of 7, 9 and 20 minutes (not their mean, 12)
    # sessions, not holds: session 1 did UB60 on both sides, once
    assert week.reach == {"UB60": 3, "LI4": 2}


def test_days_and_weeks_split_where_the_calendar_does() -> None:
    records = [
        *session(1, at(0), COMPLETED, 6),
        *session(2, at(0, days=1), COMPLETED, 10),
        *session(3, at(30, days=1), COMPLETED, 20),
        *session(4, at(0, days=7), CANCELLED, 2),  # the next Monday
    ]
    days = tally(records, by="day")
    assert [d.period for d in days] == ["2026-11-30", "2026-12-01", "2026-12-07"]
    assert [d.started for d in days] == [1, 2, 1]
    assert [d.median_minutes for d in days] == [6, 15, None]
    weeks = tally(records, by="week")
    assert [(w.period, w.started, w.completed) for w in weeks] == [
        ("2026-W49", 3, 3),
        ("2026-W50", 1, 0),
    ]


def test_a_session_counts_in_the_period_it_started_in() -> None:
    late = datetime(2026, 12, 6, 23, 58, tzinfo=UTC)  # Sunday night, ends on Monday
    weeks = tally(session(1, late, COMPLETED, 7), by="week")
    assert [(w.period, w.started, w.completed) for w in weeks] == [("2026-W49", 1, 1)]


def test_periods_are_in_the_time_zone_asked_for() -> None:
    evening = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert tally(session(1, evening, None, 0), by="day")[0].period == "2026-12-01"
    east = timezone(timedelta(hours=2))
    assert tally(session(1, evening, None, 0), by="day", tz=east)[0].period == "2026-12-02"


def test_since_leaves_out_earlier_sessions() -> None:
    records = [*session(1, at(0), COMPLETED, 5), *session(2, at(0, days=2), COMPLETED, 9)]
    days = tally(records, by="day", since=date(2026, 12, 1))
    assert [(d.period, d.started) for d in days] == [("2026-12-02", 1)]


def test_length_falls_back_to_the_wall_clock_without_seconds() -> None:
    records = [
        Record(at(0), 1, STARTED),
        Record(at(12), 1, COMPLETED),  # a version 1 record: no seconds
    ]
    assert tally(records)[0].median_minutes == 12


def test_no_records_no_tallies() -> None:
    assert tally([]) == []
    with pytest.raises(ValueError):
        tally([], by="month")
    with pytest.raises(ValueError):
        Record(at(0), 1, "coffee")


def test_point_order_is_the_order_patients_met_them() -> None:
    records = session(1, at(0), None, 0, [("UB40", 1), ("UB60", 1), ("UB40", 2)])
    assert point_order(records) == ["UB40", "UB60"]


# -- the tracker: records from a real session, driven by plain numbers ---------------------

IDS = ("UB60", "LI4")
STEPS = plan_steps([(30.0, 2), (45.0, 1)])  # UB60 both sides, then LI4
WALL = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


class Driven:
    """A session and a tracker fed as the main loop feeds them."""

    def __init__(self) -> None:
        self.timing = default_timing()
        self.session = Session(STEPS, len(IDS), self.timing, now=0.0)
        self.tracker = Tracker(IDS, STEPS)
        self.records: list[Record] = []

    def feed(self, effects: list[Effect], now: float) -> None:
        wall = WALL + timedelta(seconds=now)
        self.records += self.tracker.note(effects, self.session.view, wall, now)

    def press(self, now: float, hold: float = 0.1) -> None:
        self.feed(self.session.tick(now), now)
        self.feed(self.session.press(now), now)
        self.feed(self.session.release(now + hold), now + hold)

    def wait(self, now: float) -> None:
        while (due := self.session.next_deadline()) is not None and due <= now:
            self.feed(self.session.tick(due), due)


def test_a_completed_session_records_its_start_each_hold_and_its_end() -> None:
    run = Driven()
    run.press(1)  # safety
    run.press(2)  # intro UB60
    run.press(3)  # hold side 1
    run.wait(34)
    run.press(35)  # hold side 2
    run.wait(66)
    run.press(67)  # intro LI4
    run.press(68)  # hold
    run.wait(114)  # summary
    run.press(120)  # back to the start
    assert [(r.kind, r.point, r.side) for r in run.records] == [
        (STARTED, None, None),
        (HOLD, "UB60", 1),
        (HOLD, "UB60", 2),
        (HOLD, "LI4", None),
        (COMPLETED, None, None),
    ]
    assert {r.session for r in run.records} == {1}
    assert run.records[-1].seconds == pytest.approx(119)
    assert run.records[-1].at == WALL + timedelta(seconds=120)


def test_a_long_press_records_the_screen_it_stopped_on() -> None:
    run = Driven()
    run.press(1)
    run.press(2)
    run.press(3)  # hold UB60 side 1
    run.wait(34)  # done: now the other side
    run.press(35, hold=3.0)  # the other side's hold, then held on: cancelled
    assert run.session.phase is Phase.IDLE
    end = run.records[-1]
    assert (end.kind, end.phase, end.point) == (CANCELLED, "hold", "UB60")
    assert end.seconds == pytest.approx(38 - 1)  # carried out at the release, at 38


def test_an_abandoned_session_records_the_screen_the_question_interrupted() -> None:
    run = Driven()
    run.press(1)
    run.press(2)  # intro UB60
    run.press(3)
    run.wait(34)  # done after side 1
    run.wait(34 + run.timing.inactivity_seconds + run.timing.warning_seconds + 1)
    end = run.records[-1]
    assert (end.kind, end.phase, end.point) == (ABANDONED, "done", "UB60")
    kinds = [r.kind for r in run.records]
    assert kinds == [STARTED, HOLD, ABANDONED]


def test_abandoned_on_the_safety_screen_names_no_point() -> None:
    run = Driven()
    run.press(1)
    run.wait(1 + run.timing.inactivity_seconds + run.timing.warning_seconds + 1)
    end = run.records[-1]
    assert (end.kind, end.phase, end.point) == (ABANDONED, "safety", None)


def test_sessions_are_numbered_one_after_another() -> None:
    run = Driven()
    for start in (1, 100, 200):
        run.press(start)
        run.press(start + 1, hold=3.0)  # cancelled on the first intro
    starts = [r.session for r in run.records if r.kind == STARTED]
    ends = [(r.session, r.kind, r.phase) for r in run.records if r.kind != STARTED]
    assert starts == [1, 2, 3]
    assert ends == [(n, CANCELLED, "intro") for n in (1, 2, 3)]


def test_nothing_is_recorded_without_effects_or_for_a_session_never_seen_starting() -> None:
    tracker = Tracker(IDS, STEPS)
    assert tracker.note([], View(Phase.IDLE), WALL, 0.0) == []
    assert tracker.note([Effect.SESSION_COMPLETED], View(Phase.IDLE), WALL, 1.0) == []
    assert tracker.note([Effect.BUTTON_STUCK, Effect.RESUMED], View(Phase.IDLE), WALL, 1) == []


def test_a_started_session_names_its_language_and_the_tally_counts_them() -> None:
    steps = plan_steps([(10.0, 1)])
    tracker = Tracker(["UB60"], steps, ("en", "es"))
    records = []
    for number, language in enumerate((1, 0, 1)):
        view = View(Phase.SAFETY, language=language)
        now = 100.0 * number
        records += tracker.note([Effect.SESSION_STARTED], view, at(number), now)
        records += tracker.note([Effect.SESSION_CANCELLED], View(Phase.IDLE), at(number), now + 1)
    assert [r.language for r in records if r.kind == STARTED] == ["es", "en", "es"]
    assert language_order(records) == ["es", "en"]
    (week,) = tally(records)
    assert week.languages == {"es": 2, "en": 1}
    untold = Tracker(["UB60"], steps).note([Effect.SESSION_STARTED], View(Phase.SAFETY), at(0), 0)
    assert untold[0].language is None
