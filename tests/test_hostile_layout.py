"""A staff file full of the longest texts it may hold: every screen is laid out within its
time budget, and ``check`` says which screens could not get their best text size.

Before the budget, one such screen took 3 s to lay out here (about a minute on a Pi): the
main loop stood still that long on a press or while preparing screens.
"""

from __future__ import annotations

import string
import time
from pathlib import Path

import pytest
import yaml

from kiosk.content.builtin import builtin_document
from kiosk.content.config import load_config
from kiosk.ui.renderer import build_renderer
from kiosk.ui.screens import TOO_LONG, TOO_SLOW
from kiosk.ui.tour import tour

LONG = ("gentle press " * 60)[:490]


def longest_texts(folder: Path) -> Path:
    """Every text of the built-in content at (nearly) the longest a staff file may hold."""
    builtin = builtin_document().data
    staff: dict = {"texts": {}, "points": []}
    for key, text in builtin["texts"].items():
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name]
        staff["texts"][key] = (LONG[:400] + " " + " ".join(f"{{{n}}}" for n in names)).strip()
    for page in ("safety", "summary", "side_effects"):
        staff[page] = {"title": LONG, "lines": [LONG] * 6}
    for point in builtin["points"]:
        staff["points"].append(
            {"id": point["id"], "name": LONG, "where": LONG, "find": [LONG] * 4,
             "reminder": LONG, "caution": LONG}
        )  # fmt: skip
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(staff))
    return path


@pytest.fixture
def long_config(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = load_config(longest_texts(tmp_path))
    assert not config.fallback, config.problems  # every text is allowed
    return config


@pytest.mark.layout_budget
def test_every_screen_is_laid_out_within_its_budget(long_config) -> None:  # type: ignore[no-untyped-def]
    renderer = build_renderer(long_config, (1920, 1080))
    slowest, late = 0.0, []
    for stop in tour(long_config):
        started = time.monotonic()
        layout = renderer.layout(stop.view)
        slowest = max(slowest, time.monotonic() - started)
        if TOO_SLOW in layout.overflow:
            late.append(stop.name)
    assert slowest < 1.5, slowest  # the budget and one last pass (3 s each before it)
    assert late  # ... and the screens that ran out of time say so


@pytest.mark.layout_budget
def test_the_built_in_screens_never_reach_the_budget() -> None:
    config = load_config()
    for size in ((800, 480), (1920, 1080), (1080, 1920)):
        renderer = build_renderer(config, size)
        for stop in tour(config):
            assert TOO_SLOW not in renderer.layout(stop.view).overflow, (size, stop.name)


@pytest.mark.layout_budget
def test_screens_are_laid_out_off_the_main_loop(make_kiosk, long_config) -> None:  # type: ignore[no-untyped-def]
    """While every later screen of such a file is being laid out (seconds in all), a press is
    answered at once: the layouts run on the renderer's thread, not between presses."""
    kiosk = make_kiosk(long_config, size=(1920, 1080))
    kiosk.inbox.busy = lambda: False  # the fake clock must not wait for the layouts here
    t0 = kiosk.clock.now
    kiosk.press_at(t0 + 1)
    started = time.monotonic()
    kiosk.run_until(t0 + 1.5)
    assert kiosk.app.session.phase.value == "safety"
    assert time.monotonic() - started < 2.0  # the safety screen at most, not all 23


def test_a_screen_past_its_budget_still_says_whether_its_text_fits(
    long_config, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """On a slow machine (CI, a Pi) the budget runs out sooner: ``check`` must still say that
    a text does not fit even at the smallest readable size, not only that it was slow, and a
    text that fits at the floor must not be called too long."""
    import kiosk.ui.screens

    monkeypatch.setattr(kiosk.ui.screens, "LAYOUT_SECONDS", 0.0)  # every layout is late
    stop = next(s for s in tour(long_config) if s.name == "03-intro-1-UB60")
    layout = build_renderer(long_config, (800, 480)).layout(stop.view)
    assert TOO_SLOW in layout.overflow
    assert any(reason.startswith(TOO_LONG) for reason in layout.overflow)
    builtin = load_config()
    layout = build_renderer(builtin, (1920, 1080)).layout(tour(builtin)[1].view)
    assert TOO_SLOW in layout.overflow
    assert not any(reason.startswith(TOO_LONG) for reason in layout.overflow)
