"""Tests for the staff installer in prefix mode and for the unit it installs.

`scripts/install.sh --destdir DIR` (= `make install DESTDIR=DIR`) writes every file under DIR
without touching the system; these tests check that tree, then let systemd judge the installed
unit offline: `systemd-analyze verify` (which only warns on unknown keys, so stderr is read) and
`systemd-analyze security --offline=yes` (exposure 2.0 or lower). The real install on a booted
systemd is tests/integration/test_nspawn.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALL = ROOT / "scripts" / "install.sh"
UNINSTALL = ROOT / "scripts" / "uninstall.sh"
UNIT_NAME = "acupressure-kiosk.service"
UNIT = Path("etc/systemd/system") / UNIT_NAME
CONFIG = Path("etc/acupressure-kiosk/config.yaml")
EXEC_START = Path("opt/acupressure-kiosk/venv/bin/acupressure-kiosk")
HOST_UNITS = Path("/usr/lib/systemd/system")
STAFF_CONFIG = "# edited by the clinic\n"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, env=env, check=False, timeout=120
    )


def install(destdir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    result = run("sh", INSTALL, "--destdir", destdir, "--python", sys.executable, *options)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def defaults_available() -> bool:
    """`python -m kiosk defaults` is the application's; the installer only calls it."""
    return run(sys.executable, "-m", "kiosk", "defaults").returncode == 0


@pytest.fixture
def destdir(tmp_path: Path) -> Path:
    """An install prefix that already has a staff config (so no `defaults` run is needed)."""
    root = tmp_path / "root"
    (root / CONFIG).parent.mkdir(parents=True)
    (root / CONFIG).write_text(STAFF_CONFIG)
    install(root)
    return root


