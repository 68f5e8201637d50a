"""The staff install works on arm64 (the Raspberry Pi's architecture), under qemu-user emulation.

Every clinic kiosk runs arm64 Raspberry Pi OS while the rest of the suite runs on x86-64. Here
an arm64 Debian bookworm root (debootstrap, cached by ``rootfs``) gets the project copied in,
and the real staff command (``sudo make install``) is run in it through ``chroot``, each arm64
binary running under Debian's qemu-user-static binfmt handler. Then, inside the installed venv:

- pygame's bundled SDL has the KMSDRM (console) video driver compiled in, read from SDL's own
  driver list (``arm64_probe.py``), and the system libraries KMSDRM loads at run time are
  installed and load;
- ``lgpio`` imports and fails with a clear "can not open gpiochip" error when there is none;
- a smoke subset of the suite, ``acupressure-kiosk check`` and ``acupressure-kiosk
  screenshots --size 800x480`` pass. Emulation is 10-30x slower, so only that much.

``test_kmsdrm_check_rejects_plain_pygame`` shows the KMSDRM check has teeth: plain pygame
2.6.1's aarch64 wheel fails it.

What the test adds to the root besides the host's resolv.conf and hosts, and why:
- ``/etc/pip.conf`` with ``only-binary = :all:`` (the installer asks for wheels only itself;
  this makes sure no other pip run compiles either) and ``cert =`` the host's CA bundle, for
  hosts behind an intercepting proxy.

Debian's archive has no ``python3-lgpio`` (Raspberry Pi OS's has): the installer then installs
the lgpio aarch64 wheel into the venv, and the test checks that it did.

Needs root, ``qemu-user-static``, ``binfmt-support`` and ``debootstrap`` (skipped with the
reason otherwise) and the network (Debian's archive and PyPI). Phase timings are printed.
Set ``ACUPRESSURE_KEEP_ROOT=1`` to keep the working root under /var/tmp for a look inside.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import rootfs

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("arm64_probe.py")
# What a Raspberry Pi OS Lite image has that a minbase root lacks, as far as the staff
# command needs it: python3, venv and pip, CA certificates, make, sudo, systemctl.
# Raspberry Pi OS Bookworm's Debian base; ACUPRESSURE_ARM64_SUITE=trixie tests the next one.
ROOT_SPEC = rootfs.RootSpec(
    arch="arm64",
    suite=os.environ.get("ACUPRESSURE_ARM64_SUITE", "bookworm"),
    include=(
        "python3",
        "python3-venv",
        "python3-pip",
        "ca-certificates",
        "make",
        "sudo",
        "systemd",
    ),
)
SOURCE = "/root/acupressure-kiosk"  # where the staff member unpacked the project
VENV = "/opt/acupressure-kiosk/venv"
KIOSK = f"{VENV}/bin/acupressure-kiosk"
CONFIG = "/etc/acupressure-kiosk/config.yaml"
UNIT = "acupressure-kiosk.service"
UNPACKED_JUNK = (
    ".git",
    ".venv",
    "__pycache__",
    "*.egg-info",
    "build",
    "out",
    ".*cache",
    ".hypothesis",
)
SMOKE_TOOLS = "/tmp/smoke-tools"  # pytest for the smoke run, kept out of the installed venv
TEST_ENV = {
    "SDL_VIDEODRIVER": "dummy",
    "SDL_AUDIODRIVER": "dummy",
    "GPIOZERO_PIN_FACTORY": "mock",
    "PYGAME_HIDE_SUPPORT_PROMPT": "1",
}
# The smoke subset: whole sessions through the main loop, mock pins and the dummy display.
SMOKE_TESTS = (
    "tests/test_app.py::test_whole_session_buzzes_once_per_hold",
    "tests/test_app.py::test_long_press_returns_to_idle",
    "tests/test_session.py::test_whole_session_both_sides",
)
SCREEN_SIZE = (800, 480)
PLAIN_PYGAME = "pygame==2.6.1"


@dataclass(frozen=True)
class Install:
    """What the staff install printed, and which KMSDRM libraries the root lacked before it."""

    output: str
    kmsdrm_missing_before: set[str]


def _report(request: pytest.FixtureRequest, line: str) -> None:
    """Print a line in pytest's output (timings), even with output capture on."""
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"[arm64] {line}")


def _skip_reason() -> str | None:
    return rootfs.debootstrap_problem() or rootfs.emulation_problem(ROOT_SPEC.arch)


@pytest.fixture(scope="module")
def arm64_root(request: pytest.FixtureRequest) -> Iterator[Path]:
    """A mounted working copy of the cached arm64 root, with the test's pip policy."""
    reason = _skip_reason()
    if reason:
        pytest.skip(f"arm64 emulation test cannot run here: {reason}")
    started = time.monotonic()
    cached = rootfs.cached_root(ROOT_SPEC)
    _report(
        request, f"debootstrap or cache hit ({cached.name}): {time.monotonic() - started:.0f} s"
    )
    keep = os.environ.get("ACUPRESSURE_KEEP_ROOT") == "1"
    started = time.monotonic()
    with rootfs.working_copy(cached, keep=keep) as root, rootfs.mounted(root):
        _report(request, f"working copy and mounts: {time.monotonic() - started:.0f} s ({root})")
        machine = rootfs.run(root, ["uname", "-m"]).stdout.strip()
        assert machine == "aarch64", f"the root does not run as arm64 but as {machine}"
        _write_pip_policy(root)
        yield root


