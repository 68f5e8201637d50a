"""The settings table: every setting's default, its check and its docs, in one place.

:data:`SETTINGS` is the one source of the pins and timings. From it come the defaults
(:func:`default_hardware`, :func:`default_timing`), the validation of a staff file's
``hardware:`` and ``timing:`` sections (:func:`read_settings`), the commented file that
``acupressure-kiosk defaults`` prints (:func:`defaults_yaml`) and the table in
docs/configuration.md (:func:`settings_markdown`, kept in step by a test). A new setting is a
new row here and a field of the same name in :class:`Hardware` or
:class:`~kiosk.core.session.Timing`.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.content.builtin import builtin_text
from kiosk.content.schedule import EXAMPLE as SCHEDULE_EXAMPLE
from kiosk.content.validation import Validator, describe
from kiosk.core.session import Timing

#: The GPIO numbers (BCM) on the 40-pin header.
GPIO_PINS = range(28)
#: The screen rotations the kiosk draws itself (degrees clockwise): no compositor turns
#: the picture on the console (KMSDRM), and config.txt's display_rotate is ignored by KMS.
ROTATIONS = (0, 90, 180, 270)
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
    kind: str = "seconds"  # seconds, pin, choice, hertz, prom, inches, switch, percent, model
    low: float = 0.0
    high: float = 0.0
    choices: tuple[str, ...] | tuple[int, ...] = ()
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
        "hardware",
        "rotation",
        0,
        "Turn the picture clockwise by this many degrees: 90 or 270 for a screen on its side, "
        "180 upside down.",
        kind="choice",
        choices=ROTATIONS,
    ),
    Setting(
        "hardware",
        "screen_diagonal_inches",
        None,
        "The screen's size corner to corner, in inches, so that capital letters are at "
        "least 4.8 mm tall on it. null: the size the screen reports (its EDID), else the "
        "usual size for its resolution (800x480: the 7-inch touchscreen).",
        kind="inches",
        low=3,
        high=120,
        optional=True,
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
    Setting(
        "usage",
        "metrics_file",
        None,
        "The usage counts as Prometheus counters in this file, rewritten after every event, "
        "for node_exporter's textfile collector (see the staff guide). null: no such file.",
        kind="prom",
        optional=True,
    ),
    Setting(
        "speech",
        "enabled",
        False,
        "true: each screen's words are spoken when it appears (a speaker or HDMI sound is "
        "needed; see the staff guide, Speech).",
        kind="switch",
    ),
    Setting(
        "speech",
        "volume_percent",
        80,
        "How loud the voice is, in percent; set again at the start of every session.",
        kind="percent",
        low=5,
        high=100,
    ),
    Setting(
        "speech",
        "engine",
        "espeak-ng",
        "The voice: espeak-ng (built in), or piper (a neural voice: needs piper_model).",
        kind="choice",
        choices=("espeak-ng", "piper"),
    ),
    Setting(
        "speech",
        "piper_model",
        None,
        "With engine: piper, the voice model file (.onnx) you have, a path on this machine; "
        "nothing is downloaded. null: none.",
        kind="model",
        optional=True,
    ),
)
SECTIONS = ("hardware", "timing", "usage")
#: Sections read by their own module (kiosk.content.speech), with keys beyond the table's.
OWN_SECTIONS = ("speech",)


@dataclass(frozen=True)
class Hardware:
    """Wiring of the button, buzzer and LED (BCM pin numbers; None = not fitted).

    No defaults here: they are in :data:`SETTINGS` (see :func:`default_hardware`). It lives
    beside the table rather than with the devices because the content layer reads and checks
    it, and imports only point down; importing it drags in nothing but this table.
    """

    button_pin: int
    buzzer_pin: int | None
    led_pin: int | None
    buzzer_type: str
    buzzer_tone_hz: float
    rotation: int
    screen_diagonal_inches: float | None


@dataclass(frozen=True)
class Usage:
    """What becomes of the usage counts besides the database: ``metrics_file`` is an
    absolute path ending in ``.prom`` (None: none is written). Defaults in :data:`SETTINGS`."""

    metrics_file: str | None


#: The pin settings and the part each one drives.
PIN_PARTS = {"button_pin": "button", "buzzer_pin": "buzzer", "led_pin": "LED"}


def defaults(section: str) -> dict[str, object]:
    """Every setting of ``section`` at its default, by name."""
    return {s.name: s.default for s in SETTINGS if s.section == section}


def default_hardware(**changes: object) -> Hardware:
    """The built-in wiring, with ``changes``."""
    return Hardware(**(defaults("hardware") | changes))  # type: ignore[arg-type]


def default_timing(**changes: float) -> Timing:
    """The built-in timings, with ``changes``."""
    return Timing(**(defaults("timing") | changes))  # type: ignore[arg-type]


def default_usage(**changes: object) -> Usage:
    """The built-in usage settings, with ``changes``."""
    return Usage(**(defaults("usage") | changes))  # type: ignore[arg-type]


def read_settings(top: dict[str, object], check: Validator) -> tuple[Hardware, Timing, Usage]:
    """The ``hardware:``, ``timing:`` and ``usage:`` sections of a staff file's ``top``
    mapping over the defaults; each invalid value is reported to ``check`` and left at its
    default."""
    values = {section: defaults(section) for section in SECTIONS}
    for section in SECTIONS:
        if section not in top:
            continue
        known = [s.name for s in SETTINGS if s.section == section]
        given = check.mapping(top[section], (section,), known)
        for setting in SETTINGS:
            if setting.section == section and setting.name in given:
                value = setting_value(setting, given[setting.name], check)
                if value is not INVALID:
                    values[section][setting.name] = value
    hardware = Hardware(**values["hardware"])  # type: ignore[arg-type]
    _check_pins(hardware, check)
    timing = Timing(**values["timing"])  # type: ignore[arg-type]
    return hardware, timing, Usage(**values["usage"])  # type: ignore[arg-type]


#: What :func:`setting_value` returns for a value it reported as wrong.
INVALID = object()


def setting_value(setting: Setting, value: object, check: Validator) -> object:
    """``value`` checked against ``setting`` (each problem reported to ``check``), or
    :data:`INVALID`."""
    path = (setting.section, setting.name)
    if value is None and setting.optional:
        return None
    if setting.kind == "choice":
        return _choice(setting, value, path, check)
    if setting.kind == "prom":
        if not isinstance(value, str) or not value.startswith("/") or not value.endswith(".prom"):
            check.error(
                path,
                "expected an absolute path ending in .prom (node_exporter reads only those), "
                f"such as /var/lib/prometheus/node-exporter/acupressure_kiosk.prom, or null "
                f"for none; got {describe(value)}",
            )
            return INVALID
        return value
    if setting.kind == "pin":
        if isinstance(value, bool) or not isinstance(value, int) or value not in GPIO_PINS:
            empty = " or null for none" if setting.optional else ""
            check.error(path, f"expected a GPIO number (BCM 0 to 27){empty}, got {describe(value)}")
            return INVALID
        return value
    if setting.kind == "switch":
        if not isinstance(value, bool):
            check.error(path, f"expected true or false, got {describe(value)}")
            return INVALID
        return value
    if setting.kind == "model":
        if not isinstance(value, str) or not value.endswith(".onnx"):
            check.error(
                path, f"expected the path of a Piper voice model (.onnx), got {describe(value)}"
            )
            return INVALID
        return value
    what = {
        "seconds": "a number of seconds",
        "inches": "a size in inches",
        "percent": "a percent",
    }.get(setting.kind, "a pitch in hertz")
    number = check.number(value, path, setting.low, setting.high, what)
    return INVALID if number is None else number


def _choice(setting: Setting, value: object, path: tuple[str, str], check: Validator) -> object:
    """One of ``setting.choices`` and of its type (Python's ``in`` would take ``false``
    for 0); a whole number written ``90.0`` is 90, and a number in quotes is told to lose
    them."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    for choice in setting.choices:
        if type(value) is type(choice) and value == choice:
            return value
    allowed = ", ".join(str(c) for c in setting.choices)
    hint = ""
    if isinstance(value, str) and value.strip() in (str(c) for c in setting.choices):
        hint = "; write the number without quotes"
    check.error(path, f"expected one of {allowed}, got {describe(value)}{hint}")
    return INVALID


