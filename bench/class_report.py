"""Bench: the class report of 300 learners × 160 cards × 50 reviews each, from files.

One learner's summary is made through the real share path: a review store with 160 cards
× 50 reviews, ``bpcourse.classroom.share`` into the class folder. The other 299 come from
a fast generator that plays each learner's reviews through a simple forgetting model and
writes valid summaries with the same writer (``share.write_summary``); replaying 300
stores of 8,000 reviews through FSRS would take minutes and measure the learners' side,
not the report. The report is then timed end to end from the files:
``bpcourse class report DIR --csv FILE`` in a new process (Python's start and imports
included; target: under 2 s), the same with ``--plot FILE.png`` (matplotlib's import
alone takes about a second), and the parts in one process.

    .venv/bin/python bench/class_report.py [--learners 300] [--cards 160] [--reviews 50]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ["BPCOURSE_HOME"] = tempfile.mkdtemp(prefix="bpcourse-bench-home-")

from bpcourse.classroom import CardSummary, ClassReport, DeckSummary, ProgressSummary, share
from bpcourse.classroom.sharing import write_summary
from bpcourse.flashcards.deck import Card, Deck, select_decks
from bpcourse.flashcards.store import Review, ReviewStore

NOW = datetime.now(timezone.utc).replace(microsecond=0)
TARGET = 2.0


def bench_decks(cards: int) -> list[Deck]:
    """The shipped decks, cut or topped up with an extra deck to ``cards`` cards."""
    decks, total = [], 0
    for deck in select_decks():
        take = deck.cards[: max(0, cards - total)]
        if take:
            decks.append(Deck(deck.name, deck.title, tuple(take)))
            total += len(take)
    if total < cards:
        extra = tuple(Card(f"bench-extra-{i}", f"Extra card {i}?", "Yes.", deck="bench-extra")
                      for i in range(cards - total))
        decks.append(Deck("bench-extra", "Extra cards for the bench", extra))
    return decks


def real_share(folder: Path, decks: list[Deck], reviews: int) -> Path:
    """One learner through the real path: a store, its reviews, ``share``."""
    rng = random.Random(0)
    start = NOW - timedelta(days=120)
    log = []
    for deck in decks:
        for card in deck.cards:
            when = start + timedelta(minutes=rng.randrange(600))
            for _ in range(reviews):
                log.append(Review(card.id, rng.choice((2, 3, 3, 4, 4, 4, 5)), when))
                when += timedelta(hours=rng.randrange(1, 50))
    with ReviewStore(Path(os.environ["BPCOURSE_HOME"]) / "reviews.sqlite3") as store:
        store.record_many(r for r in log if r.reviewed_at <= NOW)
        path, _summary = share(folder, "Real Share", store=store, decks=decks, now=NOW)
    return path


def generated_summary(index: int, decks: list[Deck], reviews: int) -> ProgressSummary:
    """A learner whose recall of each card grows with reviews, and who lapses now and
    then; some have started every deck, others few."""
    rng = random.Random(index)
    skill = rng.uniform(0.6, 0.95)
    reach = rng.randint(1, len(decks))
    deck_summaries, card_summaries = [], []
    for number, deck in enumerate(decks):
        started = deck.cards if number < reach else deck.cards[: rng.randint(0, len(deck.cards))]
        mature = learning = due = passed = graded = answers = correct = 0
        for card in started:
            lapses = sum(1 for _ in range(reviews - 1) if rng.random() > skill)
            last_review = NOW - timedelta(hours=rng.randrange(1, 24 * 30))
            due_at = last_review + timedelta(days=rng.expovariate(1 / 20))
            if due_at - last_review >= timedelta(days=21):
                mature += 1
            else:
                learning += 1
            due += due_at < NOW
            graded_now = rng.randint(0, 6)
            graded += graded_now
            passed += sum(1 for _ in range(graded_now) if rng.random() < skill)
            practice = rng.randint(0, 3)
            answers += practice
            correct += sum(1 for _ in range(practice) if rng.random() < skill)
            card_summaries.append(CardSummary(card.id, deck.name, reviews, lapses,
                                              rng.randint(1, 5), last_review, due_at))
        deck_summaries.append(DeckSummary(
            deck.name, deck.title, len(deck.cards), len(deck.cards) - len(started), learning,
            mature, due, passed / graded if graded else None, graded, answers, correct))
    return ProgressSummary(f"learner-{index:08x}", f"Learner {index}" if index % 3 else None,
                           NOW - timedelta(hours=rng.randrange(72)), tuple(deck_summaries),
                           tuple(card_summaries), bpcourse="0.1.0")


def timed(command: list[str], rounds: int, learners: int) -> float | None:
    """Median wall time of ``command`` over ``rounds`` runs; None (after printing its
    output) if it failed or did not report every learner."""
    times = []
    for _ in range(rounds):
        begin = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        times.append(time.perf_counter() - begin)
        if done.returncode != 0 or f"{learners} learners" not in done.stdout:
            print(done.stdout[-2000:], done.stderr[-2000:], sep="\n")
            return None
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--cards", type=int, default=160)
    parser.add_argument("--reviews", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    decks = bench_decks(args.cards)
    folder = Path(tempfile.mkdtemp(prefix="bpcourse-bench-class-"))
    started = time.perf_counter()
    real_share(folder, decks, args.reviews)
    print(f"real share path, 1 learner ({args.cards} cards × {args.reviews} reviews): "
          f"{time.perf_counter() - started:.2f} s")
    for index in range(1, args.learners):
        summary = generated_summary(index, decks, args.reviews)
        ProgressSummary.from_dict(summary.to_dict())  # the generator makes valid summaries
        write_summary(folder / summary.file_name, summary)
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    print(f"class folder: {args.learners} summaries, {size:.1f} MB")

    out = Path(tempfile.mkdtemp(prefix="bpcourse-bench-out-"))
    report_only = [sys.executable, "-m", "bpcourse", "class", "report", str(folder),
                   "--csv", str(out / "class.csv")]
    median = timed(report_only, args.rounds, args.learners)
    if median is None:
        return 1
    verdict = "within" if median < TARGET else "OVER"
    print(f"`bpcourse class report DIR --csv FILE`, a new process, from the files to the "
          f"tables and the CSV: {median:.2f} s (median of {args.rounds}; {verdict} the "
          f"{TARGET:.0f} s target)")
    with_plot = timed([*report_only, "--plot", str(out / "class.png")], args.rounds,
                      args.learners)
    if with_plot is None:
        return 1
    print(f"  the same with --plot FILE.png (matplotlib's import and the heatmap): "
          f"{with_plot:.2f} s")

    begin = time.perf_counter()
    report = ClassReport.from_folder(folder)
    read = time.perf_counter()
    text = str(report)
    tables = time.perf_counter()
    report.write_csv(out / "again.csv")
    written = time.perf_counter()
    report.plot(out / "again.png")
    plotted = time.perf_counter()
    print(f"  in one process: read and check {read - begin:.2f} s, tables "
          f"{tables - read:.2f} s, CSV {written - tables:.2f} s, heatmap PNG with "
          f"matplotlib's import {plotted - written:.2f} s ({len(text.splitlines())} lines)")
    return 0 if median < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
