"""The GitHub Action (action.yml): its metadata as GitHub documents it, and its steps run as the runner
runs a composite action's steps.

Each `run:` step is run with `bash --noprofile --norc -eo pipefail SCRIPT`, as the runner does for
`shell: bash`, with its `env:` evaluated from the inputs (their defaults where not given), the earlier
steps' outputs and `runner.temp`, and with GITHUB_ACTION_PATH (this work tree), GITHUB_OUTPUT and
GITHUB_WORKSPACE set. `actions/setup-python` is the one step not run: its `python-path` output is this
interpreter. The install step runs for real, once for the module: a virtualenv under the module's
temporary directory and `pip install` of this work tree into it (never into the test's environment).
actionlint cannot be installed here (its PyPI package downloads the binary at build time), so the
metadata is checked against GitHub's documented syntax instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT, line_of
from .registers import drop_field, small, write

ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "check.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
Context = dict[str, str]


def metadata() -> dict[str, Any]:
    loaded = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def steps() -> list[dict[str, Any]]:
    return list(metadata()["runs"]["steps"])


# The metadata, against https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax


def test_the_metadata_is_a_composite_action() -> None:
    action = metadata()
    assert set(action) <= {"name", "author", "description", "inputs", "outputs", "runs", "branding"}
    assert {"name", "description", "runs"} <= set(action)
    assert action["runs"]["using"] == "composite"
    for name, spec in action["inputs"].items():
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name), name
        assert set(spec) <= {"description", "required", "default", "deprecationMessage"}, name
        assert spec["description"], name
        assert isinstance(spec.get("default", ""), str), f"{name}: an input's default is a string"
    ids = [step["id"] for step in steps() if "id" in step]
    assert len(ids) == len(set(ids))


def test_every_step_is_run_with_a_shell_or_uses_an_action_pinned_to_a_major() -> None:
    for step in steps():
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step["shell"] == "bash", step  # a composite action's run step must name its shell
        else:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), step["uses"]


def test_no_expression_is_expanded_inside_a_script() -> None:
    # ${{ inputs.register }} in a script would be pasted into bash before it runs: script injection.
    # Inputs and outputs reach the scripts as environment variables only.
    for step in steps():
        assert "${{" not in step.get("run", ""), step["run"]


def test_the_workflow_uses_the_action_from_this_repository() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    job_steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    assert job_steps[0]["uses"].startswith("actions/checkout@v")
    ours = [step for step in job_steps if step.get("uses") == "./"]
    assert len(ours) == 1
    assert set(ours[0].get("with", {})) <= set(metadata()["inputs"])
    assert ours[0]["with"]["register"] == "data/actions.toml"


def test_the_documented_workflow_uses_the_action_s_inputs() -> None:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL) if "OWNER/jnap@" in b]
    (ours,) = [s for job in yaml.safe_load(block)["jobs"].values() for s in job["steps"] if "OWNER/jnap@" in s["uses"]]
    assert set(ours["with"]) <= set(metadata()["inputs"])
    for commented in re.findall(r"^\s+# (\S+): ", block, re.MULTILINE):
        assert commented in metadata()["inputs"], commented


# The steps, run.


def evaluate(text: str, context: Context) -> str:
    """`text` with each `${{ expression }}` replaced by its value: only the names the test knows."""
    return EXPRESSION.sub(lambda match: context[match.group(1)], text)


def run_step(
    step: dict[str, Any], context: Context, workspace: Path, scratch: Path, machine: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """One `run:` step as the runner runs it, `machine` added to the environment; its outputs go into
    `context` as `steps.ID.outputs.NAME`."""
    name = step.get("id", "step")
    script, output = scratch / f"{name}.sh", scratch / f"{name}.output"
    script.write_text(step["run"], encoding="utf-8")
    output.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JNAP", "GITHUB_"))} | (machine or {})
    env.update({key: evaluate(str(value), context) for key, value in step.get("env", {}).items()})
    env.update(
        {
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_ACTIONS": "true",
            "CI": "true",
        }
    )
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    for line in output.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        context[f"steps.{name}.outputs.{key}"] = value
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Context:
    """The context after every step but the last (setup-python, then the real install of jnap)."""
    scratch = tmp_path_factory.mktemp("action")
    context = {"runner.temp": str(scratch / "runner-temp"), **inputs({})}
    (scratch / "runner-temp").mkdir()
    (scratch / "tmp").mkdir()
    machine = {"XDG_CACHE_HOME": str(scratch / "cache"), "TMPDIR": str(scratch / "tmp")}  # pip's, not the user's
    *setup, _check = steps()
    for step in setup:
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@")
            context[f"steps.{step['id']}.outputs.python-path"] = sys.executable
            continue
        done = run_step(step, context, scratch, scratch, machine)
        assert done.returncode == 0, done.stderr
    return context


def inputs(given: dict[str, str]) -> Context:
    """`inputs.NAME` for every input: as given, else its default."""
    declared = metadata()["inputs"]
    assert set(given) <= set(declared)
    return {f"inputs.{name}": given.get(name, spec.get("default", "")) for name, spec in declared.items()}


def check(installed: Context, workspace: Path, **given: str) -> subprocess.CompletedProcess[str]:
    """The action's last step, `jnap check`, in `workspace` with these inputs."""
    scratch = workspace.parent / "steps"
    scratch.mkdir(exist_ok=True)
    return run_step(steps()[-1], {**installed, **inputs(given)}, workspace, scratch)


