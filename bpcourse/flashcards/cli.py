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
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from .deck import DeckError, UnknownDeck, load_decks, select_decks
from .ratings import Rating
from .schedulers import get_scheduler
from .session import DeckByDeck, ReviewSession
from .store import ReviewStore, StoreError
from .timefmt import format_interval, format_moment


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


def _rating_menu(previews: dict[int, timedelta | None]) -> str:
    parts = []
    for rating in Rating:
        interval = previews.get(rating)
        suffix = f" ({format_interval(interval)})" if interval is not None else ""
        parts.append(rating.text + suffix)
    return "   ".join(parts)


def _ask_rating(read: Callable[[str], str], write: Callable[[str], None]) -> int | None:
    """A rating typed by the learner, or None to quit."""
    while True:
        answer = read("Your rating (1-5, q to quit): ").strip().lower()
        if answer == "q":
            return None
        if answer in {str(r) for r in Rating}:
            return int(answer)
        write("Please type a number from 1 to 5 (or q).")


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
    from .stats import deck_stats

    with ReviewStore() as store:
        scheduler = get_scheduler(args.scheduler)
        print(deck_stats(store=store, scheduler=scheduler))
        if args.plot:
            from .plot import plot_stats  # only here: matplotlib takes a second to import

            plot_stats(args.plot, store=store, scheduler=scheduler)
            print(f"\nPlot written to {args.plot}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .anki import export_anki

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
