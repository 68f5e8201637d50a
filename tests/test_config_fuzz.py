"""Fuzzing the staff-file loader and ``check``: whatever bytes staff save, only clear problems.

Random and mutated YAML (the built-in defaults with lines deleted, duplicated, swapped or
tab-indented, random bytes, random structures) and hostile values (dates that do not exist,
tags on junk, numbers of thousands of digits, control characters, image names that cannot be
looked up) go through
:func:`kiosk.content.yamlfile.parse`, :func:`kiosk.content.config.load_config` and
:func:`kiosk.commands.check.check_config`. Each must return problems that name the file
and say something in one printable line, and never raise. The example counts are kept
small so the whole module runs in a few seconds.
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pygame
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kiosk.commands import check as checking
from kiosk.content.builtin import media_dir
from kiosk.content.config import load_config
from kiosk.content.settings import defaults_yaml
from kiosk.content.yamlfile import UNSAFE, Problem, parse

FILE = "staff.yaml"
DEFAULT_LINES = defaults_yaml().splitlines(keepends=True)

FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# -- strategies ----------------------------------------------------------------------------


def _mutate(lines: list[str], edits: list[tuple[str, int, int]]) -> list[str]:
    """Apply line edits (delete, duplicate, swap, tab, truncate) to a copy of ``lines``."""
    out = list(lines)
    for kind, a, b in edits:
        if not out:
            break
        i, j = a % len(out), b % len(out)
        if kind == "delete":
            del out[i]
        elif kind == "duplicate":
            out.insert(i, out[i])
        elif kind == "swap":
            out[i], out[j] = out[j], out[i]
        elif kind == "tab":
            out[i] = "\t" + out[i].lstrip(" ")
        elif kind == "truncate":
            out[i] = out[i][: b % (len(out[i]) + 1)]
    return out


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["delete", "duplicate", "swap", "tab", "truncate"]),
        st.integers(0, 10_000),
        st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=6,
)
mutated_defaults = EDITS.map(lambda edits: "".join(_mutate(DEFAULT_LINES, edits)).encode())

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
KNOWN_KEYS = [
    "hardware",
    "timing",
    "texts",
    "points",
    "safety",
    "id",
    "hold_seconds",
    "image",
    "lines",
    "button_pin",
    "buzzer_pin",
    "led_pin",
    "sides",
    "marker",
    "find",
    "name",
    "title",
]
KEYS = st.sampled_from(KNOWN_KEYS) | st.text(min_size=1, max_size=12)
structures = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=25,
)
dumped_structures = structures.map(
    lambda value: yaml.safe_dump(value, allow_unicode=True).encode("utf-8")
)

# Texts full of braces: placeholders, format specs, indexing, escapes.
BRACES = st.text(alphabet="{}:!r0[]. minutesnametotal", max_size=24) | st.sampled_from(
    ["{minutes}", "{minutes:q}", "{number[0]}", "{name.x}", "{{", "}}", "{seconds!r}", "{0}"]
)

# A staff file shaped like a real one: known sections, points with built-in or new ids.
POINT = st.fixed_dictionaries(
    {"id": st.sampled_from(["UB60", "UB40", "LI4", "GB34", "NEW1"]) | SCALARS},
    optional={
        "hold_seconds": SCALARS,
        "sides": st.sampled_from(["both", "one", "three"]) | SCALARS,
        "image": st.sampled_from(["ub60.svg", "missing.png", "x.gif"]) | SCALARS,
        "marker": st.lists(SCALARS, max_size=3) | SCALARS,
        "find": st.lists(st.text(max_size=20), max_size=6) | SCALARS,
        "name": SCALARS,
        "hold_secnds": SCALARS,
    },
)
shaped = st.fixed_dictionaries(
    {},
    optional={
        "hardware": st.dictionaries(
            st.sampled_from(
                ["button_pin", "buzzer_pin", "led_pin", "buzzer_type", "rotation", "pin"]
            ),
            SCALARS | st.integers(0, 30),
        ),
        "timing": st.dictionaries(
            st.sampled_from(["inactivity_seconds", "warning_seconds", "press_gap_seconds"]),
            SCALARS,
        ),
        "texts": st.dictionaries(
            st.sampled_from(["invite", "title", "duration", "point_of", "next_point", "nope"]),
            SCALARS | BRACES,
        ),
        "points": st.lists(POINT, max_size=4) | SCALARS,
    },
).map(lambda value: yaml.safe_dump(value, allow_unicode=True).encode("utf-8"))

# Hostile values, each written into one place of a staff file.
DATES = st.builds(
    "{:04d}-{:02d}-{:02d}{}".format,
    st.integers(0, 9999),
    st.integers(0, 99),
    st.integers(0, 99),
    st.sampled_from(["", " 25:61:61", "T12:00:00Z", "t1:2:3.5 +99"]),
)
JUNK = st.text(alphabet="abcxyz0123456789-+._:=~", min_size=1, max_size=12)
TAGGED = st.builds(
    "!!{} {}".format,
    st.sampled_from(["int", "float", "bool", "timestamp", "binary", "null", "str", "set"]),
    JUNK | DATES,
)
HUGE = st.builds(
    lambda sign, digits: sign + "1" * digits,
    st.sampled_from(["", "-", "+", "0x", "0o", "0b", "1e", "0."]),
    st.integers(4000, 5000),
)
CONTROLS = st.text(
    st.characters(categories=["Cc", "Zl", "Zp"]) | st.sampled_from("ab\x1b[2J OK"), max_size=12
).map(json.dumps)  # in double quotes, as YAML escapes
HOSTILE_VALUES = DATES | TAGGED | HUGE | CONTROLS
PLACES = [
    "safety:\n  title: {}\n",
    "timing:\n  inactivity_seconds: {}\n",
    "hardware:\n  button_pin: {}\n",
    "points:\n  - id: UB60\n    hold_seconds: {}\n",
    "points:\n  - id: UB60\n    marker: [{}, 0.5]\n",
    "texts:\n  invite: {}\n",
    "{}: 1\n",
]
IMAGE_NAMES = st.one_of(
    st.integers(250, 300).map(lambda n: "a" * n + ".png"),
    st.integers(2040, 2100).map(lambda n: "a/" * n + "x.svg"),
    st.sampled_from(["~nosuchuser/x.png", "~/x.png", "~", f"{FILE}/x.png", "x\0.png"]),
    st.text(min_size=1, max_size=8).map(lambda s: s + ".jpg"),
).map(json.dumps)
IMAGE_PLACE = "points:\n  - id: UB60\n    image: {}\n  - id: UB40\n  - id: LI4\n  - id: GB34\n"
hostile = st.one_of(
    st.builds(str.format, st.sampled_from(PLACES), HOSTILE_VALUES),
    st.builds(IMAGE_PLACE.format, IMAGE_NAMES),
    st.tuples(st.sampled_from(PLACES), st.characters(categories=["Cc"]), st.integers(0, 40)).map(
        lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :]  # a raw control character
    ),
).map(lambda text: text.encode("utf-8", "surrogatepass"))


any_bytes = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
    mutated_defaults,
    dumped_structures,
    shaped,
    hostile,
    st.tuples(mutated_defaults, st.binary(min_size=1, max_size=8), st.integers(0, 10_000)).map(
        lambda t: t[0][: t[2] % (len(t[0]) + 1)] + t[1] + t[0][t[2] % (len(t[0]) + 1) :]
    ),
)


# -- checks ----------------------------------------------------------------------------------


def assert_clear(problems: tuple[Problem, ...] | list[Problem], file: str) -> None:
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.file == file
        assert problem.message.strip()
        assert problem.line is None or problem.line >= 1
        assert problem.column is None or problem.column >= 1
        assert str(problem).startswith(file)
        assert not UNSAFE.search(str(problem)), "one printable line"


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@FAST
@given(raw=any_bytes)
def test_parse_returns_a_document_or_clear_problems(raw: bytes) -> None:
    doc, problems = parse(raw, FILE)
    assert_clear(problems, FILE)
    if doc is None:
        assert problems, "no document must come with a reason"


@FAST
@given(raw=any_bytes)
def test_load_config_never_raises(raw: bytes, folder: Path) -> None:
    path = folder / FILE
    path.write_bytes(raw)
    config = load_config(path)
    assert_clear(config.problems, str(path))
    assert config.fallback == bool(config.errors)
    assert config.content.points and config.content.steps()
    if config.fallback:
        assert config.source == str(path)


@settings(FAST, max_examples=25)
@given(raw=st.one_of(mutated_defaults, shaped, hostile))
def test_check_never_raises(raw: bytes, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checking, "CHECK_SIZES", ((800, 480),))  # one size keeps it quick
    path = folder / FILE
    path.write_bytes(raw)
    report = checking.check_config(path)
    assert report.errors + report.warnings == len(report.lines)
    for line in report.lines:
        assert line.startswith(str(path)), line
        assert not UNSAFE.search(line), line
    if report.errors:
        assert load_config(path).fallback or any(
            "image" in x or "screen" in x for x in report.lines
        )


def hostile_examples(test: Callable[..., None]) -> Callable[..., None]:
    """The outside tester's files, always tried, whatever hypothesis picks besides."""
    found = [
        "safety:\n  title: 2024-02-30\n",
        "timing:\n  inactivity_seconds: !!int seventeen\n",
        "timing:\n  inactivity_seconds: !!float lots\n",
        "timing:\n  inactivity_seconds: !!bool lots\n",
        "points:\n  - id: UB60\n    hold_seconds: " + "1" * 5000 + "\n",
        "safety:\n  title: 0x" + "1" * 5000 + "\n",
        "? 0x" + "1" * 5000 + "\n: 1\n",
        "safety:\n  title: a\x1b[2Jb\n",
        "safety:\n  title: a\x00b\n",
        'timing:\n  warning_seconds: "a\\nOK: no problems found"\n',
        IMAGE_PLACE.format("a" * 300 + ".png"),
        IMAGE_PLACE.format("~nosuchuser/x.png"),
        IMAGE_PLACE.format(f"{FILE}/x.png"),
    ]
    for text in found:
        test = example(raw=text.encode())(test)
    return test


