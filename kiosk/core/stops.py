"""Stop signals that came before the main loop could take them.

Until the loop installs its own handlers, SIGTERM and SIGINT end the program by raising
``SystemExit`` wherever it is. C code can swallow that exception: pygame's ``pygame.image``
module clears any error raised while it imports its optional ``imageext`` part, so a
signal that lands there is lost and the kiosk starts as if nothing came. So every early
stop is also written down here, and the loop acts on it as soon as its handlers are in
(:meth:`kiosk.app.loop.App.install_signal_handlers`).

A SIGHUP (``systemctl reload``) in that time is written down too: the loop reads the staff
file again once it runs, so an edit saved while the kiosk was starting is not missed.
"""

from __future__ import annotations

_early: list[int] = []
_hangups: list[int] = []


def record(signum: int) -> None:
    """A stop signal ``signum`` came during start-up."""
    _early.append(signum)


def early() -> tuple[int, ...]:
    """The stop signals that came during start-up, in order."""
    return tuple(_early)


def record_hangup() -> None:
    """A SIGHUP came during start-up."""
    _hangups.append(1)


def hung_up() -> bool:
    """True when a SIGHUP came during start-up."""
    return bool(_hangups)


def forget() -> None:
    """Forget them (tests)."""
    _early.clear()
    _hangups.clear()
