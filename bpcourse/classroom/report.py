"""The instructor's view of a class: ``bpcourse class report DIR`` and ``class_report``.

Built from the summaries in a class folder only (``class_folder.py``); no learner's store
is opened. It holds:

* **learners × decks**: per learner and deck, the cards started (reviewed at least once)
  of the deck's cards; then the learner's cards due today and retention over 30 days;
* **the class's due forecast**: cards due across the class on each of the next 14
  learning days (today first, overdue included), worked out from each card's due date at
  the time of the report, so a summary shared last week still counts right;
* **the hardest cards**: most lapses over the class, then lowest retention, shown by
  their question (the front), not their id: what to re-teach;
* **practice-card accuracy per deck**, from the learners whose bpcourse records whether
  a practice answer was right;
* a heatmap (``heatmap.py``) and a CSV export, one row per learner and deck.

Learning days start at 4 am in the report's time zone (``tz``, default local time), as a
learner's own do.
"""

from __future__ import annotations

import csv
import html
import io
import os
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from bpcourse.flashcards.days import check_utc, day_bounds, learning_day, utc_now
from bpcourse.flashcards.deck import DECK_NAMES, Deck, deck_paths, select_decks
from bpcourse.flashcards.files import write_atomically
from bpcourse.flashcards.stats import FORECAST_DAYS

from .class_folder import ClassFolder
from .hard_card import HardCard
from .learner_row import LearnerRow
from .summary import ProgressSummary

if TYPE_CHECKING:
    from matplotlib.figure import Figure

HARDEST_SHOWN = 10
FRONT_WIDTH = 70
CSV_COLUMNS = ("learner", "named", "file", "shared_at", "deck", "cards", "new", "learning",
               "mature", "due_when_shared", "due_today", "retention_30d",
               "retention_reviews", "practice_answers", "practice_correct")


