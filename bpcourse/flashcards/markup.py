"""Card text (a small Markdown subset with TeX maths) to HTML, for the widget and for Anki.

Block structure, as in Markdown:

* lines separated by a single newline belong to one paragraph and are joined with a space,
  so deck files can wrap long sentences anywhere without breaking them on screen;
* a blank line starts a new paragraph;
* a line starting with ``- `` or ``* `` is a bullet item, one starting with a number and a
  dot (``1. ``, ``12. ``) a numbered item; a list may follow a paragraph line directly, a
  following line without a marker continues the item, and the first number of a numbered
  list is kept (``<ol start="3">``). Lists have one level (no nesting).

Inline: ``**bold**``, ```code```, inline maths ``$...$`` and display maths ``$$...$$``;
``\\$`` is a literal dollar. Maths and code are cut out first, so ``*`` or ``_`` or a line
break inside them are never taken for formatting, and everything is HTML-escaped.

Maths is written out with the delimiters the renderer expects: ``$...$`` / ``$$...$$`` for
ipywidgets' HTMLMath, ``\\(...\\)`` / ``\\[...\\]`` for Anki's MathJax. A literal dollar
stays ``\\$`` for HTMLMath, whose MathJax reads a bare ``$`` as a delimiter and turns
``\\$`` into ``$``; for Anki, where ``$`` means nothing to MathJax, it becomes ``$``.

``to_text`` renders the same structure for a terminal: paragraphs wrapped to its width,
list markers kept, maths as Unicode text (``textmath``) on a line of its own for display
maths, or as written where the terminal's encoding cannot show that text.

Control characters (but tab and line feed) are dropped first: they mean nothing in a card,
HTML cannot carry them, a NUL would collide with the tokens used here, and U+001F is the
field separator inside an Anki note.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

_PROTECTED = re.compile(
    r"(?<!\\)\$\$(?P<display>.+?)(?<!\\)\$\$"  # $$...$$
    r"|(?<!\\)\$(?P<inline>[^$]+?)(?<!\\)\$"  # $...$
    r"|`(?P<code>[^`\n]+)`",  # `code`
    re.S,
)
# Formulas and code spans as this module finds them, for checks that must agree with it.
MATH_OR_CODE = _PROTECTED
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_BULLET = re.compile(r"\s*[-*]\s+")
_NUMBERED = re.compile(r"\s*(?P<number>\d{1,9})\.\s+")
_TOKEN = re.compile(r"\x00(\d+)\x00")
# C0 and C1 controls but tab and line feed, and DEL.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

DELIMITERS = {
    "dollars": (("$", "$"), ("$$", "$$")),
    "anki": (("\\(", "\\)"), ("\\[", "\\]")),
}


def _protect(text: str, math: str) -> tuple[str, list[str]]:
    """Replace maths and code by tokens; returns the text and the tokens' final HTML."""
    inline, display = DELIMITERS[math]
    pieces: list[str] = []

    def keep(match: re.Match) -> str:
        if match["display"] is not None:
            piece = display[0] + html.escape(match["display"], quote=False) + display[1]
        elif match["inline"] is not None:
            piece = inline[0] + html.escape(match["inline"], quote=False) + inline[1]
        else:
            piece = f"<code>{html.escape(match['code'], quote=False)}</code>"
        pieces.append(piece)
        return f"\x00{len(pieces) - 1}\x00"

    return _PROTECTED.sub(keep, text), pieces


@dataclass
class _Block:
    """A paragraph ("p") or a list ("ul", "ol"); ``items`` holds each item's lines."""

    kind: str
    start: int = 1
    items: list[list[str]] = field(default_factory=list)


def _marker(line: str) -> tuple[str, int, str] | None:
    """(list kind, item number, text after the marker) if ``line`` starts a list item."""
    if bullet := _BULLET.match(line):
        return "ul", 1, line[bullet.end():]
    if number := _NUMBERED.match(line):
        return "ol", int(number["number"]), line[number.end():]
    return None


def _parse(lines: list[str]) -> list[_Block]:
    """Group lines into paragraphs and lists (the rules are in the module docstring)."""
    blocks: list[_Block] = []
    current: _Block | None = None
    after_blank = False
    for line in lines:
        if not line.strip():
            after_blank = True
            if current is not None and current.kind == "p":
                current = None  # a blank line ends a paragraph but not a list
            continue
        item = _marker(line)
        if item is not None:
            kind, number, text = item
            if current is None or current.kind != kind:
                current = _Block(kind, start=number)
                blocks.append(current)
            current.items.append([text])
        elif current is None or (after_blank and current.kind != "p"):
            current = _Block("p", items=[[line]])
            blocks.append(current)
        else:
            current.items[-1].append(line)  # same paragraph, or a wrapped list item
        after_blank = False
    return blocks


