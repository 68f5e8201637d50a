"""What the kiosk says and how it is set up: the settings table, staff YAML read with lines,
validation, the content model and the built-in content.

Nothing here draws or touches a pin. A new setting is a row in :mod:`kiosk.content.settings`;
a new text is a key in ``builtin.yaml`` (and the screen that shows it).
"""
