"""Fonts and text fitting: wrap at word boundaries, shrink only down to a floor.

Fitting is the expensive part of a layout (many ``Font.size`` calls), so results are kept in
bounded caches; a screen is laid out once and later frames reuse it.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

import pygame

from kiosk.ui.cache import LRU
from kiosk.ui.theme import Role

#: FreeType may not open two faces at once (pygame lets go of the interpreter lock while it
#: opens one), and screens are laid out on two threads: every font is opened under this.
_OPENING = threading.Lock()


def open_font(path: Path | None, size: int) -> pygame.font.Font:
    """``pygame.font.Font(path, size)``, one at a time across threads."""
    with _OPENING:
        return pygame.font.Font(path, size)


class Fonts:
    """The bundled DejaVu Sans faces at any pixel size (a few dozen kept open).

    Rendered lines are not kept: a countdown would leave a surface per second behind, and
    rendering a screen's lines again takes well under a millisecond.

    :param folder: the folder holding ``DejaVuSans.ttf`` and ``DejaVuSans-Bold.ttf``.
    """

    def __init__(self, folder: Path) -> None:
        self.regular = folder / "DejaVuSans.ttf"
        self.bold = folder / "DejaVuSans-Bold.ttf"
        self._fonts: LRU[pygame.font.Font] = LRU(48)
        self._caps: dict[tuple[float, bool], int] = {}

    def font(self, size: int, bold: bool = False) -> pygame.font.Font:
        return self._fonts.get_or(
            (size, bold), lambda: open_font(self.bold if bold else self.regular, size)
        )

    def cache_size(self) -> int:
        return len(self._fonts)

    def size_for_caps(self, cap_px: float, bold: bool = False) -> int:
        """The smallest pixel size whose capital H is at least ``cap_px`` tall, measured
        on the bundled face itself as FreeType draws it (hinting rounds it to whole
        pixels, so a ratio from the font's tables could be a pixel short)."""
        key = (round(cap_px, 3), bold)
        if key not in self._caps:
            size = max(1, math.floor(cap_px / 0.8))  # DejaVu's capitals are 0.73 of the size
            while self.cap_height(size, bold) < cap_px:
                size += 1
            self._caps[key] = size
        return self._caps[key]

    def cap_height(self, size: int, bold: bool = False) -> int:
        """How many pixels a capital H rises above the baseline at ``size``."""
        metrics = self.font(size, bold).metrics("H")[0]
        return metrics[3] if metrics else 0


def wrap(font: pygame.font.Font, text: str, width: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` at spaces (a word longer than
    the whole width is broken where it must be)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        attempt = f"{current} {word}" if current else word
        if font.size(attempt)[0] <= width:
            current = attempt
            continue
        if current:
            lines.append(current)
        current = word
        while font.size(current)[0] > width and len(current) > 1:
            cut = _longest_prefix(font, current, width)
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines or [""]


def _longest_prefix(font: pygame.font.Font, word: str, width: int) -> int:
    low, high = 1, len(word)
    while low < high:
        mid = (low + high + 1) // 2
        if font.size(word[:mid])[0] <= width:
            low = mid
        else:
            high = mid - 1
    return low


@dataclass(frozen=True)
class Wrapped:
    """A text wrapped at one size: its lines, the width of the longest and their spacing."""

    lines: tuple[str, ...]
    width: int
    line_height: int


def wrap_at(
    fonts: Fonts, text: str, role: Role, size: int, width: int, balance: bool = False
) -> Wrapped:
    """``text`` wrapped at ``size`` into ``width``. With ``balance``, lines are made as even
    as possible (the narrowest width giving the same number of lines), so no lone word
    hangs on the last line."""
    font = fonts.font(size, role.bold)
    lines = tuple(wrap(font, text, width))
    if balance and len(lines) > 1:
        low, high = width // 2, width
        while low < high:
            mid = (low + high) // 2
            if len(wrap(font, text, mid)) <= len(lines):
                high = mid
            else:
                low = mid + 1
        lines = tuple(wrap(font, text, high))
    line_height = font.get_linesize()
    used = max(font.size(line)[0] for line in lines)
    return Wrapped(lines, used, line_height)


def size_for(role: Role, unit: int, scale: float, floor: int, squeeze: float = 1.0) -> int:
    """The pixel size of ``role`` at ``scale`` (1 = largest), never below its floor
    (``floor``, the body text's, times the role's) times ``squeeze`` (1 except as a last
    resort for one text longer than a whole screen at the floor)."""
    lowest = floor * role.floor
    largest = max(role.largest * unit, lowest)
    return max(math.ceil(lowest * squeeze), round(largest * scale))
