"""The design choices that keep the kiosk fast and frugal (issue 7; figures in
docs/benchmark.md): few wake-ups at idle, later screens prepared after the first frame, the
frame before the buzzer and LED, no per-second growth of caches."""

from __future__ import annotations

import dataclasses
import threading

import pygame

from kiosk.app.loop import PUMP_INTERVAL
from kiosk.content.config import load_config
from kiosk.content.settings import default_hardware
from kiosk.core.events import Inbox
from kiosk.core.session import Effect, Phase
from kiosk.devices.gpio import INVITE_OFF, INVITE_ON, Parts
from kiosk.ui.renderer import build_renderer
from kiosk.ui.tour import tour


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
    for when in (t0 + 60, quiet):  # from a minute in: the screens are prepared by then
        kiosk.inbox.at(when, lambda: wakeups.append(kiosk.app.stats.wakeups))
    kiosk.key_at(quiet + 0.5)
    kiosk.run_until(quiet + 1)
    idle_cycles = (quiet - t0 - 60) / kiosk.config.timing.idle_cycle_seconds
    assert wakeups[1] - wakeups[0] <= idle_cycles + 1  # one wake-up per idle screen
    assert kiosk.app.session.phase is Phase.SAFETY
    assert polls == []


def test_a_desktop_window_pumps_sdl_at_a_fixed_modest_rate(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    """...and a pump that finds nothing goes back to sleep without a turn of the loop."""
    kiosk = make_kiosk(pump_sdl=True)
    t0 = kiosk.clock.now
    kiosk.run_until(t0 + 60)
    stats, elapsed = kiosk.app.stats, kiosk.clock.now - t0  # it stops at a turn's end
    assert elapsed / PUMP_INTERVAL - 2 <= stats.pumps <= elapsed / PUMP_INTERVAL + 2
    assert stats.wakeups <= elapsed / kiosk.config.timing.idle_cycle_seconds + 3


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


def test_the_idle_led_wakes_its_thread_less_than_once_a_second() -> None:
    """Two changes per blink (on, off), each a wake-up of gpiozero's blink thread."""
    assert 2 / (INVITE_ON + INVITE_OFF) < 1.0
    assert INVITE_OFF >= 0.5  # dark long enough to be seen as a blink


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


def test_every_screen_of_a_long_routine_stays_prepared(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """12 points on both sides are 75 screens: once warmed up, showing any of them lays out
    nothing and rasterises no drawing (the caches are sized from the routine)."""
    config = load_config()
    points = []
    for index in range(12):
        base = config.content.points[index % 4]
        image = tmp_path / f"point{index}.svg"
        image.write_bytes(base.image.read_bytes())
        points.append(dataclasses.replace(base, id=f"P{index}", image=image, sides=2))
    content = dataclasses.replace(config.content, points=tuple(points))
    config = dataclasses.replace(config, content=content)
    renderer = build_renderer(config, (800, 480))
    stops = tour(config)
    assert len(stops) >= 75
    renderer.prepare(stop.view for stop in stops)
    while renderer.warming:
        renderer.warm()
    layouts, rasters = [], []
    layout, load = renderer.screens.layout, pygame.image.load_sized_svg
    renderer.screens.layout = lambda view: (layouts.append(view), layout(view))[1]
    pygame.image.load_sized_svg = lambda *a: (rasters.append(a), load(*a))[1]
    try:
        surface = pygame.Surface((800, 480))
        for stop in stops:
            renderer.draw(surface, stop.view, stop.now)
    finally:
        pygame.image.load_sized_svg = load
    assert layouts == [] and rasters == []


def test_a_kiosk_with_nothing_due_sleeps_until_something_happens(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    """One point in one language: the idle screen never changes, so nothing is due; the loop
    sleeps without a time limit (no watchdog here) and a press still wakes it."""
    config = load_config()
    content = dataclasses.replace(config.content, points=config.content.points[:1])
    kiosk = make_kiosk(dataclasses.replace(config, content=content, languages={}))
    t0 = kiosk.clock.now
    kiosk.press_at(t0 + 3600)
    kiosk.run_until(t0 + 3601)
    assert kiosk.app.session.phase is Phase.SAFETY
    assert kiosk.app.stats.wakeups <= 4 + len(tour(kiosk.config))  # + screens laid out at start


def test_the_inbox_can_wait_without_a_time_limit() -> None:
    """The real inbox, as the loop calls it when nothing is due (an infinite timeout)."""
    import math
    import threading

    from kiosk.core.events import Press

    inbox = Inbox()
    threading.Timer(0.1, lambda: inbox.put(Press(1.0))).start()
    assert inbox.get(math.inf) == Press(1.0)
