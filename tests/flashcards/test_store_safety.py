"""The review store under everyday accidents, in one process: copies and moves while open,
backup and restore, interrupts, a store being created, poisoned rows, privacy, the journal
mode, BPCOURSE_HOME, and faults that must give a clear error instead of a traceback."""

import os
import shutil
import signal
import sqlite3
import stat
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flashcard_helpers import ids_in

from bpcourse.flashcards import FSRS, ReviewStore, StoreError, load_progress
from bpcourse.flashcards import store as store_module
from bpcourse.flashcards.cli import main
from bpcourse.flashcards.deck import Card
from bpcourse.flashcards.session import ReviewSession
from bpcourse.flashcards.stats import deck_stats
from bpcourse.flashcards.store import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    default_store_path,
    filesystem_type,
    shared_store,
)

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)
# Where a save's transactions are: interrupts are raised at the lines of these files.
TRANSACTION_FILES = tuple(str(Path(store_module.__file__).with_name(name))
                          for name in ("store.py", "schedule_cache.py"))
NOT_ROOT = pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root ignores file permissions; test_store_processes.py runs this as another "
           "account",
)


def plain_copy(path: Path, folder: Path) -> Path:
    """``cp reviews.sqlite3 folder/``: the file alone, without any -wal or -shm."""
    folder.mkdir()
    return Path(shutil.copy(path, folder / "copy.sqlite3"))


# -- 1. copies, moves and replacements while a notebook has the store open -------------------


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_plain_copy_after_an_acknowledged_rating_holds_it(tmp_path, monkeypatch, journal):
    monkeypatch.setenv("BPCOURSE_JOURNAL", journal)
    with ReviewStore(tmp_path / "reviews.sqlite3") as store:  # a kernel keeps it open
        acknowledged = {store.record(f"c{i}", 4, T0).id for i in range(3)}
        copy = plain_copy(store.path, tmp_path / "backup")
        assert ids_in(copy) == acknowledged
        store.record("later", 5, T0)
        assert store.journal_mode == journal


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_a_save_to_a_moved_store_fails_clearly_and_is_never_acknowledged(
        tmp_path, monkeypatch, journal):
    monkeypatch.setenv("BPCOURSE_JOURNAL", journal)
    path, moved = tmp_path / "reviews.sqlite3", tmp_path / "moved.sqlite3"
    store = ReviewStore(path)
    first = store.record("a", 4, T0)
    os.rename(path, moved)  # what the old StoreError advice said to do
    with pytest.raises(StoreError, match="moved or deleted.*this rating was not saved"):
        store.record("b", 4, T0)
    with pytest.raises(StoreError, match="moved or deleted"):
        store.reviews()
    assert not path.exists()  # the failed save created nothing at the path
    assert ids_in(moved) == {first.id}  # and the moved file holds everything acknowledged
    if journal == "delete":
        os.rename(moved, path)  # put back: the same store goes on
        second = store.record("c", 4, T0)
        assert ids_in(path) == {first.id, second.id}
    store.close()


def test_a_store_replaced_under_an_open_store_gets_the_next_save(tmp_path):
    path = tmp_path / "reviews.sqlite3"
    store = ReviewStore(path)
    store.record("old", 4, T0)
    with ReviewStore(tmp_path / "other.sqlite3") as other:
        other.record("restored", 3, T0)
    os.replace(tmp_path / "other.sqlite3", path)  # `cp backup reviews.sqlite3` done by mv
    review = store.record("new", 5, T0)
    assert [r.card_id for r in store.reviews()] == ["restored", "new"]
    with ReviewStore(path) as fresh:
        assert [(r.card_id, r.id) for r in fresh.reviews()] == [("restored", 1),
                                                                 ("new", review.id)]
    store.close()


def test_shared_store_starts_a_new_store_after_its_file_was_deleted(tmp_path, monkeypatch):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    store = shared_store()
    store.record("a", 4, T0)
    os.unlink(store.path)
    with pytest.raises(StoreError, match="run the cell again"):
        store.record("b", 4, T0)
    again = shared_store()  # the learner runs the quiz cell again
    assert again is not store
    again.record("c", 4, T0)
    assert [r.card_id for r in again.reviews()] == ["c"]
    again.close()


# -- 1. backup and restore -----------------------------------------------------------------


