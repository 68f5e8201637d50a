"""The physical parts: the big button, the buzzer and the button's LED, through gpiozero.

Each part is optional at run time. A part that cannot be opened (no GPIO on this machine, a
pin in use, no permission) is logged once and left out; the kiosk carries on with the
keyboard, mouse or touch screen standing in for the button. On a Raspberry Pi a missing
button is an error the staff must see, so :attr:`Parts.notice` asks for an on-screen note.

The button's callbacks run on gpiozero's threads and only hand an event to the main loop.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.content.settings import Hardware
from kiosk.core.events import Inbox, Press, Release
from kiosk.devices.buzzer import END_PATTERN, START_PATTERN, Sounder

log = logging.getLogger(__name__)

#: The idle LED breathes: one slow fade in and out every PULSE_SECONDS, in this many steps a
#: second. gpiozero's own ``pulse()`` steps 25 times a second, each a wake-up of its thread,
#: for ten hours a day; a slow glow looks the same with 10.
PULSE_SECONDS = 2.4
PULSE_STEPS_PER_SECOND = 10


def on_raspberry_pi(model_file: Path = Path("/proc/device-tree/model")) -> bool:
    try:
        return "Raspberry Pi" in model_file.read_text(errors="replace")
    except OSError:
        return False


def pulse_levels(
    seconds: float = PULSE_SECONDS, steps_per_second: float = PULSE_STEPS_PER_SECOND
) -> tuple[float, ...]:
    """One breath of the LED: brightness levels (0 to 1) rising, then falling."""
    half = max(1, round(seconds * steps_per_second / 2))
    return tuple(i / half for i in range(half)) + tuple(1 - i / half for i in range(half))


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
        self.button = self._open("button", settings.button_pin, self._make_button)
        self.sounder = self._open("buzzer", settings.buzzer_pin, self._make_sounder)
        self.led = self._open("LED", settings.led_pin, self._make_led)
        self._led_mode = ""
        self.notice: str | None = None
        if self.button is None and on_raspberry_pi():
            log.error(
                "No GPIO button on this Raspberry Pi: check the wiring and the log above. "
                "The touch screen and keyboard still work."
            )
            self.notice = "no button"

    # -- opening ----------------------------------------------------------------------------

    def _open(self, part: str, pin: int | None, make):  # type: ignore[no-untyped-def]
        if pin is None:
            log.info("No %s configured", part)
            return None
        try:
            device = make(pin)
        except Exception as err:  # gpiozero raises many kinds; any of them means "no part"
            log.warning(
                "No GPIO available for the %s on GPIO%d (%s: %s); carrying on without "
                "it. The keyboard, mouse and touch screen act as the button.",
                part,
                pin,
                type(err).__name__,
                err,
            )
            return None
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
        from gpiozero import LED, PWMLED
        from gpiozero.exc import PinPWMUnsupported

        try:
            return PWMLED(pin)
        except PinPWMUnsupported:
            log.info("GPIO%d has no PWM: the LED blinks instead of pulsing", pin)
            return LED(pin)

    # -- using ------------------------------------------------------------------------------

    def hold_started(self) -> None:
        if self.sounder:
            self.sounder.play(START_PATTERN)

    def hold_ended(self) -> None:
        if self.sounder:
            self.sounder.play(END_PATTERN)

    def set_led(self, mode: str) -> None:
        """``"pulse"`` (inviting a press while idle), ``"on"`` (waiting for a press) or
        ``"off"`` (during a hold)."""
        if self.led is None or mode == self._led_mode:
            return
        self._led_mode = mode
        try:
            if getattr(self.led, "source", None) is not None:
                self.led.source = None  # stops the breathing thread
            if mode == "off":
                self.led.off()
            elif mode == "on":
                self.led.on()
            elif hasattr(self.led, "pulse"):
                self.led.source_delay = 1 / PULSE_STEPS_PER_SECOND
                self.led.source = itertools.cycle(pulse_levels())
            else:
                self.led.blink(on_time=1.0, off_time=1.0)
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
