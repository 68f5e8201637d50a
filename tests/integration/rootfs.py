"""Debian root file systems for the integration tests: build once, cache, copy, enter.

Used by the arm64 test (a foreign-architecture root run under qemu-user emulation) and the
nspawn test (an amd64 root booted with systemd). The pieces, in the order a test uses them:

- :class:`RootSpec` names a root (architecture, suite, variant, extra packages); its
  :meth:`~RootSpec.key` names the cache entry.
- :func:`cached_root` debootstraps the root once per machine into
  ``/var/cache/acupressure-kiosk-tests/<key>``: it builds into a temporary directory next to
  it and renames it into place, so a half-built root is never mistaken for a finished one.
  The cached root is never entered or changed.
- :func:`working_copy` copies the cached root (reflink where the file system can) into a
  throw-away directory and removes it again, unmounting anything left inside first.
- :func:`mounted` mounts /proc, /sys and a minimal /dev (with /dev/pts and /dev/shm) in a
  root and unmounts them on every exit path. /dev holds only the harmless nodes (null, zero,
  full, random, urandom, tty), so nothing in the root can reach the host's consoles, disks,
  DRM or GPIO devices.
- :func:`run` runs a command in the root through ``chroot ROOT env -i`` with a clean PATH,
  HOME and LANG, so none of the host's environment (proxy, CA or pip variables, virtualenv)
  leaks in.

Example::

    spec = RootSpec(arch="arm64", include=("python3", "python3-venv"))
    with working_copy(cached_root(spec)) as root, mounted(root):
        print(run(root, ["python3", "--version"]).stdout)

Everything here needs root; the ``*_problem`` functions say why a host cannot do it, for
``pytest.skip``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CACHE_DIR = Path("/var/cache/acupressure-kiosk-tests")
WORK_DIR = Path("/var/tmp")
CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
FALLBACK_MIRROR = "http://deb.debian.org/debian"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
ROOT_CA_BUNDLE = "/usr/local/share/acupressure-kiosk-tests/host-ca.crt"
# Bump when the way a root is built changes, so old cache entries are not reused.
RECIPE_VERSION = 1
# Debian architecture -> (qemu binfmt handler name, `uname -m` of that architecture).
QEMU_HANDLERS = {"arm64": ("qemu-aarch64", "aarch64"), "armhf": ("qemu-arm", "armv7l")}
DEV_NODES = {  # name: (major, minor), all character devices, mode 0666
    "null": (1, 3),
    "zero": (1, 5),
    "full": (1, 7),
    "random": (1, 8),
    "urandom": (1, 9),
    "tty": (5, 0),
}


@dataclass(frozen=True)
class RootSpec:
    """What to debootstrap: Debian architecture, suite, variant and extra packages.

    ``include`` is passed to ``debootstrap --include``; its order does not matter for the
    cache key.
    """

    arch: str
    suite: str = "bookworm"
    variant: str = "minbase"
    include: tuple[str, ...] = field(default_factory=tuple)

    def key(self) -> str:
        """Cache directory name: readable prefix plus a hash of the package list."""
        packages = ",".join(sorted(set(self.include)))
        digest = hashlib.sha256(f"{RECIPE_VERSION}:{packages}".encode()).hexdigest()[:12]
        return f"{self.suite}-{self.arch}-{self.variant}-{digest}"


class RootCommandError(subprocess.CalledProcessError):
    """A command in a root failed; its message carries the end of the command's output."""

    def __str__(self) -> str:
        tail = "\n".join(_tail(text) for text in (self.stdout, self.stderr) if text)
        return f"{super().__str__()}\n{tail}"


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


# --- what the host can do ---------------------------------------------------------------


def host_arch() -> str:
    """The host's Debian architecture (amd64, arm64, ...)."""
    result = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=False
    )
    if result.returncode == 0:
        return result.stdout.strip()
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def debootstrap_problem() -> str | None:
    """Why this host cannot build a root, or None if it can."""
    if os.geteuid() != 0:
        return "needs root (debootstrap, chroot and mount)"
    missing = [
        tool for tool in ("debootstrap", "chroot", "mount", "umount", "cp") if not _which(tool)
    ]
    if missing:
        return f"missing {', '.join(missing)} (apt-get install debootstrap)"
    return _mount_problem()


