"""Option values converted without pydantic (`cli/coercion.py`) are what Typer's own conversion gives.

Every parameter of every command, given plain and hostile values: the same value of the same type, or
the same error with the same message. And a warm look-up does not import pydantic at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer._coercion import build_runtime_param
from typer.core import TyperGroup
from typer.main import get_command

from jnap_cli.cli import application
from jnap_cli.cli.coercion import install

HOSTILE = [
    "",
    " ",
    "-",
    "--",
    "json",
    "JSON",
    "Json ",
    "ongoing",
    "ONGOING",
    "complete",
    "not-started",
    "5",
    "05",
    "-1",
    "0",
    "+5",
    "5_0",
    "5.0",
    "1e3",
    "١٢",
    "99999999999999999999999",
    "R4",
    "a\x00b",
    "~/x",
    ".",
    "..",
    "/",
    "\u202eevil",
    "table\n",
    "x" * 300,
    "ids",
    "in-progress",
    "ascii-ish é",
    "NaN",
]


def _commands(command: Any, ctx: typer.Context) -> Iterator[tuple[Any, typer.Context]]:
    yield command, ctx
    if isinstance(command, TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None
            yield from _commands(sub, typer.Context(sub, parent=ctx, info_name=name))


def _parameters() -> list[tuple[str, Any, typer.Context]]:
    root = get_command(application.build())
    found = []
    for command, ctx in _commands(root, typer.Context(root, info_name="jnap")):
        for parameter in command.get_params(ctx):
            if hasattr(parameter, "type_descriptor"):
                found.append((f"{ctx.command_path} {parameter.name}", parameter, ctx))
    return found


PARAMETERS = _parameters()


def _outcome(convert: Any, value: Any, parameter: Any, ctx: typer.Context) -> tuple[str, Any]:
    try:
        result = convert(value, param=parameter, ctx=ctx)
    except Exception as exc:  # noqa: BLE001 - the error itself is what is compared
        return "error", (type(exc).__name__, str(exc), getattr(exc, "format_message", lambda: "")())
    items = [type(item).__name__ for item in result] if isinstance(result, list) else None
    return "value", (type(result).__name__, result, items)


def _both(parameter: Any, ctx: typer.Context, value: Any) -> tuple[tuple[str, Any], tuple[str, Any]]:
    typers = build_runtime_param(parameter.type_descriptor)
    parameter._runtime_param = None
    install([parameter])
    ours = parameter._runtime_param
    parameter._runtime_param = None
    assert ours is not None
    return _outcome(ours.coerce, value, parameter, ctx), _outcome(typers.coerce, value, parameter, ctx)


def _values(parameter: Any) -> list[Any]:
    values: list[Any] = [None, *HOSTILE, b"json", 5, -3, 10**30, True, False, 2.5, Path("x"), Path("file.toml")]
    if parameter.multiple or parameter.nargs == -1:
        values += [tuple(HOSTILE[:6]), ("ongoing", "complete"), [], ("R4",), ("5", "x")]
    return values


def test_most_parameters_are_converted_without_typers_adapter() -> None:
    """The converter applies to nearly every parameter (a test of the next test's reach, too)."""
    converted = []
    for _name, parameter, _ctx in PARAMETERS:
        parameter._runtime_param = None
        install([parameter])
        converted.append(parameter._runtime_param is not None)
        parameter._runtime_param = None
    assert len(converted) > 150
    assert sum(converted) >= 0.9 * len(converted)


@pytest.mark.parametrize(("name", "parameter", "ctx"), PARAMETERS, ids=[name for name, _p, _c in PARAMETERS])
def test_each_parameter_converts_as_typer_does(
    name: str, parameter: Any, ctx: typer.Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # paths are looked up: only in here
    (tmp_path / "file.toml").write_text("x = 1\n")
    (tmp_path / "folder").mkdir()
    for value in [*_values(parameter), "file.toml", "folder", "missing.toml", str(tmp_path / "file.toml")]:
        ours, typers = _both(parameter, ctx, value)
        assert ours == typers, (name, value)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(PARAMETERS),
    st.one_of(st.text(max_size=30), st.lists(st.text(max_size=12), max_size=4).map(tuple)),
)
def test_any_text_converts_as_typer_does(chosen: tuple[str, Any, typer.Context], value: Any) -> None:
    name, parameter, ctx = chosen
    if value and isinstance(value, str) and "\x00" not in value and Path(value).exists():
        return  # a path that names something on this machine: the example test checks paths in its own folder
    ours, typers = _both(parameter, ctx, value)
    assert ours == typers, (name, value)


def test_a_warm_look_up_never_imports_pydantic(tmp_path: Path) -> None:
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    environment.pop("JNAP_REGISTER", None)
    probe = (
        "import sys\nfrom jnap_cli.entry import main\n"
        "sys.argv = ['jnap', 'list', '--status', 'ongoing', '--limit', '3', '--format', 'json', '--plan', 'refresh']\n"
        "try:\n    main()\nfinally:\n    print('pydantic' in sys.modules, file=sys.stderr)\n"
    )
    for _ in range(2):  # the first builds the cache (which validates: pydantic), the second is warm
        command = [sys.executable, "-c", probe]
        done = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "False"
    assert [action["id"] for action in json.loads(done.stdout)] == ["R4", "R5"]  # the refresh's two ongoing
