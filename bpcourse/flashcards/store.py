"""The review store: an append-only log of self-ratings in an SQLite file.

Rules that keep a learner's progress safe:

* Every ``record`` is its own transaction and is committed (``synchronous=FULL``: on disk,
  not only handed to the OS) before it returns, so a review the learner saw acknowledged
  survives a crash, a killed kernel or a power cut.
* WAL mode lets readers and one writer work at once; writers take the write lock up front
  (``BEGIN IMMEDIATE``) and wait for it (SQLite's busy timeout, plus our own retry with
  back-off for the few cases where SQLite reports "busy" without waiting). Two kernels, or
  a notebook and a terminal, can write at the same time without an error.
* The file is identified (SQLite header, then ``application_id``, ``user_version`` and
  tables through a read-only connection) before it is ever opened for writing. A corrupt or
  foreign file raises StoreError naming the file and what to do; it is never modified,
  overwritten or deleted, and neither are the -wal and -shm files of a foreign database.
* A store kept busy by another program for longer than ``timeout`` raises StoreError
  saying what was not saved, never SQLite's bare "database is locked".
* The schema has a version (``PRAGMA user_version``) and numbered migrations.

The log is the truth. The only other table is a cache of schedule states derived from it
(see ``schedule_cache.py``), which can always be rebuilt.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

from .days import check_utc
from .ratings import check_rating

APPLICATION_ID = 0x62706372  # "bpcr": marks the file as a bpcourse review store
STORE_FILENAME = "reviews.sqlite3"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)
SQLITE_HEADER = b"SQLite format 3\x00"

T = TypeVar("T")


def to_micros(when: datetime) -> int:
    """UTC datetime -> integer microseconds since 1970 (exact; sorts like the time)."""
    return (when - EPOCH) // MICROSECOND


def from_micros(micros: int) -> datetime:
    return EPOCH + micros * MICROSECOND


def default_store_path() -> Path:
    """``$BPCOURSE_HOME/reviews.sqlite3`` if BPCOURSE_HOME is set, else the user data dir."""
    home = os.environ.get("BPCOURSE_HOME")
    if home:
        return Path(home) / STORE_FILENAME
    import platformdirs

    return platformdirs.user_data_path("bpcourse", appauthor=False) / STORE_FILENAME


@dataclass(frozen=True)
class Review:
    """One logged self-rating. ``practice`` reviews never change the schedule."""

    card_id: str
    rating: int
    reviewed_at: datetime
    practice: bool = False
    id: int | None = None

    def to_dict(self) -> dict:
        """A JSON-ready dict (the time as an ISO 8601 string in UTC): a backup of the log,
        or reviews to move into another store with ``record_many``."""
        return {
            "card_id": self.card_id,
            "rating": self.rating,
            "reviewed_at": self.reviewed_at.isoformat(),
            "practice": self.practice,
            "id": self.id,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Review:
        """The inverse of ``to_dict``; checks the values as ``record`` does (ValueError)."""
        review = _checked(
            data["card_id"],
            data["rating"],
            datetime.fromisoformat(data["reviewed_at"]),
            data.get("practice", False),
        )
        return replace(review, id=data.get("id"))

    @classmethod
    def from_row(cls, row: tuple) -> Review:
        row_id, card_id, rating, micros, practice = row
        return cls(card_id, rating, from_micros(micros), bool(practice), row_id)


class StoreError(RuntimeError):
    """The file at the store's path cannot be used (corrupt, foreign, too new), or another
    program kept it busy for longer than the store's timeout."""


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
    conn.execute("CREATE INDEX reviews_by_card ON reviews (card_id, reviewed_at, id)")
    conn.execute("CREATE INDEX reviews_by_time ON reviews (reviewed_at)")


