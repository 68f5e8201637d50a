"""Hostile staff files: values, paths and files made to crash or fool the loader and ``check``.

Each case was found by an outside tester. Whatever the file holds, the kiosk starts on the
built-in content and ``check`` prints one plain line per problem, naming the file, line and
column, with no control character in it: never a traceback, a hang or a fake line.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.commands.check import check_config
from kiosk.content.config import load_config
from kiosk.content.yamlfile import MAX_BYTES, Problem

ROOT = Path(__file__).resolve().parent.parent
CONTROL = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)]


def write(folder: Path, text: str | bytes, name: str = "config.yaml") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def only_error(path: Path) -> str:
    """The one error of a broken file, as printed, after checking the kiosk fell back."""
    config = load_config(path)
    assert config.fallback, [str(p) for p in config.problems]
    errors = [str(p) for p in config.errors]
    assert len(errors) == 1, errors
    return errors[0]


def assert_one_line(text: str) -> None:
    assert not any(char in text for char in CONTROL), repr(text)


# -- 1. values PyYAML cannot make: one problem at the value, never a traceback ---------------

VALUES = [
    # (id, file text, "line:column", key path, words the message must hold)
    ("no-such-day", "safety:\n  title: 2024-02-30\n", "2:10", "safety.title", "not a real date"),
    (
        "int-tag-on-a-word",
        "timing:\n  inactivity_seconds: !!int seventeen\n",
        "2:23",
        "timing.inactivity_seconds",
        "`!!int seventeen` is not a whole number",
    ),
    (
        "float-tag-on-a-word",
        "timing:\n  inactivity_seconds: !!float lots\n",
        "2:23",
        "timing.inactivity_seconds",
        "`!!float lots` is not a number",
    ),
    (
        "bool-tag-on-a-word",
        "timing:\n  inactivity_seconds: !!bool lots\n",
        "2:23",
        "timing.inactivity_seconds",
        "`!!bool lots` is not yes or no",
    ),
    (
        "timestamp-tag-on-a-word",
        "timing:\n  inactivity_seconds: !!timestamp lots\n",
        "2:23",
        "timing.inactivity_seconds",
        "`!!timestamp lots` is not a real date",
    ),
    (
        "a-5000-digit-number",
        "points:\n  - id: UB60\n    hold_seconds: " + "1" * 5000 + "\n",
        "3:19",
        "point 1 (UB60) hold_seconds",
        "a number of 5000 digits",
    ),
    (
        "binary-tag-on-junk",
        "timing:\n  inactivity_seconds: !!binary 'a'\n",
        "2:23",
        None,
        "a config needs no `!tags`: remove it",
    ),
    ("a-key-that-is-no-date", "2024-02-30: 1\n", "1:1", None, "not a real date"),
    ("a-tagged-key", "? !!int x\n: 1\n", "1:3", None, "`!!int x` is not a whole number"),
]


@pytest.mark.parametrize(
    ("text", "where", "key", "words"), [c[1:] for c in VALUES], ids=[c[0] for c in VALUES]
)
def test_a_value_pyyaml_cannot_make_is_one_problem_at_its_place(
    tmp_path: Path, text: str, where: str, key: str | None, words: str
) -> None:
    path = write(tmp_path, text)
    problem = only_error(path)
    assert problem.startswith(f"{path}:{where}: "), problem
    if key is not None:
        assert f": {key}: " in problem, problem
    assert words in problem, problem
    assert "Traceback" not in problem and "\n" not in problem
    assert check_config(path).lines == [problem]


def test_every_bad_value_is_named_and_an_alias_of_one_only_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "timing:\n  inactivity_seconds: &x !!int foo\n  warning_seconds: *x\n"
        "safety:\n  title: 2023-02-29\n",
    )
    config = load_config(path)
    assert config.fallback
    assert [(p.line, p.column) for p in config.errors] == [(2, 23), (5, 10)]


@pytest.mark.parametrize(
    "text",
    [
        "points:\n  - id: UB60\n    hold_seconds: " + "9" * 4000 + "\n",
        "hardware:\n  button_pin: -" + "9" * 4000 + "\n",
        "points:\n  - id: UB60\n    marker: [" + "9" * 4000 + ", 0.5]\n",
        "safety:\n  title: " + "9" * 4000 + "\n",
    ],
    ids=["hold", "pin", "marker", "title"],
)
def test_a_number_too_big_for_a_float_is_refused_plainly(tmp_path: Path, text: str) -> None:
    """Under PyYAML's limit of 4300 digits, but far beyond any float."""
    path = write(tmp_path, text)
    problem = only_error(path)
    assert "a number of 4000 digits" in problem and len(problem) < 300, problem


@pytest.mark.parametrize(
    "text",
    ["safety:\n  title: 0x" + "1" * 5000 + "\n", "? 0x" + "1" * 5000 + "\n: 1\n"],
    ids=["value", "key"],
)
def test_a_number_too_long_to_write_out_is_refused_plainly(tmp_path: Path, text: str) -> None:
    """Hexadecimal has no digit limit in PyYAML, but Python cannot write the number out."""
    path = write(tmp_path, text)
    problem = only_error(path)
    # The number is not written out: the line stays short (the file's name aside).
    assert "a number of more than 4300 digits" in problem, problem
    assert len(problem) - len(str(path)) < 300, problem


