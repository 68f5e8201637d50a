"""Is the system clock set (kiosk.devices.clocksync): each way of asking against fakes."""

from __future__ import annotations

import stat
from pathlib import Path

from kiosk.devices.clocksync import ClockSync, adjtimex, flag_file, timedatectl


def program(folder: Path, name: str, script: str) -> str:
    path = folder / name
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_the_timesyncd_flag_file_says_yes_or_cannot_tell(tmp_path: Path) -> None:
    flag = tmp_path / "synchronized"
    assert flag_file(flag)() is None
    flag.touch()
    assert flag_file(flag)() is True


def test_timedatectl_answers_yes_no_or_cannot_tell(tmp_path: Path) -> None:
    args = tmp_path / "args"
    yes = program(tmp_path, "yes", f'echo "$@" > {args}; echo yes')
    assert timedatectl(yes)() is True
    assert args.read_text().split() == ["show", "-p", "NTPSynchronized", "--value"]
    assert timedatectl(program(tmp_path, "no", "echo no"))() is False
    assert timedatectl(program(tmp_path, "odd", "echo maybe"))() is None
    assert timedatectl(program(tmp_path, "fails", "echo yes; exit 1"))() is None
    assert timedatectl(str(tmp_path / "missing"))() is None
    assert timedatectl(program(tmp_path, "slow", "sleep 5"), timeout=0.2)() is None


def test_adjtimex_gives_an_answer_here() -> None:
    assert adjtimex() in (True, False, None)  # None under a seccomp filter (ProtectClock)


def test_the_first_probe_that_can_tell_answers_and_yes_sticks() -> None:
    asked: list[str] = []

    def probe(name: str, answer: bool | None):  # type: ignore[no-untyped-def]
        def ask() -> bool | None:
            asked.append(name)
            return answers[name]

        answers[name] = answer
        return ask

    answers: dict[str, bool | None] = {}
    sync = ClockSync((probe("flag", None), probe("kernel", False), probe("dbus", True)))
    assert sync.synchronised() is False
    assert asked == ["flag", "kernel"]
    answers["flag"] = True
    assert sync.synchronised() is True
    asked.clear()
    answers["flag"] = None
    assert sync.synchronised() is True  # known: not asked again
    assert asked == []


def test_no_probe_can_tell_means_not_set() -> None:
    assert ClockSync((lambda: None,)).synchronised() is False
    assert ClockSync(()).synchronised() is False


def test_wall_now_is_aware() -> None:
    import datetime as dt

    from kiosk.devices.clocksync import wall_now

    now = wall_now()
    assert now.tzinfo is not None
    assert abs((now - dt.datetime.now(dt.UTC)).total_seconds()) < 5
