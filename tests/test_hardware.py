"""The gpiozero parts on MockFactory pins: button events, buzzer patterns, LED modes."""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import signal
import subprocess
import sys
import time
import warnings

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


# -- a machine with no GPIO at all ----------------------------------------------------------


@pytest.fixture
def no_pin_factory(monkeypatch):  # type: ignore[no-untyped-def]
    """No pin factory named, none made yet, and each of gpiozero's own failing as it does on
    a PC (a warning for the factory it tried, then BadPinFactory)."""
    from gpiozero import Device
    from gpiozero.exc import BadPinFactory, PinFactoryFallback

    def none_works():  # type: ignore[no-untyped-def]
        name = os.environ.get("GPIOZERO_PIN_FACTORY")
        if name:
            raise BadPinFactory(f"Unable to find pin factory {name!r}")
        fallback = PinFactoryFallback("Falling back from lgpio: No module named 'lgpio'")
        warnings.warn(fallback, stacklevel=2)
        raise BadPinFactory("Unable to load any default pin factory!")

    monkeypatch.delenv("GPIOZERO_PIN_FACTORY", raising=False)
    monkeypatch.setattr(Device, "pin_factory", None)
    monkeypatch.setattr(Device, "_default_pin_factory", staticmethod(none_works))


def gpio_lines(caplog) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]


def test_a_pc_without_gpio_says_so_in_one_line_and_tries_no_part(
    no_pin_factory, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(gpio, "on_raspberry_pi", lambda: False)
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        p = Parts(default_hardware(), Inbox())
    assert gpio_lines(caplog) == [gpio.NO_GPIO]
    assert "keyboard's space or enter" in gpio.NO_GPIO and "click" in gpio.NO_GPIO
    assert "tap" in gpio.NO_GPIO
    assert [str(w.message) for w in shown] == []  # gpiozero's warning only at debug level
    assert "Falling back from lgpio" in caplog.text
    assert p.missing == {} and p.notice is None
    assert p.retry() is False
    assert p.button is None and p.sounder is None and p.led is None
    p.hold_ended()
    p.set_led("invite")
    p.close()


def test_a_raspberry_pi_without_a_pin_factory_still_names_each_part_and_its_cause(
    no_pin_factory, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(gpio, "on_raspberry_pi", lambda: True)
    caplog.set_level(logging.INFO)
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        p = Parts(default_hardware(), Inbox())
    lines = gpio_lines(caplog)
    assert gpio.NO_GPIO not in lines
    for part in ("button", "buzzer", "LED"):
        (line,) = [x for x in lines if x.startswith(f"The {part} on GPIO")]
        assert "cannot be used: no GPIO library works on this machine" in line
    assert set(p.missing) == {"button", "buzzer", "LED"}
    assert any("Falling back from lgpio" in str(w.message) for w in shown)  # gpiozero's own


def test_a_pin_factory_named_on_a_pc_is_tried_and_each_part_says_why(
    no_pin_factory, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    """Someone who names a factory (as the installed kiosk does) wants to hear why it fails."""
    monkeypatch.setattr(gpio, "on_raspberry_pi", lambda: False)
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "no-such-factory")
    caplog.set_level(logging.INFO)
    p = Parts(default_hardware(), Inbox())
    assert gpio.NO_GPIO not in gpio_lines(caplog)
    assert set(p.missing) == {"button", "buzzer", "LED"}


def test_a_dev_run_on_a_pc_without_gpio_prints_one_line_about_gpio(kiosk_env) -> None:  # type: ignore[no-untyped-def]
    """The real command, as `./dev.sh run` starts it on a PC: no pin factory named, none of
    gpiozero's libraries installed, not a Raspberry Pi."""
    if gpio.on_raspberry_pi():
        pytest.skip("this is a Raspberry Pi: it has GPIO")
    found = [m for m in ("lgpio", "RPi", "pigpio") if importlib.util.find_spec(m) is not None]
    if found:
        pytest.skip(f"a GPIO library is installed here ({', '.join(found)})")
    env = kiosk_env()
    del env["GPIOZERO_PIN_FACTORY"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--windowed", "--size", "800x480"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any("Kiosk ready" in x for x in lines):
            lines.append(proc.stderr.readline())
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    log = "".join(lines) + rest
    assert "Kiosk ready" in log, log
    about_gpio = [
        x for x in log.splitlines() if re.search(r"gpio|pin ?factory|button|buzzer|LED", x, re.I)
    ]
    assert about_gpio == [f"INFO kiosk.devices.gpio: {gpio.NO_GPIO}"], log
    assert not re.search(r"^(WARNING|ERROR)|Warning", log, re.M), log
