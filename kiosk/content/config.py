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
built-in one would otherwise be dead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kiosk.content.build import PAGES, build_content
from kiosk.content.builtin import builtin_document, media_dir
from kiosk.content.model import Content
from kiosk.content.settings import SECTIONS, Hardware, read_settings
from kiosk.content.validation import Validator
from kiosk.content.yamlfile import Document, Problem, parse
from kiosk.core.session import Session, Timing

#: The top-level keys of a staff file.
TOP_KEYS = (*SECTIONS, "texts", *PAGES, "points")

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
    replaced by the built-in configuration (keeping its valid hardware settings)."""

    hardware: Hardware
    timing: Timing
    content: Content
    source: str = "built-in"
    problems: tuple[Problem, ...] = field(default=())
    fallback: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def new_session(self, now: float) -> Session:
        """A fresh idle session over this routine, starting at monotonic time ``now``."""
        return Session(self.content.steps(), len(self.content.points), self.timing, now)


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
    staff, problems = _read(path)
    if staff is None:
        return _fallback(builtin, media, str(path), problems)
    config = _build(builtin, staff, media, str(path), problems)
    if config.errors:
        return _fallback(builtin, media, str(path), list(config.problems), config.hardware)
    return config


def _is_there(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return True


def _read(path: Path) -> tuple[Document | None, list[Problem]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(str(path), "the file does not exist")]
    except IsADirectoryError:
        return None, [Problem(str(path), "is a folder, not a file")]
    except OSError as err:
        return None, [Problem(str(path), f"cannot be read: {err.strerror or err}")]
    return parse(raw, str(path))


def _fallback(
    builtin: Document,
    media: Path,
    source: str,
    problems: list[Problem],
    hardware: Hardware | None = None,
) -> Config:
    """The built-in configuration standing in for a broken file; ``hardware`` holds the
    file's settings where they were valid (built-in ones where not)."""
    config = _build(builtin, None, media, "built-in")
    return Config(
        hardware or config.hardware,
        config.timing,
        config.content,
        source,
        _in_file_order(problems),
        True,
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
    hardware, timing = read_settings(top, check)
    content = build_content(builtin, staff, media, check if staff else None)
    return Config(hardware, timing, content, source, _in_file_order(check.problems))


def _in_file_order(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
