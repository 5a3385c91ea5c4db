"""Flashcard decks: load and validate the YAML deck files.

A deck is one YAML file whose stem is the deck's name::

    deck: chain-rule              # required, equals the file stem
    title: The chain rule         # required
    description: optional text    # optional
    cards:                        # required, a non-empty list
      - id: cr-outer-inner        # required, unique across all decks, [a-z0-9-]+
        front: What does ...?     # required, non-empty text (Markdown, $...$ maths)
        back: It ...              # required, non-empty text
        tags: [chain-rule]        # optional list of strings
      - id: cr-path-practice      # a practice card: fresh numbers at every review
        kind: practice            # "practice", or "recall" (the default: front/back)
        generator: chain_rule.path_product   # a generator of bpcourse.practice
        params: {}                # optional parameters of the generator
        front: optional title     # default: the generator's title; no back

The review history is keyed by the card ``id``, so the text of a card can be edited
freely without losing its history; changing the id starts the card afresh.

Every problem found is reported as ``FILE:LINE: message``. Line numbers come from
PyYAML's node marks (the same parse that builds the data), so they point at the
offending key or card even when the file has other problems.

Text is checked as well as structure, since it ends up in HTML, in Anki notes and on a
terminal:

* no control characters (a NUL, U+001F, an escape sequence, a bidirectional override);
  card text and the description may hold line breaks and tabs, a title or tag may not
  (Anki would split a tag at them);
* maths is balanced: every ``$`` or ``$$`` is closed (``\\$`` is a literal dollar), and
  inside a formula every ``{`` has its ``}``, every ``\\left`` its ``\\right``, every
  ``\\begin{...}`` its ``\\end{...}``;
* a file nested more than ``MAX_DEPTH`` levels deep is refused where it gets too deep (a
  deck needs 5), instead of exhausting Python's recursion limit.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeGuard

import yaml

from .markup import MATH_OR_CODE

DECK_KEYS = ("deck", "title", "description", "cards")
CARD_KEYS = ("id", "front", "back", "tags", "kind", "generator", "params")
CARD_KINDS = ("recall", "practice")
CARD_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
DECK_NAMES = (
    "forward-pass",
    "chain-rule",
    "backward-pass",
    "weight-update",
    "epochs-and-batches",
    "vanishing-exploding",
    "regularization",
    "putting-it-together",
    "backprop-essentials",
)
MAX_DEPTH = 20
# C0 and C1 controls, DEL, and the bidirectional embeddings, overrides and isolates, which
# make text display in another order than it is stored.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_C0_NAMES = (
    "NUL SOH STX ETX EOT ENQ ACK BEL BS TAB LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN "
    "ETB CAN EM SUB ESC FS GS RS US"
).split()
_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")
_MATH_TOKEN = re.compile(r"\\(?:left\b|right\b|begin\s*\{([^}]*)\}|end\s*\{([^}]*)\}|.)|[{}]",
                         re.S)


@dataclass(frozen=True)
class Card:
    """One flashcard; ``deck`` is the name of the deck it belongs to.

    A ``practice`` card has no fixed answer: ``generator`` (a name in
    ``bpcourse.practice``) draws a fresh problem at each review, with ``params`` (sorted
    (name, value) pairs, so a Card stays hashable); its ``front`` is the skill's title and
    its ``back`` is empty.
    """

    id: str
    front: str
    back: str
    tags: tuple[str, ...] = ()
    deck: str = ""
    line: int = 0
    kind: str = "recall"
    generator: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def is_practice(self) -> bool:
        return self.kind == "practice"


@dataclass(frozen=True)
class Deck:
    """A named, ordered list of cards read from one file."""

    name: str
    title: str
    cards: tuple[Card, ...]
    description: str = ""
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.cards)

    def card(self, card_id: str) -> Card:
        """The card with this id (KeyError if the deck has none)."""
        for card in self.cards:
            if card.id == card_id:
                return card
        raise KeyError(card_id)


@dataclass(frozen=True)
class Problem:
    """One validation problem, printed as ``file:line: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class DeckError(ValueError):
    """Raised when a deck file (or a set of decks) does not validate."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownDeck(KeyError):
    """A deck name that is not one of the shipped decks (the message lists those)."""

    def __str__(self) -> str:
        # KeyError's own str() shows the repr of its argument, quotes and all.
        return str(self.args[0])


def default_deck_dir() -> Path:
    """The directory of the decks shipped with the package.

    Installed (also editable) packages map the repository's ``flashcards/`` directory to
    ``bpcourse.decks``; a source checkout that was never installed falls back to it directly.
    """
    try:
        return Path(str(resources.files("bpcourse.decks")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "flashcards"


def deck_paths(directory: str | os.PathLike | None = None) -> list[Path]:
    """The deck files in ``directory`` (default: the shipped decks), sorted by name."""
    root = Path(directory) if directory is not None else default_deck_dir()
    return sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _short(path: Path) -> str:
    """A short path for messages: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _is_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.strip() != ""