def test_backup_while_a_notebook_is_open_holds_every_review(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path / "home"))
    notebook = shared_store()
    acknowledged = {notebook.record(f"c{i}", 4, T0).id for i in range(5)}
    assert main(["backup", str(tmp_path / "backup.sqlite3")]) == 0
    assert "Backed up 5 reviews" in capsys.readouterr().out
    backup = tmp_path / "backup.sqlite3"
    assert ids_in(backup) == acknowledged
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.sqlite3", "home"]
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    notebook.record("after", 4, T0)  # the notebook goes on
    assert main(["backup", str(backup)]) == 0  # a backup over an older backup
    assert len(ids_in(backup)) == 6
    notebook.close()


@pytest.mark.parametrize("kind", ["text", "directory", "itself"])
def test_backup_refuses_to_overwrite_what_is_not_a_backup(tmp_path, monkeypatch, capsys, kind):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path / "home"))
    with ReviewStore() as store:
        store.record("a", 4, T0)
        target = {"text": tmp_path / "thesis.txt", "directory": tmp_path,
                  "itself": store.path}[kind]
    if kind == "text":
        target.write_text("my thesis")
    assert main(["backup", str(target)]) == 1
    err = capsys.readouterr().err
    assert str(target) in err and "Traceback" not in err
    if kind == "text":
        assert target.read_text() == "my thesis"


def test_restore_brings_back_a_backup_while_a_notebook_is_open(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path / "home"))
    notebook = shared_store()
    kept = {notebook.record(f"kept{i}", 4, T0).id for i in range(3)}
    load_progress(notebook, FSRS())  # a schedule cache to carry along
    assert main(["backup", str(tmp_path / "backup.sqlite3")]) == 0
    newer = notebook.record("after-backup", 2, T0).id
    capsys.readouterr()

    assert main(["restore", str(tmp_path / "backup.sqlite3")]) == 0
    out = capsys.readouterr().out
    assert "Restored 3 reviews" in out and "reviews-before-restore-" in out
    # The open notebook sees the restored log at its next read, and saves into it.
    assert {r.id for r in notebook.reviews()} == kept
    later = notebook.record("after-restore", 5, T0).id
    assert later > newer  # ids are never reused
    assert ids_in(notebook.path) == kept | {later}
    assert set(load_progress(notebook, FSRS())) == {"kept0", "kept1", "kept2", "after-restore"}
    # Nothing is lost: the reviews the restore replaced are in the safety copy.
    (safety,) = (tmp_path / "home").glob("reviews-before-restore-*.sqlite3")
    assert ids_in(safety) == kept | {newer}
    assert stat.S_IMODE(safety.stat().st_mode) == 0o600
    notebook.close()


def foreign_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()


def newer_store(path: Path) -> None:
    ReviewStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()


@pytest.mark.parametrize("make, reason", [
    (lambda p: p.write_text("my thesis\n" * 100), "not an SQLite database"),
    (lambda p: p.write_bytes(b""), "empty"),
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000), "cannot be read"),
    (foreign_database, "another program"),
    (newer_store, "newer bpcourse"),
    (lambda p: p.mkdir(), "not a file"),
    (lambda p: None, "does not exist"),
], ids=["text", "empty", "corrupt", "foreign", "newer", "directory", "missing"])
def test_restore_refuses_a_file_that_is_not_a_review_store(tmp_path, monkeypatch, capsys,
                                                            make, reason):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path / "home"))
    with ReviewStore() as store:
        acknowledged = {store.record("a", 4, T0).id}
    source = tmp_path / "backup.sqlite3"
    make(source)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["restore", str(source)]) == 1
    err = capsys.readouterr().err
    assert reason in err and "nothing was restored" in err and "Traceback" not in err
    assert ids_in(tmp_path / "home" / "reviews.sqlite3") == acknowledged
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no -journal, -wal, -shm
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == ["reviews.sqlite3"]


