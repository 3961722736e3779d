"""Registers that cannot be read or are invalid: one line per problem on stderr, exit 2, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import Run, edit, line_of


def test_missing_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    result = run("check", "--register", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"jnap: error: {path}: no such file; pass --register PATH or set JNAP_REGISTER\n"


def test_environment_variable_selects_the_register(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "env.toml"
    result = run("check", env={"JNAP_REGISTER": str(path)})
    assert result.exit_code == 2
    assert str(path) in result.stderr


def test_directory(run: Run, tmp_path: Path) -> None:
    result = run("check", "-r", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"jnap: error: {tmp_path}: is a directory; pass the path of a .toml register file\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_and_devices_are_refused_without_blocking(run: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        result = run("check", "-r", str(path))
        assert result.exit_code == 2
        assert result.stderr == f"jnap: error: {path}: not a regular file; pass the path of a .toml register file\n"


def test_unreadable_file(run: Run, register_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod cannot stop root, so make the open itself fail as it would for another user.
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self == register_copy:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", refuse)
    result = run("check", "-r", str(register_copy))
    assert result.exit_code == 2
    assert result.stderr == f"jnap: error: {register_copy}: cannot read: Permission denied\n"


def test_too_large(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    with path.open("wb") as handle:
        handle.truncate(16 * 1024 * 1024 + 1)
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"jnap: error: {path}: larger than 16 MiB; not a register\n"


def test_not_utf8(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "x"\ntheme = "caf\xe9"\n'.encode("latin-1"))
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"jnap: error: {path}:2:13: not valid UTF-8 (byte 0xe9); save the file as UTF-8\n"


def test_byte_order_mark(run: Run, register_copy: Path) -> None:
    register_copy.write_bytes(b"\xef\xbb\xbf" + register_copy.read_bytes())
    result = run("check", "-r", str(register_copy))
    assert result.exit_code == 2
    assert result.stderr == (
        f"jnap: error: {register_copy}:1: starts with a UTF-8 byte-order mark; save the file as UTF-8 without a BOM\n"
    )


def test_malformed_toml_names_line_and_column(run: Run, register_copy: Path) -> None:
    edit(register_copy, 'status = "deferred"', 'status = deferred"')
    line = line_of(register_copy, 'status = deferred"')
    result = run("check", "-r", str(register_copy))
    assert result.exit_code == 2
    assert result.stderr == f"jnap: error: {register_copy}:{line}:10: invalid TOML: Invalid value\n"


def test_raw_control_character_is_invalid_toml(run: Run, register_copy: Path) -> None:
    edit(register_copy, "12-month learning", "12-month\x1b learning")
    result = run("check", "-r", str(register_copy))
    assert result.exit_code == 2
    assert "invalid TOML: Illegal character '\\x1b'" in result.stderr


@pytest.mark.parametrize("content", ["", "# nothing here\n", 'title = "t"\nsource = "s"\nplans = []\n'])
def test_empty_register(run: Run, tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.toml"
    path.write_text(content, encoding="utf-8")
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"jnap: error: {path}: the register is empty: it has no [[actions]]; add at least one [[actions]] table\n"
    )


def test_schema_violations_are_all_listed_with_lines(run: Run, register_copy: Path) -> None:
    edit(register_copy, 'status = "transferred"', 'status = "done"')
    edit(register_copy, "number = 5\n", 'number = "5"\n')
    edit(
        register_copy,
        'theme = "Our People"\ntext = "Develop',
        'theme = "Our People"\nstatsu = "complete"\ntext = "Develop',
    )
    edit(register_copy, "year = 2022", "year = 2022\nowner = 7")
    result = run("check", "-r", str(register_copy))
    assert result.exit_code == 2
    p = register_copy
    done, five = line_of(p, 'status = "done"'), line_of(p, 'number = "5"')
    assert result.stdout.splitlines() == [
        f"{p}:{line_of(p, 'owner = 7')}: plans[1].owner: error: unknown key (misspelt?) [schema]",
        f"{p}:{line_of(p, 'statsu')}: action R2: statsu: error: unknown key (misspelt?) [schema]",
        f"{p}:{done}: action R3: status: error: 'done' is not a known status "
        "(complete, in-progress, ongoing, transferred, deferred, not-started) [unknown-status]",
        f"{p}:{five}: action R5: number: error: input should be a valid integer (got '5') [schema]",
    ]
    assert result.stderr == f"jnap: error: {p}: invalid register: 4 problem(s) shown above\n"


def test_integrity_violations(run: Run, register_copy: Path) -> None:
    edit(register_copy, 'id = "R2"', 'id = "R1"')
    edit(register_copy, 'continues = ["O23"]', 'continues = ["O99"]')
    edit(register_copy, 'id = "O2"\nplan = "original"\nnumber = 2', 'id = "O2"\nplan = "original"\nnumber = 1')
    edit(register_copy, 'id = "O3"\nplan = "original"', 'id = "O3"\nplan = "originel"')
    result = run("check", "-r", str(register_copy), "--format", "json")
    assert result.exit_code == 2
    found = [(f["action"], f["field"], f["code"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [
        ("R1", "id", "duplicate-id"),
        ("R4", "continues", "link-unknown"),
        ("O2", "number", "duplicate-number"),
        ("O3", "plan", "unknown-plan"),
    ]


def test_wrong_top_level_shape(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "shape.toml"
    path.write_text("actions = 3\n", encoding="utf-8")
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{path}: title: error: required key is missing [schema]",
        f"{path}: source: error: required key is missing [schema]",
        f"{path}: plans: error: required key is missing [schema]",
        f"{path}:1: actions: error: input should be a valid array (got 3) [schema]",
    ]


def test_invalid_id(run: Run, register_copy: Path) -> None:
    edit(register_copy, 'id = "R7"', 'id = "R 7"')
    result = run("check", "-r", str(register_copy))
    assert result.exit_code == 2
    assert "action R 7: id: error: 'R 7' is not a valid id" in result.stdout


def test_deeply_nested_toml(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text('[[actions]]\nid = "x"\ncontinues = ' + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    result = run("list", "-r", str(path))
    assert (result.exit_code, result.stderr) == (2, f"jnap: error: {path}: invalid TOML: nested too deeply\n")


def test_wrong_shapes_inside_arrays(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "shapes.toml"
    path.write_text(
        'title = "t"\nsource = "s"\nplans = [{id = "p", title = "t", year = 2021-01-01}]\nactions = ["a"]\n',
        encoding="utf-8",
    )
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{path}: plans[1].year: error: input should be a valid integer (got a date) [schema]",
        f"{path}: actions[1]: error: should be a table (got 'a') [schema]",
    ]


def test_scan_skips_quotes_inside_one_line_strings_and_comments() -> None:
    from jnap_cli.register import scan

    text = (
        "[[actions]]\n"  # 1
        'theme = "Our \'\'\'People"  # a comment with """\n'  # 2
        "text = 'it''s'\n"  # 3
        'commentary = """\n'  # 4
        'first \\""" still inside\n'  # 5
        'x = "not a key"\n'  # 6
        'last"""\n'  # 7
        "'status' = \"x\"\n"  # 8
        "note\u2028 = 1\n"  # 9: U+2028 does not end a TOML line
        "after = 2\n"  # 10
    )
    source = scan(text)
    assert source.line("actions", 0, "theme") == 2
    assert source.line("actions", 0, "text") == 3
    assert source.line("actions", 0, "commentary") == 4
    assert source.line("actions", 0, "x") == 1  # inside the multi-line string: not a key, the header line
    assert source.line("actions", 0, "status") == 8
    assert source.line("actions", 0, "after") == 10


def test_unknown_key_after_a_string_with_triple_quotes_is_located(run: Run, register_copy: Path) -> None:
    edit(register_copy, 'theme = "Our People"\ntext = "12-month', "theme = \"Our '''People\"\ntext = \"12-month")
    edit(register_copy, 'status_evidence = "The CPS has updated', 'stauts = 1\nstatus_evidence = "The CPS has updated')
    result = run("check", "-r", str(register_copy))
    assert result.exit_code == 2
    line = line_of(register_copy, "stauts = 1")
    assert result.stdout == f"{register_copy}:{line}: action R1: stauts: error: unknown key (misspelt?) [schema]\n"