def _mount_problem() -> str | None:
    """Why this process cannot mount file systems (an unprivileged container), or None."""
    with tempfile.TemporaryDirectory(prefix="acupressure-mount-check-") as scratch:
        tried = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", scratch],
            capture_output=True,
            text=True,
            check=False,
        )
        if tried.returncode != 0:
            return f"cannot mount file systems here: {tried.stderr.strip()}"
        subprocess.run(["umount", scratch], capture_output=True, check=False)
    return None


def emulation_problem(arch: str) -> str | None:
    """Why binaries of a foreign ``arch`` cannot run here, or None if they can.

    Registers Debian's qemu handler first if binfmt_misc is merely not mounted or the
    handler not enabled (binfmt-support's service does not start in a container).
    """
    if arch == host_arch():
        return None
    if arch not in QEMU_HANDLERS:
        return f"no qemu handler known for {arch}"
    handler, machine = QEMU_HANDLERS[arch]
    if not Path(f"/usr/libexec/qemu-binfmt/{machine}-binfmt-P").exists() and not _which(
        f"qemu-{machine}-static"
    ):
        return f"qemu-user-static is not installed (no {handler} interpreter)"
    status = Path("/proc/sys/fs/binfmt_misc") / handler
    if not status.exists():
        _register_binfmt(handler)
    if not status.exists():
        return f"binfmt_misc has no {handler} handler and it could not be registered"
    text = status.read_text()
    if not text.startswith("enabled"):
        return f"binfmt_misc handler {handler} is disabled"
    flags = next((line for line in text.splitlines() if line.startswith("flags:")), "")
    if "F" not in flags:
        return f"{handler} lacks the F flag, so it would not work inside a chroot ({flags})"
    return None


def _register_binfmt(handler: str) -> None:
    binfmt = Path("/proc/sys/fs/binfmt_misc")
    if not (binfmt / "register").exists():
        subprocess.run(
            ["mount", "-t", "binfmt_misc", "binfmt_misc", str(binfmt)],
            capture_output=True,
            check=False,
        )
    if _which("update-binfmts"):
        subprocess.run(["update-binfmts", "--enable", handler], capture_output=True, check=False)


def _which(tool: str) -> str | None:
    return shutil.which(tool, path=CLEAN_PATH + ":" + os.environ.get("PATH", ""))


def host_mirror() -> str:
    """The Debian mirror apt on this host already uses (deb822 or one-line sources).

    Takes the first ``deb`` source for the host's own Debian suite with the main component;
    falls back to deb.debian.org on hosts that are not Debian. ``ACUPRESSURE_TEST_MIRROR``
    overrides both.
    """
    override = os.environ.get("ACUPRESSURE_TEST_MIRROR")
    if override:
        return override
    release = _os_release()
    codename = release.get("VERSION_CODENAME", "")
    if release.get("ID") != "debian" or not codename:
        return FALLBACK_MIRROR
    sources = []
    apt = Path("/etc/apt")
    for path in [apt / "sources.list", *sorted((apt / "sources.list.d").glob("*"))]:
        if path.is_file():
            sources += parse_sources(path.name, path.read_text())
    return pick_mirror(sources, codename) or FALLBACK_MIRROR


def pick_mirror(sources: Sequence[dict[str, list[str]]], codename: str) -> str | None:
    """The first binary source for ``codename`` with the main component, if any."""
    for entry in sources:
        if (
            "deb" in entry["types"]
            and codename in entry["suites"]
            and "main" in entry["components"]
        ):
            return entry["uris"][0]
    return None


def parse_sources(name: str, text: str) -> list[dict[str, list[str]]]:
    """Enabled apt sources of one file as {types, uris, suites, components}.

    ``name`` decides the format as apt does: ``*.sources`` is deb822, ``*.list`` one-line;
    any other file (``*.disabled``, ``*.save``) is ignored.
    """
    if name.endswith(".sources"):
        return list(_deb822_sources(text))
    if name.endswith(".list"):
        return list(_one_line_sources(text))
    return []


def _os_release() -> dict[str, str]:
    pairs = {}
    for line in Path("/etc/os-release").read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep:
            pairs[name] = value.strip().strip('"')
    return pairs


