"""The command line: options before or after the command mean the same thing.

Each command's ``main`` is replaced by a recorder, so these tests see exactly what
:func:`kiosk.commands.cli.main` hands to the command, without opening a window.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.commands import cli

ROOT = Path(__file__).resolve().parent.parent
BROKEN = "hardware:\n  button_pin: 99\n"


@pytest.fixture
def handed() -> list[tuple[str, argparse.Namespace]]:
    """(command, arguments) for every command that :func:`cli.main` called."""
    calls: list[tuple[str, argparse.Namespace]] = []
    with pytest.MonkeyPatch.context() as patch:
        for name, module in cli.COMMANDS.items():
            command = importlib.import_module(f"kiosk.commands.{module}")

            def record(args: argparse.Namespace, name: str = name) -> int:
                calls.append((name, args))
                return 0

            patch.setattr(command, "main", record)
        yield calls


def parsed(handed: list[tuple[str, argparse.Namespace]], *argv: str) -> tuple[str, dict]:
    assert cli.main(list(argv)) == 0
    (command, args) = handed[-1]
    return command, {k: v for k, v in vars(args).items() if k != "command"}


@pytest.mark.parametrize(
    "argv",
    [
        ["--config", "mine.yaml", "check"],
        ["check", "--config", "mine.yaml"],
        ["--config", "other.yaml", "check", "--config", "mine.yaml"],
    ],
)
def test_config_before_or_after_the_command(handed, argv: list[str]) -> None:  # type: ignore[no-untyped-def]
    command, args = parsed(handed, *argv)
    assert command == "check"
    assert args["config"] == Path("mine.yaml")


@pytest.mark.parametrize("argv", [["-v", "check"], ["check", "-v"], ["--verbose", "run"]])
def test_verbose_before_or_after_the_command(handed, argv: list[str]) -> None:  # type: ignore[no-untyped-def]
    _, args = parsed(handed, *argv)
    assert args["verbose"] is True


def test_no_option_given_means_none_at_either_place(handed) -> None:  # type: ignore[no-untyped-def]
    for argv in ([], ["run"], ["check"]):
        _, args = parsed(handed, *argv)
        assert args["config"] is None and args["verbose"] is False, argv


@pytest.mark.parametrize(
    "argv",
    [
        ["--windowed", "--size", "800x480"],
        ["run", "--windowed", "--size", "800x480"],
        ["--windowed", "run", "--size", "800x480"],
        ["--size", "800x480", "run", "--windowed"],
    ],
)
def test_windowed_and_size_with_or_without_run(handed, argv: list[str]) -> None:  # type: ignore[no-untyped-def]
    command, args = parsed(handed, *argv)
    assert command == "run"
    assert args["windowed"] is True and args["size"] == (800, 480)


def test_run_has_no_size_unless_given(handed) -> None:  # type: ignore[no-untyped-def]
    for argv in ([], ["run"], ["run", "--windowed"]):
        _, args = parsed(handed, *argv)
        assert args["size"] is None, argv
    _, args = parsed(handed)
    assert args["windowed"] is False


@pytest.mark.parametrize(
    ("argv", "size", "out"),
    [
        (["screenshots"], (1920, 1080), Path("screenshots")),
        (["screenshots", "--size", "800x480", "--out", "d"], (800, 480), Path("d")),
        (["--size", "800x480", "screenshots", "--out", "d"], (800, 480), Path("d")),
        (["--config", "c.yaml", "screenshots", "--size", "1080x1920"], (1080, 1920), None),
    ],
)
def test_screenshots_size_and_out(handed, argv: list[str], size, out) -> None:  # type: ignore[no-untyped-def]
    command, args = parsed(handed, *argv)
    assert command == "screenshots"
    assert args["size"] == size
    assert args["out"] == (out or Path("screenshots"))


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--windowed"],
        ["--windowed", "check"],
        ["--windowed", "screenshots"],
        ["--size", "800x480", "check"],
        ["defaults", "--size", "800x480"],
    ],
)
def test_an_option_for_another_command_is_refused(handed, argv: list[str], capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    assert not handed
    (option,) = [word for word in argv if word.startswith("--")]
    assert option in capsys.readouterr().err


def test_config_before_check_checks_that_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN)
    assert cli.main(["--config", str(bad), "check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{bad}:2:3: hardware.button_pin:"), out


def test_config_before_check_in_a_real_process(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN)
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(bad), "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{bad}:2:3: hardware.button_pin" in result.stdout
    assert "1 error(s)" in result.stderr


# -- which file: --config, else the installed kiosk's file, else the built-in one ------------


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for /etc/acupressure-kiosk/config.yaml (not created: tests write it)."""
    path = tmp_path / "etc" / "config.yaml"
    path.parent.mkdir()
    monkeypatch.setattr("kiosk.content.config.INSTALLED_CONFIG", path)
    return path


