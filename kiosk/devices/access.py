"""Could another user write in a folder? For ``check``, which staff run as root.

``os.access`` answers for the user who asks (root may write anywhere), so ``check`` cannot use
it to learn whether the ``kiosk`` user will be able to write, say, node_exporter's textfile
folder. :func:`write_problem` works it out from the folder's owner, group, mode bits and its
POSIX access list (``setfacl -m u:kiosk:rwx``, the staff guide's way), as the kernel would:
the owner's bits for the owner; else a named-user entry; else the owning group and every
named-group entry the user is in (any of them granting is enough); else the others' bits; an
access list's mask limits everything but the owner and the others.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import struct
from pathlib import Path

#: The xattr that holds a file's POSIX access list (the kernel's binary form).
ACL_XATTR = "system.posix_acl_access"
_USER_OBJ, _USER, _GROUP_OBJ, _GROUP, _MASK, _OTHER = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
_WRITE_EXEC = 0o3  # write and search (w and x) are both needed to make a file in a folder


def write_problem(folder: Path, user: str) -> str | None:
    """Why ``user`` could not create files in ``folder``, in plain words, or None if it can
    (or the user does not exist here, so nothing can be said)."""
    try:
        account = pwd.getpwnam(user)
    except KeyError:
        return None
    try:
        info = folder.stat()
    except FileNotFoundError:
        return f"the folder {folder} does not exist"
    except OSError as err:
        return f"the folder {folder} cannot be read ({err.strerror or err})"
    if not stat.S_ISDIR(info.st_mode):
        return f"{folder} is not a folder"
    if account.pw_uid == 0 or _may_write(info, _acl(folder), account.pw_uid, _groups(account)):
        return None
    return f"the user '{user}' may not write in the folder {folder}"


def _groups(account: pwd.struct_passwd) -> set[int]:
    try:
        return set(os.getgrouplist(account.pw_name, account.pw_gid))
    except OSError:
        named = {g.gr_gid for g in grp.getgrall() if account.pw_name in g.gr_mem}
        return named | {account.pw_gid}


def _acl(folder: Path) -> list[tuple[int, int, int]]:
    """The folder's access list as (tag, permission bits, id), empty when it has none."""
    try:
        raw = os.getxattr(folder, ACL_XATTR)
    except OSError:
        return []
    return parse_acl(raw)


def parse_acl(raw: bytes) -> list[tuple[int, int, int]]:
    """The entries of an access list in the kernel's xattr form: a 4-byte version (2), then
    8 bytes an entry (tag and permissions, 16 bits each, and a 32-bit id), little-endian."""
    if len(raw) < 4 or struct.unpack_from("<I", raw)[0] != 2:
        return []
    count = (len(raw) - 4) // 8
    return [struct.unpack_from("<HHI", raw, 4 + 8 * i) for i in range(count)]


def _may_write(
    info: os.stat_result, acl: list[tuple[int, int, int]], uid: int, gids: set[int]
) -> bool:
    mode = info.st_mode
    if uid == info.st_uid:
        return _grants(mode >> 6)
    named_users = {ident: perm for tag, perm, ident in acl if tag == _USER}
    masks = [perm for tag, perm, _ in acl if tag == _MASK]
    mask = masks[0] if masks else 0o7
    if uid in named_users:
        return _grants(named_users[uid] & mask)
    # Without an access list the group bits are the owning group's; with one (and a mask)
    # the mode's group bits are the mask, and the owning group's own entry is in the list.
    owning = [perm for tag, perm, _ in acl if tag == _GROUP_OBJ]
    group_bits = owning[0] if owning else (mode >> 3)
    matches = [group_bits] if info.st_gid in gids else []
    matches += [perm for tag, perm, ident in acl if tag == _GROUP and ident in gids]
    if matches:
        return any(_grants(perm & mask) for perm in matches)
    return _grants(mode)


def _grants(bits: int) -> bool:
    return bits & _WRITE_EXEC == _WRITE_EXEC
