"""What the kiosk says and shows: texts, pages and the routine of points.

The built-in content is ``kiosk/defaults/content.yaml``. A staff file overrides any part of
it; :func:`build_content` merges the two and reports every problem with its place in the
staff file. A staff ``points:`` list is the routine in order; an entry whose ``id`` is a
built-in point only needs the fields it changes.
"""

from __future__ import annotations

import difflib
import math
import re
import string
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kiosk.session import Step, plan_steps
from kiosk.yamlsource import Document, KeyPath, Problem, parse

PAGES = ("safety", "summary", "side_effects")
MAX_POINTS = 12
MAX_FIND_LINES = 4
MAX_PAGE_LINES = 6
MAX_HOLD_SECONDS = 600.0
#: No screen can show a longer text (the built-in ones are at most about 75 characters).
MAX_TEXT_CHARS = 500
#: Unicode categories with nothing to see on their own: format characters (zero-width
#: space, direction marks) and combining marks.
INVISIBLE = ("Cf", "Mn", "Me")
#: A marker label is drawn in a small pill on the drawing: keep it short.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,7}$")
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")
#: Seconds a patient spends reading each screen that waits for a press (for "about N minutes").
READING_SECONDS = 10.0


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
    """Everything the screens say. ``texts`` holds the small interface strings."""

    texts: Mapping[str, str]
    safety: Page
    summary: Page
    side_effects: Page
    points: tuple[Point, ...]

    def text(self, key: str, **values: object) -> str:
        """The interface text ``key`` with its {placeholders} filled in (never raises: a
        text that cannot be filled in is shown as it is)."""
        try:
            return self.texts[key].format_map(_Blank(values))
        except (ValueError, TypeError, IndexError, KeyError, AttributeError):
            return self.texts[key]

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


def builtin_document() -> Document:
    """The built-in content file, parsed (it is tested to be free of problems)."""
    raw = resources.files("kiosk.defaults").joinpath("content.yaml").read_bytes()
    doc, problems = parse(raw, "built-in content")
    if doc is None or problems:
        raise RuntimeError(f"built-in content is broken: {problems}")
    return doc


def builtin_text() -> str:
    return resources.files("kiosk.defaults").joinpath("content.yaml").read_text("utf-8")


# -- validation ----------------------------------------------------------------------------


class Checker:
    """Collects problems against one document while values are read from it."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def error(self, path: KeyPath, message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def warn(self, path: KeyPath, message: str) -> None:
        self.problems.append(self.doc.problem(path, message, "warning"))

    def mapping(self, value: object, path: KeyPath, known: list[str]) -> dict[str, object]:
        """``value`` as a mapping with only ``known`` keys (others reported, with a guess)."""
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping of `key: value` lines, got {describe(value)}")
            return {}
        for key in value:
            if key not in known:
                self.error((*path, key), unknown_key(key, known))
        return {k: v for k, v in value.items() if k in known}

    def text(
        self, value: object, path: KeyPath, placeholders: Collection[str] | None = None
    ) -> str | None:
        """``value`` as one line of text. ``placeholders`` are the {names} it may use (the
        ones the kiosk fills in for this text); None means it may hold no braces at all."""
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"expected some text, got {describe(value)}")
            return None
        unprintable = _unprintable(" ".join(value.split()))
        if unprintable:
            self.error(path, unprintable)
            return None
        length = len(" ".join(value.split()))
        if length > MAX_TEXT_CHARS:
            # Fitting a text this long to the screen would take minutes (a hung start-up).
            self.error(
                path,
                f"expected a short text of at most {MAX_TEXT_CHARS} characters, got "
                f"{length}; shorten it (in a list, split it into more lines)",
            )
            return None
        if placeholders is not None:
            problem = _placeholder_problem(value, placeholders)
            if problem:
                self.error(path, problem)
                return None
        elif "{" in value or "}" in value:
            self.error(path, "braces { } are only for the placeholders in `texts:`")
            return None
        return " ".join(value.split())

    def number(
        self, value: object, path: KeyPath, low: float, high: float, what: str, low_ok: bool = True
    ) -> float | None:
        """A number in ``[low, high]`` (or ``(low, high]`` when not ``low_ok``)."""
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            self.error(path, f"expected {what}, got {describe(value)}")
            return None
        too_low = value < low if low_ok else value <= low
        if too_low or value > high:
            bound = f"from {low:g}" if low_ok else f"more than {low:g}"
            self.error(path, f"expected {what} {bound} up to {high:g}, got {value:g}")
            return None
        return float(value)


def _placeholders(text: str) -> list[str] | None:
    """The {names} in ``text``; None when its braces do not pair up."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return None


