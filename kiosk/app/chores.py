"""What the main loop looks after every few seconds: the screen's cable, and parts that
failed to open. Each chore says when it is next due; the loop sleeps until the earliest
thing due (a chore, a session deadline, a watchdog ping) and runs what is due when it wakes.
Both only cost a wake-up while there is something to watch: the screen on the console, a
missing part until it opens.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from kiosk.app.loop import App
    from kiosk.devices.connectors import Connectors

#: How often the screen's connector is read, in seconds: an unplugged screen is noticed
#: within this time.
SCREEN_CHECK = 2.0
#: How often a part that failed to open is tried again, in seconds.
RETRY_SECONDS = 5.0


class ScreenWatch:
    """Notices the screen being unplugged and plugged back in (see
    :class:`kiosk.devices.connectors.Connectors`), and tells the app once each time."""

    def __init__(self, connectors: Connectors, every: float = SCREEN_CHECK) -> None:
        self.connectors = connectors
        self.every = every
        self.present = True
        self._next = 0.0

    def start(self, now: float) -> None:
        self._next = now + self.every

    def due(self, app: App) -> float:
        return self._next

    def run(self, app: App, now: float) -> None:
        self._next = now + self.every
        names = self.connectors.connected()
        if self.present and not names:
            self.present = False
            app.screen_lost(now)
        elif names and not self.present:
            self.present = True
            app.screen_back(now, names)


class PartsRetry:
    """Tries the button, buzzer or LED that failed to open again, every few seconds."""

    def __init__(self, every: float = RETRY_SECONDS) -> None:
        self.every = every
        self._next = 0.0

    def start(self, now: float) -> None:
        self._next = now + self.every

    def due(self, app: App) -> float:
        return self._next if app.parts.missing else math.inf

    def run(self, app: App, now: float) -> None:
        self._next = now + self.every
        if app.parts.retry():
            app.parts_changed()
