"""Sharing: what the summary holds, where it goes, and that nothing private leaks or breaks."""

import json
import os
import sqlite3
import stat
from datetime import datetime, timedelta, timezone

import pytest

from bpcourse.classroom import ProgressSummary, ShareError, build_summary, share
from bpcourse.classroom.class_folder import read_summary
from bpcourse.classroom.practice import answer_counts
from bpcourse.classroom.pseudonym import pseudonym_file
from bpcourse.flashcards.stats import deck_stats

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def history(store):
    """A hand-made log: a-one passed, missed, passed, then practised; a-two missed at its
    first review (not a lapse); b-one passed then missed; a-three and b-two never seen."""
    store.record("a-one", 4, ago(20))
    store.record("a-one", 2, ago(10))
    store.record("a-one", 4, ago(5))
    store.record("a-one", 5, ago(1), practice=True)
    store.record("a-two", 1, ago(3))
    store.record("b-one", 3, ago(2))
    store.record("b-one", 1, ago(1))
    return store


def test_cards_hold_scheduled_reviews_lapses_and_the_latest_rating(history, decks):
    summary = build_summary(history, "learner-0000abcd", decks=decks, now=NOW)
    cards = {c.card_id: c for c in summary.cards}
    assert set(cards) == {"a-one", "a-two", "b-one"}
    assert (cards["a-one"].reviews, cards["a-one"].lapses, cards["a-one"].last_rating) == (3, 1, 5)
    assert cards["a-one"].last_review == ago(1)
    assert (cards["a-two"].reviews, cards["a-two"].lapses, cards["a-two"].last_rating) == (1, 0, 1)
    assert (cards["b-one"].reviews, cards["b-one"].lapses, cards["b-one"].last_rating) == (2, 1, 1)
    assert cards["b-one"].deck == "beta"


def test_deck_counts_are_those_bpcourse_stats_shows(history, decks):
    summary = build_summary(history, "learner-0000abcd", decks=decks, now=NOW)
    expected = deck_stats(decks, history, now=NOW)
    for mine, theirs in zip(summary.decks, expected.decks, strict=True):
        assert (mine.deck, mine.cards, mine.new, mine.learning, mine.mature, mine.due) == (
            theirs.deck, theirs.cards, theirs.new, theirs.learning, theirs.mature,
            theirs.due_today)
        assert mine.retention == theirs.retention
        assert mine.retention_reviews == theirs.retention_reviews
    # And by hand: alpha's graded reviews in 30 days are a-one's 2 (missed) and 4 (passed).
    alpha = summary.decks[0]
    assert (alpha.retention, alpha.retention_reviews, alpha.new) == (0.5, 2, 1)


class OldStore:
    """A store as bpcourse versions before practice cards made it (no ``correct``)."""

    def __init__(self):
        self.conn = sqlite3.connect(":memory:")
        self.conn.execute("CREATE TABLE reviews (id INTEGER PRIMARY KEY, card_id TEXT, "
                          "rating INTEGER, reviewed_at INTEGER, practice INTEGER)")

    def read(self, work):
        return work(self.conn)


def test_practice_counts_are_none_where_the_store_records_no_correctness():
    assert answer_counts(OldStore()) is None


def test_practice_accuracy_counts_answers_whose_correctness_is_recorded(history, decks):
    conn = sqlite3.connect(history.path)
    with conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(reviews)")}
        if "correct" not in columns:  # a store of the version before practice cards
            conn.execute("ALTER TABLE reviews ADD COLUMN correct INTEGER")
        conn.execute("UPDATE reviews SET correct = 1 WHERE card_id = 'a-one' AND rating = 4")
        conn.execute("UPDATE reviews SET correct = 0 WHERE card_id = 'a-two'")
    conn.close()
    summary = build_summary(history, "learner-0000abcd", decks=decks, now=NOW)
    alpha, beta = summary.decks
    assert (alpha.practice_answers, alpha.practice_correct) == (3, 2)
    assert (beta.practice_answers, beta.practice_correct) == (0, 0)


def test_a_share_writes_a_readable_summary_named_by_a_stable_pseudonym(history, decks,
                                                                        class_dir):
    path, summary = share(class_dir, store=history, decks=decks, now=NOW)
    assert path == class_dir / f"{summary.pseudonym}.json"
    assert summary.name is None and summary.learner == summary.pseudonym
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert read_summary(path) == summary
    again, second = share(class_dir, "Ada Lovelace", store=history, decks=decks, now=NOW)
    assert again == path and second.learner == "Ada Lovelace"
    assert sorted(os.listdir(class_dir)) == [path.name]  # replaced, no temporary left
    assert pseudonym_file(history.path).read_text().strip() == summary.pseudonym


