"""Registers that cannot be read or are invalid: one line per problem on stderr, exit 2, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from .conftest import DATA, Run, device, line_of
from .registers import find, set_field, small, write, write_text_with


def test_missing_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    result = run("check", "--register", str(path))
    assert result.exit_code == 2
    # check reports the failure on stdout too, as an `unreadable` finding (tests/test_check_edges.py)
    assert result.stdout == f"{path}: error: no such file; give the path of an existing register file [unreadable]\n"
    assert result.stderr == f"jnap: error: {path}: no such file; give the path of an existing register file\n"
    assert run("list", "--register", str(path)).stdout == ""  # other commands print no records


def test_environment_variable_selects_the_register(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "env.toml"
    result = run("check", env={"JNAP_REGISTER": str(path)})
    assert result.exit_code == 2
    assert str(path) in result.stderr


def test_a_directory_without_toml_files(run: Run, tmp_path: Path) -> None:
    """A directory is a directory register (tests/test_directory.py); this one has no files."""
    result = run("check", "-r", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"jnap: error: {tmp_path}: no *.toml files in this directory; "
        "put the register's *.toml files in it, or pass a register file\n"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_and_devices_are_refused_without_blocking(run: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    zero = [device(tmp_path, "zero")] if os.geteuid() == 0 else []
    for path in (fifo, *zero):
        result = run("check", "-r", str(path))
        assert result.exit_code == 2
        assert result.stderr == f"jnap: error: {path}: not a regular file; pass the path of a .toml register file\n"


def test_unreadable_file(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "actions.toml", small())
    # chmod cannot stop root, so make the open itself fail as it would for another user.
    real_open = os.open

    def refuse(name: object, *args: Any, **kwargs: Any) -> int:
        if name == path:
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"jnap: error: {path}: cannot read: Permission denied\n"


def test_too_large(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    with path.open("wb") as handle:
        handle.truncate(1024**3 + 1)  # sparse: refused by its size, never read
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"jnap: error: {path}: larger than 1 GiB; not a register; set JNAP_MAX_BYTES higher to read it\n"
    )


@pytest.mark.parametrize(("setting", "limit"), [("2048", "2 KiB"), ("3k", "3 KiB"), ("1500", "1500 bytes")])
def test_size_limit_is_configurable(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, limit: str
) -> None:
    register = DATA.read_bytes()
    path = tmp_path / "actions.toml"
    path.write_bytes(register)
    monkeypatch.setenv("JNAP_MAX_BYTES", setting)
    result = run("list", "-r", str(path), "-f", "ids")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"jnap: error: {path}: larger than {limit}; not a register; set JNAP_MAX_BYTES higher to read it\n"
    )
    monkeypatch.setenv("JNAP_MAX_BYTES", str(len(register)))
    assert run("list", "-r", str(path), "-f", "ids").exit_code == 0


@pytest.mark.parametrize("setting", ["lots", "0", "-5", "1.5G", "12 parsecs"])
def test_size_limit_setting_must_be_a_size(run: Run, monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    monkeypatch.setenv("JNAP_MAX_BYTES", setting)
    result = run("list", "-f", "ids")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"jnap: error: JNAP_MAX_BYTES={setting!r} is not a size; give bytes, or a size such as 512M or 2G\n"
    )


def test_not_utf8(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "x"\ntheme = "caf\xe9"\n'.encode("latin-1"))
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"jnap: error: {path}:2:13: not valid UTF-8 (byte 0xe9); save the file as UTF-8\n"


def test_byte_order_mark(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"jnap: error: {path}:1: starts with a UTF-8 byte-order mark; save the file as UTF-8 without a BOM\n"
    )


def test_malformed_toml_names_line_and_column(run: Run, tmp_path: Path) -> None:
    data = set_field(small(), "R3", "status", "deferred")
    path = write_text_with(tmp_path / "actions.toml", data, 'status = "deferred"', 'status = deferred"')
    line = line_of(path, 'status = deferred"')
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"jnap: error: {path}:{line}:10: invalid TOML: Invalid value\n"


def test_raw_control_character_is_invalid_toml(run: Run, tmp_path: Path) -> None:
    path = write_text_with(tmp_path / "actions.toml", small(), "training number 1", "training\x1b number 1")
    result = run("check", "-r", str(path))
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


def test_schema_violations_are_all_listed_with_lines(run: Run, tmp_path: Path) -> None:
    data = small()
    refresh = data["plans"][0]
    refresh["owner"] = 7
    # Too long for an inline table: tomli-w writes `[[plans]]` tables, as the shipped register has.
    refresh["title"] = "Refresh plan: the activities agreed when the Joint National Action Plan was renewed"
    find(data, "R2")["statsu"] = "complete"
    find(data, "R3")["status"] = "done"
    find(data, "O1")["number"] = "1"
    p = write(tmp_path / "actions.toml", data)
    result = run("check", "-r", str(p))
    assert result.exit_code == 2
    done, one = line_of(p, 'status = "done"'), line_of(p, 'number = "1"')
    assert result.stdout.splitlines() == [
        f"{p}:{line_of(p, 'owner = 7')}: plans[1].owner: error: unknown key (misspelt?) [schema]",
        f"{p}:{line_of(p, 'statsu')}: action R2: statsu: error: unknown key (misspelt?) [schema]",
        f"{p}:{done}: action R3: status: error: 'done' is not a known status "
        "(complete, in-progress, ongoing, transferred, deferred, not-started) [unknown-status]",
        f"{p}:{one}: action O1: number: error: input should be a valid integer (got '1') [schema]",
    ]
    assert result.stderr == f"jnap: error: {p}: invalid register: 4 problem(s) shown above\n"


def test_integrity_violations(run: Run, tmp_path: Path) -> None:
    data = small()
    find(data, "R2")["id"] = "R1"
    find(data, "R3")["continues"] = ["O99"]
    find(data, "O2")["number"] = 1
    find(data, "O3")["plan"] = "originel"
    path = write(tmp_path / "actions.toml", data)
    result = run("check", "-r", str(path), "--format", "json")
    assert result.exit_code == 2
    found = [(f["action"], f["field"], f["code"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [
        ("R1", "id", "duplicate-id"),
        ("R3", "continues", "link-unknown"),
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


def test_invalid_id(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R3", "id", "R 3"))
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    assert "action R 3: id: error: 'R 3' is not a valid id" in result.stdout


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
    from jnap_cli.register.sourcemap import scan

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


def test_unknown_key_after_a_string_with_triple_quotes_is_located(run: Run, tmp_path: Path) -> None:
    data = set_field(small(), "R1", "stauts", 1)  # written at the end of R1, after its theme
    path = write_text_with(tmp_path / "actions.toml", data, 'theme = "Our People"', "theme = \"Our '''People\"")
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    line = line_of(path, "stauts = 1")
    assert result.stdout == f"{path}:{line}: action R1: stauts: error: unknown key (misspelt?) [schema]\n"
