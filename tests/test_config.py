"""Bad staff files: every problem names the file, line, column, key path and what was expected.

Each case writes a small staff file and loads it the way the kiosk does. A file with an error
falls back to the built-in configuration (``fallback=True``) and the problem says, in the
words staff read, where it is and what to write instead. Images are checked by ``check``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kiosk.commands.check import check_config
from kiosk.content.config import INSTALLED_CONFIG, load_config, pick_staff_file
from kiosk.content.settings import (
    SECTIONS,
    SETTINGS,
    Hardware,
    Usage,
    default_hardware,
    default_timing,
    default_usage,
    defaults_yaml,
)
from kiosk.content.speech import Speech, default_speech
from kiosk.content.yamlfile import MAX_BYTES, Problem
from kiosk.core.session import Timing

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = load_config()


def write(folder: Path, text: str | bytes, name: str = "config.yaml") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def only_error(config) -> Problem:  # type: ignore[no-untyped-def]
    """The one error of a broken file (warnings aside), after checking it fell back."""
    assert config.fallback, config.problems
    assert len(config.errors) == 1, [str(p) for p in config.errors]
    return config.errors[0]


def assert_names(problem: Problem, file: Path, where: str, key: str | None, *words: str) -> None:
    """``where`` is "line:column", "line" or "" (no place in the file)."""
    text = str(problem)
    prefix = f"{file}:{where}:" if where else f"{file}:"
    assert text.startswith(prefix), text
    if key is not None:
        assert f" {key}: " in text, text
    for word in words:
        assert word in text, text


# -- every bad input, with its place -----------------------------------------------------------

CASES = [
    # (id, file text, "line:col", key path, words the message must hold)
    (
        "syntax-unclosed-list",
        "timing:\n  inactivity_seconds: [1, 2\n",
        "2:23",
        None,
        ("the [ opened on line 2 is never closed", "add a ]"),
    ),
    (
        "syntax-unclosed-quote",
        'texts:\n  invite: "Press the button\ntiming: {}\n',
        "2:11",
        None,
        ('the double quote " opened on line 2 is never closed',),
    ),
    (
        "syntax-bad-indent",
        "timing:\n  inactivity_seconds: 100\n warning_seconds: 30\n",
        "3:2",
        None,
        ("this line is indented less than the line above it (line 2)", "line it up"),
    ),
    (
        "tab-indent",
        "timing:\n\tinactivity_seconds: 100\n",
        "2:1",
        None,
        ("a tab is used for indenting", "spaces"),
    ),
    (
        "tab-later-line",
        "timing:\n  inactivity_seconds: 100\n\twarning_seconds: 30\n",
        "3:1",
        None,
        ("a tab is used for indenting",),
    ),
    ("empty", "", "", None, ("the file is empty", "acupressure-kiosk defaults")),
    ("only-comments", "# nothing yet\n\n", "", None, ("the file is empty",)),
    (
        "list-at-top",
        "- timing\n- hardware\n",
        "1:1",
        None,
        ("expected a mapping of `key: value` lines", "got a list"),
    ),
    (
        "list-for-section",
        "timing:\n  - 100\n",
        "1:1",
        "timing",
        ("expected a mapping of `key: value` lines", "got a list"),
    ),
    (
        "text-at-top",
        "hello\n",
        "1:1",
        None,
        ("expected a mapping", 'got the text "hello"'),
    ),
    (
        "mapping-for-points",
        "points:\n  UB60: 30\n",
        "1:1",
        "points",
        ("expected a list of points", "got a mapping"),
    ),
    (
        "empty-points",
        "points: []\n",
        "1:1",
        "points",
        ("expected a list of points", "got an empty list ([])"),
    ),
    (
        "marker-with-three-numbers",
        "points:\n  - id: UB60\n    marker: [0.1, 0.2, 0.3]\n",
        "3:5",
        "point 1 (UB60) marker",
        ("expected [x, y], two fractions from 0 to 1, got a list of 3 items",),
    ),
    (
        "text-for-seconds",
        "timing:\n  inactivity_seconds: soon\n",
        "2:3",
        "timing.inactivity_seconds",
        ("expected a number of seconds", 'got the text "soon"'),
    ),
    (
        "yes-for-seconds",
        "timing:\n  inactivity_seconds: yes\n",
        "2:3",
        "timing.inactivity_seconds",
        ("expected a number of seconds", "(yes/no)"),
    ),
    (
        "date-for-seconds",
        "timing:\n  summary_seconds: 2024-01-01\n",
        "2:3",
        "timing.summary_seconds",
        ("expected a number of seconds", "a date"),
    ),
    (
        "nan-seconds",
        "timing:\n  summary_seconds: .nan\n",
        "2:3",
        "timing.summary_seconds",
        ("expected a number of seconds",),
    ),
    (
        "seconds-out-of-range",
        "timing:\n  warning_seconds: 5\n",
        "2:3",
        "timing.warning_seconds",
        ("expected a number of seconds from 20 up to 300", "got 5"),
    ),
    (
        "bad-choice",
        "hardware:\n  buzzer_type: loud\n",
        "2:3",
        "hardware.buzzer_type",
        ("expected one of active, passive", '"loud"'),
    ),
    (
        "rotation-not-a-quarter-turn",
        "hardware:\n  rotation: 45\n",
        "2:3",
        "hardware.rotation",
        ("expected one of 0, 90, 180, 270, got the number 45",),
    ),
    (
        "rotation-yes-no",  # Python's `True in (0, 1)` would take it for 1
        "hardware:\n  rotation: false\n",
        "2:3",
        "hardware.rotation",
        ("expected one of 0, 90, 180, 270", "`false` (yes/no)"),
    ),
    (
        "rotation-in-quotes",
        'timing:\n  idle_cycle_seconds: 8\nhardware:\n  rotation: "90"\n',
        "4:3",
        "hardware.rotation",
        ('expected one of 0, 90, 180, 270, got the text "90"', "without quotes"),
    ),
    (
        "rotation-in-radians",
        "hardware:\n  rotation: 1.5708\n",
        "2:3",
        "hardware.rotation",
        ("expected one of 0, 90, 180, 270",),
    ),
    (
        "negative-hold",
        "points:\n  - id: UB60\n    hold_seconds: -5\n",
        "3:5",
        "point 1 (UB60) hold_seconds",
        ("expected a hold in seconds more than 0 up to 600", "got -5"),
    ),
    (
        "zero-hold",
        "points:\n  - id: UB60\n    hold_seconds: 0\n",
        "3:5",
        "point 1 (UB60) hold_seconds",
        ("more than 0 up to 600", "got 0"),
    ),
    (
        "absurd-hold",
        "points:\n  - id: UB60\n    hold_seconds: 100000\n",
        "3:5",
        "point 1 (UB60) hold_seconds",
        ("more than 0 up to 600", "got 100000"),
    ),
    (
        "infinite-hold",
        "points:\n  - id: UB60\n    hold_seconds: .inf\n",
        "3:5",
        "point 1 (UB60) hold_seconds",
        ("more than 0 up to 600", "got inf"),
    ),
    (
        "hold-with-unit",
        "points:\n  - id: UB60\n    hold_seconds: 30s\n",
        "3:5",
        "point 1 (UB60) hold_seconds",
        ("expected a hold in seconds", 'got the text "30s"'),
    ),
    (
        "typo-point-key",
        "points:\n  - id: UB60\n    hold_secnds: 40\n",
        "3:5",
        "point 1 (UB60) hold_secnds",
        ("`hold_secnds` is not a known key; did you mean `hold_seconds`?",),
    ),
    (
        "typo-section",
        "timming:\n  inactivity_seconds: 100\n",
        "1:1",
        "timming",
        ("did you mean `timing`?",),
    ),
    (
        "typo-setting",
        "hardware:\n  buton_pin: 17\n",
        "2:3",
        "hardware.buton_pin",
        ("did you mean `button_pin`?",),
    ),
    (
        "typo-text",
        "texts:\n  invit: Press\n",
        "2:3",
        "texts.invit",
        ("did you mean `invite`?",),
    ),
    (
        "unknown-key-no-guess",
        "timing:\n  colour: red\n",
        "2:3",
        "timing.colour",
        ("`colour` is not a known key; known keys: idle_cycle_seconds",),
    ),
    (
        "duplicate-point-id",
        "points:\n  - id: UB60\n  - id: UB40\n  - id: UB60\n",
        "4:5",
        "point 3 (UB60) id",
        ("`UB60` is used twice (also point 1)", "its own id"),
    ),
    (
        "duplicate-key",
        "timing:\n  inactivity_seconds: 100\n  inactivity_seconds: 120\n",
        "3:3",
        "timing",
        (
            "`inactivity_seconds:` appears twice: first on line 2, again on line 3",
            "change the one that is there instead of adding another",
        ),
    ),
    (
        "duplicate-section",
        "timing: {}\nhardware: {}\ntiming: {}\n",
        "3:1",
        None,
        ("`timing:` appears twice: first on line 1, again on line 3",),
    ),
    (
        "new-point-without-texts",
        "points:\n  - id: NEW1\n    name: Foot point\n",
        "2:5",
        "point 1 (NEW1)",
        ("point `NEW1` is new, so it needs where, find, hold_seconds, reminder",),
    ),
    (
        "point-without-id",
        "points:\n  - name: Foot point\n",
        "2:5",
        "point 1 id",
        ("every point needs an `id`", "nothing"),
    ),
    (
        "empty-text",
        'texts:\n  invite: ""\n',
        "2:3",
        "texts.invite",
        ("expected some text",),
    ),
    (
        "text-too-long",
        "texts:\n  invite: " + "word " * 200 + "\n",
        "2:3",
        "texts.invite",
        ("expected a short text of at most 500 characters, got 999", "shorten it"),
    ),
    (
        "nul-character",
        'texts:\n  invite: "Ank\\0le"\n',
        "2:3",
        "texts.invite",
        ("character 4 (U+0000) is not a printable character", "escapes"),
    ),
    (
        "lone-surrogate",
        'safety:\n  title: "Stop \\uD800 here"\n',
        "2:3",
        "safety.title",
        ("character 6 (U+D800) is not a printable character",),
    ),
    (
        "zero-width-word",
        'texts:\n  invite: "Press \\u200B now"\n',
        "2:3",
        "texts.invite",
        ("U+200B cannot be seen on its own",),
    ),
    (
        "control-in-image-name",
        'points:\n  - id: UB60\n    image: "ub60\\x07.svg"\n',
        "3:5",
        "point 1 (UB60) image",
        ("character 5 (U+0007) is not a printable character",),
    ),
    (
        "unknown-placeholder",
        "texts:\n  invite: Press {buton}\n",
        "2:3",
        "texts.invite",
        ("{buton} is not filled in for this text: it has no placeholders",),
    ),
    (
        "placeholder-of-another-text",
        "texts:\n  duration: About {seconds} s\n",
        "2:3",
        "texts.duration",
        ("{seconds} is not filled in for this text; it can use {minutes}",),
    ),
    (
        "placeholder-with-format-spec",
        "texts:\n  duration: 'About {minutes:q} minutes'\n",
        "2:3",
        "texts.duration",
        ("write the placeholder as plain {minutes}, without ':' or '!'",),
    ),
    (
        "placeholder-indexed",
        "texts:\n  point_of: 'Point {number[0]} of {total}'\n",
        "2:3",
        "texts.point_of",
        ("{number[0]} is not filled in for this text; it can use {number}, {total}",),
    ),
    (
        "unpaired-brace",
        "texts:\n  invite: 'Press {'\n",
        "2:3",
        "texts.invite",
        ("a { or } has no partner",),
    ),
    (
        "too-many-lines",
        "safety:\n  lines: [a, b, c, d, e, f, g]\n",
        "2:3",
        "safety.lines",
        ("has 7 lines; at most 6",),
    ),
    (
        "marker-outside-drawing",
        "points:\n  - id: UB60\n    marker: [1.5, 0.5]\n",
        "3:14",
        "point 1 (UB60) marker x",
        ("expected a fraction of the width from 0 up to 1", "got 1.5"),
    ),
    (
        "bad-sides",
        "points:\n  - id: UB60\n    sides: three\n",
        "3:5",
        "point 1 (UB60) sides",
        ('expected "both" or "one"', '"three"'),
    ),
    (
        "image-not-a-picture",
        "points:\n  - id: UB60\n    image: ub60.gif\n",
        "3:5",
        "point 1 (UB60) image",
        ("`ub60.gif` is not an .svg, .png or .jpg file",),
    ),
    (
        "pin-not-a-gpio",
        "hardware:\n  button_pin: 40\n",
        "2:3",
        "hardware.button_pin",
        ("expected a GPIO number (BCM 0 to 27)", "got the number 40"),
    ),
    (
        "pin-negative",
        "hardware:\n  buzzer_pin: -1\n",
        "2:3",
        "hardware.buzzer_pin",
        ("expected a GPIO number (BCM 0 to 27) or null for none",),
    ),
    (
        "pin-physical-name",
        "hardware:\n  button_pin: GPIO17\n",
        "2:3",
        "hardware.button_pin",
        ("expected a GPIO number", '"GPIO17"'),
    ),
    (
        "pin-fraction",
        "hardware:\n  button_pin: 17.5\n",
        "2:3",
        "hardware.button_pin",
        ("expected a GPIO number",),
    ),
    (
        "pin-used-twice",
        "hardware:\n  button_pin: 5\n  led_pin: 5\n",
        "3:3",
        "hardware.led_pin",
        ("GPIO5 is also the button's pin", "each part needs its own pin"),
    ),
    (
        "pin-clashes-with-a-default",
        "hardware:\n  button_pin: 27\n",
        "2:3",
        "hardware.button_pin",
        ("GPIO27 is also the buzzer's pin", "by default", "`buzzer_pin`"),
    ),
    (
        "second-document",
        "timing: {}\n---\ntiming: {}\n",
        "2:1",
        None,
        ("a second document (`---`)",),
    ),
    (
        "unknown-tag",
        "timing: !seconds 30\n",
        "1:9",
        None,
        ("!seconds", "remove it"),
    ),
]


@pytest.mark.parametrize(
    ("text", "where", "key", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_file_names_file_line_key_and_what_was_expected(
    tmp_path: Path, text: str, where: str, key: str | None, words: tuple[str, ...]
) -> None:
    path = write(tmp_path, text)
    config = load_config(path)
    problem = only_error(config)
    assert_names(problem, path, where, key, *words)
    assert config.source == str(path)
    assert config.content == BUILTIN.content  # patients see the built-in content


@pytest.mark.parametrize(
    ("pin", "why"), [(2, "I2C data"), (3, "I2C clock"), (14, "UART"), (15, "UART"), (0, "EEPROM")]
)
def test_pins_with_another_job_are_warned_not_refused(tmp_path: Path, pin: int, why: str) -> None:
    path = write(tmp_path, f"hardware:\n  led_pin: {pin}\n")
    config = load_config(path)
    assert not config.fallback and not config.errors
    (warning,) = config.problems
    assert_names(warning, path, "2:3", "hardware.led_pin", "warning:", f"GPIO{pin}", why)
    assert config.hardware.led_pin == pin


def test_non_utf8_bytes_name_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, b"texts:\n  invite: Caf\xe9 button\n")
    problem = only_error(load_config(path))
    assert_names(problem, path, "2:14", None, "byte 0xe9 is not UTF-8", "save the file as UTF-8")


def test_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufefftiming:\n  inactivity_seconds: 120\n")
    config = load_config(path)
    assert not config.problems and config.timing.inactivity_seconds == 120


def test_huge_file_is_refused_without_reading_it_as_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "# a log pasted in by mistake\n" * (MAX_BYTES // 20))
    problem = only_error(load_config(path))
    assert_names(problem, path, "", None, "bytes; a config is at most", "Is this the right file?")


def test_deeply_nested_yaml_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "timing: " + "[" * 3000 + "]" * 3000 + "\n")
    problem = only_error(load_config(path))
    assert_names(problem, path, "", None, "nested too deeply")


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    """The "billion laughs": nine aliases of nine aliases... would be millions of values."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    problem = only_error(load_config(path))
    assert_names(problem, path, "", None, "aliases")


