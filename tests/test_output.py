"""The output contract: formats, untrusted text, colour, pipes and encodings."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import JNAP, Run
from .registers import find, set_field, small, write, write_text_with

# Rich markup, an emoji code, an ANSI colour sequence, a bidi override, a zero-width space, a C1
# control and a tab (tomli-w writes the control characters as TOML escapes, so the register stays valid).
HOSTILE = (
    "[bold red]alarm[/] :smile: \x1b[31mred\x1b[0m \u202eevil\u202c "
    "[link=http://x.example]y[/link] zero\u200bwidth c1\x85 tab\there "
)
ESCAPED = (
    "[bold red]alarm[/] :smile: \\x1b[31mred\\x1b[0m <U+202E>evil<U+202C> "
    "[link=http://x.example]y[/link] zero<U+200B>width c1\\x85"
)
FORBIDDEN = ("\x1b", "\u202e", "\u202c", "\u200b", "\x85", "😄")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    data = small()
    r1 = find(data, "R1")
    r1["text"] = HOSTILE + r1["text"]
    r1["theme"] = "[red]Our[/red] People\x1b]8;;http://evil\x07"
    return write(tmp_path / "actions.toml", data)


@pytest.fixture
def register(tmp_path: Path) -> Path:
    """`small()`, written: R1 complete, R2 ongoing with a commentary of two paragraphs."""
    return write(tmp_path / "actions.toml", small())


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "markdown"])
@pytest.mark.parametrize("command", [["list", "-n", "1"], ["show", "R1"]])
def test_hostile_text_is_printed_literally(run: Run, hostile: Path, fmt: str, command: list[str]) -> None:
    result = run(*command, "-r", str(hostile), "--format", fmt, "--fields", "id,theme,text", env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    for char in FORBIDDEN:
        assert char not in result.stdout, (fmt, repr(char))
    if fmt == "markdown":  # markdown escapes its own punctuation too: compare without backslashes
        assert ESCAPED.replace("\\", "") in result.stdout.replace("\\", "")
        assert "x1b]8;;http://evilx07" in result.stdout.replace("\\", "")
    else:  # `show` lays a block out 100 columns wide at most: its text runs on over lines
        shown = " ".join(result.stdout.split()) if fmt == "table" else result.stdout
        assert ESCAPED in shown
        assert "\\x1b]8;;http://evil\\x07" in shown


def test_hostile_text_in_the_table_with_colour_on(run: Run, hostile: Path) -> None:
    result = run(
        "list",
        "-r",
        str(hostile),
        "-n",
        "1",
        "-f",
        "table",
        "--fields",
        "id,text",
        env={"FORCE_COLOR": "1", "COLUMNS": "400"},
    )
    assert "\x1b[1m" in result.stdout  # the header is bold: colour really is on
    assert "\x1b[31m" not in result.stdout  # the register's own sequence is not
    assert "[bold red]alarm[/]" in result.stdout
    assert "\u202e" not in result.stdout


def test_json_keeps_the_exact_text_escaped(run: Run, hostile: Path) -> None:
    result = run("show", "R1", "-r", str(hostile), "--format", "json")
    for char in FORBIDDEN[:-1]:
        assert char not in result.stdout
    assert "\\u202e" in result.stdout
    (record,) = json.loads(result.stdout)
    assert record["text"].startswith(HOSTILE)
    lines = run("list", "-r", str(hostile), "-f", "jsonl", "-n", "1").stdout
    assert json.loads(lines)["text"].startswith(HOSTILE)


def test_tsv_escapes_tabs_newlines_and_backslashes(run: Run, tmp_path: Path) -> None:
    # The escapes are written into the TOML: tomli-w writes a CR LF as a bare line break, losing the CR.
    path = write_text_with(
        tmp_path / "actions.toml",
        small(),
        'text = "Deliver training number 1',
        'text = "a\\tb\\\\c\\r\\nd Deliver training number 1',
    )
    result = run("list", "-r", str(path), "-n", "1", "--fields", "id,text", "-f", "tsv")
    assert result.stdout == "R1\ta\\tb\\\\c\\r\\nd Deliver training number 1 for the refresh plan.\n"
    two = run("show", "R2", "-r", str(path), "--fields", "id,commentary").stdout
    assert two == "R2\tVictim liaison meetings take place every month.\\n\\nAdvocates attend each meeting.\n"


def test_csv_round_trips(run: Run, tmp_path: Path) -> None:
    data = set_field(small(), "R2", "continues", ["O1", "O2"])
    path = write(tmp_path / "actions.toml", data)
    result = run("list", "-r", str(path), "-f", "csv", "--fields", "id,commentary,continues")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["id", "commentary", "continues"]
    assert len(rows) == 7
    assert next(r for r in rows if r[0] == "R2") == ["R2", find(data, "R2")["commentary"], "O1\nO2"]  # a line each


def test_markdown_table(run: Run, tmp_path: Path) -> None:
    data = set_field(small(), "R2", "continues", ["O1", "O2"])
    find(data, "R3").update(status="ongoing", continues=["O3"])
    find(data, "O3")["status"] = "ongoing"
    path = write(tmp_path / "actions.toml", data)
    result = run("list", "-r", str(path), "-f", "markdown", "--fields", "id,status,continues", "--status", "ongoing")
    assert result.stdout == (
        "| id | status | continues |\n"
        "| --- | --- | --- |\n"
        "| R2 | ongoing | O1, O2 |\n"
        "| R3 | ongoing | O3 |\n"
        "| O3 | ongoing |  |\n"
    )


def test_fields_apply_to_every_format(run: Run, register: Path) -> None:
    for fmt in ("json", "jsonl"):
        out = run("list", "-r", str(register), "-n", "1", "-f", fmt, "--fields", "status,id").stdout
        record = json.loads(out)[0] if fmt == "json" else json.loads(out)
        assert list(record) == ["status", "id"]
    assert run("list", "-r", str(register), "-n", "1", "-f", "tsv", "--fields", "status,id").stdout == "complete\tR1\n"
    assert run("list", "-r", str(register), "-n", "1", "-f", "ids", "--fields", "status").stdout == "R1\n"


def test_table_exact_text(run: Run, tmp_path: Path) -> None:
    data = small()
    find(data, "R3").update(
        status="deferred",
        theme="Building a strong case as early as possible",
        text="Update the joint police and CPS National Protocol on the investigation and prosecution of rape cases "
        "and test it aligns with the relevant file standard guidance in order to promote consistency of approach "
        "to rape investigations and prosecution across England and Wales.",
    )
    path = write(tmp_path / "actions.toml", data)
    result = run("list", "-r", str(path), "--status", "deferred", "--format", "table", env={"COLUMNS": "100"})
    assert result.stdout == (
        "id   plan      theme            status     text\n" + "─" * 100 + "\n"
        "R3   refresh   Building a       deferred   Update the joint police and CPS National Protocol on the\n"
        "               strong case as              investigation and prosecution of rape cases and test it\n"
        "               early as                    aligns with the relevant file standard guidance in order\n"
        "               possible                    to promote consistency of approach to rape investigations\n"
        "                                           and prosecution across England and Wales.\n"
    )


@pytest.mark.parametrize(
    ("env", "args", "coloured"),
    [
        ({}, [], False),  # CliRunner's stdout is not a terminal
        ({"FORCE_COLOR": "1"}, [], True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False),
        ({"FORCE_COLOR": "1"}, ["--no-color"], False),
    ],
)
def test_colour_switches(run: Run, register: Path, env: dict[str, str], args: list[str], coloured: bool) -> None:
    result = run(*args, "list", "-r", str(register), "-n", "1", "-f", "table", env=env)
    assert ("\x1b[" in result.stdout) is coloured


# Real processes.


def _in_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run jnap with a pseudo-terminal as stdout and return what it wrote."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    environment.update({"COLUMNS": "100", **env})
    process = subprocess.Popen([JNAP, *args], stdout=follower, stderr=subprocess.DEVNULL, env=environment)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 10)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=10)
    os.close(leader)
    return b"".join(chunks).decode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
@pytest.mark.parametrize(
    ("env", "args", "coloured"),
    [
        ({"TERM": "xterm-256color"}, [], True),
        ({"TERM": "xterm-256color", "NO_COLOR": "1"}, [], False),
        ({"TERM": "dumb"}, [], False),
        ({"TERM": "xterm-256color"}, ["--no-color"], False),
    ],
)
def test_terminal_gets_a_table_and_colour_rules(
    register: Path, env: dict[str, str], args: list[str], coloured: bool
) -> None:
    out = _in_terminal([*args, "list", "-r", str(register), "-n", "1"], env)
    assert "─" in out  # a table by default on a terminal
    assert "Deliver training number 1" in out
    assert ("\x1b[" in out) is coloured


def test_piped_output_has_no_decoration() -> None:
    # The whole shipped register, from a real process: one undecorated line of five fields per action.
    result = subprocess.run(
        [JNAP, "list"], capture_output=True, text=True, env={**os.environ, "FORCE_COLOR": ""}, check=False
    )
    assert result.returncode == 0
    assert "\x1b" not in result.stdout and "─" not in result.stdout
    assert len(result.stdout.splitlines()) == 44
    assert all(line.count("\t") == 4 for line in result.stdout.splitlines())


def test_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    # Far more output than a pipe holds, so that jnap is still writing when `head` closes the pipe.
    commentary = "Training 1 has been delivered to every team. " * 5000
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "commentary", commentary))
    result = subprocess.run(
        ["bash", "-c", f"'{JNAP}' list -r '{path}' -f json | head -c 1 >/dev/null; echo ${{PIPESTATUS[0]}}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (result.stdout, result.stderr) == ("0\n", "")
    short = subprocess.run(
        ["bash", "-c", f"'{JNAP}' show R2 -r '{path}' | head -c 1 >/dev/null; echo ${{PIPESTATUS[0]}}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (short.stdout, short.stderr) == ("0\n", "")


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "json"])
def test_non_utf8_stdout_does_not_crash(tmp_path: Path, fmt: str) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "text", "Publish the Victims’ Code guidance."))
    result = subprocess.run(
        [JNAP, "show", "R1", "-r", str(path), "--format", fmt],
        capture_output=True, env={**os.environ, "PYTHONIOENCODING": "ascii", "COLUMNS": "100"}, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    result.stdout.decode("ascii")  # nothing but ASCII went out
    # The stream's backslashreplace writes \u2019; in JSON that is also how json.loads reads it back.
    assert b"Victims\\u2019" in result.stdout


@pytest.mark.parametrize("columns", ["0", "10"])
def test_narrow_terminals_keep_every_column(run: Run, register: Path, columns: str) -> None:
    env = {"COLUMNS": columns}
    result = run("list", "-r", str(register), "-f", "table", "-n", "1", "--fields", "id,status", env=env)
    assert result.stdout.splitlines()[2] == "R1   complete"
    shown = run("show", "R2", "-r", str(register), "-f", "table", "--fields", "id,status", env=env)
    assert shown.stdout == "ID      R2\nStatus  ongoing\n"


def test_json_escapes_characters_beyond_the_bmp_as_surrogate_pairs(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "text", "Deliver\U000e0041 training."))
    result = run("show", "R1", "-r", str(path), "-f", "json", "--fields", "text")
    assert "\\udb40\\udc41" in result.stdout
    assert json.loads(result.stdout)[0]["text"] == "Deliver\U000e0041 training."


def test_markdown_escapes_entities_and_strikethrough(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "text", "&lt;x&gt; ~~s~~ Deliver training."))
    result = run("list", "-r", str(path), "-n", "1", "-f", "markdown", "--fields", "text")
    assert result.stdout.splitlines()[2] == "| &amp;lt;x&amp;gt; \\~\\~s\\~\\~ Deliver training. |"
