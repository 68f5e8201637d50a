"""Hardware comes and goes: a screen unplugged and plugged back in, a part that failed to
open. Each is noticed within seconds, logged once in plain words, and recovered from without
a person (or a restart)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.app.chores import RETRY_SECONDS, SCREEN_CHECK
from kiosk.core.session import Phase
from kiosk.devices import gpio
from kiosk.devices.gpio import why_unusable
from kiosk.ui.elements import Text

# -- the screen ---------------------------------------------------------------------------------


def test_an_unplugged_screen_is_noticed_logged_once_and_a_replugged_one_redrawn(
    make_kiosk, hdmi: Path, caplog
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="kiosk.app.loop")
    kiosk = make_kiosk(drm_folder=hdmi.parent.parent)
    app = kiosk.app
    t0 = kiosk.clock.now
    seen: dict[str, object] = {}
    kiosk.press_at(t0 + 1)  # a session has started when the cable comes out
    kiosk.inbox.at(t0 + 10, lambda: hdmi.write_text("disconnected\n"))
    kiosk.inbox.at(
        t0 + 10 + SCREEN_CHECK + 0.1,
        lambda: seen.update(off=app.screen_on, frames=app.stats.frames),
    )
    kiosk.press_at(t0 + 20)  # nobody can see what it would do: ignored
    kiosk.inbox.at(t0 + 59, lambda: seen.update(frames_later=app.stats.frames))

    def replug() -> None:
        app.display.requested = (1024, 600)  # the screen comes back with another mode
        hdmi.write_text("connected\n")

    kiosk.inbox.at(t0 + 60, replug)
    kiosk.run_until(t0 + 60 + SCREEN_CHECK + 0.1)
    assert seen["off"] is False
    assert seen["frames_later"] == seen["frames"]  # nothing drawn while it was gone
    assert app.screen_on and app.stats.frames > seen["frames"]
    assert app.session.phase is Phase.IDLE
    assert app.display.size == (1024, 600) == app.renderer.size
    lost = [r for r in caplog.records if "disconnected" in r.getMessage()]
    back = [r for r in caplog.records if "screen is back" in r.getMessage()]
    assert len(lost) == 1 and lost[0].levelno == logging.WARNING
    assert len(back) == 1 and "HDMI-A-1, 1024x600" in back[0].getMessage()


def test_a_screen_that_cannot_be_opened_again_exits_for_systemd(
    make_kiosk, hdmi, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from kiosk.app.loop import EXIT_DISPLAY
    from kiosk.devices.display import DisplayError

    kiosk = make_kiosk(drm_folder=hdmi.parent.parent)

    def fails() -> None:
        raise DisplayError("Display could not start: no mode")

    monkeypatch.setattr(kiosk.app.display, "reopen", fails)
    t0 = kiosk.clock.now
    kiosk.inbox.at(t0 + 5, lambda: hdmi.write_text("disconnected\n"))
    kiosk.inbox.at(t0 + 15, lambda: hdmi.write_text("connected\n"))
    assert kiosk.app.run(until=lambda app: kiosk.clock.now > t0 + 30) == EXIT_DISPLAY


def test_no_screen_watch_wakes_a_kiosk_without_connectors(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    """Under the dummy driver (and in a desktop window) there is no cable to watch."""
    kiosk = make_kiosk()
    assert not any(type(c).__name__ == "ScreenWatch" for c in kiosk.app.chores)


# -- parts that come back -----------------------------------------------------------------------


def test_a_button_that_failed_to_open_is_retried_and_works_without_a_restart(
    make_kiosk, mock_factory, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    """At boot the lgpio module is missing (say, installed a moment later): the log names
    that cause once, the staff note shows, and the button works once it opens."""
    monkeypatch.setattr(gpio, "on_raspberry_pi", lambda: True)
    caplog.set_level(logging.INFO)
    broken = {"yes": True}
    real_pin = mock_factory.pin

    def pin(spec, **kwargs):  # type: ignore[no-untyped-def]
        if broken["yes"]:
            raise ModuleNotFoundError("No module named 'lgpio'", name="lgpio")
        return real_pin(spec, **kwargs)

    monkeypatch.setattr(mock_factory, "pin", pin)
    kiosk = make_kiosk()
    app = kiosk.app
    t0 = kiosk.clock.now
    notes: list[list[str]] = []

    def note() -> None:
        _, elements = app.renderer.elements(app.session.view, kiosk.clock.now)
        notes.append([e.lines[0] for e in elements if isinstance(e, Text) and e.role == "notice"])

    kiosk.inbox.at(t0 + 1, note)
    kiosk.inbox.at(t0 + 3 * RETRY_SECONDS + 1, lambda: broken.update(yes=False))
    kiosk.inbox.at(t0 + 5 * RETRY_SECONDS, note)
    kiosk.inbox.at(t0 + 5 * RETRY_SECONDS + 1, lambda: kiosk.pin(17).drive_low())
    kiosk.inbox.at(t0 + 5 * RETRY_SECONDS + 1.2, lambda: kiosk.pin(17).drive_high())
    led: list[float] = []
    kiosk.inbox.at(t0 + 5 * RETRY_SECONDS + 1.5, lambda: led.append(kiosk.pin(22).state))
    kiosk.run_until(t0 + 5 * RETRY_SECONDS + 2)
    assert notes[0] and "No button found" in notes[0][0]
    assert notes[1] == []  # the note is gone
    assert app.session.phase is Phase.SAFETY  # the button works
    assert app.parts.missing == {}
    causes = [r.getMessage() for r in caplog.records if "cannot be used" in r.getMessage()]
    button = [c for c in causes if c.startswith("The button")]
    assert len(button) == 1 and "the lgpio Python module is missing" in button[0]
    assert any("The button on GPIO17 works now" in r.getMessage() for r in caplog.records)
    assert led == [1]  # the LED opened too, and shows the session's state (lit: press now)


def test_a_kiosk_with_every_part_working_never_retries(make_kiosk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk()
    tries: list[int] = []
    monkeypatch.setattr(kiosk.app.parts, "retry", lambda: tries.append(1) or False)
    t0 = kiosk.clock.now
    kiosk.run_until(t0 + 10 * RETRY_SECONDS)
    assert tries == []


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (ModuleNotFoundError("No module named 'lgpio'", name="lgpio"), "lgpio Python module"),
        (OSError("GPIO busy"), "GPIO17 is in use by another program"),
        (PermissionError(13, "Permission denied", "/dev/gpiochip0"), "gpio group"),
        (FileNotFoundError(2, "No such file or directory", "/dev/gpiochip0"), "no GPIO chip"),
        (RuntimeError("Unable to load any default pin factory!"), "no GPIO library works"),
        (ValueError("odd"), "ValueError: odd"),
    ],
)
def test_each_cause_is_named_in_words_staff_can_act_on(error: Exception, cause: str) -> None:
    assert cause in why_unusable(error, 17)


def test_a_cause_wrapped_by_gpiozero_is_still_found() -> None:
    try:
        try:
            raise ModuleNotFoundError("No module named 'lgpio'", name="lgpio")
        except ImportError as inner:
            raise RuntimeError("Unable to load any default pin factory!") from inner
    except RuntimeError as err:
        assert "lgpio Python module is missing" in why_unusable(err, 17)
