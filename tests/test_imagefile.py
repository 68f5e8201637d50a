"""Reading an image file's kind and declared size from its first bytes, without decoding."""

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from pathlib import Path

import pygame
import pytest
from hostile import SVG_NS, jpeg_header, png_bomb, svg

from kiosk.ui import imagefile

ROOT = Path(__file__).resolve().parent.parent


def test_png_size_is_read_from_ihdr(tmp_path) -> None:
    pygame.image.save(pygame.Surface((321, 123)), str(tmp_path / "a.png"))
    data = (tmp_path / "a.png").read_bytes()
    assert imagefile.png_size(data) == (321, 123)
    assert imagefile.png_size(data[:20]) is None
    assert imagefile.png_size(png_bomb(tmp_path / "bomb.png").read_bytes()) == (30000, 30000)


def test_jpeg_size_is_read_from_sof_past_other_segments(tmp_path) -> None:
    pygame.image.save(pygame.Surface((321, 123)), str(tmp_path / "a.jpg"))
    assert imagefile.jpeg_size((tmp_path / "a.jpg").read_bytes()) == (321, 123)
    header = jpeg_header(tmp_path / "b.jpg", 640, 480).read_bytes()
    assert imagefile.jpeg_size(header) == (640, 480)
    padded = header[:2] + b"\xff\xff" + header[2:]  # fill bytes before a marker
    assert imagefile.jpeg_size(padded) == (640, 480)
    assert imagefile.jpeg_size(b"\xff\xd8\xff\xda\x00\x08") is None  # image data first
    assert imagefile.jpeg_size(header[:26]) is None  # cut inside the SOF
    assert imagefile.jpeg_size(b"\xff\xd8\xff\xe0\xff\xff" + bytes(100)) is None


@pytest.mark.parametrize(
    ("root", "size"),
    [
        ('width="1200" height="900"', (1200, 900)),
        ('width="1200px" height="900px" viewBox="0 0 12 9"', (1200, 900)),
        ('width="72pt" height="1in"', (96, 96)),
        ('width="254mm" height="2.54cm"', (960, 96)),
        ('viewBox="0 0 1200 900"', (1200, 900)),
        ('viewBox="0,0,400,300" width="800"', (800, 300)),
        ('width="100%" height="100%" viewBox="0 0 40 30"', (40, 30)),
        ('width="100%" height="100%"', None),
        ("", None),
        ("width='24000' height='24000'", (24000, 24000)),
    ],
)
def test_svg_size_is_read_from_the_root_element(root, size) -> None:
    text = f'<?xml version="1.0"?>\n<!-- a drawing -->\n<svg {SVG_NS} {root}><g/></svg>'
    assert imagefile.svg_size(text.encode()) == size


def test_kind_is_told_by_the_first_bytes_not_the_name(tmp_path) -> None:
    pygame.image.save(pygame.Surface((32, 24)), str(tmp_path / "a.png"))
    pygame.image.save(pygame.Surface((32, 24)), str(tmp_path / "a.jpg"))
    assert imagefile.sniff((tmp_path / "a.png").read_bytes()) == "png"
    assert imagefile.sniff((tmp_path / "a.jpg").read_bytes()) == "jpeg"
    assert imagefile.sniff(svg("10", "10").encode()) == "svg"
    assert imagefile.sniff(b"GIF89a" + bytes(20)) is None
    # a JPEG named .png is still shown (SDL decodes by content); SVG and pictures never mix
    png, jpeg = (tmp_path / "a.png").read_bytes(), (tmp_path / "a.jpg").read_bytes()
    assert imagefile.inspect(tmp_path / "photo.png", jpeg).kind == "jpeg"
    with pytest.raises(imagefile.Refused, match=r"is a PNG picture but is named \.svg: rename"):
        imagefile.inspect(tmp_path / "picture.svg", png)
    with pytest.raises(imagefile.Refused, match=r"is SVG drawing text but is named \.jpg: rename"):
        imagefile.inspect(tmp_path / "drawing.jpg", svg("10", "10").encode())
    with pytest.raises(imagefile.Refused, match="not a valid PNG image or damaged"):
        imagefile.inspect(tmp_path / "anim.png", b"GIF89a" + bytes(40))


def test_bundled_drawings_are_far_inside_the_limits() -> None:
    for drawing in sorted((ROOT / "media").glob("*.svg")):
        data = drawing.read_bytes()
        numbers, elements = imagefile.svg_detail(data)
        assert len(data) * 100 < imagefile.MAX_SVG_BYTES
        assert numbers * 10 < imagefile.MAX_SVG_NUMBERS
        assert elements * 5 < imagefile.MAX_SVG_ELEMENTS
        image = imagefile.read_image(drawing)
        assert (image.kind, image.size) == ("svg", (1200, 900))


def test_a_picture_at_the_pixel_cap_passes_and_one_over_does_not(tmp_path) -> None:
    at = jpeg_header(tmp_path / "at.jpg", 8000, 5000).read_bytes()
    assert imagefile.inspect(tmp_path / "at.jpg", at).size == (8000, 5000)
    over = jpeg_header(tmp_path / "over.jpg", 8000, 5001).read_bytes()
    with pytest.raises(imagefile.Refused, match="8000x5001 pixels"):
        imagefile.inspect(tmp_path / "over.jpg", over)


def test_a_file_swapped_for_a_pipe_after_the_look_is_refused(tmp_path, monkeypatch) -> None:
    """Between the look and the open the name may change: the open handle is looked at too."""
    path = tmp_path / "x.png"
    pygame.image.save(pygame.Surface((32, 24)), str(path))
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    opened = os.open
    monkeypatch.setattr(imagefile.os, "open", lambda name, flags: opened(pipe, flags))
    with pytest.raises(imagefile.Refused, match="named pipe"):
        imagefile.read_image(path)


def test_an_svg_may_start_with_a_long_comment(tmp_path) -> None:
    text = "<!-- " + "licence " * 1000 + "-->\n" + svg("400", "300", '<rect width="9" height="9"/>')
    assert imagefile.inspect(tmp_path / "long.svg", text.encode()).size == (400, 300)
    with pytest.raises(imagefile.Refused, match="not a valid PNG image or damaged"):
        imagefile.inspect(tmp_path / "long.png", text.encode())  # SDL sniffs 4 KB only
