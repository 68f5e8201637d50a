"""The staff file's ``schedule:`` section: opening hours, read and checked.

::

    schedule:
      open:
        mon: "08:00-18:00"
        tue: "08:00-12:00, 13:00-18:00"
        sat: "09:00-12:00"        # a day not listed is closed
      closed_dates: ["2026-12-25", "2027-01-01"]
      trust_clock: false          # true on a Pi with a battery-backed clock
      wake_minutes: 5             # a press while closed turns it on for this long

No ``schedule:`` means always on. :func:`read_schedule` gives the
:class:`kiosk.core.schedule.Schedule` on the Pi's local zone (:func:`local_zone`), or None
when the section is absent or has any error (each reported at its line): a schedule that is
half right would switch the screen off when nobody meant it to.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.content.validation import Validator, describe
from kiosk.core.schedule import DAY_MINUTES, DAYS, Range, Schedule

KEYS = ["open", "closed_dates", "trust_clock", "wake_minutes"]
#: Day names as people write them in full, to the short names the file uses.
LONG_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WAKE_MINUTES = (1.0, 120.0)
DEFAULT_WAKE_MINUTES = 5.0
#: How many closed dates a file may list (a few years of holidays).
MAX_CLOSED_DATES = 500
RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")
TIME_WORDS = 'a time range such as "08:00-18:00" (24-hour clock, hours:minutes)'

#: The commented example in ``acupressure-kiosk defaults`` (the section is off by default).
EXAMPLE = """\
# Opening hours (leave this out and the kiosk is always on). Outside them the screen and the
# button's LED are off; a press turns the screen on for wake_minutes.
# schedule:
#   open:
#     mon: "08:00-18:00"
#     tue: "08:00-12:00, 13:00-18:00"
#     sat: "09:00-12:00"        # a day not listed is closed
#   closed_dates: ["2026-12-25", "2027-01-01"]
#   trust_clock: false          # true on a Pi with a battery-backed clock
#   wake_minutes: 5             # a press while closed turns it on for this long
"""


def local_zone() -> dt.tzinfo:
    """The Pi's local time zone: ``$TZ``, else ``/etc/localtime`` (what
    ``timedatectl set-timezone`` sets), else UTC."""
    for name in (os.environ.get("TZ", "").lstrip(":"), _localtime_name()):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                pass
    try:
        with open("/etc/localtime", "rb") as file:
            return ZoneInfo.from_file(file, key="localtime")
    except (OSError, ValueError):
        return dt.UTC


def _localtime_name() -> str:
    """``Europe/London`` from the link ``/etc/localtime -> /usr/share/zoneinfo/Europe/London``."""
    try:
        target = str(Path("/etc/localtime").readlink())
    except OSError:
        return ""
    _, found, name = target.partition("zoneinfo/")
    return name if found else ""


def read_schedule(
    value: object, check: Validator, zone: dt.tzinfo | None = None
) -> Schedule | None:
    """The ``schedule:`` section's ``value`` as a Schedule on ``zone`` (the local zone when
    None); None when absent or when anything in it is wrong (reported to ``check``)."""
    if value is None and ("schedule",) not in check.doc.marks:
        return None
    before = len(check.problems)
    given = check.mapping(value, ("schedule",), KEYS)
    if not given and before == len(check.problems):
        check.error(("schedule",), "expected at least `open:` with the opening hours of a day")
    opening = _open(given["open"], check) if "open" in given else {}
    if "open" not in given and given:
        check.error(
            ("schedule",),
            'expected `open:` with the opening hours, for example `mon: "08:00-18:00"`',
        )
    closed = _closed_dates(given.get("closed_dates", []), check)
    trust = given.get("trust_clock", False)
    if not isinstance(trust, bool):
        check.error(("schedule", "trust_clock"), f"expected true or false, got {describe(trust)}")
    wake = given.get("wake_minutes", DEFAULT_WAKE_MINUTES)
    wake = check.number(wake, ("schedule", "wake_minutes"), *WAKE_MINUTES, "a number of minutes")
    if len(check.problems) > before:
        return None
    return Schedule(opening, zone or local_zone(), frozenset(closed), bool(trust), float(wake or 0))


def _open(value: object, check: Validator) -> dict[int, tuple[Range, ...]]:
    path = ("schedule", "open")
    if not isinstance(value, dict):
        check.error(
            path,
            f'expected one line per open day, such as `mon: "08:00-18:00"`, got {describe(value)}',
        )
        return {}
    days: dict[int, tuple[Range, ...]] = {}
    for key, hours in value.items():
        day = _day(key)
        if day is None:
            check.error((*path, key), _unknown_day(str(key)))
            continue
        if day in days:
            check.error((*path, key), f"`{key}` is the same day as another line; keep one")
            continue
        found = _ranges(hours, (*path, key), check)
        if found is not None:
            days[day] = found
    return days


def _day(key: object) -> int | None:
    name = str(key).strip().lower()
    for days in (DAYS, LONG_DAYS):
        if name in days:
            return days.index(name)
    return None


def _unknown_day(key: str) -> str:
    names = list(DAYS) + list(LONG_DAYS)
    guess = difflib.get_close_matches(key.strip().lower(), names, n=1, cutoff=0.5)
    hint = f"; did you mean `{DAYS[names.index(guess[0]) % 7]}`?" if guess else ""
    return f"`{key}` is not a day; write mon, tue, wed, thu, fri, sat or sun{hint}"


def _ranges(value: object, path: tuple, check: Validator) -> tuple[Range, ...] | None:
    """The ranges of one day, from ``"08:00-12:00, 13:00-18:00"`` or a list of such texts;
    sorted, every problem reported."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        parts = [p for item in value for p in item.split(",")]
    elif isinstance(value, str):
        parts = value.split(",")
    else:
        check.error(path, f"expected {TIME_WORDS} in quotes, got {describe(value)}", at_value=True)
        return None
    found: list[tuple[Range, str]] = []
    ok = True
    for part in parts:
        text = part.strip()
        span = _range(text, path, check)
        if span is None:
            ok = False
        else:
            found.append((span, text))
    found.sort()
    for (first, first_text), (second, second_text) in itertools.pairwise(found):
        if second[0] < first[1]:
            check.error(
                path,
                f"{first_text} and {second_text} overlap; join them as "
                f"{_hm(first[0])}-{_hm(max(first[1], second[1]))} or make one end before "
                "the other starts",
            )
            ok = False
    return tuple(span for span, _ in found) if ok else None


