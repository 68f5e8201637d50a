"""The kiosk's commands.

    acupressure-kiosk [--config FILE] [--windowed] [--size WxH]   run the kiosk
    acupressure-kiosk defaults                                     print the built-in config
    acupressure-kiosk check --config FILE                          validate a staff file
    acupressure-kiosk screenshots [--config FILE] --size WxH --out DIR

``python -m kiosk`` is the same program.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger("kiosk")


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
    command = args.command or "run"
    try:
        return {"run": run, "defaults": defaults, "check": check, "screenshots": screenshots}[
            command
        ](args)
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


# -- commands ------------------------------------------------------------------------------


def defaults(args: argparse.Namespace) -> int:
    from kiosk.config import defaults_yaml

    sys.stdout.write(defaults_yaml())
    return 0


def check(args: argparse.Namespace) -> int:
    """Print every problem of the staff file; exit 1 if there is an error."""
    from kiosk.checking import check_config

    problems = check_config(args.config)
    for line in problems.lines:
        print(line)
    print(problems.summary, file=sys.stderr)
    return 1 if problems.errors else 0


def screenshots(args: argparse.Namespace) -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from kiosk.config import load_config
    from kiosk.tour import save_screenshots

    config = load_config(args.config)
    _report(config)
    files = save_screenshots(config, args.size, args.out)
    print(f"{len(files)} screens saved in {args.out}")
    return 1 if config.fallback else 0


def run(args: argparse.Namespace) -> int:
    from kiosk.config import load_config

    config = load_config(args.config)
    _report(config)
    from kiosk.build import build_app
    from kiosk.display import DisplayError

    try:
        app = build_app(config, size=args.size, fullscreen=not args.windowed)
    except DisplayError as err:
        log.error("%s", err)
        return 3
    app.install_signal_handlers()
    return app.run()


def _report(config) -> None:  # type: ignore[no-untyped-def]
    """Log the staff file's problems, one line each, for the journal."""
    for problem in config.problems:
        if problem.is_error:
            log.error("Config error: %s", problem)
        else:
            log.warning("Config warning: %s", problem)
    if config.fallback:
        log.error(
            "Using the built-in content: the staff file has errors (see above); only its "
            "hardware settings (pins) are used. "
            "Fix them, check with: acupressure-kiosk check --config %s",
            config.source,
        )
    else:
        log.info("Configuration: %s", config.source)


if __name__ == "__main__":
    sys.exit(main())
