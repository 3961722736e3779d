"""`jnap init`: a new register that passes `jnap check` as written, written all at once or not at all."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from jnap_cli.errors import UsageError, WriteRefused
from jnap_cli.register.load import load_text
from jnap_cli.writing import init as core

from .conftest import JNAP, ROOT, Run

SCHEMA = "jnap-register.schema.json"

SIMPLE = ("--plan", "vawg:Tackling VAWG:2025", "--title", "VAWG register", "--source", "Tackling VAWG 2025")

SIMPLE_TEXT = """\
#:schema ./jnap-register.schema.json
# A register of an action plan's actions, in the format of the JNAP register
# (jnap's docs/keeping.md, "The register format", describes every key). Started by `jnap init`.
#
# Text and commentary are copied word for word from the published plan and its progress updates.
# `status` is a judgement from the commentary, and `status_evidence` quotes the commentary word for
# word to justify it. After each edit, check the file with `jnap check -r` and its path.

title = "VAWG register"
source = "Tackling VAWG 2025"

[[plans]]
id = "vawg"
title = "Tackling VAWG"
year = 2025

# Add each action as an [[actions]] table, for example (remove the leading "# "):
#
# [[actions]]
# id = "V1"                            # unique: letters, digits, _ . -, starting with a letter
# plan = "vawg"                        # the id of one of the [[plans]] above
# number = 1                           # the plan's own numbering: 1, 2, 3… with no gaps
# theme = "The heading the plan puts the action under"
# text = "The action, word for word from the plan."
# commentary = "The published progress update, word for word."
# status = "in-progress"               # complete, in-progress, ongoing, transferred, deferred, not-started
# status_basis = "stated"              # the commentary's own words say the status; or "inferred"
# status_evidence = "progress update"  # words quoted from the commentary
# waits_on = "progress update"         # optional: what it waits on, quoted; handed_to: where its work went
# continues = []                       # ids of another plan's actions that this one carries on
"""


def leftovers(directory: Path) -> list[str]:
    """Every file in `directory`, temporary ones included."""
    return sorted(os.listdir(directory))


def test_writes_the_exact_text(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "vawg.toml"
    result = run("init", str(path), *SIMPLE)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"jnap: wrote {path}: 1 plan, 0 actions\n"
        f"jnap: wrote {tmp_path / SCHEMA}: the JSON Schema its #:schema line names\n"
    )
    assert path.read_text(encoding="utf-8") == SIMPLE_TEXT
    assert leftovers(tmp_path) == [SCHEMA, "vawg.toml"]


def test_the_result_passes_check(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    plans = ("--plan", "vawg:Tackling VAWG: the action plan:2025", "--plan", "rr:Rape review: next steps:2026")
    result = run("init", str(path), *plans)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"jnap: wrote {path}: 2 plans, 0 actions\n")
    checked = run("check", "-r", str(path), "--strict")
    assert checked.exit_code == 0, checked.output
    assert checked.stderr == "jnap: 0 actions checked: 0 error(s), 0 warning(s)\n"
    register = load_text(path.read_text(encoding="utf-8"), str(path))
    assert [(p.id, p.title, p.year) for p in register.plans] == [
        ("vawg", "Tackling VAWG: the action plan", 2025),
        ("rr", "Rape review: next steps", 2026),
    ]
    assert register.title == "Tackling VAWG: the action plan; Rape review: next steps"
    assert register.source == ""
    assert register.actions == ()


def test_the_example_action_uncommented_passes_check(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    assert run("init", str(path), *SIMPLE).exit_code == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("# [[actions]]")
    example = [line.removeprefix("# ") for line in lines[start:]]
    path.write_text("\n".join([*lines[:start], *example, ""]), encoding="utf-8")
    result = run("check", "-r", str(path), "--strict")
    assert result.exit_code == 0, result.output
    assert result.stderr == "jnap: 1 action checked: 0 error(s), 0 warning(s)\n"


def test_text_is_escaped_as_toml(tmp_path: Path) -> None:
    title = 'The "quoted" plan \\ with a backslash\nand a newline'
    text = core.register_text([core.NewPlan("p", title, 2025)], title=title, source="s")
    register = load_text(text, "new.toml")
    assert register.title == title
    assert register.plans[0].title == title


def test_refuses_an_existing_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "actions.toml"
    path.write_bytes(b"existing bytes\n")
    result = run("init", str(path), *SIMPLE)
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"jnap: error: {path}: already exists; give --force to replace it, or choose another path\n"
    )
    assert path.read_bytes() == b"existing bytes\n"
    assert leftovers(tmp_path) == ["actions.toml"]


def test_force_replaces_an_existing_file_keeping_its_mode(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "actions.toml"
    path.write_bytes(b"existing bytes\n")
    path.chmod(0o640)
    result = run("init", str(path), *SIMPLE, "--force")
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == SIMPLE_TEXT
    assert path.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path) == ["actions.toml", SCHEMA]


def test_a_new_file_gets_the_umask_mode_not_mkstemps(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    old = os.umask(0o022)
    try:
        assert run("init", str(path), *SIMPLE).exit_code == 0
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


def test_force_refuses_a_directory(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "folder"
    target.mkdir()
    result = run("init", str(target), *SIMPLE, "--force")
    assert result.exit_code == 3, result.output
    assert result.stderr == f"jnap: error: {target}: not a regular file; choose another path\n"
    assert leftovers(tmp_path) == ["folder"]


def test_refuses_a_missing_directory(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "missing" / "new.toml"
    result = run("init", str(path), *SIMPLE)
    assert result.exit_code == 3, result.output
    assert result.stderr == f"jnap: error: {path.parent}: no such directory; create it first\n"
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into read-only folders")
def test_refuses_a_read_only_directory(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = run("init", str(folder / "new.toml"), *SIMPLE)
        assert result.exit_code == 3, result.output
        assert result.stderr.startswith(f"jnap: error: {folder}: directory is not writable")
        assert leftovers(folder) == []
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("failing", ["link", "fsync", "write"])  # a new file is linked into place: never over one
def test_a_failed_write_leaves_nothing(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    path = tmp_path / "new.toml"
    result = run("init", str(path), *SIMPLE)
    assert result.exit_code == 3, result.output
    assert result.stderr == f"jnap: error: {path}: cannot write: No space left on device; nothing was written\n"
    assert leftovers(tmp_path) == []


def test_a_failed_write_leaves_an_existing_file_unchanged(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "actions.toml"
    path.write_bytes(b"existing bytes\n")

    def fail(*args: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", fail)
    result = run("init", str(path), *SIMPLE, "--force")
    assert result.exit_code == 3, result.output
    assert path.read_bytes() == b"existing bytes\n"
    assert leftovers(tmp_path) == ["actions.toml"]


def test_an_interrupted_write_removes_the_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "link", interrupt)  # a new file is linked into place
    with pytest.raises(KeyboardInterrupt):
        core.write_atomically(tmp_path / "new.toml", SIMPLE_TEXT)
    assert leftovers(tmp_path) == []


def test_a_file_created_meanwhile_is_not_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "new.toml"
    real_fsync = os.fsync

    def fsync_then_someone_writes(fd: int) -> None:
        real_fsync(fd)
        path.write_bytes(b"theirs\n")

    monkeypatch.setattr(os, "fsync", fsync_then_someone_writes)
    with pytest.raises(WriteRefused, match="already exists"):
        core.write_atomically(path, SIMPLE_TEXT)
    assert path.read_bytes() == b"theirs\n"
    assert leftovers(tmp_path) == ["new.toml"]


def test_dry_run_prints_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    result = run("init", str(path), *SIMPLE, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout == SIMPLE_TEXT
    assert result.stderr == (
        f"jnap: would write {path}: 1 plan, 0 actions (dry run: nothing written)\n"
        f"jnap: would write {tmp_path / SCHEMA}: the JSON Schema its #:schema line names\n"
    )
    assert leftovers(tmp_path) == []


def test_dry_run_refuses_what_the_write_would(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "actions.toml"
    path.write_bytes(b"existing bytes\n")
    result = run("init", str(path), *SIMPLE, "--dry-run")
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert path.read_bytes() == b"existing bytes\n"


@pytest.mark.parametrize(
    ("plans", "message"),
    [
        ((), "a register needs at least one plan; give --plan ID:TITLE:YEAR"),
        (("--plan", "vawg2025"), "--plan 'vawg2025' is not ID:TITLE:YEAR; e.g. --plan vawg:'VAWG Action Plan':2025"),
        (("--plan", "vawg:VAWG"), "--plan 'vawg:VAWG' is not ID:TITLE:YEAR; e.g. --plan vawg:'VAWG Action Plan':2025"),
        (
            ("--plan", "2vawg:VAWG:2025"),
            "--plan '2vawg:VAWG:2025': '2vawg' is not a valid id; use letters, digits, '_', '.', '-', "
            "starting with a letter (at most 64)",
        ),
        (
            ("--plan", "v w:VAWG:2025"),
            "--plan 'v w:VAWG:2025': 'v w' is not a valid id; use letters, digits, '_', "
            "'.', '-', starting with a letter (at most 64)",
        ),
        (("--plan", "vawg: :2025"), "--plan 'vawg: :2025': the title is empty; give it as ID:TITLE:YEAR"),
        (
            ("--plan", "vawg:VAWG:next year"),
            "--plan 'vawg:VAWG:next year': 'next year' is not a year; give the year the plan was published, e.g. 2025",
        ),
        (
            ("--plan", "vawg:VAWG:2025", "--plan", "VAWG:Other:2026"),
            "plan id 'VAWG' is given twice (ids ignore case); give each plan its own id",
        ),
    ],
)
def test_plan_mistakes_are_usage_errors(run: Run, tmp_path: Path, plans: tuple[str, ...], message: str) -> None:
    result = run("init", str(tmp_path / "new.toml"), *plans)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"jnap: error: {message}\n"
    assert leftovers(tmp_path) == []


def test_text_that_check_would_reject_is_refused(run: Run, tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "new.toml"), *SIMPLE[:2], "--title", "bad\x1btitle")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "jnap: error: --title contains U+001B control character; the register's text may not hold control, "
        "bidirectional or zero-width characters\n"
    )
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("option", ["--title", "--source", "--plan"])
def test_text_that_is_not_utf8_is_a_usage_error(tmp_path: Path, option: str) -> None:
    """Bytes that are not UTF-8 in an argument (Python keeps them as surrogates) were exit 70."""
    target = tmp_path / "new.toml"
    value = b"vawg:VAWG \xff:2025" if option == "--plan" else b"bad \xff"
    plans = [b"--plan", b"vawg:VAWG:2025"] if option != "--plan" else []
    done = subprocess.run(
        [JNAP.encode(), b"init", bytes(target), *plans, option.encode(), value], capture_output=True, check=False
    )
    assert (done.returncode, done.stderr) == (
        2, f"jnap: error: {option} is not valid UTF-8; give the text in UTF-8\n".encode(),
    )  # fmt: skip
    assert leftovers(tmp_path) == []


def test_parse_plan_keeps_colons_in_the_title() -> None:
    assert core.parse_plan("rr:Rape review: next steps:2026") == core.NewPlan("rr", "Rape review: next steps", 2026)
    with pytest.raises(UsageError):
        core.parse_plans([])


def test_a_register_with_neither_plans_nor_actions_is_still_refused(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_text('title = "t"\nsource = "s"\n', encoding="utf-8")
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    assert "the register is empty: it has no [[actions]]" in result.stderr


def test_a_directory_jnap_may_not_write_is_refused(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As the read-only test, for when it is skipped (root): the permission check itself."""
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    result = run("init", str(tmp_path / "new.toml"), *SIMPLE)
    assert result.exit_code == 3, result.output
    assert result.stderr == (
        f"jnap: error: {tmp_path}: directory is not writable; choose a directory you can write to\n"
    )
    assert leftovers(tmp_path) == []


