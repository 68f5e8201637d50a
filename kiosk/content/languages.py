"""The content in every language: the English content, then the others, in their own words.

A language other than English is an entry of ``languages:`` (its code: ``es``) with the same
``texts``, ``safety``, ``summary``, ``side_effects`` and ``points`` as the top of the file, in
its words. Its points are found by id; their hold times, sides, drawings and markers are the
routine's (the top ``points:``), so every language runs the same routine::

    languages_shown: [es, en]     # Spanish first: the default
    languages:
      es:
        texts:
          invite: "Pulse el botón grande para empezar"
        points:
          - id: LI4
            reminder: "Apriete con el pulgar. Respire despacio."

A staff file changes a built-in language (only what it names) or adds a new one, which
must then give every text and every point of the routine: :func:`build_languages` reports
what is missing, as an error with the file and line, so ``check`` fails before a patient
meets an English line in a French session. ``languages_shown`` picks the languages patients
are offered and their order; the first is the default.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from kiosk.content.build import MAX_FIND_LINES, MAX_PAGE_LINES, PAGES, read_lines
from kiosk.content.model import Content, Page, Point
from kiosk.content.validation import Validator, describe, placeholders
from kiosk.content.yamlfile import Document, KeyPath

#: The code of the texts and points at the top of the file.
MAIN = "en"
#: A language code: two or three small letters, maybe a region or script (pt-BR, zh-Hant).
CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
#: The most languages one kiosk offers (each one adds a card to the idle cycle).
MAX_LANGUAGES = 8
#: What a language's point may say: its words. The rest is the routine's.
WORDS = ("name", "where", "find", "caution", "reminder")
NEEDED_WORDS = ("name", "where", "find", "reminder")
LANGUAGE_KEYS = ["texts", *PAGES, "points"]


def build_languages(
    builtin: Document, staff: Document | None, main: Content, check: Validator
) -> dict[str, Content]:
    """Every language shown, in order (the default first): ``main`` (the top of the file)
    as :data:`MAIN` and each other language, the built-in words overridden by ``staff``'s.
    Problems go to ``check`` (a language with errors is left out)."""
    base = _mapping(builtin.data, "languages")
    over: dict[str, object] = {}
    if staff is not None and isinstance(staff.data, dict) and "languages" in staff.data:
        over = _staff_languages(staff.data["languages"], check)
    codes = [MAIN, *base, *(code for code in over if code not in base)]
    shown = _shown(builtin, staff, codes, check)
    contents: dict[str, Content] = {}
    for code in shown:
        if code == MAIN:
            contents[code] = main
            continue
        before = len(check.problems)
        fills = builtin.data["texts"] if isinstance(builtin.data, dict) else {}
        built = _language(code, base.get(code), over.get(code), main, fills, check)
        if not any(p.is_error for p in check.problems[before:]):
            contents[code] = built
    for code in over:
        if code not in shown:
            check.warn(
                ("languages", code),
                f"`{code}` is not in languages_shown, so patients never see it; add it there",
            )
    return contents or {MAIN: main}


def _mapping(data: object, key: str) -> dict:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _staff_languages(value: object, check: Validator) -> dict[str, object]:
    if not isinstance(value, dict):
        check.error(
            ("languages",),
            f"expected a language code with its texts under it (`es:`), got {describe(value)}",
        )
        return {}
    good: dict[str, object] = {}
    for code, words in value.items():
        if code == MAIN:
            check.error(
                ("languages", code),
                f"the English ({MAIN}) texts and points are the ones at the top of the file "
                "(`texts:`, `points:`): change them there",
            )
        elif not isinstance(code, str) or not CODE.match(code):
            check.error(
                ("languages", code),
                f"expected a language code of two or three small letters (es, fr, pt-BR), "
                f"got {describe(code)}",
            )
        else:
            good[code] = words
    return good


def _shown(
    builtin: Document, staff: Document | None, codes: list[str], check: Validator
) -> list[str]:
    """The codes of ``languages_shown`` (the staff file's, else the built-in one's)."""
    value = builtin.data.get("languages_shown") if isinstance(builtin.data, dict) else None
    if staff is not None and isinstance(staff.data, dict) and "languages_shown" in staff.data:
        value = staff.data["languages_shown"]
    path: KeyPath = ("languages_shown",)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        check.error(path, f"expected a list of language codes ([en, es]), got {describe(value)}")
        return [MAIN]
    if len(value) > MAX_LANGUAGES:
        check.error(path, f"has {len(value)} languages; at most {MAX_LANGUAGES}")
        return [MAIN]
    shown: list[str] = []
    for index, code in enumerate(value):
        if code not in codes:
            known = ", ".join(codes)
            check.error(
                (*path, index),
                f"{describe(code)} is not a language here (there are {known}); a new one "
                "needs its texts and points under `languages:`",
            )
        elif code in shown:
            check.error((*path, index), f"`{code}` is listed twice")
        else:
            shown.append(code)
    return shown or [MAIN]


def _language(
    code: str, base: object, over: object, main: Content, fills: Mapping, check: Validator
) -> Content:
    """The language ``code``: its built-in words (``base``, None for a new language) with
    the staff file's (``over``) on top; every text and point ``main`` has must be there."""
    path: KeyPath = ("languages", code)
    base = base if isinstance(base, dict) else {}
    mine = check.mapping(over, path, LANGUAGE_KEYS) if over is not None else {}
    texts = _texts(code, base.get("texts"), mine.get("texts"), main, fills, check)
    pages = {name: _page(base.get(name), mine.get(name), (*path, name), check) for name in PAGES}
    points = _points(code, base.get("points"), mine.get("points"), main, check)
    return Content(
        texts, pages["safety"], pages["summary"], pages["side_effects"], points, language=code
    )


