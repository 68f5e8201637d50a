"""The running kiosk talks to systemd: READY=1 after the first frame, WATCHDOG=1 from the main
loop (and none when the loop is stuck), STOPPING=1 at the end. A real AF_UNIX datagram socket
stands in for systemd."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kiosk.core.events import Inbox, Quit
from kiosk.core.session import Phase
from kiosk.devices.systemd import SystemdNotifier


@pytest.fixture
def systemd_socket(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "notify"
    if len(os.fsencode(path)) >= 100:
        pytest.skip("tmp path too long for an AF_UNIX address")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(0.05)
    yield server, str(path)
    server.close()


def drain(server: socket.socket, seconds: float) -> list[str]:
    end = time.monotonic() + seconds
    messages = []
    while time.monotonic() < end:
        try:
            messages.append(server.recv(256).decode())
        except TimeoutError:
            continue
    return messages


def test_kiosk_process_notifies_systemd(systemd_socket, kiosk_env) -> None:  # type: ignore[no-untyped-def]
    server, path = systemd_socket
    env = kiosk_env(NOTIFY_SOCKET=path, WATCHDOG_USEC="200000")
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--windowed", "--size", "800x480"],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        server.settimeout(20)
        first = server.recv(256).decode()
        assert first in ("READY=1", "WATCHDOG=1")
        server.settimeout(0.05)
        messages = [first, *drain(server, 1.0)]
        assert "READY=1" in messages
        assert messages.count("WATCHDOG=1") >= 5  # every 0.1 s
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
        assert "STOPPING=1" in drain(server, 0.3)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_stuck_loop_stops_the_watchdog(systemd_socket, make_kiosk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A screen that hangs stops the pings, so systemd's watchdog would restart the kiosk."""
    server, path = systemd_socket
    notifier = SystemdNotifier(path, watchdog_usec=100_000)
    kiosk = make_kiosk(notifier=notifier)
    app = kiosk.app
    app.clock = app.parts.clock = time.monotonic  # real time: the pings are real datagrams
    app.inbox = app.parts.inbox = Inbox()  # waiting for real
    app.session = app.new_session(time.monotonic())
    hang = threading.Event()
    stuck = threading.Event()
    original = app.renderer.draw

    def draw(surface, view, now):  # type: ignore[no-untyped-def]
        if view.phase is Phase.SAFETY:
            stuck.set()
            hang.wait(10)  # the loop is stuck here
        return original(surface, view, now)

    monkeypatch.setattr(app.renderer, "draw", draw)
    runner = threading.Thread(target=app.run, daemon=True)
    runner.start()
    try:
        assert drain(server, 0.5).count("WATCHDOG=1") >= 3
        kiosk.button.drive_low()
        kiosk.button.drive_high()
        assert stuck.wait(5)
        drain(server, 0.05)  # pings sent before the loop got stuck
        assert drain(server, 0.6).count("WATCHDOG=1") == 0
        hang.set()
        assert drain(server, 0.5).count("WATCHDOG=1") >= 2
    finally:
        hang.set()
        app.inbox.put(Quit("test over"))
        runner.join(5)
    assert not runner.is_alive()
