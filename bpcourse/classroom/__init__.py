"""Teaching a class: learners share a summary of their progress, the instructor reads the
class's report.

For a learner (notebook 00 has the button)::

    from bpcourse.classroom import share, share_widget
    share("/srv/class")               # or: bpcourse share /srv/class [--name NAME]
    share_widget()                    # the "Share my progress" button

For the instructor::

    from bpcourse.classroom import class_report, class_report_widget
    class_report("/srv/class")        # tables; .plot() the heatmap, .write_csv(FILE)
    class_report_widget("/srv/class") # the same with a Refresh button

The learner's review store stays private: only the summary (``summary.py``) is shared,
and the report reads summaries only. ipywidgets and matplotlib load on first use.
"""

from __future__ import annotations

from typing import Any

from .card_summary import CardSummary
from .class_folder import ClassFolder, ClassFolderError
from .deck_summary import DeckSummary
from .fields import SummaryError
from .hard_card import HardCard
from .report import ClassReport, class_report
from .sharing import ShareError, build_summary, share
from .summary import SUMMARY_VERSION, ProgressSummary


def __getattr__(name: str) -> Any:
    if name == "share_widget":
        from .share_button import share_widget

        return share_widget
    if name == "class_report_widget":
        from .class_view import class_report_widget

        return class_report_widget
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "SUMMARY_VERSION",
    "CardSummary",
    "ClassFolder",
    "ClassFolderError",
    "ClassReport",
    "DeckSummary",
    "HardCard",
    "ProgressSummary",
    "ShareError",
    "SummaryError",
    "build_summary",
    "class_report",
    "class_report_widget",
    "share",
    "share_widget",
]
