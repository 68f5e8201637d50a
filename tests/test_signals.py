"""Signals from the first instruction: SIGTERM and SIGINT at any moment of start-up end the
kiosk with status 0 and no traceback; SIGHUP (a hang-up of its console) stops nothing.

Each test runs the real command in a subprocess (dummy display, mock pins) and signals it at
a moment of its start-up: while Python imports pygame and gpiozero, while it reads the staff
file, while it opens the screen and the pins, and once it runs.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

COMMAND = [sys.executable, "-m", "kiosk", "--windowed", "--size", "800x480"]


def start(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(COMMAND, env=env, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("delay", [0.12, 0.18, 0.25, 0.35, 0.5, 0.8])
def test_a_stop_signal_at_any_moment_of_start_up_exits_0_without_a_traceback(
    kiosk_env, signum: int, delay: float
) -> None:  # type: ignore[no-untyped-def]
    proc = start(kiosk_env())
    time.sleep(delay)
    proc.send_signal(signum)
    try:
        _, errors = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0, errors
    assert "Traceback" not in errors


def test_sighup_is_logged_and_stops_nothing(kiosk_env) -> None:  # type: ignore[no-untyped-def]
    proc = start(kiosk_env())
    try:
        lines = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any("Kiosk ready" in line for line in lines):
            lines.append(proc.stderr.readline())
        proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert proc.poll() is None  # still running
        proc.send_signal(signal.SIGTERM)
        _, errors = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "SIGHUP received and ignored" in errors
    assert "Stopping: SIGTERM" in errors
