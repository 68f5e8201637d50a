"""Logging a staff file's problems at start-up, one line each, for the journal."""

from __future__ import annotations

import logging

from kiosk.content.config import Config

log = logging.getLogger("kiosk")


def report_config(config: Config) -> None:
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
