"""The share button and the report widget, driven through their handlers."""

import os

from classbuild import NOW, ada

from bpcourse.classroom import class_report_widget, share_widget
from bpcourse.classroom.sharing import write_summary


def test_nothing_is_written_until_the_button_is_clicked(store, class_dir):
    widget = share_widget(str(class_dir), store=store, now=NOW)
    assert os.listdir(class_dir) == []
    assert "pseudonym made at your first share" in widget.message.value
    widget.share_button.click()
    assert len(os.listdir(class_dir)) == 1
    assert "Shared" in widget.message.value and "pseudonym" in widget.message.value
    # A new widget now says which pseudonym the learner has.
    pseudonym = os.listdir(class_dir)[0].removesuffix(".json")
    assert pseudonym in share_widget(str(class_dir), store=store).message.value


def test_a_name_typed_in_the_box_is_shown(store, class_dir):
    widget = share_widget(str(class_dir), store=store, now=NOW)
    widget.name.value = "  Ada  "
    widget.share_button.click()
    assert "as <b>Ada</b>" in widget.message.value


def test_a_problem_is_shown_in_the_widget_not_raised(store, tmp_path):
    widget = share_widget(str(tmp_path / "nope"), store=store, now=NOW)
    widget.share_button.click()
    assert "Not shared" in widget.message.value and "no such folder" in widget.message.value


def test_the_folder_defaults_to_the_class_dir_variable(store, class_dir, monkeypatch):
    monkeypatch.setenv("BPCOURSE_CLASS_DIR", str(class_dir))
    assert share_widget(store=store).folder.value == str(class_dir)


def test_the_report_widget_draws_the_class_and_refreshes(class_dir):
    widget = class_report_widget(str(class_dir), now=NOW)
    assert "No progress summaries yet" in widget.tables.value
    write_summary(class_dir / "learner-000000a1.json", ada())
    widget.refresh_button.click()
    assert "Ada" in widget.tables.value
    assert widget.heatmap.value[:4] == b"\x89PNG"


def test_the_report_widget_names_a_missing_folder(tmp_path):
    widget = class_report_widget(str(tmp_path / "nope"))
    assert "no such folder" in widget.tables.value
