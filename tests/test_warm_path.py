"""Which of jnap's modules a warm `show` and `list` import: a structure, not a timing (issue 21).

Start-up is most of what `jnap show R4 --format json` costs, and every module on its path adds to it.
These tests pin the whole set, so that a module that joins the path (an export format, the writing
side of the cache, a parser) is a decision made on purpose: update the set here when it is one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# What every command imports to start: the wiring, the error boundary, the vocabularies.
STARTING = {
    "jnap_cli",
    "jnap_cli.entry",
    "jnap_cli.errors",
    "jnap_cli.text",
    "jnap_cli.cli",
    "jnap_cli.cli.application",
    "jnap_cli.cli.boundary",
    "jnap_cli.cli.coercion",  # option values converted without pydantic
    "jnap_cli.cli.completion",
    "jnap_cli.cli.help",
    "jnap_cli.cli.options",
    "jnap_cli.cli.settings",
    "jnap_cli.model",
    "jnap_cli.model.vocab",
    "jnap_cli.render",
    "jnap_cli.render.views",
    "jnap_cli.render.terminal",
}
# A look-up answered from the cache: no parser, no validation, nothing that writes.
FROM_THE_CACHE = {
    "jnap_cli.cli.lookups",
    "jnap_cli.model.finding",  # the integrity rules' result type: a hit re-checks them
    "jnap_cli.model.integrity",
    "jnap_cli.model.related",
    "jnap_cli.model.schema",
    "jnap_cli.query",
    "jnap_cli.query.records",
    "jnap_cli.query.select",
    "jnap_cli.register",
    "jnap_cli.register.cache",
    "jnap_cli.register.cache_files",
    "jnap_cli.register.paths",
    "jnap_cli.register.source",
    "jnap_cli.register.tomlfile",  # the size guard (`max_bytes`) only: tomllib is not imported
    "jnap_cli.render.cells",
    "jnap_cli.render.records",
}
# The whole register, as `show` and a `list` without a limit need it.
WHOLE = {"jnap_cli.register.load"}
# Not ours, and never on a warm look-up's path (`-o`'s formats, the parser, Rich for JSON; pydantic, which
# Typer would import to convert option values; platformdirs, whose answer on Linux `cache_files` knows).
NEVER = ("tomllib", "rich", "openpyxl", "sqlite_utils", "jinja2", "pydantic", "platformdirs")


def imported(tmp_path: Path, *args: str) -> set[str]:
    """The modules a run of `jnap ARGS` (on the shipped register, warm) has imported when it exits."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "COLUMNS": "120"}
    for name in ("JNAP_REGISTER", "JNAP_NO_CACHE", "JNAP_MAX_BYTES"):
        environment.pop(name, None)
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(' '.join(sorted(sys.modules)), file=sys.stderr))\n"
        "from jnap_cli.entry import main\n"
        f"sys.argv = ['jnap', *{list(args)!r}]\n"
        "main()\n"
    )
    command = [sys.executable, "-c", probe]
    subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, check=True)  # the cache, built
    done = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, check=True)
    if "json" in args:
        assert json.loads(done.stdout)
    return set(done.stderr.split())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["show", "R4", "--format", "json"], STARTING | FROM_THE_CACHE | WHOLE),
        (["list"], STARTING | FROM_THE_CACHE | WHOLE),
        (["list", "--limit", "5", "--format", "json"], STARTING | FROM_THE_CACHE | {"jnap_cli.query.listing"}),
    ],
)
def test_a_warm_look_up_imports_only_these_modules_of_jnap(tmp_path: Path, args: list[str], expected: set[str]) -> None:
    modules = imported(tmp_path, *args)
    assert {m for m in modules if m.split(".")[0] == "jnap_cli"} == expected
    assert modules.isdisjoint(NEVER), sorted(modules & set(NEVER))
