"""The buzzer heard on its pin, through whole sessions of the real kiosk.

The kiosk runs on the fake clock (mock pins, the dummy display, ``make_kiosk``); presses are
edges on the mock button pin at fake-clock times. What is checked is the buzzer's mock pin:
which edges it went through, when (on the fake clock) and how long each beep lasted.

Two clocks meet on that pin. The main loop turns the buzzer on at once, on the loop's thread,
at the fake-clock time the hold starts or ends (:meth:`Sounder.play`); the rest of a pattern
plays on the buzzer's thread with real sleeps, while the fake clock would race ahead. Timing
only that first edge would not show the three beeps; waiting in real time alone would not
show when they started. So both:

* the buzzer pin is a :class:`ClockedPin`, which stamps every change of state with the fake
  clock's time *and* the real monotonic time;
* just after each moment the test expects a sound (each hold's start and end, known from
  the test's own press times and the hold length), an action in the fake inbox blocks the
  main loop until the buzzer's thread (named "buzzer") has finished, in real time. Fake time
  stands still meanwhile, so a whole pattern is stamped within :data:`LISTEN` fake seconds of
  its start, and its real-time stamps give the lengths of its beeps and gaps. (Were the
  thread renamed, the wait would end at once and the later beeps would land at later fake
  times: the test fails loudly, it does not pass by accident.)

A sound is then a rising edge at a fake-clock time. Each hold must give exactly the start
blip at its start and the three beeps of ``END_PATTERN`` starting at its end (within
:data:`ON_TIME`); any other sound (while idle, a beep late or repeated, one before the clock
was attached) lands outside those moments and fails the test. The real-time lengths are
checked only loosely (a beep is no shorter than planned, and not much longer), which tells
the three-beep end pattern from the start blip without depending on the machine's speed.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import NamedTuple

import pytest
from gpiozero.pins.mock import MockPWMPin

from kiosk.content.config import load_config
from kiosk.core.session import Phase
from kiosk.devices.buzzer import END_PATTERN, START_PATTERN

#: How closely (fake seconds) a sound must start at the moment it belongs to. The loop wakes
#: exactly at a session deadline, so on the fake clock the first edge is exact.
ON_TIME = 0.001
#: Fake seconds after an expected sound at which the test waits for its pattern to finish.
LISTEN = 0.01
#: Real-time slack on each beep and gap: never shorter than planned (less a little timer
#: granularity), at most this much longer on a loaded machine.
EARLY, LATE = 0.02, 0.5
HOLD = 5.0
DEFAULT_BUZZER_PIN = 27


class Change(NamedTuple):
    """One change of the pin's state: fake-clock time (None before the clock was attached),
    the new state, and the real monotonic time."""

    at: float | None
    state: float
    real: float


class Beep(NamedTuple):
    at: float | None  # fake-clock time it started
    seconds: float  # how long it sounded, in real time
    gap: float | None  # real time since the previous beep ended (None for the first)


class ClockedPin(MockPWMPin):
    """A mock pin that stamps each change with the kiosk's fake clock and the real clock."""

    def __init__(self, factory, info) -> None:  # type: ignore[no-untyped-def]
        super().__init__(factory, info)
        self.fake_clock: Callable[[], float] | None = None
        self.changes: list[Change] = []

    def _change_state(self, value):  # type: ignore[no-untyped-def]
        changed = super()._change_state(value)
        if changed:
            at = self.fake_clock() if self.fake_clock else None
            self.changes.append(Change(at, float(value), time.monotonic()))
        return changed


def beeps(pin: ClockedPin) -> list[Beep]:
    """The pin's changes as beeps (an on edge and the next off edge)."""
    found: list[Beep] = []
    on: Change | None = None
    last_off: float | None = None
    for change in pin.changes:
        if change.state and on is None:
            on = change
        elif not change.state and on is not None:
            gap = None if last_off is None else on.real - last_off
            found.append(Beep(on.at, change.real - on.real, gap))
            on, last_off = None, change.real
    assert on is None, f"the buzzer was left on: {pin.changes}"
    return found


def wait_for_the_buzzer() -> None:
    """Block the main loop (the fake clock stands still) until every pattern has played."""
    for thread in threading.enumerate():
        if thread.name == "buzzer":
            thread.join(timeout=3)


def assert_plays(sounds: list[Beep], at: float, pattern: tuple[tuple[float, float], ...]) -> None:
    """The beeps heard from fake time ``at`` (until LISTEN later) are ``pattern``."""
    heard = [b for b in sounds if b.at is not None and at - ON_TIME <= b.at <= at + LISTEN]
    assert len(heard) == len(pattern), sounds
    assert heard[0].at == pytest.approx(at, abs=ON_TIME), heard
    for index, (beep, (on_time, _)) in enumerate(zip(heard, pattern, strict=True)):
        assert on_time - EARLY <= beep.seconds <= on_time + LATE, (index, heard)
        if index:
            off_time = pattern[index - 1][1]
            assert off_time - EARLY <= beep.gap <= off_time + LATE, (index, heard)


