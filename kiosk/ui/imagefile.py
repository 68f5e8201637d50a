"""An image file read safely: what it is and how large, from its first bytes, before any decode.

:func:`read_image` is the only way image bytes reach a decoder. It opens regular files only (a
named pipe or a device is never opened), reads at most the file size cap, tells the kind of
picture from its first bytes (not its name), reads the declared size from the header (the PNG
``IHDR`` chunk, the JPEG ``SOFn`` segment, the SVG root element) and measures how detailed an
SVG is. Anything over a limit raises :class:`Refused` with one line for clinic staff; what
passes is an :class:`ImageFile` holding the very bytes that were checked, so the decoder cannot
be handed a file swapped in after the check. Plain Python: no pygame, nothing decoded. Example::

    try:
        image = read_image(Path("ub40.png"))
    except Refused as refusal:
        print(refusal)  # ub40.png is 30000x30000 pixels; the most is 40 megapixels ...
    else:
        surface = pygame.image.load(io.BytesIO(image.data), image.path.name)

The limits, and why (docs/configuration.md, "Limits for drawings", says the same for staff):

- PNG and JPEG: at most :data:`MAX_RASTER_BYTES` on disk and :data:`MAX_PIXELS` as declared
  in the header. ``pygame.image.load`` allocates the declared size before reading a pixel:
  a 116 KB 30000x30000 PNG asks for gigabytes. 40 megapixels is a 160 MB surface, already more
  than a 4K screen (8.3 megapixels) needs five times over.
- SVG named .svg: at most :data:`MAX_SVG_BYTES` and :data:`MAX_SVG_NUMBERS` numbers and
  :data:`MAX_SVG_ELEMENTS` elements. Its declared size is *not* capped: it is rasterised by
  ``pygame.image.load_sized_svg`` at the size of the box on screen, so width="24000" costs
  no more than width="1200". Rasterising time grows with detail (a path of 100k segments took
  40 s, 4,000 curves across the picture 11 s on a desktop), so detail is what is capped.
- SVG text named .png or .jpg: refused. ``pygame.image.load`` would rasterise it at its
  declared size (24000x24000 crashes the process), and renaming it to .svg shows it sharp.
- Anything else under a picture's name (GIF, BMP, TIFF, WebP...): refused as damaged; SDL
  would decode those by their content too, without these checks.

These caps bound memory and keep ordinary files fast; they cannot promise a time for every
drawing under the caps (a few hundred shapes each covering the whole picture are slow to
fill). A decoder in a worker process with a time limit is the guard for that.
"""

from __future__ import annotations

import math
import os
import re
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

#: The most pixels a PNG or JPEG may declare (width x height).
MAX_PIXELS = 40_000_000
#: An example of the largest size, for messages.
MAX_PIXELS_EXAMPLE = "7000x5700"
#: The largest PNG or JPEG file read (bytes).
MAX_RASTER_BYTES = 20 * 1024 * 1024
#: The largest SVG file read (bytes); the bundled drawings are about 4 KB.
MAX_SVG_BYTES = 1024 * 1024
#: The most numbers in an SVG (path data, points, coordinates); the bundled have under 400.
MAX_SVG_NUMBERS = 5_000
#: The most elements in an SVG; the bundled drawings have under 45.
MAX_SVG_ELEMENTS = 400

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_START = b"\xff\xd8\xff"
#: Where SDL looks for "<svg" to take a file for SVG (its IMG_isSVG): the first 4 KB.
SVG_SNIFF_BYTES = 4096
#: How far into an SVG its root element may start (after comments, a DOCTYPE).
SVG_ROOT_BYTES = 64 * 1024

KIND_NAMES = {"png": "PNG", "jpeg": "JPEG", "svg": "SVG"}
SUFFIX_KINDS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".svg": "svg"}
#: JPEG start-of-frame markers (baseline, progressive, lossless, arithmetic...): not C4, C8, CC.
JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
#: CSS pixels per unit, as the SVG rasteriser (nanosvg, 96 dpi) counts them.
SVG_UNITS = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54}
SVG_UNITS |= {"in": 96.0, "em": 16.0, "ex": 8.0}

