"""How big a screen's pixels are in millimetres: from its EDID, a diagonal, or its resolution.

Text is readable when its capital letters are tall enough on the glass (4.8 mm, 508 §402.4 and
ADA §707), not when they take some share of the screen: 40 pixels are 7.6 mm on the 7-inch
touchscreen and 6.2 mm on a 27-inch 4K monitor. So the layout needs the pixel pitch, and it
comes from the first of these that is known:

1. ``screen_diagonal_inches`` in the staff file (the staff measured it: it wins);
2. the screen's EDID (:func:`edid_size`): the size the monitor says it is;
3. the common size for the resolution (:data:`COMMON_DIAGONALS`), and a fine pitch for any
   other resolution, so an unknown screen errs towards larger text.

Plain Python: the bytes and numbers come in, :class:`Physical` goes out. Reading the EDID
from ``/sys/class/drm`` is :mod:`kiosk.devices.edid`'s job.

Example::

    physical = edid_size(Path("/sys/class/drm/card1-HDMI-A-1/edid").read_bytes())
    pitch = pitch_mm((1920, 1080), physical=physical)  # about 0.28 on a 24-inch monitor
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MM_PER_INCH = 25.4
#: The capital height body text must reach on the glass, in millimetres (3/16 inch).
CAP_MM = 4.8

#: The size a screen of each resolution most likely is, in inches of diagonal (either way
#: round: a portrait screen is a landscape one on its side). Where a resolution comes in
#: many sizes, the smaller common one is taken, as that errs towards larger text:
#:
#: - 800x480: the official Raspberry Pi 7-inch touchscreen (on DSI: it has no EDID); its
#:   panel is 154.08 x 85.92 mm (:data:`KNOWN_PANELS`: its pixels are not square)
#: - 1024x600: the 7-inch HDMI panels sold for the Pi (the 10-inch ones are 1280x800)
#: - 720x1280: the Raspberry Pi Touch Display 2 (7 inch, portrait)
#: - 1280x800: 10.1-inch HDMI panels
#: - 1280x720: small 720p televisions and monitors (24 inch)
#: - 1366x768: 18.5-inch monitors (laptop panels are smaller but are not kiosks)
#: - 1920x1080: the 24-inch monitor, the most common desktop size (0.28 mm per pixel)
#: - 2560x1440: the 27-inch monitor
#: - 3840x2160: the 27-inch 4K monitor (a 4K television is larger, its text larger too)
COMMON_DIAGONALS: dict[tuple[int, int], float] = {
    (800, 480): 7.0,
    (1024, 600): 7.0,
    (1280, 720): 24.0,
    (1280, 800): 10.1,
    (720, 1280): 7.0,
    (1366, 768): 18.5,
    (1920, 1080): 24.0,
    (2560, 1440): 27.0,
    (3840, 2160): 27.0,
}
#: Panels whose active area is known to the millimetre (landscape): used for their
#: resolution instead of a diagonal and square pixels.
KNOWN_PANELS: dict[tuple[int, int], tuple[float, float]] = {
    (800, 480): (154.08, 85.92),  # Raspberry Pi 7-inch touchscreen (its data sheet)
}
#: The pitch assumed for a resolution not in the table (mm per pixel): the 7-inch
#: touchscreen's, finer than any common monitor's, so text is at least as large in pixels.
UNKNOWN_PITCH = 0.19

#: An EDID size outside these (mm) is not believed: a projector says 0, and some televisions
#: put their aspect ratio (16 x 9 "cm") where the size goes.
SMALLEST_MM = 40
LARGEST_MM = 4000
#: How far (as a share) the millimetres' shape may differ from the pixels' before a size is
#: taken for a wrong one (square pixels are assumed).
SHAPE_SLACK = 0.12


@dataclass(frozen=True)
class Physical:
    """The picture's size on the glass in millimetres, in the panel's own orientation
    (as the EDID gives it: wider than tall for a monitor)."""

    width_mm: float
    height_mm: float

    def turned(self, rotation: int) -> Physical:
        """The size as the kiosk draws on it, the picture turned ``rotation`` degrees."""
        if rotation % 180 == 90:
            return Physical(self.height_mm, self.width_mm)
        return self

    @property
    def diagonal_inches(self) -> float:
        return math.hypot(self.width_mm, self.height_mm) / MM_PER_INCH


@dataclass(frozen=True)
class Pitch:
    """Millimetres per pixel down the screen as drawn, and where the figure came from
    (``"screen_diagonal_inches"``, ``"EDID"``, ``"the common 7-inch size for 800x480"``)."""

    mm: float
    source: str

    @property
    def cap_px(self) -> float:
        """The capital height, in pixels, that is :data:`CAP_MM` on this screen."""
        return CAP_MM / self.mm


def pitch_mm(
    size: tuple[int, int],
    diagonal_inches: float | None = None,
    physical: Physical | None = None,
    rotation: int = 0,
) -> Pitch:
    """The vertical pixel pitch of a screen drawn at ``size`` (pixels, as drawn: turned by
    ``rotation`` already), from the first known of a diagonal, an EDID size (in the panel's
    orientation) and the resolution (see the module docstring)."""
    width, height = size
    if diagonal_inches:
        mm = diagonal_inches * MM_PER_INCH / math.hypot(width, height)
        return Pitch(mm, f"screen_diagonal_inches: {diagonal_inches:g}")
    if physical is not None and believable(physical, size, rotation):
        turned = physical.turned(rotation)
        return Pitch(turned.height_mm / height, f"the screen's EDID ({_inches(physical)})")
    common = COMMON_DIAGONALS.get((width, height)) or COMMON_DIAGONALS.get((height, width))
    if common is None:
        return Pitch(UNKNOWN_PITCH, f"{UNKNOWN_PITCH} mm per pixel (a size not known)")
    why = f"the common {common:g}-inch size for {width}x{height}"
    panel = KNOWN_PANELS.get((width, height)) or KNOWN_PANELS.get((height, width))
    if panel is None:
        return Pitch(common * MM_PER_INCH / math.hypot(width, height), why)
    down = panel[1] if width >= height else panel[0]
    return Pitch(down / height, why)


def believable(physical: Physical, size: tuple[int, int], rotation: int = 0) -> bool:
    """Whether an EDID size can be a screen's, drawn at ``size`` turned by ``rotation``:
    within :data:`SMALLEST_MM`..:data:`LARGEST_MM` and about the pixels' shape."""
    turned = physical.turned(rotation)
    sides = (turned.width_mm, turned.height_mm)
    if not all(SMALLEST_MM <= side <= LARGEST_MM for side in sides):
        return False
    shape_mm = turned.width_mm / turned.height_mm
    shape_px = size[0] / size[1]
    return abs(shape_mm / shape_px - 1) <= SHAPE_SLACK


