"""The documents say what the code does."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from kiosk.content.settings import SETTINGS, settings_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_configuration_doc_lists_the_settings_table() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    block = re.search(r"<!-- settings:start.*?-->\n(.*?)<!-- settings:end -->", text, re.S)
    assert block is not None
    assert block.group(1) == settings_markdown(), "stale: run ./dev.sh docs"


def test_configuration_doc_states_the_limits_the_code_has() -> None:
    from kiosk.content.validation import MAX_TEXT_CHARS
    from kiosk.content.yamlfile import MAX_BYTES

    text = (ROOT / "docs" / "configuration.md").read_text()
    limits = text.split("## Limits\n", 1)[1].split("\n## ", 1)[0]
    assert f"at most {MAX_BYTES} bytes (" in limits and "`MAX_BYTES`" in limits
    assert f"at most {MAX_TEXT_CHARS} characters (" in limits and "`MAX_TEXT_CHARS`" in limits


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert [c for c in commands if c] == ["./dev.sh run", "./dev.sh test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.rstrip().splitlines()[-1] == "exec ./dev.sh test"


def test_every_setting_is_documented_in_defaults() -> None:
    from kiosk.content.settings import defaults_yaml

    text = defaults_yaml()
    for setting in SETTINGS:
        assert f"  {setting.name}:" in text
        assert setting.doc in text


def test_configuration_doc_states_the_limits_for_drawings() -> None:
    from kiosk.ui import imagefile

    text = (ROOT / "docs" / "configuration.md").read_text()
    limits = text.split("## Limits for drawings", 1)[1]
    assert f"{imagefile.MAX_PIXELS // 1_000_000} megapixels" in limits
    assert f"{imagefile.MAX_PIXELS_EXAMPLE}" in limits
    assert f"{imagefile.MAX_RASTER_BYTES // 2**20} MB" in limits
    assert f"{imagefile.MAX_SVG_BYTES // 2**20} MB" in limits
    assert f"{imagefile.MAX_SVG_NUMBERS:,} numbers" in limits
    assert f"{imagefile.MAX_SVG_ELEMENTS} elements" in limits


# -- every command in the README works when pasted in a fresh clone -------------------------

#: The first words that make a code span a command to paste (a program, not a name).
PROGRAMS = {
    "./dev.sh",
    "make",
    "sudo",
    "acupressure-kiosk",
    "journalctl",
    "systemctl",
    "python",
    "python3",
    "pip",
    "pip3",
    "pytest",
}
#: Tools of the system an installed kiosk runs on (Debian with systemd).
SYSTEM_TOOLS = {"journalctl", "systemctl"}
#: Words of the command table that stand for a value: what a reader would type for them.
PLACEHOLDERS = {"FILE": "mine.yaml", "DIR": "out", "WxH": "800x480", "YYYY-MM-DD": "2026-12-01"}


def dev_sh_commands() -> set[str]:
    """The commands `./dev.sh` carries out: the arms of its `case`."""
    text = (ROOT / "dev.sh").read_text()
    arms = re.findall(r"^    ([a-z]+(?:\|[a-z]+)*)\)", text, re.M)
    return {name for arm in arms for name in arm.split("|")}


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), re.M))


def readme_commands(text: str) -> list[str]:
    """Every command of the README: each line of its shell code blocks, and each code span
    that starts with a program."""
    commands = []
    for block in re.findall(r"```(?:sh|bash|shell|console)\n(.*?)```", text, re.S):
        lines = (line.split(" #")[0].strip() for line in block.splitlines())
        commands += [line for line in lines if line and not line.startswith("#")]
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for span in re.findall(r"`([^`]+)`", prose):
        words = span.split()
        if words and (words[0] in PROGRAMS or words[0].startswith(("./", ".venv/bin/"))):
            commands.append(" ".join(words))
    return commands


def kiosk_problem(words: list[str]) -> str | None:
    """Why the kiosk's command line refuses ``words`` (None: it takes them)."""
    from kiosk.commands import cli

    argv = [
        PLACEHOLDERS.get(w, w) for w in " ".join(words).replace("[", "").replace("]", "").split()
    ]
    argv = [w for w in argv if w not in ("ARGS", "...")]
    try:
        cli.parse_args(argv)
    except SystemExit:
        return f"the kiosk refuses {argv}"
    return None


def command_problem(command: str) -> str | None:
    """Why ``command`` would not work pasted in a fresh clone (None: it would)."""
    program, *rest = command.split()
    if program == "sudo":
        return command_problem(" ".join(rest)) if rest else "sudo what?"
    if program == "./dev.sh":
        known = dev_sh_commands()
        rest = rest or ["run"]  # its default
        if rest[0] not in known:
            return f"./dev.sh has no command {rest[0]!r} (it has {sorted(known)})"
        if rest[0] == "kiosk":
            return kiosk_problem(rest[1:])
        if rest[0] == "run":
            return kiosk_problem(["--windowed", *rest[1:]])
        return None
    if program == "make":
        targets = [w for w in rest if "=" not in w and not w.startswith("-")]
        unknown = [t for t in targets if t not in make_targets()]
        return f"the Makefile has no target {unknown}" if unknown else None
    if program == "acupressure-kiosk":
        return kiosk_problem(rest)
    if program.startswith(".venv/bin/"):
        name = program.removeprefix(".venv/bin/")
        return None if (Path(sys.prefix) / "bin" / name).exists() else f"no {program}"
    if program in SYSTEM_TOOLS:
        return None
    return f"{program!r}: not there in a fresh clone (Debian has no `python`; use ./dev.sh)"


def test_every_readme_command_works_when_pasted_in_a_fresh_clone() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = readme_commands(readme)
    assert "./dev.sh kiosk check [--config FILE]" in commands  # the table is read
    problems = {c: command_problem(c) for c in commands}
    assert {c: p for c, p in problems.items() if p} == {}


def test_every_row_of_the_readme_command_table_is_a_command() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) >= 4
    for row in rows:
        first = re.findall(r"`([^`]+)`", row.split(" | ")[0])
        assert first and all(readme_commands(f"`{c}`") == [c] for c in first), row


@pytest.mark.parametrize(
    "command",
    [
        "python -m kiosk check",
        "./dev.sh chek",
        "./dev.sh kiosk chek",
        "./dev.sh kiosk check --windowed",
        "./dev.sh run --sise 800x480",
        "acupressure-kiosk screenshots --size 100x100",
        "make kioskk",
        ".venv/bin/no-such-tool",
        "sudo python3 -m kiosk",
    ],
)
def test_a_command_that_would_fail_is_caught(command: str) -> None:
    """The check above is not a rubber stamp: each of these is a README line that would fail."""
    assert command_problem(command) is not None


def test_each_dev_sh_command_has_the_make_target_of_its_name() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for name in dev_sh_commands():
        assert re.search(rf"^{name}:\n\t\./dev\.sh {name}\b", makefile, re.M), name
    called = set(re.findall(r"^\t\./dev\.sh ([a-z]+)", makefile, re.M))
    assert called <= dev_sh_commands()
    phony = re.search(r"^\.PHONY: (.*)$", makefile, re.M)
    assert phony is not None and make_targets() <= set(phony.group(1).split())


def test_readme_states_the_smallest_size() -> None:
    from kiosk.commands import cli

    width, height = cli.MIN_SIZE
    readme = (ROOT / "README.md").read_text()
    assert f"`--size` takes {width}x{height} ({height}x{width} upright)" in readme
