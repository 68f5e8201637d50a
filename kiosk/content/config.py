"""The kiosk's configuration: a staff file read over the built-in one.

A staff file (``--config FILE``; without it, :data:`INSTALLED_CONFIG` when the kiosk is
installed, see :func:`pick_staff_file`) only holds what it changes::

    hardware:
      button_pin: 17
    timing:
      inactivity_seconds: 120
    points:
      - id: UB60
        hold_seconds: 45

:func:`load_config` never raises for a bad file: it returns the built-in configuration and
the list of problems, each naming the file, line and key, so the kiosk keeps running and
``check`` can print them all. Only the file's valid ``hardware`` settings are kept then: the
wiring does not change because of a typo in a text, and a button on a pin other than the
built-in one would otherwise be dead. A valid ``schedule:`` is kept too: a typo in a text
does not leave the screen on all night.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from kiosk.content.build import PAGES, build_content
from kiosk.content.builtin import builtin_document, media_dir
from kiosk.content.languages import build_languages, with_routine
from kiosk.content.model import Content
from kiosk.content.schedule import read_schedule
from kiosk.content.settings import (
    OWN_SECTIONS,
    SECTIONS,
    Hardware,
    Usage,
    default_usage,
    read_settings,
)
from kiosk.content.speech import Speech, default_speech, read_speech
from kiosk.content.validation import Validator
from kiosk.content.yamlfile import MAX_BYTES, Document, Problem, parse, too_big
from kiosk.core.schedule import Schedule
from kiosk.core.session import Session, Timing

#: The top-level keys of a staff file.
TOP_KEYS = (
    *SECTIONS,
    *OWN_SECTIONS,
    "schedule",
    "texts",
    *PAGES,
    "points",
    "languages_shown",
    "languages",
)

#: The staff file of an installed kiosk: scripts/install.sh writes it, the service names it.
INSTALLED_CONFIG = Path("/etc/acupressure-kiosk/config.yaml")


@dataclass(frozen=True)
class StaffFile:
    """The staff file a command uses (None: the built-in configuration) and, in plain words
    for staff, which it is and why."""

    path: Path | None
    description: str


def pick_staff_file(given: Path | None, installed: Path | None = None) -> StaffFile:
    """The file given with ``--config``; without one, the installed kiosk's file when it
    exists (``installed``, :data:`INSTALLED_CONFIG` unless a test passes its own); else the
    built-in configuration. So ``check`` on a Pi checks the file the kiosk runs on.

    A file that exists but cannot be looked at (a folder on the way is not readable) counts
    as there: reading it then reports why, which says more than silently using the built-in.
    """
    if given is not None:
        return StaffFile(given, str(given))
    installed = INSTALLED_CONFIG if installed is None else installed
    if _is_there(installed):
        return StaffFile(installed, f"{installed} (no --config given: the installed kiosk's file)")
    why = f"no --config given and {installed} does not exist"
    return StaffFile(None, f"the built-in configuration ({why})")


@dataclass(frozen=True)
class Config:
    """Everything the kiosk runs on. ``fallback`` is True when a broken staff file was
    replaced by the built-in configuration (keeping its valid hardware settings and
    schedule). ``schedule`` is the opening hours, None for always on. ``languages`` is the
    content in every language shown, by code, the default first (``content`` is that
    one; empty: ``content`` alone)."""

    hardware: Hardware
    timing: Timing
    content: Content
    source: str = "built-in"
    problems: tuple[Problem, ...] = field(default=())
    fallback: bool = False
    schedule: Schedule | None = None
    usage: Usage = field(default_factory=default_usage)
    languages: Mapping[str, Content] = field(default_factory=dict)
    speech: Speech = field(default_factory=default_speech)

    @property
    def contents(self) -> Mapping[str, Content]:
        """The content by language code, the default (``content``) first, the idle
        cycle's order; every language has ``content``'s routine (a test may replace it)."""
        main = self.content
        others = {
            code: with_routine(content, main)
            for code, content in self.languages.items()
            if code != main.language
        }
        return {main.language: main, **others}

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def new_session(self, now: float) -> Session:
        """A fresh idle session over this routine, starting at monotonic time ``now``."""
        points, languages = len(self.content.points), len(self.contents)
        return Session(self.content.steps(), points, self.timing, now, languages)


def load_config(path: Path | None = None) -> Config:
    """The configuration from ``path`` over the built-in one (the built-in one for None).

    Never raises for a bad staff file: on any error the built-in configuration comes back
    with ``fallback=True`` and the problems, for the log and the ``check`` command. The
    file's valid hardware settings (pins, buzzer type) are kept even then.
    """
    builtin = builtin_document()
    media = media_dir()
    if path is None:
        return _build(builtin, None, media, "built-in")
    staff, problems = read_staff_file(path)
    if staff is None:
        return _fallback(builtin, media, str(path), problems)
    config = _build(builtin, staff, media, str(path), problems)
    if config.errors:
        return _fallback(
            builtin,
            media,
            str(path),
            list(config.problems),
            config.hardware,
            config.schedule,
            config.usage,
            config.speech,
        )
    return config


def _is_there(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return True


def read_staff_file(path: Path) -> tuple[Document | None, list[Problem]]:
    """The staff file at ``path`` parsed, or None and why not.

    Only a regular file is read (a link to one is fine), and never more than
    :data:`~kiosk.content.yamlfile.MAX_BYTES` and one byte of it: a named pipe would hang
    start-up and ``/dev/zero`` would fill the memory.
    """
    raw, problem = _read_bytes(path)
    if problem:
        return None, [Problem(str(path), problem)]
    assert raw is not None
    return parse(raw, str(path))


#: Kinds of files that are not config files, in words, by their ``stat`` test.
NOT_FILES = (
    (stat.S_ISDIR, "is a folder, not a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a file"),
    (stat.S_ISSOCK, "is a socket, not a file"),
    (stat.S_ISCHR, "is a device, not a file"),
    (stat.S_ISBLK, "is a device, not a file"),
)


def _read_bytes(path: Path) -> tuple[bytes | None, str]:
    """The bytes of the regular file at ``path``, or None and why not, in words."""
    try:
        why = _not_a_file(os.stat(path).st_mode)  # before opening: opening a device may act
        if why:
            return None, why
        # O_NONBLOCK: a pipe put there after the look above opens at once instead of waiting.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None, "the file does not exist"
    except OSError as err:
        return None, f"cannot be read: {err.strerror or err}"
    try:
        info = os.fstat(fd)  # the file opened, whatever the path points to now
        why = _not_a_file(info.st_mode)
        if why:
            return None, why
        if info.st_size > MAX_BYTES:
            return None, too_big(info.st_size)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as file:
            raw = file.read(MAX_BYTES + 1)
    except OSError as err:
        return None, f"cannot be read: {err.strerror or err}"
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:  # it grew while being read
        return None, too_big(len(raw))
    return raw, ""


def _not_a_file(mode: int) -> str:
    """What a file of ``mode`` is when it is not a regular file, else ""."""
    if stat.S_ISREG(mode):
        return ""
    return next((why for test, why in NOT_FILES if test(mode)), "is not a regular file")


def _fallback(
    builtin: Document,
    media: Path,
    source: str,
    problems: list[Problem],
    hardware: Hardware | None = None,
    schedule: Schedule | None = None,
    usage: Usage | None = None,
    speech: Speech | None = None,
) -> Config:
    """The built-in configuration standing in for a broken file; ``hardware``, ``usage``
    and ``speech`` hold the file's settings where they were valid (built-in ones where not;
    no recordings: they belong to the file's texts), ``schedule`` its opening hours when
    that section was valid."""
    config = _build(builtin, None, media, "built-in")
    return Config(
        hardware or config.hardware,
        config.timing,
        config.content,
        source,
        _in_file_order(problems),
        True,
        schedule,
        usage or config.usage,
        languages=config.languages,
        speech=replace(speech, recordings={}) if speech else config.speech,
    )


def _build(
    builtin: Document,
    staff: Document | None,
    media: Path,
    source: str,
    problems: list[Problem] | None = None,
) -> Config:
    check = Validator(staff or builtin)
    check.problems.extend(problems or [])
    top = check.mapping(staff.data, (), list(TOP_KEYS)) if staff else {}
    hardware, timing, usage = read_settings(top, check)
    schedule = read_schedule(top["schedule"], check) if "schedule" in top else None
    content = build_content(builtin, staff, media, check if staff else None)
    languages = build_languages(builtin, staff, content, check)
    speech = default_speech()
    if "speech" in top and staff is not None:
        speech = read_speech(top["speech"], content, Path(staff.file).resolve().parent, check)
    return Config(
        hardware,
        timing,
        next(iter(languages.values())),
        source,
        _in_file_order(check.problems),
        schedule=schedule,
        usage=usage,
        languages=languages,
        speech=speech,
    )


def _in_file_order(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
