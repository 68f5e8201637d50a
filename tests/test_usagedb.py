"""Usage counts on disk: the SQLite file, its schema steps, the writer thread and its faults."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes import FakeClock

from kiosk.core.session import Effect, Phase, View, plan_steps
from kiosk.core.tallies import CANCELLED, COMPLETED, HOLD, STARTED, Record
from kiosk.devices import usagedb
from kiosk.devices.usagedb import (
    DB_NAME,
    NoRecorder,
    Recorder,
    UsageStore,
    default_state_dir,
    migrate,
    open_recorder,
    read_records,
)

WALL = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
IDS = ("UB60", "LI4")
STEPS = plan_steps([(30.0, 2), (45.0, 1)])
ROOT = Path(__file__).resolve().parent.parent


def record(session: int = 1, kind: str = STARTED, minutes: float = 0, **more) -> Record:  # type: ignore[no-untyped-def]
    return Record(WALL + timedelta(minutes=minutes), session, kind, **more)


def rows(path: Path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT session, kind, point, side, phase FROM events").fetchall()
    finally:
        db.close()


def started(
    recorder: Recorder | NoRecorder, clock: FakeClock | None = None, step: float = 5
) -> None:
    """One session started and cancelled on the safety screen (``step`` seconds later on
    ``clock``): two records."""
    recorder.note([Effect.SESSION_STARTED], View(Phase.SAFETY))
    if clock is not None:
        clock.advance(step)
    recorder.note([Effect.SESSION_CANCELLED], View(Phase.IDLE))


def settled(recorder: Recorder, count: int, timeout: float = 30.0) -> None:
    """Wait (in real time) until the writer has dealt with ``count`` records."""
    deadline = time.monotonic() + timeout
    while recorder.written + recorder.lost < count:
        assert time.monotonic() < deadline, (recorder.written, recorder.lost)
        time.sleep(0.01)


# -- where ---------------------------------------------------------------------------------


def test_the_state_folder_is_systemds_then_xdgs_then_the_home_folders() -> None:
    home = Path.home()
    assert default_state_dir({"STATE_DIRECTORY": "/var/lib/k:/other"}) == Path("/var/lib/k")
    assert default_state_dir({"XDG_STATE_HOME": "/x/state"}) == Path("/x/state/acupressure-kiosk")
    assert default_state_dir({"XDG_STATE_HOME": "relative"}) == (
        home / ".local/state/acupressure-kiosk"
    )
    assert default_state_dir({}) == home / ".local/state/acupressure-kiosk"


# -- the file and its schema ---------------------------------------------------------------


def test_a_new_file_is_wal_synchronous_full_at_the_latest_version(tmp_path: Path) -> None:
    store = UsageStore(tmp_path / DB_NAME)
    try:
        db = store.db
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA user_version").fetchone()[0] == usagedb.VERSION == 3
    finally:
        store.close()


def test_records_go_in_and_come_back_out_as_they_were(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    written = [
        record(7, STARTED, seconds=0.0),
        record(7, HOLD, 1, point="UB60", side=2, seconds=61.5),
        record(7, CANCELLED, 2, point="LI4", phase="intro", seconds=125.0),
    ]
    store = UsageStore(path)
    for one in written:
        store.add(one)
    store.close()
    assert read_records(path) == written
    assert UsageStore(path).last_session == 7


def test_a_version_2_file_reads_as_it_is_and_gains_the_language(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    db = sqlite3.connect(path, isolation_level=None)
    usagedb.MIGRATIONS[0](db)
    usagedb.MIGRATIONS[1](db)
    db.execute("PRAGMA user_version = 2")
    db.execute(
        "INSERT INTO events (at, session, kind, seconds) VALUES "
        "('2026-12-03T10:00:00.000Z', 4, 'started', 0.0)"
    )
    db.close()
    (old,) = read_records(path)  # a version 2 file reads as it is, with no language
    assert (old.kind, old.seconds, old.language) == (STARTED, 0.0, None)
    store = UsageStore(path)
    store.add(record(5, STARTED, seconds=0.0, language="es"))
    store.close()
    assert [(r.session, r.language) for r in read_records(path)] == [(4, None), (5, "es")]
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 3


def test_each_schema_step_from_version_0(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    assert migrate(db) == 0
    assert db.execute("PRAGMA user_version").fetchone()[0] == 3
    columns = [row[1] for row in db.execute("PRAGMA table_info(events)")]
    expected = ["id", "at", "session", "kind", "point", "side", "phase", "seconds", "language"]
    assert columns == expected
    assert migrate(db) == 3  # already there: nothing to do
    db.close()


def test_a_version_1_file_keeps_its_rows_and_gains_what_version_2_adds(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    db = sqlite3.connect(path, isolation_level=None)
    usagedb.MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO events (at, session, kind) VALUES "
        "('2026-12-03T10:00:00.000Z', 4, 'started'), ('2026-12-03T10:07:00.000Z', 4, 'completed')"
    )
    db.close()
    old = read_records(path)  # a version 1 file reads as it is
    assert [(r.kind, r.seconds) for r in old] == [(STARTED, None), (COMPLETED, None)]
    store = UsageStore(path)
    store.add(record(5, STARTED, seconds=0.0))
    store.close()
    assert rows(path) == [
        (4, "started", None, None, None),
        (4, "completed", None, None, None),
        (5, "started", None, None, None),
    ]
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 3


def test_a_file_from_a_newer_kiosk_is_left_alone(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / DB_NAME
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    recorder = Recorder(path, IDS, STEPS)
    started(recorder)
    recorder.close()
    assert recorder.written == 0 and recorder.lost == 2
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 99
    assert not list(tmp_path.glob("*.corrupt-*"))
    assert len([r for r in caplog.records if "newer kiosk" in r.message]) == 1


# -- the writer thread -----------------------------------------------------------------------


def test_the_recorder_numbers_sessions_on_from_the_files_highest(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    for _ in range(2):  # the kiosk started twice
        recorder = Recorder(path, IDS, STEPS, wall=lambda: WALL.timestamp())
        started(recorder)
        started(recorder)
        recorder.close()
    sessions = [r.session for r in read_records(path) if r.kind == STARTED]
    assert sessions == [1, 2, 3, 4]
    assert read_records(path)[0].at == WALL


def test_note_only_puts_on_a_queue_and_a_full_queue_drops_with_one_line(
    tmp_path: Path, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    gate = __import__("threading").Event()
    monkeypatch.setattr(usagedb, "QUEUE_SIZE", 3)
    real_add = UsageStore.add

    def slow_add(self, one):  # type: ignore[no-untyped-def]
        gate.wait(10)  # a stalled SD card
        real_add(self, one)

    monkeypatch.setattr(UsageStore, "add", slow_add)
    recorder = Recorder(tmp_path / DB_NAME, IDS, STEPS)
    begun = time.monotonic()
    for _ in range(10):
        started(recorder)  # 20 records: 1 being written, 3 waiting, the rest dropped
    assert time.monotonic() - begun < 0.5  # the loop never waited for the card
    assert recorder.lost >= 20 - 4
    assert len([r for r in caplog.records if "not being written fast" in r.message]) == 1
    gate.set()
    recorder.close()
    assert recorder.written + recorder.lost == 20
    assert len(rows(tmp_path / DB_NAME)) == recorder.written


def test_close_is_bounded_when_the_card_is_stuck(tmp_path: Path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    gate = __import__("threading").Event()
    monkeypatch.setattr(UsageStore, "add", lambda self, one: gate.wait(10))
    recorder = Recorder(tmp_path / DB_NAME, IDS, STEPS)
    started(recorder)
    begun = time.monotonic()
    recorder.close(timeout=0.3)
    assert time.monotonic() - begun < 1.0
    assert any("not written within" in r.message for r in caplog.records)
    gate.set()


def test_close_writes_everything_queued(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / DB_NAME, IDS, STEPS)
    for _ in range(50):
        started(recorder)
    recorder.close()
    assert len(rows(tmp_path / DB_NAME)) == 100


# -- faults ------------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from kiosk.core.tallies import Record
    from kiosk.devices.usagedb import UsageStore

    store = UsageStore(Path(sys.argv[1]))
    for n in range(1, 1_000_000):
        store.add(Record(datetime.now(UTC), n, "started", seconds=0.0))
        print(n, flush=True)
    """
)


