"""The staff guide's commands, read from docs/staff-guide.md, so the tests run what it says.

The install steps are the ``sh`` block right after the ``<!-- install-steps ... -->`` comment
(tests/integration/test_nspawn.py runs them, line by line, in one shell).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "staff-guide.md"
MARKER = "<!-- install-steps"
FENCE = re.compile(r"^[ \t]*```(\w*)[ \t]*\n(.*?)^[ \t]*```[ \t]*$", re.MULTILINE | re.DOTALL)


def version() -> str:
    """The project's version, from pyproject.toml."""
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["version"]


def release_name() -> str:
    """The release file's folder name: acupressure-kiosk-VERSION."""
    return f"acupressure-kiosk-{version()}"


def make_release(target: Path, path: str) -> None:
    """The project as staff get it: the release file ``make dist`` makes of this tree, at
    ``target`` (``path``: the PATH to run make with)."""
    out = target.parent / "dist-out"
    subprocess.run(
        ["make", "-C", str(ROOT), "dist", f"DISTDIR={out}"],
        capture_output=True,
        check=True,
        env={"PATH": path},
    )
    shutil.move(out / f"{release_name()}.tar.gz", target)
    out.rmdir()
    with tarfile.open(target) as archive:
        assert f"{release_name()}/MANIFEST.sha256" in archive.getnames()


def blocks(text: str | None = None) -> list[tuple[str, list[str]]]:
    """Every fenced block of the guide: (its language, its lines without the indent)."""
    text = GUIDE.read_text() if text is None else text
    found = []
    for match in FENCE.finditer(text):
        lines = [line.strip() for line in match.group(2).splitlines()]
        found.append((match.group(1), [line for line in lines if line]))
    return found


def install_steps(text: str | None = None) -> list[str]:
    """The commands of the guide's install block, one a line, as written."""
    text = GUIDE.read_text() if text is None else text
    if MARKER not in text:
        raise AssertionError(f"docs/staff-guide.md has no {MARKER} comment")
    after = text.split(MARKER, 1)[1]
    match = FENCE.search(after)
    if match is None or match.group(1) != "sh":
        raise AssertionError(f"no ```sh block after {MARKER} in docs/staff-guide.md")
    if after[: match.start()].count("\n") > 1:
        raise AssertionError(f"the install block must follow {MARKER} directly")
    return [line.strip() for line in match.group(2).splitlines() if line.strip()]
