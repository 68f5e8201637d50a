"""One timeline: inputs and deadlines are applied in the order they happened.

Every press carries the time it happened (a GPIO edge's, or the kernel's stamp on a key or
tap), not the time the loop read it. These tests read inputs late and out of order on
purpose and check that the patient sees the screens they would have seen had every input
been read at once.
"""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.content.config import load_config
from kiosk.content.settings import default_timing
from kiosk.core.events import Press, Release
from kiosk.core.session import Effect, Phase, Session, plan_steps

KEY_SPACE = 57


def short_routine(hold: float = 10.0, sides: int = 2):  # type: ignore[no-untyped-def]
    config = load_config()
    content = config.content
    points = tuple(dataclasses.replace(p, hold_seconds=hold, sides=sides) for p in content.points)
    return dataclasses.replace(config, content=dataclasses.replace(content, points=points))


# -- the session ------------------------------------------------------------------------------


def test_a_press_from_before_the_screen_appeared_is_ignored() -> None:
    session = Session(plan_steps([(10.0, 2)]), 1, default_timing(), now=0.0)
    session.press(1.0), session.release(1.1)  # safety
    session.press(2.0), session.release(2.1)  # intro
    session.press(3.0), session.release(3.1)  # the hold, ends at 13.0
    assert session.tick(13.2) == [Effect.HOLD_ENDED]
    # A press 0.3 s before the end, read 0.2 s after it: it was meant for the hold.
    assert session.press(12.7) == []
    session.release(12.8)
    assert session.phase is Phase.DONE
    assert session.press(14.0) == [Effect.HOLD_STARTED]  # a press on "now the other side"


# -- the main loop ----------------------------------------------------------------------------


def test_presses_handed_over_out_of_order_are_applied_in_time_order(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    """Two presses 0.4 s apart (more than the press gap) arrive in one batch, newest first:
    both count, so the patient gets from the start screen to the first point."""
    kiosk = make_kiosk()
    t0 = kiosk.clock.now

    def batch() -> None:
        for event in (Release(t0 + 1.5), Press(t0 + 1.4), Release(t0 + 1.1), Press(t0 + 1.0)):
            kiosk.inbox.put(event)

    kiosk.inbox.at(t0 + 2, batch)
    kiosk.run_until(t0 + 3)
    assert kiosk.app.session.phase is Phase.INTRO


def test_a_key_read_late_around_a_hold_end_does_not_skip_the_other_side(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    """A key pressed 0.3 s before a hold ends but read 0.2 s after: "now the other side"
    stays on screen, and the second side waits for a real press."""
    kiosk = make_kiosk(short_routine())
    t0 = kiosk.clock.now
    for offset in (1, 2, 3):  # safety, intro, the first side's hold (ends at t0 + 13)
        kiosk.press_at(t0 + offset)
    kiosk.key_at(t0 + 12.7, late=0.5)
    kiosk.run_until(t0 + 15)
    assert kiosk.app.session.phase is Phase.DONE
    assert kiosk.app.stats.effects.count(Effect.HOLD_STARTED) == 1


def test_a_hold_started_by_a_key_read_late_starts_when_the_key_went_down(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(short_routine(hold=10.0, sides=1))
    t0 = kiosk.clock.now
    kiosk.press_at(t0 + 1)  # safety
    kiosk.press_at(t0 + 2)  # intro
    kiosk.key_at(t0 + 3, late=0.4)  # starts the hold, read 0.4 s late
    kiosk.run_until(t0 + 4)
    view = kiosk.app.session.view
    assert view.phase is Phase.HOLD
    # the evdev thread converts kernel time as it reads: milliseconds of real time on a
    # loaded machine, against the 0.4 s a hold would start late
    assert view.ends == pytest.approx(t0 + 13, abs=0.05)


def test_two_keys_read_late_together_both_count(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    """Two key presses 0.4 s apart, both read only after the second: two presses, not one."""
    kiosk = make_kiosk()
    t0 = kiosk.clock.now

    def read_late() -> None:  # at t0 + 1.6: down 1.0, up 1.1, down 1.4, up 1.5
        for age, value in ((0.6, 1), (0.5, 0), (0.2, 1), (0.1, 0)):
            kiosk.inputs.send(KEY_SPACE, value, age)
        kiosk.inbox.wait_for_delivery(count=4)

    kiosk.inbox.at(t0 + 1.6, read_late)
    kiosk.run_until(t0 + 3)
    assert kiosk.app.session.phase is Phase.INTRO
