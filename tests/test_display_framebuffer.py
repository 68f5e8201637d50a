"""On the console the kiosk asks SDL for its GLES2 framebuffer, unless told otherwise.

The proof that it matters (a black screen without it, the exact frame with it) is in the VM
test (tests/integration/test_vm.py, ``framebuffer-default``); this is the rule itself.
"""

from __future__ import annotations

import os

import pytest

from kiosk.devices.display import KMSDRM_FRAMEBUFFER, prefer_gles2_framebuffer

HINT = "SDL_FRAMEBUFFER_ACCELERATION"


@pytest.fixture
def no_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HINT, raising=False)


@pytest.mark.usefixtures("no_hint")
def test_kmsdrm_gets_gles2() -> None:
    assert prefer_gles2_framebuffer("KMSDRM")
    assert os.environ[HINT] == KMSDRM_FRAMEBUFFER == "opengles2"


@pytest.mark.usefixtures("no_hint")
@pytest.mark.parametrize("driver", ["x11", "wayland", "dummy", "offscreen"])
def test_other_drivers_are_left_alone(driver: str) -> None:
    assert not prefer_gles2_framebuffer(driver)
    assert HINT not in os.environ


def test_a_hint_from_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HINT, "opengl")
    assert not prefer_gles2_framebuffer("KMSDRM")
    assert os.environ[HINT] == "opengl"
