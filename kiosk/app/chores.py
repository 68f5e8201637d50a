"""What the main loop looks after every few seconds: the screen's cable, parts that failed
to open, and the opening hours. Each chore says when it is next due; the loop sleeps until
the earliest thing due (a chore, a session deadline, a watchdog ping) and runs what is due
when it wakes. Each only costs a wake-up while there is something to watch: the screen on
the console, a missing part until it opens, the next boundary of the opening hours (while
closed, that is all the loop wakes for, with the watchdog's ping under systemd).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.core.schedule import Hours, Schedule

if TYPE_CHECKING:  # pragma: no cover
    from kiosk.app.loop import App
    from kiosk.devices.clocksync import ClockSync
    from kiosk.devices.connectors import Connectors

log = logging.getLogger(__name__)

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
        return math.inf if app.asleep else self._next

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
        return self._next if app.parts.missing and not app.asleep else math.inf

    def run(self, app: App, now: float) -> None:
        self._next = now + self.every
        if app.parts.retry():
            app.parts_changed()


#: While the clock is not known to be set, it is asked again this often, in seconds.
CLOCK_CHECK = 60.0
#: The longest the loop sleeps between two looks at the wall clock while a schedule applies,
#: in seconds: a boundary is worked out again from the wall clock then, so a clock set or
#: corrected meanwhile moves it (one wake-up an hour costs nothing).
MAX_SLEEP = 3600.0


class OpeningHours:
    """The opening hours in the running kiosk: closes and opens the app at each boundary
    (:meth:`App.closing`, :meth:`App.opening`), and wakes it on a press while closed.

    Sleeps until the next boundary (at most :data:`MAX_SLEEP`), never every minute. Unless
    the schedule trusts the clock, nothing closes until ``sync`` says the system clock is
    set; it is asked every :data:`CLOCK_CHECK` seconds until then.
    """

    def __init__(
        self,
        schedule: Schedule,
        wall: Callable[[], dt.datetime],
        sync: ClockSync | None,
    ) -> None:
        self.hours = Hours(schedule)
        self.wall = wall
        self.sync = sync
        self.applies = schedule.trust_clock or sync is None
        self.on = True
        self._next = 0.0
        self._said_unsynced = False

    def start(self, now: float) -> None:
        self._next = now  # at once: the kiosk may start while closed
        zone = self.hours.schedule.zone
        log.info("Opening hours on the clock of time zone %s", getattr(zone, "key", None) or zone)

    def due(self, app: App) -> float:
        return self._next

    def run(self, app: App, now: float) -> None:
        if not self.applies:
            if self.sync is None or not self.sync.synchronised():
                if not self._said_unsynced:
                    self._said_unsynced = True
                    log.warning(
                        "The system clock is not known to be set yet: the kiosk stays on, "
                        "and the opening hours apply once it is (trust_clock: true in the "
                        "schedule if this Pi has a battery-backed clock)"
                    )
                self._next = now + CLOCK_CHECK
                return
            self.applies = True
            log.info("The system clock is set (%s): the opening hours apply", self.sync.by)
        self._follow(app, now)

    def press(self, app: App, now: float) -> bool:
        """A press (the app's own handling comes after). True when it only woke the kiosk."""
        if not self.applies:
            return False
        woke = self.hours.press(self.wall())
        if woke or not self.on:
            self._follow(app, now)
        else:
            self._plan(now, self.wall())  # a press while woken moves the end
        return woke

    def _follow(self, app: App, now: float) -> None:
        wall = self.wall()
        on = self.hours.is_on(wall)
        if on != self.on:
            self.on = on
            if on:
                app.opening(now)
            else:
                app.closing(now)
            change = self.hours.next_change(wall)
            until = f"until {change.astimezone(self.hours.schedule.zone):%a %d %b %H:%M}"
            log.info(
                "%s by the opening hours, %s",
                "On" if on else "Closed",
                until if change else "for good",
            )
        self._plan(now, wall)

    def _plan(self, now: float, wall: dt.datetime) -> None:
        change = self.hours.next_change(wall)
        delay = MAX_SLEEP if change is None else (change - wall).total_seconds()
        self._next = now + max(0.0, min(delay, MAX_SLEEP))