def test_a_pasted_page_of_text_is_refused_at_once(tmp_path: Path) -> None:
    """Fitting 50 KB of text to the screen would take minutes: a hung start-up."""
    path = write(tmp_path, "safety:\n  lines:\n    - " + "Breathe slowly. " * 3000 + "\n")
    started = time.monotonic()
    report = check_config(path)
    assert time.monotonic() - started < 5
    (line,) = report.lines
    assert line.startswith(f"{path}:3:7: safety.lines item 1: expected a short text")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert_names(only_error(load_config(missing)), missing, "", None, "does not exist")
    assert_names(only_error(load_config(tmp_path)), tmp_path, "", None, "is a folder")


def deny(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """Reading ``denied`` fails as it would without permission (root reads any file)."""
    read_bytes, open_, os_open = Path.read_bytes, Path.open, os.open

    def check(path: object) -> None:
        if Path(str(path)) == denied:
            raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(Path, "read_bytes", lambda self: check(self) or read_bytes(self))
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: check(self) or open_(self, *a, **k))
    monkeypatch.setattr(os, "open", lambda path, *a, **k: check(path) or os_open(path, *a, **k))


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "timing: {}\n")
    deny(monkeypatch, path)
    problem = only_error(load_config(path))
    assert_names(problem, path, "", None, "cannot be read: Permission denied")


