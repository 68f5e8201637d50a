"""One layout system for every screen: frames, columns and stacks of fitted text.

Every size comes from the screen: the short side is the unit, margins and gaps are fractions
of it. A column of text blocks is fitted by shrinking all its text together, step by step,
never below each role's floor; if it still does not fit, the caller gets ``overflow`` and
gives the column more room (a smaller or no illustration) rather than cutting text off.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from kiosk.core.screensize import Pitch, pitch_mm
from kiosk.ui.elements import Box, Element, Icon, Rect, Text
from kiosk.ui.text import Fonts, size_for, wrap_at
from kiosk.ui.theme import ACCENT, ON_ACCENT, Color, Role

SCALES = tuple(1.0 - i * 0.04 for i in range(20))
#: Past every role's floor, text that still does not fit is squeezed below it rather than
#: cut off or overlapped, and the column reports ``overflow`` (``check`` names the screen).
SQUEEZES = (0.9, 0.8, 0.7, 0.6, 0.5)
STEPS = tuple((scale, 1.0) for scale in SCALES) + tuple((0.0, f) for f in SQUEEZES)
#: What is tried once a layout is past its time budget: the floor, then the last resort.
FLOOR = (0.0, 1.0)
LATE_STEPS = (FLOOR, STEPS[-1])
#: The least space between the top and the bottom blocks of a column (fraction of unit).
GROUP_GAP = 0.035


@dataclass(frozen=True)
class Frame:
    """The screen's geometry: size, unit (short side), margin and orientation, and how
    large its pixels are (``pitch``; None: the usual size for the resolution, see
    :func:`kiosk.core.screensize.pitch_mm`)."""

    width: int
    height: int
    pitch: Pitch | None = None

    @property
    def mm_per_px(self) -> Pitch:
        """The pixel pitch given, else the one assumed for this resolution."""
        return self.pitch or pitch_mm((self.width, self.height))

    @property
    def unit(self) -> int:
        return min(self.width, self.height)

    @property
    def margin(self) -> int:
        return round(self.unit * 0.045)

    @property
    def landscape(self) -> bool:
        return self.width >= self.height * 1.2

    @property
    def inner(self) -> Rect:
        m = self.margin
        return (m, m, self.width - 2 * m, self.height - 2 * m)


def split(rect: Rect, fraction: float, gap: int, across: bool) -> tuple[Rect, Rect]:
    """Cut ``rect`` in two: the first part takes ``fraction`` of it (minus half the gap).
    ``across`` cuts left/right, otherwise top/bottom."""
    x, y, w, h = rect
    if across:
        first = round((w - gap) * fraction)
        return (x, y, first, h), (x + first + gap, y, w - first - gap, h)
    first = round((h - gap) * fraction)
    return (x, y, w, first), (x, y + first + gap, w, h - first - gap)


#: Capitals of at least this share of the short side, on any screen: 10 mm at two metres on
#: a 24-inch 1080p screen (1/200 of the distance), what the kiosk has always held to.
SHARE_CAPS = 1 / 30
#: Below this short side (pixels) a screen is a preview, or a small screen read at arm's
#: length: its text keeps its share of the screen alone (4.8 mm would not fit on it at all).
PATIENT_UNIT = 480


def body_floor(fonts: Fonts, frame: Frame) -> int:
    """The smallest pixel size of body text on ``frame``: capitals of CAP_MM on the glass
    and of SHARE_CAPS of the short side, whichever is larger (below PATIENT_UNIT, the share
    alone)."""
    share = fonts.size_for_caps(frame.unit * SHARE_CAPS)
    if frame.unit < PATIENT_UNIT:
        return share
    return max(share, fonts.size_for_caps(frame.mm_per_px.cap_px))


@dataclass(frozen=True)
class Block:
    """A piece of text in a column.

    ``gap`` is the space before it in units of its own font size. ``bullet`` is a short
    prefix in a hanging indent ("1.") and ``icon`` a drawn symbol there instead. Text in the
    ``pill`` role is drawn in an accent box, like a button label.
    """

    text: str
    role: Role
    gap: float = 0.45
    bullet: str | None = None
    icon: str | None = None
    color: Color | None = None

    @property
    def pill(self) -> bool:
        return self.role.name == "pill"

    align: str = "left"
    #: Where the text comes from in the configuration (``("points", 0, "reminder")``), so
    #: ``check`` can name it; () for none.
    source: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class Column:
    """A fitted column: its elements, the scale used and whether it overflowed. ``floor``
    has each block with the number of lines it takes at its role's floor, when the floor
    was tried (always with ``floor_only``)."""

    elements: tuple[Element, ...]
    scale: float
    overflow: bool
    longest: str = ""
    late: bool = False
    floor: tuple[tuple[Block, int], ...] = ()


def fit_column(
    fonts: Fonts,
    unit: int,
    rect: Rect,
    top: list[Block],
    bottom: list[Block] = (),  # type: ignore[assignment]
    deadline: float | None = None,
    largest: float = 1.0,
    floor_only: bool = False,
    *,
    floor_px: int,
) -> Column:
    """Lay out ``top`` blocks from the top of ``rect`` and ``bottom`` ones from its bottom,
    at the largest common scale that fits (see the module docstring), and never above
    ``largest`` (a scale shared by every point's screen of one kind, so they look alike).
    ``floor_px`` is the body text's smallest pixel size (:func:`body_floor`).

    Past ``deadline`` (a ``time.monotonic()`` value) the search stops: the text is set at
    the floor if it fits there, else at the last resort's size, and the column says it was
    ``late``: a staff file full of the longest allowed texts must not hold up the kiosk for
    seconds per screen. With ``floor_only`` only the floor and the last resort are tried,
    whatever the clock says: what ``check`` needs to know, the same on any machine.
    """
    x, y, w, h = rect
    late = False
    floor: tuple[tuple[Block, int], ...] = ()
    steps = ((step, False) for step in LATE_STEPS) if floor_only else _steps(deadline, largest)
    tried: tuple[int, ...] | None = None
    for (scale, squeeze), late in steps:  # noqa: B007 (used after the loop)
        sizes = tuple(size_for(b.role, unit, scale, floor_px, squeeze) for b in (*top, *bottom))
        if sizes == tried and (scale, squeeze) != FLOOR:
            continue  # the same sizes as the step before (every step is the floor on a
            # small screen): it did not fit then
        tried = sizes
        # check only counts lines: balancing them (the same number, evener) would not change that
        balance = not floor_only
        tops = [_measure(fonts, unit, floor_px, b, w, scale, squeeze, balance) for b in top]
        bottoms = [_measure(fonts, unit, floor_px, b, w, scale, squeeze, balance) for b in bottom]
        if (scale, squeeze) == FLOOR:
            floor = tuple((m.block, len(m.lines)) for m in (*tops, *bottoms))
        need = sum(m.total for m in tops) + sum(m.total for m in bottoms)
        if tops and bottoms:
            need += round(unit * GROUP_GAP)
        if need <= h:
            break
    elements: list[Element] = []
    cursor = y
    for index, m in enumerate(tops):
        cursor += m.gap if index else 0
        elements += m.place(x, cursor, w)
        cursor += m.height
    cursor_bottom = y + h
    for index, m in enumerate(reversed(bottoms)):
        cursor_bottom -= m.height
        elements += m.place(x, cursor_bottom, w)
        cursor_bottom -= m.gap if index < len(bottoms) - 1 else 0
    overflow = need > h or squeeze < 1.0
    longest = max([*tops, *bottoms], key=lambda m: m.height, default=None)
    longest_text = longest.block.text if longest else ""
    return Column(tuple(elements), scale, overflow, longest_text, late, floor)


def _steps(
    deadline: float | None, largest: float = 1.0
) -> Iterator[tuple[tuple[float, float], bool]]:
    """The sizes to try, largest first (from ``largest``), each with whether the deadline had
    passed. Once it has, only two are left: the floor (so ``overflow`` still tells whether
    the text fits at the smallest readable size) and the last resort."""
    for step in STEPS:
        if step[0] > largest + 1e-9:
            continue
        if deadline is not None and time.monotonic() > deadline:
            break
        yield step, False
    else:
        return
    for step in LATE_STEPS:
        yield step, True


@dataclass(frozen=True)
class _Measured:
    block: Block
    size: int
    lines: tuple[str, ...]
    line_height: int
    text_width: int
    indent: int
    pad: tuple[int, int]
    gap: int

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines) + 2 * self.pad[1]

    @property
    def total(self) -> int:
        return self.height + self.gap

    def place(self, x: int, y: int, width: int) -> list[Element]:
        b = self.block
        role = b.role
        color = b.color or role.color
        out: list[Element] = []
        pad_x, pad_y = self.pad
        if b.pill:
            box_w = self.text_width + 2 * pad_x
            box_x = x + (width - box_w) // 2 if b.align == "center" else x
            out.append(Box((box_x, y, box_w, self.height), ACCENT, radius=self.size // 2))
            x = box_x
            color = ON_ACCENT
        text_x = x + pad_x + self.indent
        if b.align == "center" and not b.pill:
            text_x = x + (width - self.text_width) // 2
        if b.bullet:
            out.append(
                Text(
                    (x, y, self.indent, self.line_height),
                    (b.bullet,),
                    self.size,
                    True,
                    color,
                    self.line_height,
                    role.name,
                )
            )
        if b.icon:
            side = round(self.size * 0.85)
            top = y + (self.line_height - side) // 2
            out.append(
                Icon(
                    (x, top, side, side),
                    b.icon,
                    color if b.icon != "warning" else ACCENT,
                    ON_ACCENT,
                )
            )
        box = (text_x, y + pad_y, self.text_width, self.line_height * len(self.lines))
        out.append(
            Text(
                box,
                self.lines,
                self.size,
                role.bold,
                color,
                self.line_height,
                role.name,
                "center" if b.align == "center" else "left",
            )
        )
        return out


def _measure(
    fonts: Fonts,
    unit: int,
    floor_px: int,
    block: Block,
    width: int,
    scale: float,
    squeeze: float,
    balance: bool = True,
) -> _Measured:
    role = block.role
    size = size_for(role, unit, scale, floor_px, squeeze)
    indent = round(size * 1.45) if (block.bullet or block.icon) else 0
    pad = (round(size * 0.8), round(size * 0.38)) if block.pill else (0, 0)
    wrapped = wrap_at(
        fonts, block.text, role, size, max(1, width - indent - 2 * pad[0]), balance=balance
    )
    return _Measured(
        block,
        size,
        wrapped.lines,
        wrapped.line_height,
        wrapped.width,
        indent,
        pad,
        round(size * block.gap),
    )
