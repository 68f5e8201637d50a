"""The point marker: contrast of its colours, what it draws, and its label kept on screen."""

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from pathlib import Path

import pygame
import pytest

from kiosk.ui import marker
from kiosk.ui.marker import draw_marker
from kiosk.ui.theme import contrast

MEDIA = Path(__file__).resolve().parent.parent / "media"
CARD = (244, 241, 236)
#: A deep skin tone: the white halo must carry the ring on it.
DARK_SKIN = (92, 58, 40)
BACKGROUNDS = [marker.SKIN, marker.SKIN_SHADE, DARK_SKIN, CARD, (255, 255, 255)]


@pytest.fixture(scope="module")
def font() -> pygame.font.Font:
    pygame.font.init()
    return pygame.font.Font(MEDIA / "fonts" / "DejaVuSans-Bold.ttf", 20)


def blank(size: tuple[int, int] = (400, 300), color=CARD) -> pygame.Surface:
    surface = pygame.Surface(size)
    surface.fill(color)
    return surface


def changed_area(surface: pygame.Surface, color) -> pygame.Rect | None:
    """Bounding box of the pixels that are no longer ``color``."""
    mask = pygame.mask.from_threshold(surface, color, (1, 1, 1, 255))
    mask.invert()
    boxes = mask.get_bounding_rects()
    return boxes[0].unionall(boxes[1:]) if boxes else None


def test_ring_stands_out_on_skin_and_card() -> None:
    for background in (marker.SKIN, marker.SKIN_SHADE, CARD):
        assert contrast(marker.INK, background) >= 4.5, background


def test_halo_carries_the_ring_on_dark_skin() -> None:
    assert contrast(marker.HALO, DARK_SKIN) >= 4.5
    assert contrast(marker.HALO, marker.INK) >= 4.5


def test_label_text_contrast() -> None:
    assert contrast(marker.PILL_TEXT, marker.PILL) >= 7


def test_skin_constant_is_the_drawings_skin() -> None:
    hex_skin = "#{:02X}{:02X}{:02X}".format(*marker.SKIN)
    for name in ("ub60", "ub40", "li4", "gb34"):
        assert hex_skin in (MEDIA / f"{name}.svg").read_text(), name


@pytest.mark.parametrize("background", BACKGROUNDS)
def test_draws_ring_dot_and_halo(font, background) -> None:
    surface = blank(color=background)
    center, radius = (150, 150), 20
    draw_marker(surface, center, radius, "UB60", font)
    assert surface.get_at(center)[:3] == marker.INK  # centre dot
    assert surface.get_at((center[0], center[1] - radius + 2))[:3] == marker.INK  # ring
    assert surface.get_at((center[0], center[1] - radius - 2))[:3] == marker.HALO  # halo


def test_returns_the_box_of_everything_drawn(font) -> None:
    surface = blank()
    drawn = draw_marker(surface, (120, 140), 18, "GB34", font)
    area = changed_area(surface, CARD)
    assert area is not None
    assert drawn.contains(area)
    assert drawn.width - area.width <= 2 and drawn.height - area.height <= 2
    assert drawn.width > 3 * 18  # the label is part of it


def test_label_defaults_to_the_right(font) -> None:
    drawn = draw_marker(blank(), (100, 150), 16, "LI4", font)
    assert drawn.left >= 100 - 16 - 4
    assert drawn.right > 100 + 16 + 10


@pytest.mark.parametrize(
    ("side", "check"),
    [
        ("left", lambda r, c: r.right <= c[0] + 24 and r.left < c[0] - 30),
        ("below", lambda r, c: r.top >= c[1] - 24 and r.bottom > c[1] + 30),
        ("above", lambda r, c: r.bottom <= c[1] + 24 and r.top < c[1] - 30),
    ],
)
def test_label_sides(font, side, check) -> None:
    center = (200, 150)
    drawn = draw_marker(blank(), center, 18, "UB40", font, label_side=side)
    assert check(drawn, center)


def test_label_flips_rather_than_leave_the_surface(font) -> None:
    surface = blank((300, 200))
    center = (280, 100)
    drawn = draw_marker(surface, center, 14, "UB60", font)  # no room on the right
    assert drawn.left < center[0] - 40
    area = changed_area(surface, CARD)
    assert area.right <= center[0] + 14 + 4  # nothing right of the ring's halo


def test_label_flips_up_at_the_bottom_edge(font) -> None:
    drawn = draw_marker(blank((300, 200)), (150, 190), 14, "UB60", font, label_side="below")
    assert drawn.top < 190 - 30


@pytest.mark.parametrize("center", [(0, 0), (299, 0), (0, 199), (299, 199), (150, 100)])
@pytest.mark.parametrize("side", ["right", "left", "below", "above"])
def test_label_always_inside_even_when_cramped(font, center, side) -> None:
    surface = pygame.Surface((300, 200), pygame.SRCALPHA)
    drawn = draw_marker(surface, center, 12, "GB34", font, label_side=side)
    assert surface.get_rect().contains(drawn)
    # the whole pill is there: a row of dark pixels as wide as the label
    pill_width = font.size("GB34")[0]
    mask = pygame.mask.from_threshold(surface, (*marker.PILL, 255), (1, 1, 1, 255))
    assert any(r.width >= pill_width for r in mask.get_bounding_rects())


def test_empty_label_draws_the_ring_only(font) -> None:
    drawn = draw_marker(blank(), (100, 100), 20, "", font)
    assert drawn.width <= 2 * 20 + 2 * 4 + 2


def test_unknown_side_is_an_error(font) -> None:
    with pytest.raises(ValueError, match="label_side"):
        draw_marker(blank(), (100, 100), 20, "UB60", font, label_side="middle")


def test_default_radius_scales_with_the_drawing() -> None:
    assert marker.default_radius((800, 600)) == 24
    assert marker.default_radius((160, 120)) == 10
