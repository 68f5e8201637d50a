"""Colours and type sizes of every screen, in one place.

Sizes are fractions of the screen's short side (``unit``), so the same layout looks the same
on the 800x480 touchscreen and on a 4K television; but no text is ever smaller than its
floor, which is physical: body text has capital letters at least 4.8 mm tall on the glass
(:data:`kiosk.core.screensize.CAP_MM`, 508 §402.4 / ADA §707) and at least 1/30 of the short
side (10 mm at two metres on a 24-inch 1080p screen), headings 1.3 times that
(:func:`kiosk.ui.columns.body_floor`). The floor in pixels comes from the screen's pixel pitch
(:class:`kiosk.ui.columns.Frame`) and the bundled font's own capitals
(:meth:`kiosk.ui.text.Fonts.size_for_caps`). On the 7-inch touchscreen (0.19 mm per pixel)
that is 25 px capitals, far more than the share: a screen whose text does not fit at the
floor there is split into pages.
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


@dataclass(frozen=True)
class Role:
    """A kind of text: its largest size (a fraction of the short side) and its floor (a
    multiple of the body text's physical floor: 1.3 for headings)."""

    name: str
    largest: float
    floor: float = 1.0
    bold: bool = False
    color: Color = TEXT


HEADING = Role("heading", 0.09, 1.3, bold=True, color=ACCENT)
BODY = Role("body", 0.062)
STRONG = Role("strong", 0.062, bold=True)
LABEL = Role("label", 0.058, color=MUTED)
PILL = Role("pill", 0.064, bold=True, color=ON_ACCENT)
NOTICE = Role("notice", 0.03, 0.0)  # staff-only corner notice, not for patients
#: The countdown's number is at least this many times the heading's floor.
NUMBER_FLOOR = 1.6

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