def _migration_2(conn: sqlite3.Connection) -> None:
    # Derived schedule states per scheduler, covering the log up to log_max_id. The log is
    # append-only, so rows with larger ids are all a cache lacks; should a row ever be
    # changed or deleted (by hand), the triggers drop every cache's position, forcing a
    # rebuild from the log.
    conn.execute(
        """CREATE TABLE schedule_cache (
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
        """CREATE TABLE schedule_cache_position (
               scheduler TEXT PRIMARY KEY,
               log_max_id INTEGER NOT NULL
           )"""
    )
    for event in ("UPDATE", "DELETE"):
        conn.execute(
            f"""CREATE TRIGGER reviews_{event.lower()} AFTER {event} ON reviews
                BEGIN DELETE FROM schedule_cache_position; END"""
        )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migration_1, _migration_2]
SCHEMA_VERSION = len(MIGRATIONS)

ROW = "id, card_id, rating, reviewed_at, practice"
INSERT_REVIEW = "INSERT INTO reviews (card_id, rating, reviewed_at, practice) VALUES (?,?,?,?)"


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class ReviewStore:
    """The learner's review log (see the module docstring for the guarantees).

    ``ReviewStore()`` opens the default store (``default_store_path()``); pass a path to
    use another file. ``timeout`` is how long, in seconds, a write waits for another
    process's write to finish before giving up.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, timeout: float = 60.0):
        self.path = Path(path) if path is not None else default_store_path()
        self.timeout = timeout
        if self._check_header():
            self._check_identity(*self._retry(self._identify_read_only, "it was not opened"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection per store; the lock keeps each transaction whole if a program
        # shares the store between threads.
        self._lock = threading.RLock()
        self.closed = False
        self._conn = sqlite3.connect(
            self.path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        try:
            self._open()
        except BaseException:
            self._conn.close()
            raise

    # -- opening -----------------------------------------------------------------------

    def _problem(self, what: str) -> StoreError:
        return StoreError(
            f"{self.path}: {what}. The file was left untouched. Move or rename it (keep it if "
            "it holds reviews you care about) and bpcourse will start a new store there, or "
            "set BPCOURSE_HOME to another directory."
        )

    def _check_header(self) -> bool:
        """Refuse files that are not SQLite before SQLite ever opens (and could write) them.
        Returns whether there is a database to identify (False: none yet, or empty)."""
        if self.path.is_dir():
            raise self._problem("is a directory, not a review store")
        if not self.path.exists() or self.path.stat().st_size == 0:
            return False
        with open(self.path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        if header != SQLITE_HEADER:
            raise self._problem("is not a bpcourse review store (not an SQLite database)")
        return True

    def _check_identity(self, app_id: int, version: int, tables: list[str]) -> None:
        """Refuse another program's database and a store of a newer schema."""
        if app_id != APPLICATION_ID and (app_id != 0 or tables):
            raise self._problem("is an SQLite database of another program, not a review store")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer bpcourse (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade bpcourse to use it. The file was left untouched."
            )

    def _open(self) -> None:
        # Identified again on this connection: the file may have been created (by another
        # bpcourse process, say) since the read-only look, and migrating needs the version.
        app_id, version, tables = self._retry(lambda: self._identify(self._conn),
                                              "it was not opened")
        self._check_identity(app_id, version, tables)
        self._retry(lambda: self._conn.execute("PRAGMA journal_mode=WAL").fetchone(),
                    "it was not opened")
        self._conn.execute("PRAGMA synchronous=FULL")
        if version < SCHEMA_VERSION:
            self.write(self._migrate, "it was not opened")

    def _identify_read_only(self) -> tuple[int, int, list[str]]:
        """Identify the file through a connection that cannot change it.

        Closing a read-write connection would checkpoint a pending -wal into the file (and
        delete the -wal and -shm), so a foreign database must never get one. ``mode=ro``
        stops SQLite writing the database and the -wal; ``readonly_shm=1`` (usable only when
        the -shm exists) stops it writing even its shared-memory index.
        """
        uri = self.path.absolute().as_uri() + "?mode=ro"
        if Path(f"{self.path}-shm").exists():
            uri += "&readonly_shm=1"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=self.timeout)
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise
            raise self._problem(f"cannot be opened ({exc})") from exc
        try:
            return self._identify(conn)
        finally:
            conn.close()

    def _identify(self, conn: sqlite3.Connection) -> tuple[int, int, list[str]]:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise
            raise self._problem(f"cannot be read as a review store ({exc})") from exc
        except sqlite3.DatabaseError as exc:
            raise self._problem(f"is corrupt ({exc})") from exc
        return app_id, version, tables

    def _migrate(self, conn: sqlite3.Connection) -> None:
        # Re-read inside the write transaction: another process may have migrated already.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[number - 1](conn)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- transactions ------------------------------------------------------------------

    def _retry(self, attempt: Callable[[], T], lost: str) -> T:
        """Run ``attempt`` until it is not refused with "database is locked"; when the
        timeout has passed, raise StoreError saying what was ``lost`` ("this rating was not
        saved")."""
        deadline = time.monotonic() + self.timeout
        pause = 0.005
        while True:
            try:
                return attempt()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"{self.path}: another program kept the review store busy for "
                        f"{self.timeout:g} s; {lost}. Close other bpcourse sessions and try "
                        "again."
                    ) from exc
            except sqlite3.DatabaseError as exc:
                if type(exc) is sqlite3.DatabaseError:  # "malformed", "not a database"
                    raise self._problem(f"is corrupt ({exc})") from exc
                raise
            # Jitter so that two waiting processes do not retry in lock-step.
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 0.2)

    def write(self, work: Callable[[sqlite3.Connection], T], lost: str) -> T:
        """Run ``work`` in one write transaction, committed before returning; ``lost`` says
        what is lost if another program keeps the store busy ("this rating was not saved")."""

        def attempt() -> T:
            with self._lock:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(self._conn)
                    self._conn.execute("COMMIT")
                    return result
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise

        return self._retry(attempt, lost)

    def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in one read transaction: a consistent snapshot in WAL mode."""

        def attempt() -> T:
            with self._lock:
                self._conn.execute("BEGIN")
                try:
                    return work(self._conn)
                finally:
                    self._conn.execute("COMMIT")

        return self._retry(attempt, "it could not be read")

    # -- the log -----------------------------------------------------------------------

    def record(
        self,
        card_id: str,
        rating: int,
        when: datetime | None = None,
        practice: bool = False,
    ) -> Review:
        """Append one review and commit it; returns it with its row id.

        ``rating`` must be an int from 1 to 5 and ``when`` (default: now) timezone-aware;
        anything else raises ValueError and nothing is stored.
        """
        review = _checked(card_id, rating, when, practice)
        row_id = self.write(
            lambda conn: conn.execute(INSERT_REVIEW, _values(review)).lastrowid,
            "this rating was not saved",
        )
        return replace(review, id=row_id)

    def record_many(self, reviews: Iterable[Review]) -> int:
        """Append many reviews in one transaction (imports, benchmarks); returns the count."""
        rows = [_values(_checked(r.card_id, r.rating, r.reviewed_at, r.practice))
                for r in reviews]
        self.write(lambda conn: conn.executemany(INSERT_REVIEW, rows),
                    "these reviews were not saved")
        return len(rows)

    def reviews(self, card_id: str | None = None, since: datetime | None = None) -> list[Review]:
        """The logged reviews, oldest first: all, or one card's, or those from ``since`` on."""
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
        rows = self.read(lambda conn: conn.execute(query, args).fetchall())
        return [Review.from_row(row) for row in rows]

    def __len__(self) -> int:
        return self.read(lambda conn: conn.execute("SELECT count(*) FROM reviews").fetchone()[0])

    # -- housekeeping ------------------------------------------------------------------

    def close(self) -> None:
        self._conn.close()
        self.closed = True

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ReviewStore({str(self.path)!r})"


_shared: dict[Path, ReviewStore] = {}
_shared_lock = threading.Lock()


def shared_store() -> ReviewStore:
    """The default store, opened once per process and path and kept open.

    Notebook helpers (quiz, stats) use it so that re-running a cell does not open one more
    connection each time. ``BPCOURSE_HOME`` is read on every call.
    """
    path = default_store_path()
    with _shared_lock:
        store = _shared.get(path)
        if store is None or store.closed:
            store = _shared[path] = ReviewStore(path)
        return store


def _values(review: Review) -> tuple:
    """A review as the values of ``INSERT_REVIEW``."""
    return (review.card_id, review.rating, to_micros(review.reviewed_at), int(review.practice))


def _checked(card_id: object, rating: object, when: datetime | None, practice: object) -> Review:
    if not isinstance(card_id, str) or not card_id:
        raise ValueError(f"card_id must be a non-empty string, got {card_id!r}")
    if not isinstance(practice, bool):
        raise ValueError(f"practice must be True or False, got {practice!r}")
    when = datetime.now(timezone.utc) if when is None else check_utc(when, "when")
    return Review(card_id, check_rating(rating), when, practice)
