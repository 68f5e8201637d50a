"""Image loading for the display: SVG sizing, PNG/JPEG scaling, placeholders and the cache."""

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import logging
import xml.etree.ElementTree as ET
from pathlib import Path

import pygame
import pytest

from kiosk.content.builtin import media_dir
from kiosk.content.config import load_config
from kiosk.ui import imagefile, images
from kiosk.ui.images import ImageCache, check_image, fit
from kiosk.ui.marker import SKIN
from kiosk.ui.text import Fonts

MEDIA = Path(__file__).resolve().parent.parent / "media"
DRAWINGS = ["ub60", "ub40", "li4", "gb34"]
RED, BLUE = (220, 30, 30), (30, 30, 220)


@pytest.fixture
def cache() -> ImageCache:
    return ImageCache(font=MEDIA / "fonts" / "DejaVuSans-Bold.ttf")


@pytest.fixture
def halves(tmp_path):
    """Write a 200x100 image, red left half and blue right half, as ``name`` in tmp_path."""

    def write(name: str, depth: int = 32) -> Path:
        surface = pygame.Surface((200, 100), 0, depth)
        if depth == 8:
            surface.set_palette([RED, BLUE] + [(0, 0, 0)] * 254)
        surface.fill(RED)
        surface.fill(BLUE, (100, 0, 100, 100))
        path = tmp_path / name
        pygame.image.save(surface, str(path))
        return path

    return write


@pytest.fixture
def garbage(tmp_path):
    def write(name: str) -> Path:
        path = tmp_path / name
        path.write_bytes(bytes(range(256)) * 3)
        return path

    return write


def near(color, expected, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(color[:3], expected, strict=True))


# --- the bundled drawings -------------------------------------------------------------


def test_media_dir_holds_drawings_and_font() -> None:
    folder = media_dir()
    for name in DRAWINGS:
        assert (folder / f"{name}.svg").is_file()
    fonts = Fonts(folder / "fonts")
    assert fonts.regular.is_file()
    assert fonts.bold.is_file()


@pytest.mark.parametrize("name", DRAWINGS)
def test_drawings_are_plain_4_by_3_svg(name) -> None:
    path = MEDIA / f"{name}.svg"
    root = ET.parse(path).getroot()
    assert root.get("viewBox") == "0 0 1200 900"
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert not tags & {"text", "style", "clipPath", "mask", "filter", "image"}
    assert check_image(path) is None


# --- SVG sizing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "box",
    [(800, 600), (800, 480), (1920, 1080), (1080, 1920), (300, 900), (87, 122), (640, 481)],
)
def test_svg_fits_the_box_exactly(cache, box) -> None:
    image = cache.get(MEDIA / "ub60.svg", box)
    width, height = image.get_size()
    assert width <= box[0] and height <= box[1]
    # one side fills the box; the other keeps 4:3 to the pixel
    if box[0] * 3 <= box[1] * 4:
        assert width == box[0] and abs(height - box[0] * 3 / 4) <= 1
    else:
        assert height == box[1] and abs(width - box[1] * 4 / 3) <= 1


def _edge_blur(surface: pygame.Surface) -> int:
    """Widest run of half-transparent pixels on the middle row (the drawing's outline
    against its transparent background)."""
    y = surface.get_height() // 2
    widest = run = 0
    for x in range(surface.get_width()):
        alpha = surface.get_at((x, y)).a
        run = run + 1 if 8 < alpha < 247 else 0
        widest = max(widest, run)
    return widest


def test_svg_is_rasterised_sharp_at_large_sizes(cache) -> None:
    large = cache.get(MEDIA / "ub40.svg", (1600, 1200))
    small = cache.get(MEDIA / "ub40.svg", (400, 300))
    upscaled = pygame.transform.smoothscale(small, (1600, 1200))
    assert _edge_blur(large) <= 2
    assert _edge_blur(upscaled) > _edge_blur(large)  # the measure does tell blur apart


