"""The class commands of ``bpcourse`` (registered by ``bpcourse.flashcards.cli``).

    bpcourse share [DIR] [--name NAME]       share a summary of your progress with the
                                             class folder DIR (default $BPCOURSE_CLASS_DIR)
    bpcourse class report DIR [--csv FILE] [--plot FILE]
                                             the instructor's view of a class folder
    bpcourse notebooks [DIR]                 copy the course notebooks into DIR (default
                                             ./bpcourse-notebooks), or update them there

Registered through the ``bpcourse.commands`` entry point (pyproject.toml), since
``bpcourse.flashcards`` sits below this package and imports nothing from it. Each returns
the exit status and reports problems in one line on standard error: 1 for
a failure, 2 for a usage error. Only these modules load here; matplotlib only for --plot.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bpcourse.coursefiles import DEFAULT_DIRECTORY


def _figure_path(text: str) -> Path:
    from bpcourse.flashcards.plot import plot_file

    try:
        path = plot_file(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return _writable(path)


def _csv_path(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("give a file name for the CSV, e.g. class.csv")
    return _writable(Path(text))


def _writable(path: Path) -> Path:
    folder = path.absolute().parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {path}: there is no directory {folder}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {path}: it is a directory")
    return path


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``share``, ``class`` and ``notebooks`` to the ``bpcourse`` parser, each with its
    ``handler`` (the ``bpcourse.commands`` entry point that ``flashcards.cli`` calls)."""
    share = commands.add_parser(
        "share", help="share a summary of your progress with your class (your review store "
                      "stays private)")
    share.add_argument("directory", nargs="?", metavar="DIR",
                       help="the class folder (default: $BPCOURSE_CLASS_DIR)")
    share.set_defaults(handler=run_share)
    share.add_argument("--name", help="show this name to the instructor instead of your "
                                      "pseudonym")

    klass = commands.add_parser("class", help="for instructors: the class's shared progress")
    class_commands = klass.add_subparsers(dest="class_command", required=True)
    report = class_commands.add_parser(
        "report", help="learners × decks, due forecast, hardest cards, practice accuracy")
    report.add_argument("directory", metavar="DIR", help="the class folder")
    report.set_defaults(handler=run_class)
    report.add_argument("--csv", metavar="FILE", type=_csv_path,
                        help="also write one row per learner and deck to FILE")
    report.add_argument("--plot", metavar="FILE.png", type=_figure_path,
                        help="also draw the learners × decks heatmap (.png unless another "
                             "extension such as .pdf or .svg is given)")

    notebooks = commands.add_parser(
        "notebooks", help="copy the course notebooks into a folder, or update them there")
    notebooks.add_argument("directory", nargs="?", metavar="DIR", default=DEFAULT_DIRECTORY,
                           help=f"where to put them (default: ./{DEFAULT_DIRECTORY})")
    notebooks.set_defaults(handler=run_notebooks)


def run_share(args: argparse.Namespace) -> int:
    from bpcourse.flashcards.store import ReviewStore

    from .sharing import ShareError, check_name, share, usable_folder

    try:
        # Checked before the store is opened, so a typo costs nothing.
        folder = usable_folder(args.directory)
        check_name(args.name)
        with ReviewStore() as store:
            path, summary = share(folder, args.name, store=store)
    except ShareError as exc:
        print(exc, file=sys.stderr)
        return 1
    started = sum(d.started for d in summary.decks)
    print(f"Shared your progress as {summary.learner} ({started} cards started in "
          f"{len(summary.decks)} decks) to {path}.")
    if summary.name is None:
        print("Your name is not in it; add --name NAME to show it to your instructor.")
    return 0


def run_class(args: argparse.Namespace) -> int:
    from .class_folder import ClassFolderError
    from .report import ClassReport

    try:
        report = ClassReport.from_folder(args.directory)
    except ClassFolderError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(report)
    status = 0
    for option, write in (("csv", report.write_csv), ("plot", report.plot)):
        path = getattr(args, option)
        if path is None:
            continue
        try:
            write(path)
        except OSError as exc:
            print(f"Cannot write {path}: {exc.strerror or exc}.", file=sys.stderr)
            status = 1
            continue
        print(f"\n{'CSV' if option == 'csv' else 'Heatmap'} written to {path}")
    return status


def run_notebooks(args: argparse.Namespace) -> int:
    from bpcourse.coursefiles import NotebookCopyError, copy_notebooks

    try:
        result = copy_notebooks(args.directory)
    except NotebookCopyError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(result)
    if result.added and not (result.updated or result.unchanged or result.kept):
        print(f"Open them with: jupyter lab {result.directory}")
    return 0

