"""The course's notebooks, shipped in the package, copied into a learner's folder.

``bpcourse notebooks [DIR]`` copies every shipped notebook into DIR (default
``bpcourse-notebooks``). Run again after bpcourse was upgraded, it brings in the new
versions, but only of notebooks the learner has not changed, as nbgitpuller does: a
notebook whose cells the learner edited (an exercise answered, a cell added) is kept as it
is, and the command says so. Running a notebook changes only its outputs, which the
course's own version brings back, so a notebook that was only run still counts as
unchanged. Notebooks that are no longer part of the course (renamed) are removed when
the learner never changed them, and left in place, with a note, when they did.

What was copied is remembered in ``DIR/.bpcourse-notebooks.json`` (a fingerprint of each
notebook's cells), written after the copies, each of which is a new file renamed into
place: an interrupted run leaves every notebook either old or new, never half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from bpcourse.flashcards.files import write_atomically

MANIFEST = ".bpcourse-notebooks.json"
DEFAULT_DIRECTORY = "bpcourse-notebooks"


class NotebookCopyError(RuntimeError):
    """The notebooks could not be copied; the message says why."""


@dataclass
class NotebookCopy:
    """What a run did, by notebook file name."""

    directory: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        counts = [(len(self.added), "added"), (len(self.updated), "updated"),
                  (len(self.unchanged), "unchanged"), (len(self.kept), "kept"),
                  (len(self.removed), "removed")]
        lines = [f"Course notebooks in {self.directory}: "
                 + ", ".join(f"{n} {what}" for n, what in counts if n) + "."]
        details = [
            (self.added, "added"),
            (self.updated, "updated to the new version"),
            (self.kept, "kept as you changed it (to get the new version, rename your copy "
                        "and run this again)"),
            (self.removed, "removed: no longer part of the course, and you had not changed it"),
            (self.left, "left in place: no longer part of the course, but you changed it"),
        ]
        for names, what in details:
            if names and (what != "added" or self.updated or self.kept):
                lines.append(f"  {what}: {', '.join(names)}")
        return "\n".join(lines)


def shipped_directory() -> Path:
    """The notebooks installed with the package (``bpcourse.notebooks``); a source checkout
    that was never installed falls back to its ``notebooks/`` folder."""
    try:
        return Path(str(resources.files("bpcourse.notebooks")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "notebooks"


def shipped_notebooks() -> list[Path]:
    """The course's notebooks, sorted by name (00_start_here.ipynb first)."""
    return sorted(p for p in shipped_directory().glob("*.ipynb") if p.is_file())


def cells_fingerprint(data: bytes) -> str | None:
    """A fingerprint of a notebook's cells (type and source; not outputs or metadata), or
    None if ``data`` is not a notebook."""
    try:
        notebook = json.loads(data.decode("utf-8"))
        cells = [(cell["cell_type"], "".join(cell["source"]) if isinstance(cell["source"], list)
                  else cell["source"]) for cell in notebook["cells"]]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    return hashlib.sha256(json.dumps(cells).encode()).hexdigest()


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        notebooks = data["notebooks"]
        return {str(k): str(v) for k, v in notebooks.items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        # Without a trustworthy record every existing notebook counts as the learner's.
        return {}


def copy_notebooks(directory: str | os.PathLike[str] = DEFAULT_DIRECTORY,
                   source: str | os.PathLike[str] | None = None) -> NotebookCopy:
    """Copy or update the course notebooks in ``directory`` (made if missing); see the
    module docstring. ``source`` is a folder of notebooks to copy instead of the shipped
    ones (for tests)."""
    target = Path(os.path.expanduser(os.fspath(directory)))
    if target.exists() and not target.is_dir():
        raise NotebookCopyError(f"{target}: is a file; name a folder for the notebooks.")
    notebooks = (sorted(Path(source).glob("*.ipynb")) if source is not None
                 else shipped_notebooks())
    if not notebooks:
        raise NotebookCopyError("this bpcourse has no notebooks to copy (was it installed "
                                "without them?).")
    try:
        target.mkdir(parents=True, exist_ok=True)
        return _copy(target, notebooks)
    except OSError as exc:
        raise NotebookCopyError(f"{exc.filename or target}: {exc.strerror or exc}; "
                                "notebooks copied so far are complete.") from exc


def _copy(target: Path, notebooks: list[Path]) -> NotebookCopy:
    manifest_path = target / MANIFEST
    recorded = _read_manifest(manifest_path)
    result = NotebookCopy(target)
    manifest: dict[str, str] = {}
    for notebook in notebooks:
        name = notebook.name
        new = notebook.read_bytes()
        new_key = cells_fingerprint(new)
        destination = target / name
        if not destination.exists():
            _write(destination, new)
            result.added.append(name)
            manifest[name] = new_key or ""
            continue
        current = cells_fingerprint(destination.read_bytes())
        if current is not None and current == new_key:
            result.unchanged.append(name)  # the same cells; the learner's outputs stay
            manifest[name] = new_key
        elif current is not None and current == recorded.get(name):
            _write(destination, new)
            result.updated.append(name)
            manifest[name] = new_key or ""
        else:
            result.kept.append(name)
            if name in recorded:
                manifest[name] = recorded[name]
    shipped = {n.name for n in notebooks}
    for name, key in sorted(recorded.items()):
        old = target / name
        if name in shipped or not old.is_file():
            continue
        if cells_fingerprint(old.read_bytes()) == key:
            old.unlink()
            result.removed.append(name)
        else:
            result.left.append(name)
    text = json.dumps({"version": 1, "notebooks": manifest}, indent=1, sort_keys=True) + "\n"
    _write(manifest_path, text.encode())
    return result


def _write(path: Path, data: bytes) -> None:
    def write(file: BinaryIO) -> None:
        file.write(data)

    write_atomically(path, write)
