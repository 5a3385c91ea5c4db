"""Writing a file so that a failure never leaves a broken one behind."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomically(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write`` with a new file next to ``path``, then rename that file to ``path``.

    A failure anywhere (disk full, Ctrl-C) leaves ``path`` as it was, a previous export
    included, and removes the partial file. The new file gets the usual permissions
    (0666 less the umask), as a plain ``open`` would give it. A symbolic link is followed,
    so the file it points to is replaced, not the link; a path that is not a regular file
    (``/dev/null``, a named pipe) is written to directly, since renaming a file onto it
    would replace the device itself. Returns ``path``.
    """
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file() and not target.is_dir():
        with open(target, "wb") as file:
            write(file)
        return Path(path)
    folder = target.parent
    while True:
        temporary = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    # The rename itself is durable only once the directory is on disk too.
    with contextlib.suppress(OSError):
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return Path(path)
