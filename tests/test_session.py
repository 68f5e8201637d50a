"""The pure session core, driven with plain numbers for time."""

import pytest

from kiosk.core.session import (
    CANCEL_HINT_SHARE,
    STUCK_SECONDS,
    SUMMARY_GUARD_SECONDS,
    Effect,
    Phase,
    Session,
    Timing,
    plan_steps,
)

TIMING = Timing(
    idle_cycle_seconds=5,
    inactivity_seconds=60,
    warning_seconds=20,
    summary_seconds=30,
    long_press_seconds=2.5,
    press_gap_seconds=0.3,
)
# Point 0 both sides (10 s), point 1 one side (20 s).
STEPS = plan_steps([(10.0, 2), (20.0, 1)])


def make(now: float = 0.0) -> Session:
    return Session(STEPS, points=2, timing=TIMING, now=now)


def click(session: Session, at: float) -> list[Effect]:
    effects = session.press(at)
    return effects + session.release(at + 0.1)


def test_plan_steps_expands_sides() -> None:
    assert [(s.point, s.side, s.sides) for s in STEPS] == [(0, 0, 2), (0, 1, 2), (1, 0, 1)]


def test_idle_cycles_points() -> None:
    s = make()
    assert s.next_deadline() == 5
    s.tick(5)
    assert s.view.point == 1
    s.tick(10)
    assert s.view.point == 0
    # a late tick (time jump) catches up without firing twice per deadline
    s.tick(27)
    assert s.view.point == 1 and s.next_deadline() == 30


def test_whole_session_both_sides() -> None:
    s = make()
    assert click(s, 1) == [Effect.SESSION_STARTED]
    assert s.phase is Phase.SAFETY
    click(s, 2)
    assert (s.phase, s.view.step) == (Phase.INTRO, 0)
    assert click(s, 3) == [Effect.HOLD_STARTED]
    assert s.view.ends == 13
    assert s.next_deadline() == 13
    assert s.tick(12.999) == []
    assert s.tick(13) == [Effect.HOLD_ENDED]
    assert (s.phase, s.view.step) == (Phase.DONE, 0)
    # the other side starts straight from the "now the other side" screen
    assert click(s, 14) == [Effect.HOLD_STARTED]
    assert (s.phase, s.view.step) == (Phase.HOLD, 1)
    assert s.tick(24) == [Effect.HOLD_ENDED]
    click(s, 25)
    assert (s.phase, s.view.point, s.view.step) == (Phase.INTRO, 1, 2)
    click(s, 26)
    # the last hold's end goes straight to the summary: no "that was the last point" press
    assert s.tick(46) == [Effect.HOLD_ENDED]
    assert s.phase is Phase.SUMMARY and s.view.ends == 76
    assert click(s, 47) == []  # meant for the hold that ended: the summary stays
    assert s.phase is Phase.SUMMARY
    assert click(s, 46 + SUMMARY_GUARD_SECONDS + 0.5) == [Effect.SESSION_COMPLETED]
    assert s.phase is Phase.IDLE


def test_summary_times_out_to_idle() -> None:
    s = make()
    for t in (1, 2, 3):
        click(s, t)
    s.tick(13)
    click(s, 14)
    s.tick(24)
    click(s, 25)
    click(s, 26)
    s.tick(46)
    assert s.tick(75.9) == []
    assert s.tick(76) == [Effect.SESSION_COMPLETED]
    assert s.phase is Phase.IDLE


def test_press_during_hold_never_ends_it() -> None:
    s = make()
    click(s, 1)
    click(s, 2)
    click(s, 3)
    for t in (3.2, 3.5, 4.0, 8.0, 12.8):
        assert click(s, t) == []
        assert s.phase is Phase.HOLD
    assert s.tick(13) == [Effect.HOLD_ENDED]


def test_bounce_is_ignored() -> None:
    s = make()
    s.press(1.0)
    s.release(1.002)
    s.press(1.004)  # contact bounce
    s.release(1.006)
    s.press(1.008)
    s.release(1.1)
    assert s.phase is Phase.SAFETY


def test_duplicate_down_edge_is_ignored() -> None:
    s = make()
    s.press(1.0)
    s.press(1.5)
    assert s.phase is Phase.SAFETY


