"""The class report against a hand-built class whose every figure is worked out by hand
(classbuild.py describes the three learners)."""

import csv
from datetime import timezone

import pytest
from classbuild import NOW, ada, bob, pseudonymous

from bpcourse.classroom import ClassFolder, ClassReport, class_report
from bpcourse.classroom.sharing import write_summary


@pytest.fixture
def report(class_dir, decks):
    for summary in (ada(), pseudonymous(), bob()):
        write_summary(class_dir / summary.file_name, summary)
    (class_dir / "stray.json").write_text("{}")
    return ClassReport(ClassFolder.read(class_dir), decks=decks, now=NOW, tz=timezone.utc)


def test_learners_are_shown_by_name_or_pseudonym(report):
    assert [row.learner for row in report.rows] == ["@bob", "Ada", "learner-000000b2"]


def test_the_learners_by_decks_table_counts_cards_started(report):
    header, *rows = report.table_rows()
    assert header == ["learner", "alpha", "beta", "due today", "retention 30 d"]
    by_learner = {row[0]: row[1:] for row in rows}
    # Ada: a-one due an hour ago; retention 1 of 2 graded reviews.
    assert by_learner["Ada"] == ["2/3", "0/2", "1", "50 %"]
    # The pseudonym: 3 of 3 passed in alpha, 0 of 2 in beta: 3 of 5.
    assert by_learner["learner-000000b2"] == ["1/3", "1/2", "0", "60 %"]
    assert by_learner["@bob"] == ["1/3", "1/2", "0", "–"]


def test_the_forecast_counts_each_card_on_its_learning_day(report):
    # Days start at 4 am UTC here; the report is at noon. Ada's a-one (overdue) today,
    # the pseudonym's a-one tomorrow, Ada's a-two on day 2, bob's a-three on day 3 and
    # b-two on day 5; b-one, in 20 days, falls outside the 14 days.
    assert report.forecast() == [1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]


def test_the_hardest_cards_come_by_lapses_then_lowest_retention(report):
    hardest = report.hardest()
    assert [c.card_id for c in hardest] == ["a-one", "b-one", "a-three"]
    a_one, b_one, a_three = hardest
    # a-one: 2 + 1 lapses in (3 - 1) + (4 - 1) graded reviews; both learners lapsed.
    assert (a_one.lapses, a_one.graded, a_one.learners, a_one.lapsed) == (3, 5, 2, 2)
    assert a_one.retention == pytest.approx(0.4)
    # b-one and a-three have 2 lapses each: b-one (0 of 2 kept) before a-three (2 of 4).
    assert (b_one.lapses, b_one.retention) == (2, 0.0)
    assert (a_three.lapses, a_three.retention) == (2, pytest.approx(0.5))
    assert report.hardest(1) == [a_one]


def test_the_hardest_cards_are_shown_by_their_question(report):
    text = str(report)
    assert "What is δ^(l)?" in text
    assert "Second question?" not in text  # a-two never lapsed


def test_practice_accuracy_adds_up_the_learners_who_recorded_answers(report):
    # Ada 3 of 4 and bob 3 of 6 in alpha; Ada's 0 beta answers count for nothing; the
    # pseudonym's bpcourse records none.
    assert report.practice_accuracy() == {"alpha": (2, 10, 6)}
    assert "60 %" in str(report).split("Practice-card accuracy")[1]


def test_a_stray_file_is_named_in_the_report(report):
    assert "stray.json: not a bpcourse progress summary" in str(report)
    assert "stray.json" in report._repr_html_()


def test_the_csv_has_a_row_per_learner_and_deck_safe_for_spreadsheets(report, tmp_path):
    path = report.write_csv(tmp_path / "class.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) == 6
    ada_alpha = next(r for r in rows if r["learner"] == "Ada" and r["deck"] == "alpha")
    assert (ada_alpha["new"], ada_alpha["learning"], ada_alpha["due_today"],
            ada_alpha["retention_30d"], ada_alpha["practice_answers"],
            ada_alpha["practice_correct"]) == ("1", "2", "1", "0.5000", "4", "3")
    assert {r["learner"] for r in rows} == {"Ada", "'@bob", "learner-000000b2"}
    pseudonym_beta = next(r for r in rows if r["file"] == "learner-000000b2.json"
                          and r["deck"] == "beta")
    assert (pseudonym_beta["named"], pseudonym_beta["practice_answers"]) == ("false", "")


def test_the_heatmap_is_written_as_an_image(report, tmp_path):
    figure = report.plot(tmp_path / "heat")
    assert (tmp_path / "heat.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    started, retention = (axes.images[0].get_array() for axes in figure.axes[:2])
    assert started.shape == (3, 2)
    # Ada's row (second): 2 of 3 alpha cards started; no beta retention (masked).
    assert started[1, 0] == pytest.approx(200 / 3)
    assert retention.mask[1, 1]


def test_an_empty_folder_says_how_learners_share(class_dir, decks, tmp_path):
    report = ClassReport(ClassFolder.read(class_dir), decks=decks, now=NOW)
    assert "No progress summaries yet" in str(report)
    report.plot(tmp_path / "empty.png")
    assert report.forecast() == [0] * 14


def test_class_report_reads_the_class_dir_variable(report, class_dir, monkeypatch):
    monkeypatch.setenv("BPCOURSE_CLASS_DIR", str(class_dir))
    assert len(class_report(now=NOW).rows) == 3


def test_the_report_never_writes_into_the_class_folder(report, class_dir, tmp_path):
    before = sorted((p.name, p.stat().st_mtime_ns) for p in class_dir.iterdir())
    str(report)
    report.write_csv(tmp_path / "out.csv")
    report.plot(tmp_path / "out.png")
    ClassFolder.read(class_dir)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in class_dir.iterdir()) == before
