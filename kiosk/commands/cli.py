"""The command line: ``acupressure-kiosk [COMMAND]`` (``python -m kiosk`` is the same).

    acupressure-kiosk [run] [--config FILE] [--windowed] [--size WxH] [--state-dir DIR]
    acupressure-kiosk defaults                          print the built-in configuration
    acupressure-kiosk check [--config FILE]             validate a staff file
    acupressure-kiosk screenshots [--config FILE] [--size WxH] [--out DIR] [--language CODE]
    acupressure-kiosk stats [--state-dir DIR] [--since YYYY-MM-DD] [--csv] [--chart FILE.png]
                                                        usage counts (and a chart of them)

Without ``--config``, the installed kiosk's file when there is one, else the built-in
configuration (:func:`kiosk.content.config.pick_staff_file`).

``--size`` is at least :data:`MIN_SIZE` (320x240, or 240x320 upright) and at most 8192 a
side. The layout is made for 800x480 (the 7-inch touchscreen) up to 4K: smaller sizes are for
small screens read at arm's length and for previews, with text in proportion to the screen
and so below the reading floor from two metres, and a drawing may be left out to make room
for the text. A mistyped command line is one line on stderr and exit status 2.

``--config`` and ``-v`` work before or after the command, and so do ``--windowed`` and
``--size`` for ``run`` (``acupressure-kiosk --windowed`` is ``acupressure-kiosk run
--windowed``) and ``--state-dir`` for ``run`` and ``stats``: the folder of the usage counts
(default: ``$STATE_DIRECTORY`` under systemd, else ``~/.local/state/acupressure-kiosk``,
:func:`kiosk.devices.usagedb.default_state_dir`).

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
from datetime import date
from pathlib import Path
from typing import NoReturn

from kiosk.core import stops
from kiosk.devices.journal import formatter_for

#: Command name -> the module under ``kiosk.commands`` that carries it out.
COMMANDS = {
    "run": "run",
    "defaults": "defaults",
    "check": "check",
    "screenshots": "screenshots",
    "stats": "stats",
}

#: Every log line: the level, the module, the message (under systemd, a priority before it).
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"

#: Options that only some commands use: destination -> those commands.
ONLY_FOR = {"windowed": ("run",), "size": ("run", "screenshots"), "state_dir": ("run", "stats")}

#: The size of ``screenshots`` when no ``--size`` is given (``run`` then takes the screen's).
SCREENSHOT_SIZE = (1920, 1080)

#: The smallest ``--size`` (landscape; its upright twin 240x320 too): every text of the
#: built-in content still fits, at 11 px and more. Sizes are fractions of the short side, so
#: below this the text is too few pixels to read.
MIN_SIZE = (320, 240)
#: The largest side of ``--size``.
MAX_SIDE = 8192


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    # A staff file can hold text that is not valid UTF-8 when printed (an escaped lone
    # surrogate such as "\uD800"): show it escaped rather than fail while reporting it.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    args = parse_args(argv)
    _set_up_logging(args.verbose)
    command = importlib.import_module(f"kiosk.commands.{COMMANDS[args.command]}")
    try:
        status = command.main(args)
    except KeyboardInterrupt:
        return 0
    return 0 if stops.early() else status  # a stop came and was swallowed on the way


def _set_up_logging(verbose: bool) -> None:
    """Log to stderr, one line a record; under systemd each line carries its priority for
    the journal (:mod:`kiosk.devices.journal`)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter_for(sys.stderr, LOG_FORMAT))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])
    logging.captureWarnings(True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The arguments, the same wherever an option was typed: ``--config FILE check`` and
    ``check --config FILE`` give the same result. ``command`` is always set (``run`` when
    none was given), and an option for another command is refused rather than ignored."""
    parser = _parser()
    args = parser.parse_args(argv)
    args.command = args.command or "run"
    for dest, commands in ONLY_FOR.items():
        if getattr(args, dest) not in (None, False) and args.command not in commands:
            parser.error(f"--{dest} works only with {' and '.join(commands)}")
    if args.command == "screenshots" and args.size is None:
        args.size = SCREENSHOT_SIZE
    return args


def _parser() -> argparse.ArgumentParser:
    """The top parser holds every option with its default. Each command's parser takes the
    options it accepts again with ``default=SUPPRESS``: it sets only what was typed after the
    command and never overwrites what was typed before it (which a shared ``parents=`` parser
    with real defaults does)."""
    parser = _Parser(prog="acupressure-kiosk", description="Acupressure kiosk for low back pain.")
    _common_options(parser)
    _run_options(parser)
    _state_option(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="run the kiosk (the default)")
    _common_options(run, typed_only=True)
    _run_options(run, typed_only=True)
    _state_option(run, typed_only=True)
    defaults = sub.add_parser("defaults", help="print the complete built-in configuration as YAML")
    _common_options(defaults, typed_only=True)
    check = sub.add_parser("check", help="validate a configuration file")
    _common_options(check, typed_only=True)
    shots = sub.add_parser("screenshots", help="render every screen to PNG")
    _common_options(shots, typed_only=True)
    width, height = SCREENSHOT_SIZE
    shots.add_argument(
        "--size",
        type=_size,
        metavar="WxH",
        default=argparse.SUPPRESS,
        help=f"size of the pictures in pixels, {SIZES} (default: {width}x{height})",
    )
    shots.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        default=Path("screenshots"),
        help="folder for the pictures (default: screenshots)",
    )
    shots.add_argument(
        "--language",
        metavar="CODE",
        default=None,
        help="render every screen in this language, e.g. es (default: the first shown)",
    )
    stats = sub.add_parser("stats", help="print the usage counts per week (or per day as CSV)")
    _common_options(stats, typed_only=True)
    _state_option(stats, typed_only=True)
    stats.add_argument(
        "--since",
        type=_date,
        metavar="YYYY-MM-DD",
        help="only sessions from this day on",
    )
    stats.add_argument(
        "--csv", action="store_true", help="one row a day as CSV instead of a table a week"
    )
    stats.add_argument(
        "--chart",
        type=Path,
        metavar="FILE.png",
        help="draw sessions per week and where people stop into this PNG picture "
        "(1600x900) instead of the table; with --csv, both",
    )
    return parser


class _Parser(argparse.ArgumentParser):
    """A mistyped command line is one line: what is wrong, and where to read more."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}. See: {self.prog} --help\n")


