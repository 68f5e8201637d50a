"""The opening hours in the running kiosk: closed at the boundary (session to idle, LED and
screen off, nothing drawn, no wake-ups but the next boundary), a press that wakes it for
``wake_minutes``, open again with the idle screen first; the clock guard. A fake clock and a
fake wall clock that moves with it; a fake backlight in a fake sysfs tree."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.app.chores import CLOCK_CHECK, MAX_SLEEP
from kiosk.content.config import load_config
from kiosk.core.session import Phase
from kiosk.devices.clocksync import ClockSync

LONDON = ZoneInfo("Europe/London")
#: The fake clock's start (tests/fakes.py FakeClock) is this moment on the wall: a Monday,
#: one minute before closing.
START = 1000.0
MONDAY_1759 = dt.datetime(2026, 12, 7, 17, 59, tzinfo=LONDON)
CLOSE = START + 60  # Monday 18:00
OPEN = CLOSE + 14 * 3600  # Tuesday 08:00


def schedule_config(tmp_path: Path, trust_clock: bool = True):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            schedule:
              open:
                mon: "08:00-18:00"
                tue: "08:00-18:00"
              trust_clock: {str(trust_clock).lower()}
              wake_minutes: 5
            """
        )
    )
    config = load_config(path)
    assert not config.problems, [str(p) for p in config.problems]
    return config.__class__(**{**config.__dict__, "schedule": config.schedule.with_zone(LONDON)})


def backlight(tmp_path: Path) -> Path:
    power = tmp_path / "sys" / "backlight" / "10-0045" / "bl_power"
    power.parent.mkdir(parents=True)
    power.write_text("0\n")
    return power