def test_kill_9_mid_stream_loses_no_committed_record(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdout is not None
    for line in child.stdout:
        if int(line) >= 40:
            break
    child.send_signal(signal.SIGKILL)
    committed = [int(line) for line in child.stdout.read().split()]  # printed before the kill
    child.wait()
    assert child.returncode == -signal.SIGKILL
    last = committed[-1] if committed else int(line)
    found = [r.session for r in read_records(path)]
    # every commit the child saw return is there; at most the one it had no time to print more
    assert found[:last] == list(range(1, last + 1))
    assert last <= len(found) <= last + 1
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize(
    "damage",
    ["garbage", "mangled pages", "a folder in its place"],
)
def test_a_bad_file_is_moved_aside_logged_once_and_a_new_one_started(
    tmp_path: Path, damage: str, caplog
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / DB_NAME
    if damage == "garbage":
        path.write_bytes(os.urandom(3000))
        Path(f"{path}-wal").write_bytes(os.urandom(500))
    elif damage == "mangled pages":
        store = UsageStore(path)
        for n in range(300):
            store.add(record(n, STARTED, point="x" * 200))
        store.close()
        data = bytearray(path.read_bytes())
        data[4096 : len(data) - 4096] = os.urandom(len(data) - 8192)  # keep the header
        path.write_bytes(bytes(data))
    else:
        path.mkdir()
    wall = datetime(2026, 12, 3, 10, 4, 5, tzinfo=UTC).timestamp()
    recorder = Recorder(path, IDS, STEPS, wall=lambda: wall)
    started(recorder)
    recorder.close()
    aside = tmp_path / f"{DB_NAME}.corrupt-20261203T100405Z"
    assert aside.exists(), sorted(tmp_path.iterdir())
    assert [r[:2] for r in rows(path)] == [(1, "started"), (1, "cancelled")]
    assert len([r for r in caplog.records if "moved it to" in r.message]) == 1


def test_a_full_disk_keeps_going_and_logs_once_then_at_most_hourly(
    tmp_path: Path, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    configure = usagedb._configure
    full = {"on": False}

    def small_card(db: sqlite3.Connection) -> None:
        configure(db)
        if full["on"]:  # SQLite's own "database or disk is full", for real
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            db.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(usagedb, "_configure", small_card)
    caplog.set_level(logging.INFO)
    full["on"] = True
    clock = FakeClock()
    recorder = Recorder(tmp_path / DB_NAME, IDS, STEPS, clock=clock)
    for _ in range(30):  # 60 records, 5 s apart: every press fails
        started(recorder, clock)
    recorder.close(timeout=30)
    complaints = [r for r in caplog.records if "cannot be written" in r.message]
    assert recorder.written == 0 and recorder.lost == 60
    assert len(complaints) == 1, [r.message for r in complaints]
    assert "full" in complaints[0].message

    caplog.clear()
    monkeypatch.setattr(usagedb, "QUEUE_SIZE", 10_000)
    recorder = Recorder(tmp_path / DB_NAME, IDS, STEPS, clock=clock)
    for _ in range(500):  # 5000 s of failing presses: a line at the start and after an hour
        started(recorder, clock, step=10)
    settled(recorder, 1000)
    full["on"] = False
    recorder._store = None  # the card has room again: the next write opens it afresh
    started(recorder, clock)
    recorder.close(timeout=30)
    complaints = [r for r in caplog.records if "cannot be written" in r.message]
    assert len(complaints) == 2
    assert "more lost since the last message" in complaints[1].message
    assert any("written again" in r.message for r in caplog.records)
    assert recorder.written == 2


def test_a_read_only_disk_keeps_going_and_logs_once(tmp_path: Path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    def read_only(self, one):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(UsageStore, "add", read_only)
    recorder = Recorder(tmp_path / DB_NAME, IDS, STEPS, clock=FakeClock())
    for _ in range(20):
        started(recorder)
    recorder.close()
    assert recorder.lost == 40
    complaints = [r for r in caplog.records if "cannot be written" in r.message]
    assert len(complaints) == 1 and "readonly" in complaints[0].message


def test_no_writable_state_folder_records_nothing_and_logs_once(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    recorder = open_recorder(blocker / "state", IDS, STEPS)
    assert isinstance(recorder, NoRecorder)
    for _ in range(5):
        started(recorder)
    recorder.close()
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
    assert isinstance(open_recorder(None, IDS, STEPS), NoRecorder)


def test_open_recorder_makes_the_folder(tmp_path: Path) -> None:
    recorder = open_recorder(tmp_path / "a" / "b", IDS, STEPS)
    assert isinstance(recorder, Recorder)
    started(recorder)
    recorder.close()
    assert len(rows(tmp_path / "a" / "b" / DB_NAME)) == 2


def test_reading_while_the_kiosk_writes_and_reading_nothing(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    assert read_records(path) == []
    assert not path.exists()  # reading makes no file
    store = UsageStore(path)
    store.add(record(1))
    assert len(read_records(path)) == 1  # the writer still has it open, in WAL mode
    store.add(record(2))
    assert len(read_records(path)) == 2
    store.close()
