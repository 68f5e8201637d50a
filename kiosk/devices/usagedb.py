"""Usage counts on disk: one SQLite file, written by a thread of its own, safe on power loss.

The main loop hands every session effect to :meth:`Recorder.note`; the pure
:class:`~kiosk.core.tallies.Tracker` turns them into :class:`~kiosk.core.tallies.Record` s,
which go on a bounded queue (a full queue drops the record, with one log line). The writer
thread takes them off and commits each one in a short transaction of its own, so a press
never waits for the SD card.

The file (:data:`DB_NAME` in the state folder) is in WAL mode with ``synchronous=FULL``: a
commit is on the card when it returns, so neither a kill -9 nor a power cut loses a
committed record (``NORMAL`` may lose the last commits on power loss; see
/work/shared/PLATFORM-NOTES.md, "Counting on an SD card"). ``PRAGMA user_version`` holds the
schema version; :data:`MIGRATIONS` has one function per step, so an old file is brought up
to date when it is opened.

A file that is not a database, is damaged or cannot be opened is moved aside
(``usage.sqlite3.corrupt-<UTC time>``, with its -wal and -shm files), logged once, and a new
one started. A full or read-only disk, or any other write error, drops that record and keeps
the kiosk running: logged once, then at most once an hour (:data:`COMPLAIN_EVERY`) with how
many records were lost meanwhile.

:func:`read_records` reads the file read-only for ``acupressure-kiosk stats``, also while
the kiosk writes it.

With a metrics file (``usage.metrics_file``) the writer thread also keeps the totals, read
from the file each time it opens it, and rewrites them as Prometheus counters after every
commit (:mod:`kiosk.devices.metricsfile`); that file failing never stops the recording.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from kiosk.core.session import Effect, View
from kiosk.core.tallies import Record, Tracker
from kiosk.devices.metricsfile import MetricsFile, Totals

log = logging.getLogger(__name__)

#: The database's file name in the state folder.
DB_NAME = "usage.sqlite3"
#: The state folder's name under ``$XDG_STATE_HOME`` when systemd does not give one.
APP_NAME = "acupressure-kiosk"
#: Records waiting for the writer; more are dropped (a stalled card must not grow memory).
QUEUE_SIZE = 1000
#: A write error is logged at most once in this many seconds.
COMPLAIN_EVERY = 3600.0
#: How long the loop's shutdown waits for the writer to write what is queued, in seconds.
CLOSE_SECONDS = 2.0
#: SQLite's own wait for a lock held by another connection (a ``stats`` reading), in seconds.
BUSY_SECONDS = 1.0

#: SQLite's primary result codes that mean the file itself is bad.
_BAD_FILE = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_CANTOPEN = 14


def default_state_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the kiosk keeps its state: ``$STATE_DIRECTORY`` when systemd sets it (the
    unit's ``StateDirectory=``, its first entry), else ``$XDG_STATE_HOME/acupressure-kiosk``,
    else ``~/.local/state/acupressure-kiosk``."""
    given = environ.get("STATE_DIRECTORY", "").split(":")[0]
    if given:
        return Path(given)
    xdg = environ.get("XDG_STATE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "state"
    return base / APP_NAME


# -- the schema: one function per version step ----------------------------------------------


def _to_1(db: sqlite3.Connection) -> None:
    """Version 1: one row an event."""
    db.execute(
        "CREATE TABLE events ("
        " id INTEGER PRIMARY KEY,"
        " at TEXT NOT NULL,"  # UTC, ISO 8601 with a Z
        " session INTEGER NOT NULL,"
        " kind TEXT NOT NULL,"  # started, hold, completed, cancelled, abandoned
        " point TEXT,"  # a point's id
        " side INTEGER,"  # 1 or 2 for a point done on both sides
        " phase TEXT)"  # the screen a cancelled or abandoned session stopped on
    )


def _to_2(db: sqlite3.Connection) -> None:
    """Version 2: the time since the session started on the monotonic clock (the Pi's wall
    clock may jump at boot), and an index for reading from a date on."""
    db.execute("ALTER TABLE events ADD COLUMN seconds REAL")
    db.execute("CREATE INDEX events_at ON events (at)")


def _to_3(db: sqlite3.Connection) -> None:
    """Version 3: the language a session started in (a code such as ``es``, on ``started``
    rows; NULL on the rows of older files)."""
    db.execute("ALTER TABLE events ADD COLUMN language TEXT")


#: ``MIGRATIONS[n]`` brings a version ``n`` file to version ``n + 1``.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_to_1, _to_2, _to_3)
VERSION = len(MIGRATIONS)


def migrate(db: sqlite3.Connection) -> int:
    """Bring the file to :data:`VERSION`, one step a transaction; the version it had."""
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found > VERSION:
        raise NewerSchema(f"{found} (this kiosk knows up to {VERSION})")
    for version in range(found, VERSION):
        with db:
            db.execute("BEGIN IMMEDIATE")
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
    return found


class NewerSchema(RuntimeError):
    """The file was written by a newer version of the kiosk: it is left alone."""


class Damaged(sqlite3.DatabaseError):
    """SQLite opens the file but its check finds damage."""


# -- writing -------------------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _configure(db: sqlite3.Connection) -> None:
    """The pragmas of a writing connection (a function of its own so tests can add one)."""
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")


class UsageStore:
    """The open database, written one record a transaction (not thread-safe: one thread).

    Opening checks the file (``PRAGMA quick_check``) and moves a bad one aside; it raises
    :class:`sqlite3.Error` or :class:`OSError` when no file can be opened or made.
    ``wall`` (seconds since the epoch) names a file moved aside.
    """

    def __init__(self, path: Path, wall: Callable[[], float] = time.time) -> None:
        self.path = path
        self.wall = wall
        self.db = self._open()
        row = self.db.execute("SELECT COALESCE(MAX(session), 0) FROM events").fetchone()
        #: The highest session number already in the file.
        self.last_session: int = row[0]

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except NewerSchema:
            raise
        except sqlite3.Error as err:
            if not self.bad_file(err):
                raise
            self.move_aside(err)
            return self._connect()

    def bad_file(self, err: sqlite3.Error) -> bool:
        """Whether ``err`` says the file itself is bad (moved aside, then)."""
        if isinstance(err, Damaged):
            return True
        code = (getattr(err, "sqlite_errorcode", 0) or 0) & 0xFF
        if code in _BAD_FILE:
            return True
        # a file (or anything else) in its place that cannot be opened, in a folder that
        # can be written: it can be moved aside and a new file made
        return code == _CANTOPEN and self.path.exists() and os.access(self.path.parent, os.W_OK)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            ok = db.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise Damaged(f"quick_check: {ok}")
            _configure(db)
            migrate(db)
        except BaseException:
            db.close()
            raise
        return db

    def move_aside(self, why: object) -> Path:
        """Move the file (and its -wal and -shm) to ``usage.sqlite3.corrupt-<UTC time>``."""
        stamp = datetime.fromtimestamp(self.wall(), UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.path}{suffix}")
            if source.exists() or source.is_symlink():
                source.rename(f"{aside}{suffix}")
        log.error(
            "The usage counts file %s could not be read (%s): moved it to %s and started a new one",
            self.path,
            why,
            aside.name,
        )
        return aside

    def add(self, record: Record) -> None:
        """Commit one record; raises :class:`sqlite3.Error` when it cannot be written."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO events (at, session, kind, point, side, phase, seconds, language)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _stamp(record.at),
                    record.session,
                    record.kind,
                    record.point,
                    record.side,
                    record.phase,
                    record.seconds,
                    record.language,
                ),
            )

    def totals(self) -> Totals:
        """Every record in the file counted, for the metrics file."""
        rows = self.db.execute(
            "SELECT kind, point, side, COUNT(*) FROM events GROUP BY kind, point, side"
        ).fetchall()
        return Totals.of(rows)

    def close(self) -> None:
        self.db.close()


class Recorder:
    """Records a session's effects without ever making the main loop wait.

    :param path: the database file (its folder must exist).
    :param point_ids: the routine's point ids, by index; ``steps`` its holds.
    :param clock: the monotonic clock (the loop's); ``wall`` the wall clock (epoch seconds).
    :param metrics_file: a file to write the totals to as Prometheus counters after every
        record committed (:mod:`kiosk.devices.metricsfile`), on the writer thread; None: none.
    """

    def __init__(
        self,
        path: Path,
        point_ids: Iterable[str],
        steps: Iterable,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        metrics_file: Path | None = None,
        languages: Iterable[str] = (),
    ) -> None:
        self.path = path
        self.metrics = MetricsFile(metrics_file) if metrics_file is not None else None
        self._totals: Totals | None = None
        self.tracker = Tracker(tuple(point_ids), tuple(steps), tuple(languages))
        self.clock = clock
        self.wall = wall
        self.written = 0
        self.lost = 0
        self._queue: queue.Queue[tuple[Record, float] | None] = queue.Queue(QUEUE_SIZE)
        self._overflowing = False
        self._store: UsageStore | None = None
        self._base: int | None = None
        self._complained_at: float | None = None
        self._lost_since = 0
        self._gave_up = False
        self._made_at = clock()
        self._thread = threading.Thread(target=self._write_all, name="usage-writer", daemon=True)
        self._thread.start()

    # -- the main loop's side: never blocks -------------------------------------------------

    def use_routine(
        self, point_ids: Iterable[str], steps: Iterable, languages: Iterable[str] = ()
    ) -> None:
        """The routine (and languages) of a reloaded staff file, from the next session on."""
        self.tracker.use_routine(tuple(point_ids), tuple(steps), tuple(languages))

    def note(self, effects: list[Effect], view: View) -> None:
        """The effects the loop just carried out, with ``view`` now on screen."""
        now = self.clock()
        at = datetime.fromtimestamp(self.wall(), UTC) if effects else _NEVER
        for record in self.tracker.note(effects, view, at, now):
            try:
                self._queue.put_nowait((record, now))
                self._overflowing = False
            except queue.Full:
                self.lost += 1
                if not self._overflowing:
                    self._overflowing = True
                    log.warning(
                        "Usage counts are not being written fast enough: %d are waiting, "
                        "so this one and any more are not counted until they are written",
                        QUEUE_SIZE,
                    )

    def close(self, timeout: float = CLOSE_SECONDS) -> None:
        """Write what is queued, within ``timeout`` seconds, and close the file."""
        deadline = time.monotonic() + timeout
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=timeout)
        self._thread.join(max(0.0, deadline - time.monotonic()))
        if self._thread.is_alive():
            log.warning(
                "Usage counts: %d not written within %g s of stopping",
                self._queue.qsize(),
                timeout,
            )

    # -- the writer thread ----------------------------------------------------------------

    def _write_all(self) -> None:
        self._first_open()
        while (item := self._queue.get()) is not None:
            self._write(*item)
        if self._store is not None:
            self._store.close()

    def _first_open(self) -> None:
        """Open the file at start-up, on this thread: a bad file is moved aside and any
        problem logged then, not at the first session."""
        try:
            self._opened()
        except NewerSchema as err:
            self._newer(err)
        except (sqlite3.Error, OSError) as err:
            self._complain(err, self._made_at)
        else:
            log.info("Usage counts are recorded in %s", self.path)
            if self.metrics is not None:
                log.info("Usage metrics are written to %s", self.metrics.path)
            self._publish(self._made_at)

    def _newer(self, err: NewerSchema) -> None:
        self._gave_up = True
        log.error(
            "Usage counts are not recorded: %s was written by a newer kiosk (schema "
            "version %s); it is left as it is",
            self.path,
            err,
        )

    def _write(self, record: Record, noted: float) -> None:
        """Commit ``record``, noted at monotonic time ``noted``."""
        if self._gave_up:
            self.lost += 1
            return
        try:
            store = self._opened()
            numbered = _renumbered(record, self._base or 0)
            try:
                store.add(numbered)
            except sqlite3.DatabaseError as err:
                if not store.bad_file(err):
                    raise
                store.close()
                self._store = None
                store.move_aside(err)
                self._opened().add(numbered)
        except NewerSchema as err:
            self.lost += 1
            self._newer(err)
            return
        except (sqlite3.Error, OSError) as err:
            self.lost += 1
            self._complain(err, noted)
            return
        self.written += 1
        if self._totals is not None:
            self._totals.add(numbered)
        self._publish(noted)
        if self._complained_at is not None:
            log.info("Usage counts are written again (%d lost in all)", self.lost)
            self._complained_at, self._lost_since = None, 0

    def _opened(self) -> UsageStore:
        if self._store is None:
            store = UsageStore(self.path, self.wall)
            try:
                self._totals = store.totals() if self.metrics is not None else None
            except BaseException:
                store.close()
                raise
            self._store = store
            if self._base is None:
                self._base = store.last_session
        return self._store

    def _publish(self, now: float) -> None:
        """Rewrite the metrics file with the totals (a failure is logged by it and changes
        nothing else)."""
        if self.metrics is not None and self._totals is not None:
            self.metrics.write(self._totals, now)

    def _complain(self, err: Exception, now: float) -> None:
        """Log a write error once, then at most once every COMPLAIN_EVERY seconds (on the
        loop's clock, at the time the record was noted)."""
        if self._complained_at is not None and now - self._complained_at < COMPLAIN_EVERY:
            self._lost_since += 1
            return
        since = ""
        if self._lost_since:
            since = f" ({self._lost_since} more lost since the last message)"
        log.error(
            "Usage counts cannot be written to %s: %s. The kiosk carries on without them; "
            "is the SD card full or read-only?%s",
            self.path,
            err,
            since,
        )
        self._complained_at = now
        self._lost_since = 0


_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _renumbered(record: Record, base: int) -> Record:
    return replace(record, session=record.session + base)


class NoRecorder:
    """Records nothing: the kiosk without a state folder it can write."""

    written = lost = 0

    def use_routine(
        self, point_ids: Iterable[str], steps: Iterable, languages: Iterable[str] = ()
    ) -> None:
        pass

    def note(self, effects: list[Effect], view: View) -> None:
        pass

    def close(self, timeout: float = CLOSE_SECONDS) -> None:
        pass


def open_recorder(
    state_dir: Path | None,
    point_ids: Iterable[str],
    steps: Iterable,
    clock: Callable[[], float] = time.monotonic,
    wall: Callable[[], float] = time.time,
    metrics_file: Path | None = None,
    languages: Iterable[str] = (),
) -> Recorder | NoRecorder:
    """A recorder writing ``state_dir/usage.sqlite3``, the folder made if need be, and the
    totals to ``metrics_file`` (None: none); with no folder (None) or one that cannot be
    made or written, a :class:`NoRecorder` and one log line."""
    if state_dir is None:
        return NoRecorder()
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        if not os.access(state_dir, os.W_OK | os.X_OK):
            raise PermissionError(f"{state_dir} is not writable")
    except OSError as err:
        log.warning("Usage counts are not recorded: no state folder to write them in (%s)", err)
        return NoRecorder()
    return Recorder(state_dir / DB_NAME, point_ids, steps, clock, wall, metrics_file, languages)


# -- reading ---------------------------------------------------------------------------------


def read_records(path: Path) -> list[Record]:
    """Every record in ``path``, opened read-only (the kiosk may be writing it); an empty
    list when there is no file. Raises :class:`sqlite3.Error` when it cannot be read."""
    if not path.exists():
        return []
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            return []
        seconds = "seconds" if version >= 2 else "NULL"
        language = "language" if version >= 3 else "NULL"
        rows = db.execute(
            f"SELECT at, session, kind, point, side, phase, {seconds}, {language}"
            " FROM events ORDER BY id"
        ).fetchall()
    finally:
        db.close()
    return [
        Record(datetime.fromisoformat(at), session, kind, point, side, phase, secs, code)
        for at, session, kind, point, side, phase, secs, code in rows
    ]
