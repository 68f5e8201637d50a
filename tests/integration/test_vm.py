"""The staff install on a real kernel: boot a virtual machine and watch the kiosk draw and answer.

The nspawn test proves the unit under a real systemd, the arm64 test the wheels; neither has a
kernel's devices. Here a Debian bookworm disk (debootstrap minbase with Debian's own kernel,
systemd, udev and the QEMU guest agent; the root cached by ``rootfs``, keyed by its package
list) gets the release file ``make dist`` makes of this tree, installed with the staff guide's
own install block (read from docs/staff-guide.md by tests/guide.py) and its boot settings. It
becomes a raw ext4 image (``mkfs.ext4 -d``) and boots under QEMU (``vm.Machine``: TCG, a
virtio-gpu screen at 1280x800, a USB keyboard, a USB sound card recorded to a WAV file, QMP
and the guest agent). Then:

- ``acupressure-kiosk.service`` becomes active (Type=notify: READY=1 after the first frame)
  and it is the ``kiosk`` user drawing through SDL's KMSDRM driver on tty1: the process's uid,
  its controlling terminal, the DRM device it holds open and the DRM master the kernel names
  (debugfs ``dri/0/clients``);
- QMP ``screendump``s of the screen match the project's own ``screenshots`` of the same
  screens at 1280x800 (``pictures.TOLERANCE``): the idle screen, then, after Space pressed on
  the USB keyboard through QMP (the kernel's evdev, as a USB button), the safety and intro
  screens, with key-to-screen times reported; a long press goes back to the start;
- what staff do: ``systemctl reload`` with an edited file changes the screen, a broken file
  keeps the content that was running, a reboot (with speech switched on) brings the kiosk
  back and the kiosk started at boot opens the sound card at the first press, ``systemctl
  stop`` gives the screen back to the console;
- deliberately broken units fail the same checks: without ``DeviceAllow=char-drm`` the kiosk
  cannot open the screen, and with SDL's default framebuffer path instead of the GLES2 one the
  kiosk (kiosk/devices/display.py) asks for on KMSDRM the screen stays black;
- GPIO on a real character device: ``gpio-sim``, which Debian's kernel lacks, built out of
  tree from Debian's ``linux-source-6.1`` against the guest kernel's own headers (see
  ``gpiosim``; cached by the kernel's release and package version) and loaded in the guest.
  gpiozero refuses it: its lgpio factory names pins from the Pi's revision code, and on any
  other board raises ``PinUnknownPi: unable to locate Pi revision in /proc/device-tree or
  /proc/cpuinfo``, even with the chip given. So lgpio's edge path is proven instead, in the
  unit's sandbox (its user and groups, ``DevicePolicy=closed``, ``DeviceAllow=char-gpiochip``):
  the simulated button line pulled up and down reaches lgpio's edge callback, which drives
  the buzzer line that gpio-sim reads back; without ``char-gpiochip`` lgpio cannot open it;
- sound through ALSA: with speech on (``staff_file_with_speech``, the first hold cut to 20 s)
  the kiosk holds ALSA's ``default`` device (the USB card's PCM) open as ``kiosk`` through
  the unit's sandbox (``DeviceAllow=char-alsa``), and SDL's sound thread runs at nice -20
  (``LimitNICE=``). In QEMU's WAV recording of the card (``vm.Machine.wav``; ``sound`` maps a
  position in it to the host's clock) the hold's words start after the press and end before
  the hold does, nothing starts until "Time is up", and that is heard as soon after the
  hold's end as the hold's words were after their start, within 100 ms. Both times are the
  kiosk's own, from its debug lines (``SAYING``, ``HANDED``: the hold's end is the key's
  kernel timestamp + ``hold_seconds``), brought to the host's clock through the journal
  entry's two stamps and ``guest-get-time`` (``GuestAgent.clock_offset``, read to under a
  millisecond); each file's own leading silence is left out. The delay they share is the
  VM's sound path (SDL's buffer, ALSA's dmix, the emulated card, QEMU's writer: 0.1 to
  0.2 s, reported), which a Pi does not have in that form. Without ``DeviceAllow=char-alsa``
  the kiosk runs but cannot open the card, says so in its log, and QEMU records nothing;
- the VM shuts down from inside and QEMU exits by itself.

A sound card probed after the unit starts used to stay shut until a restart (systemd resolves
``char-alsa`` from ``/proc/devices`` when the unit starts: seen in two boots of three here,
the HDA driver still probing); the installer now loads ALSA's core early
(``/etc/modules-load.d``), and the reboot test shows the kiosk started at boot opening the
card.

What the test changes from a staff machine, and why:
- What Raspberry Pi OS Lite has and minbase lacks (``sudo``, ``ca-certificates``, a boot line
  in ``/boot/firmware/cmdline.txt``, an ``/etc/fstab`` mounting the root read-write) and
  ``/etc/pip.conf`` trusting the host's CA bundle. The kernel gets the boot line the installer
  wrote, with the Pi's root and serial console swapped for the VM's (``/dev/vda``, ttyS0).
- ``qemu-guest-agent`` in the guest, the test's way in (there is no network).
- ``alsa-utils``, which Raspberry Pi OS Lite has and minbase lacks: its udev rule sets up a
  new sound card's mixer (``alsactl init``); without it a new card may stay muted and QEMU
  records silence.
- A USB sound card rather than QEMU's HDA or AC97 models: on those, the delay from a sound's
  start to QEMU's recording grew by about 0.1 s a minute here; on the USB card it held at
  0.11 to 0.16 s.
- A drop-in with gpiozero's mock pins (gpiozero takes no GPIO chip but a Pi's) and a layout
  budget of 5 s per screen instead of 0.25 s (``LAYOUT_SECONDS``: the emulated CPU is many
  times slower than a Pi, and a screen past its budget is set at the smallest text size), and
  the staff file's ``idle_cycle_seconds`` at its longest, 120 s, so the idle screen holds
  still while compared.
- For the GPIO tests only: the gpio-sim chip's device node gets the group and mode Raspberry
  Pi OS's udev rule gives GPIO chips (``gpio``, 0660); Debian has no such rule.

Needs root, ``qemu-system-x86``, ``debootstrap``, ``e2fsprogs`` and ``make``, and the network
(Debian's archive and PyPI); skipped with the reason otherwise. Screendumps of failures go to
``tests/artefacts/vm/``. ``ACUPRESSURE_VM_KVM=1`` tries KVM (off by default: KVM guests hung
in the firmware on the machines this was written on).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from base64 import b64decode
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import gpiosim
import guide
import pictures
import pytest
import rootfs
import sound
import vm

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parents[2]
ARTEFACTS = PROJECT / "tests" / "artefacts" / "vm"
ROOT_SPEC = rootfs.RootSpec(
    arch="amd64",
    include=(
        "systemd",
        "systemd-sysv",
        "dbus",
        "python3",
        "linux-image-amd64",
        "udev",
        "kmod",
        "sudo",
        "ca-certificates",
        "qemu-guest-agent",
        "alsa-utils",
    ),
)
HOME = "/root"
RELEASE = guide.release_name()
ARCHIVE = f"{RELEASE}.tar.gz"
GUIDE_STEPS = tuple(guide.install_steps())
CMDLINE = "/boot/firmware/cmdline.txt"
PI_CMDLINE = (
    "console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes"
    " rootwait\n"
)
# The Pi's root partition and serial port, and the VM's.
VM_DEVICES = {"root=PARTUUID=4e639091-02": "root=/dev/vda", "console=serial0": "console=ttyS0"}
FSTAB = "/dev/vda / ext4 defaults,noatime 0 1\n"
UNIT = "acupressure-kiosk.service"
UNIT_FILE = f"/etc/systemd/system/{UNIT}"
CONFIG = "/etc/acupressure-kiosk/config.yaml"
# The layout budget the kiosk gives each screen (kiosk.ui.screens.LAYOUT_SECONDS) is made for
# a Pi; the emulated CPU is many times slower, and a screen past its budget is set at the
# smallest text size. The unit tests give it 5 s (tests/conftest.py); so does this.
LAYOUT_SECONDS = 5.0
TEST_DROP_IN = f"""\
# Test only: the VM has no GPIO chip that gpiozero accepts, so its mock pins stand in for the
# button; the emulated CPU gets the layout budget the unit tests give.
[Service]
Environment=GPIOZERO_PIN_FACTORY=mock
Environment=GPIOZERO_MOCK_PIN_CLASS=mockpwmpin
ExecStart=
ExecStart=/opt/acupressure-kiosk/venv/bin/python -c "import sys, kiosk.ui.screens as s; \\
s.LAYOUT_SECONDS = {LAYOUT_SECONDS}; from kiosk.__main__ import main; sys.exit(main())" \\
--config /etc/acupressure-kiosk/config.yaml --verbose
"""
DISK_MB = 4096
DIAGONAL = 15  # inches: the staff file's screen_diagonal_inches in the VM
SIZE = f"{vm.SCREEN[0]}x{vm.SCREEN[1]}"
BOOT_TIMEOUT = 300  # TCG on a loaded 2-core machine
READY_LINE = f"Kiosk ready: first frame shown ({SIZE})"
RELOADED = "The reloaded staff file is in use"
KEPT = "kept the content that was running (see the lines above)"
INVITE = 'invite: "Press the button to start"'
EDITED_INVITE = 'invite: "Press to begin"'
FOLLOWER = "/usr/local/lib/kiosk-gpio-follower.py"
BUTTON, BUZZER = 17, 27  # the staff file's button_pin and buzzer_pin
OVER_BUDGET = "finding the best size for its text took longer than"
CONSOLE_GREY = (170, 170, 170)  # the console's "white" background, VGA colour 7


def _skip_reason() -> str | None:
    if sys.platform != "linux" or rootfs.host_arch() != "amd64":
        return "needs an amd64 Linux host"
    if not shutil.which("make"):
        return "missing make"
    return rootfs.debootstrap_problem() or vm.qemu_problem()


def _report(request: pytest.FixtureRequest, line: str) -> None:
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"[vm] {line}")


# --- the disk ------------------------------------------------------------------------------


@dataclass
class Disk:
    """The installed disk image and how to boot it."""

    image: Path
    kernel: Path
    initrd: Path
    append: str
    config: str  # the installed staff file, as the test set it
    unit: str  # the installed unit file
    install_output: str
    folder: Path


def _install(root: Path) -> str:
    """Run the guide's install steps in the root (one shell, so `cd` carries on)."""
    with rootfs.mounted(root):
        ca = rootfs.install_host_ca(root)
        (root / "etc/pip.conf").write_text(f"[global]\ncert = {ca}\n")
        (root / CMDLINE.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / CMDLINE.lstrip("/")).write_text(PI_CMDLINE)
        (root / "etc/fstab").write_text(FSTAB)
        guide.make_release(root / HOME.lstrip("/") / ARCHIVE, rootfs.CLEAN_PATH)
        script = " && ".join(f"echo '$ {step}' && {step}" for step in GUIDE_STEPS)
        result = rootfs.run(root, ["sh", "-c", script], cwd=HOME, timeout=3600)
    return result.stdout + result.stderr


