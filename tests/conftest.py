"""Shared fixtures: mock GPIO pins, SDL's dummy display, a fake clock and a kiosk built on them.

The environment is set here, before pygame or gpiozero is imported by any test.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pytest
from fakes import KEY_SPACE, FakeClock, FakeInbox, FakeInputs
from gpiozero import Device
from gpiozero.pins.mock import MockFactory, MockPWMPin

from kiosk.app.loop import App
from kiosk.content.config import Config, load_config
from kiosk.core.screensize import pitch_mm
from kiosk.devices.systemd import SystemdNotifier

# Usage counts of a kiosk run by a test (in this process or a child) go to a folder of the
# test run's own, never to the home folder or a service's state folder.
os.environ.pop("STATE_DIRECTORY", None)
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="kiosk-tests-state-")
atexit.register(shutil.rmtree, os.environ["XDG_STATE_HOME"], ignore_errors=True)


@pytest.fixture(autouse=True)
def generous_layout_budget(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each screen's layout has a wall-clock budget (``LAYOUT_SECONDS``): on a loaded machine
    a built-in screen could run out of it and be set at the smallest size, and a test about
    something else would see that. Tests get 20 times the budget, except those marked
    ``layout_budget``, which are about the budget itself."""
    if request.node.get_closest_marker("layout_budget") is None:
        import kiosk.ui.screens

        monkeypatch.setattr(kiosk.ui.screens, "LAYOUT_SECONDS", 5.0)


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Weeks and days are in local time: make that UTC for a test."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def kiosk_env() -> Callable[..., dict[str, str]]:
    """The environment for a kiosk subprocess: dummy display, mock PWM pins, plus ``extra``."""

    def make(**extra: str) -> dict[str, str]:
        env = dict(
            os.environ,
            SDL_VIDEODRIVER="dummy",
            GPIOZERO_PIN_FACTORY="mock",
            GPIOZERO_MOCK_PIN_CLASS="mockpwmpin",
            PYGAME_HIDE_SUPPORT_PROMPT="1",
        )
        return env | extra

    return make


@pytest.fixture
def mock_factory() -> Iterator[MockFactory]:
    """A fresh MockFactory with PWM-capable pins (as gpiozero's own tests do)."""
    saved = Device.pin_factory
    Device.pin_factory = MockFactory(pin_class=MockPWMPin)
    try:
        yield Device.pin_factory
    finally:
        if Device.pin_factory is not None:
            Device.pin_factory.reset()
        Device.pin_factory = saved


@pytest.fixture
def hdmi(tmp_path: Path) -> Path:
    """A /sys/class/drm stand-in with one HDMI connector, a screen plugged in."""
    status = tmp_path / "drm" / "card1-HDMI-A-1" / "status"
    status.parent.mkdir(parents=True)
    status.write_text("connected\n")
    (tmp_path / "drm" / "card1-Writeback-1").mkdir()  # no status file: not a screen
    return status


@dataclass
class Kiosk:
    """A kiosk under test: the app, its clock and inbox, and the mock pins."""

    app: App
    clock: FakeClock
    inbox: FakeInbox
    factory: MockFactory
    config: Config
    inputs: FakeInputs

    def pin(self, number: int):  # type: ignore[no-untyped-def]
        return self.factory.pin(number)

    @property
    def button(self):  # type: ignore[no-untyped-def]
        return self.pin(self.config.hardware.button_pin)

    @property
    def buzzer(self):  # type: ignore[no-untyped-def]
        return self.pin(self.config.hardware.buzzer_pin)

    def press_at(self, when: float, duration: float = 0.15) -> None:
        """Schedule a button press at ``when`` (clock time) lasting ``duration`` seconds."""
        self.inbox.at(when, self.button.drive_low)
        self.inbox.at(when + duration, self.button.drive_high)

    def key_at(
        self, when: float, code: int = KEY_SPACE, duration: float = 0.15, late: float = 0.0
    ) -> None:
        """Schedule a key (or touch) on the evdev keyboard: down at ``when``, up
        ``duration`` later; ``late`` delays reading it by that many seconds (clock time)."""
        for at, value in ((when, 1), (when + duration, 0)):
            self.inbox.at(at + late, self._sender(code, value, late))

    def _sender(self, code: int, value: int, age: float) -> Callable[[], None]:
        def send() -> None:
            self.inputs.send(code, value, age)
            self.inbox.wait_for_delivery()

        return send

    def run_until(self, when: float) -> None:
        self.app.run(until=lambda app: self.clock.now >= when)


@pytest.fixture
def make_kiosk(mock_factory: MockFactory, tmp_path: Path) -> Iterator[Callable[..., Kiosk]]:
    """Builds a kiosk on mock pins, the dummy display (800x480 window), a fake clock and a
    fake ``/dev/input`` with one keyboard. ``pump_sdl`` makes it read SDL's input instead,
    as in a desktop window (tests post pygame events then). With ``state_dir`` it records
    usage counts there (none without); ``staff_file`` is read again on a Hangup (SIGHUP).
    Other keywords go to :func:`kiosk.app.wiring.build_app` (a wall clock, fake
    screen-power devices)."""
    from kiosk.app.wiring import build_app

    made: list[Kiosk] = []

    def make(
        config: Config | None = None,
        size: tuple[int, int] = (800, 480),
        notifier: object = None,
        pump_sdl: bool = False,
        fullscreen: bool = False,
        drm_folder: Path | None = None,
        background_images: bool = False,
        state_dir: Path | None = None,
        staff_file: Path | None = None,
        **wiring: object,
    ) -> Kiosk:
        config = config or load_config()
        clock = FakeClock()
        inbox = FakeInbox(clock)
        # a 15-inch 800x480 screen: every screen on one page, one press each (paging on the
        # 7-inch screen is tested in test_paging.py), whatever /sys/class/drm says here
        wiring.setdefault("pitch_for", lambda size: pitch_mm(size, 15.0))
        inputs = FakeInputs(tmp_path / f"input{len(made)}")
        inputs.add("event0")
        app = build_app(
            config,
            size=size,
            fullscreen=fullscreen,
            clock=clock,
            inbox=inbox,
            notifier=notifier or SystemdNotifier(None),
            input_folder=inputs.folder,
            pump_sdl=pump_sdl,
            drm_folder=drm_folder,
            background_images=background_images,
            state_dir=state_dir,
            staff_file=staff_file,
            **wiring,  # type: ignore[arg-type]
        )
        inbox.busy = lambda: app.renderer.laying_out or app.reloading
        kiosk = Kiosk(app, clock, inbox, mock_factory, config, inputs)
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.app.recorder.close()
        if kiosk.app.inputs is not None:
            kiosk.app.inputs.close()
        kiosk.app.parts.close()
        kiosk.app.display.close()
        kiosk.inputs.close()
