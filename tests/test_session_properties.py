"""Properties of the session core under random presses, releases, bounces and time jumps.

A hypothesis state machine drives :class:`kiosk.core.session.Session` with plain numbers for time
and keeps a small model of what must be true: a hold never ends before its full time, every
hold that starts ends exactly once (with one buzz) unless a long press cancels it, every
session that starts ends exactly once, deadlines are never in the past, a press outside a
hold always does something, and left alone any session gets back to the idle screen.

A breadth-first walk over press/hold-down/release/wait then shows every phase can be reached
and that none is a trap.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from kiosk.content.settings import SETTINGS, default_timing
from kiosk.core.session import SUMMARY_GUARD_SECONDS, Effect, Phase, Session, Timing, plan_steps

ENDINGS = (Effect.SESSION_COMPLETED, Effect.SESSION_ABANDONED, Effect.SESSION_CANCELLED)


def timings() -> st.SearchStrategy[Timing]:
    """Any timing the settings table allows."""
    fields = {
        s.name: st.floats(s.low, s.high, allow_nan=False) for s in SETTINGS if s.section == "timing"
    }
    return st.fixed_dictionaries(fields).map(lambda values: Timing(**values))


ROUTINES = st.lists(
    st.tuples(st.floats(0.05, 5) | st.floats(0.05, 600), st.sampled_from([1, 2])),
    min_size=1,
    max_size=3,
)
#: Gaps between inputs: bounces (ms), ordinary gaps, and long jumps (a stalled loop, a sleep).
GAPS = st.one_of(
    st.floats(0.0, 0.02),
    st.floats(0.0, 5.0),
    st.floats(0.3, 5.0),
    st.sampled_from([0.3, 2.5, 20.0, 30.0, 90.0]),
    st.floats(0.0, 100_000.0),
)


@dataclass
class OpenHold:
    step: int
    started: float
    ends: float


def settle_to_idle(
    session: Session, now: float, apply: Callable[[list[Effect], float], object] | None = None
) -> float:
    """Leave ``session`` alone (button released) and return when it is idle again; the
    effects on the way go to ``apply``."""
    apply = apply or (lambda effects, at: None)
    if session.button_down:
        apply(session.release(now), now)
    for _ in range(50):
        if session.phase is Phase.IDLE:
            return now
        deadline = session.next_deadline()
        assert deadline is not None, f"stuck in {session.phase} with no deadline"
        now = max(now, deadline)
        apply(session.tick(now), now)
    raise AssertionError(f"still in {session.phase} after 50 deadlines")


class SessionMachine(RuleBasedStateMachine):
    """The session under random input, checked against a small model after every step."""

    @initialize(routine=ROUTINES, timing=timings(), points=st.integers(1, 4), start=GAPS)
    def start(self, routine: list[tuple[float, int]], timing: Timing, points: int, start: float):
        self.steps = plan_steps(routine)
        self.points = min(points, len(routine))
        self.timing = timing
        self.now = start
        self.session = Session(self.steps, self.points, timing, start)
        self.hold: OpenHold | None = None
        self.in_session = False
        self.last_press: float | None = None
        self.completed_holds = 0
        self.buzzes = 0
        self.accepted = 0

    # -- inputs ----------------------------------------------------------------------------

    @rule(gap=GAPS)
    def press(self, gap: float) -> None:
        self.now += gap
        before = copy.deepcopy(self.session)
        before.tick(self.now)
        down = self.session.button_down
        self.apply(self.session.press(self.now))
        if down:
            return
        accepted = self.last_press is None or self.now - self.last_press >= (
            self.timing.press_gap_seconds
        )
        if accepted:
            self.last_press = self.now
            self.accepted += 1
            guarded = before.phase is Phase.SUMMARY and self.now < before.view.started + (
                SUMMARY_GUARD_SECONDS
            )
            if guarded:  # just after the last hold: meant for that, not to skip the summary
                assert self.session.view == before.view, "a press skipped the summary"
            elif before.phase is not Phase.HOLD:
                # a press outside a hold always moves the session on: nothing is stuck
                assert self.session.view != before.view
            else:
                assert self.session.view == before.view, "a press changed a running hold"
        else:
            assert self.session.view == before.view, "a bounce was taken as a press"

    @rule(gap=GAPS)
    def release(self, gap: float) -> None:
        self.now += gap
        self.apply(self.session.release(self.now))

    @rule(gap=GAPS, length=st.floats(0.0, 0.25))
    def click(self, gap: float, length: float) -> None:
        self.press(gap)
        self.release(length)

    @rule(gap=GAPS, extra=st.floats(0.0, 30.0))
    def long_press(self, gap: float, extra: float) -> None:
        self.press(gap)
        in_session = self.session.phase is not Phase.IDLE
        self.now += self.timing.long_press_seconds + extra
        effects = self.apply(self.session.tick(self.now))
        if in_session:
            assert any(ending in effects for ending in ENDINGS)
        assert self.session.phase is Phase.IDLE
        self.release(0.1)

    @rule(gap=GAPS, bounces=st.lists(st.floats(0.0005, 0.01), min_size=2, max_size=12))
    def bounce(self, gap: float, bounces: list[float]) -> None:
        """A contact chattering: presses and releases milliseconds apart count as one."""
        accepted = self.accepted
        self.press(gap)
        for index, delay in enumerate(bounces):
            (self.release if index % 2 == 0 else self.press)(delay)
        self.release(0.001)
        if sum(bounces) + 0.001 < self.timing.press_gap_seconds:
            assert self.accepted - accepted <= 1

    @rule(gap=GAPS)
    def wait(self, gap: float) -> None:
        self.now += gap
        self.apply(self.session.tick(self.now))

    @precondition(lambda self: self.session.next_deadline() is not None)
    @rule(early=st.sampled_from([0.0, 1e-9, 1e-6, 0.001]))
    def wait_to_deadline(self, early: float) -> None:
        """Land exactly on (or just before) the next deadline: the boundaries."""
        deadline = self.session.next_deadline()
        assert deadline is not None
        self.now = max(self.now, deadline - early)
        self.apply(self.session.tick(self.now))

    @rule(extra=st.floats(0.0, 1.0))
    def go_on(self, extra: float) -> None:
        """What a patient does: wait out a hold, else press once after a pause."""
        if self.session.phase is Phase.HOLD:
            self.wait_to_deadline(0.0)
            return
        if self.session.button_down:
            self.release(0.05)
        self.click(self.timing.press_gap_seconds + extra, 0.1)

    # -- the model -------------------------------------------------------------------------

    def apply(self, effects: list[Effect]) -> list[Effect]:
        for effect in effects:
            event(f"effect: {effect.name}")
            if effect is Effect.SESSION_STARTED:
                assert not self.in_session, "a session started inside a session"
                self.in_session = True
            elif effect in ENDINGS:
                assert self.in_session, f"{effect.name} without a session"
                self.in_session = False
                if effect is not Effect.SESSION_CANCELLED:
                    assert self.hold is None, f"{effect.name} during a hold"
                self.hold = None  # a long press cancels a running hold
            elif effect is Effect.HOLD_STARTED:
                assert self.in_session and self.hold is None, "a hold started twice"
                view = self.session.view
                assert view.phase is Phase.HOLD and view.step is not None
                step = self.steps[view.step]
                self.hold = OpenHold(view.step, self.now, self.now + step.hold_seconds)
            elif effect is Effect.HOLD_ENDED:
                assert self.hold is not None, "a hold ended that never started"
                assert self.now >= self.hold.ends, "a hold ended early"
                self.hold = None
                self.completed_holds += 1
                self.buzzes += 1  # the shell sounds the buzzer once per HOLD_ENDED
        return effects

    @invariant()
    def deadlines_are_ahead(self) -> None:
        deadline = self.session.next_deadline()
        assert deadline is None or deadline > self.now

    @invariant()
    def view_is_consistent(self) -> None:
        view = self.session.view
        event(f"phase: {view.phase.name}")
        assert 0 <= view.point < self.points or view.phase is not Phase.IDLE
        assert (view.phase is not Phase.IDLE) == self.in_session
        if view.phase in (Phase.INTRO, Phase.HOLD, Phase.DONE):
            assert view.step is not None and 0 <= view.step < len(self.steps)
            assert view.point == self.steps[view.step].point
        if view.phase is Phase.WARNING:
            assert view.resume is not None
            assert view.resume.phase in (Phase.SAFETY, Phase.INTRO, Phase.DONE)
            assert view.ends is not None and view.started is not None
            assert view.ends - view.started == pytest.approx(self.timing.warning_seconds)
        if view.phase is Phase.SUMMARY:
            assert view.ends is not None and view.ends > self.now

    @invariant()
    def holds_run_their_full_time(self) -> None:
        view = self.session.view
        if self.hold is None:
            assert view.phase is not Phase.HOLD
            return
        assert view.phase is Phase.HOLD, "a hold stopped without ending or a long press"
        assert view.step == self.hold.step
        assert view.ends == self.hold.ends > self.now
        assert self.buzzes == self.completed_holds

    @invariant()
    def left_alone_it_returns_to_idle(self) -> None:
        probe = copy.deepcopy(self.session)
        longest = max(s.hold_seconds for s in self.steps)
        timing = self.timing
        bound = longest + timing.inactivity_seconds + timing.warning_seconds
        bound += max(timing.summary_seconds, timing.long_press_seconds) + 1
        assert settle_to_idle(probe, self.now) - self.now <= bound

    def teardown(self) -> None:
        if not hasattr(self, "session"):
            return
        completed = self.completed_holds
        self.now = settle_to_idle(self.session, self.now, self._settle)
        assert self.session.phase is Phase.IDLE and not self.in_session
        assert self.hold is None
        assert self.completed_holds - completed <= 1

    def _settle(self, effects: list[Effect], now: float) -> None:
        self.now = now
        self.apply(effects)


SessionMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)
TestSessionMachine = SessionMachine.TestCase


# -- every phase reachable, none a trap --------------------------------------------------------

TIMING = default_timing()
ACTIONS = ("click", "hold down", "release", "wait")


def _act(session: Session, now: float, action: str) -> float | None:
    """Do ``action`` at about ``now``; the new time, or None if it makes no sense here."""
    if action == "click":
        if session.button_down:
            return None
        now += 1.0
        session.press(now)
        session.release(now + 0.1)
        return now + 0.1
    if action == "hold down":
        if session.button_down:
            return None
        session.press(now + 1.0)
        return now + 1.0
    if action == "release":
        if not session.button_down:
            return None
        session.release(now + 0.1)
        return now + 0.1
    deadline = session.next_deadline()
    if deadline is None:
        return None
    session.tick(deadline)
    return deadline


def _key(session: Session) -> tuple:
    view = session.view
    resume = view.resume and (view.resume.phase, view.resume.step)
    return (view.phase, view.point, view.step, resume, session.button_down)


def test_every_phase_is_reachable_and_none_is_a_trap() -> None:
    """Breadth-first over press/hold-down/release/wait on a two-point routine (one point on
    both sides): every phase shows up, and from every state reached, leaving the kiosk
    alone brings it back to idle."""
    steps = plan_steps([(30.0, 2), (45.0, 1)])
    start = Session(steps, 2, TIMING, 0.0)
    seen = {_key(start)}
    queue = deque([(start, 0.0, 0)])
    phases = set()
    while queue:
        session, now, depth = queue.popleft()
        phases.add(session.phase)
        settle_to_idle(copy.deepcopy(session), now)
        if depth >= 12:
            continue
        for action in ACTIONS:
            after = copy.deepcopy(session)
            later = _act(after, now, action)
            if later is None or _key(after) in seen:
                continue
            seen.add(_key(after))
            queue.append((after, later, depth + 1))
    assert phases == set(Phase)
    assert len(seen) > 20
