"""Give each line for systemd's journal its priority, so ``journalctl -p warning`` finds problems.

Under systemd the kiosk's stderr is a stream into the journal, and every line of it gets the
same priority (info) unless it starts with a syslog priority in angle brackets, ``<3>`` for
an error (sd-daemon(3); the unit's ``SyslogLevelPrefix=`` is on by default). The journal then
stores the line at that priority, without the prefix. It makes one record of each line and
reads the prefix of each line on its own, so a traceback needs the prefix on every line.

The prefix is written only when stderr really is the journal: systemd puts the stream's device
and inode numbers in ``$JOURNAL_STREAM`` (systemd.exec(5)), and a child process or a
redirection may keep the variable but write somewhere else. In a terminal, a file or a pipe
the lines stay as they were::

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter_for(sys.stderr, "%(levelname)s %(name)s: %(message)s"))
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import IO

#: Python's logging levels and their syslog priorities (sd-daemon(3): SD_CRIT ... SD_DEBUG),
#: highest first. A level between two takes the priority of the one below it.
PRIORITIES = (
    (logging.CRITICAL, 2),
    (logging.ERROR, 3),
    (logging.WARNING, 4),
    (logging.INFO, 6),
)
DEBUG_PRIORITY = 7


def syslog_priority(level: int) -> int:
    """The syslog priority of a logging level: 2 critical, 3 error, 4 warning, 6 info, 7 debug."""
    for lowest, priority in PRIORITIES:
        if level >= lowest:
            return priority
    return DEBUG_PRIORITY


def with_priority(text: str, level: int) -> str:
    """``text`` with the priority of ``level`` before every line of it."""
    prefix = f"<{syslog_priority(level)}>"
    return "\n".join(prefix + line for line in text.split("\n"))


def is_journal(stream: IO[str], environ: Mapping[str, str] | None = None) -> bool:
    """True when ``stream`` is the journal stream systemd named in ``$JOURNAL_STREAM``."""
    env = os.environ if environ is None else environ
    device, _, inode = env.get("JOURNAL_STREAM", "").partition(":")
    try:
        expected = (int(device), int(inode))
        stat = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):  # no such variable, file or descriptor
        return False
    return (stat.st_dev, stat.st_ino) == expected


class JournalFormatter(logging.Formatter):
    """Formats as :class:`logging.Formatter` does, then puts the record's syslog priority
    before every line (a traceback included).

    It keeps the whole line, ``ERROR kiosk: ...`` as well: ``journalctl`` shows the priority
    only as a colour, which is gone when the log is copied into a message or read by someone
    who cannot tell red from yellow, and the lines in the journal stay the same as in a
    terminal (the staff guide quotes them). The module name says where a line comes from.
    """

    def format(self, record: logging.LogRecord) -> str:
        return with_priority(super().format(record), record.levelno)


def formatter_for(
    stream: IO[str], fmt: str, environ: Mapping[str, str] | None = None
) -> logging.Formatter:
    """A :class:`JournalFormatter` when ``stream`` is the journal, else a plain formatter."""
    if is_journal(stream, environ):
        return JournalFormatter(fmt)
    return logging.Formatter(fmt)


def printer(
    stream: IO[str], environ: Mapping[str, str] | None = None
) -> Callable[[str, int], None]:
    """A ``print`` for a command's own lines (not logged): ``say(text, logging.ERROR)`` writes
    the text to ``stream``, with its priority when ``stream`` is the journal."""
    journal = is_journal(stream, environ)

    def say(text: str, level: int) -> None:
        print(with_priority(text, level) if journal else text, file=stream)

    return say
