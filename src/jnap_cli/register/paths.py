"""Where registers and bundled data files are: `--register`, `$JNAP_REGISTER`, or the bundled copy."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

ENV_VAR = "JNAP_REGISTER"


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
    """`--register`, else `$JNAP_REGISTER`, else the bundled register."""
    if path is not None:
        return path
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else default_path()
