"""Acupressure kiosk: a Raspberry Pi kiosk that guides a patient through acupressure points.

Start at :mod:`kiosk.session` (the pure state machine), :mod:`kiosk.app` (the main loop) and
:mod:`kiosk.build` (how the parts are wired); ``python -m kiosk --help`` lists the commands.
Importing the package does nothing else.
"""
