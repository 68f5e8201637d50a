"""Usage counts as plain values: what one event record holds, and weekly or daily tallies.

A :class:`Record` is all that is ever kept about a use of the kiosk: when (UTC), which
session (a number counting up), what happened (:data:`KINDS`) and, where it matters, the
point's id, the side and the screen a session stopped on. Nothing about a person.

:class:`Tracker` turns the session's :class:`~kiosk.core.session.Effect` s into records as
the main loop carries them out; :func:`tally` turns a list of records into one
:class:`Tally` per ISO week or per day. Plain Python: storing records is the adapter's job
(:mod:`kiosk.devices.usagedb`), and nothing here reads a clock.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kiosk.core.session import Effect, Phase, Step, View

STARTED = "started"
HOLD = "hold"
COMPLETED = "completed"
CANCELLED = "cancelled"
ABANDONED = "abandoned"
#: What a record can say happened: a session started, a hold was completed, a session ended
#: (completed, cancelled by a long press, abandoned at the "still there?" timeout).
KINDS = (STARTED, HOLD, COMPLETED, CANCELLED, ABANDONED)
#: How a session can end.
ENDS = (COMPLETED, CANCELLED, ABANDONED)
_ENDING = {
    Effect.SESSION_COMPLETED: COMPLETED,
    Effect.SESSION_CANCELLED: CANCELLED,
    Effect.SESSION_ABANDONED: ABANDONED,
}


@dataclass(frozen=True)
class Record:
    """One event. ``at`` is an aware UTC time; ``session`` numbers the session it belongs
    to; ``point`` (a point's id) and ``side`` (1 or 2 for a point done on both sides, None
    for one side) say which hold was completed; ``phase`` and ``point`` say on which screen
    a cancelled or abandoned session stopped. ``seconds`` is the time since the session
    started, on the monotonic clock (a wall clock may jump when the Pi, which has no
    real-time clock, sets its time from the network). ``language`` is the code of the
    language a started session runs in (None on other records, and in files from before
    languages were counted)."""

    at: dt.datetime
    session: int
    kind: str
    point: str | None = None
    side: int | None = None
    phase: str | None = None
    seconds: float | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind of record: {self.kind!r}")


class Tracker:
    """Follows the session through the effects and views the main loop hands it, and says
    which records they make.

    :param point_ids: the routine's point ids, by point index.
    :param steps: the routine's holds (:attr:`kiosk.core.session.Session.steps`).
    :param languages: the session's language codes, by language index (``View.language``).

    Sessions are numbered 1, 2, 3... from the tracker's start; the store adds its own base
    so numbers keep counting up across restarts.
    """

    def __init__(
        self, point_ids: Sequence[str], steps: Sequence[Step], languages: Sequence[str] = ()
    ) -> None:
        self.point_ids = tuple(point_ids)
        self.steps = tuple(steps)
        self.languages = tuple(languages)
        self.session = 0
        self._active = False
        self._started = 0.0
        self._hold: int | None = None
        self._where: tuple[str, int | None] = (Phase.SAFETY.value, None)

    def use_routine(
        self, point_ids: Sequence[str], steps: Sequence[Step], languages: Sequence[str] = ()
    ) -> None:
        """A new routine from now on (a reloaded staff file; only between sessions)."""
        self.point_ids, self.steps = tuple(point_ids), tuple(steps)
        self.languages = tuple(languages)

    def note(
        self, effects: Iterable[Effect], view: View, at: dt.datetime, now: float
    ) -> list[Record]:
        """The records for ``effects``, carried out with ``view`` on screen, at wall time
        ``at`` (UTC) and monotonic time ``now``. Call it after every step of the session,
        with or without effects: it remembers the screen a session may stop on."""
        records = [r for effect in effects if (r := self._record(effect, view, at, now))]
        if view.phase is not Phase.IDLE:
            shown = view.resume if view.phase is Phase.WARNING and view.resume else view
            point = None if shown.phase is Phase.SAFETY else shown.point
            self._where = (shown.phase.value, point)
        return records

    def _record(self, effect: Effect, view: View, at: dt.datetime, now: float) -> Record | None:
        if effect is Effect.SESSION_STARTED:
            self.session += 1
            self._active, self._started, self._hold = True, now, None
            self._where = (Phase.SAFETY.value, None)
            return Record(at, self.session, STARTED, seconds=0.0, language=self._code(view))
        if not self._active:
            return None  # a session that started before the tracker did
        seconds = max(0.0, now - self._started)
        if effect is Effect.HOLD_STARTED:
            self._hold = view.step if view.phase is Phase.HOLD else None
        elif effect is Effect.HOLD_ENDED and self._hold is not None:
            index, self._hold = self._hold, None
            step = self.steps[index]
            side = step.side + 1 if step.sides > 1 else None
            last = index + 1 >= len(self.steps)
            self._where = (Phase.SUMMARY.value if last else Phase.DONE.value, step.point)
            return Record(at, self.session, HOLD, self._id(step.point), side, seconds=seconds)
        elif effect in _ENDING:
            self._active = False
            kind = _ENDING[effect]
            if kind == COMPLETED:
                return Record(at, self.session, kind, seconds=seconds)
            phase, point = self._where
            return Record(at, self.session, kind, self._id(point), None, phase, seconds)
        return None

    def _code(self, view: View) -> str | None:
        """The code of the language ``view`` is in (None when the tracker has no codes)."""
        if 0 <= view.language < len(self.languages):
            return self.languages[view.language]
        return None

    def _id(self, point: int | None) -> str | None:
        if point is None or not 0 <= point < len(self.point_ids):
            return None
        return self.point_ids[point]


@dataclass(frozen=True)
class Tally:
    """The sessions of one period (``"2026-W49"`` or ``"2026-12-03"``): how many started,
    how they ended, the median length in minutes of the completed ones (None without any)
    and, per point id, how many sessions completed at least one hold of that point;
    ``languages``: per language code, how many sessions started in it."""

    period: str
    started: int = 0
    completed: int = 0
    cancelled: int = 0
    abandoned: int = 0
    median_minutes: float | None = None
    reach: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)


def point_order(records: Iterable[Record]) -> list[str]:
    """The point ids the records name, in the order they first come up (the routine's order
    as patients met it)."""
    seen: dict[str, None] = {}
    for record in records:
        if record.kind == HOLD and record.point is not None:
            seen.setdefault(record.point, None)
    return list(seen)


def language_order(records: Iterable[Record]) -> list[str]:
    """The language codes the records' sessions started in, in the order they first come."""
    seen: dict[str, None] = {}
    for record in records:
        if record.kind == STARTED and record.language is not None:
            seen.setdefault(record.language, None)
    return list(seen)