@pytest.fixture
def closing_kiosk(make_kiosk, tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(trust_clock: bool = True, sync: ClockSync | None = None):  # type: ignore[no-untyped-def]
        power = backlight(tmp_path)
        holder: list = []
        kiosk = make_kiosk(
            schedule_config(tmp_path, trust_clock),
            wall_clock=lambda: MONDAY_1759 + dt.timedelta(seconds=holder[0].now - START),
            clock_sync=sync,
            backlight_folder=power.parent.parent,
            cec_command=str(tmp_path / "no-cec-ctl"),
        )
        holder.append(kiosk.clock)
        assert kiosk.clock.now == START
        return kiosk, power

    return make


def watch(kiosk, *times: float) -> dict[float, dict]:  # type: ignore[no-untyped-def]
    """What the kiosk is like at each of ``times`` while it runs (``run_until`` ends the run
    and closes the parts, so a look afterwards would not see the LED)."""
    seen: dict[float, dict] = {}

    def look(when: float):  # type: ignore[no-untyped-def]
        def action() -> None:
            app = kiosk.app
            seen[when] = {
                "asleep": app.asleep,
                "phase": app.session.phase,
                "led": app.parts._led_mode,
                "frames": app.stats.frames,
                "wakeups": app.stats.wakeups,
                "waits": len(kiosk.inbox.waits),
            }

        return action

    for when in times:
        kiosk.inbox.at(when, look(when))
    return seen


def test_closed_at_the_boundary_and_open_again_at_the_next(closing_kiosk, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    kiosk, power = closing_kiosk()
    kiosk.press_at(START + 10)  # a session under way at closing time
    seen = watch(kiosk, START + 30, CLOSE + 1, OPEN - 1, OPEN + 1)
    lights: dict[float, str] = {}
    for when in (START + 30, CLOSE + 1, OPEN + 1):
        kiosk.inbox.at(when + 0.01, lambda when=when: lights.__setitem__(when, power.read_text()))
    kiosk.run_until(OPEN + 2)

    assert seen[START + 30]["phase"] is Phase.SAFETY
    assert lights[START + 30] == "0\n"

    closed = seen[CLOSE + 1]
    assert closed["asleep"]
    assert closed["phase"] is Phase.IDLE  # back to the start
    assert closed["led"] == "off"
    assert lights[CLOSE + 1] == "4\n"

    night = seen[OPEN - 1]
    assert night["asleep"]
    assert night["frames"] == closed["frames"]  # nothing drawn while closed
    # No wake-ups but the boundary: one look at the wall clock an hour at most.
    assert night["wakeups"] - closed["wakeups"] <= 14
    closed_waits = kiosk.inbox.waits[closed["waits"] : night["waits"]]
    assert closed_waits and max(closed_waits) >= MAX_SLEEP - 1, closed_waits

    morning = seen[OPEN + 1]
    assert not morning["asleep"]
    assert lights[OPEN + 1] == "0\n"
    assert morning["phase"] is Phase.IDLE
    assert morning["frames"] == night["frames"] + 1  # the idle screen, first thing
    assert morning["led"] == "invite"
    said = [r.getMessage() for r in caplog.records]
    assert "The screen is switched off by the touchscreen's backlight outside opening hours" in said
    assert "Closed by the opening hours, until Tue 08 Dec 08:00" in said
    assert "On by the opening hours, until Tue 08 Dec 18:00" in said
    assert "Opening hours on the clock of time zone Europe/London" in said


def test_a_press_while_closed_wakes_it_for_wake_minutes(closing_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk, power = closing_kiosk()
    night = CLOSE + 3600
    kiosk.press_at(night)
    kiosk.press_at(night + 60)  # a press now is a press
    last = night + 60 + 5 * 60  # five minutes after the last press it closes again
    seen = watch(kiosk, night - 1, night + 1, night + 61, last - 1, last + 1)
    lights: dict[float, str] = {}
    for when in (night + 1, last + 1):
        kiosk.inbox.at(when + 0.01, lambda when=when: lights.__setitem__(when, power.read_text()))
    kiosk.run_until(last + 2)

    assert seen[night - 1]["asleep"]
    woken = seen[night + 1]
    assert not woken["asleep"]
    assert lights[night + 1] == "0\n"
    assert woken["phase"] is Phase.IDLE  # the waking press only turned it on
    assert woken["led"] == "invite"
    assert woken["frames"] == seen[night - 1]["frames"] + 1
    assert seen[night + 61]["phase"] is Phase.SAFETY
    assert not seen[last - 1]["asleep"]
    again = seen[last + 1]
    assert again["asleep"]
    assert again["phase"] is Phase.IDLE
    assert again["led"] == "off"
    assert lights[last + 1] == "4\n"


def test_started_while_closed_shows_one_frame_then_goes_off(make_kiosk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    power = backlight(tmp_path)
    holder: list = []
    late = MONDAY_1759 + dt.timedelta(hours=3)
    kiosk = make_kiosk(
        schedule_config(tmp_path),
        wall_clock=lambda: late + dt.timedelta(seconds=holder[0].now - START),
        backlight_folder=power.parent.parent,
        cec_command=str(tmp_path / "no-cec-ctl"),
    )
    holder.append(kiosk.clock)
    kiosk.run_until(START + 1)
    assert kiosk.app.asleep
    assert power.read_text() == "4\n"


def test_until_the_clock_is_set_the_kiosk_stays_on_and_says_so_once(
    closing_kiosk, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    answers = {"set": False}
    asked: list[float] = []

    def probe() -> bool:
        asked.append(kiosk.clock.now)
        return answers["set"]

    kiosk, power = closing_kiosk(trust_clock=False, sync=ClockSync((probe,)))
    seen = watch(kiosk, CLOSE + 600, CLOSE + 600 + CLOCK_CHECK + 1)
    kiosk.inbox.at(CLOSE + 600 + 0.5, lambda: answers.__setitem__("set", True))
    kiosk.run_until(CLOSE + 600 + CLOCK_CHECK + 2)
    assert not seen[CLOSE + 600]["asleep"]
    said = [r.getMessage() for r in caplog.records if "not known to be set" in r.getMessage()]
    assert len(said) == 1
    early = [a for a in asked if a <= CLOSE + 600]
    assert len(early) >= 10
    assert all(b - a >= CLOCK_CHECK - 1e-6 for a, b in itertools.pairwise(early))
    assert seen[CLOSE + 600 + CLOCK_CHECK + 1]["asleep"]
    assert power.read_text() == "4\n"
    assert any("the opening hours apply" in r.getMessage() for r in caplog.records)


def test_a_press_before_the_clock_is_set_is_an_ordinary_press(closing_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk, _ = closing_kiosk(trust_clock=False, sync=ClockSync((lambda: None,)))
    kiosk.press_at(CLOSE + 100)
    seen = watch(kiosk, CLOSE + 101)
    kiosk.run_until(CLOSE + 102)
    assert seen[CLOSE + 101]["phase"] is Phase.SAFETY


def test_without_a_schedule_nothing_changes(make_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk()
    assert kiosk.app.hours is None and kiosk.app.screen_power is None
    assert not any(type(c).__name__ == "OpeningHours" for c in kiosk.app.chores)


def test_with_no_backlight_and_no_cec_the_screen_is_drawn_black(make_kiosk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    holder: list = []
    kiosk = make_kiosk(
        schedule_config(tmp_path),
        wall_clock=lambda: MONDAY_1759 + dt.timedelta(seconds=holder[0].now - START),
        backlight_folder=tmp_path / "no-backlight",
        cec_command=str(tmp_path / "no-cec-ctl"),
    )
    holder.append(kiosk.clock)
    colours: dict[str, set] = {}

    def look(name: str):  # type: ignore[no-untyped-def]
        def action() -> None:
            surface = kiosk.app.display.surface
            w, h = surface.get_size()
            points = [(x * w // 8, y * h // 8) for x in range(1, 8) for y in range(1, 8)]
            colours[name] = {tuple(surface.get_at(p))[:3] for p in points}

        return action

    kiosk.inbox.at(CLOSE - 5, look("open"))
    kiosk.inbox.at(CLOSE + 5, look("closed"))
    kiosk.run_until(CLOSE + 10)
    assert colours["open"] != {(0, 0, 0)}
    assert colours["closed"] == {(0, 0, 0)}
