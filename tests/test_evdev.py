"""The evdev input watcher: keys, clicks and taps on the console, with hot-plug.

A folder of FIFOs stands in for /dev/input (conftest.FakeInputs): the test writes kernel
``struct input_event`` records and the real watcher thread reads them with select() and
inotify, as it reads a USB button or touch screen on a Pi.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import BTN_TOUCH, KEY_SPACE, FakeInputs

from kiosk.core.events import Inbox, OtherKeys, Press, Release
from kiosk.core.session import Phase
from kiosk.devices.evdev import InputWatcher

KEY_A, KEY_ENTER, BTN_LEFT = 30, 28, 0x110


def next_events(inbox: Inbox, count: int, timeout: float = 2.0) -> list:
    found = []
    deadline = time.monotonic() + timeout
    while len(found) < count and time.monotonic() < deadline:
        event = inbox.get(0.05)
        if event is not None:
            found.append(event)
    return found


def wait_until(predicate, timeout: float = 2.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


@pytest.fixture
def inputs(tmp_path: Path) -> Iterator[FakeInputs]:
    fake = FakeInputs(tmp_path / "input")
    yield fake
    fake.close()


@pytest.fixture
def watcher(inputs: FakeInputs) -> Iterator[InputWatcher]:
    inputs.add("event0")
    watching = InputWatcher(Inbox(), lambda: 500.0, inputs.folder)
    watching.start()
    yield watching
    watching.close()


def test_a_key_down_and_up_become_a_press_and_release_at_the_kernels_time(
    watcher: InputWatcher, inputs: FakeInputs
) -> None:
    inputs.send(KEY_SPACE, 1, age=0.25)
    inputs.send(KEY_SPACE, 0, age=0.1)
    press, release = next_events(watcher.inbox, 2)
    assert press == Press(pytest.approx(499.75, abs=0.02), "keyboard")
    assert release == Release(pytest.approx(499.9, abs=0.02), "keyboard")


def test_enter_a_click_and_a_touch_count_other_keys_and_repeats_do_not(
    watcher: InputWatcher, inputs: FakeInputs
) -> None:
    inputs.send(KEY_A, 1)  # not the button
    inputs.send(KEY_SPACE, 2)  # auto-repeat of a held key
    for code in (KEY_ENTER, BTN_LEFT, BTN_TOUCH):
        inputs.send(code, 1)
        inputs.send(code, 0)
    events = next_events(watcher.inbox, 7)
    assert OtherKeys() in events  # the A key: for SDL to read (see the last test)
    presses = [e for e in events if isinstance(e, Press | Release)]
    assert [(type(e).__name__, e.source) for e in presses] == [
        ("Press", "keyboard"),
        ("Release", "keyboard"),
        ("Press", "mouse"),
        ("Release", "mouse"),
        ("Press", "touch"),
        ("Release", "touch"),
    ]
    assert watcher.inbox.get(0.1) is None


def test_a_device_plugged_in_later_is_read(watcher: InputWatcher, inputs: FakeInputs) -> None:
    path = inputs.add("event5")
    assert wait_until(lambda: path in watcher.devices)
    inputs.send(KEY_SPACE, 1, name="event5")
    assert next_events(watcher.inbox, 1)[0].source == "keyboard"


def test_an_unplugged_device_lets_go_of_its_held_button(
    watcher: InputWatcher, inputs: FakeInputs
) -> None:
    """A touch screen that resets mid-touch never sends the finger's release."""
    inputs.send(BTN_TOUCH, 1)
    assert isinstance(next_events(watcher.inbox, 1)[0], Press)
    (inputs.folder / "event0").unlink()
    released = next_events(watcher.inbox, 1)
    assert released == [Release(500.0, "touch")]
    assert wait_until(lambda: watcher.devices == [])


