"""What a screen is made of: frozen elements, each with the rectangle it covers.

Screens are built from these by :mod:`kiosk.ui.screens` without touching the display, which
lets tests check every box for overflow and overlap, and lets the renderer repaint only the
elements that changed. :mod:`kiosk.ui.painter` paints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.ui.theme import BACKGROUND, Color

Rect = tuple[int, int, int, int]


@dataclass(frozen=True)
class Text:
    """Lines of text; ``rect`` is exactly the box they take. ``role`` names the text role."""

    rect: Rect
    lines: tuple[str, ...]
    size: int
    bold: bool
    color: Color
    line_height: int
    role: str = "body"
    align: str = "left"


@dataclass(frozen=True)
class Box:
    """A filled (``width`` 0) or outlined rounded rectangle."""

    rect: Rect
    color: Color
    radius: int = 0
    width: int = 0


@dataclass(frozen=True)
class Picture:
    """A point's drawing fitted and centred in ``rect``, with its marker."""

    rect: Rect
    image: Path | None
    name: str
    label: str
    marker: tuple[float, float] | None
    mirror: bool = False


@dataclass(frozen=True)
class Ring:
    """A countdown ring: a full track and an arc for the ``fraction`` of time left."""

    rect: Rect
    fraction: float
    color: Color
    track: Color
    thickness: int


@dataclass(frozen=True)
class Icon:
    """A simple drawn symbol: ``"warning"`` (a triangle with !), ``"check"``, ``"dot"``,
    ``"ring"`` (an empty dot)."""

    rect: Rect
    kind: str
    color: Color
    detail: Color = BACKGROUND


Element = Text | Box | Picture | Ring | Icon
