"""Building the running kiosk from its parts: the one place objects are wired together."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from kiosk.app.chores import OpeningHours, PartsRetry, ScreenWatch
from kiosk.app.loop import App
from kiosk.app.reload import StaffReload
from kiosk.app.speaking import Speaker
from kiosk.content.config import Config
from kiosk.core.events import Inbox, Prepared, Repaint
from kiosk.core.screensize import CAP_MM, Pitch, pitch_mm
from kiosk.devices.audio import Mixer
from kiosk.devices.clocksync import ClockSync, wall_now
from kiosk.devices.connectors import DRM_DIR, Connectors
from kiosk.devices.display import Display
from kiosk.devices.edid import screen_size
from kiosk.devices.evdev import INPUT_DIR, InputWatcher
from kiosk.devices.gpio import Parts
from kiosk.devices.screenpower import (
    BACKLIGHT_DIR,
    Backlight,
    Black,
    Cec,
    Console,
    ScreenPower,
)
from kiosk.devices.speechcache import build_prerender
from kiosk.devices.systemd import SystemdNotifier
from kiosk.devices.usagedb import open_recorder
from kiosk.ui.renderer import build_renderer
from kiosk.ui.tour import every_screen

log = logging.getLogger(__name__)


def build_app(
    config: Config,
    size: tuple[int, int] | None = None,
    fullscreen: bool = True,
    clock: Callable[[], float] = time.monotonic,
    inbox: Inbox | None = None,
    notifier: SystemdNotifier | None = None,
    input_folder: Path | None = INPUT_DIR,
    pump_sdl: bool | None = None,
    drm_folder: Path | None = None,
    background_images: bool = True,
    wall_clock: Callable[[], dt.datetime] | None = None,
    clock_sync: ClockSync | None = None,
    backlight_folder: Path = BACKLIGHT_DIR,
    cec_command: str = "cec-ctl",
    state_dir: Path | None = None,
    staff_file: Path | None = None,
    pitch_for: Callable[[tuple[int, int]], Pitch] | None = None,
) -> App:
    """The kiosk for ``config``: the display opened, the parts wired, ready to ``run()``.

    Keys, clicks and taps come through SDL in a desktop window, and from the evdev devices in
    ``input_folder`` otherwise (None: no such input); ``pump_sdl`` overrides the choice. On
    the console (KMSDRM) the screen's cable is watched through ``/sys/class/drm``;
    ``drm_folder`` watches a folder of that shape under any driver (tests). Drawings are
    decoded in a child process in the background unless ``background_images`` is False.
    ``size`` is the screen's (the mode's); the screens are laid out for it turned by the
    staff file's ``hardware.rotation``.
    With a ``schedule:`` the opening hours follow ``wall_clock`` (aware; the system's by
    default), once ``clock_sync`` says the clock is set, and switch the screen by the
    backlight in ``backlight_folder``, ``cec_command`` or drawing black. Usage counts go to
    ``state_dir/usage.sqlite3`` (:mod:`kiosk.devices.usagedb`); with None, or a folder that
    cannot be written, none are kept. With ``usage.metrics_file`` their totals are also
    written there as Prometheus counters, by the same writer thread.
    With ``speech.enabled`` each screen's words are spoken through SDL audio, rendered ahead
    into ``state_dir/speech`` (a temporary folder with None; :mod:`kiosk.app.speaking`).
    ``staff_file`` is the file ``config`` was read from, read again on SIGHUP (None: the
    built-in configuration, nothing to read again).
    ``pitch_for(size)`` says how large the screen's pixels are (:func:`screen_pitch` by
    default: the staff setting, the EDID in ``drm_folder``, the usual size).
    Raises :class:`kiosk.devices.display.DisplayError` when there is no screen.
    """
    inbox = inbox or Inbox()
    display = Display(size, fullscreen, pumps=pump_sdl, rotation=config.hardware.rotation)
    inputs = None
    if not display.pumps and input_folder is not None:
        inputs = InputWatcher(inbox, clock, input_folder, config.hardware.rotation)
        inputs.start()
    parts = Parts(config.hardware, inbox, clock)
    staff = StaffReload(staff_file, config, inbox)

    def notices() -> tuple[str, ...]:
        """The staff notes for the corner of the screen, as things are now (in the texts of
        the content that runs)."""
        running = staff.running
        found = []
        if running.fallback:
            found.append(running.content.text("staff_default_content"))
        if staff.failed:
            found.append(running.content.text("staff_reload_failed"))
        if parts.notice:
            found.append(running.content.text("staff_no_button"))
        return tuple(found)

    chores: list = [PartsRetry()]
    if drm_folder is not None or display.driver.lower() == "kmsdrm":
        chores.append(ScreenWatch(Connectors(drm_folder or DRM_DIR)))
    hours = screen_power = None
    if config.schedule is not None:
        hours = OpeningHours(
            config.schedule,
            wall_clock or wall_now,
            None if config.schedule.trust_clock else (clock_sync or ClockSync()),
        )
        chores.append(hours)
        screen_power = ScreenPower(
            [Backlight(backlight_folder), Cec(cec_command), Console(display), Black(display)]
        )
    on_ready = (lambda: inbox.put(Repaint())) if background_images else None
    renderer = build_renderer(
        config,
        display.size,
        notices(),
        on_ready=on_ready,
        on_prepared=lambda: inbox.put(Prepared()),
        beeps=parts.beeps,
        pitch_for=pitch_for or partial(screen_pitch, config, drm_folder or DRM_DIR),
    )
    # Every screen a patient meets is prepared by the main loop after the first frame.
    renderer.prepare(stop.view for stop in every_screen(config))
    recorder = open_recorder(
        state_dir,
        [point.id for point in config.content.points],
        config.content.steps(),
        clock=clock,
        metrics_file=Path(config.usage.metrics_file) if config.usage.metrics_file else None,
        languages=list(config.contents),
    )
    speaker = Speaker(
        config,
        build_prerender(config.speech, state_dir, lambda: inbox.put(Prepared())),
        Mixer(),
        beeps=lambda: parts.beeps,
    )
    chores.append(speaker)
    return App(
        config.new_session,
        renderer,
        display,
        parts,
        inbox,
        notifier or SystemdNotifier.from_env(),
        inputs=inputs,
        chores=tuple(chores),
        notices=notices,
        clock=clock,
        hours=hours,
        screen_power=screen_power,
        recorder=recorder,
        staff=staff,
        speech=speaker,
    )


def screen_pitch(config: Config, drm_folder: Path, size: tuple[int, int]) -> Pitch:
    """How large the pixels of the screen drawn at ``size`` (turned by the rotation) are:
    ``hardware.screen_diagonal_inches``, else the EDID of the connected screen, else the usual
    size for the resolution (:func:`kiosk.core.screensize.pitch_mm`). Logged, so staff can
    see where the text size comes from."""
    rotation = config.hardware.rotation
    native = (size[1], size[0]) if rotation % 180 == 90 else size
    physical = None
    if config.hardware.screen_diagonal_inches is None:
        physical = screen_size(drm_folder, mode=native)
    pitch = pitch_mm(size, config.hardware.screen_diagonal_inches, physical, rotation)
    log.info(
        "Text size: capitals at least %g mm = %.0f px on this screen (%.3f mm per pixel, from %s)",
        CAP_MM,
        pitch.cap_px,
        pitch.mm,
        pitch.source,
    )
    return pitch
