"""Is the system clock known to be right? The opening hours wait for that answer.

A Raspberry Pi has no clock that runs while it is off (the Pi 5 has one only with a battery
fitted): it boots with the time it last saved, often hours or days behind, until the
network sets it. Switching the screen off by such a clock would close the kiosk in the
middle of the morning, so the schedule applies only once the clock is known synchronised
(or ``trust_clock: true``).

Three ways to ask, the cheapest first; the first that can answer does:

1. ``/run/systemd/timesync/synchronized``: systemd-timesyncd (Raspberry Pi OS's and
   Debian's time client) creates it when it has set the clock. One ``stat``, allowed in
   the kiosk's sandboxed unit. When it exists the answer is yes; when it does not, the
   clock may still be set by another client (chrony, ntpd), so the next way is asked.
2. ``adjtimex(2)`` through ctypes, read-only: the kernel's own estimate, the test that
   ``timedatectl``'s ``NTPSynchronized`` uses (synchronised while the maximum error is
   under 16 s). No process, no D-Bus, but the kiosk's unit has ``ProtectClock=yes``, whose
   system-call filter refuses it (EPERM): then the last way is asked.
3. ``timedatectl show -p NTPSynchronized --value``: a process and a D-Bus call to
   systemd-timedated (which is not sandboxed like the kiosk), tens of milliseconds. Only
   reached when the first two cannot tell, once a minute until the clock is set.

Once the answer is yes it stays yes (the clock does not become unset on a running Pi), so
after that nothing is asked again.

:func:`wall_now` is the one place the kiosk reads the wall clock (tests/test_faults.py
holds it to that): only to know whether it is opening time. Every timing stays on the
monotonic clock, so a clock being set cannot stretch a hold or a timeout.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import logging
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

TIMESYNC_FLAG = Path("/run/systemd/timesync/synchronized")
#: The kernel's largest maximum error (16 s, in microseconds) means "not synchronised".
MAX_ERROR_US = 16_000_000

Probe = Callable[[], bool | None]  # True, False, or None: cannot tell


def wall_now() -> dt.datetime:
    """The wall clock now, timezone-aware (UTC), for the opening hours only."""
    return dt.datetime.now(dt.UTC)


class _Timex(ctypes.Structure):
    """The start of ``struct timex`` (<sys/timex.h>); room for the rest after it."""

    _fields_ = [
        ("modes", ctypes.c_uint),
        ("offset", ctypes.c_long),
        ("freq", ctypes.c_long),
        ("maxerror", ctypes.c_long),
        ("esterror", ctypes.c_long),
        ("status", ctypes.c_int),
        ("rest", ctypes.c_char * 512),
    ]


def flag_file(path: Path = TIMESYNC_FLAG) -> Probe:
    """Yes when systemd-timesyncd's flag file exists, else cannot tell."""

    def probe() -> bool | None:
        try:
            return True if path.exists() else None
        except OSError:
            return None

    return probe


def adjtimex() -> bool | None:
    """The kernel's answer, or None when the call is refused or missing."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        call = libc.adjtimex
    except (OSError, AttributeError):
        return None
    timex = _Timex()  # modes = 0: read only
    if call(ctypes.byref(timex)) < 0:
        return None
    return timex.maxerror < MAX_ERROR_US


def timedatectl(command: str = "timedatectl", timeout: float = 5.0) -> Probe:
    """``timedatectl``'s NTPSynchronized, or None when it is not there or fails."""

    def probe() -> bool | None:
        program = shutil.which(command)
        if program is None:
            return None
        try:
            done = subprocess.run(
                [program, "show", "-p", "NTPSynchronized", "--value"],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        answer = done.stdout.strip()
        if done.returncode != 0 or answer not in ("yes", "no"):
            return None
        return answer == "yes"

    return probe


class ClockSync:
    """Whether the system clock is known to be synchronised, asked through ``probes`` in
    order (see the module's notes); "cannot tell" from all of them counts as no."""

    def __init__(self, probes: tuple[Probe, ...] | None = None) -> None:
        self.probes = probes if probes is not None else (flag_file(), adjtimex, timedatectl())
        self.known = False
        #: Which probe answered last (its name), for the log.
        self.by = ""

    def synchronised(self) -> bool:
        if self.known:
            return True
        for probe in self.probes:
            answer = probe()
            if answer is not None:
                self.by = getattr(probe, "__qualname__", "").split(".")[0] or repr(probe)
                self.known = answer
                return answer
        return False
