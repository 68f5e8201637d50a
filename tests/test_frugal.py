"""The design choices that keep the kiosk fast and frugal (issue 7; figures in
docs/benchmark.md): few wake-ups at idle, later screens prepared after the first frame, the
frame before the buzzer and LED, no per-second growth of caches."""

from __future__ import annotations

import pytest

from kiosk.app.loop import PUMP_INTERVAL
from kiosk.content.settings import default_hardware
from kiosk.core.events import Inbox
from kiosk.core.session import Effect, Phase
from kiosk.devices.gpio import PULSE_STEPS_PER_SECOND, Parts, pulse_levels


def test_full_screen_kiosk_never_pumps_sdl_and_a_key_after_hours_acts_at_once(
    make_kiosk, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """On the console input wakes the loop (evdev); SDL is never pumped, however quiet."""
    kiosk = make_kiosk(fullscreen=True)
    polls: list[float] = []
    monkeypatch.setattr(kiosk.app.display, "poll", lambda now: polls.append(now) or [])
    t0 = kiosk.clock.now
    quiet = t0 + 3 * 3600
    wakeups: list[int] = []
    kiosk.inbox.at(quiet, lambda: wakeups.append(kiosk.app.stats.wakeups))
    kiosk.key_at(quiet + 0.5)
    kiosk.run_until(quiet + 1)
    idle_cycles = 3 * 3600 / kiosk.config.timing.idle_cycle_seconds
    assert wakeups[0] <= idle_cycles + 5  # one wake-up per idle screen, nothing more
    assert kiosk.app.session.phase is Phase.SAFETY
    assert polls == []


def test_a_desktop_window_pumps_sdl_at_a_fixed_modest_rate(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(pump_sdl=True)
    t0 = kiosk.clock.now
    kiosk.run_until(t0 + 60)
    assert 60 / PUMP_INTERVAL * 0.9 <= kiosk.app.stats.wakeups <= 60 / PUMP_INTERVAL + 20


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


def test_button_runs_no_hold_thread(mock_factory) -> None:  # type: ignore[no-untyped-def]
    parts = Parts(default_hardware(), Inbox())
    try:
        assert getattr(parts.button, "_hold_thread", None) is None
    finally:
        parts.close()
