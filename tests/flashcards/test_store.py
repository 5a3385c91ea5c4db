"""The review store: durable, safe with several processes, never touches foreign files."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bpcourse.flashcards import Review, ReviewStore, StoreError
from bpcourse.flashcards.store import SCHEMA_VERSION, default_store_path

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def run_python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    """Start a Python process that can import bpcourse from this checkout."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args], env=env, text=True, **kwargs
    )


def test_record_and_read_back(tmp_path):
    with ReviewStore(tmp_path / "r.sqlite3") as store:
        first = store.record("a", 4, T0)
        store.record("b", 1, T0 + timedelta(minutes=1), practice=True)
        store.record("a", 5, T0 + timedelta(days=1))
        assert first == Review("a", 4, T0, False, first.id)
        assert [(r.card_id, r.rating, r.practice) for r in store.reviews()] == [
            ("a", 4, False), ("b", 1, True), ("a", 5, False)]
        assert [r.reviewed_at for r in store.reviews("a")] == [T0, T0 + timedelta(days=1)]
        assert store.reviews("a")[0].reviewed_at.tzinfo == timezone.utc
        assert [r.card_id for r in store.reviews(since=T0 + timedelta(seconds=1))] == ["b", "a"]
        assert len(store) == 3


def test_record_defaults_to_now_in_utc(tmp_path):
    with ReviewStore(tmp_path / "r.sqlite3") as store:
        before = datetime.now(timezone.utc)
        review = store.record("a", 3)
        assert before <= review.reviewed_at <= datetime.now(timezone.utc)
        paris = timezone(timedelta(hours=2))
        stored = store.record("a", 3, T0.astimezone(paris))
        assert store.reviews()[0].reviewed_at == T0 == stored.reviewed_at


@pytest.mark.parametrize("rating", [0, 6, 3.5, "3", None, True, False])
def test_bad_ratings_raise_and_store_nothing(tmp_path, rating):
    with ReviewStore(tmp_path / "r.sqlite3") as store:
        with pytest.raises(ValueError, match="rating"):
            store.record("a", rating, T0)
        assert store.reviews() == []


@pytest.mark.parametrize(
    "card_id, when, practice",
    [("", T0, False), (None, T0, False), ("a", datetime(2024, 1, 1), False), ("a", T0, 1)],
)
def test_bad_arguments_raise_and_store_nothing(tmp_path, card_id, when, practice):
    with ReviewStore(tmp_path / "r.sqlite3") as store:
        with pytest.raises(ValueError):
            store.record(card_id, 4, when, practice=practice)
        assert store.reviews() == []


def test_file_is_one_file_with_schema_version_and_our_application_id(tmp_path):
    path = tmp_path / "r.sqlite3"
    ReviewStore(path).close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.sqlite3"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x62706372
    conn.close()


def test_migrates_a_version_1_store_keeping_its_reviews(tmp_path):
    path = tmp_path / "r.sqlite3"
    conn = sqlite3.connect(path)  # a store as the first schema version wrote it
    conn.executescript(
        """
        CREATE TABLE reviews (id INTEGER PRIMARY KEY AUTOINCREMENT, card_id TEXT NOT NULL,
            rating INTEGER NOT NULL, reviewed_at INTEGER NOT NULL,
            practice INTEGER NOT NULL DEFAULT 0);
        INSERT INTO reviews (card_id, rating, reviewed_at) VALUES ('a', 4, 1709283600000000);
        PRAGMA application_id = 1651532658;
        PRAGMA user_version = 1;
        """
    )
    conn.close()
    with ReviewStore(path) as store:
        assert store.reviews() == [Review("a", 4, T0, False, 1)]
        store.record("a", 5, T0 + timedelta(days=1))
        assert len(store) == 2
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_store_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "r.sqlite3"
    ReviewStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer bpcourse"):
        ReviewStore(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [b"this is my thesis, not a database\n" * 50, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["text-file", "corrupt-sqlite"],
)
def test_corrupt_file_raises_clear_error_and_is_left_untouched(tmp_path, content):
    path = tmp_path / "reviews.sqlite3"
    path.write_bytes(content)
    with pytest.raises(StoreError) as error:
        ReviewStore(path)
    message = str(error.value)
    assert str(path) in message and "Move or rename it" in message
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reviews.sqlite3"]  # no -wal, -shm


def test_foreign_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "reviews.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('bread')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program"):
        ReviewStore(path)
    assert path.read_bytes() == before


