"""Switching the screen off and on for the opening hours, by whatever means the Pi has.

Under KMS ``vcgencmd display_power`` does nothing, and while the kiosk holds the display no
other program can blank it. So the kiosk does it itself, trying in order:

1. :class:`Backlight`: the official DSI touchscreen's backlight,
   ``/sys/class/backlight/*/bl_power`` (4 = off, 0 = on). The file is root's unless a udev
   rule gives the kiosk's group write access (the installer's part, not this module's).
2. :class:`Cec`: an HDMI TV or monitor over HDMI-CEC with ``cec-ctl`` (Debian's
   ``v4l-utils``): ``--standby`` and ``--image-view-on`` to the TV (logical address 0), the
   Pi's adapter first configured as a playback device (``--playback``: the kernel's CEC
   adapter has no logical address of its own until something gives it one). The
   ``/dev/cec*`` node needs the same kind of udev rule; TVs differ in what they obey.
3. :class:`Console`: on the console (SDL's KMSDRM driver, tty1), give the screen back to the
   text console and blank it: the kernel then switches the HDMI signal off (DPMS), and most
   monitors go to sleep. Needs tty1 as the kiosk's controlling terminal (the unit's
   ``StandardInput=tty``), nothing else; on opening the console is unblanked and the display
   opened again.
4. :class:`Black`: draw the screen black. Always works; the panel stays lit.

The first method whose "off" works is kept, and used for "on" too; which one that is, or why
one failed, is logged once.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
import struct
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

BACKLIGHT_DIR = Path("/sys/class/backlight")
BL_OFF, BL_ON = "4", "0"
#: ioctl(2) requests on a virtual terminal (linux/kd.h, asm/ioctls.h, linux/tiocl.h):
#: KDGETMODE answers only on a VT; TIOCLINUX with subcode 14 blanks the console, 4 unblanks.
KDGETMODE, TIOCLINUX = 0x4B3B, 0x541C
TIOCL_BLANKSCREEN, TIOCL_UNBLANKSCREEN = 14, 4
#: Seconds a ``cec-ctl`` call may take (a TV that does not answer); the loop waits for it.
CEC_TIMEOUT = 5.0


class PowerError(OSError):
    """A method could not switch the screen."""


class Backlight:
    """Every ``bl_power`` file under ``folder`` (a fake sysfs tree in tests)."""

    name = "the touchscreen's backlight"

    def __init__(self, folder: Path = BACKLIGHT_DIR) -> None:
        self.folder = folder

    def _files(self) -> list[Path]:
        try:
            return sorted(self.folder.glob("*/bl_power"))
        except OSError:
            return []

    def available(self) -> bool:
        return bool(self._files())

    def off(self) -> None:
        self._write(BL_OFF)

    def on(self) -> None:
        self._write(BL_ON)

    def _write(self, value: str) -> None:
        files = self._files()
        if not files:
            raise PowerError(f"no backlight in {self.folder}")
        for path in files:
            try:
                path.write_text(value + "\n")
            except OSError as err:
                raise PowerError(f"cannot write {path}: {err.strerror or err}") from err


class Cec:
    """An HDMI screen over CEC through the ``cec-ctl`` program (a fake one in tests)."""

    name = "HDMI-CEC (cec-ctl)"

    def __init__(self, command: str = "cec-ctl", timeout: float = CEC_TIMEOUT) -> None:
        self.command = command
        self.timeout = timeout

    def available(self) -> bool:
        return shutil.which(self.command) is not None

    def off(self) -> None:
        self._run("--standby")

    def on(self) -> None:
        self._run("--image-view-on")

    def _run(self, what: str) -> None:
        program = shutil.which(self.command)
        if program is None:
            raise PowerError(f"{self.command} is not installed")
        try:
            done = subprocess.run(
                [program, "--playback", "--to", "0", what],
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as err:
            raise PowerError(f"{self.command} {what} failed: {err}") from err
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            why = said[-1] if said else f"exit status {done.returncode}"
            raise PowerError(f"{self.command} {what} failed: {why}")


class Console:
    """Release the display to the text console and blank it (the kernel's DPMS off).

    :param display: the kiosk's :class:`~kiosk.devices.display.Display` (``driver``,
        ``release()``, ``reopen()``).
    :param tty: the file descriptor of the kiosk's terminal (0: the unit's tty1).
    :param ioctl: ``fcntl.ioctl``, or a fake in tests.
    """

    name = "blanking the console (the HDMI signal off)"

    def __init__(  # type: ignore[no-untyped-def]
        self, display, tty: int = 0, ioctl: Callable[..., object] = fcntl.ioctl
    ) -> None:
        self.display = display
        self.tty = tty
        self.ioctl = ioctl

    def available(self) -> bool:
        if getattr(self.display, "driver", "").lower() != "kmsdrm":
            return False
        try:
            self.ioctl(self.tty, KDGETMODE, struct.pack("i", 0))
        except OSError:
            return False  # not a virtual terminal: nothing to give the screen to
        return True

    def off(self) -> None:
        try:
            self.display.release()
            self.ioctl(self.tty, TIOCLINUX, bytes([TIOCL_BLANKSCREEN]))
        except OSError as err:
            self._back()
            raise PowerError(f"the console cannot be blanked: {err.strerror or err}") from err

    def on(self) -> None:
        try:
            self.ioctl(self.tty, TIOCLINUX, bytes([TIOCL_UNBLANKSCREEN]))
        except OSError as err:
            log.warning("The console could not be unblanked: %s", err.strerror or err)
        self._back()

    def _back(self) -> None:
        try:
            self.display.reopen()
        except Exception as err:  # DisplayError: the loop finds the screen gone and waits
            raise PowerError(f"the display did not open again: {err}") from err


class Black:
    """Draw the screen black (the display's surface); "on" leaves it to the next frame."""

    name = "drawing the screen black"

    def __init__(self, display) -> None:  # type: ignore[no-untyped-def]
        self.display = display

    def available(self) -> bool:
        return True

    def off(self) -> None:
        try:
            self.display.surface.fill((0, 0, 0))
            self.display.show(None)
        except Exception as err:  # a display that went away: nothing to blank
            raise PowerError(f"cannot draw: {err}") from err

    def on(self) -> None:
        pass


class ScreenPower:
    """The screen off and on through the first of ``methods`` that works."""

    def __init__(self, methods: Sequence) -> None:
        self.methods = list(methods)
        self.method = None
        self._said: set[str] = set()

    def off(self) -> None:
        tried = [self.method] if self.method is not None else []
        tried += [m for m in self.methods if m is not self.method and m.available()]
        for method in tried:
            try:
                method.off()
            except PowerError as err:
                self._say(f"Cannot switch the screen off by {method.name}: {err}", warn=True)
                if method is self.method:
                    self.method = None
                continue
            if method is not self.method:
                self.method = method
                self._say(f"The screen is switched off by {method.name} outside opening hours")
            return
        self._say("The screen cannot be switched off: nothing is drawn", warn=True)

    def on(self) -> None:
        if self.method is None:
            return
        try:
            self.method.on()
        except PowerError as err:
            log.warning("Cannot switch the screen on by %s: %s", self.method.name, err)

    def _say(self, message: str, warn: bool = False) -> None:
        if message not in self._said:
            self._said.add(message)
            (log.warning if warn else log.info)("%s", message)
