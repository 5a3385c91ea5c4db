"""Review sessions: which cards to show today, in what order, and what happens on a rating.

The rules:

* **Learning day.** A day starts at 4 am in the learner's local time, so a late-night session
  still counts for the day it belongs to (``days.py``).
* **Due.** A card scheduled a day or more ahead is *due today* when its due time falls
  before the next 4 am, so it can be done in the morning. A card on a learning step of less
  than a day (FSRS's 1 and 10 minutes) is due only once its due time has passed: shown
  earlier, the step would be skipped and the answer logged as a real review.
* **Queue.** The due cards already seen, earliest due first, then new cards in deck order.
* **Daily limits** count the cards of the deck (or card set) being reviewed. New cards: at
  most ``new_per_day`` (default 10) cards get their first review per learning day. Reviews:
  at most ``reviews_per_day`` (default 200) already-seen cards are reviewed per learning day;
  a card reviewed once today has taken its slot, so it is never dropped if it falls due
  again today (e.g. an FSRS learning step of 10 minutes).
* **Re-drill** (SM-2's rule): a card rated below 4 goes to the back of the session's queue
  and comes back until it is rated 4 or 5. Every answer is logged at once. A re-drill answer
  is a real review only if the scheduler says the card is due again by then (FSRS's
  1-minute learning step, say); before that it is logged as practice, so drilling a card
  five times in a row puts no extra weight on its schedule.
* **Practice** sessions (``practice=True``, "practice anyway") go through cards that are not
  due; their reviews are logged with ``practice=True`` and never change any schedule.
* **Practice cards** (``kind: practice``) show a problem drawn afresh for each review
  (``instance()``), seeded by the card id and the number of reviews logged for it so far.
  ``check(answer)`` gives the verdict; the first right, close or wrong verdict is the one
  that counts (an empty, unreadable or too-short answer may be retyped). A wrong answer
  caps the suggested rating at 2 (``rating_cap()``); the learner still rates, and the
  rating, the seed, the answer and the verdict are logged together.
* **Repeats.** ``repeats`` caps how often a card rated below 4 comes back in one session
  (None, the default: until it is rated 4 or 5; 0: every card is shown once). A short
  round such as notebook 00's first quiz uses 0, so an honest beginner can finish it.
* **More new cards today** (``more_new(n)``) raises today's allowance of new cards by ``n``
  for this session and puts the next ``n`` new cards in its queue.
* **Ending** (``end()``) empties the queue; every rating given is already saved. The
  summary then says what is left: cards not shown yet and cards waiting for a repeat.
* **Several decks** (``DeckByDeck``, ``bpcourse review`` without a deck) are reviewed one
  after the other, each with its own queue and daily limits, as quizzing each in turn would.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from .days import DAY_STARTS_AT, check_utc, day_bounds, utc_now
from .deck import Card, Deck
from .preview import RatingPreview, interval_preview, practice_preview
from .progress import CardProgress, advance, load_progress
from .ratings import RATINGS, check_rating
from .schedulers import Scheduler, get_scheduler
from .store import Review, ReviewStore, shared_store

if TYPE_CHECKING:  # the practice package loads SymPy: only practice cards import it
    from ..answers import Verdict
    from ..practice import Instance


@dataclass(frozen=True)
class Limits:
    """Daily limits and the hour (local time) at which a learning day starts."""

    new_per_day: int = 10
    reviews_per_day: int = 200
    day_starts_at: int = DAY_STARTS_AT


def is_due(progress: CardProgress, now: datetime, day_end: datetime) -> bool:
    """Whether a reviewed card may be studied at ``now`` (``day_end``: the next 4 am).

    A card on a step shorter than a day waits for its due time; any other card may be
    studied on the learning day it falls due (see the module docstring).
    """
    if progress.interval < timedelta(days=1):
        return progress.due <= now
    return progress.due < day_end


@dataclass(frozen=True)
class Today:
    """Where the learner stands in the current learning day for a set of cards."""

    start: datetime
    end: datetime
    introduced: frozenset[str]  # first reviewed today
    reviewed: frozenset[str]  # seen before today and reviewed again today
    new_left: int  # new cards that may still be started today
    reviews_left: int  # seen cards that may still be reviewed today (besides those above)

    def counted(self, card_id: str) -> bool:
        """Whether the card already used up one of today's slots."""
        return card_id in self.introduced or card_id in self.reviewed


