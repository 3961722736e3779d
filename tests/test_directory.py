"""A register kept as a directory of TOML files reads, checks, diffs and edits as the one file does."""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import DATA, Run, edit, git, line_of
from .registers import Data, action, add_action, small, split, write

EVIDENCE_O7 = "The wider action to improve joint working"


def bundled() -> Data:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The bundled register split into `register.toml` (title, source, publication) and a file per plan."""
    return split(bundled(), tmp_path / "register")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    "command",
    [
        ["list"],
        ["list", "--status", "ongoing", "--format", "json"],
        ["list", "--sort", "status:desc", "--format", "csv"],
        ["show", "R4", "O23", "--format", "json"],
        ["show", "21"],
        ["search", "victim", "--format", "json"],
        ["search", '"early advice"'],
        ["plans", "--format", "json"],
        ["themes"],
        ["filter", "deferred", "transferred"],
        ["diff", "original", "refresh"],
        ["diff", "refresh", "original", "--suggest", "--format", "json"],
    ],
)
def test_a_directory_reads_as_the_one_file(run: Run, folder: Path, command: list[str]) -> None:
    one = run(*command, "-r", str(DATA))
    many = run(*command, "-r", str(folder))
    assert (many.exit_code, many.stdout, many.stderr) == (one.exit_code, one.stdout, one.stderr)
    assert one.stdout


def test_check_finds_the_same_at_the_same_lines_of_each_file(run: Run, folder: Path) -> None:
    one = json.loads(run("check", "-r", str(DATA), "--format", "json").stdout)
    many = run("check", "-r", str(folder), "--format", "json")
    assert many.exit_code == 0, many.output
    found = json.loads(many.stdout)
    assert (found["errors"], found["warnings"]) == (one["errors"], one["warnings"]) == (0, 2)
    lines = DATA.read_text(encoding="utf-8").split("\n")
    for single, split_finding in zip(one["findings"], found["findings"], strict=True):
        assert {**single, "file": None, "line": None} == {**split_finding, "file": None, "line": None}
        assert split_finding["file"] == str(folder / "2-original.toml")
        text = Path(split_finding["file"]).read_text(encoding="utf-8").split("\n")
        key = lines[single["line"] - 1].split("=")[0]  # `references = [...]` of O14, O15 (tomli-w splits arrays)
        assert text[split_finding["line"] - 1].startswith(key) and key.startswith("references")
    assert many.stderr == "jnap: 44 actions checked: 0 error(s), 2 warning(s)\n"


def test_files_are_every_toml_directly_in_it_in_name_order(run: Run, tmp_path: Path) -> None:
    data = small()
    folder = tmp_path / "reg"
    folder.mkdir()
    write(folder / "b-original.toml", {"plans": data["plans"][1:], "actions": data["actions"][3:]})
    write(tmp_path / "a-refresh.toml", {"plans": data["plans"][:1], "actions": data["actions"][:3]})
    (folder / "a-refresh.toml").symlink_to(tmp_path / "a-refresh.toml")  # a symlink is followed
    write(folder / "0-meta.toml", {"title": data["title"], "source": data["source"]})
    (folder / "notes.txt").write_text("not a register", encoding="utf-8")
    for ignored in (".hidden.toml", "b-original.toml~", "#b-original.toml#", "b-original.toml.bak"):
        (folder / ignored).write_text("this is not = TOML = at all", encoding="utf-8")
    (folder / "nested").mkdir()
    write(folder / "nested" / "more.toml", {"actions": [action("R9", "refresh", 9)]})  # not recursive
    (folder / "subdir.toml").mkdir()
    result = run("list", "--format", "ids", "-r", str(folder))
    assert (result.exit_code, result.stdout) == (0, "R1\nR2\nR3\nO1\nO2\nO3\n"), result.output
    assert run("plans", "--format", "ids", "-r", str(folder)).stdout == "refresh\noriginal\n"


def test_a_duplicate_id_across_files_names_both(run: Run, folder: Path) -> None:
    original = folder / "2-original.toml"
    edit(original, 'id = "O7"', 'id = "R4"')
    first, second = line_of(folder / "1-refresh.toml", 'id = "R4"'), line_of(original, 'id = "R4"')
    message = f"id 'R4' is already used by the action at {folder}/1-refresh.toml:{first} [duplicate-id]"
    result = run("list", "-r", str(folder))
    assert result.exit_code == 2
    assert f"jnap: {original}:{second}: action R4: id: error: {message}\n" in result.stderr
    checked = run("check", "-r", str(folder))
    assert checked.exit_code == 2
    assert f"{original}:{second}: action R4: id: error: {message}\n" in checked.stdout


def test_duplicate_plans_and_numbers_across_files_name_both(run: Run, tmp_path: Path) -> None:
    data = small()
    folder = split(data, tmp_path / "reg")
    extra = {"plans": [data["plans"][0]], "actions": [action("X2", "refresh", 2)]}
    write(folder / "3-extra.toml", extra)
    result = run("check", "-r", str(folder))
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    plan_at = line_of(folder / "1-refresh.toml", "plans = [")  # tomli-w writes them inline: the key's line
    assert (
        f"{folder}/3-extra.toml:1: plans[1].id: error: plan id 'refresh' is already used by the plan at "
        f"{folder}/1-refresh.toml:{plan_at} [duplicate-id]"
    ) in lines
    number_at = line_of(folder / "1-refresh.toml", 'id = "R2"')  # the first one's id
    extra_at = line_of(folder / "3-extra.toml", "number = 2")
    assert (
        f"{folder}/3-extra.toml:{extra_at}: action X2: number: error: number 2 of plan 'refresh' is already used by "
        f"R2 at {folder}/1-refresh.toml:{number_at} [duplicate-number]"
    ) in lines


def test_broken_toml_in_one_file_is_named_with_line_and_column(run: Run, folder: Path) -> None:
    broken = folder / "2-original.toml"
    edit(broken, 'id = "O7"', 'id = "O7" x')
    line = line_of(broken, 'id = "O7" x')
    where = f"{broken}:{line}:11"
    result = run("list", "-r", str(folder))
    assert (result.exit_code, result.stdout) == (2, "")
    said = "invalid TOML: Expected newline or end of document after a statement"
    assert result.stderr == f"jnap: error: {where}: {said}\n"
    checked = run("check", "-r", str(folder), "--format", "json")
    assert checked.exit_code == 2
    findings = json.loads(checked.stdout)["findings"]
    assert [(f["code"], f["file"], f["line"]) for f in findings] == [("unreadable", str(broken), line)]
    assert checked.stderr.startswith(f"jnap: error: {where}: invalid TOML")


def test_schema_problems_of_every_file_are_reported_together(run: Run, folder: Path) -> None:
    edit(folder / "1-refresh.toml", 'status = "ongoing"', 'status = "done"')
    edit(folder / "2-original.toml", "number = 7", 'number = "7"')
    result = run("check", "-r", str(folder))
    assert result.exit_code == 2
    assert [line.split(": ")[0].rsplit(":", 1)[0] for line in result.stdout.splitlines()] == [
        str(folder / "1-refresh.toml"),
        str(folder / "2-original.toml"),
    ]
    assert "[unknown-status]" in result.stdout and "number: error: input should be a valid integer" in result.stdout


@pytest.mark.parametrize("contents", [[], ["notes.txt", ".hidden.toml", "backup.toml~"]])
def test_a_directory_without_toml_files_is_one_line(run: Run, tmp_path: Path, contents: list[str]) -> None:
    folder = tmp_path / "reg"
    folder.mkdir()
    for name in contents:
        (folder / name).write_text('title = "x"\n', encoding="utf-8")
    result = run("list", "-r", str(folder))
    expected = f"jnap: error: {folder}: no *.toml files in this directory; put the register's *.toml files in it, "
    assert (result.exit_code, result.stderr) == (2, expected + "or pass a register file\n")
    checked = run("check", "-r", str(folder), "--format", "github")
    assert (checked.exit_code, checked.stdout.split("::")[1]) == (2, f"error file={folder},title=unreadable")


def test_files_with_no_plans_or_actions_are_an_empty_register(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "reg"
    folder.mkdir()
    write(folder / "register.toml", {"title": "T", "source": "S"})
    result = run("list", "-r", str(folder))
    assert result.exit_code == 2
    assert result.stderr == (
        f"jnap: error: {folder}: the register is empty: none of its files has [[plans]] or [[actions]]; "
        "add at least one [[actions]] table\n"
    )


def test_metadata_given_twice_must_agree_and_given_once_at_least(run: Run, tmp_path: Path) -> None:
    data = small()
    folder = split(data, tmp_path / "reg")
    plans = folder / "1-refresh.toml"
    plans.write_text('title = "Test register"\n' + plans.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("list", "-r", str(folder)).exit_code == 0  # the same title twice
    plans.write_text('title = "Another"\n' + plans.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    result = run("list", "-r", str(folder))
    # Files are read in name order: 1-refresh.toml gives the title first.
    assert (result.exit_code, result.stderr) == (
        2,
        f"jnap: {folder}/register.toml:1: title: error: differs from the title at {plans}:1; give it in one file, "
        "or the same in every file [metadata-conflict]\n",
    )
    (folder / "register.toml").unlink()
    plans.write_text(plans.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    result = run("list", "-r", str(folder))
    assert result.exit_code == 2
    assert f"jnap: {folder}: title: error: required key is missing from every file" in result.stderr
    assert f"jnap: {folder}: source: error: required key is missing from every file" in result.stderr


def test_a_plan_defined_in_one_file_and_its_actions_in_another(run: Run, tmp_path: Path) -> None:
    data = small()
    folder = tmp_path / "reg"
    folder.mkdir()
    write(folder / "register.toml", {key: data[key] for key in ("title", "source", "plans")})
    write(folder / "east.toml", {"actions": [a for a in data["actions"] if a["id"] in ("R1", "O1", "O2")]})
    write(folder / "west.toml", {"actions": [a for a in data["actions"] if a["id"] in ("R2", "R3", "O3")]})
    result = run("check", "-r", str(folder))
    assert (result.exit_code, result.stdout) == (0, ""), result.output
    assert run("list", "--format", "ids", "-r", str(folder)).stdout == "R1\nO1\nO2\nR2\nR3\nO3\n"


def test_the_environment_and_a_work_tree_setting_name_a_directory(
    run: Run, folder: Path, tmp_path: Path, git_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = run("list", "-r", str(DATA)).stdout
    assert run("list", env={"JNAP_REGISTER": str(folder)}).stdout == expected
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    git(root, "init", "-q")
    shutil.copytree(folder, root / "data" / "register")
    (root / "jnap.toml").write_text('register = "data/register"\n', encoding="utf-8")
    monkeypatch.chdir(root / "docs")
    assert run("list").stdout == expected
    checked = run("check", "--format", "github")
    assert checked.stdout.startswith("::warning file=data/register/2-original.toml,line=")


# --- edits -----------------------------------------------------------------------------------------


def test_an_edit_writes_only_the_file_that_holds_the_action(run: Run, folder: Path) -> None:
    before = snapshot(folder)
    result = run("set-status", "O7", "complete", "--evidence", EVIDENCE_O7, "-r", str(folder))
    assert (result.exit_code, result.stderr) == (
        0, f"jnap: O7: status transferred → complete, status evidence replaced ({folder}/2-original.toml)\n"
    )  # fmt: skip
    after = snapshot(folder)
    assert [name for name in before if before[name] != after[name]] == ["2-original.toml"]
    assert sorted(after) == sorted(before)  # no lock or temporary file left behind
    assert not (folder.parent / "register.lock").exists()
    show = run("show", "O7", "--format", "json", "--fields", "status", "-r", str(folder))
    assert json.loads(show.stdout) == [{"status": "complete"}]
    result = run("link", "R1", "--continues", "O9", "-r", str(folder))
    assert result.exit_code == 0, result.output
    changed = snapshot(folder)
    assert [name for name in after if after[name] != changed[name]] == ["1-refresh.toml"]
    result = run("comment", "R1", "--append", "--text", "More was done.", "-r", str(folder), "--dry-run")
    assert result.stdout.startswith("--- a/1-refresh.toml\n+++ b/1-refresh.toml\n")
    assert snapshot(folder) == changed


def test_an_edit_that_would_clash_with_another_file_is_refused(
    run: Run, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text()\np.write_text(t.replace('id = \"O7\"', 'id = \"R4\"') if 'O7' in t else '')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setattr("jnap_cli.cli.edit._on_terminal", lambda: True)
    before = snapshot(folder)
    result = run("edit", "O7", "-r", str(folder), input="y\n")
    # Asked, the user edits again, with the error at the top; the script then empties the table, which gives up.
    assert (result.exit_code, snapshot(folder)) == (3, before), result.output
    problem, again = result.stderr.split("\n", 1)
    assert problem.startswith("jnap: error: ") and problem.endswith("[duplicate-id]"), problem
    assert again == "Edit again? [Y/n] jnap: error: O7: nothing changed; the register is unchanged\n"


DONE = ("--commentary", "Done.", "--evidence", "Done.")  # a new action that `jnap check` accepts: no warning


def test_add_goes_to_the_file_of_the_plans_last_action(run: Run, folder: Path) -> None:
    before = snapshot(folder)
    result = run("add", "--plan", "refresh", "--theme", "Our People", "--text", "Do more.", *DONE, "-r", str(folder))
    assert (result.exit_code, result.stderr) == (
        0, f"jnap: R21: added to plan refresh as number 21 ({folder}/1-refresh.toml)\n"
    )  # fmt: skip
    after = snapshot(folder)
    assert [name for name in before if before[name] != after[name]] == ["1-refresh.toml"]
    assert after["1-refresh.toml"].startswith(before["1-refresh.toml"].rstrip(b"\n"))
    listed = run("list", "--plan", "refresh", "--format", "ids", "-r", str(folder)).stdout
    assert listed.splitlines()[-1] == "R21"


def test_add_to_a_named_file_or_to_the_file_that_defines_an_empty_plan(run: Run, tmp_path: Path) -> None:
    data = add_action(small(), action("N1", "new", 1))
    data["plans"].append({"id": "new", "title": "New plan", "year": 2024})
    data["actions"] = [entry for entry in data["actions"] if entry["plan"] != "new"]
    folder = split(data, tmp_path / "reg")
    result = run("add", "-p", "new", "--theme", "T", "--text", "First.", *DONE, "-r", str(folder))
    assert result.stderr == f"jnap: N1: added to plan new as number 1 ({folder}/3-new.toml)\n"
    result = run(
        "add", "-p", "refresh", "--theme", "T", "--text", "X.", "--file", "3-new.toml", *DONE, "-r", str(folder)
    )
    assert result.stderr == f"jnap: R4: added to plan refresh as number 4 ({folder}/3-new.toml)\n"
    assert run("check", "-r", str(folder), "--select", "duplicate-id").exit_code == 0
    result = run("add", "-p", "refresh", "--theme", "T", "--text", "X.", "--file", "nope.toml", "-r", str(folder))
    assert result.exit_code == 2
    expected = f"jnap: error: no file 'nope.toml' in the register's directory {folder}; its files: 1-refresh.toml,"
    assert result.stderr.startswith(expected)
    single = write(tmp_path / "one.toml", small())
    result = run("add", "-p", "refresh", "--theme", "T", "--text", "X.", "--file", "x.toml", "-r", str(single))
    assert (result.exit_code, result.stderr) == (
        2, "jnap: error: --file names a file of a directory register; leave it out for a register file\n"
    )  # fmt: skip


# --- git revisions ---------------------------------------------------------------------------------


def test_diff_and_history_of_a_directory_at_git_revisions(
    run: Run, tmp_path: Path, git_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file and its split, side by side in one repository, edited alike: the same diffs and history."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    shutil.copyfile(DATA, root / "actions.toml")
    folder = split(bundled(), root / "register")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    for register in (root / "actions.toml", folder):
        result = run("set-status", "O7", "complete", "--evidence", EVIDENCE_O7, "-r", str(register))
        assert result.exit_code == 0, result.output
        result = run("add", "-p", "original", "--theme", "T", "--text", "New.", "-r", str(register))
        assert result.exit_code == 0, result.output
    git(root, "commit", "-qam", "second")
    for args in (["HEAD~1"], ["HEAD~1", "HEAD"], ["HEAD~1", "HEAD", "--format", "json"]):
        one = run("diff", *args, "-r", str(root / "actions.toml"))
        many = run("diff", *args, "-r", str(folder))
        assert (many.exit_code, many.stdout, many.stderr) == (one.exit_code, one.stdout, one.stderr)
        assert "O7" in one.stdout
    spec = run("diff", "HEAD~1:register", "HEAD:register", "--stat", "-r", str(folder))
    assert spec.stdout == "1 added, 0 removed, 0 renamed, 1 changed; 1 status change, 0 regressions\n"
    monkeypatch.chdir(folder)  # git reads the whole tree from a subdirectory too
    assert run("diff", "HEAD~1", "--stat", "-r", ".").stdout == spec.stdout
    for action_id in ("O7", "O25"):
        one = run("history", action_id, "-f", "json", "-r", str(root / "actions.toml"))
        many = run("history", action_id, "-f", "json", "-r", str(folder))
        assert (many.exit_code, many.stdout) == (one.exit_code, one.stdout)
        assert json.loads(one.stdout)


def test_a_revision_without_the_directory_is_one_line(run: Run, tmp_path: Path, git_env: None) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    folder = split(small(), root / "register")
    (root / "README").write_text("x", encoding="utf-8")
    git(root, "add", "README")
    git(root, "commit", "-qm", "first")
    (folder / "empty").mkdir()
    (folder / "empty" / "notes.txt").write_text("x", encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-qm", "second")
    result = run("diff", "HEAD:register/empty", "-r", str(folder))
    assert result.exit_code == 2
    assert result.stderr.startswith("jnap: error: HEAD:register/empty: no *.toml files in this directory;")
