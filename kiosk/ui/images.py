"""Drawings for the display: fitted to a box, mirrored for the left side, cached, never fatal.

:class:`ImageCache` turns an image file into a surface of the size a screen needs. SVG files
are rasterised at exactly that size (sharp from 800x480 to 4K); PNG and JPEG files are read
once and scaled smoothly, keeping their aspect ratio. A missing or broken file gives a
neutral placeholder with the point's name and one log line, so the kiosk keeps running.
:func:`check_image` gives the same diagnosis for the ``check`` command.

Nothing is decoded before :func:`kiosk.ui.imagefile.read_image` has checked it: a regular file,
under the size caps, a PNG or JPEG that declares at most 40 megapixels, an SVG that is not too
detailed, content that matches its name. The decoder is handed the bytes that were checked.

In the running kiosk the cache decodes in the background (``decoder`` and ``on_ready``): a
drawing not decoded yet shows as the placeholder, a worker thread has the decoding child
process (:mod:`kiosk.ui.decoder`) decode it within a time budget, and ``on_ready`` asks for a
repaint. So a slow or hostile drawing never holds up the main loop: not a press, not the
watchdog, not SIGTERM.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path

import pygame

from kiosk.ui.cache import LRU
from kiosk.ui.decoder import DecodeError, Decoder
from kiosk.ui.imagefile import ImageFile, Refused, file_problem, read_image
from kiosk.ui.text import open_font

logger = logging.getLogger(__name__)

#: File types the kiosk can show (lower case).
SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")
#: Shape of the placeholder (width, height): that of the bundled drawings.
PLACEHOLDER_ASPECT = (4, 3)
PLACEHOLDER_FILL = (226, 221, 213)
PLACEHOLDER_EDGE = (143, 136, 126)
PLACEHOLDER_TEXT = (38, 42, 46)

Size = tuple[int, int]


def check_image(path: Path) -> str | None:
    """What is wrong with the image file at ``path``, in one line, or None if it can be shown.

    Reports an unsupported file type, a missing file, a folder or pipe, an unreadable file,
    a file over a limit (:mod:`kiosk.ui.imagefile`: size, pixels, detail, content that does
    not match its name) and a file that is not a valid image (decoded once, at a small size,
    once it is known to be safe).
    """
    problem = _file_problem(path)
    if problem is not None:
        return problem
    try:
        _decode(read_image(path), (64, 48))
    except Refused as refusal:
        return str(refusal)
    except (pygame.error, OSError, ValueError, MemoryError) as error:
        return f"{path}: not a valid {_kind(path)} image or damaged ({_reason(error)})"
    return None


def _file_problem(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        shown = f"'{path.suffix}'" if path.suffix else "no extension"
        return f"{path}: unsupported file type ({shown}); use .svg, .png, .jpg or .jpeg"
    return file_problem(path)


def _kind(path: Path) -> str:
    return {".svg": "SVG", ".png": "PNG"}.get(path.suffix.lower(), "JPEG")


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error).strip().rstrip(".") or type(error).__name__


def fit(source: Size, box: Size) -> Size:
    """The largest size with the aspect ratio of ``source`` that fits inside ``box``."""
    sw, sh = max(1, source[0]), max(1, source[1])
    bw, bh = max(1, box[0]), max(1, box[1])
    if bw * sh <= bh * sw:
        return bw, min(bh, max(1, round(sh * bw / sw)))
    return min(bw, max(1, round(sw * bh / sh))), bh


def fitted_image(path: Path, box: Size) -> pygame.Surface:
    """The drawing at ``path`` fitted inside ``box``, once it has passed its checks: an SVG
    rasterised at the box, a PNG or JPEG scaled into it. Raises :class:`Refused`,
    ``pygame.error``, ``OSError``, ``ValueError`` or ``MemoryError``."""
    if path.suffix.lower() == ".svg":
        return _exact(_decode(read_image(path), box), box)
    return _scaled(_load(read_image(path)), box)


def problem_of(path: Path, error: BaseException) -> str:
    """The one line that says why the drawing at ``path`` cannot be shown."""
    if isinstance(error, Refused):
        return str(error)
    return f"{path}: not a valid {_kind(path)} image or damaged ({_reason(error)})"


class _Pending(Exception):
    """The drawing is being decoded in the background."""


class _Failed(Exception):
    """The drawing cannot be shown (said once in the log): its placeholder stands in."""


def _decode(image: ImageFile, box: Size) -> pygame.Surface:
    """``image`` fitted inside ``box``; SVG is rasterised at that size. May raise."""
    if image.kind == "svg":
        surface = pygame.image.load_sized_svg(io.BytesIO(image.data), box)
        if surface.get_width() < 1 or surface.get_height() < 1:
            raise ValueError("the drawing has no size")
        return surface
    return _scaled(_load(image), box)


def _load(image: ImageFile) -> pygame.Surface:
    """A checked PNG or JPEG, decoded from the bytes that were checked (at its own size)."""
    return pygame.image.load(io.BytesIO(image.data), f"{image.path.stem}.{image.kind}")


def _scaled(source: pygame.Surface, box: Size) -> pygame.Surface:
    size = fit(source.get_size(), box)
    if source.get_bitsize() not in (24, 32):
        # smoothscale only takes 24/32-bit surfaces; palette PNGs are 8-bit.
        full = pygame.Surface(source.get_size(), pygame.SRCALPHA, 32)
        full.blit(source, (0, 0))
        source = full
    if size == source.get_size():
        return source.copy()
    return pygame.transform.smoothscale(source, size)


class ImageCache:
    """Images fitted to the size each screen asks for, kept for the next frame.

    ``get()`` never raises: a missing, unreadable or damaged file (or no file) gives a plain
    placeholder with the point's name, and one warning per file in the ``kiosk.images`` log;
    so does a file over a limit of :mod:`kiosk.ui.imagefile` (too many pixels, too large or
    too detailed, SVG text under a picture's name), which is never decoded.
    Results are kept by (file, size, mirror) in a least-recently-used cache of ``capacity``
    entries (32 by default: four points, both sides, a few screen layouts), so changing sizes
    cannot make it grow without limit. A drawing is the same in every language, so it is
    decoded and kept once for all of them; only a placeholder shows the point's name (they
    are kept apart, by size and name). ``font`` is the font file for the placeholder's text
    (pygame's own font when None). PNG and JPEG files are decoded once and kept (up to
    ``sources`` of them, 8 by default) so a new size only costs a rescale. Example::

        images = ImageCache(font=media_dir() / "fonts" / "DejaVuSans-Bold.ttf")
        drawing = images.get(media_dir() / "ub60.svg", (640, 400), mirror=True, name="Ankle")
        screen.blit(drawing, (80, 40))
    """

    def __init__(
        self,
        font: Path | None = None,
        capacity: int = 32,
        sources: int = 8,
        decoder: Decoder | None = None,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        self.font_file = font
        self._entries: LRU[pygame.Surface] = LRU(capacity)
        self._sources: LRU[pygame.Surface] = LRU(sources)
        self._fonts: LRU[pygame.font.Font] = LRU(16)
        self._placeholders: LRU[pygame.Surface] = LRU(16)
        self._problems: dict[Path | None, str | None] = {}
        self._warned: set[object] = set()
        self._background = _Background(decoder, on_ready) if decoder and on_ready else None

    def close(self) -> None:
        """Stop decoding in the background (the decoding child goes too)."""
        if self._background is not None:
            self._background.close()

    def __len__(self) -> int:
        """How many fitted images are cached now."""
        return len(self._entries)

    def grow(self, capacity: int) -> None:
        """Keep at least ``capacity`` fitted images from now on (a longer routine)."""
        self._entries.limit = max(self._entries.limit, capacity)

    def clear(self) -> None:
        """Forget every cached image (files are read again when next asked for)."""
        self._entries.clear()
        self._sources.clear()
        self._problems.clear()
        if self._background is not None:
            self._background.forget()

    def ok(self, path: Path | None) -> bool:
        """True when ``path`` shows as itself rather than as the placeholder.

        Known after ``get()`` has tried the file; before that only the file itself (type,
        presence, a regular file under the size cap) is checked, without opening it.
        """
        if path is None:
            return False
        path = Path(path)
        if self._background is not None and self._background.waiting(path):
            return False  # shown as the placeholder until it is decoded
        return self._file_ok(path)

    def _file_ok(self, path: Path) -> bool:
        """No problem known with ``path`` (and none with the file itself)."""
        if path not in self._problems:
            self._problems[path] = _file_problem(path)
        return self._problems[path] is None

    def get(
        self, path: Path | None, size: Size, *, mirror: bool = False, name: str = ""
    ) -> pygame.Surface:
        """The image at ``path`` fitted inside ``size`` (pixels), flipped left-right if
        ``mirror``; the returned surface has the fitted size, not ``size``."""
        path = None if path is None else Path(path)
        box = (max(1, int(size[0])), max(1, int(size[1])))
        try:
            drawing = self._entries.get_or(
                (path, box, mirror), lambda: self._fitted(path, box, mirror, name)
            )
        except (_Pending, _Failed):  # decoded later (it replaces this), or never
            return self._placeholders.get_or((box, name), lambda: self.placeholder(box, name))
        # A placeholder stands in only while its drawing is decoded: each is as big as the
        # drawing (megabytes on a large screen), so it is not kept afterwards.
        self._placeholders.discard((box, name))
        return drawing

    def _fitted(self, path: Path | None, box: Size, mirror: bool, name: str) -> pygame.Surface:
        surface = self._render(path, box, name)
        if mirror:  # never a placeholder (its name must stay readable): _render raised
            surface = pygame.transform.flip(surface, True, False)
        if pygame.display.get_init() and pygame.display.get_surface() is not None:
            surface = surface.convert_alpha()
        return surface

    def _render(self, path: Path | None, box: Size, name: str) -> pygame.Surface:
        """The drawing at ``path`` fitted inside ``box``; raises :class:`_Pending` while it
        is decoded, :class:`_Failed` (told once) when it cannot be shown."""
        if path is None:
            self._warn_once(("none", name), f"no image given for {name!r}: showing a placeholder")
            raise _Failed
        if not self._file_ok(path):
            self._warn_placeholder(path, str(self._problems[path]), name)
            raise _Failed
        try:
            if self._background is not None:
                return self._background.result(path, box)
            if path.suffix.lower() == ".svg":
                return _exact(_decode(read_image(path), box), box)
            return _scaled(self._source(path), box)
        except (Refused, pygame.error, OSError, ValueError, MemoryError, DecodeError) as error:
            problem = str(error) if isinstance(error, DecodeError) else problem_of(path, error)
            self._problems[path] = problem
            self._warn_placeholder(path, problem, name)
            raise _Failed from error

    def _source(self, path: Path) -> pygame.Surface:
        """The PNG or JPEG at ``path`` at its own size, decoded once it has passed its checks."""
        return self._sources.get_or(path, lambda: _load(read_image(path)))

    def _warn_placeholder(self, path: Path, problem: str, name: str) -> None:
        shown = f" for {name!r}" if name else ""
        self._warn_once(path, f"image {problem}; showing a placeholder{shown} instead")

    def _warn_once(self, key: object, message: str) -> None:
        """Log ``message`` the first time ``key`` comes up: a warning for a file, else info."""
        if key in self._warned:
            return
        self._warned.add(key)
        if isinstance(key, Path):
            logger.warning(message)
        else:
            logger.info(message)

    def placeholder(self, box: Size, name: str) -> pygame.Surface:
        """A neutral 4:3 panel fitted inside ``box`` with ``name`` written in the middle."""
        size = fit(PLACEHOLDER_ASPECT, box)
        surface = pygame.Surface(size, pygame.SRCALPHA, 32)
        rect = surface.get_rect()
        corner = max(0, min(size) // 16)
        pygame.draw.rect(surface, PLACEHOLDER_FILL, rect, border_radius=corner)
        edge = max(1, min(size) // 100)
        pygame.draw.rect(surface, PLACEHOLDER_EDGE, rect, edge, border_radius=corner)
        if name and min(size) >= 8:
            text = self._name_text(name, size)
            surface.blit(text, text.get_rect(center=rect.center))
        return surface

    def _name_text(self, name: str, size: Size) -> pygame.Surface:
        """``name`` wrapped to 80% of the width, in the largest size up to 1/8 of the height
        that fits (never below 8 px)."""
        width, height = size
        points = max(8, height // 8)
        while True:
            font = self._font(points)
            text = font.render(name, True, PLACEHOLDER_TEXT, wraplength=max(1, width * 4 // 5))
            fits = text.get_width() <= width * 0.9 and text.get_height() <= height * 0.9
            if fits or points <= 8:
                return text
            points = max(8, points * 4 // 5)

    def _font(self, points: int) -> pygame.font.Font:
        return self._fonts.get_or(points, lambda: self._open_font(points))

    def _open_font(self, points: int) -> pygame.font.Font:
        if not pygame.font.get_init():
            pygame.font.init()
        try:
            font = open_font(self.font_file, points)
        except (OSError, pygame.error) as error:
            self._warn_once(("font",), f"font {self.font_file} cannot be read ({_reason(error)})")
            font = open_font(None, points)
        font.align = pygame.FONT_CENTER
        return font


def _exact(surface: pygame.Surface, box: Size) -> pygame.Surface:
    """``surface`` cut to fit inside ``box``.

    ``load_sized_svg`` rounds the fitted side up, so it can be one pixel larger than the box;
    cutting that pixel keeps the drawing sharp (no rescale).
    """
    width, height = surface.get_size()
    if width <= box[0] and height <= box[1]:
        return surface
    return surface.subsurface((0, 0, min(width, box[0]), min(height, box[1]))).copy()


class _Background:
    """Decoding in the background: a worker thread hands each drawing to the decoding child
    and keeps its pixels until the main thread asks again (see the module docstring)."""

    def __init__(self, decoder: Decoder, on_ready: Callable[[], None]) -> None:
        self.decoder = decoder
        self.on_ready = on_ready
        self._requests: queue.SimpleQueue[tuple[Path, Size] | None] = queue.SimpleQueue()
        self._ready: dict[tuple[Path, Size], tuple[Size, bytes] | str] = {}
        self._asked: set[tuple[Path, Size]] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, name="drawings", daemon=True)
        self._thread.start()

    def result(self, path: Path, box: Size) -> pygame.Surface:
        """The decoded drawing, or :class:`_Pending` (asking for it the first time)."""
        key = (path, box)
        with self._lock:
            done = self._ready.pop(key, None)
        if done is None:
            if key not in self._asked:
                self._asked.add(key)
                self._requests.put(key)
            raise _Pending
        self._asked.discard(key)
        if isinstance(done, str):
            raise DecodeError(done)
        size, pixels = done
        # The surface uses the pixels where they are (it keeps the buffer alive): a large
        # drawing is not held twice.
        return pygame.image.frombuffer(pixels, size, "RGBA")

    def waiting(self, path: Path) -> bool:
        """Whether a size of ``path`` is still being decoded (a decoded one that nobody has
        fetched yet is not waited for)."""
        with self._lock:
            return any(key[0] == path and key not in self._ready for key in self._asked)

    def forget(self) -> None:
        with self._lock:
            self._ready.clear()
        self._asked.clear()

    def close(self) -> None:
        """Stop the worker; a drawing being decoded is abandoned (its child is killed)."""
        self._requests.put(None)
        self.decoder.close()
        self._thread.join(timeout=5)

    def _work(self) -> None:
        while (key := self._requests.get()) is not None:
            try:
                done: tuple[Size, bytes] | str = self.decoder.decode(*key)
            except DecodeError as error:
                done = str(error)
            except Exception as error:  # never lose the worker: the drawing stays a placeholder
                done = f"{key[0]}: the decoder failed ({type(error).__name__}: {error})"
            with self._lock:
                self._ready[key] = done
            self.on_ready()
