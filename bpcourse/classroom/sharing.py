"""Sharing progress with the class: ``bpcourse share DIR`` and the button in notebook 00.

Sharing is the learner's choice and copies only a summary (``summary.py`` says what is in
it) into the class folder; the review store itself stays private (0600) and is only ever
read by its owner's bpcourse. The summary's file is named after the learner's pseudonym
(``pseudonym.py``); a name appears only when the learner gives one.

The file is written as a new file next to its final name and renamed onto it, so the
instructor's report never reads a half-written summary and sharing again replaces the
previous one in one step. It is made readable by others (0644) whatever the learner's
umask: the instructor must be able to read it. The rename replaces the name in the folder,
never a file a symbolic link points to, so a link planted in a shared folder cannot make a
learner overwrite one of their own files.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from bpcourse import __version__
from bpcourse.flashcards.days import DAY_STARTS_AT, check_utc, day_bounds, utc_now
from bpcourse.flashcards.deck import Deck, select_decks
from bpcourse.flashcards.progress import CardProgress, load_progress
from bpcourse.flashcards.schedulers import Scheduler, get_scheduler
from bpcourse.flashcards.stats import MATURE_DAYS, PASS_RATING, RETENTION_DAYS
from bpcourse.flashcards.store import Review, ReviewStore, shared_store

from . import fields
from .card_summary import CardSummary
from .deck_summary import DeckSummary
from .practice import answer_counts
from .pseudonym import PseudonymError, learner_pseudonym
from .summary import MAX_NAME, ProgressSummary

CLASS_DIR_VARIABLE = "BPCOURSE_CLASS_DIR"


class ShareError(RuntimeError):
    """The summary could not be shared; the message says why and what to do."""


def class_folder(directory: str | os.PathLike[str] | None) -> Path:
    """``directory``, or ``$BPCOURSE_CLASS_DIR`` when it is None (a hub can set it for
    everyone); ShareError when there is neither."""
    if directory is None or not os.fspath(directory).strip():
        directory = os.environ.get(CLASS_DIR_VARIABLE, "").strip() or None
        if directory is None:
            raise ShareError(f"Name the class folder your instructor gave you (or set "
                             f"{CLASS_DIR_VARIABLE}).")
    return Path(os.path.expanduser(os.fspath(directory)))


def usable_folder(directory: str | os.PathLike[str] | None) -> Path:
    """The class folder (see ``class_folder``), checked to exist and to take new files;
    ShareError saying what to do otherwise."""
    folder = class_folder(directory)
    if not folder.is_dir():
        raise ShareError(f"{folder}: there is no such folder. Check the class folder's name "
                         "with your instructor.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ShareError(f"{folder}: you cannot write to this folder. Ask your instructor to "
                         "let learners add files to it.")
    return folder


def check_name(name: str | None) -> str | None:
    """The learner's name as it will be shown (trimmed), None for none; ShareError if it
    cannot be shown (empty, too long, control characters)."""
    if name is None:
        return None
    name = " ".join(name.split())
    try:
        return fields.check_text(name, "the name", limit=MAX_NAME)
    except fields.SummaryError as exc:
        raise ShareError(f"{exc}; give a name of 1 to {MAX_NAME} characters, or none to "
                         "share under your pseudonym.") from None


def build_summary(
    store: ReviewStore,
    pseudonym: str,
    name: str | None = None,
    decks: Iterable[str | Deck] | None = None,
    scheduler: Scheduler | None = None,
    now: datetime | None = None,
) -> ProgressSummary:
    """The learner's summary of ``decks`` (default: the shipped ones) at ``now``.

    Deck counts follow ``bpcourse stats`` (``flashcards.stats``), computed here from one
    read of the schedule and one of the log, so that cards and counts agree even while
    another notebook saves a rating.
    """
    loaded = select_decks(decks)
    scheduler = scheduler if scheduler is not None else get_scheduler()
    now = check_utc(now) if now is not None else utc_now()
    progress = load_progress(store, scheduler)
    log = store.reviews()
    practice = answer_counts(store)
    _start, day_end = day_bounds(now, None, DAY_STARTS_AT)
    history = _card_history(log, progress)
    deck_summaries, card_summaries = [], []
    for deck in loaded:
        deck_summaries.append(_deck_summary(deck, progress, log, practice, now, day_end))
        for card in deck.cards:
            if card.id in progress and card.id in history:
                card_summaries.append(_card_summary(card.id, deck.name, progress[card.id],
                                                    history[card.id]))
    return ProgressSummary(
        pseudonym=pseudonym,
        name=check_name(name),
        shared_at=now,
        decks=tuple(deck_summaries),
        cards=tuple(card_summaries),
        scheduler="sm2" if scheduler.key.startswith("sm2") else "fsrs",
        bpcourse=__version__,
    )


def _card_history(log: list[Review], progress: dict[str, CardProgress]
                  ) -> dict[str, tuple[int, int, Review]]:
    """Per reviewed card: (scheduled reviews, lapses, latest review of any kind)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    latest: dict[str, Review] = {}
    for review in log:  # oldest first
        if review.card_id not in progress:
            continue
        latest[review.card_id] = review
        if review.practice:
            continue
        tally = counts[review.card_id]
        if tally[0] and review.rating < PASS_RATING:
            tally[1] += 1
        tally[0] += 1
    return {card_id: (tally[0], tally[1], latest[card_id])
            for card_id, tally in counts.items() if tally[0]}


