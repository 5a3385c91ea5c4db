"""Graded help for an exercise: a first hint, a second hint, then the worked solution.

``HelpPanel(record)`` (built by ``solutions.help_for("delta2")``) is a small widget with one
button. Each click shows the next step of help, so a learner who only needs a nudge is not
shown the answer. The content comes from the exercise's ``Help`` record in
``bpcourse.exercises.solutions``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

#: Labels of the one button, by how much help is already shown.
BUTTON_LABELS = ("Show a hint", "Show another hint", "Show the worked solution")


@dataclass(frozen=True)
class Help:
    """One exercise's help and reference answer.

    ``setup`` is the code that makes the exercise's givens (as the notebook does), and
    ``solution`` the worked answer, which defines the variables ``names``; ``check`` is
    the call that grades them. The tests run all three, so the solution shown is the one
    the check accepts.
    """

    key: str
    hints: tuple[str, str]
    solution: str
    names: tuple[str, ...]
    check: str
    setup: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Help:
        return cls(key=str(data["key"]), hints=(str(data["hints"][0]), str(data["hints"][1])),
                   solution=str(data["solution"]), names=tuple(data["names"]),
                   check=str(data["check"]), setup=str(data.get("setup", "")))

    def step_html(self, shown: int) -> str:
        """The help visible after ``shown`` clicks (0 to 3), as HTML."""
        parts = [f"<p><b>Hint {i + 1}.</b> {html.escape(h)}</p>"
                 for i, h in enumerate(self.hints[:min(shown, 2)])]
        if shown >= 3:
            parts.append("<p><b>Worked solution</b> (type it in yourself, then run the "
                         "check):</p><pre>" + html.escape(self.solution.strip()) + "</pre>")
        return "".join(parts)


class HelpPanel:
    """The widget of ``help_for``: ``button``, ``output`` (an HTML widget) and ``shown``."""

    def __init__(self, record: Help) -> None:
        import ipywidgets as widgets

        self.record, self.shown = record, 0
        self.button = widgets.Button(description=BUTTON_LABELS[0], icon="life-ring",
                                     layout=widgets.Layout(width="auto"))
        self.output = widgets.HTML("")
        self.button.on_click(self._next)
        self.widget = widgets.VBox([self.button, self.output])

    def _next(self, _button: object = None) -> None:
        self.shown = min(self.shown + 1, 3)
        self.output.value = self.record.step_html(self.shown)
        if self.shown < 3:
            self.button.description = BUTTON_LABELS[self.shown]
        else:
            self.button.description, self.button.disabled = "All help shown", True

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
