"""Reading the staff file again on ``systemctl reload`` (SIGHUP), off the main loop.

The loop hands a :class:`~kiosk.core.events.Hangup` to :meth:`StaffReload.start`, which reads
and checks the file on a thread of its own (:func:`kiosk.content.config.load_config`: only a
regular file, at most ``MAX_BYTES``; a named pipe or a device is a problem, never a wait) and
puts a :class:`~kiosk.core.events.Reloaded` in the inbox when it is done. The loop then
decides (:meth:`kiosk.app.loop.App.reloaded`): a good file is kept as pending and applied at
the next start screen; a file with errors changes nothing but the staff notice.

Hardware settings (pins, buzzer type, rotation) are not changed by a reload: reopening the
pins and the screen under a running kiosk could leave it without a button. A reload that
changes them says in the log that they apply after a restart, and the kiosk keeps the
hardware it runs on.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.content.config import Config, load_config
from kiosk.content.settings import Hardware
from kiosk.content.yamlfile import Problem
from kiosk.core.events import Inbox, Reloaded

log = logging.getLogger(__name__)


class StaffReload:
    """The staff file the kiosk runs on, read again on request.

    :param path: the staff file (None: the kiosk runs on the built-in configuration and
        there is nothing to read again).
    :param config: the configuration running now.
    :param inbox: where the result goes, as a :class:`~kiosk.core.events.Reloaded`.
    :param load: reads a file into a :class:`~kiosk.content.config.Config` (tests).
    """

    def __init__(
        self,
        path: Path | None,
        config: Config,
        inbox: Inbox,
        load: Callable[[Path], Config] = load_config,
    ) -> None:
        self.path = path
        self.running = config
        self.inbox = inbox
        self.load = load
        #: A good file read and waiting for the next start screen, or None.
        self.pending: Config | None = None
        #: The errors of the last file read, when it had some (the staff notice shows).
        self.failed: tuple[Problem, ...] = ()
        self._thread: threading.Thread | None = None
        self._again = False

    @property
    def reading(self) -> bool:
        """True while the file is being read on the reload thread."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Read the file again on a thread; a request while one reads reads it once more
        when that is done (the file may have changed meanwhile)."""
        if self.path is None:
            log.info(
                "SIGHUP received: the kiosk runs on the built-in configuration, there is no "
                "staff file to read again"
            )
            return
        if self.reading:
            if not self._again:
                log.info(
                    "SIGHUP received while the staff file is being read: it is read once "
                    "more when that is done"
                )
            self._again = True
            return
        log.info("SIGHUP received: reading the staff file %s again", self.path)
        self._read_on_thread()

    def _read_on_thread(self) -> None:
        self._thread = threading.Thread(target=self._read, name="reload", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.path is not None
        try:
            config = self.load(self.path)
        except Exception as err:  # load_config does not raise for a bad file; anything else
            log.exception("Reading the staff file again failed")
            config = _unreadable(self.running, str(self.path), f"{type(err).__name__}: {err}")
        self.inbox.put(Reloaded(config))

    def done(self, config: Config) -> bool:
        """The file was read: keep it for the next start screen when it is good (True), or
        log its errors and keep what runs (False). Reads it again if asked meanwhile."""
        if self._again:
            self._again = False
            log.info("Reading the staff file %s once more, as asked while it was read", self.path)
            self._read_on_thread()
        errors = config.errors
        if errors:
            for problem in errors:
                log.error("Config error: %s", problem)
            log.error(
                "The staff file has %d problem%s: kept the content that was running "
                "(see the lines above). Fix them, check with: acupressure-kiosk check "
                "--config %s, then: sudo systemctl reload acupressure-kiosk",
                len(errors),
                "" if len(errors) == 1 else "s",
                self.path,
            )
            self.failed = tuple(errors)
            self.pending = None  # the file says something else now: nothing older applies
            return False
        for problem in config.problems:
            log.warning("Config warning: %s", problem)
        changed = _hardware_changes(self.running.hardware, config.hardware)
        if changed:
            log.warning(
                "The staff file changes %s: hardware settings apply only after a restart "
                "(sudo systemctl restart acupressure-kiosk); until then the kiosk keeps "
                "the ones it runs on",
                ", ".join(f"hardware.{name}" for name in changed),
            )
        if config.schedule != self.running.schedule:
            log.warning(
                "The staff file changes the opening hours (schedule:): they apply only after "
                "a restart (sudo systemctl restart acupressure-kiosk); until then the kiosk "
                "keeps the ones it runs on"
            )
        if config.usage != self.running.usage:
            log.warning(
                "The staff file changes usage.metrics_file: it applies only after a restart "
                "(sudo systemctl restart acupressure-kiosk); until then the kiosk keeps "
                "the one it runs on"
            )
        self.pending = dataclasses.replace(
            config,
            hardware=self.running.hardware,
            schedule=self.running.schedule,
            usage=self.running.usage,
        )
        log.info("Reloaded the staff file: applies at the next start screen")
        return True

    def take(self) -> Config | None:
        """The pending configuration, now running (None when there is none)."""
        config, self.pending = self.pending, None
        if config is not None:
            self.running = config
            self.failed = ()
        return config


def _hardware_changes(running: Hardware, new: Hardware) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(running)
        if getattr(running, f.name) != getattr(new, f.name)
    ]


def _unreadable(running: Config, source: str, why: str) -> Config:
    """A configuration that stands for a file that could not be read at all: one error."""
    return dataclasses.replace(running, problems=(Problem(source, why),), fallback=True)
