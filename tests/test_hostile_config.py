"""Hostile staff files: values, paths and files made to crash or fool the loader and ``check``.

Each case was found by an outside tester. Whatever the file holds, the kiosk starts on the
built-in content and ``check`` prints one plain line per problem, naming the file, line and
column, with no control character in it: never a traceback, a hang or a fake line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.commands.check import check_config
from kiosk.content.config import load_config

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
        "points[0].hold_seconds",
        "a number of 5000 digits",
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