def _texts(
    code: str, base: object, over: object, main: Content, fills: Mapping, check: Validator
) -> dict:
    """The texts of ``code``; each may use the {placeholders} the kiosk fills in for its key
    (``fills``: the built-in English texts)."""
    path: KeyPath = ("languages", code, "texts")
    texts = {k: v for k, v in (base or {}).items() if k in main.texts} if base else {}
    if over is not None:
        for key, value in check.mapping(over, path, list(main.texts)).items():
            allowed = placeholders(str(fills.get(key, main.texts[key]))) or ()
            text = check.text(value, (*path, key), placeholders=allowed)
            if text is not None:
                texts[key] = text
    missing = [key for key in main.texts if key not in texts]
    if missing:
        check.error(
            path,
            f"`{code}` has no {_listed(missing)} text{'s' if len(missing) > 1 else ''}: every "
            "language needs every text (`acupressure-kiosk defaults` lists them)",
        )
    return texts


def _page(base: object, over: object, path: KeyPath, check: Validator) -> Page:
    words = dict(base) if isinstance(base, dict) else {}
    if over is not None:
        values = check.mapping(over, path, ["title", "lines"])
        if "title" in values:
            words["title"] = check.text(values["title"], (*path, "title"))
        if "lines" in values:
            words["lines"] = read_lines(values["lines"], (*path, "lines"), MAX_PAGE_LINES, check)
    missing = [key for key in ("title", "lines") if key not in words]
    if missing:
        check.error(path, f"has no {_listed(missing)}: every language needs the whole page")
    return Page(str(words.get("title") or ""), tuple(words.get("lines") or ()))


def _points(
    code: str, base: object, over: object, main: Content, check: Validator
) -> tuple[Point, ...]:
    path: KeyPath = ("languages", code, "points")
    words = {p["id"]: dict(p) for p in base or () if isinstance(p, dict) and "id" in p}
    routine = [p.id for p in main.points]
    for index, item in enumerate(_staff_list(over, path, check)):
        values = check.mapping(item, (*path, index), ["id", *WORDS, *_ROUTINE_KEYS])
        if not isinstance(item, dict):
            continue  # told above
        for key in [k for k in values if k in _ROUTINE_KEYS]:
            check.error(
                (*path, index, key),
                f"`{key}` is the same in every language: set it in the points at the top",
            )
        pid = values.get("id")
        if pid not in routine:
            check.warn(
                (*path, index, "id"),
                f"{describe(pid)} is not a point of the routine (the top `points:`), so "
                "these words are not used",
            )
            continue
        read = _words(values, (*path, index), check)
        words[str(pid)] = words.get(str(pid), {}) | read
    points = []
    for point in main.points:
        have = words.get(point.id, {})
        missing = [key for key in NEEDED_WORDS if key not in have]
        if point.caution and "caution" not in have:
            missing.append("caution")
        if missing:
            check.error(
                path,
                f"`{code}` has no {_listed(missing)} for point {point.id}: every language "
                f"needs the words of every point (`- id: {point.id}` with them)",
            )
            continue
        points.append(
            _worded(
                point,
                have["name"],
                have["where"],
                tuple(have["find"]),
                have["reminder"],
                have.get("caution"),
            )
        )
    return tuple(points)


