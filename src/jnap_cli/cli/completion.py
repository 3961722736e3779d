"""Shell completion that bash can insert as it is: a theme with spaces arrives as one word."""

from __future__ import annotations

import re
from typing import Any

from typer._completion_classes import BashComplete


class EscapingBashComplete(BashComplete):
    """Typer's bash completion, with each value escaped as bash reads a word (`Our\\ People`).

    bash inserts a completion exactly as given, so "Our People" would become two words. Typer
    matches the values against the word as the shell unescaped it, so escaping here, after that
    match, is the one place where both hold.
    """

    def format_completion(self, item: Any) -> str:
        return re.sub(r"([^\w@%+=:,./~^-])", r"\\\1", str(item.value))


def install() -> None:
    """Use `EscapingBashComplete` for bash (after Typer has registered its own)."""
    from typer._click.shell_completion import add_completion_class

    add_completion_class(EscapingBashComplete, "bash")