def _mapping_items(
    node: yaml.MappingNode, where: str, problems: list[Problem], path: str,
    allowed: tuple[str, ...],
) -> list[tuple[str, yaml.Node, yaml.Node]]:
    """(key, key_node, value_node) of a mapping node; reports unknown and repeated keys."""
    seen: dict[str, int] = {}
    items = []
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str) or key not in allowed:
            problems.append(Problem(path, _line(key_node), f"{where}unknown key {key!r}"))
            continue
        if key in seen:
            problems.append(
                Problem(path, _line(key_node), f"{where}key {key!r} repeated (first on line "
                        f"{seen[key]})")
            )
            continue
        seen[key] = _line(key_node)
        items.append((key, key_node, value_node))
    return items


class _TooDeep(yaml.MarkedYAMLError):
    """Told apart from syntax errors: the file is valid YAML, only absurdly nested."""


class _DeckLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader, refusing nesting deeper than MAX_DEPTH: it builds nodes
    recursively, so a 2,000-deep file would otherwise end in a RecursionError."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooDeep(problem=f"nested more than {MAX_DEPTH} levels deep (a deck "
                               "needs 5: deck, cards, card, tags, tag)",
                               problem_mark=self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def describe_char(char: str) -> str:
    """``U+001F (US)``, ``U+202E (RIGHT-TO-LEFT OVERRIDE)``: a character for a message."""
    code = ord(char)
    name = _C0_NAMES[code] if code < 32 else "DEL" if code == 127 else unicodedata.name(char, "")
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def _syntax_problem(shown: str, exc: yaml.MarkedYAMLError) -> Problem:
    """The line where PyYAML got stuck, plus where the construct it was reading began
    (an unclosed quote is only noticed at the end of the file)."""
    mark = exc.problem_mark or exc.context_mark
    message = f"YAML syntax error: {exc.problem or exc}"
    if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
        message += f" ({exc.context} started on line {exc.context_mark.line + 1})"
    return Problem(shown, mark.line + 1 if mark is not None else 1, message)


def _parse(path: Path, problems: list[Problem]) -> tuple[yaml.Node | None, Any]:
    """(root node, data) of a YAML file, or (None, None) after reporting a syntax error."""
    shown = _short(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(shown, 1, f"cannot read file: {exc}"))
        return None, None
    try:
        # The loader's reader refuses some characters as soon as it gets the text.
        loader = _DeckLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _TooDeep as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else 1
        problems.append(Problem(shown, line, str(exc.problem)))
        return None, None
    except yaml.MarkedYAMLError as exc:
        problems.append(_syntax_problem(shown, exc))
        return None, None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses in any file
        line = text.count("\n", 0, exc.position) + 1
        what = (describe_char(chr(exc.character)) if isinstance(exc.character, int)
                else repr(exc.character))
        problems.append(Problem(shown, line, f"the file holds the character {what}, which "
                                "YAML does not allow"))
        return None, None
    except RecursionError:  # a safety net: the depth limit should make this unreachable
        problems.append(Problem(shown, 1, "YAML nested too deeply"))
        return None, None
    except yaml.YAMLError as exc:
        problems.append(Problem(shown, 1, f"YAML error: {exc}"))
        return None, None
    loader.dispose()
    return node, data


def _text_line(node: yaml.Node, text: str, index: int) -> int:
    """The file line of ``text[index]``: exact in a literal block (``|``), whose lines are
    the file's lines; elsewhere folding hides it, so the line where the value starts."""
    if isinstance(node, yaml.ScalarNode) and node.style == "|":
        return node.start_mark.line + 2 + text.count("\n", 0, index)
    return _line(node)


def _math_problem(math: str) -> str | None:
    """What is unbalanced in one formula, or None."""
    depth = 0
    environments: list[str] = []
    sizes = 0
    for token in _MATH_TOKEN.finditer(math):
        text, begin, end = token.group(), token.group(1), token.group(2)
        if text == "{":
            depth += 1
        elif text == "}":
            depth -= 1
            if depth < 0:
                return "a } without its {"
        elif text.startswith("\\left"):
            sizes += 1
        elif text.startswith("\\right"):
            sizes -= 1
            if sizes < 0:
                return "a \\right without its \\left"
        elif begin is not None:
            environments.append(begin.strip())
        elif end is not None:
            if not environments or environments.pop() != end.strip():
                return f"\\end{{{end.strip()}}} without its \\begin"
    if depth > 0:
        return "a { without its }"
    if sizes > 0:
        return "a \\left without its \\right"
    if environments:
        return f"\\begin{{{environments[-1]}}} without its \\end"
    return None


def _text_problems(node: yaml.Node, text: str, field: str, multiline: bool,
                   math: bool) -> list[tuple[int, str]]:
    """(line, message) for control characters and, with ``math``, unbalanced maths."""
    found = []
    for match in _CONTROL.finditer(text):
        if multiline and match.group() in "\n\t":
            continue
        found.append((_text_line(node, text, match.start()),
                      f"{field!r} holds the control character {describe_char(match.group())}"))
        break  # one is enough to point the author at the value
    if not math:
        return found
    checked = _CONTROL.sub(" ", text)  # same length: offsets stay right
    rest = list(checked)
    for formula in MATH_OR_CODE.finditer(checked):
        rest[formula.start():formula.end()] = " " * (formula.end() - formula.start())
        source = formula["display"] if formula["display"] is not None else formula["inline"]
        problem = _math_problem(source) if source is not None else None
        if problem is not None:
            shown = source if len(source) <= 40 else source[:37] + "..."
            found.append((_text_line(node, text, formula.start()),
                          f"unbalanced maths in {field!r}: {problem} in ${shown}$"))
    dollar = _UNESCAPED_DOLLAR.search("".join(rest))
    if dollar is not None:
        found.append((_text_line(node, text, dollar.start()),
                      f"unbalanced $ in {field!r}: a formula starts here and is never closed "
                      "(write \\$ for a dollar sign)"))
    return found


def _card(
    node: yaml.Node, data: Any, deck: str, path: str, problems: list[Problem]
) -> Card | None:
    """Validate one card node; the Card, or None if it has problems."""
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(path, _line(node), "a card must be a mapping of id/front/back"))
        return None
    card_id = data.get("id") if isinstance(data, dict) else None
    label = f"card {card_id!r}: " if isinstance(card_id, str) and card_id else "card: "
    before = len(problems)
    items = {k: (kn, vn) for k, kn, vn in _mapping_items(node, label, problems, path, CARD_KEYS)}
    kind = data.get("kind", "recall") if "kind" in items else "recall"
    if kind not in CARD_KINDS:
        problems.append(Problem(path, _line(items["kind"][1]), f"{label}kind must be one of "
                                f"{', '.join(CARD_KINDS)}, not {kind!r}"))
    practice = _practice(items, data, kind, label, path, problems)
    required = ("id", "front", "back") if kind != "practice" else ("id",)
    for key in ("id", "front", "back"):
        if key not in items and key not in required:
            continue
        if key not in items:
            problems.append(Problem(path, _line(node), f"{label}missing {key!r}"))
        elif not _is_text(data[key]):
            value = data[key]
            what = "empty" if value is None or isinstance(value, str) else "not text:"
            problems.append(Problem(path, _line(items[key][1]), f"{label}{what} {key!r}"))
        elif key != "id":  # the id has its own, stricter rule below
            for line, message in _text_problems(items[key][1], data[key], key,
                                                multiline=True, math=True):
                problems.append(Problem(path, line, label + message))
    if "id" in items and _is_text(card_id) and not CARD_ID.match(card_id):
        problems.append(
            Problem(path, _line(items["id"][1]),
                    f"{label}id must be lower-case letters, digits and dashes")
        )
    tags = data.get("tags", [])
    if "tags" in items and not (
        isinstance(tags, list) and all(isinstance(t, str) and t.strip() for t in tags)
    ):
        problems.append(Problem(path, _line(items["tags"][1]), f"{label}tags must be a list of "
                                "non-empty strings"))
    elif "tags" in items and isinstance(items["tags"][1], yaml.SequenceNode):
        for tag_node, tag in zip(items["tags"][1].value, tags, strict=True):
            for line, message in _text_problems(tag_node, tag, "tags", multiline=False,
                                                math=False):
                problems.append(Problem(path, line, f"{label}{message}: Anki would split the "
                                        "tag there"))
    if len(problems) > before or not _is_text(card_id):  # no problem: the id is text
        return None
    if practice is not None:
        name, params, title = practice
        return Card(id=card_id, front=(data.get("front") or title).strip(), back="",
                    tags=tuple(tags or ()), deck=deck, line=_line(node), kind="practice",
                    generator=name, params=tuple(sorted(params.items())))
    return Card(
        id=card_id,
        front=data["front"].strip(),
        back=data["back"].strip(),
        tags=tuple(tags or ()),
        deck=deck,
        line=_line(node),
    )


