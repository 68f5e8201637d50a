"""The command line: ``acupressure-kiosk [COMMAND]`` (``python -m kiosk`` is the same).

    acupressure-kiosk [--config FILE] [--windowed] [--size WxH]   run the kiosk
    acupressure-kiosk defaults                                     print the built-in config
    acupressure-kiosk check --config FILE                          validate a staff file
    acupressure-kiosk screenshots [--config FILE] --size WxH --out DIR

Each command is a module of this package with a ``main(args)`` that returns the exit
status; it is imported only when chosen, so ``defaults`` and ``--help`` never load pygame.
A new command is a new module here and a line in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path

#: Command name -> the module under ``kiosk.commands`` that carries it out.
COMMANDS = {"run": "run", "defaults": "defaults", "check": "check", "screenshots": "screenshots"}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    # A staff file can hold text that is not valid UTF-8 when printed (an escaped lone
    # surrogate such as "\uD800"): show it escaped rather than fail while reporting it.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.captureWarnings(True)
    command = importlib.import_module(f"kiosk.commands.{COMMANDS[args.command or 'run']}")
    try:
        return command.main(args)
    except KeyboardInterrupt:
        return 0


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="staff configuration file (YAML); only the keys it changes",
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    parser = argparse.ArgumentParser(
        prog="acupressure-kiosk",
        parents=[common],
        description="Acupressure kiosk for low back pain.",
    )
    parser.add_argument(
        "--windowed",
        action="store_true",
        help="run in a window (the keyboard's space/enter is the button)",
    )
    parser.add_argument("--size", type=_size, metavar="WxH", help="exact screen size in pixels")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", parents=[common], help="run the kiosk (the default)")
    sub.add_parser(
        "defaults", parents=[common], help="print the complete built-in configuration as YAML"
    )
    sub.add_parser("check", parents=[common], help="validate a configuration file")
    shots = sub.add_parser("screenshots", parents=[common], help="render every screen to PNG")
    shots.add_argument("--size", type=_size, metavar="WxH", default=(1920, 1080))
    shots.add_argument("--out", type=Path, metavar="DIR", default=Path("screenshots"))
    return parser


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        message = f"expected WIDTHxHEIGHT such as 1920x1080, got {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not (100 <= width <= 8192 and 100 <= height <= 8192):
        raise argparse.ArgumentTypeError(f"{text}: each side must be 100 to 8192 pixels")
    return width, height
