"""The language of a session through the whole kiosk: mock pins, the dummy display, a fake
clock. A press on a Spanish idle card or a tap on the "Español" mark runs the session in
Spanish (screens, log line, usage counts); the next session starts in English again."""

from __future__ import annotations

import logging

import pygame
from test_app import short_config

from kiosk.core.session import Phase
from kiosk.core.tallies import STARTED
from kiosk.core.touch import frame_point
from kiosk.devices.usagedb import DB_NAME, read_records
from kiosk.ui.elements import Text


def shown(kiosk) -> str:  # type: ignore[no-untyped-def]
    app = kiosk.app
    _, elements = app.renderer.elements(app.session.view, kiosk.clock.now)
    return " ".join(line for e in elements if isinstance(e, Text) for line in e.lines)


def mark_centre(kiosk, language: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Where the mark of ``language`` is on the idle screen now, as fractions of the frame."""
    app = kiosk.app
    targets = app.renderer.layout(app.session.view).targets
    (x, y, w, h), _ = next(t for t in targets if t[1] == language)
    width, height = app.renderer.screens.frame.width, app.renderer.screens.frame.height
    return (x + w / 2) / width, (y + h / 2) / height


def test_a_press_on_a_spanish_card_runs_the_session_in_spanish(
    make_kiosk, tmp_path, caplog
) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state"
    kiosk = make_kiosk(short_config(hold=5.0), state_dir=state)
    t0 = kiosk.clock.now
    cycle = kiosk.config.timing.idle_cycle_seconds
    seen: list[tuple[Phase, int, str]] = []

    def look() -> None:
        view = kiosk.app.session.view
        seen.append((view.phase, view.language, shown(kiosk)))

    kiosk.inbox.at(t0 + cycle + 0.5, look)  # the first card, now in Spanish
    kiosk.press_at(t0 + cycle + 1)  # safety, in Spanish
    kiosk.inbox.at(t0 + cycle + 1.5, look)
    kiosk.press_at(t0 + cycle + 2)  # the first point's intro
    kiosk.inbox.at(t0 + cycle + 2.5, look)
    kiosk.press_at(t0 + cycle + 3, duration=4)  # its hold, held on: the stop band shows
    kiosk.inbox.at(t0 + cycle + 4.5, look)
    with caplog.at_level(logging.INFO):
        kiosk.run_until(t0 + cycle + 8)
    idle, safety, intro, band = seen
    assert idle[:2] == (Phase.IDLE, 1) and "Pulse el botón para empezar" in idle[2]
    assert safety[:2] == (Phase.SAFETY, 1) and "Antes de empezar" in safety[2]
    assert intro[:2] == (Phase.INTRO, 1) and "Punto 1 de 2" in intro[2]
    assert band[:2] == (Phase.HOLD, 1) and "Siga pulsando el botón para parar." in band[2]
    assert "Press the button" not in " ".join(text for _, _, text in seen)
    assert "Session started in es (safety, point 1)" in caplog.text
    # the long press stopped it: the next idle is in English, from the first card
    view = kiosk.app.session.view
    assert (view.phase, view.language, view.point) == (Phase.IDLE, 0, 0)
    assert "Press the button to start" in shown(kiosk)
    kiosk.app.recorder.close()
    (start,) = [r for r in read_records(state / DB_NAME) if r.kind == STARTED]
    assert start.language == "es"


def test_a_press_on_an_english_card_starts_in_english(make_kiosk, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state"
    kiosk = make_kiosk(short_config(), state_dir=state)
    kiosk.press_at(kiosk.clock.now + 1)
    with caplog.at_level(logging.INFO):
        kiosk.run_until(kiosk.clock.now + 2)
    assert kiosk.app.session.view.language == 0
    assert "Before you start" in shown(kiosk)
    assert "Session started in en (safety, point 1)" in caplog.text
    kiosk.app.recorder.close()
    assert [r.language for r in read_records(state / DB_NAME)] == ["en"]


def finger(kind: int, where: tuple[float, float]):  # type: ignore[no-untyped-def]
    return lambda: pygame.event.post(pygame.event.Event(kind, finger_id=1, x=where[0], y=where[1]))


def test_a_tap_on_the_spanish_mark_starts_in_spanish(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(short_config(), pump_sdl=True)
    t0 = kiosk.clock.now
    assert kiosk.app.session.view.language == 0  # the English card is on screen
    where = mark_centre(kiosk, 1)
    kiosk.inbox.at(t0 + 1, finger(pygame.FINGERDOWN, where))
    kiosk.inbox.at(t0 + 1.1, finger(pygame.FINGERUP, where))
    kiosk.run_until(t0 + 2)
    view = kiosk.app.session.view
    assert (view.phase, view.language) == (Phase.SAFETY, 1)
    assert "Antes de empezar" in shown(kiosk)


def test_a_tap_beside_the_marks_is_the_button_in_the_language_on_screen(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(short_config(), pump_sdl=True)
    t0 = kiosk.clock.now
    kiosk.inbox.at(t0 + 1, finger(pygame.FINGERDOWN, (0.75, 0.4)))  # on the drawing
    kiosk.inbox.at(t0 + 1.1, finger(pygame.FINGERUP, (0.75, 0.4)))
    kiosk.run_until(t0 + 2)
    view = kiosk.app.session.view
    assert (view.phase, view.language) == (Phase.SAFETY, 0)


def test_a_click_on_the_english_mark_of_a_spanish_card_starts_in_english(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(short_config(), pump_sdl=True)
    t0 = kiosk.clock.now
    cycle = kiosk.config.timing.idle_cycle_seconds
    languages: list[int] = []

    def click(kind: int):  # type: ignore[no-untyped-def]
        def post() -> None:
            languages.append(kiosk.app.session.view.language)
            fx, fy = mark_centre(kiosk, 0) if kind == pygame.MOUSEBUTTONDOWN else (0.5, 0.5)
            pos = (round(fx * 800), round(fy * 480))
            pygame.event.post(pygame.event.Event(kind, button=1, pos=pos, touch=False))

        return post

    kiosk.inbox.at(t0 + cycle + 1, click(pygame.MOUSEBUTTONDOWN))
    kiosk.inbox.at(t0 + cycle + 1.1, click(pygame.MOUSEBUTTONUP))
    kiosk.run_until(t0 + cycle + 2)
    assert languages[0] == 1  # the Spanish card was on screen
    view = kiosk.app.session.view
    assert (view.phase, view.language) == (Phase.SAFETY, 0)
    assert "Before you start" in shown(kiosk)


def test_a_point_on_a_turned_screen_maps_back_to_the_frame() -> None:
    """A frame turned 90 degrees clockwise: its top left corner is the screen's top right."""
    assert frame_point(0.9, 0.1, 0) == (0.9, 0.1)
    assert frame_point(0.95, 0.05, 90) == (0.05, 0.050000000000000044)
    assert frame_point(0.2, 0.7, 180) == (0.8, 0.30000000000000004)
    assert frame_point(0.05, 0.95, 270) == (0.050000000000000044, 0.05)


def test_a_reload_that_makes_spanish_the_default_applies_at_the_next_start_screen(
    make_kiosk, tmp_path, caplog
) -> None:  # type: ignore[no-untyped-def]
    from test_reload import reload_at, start

    staff = tmp_path / "config.yaml"
    staff.write_text("languages_shown: [en, es]\n")
    kiosk = start(make_kiosk, staff)
    t0 = kiosk.clock.now
    before: list[str] = []
    kiosk.inbox.at(t0 + 0.5, lambda: before.append(shown(kiosk)))
    reload_at(kiosk, t0 + 1, "languages_shown: [es]\n", staff)
    kiosk.press_at(t0 + 3)
    with caplog.at_level(logging.INFO):
        kiosk.run_until(t0 + 4)
    assert "Press the button to start" in before[0] and "Español" in before[0]
    view = kiosk.app.session.view
    assert (view.phase, view.language) == (Phase.SAFETY, 0)
    assert "Antes de empezar" in shown(kiosk)  # Spanish is the only language now
    assert "Session started in es" in caplog.text