def _deb822_sources(text: str) -> Iterator[dict[str, list[str]]]:
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, list[str]] = {}
        for line in stanza.splitlines():
            name, sep, value = line.partition(":")
            if sep and not line.startswith(("#", " ", "\t")):
                fields[name.strip().lower()] = value.split()
        if fields.get("enabled", ["yes"])[0] != "no" and fields.get("uris"):
            yield {key: fields.get(key, []) for key in ("types", "uris", "suites", "components")}


def _one_line_sources(text: str) -> Iterator[dict[str, list[str]]]:
    for line in text.splitlines():
        # drop comments and options such as [signed-by=... arch=amd64]
        words = re.sub(r"\[[^\]]*\]", " ", line.split("#", 1)[0]).split()
        if len(words) >= 3:
            yield {
                "types": [words[0]],
                "uris": [words[1]],
                "suites": [words[2]],
                "components": words[3:],
            }


# --- building and copying ---------------------------------------------------------------


def cached_root(spec: RootSpec, mirror: str | None = None) -> Path:
    """The finished root for ``spec``, debootstrapping it first if it is not cached yet.

    Concurrent callers wait on a lock file; a failed build leaves nothing in the cache.
    """
    final = CACHE_DIR / spec.key()
    if final.is_dir():
        return final
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / f"{spec.key()}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not final.is_dir():
            for stale in CACHE_DIR.glob(f".build-{spec.key()}-*"):  # a killed build's remains
                remove_root(stale)
            _build(spec, mirror or host_mirror(), final)
    return final


def _build(spec: RootSpec, mirror: str, final: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".build-{spec.key()}-", dir=CACHE_DIR))
    command = ["debootstrap", f"--arch={spec.arch}", f"--variant={spec.variant}"]
    if spec.include:
        command.append(f"--include={','.join(spec.include)}")
    command += [spec.suite, str(staging), mirror]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = staging / "debootstrap" / "debootstrap.log"
            detail = log.read_text(errors="replace") if log.exists() else result.stderr
            raise RootCommandError(result.returncode, command, result.stdout, detail)
        for deb in (staging / "var/cache/apt/archives").glob("*.deb"):
            deb.unlink()
        staging.chmod(0o755)
        staging.rename(final)
    finally:
        if staging.exists():
            remove_root(staging)


@contextlib.contextmanager
def working_copy(cached: Path, keep: bool = False) -> Iterator[Path]:
    """A fresh copy of a cached root, removed afterwards unless ``keep`` (for debugging).

    The host's resolv.conf and hosts are copied in, so names resolve as on the host today.
    """
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    parent = Path(tempfile.mkdtemp(prefix=f"acupressure-{cached.name}-", dir=WORK_DIR))
    root = parent / "root"
    try:
        subprocess.run(
            ["cp", "-a", "--reflink=auto", str(cached), str(root)],
            check=True,
            capture_output=True,
        )
        _copy_name_resolution(root)
        yield root
    finally:
        if not keep:
            remove_root(parent)


def _copy_name_resolution(root: Path) -> None:
    """Copy the host's resolv.conf and hosts in, so names resolve as on the host.

    debootstrap writes no /etc/hosts, and sudo looks its own host name up.
    """
    for name in ("resolv.conf", "hosts"):
        target = root / "etc" / name
        if target.is_symlink():
            target.unlink()
        with contextlib.suppress(OSError):
            shutil.copyfile(Path("/etc") / name, target)


def remove_root(path: Path) -> None:
    """Delete a root after unmounting whatever is still mounted inside it.

    Refuses (raises) if a mount survives, rather than deleting through it into the host.
    """
    unmount_below(path)
    left = _mounts_below(path)
    if left:
        raise RuntimeError(f"not removing {path}: still mounted: {left}")
    shutil.rmtree(path)


def install_host_ca(root: Path) -> str:
    """Copy the host's CA bundle into the root; returns its path inside (for PIP_CERT).

    Needed where the host reaches PyPI through an intercepting proxy whose CA only the
    host's bundle trusts.
    """
    target = root / ROOT_CA_BUNDLE.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HOST_CA_BUNDLE, target)
    return ROOT_CA_BUNDLE