def test_problems_come_in_file_order_and_all_are_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "points:\n  - id: UB60\n    hold_seconds: 0\n"
        "hardware:\n  button_pin: 99\ntiming:\n  warning_secnds: 3\n",
    )
    config = load_config(path)
    assert [p.line for p in config.errors] == [3, 5, 7]


def test_texts_keep_their_placeholders_and_may_show_braces(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "texts:\n  duration: 'Only {minutes} min {{about}}'\n  invite: Press {{here}}\n",
    )
    config = load_config(path)
    assert not config.problems
    assert config.content.text("duration", minutes=4) == "Only 4 min {about}"
    assert config.content.text("invite") == "Press {here}"


def test_a_text_that_cannot_be_filled_in_is_shown_as_it_is() -> None:
    """Defence in depth: even a text that slipped past the checks never raises on screen."""
    content = dataclasses.replace(
        BUILTIN.content, texts={**BUILTIN.content.texts, "duration": "About {minutes:q}"}
    )
    assert content.text("duration", minutes=3) == "About {minutes:q}"


def test_a_broken_file_still_keeps_its_wiring(tmp_path: Path) -> None:
    """A typo in a text must not move the button back to GPIO17: it is wired where the
    file says, and on the built-in pin it would be dead."""
    path = write(
        tmp_path,
        "hardware:\n  button_pin: 5\n  led_pin: null\n  buzzer_type: loud\n"
        "texts:\n  invit: Press\n",
    )
    config = load_config(path)
    assert config.fallback and len(config.errors) == 2
    assert config.hardware == default_hardware(button_pin=5, led_pin=None)  # the bad type: built-in
    assert (config.timing, config.content) == (BUILTIN.timing, BUILTIN.content)


