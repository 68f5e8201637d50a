"""The usage chart painted: a :class:`~kiosk.ui.chartplan.ChartPlan` onto a pygame surface, to PNG.

The kiosk's own drawing layer (pygame surfaces and the bundled DejaVu font) draws it, so a
Pi needs no plotting library. Nothing here needs a display: fonts and surfaces work under
SDL's dummy video driver.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

import pygame

from kiosk.content.builtin import media_dir
from kiosk.core.tallies import Tally
from kiosk.ui.chartplan import CHART_SIZE, ChartPlan, plan_chart
from kiosk.ui.text import Fonts


def paint(plan: ChartPlan, fonts: Fonts) -> pygame.Surface:
    """A surface of the plan's size with everything the plan holds drawn on it."""
    surface = pygame.Surface(plan.size)
    surface.fill(plan.background)
    for line in plan.lines:
        pygame.draw.line(surface, line.color, line.start, line.end, line.width)
    for fill in plan.fills:
        pygame.draw.rect(surface, fill.color, fill.rect)
    for label in plan.labels:
        rendered = fonts.font(label.size, label.bold).render(label.text, True, label.color)
        x = label.x
        if label.anchor == "center":
            x -= rendered.get_width() // 2
        elif label.anchor == "right":
            x -= rendered.get_width()
        surface.blit(rendered, (x, label.y))
    return surface


def draw_chart(
    tallies: Sequence[Tally],
    points: Sequence[str],
    first: dt.date,
    last: dt.date,
    size: tuple[int, int] = CHART_SIZE,
    note: str = "",
) -> pygame.Surface:
    """The chart of the weekly ``tallies`` (see :func:`kiosk.ui.chartplan.plan_chart`),
    laid out with the bundled font's real text widths."""
    pygame.font.init()
    fonts = Fonts(media_dir() / "fonts")

    def measure(text: str, size: int, bold: bool) -> int:
        return fonts.font(size, bold).size(text)[0]

    plan = plan_chart(tallies, points, first, last, size, measure, note)
    return paint(plan, fonts)


def save_chart(surface: pygame.Surface, path: Path) -> None:
    """Write ``surface`` to ``path`` as PNG: to a file beside it first, then renamed, so a
    failed write leaves no half picture (and an earlier chart stays as it was)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("wb") as out:
            pygame.image.save(surface, out, "chart.png")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
