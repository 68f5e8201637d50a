"""The pygame display: opening the screen and, in a desktop window, SDL's input.

Only the video and font modules are started (``pygame.init()`` would open audio too, which
prints ALSA errors on a Pi without sound and is never used here).

Where input comes from depends on SDL's video driver. In a desktop window (X11, Wayland)
the window system delivers keys, clicks and taps to SDL, and the main loop pumps SDL at a
modest fixed rate (:attr:`Display.pumps`); never through ``pygame.event.wait``, which polls
every millisecond on the KMSDRM and dummy drivers. On the console (KMSDRM) and under the
dummy driver SDL's input is switched off: :mod:`kiosk.devices.evdev` reads the input
devices itself, waking the loop only when input arrives, with the kernel's own time stamps.

On the console nothing turns the picture for a screen mounted on its side or upside down
(no compositor; KMS ignores config.txt's ``display_rotate``), so the display does it: with
a ``rotation`` the kiosk draws on an offscreen :attr:`Display.surface` of the turned size
(a 1920x1080 mode turned 90 degrees is a 1080x1920 frame) and :meth:`Display.show` turns
what changed onto the real screen: the whole frame, or only the updated rectangles (the
countdown ring), each at its turned place. Rotation 0 draws straight on the screen, as
before, with no copy. Pointer and finger positions are not turned: no input uses one (a
press anywhere is the button, and evdev reads no coordinates). Code that comes to use them
must map them back through :attr:`Display.rotation` (the inverse of :func:`screen_rect`).
"""

from __future__ import annotations

import logging
import os

import pygame

from kiosk.content.settings import ROTATIONS
from kiosk.core.events import Event, Press, Quit, Release, Repaint

log = logging.getLogger(__name__)

#: The keys that stand in for the big button.
BUTTON_KEYS = (pygame.K_SPACE, pygame.K_RETURN, pygame.K_KP_ENTER)
#: A finger "down" longer than this (seconds) is taken to have lost its FINGERUP.
STALE_TOUCH_SECONDS = 30.0
#: Window size for ``--windowed`` without ``--size``.
WINDOW_SIZE = (1280, 720)
#: SDL video drivers of desktop window systems: input comes through SDL, pumped by the loop.
WINDOW_DRIVERS = ("x11", "wayland", "windows", "cocoa")
#: The SDL events a pumping display reads; everything else is dropped by SDL.
SDL_INPUT = (
    pygame.QUIT,
    pygame.KEYDOWN,
    pygame.KEYUP,
    pygame.MOUSEBUTTONDOWN,
    pygame.MOUSEBUTTONUP,
    pygame.FINGERDOWN,
    pygame.FINGERUP,
    pygame.WINDOWEXPOSED,
)


class DisplayError(RuntimeError):
    """The screen could not be opened or was lost; the service manager should restart us."""


