"""The note that holding the button down stops the session, and how close it is.

A patient told to keep pressing (the point) may hold the kiosk's button instead; held for
``long_press_seconds`` it stops the session. So once it has been held for a while (the view
then carries ``cancel_from``/``cancel_at``, see :mod:`kiosk.core.session`) a band across the
foot of the screen says so, in the warning colour, with a bar that fills until the session
stops; let go and it goes, and the session carries on. The band lies over whatever screen is
up and is repainted on its own, like the countdown.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from kiosk.content.model import Content
from kiosk.core.session import View
from kiosk.ui.columns import Block, Frame, body_floor, fit_column
from kiosk.ui.elements import Box, Element, Rect
from kiosk.ui.text import Fonts
from kiosk.ui.theme import BODY, ON_ACCENT, STRONG, WARNING

#: The bar moves in this many steps from the moment the button went down (a partial repaint
#: each: 1.5 s of note at 2.5 s for a long press is about 12 repaints).
STEPS = 20
#: The band's largest share of the screen's height.
MOST_HEIGHT = 0.34


@dataclass
class StopNote:
    """The band for one screen size and content; its text is fitted once."""

    frame: Frame
    fonts: Fonts
    content: Content
    _fitted: list[tuple[Rect, tuple[Element, ...], Rect]] = field(
        default_factory=list, init=False, repr=False
    )

    def elements(self, view: View, now: float) -> tuple[Element, ...]:
        """The band over ``view`` at ``now``, or nothing when the button is not held."""
        if view.cancel_from is None or view.cancel_at is None:
            return ()
        band, texts, track = self._layout()
        x, y, w, h = track
        done = progress(view, now)
        bar = (x, y, max(1, round(w * done)), h) if done > 0 else None
        fill = (Box(bar, ON_ACCENT, radius=h // 2),) if bar else ()
        return (Box(band, WARNING), *texts, Box(track, ON_ACCENT, radius=h // 2, width=2), *fill)

    def next_change(self, view: View, now: float) -> float | None:
        """When the bar next moves, or None when there is no band."""
        if view.cancel_from is None or view.cancel_at is None:
            return None
        span = view.cancel_at - view.cancel_from
        step = math.floor((now - view.cancel_from) / span * STEPS + 1e-9) + 1
        return None if step > STEPS else view.cancel_from + span * step / STEPS

    def _layout(self) -> tuple[Rect, tuple[Element, ...], Rect]:
        if not self._fitted:
            self._fitted.append(self._fit())
        return self._fitted[0]

    def _fit(self) -> tuple[Rect, tuple[Element, ...], Rect]:
        frame, c = self.frame, self.content
        m = frame.margin
        blocks = [
            Block(c.text("cancel_warning"), STRONG, gap=0, color=ON_ACCENT),
            Block(c.text("cancel_let_go"), BODY, gap=0.25, color=ON_ACCENT),
        ]
        room = (m, 0, frame.width - 2 * m, round(frame.height * MOST_HEIGHT))
        column = fit_column(
            self.fonts, frame.unit, room, blocks, floor_px=body_floor(self.fonts, frame)
        )
        text_height = max(e.rect[1] + e.rect[3] for e in column.elements)
        bar_height = max(4, round(frame.unit * 0.03))
        height = m // 2 + text_height + m // 2 + bar_height + m // 2
        top = frame.height - height
        moved = tuple(_moved(e, top + m // 2) for e in column.elements)
        track = (m, top + m // 2 + text_height + m // 2, frame.width - 2 * m, bar_height)
        return (0, top, frame.width, height), moved, track


def progress(view: View, now: float) -> float:
    """How far the button is towards stopping the session, in STEPS (0 to 1)."""
    assert view.cancel_from is not None and view.cancel_at is not None
    span = max(1e-9, view.cancel_at - view.cancel_from)
    share = min(1.0, max(0.0, (now - view.cancel_from) / span))
    return math.floor(share * STEPS + 1e-9) / STEPS


def _moved(element: Element, dy: int) -> Element:
    x, y, w, h = element.rect
    return dataclasses.replace(element, rect=(x, y + dy, w, h))