def routine(config, buzzer_type: str = "active"):  # type: ignore[no-untyped-def]
    """Two points of the built-in content, the first on both sides: three holds of HOLD s."""
    content = config.content
    first, second = (dataclasses.replace(p, hold_seconds=HOLD) for p in content.points[:2])
    points = (dataclasses.replace(first, sides=2), dataclasses.replace(second, sides=1))
    hardware = dataclasses.replace(config.hardware, buzzer_type=buzzer_type)
    content = dataclasses.replace(content, points=points)
    return dataclasses.replace(config, content=content, hardware=hardware)


@pytest.fixture
def kiosk_with_buzzer(mock_factory, make_kiosk):  # type: ignore[no-untyped-def]
    """A kiosk whose buzzer pin (the configured one, or the default GPIO27 when none is
    configured) is a ClockedPin on the kiosk's fake clock."""

    def make(config):  # type: ignore[no-untyped-def]
        number = config.hardware.buzzer_pin or DEFAULT_BUZZER_PIN
        pin = mock_factory.pin(number, pin_class=ClockedPin)
        kiosk = make_kiosk(config)
        pin.fake_clock = kiosk.clock
        return kiosk, pin

    return make


#: The presses of one session, in seconds after it starts, and which of them start a hold.
#: The last hold's end (23) is the summary, which takes no press in its first 3 seconds.
PRESSES = (1, 2, 3, 10, 17, 18, 27)  # safety, intro, hold, other side, intro, hold, done
HOLD_PRESSES = (3, 10, 18)


def run_a_session(kiosk) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Press through a whole session (three holds), then idle until a minute has passed.
    Returns the fake times the holds started and should end, from the press times."""
    t0 = kiosk.clock.now
    for offset in PRESSES:
        kiosk.press_at(t0 + offset)
    starts = [t0 + offset for offset in HOLD_PRESSES]
    ends = [start + HOLD for start in starts]
    for moment in starts + ends:
        kiosk.inbox.at(moment + LISTEN, wait_for_the_buzzer)
    kiosk.run_until(t0 + 60)
    return starts, ends


@pytest.mark.parametrize("buzzer_type", ["active", "passive"])
def test_each_hold_blips_at_its_start_and_beeps_three_times_at_its_end(
    kiosk_with_buzzer, buzzer_type
) -> None:  # type: ignore[no-untyped-def]
    kiosk, pin = kiosk_with_buzzer(routine(load_config(), buzzer_type))
    holds: list[tuple[float | None, float | None]] = []

    def bounds() -> None:  # what the session itself says the hold's bounds are
        view = kiosk.app.session.view
        holds.append((view.started, view.ends))

    for offset in HOLD_PRESSES:
        kiosk.inbox.at(kiosk.clock.now + offset + LISTEN, bounds)
    starts, ends = run_a_session(kiosk)

    # a press counts from its pin edge, which the mock reports microseconds before its callback
    assert holds == [pytest.approx(hold, abs=1e-3) for hold in zip(starts, ends, strict=True)]
    assert kiosk.app.session.phase is Phase.IDLE  # the session went through to the end
    assert len(pin.states) == len(pin.changes) + 1  # the ClockedPin saw every change
    heard = beeps(pin)
    assert len(heard) == len(starts) * (len(START_PATTERN) + len(END_PATTERN)), heard
    for start, end in zip(starts, ends, strict=True):
        assert_plays(heard, start, START_PATTERN)
        assert_plays(heard, end, END_PATTERN)
    assert not pin.state


def test_an_idle_kiosk_makes_no_sound(kiosk_with_buzzer) -> None:  # type: ignore[no-untyped-def]
    kiosk, pin = kiosk_with_buzzer(load_config())
    t0 = kiosk.clock.now
    kiosk.inbox.at(t0 + 1, wait_for_the_buzzer)  # anything started at start-up plays out
    kiosk.run_until(t0 + 600)
    assert kiosk.app.session.phase is Phase.IDLE
    assert pin.changes == []
    assert len(pin.states) == 1 and not pin.state


def test_no_buzzer_configured_leaves_its_pin_alone(kiosk_with_buzzer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    staff = tmp_path / "config.yaml"
    staff.write_text("hardware:\n  buzzer_pin: null\n")
    config = load_config(staff)
    assert not config.problems and config.hardware.buzzer_pin is None
    kiosk, pin = kiosk_with_buzzer(routine(config))
    outputs: list[list[str]] = []

    def look() -> None:  # just after the first hold ended: which pins drive anything?
        pins = kiosk.factory.pins.items()
        outputs.append([info.name for info, p in pins if p.function == "output"])

    kiosk.inbox.at(kiosk.clock.now + HOLD_PRESSES[0] + HOLD + LISTEN, look)
    run_a_session(kiosk)
    assert kiosk.app.session.phase is Phase.IDLE
    assert pin.changes == [] and pin.function == "input"
    assert outputs == [[f"GPIO{kiosk.config.hardware.led_pin}"]]  # the LED only
