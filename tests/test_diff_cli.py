"""`jnap diff` through the CLI: plans, versions (files and git revisions), flags and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import DATA, Run, edit


def _edited(register_copy: Path) -> Path:
    """A newer version: R1 leaves complete (a regression), R12 reworded, O22 renamed."""
    text = register_copy.read_text(encoding="utf-8")
    start = text.index('id = "R1"')
    at = text.index('status = "complete"', start)
    register_copy.write_text(
        text[:at] + 'status = "ongoing"' + text[at + len('status = "complete"') :], encoding="utf-8"
    )
    edit(register_copy, "We have created a forensic evidence toolkit", "We have built a forensic evidence toolkit")
    edit(register_copy, 'id = "O22"', 'id = "O22b"')
    return register_copy


def test_version_diff_text(run: Run, register_copy: Path) -> None:
    new = _edited(register_copy)
    result = run("diff", str(DATA), str(new))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "renamed (1):\n"
        "  O22 → O22b: text 100% similar\n"
        "\n"
        "changed (2):\n"
        "  R1: status: complete → ongoing\n"
        "  R12: commentary: We have [-created-]{+built+} a forensic evidence toolkit, developed with …\n"
        "\n"
        "status transitions (1):\n"
        "  complete → ongoing: 1 (R1), regression\n"
        "\n"
        "0 added, 0 removed, 1 renamed, 2 changed; 1 status change, 1 regression\n"
    )


def test_one_argument_compares_with_the_current_register(run: Run, register_copy: Path) -> None:
    new = _edited(register_copy)
    result = run("diff", str(DATA), "--register", str(new), "--stat")
    assert result.stdout == "0 added, 0 removed, 1 renamed, 2 changed; 1 status change, 1 regression\n"


def test_exit_code_flags(run: Run, register_copy: Path) -> None:
    assert run("diff", str(DATA), str(DATA), "--exit-code").exit_code == 0
    assert run("diff", str(DATA), str(DATA), "--stat").stdout == "no differences\n"
    new = _edited(register_copy)
    assert run("diff", str(DATA), str(new)).exit_code == 0
    assert run("diff", str(DATA), str(new), "--exit-code").exit_code == 1
    assert run("diff", str(DATA), str(new), "--fail-on-regression").exit_code == 1
    # Out of complete is a regression; into complete is not.
    assert run("diff", str(new), str(DATA), "--fail-on-regression").exit_code == 0


def test_version_diff_json_shape(run: Run, register_copy: Path) -> None:
    new = _edited(register_copy)
    document = json.loads(run("diff", str(DATA), str(new), "--format", "json").stdout)
    assert document == {
        "added": [],
        "removed": [],
        "renamed": [{"old_id": "O22", "new_id": "O22b", "similarity": 1.0, "fields": {}}],
        "changed": [
            {"id": "R1", "fields": {"status": {"old": "complete", "new": "ongoing"}}},
            {
                "id": "R12",
                "fields": {
                    "commentary": {
                        "old": "We have created a forensic evidence toolkit, developed with experts and frontline "
                        "practitioners, which has been made available to staff.",
                        "new": "We have built a forensic evidence toolkit, developed with experts and frontline "
                        "practitioners, which has been made available to staff.",
                    }
                },
            },
        ],
        "transitions": [{"old": "complete", "new": "ongoing", "count": 1, "regression": True, "ids": ["R1"]}],
        "metadata": {},
    }
    stat = json.loads(run("diff", str(DATA), str(new), "-f", "json", "--stat").stdout)
    assert stat == {
        "added": 0, "removed": 0, "renamed": 1, "changed": 2, "status_changes": 1, "regressions": 1, "metadata": 0,
    }  # fmt: skip


def test_register_metadata_changes_are_differences(run: Run, register_copy: Path) -> None:
    edit(register_copy, 'title = "JNAP Refresh"', 'title = "JNAP Refresh (revised)"')
    result = run("diff", str(DATA), str(register_copy), "--exit-code")
    assert result.exit_code == 1
    assert result.stdout == (
        "register (1):\n"
        "  register: plans: refresh: JNAP Refresh (2022), original: Police-CPS Joint National RASSO Action Plan 2021 "
        "(2021) → refresh: JNAP Refresh (revised) (2022), original: Police-CPS Joint National RASSO Action Plan 2021 "
        "(2021)\n"
        "\n"
        "0 added, 0 removed, 0 renamed, 0 changed; 0 status changes, 0 regressions; 1 register field changed\n"
    )
    document = json.loads(run("diff", str(DATA), str(register_copy), "-f", "json").stdout)
    assert document["metadata"] == {
        "plans": {
            "old": [
                "refresh: JNAP Refresh (2022)",
                "original: Police-CPS Joint National RASSO Action Plan 2021 (2021)",
            ],
            "new": [
                "refresh: JNAP Refresh (revised) (2022)",
                "original: Police-CPS Joint National RASSO Action Plan 2021 (2021)",
            ],
        }
    }


def test_colour_marks_words_on_a_terminal(run: Run, register_copy: Path) -> None:
    new = _edited(register_copy)
    coloured = run("diff", str(DATA), str(new), env={"FORCE_COLOR": "1"}).stdout
    assert "[-created-]" not in coloured
    assert "\x1b[" in coloured and "created" in coloured and "built" in coloured


def test_plan_diff(run: Run) -> None:
    result = run("diff", "original", "refresh", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert [(link["old_id"], link["new_id"]) for link in document["links"]] == [
        ("O23", "R4"), ("O20", "R5"), ("O6", "R6"), ("O7", "R6"), ("O11", "R7"),
        ("O18", "R8"), ("O18", "R9"), ("O15", "R13"), ("O1", "R15"), ("O2", "R15"),
    ]  # fmt: skip
    assert document["new"] == ["R1", "R2", "R3", "R10", "R11", "R12", "R14", "R16", "R17", "R18", "R19", "R20"]
    assert document["not_continued"] == [
        "O3", "O4", "O5", "O8", "O9", "O10", "O12", "O13", "O14", "O16", "O17", "O19", "O21", "O22", "O24",
    ]  # fmt: skip
    assert document["suggestions"] is None
    assert run("diff", "original", "refresh", "--stat").stdout == "10 links, 12 new, 15 not continued\n"


def test_plan_diff_suggestions(run: Run) -> None:
    result = run("diff", "original", "refresh", "--suggest", "-f", "json")
    assert json.loads(result.stdout)["suggestions"] == [{"new_id": "R5", "old_id": "O23", "score": 0.224}]
    text = run("diff", "original", "refresh", "--suggest").stdout
    assert "suggestions (1): candidate links with similarity ≥ 20%, not in the register\n" in text
    assert "  O23 → R5: similarity: 22% (suggestion)\n" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["original", "refresh", "--exit-code"], "--exit-code and --fail-on-regression compare versions, not plans"),
        (["original", "original"], None),
        (["refresh", "x.toml"], "'refresh' is a plan id, but plans compare only with plans; give two plan ids "
         "(jnap diff original refresh), or refresh:PATH for a git revision"),
        (["a", "b", "c"], "expected one or two versions to compare, got 3; see 'jnap diff --help'"),
        (["--format", "xml", "original", "refresh"], "unknown format 'xml'; use one of text, json"),
    ],
)  # fmt: skip
def test_usage_errors(run: Run, args: list[str], message: str | None) -> None:
    result = run("diff", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("jnap: error: ")
    if message:
        assert result.stderr == f"jnap: error: {message}\n"


def test_missing_file_is_one_line(run: Run, tmp_path: Path) -> None:
    result = run("diff", str(tmp_path / "old.toml"), "-r", str(DATA))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"jnap: error: {tmp_path / 'old.toml'}: not a file, and git cannot read it")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    register = root / "data" / "actions.toml"
    shutil.copyfile(DATA, register)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "v1")
    git("tag", "v1")
    _edited(register)
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "v2")
    return register


def test_git_revisions(run: Run, repo: Path) -> None:
    expected = "0 added, 0 removed, 1 renamed, 2 changed; 1 status change, 1 regression\n"
    assert run("diff", "HEAD~1", "-r", str(repo), "--stat").stdout == expected
    assert run("diff", "v1", "HEAD", "-r", str(repo), "--stat").stdout == expected
    assert run("diff", "v1:data/actions.toml", str(repo), "-r", str(repo), "--stat").stdout == expected
    assert run("diff", "HEAD", "-r", str(repo), "--exit-code").exit_code == 0


def test_unknown_revision(run: Run, repo: Path) -> None:
    result = run("diff", "v9", "-r", str(repo))
    assert result.exit_code == 2
    assert result.stderr == (
        "jnap: error: v9: not a file, and git cannot read it: fatal: invalid object name 'v9'; "
        "give a register file, a git revision (HEAD~1, a tag) or REV:path/to/actions.toml\n"
    )
    missing = run("diff", "v1:nope.toml", "-r", str(repo))
    assert missing.exit_code == 2
    assert "path 'nope.toml' does not exist in 'v1'" in missing.stderr


def test_git_absent(run: Run, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *_args, **_kwargs: None)
    result = run("diff", "HEAD~1", "-r", str(repo))
    assert result.exit_code == 2
    assert result.stderr.startswith("jnap: error: git is not installed; 'HEAD~1' is not a file")


def test_plan_ids_ignore_case(run: Run) -> None:
    assert run("diff", "Original", "REFRESH", "--stat").stdout == "10 links, 12 new, 15 not continued\n"


def test_overlong_name_is_a_clean_error(run: Run) -> None:
    result = run("diff", "x" * 300, "-r", str(DATA))
    assert result.exit_code == 2
    assert "not a file, and git cannot read it" in result.stderr