@pytest.fixture
def workspace(tmp_path: Path, git_env: None) -> Path:
    """A checked-out repository holding `data/actions.toml`, R3's commentary missing."""
    folder = tmp_path / "workspace"
    (folder / "data").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True, timeout=30)
    write(folder / "data" / "actions.toml", drop_field(small(), "R3", "commentary"))
    return folder


def r3_annotation(workspace: Path) -> str:
    line = line_of(workspace / "data" / "actions.toml", 'id = "R3"') - 1
    return (
        f"::error file=data/actions.toml,line={line},title=commentary-missing::"
        "action R3: commentary: commentary is missing or empty"
    )


def test_findings_are_annotations_and_an_error_fails_the_step(installed: Context, workspace: Path) -> None:
    done = check(installed, workspace)  # the default register: data/actions.toml
    assert done.returncode == 1, done.stderr
    assert done.stdout == r3_annotation(workspace) + "\n"
    assert done.stderr == "jnap: 6 actions checked: 1 error(s), 0 warning(s)\n"


def test_a_clean_register_passes(installed: Context, workspace: Path) -> None:
    write(workspace / "data" / "actions.toml", small())
    done = check(installed, workspace, register="data/actions.toml")
    assert (done.returncode, done.stdout) == (0, ""), done.stderr


def test_an_empty_register_input_checks_the_repository_s_own(installed: Context, workspace: Path) -> None:
    (workspace / "registers").mkdir()
    write(workspace / "registers" / "plans.toml", small())
    (workspace / "jnap.toml").write_text('register = "registers/plans.toml"\n', encoding="utf-8")
    done = check(installed, workspace, register="")
    assert (done.returncode, done.stdout) == (0, ""), done.stderr


def test_args_pass_options_to_jnap_check(installed: Context, workspace: Path) -> None:
    register = write(workspace / "data" / "actions.toml", drop_field(small(), "R1", "status_basis"))
    line = line_of(register, 'id = "R1"') - 1
    warning = f"::warning file=data/actions.toml,line={line},title=status-basis-missing::"
    relaxed = check(installed, workspace)
    assert relaxed.returncode == 0, relaxed.stderr
    assert relaxed.stdout.startswith(warning)
    strict = check(installed, workspace, args="--strict  --ignore commentary-missing")
    assert strict.returncode == 1, strict.stderr
    assert strict.stdout == relaxed.stdout


def test_an_unreadable_register_is_an_annotation_and_exit_2(installed: Context, workspace: Path) -> None:
    done = check(installed, workspace, register="data/missing.toml")
    assert done.returncode == 2, done.stderr
    assert done.stdout.startswith("::error file=data/missing.toml,title=unreadable::")
    assert done.stderr.startswith("jnap: error: data/missing.toml: ")


def test_hostile_inputs_are_data_not_shell(installed: Context, workspace: Path) -> None:
    # What a workflow could take from a pull request's title or branch name: nothing of it runs.
    hostile = "$(touch pwned-1)`touch pwned-2`;touch pwned-3"
    done = check(installed, workspace, register=hostile)
    assert done.returncode == 2, done.stderr
    assert done.stdout.startswith(f"::error file={hostile},title=unreadable::"), done.stdout
    done = check(installed, workspace, args="--strict $(touch pwned-4) *")
    assert done.returncode == 2, done.stderr  # the words are register names beside --register: refused
    assert done.stderr == "jnap: error: give the register with --register or as arguments, not both; drop one of them\n"
    assert sorted(p.name for p in workspace.iterdir()) == [".git", "data"]