def _inline(lines: list[str]) -> str:
    """Lines of one paragraph or item joined by spaces, with bold applied."""
    text = " ".join(line.strip() for line in lines)
    return _BOLD.sub(r"<strong>\1</strong>", text)


def _render(block: _Block) -> str:
    if block.kind == "p":
        return f"<p>{_inline(block.items[0])}</p>"
    items = "".join(f"<li>{_inline(lines)}</li>" for lines in block.items)
    start = f' start="{block.start}"' if block.kind == "ol" and block.start != 1 else ""
    return f"<{block.kind}{start}>{items}</{block.kind}>"


def strip_controls(text: str) -> str:
    """``text`` without control characters (tab and line feed are kept, CR ends a line)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def to_html(text: str, math: str = "dollars") -> str:
    """Card text as HTML; ``math`` is "dollars" (HTMLMath) or "anki" (MathJax in Anki)."""
    protected, pieces = _protect(strip_controls(text).strip(), math)
    escaped = html.escape(protected, quote=False)
    if math == "anki":
        escaped = escaped.replace("\\$", "$")
    body = "".join(_render(block) for block in _parse(escaped.splitlines()))
    return _TOKEN.sub(lambda m: pieces[int(m.group(1))], body)


# -- the terminal ------------------------------------------------------------------------

_DISPLAY_TOKEN = "\x01"  # around a display-maths token: it goes on a line of its own
_NO_BREAK = "\x02"  # a space inside inline maths, where the wrapping must not break


def _text_pieces(text: str, show_math: Callable[[str], str | None]) -> tuple[str, list[str]]:
    """Like ``_protect``, for the terminal: maths through ``show_math`` (None: as written)."""
    pieces: list[str] = []

    def keep(match: re.Match) -> str:
        for kind, delimiter in (("display", "$$"), ("inline", "$")):
            source = match[kind]
            if source is not None:
                shown = show_math(source)
                shown = shown if shown is not None else delimiter + source + delimiter
                # No-break spaces keep a formula on one line when the paragraph is wrapped.
                pieces.append(shown.replace(" ", _NO_BREAK) if kind == "inline" else shown)
                token = f"\x00{len(pieces) - 1}\x00"
                return _DISPLAY_TOKEN + token + _DISPLAY_TOKEN if kind == "display" else token
        pieces.append(f"`{match['code']}`")
        return f"\x00{len(pieces) - 1}\x00"

    return _PROTECTED.sub(keep, text), pieces


def _fill(text: str, width: int, first: str, rest: str) -> list[str]:
    """One paragraph or item, display maths on indented lines of their own."""
    lines: list[str] = []
    for index, part in enumerate(text.split(_DISPLAY_TOKEN)):
        part = part.strip()
        if not part:
            continue
        if index % 2:  # display maths: never wrapped, so it reads as one formula
            lines.append(rest + "    " + part)
            continue
        lines += textwrap.wrap(part, width=width, initial_indent=first if not lines else rest,
                               subsequent_indent=rest, break_long_words=False,
                               break_on_hyphens=False)
    return lines


def to_text(text: str, width: int = 80,
            show_math: Callable[[str], str | None] | None = None) -> str:
    """Card text for a terminal, wrapped to ``width`` columns.

    ``show_math`` turns the TeX of one formula into what to print, or None to print it as
    written with its dollars; the default renders it as Unicode text (``textmath``).
    ``**bold**`` loses its stars, ``\\$`` becomes ``$`` and code keeps its backticks.
    """
    if show_math is None:
        from .textmath import math_to_text

        show_math = math_to_text
    protected, pieces = _text_pieces(strip_controls(text).strip(), show_math)
    protected = protected.replace("\\$", "$")
    width = max(width, 20)
    out: list[str] = []
    for block in _parse(protected.splitlines()):
        if out:
            out.append("")
        for number, lines in enumerate(block.items, start=block.start):
            item = _BOLD.sub(r"\1", " ".join(line.strip() for line in lines))
            item = _TOKEN.sub(lambda m: pieces[int(m.group(1))], item)
            if block.kind == "p":
                out += _fill(item, width, "", "")
            else:
                marker = "- " if block.kind == "ul" else f"{number}. "
                out += _fill(item, width, marker, " " * len(marker))
    return "\n".join(out).replace(_NO_BREAK, " ")
