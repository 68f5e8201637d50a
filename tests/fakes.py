"""Fakes the tests share: a clock that moves only when told, an inbox whose waiting moves it,
and a folder of FIFOs standing in for /dev/input."""

from __future__ import annotations

import heapq
import itertools
import math
import os
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.core.events import Event, Inbox
from kiosk.devices.evdev import EV_KEY, EVENT

KEY_SPACE = 57
#: The longest the fake clock waits (real seconds) for background work to hand over.
BUSY_WAIT = 10.0
BTN_TOUCH = 0x14A


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeInbox(Inbox):
    """An inbox whose waiting moves the fake clock instead of sleeping.

    Scheduled actions run when the clock reaches their time: an action may drive a mock pin
    (whose gpiozero callback puts a Press in the real queue) or return an event to deliver.
    """

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self._plan: list[tuple[float, int, Callable[[], Event | None]]] = []
        self._order = itertools.count()
        self.waits: list[float] = []
        #: True while the kiosk's own background work (laying out screens) is under way: the
        #: fake clock then waits for it in real time, as if it took no time at all, so that
        #: tests do not depend on how fast this machine lays out text.
        self.busy: Callable[[], bool] = lambda: False

    def at(self, when: float, action: Callable[[], Event | None]) -> None:
        heapq.heappush(self._plan, (when, next(self._order), action))

    def get(self, timeout: float) -> Event | None:
        event = super().get(0)
        if event is None and self.busy():
            event = super().get(BUSY_WAIT)
        if event is not None:
            return event
        self.waits.append(timeout)
        target = self.clock.now + max(0.0, timeout)
        if self._plan and self._plan[0][0] <= target:
            when, _, action = heapq.heappop(self._plan)
            self.clock.now = max(self.clock.now, when)
            produced = action()
            if produced is not None:
                self.put(produced)
            return super().get(0)
        if math.isinf(target):
            raise AssertionError("the loop would sleep for ever and nothing is planned")
        self.clock.now = target
        return None

    @property
    def pending(self) -> int:
        return len(self._plan)

    def wait_for_delivery(self, count: int = 1, timeout: float = 2.0) -> None:
        """Wait (in real time) until input threads have put ``count`` events in the queue:
        the fake clock must not move on while they are on their way."""
        deadline = time.monotonic() + timeout
        while self._queue.qsize() < count:
            if time.monotonic() > deadline:
                raise AssertionError("no event was delivered by the input thread")
            time.sleep(0.001)


class FakeInputs:
    """A folder of FIFOs standing in for ``/dev/input``: the test writes kernel input events
    (``struct input_event``) into them and the kiosk's evdev watcher reads them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._fds: dict[str, int] = {}

    def add(self, name: str = "event0") -> Path:
        """A new device; the FIFO is held open here so the watcher never sees its end."""
        path = self.folder / name
        os.mkfifo(path)
        self._fds[name] = os.open(path, os.O_RDWR | os.O_NONBLOCK)
        return path

    def send(self, code: int, value: int, age: float = 0.0, name: str = "event0") -> None:
        """A key ``code`` going down (1) or up (0) ``age`` seconds ago, with a SYN after it,
        stamped on the monotonic clock as the kiosk asks the kernel to."""
        stamp = time.monotonic() - age
        sec, usec = int(stamp), int(stamp % 1 * 1_000_000)
        os.write(
            self._fds[name],
            EVENT.pack(sec, usec, EV_KEY, code, value) + EVENT.pack(sec, usec, 0, 0, 0),
        )

    def send_touch(
        self, x: int, y: int, down: bool = True, name: str = "event0", axes: tuple = (0, 1)
    ) -> None:
        """A touch screen's frame: the finger at (``x``, ``y``) on ``axes`` (ABS_X and ABS_Y
        by default) before (down) or after (up) its BTN_TOUCH, as a kernel sends them, then
        a SYN_REPORT."""
        stamp = time.monotonic()
        sec, usec = int(stamp), int(stamp % 1 * 1_000_000)
        touch = EVENT.pack(sec, usec, EV_KEY, BTN_TOUCH, int(down))
        place = EVENT.pack(sec, usec, 3, axes[0], x) + EVENT.pack(sec, usec, 3, axes[1], y)
        frame = touch + place if down else place + touch
        os.write(self._fds[name], frame + EVENT.pack(sec, usec, 0, 0, 0))

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
