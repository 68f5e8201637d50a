"""Tests for the release file, the staff installer in prefix mode and the unit it installs.

`make dist` makes the release file staff install from; the installer refuses a folder
unpacked from it when a file is missing or damaged (MANIFEST.sha256).

`scripts/install.sh --destdir DIR` (= `make install DESTDIR=DIR`) writes every file under DIR
without touching the system; these tests check that tree, then let systemd judge the installed
unit offline: `systemd-analyze verify` (which only warns on unknown keys, so stderr is read) and
`systemd-analyze security --offline=yes` (exposure 2.0 or lower). The real install on a booted
systemd is tests/integration/test_nspawn.py.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import guide
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
GETTY = "getty@tty2.service"
GETTY_LINK = Path("etc/systemd/system/getty.target.wants") / GETTY
BOOT_WORDS = " consoleblank=0 quiet logo.nologo vt.global_cursor_default=0"


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
    kill = destdir / "bin/kill"  # ExecReload=: a Debian root has it (procps)
    kill.parent.mkdir(parents=True, exist_ok=True)
    kill.write_text("#!/bin/sh\n")
    kill.chmod(0o755)
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
        "enabled-units",
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
    rules = destdir / "etc/udev/rules.d/70-acupressure-kiosk.rules"
    assert rules.read_text() == (ROOT / "systemd/70-acupressure-kiosk.rules").read_text()
    # ALSA's core loaded early in boot, before the unit resolves DeviceAllow=char-alsa.
    modules = (destdir / "etc/modules-load.d/acupressure-kiosk.conf").read_text().splitlines()
    assert [line for line in modules if not line.startswith("#")] == ["snd"]


def test_the_udev_rules_let_the_video_group_switch_the_screen_off() -> None:
    """The screen's power methods (kiosk/devices/screenpower.py) need /dev/cec* and the
    backlight's bl_power writable by the kiosk's group, and the unit must let them through."""
    rules = [
        line
        for line in (ROOT / "systemd/70-acupressure-kiosk.rules").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert 'SUBSYSTEM=="cec", GROUP="video", MODE="0660"' in rules
    [backlight] = [r for r in rules if 'SUBSYSTEM=="backlight"' in r]
    assert 'RUN+="/bin/chgrp video /sys%p/bl_power"' in backlight
    assert 'RUN+="/bin/chmod g+w /sys%p/bl_power"' in backlight
    unit = (ROOT / "systemd" / UNIT_NAME).read_text().splitlines()
    assert "DeviceAllow=char-cec rw" in unit
    assert "ReadWritePaths=-/sys/devices/platform" in unit
    assert "video" in next(line for line in unit if line.startswith("SupplementaryGroups="))


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
        "ExecReload=/bin/kill -HUP $MAINPID",
        # usage.metrics_file in node_exporter's textfile folder (the staff guide's example)
        "ReadWritePaths=-/var/lib/prometheus/node-exporter",
        # spoken guidance: ALSA's devices and group, SDL's real audio driver
        "DeviceAllow=char-alsa rw",
        "SupplementaryGroups=video render input gpio audio",
        "Environment=SDL_AUDIODRIVER=alsa",
    ]:
        assert line in text.splitlines()


def cmdline_file(destdir: Path, text: str | bytes) -> Path:
    cmdline = destdir / "boot/firmware/cmdline.txt"
    cmdline.parent.mkdir(parents=True)
    if isinstance(text, bytes):
        cmdline.write_bytes(text)
    else:
        cmdline.write_text(text)
    return cmdline


def test_boot_settings_are_added_once_by_default(destdir: Path) -> None:
    original = "console=serial0,115200 console=tty1 root=PARTUUID=12-02 rootwait consoleblank=600\n"
    cmdline = cmdline_file(destdir, original)
    install(destdir)
    once = cmdline.read_text()
    assert once == (
        "console=serial0,115200 console=tty1 root=PARTUUID=12-02 rootwait" + BOOT_WORDS + "\n"
    )
    assert "already" in install(destdir).stdout
    assert "already" in install(destdir, "--boot-settings").stdout
    assert cmdline.read_text() == once
    assert (cmdline.parent / "cmdline.txt.before-acupressure-kiosk").read_text() == original


def test_boot_settings_can_be_skipped(destdir: Path) -> None:
    cmdline = cmdline_file(destdir, "console=tty1 rootwait\n")
    install(destdir, "--no-boot-settings")
    assert cmdline.read_text() == "console=tty1 rootwait\n"
    assert sorted(p.name for p in cmdline.parent.iterdir()) == ["cmdline.txt"]


def test_boot_settings_keep_a_windows_line_one_line(destdir: Path) -> None:
    cmdline = cmdline_file(destdir, b"console=tty1 root=/dev/mmcblk0p2 rootwait\r\n")
    install(destdir)
    assert (
        cmdline.read_bytes()
        == b"console=tty1 root=/dev/mmcblk0p2 rootwait" + BOOT_WORDS.encode() + b"\n"
    )


@pytest.mark.parametrize("text", ["console=tty1\nrootwait\n", "", "\n\n"])
def test_boot_settings_leave_a_line_that_is_not_one_line_alone(destdir: Path, text: str) -> None:
    cmdline = cmdline_file(destdir, text)
    result = install(destdir)
    assert "not one: boot settings not changed" in result.stdout
    assert cmdline.read_text() == text
    assert sorted(p.name for p in cmdline.parent.iterdir()) == ["cmdline.txt"]


def test_no_cmdline_txt_is_no_error_and_writes_no_boot_folder(destdir: Path) -> None:
    result = install(destdir)
    assert "boot settings not changed" in result.stdout
    assert not (destdir / "boot").exists()


@pytest.mark.parametrize("purge", [False, True])
def test_uninstall_removes_everything_but_the_staff_config(destdir: Path, purge: bool) -> None:
    options = ["--purge"] if purge else []
    result = run("sh", UNINSTALL, "--destdir", destdir, *options)
    assert result.returncode == 0, result.stdout + result.stderr
    left = sorted(str(p.relative_to(destdir)) for p in destdir.rglob("*") if not p.is_dir())
    assert left == ([] if purge else [str(CONFIG)])
    assert not (destdir / "opt/acupressure-kiosk").exists()


@pytest.mark.parametrize("purge", [False, True])
def test_uninstall_keeps_the_usage_counts_unless_purged(destdir: Path, purge: bool) -> None:
    state = destdir / "var/lib/acupressure-kiosk"
    state.mkdir(parents=True, exist_ok=True)
    for name in ("usage.sqlite3", "usage.sqlite3-wal", ".lgd-nfy0"):
        (state / name).write_bytes(b"x")
    result = run("sh", UNINSTALL, "--destdir", destdir, *(["--purge"] if purge else []))
    assert result.returncode == 0, result.stdout + result.stderr
    if purge:
        assert not state.exists()
    else:
        assert sorted(p.name for p in state.iterdir()) == ["usage.sqlite3", "usage.sqlite3-wal"]
        assert "kept the usage counts" in result.stdout and "PURGE=1" in result.stdout


@pytest.mark.parametrize(
    ("boot_settings", "added"), [(None, True), ("1", True), ("0", False), ("no", False)]
)
def test_make_install_passes_destdir_and_boot_settings(
    tmp_path: Path, boot_settings: str | None, added: bool
) -> None:
    if shutil.which("make") is None:
        pytest.skip("make not installed")
    (tmp_path / CONFIG).parent.mkdir(parents=True)
    (tmp_path / CONFIG).write_text(STAFF_CONFIG)
    cmdline = cmdline_file(tmp_path, "rootwait\n")
    option = [] if boot_settings is None else [f"BOOT_SETTINGS={boot_settings}"]
    result = run("make", "-C", ROOT, "install", f"DESTDIR={tmp_path}", *option)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / UNIT).exists()
    assert cmdline.read_text() == ("rootwait" + BOOT_WORDS + "\n" if added else "rootwait\n")
    result = run("make", "-C", ROOT, "uninstall", f"DESTDIR={tmp_path}", "PURGE=1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / CONFIG).exists()


def test_scripts_pass_shellcheck() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck not installed (Debian package: shellcheck)")
    result = run("shellcheck", "--shell=sh", INSTALL, UNINSTALL, ROOT / "scripts" / "dist.sh")
    assert result.returncode == 0, result.stdout + result.stderr


# --- the second console keeps its login prompt (Ctrl+Alt+F2) -----------------------------


def fresh_root(tmp_path: Path) -> Path:
    root = tmp_path / "fresh"
    (root / CONFIG).parent.mkdir(parents=True)
    (root / CONFIG).write_text(STAFF_CONFIG)
    return root


def test_second_console_keeps_its_login_prompt(destdir: Path) -> None:
    assert os.readlink(destdir / GETTY_LINK) == "/lib/systemd/system/getty@.service"
    assert (destdir / "opt/acupressure-kiosk/share/enabled-units").read_text() == GETTY + "\n"
    root = systemd_root(destdir)
    if not (root / "lib").exists():
        (root / "lib").symlink_to("usr/lib")  # merged /usr, as on Debian 12
    enabled = run("systemctl", f"--root={root}", "is-enabled", GETTY)
    assert enabled.stdout.strip() == "enabled", enabled.stdout + enabled.stderr
    result = run("sh", UNINSTALL, "--destdir", destdir)
    assert f"disabled {GETTY}" in result.stdout
    assert not (destdir / GETTY_LINK).is_symlink()


def test_a_masked_second_console_stays_masked(tmp_path: Path) -> None:
    root = fresh_root(tmp_path)
    (root / "etc/systemd/system").mkdir(parents=True)
    (root / "etc/systemd/system" / GETTY).symlink_to("/dev/null")
    result = install(root)
    assert f"WARNING: {GETTY} is masked" in result.stdout
    assert not (root / GETTY_LINK).is_symlink()
    assert not (root / "opt/acupressure-kiosk/share/enabled-units").exists()


def test_a_login_prompt_enabled_before_is_left_enabled(tmp_path: Path) -> None:
    root = fresh_root(tmp_path)
    (root / GETTY_LINK).parent.mkdir(parents=True)
    (root / GETTY_LINK).symlink_to("/lib/systemd/system/getty@.service")
    install(root)
    assert not (root / "opt/acupressure-kiosk/share/enabled-units").exists()
    run("sh", UNINSTALL, "--destdir", root)
    assert (root / GETTY_LINK).is_symlink()


def test_the_unit_takes_tty1_only() -> None:
    """Conflicts= stops what it names when the kiosk starts: only tty1's login prompt."""
    conflicts = [
        word
        for line in (ROOT / "systemd" / UNIT_NAME).read_text().splitlines()
        if line.startswith("Conflicts=")
        for word in line.split("=", 1)[1].split()
    ]
    assert conflicts == ["getty@tty1.service"]
    assert "TTYPath=/dev/tty1" in (ROOT / "systemd" / UNIT_NAME).read_text().splitlines()


