"""``systemctl reload`` (SIGHUP) reads the staff file again: a good file applies at the next
start screen and never in the middle of a session; a file with errors keeps the content that
runs, logs every error on a line of its own and shows the staff notice until a good reload;
reading it never stalls the loop (a named pipe is a problem, not a wait).

In-process tests post the :class:`~kiosk.core.events.Hangup` the signal handler posts, into
the real main loop (mock pins, dummy display, a fake clock); the last one sends a real SIGHUP
to the real command.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kiosk.content.config import load_config
from kiosk.core.events import Hangup
from kiosk.core.session import Phase
from kiosk.ui.elements import Text
from kiosk.ui.tour import tour

GOOD = """\
languages_shown: [en]
texts:
  invite: "Press the green button to start"
points:
  - id: UB60
    hold_seconds: 11
  - id: UB40
    hold_seconds: 13
"""
CHANGED = """\
languages_shown: [en]
texts:
  invite: "Press the big round button"
points:
  - id: LI4
    hold_seconds: 21
  - id: GB34
    hold_seconds: 23
"""
BROKEN = """\
languages_shown: [en]
texts:
  invite: "Press the big round button"
timing:
  inactivity_seconds: soon
points:
  - id: LI4
    hold_seconds: -5
"""
RELOADED = "Reloaded the staff file: applies at the next start screen"
KEPT = "kept the content that was running (see the lines above)"
NOTICE = "The changed settings have errors: not used. See the log."


@pytest.fixture
def staff(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(GOOD)
    return path


def start(make_kiosk, staff: Path):  # type: ignore[no-untyped-def]
    config = load_config(staff)
    assert not config.errors and not config.fallback
    return make_kiosk(config, staff_file=staff)


def shown(kiosk) -> str:  # type: ignore[no-untyped-def]
    """Every text of the screen on view now, its lines joined by spaces."""
    app = kiosk.app
    _, elements = app.renderer.elements(app.session.view, kiosk.clock.now)
    return " ".join(line for e in elements if isinstance(e, Text) for line in e.lines)


def notices(kiosk) -> list[str]:  # type: ignore[no-untyped-def]
    app = kiosk.app
    _, elements = app.renderer.elements(app.session.view, kiosk.clock.now)
    return [" ".join(e.lines) for e in elements if isinstance(e, Text) and e.role == "notice"]


def holds(kiosk) -> list[float]:  # type: ignore[no-untyped-def]
    """The hold times of a new session, as the loop would start one now."""
    return [step.hold_seconds for step in kiosk.app.new_session(kiosk.clock.now).steps]


def reload_at(kiosk, when: float, text: str | None, staff: Path) -> None:  # type: ignore[no-untyped-def]
    """At ``when``: write ``text`` into the staff file (None: leave it) and post a Hangup."""

    def hang_up() -> Hangup:
        if text is not None:
            staff.write_text(text)
        return Hangup()

    kiosk.inbox.at(when, hang_up)


def test_a_good_reload_at_the_start_screen_applies_at_once(make_kiosk, staff, caplog) -> None:  # type: ignore[no-untyped-def]
    kiosk = start(make_kiosk, staff)
    t0 = kiosk.clock.now
    renderer = kiosk.app.renderer
    old_screens = renderer.screens
    assert "Press the green button to start" in shown(kiosk)
    assert holds(kiosk) == [11, 11, 13, 13]
    reload_at(kiosk, t0 + 1, CHANGED, staff)
    with caplog.at_level(logging.INFO):
        kiosk.run_until(t0 + 2)
    assert RELOADED in caplog.text
    assert kiosk.app.session.phase is Phase.IDLE
    text = shown(kiosk)
    assert "Press the big round button" in text and "green" not in text
    assert holds(kiosk) == [21, 23]  # LI4 and GB34, one side each: the new session factory
    # the renderer was rebuilt for the new content: new screens, the new routine prepared
    assert renderer.screens is not old_screens
    assert renderer.screens.content.points[0].id == "LI4"
    assert renderer._prepared == [stop.view for stop in tour(load_config(staff))]
    assert {v.point for v in renderer._prepared} == {0, 1}
    # the new idle screen draws (a full frame, no failure)
    assert kiosk.app.stats.failures == 0


def test_a_reload_during_a_session_waits_until_it_ends(make_kiosk, staff, caplog) -> None:  # type: ignore[no-untyped-def]
    kiosk = start(make_kiosk, staff)
    t0 = kiosk.clock.now
    seen: list[tuple[Phase, str, list[float]]] = []

    def look() -> None:
        seen.append((kiosk.app.session.phase, shown(kiosk), holds(kiosk)))

    kiosk.press_at(t0 + 1)  # safety
    kiosk.press_at(t0 + 2)  # the first point's intro
    kiosk.press_at(t0 + 3)  # its hold starts (11 s)
    reload_at(kiosk, t0 + 4, CHANGED, staff)
    kiosk.inbox.at(t0 + 5, look)  # mid-hold: the session goes on as it was
    kiosk.inbox.at(t0 + 15, look)  # the hold ended as timed (11 s): the other side
    kiosk.press_at(t0 + 16, duration=3.0)  # holding the button stops the session
    kiosk.inbox.at(t0 + 20, look)  # the start screen: now the new content
    with caplog.at_level(logging.INFO):
        kiosk.run_until(t0 + 21)
    assert RELOADED in caplog.text
    (p1, text1, holds1), (p2, text2, _), (p3, text3, holds3) = seen
    assert p1 is Phase.HOLD and p2 is Phase.DONE and p3 is Phase.IDLE
    assert holds1 == [11, 11, 13, 13]
    assert "Right side" in text1  # the old routine's first point, both sides
    assert "Now the other side" in text2
    assert "Press the big round button" in text3
    assert holds3 == [21, 23]


def test_a_broken_reload_keeps_the_running_content_and_shows_the_notice(
    make_kiosk, staff, caplog
) -> None:  # type: ignore[no-untyped-def]
    kiosk = start(make_kiosk, staff)
    t0 = kiosk.clock.now
    assert notices(kiosk) == []
    seen: list[tuple[str, list[float], list[str]]] = []

    def look() -> None:
        seen.append((shown(kiosk), holds(kiosk), notices(kiosk)))

    reload_at(kiosk, t0 + 1, BROKEN, staff)
    kiosk.inbox.at(t0 + 30, look)  # past the start screens of the next idle cycles
    reload_at(kiosk, t0 + 31, CHANGED, staff)  # a good file again
    kiosk.inbox.at(t0 + 32, look)
    with caplog.at_level(logging.INFO):
        kiosk.run_until(t0 + 33)
    (text, running_holds, shown_notices), (text2, _, shown_notices2) = seen
    # the staff file's content, not the built-in one (nor any of the broken file)
    assert "Press the green button to start" in text
    assert running_holds == [11, 11, 13, 13]
    assert shown_notices == [NOTICE]
    errors = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Config error")]
    assert len(errors) == 2, errors
    assert any("timing.inactivity_seconds" in e and ":5:" in e for e in errors), errors
    assert any("hold_seconds" in e and ":8:" in e for e in errors), errors
    assert all("\n" not in e for e in errors)
    assert f"The staff file has 2 problems: {KEPT}" in caplog.text
    assert caplog.text.count(RELOADED) == 1  # the good one only
    # after the good file: the notice has gone and the new content applies
    assert shown_notices2 == []
    assert "Press the big round button" in text2


def test_a_named_pipe_as_the_staff_file_is_a_logged_failure_not_a_hang(
    make_kiosk, staff, caplog
) -> None:  # type: ignore[no-untyped-def]
    """Nothing ever writes to the pipe: opening it for reading would wait for ever."""
    kiosk = start(make_kiosk, staff)
    t0 = kiosk.clock.now

    def pipe() -> Hangup:
        staff.unlink()
        os.mkfifo(staff)
        return Hangup()

    kiosk.inbox.at(t0 + 1, pipe)
    kiosk.press_at(t0 + 3)  # the loop goes on: the press starts a session
    started = time.monotonic()
    with caplog.at_level(logging.INFO):
        kiosk.run_until(t0 + 4)
    assert time.monotonic() - started < 5
    assert "is a named pipe (FIFO), not a file" in caplog.text
    assert f"The staff file has 1 problem: {KEPT}" in caplog.text
    assert kiosk.app.session.phase is Phase.SAFETY
    assert notices(kiosk) == [NOTICE]
    assert holds(kiosk) == [11, 11, 13, 13]


def test_reading_the_file_is_off_the_main_loop(make_kiosk, staff, caplog) -> None:  # type: ignore[no-untyped-def]
    """A read that takes long (a slow SD card, a file system that hangs) holds up no press:
    the loop answers them while the file is read, and applies it when it comes."""
    kiosk = start(make_kiosk, staff)
    kiosk.inbox.busy = lambda: kiosk.app.renderer.laying_out  # do not wait for the read
    staff_reload = kiosk.app.staff
    assert staff_reload is not None
    gate = threading.Event()
    real_load = staff_reload.load

    def slow_load(path: Path):  # type: ignore[no-untyped-def]
        gate.wait(timeout=10)
        return real_load(path)

    staff_reload.load = slow_load
    t0 = kiosk.clock.now
    seen: list[tuple[Phase, bool, float]] = []

    def look() -> None:
        seen.append((kiosk.app.session.phase, kiosk.app.reloading, time.monotonic()))

    def let_it_finish() -> None:
        gate.set()
        if staff_reload._thread is not None:
            staff_reload._thread.join(timeout=10)

    reload_at(kiosk, t0 + 1, CHANGED, staff)
    kiosk.press_at(t0 + 2)  # safety, while the file is still being read
    kiosk.inbox.at(t0 + 3, look)
    kiosk.inbox.at(t0 + 4, let_it_finish)
    kiosk.press_at(t0 + 5, duration=3.0)  # back to the start: the new content applies
    kiosk.inbox.at(t0 + 9, lambda: seen.append((kiosk.app.session.phase, False, 0.0)))
    kiosk.inbox.at(t0 + 9, lambda: after.extend(holds(kiosk)))
    after: list[float] = []
    started = time.monotonic()
    try:
        with caplog.at_level(logging.INFO):
            kiosk.run_until(t0 + 10)
    finally:
        gate.set()
    (phase, reading, when), (phase_after, _, _) = seen
    assert phase is Phase.SAFETY and reading  # the press was answered during the read
    assert when - started < 5
    assert phase_after is Phase.IDLE
    assert RELOADED in caplog.text
    assert after == [21, 23]


def test_changed_pins_are_kept_until_a_restart_and_say_so(make_kiosk, staff, caplog) -> None:  # type: ignore[no-untyped-def]
    kiosk = start(make_kiosk, staff)
    button = kiosk.app.parts.button
    t0 = kiosk.clock.now
    reload_at(kiosk, t0 + 1, "hardware:\n  button_pin: 5\n" + CHANGED, staff)
    kiosk.press_at(t0 + 3)  # the button on the pin it had still works
    kiosk.inbox.at(t0 + 3.5, lambda: buttons.append(kiosk.app.parts.button))
    buttons: list[object] = []
    with caplog.at_level(logging.INFO):
        kiosk.run_until(t0 + 4)
    assert "The staff file changes hardware.button_pin: hardware settings apply only after a " \
        "restart" in caplog.text  # fmt: skip
    assert RELOADED in caplog.text
    assert buttons == [button]
    assert kiosk.app.staff.running.hardware.button_pin == 17  # type: ignore[union-attr]
    assert kiosk.app.session.phase is Phase.SAFETY


def test_without_a_staff_file_a_reload_changes_nothing(make_kiosk, caplog) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk()
    t0 = kiosk.clock.now
    kiosk.inbox.at(t0 + 1, Hangup)
    with caplog.at_level(logging.INFO):
        kiosk.run_until(t0 + 2)
    assert "there is no staff file to read again" in caplog.text
    assert kiosk.app.running


def test_a_real_sighup_reloads_and_the_kiosk_runs_on(tmp_path: Path, kiosk_env, staff) -> None:  # type: ignore[no-untyped-def]
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--windowed", "--size", "800x480", "--config", str(staff)],
        env=kiosk_env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    arriving: queue.SimpleQueue[str] = queue.SimpleQueue()
    reader = threading.Thread(
        target=lambda: [arriving.put(line) for line in proc.stderr],
        daemon=True,  # type: ignore[union-attr]
    )
    reader.start()

    def wait_for(text: str, timeout: float = 20) -> None:
        """Until a line with ``text`` comes; a silent kiosk fails the test, never hangs it."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = arriving.get(timeout=left)
            except queue.Empty:
                break
            lines.append(line)
            if text in line:
                return
        pytest.fail(f"no {text!r} in:\n" + "".join(lines))

    try:
        wait_for("Kiosk ready")
        staff.write_text(CHANGED)
        proc.send_signal(signal.SIGHUP)
        wait_for(RELOADED)
        wait_for("The reloaded staff file is in use")
        staff.write_text(BROKEN)
        proc.send_signal(signal.SIGHUP)
        wait_for(f"The staff file has 2 problems: {KEPT}")
        assert proc.poll() is None  # still running
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        reader.join(timeout=10)
    finally:
        proc.kill()
    while not arriving.empty():
        lines.append(arriving.get())
    output = "".join(lines)
    assert proc.returncode == 0, output
    assert "Stopping: SIGTERM" in output
    assert "Traceback" not in output


