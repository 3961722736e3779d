"""Every command's `--help` ends with two or three examples, and each runs as written, as the pages of
docs/ do (tests/test_readme.py): in a git work tree of the test's own that holds a copy of the bundled
register, one commit after another (R11 deferred, then complete), so that `history`, `diff HEAD~1` and
`stats --since` have something to show, and the writers edit that copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jnap_cli.cli import app

from .conftest import DATA
from .test_cli_reference import documented

WIDTH = 80  # an example fits the narrowest common terminal, indented as help shows it


def examples_of(command: str) -> list[str]:
    """The `$ …` lines of the Examples section of `jnap COMMAND --help`, each joined with the lines that
    continue it (a line ending in `\\`)."""
    result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "100"}, prog_name="jnap")
    assert result.exit_code == 0, result.output
    _, marker, section = result.stdout.partition("\nExamples:\n")
    assert marker, f"jnap {command} --help has no Examples section"
    examples: list[str] = []
    for line in section.splitlines():
        stripped = line.strip()
        if examples and examples[-1].endswith("\\"):
            examples[-1] = f"{examples[-1][:-1].rstrip()} {stripped}"
        elif stripped.startswith("$ "):
            examples.append(stripped[2:])
    return examples


EXAMPLES = [(command, example) for command in documented() for example in examples_of(command)]


def test_every_command_has_two_or_three_examples_that_fit_the_terminal() -> None:
    for command in documented():
        shown = f"jnap {command}".strip()
        count = len(examples_of(command))
        assert 2 <= count <= 3, f"{shown}: {count} examples; give two or three"
        help_text = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "100"}).stdout
        section = help_text.partition("\nExamples:\n")[2]
        wide = [line for line in section.splitlines() if len(line) > WIDTH]
        assert not wide, f"{shown}: examples wider than {WIDTH} columns: {wide}"
        for example in examples_of(command):
            assert "jnap " in example, f"{shown}: {example!r} does not run jnap"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git work tree whose register, data/actions.toml, is the bundled one with R11 moved from deferred to
    complete in its second commit: made once, copied for each example."""
    root = tmp_path_factory.mktemp("template") / "work"
    (root / "data").mkdir(parents=True)
    register = root / "data" / "actions.toml"
    shutil.copyfile(DATA, register)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": str(root.parent / "no-gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
    env |= {f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER") for what, value in GIT_PERSON.items()}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, timeout=30)

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "The register as bundled")
    text = register.read_text(encoding="utf-8")
    at = text.index('id = "R11"')
    register.write_text(
        text[:at] + text[at:].replace('status = "deferred"', 'status = "complete"', 1), encoding="utf-8"
    )
    git("commit", "-q", "-am", "R11 complete")
    return root


GIT_PERSON = {"NAME": "Test", "EMAIL": "test@example.com"}


@pytest.fixture
def work_tree(template: Path, tmp_path: Path, git_env: None, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example's own copy of the template; $EDITOR is a script that marks the table reviewed."""
    root = tmp_path / "work"
    shutil.copytree(template, root)
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'a', encoding='utf-8').write('# reviewed\\n')\n", encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.setenv("VISUAL", "")
    return root


def run_example(example: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("JNAP_REGISTER", "FORCE_COLOR", "JNAP_NO_CACHE")}
    env.update({"COLUMNS": "100", "NO_COLOR": "1", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"})
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", example],
        cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("command", "example"), EXAMPLES, ids=[f"jnap {c} --help: {e}".replace("  ", " ") for c, e in EXAMPLES]
)
def test_example_runs_as_written(command: str, example: str, work_tree: Path) -> None:
    if "cache" in example:  # jnap has read the register before, as for anyone who asks about its cache
        assert run_example("jnap plans", work_tree).returncode == 0
    result = run_example(example, work_tree)
    assert result.returncode == 0, f"jnap {command} --help: `{example}` exited {result.returncode}: {result.stderr}"
    assert "jnap: error:" not in result.stderr, result.stderr
    assert result.stdout or result.stderr, f"`{example}` printed nothing"