# --- PNG and JPEG ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["halves.png", "halves.jpg", "halves.jpeg", "HALVES.PNG"])
@pytest.mark.parametrize(
    ("box", "expected"),
    [((300, 300), (300, 150)), ((50, 400), (50, 25)), ((1000, 100), (200, 100))],
)
def test_raster_scaled_with_aspect_kept(cache, halves, name, box, expected) -> None:
    image = cache.get(halves(name), box)
    assert image.get_size() == expected
    w, h = expected
    assert near(image.get_at((w // 4, h // 2)), RED)
    assert near(image.get_at((3 * w // 4, h // 2)), BLUE)


def test_palette_png_is_scaled_too(cache, halves) -> None:
    image = cache.get(halves("palette.png", depth=8), (100, 100))
    assert image.get_size() == (100, 50)
    assert near(image.get_at((10, 25)), RED)


def test_raster_file_is_read_once(cache, halves, monkeypatch) -> None:
    path = halves("once.png")
    calls = []
    load = pygame.image.load
    monkeypatch.setattr(pygame.image, "load", lambda *a: calls.append(a) or load(*a))
    for box in [(100, 100), (200, 80), (60, 60), (100, 100)]:
        cache.get(path, box)
    assert len(calls) == 1


def test_mirror_flips_left_and_right(cache, halves) -> None:
    image = cache.get(halves("mirror.png"), (200, 100), mirror=True)
    assert near(image.get_at((20, 50)), BLUE)
    assert near(image.get_at((180, 50)), RED)


def test_mirrored_svg_is_the_flipped_drawing(cache) -> None:
    plain = cache.get(MEDIA / "li4.svg", (240, 180))
    mirrored = cache.get(MEDIA / "li4.svg", (240, 180), mirror=True)
    for x, y in [(10, 10), (60, 90), (120, 170), (200, 40)]:
        assert mirrored.get_at((239 - x, y)) == plain.get_at((x, y))


# --- missing and broken files ---------------------------------------------------------


def _warnings(caplog) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.name == "kiosk.ui.images" and r.levelno >= logging.WARNING
    ]


@pytest.mark.parametrize("name", ["gone.svg", "gone.png"])
def test_missing_file_gives_placeholder_and_one_warning(cache, tmp_path, caplog, name) -> None:
    path = tmp_path / name
    caplog.set_level(logging.INFO, logger="kiosk.ui.images")
    for box in [(400, 300), (400, 300), (800, 480), (100, 100)] * 3:
        image = cache.get(path, box, name="Ankle point")
        assert image.get_size() == fit((4, 3), box)
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert str(path) in warnings[0].getMessage()
    assert "not found" in warnings[0].getMessage()
    assert "Ankle point" in warnings[0].getMessage()
    assert not cache.ok(path)


@pytest.mark.parametrize("name", ["broken.png", "broken.svg", "broken.jpg"])
def test_corrupt_file_gives_placeholder_and_one_warning(cache, garbage, caplog, name) -> None:
    path = garbage(name)
    for _ in range(3):
        image = cache.get(path, (400, 300), name="Hand point")
        assert image.get_size() == (400, 300)
        cache.get(path, (200, 200), name="Hand point")
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert str(path) in warnings[0].getMessage()
    assert "damaged" in warnings[0].getMessage()
    assert not cache.ok(path)


def test_placeholder_writes_the_name(cache) -> None:
    named = cache.get(None, (400, 300), name="Outer knee point")
    unnamed = cache.get(None, (400, 300), name="")
    assert named.get_size() == unnamed.get_size() == (400, 300)
    text = pygame.mask.from_threshold(named, (*images.PLACEHOLDER_TEXT, 255), (30, 30, 30, 255))
    assert text.count() > 500  # letters
    box = text.get_bounding_rects()[0].unionall(text.get_bounding_rects())
    assert abs(box.centerx - 200) <= 12 and abs(box.centery - 150) <= 6  # centred
    empty = pygame.mask.from_threshold(unnamed, (*images.PLACEHOLDER_TEXT, 255), (30, 30, 30, 255))
    assert empty.count() == 0


def test_long_name_is_wrapped_inside_a_small_placeholder(cache) -> None:
    image = cache.get(None, (160, 120), name="A very long name for an acupressure point")
    text = pygame.mask.from_threshold(image, (*images.PLACEHOLDER_TEXT, 255), (30, 30, 30, 255))
    box = text.get_bounding_rects()[0].unionall(text.get_bounding_rects())
    assert image.get_rect().contains(box) and box.left > 0 and box.right < 160


def test_no_image_is_logged_once_as_information(cache, caplog) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.ui.images")
    for _ in range(5):
        cache.get(None, (300, 200), name="Hand point")
    records = [r for r in caplog.records if r.name == "kiosk.ui.images"]
    assert len(records) == 1 and records[0].levelno == logging.INFO
    assert not cache.ok(None)


# --- check_image ----------------------------------------------------------------------


def test_check_image_accepts_good_files(halves) -> None:
    for name in ["a.png", "b.jpg", "c.jpeg"]:
        assert check_image(halves(name)) is None
    assert check_image(MEDIA / "gb34.svg") is None


def test_check_image_reports_problems(tmp_path, garbage, halves) -> None:
    assert "not found" in check_image(tmp_path / "nope.png")
    (tmp_path / "folder.svg").mkdir()
    assert "not a file" in check_image(tmp_path / "folder.svg")
    assert "unsupported" in check_image(halves("x.bmp"))
    assert "unsupported" in check_image(tmp_path / "noext")
    for name in ["bad.svg", "bad.png", "bad.jpg"]:
        problem = check_image(garbage(name))
        assert "damaged" in problem and name in problem
    empty = tmp_path / "empty.svg"
    empty.write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    assert "damaged" in check_image(empty)


def test_check_image_reports_unreadable_file(halves, monkeypatch) -> None:
    path = halves("locked.png")
    opened = os.open

    def refuse(name, *args, **kwargs):
        if Path(name) == path:
            raise PermissionError(13, "Permission denied", str(name))
        return opened(name, *args, **kwargs)

    monkeypatch.setattr(imagefile.os, "open", refuse)
    problem = check_image(path)
    assert "cannot be read" in problem and "permission denied" in problem


def test_problems_are_one_line(tmp_path, garbage) -> None:
    for path in [tmp_path / "nope.svg", garbage("bad.png")]:
        assert "\n" not in check_image(path)


# --- the cache ------------------------------------------------------------------------


def test_cache_hits_return_the_same_surface(cache) -> None:
    first = cache.get(MEDIA / "ub60.svg", (320, 240))
    assert cache.get(MEDIA / "ub60.svg", (320, 240)) is first
    assert cache.get(MEDIA / "ub60.svg", (320, 240), mirror=True) is not first
    assert len(cache) == 2


def test_cache_is_bounded_least_recently_used_first(halves) -> None:
    cache = ImageCache(capacity=3)
    path = halves("lru.png")
    a = cache.get(path, (10, 10))
    b = cache.get(path, (20, 20))
    cache.get(path, (30, 30))
    assert cache.get(path, (10, 10)) is a  # a is now the most recent
    cache.get(path, (40, 40))  # pushes out b
    assert len(cache) == 3
    assert cache.get(path, (10, 10)) is a
    assert cache.get(path, (20, 20)) is not b
    for width in range(50, 100):
        cache.get(path, (width, width))
    assert len(cache) == 3


def test_works_before_and_after_the_display_opens(cache) -> None:
    before = cache.get(MEDIA / "ub40.svg", (160, 120))
    pygame.display.init()
    try:
        pygame.display.set_mode((320, 240))
        after = cache.get(MEDIA / "ub40.svg", (200, 150))
        placeholder = cache.get(None, (200, 150), name="Back of knee point")
        screen = pygame.display.get_surface()
        screen.blit(before, (0, 0))
        screen.blit(after, (0, 0))
        screen.blit(placeholder, (0, 0))
        assert after.get_size() == (200, 150)
        assert after.get_flags() & pygame.SRCALPHA
    finally:
        pygame.display.quit()


#: The built-in points: each marker (fractions of width and height) is read from the content.
BUILTIN_POINTS = load_config().content.points


@pytest.mark.parametrize("point", BUILTIN_POINTS, ids=[p.id for p in BUILTIN_POINTS])
def test_point_positions_land_on_skin(cache, point) -> None:
    """The marker and the pixels around it are on the body (UB40's centre is the crease line)."""
    assert point.image is not None and point.marker is not None
    image = cache.get(point.image, (800, 600))
    assert cache.ok(point.image)  # the drawing itself, not a placeholder
    x, y = round(point.marker[0] * 800), round(point.marker[1] * 600)
    offsets = [(0, 0), (-7, -7), (7, -7), (-7, 7), (7, 7)]
    around = [image.get_at((x + dx, y + dy)) for dx, dy in offsets]
    assert all(color.a == 255 for color in around)
    assert sum(near(color, SKIN, tolerance=60) for color in around) >= 4


def test_a_string_path_works_too(cache) -> None:
    image = cache.get(str(MEDIA / "gb34.svg"), (400, 300))  # type: ignore[arg-type]
    assert image.get_size() == (400, 300)
    assert cache.ok(str(MEDIA / "gb34.svg"))  # type: ignore[arg-type]


def test_placeholder_is_never_mirrored(cache, tmp_path) -> None:
    for path in [None, tmp_path / "gone.svg"]:
        plain = cache.get(path, (300, 200), name="Ankle point")
        mirrored = cache.get(path, (300, 200), mirror=True, name="Ankle point")
        assert pygame.image.tobytes(mirrored, "RGBA") == pygame.image.tobytes(plain, "RGBA")
