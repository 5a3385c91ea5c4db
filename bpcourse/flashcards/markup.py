"""Card text (a small Markdown subset with TeX maths) to HTML, for the widget and for Anki.

Supported: paragraphs (blank lines), line breaks, ``- item`` and ``1. item`` lists,
``**bold**``, ```code```, inline maths ``$...$`` and display maths ``$$...$$`` (``\\$`` is a
literal dollar). Maths and code are cut out first, so ``*`` or ``_`` inside them are never
taken for formatting, and everything is HTML-escaped.

Maths is written out with the delimiters the renderer expects: ``$...$`` / ``$$...$$`` for
ipywidgets' HTMLMath, ``\\(...\\)`` / ``\\[...\\]`` for Anki's MathJax.
"""

from __future__ import annotations

import html
import re

_PROTECTED = re.compile(
    r"(?<!\\)\$\$(?P<display>.+?)(?<!\\)\$\$"  # $$...$$
    r"|(?<!\\)\$(?P<inline>[^$]+?)(?<!\\)\$"  # $...$
    r"|`(?P<code>[^`\n]+)`",  # `code`
    re.S,
)
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_BULLET = re.compile(r"^\s*[-*] +")
_NUMBERED = re.compile(r"^\s*\d+[.)] +")
_TOKEN = re.compile(r"\x00(\d+)\x00")

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


def _block(lines: list[str]) -> str:
    """One paragraph or list (lines without blank lines between them) as HTML."""
    if all(_BULLET.match(line) for line in lines):
        items = "".join(f"<li>{_BULLET.sub('', line)}</li>" for line in lines)
        return f"<ul>{items}</ul>"
    if all(_NUMBERED.match(line) for line in lines):
        items = "".join(f"<li>{_NUMBERED.sub('', line)}</li>" for line in lines)
        return f"<ol>{items}</ol>"
    return "<p>" + "<br>".join(line.strip() for line in lines) + "</p>"


def to_html(text: str, math: str = "dollars") -> str:
    """Card text as HTML; ``math`` is "dollars" (HTMLMath) or "anki" (MathJax in Anki)."""
    protected, pieces = _protect(text.strip(), math)
    escaped = html.escape(protected, quote=False).replace("\\$", "$")
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    blocks = [b for b in re.split(r"\n\s*\n", escaped) if b.strip()]
    body = "".join(_block(block.splitlines()) for block in blocks)
    return _TOKEN.sub(lambda m: pieces[int(m.group(1))], body)
