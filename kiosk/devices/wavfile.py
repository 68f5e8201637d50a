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
import sys
from array import array
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
#: The format the kiosk plays (espeak-ng's own): a recording in another one is converted
#: to it once, in the background, so playing it decodes nothing.
PLAY_RATE = 22050
PLAY_FORMAT = (PLAY_RATE, 1, 16)


@dataclass(frozen=True)
class WavInfo:
    """What a WAV header says: rate (Hz), channels, bits per sample, and length (s)."""

    rate: int
    channels: int
    bits: int
    seconds: float
    #: Where the samples start in the file, and how many bytes of them there are.
    offset: int = 0
    length: int = 0

    @property
    def playable(self) -> bool:
        """True when the file is already in the format the kiosk plays."""
        return (self.rate, self.channels, self.bits) == PLAY_FORMAT


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
            return WavInfo(rate, channels, bits, seconds, file.tell(), available)
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


def convert(path: Path, info: WavInfo, out: Path) -> None:
    """Write the recording at ``path`` (checked: ``info``) to ``out`` as mono 16-bit at
    :data:`PLAY_RATE` (channels averaged, the rate changed by linear interpolation). Plain
    Python, bounded by the size and length caps; it runs on the speech thread."""
    with path.open("rb") as file:
        file.seek(info.offset)
        raw = file.read(info.length)
    samples = _to_int16(raw, info.bits)
    if info.channels == 2:
        samples = array(
            "h", [(a + b) >> 1 for a, b in zip(samples[0::2], samples[1::2], strict=False)]
        )
    if info.rate != PLAY_RATE:
        samples = _resample(samples, info.rate / PLAY_RATE)
    if sys.byteorder == "big":
        samples.byteswap()
    data = samples.tobytes()
    fmt = struct.pack("<HHIIHH", 1, 1, PLAY_RATE, PLAY_RATE * 2, 2, 16)
    head = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<I", 16)
    out.write_bytes(head + fmt + b"data" + struct.pack("<I", len(data)) + data)


def _to_int16(raw: bytes, bits: int) -> array:
    if bits == 8:  # unsigned, centred on 128
        return array("h", [(b - 128) << 8 for b in raw])
    samples = array("h")
    samples.frombytes(raw[: len(raw) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def _resample(samples: array, step: float) -> array:
    """``samples`` read every ``step`` samples, between two by linear interpolation."""
    last = len(samples) - 1
    count = int(len(samples) / step)
    out = array("h", bytes(2 * count))
    for index in range(count):
        where = index * step
        low = int(where)
        high = min(low + 1, last)
        out[index] = int(samples[low] + (samples[high] - samples[low]) * (where - low))
    return out
