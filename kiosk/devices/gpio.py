"""The physical parts: the big button, the buzzer and the button's LED, through gpiozero.

Each part is optional at run time. A part that cannot be opened (no GPIO on this machine, a
pin in use, no permission) is logged once and left out; the kiosk carries on with the
keyboard, mouse or touch screen standing in for the button. On a Raspberry Pi a missing
button is an error the staff must see, so :attr:`Parts.notice` asks for an on-screen note.

The button's callbacks run on gpiozero's threads and only hand an event to the main loop.
"""

from __future__ import annotations

import logging
import time
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
