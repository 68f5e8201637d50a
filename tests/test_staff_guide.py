"""Every command in docs/staff-guide.md works when pasted on an installed Pi.

The guide is for clinic staff: each line of its ``sh`` blocks runs a program that Raspberry
Pi OS Lite has (or that the guide installs first, or the kiosk's installer puts there), with
no placeholders to fill in, no ``python`` (Debian has only ``python3``) and no
``python -m kiosk`` (installed, the program is ``acupressure-kiosk``). The release file it
names is the one ``make dist`` makes of this version.
"""

from __future__ import annotations

import re

import guide
import pytest

# What a command line of the guide may start with (after `sudo`).
PROGRAMS = {
    "acupressure-kiosk",  # /usr/local/bin/acupressure-kiosk, made by the installer
    "apt-get",
    "cat",
    "cd",
    "cp",
    "journalctl",
    "make",  # installed by the guide's own install step
    "mount",
    "nano",
    "reboot",
    "rm",
    "scp",  # on the staff member's computer
    "setfacl",  # from the acl package, which the guide installs first
    "ssh",
    "systemctl",
    "tar",
    "umount",
}
PLACEHOLDER = re.compile(r"<[^>!]*>|\bYOUR[_ ]|\bx\.y\.z\b", re.IGNORECASE)
BARE_PYTHON = re.compile(r"(?<![\w/.-])python(?![\w.-])")
RELEASE = re.compile(r"acupressure-kiosk-(\d[\w.+-]*?)(?=\.tar\.gz|[\s`/:]|$)")


def command_lines(text: str | None = None) -> list[str]:
    return [line for lang, lines in guide.blocks(text) if lang == "sh" for line in lines]


def inline_code(text: str) -> list[str]:
    no_blocks = guide.FENCE.sub("", text)
    return re.findall(r"`([^`\n]+)`", no_blocks)


def problems(text: str) -> list[str]:
    found = []
    for line in command_lines(text):
        command = line.split("#", 1)[0].strip()
        for part in re.split(r"&&|\|", command):
            words = part.split()
            if words and words[0] == "sudo":
                words = words[1:]
            if not words or words[0] not in PROGRAMS:
                found.append(f"not a program staff have: {line!r}")
    for line in command_lines(text):
        if "..." in line.split("#", 1)[0]:
            found.append(f"a placeholder: {line!r}")
    # Inline code is commands and the messages staff see (those may end in "...").
    for code in command_lines(text) + inline_code(text):
        if PLACEHOLDER.search(code.split("#", 1)[0]):
            found.append(f"a placeholder: {code!r}")
        if BARE_PYTHON.search(code) or "-m kiosk" in code:
            found.append(f"python instead of acupressure-kiosk: {code!r}")
    return found


def test_every_command_in_the_guide_can_be_pasted() -> None:
    assert problems(guide.GUIDE.read_text()) == []


@pytest.mark.parametrize(
    "bad",
    [
        "```sh\ngit clone <the project's git address> acupressure-kiosk\n```\n",
        "```sh\npython -m kiosk check\n```\n",
        "Run `python -m kiosk check`.\n",
        "Copy them with `scp -r <user>@<pi address>:screens .`\n",
        "```sh\nsudo pip install kiosk\n```\n",
    ],
)
def test_the_check_finds_what_staff_could_not_paste(bad: str) -> None:
    assert problems(bad), bad


def test_the_guide_names_this_version_s_release_file() -> None:
    text = guide.GUIDE.read_text()
    versions = set(RELEASE.findall(text))
    assert versions == {guide.version()}, f"pyproject.toml says {guide.version()}: {versions}"


def test_the_install_block_unpacks_the_release_and_installs() -> None:
    release = guide.release_name()
    steps = guide.install_steps()
    assert f"tar -xf {release}.tar.gz" in steps
    assert steps.index(f"cd {release}") > steps.index(f"tar -xf {release}.tar.gz")
    assert steps[-1] == "sudo make install"
    assert "sudo reboot" in command_lines()


def test_the_install_block_is_found_only_right_after_its_marker() -> None:
    with pytest.raises(AssertionError, match="no ```sh block"):
        guide.install_steps(f"{guide.MARKER} -->\n```\nsudo make install\n```\n")
    with pytest.raises(AssertionError, match="directly"):
        guide.install_steps(f"{guide.MARKER} -->\n\nSome words.\n\n```sh\ncd ~\n```\n")
    assert guide.install_steps(f"  {guide.MARKER} -->\n  ```sh\n  cd ~\n  make\n  ```\n") == [
        "cd ~",
        "make",
    ]
