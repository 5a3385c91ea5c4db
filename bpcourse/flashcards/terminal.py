"""What the ``bpcourse`` command writes to a terminal, and what happens when it cannot.

* **Control characters.** Card text, deck titles and file names end up on the learner's
  terminal. An escape sequence in any of them could recolour, clear or retitle it, or
  (with some terminals) do worse. Card text goes through ``clean``, which drops escape
  sequences whole and any other control character (line breaks and tabs apart), as well
  as the bidirectional overrides that make text display in another order than it is
  stored. Everything else written (messages, file names) goes through ``visible``, which
  shows such characters inert (``^[`` for ESC), so a file can still be recognised.
* **Encodings.** A terminal that cannot show a character (``PYTHONIOENCODING=ascii``, an
  old Windows code page) gets a readable stand-in (``–`` becomes ``-``, ``δ`` becomes
  ``delta``) instead of a UnicodeEncodeError.
* **Closed or full output.** ``bpcourse stats | head -1`` closes the pipe early, and
  ``> /dev/full`` cannot be written at all. Either is reported in one line (nothing for a
  closed pipe, which is what the reader asked for) instead of a traceback, with the
  exit status a shell expects: 141 (128 + SIGPIPE) or 1.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import os
import re
import sys
import unicodedata
from typing import Any, TextIO

# ESC-led sequences (CSI, OSC, DCS, ... up to their terminator) and 8-bit CSI, dropped
# whole: dropping only the ESC would leave "[2J" litter behind.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, clearing
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|\Z)"  # OSC, DCS, SOS, PM, APC: up to ST or BEL
    r"|\x1b[ -/]*[0-~]"  # two-character and nF sequences
    r"|\x9b[0-?]*[ -/]*[@-~]",  # 8-bit CSI
    re.S,
)
# Every C0 and C1 control but tab and line feed, DEL, and the bidirectional embeddings,
# overrides and isolates ("Trojan Source").
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

EXIT_CLOSED_PIPE = 128 + 13  # what a shell reports for a program ended by SIGPIPE

_STAND_INS = {
    "–": "-", "—": "--", "−": "-", "‐": "-", "‑": "-", "·": "-", "•": "*", "×": "x",
    "÷": "/", "…": "...", "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"',
    "«": "<<", "»": ">>", "≈": "~", "≠": "!=", "≤": "<=", "≥": ">=", "±": "+/-",
    "←": "<-", "→": "->", "⇒": "=>", "⇐": "<=", "↔": "<->", "‖": "||", "½": "1/2",
    "¼": "1/4", "¾": "3/4", "°": " deg", "∞": "inf", "√": "sqrt",
    "∂": "d", "∑": "sum", "∏": "prod", "∈": " in ", "⊙": "*", "⊤": "^T", "\u00a0": " ",
    "\u2009": " ", "\u202f": " ", "✓": "v", "✗": "x",
}


def clean(text: str) -> str:
    """``text`` without terminal escape sequences and control characters (tab and line
    feed are kept); a carriage return becomes a line feed, as it is one in a deck. For
    card text, where a sequence is never meant to be read."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL.sub("", _ESCAPES.sub("", text))


def _caret(match: re.Match) -> str:
    code = ord(match.group())
    if code < 32:
        return "^" + chr(code + 64)  # ESC is ^[, as cat -v and less show it
    return "^?" if code == 127 else f"<U+{code:04X}>"


def visible(text: str) -> str:
    """``text`` with each control character (but tab and line feed) shown inert and
    visible: ``^[`` for ESC, ``<U+202E>`` for an override. For messages, where a file name
    with an escape sequence in it must still be recognisable."""
    return CONTROL.sub(_caret, text.replace("\r\n", "\n"))


def _stand_in(char: str) -> str:
    if char in _STAND_INS:
        return _STAND_INS[char]
    plain = "".join(_STAND_INS.get(c, c) for c in unicodedata.normalize("NFKD", char)
                    if not unicodedata.combining(c))
    if plain and plain.isascii():
        return plain
    name = unicodedata.name(char, "")
    if name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")):
        letter = name.rsplit(" ", 1)[-1].lower()
        return letter if "SMALL" in name else letter.capitalize()
    return "?"


def _script_kind(char: str) -> str:
    name = unicodedata.name(char, "")
    return "^" if name.startswith("SUPERSCRIPT") else "_" if name.startswith("SUBSCRIPT") else ""


