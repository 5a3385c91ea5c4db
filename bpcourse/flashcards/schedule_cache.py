"""The schedule cache: each card's derived schedule state, kept in the store's file.

Replaying 200,000 reviews through FSRS takes seconds, so ``progress.load_progress`` keeps
the states it derives, per scheduler (``scheduler.key``), with the largest log row id they
cover (tables ``schedule_cache`` and ``schedule_cache_position``, created by the store's
migration 2). The log is append-only, so rows with larger ids are all a cache lacks; should
a row ever be changed or deleted (by hand), the store's triggers drop every cache's
position, which forces a rebuild.

A cached card keeps its due date, first and last review as plain columns and the
scheduler's full state as JSON, decoded only for the cards that need it (the one being
answered): building today's queue for 10,000 cards then costs milliseconds, not a second.

The log is the truth and the cache only saves time: it can always be rebuilt, and it is
when it is damaged (tables dropped by hand, rows that cannot be read). A store that can only
be read (another account's) is never written: its cache is used if it has one, and the
states are derived afresh if not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from .store import ROW, Review, ReviewStore, StoreError, repair_schema

BY_CARD = "ORDER BY card_id, reviewed_at, id"


@dataclass(frozen=True)
class CachedCard:
    """One card's cached derived state: the times as integer microseconds, the scheduler's
    state as JSON (decoded only when needed)."""

    card_id: str
    due_us: int
    first_us: int
    last_us: int
    reviews: int
    state_json: str


@dataclass(frozen=True)
class CacheSnapshot:
    """One consistent read: the log's largest row id, a scheduler's cache (None: no cache)
    with the largest row id it covers, and the reviews logged since, by card and time."""

    log_max_id: int
    cached_max_id: int | None
    cards: list[CachedCard]
    new_reviews: list[Review]


def full_log(store: ReviewStore) -> tuple[int, list[Review]]:
    """The log's largest row id and every review, ordered by card and time, in one read."""

    def read(conn: sqlite3.Connection) -> tuple[int, list[tuple]]:
        rows = conn.execute(f"SELECT {ROW} FROM reviews {BY_CARD}").fetchall()
        return _max_id(conn), rows

    log_max_id, rows = store.read(read)
    return log_max_id, store.readable(rows)


def snapshot(store: ReviewStore, scheduler_key: str) -> CacheSnapshot:
    """The cached states of one scheduler and the reviews logged since, in one read."""

    def read(conn: sqlite3.Connection) -> tuple[int, int | None, list[CachedCard], list[tuple]]:
        log_max_id = _max_id(conn)
        cached_max_id = _cached_max_id(conn, scheduler_key) if _has_tables(conn) else None
        if cached_max_id is None:
            return log_max_id, None, [], []
        cards = [
            CachedCard(*row) for row in conn.execute(
                "SELECT card_id, due, first_review, last_review, reviews, state"
                " FROM schedule_cache WHERE scheduler = ?",
                (scheduler_key,),
            )
        ]
        rows = conn.execute(
            f"SELECT {ROW} FROM reviews WHERE id > ? {BY_CARD}", (cached_max_id,)
        ).fetchall()
        return log_max_id, cached_max_id, cards, rows

    log_max_id, cached_max_id, cards, rows = store.read(read)
    return CacheSnapshot(log_max_id, cached_max_id, cards, store.readable(rows))


def save(
    store: ReviewStore,
    scheduler_key: str,
    based_on: int | None,
    log_max_id: int,
    cards: Iterable[CachedCard],
    replace_all: bool,
) -> bool:
    """Store derived states covering the log up to row ``log_max_id``.

    An update (``replace_all=False``) is written only if the cache is still the one it
    was computed from (covering up to ``based_on``), a rebuild only if the cache is
    older than it: two processes updating at once cannot mix their results. Returns
    whether it was written.
    """
    rows = [
        (scheduler_key, c.card_id, c.due_us, c.first_us, c.last_us, c.reviews, c.state_json)
        for c in cards
    ]

    def write(conn: sqlite3.Connection) -> bool:
        repair_schema(conn)  # tables dropped by hand come back (empty, every position dropped)
        current = _cached_max_id(conn, scheduler_key)
        if replace_all:
            if current is not None and current >= log_max_id:
                return False
            conn.execute("DELETE FROM schedule_cache WHERE scheduler = ?", (scheduler_key,))
        elif current != based_on:
            return False
        conn.executemany("INSERT OR REPLACE INTO schedule_cache VALUES (?,?,?,?,?,?,?)", rows)
        conn.execute(
            "INSERT OR REPLACE INTO schedule_cache_position VALUES (?,?)",
            (scheduler_key, log_max_id),
        )
        return True

    return store.write(write, "the schedule cache was not updated")


def save_unless_busy(
    store: ReviewStore,
    scheduler_key: str,
    based_on: int | None,
    log_max_id: int,
    cards: Iterable[CachedCard],
    replace_all: bool,
) -> bool:
    """``save``, skipped (False) if it cannot be written: the store is read-only here, or
    another program keeps it busy past its timeout, or the disk is full.

    The states were computed all the same and are right; the next load brings the cache
    up to date. A learner must not see an error for a cache that only saves time.
    """
    if not store.writable:
        return False
    try:
        return save(store, scheduler_key, based_on, log_max_id, cards, replace_all)
    except StoreError:
        return False


def invalidate(store: ReviewStore, scheduler_key: str) -> None:
    """Drop a scheduler's cache position, so that the next load rebuilds it from the log
    (a cached row was found unreadable). Skipped when that cannot be written."""
    if not store.writable:
        return
    try:
        store.write(
            lambda conn: conn.execute(
                "DELETE FROM schedule_cache_position WHERE scheduler = ?", (scheduler_key,)
            ) if _has_tables(conn) else None,
            "the damaged schedule cache was not dropped",
        )
    except StoreError:
        pass


def _has_tables(conn: sqlite3.Connection) -> bool:
    return conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        " AND name IN ('schedule_cache', 'schedule_cache_position')"
    ).fetchone()[0] == 2


def _max_id(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(id), 0) FROM reviews").fetchone()[0]


def _cached_max_id(conn: sqlite3.Connection, scheduler_key: str) -> int | None:
    row = conn.execute(
        "SELECT log_max_id FROM schedule_cache_position WHERE scheduler = ?", (scheduler_key,)
    ).fetchone()
    return row[0] if row else None
