"""The ``bpcourse`` command (also ``python -m bpcourse``).

    bpcourse review [DECK]                 review due cards in the terminal (no DECK: every
                                           deck in turn, each with its own daily limits)
    bpcourse stats [--plot FILE.png]       progress per deck, optionally as a figure
    bpcourse export --anki FILE.apkg [DECK ...]
    bpcourse cards check [DIR]             validate deck files; exit status 1 on problems

Reviews go to the same store as the notebooks' quiz widget (``$BPCOURSE_HOME`` or the
user data directory) with the same scheduling, and each answer is saved as it is given.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .flashcards.deck import Card, Deck, DeckError, UnknownDeck, load_decks, select_decks
from .flashcards.schedulers import RATING_LABELS, RATINGS, Scheduler, get_scheduler
from .flashcards.session import Answer, Limits, ReviewSession, Summary
from .flashcards.store import ReviewStore, StoreError
from .flashcards.timefmt import format_interval, format_moment


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bpcourse", description="Backpropagation course tools.")
    commands = parser.add_subparsers(dest="command", required=True)

    review = commands.add_parser("review", help="review due flashcards in the terminal")
    review.add_argument("deck", nargs="?",
                        help="deck name or file (default: every deck in turn, each with its "
                             "own daily limits)")
    review.add_argument("--limit", type=int, help="at most this many cards")
    review.add_argument("--practice", action="store_true",
                        help="practise cards that are not due (does not change the schedule)")
    review.add_argument("--scheduler", choices=["fsrs", "sm2"], default="fsrs")

    stats = commands.add_parser("stats", help="progress per deck")
    stats.add_argument("--plot", metavar="FILE.png", help="also draw forecast and history")
    stats.add_argument("--scheduler", choices=["fsrs", "sm2"], default="fsrs")

    export = commands.add_parser("export", help="export decks")
    export.add_argument("--anki", metavar="FILE.apkg", required=True, help="Anki package")
    export.add_argument("decks", nargs="*", metavar="DECK", help="decks (default: all)")

    cards = commands.add_parser("cards", help="deck files")
    card_commands = cards.add_subparsers(dest="cards_command", required=True)
    check = card_commands.add_parser("check", help="validate the deck files")
    check.add_argument("directory", nargs="?", metavar="DIR",
                       help="directory of deck files (default: the shipped decks)")
    return parser


# -- review ------------------------------------------------------------------------------


def _rating_menu(previews: dict) -> str:
    parts = []
    for rating in RATINGS:
        interval = previews.get(rating)
        suffix = f" ({format_interval(interval)})" if interval is not None else ""
        parts.append(f"{rating} {RATING_LABELS[rating]}{suffix}")
    return "   ".join(parts)


def _ask_rating(read: Callable[[str], str], write: Callable[[str], None]) -> int | None:
    """A rating typed by the learner, or None to quit."""
    while True:
        answer = read("Your rating (1-5, q to quit): ").strip().lower()
        if answer == "q":
            return None
        if answer in {str(r) for r in RATINGS}:
            return int(answer)
        write("Please type a number from 1 to 5 (or q).")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _earliest(pairs: list[tuple[datetime | None, Card | None]]):
    """The (when, card) pair with the earliest time; (None, None) if no time is given."""
    timed = [pair for pair in pairs if pair[0] is not None]
    return min(timed, key=lambda pair: pair[0]) if timed else (None, None)


class DeckByDeck:
    """Several decks reviewed one after the other, each with its own queue and its own daily
    limits (10 new cards, 200 reviews), as ``quiz(deck)`` gives each deck in a notebook: so
    ``bpcourse review`` with no deck shows what quizzing every deck in turn would show.

    ``limit`` caps the cards of all decks together. It has the interface of ReviewSession
    that ``run_review`` uses.
    """

    def __init__(self, decks: Sequence[Deck], store: ReviewStore, scheduler: Scheduler, *,
                 limit: int | None = None, practice: bool = False,
                 limits: Limits | None = None,
                 now: datetime | Callable[[], datetime] | None = None):
        limits = limits if limits is not None else Limits()
        self.sessions: list[ReviewSession] = []
        for deck in decks:
            left = None if limit is None else max(0, limit - self.total)
            self.sessions.append(ReviewSession(deck.cards, store, scheduler, now=now,
                                               limit=left, limits=limits, practice=practice))
        self.clock = self.sessions[0].clock if self.sessions else _utc_now

    @property
    def total(self) -> int:
        return sum(session.total for session in self.sessions)

    @property
    def _session(self) -> ReviewSession | None:
        return next((s for s in self.sessions if s.current is not None), None)

    @property
    def current(self) -> Card | None:
        session = self._session
        return session.current if session is not None else None

    def progress_text(self) -> str:
        """The current deck's progress, then (if several decks have cards to show) which of
        them it is: "3 / 10 · deck 2 of 4"."""
        session = self._session
        if session is None:
            return ""
        busy = [s for s in self.sessions if s.total]
        text = session.progress_text()
        if len(busy) > 1:
            text += f" · deck {busy.index(session) + 1} of {len(busy)}"
        return text

    def preview(self) -> dict[int, timedelta | None]:
        session = self._session
        return session.preview() if session is not None else {}

    def answer(self, rating: int) -> Answer:
        session = self._session
        if session is None:
            raise RuntimeError("the session is over: there is no card to rate")
        return session.answer(rating)

    def next_due(self) -> tuple[datetime | None, Card | None]:
        """The earliest of the decks' next due cards."""
        return _earliest([s.next_due() for s in self.sessions])

    def summary(self) -> Summary:
        """The decks' summaries added up; what is due next is the earliest of theirs."""
        parts = [s.summary() for s in self.sessions]
        when, card = _earliest([(p.next_due, p.next_card) for p in parts])
        ratings: Counter[int] = Counter()
        for part in parts:
            ratings.update(part.ratings)
        return Summary(
            answers=sum(p.answers for p in parts),
            cards=sum(p.cards for p in parts),
            ratings=dict(sorted(ratings.items())),
            practice=sum(p.practice for p in parts),
            next_due=when,
            next_card=card,
            due_tomorrow=sum(p.due_tomorrow for p in parts),
            new_waiting=sum(p.new_waiting for p in parts),
        )