def _card_summary(card_id: str, deck: str, progress: CardProgress,
                  history: tuple[int, int, Review]) -> CardSummary:
    reviews, lapses, last = history
    return CardSummary(card_id=card_id, deck=deck, reviews=reviews, lapses=lapses,
                       last_rating=last.rating, last_review=last.reviewed_at, due=progress.due)


def _deck_summary(deck: Deck, progress: dict[str, CardProgress], log: list[Review],
                  practice: dict[str, tuple[int, int]] | None, now: datetime,
                  day_end: datetime) -> DeckSummary:
    ids = {card.id for card in deck.cards}
    seen = [progress[card_id] for card_id in ids if card_id in progress]
    mature = sum(1 for p in seen if p.interval >= timedelta(days=MATURE_DAYS))
    since = now - timedelta(days=RETENTION_DAYS)
    graded = [r.rating >= PASS_RATING for r in log
              if r.card_id in ids and not r.practice and r.card_id in progress
              and since <= r.reviewed_at and r.reviewed_at > progress[r.card_id].first_review]
    answers = correct = None
    if practice is not None:
        answers = sum(practice.get(card_id, (0, 0))[0] for card_id in ids)
        correct = sum(practice.get(card_id, (0, 0))[1] for card_id in ids)
    return DeckSummary(
        deck=deck.name,
        title=" ".join(deck.title.split()),
        cards=len(deck.cards),
        new=len(deck.cards) - len(seen),
        learning=len(seen) - mature,
        mature=mature,
        due=sum(1 for p in seen if p.due < day_end),
        retention=sum(graded) / len(graded) if graded else None,
        retention_reviews=len(graded),
        practice_answers=answers,
        practice_correct=correct,
    )


def share(
    directory: str | os.PathLike[str] | None = None,
    name: str | None = None,
    *,
    store: ReviewStore | None = None,
    decks: Iterable[str | Deck] | None = None,
    now: datetime | None = None,
) -> tuple[Path, ProgressSummary]:
    """Write the learner's progress summary into the class folder ``directory`` (default:
    ``$BPCOURSE_CLASS_DIR``) and return its path and the summary.

    ``name`` (optional) is shown to the instructor instead of the pseudonym. Sharing again
    replaces the previous summary, in one step. ShareError says what went wrong (no such
    folder, no permission, a full disk); nothing is left half-written.
    """
    folder = usable_folder(directory)
    checked_name = check_name(name)
    store = store if store is not None else shared_store()
    try:
        pseudonym = learner_pseudonym(store.path)
    except PseudonymError as exc:
        raise ShareError(str(exc)) from None
    summary = build_summary(store, pseudonym, checked_name, decks=decks, now=now)
    target = folder / summary.file_name
    write_summary(target, summary)
    return target, summary


def write_summary(target: Path, summary: ProgressSummary) -> None:
    """Write ``summary`` to ``target`` through a new file renamed onto it (see the module
    docstring); ShareError, with ``target`` untouched, on failure."""
    data = (json.dumps(summary.to_dict(), ensure_ascii=False, indent=1) + "\n").encode()
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        handle = os.open(temporary, flags, 0o644)
    except OSError as exc:
        raise ShareError(_write_problem(target, exc)) from exc
    try:
        with os.fdopen(handle, "wb") as file:
            os.fchmod(file.fileno(), 0o644)  # readable by the instructor whatever the umask
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise ShareError(_write_problem(target, exc)) from exc
        raise
    with contextlib.suppress(OSError):
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _write_problem(target: Path, exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if isinstance(exc, PermissionError):
        return (f"{target}: cannot be written ({reason}). If the class folder already holds "
                "a file of that name that is not yours, tell your instructor.")
    if isinstance(exc, IsADirectoryError):
        return f"{target}: is a folder; tell your instructor."
    return f"{target}: the summary could not be written ({reason}); nothing was shared."
