"""Whether a screen is plugged in, as the kernel's DRM driver sees each connector.

On the console SDL's KMSDRM driver does not notice an HDMI cable pulled out: its page flips
fail quietly and the kiosk would stay "healthy" and black. The kernel knows: each connector
has a ``status`` file under ``/sys/class/drm`` (``card0-HDMI-A-1/status``) that reads
``connected`` or ``disconnected``. Reading a handful of such files every few seconds costs
microseconds and needs no permission.

Example::

    screens = Connectors()
    if screens.readable and not screens.connected():
        ...  # the screen is gone
"""

from __future__ import annotations

from pathlib import Path

DRM_DIR = Path("/sys/class/drm")


class Connectors:
    """The display connectors (HDMI, DSI, composite...) of every DRM card in ``folder``.

    :param folder: ``/sys/class/drm``, or a folder of the same shape in tests.
    """

    def __init__(self, folder: Path = DRM_DIR) -> None:
        self.folder = folder

    @property
    def readable(self) -> bool:
        """True when there is any connector to ask (a Linux console with a DRM driver)."""
        return bool(self._status_files())

    def connected(self) -> list[str]:
        """The names of the connectors with a screen plugged in, e.g. ``["HDMI-A-1"]``."""
        names = []
        for status in self._status_files():
            try:
                if status.read_text().strip() == "connected":
                    names.append(status.parent.name.split("-", 1)[-1])
            except OSError:
                continue  # a card going away while we look
        return sorted(names)

    def _status_files(self) -> list[Path]:
        try:
            return sorted(self.folder.glob("card*-*/status"))
        except OSError:
            return []
