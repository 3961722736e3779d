"""`jnap history ID`: every commit that changed an action, newest first, from a small git repository."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import Run, git
from .registers import drop_action, find, set_field, small, write

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _commit(root: Path, subject: str, date: str, author: str | None = None) -> str:
    """Commit everything with `subject` at author `date`; the short hash."""
    git(root, "add", ".")
    git(root, "commit", "-qm", subject, f"--date={date}", *([f"--author={author}"] if author else []))
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, git_env: None) -> tuple[Path, list[str]]:
    """A register in git: R2 added ongoing, completed by another author, its commentary reworded, then R3 edited."""
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    register = root / "data" / "actions.toml"
    git(root, "init", "-q")
    data = small()
    write(register, data)
    hashes = [_commit(root, "Add the register", "2024-01-05T09:00:00+00:00")]
    data = set_field(data, "R2", "status", "complete")
    write(register, data)
    hashes.append(_commit(root, "R2 is complete", "2024-02-10T14:30:00+01:00", "Ann Other <ann@example.org>"))
    commentary = "Victim liaison meetings take place every month.\n\nAdvocates attend every meeting."
    data = set_field(data, "R2", "commentary", commentary)
    write(register, data)
    hashes.append(_commit(root, "Reword R2", "2024-03-01T10:00:00+00:00"))
    write(register, set_field(data, "R3", "commentary", "Work is under way in each area."))
    hashes.append(_commit(root, "Reword R3", "2024-04-01T10:00:00+00:00"))
    return register, hashes


def test_history_json(run: Run, repo: tuple[Path, list[str]]) -> None:
    register, (first, completed, reworded, _) = repo
    result = run("history", "R2", "-r", str(register), "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert json.loads(result.stdout) == [
        {
            "commit": reworded,
            "date": "2024-03-01T10:00:00+00:00",
            "author": "Test",
            "subject": "Reword R2",
            "change": "changed",
            "field": "commentary",
            "old": "Victim liaison meetings take place every month.\n\nAdvocates attend each meeting.",
            "new": "Victim liaison meetings take place every month.\n\nAdvocates attend every meeting.",
            "note": None,
        },
        {
            "commit": completed,
            "date": "2024-02-10T14:30:00+01:00",
            "author": "Ann Other",
            "subject": "R2 is complete",
            "change": "changed",
            "field": "status",
            "old": "ongoing",
            "new": "complete",
            "note": None,
        },
        {
            "commit": first,
            "date": "2024-01-05T09:00:00+00:00",
            "author": "Test",
            "subject": "Add the register",
            "change": "added",
            "field": "text",
            "old": None,
            "new": "Continue the victim liaison meetings with advocates.",
            "note": None,
        },
    ]


def test_history_tsv(run: Run, repo: tuple[Path, list[str]]) -> None:
    register, (first, completed, reworded, _) = repo
    result = run("history", "r2", "-r", str(register), "--format", "tsv", "--empty", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{reworded}\t2024-03-01T10:00:00+00:00\tTest\tcommentary\t"
        "Victim liaison meetings take place every month.\\n\\nAdvocates attend each meeting.\t"
        "Victim liaison meetings take place every month.\\n\\nAdvocates attend every meeting.",
        f"{completed}\t2024-02-10T14:30:00+01:00\tAnn Other\tstatus\tongoing\tcomplete",
        f"{first}\t2024-01-05T09:00:00+00:00\tTest\ttext\t-\tContinue the victim liaison meetings with advocates.",
    ]


def test_who_completed_it(run: Run, repo: tuple[Path, list[str]]) -> None:
    register, _ = repo
    result = run("history", "R2", "-r", str(register), "-f", "jsonl", "--fields", "author,date,field,new")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row for row in rows if row["field"] == "status"] == [
        {"author": "Ann Other", "date": "2024-02-10T14:30:00+01:00", "field": "status", "new": "complete"}
    ]


def test_renames_and_removals_are_followed(run: Run, repo: tuple[Path, list[str]]) -> None:
    register, _ = repo
    root = register.parent.parent
    data = set_field(small(), "O3", "id", "O3b")
    write(register, data)
    renamed = _commit(root, "Rename O3", "2024-05-01T10:00:00+00:00")
    new = run("history", "O3b", "-r", str(register), "-f", "json", "--fields", "commit,change,field")
    rows = json.loads(new.stdout)
    assert rows[0] == {"commit": renamed, "change": "renamed", "field": "id"}
    assert rows[-1]["change"] == "added"
    # The old id finds the same story: it is in no current action, but git remembers it.
    old = run("history", "O3", "-r", str(register), "-f", "json", "--fields", "commit,change,field")
    assert old.exit_code == 0, old.output
    assert json.loads(old.stdout)[0] == {"commit": renamed, "change": "renamed", "field": "id"}


def test_a_version_that_does_not_parse_is_skipped(run: Run, repo: tuple[Path, list[str]]) -> None:
    register, (*_, last) = repo
    root = register.parent.parent
    good = register.read_text(encoding="utf-8")
    register.write_text(good + "[[actions\n", encoding="utf-8")
    broken = _commit(root, "Break the file", "2024-05-01T10:00:00+00:00")
    register.write_text(good.replace("every meeting", "all meetings"), encoding="utf-8")
    fixed = _commit(root, "Fix the file", "2024-05-02T10:00:00+00:00")
    result = run("history", "R2", "-r", str(register), "-f", "json", "--fields", "commit,change,field,note")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0] == {"commit": fixed, "change": "changed", "field": "commentary", "note": None}
    assert rows[1]["commit"] == broken
    assert rows[1]["change"] == "skipped"
    assert rows[1]["note"].startswith(f"{broken}")
    assert "\n" not in rows[1]["note"]
    assert last not in {row["commit"] for row in rows}  # R3's edit is not R2's history


def test_unknown_id_names_close_ids(run: Run, repo: tuple[Path, list[str]]) -> None:
    register, _ = repo
    result = run("history", "R29", "-r", str(register))
    assert result.exit_code == 2, result.output
    assert result.stderr == "jnap: error: no action 'R29'; did you mean R2?\n"


def test_no_commit_changed_it(run: Run, repo: tuple[Path, list[str]], tmp_path: Path) -> None:
    register, _ = repo
    root = register.parent.parent
    (root / "new.toml").write_text(register.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("history", "R2", "-r", str(root / "new.toml"))
    assert result.exit_code == 1, result.output
    assert result.stderr == "jnap: no commit changed R2\n"


def test_outside_a_git_work_tree(run: Run, tmp_path: Path, git_env: None) -> None:
    register = write(tmp_path / "actions.toml", small())
    result = run("history", "R2", "-r", str(register))
    assert result.exit_code == 2, result.output
    said = f"jnap: error: {register}: git cannot read its history: fatal: not a git repository"
    assert result.stderr.startswith(said)
    assert result.stderr.count("\n") == 1


def test_git_absent(run: Run, repo: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    register, _ = repo
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    result = run("history", "R2", "-r", str(register))
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"jnap: error: git is not installed; cannot read the history of {register}; "
        "jnap history reads the register's git history: give a register that git tracks (--register PATH)\n"
    )


# --- the table: each commit, then what it changed, word by word --------------------------------


def _append_a_sentence(register: Path) -> str:
    """A commit that appends one sentence to R2's commentary; its short hash."""
    text = register.read_text(encoding="utf-8")
    old = "Advocates attend every meeting."
    assert text.count(old) == 1
    register.write_text(text.replace(old, old + " A report goes to the board each quarter."), encoding="utf-8")
    return _commit(register.parent.parent, "R2: say who hears of the meetings", "2024-05-01T10:00:00+00:00")


