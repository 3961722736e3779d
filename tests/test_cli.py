"""The CLI's contract with its user: the error boundary, exit codes, and real subprocess runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jnap_cli import __version__
from jnap_cli.checks import report
from jnap_cli.errors import ExitCode

from .conftest import JNAP, ROOT, Run, device, jnap


def test_version(run: Run) -> None:
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"jnap {__version__}\n")


def test_unknown_command_is_one_line(run: Run) -> None:
    result = run("frobnicate")
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert result.stderr == "jnap: error: no such command 'frobnicate'; see 'jnap --help'\n"


def test_unknown_option_is_one_line(run: Run) -> None:
    result = run("check", "--frob")
    assert result.exit_code == 2
    assert result.stderr.startswith("jnap: error: no such option: --frob")
    assert result.stderr.endswith("; see 'jnap check --help'\n")
    assert result.stderr.count("\n") == 1


def test_internal_error_is_one_line_exit_70(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(_: object) -> list[object]:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(report, "run_checks", explode)
    result = run("check")
    assert result.exit_code == 70
    assert result.stderr == (
        "jnap: error: internal error: ZeroDivisionError: division by zero (run with --debug for the traceback)\n"
    )
    debug = run("--debug", "check")
    assert debug.exit_code == 70
    assert debug.stderr.startswith("Traceback (most recent call last):")
    assert "ZeroDivisionError" in debug.stderr


def test_interrupt_exits_130(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(_: object) -> list[object]:
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "run_checks", interrupt)
    result = run("check")
    assert result.exit_code == 130
    assert result.stderr == ""  # the terminal already shows ^C; no traceback


def test_exit_codes_are_tabled_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"| {code.value} | `{code.name}` |" in readme, code


# Real processes: the installed script, from another directory, as a user's shell runs it.


def test_installed_script_checks_the_bundled_register_from_anywhere(tmp_path: Path) -> None:
    result = jnap("check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "jnap: 44 actions checked: 0 error(s), 2 warning(s)\n"


def test_python_dash_m(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "jnap_cli", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, f"jnap {__version__}\n")


def test_no_traceback_for_a_bad_register_in_a_real_run(tmp_path: Path) -> None:
    zero = [str(device(tmp_path, "zero"))] if os.geteuid() == 0 else []
    for path in ("/nonexistent/actions.toml", str(tmp_path), *zero):
        result = jnap("check", "--register", path, cwd=tmp_path)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("jnap show O2", ["O2", "O20", "O21", "O22", "O23", "O24"]),
        ("jnap list --status in", ["in-progress"]),
        ("jnap filter tr", ["transferred"]),
        ("jnap list --plan o", ["original"]),
        ("jnap list --theme sup", ["supporting\\ Victims"]),  # the user's letters kept; matching ignores case
        ("jnap show r1", ["r1", "r10", "r11"]),
        ("jnap list --fields id,co", ["id,commentary", "id,continues", "id,continued_by"]),
        ("jnap list --format js", ["json", "jsonl"]),
    ],
)
def test_shell_completion(tmp_path: Path, words: str, expected: list[str]) -> None:
    env = {"COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1), "_JNAP_COMPLETE": "complete_bash"}
    result = jnap(cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[: len(expected)] == expected
    assert result.stderr == ""


def test_completion_is_silent_on_a_broken_register(tmp_path: Path) -> None:
    env = {"COMP_WORDS": "jnap show R", "COMP_CWORD": "2", "_JNAP_COMPLETE": "complete_bash", "JNAP_REGISTER": "/nope"}
    result = jnap(cwd=tmp_path, env=env)
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, "", "")


def test_bare_jnap_prints_help_on_stdout(tmp_path: Path) -> None:
    result = jnap(cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: jnap [OPTIONS] COMMAND [ARGS]...")
    assert result.stderr == ""


def test_closed_stdout_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(["bash", "-c", f"'{JNAP}' list >&-"], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr) == (
        2, "jnap: error: standard output is closed; redirect it to a file or /dev/null\n",
    )  # fmt: skip


def test_closed_stderr_keeps_exit_codes(tmp_path: Path) -> None:
    for command, code in (
        ("check", 0),
        ("list --bogus", 2),
        ("show 4", 2),
        ("list --status deferred --plan original", 1),
    ):
        result = subprocess.run(["bash", "-c", f"'{JNAP}' {command} 2>&- >/dev/null"], capture_output=True, check=False)
        assert result.returncode == code, command


@pytest.mark.parametrize(
    "command",
    [
        "list", "filter complete", "show R4 O7", "search victim", "plans", "themes", "glossary", "check",
        "diff original refresh", "diff original refresh --format csv", "list --format table", "show R4 --format table",
    ],
)  # fmt: skip
def test_every_command_into_a_closed_pipe_exits_0(command: str) -> None:
    """`jnap CMD | head -1` under pipefail: the reader going away is no failure, and says nothing."""
    script = f"set -o pipefail; '{JNAP}' {command} | head -c 1 >/dev/null"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, command
    # check's summary goes to stderr unless the pipe closed before it was reached (a race).
    assert result.stderr in ("", "jnap: 44 actions checked: 0 error(s), 2 warning(s)\n"), command


@pytest.mark.parametrize("module", ["typer", "jnap_cli.cli.application", "jnap_cli.register.load", "pydantic"])
def test_ctrl_c_during_start_up_is_quiet(module: str) -> None:
    """SIGINT while the script imports Typer, builds the command line or loads the register: exit 130."""
    script = (
        "import builtins, os, signal, sys\n"
        "real = builtins.__import__\n"
        "def interrupting(name, *args, **kwargs):\n"
        f"    if name == {module!r}:\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = interrupting\n"
        "sys.argv = ['jnap', 'list']\n"
        "from jnap_cli.entry import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert (result.returncode, result.stderr) == (130, "")


def test_ctrl_c_as_the_process_ends_is_quiet() -> None:
    """SIGINT after the command is done, while Python shuts down (here from an exit handler): exit 130 and no
    traceback; it was Python's "Exception ignored in ... KeyboardInterrupt" with one."""
    script = (
        "import atexit, os, signal, sys, time\n"
        "atexit.register(lambda: (os.kill(os.getpid(), signal.SIGINT), time.sleep(5)))\n"
        "sys.argv = ['jnap', 'list', '--limit', '1', '--format', 'ids']\n"
        "from jnap_cli.entry import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (130, "R1\n", "")


def test_help_and_version_into_a_closed_pipe_exit_0() -> None:
    for args in ("--version", "--help", "list --help"):
        result = subprocess.run(
            ["bash", "-c", f"'{JNAP}' {args} | true; echo ${{PIPESTATUS[0]}}"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert (result.stdout, result.stderr) == ("0\n", ""), args


def test_unwritable_output_is_one_line(tmp_path: Path) -> None:
    full = device(tmp_path, "full")
    result = subprocess.run(["bash", "-c", f"'{JNAP}' list > '{full}'"], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr) == (2, "jnap: error: cannot write output: No space left on device\n")


def test_closed_stdin_for_show_dash() -> None:
    result = subprocess.run(["bash", "-c", f"'{JNAP}' show - <&-"], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr) == (
        2, "jnap: error: standard input is closed; pipe ids into 'jnap show -', one per line\n",
    )  # fmt: skip


def test_error_lines_escape_register_text(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "hostile.toml"
    path.write_text(
        'title = "t"\nsource = "s"\nplans = []\n[[actions]]\nid = "R1\\u001b[31m"\n"evil\\u202ekey" = 1\n',
        encoding="utf-8",
    )
    result = run("list", "-r", str(path))
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "\\x1b[31m" in result.stderr and "evil<U+202E>key" in result.stderr
    assert run("check", "--select", "\x1b[31m").stderr.startswith("jnap: error: unknown rule code \\x1b[31m;")


def test_error_lines_stay_on_one_line(run: Run) -> None:
    result = run("list", "-r", "no\nsuch")
    assert result.stderr == "jnap: error: no\\nsuch: no such file; give the path of an existing register file\n"
