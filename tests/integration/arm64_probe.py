"""Probes the arm64 test runs inside the emulated root with the installed venv's Python.

Standalone (standard library only, plus whatever it probes), so it can be copied into a root
and run there; each probe prints one JSON object on stdout:

- ``sdl-drivers``: the video drivers compiled into the SDL library pygame actually loaded,
  listed through SDL's own ``SDL_GetNumVideoDrivers``/``SDL_GetVideoDriver``. Only this list
  tells a KMSDRM-capable SDL from one without: ``SDL_Init`` says "kmsdrm not available" both
  when the driver is missing and when there is merely no DRM device.
- ``kmsdrm-libs``: loads (``ctypes.CDLL``) each system library SDL's KMSDRM driver opens at
  run time and reports which failed.
- ``lgpio``: imports lgpio and opens a GPIO chip that is not there, reporting the exception
  (type and message) instead of crashing.

Usage: ``python arm64_probe.py sdl-drivers|kmsdrm-libs|lgpio``
"""

from __future__ import annotations

import ctypes
import glob
import json
import os
import sys

KMSDRM_LIBRARIES = ("libdrm.so.2", "libgbm.so.1", "libEGL.so.1", "libGLESv2.so.2")


def sdl_library_path() -> str:
    """Path of the libSDL2 pygame loaded: from the process maps, else the wheel's .libs."""
    import pygame  # loads the bundled SDL

    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if os.path.basename(path).startswith("libSDL2-2"):  # not libSDL2_image etc.
                return path
    package_dir = os.path.dirname(os.path.dirname(pygame.__file__))
    found = sorted(glob.glob(os.path.join(package_dir, "pygame*.libs", "libSDL2-2*")))
    if not found:
        raise FileNotFoundError(f"no libSDL2 loaded and none under {package_dir}/pygame*.libs")
    return found[0]


def sdl_drivers() -> dict[str, object]:
    """The compiled-in SDL video drivers of pygame's SDL, and which pygame this is."""
    import pygame

    path = sdl_library_path()
    sdl = ctypes.CDLL(path)
    sdl.SDL_GetNumVideoDrivers.restype = ctypes.c_int
    sdl.SDL_GetVideoDriver.restype = ctypes.c_char_p
    sdl.SDL_GetVideoDriver.argtypes = [ctypes.c_int]
    count = sdl.SDL_GetNumVideoDrivers()
    drivers = [sdl.SDL_GetVideoDriver(index).decode() for index in range(count)]
    return {
        "library": path,
        "drivers": drivers,
        "pygame": pygame.version.ver,
        "pygame_ce": getattr(pygame, "IS_CE", False),
        "sdl": ".".join(map(str, pygame.get_sdl_version())),
    }


def kmsdrm_libraries() -> dict[str, object]:
    """Which of the libraries KMSDRM loads at run time load here (error text if not)."""
    failed = {}
    for name in KMSDRM_LIBRARIES:
        try:
            ctypes.CDLL(name)
        except OSError as error:
            failed[name] = str(error)
    return {"libraries": list(KMSDRM_LIBRARIES), "failed": failed}


def lgpio_missing_chip() -> dict[str, object]:
    """Import lgpio and open a chip that does not exist; report how it fails."""
    import lgpio

    chip = 0
    while os.path.exists(f"/dev/gpiochip{chip}"):
        chip += 1
    try:
        handle = lgpio.gpiochip_open(chip)
    except Exception as error:  # the point: any exception type is reported, not a crash
        return {
            "module": lgpio.__file__,
            "chip": chip,
            "error_type": type(error).__name__,
            "error": str(error),
        }
    lgpio.gpiochip_close(handle)
    return {"module": lgpio.__file__, "chip": chip, "error_type": None, "error": None}


PROBES = {"sdl-drivers": sdl_drivers, "kmsdrm-libs": kmsdrm_libraries, "lgpio": lgpio_missing_chip}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in PROBES:
        print(f"usage: arm64_probe.py {'|'.join(PROBES)}", file=sys.stderr)
        return 2
    print(json.dumps(PROBES[argv[0]]()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
