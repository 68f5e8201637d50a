"""Staff WAV headers (kiosk.devices.wavfile), the voices (kiosk.devices.voices) and the
cache of rendered speech with its thread (kiosk.devices.speechcache)."""

from __future__ import annotations

import logging
import os
import re
import shutil
import struct
import subprocess
import threading
import time
import wave
from pathlib import Path

import pytest
from test_speech_audio import square_wav

from kiosk.devices.speechcache import NICENESS, Job, Prerender, VoiceCache
from kiosk.devices.voices import MAX_CHARS, EngineError, Espeak, budget
from kiosk.devices.wavfile import MAX_BYTES, WavError, check_wav


def header(
    tag: int = 1, channels: int = 1, rate: int = 22050, bits: int = 16, data: int = 4410
) -> bytes:
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", data)
    return b"RIFF" + struct.pack("<I", len(body) + data) + body


def test_a_plain_wav_is_read_from_its_header(tmp_path: Path) -> None:
    info = check_wav(square_wav(tmp_path / "a.wav", 3000, 1.5))
    assert (info.rate, info.channels, info.bits) == (22050, 1, 16)
    assert info.seconds == pytest.approx(1.5, abs=0.01)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"", "not a WAV file"),
        (b"ID3\x03" + b"\0" * 100, "not a WAV file"),
        (header(tag=0x55) + b"\0" * 4410, "not plain (PCM) sound"),
        (header(tag=3, bits=32) + b"\0" * 4410, "not plain (PCM) sound"),
        (header(channels=6) + b"\0" * 4410, "6 channels"),
        (header(bits=24) + b"\0" * 4410, "24-bit"),
        (header(rate=1000) + b"\0" * 4410, "rate of 1000 Hz"),
        (header(rate=8000, data=2_000_000) + b"\0" * 2_000_000, "125 seconds long"),
        (header(data=0), "no sound"),
        (header()[:30], "damaged format header"),
        (b"RIFF\0\0\0\0WAVE" + b"LIST" + struct.pack("<I", 4) + b"abcd", "no data chunk"),
    ],
)
def test_hostile_recordings_are_refused_from_the_header_in_words(
    tmp_path: Path, raw: bytes, says: str
) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(raw)
    with pytest.raises(WavError, match=re.escape(says)):
        check_wav(path)


def test_a_data_length_that_lies_is_cut_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(header(data=0x7FFFFFFF) + b"\1\0" * 22050)
    assert check_wav(path).seconds == pytest.approx(1.0, abs=0.01)


def test_pipes_folders_devices_and_huge_files_are_never_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.wav")
    started = time.monotonic()
    with pytest.raises(WavError, match="not a regular file"):
        check_wav(tmp_path / "pipe.wav")  # a pipe with no writer: opening must not wait
    assert time.monotonic() - started < 1
    with pytest.raises(WavError, match="not a regular file"):
        check_wav(tmp_path)
    with pytest.raises(WavError, match="not a regular file"):
        check_wav(Path("/dev/zero"))
    huge = tmp_path / "huge.wav"
    with huge.open("wb") as file:
        file.truncate(MAX_BYTES + 1)  # sparse: nothing written
    with pytest.raises(WavError, match="the most is"):
        check_wav(huge)
    with pytest.raises(WavError, match="does not exist"):
        check_wav(tmp_path / "gone.wav")


def test_the_text_budget_cuts_at_a_sentence_and_drops_control_characters() -> None:
    long = "Press the point. " * 200
    cut = budget(long)
    assert len(cut) <= MAX_CHARS and cut.endswith("point.")
    assert budget("Hold\x00 on\x1b[2J") == "Hold  on [2J"
    assert len(budget("x" * 5000)) == MAX_CHARS


def fake_program(tmp_path: Path, name: str, script: str) -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return str(path)