def _write_pip_policy(root: Path) -> None:
    """Wheels only, for every pip in the root; trust the host's CA (intercepting proxies)."""
    ca = rootfs.install_host_ca(root)
    (root / "etc/pip.conf").write_text(f"[global]\nonly-binary = :all:\ncert = {ca}\n")


@pytest.fixture(scope="module")
def installed(arm64_root: Path, request: pytest.FixtureRequest) -> Install:
    """Run the staff install command in the root, noting what KMSDRM lacked before."""
    before = _probe(arm64_root, "python3", "kmsdrm-libs")["failed"]
    _copy_project(arm64_root / SOURCE.lstrip("/"))
    started = time.monotonic()
    result = rootfs.run(arm64_root, ["sudo", "make", "install"], cwd=SOURCE, timeout=3600)
    _report(request, f"sudo make install (emulated): {time.monotonic() - started:.0f} s")
    _assert_lgpio_installed(arm64_root)
    return Install(output=result.stdout + result.stderr, kmsdrm_missing_before=set(before))


def _copy_project(target: Path) -> None:
    """The project as a staff member gets it: the tracked and new files, nothing ignored.

    Without git (an unpacked archive) the tree is copied minus caches and environments.
    """
    try:
        listed = subprocess.run(
            [
                "git",
                "-C",
                str(PROJECT),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            capture_output=True,
            check=True,
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        shutil.copytree(
            PROJECT, target, symlinks=True, ignore=shutil.ignore_patterns(*UNPACKED_JUNK)
        )
        return
    for name in filter(None, listed.split("\0")):
        source = PROJECT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _assert_lgpio_installed(root: Path) -> None:
    """The installer brought a real lgpio (apt's, or the wheel where the archive has none).

    The version floor in the installer matters: where no real wheel fits, pip would pick the
    empty placeholder ``lgpio 0.0.0.2``, which imports but has no ``gpiochip_open``.
    """
    check = "import lgpio; assert hasattr(lgpio, 'gpiochip_open'), lgpio.__file__"
    result = rootfs.run(root, [f"{VENV}/bin/python", "-c", check], check=False)
    assert result.returncode == 0, f"the installer left no usable lgpio: {result.stderr}"


def _probe(root: Path, python: str, name: str) -> dict[str, object]:
    shutil.copy2(PROBE, root / "tmp" / PROBE.name)
    result = rootfs.run(root, [python, f"/tmp/{PROBE.name}", name], env=TEST_ENV, cwd="/tmp")
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_kmsdrm_compiled_in(report: dict[str, object]) -> None:
    """The check itself, shared with the teeth test."""
    drivers = [str(name).lower() for name in report["drivers"]]  # type: ignore[union-attr]
    assert "kmsdrm" in drivers, (
        f"{report['library']} (pygame {report['pygame']}, SDL {report['sdl']}) has no KMSDRM "
        f"video driver; compiled in: {report['drivers']}. It cannot draw on Raspberry Pi OS Lite."
    )


# --- the install itself ---------------------------------------------------------------------


def test_installer_enables_unit_without_starting_it(arm64_root: Path, installed: Install) -> None:
    """systemd is not PID 1 in a chroot: the unit is enabled for the next boot, not started."""
    enabled = rootfs.run(arm64_root, ["systemctl", "is-enabled", UNIT], check=False)
    assert enabled.stdout.strip() == "enabled", enabled.stdout + enabled.stderr
    assert "NOT started" in installed.output, installed.output
    assert (arm64_root / CONFIG.lstrip("/")).is_file()


def test_installed_kiosk_comes_from_the_venv(arm64_root: Path, installed: Install) -> None:
    code = "import kiosk, sys; print(kiosk.__file__); print(sys.prefix)"
    result = rootfs.run(arm64_root, [f"{VENV}/bin/python", "-P", "-c", code], cwd=SOURCE)
    module, prefix = result.stdout.split()
    assert module.startswith(f"{VENV}/lib/") and prefix == VENV


def test_installer_pip_ran_wheels_only(arm64_root: Path, installed: Install) -> None:
    """The venv's pip (the installer's) sees the test's only-binary policy: nothing compiled."""
    pip = [f"{VENV}/bin/python", "-m", "pip", "config", "list"]
    settings = rootfs.run(arm64_root, pip).stdout.splitlines()
    assert "global.only-binary=':all:'" in settings, settings


# --- the Pi-specific parts: display driver, its libraries, GPIO -----------------------------


def test_sdl_has_kmsdrm_compiled_in(arm64_root: Path, installed: Install) -> None:
    report = _probe(arm64_root, f"{VENV}/bin/python", "sdl-drivers")
    assert report["pygame_ce"], f"the venv has plain pygame, not pygame-ce: {report}"
    assert_kmsdrm_compiled_in(report)


def test_kmsdrm_runtime_libraries_load(arm64_root: Path, installed: Install) -> None:
    """They load after the install, and it was the installer that brought them."""
    report = _probe(arm64_root, f"{VENV}/bin/python", "kmsdrm-libs")
    assert report["failed"] == {}, f"KMSDRM's run-time libraries missing: {report['failed']}"
    assert installed.kmsdrm_missing_before == set(report["libraries"])  # type: ignore[arg-type]


def test_lgpio_reports_missing_gpio_chip(arm64_root: Path, installed: Install) -> None:
    """No /dev/gpiochip* in the root: lgpio must raise its own clear error, not crash."""
    report = _probe(arm64_root, f"{VENV}/bin/python", "lgpio")
    assert report["error_type"] == "error", report
    assert "gpiochip" in str(report["error"]), report


# --- a smoke run under emulation ------------------------------------------------------------


def test_smoke_tests_pass_in_installed_venv(
    arm64_root: Path, installed: Install, request: pytest.FixtureRequest
) -> None:
    """The smoke subset, with the kiosk imported from the installed venv, not the source."""
    tests = arm64_root / "tmp/smoke/tests"
    shutil.copytree(PROJECT / "tests", tests, ignore=shutil.ignore_patterns("integration"))
    python = f"{VENV}/bin/python"
    rootfs.run(
        arm64_root,
        [python, "-m", "pip", "install", "-q", f"--target={SMOKE_TOOLS}", "pytest"],
    )
    started = time.monotonic()
    selected = [f"/tmp/smoke/{name}" for name in SMOKE_TESTS]
    result = rootfs.run(
        arm64_root,
        [python, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", *selected],
        env={**TEST_ENV, "PYTHONPATH": SMOKE_TOOLS},
        cwd="/tmp/smoke",
        check=False,
    )
    _report(request, f"smoke tests (emulated): {time.monotonic() - started:.0f} s")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(SMOKE_TESTS)} passed" in result.stdout, result.stdout


def test_check_accepts_installed_config(
    arm64_root: Path, installed: Install, request: pytest.FixtureRequest
) -> None:
    started = time.monotonic()
    result = rootfs.run(arm64_root, [KIOSK, "check", "--config", CONFIG], env=TEST_ENV, check=False)
    _report(request, f"check (emulated): {time.monotonic() - started:.0f} s")
    assert result.returncode == 0, result.stdout + result.stderr


def test_screenshots_at_pi_screen_size(
    arm64_root: Path, installed: Install, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Every screen renders at 800x480 under emulation, the same screens as natively."""
    started = time.monotonic()
    command = ["screenshots", "--config", CONFIG, "--size", "800x480", "--out", "/tmp/shots"]
    rootfs.run(arm64_root, [KIOSK, *command], env=TEST_ENV, cwd="/tmp")
    _report(request, f"screenshots 800x480 (emulated): {time.monotonic() - started:.0f} s")
    emulated = sorted((arm64_root / "tmp/shots").glob("*.png"))
    assert emulated, "no screenshots written"
    assert {png.name: _png_size(png) for png in emulated} == {
        png.name: SCREEN_SIZE for png in emulated
    }
    native = _native_screenshots(tmp_path, arm64_root / CONFIG.lstrip("/"))
    assert [png.name for png in emulated] == native


def _native_screenshots(out: Path, config: Path) -> list[str]:
    """The screenshot names the same command gives on the host (the development venv)."""
    env = {**os.environ, **TEST_ENV}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "screenshots",
            "--config",
            str(config),
            "--size",
            "800x480",
            "--out",
            str(out),
        ],
        cwd=PROJECT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return sorted(png.name for png in out.glob("*.png"))


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


# --- the KMSDRM check has teeth -------------------------------------------------------------


def test_kmsdrm_check_rejects_plain_pygame(
    arm64_root: Path, request: pytest.FixtureRequest
) -> None:
    """Plain pygame 2.6.1 instead of pygame-ce: the same check must fail (its SDL lacks KMSDRM)."""
    started = time.monotonic()
    rootfs.run(arm64_root, ["python3", "-m", "venv", "/tmp/plain-pygame"])
    rootfs.run(
        arm64_root, ["/tmp/plain-pygame/bin/python", "-m", "pip", "install", "-q", PLAIN_PYGAME]
    )
    report = _probe(arm64_root, "/tmp/plain-pygame/bin/python", "sdl-drivers")
    _report(request, f"plain pygame venv and probe (emulated): {time.monotonic() - started:.0f} s")
    assert not report["pygame_ce"] and report["drivers"], report
    with pytest.raises(AssertionError, match="has no KMSDRM"):
        assert_kmsdrm_compiled_in(report)