@pytest.mark.parametrize(("written", "rotation"), [("90", 90), ("180.0", 180), ("270", 270)])
def test_a_rotation_is_read_as_a_whole_number_of_degrees(
    tmp_path: Path, written: str, rotation: int
) -> None:
    config = load_config(write(tmp_path, f"hardware:\n  rotation: {written}\n"))
    assert config.problems == () and not config.fallback
    assert config.hardware == default_hardware(rotation=rotation)
    assert type(config.hardware.rotation) is int


def test_a_broken_file_keeps_its_rotation(tmp_path: Path) -> None:
    """A typo in a text must not turn a portrait screen's picture on its side."""
    config = load_config(write(tmp_path, "hardware:\n  rotation: 90\ntexts:\n  invit: Press\n"))
    assert config.fallback and config.hardware.rotation == 90


def test_warnings_alone_keep_the_staff_file(tmp_path: Path) -> None:
    path = write(tmp_path, "hardware:\n  button_pin: 3\ntiming:\n  inactivity_seconds: 120\n")
    config = load_config(path)
    assert not config.fallback and len(config.problems) == 1
    assert config.timing.inactivity_seconds == 120


def test_a_text_this_version_no_longer_shows_is_a_warning_not_an_error(tmp_path: Path) -> None:
    """``last_point_done`` was in ``defaults`` until the last hold's end became the summary:
    a staff file copied from it keeps working and is told it may delete the line."""
    path = write(tmp_path, 'texts:\n  title: "Press here"\n  last_point_done: "The end."\n')
    config = load_config(path)
    assert not config.fallback and config.content.text("title") == "Press here"
    [problem] = config.problems
    assert problem.line == 3 and "no longer used" in str(problem) and "delete it" in str(problem)


