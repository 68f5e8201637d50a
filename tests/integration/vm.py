"""A QEMU virtual machine for the VM test: the disk image, QEMU itself, QMP and the guest agent.

The pieces, in the order tests/integration/test_vm.py uses them:

- :func:`make_image` turns a root directory into a raw ext4 disk image with ``mkfs.ext4 -d``
  (no loop mount, so it works wherever mkfs runs).
- :class:`Machine` boots that image with the root's own Debian kernel and initrd
  (``-kernel``/``-initrd``) under TCG: a virtio-gpu display, a USB keyboard on an xHCI bus, a
  USB sound card recorded to a WAV file, the serial console in a file, a QMP socket and a
  virtio-serial port for the guest agent. KVM is used only when ``ACUPRESSURE_VM_KVM=1``:
  on the machines this was written on a KVM guest never got past the firmware.
- :class:`Qmp` speaks QEMU's machine protocol: one JSON object a line, ``qmp_capabilities``
  first; events that arrive between replies are kept in :attr:`Qmp.events`.
- :class:`GuestAgent` speaks to ``qemu-guest-agent`` in the guest: ``guest-exec`` runs a
  command there and returns its exit status and output. Nothing listens on a network: the
  guest has none.

Everything here is plain standard library; the test decides what to run and what to expect.

Example::

    machine = Machine(Path("disk.img"), Path("vmlinuz"), Path("initrd.img"), Path("run"),
                      append="root=/dev/vda rw console=ttyS0")
    machine.start()
    machine.agent_ready(timeout=300)
    print(machine.agent.run("uname", "-r").stdout)
    machine.poweroff()
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from rootfs import wait_for

QEMU = "qemu-system-x86_64"
#: The VM's screen: virtio-gpu's default mode, which the kiosk takes as its own size.
SCREEN = (1280, 800)


def qemu_problem() -> str | None:
    """Why this host cannot run the VM, or None if it can."""
    missing = [tool for tool in (QEMU, "mkfs.ext4") if not shutil.which(tool)]
    if missing:
        return f"missing {', '.join(missing)} (apt-get install qemu-system-x86 e2fsprogs)"
    return None


def make_image(root: Path, image: Path, size_mb: int) -> None:
    """A raw ext4 image of ``size_mb`` MB holding ``root``'s files (owners and modes kept)."""
    image.unlink(missing_ok=True)
    subprocess.run(
        ["mkfs.ext4", "-q", "-F", "-L", "rootfs", "-d", str(root), str(image), f"{size_mb}M"],
        check=True,
        capture_output=True,
    )


class Qmp:
    """QEMU's machine protocol on a unix socket: :meth:`command` sends one and returns its
    ``return`` value; an ``error`` reply raises :class:`QmpError`."""

    def __init__(self, path: Path, timeout: float = 30) -> None:
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.settimeout(timeout)
        self._socket.connect(str(path))
        self._file = self._socket.makefile("rwb")
        #: Asynchronous events (SHUTDOWN, POWERDOWN, ...) seen so far, oldest first.
        self.events: list[dict] = []
        greeting = self._read()
        if "QMP" not in greeting:
            raise QmpError(f"not a QMP greeting: {greeting}")
        self.command("qmp_capabilities")

    def _read(self) -> dict:
        line = self._file.readline()
        if not line:
            raise QmpError("QEMU closed the QMP socket")
        return json.loads(line)

    def command(self, name: str, **arguments: object) -> object:
        message: dict[str, object] = {"execute": name}
        if arguments:
            message["arguments"] = arguments
        self._file.write(json.dumps(message).encode() + b"\n")
        self._file.flush()
        while True:
            reply = self._read()
            if "event" in reply:
                self.events.append(reply)
            elif "error" in reply:
                raise QmpError(f"{name}: {reply['error']}")
            else:
                return reply.get("return")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
            self._socket.close()


class QmpError(RuntimeError):
    """QEMU refused a QMP command, or the socket closed."""


@dataclass
class Result:
    """What a command run in the guest did."""

    returncode: int
    stdout: str
    stderr: str


class GuestCommandError(RuntimeError):
    """A command in the guest exited with a non-zero status (message: its output's tail)."""


