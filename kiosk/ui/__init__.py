"""The screens: theme, text fitting, screen elements, one layout per screen, painting.

Layouts are built from the screen size and the content alone (no display needed), then painted
onto a pygame surface; :mod:`kiosk.ui.renderer` repaints only what changed. A new screen is a
method of :class:`kiosk.ui.screens.Screens` and a stop on :func:`kiosk.ui.tour.tour`.
"""
