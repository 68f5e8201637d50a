"""The design choices that keep the kiosk fast and frugal (issue 7; figures in
docs/benchmark.md): few wake-ups at idle, later screens prepared after the first frame, the
frame before the buzzer and LED, no per-second growth of caches."""

from __future__ import annotations

import threading

import pygame
import pytest

from kiosk.app.loop import PUMP_INTERVAL, QUIET_PUMP_INTERVAL
from kiosk.app.wiring import build_app
from kiosk.content.settings import default_hardware
from kiosk.core.events import Inbox
from kiosk.core.session import Effect, Phase
from kiosk.devices.gpio import PULSE_STEPS_PER_SECOND, Parts, pulse_levels
from kiosk.devices.systemd import SystemdNotifier


@pytest.fixture
def full_screen_kiosk(mock_factory, make_kiosk):  # type: ignore[no-untyped-def]
    """A kiosk as on the Pi: full screen (an exact-size surface under the dummy driver)."""
    kiosk = make_kiosk()  # the fake clock and inbox, and their clean-up
    kiosk.app.display.close()
    kiosk.app.parts.close()
    kiosk.app = build_app(
        kiosk.config,
        size=(800, 480),
        fullscreen=True,
        clock=kiosk.clock,
        inbox=kiosk.inbox,
        notifier=SystemdNotifier(None),
    )
    return kiosk


def test_full_screen_kiosk_pumps_sdl_slowly_until_someone_uses_it(full_screen_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk = full_screen_kiosk
    t0 = kiosk.clock.now
    kiosk.run_until(t0 + 60)
    quiet = kiosk.app.stats.wakeups
    assert quiet <= 60 / QUIET_PUMP_INTERVAL + 60 / kiosk.config.timing.idle_cycle_seconds + 5

    def key() -> None:
        for kind in (pygame.KEYDOWN, pygame.KEYUP):
            pygame.event.post(pygame.event.Event(kind, key=pygame.K_SPACE))

    kiosk.inbox.at(t0 + 60.2, key)
    kiosk.run_until(t0 + 70)
    assert kiosk.app.session.phase is Phase.SAFETY  # the key press was seen
    assert kiosk.app.stats.wakeups - quiet >= 9 / PUMP_INTERVAL  # and input is pumped fast


def test_later_screens_are_prepared_after_the_first_frame(make_kiosk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk()
    renderer = kiosk.app.renderer
    frames_at_warm: list[int] = []
    warm = renderer.warm
    monkeypatch.setattr(
        renderer, "warm", lambda: (frames_at_warm.append(kiosk.app.stats.frames), warm())
    )
    kiosk.run_until(kiosk.clock.now + 1)
    assert not renderer.warming
    assert frames_at_warm and min(frames_at_warm) >= 1
    assert renderer.cache_sizes()["layouts"] >= 20  # every screen of the tour


def test_a_press_is_drawn_before_the_buzzer_sounds(make_kiosk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk()
    app = kiosk.app
    order: list[str] = []
    show = app.display.show
    monkeypatch.setattr(app.display, "show", lambda rects: (order.append("frame"), show(rects)))
    started = app.parts.hold_started
    monkeypatch.setattr(app.parts, "hold_started", lambda: (order.append("buzz"), started()))
    t0 = kiosk.clock.now
    for offset in (1, 2, 3):  # safety, intro, the hold starts
        kiosk.press_at(t0 + offset)
    kiosk.run_until(t0 + 4)
    assert Effect.HOLD_STARTED in app.stats.effects
    assert order[order.index("buzz") - 1] == "frame"


def test_idle_led_breathes_slowly_and_stops_for_a_steady_state(mock_factory) -> None:  # type: ignore[no-untyped-def]
    parts = Parts(default_hardware(), Inbox())
    try:
        parts.set_led("pulse")
        assert parts.led.source is not None
        assert parts.led.source_delay == pytest.approx(1 / PULSE_STEPS_PER_SECOND)
        parts.set_led("on")
        assert parts.led.source is None
        assert mock_factory.pin(22).state == 1
    finally:
        parts.close()


def test_pulse_levels_rise_then_fall() -> None:
    levels = pulse_levels(seconds=2.0, steps_per_second=10)
    assert len(levels) == 20
    assert levels[0] == 0 and max(levels) == 1
    peak = levels.index(1)
    assert list(levels[: peak + 1]) == sorted(levels[: peak + 1])
    assert list(levels[peak:]) == sorted(levels[peak:], reverse=True)


def test_button_runs_no_thread_even_while_held(mock_factory) -> None:  # type: ignore[no-untyped-def]
    """gpiozero's Button runs a hold thread that wakes ten times a second for ever; the
    kiosk's button starts no thread at all, idle or held down (long presses are timed by the
    session)."""
    before = set(threading.enumerate())
    parts = Parts(default_hardware(buzzer_pin=None, led_pin=None), Inbox())
    try:
        assert parts.button is not None
        mock_factory.pin(17).drive_low()  # pressed, and held down
        assert set(threading.enumerate()) - before == set()
        mock_factory.pin(17).drive_high()
    finally:
        parts.close()
