"""What the VM's sound card played: QEMU's WAV recording, and when each sound in it began.

QEMU's ``-audiodev wav`` writes what the guest's sound card plays, but only while the guest
plays (an idle card adds nothing) and at the pace the emulated card is fed, so a position in
the file is not a time on the host's clock. :class:`Growth` therefore watches the file grow
from the host (a thread notes the file's size with ``time.monotonic()`` every few
milliseconds): the moment the byte holding a sample's frame was first seen is when QEMU
played it, give or take one poll and QEMU's audio timer (10 ms). :func:`onsets` finds where
sound starts after silence, in seconds into the file.

Example::

    growth = Growth(Path("sound.wav"))
    growth.start()
    ...  # the guest plays something
    growth.stop()
    for second in onsets(Path("sound.wav")):
        print(growth.when(second, Path("sound.wav")))
"""

from __future__ import annotations

import array
import bisect
import io
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path

#: QEMU's WAV header: the canonical 44 bytes (RIFF, fmt, data).
HEADER_BYTES = 44
#: A sample louder than this share of full scale is sound; quieter is silence.
LOUD = 0.02
#: Sound must follow at least this much silence (seconds) to count as a new onset.
GAP = 0.3


@dataclass(frozen=True)
class Format:
    """A WAV file's sample format (QEMU writes 16-bit PCM)."""

    channels: int
    rate: int
    bits: int

    @property
    def frame_bytes(self) -> int:
        return self.channels * self.bits // 8


def read_format(path: Path) -> Format:
    """The format in the header of a QEMU WAV file (which may still be being written:
    QEMU fills in the sizes only when it closes the file)."""
    header = path.read_bytes()[:HEADER_BYTES]
    if len(header) < HEADER_BYTES or header[:4] != b"RIFF" or header[8:16] != b"WAVEfmt ":
        raise ValueError(f"{path} is not a WAV file QEMU wrote")
    channels = int.from_bytes(header[22:24], "little")
    rate = int.from_bytes(header[24:28], "little")
    bits = int.from_bytes(header[34:36], "little")
    if bits != 16:
        raise ValueError(f"{path}: {bits}-bit samples, expected 16")
    return Format(channels, rate, bits)


def loudness(path: Path, window: float = 0.005) -> tuple[Format, list[float]]:
    """The file's format and its peak level (0-1) in each ``window`` seconds, all channels."""
    form = read_format(path)
    data = path.read_bytes()[HEADER_BYTES:]
    data = data[: len(data) - len(data) % form.frame_bytes]
    samples = array.array("h")
    samples.frombytes(data)
    step = max(1, int(form.rate * window)) * form.channels
    peaks = [
        max(map(abs, samples[start : start + step]), default=0) / 32768
        for start in range(0, len(samples), step)
    ]
    return form, peaks


def onsets(path: Path, window: float = 0.005) -> list[float]:
    """Seconds into the file at which sound starts after at least :data:`GAP` of silence
    (or at the start of the file)."""
    _, peaks = loudness(path, window)
    found: list[float] = []
    quiet = GAP  # the file's start counts as after silence
    for index, peak in enumerate(peaks):
        if peak >= LOUD:
            if quiet >= GAP:
                found.append(index * window)
            quiet = 0.0
        else:
            quiet += window
    return found


class Growth:
    """The host's ``time.monotonic()`` at which the WAV file reached each size."""

    def __init__(self, path: Path, every: float = 0.002) -> None:
        self.path = path
        self.every = every
        self.times: list[float] = []
        self.sizes: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="wav-growth", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                size = self.path.stat().st_size
            except OSError:
                size = 0
            if not self.sizes or size != self.sizes[-1]:
                self.times.append(time.monotonic())
                self.sizes.append(size)
            time.sleep(self.every)

    def when(self, second: float, form: Format) -> float | None:
        """When the frame ``second`` seconds into the file was first seen on the host; None
        if the file never grew that far while watched."""
        offset = HEADER_BYTES + int(second * form.rate) * form.frame_bytes + form.frame_bytes
        index = bisect.bisect_left(self.sizes, offset)
        return self.times[index] if index < len(self.times) else None


def lead_in(data: bytes) -> float:
    """The silence at the start of the WAV file ``data`` (16-bit PCM), in seconds: until
    the first sample louder than :data:`LOUD` (espeak-ng's "Time is up" starts with 49 ms of
    it, the stop before the "T")."""
    with wave.open(io.BytesIO(data)) as wav:
        rate, channels = wav.getframerate(), wav.getnchannels()
        samples = array.array("h")
        samples.frombytes(wav.readframes(wav.getnframes()))
    first = next((i for i, s in enumerate(samples) if abs(s) >= LOUD * 32768), len(samples))
    return first // channels / rate


def quiet_at_end(path: Path, seconds: float) -> bool:
    """Whether the last ``seconds`` of the WAV file being written are silence (and there
    are that many)."""
    form = read_format(path)
    want = int(seconds * form.rate) * form.frame_bytes
    with path.open("rb") as wav:
        size = wav.seek(0, 2)
        if size - HEADER_BYTES < want:
            return False
        wav.seek(size - (size - HEADER_BYTES) % form.frame_bytes - want)
        tail = array.array("h")
        tail.frombytes(wav.read(want))
    return max(map(abs, tail), default=0) < LOUD * 32768
