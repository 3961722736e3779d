"""Typer wiring only: the app, its one error boundary, settings on the context, one module per command group."""

from typing import Any


def __getattr__(name: str) -> Any:
    """`app`: the whole application, built on first use (`jnap_cli.entry` builds only what a run needs)."""
    if name != "app":
        raise AttributeError(name)
    from jnap_cli.cli.application import build

    globals()["app"] = built = build()
    return built
