"""Acupressure kiosk: a Raspberry Pi kiosk that guides a patient through acupressure points.

The folder tree is the architecture. Imports point down only; the contracts in
pyproject.toml (``[tool.importlinter]``) are checked by tests/test_architecture.py::

    commands/   the command line: run, defaults, check, screenshots, stats
       |
    app/        the main loop and the one place its parts are wired together
       |
    ui/  |  devices/    screens (theme, text fitting, layouts, painting, images)
       |                beside the adapters (display and SDL input, GPIO, buzzer, systemd,
       |                the usage counts' SQLite file)
    content/    the settings table, staff YAML with lines, validation, the content model
       |
    core/       the session state machine and its events: plain Python, no clock

Where a change goes: a new screen is a method of :class:`kiosk.ui.screens.Screens`; a new
setting a row in :data:`kiosk.content.settings.SETTINGS`; a new text a key in
``kiosk/content/builtin.yaml``; a new device a module in ``kiosk/devices/`` built in
:mod:`kiosk.app.wiring`; a new command a module in ``kiosk/commands/``. Start reading at
:mod:`kiosk.core.session`, then :mod:`kiosk.app.loop`. Importing the package does nothing.
"""