# --- mounting -----------------------------------------------------------------------------


@contextlib.contextmanager
def mounted(root: Path) -> Iterator[Path]:
    """Mount /proc, /sys (read-only) and a minimal /dev in ``root``; unmount on exit.

    Everything mounted below ``root`` is unmounted afterwards, including mounts a command
    in the root made itself, whether the block ends normally, by exception or by Ctrl-C.
    """
    try:
        _mount("proc", root / "proc", "-t", "proc", "-o", "nosuid,nodev,noexec")
        _mount("sysfs", root / "sys", "-t", "sysfs", "-o", "ro,nosuid,nodev,noexec")
        _mount_minimal_dev(root / "dev")
        yield root
    finally:
        unmount_below(root)


def _mount(source: str, target: Path, *options: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", *options, source, str(target)], check=True, capture_output=True)


def _mount_minimal_dev(dev: Path) -> None:
    _mount("tmpfs", dev, "-t", "tmpfs", "-o", "mode=0755,nosuid,size=16m")
    for name, (major, minor) in DEV_NODES.items():
        os.mknod(dev / name, 0o666 | 0o020000, os.makedev(major, minor))
        (dev / name).chmod(0o666)
    for name, target in {
        "fd": "/proc/self/fd",
        "stdin": "/proc/self/fd/0",
        "stdout": "/proc/self/fd/1",
        "stderr": "/proc/self/fd/2",
        "ptmx": "pts/ptmx",
    }.items():
        (dev / name).symlink_to(target)
    _mount("devpts", dev / "pts", "-t", "devpts", "-o", "newinstance,ptmxmode=0666,mode=0620")
    _mount("tmpfs", dev / "shm", "-t", "tmpfs", "-o", "mode=1777,nosuid,nodev,size=64m")


def _mounts_below(path: Path) -> list[str]:
    """Mount points at or below ``path``, deepest first (from /proc/self/mountinfo)."""
    prefix = os.path.realpath(path)
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = _unescape(line.split()[4])
        if point == prefix or point.startswith(prefix + "/"):
            points.append(point)
    return sorted(points, key=lambda point: point.count("/"), reverse=True)


def _unescape(field: str) -> str:
    """Undo mountinfo's octal escapes (\\040 for a space, ...)."""
    return field.encode().decode("unicode_escape").encode("latin-1").decode(errors="replace")


def unmount_below(path: Path) -> None:
    """Unmount everything at or below ``path``, deepest first; lazily if a mount is busy."""
    for _ in range(3):
        points = _mounts_below(path)
        if not points:
            return
        for point in points:
            done = subprocess.run(["umount", point], capture_output=True, check=False)
            if done.returncode != 0:
                time.sleep(0.2)
                subprocess.run(["umount", "-l", point], capture_output=True, check=False)


# --- running commands ---------------------------------------------------------------------


def run(
    root: Path,
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    cwd: str = "/",
    timeout: float = 1800,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in ``root`` with only PATH, HOME, LANG and ``env`` set; capture output.

    Raises :class:`RootCommandError` (with the output's tail) on a non-zero exit if ``check``.
    """
    return run_inside(["chroot", str(root)], argv, env, cwd, timeout, check)


def run_inside(
    enter: Sequence[str],
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    cwd: str = "/",
    timeout: float = 1800,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` through ``enter`` (``chroot ROOT``, ``nsenter -t PID -a``) with a clean
    environment (only PATH, HOME, LANG and ``env``), as :func:`run` does."""
    clean = {"PATH": CLEAN_PATH, "HOME": "/root", "LANG": "C.UTF-8", **(env or {})}
    command = [*enter, "env", "-i", f"--chdir={cwd}"]
    command += [f"{name}={value}" for name, value in clean.items()]
    command += list(argv)
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={"PATH": CLEAN_PATH},
    )
    if check and result.returncode != 0:
        raise RootCommandError(result.returncode, list(argv), result.stdout, result.stderr)
    return result


def wait_for(what: str, done: Callable[[], object], timeout: float, every: float = 0.25) -> object:
    """Poll ``done`` until it returns something true; AssertionError naming ``what`` if not."""
    deadline = time.monotonic() + timeout
    while True:
        result = done()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)
