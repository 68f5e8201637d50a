"""A screen mounted on its side or upside down: the kiosk turns the picture itself.

Under KMSDRM no compositor rotates anything, so ``hardware.rotation`` makes the display draw
on an offscreen frame of the turned size and turn it onto the screen. Here a 1920x1080 mode
(a dummy-driver window of that size) with rotation 90 or 270 is a 1080x1920 portrait kiosk.

Where things land is worked out in these tests from corners and pixels, independently of
:func:`kiosk.devices.display.screen_rect`, which the display uses.
"""

from __future__ import annotations

import dataclasses
import logging

import pygame
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.content.config import load_config
from kiosk.core.session import Phase
from kiosk.devices.display import Display, screen_rect
from kiosk.ui.elements import Ring, Text

MODE = (1920, 1080)
RED = (255, 0, 0)
#: The frame's size for each rotation of a 1920x1080 mode.
FRAMES = {90: (1080, 1920), 180: (1920, 1080), 270: (1080, 1920)}


def turned_point(point: tuple[int, int], frame: tuple[int, int], rotation: int) -> tuple[int, int]:
    """The screen pixel that shows the frame's pixel ``point``: turning clockwise by 90
    puts the frame's top-left pixel at the screen's top-right, its left column on the top
    row."""
    x, y = point
    width, height = frame
    for _ in range(rotation // 90):
        x, y = height - 1 - y, x
        width, height = height, width
    return x, y


def turned(rect: pygame.Rect, frame: tuple[int, int], rotation: int) -> pygame.Rect:
    """The screen rectangle that shows the frame's ``rect``: its corner pixels, turned."""
    corners = [
        turned_point(p, frame, rotation) for p in (rect.topleft, (rect.right - 1, rect.bottom - 1))
    ]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return pygame.Rect(min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


def red_area(surface: pygame.Surface) -> tuple[int, list[pygame.Rect]]:
    """How many pixels of ``surface`` are red, and the boxes around them."""
    mask = pygame.mask.from_threshold(surface, RED, (1, 1, 1, 255))
    return mask.count(), mask.get_bounding_rects()


def upright(screen: pygame.Surface, place: pygame.Rect, rotation: int) -> bytes:
    """The screen's ``place`` turned back upright, as bytes to compare with the frame's."""
    return pygame.image.tobytes(pygame.transform.rotate(screen.subsurface(place), rotation), "RGB")


def pixels(surface: pygame.Surface, rect: pygame.Rect) -> bytes:
    return pygame.image.tobytes(surface.subsurface(rect), "RGB")


def rotated(rotation: int, hold: float | None = None):  # type: ignore[no-untyped-def]
    """The built-in config with ``hardware.rotation``; with ``hold``, a short routine whose
    first point is held that long."""
    config = load_config()
    config = dataclasses.replace(
        config, hardware=dataclasses.replace(config.hardware, rotation=rotation)
    )
    if hold is not None:
        content = config.content
        points = tuple(
            dataclasses.replace(p, hold_seconds=hold, sides=1) for p in content.points[:2]
        )
        config = dataclasses.replace(config, content=dataclasses.replace(content, points=points))
    return config


@pytest.fixture
def display():  # type: ignore[no-untyped-def]
    opened: list[Display] = []

    def open_display(rotation: int) -> Display:
        opened.append(Display(MODE, fullscreen=False, rotation=rotation))
        return opened[-1]

    yield open_display
    for each in opened:
        each.close()


# -- the display --------------------------------------------------------------------------------


def test_rotation_0_draws_straight_on_the_screen_with_no_copy(display, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    screen = display(0)
    assert screen.surface is screen.screen is pygame.display.get_surface()
    assert screen.size == MODE

    def no_turning(*_args: object) -> None:
        raise AssertionError("rotation 0 turned a picture")

    monkeypatch.setattr(pygame.transform, "rotate", no_turning)
    screen.show(None)
    screen.show([pygame.Rect(10, 10, 50, 50)])


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_turned_display_is_drawn_at_the_turned_size(display, rotation: int) -> None:  # type: ignore[no-untyped-def]
    screen = display(rotation)
    assert screen.size == FRAMES[rotation]
    assert screen.screen.get_size() == MODE
    assert screen.surface is not screen.screen
    assert screen.surface.get_bitsize() == screen.screen.get_bitsize()  # blits are plain copies


# By hand: the frame's top-left 100x50 block, turned clockwise.
CORNER = {
    90: pygame.Rect(1920 - 50, 0, 50, 100),  # the screen's top right, standing up
    180: pygame.Rect(1920 - 100, 1080 - 50, 100, 50),  # the bottom right
    270: pygame.Rect(0, 1080 - 100, 50, 100),  # the bottom left, standing up
}


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_marker_in_the_frame_lands_where_the_turned_frame_puts_it(display, rotation: int) -> None:  # type: ignore[no-untyped-def]
    screen = display(rotation)
    screen.surface.fill((0, 0, 0))
    screen.surface.fill(RED, (0, 0, 100, 50))
    screen.show(None)
    assert red_area(pygame.display.get_surface()) == (5000, [CORNER[rotation]])


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_partial_update_lands_at_the_turned_rectangle_and_nowhere_else(  # type: ignore[no-untyped-def]
    display, monkeypatch, rotation: int
) -> None:
    screen = display(rotation)
    screen.surface.fill((0, 0, 0))
    screen.show(None)
    real = pygame.display.get_surface()
    real.fill(RED, (0, 0, 1920, 1080))  # what a partial update must not repaint
    updated: list[list[pygame.Rect]] = []
    monkeypatch.setattr(pygame.display, "update", lambda rects: updated.append(list(rects)))
    dirty = pygame.Rect(300, 200, 120, 40)
    screen.surface.fill((0, 0, 255), dirty)
    screen.show([dirty])
    place = turned(dirty, screen.size, rotation)
    assert updated == [[place]]
    assert upright(real, place, rotation) == pixels(screen.surface, dirty)
    assert red_area(real)[0] == 1920 * 1080 - dirty.w * dirty.h  # the rest untouched


def test_a_partial_update_past_the_frame_edge_is_clipped(display, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    screen = display(90)
    updated: list[list[pygame.Rect]] = []
    monkeypatch.setattr(pygame.display, "update", lambda rects: updated.append(list(rects)))
    screen.show([pygame.Rect(1000, -10, 200, 30)])  # off the right and top edges
    assert updated == [[turned(pygame.Rect(1000, 0, 80, 20), (1080, 1920), 90)]]


@settings(max_examples=60, deadline=None)
@given(
    rotation=st.sampled_from([0, 90, 180, 270]),
    x=st.integers(0, 59),
    y=st.integers(0, 35),
    data=st.data(),
)
def test_screen_rect_is_where_pygame_turns_a_rectangle(rotation: int, x: int, y: int, data) -> None:  # type: ignore[no-untyped-def]
    """Against pygame's own rotation of a whole (small) frame."""
    frame = pygame.Surface((60, 36))
    rect = pygame.Rect(x, y, data.draw(st.integers(1, 60 - x)), data.draw(st.integers(1, 36 - y)))
    frame.fill((0, 0, 0))
    frame.fill(RED, rect)
    turned_frame = pygame.transform.rotate(frame, -rotation)
    assert red_area(turned_frame)[1] == [screen_rect(rect, (60, 36), rotation)]
    assert turned(rect, (60, 36), rotation) == screen_rect(rect, (60, 36), rotation)


def test_a_rotation_the_display_cannot_do_is_refused() -> None:
    for wrong in (45, -90, True):
        with pytest.raises(ValueError, match="rotation must be one of"):
            Display(MODE, fullscreen=False, rotation=wrong)  # type: ignore[arg-type]


# -- the kiosk ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_the_kiosk_lays_out_for_the_turned_size_and_its_title_lands_turned(  # type: ignore[no-untyped-def]
    make_kiosk, rotation: int
) -> None:
    kiosk = make_kiosk(rotated(rotation), size=MODE)
    app = kiosk.app
    kiosk.run_until(kiosk.clock.now + 0.5)  # the first frame is up
    frame = FRAMES[rotation]
    assert app.display.size == app.renderer.size == frame
    _, elements = app.renderer.elements(app.session.view, kiosk.clock.now)
    title = max((e for e in elements if isinstance(e, Text)), key=lambda e: e.size)
    area = pygame.Rect(title.rect)
    assert len(set(pixels(app.display.surface, area))) > 2  # text, not a blank box
    real = pygame.display.get_surface()
    place = turned(area, frame, rotation)
    assert upright(real, place, rotation) == pixels(app.display.surface, area)
    # and the whole screen is the frame turned
    whole = pygame.Rect((0, 0), frame)
    assert upright(real, real.get_rect(), rotation) == pixels(app.display.surface, whole)


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_countdown_second_repaints_only_the_turned_ring(  # type: ignore[no-untyped-def]
    make_kiosk, monkeypatch, rotation: int
) -> None:
    kiosk = make_kiosk(rotated(rotation, hold=30.0), size=MODE)
    app = kiosk.app
    t0 = kiosk.clock.now
    for offset in (1, 2, 3):  # safety, intro, the hold starts
        kiosk.press_at(t0 + offset)
    kiosk.run_until(t0 + 3.5)
    assert app.session.phase is Phase.HOLD
    real = pygame.display.get_surface()
    real.fill(RED, (0, 0, 4, 4))  # a corner of the screen far from the ring
    before = pygame.image.tobytes(app.display.surface, "RGB")
    shown: list[list | None] = []
    updated: list[list[pygame.Rect]] = []
    turned_sizes: list[tuple[int, int]] = []
    show, update, rotate = app.display.show, pygame.display.update, pygame.transform.rotate
    monkeypatch.setattr(app.display, "show", lambda rects: (shown.append(rects), show(rects)))
    monkeypatch.setattr(
        pygame.display, "update", lambda rects: (updated.append(list(rects)), update(rects))
    )
    monkeypatch.setattr(
        pygame.transform,
        "rotate",
        lambda surface, angle: (turned_sizes.append(surface.get_size()), rotate(surface, angle))[1],
    )
    kiosk.run_until(t0 + 4.5)  # one second of the countdown
    assert pygame.image.tobytes(app.display.surface, "RGB") != before  # the number changed
    assert len(shown) == 1 and shown[0] is not None, shown  # a partial update, once
    (dirty,) = shown[0]
    _, elements = app.renderer.elements(app.session.view, kiosk.clock.now)
    ring = next(e for e in elements if isinstance(e, Ring))
    assert pygame.Rect(dirty).contains(ring.rect)
    place = turned(pygame.Rect(dirty), app.display.size, rotation)
    assert updated == [[place]]
    assert turned_sizes == [pygame.Rect(dirty).size]  # only the dirty area was turned
    assert upright(real, place, rotation) == pixels(app.display.surface, pygame.Rect(dirty))
    assert red_area(real)[0] == 16  # the rest of the screen was left alone


def test_a_screen_plugged_back_in_at_another_mode_keeps_its_rotation(
    make_kiosk, hdmi, caplog
) -> None:  # type: ignore[no-untyped-def]
    from kiosk.app.chores import SCREEN_CHECK

    caplog.set_level(logging.INFO, logger="kiosk.app.loop")

    kiosk = make_kiosk(rotated(90), size=MODE, drm_folder=hdmi.parent.parent)
    app = kiosk.app
    t0 = kiosk.clock.now

    def replug() -> None:
        app.display.requested = (1280, 720)  # the screen comes back with another mode
        hdmi.write_text("connected\n")

    kiosk.inbox.at(t0 + 5, lambda: hdmi.write_text("disconnected\n"))
    kiosk.inbox.at(t0 + 15, replug)
    kiosk.run_until(t0 + 15 + SCREEN_CHECK + 0.1)
    assert app.screen_on
    assert app.display.rotation == 90
    assert pygame.display.get_surface().get_size() == (1280, 720)
    assert app.display.size == app.renderer.size == (720, 1280)
    real = pygame.display.get_surface()
    frame = pygame.Rect(0, 0, 720, 1280)
    assert upright(real, real.get_rect(), 90) == pixels(app.display.surface, frame)
    turn = "the picture turned 90 degrees clockwise"
    assert f"first frame shown (1920x1080, {turn}: 1080x1920)" in caplog.text
    assert f"The screen is back (HDMI-A-1, 1280x720, {turn}: 720x1280)" in caplog.text
