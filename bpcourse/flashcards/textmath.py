"""TeX maths as plain Unicode text, for the terminal (``bpcourse review``).

The cards' maths is written for MathJax (``$\\delta^{(l)} = \\dfrac{1}{N}(\\hat Y - Y)$``).
A terminal cannot typeset it, and raw TeX is hard to read while learning, so the review
prints it the way one would type it in a message: ``δ^(l) = 1/N (Ŷ - Y)``.

pylatexenc parses the TeX and knows the Unicode of several hundred symbols; on top of
its defaults this module spells out what a reader of the course needs unambiguously:

* fractions ``a/b``, with parentheses around a part that is more than one term:
  ``\\dfrac{f(x + h) - f(x - h)}{2h}`` reads ``(f(x + h) - f(x - h))/(2h)``;
* sub- and superscripts ``x_i``, ``x^2``, with parentheses around anything longer than a
  word: ``n_{l-1}`` reads ``n_(l-1)`` (not ``n_l-1``), ``10^{-5}`` reads ``10^(-5)``;
* spaces around relations and operators (``←``, ``⊙``, ``≈``, ``·``), and after
  operator names (``sin x``, ``log ŷ``) and big operators (``∑_k e^(z_k)``);
* matrices row by row in their own brackets, ``(a, b; c, d)`` for a pmatrix.

A formula with a macro pylatexenc does not know, or that does not parse, is shown as it
was written: half-converted TeX would be harder to read than the source.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# Private-use characters mark where spacing is decided once the whole text is known.
_NAME_END = "\ue000"  # after an operator name: a space unless a script or "(" follows
_OPEN = "\ue001"  # after an opening delimiter: nesting, and no space follows
_CLOSE = "\ue002"  # before a closing delimiter: nesting, and no space precedes
_GLUE = "\ue003"  # after a prefix such as ∂: no space follows
_SOFT = "\ue004"  # around a fraction: a space between two terms only
_AFTER_SCRIPT = "\ue005"  # the same after a script, where ( or [ is an argument: x_i(t)
_MARKS = re.compile("[\ue000-\ue005]")

RELATIONS = {
    "cdot": "·", "times": "×", "odot": "⊙", "otimes": "⊗", "oplus": "⊕", "pm": "±",
    "mp": "∓", "div": "÷", "ast": "∗", "setminus": "∖", "cup": "∪", "cap": "∩",
    "leftarrow": "←", "gets": "←", "rightarrow": "→", "to": "→", "Leftarrow": "⇐",
    "Rightarrow": "⇒", "implies": "⇒", "leftrightarrow": "↔", "iff": "⇔", "mapsto": "↦",
    "approx": "≈", "neq": "≠", "ne": "≠", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "ll": "≪", "gg": "≫", "in": "∈", "notin": "∉", "sim": "∼", "simeq": "≃", "equiv": "≡",
    "propto": "∝", "subset": "⊂", "subseteq": "⊆", "cdots": "⋯", "ldots": "…",
}
OPERATOR_NAMES = (
    "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "exp", "log",
    "ln", "lg", "max", "min", "sup", "inf", "arg", "argmax", "argmin", "det", "dim", "lim",
    "Pr", "sgn",
)
BIG_OPERATORS = {"sum": "∑", "prod": "∏", "int": "∫", "oint": "∮", "coprod": "∐"}
DELIMITERS = {
    "lvert": "|" + _OPEN, "rvert": _CLOSE + "|", "lVert": "‖" + _OPEN,
    "rVert": _CLOSE + "‖", "langle": "⟨" + _OPEN, "rangle": _CLOSE + "⟩",
    "lceil": "⌈" + _OPEN, "rceil": _CLOSE + "⌉", "lfloor": "⌊" + _OPEN,
    "rfloor": _CLOSE + "⌋", "{": "{" + _OPEN, "}": _CLOSE + "}",
}
PREFIXES = {"partial": "∂", "nabla": "∇", "neg": "¬", "lnot": "¬"}
SPACES = {",": " ", ";": " ", ":": " ", " ": " ", "quad": " ", "qquad": " ", "!": ""}
# Sizing commands: the delimiter after them is kept, the command itself means nothing here.
SIZES = ("left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl",
         "Bigr", "biggl", "biggr", "Biggl", "Biggr", "displaystyle", "textstyle")
FONTS = ("text", "textrm", "textit", "textbf", "mathrm", "mathit", "mathbf", "mathsf",
         "mathtt", "boldsymbol", "bm", "operatorname", "mbox")
FRACTIONS = ("frac", "dfrac", "tfrac", "cfrac", "nicefrac")
MATRICES = {"matrix": "[]", "pmatrix": "()", "bmatrix": "[]", "Bmatrix": "{}",
            "vmatrix": "||", "Vmatrix": "‖‖", "smallmatrix": "[]", "array": "[]"}

_OPENING, _CLOSING = "([{" + _OPEN, ")]}" + _CLOSE
_OPERATORS = set("+-−=<>,;/·⊙×±∓÷←→≈≠≤≥∈") | set(RELATIONS.values())
# A script needs no parentheses around one symbol, a number or a word (``x_in``,
# ``10^12``), or around one bracketed group (``W^(l)``, ``W^(l+1)⊤``); ``e^(iπ)`` gets them.
_SCRIPT_WORD = re.compile(r"(?:[0-9]+|[A-Za-z]+|.[\u0300-\u036f]*)\Z")
# In a denominator, a number times a symbol would read as a product: 1/(2h), not 1/2h.
_PRODUCT = re.compile(r"\d+[^\W\d]")


class _UnknownMacro(Exception):
    """A macro pylatexenc has no text for: the maths is then shown as it was written."""


def _top_level(text: str) -> str:
    """``text`` with every bracketed part removed, to see what is outside any bracket."""
    depth, outside = 0, []
    for char in text:
        depth -= char in _CLOSING
        if depth == 0 and char not in _CLOSING:
            outside.append(char)
        depth += char in _OPENING
        depth = max(depth, 0)
    return "".join(outside)


def _is_term(text: str) -> bool:
    """Whether ``text`` (markers still in) is one term: nothing outside brackets separates
    it into parts, so ``a/b`` needs no parentheses around it."""
    outside = _MARKS.sub("", _top_level(_glue(text.strip())))
    return outside != "" and not any(c.isspace() or c in _OPERATORS for c in outside)


def _is_group(text: str) -> bool:
    """One bracketed group, optionally followed by primes or ⊤: ``(l)``, ``(l+1)⊤``."""
    clean = _MARKS.sub("", text)
    if clean[:1] not in "([":
        return False
    depth = 0
    for index, char in enumerate(clean):
        depth += char in "(["
        depth -= char in ")]"
        if depth == 0:
            return all(c in "'′⊤*" for c in clean[index + 1:])
    return False


def _arg_texts(node: Any, l2tobj: Any) -> list[str]:
    args = node.nodeargd.argnlist if node.nodeargd is not None else []
    return [l2tobj.nodelist_to_text([arg]).strip() if arg is not None else "" for arg in args]


def _fraction(node: Any, l2tobj: Any) -> str:
    numerator, denominator = _arg_texts(node, l2tobj)[-2:]
    if not _is_term(numerator):
        numerator = f"({numerator})"
    if not _is_term(denominator) or _PRODUCT.match(_tidy(denominator)):
        denominator = f"({denominator})"
    return f"{_SOFT}{numerator}/{denominator}{_SOFT}"


def _sqrt(node: Any, l2tobj: Any) -> str:
    index, radicand = _arg_texts(node, l2tobj)[-2:]
    root = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(_tidy(index), f"{_tidy(index)}√")
    return root + (radicand if _is_term(radicand) else f"({radicand})")


def _script(node: Any, l2tobj: Any) -> str:
    (argument,) = _arg_texts(node, l2tobj)[-1:]
    if not (_SCRIPT_WORD.match(_tidy(argument)) or _is_group(argument)):
        argument = f"({argument})"
    return f"{node.specials_chars}{argument}{_AFTER_SCRIPT}"


def _font(node: Any, l2tobj: Any) -> str:
    return "".join(_arg_texts(node, l2tobj))


def _unknown(node: Any) -> str:
    raise _UnknownMacro(node.latex_verbatim())


def _matrix(node: Any, l2tobj: Any) -> str:
    from pylatexenc.latexwalker import LatexMacroNode, LatexSpecialsNode

    rows: list[list[str]] = [[]]
    cell: list[Any] = []
    for child in node.nodelist:
        if child.isNodeType(LatexSpecialsNode) and child.specials_chars == "&":
            rows[-1].append(_tidy(l2tobj.nodelist_to_text(cell)))
            cell = []
        elif child.isNodeType(LatexMacroNode) and child.macroname == "\\":
            rows[-1].append(_tidy(l2tobj.nodelist_to_text(cell)))
            rows.append([])
            cell = []
        else:
            cell.append(child)
    rows[-1].append(_tidy(l2tobj.nodelist_to_text(cell)))
    if rows[-1] == [""] and len(rows) > 1:  # a trailing \\ ends the last row
        rows.pop()
    left, right = MATRICES[node.environmentname][0], MATRICES[node.environmentname][-1]
    return f"{_SOFT}{left}" + "; ".join(", ".join(row) for row in rows) + f"{right}{_SOFT}"


@functools.lru_cache(maxsize=1)
def _converter() -> tuple[Any, Any]:
    """The pylatexenc parser context and converter with the rules above, built once."""
    from pylatexenc import latex2text, latexwalker, macrospec

    parse_db = latexwalker.get_default_latex_context_db()
    parse_db.add_context_category(
        "bpcourse",
        prepend=True,
        macros=[
            *(macrospec.std_macro(name, False, 2) for name in FRACTIONS),
            macrospec.std_macro("sqrt", True, 1),
            *(macrospec.std_macro(name, False, 1) for name in FONTS),
        ],
        environments=[
            macrospec.std_environment(name, "{" if name == "array" else None,
                                      is_math_mode=True)
            for name in MATRICES
        ],
        specials=[
            macrospec.SpecialsSpec(char, args_parser=macrospec.MacroStandardArgsParser("{"))
            for char in "^_"
        ],
    )
    text = latex2text.MacroTextSpec
    text_db = latex2text.get_default_latex_context_db()
    text_db.add_context_category(
        "bpcourse",
        prepend=True,
        macros=[
            *(text(name, simplify_repl=_fraction) for name in FRACTIONS),
            text("sqrt", simplify_repl=_sqrt),
            *(text(name, simplify_repl=_font) for name in FONTS),
            *(text(name, simplify_repl=f" {symbol} ") for name, symbol in RELATIONS.items()),
            *(text(name, simplify_repl=name + _NAME_END) for name in OPERATOR_NAMES),
            *(text(name, simplify_repl=symbol + _NAME_END)
              for name, symbol in BIG_OPERATORS.items()),
            *(text(name, simplify_repl=symbol) for name, symbol in DELIMITERS.items()),
            *(text(name, simplify_repl=symbol + _GLUE) for name, symbol in PREFIXES.items()),
            *(text(name, simplify_repl=space) for name, space in SPACES.items()),
            *(text(name, discard=True) for name in SIZES),
        ],
        environments=[
            latex2text.EnvironmentTextSpec(name, simplify_repl=_matrix) for name in MATRICES
        ],
        specials=[latex2text.SpecialsTextSpec(char, simplify_repl=_script) for char in "^_"],
    )
    text_db.set_unknown_macro_spec(text("", simplify_repl=_unknown))
    # TeX's own rule would drop the space after every macro ("\eta = 1" -> "η= 1"); the
    # source's spaces are kept instead, and the markers above remove the ones that hurt.
    converter = latex2text.LatexNodes2Text(latex_context=text_db, math_mode="text",
                                           strict_latex_spaces="based-on-source")
    return converter, parse_db


_WORDISH_BEFORE = r"[^\W_]|[)\]}'′⊤|‖⟩⌉⌋\u0300-\u036f]"
_TERM_START = r"[^\W_]|[{∂∇∑∏∫√|‖⟨⌈⌊]"


def _glue(text: str) -> str:
    """Drop the spaces that opening and closing delimiters and prefixes such as ∂ do not
    want next to them (the markers themselves stay, for nesting)."""
    text = re.sub(f"([{_OPEN}{_GLUE}])[{_SOFT}{_AFTER_SCRIPT}\\s]*", r"\1", text)
    return re.sub(f"[{_SOFT}{_AFTER_SCRIPT}\\s]*{_CLOSE}", _CLOSE, text)


def _tidy(text: str) -> str:
    """Resolve the spacing markers: one space between terms, none inside brackets."""
    text = _glue(text)
    text = re.sub(f"{_NAME_END}(?=[\\s_^(]|$)", "", text).replace(_NAME_END, " ")
    text = re.sub(f"(?<={_WORDISH_BEFORE})[{_SOFT}{_AFTER_SCRIPT}]*{_SOFT}"
                  f"[{_SOFT}{_AFTER_SCRIPT}]*(?={_TERM_START}|[(\\[])", " ", text)
    text = re.sub(f"(?<={_WORDISH_BEFORE})[{_SOFT}{_AFTER_SCRIPT}]+(?={_TERM_START})", " ",
                  text)
    text = _MARKS.sub("", text)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"([(\[]) | (?=[)\]])", r"\1", text).strip()


def math_to_text(source: str) -> str:
    """The TeX maths ``source`` (without its ``$`` delimiters) as one line of Unicode text.

    Never raises: TeX that does not parse, or that uses a macro pylatexenc does not know,
    is returned as it was written (stripped), which is what the learner would have seen
    before.
    """
    from pylatexenc import latexwalker

    converter, parse_db = _converter()
    try:
        nodes = latexwalker.LatexWalker(source, latex_context=parse_db,
                                        tolerant_parsing=False).get_latex_nodes()[0]
        shown = _tidy(converter.nodelist_to_text(nodes))
    except (_UnknownMacro, latexwalker.LatexWalkerError, RecursionError, ValueError,
            IndexError, TypeError):
        shown = ""
    # Nothing left of something (a lone backslash, say) would hide that a formula was there.
    return shown if shown or not source.strip() else " ".join(source.split())
