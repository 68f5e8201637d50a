"""The root file system helpers: apt source parsing, cache keys, and mounts that never leak.

Fast (no debootstrap, no network). The mount tests need root and are skipped otherwise; they
mount into an empty directory, which is all :func:`rootfs.mounted` needs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import rootfs

DEB822 = """\
Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main

Types: deb
Enabled: no
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
"""
ONE_LINE = """\
# deb http://commented.example/debian bookworm main
deb-src http://src.example/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://nodesource.example nodistro main
deb http://one.example/debian bookworm main # trailing comment
"""

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting needs root")


def test_deb822_sources_skip_disabled_stanzas() -> None:
    sources = rootfs.parse_sources("debian.sources", DEB822)
    assert [entry["uris"] for entry in sources] == [
        ["http://mirror.example/debian"],
        ["http://security.example/debian-security"],
    ]
    assert sources[0]["suites"] == ["bookworm", "bookworm-updates"]


def test_one_line_sources_drop_options_and_comments() -> None:
    sources = rootfs.parse_sources("extra.list", ONE_LINE)
    assert [(entry["types"], entry["uris"]) for entry in sources] == [
        (["deb-src"], ["http://src.example/debian"]),
        (["deb"], ["https://nodesource.example"]),
        (["deb"], ["http://one.example/debian"]),
    ]


def test_files_apt_ignores_are_ignored() -> None:
    assert rootfs.parse_sources("nodesource.sources.disabled-by-farm", DEB822) == []


def test_mirror_is_the_binary_source_for_the_host_suite() -> None:
    sources = rootfs.parse_sources("extra.list", ONE_LINE)
    sources += rootfs.parse_sources("debian.sources", DEB822)
    assert rootfs.pick_mirror(sources, "bookworm") == "http://one.example/debian"
    assert rootfs.pick_mirror(sources, "trixie") is None


def test_cache_key_ignores_package_order_but_not_packages() -> None:
    first = rootfs.RootSpec("arm64", include=("python3", "make"))
    assert first.key() == rootfs.RootSpec("arm64", include=("make", "python3")).key()
    assert first.key() != rootfs.RootSpec("arm64", include=("python3",)).key()
    assert first.key() != rootfs.RootSpec("amd64", include=("python3", "make")).key()
    assert first.key().startswith("bookworm-arm64-minbase-")


@needs_root
def test_mounts_are_gone_after_an_exception(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(RuntimeError, match="boom"), rootfs.mounted(root):
        assert (root / "proc/self").exists()
        assert (root / "dev/null").is_char_device()
        assert not list((root / "dev").glob("gpiochip*")) and not (root / "dev/tty1").exists()
        raise RuntimeError("boom")
    assert not os.path.ismount(root / "proc")
    assert not os.path.ismount(root / "dev")
    rootfs.remove_root(root)
    assert not root.exists()


@needs_root
def test_remove_root_never_deletes_through_a_mount(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mount that cannot be undone makes remove_root refuse rather than recurse into it."""
    root = tmp_path / "root"
    with rootfs.mounted(root):
        with monkeypatch.context() as patch:
            patch.setattr(rootfs, "unmount_below", lambda path: None)
            with pytest.raises(RuntimeError, match="still mounted"):
                rootfs.remove_root(root)
        assert (root / "dev/null").exists()
    assert not os.path.ismount(root / "dev")


def test_skip_reasons_name_the_missing_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert rootfs.debootstrap_problem() == "needs root (debootstrap, chroot and mount)"
    assert rootfs.emulation_problem(rootfs.host_arch()) is None
    assert "no qemu handler" in str(rootfs.emulation_problem("s390x"))
