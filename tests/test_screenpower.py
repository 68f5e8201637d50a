"""Switching the screen off and on (kiosk.devices.screenpower): each method against fakes."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from kiosk.devices.screenpower import (
    KDGETMODE,
    TIOCL_BLANKSCREEN,
    TIOCL_UNBLANKSCREEN,
    TIOCLINUX,
    Backlight,
    Black,
    Cec,
    Console,
    PowerError,
    ScreenPower,
)


def backlight_tree(root: Path, *names: str) -> Path:
    """A /sys/class/backlight stand-in with a bl_power file (0: on) for each name."""
    for name in names:
        (root / "backlight" / name).mkdir(parents=True)
        (root / "backlight" / name / "bl_power").write_text("0\n")
    (root / "backlight").mkdir(exist_ok=True)
    return root / "backlight"


def cec_ctl(folder: Path, status: int = 0) -> tuple[str, Path]:
    """A fake cec-ctl that writes its arguments to a log, one call a line."""
    log = folder / "cec.log"
    path = folder / "cec-ctl"
    path.write_text(f'#!/bin/sh\necho "$@" >> {log}\necho "no CEC adapter" >&2\nexit {status}\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path), log


class FakeDisplay:
    def __init__(self) -> None:
        import pygame

        self.surface = pygame.Surface((8, 8))
        self.surface.fill((200, 200, 200))
        self.shown: list[object] = []

    def show(self, rects: object) -> None:
        self.shown.append(rects)


def test_backlight_writes_4_then_0_to_every_panel(tmp_path: Path) -> None:
    folder = backlight_tree(tmp_path, "10-0045", "rpi_backlight")
    light = Backlight(folder)
    assert light.available()
    light.off()
    assert [(p / "bl_power").read_text() for p in sorted(folder.iterdir())] == ["4\n", "4\n"]
    light.on()
    assert [(p / "bl_power").read_text() for p in sorted(folder.iterdir())] == ["0\n", "0\n"]


def test_backlight_missing_or_read_only(tmp_path: Path) -> None:
    assert not Backlight(tmp_path / "nothing").available()
    folder = tmp_path / "backlight"
    (folder / "panel" / "bl_power").mkdir(parents=True)  # cannot be written, even by root
    with pytest.raises(PowerError, match="cannot write"):
        Backlight(folder).off()


def test_cec_sends_standby_and_image_view_on(tmp_path: Path) -> None:
    command, log = cec_ctl(tmp_path)
    cec = Cec(command)
    assert cec.available()
    cec.off()
    cec.on()
    assert log.read_text().splitlines() == [
        "--playback --to 0 --standby",
        "--playback --to 0 --image-view-on",
    ]


def test_cec_failing_or_missing(tmp_path: Path) -> None:
    command, _ = cec_ctl(tmp_path, status=1)
    with pytest.raises(PowerError, match="no CEC adapter"):
        Cec(command).off()
    assert not Cec(str(tmp_path / "nothing")).available()


def test_black_draws_the_screen_black() -> None:
    display = FakeDisplay()
    Black(display).off()
    assert display.surface.get_at((3, 3))[:3] == (0, 0, 0)
    assert display.shown == [None]


def test_methods_are_tried_in_order_and_the_one_that_worked_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "kiosk.devices.screenpower")
    command, log = cec_ctl(tmp_path)
    display = FakeDisplay()
    power = ScreenPower([Backlight(tmp_path / "none"), Cec(command), Black(display)])
    for _ in range(3):
        power.off()
        power.on()
    assert power.method is not None and power.method.name == "HDMI-CEC (cec-ctl)"
    assert len(log.read_text().splitlines()) == 6
    assert display.shown == []
    said = [r.getMessage() for r in caplog.records]
    assert said == ["The screen is switched off by HDMI-CEC (cec-ctl) outside opening hours"]


def test_a_failing_method_falls_through_to_black_with_its_reason_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "kiosk.devices.screenpower")
    command, _ = cec_ctl(tmp_path, status=1)
    display = FakeDisplay()
    power = ScreenPower([Cec(command), Black(display)])
    power.off()
    power.off()
    assert power.method is not None and power.method.name == "drawing the screen black"
    said = [r.getMessage() for r in caplog.records]
    assert said[0].startswith("Cannot switch the screen off by HDMI-CEC (cec-ctl)")
    assert "no CEC adapter" in said[0]
    assert said[1] == "The screen is switched off by drawing the screen black outside opening hours"
    assert len(said) == 2


def test_the_backlight_comes_first(tmp_path: Path) -> None:
    folder = backlight_tree(tmp_path, "panel")
    command, log = cec_ctl(tmp_path)
    power = ScreenPower([Backlight(folder), Cec(command)])
    power.off()
    assert (folder / "panel" / "bl_power").read_text() == "4\n"
    assert not log.exists()
    power.on()
    assert (folder / "panel" / "bl_power").read_text() == "0\n"


class ConsoleDisplay:
    """A display on the console that records being released and opened again."""

    def __init__(self, driver: str = "KMSDRM", reopens: bool = True) -> None:
        self.driver = driver
        self.calls: list[str] = []
        self.reopens = reopens

    def release(self) -> None:
        self.calls.append("release")

    def reopen(self) -> None:
        self.calls.append("reopen")
        if not self.reopens:
            raise RuntimeError("no screen")


class FakeTty:
    """``fcntl.ioctl`` on a virtual terminal: records the requests, or fails them."""

    def __init__(self, vt: bool = True, blank_error: int | None = None) -> None:
        self.vt, self.blank_error = vt, blank_error
        self.requests: list[tuple[int, int, bytes]] = []

    def __call__(self, fd: int, request: int, arg: bytes) -> bytes:
        self.requests.append((fd, request, arg))
        if request == KDGETMODE and not self.vt:
            raise OSError(25, "Inappropriate ioctl for device")
        if request == TIOCLINUX and self.blank_error is not None:
            raise OSError(self.blank_error, "Operation not permitted")
        return arg


def test_console_releases_the_display_then_blanks_and_unblanks_then_reopens() -> None:
    display, tty = ConsoleDisplay(), FakeTty()
    console = Console(display, tty=0, ioctl=tty)
    assert console.available()
    console.off()
    assert display.calls == ["release"]
    assert tty.requests[-1] == (0, TIOCLINUX, bytes([TIOCL_BLANKSCREEN]))
    console.on()
    assert tty.requests[-1] == (0, TIOCLINUX, bytes([TIOCL_UNBLANKSCREEN]))
    assert display.calls == ["release", "reopen"]


def test_console_is_only_for_the_console_driver_on_a_virtual_terminal() -> None:
    assert not Console(ConsoleDisplay("x11"), ioctl=FakeTty()).available()
    assert not Console(ConsoleDisplay("dummy"), ioctl=FakeTty()).available()
    assert not Console(ConsoleDisplay(), ioctl=FakeTty(vt=False)).available()


def test_a_console_that_cannot_blank_takes_the_display_back_and_the_next_method_is_used(
    caplog: pytest.LogCaptureFixture,
) -> None:
    display = ConsoleDisplay()
    black = FakeDisplay()
    power = ScreenPower([Console(display, ioctl=FakeTty(blank_error=1)), Black(black)])
    with caplog.at_level(logging.INFO):
        power.off()
    assert display.calls == ["release", "reopen"]  # the screen is the kiosk's again
    assert power.method is not None and power.method.name == "drawing the screen black"
    assert "Cannot switch the screen off by blanking the console" in caplog.text


def test_a_display_that_does_not_come_back_is_a_power_error() -> None:
    console = Console(ConsoleDisplay(reopens=False), ioctl=FakeTty())
    console.off()
    with pytest.raises(PowerError, match="did not open again"):
        console.on()


def test_the_real_display_lets_go_of_sdl_and_opens_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pygame

    from kiosk.devices.display import Display

    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    display = Display(size=(320, 200))
    try:
        display.release()
        assert not pygame.display.get_init()
        display.reopen()
        assert pygame.display.get_init() and display.size == (320, 200)
    finally:
        display.close()