def kernel_line(cmdline: str) -> str:
    """The installed boot line with the Pi's root and serial console swapped for the VM's."""
    words = cmdline.split()
    for pi, here in VM_DEVICES.items():
        words = [here + word[len(pi) :] if word.startswith(pi) else word for word in words]
    # The last console= is /dev/console; keep tty1 (the kiosk's) there, as on the Pi.
    return " ".join(words)


def staff_file_for_test(installed: str) -> str:
    """The installed staff file with the idle screen held still (idle_cycle_seconds: 120)
    and the screen's size given (``screenshots`` on the host has no EDID to read: both sides
    must size text for the same screen)."""
    edited = re.sub(r"idle_cycle_seconds: *[0-9.]+", "idle_cycle_seconds: 120", installed)
    edited = re.sub(r"screen_diagonal_inches: *null", f"screen_diagonal_inches: {DIAGONAL}", edited)
    assert edited.count(f"screen_diagonal_inches: {DIAGONAL}") == 1, edited
    assert "idle_cycle_seconds: 120" in edited
    return edited


@pytest.fixture(scope="module")
def disk(request: pytest.FixtureRequest) -> Iterator[Disk]:
    reason = _skip_reason()
    if reason:
        pytest.skip(f"VM test cannot run here: {reason}")
    started = time.monotonic()
    cached = rootfs.cached_root(ROOT_SPEC)
    _report(
        request, f"debootstrap or cache hit ({cached.name}): {time.monotonic() - started:.0f} s"
    )
    folder = Path(tempfile.mkdtemp(prefix="acupressure-vm-", dir=rootfs.WORK_DIR))
    try:
        with rootfs.working_copy(cached) as root:
            started = time.monotonic()
            output = _install(root)
            _report(request, f"guide's install steps in chroot: {time.monotonic() - started:.0f} s")
            config_file = root / CONFIG.lstrip("/")
            config = staff_file_for_test(config_file.read_text())
            config_file.write_text(config)
            started = time.monotonic()
            shutil.copy(gpiosim.cached_module(cached), root / "root/gpio-sim.ko")
            (root / FOLLOWER.lstrip("/")).write_text(gpiosim.FOLLOWER)
            _report(request, f"gpio-sim.ko built or cached: {time.monotonic() - started:.0f} s")
            drop_in = root / f"etc/systemd/system/{UNIT}.d/test-hardware.conf"
            drop_in.parent.mkdir(parents=True, exist_ok=True)
            drop_in.write_text(TEST_DROP_IN)
            boot = root / "boot"
            kernel = max(boot.glob("vmlinuz-*"))
            initrd = boot / kernel.name.replace("vmlinuz", "initrd.img")
            shutil.copy(kernel, folder / "vmlinuz")
            shutil.copy(initrd, folder / "initrd.img")
            append = kernel_line((root / CMDLINE.lstrip("/")).read_text())
            unit = (root / UNIT_FILE.lstrip("/")).read_text()
            started = time.monotonic()
            vm.make_image(root, folder / "disk.img", DISK_MB)
            _report(request, f"mkfs.ext4 -d: {time.monotonic() - started:.0f} s")
        yield Disk(
            folder / "disk.img",
            folder / "vmlinuz",
            folder / "initrd.img",
            append,
            config,
            unit,
            output,
            folder,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def machine(disk: Disk, request: pytest.FixtureRequest) -> Iterator[vm.Machine]:
    box = vm.Machine(disk.image, disk.kernel, disk.initrd, disk.folder, disk.append)
    started = time.monotonic()
    box.start()
    try:
        box.agent_ready(BOOT_TIMEOUT)
        _report(
            request,
            f"boot to the guest agent ({'KVM' if box.kvm else 'TCG'}): "
            f"{time.monotonic() - started:.0f} s",
        )
        yield box
    finally:
        how = box.poweroff()
        _report(request, f"shut down: {how}")
        assert how == "clean", f"the VM did not shut down by itself ({how})"
        assert not box.running()


@pytest.fixture(scope="module")
def expected(disk: Disk, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The project's own screenshots of the installed staff file at the VM's size."""
    return _screenshots(disk.config, tmp_path_factory.mktemp("expected"))


def _screenshots(config: str, folder: Path) -> dict[str, Path]:
    staff_file = folder / "config.yaml"
    staff_file.write_text(config)
    out = folder / "screens"
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    subprocess.run(
        [sys.executable, "-m", "kiosk", "screenshots", "--config", str(staff_file),
         "--size", SIZE, "--out", str(out)],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    return {path.stem: path for path in out.glob("*.png")}


# --- looking at the guest ------------------------------------------------------------------


def show(machine: vm.Machine, unit: str = UNIT) -> dict[str, str]:
    properties = "ActiveState,SubState,Result,MainPID,NRestarts"
    output = machine.agent.run("systemctl", "show", f"--property={properties}", unit).stdout
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)


def journal(machine: vm.Machine, unit: str = UNIT, lines: int | None = None) -> str:
    argv = ["journalctl", "--no-pager", "-b", "-u", unit]
    if lines:
        argv += ["-n", str(lines)]
    return machine.agent.run(*argv, check=False).stdout


def wait_active(machine: vm.Machine, unit: str = UNIT, timeout: float = 180) -> dict[str, str]:
    """Wait until systemd calls ``unit`` active: for Type=notify, READY=1 has arrived."""

    def active() -> dict[str, str] | None:
        state = show(machine, unit)
        return state if state["ActiveState"] == "active" and state["MainPID"] != "0" else None

    try:
        return vm.wait_for(f"{unit} to become active", active, timeout, every=1)  # type: ignore[return-value]
    except AssertionError as error:
        raise AssertionError(f"{error}: {show(machine, unit)}") from None


def drawing_problems(machine: vm.Machine, unit: str = UNIT) -> list[str]:
    """What is not as it should be for the kiosk drawing: the user, the terminal, the DRM
    device and master, the video driver."""
    pid = show(machine, unit)["MainPID"]
    if pid == "0":
        return [f"{unit} has no main process"]
    agent = machine.agent
    problems = []
    status = agent.run("cat", f"/proc/{pid}/status").stdout
    uid = re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE)
    kiosk_uid = agent.run("id", "-u", "kiosk").stdout.strip()
    if not uid or uid.group(1) != kiosk_uid:
        problems.append(f"runs as uid {uid and uid.group(1)}, not kiosk ({kiosk_uid})")
    environ = agent.run("cat", f"/proc/{pid}/environ").stdout.split("\0")
    if "SDL_VIDEODRIVER=kmsdrm" not in environ:
        problems.append("SDL_VIDEODRIVER is not kmsdrm")
    fds = agent.sh(f"for fd in /proc/{pid}/fd/*; do readlink $fd; done").stdout.split()
    if "/dev/tty1" not in fds:
        problems.append(f"does not hold tty1 open: {sorted(set(fds))}")
    if "/dev/dri/card0" not in fds:
        problems.append("does not hold /dev/dri/card0 open")
    if not any(fd.startswith("/dev/input/event") for fd in fds):
        problems.append("reads no /dev/input/event* device")
    clients = agent.run("cat", "/sys/kernel/debug/dri/0/clients", check=False).stdout
    master = [line.split() for line in clients.splitlines()[1:] if line.split()[1:2] == [pid]]
    if not master or master[0][3] != "y":
        problems.append(f"is not the DRM master of card0:\n{clients}")
    active = agent.run("cat", "/sys/class/tty/tty0/active").stdout.strip()
    if active != "tty1":
        problems.append(f"the console shows {active}, not tty1")
    return problems


def dump(machine: vm.Machine, name: str, kind: str = "png") -> Path:
    """A screendump saved as an artefact (kept for a failure's report)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return machine.screendump(ARTEFACTS / f"{name}.{kind}")


@contextlib.contextmanager
def evidence(machine: vm.Machine, name: str) -> Iterator[None]:
    """On a failure, add the screen (saved as an artefact) and the journal's end."""
    try:
        yield
    except AssertionError as error:
        try:
            path = dump(machine, f"failed-{name}")
            tail = journal(machine, lines=30)
        except Exception as other:  # the original failure matters more
            raise AssertionError(f"{error}\n(no evidence: {other})") from error
        raise AssertionError(f"{error}\nscreen: {path}\njournal:\n{tail}") from None


def wait_screen(
    machine: vm.Machine, reference: Path, name: str, timeout: float = 60
) -> tuple[float, float]:
    """Take screendumps until one matches ``reference``. Returns when the screen changed to
    it: after the last other dump was asked for, and before the matching one came back."""
    seen = [1.0]
    asked = [time.monotonic(), time.monotonic()]  # the last two dumps' requests

    def matches() -> float | None:
        asked[:] = [asked[1], time.monotonic()]
        path = dump(machine, name, "ppm")
        seen[0] = pictures.differing(path, reference)
        return time.monotonic() if seen[0] <= pictures.TOLERANCE else None

    try:
        latest = vm.wait_for(f"the screen to show {reference.name}", matches, timeout, every=0)
    except AssertionError as error:
        png = ARTEFACTS / f"{name}.png"
        pictures.convert(ARTEFACTS / f"{name}.ppm", png)
        raise AssertionError(
            f"{error}: {seen[0]:.1%} of the pixels differ (at most "
            f"{pictures.TOLERANCE:.1%} may); last screen: {png}"
        ) from None
    return asked[0], latest  # type: ignore[return-value]


def long_press(machine: vm.Machine, seconds: float = 3.5) -> None:
    """Hold Space for ``seconds``: the kiosk's stop, back to the start screen."""
    machine.press("spc", hold=seconds)


# --- the tests, in the order a clinic meets them ---------------------------------------------


def test_kernel_line_swaps_only_the_root_and_serial_console() -> None:
    line = kernel_line(PI_CMDLINE.rstrip() + " consoleblank=0 quiet")
    assert line.startswith("console=ttyS0,115200 console=tty1 root=/dev/vda rootfstype=ext4")
    assert line.endswith("rootwait consoleblank=0 quiet")


def test_the_install_added_the_boot_settings(disk: Disk) -> None:
    for step in GUIDE_STEPS:
        assert f"$ {step}\n" in disk.install_output, disk.install_output
    for word in ("consoleblank=0", "quiet", "logo.nologo", "vt.global_cursor_default=0"):
        assert word in disk.append.split(), disk.append


def test_kiosk_is_ready_as_kiosk_through_kmsdrm_on_tty1(machine: vm.Machine) -> None:
    with evidence(machine, "ready"):
        started = time.monotonic()
        state = wait_active(machine)
        text = journal(machine)
        assert READY_LINE in text, text
        assert f"mm per pixel, from screen_diagonal_inches: {DIAGONAL})" in text, text
        assert "Traceback" not in text, text
        assert int(state["NRestarts"]) == 0, text
        assert drawing_problems(machine) == []
        print(f"kiosk active {time.monotonic() - started:.0f} s after the agent answered")


def test_screens_match_the_screenshots(
    machine: vm.Machine, expected: dict[str, Path], request: pytest.FixtureRequest
) -> None:
    """Idle, then Space on the USB keyboard: safety, Space: the first point's intro; a long
    press goes back to the idle screen."""
    wait_active(machine)
    with evidence(machine, "screens"):
        wait_screen(machine, expected["01-idle-1-UB60"], "idle")
        for screen in ("02-safety", "03-intro-1-UB60"):
            pressed = machine.press("spc")
            earliest, latest = wait_screen(machine, expected[screen], screen, timeout=90)
            _report(
                request,
                f"Space -> {screen} on the screen: within {latest - pressed:.2f} s "
                f"(not before {max(0, earliest - pressed):.2f} s; screendumps as the clock)",
            )
        long_press(machine)
        wait_screen(machine, expected["01-idle-1-UB60"], "idle-again")
        assert OVER_BUDGET not in journal(machine)


def test_reload_changes_the_screen_and_a_broken_file_keeps_it(
    machine: vm.Machine, disk: Disk, tmp_path: Path
) -> None:
    wait_active(machine)
    before = show(machine)
    good = disk.config.replace(INVITE, EDITED_INVITE)
    broken = re.sub(r"inactivity_seconds: *[0-9.]+", "inactivity_seconds: soon", good)
    assert disk.config != good != broken
    edited = _screenshots(good, tmp_path)["01-idle-1-UB60"]
    with evidence(machine, "reload"):
        machine.agent.write(CONFIG, good)
        machine.agent.run("systemctl", "reload", UNIT)
        vm.wait_for("the reload in the journal", lambda: RELOADED in journal(machine), 60)
        wait_screen(machine, edited, "reloaded")
        machine.agent.write(CONFIG, broken)
        machine.agent.run("systemctl", "reload", UNIT)
        vm.wait_for("the broken file's lines", lambda: KEPT in journal(machine), 60)
        time.sleep(2)  # let a wrongly applied file show
        path = dump(machine, "reloaded-broken")
        # The edited content stays; only the staff notice is new.
        assert pictures.differing(path, edited) < 0.05
        after = show(machine)
        assert after["MainPID"] == before["MainPID"] and after["ActiveState"] == "active"
    machine.agent.write(CONFIG, disk.config)
    machine.agent.run("systemctl", "reload", UNIT)


def test_a_reboot_brings_the_kiosk_back(
    machine: vm.Machine, disk: Disk, expected: dict[str, Path], request: pytest.FixtureRequest
) -> None:
    """A reboot with speech switched on (as a clinic that uses it): the kiosk is back on the
    idle screen, and the kiosk that started at boot opens the sound card at the first press
    (the sound card's driver may probe after the unit starts: the installer loads ALSA's core
    early, so ``DeviceAllow=char-alsa`` finds it; without that it stayed shut until a restart)."""
    started = time.monotonic()
    machine.agent.write(CONFIG, staff_file_with_speech(disk.config))
    down, up = machine.reboot(BOOT_TIMEOUT)
    uptime = float(machine.agent.run("cat", "/proc/uptime").stdout.split()[0])
    _report(
        request,
        f"reboot: down after {down:.0f} s, the agent back after {up:.0f} s, "
        f"{uptime:.0f} s after the new kernel started",
    )
    with evidence(machine, "reboot"):
        wait_active(machine)
        assert drawing_problems(machine) == []
        wait_screen(machine, expected["01-idle-1-UB60"], "after-reboot")
        print(f"reboot to the idle screen: {time.monotonic() - started:.0f} s")
        pid = show(machine)["MainPID"]
        assert show(machine)["NRestarts"] == "0"
        press_to_next_screen(machine, "after-reboot-safety")
        wait_sound_open(machine, pid)
        assert NO_SOUND not in journal(machine)
    long_press(machine)
    reloads = journal(machine).count(RELOADED)
    machine.agent.write(CONFIG, disk.config)
    machine.agent.run("systemctl", "reload", UNIT)
    vm.wait_for("the reload in the journal", lambda: journal(machine).count(RELOADED) > reloads, 60)


def test_stop_gives_the_screen_back_to_the_console(machine: vm.Machine) -> None:
    wait_active(machine)
    with evidence(machine, "stop"):
        machine.agent.run("systemctl", "stop", UNIT)
        assert show(machine)["Result"] == "success"
        # The console paints itself grey: it has the screen again.
        machine.agent.sh(r"printf '\033[47m\033[2J' > /dev/tty1")
        vm.wait_for(
            "the console on the screen",
            lambda: pictures.share_of(dump(machine, "console"), CONSOLE_GREY) > 0.9,
            30,
        )
    machine.agent.sh(r"printf '\033[0m\033[2J' > /dev/tty1")
    machine.agent.run("systemctl", "start", UNIT)
    wait_active(machine)


# --- sound: the hold's end, spoken, in QEMU's recording --------------------------------------

SPEECH_HOLD = 20  # seconds: the first hold; its words, stretched by the emulated CPU, end first
SPEECH_FOLDER = "/var/lib/acupressure-kiosk/speech"
# What the kiosk renders first (kiosk.content.spoken.every_utterance): safety, hold_done,
# summary, warning, the first intro, the first hold; then the rest.
FIRST_SOUNDS = 6
ONSET_TOLERANCE = 0.1  # seconds: the "within 100 ms" of the hold's end
# The kiosk's debug lines (kiosk/app/speaking.py, --verbose in the test's drop-in): a sound
# started, and "Time is up" handed to the sound device ahead of the hold's end, led by
# silence; each with its file in the speech cache and its time on the guest's clock.
SAYING = re.compile(r"Saying .* \((?P<file>\S+\.wav)\) at (?P<at>[\d.]+) s \(monotonic\)")
HANDED = re.compile(
    r"'Time is up' \((?P<file>\S+\.wav)\) handed to the sound device \d+ ms ahead of the "
    r"hold's end at (?P<at>[\d.]+) s"
)
SOUND_CARD = "USB-Audio"  # /proc/asound/cards: QEMU's usb-audio (vm.Machine.command)
WINDOW = 0.005  # seconds: the loudness window of the WAV analysis
NO_SOUND = "no sound device could be opened"


def staff_file_with_speech(config: str) -> str:
    """The test's staff file with speech on and the first hold cut to :data:`SPEECH_HOLD`."""
    edited = re.sub(r"(\nspeech:\n(?:  .*\n|#.*\n|\n)*?  enabled:) *false", r"\1 true", config)
    edited = re.sub(r"hold_seconds: *30", f"hold_seconds: {SPEECH_HOLD}", edited, count=1)
    assert edited.count("enabled: true") == config.count("enabled: true") + 1, edited
    assert f"hold_seconds: {SPEECH_HOLD}" in edited
    return edited


def wait_for_new_screen(machine: vm.Machine, before: Path, name: str, timeout: float = 60) -> None:
    """Take screendumps until the screen is no longer ``before`` (a press before the new
    screen is up is meant for the old one: the kiosk ignores it)."""
    vm.wait_for(
        f"the screen after {before.stem}",
        lambda: pictures.differing(dump(machine, name, "ppm"), before) > 0.05,
        timeout,
        every=0,
    )
    time.sleep(0.5)  # the frame is on the screen; let the kiosk's loop finish with it


def still_screen(machine: vm.Machine, name: str, still: float = 1.0, timeout: float = 60) -> Path:
    """A screendump of a screen that stayed as it is for ``still`` seconds. A screen can
    change with no press: its drawing, decoded in the background, replaces the placeholder
    of its first frame (seconds later in the VM, after a restart). A press's new screen is
    only told from such a change by pressing on a screen that is still."""
    names = [f"{name}-before", f"{name}-before-2"]
    last = dump(machine, names[0], "ppm")

    def now_still() -> Path | None:
        nonlocal last
        time.sleep(still)
        names.reverse()
        now = dump(machine, names[0], "ppm")
        same = pictures.differing(now, last) <= pictures.TOLERANCE
        last = now
        return now if same else None

    found = vm.wait_for(f"the screen before {name} to be still", now_still, timeout, every=0)
    assert isinstance(found, Path)
    return found


def press_to_next_screen(machine: vm.Machine, name: str) -> float:
    """Space on the USB keyboard on a still screen, and wait for the screen it brings; the
    press's time."""
    before = still_screen(machine, name)
    pressed = machine.press("spc")
    wait_for_new_screen(machine, before, name)
    return pressed


def open_devices(machine: vm.Machine, pid: str) -> str:
    """The device nodes process ``pid`` holds open (its fonts, sockets and pipes left out)."""
    # check=False: an fd closed while ls lists them makes it exit 1.
    fds = machine.agent.sh(f"ls -l /proc/{pid}/fd", check=False).stdout
    held = {line.split(" -> ")[-1] for line in fds.splitlines() if " -> /dev/" in line}
    return "\n".join(sorted(held))


def wait_sound_open(machine: vm.Machine, pid: str, timeout: float = 30) -> None:
    """Wait for process ``pid`` to hold the sound card's playback device open."""
    try:
        vm.wait_for(
            "the kiosk to open the sound card",
            lambda: "/dev/snd/pcmC0D0p" in open_devices(machine, pid),
            timeout,
            every=0.5,
        )
    except AssertionError as error:
        held = open_devices(machine, pid)
        raise AssertionError(f"{error}; it holds:\n{held}\n{sound_devices(machine)}") from None


def sound_devices(machine: vm.Machine) -> str:
    """The guest's sound cards, their device nodes and the card's mixer."""
    return machine.agent.sh(
        "cat /proc/asound/cards; ls -l /dev/snd; amixer -c 0 sget Master; amixer -c 0 sget PCM",
        check=False,
    ).stdout


def host_times(growth: sound.Growth, wav: Path, seconds: list[float]) -> list[float | None]:
    form = sound.read_format(wav)
    return [growth.when(second, form) for second in seconds]


@dataclass(frozen=True)
class Started:
    """A sound the kiosk started, or set to start: when, on the host's monotonic clock, and
    how much silence its file begins with (seconds)."""

    at: float
    lead_in: float


def kiosk_sounds(machine: vm.Machine, offset: float) -> tuple[Started, Started]:
    """The hold's words and its "Time is up", from the kiosk's debug lines: the last
    :data:`HANDED` line (the hold's end as the kiosk counts it: the key's kernel timestamp +
    hold_seconds) and the :data:`SAYING` line before it. Their monotonic times go to the
    host's clock through each journal entry's own monotonic and wall-clock stamps, then
    ``offset`` (the guest's wall clock less the host's monotonic one); their files come from
    the kiosk's speech cache."""
    argv = ["journalctl", "--no-pager", "-b", "-u", UNIT, "-o", "json"]
    entries = [json.loads(line) for line in machine.agent.run(*argv).stdout.splitlines()]
    lines = [(entry, str(entry.get("MESSAGE", ""))) for entry in entries]
    handed = [i for i, (_, message) in enumerate(lines) if HANDED.search(message)]
    assert handed, "the kiosk did not hand 'Time is up' to the sound device ahead of the end"
    saying = [i for i in range(handed[-1]) if SAYING.search(lines[i][1])]
    assert saying, "the kiosk said nothing before the hold's end"

    def started(index: int, pattern: re.Pattern[str]) -> Started:
        entry, message = lines[index]
        match = pattern.search(message)
        assert match is not None
        name, monotonic = match.group("file"), float(match.group("at"))
        wall_less_monotonic = (
            int(entry["__REALTIME_TIMESTAMP"]) - int(entry["__MONOTONIC_TIMESTAMP"])
        ) / 1e6
        data = machine.agent.run("base64", "-w0", f"{SPEECH_FOLDER}/{name}").stdout
        return Started(monotonic + wall_less_monotonic - offset, sound.lead_in(b64decode(data)))

    return started(saying[-1], SAYING), started(handed[-1], HANDED)


def thread_niceness(machine: vm.Machine, pid: str) -> dict[str, int]:
    """The nice level of each thread of process ``pid``, by the thread's name."""
    stats = machine.agent.sh(f"cat /proc/{pid}/task/*/stat", check=False).stdout
    found = {}
    for line in stats.splitlines():
        name = line[line.index("(") + 1 : line.rindex(")")]
        found[name] = int(line[line.rindex(")") + 2 :].split()[16])
    return found


def test_the_hold_ends_with_time_is_up_at_its_deadline(
    machine: vm.Machine, disk: Disk, request: pytest.FixtureRequest
) -> None:
    """Speech on (and a restart, as the staff guide says): the kiosk opens ALSA's default
    device as ``kiosk`` in the unit's sandbox (DeviceAllow=char-alsa), SDL's sound thread at
    nice -20; in QEMU's recording the hold's words are said and end, then nothing until
    "Time is up" starts at the hold's end, as on time as the hold's words were at theirs
    (within 100 ms: both go through the VM's sound path, whose delay is reported)."""
    agent = machine.agent
    wait_active(machine)
    with evidence(machine, "sound"):
        # As the staff guide says: switch speech on in the staff file, then restart.
        agent.write(CONFIG, staff_file_with_speech(disk.config))
        agent.run("systemctl", "restart", UNIT)
        pid = wait_active(machine)["MainPID"]
        reloads = journal(machine).count(RELOADED)
        started = time.monotonic()

        def rendered() -> bool:
            names = agent.sh(f"ls {SPEECH_FOLDER} 2>/dev/null || true").stdout.split()
            return sum(name.endswith(".wav") for name in names) >= FIRST_SOUNDS

        vm.wait_for("the first texts rendered", rendered, 180, every=1)
        vm.wait_for("the sound card", lambda: SOUND_CARD in sound_devices(machine), 60, every=1)
        took = time.monotonic() - started
        _report(request, f"espeak-ng in the guest: the first {FIRST_SOUNDS} texts in {took:.0f} s")
        offset, trip = agent.clock_offset()
        growth = sound.Growth(machine.wav)
        growth.start()
        try:
            press_to_next_screen(machine, "sound-safety")
            wait_sound_open(machine, pid)
            assert "Speech plays through SDL's alsa sound driver" in journal(machine)
            # SDL's sound thread took the highest priority the unit allows (LimitNICE=).
            niceness = thread_niceness(machine, pid)
            assert niceness.get("SDLAudioP2") == -20, niceness
            press_to_next_screen(machine, "sound-intro")
            # The intro read to its end: the hold's words then start after silence, where
            # the recording shows when (a press cuts the words, but not what is on its way).
            vm.wait_for(
                "the intro's words to end",
                lambda: sound.quiet_at_end(machine.wav, 2 * sound.GAP),
                60,
                every=0.2,
            )
            holds = journal(machine).count("Hold started")
            pressed = press_to_next_screen(machine, "sound-hold")
            assert journal(machine).count("Hold started") > holds, (
                "the press on the intro did not start the hold: see the journal (a key held "
                "down for seconds by a stalled VM is a long press, which stops the session)"
            )
            time.sleep(max(0.0, pressed + SPEECH_HOLD + 3 - time.monotonic()))
        finally:
            growth.stop()
        text = journal(machine)
        assert NO_SOUND not in text, text
        later, _ = agent.clock_offset()
        words, end = kiosk_sounds(machine, (offset + later) / 2)
        deadline = end.at
        _report(
            request,
            f"the guest's clock against the host's: read to {trip * 500:.1f} ms, moved "
            f"{(later - offset) * 1000:+.1f} ms meanwhile; the hold ends (the kiosk's timeline, "
            f"from the key's kernel timestamp) {deadline - pressed - SPEECH_HOLD:+.3f} s from "
            f"QMP's key + {SPEECH_HOLD} s",
        )
        shutil.copy(machine.wav, ARTEFACTS / "sound.wav")  # to listen to, after a failure
        _, peaks = sound.loudness(machine.wav, WINDOW)
        onsets = sound.onsets(machine.wav, WINDOW)
        seen = host_times(growth, machine.wav, onsets)
        heard = [(s, t) for s, t in zip(onsets, seen, strict=True) if t is not None]
        report = ", ".join(f"{t - pressed:+.3f} s" for _, t in heard)
        _report(request, f"sound onsets after the hold's press: {report}")
        said = [t for _, t in heard if t >= words.at - ONSET_TOLERANCE]
        assert said, f"the hold's words were not heard: {report}"
        # "Time is up": the first sound to start from the hold's end on (less the tolerance).
        after = [(s, t) for s, t in heard if t >= deadline - ONSET_TOLERANCE]
        assert after, f"no sound started at the hold's end: {report}"
        second, done = after[0]
        # The hold's own words: loud after the press, over before the deadline; then quiet.
        loud = [i * WINDOW for i, peak in enumerate(peaks) if peak >= sound.LOUD]
        (ended_at,) = host_times(growth, machine.wav, [max(x for x in loud if x < second)])
        assert ended_at is not None and pressed < ended_at < deadline, report
        # Each sound's delay from when the kiosk started it (less its file's own silence):
        # the VM's sound path (SDL's buffer, ALSA's dmix, the emulated USB card, QEMU's
        # recording) for the hold's words; that and the kiosk's lateness for "Time is up".
        path = said[0] - words.at - words.lead_in
        late = done - deadline - end.lead_in
        _report(
            request,
            f"the hold's words end {ended_at - pressed:.2f} s after the press; the VM's sound "
            f"path: {path * 1000:.0f} ms (the hold's words); 'Time is up' heard "
            f"{late * 1000:.0f} ms after the hold's end: {(late - path) * 1000:+.0f} ms more "
            f"(its file starts with {end.lead_in * 1000:.0f} ms of silence, not counted)",
        )
        assert abs(late - path) <= ONSET_TOLERANCE, (
            f"'Time is up' was heard {late:.3f} s after the hold's end, the hold's words "
            f"{path:.3f} s after theirs; onsets after the press: {report}"
        )
    long_press(machine)
    agent.write(CONFIG, disk.config)
    agent.run("systemctl", "reload", UNIT)
    vm.wait_for("the reload in the journal", lambda: journal(machine).count(RELOADED) > reloads, 60)


BROKEN = {  # name: (what to change in the unit, to what, the check's failure, the journal's line)
    # No access to the DRM device: SDL's KMSDRM driver finds no screen to open.
    "no-drm": (
        r"^DeviceAllow=char-drm rw\n",
        "",
        "to become active",
        "Display could not start (SDL video driver kmsdrm)",
    ),
    # SDL's default framebuffer path instead of GLES2 (see kiosk/devices/display.py): on
    # KMSDRM it draws through mesa's software rasteriser, and the screen stays black.
    "framebuffer-default": (
        r"^(Environment=SDL_VIDEODRIVER=kmsdrm)$",
        r"\1\nEnvironment=SDL_FRAMEBUFFER_ACCELERATION=opengl",
        "pixels differ",
        READY_LINE,
    ),
}


@contextlib.contextmanager
def broken_unit(
    machine: vm.Machine, disk: Disk, pattern: str, replacement: str, breakage: str
) -> Iterator[str]:
    """The kiosk's unit with ``pattern`` replaced (and the test's drop-in), installed in
    place of the kiosk's (stopped) under a name of its own, which is given; afterwards it is
    removed and the kiosk started again."""
    broken = re.sub(pattern, replacement, disk.unit, flags=re.MULTILINE)
    assert broken != disk.unit
    name = f"acupressure-kiosk-{breakage}.service"
    agent = machine.agent
    agent.run("systemctl", "stop", UNIT)
    agent.write(f"/etc/systemd/system/{name}", broken)
    agent.run("mkdir", "-p", f"/etc/systemd/system/{name}.d")
    agent.write(f"/etc/systemd/system/{name}.d/test-hardware.conf", TEST_DROP_IN)
    agent.run("systemctl", "daemon-reload")
    try:
        yield name
    finally:
        agent.run("systemctl", "stop", name, check=False)
        agent.run("rm", "-rf", f"/etc/systemd/system/{name}", f"/etc/systemd/system/{name}.d")
        agent.run("systemctl", "daemon-reload")
        agent.run("systemctl", "reset-failed", name, check=False)
        agent.run("systemctl", "start", UNIT)


def test_without_the_alsa_line_the_kiosk_cannot_open_the_sound_card(
    machine: vm.Machine, disk: Disk
) -> None:
    """The teeth of the sound test: the unit without ``DeviceAllow=char-alsa``, speech on. The
    kiosk runs and draws, but cannot open ALSA's device (its log says so) and plays nothing."""
    machine.agent.write(CONFIG, staff_file_with_speech(disk.config))
    try:
        with broken_unit(machine, disk, r"^DeviceAllow=char-alsa rw\n", "", "no-alsa") as name:
            machine.agent.run("systemctl", "start", name)
            pid = wait_active(machine, name)["MainPID"]
            size = machine.wav.stat().st_size
            with evidence(machine, "no-alsa"):
                press_to_next_screen(machine, "no-alsa-safety")
                vm.wait_for(
                    "the kiosk to say it has no sound",
                    lambda: NO_SOUND in journal(machine, name),
                    30,
                )
                time.sleep(1)  # what would have played by now
                held = open_devices(machine, pid)
                assert "/dev/dri/card0" in held and "/dev/snd/" not in held, held
                assert machine.wav.stat().st_size == size
                print([line for line in journal(machine, name).splitlines() if NO_SOUND in line])
    finally:
        machine.agent.write(CONFIG, disk.config)
    wait_active(machine)


@pytest.mark.parametrize("breakage", sorted(BROKEN))
def test_a_broken_unit_fails_the_same_checks(
    machine: vm.Machine, disk: Disk, expected: dict[str, Path], breakage: str
) -> None:
    pattern, replacement, failure, logged = BROKEN[breakage]
    with broken_unit(machine, disk, pattern, replacement, breakage) as name:
        machine.agent.run("systemctl", "start", "--no-block", name)
        with pytest.raises(AssertionError, match=failure):
            wait_active(machine, name, timeout=60)
            assert drawing_problems(machine, name) == []
            wait_screen(machine, expected["01-idle-1-UB60"], f"broken-{breakage}", timeout=20)
        text = journal(machine, name)
        assert logged in text, text
        print(f"{breakage}: {text.splitlines()[-5:]}")
    wait_active(machine)
    with evidence(machine, f"after-{breakage}"):
        assert drawing_problems(machine) == []


# --- GPIO: a real character device, from gpio-sim ---------------------------------------------

KIOSK_SANDBOX = (  # the unit's user, groups and device list, for a command of the test's
    "--property=User=kiosk",
    "--property=Group=kiosk",
    "--property=SupplementaryGroups=gpio",
    "--property=DevicePolicy=closed",
    "--property=WorkingDirectory=/var/lib/acupressure-kiosk",
)
VENV_PYTHON = "/opt/acupressure-kiosk/venv/bin/python"


@pytest.fixture(scope="module")
def gpio_chip(machine: vm.Machine) -> int:
    """gpio-sim loaded in the guest with one chip; its number. Its device node gets the group
    Raspberry Pi OS's udev rule gives GPIO chips (gpio, 0660); Debian has no such rule."""
    name = machine.agent.sh(gpiosim.SETUP).stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"gpiochip\d+", name), name
    machine.agent.sh(f"chgrp gpio /dev/{name} && chmod 0660 /dev/{name}")
    return int(name.removeprefix("gpiochip"))


def test_gpiozero_refuses_a_board_that_is_not_a_pi(machine: vm.Machine, gpio_chip: int) -> None:
    """gpiozero's lgpio factory reads the Pi's revision code (/proc/device-tree or
    /proc/cpuinfo) to name its pins, even with the chip given: on any other board it raises
    PinUnknownPi. So the kiosk cannot be wired to gpio-sim without patching gpiozero."""
    assert f"button_pin: {BUTTON}" in machine.agent.run("cat", CONFIG).stdout
    script = (
        "from gpiozero import Button\n"
        "from gpiozero.pins.lgpio import LGPIOFactory\n"
        f"Button({BUTTON}, pin_factory=LGPIOFactory(chip={gpio_chip}))\n"
    )
    result = machine.agent.run(
        "systemd-run", "--wait", "--pipe", "--quiet", *KIOSK_SANDBOX,
        "--property=DeviceAllow=char-gpiochip rw", VENV_PYTHON, "-c", script, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "PinUnknownPi: unable to locate Pi revision" in result.stderr, result.stderr


def follow(machine: vm.Machine, chip: int, devices: str) -> str:
    """Start the follower (gpiosim.FOLLOWER) in the kiosk's sandbox with ``devices`` as its
    DeviceAllow=; the name of its transient unit."""
    unit = f"kiosk-gpio-follower-{int(time.monotonic() * 1000)}"
    machine.agent.run(
        "systemd-run", f"--unit={unit}", "--quiet", *KIOSK_SANDBOX,
        f"--property=DeviceAllow={devices}", VENV_PYTHON, FOLLOWER,
        str(chip), str(BUTTON), str(BUZZER), "2",
    )  # fmt: skip
    return unit


def test_lgpio_sees_the_buttons_edges_and_drives_the_buzzer_line(
    machine: vm.Machine, gpio_chip: int, request: pytest.FixtureRequest
) -> None:
    """In the unit's sandbox (its user, groups and DevicePolicy=closed with
    DeviceAllow=char-gpiochip), lgpio gets each edge of the simulated button line and drives
    the buzzer line, which gpio-sim's sysfs reads back."""
    agent = machine.agent
    # dash expands no glob in a redirection's target: the folders, found once
    button, buzzer = (
        agent.sh(f"echo {gpiosim.line_folder(line)}").stdout.strip() for line in (BUTTON, BUZZER)
    )
    unit = follow(machine, gpio_chip, "char-gpiochip rw")
    try:
        vm.wait_for("the follower", lambda: "follower ready" in journal(machine, unit), 60)
        for level, pull in ((1, "pull-up"), (0, "pull-down")):
            pressed = time.monotonic()
            agent.sh(f"echo {pull} > {button}/pull")
            vm.wait_for(
                f"the edge to {level}",
                lambda level=level: f"line={BUTTON} level={level}" in journal(machine, unit),
                30,
                every=0.05,
            )
            seen = time.monotonic() - pressed
            value = agent.run("cat", f"{buzzer}/value").stdout.strip()
            assert value == str(level), journal(machine, unit)
            _report(
                request,
                f"gpio-sim {pull} -> lgpio edge -> buzzer line {level}: "
                f"{seen:.2f} s (through the journal and the guest agent)",
            )
        vm.wait_for(
            "the follower to finish",
            lambda: show(machine, f"{unit}.service")["ActiveState"] == "inactive",
            30,
        )
        assert show(machine, f"{unit}.service")["Result"] == "success", journal(machine, unit)
    finally:
        agent.run("systemctl", "stop", unit, check=False)


def test_without_the_gpiochip_device_lgpio_cannot_open_it(
    machine: vm.Machine, gpio_chip: int
) -> None:
    """The teeth: the same follower with DeviceAllow= lacking char-gpiochip fails."""
    unit = follow(machine, gpio_chip, "char-drm rw")
    vm.wait_for(
        "the follower to fail",
        lambda: show(machine, f"{unit}.service")["ActiveState"] in ("inactive", "failed"),
        60,
    )
    text = journal(machine, unit)
    assert "follower ready" not in text, text
    assert "can not open gpiochip" in text, text
