"""The size of the screen that is plugged in, from its EDID in ``/sys/class/drm``.

Each connector of a DRM card has an ``edid`` file (``card1-HDMI-A-1/edid``) holding what the
monitor told the kernel about itself, sizes included; it is empty when nothing is plugged in
and missing on a DSI panel (the 7-inch touchscreen, whose size the resolution gives). The
parsing is :func:`kiosk.core.screensize.edid_size`; this only finds and reads the files,
no larger than :data:`MAX_BYTES`, regular files only.

Example::

    physical = screen_size(mode=(1920, 1080))  # None when no EDID says
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from kiosk.core.screensize import Physical, edid_mode, edid_size
from kiosk.devices.connectors import DRM_DIR

log = logging.getLogger(__name__)

#: An EDID is 128 bytes a block, at most 256 blocks.
MAX_BYTES = 128 * 256


def screen_size(folder: Path = DRM_DIR, mode: tuple[int, int] | None = None) -> Physical | None:
    """The physical size of a connected screen, or None when no EDID gives one.

    With several screens connected, the one whose preferred mode is ``mode`` (the display's
    size, before any rotation) is taken; failing that, the first one by name.
    """
    found: list[tuple[bool, Physical]] = []
    for path in _edid_files(folder):
        data = _read(path)
        if not data:
            continue
        physical = edid_size(data)
        if physical is None:
            log.debug("%s: no usable size in the EDID", path)
            continue
        found.append((mode is not None and edid_mode(data) == mode, physical))
    matching = [physical for same, physical in found if same]
    return (matching or [physical for _, physical in found] or [None])[0]


def _edid_files(folder: Path) -> list[Path]:
    try:
        return sorted(folder.glob("card*-*/edid"))
    except OSError:
        return []


def _read(path: Path) -> bytes:
    """The file's bytes if it is a regular file of at most MAX_BYTES (asked before it is
    opened: a named pipe would block); else none."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return b""
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError:
        return b""
    return data if len(data) <= MAX_BYTES else b""
