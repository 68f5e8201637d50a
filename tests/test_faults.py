"""Breaking a running kiosk: it recovers, or exits cleanly with a status systemd acts on.

Each test builds the real kiosk (mock pins, the dummy display, a fake clock) and breaks one
thing: an image vanishes, a screen keeps raising, SIGTERM arrives (idle, mid-hold, during the
end beep), the display goes away, the button sticks, a storm of presses or touches comes in,
no buzzer or LED is fitted, or the staff file is broken at start-up. The last test shows the
code reads only the monotonic clock, so a wall-clock jump (NTP on a Pi without a clock
battery) changes nothing.
"""

from __future__ import annotations

import ast
import dataclasses
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pygame
import pytest
from gpiozero.pins.mock import MockPWMPin

import kiosk.app.loop
import kiosk.devices.gpio
from kiosk.app.loop import EXIT_DISPLAY, EXIT_FAILING, EXIT_OK, FAILURE_WINDOW, MAX_FAILURES
from kiosk.content.config import load_config
from kiosk.core.session import Effect, Phase
from kiosk.devices.display import DisplayError

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "media"
IDS = ("UB60", "UB40", "LI4", "GB34")


def short(config, hold: float = 5.0):  # type: ignore[no-untyped-def]
    """``config`` with every hold ``hold`` seconds (as in test_app.py), to keep runs short."""
    content = config.content
    points = tuple(dataclasses.replace(p, hold_seconds=hold) for p in content.points)
    return dataclasses.replace(config, content=dataclasses.replace(content, points=points))


def complete_session(machine, start: float) -> None:  # type: ignore[no-untyped-def]
    """From ``start``, press through a whole session, reacting to the screen shown."""
    button = machine.button
    clock, app = machine.clock, machine.app
    schedule = machine.inbox.at

    def step() -> None:
        phase = app.session.phase
        if phase is Phase.HOLD:
            schedule(app.session.view.ends + 1.0, step)
            return
        button.drive_low()
        schedule(clock.now + 0.1, button.drive_high)
        if phase is not Phase.SUMMARY:
            schedule(clock.now + 1.0, step)

    schedule(start, step)


def effects_of(machine) -> list[Effect]:  # type: ignore[no-untyped-def]
    return list(machine.app.stats.effects)


# -- an image disappears --------------------------------------------------------------------