# -- images, through check -----------------------------------------------------------------------


def image_file(folder: Path, lines: str) -> Path:
    return write(folder, f"points:\n  - id: UB60\n{lines}  - id: UB40\n  - id: LI4\n  - id: GB34\n")


def test_check_reports_missing_image_at_its_line(tmp_path: Path) -> None:
    path = image_file(tmp_path, "    image: drawings/ub60.png\n")
    config = load_config(path)
    assert not config.fallback  # at run time a placeholder is shown instead
    report = check_config(path)
    assert report.errors == 1
    (line,) = report.lines
    assert line.startswith(f"{path}:3:5: point 1 (UB60) image: "), line
    assert "file not found" in line and "needs an .svg, .png or .jpg file" in line


def test_check_reports_corrupt_and_folder_images(tmp_path: Path) -> None:
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not a picture")
    (tmp_path / "folder.svg").mkdir()
    path = write(
        tmp_path,
        "points:\n  - id: UB60\n    image: broken.png\n  - id: UB40\n    image: folder.svg\n"
        "  - id: LI4\n  - id: GB34\n",
    )
    report = check_config(path)
    assert report.errors == 2
    assert report.lines[0].startswith(f"{path}:3:5: point 1 (UB60) image: ")
    assert "not a valid PNG image or damaged" in report.lines[0]
    assert report.lines[1].startswith(f"{path}:5:5: point 2 (UB40) image: ")
    assert "not a file" in report.lines[1]


