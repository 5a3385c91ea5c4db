"""Reading a class folder: the learners' summaries, and every file that is not one.

The instructor's report reads only the ``*.json`` summaries that learners shared; it never
opens a review store, so it changes nothing of any learner's and creates nothing anywhere.
A file that is not a valid summary (broken JSON, another program's JSON, a summary of a
newer bpcourse, a field out of range, a stray text file) is listed by name with the
reason and skipped, and the rest of the class is reported. Hidden files (a summary being
written is ``.learner-....json.<random>.tmp``) are ignored. Symbolic links and other
non-files are skipped unread: the folder is written by many accounts, and a link could
point the instructor's reader at any file.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .fields import SummaryError
from .summary import ProgressSummary

# A summary of 160 cards is about 40 kB; one of 10,000 cards about 2.5 MB.
MAX_SUMMARY_BYTES = 8 * 1024 * 1024


class ClassFolderError(RuntimeError):
    """The class folder itself cannot be read (missing, not a folder, no permission)."""


@dataclass(frozen=True)
class ClassFolder:
    """The summaries in a class folder, by file name, and the files skipped, with why."""

    path: Path
    summaries: tuple[tuple[str, ProgressSummary], ...]
    skipped: tuple[tuple[str, str], ...]

    @classmethod
    def read(cls, directory: str | os.PathLike[str]) -> ClassFolder:
        """Read every summary in ``directory`` (sorted by file name)."""
        path = Path(os.path.expanduser(os.fspath(directory)))
        try:
            names = sorted(entry.name for entry in os.scandir(path))
        except FileNotFoundError:
            raise ClassFolderError(f"{path}: there is no such folder.") from None
        except NotADirectoryError:
            raise ClassFolderError(f"{path}: is a file, not a class folder.") from None
        except OSError as exc:
            raise ClassFolderError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
        summaries, skipped = [], []
        for name in names:
            if name.startswith("."):
                continue
            try:
                summaries.append((name, read_summary(path / name)))
            except SummaryError as exc:
                skipped.append((name, str(exc)))
        return cls(path, tuple(summaries), tuple(skipped))


def read_summary(path: Path) -> ProgressSummary:
    """The summary in ``path``; SummaryError saying why it cannot be used."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise SummaryError(f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISLNK(info.st_mode):
        raise SummaryError("is a symbolic link; summaries are plain files")
    if not stat.S_ISREG(info.st_mode):
        raise SummaryError("is not a file")
    if path.suffix != ".json":
        raise SummaryError("is not a progress summary (those end in .json)")
    try:
        # O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a pipe since the lstat
        # above is refused, not followed or waited on.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SummaryError(f"cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise SummaryError("is not a file")
        raw = file.read(MAX_SUMMARY_BYTES + 1)
    if len(raw) > MAX_SUMMARY_BYTES:
        raise SummaryError(f"is larger than {MAX_SUMMARY_BYTES // (1024 * 1024)} MB, too "
                           "large for a progress summary")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SummaryError("is not UTF-8 text, so not a progress summary") from None
    except json.JSONDecodeError as exc:
        raise SummaryError(f"is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                           f"{exc.msg})") from None
    except RecursionError:
        raise SummaryError("is nested too deeply to be a progress summary") from None
    return ProgressSummary.from_dict(data)