def _practice(items: dict[str, tuple[yaml.Node, yaml.Node]], data: Any, kind: object,
              label: str, path: str, problems: list[Problem]
              ) -> tuple[str, dict[str, Any], str] | None:
    """Check a card's ``generator`` and ``params``; (name, params, title) of a valid
    practice card, else None (after reporting what is wrong)."""
    if kind != "practice":
        for key in ("generator", "params"):
            if key in items:
                problems.append(Problem(path, _line(items[key][0]), f"{label}{key!r} belongs "
                                        "to a practice card: add 'kind: practice'"))
        return None
    if "back" in items:
        problems.append(Problem(path, _line(items["back"][0]), f"{label}a practice card has no "
                                "'back': its generator works out the answer and the solution"))
    if "generator" not in items:
        problems.append(Problem(path, _line(items["kind"][0]), f"{label}missing 'generator' "
                                "(a practice card names one, e.g. chain_rule.path_product)"))
        return None
    # Imported here: the practice package loads SymPy, which only practice cards need.
    from ..practice import UnknownGenerator, get_generator

    name = data["generator"]
    try:
        found = get_generator(name)
    except UnknownGenerator as exc:
        problems.append(Problem(path, _line(items["generator"][1]), f"{label}{exc}"))
        return None
    params = data.get("params") if "params" in items else {}
    if params is None:
        params = {}
    if not isinstance(params, dict):
        problems.append(Problem(path, _line(items["params"][1]), f"{label}'params' must be a "
                                "mapping of parameter names to values"))
        return None
    wrong = found.param_problems(params)
    for message in wrong:
        problems.append(Problem(path, _line(items["params"][1]), f"{label}{message}"))
    return None if wrong else (name, params, found.title)


