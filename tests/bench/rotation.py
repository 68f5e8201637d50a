"""What ``hardware.rotation`` costs: a countdown second and a full frame, turned and not.

Run it with ``.venv/bin/python tests/bench/rotation.py`` (about half a minute). In this
process: the real renderer and :class:`kiosk.devices.display.Display` on SDL's dummy driver,
a 1920x1080 window (the mode), the built-in content with a 600 s hold. For each rotation it
draws the hold screen once, then the countdown's seconds one after another (each a partial
update: the renderer repaints the ring's square, the display turns just that square onto the
screen), and then full frames. It prints, per rotation, the median and p95 of

- ``draw``: the renderer's partial repaint into the frame (the same work at every rotation,
  for scale);
- ``show``: the display putting that rectangle on the screen (at rotation 0 a plain
  ``pygame.display.update``; turned, the square is turned and copied first);
- ``full show``: a whole frame put on the screen.

The dummy driver's ``update``/``flip`` copy nothing to a real screen, so ``show`` here is
the turning alone; on a Pi the same work is several times slower (the arm64 notes in
/work/shared/PLATFORM-NOTES.md: drawing is ~20-30x slower under emulation, less on the
real thing).
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from kiosk.content.config import load_config
from kiosk.core.session import Phase
from kiosk.devices.display import Display
from kiosk.ui.renderer import build_renderer
from kiosk.ui.tour import tour

MODE = (1920, 1080)
SECONDS = 500
FULL_FRAMES = 60


def measure(rotation: int) -> dict[str, object]:
    config = load_config()
    content = config.content
    points = tuple(dataclasses.replace(p, hold_seconds=600.0, sides=1) for p in content.points)
    config = dataclasses.replace(config, content=dataclasses.replace(content, points=points))
    display = Display(MODE, fullscreen=False, rotation=rotation)
    frame = display.size
    renderer = build_renderer(config, display.size)
    hold = next(stop for stop in tour(config) if stop.view.phase is Phase.HOLD)
    view, start = hold.view, hold.view.ends - 600.0 + 0.5
    try:
        display.show(renderer.draw(display.surface, view, start))
        draws, shows, areas = [], [], set()
        for second in range(1, SECONDS + 1):
            began = time.perf_counter()
            rects = renderer.draw(display.surface, view, start + second)
            drawn = time.perf_counter()
            display.show(rects)
            shown = time.perf_counter()
            assert rects, "every second changes the countdown"
            draws.append(drawn - began)
            shows.append(shown - drawn)
            areas.update(tuple(r) for r in rects)
        fulls = []
        for _ in range(FULL_FRAMES):
            began = time.perf_counter()
            display.show(None)
            fulls.append(time.perf_counter() - began)
    finally:
        renderer.close()
        display.close()
    return {
        "rotation": rotation,
        "frame": frame,
        "areas": sorted(areas),
        "draw": summary(draws),
        "show": summary(shows),
        "full": summary(fulls),
    }


def summary(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    return f"median {statistics.median(ms):.3f} ms, p95 {p95:.3f} ms"


def main() -> None:
    print(f"Mode {MODE[0]}x{MODE[1]}, {SECONDS} countdown seconds, {FULL_FRAMES} full frames")
    for rotation in (0, 90, 180, 270):
        result = measure(rotation)
        width, height = result["frame"]  # type: ignore[misc]
        sizes = sorted({f"{w}x{h}" for _, _, w, h in result["areas"]})  # type: ignore[union-attr]
        print(
            f"rotation {rotation:3d} (frame {width}x{height}, ring area {', '.join(sizes)}):\n"
            f"  partial draw {result['draw']}\n"
            f"  partial show {result['show']}\n"
            f"  full show    {result['full']}"
        )


if __name__ == "__main__":
    main()
