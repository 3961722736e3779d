"""The application's wiring: the one table of commands, and the global options a real run reads first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
import typer

from jnap_cli.cli import application
from jnap_cli.cli.application import global_options_with_values, invoked
from jnap_cli.cli.options import RegisterOpt


def test_the_global_options_with_values_come_from_the_root_callback() -> None:
    assert global_options_with_values() == {"-r", "--register"}


def test_a_new_global_option_with_a_value_is_skipped_with_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """A global option added to the root callback is known to `invoked` without being listed anywhere else."""

    def root(
        ctx: typer.Context,
        register: RegisterOpt = None,
        config: Annotated[Path | None, typer.Option("--config", "-c", metavar="FILE")] = None,
        level: Annotated[int, typer.Option("--level", count=True)] = 0,
        quiet: Annotated[bool, typer.Option("--quiet/--loud")] = False,
    ) -> None:
        """A root with more global options."""

    monkeypatch.setattr(application, "_root", root)
    assert global_options_with_values() == {"-r", "--register", "--config", "-c"}
    assert invoked(["--config", "list", "show", "R4"]) == "show"  # `list` is the option's value
    assert invoked(["-c", "show", "--level", "--quiet", "list"]) == "list"
    assert invoked(["--loud", "--register", "x.toml", "stats"]) == "stats"


def test_a_run_that_names_no_option_first_builds_no_root_to_find_its_command(monkeypatch: pytest.MonkeyPatch) -> None:
    def unused() -> frozenset[str]:
        raise AssertionError("the root was built")

    monkeypatch.setattr(application, "global_options_with_values", unused)
    assert invoked(["list", "-r", "x.toml"]) == "list"
