"""Files and folders that hold the identity side or secrets: readable by the owner only.

The ``var/`` folder (database, secret key, backups) is created 0700, its files 0600; a
file or folder that already exists with looser permissions is tightened. Files with
secrets (invitation links) are never written through a symbolic link: a link planted in
their place could send them anywhere.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600


class SymlinkRefused(OSError):
    """The target of a file with secrets is a symbolic link."""


def private_directory(path: Path) -> Path:
    """``path`` (and missing parents) as a folder only its owner can enter."""
    path.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
    tighten(path, PRIVATE_DIRECTORY)
    return path


def tighten(path: Path, mode: int) -> None:
    """Take away what ``mode`` does not allow (group and others), if we own ``path``."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        current = stat.S_IMODE(path.stat().st_mode)
        if current & ~mode:
            path.chmod(current & mode)


def private_file(path: Path) -> Path:
    """``path`` exists and only its owner can read it (created empty when missing)."""
    private_directory(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    tighten(path, PRIVATE_FILE)
    return path


def open_private_for_writing(path: Path) -> int:
    """A file descriptor to write ``path`` from its start, mode 0600 whatever the file had,
    refusing a symbolic link (`SymlinkRefused`)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, PRIVATE_FILE)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise SymlinkRefused(errno.ELOOP, "symbolic link", str(path)) from error
        raise
    os.fchmod(fd, PRIVATE_FILE)
    return fd
