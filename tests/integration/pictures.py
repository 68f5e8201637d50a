"""Comparing what the VM's screen showed with the kiosk's own screenshots, pixel by pixel.

Both are PNG files of the same size: a QMP ``screendump`` of the guest's screen and a frame
that ``acupressure-kiosk screenshots`` rendered on the host. The fonts, the drawings and
pygame-ce's SDL are the same on both sides, so the two should agree almost exactly; a small
tolerance allows for the odd anti-aliased edge.

Example::

    share = differing(Path("dump.png"), Path("screenshots/01-idle-1-UB60.png"))
    assert share < TOLERANCE
"""

from __future__ import annotations

from pathlib import Path

import pygame

#: A pixel differs when a channel is further apart than this (0-255).
CHANNEL_TOLERANCE = 24
#: Two screens are the same when at most this share of their pixels differs.
TOLERANCE = 0.005


def load(path: Path) -> pygame.Surface:
    """A PNG as a plain 32-bit surface (no display needed)."""
    image = pygame.image.load(str(path))
    surface = pygame.Surface(image.get_size(), 0, 32)
    surface.blit(image, (0, 0))
    return surface


def differing(first: Path, second: Path) -> float:
    """The share of pixels (0-1) whose colour differs between two pictures of one size;
    1.0 when their sizes differ."""
    one, two = load(first), load(second)
    if one.get_size() != two.get_size():
        return 1.0
    # PixelArray.compare paints matching pixels white, the others black.
    distance = CHANNEL_TOLERANCE / 255
    matches = pygame.PixelArray(one).compare(pygame.PixelArray(two), distance=distance)
    same = matches.make_surface()
    matches.close()
    mask = pygame.mask.from_threshold(same, (255, 255, 255), (1, 1, 1, 255))
    width, height = one.get_size()
    return 1 - mask.count() / (width * height)


def share_of(path: Path, colour: tuple[int, int, int]) -> float:
    """The share of pixels (0-1) of ``colour`` (within the channel tolerance)."""
    picture = load(path)
    tolerance = (CHANNEL_TOLERANCE,) * 3 + (255,)
    mask = pygame.mask.from_threshold(picture, (*colour, 255), tolerance)
    width, height = picture.get_size()
    return mask.count() / (width * height)


def best_match(dump: Path, candidates: list[Path]) -> tuple[Path, float]:
    """The candidate closest to ``dump`` and its share of differing pixels."""
    scored = [(differing(dump, candidate), candidate) for candidate in candidates]
    share, path = min(scored)
    return path, share


def convert(source: Path, target: Path) -> Path:
    """Save a picture (a PPM screendump) as a PNG, for looking at."""
    pygame.image.save(load(source), str(target))
    return target
