"""Decoding drawings in a child process, within a time budget and a memory cap.

A staff drawing is untrusted: an SVG can take minutes to rasterise, a small PNG can decode
to gigabytes, a damaged file can crash the decoder. Decoding it in the kiosk's own process
would stall the main loop (no presses, no watchdog ping, no SIGTERM) or kill it. So one
child process (``python -m kiosk.ui.decoder``, started once and kept) does all decoding:
it reads a request, decodes the file fitted to a box, and sends the pixels back. The child
runs with an address-space limit; a request that takes longer than its budget, or a child
that dies, costs that drawing only: the child is killed and started afresh for the next.

:class:`Decoder` is used from one thread at a time (the image cache's worker or a command);
the child's requests and replies are lines of JSON, each reply followed by its pixels::

    decoder = Decoder()
    size, pixels = decoder.decode(Path("ub60.svg"), (640, 480))
    surface = pygame.image.frombytes(pixels, size, "RGBA")
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

#: Seconds a drawing may take to decode (a bundled SVG takes ~20 ms here, ~0.5 s on a Pi 3).
DECODE_SECONDS = 10.0
#: The child's address-space limit, in bytes: pygame, SDL and one large drawing fit.
DECODE_MEMORY = 1536 * 1024 * 1024
#: Seconds the child may take to start (Python and pygame; several on a Pi 3).
START_SECONDS = 30.0

Size = tuple[int, int]


class DecodeError(RuntimeError):
    """The drawing could not be decoded: damaged, too slow, or too big. One line."""


class Decoder:
    """Decodes drawings in a child process; see the module docstring.

    :param seconds: the time budget of one drawing.
    :param memory: the child's address-space limit in bytes.
    """

    def __init__(self, seconds: float = DECODE_SECONDS, memory: int = DECODE_MEMORY) -> None:
        self.seconds = seconds
        self.memory = memory
        self._child: subprocess.Popen[bytes] | None = None
        self._closed = False

    def decode(self, path: Path, box: Size) -> tuple[Size, bytes]:
        """The drawing at ``path`` fitted inside ``box``: its size and RGBA pixels.

        Raises :class:`DecodeError` (one plain line naming the file) when it cannot be
        decoded, or not in time.
        """
        request = {"path": os.fsdecode(path), "box": list(box)}
        try:
            child = self._running()
            assert child.stdin is not None
            child.stdin.write(json.dumps(request).encode() + b"\n")
            child.stdin.flush()
            header = json.loads(self._read_line(child, self.seconds))
            if not header.get("ok"):
                raise DecodeError(str(header.get("error", "it could not be read")))
            width, height = header["size"]
            pixels = self._read_exactly(child, width * height * 4, self.seconds)
        except TimeoutError as err:  # before OSError, of which it is a kind
            self._stop_child()
            raise DecodeError(f"{path}: it took longer than {self.seconds:g} s to read") from err
        except (OSError, ValueError, KeyError, EOFError) as err:
            self._stop_child()
            message = f"{path}: reading it stopped the decoder (damaged, or too big)"
            raise DecodeError(message) from err
        return (width, height), pixels

    def close(self) -> None:
        """Stop the child for good: later requests fail at once."""
        self._closed = True
        self._stop_child()

    def _stop_child(self) -> None:
        """Kill the child (a new one starts with the next request) and close its pipes."""
        child, self._child = self._child, None
        if child is None:
            return
        if child.poll() is None:
            child.kill()
        child.wait(timeout=5)
        for pipe in (child.stdin, child.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError, ValueError):  # a request left unsent
                    pipe.close()

    # -- the child ------------------------------------------------------------------------

    def _running(self) -> subprocess.Popen[bytes]:
        if self._closed:
            raise DecodeError("the decoder is closed")
        if self._child is not None and self._child.poll() is not None:
            self._stop_child()  # it died since the last request
        if self._child is None:
            self._child = subprocess.Popen(
                [sys.executable, "-m", "kiosk.ui.decoder", str(self.memory)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=os.environ | {"SDL_VIDEODRIVER": "dummy", "PYGAME_HIDE_SUPPORT_PROMPT": "1"},
            )
            if json.loads(self._read_line(self._child, START_SECONDS)).get("ready") is not True:
                raise DecodeError("the decoder did not start")
        return self._child

    @staticmethod
    def _read_line(child: subprocess.Popen[bytes], seconds: float) -> bytes:
        line = b""
        while not line.endswith(b"\n"):
            line += Decoder._read_some(child, 1, seconds)
        return line

    @staticmethod
    def _read_exactly(child: subprocess.Popen[bytes], count: int, seconds: float) -> bytes:
        """``count`` bytes read straight into one buffer (no pieces joined: the pixels of a
        large drawing are held once, not twice)."""
        assert child.stdout is not None
        pixels = bytearray(count)
        view, done = memoryview(pixels), 0
        deadline = time.monotonic() + seconds
        while done < count:
            ready, _, _ = select.select(
                [child.stdout], [], [], max(0.0, deadline - time.monotonic())
            )
            if not ready:
                raise TimeoutError
            got = os.readv(child.stdout.fileno(), [view[done:]])
            if not got:
                raise EOFError("it ended")
            done += got
        view.release()
        return pixels

    @staticmethod
    def _read_some(child: subprocess.Popen[bytes], most: int, seconds: float) -> bytes:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], max(0.0, seconds))
        if not ready:
            raise TimeoutError
        data = os.read(child.stdout.fileno(), most)
        if not data:
            raise EOFError("it ended")
        return data


# -- the child process ---------------------------------------------------------------------


def serve(memory: int) -> None:
    """The child: decode each request from stdin, answer on stdout, until stdin closes."""
    import resource

    # The service's system-call filter refuses setrlimit (@resources); the header caps of
    # kiosk.ui.imagefile (40 megapixels) still bound what a drawing may need.
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    import pygame

    from kiosk.ui.imagefile import Refused
    from kiosk.ui.images import fitted_image, problem_of

    out = sys.stdout.buffer
    out.write(b'{"ready": true}\n')
    out.flush()
    for line in sys.stdin.buffer:
        request = json.loads(line)
        path = Path(request["path"])
        try:
            surface = fitted_image(path, tuple(request["box"]))
        except (Refused, pygame.error, OSError, ValueError, MemoryError) as err:
            out.write(json.dumps({"ok": False, "error": problem_of(path, err)}).encode() + b"\n")
            out.flush()
            continue
        out.write(json.dumps({"ok": True, "size": list(surface.get_size())}).encode() + b"\n")
        out.write(pygame.image.tobytes(surface, "RGBA"))
        out.flush()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
