"""The class report in a notebook (``bpcourse.classroom.class_report_widget``).

A folder box and a "Refresh" button above the report's tables and heatmap, redrawn from
the class folder at each click, so an instructor can leave it open during a session. The
logic is ``ClassReport``; tests click through ``widget.refresh_button.click()``.
"""

from __future__ import annotations

import html
import io
import os
from datetime import datetime

import ipywidgets as widgets

from .class_folder import ClassFolderError
from .report import ClassReport
from .sharing import CLASS_DIR_VARIABLE


class ClassReportWidget(widgets.VBox):
    """Parts (useful in tests): ``folder``, ``refresh_button``, ``tables`` (HTML),
    ``heatmap`` (a PNG image), ``report`` (the last ClassReport, None before one)."""

    def __init__(self, folder: str | None = None, now: datetime | None = None):
        self._now = now
        default = folder if folder is not None else os.environ.get(CLASS_DIR_VARIABLE, "")
        self.folder = widgets.Text(value=default, description="class folder",
                                   layout=widgets.Layout(width="420px"))
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh",
                                             button_style="info")
        self.tables = widgets.HTML()
        self.heatmap = widgets.Image(format="png")
        self.report: ClassReport | None = None
        self.refresh_button.on_click(lambda _button: self.refresh())
        super().__init__([widgets.HBox([self.folder, self.refresh_button]), self.tables,
                          self.heatmap])
        if default:
            self.refresh()

    def __repr__(self) -> str:
        return "ClassReportWidget()"

    def refresh(self) -> None:
        """Read the class folder again and redraw."""
        folder = self.folder.value.strip()
        if not folder:
            self.tables.value = "<p>Type the class folder, then press Refresh.</p>"
            return
        try:
            self.report = ClassReport.from_folder(folder, now=self._now)
        except ClassFolderError as exc:
            self.report = None
            self.tables.value = f"<p><b>Cannot read the class:</b> {html.escape(str(exc))}</p>"
            self.heatmap.value = b""
            return
        self.tables.value = self.report._repr_html_()
        buffer = io.BytesIO()
        self.report.plot().savefig(buffer, format="png", dpi=80)
        self.heatmap.value = buffer.getvalue()


def class_report_widget(folder: str | None = None, now: datetime | None = None
                        ) -> ClassReportWidget:
    """The class report as a widget; ``folder`` defaults to ``$BPCOURSE_CLASS_DIR``."""
    return ClassReportWidget(folder, now)