def test_a_reloaded_routine_is_what_the_usage_counts_name(make_kiosk, staff, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """After a reload the holds are counted under the new routine's point ids, not the
    ones the kiosk started with."""
    from kiosk.devices.usagedb import DB_NAME, read_records

    config = load_config(staff)
    kiosk = make_kiosk(config, staff_file=staff, state_dir=tmp_path / "state")
    t0 = kiosk.clock.now
    reload_at(kiosk, t0 + 1, CHANGED, staff)
    for offset in (3, 4, 5):  # safety, intro, LI4's hold (21 s)
        kiosk.press_at(t0 + offset)
    kiosk.run_until(t0 + 30)
    kiosk.app.recorder.close()
    holds = [r.point for r in read_records(tmp_path / "state" / DB_NAME) if r.kind == "hold"]
    assert holds == ["LI4"]


def test_changed_opening_hours_wait_for_a_restart_and_say_so(make_kiosk, staff, caplog) -> None:  # type: ignore[no-untyped-def]
    kiosk = start(make_kiosk, staff)
    t0 = kiosk.clock.now
    reload_at(kiosk, t0 + 1, GOOD + 'schedule:\n  open:\n    mon: "08:00-18:00"\n', staff)
    with caplog.at_level(logging.INFO):
        kiosk.run_until(t0 + 2)
    assert RELOADED in caplog.text and "changes the opening hours" in caplog.text
    assert kiosk.app.staff.running.schedule is None


def test_a_changed_metrics_file_waits_for_a_restart_and_says_so(make_kiosk, staff, caplog) -> None:  # type: ignore[no-untyped-def]
    kiosk = start(make_kiosk, staff)
    t0 = kiosk.clock.now
    reload_at(kiosk, t0 + 1, GOOD + "usage:\n  metrics_file: /srv/k.prom\n", staff)
    with caplog.at_level(logging.INFO):
        kiosk.run_until(t0 + 2)
    assert RELOADED in caplog.text and "changes usage.metrics_file" in caplog.text
    assert kiosk.app.staff.running.usage.metrics_file is None


def test_a_sighup_while_the_file_is_read_reads_it_once_more_and_says_so(
    staff: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Two reloads close together: the second comes while the file is read, so it is read
    once more after that (it may have changed meanwhile); the log says each thing once."""
    from kiosk.app.reload import StaffReload
    from kiosk.core.events import Inbox, Reloaded

    gate = threading.Event()
    reads: list[Path] = []

    def slow_load(path: Path):  # type: ignore[no-untyped-def]
        reads.append(path)
        gate.wait(timeout=10)
        return load_config(path)

    inbox = Inbox()
    reload = StaffReload(staff, load_config(staff), inbox, load=slow_load)
    with caplog.at_level(logging.INFO):
        reload.start()
        reload.start()  # a second SIGHUP while the first read waits at the gate
        reload.start()  # and a third: still one more read, not two
        gate.set()
        first = inbox.get(10)
        assert isinstance(first, Reloaded)
        reload.done(first.config)
        second = inbox.get(10)
        assert isinstance(second, Reloaded)
        reload.done(second.config)
    assert reads == [staff, staff]
    lines = [r.getMessage() for r in caplog.records if "staff file" in r.getMessage()]
    assert sum("SIGHUP received: reading" in line for line in lines) == 1
    assert sum("while the staff file is being read" in line for line in lines) == 1
    assert sum("once more, as asked" in line for line in lines) == 1


def test_screens_queued_for_the_old_routine_are_not_laid_out_with_the_new_one(
    make_kiosk, staff, caplog
) -> None:  # type: ignore[no-untyped-def]
    """The old routine has four holds, the new one two: the old routine's screens still
    waiting for the layout thread must be dropped, not laid out against the new content
    (the 4th hold of a 2-hold routine raised IndexError in the thread, in CI)."""
    kiosk = start(make_kiosk, staff)
    renderer = kiosk.app.renderer
    assert renderer._layout_thread is None  # nothing laid out yet: every screen is queued
    assert max(v.step for v in renderer._prepared if v.step is not None) == 3
    renderer.use_content(load_config_text(staff, CHANGED), ())
    with caplog.at_level(logging.INFO):
        deadline = time.monotonic() + 30
        while (renderer.warm() or renderer.laying_out or renderer.warming) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.001)
    assert not renderer.laying_out and not renderer.warming
    assert "Laying out a screen in the background failed" not in caplog.text
    # what is cached is the new routine's screens, made with the new content
    steps = {key[2] for key in renderer._layouts._entries if key[2] is not None}
    assert steps == {0, 1}


def load_config_text(staff: Path, text: str):  # type: ignore[no-untyped-def]
    staff.write_text(text)
    config = load_config(staff)
    assert not config.errors
    return config


def test_a_screen_that_fails_in_the_background_does_not_stop_the_warming_of_the_rest(
    make_kiosk, staff, caplog, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from kiosk.ui.renderer import _key
    from kiosk.ui.screens import Screens

    kiosk = start(make_kiosk, staff)
    renderer = kiosk.app.renderer
    failing = renderer._prepared[3]
    layout = Screens.layout

    def fail_once(self, view):  # type: ignore[no-untyped-def]
        if view == failing and threading.current_thread().name == "layouts":
            raise RuntimeError("a layout that went wrong")
        return layout(self, view)

    monkeypatch.setattr(Screens, "layout", fail_once)
    with caplog.at_level(logging.INFO):
        deadline = time.monotonic() + 30
        while (renderer.warm() or renderer.laying_out or renderer.warming) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.001)
    assert "Laying out a screen in the background failed" in caplog.text
    assert not renderer.warming  # every other screen was warmed
    keys = {_key(view) for view in renderer._prepared}
    assert {key for key in keys if key in renderer._layouts} == keys - {_key(failing)}
