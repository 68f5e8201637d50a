"""The events other threads hand to the main loop, and the inbox they go through.

gpiozero runs button callbacks on its own threads and signal handlers interrupt the main
thread; both only put an event here. The main loop is the only reader and owns all state.
"""

from __future__ import annotations

import math
import queue
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Press:
    """The button (or a key, click or tap) went down at monotonic time ``at``. ``where``:
    the place of a click or tap, as fractions (0 to 1) of the drawn frame's width and
    height from its top left (the screen's rotation undone); None for a button or a key."""

    at: float
    source: str = "button"
    where: tuple[float, float] | None = None


@dataclass(frozen=True)
class Release:
    """The button went up at monotonic time ``at``."""

    at: float
    source: str = "button"


@dataclass(frozen=True)
class Quit:
    """Stop the kiosk (a signal, or the window was closed)."""

    reason: str


@dataclass(frozen=True)
class Repaint:
    """The screen lost what was drawn on it (a window uncovered): draw all of it again."""


@dataclass(frozen=True)
class Prepared:
    """A later screen was laid out in the background: the loop may warm it up."""


@dataclass(frozen=True)
class Hangup:
    """SIGHUP came (``systemctl reload``): read the staff file again."""


@dataclass(frozen=True)
class Reloaded:
    """The staff file was read again on a thread of its own: ``config`` is what it gave
    (a :class:`kiosk.content.config.Config`; core knows nothing of its kind)."""

    config: object = field(compare=False)


@dataclass(frozen=True)
class OtherKeys:
    """Keys other than the button's went by (on the console): SDL should take in its own
    copy of the input, for what it does with keys itself (switching consoles)."""


Event = Press | Release | Quit | Repaint | OtherKeys | Hangup | Reloaded | Prepared


class Inbox:
    """A thread-safe queue of events with a blocking, timed ``get``.

    Waiting here (instead of in ``pygame.event.wait``, which polls every millisecond on the
    KMSDRM and dummy drivers) lets the main loop sleep until the next deadline or event.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Event] = queue.SimpleQueue()

    def put(self, event: Event) -> None:
        self._queue.put(event)

    def empty(self) -> bool:
        """True when no event is waiting."""
        return self._queue.empty()

    def get(self, timeout: float) -> Event | None:
        """The next event, waiting at most ``timeout`` seconds (for ever when it is
        infinite: nothing is due); None if none came."""
        try:
            if timeout <= 0:
                return self._queue.get_nowait()
            if math.isinf(timeout):
                return self._queue.get()
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
