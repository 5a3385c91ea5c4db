"""The review store: an append-only log of self-ratings in an SQLite file.

Rules that keep a learner's progress safe:

* Every ``record`` is its own transaction and is on disk before it returns: a review the
  learner saw acknowledged survives a crash, a killed kernel or a power cut.
* **One self-contained file.** The store uses SQLite's rollback journal (``-journal``, which
  exists only during a save) with ``synchronous=EXTRA``, so each save lands in the file
  itself: a plain copy of the file taken after a rating was acknowledged holds that rating,
  reading never creates a file, and the store works on network filesystems (NFS home
  directories), where WAL mode does not. ``BPCOURSE_JOURNAL=wal`` opts into WAL mode on a
  local disk (it is ignored, with a warning, on a network filesystem); a save then also
  checkpoints the WAL into the file. Stores made in WAL mode by older versions are turned
  back into one file when no other program has them open.
* Writers take the write lock up front (``BEGIN IMMEDIATE``) and wait for it, in slices
  short enough for Ctrl-C to get through, then give up after ``timeout`` with a StoreError
  saying what was not saved, never SQLite's bare "database is locked". Two kernels, or a
  notebook and a terminal, can write at the same time without an error.
* **Interrupts.** SIGINT (Ctrl-C, "Interrupt kernel") that arrives while a transaction is
  open is held back until the transaction is committed or rolled back, then delivered; a
  transaction that fails is always rolled back. No interrupt leaves a lock that would shut
  out this store's later saves or another program.
* **The file is identified before it is opened for writing** (SQLite header, then
  ``application_id``, ``user_version`` and tables, read in one transaction through a
  connection that cannot change the file or create files next to it). A corrupt or foreign
  file raises StoreError naming the file and what to do; it is never modified, overwritten
  or deleted, and gets no -journal, -wal or -shm file. A store that another process is
  creating at the same moment is never mistaken for a foreign one.
* **Moved, deleted or replaced.** Each transaction first checks that the path still names
  the file the store has open. A save to a store that was moved or deleted fails with
  StoreError (it is never acknowledged into a file no one will open again); a store
  replaced by another file is reopened, so the save goes to the file at the path.
* **Other accounts.** A store you cannot write (another account's, a read-only disk) is
  opened read-only: reading works and leaves no file behind; saving raises StoreError.
  Folders the store creates are private (0700), and so is the file (0600).
* **Times.** ``record`` refuses a time later than now plus ``MAX_CLOCK_SKEW``. Rows that
  cannot be a review (edited by hand, say) are skipped with a StoreWarning, never stopping
  the rest of the log from loading; they stay in the file.
* Faults (disk full, I/O errors, permissions, a symlink loop) raise StoreError naming the
  file, what was not saved and what to do.
* The schema has a version (``PRAGMA user_version``) and numbered migrations. Version 3
  added what a practice card (generated problem) needs in the log: the instance's ``seed``,
  the ``answer`` the learner gave and whether the check found it ``correct``; these are
  NULL for every other review and for every review logged before version 3.

The log is the truth. The only other tables are a cache of schedule states derived from it
(see ``schedule_cache.py``), which can always be rebuilt, and is rebuilt if it is damaged.
``backup`` and ``restore`` copy the whole store with SQLite's online backup API, safely
while notebooks have it open.
"""

from __future__ import annotations

import ctypes
import os
import random
import signal
import sqlite3
import stat
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, TypeVar

from .days import check_utc
from .ratings import check_rating

APPLICATION_ID = 0x62706372  # "bpcr": marks the file as a bpcourse review store
STORE_FILENAME = "reviews.sqlite3"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)
SQLITE_HEADER = b"SQLite format 3\x00"
# A review's time may be a little ahead of this computer's clock (another process's clock,
# a time taken just before a save), never more.
MAX_CLOCK_SKEW = timedelta(minutes=5)
# Stored times outside these bounds cannot come from ``record`` and would break the date
# arithmetic of scheduling and statistics (a year-9999 review overflows): such rows are
# skipped when the log is read.
EARLIEST_REVIEW = EPOCH
LATEST_READABLE = datetime(9000, 1, 1, tzinfo=timezone.utc)
JOURNAL_MODES = ("delete", "wal")
# Filesystems whose locking or shared memory WAL mode cannot rely on (SQLite's "WAL does not
# work over a network filesystem"); FUSE filesystems are mostly network ones (sshfs, s3fs).
NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "glusterfs",
    "lustre", "gpfs", "beegfs", "davfs", "vboxsf", "prl_fs", "vmhgfs",
})
# SQLite itself waits at most this long for a lock in one go: it cannot be interrupted while
# it waits, so longer waits go round our own (interruptible) retry loop.
BUSY_SLICE = 0.1
# The derived schema objects that can be recreated without losing anything.
DERIVED_OBJECTS = frozenset({
    "reviews_by_card", "reviews_by_time", "schedule_cache", "schedule_cache_position",
    "reviews_update", "reviews_delete",
})

T = TypeVar("T")


def to_micros(when: datetime) -> int:
    """UTC datetime -> integer microseconds since 1970 (exact; sorts like the time)."""
    return (when - EPOCH) // MICROSECOND


def from_micros(micros: int) -> datetime:
    return EPOCH + micros * MICROSECOND


EARLIEST_US = to_micros(EARLIEST_REVIEW)
LATEST_US = to_micros(LATEST_READABLE)


class StoreError(RuntimeError):
    """The store cannot be used or changed: the file is corrupt, foreign, too new, moved,
    read-only or unreachable, the disk is full, or another program kept it busy for longer
    than the store's timeout. The message names the file, what was not done and what to do."""


class StoreWarning(UserWarning):
    """Something about the store that the learner should know, which stops nothing (rows
    that cannot be read, a journal mode that cannot be used)."""


# -- where the store lives ------------------------------------------------------------------

_homes: dict[str, Path] = {}


def _resolve_home(raw: str) -> Path:
    """``BPCOURSE_HOME`` as an absolute path, worked out once per process and value.

    ``~`` is expanded. A relative path is taken from the directory the learner started from:
    the shell's ``$PWD``, which JupyterLab's kernels inherit even though they run in
    ``notebooks/``, so the notebooks and a terminal in the same folder use the same store.
    """
    path = _homes.get(raw)
    if path is None:
        expanded = os.path.expanduser(raw)
        if expanded.startswith("~"):
            raise StoreError(
                f"BPCOURSE_HOME is {raw!r}, but there is no home directory to put for '~' "
                "(HOME is not set). Set BPCOURSE_HOME to an absolute path."
            )
        if not os.path.isabs(expanded):
            base = os.environ.get("PWD", "")
            if not (os.path.isabs(base) and os.path.isdir(base)):
                base = os.getcwd()
            expanded = os.path.join(base, expanded)
        path = _homes[raw] = Path(os.path.normpath(expanded))
    return path


