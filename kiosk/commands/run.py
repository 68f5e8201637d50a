"""The ``run`` command (the default): the kiosk itself, full screen or in a window."""

from __future__ import annotations

import argparse
import logging

from kiosk.app.wiring import build_app
from kiosk.commands.report import report_config
from kiosk.content.config import load_config, pick_staff_file
from kiosk.devices.display import DisplayError
from kiosk.devices.usagedb import default_state_dir

log = logging.getLogger("kiosk")


def main(args: argparse.Namespace) -> int:
    staff_file = pick_staff_file(args.config).path
    config = load_config(staff_file)
    report_config(config)
    try:
        app = build_app(
            config,
            size=args.size,
            fullscreen=not args.windowed,
            state_dir=args.state_dir or default_state_dir(),
            staff_file=staff_file,
        )
    except DisplayError as err:
        log.error("%s", err)
        return 3
    app.install_signal_handlers()
    return app.run()
