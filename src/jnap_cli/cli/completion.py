"""Shell completion that bash can insert as it is: a theme with spaces arrives as one word."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any


def bash_word(value: str) -> str:
    """`value` escaped as bash reads a word (`Our\\ People`): bash inserts a completion exactly as given,
    so "Our People" would become two words."""
    return re.sub(r"([^\w@%+=:,./~^-])", r"\\\1", value)


def install() -> None:
    """Use `escaping_bash_completion` for bash, in place of the class Typer registered."""
    _, register = typer_bash_completion()
    register(escaping_bash_completion(), "bash")


@functools.cache
def escaping_bash_completion() -> type[Any]:
    """Typer's bash completion, with each value escaped as bash reads a word (`bash_word`).

    Typer matches the values against the word as the shell unescaped it, so escaping here, as each value
    is written after that match, is the one place where both hold."""
    bash, _ = typer_bash_completion()

    class EscapingBashComplete(bash):  # type: ignore[misc, valid-type]
        def format_completion(self, item: Any) -> str:
            return bash_word(str(item.value))

    return EscapingBashComplete


def typer_bash_completion() -> tuple[type[Any], Callable[[type[Any], str], object]]:
    """Typer's bash completion class, and the function that sets the completion class of a shell.

    jnap's one use of Typer's private modules: Typer has no public way to change how completions are
    written for a shell. `tests/test_completion.py` fails, naming this function, when Typer moves them."""
    from typer._click.shell_completion import add_completion_class
    from typer._completion_classes import BashComplete

    return BashComplete, add_completion_class
