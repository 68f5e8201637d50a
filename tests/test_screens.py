"""Every screen at every size: inside the screen, nothing overlapping, text at a readable
size and in enough contrast — computed from the elements the renderer paints."""

from __future__ import annotations

import itertools
import math

import pygame
import pytest

from kiosk.commands.screenshots import save_screenshots
from kiosk.content.config import load_config
from kiosk.ui import theme
from kiosk.ui.elements import Box, Picture, Ring, Text
from kiosk.ui.renderer import build_renderer
from kiosk.ui.tour import every_screen, tour

SIZES = [(800, 480), (1280, 720), (1920, 1080), (1080, 1920), (3840, 2160)]
CONFIG = load_config()
#: Every screen in every built-in language (English, then Spanish).
STOPS = every_screen(CONFIG)


def screens_at(size: tuple[int, int]):  # type: ignore[no-untyped-def]
    """Every screen's elements, without the band that lies over a screen while the button is
    held (it covers what is under it on purpose: checked on its own below)."""
    renderer = build_renderer(CONFIG, size, notices=("Using the built-in content. See the log.",))
    for stop in STOPS:
        layout, elements = renderer.elements(stop.view, stop.now)
        note = renderer.screens.stop_note.elements(stop.view, stop.now)
        yield stop, layout, elements[: len(elements) - len(note)]


def contains(outer: tuple, inner: tuple) -> bool:
    return pygame.Rect(outer).contains(pygame.Rect(inner))


def test_tour_covers_every_screen() -> None:
    names = [stop.name for stop in STOPS]
    kinds = {name.split("-")[1] for name in names}
    assert kinds == {"idle", "safety", "intro", "hold", "done", "summary", "warning", "stopping"}
    idle = len(CONFIG.content.points) * len(CONFIG.contents)
    assert sum(name.startswith("01-idle") for name in names) == idle
    assert {stop.view.language for stop in STOPS} == set(range(len(CONFIG.contents)))
    assert [stop for index in range(len(CONFIG.contents)) for stop in tour(CONFIG, index)] == STOPS
    assert any(name.endswith("side2") for name in names)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screen_fits_without_overlap(size: tuple[int, int]) -> None:
    screen = pygame.Rect(0, 0, *size)
    for stop, layout, elements in screens_at(size):
        assert not layout.overflow, f"{stop.name}: text does not fit at {size}"
        for element in elements:
            assert screen.contains(pygame.Rect(element.rect)), f"{stop.name}: {element} off screen"
        for a, b in itertools.combinations(elements, 2):
            if not pygame.Rect(a.rect).colliderect(pygame.Rect(b.rect)):
                continue
            # allowed: text on its pill or card, the number inside the ring, the drawing on
            # its card
            holder, inside = (a, b) if contains(a.rect, b.rect) else (b, a)
            assert isinstance(holder, Box | Ring) and contains(holder.rect, inside.rect), (
                f"{stop.name} at {size}: {a} overlaps {b}"
            )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_text_is_never_clipped_and_never_tiny(size: tuple[int, int]) -> None:
    renderer = build_renderer(CONFIG, size)
    fonts = renderer.painter.fonts
    unit = min(size)
    floors = {role.name: math.ceil(role.smallest * unit) for role in theme.READABLE}
    for stop, _, elements in screens_at(size):
        for text in (e for e in elements if isinstance(e, Text)):
            font = fonts.font(text.size, text.bold)
            for line in text.lines:
                assert font.size(line)[0] <= text.rect[2] + 1, f"{stop.name}: '{line}' clipped"
            if text.role in floors:
                assert text.size >= floors[text.role], f"{stop.name}: {text.role} too small"
                cap = font.metrics("H")[0][3]  # the top of a capital H above the baseline
                assert cap >= unit * theme.CAP_FLOOR - 1, f"{stop.name}: capitals {cap}px"


def test_body_text_is_readable_from_two_metres_on_1080p() -> None:
    """10 mm capitals at 2 m (1/200 of the distance) on a 24-inch 1080p screen (0.277 mm/px)."""
    unit = 1080
    size = math.ceil(theme.BODY.smallest * unit)
    cap_px = pygame.font.Font(
        build_renderer(CONFIG, (1920, 1080)).painter.fonts.regular, size
    ).metrics("H")[0][3]
    assert cap_px * 0.277 >= 2000 / 200 * 0.95


def background_of(element, elements) -> theme.Color:  # type: ignore[no-untyped-def]
    """The colour behind ``element``: the innermost box holding it, else the background."""
    holders = [
        e
        for e in elements
        if isinstance(e, Box) and e.width == 0 and contains(e.rect, element.rect)
    ]
    if not holders:
        return theme.BACKGROUND
    return min(holders, key=lambda b: b.rect[2] * b.rect[3]).color


