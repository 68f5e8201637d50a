"""``check`` warns when the kiosk's user could not write the metrics file's folder.

Staff run ``check`` as root, who may write anywhere, so the answer is worked out from the
folder's owner, mode and access list for the ``kiosk`` user. Here the user is ``nobody``
(which every Debian system has), the folders are real ones in a temporary folder and the
access lists are made with the real ``setfacl`` where it is installed.
"""

from __future__ import annotations

import os
import pwd
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from kiosk.commands.check import check_config, metrics_problems
from kiosk.content.config import load_config
from kiosk.devices.access import parse_acl, write_problem

USER = "nobody"


def _folder(tmp_path: Path, mode: int) -> Path:
    folder = tmp_path / "node-exporter"
    folder.mkdir()
    if os.geteuid() == 0:
        os.chown(folder, 0, 0)
    folder.chmod(mode)
    return folder


def _setfacl(folder: Path, spec: str) -> None:
    if shutil.which("setfacl") is None:
        pytest.skip("setfacl (Debian package acl) is not installed")
    done = subprocess.run(["setfacl", "-m", spec, str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"this file system keeps no access lists: {done.stderr.strip()}")


@pytest.fixture
def root_owned(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        pytest.skip("needs root, to make folders owned by another user")
    try:
        pwd.getpwnam(USER)
    except KeyError:
        pytest.skip(f"no user {USER!r} here")
    tmp_path.chmod(0o755)
    return tmp_path


def test_a_folder_only_root_may_write_is_a_problem(root_owned: Path) -> None:
    folder = _folder(root_owned, 0o755)
    assert write_problem(folder, USER) == f"the user '{USER}' may not write in the folder {folder}"


def test_a_folder_open_to_all_is_fine(root_owned: Path) -> None:
    assert write_problem(_folder(root_owned, 0o777), USER) is None


def test_the_owner_may_write_its_own_folder(root_owned: Path) -> None:
    folder = _folder(root_owned, 0o700)
    account = pwd.getpwnam(USER)
    os.chown(folder, account.pw_uid, account.pw_gid)
    assert write_problem(folder, USER) is None


def test_the_staff_guides_access_list_lets_the_user_write(root_owned: Path) -> None:
    folder = _folder(root_owned, 0o755)
    _setfacl(folder, f"u:{USER}:rwx")
    assert write_problem(folder, USER) is None


def test_an_access_list_mask_takes_the_write_away_again(root_owned: Path) -> None:
    folder = _folder(root_owned, 0o755)
    _setfacl(folder, f"u:{USER}:rwx")
    _setfacl(folder, "m::r-x")
    assert write_problem(folder, USER) is not None


def test_a_group_entry_for_one_of_the_users_groups_lets_it_write(root_owned: Path) -> None:
    folder = _folder(root_owned, 0o755)
    group = pwd.getpwnam(USER).pw_gid
    _setfacl(folder, f"g:{group}:rwx")
    assert write_problem(folder, USER) is None


def test_a_missing_folder_and_an_unknown_user(tmp_path: Path) -> None:
    assert (
        write_problem(tmp_path / "none", "root") == f"the folder {tmp_path / 'none'} does not exist"
    )
    assert write_problem(tmp_path, "no-such-user-here") is None


def test_the_kernels_access_list_form_is_read() -> None:
    raw = (
        struct.pack("<I", 2)
        + struct.pack("<HHI", 0x02, 7, 65534)
        + struct.pack("<HHI", 0x10, 5, 2**32 - 1)
    )
    assert parse_acl(raw) == [(0x02, 7, 65534), (0x10, 5, 2**32 - 1)]
    assert parse_acl(b"\x01\x00\x00\x00") == []
    assert parse_acl(b"") == []


def _staff_file(tmp_path: Path, metrics: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"usage:\n  metrics_file: {metrics}\n")
    return path


def test_check_warns_at_the_line_when_the_kiosk_cannot_write_the_folder(root_owned: Path) -> None:
    folder = _folder(root_owned, 0o755)
    path = _staff_file(root_owned, folder / "acupressure_kiosk.prom")
    [problem] = metrics_problems(load_config(path), _document(path), user=USER)
    text = str(problem)
    assert f"{path}:2" in text
    assert f"sudo setfacl -m u:{USER}:rwx {folder}" in text
    _setfacl(folder, f"u:{USER}:rwx")
    assert metrics_problems(load_config(path), _document(path), user=USER) == []


def test_check_says_to_install_node_exporter_when_its_folder_is_missing(tmp_path: Path) -> None:
    path = _staff_file(tmp_path, tmp_path / "no-such-folder" / "acupressure_kiosk.prom")
    [problem] = metrics_problems(load_config(path), _document(path), user="root")
    assert "sudo apt-get install -y prometheus-node-exporter" in str(problem)
    assert problem.severity == "warning"


def test_the_whole_check_includes_the_warning(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("kiosk.commands.check.KIOSK_USER", "root")
    path = _staff_file(tmp_path, tmp_path / "gone" / "acupressure_kiosk.prom")
    report = check_config(path)
    assert report.errors == 0
    assert any("prometheus-node-exporter" in line for line in report.lines)


def _document(path: Path):  # type: ignore[no-untyped-def]
    from kiosk.commands.check import _staff_document

    return _staff_document(path)