def test_the_store_stays_private_and_no_store_data_is_in_the_summary(history, decks,
                                                                     class_dir):
    path, _summary = share(class_dir, store=history, decks=decks, now=NOW)
    assert stat.S_IMODE(os.stat(history.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(pseudonym_file(history.path)).st_mode) == 0o600
    text = path.read_text()
    assert str(history.path.parent) not in text
    assert set(json.loads(text)) == {"kind", "version", "pseudonym", "name", "shared_at",
                                     "bpcourse", "scheduler", "decks", "cards"}


def test_umask_does_not_hide_the_summary_from_the_instructor(history, decks, class_dir):
    old = os.umask(0o077)
    try:
        path, _summary = share(class_dir, store=history, decks=decks, now=NOW)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644


def test_a_failed_share_leaves_the_previous_summary_whole(history, decks, class_dir,
                                                          monkeypatch):
    path, first = share(class_dir, store=history, decks=decks, now=NOW)
    before = path.read_bytes()
    history.record("a-three", 4, ago(0.5))

    def disk_full(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("bpcourse.classroom.sharing.os.fsync", disk_full)
    with pytest.raises(ShareError, match="No space left on device"):
        share(class_dir, store=history, decks=decks, now=NOW)
    assert path.read_bytes() == before
    assert os.listdir(class_dir) == [path.name]


def test_resharing_replaces_the_file_in_one_step(history, decks, class_dir):
    path, _first = share(class_dir, store=history, decks=decks, now=NOW)
    with open(path, "rb") as reader:  # the instructor's report, mid-read
        history.record("a-three", 4, ago(0.5))
        share(class_dir, store=history, decks=decks, now=NOW)
        old = ProgressSummary.from_dict(json.loads(reader.read()))
    new = read_summary(path)
    assert "a-three" not in {c.card_id for c in old.cards}
    assert "a-three" in {c.card_id for c in new.cards}


def test_a_link_in_the_class_folder_is_replaced_not_followed(history, decks, class_dir,
                                                             tmp_path):
    _path, summary = share(class_dir, store=history, decks=decks, now=NOW)
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    link = class_dir / summary.file_name
    link.unlink()
    link.symlink_to(victim)
    share(class_dir, store=history, decks=decks, now=NOW)
    assert victim.read_text() == "keep me"
    assert not link.is_symlink() and read_summary(link).pseudonym == summary.pseudonym


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "Eve\x1b[2J", "a\nb"])
def test_names_that_cannot_be_shown_are_refused_before_anything_is_written(
        history, decks, class_dir, name):
    if not name.strip() or "\n" in name:
        # Blank is refused; a line break is folded into a space, so it is accepted.
        if "\n" in name:
            _path, summary = share(class_dir, name, store=history, decks=decks, now=NOW)
            assert summary.name == "a b"
            return
    with pytest.raises(ShareError, match="the name"):
        share(class_dir, name, store=history, decks=decks, now=NOW)
    assert os.listdir(class_dir) == []


def test_a_missing_class_folder_is_named_in_the_error(history, decks, tmp_path):
    with pytest.raises(ShareError, match="no such folder"):
        share(tmp_path / "nope", store=history, decks=decks, now=NOW)


def test_no_folder_and_no_class_dir_variable_says_what_to_give(history, monkeypatch):
    monkeypatch.delenv("BPCOURSE_CLASS_DIR", raising=False)
    with pytest.raises(ShareError, match="BPCOURSE_CLASS_DIR"):
        share(None, store=history)


def test_the_class_dir_variable_is_the_default_folder(history, decks, class_dir, monkeypatch):
    monkeypatch.setenv("BPCOURSE_CLASS_DIR", str(class_dir))
    path, _summary = share(store=history, decks=decks, now=NOW)
    assert path.parent == class_dir


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_the_learner_cannot_write_is_refused(history, decks, class_dir):
    class_dir.chmod(0o555)
    try:
        with pytest.raises(ShareError, match="cannot write"):
            share(class_dir, store=history, decks=decks, now=NOW)
    finally:
        class_dir.chmod(0o755)


def test_a_damaged_pseudonym_file_is_reported_not_replaced(history, decks, class_dir):
    pseudonym_file(history.path).write_text("not a pseudonym")
    with pytest.raises(ShareError, match="not a pseudonym"):
        share(class_dir, store=history, decks=decks, now=NOW)
    assert pseudonym_file(history.path).read_text() == "not a pseudonym"
