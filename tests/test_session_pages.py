"""Pages in the pure session core: a press turns the page until the last one, and the
timers stay where they belong (plain numbers for time)."""

from kiosk.core.session import (
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
STEPS = plan_steps([(10.0, 2), (20.0, 1)])


def click(session: Session, at: float, pages: int = 1) -> list[Effect]:
    return session.press(at, pages=pages) + session.release(at + 0.1)


def at_safety() -> Session:
    session = Session(STEPS, points=2, timing=TIMING, now=0.0)
    click(session, 1.0)
    assert session.phase is Phase.SAFETY
    return session


def test_a_press_turns_the_page_then_does_what_the_screen_says() -> None:
    session = at_safety()
    assert session.view.page == 0
    assert click(session, 2.0, pages=3) == []
    assert (session.phase, session.view.page) == (Phase.SAFETY, 1)
    click(session, 3.0, pages=3)
    assert (session.phase, session.view.page) == (Phase.SAFETY, 2)
    click(session, 4.0, pages=3)
    assert (session.phase, session.view.page) == (Phase.INTRO, 0)  # a new screen: page 1
    assert click(session, 5.0, pages=2) == []
    assert session.view.page == 1 and session.phase is Phase.INTRO
    assert click(session, 6.0, pages=2) == [Effect.HOLD_STARTED]
    assert session.view.ends == 16.0  # the hold counts from the press that started it


def test_one_page_changes_nothing() -> None:
    session = at_safety()
    click(session, 2.0, pages=1)
    assert session.phase is Phase.INTRO


def test_a_hold_is_never_paged_and_ends_on_time() -> None:
    session = at_safety()
    click(session, 2.0)
    session.press(3.0)  # starts the hold at 3.0
    session.release(3.1)
    click(session, 5.0, pages=3)  # a press during the hold: no page, no end
    assert (session.phase, session.view.page) == (Phase.HOLD, 0)
    assert session.next_deadline() == 13.0
    assert session.tick(13.0) == [Effect.HOLD_ENDED]


def test_idle_and_the_warning_keep_their_one_meaning() -> None:
    session = Session(STEPS, points=2, timing=TIMING, now=0.0)
    assert click(session, 1.0, pages=2) == [Effect.SESSION_STARTED]
    session.tick(1.1 + TIMING.inactivity_seconds)
    assert session.phase is Phase.WARNING
    assert click(session, 70.0, pages=2) == [Effect.RESUMED]
    assert session.phase is Phase.SAFETY


def test_a_page_turn_restarts_the_still_there_timer_and_the_warning_keeps_the_page() -> None:
    session = at_safety()
    click(session, 50.0, pages=2)
    assert session.view.page == 1
    assert session.next_deadline() == 50.0 + TIMING.inactivity_seconds
    session.tick(110.0)
    assert session.phase is Phase.WARNING
    click(session, 115.0, pages=2)
    assert (session.phase, session.view.page) == (Phase.SAFETY, 1)  # where it was


def test_a_long_press_stops_while_turning_a_page() -> None:
    session = at_safety()
    session.press(2.0, pages=2)
    assert session.view.page == 1
    assert session.tick(2.0 + TIMING.long_press_seconds) == [Effect.SESSION_CANCELLED]
    assert session.phase is Phase.IDLE


def test_the_summary_pages_after_its_guard_and_gets_its_time_again() -> None:
    session = Session(plan_steps([(10.0, 1)]), points=1, timing=TIMING, now=0.0)
    click(session, 1.0)
    click(session, 2.0)
    session.press(3.0)
    session.release(3.1)
    session.tick(13.0)
    assert session.phase is Phase.SUMMARY
    click(session, 13.0 + SUMMARY_GUARD_SECONDS / 2, pages=2)
    assert session.view.page == 0  # meant for the hold that ended
    click(session, 20.0, pages=2)
    assert session.view.page == 1
    assert session.view.ends == 20.0 + TIMING.summary_seconds
    assert click(session, 25.0, pages=2) == [Effect.SESSION_COMPLETED]


def test_bounce_does_not_turn_two_pages() -> None:
    session = at_safety()
    session.press(2.0, pages=3)
    session.release(2.05)
    session.press(2.1, pages=3)  # within press_gap_seconds: bounce
    assert session.view.page == 1
