"""Tests for kiosk.devices.systemd: sd_notify messages arrive on a real AF_UNIX datagram socket."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.devices.systemd import SystemdNotifier


@pytest.fixture
def notify_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """A bound datagram socket standing in for systemd, named in NOTIFY_SOCKET."""
    path = tmp_path / "notify.sock"
    if len(os.fsencode(path)) >= 108:  # sun_path limit
        pytest.skip(f"tmp_path too long for an AF_UNIX address: {path}")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(2)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    yield server
    server.close()


def receive(server: socket.socket) -> str:
    return server.recv(4096).decode()


def test_ready_watchdog_stopping_arrive_in_order(notify_socket: socket.socket) -> None:
    notifier = SystemdNotifier.from_env()
    notifier.ready()
    notifier.watchdog()
    notifier.stopping()
    notifier.close()
    assert [receive(notify_socket) for _ in range(3)] == ["READY=1", "WATCHDOG=1", "STOPPING=1"]


def test_status_is_one_line(notify_socket: socket.socket) -> None:
    notifier = SystemdNotifier.from_env()
    notifier.status("Showing  point\nUB40")
    assert receive(notify_socket) == "STATUS=Showing point UB40"


def test_abstract_namespace_address(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"acupressure-kiosk-test-{os.getpid()}"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(b"\0" + name.encode())
    server.settimeout(2)
    try:
        notifier = SystemdNotifier.from_env({"NOTIFY_SOCKET": "@" + name})
        notifier.ready()
        assert receive(server) == "READY=1"
    finally:
        server.close()


def test_watchdog_interval_is_half_the_timeout() -> None:
    env = {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "5000000"}
    assert SystemdNotifier.from_env(env).watchdog_interval == 2.5
    own = dict(env, WATCHDOG_PID=str(os.getpid()))
    assert SystemdNotifier.from_env(own).watchdog_interval == 2.5


@pytest.mark.parametrize(
    "env",
    [
        {"NOTIFY_SOCKET": "/run/x"},
        {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "0"},
        {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "soon"},
        {"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "5000000", "WATCHDOG_PID": "1"},
        {"WATCHDOG_USEC": "5000000"},
    ],
)
def test_no_watchdog_interval(env: dict[str, str]) -> None:
    assert SystemdNotifier.from_env(env).watchdog_interval is None


def test_no_op_outside_systemd(caplog: pytest.LogCaptureFixture) -> None:
    notifier = SystemdNotifier.from_env({})
    assert not notifier.enabled
    with caplog.at_level(logging.DEBUG):
        notifier.ready()
        notifier.watchdog()
        notifier.stopping()
        notifier.status("idle")
    assert caplog.records == []


def test_send_errors_are_logged_once_and_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = SystemdNotifier.from_env({"NOTIFY_SOCKET": str(tmp_path / "gone.sock")})
    with caplog.at_level(logging.WARNING, logger="kiosk.devices.systemd"):
        for _ in range(3):
            notifier.ready()
            notifier.watchdog()
    assert len(caplog.records) == 1
    assert "Could not notify systemd" in caplog.records[0].getMessage()
