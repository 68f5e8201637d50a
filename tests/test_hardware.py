"""The gpiozero parts on MockFactory pins: button events, buzzer patterns, LED modes."""

from __future__ import annotations

import time

import pytest
from gpiozero.pins.mock import MockPin

from kiosk.content.settings import default_hardware
from kiosk.core.events import Inbox, Press, Release
from kiosk.devices import gpio
from kiosk.devices.buzzer import END_PATTERN
from kiosk.devices.gpio import Parts


def wait_for(predicate, timeout: float = 2.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.005)
    return False


@pytest.fixture
def parts(mock_factory):  # type: ignore[no-untyped-def]
    made = []

    def make(**settings):  # type: ignore[no-untyped-def]
        p = Parts(default_hardware(**settings), Inbox(), clock=lambda: 42.0)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


def test_button_hands_over_stamped_events(parts, mock_factory) -> None:  # type: ignore[no-untyped-def]
    p = parts()
    pin = mock_factory.pin(17)
    pin.drive_low()
    pin.drive_high()
    assert p.inbox.get(0) == Press(pytest.approx(42.0, abs=1e-3))
    assert p.inbox.get(0) == Release(pytest.approx(42.0, abs=1e-3))
    assert p.inbox.get(0) is None


def test_button_events_carry_the_edge_time_not_the_callback_time(parts, mock_factory) -> None:  # type: ignore[no-untyped-def]
    """lgpio reports each edge with the kernel's time stamp, which can be older than the
    callback (a busy thread): the press is stamped when the edge happened."""
    p = parts()
    pin = mock_factory.pin(17)
    # A falling edge 0.2 s ago, reported the way lgpio's pin class reports one to gpiozero.
    super(MockPin, pin)._call_when_changed(mock_factory.ticks() - 0.2, False)
    assert p.inbox.get(0) == Press(pytest.approx(42.0 - 0.2, abs=1e-3))


def test_active_buzzer_plays_the_end_pattern(parts, mock_factory) -> None:  # type: ignore[no-untyped-def]
    p = parts()
    pin = mock_factory.pin(27)
    p.hold_ended()
    assert pin.state  # the first beep starts at once, on the caller's thread
    total = sum(on + off for on, off in END_PATTERN)
    assert wait_for(lambda: not p.sounder._thread.is_alive(), total + 1)
    highs = [s for s in pin.states if s.state]
    assert len(highs) == len(END_PATTERN)
    assert not pin.state


def test_passive_buzzer_plays_a_tone(parts, mock_factory) -> None:  # type: ignore[no-untyped-def]
    p = parts(buzzer_type="passive", buzzer_tone_hz=660)
    pin = mock_factory.pin(27)
    p.hold_started()
    assert pin.frequency == pytest.approx(660)
    assert wait_for(lambda: not pin.state)


def test_led_blinks_slowly_when_idle_and_is_on_or_off_in_a_session(
    parts, mock_factory, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(gpio, "INVITE_ON", 0.06)  # the real pattern, only quicker
    monkeypatch.setattr(gpio, "INVITE_OFF", 0.04)
    p = parts()
    pin = mock_factory.pin(22)
    pin.clear_states()
    p.set_led("invite")
    time.sleep(0.35)
    p.set_led("on")
    changes = pin.states[2:]  # after clearing and the blink's first "on"
    lit = [c.timestamp for c in changes if c.state == 0]  # how long it was lit before going dark
    dark = [c.timestamp for c in changes if c.state == 1][:-1]  # ...and dark before lit again
    assert len(lit) >= 2 and len(dark) >= 2
    assert all(0.05 <= t <= 0.1 for t in lit), lit
    assert all(0.03 <= t <= 0.08 for t in dark), dark
    assert pin.state == 1
    settled = len(pin.states)
    time.sleep(0.15)
    assert len(pin.states) == settled  # "on" stopped the blinking
    p.set_led("off")
    assert pin.state == 0


def test_close_leaves_buzzer_and_led_off(parts, mock_factory) -> None:  # type: ignore[no-untyped-def]
    p = parts()
    p.set_led("on")
    p.hold_ended()
    p.close()
    assert not mock_factory.pin(27).state
    assert not mock_factory.pin(22).state


def test_parts_left_out_when_not_configured(parts) -> None:  # type: ignore[no-untyped-def]
    p = parts(buzzer_pin=None, led_pin=None)
    assert p.sounder is None and p.led is None
    p.hold_ended()
    p.set_led("invite")  # nothing to do, no error
