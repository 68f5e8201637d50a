"""Keyboards, mice and touch screens on the console, read from the kernel's evdev devices.

On the Pi's console (SDL's KMSDRM driver) nothing tells SDL that input is waiting except
reading it, and SDL 2 stamps each event with the time it was read. So the kiosk reads the
input devices itself: one thread blocks in ``select()`` on every ``/dev/input/event*`` it can
open and on an inotify watch of that folder, and wakes only when a key, click or touch
arrives or a device comes or goes (a USB button plugged in later, a touch screen that
re-enumerates). Each press and release goes to the main loop's inbox with the time the
kernel saw it, converted to the loop's clock, exactly like a GPIO edge. Nothing polls.

The keys that count are the same as in a window (space, enter, keypad enter), the left
mouse button and a touch (``BTN_TOUCH``, which touch screens send for the first finger).
Reading a device does not take it from SDL: each open file has its own event buffer.

A touch carries where it was (:attr:`~kiosk.core.events.Press.where`, for the language
marks of the idle screen): the touch screen's ``ABS_X``/``ABS_Y`` (or its first finger's
``ABS_MT_POSITION_X``/``_Y``) at the end of the touch's event frame (``SYN_REPORT``), as
fractions of the axes' ranges (asked of the kernel with ``EVIOCGABS``), turned back by the
screen's ``rotation``. A device whose ranges cannot be read gives touches no place: they
act as the button anywhere, as before.

Example::

    watcher = InputWatcher(inbox, time.monotonic)
    watcher.start()
    ...
    watcher.close()
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import logging
import os
import select
import stat
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.events import Inbox, OtherKeys, Press, Release
from kiosk.core.touch import frame_point

log = logging.getLogger(__name__)

INPUT_DIR = Path("/dev/input")
#: ``struct input_event``: a ``struct timeval`` (two C longs), type, code, value.
EVENT = struct.Struct("@llHHi")
EV_SYN, EV_KEY, EV_ABS = 0x00, 0x01, 0x03
SYN_REPORT = 0
BTN_TOUCH = 0x14A
#: The axes that say where a touch is, (x, y): the single-touch ones, then the first
#: finger's.
AXES = ((0x00, 0x01), (0x35, 0x36))  # ABS_X, ABS_Y; ABS_MT_POSITION_X, ABS_MT_POSITION_Y
#: ``struct input_absinfo``: value, minimum, maximum, fuzz, flat, resolution.
ABSINFO = struct.Struct("@6i")
#: ``_IOR('E', 0x40 + axis, struct input_absinfo)``: an axis's range.
EVIOCGABS = 0x80004540 | ABSINFO.size << 16
#: The keys and buttons that act as the kiosk's button, and what kind of device sends them.
BUTTON_CODES = {
    57: "keyboard",  # KEY_SPACE
    28: "keyboard",  # KEY_ENTER
    96: "keyboard",  # KEY_KPENTER
    0x110: "mouse",  # BTN_LEFT
    0x14A: "touch",  # BTN_TOUCH
}
#: ``_IOW('E', 0xa0, int)``: which clock stamps this file's events (per open file).
EVIOCSCLOCKID = 0x400445A0
CLOCK_MONOTONIC = 1
#: inotify: a node created, removed, renamed in, or its permissions changed (udev sets the
#: group a moment after the kernel creates the node).
IN_ATTRIB, IN_CREATE, IN_DELETE, IN_MOVED_TO = 0x4, 0x100, 0x200, 0x80
IN_NONBLOCK, IN_CLOEXEC = os.O_NONBLOCK, os.O_CLOEXEC
#: An event stamped further back than this is taken to have a broken clock: stamped now.
MAX_AGE = 10.0


@dataclass
class _Device:
    """One open input device: its file, the clock its stamps use, the buttons held down."""

    path: Path
    fd: int
    down: set[int] = field(default_factory=set)
    #: The range (minimum, maximum) of each axis that says where a touch is.
    ranges: dict[int, tuple[int, int]] = field(default_factory=dict)
    #: The last value of each of those axes.
    values: dict[int, int] = field(default_factory=dict)
    #: A touch that went down in the frame being read (its time), sent at the frame's end.
    touched: float | None = None


class InputWatcher:
    """Hands presses from every readable input device in ``folder`` to ``inbox``.

    :param inbox: where :class:`~kiosk.core.events.Press` and ``Release`` go.
    :param clock: the main loop's clock; each event is stamped ``clock()`` minus its age.
    :param folder: the devices' folder (``/dev/input``; tests use a folder of FIFOs).
    :param rotation: the screen's ``hardware.rotation`` (degrees clockwise), to turn a
        touch's place on the screen back onto the drawn frame.
    :param axis_range: asks a device for an axis's (minimum, maximum), None if it cannot
        say (tests give a FIFO its ranges).

    Only character devices (and FIFOs, for tests) are opened: a regular file would always be
    "readable" and make the thread spin. A device that cannot be opened (no permission) is
    logged once, and tried again when its permissions change.
    """

    def __init__(
        self,
        inbox: Inbox,
        clock: Callable[[], float],
        folder: Path = INPUT_DIR,
        rotation: int = 0,
        axis_range: Callable[[int, int], tuple[int, int] | None] | None = None,
    ) -> None:
        self.inbox = inbox
        self.clock = clock
        self.folder = folder
        self.rotation = rotation
        self.axis_range = axis_range or _axis_range
        self._devices: dict[Path, _Device] = {}
        self._refused: set[Path] = set()
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._notify = _inotify(folder)
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def thread(self) -> threading.Thread | None:
        """The thread that waits for input (None before :meth:`start`)."""
        return self._thread

    @property
    def devices(self) -> list[Path]:
        """The devices being read now."""
        return sorted(self._devices)

    def start(self) -> None:
        self.scan()
        if not self.folder.is_dir():
            log.info("No input devices here (%s is missing): no keys, clicks or taps", self.folder)
        elif self._notify is None:
            log.info("Input devices plugged in after start-up are not seen (no inotify)")
        self._thread = threading.Thread(target=self._run, name="input", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the thread and close every device (closing twice does nothing)."""
        if self._stopping:
            return
        self._stopping = True
        os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout=2)
        for device in list(self._devices.values()):
            os.close(device.fd)
        self._devices.clear()
        for fd in (self._wake_r, self._wake_w, self._notify):
            if fd is not None:
                os.close(fd)
        self._notify = None

    # -- the thread -------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping:
            watched = [self._wake_r, *(d.fd for d in self._devices.values())]
            if self._notify is not None:
                watched.append(self._notify)
            try:
                readable, _, _ = select.select(watched, [], [])
            except OSError:  # a device closed under us: look again
                continue
            for fd in readable:
                if fd == self._notify:
                    _drain(fd)
                    self.scan()
                elif fd != self._wake_r:
                    self._read(fd)

    def scan(self) -> None:
        """Open every input device not open yet; forget the ones that are gone."""
        try:
            present = {p for p in self.folder.iterdir() if p.name.startswith("event")}
        except OSError:
            present = set()
        for path in sorted(present - set(self._devices)):
            self._open(path)
        for path in set(self._devices) - present:
            self._gone(self._devices[path])

    def _open(self, path: Path) -> None:
        try:
            kind = path.stat().st_mode
            if not (stat.S_ISCHR(kind) or stat.S_ISFIFO(kind)):
                return
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as err:
            if path not in self._refused:
                self._refused.add(path)
                log.warning(
                    "Cannot read the input device %s (%s): a USB button, keyboard or touch "
                    "screen there is not seen. Is the kiosk's user in the input group?",
                    path,
                    err.strerror or err,
                )
            return
        self._refused.discard(path)
        _monotonic_stamps(fd)
        self._devices[path] = _Device(path, fd, ranges=self._ranges(fd))
        log.info("Reading input device %s", path)

    def _ranges(self, fd: int) -> dict[int, tuple[int, int]]:
        """The ranges of the first pair of :data:`AXES` the device has (none: no places)."""
        for pair in AXES:
            ranges = {axis: self.axis_range(fd, axis) for axis in pair}
            if all(r is not None and r[1] > r[0] for r in ranges.values()):
                return {axis: r for axis, r in ranges.items() if r is not None}
        return {}

    def _read(self, fd: int) -> None:
        device = next((d for d in self._devices.values() if d.fd == fd), None)
        if device is None:
            return
        while True:
            try:
                data = os.read(fd, EVENT.size * 64)
            except BlockingIOError:
                return
            except OSError as err:  # ENODEV: unplugged
                if err.errno not in (errno.ENODEV, errno.EIO, errno.EBADF):
                    log.warning("Input device %s failed: %s", device.path, err)
                self._gone(device)
                return
            if not data:  # end of file: the other side went away
                self._gone(device)
                return
            self._decode(device, data)

    def _decode(self, device: _Device, data: bytes) -> None:
        usable = len(data) - len(data) % EVENT.size
        other_keys = False
        for sec, usec, kind, code, value in EVENT.iter_unpack(data[:usable]):
            if kind == EV_ABS and code in device.ranges:
                device.values[code] = value
            elif kind == EV_SYN and code == SYN_REPORT and device.touched is not None:
                self._touch(device)
            source = BUTTON_CODES.get(code)
            if kind == EV_KEY and source is None:
                other_keys = True
            if kind != EV_KEY or source is None or value not in (0, 1):
                continue  # other events, and a held key's auto-repeat (value 2)
            at = self._at(sec + usec / 1e6)
            if value == 1:
                device.down.add(code)
                if code == BTN_TOUCH and device.ranges:
                    device.touched = at  # its place comes later in the frame
                else:
                    self.inbox.put(Press(at, source))
            elif code in device.down:
                if device.touched is not None:
                    self._touch(device)
                device.down.discard(code)
                self.inbox.put(Release(at, source))
        if device.touched is not None:  # a frame cut short: the touch goes as it is
            self._touch(device)
        if other_keys:
            self.inbox.put(OtherKeys())

    def _touch(self, device: _Device) -> None:
        """Send the touch that went down in this frame, with its place when it is known."""
        assert device.touched is not None
        x_axis, y_axis = sorted(device.ranges)
        where = None
        if x_axis in device.values and y_axis in device.values:
            x, y = (_fraction(device.values[a], device.ranges[a]) for a in (x_axis, y_axis))
            where = frame_point(x, y, self.rotation)
        self.inbox.put(Press(device.touched, "touch", where))
        device.touched = None

    def _at(self, stamp: float) -> float:
        """The event's time on the loop's clock: now, less how long ago the kernel saw it."""
        age = time.monotonic() - stamp
        return self.clock() - (age if 0.0 <= age <= MAX_AGE else 0.0)

    def _gone(self, device: _Device) -> None:
        """Close a device that went away; buttons it held down are let go now."""
        self._devices.pop(device.path, None)
        os.close(device.fd)
        now = self.clock()
        for code in device.down:
            self.inbox.put(Release(now, BUTTON_CODES[code]))
        log.info("Input device %s is gone", device.path)


