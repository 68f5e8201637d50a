"""Every screen of the kiosk, one function each, laid out from the screen size alone.

A screen function returns a :class:`Layout`: the elements that stay while the screen is up,
plus the ring slot for a countdown. :func:`countdown` adds the elements that change each
second. Nothing here draws; :mod:`kiosk.ui.renderer` paints.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.content.model import Content, Point
from kiosk.core.session import Phase, Step, Timing, View
from kiosk.ui.columns import Block, Column, Frame, fit_column, split
from kiosk.ui.elements import Box, Element, Picture, Rect, Ring, Text
from kiosk.ui.text import Fonts
from kiosk.ui.theme import (
    ACCENT,
    BODY,
    CARD,
    HEADING,
    LABEL,
    MUTED,
    NOTICE,
    PILL,
    STRONG,
    SUCCESS,
    TEXT,
    TRACK,
    WARNING,
)

#: How much of the screen the illustration takes, tried in turn until the text fits.
PICTURE_SHARES = (0.46, 0.38, 0.3)
TOO_LONG = "the text does not fit even at the smallest readable size, so it is shown smaller"
DROPPED_PICTURE = "the drawing is left out to make room for the text"
#: The idle screen has little text: its drawing may take more room.
IDLE_SHARES = (0.58, 0.5, *PICTURE_SHARES)
#: A text scale this close to full size is worth keeping the larger drawing for.
GOOD_SCALE = 0.8
#: The drawings' shape (width/height); other images fit inside a card of this shape.
PICTURE_ASPECT = 4 / 3
#: Seconds one screen's layout may search for the best text size (the built-in screens take
#: a few milliseconds; the longest texts a staff file may hold took seconds, and a minute on
#: a Pi). Past it the text is set at the smallest size at once.
LAYOUT_SECONDS = 0.25
TOO_SLOW = (
    f"finding the best size for its text took longer than {LAYOUT_SECONDS:g} s, so the text "
    "is shown at the smallest size"
)


@dataclass(frozen=True)
class Layout:
    """A laid-out screen. ``ring`` is where a countdown goes; ``overflow`` says what had to
    give way for the text to fit (``check`` reports it)."""

    elements: tuple[Element, ...]
    ring: Rect | None = None
    overflow: tuple[str, ...] = ()


@dataclass
class Screens:
    """Builds layouts for one screen size and one content."""

    frame: Frame
    content: Content
    fonts: Fonts
    timing: Timing
    steps: tuple[Step, ...] = field(default=())
    notices: tuple[str, ...] = ()
    _local: threading.local = field(
        default_factory=threading.local, init=False, repr=False, compare=False
    )

    # -- the screens ------------------------------------------------------------------

    def layout(self, view: View) -> Layout:
        """The layout of ``view`` (without the countdown's changing parts)."""
        builder: dict[Phase, Callable[[View], Layout]] = {
            Phase.IDLE: self.idle,
            Phase.SAFETY: self.safety,
            Phase.INTRO: self.intro,
            Phase.HOLD: self.hold,
            Phase.DONE: self.done,
            Phase.SUMMARY: self.summary,
            Phase.WARNING: self.warning,
        }
        self._local.deadline = time.monotonic() + LAYOUT_SECONDS  # per thread: two may lay out
        try:
            layout = builder[view.phase](view)
        finally:
            self._local.deadline = None
        return Layout(layout.elements + self._notices(), layout.ring, layout.overflow)

    def idle(self, view: View) -> Layout:
        c = self.content
        point = c.points[view.point]
        top = [
            Block(c.text("title"), LABEL, gap=0),
            Block(f"{point.name} ({point.id})", HEADING, gap=0.5),
            Block(point.where, BODY, gap=0.4),
        ]
        bottom = [
            Block(c.text("invite"), PILL, gap=0),
            Block(c.text("duration", minutes=c.minutes()), LABEL, gap=0.35),
        ]
        return self._with_picture(top, bottom, self._picture(point), IDLE_SHARES)

    def safety(self, view: View) -> Layout:
        c = self.content
        top = [Block(c.safety.title, HEADING, gap=0)]
        top += [Block(line, BODY, gap=0.5, icon="dot") for line in c.safety.lines]
        bottom = [
            Block(c.text("press_to_continue"), PILL, gap=0),
            Block(
                c.text("long_press_hint", seconds=_secs(self.timing.long_press_seconds)),
                LABEL,
                gap=0.4,
            ),
        ]
        return self._single(top, bottom)

    def intro(self, view: View) -> Layout:
        c = self.content
        point = c.points[view.point]
        number = view.point + 1
        hold = c.duration(point.hold_seconds)
        top = [
            Block(c.text("point_of", number=number, total=len(c.points)), LABEL, gap=0),
            Block(f"{point.name} ({point.id})", HEADING, gap=0.3),
        ]
        top += [Block(step, BODY, gap=0.45, bullet=f"{i}.") for i, step in enumerate(point.find, 1)]
        key = "hold_for_each_side" if point.sides == 2 else "hold_for"
        top.append(Block(c.text(key, duration=hold), STRONG, gap=0.6))
        if point.caution:
            top.append(
                Block(f"{c.text('caution_label')}: {point.caution}", BODY, gap=0.6, icon="warning")
            )
        bottom = [Block(c.text("press_to_start_hold"), PILL, gap=0)]
        return self._with_picture(top, bottom, self._picture(point))

    def hold(self, view: View) -> Layout:
        c = self.content
        point = c.points[view.point]
        top = [Block(f"{point.name} ({point.id})", HEADING, gap=0)]
        step = self.steps[view.step] if view.step is not None else None
        if step is not None and step.sides == 2:
            top.append(Block(c.text(f"side_{step.side + 1}"), STRONG, gap=0.4, color=ACCENT))
        top.append(Block(point.reminder, BODY, gap=0.6))
        bottom = [Block(c.text("keep_pressing"), LABEL, gap=0)]
        return self._with_ring(top, bottom)

    def done(self, view: View) -> Layout:
        c = self.content
        index = view.step or 0
        following = self.steps[index + 1] if index + 1 < len(self.steps) else None
        top = [Block(c.text("hold_done"), HEADING, gap=0, icon="check", color=SUCCESS)]
        picture = None
        if following is not None and following.point == view.point:
            point = c.points[view.point]
            top.append(Block(c.text("other_side"), HEADING, gap=0.6))
            top.append(Block(c.text("other_side_how"), BODY, gap=0.4))
            picture = self._picture(point, mirror=True)
            bottom = [Block(c.text("press_to_continue"), PILL, gap=0)]
        elif following is not None:
            point = c.points[following.point]
            top.append(
                Block(c.text("next_point", name=f"{point.name} ({point.id})"), BODY, gap=0.6)
            )
            picture = self._picture(point)
            bottom = [Block(c.text("press_to_continue"), PILL, gap=0)]
        else:
            top.append(Block(c.text("last_point_done"), BODY, gap=0.6))
            bottom = [Block(c.text("press_to_continue"), PILL, gap=0)]
        if picture is None:
            return self._single(top, bottom)
        return self._with_picture(top, bottom, picture)

    def summary(self, view: View) -> Layout:
        c = self.content
        first = [Block(c.summary.title, HEADING, gap=0)]
        first += [Block(line, BODY, gap=0.45, icon="dot") for line in c.summary.lines]
        second = [Block(c.side_effects.title, HEADING, gap=0, color=TEXT)]
        second += [Block(line, BODY, gap=0.45, icon="warning") for line in c.side_effects.lines]
        bottom = [Block(c.text("press_to_finish"), PILL, gap=0)]
        if self.frame.landscape:
            area, foot = self._footer_split(bottom)
            left, right = split(area, 0.5, self.frame.margin * 2, across=True)
            a = self._fit(left, first)
            b = self._fit(right, second)
            columns = [a, b, foot]
        else:
            columns = [
                self._fit(
                    self.frame.inner,
                    [*first, Block("", BODY, gap=0), *second],
                    bottom,
                )
            ]
        return _join(columns)

    def warning(self, view: View) -> Layout:
        c = self.content
        top = [
            Block(c.text("warning_title"), HEADING, gap=0, icon="warning", color=WARNING),
            Block(c.text("warning_body"), BODY, gap=0.5),
        ]
        bottom = [Block(c.text("warning_press"), PILL, gap=0)]
        return self._with_ring(top, bottom)

    # -- the parts ----------------------------------------------------------------------

    def _fit(self, rect: Rect, top: list[Block], bottom: list[Block] = ()) -> Column:  # type: ignore[assignment]
        """Text fitted into ``rect`` within this layout's time budget."""
        deadline = getattr(self._local, "deadline", None)
        return fit_column(self.fonts, self.frame.unit, rect, top, bottom, deadline)

    def _late(self) -> bool:
        deadline = getattr(self._local, "deadline", None)
        return deadline is not None and time.monotonic() > deadline

    def _picture(self, point: Point, mirror: bool = False) -> Picture:
        return Picture((0, 0, 0, 0), point.image, point.name, point.id, point.marker, mirror)

    def _single(self, top: list[Block], bottom: list[Block]) -> Layout:
        column = self._fit(self.frame.inner, top, bottom)
        return _join([column])

    def _with_picture(
        self,
        top: list[Block],
        bottom: list[Block],
        picture: Picture,
        shares: tuple[float, ...] = PICTURE_SHARES,
    ) -> Layout:
        """Text beside (landscape) or under (portrait) the drawing. In landscape the bottom
        blocks (the "press the button" prompt) sit under the drawing. The drawing shrinks,
        or goes as a last resort, when the text needs the room."""
        frame = self.frame
        best: tuple[float, list[Column], Rect] | None = None  # (text scale, columns, area)
        for share in shares:
            columns, card_area = self._beside(top, bottom, share)
            scale = min(c.scale for c in columns)
            fits = not any(c.overflow for c in columns) and card_area[3] > frame.unit * 0.25
            if fits and (best is None or scale > best[0]):
                best = (scale, columns, card_area)
            if best is not None and (best[0] >= GOOD_SCALE or self._late()):
                break
            if self._late():
                break
        if best is None:  # the text needs the whole screen: drop the drawing
            column = self._fit(frame.inner, top, bottom)
            joined = _join([column])
            return Layout(joined.elements, overflow=(*joined.overflow, DROPPED_PICTURE))
        _, columns, card_area = best
        card_rect = _fit_aspect(card_area, PICTURE_ASPECT)
        card = Box(card_rect, CARD, radius=frame.margin)
        placed = Picture(
            _inset(card_rect, frame.margin // 2),
            picture.image,
            picture.name,
            picture.label,
            picture.marker,
            picture.mirror,
        )
        joined = _join(columns)
        return Layout((card, placed, *joined.elements), overflow=joined.overflow)

    def _beside(
        self, top: list[Block], bottom: list[Block], share: float
    ) -> tuple[list[Column], Rect]:
        """The text columns and the drawing's area when the drawing takes ``share``."""
        frame = self.frame
        if not frame.landscape:
            # no taller than the drawing needs at full width: the rest goes to the text
            x, y, w, h = frame.inner
            share = min(share, (w / PICTURE_ASPECT + frame.margin / 2) / h)
            pic_area, text_area = split(frame.inner, share, frame.margin, across=False)
            return [self._fit(text_area, top, bottom)], pic_area
        text_area, pic_area = split(frame.inner, 1 - share, frame.margin, across=True)
        text = self._fit(text_area, top)
        if not bottom:
            return [text], pic_area
        foot = self._fit(pic_area, [], bottom)
        foot_top = min(e.rect[1] for e in foot.elements)
        x, y, w, _ = pic_area
        return [text, foot], (x, y, w, max(1, foot_top - frame.margin - y))

    def _with_ring(self, top: list[Block], bottom: list[Block]) -> Layout:
        frame = self.frame
        share = 0.48
        if frame.landscape:
            ring_area, text_area = split(frame.inner, share, frame.margin * 2, across=True)
        else:
            ring_area, text_area = split(frame.inner, 0.5, frame.margin, across=False)
        column = self._fit(text_area, top, bottom)
        if column.overflow:
            ring_area, text_area = split(frame.inner, 0.3, frame.margin, across=frame.landscape)
            column = self._fit(text_area, top, bottom)
        side = min(ring_area[2], ring_area[3])
        ring = (
            ring_area[0] + (ring_area[2] - side) // 2,
            ring_area[1] + (ring_area[3] - side) // 2,
            side,
            side,
        )
        layout = _join([column])
        return Layout(layout.elements, ring, layout.overflow)

    def _footer_split(self, bottom: list[Block]) -> tuple[Rect, Column]:
        column = self._fit(self.frame.inner, [], bottom)
        x, y, w, _ = self.frame.inner
        foot_top = min(e.rect[1] for e in column.elements)
        area = (x, y, w, max(1, foot_top - y - self.frame.margin))
        return area, column

    def _notices(self) -> tuple[Element, ...]:
        if not self.notices:
            return ()
        size = round(NOTICE.largest * self.frame.unit)
        text = "  ·  ".join(self.notices)
        font = self.fonts.font(size)
        width, _ = font.size(text)
        line = font.get_linesize()
        x = self.frame.width - width - self.frame.margin
        y = max(0, (self.frame.margin - line) // 2)
        return (Text((x, y, width, line), (text,), size, False, NOTICE.color, line, "notice"),)

    # -- the changing part ----------------------------------------------------------------

    def countdown(self, view: View, layout: Layout, now: float) -> tuple[Element, ...]:
        """The ring and the number for a hold or the idle warning at ``now``."""
        if layout.ring is None or view.ends is None or view.started is None:
            return ()
        left = view.seconds_left(now)
        total = max(1e-9, view.ends - view.started)
        fraction = min(1.0, left / total) if left else 0.0
        color = WARNING if view.phase is Phase.WARNING else ACCENT
        x, y, w, _ = layout.ring
        thickness = max(6, round(w * 0.075))
        ring = Ring(layout.ring, round(fraction, 4), color, TRACK, thickness)
        number = str(left)
        size = round(w * (0.36 if len(number) < 3 else 0.28))
        font = self.fonts.font(size, True)
        nw, _ = font.size(number)
        line = font.get_linesize()
        label_size = max(round(BODY.smallest * self.frame.unit + 0.5), round(w * 0.075))
        label = self.content.text("seconds_left")
        label_font = self.fonts.font(label_size)
        lw, _ = label_font.size(label)
        label_line = label_font.get_linesize()
        block = line + label_line
        top = y + (w - block) // 2
        cx = x + w // 2
        return (
            ring,
            Text((cx - nw // 2, top, nw, line), (number,), size, True, TEXT, line, "number"),
            Text(
                (cx - lw // 2, top + line, lw, label_line),
                (label,),
                label_size,
                False,
                MUTED,
                label_line,
                "label",
            ),
        )


def _secs(value: float) -> str:
    return f"{value:g}"


def _fit_aspect(area: Rect, aspect: float) -> Rect:
    """The largest rectangle of ``aspect`` (width/height) centred in ``area``."""
    x, y, w, h = area
    width, height = (w, round(w / aspect)) if w / h <= aspect else (round(h * aspect), h)
    return (x + (w - width) // 2, y + (h - height) // 2, width, height)


def _inset(rect: Rect, by: int) -> Rect:
    x, y, w, h = rect
    return (x + by, y + by, max(1, w - 2 * by), max(1, h - 2 * by))


def _join(columns: list[Column]) -> Layout:
    elements: tuple[Element, ...] = ()
    overflow: tuple[str, ...] = ()
    for column in columns:
        elements += column.elements
        if column.overflow:
            shown = column.longest if len(column.longest) <= 60 else column.longest[:57] + "..."
            overflow += (f'{TOO_LONG} (its longest text: "{shown}")',)
        if column.late:
            overflow += (TOO_SLOW,)
    return Layout(elements, overflow=overflow)
