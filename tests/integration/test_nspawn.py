"""The staff install on a real systemd: install as the guide says, boot, and watch systemd run it.

Checking the unit offline (tests/test_install.py) is not enough: here a Debian bookworm root
(debootstrap minbase with systemd, systemd-sysv, dbus and python3; built once per machine and
cached by ``rootfs``) gets the release file that ``make dist`` makes of this tree, and the
staff guide's install block is run in it through ``chroot``, line by line as written in
docs/staff-guide.md (read from the guide by tests/guide.py, so the two cannot drift). The
installer must find the unpacked folder complete (MANIFEST.sha256) and add the boot settings
to the Pi's boot line; systemd is not running there, so it must enable the unit without
starting it; running it again must upgrade in place and keep an edited staff config. Then the
root is booted with ``systemd-nspawn`` (the guide's ``sudo reboot``) and driven with
``nsenter … systemctl``, and systemd itself must show that:

- the kiosk reaches ``active`` (so READY=1 arrived) as ``User=kiosk``, with the start-up lines
  in the journal and no traceback, and has hidden the cursor and turned screen blanking off on
  tty1;
- the second console keeps its login prompt: ``getty@tty2`` is enabled and running, with
  agetty's prompt on tty2, while the kiosk holds tty1, also after the kiosk restarts (its
  ``Conflicts=getty@tty1.service`` takes tty1's prompt only). Whether Ctrl+Alt+F2 on a real
  keyboard shows that prompt on a real screen (the kernel's and SDL's console switching, with
  the kiosk holding the display) only a Pi can show;
- ``ProtectSystem``, ``NoNewPrivileges``, the empty capability set, the seccomp filter,
  ``RestrictAddressFamilies`` and ``DevicePolicy`` are in force for the running process
  (``/proc/PID/status``, ``/proc/PID/mountinfo``, a write to /etc in its mount namespace, a
  device outside ``DeviceAllow=`` opened from its cgroup, an internet socket refused in the
  unit's sandbox while a netlink socket opens: no ``PrivateNetwork``, so SDL hears udev's
  hot-plug events);
- ``systemctl reload`` (the unit's ``ExecReload=``, SIGHUP) reads an edited staff file
  again without a restart (the same main PID, the log line that it applies at the next start
  screen), and a reload of a file with errors logs them and keeps the kiosk running;
- the usage counts in the state folder (``StateDirectory=``) survive ``systemctl restart``,
  ``kill -9`` and a reload: a session started with a key is still counted by ``stats``;
- a stopped main loop (``kill -STOP``) is caught by the watchdog and the kiosk comes back;
  ``kill -9`` is restarted; ``systemctl stop`` ends it cleanly within a few seconds;
- deliberately broken copies of the unit fail the same checks (the test has teeth);
- ``sudo make uninstall`` leaves no unit, user or /opt tree, and keeps the staff config unless
  ``PURGE=1``; the container powers off and nothing is left running.

What the test changes, and why (nothing else differs from a staff machine):
- Before the guide's steps, what Raspberry Pi OS Lite has and minbase lacks: ``sudo`` and
  ``ca-certificates``, and a Raspberry Pi OS boot line in ``/boot/firmware/cmdline.txt``
  (``PI_CMDLINE``); and ``/etc/pip.conf`` trusting the host's CA bundle, for hosts behind an
  intercepting proxy. The release file is put in the home folder (the guide's step 1, scp or
  a USB stick).
- A test-only drop-in (``TEST_DROP_IN``) swapping the hardware for stand-ins the container has:
  ``SDL_VIDEODRIVER=dummy``, gpiozero's mock pins, and a 5-second watchdog; and a probe run
  before the kiosk, in the same sandbox, printing which sockets it may open and whether it
  may open ``/dev/tty`` (``NET_PROBE``).
- A container has no virtual terminals, so pseudo-terminals of the test's are bound in as
  ``/dev/tty1`` and ``/dev/tty2`` (the unit's ``TTYPath=``, ``StandardInput=tty`` and
  ``DeviceAllow=`` and getty@tty2's then work unchanged; the test reads what is written to
  them), and one as ``/dev/tty0``, whose presence is how getty@.service knows the machine has
  virtual terminals (``ConditionPathExists=/dev/tty0``), as a Pi does.

Needs root, ``debootstrap``, ``systemd-container`` (systemd-nspawn), ``util-linux`` (nsenter)
and ``make`` (``make dist``; with ``git`` it ships the files git lists, tracked and new), and
the network (Debian's archive and PyPI); skipped with the reason otherwise.
Set ``ACUPRESSURE_KEEP_ROOT=1`` to keep the working root under /var/tmp for a look inside.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import guide
import pytest
import rootfs
from rootfs import wait_for

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parents[2]
GUIDE = PROJECT / "docs" / "staff-guide.md"
ROOT_SPEC = rootfs.RootSpec(
    arch=rootfs.host_arch(), include=("systemd", "systemd-sysv", "dbus", "python3")
)
LITE_PACKAGES = ("sudo", "ca-certificates")
HOME = "/root"
RELEASE = guide.release_name()  # acupressure-kiosk-VERSION
ARCHIVE = f"{RELEASE}.tar.gz"  # what `make dist` makes
SOURCE = f"{HOME}/{RELEASE}"  # where the guide's steps unpack it
# docs/staff-guide.md, "Install", step 2, run in the staff member's home folder.
GUIDE_STEPS = tuple(guide.install_steps())
UNINSTALL = "sudo make uninstall"
PURGE = "sudo make uninstall PURGE=1"
# Raspberry Pi OS Lite's boot line (bookworm), which the install must extend, once.
CMDLINE = "/boot/firmware/cmdline.txt"
PI_CMDLINE = (
    "console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes"
    " rootwait cfg80211.ieee80211_regdom=GB\n"
)
BOOT_WORDS = "consoleblank=0 quiet logo.nologo vt.global_cursor_default=0"
GETTY = "getty@tty2.service"
UNIT = "acupressure-kiosk.service"
UNIT_FILE = f"/etc/systemd/system/{UNIT}"
CONFIG = "/etc/acupressure-kiosk/config.yaml"
STATE = "/var/lib/acupressure-kiosk"
WATCHDOG_SEC = 5
NET_PROBE_FILE = "/usr/local/lib/kiosk-net-probe.py"
NET_PROBE = """\
import errno
import os
import socket


