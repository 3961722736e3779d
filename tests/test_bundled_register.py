"""The register installed with jnap is never edited, wherever the system keeps its packages."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from jnap_cli.cli.edit import _bundled

from .conftest import DATA, Run
from .registers import small, write


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """jnap as Debian's python3 installs it, in dist-packages: the bundled register in its package's data."""
    package = tmp_path / "usr" / "lib" / "python3" / "dist-packages" / "jnap_cli"
    (package / "data").mkdir(parents=True)
    register = package / "data" / "actions.toml"
    shutil.copyfile(DATA, register)
    files = resources.files
    monkeypatch.setattr(resources, "files", lambda anchor: package if anchor == "jnap_cli" else files(anchor))
    return register


@pytest.mark.parametrize("given", ["-r", "default"])
def test_the_register_installed_in_dist_packages_is_not_edited(
    run: Run, installed: Path, given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, git_env: None
) -> None:
    before = installed.read_bytes()
    monkeypatch.chdir(tmp_path)  # outside any git work tree (git_env stops the search here): the default is bundled
    where = ["-r", str(installed)] if given == "-r" else []
    result = run("set-status", "R1", "deferred", "--evidence", "Training 1", *where)
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == (
        f"jnap: error: {installed}: the register bundled with jnap is not to be edited; pass --register PATH\n"
    )
    assert installed.read_bytes() == before


def test_a_register_under_a_packages_folder_that_is_not_jnaps_is_edited(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "dist-packages" / "site-packages"
    folder.mkdir(parents=True)
    path = write(folder / "actions.toml", small())
    result = run("set-status", "R1", "deferred", "--evidence", "Training 1", "-r", str(path))
    assert result.exit_code == 0, result.output
    assert 'status = "deferred"' in path.read_text(encoding="utf-8")


def test_the_checkout_register_is_not_the_bundled_one() -> None:
    """An editable install reads the checkout's data/actions.toml: that file is the project's, to edit."""
    assert not _bundled(DATA)