def _unprintable(text: str) -> str | None:
    """Why ``text`` cannot be drawn or used as a file name, or None.

    A control character (a YAML escape such as "\\0") makes pygame refuse to draw the text,
    a lone surrogate ("\\uD800") cannot even be encoded, and a word of only invisible
    characters (a zero-width space) can make a line pygame refuses to draw: each would fail
    on every frame.
    """
    for index, char in enumerate(text):
        if unicodedata.category(char) in ("Cc", "Cs"):
            return (
                f"character {index + 1} (U+{ord(char):04X}) is not a printable character; "
                "remove it (check the \\ escapes in the quotes)"
            )
    for word in text.split():
        if all(unicodedata.category(char) in INVISIBLE for char in word):
            # pygame refuses to draw a line of zero width
            codes = " ".join(f"U+{ord(char):04X}" for char in word)
            return f"{codes} cannot be seen on its own; join it to a word or remove it"
    return None


def _placeholder_problem(text: str, allowed: Collection[str]) -> str | None:
    """What is wrong with the {placeholders} of ``text``, or None.

    Only plain ``{name}`` s that the kiosk fills in for this text pass: anything else would
    show as typed or, with a format spec such as ``{minutes:q}``, fail on every frame.
    """
    try:
        fields = [f for f in string.Formatter().parse(text) if f[1] is not None]
    except ValueError:
        return "a { or } has no partner; placeholders look like {seconds}"
    for _, name, spec, conversion in fields:
        if name not in allowed:
            if allowed:
                names = ", ".join(f"{{{n}}}" for n in sorted(allowed))
                return f"{{{name}}} is not filled in for this text; it can use {names}"
            return (
                f"{{{name}}} is not filled in for this text: it has no placeholders "
                "(write {{ or }} to show a brace)"
            )
        if spec or conversion:
            return f"write the placeholder as plain {{{name}}}, without ':' or '!'"
    return None


