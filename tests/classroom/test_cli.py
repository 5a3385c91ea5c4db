"""`bpcourse share`, `bpcourse class report` and `bpcourse notebooks` run as a learner and an
instructor would: a new process, output through a pipe, the exit status checked."""

import csv
import json
import os
import subprocess
import sys

import pytest


def run(*args, home, cwd, env=None):
    environment = {**os.environ, "BPCOURSE_HOME": str(home), **(env or {})}
    environment.pop("BPCOURSE_CLASS_DIR", None)
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "bpcourse", *args], capture_output=True,
                          text=True, env=environment, cwd=cwd, timeout=120)


@pytest.fixture
def homes(tmp_path):
    return tmp_path / "ada-home", tmp_path / "bob-home"


def test_two_learners_share_and_the_report_shows_both(homes, class_dir, tmp_path):
    ada, bob = homes
    first = run("share", str(class_dir), "--name", "Ada", home=ada, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Shared your progress as Ada" in first.stdout
    second = run("share", home=bob, cwd=tmp_path, env={"BPCOURSE_CLASS_DIR": str(class_dir)})
    assert second.returncode == 0, second.stderr
    assert "add --name NAME" in second.stdout
    files = sorted(class_dir.glob("*.json"))
    assert len(files) == 2
    pseudonym = json.loads(next(f for f in files if '"Ada"' not in f.read_text())
                           .read_text())["pseudonym"]
    report = run("class", "report", str(class_dir), "--csv", "class.csv", "--plot", "class",
                 home=tmp_path / "instructor", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert "2 learners (1 named)" in report.stdout
    assert "Ada" in report.stdout and pseudonym in report.stdout
    rows = list(csv.DictReader((tmp_path / "class.csv").open()))
    assert {r["learner"] for r in rows} == {"Ada", pseudonym}
    assert (tmp_path / "class.png").read_bytes()[:4] == b"\x89PNG"
    # The instructor's run read summaries only: it made no store of its own.
    assert not (tmp_path / "instructor").exists()


def test_sharing_into_a_missing_folder_fails_in_one_line(homes, tmp_path):
    done = run("share", str(tmp_path / "nope"), home=homes[0], cwd=tmp_path)
    assert done.returncode == 1
    assert "no such folder" in done.stderr and "Traceback" not in done.stderr
    assert not homes[0].exists()  # checked before the store was opened


def test_share_without_a_folder_says_what_to_give(homes, tmp_path):
    done = run("share", home=homes[0], cwd=tmp_path)
    assert done.returncode == 1 and "BPCOURSE_CLASS_DIR" in done.stderr


def test_a_report_of_a_missing_folder_fails_in_one_line(tmp_path):
    done = run("class", "report", str(tmp_path / "nope"), home=tmp_path / "h", cwd=tmp_path)
    assert done.returncode == 1
    assert "no such folder" in done.stderr and "Traceback" not in done.stderr


def test_a_plot_file_of_an_unknown_kind_is_a_usage_error(class_dir, tmp_path):
    done = run("class", "report", str(class_dir), "--plot", "x.docx", home=tmp_path / "h",
               cwd=tmp_path)
    assert done.returncode == 2 and "cannot draw a .docx file" in done.stderr


def test_a_closed_pipe_ends_the_report_quietly(homes, class_dir, tmp_path):
    run("share", str(class_dir), home=homes[0], cwd=tmp_path)
    command = (f"{sys.executable} -m bpcourse class report {class_dir} | head -c 10 "
               "> /dev/null; echo ${PIPESTATUS[0]}")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                          env={**os.environ, "BPCOURSE_HOME": str(homes[1])}, timeout=120)
    assert done.stdout.strip() in {"0", "141"} and "Traceback" not in done.stderr


def test_notebooks_are_copied_then_updated_only_where_unchanged(tmp_path):
    first = run("notebooks", home=tmp_path / "h", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    copied = sorted(p.name for p in (tmp_path / "bpcourse-notebooks").glob("*.ipynb"))
    assert copied[0] == "00_start_here.ipynb" and len(copied) >= 9
    assert f"{len(copied)} added" in first.stdout
    again = run("notebooks", "bpcourse-notebooks", home=tmp_path / "h", cwd=tmp_path)
    assert f"{len(copied)} unchanged" in again.stdout


# -- the same commands in this process (what the pipe tests cannot measure) ---------------

def cli(*args):
    from bpcourse.flashcards.cli import main

    return main(list(args))


def test_in_process_share_report_and_notebooks(class_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert cli("share", str(class_dir), "--name", "Ada") == 0
    assert "Shared your progress as Ada" in capsys.readouterr().out
    assert cli("class", "report", str(class_dir), "--csv", "c.csv", "--plot", "h.svg") == 0
    out = capsys.readouterr().out
    assert "1 learner (1 named)" in out and "CSV written to c.csv" in out
    assert (tmp_path / "h.svg").read_text().lstrip().startswith("<?xml")
    assert cli("notebooks", "nb") == 0
    assert "Open them with: jupyter lab nb" in capsys.readouterr().out
    assert cli("notebooks", "nb") == 0
    assert "Open them with" not in capsys.readouterr().out


def test_in_process_failures_are_one_line_messages(class_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BPCOURSE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("BPCOURSE_CLASS_DIR", raising=False)
    assert cli("share") == 1
    assert cli("share", str(class_dir), "--name", "\x1b") == 1
    assert cli("class", "report", str(tmp_path / "nope")) == 1
    (tmp_path / "file").write_text("")
    assert cli("notebooks", str(tmp_path / "file")) == 1
    errors = capsys.readouterr().err
    assert "BPCOURSE_CLASS_DIR" in errors and "control character" in errors
    assert "no such folder" in errors and "is a file" in errors
    for bad in (["--csv", ""], ["--csv", str(tmp_path / "no" / "c.csv")],
                ["--csv", str(tmp_path)], ["--plot", "x.docx"]):
        with pytest.raises(SystemExit) as stopped:
            cli("class", "report", str(class_dir), *bad)
        assert stopped.value.code == 2


def test_a_csv_that_cannot_be_written_fails_after_the_report(class_dir, tmp_path, monkeypatch,
                                                            capsys):
    def refuse(self, path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("bpcourse.classroom.report.ClassReport.write_csv", refuse)
    assert cli("class", "report", str(class_dir), "--csv", str(tmp_path / "c.csv")) == 1
    captured = capsys.readouterr()
    assert "No progress summaries yet" in captured.out
    assert "Permission denied" in captured.err
