"""The point marker: the one symbol that shows where to press, the same on every drawing.

A near-black ring with a centre dot, edged in white so it reads on light skin, dark skin and
the near-white card alike, and beside it the point's short code (``UB60``) in a dark pill.
Shape and label carry the meaning, never colour alone (about 8% of men are colour-blind).
The drawings in ``media/`` hold no marker: screens call :func:`draw_marker` at the point's
position, so a mirrored (left-side) drawing gets an unmirrored, readable label.
"""

from __future__ import annotations

import pygame

Color = tuple[int, int, int]

#: The ring, its centre dot and the pill behind the label.
INK: Color = (17, 17, 17)
#: The halo around ring, dot and pill, and the label's letters.
HALO: Color = (255, 255, 255)
PILL: Color = INK
PILL_TEXT: Color = HALO
#: The skin tone of the bundled drawings (media/*.svg, fill #D8A47F).
SKIN: Color = (0xD8, 0xA4, 0x7F)
#: The darker skin shade used for hollows in the drawings (#C48C66 over SKIN).
SKIN_SHADE: Color = (0xC4, 0x8C, 0x66)

#: Where the label can go, and where it goes instead when it would leave the surface.
OPPOSITE = {"right": "left", "left": "right", "below": "above", "above": "below"}

#: Ring width, halo width, dot radius and gap to the label, as fractions of the radius.
RING_WIDTH = 0.32
HALO_WIDTH = 0.16
DOT_RADIUS = 0.28
LABEL_GAP = 0.35


def default_radius(size: tuple[int, int]) -> int:
    """A marker radius that suits a drawing shown at ``size`` (pixels): 4% of its short side.

    Never below 10 px, so the ring stays a ring on the 800x480 screen.
    """
    return max(10, round(min(size) * 0.04))


def draw_marker(
    surface: pygame.Surface,
    center: tuple[int, int],
    radius: int,
    label: str,
    font: pygame.font.Font,
    *,
    label_side: str = "right",
) -> pygame.Rect:
    """Draw the marker at ``center`` and return the rectangle of everything drawn.

    ``radius`` is the ring's outer radius in pixels (the white halo lies outside it). The label
    goes on ``label_side`` of the ring ("right", "left", "below" or "above"); it moves to the
    opposite side, and then inside the surface's edges, rather than leave the surface. Pick
    the side that hides no landmark of the drawing (for the bundled drawings: "below"). An
    empty label draws the ring alone. Example::

        font = pygame.font.Font(media_dir() / "fonts" / "DejaVuSans-Bold.ttf", 24)
        draw_marker(screen, (412, 300), 18, "UB60", font)
    """
    if label_side not in OPPOSITE:
        raise ValueError(f"label_side must be one of {', '.join(OPPOSITE)}, not {label_side!r}")
    radius = max(4, radius)
    drawn = _draw_ring(surface, center, radius)
    if label:
        pill = _place_pill(surface, center, radius, label, font, label_side)
        drawn = drawn.union(_draw_pill(surface, pill, label, font))
    return drawn.clip(surface.get_rect())


def _draw_ring(surface: pygame.Surface, center: tuple[int, int], radius: int) -> pygame.Rect:
    """Halo, ring, inner halo line and centre dot; returns the halo's bounding box."""
    halo = max(2, round(radius * HALO_WIDTH))
    ring = max(3, round(radius * RING_WIDTH))
    dot = max(2, round(radius * DOT_RADIUS))
    inner = radius - ring
    outer = pygame.draw.circle(surface, HALO, center, radius + halo, halo + 1)
    pygame.draw.circle(surface, INK, center, radius, ring)
    if inner > dot + 2:
        pygame.draw.circle(surface, HALO, center, inner, max(1, halo // 2))
    pygame.draw.circle(surface, HALO, center, dot + max(1, halo // 2))
    pygame.draw.circle(surface, INK, center, dot)
    return outer


def _pill_size(label: str, font: pygame.font.Font) -> tuple[int, int]:
    width, height = font.size(label)
    return width + height, round(height * 1.2)


def _place_pill(
    surface: pygame.Surface,
    center: tuple[int, int],
    radius: int,
    label: str,
    font: pygame.font.Font,
    side: str,
) -> pygame.Rect:
    """The pill's rectangle: on ``side`` of the ring if it fits, else on the opposite side,
    else pushed inside the surface. The pill's white edge counts, so all of it stays inside.
    """
    width, height = _pill_size(label, font)
    edge = _pill_edge(height)
    offset = radius + max(2, round(radius * HALO_WIDTH)) + max(3, round(radius * LABEL_GAP)) + edge
    x, y = center
    spots = {
        "right": pygame.Rect(x + offset, y - height // 2, width, height),
        "left": pygame.Rect(x - offset - width, y - height // 2, width, height),
        "below": pygame.Rect(x - width // 2, y + offset, width, height),
        "above": pygame.Rect(x - width // 2, y - offset - height, width, height),
    }
    bounds = surface.get_rect().inflate(-2 * edge, -2 * edge)
    first, second = spots[side], spots[OPPOSITE[side]]
    horizontal = side in ("right", "left")
    chosen = (
        first
        if _fits(first, bounds, horizontal) or not _fits(second, bounds, horizontal)
        else second
    )
    return chosen.clamp(bounds)


def _fits(rect: pygame.Rect, bounds: pygame.Rect, horizontal: bool) -> bool:
    """Whether ``rect`` stays inside ``bounds`` along the axis it was moved on."""
    if horizontal:
        return bounds.left <= rect.left and rect.right <= bounds.right
    return bounds.top <= rect.top and rect.bottom <= bounds.bottom


def _pill_edge(height: int) -> int:
    return max(2, height // 12)


def _draw_pill(
    surface: pygame.Surface, pill: pygame.Rect, label: str, font: pygame.font.Font
) -> pygame.Rect:
    """A dark rounded pill edged in white with the label in white, centred."""
    edge = _pill_edge(pill.height)
    outline = pill.inflate(2 * edge, 2 * edge)
    pygame.draw.rect(surface, HALO, outline, border_radius=outline.height // 2)
    pygame.draw.rect(surface, PILL, pill, border_radius=pill.height // 2)
    text = font.render(label, True, PILL_TEXT)
    surface.blit(text, text.get_rect(center=pill.center))
    return outline
