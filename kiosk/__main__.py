"""``python -m kiosk``: the same program as ``acupressure-kiosk`` (:mod:`kiosk.commands.cli`)."""

import sys

from kiosk.commands.cli import main

if __name__ == "__main__":
    sys.exit(main())
