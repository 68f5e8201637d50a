"""Opening hours: when the kiosk is open, and the next moment that changes.

Plain Python, no clock of its own: every question takes the wall-clock time it is about
(a timezone-aware :class:`~datetime.datetime`, or a naive one read as local time in the
schedule's zone). The zone is given (the Pi's local zone in the running kiosk, an explicit
one such as Europe/London in tests), so daylight-saving changes follow the zone's rules.

Opening hours are wall-clock times: "08:00-18:00" opens when the clock on the wall says
08:00. Each boundary happens once, at the first moment the wall clock reads that time or
later:

- a boundary in the hour skipped in spring (01:30 in London on the last Sunday of March)
  happens when the clocks go forward (01:00 GMT, which is 02:00 BST);
- a boundary in the hour repeated in autumn happens the first time round (01:30 BST), and
  the kiosk does not open or close again when the clock reads it a second time.

A day not listed is closed, and so is every date in ``closed_dates``. Ranges that touch
(``"08:00-12:00, 12:00-18:00"``, or one day's ``-24:00`` and the next day's ``00:00-``) are
one opening: no boundary between them.

:class:`Hours` adds the button: a press while closed turns the kiosk on for
``wake_minutes``, and each press while so woken starts that time again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

#: Day names as staff write them, Monday first (``datetime.weekday()`` order).
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: A time of day in minutes since midnight; 24 * 60 (24:00) only ends a range.
DAY_MINUTES = 24 * 60

Range = tuple[int, int]  # (start, end) in minutes since midnight, start < end


@dataclass(frozen=True)
class Schedule:
    """Weekly opening hours in one zone, with dates on which the kiosk stays closed.

    :param open: for each weekday (0 = Monday), its ranges in minutes since midnight,
        sorted and not overlapping; a weekday missing is closed all day.
    :param closed_dates: local dates closed all day.
    :param zone: the wall clock's zone (a :class:`zoneinfo.ZoneInfo`).
    :param trust_clock: apply the schedule before the system clock is known synchronised.
    :param wake_minutes: how long a press while closed turns the kiosk on.
    """

    open: dict[int, tuple[Range, ...]]
    zone: dt.tzinfo
    closed_dates: frozenset[dt.date] = field(default_factory=frozenset)
    trust_clock: bool = False
    wake_minutes: float = 5.0

    def with_zone(self, zone: dt.tzinfo) -> Schedule:
        """The same hours on another zone's wall clock."""
        return Schedule(self.open, zone, self.closed_dates, self.trust_clock, self.wake_minutes)

    # -- questions -------------------------------------------------------------------------

    def is_open(self, when: dt.datetime) -> bool:
        """Whether the kiosk is open at ``when``."""
        instant = self._aware(when)
        day = instant.astimezone(self.zone).date()
        # A range's instants can only reach into the day before or after through a zone change.
        return any(
            start <= instant < end for start, end in self._openings(day - dt.timedelta(1), 3)
        )

    def next_change(self, when: dt.datetime) -> dt.datetime | None:
        """The first moment after ``when`` at which the kiosk opens or closes (timezone
        aware), or None when that never happens (no open day at all)."""
        if not any(self.open.values()):
            return None
        instant = self._aware(when)
        day = instant.astimezone(self.zone).date() - dt.timedelta(1)
        # After the last closed date the week repeats: two weeks beyond it always hold one.
        horizon = max(day, max(self.closed_dates, default=day)) + dt.timedelta(15)
        for start, end in self._joined(day, horizon):
            if start > instant:
                return start
            if end > instant:
                return end
        return None  # pragma: no cover - the horizon always holds an opening

    # -- the wall clock --------------------------------------------------------------------

    def _aware(self, when: dt.datetime) -> dt.datetime:
        """``when`` as an aware UTC datetime (naive means wall-clock time in the zone)."""
        if when.tzinfo is None:
            return self.wall_to_instant(when)
        return when.astimezone(dt.UTC)

    def wall_to_instant(self, wall: dt.datetime) -> dt.datetime:
        """The first moment (aware, UTC) at which the zone's wall clock reads ``wall`` or
        later: the first of the two in the repeated hour, the change itself in the skipped
        one."""
        first = wall.replace(tzinfo=self.zone, fold=0).astimezone(dt.UTC)
        if first.astimezone(self.zone).replace(tzinfo=None) == wall:
            return first
        # ``wall`` was skipped: fold=1 reads it with the offset after the change, an instant
        # before the change; find the change (to the second) between the two readings.
        before = wall.replace(tzinfo=self.zone, fold=1).astimezone(dt.UTC)
        low, high = sorted((int(before.timestamp()), math.ceil(first.timestamp())))
        while high - low > 1:
            middle = (low + high) // 2
            if self._wall(middle) >= wall:
                high = middle
            else:
                low = middle
        return dt.datetime.fromtimestamp(high, dt.UTC)

    def _wall(self, timestamp: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(timestamp, self.zone).replace(tzinfo=None)

    def _openings(self, first: dt.date, days: int) -> list[tuple[dt.datetime, dt.datetime]]:
        """The openings on ``days`` dates from ``first`` as aware instants, in order (not
        joined)."""
        found = []
        for offset in range(days):
            day = first + dt.timedelta(offset)
            if day in self.closed_dates:
                continue
            for start, end in self.open.get(day.weekday(), ()):
                begin, finish = self._at(day, start), self._at(day, end)
                if begin < finish:  # else within the skipped hour: never on the wall clock
                    found.append((begin, finish))
        return found

    def _joined(self, first: dt.date, last: dt.date) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The openings from date ``first`` to ``last``, in order, openings that touch
        joined into one; each is given once its end is known to be an end."""
        current: tuple[dt.datetime, dt.datetime] | None = None
        day = first
        while day <= last:
            for begin, finish in self._openings(day, 1):
                if current is not None and current[1] >= begin:
                    current = (current[0], max(current[1], finish))
                    continue
                if current is not None:
                    yield current
                current = (begin, finish)
            day += dt.timedelta(1)
        if current is not None:
            yield current

    def _at(self, day: dt.date, minutes: int) -> dt.datetime:
        wall = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
        return self.wall_to_instant(wall)


class Hours:
    """The kiosk on or off over time: the schedule, and presses that wake it while closed.

    The shell asks :meth:`is_on` and sleeps until :meth:`next_change`; a press goes to
    :meth:`press` first, which says whether it only woke the kiosk (and so must not count as
    a press in the session).
    """

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        #: While closed, on until this moment (aware) after a press; None when not woken.
        self.awake_until: dt.datetime | None = None

    def is_on(self, when: dt.datetime) -> bool:
        return self.schedule.is_open(when) or self._awake(when)

    def press(self, when: dt.datetime) -> bool:
        """A press at ``when``. Returns True when it woke a closed kiosk (the press only
        turns the screen on). A press while woken keeps it on ``wake_minutes`` longer."""
        if self.schedule.is_open(when):
            self.awake_until = None
            return False
        woke = not self._awake(when)
        self.awake_until = self.schedule._aware(when) + dt.timedelta(
            minutes=self.schedule.wake_minutes
        )
        return woke

    def next_change(self, when: dt.datetime) -> dt.datetime | None:
        """The next moment :meth:`is_on` may change (aware), or None for never."""
        change = self.schedule.next_change(when)
        if self._awake(when):
            assert self.awake_until is not None
            if self.schedule.is_open(self.awake_until):
                return None if change is None else self.schedule.next_change(self.awake_until)
            return self.awake_until if change is None else min(change, self.awake_until)
        return change

    def _awake(self, when: dt.datetime) -> bool:
        return self.awake_until is not None and self.schedule._aware(when) < self.awake_until
