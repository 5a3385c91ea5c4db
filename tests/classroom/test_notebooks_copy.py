"""`bpcourse notebooks`: copy the course, then update only what the learner left alone."""

import json

import pytest

from bpcourse.coursefiles import (
    MANIFEST,
    NotebookCopyError,
    cells_fingerprint,
    copy_notebooks,
    shipped_notebooks,
)


def notebook(*sources, outputs=()):
    cells = [{"cell_type": "code", "source": [s], "metadata": {}, "outputs": list(outputs),
              "execution_count": None} for s in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture
def course(tmp_path):
    source = tmp_path / "course"
    source.mkdir()
    for name in ("00_start.ipynb", "01_one.ipynb", "02_two.ipynb"):
        (source / name).write_text(notebook(f"print('{name} v1')"))
    return source


def test_every_shipped_notebook_is_found_by_its_file_name_pattern():
    names = [p.name for p in shipped_notebooks()]
    assert names[0] == "00_start_here.ipynb" and names == sorted(names)
    assert all(name.endswith(".ipynb") for name in names) and len(names) >= 9


def test_a_first_run_copies_every_notebook(course, tmp_path):
    result = copy_notebooks(tmp_path / "mine", source=course)
    assert result.added == ["00_start.ipynb", "01_one.ipynb", "02_two.ipynb"]
    for name in result.added:
        assert (tmp_path / "mine" / name).read_bytes() == (course / name).read_bytes()
    assert (tmp_path / "mine" / MANIFEST).exists()


def test_a_new_version_replaces_unchanged_notebooks_and_keeps_changed_ones(course, tmp_path):
    mine = tmp_path / "mine"
    copy_notebooks(mine, source=course)
    # The learner answers an exercise in 01 and only runs 02 (outputs change, cells do not).
    (mine / "01_one.ipynb").write_text(notebook("my answer = 42"))
    (mine / "02_two.ipynb").write_text(notebook("print('02_two.ipynb v1')",
                                                outputs=[{"output_type": "stream"}]))
    for name in ("01_one.ipynb", "02_two.ipynb"):
        (course / name).write_text(notebook(f"print('{name} v2')"))
    result = copy_notebooks(mine, source=course)
    assert result.updated == ["02_two.ipynb"]
    assert result.kept == ["01_one.ipynb"]
    assert result.unchanged == ["00_start.ipynb"]
    assert "my answer = 42" in (mine / "01_one.ipynb").read_text()
    assert "v2" in (mine / "02_two.ipynb").read_text()
    assert "kept as you changed it" in str(result) and "01_one.ipynb" in str(result)
    # Still kept at the next run: the learner's change is never overwritten.
    assert copy_notebooks(mine, source=course).kept == ["01_one.ipynb"]


def test_a_deleted_notebook_comes_back(course, tmp_path):
    mine = tmp_path / "mine"
    copy_notebooks(mine, source=course)
    (mine / "01_one.ipynb").unlink()
    assert copy_notebooks(mine, source=course).added == ["01_one.ipynb"]


def test_a_renamed_notebook_replaces_the_old_name_unless_the_learner_changed_it(course,
                                                                                tmp_path):
    mine = tmp_path / "mine"
    copy_notebooks(mine, source=course)
    (mine / "02_two.ipynb").write_text(notebook("my notes"))
    for old, new in (("01_one.ipynb", "01_first.ipynb"), ("02_two.ipynb", "02_second.ipynb")):
        (course / old).rename(course / new)
    result = copy_notebooks(mine, source=course)
    assert result.added == ["01_first.ipynb", "02_second.ipynb"]
    assert result.removed == ["01_one.ipynb"] and not (mine / "01_one.ipynb").exists()
    assert result.left == ["02_two.ipynb"] and (mine / "02_two.ipynb").exists()


def test_a_file_of_the_same_name_that_was_never_copied_is_kept(course, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "00_start.ipynb").write_text("not even JSON")
    result = copy_notebooks(mine, source=course)
    assert result.kept == ["00_start.ipynb"]
    assert (mine / "00_start.ipynb").read_text() == "not even JSON"


def test_a_damaged_manifest_makes_every_existing_notebook_count_as_the_learners(course,
                                                                               tmp_path):
    mine = tmp_path / "mine"
    copy_notebooks(mine, source=course)
    (course / "01_one.ipynb").write_text(notebook("v2"))
    (mine / MANIFEST).write_text("{broken")
    assert copy_notebooks(mine, source=course).kept == ["01_one.ipynb"]


def test_a_file_where_the_folder_should_be_is_refused(course, tmp_path):
    (tmp_path / "mine").write_text("")
    with pytest.raises(NotebookCopyError, match="is a file"):
        copy_notebooks(tmp_path / "mine", source=course)


def test_the_fingerprint_ignores_outputs_but_not_sources():
    plain = cells_fingerprint(notebook("x = 1").encode())
    assert plain == cells_fingerprint(notebook("x = 1", outputs=[{"a": 1}]).encode())
    assert plain != cells_fingerprint(notebook("x = 2").encode())
    assert cells_fingerprint(b"\xff") is None and cells_fingerprint(b"[]") is None
