"""Whole sessions through the real main loop: mock pins, the dummy display, a fake clock."""

from __future__ import annotations

import dataclasses
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.content.config import load_config
from kiosk.core.session import Effect, Phase
from kiosk.ui.tour import tour


def short_config(hold: float = 10.0, sides: int = 1):  # type: ignore[no-untyped-def]
    """The built-in config with a short two-point routine (first point ``sides`` sides)."""
    config = load_config()
    content = config.content
    points = tuple(
        dataclasses.replace(p, hold_seconds=hold, sides=sides if i == 0 else 1)
        for i, p in enumerate(content.points[:2])
    )
    return dataclasses.replace(config, content=dataclasses.replace(content, points=points))


def test_whole_session_buzzes_once_per_hold(make_kiosk) -> None:
    kiosk = make_kiosk(short_config(hold=10.0, sides=2))
    t0 = kiosk.clock.now
    for offset in (1, 2, 3):  # safety, intro, start hold 1
        kiosk.press_at(t0 + offset)
    kiosk.press_at(t0 + 14)  # other side: starts hold 2
    kiosk.press_at(t0 + 25)  # next point intro
    kiosk.press_at(t0 + 26)  # hold 3, the last: its end (t0 + 36) is the summary
    kiosk.press_at(t0 + 37)  # meant for the hold just ended: the summary stays
    kiosk.inbox.at(t0 + 38, lambda: phases.append(kiosk.app.session.phase))
    kiosk.press_at(t0 + 40)  # back to idle
    phases: list[Phase] = []
    kiosk.run_until(t0 + 41)
    effects = kiosk.app.stats.effects
    assert effects.count(Effect.HOLD_STARTED) == 3
    assert effects.count(Effect.HOLD_ENDED) == 3
    assert phases == [Phase.SUMMARY]
    assert effects[-1] is Effect.SESSION_COMPLETED
    assert kiosk.app.session.phase is Phase.IDLE


def test_hold_ends_exactly_hold_seconds_after_the_press(make_kiosk, monkeypatch) -> None:
    kiosk = make_kiosk(short_config(hold=7.25))
    ended: list[float] = []
    parts = kiosk.app.parts
    original = parts.hold_ended
    monkeypatch.setattr(parts, "hold_ended", lambda: (ended.append(kiosk.clock()), original()))
    t0 = kiosk.clock.now
    kiosk.press_at(t0 + 1)
    kiosk.press_at(t0 + 2)
    kiosk.press_at(t0 + 3.5)
    kiosk.run_until(t0 + 20)
    # the press is stamped at the pin's edge (the mock's callback comes microseconds later)
    assert ended == [pytest.approx(t0 + 3.5 + 7.25, abs=1e-3)]
    # the buzzer pin went high when the hold ended
    assert any(state.state for state in kiosk.buzzer.states)


def test_press_early_in_hold_and_bounce_skip_nothing(make_kiosk) -> None:
    kiosk = make_kiosk(short_config(hold=10.0))
    t0 = kiosk.clock.now
    kiosk.press_at(t0 + 1)
    kiosk.press_at(t0 + 2)
    kiosk.press_at(t0 + 3)  # hold starts
    for bounce in (0.004, 0.009, 0.5, 0.9):  # bounces and a press in the first second
        kiosk.inbox.at(t0 + 3 + bounce, kiosk.button.drive_low)
        kiosk.inbox.at(t0 + 3 + bounce + 0.002, kiosk.button.drive_high)
    kiosk.run_until(t0 + 12)
    assert kiosk.app.session.phase is Phase.HOLD
    assert kiosk.app.stats.effects.count(Effect.HOLD_STARTED) == 1


def test_long_press_returns_to_idle(make_kiosk) -> None:
    kiosk = make_kiosk(short_config())
    t0 = kiosk.clock.now
    kiosk.press_at(t0 + 1)
    kiosk.press_at(t0 + 2)
    kiosk.press_at(t0 + 3, duration=3.0)
    kiosk.run_until(t0 + 7)
    assert kiosk.app.session.phase is Phase.IDLE
    assert Effect.SESSION_CANCELLED in kiosk.app.stats.effects


def test_abandoned_session_warns_then_goes_idle(make_kiosk) -> None:
    kiosk = make_kiosk(short_config())
    timing = kiosk.config.timing
    t0 = kiosk.clock.now
    kiosk.press_at(t0 + 1)
    kiosk.run_until(t0 + 1 + timing.inactivity_seconds + timing.warning_seconds + 1)
    effects = kiosk.app.stats.effects
    assert effects[-2:] == [Effect.WARNING_STARTED, Effect.SESSION_ABANDONED]
    assert kiosk.app.session.phase is Phase.IDLE


def test_loop_sleeps_between_changes(make_kiosk) -> None:
    """Idle for ten minutes: few frames, no spinning (the fake clock counts the waits)."""
    kiosk = make_kiosk()
    t0 = kiosk.clock.now
    kiosk.run_until(t0 + 600)
    stats = kiosk.app.stats
    cycles = 600 / kiosk.config.timing.idle_cycle_seconds
    assert stats.frames <= cycles + 2
    # wake-ups are the idle cycle and, once after start, one per screen laid out in the
    # background: input wakes the loop, nothing polls
    assert stats.wakeups <= cycles + len(tour(kiosk.config)) + 5
    # no spinning: a zero timeout only drains events that came (a screen laid out at start)
    assert sum(1 for wait in kiosk.inbox.waits if wait <= 0) <= len(tour(kiosk.config)) + 5


