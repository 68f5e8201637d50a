"""The physical parts: the big button, the buzzer and the button's LED, through gpiozero.

A machine with no GPIO at all (a developer's PC: not a Raspberry Pi, no pin factory named in
``GPIOZERO_PIN_FACTORY`` and none of gpiozero's own works) is told in one line, and no part is
tried (:func:`gpio_here`).

Each part is optional at run time. A part that cannot be opened (the lgpio module missing,
no GPIO chip, a pin in use, no permission) is logged with its real cause and left out; the
kiosk carries on with the keyboard, mouse or touch screen standing in for the button, and
:meth:`Parts.retry` tries it again (the main loop calls it every few seconds), so a part that
comes back works without a restart. On a Raspberry Pi a missing button is an error the staff
must see, so :attr:`Parts.notice` asks for an on-screen note while it lasts.

The button's callbacks run on gpiozero's threads and only hand an event to the main loop.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from kiosk.content.settings import Hardware
from kiosk.core.events import Inbox, Press, Release
from kiosk.devices.buzzer import END_PATTERN, START_PATTERN, Sounder

log = logging.getLogger(__name__)

#: While idle the LED invites a press: lit for INVITE_ON seconds, dark for INVITE_OFF. Each
#: change wakes a thread (gpiozero's blink), so the pattern is slow: 0.7 wake-ups a second,
#: where a smooth breath (gpiozero's ``pulse()``) costs 25 and on a Pi, through lgpio's
#: software PWM, a share of a core. A patient sees a slow blink as well as a breath.
INVITE_ON = 2.0
INVITE_OFF = 0.8


def on_raspberry_pi(model_file: Path = Path("/proc/device-tree/model")) -> bool:
    try:
        return "Raspberry Pi" in model_file.read_text(errors="replace")
    except OSError:
        return False


#: The one line a machine without GPIO logs, in place of a warning for each part.
NO_GPIO = (
    "No GPIO here (this is not a Raspberry Pi): the keyboard's space or enter key, "
    "a mouse click or a tap on the screen is the button"
)


def gpio_here(on_pi: bool) -> bool:
    """False when this machine has no GPIO at all: it is not a Raspberry Pi (``on_pi``), no
    pin factory is named (``GPIOZERO_PIN_FACTORY``, which the installed kiosk sets) and none of
    gpiozero's own factories works. gpiozero's warning for each factory it tried is then only
    logged at debug level (``-v``). Everywhere else gpiozero is left to speak for itself, and
    each part that fails says why (:func:`why_unusable`)."""
    from gpiozero import Device
    from gpiozero.exc import BadPinFactory, PinFactoryFallback

    if on_pi or Device.pin_factory is not None or os.environ.get("GPIOZERO_PIN_FACTORY"):
        return True
    found = True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PinFactoryFallback)
        try:
            Device.ensure_pin_factory()
        except BadPinFactory:
            found = False
        except Exception:  # something else: each part will say what
            pass
    for warning in caught:
        if not found and issubclass(warning.category, PinFactoryFallback):
            log.debug("%s", warning.message)
        else:  # not ours to hide (another thread's, or gpiozero's when a factory worked)
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return found


#: Each part: the attribute that holds it, its pin setting and the method that opens it.
PARTS = {
    "button": ("button", "button_pin", "_make_button"),
    "buzzer": ("sounder", "buzzer_pin", "_make_sounder"),
    "LED": ("led", "led_pin", "_make_led"),
}
#: What the kiosk does without each part.
MEANWHILE = {
    "button": "meanwhile the keyboard, mouse and touch screen act as the button.",
    "buzzer": "meanwhile the end of each hold is shown on screen only.",
    "LED": "meanwhile the button is not lit.",
}


def why_unusable(err: BaseException, pin: int) -> str:
    """What stops a part from opening, in words staff can act on."""
    chain = [err]
    while chain[-1].__cause__ or chain[-1].__context__:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)  # type: ignore[arg-type]
        if len(chain) > 8:
            break
    for cause in chain:
        if isinstance(cause, ModuleNotFoundError) and cause.name:
            return (
                f"the {cause.name} Python module is missing (on Raspberry Pi OS: "
                f"sudo apt install python3-{cause.name}, then run the installer again)"
            )
    text = " ".join(f"{type(c).__name__} {c}" for c in chain).lower()
    if "pininuse" in text:
        return f"GPIO{pin} is already used by another part of the kiosk"
    if "busy" in text:
        return f"GPIO{pin} is in use by another program"
    if "permission" in text:
        return "no permission to use the GPIO chip (the kiosk's user must be in the gpio group)"
    if "gpiochip" in text or "no such file" in text:
        return "no GPIO chip was found (/dev/gpiochip*): is this a Raspberry Pi?"
    if "pin factory" in text or "badpinfactory" in text:
        return "no GPIO library works on this machine: is this a Raspberry Pi?"
    return f"{type(err).__name__}: {err}"


class Parts:
    """The button, buzzer and LED that could be opened.

    :param settings: the pins and buzzer type from the configuration.
    :param inbox: where button presses and releases go.
    :param clock: the monotonic clock that stamps presses.

    >>> parts = Parts(Hardware(button_pin=17, buzzer_pin=27, led_pin=None), Inbox())
    """

    def __init__(
        self, settings: Hardware, inbox: Inbox, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self.inbox = inbox
        self.clock = clock
        #: The parts that are wired but could not be opened, and why, in plain words.
        self.missing: dict[str, str] = {}
        self._led_mode = ""
        self._on_pi = on_raspberry_pi()
        self.button = self.sounder = self.led = None
        wired = any(getattr(settings, setting) is not None for _, setting, _ in PARTS.values())
        #: False on a machine with no GPIO at all: no part is tried, none is retried.
        self.gpio = not wired or gpio_here(self._on_pi)
        if not self.gpio:
            log.info("%s", NO_GPIO)
            return
        self.button = self._open("button")
        self.sounder = self._open("buzzer")
        self.led = self._open("LED")
        if self.notice:
            log.error(
                "No GPIO button on this Raspberry Pi (see the line above). The touch screen "
                "and keyboard still work, and the button is tried again every few seconds."
            )

    @property
    def beeps(self) -> bool:
        """True while a buzzer is there to sound the end of a hold."""
        return self.sounder is not None

    @property
    def notice(self) -> str | None:
        """``"no button"`` while a Raspberry Pi has no working button, else None."""
        return "no button" if "button" in self.missing and self._on_pi else None

    # -- opening ----------------------------------------------------------------------------

    def retry(self) -> bool:
        """Try again to open every part that failed; True when one of them opened now."""
        opened = False
        for part in list(self.missing):
            device = self._open(part)
            if device is not None:
                setattr(self, PARTS[part][0], device)
                opened = True
        return opened

    def _open(self, part: str):  # type: ignore[no-untyped-def]
        _, setting, make = PARTS[part]
        pin = getattr(self.settings, setting)
        if pin is None:
            log.info("No %s configured", part)
            return None
        try:
            device = getattr(self, make)(pin)
        except Exception as err:  # gpiozero raises many kinds; any of them means "no part"
            cause = why_unusable(err, pin)
            if self.missing.get(part) != cause:  # once per cause, not every retry
                log.warning(
                    "The %s on GPIO%d cannot be used: %s. Trying again every few seconds; %s",
                    part,
                    pin,
                    cause,
                    MEANWHILE[part],
                )
            self.missing[part] = cause
            return None
        if self.missing.pop(part, None) is not None:
            log.info("The %s on GPIO%d works now", part, pin)
        else:
            log.info("%s on GPIO%d", part[0].upper() + part[1:], pin)
        return device

    def _make_button(self, pin: int):  # type: ignore[no-untyped-def]
        # A DigitalInputDevice, not a Button: gpiozero's Button always runs a thread for
        # when_held that wakes ten times a second; long presses are timed by the session.
        from gpiozero import DigitalInputDevice

        button = DigitalInputDevice(pin, pull_up=True, bounce_time=None)
        # Debounce lives in the session (press_gap_seconds): the callbacks only stamp the
        # edge's own time (lgpio reports when the kernel saw it) and hand it over.
        button.when_activated = lambda: self.inbox.put(Press(self._edge(button.active_time)))
        button.when_deactivated = lambda: self.inbox.put(Release(self._edge(button.inactive_time)))
        if button.is_active:
            # No edge comes for a button already down, so the session never hears of it.
            log.warning(
                "The button on GPIO%d is pressed at start-up: is it stuck or wired wrongly? "
                "Nothing starts until it is released and pressed again.",
                pin,
            )
        return button

    def _edge(self, age: float | None) -> float:
        """When an edge happened, on our clock: gpiozero knows how long ago it was."""
        now = self.clock()
        return now - age if age is not None and 0.0 <= age < 10.0 else now

    def _make_sounder(self, pin: int) -> Sounder:
        if self.settings.buzzer_type == "passive":
            from gpiozero import TonalBuzzer

            return Sounder(TonalBuzzer(pin), self.settings.buzzer_tone_hz)
        from gpiozero import Buzzer

        return Sounder(Buzzer(pin))

    def _make_led(self, pin: int):  # type: ignore[no-untyped-def]
        # A plain LED: on, off and a slow blink need no PWM (lgpio's PWM is software-timed).
        from gpiozero import LED

        return LED(pin)

    # -- using ------------------------------------------------------------------------------

    def hold_started(self) -> None:
        if self.sounder:
            self.sounder.play(START_PATTERN)

    def hold_ended(self) -> None:
        if self.sounder:
            self.sounder.play(END_PATTERN)

    def set_led(self, mode: str) -> None:
        """``"invite"`` (a slow blink while idle), ``"on"`` (waiting for a press) or ``"off"``
        (during a hold). Setting ``"on"`` or ``"off"`` stops the blink's thread."""
        if self.led is None or mode == self._led_mode:
            return
        self._led_mode = mode
        try:
            if mode == "off":
                self.led.off()
            elif mode == "on":
                self.led.on()
            else:
                self.led.blink(on_time=INVITE_ON, off_time=INVITE_OFF)
        except Exception as err:
            log.warning("LED failed: %s", err)

    def button_pressed(self) -> bool:
        return bool(self.button is not None and self.button.is_active)

    def close(self) -> None:
        """Buzzer and LED off, pins released."""
        if self.sounder:
            self.sounder.stop()
        if self.led is not None:
            try:
                self.led.off()
            except Exception as err:
                log.warning("LED failed: %s", err)
        for device in (self.led, self.button, self.sounder and self.sounder.device):
            if device is None:
                continue
            try:
                device.close()
            except Exception as err:
                log.warning("Closing %s failed: %s", device, err)
        self.led = self.button = self.sounder = None
