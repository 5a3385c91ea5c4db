"""The summary record: a round trip, and every kind of bad or foreign file reported by name."""

import copy
import json
import math

import pytest
from classbuild import ada, bob, pseudonymous

from bpcourse.classroom import ClassFolder, ProgressSummary, SummaryError
from bpcourse.classroom.sharing import write_summary


def test_a_summary_survives_a_round_trip_through_json():
    for summary in (ada(), pseudonymous(), bob()):
        assert ProgressSummary.from_dict(json.loads(json.dumps(summary.to_dict()))) == summary


def mutated(change):
    data = copy.deepcopy(ada().to_dict())
    change(data)
    return data


def setter(*path_and_value):
    *path, value = path_and_value

    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(("change", "message"), [
    (setter("kind", "something-else"), "not a bpcourse progress summary"),
    (setter("version", 2), "newer bpcourse"),
    (setter("version", "1"), "version"),
    (setter("version", True), "version"),
    (setter("pseudonym", "bob"), "pseudonym"),
    (setter("name", "Eve\x1b[2J"), "control character"),
    (setter("name", "x" * 81), "longer than 80"),
    (setter("name", ""), "non-empty"),
    (setter("shared_at", "2026-03-10T12:00:00"), "UTC offset"),
    (setter("shared_at", "yesterday"), "ISO 8601"),
    (setter("decks", {}), "must be a list"),
    (setter("decks", 0, "new", -1), "decks[0].new"),
    (setter("decks", 0, "new", True), "decks[0].new"),
    (setter("decks", 0, "new", 1.0), "decks[0].new"),
    (setter("decks", 0, "cards", 4), "not the number of cards"),
    (setter("decks", 0, "due", 3), "were ever reviewed"),
    (setter("decks", 0, "retention", math.nan), "decks[0].retention"),
    (setter("decks", 0, "retention", 1.5), "decks[0].retention"),
    (setter("decks", 0, "retention", math.inf), "decks[0].retention"),
    (setter("decks", 0, "retention", None), "null exactly when"),
    (setter("decks", 0, "practice_correct", None), "both be given"),
    (setter("decks", 0, "practice_correct", 5), "correct of 4"),
    (setter("decks", 1, "deck", "Not A Name!"), "decks[1].deck"),
    (setter("cards", 0, "lapses", 3), "first review cannot be a lapse"),
    (setter("cards", 0, "reviews", 0), "cards[0].reviews"),
    (setter("cards", 0, "last_rating", 6), "from 1 to 5"),
    (setter("cards", 0, "last_rating", 0), "cards[0].last_rating"),
    (setter("cards", 0, "deck", "gamma"), "not one of the summary's decks"),
    (setter("cards", 1, "card_id", "a-one"), "listed twice"),
    (setter("cards", 0, "due", 12), "cards[0].due"),
    (lambda data: data["cards"].pop(), "are listed"),
    (lambda data: data.pop("cards"), "'cards' is missing"),
    (lambda data: data["decks"][0].pop("mature"), "'mature' is missing"),
    (lambda data: data["cards"].append("a-three"), "cards[2]: must be an object"),
])
def test_a_summary_with_a_wrong_field_is_refused_saying_which(change, message):
    with pytest.raises(SummaryError) as caught:
        ProgressSummary.from_dict(mutated(change))
    assert message in str(caught.value)


def test_bad_and_foreign_files_are_listed_by_name_and_the_rest_is_read(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write_summary(folder / "learner-000000a1.json", ada())
    (folder / "broken.json").write_text("{")
    (folder / "other.json").write_text('{"name": "a notebook config"}')
    (folder / "list.json").write_text("[]")
    (folder / "newer.json").write_text(json.dumps(mutated(setter("version", 9))))
    (folder / "bad-field.json").write_text(json.dumps(mutated(setter("decks", 0, "new", -1))))
    (folder / "latin1.json").write_bytes(b"\xff\xfe")
    (folder / "notes.txt").write_text("bring biscuits")
    (folder / "sub").mkdir()
    (folder / "link.json").symlink_to(folder / "learner-000000a1.json")
    (folder / ".learner-000000b2.json.1a2b3c4d.tmp").write_text("{")  # a share under way
    read = ClassFolder.read(folder)
    assert [name for name, _s in read.summaries] == ["learner-000000a1.json"]
    reasons = dict(read.skipped)
    assert set(reasons) == {"bad-field.json", "broken.json", "latin1.json", "link.json",
                            "list.json", "newer.json", "notes.txt", "other.json", "sub"}
    assert "not valid JSON (line 1" in reasons["broken.json"]
    assert "not a bpcourse progress summary" in reasons["other.json"]
    assert "not a bpcourse progress summary" in reasons["list.json"]
    assert "upgrade bpcourse" in reasons["newer.json"]
    assert "decks[0].new" in reasons["bad-field.json"]
    assert "not UTF-8" in reasons["latin1.json"]
    assert "symbolic link" in reasons["link.json"]
    assert "end in .json" in reasons["notes.txt"]
    assert "not a file" in reasons["sub"]


def test_an_oversized_file_is_refused_unparsed(tmp_path, monkeypatch):
    monkeypatch.setattr("bpcourse.classroom.class_folder.MAX_SUMMARY_BYTES", 100)
    folder = tmp_path / "class"
    folder.mkdir()
    write_summary(folder / "learner-000000a1.json", ada())
    read = ClassFolder.read(folder)
    assert read.summaries == () and "too large" in read.skipped[0][1]
