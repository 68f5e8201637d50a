"""Drawing views onto the display, repainting only what changed.

The renderer keeps the elements of the frame on screen. A new view with a new layout is a
full repaint; the same layout with a new countdown second repaints just the ring's square and
hands back those rectangles for ``pygame.display.update``. Layouts are cached per screen, so
returning to a screen costs no text fitting.

Screens can be prepared ahead (:meth:`Renderer.prepare`, :meth:`Renderer.warm`): the main loop
lays out every later screen and fills the text and drawing caches for it while it waits,
after the first frame is up, so a press never waits for text fitting or an SVG rasteriser.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable
from functools import partial

import pygame

from kiosk.content.builtin import media_dir
from kiosk.content.config import Config
from kiosk.content.model import Content
from kiosk.core.screensize import Pitch, pitch_mm
from kiosk.core.session import View
from kiosk.ui.cache import LRU
from kiosk.ui.columns import Frame
from kiosk.ui.decoder import Decoder
from kiosk.ui.elements import Element, Rect
from kiosk.ui.images import ImageCache
from kiosk.ui.languagemarks import target_at
from kiosk.ui.painter import Painter
from kiosk.ui.screens import Layout, Screens
from kiosk.ui.text import Fonts
from kiosk.ui.theme import BACKGROUND
from kiosk.ui.tour import every_screen

log = logging.getLogger(__name__)


class Renderer:
    """Draws :class:`~kiosk.core.session.View` s with :class:`~kiosk.ui.screens.Screens`.

    :param screens: the layouts for this screen size and content.
    :param painter: paints elements (holds the font and image caches).
    :param layouts: how many screens' layouts are kept: at least every screen of the
        routine, or warming them up would push out the first ones.
    :param on_prepared: called (from the layout thread) when a prepared screen has been laid
        out, so the main loop can warm it up; None when nobody waits for that.
    :param pitch_for: the pixel pitch of a screen of a given size (asked again when the
        screen comes back at another size: it may be another screen); None: the usual one
        for the resolution.
    """

    def __init__(
        self,
        screens: Screens,
        painter: Painter,
        layouts: int = 32,
        on_prepared: Callable[[], None] | None = None,
        pitch_for: Callable[[tuple[int, int]], Pitch | None] = lambda size: None,
    ) -> None:
        self.screens = screens
        self.pitch_for = pitch_for
        self.painter = painter
        self.on_prepared = on_prepared
        self._layouts: LRU[Layout] = LRU(layouts)
        # each view queued with the screens it was queued for: a staff file read again or a
        # new screen size makes the views still waiting meaningless (a 4th hold in a 2-hold
        # routine), and they are dropped, not laid out with the new screens
        self._to_lay_out: queue.SimpleQueue[tuple[Screens, View] | None] = queue.SimpleQueue()
        self._swap = threading.Lock()  # the screens swapped, or a layout kept for them
        self._layout_thread: threading.Thread | None = None
        self._queued = 0  # views put on the layout thread's queue and not yet done
        self._queued_lock = threading.Lock()
        self._closing = False
        self._shown: tuple[Element, ...] | None = None
        self._shown_layout: Layout | None = None
        self._pending: deque[View] = deque()
        self._prepared: list[View] = []
        self._scratch: pygame.Surface | None = None

    def layout(self, view: View) -> Layout:
        return self._layouts.get_or(_key(view), lambda: self.screens.layout(view))

    def language_at(self, view: View, where: tuple[float, float] | None) -> int | None:
        """The language whose mark on ``view``'s screen is at ``where`` (fractions of the
        frame, :attr:`kiosk.core.events.Press.where`), or None."""
        if where is None or not self.layout(view).targets:
            return None
        frame = self.screens.frame
        return target_at(self.layout(view).targets, where[0] * frame.width, where[1] * frame.height)

    def pages(self, view: View) -> int:
        """How many pages the screen of ``view`` has (its layout is made if need be)."""
        return self.layout(view).pages

    def elements(self, view: View, now: float) -> tuple[Layout, tuple[Element, ...]]:
        layout = self.layout(view)
        changing = self.screens.countdown(view, layout, now)
        note = self.screens.in_language(view.language).stop_note.elements(view, now)
        return layout, layout.elements + changing + note

    def draw(self, surface: pygame.Surface, view: View, now: float) -> list[Rect] | None:
        """Bring ``surface`` up to date with ``view`` at ``now``.

        Returns None for a full repaint (flip the display), the changed rectangles for a
        partial one, and an empty list when nothing changed.
        """
        layout, elements = self.elements(view, now)
        if layout is not self._shown_layout or self._shown is None:
            surface.fill(BACKGROUND)
            for element in elements:
                self.painter.paint(surface, element)
            self._shown, self._shown_layout = elements, layout
            return None
        if elements == self._shown:
            return []
        changed = [e.rect for e in set(elements) ^ set(self._shown)]
        self._shown = elements
        dirty = [pygame.Rect(r) for r in changed]
        area = dirty[0].unionall(dirty[1:])
        surface.set_clip(area)
        surface.fill(BACKGROUND, area)
        for element in elements:
            if area.colliderect(element.rect):
                self.painter.paint(surface, element)
        surface.set_clip(None)
        return [area]

    def prepare(self, views: Iterable[View]) -> None:
        """Lay ``views`` out on a background thread, then have :meth:`warm` paint them (to
        fill the caches), one call each, on the main thread."""
        views = list(views)
        self._prepared += views
        self._pending.extend(views)
        self._lay_out_later(views)

    def _lay_out_later(self, views: list[View], screens: Screens | None = None) -> None:
        with self._queued_lock:
            self._queued += len(views)
        screens = self.screens if screens is None else screens
        for view in views:
            self._to_lay_out.put((screens, view))

    @property
    def laying_out(self) -> bool:
        """True while the layout thread runs and has screens still to lay out."""
        thread = self._layout_thread
        return self._queued > 0 and thread is not None and thread.is_alive() and not self._closing

    def _start_laying_out(self) -> None:
        """The layout thread starts with the first :meth:`warm` (from the running loop, whose
        end closes it), never while the program may still end without closing it."""
        if self._layout_thread is None and not self._closing:
            self._layout_thread = threading.Thread(
                target=self._lay_out, name="layouts", daemon=True
            )
            self._layout_thread.start()

    def _lay_out(self) -> None:
        """The layout thread: text fitting is pure Python, so the interpreter hands the main
        loop its turn every few milliseconds while a long layout runs here."""
        while (queued := self._to_lay_out.get()) is not None and not self._closing:
            laid_out = self._lay_out_one(*queued)
            with self._queued_lock:
                self._queued -= 1
            if laid_out and self.on_prepared is not None:
                self.on_prepared()

    def _lay_out_one(self, screens: Screens, view: View) -> bool:
        """Lay ``view`` out with ``screens`` into the cache; False when there was nothing
        new to warm (laid out already, or queued for screens since replaced)."""
        if screens is not self.screens or _key(view) in self._layouts:
            return False
        try:
            layout = screens.layout(view)
        except Exception:  # the main thread lays it out (and falls back) when shown
            log.exception("Laying out a screen in the background failed")
            with self._swap, contextlib.suppress(ValueError):  # warm the screens after it
                if screens is self.screens:
                    self._pending.remove(view)
            return True
        later = []
        if view.page == 0 and layout.pages > 1:  # its later pages: laid out next
            later = [dataclasses.replace(view, page=page) for page in range(1, layout.pages)]
        with self._swap:
            if screens is not self.screens:  # replaced while it was laid out
                return False
            self._layouts.put(_key(view), layout)
            self._pending.extend(later)
        self._lay_out_later(later, screens)
        return True

    @property
    def size(self) -> tuple[int, int]:
        return self.screens.frame.width, self.screens.frame.height

    def resize(self, size: tuple[int, int]) -> None:
        """Lay every screen out again for a screen of ``size`` (a new mode after the screen
        was plugged back in); the prepared screens are queued to be warmed up again."""
        self.rebuild(dataclasses.replace(self.screens, frame=Frame(*size, self.pitch_for(size))))
        self.painter.images.clear()

    def set_notices(self, notices: tuple[str, ...]) -> None:
        """Change the staff notes in the corner (a part that came back, say)."""
        if notices != self.screens.notices:
            self.rebuild(dataclasses.replace(self.screens, notices=notices))

    def set_beeps(self, beeps: bool) -> None:
        """Say whether a buzzer sounds the end of a hold (the texts promise a beep only
        then): it may have failed to open, or come back."""
        if beeps != self.screens.beeps:
            self.rebuild(dataclasses.replace(self.screens, beeps=beeps))

    def use_content(self, config: Config, notices: tuple[str, ...]) -> None:
        """Draw ``config``'s content and timings from now on (a staff file read again):
        layouts and drawings are made afresh, the caches sized for the new routine, and
        every screen of it is prepared again (:meth:`prepare`). The next draw is full."""
        content = config.content
        screens = dataclasses.replace(
            self.screens,
            content=content,
            timing=config.timing,
            steps=content.steps(),
            notices=notices,
            languages=tuple(config.contents.values()),
        )
        views = [stop.view for stop in every_screen(config)]
        self._layouts.limit = max(self._layouts.limit, layout_capacity(len(views)))
        self.painter.images.clear()
        self.painter.images.grow(image_capacity(content) * len(config.contents))
        self._prepared = []
        self.rebuild(screens)
        self.prepare(views)

    def rebuild(self, screens: Screens) -> None:
        """Use ``screens`` from now on: layouts are made afresh, the next draw is full."""
        with self._swap:
            self.screens = screens
            self._layouts.clear()
            self._pending = deque(self._prepared)
        if self._prepared:
            self._lay_out_later(self._prepared)
        self.invalidate()

    @property
    def warming(self) -> bool:
        """True while prepared views are waiting for :meth:`warm`."""
        return bool(self._pending)

    def warm(self) -> bool:
        """Paint the next prepared view once the layout thread has laid it out (its drawings
        are then asked for); False when its layout is not ready yet.

        Its elements are painted onto a 1x1 scratch surface: the painter fills its caches
        exactly as for the screen, and clipping throws the pixels away.
        """
        self._start_laying_out()
        if not self._pending or _key(self._pending[0]) not in self._layouts:
            return False
        if self._scratch is None:
            self._scratch = pygame.Surface((1, 1))
        for element in self.layout(self._pending.popleft()).elements:
            self.painter.paint(self._scratch, element)
        if not self._pending:
            self._scratch = None
        return True

    def close(self) -> None:
        """Stop laying out and decoding drawings in the background. The layout thread is
        waited for (a layout is bounded by its time budget): fonts must not be freed under
        it when the program ends."""
        self._closing = True
        self._to_lay_out.put(None)
        if self._layout_thread is not None:
            self._layout_thread.join(timeout=5)
        self.painter.images.close()

    def invalidate(self) -> None:
        """Forget what is on screen (the next draw is a full repaint)."""
        self._shown = None
        self._shown_layout = None

    def next_change(self, view: View, now: float) -> float | None:
        """When the countdown on ``view`` next shows a different number, or the note that
        holding the button stops the session moves its bar; None when neither will."""
        changes = (self._next_second(view, now), self.screens.stop_note.next_change(view, now))
        return min((c for c in changes if c is not None), default=None)

    def _next_second(self, view: View, now: float) -> float | None:
        if view.ends is None or self.layout(view).ring is None:
            return None
        left = view.seconds_left(now)
        if left <= 0:
            return None
        return view.ends - (left - 1) if left > 1 else view.ends

    def cache_sizes(self) -> dict[str, int]:
        return {
            "layouts": len(self._layouts),
            "fonts": self.painter.fonts.cache_size(),
            "images": len(self.painter.images),
        }


def image_capacity(content: Content) -> int:
    """How many fitted drawings to keep: each point's at up to four sizes (idle, intro, the
    next-point and other-side screens)."""
    return max(32, 4 * len(content.points) + 8)


def layout_capacity(screens: int) -> int:
    """How many layouts to keep for a routine of ``screens`` screens: room for every page
    when the screens are split into pages (on the 7-inch screen a point's steps take up to
    four, the others one), and a few more."""
    return max(32, 2 * screens + 8)


def _key(view: View) -> tuple:
    """What a layout depends on in a view (not the countdown's times)."""
    return (view.phase, view.point, view.step, view.page, view.language)


def build_renderer(
    config: Config,
    size: tuple[int, int],
    notices: tuple[str, ...] = (),
    images: ImageCache | None = None,
    on_ready: Callable[[], None] | None = None,
    on_prepared: Callable[[], None] | None = None,
    beeps: bool | None = None,
    pitch_for: Callable[[tuple[int, int]], Pitch | None] | None = None,
) -> Renderer:
    """A renderer for ``config``'s content on a screen of ``size`` pixels.

    Its caches are sized from the routine, so that every screen a patient meets (and its
    drawing) stays prepared once warmed up: a 12-point routine has 75 screens. With
    ``on_ready`` drawings are decoded in the background, in a child process, and
    ``on_ready()`` is called (from another thread) when one is ready to be shown;
    ``on_prepared()`` when a screen queued by :meth:`Renderer.prepare` has been laid out.
    ``beeps``: a buzzer sounds the end of each hold (by default, when one is wired).
    ``pitch_for(size)``: how large the pixels of a screen of ``size`` are (the kiosk reads the
    screen's EDID); by default from ``hardware.screen_diagonal_inches``, else the usual size
    for the resolution.
    """
    pygame.font.init()
    fonts = Fonts(media_dir() / "fonts")
    content = config.content
    if beeps is None:
        beeps = config.hardware.buzzer_pin is not None
    if pitch_for is None:
        pitch_for = partial(configured_pitch, config)
    frame = Frame(*size, pitch_for(size))
    languages = tuple(config.contents.values())
    screens = Screens(
        frame, content, fonts, config.timing, content.steps(), notices, beeps, languages=languages
    )
    if images is None:
        images = ImageCache(
            fonts.bold,
            capacity=image_capacity(content) * len(languages),
            decoder=Decoder() if on_ready else None,
            on_ready=on_ready,
        )
    layouts = layout_capacity(len(every_screen(config)))
    return Renderer(screens, Painter(fonts, images), layouts, on_prepared, pitch_for)


def configured_pitch(config: Config, size: tuple[int, int]) -> Pitch:
    """The pixel pitch ``config`` gives a screen of ``size`` without asking the screen:
    from ``hardware.screen_diagonal_inches``, else the usual size for the resolution."""
    return pitch_mm(size, config.hardware.screen_diagonal_inches)