_NUMBER = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ELEMENT = re.compile(rb"<[A-Za-z_]")
_SVG_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?svg[\s>/]")
_ATTRIBUTE = re.compile(rb"""([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LENGTH = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z%]*)\s*$")


class Refused(Exception):
    """An image file that must not be decoded; ``str()`` is one line for staff."""


@dataclass(frozen=True)
class ImageFile:
    """A checked image file: its kind (``"png"``, ``"jpeg"`` or ``"svg"``), its declared size
    in pixels (None for an SVG that declares none) and the bytes that were checked."""

    path: Path
    kind: str
    size: tuple[int, int] | None
    data: bytes

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


def suffix_kind(path: Path) -> str | None:
    """The kind of picture ``path``'s name promises, or None for another suffix."""
    return SUFFIX_KINDS.get(path.suffix.lower())


def file_problem(path: Path) -> str | None:
    """What stops ``path`` from being opened as a picture, without opening it (or None)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return f"{path}: file not found"
    except OSError as error:
        return f"{path}: cannot be read ({_reason(error)})"
    return _not_regular(path, info.st_mode) or _too_big(path, info.st_size)


def read_image(path: Path) -> ImageFile:
    """The file at ``path``, checked against every limit; raises :class:`Refused`.

    The file is looked at before it is opened (regular files only), opened without blocking
    and looked at again through the open handle, then at most its cap plus one byte is read.
    """
    problem = file_problem(path)
    if problem is not None:
        raise Refused(problem)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        handle = os.open(path, flags)
    except OSError as error:
        raise Refused(f"{path}: cannot be read ({_reason(error)})") from None
    try:
        info = os.fstat(handle)
        problem = _not_regular(path, info.st_mode) or _too_big(path, info.st_size)
        if problem is not None:
            raise Refused(problem)
        data = _read_at_most(handle, _cap(path) + 1)
    except OSError as error:
        raise Refused(f"{path}: cannot be read ({_reason(error)})") from None
    finally:
        os.close(handle)
    if len(data) > _cap(path):
        raise Refused(_too_big(path, len(data)) or f"{path}: grew while being read")
    return inspect(path, data)


def inspect(path: Path, data: bytes) -> ImageFile:
    """Check the bytes of the file at ``path`` (its name says what it should be)."""
    expected = suffix_kind(path)
    if expected is None:
        raise Refused(f"{path}: unsupported file type; use .svg, .png, .jpg or .jpeg")
    kind = sniff(data)
    if kind is None and expected == "svg" and _SVG_ROOT.search(data[:SVG_ROOT_BYTES]):
        kind = "svg"  # a long comment first: SDL would not sniff it, but nanosvg reads it
    if kind == "svg" and expected != "svg":
        raise Refused(f"{path} is SVG drawing text but is named {path.suffix}: rename it to .svg")
    if expected == "svg" and kind in ("png", "jpeg"):
        new = ".png" if kind == "png" else ".jpg"
        shown = KIND_NAMES[kind]
        raise Refused(f"{path} is a {shown} picture but is named .svg: rename it to {new}")
    if kind is None:
        raise Refused(_damaged(path, expected, "it does not start like one"))
    if kind == "svg":
        return ImageFile(path, kind, _svg_checked(path, data), data)
    size = png_size(data) if kind == "png" else jpeg_size(data)
    if size is None:
        raise Refused(_damaged(path, kind, "cut short in its header"))
    width, height = size
    if width < 1 or height < 1:
        raise Refused(_damaged(path, kind, f"its header says {width}x{height} pixels"))
    if width * height > MAX_PIXELS:
        raise Refused(
            f"{path} is {width}x{height} pixels; the most is {MAX_PIXELS // 1_000_000} "
            f"megapixels (for example {MAX_PIXELS_EXAMPLE}); make it smaller"
        )
    return ImageFile(path, kind, size, data)


def sniff(data: bytes) -> str | None:
    """The kind of picture ``data`` is, by its first bytes: ``"png"``, ``"jpeg"``, ``"svg"``
    (the text "<svg" in the first 4 KB, as SDL decides) or None."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(JPEG_START):
        return "jpeg"
    if _SVG_ROOT.search(data[:SVG_SNIFF_BYTES]):
        return "svg"
    return None


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk (the first chunk), or None if it is missing."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a JPEG's first SOFn segment, walking segment by segment (each
    step jumps a segment's length, so a file of n bytes takes at most n/4 steps).

    None when the image data (SOS) or the end comes first, or a segment is cut short.
    """
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            at += 2
            continue
        if marker in (0xD9, 0xDA):
            return None
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if length < 2:
            return None
        if marker in JPEG_FRAMES:
            if at + 9 > len(data) or length < 7:
                return None
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None


def svg_size(data: bytes) -> tuple[int, int] | None:
    """The size in pixels an SVG declares on its root element, looking only at its first
    64 KB: width and height (px, pt, pc, mm, cm, in, em, ex; at 96 dpi like the rasteriser),
    else those of the viewBox; None when it declares neither (or in percent) and its shapes
    decide."""
    root = _svg_root(data)
    if root is None:
        return None
    view = _view_box(root.get("viewBox"))
    width, height = _length(root.get("width")), _length(root.get("height"))
    if view is not None:
        width = width if width is not None else view[0]
        height = height if height is not None else view[1]
    if width is None or height is None:
        return None
    return max(0, round(width)), max(0, round(height))


def svg_detail(data: bytes) -> tuple[int, int]:
    """How many numbers and elements an SVG holds (comments included: a cheap upper bound)."""
    return len(_NUMBER.findall(data)), len(_ELEMENT.findall(data))


def _svg_checked(path: Path, data: bytes) -> tuple[int, int] | None:
    numbers, elements = svg_detail(data)
    if numbers > MAX_SVG_NUMBERS or elements > MAX_SVG_ELEMENTS:
        raise Refused(
            f"{path}: the drawing is too detailed to draw in time ({numbers:,} numbers and "
            f"{elements:,} elements; the most is {MAX_SVG_NUMBERS:,} numbers and "
            f"{MAX_SVG_ELEMENTS} elements); simplify it or save it as PNG"
        )
    return svg_size(data)


def _svg_root(data: bytes) -> dict[str, str] | None:
    start = _SVG_ROOT.search(data[:SVG_ROOT_BYTES])
    if start is None:
        return None
    end = data.find(b">", start.end() - 1, SVG_ROOT_BYTES)
    if end < 0:
        return None
    tag = data[start.end() - 1 : end]
    attributes = {}
    for name, double, single in _ATTRIBUTE.findall(tag):
        value = double if double or not single else single
        attributes[name.decode("ascii")] = value.decode("utf-8", "replace")
    return attributes


def _length(text: str | None) -> float | None:
    if text is None:
        return None
    match = _LENGTH.match(text)
    if match is None or match.group(2).lower() not in SVG_UNITS:
        return None  # percent, or something the rasteriser cannot read either
    value = float(match.group(1)) * SVG_UNITS[match.group(2).lower()]
    return value if 0 < value < math.inf else None  # "1e310" is infinite: no size


def _view_box(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    parts = re.split(r"[\s,]+", text.strip())
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        return None
    if len(numbers) != 4 or not all(0 < n < math.inf for n in numbers[2:]):
        return None
    return numbers[2], numbers[3]


def _cap(path: Path) -> int:
    return MAX_SVG_BYTES if suffix_kind(path) == "svg" else MAX_RASTER_BYTES


def _not_regular(path: Path, mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return f"{path}: not a file but a folder"
    what = {stat.S_IFIFO: "a named pipe", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device"}
    shown = what.get(stat.S_IFMT(mode), "something else")
    return f"{path}: not a regular file but {shown}; use a picture file"


def _too_big(path: Path, size: int) -> str | None:
    cap = _cap(path)
    if size <= cap:
        return None
    kind = "an SVG" if cap == MAX_SVG_BYTES else "a PNG or JPEG"
    return (
        f"{path} is {size / 1024 / 1024:.1f} MB; the most for {kind} file is "
        f"{cap // 1024 // 1024} MB; make it smaller"
    )


def _read_at_most(handle: int, limit: int) -> bytes:
    chunks, left = [], limit
    while left > 0:
        chunk = os.read(handle, min(left, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _damaged(path: Path, kind: str, why: str) -> str:
    return f"{path}: not a valid {KIND_NAMES[kind]} image or damaged ({why})"


def _reason(error: OSError) -> str:
    return (error.strerror or type(error).__name__).lower()
