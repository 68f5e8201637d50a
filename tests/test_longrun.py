"""A simulated day: 24 hours of visitors through the real main loop, renderer and mock pins.

The fake clock jumps from one wake-up to the next, so a day takes seconds. About 270
visitors come at random (seeded) gaps and finish the routine, walk away, stop it with a long
press, press with a bouncing contact, hammer the button, or come back after the "Are you
still there?" question. Afterwards the kiosk must be idle, every hold must have ended once
with one beep (unless a long press cancelled it), and neither Python memory (block counts,
then tracemalloc), the pygame surfaces kept alive, the renderer's caches nor the loop's
records may have grown beyond a bound.

To run a day in well under 30 s, some things are shortened; none changes what is measured:

- every hold lasts 3 s (``dataclasses.replace`` on the built-in content, as in
  ``test_app.py``), and the inactivity, warning and summary times are the shortest the
  settings table allows (15 s, 20 s, 5 s), so a session draws fewer countdown frames;
- the idle screen shows the next point every 60 s instead of 8 s (fewer full repaints);
- SDL input is pumped every 5 s instead of 20 times a second (``PUMP_INTERVAL``): the
  button here is the mock pin, whose presses come through the inbox, not through SDL.
"""

from __future__ import annotations

import collections
import dataclasses
import gc
import random
import sys
import tracemalloc
from collections.abc import Callable

import pygame

import kiosk.app.loop
from kiosk.content.config import load_config
from kiosk.content.settings import SETTINGS
from kiosk.core.session import Effect, Phase
from kiosk.ui.renderer import image_capacity
from kiosk.ui.tour import every_screen

DAY = 24 * 3600.0
HOLD = 3.0
IDLE_CYCLE = 60.0
SEED = 20240601
#: How many more Python memory blocks may be in use 20 hours after the warm-up (a leak of one
#: small object per frame or per wake-up would be tens of thousands).
BLOCKS_BOUND = 1_000
#: How much Python memory tracemalloc may see grow over the last three hours (bytes).
MEMORY_BOUND = 64 * 1024

KINDS = ("complete", "complete", "complete", "abandon", "cancel", "bouncy", "resume", "storm")


def quick_config():  # type: ignore[no-untyped-def]
    """The built-in config with 3 s holds and the shortest timings staff may set."""
    config = load_config()
    content = config.content
    points = tuple(dataclasses.replace(p, hold_seconds=HOLD) for p in content.points)
    shortest = {s.name: s.low for s in SETTINGS if s.section == "timing"}
    shortest["press_gap_seconds"] = config.timing.press_gap_seconds
    shortest["long_press_seconds"] = config.timing.long_press_seconds
    shortest["idle_cycle_seconds"] = IDLE_CYCLE
    return dataclasses.replace(
        config,
        content=dataclasses.replace(content, points=points),
        timing=dataclasses.replace(config.timing, **shortest),
    )


