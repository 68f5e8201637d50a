"""The language marks on the idle screen: one small button per language, the one on screen lit.

A patient who reads Spanish sees the idle cards in Spanish in turn (the session's idle cycle)
and the mark "Español" lit then; on a touchscreen a tap on a mark starts the session in that
language. The marks are laid out as one more text of the idle screen (:func:`marks_text`, the
names with room between them, fitted like any text and so sized like every idle card's),
then that text is drawn as marks (:func:`language_marks`): each name on a pill of its own.
"""

from __future__ import annotations

import dataclasses

from kiosk.ui.elements import Box, Element, Rect, Text
from kiosk.ui.text import Fonts
from kiosk.ui.theme import ACCENT, ON_ACCENT, TEXT

#: What stands between two names while the text is fitted (the room between two marks).
GAP = "··"
#: A mark reaches this far (in units of its text size) beyond its name on each side.
PAD_X, PAD_Y = 0.3, 0.12

#: A tap target: the mark's rectangle and the language's index.
Target = tuple[Rect, int]


def marks_text(names: tuple[str, ...]) -> str:
    """The text the marks take the place of ("" for one language: no marks)."""
    return f" {GAP} ".join(names) if len(names) > 1 else ""


def language_marks(
    elements: tuple[Element, ...], fonts: Fonts, names: tuple[str, ...], current: int
) -> tuple[tuple[Element, ...], tuple[Target, ...]]:
    """``elements`` with the marks' text drawn as marks, language ``current`` lit, and the
    marks' tap targets. A line whose names the fitting split is left as text."""
    text = marks_text(names)
    found = [e for e in elements if isinstance(e, Text) and " ".join(e.lines) == text]
    if not text or not found:
        return elements, ()
    shown = found[-1]
    marks: list[Element] = []
    targets: list[Target] = []
    for number, line in enumerate(shown.lines):
        top = shown.rect[1] + number * shown.line_height
        drawn = _line(line, shown, top, fonts, names, current)
        if drawn is None:
            rect = (shown.rect[0], top, shown.rect[2], shown.line_height)
            marks.append(dataclasses.replace(shown, rect=rect, lines=(line,)))
            continue
        marks += drawn[0]
        targets += drawn[1]
    rest = tuple(e for e in elements if e is not shown)
    return rest + tuple(marks), tuple(targets)


def _line(
    line: str, shown: Text, top: int, fonts: Fonts, names: tuple[str, ...], current: int
) -> tuple[list[Element], list[Target]] | None:
    """One line of the marks' text as marks, or None when it holds part of a name."""
    font = fonts.font(shown.size, shown.bold)
    parts = [p for p in line.split(f" {GAP} ")]
    parts = [p.strip().removeprefix(GAP).removesuffix(GAP).strip() for p in parts]
    if not all(p in names for p in parts if p):
        return None
    pad_x, pad_y = round(PAD_X * shown.size), round(PAD_Y * shown.size)
    height = shown.line_height + 2 * pad_y
    elements: list[Element] = []
    targets: list[Target] = []
    for part in (p for p in parts if p):
        start = line.index(part)
        x = shown.rect[0] + font.size(line[:start])[0]
        width = font.size(part)[0]
        index = names.index(part)
        rect = (x - pad_x, top - pad_y, width + 2 * pad_x, height)
        lit = index == current
        border = 0 if lit else max(2, round(shown.size * 0.08))
        elements.append(Box(rect, ACCENT if lit else TEXT, radius=height // 2, width=border))
        color = ON_ACCENT if lit else TEXT
        text_rect = (x, top, width, shown.line_height)
        elements.append(dataclasses.replace(shown, rect=text_rect, lines=(part,), color=color))
        targets.append((rect, index))
    return elements, targets


def target_at(targets: tuple[Target, ...], x: float, y: float) -> int | None:
    """The language whose mark is at pixel (``x``, ``y``), or None."""
    for (rx, ry, rw, rh), index in targets:
        if rx <= x < rx + rw and ry <= y < ry + rh:
            return index
    return None