def test_check_reports_unreadable_image(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image = tmp_path / "locked.png"
    image.write_bytes((ROOT / "media" / "ub60.svg").read_bytes())
    deny(monkeypatch, image)
    path = image_file(tmp_path, "    image: locked.png\n")
    (line,) = check_config(path).lines
    assert line.startswith(f"{path}:3:5:") and "cannot be read" in line


def test_check_reports_missing_images_along_with_other_errors(tmp_path: Path) -> None:
    """All problems at once: the images of a file that does not load are checked too."""
    path = write(
        tmp_path,
        "points:\n  - id: UB60\n    hold_seconds: -3\n    image: gone.png\n"
        "  - id: UB40\n    image: ub40.svg\n  - id: LI4\n    image: nope/li4.svg\n",
    )
    report = check_config(path)
    assert report.errors == 3
    assert [line.split(": ")[0] for line in report.lines] == [
        f"{path}:3:5",
        f"{path}:4:5",
        f"{path}:8:5",
    ]
    assert (
        "point 1 (UB60) image: " in report.lines[1]
        and "gone.png: file not found" in report.lines[1]
    )
    assert "nope/li4.svg: file not found" in report.lines[2]


def test_staff_image_next_to_the_file_is_used(tmp_path: Path) -> None:
    (tmp_path / "mine.svg").write_bytes((ROOT / "media" / "ub40.svg").read_bytes())
    path = image_file(tmp_path, "    image: mine.svg\n")
    config = load_config(path)
    assert config.content.points[0].image == tmp_path / "mine.svg"
    assert check_config(path).errors == 0


# -- check prints everything ---------------------------------------------------------------------

MANY_ERRORS = """\
hardware:
  button_pin: 40
  buzzer_type: loud
timing:
  inactivity_secnds: 100
  warning_seconds: 1
texts:
  invite: "Press {buton}"
points:
  - id: UB60
    hold_seconds: -1
  - id: UB60
  - id: NEW1
    name: New point
"""


def test_check_reports_every_problem_not_only_the_first(tmp_path: Path) -> None:
    path = write(tmp_path, MANY_ERRORS)
    report = check_config(path)
    assert report.errors == 8
    assert [line.split(":")[1] for line in report.lines] == [
        "2",
        "3",
        "5",
        "6",
        "8",
        "11",
        "12",
        "13",
    ]
    assert all(line.startswith(f"{path}:") for line in report.lines)


def run_kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_check_command_prints_all_and_exits_non_zero(tmp_path: Path) -> None:
    path = write(tmp_path, MANY_ERRORS)
    result = run_kiosk("check", "--config", str(path))
    assert result.returncode != 0
    lines = result.stdout.splitlines()
    assert len(lines) == 8 and all(line.startswith(f"{path}:") for line in lines)
    assert "did you mean `inactivity_seconds`?" in result.stdout
    assert "8 error(s)" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_check_command_on_a_good_file_and_on_a_broken_one(tmp_path: Path) -> None:
    good = write(tmp_path, "timing:\n  inactivity_seconds: 120\n", "good.yaml")
    result = run_kiosk("check", "--config", str(good))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "" and "OK: no problems found." in result.stderr
    syntax = write(tmp_path, "timing:\n\tinactivity_seconds: 100\n", "tabs.yaml")
    result = run_kiosk("check", "--config", str(syntax))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{syntax}:2:1: a tab is used for indenting")


def test_check_command_prints_unencodable_keys_escaped(tmp_path: Path) -> None:
    path = write(tmp_path, '"\\uD800key": 1\n')
    result = run_kiosk("check", "--config", str(path))
    assert result.returncode == 1
    assert "\\ud800key" in result.stdout and "Traceback" not in result.stderr


# -- the built-in configuration and the defaults file ---------------------------------------


def test_builtin_content_has_no_problems() -> None:
    assert BUILTIN.problems == () and not BUILTIN.fallback
    report = check_config(None)
    assert report.lines == [] and report.errors == 0 and report.warnings == 0


def test_the_installed_file_is_the_one_the_service_and_installer_name() -> None:
    unit = (ROOT / "systemd" / "acupressure-kiosk.service").read_text()
    assert f"--config {INSTALLED_CONFIG}\n" in unit
    install = (ROOT / "scripts" / "install.sh").read_text()
    assert f"\nNAME={INSTALLED_CONFIG.parent.name}\n" in install
    assert f"\nETC=/etc/$NAME\nCONFIG=$ETC/{INSTALLED_CONFIG.name}\n" in install


def test_pick_staff_file_given_then_installed_then_built_in(tmp_path: Path) -> None:
    installed = write(tmp_path, "timing:\n  inactivity_seconds: 120\n", "installed.yaml")
    given = tmp_path / "given.yaml"
    assert pick_staff_file(given, installed).path == given
    assert pick_staff_file(given, installed).description == str(given)
    assert pick_staff_file(None, installed).path == installed
    missing = tmp_path / "missing.yaml"
    built_in = pick_staff_file(None, missing)
    assert built_in.path is None
    assert built_in.description == (
        f"the built-in configuration (no --config given and {missing} does not exist)"
    )


def test_pick_staff_file_an_installed_file_out_of_sight_is_used_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder on the way that cannot be read: say so rather than quietly use the built-in."""
    hidden = tmp_path / "locked" / "config.yaml"

    exists, read_bytes, stat = Path.exists, Path.read_bytes, os.stat

    def denied(self: object) -> None:
        if Path(str(self)) == hidden:
            raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "exists", lambda self, **k: denied(self) or exists(self, **k))
    monkeypatch.setattr(Path, "read_bytes", lambda self: denied(self) or read_bytes(self))
    monkeypatch.setattr(os, "stat", lambda path, *a, **k: denied(path) or stat(path, *a, **k))
    assert pick_staff_file(None, hidden).path == hidden
    assert str(only_error(load_config(hidden))) == f"{hidden}: cannot be read: Permission denied"


def test_defaults_output_loads_back_unchanged(tmp_path: Path) -> None:
    result = run_kiosk("defaults")
    assert result.returncode == 0
    assert result.stdout == defaults_yaml()
    path = write(tmp_path, result.stdout)
    config = load_config(path)
    assert config.problems == () and not config.fallback
    assert config.hardware == BUILTIN.hardware
    assert config.timing == BUILTIN.timing
    assert config.content == BUILTIN.content
    assert check_config(path).errors == 0


def test_a_file_changing_one_hold_changes_only_that(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "points:\n  - id: UB60\n    hold_seconds: 45\n  - id: UB40\n  - id: LI4\n  - id: GB34\n",
    )
    config = load_config(path)
    assert config.problems == () and not config.fallback
    expected = (dataclasses.replace(BUILTIN.content.points[0], hold_seconds=45.0),)
    assert config.content.points == expected + BUILTIN.content.points[1:]
    assert config.content.texts == BUILTIN.content.texts
    assert (config.hardware, config.timing) == (BUILTIN.hardware, BUILTIN.timing)


def test_a_points_list_that_leaves_points_out_is_warned(tmp_path: Path) -> None:
    path = write(tmp_path, "points:\n  - id: UB60\n    hold_seconds: 45\n")
    config = load_config(path)
    assert not config.fallback
    assert [p.id for p in config.content.points] == ["UB60"]
    (warning,) = config.problems
    assert_names(warning, path, "1:1", "points", "warning:", "UB40, LI4, GB34 are left out")


def test_the_settings_table_is_the_one_source_of_defaults() -> None:
    classes = {"hardware": Hardware, "timing": Timing, "usage": Usage}
    assert tuple(classes) == SECTIONS
    for section, cls in classes.items():
        names = [s.name for s in SETTINGS if s.section == section]
        fields = dataclasses.fields(cls)
        assert names == [f.name for f in fields], section
        assert all(f.default is dataclasses.MISSING for f in fields), f"{cls.__name__} defaults"
    built = {
        "hardware": default_hardware(),
        "timing": default_timing(),
        "usage": default_usage(),
        "speech": default_speech(),  # its own section (kiosk.content.speech), with mappings
    }
    names = [s.name for s in SETTINGS if s.section == "speech"]
    assert names == [f.name for f in dataclasses.fields(Speech)][: len(names)]
    for setting in SETTINGS:
        assert getattr(built[setting.section], setting.name) == setting.default, setting.key


def test_usage_metrics_file_is_off_by_default_and_takes_a_prom_path(tmp_path: Path) -> None:
    assert BUILTIN.usage == Usage(metrics_file=None)
    prom = "/var/lib/prometheus/node-exporter/acupressure_kiosk.prom"
    config = load_config(write(tmp_path, f"usage:\n  metrics_file: {prom}\n"))
    assert not config.problems and config.usage.metrics_file == prom
    assert "usage:\n" in defaults_yaml() and "  metrics_file: null\n" in defaults_yaml()


@pytest.mark.parametrize("bad", ["metrics.prom", "/var/lib/x.txt", "5", "[a]"])
def test_usage_metrics_file_must_be_an_absolute_prom_path(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, f"usage:\n  metrics_file: {bad}\n")
    error = only_error(load_config(path))
    assert_names(error, path, "2", "usage.metrics_file", "absolute path ending in .prom")


def test_a_broken_file_keeps_its_valid_metrics_file(tmp_path: Path) -> None:
    prom = "/srv/k.prom"
    config = load_config(write(tmp_path, f"usage:\n  metrics_file: {prom}\ntiming: 5\n"))
    assert config.fallback and config.usage == default_usage(metrics_file=prom)


def test_every_setting_default_is_within_its_own_range() -> None:
    for setting in SETTINGS:
        if setting.kind in ("seconds", "hertz"):
            assert setting.low <= setting.default <= setting.high, setting.key
        elif setting.kind == "choice":
            assert setting.default in setting.choices, setting.key


# -- points by number from 1 and by id; a second copy of a section says where the first is ----


def test_points_are_named_by_number_from_one_and_by_id(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "points:\n  - id: UB60\n  - id: UB40\n    hold_seconds: -1\n"
        "    find: [Sit down, 12]\n  - id: LI4\n  - id: UB40\n",
    )
    lines = [str(p) for p in load_config(path).errors]
    assert lines == [
        f"{path}:4:5: point 2 (UB40) hold_seconds: expected a hold in seconds more than 0 up "
        "to 600, got -1",
        f"{path}:5:22: point 2 (UB40) find item 2: expected some text, got the number 12",
        f"{path}:7:5: point 4 (UB40) id: `UB40` is used twice (also point 2); each point "
        "needs its own id",
    ], lines
    assert not any("points[" in line or "[0]" in line for line in lines)


def test_a_duplicate_key_says_where_the_first_one_is_and_what_to_do(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "hardware:\n  button_pin: 17\ntiming:\n  inactivity_seconds: 100\n"
        "points:\n  - id: UB60\n    hold_seconds: 30\n    hold_seconds: 45\n"
        "timing:\n  inactivity_seconds: 120\n",
    )
    lines = [str(p) for p in load_config(path).errors]
    assert lines == [
        f"{path}:8:5: point 1 (UB60): `hold_seconds:` appears twice: first on line 7, again on "
        "line 8; change the one that is there instead of adding another",
        f"{path}:9:1: `timing:` appears twice: first on line 3, again on line 9; change the "
        "one that is there instead of adding another",
    ], lines


def guide_example() -> str:
    """The example of the staff guide's "Change texts, holds and pins" section."""
    guide = (ROOT / "docs" / "staff-guide.md").read_text()
    section = guide.split("## Change texts, holds and pins\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    return textwrap.dedent(block.group(1))


def test_pasting_the_guides_example_into_the_full_file_says_to_change_the_lines_there(
    tmp_path: Path,
) -> None:
    """Staff pasted the guide's example under the installed file (every setting already in
    it): each section then appears twice, and each message says what to do instead."""
    full = defaults_yaml()
    path = write(tmp_path, full + "\n" + guide_example())
    errors = [str(p) for p in load_config(path).errors]
    assert len(errors) == 3, errors
    top = {
        line.split(":", 1)[0]: n
        for n, line in enumerate(full.splitlines(), 1)
        if line[:1].isalpha()
    }
    for error, key in zip(errors, ("hardware", "texts", "points"), strict=True):
        assert f" `{key}:` appears twice: first on line {top[key]}, again on line " in error
        assert error.endswith("change the one that is there instead of adding another"), error


def test_the_guide_says_to_change_the_lines_there_not_paste_a_copy() -> None:
    guide = (ROOT / "docs" / "staff-guide.md").read_text()
    section = guide.split("## Change texts, holds and pins\n", 1)[1].split("```yaml", 1)[0]
    words = " ".join(section.split())
    assert "change the value on the line that is there" in words
    assert "Do not paste the example below into the file as a second copy" in words


# -- YAML syntax errors in plain words, at the line to change ------------------------------------

#: Words of PyYAML's own messages, which mean nothing to staff.
PROGRAMMER_WORDS = (
    "<block",
    "scalar",
    "token",
    "expected ','",
    "stream",
    "flow ",
    "mapping values",
)

SYNTAX = [
    # (id, file text, "line:column" of what to change, words the message must hold)
    (
        "indented-more",
        "timing:\n  inactivity_seconds: 100\n    warning_seconds: 30\n",
        "3:20",
        ("this line is indented more than the line above it (line 2)",),
    ),
    (
        "indented-less",
        "timing:\n  inactivity_seconds: 100\n warning_seconds: 30\n",
        "3:2",
        ("this line is indented less than the line above it (line 2)",),
    ),
    ("tab", "timing:\n\tinactivity_seconds: 100\n", "2:1", ("a tab is used for indenting",)),
    (
        "tab-after-a-key",
        "timing:\n  inactivity_seconds:\t100\n",
        "2:22",
        ("a tab is here", "spaces"),
    ),
    (
        "unclosed-double-quote",
        'texts:\n  invite: "Press the button\n  title: Hello\n',
        "2:11",
        ('the double quote " opened on line 2 is never closed; add a " at the end',),
    ),
    (
        "unclosed-single-quote",
        "texts:\n  invite: 'Press the button\n  title: Hello\n",
        "2:11",
        ("the single quote ' opened on line 2 is never closed",),
    ),
    (
        "unclosed-quote-closed-by-the-next-quote",
        'texts:\n  invite: "Press the button\n  title: "Hello"\n',
        "2:11",
        ('the double quote " opened on line 2 is never closed',),
    ),
    (
        "unclosed-bracket",
        "points:\n  - id: UB60\n    marker: [0.5, 0.5\n  - id: UB40\n",
        "3:13",
        ("the [ opened on line 3 is never closed; add a ]",),
    ),
    (
        "unclosed-brace",
        "timing: {inactivity_seconds: 100\nhardware: {}\n",
        "1:9",
        ("the { opened on line 1 is never closed; add a }",),
    ),
    (
        "no-space-after-colon",
        "timing:\n  inactivity_seconds:100\n  warning_seconds: 30\n",
        "2:3",
        ("there is no space after the `:`", "`inactivity_seconds: 100`"),
    ),
    (
        "no-space-after-colon-on-the-last-line",
        "hardware:\n  button_pin:17\n",
        "2:3",
        ("there is no space after the `:`", "`button_pin: 17`"),
    ),
    (
        "second-colon",
        "texts:\n  invite: Step 1: press the button\n",
        "2:17",
        ("this line has a second `:`", "in quotes"),
    ),
    (
        "text-after-a-quoted-text",
        'texts:\n  invite: "Press" the button\n',
        "2:19",
        ("there is more text after the closing quote", "inside the quotes"),
    ),
    (
        "missing-colon",
        "timing:\n  inactivity_seconds 100\n  warning_seconds: 30\n",
        "2:3",
        ("`inactivity_seconds 100` has no `:`", "write `inactivity_seconds: 100`"),
    ),
    (
        "missing-colon-after-a-section",
        "timing\n  inactivity_seconds: 100\n",
        "1:1",
        ("`timing` has no `:`",),
    ),
    (
        "key-line-among-list-items",
        "points:\n  - id: UB60\n  hold_seconds: 30\n",
        "3:3",
        ("`key: value` line is in the middle of a list of `- ` items",),
    ),
    (
        "list-item-among-key-lines",
        "timing:\n  inactivity_seconds: 100\n  - warning_seconds: 30\n",
        "3:3",
        ("a list item (`- `) is mixed in with `key: value` lines",),
    ),
    (
        "no-space-after-dash",
        "points:\n  -id: UB60\n  - id: UB40\n",
        "2:3",
        ("put a space after the `-`",),
    ),
    (
        "value-starting-with-at",
        "texts:\n  invite: @reception\n",
        "2:11",
        ("a value cannot start with @", "quotes"),
    ),
    ("value-starting-with-ampersand", "texts:\n  invite: & now\n", "2:11", ("start with &",)),
    ("value-starting-with-greater", "texts:\n  title: > x y\n", "2:10", ("start with >",)),
    (
        "two-commas",
        "points:\n  - id: UB60\n    marker: [0.4,, 0.5]\n",
        "3:18",
        ("nothing before this comma",),
    ),
    (
        "list-item-after-a-text",
        'safety:\n  lines:\n    - "Sit down."- "Breathe."\n',
        "3:18",
        ("a `- ` list item cannot start here", "its own line"),
    ),
    (
        "unknown-escape",
        'texts:\n  invite: "Press \\q now"\n',
        "2:19",
        ("a \\ in double quotes", "single quotes"),
    ),
]


@pytest.mark.parametrize(
    ("text", "where", "words"), [c[1:] for c in SYNTAX], ids=[c[0] for c in SYNTAX]
)
def test_a_syntax_error_is_said_in_plain_words_at_the_line_to_change(
    tmp_path: Path, text: str, where: str, words: tuple[str, ...]
) -> None:
    path = write(tmp_path, text)
    problem = only_error(load_config(path))
    assert_names(problem, path, where, None, *words)
    line = str(problem)
    assert not any(word in line for word in PROGRAMMER_WORDS), line
    assert check_config(path).lines == [line]


def test_a_syntax_error_no_words_were_written_for_is_still_one_line_with_its_place() -> None:
    import yaml

    from kiosk.content.yamlfile import _syntax_problem

    mark = yaml.Mark("config.yaml", 0, 1, 4, None, None)
    err = yaml.scanner.ScannerError(
        "while doing something new", mark, "found a new kind of\nerror", mark
    )
    problem = _syntax_problem(err, "a: b\nc: d\n", "config.yaml")
    assert str(problem) == (
        "config.yaml:2:5: this line is not valid YAML (YAML says: found a new kind of\\x0aerror); "
        "check its indenting, colons and quotes"
    )