def opens(*args):
    try:
        socket.socket(*args).close()
    except OSError:
        return "refused"
    return "open"


inet = opens(socket.AF_INET, socket.SOCK_STREAM)
netlink = opens(socket.AF_NETLINK, socket.SOCK_RAW, 15)  # NETLINK_KOBJECT_UEVENT


def opens_tty():
    try:
        os.close(os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY))
    except OSError as error:
        return f"refused({errno.errorcode.get(error.errno, error.errno)})"
    return "open"


print(f"net-probe: inet={inet} netlink={netlink} tty={opens_tty()}", flush=True)
"""
TEST_DROP_IN = f"""\
# Test only: stand-ins for the Pi's hardware, which the container does not have.
[Service]
Environment=SDL_VIDEODRIVER=dummy
Environment=GPIOZERO_PIN_FACTORY=mock
Environment=GPIOZERO_MOCK_PIN_CLASS=mockpwmpin
WatchdogSec={WATCHDOG_SEC}
# Test only: which sockets the unit's sandbox lets a process open (printed to the journal).
ExecStartPre=-/opt/acupressure-kiosk/venv/bin/python {NET_PROBE_FILE}
"""
# The kiosk's own start-up lines (kiosk/commands/report.py, kiosk/devices/gpio.py,
# kiosk/app/loop.py).
STARTUP_LINES = (
    f"Configuration: {CONFIG}",
    "Button on GPIO17",
    "Kiosk ready: first frame shown",
)
CURSOR_OFF = b"\x1b[?25l"
BLANKING_OFF = b"\x1b[9;0]"  # console_codes(4): screen blank timeout 0 minutes
NSPAWN_ENV = {"PATH": rootfs.CLEAN_PATH, "SYSTEMD_NSPAWN_UNIFIED_HIERARCHY": "1"}


def _skip_reason() -> str | None:
    missing = [tool for tool in ("systemd-nspawn", "nsenter", "make") if not shutil.which(tool)]
    if missing:
        return f"missing {', '.join(missing)} (apt-get install systemd-container util-linux make)"
    return rootfs.debootstrap_problem()


def _report(request: pytest.FixtureRequest, line: str) -> None:
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"[nspawn] {line}")


# --- the container ------------------------------------------------------------------------


class Terminal:
    """A pseudo-terminal standing in for tty1; a thread keeps reading what is written to it."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        self.path = os.ttyname(self._slave)
        self.output = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while not self._stop.is_set():
            try:
                self.output.extend(os.read(self.master, 4096))
            except OSError:  # EIO while the kiosk's side is hung up between runs
                time.sleep(0.1)

    def close(self) -> None:
        self._stop.set()
        os.close(self._slave)
        os.close(self.master)
        self._thread.join(timeout=2)


