"""The main loop: wires the session, the screen, the parts and systemd together.

The loop sleeps in :meth:`Inbox.get` until the next thing that must change — a session
deadline, the next countdown second, the next SDL input pump or watchdog ping — or until a
GPIO thread or a signal hands it an event. It repaints only when what is on screen changed.

Anything unexpected while drawing sends the kiosk back to the idle screen (the failsafe) and
is logged with its traceback; the screen never shows one. Failing again and again, or losing
the display, ends the process with a non-zero status so systemd restarts it.
"""

from __future__ import annotations

import logging
import math
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.core.events import Event, Inbox, Press, Quit, Release
from kiosk.core.session import Effect, Phase, Session
from kiosk.devices.display import DisplayError

log = logging.getLogger(__name__)

#: How often SDL input (keyboard, mouse, touch) is pumped while it is in use, in seconds.
PUMP_INTERVAL = 0.05
#: How often it is pumped in full screen with no touch screen and no SDL input for
#: INPUT_QUIET_SECONDS: a kiosk worked by its GPIO button then wakes twice a second instead
#: of twenty times (a wake-up costs far more CPU than the pump). A key or click after a quiet
#: spell is seen within this time, the ones after it within PUMP_INTERVAL again.
QUIET_PUMP_INTERVAL = 0.5
INPUT_QUIET_SECONDS = 300.0
#: Later screens are prepared (:meth:`kiosk.ui.renderer.Renderer.warm`) only when no deadline or
#: countdown change is nearer than this, in seconds (preparing one takes up to ~40 ms).
WARM_SLACK = 0.1
#: This many failures within FAILURE_WINDOW seconds end the process.
MAX_FAILURES = 5
FAILURE_WINDOW = 60.0

EXIT_OK = 0
EXIT_DISPLAY = 3
EXIT_FAILING = 4


@dataclass
class Stats:
    """What the loop did: for tests and the benchmark."""

    frames: int = 0
    partial_frames: int = 0
    wakeups: int = 0
    failures: int = 0
    effects: list[Effect] = field(default_factory=list)


