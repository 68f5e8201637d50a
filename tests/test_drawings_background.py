"""Drawings are decoded in the background: the kiosk never waits for one.

The running kiosk's image cache hands each drawing to the decoding child process
(kiosk.ui.decoder) on a worker thread and shows the placeholder until it is ready. These
tests use a drawing within every cap that still takes seconds to rasterise.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

from test_decoder import slow_svg

from kiosk.content.config import load_config
from kiosk.core.session import Phase
from kiosk.ui.decoder import Decoder
from kiosk.ui.images import ImageCache

MEDIA = Path(__file__).resolve().parent.parent / "media"


def test_a_drawing_shows_as_the_placeholder_until_decoded_then_as_itself() -> None:
    ready = threading.Event()
    images = ImageCache(decoder=Decoder(), on_ready=ready.set)
    try:
        first = images.get(MEDIA / "ub60.svg", (320, 240), name="Ankle")
        assert not images.ok(MEDIA / "ub60.svg")  # no marker on a placeholder
        assert first.get_size() == (320, 240)
        assert ready.wait(10)
        drawn = images.get(MEDIA / "ub60.svg", (320, 240), name="Ankle")
        assert images.ok(MEDIA / "ub60.svg")
        assert drawn is images.get(MEDIA / "ub60.svg", (320, 240), name="Ankle")  # cached
        assert drawn.get_at((160, 120)) != first.get_at((160, 120))
        # The placeholder, as big as the drawing, is not kept once the drawing is here.
        assert len(images._placeholders) == 0
    finally:
        images.close()


def test_a_drawing_decoded_at_another_size_keeps_its_marker() -> None:
    """The renderer lays out other screens ahead, asking for the same drawing at their sizes;
    once those are decoded too, the drawing on view still counts as itself (its marker is
    drawn), though nobody has fetched the other sizes yet. The VM test saw the idle screen
    without its marker until the first press."""
    ready = threading.Semaphore(0)
    images = ImageCache(decoder=Decoder(), on_ready=ready.release)
    path = MEDIA / "ub60.svg"
    try:
        images.get(path, (320, 240), name="Ankle")
        assert ready.acquire(timeout=10)
        images.get(path, (320, 240), name="Ankle")  # the idle screen's, decoded and shown
        images.get(path, (200, 150), name="Ankle")  # another screen's, laid out ahead
        assert ready.acquire(timeout=10)
        assert images.ok(path)
    finally:
        images.close()


def test_a_drawing_is_decoded_and_kept_once_for_every_language() -> None:
    """The idle screen shows each card in every language: the drawing is the same, so the
    second language neither decodes it again nor keeps its pixels twice (the benchmark saw
    each card decoded anew in Spanish: wake-ups, and megabytes held twice at 1080p)."""
    ready = threading.Semaphore(0)
    decoder = Decoder()
    decodes: list[tuple[Path, tuple[int, int]]] = []
    real = decoder.decode

    def counted(path: Path, box: tuple[int, int]):  # type: ignore[no-untyped-def]
        decodes.append((path, box))
        return real(path, box)

    decoder.decode = counted  # type: ignore[method-assign]
    images = ImageCache(decoder=decoder, on_ready=ready.release)
    path = MEDIA / "ub60.svg"
    try:
        images.get(path, (320, 240), name="Ankle point")
        assert ready.acquire(timeout=10)
        english = images.get(path, (320, 240), name="Ankle point")
        spanish = images.get(path, (320, 240), name="Punto del tobillo")
        assert spanish is english and images.ok(path)
        assert decodes == [(path, (320, 240))] and len(images) == 1
        # A drawing that cannot be shown still names the point in each language.
        missing = MEDIA / "no-such-drawing.svg"
        en = images.get(missing, (320, 240), name="Ankle point")
        es = images.get(missing, (320, 240), name="Punto del tobillo")
        assert en is not es and en.get_size() == es.get_size()
        assert pygame_bytes(en) != pygame_bytes(es)
    finally:
        images.close()


def pygame_bytes(surface) -> bytes:  # type: ignore[no-untyped-def]
    import pygame

    return pygame.image.tobytes(surface, "RGBA")


def test_a_slow_drawing_never_holds_up_a_press(make_kiosk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Three screens through, with a drawing that takes seconds on the first of them: the
    loop answers every press without waiting for it (in real time, well under a second)."""
    config = load_config()
    slow = dataclasses.replace(config.content.points[0], image=slow_svg(tmp_path))
    points = (slow, *config.content.points[1:])
    config = dataclasses.replace(config, content=dataclasses.replace(config.content, points=points))
    kiosk = make_kiosk(config, size=(1920, 1080), background_images=True)
    t0 = kiosk.clock.now
    for offset in (1, 2):  # safety, then the first point's intro with the slow drawing
        kiosk.press_at(t0 + offset)
    started = time.monotonic()
    kiosk.run_until(t0 + 3)
    assert time.monotonic() - started < 1.0
    assert kiosk.app.session.phase is Phase.INTRO


def test_a_refused_drawing_is_named_once_in_its_warning(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    from hostile import png_bomb

    bomb = png_bomb(tmp_path / "bomb.png")
    ready = threading.Event()
    images = ImageCache(decoder=Decoder(), on_ready=ready.set)
    try:
        images.get(bomb, (320, 240), name="Ankle")
        assert ready.wait(10)
        images.get(bomb, (320, 240), name="Ankle")
    finally:
        images.close()
    (warning,) = [r.getMessage() for r in caplog.records if "bomb.png" in r.getMessage()]
    assert warning.count(str(bomb)) == 1 and "40 megapixels" in warning