@settings(FAST, max_examples=80)
@given(raw=hostile)
@hostile_examples
def test_hostile_values_are_one_placed_line_each(raw: bytes, folder: Path) -> None:
    path = folder / FILE
    path.write_bytes(raw)
    config = load_config(path)
    assert_clear(config.problems, str(path))
    for problem in config.errors:
        assert problem.line is not None, str(problem)


#: Texts with placeholders, and two without.
TEXT_KEYS = ["duration", "long_press_hint", "point_of", "hold_for", "next_point", "invite", "title"]
FILLED = {"minutes": 3, "seconds": 2.5, "number": 1, "total": 4, "name": "Hand", "duration": "1 s"}
PLACEHOLDER = st.builds(
    lambda name, spec: "{" + name + spec + "}",
    st.sampled_from(sorted(FILLED)),
    st.sampled_from(["", "", ":q", ":>3", "!r", "[0]", ".real"]),
)
ODD = st.characters(categories=["Cc", "Cs", "Cf", "Zl", "Zp", "So"])  # controls, surrogates...
TEXTS = st.lists(PLACEHOLDER | ODD | st.sampled_from(["Press ", " now", "{{", "}}", "{", "}"])).map(
    "".join
)


@FAST
@given(texts=st.dictionaries(st.sampled_from(TEXT_KEYS), TEXTS | BRACES, min_size=1, max_size=4))
def test_every_accepted_text_fills_in(texts: dict[str, str], folder: Path) -> None:
    """A text the loader accepts is shown as it will look: no brace left, nothing raised."""
    path = folder / FILE
    path.write_text(yaml.safe_dump({"texts": texts}, allow_unicode=False), "ascii")
    config = load_config(path)
    assert_clear(config.problems, str(path))
    font = _font()
    for key, given_text in texts.items():
        shown = config.content.text(key, **FILLED)
        font.size(shown)
        font.render(shown, True, (0, 0, 0))  # drawable: no NUL, no lone surrogate
        if not config.fallback:  # accepted: shown exactly as written, placeholders filled
            assert shown == " ".join(given_text.split()).format(**FILLED)


@functools.cache
def _font() -> pygame.font.Font:
    pygame.font.init()
    return pygame.font.Font(media_dir() / "fonts" / "DejaVuSans.ttf", 16)
