"""The kiosk's settings: one table gives every setting's default, its check and its docs.

A staff file (``--config FILE``, on a Pi ``/etc/acupressure-kiosk/config.yaml``) only holds
what it changes::

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
from importlib import resources, util
from pathlib import Path

from kiosk.content import (
    Checker,
    Content,
    build_content,
    builtin_document,
    builtin_text,
    describe,
)
from kiosk.session import Timing
from kiosk.yamlsource import Document, Problem, parse

#: The GPIO numbers (BCM) on the 40-pin header.
GPIO_PINS = range(28)
#: Pins that work but have another job: (pins, why).
SPECIAL_PINS = {
    0: "is reserved for the HAT ID EEPROM",
    1: "is reserved for the HAT ID EEPROM",
    2: "is the I2C data pin with a fixed pull-up resistor",
    3: "is the I2C clock pin with a fixed pull-up resistor",
    14: "is the serial (UART) transmit pin",
    15: "is the serial (UART) receive pin",
}


@dataclass(frozen=True)
class Setting:
    """One scalar setting: ``section.name``, its default, its range and what it does."""

    section: str
    name: str
    default: object
    doc: str
    kind: str = "seconds"  # "seconds", "pin", "choice", "hertz"
    low: float = 0.0
    high: float = 0.0
    choices: tuple[str, ...] = ()
    optional: bool = False

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "hardware",
        "button_pin",
        17,
        "GPIO (BCM number) of the big button, wired to ground; the internal pull-up is used.",
        kind="pin",
    ),
    Setting(
        "hardware",
        "buzzer_pin",
        27,
        "GPIO (BCM) of the buzzer (+ leg; - leg to ground). null if none is fitted.",
        kind="pin",
        optional=True,
    ),
    Setting(
        "hardware",
        "led_pin",
        22,
        "GPIO (BCM) of the button's LED (through its resistor). null if none is fitted.",
        kind="pin",
        optional=True,
    ),
    Setting(
        "hardware",
        "buzzer_type",
        "active",
        "active: a buzzer that beeps by itself when powered. passive: a piezo that needs a tone.",
        kind="choice",
        choices=("active", "passive"),
    ),
    Setting(
        "hardware",
        "buzzer_tone_hz",
        660,
        "Pitch of a passive buzzer, in hertz.",
        kind="hertz",
        low=220,
        high=880,
    ),
    Setting(
        "timing",
        "idle_cycle_seconds",
        8.0,
        "While idle, show the next point after this many seconds.",
        low=2,
        high=120,
    ),
    Setting(
        "timing",
        "inactivity_seconds",
        90.0,
        'In a session, ask "Are you still there?" after this long without a press.',
        low=15,
        high=1800,
    ),
    Setting(
        "timing",
        "warning_seconds",
        30.0,
        "How long that question stays before going back "
        "to the start (at least 20 s: people need time to reach the button).",
        low=20,
        high=300,
    ),
    Setting(
        "timing",
        "summary_seconds",
        45.0,
        "How long the last screen stays before going back to the start by itself.",
        low=5,
        high=600,
    ),
    Setting(
        "timing",
        "long_press_seconds",
        2.5,
        "Holding the button this long stops a session and goes back to the start.",
        low=1,
        high=10,
    ),
    Setting(
        "timing",
        "press_gap_seconds",
        0.3,
        "Presses closer together than this count as one (contact bounce, a double tap).",
        low=0.05,
        high=2,
    ),
)
SECTIONS = ("hardware", "timing")
CONTENT_KEYS = ("texts", "safety", "summary", "side_effects", "points")


@dataclass(frozen=True)
class Hardware:
    """Wiring of the button, buzzer and LED (BCM pin numbers; None = not fitted)."""

    button_pin: int = 17
    buzzer_pin: int | None = 27
    led_pin: int | None = 22
    buzzer_type: str = "active"
    buzzer_tone_hz: float = 660


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


def media_dir() -> Path:
    """The folder of the built-in drawings and fonts: the ``kiosk.media`` package.

    The package maps to the top-level ``media/`` folder. When it cannot be found (the source
    tree used without installing) the source tree's ``media/`` is used.
    """
    try:
        root = resources.files("kiosk.media")
    except ModuleNotFoundError:
        return _source_media()
    if isinstance(root, Path) and root.is_dir():
        return root
    spec = util.find_spec("kiosk.media")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    return _source_media()


def _source_media() -> Path:
    return Path(__file__).resolve().parent.parent / "media"


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
    check = Checker(staff or builtin)
    check.problems.extend(problems or [])
    values = _settings(staff, check)
    hardware = Hardware(**values["hardware"])
    _check_pins(hardware, check)
    timing = Timing(**values["timing"])
    content = build_content(builtin, staff, media, check if staff else None)
    return Config(hardware, timing, content, source, _in_file_order(check.problems))


def _in_file_order(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))


def _settings(staff: Document | None, check: Checker) -> dict[str, dict[str, object]]:
    values: dict[str, dict[str, object]] = {s: {} for s in SECTIONS}
    for setting in SETTINGS:
        values[setting.section][setting.name] = setting.default
    if staff is None:
        return values
    top = check.mapping(staff.data, (), [*SECTIONS, *CONTENT_KEYS])
    for section in SECTIONS:
        if section not in top:
            continue
        known = [s.name for s in SETTINGS if s.section == section]
        given = check.mapping(top[section], (section,), known)
        for setting in SETTINGS:
            if setting.section == section and setting.name in given:
                value = _setting_value(setting, given[setting.name], check)
                if value is not _INVALID:
                    values[section][setting.name] = value
    return values


_INVALID = object()


def _setting_value(setting: Setting, value: object, check: Checker) -> object:
    path = (setting.section, setting.name)
    if value is None and setting.optional:
        return None
    if setting.kind == "choice":
        if value in setting.choices:
            return value
        check.error(path, f"expected one of {', '.join(setting.choices)}, got {describe(value)}")
        return _INVALID
    if setting.kind == "pin":
        if isinstance(value, bool) or not isinstance(value, int) or value not in GPIO_PINS:
            empty = " or null for none" if setting.optional else ""
            check.error(path, f"expected a GPIO number (BCM 0 to 27){empty}, got {describe(value)}")
            return _INVALID
        return value
    what = "a number of seconds" if setting.kind == "seconds" else "a pitch in hertz"
    number = check.number(value, path, setting.low, setting.high, what)
    return _INVALID if number is None else number


def _check_pins(hardware: Hardware, check: Checker) -> None:
    """Report a pin used twice (at the line the staff file set) and pins with another job."""
    used: dict[int, str] = {}
    for name in PIN_PARTS:
        pin = getattr(hardware, name)
        if pin is None:
            continue
        if pin in used:
            _pin_clash(pin, used[pin], name, check)
        elif pin in SPECIAL_PINS:
            check.warn(
                ("hardware", name),
                f"GPIO{pin} {SPECIAL_PINS[pin]}; a free pin such as GPIO17, "
                "GPIO27 or GPIO22 is safer",
            )
        used[pin] = name


#: The pin settings and the part each one drives.
PIN_PARTS = {"button_pin": "button", "buzzer_pin": "buzzer", "led_pin": "LED"}


def _pin_clash(pin: int, first: str, second: str, check: Checker) -> None:
    """Two parts on one pin: blame the setting the staff file wrote, not a built-in one."""
    blamed, other = second, first
    if _set_in_file(check, first) and not _set_in_file(check, second):
        blamed, other = first, second
    if _set_in_file(check, other):
        fix = "pick another GPIO for one of them"
    else:
        fix = (
            f"the {PIN_PARTS[other]} is on GPIO{pin} by default: pick another GPIO here, "
            f"or set `{other}` too (null if there is no {PIN_PARTS[other]})"
        )
    check.error(
        ("hardware", blamed),
        f"GPIO{pin} is also the {PIN_PARTS[other]}'s pin; each part needs its own pin, so {fix}",
    )


def _set_in_file(check: Checker, name: str) -> bool:
    return ("hardware", name) in check.doc.marks


def defaults_yaml() -> str:
    """The complete built-in configuration as a commented YAML file for staff to edit."""
    lines = [
        "# Acupressure kiosk configuration.",
        "# Change what you need, then run:  acupressure-kiosk check --config THIS_FILE",
        "# You may delete anything you do not change: the built-in value is used.",
        "",
    ]
    for section in SECTIONS:
        lines.append(f"{section}:")
        for setting in (s for s in SETTINGS if s.section == section):
            lines.append(f"  # {setting.doc}")
            lines.append(f"  {setting.name}: {_yaml_scalar(setting.default)}")
        lines.append("")
    return "\n".join(lines) + "\n" + builtin_text()


def _yaml_scalar(value: object) -> str:
    return "null" if value is None else str(value)


def settings_markdown() -> str:
    """The settings table as Markdown, for docs/configuration.md."""
    rows = ["| setting | default | allowed | what it does |", "|---|---|---|---|"]
    for s in SETTINGS:
        if s.kind == "pin":
            allowed = "GPIO 0–27" + (", or null" if s.optional else "")
        elif s.kind == "choice":
            allowed = " / ".join(s.choices)
        else:
            allowed = f"{s.low:g}–{s.high:g}"
        rows.append(f"| `{s.key}` | `{_yaml_scalar(s.default)}` | {allowed} | {s.doc} |")
    return "\n".join(rows) + "\n"