def describe(value: object) -> str:
    """How a wrong value looks to the person who typed it."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}` (yes/no)"
    if isinstance(value, dict):
        return "a mapping (`key: value` lines)" if value else "an empty mapping ({})"
    if isinstance(value, list):
        if not value:
            return "an empty list ([])"
        items = "1 item" if len(value) == 1 else f"{len(value)} items"
        return f"a list of {items} (`- item` lines)"
    if isinstance(value, int | float):
        return f"the number {value:g}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'the text "{shown}"'
    return f"a {type(value).__name__}"


def unknown_key(key: str, known: list[str]) -> str:
    guess = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; did you mean `{guess[0]}`?" if guess else f"; known keys: {', '.join(known)}"
    return f"`{key}` is not a known key{hint}"


def build_content(
    builtin: Document, staff: Document | None, media: Path, check: Checker | None = None
) -> Content:
    """The built-in content overridden by ``staff`` (problems go to ``check``)."""
    base = builtin.data
    assert isinstance(base, dict)
    over: dict[str, object] = {}
    if staff is not None and check is not None and isinstance(staff.data, dict):
        over = staff.data
    checker = check or Checker(builtin)
    texts = _texts(base["texts"], over.get("texts"), checker)
    pages = {name: _page(base[name], over.get(name), (name,), checker) for name in PAGES}
    base_points = {p["id"]: p for p in base["points"]}
    staff_dir = Path(staff.file).resolve().parent if staff else media
    if "points" in over:
        points = _staff_points(over["points"], base_points, media, staff_dir, checker)
    else:
        points = None
    if not points:
        points = tuple(
            _point(p, ("points", i), media, media, checker) for i, p in enumerate(base["points"])
        )
    return Content(texts, pages["safety"], pages["summary"], pages["side_effects"], points)


def _texts(base: object, over: object, check: Checker) -> dict[str, str]:
    assert isinstance(base, dict)
    texts = dict(base)
    if over is not None:
        for key, value in check.mapping(over, ("texts",), list(base)).items():
            allowed = _placeholders(str(base[key])) or ()
            text = check.text(value, ("texts", key), placeholders=allowed)
            if text is not None:
                texts[key] = text
    return texts


def _page(base: object, over: object, path: KeyPath, check: Checker) -> Page:
    assert isinstance(base, dict)
    title, lines = base["title"], tuple(base["lines"])
    if over is not None:
        values = check.mapping(over, path, ["title", "lines"])
        if "title" in values:
            title = check.text(values["title"], (*path, "title")) or title
        if "lines" in values:
            lines = _lines(values["lines"], (*path, "lines"), MAX_PAGE_LINES, check) or lines
    return Page(title, lines)


def _lines(value: object, path: KeyPath, most: int, check: Checker) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        check.error(path, f"expected a list of 1 to {most} lines (`- text`), got {describe(value)}")
        return None
    if len(value) > most:
        check.error(path, f"has {len(value)} lines; at most {most} fit on a screen")
        return None
    lines = [check.text(item, (*path, i)) for i, item in enumerate(value)]
    return None if None in lines else tuple(line for line in lines if line)


POINT_KEYS = [
    "id",
    "name",
    "where",
    "find",
    "hold_seconds",
    "sides",
    "caution",
    "reminder",
    "image",
    "marker",
]
REQUIRED = ("name", "where", "find", "hold_seconds", "reminder")


def _staff_points(
    value: object, base: dict[str, dict], media: Path, staff_dir: Path, check: Checker
) -> tuple[Point, ...] | None:
    if not isinstance(value, list) or not value:
        check.error(("points",), f"expected a list of points (`- id: ...`), got {describe(value)}")
        return None
    if len(value) > MAX_POINTS:
        check.error(("points",), f"has {len(value)} points; at most {MAX_POINTS}")
        return None
    before = len(check.problems)
    points, seen = [], {}
    for i, item in enumerate(value):
        path = ("points", i)
        values = check.mapping(item, path, POINT_KEYS)
        pid = values.get("id")
        if not isinstance(pid, str) or not ID_PATTERN.match(pid):
            check.error(
                (*path, "id"),
                "every point needs an `id`: a short code of up to 8 "
                f"letters or digits such as UB60, got {describe(pid)}",
            )
            continue
        if pid in seen:
            check.error(
                (*path, "id"),
                f"`{pid}` is used twice (also points[{seen[pid]}]); each point needs its own id",
            )
            continue
        seen[pid] = i
        inherited = base.get(pid, {})
        missing = [k for k in REQUIRED if k not in values and k not in inherited]
        if missing:
            check.error(path, f"point `{pid}` is new, so it needs {', '.join(missing)}")
            continue
        here = {k: inherited.get(k) for k in POINT_KEYS} | values
        image_dir = staff_dir if "image" in values else media
        points.append(_point(here, path, media, image_dir, check))
    if any(p.is_error for p in check.problems[before:]):
        return None
    left_out = [pid for pid in base if pid not in seen]
    if left_out:
        check.warn(
            ("points",),
            f"this list is the whole routine, so {', '.join(left_out)} "
            f"{'is' if len(left_out) == 1 else 'are'} left out. To keep a point, list its "
            "id too (`- id: ...` is enough)",
        )
    return tuple(points)


def _point(values: dict, path: KeyPath, media: Path, image_dir: Path, check: Checker) -> Point:
    """One point from merged ``values`` (problems reported at ``path``)."""
    text = check.text
    sides = values.get("sides", "one")
    if sides not in ("both", "one"):
        check.error((*path, "sides"), f'expected "both" or "one", got {describe(sides)}')
        sides = "one"
    caution = values.get("caution")
    hold = check.number(
        values.get("hold_seconds"),
        (*path, "hold_seconds"),
        0,
        MAX_HOLD_SECONDS,
        "a hold in seconds",
        low_ok=False,
    )
    return Point(
        id=str(values["id"]),
        name=text(values.get("name"), (*path, "name")) or "?",
        where=text(values.get("where"), (*path, "where")) or "",
        find=_lines(values.get("find"), (*path, "find"), MAX_FIND_LINES, check) or ("",),
        hold_seconds=hold or 30.0,
        sides=2 if sides == "both" else 1,
        reminder=text(values.get("reminder"), (*path, "reminder")) or "",
        caution=None if caution is None else text(caution, (*path, "caution")),
        image=_image(values.get("image"), (*path, "image"), media, image_dir, check),
        marker=_marker(values.get("marker"), (*path, "marker"), check),
    )


def _image(
    value: object, path: KeyPath, media: Path, image_dir: Path, check: Checker
) -> Path | None:
    if value is None:
        check.warn(path, "no image: a plain placeholder is shown")
        return None
    if not isinstance(value, str) or not value.strip():
        check.error(path, f"expected an image file name, got {describe(value)}")
        return None
    unprintable = _unprintable(value)
    if unprintable:
        check.error(path, unprintable)
        return None
    name = Path(value.strip()).expanduser()
    if name.suffix.lower() not in IMAGE_SUFFIXES:
        check.error(path, f"`{value}` is not an .svg, .png or .jpg file")
        return None
    if name.is_absolute():
        return name
    local = image_dir / name
    if len(name.parts) == 1 and not local.exists() and (media / name).exists():
        return media / name
    return local


def staff_images(staff: Document, media: Path) -> list[tuple[KeyPath, Path]]:
    """Every image a staff file's ``points:`` names, resolved as the kiosk would, with its
    key path; for ``check`` when other errors keep the file's points from loading."""
    points = staff.data.get("points") if isinstance(staff.data, dict) else None
    if not isinstance(points, list):
        return []
    scratch = Checker(staff)  # the loader has reported these values' problems already
    found = []
    for index, item in enumerate(points):
        if isinstance(item, dict) and isinstance(item.get("image"), str):
            path = ("points", index, "image")
            folder = Path(staff.file).resolve().parent
            image = _image(item["image"], path, media, folder, scratch)
            if image is not None:
                found.append((path, image))
    return found


def _marker(value: object, path: KeyPath, check: Checker) -> tuple[float, float] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        check.error(path, f"expected [x, y], two fractions from 0 to 1, got {describe(value)}")
        return None
    x = check.number(value[0], (*path, 0), 0, 1, "a fraction of the width")
    y = check.number(value[1], (*path, 1), 0, 1, "a fraction of the height")
    return None if x is None or y is None else (x, y)
