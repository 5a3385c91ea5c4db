"""Deck files: the shipped decks validate, and each kind of mistake is reported as file:line."""


import pytest
from flashcard_helpers import messages, write

from bpcourse.flashcards import DeckError, Problem, check_decks, load_deck, load_decks
from bpcourse.flashcards.deck import DECK_NAMES, UnknownDeck, default_deck_dir, select_decks

GOOD = """\
deck: {name}
title: A test deck
cards:
  - id: {prefix}-one
    front: What is $z$?
    back: |
      The weighted sum $z = w x + b$.
    tags: [forward]
  - id: {prefix}-two
    front: Second?
    back: Yes.
"""


def test_shipped_decks_validate():
    assert check_decks() == []
    decks = load_decks()
    assert set(decks) == set(DECK_NAMES)
    for name, deck in decks.items():
        assert len(deck) >= 8, name
        assert all(card.deck == name and card.front and (card.back or card.is_practice)
                   for card in deck.cards)
    assert sum(len(deck) for deck in decks.values()) >= 60


def test_shipped_decks_are_found_as_package_data():
    directory = default_deck_dir()
    assert {p.stem for p in directory.glob("*.yaml")} == set(DECK_NAMES)


def test_good_deck_loads(decks_dir):
    path = write(decks_dir, "good", GOOD.format(name="good", prefix="g"))
    deck = load_deck(path)
    assert (deck.name, deck.title, len(deck)) == ("good", "A test deck", 2)
    first = deck.card("g-one")
    assert first.back == "The weighted sum $z = w x + b$."
    assert first.tags == ("forward",)
    assert (first.line, deck.card("g-two").line) == (4, 9)
    assert messages(decks_dir) == []


BROKEN = {
    "syntax error": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: "an unclosed quote
            back: x
        """,
        # PyYAML notices the missing quote where the file ends; we say where it began
        ["flashcards/bad.yaml:7: YAML syntax error: found unexpected end of stream "
         "(while scanning a quoted scalar started on line 5)"],
    ),
    "bad indentation": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: Question?
           back: Answer.
        """,
        ["flashcards/bad.yaml:6: YAML syntax error: expected <block end>, but found "
         "'<block mapping start>' (while parsing a block collection started on line 4)"],
    ),
    "missing back": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: Question?
            back: Answer.
          - id: b-two
            front: Where is my back?
        """,
        ["flashcards/bad.yaml:7: card 'b-two': missing 'back'"],
    ),
    "empty front and blank back": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: ""
            back: "   "
        """,
        ["flashcards/bad.yaml:5: card 'b-one': empty 'front'",
         "flashcards/bad.yaml:6: card 'b-one': empty 'back'"],
    ),
    "not text": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: 42
            front: [a, list]
            back:
        """,
        ["flashcards/bad.yaml:4: card: not text: 'id'",
         "flashcards/bad.yaml:5: card: not text: 'front'",
         "flashcards/bad.yaml:6: card: empty 'back'"],
    ),
    "missing id": (
        """\
        deck: bad
        title: Bad
        cards:
          - front: Question?
            back: Answer.
        """,
        ["flashcards/bad.yaml:4: card: missing 'id'"],
    ),
    "badly formed id": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: Has Spaces
            front: Question?
            back: Answer.
        """,
        ["flashcards/bad.yaml:4: card 'Has Spaces': id must be lower-case letters, digits "
         "and dashes"],
    ),
    "duplicate id": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: Question?
            back: Answer.
          - id: b-one
            front: Another question?
            back: Another answer.
        """,
        ["flashcards/bad.yaml:7: card 'b-one': duplicate id (also on line 4)"],
    ),
    "unknown card key": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: Question?
            back: Answer.
            hint: a typo of tags, or a field we do not have
        """,
        ["flashcards/bad.yaml:7: card 'b-one': unknown key 'hint'"],
    ),
    "unknown top-level key": (
        """\
        deck: bad
        title: Bad
        author: someone
        cards:
          - id: b-one
            front: Question?
            back: Answer.
        """,
        ["flashcards/bad.yaml:3: unknown key 'author'"],
    ),
    "deck name not the file name": (
        """\
        deck: chain-rules
        title: Bad
        cards:
          - id: b-one
            front: Question?
            back: Answer.
        """,
        ["flashcards/bad.yaml:1: deck name 'chain-rules' does not match the file name 'bad'"],
    ),
    "no cards": (
        """\
        deck: bad
        title: Bad
        cards: []
        """,
        ["flashcards/bad.yaml:3: 'cards' must be a non-empty list"],
    ),
    "tags not a list": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: Question?
            back: Answer.
            tags: forward
        """,
        ["flashcards/bad.yaml:7: card 'b-one': tags must be a list of non-empty strings"],
    ),
    "repeated key": (
        """\
        deck: bad
        title: Bad
        cards:
          - id: b-one
            front: Question?
            back: Answer.
            back: A second answer that YAML would silently keep.
        """,
        ["flashcards/bad.yaml:7: card 'b-one': key 'back' repeated (first on line 6)"],
    ),
    "not a mapping": (
        """\
        - just
        - a list
        """,
        ["flashcards/bad.yaml:1: a deck file must be a mapping with deck/title/cards"],
    ),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_broken_deck_reports_file_and_line(decks_dir, kind):
    text, expected = BROKEN[kind]
    path = write(decks_dir, "bad", text)
    assert messages(decks_dir) == expected
    with pytest.raises(DeckError) as error:
        load_deck(path)
    assert str(error.value) == "\n".join(expected)


def test_duplicate_ids_across_decks_name_both_places(decks_dir):
    write(decks_dir, "alpha", GOOD.format(name="alpha", prefix="same"))
    write(decks_dir, "beta", GOOD.format(name="beta", prefix="same"))
    assert messages(decks_dir) == [
        "flashcards/beta.yaml:4: card 'same-one': duplicate id (also at flashcards/alpha.yaml:4)",
        "flashcards/beta.yaml:9: card 'same-two': duplicate id (also at flashcards/alpha.yaml:9)",
    ]
    with pytest.raises(DeckError, match="duplicate id"):
        load_decks(decks_dir)


def test_problems_of_several_files_are_all_reported(decks_dir):
    write(decks_dir, "alpha", GOOD.format(name="alpha", prefix="a"))
    write(decks_dir, "bad", BROKEN["missing back"][0])
    write(decks_dir, "worse", BROKEN["unknown top-level key"][0].replace("deck: bad",
                                                                        "deck: worse"))
    # both broken files have a valid card 'b-one': the clash is reported with the rest
    assert messages(decks_dir) == BROKEN["missing back"][1] + [
        "flashcards/worse.yaml:3: unknown key 'author'",
        "flashcards/worse.yaml:5: card 'b-one': duplicate id (also at flashcards/bad.yaml:4)"]


def test_duplicate_id_in_a_deck_with_other_problems_is_reported_at_once(decks_dir):
    # beta has a broken card; its valid card still clashes with alpha's, and the learner
    # must hear about both now, not about the clash only after fixing the broken card.
    write(decks_dir, "alpha", GOOD.format(name="alpha", prefix="a"))
    write(decks_dir, "beta", """\
        deck: beta
        title: Beta
        cards:
          - id: a-one
            front: Same id as alpha's first card
            back: Answer.
          - id: b-two
            front: No back
        """)
    assert messages(decks_dir) == [
        "flashcards/beta.yaml:7: card 'b-two': missing 'back'",
        "flashcards/beta.yaml:4: card 'a-one': duplicate id (also at flashcards/alpha.yaml:4)",
    ]


@pytest.mark.parametrize("make, what", [
    (lambda tmp: tmp / "nowhere", "no such directory"),
    (lambda tmp: write(tmp, "deck", "deck: deck\n"), "not a directory"),
], ids=["missing", "a-file"])
def test_deck_directory_that_is_not_one_is_a_problem_not_a_traceback(decks_dir, make, what):
    root = make(decks_dir.parent)
    assert check_decks(root) == [Problem(root.name, 0, what)]
    with pytest.raises(DeckError, match=what):
        load_decks(root)


def test_unknown_deck_name_lists_the_decks():
    with pytest.raises(UnknownDeck, match="chain-rule") as error:
        load_deck("no-such-deck")
    assert isinstance(error.value, KeyError)  # what callers caught before UnknownDeck existed
    assert str(error.value).startswith("no deck named 'no-such-deck'; the decks are: ")


def test_select_decks_in_the_order_given_or_all_shipped_decks(decks_dir):
    assert [d.name for d in select_decks()] == sorted(DECK_NAMES)
    path = write(decks_dir, "good", GOOD.format(name="good", prefix="g"))
    chain = load_deck("chain-rule")
    chosen = select_decks([path, "forward-pass", chain])
    assert [d.name for d in chosen] == ["good", "forward-pass", "chain-rule"]
    assert chosen[2] is chain and len(chosen[0]) == 2
    assert select_decks([]) == []
    with pytest.raises(UnknownDeck):
        select_decks(["no-such-deck"])