class App:
    """The kiosk's main loop.

    :param session_factory: makes a fresh idle session at a given time.
    :param renderer: draws views (:class:`kiosk.ui.renderer.Renderer`).
    :param display: the screen (:class:`kiosk.devices.display.Display`).
    :param parts: button, buzzer and LED (:class:`kiosk.devices.gpio.Parts`).
    :param inbox: where GPIO threads and signals put events.
    :param notifier: systemd notification (:class:`kiosk.devices.systemd.SystemdNotifier`).
    :param clock: the monotonic clock (a fake one in tests).
    """

    def __init__(
        self,
        session_factory: Callable[[float], Session],
        renderer,
        display,
        parts,
        inbox: Inbox,
        notifier,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # type: ignore[no-untyped-def]
        self.new_session = session_factory
        self.renderer = renderer
        self.display = display
        self.parts = parts
        self.inbox = inbox
        self.notifier = notifier
        self.clock = clock
        self.session = session_factory(clock())
        self.stats = Stats()
        self.running = False
        self._failures: deque[float] = deque()
        self._next_pump = 0.0
        self._next_ping = 0.0
        self._last_input = -INPUT_QUIET_SECONDS

    # -- running ------------------------------------------------------------------------

    def run(self, until: Callable[[App], bool] | None = None) -> int:
        """Run until a Quit event (or ``until(app)`` is true). Returns the exit status."""
        self.running = True
        self._next_pump = self._next_ping = self.clock()
        try:
            self._draw(self.clock())
            self.notifier.ready()
            log.info("Kiosk ready: first frame shown")
            while self.running and not (until and until(self)):
                self._turn()
        except DisplayLost as err:
            log.error("%s", err)
            return EXIT_DISPLAY
        except TooManyFailures as err:
            log.error("%s", err)
            return EXIT_FAILING
        finally:
            self.notifier.stopping()
            self.parts.close()
        return EXIT_OK

    def _turn(self) -> None:
        now = self.clock()
        self._apply(self.session.tick(now))
        self._draw(now)
        self._ping(now)
        self.stats.wakeups += 1
        self._warm(now)
        event = self.inbox.get(self._next_wake(now) - self.clock())
        while event is not None:
            self._handle(event)
            event = self.inbox.get(0)
        now = self.clock()
        if now >= self._next_pump:
            polled = self._poll(now)
            if any(isinstance(event, Press | Release) for event in polled):
                self._last_input = now
            self._next_pump = now + self._pump_interval(now)
            for event in polled:
                self._handle(event)

    def _pump_interval(self, now: float) -> float:
        display = self.display
        if not display.fullscreen or display.touch or now - self._last_input < INPUT_QUIET_SECONDS:
            return PUMP_INTERVAL
        return QUIET_PUMP_INTERVAL

    def _warm(self, now: float) -> None:
        """Prepare later screens, one at a time, while no event waits and nothing is due."""
        while self.renderer.warming and self.inbox.empty():
            if self._next_due(now) - self.clock() < WARM_SLACK:
                return
            try:
                self.renderer.warm()
            except Exception:
                log.exception("Preparing a later screen failed: it is laid out when shown")

    def _next_due(self, now: float) -> float:
        """The next session deadline or countdown change (infinity when none)."""
        due = (self.session.next_deadline(), self.renderer.next_change(self.session.view, now))
        return min((d for d in due if d is not None), default=math.inf)

    def _next_wake(self, now: float) -> float:
        wakes = [self._next_pump, self._next_due(now)]
        if self.notifier.watchdog_interval:
            wakes.append(self._next_ping)
        return min(wakes)

    def _handle(self, event: Event) -> None:
        """Answer a press on screen first, then sound the buzzer and set the LED: starting
        and stopping their threads takes milliseconds that the frame need not wait for."""
        effects: list[Effect] = []
        if isinstance(event, Quit):
            log.info("Stopping: %s", event.reason)
            self.running = False
        elif isinstance(event, Press):
            effects = self.session.press(event.at)
        elif isinstance(event, Release):
            effects = self.session.release(event.at)
        else:
            self.renderer.invalidate()  # Repaint: the next draw is a full one
        if self.running:
            self._draw(self.clock())
        if not isinstance(event, Quit):
            self._apply(effects)

    def _poll(self, now: float) -> list[Event]:
        try:
            return self.display.poll(now)
        except DisplayError as err:
            raise DisplayLost(str(err)) from err

    def _ping(self, now: float) -> None:
        interval = self.notifier.watchdog_interval
        if interval and now >= self._next_ping:
            self.notifier.watchdog()
            self._next_ping = now + interval

    # -- effects ------------------------------------------------------------------------

    def _apply(self, effects: list[Effect]) -> None:
        for effect in effects:
            self.stats.effects.append(effect)
            if effect is Effect.HOLD_ENDED:
                self.parts.hold_ended()
            elif effect is Effect.HOLD_STARTED:
                self.parts.hold_started()
            if effect is Effect.BUTTON_STUCK:
                log.warning(
                    "The button has been held down for a long time: is it stuck or "
                    "wired wrongly? Sessions do not start until it is released."
                )
            else:
                log.info("%s (%s)", effect.value.capitalize(), self._where())
        if len(self.stats.effects) > 1000:
            del self.stats.effects[:500]
        self.parts.set_led(_led_mode(self.session.phase))

    def _where(self) -> str:
        view = self.session.view
        return f"{view.phase.value}, point {view.point + 1}"

    # -- drawing ------------------------------------------------------------------------

    def _draw(self, now: float) -> None:
        try:
            rects = self.renderer.draw(self.display.surface, self.session.view, now)
            if rects is None or rects:
                self.display.show(rects)
                self.stats.frames += 1
                self.stats.partial_frames += rects is not None
        except DisplayError as err:
            raise DisplayLost(str(err)) from err
        except Exception:
            self._failsafe(now)

    def _failsafe(self, now: float) -> None:
        """Log the traceback, go back to idle and count the failure."""
        self.stats.failures += 1
        log.exception("A screen failed to draw (%s); going back to the start screen", self._where())
        self._failures.append(now)
        while self._failures and now - self._failures[0] > FAILURE_WINDOW:
            self._failures.popleft()
        if len(self._failures) >= MAX_FAILURES:
            raise TooManyFailures(
                f"{len(self._failures)} drawing failures within "
                f"{FAILURE_WINDOW:g} s: stopping so systemd restarts the kiosk"
            )
        self.session = self.new_session(now)
        self.renderer.invalidate()
        self.parts.set_led(_led_mode(self.session.phase))
        try:
            rects = self.renderer.draw(self.display.surface, self.session.view, now)
            self.display.show(rects)
        except Exception:
            log.exception("The start screen failed to draw too")

    # -- signals ------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT stop the loop cleanly (the handler only posts an event)."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.inbox.put(Quit(signal.Signals(signum).name))


class DisplayLost(RuntimeError):
    """The display failed: exit for systemd to restart us."""


class TooManyFailures(RuntimeError):
    """Drawing keeps failing: exit for systemd to restart us."""


def _led_mode(phase: Phase) -> str:
    if phase is Phase.IDLE:
        return "pulse"
    return "off" if phase is Phase.HOLD else "on"