def test_the_schema_beside_the_register_is_the_shipped_one(run: Run, tmp_path: Path) -> None:
    """The `#:schema` line, first in the file as taplo wants it, names the copy written beside the register."""
    path = tmp_path / "new.toml"
    assert run("init", str(path), *SIMPLE).exit_code == 0
    assert path.read_text(encoding="utf-8").splitlines()[0] == f"#:schema ./{SCHEMA}"
    assert (tmp_path / SCHEMA).read_bytes() == (ROOT / "data" / SCHEMA).read_bytes()


def test_a_second_register_keeps_the_current_schema(run: Run, tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "a.toml"), *SIMPLE).exit_code == 0
    before = (tmp_path / SCHEMA).stat().st_ino
    result = run("init", str(tmp_path / "b.toml"), *SIMPLE)
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(f"jnap: kept {tmp_path / SCHEMA}: it is the current JSON Schema already\n")
    assert (tmp_path / SCHEMA).stat().st_ino == before
    assert leftovers(tmp_path) == ["a.toml", "b.toml", SCHEMA]


def test_an_older_schema_is_replaced(run: Run, tmp_path: Path) -> None:
    (tmp_path / SCHEMA).write_text('{"title": "an older jnap\'s schema"}\n', encoding="utf-8")
    result = run("init", str(tmp_path / "new.toml"), *SIMPLE)
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(f"jnap: wrote {tmp_path / SCHEMA}: the JSON Schema its #:schema line names\n")
    assert (tmp_path / SCHEMA).read_bytes() == (ROOT / "data" / SCHEMA).read_bytes()


