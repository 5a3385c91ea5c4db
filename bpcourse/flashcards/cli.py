"""The ``bpcourse`` command (also ``python -m bpcourse``).

    bpcourse review [DECK]                 review due cards in the terminal (no DECK: every
                                           deck in turn, each with its own daily limits);
                                           --more-new N: N new cards beyond the daily limit,
                                           --repeats N: a missed card comes back at most N
                                           times, q ends the session (all ratings are saved)
    bpcourse stats [--plot FILE.png]       progress per deck, optionally as a figure
    bpcourse export --anki FILE.apkg [DECK ...]
    bpcourse cards check [DIR]             validate deck files; exit status 1 on problems
    bpcourse backup FILE                   copy the review store to FILE (safe while
                                           notebooks are open)
    bpcourse restore FILE                  replace the reviews by those of the backup FILE;
                                           the current ones are kept in a safety copy
    bpcourse share [DIR] [--name NAME]     share a progress summary with a class folder
    bpcourse class report DIR [--csv FILE] [--plot FILE]
                                           the instructor's view of a class folder
    bpcourse notebooks [DIR]               copy the course notebooks into DIR, or update them

Reviews go to the same store as the notebooks' quiz widget (``$BPCOURSE_HOME`` or the
user data directory) with the same scheduling, and each answer is saved as it is given.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from . import terminal
from .deck import Card, DeckError, UnknownDeck, load_decks, select_decks
from .markup import to_text
from .preview import RatingPreview
from .ratings import Rating
from .schedulers import get_scheduler
from .session import DeckByDeck, Limits, ReviewSession
from .store import ReviewStore, StoreError
from .summary_text import summary_lines
from .timefmt import format_moment


def _positive_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if number < 1:
        # 0 would end the session before its first card and then say a card is due now.
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {number}")
    return number


def _count(text: str) -> int:
    """A whole number, 0 or more (``--repeats``)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {number}")
    return number


