"""`jnap diff` through the CLI: plans, versions (files and git revisions), flags and exit codes.

Versions are small registers built as data (`tests/registers.py`); the plan diff of the shipped
register is checked end to end.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import Run
from .registers import Data, set_field, set_plan_field, small, write


def _edited(data: Data) -> Data:
    """A newer version: R1 leaves complete (a regression), R3's commentary reworded, O3 renamed."""
    new = set_field(data, "R1", "status", "ongoing")
    new = set_field(new, "R3", "commentary", "Work is under way in each area.")
    return set_field(new, "O3", "id", "O3b")


@pytest.fixture
def old(tmp_path: Path) -> Path:
    """The small register; version tests also give it as --register so that they never read the shipped one."""
    return write(tmp_path / "old.toml", small())


@pytest.fixture
def new(tmp_path: Path) -> Path:
    """A newer version of the small register (see `_edited`)."""
    return write(tmp_path / "new.toml", _edited(small()))


def test_version_diff_text(run: Run, old: Path, new: Path) -> None:
    result = run("diff", str(old), str(new), "-r", str(old))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "renamed (1):\n"
        "  O3 renamed to O3b: text 100% similar\n"
        "\n"
        "changed (2):\n"
        "  R1: status: complete → ongoing\n"
        "  R3: commentary: Work is under way in [-every-]{+each+} area.\n"
        "\n"
        "status transitions (1):\n"
        "  complete → ongoing: 1 (R1), regression\n"
        "\n"
        "0 added, 0 removed, 1 renamed, 2 changed; 1 status change, 1 regression\n"
    )


def test_one_argument_compares_with_the_current_register(run: Run, old: Path, new: Path) -> None:
    result = run("diff", str(old), "--register", str(new), "--stat")
    assert result.stdout == "0 added, 0 removed, 1 renamed, 2 changed; 1 status change, 1 regression\n"


def test_exit_code_flags(run: Run, old: Path, new: Path) -> None:
    assert run("diff", str(old), str(old), "-r", str(old), "--exit-code").exit_code == 0
    assert run("diff", str(old), str(old), "-r", str(old), "--stat").stdout == "no differences\n"
    assert run("diff", str(old), str(new), "-r", str(old)).exit_code == 0
    assert run("diff", str(old), str(new), "-r", str(old), "--exit-code").exit_code == 1
    assert run("diff", str(old), str(new), "-r", str(old), "--fail-on-regression").exit_code == 1
    # Out of complete is a regression; into complete is not.
    assert run("diff", str(new), str(old), "-r", str(old), "--fail-on-regression").exit_code == 0


def test_version_diff_json_shape(run: Run, old: Path, new: Path) -> None:
    document = json.loads(run("diff", str(old), str(new), "-r", str(old), "--format", "json").stdout)
    assert document == {
        "added": [],
        "removed": [],
        "renamed": [{"old_id": "O3", "new_id": "O3b", "similarity": 1.0, "fields": {}}],
        "changed": [
            {"id": "R1", "fields": {"status": {"old": "complete", "new": "ongoing"}}},
            {
                "id": "R3",
                "fields": {
                    "commentary": {"old": "Work is under way in every area.", "new": "Work is under way in each area."}
                },
            },
        ],
        "transitions": [{"old": "complete", "new": "ongoing", "count": 1, "regression": True, "ids": ["R1"]}],
        "metadata": {},
    }
    stat = json.loads(run("diff", str(old), str(new), "-r", str(old), "-f", "json", "--stat").stdout)
    assert stat == {
        "added": 0, "removed": 0, "renamed": 1, "changed": 2, "status_changes": 1, "regressions": 1, "metadata": 0,
    }  # fmt: skip


def test_register_metadata_changes_are_differences(run: Run, old: Path, tmp_path: Path) -> None:
    revised = write(tmp_path / "revised.toml", set_plan_field(small(), "refresh", "title", "Refresh plan (revised)"))
    result = run("diff", str(old), str(revised), "-r", str(old), "--exit-code")
    assert result.exit_code == 1
    assert result.stdout == (
        "register (1):\n"
        "  register: plans: refresh: Refresh plan (2022), original: Original plan (2021) "
        "→ refresh: Refresh plan (revised) (2022), original: Original plan (2021)\n"
        "\n"
        "0 added, 0 removed, 0 renamed, 0 changed; 0 status changes, 0 regressions; 1 register field changed\n"
    )
    document = json.loads(run("diff", str(old), str(revised), "-r", str(old), "-f", "json").stdout)
    assert document["metadata"] == {
        "plans": {
            "old": ["refresh: Refresh plan (2022)", "original: Original plan (2021)"],
            "new": ["refresh: Refresh plan (revised) (2022)", "original: Original plan (2021)"],
        }
    }