def _check_pins(hardware: Hardware, check: Validator) -> None:
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


def _pin_clash(pin: int, first: str, second: str, check: Validator) -> None:
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


def _set_in_file(check: Validator, name: str) -> bool:
    return ("hardware", name) in check.doc.marks


def defaults_yaml() -> str:
    """The complete built-in configuration as a commented YAML file for staff to edit."""
    lines = [
        "# Acupressure kiosk configuration.",
        "# Change what you need, then run:  acupressure-kiosk check --config THIS_FILE",
        "# You may delete anything you do not change: the built-in value is used.",
        "",
    ]
    for section in (*SECTIONS, *OWN_SECTIONS):
        lines.append(f"{section}:")
        for setting in (s for s in SETTINGS if s.section == section):
            lines.append(f"  # {setting.doc}")
            lines.append(f"  {setting.name}: {_yaml_scalar(setting.default)}")
        if section == "speech":
            lines += SPEECH_EXAMPLE
        lines.append("")
    lines.append(SCHEDULE_EXAMPLE)
    return "\n".join(lines) + "\n" + builtin_text()


#: The speech section's mappings, as commented examples in ``defaults``.
SPEECH_EXAMPLE = [
    "  # The espeak-ng voice for each language (its code), when not the code itself:",
    "  # voices:",
    "  #   en: en-gb",
    "  # Your own recordings (WAV files, next to this file) in place of the voice, by text:",
    "  # safety, summary, warning, hold_done, other_side, intro.UB60, hold.UB60.1, next.UB40",
    "  # (see the staff guide, Speech):",
    "  # audio:",
    "  #   safety: safety.wav",
]


def _yaml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def settings_markdown() -> str:
    """The settings table as Markdown, for docs/configuration.md."""
    rows = ["| setting | default | allowed | what it does |", "|---|---|---|---|"]
    for s in SETTINGS:
        if s.kind == "pin":
            allowed = "GPIO 0–27" + (", or null" if s.optional else "")
        elif s.kind == "choice":
            allowed = " / ".join(str(c) for c in s.choices)
        elif s.kind == "prom":
            allowed = "an absolute path ending in `.prom`, or null"
        elif s.kind == "switch":
            allowed = "true / false"
        elif s.kind == "model":
            allowed = "a path ending in `.onnx`, or null"
        else:
            allowed = f"{s.low:g}–{s.high:g}" + (", or null" if s.optional else "")
        rows.append(f"| `{s.key}` | `{_yaml_scalar(s.default)}` | {allowed} | {s.doc} |")
    return "\n".join(rows) + "\n"