def test_image_removed_while_running_shows_a_placeholder_logged_once(
    make_kiosk, tmp_path: Path, caplog
) -> None:  # type: ignore[no-untyped-def]
    for name in ("ub60.svg", "ub40.svg", "li4.svg", "gb34.svg"):
        shutil.copy(MEDIA / name, tmp_path / name)
    staff = tmp_path / "config.yaml"
    staff.write_text(
        "points:\n" + "".join(f"  - id: {pid}\n    image: {pid.lower()}.svg\n" for pid in IDS)
    )
    config = load_config(staff)
    assert not config.problems and config.content.points[0].image == tmp_path / "ub60.svg"
    machine = make_kiosk(short(config))
    images = machine.app.renderer.painter.images
    t0 = machine.clock.now

    def vanish() -> None:
        (tmp_path / "ub60.svg").unlink()
        images.clear()  # as the cache does when it evicts: the file must be read again

    machine.inbox.at(t0 + 1, vanish)
    complete_session(machine, t0 + 2)
    complete_session(machine, t0 + 200)
    with caplog.at_level(logging.INFO):
        machine.run_until(t0 + 400)

    assert machine.app.stats.failures == 0
    assert effects_of(machine).count(Effect.SESSION_COMPLETED) == 2
    assert machine.app.session.phase is Phase.IDLE
    assert not images.ok(tmp_path / "ub60.svg")
    assert images.ok(tmp_path / "ub40.svg")
    warnings = [r for r in caplog.records if "ub60.svg" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "placeholder" in warnings[0].getMessage()
    assert warnings[0].levelno == logging.WARNING


# -- a screen keeps failing ----------------------------------------------------------------------


def break_screen(machine, monkeypatch, phase: Phase) -> list[int]:  # type: ignore[no-untyped-def]
    """Make laying out ``phase`` raise; returns a list counting the raises."""
    screens = machine.app.renderer.screens
    original = screens.layout
    raised: list[int] = []

    def broken(view):  # type: ignore[no-untyped-def]
        if view.phase is phase:
            raised.append(1)
            raise ZeroDivisionError("a bug in a screen")
        return original(view)

    monkeypatch.setattr(screens, "layout", broken)
    return raised


def test_failing_screen_goes_back_to_idle_each_time_and_sessions_go_on(
    make_kiosk, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    """Failures spread out (fewer than MAX_FAILURES a minute) never stop the kiosk."""
    machine = make_kiosk(short(load_config()))
    break_screen(machine, monkeypatch, Phase.INTRO)
    t0 = machine.clock.now
    for n in range(MAX_FAILURES + 3):
        at = t0 + 1 + n * (FAILURE_WINDOW / 2 + 1)  # not at t0: the kiosk just started
        machine.press_at(at)  # safety
        machine.press_at(at + 1)  # intro: fails, back to idle
    status = machine.app.run(until=lambda app: machine.clock.now >= t0 + 6 * FAILURE_WINDOW)
    assert status == EXIT_OK
    assert machine.app.stats.failures == MAX_FAILURES + 3
    assert machine.app.session.phase is Phase.IDLE
    logged = [r for r in caplog.records if "going back to the start screen" in r.getMessage()]
    assert len(logged) == MAX_FAILURES + 3
    assert all(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in logged)
    assert "a bug in a screen" in caplog.text  # the traceback goes to the journal


def test_screen_failing_again_and_again_ends_the_run_for_systemd(
    make_kiosk, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    machine = make_kiosk(short(load_config()))
    raised = break_screen(machine, monkeypatch, Phase.SAFETY)
    t0 = machine.clock.now
    for n in range(MAX_FAILURES * 2):
        machine.press_at(t0 + 1 + n)
    status = machine.app.run(until=lambda app: machine.clock.now >= t0 + 60)
    assert status == EXIT_FAILING != 0
    assert machine.app.stats.failures == MAX_FAILURES
    assert len(raised) >= MAX_FAILURES
    assert machine.clock.now < t0 + MAX_FAILURES + 1  # it stopped at the fifth failure
    assert "drawing failures" in caplog.text and "systemd restarts" in caplog.text
    assert machine.pin(27).state == 0 and machine.pin(22).state == 0


# -- stopping in the middle of things ---------------------------------------------------------


@pytest.mark.parametrize(
    ("presses", "after", "phase", "buzzer", "led"),
    [
        # None: not checked (the LED breathes while idle; the start blip may still sound)
        pytest.param(0, 1.0, Phase.IDLE, 0, None, id="idle"),
        pytest.param(3, 5.0, Phase.HOLD, None, 0, id="mid-hold"),
        pytest.param(3, 3 + 5.0 + 0.01, Phase.DONE, 1, 1, id="while-the-end-beep-sounds"),
    ],
)
def test_sigterm_stops_cleanly_with_buzzer_and_led_off(
    make_kiosk, monkeypatch, presses, after, phase, buzzer, led
) -> None:  # type: ignore[no-untyped-def]
    """A real SIGTERM, sent to this process ``after`` seconds in (``presses`` presses a second
    apart first): the handler only posts Quit; the loop stops at once, exits 0 and leaves the
    buzzer and the LED off. (The real signal path of the whole program: test_app.py.)"""
    # a minute-long end beep, so it is surely still sounding (in real time) at the signal
    monkeypatch.setattr(kiosk.devices.gpio, "END_PATTERN", ((60.0, 0.0),))
    machine = make_kiosk(short(load_config(), hold=5.0))
    app = machine.app
    buzzer_pin, led_pin = machine.pin(27), machine.pin(22)
    t0 = machine.clock.now
    for offset in range(1, presses + 1):  # safety, intro, hold
        machine.press_at(t0 + offset)
    seen: dict[str, object] = {}

    def terminate() -> None:
        seen.update(phase=app.session.phase, buzzer=buzzer_pin.state, led=led_pin.state)
        os.kill(os.getpid(), signal.SIGTERM)

    machine.inbox.at(t0 + after, terminate)
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        app.install_signal_handlers()
        status = app.run(until=lambda app: machine.clock.now >= t0 + 60)
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    assert seen["phase"] is phase
    assert buzzer is None or seen["buzzer"] == buzzer
    assert led is None or seen["led"] == led
    assert status == EXIT_OK
    assert machine.clock.now < t0 + after + 1  # stopped at once, not at the end of anything
    assert app.parts.sounder is None and app.parts.led is None and app.parts.button is None
    time.sleep(0.2)  # longer than a beep's or the LED's step: nothing is left switching them
    assert buzzer_pin.state == 0 and led_pin.state == 0


# -- the display goes away ---------------------------------------------------------------------


def test_display_lost_while_drawing_exits_with_status_3(make_kiosk, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    machine = make_kiosk(short(load_config()))
    display = machine.app.display
    t0 = machine.clock.now

    def lost(rects):  # type: ignore[no-untyped-def]
        raise DisplayError("Display lost: the HDMI cable came out")

    machine.press_at(t0 + 1)
    machine.inbox.at(t0 + 0.5, lambda: monkeypatch.setattr(display, "show", lost))
    with caplog.at_level(logging.ERROR):
        status = machine.app.run(until=lambda app: machine.clock.now >= t0 + 30)
    assert status == EXIT_DISPLAY == 3
    assert machine.clock.now < t0 + 2  # no retry loop
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == ["Display lost: the HDMI cable came out"]
    assert machine.app.stats.failures == 0  # not counted as a screen bug


def test_display_failing_on_the_first_frame_exits_with_status_3(
    make_kiosk, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    machine = make_kiosk()

    def lost(rects):  # type: ignore[no-untyped-def]
        raise DisplayError("Display lost: no frame buffer")

    monkeypatch.setattr(machine.app.display, "show", lost)
    assert machine.app.run() == EXIT_DISPLAY
    assert "Display lost: no frame buffer" in caplog.text
    assert machine.app.parts.button is None  # the pins were released on the way out


def test_display_lost_while_reading_input_exits_with_status_3(make_kiosk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    machine = make_kiosk(pump_sdl=True)
    display = machine.app.display

    def lost(now: float):  # type: ignore[no-untyped-def]
        raise DisplayError("Display lost: video system not initialized")

    monkeypatch.setattr(display, "poll", lost)
    t0 = machine.clock.now
    status = machine.app.run(until=lambda app: machine.clock.now >= t0 + 30)
    assert status == EXIT_DISPLAY
    assert machine.clock.now < t0 + 1


def test_no_display_at_start_is_one_clear_line_and_status_3(tmp_path: Path, kiosk_env) -> None:  # type: ignore[no-untyped-def]
    """No screen at all (a driver that cannot open): exit 3 at once, for Restart=always."""
    env = kiosk_env(SDL_VIDEODRIVER="no-such-driver")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "kiosk"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert time.monotonic() - started < 30
    assert "Display could not start (SDL video driver no-such-driver)" in result.stderr
    assert "Traceback" not in result.stderr


# -- the button -----------------------------------------------------------------------------------


def test_stuck_button_starts_nothing_by_itself_and_is_logged_once(make_kiosk, caplog) -> None:  # type: ignore[no-untyped-def]
    machine = make_kiosk()
    t0 = machine.clock.now
    machine.inbox.at(t0 + 1, machine.button.drive_low)  # pressed... and never released
    after_an_hour: dict[str, object] = {}

    def look() -> None:
        after_an_hour["effects"] = effects_of(machine)
        after_an_hour["phase"] = machine.app.session.phase
        machine.button.drive_high()  # freed at last

    machine.inbox.at(t0 + 3600, look)
    machine.press_at(t0 + 3601)
    machine.run_until(t0 + 3602)
    effects = after_an_hour["effects"]
    assert effects.count(Effect.SESSION_STARTED) == 1  # the press itself
    assert effects.count(Effect.SESSION_CANCELLED) == 1  # then a long press: back to idle
    assert effects.count(Effect.BUTTON_STUCK) == 1
    assert after_an_hour["phase"] is Phase.IDLE
    stuck = [r for r in caplog.records if "stuck" in r.getMessage()]
    assert len(stuck) == 1 and stuck[0].levelno == logging.WARNING
    assert machine.app.session.phase is Phase.SAFETY  # once freed, the button works again


class HeldDownPin(MockPWMPin):
    """A button pin shorted to ground before the kiosk starts: the pull-up cannot lift it."""

    def _set_pull(self, value: str) -> None:
        self._pull = value


def test_button_stuck_at_start_up_is_logged_once_and_starts_nothing(
    make_kiosk, mock_factory, caplog
) -> None:  # type: ignore[no-untyped-def]
    mock_factory.pin(17, pin_class=HeldDownPin).drive_low()
    machine = make_kiosk()
    assert machine.app.parts.button_pressed()
    t0 = machine.clock.now
    machine.inbox.at(t0 + 600, machine.button.drive_high)  # freed after ten minutes
    machine.press_at(t0 + 601)
    phases: list[Phase] = []
    machine.inbox.at(t0 + 599, lambda: phases.append(machine.app.session.phase))
    machine.run_until(t0 + 602)
    assert phases == [Phase.IDLE]
    assert effects_of(machine).count(Effect.SESSION_STARTED) == 1  # the press after release
    stuck = [r for r in caplog.records if "pressed at start-up" in r.getMessage()]
    assert len(stuck) == 1 and stuck[0].levelno == logging.WARNING
    assert "GPIO17" in stuck[0].getMessage()


def test_a_storm_of_presses_never_cuts_a_hold_or_beeps_twice(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    """Hundreds of presses 10 ms apart, in every phase: holds still run their full time."""
    machine = make_kiosk(short(load_config(), hold=5.0))
    app = machine.app
    ends: list[tuple[float, float]] = []
    starts: list[float] = []
    original = app._apply

    def watch(effects: list[Effect]) -> None:
        for effect in effects:
            if effect is Effect.HOLD_STARTED:
                starts.append(machine.clock.now)
            elif effect is Effect.HOLD_ENDED:
                ends.append((starts[-1], machine.clock.now))
        original(effects)

    app._apply = watch  # type: ignore[method-assign]
    t0 = machine.clock.now
    for index in range(3000):  # 30 s of a storm
        at = t0 + 1 + index * 0.01
        machine.inbox.at(at, machine.button.drive_low)
        machine.inbox.at(at + 0.005, machine.button.drive_high)
    machine.run_until(t0 + 200)
    effects = effects_of(machine)
    assert effects.count(Effect.HOLD_STARTED) >= 3
    assert len(ends) == effects.count(Effect.HOLD_ENDED) == effects.count(Effect.HOLD_STARTED)
    assert all(end - start >= 5.0 - 1e-3 for start, end in ends)  # presses: edge time
    assert app.session.phase is Phase.IDLE and app.stats.failures == 0
    # a press is taken at most once per press gap
    gap = machine.config.timing.press_gap_seconds
    assert len(starts) <= 30 / gap


def test_a_touch_storm_on_the_screen_is_one_press_per_gap(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    """Hundreds of taps (two fingers at once, 10 ms apart) through SDL's touch events."""
    machine = make_kiosk(short(load_config()), pump_sdl=True)
    t0 = machine.clock.now

    def taps(index: int):  # type: ignore[no-untyped-def]
        def post() -> None:
            for finger in (1, 2):
                pygame.event.post(
                    pygame.event.Event(pygame.FINGERDOWN, finger_id=finger, x=0.5, y=0.5)
                )
            for finger in (1, 2):
                pygame.event.post(
                    pygame.event.Event(pygame.FINGERUP, finger_id=finger, x=0.5, y=0.5)
                )

        return post

    for index in range(300):
        machine.inbox.at(t0 + 1 + index * 0.01, taps(index))
    machine.run_until(t0 + 10)
    effects = effects_of(machine)
    assert effects.count(Effect.SESSION_STARTED) == 1
    assert effects.count(Effect.HOLD_STARTED) <= 1
    assert machine.app.stats.failures == 0
    assert machine.app.session.phase in (Phase.HOLD, Phase.DONE, Phase.INTRO)


def test_a_lost_finger_up_does_not_deaden_the_touch_screen(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    """A touch screen reset mid-touch (a USB glitch) never sends that finger's FINGERUP; the
    touches after it must still be presses. Evdev numbers each new touch afresh."""
    machine = make_kiosk(short(load_config()), pump_sdl=True)
    t0 = machine.clock.now

    def finger(kind: int, finger_id: int):  # type: ignore[no-untyped-def]
        event = pygame.event.Event(kind, finger_id=finger_id, touch_id=1, x=0.5, y=0.5)
        return lambda: pygame.event.post(event)

    machine.inbox.at(t0 + 1, finger(pygame.FINGERDOWN, 7))  # ... and its FINGERUP is lost
    for n in range(3):
        machine.inbox.at(t0 + 60 + n, finger(pygame.FINGERDOWN, 8 + n))
        machine.inbox.at(t0 + 60.1 + n, finger(pygame.FINGERUP, 8 + n))
    machine.run_until(t0 + 64)
    assert machine.app.session.phase is Phase.HOLD  # safety, intro, hold: all three taps seen


# -- missing parts ------------------------------------------------------------------------------


def test_no_buzzer_and_no_led_sessions_still_complete(make_kiosk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    staff = tmp_path / "config.yaml"
    staff.write_text("hardware:\n  buzzer_pin: null\n  led_pin: null\n")
    config = load_config(staff)
    assert not config.problems
    assert (config.hardware.buzzer_pin, config.hardware.led_pin) == (None, None)
    machine = make_kiosk(short(config))
    assert machine.app.parts.sounder is None and machine.app.parts.led is None
    t0 = machine.clock.now
    complete_session(machine, t0 + 1)
    machine.run_until(t0 + 300)
    effects = effects_of(machine)
    holds = len(config.content.steps())
    assert effects.count(Effect.HOLD_ENDED) == effects.count(Effect.HOLD_STARTED) == holds
    assert effects.count(Effect.SESSION_COMPLETED) == 1
    assert not any(state.state for state in machine.pin(27).states)  # never sounded


# -- a broken staff file ------------------------------------------------------------------------


def notice_texts(machine) -> list[str]:  # type: ignore[no-untyped-def]
    layout = machine.app.renderer.layout(machine.app.session.view)
    return [" ".join(e.lines) for e in layout.elements if getattr(e, "role", "") == "notice"]


def test_broken_staff_file_runs_on_builtin_content_with_a_notice(make_kiosk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    staff = tmp_path / "config.yaml"
    staff.write_text("timing:\n\tinactivity_seconds: 100\n")
    config = load_config(staff)
    assert config.fallback and config.errors
    assert config.content == load_config().content
    machine = make_kiosk(config)
    assert notice_texts(machine) == ["Using the built-in content. See the log."]
    t0 = machine.clock.now
    complete_session(machine, t0 + 1)
    machine.run_until(t0 + 30)
    assert notice_texts(machine) == ["Using the built-in content. See the log."]
    assert machine.app.stats.failures == 0


def test_good_staff_file_shows_no_notice(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    machine = make_kiosk()
    assert notice_texts(machine) == []


def test_broken_staff_file_at_start_logs_errors_and_keeps_running(
    tmp_path: Path, kiosk_env
) -> None:  # type: ignore[no-untyped-def]
    """The real program with a broken file: errors in the log, no traceback, runs until
    SIGTERM and exits 0 (no crash loop)."""
    staff = tmp_path / "config.yaml"
    staff.write_text(
        "timing:\n  inactivity_secnds: 100\nhardware:\n  button_pin: 99\n  led_pin: 5\n"
    )
    env = kiosk_env()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(staff), "--windowed", "--size", "800x480"],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if "Kiosk ready" in line or not line:
                break
        assert "Kiosk ready" in lines[-1], "".join(lines)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        lines += proc.stderr.readlines()
        proc.stderr.close()
    log = "".join(lines)
    assert f"Config error: {staff}:2:3: timing.inactivity_secnds:" in log
    assert "did you mean `inactivity_seconds`?" in log
    assert f"Config error: {staff}:4:3: hardware.button_pin:" in log
    assert "Using the built-in content" in log and "hardware settings (pins) are used" in log
    assert "LED on GPIO5" in log  # the wiring in the file is kept
    assert "Traceback" not in log


# -- the clock ------------------------------------------------------------------------------------

WALL_CLOCK_CALLS = {
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
    ("time", "ctime"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
}


def wall_clock_reads(source: str) -> list[str]:
    """Reads of the wall clock: ``time.time()``, ``datetime.now()``,
    ``datetime.datetime.now()``, the same through ``import time as t``, and
    ``from time import time`` or ``from datetime import datetime``."""
    tree = ast.parse(source)
    modules = {
        alias.asname or alias.name: alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = node.value
            if isinstance(owner, ast.Name):
                name = modules.get(owner.id, owner.id)
            elif isinstance(owner, ast.Attribute):
                name = owner.attr
            else:
                continue
            if (name, node.attr) in WALL_CLOCK_CALLS:
                found.append(f"line {node.lineno}: {name}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in ("time", "datetime"):
            for alias in node.names:
                if (node.module, alias.name) in WALL_CLOCK_CALLS or alias.name in ("datetime",):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
    return found


def wall_clock_reads_under(package: Path) -> dict[str, list[str]]:
    """Every module in ``package`` and its subpackages that reads the wall clock."""
    found = {
        path.relative_to(package).as_posix(): wall_clock_reads(path.read_text("utf-8"))
        for path in sorted(package.rglob("*.py"))
    }
    return {name: reads for name, reads in found.items() if reads}


@pytest.mark.parametrize(
    "source",
    [
        "import time\nx = time.time()\n",
        "import time as t\nx = t.time_ns()\n",
        "from time import time\n",
        "from datetime import datetime\ny = datetime.now()\n",
        "import datetime\ny = datetime.datetime.now()\n",
        "import datetime\ny = datetime.date.today()\n",
    ],
)
def test_the_finder_finds_wall_clock_reads(source: str) -> None:
    assert wall_clock_reads(source)


def test_the_finder_leaves_the_monotonic_clock_alone() -> None:
    source = (
        "import time\nfrom datetime import timedelta\nx = time.monotonic() + time.perf_counter()\n"
    )
    assert wall_clock_reads(source) == []


def test_the_finder_looks_into_subpackages(tmp_path: Path) -> None:
    (tmp_path / "app" / "deep").mkdir(parents=True)
    (tmp_path / "__init__.py").write_text("import time\nSTARTED = time.monotonic()\n")
    (tmp_path / "app" / "deep" / "loop.py").write_text("import time\n\nnow = time.time()\n")
    assert wall_clock_reads_under(tmp_path) == {"app/deep/loop.py": ["line 3: time.time"]}


#: The modules that read the wall clock to write a date down, never to time anything: the
#: usage records' UTC stamps (and a damaged file's new name), and the local time zone of
#: ``stats``. The length of a session is measured on the monotonic clock there too.
DATES_ONLY = {"devices/usagedb.py", "commands/stats.py"}


def test_kiosk_reads_only_the_monotonic_clock() -> None:
    """A wall-clock jump (NTP sync on a Pi without an RTC) cannot change any timing: no module
    of the kiosk, in any subpackage, reads the wall clock (but to write a date down), and the
    loop's clock is monotonic. (A test running the app on its fake clock while time.time()
    jumps would prove nothing.) The one other read allowed is the opening hours' look at the
    wall clock, in one function (kiosk.devices.clocksync.wall_now), which decides whether it
    is opening time and no timing."""
    reads = wall_clock_reads_under(ROOT / "kiosk")
    assert set(reads) <= DATES_ONLY | {"devices/clocksync.py"}, reads
    assert [read.split(": ")[1] for read in reads["devices/clocksync.py"]] == ["datetime.now"]
    assert kiosk.app.loop.App.__init__.__defaults__[-1] is time.monotonic  # type: ignore[index]
