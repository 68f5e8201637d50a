"""Tell systemd how the kiosk is doing (sd_notify), without the systemd Python package.

systemd starts the kiosk with ``Type=notify`` and ``WatchdogSec=``: it waits for ``READY=1``
before it calls the service started, and kills and restarts it when ``WATCHDOG=1`` stops
arriving. The protocol is one datagram per message to the AF_UNIX socket named in
``$NOTIFY_SOCKET`` (see sd_notify(3)), so a few lines of :mod:`socket` are enough.

Outside systemd (a developer's window, the tests) every method is a no-op, and a failure to
send is logged once and never raised: the kiosk must keep running for the patient even when
the service manager cannot be told about it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class SystemdNotifier:
    """Sends sd_notify messages (``READY=1``, ``WATCHDOG=1``, ``STOPPING=1``, ``STATUS=``).

    It cannot start a watchdog on its own: it only reports the interval systemd asked for, and
    the caller pings from its main loop, so a stuck loop stops the pings and systemd restarts
    the service. Build it with :meth:`from_env` at the edge of the program and pass it in::

        notifier = SystemdNotifier.from_env()
        notifier.ready()                      # after the first frame is on the screen
        if notifier.watchdog_interval:        # seconds, or None
            notifier.watchdog()               # from the main loop, at least that often

    :param address: the socket address from ``$NOTIFY_SOCKET``: a file system path, or a name
        starting with ``@`` for Linux's abstract namespace. ``None`` or ``""`` makes every
        method a no-op (not under systemd).
    :param watchdog_usec: systemd's watchdog timeout in microseconds (``$WATCHDOG_USEC``), or
        ``None`` when the unit has no ``WatchdogSec=``.
    """

    def __init__(self, address: str | None, watchdog_usec: int | None = None) -> None:
        self._address = _socket_address(address) if address else None
        self._watchdog_usec = watchdog_usec if watchdog_usec and watchdog_usec > 0 else None
        self._socket: socket.socket | None = None
        self._error_logged = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SystemdNotifier:
        """Build a notifier from ``NOTIFY_SOCKET``, ``WATCHDOG_USEC`` and ``WATCHDOG_PID``.

        Like sd_watchdog_enabled(3), the watchdog counts only when ``WATCHDOG_PID`` is unset or
        names this process (a child that inherited the variables must not ping for its parent).
        """
        env = os.environ if environ is None else environ
        return cls(env.get("NOTIFY_SOCKET") or None, _watchdog_usec(env))

    @property
    def enabled(self) -> bool:
        """True when running under systemd with a notify socket."""
        return self._address is not None

    @property
    def watchdog_interval(self) -> float | None:
        """How often to call :meth:`watchdog`, in seconds (half the timeout), or None."""
        if self._address is None or self._watchdog_usec is None:
            return None
        return self._watchdog_usec / 2_000_000

    def ready(self) -> None:
        """Tell systemd that start-up is finished (the first frame is up)."""
        self._send("READY=1")

    def watchdog(self) -> None:
        """Tell systemd the main loop is alive."""
        self._send("WATCHDOG=1")

    def stopping(self) -> None:
        """Tell systemd that the kiosk is shutting down on purpose."""
        self._send("STOPPING=1")

    def status(self, text: str) -> None:
        """Set the one-line status shown by ``systemctl status``."""
        self._send("STATUS=" + " ".join(text.split()))

    def close(self) -> None:
        """Close the socket; later messages open a new one."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _send(self, message: str) -> None:
        if self._address is None:
            return
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket.sendto(message.encode(), self._address)
        except OSError as error:
            if not self._error_logged:
                self._error_logged = True
                log.warning("Could not notify systemd (%s): %s", message, error)


def _socket_address(address: str) -> str | bytes:
    """A ``@name`` is Linux's abstract namespace: the kernel wants a leading NUL byte."""
    if address.startswith("@"):
        return b"\0" + address[1:].encode()
    return address


def _watchdog_usec(env: Mapping[str, str]) -> int | None:
    pid = env.get("WATCHDOG_PID")
    if pid and pid.strip() != str(os.getpid()):
        return None
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec if usec > 0 else None
