"""Where registers and bundled data files are, and how a register's path is shown.

The register to read, first rule that applies:

1. `--register PATH` (a file, or a directory of `*.toml` files);
2. `$JNAP_REGISTER`;
3. in a git work tree (the nearest directory above the current one with a `.git` entry), the file
   (or directory: `register.directory`) that `register = "path"` names in the top's `jnap.toml`,
   else in `[tool.jnap]` of its `pyproject.toml` (read only when there is no `jnap.toml`), else the
   top's `data/actions.toml`;
4. the bundled register.

Finding the register costs a few `stat` calls; the settings files are read only when they exist.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from jnap_cli.errors import InputUnreadable

ENV_VAR = "JNAP_REGISTER"
SETTINGS_FILE = "jnap.toml"
PYPROJECT = "pyproject.toml"
CONVENTIONAL = Path("data") / "actions.toml"
SETTING_HINT = "fix the setting, or pass --register PATH"


def bundled(name: str) -> Path:
    """A data file shipped with jnap: inside the installed package, or the checkout's `data/` when editable."""
    packaged = Path(str(resources.files("jnap_cli"))) / "data" / name
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "data" / name


def default_path() -> Path:
    """The bundled register (a copy of the repository's `data/actions.toml`)."""
    return bundled("actions.toml")


def exists(path: Path) -> bool:
    """`path.exists()`, false for names the system cannot even look up (too long, bad bytes)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def resolve_path(path: Path | None) -> Path:
    """`--register`, else `$JNAP_REGISTER`, else the register of the current git work tree, else the bundled one."""
    if path is not None:
        return path
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    try:
        here = Path.cwd()
    except OSError:  # the current directory was removed
        return default_path()
    top = repository_top(here)
    found = discover(top) if top is not None else None
    return found or default_path()


def repository_top(folder: Path) -> Path | None:
    """The top of the git work tree holding the absolute directory `folder`, or None outside one.

    The top is the nearest directory, from `folder` up, with a `.git` entry (a directory, or the file
    of a linked worktree or submodule). Like git, the search never climbs into a directory listed in
    `$GIT_CEILING_DIRECTORIES`.
    """
    ceilings = _ceilings()
    here = folder
    while True:
        if exists(here / ".git"):
            return here
        parent = here.parent
        if parent == here or parent in ceilings:
            return None
        here = parent


def _ceilings() -> set[Path]:
    listed = os.environ.get("GIT_CEILING_DIRECTORIES", "")
    return {Path(os.path.realpath(entry)) for entry in listed.split(os.pathsep) if os.path.isabs(entry)}


def discover(top: Path) -> Path | None:
    """The register of the git work tree whose top is `top`: the one its settings name, else its
    `data/actions.toml`; None when it has neither.

    `jnap.toml`, when there is one, is the settings file and `pyproject.toml` is not read. A malformed
    settings file, or a setting that names no file, is an `InputUnreadable` naming the settings file.
    """
    named = _register_setting(top)
    if named is not None:
        return named
    conventional = top / CONVENTIONAL
    return conventional if exists(conventional) else None


def _register_setting(top: Path) -> Path | None:
    settings = top / SETTINGS_FILE
    if exists(settings):
        return _setting(settings, _read_toml(settings), "")
    pyproject = top / PYPROJECT
    if not exists(pyproject):
        return None
    tool = _read_toml(pyproject).get("tool")
    section = tool.get("jnap") if isinstance(tool, dict) else None
    if section is None:
        return None
    if not isinstance(section, dict):
        raise InputUnreadable(f"{pyproject}: tool.jnap: should be a table ([tool.jnap])", SETTING_HINT)
    return _setting(pyproject, section, "tool.jnap.")


def _read_toml(path: Path) -> dict[str, Any]:
    from jnap_cli.register import tomlfile

    return tomlfile.read(path, kind="settings", hint=SETTING_HINT)[1]


def _setting(origin: Path, table: dict[str, Any], prefix: str) -> Path | None:
    """The file that `register` names in a settings table (relative to the table's file), or None when unset."""
    unknown = sorted(set(table) - {"register"})
    if unknown:
        raise InputUnreadable(
            f"{origin}: {prefix}{unknown[0]}: unknown setting (misspelt?); the only one is {prefix}register",
            SETTING_HINT,
        )
    value = table.get("register")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputUnreadable(
            f"{origin}: {prefix}register: should be the path of the register file or directory (got {value!r})",
            SETTING_HINT,
        )
    path = origin.parent / value
    try:
        path.stat()
    except (OSError, ValueError) as exc:
        why = "no such file" if isinstance(exc, FileNotFoundError) else getattr(exc, "strerror", None) or str(exc)
        raise InputUnreadable(f"{origin}: {prefix}register = {value!r}: {why}", SETTING_HINT) from None
    return path


def shown(path: Path) -> str:
    """The register's path as findings show it: relative to the top of its git work tree, else as given.

    So `data/actions.toml` from any subdirectory, as GitHub's annotations and editors want it.
    """
    if not path.name:
        return str(path)
    try:
        folder = path.parent.resolve()  # symlinked directories resolved, as git resolves them
    except (OSError, RuntimeError, ValueError):
        return str(path)
    top = repository_top(folder)
    return str(path) if top is None else (folder / path.name).relative_to(top).as_posix()