# -- 2. image names that cannot be looked up: one problem at the image's line ---------------


def image_file(folder: Path, image: str) -> Path:
    return write(
        folder,
        f"points:\n  - id: UB60\n    image: {image}\n  - id: UB40\n  - id: LI4\n  - id: GB34\n",
    )


def assert_image_problem(path: Path, *words: str) -> None:
    """One error at the image's line from loading, and the same one line from ``check``."""
    problem = only_error(path)
    assert problem.startswith(f"{path}:3:5: point 1 (UB60) image: "), problem
    for word in words:
        assert word in problem, problem
    assert check_config(path).lines == [problem]


def test_a_file_name_over_255_bytes(tmp_path: Path) -> None:
    name = "a" * 300 + ".png"
    assert_image_problem(image_file(tmp_path, name), "the file name is too long (the most is 255")


def test_a_file_name_over_255_bytes_in_a_folder(tmp_path: Path) -> None:
    name = "drawings/" + "é" * 130 + ".svg"  # 260 bytes in UTF-8, 134 characters
    assert_image_problem(image_file(tmp_path, name), "the file name is too long")


def test_a_path_over_4096_bytes(tmp_path: Path) -> None:
    name = "a/" * 2100 + "x.png"
    assert_image_problem(image_file(tmp_path, name), "the path is too long (the most is 4096")


def test_a_user_that_does_not_exist(tmp_path: Path) -> None:
    path = image_file(tmp_path, "~nosuchuser/x.png")
    assert_image_problem(path, "`~nosuchuser/x.png`: there is no user nosuchuser")


def test_a_file_used_as_a_folder(tmp_path: Path) -> None:
    write(tmp_path, "just some words\n", "notes.txt")
    path = image_file(tmp_path, "notes.txt/x.png")
    assert_image_problem(path, "cannot look there: ", "notes.txt is a file, not a folder")


def test_a_folder_that_cannot_be_looked_into(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root chmod stops nothing, so the lookup fails as it would for the kiosk's user."""
    locked = tmp_path / "locked"
    locked.mkdir()
    stat, lstat = os.stat, os.lstat

    def denied(real: Callable[..., os.stat_result]) -> Callable[..., os.stat_result]:
        def look(path: object, *args: object, **kwargs: object) -> os.stat_result:
            if str(path).startswith(str(locked) + os.sep):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, *args, **kwargs)

        return look

    monkeypatch.setattr(os, "stat", denied(stat))
    monkeypatch.setattr(os, "lstat", denied(lstat))
    path = image_file(tmp_path, "locked/x.png")
    assert_image_problem(path, "cannot look there: permission denied")


def test_image_problems_of_a_file_that_does_not_load_are_named_once(tmp_path: Path) -> None:
    """With another error the points do not load; ``check`` still names the bad image once
    and never hands it to the image checker."""
    path = write(
        tmp_path,
        "points:\n  - id: UB60\n    hold_seconds: -3\n    image: ~nosuchuser/x.png\n"
        "  - id: UB40\n    image: " + "b" * 256 + ".svg\n",
    )
    lines = check_config(path).lines
    assert [line.split(": ")[0] for line in lines] == [
        f"{path}:3:5",
        f"{path}:4:5",
        f"{path}:6:5",
    ], lines
    assert "there is no user nosuchuser" in lines[1] and "too long" in lines[2]


def test_a_bad_image_name_of_a_point_that_is_not_read_is_still_named(tmp_path: Path) -> None:
    """A point without a proper id is not read at all; ``check`` still looks at its image."""
    path = write(
        tmp_path,
        "points:\n  - id: far too long an id\n    image: ~nosuchuser/x.png\n  - id: UB40\n",
    )
    lines = check_config(path).lines
    assert len(lines) == 2, lines
    assert lines[1].startswith(f"{path}:3:5: point 1 image: `~nosuchuser/x.png`: there is no")


# -- 3. the staff file itself: a regular file, never read past the size cap --------------------


def within(seconds: float, work: Callable[[], object]) -> object:
    """``work()``'s result, failing the test if it takes longer than ``seconds``."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still busy after {seconds} s"
    return result[0]


@pytest.fixture
def fifo(tmp_path: Path) -> object:
    path = tmp_path / "config.yaml"
    os.mkfifo(path)
    yield path
    # A reader still waiting for a writer (the old code) is let go.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


def test_a_fifo_is_refused_at_once(fifo: Path) -> None:
    problem = within(1, lambda: only_error(fifo))
    assert problem == f"{fifo}: is a named pipe (FIFO), not a file", problem
    lines = within(1, lambda: check_config(fifo).lines)
    assert lines == [problem]


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert only_error(path) == f"{path}: is a socket, not a file"


def test_a_folder_is_refused(tmp_path: Path) -> None:
    assert only_error(tmp_path) == f"{tmp_path}: is a folder, not a file"


def in_a_small_process(config: Path) -> str:
    """Load ``config`` in a process that may use 1 GB at most, and what it printed: reading a
    device or a huge file whole would end in MemoryError there, not slow this machine."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from pathlib import Path\n"
        "from kiosk.content.config import load_config\n"
        "print(*load_config(Path(sys.argv[1])).errors, sep='\\n')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=30,
    )
    assert done.returncode == 0 and not done.stderr, done.stderr[-2000:]
    return done.stdout