# At 80 and 60 columns, NO_COLOR: {appended} and the others are the commits' short hashes.
HISTORY_TABLE = {
    "80": """\
{appended}  2024-05-01  Test       R2: say who hears of the meetings
  commentary: … month. ¶ Advocates attend every meeting. {{+A report goes to the
              board each quarter.+}}

{reworded}  2024-03-01  Test       Reword R2
  commentary: … place every month. ¶ Advocates attend [-each-]{{+every+}} meeting.

{completed}  2024-02-10  Ann Other  R2 is complete
  status: ongoing → complete

{first}  2024-01-05  Test       Add the register
  added: Continue the victim liaison meetings with advocates.
""",
    "60": """\
{appended}  2024-05-01  Test       R2: say who hears of the
    meetings
  commentary: … month. ¶ Advocates attend every meeting. {{+A
              report goes to the board each quarter.+}}

{reworded}  2024-03-01  Test       Reword R2
  commentary: … place every month. ¶ Advocates attend
              [-each-]{{+every+}} meeting.

{completed}  2024-02-10  Ann Other  R2 is complete
  status: ongoing → complete

{first}  2024-01-05  Test       Add the register
  added: Continue the victim liaison meetings with
         advocates.
""",
}


@pytest.mark.parametrize("columns", sorted(HISTORY_TABLE))
def test_history_table_shows_a_word_diff_per_commit(run: Run, repo: tuple[Path, list[str]], columns: str) -> None:
    """One sentence appended is one sentence shown (was both commentaries whole: 35 lines at 80 columns for
    the bundled R4); each commit's header, then its changes; an added action is marked as added."""
    register, (first, completed, reworded, _) = repo
    appended = _append_a_sentence(register)
    result = run("history", "R2", "-r", str(register), "-f", "table", env={"COLUMNS": columns, "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    hashes = {"appended": appended, "reworded": reworded, "completed": completed, "first": first}
    assert result.stdout == HISTORY_TABLE[columns].format(**hashes)


def test_history_table_marks_renamed_removed_and_skipped(run: Run, repo: tuple[Path, list[str]]) -> None:
    register, _ = repo
    root = register.parent.parent
    data = set_field(small(), "O3", "id", "O3b")
    data = set_field(data, "O3b", "references", ["Action 1"])
    write(register, data)
    renamed = _commit(root, "Rename O3", "2024-05-01T10:00:00+00:00")
    good = register.read_text(encoding="utf-8")
    register.write_text(good + "[[actions\n", encoding="utf-8")
    broken = _commit(root, "Break the file", "2024-05-02T10:00:00+00:00")
    write(register, drop_action(data, "O3b"))
    removed = _commit(root, "Drop O3b", "2024-05-03T10:00:00+00:00")
    result = run("history", "O3b", "-r", str(register), "-f", "table", env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == [f"{removed}  2024-05-03  Test  Drop O3b", f"  removed: {find(small(), 'O3')['text']}"]
    assert lines[3] == f"{broken}  2024-05-02  Test  Break the file"
    assert lines[4].startswith(f"  skipped: {broken}")
    assert lines[6:9] == [
        f"{renamed}  2024-05-01  Test  Rename O3",
        "  O3 renamed to O3b",
        "  references: action 1 under Supporting Victims → Action 1",
    ]
    assert lines[-1] == f"  added: {find(small(), 'O3')['text']}"
    assert "→ O3b" not in result.stdout
    # With --fields, a table is the columns asked for.
    columns = run(
        "history", "O3b", "-r", str(register), "-f", "table", "--fields", "commit,change", env={"NO_COLOR": "1"}
    )
    rows = [line.split() for line in columns.stdout.splitlines()]
    assert (rows[0], rows[2:5]) == (
        ["commit", "change"],
        [[removed, "removed"], [broken, "skipped"], [renamed, "renamed"]],
    )


def test_history_table_in_colour(run: Run, repo: tuple[Path, list[str]]) -> None:
    register, _ = repo
    _append_a_sentence(register)
    coloured = run("history", "R2", "-r", str(register), "-f", "table", env={"COLUMNS": "80", "FORCE_COLOR": "1"})
    assert coloured.exit_code == 0, coloured.output
    assert ANSI.search(coloured.stdout)
    assert "{+" not in coloured.stdout and "[-" not in coloured.stdout  # styles, not markers
    plain = run("history", "R2", "-r", str(register), "-f", "table", env={"COLUMNS": "80", "NO_COLOR": "1"})
    unmarked = re.sub(r"\{\+|\+\}|\[-|-\]", "", plain.stdout)
    assert ANSI.sub("", coloured.stdout) == unmarked


def test_history_table_escapes_commit_text(run: Run, repo: tuple[Path, list[str]]) -> None:
    """A commit's author and subject come from the repository: shown escaped, never as markup or a terminal command."""
    register, _ = repo
    text = register.read_text(encoding="utf-8")
    register.write_text(text.replace("Advocates attend every meeting.", "Advocates attend."), encoding="utf-8")
    subject = "[bold]Trim[/bold] \x1b[2J R2\u202e"
    _commit(register.parent.parent, subject, "2024-05-01T10:00:00+00:00", "[red]Mallory[/red] <m@example.org>")
    result = run("history", "R2", "-r", str(register), "-f", "table", env={"COLUMNS": "200", "FORCE_COLOR": "1"})
    header = ANSI.sub("", result.stdout.splitlines()[0])
    assert header.endswith("  [red]Mallory[/red]  [bold]Trim[/bold] \\x1b[2J R2<U+202E>")
    assert "\x1b[2J" not in result.stdout and "\u202e" not in result.stdout