def test_long_press_cancels_session() -> None:
    s = make()
    click(s, 1)
    click(s, 2)
    s.press(3)  # starts the hold
    assert s.view.cancel_at is None
    assert s.next_deadline() == 4.0  # the screen warns after 1 s of the 2.5 s
    assert s.tick(4.0) == []
    assert (s.view.cancel_from, s.view.cancel_at) == (3, 5.5)
    assert s.phase is Phase.HOLD  # the hold goes on meanwhile
    assert s.next_deadline() == 5.5
    assert s.tick(5.5) == [Effect.SESSION_CANCELLED]
    assert s.view.cancel_at is None
    assert s.phase is Phase.IDLE
    s.release(6)
    assert s.phase is Phase.IDLE


def test_stuck_button_reported_once_and_starts_nothing() -> None:
    s = make()
    s.press(1)  # starts a session
    s.tick(3.5)
    assert s.phase is Phase.IDLE
    assert s.tick(1 + STUCK_SECONDS) == [Effect.BUTTON_STUCK]
    assert s.tick(1000) == []  # reported once: held down on and on, nothing more happens
    assert s.phase is Phase.IDLE
    assert s.button_down
    assert 1000 < s.next_deadline() <= 1000 + TIMING.idle_cycle_seconds  # only the idle cycle


def test_inactivity_warning_then_idle() -> None:
    s = make()
    click(s, 1)
    assert s.next_deadline() == 61
    assert s.tick(61) == [Effect.WARNING_STARTED]
    assert s.phase is Phase.WARNING
    assert s.view.seconds_left(61) == 20
    assert s.view.seconds_left(61.5) == 20
    assert s.view.seconds_left(62) == 19
    assert s.tick(81) == [Effect.SESSION_ABANDONED]
    assert s.phase is Phase.IDLE


def test_press_in_warning_resumes_the_same_screen() -> None:
    s = make()
    click(s, 1)
    click(s, 2)
    before = s.view
    s.tick(62)
    assert s.phase is Phase.WARNING
    assert click(s, 70) == [Effect.RESUMED]
    assert s.view == before
    assert s.next_deadline() == 130


def test_warning_never_during_a_hold() -> None:
    long_steps = plan_steps([(200.0, 1)])
    s = Session(long_steps, points=1, timing=TIMING, now=0)
    click(s, 1)
    click(s, 2)
    click(s, 3)
    assert s.tick(150) == []
    assert s.tick(203) == [Effect.HOLD_ENDED]
    assert s.phase is Phase.SUMMARY and s.next_deadline() == 233


def test_time_jump_runs_every_deadline_in_order() -> None:
    s = make()
    click(s, 1)
    click(s, 2)
    click(s, 3)
    effects = s.tick(10_000)
    assert effects == [Effect.HOLD_ENDED, Effect.WARNING_STARTED, Effect.SESSION_ABANDONED]
    assert s.phase is Phase.IDLE


@pytest.mark.parametrize("hold", [0.25, 1.0, 7.5, 180.0])
def test_hold_ends_exactly_on_time(hold: float) -> None:
    s = Session(plan_steps([(hold, 1)]), points=1, timing=TIMING, now=0)
    click(s, 1)
    click(s, 2)
    s.press(3.0)
    hint = TIMING.long_press_seconds * CANCEL_HINT_SHARE
    assert s.next_deadline() == pytest.approx(3.0 + min(hold, hint))
    s.release(3.05)
    assert s.next_deadline() == 3.0 + hold
    assert s.tick(3.0 + hold - 1e-6) == []
    assert s.tick(3.0 + hold) == [Effect.HOLD_ENDED]


def test_rejects_empty_routine() -> None:
    with pytest.raises(ValueError):
        Session((), points=0, timing=TIMING, now=0)


def test_letting_go_in_time_carries_on_as_if_nothing_happened() -> None:
    s = make()
    click(s, 1)
    click(s, 2)  # the first point's intro
    s.press(3)  # starts the hold, and is held on
    s.tick(4.5)
    assert s.view.cancel_at == 5.5
    s.release(5.4)
    assert s.view.cancel_from is None and s.view.cancel_at is None
    assert s.phase is Phase.HOLD and s.next_deadline() == 13  # the hold's end, nothing else
    assert s.tick(13) == [Effect.HOLD_ENDED]


def test_no_stop_warning_once_stopped() -> None:
    """Held on after the long press stopped the session: idle says nothing about stopping."""
    s = make()
    s.press(1)  # starts a session; held on, it stops it again
    assert s.next_deadline() == 2.0
    s.tick(2.0)
    assert s.view.cancel_at == 3.5
    s.tick(3.5)
    assert s.phase is Phase.IDLE and s.view.cancel_at is None
    s.tick(10)
    assert s.view.cancel_at is None