class GuestAgent:
    """``qemu-guest-agent`` on a virtio-serial port, reached through QEMU's unix socket."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._socket: socket.socket | None = None
        self._file = None

    def connect(self, timeout: float = 5) -> bool:
        """Open the socket and synchronise (guest-sync-delimited); False if the agent in the
        guest does not answer yet."""
        self.close()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(str(self.path))
            file = sock.makefile("rwb")
            token = int(time.monotonic() * 1000) % 2**31
            request = {"execute": "guest-sync-delimited", "arguments": {"id": token}}
            file.write(b"\xff" + json.dumps(request).encode() + b"\n")
            file.flush()
            while True:  # the agent answers with 0xff, then the reply; skip stale lines
                raw = file.readline()
                if not raw:  # QEMU closed the connection: no agent behind it yet
                    sock.close()
                    return False
                line = raw.lstrip(b"\xff").strip()
                if line and json.loads(line).get("return") == token:
                    break
        except (OSError, ValueError):
            sock.close()
            return False
        self._socket, self._file = sock, file
        sock.settimeout(60)
        return True

    def _call(self, name: str, **arguments: object) -> object:
        if self._file is None:
            raise GuestCommandError("the guest agent is not connected")
        message: dict[str, object] = {"execute": name}
        if arguments:
            message["arguments"] = arguments
        self._file.write(json.dumps(message).encode() + b"\n")
        self._file.flush()
        reply = json.loads(self._file.readline())
        if "error" in reply:
            raise GuestCommandError(f"{name}: {reply['error']}")
        return reply.get("return")

    def clock_offset(self, samples: int = 15) -> tuple[float, float]:
        """The guest's wall clock less the host's ``time.monotonic()``, in seconds, from the
        ``guest-get-time`` answer that came back soonest; and that round trip (its error is
        at most half of it)."""
        best = (math.inf, 0.0)
        for _ in range(samples):
            sent = time.monotonic()
            nanoseconds = self._call("guest-get-time")
            back = time.monotonic()
            assert isinstance(nanoseconds, int)
            best = min(best, (back - sent, nanoseconds / 1e9 - (sent + back) / 2))
        return best[1], best[0]

    def run(
        self, *argv: str, input: str | None = None, timeout: float = 120, check: bool = True
    ) -> Result:
        """Run ``argv`` in the guest (as root, PATH set); its status and output."""
        arguments: dict[str, object] = {
            "path": argv[0],
            "arg": list(argv[1:]),
            "capture-output": True,
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        }
        if input is not None:
            arguments["input-data"] = base64.b64encode(input.encode()).decode()
        pid = self._call("guest-exec", **arguments)["pid"]  # type: ignore[index]
        deadline = time.monotonic() + timeout
        while True:
            status = self._call("guest-exec-status", pid=pid)
            assert isinstance(status, dict)
            if status["exited"]:
                break
            if time.monotonic() > deadline:
                raise GuestCommandError(f"{' '.join(argv)}: still running after {timeout:.0f} s")
            time.sleep(0.05)
        result = Result(
            status.get("exitcode", -1),
            base64.b64decode(status.get("out-data", "")).decode(errors="replace"),
            base64.b64decode(status.get("err-data", "")).decode(errors="replace"),
        )
        if check and result.returncode != 0:
            raise GuestCommandError(
                f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout[-2000:]}"
                f"\n{result.stderr[-2000:]}"
            )
        return result

    def sh(self, script: str, check: bool = True, timeout: float = 120) -> Result:
        """Run a shell script in the guest."""
        return self.run("/bin/sh", "-c", script, check=check, timeout=timeout)

    def write(self, path: str, text: str) -> None:
        """Write ``text`` to ``path`` in the guest (through ``tee``, keeping its owner)."""
        self.run("/bin/sh", "-c", 'cat > "$0"', path, input=text)

    def close(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.close()
        self._socket = self._file = None


class Machine:
    """One QEMU process booting ``image`` with ``kernel`` and ``initrd``.

    :param folder: where the sockets, the serial log, the WAV recording and QEMU's own log go.
    :param append: the kernel command line.
    :param memory: guest memory in MB.
    """

    def __init__(
        self,
        image: Path,
        kernel: Path,
        initrd: Path,
        folder: Path,
        append: str,
        memory: int = 1536,
    ) -> None:
        self.image, self.kernel, self.initrd = image, kernel, initrd
        self.folder = folder
        self.append = append
        self.memory = memory
        self.qmp_path = folder / "qmp.sock"
        self.agent_path = folder / "qga.sock"
        self.serial = folder / "serial.log"
        self.wav = folder / "sound.wav"
        self.log = folder / "qemu.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.qmp: Qmp | None = None
        self.agent = GuestAgent(self.agent_path)
        #: Whether this machine runs under KVM (only if asked for and seen to work).
        self.kvm = os.environ.get("ACUPRESSURE_VM_KVM") == "1" and os.access("/dev/kvm", os.W_OK)

    def command(self) -> list[str]:
        width, height = SCREEN
        return [
            QEMU,
            # No PS/2 controller: the USB keyboard is the only one, as on a Pi.
            "-machine", "q35,i8042=off",
            "-accel", "kvm" if self.kvm else "tcg",
            "-cpu", "host" if self.kvm else "max",
            "-smp", "2",
            "-m", str(self.memory),
            "-kernel", str(self.kernel),
            "-initrd", str(self.initrd),
            "-append", self.append,
            "-drive", f"file={self.image},format=raw,if=virtio,cache=unsafe",
            "-nic", "none",
            "-vga", "none",
            "-device", f"virtio-gpu-pci,id=video0,xres={width},yres={height}",
            "-display", "none",
            "-device", "qemu-xhci,id=xhci",
            # Bound to the screen's console: QMP's input-send-event to that console reaches it.
            "-device", "usb-kbd,id=kbd,bus=xhci.0,display=video0",
            "-audiodev", f"wav,id=snd0,path={self.wav}",
            # A USB sound card (as a Pi 5, which has no headphone jack, may use): QEMU's HDA
            # and AC97 cards were measured to fall behind by up to 0.1 s a minute here.
            "-device", "usb-audio,audiodev=snd0,bus=xhci.0",
            "-serial", f"file:{self.serial}",
            "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
            "-chardev", f"socket,id=qga0,path={self.agent_path},server=on,wait=off",
            "-device", "virtio-serial-pci",
            "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
        ]  # fmt: skip

    def start(self) -> None:
        """Start QEMU and connect to its QMP socket."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for path in (self.qmp_path, self.agent_path):
            path.unlink(missing_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for("QEMU's QMP socket", self._socket_up, 30, every=0.1)
        self.qmp = Qmp(self.qmp_path)

    def _socket_up(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"QEMU exited: {self.log.read_text(errors='replace')[-2000:]}")
        return self.qmp_path.exists()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def agent_ready(self, timeout: float) -> None:
        """Wait until the guest agent answers (the guest has booted that far)."""

        def answers() -> bool:
            if not self.running():
                raise AssertionError(f"QEMU exited while booting: {self.serial_tail()}")
            return self.agent.connect(timeout=3)

        try:
            wait_for("the guest agent in the VM", answers, timeout, every=1)
        except AssertionError as error:
            raise AssertionError(f"{error}\nserial console:\n{self.serial_tail()}") from None

    def serial_tail(self, lines: int = 40) -> str:
        if not self.serial.exists():
            return "(no serial output)"
        return "\n".join(self.serial.read_text(errors="replace").splitlines()[-lines:])

    def screendump(self, path: Path) -> Path:
        """The screen as QEMU shows it, at ``path``: a PNG, or for a ``.ppm`` path QEMU's
        quicker uncompressed PPM."""
        assert self.qmp is not None
        path.unlink(missing_ok=True)
        kind = "ppm" if path.suffix == ".ppm" else "png"
        self.qmp.command("screendump", filename=str(path), format=kind)
        return path

    def press(self, key: str = "spc", hold: float = 0.0) -> float:
        """Press ``key`` (a QEMU qcode) on the USB keyboard (the one input device bound to
        the screen's console) for ``hold`` seconds; the monotonic time of the press.

        With no ``hold`` (a tap) the key goes down and up in one QMP command: QEMU queues
        both, and the guest reads them in two reports back to back. Sent as two commands
        apart, a host that stalls the VM's CPU between them makes the guest's kernel stamp
        the release seconds after the press: a long press, which stops the session (seen
        once in CI, a tap's release stamped 2.5 s late)."""
        pressed = time.monotonic()
        if hold <= 0:
            self.keys([(key, True), (key, False)])
            return pressed
        self.keys([(key, True)])
        time.sleep(hold)
        self.keys([(key, False)])
        return pressed

    def keys(self, changes: list[tuple[str, bool]]) -> None:
        """Key events (qcode, down) on the USB keyboard, in one QMP input-send-event."""
        assert self.qmp is not None
        events = [
            {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": key}}}
            for key, down in changes
        ]
        self.qmp.command("input-send-event", device="video0", events=events)

    def reboot(self, timeout: float) -> tuple[float, float]:
        """``systemctl reboot`` in the guest and wait for the agent to answer again; the
        seconds until the agent stopped answering and until it answered again."""
        started = time.monotonic()
        self.agent.sh("systemctl reboot", check=False, timeout=30)
        self.agent.close()
        wait_for("the guest to go down", lambda: not self.agent.connect(timeout=2), timeout)
        down = time.monotonic() - started
        self.agent_ready(timeout)
        return down, time.monotonic() - started

    def poweroff(self, timeout: float = 120) -> str:
        """Shut the guest down from inside and wait for QEMU to exit. Falls back to QMP
        ``quit`` and, only after that, to SIGKILL of QEMU's own PID. Says which it took."""
        if not self.running():
            return "not running"
        assert self.process is not None
        how = "clean"
        with contextlib.suppress(Exception):
            self.agent.sh("systemctl poweroff", check=False, timeout=10)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            how = "QMP quit"
            with contextlib.suppress(Exception):
                assert self.qmp is not None
                self.qmp.command("quit")
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                how = "killed"
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
        self.close()
        return how

    def close(self) -> None:
        self.agent.close()
        if self.qmp is not None:
            self.qmp.close()
            self.qmp = None