def _check_header(
    path: Path, node: yaml.Node | None, data: Any, problems: list[Problem]
) -> dict[str, yaml.Node]:
    """Validate the top-level mapping; returns {key: value node} of the known keys."""
    shown = _short(path)
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        line = _line(node) if node is not None else 1
        problems.append(Problem(shown, line, "a deck file must be a mapping with deck/title/cards"))
        return {}
    items = {k: vn for k, _kn, vn in _mapping_items(node, "", problems, shown, DECK_KEYS)}
    for key in ("deck", "title", "cards"):
        if key not in items:
            problems.append(Problem(shown, 1, f"missing {key!r}"))
    if "deck" in items and data["deck"] != path.stem:
        problems.append(
            Problem(shown, _line(items["deck"]),
                    f"deck name {data['deck']!r} does not match the file name {path.stem!r}")
        )
    if "title" in items and not _is_text(data["title"]):
        problems.append(Problem(shown, _line(items["title"]), "empty 'title'"))
    for key, multiline in (("deck", False), ("title", False), ("description", True)):
        if key in items and isinstance(data[key], str):
            for line, message in _text_problems(items[key], data[key], key, multiline,
                                                math=key == "description"):
                problems.append(Problem(shown, line, message))
    if "description" in items and not isinstance(data["description"], (str, type(None))):
        problems.append(Problem(shown, _line(items["description"]), "'description' must be text"))
    cards = items.get("cards")
    if cards is not None and (not isinstance(cards, yaml.SequenceNode) or not cards.value):
        problems.append(Problem(shown, _line(cards), "'cards' must be a non-empty list"))
        del items["cards"]
    return items


