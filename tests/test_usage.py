"""Usage counts end to end: whole sessions through the main loop into the database, and the
``stats`` command that reads it."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_app import short_config

from kiosk.commands import cli
from kiosk.content.settings import Usage
from kiosk.core.tallies import ABANDONED, CANCELLED, COMPLETED, HOLD, STARTED, Record
from kiosk.devices.usagedb import DB_NAME, UsageStore, read_records

ROOT = Path(__file__).resolve().parent.parent


def kinds(state: Path) -> list[tuple]:
    return [(r.session, r.kind, r.point, r.side, r.phase) for r in read_records(state / DB_NAME)]


def test_sessions_through_the_kiosk_end_as_rows_in_the_database(make_kiosk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state"
    kiosk = make_kiosk(short_config(hold=10.0, sides=2), state_dir=state)
    ids = [p.id for p in kiosk.config.content.points]
    timing = kiosk.config.timing
    t0 = kiosk.clock.now
    # 1: the whole routine
    for offset in (1, 2, 3):  # safety, intro, hold 1 (first point, side 1)
        kiosk.press_at(t0 + offset)
    kiosk.press_at(t0 + 14)  # the other side
    kiosk.press_at(t0 + 25)  # the next point
    kiosk.press_at(t0 + 26)  # its hold, the last: the summary at t0 + 36
    kiosk.press_at(t0 + 40)  # back to the start
    # 2: stopped by a long press on the second point's intro: going down, the press starts
    # the hold (as any press does), so the session stops on that hold
    for offset in (50, 51, 52, 63, 74):  # both sides of the first point, the next intro
        kiosk.press_at(t0 + offset)
    kiosk.press_at(t0 + 75, duration=timing.long_press_seconds + 0.5)
    # 3: walked away on the safety screen
    kiosk.press_at(t0 + 90)
    end = t0 + 90 + timing.inactivity_seconds + timing.warning_seconds + 1
    kiosk.run_until(end)  # its end closes the recorder: everything queued is written
    assert kinds(state) == [
        (1, STARTED, None, None, None),
        (1, HOLD, ids[0], 1, None),
        (1, HOLD, ids[0], 2, None),
        (1, HOLD, ids[1], None, None),
        (1, COMPLETED, None, None, None),
        (2, STARTED, None, None, None),
        (2, HOLD, ids[0], 1, None),
        (2, HOLD, ids[0], 2, None),
        (2, CANCELLED, ids[1], None, "hold"),
        (3, STARTED, None, None, None),
        (3, ABANDONED, None, None, "safety"),
    ]
    records = read_records(state / DB_NAME)
    assert records[4].seconds == pytest.approx(39)  # a press at t0 + 1, the end at t0 + 40
    assert all(abs(r.at - datetime.now(UTC)) < timedelta(minutes=5) for r in records)


def test_usage_metrics_file_set_the_kiosk_writes_the_counters_there(make_kiosk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    prom = tmp_path / "textfile" / "acupressure_kiosk.prom"
    prom.parent.mkdir()
    config = dataclasses.replace(short_config(), usage=Usage(metrics_file=str(prom)))
    kiosk = make_kiosk(config, state_dir=tmp_path / "state")
    t0 = kiosk.clock.now
    kiosk.press_at(t0 + 1)  # a session started on the safety screen
    kiosk.press_at(t0 + 2, duration=kiosk.config.timing.long_press_seconds + 0.5)  # stopped
    kiosk.run_until(t0 + 10)  # its end closes the recorder
    text = prom.read_text()
    assert "acupressure_kiosk_sessions_started_total 1\n" in text
    assert 'acupressure_kiosk_sessions_total{outcome="cancelled"} 1\n' in text


def test_the_loops_end_writes_what_is_still_queued(make_kiosk, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real_add = UsageStore.add

    def slow_card(self, one):  # type: ignore[no-untyped-def]
        time.sleep(0.15)
        real_add(self, one)

    monkeypatch.setattr(UsageStore, "add", slow_card)
    state = tmp_path / "state"
    kiosk = make_kiosk(short_config(), state_dir=state)
    t0 = kiosk.clock.now
    for start in (1, 10):  # two sessions, each started and stopped: 4 records
        kiosk.press_at(t0 + start)
        kiosk.press_at(t0 + start + 1, duration=4.0)
    kiosk.run_until(t0 + 20)  # over in less than the 0.6 s the card needs
    assert len(read_records(state / DB_NAME)) == 4


def test_a_restarted_kiosk_numbers_sessions_on(make_kiosk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state"
    for _ in range(2):
        kiosk = make_kiosk(short_config(), state_dir=state)
        t0 = kiosk.clock.now
        kiosk.press_at(t0 + 1)
        kiosk.press_at(t0 + 2, duration=4.0)
        kiosk.run_until(t0 + 10)
    assert [(s, k) for s, k, *_ in kinds(state)] == [
        (1, STARTED),
        (1, CANCELLED),
        (2, STARTED),
        (2, CANCELLED),
    ]


def test_a_full_disk_does_not_stop_a_session(make_kiosk, tmp_path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    def full(self, one):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(UsageStore, "add", full)
    kiosk = make_kiosk(short_config(hold=5.0), state_dir=tmp_path / "state")
    t0 = kiosk.clock.now
    for offset in (1, 2, 3, 9, 10):  # both holds, to the summary
        kiosk.press_at(t0 + offset)
    kiosk.run_until(t0 + 20)
    assert kiosk.app.session.phase.value == "summary"
    assert kiosk.app.stats.frames > 5
    assert len([r for r in caplog.records if "cannot be written" in r.message]) == 1


def test_no_writable_state_folder_the_kiosk_runs_and_says_so_once(
    make_kiosk, tmp_path, caplog
) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    kiosk = make_kiosk(short_config(), state_dir=blocker / "state")
    t0 = kiosk.clock.now
    for offset in (1, 2, 3):
        kiosk.press_at(t0 + offset)
    kiosk.run_until(t0 + 20)
    assert kiosk.app.session.phase.value == "done"  # the first hold ran its course
    lines = [r for r in caplog.records if "Usage counts" in r.message]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING


def test_without_a_state_folder_nothing_is_written(make_kiosk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(short_config())
    kiosk.press_at(kiosk.clock.now + 1)
    kiosk.run_until(kiosk.clock.now + 5)
    assert kiosk.app.recorder.written == 0
    assert not list(tmp_path.rglob(DB_NAME))


# -- the stats command ------------------------------------------------------------------------

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # ISO week 2026-W49


def stored(state: Path) -> Path:
    """Four sessions over two weeks: 2 completed (6 and 10 min), 1 cancelled, 1 abandoned."""
    state.mkdir(parents=True, exist_ok=True)
    store = UsageStore(state / DB_NAME)

    def add(minutes: float, session: int, kind: str, **more) -> None:  # type: ignore[no-untyped-def]
        store.add(Record(MONDAY + timedelta(minutes=minutes), session, kind, **more))

    add(0, 1, STARTED, seconds=0.0)
    add(2, 1, HOLD, point="UB60", side=1)
    add(3, 1, HOLD, point="LI4")
    add(6, 1, COMPLETED, seconds=360.0)
    add(60, 2, STARTED, seconds=0.0)
    add(62, 2, HOLD, point="UB60", side=1)
    add(70, 2, COMPLETED, seconds=600.0)
    add(24 * 60, 3, STARTED, seconds=0.0)  # Tuesday
    add(24 * 60 + 1, 3, CANCELLED, phase="safety", seconds=60.0)
    add(7 * 24 * 60, 4, STARTED, seconds=0.0)  # the next Monday
    add(7 * 24 * 60 + 3, 4, ABANDONED, point="UB60", phase="intro", seconds=180.0)
    store.close()
    return state


def test_stats_prints_a_row_a_week(tmp_path, capsys, utc) -> None:  # type: ignore[no-untyped-def]
    state = stored(tmp_path / "state")
    assert cli.main(["stats", "--state-dir", str(state)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == [
        "week",
        "started",
        "completed",
        "cancelled",
        "abandoned",
        "median",
        "min",
        "UB60",
        "LI4",
    ]
    assert lines[1].split() == ["2026-W49", "3", "2", "1", "0", "8.0", "2", "1"]
    assert lines[2].split() == ["2026-W50", "1", "0", "0", "1", "-", "0", "0"]
    assert "the median length of the completed sessions" in out


def test_stats_csv_is_a_row_a_day(tmp_path, capsys, utc) -> None:  # type: ignore[no-untyped-def]
    state = stored(tmp_path / "state")
    assert cli.main(["--state-dir", str(state), "stats", "--csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "date,started,completed,cancelled,abandoned,median_minutes,reach_UB60,reach_LI4",
        "2026-11-30,2,2,0,0,8.0,2,1",
        "2026-12-01,1,0,1,0,,0,0",
        "2026-12-07,1,0,0,1,,0,0",
    ]


def test_stats_since_a_day(tmp_path, capsys, utc) -> None:  # type: ignore[no-untyped-def]
    state = stored(tmp_path / "state")
    assert cli.main(["stats", "--csv", "--since", "2026-12-01", "--state-dir", str(state)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in out] == ["date", "2026-12-01", "2026-12-07"]
    assert cli.main(["stats", "--since", "2027-01-01", "--state-dir", str(state)]) == 0
    assert capsys.readouterr().out.startswith("No sessions recorded since 2027-01-01")


@pytest.mark.parametrize("made", ["missing", "empty"])
def test_stats_with_nothing_recorded_says_so_in_one_line(tmp_path, capsys, made: str) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state"
    if made == "empty":
        state.mkdir()
        UsageStore(state / DB_NAME).close()
    assert cli.main(["stats", "--state-dir", str(state)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("No sessions recorded")
    assert (state / DB_NAME).exists() is (made == "empty")  # reading made no file


def test_stats_reads_while_the_kiosk_holds_the_file_open(tmp_path, kiosk_env) -> None:  # type: ignore[no-untyped-def]
    state = stored(tmp_path / "state")
    writer = UsageStore(state / DB_NAME)  # the kiosk, writing
    writer.add(Record(MONDAY + timedelta(days=8), 5, STARTED, seconds=0.0))
    before = (state / DB_NAME).stat().st_mtime_ns
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "stats", "--csv", "--state-dir", str(state)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=kiosk_env(TZ="UTC"),
    )
    writer.close()
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("2026-12-08,1,")
    assert (state / DB_NAME).stat().st_mtime_ns >= before


def test_stats_on_a_damaged_file_says_so_and_fails(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state"
    state.mkdir()
    (state / DB_NAME).write_bytes(b"not a database at all" * 100)
    assert cli.main(["stats", "--state-dir", str(state)]) == 1
    assert "Cannot read the usage counts" in capsys.readouterr().err
    assert (state / DB_NAME).read_bytes().startswith(b"not a database")  # left as it was


def test_state_dir_is_only_for_run_and_stats(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as stop:
        cli.parse_args(["--state-dir", "/x", "check"])
    assert stop.value.code == 2
    assert "--state_dir works only with run and stats" in capsys.readouterr().err
    for argv in (["--state-dir", "/x"], ["run", "--state-dir", "/x"], ["--state-dir", "/x", "run"]):
        assert cli.parse_args(argv).state_dir == Path("/x"), argv
    assert cli.parse_args(["stats", "--state-dir", "/x"]).state_dir == Path("/x")
    assert cli.parse_args(["run"]).state_dir is None


def test_stats_without_a_folder_reads_the_installed_kiosks(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from kiosk.commands.stats import pick_state_dir

    installed = tmp_path / "var-lib"
    installed.mkdir()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert pick_state_dir(None, installed) == tmp_path / "xdg" / "acupressure-kiosk"
    UsageStore(installed / DB_NAME).close()
    assert pick_state_dir(None, installed) == installed
    assert pick_state_dir(tmp_path / "mine", installed) == tmp_path / "mine"
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "service"))
    assert pick_state_dir(None, installed) == tmp_path / "service"


def stored_in_languages(state: Path) -> Path:
    """Three sessions on one Monday: two in Spanish (one completed), one in English, and one
    from a file written before languages were counted (no language)."""
    state.mkdir(parents=True, exist_ok=True)
    store = UsageStore(state / DB_NAME)
    for session, language in ((1, "es"), (2, "en"), (3, "es"), (4, None)):
        at = MONDAY + timedelta(minutes=10 * session)
        store.add(Record(at, session, STARTED, seconds=0.0, language=language))
    store.add(Record(MONDAY + timedelta(minutes=15), 1, COMPLETED, seconds=300.0))
    store.close()
    return state


def test_stats_counts_the_sessions_in_each_language(tmp_path, capsys, utc) -> None:  # type: ignore[no-untyped-def]
    state = stored_in_languages(tmp_path / "state")
    assert cli.main(["stats", "--state-dir", str(state)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[-4:] == ["in", "es", "in", "en"]
    assert lines[1].split() == ["2026-W49", "4", "1", "0", "0", "5.0", "2", "1"]
    assert "the sessions started in that language" in out
    assert cli.main(["stats", "--state-dir", str(state), "--csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "date,started,completed,cancelled,abandoned,median_minutes,started_es,started_en",
        "2026-11-30,4,1,0,0,5.0,2,1",
    ]