class Display:
    """The kiosk's screen.

    :param size: exact size in pixels, or None for the display's own size.
    :param fullscreen: take the whole screen (the kiosk) or open a window (a preview).
    :param pumps: read input through SDL (:meth:`poll`); None decides by the video driver
        (a desktop window system pumps; the console and the dummy driver do not).
    :param rotation: turn the picture this many degrees clockwise (0, 90, 180 or 270);
        ``size`` is the screen's (the mode's) size, :attr:`size` the turned frame's.
    """

    def __init__(
        self,
        size: tuple[int, int] | None = None,
        fullscreen: bool = True,
        pumps: bool | None = None,
        rotation: int = 0,
    ) -> None:
        if rotation not in ROTATIONS or isinstance(rotation, bool):
            raise ValueError(f"rotation must be one of {ROTATIONS}, not {rotation!r}")
        self.fullscreen = fullscreen
        #: Degrees clockwise the picture is turned on the screen; kept by :meth:`reopen`.
        self.rotation = rotation
        #: The size asked for (None: the screen's own), used again by :meth:`reopen`.
        self.requested = size
        self._start()
        self.driver = pygame.display.get_driver()
        self.pumps = self.driver in WINDOW_DRIVERS if pumps is None else pumps
        self._filter_events()
        self._touches: dict[int, float] = {}  # finger id -> when it went down

    def _start(self) -> None:
        try:
            pygame.display.init()
            pygame.font.init()
            #: The real screen (SDL's window surface).
            self.screen = self._open(self.requested)
        except pygame.error as err:
            driver = os.environ.get("SDL_VIDEODRIVER", "default")
            raise DisplayError(
                f"Display could not start (SDL video driver {driver}): {err}. "
                "Is a screen connected, and is no desktop holding it?"
            ) from err
        pygame.display.set_caption("Acupressure kiosk")
        if self.fullscreen:
            pygame.mouse.set_visible(False)
        #: What the kiosk draws on: the screen itself, or a frame of the turned size.
        self.surface = self.screen
        if self.rotation:
            width, height = self.screen.get_size()
            turned = (height, width) if self.rotation in (90, 270) else (width, height)
            self.surface = pygame.Surface(turned, 0, self.screen)  # the screen's format

    def _filter_events(self) -> None:
        """Only the events we use are queued: the rest (mouse motion...) would pile up
        unseen; without pumping, none at all."""
        pygame.event.set_blocked(None)
        if self.pumps:
            pygame.event.set_allowed(list(SDL_INPUT))

    def release(self) -> None:
        """Let go of the screen (SDL's video quits), for the text console to have it until
        :meth:`reopen`; nothing may be drawn meanwhile."""
        pygame.display.quit()

    def reopen(self) -> None:
        """Open the screen again (a screen plugged back in, maybe with another mode): the
        new :attr:`size` is the screen's own unless a size was asked for. Raises
        :class:`DisplayError` when it cannot be opened."""
        pygame.display.quit()
        self._start()
        self._filter_events()
        self._touches.clear()

    def _open(self, size: tuple[int, int] | None) -> pygame.Surface:
        if self.fullscreen and size is None:
            return pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        if self.fullscreen:
            # Under the dummy driver FULLSCREEN is always 1024x768: an exact size needs a
            # plain surface there, which on a real console still fills the screen.
            flags = 0 if os.environ.get("SDL_VIDEODRIVER") == "dummy" else pygame.FULLSCREEN
            return pygame.display.set_mode(size, flags)
        return pygame.display.set_mode(size or WINDOW_SIZE)

    @property
    def size(self) -> tuple[int, int]:
        """The size to lay out and draw for: the screen's, turned by :attr:`rotation`."""
        return self.surface.get_size()

    @property
    def mode(self) -> str:
        """The screen's mode in words for the log, with the turn if there is one."""
        width, height = self.screen.get_size()
        if not self.rotation:
            return f"{width}x{height}"
        turned_width, turned_height = self.size
        return (
            f"{width}x{height}, the picture turned {self.rotation} degrees clockwise: "
            f"{turned_width}x{turned_height}"
        )

    def show(self, rects: list | None) -> None:
        """Put what was drawn on the screen: all of it (None) or just ``rects``."""
        try:
            if self.surface is self.screen:
                if rects is None:
                    pygame.display.flip()
                elif rects:
                    pygame.display.update(rects)
            elif rects is None:
                self.screen.blit(pygame.transform.rotate(self.surface, -self.rotation), (0, 0))
                pygame.display.flip()
            elif rects:
                pygame.display.update([self._turn(rect) for rect in rects])
        except pygame.error as err:
            raise DisplayError(f"Display lost: {err}") from err

    def _turn(self, rect: pygame.typing.RectLike) -> pygame.Rect:
        """Copy the frame's ``rect``, turned, to its place on the screen; that place. Only
        the rectangle is turned (a countdown second costs its ring, not a frame)."""
        area = pygame.Rect(rect).clip(self.surface.get_rect())
        place = screen_rect(area, self.surface.get_size(), self.rotation)
        if area:
            turned = pygame.transform.rotate(self.surface.subsurface(area), -self.rotation)
            self.screen.blit(turned, place)
        return place

    def drain(self) -> None:
        """Let SDL read its input (keys it acts on itself, such as switching consoles) and
        drop the events: on the console the kiosk reads its presses from evdev."""
        try:
            pygame.event.pump()
            pygame.event.clear()
        except pygame.error as err:
            raise DisplayError(f"Display lost: {err}") from err

    def poll(self, now: float) -> list[Event]:
        """Pump SDL and return its input as button events stamped ``now``.

        SDL 2 stamps an event when it is pumped, not when it happened, so ``now`` is as good
        as SDL's own stamp: an input is late by at most the pump interval.
        """
        events: list[Event] = []
        try:
            raw = pygame.event.get()
        except pygame.error as err:
            raise DisplayError(f"Display lost: {err}") from err
        for event in raw:
            if event.type == pygame.FINGERDOWN and self._forget_stale_touches(now):
                events.append(Release(now, "touch"))
            mapped = self._map(event, now)
            if mapped is not None:
                events.append(mapped)
        return events

    def _map(self, event: pygame.event.Event, now: float) -> Event | None:
        kind = event.type
        if kind == pygame.QUIT:
            return Quit("window closed")
        if kind == pygame.WINDOWEXPOSED:
            return Repaint()
        if kind in (pygame.KEYDOWN, pygame.KEYUP):
            if kind == pygame.KEYDOWN and event.key == pygame.K_ESCAPE and not self.fullscreen:
                return Quit("Escape pressed")
            if event.key in BUTTON_KEYS:
                return (Press if kind == pygame.KEYDOWN else Release)(now, "keyboard")
            return None
        if kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
            if getattr(event, "touch", False) or event.button != 1:
                return None  # touches arrive as FINGER events too; wheel is not a press
            return (Press if kind == pygame.MOUSEBUTTONDOWN else Release)(now, "mouse")
        if kind == pygame.FINGERDOWN:
            first = not self._touches
            self._touches[event.finger_id] = now
            return Press(now, "touch") if first else None
        if kind == pygame.FINGERUP:
            self._touches.pop(event.finger_id, None)
            return Release(now, "touch") if not self._touches else None
        return None

    def _forget_stale_touches(self, now: float) -> bool:
        """Drop fingers down longer than STALE_TOUCH_SECONDS; True if that lifted the last.

        A touch screen reset mid-touch (a USB glitch) never sends that finger's FINGERUP,
        and evdev numbers every new touch afresh: without this the screen would stay
        "touched" and ignore every tap after it.
        """
        if not self._touches:
            return False
        self._touches = {f: t for f, t in self._touches.items() if now - t < STALE_TOUCH_SECONDS}
        return not self._touches

    def close(self) -> None:
        pygame.display.quit()


def screen_rect(rect: pygame.Rect, frame: tuple[int, int], rotation: int) -> pygame.Rect:
    """Where the frame's ``rect`` lands on the screen when a ``frame``-sized picture is
    turned ``rotation`` degrees clockwise (90: the frame's top edge becomes the screen's
    right edge)."""
    width, height = frame
    x, y, w, h = rect
    if rotation == 90:
        return pygame.Rect(height - y - h, x, h, w)
    if rotation == 180:
        return pygame.Rect(width - x - w, height - y - h, w, h)
    if rotation == 270:
        return pygame.Rect(y, width - x - w, h, w)
    return pygame.Rect(rect)