class Visitors:
    """Schedules visitors on the kiosk's inbox, each reacting to the screen it sees.

    A visitor acts 1–4 s after each screen appears (right after a hold ends, as the beep asks),
    and the next visitor comes 10 s to 10 minutes after the kiosk is idle again.
    """

    def __init__(self, kiosk, rng: random.Random, until: float) -> None:  # type: ignore[no-untyped-def]
        self.kiosk = kiosk
        self.rng = rng
        self.until = until
        self.started: collections.Counter[str] = collections.Counter()
        self.kind = ""
        self.presses = 0

    @property
    def session(self):  # type: ignore[no-untyped-def]
        return self.kiosk.app.session

    def at(self, delay: float, action: Callable[[], object]) -> None:
        self.kiosk.inbox.at(self.kiosk.clock.now + delay, lambda: action() and None)

    def press(self, length: float = 0.15) -> None:
        button = self.kiosk.button
        button.drive_low()
        self.at(length, button.drive_high)

    def arrive(self) -> None:
        if self.kiosk.clock.now >= self.until:
            return
        self.kind = self.rng.choice(KINDS)
        self.started[self.kind] += 1
        self.presses = 0
        self.step()

    def leave(self) -> None:
        """Wait for the idle screen, then send the next visitor."""
        if self.session.phase is not Phase.IDLE:
            self.at(5.0, self.leave)
            return
        self.at(self.rng.uniform(10, 600), self.arrive)

    def step(self) -> None:
        session, rng = self.session, self.rng
        if self.presses and session.phase is Phase.IDLE:
            self.leave()
            return
        if session.phase is Phase.HOLD:
            ends = session.view.ends or self.kiosk.clock.now
            self.at(ends - self.kiosk.clock.now + rng.uniform(0.5, 2), self.step)
            return
        if self.kind == "abandon" and self.presses >= rng.randint(1, 6):
            self.leave()
            return
        if self.kind == "cancel" and self.presses >= rng.randint(2, 5):
            self.press(length=self.kiosk.config.timing.long_press_seconds + 0.5)
            self.at(4.0, self.leave)
            return
        if self.kind == "resume" and self.presses == 3 and session.phase is not Phase.WARNING:
            warn = self.kiosk.config.timing.inactivity_seconds + 2
            self.at(warn, self.step)
            self.presses += 1
            return
        self.act()
        self.at(rng.uniform(1, 4), self.step)

    def act(self) -> None:
        self.presses += 1
        if self.kind == "bouncy":
            for offset in (0.0, 0.003, 0.006, 0.008):  # a chattering contact, 2 ms edges
                self.at(offset, self.kiosk.button.drive_low)
                self.at(offset + 0.002, self.kiosk.button.drive_high)
        elif self.kind == "storm":
            for index in range(30):  # a child hammering the button, every 10 ms
                self.at(index * 0.01, self.kiosk.button.drive_low)
                self.at(index * 0.01 + 0.005, self.kiosk.button.drive_high)
        else:
            self.press()


#: Allocations that are not the kiosk's: modules imported on first use.
IGNORED = [tracemalloc.Filter(False, "<frozen importlib._bootstrap*>")]


def surfaces() -> dict[str, int]:
    """How many pygame surfaces Python objects hold, and their pixels' bytes.

    Surfaces are not tracked by the garbage collector, so they are found as the referents
    of the objects that are (caches, lists, instances).
    """
    found: dict[int, pygame.Surface] = {}
    for holder in gc.get_objects():
        for item in gc.get_referents(holder):
            if isinstance(item, pygame.Surface):
                found[id(item)] = item
    pixels = count = 0
    for surface in found.values():
        try:
            pixels += surface.get_width() * surface.get_height() * surface.get_bytesize()
        except pygame.error:  # the window surface of a display closed by an earlier test
            continue
        count += 1
    return {"count": count, "bytes": pixels}


class Day:
    """The ``until`` of one long ``App.run`` (its end closes the pins, so there is only one).

    Every simulated hour it drops the mock pins' record of every edge (test-only history).
    After the first hour (the warm-up, which fills the caches with every screen) it notes the
    Python memory blocks and pygame surfaces alive. Twenty hours later it counts the blocks
    again and starts tracemalloc for the last three hours of the day (tracing all day would
    take four times as long, and tracing itself keeps blocks, so the counts come first).
    After 24¼ hours (the last visitor finishing) it stops the run.
    """

    UNTRACED_HOURS = 20

    def __init__(self, machine) -> None:  # type: ignore[no-untyped-def]
        self.machine = machine
        self.start = machine.clock.now
        self.hours = 0
        self.warm_effects: collections.Counter[Effect] = collections.Counter()
        self.blocks_before = 0
        self.blocks_grown = 0
        self.surfaces_before: dict[str, int] = {}
        self.snapshot: tracemalloc.Snapshot | None = None
        self.grown = 0
        self.top = ""

    def until(self, app) -> bool:  # type: ignore[no-untyped-def]
        elapsed = self.machine.clock.now - self.start
        if elapsed < min(self.hours * 3600.0, DAY + 900):
            return False
        self.hours += 1
        for number in (17, 27, 22):
            self.machine.pin(number).clear_states()
        if self.hours == 2:
            self.warm_effects = collections.Counter(app.stats.effects)
            self.surfaces_before = surfaces()  # first: looking at objects can grow them
            gc.collect()
            self.blocks_before = sys.getallocatedblocks()
        elif self.hours == 2 + self.UNTRACED_HOURS:
            gc.collect()
            self.blocks_grown = sys.getallocatedblocks() - self.blocks_before
            tracemalloc.start()
            self.snapshot = tracemalloc.take_snapshot().filter_traces(IGNORED)
        elif self.hours == 25:
            self.measure()
        return elapsed >= DAY + 900

    def measure(self) -> None:
        gc.collect()
        assert self.snapshot is not None
        after = tracemalloc.take_snapshot().filter_traces(IGNORED)
        tracemalloc.stop()
        changes = after.compare_to(self.snapshot, "lineno")
        self.grown = sum(change.size_diff for change in changes)
        self.top = "\n".join(str(change) for change in changes[:5])
        self.snapshot = None