def default_data_dir() -> Path:
    """The user data directory bpcourse uses when ``BPCOURSE_HOME`` is not set."""
    import platformdirs

    return Path(platformdirs.user_data_path("bpcourse", appauthor=False))


def default_store_path() -> Path:
    """``$BPCOURSE_HOME/reviews.sqlite3`` if BPCOURSE_HOME is set (``~`` expanded, a relative
    path taken from ``$PWD``), else ``reviews.sqlite3`` in the user data directory."""
    home = os.environ.get("BPCOURSE_HOME")
    if home:
        return _resolve_home(home) / STORE_FILENAME
    return default_data_dir() / STORE_FILENAME


def _absolute(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.abspath(os.path.expanduser(os.fspath(path))))


def _unescape_mount(field: str) -> str:
    # /proc/self/mountinfo writes space, tab, newline and backslash as \040, \011, ...
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1:i + 4].isdigit() and i + 4 <= len(field):
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def filesystem_type(path: str | os.PathLike[str], mountinfo: str | None = None) -> str | None:
    """The type ("ext4", "nfs4", "fuse.sshfs", ...) of the filesystem holding ``path`` (or
    its nearest existing parent), from ``/proc/self/mountinfo``; None where that is unknown
    (not Linux)."""
    if mountinfo is None:
        try:
            with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as handle:
                mountinfo = handle.read()
        except OSError:
            return None
    resolved = os.path.realpath(path)
    best, best_type = "", None
    for line in mountinfo.splitlines():
        fields = line.split()
        if "-" not in fields or len(fields) < 5:
            continue
        mount_point = _unescape_mount(fields[4])
        fs_type = fields[fields.index("-") + 1]
        inside = resolved == mount_point or resolved.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, fs_type
    return best_type


def is_network_filesystem(fs_type: str | None) -> bool:
    """Whether WAL mode cannot be trusted on a filesystem of this type."""
    if fs_type is None:
        return False
    return fs_type in NETWORK_FILESYSTEMS or fs_type.startswith("fuse.")


def journal_mode_for(directory: str | os.PathLike[str]) -> str:
    """The journal mode for a store in ``directory``: ``BPCOURSE_JOURNAL`` ("delete", the
    default, or "wal"); "wal" falls back to "delete", with a StoreWarning, on a network
    filesystem."""
    raw = os.environ.get("BPCOURSE_JOURNAL", "").strip().lower() or "delete"
    if raw not in JOURNAL_MODES:
        raise StoreError(
            f"BPCOURSE_JOURNAL is {raw!r}; it must be 'delete' (the default, one file that "
            "works everywhere) or 'wal' (local disks only). Unset it or fix it."
        )
    if raw == "wal":
        fs_type = filesystem_type(directory)
        if is_network_filesystem(fs_type):
            warnings.warn(
                f"{directory} is on a network filesystem ({fs_type}), where SQLite's WAL mode "
                "does not work: BPCOURSE_JOURNAL=wal is ignored and the store keeps a "
                "rollback journal.", StoreWarning, stacklevel=3,
            )
            return "delete"
    return raw


# -- the log's rows -------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    """One logged self-rating. ``practice`` reviews never change the schedule.

    A review of a practice card (a generated problem) also keeps the instance's ``seed``,
    the ``answer`` the learner gave (None if they rated without checking) and whether it
    was ``correct``.
    """

    card_id: str
    rating: int
    reviewed_at: datetime
    practice: bool = False
    id: int | None = None
    seed: int | None = None
    answer: str | None = None
    correct: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the time as an ISO 8601 string in UTC): a backup of the log,
        or reviews to move into another store with ``record_many``."""
        return {
            "card_id": self.card_id,
            "rating": self.rating,
            "reviewed_at": self.reviewed_at.isoformat(),
            "practice": self.practice,
            "id": self.id,
            "seed": self.seed,
            "answer": self.answer,
            "correct": self.correct,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Review:
        """The inverse of ``to_dict``; checks the values as ``record`` does (ValueError)."""
        when = data["reviewed_at"]
        try:
            when = datetime.fromisoformat(when)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"reviewed_at must be an ISO 8601 time, got {when!r}") from exc
        review = _checked(data["card_id"], data["rating"], when, data.get("practice", False),
                          data.get("seed"), data.get("answer"), data.get("correct"))
        return replace(review, id=data.get("id"))

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Review:
        """A row of the ``reviews`` table; ValueError if it cannot be a review (a row edited
        by hand, or a time outside 1970 to 9000)."""
        row_id, card_id, rating, micros, practice, seed, answer, correct = row
        if (type(row_id) is not int or type(card_id) is not str or not card_id
                or type(rating) is not int or not 1 <= rating <= 5
                or type(micros) is not int or not EARLIEST_US <= micros < LATEST_US
                or practice not in (0, 1) or type(practice) is not int
                or (seed is not None and type(seed) is not int)
                or (answer is not None and type(answer) is not str)
                or (correct is not None and (type(correct) is not int
                                             or correct not in (0, 1)))):
            raise ValueError(f"review row {row!r} cannot be read")
        return cls(card_id, rating, from_micros(micros), bool(practice), row_id, seed, answer,
                   None if correct is None else bool(correct))


# -- the schema -----------------------------------------------------------------------------


def _migration_1(conn: sqlite3.Connection) -> None:
    # reviewed_at: integer microseconds since 1970 UTC, exact and cheap to sort.
    conn.execute(
        """CREATE TABLE reviews (
               id INTEGER PRIMARY KEY AUTOINCREMENT,
               card_id TEXT NOT NULL CHECK (card_id <> ''),
               rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
               reviewed_at INTEGER NOT NULL,
               practice INTEGER NOT NULL DEFAULT 0 CHECK (practice IN (0, 1))
           )"""
    )
    _review_indexes(conn)


