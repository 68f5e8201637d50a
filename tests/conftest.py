"""Shared fixtures: mock GPIO pins, SDL's dummy display, a fake clock and a kiosk built on them.

The environment is set here, before pygame or gpiozero is imported by any test.
"""

from __future__ import annotations

import heapq
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory, MockPWMPin

from kiosk.app.loop import App
from kiosk.content.config import Config, load_config
from kiosk.core.events import Event, Inbox
from kiosk.devices.systemd import SystemdNotifier


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


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeInbox(Inbox):
    """An inbox whose waiting moves the fake clock instead of sleeping.

    Scheduled actions run when the clock reaches their time: an action may drive a mock pin
    (whose gpiozero callback puts a Press in the real queue) or return an event to deliver.
    """

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self._plan: list[tuple[float, int, Callable[[], Event | None]]] = []
        self._order = itertools.count()
        self.waits: list[float] = []

    def at(self, when: float, action: Callable[[], Event | None]) -> None:
        heapq.heappush(self._plan, (when, next(self._order), action))

    def get(self, timeout: float) -> Event | None:
        event = super().get(0)
        if event is not None:
            return event
        self.waits.append(timeout)
        target = self.clock.now + max(0.0, timeout)
        if self._plan and self._plan[0][0] <= target:
            when, _, action = heapq.heappop(self._plan)
            self.clock.now = max(self.clock.now, when)
            produced = action()
            if produced is not None:
                self.put(produced)
            return super().get(0)
        self.clock.now = target
        return None

    @property
    def pending(self) -> int:
        return len(self._plan)


@dataclass
class Kiosk:
    """A kiosk under test: the app, its clock and inbox, and the mock pins."""

    app: App
    clock: FakeClock
    inbox: FakeInbox
    factory: MockFactory
    config: Config

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

    def run_until(self, when: float) -> None:
        self.app.run(until=lambda app: self.clock.now >= when)


@pytest.fixture
def make_kiosk(mock_factory: MockFactory) -> Iterator[Callable[..., Kiosk]]:
    """Builds a kiosk on mock pins, the dummy display (800x480 window) and a fake clock."""
    from kiosk.app.wiring import build_app

    made: list[Kiosk] = []

    def make(
        config: Config | None = None, size: tuple[int, int] = (800, 480), notifier: object = None
    ) -> Kiosk:
        config = config or load_config()
        clock = FakeClock()
        inbox = FakeInbox(clock)
        app = build_app(
            config,
            size=size,
            fullscreen=False,
            clock=clock,
            inbox=inbox,
            notifier=notifier or SystemdNotifier(None),
        )
        kiosk = Kiosk(app, clock, inbox, mock_factory, config)
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.app.parts.close()
        kiosk.app.display.close()
