"""The main loop: wires the session, the screen, the parts and systemd together.

The loop sleeps in :meth:`Inbox.get` until the next thing that must change — a session
deadline, the next countdown second or watchdog ping (and, in a desktop window, the next
SDL input pump) — or until an input thread (GPIO edges, evdev keys and taps) or a signal
hands it an event. It repaints only when what is on screen changed.

A screen whose text is split into pages (the 7-inch touchscreen) tells the session how many
it has with each press (:meth:`_pages`), from the renderer's layout of the screen on view:
the core decides what the press means, and nothing about a hold's time changes.

One timeline: every input carries the time it happened. The loop takes every event that is
waiting, sorts them by that time and, for each, first carries out the session deadlines due
before it (a hold that ended, with its beep), then the input itself. So a key pressed just
before a hold ended but read just after it does not skip the next screen.

With speech on, each new screen's words start just before its first frame is drawn, and the
next utterance of a screen at the end of the last one, a deadline like the others
(:mod:`kiosk.app.speaking`, one of the chores); a hold's "Time is up" is handed to the
sound device two seconds ahead, led by silence to the hold's end, so it is heard on time
even when the loop is late, busy with a frame. The sounds are rendered ahead on a thread
that wakes the loop when one is ready.

SIGHUP (``systemctl reload``) reads the staff file again on a thread of its own
(:mod:`kiosk.app.reload`): a good file applies at the next start screen, never in the middle
of a session; a file with errors keeps the content that runs, logs each error and shows the
staff notice until a good reload.

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

from kiosk.app.reload import StaffReload
from kiosk.app.speaking import NoSpeech
from kiosk.core import stops
from kiosk.core.events import (
    Event,
    Hangup,
    Inbox,
    OtherKeys,
    Prepared,
    Press,
    Quit,
    Release,
    Reloaded,
)
from kiosk.core.session import Effect, Phase, Session
from kiosk.devices.display import DisplayError
from kiosk.devices.usagedb import NoRecorder

log = logging.getLogger(__name__)

#: How often SDL input is pumped in a desktop window, in seconds: a key or click there is
#: seen within this time. Each pump is a wake-up (about 0.02 % of a core here), so ten a
#: second keep a window under 0.5 %. The console and the dummy driver are not pumped: their
#: input wakes the loop through kiosk.devices.evdev, at once.
PUMP_INTERVAL = 0.1
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
    pumps: int = 0
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
    :param inputs: the evdev input watcher (:class:`kiosk.devices.evdev.InputWatcher`) when
        the display does not pump SDL, or None; closed with the loop.
    :param chores: what to look after every few seconds (:mod:`kiosk.app.chores`).
    :param hours: the opening hours (:class:`kiosk.app.chores.OpeningHours`, also one of
        ``chores``), or None for always on; it sees every press first.
    :param screen_power: switches the screen off and on outside the opening hours
        (:class:`kiosk.devices.screenpower.ScreenPower`), or None.
    :param notices: the staff notes to show in a corner now (they change when a missing
        part comes back).
    :param recorder: the usage counts (:class:`kiosk.devices.usagedb.Recorder`): it is
        handed every effect with the view on screen, and closed with the loop.
    :param staff: the staff file, read again on SIGHUP (:mod:`kiosk.app.reload`); None: a
        SIGHUP is logged and changes nothing.
    :param speech: says each screen's words (:class:`kiosk.app.speaking.Speaker`, also one
        of ``chores``), or None; told of every frame, closed with the loop.
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
        inputs=None,
        chores: tuple = (),
        notices: Callable[[], tuple[str, ...]] = tuple,
        hours=None,
        screen_power=None,
        recorder=None,
        staff: StaffReload | None = None,
        speech=None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # type: ignore[no-untyped-def]
        self.new_session = session_factory
        self.renderer = renderer
        self.display = display
        self.parts = parts
        self.inbox = inbox
        self.notifier = notifier
        self.clock = clock
        self.inputs = inputs
        self.chores = chores
        self.notices = notices
        self.hours = hours
        self.screen_power = screen_power
        self.recorder = recorder or NoRecorder()
        self.staff = staff
        self.speech = speech or NoSpeech()
        self.screen_on = True
        #: Closed by the opening hours: nothing drawn, the LED off, no deadlines.
        self.asleep = False
        self.session = session_factory(clock())
        self.stats = Stats()
        self.running = False
        self._failures: deque[float] = deque()
        self._next_pump = 0.0
        self._next_ping = 0.0

    # -- running ------------------------------------------------------------------------

    def run(self, until: Callable[[App], bool] | None = None) -> int:
        """Run until a Quit event (or ``until(app)`` is true). Returns the exit status."""
        self.running = True
        self._next_pump = self._next_ping = self.clock()
        for chore in self.chores:
            chore.start(self._next_ping)
        try:
            self._draw(self.clock())
            self.notifier.ready()
            log.info("Kiosk ready: first frame shown (%s)", self.display.mode)
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
            if self.inputs is not None:
                self.inputs.close()
            self.renderer.close()
            self.parts.close()
            self.recorder.close()
            self.speech.close()
        return EXIT_OK

    def _turn(self) -> None:
        now = self.clock()
        for chore in self.chores:
            if chore.due(self) <= now:
                chore.run(self, now)
        self._apply(self.session.tick(now))
        self._use_reloaded(now)
        self._draw(now)
        self._ping(now)
        self.stats.wakeups += 1
        self._warm(now)
        for event in in_time_order(self._wait()):
            self._handle(event)
            if not self.running:
                return

    def _wait(self) -> list[Event]:
        """Sleep until events arrive or something is due; every event waiting, unsorted.

        In a desktop window SDL is pumped every PUMP_INTERVAL meanwhile; a pump that finds
        nothing goes straight back to sleep (no tick, no draw: the cheapest wake-up)."""
        due = self._next_wake(self.clock())
        while True:
            now = self.clock()
            wake = min(due, self._next_pump) if self.display.pumps else due
            event = self.inbox.get(wake - now)
            events = []
            while event is not None:
                events.append(event)
                event = self.inbox.get(0)
            now = self.clock()
            if self.display.pumps and now >= self._next_pump:
                self.stats.pumps += 1
                events += self._poll(now)
                self._next_pump = now + PUMP_INTERVAL
            if events or now >= due:
                return events

    def _warm(self, now: float) -> None:
        """Paint later screens (laid out on the renderer's thread), one at a time, while no
        event waits and nothing is due; the layout thread wakes the loop for each."""
        while self.renderer.warming and self.inbox.empty():
            if self._next_due(now) - self.clock() < WARM_SLACK:
                return
            try:
                if not self.renderer.warm():
                    return  # its layout is not ready: Prepared comes when it is
            except Exception:
                log.exception("Preparing a later screen failed: it is laid out when shown")

    def _next_due(self, now: float) -> float:
        """The next session deadline or countdown change (infinity when none, and while
        closed: the idle screen's cycle and the LED's blink wait for the opening)."""
        if self.asleep:
            return math.inf
        due = (self.session.next_deadline(), self.renderer.next_change(self.session.view, now))
        return min((d for d in due if d is not None), default=math.inf)

    def _next_wake(self, now: float) -> float:
        """When the loop must next run a turn: a deadline, a chore, a watchdog ping."""
        wakes = [self._next_due(now), *(chore.due(self) for chore in self.chores)]
        if self.notifier.watchdog_interval:
            wakes.append(self._next_ping)
        return min(wakes)

    def _handle(self, event: Event) -> None:
        """Carry out the deadlines due before an input, then the input. Answer a press on
        screen first, then sound the buzzer and set the LED: starting and stopping their
        threads takes milliseconds that the frame need not wait for."""
        effects: list[Effect] = []
        if isinstance(event, Press) and self.hours is not None and self.hours.press(self, event.at):
            return  # it only woke the kiosk up: the idle screen is on now
        if isinstance(event, Press | Release) and self.asleep:
            return
        if isinstance(event, Press) and not self.screen_on:
            return  # nothing to follow on a screen that is not there
        if isinstance(event, OtherKeys):
            self._drain_sdl()
            return
        if isinstance(event, Prepared):
            return  # a screen was laid out: the next turn warms it
        if isinstance(event, Hangup):
            if self.staff is None:
                log.info("SIGHUP received: no staff file to read again")
            else:
                self.staff.start()
            return
        if isinstance(event, Reloaded):
            self._reloaded(event)
            return
        if isinstance(event, Press | Release):
            self._apply(self.session.tick(event.at))  # what happened before it, in order
        if isinstance(event, Quit):
            log.info("Stopping: %s", event.reason)
            self.running = False
        elif isinstance(event, Press):
            language = self.renderer.language_at(self.session.view, event.where)
            effects = self.session.press(event.at, language, pages=self._pages())
        elif isinstance(event, Release):
            effects = self.session.release(event.at)
        else:
            self.renderer.invalidate()  # Repaint: the next draw is a full one
        self._use_reloaded(self.clock())  # the press may have ended the session
        if self.running:
            self._draw(self.clock())
        if not isinstance(event, Quit):
            self._apply(effects)

    def _pages(self) -> int:
        """How many pages the screen on view has, for a press to turn (the session was
        brought up to the press's time first). Its layout is on hand: it is on screen, or
        was prepared; a layout that fails counts as one page (drawing it fails safe)."""
        try:
            return self.renderer.pages(self.session.view)
        except Exception:
            return 1

    def _drain_sdl(self) -> None:
        """Let SDL read its copy of the input and drop what it queued: it switches consoles
        on Ctrl+Alt+F2 itself, when it reads the keys."""
        try:
            self.display.drain()
        except DisplayError as err:
            raise DisplayLost(str(err)) from err

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

    # -- the screen and the parts coming and going ---------------------------------------

    def screen_lost(self, now: float) -> None:
        """The screen was unplugged: back to the start, and draw nothing until it returns."""
        log.warning(
            "The screen is disconnected: waiting for it to be plugged in again "
            "(presses are ignored until then)"
        )
        self.notifier.status("Waiting for the screen to be plugged in again")
        self.screen_on = False
        self.session = self.new_session(now)
        self.parts.set_led("off")

    def screen_back(self, now: float, names: list[str]) -> None:
        """The screen is plugged in again, maybe with another mode: open it and redraw."""
        try:
            self.display.reopen()
        except DisplayError as err:
            raise DisplayLost(str(err)) from err
        if self.display.size != self.renderer.size:
            self.renderer.resize(self.display.size)
        self.renderer.invalidate()
        self.screen_on = True
        self.session = self.new_session(now)
        self.parts.set_led(_led_mode(self.session.phase))
        log.info("The screen is back (%s, %s)", ", ".join(names), self.display.mode)
        self.notifier.status("Running")

    def closing(self, now: float) -> None:
        """Closed by the opening hours: back to the start, the LED and the screen off, and
        nothing drawn or due until :meth:`opening` (a press may bring that about)."""
        self.notifier.status("Closed (opening hours): a press turns the screen on")
        self.session = self.new_session(now)
        self.parts.set_led("off")
        self.asleep = True
        if self.screen_power is not None and self.screen_on:
            self.screen_power.off()

    def opening(self, now: float) -> None:
        """Open again (or woken by a press): the screen on, its first frame the idle screen."""
        self.asleep = False
        if self.screen_power is not None:
            self.screen_power.on()
        self.session = self.new_session(now)
        self.renderer.invalidate()
        self.parts.set_led(_led_mode(self.session.phase) if self.screen_on else "off")
        self.notifier.status("Running")
        self._draw(now)

    def parts_changed(self) -> None:
        """A missing part opened: update the staff notes and set the LED."""
        self.renderer.set_notices(self.notices())
        self.renderer.set_beeps(self.parts.beeps)
        self.parts.set_led(_led_mode(self.session.phase))
        missing = ", ".join(self.parts.missing)
        self.notifier.status(f"Running without the {missing}" if missing else "Running")

    # -- the staff file read again -------------------------------------------------------

    @property
    def reloading(self) -> bool:
        """True while the staff file is being read again (on its own thread)."""
        return self.staff is not None and self.staff.reading

    def _reloaded(self, event: Reloaded) -> None:
        """The staff file was read again: a good one applies now if the start screen is up
        (else when it next is); one with errors only changes the staff notice."""
        assert self.staff is not None
        if self.staff.done(event.config):  # type: ignore[arg-type]
            self._use_reloaded(self.clock())
        else:
            self.renderer.set_notices(self.notices())
        self._draw(self.clock())

    def _use_reloaded(self, now: float) -> None:
        """Switch to a reloaded staff file once the session is back at the start screen."""
        if self.staff is None or self.staff.pending is None or self.session.phase is not Phase.IDLE:
            return
        config = self.staff.take()
        assert config is not None
        self.new_session = config.new_session
        self.session = config.new_session(now)
        self.renderer.use_content(config, self.notices())
        self.speech.use(config)
        ids = [p.id for p in config.content.points]
        self.recorder.use_routine(ids, self.session.steps, list(config.contents))
        log.info("The reloaded staff file is in use (%s)", config.source)

    # -- effects ------------------------------------------------------------------------

    def _apply(self, effects: list[Effect]) -> None:
        self.recorder.note(effects, self.session.view)  # only queued: never waits for the disk
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
            elif effect is Effect.SESSION_STARTED:
                log.info("Session started in %s (%s)", self._language(), self._where())
            else:
                log.info("%s (%s)", effect.value.capitalize(), self._where())
        if len(self.stats.effects) > 1000:
            del self.stats.effects[:500]
        self.parts.set_led(_led_mode(self.session.phase) if self._showing else "off")

    @property
    def _showing(self) -> bool:
        return self.screen_on and not self.asleep

    def _language(self) -> str:
        """The code of the language the session is in (``es``)."""
        return self.renderer.screens.in_language(self.session.view.language).content.language

    def _where(self) -> str:
        view = self.session.view
        return f"{view.phase.value}, point {view.point + 1}"

    # -- drawing ------------------------------------------------------------------------

    def _draw(self, now: float) -> None:
        if not self._showing:
            self.speech.show(None, now)
            return
        # The words first: handing a ready sound to SDL takes well under a millisecond, and
        # so "Time is up" comes at the hold's deadline with the buzzer, however long the
        # frame then takes (a second on an emulated machine).
        self._speak()
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
            self._speak()

    def _speak(self) -> None:
        """Speak the screen on view, in its session's language (nothing new: nothing)."""
        view = self.session.view
        content = self.renderer.screens.in_language(view.language).content
        self.speech.show(view, self.clock(), content)

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
        """SIGTERM and SIGINT stop the loop cleanly; SIGHUP (``systemctl reload``, or a
        hang-up of tty1, which must not stop the kiosk) reads the staff file again. The
        handlers only post an event. A stop that came during start-up and was
        swallowed there (:mod:`kiosk.core.stops`) is posted now, and so is a SIGHUP that
        came then."""
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        for signum in stops.early()[:1]:
            self.inbox.put(Quit(f"{signal.Signals(signum).name} during start-up"))
        if stops.hung_up():
            self.inbox.put(Hangup())

    def _on_signal(self, signum: int, _frame: object) -> None:
        if signum == signal.SIGHUP:
            self.inbox.put(Hangup())
        else:
            self.inbox.put(Quit(signal.Signals(signum).name))


class DisplayLost(RuntimeError):
    """The display failed: exit for systemd to restart us."""


class TooManyFailures(RuntimeError):
    """Drawing keeps failing: exit for systemd to restart us."""


def in_time_order(events: list[Event]) -> list[Event]:
    """``events`` sorted by the time they happened; events without a time (a signal, a
    repaint) keep their place after the timed ones that came before them."""
    timed = [e for e in events if isinstance(e, Press | Release)]
    if len(timed) < 2:
        return events
    order = iter(sorted(timed, key=lambda e: e.at))
    return [next(order) if isinstance(e, Press | Release) else e for e in events]


def _led_mode(phase: Phase) -> str:
    if phase is Phase.IDLE:
        return "invite"
    return "off" if phase is Phase.HOLD else "on"
