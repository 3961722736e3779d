"""`jnap check REGISTER...`: registers named as arguments (as pre-commit passes staged files), each
checked on its own, their findings reported together and the worst outcome as the exit code."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run, line_of
from .registers import drop_field, small, write


def broken(path: Path) -> Path:
    """A register whose R3 has no commentary: one error, at R3's [[actions]] line."""
    return write(path, drop_field(small(), "R3", "commentary"))


def r3_finding(path: Path) -> str:
    line = line_of(path, 'id = "R3"') - 1
    return f"{path}:{line}: action R3: commentary: error: commentary is missing or empty [commentary-missing]"


def test_each_named_register_is_checked_and_the_counts_add_up(run: Run, tmp_path: Path) -> None:
    good, bad = write(tmp_path / "good.toml", small()), broken(tmp_path / "bad.toml")
    result = run("check", str(good), str(bad))
    assert result.exit_code == 1, result.output
    assert result.stdout == r3_finding(bad) + "\n"
    assert result.stderr == "jnap: 12 actions in 2 registers checked: 1 error(s), 0 warning(s)\n"


def test_one_named_register_reads_as_with_register(run: Run, tmp_path: Path) -> None:
    bad = broken(tmp_path / "bad.toml")
    named, given = run("check", str(bad)), run("check", "--register", str(bad))
    assert (named.exit_code, named.stdout, named.stderr) == (given.exit_code, given.stdout, given.stderr)
    assert named.stderr == "jnap: 6 actions checked: 1 error(s), 0 warning(s)\n"


def test_json_is_one_document_naming_each_file(run: Run, tmp_path: Path) -> None:
    first, second = broken(tmp_path / "a.toml"), broken(tmp_path / "b.toml")
    result = run("check", str(first), str(second), "--format", "json", "--fields", "action,file")
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout) == {
        "findings": [{"action": "R3", "file": str(first)}, {"action": "R3", "file": str(second)}],
        "errors": 2,
        "warnings": 0,
    }


def test_an_unreadable_register_is_exit_2_after_every_finding(run: Run, tmp_path: Path) -> None:
    bad, missing = broken(tmp_path / "bad.toml"), tmp_path / "missing.toml"
    result = run("check", str(bad), str(missing))
    assert result.exit_code == 2, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == r3_finding(bad)
    assert lines[1].startswith(f"{missing}: error: ")
    assert lines[1].endswith("[unreadable]")
    assert len(lines) == 2
    assert result.stderr.startswith(f"jnap: error: {missing}: ")


def test_an_invalid_register_among_several_is_exit_2(run: Run, tmp_path: Path) -> None:
    good = write(tmp_path / "good.toml", small())
    invalid = write(tmp_path / "invalid.toml", {**small(), "actions": [*small()["actions"], small()["actions"][0]]})
    result = run("check", str(good), str(invalid))
    assert result.exit_code == 2, result.output
    assert "[duplicate-id]" in result.stdout
    assert result.stderr == f"jnap: error: {invalid}: invalid register: 2 problem(s) shown above\n"


def test_arguments_and_register_option_together_are_a_usage_error(run: Run, tmp_path: Path) -> None:
    good = write(tmp_path / "good.toml", small())
    for args in (["check", "-r", str(good), str(good)], ["-r", str(good), "check", str(good)]):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr == (
            "jnap: error: give the register with --register or as arguments, not both; drop one of them\n"
        )


def test_named_registers_win_over_the_environment(run: Run, tmp_path: Path) -> None:
    good, bad = write(tmp_path / "good.toml", small()), broken(tmp_path / "bad.toml")
    result = run("check", str(good), env={"JNAP_REGISTER": str(bad)})
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_a_hostile_file_name_is_escaped_in_every_format(run: Run, tmp_path: Path) -> None:
    bad = broken(tmp_path / "evil\x1b]0;pwned\x07\u202e.toml")
    for fmt in ("text", "github"):
        result = run("check", str(bad), "--format", fmt)
        assert result.exit_code == 1, result.output
        assert "\x1b" not in result.stdout
        assert "\u202e" not in result.stdout
        assert "\\x1b]0;pwned\\x07<U+202E>.toml" in result.stdout
