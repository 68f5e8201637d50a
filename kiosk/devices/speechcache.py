"""Rendered speech on disk, and the thread that renders it ahead of time.

:class:`VoiceCache` keeps one WAV per text in the state folder's ``speech/`` (e.g.
``/var/lib/acupressure-kiosk/speech``), named by a hash of the voice's exact key (engine,
engine version, voice) and the words, so a changed text, voice or engine version is
rendered again and the rest is not. Each file is written under a temporary name and renamed
(a power cut leaves no half file under a real name); when the folder passes its size cap the
files used longest ago go first.

:class:`Prerender` does the slow part on a thread of its own: start the engine (a child
process), render each text missing from the cache, read each staff recording's header.
The loop never waits for it: :meth:`Prerender.sound` answers at once, with the WAV or
None, and ``on_ready`` is called (from the thread) each time one more is ready.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.content.speech import Speech
from kiosk.devices.voices import Engine, EngineError, Espeak, Piper
from kiosk.devices.wavfile import WavError, check_wav, convert

log = logging.getLogger(__name__)

#: The speech thread's niceness, which the voice engine it starts inherits: rendering ahead
#: is background work, and must not take the CPU from the loop or SDL's sound thread (which
#: asks for the highest priority itself; the unit lets it, see LimitNICE= there).
NICENESS = 19

#: The cache folder's name in the state folder.
FOLDER = "speech"
#: The most the cache holds, in bytes (all the built-in texts in one voice take about 8 MB).
CAP_BYTES = 64 * 1024 * 1024


class VoiceCache:
    """WAV files of rendered texts in ``folder``, at most ``cap`` bytes in all."""

    def __init__(self, folder: Path, cap: int = CAP_BYTES) -> None:
        self.folder = folder
        self.cap = cap

    def path(self, key: str, words: str) -> Path:
        digest = hashlib.sha256(f"{key}\0{words}".encode()).hexdigest()[:32]
        return self.folder / f"{digest}.wav"

    def get(self, key: str, words: str) -> Path | None:
        """The rendered file, or None; a file found is marked as used now."""
        path = self.path(key, words)
        try:
            os.utime(path)
        except OSError:
            return None
        return path

    def put(self, key: str, words: str, render: Callable[[Path], None]) -> Path:
        """Render into a temporary file beside the final one and rename it into place."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o750)
        final = self.path(key, words)
        fd, name = tempfile.mkstemp(dir=self.folder, prefix=".render-", suffix=".wav")
        os.close(fd)
        temporary = Path(name)
        try:
            render(temporary)
            os.replace(temporary, final)
        finally:
            temporary.unlink(missing_ok=True)
        self.trim()
        return final

    def trim(self) -> None:
        """Delete the files used longest ago until the folder is under its cap."""
        files = []
        for entry in os.scandir(self.folder):
            if entry.name.endswith(".wav") and entry.is_file(follow_symlinks=False):
                info = entry.stat(follow_symlinks=False)
                files.append((info.st_mtime_ns, info.st_size, Path(entry.path)))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.cap:
                return
            path.unlink(missing_ok=True)
            total -= size


@dataclass(frozen=True)
class Job:
    """One text to have ready: ``words`` in ``voice``, or the staff ``recording``."""

    words: str
    voice: str
    recording: Path | None = None


