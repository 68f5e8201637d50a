"""Rewrite the generated parts of the docs from the code (``./dev.sh docs``).

The settings table in docs/configuration.md comes from
:data:`kiosk.content.settings.SETTINGS`; tests/test_docs.py fails while it is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from kiosk.content.settings import settings_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
BLOCK = re.compile(r"(<!-- settings:start.*?-->\n)(.*?)(<!-- settings:end -->)", re.S)


def main() -> int:
    text = DOC.read_text()
    if not BLOCK.search(text):
        print(f"{DOC}: no <!-- settings:start --> ... <!-- settings:end --> block", file=sys.stderr)
        return 1
    updated = BLOCK.sub(lambda m: m.group(1) + settings_markdown() + m.group(3), text)
    if updated != text:
        DOC.write_text(updated)
        print(f"{DOC}: settings table rewritten")
    else:
        print(f"{DOC}: up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
