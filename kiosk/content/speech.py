"""The ``speech:`` section of a staff file: spoken guidance, its voice and recordings.

Its scalar settings (``enabled``, ``volume_percent``, ``engine``, ``piper_model``) are rows
of :data:`kiosk.content.settings.SETTINGS` like every setting; this module adds the two
mappings the table cannot hold::

    speech:
      enabled: true
      voices:            # the espeak-ng voice per language code (default: the code)
        en: en-gb
      audio:             # a staff recording in place of the voice, by text id
        safety: safety.wav

Paths are relative to the staff file. Here a recording is only looked up (there, a regular
file); its header is read by ``check`` and by the kiosk before it is played
(:mod:`kiosk.devices.wavfile`). Which text ids there are: :mod:`kiosk.content.spoken`.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.content.model import Content
from kiosk.content.settings import INVALID, SETTINGS, defaults, setting_value
from kiosk.content.spoken import text_ids
from kiosk.content.validation import Validator, describe

#: An espeak-ng voice name: letters, digits and - + _ (en, en-gb, es-419, en+f3).
VOICE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+-]{0,39}")
#: The mappings of the section beside the table's settings.
MAPPINGS = ("voices", "audio")


@dataclass(frozen=True)
class Speech:
    """Spoken guidance as the staff file sets it (defaults in :data:`SETTINGS`).

    ``voices`` maps a language code to an espeak-ng voice; ``recordings`` a text id to the
    WAV file that replaces the synthetic voice for it.
    """

    enabled: bool
    volume_percent: float
    engine: str
    piper_model: str | None
    voices: Mapping[str, str] = field(default_factory=dict)
    recordings: Mapping[str, Path] = field(default_factory=dict)

    def voice(self, language: str) -> str:
        """The espeak-ng voice for ``language`` (``en`` -> ``en`` unless staff set one)."""
        return self.voices.get(language, language)


def default_speech(**changes: object) -> Speech:
    """The built-in speech settings (speech off), with ``changes``."""
    return Speech(**(defaults("speech") | changes))  # type: ignore[arg-type]


def read_speech(value: object, content: Content, staff_dir: Path, check: Validator) -> Speech:
    """The ``speech:`` section ``value`` over the defaults; every problem goes to ``check``
    with its key, and a wrong value stays at its default."""
    rows = [s for s in SETTINGS if s.section == "speech"]
    given = check.mapping(value, ("speech",), [s.name for s in rows] + list(MAPPINGS))
    values = defaults("speech")
    for row in rows:
        if row.name in given:
            checked = setting_value(row, given[row.name], check)
            if checked is not INVALID:
                values[row.name] = checked
    model = values["piper_model"]
    if isinstance(model, str):
        values["piper_model"] = str(_resolve(model, staff_dir))
    if values["engine"] == "piper" and values["piper_model"] is None:
        check.warn(
            ("speech", "engine"),
            "piper needs speech.piper_model (a voice model file): espeak-ng is used",
        )
    voices = _voices(given.get("voices", {}), check)
    recordings = _recordings(given.get("audio", {}), content, staff_dir, check)
    return Speech(**values, voices=voices, recordings=recordings)  # type: ignore[arg-type]


def _voices(value: object, check: Validator) -> dict[str, str]:
    path = ("speech", "voices")
    if not isinstance(value, dict):
        check.error(
            path,
            f"expected a language code and a voice a line (`en: en-gb`), got {describe(value)}",
        )
        return {}
    voices = {}
    for code, voice in value.items():
        if not isinstance(voice, str) or not VOICE_NAME.fullmatch(voice):
            check.error(
                (*path, code),
                f"expected an espeak-ng voice name such as en-gb, got {describe(voice)}",
            )
        else:
            voices[str(code)] = voice
    return voices


def _recordings(
    value: object, content: Content, staff_dir: Path, check: Validator
) -> dict[str, Path]:
    path = ("speech", "audio")
    if not isinstance(value, dict):
        check.error(
            path,
            "expected a text id and a WAV file a line (`safety: safety.wav`), "
            f"got {describe(value)}",
        )
        return {}
    known = text_ids(content)
    found = {}
    for text_id, name in value.items():
        here = (*path, text_id)
        if text_id not in known:
            check.error(here, f"is not a spoken text; the texts are {', '.join(known)}")
        elif not isinstance(name, str) or not name.lower().endswith(".wav"):
            check.error(here, f"expected a .wav file name, got {describe(name)}")
        else:
            file = _resolve(name, staff_dir)
            why = _not_a_file(file)
            if why:
                check.error(here, f"`{name}` {why}")
            else:
                found[str(text_id)] = file
    return found


def _not_a_file(path: Path) -> str:
    """Why ``path`` is no recording to play, in words ("" when it is a regular file). Only
    looked at here; its header is read by ``check`` and before it is played."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return f"does not exist (looked in {path.parent})"
    except OSError as err:
        return f"cannot be looked at: {(err.strerror or type(err).__name__).lower()}"
    return "" if stat.S_ISREG(mode) else "is not a regular file"


def _resolve(name: str, folder: Path) -> Path:
    try:
        path = Path(name).expanduser()
    except RuntimeError:
        path = Path(name)
    return path if path.is_absolute() else folder / path
