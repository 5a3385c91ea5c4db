"""What each rating button says before it is clicked, and one line saying why.

A button normally shows the interval its rating would give ("4 Mostly · 10 min"). Three
cases need more, or the learner is left guessing:

* **Practice.** A card back for another try in the same session (rated below 4 earlier,
  not due again yet), and every card of a practice round, is logged as practice and keeps
  its schedule: its buttons read "practice: not rescheduled", and the note says why.
* **Equal intervals.** Under SM-2 a card's first pass always gives 1 day, whatever the
  rating; what the rating changes is the easiness factor, which shows only in later
  intervals (SM-2 multiplies by the easiness as it was before the review, so 3, 4 and 5
  always share the next interval). When the passing ratings would all give the same one,
  each button shows the next three intervals if that rating were given every time
  ("1 d → 6 d → 15 d"), and the note explains it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .ratings import RATINGS
from .schedulers import SM2, Scheduler, ScheduleState
from .timefmt import format_interval, format_moment

PRACTICE_LABEL = "practice: not rescheduled"
STEPS = 3  # intervals shown when the next ones alone cannot tell the ratings apart


@dataclass(frozen=True)
class RatingPreview:
    """Per rating, the text after its label ("" for none); ``note``: one line or ""."""

    labels: dict[int, str] = field(default_factory=dict)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"labels": {str(r): text for r, text in self.labels.items()}, "note": self.note}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RatingPreview:
        return cls({int(r): str(t) for r, t in data["labels"].items()}, str(data["note"]))


def practice_preview(round_: bool, due_again: datetime | None, now: datetime) -> RatingPreview:
    """The buttons of a card logged as practice: a practice round (``round_``) or a repeat
    in the same session before the card is due again (at ``due_again``)."""
    if round_:
        note = "Practice round: your ratings are saved, but they change no card's schedule."
    else:
        when = f", {format_moment(due_again, now)}," if due_again is not None else ""
        note = ("This card is back for another try. Until it is due again"
                f"{when} a repeat is saved as practice and does not change its schedule.")
    return RatingPreview(dict.fromkeys(RATINGS, PRACTICE_LABEL), note)


def _sequence(scheduler: Scheduler, state: ScheduleState | None, rating: int, now: datetime,
              card_id: str) -> list[timedelta]:
    """The next ``STEPS`` intervals if ``rating`` were given at every review, on time."""
    intervals = []
    when = now
    for _step in range(STEPS):
        state = scheduler.review(state, rating, when, card_id=card_id)
        intervals.append(state.due - when)
        when = state.due
    return intervals


def interval_preview(scheduler: Scheduler, state: ScheduleState | None, now: datetime,
                     card_id: str = "") -> RatingPreview:
    """The buttons of a card that a rating reschedules (``state``: None for a new card)."""
    first = {r: format_interval(scheduler.review(state, r, now, card_id=card_id).due - now)
             for r in RATINGS}
    if len({first[r] for r in RATINGS if r >= 3}) > 1:
        return RatingPreview(first)
    labels = {}
    for rating in RATINGS:
        steps = [format_interval(i) for i in _sequence(scheduler, state, rating, now, card_id)]
        labels[rating] = " → ".join(steps) if len(set(steps)) > 1 else steps[0]
    if isinstance(scheduler, SM2):
        note = ("SM-2 gives every pass the same next interval (1 day after a first pass or a "
                "miss, then 6 days, then the last one times the card's easiness); your rating "
                "changes the easiness, so it shows in the intervals after that. Each button "
                "shows the next three if you gave that rating each time.")
    else:
        note = ("These ratings all give the same next interval; each button shows the next "
                "three if you gave that rating each time.")
    return RatingPreview(labels, note)
