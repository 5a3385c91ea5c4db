"""The ``bpcourse`` command line: review, stats, export --anki, cards check."""

import functools
import io
import os
import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import genanki
import pytest

from bpcourse.flashcards import Limits, ReviewStore, cli, get_scheduler, load_deck, load_decks
from bpcourse.flashcards import deck as deck_module
from bpcourse.flashcards.anki import MODEL_ID, stable_id
from bpcourse.flashcards.cli import main
from bpcourse.flashcards.days import day_bounds
from bpcourse.flashcards.deck import DECK_NAMES
from bpcourse.flashcards.progress import load_progress
from bpcourse.flashcards.session import DeckByDeck

ROOT = Path(__file__).resolve().parents[2]
DECK = """\
deck: mini
title: Mini deck
cards:
  - id: m-one
    front: What is $z$?
    back: $$z = w x + b$$
  - id: m-two
    front: Second question
    back: Second answer
"""
THIRD_CARD = """\
  - id: m-three
    front: Third question
    back: Third answer
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def mini(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(DECK, encoding="utf-8")
    return path


def run_main(monkeypatch, args, typed=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    return main(args)


def stored(home):
    with ReviewStore(home / "reviews.sqlite3") as store:
        return [(r.card_id, r.rating, r.practice) for r in store.reviews()]


def test_review_enter_reveals_digits_rate_and_every_answer_is_saved(home, mini, monkeypatch,
                                                                      capsys):
    # card 1: Enter, then 2 (comes back); card 2: Enter, a typo, then 5; card 1: Enter, 4
    status = run_main(monkeypatch, ["review", str(mini)], "\n2\n\n7\n5\n\n4\n")
    out = capsys.readouterr().out
    assert status == 0
    assert stored(home) == [("m-one", 2, False), ("m-two", 5, False), ("m-one", 4, True)]
    assert "What is z?" in out and "\n    z = w x + b\n" in out  # maths as text, not TeX
    assert "1 Not at all (1 min)" in out and "4 Mostly (10 min)" in out  # FSRS, new card
    assert "Please type a number from 1 to 5" in out
    assert "[2 / 2 · 1 to repeat]" in out
    assert "3 answers saved on 2 cards" in out


def test_review_q_quits_and_keeps_what_was_answered(home, mini, monkeypatch, capsys):
    assert run_main(monkeypatch, ["review", str(mini)], "\n5\nq\n") == 0
    assert stored(home) == [("m-one", 5, False)]
    assert "1 answer saved" in capsys.readouterr().out


def test_review_end_of_input_is_a_quit(home, mini, monkeypatch):
    assert run_main(monkeypatch, ["review", str(mini)], "\n4\n\n") == 0
    assert stored(home) == [("m-one", 4, False)]


def test_review_with_nothing_due(home, mini, monkeypatch, capsys):
    run_main(monkeypatch, ["review", str(mini), "--scheduler", "sm2"], "\n5\n\n5\n")
    capsys.readouterr()
    assert run_main(monkeypatch, ["review", str(mini), "--scheduler", "sm2"]) == 0
    assert "Nothing is due right now. The next card is due in 1 d" in capsys.readouterr().out


def test_stats_prints_counts_and_draws_the_plot(home, mini, monkeypatch, capsys):
    run_main(monkeypatch, ["review", "chain-rule", "--limit", "2"], "\n5\n\n5\n")
    capsys.readouterr()
    plot = home / "stats.png"
    assert main(["stats", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    header, *rows = out.splitlines()
    assert header.split()[:4] == ["deck", "cards", "new", "learning"]
    chain = next(row.split() for row in rows if row.startswith("chain-rule"))
    cards = len(load_deck("chain-rule"))
    # cards, new, learning, mature, due today (FSRS "Easy" on a new card: days away)
    assert chain[1:6] == [str(cards), str(cards - 2), "2", "0", "0"]
    assert f"Plot written to {plot}" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def anki_notes(path):
    with zipfile.ZipFile(path) as package, package.open("collection.anki2") as collection:
        data = collection.read()
    copy = path.with_suffix(".anki2")
    copy.write_bytes(data)
    conn = sqlite3.connect(copy)
    notes = conn.execute("SELECT guid, mid, flds, tags FROM notes ORDER BY guid").fetchall()
    decks = conn.execute("SELECT decks FROM col").fetchone()[0]
    conn.close()
    return notes, decks


def test_export_anki_with_stable_guids_and_maths(home, mini, capsys, tmp_path):
    apkg = tmp_path / "out.apkg"
    assert main(["export", "--anki", str(apkg), str(mini)]) == 0
    assert f"Wrote 2 cards to {apkg}" in capsys.readouterr().out
    notes, decks = anki_notes(apkg)
    assert sorted(n[0] for n in notes) == sorted([genanki.guid_for("m-one"),
                                                  genanki.guid_for("m-two")])
    assert {n[1] for n in notes} == {MODEL_ID}
    fields = {n[2].split("\x1f")[2]: n[2].split("\x1f") for n in notes}
    assert fields["m-one"][0] == "<p>What is \\(z\\)?</p>"
    assert fields["m-one"][1] == "<p>\\[z = w x + b\\]</p>"
    assert "bpcourse::mini" in {n[3].strip() for n in notes}
    assert str(stable_id("bpcourse/deck/mini")) in decks and "Mini deck" in decks
    again = tmp_path / "again.apkg"
    main(["export", "--anki", str(again), str(mini)])
    assert [n[:3] for n in anki_notes(again)[0]] == [n[:3] for n in notes]  # re-export: same


def test_export_all_decks(home, tmp_path, capsys):
    apkg = tmp_path / "all.apkg"
    assert main(["export", "--anki", str(apkg)]) == 0
    notes, _decks = anki_notes(apkg)
    assert len(notes) == sum(len(load_deck(p)) for p in ROOT.joinpath("flashcards").glob("*.yaml"))


def test_cards_check(tmp_path, capsys, monkeypatch):
    assert main(["cards", "check"]) == 0
    assert "decks are valid" in capsys.readouterr().out
    broken = tmp_path / "decks"
    broken.mkdir()
    (broken / "oops.yaml").write_text("deck: oops\ntitle: Oops\ncards:\n  - id: o-1\n"
                                      "    front: Q?\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["cards", "check", "decks"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "decks/oops.yaml:4: card 'o-1': missing 'back'\n"
    assert "1 problem(s)" in captured.err


def test_cards_check_reads_each_file_once(monkeypatch, capsys):
    calls = []
    read = deck_module._read

    def counting_read(path, problems):
        calls.append(path.name)
        return read(path, problems)

    monkeypatch.setattr(deck_module, "_read", counting_read)
    assert main(["cards", "check"]) == 0
    assert sorted(calls) == sorted(f"{name}.yaml" for name in DECK_NAMES)
    assert f"All {len(DECK_NAMES)} decks are valid" in capsys.readouterr().out


def test_cards_check_of_a_missing_directory_is_a_message(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["cards", "check", "no-such-dir"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "no-such-dir:0: no such directory\n"
    assert "1 problem(s)" in captured.err


def test_export_into_a_missing_directory_is_a_message(home, mini, tmp_path, capsys):
    target = tmp_path / "no" / "dir" / "x.apkg"
    assert main(["export", "--anki", str(target), str(mini)]) == 1
    captured = capsys.readouterr()
    assert captured.err == (f"Cannot write {target}: there is no directory "
                            f"{tmp_path / 'no' / 'dir'}.\n")
    assert captured.out == "" and not (tmp_path / "no").exists()


def test_export_onto_a_directory_is_a_message(home, mini, tmp_path, capsys):
    target = tmp_path / "taken.apkg"
    target.mkdir()
    assert main(["export", "--anki", str(target), str(mini)]) == 1
    assert capsys.readouterr().err.startswith(f"Cannot write {target}: ")
    assert list(target.iterdir()) == []


def test_unknown_deck_is_an_error_not_a_traceback(home, capsys):
    assert main(["review", "no-such-deck"]) == 2
    assert capsys.readouterr().err.startswith("no deck named 'no-such-deck'; the decks are: ")


def test_other_key_errors_are_not_taken_for_an_unknown_deck(home, monkeypatch):
    # A bug raising KeyError inside a command must show as the bug it is.
    def broken(_args):
        raise KeyError("W1")

    monkeypatch.setitem(cli.COMMANDS, "stats", broken)
    with pytest.raises(KeyError, match="W1"):
        main(["stats"])


class LockingStdin(io.StringIO):
    """Typed input that, just before line ``at`` is read, lets another program take the
    store's write lock (and keep it)."""

    def __init__(self, text, at, path):
        super().__init__(text)
        self.at, self.path, self.lines, self.other = at, path, 0, None

    def readline(self, *args):
        self.lines += 1
        if self.lines == self.at:
            self.other = sqlite3.connect(self.path, isolation_level=None)
            self.other.execute("BEGIN IMMEDIATE")
        return super().readline(*args)