def today(
    cards: Sequence[Card],
    progress: Mapping[str, CardProgress],
    now: datetime,
    limits: Limits = Limits(),
    tz: tzinfo | None = None,
) -> Today:
    """Today's bounds and how much of the daily limits the cards have used."""
    start, end = day_bounds(check_utc(now), tz, limits.day_starts_at)
    seen = [progress[c.id] for c in cards if c.id in progress]
    introduced = frozenset(p.card_id for p in seen if p.first_review >= start)
    reviewed = frozenset(
        p.card_id for p in seen if p.card_id not in introduced and p.last_review >= start
    )
    return Today(
        start, end, introduced, reviewed,
        new_left=max(0, limits.new_per_day - len(introduced)),
        reviews_left=max(0, limits.reviews_per_day - len(reviewed)),
    )


def build_queue(
    cards: Sequence[Card],
    progress: Mapping[str, CardProgress],
    now: datetime,
    limits: Limits = Limits(),
    tz: tzinfo | None = None,
) -> list[Card]:
    """Today's cards, in order: due seen cards (earliest first), then new cards (see module)."""
    now = check_utc(now)
    day = today(cards, progress, now, limits, tz)
    due = sorted(
        (c for c in cards if c.id in progress and is_due(progress[c.id], now, day.end)),
        key=lambda c: progress[c.id].due,
    )
    slots = day.reviews_left
    queue = []
    for card in due:
        if day.counted(card.id):
            queue.append(card)
        elif slots > 0:
            queue.append(card)
            slots -= 1
    new = [c for c in cards if c.id not in progress][: day.new_left]
    return queue + new


def next_due(
    cards: Sequence[Card],
    progress: Mapping[str, CardProgress],
    now: datetime,
    limits: Limits = Limits(),
    tz: tzinfo | None = None,
) -> tuple[datetime | None, Card | None]:
    """When the next card of the set can be studied, and that card; (None, None) when none
    ever can (an empty set, or only new cards with ``new_per_day=0``).

    The moment is ``now`` for a card that ``build_queue`` would show now, else the card's
    due time. A card held back by a daily limit becomes available when the next learning
    day starts.
    """
    now = check_utc(now)
    day = today(cards, progress, now, limits, tz)
    candidates = []
    for card in cards:
        if card.id in progress:
            seen = progress[card.id]
            due = now if is_due(seen, now, day.end) else seen.due
            if due < day.end and not day.counted(card.id) and day.reviews_left == 0:
                due = day.end
        elif limits.new_per_day == 0:
            continue  # new cards are switched off: they never become due
        else:
            due = now if day.new_left > 0 else day.end
        candidates.append((due, card))
    if not candidates:
        return None, None
    return min(candidates, key=lambda pair: pair[0])


next_due_card = next_due  # for ReviewSession, whose method of that name hides it


@dataclass(frozen=True)
class Answer:
    """One answer given in a session and the review it logged."""

    card: Card
    rating: int
    review: Review

    @property
    def practice(self) -> bool:
        return self.review.practice


@dataclass(frozen=True)
class Summary:
    """What a finished (or stopped) session did, and what comes next."""

    answers: int
    cards: int
    ratings: dict[int, int]
    practice: int
    next_due: datetime | None
    next_card: Card | None
    due_tomorrow: int
    new_waiting: int = 0
    checked: int = 0  # practice-card answers checked
    correct: int = 0  # of which right
    new_per_day: int = 10  # today's allowance of new cards (``more_new`` raises it)
    new_today: int = 0  # cards first reviewed today
    new_held: int = 0  # new cards held back today by the allowance
    new_tomorrow: int = 0  # new cards tomorrow's allowance will offer
    ended: bool = False  # ended with ``end()`` (or q) before the queue was done
    not_shown: int = 0  # cards of the session never shown (when ended early)
    to_repeat: int = 0  # cards rated below 4 that were waiting for another try
    next_is_new: bool = False  # the next card is a new one


