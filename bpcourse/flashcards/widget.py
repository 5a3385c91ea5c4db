"""The quiz widget shown in the notebooks (``bpcourse.flashcards.quiz``).

All the logic lives in ``ReviewSession``; this module only draws it and wires the buttons,
so tests drive the same handlers a learner clicks (``widget.show_button.click()``).
Every rating is saved to the store by the click that gives it. Nothing is printed: the
widget is the only output, which keeps notebook runs reproducible.

A rating counts only for the card whose answer is showing, and only once: the browser
queues every click, so the second click of a double click (or a click on a button still
drawn for a moment after the card changed) arrives after the next card is up, and must
not rate a card whose answer the learner never saw.

A practice card (a generated problem) shows its problem, a text box and a Check button
before the rating buttons: Check (or Enter in the box) gives the verdict and, once it is
right, close or wrong, the worked solution with its maths and the rating buttons. "Show
solution" skips the check. A wrong answer caps the suggested rating at 2, and the widget
says so; the learner still chooses.

"End session" stops at once and shows the summary: what was saved (every rating, as
always) and what is left. When the day's new cards are used up, "10 more new cards today"
raises the deck's allowance for this session. A card back for another try in the same
session (or any card of a practice round) has its buttons labelled as practice, with one
line saying why; so do SM-2's first intervals, which are 1 day whatever the rating.

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
from .ratings import Rating, rating_text  # noqa: F401  (notebook 00 imports it from here)
from .schedulers import Scheduler
from .session import ReviewSession, Summary, check_limit, check_repeats
from .store import ReviewStore, shared_store
from .summary_text import summary_lines
from .timefmt import format_moment

MORE_NEW = 10  # new cards added by one click on "more new cards today"


def _show(widget: widgets.Widget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


class QuizWidget(widgets.VBox):
    """A flashcard quiz over one deck, driving a ReviewSession.

    Parts (useful in tests): ``progress``, ``front``, ``back``, ``show_button``,
    ``rating_buttons`` (index 0 is rating 1), ``preview_note``, ``message``,
    ``practice_button``, ``end_button``, ``more_button``; for practice cards
    ``answer_box``, ``check_button`` and ``verdict``.
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
        self.answer_box = widgets.Text(placeholder="Your answer", continuous_update=False,
                                       layout=widgets.Layout(width="24em"))
        self.check_button = widgets.Button(description="Check", icon="check")
        self.verdict = widgets.HTMLMath()
        self.answer_row = widgets.HBox([self.answer_box, self.check_button])
        self.question = widgets.HTML("How well did you know this?")
        self.rating_buttons = [
            widgets.Button(description=r.text, button_style=r.style,
                           layout=widgets.Layout(width="auto"))
            for r in Rating
        ]
        self.preview_note = widgets.HTML()
        self.message = widgets.HTMLMath()
        self.practice_button = widgets.Button(description="Practice anyway", icon="repeat")
        self.end_button = widgets.Button(description="End session", icon="stop",
                                         tooltip="Stop here: every rating given is saved")
        self.more_button = widgets.Button(description=f"{MORE_NEW} more new cards today",
                                          icon="plus", layout=widgets.Layout(width="auto"))
        self.show_button.on_click(lambda _button: self.reveal())
        self.check_button.on_click(lambda _button: self.check())
        # continuous_update=False: the value changes on Enter (or leaving the box).
        self.answer_box.observe(lambda _change: self.check(), names="value")
        for rating, button in zip(Rating, self.rating_buttons, strict=True):
            button.on_click(lambda _button, rating=int(rating): self.rate(rating))
        self.practice_button.on_click(lambda _button: self.start_practice())
        self.end_button.on_click(lambda _button: self.end())
        self.more_button.on_click(lambda _button: self.more_new())
        self.ratings = widgets.HBox(self.rating_buttons)
        super().__init__([
            widgets.HBox([self.title, self.progress]), self.front, self.answer_row,
            self.verdict, self.show_button, self.back, self.question, self.ratings,
            self.preview_note, self.message,
            widgets.HBox([self.more_button, self.practice_button, self.end_button]),
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
        for part in (self.back, self.question, self.ratings, self.answer_row, self.verdict,
                     self.preview_note):
            _show(part, False)
        self.verdict.value = ""
        _show(self.end_button, card is not None)
        _show(self.more_button, card is None and self.session.new_held() > 0)
        if card is None:
            for part in (self.front, self.show_button):
                _show(part, False)
            summary = self.session.summary()
            if self.session.answers or summary.ended:
                self.message.value = summary_html(summary, self.session.clock())
            else:
                self.message.value = self._nothing_due_html(summary)
                _show(self.practice_button, True)
            return
        self.message.value = ""
        instance = self.session.instance()
        self.front.value = to_html(instance.prompt if instance is not None else card.front)
        self.back.value = ""
        _show(self.front, True)
        _show(self.show_button, True)
        self.show_button.description = "Show answer" if instance is None else "Show solution"
        if instance is not None:
            self._checking = True  # clearing the box must not check an empty answer
            try:
                self.answer_box.value = ""
            finally:
                self._checking = False
            self.answer_box.placeholder = instance.answer_hint or "Your answer"
            self.answer_box.disabled = False
            _show(self.answer_row, True)

    def _nothing_due_html(self, summary: Summary) -> str:
        now = self.session.clock()
        when, _card = self.session.next_due()
        text = f"Nothing is due in <i>{html.escape(self.deck.title)}</i> right now."
        if summary.new_held:
            text += (f" You have started {summary.new_today} new cards today, the daily limit "
                     f"of {summary.new_per_day} per deck; {summary.new_held} more wait.")
        if when is not None:
            text += f" The next card is due {html.escape(format_moment(when, now))}."
        return f"<p>{text}</p>"

    # -- handlers ----------------------------------------------------------------------

    def reveal(self) -> None:
        """ "Show answer": the back of the card and the rating buttons with their intervals."""
        card = self.session.current
        if card is None:
            return
        instance = self.session.instance()
        self.back.value = to_html(card.back if instance is None else instance.solution_text())
        preview = self.session.rating_preview()
        cap = self.session.rating_cap()
        for rating, button in zip(Rating, self.rating_buttons, strict=True):
            label = preview.labels.get(rating, "")
            button.description = rating.text + (f" · {label}" if label else "")
            # Above the cap the buttons stay usable but lose their colour: a suggestion.
            button.button_style = "" if cap is not None and rating > cap else rating.style
        self.question.value = (
            "How well did you know this? <b>Your answer was wrong, so the suggested rating "
            f"is at most {cap}.</b>" if cap is not None else "How well did you know this?")
        if instance is not None:
            self.answer_box.disabled = True
        _show(self.show_button, False)
        for part in (self.back, self.question, self.ratings):
            _show(part, True)
        self.preview_note.value = f"<i>{html.escape(preview.note)}</i>" if preview.note else ""
        _show(self.preview_note, bool(preview.note))
        self._answer_shown = True

    _checking = False

    def check(self) -> None:
        """Check (or Enter in the box): the verdict on the typed answer; a right, close or
        wrong one also shows the worked solution and the rating buttons."""
        if self._checking or self._answer_shown or self.session.instance() is None:
            return
        self._checking = True
        try:
            verdict = self.session.check(self.answer_box.value)
        except Exception as exc:  # shown in the widget: a notebook must not print
            self.verdict.value = f"<p><b>Could not check:</b> {html.escape(str(exc))}</p>"
            _show(self.verdict, True)
            return
        finally:
            self._checking = False
        mark = {"right": "✓", "wrong": "✗"}.get(verdict.kind, "…")
        self.verdict.value = f"<p><b>{mark}</b> {html.escape(verdict.message)}</p>"
        _show(self.verdict, True)
        if verdict.final:
            self.reveal()

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

    def end(self) -> None:
        """"End session": stop now and show the summary. Every rating given is already
        saved; the summary says what is left."""
        if self.session.current is None:
            return
        self.session.end()
        self._render()

    def more_new(self) -> None:
        """ "10 more new cards today": raise the deck's allowance for this session and go on
        with the next new cards. Only once the queue is done, so a click that arrives late
        (a double click) cannot stack a second batch on a session under way."""
        if self.session.current is not None or not self.session.new_held():
            return
        self.session.more_new(MORE_NEW)
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
    """The end-of-session note (``summary_lines``), the first word in bold."""
    lines = [html.escape(line) for line in summary_lines(summary, now)]
    head, _space, rest = lines[0].partition(". ")
    if rest:
        lines[0] = f"<b>{head}.</b> {rest}"
    if summary.new_held:
        lines.append(f"“{MORE_NEW} more new cards today” goes on with the next ones.")
    return "".join(f"<p>{line}</p>" for line in lines)


def quiz(
    deck: str | Deck,
    limit: int | None = None,
    store: ReviewStore | None = None,
    scheduler: Scheduler | None = None,
    now: datetime | Callable[[], datetime] | None = None,
    *,
    practice: bool = False,
    repeats: int | None = None,
) -> QuizWidget:
    """The quiz widget for ``deck`` (a deck name such as ``"chain-rule"``, a path or a Deck).

    Shows the deck's due cards, new ones included within the daily limit (10 a day), at
    most ``limit`` of them (1 or more): the front, "Show answer", then five rating buttons from
    "1 Not at all" to "5 Perfectly", each with the interval it would give. Every click is
    saved at once to ``store`` (default: the learner's store). ``scheduler`` defaults to
    FSRS; ``now`` (a datetime or a clock function) is for tests.

    ``practice=True`` goes through the deck's cards, due or not, and changes no schedule.
    ``repeats`` caps how often a card rated below 4 comes back in the session (default:
    until it is rated 4 or 5; 0 shows each card once). A short first round that an honest
    beginner can finish: ``quiz(deck, limit=10, repeats=0)``.
    """
    limit = check_limit(limit)
    repeats = check_repeats(repeats)
    deck = load_deck(deck)
    store = store if store is not None else shared_store()

    def session(practice: bool) -> ReviewSession:
        return ReviewSession(deck.cards, store, scheduler, now=now, limit=limit,
                             practice=practice, repeats=repeats)

    return QuizWidget(deck, session(practice), lambda: session(True))
