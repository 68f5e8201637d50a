"""Colours and type sizes of every screen, in one place.

Sizes are fractions of the screen's short side (``unit``), so the same layout reads the same
on the 800x480 touchscreen and on a 4K television. The body text floor is set by what a
patient can read: capital letters of about 1/200 of the viewing distance, i.e. 10 mm at two
metres on a 24-inch 1080p screen (36 px) and 3 mm at 60 cm on the 7-inch touchscreen (16 px):
both are about 1/30 of the short side.
"""

from __future__ import annotations

from dataclasses import dataclass

Color = tuple[int, int, int]

BACKGROUND: Color = (14, 26, 36)
TEXT: Color = (245, 247, 250)
MUTED: Color = (196, 208, 218)
ACCENT: Color = (255, 200, 61)
ON_ACCENT: Color = (14, 26, 36)
WARNING: Color = (255, 159, 67)
CARD: Color = (244, 241, 236)
ON_CARD: Color = (20, 24, 28)
TRACK: Color = (44, 62, 78)
SUCCESS: Color = (120, 220, 140)

#: Cap height of DejaVu Sans as a fraction of the font size (units per em 2048, caps 1493).
CAP_HEIGHT = 1493 / 2048
#: The smallest capital letters body text may have, as a fraction of the short side.
CAP_FLOOR = 1 / 30


@dataclass(frozen=True)
class Role:
    """A kind of text: its largest and smallest size (fractions of the short side)."""

    name: str
    largest: float
    smallest: float
    bold: bool = False
    color: Color = TEXT


BODY_FLOOR = CAP_FLOOR / CAP_HEIGHT  # about 0.0457 of the short side

HEADING = Role("heading", 0.09, 0.062, bold=True, color=ACCENT)
BODY = Role("body", 0.062, BODY_FLOOR)
STRONG = Role("strong", 0.062, BODY_FLOOR, bold=True)
LABEL = Role("label", 0.058, BODY_FLOOR, color=MUTED)
PILL = Role("pill", 0.064, BODY_FLOOR, bold=True, color=ON_ACCENT)
NOTICE = Role("notice", 0.03, 0.03, color=TEXT)  # staff-only corner notice, not for patients

#: Roles a patient must read from two metres: held to the floor by the tests.
READABLE = (HEADING, BODY, STRONG, LABEL, PILL)


def contrast(a: Color, b: Color) -> float:
    """WCAG 2.x contrast ratio of two sRGB colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def luminance(color: Color) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
