"""Hostile image files the tests build, small on disk: a PNG bomb, a JPEG header that
declares any size, SVG text of any declared size or detail."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'


def svg(width: str | None, height: str | None, body: str = "", view: str | None = None) -> str:
    size = "".join(
        f' {key}="{value}"'
        for key, value in (("width", width), ("height", height), ("viewBox", view))
        if value is not None
    )
    return f"<svg {SVG_NS}{size}>{body}</svg>"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(path: Path, side: int = 30000) -> Path:
    """A ``side`` x ``side`` 1-bit grey PNG of zero rows: ~110 KB that decodes to gigabytes."""
    row = bytes(1 + (side + 7) // 8)  # the filter byte, then the row's bits
    packer = zlib.compressobj(9)
    rows = 1000
    compressed = b"".join(packer.compress(row * rows) for _ in range(side // rows))
    compressed += packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", compressed)
        + png_chunk(b"IEND", b"")
    )
    return path


def jpeg_header(path: Path, width: int, height: int) -> Path:
    """Just SOI, an APP0 segment, a baseline SOF0 declaring ``width`` x ``height``, EOI."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x11\x00\x02\x11\x01\x03\x11\x01"
    segment = b"".join(
        b"\xff" + bytes([marker]) + struct.pack(">H", len(data) + 2) + data
        for marker, data in ((0xE0, app0), (0xC0, sof))
    )
    path.write_bytes(b"\xff\xd8" + segment + b"\xff\xd9")
    return path


def many_segments(segments: int) -> str:
    """One path of ``segments`` curves zig-zagging across the whole picture (slow to fill)."""
    curves = " ".join(
        f"C {i % 1200} {i * 7 % 900} {i * 3 % 1200} {i * 11 % 900} {i * 5 % 1200} {i * 13 % 900}"
        for i in range(segments)
    )
    path = f'<path d="M 0 0 {curves}" fill="red" stroke="black" stroke-width="3"/>'
    return svg("1200", "900", path, "0 0 1200 900")


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
