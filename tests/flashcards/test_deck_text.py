"""Deck text that would break the quiz, the terminal or Anki is refused with file:line:
control characters, tags Anki would split, unbalanced maths, absurd nesting."""


import pytest
from flashcard_helpers import messages, write

from bpcourse.flashcards import check_decks, load_deck, quiz
from bpcourse.flashcards.cli import main
from bpcourse.flashcards.deck import MAX_DEPTH, Card, Deck
from bpcourse.flashcards.markup import to_html

BAD_TEXT = {
    "NUL digit NUL in the front": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: "a\\x001\\x00 token"
            back: fine
        """,
        ["flashcards/bad.yaml:5: card 'b-one': 'front' holds the control character "
         "U+0000 (NUL)"],
    ),
    "unit separator, Anki's field separator, in the back": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: fine
            back: "left\\x1fright"
        """,
        ["flashcards/bad.yaml:6: card 'b-one': 'back' holds the control character "
         "U+001F (US)"],
    ),
    "isolate control in a literal block: its own line": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: fine
            back: |
              first line
              second \u2066line
        """,
        ["flashcards/bad.yaml:8: card 'b-one': 'back' holds the control character U+2066 "
         "(LEFT-TO-RIGHT ISOLATE)"],
    ),
    "bidirectional override": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: "admin\u202e txt"
            back: fine
        """,
        ["flashcards/bad.yaml:5: card 'b-one': 'front' holds the control character U+202E "
         "(RIGHT-TO-LEFT OVERRIDE)"],
    ),
    "tab and newline in tags": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: fine
            back: fine
            tags: ["chain\\trule", "two\\nlines", "fine tag"]
        """,
        ["flashcards/bad.yaml:7: card 'b-one': 'tags' holds the control character U+0009 "
         "(TAB): Anki would split the tag there",
         "flashcards/bad.yaml:7: card 'b-one': 'tags' holds the control character U+000A "
         "(LF): Anki would split the tag there"],
    ),
    "control characters in the title, description and deck name": (
        """\
        deck: "bad\\e"
        title: "Bad\\ttitle"
        description: "Bell\\a"
        cards:
          - id: b-one
            front: fine
            back: fine
        """,
        ["flashcards/bad.yaml:1: deck name 'bad\\x1b' does not match the file name 'bad'",
         "flashcards/bad.yaml:1: 'deck' holds the control character U+001B (ESC)",
         "flashcards/bad.yaml:2: 'title' holds the control character U+0009 (TAB)",
         "flashcards/bad.yaml:3: 'description' holds the control character U+0007 (BEL)"],
    ),
    "a raw control character YAML refuses": (
        "deck: bad\ntitle: Bad\ncards:\n  - id: b-one\n    front: ring \x07 it\n"
        "    back: fine\n",
        ["flashcards/bad.yaml:5: the file holds the character U+0007 (BEL), which YAML does "
         "not allow"],
    ),
    "unbalanced dollar": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: It costs $5, and $x$ is fine.
            back: |
              A dollar written \\$5 is fine,
              and so is $$x$$, but this $y is not.
        """,
        ["flashcards/bad.yaml:5: card 'b-one': unbalanced $ in 'front': a formula starts "
         "here and is never closed (write \\$ for a dollar sign)",
         "flashcards/bad.yaml:8: card 'b-one': unbalanced $ in 'back': a formula starts here "
         "and is never closed (write \\$ for a dollar sign)"],
    ),
    "unbalanced braces, sizes and environments in maths": (
        """\
        deck: bad
        title: Bad
        description: Fine $\\{x\\}$, but $\\frac{a}{b$.
        cards:
          - id: b-one
            front: $\\left( x$ and $x \\right)$ and $\\leftarrow \\{ \\}$
            back: |
              fine $W^{(l)}$
              $\\begin{pmatrix} a \\end{matrix}$ and $a}{b$
        """,
        ["flashcards/bad.yaml:3: unbalanced maths in 'description': a { without its } in "
         "$\\frac{a}{b$",
         "flashcards/bad.yaml:6: card 'b-one': unbalanced maths in 'front': a \\left without "
         "its \\right in $\\left( x$",
         "flashcards/bad.yaml:6: card 'b-one': unbalanced maths in 'front': a \\right without "
         "its \\left in $x \\right)$",
         "flashcards/bad.yaml:9: card 'b-one': unbalanced maths in 'back': \\end{matrix} "
         "without its \\begin in $\\begin{pmatrix} a \\end{matrix}$",
         "flashcards/bad.yaml:9: card 'b-one': unbalanced maths in 'back': a } without its { "
         "in $a}{b$"],
    ),
}


@pytest.mark.parametrize("kind", BAD_TEXT)
def test_bad_text_is_reported_with_file_and_line(decks_dir, kind):
    text, expected = BAD_TEXT[kind]
    write(decks_dir, "bad", text)
    assert messages(decks_dir) == expected


def test_cards_check_refuses_bad_text_with_file_and_line(decks_dir, capsys):
    write(decks_dir, "bad", BAD_TEXT["NUL digit NUL in the front"][0])
    assert main(["cards", "check", "flashcards"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ("flashcards/bad.yaml:5: card 'b-one': 'front' holds the control "
                            "character U+0000 (NUL)\n")
    assert "1 problem(s) found." in captured.err


@pytest.mark.parametrize("style", ["flow", "block"])
def test_deeply_nested_yaml_is_refused_where_it_gets_too_deep(decks_dir, capsys, style):
    depth = 2000
    if style == "flow":
        body = "tags: " + "[" * depth + "]" * depth + "\n"
        line = 7
    else:
        body = "".join("  " * i + "- \n" for i in range(depth))
        line = 8 + MAX_DEPTH - 3  # the row whose node is the first too deep
    write(decks_dir, "deep", "deck: deep\ntitle: Deep\ncards:\n  - id: d-one\n    front: f\n"
          "    back: b\n" + ("    " + body if style == "flow" else "    tags:\n" + "".join(
              "      " + row for row in body.splitlines(keepends=True))))
    assert main(["cards", "check", "flashcards"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"flashcards/deep.yaml:{line}: nested more than {MAX_DEPTH} levels "
                          "deep (a deck needs 5: deck, cards, card, tags, tag)")


def test_shipped_decks_pass_the_text_rules():
    assert check_decks() == []


def test_control_characters_never_crash_the_quiz_or_shift_html(tmp_path):
    # Decks built in Python skip the file checks: the renderers must still cope.
    card = Card("c-nul", "a\x001\x00 and \x1f and \x1b[31mred", "back\x00", deck="d")
    assert to_html(card.front) == "<p>a1 and  and [31mred</p>"
    from bpcourse.flashcards import ReviewStore

    with ReviewStore(tmp_path / "r.sqlite3") as store:
        widget = quiz(Deck("d", "D", (card,)), store=store)
        assert "\x00" not in widget.front.value and "a1" in widget.front.value


def test_good_deck_with_literal_dollars_and_braces_still_loads(decks_dir):
    path = write(decks_dir, "good", """\
        deck: good
        title: Good
        description: Costs \\$0; maths $\\{0, 1\\}$.
        cards:
          - id: g-one
            front: Is \\$5 a price? And `echo $HOME`?
            back: $\\left( \\frac{a}{b} \\right)$ and $$\\begin{pmatrix} a \\end{pmatrix}$$
            tags: [two words]
        """)
    assert load_deck(path).card("g-one").tags == ("two words",)
