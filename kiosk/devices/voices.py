"""The synthetic voices: espeak-ng, and Piper with a voice model staff have.

Each engine turns words into a WAV file by running its program as a child process, with a
time limit (:data:`TIMEOUT`) and a length budget (:data:`MAX_CHARS`: longer words are cut
at a sentence end), so a hostile or huge text cannot stall the kiosk. Nothing is ever
downloaded: espeak-ng is a Debian package, and a Piper voice is a model file on disk.

Like gpiozero's pin factories, the engines share one small interface (:class:`Engine`):
``key`` names the voice exactly (engine, its version, voice) for the cache, ``render``
writes one WAV.

    >>> engine = Espeak("en")
    >>> engine.render("Press the button to start.", Path("/tmp/invite.wav"))
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Protocol

#: Seconds a child may take for one text.
TIMEOUT = 20.0
#: The most characters spoken for one text (a screen's words are under 700).
MAX_CHARS = 1500
#: The most bytes of a rendered WAV (about 9 minutes at 22 kHz): more is not a voice.
MAX_OUTPUT = 24 * 1024 * 1024


class EngineError(RuntimeError):
    """The engine is missing or failed on a text (the message says which, in plain words)."""


class Engine(Protocol):
    key: str

    def render(self, words: str, out: Path) -> None: ...


def budget(words: str, limit: int = MAX_CHARS) -> str:
    """``words`` cut to ``limit`` characters, at the last sentence end before it if any."""
    words = "".join(c if c.isprintable() else " " for c in words)
    if len(words) <= limit:
        return words
    cut = words[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[: end + 1] if end > 0 else cut


class Espeak:
    """The espeak-ng program (``apt install espeak-ng``) speaking in ``voice``.

    :param voice: an espeak-ng voice (``en``, ``en-gb``, ``es``).
    :param program: the program's path or name (found on ``PATH``).
    :param timeout: seconds for one text.
    Raises :class:`EngineError` when the program is not installed.
    """

    def __init__(self, voice: str, program: str = "espeak-ng", timeout: float = TIMEOUT) -> None:
        found = shutil.which(program)
        if found is None:
            raise EngineError(f"{program} is not installed (sudo apt install espeak-ng)")
        self.program, self.voice, self.timeout = found, voice, timeout
        version = _run([found, "--version"], b"", timeout).decode(errors="replace").strip()
        self.key = f"espeak-ng|{version}|{voice}"

    def render(self, words: str, out: Path) -> None:
        _run(
            [self.program, "-v", self.voice, "-w", str(out), "--stdin"],
            budget(words).encode(),
            self.timeout,
        )
        _check_output(out)


class Piper:
    """Piper (the ``piper-tts`` wheel's ``piper`` program) with a voice model file.

    :param model: the ``.onnx`` voice file staff have (its ``.onnx.json`` beside it).
    Raises :class:`EngineError` when the program or the model file is missing.
    """

    def __init__(self, model: Path, program: str | None = None, timeout: float = TIMEOUT) -> None:
        # The wheel puts `piper` beside the venv's python, which is not on the service's PATH.
        beside = Path(sys.executable).parent / "piper"
        found = shutil.which(program or (str(beside) if beside.is_file() else "piper"))
        if found is None:
            raise EngineError(
                f"{program} is not installed (pip install piper-tts in the kiosk's venv)"
            )
        if not model.is_file():
            raise EngineError(f"the Piper voice model {model} does not exist")
        self.program, self.model, self.timeout = found, model, timeout
        info = model.stat()
        digest = hashlib.sha256(f"{model}|{info.st_size}|{info.st_mtime_ns}".encode()).hexdigest()[
            :16
        ]
        self.key = f"piper|{digest}"

    def render(self, words: str, out: Path) -> None:
        command = [self.program, "--model", str(self.model), "--output_file", str(out)]
        _run(command, budget(words).encode(), self.timeout)
        _check_output(out)


def _run(command: list[str], stdin: bytes, timeout: float) -> bytes:
    name = os.path.basename(command[0])
    try:
        done = subprocess.run(
            command, input=stdin, capture_output=True, timeout=timeout, check=False, close_fds=True
        )
    except subprocess.TimeoutExpired:
        raise EngineError(f"{name} took more than {timeout:g} s") from None
    except OSError as err:
        raise EngineError(f"{name} could not be started: {err.strerror or err}") from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise EngineError(f"{name} failed (exit status {done.returncode}): {said[0][:200]}")
    return done.stdout[:4096]


def _check_output(out: Path) -> None:
    try:
        size = out.stat().st_size
    except OSError:
        raise EngineError("the voice wrote no sound") from None
    if size <= 44 or size > MAX_OUTPUT:
        raise EngineError(f"the voice wrote {size} bytes: not a spoken text")
