"""jnap as a pre-commit hook (`.pre-commit-hooks.yaml`), run by pre-commit itself on scratch repositories.

pre-commit builds the hook's virtualenv and pip-installs jnap into it once for the module (about 20 s
with PyPI at hand), from a git copy of this work tree as it stands, uncommitted changes included: what
users get from `repo: …` and `rev: …`. Everything pre-commit, pip and virtualenv keep goes under the
module's temporary directory. (`pre-commit try-repo` would install afresh on every run: it keeps its
store in a temporary directory of its own.)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT, line_of
from .registers import drop_field, small, split, write

HOOK = "jnap-check"
TIMEOUT = 600  # the one install: a virtualenv and jnap's dependencies from PyPI


@dataclass(frozen=True)
class HookRepository:
    """A git copy of this work tree with the environment pre-commit runs in, its hook installed."""

    path: Path
    rev: str
    env: dict[str, str]

    def config(self, **overrides: object) -> str:
        """A `.pre-commit-config.yaml` (JSON is YAML) using the hook, with `overrides` of its settings."""
        hook = {"id": HOOK, **overrides}
        return json.dumps({"repos": [{"repo": str(self.path), "rev": self.rev, "hooks": [hook]}]}, indent=2)


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def pre_commit(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> HookRepository:
    if not (ROOT / ".git").exists():
        pytest.skip("the hook repository is this project's git work tree, and this copy has none")
    home = tmp_path_factory.mktemp("pre-commit")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JNAP_", "GIT_", "PRE_COMMIT"))}
    env.update(
        {
            "PRE_COMMIT_HOME": str(home / "store"),  # never the user's ~/.cache/pre-commit
            "XDG_CACHE_HOME": str(home / "cache"),  # pip's cache
            "XDG_DATA_HOME": str(home / "data"),  # virtualenv's app data
            "TMPDIR": str(home / "tmp"),
            "GIT_CONFIG_GLOBAL": str(home / "no-gitconfig"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CEILING_DIRECTORIES": str(home.parent),
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.com",
            "NO_COLOR": "1",
        }
    )
    (home / "tmp").mkdir()
    # The work tree as it stands (tracked and untracked files, not ignored ones), committed in a copy.
    repository = home / "jnap"
    listed = git(ROOT, env, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (repository / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repository / name)
    git(repository, env, "init", "-q")
    git(repository, env, "add", "-A")
    git(repository, env, "commit", "-q", "-m", "jnap as it stands")
    found = HookRepository(repository, git(repository, env, "rev-parse", "HEAD").strip(), env)
    installer = scratch(home / "installer", found)
    installed = pre_commit(installer, env, "install-hooks")
    assert installed.returncode == 0, installed.stdout
    return found


def scratch(folder: Path, hooks: HookRepository, **overrides: object) -> Path:
    """A git repository using the hook, its config staged as pre-commit requires."""
    folder.mkdir(parents=True)
    git(folder, hooks.env, "init", "-q")
    (folder / ".pre-commit-config.yaml").write_text(hooks.config(**overrides), encoding="utf-8")
    git(folder, hooks.env, "add", ".pre-commit-config.yaml")
    return folder


def test_a_good_register_passes(hooks: HookRepository, tmp_path: Path) -> None:
    repo = scratch(tmp_path / "repo", hooks)
    (repo / "data").mkdir()
    write(repo / "data" / "actions.toml", small())
    git(repo, hooks.env, "add", "-A")
    done = pre_commit(repo, hooks.env, "run", HOOK, "--all-files")
    assert done.returncode == 0, done.stdout
    assert "jnap check" in done.stdout
    assert "Passed" in done.stdout


def test_a_broken_register_fails_naming_the_action(hooks: HookRepository, tmp_path: Path) -> None:
    repo = scratch(tmp_path / "repo", hooks)
    (repo / "data").mkdir()
    register = write(repo / "data" / "actions.toml", drop_field(small(), "R3", "commentary"))
    git(repo, hooks.env, "add", "-A")
    done = pre_commit(repo, hooks.env, "run", HOOK, "--all-files")
    assert done.returncode == 1, done.stdout
    assert "Failed" in done.stdout
    line = line_of(register, 'id = "R3"') - 1  # its [[actions]] line: the field is missing
    assert (
        f"data/actions.toml:{line}: action R3: commentary: error: commentary is missing or empty [commentary-missing]\n"
    ) in done.stdout, done.stdout
    assert "jnap: 6 actions checked: 1 error(s), 0 warning(s)" in done.stdout


def test_each_staged_register_is_checked_on_its_own(hooks: HookRepository, tmp_path: Path) -> None:
    # Only files named actions.toml are registers by default: the broken TOML beside them is not passed.
    repo = scratch(tmp_path / "repo", hooks)
    for year in ("2023", "2024"):
        (repo / "plans" / year).mkdir(parents=True)
    write(repo / "plans" / "2023" / "actions.toml", small())
    broken = write(repo / "plans" / "2024" / "actions.toml", drop_field(small(), "O1", "commentary"))
    (repo / "plans" / "notes.toml").write_text("not = [toml\n", encoding="utf-8")
    git(repo, hooks.env, "add", "-A")
    done = pre_commit(repo, hooks.env, "run", HOOK)  # the staged files, as `git commit` runs it
    assert done.returncode == 1, done.stdout
    findings = [line for line in done.stdout.splitlines() if line.startswith("plans/")]
    line = line_of(broken, 'id = "O1"') - 1
    assert findings == [
        f"plans/2024/actions.toml:{line}: action O1: "
        "commentary: error: commentary is missing or empty [commentary-missing]"
    ], done.stdout
    assert "jnap: 12 actions in 2 registers checked: 1 error(s), 0 warning(s)" in done.stdout


def test_a_directory_register_is_checked_whole_without_filenames(hooks: HookRepository, tmp_path: Path) -> None:
    # Each file of a directory register alone is no register (R2 continues O2, in another file): the
    # documented settings check the register jnap.toml names whenever one of its files changes.
    repo = scratch(tmp_path / "repo", hooks, files="^register/", pass_filenames=False)
    (repo / "jnap.toml").write_text('register = "register"\n', encoding="utf-8")
    split(small(), repo / "register")
    git(repo, hooks.env, "add", "-A")
    done = pre_commit(repo, hooks.env, "run", HOOK)
    assert done.returncode == 0, done.stdout
    assert "Passed" in done.stdout

    write(repo / "register" / "2-original.toml", {"plans": small()["plans"][1:]})  # O1-O3 gone: R2's link breaks
    git(repo, hooks.env, "add", "-A")
    done = pre_commit(repo, hooks.env, "run", HOOK)
    assert done.returncode == 1, done.stdout
    assert "- exit code: 2\n" in done.stdout  # an invalid register
    assert re.search(
        r"^register/1-refresh\.toml:\d+: action R2: continues: error: continues 'O2', which is not in the register "
        r"\[link-unknown\]$",
        done.stdout,
        re.MULTILINE,
    ), done.stdout


def yaml_blocks(page: Path) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)


def test_the_manifest_and_the_documented_config_are_valid_to_pre_commit(tmp_path: Path) -> None:
    (config,) = [block for block in yaml_blocks(ROOT / "docs" / "ci.md") if "repos:" in block]
    assert "- id: jnap-check\n" in config
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRE_COMMIT")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "store")
    for command, path in (
        ("validate-manifest", ROOT / ".pre-commit-hooks.yaml"),
        ("validate-config", tmp_path / "config.yaml"),
    ):
        done = pre_commit(tmp_path, env, command, str(path))
        assert (done.returncode, done.stdout) == (0, ""), done.stdout
