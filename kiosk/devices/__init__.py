"""The adapters to the outside world, one module each: the display and SDL input (pygame),
the button and LED (gpiozero), the buzzer, systemd's notify socket, and the priorities of log
lines for systemd's journal.

Each is thin, opened at the edge by :mod:`kiosk.app.wiring` and passed in; threads only hand
events to the main loop. A new device is a new module here behind a small interface.
"""
