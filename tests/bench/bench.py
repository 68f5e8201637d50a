"""Benchmark of the real kiosk: button latency, hold timing, CPU, start-up and memory.

Run it with ``make bench`` (or ``.venv/bin/python tests/bench/bench.py``); it prints one
table. It takes about five minutes of wall time, nearly all of it waiting on the clock:
the long holds (up to 180 s) run at the same time in separate processes, next to the CPU
and button measurements, and the naive loop runs alone at the end because it keeps a core
busy. ``--quick`` shortens every window for a trial run (its figures are below the
issue's minimum sample sizes and say so).

Every figure comes from a fresh child process running the real kiosk: ``build_app`` with the
real monotonic clock and the real inbox, gpiozero's mock pins (``MockFactory`` with
``MockPWMPin``), SDL's dummy video driver and a window of exact size. The kiosk is not
changed: the bench only wraps the instance's ``Display.show`` to time frames, drives the mock
button pin from another thread at the real time and reads the buzzer pin's recorded states.

- press -> frame: time from ``drive_low()`` on the button pin to the return of the display
  flip/update that first shows a different screen;
- key -> frame: a key written as a kernel input event into a FIFO in the kiosk's input
  folder (the evdev path a USB button or touch screen takes on the console) after a quiet
  spell of 1 to 60 s, to the frame that shows its screen; beside a ``clock.tick(60)`` peer
  loop that polls the same kind of FIFO once a frame;
- hold end -> buzzer: when the buzzer pin first went high after a hold's press, minus
  (press time + ``hold_seconds``); holds of 1 to 180 s;
- CPU: ``time.process_time()`` (every thread of the kiosk process) per wall second, idle on
  the attract cycle and during a hold, next to a plain ``clock.tick(60)`` loop that repaints
  the same idle screen every frame;
- idle as a user runs it: ``python -m kiosk --size 1920x1080`` (full screen, the LED wired
  and blinking on mock pins) started as a process and read from outside through
  ``/proc/PID/stat`` (CPU) and every thread's context switches (wake-ups), and the same in a
  desktop window (``--windowed`` under Xvfb, when Xvfb is installed); at the same time, in
  their own processes, the same without recording usage counts (a state folder that cannot
  be made) and closed by the opening hours (a staff file closed today, the screen off);
- start -> first frame: ``python -m kiosk`` started to ``READY=1`` on a real
  ``NOTIFY_SOCKET``; peak RSS is ``ru_maxrss`` of the kiosk process;
- speech on: the press and CPU runs again with ``speech.enabled: true`` (espeak-ng, every
  text rendered before the measuring starts) and SDL's disk audio driver writing to a
  temporary file in real time, at the same time as the speech-off runs (the same load on
  both), beside them in the table: each
  press starts the new screen's words after its frame, and a hold plays its words with
  the mixer's thread running.

The table is copied into ``docs/benchmark.md`` with the machine it ran on.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import datetime as dt
import json
import os
import platform
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "SDL_VIDEODRIVER": "dummy",
    "SDL_AUDIODRIVER": "dummy",
    "GPIOZERO_PIN_FACTORY": "mock",
    "GPIOZERO_MOCK_PIN_CLASS": "mockpwmpin",
    "PYGAME_HIDE_SUPPORT_PROMPT": "1",
}
BIG, SMALL = (1920, 1080), (800, 480)
#: Holds run by each hold process (screen size, seconds): one long one (at 1920x1080, so the
#: peak RSS covers a long countdown too), some middling, many short.
HOLD_PLANS = (
    (BIG, [180.0]),
    (SMALL, [120.0, 60.0]),
    (SMALL, [90.0, 45.0, 30.0, 10.0]),
    (SMALL, [1.0] * 20 + [2.0] * 10 + [5.0] * 6),
)
QUICK_HOLD_PLANS = ((BIG, [20.0]), (SMALL, [1.0] * 6 + [2.0] * 3 + [5.0]))
#: The hold processes start their holds this long after their first frame, when the other
#: bench processes started next to them are past their own start-up (on a 2-core machine
#: their start-up bursts would otherwise delay the first short holds' wake-ups).
SETTLE_SECONDS = 6.0
#: Seconds between the button going down and coming up again.
TAP_SECONDS = 0.08


# -- the kiosk under measurement (child processes) ------------------------------------------


class Harness:
    """The real kiosk at ``size``, with its frames timed and its button driven by a script.

    ``run(script)`` runs the kiosk's main loop on this (the display's) thread and ``script``
    on another; when the script returns, the kiosk is told to quit.
    """

    def __init__(self, size: tuple[int, int], config) -> None:  # type: ignore[no-untyped-def]
        from gpiozero import Device

        from kiosk.app.wiring import build_app
        from kiosk.devices.systemd import SystemdNotifier

        # A keyboard the kiosk reads as it reads /dev/input/event* on the console.
        self.inputs = Path(tempfile.mkdtemp(prefix="kiosk-bench-input-"))
        os.mkfifo(self.inputs / "event0")
        self.keyboard = os.open(self.inputs / "event0", os.O_RDWR | os.O_NONBLOCK)
        # Full screen at an exact size: under the dummy driver that is a plain window surface.
        self.app = build_app(
            config, size=size, notifier=SystemdNotifier(None), input_folder=self.inputs
        )
        factory = Device.pin_factory
        self.button = factory.pin(config.hardware.button_pin)
        self.buzzer = factory.pin(config.hardware.buzzer_pin)
        self.frames: list[tuple[float, object]] = []
        self.frame_added = threading.Condition()
        show = self.app.display.show

        def timed_show(rects) -> None:  # type: ignore[no-untyped-def]
            show(rects)
            shown = time.monotonic()
            with self.frame_added:
                self.frames.append((shown, self.app.session.view))
                self.frame_added.notify_all()

        self.app.display.show = timed_show

    def run(self, script: Callable[[Harness], dict]) -> dict:
        from kiosk.core.events import Quit

        result: dict = {}
        failure: list[BaseException] = []

        def drive() -> None:
            try:
                self.frame_after(0, lambda view: True, timeout=30)
                result.update(script(self))
            except BaseException as err:
                failure.append(err)
            finally:
                self.app.inbox.put(Quit("benchmark finished"))

        thread = threading.Thread(target=drive, name="bench-driver", daemon=True)
        thread.start()
        status = self.app.run()
        thread.join()
        if failure:
            raise failure[0]
        result["exit_status"] = status
        result["failures"] = self.app.stats.failures
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return result

    # -- driving ------------------------------------------------------------------------

    def press(self) -> float:
        """Button down; returns the monotonic time just before the pin changed."""
        at = time.monotonic()
        self.button.drive_low()
        return at

    def release(self) -> None:
        self.button.drive_high()

    def key(self, value: int) -> float:
        """The space bar down (1) or up (0), as the kernel hands it to a reader of evdev;
        returns the monotonic time it was written."""
        at = time.monotonic()
        os.write(self.keyboard, key_event(at, value))
        return at

    def tap(self) -> float:
        at = self.press()
        time.sleep(TAP_SECONDS)
        self.release()
        return at

    def phase(self):  # type: ignore[no-untyped-def]
        return self.app.session.phase

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> None:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise TimeoutError(f"the kiosk did not get there in {timeout} s")
            time.sleep(0.01)

    def frame_after(self, mark: int, wanted: Callable[[object], bool], timeout: float) -> float:
        """The time of the first frame at index ``mark`` or later showing a ``wanted`` view."""
        end = time.monotonic() + timeout
        with self.frame_added:
            while True:
                for shown, view in self.frames[mark:]:
                    if wanted(view):
                        return shown
                mark = len(self.frames)
                left = end - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no new frame")
                self.frame_added.wait(left)

    def buzzer_on_times(self) -> list[float]:
        """Monotonic times the buzzer pin went high (from the mock pin's recorded states,
        whose timestamps are each the time since the previous change)."""
        pin = self.buzzer
        end = pin._last_change  # when the last recorded change happened
        times, at = [], end
        for state in reversed(pin.states[1:]):
            if state.state:
                times.append(at)
            at -= state.timestamp
        return sorted(times)


def key_event(at: float, value: int) -> bytes:
    """``struct input_event`` for the space bar (``value`` 1 down, 0 up) and its SYN."""
    from kiosk.devices.evdev import EV_KEY, EVENT

    sec, usec = int(at), int(at % 1 * 1_000_000)
    return EVENT.pack(sec, usec, EV_KEY, 57, value) + EVENT.pack(sec, usec, 0, 0, 0)


def config_with_holds(holds: list[float]):  # type: ignore[no-untyped-def]
    """The built-in configuration with one single-sided point per hold length (the points
    reuse the built-in points' texts and drawings in turn)."""
    from kiosk.content.config import load_config

    config = load_config()
    content = config.content
    base = content.points
    points = tuple(
        dataclasses.replace(base[i % len(base)], hold_seconds=hold, sides=1)
        for i, hold in enumerate(holds)
    )
    return dataclasses.replace(config, content=dataclasses.replace(content, points=points))


def config_with_hold_seconds(seconds: float):  # type: ignore[no-untyped-def]
    """The built-in routine (its points and sides) with every hold ``seconds`` long."""
    from kiosk.content.config import load_config

    config = load_config()
    content = config.content
    points = tuple(dataclasses.replace(p, hold_seconds=seconds) for p in content.points)
    return dataclasses.replace(config, content=dataclasses.replace(content, points=points))


def with_speech(config, speech: bool):  # type: ignore[no-untyped-def]
    """``config`` with speech on (espeak-ng, full volume) played by SDL's disk driver into a
    temporary file at the real rate (it takes regular files only), when ``speech``; as it is
    when not."""
    if not speech:
        return config
    from kiosk.content.speech import default_speech

    heard = Path(tempfile.mkdtemp(prefix="kiosk-bench-audio-")) / "heard.raw"
    os.environ.update(SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(heard))
    return dataclasses.replace(config, speech=default_speech(enabled=True, volume_percent=100))


def settle_speech(h: Harness) -> None:
    """Wait until every text is rendered (the first start-up renders them all)."""
    if not h.app.speech.prerender.settle(120):
        raise TimeoutError("speech was not rendered in 120 s")


def child_press(size: tuple[int, int], presses: int, speech: bool = False) -> dict:
    """Whole sessions (1 s holds) driven by the button; the time to each press's frame."""
    from kiosk.core.session import Phase

    pace = random.Random(7)

    def script(h: Harness) -> dict:
        settle_speech(h)
        time.sleep(1.0)
        latencies: list[float] = []
        while len(latencies) < presses:
            h.wait_until(lambda: h.phase() is not Phase.HOLD, timeout=10)
            time.sleep(pace.uniform(0.35, 0.6))
            _wait_out_the_summary_guard(h)
            before = h.app.session.view
            mark = len(h.frames)
            pressed = h.press()
            shown = h.frame_after(mark, lambda view, was=before: view != was, timeout=5)
            latencies.append(shown - pressed)
            time.sleep(TAP_SECONDS)
            h.release()
        played = getattr(h.app.speech.player, "plays", 0)
        return {"latencies": latencies, "frames": h.app.stats.frames, "played": played}

    return Harness(size, with_speech(config_with_hold_seconds(1.0), speech)).run(script)


def _wait_out_the_summary_guard(h: Harness) -> None:
    """A press in the summary's first seconds is ignored on purpose (it was meant for the
    hold that just ended): press after them, as a patient reading the summary does."""
    from kiosk.core.session import SUMMARY_GUARD_SECONDS, Phase

    view = h.app.session.view
    if view.phase is Phase.SUMMARY and view.started is not None:
        time.sleep(max(0.0, view.started + SUMMARY_GUARD_SECONDS + 0.05 - time.monotonic()))


def child_keys(size: tuple[int, int], quiet: list[float]) -> dict:
    """Key presses through the evdev path, each after a quiet spell; the time to its frame."""
    from kiosk.core.session import Phase

    def script(h: Harness) -> dict:
        latencies: list[tuple[float, float]] = []
        for spell in quiet:
            h.wait_until(lambda: h.phase() is not Phase.HOLD, timeout=10)
            time.sleep(spell)
            before = h.app.session.view
            mark = len(h.frames)
            pressed = h.key(1)
            shown = h.frame_after(mark, lambda view, was=before: view != was, timeout=5)
            latencies.append((spell, shown - pressed))
            time.sleep(TAP_SECONDS)
            h.key(0)
        return {"latencies": latencies}

    return Harness(size, config_with_hold_seconds(1.0)).run(script)


def child_naive_keys(size: tuple[int, int], presses: int) -> dict:
    """The peers' way to see a key: ``clock.tick(60)``, polling the input once a frame."""
    import pygame

    from kiosk.content.config import load_config
    from kiosk.core.session import Phase, View
    from kiosk.ui.renderer import build_renderer

    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-naive-"))
    os.mkfifo(folder / "event0")
    writer = os.open(folder / "event0", os.O_RDWR | os.O_NONBLOCK)
    reader = os.open(folder / "event0", os.O_RDONLY | os.O_NONBLOCK)
    pygame.display.init()
    surface = pygame.display.set_mode(size)
    renderer = build_renderer(load_config(), size)
    clock = pygame.time.Clock()
    written: list[float] = []
    latencies: list[float] = []

    def user() -> None:  # keys at random moments, independent of the loop's frames
        pace = random.Random(11)
        for _ in range(presses):
            time.sleep(pace.uniform(0.3, 0.6))
            written.append(time.monotonic())
            os.write(writer, key_event(written[-1], 1))

    typist = threading.Thread(target=user, daemon=True)
    typist.start()
    point = 0
    while len(latencies) < presses:
        now = time.monotonic()
        pygame.event.pump()
        try:
            seen = len(os.read(reader, 4096)) // len(key_event(0.0, 1))
        except BlockingIOError:
            seen = 0
        point = (point + seen) % 4
        renderer.invalidate()
        renderer.draw(surface, View(Phase.IDLE, point=point, started=now), now)
        pygame.display.flip()
        if seen:
            shown = time.monotonic()
            latencies += [shown - at for at in written[len(latencies) : len(latencies) + seen]]
        clock.tick(60)
    typist.join()
    return {"latencies": latencies}


def tap_until(h: Harness, phase, most: int = 12) -> float:  # type: ignore[no-untyped-def]
    """Tap every 0.4 s until ``phase`` is on screen (turning any pages on the way, as on the
    7-inch screen); the time of the tap that brought it."""
    for _ in range(most):
        time.sleep(0.4)
        at = h.tap()
        time.sleep(0.05)
        if h.phase() is phase:
            return at
    raise RuntimeError(f"expected {phase}, got {h.phase()}")


def child_holds(size: tuple[int, int], holds: list[float]) -> dict:
    """One session through ``holds``; the buzzer's error against each hold's end."""
    from kiosk.core.session import Phase

    def script(h: Harness) -> dict:
        time.sleep(SETTLE_SECONDS)
        h.tap()  # idle -> safety
        pressed: list[float] = []
        for index, hold in enumerate(holds):
            pressed.append(tap_until(h, Phase.HOLD))  # safety or done -> intro -> hold
            h.wait_until(lambda: h.phase() is not Phase.HOLD, timeout=hold + 10)
            if index + 1 < len(holds):
                time.sleep(0.4)
                h.tap()  # done -> next intro
        time.sleep(1.5)  # the end beeps finish
        ons = h.buzzer_on_times()
        errors = []
        for at, hold in zip(pressed, holds, strict=True):
            buzzed = next(t for t in ons if t > at + 0.2)  # not the start blip
            errors.append((hold, buzzed - (at + hold)))
        return {"errors": errors, "size": size}

    return Harness(size, config_with_holds(holds)).run(script)


def child_cpu(size: tuple[int, int], warmup: float, seconds: float, speech: bool = False) -> dict:
    """CPU per wall second and redraws per second, idle (attract cycle) and in a hold."""
    from kiosk.core.session import Phase

    def measure(h: Harness) -> dict:
        stats = h.app.stats
        cpu, wall = time.process_time(), time.monotonic()
        frames, partial, wakeups = stats.frames, stats.partial_frames, stats.wakeups
        time.sleep(seconds)
        wall = time.monotonic() - wall
        return {
            "cpu": (time.process_time() - cpu) / wall,
            "frames": (stats.frames - frames) / wall,
            "partial": (stats.partial_frames - partial) / wall,
            "wakeups": (stats.wakeups - wakeups) / wall,
            "seconds": wall,
        }

    def script(h: Harness) -> dict:
        settle_speech(h)
        time.sleep(warmup)
        idle = measure(h)
        tap_until(h, Phase.HOLD)  # idle -> safety -> intro -> hold, turning any pages
        time.sleep(0.5)
        hold = measure(h)
        return {"idle": idle, "hold": hold, "mixer_open": bool(h.app.speech.player.is_open)}

    return Harness(size, with_speech(config_with_hold_seconds(seconds + 10), speech)).run(script)


def child_naive(size: tuple[int, int], seconds: float) -> dict:
    """The peers' way: ``clock.tick(60)`` and a full repaint of the idle screen each frame."""
    import pygame

    from kiosk.content.config import load_config
    from kiosk.core.session import Phase, View
    from kiosk.ui.renderer import build_renderer

    pygame.display.init()
    surface = pygame.display.set_mode(size)
    renderer = build_renderer(load_config(), size)
    view = View(Phase.IDLE, point=0, started=time.monotonic())
    clock = pygame.time.Clock()
    frames = 0
    cpu, start = time.process_time(), time.monotonic()
    while time.monotonic() - start < seconds:
        pygame.event.pump()
        renderer.invalidate()
        renderer.draw(surface, view, time.monotonic())
        pygame.display.flip()
        frames += 1
        clock.tick(60)
    wall = time.monotonic() - start
    return {"cpu": (time.process_time() - cpu) / wall, "frames": frames / wall}


CHILDREN = {
    "press": child_press,
    "keys": child_keys,
    "holds": child_holds,
    "cpu": child_cpu,
    "naive": child_naive,
    "naive_keys": child_naive_keys,
}


def child_main(kind: str, args: str) -> None:
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    params = json.loads(args)
    params["size"] = tuple(params["size"])
    result = CHILDREN[kind](**params)
    print(json.dumps(result), flush=True)


# -- the parent: schedule, start-up measurement and the table -------------------------------


class Child:
    """A child process measuring one thing; ``result()`` waits for its JSON answer."""

    def __init__(self, kind: str, **args: object) -> None:
        self.kind = kind
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--child", kind, json.dumps(args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=os.environ | ENV,
            text=True,
        )

    def result(self) -> dict:
        out, err = self.proc.communicate()
        if self.proc.returncode != 0:
            raise RuntimeError(f"bench child {self.kind} failed:\n{err[-3000:]}")
        return json.loads(out.strip().splitlines()[-1])