def systemd_root(destdir: Path) -> Path:
    """Make the prefix a root systemd-analyze can load the unit from: the system's own units
    (for sysinit.target and friends) and a stand-in for the ExecStart program, which verify
    requires to exist (the venv is only built by a real install)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None or not (HOST_UNITS / "sysinit.target").exists():
        pytest.skip("needs systemd-analyze and /usr/lib/systemd/system (Debian package: systemd)")
    shutil.copytree(HOST_UNITS, destdir / "usr/lib/systemd/system", symlinks=True)
    program = destdir / EXEC_START
    program.parent.mkdir(parents=True, exist_ok=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    return destdir


def verify(root: Path) -> subprocess.CompletedProcess[str]:
    return run("systemd-analyze", "verify", "--man=no", f"--root={root}", UNIT_NAME)


def test_prefix_install_writes_the_tree(destdir: Path) -> None:
    unit = destdir / UNIT
    assert unit.read_text() == (ROOT / "systemd" / UNIT_NAME).read_text()
    link = destdir / "etc/systemd/system/multi-user.target.wants" / UNIT_NAME
    assert os.readlink(link) == "/" + str(UNIT)
    share = destdir / "opt/acupressure-kiosk/share"
    assert sorted(p.name for p in share.iterdir()) == [
        "staff-guide.md",
        "uninstall.sh",
        "wiring.svg",
    ]
    assert os.access(share / "uninstall.sh", os.X_OK)
    assert (destdir / CONFIG).read_text() == STAFF_CONFIG
    written = {p.relative_to(destdir).parts[0] for p in destdir.iterdir()}
    assert written == {"etc", "opt", "usr"}
    command = destdir / "usr/local/bin/acupressure-kiosk"
    assert os.readlink(command) == "/" + str(EXEC_START)


def test_config_is_never_overwritten(destdir: Path) -> None:
    result = install(destdir)
    assert "keeping the existing /etc/acupressure-kiosk/config.yaml" in result.stdout
    assert (destdir / CONFIG).read_text() == STAFF_CONFIG


@pytest.mark.skipif(not defaults_available(), reason="`python -m kiosk defaults` not there yet")
def test_config_is_the_commented_defaults(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    install(tmp_path)
    text = (tmp_path / CONFIG).read_text()
    assert text == run(sys.executable, "-m", "kiosk", "defaults").stdout
    assert text.lstrip().startswith("#")
    assert isinstance(yaml.safe_load(text), dict)
    assert oct((tmp_path / CONFIG).stat().st_mode & 0o777) == "0o644"


def test_unit_verifies(destdir: Path) -> None:
    result = verify(systemd_root(destdir))
    assert result.returncode == 0, result.stderr
    assert UNIT_NAME not in result.stderr, result.stderr  # unknown keys or bad values only warn


def test_unit_verify_catches_a_broken_unit(destdir: Path) -> None:
    root = systemd_root(destdir)
    unit = root / UNIT
    unit.write_text(unit.read_text().replace("WatchdogSec=", "WatchdogSecs="))
    assert "Unknown key 'WatchdogSecs'" in verify(root).stderr
    (root / EXEC_START).unlink()
    assert verify(root).returncode != 0


def test_unit_security_exposure_is_at_most_2(destdir: Path) -> None:
    root = systemd_root(destdir)
    result = run(
        "systemd-analyze",
        "security",
        "--offline=yes",
        f"--root={root}",
        "--threshold=20",
        "--no-pager",
        UNIT_NAME,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    level = result.stdout.rsplit("Overall exposure level for", 1)[1].split(":")[1].split()[0]
    assert float(level) <= 2.0


def test_unit_names_the_fixed_paths_and_environment() -> None:
    text = (ROOT / "systemd" / UNIT_NAME).read_text()
    for line in [
        "Type=notify",
        "User=kiosk",
        "Restart=always",
        "Conflicts=getty@tty1.service",
        "Environment=SDL_VIDEODRIVER=kmsdrm",
        "Environment=GPIOZERO_PIN_FACTORY=lgpio",
        "WorkingDirectory=/var/lib/acupressure-kiosk",
        "StateDirectory=acupressure-kiosk",
        "ExecStart=/opt/acupressure-kiosk/venv/bin/acupressure-kiosk"
        " --config /etc/acupressure-kiosk/config.yaml",
    ]:
        assert line in text.splitlines()


def test_boot_settings_are_added_once(destdir: Path) -> None:
    cmdline = destdir / "boot/firmware/cmdline.txt"
    cmdline.parent.mkdir(parents=True)
    original = "console=serial0,115200 console=tty1 root=PARTUUID=12-02 rootwait consoleblank=600\n"
    cmdline.write_text(original)
    install(destdir, "--boot-settings")
    once = cmdline.read_text()
    assert once == (
        "console=serial0,115200 console=tty1 root=PARTUUID=12-02 rootwait"
        " consoleblank=0 quiet logo.nologo vt.global_cursor_default=0\n"
    )
    assert "already" in install(destdir, "--boot-settings").stdout
    assert cmdline.read_text() == once
    assert (cmdline.parent / "cmdline.txt.before-acupressure-kiosk").read_text() == original


def test_boot_settings_need_consent(destdir: Path) -> None:
    cmdline = destdir / "boot/firmware/cmdline.txt"
    cmdline.parent.mkdir(parents=True)
    cmdline.write_text("console=tty1 rootwait\n")
    install(destdir)
    assert cmdline.read_text() == "console=tty1 rootwait\n"


@pytest.mark.parametrize("purge", [False, True])
def test_uninstall_removes_everything_but_the_staff_config(destdir: Path, purge: bool) -> None:
    options = ["--purge"] if purge else []
    result = run("sh", UNINSTALL, "--destdir", destdir, *options)
    assert result.returncode == 0, result.stdout + result.stderr
    left = sorted(str(p.relative_to(destdir)) for p in destdir.rglob("*") if not p.is_dir())
    assert left == ([] if purge else [str(CONFIG)])
    assert not (destdir / "opt/acupressure-kiosk").exists()


def test_make_install_passes_destdir_and_consent(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make not installed")
    (tmp_path / CONFIG).parent.mkdir(parents=True)
    (tmp_path / CONFIG).write_text(STAFF_CONFIG)
    cmdline = tmp_path / "boot/firmware/cmdline.txt"
    cmdline.parent.mkdir(parents=True)
    cmdline.write_text("rootwait\n")
    result = run("make", "-C", ROOT, "install", f"DESTDIR={tmp_path}", "BOOT_SETTINGS=1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / UNIT).exists()
    assert "quiet" in cmdline.read_text()
    result = run("make", "-C", ROOT, "uninstall", f"DESTDIR={tmp_path}", "PURGE=1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / CONFIG).exists()


def test_scripts_pass_shellcheck() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck not installed (Debian package: shellcheck)")
    result = run("shellcheck", "--shell=sh", INSTALL, UNINSTALL)
    assert result.returncode == 0, result.stdout + result.stderr


#: What pip prints when it cannot reach the package index (no network here).
OFFLINE = re.compile(
    r"NewConnectionError|Temporary failure in name resolution|Network is unreachable"
)

#: A warning about the project from the build backend or pip: setuptools'
#: "SetuptoolsDeprecationWarning", pip's "BuildBackendWarning", "DEPRECATION: ...", "is
#: deprecated". (pip's own "WARNING: ..." lines about this machine's index are not these.)
WARNED = re.compile(r"[a-z]Warning\b|deprecat", re.I)


@pytest.mark.slow
def test_a_fresh_set_up_installs_the_project_without_a_warning(tmp_path: Path) -> None:
    """What a new user's first `./dev.sh run` does before the window opens: a new venv, the
    project installed into it (editable, with its test tools). setuptools must find nothing
    to warn about in the project's metadata (such as a licence given as a TOML table)."""
    venv = tmp_path / "venv"
    script = (
        "import importlib.metadata as m, kiosk.media; "
        "print(m.metadata('acupressure-kiosk')['License-Expression'])"
    )
    env = dict(os.environ, VENV=str(venv), PYGAME_HIDE_SUPPORT_PROMPT="1")
    env.pop("PYTHONWARNINGS", None)
    result = subprocess.run(
        [ROOT / "dev.sh", "shell", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0 and OFFLINE.search(output):
        pytest.skip("the package index cannot be reached from here")
    assert result.returncode == 0, output
    assert result.stdout == "MIT\n", output
    warned = [line for line in output.splitlines() if WARNED.search(line)]
    assert warned == [], output
