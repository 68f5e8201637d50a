"""The guided session as a pure state machine: screens, deadlines and what a press means.

Nothing here reads a clock, draws or touches a pin. Every input carries the monotonic time
it happened at (``now``); the caller asks :meth:`Session.next_deadline` when something will
change on its own and calls :meth:`Session.tick` then. Inputs return the :class:`Effect` s the
shell must carry out (sound the buzzer, log), so the whole behaviour is testable with plain
numbers.

The flow::

    IDLE --press--> SAFETY --press--> INTRO(point) --press--> HOLD(step) --time--> DONE(step)
    DONE --press--> HOLD(other side) | INTRO(next point)
    HOLD(last step) --time--> SUMMARY --press or time--> IDLE

The last hold's end goes straight to the summary: a "that was the last point" screen would
cost a press and say nothing new. A press in the summary's first ``SUMMARY_GUARD_SECONDS``
is ignored there, as it was most likely meant for the hold that just ended (the patient
expected a "done" screen) and would skip the side effects to watch for.

From SAFETY, INTRO and DONE, ``inactivity_seconds`` without a press leads to WARNING, which
returns to IDLE after ``warning_seconds`` unless a press resumes the screen it interrupted.
A long press anywhere in a session goes straight back to IDLE. Once the button has been
held for ``CANCEL_HINT_SHARE`` of that time, the view carries ``cancel_from``/``cancel_at``
so the screen can say that holding on will stop the session, with its progress: a cancel
is never a surprise, and letting go in time carries on as if nothing happened.

A screen whose text does not fit at the smallest readable size is split into pages by the
layout (:mod:`kiosk.ui.screens`), which the core cannot see: the caller says how many pages
the screen on view has with each press (``press(now, pages=2)``). On SAFETY, INTRO, DONE and
SUMMARY a press turns to the next page (``View.page``) until the last, and only there does
what the screen says. A page turn counts as activity (the "still there?" timer starts
again) and gives the summary its whole time again. The hold, the warning and the idle screen
are never paged: a press there has its one meaning (none, carry on, start).

A press acts when the button goes down (the hold's timer starts at that moment). Presses
closer together than ``press_gap_seconds`` are contact bounce or a touch storm and are
ignored; a press during a hold never ends it early. A press that happened before the screen
on view appeared (an input read late) was not aimed at it and is ignored too: the caller
applies inputs and deadlines in the order they happened, and this keeps a late one harmless.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, replace


class Phase(enum.Enum):
    """Which screen the session is on."""

    IDLE = "idle"
    SAFETY = "safety"
    INTRO = "intro"
    HOLD = "hold"
    DONE = "done"
    SUMMARY = "summary"
    WARNING = "warning"


class Effect(enum.Enum):
    """Something the shell must do or log after an input."""

    SESSION_STARTED = "session started"
    HOLD_STARTED = "hold started"
    HOLD_ENDED = "hold ended"
    WARNING_STARTED = "inactivity warning"
    RESUMED = "resumed after warning"
    SESSION_COMPLETED = "session completed"
    SESSION_ABANDONED = "session abandoned"
    SESSION_CANCELLED = "session cancelled by a long press"
    BUTTON_STUCK = "button held down too long"


#: A button held this long (seconds) is reported once as stuck or miswired.
STUCK_SECONDS = 20.0
#: After this share of ``long_press_seconds`` held down, the screen warns that holding on
#: stops the session (2.5 s -> after 1 s).
CANCEL_HINT_SHARE = 0.4
#: Presses this soon (seconds) after the summary appeared by itself are ignored.
SUMMARY_GUARD_SECONDS = 3.0
#: The screens whose text may be split into pages a press turns.
PAGED = frozenset({Phase.SAFETY, Phase.INTRO, Phase.DONE, Phase.SUMMARY})


@dataclass(frozen=True)
class Timing:
    """The session's timings, all in seconds.

    No defaults here: the settings table (:mod:`kiosk.content.settings`) is their one source,
    and :func:`kiosk.content.settings.default_timing` builds this from it.
    """

    idle_cycle_seconds: float
    inactivity_seconds: float
    warning_seconds: float
    summary_seconds: float
    long_press_seconds: float
    press_gap_seconds: float


@dataclass(frozen=True)
class Step:
    """One timed hold: a point, on one side (or on the only side), for ``hold_seconds``."""

    point: int
    hold_seconds: float
    side: int
    sides: int


def plan_steps(holds: list[tuple[float, int]]) -> tuple[Step, ...]:
    """Turn ``(hold_seconds, sides)`` per point into the ordered list of holds."""
    return tuple(
        Step(point=index, hold_seconds=hold, side=side, sides=sides)
        for index, (hold, sides) in enumerate(holds)
        for side in range(sides)
    )


@dataclass(frozen=True)
class View:
    """What the screen shows now; the renderer draws from this alone (plus the content).

    ``point`` is the point on screen (the cycling one in IDLE). ``step`` indexes
    :attr:`Session.steps` in INTRO, HOLD and DONE. ``started``/``ends`` bound the hold, the
    warning countdown or the summary. ``resume`` is the screen a WARNING interrupted.
    ``cancel_from``/``cancel_at``: the button is being held down, since ``cancel_from``, and
    the session stops at ``cancel_at`` unless it is let go (None when not). ``page``: which
    page of the screen's text is shown (0 = the first; see the module docstring).
    """

    phase: Phase
    point: int = 0
    step: int | None = None
    started: float | None = None
    ends: float | None = None
    resume: View | None = field(default=None, compare=True)
    cancel_from: float | None = None
    cancel_at: float | None = None
    page: int = 0

    def seconds_left(self, now: float) -> int:
        """Whole seconds left until ``ends``, rounded up (0 when there is no deadline)."""
        if self.ends is None:
            return 0
        return max(0, math.ceil(self.ends - now - 1e-9))


class Session:
    """The kiosk's state machine. See the module docstring for the flow.

    :param steps: the holds in order (from :func:`plan_steps`); at least one.
    :param points: how many points the idle screen cycles through.
    :param timing: the timeouts.
    :param now: the monotonic time the session starts at (idle).
    """

    def __init__(self, steps: tuple[Step, ...], points: int, timing: Timing, now: float) -> None:
        if not steps or points < 1:
            raise ValueError("a session needs at least one point and one hold")
        self.steps = steps
        self.points = points
        self.timing = timing
        self._view = View(Phase.IDLE, point=0, started=now)
        self._shown_at = now
        self._idle_next = now + timing.idle_cycle_seconds
        self._last_activity = now
        self._last_press: float | None = None
        self._down_at: float | None = None
        self._long_done = False
        self._stuck_reported = False
        self._hinting = False
        self._summary_guard = -math.inf

    @property
    def view(self) -> View:
        if self._hinting and self._down_at is not None and not self._long_done:
            at = self._down_at + self.timing.long_press_seconds
            return replace(self._view, cancel_from=self._down_at, cancel_at=at)
        return self._view

    @property
    def phase(self) -> Phase:
        return self._view.phase

    @property
    def button_down(self) -> bool:
        return self._down_at is not None

    # -- inputs -------------------------------------------------------------------------

    def press(self, now: float, *, pages: int = 1) -> list[Effect]:
        """The button went down at ``now``. ``pages``: how many pages the screen on view
        has (after the deadlines due by ``now``: ask :attr:`view` after :meth:`tick`)."""
        effects = self.tick(now)
        if self._down_at is not None:
            return effects  # a second "down" without a release: a duplicate edge
        self._down_at = now
        self._long_done = False
        self._stuck_reported = False
        self._hinting = False
        if self._last_press is not None and now - self._last_press < self.timing.press_gap_seconds:
            return effects  # bounce or a storm of taps
        self._last_press = now
        if now < self._shown_at:
            return effects  # pressed before this screen appeared: meant for an earlier one
        if self._view.phase is Phase.SUMMARY and now < self._summary_guard:
            return effects  # meant for the hold that just ended, not to skip the summary
        before = self._view
        effects += self._turn_page(now) if self._more_pages(pages) else self._act(now)
        self._track(before, now)
        return effects

    def release(self, now: float) -> list[Effect]:
        """The button came up at ``now``."""
        effects = self.tick(now)
        self._down_at = None
        self._hinting = False
        return effects

    def tick(self, now: float) -> list[Effect]:
        """Carry out every deadline due at or before ``now`` (in order, however late)."""
        effects: list[Effect] = []
        for _ in range(1000):  # bounded: each pass moves a deadline forward
            due = self._due(now)
            if due is None:
                return effects
            before = self._view
            effects += self._fire(due, now)
            self._track(before, due)
        raise RuntimeError("session deadlines did not settle")  # pragma: no cover

    def next_deadline(self) -> float | None:
        """The monotonic time at which the session changes by itself, or None."""
        deadlines = [d for d in (self._phase_deadline(), self._button_deadline()) if d is not None]
        return min(deadlines, default=None)

    def _track(self, before: View, at: float) -> None:
        """Note when a new screen or page appeared (not the idle cycle)."""
        view = self._view
        if (view.phase, view.step, view.page) != (before.phase, before.step, before.page):
            self._shown_at = at

    # -- pages ------------------------------------------------------------------------

    def _more_pages(self, pages: int) -> bool:
        return self._view.phase in PAGED and self._view.page + 1 < pages

    def _turn_page(self, now: float) -> list[Effect]:
        """The next page of the screen on view: the patient is reading, so the "still
        there?" timer starts again, and so does the summary's."""
        self._last_activity = now
        view = replace(self._view, page=self._view.page + 1)
        if view.phase is Phase.SUMMARY:
            view = replace(view, ends=now + self.timing.summary_seconds)
        self._view = view
        return []

    # -- what a press does ------------------------------------------------------------

    def _act(self, now: float) -> list[Effect]:
        view = self._view
        phase = view.phase
        if phase is Phase.HOLD:
            return []  # a hold always runs its full time
        self._last_activity = now
        if phase is Phase.WARNING:
            assert view.resume is not None
            self._view = view.resume
            return [Effect.RESUMED]
        if phase is Phase.IDLE:
            self._view = View(Phase.SAFETY, point=0)
            return [Effect.SESSION_STARTED]
        if phase is Phase.SAFETY:
            self._view = View(Phase.INTRO, point=self.steps[0].point, step=0)
            return []
        if phase is Phase.INTRO:
            return self._start_hold(view.step or 0, now)
        if phase is Phase.DONE:
            return self._after_done(view.step or 0, now)
        return self._to_idle(now, Effect.SESSION_COMPLETED)  # SUMMARY

    def _start_hold(self, index: int, now: float) -> list[Effect]:
        step = self.steps[index]
        self._view = View(
            Phase.HOLD, point=step.point, step=index, started=now, ends=now + step.hold_seconds
        )
        return [Effect.HOLD_STARTED]

    def _after_done(self, index: int, now: float) -> list[Effect]:
        following = index + 1  # the last step has no DONE: its end is the summary
        if self.steps[following].point == self.steps[index].point:
            return self._start_hold(following, now)
        self._view = View(Phase.INTRO, point=self.steps[following].point, step=following)
        return []

    def _to_summary(self, point: int, now: float) -> None:
        self._view = View(
            Phase.SUMMARY, point=point, started=now, ends=now + self.timing.summary_seconds
        )

    def _to_idle(self, now: float, why: Effect) -> list[Effect]:
        self._view = View(Phase.IDLE, point=0, started=now)
        self._idle_next = now + self.timing.idle_cycle_seconds
        self._last_activity = now
        return [why]

    # -- what time does -----------------------------------------------------------------

    def _phase_deadline(self) -> float | None:
        view, timing = self._view, self.timing
        if view.phase is Phase.IDLE:
            return self._idle_next if self.points > 1 else None
        if view.phase in (Phase.HOLD, Phase.WARNING, Phase.SUMMARY):
            return view.ends
        return self._last_activity + timing.inactivity_seconds

    def _button_deadline(self) -> float | None:
        if self._down_at is None:
            return None
        if not self._long_done and not self._hinting and self._view.phase is not Phase.IDLE:
            return self._down_at + self.timing.long_press_seconds * CANCEL_HINT_SHARE
        if not self._long_done:
            return self._down_at + self.timing.long_press_seconds
        if not self._stuck_reported:
            return self._down_at + STUCK_SECONDS
        return None

    def _due(self, now: float) -> float | None:
        deadline = self.next_deadline()
        return deadline if deadline is not None and deadline <= now else None

    def _fire(self, at: float, now: float) -> list[Effect]:
        """Handle the deadline at ``at`` (button deadlines first when they coincide)."""
        if self._button_deadline() == at:
            return self._button_timeout(at)
        view = self._view
        if view.phase is Phase.IDLE:
            cycle = self.timing.idle_cycle_seconds
            missed = int((now - at) // cycle)  # catch up after a long sleep in one step
            at += missed * cycle
            self._view = replace(view, point=(view.point + 1 + missed) % self.points, started=at)
            self._idle_next = at + cycle
            return []
        if view.phase is Phase.HOLD:
            if (view.step or 0) + 1 >= len(self.steps):
                self._to_summary(view.point, at)
                self._summary_guard = at + SUMMARY_GUARD_SECONDS
                return [Effect.HOLD_ENDED]
            self._view = replace(view, phase=Phase.DONE, started=at, ends=None)
            self._last_activity = at
            return [Effect.HOLD_ENDED]
        if view.phase is Phase.WARNING:
            return self._to_idle(at, Effect.SESSION_ABANDONED)
        if view.phase is Phase.SUMMARY:
            return self._to_idle(at, Effect.SESSION_COMPLETED)
        self._view = View(
            Phase.WARNING,
            point=view.point,
            started=at,
            ends=at + self.timing.warning_seconds,
            resume=view,
        )
        return [Effect.WARNING_STARTED]

    def _button_timeout(self, at: float) -> list[Effect]:
        if not self._long_done and not self._hinting and self._view.phase is not Phase.IDLE:
            self._hinting = True  # the screen now says that holding on stops the session
            return []
        if not self._long_done:
            self._long_done = True
            if self._view.phase is not Phase.IDLE:
                return self._to_idle(at, Effect.SESSION_CANCELLED)
            return []
        self._stuck_reported = True
        return [Effect.BUTTON_STUCK]
