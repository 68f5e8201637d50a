"""The ``defaults`` command: the complete built-in configuration as commented YAML."""

from __future__ import annotations

import argparse
import sys

from kiosk.content.settings import defaults_yaml


def main(args: argparse.Namespace) -> int:
    sys.stdout.write(defaults_yaml())
    return 0
