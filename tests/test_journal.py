"""Log lines reach systemd's journal at their own priority, and only when stderr is the journal.

Without systemd, a real file stands in for the journal's stream: its device and inode numbers
go into ``JOURNAL_STREAM``, as systemd does for a service's stderr (systemd.exec(5)).
"""

from __future__ import annotations

import io
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from kiosk.devices import journal

ROOT = Path(__file__).resolve().parent.parent
BROKEN = "timing:\n  inactivity_secnds: 100\nhardware:\n  button_pin: 99\n"


def stream_id(stream: IO[str] | IO[bytes]) -> str:
    """What systemd puts in ``JOURNAL_STREAM`` for this stream."""
    stat = os.fstat(stream.fileno())
    return f"{stat.st_dev}:{stat.st_ino}"


def record(level: int, message: str, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("kiosk.app", level, __file__, 1, message, (), exc_info)  # type: ignore[arg-type]


# -- the formatter -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "priority"),
    [
        (logging.CRITICAL, 2),
        (logging.ERROR, 3),
        (logging.WARNING, 4),
        (logging.INFO, 6),
        (logging.DEBUG, 7),
        (logging.CRITICAL + 5, 2),
        (logging.ERROR + 5, 3),
        (logging.INFO + 5, 6),
        (logging.DEBUG - 5, 7),
    ],
)
def test_each_level_has_its_syslog_priority(level: int, priority: int) -> None:
    assert journal.syslog_priority(level) == priority


def test_a_line_keeps_level_name_and_module_after_the_priority() -> None:
    formatter = journal.JournalFormatter("%(levelname)s %(name)s: %(message)s")
    assert formatter.format(record(logging.WARNING, "no LED")) == "<4>WARNING kiosk.app: no LED"
    assert formatter.format(record(logging.ERROR, "boom")) == "<3>ERROR kiosk.app: boom"


def test_every_line_of_a_traceback_keeps_the_priority() -> None:
    """journald makes a record of every line and reads the prefix of each line on its own."""
    try:
        raise ValueError("drawing failed\nsecond line of the reason")
    except ValueError:
        failed = record(logging.ERROR, "Drawing error", sys.exc_info())
    text = journal.JournalFormatter("%(levelname)s %(name)s: %(message)s").format(failed)
    lines = text.split("\n")
    assert len(lines) > 4
    assert lines[0] == "<3>ERROR kiosk.app: Drawing error"
    assert "<3>Traceback (most recent call last):" in lines
    assert "<3>ValueError: drawing failed" in lines
    assert lines[-1] == "<3>second line of the reason"
    assert all(line.startswith("<3>") for line in lines)


# -- is stderr the journal? ----------------------------------------------------------------


def test_a_stream_is_the_journal_when_its_device_and_inode_are_in_journal_stream(
    tmp_path: Path,
) -> None:
    with open(tmp_path / "journal", "w") as stream, open(tmp_path / "other", "w") as other:
        env = {"JOURNAL_STREAM": stream_id(stream)}
        assert journal.is_journal(stream, env)
        assert not journal.is_journal(other, env)  # a child's stderr sent elsewhere
        assert not journal.is_journal(stream, {})
        for garbage in ("", "1", "x:y", "1:2:3", f"{stream_id(stream)}0"):
            assert not journal.is_journal(stream, {"JOURNAL_STREAM": garbage}), garbage
    assert not journal.is_journal(io.StringIO(), env)  # no file descriptor at all
    assert not journal.is_journal(stream, env)  # closed


def test_the_formatter_is_chosen_by_the_stream(tmp_path: Path) -> None:
    fmt = "%(levelname)s %(name)s: %(message)s"
    with open(tmp_path / "journal", "w") as stream:
        env = {"JOURNAL_STREAM": stream_id(stream)}
        assert isinstance(journal.formatter_for(stream, fmt, env), journal.JournalFormatter)
        plain = journal.formatter_for(stream, fmt, {})
        assert not isinstance(plain, journal.JournalFormatter)
        assert plain.format(record(logging.ERROR, "boom")) == "ERROR kiosk.app: boom"


