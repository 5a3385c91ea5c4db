"""The quiz widget shown in the notebooks (``bpcourse.flashcards.quiz``).

All the logic lives in ``ReviewSession``; this module only draws it and wires the buttons,
so tests drive the same handlers a learner clicks (``widget.show_button.click()``).
Every rating is saved to the store by the click that gives it. Nothing is printed: the
widget is the only output, which keeps notebook runs reproducible.

A rating counts only for the card whose answer is showing, and only once: the browser
queues every click, so the second click of a double click (or a click on a button still
drawn for a moment after the card changed) arrives after the next card is up, and must
not rate a card whose answer the learner never saw.

This module imports ipywidgets, so ``bpcourse.flashcards`` imports it only when
``quiz()`` is called.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

import ipywidgets as widgets

from .deck import Deck, load_deck
from .markup import to_html
from .ratings import Rating, rating_text
from .schedulers import Scheduler
from .session import ReviewSession, Summary, check_limit
from .store import ReviewStore, shared_store
from .timefmt import format_interval, format_moment


def _show(widget: widgets.Widget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


class QuizWidget(widgets.VBox):
    """A flashcard quiz over one deck, driving a ReviewSession.

    Parts (useful in tests): ``progress``, ``front``, ``back``, ``show_button``,
    ``rating_buttons`` (index 0 is rating 1), ``message``, ``practice_button``.
    """

    def __init__(self, deck: Deck, session: ReviewSession,
                 practice_factory: Callable[[], ReviewSession]):
        self.deck = deck
        self.session = session
        self._practice_factory = practice_factory
        self._answer_shown = False
        self.title = widgets.HTML(f"<b>{html.escape(deck.title)}</b>")
        self.progress = widgets.HTML()
        self.front = widgets.HTMLMath()
        self.back = widgets.HTMLMath()
        self.show_button = widgets.Button(description="Show answer", icon="eye")
        self.question = widgets.HTML("How well did you know this?")
        self.rating_buttons = [
            widgets.Button(description=r.text, button_style=r.style,
                           layout=widgets.Layout(width="auto"))
            for r in Rating
        ]
        self.message = widgets.HTMLMath()
        self.practice_button = widgets.Button(description="Practice anyway", icon="repeat")
        self.show_button.on_click(lambda _button: self.reveal())
        for rating, button in zip(Rating, self.rating_buttons, strict=True):
            button.on_click(lambda _button, rating=int(rating): self.rate(rating))
        self.practice_button.on_click(lambda _button: self.start_practice())
        self.ratings = widgets.HBox(self.rating_buttons)
        super().__init__([
            widgets.HBox([self.title, self.progress]), self.front, self.show_button,
            self.back, self.question, self.ratings, self.message, self.practice_button,
        ])
        self._render()

    def __repr__(self) -> str:
        # Short and stable: notebook runs compare the text output of every cell.
        return f"QuizWidget(deck={self.deck.name!r})"

    # -- drawing -----------------------------------------------------------------------

    def _render(self) -> None:
        """Draw the current card, or the summary / the "nothing due" note."""
        card = self.session.current
        self._answer_shown = False
        self.progress.value = f"&nbsp;· card {html.escape(self.session.progress_text())}"
        _show(self.practice_button, False)
        for part in (self.back, self.question, self.ratings):
            _show(part, False)
        if card is None:
            for part in (self.front, self.show_button):
                _show(part, False)
            if self.session.answers:
                self.message.value = summary_html(self.session.summary(), self.session.clock())
            else:
                self.message.value = self._nothing_due_html()
                _show(self.practice_button, True)
            return
        self.message.value = ""
        self.front.value = to_html(card.front)
        self.back.value = ""
        _show(self.front, True)
        _show(self.show_button, True)

    def _nothing_due_html(self) -> str:
        now = self.session.clock()
        when, _card = self.session.next_due()
        text = f"Nothing is due in <i>{html.escape(self.deck.title)}</i> right now."
        if when is not None:
            text += f" The next card is due {html.escape(format_moment(when, now))}."
        return f"<p>{text}</p>"

    # -- handlers ----------------------------------------------------------------------

    def reveal(self) -> None:
        """ "Show answer": the back of the card and the rating buttons with their intervals."""
        card = self.session.current
        if card is None:
            return
        self.back.value = to_html(card.back)
        previews = self.session.preview()
        for rating, button in zip(Rating, self.rating_buttons, strict=True):
            interval = previews.get(rating)
            suffix = f" · {format_interval(interval)}" if interval is not None else ""
            button.description = rating.text + suffix
        _show(self.show_button, False)
        for part in (self.back, self.question, self.ratings):
            _show(part, True)
        self._answer_shown = True

    def rate(self, rating: int) -> None:
        """A rating button: log the rating (saved at once) and go to the next card.

        Ignored unless the current card's answer is showing (see the module docstring).
        """
        if self.session.current is None or not self._answer_shown:
            return
        try:
            self.session.answer(rating)
        except Exception as exc:  # shown in the widget: a notebook must not print
            self.message.value = (
                f"<p><b>Could not save this rating:</b> {html.escape(str(exc))}</p>"
            )
            return
        self._render()

    def start_practice(self) -> None:
        """ "Practice anyway": go through the deck; nothing it logs changes the schedule.

        Only from the "nothing due" note that offers it: a second click must not restart
        a practice round already under way.
        """
        if self.session.current is not None or self.session.answers:
            return
        self.session = self._practice_factory()
        self._render()


def summary_html(summary: Summary, now: datetime) -> str:
    """The end-of-session note: ratings given and what is due next."""
    ratings = ", ".join(
        f"{html.escape(rating_text(r))} ×{n}" for r, n in summary.ratings.items()
    )
    lines = [
        f"<b>Done.</b> {summary.answers} answers on {summary.cards} cards"
        + (f" ({summary.practice} as practice)" if summary.practice else "") + ".",
        f"Ratings: {ratings}." if ratings else "",
    ]
    if summary.next_due is not None and summary.next_card is not None:
        when = html.escape(format_moment(summary.next_due, now))
        lines.append(f"Next due: <code>{html.escape(summary.next_card.id)}</code> {when}.")
    lines.append(f"Due tomorrow: {summary.due_tomorrow}. Not started yet: {summary.new_waiting}.")
    return "".join(f"<p>{line}</p>" for line in lines if line)


def quiz(
    deck: str | Deck,
    limit: int | None = None,
    store: ReviewStore | None = None,
    scheduler: Scheduler | None = None,
    now: datetime | Callable[[], datetime] | None = None,
) -> QuizWidget:
    """The quiz widget for ``deck`` (a deck name such as ``"chain-rule"``, a path or a Deck).

    Shows the deck's due cards, new ones included within the daily limit (10 a day), at
    most ``limit`` of them (1 or more): the front, "Show answer", then five rating buttons from
    "1 Not at all" to "5 Perfectly", each with the interval it would give. Every click is
    saved at once to ``store`` (default: the learner's store). ``scheduler`` defaults to
    FSRS; ``now`` (a datetime or a clock function) is for tests.
    """
    limit = check_limit(limit)
    deck = load_deck(deck)
    store = store if store is not None else shared_store()

    def session(practice: bool) -> ReviewSession:
        return ReviewSession(deck.cards, store, scheduler, now=now, limit=limit,
                             practice=practice)

    return QuizWidget(deck, session(False), lambda: session(True))
