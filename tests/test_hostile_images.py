"""Hostile image files: each is refused from its header, fast and in little memory, never decoded.

Every file is built here, small on disk: an SVG that declares 24000x24000 saved as .png (it
crashed pygame), a 30000x30000 PNG of ~110 KB that decodes to gigabytes, a JPEG whose header
declares 30000x30000, SVGs too complex or too large to rasterise in time, a named pipe and a
folder named like a picture, and PNGs cut short. Each goes through ``check_image`` and
``ImageCache.get`` in a child process with its address space limited, so a regression fails
the test (a crash, a timeout, an out-of-memory) instead of killing pytest or the machine.
"""

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import json
import subprocess
import sys
from pathlib import Path

import pygame
import pytest
from hostile import jpeg_header, many_segments, png_bomb, svg, write

from kiosk.ui import imagefile
from kiosk.ui.imagefile import MAX_SVG_BYTES
from kiosk.ui.images import ImageCache, check_image

ROOT = Path(__file__).resolve().parent.parent

#: How long the child may take in all (importing pygame included), and each call in it.
CHILD_SECONDS = 10
CALL_SECONDS = 0.5
#: How much the child's peak memory may grow while it looks at one hostile file.
GROWTH_MB = 50

#: Runs in the child: import, limit the address space to what is used now plus 512 MB (a
#: bomb fails fast instead of eating the machine), then time check_image and ImageCache.get.
CHILD = """
import json, logging, resource, sys, time
from pathlib import Path
from kiosk.ui.images import ImageCache, check_image
import pygame

def vm_bytes():
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0

limit = vm_bytes() + 512 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
records = []
handler = logging.Handler()
handler.emit = records.append
logging.getLogger("kiosk.ui.images").addHandler(handler)
logging.getLogger("kiosk.ui.images").setLevel(logging.INFO)
path = Path(sys.argv[1])
cache = ImageCache(font=Path(sys.argv[2]))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.monotonic()
line = check_image(path)
checked = time.monotonic() - start
start = time.monotonic()
first = cache.get(path, (800, 600), name="Knee point")
again = cache.get(path, (1920, 1080), name="Knee point")
shown = time.monotonic() - start
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({
    "line": line, "check_seconds": checked, "get_seconds": shown, "grown_mb": grown / 1024,
    "sizes": [first.get_size(), again.get_size()], "ok": cache.ok(path),
    "warnings": [r.getMessage() for r in records if r.levelno >= logging.WARNING],
}))
"""


def look_at(path: Path) -> dict:
    """What check_image and ImageCache.get make of ``path``, from a child process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    font = ROOT / "media" / "fonts" / "DejaVuSans-Bold.ttf"
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(font)],
            capture_output=True,
            text=True,
            timeout=CHILD_SECONDS,
            env=env,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{path.name}: still busy after {CHILD_SECONDS} s")
    assert done.returncode == 0, f"{path.name}: child ended with {done.returncode}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def refused(path: Path, *words: str) -> str:
    """Assert ``path`` is refused quickly, in little memory, as a placeholder with one warning
    and one line that names the file and holds ``words``; return the line."""
    seen = look_at(path)
    line = seen["line"]
    assert line is not None, f"{path.name} was accepted"
    assert "\n" not in line and path.name in line
    for word in words:
        assert word in line, line
    assert seen["check_seconds"] < CALL_SECONDS and seen["get_seconds"] < CALL_SECONDS, seen
    assert seen["grown_mb"] < GROWTH_MB, seen
    assert seen["sizes"] == [[800, 600], [1440, 1080]]  # the 4:3 placeholder
    assert not seen["ok"]
    assert len(seen["warnings"]) == 1 and path.name in seen["warnings"][0], seen["warnings"]
    return line


# --- the findings ---------------------------------------------------------------------


def test_svg_text_named_png_is_refused_not_rasterised(tmp_path) -> None:
    """pygame.image.load rasterises it at 24000x24000 and crashes (finding 1)."""
    path = write(tmp_path / "ub40.png", svg("24000", "24000", '<rect width="9" height="9"/>'))
    refused(path, "SVG", "rename it to .svg")


def test_large_declared_svg_is_drawn_at_the_box_size(tmp_path) -> None:
    """A real .svg is rasterised at the box, whatever it declares: shown, not refused."""
    body = '<rect width="24000" height="24000" fill="red"/>'
    path = write(tmp_path / "big.svg", svg("24000", "24000", body))
    seen = look_at(path)
    assert seen["line"] is None and seen["ok"]
    assert seen["sizes"] == [[600, 600], [1080, 1080]]
    assert seen["check_seconds"] < CALL_SECONDS and seen["get_seconds"] < CALL_SECONDS


def test_png_decompression_bomb_is_refused_from_its_header(tmp_path) -> None:
    path = png_bomb(tmp_path / "ub40.png")
    assert path.stat().st_size < 200_000
    refused(path, "30000x30000 pixels", "40 megapixels", "smaller")


def test_jpeg_declaring_a_huge_size_is_refused_from_its_header(tmp_path) -> None:
    path = jpeg_header(tmp_path / "li4.jpg", 30000, 30000)
    refused(path, "30000x30000 pixels", "40 megapixels")


def test_svg_with_too_many_segments_is_refused_before_rasterising(tmp_path) -> None:
    """100k segments took 40 s to rasterise (finding 3)."""
    path = write(tmp_path / "busy.svg", many_segments(20_000))
    refused(path, "too detailed")


def test_svg_larger_than_the_size_cap_is_refused_unread(tmp_path) -> None:
    """A 16 MB SVG decoded for over 10 minutes (finding 3); over the cap it is not even read."""
    comment = "<!-- " + "padding " * 140_000 + "-->"
    path = write(tmp_path / "huge.svg", svg("1200", "900", comment, "0 0 1200 900"))
    assert MAX_SVG_BYTES < path.stat().st_size < 1_200_000
    refused(path, "the most for an SVG file is 1 MB")


# --- things that are not pictures -----------------------------------------------------


def test_a_named_pipe_is_never_opened(tmp_path) -> None:
    path = tmp_path / "x.png"
    os.mkfifo(path)
    refused(path, "not a regular file")


def test_a_folder_named_like_a_picture_is_refused(tmp_path) -> None:
    path = tmp_path / "x.png"
    path.mkdir()
    refused(path, "a folder")


def test_a_png_cut_inside_its_header_is_refused(tmp_path) -> None:
    surface = pygame.Surface((200, 100))
    pygame.image.save(surface, str(tmp_path / "whole.png"))
    path = tmp_path / "cut.png"
    path.write_bytes((tmp_path / "whole.png").read_bytes()[:20])
    refused(path, "cut short")


def test_a_png_cut_inside_its_pixels_is_damaged(tmp_path) -> None:
    surface = pygame.Surface((400, 300))
    for x in range(0, 400, 4):
        surface.fill((x % 256, 255 - x % 256, x * 7 % 256), (x, 0, 4, 300))
    pygame.image.save(surface, str(tmp_path / "whole.png"))
    data = (tmp_path / "whole.png").read_bytes()
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    refused(path, "damaged")


def test_a_pipe_is_refused_without_being_opened(tmp_path, monkeypatch) -> None:
    path = tmp_path / "x.png"
    os.mkfifo(path)
    opened = []
    monkeypatch.setattr(imagefile.os, "open", lambda *args: opened.append(args))
    assert "named pipe" in check_image(path)
    assert not ImageCache().ok(path)
    assert opened == []