class Prerender:
    """Renders :class:`Job` s on its own thread, in the order given.

    :param cache: where rendered texts go.
    :param engine: makes the engine for a voice (it may raise
        :class:`~kiosk.devices.voices.EngineError`: then that voice is silent, logged once).
    :param on_ready: called from the thread when one more sound is ready.
    """

    def __init__(
        self,
        cache: VoiceCache,
        engine: Callable[[str], Engine],
        on_ready: Callable[[], None] = lambda: None,
    ) -> None:
        self.cache = cache
        self.make_engine = engine
        self.on_ready = on_ready
        self._ready: dict[Job, Path] = {}
        self._failed: set[Job] = set()
        self._engines: dict[str, Engine | None] = {}
        self._jobs: queue.SimpleQueue[list[Job] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None

    def prepare(self, jobs: Iterable[Job]) -> None:
        """Render these (the ones already queued are dropped: a reload replaces them)."""
        with self._lock:  # with the thread's look at the queue: never idle with work queued
            self._idle.clear()
            self._jobs.put(list(jobs))
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="speech", daemon=True)
            self._thread.start()

    def sound(self, job: Job) -> Path | None:
        """The WAV for ``job`` if it is ready (never waits)."""
        with self._lock:
            return self._ready.get(job)

    def failed(self, job: Job) -> bool:
        """True when ``job`` cannot be rendered (its engine is missing or failed on it)."""
        with self._lock:
            return job in self._failed

    def close(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)

    def settle(self, timeout: float) -> bool:
        """Wait until everything given is rendered (or failed); False on a timeout. For tests
        and the benchmark: the loop never waits for the thread."""
        return self._thread is None or self._idle.wait(timeout)

    def _work(self) -> None:
        """Take the newest list given, do its jobs in order; a newer list (a reload)
        replaces what is left of the old one; None ends the thread."""
        background()
        jobs: list[Job] = []
        while True:
            if jobs:
                try:
                    given = self._jobs.get_nowait()
                except queue.Empty:
                    self._do(jobs.pop(0))
                    continue
            else:
                with self._lock:
                    if self._jobs.empty():
                        self._idle.set()
                given = self._jobs.get()
            if given is None:
                return
            jobs = given
            # A new list (a reload) tries again what failed: espeak-ng may be installed now.
            self._engines = {voice: e for voice, e in self._engines.items() if e is not None}
            with self._lock:
                self._failed.clear()

    def _do(self, job: Job) -> None:
        with self._lock:
            if job in self._ready or job in self._failed:
                return
        try:
            path = self._recording(job) if job.recording is not None else None
            if path is None:
                path = self._render(job)
        except Exception:  # a bug here must not end the thread: that text stays silent
            log.exception("Preparing a text to speak failed: it is left silent")
            path = None
        with self._lock:
            if path is None:
                self._failed.add(job)
            else:
                self._ready[job] = path
        if path is not None:
            self.on_ready()

    def _recording(self, job: Job) -> Path | None:
        """The staff recording, its header checked; one in another format than the kiosk
        plays is converted into the cache once (so playing it decodes nothing)."""
        recording = job.recording
        assert recording is not None
        try:
            info = check_wav(recording)
            if info.playable:
                return recording
            stamp = recording.stat()
            key = f"recording|{recording}|{stamp.st_size}|{stamp.st_mtime_ns}"
            found = self.cache.get(key, "")
            return found or self.cache.put(key, "", lambda out: convert(recording, info, out))
        except (WavError, OSError) as err:
            log.warning("The recording %s %s: the voice says its text instead", recording, err)
            return None

    def _render(self, job: Job) -> Path | None:
        engine = self._engine(job.voice)
        if engine is None:
            return None
        found = self.cache.get(engine.key, job.words)
        if found is not None:
            return found
        try:
            return self.cache.put(engine.key, job.words, lambda out: engine.render(job.words, out))
        except (EngineError, OSError) as err:
            log.warning("A text could not be spoken (%s): it is left silent", err)
            return None

    def _engine(self, voice: str) -> Engine | None:
        if voice not in self._engines:
            try:
                self._engines[voice] = self.make_engine(voice)
            except EngineError as err:
                log.warning("Speech is on, but there is no voice: %s. The kiosk runs silent.", err)
                self._engines[voice] = None
        return self._engines[voice]


def build_prerender(
    speech: Speech, state_dir: Path | None, on_ready: Callable[[], None]
) -> Prerender:
    """The renderer for ``speech``'s engine, caching in ``state_dir/speech`` (with None, a
    temporary folder: tests and a kiosk that keeps no state)."""
    if state_dir is None:
        state_dir = Path(tempfile.gettempdir()) / f"acupressure-kiosk-{os.getuid()}"
    return Prerender(
        VoiceCache(state_dir / FOLDER), lambda voice: make_engine(speech, voice), on_ready
    )


def make_engine(speech: Speech, voice: str) -> Engine:
    """Piper when staff chose it and gave its model, else espeak-ng in ``voice``."""
    if speech.engine == "piper" and speech.piper_model is not None:
        return Piper(Path(speech.piper_model))
    return Espeak(voice)


def background() -> None:
    """Give the calling thread (and the programs it starts) :data:`NICENESS`; where the
    system call is not allowed, the thread keeps its priority."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
    except OSError as err:
        log.debug("The speech thread keeps its priority (%s)", err)
