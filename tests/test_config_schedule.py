"""The staff file's ``schedule:`` section: read into the config, every mistake at its line."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.content.config import load_config
from kiosk.content.schedule import EXAMPLE, local_zone
from kiosk.content.settings import defaults_yaml
from kiosk.content.yamlfile import Problem

ROOT = Path(__file__).resolve().parent.parent

STAFF_EXAMPLE = """\
schedule:
  open:
    mon: "08:00-18:00"
    tue: "08:00-12:00, 13:00-18:00"
    sat: "09:00-12:00"        # a day not listed is closed
  closed_dates: ["2026-12-25", "2027-01-01"]
  trust_clock: false          # true on a Pi with a battery-backed clock
  wake_minutes: 5             # a press while closed turns it on for this long
"""


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.yaml"
    path.write_text(textwrap.dedent(text))
    return load_config(path)


def only_error(config) -> Problem:  # type: ignore[no-untyped-def]
    assert config.fallback, config.problems
    assert len(config.errors) == 1, [str(p) for p in config.errors]
    return config.errors[0]


def test_no_schedule_means_always_on() -> None:
    assert load_config().schedule is None


def test_the_staff_example_is_read(tmp_path: Path) -> None:
    config = load(tmp_path, STAFF_EXAMPLE)
    assert not config.problems, [str(p) for p in config.problems]
    schedule = config.schedule
    assert schedule is not None
    assert schedule.open == {0: ((480, 1080),), 1: ((480, 720), (780, 1080)), 5: ((540, 720),)}
    assert schedule.closed_dates == {dt.date(2026, 12, 25), dt.date(2027, 1, 1)}
    assert schedule.trust_clock is False
    assert schedule.wake_minutes == 5
    assert schedule.zone == local_zone()


def test_defaults_and_unquoted_dates_and_long_day_names(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """\
        schedule:
          open:
            Friday: ["08:00-12:00", "12:30-24:00"]
          closed_dates: [2026-12-25]
        """,
    )
    assert not config.problems, [str(p) for p in config.problems]
    assert config.schedule.open == {4: ((480, 720), (750, 1440))}
    assert config.schedule.closed_dates == {dt.date(2026, 12, 25)}
    assert config.schedule.trust_clock is False
    assert config.schedule.wake_minutes == 5


@pytest.mark.parametrize(
    ("lines", "line", "key", "words"),
    [
        ('mon: "25:00-26:00"', 3, "schedule.open.mon", ["25:00", "not a time of day", "00 to 23"]),
        ('mon: "08:00-18:61"', 3, "schedule.open.mon", ["18:61", "minutes"]),
        ('mon: "18:00-08:00"', 3, "schedule.open.mon", ["ends at 08:00", "before it starts"]),
        (
            'tue: "08:00-12:00, 11:00-14:00"',
            3,
            "schedule.open.tue",
            ["08:00-12:00 and 11:00-14:00 overlap", "08:00-14:00"],
        ),
        ('mnd: "08:00-18:00"', 3, "schedule.open.mnd", ["not a day", "did you mean `mon`?"]),
        ('thurs: "08:00-18:00"', 3, "schedule.open.thurs", ["did you mean `thu`?"]),
        ('mon: "8am-6pm"', 3, "schedule.open.mon", ['"8am-6pm"', "08:00-18:00"]),
        ("mon: 8", 3, "schedule.open.mon", ["the number 8", "in quotes"]),
        ('mon: "08:00-12:00,"', 3, "schedule.open.mon", ["nothing between two commas"]),
    ],
)
def test_bad_opening_hours(
    tmp_path: Path, lines: str, line: int, key: str, words: list[str]
) -> None:
    config = load(tmp_path, f"schedule:\n  open:\n    {lines}\n")
    problem = only_error(config)
    text = str(problem)
    assert text.startswith(f"{tmp_path / 'config.yaml'}:{line}:"), text
    assert f" {key}: " in text, text
    for word in words:
        assert word in text, text
    assert config.schedule is None


@pytest.mark.parametrize(
    ("section", "line", "key", "words"),
    [
        ('closed_dates: ["2026-02-30"]', 4, "schedule.closed_dates item 1", ["not a real date"]),
        ('closed_dates: ["25/12/2026"]', 4, "schedule.closed_dates item 1", ["year-month-day"]),
        ('closed_dates: "2026-12-25"', 4, "schedule.closed_dates", ["a list of dates"]),
        (
            "closed_dates: [2026-12-25 10:00:00]",
            4,
            "schedule.closed_dates item 1",
            ["without a time"],
        ),
        ('trust_clock: "yes"', 4, "schedule.trust_clock", ["true or false", '"yes"']),
        ("wake_minutes: 0", 4, "schedule.wake_minutes", ["minutes from 1 up to 120"]),
        ("wake_minutes: lots", 4, "schedule.wake_minutes", ['"lots"']),
        ("wake_minute: 5", 4, "schedule.wake_minute", ["did you mean `wake_minutes`?"]),
    ],
)
def test_bad_schedule_settings(
    tmp_path: Path, section: str, line: int, key: str, words: list[str]
) -> None:
    config = load(tmp_path, f'schedule:\n  open:\n    mon: "08:00-18:00"\n  {section}\n')
    text = str(only_error(config))
    assert text.startswith(f"{tmp_path / 'config.yaml'}:{line}:"), text
    assert f" {key}: " in text, text
    for word in words:
        assert word in text, text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("schedule: always\n", ["expected a mapping"]),
        ("schedule:\n", ["expected a mapping", "nothing"]),
        ("schedule:\n  wake_minutes: 5\n", ["expected `open:`"]),
        ('schedule:\n  open: "08:00-18:00"\n', ["one line per open day"]),
    ],
)
def test_a_schedule_of_the_wrong_shape(tmp_path: Path, text: str, words: list[str]) -> None:
    problem = str(only_error(load(tmp_path, text)))
    assert problem.startswith(f"{tmp_path / 'config.yaml'}:"), problem
    for word in words:
        assert word in problem, problem


def test_a_broken_text_keeps_a_valid_schedule(tmp_path: Path) -> None:
    config = load(tmp_path, STAFF_EXAMPLE + "hardware:\n  rotation: 45\n")
    assert "rotation" in str(only_error(config))
    assert config.schedule is not None and 0 in config.schedule.open


def test_defaults_show_the_example_commented_and_it_is_valid(tmp_path: Path) -> None:
    text = defaults_yaml()
    assert EXAMPLE in text
    assert "\nschedule:" not in text  # commented out: the built-in kiosk is always on
    uncommented = "\n".join(
        line[2:] for line in EXAMPLE.splitlines() if line.startswith("#  ") or line == "# schedule:"
    )
    config = load(tmp_path, uncommented.replace("# schedule:", "schedule:") + "\n")
    assert config.schedule is not None, [str(p) for p in config.problems]
    assert not config.problems


def test_configuration_doc_has_opening_hours() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text()
    assert "## Opening hours" in doc
    for word in ("closed_dates", "trust_clock", "wake_minutes", "24:00"):
        assert word in doc


def test_local_zone_follows_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/London")
    assert local_zone() == ZoneInfo("Europe/London")
    monkeypatch.setenv("TZ", "Not/AZone")
    assert local_zone() is not None