def measure_startup(size: tuple[int, int], runs: int) -> dict:
    """``python -m kiosk`` started to ``READY=1`` (sent after the first frame), and the
    process's peak RSS once it sits idle for a second."""
    times, rss = [], []
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as folder:
        address = str(Path(folder) / "notify")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        server.bind(address)
        server.settimeout(30)
        env = os.environ | ENV | {"NOTIFY_SOCKET": address}
        env.pop("WATCHDOG_USEC", None)
        for _ in range(runs):
            command = [sys.executable, "-m", "kiosk", "--size", _label(size)]
            started = time.monotonic()
            proc = subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
            while server.recv(4096) != b"READY=1":
                pass
            times.append(time.monotonic() - started)
            time.sleep(1.0)
            proc.send_signal(signal.SIGTERM)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            rss.append(usage.ru_maxrss / 1024)
        server.close()
    return {"times": times, "rss": rss}


def measure_run_idle(
    args: list[str], warmup: float, seconds: float, env: dict, expect: str | None = None
) -> dict:
    """``python -m kiosk ARGS`` as a user runs it, idle after ``warmup`` seconds: its CPU
    (every thread's run time, from /proc) and wake-ups (every thread's context switches)
    per wall second, read from outside the process. With ``expect``, the run fails unless
    the kiosk's log has that line (what it was meant to be doing)."""
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as folder:
        args = [arg.replace("{tmp}", folder) for arg in args]
        address = str(Path(folder) / "notify")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        server.bind(address)
        server.settimeout(30)
        run_env = os.environ | ENV | env | {"NOTIFY_SOCKET": address}
        run_env.pop("WATCHDOG_USEC", None)
        command = [sys.executable, "-m", "kiosk", *args]
        log = Path(folder) / "log"
        with log.open("wb") as stderr:
            proc = subprocess.Popen(command, env=run_env, cwd=ROOT, stderr=stderr)
        try:
            while server.recv(4096) != b"READY=1":
                pass
            time.sleep(warmup)
            before, started = _task_totals(proc.pid), time.monotonic()
            time.sleep(seconds)
            after, wall = _task_totals(proc.pid), time.monotonic() - started
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
            server.close()
        said = log.read_text(errors="replace")
        if expect is not None and expect not in said:
            raise RuntimeError(f"the kiosk never said {expect!r}:\n{said[-3000:]}")
    return {
        "cpu": (after[0] - before[0]) / wall,
        "wakeups": (after[1] - before[1]) / wall,
        "seconds": wall,
    }


