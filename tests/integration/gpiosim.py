"""``gpio-sim``, the kernel's simulated GPIO chip, built for the VM's Debian kernel.

Debian's kernels are built without ``CONFIG_GPIO_SIM`` (and without ``gpio-mockup``), but the
driver is one file of the kernel's source. :func:`cached_module` builds it out of tree from
Debian's own ``linux-source-6.1`` package against the ``linux-headers`` of the guest's exact
kernel, in a throw-away copy of the VM's root, and keeps the ``.ko`` in the test cache under a
name made of what it was built from (kernel release, source package version, this recipe), so
a new kernel or source version builds it again and nothing else does.

In the guest, :data:`SETUP` loads it and makes one chip with configfs (its lines named after
the BCM pins the kiosk uses), and the line's value and pull are then in sysfs:
``/sys/devices/platform/gpio-sim.0/gpiochipN/sim_gpioL/{value,pull}``. Writing ``pull-up`` to
a line's ``pull`` is a button pressed on an input: the kernel sees an edge, as from a real
pin. Reading ``value`` of a line someone drives is what a buzzer on it would get.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import shutil
import tempfile
from pathlib import Path

import rootfs

# Bump when the way the module is built changes.
RECIPE_VERSION = 1
SOURCE_PACKAGE = "linux-source-6.1"
BUILD_PACKAGES = ("gcc", "make", "xz-utils", "libc6-dev")
# gpio-sim needs the kernel's interrupt simulator (kernel/irq/irq_sim.c, CONFIG_IRQ_SIM), which
# Debian's kernel lacks too: it is linked into the same module.
KBUILD = "obj-m := gpio-sim.o\ngpio-sim-y := gpio-sim-main.o irq_sim.o\n"
#: The simulated chip's number of lines: BCM 0-27, as on the Pi's header.
LINES = 28

#: Run in the guest: load the module and make one live chip of LINES lines.
SETUP = f"""\
set -e
insmod /root/gpio-sim.ko
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
dir=/sys/kernel/config/gpio-sim/kiosk
mkdir -p $dir/bank0
echo {LINES} > $dir/bank0/num_lines
echo 1 > $dir/live
cat $dir/bank0/chip_name
"""


def kernel_release(root: Path) -> str:
    """The release (``uname -r``) of the one kernel installed in ``root``."""
    kernels = sorted((root / "boot").glob("vmlinuz-*"))
    if len(kernels) != 1:
        raise AssertionError(f"expected one kernel in {root}/boot, found {kernels}")
    return kernels[0].name.removeprefix("vmlinuz-")


def cached_module(cached_root: Path) -> Path:
    """``gpio-sim.ko`` for the kernel of ``cached_root``, built once per set of inputs: the
    kernel's release and its package's version (the source and headers of that very
    version are what it is built from)."""
    release = kernel_release(cached_root)
    version = package_version(cached_root, f"linux-image-{release}")
    inputs = f"{RECIPE_VERSION}:{release}:{version}"
    digest = hashlib.sha256(inputs.encode()).hexdigest()[:12]
    target = rootfs.CACHE_DIR / f"gpio-sim-{release}-{digest}.ko"
    if target.is_file():
        return target
    rootfs.CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(rootfs.CACHE_DIR / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.is_file():
            with rootfs.working_copy(cached_root) as root, rootfs.mounted(root):
                _build(root, release, version, target)
    return target


def package_version(root: Path, package: str) -> str:
    """The installed version of ``package`` in ``root`` (from dpkg's status file)."""
    status = (root / "var/lib/dpkg/status").read_text()
    for stanza in status.split("\n\n"):
        if re.search(rf"^Package: {re.escape(package)}$", stanza, re.MULTILINE):
            match = re.search(r"^Version: (\S+)$", stanza, re.MULTILINE)
            if match:
                return match.group(1)
    raise AssertionError(f"{package} is not installed in {root}")


# Two calls reach an interrupt's descriptor through irq_to_desc(), which the kernel does not
# export to modules; each is replaced by an exported function that does the same there.
UNEXPORTED = {  # file: (as in the kernel, in the module)
    "gpio-sim-main.c": (
        "irq_get_trigger_type(irq)",
        "irqd_get_trigger_type(irq_domain_get_irq_data(chip->irq_sim, irq))",
    ),
    "irq_sim.c": ("handle_simple_irq(irq_to_desc(irqnum))", "generic_handle_irq(irqnum)"),
}


def _without_unexported(folder: Path) -> None:
    """Swap each call of an unexported kernel function for its exported equivalent."""
    for name, (kernel, module) in UNEXPORTED.items():
        source = (folder / name).read_text()
        if source.count(kernel) != 1:
            raise AssertionError(f"{name} no longer has one {kernel}: update the recipe")
        (folder / name).write_text(source.replace(kernel, module))


def _build(root: Path, release: str, version: str, target: Path) -> None:
    packages = [
        *BUILD_PACKAGES,
        f"linux-headers-{release}={version}",
        f"{SOURCE_PACKAGE}={version}",
    ]
    rootfs.run(root, ["apt-get", "update", "-q"], timeout=600)
    rootfs.run(
        root,
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        env={"DEBIAN_FRONTEND": "noninteractive"},
        timeout=1200,
    )
    work = "/usr/src/gpio-sim"
    tarball = f"/usr/src/{SOURCE_PACKAGE}.tar.xz"
    files = ("drivers/gpio/gpio-sim.c", "drivers/gpio/gpiolib.h", "kernel/irq/irq_sim.c")
    names = " ".join(f"{SOURCE_PACKAGE}/{name}" for name in files)
    rootfs.run(
        root,
        ["sh", "-c", f"mkdir -p {work} && tar -xJf {tarball} -C {work} --strip-components=3 "
         f"{names} && mv {work}/gpio-sim.c {work}/gpio-sim-main.c"],
        timeout=600,
    )  # fmt: skip
    _without_unexported(root / work.lstrip("/"))
    (root / work.lstrip("/") / "Kbuild").write_text(KBUILD)
    rootfs.run(
        root, ["make", "-C", f"/lib/modules/{release}/build", f"M={work}", "modules"], timeout=600
    )
    built = root / work.lstrip("/") / "gpio-sim.ko"
    with tempfile.NamedTemporaryFile(dir=rootfs.CACHE_DIR, delete=False) as staging:
        shutil.copyfile(built, staging.name)
    Path(staging.name).rename(target)


def line_folder(line: int) -> str:
    """A shell glob for a simulated line's sysfs folder (``value``, ``pull``) in the guest."""
    return f"/sys/devices/platform/gpio-sim.*/gpiochip*/sim_gpio{line}"


#: Run in the guest with the kiosk's Python (lgpio from its venv), as the kiosk's user in the
#: unit's device sandbox: the buzzer line follows the button line, edge by edge, through
#: lgpio's alert (edge) callbacks, and each edge is printed with lgpio's kernel time stamp.
#: Arguments: chip number, button line, buzzer line, edges to wait for.
FOLLOWER = """\
import sys
import threading
import time

import lgpio

chip, button, buzzer, wanted = (int(word) for word in sys.argv[1:5])
handle = lgpio.gpiochip_open(chip)
lgpio.gpio_claim_output(handle, buzzer, 0)
lgpio.gpio_claim_alert(handle, button, lgpio.BOTH_EDGES, lgpio.SET_PULL_NONE)
seen = []
done = threading.Event()


def edge(chip, gpio, level, tick):
    lgpio.gpio_write(handle, buzzer, level)
    seen.append(level)
    print(f"edge line={gpio} level={level} tick={tick}", flush=True)
    if len(seen) >= wanted:
        done.set()


callback = lgpio.callback(handle, button, lgpio.BOTH_EDGES, edge)
print(f"follower ready on gpiochip{chip}", flush=True)
if not done.wait(120):
    print(f"only {len(seen)} edges in 120 s", flush=True)
    sys.exit(1)
time.sleep(0.2)
callback.cancel()
lgpio.gpiochip_close(handle)
print("follower done", flush=True)
"""
