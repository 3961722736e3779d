"""The framework floor: a minimal Typer command that loads a register, validates it with pydantic and prints one action.

    python benchmarks/reference/framework_floor.py show R4 --register data/actions.toml

What any Typer + pydantic tool pays for the same answer as `jnap show R4 --format json`: the interpreter,
Typer (which imports pydantic itself), tomllib, a strict model of plans and actions (strict str/int,
unknown keys forbidden) and `json.dumps`. A second command makes it a group, as jnap is.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr

_STRICT = ConfigDict(extra="forbid", frozen=True)


class Plan(BaseModel):
    model_config = _STRICT

    id: StrictStr
    title: StrictStr
    year: StrictInt
    commentary_as_of: StrictInt | None = None
    commentary_source: StrictStr | None = None
    title_from: StrictStr | None = None
    year_from: StrictStr | None = None


class Introduction(BaseModel):
    model_config = _STRICT

    plan: StrictStr
    text: StrictStr


class Publication(BaseModel):
    model_config = _STRICT

    title: StrictStr
    year: StrictInt
    text: StrictStr
    introductions: tuple[Introduction, ...] = ()


class BuildsOn(BaseModel):
    model_config = _STRICT

    id: StrictStr
    reason: StrictStr = ""


class Action(BaseModel):
    model_config = _STRICT

    id: StrictStr
    plan: StrictStr
    number: StrictInt
    theme: StrictStr
    text: StrictStr
    commentary: StrictStr = ""
    status: StrictStr
    status_basis: StrictStr | None = None
    status_evidence: StrictStr = ""
    handed_to: StrictStr | None = None
    waits_on: StrictStr | None = None
    continues: tuple[StrictStr, ...] = ()
    builds_on: tuple[BuildsOn, ...] = ()
    references: tuple[StrictStr, ...] = ()
    annex_marker: StrictStr | None = None


class Register(BaseModel):
    model_config = _STRICT

    title: StrictStr
    source: StrictStr
    publication: Publication | None = None
    plans: tuple[Plan, ...]
    actions: tuple[Action, ...] = ()


app = typer.Typer(add_completion=False)


@app.command()
def show(action_id: str, register: Annotated[Path, typer.Option("--register", "-r")]) -> None:
    """Print one action of the register as JSON."""
    with register.open("rb") as handle:
        loaded = Register.model_validate(tomllib.load(handle))
    for action in loaded.actions:
        if action.id == action_id:
            print(json.dumps([action.model_dump()], ensure_ascii=False, indent=2))
            return
    raise typer.Exit(1)


@app.command()
def version() -> None:
    """Print the version."""
    print("0")


if __name__ == "__main__":
    app()