def test_review_with_the_store_kept_busy_reports_it(home, mini, monkeypatch, capsys):
    path = home / "reviews.sqlite3"
    with ReviewStore(path) as store:
        load_progress(store, get_scheduler())  # an up-to-date cache: opening writes nothing
    monkeypatch.setattr(cli, "ReviewStore", functools.partial(ReviewStore, timeout=0.3))
    typed = LockingStdin("\n4\n", at=2, path=path)  # locked before the rating is typed
    monkeypatch.setattr("sys.stdin", typed)
    try:
        assert main(["review", str(mini)]) == 1
    finally:
        typed.other.execute("ROLLBACK")
        typed.other.close()
    assert capsys.readouterr().err == (
        f"{path}: another program kept the review store busy for 0.3 s; this rating was not "
        "saved. Close other bpcourse sessions and try again.\n")
    assert stored(home) == []


def test_review_of_all_decks_applies_the_daily_limits_per_deck(home, monkeypatch, capsys):
    decks = list(load_decks().values())
    assert len(decks[0]) > 10  # else the first deck alone could not tell the rules apart
    # 10 new cards of the first deck (its daily limit), then the second deck's
    status = run_main(monkeypatch, ["review", "--limit", "15"], "\n5\n" * 11)
    assert status == 0
    first_ten = [c.id for c in decks[0].cards[:10]]
    assert [r[0] for r in stored(home)] == first_ten + [decks[1].cards[0].id]
    out = capsys.readouterr().out
    assert f"[10 / 10 · deck 1 of 2] {decks[0].name}" in out
    assert f"[1 / 5 · deck 2 of 2] {decks[1].name}" in out


