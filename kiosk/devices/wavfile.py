"""A WAV file's format from its header, checked before anything decodes it.

Staff recordings (``speech.audio``) are untrusted files: only a regular file is opened
(without waiting on a pipe), never one larger than :data:`MAX_BYTES`, and its RIFF/WAVE
header must say plain PCM, a rate, channels and sample size the mixer plays, and a length
of at most :data:`MAX_SECONDS`, before SDL reads a sample. :func:`check_wav` answers in
words for staff ("is 3 minutes long; the most is 2 minutes"), never with a traceback.
"""

from __future__ import annotations

import os
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

#: The largest recording read, in bytes (2 minutes of 48 kHz 16-bit stereo is 23 MB).
MAX_BYTES = 24 * 1024 * 1024
#: The longest recording played, in seconds: a screen's words take well under a minute.
MAX_SECONDS = 120.0
#: The rates SDL's mixer converts from, in hertz.
RATES = range(8000, 96001)
#: The chunks read before ``data``; a header with more is not a plain WAV file.
MAX_CHUNKS = 16


@dataclass(frozen=True)
class WavInfo:
    """What a WAV header says: rate (Hz), channels, bits per sample, and length (s)."""

    rate: int
    channels: int
    bits: int
    seconds: float


class WavError(ValueError):
    """The file is not a WAV recording the kiosk plays (its message says why, in words)."""


def check_wav(path: Path, max_bytes: int = MAX_BYTES, max_seconds: float = MAX_SECONDS) -> WavInfo:
    """The header of the WAV file at ``path``; raises :class:`WavError` saying what is wrong."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise WavError("the file does not exist") from None
    except OSError as err:
        raise WavError(f"cannot be read: {(err.strerror or str(err)).lower()}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise WavError("is not a regular file")
        if info.st_size > max_bytes:
            raise WavError(
                f"is {info.st_size // 1_000_000} MB; the most is {max_bytes // 1_000_000} MB"
            )
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as file:
            return _header(file, info.st_size, max_seconds)
    except OSError as err:
        raise WavError(f"cannot be read: {(err.strerror or str(err)).lower()}") from None
    finally:
        os.close(fd)


def _header(file, size: int, max_seconds: float) -> WavInfo:  # type: ignore[no-untyped-def]
    riff = file.read(12)
    if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
        raise WavError("is not a WAV file (no RIFF/WAVE header)")
    fmt = None
    for _ in range(MAX_CHUNKS):
        head = file.read(8)
        if len(head) < 8:
            break
        name, length = head[:4], struct.unpack("<I", head[4:])[0]
        if name == b"fmt ":
            if not 16 <= length <= 64:
                raise WavError("has a damaged format header")
            fmt = _format(file.read(length))
            file.seek(length % 2, os.SEEK_CUR)
        elif name == b"data":
            if fmt is None:
                raise WavError("has its sound before its format header")
            rate, channels, bits = fmt
            available = min(length, max(0, size - file.tell()))
            seconds = available / (rate * channels * bits // 8)
            if seconds > max_seconds:
                raise WavError(f"is {seconds:.0f} seconds long; the most is {max_seconds:.0f}")
            if available == 0:
                raise WavError("has no sound in it")
            return WavInfo(rate, channels, bits, seconds)
        else:
            file.seek(length + length % 2, os.SEEK_CUR)
    raise WavError("has no sound in it (no data chunk)")


def _format(raw: bytes) -> tuple[int, int, int]:
    if len(raw) < 16:
        raise WavError("has a damaged format header")
    tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", raw[:16])
    if tag == 0xFFFE and len(raw) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the real tag follows
        tag = struct.unpack("<H", raw[24:26])[0]
    if tag != 1:
        raise WavError("is not plain (PCM) sound; save it as a 16-bit PCM WAV file")
    if channels not in (1, 2):
        raise WavError(f"has {channels} channels; save it as mono or stereo")
    if bits not in (8, 16):
        raise WavError(f"has {bits}-bit samples; save it as 16-bit")
    if rate not in RATES:
        raise WavError(f"has a rate of {rate} Hz; save it at 22050, 44100 or 48000 Hz")
    return rate, channels, bits
