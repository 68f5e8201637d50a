"""The content model: what the screens say, as plain frozen values.

:class:`Content` holds the interface texts, the three pages and the routine of
:class:`Point` s; it fills in placeholders and works out durations. How it is read and checked
from YAML is :mod:`kiosk.content.build`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.session import Step, plan_steps

#: Seconds a patient spends reading each screen that waits for a press (for "about N minutes").
READING_SECONDS = 10.0
#: Languages that write a decimal comma ("2,5 segundos"); the others write a point.
DECIMAL_COMMA = frozenset(
    (
        "bg",
        "ca",
        "cs",
        "da",
        "de",
        "el",
        "es",
        "et",
        "fi",
        "fr",
        "hr",
        "hu",
        "id",
        "it",
        "lt",
        "lv",
        "nl",
        "no",
        "pl",
        "pt",
        "ro",
        "ru",
        "sk",
        "sl",
        "sr",
        "sv",
        "tr",
        "uk",
    )
)


@dataclass(frozen=True)
class Page:
    """A screen of a title and a few short lines."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Point:
    """One acupressure point of the routine."""

    id: str
    name: str
    where: str
    find: tuple[str, ...]
    hold_seconds: float
    sides: int
    reminder: str
    caution: str | None = None
    image: Path | None = None
    marker: tuple[float, float] | None = None


@dataclass(frozen=True)
class Content:
    """Everything the screens say, in one language. ``texts`` holds the small interface
    strings; ``language`` is the language's code ("en", "es"). Every language of a kiosk has
    the same points, hold times and drawings: only the words differ."""

    texts: Mapping[str, str]
    safety: Page
    summary: Page
    side_effects: Page
    points: tuple[Point, ...]
    language: str = "en"

    @property
    def language_name(self) -> str:
        """The language's own name for itself ("Español"), for its mark on the idle screen."""
        return self.texts.get("language_name", self.language)

    def text(self, key: str, **values: object) -> str:
        """The interface text ``key`` with its {placeholders} filled in (never raises: a
        text that cannot be filled in is shown as it is)."""
        try:
            return self.texts[key].format_map(_Blank(values))
        except (ValueError, TypeError, IndexError, KeyError, AttributeError):
            return self.texts[key]

    def number(self, value: float) -> str:
        """``2.5`` as the content's language writes it ("2,5" in Spanish)."""
        text = f"{value:g}"
        comma = self.language.split("-")[0] in DECIMAL_COMMA
        return text.replace(".", ",") if comma else text

    def duration(self, seconds: float) -> str:
        """``90`` -> "1 minute 30 seconds", in the content's own words."""
        whole = max(1, round(seconds))
        minutes, secs = divmod(whole, 60)
        parts = []
        if minutes:
            parts.append(
                f"{minutes} {self.texts['unit_minute' if minutes == 1 else 'unit_minutes']}"
            )
        if secs:
            parts.append(f"{secs} {self.texts['unit_second' if secs == 1 else 'unit_seconds']}")
        return " ".join(parts)

    def steps(self) -> tuple[Step, ...]:
        """The routine's holds in order, for the session."""
        return plan_steps([(p.hold_seconds, p.sides) for p in self.points])

    def minutes(self) -> int:
        """About how long the whole routine takes, in whole minutes (at least 1)."""
        holds = sum(p.hold_seconds * p.sides for p in self.points)
        screens = 2 + sum(1 + p.sides for p in self.points)
        return max(1, math.ceil((holds + screens * READING_SECONDS) / 60 - 0.25))


class _Blank(dict):
    """Leaves an unknown {placeholder} as it is rather than failing on screen."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