def _read(path: Path, problems: list[Problem]) -> tuple[Deck | None, list[Card]]:
    """Parse and validate one file, appending to ``problems``.

    Returns the Deck if the file is valid, and in any case the cards that are valid on
    their own, so that their ids can be checked against the other decks at once.
    """
    before = len(problems)
    node, data = _parse(path, problems)
    if len(problems) > before:
        return None, []
    items = _check_header(path, node, data, problems)
    cards: list[Card] = []
    if "cards" in items:
        seen: dict[str, int] = {}
        for card_node, card_data in zip(items["cards"].value, data["cards"], strict=True):
            card = _card(card_node, card_data, path.stem, _short(path), problems)
            if card is None:
                continue
            if card.id in seen:
                problems.append(
                    Problem(_short(path), card.line, f"card {card.id!r}: duplicate id (also on "
                            f"line {seen[card.id]})")
                )
                continue
            seen[card.id] = card.line
            cards.append(card)
    if len(problems) > before:
        return None, cards
    deck = Deck(
        name=path.stem,
        title=data["title"].strip(),
        description=(data.get("description") or "").strip(),
        cards=tuple(cards),
        path=path,
    )
    return deck, cards


def _resolve(deck: str | os.PathLike) -> Path:
    """A deck name of the shipped decks, or a path to a deck file."""
    text = os.fspath(deck)
    if text.endswith((".yaml", ".yml")) or os.sep in text or "/" in text:
        return Path(text)
    path = default_deck_dir() / f"{text}.yaml"
    if not path.exists():
        known = ", ".join(p.stem for p in deck_paths())
        raise UnknownDeck(f"no deck named {text!r}; the decks are: {known}")
    return path


def load_deck(deck: str | os.PathLike | Deck) -> Deck:
    """Load one deck by name (``"chain-rule"``) or path; raises DeckError if it is invalid
    and UnknownDeck for a name that is not a shipped deck.

    A Deck passed in is returned as it is, so functions can accept either.
    """
    if isinstance(deck, Deck):
        return deck
    problems: list[Problem] = []
    loaded, _cards = _read(_resolve(deck), problems)
    if problems:
        raise DeckError(problems)
    assert loaded is not None
    return loaded


def duplicate_ids(decks: Iterable[Deck]) -> list[Problem]:
    """A problem for each card id found in two of ``decks`` (their history, and their
    Anki note, would be shared), naming both places."""
    return _cross_deck_duplicates((d.path or Path(f"{d.name}.yaml"), d.cards) for d in decks)


def _cross_deck_duplicates(files: Iterable[tuple[Path, Sequence[Card]]]) -> list[Problem]:
    """Ids used in more than one file: history is keyed by id, so they would share it."""
    first: dict[str, tuple[Card, Path]] = {}
    problems = []
    for path, cards in files:
        for card in cards:
            other, other_path = first.setdefault(card.id, (card, path))
            if other is not card:
                problems.append(
                    Problem(_short(path), card.line, f"card {card.id!r}: duplicate id (also at "
                            f"{_short(other_path)}:{other.line})")
                )
    return problems


def _read_all(directory: str | os.PathLike | None) -> tuple[list[Deck], list[Problem]]:
    root = Path(directory) if directory is not None else default_deck_dir()
    if not root.is_dir():
        what = "not a directory" if root.exists() else "no such directory"
        return [], [Problem(_short(root), 0, what)]
    paths = deck_paths(root)
    if not paths:
        return [], [Problem(_short(root), 0, "no deck files (*.yaml) found")]
    problems: list[Problem] = []
    read = [(path, *_read(path, problems)) for path in paths]
    decks = [deck for _path, deck, _cards in read if deck is not None]
    # The valid cards of invalid decks take part too: fixing one problem must not reveal
    # a duplicate id that could have been reported with it.
    duplicates = _cross_deck_duplicates((path, cards) for path, _deck, cards in read)
    return decks, problems + duplicates


def check_decks(directory: str | os.PathLike | None = None) -> list[Problem]:
    """Every problem of every deck in ``directory`` (default: the shipped decks).

    Besides each file's own problems this finds card ids used by two decks.
    An empty list means all decks are valid.
    """
    return _read_all(directory)[1]


def load_decks(directory: str | os.PathLike | None = None) -> dict[str, Deck]:
    """All decks of ``directory`` (default: the shipped decks) by name.

    Raises DeckError listing every problem if any deck is invalid.
    """
    decks, problems = _read_all(directory)
    if problems:
        raise DeckError(problems)
    return {d.name: d for d in decks}


def select_decks(decks: Iterable[str | os.PathLike | Deck] | None = None) -> list[Deck]:
    """The decks a command or notebook helper works on: each of ``decks`` (names, paths or
    Decks, in that order), or every shipped deck when ``decks`` is None."""
    if decks is None:
        return list(load_decks().values())
    return [load_deck(deck) for deck in decks]