class Container:
    """A booted ``systemd-nspawn`` container, driven through ``nsenter``."""

    def __init__(self, root: Path, log: Path) -> None:
        self.root = root
        self.log = log
        self.terminal = Terminal()  # tty1, the kiosk's
        self.second = Terminal()  # tty2, a login prompt's
        self.current = Terminal()  # tty0: only there, as on a machine with virtual terminals
        self.process: subprocess.Popen[bytes] | None = None
        self.pid1 = 0
        self.pid_namespace = ""

    def boot(self) -> None:
        command = [
            "systemd-nspawn",
            "-D",
            str(self.root),
            "-b",
            "--register=no",
            "--keep-unit",
            "--private-network",
            "--system-call-filter=bpf",
            "--console=pipe",
            f"--bind={self.terminal.path}:/dev/tty1",
            f"--bind={self.second.path}:/dev/tty2",
            f"--bind={self.current.path}:/dev/tty0",
        ]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=NSPAWN_ENV,
                start_new_session=True,
            )
        self.pid1 = int(wait_for("the container's PID 1", self._child, 30))  # type: ignore[arg-type]
        self.pid_namespace = os.readlink(f"/proc/{self.pid1}/ns/pid")
        private = Path(f"/proc/{self.pid1}/root/run/systemd/private")
        wait_for("systemd's private socket in the container", private.exists, 60)

    def _child(self) -> int | None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"systemd-nspawn exited: {self.log.read_text(errors='replace')}")
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return int(children[0]) if children else None

    def run(
        self, *argv: str, check: bool = True, timeout: float = 120, cwd: str = "/"
    ) -> subprocess.CompletedProcess[str]:
        """Run a command inside the booted container with a clean environment."""
        enter = ["nsenter", "-t", str(self.pid1), "-a"]
        return rootfs.run_inside(enter, argv, cwd=cwd, timeout=timeout, check=check)

    def show(self, unit: str) -> dict[str, str]:
        properties = "ActiveState,SubState,Result,MainPID,NRestarts,LoadState,ExecMainStatus"
        output = self.run("systemctl", "show", f"--property={properties}", unit).stdout
        return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)

    def journal(self, unit: str) -> str:
        return self.run("journalctl", "--no-pager", "-b", "-u", unit).stdout

    def poweroff(self, timeout: float = 60) -> None:
        """``systemctl poweroff`` and wait; kill nspawn by its PID only as a fallback."""
        if self.process is None or self.process.poll() is not None:
            return
        self.run("systemctl", "poweroff", check=False, timeout=30)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            raise AssertionError("the container did not power off: nspawn was killed") from error

    def leftovers(self) -> list[str]:
        """Processes still alive in the container's PID namespace or nspawn's session."""
        assert self.process is not None
        left = []
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                in_container = os.readlink(proc / "ns/pid") == self.pid_namespace
                session = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[3])
            except OSError:
                continue
            if in_container or session == self.process.pid:
                left.append(f"{proc.name} {(proc / 'comm').read_text().strip()}")
        return left


# --- what a healthy kiosk looks like (the broken-unit test uses the same checks) ----------


def wait_active(container: Container, unit: str, timeout: float = 90) -> dict[str, str]:
    """Wait until systemd calls ``unit`` active (for Type=notify: READY=1 arrived)."""

    def active() -> dict[str, str] | None:
        state = container.show(unit)
        return state if state["ActiveState"] == "active" and state["MainPID"] != "0" else None

    try:
        return wait_for(f"{unit} to become active", active, timeout)  # type: ignore[return-value]
    except AssertionError as error:
        raise AssertionError(
            f"{error}: {container.show(unit)}\n{container.journal(unit)}"
        ) from None


def hardening_problems(container: Container, unit: str) -> list[str]:
    """What of the unit's sandbox is not in force for its running main process."""
    pid = container.show(unit)["MainPID"]
    status = dict(
        line.split(":", 1)
        for line in container.run("cat", f"/proc/{pid}/status").stdout.splitlines()
    )
    status = {key: value.split() for key, value in status.items()}
    kiosk_uid = container.run("id", "-u", "kiosk").stdout.strip()
    problems = []
    if status["Uid"][0] != kiosk_uid:
        problems.append(f"runs as uid {status['Uid'][0]}, not kiosk ({kiosk_uid})")
    if status["NoNewPrivs"] != ["1"]:
        problems.append("NoNewPrivileges is not set")
    for caps in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        if int(status[caps][0], 16):
            problems.append(f"{caps} is {status[caps][0]}, not empty")
    if status["Seccomp"] != ["2"]:
        problems.append("no seccomp system-call filter")
    problems += _mount_problems(container, pid)
    problems += _device_problems(container, pid)
    problems += _network_problems(container, unit, pid)
    return problems