def _common_options(parser: argparse.ArgumentParser, typed_only: bool = False) -> None:
    """``--config`` and ``--verbose``, which every command takes. ``typed_only``: no default,
    so the option is set only when it was typed here."""
    unset = {"default": argparse.SUPPRESS} if typed_only else {}
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="staff configuration file (YAML); only the keys it changes",
        **unset,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail", **unset)


def _run_options(parser: argparse.ArgumentParser, typed_only: bool = False) -> None:
    """``--windowed`` and ``--size``, for ``run``, typed with or without the word ``run``."""
    unset = {"default": argparse.SUPPRESS} if typed_only else {}
    parser.add_argument(
        "--windowed",
        action="store_true",
        help="run in a window (the keyboard's space/enter is the button)",
        **unset,
    )
    parser.add_argument(
        "--size",
        type=_size,
        metavar="WxH",
        help=f"exact screen size in pixels, {SIZES}",
        **unset,
    )


def _state_option(parser: argparse.ArgumentParser, typed_only: bool = False) -> None:
    """``--state-dir``, for ``run`` and ``stats``, typed before or after the command."""
    unset = {"default": argparse.SUPPRESS} if typed_only else {}
    parser.add_argument(
        "--state-dir",
        type=Path,
        metavar="DIR",
        help="folder of the usage counts (default: $STATE_DIRECTORY under systemd, "
        "else ~/.local/state/acupressure-kiosk)",
        **unset,
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date such as 2026-12-01, got {text!r}"
        ) from None


#: The sizes ``--size`` takes, in the words of its help and its errors.
SMALLEST = f"{MIN_SIZE[0]}x{MIN_SIZE[1]}, or {MIN_SIZE[1]}x{MIN_SIZE[0]} upright"
SIZES = f"at least {SMALLEST}, at most {MAX_SIDE} a side"


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        message = f"expected WIDTHxHEIGHT such as 1920x1080, got {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if max(width, height) > MAX_SIDE:
        raise argparse.ArgumentTypeError(f"{text} is too big: each side is {MAX_SIDE} or less")
    if min(width, height) < min(MIN_SIZE) or max(width, height) < max(MIN_SIZE):
        raise argparse.ArgumentTypeError(f"{text} is too small to read: the smallest is {SMALLEST}")
    return width, height
