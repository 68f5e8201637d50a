"""Where a tap is on the drawn frame, from where it is on the screen.

The kiosk draws a frame and turns it onto a screen mounted on its side or upside down
(``hardware.rotation``); a touch screen reports where a finger is on the screen as it is
mounted. :func:`frame_point` turns that back, so a tap on a language mark finds the mark.
"""

from __future__ import annotations


def frame_point(x: float, y: float, rotation: int) -> tuple[float, float]:
    """The point of the drawn frame at (``x``, ``y``) on the screen, all as fractions of
    width and height from the top left, when the frame is turned ``rotation`` degrees
    clockwise onto the screen (90: the frame's top edge is the screen's right edge)."""
    if rotation == 90:
        return (y, 1 - x)
    if rotation == 180:
        return (1 - x, 1 - y)
    if rotation == 270:
        return (1 - y, x)
    return (x, y)