def _worded(
    point: Point, name: str, where: str, find: tuple[str, ...], reminder: str, caution: str | None
) -> Point:
    """The routine's ``point`` in other words (a caution only where the routine has one)."""
    return dataclasses.replace(
        point,
        name=name,
        where=where,
        find=find,
        reminder=reminder,
        caution=caution if point.caution else None,
    )


def with_routine(other: Content, main: Content) -> Content:
    """``other`` (a language) with ``main``'s routine: its points in ``main``'s order with
    ``main``'s hold times, sides and drawings, in ``other``'s words (``main``'s words for a
    point ``other`` has none for). ``other`` itself when that changes nothing."""
    words = {point.id: point for point in other.points}
    points = tuple(
        _worded(p, w.name, w.where, w.find, w.reminder, w.caution or p.caution)
        if (w := words.get(p.id))
        else p
        for p in main.points
    )
    return other if points == other.points else dataclasses.replace(other, points=points)


_ROUTINE_KEYS = ("hold_seconds", "sides", "image", "marker")


def _staff_list(value: object, path: KeyPath, check: Validator) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        check.error(path, f"expected a list of points (`- id: ...`), got {describe(value)}")
        return []
    return value


def _words(values: Mapping[str, object], path: KeyPath, check: Validator) -> dict:
    """The words of one point as the staff file gives them (the ones that pass)."""
    read: dict[str, object] = {}
    for key in WORDS:
        if key not in values:
            continue
        if key == "find":
            lines = read_lines(values[key], (*path, key), MAX_FIND_LINES, check)
            if lines:
                read[key] = lines
        else:
            text = check.text(values[key], (*path, key))
            if text is not None:
                read[key] = text
    return read


def _listed(keys: list[str]) -> str:
    shown = [f"`{key}`" for key in keys[:6]]
    more = f" and {len(keys) - 6} more" if len(keys) > 6 else ""
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + (f", {shown[-1]}{more}" if more else f" or {shown[-1]}")


def every_text(content: Content) -> list[tuple[KeyPath, str]]:
    """Every text of ``content`` with its key path as at the top of the file (``("texts",
    "invite")``, ``("points", 2, "find", 0)``): :func:`language_path` gives its place in the
    language's own entry."""
    found: list[tuple[KeyPath, str]] = [(("texts", k), v) for k, v in content.texts.items()]
    for name in PAGES:
        page: Page = getattr(content, name)
        found.append(((name, "title"), page.title))
        found += [((name, "lines", i), line) for i, line in enumerate(page.lines)]
    for index, point in enumerate(content.points):
        here: KeyPath = ("points", index)
        found += [((*here, "name"), point.name), ((*here, "where"), point.where)]
        found += [((*here, "find", i), line) for i, line in enumerate(point.find)]
        found.append(((*here, "reminder"), point.reminder))
        if point.caution:
            found.append(((*here, "caution"), point.caution))
    return found


def language_path(data: object, code: str, path: KeyPath, ids: tuple[str, ...]) -> KeyPath:
    """Where the text at ``path`` (as at the top of the file) is for language ``code``:
    ``path`` itself for :data:`MAIN`, else under ``languages: code:``, a point found by its
    id in that language's ``points:`` list of ``data`` (a staff file's or the built-in)."""
    if code == MAIN:
        return path
    if path[:1] != ("points",) or len(path) < 2 or not isinstance(path[1], int):
        return ("languages", code, *path)
    pid = ids[path[1]] if 0 <= path[1] < len(ids) else None
    entry = _mapping(_mapping(data, "languages"), code)
    listed = entry.get("points") if isinstance(entry.get("points"), list) else []
    for index, item in enumerate(listed):
        if isinstance(item, dict) and item.get("id") == pid:
            return ("languages", code, "points", index, *path[2:])
    return ("languages", code, "points", path[1], *path[2:])
