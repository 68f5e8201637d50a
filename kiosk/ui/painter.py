"""Painting screen elements onto a pygame surface: text, boxes, drawings, rings and icons."""

from __future__ import annotations

import math

import pygame
import pygame.gfxdraw

from kiosk.ui.elements import Box, Element, Icon, Picture, Ring, Text
from kiosk.ui.images import ImageCache
from kiosk.ui.marker import draw_marker
from kiosk.ui.text import Fonts
from kiosk.ui.theme import BACKGROUND, Color


class Painter:
    """Paints elements onto a surface. Holds the font and image caches."""

    def __init__(self, fonts: Fonts, images: ImageCache) -> None:
        self.fonts = fonts
        self.images = images

    def paint(self, surface: pygame.Surface, element: Element) -> None:
        if isinstance(element, Text):
            self._text(surface, element)
        elif isinstance(element, Box):
            pygame.draw.rect(surface, element.color, element.rect, element.width, element.radius)
        elif isinstance(element, Picture):
            self._picture(surface, element)
        elif isinstance(element, Ring):
            _ring(surface, element)
        else:
            _icon(surface, element)

    def _text(self, surface: pygame.Surface, text: Text) -> None:
        x, y, w, _ = text.rect
        font = self.fonts.font(text.size, text.bold)
        for index, line in enumerate(text.lines):
            # Rendered, drawn and dropped: with the font's glyphs cached a whole screen's lines
            # render in 0.1-0.5 ms, while keeping them took ~27 MB at 1920x1080 (and a
            # countdown's new number every second grew a 120 s hold by 70 MB).
            if not line.strip():
                continue  # nothing to draw (and pygame refuses a zero-width text)
            rendered = font.render(line, True, text.color)
            left = x + (w - rendered.get_width()) // 2 if text.align == "center" else x
            surface.blit(rendered, (left, y + index * text.line_height))

    def _picture(self, surface: pygame.Surface, picture: Picture) -> None:
        x, y, w, h = picture.rect
        image = self.images.get(picture.image, (w, h), mirror=picture.mirror, name=picture.name)
        left = x + (w - image.get_width()) // 2
        top = y + (h - image.get_height()) // 2
        surface.blit(image, (left, top))
        if picture.marker is None or picture.image is None or not self.images.ok(picture.image):
            return
        fx, fy = picture.marker
        if picture.mirror:
            fx = 1 - fx
        center = (left + round(fx * image.get_width()), top + round(fy * image.get_height()))
        radius = max(8, round(min(w, h) * 0.055))
        label_size = max(14, round(min(w, h) * 0.075))
        draw_marker(
            surface,
            center,
            radius,
            picture.label,
            self.fonts.font(label_size, True),
            label_side="below",
        )


def _ring(surface: pygame.Surface, ring: Ring) -> None:
    x, y, w, h = ring.rect
    cx, cy = x + w / 2, y + h / 2
    outer = min(w, h) / 2
    inner = outer - ring.thickness
    _annulus(surface, cx, cy, outer, inner, 0.0, 1.0, ring.track)
    if ring.fraction > 0:
        _annulus(surface, cx, cy, outer, inner, 1.0 - ring.fraction, 1.0, ring.color)


def _annulus(
    surface: pygame.Surface,
    cx: float,
    cy: float,
    outer: float,
    inner: float,
    start: float,
    end: float,
    color: Color,
) -> None:
    """A ring segment from ``start`` to ``end`` (fractions of a turn, clockwise from 12
    o'clock), as one anti-aliased polygon."""
    if end - start >= 1.0:
        pygame.draw.circle(surface, color, (round(cx), round(cy)), round(outer))
        pygame.draw.circle(surface, BACKGROUND, (round(cx), round(cy)), round(inner))
        pygame.gfxdraw.aacircle(surface, round(cx), round(cy), round(outer), color)
        return
    steps = max(8, int(240 * (end - start)))
    angles = [2 * math.pi * (start + (end - start) * i / steps) for i in range(steps + 1)]
    outside = [(cx + outer * math.sin(a), cy - outer * math.cos(a)) for a in angles]
    inside = [(cx + inner * math.sin(a), cy - inner * math.cos(a)) for a in reversed(angles)]
    points = outside + inside
    pygame.gfxdraw.filled_polygon(surface, points, color)
    pygame.gfxdraw.aapolygon(surface, points, color)


def _icon(surface: pygame.Surface, icon: Icon) -> None:
    x, y, w, h = icon.rect
    side = min(w, h)
    cx, cy = x + w // 2, y + h // 2
    if icon.kind == "warning":
        top, left, right = (
            (cx, cy - side // 2),
            (cx - side // 2, cy + side // 2),
            (cx + side // 2, cy + side // 2),
        )
        pygame.draw.polygon(surface, icon.color, [top, left, right])
        bar = max(2, side // 9)
        pygame.draw.rect(surface, icon.detail, (cx - bar // 2, cy - side // 6, bar, side // 3))
        pygame.draw.rect(surface, icon.detail, (cx - bar // 2, cy + side // 4, bar, bar))
    elif icon.kind == "check":
        pygame.draw.circle(surface, icon.color, (cx, cy), side // 2)
        stroke = max(3, side // 10)
        points = [
            (cx - side * 0.24, cy),
            (cx - side * 0.06, cy + side * 0.18),
            (cx + side * 0.26, cy - side * 0.18),
        ]
        pygame.draw.lines(surface, icon.detail, False, points, stroke)
    elif icon.kind == "dot":
        pygame.draw.circle(surface, icon.color, (cx, cy), side // 2)
    else:
        pygame.draw.circle(surface, icon.color, (cx, cy), side // 2, max(2, side // 6))