def tally(
    records: Iterable[Record],
    by: str = "week",
    tz: dt.tzinfo = dt.UTC,
    since: dt.date | None = None,
) -> list[Tally]:
    """One :class:`Tally` per period that has a session, oldest first.

    ``by`` is ``"week"`` (ISO weeks, ``2026-W49``) or ``"day"``. A session counts in the
    period (in time zone ``tz``) of its first record, so a session is never split; sessions
    before ``since`` are left out. A session's length is its completed record's ``seconds``,
    or the wall-clock time since its start when the record has none.
    """
    if by not in ("week", "day"):
        raise ValueError(f"tally by 'week' or 'day', not {by!r}")
    records = list(records)
    points = point_order(records)
    sessions: dict[int, list[Record]] = {}
    for record in records:
        sessions.setdefault(record.session, []).append(record)
    periods: dict[str, list[list[Record]]] = {}
    for group in sessions.values():
        first = min(group, key=lambda r: r.at).at.astimezone(tz)
        if since is not None and first.date() < since:
            continue
        periods.setdefault(_period(first, by), []).append(group)
    return [_tally(period, periods[period], points) for period in sorted(periods)]


def _period(moment: dt.datetime, by: str) -> str:
    if by == "day":
        return moment.date().isoformat()
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _tally(period: str, groups: list[list[Record]], points: list[str]) -> Tally:
    counts = dict.fromkeys((STARTED, *ENDS), 0)
    minutes = []
    reach = dict.fromkeys(points, 0)
    languages: dict[str, int] = {}
    for group in groups:
        kinds = {r.kind: r for r in group}
        for kind in counts:
            counts[kind] += kind in kinds
        if COMPLETED in kinds:
            length = _seconds(kinds[COMPLETED], kinds.get(STARTED))
            if length is not None:
                minutes.append(length / 60)
        for point in {r.point for r in group if r.kind == HOLD and r.point is not None}:
            reach[point] += 1
        start = kinds.get(STARTED)
        if start is not None and start.language is not None:
            languages[start.language] = languages.get(start.language, 0) + 1
    median = statistics.median(minutes) if minutes else None
    return Tally(period, *counts.values(), median_minutes=median, reach=reach, languages=languages)


def _seconds(end: Record, start: Record | None) -> float | None:
    if end.seconds is not None:
        return end.seconds
    if start is None:
        return None
    return max(0.0, (end.at - start.at).total_seconds())
