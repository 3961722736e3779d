"""Typer wiring only: the app, its one error boundary, settings on the context, one module per command group."""

from jnap_cli.cli.app import app

__all__ = ["app"]
