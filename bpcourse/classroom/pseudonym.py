"""The learner's pseudonym: a random id kept next to their review store.

Made once, at the first share, and then read back, so every later share replaces the same
file in the class folder (``learner-3f9a0c1e.json``). It is random rather than derived from
anything about the learner, so it says nothing about them; it stays private (0600) in the
learner's own store folder, beside ``reviews.sqlite3``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from .summary import PSEUDONYM

FILENAME = "pseudonym"


class PseudonymError(RuntimeError):
    """The pseudonym file cannot be read or made; the message names it and what to do."""


def pseudonym_file(store_path: str | os.PathLike[str]) -> Path:
    """Where the pseudonym of the store at ``store_path`` is kept."""
    return Path(store_path).parent / FILENAME


def read_pseudonym(store_path: str | os.PathLike[str]) -> str | None:
    """The learner's pseudonym, or None if they never shared."""
    path = pseudonym_file(store_path)
    try:
        value = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise PseudonymError(f"{path}: cannot be read ({exc}).") from exc
    if not PSEUDONYM.match(value):
        raise PseudonymError(
            f"{path}: holds {value[:40]!r}, not a pseudonym such as learner-3f9a0c1e. Delete "
            "the file to get a new pseudonym (your summary in the class folder then gets a "
            "new file; ask your instructor to remove the old one).")
    return value


def learner_pseudonym(store_path: str | os.PathLike[str]) -> str:
    """The learner's pseudonym, made (and kept) at the first call."""
    existing = read_pseudonym(store_path)
    if existing is not None:
        return existing
    path = pseudonym_file(store_path)
    value = f"learner-{secrets.token_hex(4)}"
    temporary = path.with_name(f".{FILENAME}.{secrets.token_hex(4)}.tmp")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(value + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            # A link, unlike a rename, never replaces: of two first shares at the same
            # moment (two kernels), one makes the file and both then use its value.
            os.link(temporary, path)
        except FileExistsError:
            pass
        except OSError:
            # A filesystem without hard links (some network and FUSE ones): a rename,
            # which only a first share racing another could make replace a pseudonym.
            if not path.exists():
                os.replace(temporary, path)
    except OSError as exc:
        raise PseudonymError(f"{path}: cannot be written ({exc.strerror or exc}).") from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    result = read_pseudonym(store_path)
    assert result is not None
    return result