class ClassReport:
    """The class report (see the module docstring); prints as text, shows as HTML."""

    def __init__(self, folder: ClassFolder, decks: Iterable[str | Deck] | None = None,
                 now: datetime | None = None, tz: tzinfo | None = None):
        self.folder = folder
        self.now = check_utc(now) if now is not None else utc_now()
        self.tz = tz
        if decks is None:
            self._fronts, names = shipped_fronts()
        else:
            known = select_decks(decks)
            self._fronts = {c.id: c.front for d in known for c in d.cards}
            names = [d.name for d in known]
        order = {name: i for i, name in enumerate(names)}
        shared = {d.deck for _f, s in folder.summaries for d in s.decks}
        self.deck_names: list[str] = sorted(shared, key=lambda n: (order.get(n, len(order)), n))
        _start, self._day_end = day_bounds(self.now, tz)
        self._today = learning_day(self.now, tz)
        self.rows: list[LearnerRow] = sorted(
            (self._row(name, summary) for name, summary in folder.summaries),
            key=lambda row: (row.learner.casefold(), row.file))

    @classmethod
    def from_folder(cls, directory: str | os.PathLike[str], **options: Any) -> ClassReport:
        return cls(ClassFolder.read(directory), **options)

    def _row(self, file: str, summary: ProgressSummary) -> LearnerRow:
        graded = sum(d.retention_reviews for d in summary.decks)
        passed = sum(round((d.retention or 0.0) * d.retention_reviews) for d in summary.decks)
        return LearnerRow(
            file=file,
            summary=summary,
            decks={d.deck: d for d in summary.decks},
            due_today=sum(1 for c in summary.cards if c.due < self._day_end),
            retention=passed / graded if graded else None,
            retention_reviews=graded,
        )

    # -- the figures -------------------------------------------------------------------

    def forecast(self) -> list[int]:
        """Cards due across the class on each of the next 14 learning days (day 0 is today,
        overdue cards included)."""
        counts = [0] * FORECAST_DAYS
        today = self._today
        tz = self.tz
        for row in self.rows:
            for card in row.summary.cards:
                if card.due < self._day_end:
                    counts[0] += 1
                    continue
                day = (learning_day(card.due, tz) - today).days
                if day < FORECAST_DAYS:
                    counts[day] += 1
        return counts

    def hardest(self, count: int | None = HARDEST_SHOWN) -> list[HardCard]:
        """The cards with lapses, most lapses first, then lowest retention (``count`` of
        them; None for all)."""
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        decks: dict[str, str] = {}
        for row in self.rows:
            for card in row.summary.cards:
                total = totals[card.card_id]
                total[0] += 1
                total[1] += card.lapses > 0
                total[2] += card.lapses
                total[3] += card.graded
                decks.setdefault(card.card_id, card.deck)
        ranked = sorted(
            (HardCard(card_id, decks[card_id], "", *total)
             for card_id, total in totals.items() if total[2] > 0),
            key=HardCard.sort_key)
        chosen = ranked if count is None else ranked[:count]
        return [HardCard(c.card_id, c.deck, self.front(c.card_id), c.learners, c.lapsed,
                         c.lapses, c.graded) for c in chosen]

    def front(self, card_id: str) -> str:
        """The card's question as one line of plain text ("" if the decks lack it)."""
        front = self._fronts.get(card_id)
        if not front:
            return ""
        from bpcourse.flashcards.markup import to_text

        return " ".join(to_text(front, width=10_000).split())

    def practice_accuracy(self) -> dict[str, tuple[int, int, int]]:
        """Per deck with recorded practice answers: (learners, answers, correct)."""
        result: dict[str, list[int]] = {}
        for row in self.rows:
            for name, deck in row.decks.items():
                if deck.practice_answers:
                    total = result.setdefault(name, [0, 0, 0])
                    total[0] += 1
                    total[1] += deck.practice_answers
                    total[2] += deck.practice_correct or 0
        return {name: (v[0], v[1], v[2]) for name in self.deck_names
                if (v := result.get(name)) is not None}

    def started_share(self) -> list[list[float | None]]:
        """Per learner (rows) and deck (columns): the share of the deck's cards started
        (None where the learner's summary lacks the deck)."""
        return [[(d.started / d.cards if d.cards else 0.0) if (d := row.decks.get(n)) else None
                 for n in self.deck_names] for row in self.rows]

    def retention_share(self) -> list[list[float | None]]:
        """Per learner and deck: retention over 30 days (None: no reviews to tell)."""
        return [[d.retention if (d := row.decks.get(n)) else None for n in self.deck_names]
                for row in self.rows]

    # -- text and HTML -----------------------------------------------------------------

    def title(self) -> str:
        learners = len(self.rows)
        named = sum(1 for r in self.rows if r.summary.name is not None)
        text = (f"Class report for {self.folder.path}: {learners} "
                f"learner{'' if learners == 1 else 's'}")
        if learners:
            text += f" ({named} named)"
            first = min(r.summary.shared_at for r in self.rows)
            last = max(r.summary.shared_at for r in self.rows)
            text += f", shared from {_day_time(first, self.tz)} to {_day_time(last, self.tz)}"
        return text + "."

    def table_rows(self) -> list[list[str]]:
        """The learners × decks table: header, then one row per learner."""
        header = ["learner", *self.deck_names, "due today", "retention 30 d"]
        body = [[row.learner,
                 *(f"{d.started}/{d.cards}" if (d := row.decks.get(n)) else "–"
                   for n in self.deck_names),
                 str(row.due_today), _percent(row.retention)] for row in self.rows]
        return [header, *body]

    def hardest_rows(self) -> list[list[str]]:
        rows = [["#", "lapses", "learners", "retention", "deck", "card"]]
        for rank, card in enumerate(self.hardest(), start=1):
            rows.append([str(rank), str(card.lapses), f"{card.lapsed}/{card.learners}",
                         _percent(card.retention), card.deck,
                         _shorten(card.front, FRONT_WIDTH) or f"({card.card_id})"])
        return rows

    def practice_rows(self) -> list[list[str]]:
        rows = [["deck", "accuracy", "answers", "learners"]]
        for name, (learners, answers, correct) in self.practice_accuracy().items():
            rows.append([name, _percent(correct / answers), str(answers), str(learners)])
        return rows

    def __str__(self) -> str:
        lines = [self.title()]
        if self.folder.skipped:
            lines.append(f"Skipped {len(self.folder.skipped)} file(s) that are not usable "
                         "progress summaries:")
            lines += [f"  {name}: {why}" for name, why in self.folder.skipped]
        if not self.rows:
            lines.append("No progress summaries yet: learners add theirs with "
                         f"`bpcourse share {self.folder.path}`.")
            return "\n".join(lines)
        # Decks by number in the text table: their names side by side would not fit.
        header, *body = self.table_rows()
        count = len(self.deck_names)
        lines += ["", "Cards started per deck (of its cards), due today, retention over 30 days."]
        lines += ["Decks: " + ", ".join(f"{i} {name}" for i, name in
                                        enumerate(self.deck_names, start=1))]
        numbered = [header[0], *(str(i) for i in range(1, count + 1)), *header[count + 1:]]
        lines += _align([numbered, *body])
        lines += ["", f"Due across the class in the next {FORECAST_DAYS} days (today first, "
                  "overdue included):", "  " + " ".join(str(n) for n in self.forecast())]
        lines.append("")
        hardest, practice = self.hardest_rows(), self.practice_rows()
        if len(hardest) > 1:
            lines.append("Hardest cards (most lapses, then lowest retention): re-teach these")
            lines += _align(hardest, left=(4, 5))
        else:
            lines.append("Hardest cards: no lapses yet.")
        lines.append("")
        if len(practice) > 1:
            lines.append("Practice-card accuracy per deck:")
            lines += _align(practice)
        else:
            lines.append("Practice-card accuracy: no practice answers recorded yet.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        parts = [f"<p><b>{html.escape(self.title())}</b></p>"]
        if self.folder.skipped:
            items = "".join(f"<li><code>{html.escape(name)}</code>: {html.escape(why)}</li>"
                            for name, why in self.folder.skipped)
            parts.append(f"<p>Skipped (not usable progress summaries):</p><ul>{items}</ul>")
        if not self.rows:
            parts.append("<p>No progress summaries yet.</p>")
            return "".join(parts)
        parts.append("<p>Cards started per deck (of its cards), due today, retention over 30 "
                     "days:</p>" + _html_table(self.table_rows()))
        forecast = [["day", "today", *(f"+{d}" for d in range(1, FORECAST_DAYS))],
                    ["cards due", *(str(n) for n in self.forecast())]]
        parts.append("<p>Due across the class (overdue counted today):</p>"
                     + _html_table(forecast))
        hardest = self.hardest_rows()
        parts.append("<p>Hardest cards (most lapses, then lowest retention):</p>"
                     + _html_table(hardest) if len(hardest) > 1
                     else "<p>Hardest cards: no lapses yet.</p>")
        practice = self.practice_rows()
        parts.append("<p>Practice-card accuracy per deck:</p>" + _html_table(practice)
                     if len(practice) > 1
                     else "<p>Practice-card accuracy: no practice answers recorded yet.</p>")
        return "".join(parts)

    # -- files -------------------------------------------------------------------------

    def csv_rows(self) -> list[list[str]]:
        """One row per learner and deck (``CSV_COLUMNS``)."""
        rows = [list(CSV_COLUMNS)]
        for row in self.rows:
            summary = row.summary
            due_now: dict[str, int] = defaultdict(int)
            for card in summary.cards:
                if card.due < self._day_end:
                    due_now[card.deck] += 1
            for deck in summary.decks:
                rows.append([
                    _spreadsheet_safe(row.learner), str(summary.name is not None).lower(),
                    _spreadsheet_safe(row.file), summary.shared_at.isoformat(), deck.deck,
                    str(deck.cards), str(deck.new), str(deck.learning), str(deck.mature),
                    str(deck.due), str(due_now[deck.deck]),
                    "" if deck.retention is None else f"{deck.retention:.4f}",
                    str(deck.retention_reviews), _optional(deck.practice_answers),
                    _optional(deck.practice_correct),
                ])
        return rows

    def write_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write ``csv_rows`` to ``path`` (UTF-8, a new file renamed into place)."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(self.csv_rows())
        data = buffer.getvalue().encode("utf-8")

        def write(file: BinaryIO) -> None:
            file.write(data)

        return write_atomically(path, write)

    def plot(self, path: str | os.PathLike[str] | None = None) -> Figure:
        """The heatmap figure (``heatmap.draw_heatmap``), saved to ``path`` when given."""
        from .heatmap import draw_heatmap, save_figure

        figure = draw_heatmap(self)
        if path is not None:
            save_figure(figure, path)
        return figure


def shipped_fronts() -> tuple[dict[str, str], list[str]]:
    """The fronts of the shipped cards by id, and the deck names in the course's order,
    read straight from the deck files. Loading the decks would validate them, and so load
    the practice cards' generators and SymPy with them (seconds), for text a report shows
    ten of. A practice card's front is drawn afresh at each review: it is shown as the
    kind of problem it poses. Files that do not read are passed over (the report then
    shows those cards by id); ``bpcourse cards check`` is where they are reported."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    fronts: dict[str, str] = {}
    names = []
    for path in deck_paths():
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if not isinstance(data, dict) or not isinstance(data.get("cards"), list):
            continue
        names.append(str(data.get("deck", path.stem)))
        for card in data["cards"]:
            if not isinstance(card, dict) or not isinstance(card.get("id"), str):
                continue
            front = card.get("front")
            if not isinstance(front, str) and card.get("kind") == "practice":
                front = f"Practice problem ({card.get('generator', 'generated')})"
            if isinstance(front, str):
                fronts[card["id"]] = front
    position = {name: i for i, name in enumerate(DECK_NAMES)}
    names.sort(key=lambda name: (position.get(name, len(position)), name))
    return fronts, names


def class_report(directory: str | os.PathLike[str] | None = None, **options: Any) -> ClassReport:
    """The report of the class folder ``directory`` (default: ``$BPCOURSE_CLASS_DIR``);
    shows itself as tables in a notebook. ``options``: ``decks``, ``now``, ``tz``."""
    from .sharing import class_folder

    return ClassReport.from_folder(class_folder(directory), **options)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _optional(value: int | None) -> str:
    return "" if value is None else str(value)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _day_time(when: datetime, tz: tzinfo | None) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _spreadsheet_safe(text: str) -> str:
    # A learner's name is typed by the learner: one starting with = + - @ would be a
    # formula in a spreadsheet that opens the CSV.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _align(rows: list[list[str]], left: tuple[int, ...] = (0,)) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) if i in left else cell.rjust(w)
                      for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
            for row in rows]


def _html_table(rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows[1:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

