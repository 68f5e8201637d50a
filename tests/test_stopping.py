"""The first day at a clinic (issue 15, items 1 and 2), through the real main loop on mock
pins, the dummy display and a fake clock: the kiosk says that holding its button stops the
session before it does, and never promises a beep it cannot give."""

from __future__ import annotations

import dataclasses

from kiosk.content.config import load_config
from kiosk.core.session import Effect, Phase
from kiosk.ui.theme import WARNING


def short_config(buzzer: bool = True):  # type: ignore[no-untyped-def]
    config = load_config()
    points = tuple(
        dataclasses.replace(p, hold_seconds=10.0, sides=1) for p in config.content.points[:2]
    )
    hardware = config.hardware if buzzer else dataclasses.replace(config.hardware, buzzer_pin=None)
    content = dataclasses.replace(config.content, points=points)
    return dataclasses.replace(config, content=content, hardware=hardware)


def foot_colour(kiosk) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """The colour on screen just above the bottom edge, in the middle."""
    surface = kiosk.app.display.surface
    width, height = surface.get_size()
    return tuple(surface.get_at((width // 2, height - 2)))[:3]


def shown_text(kiosk) -> str:  # type: ignore[no-untyped-def]
    app = kiosk.app
    _, elements = app.renderer.elements(app.session.view, kiosk.clock.now)
    return " ".join(" ".join(e.lines) for e in elements if hasattr(e, "lines"))


def test_holding_the_button_in_a_hold_shows_that_it_will_stop_and_letting_go_carries_on(
    make_kiosk,
) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(short_config())
    t0 = kiosk.clock.now
    for offset in (1, 2, 3):  # safety, intro, the hold starts (ends at t0 + 13)
        kiosk.press_at(t0 + offset)
    seen: dict[str, object] = {}

    def look(name: str) -> None:
        seen[name] = (foot_colour(kiosk), kiosk.app.session.phase, shown_text(kiosk))

    kiosk.press_at(t0 + 5, duration=2.2)  # the kiosk's button, held (not the point)
    for name, at in (("0.5 s", 5.5), ("1.2 s", 6.2), ("2.1 s", 7.1), ("let go", 7.4)):
        kiosk.inbox.at(t0 + at, lambda name=name: look(name))
    kiosk.run_until(t0 + 14)
    warning = kiosk.config.content.text("cancel_warning")
    assert seen["0.5 s"][0] != WARNING and warning not in seen["0.5 s"][2]
    for name in ("1.2 s", "2.1 s"):
        assert seen[name][0] == WARNING and warning in seen[name][2], name
        assert seen[name][1] is Phase.HOLD
    assert seen["let go"][0] != WARNING and warning not in seen["let go"][2]
    effects = kiosk.app.stats.effects
    assert Effect.SESSION_CANCELLED not in effects and Effect.HOLD_ENDED in effects
    assert kiosk.app.stats.partial_frames >= 5  # the band and its bar are repainted alone


def test_holding_on_stops_the_session_and_the_band_goes(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(short_config())
    t0 = kiosk.clock.now
    kiosk.press_at(t0 + 1)  # safety
    kiosk.press_at(t0 + 2, duration=3.0)  # held on: stops at t0 + 4.5
    colours = []
    kiosk.inbox.at(t0 + 4.0, lambda: colours.append(foot_colour(kiosk)))
    kiosk.inbox.at(t0 + 4.6, lambda: colours.append(foot_colour(kiosk)))
    kiosk.run_until(t0 + 6)
    assert kiosk.app.session.phase is Phase.IDLE
    assert Effect.SESSION_CANCELLED in kiosk.app.stats.effects
    assert colours[0] == WARNING and colours[1] != WARNING


def test_the_hold_screen_promises_a_beep_only_with_a_buzzer(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    for buzzer, expected, never in ((True, "beep", "timer ends"), (False, "timer ends", "beep")):
        kiosk = make_kiosk(short_config(buzzer))
        t0 = kiosk.clock.now
        for offset in (1, 2, 3):
            kiosk.press_at(t0 + offset)
        texts: list[str] = []
        kiosk.inbox.at(t0 + 5, lambda kiosk=kiosk, texts=texts: texts.append(shown_text(kiosk)))
        kiosk.run_until(t0 + 6)
        assert expected in texts[0] and never not in texts[0], (buzzer, texts[0])
        assert "the point" in texts[0]  # says what to keep pressing: not the button


def test_check_says_there_is_no_buzzer_and_warns_about_a_promised_beep(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kiosk.commands.check import check_config

    staff = tmp_path / "config.yaml"
    staff.write_text(
        'hardware:\n  buzzer_pin: null\ntexts:\n  hold_done: "You heard the beep. Well done!"\n'
    )
    report = check_config(staff)
    assert any("No buzzer is fitted" in note for note in report.notes)
    [line] = [line for line in report.lines if "beep" in line]
    assert ":4:" in line and "no buzzer is fitted" in line and not report.errors
    staff.write_text('texts:\n  hold_done: "You heard the beep. Well done!"\n')
    report = check_config(staff)
    assert not any("buzzer" in note for note in report.notes)  # (the pages' note stays)
    assert not any("buzzer" in line for line in report.lines)