def test_restore_refuses_the_store_itself(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    with ReviewStore() as store:
        store.record("a", 4, T0)
    assert main(["restore", str(tmp_path / "reviews.sqlite3")]) == 1
    assert "is the review store itself" in capsys.readouterr().err
    assert len(ids_in(tmp_path / "reviews.sqlite3")) == 1


def test_restore_upgrades_a_backup_of_an_older_schema(tmp_path, monkeypatch):
    old = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(old)
    MIGRATIONS[0](conn)
    conn.execute("INSERT INTO reviews (card_id, rating, reviewed_at) VALUES ('a', 4, 1)")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with ReviewStore(tmp_path / "reviews.sqlite3") as store:
        count, safety = store.restore(old)
        assert (count, safety) == (1, None)
        assert [r.card_id for r in store.reviews()] == ["a"]
        assert load_progress(store, FSRS())["a"].reviews == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.sqlite3", "reviews.sqlite3"]


# -- 2. interrupts ----------------------------------------------------------------------------


def interrupted_at(lines: tuple[int, ...], action):
    """Run ``action`` with SIGINT raised at the given line events (counted from 1) of the
    store's code; returns (the number of line events, whether every interrupt was raised,
    the result or None if KeyboardInterrupt came out)."""
    count, fired = 0, []

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
            if count in lines:
                fired.append(count)
                signal.raise_signal(signal.SIGINT)
        return local

    def calls(frame, event, arg):
        return local if frame.f_code.co_filename in TRANSACTION_FILES else None

    # Put back whatever tracer was there (coverage's, under `make test`), not None.
    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        result = action()
    except KeyboardInterrupt:
        result = None
    finally:
        sys.settrace(previous)
    return count, len(fired) == len(lines), result


def lock_is_free(path: Path) -> bool:
    """Whether another connection can take the write lock at once."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


@pytest.mark.parametrize("action", ["record", "reviews", "record_many", "load_progress",
                                    "open"])
def test_an_interrupt_anywhere_in_a_save_leaves_the_store_working(tmp_path, action):
    """SIGINT at every line (and at every pair of nearby lines: Ctrl-C pressed twice) of a
    call: afterwards the same store object works, no lock is left behind for other
    programs, and every acknowledged review is there."""
    path = tmp_path / "reviews.sqlite3"
    store = ReviewStore(path, timeout=2)
    acknowledged: set[int] = set()
    opened = []

    def open_new_store():  # creating a store: folders, file, migration
        opened.append(tmp_path / f"new-{len(opened)}" / "reviews.sqlite3")
        ReviewStore(opened[-1], timeout=2).close()

    calls = {
        "open": open_new_store,
        "record": lambda: store.record("c", 3, T0),
        "reviews": store.reviews,
        "record_many": lambda: store.record_many(
            [store_module.Review("m", 4, T0)] * 3),
        "load_progress": lambda: load_progress(store, FSRS()),
    }
    lines, _fired, _result = interrupted_at((), calls[action])
    if action == "open":  # long (folders, file, migration): every third line
        plans = [(first,) for first in range(1, lines + 1, 3)]
    else:
        plans = [(first,) for first in range(1, lines + 1)]
        plans += [(first, first + 1) for first in range(1, lines, 2)]
    interrupted = 0
    for plan in plans:
        _lines, fired, result = interrupted_at(plan, calls[action])
        if not fired:
            continue
        interrupted += 1
        if action == "record" and result is not None:
            acknowledged.add(result.id)
        assert lock_is_free(path), f"lock left behind by an interrupt at lines {plan}"
        if action == "open" and opened[-1].exists():
            assert lock_is_free(opened[-1])
            ReviewStore(opened[-1], timeout=2).record("a", 4, T0)  # a new store is whole
        # The next call, on the same store object, shows that it still works.
    assert interrupted > 20
    acknowledged.add(store.record("check", 4, T0).id)
    assert acknowledged <= ids_in(path)
    store.close()


def test_an_interrupt_during_a_transaction_is_delivered_after_it(tmp_path):
    path = tmp_path / "reviews.sqlite3"
    store = ReviewStore(path)

    def work(conn):
        conn.execute(store_module.INSERT_REVIEW, ("a", 4, 1, 0, None, None, None))
        signal.raise_signal(signal.SIGINT)  # Ctrl-C in the middle of the save
        return "done"

    with pytest.raises(KeyboardInterrupt):
        store.write(work, "this rating was not saved")
    assert [r.card_id for r in store.reviews()] == ["a"]  # the save was finished first
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert lock_is_free(path)
    store.close()


HALF_SAVED = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 1")  # so that pages reach the file before the commit
conn.execute("BEGIN IMMEDIATE")
conn.executemany("INSERT INTO reviews (card_id, rating, reviewed_at) VALUES (?, 4, 1)",
                 [(f"half{i}" * 50,) for i in range(300)])
os._exit(0)  # killed in the middle of the save: a "hot" journal is left behind
"""


def test_a_store_left_mid_save_is_recovered_by_its_owner(tmp_path, monkeypatch):
    path = tmp_path / "reviews.sqlite3"
    with ReviewStore(path) as store:
        kept = store.record("a", 4, T0).id
    import subprocess
    subprocess.run([sys.executable, "-c", HALF_SAVED, str(path)], check=True, timeout=60)
    assert Path(f"{path}-journal").exists()
    with monkeypatch.context() as patch:  # an account that cannot write it says why
        patch.setattr(os, "access", lambda p, mode, **kw: not mode & os.W_OK)
        with pytest.raises(StoreError, match="save was interrupted.*owner"):
            ReviewStore(path)
    with ReviewStore(path) as store:  # the owner: the half save is rolled back
        assert [r.id for r in store.reviews()] == [kept]
        store.record("b", 4, T0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reviews.sqlite3"]


# -- 3. a store being created ---------------------------------------------------------------


def test_a_store_created_by_another_process_while_it_is_identified_is_not_foreign(
        tmp_path, monkeypatch):
    """Another process migrates the new store between two statements of the
    identification: read in one transaction, it is seen either empty or complete."""
    path = tmp_path / "reviews.sqlite3"
    real_connect = sqlite3.connect
    intruded = []

    def intrude(statement: str) -> None:
        if "user_version" in statement and not intruded:
            intruded.append(True)
            other = real_connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                for migration in MIGRATIONS:
                    migration(other)
                other.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                other.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                other.execute("COMMIT")
            except sqlite3.OperationalError:
                pass  # kept out by the identification's read transaction
            finally:
                other.close()

    def connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(intrude)
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    with ReviewStore(path) as store:
        store.record("a", 4, T0)
    assert intruded


# -- 5. a poisoned log ----------------------------------------------------------------------


@pytest.mark.parametrize("when", [
    datetime(9999, 12, 31, tzinfo=timezone.utc),
    datetime.now(timezone.utc) + timedelta(hours=1),
])
def test_record_refuses_a_time_in_the_future(tmp_path, when):
    with ReviewStore(tmp_path / "r.sqlite3") as store:
        with pytest.raises(ValueError, match="future"):
            store.record("a", 4, when)
        with pytest.raises(ValueError, match="future"):
            store.record_many([store_module.Review("a", 4, when)])
        with pytest.raises(ValueError, match="future"):
            store_module.Review.from_dict(store_module.Review("a", 4, when).to_dict())
        assert store.reviews() == []
        store.record("a", 4, datetime.now(timezone.utc) + timedelta(seconds=30))  # skew


def poison(path: Path) -> None:
    """Rows that ``record`` would never write, put there by hand (or an old bug)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    year_9999 = store_module.to_micros(datetime(9999, 12, 31, tzinfo=timezone.utc))
    conn.executemany("INSERT INTO reviews (card_id, rating, reviewed_at, practice) "
                     "VALUES (?,?,?,?)", [
                         ("c1", 4, year_9999, 0),
                         ("c1", 9, 1709283600000000, 0),
                         ("c2", 4, "yesterday", 0),
                         ("", 4, 1709283600000000, 0),
                         ("c2", 4, 1709283600000000, 7),
                         ("c3", 4, 10 ** 18, 0),
                     ])
    conn.commit()
    conn.close()


def test_a_poisoned_log_still_loads_everything_else(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    path = tmp_path / "reviews.sqlite3"
    decks = [Card(f"c{i}", "front", "back", deck="d") for i in range(4)]
    with ReviewStore(path) as store:
        good = {store.record(card.id, 4, T0).id for card in decks}
    poison(path)
    with ReviewStore(path) as store:
        with pytest.warns(store_module.StoreWarning, match="6 row.*skipped"):
            progress = load_progress(store, FSRS())
        assert set(progress) == {"c0", "c1", "c2", "c3"}
        assert all(p.reviews == 1 for p in progress.values())
        assert {r.id for r in store.reviews()} == good
        session = ReviewSession(decks, store, now=T0 + timedelta(days=30))
        session.answer(4)
    assert main(["stats"]) == 0  # a warning, then the table
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "cannot be a review" in captured.err
    assert "retention" in captured.out
    with ReviewStore(path) as store, pytest.warns(store_module.StoreWarning):
        assert deck_stats(["backprop-essentials"], store=store).total.cards > 0


def test_a_damaged_schedule_cache_is_rebuilt(tmp_path):
    path = tmp_path / "reviews.sqlite3"
    with ReviewStore(path) as store:
        for i in range(3):
            store.record(f"c{i}", 4, T0 + timedelta(days=i))
        right = load_progress(store, FSRS())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schedule_cache SET state = '{not json' WHERE card_id = 'c0'")
    conn.commit()
    conn.close()
    with ReviewStore(path) as store:
        progress = load_progress(store, FSRS())
        assert progress["c0"].state == right["c0"].state  # derived again from the log
        assert progress == right
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schedule_cache SET due = 'soon'")
    conn.commit()
    conn.close()
    with ReviewStore(path) as store:
        assert load_progress(store, FSRS()) == right
        assert load_progress(store, FSRS()) == right  # and the cache was written anew


@pytest.mark.parametrize("table", ["schedule_cache", "schedule_cache_position"])
def test_a_dropped_cache_table_comes_back(tmp_path, table):
    path = tmp_path / "reviews.sqlite3"
    with ReviewStore(path) as store:
        store.record("a", 4, T0)
        right = load_progress(store, FSRS())
        conn = sqlite3.connect(path)
        conn.execute(f"DROP TABLE {table}")  # while the store is open
        conn.commit()
        conn.close()
        assert load_progress(store, FSRS()) == right
    with ReviewStore(path) as store:
        assert load_progress(store, FSRS()) == right
    conn = sqlite3.connect(path)
    assert table in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()


def test_a_store_whose_log_table_was_dropped_is_refused_clearly(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    with ReviewStore() as store:
        store.record("a", 4, T0)
    conn = sqlite3.connect(tmp_path / "reviews.sqlite3")
    conn.execute("DROP TABLE reviews")
    conn.commit()
    conn.close()
    assert main(["stats"]) == 1
    err = capsys.readouterr().err
    assert "reviews table is missing" in err and "left untouched" in err
    assert "Traceback" not in err


# -- 6. privacy -------------------------------------------------------------------------------


def test_a_new_store_and_its_folders_are_private(tmp_path, monkeypatch):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path / "course" / "progress"))
    with ReviewStore() as store:
        store.record("a", 4, T0)
    assert stat.S_IMODE((tmp_path / "course").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "course" / "progress").stat().st_mode) == 0o700
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_the_default_data_folder_is_made_private(tmp_path, monkeypatch):
    monkeypatch.delenv("BPCOURSE_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_store_path().parent == tmp_path / "data" / "bpcourse"
    (tmp_path / "data" / "bpcourse").mkdir(parents=True, mode=0o755)  # as older versions did
    os.chmod(tmp_path / "data" / "bpcourse", 0o755)
    with ReviewStore() as store:
        store.record("a", 4, T0)
    assert stat.S_IMODE((tmp_path / "data" / "bpcourse").stat().st_mode) == 0o700


# -- 8. journal mode and network filesystems --------------------------------------------------


MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:35 / /home rw,relatime shared:2 - nfs4 server:/export/home rw,vers=4.2
41 22 0:36 / /mnt/my\\040drive rw - fuse.sshfs me@host: rw
"""


def test_filesystem_type_reads_mountinfo():
    assert filesystem_type("/home/ada/.local/share", MOUNTINFO) == "nfs4"
    assert filesystem_type("/var/tmp", MOUNTINFO) == "ext4"
    assert filesystem_type("/mnt/my drive/x", MOUNTINFO) == "fuse.sshfs"
    assert store_module.is_network_filesystem("nfs4")
    assert store_module.is_network_filesystem("fuse.sshfs")
    assert not store_module.is_network_filesystem("ext4")


def test_wal_is_not_used_on_a_network_filesystem(tmp_path, monkeypatch):
    monkeypatch.setenv("BPCOURSE_JOURNAL", "wal")
    monkeypatch.setattr(store_module, "filesystem_type", lambda path: "nfs4")
    with pytest.warns(store_module.StoreWarning, match="network filesystem"):
        store = ReviewStore(tmp_path / "reviews.sqlite3")
    assert store.journal_mode == "delete"
    store.close()


def test_a_bad_bpcourse_journal_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    monkeypatch.setenv("BPCOURSE_JOURNAL", "memory")
    assert main(["stats"]) == 1
    assert "BPCOURSE_JOURNAL is 'memory'" in capsys.readouterr().err


def test_a_store_left_in_wal_mode_becomes_one_file(tmp_path, monkeypatch):
    path = tmp_path / "reviews.sqlite3"
    monkeypatch.setenv("BPCOURSE_JOURNAL", "wal")
    with ReviewStore(path) as store:
        store.record("a", 4, T0)
    monkeypatch.delenv("BPCOURSE_JOURNAL")
    with ReviewStore(path) as store:
        assert store.journal_mode == "delete"
        assert [r.card_id for r in store.reviews()] == ["a"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reviews.sqlite3"]


# -- 9. BPCOURSE_HOME -------------------------------------------------------------------------


def test_bpcourse_home_expands_the_tilde(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("BPCOURSE_HOME", "~/progress")
    assert default_store_path() == tmp_path / "progress" / "reviews.sqlite3"
    with ReviewStore() as store:
        store.record("a", 4, T0)
    assert (tmp_path / "progress" / "reviews.sqlite3").exists()
    assert not Path("~").exists()


def test_a_relative_bpcourse_home_is_resolved_from_where_the_learner_started(
        tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "_homes", {})
    monkeypatch.setenv("BPCOURSE_HOME", "progress")
    monkeypatch.setenv("PWD", str(tmp_path))  # JupyterLab started in the course folder ...
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")  # ... runs its kernels in notebooks/
    assert default_store_path() == tmp_path / "progress" / "reviews.sqlite3"
    monkeypatch.delenv("PWD")
    monkeypatch.chdir(tmp_path)
    assert default_store_path() == tmp_path / "progress" / "reviews.sqlite3"  # once


def test_a_dangling_symlink_at_the_store_path_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    (tmp_path / "reviews.sqlite3").symlink_to(tmp_path / "elsewhere" / "gone.sqlite3")
    assert main(["stats"]) == 1
    err = capsys.readouterr().err
    assert "symbolic link" in err and "does not exist" in err and "Traceback" not in err
    assert not (tmp_path / "elsewhere").exists()
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(StoreError, match="dangling"):
        ReviewStore()
    assert list((tmp_path / "elsewhere").iterdir()) == []


# -- 10. clear errors instead of tracebacks ---------------------------------------------------


def make_home_a_file(home: Path) -> None:
    home.write_text("not a folder")


def make_symlink_loop(home: Path) -> None:
    home.mkdir()
    (home / "reviews.sqlite3").symlink_to(home / "reviews.sqlite3")


@pytest.mark.parametrize("make, message", [
    (make_home_a_file, "is a file, not a directory"),
    (make_symlink_loop, "symbolic link"),
], ids=["home-is-a-file", "symlink-loop"])
@pytest.mark.parametrize("command", [["stats"], ["review"], ["backup", "b.sqlite3"]])
def test_an_unusable_home_is_a_clear_error(tmp_path, monkeypatch, capsys, make, message,
                                           command):
    home = tmp_path / "home"
    make(home)
    monkeypatch.setenv("BPCOURSE_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    assert main(command) == 1
    err = capsys.readouterr().err
    assert message in err and str(home) in err and "Traceback" not in err


@NOT_ROOT
def test_unwritable_and_unreadable_places_are_clear_errors(tmp_path, monkeypatch, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    monkeypatch.setenv("BPCOURSE_HOME", str(locked / "progress"))
    assert main(["stats"]) == 1
    assert "Permission denied" in capsys.readouterr().err
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    ReviewStore().close()
    os.chmod(tmp_path / "reviews.sqlite3", 0)
    assert main(["stats"]) == 1
    assert "Permission denied" in capsys.readouterr().err


def test_refused_stores_get_no_files_next_to_them(tmp_path, monkeypatch):
    path = tmp_path / "reviews.sqlite3"
    monkeypatch.setenv("BPCOURSE_JOURNAL", "wal")  # as older versions made every store
    newer_store(path)
    monkeypatch.delenv("BPCOURSE_JOURNAL")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reviews.sqlite3"]
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer bpcourse"):
        ReviewStore(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reviews.sqlite3"]
    assert path.read_bytes() == before


def test_a_read_only_store_can_be_read_and_refuses_saves_clearly(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: not mode & os.W_OK)
    path = tmp_path / "reviews.sqlite3"
    conn = sqlite3.connect(path)  # made by hand as an older version would, for the access
    MIGRATIONS[0](conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")  # an old schema that cannot be migrated here
    conn.execute("INSERT INTO reviews (card_id, rating, reviewed_at) VALUES ('a', 4, 1)")
    conn.commit()
    conn.close()
    with ReviewStore(path) as store:
        assert not store.writable
        assert [r.card_id for r in store.reviews()] == ["a"]
        assert set(load_progress(store, FSRS())) == {"a"}  # no cache, and none written
        with pytest.raises(StoreError, match="can only be read.*this rating was not saved"):
            store.record("b", 4, T0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reviews.sqlite3"]