FOREIGN_WAL_WRITER = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("CREATE TABLE recipes (name TEXT)")
conn.commit()
conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
conn.execute("INSERT INTO recipes VALUES ('bread')")
conn.commit()
os._exit(0)  # gone without closing: its last commit is only in the -wal
"""


def test_foreign_wal_database_with_pending_wal_is_refused_untouched(tmp_path):
    path = tmp_path / "reviews.sqlite3"
    assert run_python(FOREIGN_WAL_WRITER, str(path)).wait(timeout=60) == 0
    files = [path, tmp_path / "reviews.sqlite3-wal", tmp_path / "reviews.sqlite3-shm"]
    before = [f.read_bytes() for f in files]
    assert len(before[1]) > 0  # the fixture really has a pending -wal
    with pytest.raises(StoreError, match="another program"):
        ReviewStore(path)
    # A read-write connection would have checkpointed the -wal into the file on closing
    # and deleted the -wal and -shm.
    assert [f.read_bytes() for f in files] == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f.name for f in files)
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    assert conn.execute("SELECT name FROM recipes").fetchall() == [("bread",)]
    conn.close()


def test_store_kept_busy_past_the_timeout_says_so_and_saves_nothing(tmp_path):
    path = tmp_path / "r.sqlite3"
    with ReviewStore(path, timeout=0.5) as store:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            with pytest.raises(StoreError) as error:
                store.record("a", 4, T0)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert str(error.value) == (
            f"{path}: another program kept the review store busy for 0.5 s; this rating was "
            "not saved. Close other bpcourse sessions and try again.")
        assert isinstance(error.value.__cause__, sqlite3.OperationalError)
        assert store.reviews() == []
        store.record("a", 4, T0)  # the lock is gone: the store works again
        assert len(store) == 1


def test_review_to_dict_from_dict_round_trip_through_json(tmp_path):
    with ReviewStore(tmp_path / "a.sqlite3") as store:
        store.record("a", 4, T0)
        store.record("b", 1, T0 + timedelta(microseconds=1), practice=True)
        log = store.reviews()
    backup = json.loads(json.dumps([r.to_dict() for r in log]))
    assert backup[1] == {"card_id": "b", "rating": 1, "reviewed_at":
                         "2024-03-01T09:00:00.000001+00:00", "practice": True, "id": 2,
                         "seed": None, "answer": None, "correct": None}
    restored = [Review.from_dict(d) for d in backup]
    assert restored == log
    with ReviewStore(tmp_path / "b.sqlite3") as other:  # moving a log to another store
        assert other.record_many(restored) == 2
        assert other.reviews() == log


@pytest.mark.parametrize("change, match", [
    ({"rating": "3"}, "rating"),
    ({"rating": 6}, "rating"),
    ({"reviewed_at": "2024-03-01T09:00:00"}, "timezone"),
    ({"practice": "yes"}, "practice"),
    ({"card_id": ""}, "card_id"),
])
def test_review_from_dict_checks_values_as_record_does(change, match):
    data = {**Review("a", 4, T0).to_dict(), **change}
    with pytest.raises(ValueError, match=match):
        Review.from_dict(data)


def test_default_path_follows_bpcourse_home(tmp_path, monkeypatch):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path / "home"))
    assert default_store_path() == tmp_path / "home" / "reviews.sqlite3"
    with ReviewStore() as store:
        store.record("a", 4, T0)
    assert (tmp_path / "home" / "reviews.sqlite3").exists()


def test_test_runs_never_use_the_real_data_dir():
    # conftest.py points BPCOURSE_HOME at a temporary directory for the whole run.
    import platformdirs

    assert "BPCOURSE_HOME" in os.environ
    assert default_store_path().parent != platformdirs.user_data_path("bpcourse")


def test_reviews_persist_across_processes(tmp_path):
    path = tmp_path / "r.sqlite3"
    writer = run_python(
        """
        import sys
        from datetime import datetime, timezone
        from bpcourse.flashcards import ReviewStore
        store = ReviewStore(sys.argv[1])
        store.record("a", 4, datetime(2024, 3, 1, 9, tzinfo=timezone.utc))
        store.record("b", 2, datetime(2024, 3, 1, 10, tzinfo=timezone.utc), practice=True)
        """,
        str(path),
    )
    assert writer.wait(timeout=60) == 0
    with ReviewStore(path) as store:
        assert [(r.card_id, r.rating, r.practice, r.reviewed_at.hour) for r in store.reviews()] == [
            ("a", 4, False, 9), ("b", 2, True, 10)]


WRITER = """
import sys
from bpcourse.flashcards import ReviewStore
store = ReviewStore(sys.argv[1])
name, count = sys.argv[2], int(sys.argv[3])
for i in range(count):
    review = store.record(f"{name}-{i}", 1 + i % 5)
    print(review.id, flush=True)  # acknowledged: committed before record() returned
"""


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "r.sqlite3"
    writers = [
        run_python(WRITER, str(path), name, "300", stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)
        for name in ("left", "right")
    ]
    results = [w.communicate(timeout=120) for w in writers]
    for writer, (_out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err
        assert "locked" not in err
    with ReviewStore(path) as store:
        reviews = store.reviews()
    assert len(reviews) == 600
    for name in ("left", "right"):
        assert {r.card_id for r in reviews if r.card_id.startswith(name)} == {
            f"{name}-{i}" for i in range(300)}


def test_killed_writer_loses_no_acknowledged_review(tmp_path):
    path = tmp_path / "r.sqlite3"
    writer = run_python(WRITER, str(path), "k", "100000", stdout=subprocess.PIPE)
    acknowledged = []
    for line in writer.stdout:
        acknowledged.append(int(line))
        if len(acknowledged) == 150:
            break
    os.kill(writer.pid, signal.SIGKILL)  # mid-run: it is writing the next reviews
    writer.wait(timeout=30)
    writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {row[0] for row in conn.execute("SELECT id FROM reviews")}
    conn.close()
    assert set(acknowledged) <= stored
    with ReviewStore(path) as store:  # and the store opens and works normally afterwards
        store.record("after", 5)
        assert store.reviews("after")[0].rating == 5