def _review_indexes(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE INDEX IF NOT EXISTS reviews_by_card ON reviews (card_id, reviewed_at, id)")
    conn.execute("CREATE INDEX IF NOT EXISTS reviews_by_time ON reviews (reviewed_at)")


def _migration_2(conn: sqlite3.Connection) -> None:
    # Derived schedule states per scheduler, covering the log up to log_max_id. The log is
    # append-only, so rows with larger ids are all a cache lacks; should a row ever be
    # changed or deleted (by hand), the triggers drop every cache's position, forcing a
    # rebuild from the log. IF NOT EXISTS: ``repair_schema`` runs it again on a damaged store.
    conn.execute(
        """CREATE TABLE IF NOT EXISTS schedule_cache (
               scheduler TEXT NOT NULL,
               card_id TEXT NOT NULL,
               due INTEGER NOT NULL,
               first_review INTEGER NOT NULL,
               last_review INTEGER NOT NULL,
               reviews INTEGER NOT NULL,
               state TEXT NOT NULL,
               PRIMARY KEY (scheduler, card_id)
           ) WITHOUT ROWID"""
    )
    conn.execute(
        """CREATE TABLE IF NOT EXISTS schedule_cache_position (
               scheduler TEXT PRIMARY KEY,
               log_max_id INTEGER NOT NULL
           )"""
    )
    for event in ("UPDATE", "DELETE"):
        conn.execute(
            f"""CREATE TRIGGER IF NOT EXISTS reviews_{event.lower()} AFTER {event} ON reviews
                BEGIN DELETE FROM schedule_cache_position; END"""
        )


def _migration_3(conn: sqlite3.Connection) -> None:
    # Practice cards: the seed of the instance shown, the answer typed and the check's
    # verdict. NULL-able columns added in place: every row logged before keeps its values,
    # and reads NULL (no practice card) in the new ones.
    conn.execute("ALTER TABLE reviews ADD COLUMN seed INTEGER")
    conn.execute("ALTER TABLE reviews ADD COLUMN answer TEXT")
    conn.execute("ALTER TABLE reviews ADD COLUMN correct INTEGER CHECK (correct IN (0, 1))")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migration_1, _migration_2,
                                                          _migration_3]
SCHEMA_VERSION = len(MIGRATIONS)
# The log of a store older than version 3 with its rows as ROW reads them (NULL for the
# columns of practice cards), shadowing the table for a connection that cannot migrate it.
OLD_LOG_VIEW = ("CREATE TEMP VIEW IF NOT EXISTS reviews AS SELECT id, card_id, rating, "
                "reviewed_at, practice, NULL AS seed, NULL AS answer, NULL AS correct "
                "FROM main.reviews")
#: The longest answer kept in the log: a practice answer is a number, a shape or a short
#: formula, and a paste of a whole notebook cell must not bloat every later read.
MAX_ANSWER_CHARS = 500

ROW = "id, card_id, rating, reviewed_at, practice, seed, answer, correct"
INSERT_REVIEW = ("INSERT INTO reviews (card_id, rating, reviewed_at, practice, seed, answer, "
                 "correct) VALUES (?,?,?,?,?,?,?)")


def schema_names(conn: sqlite3.Connection, schema: str = "main") -> set[str]:
    """The names of the tables, indexes and triggers in a database of ``conn``."""
    return {row[0] for row in conn.execute(f"SELECT name FROM {schema}.sqlite_master")}


def repair_schema(conn: sqlite3.Connection) -> None:
    """Recreate derived schema objects dropped by hand. The cache may have missed changes
    while its triggers were gone, so every cache is rebuilt."""
    if DERIVED_OBJECTS - schema_names(conn):
        _review_indexes(conn)
        _migration_2(conn)
        conn.execute("DELETE FROM schedule_cache_position")


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


# -- holding back Ctrl-C during a transaction -----------------------------------------------

_held: dict[str, Any] = {"depth": 0, "previous": None, "pending": False}


def _hold_interrupt(signum: int, frame: FrameType | None) -> None:
    _held["pending"] = True


class _InterruptsHeldBack:
    """SIGINT is recorded instead of raised while this is entered (main thread only; other
    threads never get KeyboardInterrupt), then delivered again to the handler it was meant
    for. A KeyboardInterrupt between ``BEGIN`` and the code that ends the transaction would
    otherwise leave the transaction, and its lock, open."""

    def __enter__(self) -> None:
        self.active = False
        if threading.current_thread() is not threading.main_thread():
            return
        if _held["depth"] == 0:
            previous = signal.getsignal(signal.SIGINT)
            if previous is None:  # a handler installed outside Python: leave it alone
                return
            _held["previous"], _held["pending"] = previous, False
            signal.signal(signal.SIGINT, _hold_interrupt)
        _held["depth"] += 1
        self.active = True

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if not self.active:
            return
        _held["depth"] -= 1
        if _held["depth"] == 0:
            signal.signal(signal.SIGINT, _held["previous"])
            if _held["pending"]:
                _held["pending"] = False
                signal.raise_signal(signal.SIGINT)


# Connections in WAL mode to a file that was moved or replaced while open. Closing one would
# checkpoint into the old file and delete the -wal and -shm files at the store's path, which
# may by now belong to the file there: so they are never closed, not even at exit.
_abandoned: list[sqlite3.Connection] = []


def _abandon(conn: sqlite3.Connection) -> None:
    _abandoned.append(conn)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(conn))


class _Replaced(Exception):
    """The store's path names another file than the one open (internal: reopen and retry)."""


# -- the store ------------------------------------------------------------------------------


