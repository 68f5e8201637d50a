"""Finding a sound in QEMU's WAV recording, and when the host saw it: fast, no VM."""

from __future__ import annotations

import math
import struct
import time
import wave
from pathlib import Path

import sound

RATE = 44100


def tone(seconds: float, level: float = 0.5, hz: float = 440) -> bytes:
    frames = int(RATE * seconds)
    return b"".join(
        struct.pack("<hh", value, value)
        for value in (
            int(level * 32767 * math.sin(2 * math.pi * hz * i / RATE)) for i in range(frames)
        )
    )


def silence(seconds: float) -> bytes:
    return b"\0\0\0\0" * int(RATE * seconds)


def write(path: Path, frames: bytes) -> None:
    with wave.open(str(path), "wb") as file:
        file.setnchannels(2)
        file.setsampwidth(2)
        file.setframerate(RATE)
        file.writeframes(frames)


def test_onsets_are_where_sound_follows_silence(tmp_path: Path) -> None:
    path = tmp_path / "sound.wav"
    write(path, silence(1.0) + tone(0.2) + silence(0.5) + tone(0.1) + silence(0.1) + tone(0.1))
    found = sound.onsets(path)
    assert len(found) == 2  # the last tone follows only 0.1 s of silence: the same sound
    assert abs(found[0] - 1.0) < 0.01 and abs(found[1] - 1.7) < 0.01


def test_quiet_noise_is_not_a_sound(tmp_path: Path) -> None:
    path = tmp_path / "sound.wav"
    write(path, tone(1.0, level=sound.LOUD / 2))
    assert sound.onsets(path) == []
    write(path, tone(1.0, level=sound.LOUD * 2))
    assert sound.onsets(path) == [0.0]


def test_growth_says_when_the_host_saw_a_frame(tmp_path: Path) -> None:
    path = tmp_path / "sound.wav"
    write(path, silence(1.0))
    growth = sound.Growth(path)
    growth.start()
    try:
        time.sleep(0.3)
        written = time.monotonic()
        with open(path, "ab") as file:
            file.write(tone(0.2))
        time.sleep(0.1)
    finally:
        growth.stop()
    form = sound.read_format(path)
    (onset,) = sound.onsets(path)
    seen = growth.when(onset, form)
    assert seen is not None and 0 <= seen - written < 0.05
    assert growth.when(5.0, form) is None  # never that long


def test_a_files_lead_in_is_the_silence_before_its_first_loud_sample(tmp_path: Path) -> None:
    path = tmp_path / "sound.wav"
    write(path, silence(0.049) + tone(0.2))
    assert abs(sound.lead_in(path.read_bytes()) - 0.049) < 0.001
    write(path, tone(0.2, level=sound.LOUD / 2))  # never loud: all of it
    assert abs(sound.lead_in(path.read_bytes()) - 0.2) < 0.001


def test_quiet_at_end_looks_at_the_last_seconds_only(tmp_path: Path) -> None:
    path = tmp_path / "sound.wav"
    write(path, tone(0.5) + silence(0.7))
    assert sound.quiet_at_end(path, 0.6) and not sound.quiet_at_end(path, 0.8)
    write(path, silence(0.3))
    assert not sound.quiet_at_end(path, 0.6)  # not that much written yet
