"""A walk through every screen of a routine, for screenshots, ``check`` and the tests.

The views come from a real :class:`~kiosk.core.session.Session` driven with made-up times, so the
screenshots show exactly what a patient would see.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.content.config import Config
from kiosk.core.session import Phase, Session, View


@dataclass(frozen=True)
class Stop:
    """One screen on the tour: a file-friendly name, the view and the time to show it at."""

    name: str
    view: View
    now: float


def tour(config: Config) -> list[Stop]:
    """Every screen, in the order a patient meets them."""
    session = config.new_session(0.0)
    points = config.content.points
    stops: list[Stop] = []
    now = 0.0
    for index, point in enumerate(points):
        stops.append(Stop(f"01-idle-{index + 1}-{point.id}", session.view, now))
        now = session.next_deadline() or now
        session.tick(now)
    now = _press(session, now)
    stops.append(Stop("02-safety", session.view, now))
    now = _press(session, now)
    warned = cancelled = False
    while session.phase is not Phase.SUMMARY:
        view = session.view
        point = points[view.point]
        if view.phase is Phase.INTRO:
            stops.append(Stop(f"03-intro-{view.point + 1}-{point.id}", view, now))
            if not warned:
                warned = True
                stops.append(_warning(session, now))
        elif view.phase is Phase.HOLD:
            step = session.steps[view.step or 0]
            side = f"-side{step.side + 1}" if step.sides == 2 else ""
            at = now + step.hold_seconds * 0.35
            stops.append(Stop(f"04-hold-{view.point + 1}-{point.id}{side}", view, at))
            if not cancelled:
                cancelled = True
                stops.append(_cancelling(session, now, "08-stopping"))
            now = view.ends or now
            session.tick(now)
            if session.phase is Phase.DONE:  # the last hold's end is the summary itself
                name = f"05-done-{view.point + 1}-{point.id}{side}"
                stops.append(Stop(name, session.view, now))
            continue
        now = _press(session, now)
    stops.append(Stop("06-summary", session.view, now))
    return stops


def _press(session: Session, now: float) -> float:
    now += 1.0
    session.press(now)
    session.release(now + 0.1)
    return now + 0.1


def _cancelling(session: Session, now: float, name: str) -> Stop:
    """The hold on screen, with the kiosk's button held down for a while (1.6 s of the 2.5
    s): the screen says that holding on stops the session."""
    probe = copy.deepcopy(session)
    down = now + 2.0
    probe.press(down)
    held = down + probe.timing.long_press_seconds * 0.64
    probe.tick(held)
    return Stop(name, probe.view, held)


def _warning(session: Session, now: float) -> Stop:
    """The inactivity warning as it would appear over the current screen (5 s in)."""
    probe = copy.deepcopy(session)
    deadline = probe.next_deadline() or now
    probe.tick(deadline)
    return Stop("07-warning", probe.view, deadline + 5.0)


def with_pages(stops: list[Stop], pages: Callable[[View], int]) -> list[Stop]:
    """``stops`` with every later page of a screen split into pages after its first
    (``02-safety``, ``02-safety-page2``...); ``pages(view)`` says how many a screen has."""
    out = []
    for stop in stops:
        out.append(stop)
        for page in range(1, pages(stop.view)):
            view = dataclasses.replace(stop.view, page=page)
            out.append(Stop(f"{stop.name}-page{page + 1}", view, stop.now))
    return out