def check_limit(limit: object, smallest: int = 1) -> int | None:
    """``limit`` if it is None or a whole number of at least ``smallest``, else ValueError.

    A session limited to no cards would end before its first card and then report that a
    card is due now; a negative one would silently drop cards from the end of the queue.
    """
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < smallest:
        raise ValueError(f"limit must be a whole number of cards, {smallest} or more, or None "
                         f"for no limit; got {limit!r}")
    return limit


def check_repeats(repeats: object) -> int | None:
    """``repeats`` if it is None or a whole number of at least 0, else ValueError."""
    if repeats is None:
        return None
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 0:
        raise ValueError("repeats must be a whole number, 0 or more (how often a card rated "
                         f"below 4 comes back in the session), or None; got {repeats!r}")
    return repeats


def _clock(now: datetime | Callable[[], datetime] | None) -> Callable[[], datetime]:
    if now is None:
        return utc_now
    if callable(now):
        return lambda: check_utc(now())
    fixed = check_utc(now)
    return lambda: fixed


class ReviewSession:
    """One sitting over a set of cards (a deck), shared by the quiz widget and the CLI.

    ``now`` is a datetime (a frozen clock, for tests), a function returning the time, or
    None for the real clock. ``limit`` caps the number of cards in the session.
    Use ``current``, ``preview()``, ``answer(rating)`` and ``summary()``.
    """

    def __init__(
        self,
        cards: Sequence[Card],
        store: ReviewStore | None = None,
        scheduler: Scheduler | None = None,
        *,
        now: datetime | Callable[[], datetime] | None = None,
        limit: int | None = None,
        limits: Limits = Limits(),
        practice: bool = False,
        tz: tzinfo | None = None,
        repeats: int | None = None,
        extra_new: int = 0,
    ):
        """``extra_new``: this many new cards on top of today's queue, beyond the daily
        limit, for this session only (as ``more_new`` gives; ignored when practising)."""
        # 0 is allowed here: DeckByDeck gives it to the decks after its limit is used up.
        limit = check_limit(limit, smallest=0)
        self.repeats = check_repeats(repeats)
        self.cards = list(cards)
        self.store = store if store is not None else shared_store()
        self.scheduler = scheduler if scheduler is not None else get_scheduler()
        self.clock = _clock(now)
        self.base_limits = limits  # what a later session gets, whatever more_new adds
        self.limits, self.tz, self.practice, self.limit = limits, tz, practice, limit
        self.progress: dict[str, CardProgress] = load_progress(self.store, self.scheduler)
        start = self.clock()
        if practice:
            queue = self._practice_order()
        else:
            queue = build_queue(self.cards, self.progress, start, limits, tz)
            if check_limit(extra_new, smallest=0):
                queued = {c.id for c in queue}
                fresh = [c for c in self.cards if c.id not in self.progress
                         and c.id not in queued]
                queue += fresh[:extra_new]
                self.limits = replace(limits, new_per_day=limits.new_per_day + extra_new)
        if limit is not None:
            queue = queue[:limit]
        self._queue: deque[Card] = deque(queue)
        self.total = len(queue)
        self.answers: list[Answer] = []
        self._redrill: set[str] = set()
        self._done: set[str] = set()
        self._tries: Counter[str] = Counter()  # answers per card in this session
        self._left: tuple[int, int] | None = None  # (not shown, to repeat) after end()
        self._logged: dict[str, int] = {}  # reviews in the log per practice card
        self._instance: tuple[str, Instance] | None = None
        self._verdict: tuple[str, Verdict] | None = None  # the counted one

    def _practice_order(self) -> list[Card]:
        seen = sorted((c for c in self.cards if c.id in self.progress),
                      key=lambda c: self.progress[c.id].due)
        return seen + [c for c in self.cards if c.id not in self.progress]

    # -- walking the queue -------------------------------------------------------------

    @property
    def current(self) -> Card | None:
        """The card to show now, or None when the session is over."""
        return self._queue[0] if self._queue else None

    @property
    def finished(self) -> bool:
        return not self._queue

    def progress_text(self) -> str:
        """ "4 / 10": the number of different cards shown so far (the current one included)
        out of the session's cards, plus how many wait for another try."""
        shown = set(self._done) | self._redrill
        if self.current is not None:
            shown.add(self.current.id)
        text = f"{len(shown)} / {self.total}"
        if self._redrill:
            text += f" · {len(self._redrill)} to repeat"
        return text

    def _counts_as_practice(self, card: Card, now: datetime) -> bool:
        """Practice sessions, and re-drills before the scheduler's due time, are logged as
        practice. (Other cards in the queue are due: ``build_queue`` put them there.)"""
        if self.practice:
            return True
        progress = self.progress.get(card.id)
        return card.id in self._redrill and progress is not None and progress.due > now

    def preview(self) -> dict[int, timedelta | None]:
        """For the current card, the interval each rating would give (None: practice)."""
        card, now = self.current, self.clock()
        if card is None:
            return {}
        if self._counts_as_practice(card, now):
            return dict.fromkeys(RATINGS)
        before = self.progress.get(card.id)
        state = before.state if before else None
        return {
            rating: self.scheduler.review(state, rating, now, card_id=card.id).due - now
            for rating in RATINGS
        }

    def rating_preview(self) -> RatingPreview:
        """What each rating button says for the current card, and why (see ``preview``)."""
        card, now = self.current, self.clock()
        if card is None:
            return RatingPreview()
        before = self.progress.get(card.id)
        if self._counts_as_practice(card, now):
            return practice_preview(self.practice, before.due if before else None, now)
        return interval_preview(self.scheduler, before.state if before else None, now,
                                card_id=card.id)

    def answer(self, rating: int) -> Answer:
        """Log ``rating`` (1-5) for the current card, then move on; the card comes back at
        the end of the queue if rated below 4. Raises ValueError (nothing logged) for a bad
        rating, RuntimeError when the session is over."""
        check_rating(rating)
        card = self.current
        if card is None:
            raise RuntimeError("the session is over: there is no card to rate")
        now = self.clock()
        practice = self._counts_as_practice(card, now)
        instance = self.instance()
        if instance is not None:
            given, verdict = self._verdict if self._verdict is not None else (None, None)
            review = self.store.record(card.id, rating, now, practice=practice,
                                       seed=instance.seed, answer=given,
                                       correct=None if verdict is None else verdict.ok)
            self._logged[card.id] += 1
            self._instance = self._verdict = None
        else:
            review = self.store.record(card.id, rating, now, practice=practice)
        if not practice:
            self.progress[card.id] = advance(
                self.scheduler, self.progress.get(card.id), card.id, rating, now
            )
        self._queue.popleft()
        self._tries[card.id] += 1
        if rating < 4 and (self.repeats is None or self._tries[card.id] <= self.repeats):
            self._redrill.add(card.id)
            self._queue.append(card)
        elif rating < 4:  # out of repeats: the schedule brings it back
            self._redrill.discard(card.id)
            self._done.add(card.id)
        else:
            self._redrill.discard(card.id)
            self._done.add(card.id)
        answer = Answer(card, rating, review)
        self.answers.append(answer)
        return answer

    def is_repeat(self) -> bool:
        """Whether the current card is back for another try in this session."""
        card = self.current
        return card is not None and card.id in self._redrill

    def end(self) -> None:
        """End the session now. Every rating given is already saved; the summary says how
        many cards were not shown and how many waited for a repeat."""
        if self._queue:
            waiting = {c.id for c in self._queue}
            repeat = len(waiting & self._redrill)
            self._left = (len(waiting) - repeat, repeat)
        self._queue.clear()
        self._instance = self._verdict = None

    def new_held(self) -> int:
        """New cards of this set held back because today's allowance of new cards is used
        up (0 while some of it is left, and in practice sessions)."""
        if self.practice:
            return 0
        day = today(self.cards, self.progress, self.clock(), self.limits, self.tz)
        if day.new_left > 0:
            return 0  # what holds the others back is the session's limit, not the day's
        queued = {c.id for c in self._queue}
        return sum(1 for c in self.cards if c.id not in self.progress and c.id not in queued)

    def more_new(self, count: int) -> int:
        """Raise today's allowance of new cards by ``count`` (1 or more) for this session
        and queue the next new cards; returns how many were added (0 when none wait)."""
        count = check_limit(count) or 0
        if self.practice:
            return 0
        queued = {c.id for c in self._queue}
        fresh = [c for c in self.cards if c.id not in self.progress and c.id not in queued]
        added = fresh[:count]
        self.limits = replace(self.limits, new_per_day=self.limits.new_per_day + count)
        self._queue.extend(added)
        self.total += len(added)
        if added:
            self._left = None
        return len(added)

    # -- practice cards ----------------------------------------------------------------

    def instance(self) -> Instance | None:
        """The problem the current practice card shows (None for other cards): the same
        until the card is rated, a fresh one at its next review."""
        card = self.current
        if card is None or not card.is_practice:
            return None
        if self._instance is None or self._instance[0] != card.id:
            if card.id not in self._logged:
                self._logged[card.id] = len(self.store.reviews(card.id))
            number = self._logged[card.id] + 1
            from ..practice import draw

            self._instance = (card.id, draw(card.generator, card.id, number, dict(card.params)))
            self._verdict = None
        return self._instance[1]

    def check(self, answer: object) -> Verdict:
        """The verdict on ``answer`` for the current practice card. Once a right, close or
        wrong verdict is given it stays: checking again returns it."""
        instance = self.instance()
        if instance is None:
            raise RuntimeError("the current card is not a practice card: there is nothing "
                               "to check")
        if self._verdict is not None:
            return self._verdict[1]
        verdict = instance.check(answer)
        if verdict.final:
            self._verdict = (str(answer).strip(), verdict)
        return verdict

    def verdict(self) -> Verdict | None:
        """The counted verdict for the current practice card, if it was checked."""
        return self._verdict[1] if self._verdict is not None and self.instance() else None

    def rating_cap(self) -> int | None:
        """2 when the current practice card's answer was checked and wrong, else None: the
        suggested rating is at most that (the learner still chooses)."""
        verdict = self.verdict()
        return 2 if verdict is not None and verdict.kind == "wrong" else None

    # -- after the session -------------------------------------------------------------

    def next_due(self) -> tuple[datetime | None, Card | None]:
        """When the next card of this set can be studied, and which (see ``next_due``)."""
        return next_due_card(self.cards, self.progress, self.clock(), self.limits, self.tz)

    def new_waiting(self) -> int:
        """Cards of this set never reviewed yet."""
        return sum(1 for c in self.cards if c.id not in self.progress)

    def due_tomorrow(self) -> int:
        """Seen cards of this set that are due by the end of the next learning day."""
        hour = self.limits.day_starts_at
        _start, end = day_bounds(self.clock(), self.tz, hour)
        _end, tomorrow_end = day_bounds(end, self.tz, hour)
        return sum(
            1 for c in self.cards
            if c.id in self.progress and end <= self.progress[c.id].due < tomorrow_end
        )

    def summary(self) -> Summary:
        """What the session did, and what comes next. What comes next is for a later
        session, which has the usual daily limits whatever ``more_new`` added to this one."""
        now, base = self.clock(), self.base_limits
        next_due, next_card = next_due_card(self.cards, self.progress, now, base, self.tz)
        day = today(self.cards, self.progress, now, base, self.tz)
        waiting = self.new_waiting()
        queued = {c.id for c in self._queue}
        held = 0 if self.practice or day.new_left > 0 else sum(
            1 for c in self.cards if c.id not in self.progress and c.id not in queued)
        not_shown, to_repeat = self._left if self._left is not None else (0, 0)
        return Summary(
            answers=len(self.answers),
            cards=len({a.card.id for a in self.answers}),
            ratings=dict(sorted(Counter(a.rating for a in self.answers).items())),
            practice=sum(1 for a in self.answers if a.practice),
            next_due=next_due,
            next_card=next_card,
            due_tomorrow=self.due_tomorrow(),
            new_waiting=self.new_waiting(),
            checked=sum(1 for a in self.answers if a.review.correct is not None),
            correct=sum(1 for a in self.answers if a.review.correct),
            new_per_day=base.new_per_day,
            new_today=len(day.introduced),
            new_held=held,
            # Tomorrow brings a fresh allowance, whatever was taken today.
            new_tomorrow=min(waiting, base.new_per_day),
            ended=self._left is not None,
            not_shown=not_shown,
            to_repeat=to_repeat,
            next_is_new=next_card is not None and next_card.id not in self.progress,
        )


