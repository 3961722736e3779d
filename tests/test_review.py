"""What a second reader found: each a reproduction that failed before its fix."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
from rich.cells import cell_len

from .conftest import JNAP, Run, device
from .registers import action, add_action, set_field, set_plan_field, small, write


def test_a_tab_in_register_text_loses_nothing_in_a_table(run: Run, tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.toml", set_field(small(), "R1", "text", "Deliver\t\t\ttraining\tnumber one for the plan.")
    )
    for args in (["show", "R1"], ["list"]):
        result = run(*args, "-r", str(path), "-f", "table", "--fields", "id,text", env={"COLUMNS": "60"})
        assert "the plan." in result.stdout, args
        assert max(cell_len(line) for line in result.stdout.splitlines()) <= 60


def test_thousands_of_digits_are_no_internal_error(run: Run, tmp_path: Path) -> None:
    digits = "9" * 5000
    reference = f"action {digits}"
    data = set_field(set_field(small(), "O3", "text", f"See {reference}"), "O3", "references", [reference])
    path = str(write(tmp_path / "a.toml", set_field(data, "R1", "text", f"x {digits}")))
    assert run("check", "-r", path).exit_code == 0  # the reference does not resolve: a warning
    assert run("list", "-r", path, "--sort", "text", "-f", "ids").stdout.splitlines()[-1] == "R1"
    assert run("show", digits, "-r", path).exit_code == 2


@pytest.mark.parametrize("text", ["Plan.\n::warning::pwned", "Plan. ##[add-mask]secret here", "a  ::error::b"])
def test_no_line_of_a_table_or_block_is_a_workflow_command(run: Run, tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "a.toml", set_field(small(), "R1", "text", text))
    for width in ("20", "40", "120"):
        for args in (["list", "--fields", "id,text"], ["show", "R1"]):
            out = run(*args, "-r", str(path), "-f", "table", env={"COLUMNS": width}).stdout
            for line in out.splitlines():
                assert not line.lstrip().startswith("::") and "##[" not in line, (width, args, line)


def test_csv_neutralises_a_list_cell_and_keeps_the_empty_placeholder(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "a.toml", set_field(small(), "R2", "references", ['=HYPERLINK("http://e")']))
    rows = list(
        csv.reader(io.StringIO(run("show", "R2", "-r", str(path), "-f", "csv", "--fields", "references").stdout))
    )
    assert rows[1] == ['\'=HYPERLINK("http://e")']
    empty = run("list", "-r", str(path), "-f", "csv", "--fields", "id,continues", "--empty", "-").stdout
    assert empty.splitlines()[1] == "R1,-"


@pytest.mark.parametrize("args", ["--help", "--version", "", "list --help"])
def test_help_into_a_full_disk_is_one_line(args: str, tmp_path: Path) -> None:
    full = device(tmp_path, "full")
    result = subprocess.run(["bash", "-c", f"'{JNAP}' {args} > '{full}'"], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr) == (2, "jnap: error: cannot write output: No space left on device\n")


def test_narrow_blocks_cut_no_word_and_keep_items_whole(run: Run) -> None:
    shown = run("show", "R4", "-f", "table", env={"COLUMNS": "20"}).stdout
    assert "  Responsible" in shown and "  scrutinise" in shown
    plans = run("plans", "-f", "table", env={"COLUMNS": "30"}).stdout
    assert "3 in-progress" in plans


def test_plan_ids_differing_in_case_are_one_id(run: Run, tmp_path: Path) -> None:
    data = small()
    data["plans"].append({"id": "Refresh", "title": "B", "year": 2023})
    path = write(tmp_path / "a.toml", add_action(data, action("X1", "Refresh", 1)))
    result = run("check", "-r", str(path))
    assert result.exit_code == 2 and "plan id 'Refresh' is already used by plans[1]" in result.stdout


def test_two_files_compare_whatever_the_current_register(run: Run, tmp_path: Path) -> None:
    one = write(tmp_path / "one.toml", small())
    two = write(tmp_path / "two.toml", set_field(small(), "R1", "status", "deferred"))
    broken = tmp_path / "broken.toml"
    broken.write_text("title = 'no actions'\n", encoding="utf-8")
    result = run("diff", str(one), str(two), "-r", str(broken), "--stat")
    assert (result.exit_code, result.stdout) == (
        0,
        "0 added, 0 removed, 0 renamed, 1 changed; 1 status change, 1 regression\n",
    )


def test_a_broken_setting_is_a_finding_in_the_chosen_format(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "jnap.toml").write_text("register = [", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = run("check", "--format", "json")
    assert result.exit_code == 2
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["code"], finding["file"]) == ("unreadable", str(tmp_path / "jnap.toml"))


def test_control_characters_in_the_new_text_fields(run: Run, tmp_path: Path) -> None:
    data = set_field(small(), "R3", "builds_on", [{"id": "R1", "reason": "uses \u202e it"}])
    data = set_plan_field(data, "refresh", "commentary_source", "the \x1b[2J annex")
    result = run("check", "-r", str(write(tmp_path / "a.toml", data)), "--format", "json")
    fields = {f["field"] for f in json.loads(result.stdout)["findings"] if f["code"] == "control-character"}
    assert fields == {"builds_on", "plans[1].commentary_source"}


def test_ids_of_a_diff_name_each_action_once(run: Run, tmp_path: Path) -> None:
    one = write(tmp_path / "one.toml", small())
    two = write(tmp_path / "two.toml", set_field(set_field(small(), "R1", "status", "deferred"), "R1", "theme", "X"))
    assert run("diff", str(one), str(two), "-f", "ids").stdout == "R1\n"


def test_locating_a_problem_on_a_long_line_is_linear(tmp_path: Path) -> None:
    data = set_field(small(), "R1", "status", "bogus")
    data["title"] = '"' * 1_000_000
    path = write(tmp_path / "q.toml", data)
    done = subprocess.run([JNAP, "list", "-r", str(path)], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 2 and "unknown-status" in done.stderr  # within the timeout: it took minutes