def test_an_unreadable_device_is_logged_once_and_read_when_it_becomes_readable(
    inputs: FakeInputs, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    """udev gives the input group access a moment after the kernel makes the node."""
    path = inputs.add("event0")
    real_open = os.open
    refused = {"yes": True}

    def guarded(name, flags, *args):  # type: ignore[no-untyped-def]
        if Path(name) == path and refused["yes"]:
            raise PermissionError(13, "Permission denied")
        return real_open(name, flags, *args)

    monkeypatch.setattr(os, "open", guarded)
    caplog.set_level(logging.INFO, logger="kiosk.devices.evdev")
    watcher = InputWatcher(Inbox(), lambda: 500.0, inputs.folder)
    watcher.start()
    try:
        assert watcher.devices == []
        os.utime(path)  # some other change: still refused, not logged again
        time.sleep(0.1)
        refused["yes"] = False
        path.chmod(0o660)  # udev setting the group: inotify IN_ATTRIB
        assert wait_until(lambda: watcher.devices == [path])
    finally:
        watcher.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "input group" in warnings[0].getMessage() and str(path) in warnings[0].getMessage()


def test_a_regular_file_named_like_a_device_is_never_read(inputs: FakeInputs) -> None:
    """select() finds a regular file always readable: reading one would spin the thread."""
    (inputs.folder / "event9").write_bytes(b"\0" * 48)
    watcher = InputWatcher(Inbox(), lambda: 500.0, inputs.folder)
    watcher.start()
    try:
        assert watcher.devices == []
    finally:
        watcher.close()


def test_the_watcher_sleeps_until_input_arrives(watcher: InputWatcher, inputs: FakeInputs) -> None:
    """Nothing polls: an idle watcher thread is not woken at all."""
    assert watcher.thread is not None
    status = Path(f"/proc/self/task/{watcher.thread.native_id}/status")

    def switches() -> int:
        lines = status.read_text().splitlines()
        return sum(int(line.split()[1]) for line in lines if "ctxt_switches" in line)

    time.sleep(0.05)
    before = switches()
    time.sleep(1.0)
    assert switches() - before <= 1
    inputs.send(KEY_SPACE, 1)
    assert next_events(watcher.inbox, 1)
    assert switches() > before


def test_other_keys_let_sdl_read_its_input_and_change_nothing(make_kiosk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """SDL switches consoles on Ctrl+Alt+F2 itself, when it reads the keys: a key that is not
    the button makes the loop let SDL read (and drop) its input, nothing more."""
    kiosk = make_kiosk(fullscreen=True)
    drains: list[float] = []
    monkeypatch.setattr(kiosk.app.display, "drain", lambda: drains.append(kiosk.clock.now))
    t0 = kiosk.clock.now

    def ctrl_alt_f2() -> None:
        for code in (29, 56, 60):
            kiosk.inputs.send(code, 1)
        kiosk.inbox.wait_for_delivery()

    kiosk.inbox.at(t0 + 1, ctrl_alt_f2)
    kiosk.run_until(t0 + 3)
    assert drains and kiosk.app.session.phase is Phase.IDLE


def ranges_of(*axes: int, high: tuple[int, int] = (4095, 2047)):  # type: ignore[no-untyped-def]
    """An ``axis_range`` for a FIFO (which has no axes to ask about): ``axes`` (x, y) range
    from 0 to ``high``."""
    return lambda fd, axis: (0, high[axes.index(axis)]) if axis in axes else None


def touch_watcher(inputs: FakeInputs, rotation: int = 0, axes: tuple = (0, 1)) -> InputWatcher:
    inputs.add("event0")
    watcher = InputWatcher(Inbox(), lambda: 500.0, inputs.folder, rotation, ranges_of(*axes))
    watcher.start()
    return watcher


def test_a_touch_carries_where_it_was_as_fractions_of_the_screen(inputs: FakeInputs) -> None:
    watcher = touch_watcher(inputs)
    try:
        inputs.send_touch(1024, 1536)  # the place comes after BTN_TOUCH in the frame
        inputs.send_touch(1024, 1536, down=False)
        press, release = next_events(watcher.inbox, 2)
    finally:
        watcher.close()
    assert press.source == "touch" and isinstance(release, Release)
    assert press.where == pytest.approx((1024 / 4095, 1536 / 2047))


def test_a_touch_on_a_turned_screen_is_placed_on_the_drawn_frame(inputs: FakeInputs) -> None:
    watcher = touch_watcher(inputs, rotation=90)
    try:
        inputs.send_touch(4095, 0)  # the screen's top right corner: the frame's top left
        (press,) = next_events(watcher.inbox, 1)
    finally:
        watcher.close()
    assert press.where == pytest.approx((0.0, 0.0))


def test_a_multi_touch_screen_places_its_first_finger(inputs: FakeInputs) -> None:
    watcher = touch_watcher(inputs, axes=(0x35, 0x36))  # ABS_MT_POSITION_X and _Y only
    try:
        inputs.send_touch(0, 2047, axes=(0x35, 0x36))
        (press,) = next_events(watcher.inbox, 1)
    finally:
        watcher.close()
    assert press.where == pytest.approx((0.0, 1.0))


def test_a_device_without_axes_sends_touches_with_no_place(
    watcher: InputWatcher, inputs: FakeInputs
) -> None:
    inputs.send_touch(100, 100)
    (press,) = next_events(watcher.inbox, 1)
    assert press == Press(pytest.approx(500.0, abs=0.05), "touch") and press.where is None