def test_colour_marks_words_on_a_terminal(run: Run, old: Path, new: Path) -> None:
    coloured = run("diff", str(old), str(new), "-r", str(old), env={"FORCE_COLOR": "1"}).stdout
    assert "[-every-]" not in coloured
    assert "\x1b[" in coloured and "every" in coloured and "each" in coloured


def test_plan_diff(run: Run) -> None:
    result = run("diff", "original", "refresh", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert [(link["old_id"], link["new_id"]) for link in document["links"]] == [
        ("O23", "R4"), ("O20", "R5"), ("O6", "R6"), ("O7", "R6"), ("O11", "R7"),
        ("O18", "R8"), ("O15", "R13"), ("O1", "R15"), ("O2", "R15"),
    ]  # fmt: skip
    assert document["new"] == ["R1", "R2", "R3", "R9", "R10", "R11", "R12", "R14", "R16", "R17", "R18", "R19", "R20"]
    assert document["not_continued"] == [
        "O3", "O4", "O5", "O8", "O9", "O10", "O12", "O13", "O14", "O16", "O17", "O19", "O21", "O22", "O24",
    ]  # fmt: skip
    assert document["suggestions"] is None
    assert run("diff", "original", "refresh", "--stat").stdout == "9 links, 13 new, 15 not continued, 2 builds on\n"


def test_plan_diff_suggestions(run: Run) -> None:
    result = run("diff", "original", "refresh", "--suggest", "-f", "json")
    assert json.loads(result.stdout)["suggestions"] == [{"new_id": "R5", "old_id": "O23", "score": 0.224}]
    text = run("diff", "original", "refresh", "--suggest").stdout
    assert "suggestions (1): candidate links with similarity ≥ 20%, not in the register\n" in text
    assert "  R5 may continue O23: similarity: 22% (suggestion)\n" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["original", "refresh", "--exit-code"], "--exit-code and --fail-on-regression compare versions, not plans"),
        (["original", "original"], None),
        (["refresh", "x.toml"], "'refresh' is a plan id, but plans compare only with plans; give two plan ids "
         "(jnap diff original refresh), or refresh:PATH for a git revision"),
        (["original", "nosuchplan"], "no plan 'nosuchplan': the plans are original, refresh; plans compare only "
         "with plans (jnap diff original refresh); versions only with versions (jnap diff HEAD~1 data/actions.toml)"),
        (["a", "b", "c"], "expected one or two versions to compare, got 3; see 'jnap diff --help'"),
        (["--format", "xml", "original", "refresh"], "unknown format 'xml' for --format; choose from text, table, "
         "json, jsonl, csv, tsv, markdown, ids, xlsx"),
    ],
)  # fmt: skip
def test_usage_errors(run: Run, old: Path, args: list[str], message: str | None) -> None:
    result = run("diff", *args, "-r", str(old))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("jnap: error: ")
    if message:
        assert result.stderr == f"jnap: error: {message}\n"


def test_missing_file_is_one_line(run: Run, new: Path, tmp_path: Path) -> None:
    result = run("diff", str(tmp_path / "old.toml"), "-r", str(new))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"jnap: error: {tmp_path / 'old.toml'}: not a file, and git cannot read it")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    register = write(root / "data" / "actions.toml", small())

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "v1")
    git("tag", "v1")
    write(register, _edited(small()))
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


def test_plan_ids_ignore_case(run: Run, old: Path) -> None:
    result = run("diff", "Original", "REFRESH", "-r", str(old), "--stat")
    assert result.exit_code == 0
    assert result.stdout == "1 link, 2 new, 2 not continued\n"
    assert run("diff", "original", "refresh", "-r", str(old), "--stat").stdout == result.stdout


def test_overlong_name_is_a_clean_error(run: Run, old: Path) -> None:
    result = run("diff", "x" * 300, "-r", str(old))
    assert result.exit_code == 2
    assert "not a file, and git cannot read it" in result.stderr