def _inches(physical: Physical) -> str:
    return f"{physical.width_mm:g} x {physical.height_mm:g} mm, {physical.diagonal_inches:.1f} inch"


# -- EDID -------------------------------------------------------------------------------

EDID_HEADER = bytes((0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00))
EDID_BLOCK = 128
#: The first detailed timing descriptor (18 bytes): the preferred mode, with its size in mm.
FIRST_TIMING = 54


def edid_size(data: bytes) -> Physical | None:
    """The picture size an EDID base block gives, or None (not an EDID, a wrong checksum,
    no size given: a projector).

    The first detailed timing descriptor gives millimetres (bytes 12-14 of it); bytes 21-22
    of the block give whole centimetres. The millimetres are taken when they are there, as
    they are ten times finer.
    """
    if len(data) < EDID_BLOCK or data[:8] != EDID_HEADER or sum(data[:EDID_BLOCK]) % 256:
        return None
    timing = data[FIRST_TIMING : FIRST_TIMING + 18]
    if timing[0] or timing[1]:  # a pixel clock: a timing, not a monitor descriptor
        width_mm = timing[12] | (timing[14] >> 4) << 8
        height_mm = timing[13] | (timing[14] & 0x0F) << 8
        if width_mm and height_mm:
            return Physical(width_mm, height_mm)
    width_cm, height_cm = data[21], data[22]
    if width_cm and height_cm:
        return Physical(width_cm * 10, height_cm * 10)
    return None


def edid_mode(data: bytes) -> tuple[int, int] | None:
    """The preferred mode's pixels (the first detailed timing), or None: to tell whether
    an EDID is the screen's that shows the kiosk."""
    if len(data) < EDID_BLOCK or data[:8] != EDID_HEADER:
        return None
    timing = data[FIRST_TIMING : FIRST_TIMING + 18]
    if not (timing[0] or timing[1]):
        return None
    return timing[2] | (timing[4] >> 4) << 8, timing[5] | (timing[7] >> 4) << 8