def _range(text: str, path: tuple, check: Validator) -> Range | None:
    if not text:
        check.error(path, f"expected {TIME_WORDS}, got nothing between two commas")
        return None
    match = RANGE.match(text)
    if match is None:
        shown = text if len(text) <= 40 else text[:37] + "..."
        check.error(path, f'expected {TIME_WORDS}, got "{shown}"')
        return None
    start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
    for hours, minutes, is_end in ((start_h, start_m, False), (end_h, end_m, True)):
        shown = f"{hours:02d}:{minutes:02d}"
        if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not is_end)):
            check.error(
                path,
                f"{shown} in {text} is not a time of day; hours go from 00 to 23 and minutes "
                "from 00 to 59 (24:00 may end a range: midnight)",
            )
            return None
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if end <= start:
        word = "is when it starts" if end == start else "is before it starts"
        check.error(
            path,
            f"{text} ends at {_hm(end)}, which {word}; a range cannot go past midnight: end "
            f"this day at 24:00 and start the next day at 00:00",
        )
        return None
    assert end <= DAY_MINUTES
    return start, end


def _hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _closed_dates(value: object, check: Validator) -> list[dt.date]:
    path = ("schedule", "closed_dates")
    if not isinstance(value, list):
        check.error(
            path,
            f'expected a list of dates such as ["2026-12-25", "2027-01-01"], got {describe(value)}',
        )
        return []
    if len(value) > MAX_CLOSED_DATES:
        check.error(path, f"expected at most {MAX_CLOSED_DATES} dates, got {len(value)}")
        return []
    dates = []
    for index, item in enumerate(value):
        day = _date(item)
        if day is None:
            check.error((*path, index), _not_a_date(item), at_value=True)
        else:
            dates.append(day)
    return dates


def _date(item: object) -> dt.date | None:
    if isinstance(item, dt.datetime):
        return None
    if isinstance(item, dt.date):
        return item
    if isinstance(item, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", item.strip()):
        try:
            return dt.date.fromisoformat(item.strip())
        except ValueError:
            return None
    return None


def _not_a_date(item: object) -> str:
    if isinstance(item, dt.datetime):
        return "expected a date without a time, such as 2026-12-25"
    if isinstance(item, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", item.strip()):
        return f'"{item.strip()}" is not a real date; check the month and the day'
    return f"expected a date written year-month-day, such as 2026-12-25, got {describe(item)}"