def test_a_missing_or_stuck_or_failing_engine_is_an_error_in_words(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="is not installed"):
        Espeak("en", program=str(tmp_path / "espeak-ng"))
    stuck = fake_program(
        tmp_path, "stuck", 'case "$1" in --version) echo 1.0;; *) sleep 30;; esac\n'
    )
    engine = Espeak("en", program=stuck, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(EngineError, match=re.escape("took more than 0.5 s")):
        engine.render("Hello.", tmp_path / "out.wav")
    assert time.monotonic() - started < 3
    failing = fake_program(
        tmp_path,
        "failing",
        'case "$1" in --version) echo 1.0;; *) echo "no voice es-xx" >&2; exit 1;; esac\n',
    )
    with pytest.raises(EngineError, match="no voice es-xx"):
        Espeak("es-xx", program=failing).render("Hola.", tmp_path / "out.wav")
    silent = fake_program(tmp_path, "silent", "echo 1.0\n")
    with pytest.raises(EngineError, match="no sound"):
        Espeak("en", program=silent).render("Hello.", tmp_path / "never.wav")


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt install espeak-ng)"
)
def test_espeak_ng_renders_a_wav_the_kiosk_plays(tmp_path: Path) -> None:
    engine = Espeak("en")
    assert engine.key.startswith("espeak-ng|eSpeak NG") and engine.key.endswith("|en")
    out = tmp_path / "out.wav"
    engine.render("Press the button to start.", out)
    info = check_wav(out)
    assert (info.rate, info.channels) == (22050, 1) and 0.8 < info.seconds < 4


class CountingEngine:
    """Writes a WAV whose length follows the words, counting its renders."""

    def __init__(self, key: str = "fake|1|en") -> None:
        self.key = key
        self.renders: list[str] = []

    def render(self, words: str, out: Path) -> None:
        self.renders.append(words)
        square_wav(out, 1000, 0.01 * len(words))


def test_the_cache_renders_a_text_once_per_voice_and_writes_atomically(tmp_path: Path) -> None:
    cache = VoiceCache(tmp_path / "speech")
    engine = CountingEngine()
    first = cache.put(engine.key, "Hello.", lambda out: engine.render("Hello.", out))
    assert cache.get(engine.key, "Hello.") == first
    assert cache.get("fake|2|en", "Hello.") is None  # another engine version renders again
    assert cache.get(engine.key, "Hello!") is None

    def broken(out: Path) -> None:
        out.write_bytes(b"RIFF half")
        raise EngineError("the voice died")

    with pytest.raises(EngineError):
        cache.put(engine.key, "Half.", broken)
    assert sorted(p.name for p in (tmp_path / "speech").iterdir()) == [first.name]


def test_the_cache_keeps_under_its_cap_dropping_what_was_used_longest_ago(tmp_path: Path) -> None:
    engine = CountingEngine()
    size = len(b"RIFF") + 40 + int(0.2 * 22050) * 2  # one file of 20 characters
    cache = VoiceCache(tmp_path / "speech", cap=3 * size + 10)
    paths = {}
    for index, words in enumerate(["a" * 20, "b" * 20, "c" * 20]):
        paths[words] = cache.put(engine.key, words, lambda out, w=words: engine.render(w, out))
        os.utime(paths[words], (1000 + index, 1000 + index))
    assert cache.get(engine.key, "a" * 20)  # used now: the newest
    cache.put(engine.key, "d" * 20, lambda out: engine.render("d" * 20, out))
    assert cache.get(engine.key, "b" * 20) is None
    assert cache.get(engine.key, "a" * 20) and cache.get(engine.key, "d" * 20)


def test_prerender_renders_on_its_thread_and_says_when_each_is_ready(tmp_path: Path) -> None:
    engine = CountingEngine()
    ready = threading.Semaphore(0)
    threads: list[str] = []
    prerender = Prerender(
        VoiceCache(tmp_path),
        lambda voice: engine,
        lambda: (threads.append(threading.current_thread().name), ready.release()),
    )
    jobs = [Job("One.", "en"), Job("Two.", "en"), Job("One.", "en")]
    prerender.prepare(jobs)
    assert prerender.settle(10)
    assert all(prerender.sound(job) is not None for job in jobs)
    assert engine.renders == ["One.", "Two."]
    assert threads == ["speech", "speech"]
    again = Prerender(VoiceCache(tmp_path), lambda voice: engine)  # the next start-up
    again.prepare(jobs)
    assert again.settle(10) and engine.renders == ["One.", "Two."]


