"""The session's language: the idle cycle shows each card in every language, a press starts
the session in the language on screen (or the one a tap picked), the whole session stays in
it, and the next one starts from the default again. Plain numbers for time."""

from __future__ import annotations

from test_session import STEPS, TIMING

from kiosk.core.session import Effect, Phase, Session, plan_steps


def make(languages: int = 2) -> Session:
    return Session(STEPS, points=2, timing=TIMING, now=0.0, languages=languages)


def click(session: Session, at: float, language: int | None = None) -> list[Effect]:
    effects = session.press(at, language)
    return effects + session.release(at + 0.1)


def cards(session: Session, count: int) -> list[tuple[int, int]]:
    """(point, language) of the idle screen on each of ``count`` turns of the cycle."""
    seen = []
    for _ in range(count):
        seen.append((session.view.point, session.view.language))
        session.tick(session.next_deadline())
    return seen


def test_each_card_in_every_language_then_the_next_card() -> None:
    assert cards(make(2), 5) == [(0, 0), (0, 1), (1, 0), (1, 1), (0, 0)]
    assert cards(make(3), 4) == [(0, 0), (0, 1), (0, 2), (1, 0)]


def test_one_language_cycles_points_as_before() -> None:
    assert cards(make(1), 3) == [(0, 0), (1, 0), (0, 0)]


def test_one_point_in_two_languages_still_cycles() -> None:
    session = Session(plan_steps([(10.0, 1)]), points=1, timing=TIMING, now=0.0, languages=2)
    assert session.next_deadline() == 5
    assert cards(session, 3) == [(0, 0), (0, 1), (0, 0)]


def test_a_long_sleep_catches_up_on_the_right_card() -> None:
    session = make(2)
    session.tick(5 * 6 + 1)  # six turns on: the cycle of four cards, then two more
    assert (session.view.point, session.view.language) == (1, 0)
    assert session.next_deadline() == 35


def test_press_starts_in_the_language_on_screen_and_keeps_it_to_the_end() -> None:
    session = make(2)
    session.tick(5)  # card 1 in language 1
    assert session.view.language == 1
    now = 6.0
    assert Effect.SESSION_STARTED in click(session, now)
    languages = set()
    while session.phase is not Phase.SUMMARY:
        languages.add(session.view.language)
        if session.phase is Phase.HOLD:
            now = session.view.ends
            session.tick(now)
        else:
            now += 1
            click(session, now)
    languages.add(session.view.language)
    assert languages == {1}
    click(session, now + 5)  # the summary's press: back to the start
    assert session.phase is Phase.IDLE
    assert session.view.language == 0


def test_a_tap_on_a_mark_picks_that_language() -> None:
    session = make(3)
    assert session.view.language == 0
    click(session, 1.0, language=2)
    assert session.phase is Phase.SAFETY and session.view.language == 2


def test_a_language_out_of_range_is_an_ordinary_press() -> None:
    session = make(2)
    click(session, 1.0, language=7)
    assert session.phase is Phase.SAFETY and session.view.language == 0


def test_a_mark_in_a_session_changes_nothing() -> None:
    session = make(2)
    click(session, 1.0, language=1)
    click(session, 2.0, language=0)  # the safety screen has no marks: a press goes on
    assert session.phase is Phase.INTRO and session.view.language == 1


def test_the_warning_and_what_it_resumes_keep_the_language() -> None:
    session = make(2)
    click(session, 1.0, language=1)
    session.tick(1.1 + TIMING.inactivity_seconds)
    assert session.phase is Phase.WARNING and session.view.language == 1
    click(session, 70.0)
    assert session.phase is Phase.SAFETY and session.view.language == 1


def test_cancel_and_abandon_go_back_to_the_default() -> None:
    session = make(2)
    click(session, 1.0, language=1)
    session.press(3.0)
    session.tick(3.0 + TIMING.long_press_seconds)
    assert session.phase is Phase.IDLE and session.view.language == 0
    session.release(6.0)
    click(session, 7.0, language=1)
    session.tick(7.1 + TIMING.inactivity_seconds + TIMING.warning_seconds)
    assert session.phase is Phase.IDLE and session.view.language == 0