class Holds:
    """Counts effects in order: every hold started ends once, unless a long press cancels it."""

    def __init__(self) -> None:
        self.effects: collections.Counter[Effect] = collections.Counter()
        self.open = False
        self.cancelled = 0

    def __call__(self, found: list[Effect]) -> None:
        for effect in found:
            self.effects[effect] += 1
            if effect is Effect.HOLD_STARTED:
                assert not self.open, "a hold started inside a hold"
                self.open = True
            elif effect is Effect.HOLD_ENDED:
                assert self.open, "a hold ended that never started"
                self.open = False
            elif effect is Effect.SESSION_CANCELLED:
                self.cancelled += self.open
                self.open = False


def test_a_day_of_visitors_leaves_no_trace(make_kiosk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(kiosk.app.loop, "PUMP_INTERVAL", 5.0)
    machine = make_kiosk(quick_config(), size=(800, 480))
    app = machine.app
    holds = Holds()
    effects = holds.effects
    apply, hold_ended = app._apply, app.parts.hold_ended
    buzzes: collections.Counter[str] = collections.Counter()
    monkeypatch.setattr(app, "_apply", lambda found: (holds(found), apply(found)))
    monkeypatch.setattr(app.parts, "hold_ended", lambda: (buzzes.update(["beep"]), hold_ended()))
    visitors = Visitors(machine, random.Random(SEED), until=machine.clock.now + DAY)
    # The test's own record of waits would grow all day: keep only the last ones.
    machine.inbox.waits = collections.deque(maxlen=100)  # type: ignore[assignment]
    day = Day(machine)

    visitors.arrive()
    app.run(until=day.until)

    assert day.hours == 26
    assert day.warm_effects[Effect.SESSION_COMPLETED] >= 1
    # memory: Python objects, pygame surfaces, caches, the loop's own records
    assert day.blocks_grown < BLOCKS_BOUND
    assert day.grown < MEMORY_BOUND, day.top
    held = surfaces()
    assert held["count"] <= day.surfaces_before["count"] + 8, (day.surfaces_before, held)
    assert held["bytes"] <= day.surfaces_before["bytes"] + 800 * 480 * 4
    sizes = app.renderer.cache_sizes()
    # sized from the routine in each language (English and Spanish: every screen twice)
    screens = len(every_screen(machine.config))
    assert sizes["layouts"] <= max(32, screens + 8) and sizes["fonts"] <= 48
    assert sizes["images"] <= image_capacity(machine.config.content) * len(machine.config.contents)
    assert len(app.stats.effects) <= 1000
    # the day itself: hundreds of sessions of every kind, ending idle
    assert app.session.phase is Phase.IDLE
    assert sum(visitors.started.values()) >= 200, visitors.started
    assert set(visitors.started) == set(KINDS)
    assert effects[Effect.SESSION_STARTED] >= 200
    assert effects[Effect.SESSION_COMPLETED] >= 100, (visitors.started, dict(effects))
    assert effects[Effect.SESSION_ABANDONED] >= 10
    assert effects[Effect.SESSION_CANCELLED] >= 10
    assert effects[Effect.RESUMED] >= 10
    ended = sum(effects[e] for e in (Effect.SESSION_COMPLETED, Effect.SESSION_ABANDONED))
    assert ended + effects[Effect.SESSION_CANCELLED] == effects[Effect.SESSION_STARTED]
    assert effects[Effect.HOLD_ENDED] == effects[Effect.HOLD_STARTED] - holds.cancelled
    assert buzzes["beep"] == effects[Effect.HOLD_ENDED]  # one beep per completed hold
    assert app.stats.failures == 0
