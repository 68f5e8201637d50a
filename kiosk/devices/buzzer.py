"""The buzzer: on/off beep patterns on an active buzzer or a tone on a passive one.

A pattern plays on its own short-lived thread, so the main loop never waits for a beep, and a
failing buzzer is logged and never stops a session.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

#: The end-of-hold sound: three beeps (seconds on, seconds off).
END_PATTERN = ((0.25, 0.12), (0.25, 0.12), (0.45, 0.0))
#: The start-of-hold cue: one short blip.
START_PATTERN = ((0.07, 0.0),)

Pattern = tuple[tuple[float, float], ...]


class Sounder:
    """Plays on/off patterns on an active ``Buzzer`` or a passive ``TonalBuzzer``.

    A pattern runs on its own short-lived thread so the main loop never waits for it; a new
    pattern stops the one playing.
    """

    def __init__(self, device, tone_hz: float | None = None) -> None:  # type: ignore[no-untyped-def]
        self.device = device
        self.tone_hz = tone_hz
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def play(self, pattern: Pattern) -> None:
        self.stop()
        self._stop = threading.Event()
        self._on()  # the first beep starts now, on the caller's thread: no thread start delay
        self._thread = threading.Thread(
            target=self._run, args=(pattern, self._stop), name="buzzer", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=1)
        self._thread = None
        self._off()

    def _run(self, pattern: Pattern, stop: threading.Event) -> None:
        for index, (on_time, off_time) in enumerate(pattern):
            if index:
                self._on()
            if stop.wait(on_time):
                break
            self._off()
            if off_time and stop.wait(off_time):
                break
        self._off()

    def _on(self) -> None:
        try:
            if self.tone_hz is None:
                self.device.on()
            else:
                from gpiozero.tones import Tone

                self.device.play(Tone(frequency=self.tone_hz))
        except Exception as err:  # a failing buzzer must never stop a session
            log.warning("Buzzer failed: %s", err)

    def _off(self) -> None:
        try:
            if self.tone_hz is None:
                self.device.off()
            else:
                self.device.stop()
        except Exception as err:
            log.warning("Buzzer failed: %s", err)
