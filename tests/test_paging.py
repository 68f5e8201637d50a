"""Pages on the 7-inch touchscreen through the real main loop: mock pins, the dummy display
at 800x480, a fake clock. A press turns a page; the hold's timer, its buzzer, the "still
there?" timeout and the long press to stop are what they are without pages."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.content.config import load_config
from kiosk.core.events import Repaint
from kiosk.core.screensize import pitch_mm
from kiosk.core.session import Effect, Phase

SEVEN_INCH = {"pitch_for": pitch_mm}  # 800x480: the 7-inch size the resolution gives


def one_point(hold: float = 10.0):  # type: ignore[no-untyped-def]
    config = load_config()
    content = config.content
    point = dataclasses.replace(content.points[0], hold_seconds=hold, sides=1)
    return dataclasses.replace(config, content=dataclasses.replace(content, points=(point,)))


def test_the_7_inch_screen_pages_and_a_press_turns_them(make_kiosk) -> None:
    kiosk = make_kiosk(one_point(), **SEVEN_INCH)
    renderer = kiosk.app.renderer
    seen: list[tuple[Phase, int, int]] = []

    def look() -> None:
        view = kiosk.app.session.view
        seen.append((view.phase, view.page, renderer.pages(view)))

    t0 = kiosk.clock.now
    for n in range(1, 9):
        kiosk.press_at(t0 + n)
        kiosk.inbox.at(t0 + n + 0.5, look)
    kiosk.run_until(t0 + 9)
    safety = [s for s in seen if s[0] is Phase.SAFETY]
    intro = [s for s in seen if s[0] is Phase.INTRO]
    assert safety and safety[0][2] >= 2, "the safety screen needs pages at 800x480"
    assert [page for _, page, _ in safety] == list(range(safety[0][2]))
    assert [page for _, page, _ in intro] == list(range(intro[0][2]))
    assert Effect.HOLD_STARTED in kiosk.app.stats.effects


def press_until(kiosk, phase: Phase, at: float, every: float = 1.0) -> list[float]:  # type: ignore[no-untyped-def]
    """Press every ``every`` seconds from ``at`` until the session is in ``phase`` (the
    kiosk runs once: its parts close when it stops); the times of the presses go in the
    list returned, as they happen."""
    times: list[float] = []

    def next_press(when: float) -> None:
        if kiosk.app.session.phase is phase:
            return
        times.append(when)
        kiosk.press_at(when)
        kiosk.inbox.at(when + 0.5, lambda: next_press(when + every))

    kiosk.inbox.at(at - 0.01, lambda: next_press(at))
    return times


def test_the_hold_ends_on_time_and_buzzes_after_pages(make_kiosk, monkeypatch) -> None:
    kiosk = make_kiosk(one_point(hold=7.25), **SEVEN_INCH)
    app = kiosk.app
    ended: list[float] = []
    original = app.parts.hold_ended
    monkeypatch.setattr(app.parts, "hold_ended", lambda: (ended.append(kiosk.clock()), original()))
    t0 = kiosk.clock.now
    presses = press_until(kiosk, Phase.HOLD, t0 + 1)
    kiosk.run_until(t0 + 30)
    assert len(presses) >= 4, "pages at 800x480 take more than one press per screen"
    started = presses[-1]
    assert ended == [pytest.approx(started + 7.25, abs=1e-3)]
    assert any(state.state for state in kiosk.buzzer.states)


def test_a_press_during_a_paged_session_hold_turns_nothing(make_kiosk) -> None:
    kiosk = make_kiosk(one_point(hold=20.0), **SEVEN_INCH)
    app = kiosk.app
    seen: list[tuple[Phase, int, int]] = []
    t0 = kiosk.clock.now
    presses = press_until(kiosk, Phase.HOLD, t0 + 1)

    def during_hold() -> None:
        view = app.session.view
        seen.append((view.phase, view.page, app.renderer.pages(view)))
        kiosk.press_at(kiosk.clock.now + 1)
        kiosk.inbox.at(kiosk.clock.now + 2, lambda: seen.append((app.session.phase, 0, 0)))

    kiosk.inbox.at(t0 + 12, during_hold)
    kiosk.run_until(t0 + 16)
    assert presses and seen == [(Phase.HOLD, 0, 1), (Phase.HOLD, 0, 0)]
    assert app.stats.effects.count(Effect.HOLD_STARTED) == 1


def test_still_there_and_the_long_press_work_on_a_later_page(make_kiosk) -> None:
    kiosk = make_kiosk(one_point(), **SEVEN_INCH)
    app = kiosk.app
    timing = kiosk.config.timing
    seen: list[tuple[float, Phase, int]] = []
    t0 = kiosk.clock.now

    def look() -> None:
        seen.append((kiosk.clock.now - t0, app.session.phase, app.session.view.page))

    kiosk.press_at(t0 + 1)
    kiosk.press_at(t0 + 5)  # page 2 of the safety screen
    kiosk.inbox.at(t0 + 6, look)
    warned = t0 + 5 + timing.inactivity_seconds
    kiosk.inbox.at(warned - 0.5, look)  # not yet: counted from the page turn
    kiosk.inbox.at(warned + 0.5, look)
    kiosk.press_at(warned + 2)  # carry on: the same page
    kiosk.inbox.at(warned + 3, look)
    kiosk.press_at(warned + 4, duration=timing.long_press_seconds + 0.5)
    stop = warned + 4 + timing.long_press_seconds + 0.1
    kiosk.inbox.at(stop, look)
    kiosk.inbox.at(stop + 1, Repaint)  # one point: idle has no deadline of its own
    kiosk.run_until(stop + 1)
    assert [(phase, page) for _, phase, page in seen] == [
        (Phase.SAFETY, 1),
        (Phase.SAFETY, 1),
        (Phase.WARNING, 0),
        (Phase.SAFETY, 1),
        (Phase.IDLE, 0),
    ]
    assert Effect.SESSION_CANCELLED in app.stats.effects


def test_a_15_inch_800x480_screen_needs_no_pages(make_kiosk) -> None:
    kiosk = make_kiosk(one_point())  # the fixture's 15-inch screen
    t0 = kiosk.clock.now
    kiosk.press_at(t0 + 1)
    kiosk.press_at(t0 + 2)
    kiosk.run_until(t0 + 3)
    assert kiosk.app.session.phase is Phase.INTRO


def test_later_pages_are_laid_out_in_the_background() -> None:
    """After the first page of a screen is prepared, its other pages are too: turning a
    page waits for no text fitting."""
    import time

    from kiosk.ui.renderer import build_renderer
    from kiosk.ui.tour import tour, with_pages

    config = load_config()
    renderer = build_renderer(config, (800, 480))
    stops = tour(config)
    renderer.prepare(stop.view for stop in stops)
    deadline = time.monotonic() + 60
    try:
        while renderer.warming and time.monotonic() < deadline:
            if not renderer.warm():
                time.sleep(0.01)
    finally:
        renderer.close()
    cached = renderer.cache_sizes()["layouts"]  # before anything is laid out on demand
    pages = with_pages(stops, build_renderer(config, (800, 480)).pages)
    screens = {(s.view.phase, s.view.point, s.view.step, s.view.page) for s in pages}
    assert len(pages) > len(stops)
    assert cached >= len(screens)