def _replace_unencodable(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    run = error.object[error.start:error.end]
    index = 0
    while index < len(run):
        kind = _script_kind(run[index])
        end = index + 1
        while kind and end < len(run) and _script_kind(run[end]) == kind:
            end += 1
        text = "".join(_stand_in(c) for c in run[index:end])
        # 10⁻³ reads 10^(-3), as the review writes maths: a run of scripts is one exponent.
        out.append(kind + (text if len(text) == 1 or not kind else f"({text})"))
        index = end
    return "".join(out), error.end


STAND_IN_ERRORS = "bpcourse-stand-in"
codecs.register_error(STAND_IN_ERRORS, _replace_unencodable)


def can_encode(text: str, encoding: str | None) -> bool:
    """Whether a stream in ``encoding`` (None: UTF-8) can show ``text`` as it is."""
    try:
        text.encode(encoding or "utf-8")
    except UnicodeEncodeError:
        return False
    except LookupError:  # an encoding name Python does not know: play safe
        return text.isascii()
    return True


class OutputError(Exception):
    """Writing to standard output or error failed; ``closed`` for a reader gone away."""

    def __init__(self, error: OSError, stream_name: str):
        super().__init__(error.strerror or str(error))
        self.error = error
        self.stream_name = stream_name
        self.closed = isinstance(error, BrokenPipeError) or error.errno == errno.EPIPE


class SafeStream(io.TextIOBase):
    """A text stream for the terminal: writes ``clean`` text in characters the stream can
    encode, and reports a failed write as an OutputError."""

    def __init__(self, stream: TextIO, name: str):
        super().__init__()
        self.stream = stream
        self.name = name
        self._encoding = getattr(stream, "encoding", None) or "utf-8"

    @property
    def encoding(self) -> str:  # type: ignore[override]  # io.TextIOBase says Any
        return self._encoding

    @property
    def errors(self) -> str:  # type: ignore[override]
        return STAND_IN_ERRORS

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return bool(self.stream.isatty())

    def fileno(self) -> int:
        return self.stream.fileno()

    def write(self, text: str) -> int:
        text = visible(text)
        if not can_encode(text, self._encoding):
            with contextlib.suppress(LookupError):
                text = text.encode(self._encoding, STAND_IN_ERRORS).decode(self._encoding)
        try:
            self.stream.write(text)
        except OSError as error:
            raise OutputError(error, self.name) from error
        return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as error:
            raise OutputError(error, self.name) from error

    def close(self) -> None:
        # io.IOBase closes (and so flushes) a stream when it is collected; the wrapper's
        # stream belongs to the interpreter, and the guard has flushed it already.
        pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _discard(stream: TextIO | None) -> None:
    """Point the file descriptor under ``stream`` at /dev/null, so the interpreter's last
    flush at exit does not fail again (and print "Exception ignored ...")."""
    if stream is None:
        return
    try:
        fd = stream.fileno()
    except (OSError, ValueError, io.UnsupportedOperation, AttributeError):
        return
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)


class GuardedOutput:
    """``with GuardedOutput() as guard: guard.status = run()``: standard output and error
    are SafeStreams inside; on leaving, both are flushed and restored, and a failed write
    (now or before) ends up in ``guard.status`` (141 for a closed pipe, else 1) with one
    line on standard error when that still works."""

    def __init__(self) -> None:
        self.status = 0
        self._saved: tuple[Any, Any] = (None, None)

    def __enter__(self) -> GuardedOutput:
        self._saved = (sys.stdout, sys.stderr)
        if sys.stdout is not None:
            sys.stdout = SafeStream(sys.stdout, "standard output")
        if sys.stderr is not None:
            sys.stderr = SafeStream(sys.stderr, "standard error")
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 _traceback: object) -> bool:
        failure = error if isinstance(error, OutputError) else None
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, SafeStream):
                try:
                    stream.flush()
                except OutputError as flush_error:
                    failure = failure or flush_error
        sys.stdout, sys.stderr = self._saved
        if failure is None:
            return False
        _discard(sys.stdout)
        if failure.closed:
            self.status = EXIT_CLOSED_PIPE
        else:
            self.status = 1
            if failure.stream_name == "standard output":
                with contextlib.suppress(OSError, ValueError, AttributeError):
                    print(f"bpcourse: cannot write to standard output: {failure}.",
                          file=sys.stderr, flush=True)
            else:
                _discard(sys.stderr)
        # A command stopped by its own output is done: no traceback for that, and the
        # status says why even after argparse's --help (SystemExit). Anything else in
        # flight (a bug) goes on as it would have.
        return error is None or isinstance(error, (OutputError, SystemExit))


def ask_practice_answer(session: Any, hint: str, read: Any, write: Any) -> bool:
    """Ask for the answer to the current practice card until a verdict counts (right,
    close or wrong) or the learner presses Enter alone to see the solution; print each
    verdict. False when the learner typed q to quit.

    ``session`` is a ReviewSession or DeckByDeck, ``read`` and ``write`` as in the review
    loop."""
    prompt = f"Your answer ({hint.rstrip('.')}; Enter alone shows the solution, q quits): " \
        if hint else "Your answer (Enter alone shows the solution, q quits): "
    while True:
        text = read(prompt).strip()
        if text.lower() == "q":
            return False
        if not text:
            return True
        verdict = session.check(text)
        mark = {"right": "Right", "wrong": "Wrong"}.get(verdict.kind, "")
        message = verdict.message
        write(message if not mark or message.startswith(mark) else f"{mark}. {message}")
        if verdict.final:
            return True