def _plot_path(text: str) -> Path:
    """The plot's file, checked before any work is done (matplotlib loads only here)."""
    from .plot import plot_file

    try:
        path = plot_file(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    folder = path.absolute().parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {path}: there is no directory {folder}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {path}: it is a directory")
    return path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bpcourse", description="Backpropagation course tools.")
    commands = parser.add_subparsers(dest="command", required=True)

    review = commands.add_parser("review", help="review due flashcards in the terminal")
    review.add_argument("deck", nargs="?",
                        help="deck name or file (default: every deck in turn, each with its "
                             "own daily limits)")
    review.add_argument("--limit", type=_positive_int, help="at most this many cards")
    review.add_argument("--practice", action="store_true",
                        help="practise cards that are not due (does not change the schedule)")
    review.add_argument("--more-new", type=_positive_int, default=0, metavar="N",
                        help=f"N more new cards now in each deck, beyond the daily limit of "
                             f"{Limits().new_per_day}")
    review.add_argument("--repeats", type=_count, metavar="N",
                        help="a card rated below 4 comes back at most N times in this session "
                             "(default: until it is rated 4 or 5; 0: each card once)")
    review.add_argument("--scheduler", choices=["fsrs", "sm2"], default="fsrs")

    stats = commands.add_parser("stats", help="progress per deck")
    stats.add_argument("--plot", metavar="FILE.png", type=_plot_path,
                       help="also draw forecast and history (.png unless another extension "
                            "such as .pdf or .svg is given)")
    stats.add_argument("--scheduler", choices=["fsrs", "sm2"], default="fsrs")

    export = commands.add_parser("export", help="export decks")
    export.add_argument("--anki", metavar="FILE.apkg", required=True, help="Anki package")
    export.add_argument("decks", nargs="*", metavar="DECK", help="decks (default: all)")

    cards = commands.add_parser("cards", help="deck files")
    card_commands = cards.add_subparsers(dest="cards_command", required=True)
    check = card_commands.add_parser("check", help="validate the deck files")
    check.add_argument("directory", nargs="?", metavar="DIR",
                       help="directory of deck files (default: the shipped decks)")

    backup = commands.add_parser(
        "backup", help="copy your review store to FILE (safe while notebooks are open)")
    backup.add_argument("file", metavar="FILE", help="the backup file to write")
    restore = commands.add_parser(
        "restore", help="replace your reviews by those of a backup made with 'backup'; the "
                        "current ones are kept in a safety copy next to the store")
    restore.add_argument("file", metavar="FILE", help="the backup file to read")
    _add_plugin_commands(commands)
    return parser


def _add_plugin_commands(commands: argparse._SubParsersAction) -> None:
    """Commands of the course's higher layers (``share``, ``class report``, ``notebooks`` from
    bpcourse.classroom), found through the ``bpcourse.commands`` entry points so that this
    module imports none of them. Each adds its parsers with a ``handler`` default."""
    from importlib.metadata import entry_points

    for entry in entry_points(group="bpcourse.commands"):
        entry.load()(commands)


# -- review ------------------------------------------------------------------------------


def _rating_menu(preview: RatingPreview, said: set[str] | None = None) -> str:
    """The five ratings with what each would do, and the preview's note on a line below
    unless it is in ``said`` (the notes printed so far, which it joins): the same note on
    every card would bury the menu."""
    parts = []
    for rating in Rating:
        label = preview.labels.get(rating, "")
        parts.append(rating.text + (f" ({label})" if label else ""))
    if len({preview.labels.get(r) for r in Rating}) == 1 and parts[0].endswith(")"):
        # The same words on every rating (practice): said once, not five times.
        menu = "   ".join(r.text for r in Rating) + f"   ({preview.labels[1]})"
    else:
        menu = "   ".join(parts)
    if not preview.note or (said is not None and preview.note in said):
        return menu
    if said is not None:
        said.add(preview.note)
    return f"{menu}\n{preview.note}"


def _offer_more_new(session: ReviewSession | DeckByDeck, read: Callable[[str], str],
                    write: Callable[[str], None]) -> bool:
    """When today's new cards are used up and more wait, offer more now; True if the
    learner took some (they are in the queue)."""
    held = session.new_held()
    if not held:
        return False
    decks = getattr(session, "sessions", [session])
    several = sum(1 for s in decks if s.new_held()) > 1
    limit = decks[0].base_limits.new_per_day if decks else Limits().new_per_day
    write(f"\nToday's new cards are used up (the daily limit is {limit} per deck); "
          f"{held} more wait.")
    per_deck = " per deck" if several else ""
    while True:
        answer = read(f"More new cards now? How many{per_deck} (Enter: none): ").strip()
        if not answer or answer.lower() in {"q", "n", "no"}:
            return False
        if answer.isdigit() and int(answer) > 0:
            return session.more_new(int(answer)) > 0
        write("Please type a whole number of cards, or press Enter for none.")


def _ask_rating(read: Callable[[str], str], write: Callable[[str], None]) -> int | None:
    """A rating typed by the learner, or None to quit."""
    while True:
        answer = read("Your rating (1-5, q to quit): ").strip().lower()
        if answer == "q":
            return None
        if answer in {str(r) for r in Rating}:
            return int(answer)
        write("Please type a number from 1 to 5 (or q).")


def card_printer(encoding: str | None = None, width: int | None = None) -> Callable[[str], str]:
    """Card text as the review prints it: wrapped to the terminal, maths as Unicode text
    where the output's encoding (default: standard output's) can show it, else as TeX."""
    if encoding is None:
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    if width is None:
        width = min(max(shutil.get_terminal_size().columns, 40), 100)

    def show_math(source: str) -> str | None:
        from .textmath import math_to_text

        shown = math_to_text(source)
        return shown if terminal.can_encode(shown, encoding) else None

    return lambda text: to_text(terminal.clean(text), width=width, show_math=show_math)


def run_review(session: ReviewSession | DeckByDeck, read: Callable[[str], str] = input,
               write: Callable[[str], None] = print,
               show: Callable[[str], str] | None = None) -> None:
    """The terminal review loop: Enter shows the answer, 1-5 rates it, q (or end of input)
    ends the session. Each rating is saved before the next card is shown; the summary says
    what was saved and what is left. When today's new cards run out and more wait, the
    learner is offered more. ``show`` turns card text into what is printed (default:
    ``card_printer()``)."""
    show = show if show is not None else card_printer()

    def heading(card: Card) -> str:
        return terminal.clean(f"[{session.progress_text()}] {card.deck}")

    if session.current is None:
        when, _card = session.next_due()
        later = f" The next card is due {format_moment(when, session.clock())}." if when else ""
        write(f"Nothing is due right now.{later} (Use --practice to practise anyway.)")
        try:
            if not _offer_more_new(session, read, write):
                return
        except EOFError:
            return
    said: set[str] = set()
    try:
        while _review_cards(session, read, write, show, heading, said) and \
                _offer_more_new(session, read, write):
            pass
    except EOFError:
        pass  # end of input: every answer so far is already saved
    session.end()  # says what is left, if the learner stopped early
    write("")
    for line in summary_lines(session.summary(), session.clock()):
        write(line)
    if session.summary().new_held:
        write("(Another day's new cards now: bpcourse review --more-new N.)")


def _review_cards(session: ReviewSession | DeckByDeck, read: Callable[[str], str],
                  write: Callable[[str], None], show: Callable[[str], str],
                  heading: Callable[[Card], str], said: set[str]) -> bool:
    """Review the queue; False when the learner typed q (EOFError: end of input)."""
    while session.current is not None:
        card = session.current
        instance = session.instance()  # a practice card's problem, else None
        write(f"\n{heading(card)}\n\n"
              f"{show(card.front if instance is None else instance.prompt)}\n")
        if instance is not None:
            if not terminal.ask_practice_answer(session, instance.answer_hint, read, write):
                return False
        elif read("Enter shows the answer (q quits): ").strip().lower() == "q":
            return False
        back = card.back if instance is None else instance.solution_text()
        write(f"\n{show(back)}\n\n{_rating_menu(session.rating_preview(), said)}")
        cap = session.rating_cap()
        if cap is not None:
            write(f"Your answer was wrong, so the suggested rating is at most {cap}.")
        rating = _ask_rating(read, write)
        if rating is None:
            return False
        session.answer(rating)
    return True


def _read_answer(prompt: str) -> str:
    if sys.stdin is None:  # started with standard input closed (<&-): nothing will come
        raise EOFError
    return input(prompt)


def _review(args: argparse.Namespace) -> int:
    decks = select_decks([args.deck] if args.deck else None)
    if isinstance(sys.stdin, io.TextIOWrapper):
        # A key the terminal's encoding cannot decode (é with PYTHONIOENCODING=ascii) must
        # read as a wrong answer: strict decoding would raise and drop the rest of the input.
        sys.stdin.reconfigure(errors="replace")
    with ReviewStore() as store:
        session = DeckByDeck(decks, store, get_scheduler(args.scheduler), limit=args.limit,
                             practice=args.practice, repeats=args.repeats,
                             extra_new=args.more_new)
        run_review(session, read=_read_answer)
    return 0


# -- stats, export, cards check ------------------------------------------------------------


def _stats(args: argparse.Namespace) -> int:
    from .stats import deck_stats

    with ReviewStore() as store:
        scheduler = get_scheduler(args.scheduler)
        print(deck_stats(store=store, scheduler=scheduler))
        if args.plot:
            from .plot import plot_stats  # only here: matplotlib takes a second to import

            try:
                plot_stats(args.plot, store=store, scheduler=scheduler)
            except OSError as exc:  # no permission, disk full
                print(f"Cannot write {args.plot}: {exc.strerror or exc}.", file=sys.stderr)
                return 1
            print(f"\nPlot written to {args.plot}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .anki import export_anki

    # Anki's import dialog lists only .apkg files, so a bare name gets that extension (and
    # the message names the file actually written).
    path = Path(args.anki)
    if not path.suffix:
        path = path.with_name(path.name + ".apkg")
    # Checked before the decks are read and the package built, so the learner hears at once.
    folder = path.absolute().parent
    if not folder.is_dir():
        print(f"Cannot write {path}: there is no directory {folder}.", file=sys.stderr)
        return 1
    try:
        count = export_anki(path, args.decks or None)
    except OSError as exc:  # a directory of that name, no permission, disk full
        print(f"Cannot write {path}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    print(f"Wrote {count} cards to {path}")
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


def _backup(args: argparse.Namespace) -> int:
    with ReviewStore() as store:
        count = store.backup(args.file)
        print(f"Backed up {count} reviews from {store.path} to {args.file}.")
    return 0


def _restore(args: argparse.Namespace) -> int:
    with ReviewStore() as store:
        count, safety = store.restore(args.file)
        print(f"Restored {count} reviews from {args.file} into {store.path}.")
        if safety is not None:
            print(f"The reviews it held before are kept in {safety}.")
    return 0


COMMANDS = {"review": _review, "stats": _stats, "export": _export, "backup": _backup,
            "restore": _restore}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Everything it writes goes through ``terminal``: no control characters reach the
    terminal, characters it cannot show get stand-ins, and a closed pipe or a full disk
    on the output ends the command quietly (status 141 or 1) instead of a traceback.
    """
    with terminal.GuardedOutput() as guard:
        guard.status = _main(argv)
    return guard.status


def _show_store_warning(message: Warning | str, category: type[Warning], filename: str,
                        lineno: int, file: object = None, line: str | None = None) -> None:
    print(f"Warning: {message}", file=sys.stderr)


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    with warnings.catch_warnings():
        # A store's warnings (rows skipped, journal mode) as one line, not a source dump.
        warnings.showwarning = _show_store_warning
        try:
            if args.command == "cards":
                return _cards_check(args)
            if getattr(args, "handler", None) is not None:  # a plugin command
                return int(args.handler(args))
            return COMMANDS[args.command](args)
        except (DeckError, StoreError) as exc:
            print(exc, file=sys.stderr)
            return 1
        except UnknownDeck as exc:
            print(exc, file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 130