# --- the release file (make dist) and the check of the folder ------------------------------

SHIPPED = {"kiosk", "media", "systemd", "scripts", "docs", "pyproject.toml", "README.md"}
SHIPPED |= {"Makefile", "MANIFEST.sha256"} | {p.name for p in ROOT.glob("LICENSE*")}


def make_dist(source: Path, out: Path) -> Path:
    if shutil.which("make") is None:
        pytest.skip("make not installed")
    result = run("make", "-C", source, "dist", f"DISTDIR={out}")
    assert result.returncode == 0, result.stdout + result.stderr
    archive = out / f"{guide.release_name()}.tar.gz"
    assert f"wrote {archive}" in result.stdout
    assert sorted(out.iterdir()) == [archive]
    return archive


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_dist(ROOT, tmp_path_factory.mktemp("dist"))


def members(archive: Path) -> dict[str, bytes]:
    """The release's files (not folders) by their path inside its top folder."""
    top = guide.release_name() + "/"
    files = {}
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            assert member.name == top.rstrip("/") or member.name.startswith(top), member.name
            assert member.uid == 0 and member.gid == 0, member.name
            if member.isfile():
                extracted = tar.extractfile(member)
                assert extracted is not None
                files[member.name[len(top) :]] = extracted.read()
    return files