def _earliest(
    pairs: Iterable[tuple[datetime | None, Card | None]],
) -> tuple[datetime | None, Card | None]:
    """The (when, card) pair with the earliest time; (None, None) if no time is given."""
    timed = [(when, card) for when, card in pairs if when is not None]
    return min(timed, key=lambda pair: pair[0]) if timed else (None, None)


class DeckByDeck:
    """Several decks reviewed one after the other, each with its own queue and its own daily
    limits (10 new cards, 200 reviews), as ``quiz(deck)`` gives each deck in a notebook: so
    ``bpcourse review`` with no deck shows what quizzing every deck in turn would show.

    ``limit`` caps the cards of all decks together. It offers what the terminal review
    loop uses of a ReviewSession: ``current``, ``progress_text()``, ``preview()``,
    ``rating_preview()``, ``answer(rating)``, ``end()``, ``new_held()``, ``more_new(n)``,
    ``next_due()``, ``summary()`` and ``clock``.
    """

    def __init__(self, decks: Sequence[Deck], store: ReviewStore, scheduler: Scheduler, *,
                 limit: int | None = None, practice: bool = False,
                 limits: Limits | None = None,
                 now: datetime | Callable[[], datetime] | None = None,
                 repeats: int | None = None, extra_new: int = 0):
        limits = limits if limits is not None else Limits()
        limit = check_limit(limit)
        self.sessions: list[ReviewSession] = []
        for deck in decks:
            left = None if limit is None else max(0, limit - self.total)
            self.sessions.append(ReviewSession(deck.cards, store, scheduler, now=now,
                                               limit=left, limits=limits, practice=practice,
                                               repeats=repeats, extra_new=extra_new))
        self.clock = self.sessions[0].clock if self.sessions else _clock(now)

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

    def rating_preview(self) -> RatingPreview:
        session = self._session
        return session.rating_preview() if session is not None else RatingPreview()

    def is_repeat(self) -> bool:
        session = self._session
        return session is not None and session.is_repeat()

    def end(self) -> None:
        """End every deck's session (see ``ReviewSession.end``)."""
        for session in self.sessions:
            session.end()

    def new_held(self) -> int:
        return sum(session.new_held() for session in self.sessions)

    def more_new(self, count: int) -> int:
        """``count`` more new cards today in each deck that holds some back; returns how
        many were added in all."""
        check_limit(count)
        return sum(s.more_new(count) for s in self.sessions if s.new_held())

    def answer(self, rating: int) -> Answer:
        session = self._session
        if session is None:
            raise RuntimeError("the session is over: there is no card to rate")
        return session.answer(rating)

    def instance(self) -> Instance | None:
        session = self._session
        return session.instance() if session is not None else None

    def check(self, answer: object) -> Verdict:
        session = self._session
        if session is None:
            raise RuntimeError("the session is over: there is no card to check")
        return session.check(answer)

    def rating_cap(self) -> int | None:
        session = self._session
        return session.rating_cap() if session is not None else None

    def next_due(self) -> tuple[datetime | None, Card | None]:
        """The earliest of the decks' next due cards."""
        return _earliest(s.next_due() for s in self.sessions)

    def summary(self) -> Summary:
        """The decks' summaries added up; what is due next is the earliest of theirs."""
        parts = [s.summary() for s in self.sessions]
        when, card = _earliest((p.next_due, p.next_card) for p in parts)
        first = next((p for p in parts if p.next_due == when and p.next_card is card), None)
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
            checked=sum(p.checked for p in parts),
            correct=sum(p.correct for p in parts),
            new_per_day=max((p.new_per_day for p in parts), default=Limits().new_per_day),
            new_today=sum(p.new_today for p in parts),
            new_held=sum(p.new_held for p in parts),
            new_tomorrow=sum(p.new_tomorrow for p in parts),
            ended=any(p.ended for p in parts),
            not_shown=sum(p.not_shown for p in parts),
            to_repeat=sum(p.to_repeat for p in parts),
            next_is_new=first is not None and first.next_is_new,
        )
