"""``python -m kiosk`` and ``acupressure-kiosk``: stop cleanly on a signal from the first
instruction, then hand over to the command line (:mod:`kiosk.commands.cli`).

Until the main loop installs its own handlers (which let it finish the frame and switch the
buzzer and LED off), SIGTERM and SIGINT end the program with status 0 and no traceback,
whatever it is doing: importing, reading the staff file, opening the screen. gpiozero closes
the pins it opened when the interpreter exits. Each such stop is also written down
(:mod:`kiosk.core.stops`): where C code swallows the exit, the loop stops at its start.
SIGHUP must not stop it (a hang-up of the console it runs on, or ``systemctl reload``): until
then it is only written down, and once the loop runs it reads the staff file again (see
:meth:`kiosk.app.loop.App.install_signal_handlers` and :mod:`kiosk.app.reload`), so an edit
saved while the kiosk was starting is not missed.
"""

import signal
import sys

from kiosk.core import stops


def main(argv: list[str] | None = None) -> int:
    stop_on_signals()
    from kiosk.commands.cli import main as command_line

    return command_line(argv)


def stop_on_signals() -> None:
    """SIGTERM and SIGINT exit with status 0 at once; SIGHUP is written down for the loop
    (which then reads the staff file again)."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _exit_cleanly)
    signal.signal(signal.SIGHUP, _note_hangup)
    sys.unraisablehook = _quiet_early_stop


def _quiet_early_stop(unraisable: "sys.UnraisableHookArgs") -> None:
    """A stop that landed where Python cannot pass an exception on (a weak reference's
    callback, a ``__del__``) is not a problem to print with a traceback: it is written down,
    and the loop stops at its start. Anything else is printed as usual."""
    if isinstance(unraisable.exc_value, SystemExit) and stops.early():
        return
    sys.__unraisablehook__(unraisable)


def _note_hangup(_signum: int, _frame: object) -> None:
    stops.record_hangup()


def _exit_cleanly(signum: int, _frame: object) -> None:
    stops.record(signum)
    raise SystemExit(0)


if __name__ == "__main__":
    sys.exit(main())