def test_hold_repaints_only_the_ring_each_second(make_kiosk) -> None:
    kiosk = make_kiosk(short_config(hold=30.0))
    t0 = kiosk.clock.now
    for offset in (1, 2, 3):
        kiosk.press_at(t0 + offset)
    kiosk.run_until(t0 + 3 + 29.5)
    stats = kiosk.app.stats
    assert 28 <= stats.partial_frames <= 31
    assert stats.frames - stats.partial_frames <= 6


def test_failing_screen_goes_back_to_idle(make_kiosk, monkeypatch, caplog) -> None:
    kiosk = make_kiosk(short_config())
    screens = kiosk.app.renderer.screens
    original = screens.layout

    def broken(view):  # type: ignore[no-untyped-def]
        if view.phase is Phase.SAFETY:
            raise RuntimeError("boom")
        return original(view)

    monkeypatch.setattr(screens, "layout", broken)
    t0 = kiosk.clock.now
    kiosk.press_at(t0 + 1)
    kiosk.run_until(t0 + 3)
    assert kiosk.app.session.phase is Phase.IDLE
    assert kiosk.app.stats.failures == 1
    assert "boom" in caplog.text


def test_keyboard_stands_in_for_the_button(make_kiosk) -> None:
    """On the console a key comes from evdev: the press acts at the kernel's time stamp."""
    kiosk = make_kiosk(short_config())
    t0 = kiosk.clock.now
    phases = []
    kiosk.key_at(t0 + 1)
    kiosk.inbox.at(t0 + 2, lambda: phases.append(kiosk.app.session.phase))
    kiosk.key_at(t0 + 3)
    kiosk.run_until(t0 + 4)
    assert phases == [Phase.SAFETY]
    assert kiosk.app.session.phase is Phase.INTRO


def test_in_a_desktop_window_sdl_keys_stand_in_for_the_button(make_kiosk) -> None:
    import pygame

    kiosk = make_kiosk(short_config(), pump_sdl=True)
    t0 = kiosk.clock.now

    def key(kind: int):  # type: ignore[no-untyped-def]
        return lambda: pygame.event.post(pygame.event.Event(kind, key=pygame.K_SPACE))

    kiosk.inbox.at(t0 + 1, key(pygame.KEYDOWN))
    kiosk.inbox.at(t0 + 1.1, key(pygame.KEYUP))
    kiosk.run_until(t0 + 2)
    assert kiosk.app.session.phase is Phase.SAFETY


def test_no_gpio_carries_on_with_keyboard(caplog) -> None:
    """With a pin factory that cannot open pins, the kiosk still builds and logs it once."""
    from gpiozero import Device

    from kiosk.core.events import Inbox
    from kiosk.devices.gpio import Parts

    class Broken:
        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            raise RuntimeError("no GPIO chip")

    saved = Device.pin_factory
    Device.pin_factory = Broken()  # type: ignore[assignment]
    try:
        parts = Parts(load_config().hardware, Inbox())
    finally:
        Device.pin_factory = saved
    assert parts.button is None and parts.sounder is None and parts.led is None
    assert "The button on GPIO17 cannot be used: RuntimeError: no GPIO chip" in caplog.text
    parts.hold_ended()  # nothing to sound: no error
    parts.close()


def test_sigterm_exits_cleanly_within_two_seconds(tmp_path: Path, kiosk_env) -> None:  # type: ignore[no-untyped-def]
    env = kiosk_env()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--windowed", "--size", "800x480"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        lines = []
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if "Kiosk ready" in line:
                break
        else:
            pytest.fail("kiosk did not start: " + "".join(lines))
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
        assert time.monotonic() - start < 2.0
        # taken by the kiosk's own handler (SDL's, were it left in place, says "window closed")
        assert "Stopping: SIGTERM" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_no_gpio_on_a_raspberry_pi_is_an_error_staff_see(monkeypatch, caplog) -> None:
    """On a Pi, a missing button is logged as an error and noted on screen for staff."""
    from gpiozero import Device

    from kiosk.app.wiring import build_app
    from kiosk.devices import gpio as hardware
    from kiosk.ui.elements import Text

    class Broken:
        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            raise RuntimeError("no GPIO chip")

    monkeypatch.setattr(hardware, "on_raspberry_pi", lambda: True)
    saved = Device.pin_factory
    Device.pin_factory = Broken()  # type: ignore[assignment]
    try:
        app = build_app(load_config(), size=(800, 480), fullscreen=False, input_folder=None)
    finally:
        Device.pin_factory = saved
    try:
        assert "No GPIO button on this Raspberry Pi" in caplog.text
        _, elements = app.renderer.elements(app.session.view, 0.0)
        notices = [e for e in elements if isinstance(e, Text) and e.role == "notice"]
        assert notices and "No button found" in notices[0].lines[0]
    finally:
        app.parts.close()
        app.display.close()


def test_uncovered_window_is_repainted_in_full(make_kiosk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """SDL says the window lost its pixels: the next draw repaints everything."""
    import pygame

    kiosk = make_kiosk(pump_sdl=True)
    app = kiosk.app
    full: list[float] = []
    show = app.display.show
    monkeypatch.setattr(
        app.display,
        "show",
        lambda rects: (rects is None and full.append(kiosk.clock()), show(rects)),
    )
    t0 = kiosk.clock.now
    kiosk.inbox.at(t0 + 1, lambda: pygame.event.post(pygame.event.Event(pygame.WINDOWEXPOSED)))
    kiosk.run_until(t0 + 2)
    assert any(t0 + 1 <= when < t0 + 1.2 for when in full), full