def test_dev_zero_is_refused_without_reading_it() -> None:
    assert in_a_small_process(Path("/dev/zero")) == "/dev/zero: is a device, not a file\n"


def test_a_huge_file_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    with path.open("wb") as sparse:
        sparse.truncate(4 << 30)  # 4 GiB of nothing, taking no room on the disk
    printed = in_a_small_process(path)
    assert printed.startswith(f"{path}: the file is {4 << 30} bytes; a config is at most"), printed


def test_a_file_just_over_the_cap_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, b"#" * 300_000)
    problem = only_error(path)
    assert problem.startswith(f"{path}: the file is 300000 bytes; a config is at most {MAX_BYTES}")


def test_a_link_to_a_file_is_followed(tmp_path: Path) -> None:
    real = write(tmp_path, "timing:\n  inactivity_seconds: 120\n", "real.yaml")
    link = tmp_path / "config.yaml"
    link.symlink_to(real)
    config = load_config(link)
    assert not config.problems and config.timing.inactivity_seconds == 120


def test_a_link_to_a_fifo_is_refused_at_once(tmp_path: Path, fifo: Path) -> None:
    link = tmp_path / "link.yaml"
    link.symlink_to(fifo)
    assert within(1, lambda: only_error(link)) == f"{link}: is a named pipe (FIFO), not a file"


# -- 4. every problem is one printable line ------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "where", "shown"),
    [
        (b"safety:\n  title: a\x1b[2Jb\n", "2:11", "U+001B"),
        (b"safety:\n  title: a\x00b\n", "2:11", "U+0000"),
        (b"timing: {}\n\x7f\n", "2:1", "U+007F"),
        (b"safety:\n  title: \xc2\x9b2J\n", "2:10", "U+009B"),
    ],
    ids=["escape", "nul", "delete", "c1"],
)
def test_a_raw_control_character_is_named_at_its_line(
    tmp_path: Path, raw: bytes, where: str, shown: str
) -> None:
    path = write(tmp_path, raw)
    problem = only_error(path)
    assert problem.startswith(f"{path}:{where}: "), problem
    assert shown in problem and "control character" in problem, problem
    assert_one_line(problem)


ECHOED = (
    # values and keys that the problems quote back, with a line break or an escape inside
    "timing:\n"
    '  inactivity_seconds: "a\\nOK: no problems found"\n'
    '  warning_seconds: "\\e[2J\\e[32mOK\\e[0m"\n'
    '  "\\e]0;owned\\a": 1\n'
    '  "x\\u2028y\\u2029z\\x85": 2\n'
    'points:\n  - id: UB60\n    image: "\\e[2Jx.gif"\n  - id: UB40\n  - id: LI4\n  - id: GB34\n'
)


def test_values_with_line_breaks_and_escapes_are_shown_escaped(tmp_path: Path) -> None:
    path = write(tmp_path, ECHOED)
    problems = [str(p) for p in load_config(path).errors]
    assert len(problems) == 5, problems
    for problem in problems:
        assert problem.startswith(f"{path}:"), problem
        assert_one_line(problem)
    assert '"a\\x0aOK: no problems found"' in problems[0]
    assert "\\x1b[2J\\x1b[32mOK" in problems[1]
    assert "\\x1b]0;owned\\x07" in problems[2]
    assert "x\\u2028y\\u2029z\\x85" in problems[3]


def test_check_prints_one_printable_line_per_problem(tmp_path: Path) -> None:
    path = write(tmp_path, ECHOED)
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "check", "--config", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, SDL_VIDEODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1"),
        timeout=60,
    )
    assert done.returncode == 1
    lines = done.stdout.split("\n")
    assert lines.pop() == ""
    assert len(lines) == 5, lines
    for line in lines:
        assert line.startswith(f"{path}:") and line.split(":")[1].isdigit(), line
        assert_one_line(line)
    assert "OK: no problems found." not in done.stderr
    assert_one_line(done.stderr.replace("\n", ""))


def test_a_problem_is_one_line_whatever_it_holds() -> None:
    problem = Problem(
        "a\nb.yaml", "got \x1b[2J\r\x00\x7f\x9b\u2028\u2029\ud800 end", ("k\n",), 3, 4
    )
    assert str(problem) == (
        "a\\x0ab.yaml:3:4: k\\x0a: got \\x1b[2J\\x0d\\x00\\x7f\\x9b\\u2028\\u2029\\ud800 end"
    )