def test_no_schema_writes_neither_the_line_nor_the_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    result = run("init", str(path), *SIMPLE, "--no-schema")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"jnap: wrote {path}: 1 plan, 0 actions\n"
    assert path.read_text(encoding="utf-8") == SIMPLE_TEXT.removeprefix(f"#:schema ./{SCHEMA}\n")
    assert leftovers(tmp_path) == ["new.toml"]


def test_a_schema_that_cannot_be_written_is_a_warning(run: Run, tmp_path: Path) -> None:
    """The register is written first and stays: exit 0, and the warning says how to write the schema."""
    (tmp_path / SCHEMA).mkdir()
    path = tmp_path / "new.toml"
    result = run("init", str(path), *SIMPLE)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"jnap: wrote {path}: 1 plan, 0 actions\n"
        f"jnap: warning: {tmp_path / SCHEMA}: is a directory; give the path of a file to write; "
        f"then write it with `jnap schema -o {tmp_path / SCHEMA}`\n"
    )
    assert path.read_text(encoding="utf-8") == SIMPLE_TEXT


def test_a_register_named_as_the_schema_is_refused(run: Run, tmp_path: Path) -> None:
    result = run("init", str(tmp_path / SCHEMA), *SIMPLE)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"jnap: error: {tmp_path / SCHEMA}: that is the name of the schema file jnap init writes; "
        "name the register *.toml\n"
    )
    assert leftovers(tmp_path) == []