def run_review(session: ReviewSession | DeckByDeck, read: Callable[[str], str] = input,
               write: Callable[[str], None] = print) -> None:
    """The terminal review loop: Enter shows the answer, 1-5 rates it, q (or end of input)
    quits. Each rating is saved before the next card is shown."""
    if session.current is None:
        when, _card = session.next_due()
        later = f" The next card is due {format_moment(when, session.clock())}." if when else ""
        write(f"Nothing is due right now.{later} (Use --practice to practise anyway.)")
        return
    try:
        while session.current is not None:
            card = session.current
            write(f"\n[{session.progress_text()}] {card.deck}\n\n{card.front}\n")
            if read("Enter shows the answer (q quits): ").strip().lower() == "q":
                break
            write(f"\n{card.back}\n\n{_rating_menu(session.preview())}")
            rating = _ask_rating(read, write)
            if rating is None:
                break
            session.answer(rating)
    except EOFError:
        pass  # end of input: every answer so far is already saved
    summary = session.summary()
    ratings = ", ".join(f"{r}: {n}" for r, n in summary.ratings.items()) or "none"
    write(f"\n{summary.answers} answers saved on {summary.cards} cards (ratings {ratings}).")
    if summary.next_due is not None:
        write(f"Next card due {format_moment(summary.next_due, session.clock())}.")


def _review(args: argparse.Namespace) -> int:
    decks = select_decks([args.deck] if args.deck else None)
    with ReviewStore() as store:
        session = DeckByDeck(decks, store, get_scheduler(args.scheduler), limit=args.limit,
                             practice=args.practice)
        run_review(session)
    return 0


# -- stats, export, cards check ------------------------------------------------------------


def _stats(args: argparse.Namespace) -> int:
    from .flashcards.stats import deck_stats, plot_stats

    with ReviewStore() as store:
        scheduler = get_scheduler(args.scheduler)
        print(deck_stats(store=store, scheduler=scheduler))
        if args.plot:
            plot_stats(args.plot, store=store, scheduler=scheduler)
            print(f"\nPlot written to {args.plot}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .flashcards.anki import export_anki

    # Checked before the decks are read and the package built, so the learner hears at once.
    folder = Path(args.anki).absolute().parent
    if not folder.is_dir():
        print(f"Cannot write {args.anki}: there is no directory {folder}.", file=sys.stderr)
        return 1
    try:
        count = export_anki(args.anki, args.decks or None)
    except OSError as exc:  # a directory of that name, no permission, disk full
        print(f"Cannot write {args.anki}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    print(f"Wrote {count} cards to {args.anki}")
    return 0


def _cards_check(args: argparse.Namespace) -> int:
    try:
        decks = load_decks(args.directory)
    except DeckError as error:  # every problem of every file, found in the same single read
        for problem in error.problems:
            print(problem)
        print(f"{len(error.problems)} problem(s) found.", file=sys.stderr)
        return 1
    cards = sum(len(deck) for deck in decks.values())
    print(f"All {len(decks)} decks are valid ({cards} cards).")
    return 0


COMMANDS = {"review": _review, "stats": _stats, "export": _export}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "cards":
            return _cards_check(args)
        return COMMANDS[args.command](args)
    except (DeckError, StoreError) as exc:
        print(exc, file=sys.stderr)
        return 1
    except UnknownDeck as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