class ReviewStore:
    """The learner's review log (see the module docstring for the guarantees).

    ``ReviewStore()`` opens the default store (``default_store_path()``); pass a path to
    use another file. ``timeout`` is how long, in seconds, a write waits for another
    process's write to finish before giving up. ``writable`` is False for a store opened
    read-only (one you cannot write); ``journal_mode`` is "delete" or "wal".
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, timeout: float = 60.0,
                 _journal: str | None = None):
        self.path = _absolute(path) if path is not None else default_store_path()
        self.timeout = timeout
        self.writable = False
        self.journal_mode = "delete"
        self.closed = False
        # One connection per store; the lock keeps each transaction whole if a program
        # shares the store between threads.
        self._lock = threading.RLock()
        self._journal = _journal
        self._conn: sqlite3.Connection | None = None
        self._file_id: tuple[int, int] | None = None
        self._header = b""
        self._dead: str | None = None  # why a WAL store can no longer be used
        self._skipped: set[int] = set()
        self._connect()

    # -- opening -----------------------------------------------------------------------

    def _problem(self, what: str) -> StoreError:
        return StoreError(
            f"{self.path}: {what}. The file was left untouched. Move or rename it (keep it if "
            "it holds reviews you care about) and bpcourse will start a new store there, or "
            "set BPCOURSE_HOME to another directory."
        )

    def _os_problem(self, exc: OSError, doing: str) -> StoreError:
        reason = exc.strerror or str(exc)
        advice = {
            "Permission denied": "you have no permission there. If the store is another "
                                 "account's, ask its owner; else set BPCOURSE_HOME to a "
                                 "directory you can write",
            "Too many levels of symbolic links": "a symbolic link on the way points back at "
                                                 "itself; fix or remove it",
            "Read-only file system": "the disk is read-only; set BPCOURSE_HOME to a directory "
                                     "on a writable disk",
            "No space left on device": "the disk is full; free some space and try again",
        }.get(reason, "check the path, or set BPCOURSE_HOME to another directory")
        return StoreError(f"{self.path}: cannot {doing} ({reason}): {advice}.")

    def _connect(self) -> None:
        """Identify the file, create it if need be, open it and bring its schema up to date;
        again if the file is replaced meanwhile."""
        for _attempt in range(5):
            state = self._inspect()
            if state == "database":
                self._check_identity(*self._retry(self._identify_read_only,
                                                  "it was not opened"))
            writable = self._prepare(state)
            before = self._stat_id()
            conn = self._new_connection(writable)
            self._conn, self.writable, self._file_id = conn, writable, before
            try:
                self._open()
            except BaseException:
                self._conn = None
                conn.close()
                raise
            if before is not None and self._stat_id() == before:
                return
            self._discard(conn)
        raise StoreError(f"{self.path}: the file kept being replaced while it was opened; "
                         "try again when nothing else is changing it.")

    def _inspect(self) -> str:
        """What is at the path: "missing", "empty" or "database" (an SQLite file; its header
        is kept). Anything else is refused before SQLite ever opens (and could write) it."""
        try:
            info = os.lstat(self.path)
            if stat.S_ISLNK(info.st_mode):
                try:
                    info = os.stat(self.path)
                except FileNotFoundError:
                    raise StoreError(
                        f"{self.path}: is a symbolic link to {os.readlink(self.path)}, which "
                        "does not exist. bpcourse does not create a store through a dangling "
                        "link: remove the link, or point it at an existing store."
                    ) from None
        except FileNotFoundError:
            return "missing"
        except NotADirectoryError:
            raise self._not_a_directory() from None
        except OSError as exc:
            raise self._os_problem(exc, "look at the review store") from exc
        if stat.S_ISDIR(info.st_mode):
            raise self._problem("is a directory, not a review store")
        if not stat.S_ISREG(info.st_mode):
            raise self._problem("is not a regular file, so not a review store")
        if info.st_size == 0:
            return "empty"
        try:
            with open(self.path, "rb") as handle:
                self._header = handle.read(100)
        except OSError as exc:
            raise self._os_problem(exc, "read the review store") from exc
        if not self._header.startswith(SQLITE_HEADER):
            raise self._problem("is not a bpcourse review store (not an SQLite database)")
        return "database"

    def _not_a_directory(self) -> StoreError:
        for folder in self.path.parents:
            if folder.exists() and not folder.is_dir():
                return StoreError(
                    f"{folder}: is a file, not a directory, so the review store "
                    f"{self.path} cannot be kept there. Set BPCOURSE_HOME to a directory."
                )
        return StoreError(f"{self.path}: a part of the path is not a directory.")

    def _stat_id(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return info.st_dev, info.st_ino

    def _prepare(self, state: str) -> bool:
        """Create the folders and the (empty, private) file of a new store; returns whether
        the store can be written, which decides whether it is opened read-only."""
        folder = self.path.parent
        if state == "missing":
            self._make_folders(folder)
            self._create_file()
        if os.environ.get("BPCOURSE_HOME") is None and folder == default_data_dir():
            _make_private(folder)
        return os.access(self.path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK)

    def _make_folders(self, folder: Path) -> None:
        missing = []
        while True:
            try:
                info = os.stat(folder)
            except FileNotFoundError:
                if os.path.islink(folder):
                    raise StoreError(
                        f"{folder}: is a symbolic link to {os.readlink(folder)}, which does not "
                        "exist, so the review store cannot be kept there. Fix the link, or "
                        "set BPCOURSE_HOME to another directory."
                    ) from None
                missing.append(folder)
                folder = folder.parent
                continue
            except NotADirectoryError:
                raise self._not_a_directory() from None
            except OSError as exc:
                raise self._os_problem(exc, f"look at the directory {folder}") from exc
            if not stat.S_ISDIR(info.st_mode):
                raise self._not_a_directory()
            break
        for new in reversed(missing):
            try:
                os.mkdir(new, 0o700)  # private: the review log is the learner's business
            except FileExistsError:
                continue
            except OSError as exc:
                raise self._os_problem(exc, f"create the directory {new}") from exc
            _give_to_owner_of_parent(new)

    def _create_file(self) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            handle = os.open(self.path, flags, 0o600)
        except FileExistsError:
            return  # another process created it meanwhile; it is identified on opening
        except OSError as exc:
            raise self._os_problem(exc, "create the review store") from exc
        os.close(handle)
        _give_to_owner_of_parent(self.path)

    def _new_connection(self, writable: bool) -> sqlite3.Connection:
        wait = min(BUSY_SLICE, self.timeout)
        try:
            if writable:
                return sqlite3.connect(self.path, timeout=wait, isolation_level=None,
                                       check_same_thread=False)
            return sqlite3.connect(self._read_only_uri(self.path, self._header), uri=True,
                                   timeout=wait, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot be opened ({exc}).") from exc

    @staticmethod
    def _read_only_uri(path: Path, header: bytes) -> str:
        """A URI that opens ``path`` without creating any file next to it.

        ``mode=ro`` stops SQLite writing the database. A WAL database also needs its -shm:
        if it exists (another program has the database open), ``readonly_shm=1`` reads it
        without writing; if not, ``immutable=1`` reads the file alone (no -wal exists
        either), where SQLite would otherwise create the -wal and -shm files.
        """
        uri = path.as_uri() + "?mode=ro"
        if header[18:20] == b"\x02\x02":
            shm = f"{path}-shm"
            # An -shm this account cannot read is no use either: the file alone is read, and
            # holds every save that was checkpointed (bpcourse checkpoints after each).
            shared = os.path.exists(shm) and os.access(shm, os.R_OK)
            uri += "&readonly_shm=1" if shared else "&immutable=1"
        return uri

    def _identify_read_only(self) -> tuple[int, int, set[str]]:
        """Identify the file through a connection that cannot change it or add files."""
        try:
            conn = sqlite3.connect(self._read_only_uri(self.path, self._header), uri=True,
                                   timeout=min(BUSY_SLICE, self.timeout), isolation_level=None)
        except sqlite3.OperationalError as exc:
            raise self._problem(f"cannot be opened ({exc})") from exc
        try:
            return self._identify(conn)
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise
            if "readonly" in str(exc).lower() and Path(f"{self.path}-journal").exists():
                return self._identify_with_hot_journal(exc)
            raise self._problem(f"cannot be read as a review store ({exc})") from exc
        finally:
            conn.close()

    def _identify_with_hot_journal(self, exc: sqlite3.Error) -> tuple[int, int, set[str]]:
        """A program stopped in the middle of a save (killed, power cut) and left a "hot"
        journal, which the next writer rolls back. A read-only connection cannot, so the
        file is identified from its header: ours (or new) is opened for writing, which
        finishes the recovery; another program's is left alone."""
        app_id = int.from_bytes(self._header[68:72], "big")
        version = int.from_bytes(self._header[60:64], "big")
        try:
            with open(f"{self.path}-journal", "rb") as handle:
                journal = handle.read(20)
        except OSError:
            journal = b""
        was_empty = len(journal) == 20 and int.from_bytes(journal[16:20], "big") == 0
        if app_id == APPLICATION_ID or was_empty:
            if not (os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)):
                raise StoreError(
                    f"{self.path}: a save was interrupted (a program was stopped in the middle "
                    "of it), and only an account that can write the store can finish the "
                    "recovery: run any bpcourse command as the store's owner."
                ) from exc
            return (APPLICATION_ID if app_id == APPLICATION_ID else 0), version, set()
        raise self._problem("is an SQLite database of another program, not a review store "
                            "(and a save of that program was interrupted)")

    def _identify(self, conn: sqlite3.Connection) -> tuple[int, int, set[str]]:
        # One read transaction: read statement by statement, a store that another process is
        # creating could show no application_id but (a moment later) its tables, and be
        # mistaken for another program's database.
        try:
            conn.execute("BEGIN")
            try:
                app_id = conn.execute("PRAGMA application_id").fetchone()[0]
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                names = schema_names(conn)
            finally:
                conn.execute("COMMIT")
        except sqlite3.OperationalError:
            raise
        except sqlite3.DatabaseError as exc:
            raise self._problem(f"is corrupt ({exc})") from exc
        return app_id, version, names

    def _check_identity(self, app_id: int, version: int, names: set[str]) -> None:
        """Refuse another program's database, a store of a newer schema, a store without
        its log."""
        tables = {n for n in names if not n.startswith("sqlite_")}
        if app_id != APPLICATION_ID and (app_id != 0 or tables):
            raise self._problem("is an SQLite database of another program, not a review store")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer bpcourse (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade bpcourse to use it. The file was left untouched."
            )
        if app_id == APPLICATION_ID and version >= 1 and names and "reviews" not in names:
            raise self._problem("is a review store whose reviews table is missing (it was "
                                "edited by hand?), so it holds no reviews to read")

    def _open(self) -> None:
        # Identified again on this connection: the file may have been created (by another
        # bpcourse process, say) since the read-only look, and migrating needs the version.
        assert self._conn is not None
        conn = self._conn
        app_id, version, names = self._retry(lambda: self._identify(conn), "it was not opened")
        self._check_identity(app_id, version, names)
        if not self.writable:
            if "reviews" not in names:
                raise StoreError(f"{self.path}: is empty, and this program cannot write to it, "
                                 "so there are no reviews to read and nowhere to save them.")
            if version < 3:
                # Cannot migrate a file it may not change: a temporary view (in memory, on
                # this connection only) gives the old log the columns version 3 added.
                self._retry(lambda: conn.execute(OLD_LOG_VIEW), "it was not opened")
            self.journal_mode = self._retry(
                lambda: conn.execute("PRAGMA journal_mode").fetchone()[0], "it was not opened")
            return
        self._retry(self._set_journal_mode, "it was not opened")
        if version < SCHEMA_VERSION:
            self.write(self._migrate, "it was not opened")
        elif DERIVED_OBJECTS - names:
            self.write(repair_schema, "it was not opened")

    def _set_journal_mode(self) -> None:
        assert self._conn is not None
        conn = self._conn
        wanted = self._journal or journal_mode_for(self.path.parent)
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != wanted:
            # Leaving WAL mode needs the file to itself; while an older kernel still has it
            # open in WAL mode, the store stays in WAL mode (checkpointing after each save)
            # and leaves it at a later opening.
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                mode = conn.execute(f"PRAGMA journal_mode = {wanted}").fetchone()[0]
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
            finally:
                conn.execute(f"PRAGMA busy_timeout = {int(1000 * min(BUSY_SLICE, self.timeout))}")
        self.journal_mode = mode
        # EXTRA: in rollback mode the commit is the journal's deletion, which must itself
        # reach the disk before the save is acknowledged.
        conn.execute(f"PRAGMA synchronous = {'FULL' if mode == 'wal' else 'EXTRA'}")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        # Re-read inside the write transaction: another process may have migrated already.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[number - 1](conn)
        repair_schema(conn)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- the file under the store ------------------------------------------------------

    def _file_status(self) -> str:
        """"same", "missing" (moved or deleted) or "replaced" (another file at the path)."""
        current = self._stat_id()
        if current is None:
            return "missing"
        return "same" if current == self._file_id else "replaced"

    def moved(self) -> bool:
        """Whether the file this store has open is no longer at its path."""
        return self._dead is not None or self._file_status() != "same"

    def _moved_error(self, lost: str) -> StoreError:
        return StoreError(
            f"{self.path}: the review store was moved or deleted while it was open; {lost}. "
            "Put the file back to go on with it. To start a new store there instead, run the "
            "cell again (or restart the kernel, or the command)."
        )

    def _discard(self, conn: sqlite3.Connection) -> None:
        if self.journal_mode == "wal":
            _abandon(conn)
        else:
            conn.close()

    def _ensure_open(self, lost: str) -> sqlite3.Connection:
        """The connection to the file at the path, reopened if the file was replaced."""
        if self.closed:
            raise StoreError(f"{self.path}: this ReviewStore was closed; {lost}.")
        if self._dead is not None:
            raise StoreError(f"{self.path}: {self._dead}; {lost}. Restart the kernel (or the "
                             "command) to go on.")
        if self._conn is None:
            self._connect()
        status = self._file_status()
        if status == "missing":
            raise self._moved_error(lost)
        if status == "replaced":
            assert self._conn is not None
            if self.journal_mode == "wal":
                # Its -wal and -shm files sit at the path, where the new file would use them
                # too: this process can no longer open the store safely.
                self._dead = "the review store was moved or replaced while it was open in WAL mode"
                _abandon(self._conn)
                self._conn = None
                raise StoreError(f"{self.path}: {self._dead}; {lost}. Restart the kernel (or "
                                 "the command) to go on.")
            self._conn.close()
            self._conn = None
            self._connect()
        assert self._conn is not None
        return self._conn

    # -- transactions ------------------------------------------------------------------

    def _fault(self, exc: sqlite3.Error, lost: str) -> StoreError:
        """A clear StoreError for an SQLite failure that waiting will not cure."""
        text = str(exc)
        lower = text.lower()
        if "disk is full" in lower or "disk i/o" in lower:
            return StoreError(
                f"{self.path}: could not write to the review store ({text}); {lost}. The disk "
                "may be full (or a file size limit reached): free some space and try again. "
                "Reviews saved before are safe."
            )
        if "readonly" in lower or "read-only" in lower:
            return StoreError(
                f"{self.path}: the review store is read-only for this program ({text}); {lost}."
            )
        if "no such table" in lower or type(exc) is sqlite3.DatabaseError:
            return self._problem(f"is damaged ({text})")
        return StoreError(f"{self.path}: {text}; {lost}.")

    def _retry(self, attempt: Callable[[], T], lost: str) -> T:
        """Run ``attempt`` until it is not refused with "database is locked"; when the
        timeout has passed, raise StoreError saying what was ``lost`` ("this rating was not
        saved"). Other SQLite failures raise StoreError at once."""
        deadline = time.monotonic() + self.timeout
        pause = 0.005
        while True:
            try:
                return attempt()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise self._fault(exc, lost) from exc
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"{self.path}: another program kept the review store busy for "
                        f"{self.timeout:g} s; {lost}. Close other bpcourse sessions and try "
                        "again."
                    ) from exc
            except sqlite3.ProgrammingError:
                raise
            except sqlite3.DatabaseError as exc:
                raise self._fault(exc, lost) from exc
            # Jitter so that two waiting processes do not retry in lock-step.
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 0.2)

    def _transaction(self, work: Callable[[sqlite3.Connection], T], lost: str,
                     write: bool) -> T:
        def attempt() -> T:
            for _reopen in range(5):
                with _InterruptsHeldBack(), self._lock:
                    conn = self._ensure_open(lost)
                    if write and not self.writable:
                        raise StoreError(
                            f"{self.path}: this review store can only be read here (it "
                            "belongs to another account, or its file or folder is read-only); "
                            f"{lost}."
                        )
                    try:
                        return self._run(conn, work, write)
                    except _Replaced:
                        continue
            raise self._moved_error(lost)

        return self._retry(attempt, lost)

    def _run(self, conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T],
             write: bool) -> T:
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            if write and self._file_status() != "same":
                # Checked again under the write lock: a file moved or replaced since the
                # check before BEGIN must not receive this save.
                raise _Replaced
            result = work(conn)
            conn.execute("COMMIT")
        except BaseException:
            self._end_transaction(conn)
            raise
        if write and self.journal_mode == "wal":
            # So that a plain copy of the file holds every acknowledged save. Busy (a reader
            # on an older snapshot) leaves it to the next save; the save itself is safe.
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            except sqlite3.OperationalError:
                pass
        return result

    def _end_transaction(self, conn: sqlite3.Connection) -> None:
        if not conn.in_transaction:
            return
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            # A connection that cannot roll back would hold its lock: drop it (closing rolls
            # back), and open a new one at the next use.
            if self._conn is conn:
                self._conn = None
            self._discard(conn)

    def write(self, work: Callable[[sqlite3.Connection], T], lost: str) -> T:
        """Run ``work`` in one write transaction, committed before returning; ``lost`` says
        what is lost if it fails ("this rating was not saved")."""
        return self._transaction(work, lost, write=True)

    def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in one read transaction: a consistent snapshot."""
        return self._transaction(work, "it could not be read", write=False)

    # -- the log -----------------------------------------------------------------------

    def record(
        self,
        card_id: str,
        rating: int,
        when: datetime | None = None,
        practice: bool = False,
        *,
        seed: int | None = None,
        answer: str | None = None,
        correct: bool | None = None,
    ) -> Review:
        """Append one review and commit it; returns it with its row id.

        ``seed``, ``answer`` and ``correct`` belong to a practice card's review: the
        instance shown, the learner's answer (cut to ``MAX_ANSWER_CHARS``) and the check's
        verdict.

        ``rating`` must be an int from 1 to 5 and ``when`` (default: now) timezone-aware and
        no later than now plus ``MAX_CLOCK_SKEW``; anything else raises ValueError and
        nothing is stored. StoreError if it cannot be saved (nothing is then stored).
        """
        review = _checked(card_id, rating, when, practice, seed, answer, correct)
        row_id = self.write(
            lambda conn: conn.execute(INSERT_REVIEW, _values(review)).lastrowid,
            "this rating was not saved",
        )
        return replace(review, id=row_id)

    def record_many(self, reviews: Iterable[Review]) -> int:
        """Append many reviews in one transaction (imports, benchmarks); returns the count."""
        rows = [_values(_checked(r.card_id, r.rating, r.reviewed_at, r.practice, r.seed,
                                 r.answer, r.correct))
                for r in reviews]
        self.write(lambda conn: conn.executemany(INSERT_REVIEW, rows),
                   "these reviews were not saved")
        return len(rows)

    def reviews(self, card_id: str | None = None, since: datetime | None = None) -> list[Review]:
        """The logged reviews, oldest first: all, or one card's, or those from ``since`` on.
        Rows that cannot be a review are skipped (see ``readable``)."""
        conditions: list[str] = []
        args: list[object] = []
        if card_id is not None:
            conditions.append("card_id = ?")
            args.append(card_id)
        if since is not None:
            conditions.append("reviewed_at >= ?")
            args.append(to_micros(check_utc(since, "since")))
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        query = f"SELECT {ROW} FROM reviews {where} ORDER BY reviewed_at, id"
        return self.readable(self.read(lambda conn: conn.execute(query, args).fetchall()))

    def readable(self, rows: Iterable[tuple[Any, ...]]) -> list[Review]:
        """Rows of the log (``SELECT {ROW}``) as Reviews, without those that cannot be one
        (a time in the year 9999, a rating of 7, edited in by hand). The first time a row is
        skipped, a StoreWarning says so; the rows stay in the file."""
        reviews, skipped = [], []
        for row in rows:
            try:
                reviews.append(Review.from_row(row))
            except (TypeError, ValueError, OverflowError):
                skipped.append(row[0])
        new = [row_id for row_id in skipped if row_id not in self._skipped]
        if new:
            self._skipped.update(new)
            shown = ", ".join(map(str, new[:10])) + (", ..." if len(new) > 10 else "")
            warnings.warn(
                f"{self.path}: {len(new)} row(s) of the review log cannot be a review (id "
                f"{shown}) and were skipped; the rest of the log is used as usual. The rows "
                "were left in the file.", StoreWarning, stacklevel=3,
            )
        return reviews

    def __len__(self) -> int:
        return self.read(lambda conn: conn.execute("SELECT count(*) FROM reviews").fetchone()[0])

    # -- backup and restore ------------------------------------------------------------

    def backup(self, destination: str | os.PathLike[str]) -> int:
        """Copy the store to ``destination`` with SQLite's online backup API (a consistent
        copy, even while notebooks are saving); returns the number of reviews in the copy.

        The copy is written to a temporary file next to ``destination``, checked, and then
        renamed into place, so a failure (a full disk) never leaves a half-written backup
        or destroys an older one. An existing file is replaced only if it is a review store.
        """
        target = _absolute(destination)
        if target.is_dir():
            raise StoreError(f"{target}: is a directory; name the backup file, e.g. "
                             f"{target / 'reviews-backup.sqlite3'}.")
        if target.exists():
            if _same_file(target, self.path):
                raise StoreError(f"{target}: is the review store itself; name another file.")
            reason = store_file_problem(target)
            if reason is not None:
                raise StoreError(f"{target}: exists and {reason}; it was left untouched. "
                                 "Name another file for the backup.")
        if not target.parent.is_dir():
            raise StoreError(f"{target}: there is no directory {target.parent}.")
        temporary = _private_temporary(target)
        try:
            copy = sqlite3.connect(temporary, isolation_level=None)
            try:
                with self._lock:
                    # One step (pages=-1): a consistent snapshot, even while others save.
                    self._ensure_open("no backup was made").backup(copy)
                count = _finish_copy(copy)
            finally:
                copy.close()
            _fsync(temporary)
            os.replace(temporary, target)
            _fsync(target.parent)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{target}: the backup could not be written ({_reason(exc)}); "
                             "the review store is unchanged.") from exc
        finally:
            _unlink_quietly(temporary)
        return count

    def restore(self, source: str | os.PathLike[str]) -> tuple[int, Path | None]:
        """Replace the reviews (and schedule cache) of this store with those of the backup
        ``source``; returns the number of reviews restored and the safety copy of the
        reviews that were here (None if there were none).

        ``source`` is refused (StoreError, nothing changed) unless it is a review store
        this bpcourse can read. It is read with SQLite's online backup API into a private
        copy, upgraded to this schema and checked. Then one write transaction copies the
        current contents to ``reviews-before-restore-<time>.sqlite3`` next to the store and
        replaces them, so that a notebook saving at the same moment loses nothing: its save
        lands either before (in the safety copy) or after (in the restored store). Open
        notebooks see the restored reviews from their next read on.
        """
        origin = _absolute(source)
        reason = store_file_problem(origin)
        if reason is not None:
            raise StoreError(f"{origin}: {reason}; nothing was restored.")
        if _same_file(origin, self.path):
            raise StoreError(f"{origin}: is the review store itself; nothing was restored.")
        if not self.writable:
            raise StoreError(f"{self.path}: this review store can only be read here; "
                             "nothing was restored.")
        staged = _private_temporary(self.path.with_name("restore.sqlite3"))
        try:
            try:
                _read_backup(origin, staged)
                with ReviewStore(staged, timeout=self.timeout, _journal="delete") as check:
                    count = len(check)
            except (OSError, sqlite3.Error) as exc:
                raise StoreError(f"{origin}: cannot be read as a review store "
                                 f"({_reason(exc)}); nothing was restored.") from exc
            except StoreError as exc:
                raise StoreError(f"{origin}: cannot be restored: {exc}") from exc
            safety = self._replace_contents(staged)
        finally:
            _unlink_quietly(staged)
        return count, safety

    def _replace_contents(self, staged: Path) -> Path | None:
        stamp = datetime.now().strftime("%Y-%m-%dT%H%M%S")
        safety = self.path.with_name(f"reviews-before-restore-{stamp}.sqlite3")
        number = 1
        while safety.exists():
            number += 1
            safety = self.path.with_name(f"reviews-before-restore-{stamp}-{number}.sqlite3")
        ReviewStore(safety, timeout=self.timeout, _journal="delete").close()  # empty, private
        try:
            with self._lock:
                conn = self._ensure_open("nothing was restored")
                conn.execute("ATTACH DATABASE ? AS restored", (str(staged),))
                conn.execute("ATTACH DATABASE ? AS safety", (str(safety),))
                try:
                    kept = self.write(_swap_in, "nothing was restored")
                finally:
                    for name in ("restored", "safety"):
                        try:
                            conn.execute(f"DETACH DATABASE {name}")
                        except sqlite3.Error:
                            pass  # reopened meanwhile: it went with the old connection
        except BaseException:
            _unlink_quietly(safety)
            raise
        if not kept:
            _unlink_quietly(safety)
            return None
        return safety

    # -- housekeeping ------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                if self._file_status() == "same" or self.journal_mode != "wal":
                    self._conn.close()
                else:
                    _abandon(self._conn)
                self._conn = None
            self.closed = True

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ReviewStore({str(self.path)!r})"


# -- backup helpers ------------------------------------------------------------------------


def store_file_problem(path: Path) -> str | None:
    """Why ``path`` is not a review store this bpcourse can read ("is not an SQLite
    database", ...), or None if it is one. Opens it without changing it or adding files."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"cannot be read ({_reason(exc)})"
    if not stat.S_ISREG(info.st_mode):
        return "is not a file"
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        return f"cannot be read ({_reason(exc)})"
    if not header:
        return "is empty, not a review store"
    if not header.startswith(SQLITE_HEADER):
        return "is not a review store (not an SQLite database)"
    try:
        conn = sqlite3.connect(ReviewStore._read_only_uri(path, header), uri=True,
                               isolation_level=None)
        try:
            conn.execute("BEGIN")
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            names = schema_names(conn)
            conn.execute("COMMIT")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"cannot be read as a review store ({exc})"
    if app_id != APPLICATION_ID:
        return "is an SQLite database of another program, not a review store"
    if version > SCHEMA_VERSION:
        return (f"was written by a newer bpcourse (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade bpcourse first")
    if "reviews" not in names:
        return "is a review store without its reviews table"
    return None


def _read_backup(origin: Path, staged: Path) -> None:
    """Copy ``origin`` to ``staged`` with the online backup API, as one file (rollback
    journal) and checked; ``origin`` is opened read-only and gets no file next to it."""
    with open(origin, "rb") as handle:
        header = handle.read(100)
    source = sqlite3.connect(ReviewStore._read_only_uri(origin, header), uri=True)
    try:
        copy = sqlite3.connect(staged, isolation_level=None)
        try:
            source.backup(copy)
            _finish_copy(copy)
        finally:
            copy.close()
    finally:
        source.close()


def _finish_copy(copy: sqlite3.Connection) -> int:
    # The backup API copies the source's header, WAL flag included: a backup is one file.
    copy.execute("PRAGMA journal_mode = DELETE")
    problems = copy.execute("PRAGMA integrity_check").fetchall()
    if problems != [("ok",)]:
        raise sqlite3.DatabaseError("integrity check failed: " + "; ".join(
            str(p[0]) for p in problems[:3]))
    return copy.execute("SELECT count(*) FROM reviews").fetchone()[0]


def _swap_in(conn: sqlite3.Connection) -> int:
    """In one write transaction: copy the store's log and cache to the attached ``safety``
    store, then replace them by those of the attached ``restored`` one; returns the number
    of reviews kept in the safety copy. Being one transaction, no save from an open notebook
    can fall between the copy and the replacement."""
    conn.execute(f"INSERT INTO safety.reviews ({ROW}) SELECT {ROW} FROM main.reviews")
    for table in ("schedule_cache", "schedule_cache_position"):
        conn.execute(f"INSERT INTO safety.{table} SELECT * FROM main.{table}")
    kept = conn.execute("SELECT count(*) FROM safety.reviews").fetchone()[0]
    conn.execute("DELETE FROM main.reviews")
    conn.execute("DELETE FROM main.schedule_cache")
    conn.execute("DELETE FROM main.schedule_cache_position")
    # Ids are kept, so the restored cache positions still match; AUTOINCREMENT keeps new
    # ids above every id ever used here. OR IGNORE: rows that break a CHECK stay behind.
    conn.execute(f"INSERT OR IGNORE INTO main.reviews ({ROW}) SELECT {ROW} FROM restored.reviews")
    if {"schedule_cache", "schedule_cache_position"} <= schema_names(conn, "restored"):
        conn.execute("INSERT OR IGNORE INTO main.schedule_cache SELECT * FROM "
                     "restored.schedule_cache")
        conn.execute("INSERT OR IGNORE INTO main.schedule_cache_position SELECT * FROM "
                     "restored.schedule_cache_position")
    return kept


def _private_temporary(target: Path) -> Path:
    for number in range(1000):
        candidate = target.with_name(f".{target.name}.{os.getpid()}.{number}.tmp")
        try:
            handle = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        os.close(handle)
        return candidate
    raise StoreError(f"{target.parent}: cannot create a temporary file there.")


def _fsync(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    except OSError:
        pass  # some filesystems cannot fsync a directory; the rename is done all the same
    finally:
        os.close(handle)


def _unlink_quietly(path: Path) -> None:
    for name in (str(path), f"{path}-journal", f"{path}-wal", f"{path}-shm"):
        try:
            os.unlink(name)
        except OSError:
            pass


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) or repr(exc)


def _make_private(folder: Path) -> None:
    """Tighten bpcourse's own data directory to 0700 (older versions made it 0755)."""
    try:
        info = os.stat(folder)
        if info.st_uid == os.geteuid() and info.st_mode & 0o077:
            os.chmod(folder, 0o700)
    except OSError:
        pass


def _give_to_owner_of_parent(path: Path) -> None:
    # Run as root (sudo) on someone's directory, a new file must still be theirs, as SQLite
    # does for its journals: a root-owned store would lock its owner out.
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    try:
        parent = os.stat(path.parent)
        if parent.st_uid != 0:
            os.chown(path, parent.st_uid, parent.st_gid)
    except OSError:
        pass


_shared: dict[Path, ReviewStore] = {}
_shared_lock = threading.Lock()


def shared_store() -> ReviewStore:
    """The default store, opened once per process and path and kept open.

    Notebook helpers (quiz, stats) use it so that re-running a cell does not open one more
    connection each time. ``BPCOURSE_HOME`` is read on every call. A store whose file was
    moved or deleted meanwhile is replaced by a new one at the path (a run of the cell after
    the quiz said so), except in WAL mode, where only a restart is safe.
    """
    path = default_store_path()
    with _shared_lock:
        store = _shared.get(path)
        stale = store is not None and store.journal_mode != "wal" and store.moved()
        if store is None or store.closed or stale:
            if store is not None and not store.closed:
                store.close()
            store = _shared[path] = ReviewStore(path)
        return store


def _values(review: Review) -> tuple[str, int, int, int, int | None, str | None, int | None]:
    """A review as the values of ``INSERT_REVIEW``."""
    return (review.card_id, review.rating, to_micros(review.reviewed_at), int(review.practice),
            review.seed, review.answer,
            None if review.correct is None else int(review.correct))


def _checked(card_id: object, rating: object, when: object, practice: object,
             seed: object = None, answer: object = None, correct: object = None) -> Review:
    if not isinstance(card_id, str) or not card_id:
        raise ValueError(f"card_id must be a non-empty string, got {card_id!r}")
    if not isinstance(practice, bool):
        raise ValueError(f"practice must be True or False, got {practice!r}")
    now = datetime.now(timezone.utc)
    when = now if when is None else check_utc(when, "when")
    if when > now + MAX_CLOCK_SKEW:
        raise ValueError(
            f"when is {when.isoformat()}, later than now ({now.isoformat(timespec='seconds')}) "
            f"plus {MAX_CLOCK_SKEW}: a review cannot come from the future (is the clock right?)"
        )
    if when < EARLIEST_REVIEW:
        raise ValueError(f"when is {when.isoformat()}, before 1970: not a review's time")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not 0 <= seed < 2 ** 63):
        raise ValueError(f"seed must be a whole number from 0 to 2**63 - 1, got {seed!r}")
    if answer is not None and not isinstance(answer, str):
        raise ValueError(f"answer must be text or None, got {answer!r}")
    if correct is not None and not isinstance(correct, bool):
        raise ValueError(f"correct must be True, False or None, got {correct!r}")
    if isinstance(answer, str):
        answer = answer[:MAX_ANSWER_CHARS]
    return Review(card_id, check_rating(rating), when, practice, seed=seed, answer=answer,
                  correct=correct)