def measure_idle_kinds(warmup: float, seconds: float) -> dict:
    """The run command idle three ways at once (each alone in its process, all of them
    asleep nearly all the time): recording usage counts (a state folder), not recording (a
    state folder that cannot be made), and closed by its opening hours (the screen off)."""
    size = ["--size", _label(BIG)]
    runs = {
        "run_idle": (
            [*size, "--state-dir", "{tmp}/state"],
            seconds * 2,
            "Usage counts are recorded in",
        ),
        "run_idle_unrecorded": (
            [*size, "--state-dir", "/proc/no-such-folder"],
            seconds * 2,
            "Usage counts are not recorded",
        ),
        "closed_idle": (
            [*size, "--state-dir", "{tmp}/state", "--config", str(closed_config())],
            seconds,
            "outside opening hours",
        ),
    }
    with concurrent.futures.ThreadPoolExecutor(len(runs)) as pool:
        futures = {
            name: pool.submit(measure_run_idle, args, warmup + 6, length, {}, expect)
            for name, (args, length, expect) in runs.items()
        }
        return {name: future.result() for name, future in futures.items()}


def closed_config() -> Path:
    """A staff file whose opening hours are closed all of today and tomorrow (the clock
    trusted, so it applies at once), in a temporary folder."""
    today = dt.date.today()
    days = [today.isoformat(), (today + dt.timedelta(days=1)).isoformat()]
    path = Path(tempfile.mkdtemp(prefix="kiosk-bench-closed-")) / "config.yaml"
    path.write_text(
        "schedule:\n"
        "  open:\n"
        + "".join(f'    {day}: "08:00-18:00"\n' for day in DAYS)
        + f"  closed_dates: {json.dumps(days)}\n"
        "  trust_clock: true\n"
    )
    return path


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _task_totals(pid: int) -> tuple[float, int]:
    """Seconds run by all of ``pid``'s threads, and their context switches (each voluntary
    one a wake-up from a sleep, each involuntary one a preemption)."""
    run_ns, switches = 0, 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            run_ns += int((task / "schedstat").read_text().split()[0])
            for line in (task / "status").read_text().splitlines():
                if "ctxt_switches" in line:
                    switches += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue  # a thread that ended while we looked
    return run_ns / 1e9, switches


