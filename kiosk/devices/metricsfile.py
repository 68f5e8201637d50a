"""The usage counts as Prometheus counters in a file, for node_exporter's textfile collector.

With ``usage.metrics_file`` set, the usage writer thread (:class:`~kiosk.devices.usagedb.
Recorder`) keeps :class:`Totals` (read once from the database when it opens it, then counted
up with every record it commits) and rewrites the file after every commit with
:meth:`MetricsFile.write`. The kiosk opens no port: node_exporter, which already serves the
Pi's own figures, reads the file and serves it.

The file is replaced atomically: the text goes to ``NAME.prom.tmp`` in the same folder
(node_exporter reads only ``*.prom``), is synced, made readable by all (the unit's
``UMask=0077`` would keep it from node_exporter's user) and renamed over ``NAME.prom``, so a
reader only ever sees a whole file. No timestamps: node_exporter stamps what it serves.

A failure (no such folder, no permission, a read-only or full card) is logged once, then at
most once an hour (:data:`COMPLAIN_EVERY`), and never stops the counts being recorded.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from kiosk.core.tallies import ENDS, HOLD, STARTED, Record

log = logging.getLogger(__name__)

#: A failure to write the file is logged at most once in this many seconds.
COMPLAIN_EVERY = 3600.0
#: The metric names' common prefix.
PREFIX = "acupressure_kiosk"


class Totals:
    """How many sessions started, how many ended each way, and how many holds of each
    point and side were completed: all time, as in the database."""

    def __init__(self) -> None:
        self.started = 0
        self.ends: Counter[str] = Counter(dict.fromkeys(ENDS, 0))
        self.holds: Counter[tuple[str, str]] = Counter()

    def count(self, kind: str, point: str | None, side: int | None, times: int = 1) -> None:
        """Count ``times`` records of ``kind`` (and, for a hold, ``point`` and ``side``)."""
        if kind == STARTED:
            self.started += times
        elif kind in ENDS:
            self.ends[kind] += times
        elif kind == HOLD and point is not None:
            self.holds[(point, "" if side is None else str(side))] += times

    def add(self, record: Record) -> None:
        self.count(record.kind, record.point, record.side)

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str | None, int | None, int]]) -> Totals:
        """Totals from ``(kind, point, side, how many)`` rows (a GROUP BY of the events)."""
        totals = cls()
        for kind, point, side, times in rows:
            totals.count(kind, point, side, times)
        return totals

    def text(self) -> str:
        """The Prometheus text exposition format (version 0.0.4), without timestamps."""
        lines = [
            f"# HELP {PREFIX}_sessions_started_total Sessions started at the kiosk.",
            f"# TYPE {PREFIX}_sessions_started_total counter",
            f"{PREFIX}_sessions_started_total {self.started}",
            f"# HELP {PREFIX}_sessions_total Sessions ended, by how they ended.",
            f"# TYPE {PREFIX}_sessions_total counter",
        ]
        for outcome in ENDS:
            lines.append(f'{PREFIX}_sessions_total{{outcome="{outcome}"}} {self.ends[outcome]}')
        lines += [
            f"# HELP {PREFIX}_holds_total Holds completed, by point id and side "
            '(side "" for a point done on one side).',
            f"# TYPE {PREFIX}_holds_total counter",
        ]
        for (point, side), times in sorted(self.holds.items()):
            lines.append(f'{PREFIX}_holds_total{{point="{_label(point)}",side="{side}"}} {times}')
        return "\n".join(lines) + "\n"


def _label(value: str) -> str:
    """A label value escaped as the text format wants (backslash, quote, newline)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class MetricsFile:
    """The file at ``path``, replaced whole by each :meth:`write` (one thread only)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(path.name + ".tmp")
        self.failures = 0
        self._complained_at: float | None = None
        self._failed_since = 0

    def write(self, totals: Totals, now: float) -> bool:
        """Replace the file with ``totals``; False (and a log line, at most hourly on the
        monotonic time ``now``) when it cannot be written."""
        try:
            self._replace(totals.text().encode())
        except OSError as err:
            self.failures += 1
            self._complain(err, now)
            return False
        if self._complained_at is not None:
            log.info("Usage metrics are written to %s again", self.path)
            self._complained_at, self._failed_since = None, 0
        return True

    def _replace(self, data: bytes) -> None:
        fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            os.fchmod(fd, 0o644)  # the umask must not hide it from node_exporter's user
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.replace(self.tmp, self.path)
        except OSError:
            self._discard()
            raise
        self._sync_folder()

    def _discard(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)

    def _sync_folder(self) -> None:
        """The rename on the card too (best effort: the file itself is already synced)."""
        try:
            fd = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)

    def _complain(self, err: OSError, now: float) -> None:
        if self._complained_at is not None and now - self._complained_at < COMPLAIN_EVERY:
            self._failed_since += 1
            return
        since = ""
        if self._failed_since:
            since = f" ({self._failed_since} more failed since the last message)"
        log.error(
            "Usage metrics cannot be written to %s: %s. The usage counts are still recorded; "
            "does the folder exist and may the kiosk's user write it (see the staff guide, "
            '"Counts for many kiosks")?%s',
            self.path,
            err,
            since,
        )
        self._complained_at = now
        self._failed_since = 0