# -- the real program ----------------------------------------------------------------------


def run_kiosk_into(
    log: Path, args: list[str], journal_stream: Callable[[IO[str]], str] | None, env: dict
) -> subprocess.Popen[str]:
    """Start ``python -m kiosk ARGS`` with stdout and stderr in ``log`` (one stream, as
    systemd gives a service), and ``JOURNAL_STREAM`` naming it when ``journal_stream``."""
    env = dict(env)
    env.pop("JOURNAL_STREAM", None)
    with open(log, "w") as out:
        if journal_stream is not None:
            env["JOURNAL_STREAM"] = journal_stream(out)
        return subprocess.Popen(
            [sys.executable, "-m", "kiosk", *args],
            stdout=out,
            stderr=out,
            env=env,
            cwd=ROOT,
            text=True,
        )


def test_check_marks_its_error_lines_for_the_journal(tmp_path: Path, kiosk_env) -> None:  # type: ignore[no-untyped-def]
    staff = tmp_path / "config.yaml"
    staff.write_text(BROKEN)
    log = tmp_path / "journal"
    args = ["check", "--config", str(staff)]
    assert run_kiosk_into(log, args, stream_id, kiosk_env()).wait(timeout=60) == 1
    assert log.read_text().splitlines() == [
        f"<6>Checking {staff}",
        f"<3>{staff}:2:3: timing.inactivity_secnds: `inactivity_secnds` is not a known key; "
        "did you mean `inactivity_seconds`?",
        f"<3>{staff}:4:3: hardware.button_pin: expected a GPIO number (BCM 0 to 27), "
        "got the number 99",
        "<3>2 error(s), 0 warning(s).",
    ]
    assert run_kiosk_into(log, args, None, kiosk_env()).wait(timeout=60) == 1
    text = log.read_text()
    assert text.startswith(f"Checking {staff}\n{staff}:2:3: timing.inactivity_secnds:")
    assert not re.search(r"^<\d>", text, re.M), text


def test_check_output_elsewhere_than_the_journal_has_no_priorities(tmp_path: Path) -> None:
    """A child process inherits JOURNAL_STREAM but writes to a pipe: no prefixes there."""
    staff = tmp_path / "config.yaml"
    staff.write_text(BROKEN)
    with open(tmp_path / "journal", "w") as stream:
        env = dict(os.environ, SDL_VIDEODRIVER="dummy", JOURNAL_STREAM=stream_id(stream))
        result = subprocess.run(
            [sys.executable, "-m", "kiosk", "check", "--config", str(staff)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stdout.startswith(f"{staff}:2:3:")
    assert result.stderr.splitlines() == [f"Checking {staff}", "2 error(s), 0 warning(s)."]


def test_the_running_kiosk_logs_errors_warnings_and_info_at_their_priority(
    tmp_path: Path, kiosk_env
) -> None:  # type: ignore[no-untyped-def]
    """What the service does: a broken staff file, the log in the journal, SIGTERM."""
    staff = tmp_path / "config.yaml"
    staff.write_text(BROKEN + "  led_pin: 5\n")
    log = tmp_path / "journal"
    args = ["--config", str(staff), "--windowed", "--size", "800x480"]
    proc = run_kiosk_into(log, args, stream_id, kiosk_env())
    try:
        deadline = time.monotonic() + 30
        while "Kiosk ready" not in log.read_text() and proc.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
    lines = log.read_text().splitlines()
    assert lines, "nothing logged"
    assert all(line[:3] in ("<3>", "<4>", "<6>") for line in lines), lines
    assert f"<3>ERROR kiosk: Config error: {staff}:2:3: timing.inactivity_secnds:" in lines[0]
    assert any(line.startswith("<3>ERROR kiosk: Using the built-in content") for line in lines)
    assert any(line.startswith("<6>INFO ") and "Kiosk ready" in line for line in lines)
    assert "Traceback" not in "".join(lines)