def _network_problems(container: Container, unit: str, pid: str) -> list[str]:
    """No internet sockets; netlink open and the host's network namespace, so that SDL
    hears udev announce a USB keyboard or touch screen plugged in after start-up."""
    problems = []
    probes = [line for line in container.journal(unit).splitlines() if "net-probe:" in line]
    if not probes:
        return ["the network probe printed nothing"]
    if "inet=open" in probes[-1]:
        problems.append("can open an internet (AF_INET) socket (no RestrictAddressFamilies)")
    if "netlink=open" not in probes[-1]:
        problems.append("cannot open a netlink socket: input hot-plug would go unseen")
    # SDL opens /dev/tty (its console, tty1) to mute the keyboard and to switch consoles on
    # Ctrl+Alt+F2, letting go of the screen; DevicePolicy=closed allows it, strict would not.
    tty = probes[-1].split("tty=", 1)[1].split()[0] if "tty=" in probes[-1] else "?"
    if tty != "open":
        problems.append(f"cannot open /dev/tty, the console SDL switches from: tty={tty}")
    own_net = container.run("readlink", f"/proc/{pid}/ns/net").stdout
    if own_net != container.run("readlink", "/proc/1/ns/net").stdout:
        problems.append("has a network namespace of its own (PrivateNetwork)")
    return problems


def _mount_problems(container: Container, pid: str) -> list[str]:
    mounts = {}
    for line in container.run("cat", f"/proc/{pid}/mountinfo").stdout.splitlines():
        fields = line.split()
        mounts[fields[4]] = fields[5].split(",")
    problems = []
    if "ro" not in mounts.get("/", []):
        problems.append("/ is not mounted read-only (ProtectSystem=strict)")
    if "rw" not in mounts.get(STATE, []):
        problems.append(f"{STATE} is not a writable mount (StateDirectory=)")
    if "/tmp" not in mounts:
        problems.append("no private /tmp")
    # Root in the service's own mount namespace: only a read-only mount stops this write.
    probe = f"/etc/acupressure-kiosk-probe-{pid}"
    write = container.run(
        "nsenter", "-t", pid, "-m", "sh", "-c", f"echo probe > {probe}", check=False
    )
    if write.returncode == 0 or "Read-only file system" not in write.stderr:
        problems.append(f"a write to /etc was not refused as read-only: {write.stderr.strip()}")
        container.run("rm", "-f", probe, check=False)
    return problems


def _device_problems(container: Container, pid: str) -> list[str]:
    """DevicePolicy=closed: a shell moved into the unit's cgroup must not open /dev/net/tun
    (nspawn gives every container one; it is not in the unit's DeviceAllow=)."""
    cgroup = container.run("cat", f"/proc/{pid}/cgroup").stdout.split("0::", 1)[1].split()[0]
    procs = f"/sys/fs/cgroup{cgroup}/cgroup.procs"
    opened = container.run("sh", "-c", f"echo $$ > {procs} && exec 3< /dev/net/tun", check=False)
    if "Operation not permitted" not in opened.stderr:
        return [f"a device outside DeviceAllow= could be opened: {opened.stderr.strip()}"]
    return []


def assert_healthy(container: Container, unit: str, timeout: float = 90) -> dict[str, str]:
    """The unit reaches active and its sandbox is in force."""
    state = wait_active(container, unit, timeout)
    problems = hardening_problems(container, unit)
    assert not problems, f"{unit}: {problems}"
    return state


# --- fixtures -------------------------------------------------------------------------------


