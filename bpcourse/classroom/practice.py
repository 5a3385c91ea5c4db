"""Practice-card answers in a review store: how many were answered, and how many right.

Stores of bpcourse versions with practice cards record, for a review whose answer was
checked, whether it was right (a ``correct`` column in the log). Older stores have no such
column; for them ``answer_counts`` returns None, so a summary can say "not recorded"
rather than "0 answers". Read through the store's own read transaction, so it sees the same
kind of consistent snapshot as every other read and never changes the file.
"""

from __future__ import annotations

import sqlite3

from bpcourse.flashcards.store import ReviewStore

COLUMN = "correct"


def answer_counts(store: ReviewStore) -> dict[str, tuple[int, int]] | None:
    """Per card id, (answers with a recorded correctness, of which correct); None when the
    store records no correctness at all."""

    def read(conn: sqlite3.Connection) -> dict[str, tuple[int, int]] | None:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(reviews)")}
        if COLUMN not in columns:
            return None
        rows = conn.execute(
            f"SELECT card_id, count(*), sum({COLUMN} = 1) FROM reviews "
            f"WHERE {COLUMN} IS NOT NULL GROUP BY card_id").fetchall()
        return {card_id: (int(answers), int(correct or 0))
                for card_id, answers, correct in rows if isinstance(card_id, str)}

    return store.read(read)