MINI_TWO = DECK.replace("mini", "other").replace("m-", "o-")


def test_deck_by_deck_queues_and_summary(tmp_path):
    for name, text in (("mini", DECK + THIRD_CARD), ("other", MINI_TWO + THIRD_CARD)):
        (tmp_path / f"{name}.yaml").write_text(text.replace("m-three", f"{name[0]}-three"),
                                               encoding="utf-8")
    mini, other = load_deck(tmp_path / "mini.yaml"), load_deck(tmp_path / "other.yaml")
    now = datetime(2024, 3, 1, 12, tzinfo=timezone.utc)
    with ReviewStore(tmp_path / "r.sqlite3") as store:
        session = DeckByDeck([mini, other], store, get_scheduler(), now=now,
                             limits=Limits(new_per_day=2))
        assert session.total == 4  # two new cards of each deck, not two in all
        shown = []
        while session.current is not None:
            shown.append(session.current.id)
            session.answer(5 if len(shown) != 2 else 2)  # m-two comes back once
        assert shown == ["m-one", "m-two", "m-two", "o-one", "o-two"]
        summary = session.summary()
        assert (summary.answers, summary.cards, summary.ratings) == (5, 4, {2: 1, 5: 4})
        assert summary.practice == 1  # m-two's second try came before it was due again
        assert summary.new_waiting == 2  # m-three and o-three, held back by the limit
        # The earliest of the decks' next cards: m-two's learning step (read back from the
        # log), before the new cards' turn at the next learning day.
        m_two_due = load_progress(store, get_scheduler())["m-two"].due
        assert now < m_two_due < day_bounds(now)[1]
        assert (summary.next_due, summary.next_card.id) == (m_two_due, "m-two")


def test_python_dash_m_bpcourse(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), BPCOURSE_HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "bpcourse", "cards", "check"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "decks are valid" in result.stdout