def unpack(archive: Path, where: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(where, filter="tar")
    return where / guide.release_name()


def test_dist_is_the_versioned_release_with_what_the_installer_needs(release: Path) -> None:
    files = members(release)
    assert {name.split("/", 1)[0] for name in files} == SHIPPED
    tracked = subprocess.run(
        ["git", "-C", ROOT, "ls-files", "--", *sorted(SHIPPED - {"MANIFEST.sha256"})],
        capture_output=True,
        text=True,
        check=False,
    )
    if tracked.returncode == 0:
        wanted = {name for name in tracked.stdout.splitlines() if (ROOT / name).is_file()}
        assert wanted <= set(files), wanted - set(files)
    for name in files:
        assert "__pycache__" not in name and not name.endswith(".pyc"), name
    for needed in ("scripts/install.sh", "systemd/acupressure-kiosk.service", "kiosk/__main__.py"):
        assert needed in files


def test_manifest_lists_every_other_file_with_its_checksum(release: Path) -> None:
    files = members(release)
    listed = {}
    for line in files.pop("MANIFEST.sha256").decode().splitlines():
        checksum, name = line.split("  ", 1)
        listed[name] = checksum
    assert set(listed) == set(files)
    for name, content in files.items():
        assert listed[name] == hashlib.sha256(content).hexdigest(), name


def test_dist_without_git_ships_the_same_files(release: Path, tmp_path: Path) -> None:
    """A copy of the project that is not a git checkout (an unpacked release) makes the same
    release; caches in it are left out."""
    copy = unpack(release, tmp_path / "unpacked")
    (copy / "MANIFEST.sha256").unlink()
    (copy / "kiosk/__pycache__").mkdir()
    (copy / "kiosk/__pycache__/cli.cpython-311.pyc").write_bytes(b"cache")
    again = make_dist(copy, tmp_path / "out")
    assert members(again) == members(release)


def install_from(folder: Path, destdir: Path) -> subprocess.CompletedProcess[str]:
    (destdir / CONFIG).parent.mkdir(parents=True, exist_ok=True)
    (destdir / CONFIG).write_text(STAFF_CONFIG)
    return run(
        "sh", folder / "scripts/install.sh", "--destdir", destdir, "--python", sys.executable
    )


def test_install_from_the_unpacked_release(release: Path, tmp_path: Path) -> None:
    folder = unpack(release, tmp_path)
    result = install_from(folder, tmp_path / "root")
    assert result.returncode == 0, result.stdout + result.stderr
    count = len(members(release)) - 1
    assert f"the folder is complete: all {count} files of MANIFEST.sha256" in result.stdout
    assert (tmp_path / "root" / UNIT).read_text() == (folder / "systemd" / UNIT_NAME).read_text()


def _remove(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).unlink()


def _damage(folder: Path, name: str) -> None:
    path = folder / name
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda f: _remove(f, "kiosk/app/loop.py"), "kiosk/app/loop.py is missing;"),
        (
            lambda f: _remove(f, "media/li4.svg", "kiosk/app/loop.py", "docs/wiring.svg"),
            "docs/wiring.svg is missing (and 2 more file(s) are missing or damaged);",
        ),
        (
            lambda f: _damage(f, "kiosk/ui/screens.py"),
            "kiosk/ui/screens.py is damaged (it differs from MANIFEST.sha256);",
        ),
        (
            lambda f: _remove(f, "MANIFEST.sha256", "kiosk/__main__.py"),
            "kiosk/__main__.py is missing;",
        ),
    ],
    ids=["one-missing", "three-missing", "damaged", "no-manifest"],
)
def test_installer_refuses_a_half_copied_folder(
    release: Path, tmp_path: Path, breakage: Callable[[Path], None], expected: str
) -> None:
    folder = unpack(release, tmp_path)
    breakage(folder)
    destdir = tmp_path / "root"
    result = install_from(folder, destdir)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("install: ERROR: this folder is incomplete: " + expected), lines
    assert "unpack it" in lines[0]
    left = sorted(str(p.relative_to(destdir)) for p in destdir.rglob("*") if p.is_file())
    assert left == [str(CONFIG)]  # nothing was written


def test_make_install_refuses_a_folder_without_the_installer(release: Path, tmp_path: Path) -> None:
    folder = unpack(release, tmp_path)
    (folder / "scripts/install.sh").unlink()
    result = run("make", "-C", folder, "install", f"DESTDIR={tmp_path / 'root'}")
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "this folder is incomplete: scripts/install.sh is missing; copy" in lines[0]
    assert not (tmp_path / "root").exists()


def test_the_manifest_s_last_line_counts_without_a_newline(release: Path, tmp_path: Path) -> None:
    folder = unpack(release, tmp_path)
    manifest = folder / "MANIFEST.sha256"
    text = manifest.read_text().rstrip("\n")
    manifest.write_text(text)
    last = text.rsplit("\n", 1)[1].split("  ", 1)[1]
    (folder / last).unlink()
    result = install_from(folder, tmp_path / "root")
    assert result.returncode != 0
    assert f"this folder is incomplete: {last} is missing;" in result.stderr


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