def _axis_range(fd: int, axis: int) -> tuple[int, int] | None:
    """The kernel's (minimum, maximum) of ``axis`` on the device ``fd``, None if it has no
    such axis (or is no input device)."""
    try:
        info = fcntl.ioctl(fd, EVIOCGABS + axis, bytes(ABSINFO.size))
    except OSError:
        return None
    _, low, high, *_ = ABSINFO.unpack(info)
    return (low, high)


def _fraction(value: int, bounds: tuple[int, int]) -> float:
    low, high = bounds
    return min(1.0, max(0.0, (value - low) / (high - low)))


def _monotonic_stamps(fd: int) -> None:
    """Ask the kernel to stamp this file's events with CLOCK_MONOTONIC (the loop's clock).

    Should a device refuse, its wall-clock stamps look far off and its events are stamped
    when read (see MAX_AGE). A test's FIFO refuses too; its writer stamps monotonic time.
    """
    with contextlib.suppress(OSError):
        fcntl.ioctl(fd, EVIOCSCLOCKID, struct.pack("i", CLOCK_MONOTONIC))


def _inotify(folder: Path) -> int | None:
    """An inotify descriptor watching ``folder`` for devices coming and going, or None."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            return None
        mask = IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_TO
        if libc.inotify_add_watch(fd, os.fsencode(folder), mask) < 0:
            os.close(fd)
            return None
        return fd
    except (OSError, AttributeError):
        return None


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass
