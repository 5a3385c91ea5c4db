"""Card markup: paragraphs, lists, maths and escapes, for the widget and for Anki."""

import html
import re
import sqlite3
import zipfile
from html.parser import HTMLParser

import pytest

from bpcourse.flashcards import load_decks
from bpcourse.flashcards.anki import export_anki
from bpcourse.flashcards.markup import to_html


@pytest.mark.parametrize(
    "text, math, expected",
    [
        ("Compute $a*b*c$ and **this**.", "dollars",
         "<p>Compute $a*b*c$ and <strong>this</strong>.</p>"),
        ("x < y & $a<b$", "dollars", "<p>x &lt; y &amp; $a&lt;b$</p>"),
        ("Use `delta.sum(axis=0)`, **not** `delta*2`.", "anki",
         "<p>Use <code>delta.sum(axis=0)</code>, <strong>not</strong> <code>delta*2</code>.</p>"),
        # a single newline is a space, as in Markdown; a blank line starts a paragraph
        ("The chain rule\nmultiplies local\nderivatives.", "dollars",
         "<p>The chain rule multiplies local derivatives.</p>"),
        ("One.\n\n\nTwo\nlines.", "dollars", "<p>One.</p><p>Two lines.</p>"),
        ("$x_1$ then\n$$\\sum_i x_i$$", "anki", "<p>\\(x_1\\) then \\[\\sum_i x_i\\]</p>"),
        ("**two\nwords**", "dollars", "<p><strong>two words</strong></p>"),
        # a minus sign or a decimal at the start of a wrapped line is not a list marker
        ("x is\n-1 here, y is\n2.5 there", "dollars", "<p>x is -1 here, y is 2.5 there</p>"),
        # lists: after a blank line or directly after a paragraph line
        ("Steps:\n\n1. forward\n2. backward", "dollars",
         "<p>Steps:</p><ol><li>forward</li><li>backward</li></ol>"),
        ("Steps:\n1. forward\n2. backward", "dollars",
         "<p>Steps:</p><ol><li>forward</li><li>backward</li></ol>"),
        ("- one\n* two", "dollars", "<ul><li>one</li><li>two</li></ul>"),
        ("3. third\n10. tenth", "dollars", '<ol start="3"><li>third</li><li>tenth</li></ol>'),
        # a line without a marker continues the item; a blank line then text is a paragraph
        ("- a long item\n  wrapped here\n- short\n\nAfter.", "dollars",
         "<ul><li>a long item wrapped here</li><li>short</li></ul><p>After.</p>"),
        ("- a\n\n- b", "dollars", "<ul><li>a</li><li>b</li></ul>"),
        ("1. a\n- b", "dollars", "<ol><li>a</li></ol><ul><li>b</li></ul>"),
        ("- $x$ **big**\n- `y`", "anki",
         "<ul><li>\\(x\\) <strong>big</strong></li><li><code>y</code></li></ul>"),
        # bold never spans two items, which would nest the tags wrongly
        ("- **a\n- b**", "dollars", "<ul><li>**a</li><li>b**</li></ul>"),
        # an escaped dollar: kept escaped for HTMLMath (a bare $ would open maths there),
        # a plain $ for Anki, whose MathJax only knows \( \)
        ("It costs \\$5, not $5$.", "dollars", "<p>It costs \\$5, not $5$.</p>"),
        ("It costs \\$5, not $5$.", "anki", "<p>It costs $5, not \\(5\\).</p>"),
    ],
)
def test_card_markup(text, math, expected):
    assert to_html(text, math) == expected


class _Nesting(HTMLParser):
    """Checks that every tag is closed in order; collects the tags seen."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.seen: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)
        self.seen.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, f"</{tag}> closes nothing"


def _sides():
    return [(card.id, side) for deck in load_decks().values() for card in deck.cards
            for side in (card.front, card.back)]


@pytest.mark.parametrize("math", ["dollars", "anki"])
def test_every_shipped_card_renders_to_well_formed_html(math):
    for card_id, side in _sides():
        rendered = to_html(side, math)
        parser = _Nesting()
        parser.feed(rendered)
        parser.close()
        assert parser.open == [], (card_id, rendered)
        assert "<br>" not in rendered, card_id
        if math == "anki":  # every $ of a shipped card is a maths delimiter
            assert "$" not in rendered, (card_id, rendered)


def _words(text):
    return re.findall(r"[A-Za-z]{2,}", text)


def test_shipped_cards_lose_no_words():
    """The text of the HTML has the words of the source, in order (maths aside)."""
    for card_id, side in _sides():
        source = re.sub(r"\$\$.+?\$\$|\$[^$]+\$", " ", side, flags=re.S)
        rendered = re.sub(r"<[^>]+>|\$\$.+?\$\$|\$[^$]+\$", " ", to_html(side), flags=re.S)
        assert _words(html.unescape(rendered)) == _words(source), card_id


def _list_items(rendered, kind):
    lists = re.findall(rf"<{kind}[^>]*>(.*?)</{kind}>", rendered)
    return [re.findall(r"<li>(.*?)</li>", body) for body in lists]


def test_deliberate_line_breaks_in_the_decks_are_lists():
    backs = {card.id: card.back for deck in load_decks().values() for card in deck.cards}
    optimisers = _list_items(to_html(backs["ess-optimisers"]), "ul")
    assert [[item.split(":")[0] for item in items] for items in optimisers] == [
        ["SGD", "RMSprop", "Adam"]]
    loop = to_html(backs["pt-training-loop"])
    assert [len(items) for items in _list_items(loop, "ol")] == [4]
    assert loop.endswith("</ol><p>Repeat; reshuffle and start again at each new epoch.</p>")
    adam = _list_items(to_html(backs["wu-adam-rule"]), "ol")
    assert [len(items) for items in adam] == [3]


def test_anki_export_keeps_lists_and_maths(tmp_path):
    path = tmp_path / "essentials.apkg"
    export_anki(path, ["backprop-essentials"])
    with zipfile.ZipFile(path) as package:
        (tmp_path / "c.anki2").write_bytes(package.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as conn:
        rows = conn.execute("SELECT flds FROM notes").fetchall()
    fields = {f[2]: f for f in (row[0].split("\x1f") for row in rows)}
    back = fields["ess-optimisers"][1]
    assert back.startswith("<ul><li>SGD: ") and back.count("<li>") == 3
    forward = fields["ess-forward-phase"][1]
    assert "\\(Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}\\)" in forward and "$" not in forward