def test_no_engine_leaves_the_kiosk_silent_and_says_so_once(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    def missing(voice: str):  # type: ignore[no-untyped-def]
        raise EngineError("espeak-ng is not installed (sudo apt install espeak-ng)")

    prerender = Prerender(VoiceCache(tmp_path), missing)
    with caplog.at_level(logging.WARNING):
        prerender.prepare([Job("One.", "en"), Job("Two.", "en")])
        assert prerender.settle(10)
    assert prerender.sound(Job("One.", "en")) is None and prerender.failed(Job("One.", "en"))
    told = [r.getMessage() for r in caplog.records if "no voice" in r.getMessage()]
    assert told == [
        "Speech is on, but there is no voice: espeak-ng is not installed "
        "(sudo apt install espeak-ng). The kiosk runs silent."
    ]


def test_a_bad_recording_is_logged_and_the_voice_speaks_instead(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.wav"
    bad.write_bytes(header(channels=6) + b"\0" * 100)
    good = square_wav(tmp_path / "good.wav", 3000, 0.2)
    engine = CountingEngine()
    prerender = Prerender(VoiceCache(tmp_path / "cache"), lambda voice: engine)
    with caplog.at_level(logging.WARNING):
        prerender.prepare([Job("Safety.", "en", bad), Job("Summary.", "en", good)])
        assert prerender.settle(10)
    assert prerender.sound(Job("Summary.", "en", good)) == good
    spoken = prerender.sound(Job("Safety.", "en", bad))
    assert spoken is not None and spoken.parent == tmp_path / "cache"
    assert engine.renders == ["Safety."]
    assert any("bad.wav has 6 channels" in r.getMessage() for r in caplog.records)


def stereo_wav(path: Path, level: int, seconds: float, rate: int) -> Path:
    """A 16-bit stereo WAV: ``level`` on the left, ``level // 2`` on the right, held."""
    frames = int(seconds * rate)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack("<hh", level, level // 2) * frames)
    return path


def test_a_recording_in_another_format_is_converted_once_into_the_cache(tmp_path: Path) -> None:
    recording = stereo_wav(tmp_path / "safety.wav", 8000, 1.0, 48000)
    prerender = Prerender(VoiceCache(tmp_path / "cache"), lambda voice: CountingEngine())
    job = Job("Safety.", "en", recording)
    prerender.prepare([job])
    assert prerender.settle(30)
    played = prerender.sound(job)
    assert played is not None and played.parent == tmp_path / "cache"
    info = check_wav(played)
    assert info.playable and info.seconds == pytest.approx(1.0, abs=0.01)
    with wave.open(str(played)) as heard:
        samples = struct.unpack(f"<{heard.getnframes()}h", heard.readframes(heard.getnframes()))
    assert set(samples) == {6000}  # the two channels' mean, at every sample
    again = Prerender(VoiceCache(tmp_path / "cache"), lambda voice: CountingEngine())
    again.prepare([job])
    assert again.settle(30) and again.sound(job) == played
    assert len(list((tmp_path / "cache").glob("*.wav"))) == 1


def test_a_recording_in_the_kiosks_own_format_is_played_as_it_is(tmp_path: Path) -> None:
    recording = square_wav(tmp_path / "safety.wav", 3000, 0.5)
    prerender = Prerender(VoiceCache(tmp_path / "cache"), lambda voice: CountingEngine())
    prerender.prepare([Job("Safety.", "en", recording)])
    assert prerender.settle(10)
    assert prerender.sound(Job("Safety.", "en", recording)) == recording


def test_the_speech_thread_and_its_engine_run_at_the_lowest_priority(tmp_path: Path) -> None:
    """Rendering ahead never takes the CPU from the loop: the thread, and the voice program
    it starts, run at niceness 19 (the main thread keeps its own)."""
    seen: list[tuple[int, str]] = []

    class NiceEngine(CountingEngine):
        def render(self, words: str, out: Path) -> None:
            child = subprocess.run(["nice"], capture_output=True, text=True, check=True)
            seen.append((os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), child.stdout))
            super().render(words, out)

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    prerender = Prerender(VoiceCache(tmp_path), lambda voice: NiceEngine())
    prerender.prepare([Job("One.", "en")])
    assert prerender.settle(10)
    assert seen == [(NICENESS, f"{NICENESS}\n")]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