@pytest.mark.parametrize("size", [(800, 480), (1080, 1920)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_contrast_of_every_text_and_ring(size: tuple[int, int]) -> None:
    for stop, _, elements in screens_at(size):
        for element in elements:
            if isinstance(element, Text):
                ratio = theme.contrast(element.color, background_of(element, elements))
                large = element.role in ("heading", "number")
                needed = 4.5 if large else 7.0
                if element.role == "notice":
                    needed = 4.5
                assert ratio >= needed, f"{stop.name}: {element.lines} contrast {ratio:.1f}"
            elif isinstance(element, Ring):
                assert theme.contrast(element.color, theme.BACKGROUND) >= 4.5
                assert theme.contrast(element.color, element.track) >= 3.0


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_band_saying_holding_on_stops_is_readable_and_on_top(size: tuple[int, int]) -> None:
    """While the button is held: a band across the foot of the screen, drawn last (over the
    screen), its words inside it, unclipped, at the body floor or above and in high
    contrast on it, and a bar that shows how far the button is to stopping."""
    renderer = build_renderer(CONFIG, size)
    stop = next(s for s in STOPS if s.name == "08-stopping")
    _, elements = renderer.elements(stop.view, stop.now)
    note = renderer.screens.stop_note.elements(stop.view, stop.now)
    assert note and elements[-len(note) :] == note
    band, *rest = note
    assert isinstance(band, Box) and band.color == theme.WARNING
    assert band.rect[1] + band.rect[3] == size[1] and band.rect[2] == size[0]
    assert band.rect[3] <= size[1] * 0.34
    fonts, unit = renderer.painter.fonts, min(size)
    texts = [e for e in rest if isinstance(e, Text)]
    words = " ".join(" ".join(t.lines) for t in texts)
    assert CONFIG.content.text("cancel_warning") in words
    assert CONFIG.content.text("cancel_let_go") in words
    for text in texts:
        assert contains(band.rect, text.rect)
        assert theme.contrast(text.color, band.color) >= 7.0
        assert text.size >= math.ceil(theme.BODY_FLOOR * unit)
        for line in text.lines:
            assert fonts.font(text.size, text.bold).size(line)[0] <= text.rect[2] + 1
    track, bar = [e for e in rest if isinstance(e, Box)]
    assert contains(band.rect, track.rect)
    held = (stop.now - stop.view.cancel_from) / (stop.view.cancel_at - stop.view.cancel_from)
    assert bar.rect[2] == pytest.approx(track.rect[2] * held, abs=track.rect[2] / 20 + 1)


def test_theme_contrast_ratios() -> None:
    bg = theme.BACKGROUND
    assert theme.contrast(theme.TEXT, bg) >= 7
    assert theme.contrast(theme.MUTED, bg) >= 7
    assert theme.contrast(theme.ON_ACCENT, theme.ACCENT) >= 7
    for large in (theme.ACCENT, theme.WARNING, theme.SUCCESS):
        assert theme.contrast(large, bg) >= 4.5
    assert theme.contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21)


def test_states_differ_in_words_not_only_colour() -> None:
    """Hold running, hold done and the warning each say so in words."""
    texts = {}
    renderer = build_renderer(CONFIG, (800, 480))
    for stop in tour(CONFIG):  # in English
        _, elements = renderer.elements(stop.view, stop.now)
        texts[stop.name] = " ".join(" ".join(e.lines) for e in elements if isinstance(e, Text))
    content = CONFIG.content
    assert content.text("seconds_left") in texts["04-hold-3-LI4"]
    assert content.text("hold_done") in " ".join(texts["05-done-3-LI4"].split())
    assert content.text("warning_title") in texts["07-warning"]
    assert content.text("other_side") in texts["05-done-1-UB60-side1"]


def test_screenshots_are_written(tmp_path) -> None:  # type: ignore[no-untyped-def]
    files = save_screenshots(CONFIG, (800, 480), tmp_path)
    assert len(files) == len(tour(CONFIG))
    image = pygame.image.load(str(files[0]))
    assert image.get_size() == (800, 480)


def test_marker_is_drawn_on_each_drawing() -> None:
    for stop, _, elements in screens_at((800, 480)):
        if stop.name.startswith(("01-idle", "03-intro")):
            pictures = [e for e in elements if isinstance(e, Picture)]
            assert len(pictures) == 1 and pictures[0].marker is not None, stop.name


def test_text_too_long_for_any_screen_is_reported_and_still_shown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``check`` names the screen (a warning); the kiosk drops the drawing, then squeezes the
    text below the floor rather than cutting it off or overlapping it."""
    from kiosk.commands.check import check_config

    long_line = " ".join(["Press the point gently and keep breathing slowly."] * 9)
    staff = tmp_path / "config.yaml"
    staff.write_text(f'points:\n  - id: UB60\n    caution: "{long_line}"\n  - id: UB40\n')
    report = check_config(staff)
    intro = [line for line in report.lines if "03-intro-1-UB60 at 800x480" in line]
    assert any("does not fit" in line for line in intro)
    assert any("drawing is left out" in line for line in intro)
    assert not report.errors and report.warnings  # the kiosk still works: a warning
    config = load_config(staff)
    stop = next(s for s in tour(config) if s.name == "03-intro-1-UB60")
    renderer = build_renderer(config, (800, 480))
    layout, elements = renderer.elements(stop.view, stop.now)
    assert layout.overflow
    screen = pygame.Rect(0, 0, 800, 480)
    texts = [e for e in elements if isinstance(e, Text)]
    shown = " ".join(" ".join(t.lines) for t in texts)
    assert " ".join(long_line.split()) in " ".join(shown.split())
    for a, b in itertools.combinations(texts, 2):
        assert not pygame.Rect(a.rect).colliderect(pygame.Rect(b.rect))
    assert all(screen.contains(pygame.Rect(t.rect)) for t in texts)
