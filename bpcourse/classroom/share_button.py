"""The "Share my progress" button of notebook 00 (``bpcourse.classroom.share_widget``).

The logic is ``share.share``; this module draws a folder box, an optional name box and the
button, and shows the outcome in the widget itself (a notebook must not print). Tests
click the button through its handler, ``widget.share_button.click()``. Nothing is written
until the learner clicks.
"""

from __future__ import annotations

import html
import os
from datetime import datetime

import ipywidgets as widgets

from bpcourse.flashcards.store import ReviewStore, StoreError, default_store_path, shared_store

from .pseudonym import PseudonymError, read_pseudonym
from .sharing import CLASS_DIR_VARIABLE, ShareError, share

WHAT_IS_SHARED = (
    "Only a summary is shared: per deck how many cards are new, learning, mature and due, "
    "and your retention; per card you reviewed, its reviews, misses, last rating and due "
    "date. Your answers and your review log stay private. Share again at any time to "
    "update it."
)


class ShareWidget(widgets.VBox):
    """Folder, optional name, "Share my progress" and a message.

    Parts (useful in tests): ``folder``, ``name``, ``share_button``, ``message``.
    """

    def __init__(self, folder: str | None = None, store: ReviewStore | None = None,
                 now: datetime | None = None):
        self._store = store
        self._now = now
        default = folder if folder is not None else os.environ.get(CLASS_DIR_VARIABLE, "")
        self.folder = widgets.Text(value=default, description="class folder",
                                   placeholder="the folder your instructor gave you",
                                   layout=widgets.Layout(width="420px"))
        self.name = widgets.Text(value="", description="your name",
                                 placeholder="optional: empty shares under a pseudonym",
                                 layout=widgets.Layout(width="420px"))
        self.share_button = widgets.Button(description="Share my progress", icon="upload",
                                           button_style="primary",
                                           layout=widgets.Layout(width="180px"))
        self.note = widgets.HTML(f"<p>{html.escape(WHAT_IS_SHARED)}</p>")
        self.message = widgets.HTML(self._pseudonym_note())
        self.share_button.on_click(lambda _button: self.share_now())
        super().__init__([self.note, self.folder, self.name, self.share_button, self.message])

    def __repr__(self) -> str:
        # Short and stable: notebook runs compare the text output of every cell.
        return "ShareWidget()"

    def _pseudonym_note(self) -> str:
        try:
            path = self._store.path if self._store is not None else default_store_path()
            pseudonym = read_pseudonym(path)
        except (PseudonymError, StoreError):
            pseudonym = None
        if pseudonym is None:
            return "<p>Without a name you are shown under a pseudonym made at your first share.</p>"
        return f"<p>Without a name you are shown as <code>{html.escape(pseudonym)}</code>.</p>"

    def share_now(self) -> None:
        """The button: share, then say where the summary went (or what went wrong)."""
        name = self.name.value.strip() or None
        try:
            store = self._store if self._store is not None else shared_store()
            path, summary = share(self.folder.value.strip() or None, name, store=store,
                                  now=self._now)
        except (ShareError, StoreError) as exc:
            self.message.value = f"<p><b>Not shared:</b> {html.escape(str(exc))}</p>"
            return
        started = sum(d.started for d in summary.decks)
        shown = f"as <b>{html.escape(summary.learner)}</b>"
        if summary.name is None:
            shown = f"under your pseudonym <code>{html.escape(summary.pseudonym)}</code>"
        self.message.value = (
            f"<p><b>Shared</b> {shown} at {summary.shared_at.astimezone():%H:%M}: "
            f"{started} cards started in {len(summary.decks)} decks, written to "
            f"<code>{html.escape(str(path))}</code>.</p>")


def share_widget(folder: str | None = None, store: ReviewStore | None = None,
                 now: datetime | None = None) -> ShareWidget:
    """The share button for a notebook. ``folder`` defaults to ``$BPCOURSE_CLASS_DIR``
    (which a hub can set for everyone); ``store`` to the learner's; ``now`` is for tests."""
    return ShareWidget(folder, store, now)