def with_xvfb(size: tuple[int, int], measure: Callable[[dict], dict]) -> dict | None:
    """Run ``measure(env)`` with a virtual X server (SDL's x11 driver), or None without Xvfb."""
    import shutil

    if not shutil.which("Xvfb"):
        return None
    display = f":{90 + os.getpid() % 9}"
    server = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", f"{size[0]}x{size[1]}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)
        return measure({"SDL_VIDEODRIVER": "x11", "DISPLAY": display})
    finally:
        server.terminate()
        server.wait(timeout=10)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` from 0 to 1)."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.5 - 1e-9))
    return ordered[min(len(ordered), rank) - 1]


def machine() -> str:
    import pygame

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    sdl = ".".join(map(str, pygame.get_sdl_version()))
    return (
        f"{model}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; pygame-ce {pygame.version.ver}, SDL {sdl}; "
        "SDL_VIDEODRIVER=dummy, gpiozero mock pins"
    )


def run_all(quick: bool) -> dict:
    seconds = 8.0 if quick else 32.0
    warmup = 2.0 if quick else 34.0  # a whole attract cycle (4 points x 8 s): caches filled
    plans = QUICK_HOLD_PLANS if quick else HOLD_PLANS
    started = time.monotonic()
    results: dict = {"startup": measure_startup(BIG, 3 if quick else 5)}
    results.update(measure_idle_kinds(warmup, seconds))
    results["window_idle"] = with_xvfb(
        BIG,
        lambda env: measure_run_idle(
            ["--windowed", "--size", _label(BIG)], warmup=warmup + 6, seconds=seconds, env=env
        ),
    )
    quiet = [0.5] * 6 + [2.0] * 2 if quick else [1.0] * 8 + [5.0] * 6 + [15.0] * 4 + [60.0] * 2
    keys = Child("keys", size=BIG, quiet=quiet)
    holds = [Child("holds", size=size, holds=plan) for size, plan in plans]
    cpu = {size: Child("cpu", size=size, warmup=warmup, seconds=seconds) for size in (BIG, SMALL)}
    # Speech on and off side by side, at the same time: the same load on both.
    cpu_speech = Child("cpu", size=BIG, warmup=warmup, seconds=seconds, speech=True)
    press = Child("press", size=BIG, presses=20 if quick else 60)
    press_speech = Child("press", size=BIG, presses=20 if quick else 60, speech=True)
    results["press"] = press.result()
    results["press_speech"] = press_speech.result()
    results["keys"] = keys.result()
    results["cpu"] = {size: child.result() for size, child in cpu.items()}
    results["cpu_speech"] = cpu_speech.result()
    hold_results = [child.result() for child in holds]
    results["holds"] = [error for result in hold_results for error in result["errors"]]
    results["hold_rss"] = max(r["maxrss_mb"] for r in hold_results if tuple(r["size"]) == BIG)
    results["naive"] = {
        size: Child("naive", size=size, seconds=seconds).result() for size in (BIG, SMALL)
    }
    results["naive_keys"] = Child("naive_keys", size=BIG, presses=len(quiet) * 3).result()
    results["wall"] = time.monotonic() - started
    results["quick"] = quick
    return results


# -- the table --------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def pct(share: float) -> str:
    return f"{share * 100:.3f} %"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def table(r: dict) -> str:
    rows: list[tuple[str, str, str, str]] = []
    lat = r["press"]["latencies"]
    p50, p95 = percentile(lat, 0.5), percentile(lat, 0.95)
    rows.append(
        (
            f"press -> first new frame, 1920x1080 ({len(lat)} presses)",
            f"p50 {ms(p50)}, p95 {ms(p95)}, max {ms(max(lat))}",
            "p95 <= 5 ms",
            verdict(p95 <= 0.005),
        )
    )
    spoken = r["press_speech"]["latencies"]
    s50, s95 = percentile(spoken, 0.5), percentile(spoken, 0.95)
    rows.append(
        (
            f"  the same with speech on (espeak-ng, disk audio; {len(spoken)} presses, "
            f"{r['press_speech']['played']} utterances started)",
            f"p50 {ms(s50)}, p95 {ms(s95)}, max {ms(max(spoken))}",
            "p50 within 0.5 ms of speech off",
            verdict(s50 <= p50 + 0.0005),
        )
    )
    keys = [latency for _, latency in r["keys"]["latencies"]]
    spells = sorted({spell for spell, _ in r["keys"]["latencies"]})
    k50, k95 = percentile(keys, 0.5), percentile(keys, 0.95)
    rows.append(
        (
            f"key -> frame through evdev, 1920x1080 ({len(keys)} keys after "
            f"{spells[0]:g}-{spells[-1]:g} s of quiet)",
            f"p50 {ms(k50)}, p95 {ms(k95)}, max {ms(max(keys))}",
            "p95 <= 20 ms",
            verdict(k95 <= 0.020),
        )
    )
    naive_keys = r["naive_keys"]["latencies"]
    rows.append(
        (
            f"  naive clock.tick(60) loop polling its input, 1920x1080 ({len(naive_keys)} keys)",
            f"p50 {ms(percentile(naive_keys, 0.5))}, p95 {ms(percentile(naive_keys, 0.95))}",
            "",
            "",
        )
    )
    run = r["run_idle"]
    rows.append(
        (
            f"idle, `python -m kiosk --size 1920x1080` (full screen, LED blinking), "
            f"{run['seconds']:.0f} s",
            f"{pct(run['cpu'])} of a core; {run['wakeups']:.2f} wake-ups/s (all threads)",
            "<= 0.1 %, <= 1 wake-up/s",
            verdict(run["cpu"] <= 0.001 and run["wakeups"] <= 1.0),
        )
    )
    unrecorded, closed = r["run_idle_unrecorded"], r["closed_idle"]
    rows.append(
        (
            f"  the same without recording usage counts, {unrecorded['seconds']:.0f} s",
            f"{pct(unrecorded['cpu'])} of a core; {unrecorded['wakeups']:.2f} wake-ups/s",
            "recording adds no wake-up",
            verdict(run["wakeups"] <= unrecorded["wakeups"] + 0.1),
        )
    )
    rows.append(
        (
            f"closed (opening hours, screen off), 1920x1080, {closed['seconds']:.0f} s",
            f"{pct(closed['cpu'])} of a core; {closed['wakeups']:.2f} wake-ups/s",
            "<= 0.05 %, <= 0.2 wake-ups/s",
            verdict(closed["cpu"] <= 0.0005 and closed["wakeups"] <= 0.2),
        )
    )
    window = r["window_idle"]
    rows.append(
        (
            "idle, the same in a desktop window (`--windowed`, Xvfb)"
            + (f", {window['seconds']:.0f} s" if window else ""),
            (
                f"{pct(window['cpu'])} of a core; {window['wakeups']:.1f} wake-ups/s"
                if window
                else "not measured: Xvfb is not installed (apt-get install xvfb)"
            ),
            "<= 0.5 %",
            verdict(window["cpu"] <= 0.005) if window else "",
        )
    )
    errors = [e for _, e in r["holds"]]
    e50, e95, emax = percentile(errors, 0.5), percentile(errors, 0.95), max(errors, key=abs)
    lengths = sorted({h for h, _ in r["holds"]})
    rows.append(
        (
            f"hold end -> buzzer on, error ({len(errors)} holds of "
            f"{lengths[0]:g}-{lengths[-1]:g} s)",
            f"p50 {ms(e50)}, p95 {ms(e95)}, max {ms(emax)}",
            "p95 <= 5 ms, max <= 20 ms",
            verdict(e95 <= 0.005 and abs(emax) <= 0.020),
        )
    )
    by_length = {h: statistics.median(e for g, e in r["holds"] if g == h) for h in lengths}
    short = statistics.median(e for h, e in r["holds"] if h <= 5)
    long = statistics.median(e for h, e in r["holds"] if h >= 60) if max(lengths) >= 60 else None
    drift = by_length[max(lengths)] - short if long is None else long - short
    rows.append(
        (
            "  median error by hold length (s: ms)",
            ", ".join(f"{h:g}: {e * 1000:.2f}" for h, e in by_length.items()),
            "no drift",
            "",
        )
    )
    rows.append(
        (
            "  drift: holds >= 60 s minus holds <= 5 s",
            f"{drift * 1000:+.2f} ms (fitted slope {_slope_ms(r['holds']):+.3f} ms/min)",
            "|drift| <= 1 ms",
            verdict(abs(drift) <= 0.001),
        )
    )
    for size in (BIG, SMALL):
        kiosk = r["cpu"][size]
        naive = r["naive"][size]
        label = _label(size)
        idle, hold = kiosk["idle"], kiosk["hold"]
        ratio = naive["cpu"] / idle["cpu"] if idle["cpu"] else float("inf")
        big = size == BIG
        rows.append(
            (
                f"CPU idle (attract cycle), {label}, {idle['seconds']:.0f} s",
                f"{pct(idle['cpu'])} of a core; {idle['frames']:.2f} redraws/s "
                f"({idle['partial']:.2f} partial), {idle['wakeups']:.1f} wake-ups/s",
                "<= 0.5 %" if big else "",
                verdict(idle["cpu"] <= 0.005) if big else "",
            )
        )
        rows.append(
            (
                f"CPU during a hold, {label}, {hold['seconds']:.0f} s",
                f"{pct(hold['cpu'])} of a core; {hold['frames']:.2f} redraws/s "
                f"({hold['partial']:.2f} partial), {hold['wakeups']:.1f} wake-ups/s",
                "<= 2 %",
                verdict(hold["cpu"] <= 0.02),
            )
        )
        rows.append(
            (
                f"naive clock.tick(60) full-redraw loop, {label}",
                f"{pct(naive['cpu'])} of a core; {naive['frames']:.1f} redraws/s",
                "",
                "",
            )
        )
        rows.append(
            (
                f"  naive / kiosk idle CPU, {label}",
                f"{ratio:.0f}x",
                ">= 50x" if big else "",
                verdict(ratio >= 50) if big else "",
            )
        )
    spoken_cpu, quiet_cpu = r["cpu_speech"], r["cpu"][BIG]
    for when, target in (("idle", 0.005), ("hold", 0.02)):
        on, off = spoken_cpu[when], quiet_cpu[when]
        words = "idle (attract cycle, device closed)" if when == "idle" else "during a hold"
        rows.append(
            (
                f"CPU {words}, 1920x1080, speech on, {on['seconds']:.0f} s",
                f"{pct(on['cpu'])} of a core (speech off: {pct(off['cpu'])}); "
                f"{on['wakeups']:.1f} wake-ups/s of the loop",
                f"<= {target * 100:g} %",
                verdict(on["cpu"] <= target),
            )
        )
    start = r["startup"]
    times = start["times"]
    rows.append(
        (
            f"start -> first frame (READY=1), 1920x1080, {len(times)} runs",
            f"median {ms(statistics.median(times))}, max {ms(max(times))}",
            "<= 1 s",
            verdict(max(times) <= 1.0),
        )
    )
    sessions = max(r["press"]["maxrss_mb"], r["cpu"][BIG]["maxrss_mb"])
    rss = max(sessions, r["hold_rss"])
    rows.append(
        (
            "peak RSS, 1920x1080",
            f"{sessions:.1f} MB (whole sessions), {r['hold_rss']:.1f} MB (a "
            f"{max(lengths):g} s hold), {max(start['rss']):.1f} MB (start + 1 s idle)",
            "<= 80 MB",
            verdict(rss <= 80),
        )
    )
    return _markdown(rows)


def _slope_ms(holds: list[tuple[float, float]]) -> float:
    """Least-squares slope of the error against the hold length, in ms per minute of hold."""
    xs, ys = [h for h, _ in holds], [e for _, e in holds]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0
    return slope * 60 * 1000


def _markdown(rows: list[tuple[str, str, str, str]]) -> str:
    head = ("figure", "result", "target", "")
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(4)]
    lines = []
    for index, row in enumerate([head, *rows]):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if index == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short windows for a trial run")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also save the raw figures")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ARGS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(*args.child)
        return 0
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    print(f"Benchmark of the kiosk on: {machine()}", flush=True)
    print("Running (about 5 minutes; --quick about 1)...", flush=True)
    load_before = os.getloadavg()[0]
    results = run_all(args.quick)
    results["load"] = (load_before, os.getloadavg()[0])
    if args.json:
        raw = results | {"cpu": _keyed(results["cpu"]), "naive": _keyed(results["naive"])}
        args.json.write_text(json.dumps(raw, indent=1))
    print()
    print(table(results))
    print()
    note = " (--quick: below the issue's minimum sample sizes)" if args.quick else ""
    before, after = results["load"]
    print(f"Wall time {results['wall']:.0f} s{note}.")
    print(f"Load average {before:.2f} before the run, {after:.2f} after it (the bench alone adds")
    print("about 0.5; more means other work shared the machine and may show in the tails).")
    return 0


def _label(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _keyed(by_size: dict) -> dict:
    return {_label(size): value for size, value in by_size.items()}


if __name__ == "__main__":
    sys.exit(main())
