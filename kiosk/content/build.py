"""Reading the content: the built-in texts and routine, overridden by a staff file.

The built-in content is ``kiosk/content/builtin.yaml``. A staff file overrides any part of
it; :func:`build_content` merges the two and reports every problem with its place in the
staff file. A staff ``points:`` list is the routine in order; an entry whose ``id`` is a
built-in point only needs the fields it changes.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from kiosk.content.model import Content, Page, Point
from kiosk.content.validation import Validator, describe, placeholders, unprintable
from kiosk.content.yamlfile import Document, KeyPath, Problem

PAGES = ("safety", "summary", "side_effects")
MAX_POINTS = 12
MAX_FIND_LINES = 4
MAX_PAGE_LINES = 6
MAX_HOLD_SECONDS = 600.0
#: A marker label is drawn in a small pill on the drawing: keep it short.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,7}$")
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")
#: Linux's limits on a file name (NAME_MAX) and a whole path (PATH_MAX), in bytes.
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096


def build_content(
    builtin: Document, staff: Document | None, media: Path, check: Validator | None = None
) -> Content:
    """The built-in content overridden by ``staff`` (problems go to ``check``)."""
    base = builtin.data
    assert isinstance(base, dict)
    over: dict[str, object] = {}
    if staff is not None and check is not None and isinstance(staff.data, dict):
        over = staff.data
    checker = check or Validator(builtin)
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


#: Texts an earlier version showed and this one does not: a staff file may still hold them
#: (copied from ``defaults``); each is a warning, not an error.
RETIRED_TEXTS = {
    "last_point_done": "the last hold now goes straight to the summary",
}


def _texts(base: object, over: object, check: Validator) -> dict[str, str]:
    assert isinstance(base, dict)
    texts = dict(base)
    if isinstance(over, dict):
        for key in [k for k in over if k in RETIRED_TEXTS]:
            check.warn(("texts", key), f"is no longer used ({RETIRED_TEXTS[key]}): delete it")
        over = {k: v for k, v in over.items() if k not in RETIRED_TEXTS}
    if over is not None:
        for key, value in check.mapping(over, ("texts",), list(base)).items():
            allowed = placeholders(str(base[key])) or ()
            text = check.text(value, ("texts", key), placeholders=allowed)
            if text is not None:
                texts[key] = text
    return texts


def _page(base: object, over: object, path: KeyPath, check: Validator) -> Page:
    assert isinstance(base, dict)
    title, lines = base["title"], tuple(base["lines"])
    if over is not None:
        values = check.mapping(over, path, ["title", "lines"])
        if "title" in values:
            title = check.text(values["title"], (*path, "title")) or title
        if "lines" in values:
            lines = read_lines(values["lines"], (*path, "lines"), MAX_PAGE_LINES, check) or lines
    return Page(title, lines)


def read_lines(value: object, path: KeyPath, most: int, check: Validator) -> tuple[str, ...] | None:
    """A list of 1 to ``most`` lines (one text counts as one line), or None and why not."""
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
    value: object, base: dict[str, dict], media: Path, staff_dir: Path, check: Validator
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
                f"`{pid}` is used twice (also point {seen[pid] + 1}); each point needs its own id",
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


def _point(values: dict, path: KeyPath, media: Path, image_dir: Path, check: Validator) -> Point:
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
        find=read_lines(values.get("find"), (*path, "find"), MAX_FIND_LINES, check) or ("",),
        hold_seconds=hold or 30.0,
        sides=2 if sides == "both" else 1,
        reminder=text(values.get("reminder"), (*path, "reminder")) or "",
        caution=None if caution is None else text(caution, (*path, "caution")),
        image=_image(values.get("image"), (*path, "image"), media, image_dir, check),
        marker=_marker(values.get("marker"), (*path, "marker"), check),
    )


def _image(
    value: object, path: KeyPath, media: Path, image_dir: Path, check: Validator
) -> Path | None:
    """The image file ``value`` names, or None (and why, at ``path``) when there is none or
    its name cannot even be looked up; a file that is simply missing is ``check``'s to report.
    """
    if value is None:
        check.warn(path, "no image: a plain placeholder is shown")
        return None
    if not isinstance(value, str) or not value.strip():
        check.error(path, f"expected an image file name, got {describe(value)}")
        return None
    why = unprintable(value)
    if why:
        check.error(path, why)
        return None
    shown = _shown(value.strip())
    name, why = _expand(value.strip())
    if name is None:
        check.error(path, f"`{shown}`: {why}")
        return None
    if name.suffix.lower() not in IMAGE_SUFFIXES:
        check.error(path, f"`{value}` is not an .svg, .png or .jpg file")
        return None
    image, why = _locate(name, media, image_dir)
    if why:
        check.error(path, f"`{shown}`: {why}")
        return None
    return image


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _expand(text: str) -> tuple[Path | None, str]:
    """``text`` as a path with ``~`` or ``~user`` expanded, or None and why not."""
    try:
        return Path(text).expanduser(), ""
    except RuntimeError:  # what pathlib raises for a user or home folder it cannot find
        user = text[1:].split("/", 1)[0]
        return None, f"there is no user {user}" if user else "there is no home folder"


def _locate(name: Path, media: Path, image_dir: Path) -> tuple[Path | None, str]:
    """Where the image ``name`` is: next to the staff file, else (a bare name) in the built-in
    media folder. None and why when the name cannot be looked up there."""
    if any(len(os.fsencode(part)) > MAX_NAME_BYTES for part in name.parts):
        return None, f"the file name is too long (the most is {MAX_NAME_BYTES} bytes)"
    local = name if name.is_absolute() else image_dir / name
    there, why = _look(local)
    if why:
        return None, why
    if not there and len(name.parts) == 1:
        in_media, why = _look(media / name)
        if why:
            return None, why
        if in_media:
            return media / name, ""
    return local, ""


def _look(path: Path) -> tuple[bool, str]:
    """Whether ``path`` is there, or why it cannot be looked up. ``Path.exists`` raises for
    a name too long or a folder the service cannot read; this answers in words instead."""
    if len(os.fsencode(path)) >= MAX_PATH_BYTES:
        return False, f"the path is too long (the most is {MAX_PATH_BYTES} bytes)"
    try:
        os.stat(path)
    except FileNotFoundError:
        return False, ""
    except NotADirectoryError:
        file = next((p for p in reversed(path.parents) if os.path.isfile(p)), path.parent)
        return False, f"cannot look there: {file.name} is a file, not a folder"
    except OSError as err:
        if err.errno == errno.ENAMETOOLONG:
            return False, f"the file name is too long (the most is {MAX_NAME_BYTES} bytes)"
        reason = (err.strerror or type(err).__name__).lower()
        return False, f"cannot look there: {reason}"
    return True, ""


def staff_images(staff: Document, media: Path) -> tuple[list[tuple[KeyPath, Path]], list[Problem]]:
    """Every image a staff file's ``points:`` names, resolved as the kiosk would, with its
    key path, and the problems of the names that cannot be looked up; for ``check`` when
    other errors keep the file's points from loading."""
    points = staff.data.get("points") if isinstance(staff.data, dict) else None
    if not isinstance(points, list):
        return [], []
    scratch = Validator(staff)
    found = []
    for index, item in enumerate(points):
        if isinstance(item, dict) and isinstance(item.get("image"), str):
            path = ("points", index, "image")
            folder = Path(staff.file).resolve().parent
            image = _image(item["image"], path, media, folder, scratch)
            if image is not None:
                found.append((path, image))
    return found, [p for p in scratch.problems if p.is_error]


def _marker(value: object, path: KeyPath, check: Validator) -> tuple[float, float] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        check.error(path, f"expected [x, y], two fractions from 0 to 1, got {describe(value)}")
        return None
    x = check.number(value[0], (*path, 0), 0, 1, "a fraction of the width")
    y = check.number(value[1], (*path, 1), 0, 1, "a fraction of the height")
    return None if x is None or y is None else (x, y)
