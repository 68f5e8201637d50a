"""Every screen of the kiosk, one function each, laid out from the screen size alone.

A screen function returns a :class:`Layout`: the elements that stay while the screen is up,
plus the ring slot for a countdown. :func:`countdown` adds the elements that change each
second. Nothing here draws; :mod:`kiosk.ui.renderer` paints.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.content.model import Content, Page, Point
from kiosk.core.session import Phase, Step, Timing, View
from kiosk.ui.columns import SCALES, Block, Column, Frame, body_floor, fit_column, split
from kiosk.ui.elements import Box, Element, Picture, Rect, Ring, Text
from kiosk.ui.stopnote import StopNote
from kiosk.ui.text import Fonts
from kiosk.ui.theme import (
    ACCENT,
    BODY,
    CARD,
    HEADING,
    LABEL,
    MUTED,
    NOTICE,
    NUMBER_FLOOR,
    PILL,
    STRONG,
    SUCCESS,
    TEXT,
    TRACK,
    WARNING,
    Color,
)

#: How much of the screen the illustration takes, tried in turn until the text fits.
PICTURE_SHARES = (0.46, 0.38, 0.3)
TOO_LONG = "the text does not fit even at the smallest readable size, so it is shown smaller"
DROPPED_PICTURE = "the drawing is left out to make room for the text"
DROPPED_REMINDER = "the reminder is left out of the hold screen to keep the text large enough"
#: The idle screen has little text: its drawing may take more room.
IDLE_SHARES = (0.58, 0.5, *PICTURE_SHARES)
#: The ring's share of the screen on the hold and warning screens, and when text needs room.
RING_SHARE = 0.48
SMALL_RING_SHARE = 0.3
#: A countdown ring at least this wide on the glass (mm) is large enough, even when the
#: text made it smaller than usual (on the 7-inch screen 4.8 mm text leaves it 39 mm):
#: ``check`` says nothing of it.
RING_MM = 35
#: A text scale this close to full size is worth keeping the larger drawing for.
GOOD_SCALE = 0.8
#: The drawings' shape (width/height); other images fit inside a card of this shape.
PICTURE_ASPECT = 4 / 3
#: The most lines the "press the button" label may wrap to beside a drawing: more reads as
#: a column of words, so the drawing gives way first.
PILL_LINES = 2
#: Where the physical floor is above the label's largest size (the 7-inch touchscreen), the
#: label under a drawing may take one more line: at 4.8 mm capitals it wraps to three under
#: any drawing, and leaving the drawing out or a page more for every point would cost the
#: patient more than a third line costs the eye.
PAGE_PILL_LINES = PILL_LINES + 1
#: The drawing's share of a page beside it: one size on every page, for every point (a plan
#: for all pages of a kind would cost more than it gives; this is the middle size).
PAGE_SHARES = (PICTURE_SHARES[1],)
#: Seconds one screen's layout may search for the best text size (the built-in screens take
#: a few milliseconds; the longest texts a staff file may hold took seconds, and a minute on
#: a Pi). Past it the text is set at the smallest size at once.
LAYOUT_SECONDS = 0.25
#: What a text does to its screen when it is too long, for ``check`` (:class:`Fitted`).
NOT_AT_FLOOR = "the screen's text does not fit even at the smallest readable size"
NO_DRAWING = "the drawing is left out to make room for it"
REMINDER_LEFT_OUT = "it is left out of the hold screen, where the text would not fit at that size"
SMALL_RING = "the countdown ring is much smaller to make room for it ({side} px, not {normal} px)"
TOO_SLOW = (
    f"finding the best size for its text took longer than {LAYOUT_SECONDS:g} s, so the text "
    "is shown at the smallest size"
)


@dataclass(frozen=True)
class Fitted:
    """A text of a screen laid out with ``Screens.floor_only``: the lines it takes at its
    role's floor, and what the text of its column does to the screen (:data:`NOT_AT_FLOOR`,
    :data:`NO_DRAWING`, :data:`SMALL_RING`; none when all is well)."""

    block: Block
    lines: int
    crowds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    """A laid-out screen. ``ring`` is where a countdown goes; ``overflow`` says what had to
    give way for the text to fit; ``texts`` has every text at its floor (with
    ``Screens.floor_only``, for ``check``)."""

    elements: tuple[Element, ...]
    ring: Rect | None = None
    overflow: tuple[str, ...] = ()
    texts: tuple[Fitted, ...] = ()
    #: How many pages the screen's text is split into (this layout is ``view.page``'s).
    pages: int = 1


@dataclass(frozen=True)
class Plan:
    """How every point's screen of one kind is laid out (all intros, say): the drawing's
    share of the screen and the text scale, the largest that suits every point. So one
    point's screens look like every other's: same drawing size, same type sizes."""

    share: float
    scale: float


#: Blocks of one screen: the text at the top, the text at the bottom.
Blocks = tuple[list[Block], list[Block]]
#: A part of a screen's text that pages are cut from: its heading, the blocks under it.
Section = tuple[list[Block], list[Block]]


@dataclass
class Screens:
    """Builds layouts for one screen size and one content.

    ``beeps``: a buzzer sounds the end of each hold (the texts promise a beep only then).
    """

    frame: Frame
    content: Content
    fonts: Fonts
    timing: Timing
    steps: tuple[Step, ...] = field(default=())
    notices: tuple[str, ...] = ()
    beeps: bool = True
    #: Lay every text out at its floor, without the search for the best size and without a
    #: time budget: for ``check``, which asks what does not fit at the floor and must give
    #: the same answer on a slow machine. The smallest drawing is tried first.
    floor_only: bool = False
    _local: threading.local = field(
        default_factory=threading.local, init=False, repr=False, compare=False
    )
    _plans: dict[str, Plan | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _pages: dict[tuple, list[Blocks]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _twin: Screens | None = field(default=None, init=False, repr=False, compare=False)
    stop_note: StopNote = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.stop_note = StopNote(self.frame, self.fonts, self.content)

    @property
    def pill_lines(self) -> int:
        """The most lines a "press the button" label beside a drawing should take."""
        at_floor = self.floor >= round(PILL.largest * self.frame.unit)
        return PAGE_PILL_LINES if at_floor else PILL_LINES

    @functools.cached_property
    def floor(self) -> int:
        """The body text's smallest pixel size on this screen (4.8 mm capitals)."""
        return body_floor(self.fonts, self.frame)

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
        if not self.floor_only:  # per thread: two may lay out
            self._local.deadline = time.monotonic() + LAYOUT_SECONDS
        try:
            layout = builder[view.phase](view)
        finally:
            self._local.deadline = None
        return dataclasses.replace(layout, elements=layout.elements + self._notices())

    def idle(self, view: View) -> Layout:
        return self._point_screen("idle", view.point, self._idle_blocks, IDLE_SHARES)

    def _idle_blocks(self, index: int) -> Blocks:
        c = self.content
        point = c.points[index]
        here = ("points", index)
        top = [
            Block(c.text("title"), LABEL, gap=0, source=_text("title")),
            Block(f"{point.name} ({point.id})", HEADING, gap=0.5, source=(*here, "name")),
            Block(point.where, BODY, gap=0.4, source=(*here, "where")),
        ]
        bottom = [
            Block(c.text("invite"), PILL, gap=0, source=_text("invite")),
            Block(
                c.text("duration", minutes=c.minutes()), LABEL, gap=0.35, source=_text("duration")
            ),
        ]
        return top, bottom

    def safety(self, view: View) -> Layout:
        c = self.content
        top = _page(c.safety, "safety", 0.5, "dot")
        bottom = [
            Block(c.text("press_to_continue"), PILL, gap=0, source=_text("press_to_continue")),
            Block(
                c.text("long_press_hint", seconds=_secs(self.timing.long_press_seconds)),
                LABEL,
                gap=0.4,
                source=_text("long_press_hint"),
            ),
        ]
        return self._paged(view, top, bottom, _single)

    def intro(self, view: View) -> Layout:
        return self._point_screen("intro", view.point, self._intro_blocks, PICTURE_SHARES, view)

    def _point_screen(
        self,
        kind: str,
        index: int,
        blocks: Callable[[int], Blocks],
        shares: tuple[float, ...],
        view: View | None = None,
    ) -> Layout:
        """A screen of one point beside its drawing, laid out like every point's ``kind``;
        with a ``view``, split into its pages if its text does not fit at the floor."""
        points = range(len(self.content.points))
        plan = self._plan(kind, shares, lambda: [blocks(i) for i in points])
        top, bottom = blocks(index)
        picture = self._picture(self.content.points[index])
        whole = self._with_picture(top, bottom, picture, shares, plan)
        if view is None:
            return whole

        def lay(screens: Screens, top: list[Block], bottom: list[Block]) -> Layout:
            return screens._with_picture(top, bottom, picture, PAGE_SHARES)

        return self._paged(view, top, bottom, lay, whole=whole)  # "Point 1 of 4" heads each

    def _intro_blocks(self, index: int) -> Blocks:
        c = self.content
        point = c.points[index]
        number = index + 1
        hold = c.duration(point.hold_seconds)
        here = ("points", index)
        of = c.text("point_of", number=number, total=len(c.points))
        top = [
            Block(of, LABEL, gap=0, source=_text("point_of")),
            Block(f"{point.name} ({point.id})", HEADING, gap=0.3, source=(*here, "name")),
        ]
        top += [
            Block(step, BODY, gap=0.45, bullet=f"{i}.", source=(*here, "find", i - 1))
            for i, step in enumerate(point.find, 1)
        ]
        key = "hold_for_each_side" if point.sides == 2 else "hold_for"
        top.append(Block(c.text(key, duration=hold), STRONG, gap=0.6, source=_text(key)))
        if point.caution:
            caution = f"{c.text('caution_label')}: {point.caution}"
            top.append(Block(caution, BODY, gap=0.6, icon="warning", source=(*here, "caution")))
        start = c.text("press_to_start_hold")
        bottom = [Block(start, PILL, gap=0, source=_text("press_to_start_hold"))]
        return top, bottom

    def hold(self, view: View) -> Layout:
        top, bottom = self._hold_blocks(view.point, view.step)
        plan = self._plan(
            "hold",
            (RING_SHARE, SMALL_RING_SHARE),  # one ring size for every hold
            lambda: [self._hold_blocks(s.point, i) for i, s in enumerate(self.steps)],
        )
        layout = self._with_ring(top, bottom, plan)
        if not _crowded_out(layout):
            return layout
        # A hold is never split into pages: a press during it does nothing (the hands are on
        # the point and the hold runs its full time). So its reminder, which the point's own
        # screen showed already, gives way, not the size of the text.
        kept = [b for b in top if b.source[-1:] != ("reminder",)]
        left_out = [b for b in top if b.source[-1:] == ("reminder",)]
        if not left_out:
            return layout
        shorter = self._with_ring(kept, bottom)
        if _crowded_out(shorter):
            return layout  # the rest alone is too long: the text is squeezed, check says so
        texts = (*shorter.texts, *(Fitted(b, 0, (REMINDER_LEFT_OUT,)) for b in left_out))
        return dataclasses.replace(shorter, overflow=(DROPPED_REMINDER,), texts=texts)

    def _hold_blocks(self, index: int, step_index: int | None) -> Blocks:
        c = self.content
        point = c.points[index]
        here = ("points", index)
        top = [Block(f"{point.name} ({point.id})", HEADING, gap=0, source=(*here, "name"))]
        step = self.steps[step_index] if step_index is not None else None
        if step is not None and step.sides == 2:
            side = f"side_{step.side + 1}"
            top.append(Block(c.text(side), STRONG, gap=0.4, color=ACCENT, source=_text(side)))
        top.append(Block(point.reminder, BODY, gap=0.6, source=(*here, "reminder")))
        key = "keep_pressing" if self.beeps else "keep_pressing_no_buzzer"
        bottom = [Block(c.text(key), LABEL, gap=0, source=_text(key))]
        return top, bottom

    def done(self, view: View) -> Layout:
        """After a hold: the other side, or the next point (the last hold's end is the
        summary, so there is always one of the two)."""
        index = view.step or 0
        following = self.steps[index + 1] if index + 1 < len(self.steps) else None
        if following is None:  # not reached by a session; a plain screen all the same
            top, bottom = self._done_blocks(index)
            return self._single(top, bottom)
        kind = "done-other" if following.point == view.point else "done-next"
        # one plan for both kinds: the other side and the next point look alike too
        members = range(len(self.steps) - 1)
        top, bottom = self._done_blocks(index)
        plan = self._plan("done", PICTURE_SHARES, lambda: [self._done_blocks(i) for i in members])
        point = self.content.points[following.point]
        picture = self._picture(point, mirror=kind == "done-other")

        def lay(screens: Screens, top: list[Block], bottom: list[Block]) -> Layout:
            return screens._with_picture(top, bottom, picture, PAGE_SHARES)

        whole = self._with_picture(top, bottom, picture, PICTURE_SHARES, plan)
        return self._paged(view, top, bottom, lay, whole=whole)

    def _done_kind(self, index: int) -> str:
        following = self.steps[index + 1]
        return "done-other" if following.point == self.steps[index].point else "done-next"

    def _done_blocks(self, index: int) -> Blocks:
        c = self.content
        done = c.text("hold_done")
        top = [Block(done, HEADING, gap=0, icon="check", color=SUCCESS, source=_text("hold_done"))]
        bottom = [
            Block(c.text("press_to_continue"), PILL, gap=0, source=_text("press_to_continue"))
        ]
        if index + 1 >= len(self.steps):
            return top, bottom
        if self._done_kind(index) == "done-other":
            top.append(Block(c.text("other_side"), HEADING, gap=0.6, source=_text("other_side")))
            how = c.text("other_side_how")
            top.append(Block(how, BODY, gap=0.4, source=_text("other_side_how")))
        else:
            point = c.points[self.steps[index + 1].point]
            following = c.text("next_point", name=f"{point.name} ({point.id})")
            top.append(Block(following, BODY, gap=0.6, source=_text("next_point")))
        return top, bottom

    def summary(self, view: View) -> Layout:
        c = self.content
        first = _page(c.summary, "summary", 0.45, "dot")
        second = _page(c.side_effects, "side_effects", 0.45, "warning", TEXT)
        finish = c.text("press_to_finish")
        bottom = [Block(finish, PILL, gap=0, source=_text("press_to_finish"))]
        whole = None
        if self.frame.landscape:
            area, foot = self._footer_split(bottom)
            left, right = split(area, 0.5, self.frame.margin * 2, across=True)
            whole = _join([self._fit(left, first), self._fit(right, second), foot])
        top = [*first, Block("", BODY, gap=0), *second]
        sections = [(first[:1], first[1:]), (second[:1], second[1:])]
        return self._paged(view, top, bottom, _single, sections, whole)

    def warning(self, view: View) -> Layout:
        c = self.content
        title = c.text("warning_title")
        top = [
            Block(
                title, HEADING, gap=0, icon="warning", color=WARNING, source=_text("warning_title")
            ),
            Block(c.text("warning_body"), BODY, gap=0.5, source=_text("warning_body")),
        ]
        bottom = [Block(c.text("warning_press"), PILL, gap=0, source=_text("warning_press"))]
        return self._with_ring(top, bottom)

    # -- pages --------------------------------------------------------------------------

    def pages(self, view: View) -> int:
        """How many pages the screen of ``view`` is split into."""
        return self.layout(view).pages

    def _paged(
        self,
        view: View,
        top: list[Block],
        bottom: list[Block],
        lay: Callable[[Screens, list[Block], list[Block]], Layout],
        sections: list[Section] | None = None,
        whole: Layout | None = None,
    ) -> Layout:
        """The screen laid out by ``lay``, or, when its text does not fit at the floor
        beside its drawing, the page ``view.page`` of it. The text is cut into pages by
        ``sections`` (by default the first block heads the rest): a page holds blocks of one
        section, headed by that section's heading (repeated on each of its pages), and ends
        with "Page 1 of 2" under its "press the button" label, which says "for more" until
        the last page."""
        if whole is None:
            whole = lay(self, top, bottom)
        if not _crowded_out(whole):
            return whole
        # the texts are in the key: the same screen in another language is split anew
        key = (view.phase, view.point, view.step, tuple(b.text for b in (*top, *bottom)))
        if key not in self._pages:
            saved = getattr(self._local, "deadline", None)
            started = time.monotonic()
            try:
                parts = sections if sections is not None else [(top[:1], top[1:])]
                self._pages[key] = self._split(parts, bottom, lay)
            finally:  # like a plan, the split does not count against the screen's budget
                if saved is not None:
                    self._local.deadline = saved + time.monotonic() - started
        pages = self._pages[key]
        if len(pages) < 2:
            return whole  # one text longer than a page: check names it
        page_top, page_bottom = pages[min(view.page, len(pages) - 1)]
        return dataclasses.replace(lay(self, page_top, page_bottom), pages=len(pages))

    def _split(
        self,
        sections: list[Section],
        bottom: list[Block],
        lay: Callable[[Screens, list[Block], list[Block]], Layout],
    ) -> list[Blocks]:
        """Each section's blocks shared out, in order, into pages that fit at the floor
        (tried with the floor-only twin of these screens: quick, and the same answer on
        any machine). A block too long for a page of its own gets one all the same."""
        twin = self._floor_twin()
        pages: list[list[Block]] = []
        for number, (header, body) in enumerate(sections):
            final = number == len(sections) - 1

            def fits(chunk: list[Block], last: bool, header: list[Block] = header) -> bool:
                layout = lay(twin, [*header, *chunk], self._page_foot(bottom, last))
                return not _crowded_out(layout)

            start = 0
            while start < len(body):
                end = start + 1
                while end < len(body) and fits(body[start : end + 1], False):
                    end += 1
                at_end = final and end == len(body)
                if at_end and end - start > 1 and not fits(body[start:end], True):
                    end -= 1  # the last page's own foot needs the room: one more page
                pages.append([*header, *body[start:end]])
                start = end
        total = len(pages)
        return [
            (page, self._page_foot(bottom, i == total - 1, (i + 1, total)))
            for i, page in enumerate(pages)
        ]

    def _page_foot(
        self, bottom: list[Block], last: bool, number: tuple[int, int] = (9, 9)
    ) -> list[Block]:
        """The blocks at the foot of a page: the screen's own on the last page, "read
        more" in place of them before it (the other blocks there, such as how to stop, go
        with the screen's own label), and "Page 1 of 2"."""
        c = self.content
        page, pages = number
        label = Block(
            c.text("page_of", page=page, pages=pages), LABEL, gap=0.35, source=_text("page_of")
        )
        if last:
            return [*bottom, label]
        more = Block(c.text("press_for_more"), PILL, gap=0, source=_text("press_for_more"))
        return [more, label]

    def _floor_twin(self) -> Screens:
        """These screens laid out at the floor only (see ``floor_only``)."""
        if self.floor_only:
            return self
        if self._twin is None:
            self._twin = dataclasses.replace(self, floor_only=True)
        return self._twin

    # -- the parts ----------------------------------------------------------------------

    def _fit(
        self,
        rect: Rect,
        top: list[Block],
        bottom: list[Block] = (),  # type: ignore[assignment]
        largest: float = 1.0,
    ) -> Column:
        """Text fitted into ``rect`` within this layout's time budget."""
        deadline = getattr(self._local, "deadline", None)
        unit = self.frame.unit
        return fit_column(
            self.fonts,
            unit,
            rect,
            top,
            bottom,
            deadline,
            largest,
            self.floor_only,
            floor_px=self.floor,
        )

    def _late(self) -> bool:
        if self.floor_only:
            return True  # the first share that fits at the floor will do
        deadline = getattr(self._local, "deadline", None)
        return deadline is not None and time.monotonic() > deadline

    def _picture(self, point: Point, mirror: bool = False) -> Picture:
        return Picture((0, 0, 0, 0), point.image, point.name, point.id, point.marker, mirror)

    def _single(self, top: list[Block], bottom: list[Block]) -> Layout:
        column = self._fit(self.frame.inner, top, bottom)
        return _join([column])

    # -- one look for every point ---------------------------------------------------------

    def _plan(
        self, kind: str, shares: tuple[float, ...], members: Callable[[], list[Blocks]]
    ) -> Plan | None:
        """The :class:`Plan` for every screen of ``kind`` (found once per screen size).

        It is searched with a time budget of its own; when that runs out (a staff file of
        very long texts) there is no plan, and each screen finds its own best size.
        """
        if kind in self._plans:
            return self._plans[kind]
        saved = getattr(self._local, "deadline", None)
        started = time.monotonic()
        if saved is not None:
            self._local.deadline = started + LAYOUT_SECONDS
        try:
            plan = self._find_plan(kind, shares, members())
            late = self._late()
        finally:  # the screen's own budget does not count the time spent on the plan
            self._local.deadline = None if saved is None else saved + time.monotonic() - started
        if not late:
            self._plans[kind] = plan
        return plan

    def _find_plan(
        self, kind: str, shares: tuple[float, ...], members: list[Blocks]
    ) -> Plan | None:
        """The share where the smallest text scale of all ``members`` is largest. Each member
        is fitted no larger than the ones before it at that share (their minimum is all that
        counts), and a share stops as soon as it cannot beat the best one so far."""
        best: Plan | None = None
        for share in shares:
            cap = 1.0
            for top, bottom in members:
                columns, area = self._arrange(kind, top, bottom, share, cap)
                if not self._fits(columns, area, strict=True) or self._late():
                    break
                cap = min(cap, *(c.scale for c in columns))
                if best is not None and cap <= best.scale:
                    break
            else:
                if members and (best is None or cap > best.scale):
                    best = Plan(share, cap)
            if self._late() or (best is not None and best.scale >= GOOD_SCALE):
                break
        return best

    def _arrange(
        self, kind: str, top: list[Block], bottom: list[Block], share: float, largest: float = 1.0
    ) -> tuple[list[Column], Rect]:
        if kind == "hold":
            return self._around_ring(top, bottom, share, largest)
        return self._beside(top, bottom, share, largest)

    def _fits(self, columns: list[Column], area: Rect, strict: bool = False) -> bool:
        """The text fits beside a drawing (or ring) of a useful size; ``strict``: and the
        "press the button" label wraps to no more than :attr:`pill_lines` lines."""
        if any(c.overflow for c in columns) or area[3] <= self.frame.unit * 0.25:
            return False
        if not strict:
            return True
        pills = [e for c in columns for e in c.elements if isinstance(e, Text) and e.role == "pill"]
        return all(len(p.lines) <= self.pill_lines for p in pills)

    # -- a drawing beside the text ----------------------------------------------------------

    def _with_picture(
        self,
        top: list[Block],
        bottom: list[Block],
        picture: Picture,
        shares: tuple[float, ...] = PICTURE_SHARES,
        plan: Plan | None = None,
    ) -> Layout:
        """Text beside (landscape) or under (portrait) the drawing. In landscape the bottom
        blocks (the "press the button" prompt) sit under the drawing, centred on it. With a
        ``plan`` the drawing and the text take the sizes every screen of this kind has;
        without one (or when this screen's text needs more) the drawing shrinks, or goes as
        a last resort, when the text needs the room."""
        if plan is not None:
            columns, card_area = self._beside(top, bottom, plan.share, plan.scale)
            if self._fits(columns, card_area):
                return self._placed(columns, card_area, picture)
        # (minus the lines of the "press the button" label, at least PILL_LINES; the text
        # scale), the columns, the drawing's area: the best is a short label, then large text
        best: tuple[tuple[int, float], list[Column], Rect] | None = None
        good = (-self.pill_lines, GOOD_SCALE if not self.floor_only else 0.0)
        for share in reversed(shares) if self.floor_only else shares:
            columns, card_area = self._beside(top, bottom, share)
            rank = (-_pill_lines(columns, self.pill_lines), min(c.scale for c in columns))
            if self._fits(columns, card_area) and (best is None or rank > best[0]):
                best = (rank, columns, card_area)
            if best is not None and best[0] >= good:
                break
            if self._late() and not self.floor_only:
                break
        if best is None:  # the text needs the whole screen: drop the drawing
            column = self._fit(self.frame.inner, top, bottom)
            joined = _crowded(_join([column]), NO_DRAWING)
            return dataclasses.replace(joined, overflow=(*joined.overflow, DROPPED_PICTURE))
        return self._placed(best[1], best[2], picture)

    def _placed(self, columns: list[Column], card_area: Rect, picture: Picture) -> Layout:
        frame = self.frame
        card_rect = _fit_aspect(card_area, PICTURE_ASPECT)
        card = Box(card_rect, CARD, radius=frame.margin)
        placed = dataclasses.replace(picture, rect=_inset(card_rect, frame.margin // 2))
        joined = _join(columns)
        return dataclasses.replace(joined, elements=(card, placed, *joined.elements))

    def _beside(
        self, top: list[Block], bottom: list[Block], share: float, largest: float = 1.0
    ) -> tuple[list[Column], Rect]:
        """The text columns and the drawing's area when the drawing takes ``share``."""
        frame = self.frame
        if not frame.landscape:
            # no taller than the drawing needs at full width: the rest goes to the text
            x, y, w, h = frame.inner
            share = min(share, (w / PICTURE_ASPECT + frame.margin / 2) / h)
            pic_area, text_area = split(frame.inner, share, frame.margin, across=False)
            return [self._fit(text_area, top, bottom, largest)], pic_area
        text_area, pic_area = split(frame.inner, 1 - share, frame.margin, across=True)
        text = self._fit(text_area, top, largest=largest)
        if not bottom:
            return [text], pic_area
        centred = [dataclasses.replace(b, align="center") for b in bottom]  # on the card
        foot = self._fit_foot(pic_area, centred, largest)
        foot_top = min(e.rect[1] for e in foot.elements)
        x, y, w, _ = pic_area
        return [text, foot], (x, y, w, max(1, foot_top - frame.margin - y))

    def _fit_foot(self, rect: Rect, blocks: list[Block], largest: float) -> Column:
        """The blocks under the drawing, their "press the button" label in at most
        PILL_LINES lines if a readable size allows (a narrow drawing makes it wrap)."""
        for scale in (s for s in SCALES if s <= largest + 1e-9):
            foot = self._fit(rect, [], blocks, scale)
            pills = [e for e in foot.elements if isinstance(e, Text) and e.role == "pill"]
            short = all(len(p.lines) <= self.pill_lines for p in pills)
            if foot.overflow or foot.scale < scale or short:
                return foot
        return foot

    # -- a countdown ring beside the text ---------------------------------------------------

    def _with_ring(self, top: list[Block], bottom: list[Block], plan: Plan | None = None) -> Layout:
        """The ring on one side (landscape) or above (portrait), the text on the other; the
        ring gives way to a long text."""
        normal = self._around_ring([], [], RING_SHARE)[1]
        if plan is not None:
            columns, ring_area = self._around_ring(top, bottom, plan.share, plan.scale)
            if not columns[0].overflow:
                return self._ringed(columns[0], ring_area, normal)
        columns, ring_area = self._around_ring(top, bottom, RING_SHARE)
        if columns[0].overflow:
            columns, ring_area = self._around_ring(top, bottom, SMALL_RING_SHARE)
        return self._ringed(columns[0], ring_area, normal)

    def _around_ring(
        self, top: list[Block], bottom: list[Block], share: float, largest: float = 1.0
    ) -> tuple[list[Column], Rect]:
        frame = self.frame
        if share == RING_SHARE:
            if frame.landscape:
                ring_area, text_area = split(frame.inner, share, frame.margin * 2, across=True)
            else:
                ring_area, text_area = split(frame.inner, 0.5, frame.margin, across=False)
        else:
            ring_area, text_area = split(frame.inner, share, frame.margin, across=frame.landscape)
        if not top and not bottom:
            return [], ring_area
        return [self._fit(text_area, top, bottom, largest)], ring_area

    def _ringed(self, column: Column, ring_area: Rect, normal_area: Rect) -> Layout:
        """The layout with its ring; ``check`` hears when the ring is smaller than the
        ``normal_area`` gives, to make room for the text."""
        side = min(ring_area[2], ring_area[3])
        normal = min(normal_area[2], normal_area[3])
        ring = (
            ring_area[0] + (ring_area[2] - side) // 2,
            ring_area[1] + (ring_area[3] - side) // 2,
            side,
            side,
        )
        layout = _join([column])
        if side < normal and side * self.frame.mm_per_px.mm < RING_MM:
            layout = _crowded(layout, SMALL_RING.format(side=side, normal=normal))
        return dataclasses.replace(layout, ring=ring)

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
        # sized for the longest count of its kind (of every hold of the routine), so it does
        # not grow at 100 -> 99 and one point's countdown looks like another's
        longest = total
        if view.phase is Phase.HOLD and self.steps:
            longest = max(step.hold_seconds for step in self.steps)
        widest = len(str(math.ceil(longest - 1e-9)))
        size = max(
            round(w * (0.36 if widest < 3 else 0.28)),
            math.ceil(self.floor * HEADING.floor * NUMBER_FLOOR),
        )
        font = self.fonts.font(size, True)
        nw, _ = font.size(number)
        line = font.get_linesize()
        label_size = max(self.floor, round(w * 0.075))
        label = self.content.text("seconds_left")
        label_font = self.fonts.font(label_size)
        lw, _ = label_font.size(label)
        label_line = label_font.get_linesize()
        inside = lw <= (w - 2 * thickness) * 0.85
        block = line + label_line if inside else line
        top = y + (w - block) // 2
        label_top = top + line if inside else y + w + label_line // 4
        cx = x + w // 2
        return (
            ring,
            Text((cx - nw // 2, top, nw, line), (number,), size, True, TEXT, line, "number"),
            Text(  # under the number, or under a ring too small for it at the floor
                (cx - lw // 2, label_top, lw, label_line),
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


def _page(page: Page, name: str, gap: float, icon: str, color: Color | None = None) -> list[Block]:
    """A page's title and its lines, each with an ``icon``, as blocks that know where they
    come from (``name`` is the page's section in the configuration)."""
    blocks = [Block(page.title, HEADING, gap=0, color=color, source=(name, "title"))]
    blocks += [
        Block(line, BODY, gap=gap, icon=icon, source=(name, "lines", i))
        for i, line in enumerate(page.lines)
    ]
    return blocks


def _text(key: str) -> tuple[str, ...]:
    """Where the text ``key`` of ``texts:`` is in the configuration."""
    return ("texts", key)


def _join(columns: list[Column]) -> Layout:
    elements: tuple[Element, ...] = ()
    overflow: tuple[str, ...] = ()
    texts: tuple[Fitted, ...] = ()
    for column in columns:
        elements += column.elements
        crowds = (NOT_AT_FLOOR,) if column.overflow else ()
        texts += tuple(Fitted(block, lines, crowds) for block, lines in column.floor)
        if column.overflow:
            shown = column.longest if len(column.longest) <= 60 else column.longest[:57] + "..."
            overflow += (f'{TOO_LONG} (its longest text: "{shown}")',)
        if column.late:
            overflow += (TOO_SLOW,)
    return Layout(elements, overflow=overflow, texts=texts)


def _single(screens: Screens, top: list[Block], bottom: list[Block]) -> Layout:
    """``Screens._single`` as a ``lay`` for :meth:`Screens._paged`."""
    return screens._single(top, bottom)


def _pill_lines(columns: list[Column], least: int) -> int:
    """The most lines a "press the button" label takes in ``columns`` (``least`` at least)."""
    pills = [e for c in columns for e in c.elements if isinstance(e, Text) and e.role == "pill"]
    return max([least, *(len(p.lines) for p in pills)])


def _crowded_out(layout: Layout) -> bool:
    """Whether a layout's text did not fit at the floor or pushed its drawing out."""
    return any(why != TOO_SLOW for why in layout.overflow)


def _crowded(layout: Layout, why: str) -> Layout:
    """``layout`` with ``why`` added to what each of its texts does to the screen."""
    texts = tuple(dataclasses.replace(t, crowds=(*t.crowds, why)) for t in layout.texts)
    return dataclasses.replace(layout, texts=texts)
