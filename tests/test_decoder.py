"""The decoding child process: hostile drawings cost the child, never the kiosk.

Each test sends the real child a drawing that would stall or kill a process decoding it
(minutes of rasterising, gigabytes of pixels, a crash) and checks that the kiosk's side gets
one plain line within its budget, and that the next drawing decodes as if nothing happened.
"""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.ui.decoder import DecodeError, Decoder

MEDIA = Path(__file__).resolve().parent.parent / "media"


@pytest.fixture
def decoder() -> Iterator[Decoder]:
    decoding = Decoder(seconds=1.0)
    yield decoding
    decoding.close()


def slow_svg(folder: Path, rings: int = 300) -> Path:
    """A drawing within every cap (size, numbers, elements) that still takes seconds to
    rasterise: rings of tiny dashes."""
    body = "".join(
        f'<circle cx="500" cy="500" r="{400 - i}" fill="none" stroke="#000" '
        'stroke-width="3" stroke-dasharray="0.1 0.1"/>'
        for i in range(rings)
    )
    path = folder / "slow.svg"
    path.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1000">{body}</svg>'
    )
    return path


def png_bomb(folder: Path, side: int = 30000) -> Path:
    """A grey PNG of ``side`` x ``side`` pixels (8-bit) that is small on disk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\0" * (side + 1)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path = folder / "bomb.png"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
    return path


def test_a_bundled_drawing_decodes_at_the_size_asked(decoder: Decoder) -> None:
    size, pixels = decoder.decode(MEDIA / "ub60.svg", (400, 300))
    assert size == (400, 300) and len(pixels) == 400 * 300 * 4
    assert any(pixels[3::4])  # something was drawn (not all transparent)


def test_a_drawing_too_slow_to_rasterise_is_abandoned_within_its_budget(
    decoder: Decoder, tmp_path: Path
) -> None:
    started = time.monotonic()
    with pytest.raises(DecodeError, match="took longer than 1 s"):
        decoder.decode(slow_svg(tmp_path), (1920, 1080))
    assert time.monotonic() - started < 1.0 + 1.0
    assert decoder.decode(MEDIA / "ub40.svg", (64, 48))[0] == (64, 48)  # a fresh child


def test_a_decompression_bomb_meets_the_memory_cap_not_the_kiosk(
    decoder: Decoder, tmp_path: Path
) -> None:
    bomb = png_bomb(tmp_path)
    assert bomb.stat().st_size < 2_000_000
    with pytest.raises(DecodeError):
        decoder.decode(bomb, (800, 600))
    assert decoder.decode(MEDIA / "li4.svg", (64, 48))[0] == (64, 48)


def test_a_child_that_dies_is_replaced(decoder: Decoder) -> None:
    decoder.decode(MEDIA / "gb34.svg", (32, 24))
    assert decoder._child is not None
    decoder._child.kill()  # as the kernel's out-of-memory killer would
    decoder._child.wait()
    assert decoder.decode(MEDIA / "gb34.svg", (32, 24))[0] == (32, 24)


def test_a_file_that_is_not_a_drawing_is_one_plain_line(decoder: Decoder, tmp_path: Path) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"this is not a picture")
    with pytest.raises(DecodeError) as raised:
        decoder.decode(junk, (100, 100))
    assert "\n" not in str(raised.value) and str(raised.value)
