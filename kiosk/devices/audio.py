"""Playing the spoken guidance: SDL audio through ``pygame.mixer``, one stream at a time.

Like gpiozero's pin factories, the player is one small interface (:class:`Mixer`, and
:class:`Silent` where there is no sound at all) that the loop drives without knowing what
is behind it. One sound plays at a time (vc4-hdmi has no mixing: one stream per device);
a new one stops the last.

On a Pi, SDL opens ALSA's ``default`` device: HDMI sound needs ``default`` or ``hdmi:``
(its ``hw:`` device takes only IEC958 frames), and a Pi 5 has no headphone jack (HDMI or
USB sound). No sound device is no error: :meth:`Mixer.open` says so once in the log, in
plain words, and returns False; the caller tries again later, as a device may be plugged in.

    >>> mixer = Mixer()
    >>> if mixer.open():
    ...     mixer.play(Path("safety.wav"), volume=0.8)
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pygame

from kiosk.devices.wavfile import PLAY_RATE

log = logging.getLogger(__name__)

#: The mixer's format: espeak-ng's own (22050 Hz mono 16-bit), so its files need no
#: conversion; staff recordings in another format are converted once, in the background
#: (:func:`kiosk.devices.wavfile.convert`).
FREQUENCY = PLAY_RATE
CHANNELS = 1
#: Samples per buffer: 1024 at 22050 Hz is 46 ms, the delay before a sound is heard.
BUFFER = 1024


class AudioError(RuntimeError):
    """The sound device failed while playing."""


class Mixer:
    """SDL's audio output (``SDL_AUDIODRIVER`` picks the driver: alsa on a Pi, disk in
    tests). Every call is from the main loop's thread."""

    def __init__(self, frequency: int = FREQUENCY, buffer: int = BUFFER) -> None:
        self.frequency = frequency
        self.buffer = buffer
        self.is_open = False
        #: When the device was last opened (monotonic) and the format it plays:
        #: (rate, size, channels). SDL's disk driver starts its file then (tests).
        self.opened_at = 0.0
        self.format: tuple[int, int, int] | None = None
        #: How many sounds were started (the benchmark shows it).
        self.plays = 0
        self._told = False
        self._driver: str | None = None
        self._channel: pygame.mixer.Channel | None = None

    def open(self) -> bool:
        """Open the sound device; False (told once in the log) when there is none."""
        if self.is_open:
            return True
        try:
            self.opened_at = time.monotonic()
            pygame.mixer.init(
                frequency=self.frequency, size=-16, channels=CHANNELS, buffer=self.buffer
            )
            pygame.mixer.set_num_channels(1)
        except pygame.error as err:
            if not self._told:
                log.warning(
                    "Speech is on, but no sound device could be opened (%s): the kiosk runs "
                    "silent and tries again every few seconds. Plug in a speaker or HDMI "
                    "sound, or set speech.enabled: false.",
                    err,
                )
                self._told = True
            return False
        self.is_open = True
        self.format = pygame.mixer.get_init()
        driver = pygame.mixer.get_driver()
        if self._told:
            log.info("A sound device is there now: speech is heard (%s)", driver)
        elif driver != self._driver:  # said once, not at every session's opening
            log.info("Speech plays through SDL's %s sound driver", driver)
        self._told = False
        self._driver = driver
        return True

    def play(self, path: Path, volume: float, after: float = 0.0) -> float:
        """Play the WAV at ``path`` at ``volume`` (0 to 1), stopping what plays, ``after``
        seconds of silence from now (counted by the sound card's clock, not the loop's); how
        long it is with that silence, in seconds. Raises :class:`AudioError` when the device
        fails."""
        if not self.is_open:
            raise AudioError("no sound device")
        try:
            sound = pygame.mixer.Sound(str(path))
            if after > 0 and self.format is not None:
                sound = pygame.mixer.Sound(buffer=silence(after, self.format) + sound.get_raw())
            sound.set_volume(volume)
            self.stop()
            self._channel = sound.play()
            self.plays += 1
            return sound.get_length()
        except pygame.error as err:
            self.close()
            raise AudioError(str(err)) from err

    def stop(self) -> None:
        if self._channel is not None:
            self._channel.stop()
            self._channel = None

    @property
    def playing(self) -> bool:
        return self._channel is not None and self._channel.get_busy()

    def close(self) -> None:
        if self.is_open:
            self.stop()
            pygame.mixer.quit()
            self.is_open = False


def silence(seconds: float, form: tuple[int, int, int]) -> bytes:
    """``seconds`` of silence in the mixer's format (rate, signed sample bits, channels)."""
    rate, bits, channels = form
    return bytes(round(seconds * rate) * abs(bits) // 8 * channels)


class Silent:
    """No sound: speech is off (the mixer is never opened)."""

    is_open = False
    playing = False

    def open(self) -> bool:
        return False

    def play(self, path: Path, volume: float, after: float = 0.0) -> float:
        raise AudioError("speech is off")

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass
