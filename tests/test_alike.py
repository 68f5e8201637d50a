"""One point's screens look like every other's (issue 15, item 4): the same type sizes and
drawing size on every intro, idle and "done" screen, a "press the button" label of at most
two lines beside a drawing, the label centred on the drawing's card, and a countdown whose
digits and label do not move when it goes from 100 to 99."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.content.config import load_config
from kiosk.ui.elements import Box, Picture, Text
from kiosk.ui.renderer import build_renderer
from kiosk.ui.screens import PAGE_PILL_LINES
from kiosk.ui.tour import tour

CONFIG = load_config()
SIZES = [(800, 480), (1280, 720), (1920, 1080), (1080, 1920)]


def by_kind(size: tuple[int, int], prefix: str) -> list[tuple[str, tuple]]:
    renderer = build_renderer(CONFIG, size)
    return [
        (stop.name, renderer.elements(stop.view, stop.now)[1])
        for stop in tour(CONFIG)
        if stop.name.startswith(prefix)
    ]


def sizes_of(elements: tuple, role: str) -> set[int]:
    return {e.size for e in elements if isinstance(e, Text) and e.role == role}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("prefix", ["01-idle", "03-intro", "04-hold", "05-done-2"])
def test_every_point_has_the_same_type_sizes_and_drawing(size, prefix) -> None:  # type: ignore[no-untyped-def]
    screens = by_kind(size, prefix)
    assert len(screens) >= 2
    for role in ("heading", "body", "pill", "label", "strong", "number"):
        seen = [sizes_of(elements, role) for _, elements in screens]
        seen = [sizes for sizes in seen if sizes]
        assert all(sizes == seen[0] for sizes in seen), f"{prefix} at {size}: {role} {seen}"
    cards = {next((e.rect for e in els if isinstance(e, Picture)), None) for _, els in screens}
    assert len(cards) == 1, f"{prefix} at {size}: drawings of {len(cards)} sizes"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_press_label_beside_a_drawing_takes_at_most_two_lines(size) -> None:  # type: ignore[no-untyped-def]
    """Two lines; three on the 7-inch screen (4.8 mm capitals beside a drawing there wrap
    it to three: that costs less than another page for every point)."""
    most = PAGE_PILL_LINES if size == (800, 480) else 2
    for prefix in ("01-idle", "03-intro", "05-done"):
        for name, elements in by_kind(size, prefix):
            pills = [e for e in elements if isinstance(e, Text) and e.role == "pill"]
            assert pills and all(len(p.lines) <= most for p in pills), (name, size, pills)


@pytest.mark.parametrize("size", [(800, 480), (1280, 720), (1920, 1080)], ids=str)
def test_the_press_label_is_centred_on_the_drawing(size) -> None:  # type: ignore[no-untyped-def]
    for name, elements in by_kind(size, "01-idle"):
        card = next(e for e in elements if isinstance(e, Box) and e.color != (255, 200, 61))
        pill = next(e for e in elements if isinstance(e, Box) and e.color == (255, 200, 61))
        centre = lambda r: r[0] + r[2] / 2  # noqa: E731
        assert abs(centre(card.rect) - centre(pill.rect)) <= 2, (name, card.rect, pill.rect)


def test_the_countdown_does_not_grow_or_move_from_100_to_99() -> None:
    points = tuple(dataclasses.replace(p, hold_seconds=120, sides=1) for p in CONFIG.content.points)
    config = dataclasses.replace(CONFIG, content=dataclasses.replace(CONFIG.content, points=points))
    renderer = build_renderer(config, (1280, 720))
    hold = next(s for s in tour(config) if s.name.startswith("04-hold"))
    start = hold.view.started
    shown = {}
    for left in (120, 100, 99, 9):
        _, elements = renderer.elements(hold.view, start + 120 - left)
        number = next(e for e in elements if isinstance(e, Text) and e.role == "number")
        label = next(
            e
            for e in elements
            if isinstance(e, Text) and e.role == "label" and e.lines == ("seconds left",)
        )
        assert number.lines == (str(left),)
        shown[left] = (number.size, number.rect[1], label.rect[1], label.size)
    assert len(set(shown.values())) == 1, shown