def _guide_commands(root: Path) -> str:
    """Run the guide's install steps in the root (one shell, so `cd` carries on)."""
    script = " && ".join(f"echo '$ {step}' && {step}" for step in GUIDE_STEPS)
    result = rootfs.run(root, ["sh", "-c", script], cwd=HOME, timeout=3600)
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def installed_root(request: pytest.FixtureRequest) -> Iterator[tuple[Path, str]]:
    """A working copy of the cached root with the kiosk installed by the guide's steps."""
    reason = _skip_reason()
    if reason:
        pytest.skip(f"nspawn test cannot run here: {reason}")
    started = time.monotonic()
    cached = rootfs.cached_root(ROOT_SPEC)
    _report(
        request, f"debootstrap or cache hit ({cached.name}): {time.monotonic() - started:.0f} s"
    )
    keep = os.environ.get("ACUPRESSURE_KEEP_ROOT") == "1"
    with rootfs.working_copy(cached, keep=keep) as root:
        started = time.monotonic()
        with rootfs.mounted(root):
            ca = rootfs.install_host_ca(root)
            (root / "etc/pip.conf").write_text(f"[global]\ncert = {ca}\n")
            rootfs.run(root, ["apt-get", "update", "-q"])
            rootfs.run(root, ["apt-get", "install", "-y", "-q", *LITE_PACKAGES])
            (root / CMDLINE.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
            (root / CMDLINE.lstrip("/")).write_text(PI_CMDLINE)
            guide.make_release(root / HOME.lstrip("/") / ARCHIVE, rootfs.CLEAN_PATH)
            output = _guide_commands(root)
        _report(request, f"guide's install steps in chroot: {time.monotonic() - started:.0f} s")
        drop_in = root / f"etc/systemd/system/{UNIT}.d/test-hardware.conf"
        drop_in.parent.mkdir(parents=True)
        drop_in.write_text(TEST_DROP_IN)
        (root / NET_PROBE_FILE.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / NET_PROBE_FILE.lstrip("/")).write_text(NET_PROBE)
        yield root, output


@pytest.fixture(scope="module")
def container(
    installed_root: tuple[Path, str], request: pytest.FixtureRequest
) -> Iterator[Container]:
    root, _ = installed_root
    machine = Container(root, root.parent / "nspawn.log")
    started = time.monotonic()
    try:
        machine.boot()
        _report(request, f"boot to systemd's socket: {time.monotonic() - started:.1f} s")
        yield machine
    finally:
        try:
            machine.poweroff()
        finally:
            for terminal in (machine.terminal, machine.second, machine.current):
                terminal.close()
        left = machine.leftovers()
        assert not left, f"processes left running after poweroff: {left}"


# --- the tests, in the order a staff member meets them ---------------------------------------


def test_guide_has_the_steps_the_test_runs() -> None:
    """The install block is read from the guide; the uninstall lines must be there too."""
    text = GUIDE.read_text()
    assert GUIDE_STEPS[-1] == "sudo make install" and f"cd {RELEASE}" in GUIDE_STEPS
    for step in (UNINSTALL, PURGE):
        assert re.search(rf"^\s*{re.escape(step)}\s*(#.*)?$", text, re.MULTILINE), step


def test_install_in_chroot_enables_without_starting(installed_root: tuple[Path, str]) -> None:
    root, output = installed_root
    for step in GUIDE_STEPS:
        assert f"$ {step}\n" in output, f"the guide's step {step!r} did not run:\n{output}"
    assert "the folder is complete: all " in output, output  # the release's MANIFEST.sha256
    assert "systemd is not running here" in output and "NOT started" in output, output
    assert "python3-lgpio is not in this system's package archive" in output, output
    wants = root / "etc/systemd/system/multi-user.target.wants" / UNIT
    assert os.readlink(wants) == UNIT_FILE
    assert (root / CONFIG.lstrip("/")).read_text().strip()


def test_install_added_the_boot_settings_once(installed_root: tuple[Path, str]) -> None:
    root, output = installed_root
    cmdline = root / CMDLINE.lstrip("/")
    assert cmdline.read_text() == PI_CMDLINE.rstrip("\n") + " " + BOOT_WORDS + "\n", output
    assert (root / f"{CMDLINE}.before-acupressure-kiosk".lstrip("/")).read_text() == PI_CMDLINE


def test_running_the_install_again_upgrades_in_place(installed_root: tuple[Path, str]) -> None:
    root, _ = installed_root
    config = root / CONFIG.lstrip("/")
    edited = config.read_text() + "# edited by the clinic\n"
    config.write_text(edited)
    with rootfs.mounted(root):
        result = rootfs.run(root, ["sh", "-c", GUIDE_STEPS[-1]], cwd=SOURCE, timeout=3600)
    output = result.stdout + result.stderr
    assert "upgrading the virtual environment" in output, output
    assert f"keeping the existing {CONFIG}" in output, output
    assert f"{CONFIG} is valid" in output, output
    assert config.read_text() == edited
    assert f"boot settings already in {CMDLINE}" in output, output


def test_kiosk_is_active_and_logs_its_start(container: Container) -> None:
    state = wait_active(container, UNIT)
    journal = container.journal(UNIT)
    for line in STARTUP_LINES:
        assert line in journal, f"missing start-up line {line!r}:\n{journal}"
    assert "Traceback" not in journal, journal
    assert int(state["NRestarts"]) == 0, journal
    assert CURSOR_OFF in container.terminal.output, "the cursor was not hidden on tty1"
    assert BLANKING_OFF in container.terminal.output, "screen blanking was not turned off"


def getty_problems(container: Container) -> list[str]:
    """What keeps a login prompt from being on tty2 while the kiosk has tty1."""
    problems = []
    enabled = container.run("systemctl", "is-enabled", GETTY, check=False).stdout.strip()
    if enabled != "enabled":
        problems.append(f"{GETTY} is {enabled}, not enabled")
    state = container.show(GETTY)
    if state["ActiveState"] != "active" or state["MainPID"] == "0":
        problems.append(f"{GETTY} is not running: {state}")
    elif "agetty" not in container.run("cat", f"/proc/{state['MainPID']}/cmdline").stdout:
        problems.append(f"{GETTY} runs no agetty")
    if container.show(UNIT)["ActiveState"] != "active":
        problems.append("the kiosk is not active beside it")
    if container.show("getty@tty1.service")["ActiveState"] == "active":
        problems.append("getty@tty1 runs: the kiosk does not have tty1")
    return problems


def test_second_console_has_a_login_prompt_beside_the_kiosk(container: Container) -> None:
    wait_active(container, UNIT)
    wait_for(f"{GETTY} to run", lambda: not getty_problems(container), 30)
    wait_for("the login prompt on tty2", lambda: b"login: " in container.second.output, 30)
    getty = container.show(GETTY)["MainPID"]
    container.run("systemctl", "restart", UNIT)  # Conflicts= acts on every start
    wait_active(container, UNIT)
    assert getty_problems(container) == []
    assert container.show(GETTY)["MainPID"] == getty  # not stopped by the kiosk's start
    # The check has teeth: with tty2's prompt stopped it says so.
    container.run("systemctl", "stop", GETTY)
    try:
        assert any("not running" in problem for problem in getty_problems(container))
    finally:
        container.run("systemctl", "start", GETTY)
    wait_for(f"{GETTY} to run again", lambda: not getty_problems(container), 30)


def test_sandbox_is_in_force(container: Container) -> None:
    wait_active(container, UNIT)
    assert hardening_problems(container, UNIT) == []


RELOADED = "Reloaded the staff file: applies at the next start screen"
IN_USE = "The reloaded staff file is in use"
KEPT = "kept the content that was running (see the lines above)"


def test_reload_reads_the_staff_file_without_a_restart(container: Container) -> None:
    """The staff guide's edit step: edit the file, ``systemctl reload``. A good file is used
    (the kiosk is at its start screen, so at once); a broken one is logged and changes
    nothing; neither restarts the service."""
    before = wait_active(container, UNIT)
    config = container.root / CONFIG.lstrip("/")
    original = config.read_text()
    good = original.replace('invite: "Press the button to start"', 'invite: "Press to begin"')
    broken = re.sub(r"inactivity_seconds: *[0-9.]+", "inactivity_seconds: soon", good)
    assert original != good != broken
    try:
        config.write_text(good)
        container.run("systemctl", "reload", UNIT)
        wait_for("the reload in the journal", lambda: IN_USE in container.journal(UNIT), 30)
        journal = container.journal(UNIT)
        assert RELOADED in journal, journal
        after = container.show(UNIT)
        assert after["ActiveState"] == "active", after
        assert after["MainPID"] == before["MainPID"], (before, after)  # not restarted
        assert after["NRestarts"] == before["NRestarts"], (before, after)

        config.write_text(broken)
        container.run("systemctl", "reload", UNIT)
        wait_for("the broken file's lines", lambda: KEPT in container.journal(UNIT), 30)
        journal = container.journal(UNIT)
        assert "Config error: /etc/acupressure-kiosk/config.yaml:" in journal, journal
        assert "inactivity_seconds" in journal, journal
        assert "Traceback" not in journal, journal
        time.sleep(1)
        after = container.show(UNIT)
        assert after["ActiveState"] == "active", after
        assert after["MainPID"] == before["MainPID"], (before, after)
    finally:
        config.write_text(original)
    container.run("systemctl", "reload", UNIT)


PROM_DIR = "/var/lib/prometheus/node-exporter"
PROM = f"{PROM_DIR}/acupressure_kiosk.prom"
NO_PROM = "Usage metrics cannot be written to"


def test_the_metrics_file_is_written_in_node_exporters_folder(container: Container) -> None:
    """The staff guide's Prometheus step under the real sandbox: with usage.metrics_file in
    node_exporter's folder (writable by the kiosk user; chown here stands in for the guide's
    setfacl, which needs the acl package the root lacks), ProtectSystem=strict lets it write
    there only through the unit's ReadWritePaths=; a drop-in that empties ReadWritePaths=
    makes the write fail, logged, with the kiosk still running."""
    config = container.root / CONFIG.lstrip("/")
    original = config.read_text()
    reset = container.root / f"etc/systemd/system/{UNIT}.d/test-no-metrics.conf"
    container.run("install", "-d", "-o", "root", "-g", "root", "-m", "0755", PROM_DIR)
    container.run("chown", "kiosk", PROM_DIR)
    try:
        # the guide's edit: the installed file has `usage:` with `metrics_file: null`
        assert "\nusage:\n" in original and "  metrics_file: null\n" in original
        config.write_text(original.replace("  metrics_file: null\n", f"  metrics_file: {PROM}\n"))
        container.run("systemctl", "restart", UNIT)
        wait_active(container, UNIT)
        prom = container.root / PROM.lstrip("/")
        try:
            wait_for("the metrics file", prom.exists, 30)
        except AssertionError:
            raise AssertionError(container.journal(UNIT)[-3000:]) from None
        assert "acupressure_kiosk_sessions_started_total 0\n" in prom.read_text()
        assert prom.stat().st_mode & 0o777 == 0o644  # despite the unit's UMask=0077
        assert NO_PROM not in container.journal(UNIT)
        prom.unlink()

        reset.write_text("[Service]\nReadWritePaths=\n")  # the teeth: without the line
        container.run("systemctl", "daemon-reload")
        container.run("systemctl", "restart", UNIT)
        wait_active(container, UNIT)
        wait_for("the failure in the journal", lambda: NO_PROM in container.journal(UNIT), 30)
        assert "Read-only file system" in container.journal(UNIT)
        assert not prom.exists()
    finally:
        config.write_text(original)
        reset.unlink(missing_ok=True)
        container.run("systemctl", "daemon-reload")
        container.run("systemctl", "restart", UNIT)
    wait_active(container, UNIT)


PRESS_SCRIPT = """\
import struct, time
EVENT = struct.Struct("@llHHi")
with open("/dev/input/event0", "wb", buffering=0) as fifo:
    for value in (1, 0):
        now = time.time()
        sec, usec = int(now), int(now % 1 * 1_000_000)
        fifo.write(EVENT.pack(sec, usec, 1, 57, value) + EVENT.pack(sec, usec, 0, 0, 0))
        time.sleep(0.2)
"""
STATS = "acupressure-kiosk stats --csv --state-dir " + STATE


def _started(container: Container) -> int:
    """Sessions started, all days together, as `stats --csv` (the staff guide's) says."""
    rows = container.run("sh", "-c", STATS).stdout.splitlines()
    header = rows[0].split(",")
    return sum(int(row.split(",")[header.index("started")]) for row in rows[1:])


def test_usage_counts_survive_a_restart_kill_9_and_a_reload(container: Container) -> None:
    """A session started with a key (a kernel input event through a FIFO standing in for a
    USB keyboard in /dev/input) is counted in the state folder; the count is still there,
    in the same database file, after ``systemctl restart``, ``kill -9`` and a reload."""
    container.run(
        "sh",
        "-c",
        "install -d -m 0755 /dev/input && rm -f /dev/input/event0 && "
        "mkfifo -m 0666 /dev/input/event0",
    )
    try:
        container.run("systemctl", "restart", UNIT)
        before = wait_active(container, UNIT)
        assert _started(container) == 0
        container.run("python3", "-c", PRESS_SCRIPT, timeout=30)
        wait_for("the session start in the counts", lambda: _started(container) == 1, 30)
        database = container.root / STATE.lstrip("/") / "usage.sqlite3"
        inode = database.stat().st_ino

        container.run("systemctl", "restart", UNIT)
        wait_active(container, UNIT)
        assert _started(container) == 1
        current = container.show(UNIT)
        container.run("sh", "-c", f"kill -9 {current['MainPID']}")
        wait_for("a restart after kill -9", lambda: _restarted(container, current), 60)
        container.run("systemctl", "reload", UNIT)
        assert _started(container) == 1
        assert database.stat().st_ino == inode
        assert "could not be read" not in container.journal(UNIT)
        assert before["MainPID"] != container.show(UNIT)["MainPID"]
    finally:
        container.run("rm", "-f", "/dev/input/event0")
        container.run("systemctl", "restart", UNIT)
    wait_active(container, UNIT)


def test_watchdog_restarts_a_stopped_loop(container: Container) -> None:
    before = wait_active(container, UNIT)
    container.run("sh", "-c", f"kill -STOP {before['MainPID']}")
    wait_for(
        "the watchdog timeout in the journal",
        lambda: "Watchdog timeout" in container.journal(UNIT),
        WATCHDOG_SEC + 20,
    )
    # The result line follows once the aborted process has written its threads' stacks
    # (PYTHONFAULTHANDLER) and ended: seconds later on a loaded machine.
    wait_for(
        "the watchdog's result in the journal",
        lambda: "Failed with result 'watchdog'" in container.journal(UNIT),
        30,
    )
    after = wait_for(
        "the kiosk to be back after the watchdog",
        lambda: _restarted(container, before),
        60,
    )
    assert after["MainPID"] != before["MainPID"]  # type: ignore[index]


def test_kill_9_is_restarted(container: Container) -> None:
    before = wait_active(container, UNIT)
    container.run("sh", "-c", f"kill -9 {before['MainPID']}")
    after = wait_for("a restart after kill -9", lambda: _restarted(container, before), 60)
    assert int(after["NRestarts"]) > int(before["NRestarts"])  # type: ignore[index]


def _restarted(container: Container, before: dict[str, str]) -> dict[str, str] | None:
    state = container.show(UNIT)
    if (
        state["ActiveState"] == "active"
        and state["MainPID"] not in ("0", before["MainPID"])
        and int(state["NRestarts"]) > int(before["NRestarts"])
    ):
        return state
    return None


BROKEN = {  # name: (lines to change, what the checks must then report[, what to put there])
    # lgpio needs a writable working directory: without StateDirectory= it is read-only.
    "no-state-directory": (r"^StateDirectory=.*\n", "is not a writable mount"),
    # Device limits dropped: every device node the system has is open to it.
    "no-device-policy": (r"^Device(Policy|Allow)=.*\n", "a device outside DeviceAllow="),
    # Sandbox lines dropped: it still runs, less confined (SystemCallFilter= still implies
    # NoNewPrivileges=yes).
    "no-sandbox": (
        r"^(ProtectSystem|NoNewPrivileges|CapabilityBoundingSet|RestrictAddressFamilies)=.*\n",
        "CapBnd.*not mounted read-only.*write to /etc.*AF_INET",
    ),
    # Only the devices listed in DeviceAllow=: no /dev/tty, so SDL cannot switch consoles.
    "strict-devices": (r"^DevicePolicy=closed$", "tty=refused", "DevicePolicy=strict"),
    # A network namespace of its own: udev's netlink events never reach SDL.
    "private-network": (
        r"^(?=IPAddressDeny=)",
        "network namespace of its own",
        "PrivateNetwork=yes\n",
    ),
}


@pytest.mark.parametrize("breakage", sorted(BROKEN))
def test_a_broken_unit_fails_the_same_checks(container: Container, breakage: str) -> None:
    pattern, expected, *replacement = BROKEN[breakage]
    name = f"acupressure-kiosk-{breakage}.service"
    unit = (container.root / UNIT_FILE.lstrip("/")).read_text()
    broken = re.sub(pattern, "".join(replacement), unit, flags=re.MULTILINE)
    assert broken != unit
    unit_dir = container.root / "etc/systemd/system"
    (unit_dir / name).write_text(broken)
    (unit_dir / f"{name}.d").mkdir()
    (unit_dir / f"{name}.d/test-hardware.conf").write_text(TEST_DROP_IN)
    container.run("systemctl", "daemon-reload")
    try:
        container.run("systemctl", "start", "--no-block", name)
        with pytest.raises(AssertionError, match=expected):
            assert_healthy(container, name, timeout=20)
    finally:
        container.run("systemctl", "stop", name, check=False)
        (unit_dir / name).unlink()
        shutil.rmtree(unit_dir / f"{name}.d")
        container.run("systemctl", "daemon-reload")
        container.run("systemctl", "reset-failed", name, check=False)
    assert_healthy(container, UNIT)  # the real unit is untouched


def test_stop_is_clean_and_quick(container: Container) -> None:
    wait_active(container, UNIT)
    started = time.monotonic()
    container.run("systemctl", "stop", UNIT)
    took = time.monotonic() - started
    state = container.show(UNIT)
    assert state["ActiveState"] == "inactive" and state["Result"] == "success", state
    assert took < 5, f"systemctl stop took {took:.1f} s"
    assert "Traceback (most recent call last)" not in container.journal(UNIT)


def test_uninstall_removes_all_but_the_staff_config(container: Container) -> None:
    result = container.run("sh", "-c", UNINSTALL, cwd=SOURCE)
    assert "kept the staff config" in result.stdout, result.stdout
    assert container.show(UNIT)["LoadState"] == "not-found"
    assert container.run("getent", "passwd", "kiosk", check=False).returncode == 2
    root = container.root
    for gone in (UNIT_FILE, "/opt/acupressure-kiosk", "/usr/local/bin/acupressure-kiosk"):
        assert not (root / gone.lstrip("/")).exists(), gone
    assert (root / CONFIG.lstrip("/")).is_file()
    state = root / STATE.lstrip("/")  # the usage counts stay, and nothing else of the state
    assert not state.exists() or {p.name.split("-")[0] for p in state.iterdir()} <= {
        "usage.sqlite3"
    }, sorted(state.iterdir())
    container.run("sh", "-c", PURGE, cwd=SOURCE)
    assert not (root / "etc/acupressure-kiosk").exists()
    assert not state.exists()
    # The installer had enabled tty2's prompt: disabled again, but still running (a staff
    # member logged in there keeps the session).
    assert f"disabled {GETTY}, which the installer had enabled" in result.stdout, result.stdout
    assert container.run("systemctl", "is-enabled", GETTY, check=False).stdout.strip() != "enabled"
    assert container.show(GETTY)["ActiveState"] == "active"