def test_check_says_which_file_it_checks(tmp_path: Path, installed: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    installed.write_text(BROKEN)
    mine = tmp_path / "mine.yaml"
    mine.write_text("timing:\n  inactivity_seconds: 120\n")
    assert cli.main(["check", "--config", str(mine)]) == 0
    assert capsys.readouterr().err.splitlines()[0] == f"Checking {mine}"


def test_check_without_config_checks_the_installed_file(installed: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    installed.write_text(BROKEN)
    assert cli.main(["check"]) == 1
    out, err = capsys.readouterr()
    first = err.splitlines()[0]
    assert first.startswith(f"Checking {installed} ") and "no --config" in first, first
    assert out.startswith(f"{installed}:2:3: hardware.button_pin:"), out


def test_check_with_no_file_at_all_checks_the_built_in(installed: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["check"]) == 0
    out, err = capsys.readouterr()
    first, *notes, last = err.splitlines()
    assert first == (
        f"Checking the built-in configuration (no --config given and {installed} does not exist)"
    )
    assert last == "OK: no problems found."
    # a note, not a problem: on the 7-inch screen some screens are split into pages
    (pages,) = notes
    assert pages.startswith("At 800x480 (the common 7-inch size") and "02-safety (" in pages
    assert out == ""


def test_run_and_screenshots_use_the_installed_file(installed: Path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    from kiosk.commands import run, screenshots
    from kiosk.devices.display import DisplayError

    def no_display(*args: object, **kwargs: object) -> None:
        raise DisplayError("no screen in this test")

    monkeypatch.setattr(run, "build_app", no_display)
    monkeypatch.setattr(screenshots, "save_screenshots", lambda config, size, out: [])
    installed.write_text("timing:\n  inactivity_seconds: 120\n")
    caplog.set_level("INFO")
    assert cli.main(["--windowed"]) == 3
    assert cli.main(["screenshots", "--out", str(installed.parent)]) == 0
    used = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Configuration")]
    assert used == [f"Configuration: {installed}"] * 2
    caplog.clear()
    installed.unlink()
    assert cli.main(["run"]) == 3
    assert "Configuration: built-in" in caplog.messages


def test_check_names_the_file_first_and_sums_up_last_in_one_stream(tmp_path: Path) -> None:
    """Read in a terminal (or in one log), the lines come in the order they were written,
    also when stdout is buffered (as it is by default when it is not a terminal)."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN)
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    env.pop("PYTHONUNBUFFERED", None)
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "check", "--config", str(bad)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == f"Checking {bad}"
    assert lines[1].startswith(f"{bad}:2:3: hardware.button_pin:")
    assert lines[2:] == ["1 error(s), 0 warning(s)."]


# -- arguments that cannot work: one line, exit status 2 ------------------------------------


def run_kiosk(*argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


@pytest.mark.parametrize("under", ["", "sub/folder"])
def test_screenshots_into_a_file_is_one_line_and_exit_2(tmp_path: Path, under: str) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("mine\n")
    result = run_kiosk("screenshots", "--out", str(file / under if under else file))
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"acupressure-kiosk screenshots: error: argument --out: {file} is a file, not a folder"
    ]
    assert file.read_text() == "mine\n"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["screenshots", "--size", "100x100"], "100x100 is too small to read"),
        (["screenshots", "--size", "319x240"], "319x240 is too small to read"),
        (["screenshots", "--size", "240x319"], "240x319 is too small to read"),
        (["run", "--size", "100x100"], "100x100 is too small to read"),
        (["--size", "300x200", "--windowed"], "300x200 is too small to read"),
        (["run", "--size=-800x480"], "-800x480 is too small to read"),
        (["run", "--size", "9000x4000"], "9000x4000 is too big"),
        (["screenshots", "--size", "big"], "expected WIDTHxHEIGHT"),
    ],
)
def test_a_size_that_cannot_work_is_one_line_and_exit_2(handed, argv, says, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    assert not handed
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("acupressure-kiosk") and ": error: argument --size: " in line, line
    assert says in line
    if "small" in says:
        assert "the smallest is 320x240, or 240x320 upright" in line


@pytest.mark.parametrize("size", ["320x240", "240x320", "8192x8192"])
@pytest.mark.parametrize("command", ["run", "screenshots"])
def test_the_smallest_and_largest_sizes_are_taken(handed, command: str, size: str) -> None:  # type: ignore[no-untyped-def]
    _, args = parsed(handed, command, "--size", size)
    assert args["size"] == tuple(int(n) for n in size.split("x"))


def test_any_mistyped_command_line_is_one_line(capsys) -> None:  # type: ignore[no-untyped-def]
    for argv in (["chek"], ["check", "--windowed"], ["screenshots", "--out"]):
        with pytest.raises(SystemExit) as exit_:
            cli.main(argv)
        assert exit_.value.code == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert ": error: " in line and line.endswith("--help"), line


@pytest.mark.parametrize("size", [cli.MIN_SIZE, cli.MIN_SIZE[::-1]])
def test_every_screen_is_readable_at_the_smallest_size(tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    """At the smallest size every text fits at the floor (a drawing may be left out to make
    room, a screen split into pages), body text is 11 px or more, and the pictures are
    written at that size."""
    import pygame

    from kiosk.commands.screenshots import save_screenshots
    from kiosk.content.config import load_config
    from kiosk.ui.elements import Text
    from kiosk.ui.renderer import build_renderer
    from kiosk.ui.screens import DROPPED_PICTURE
    from kiosk.ui.tour import tour, with_pages

    config = load_config()
    renderer = build_renderer(config, size)
    for stop in with_pages(tour(config), renderer.pages):
        layout = renderer.layout(stop.view)
        assert set(layout.overflow) <= {DROPPED_PICTURE}, (stop.name, layout.overflow)
        texts = [e for e in layout.elements if isinstance(e, Text) and e.role != "notice"]
        assert min(t.size for t in texts) >= 11, stop.name
    files = save_screenshots(config, size, tmp_path)
    assert files and all(pygame.image.load(str(f)).get_size() == size for f in files)
