"""Bash completion escapes each value as bash reads a word, through the one private Typer use in jnap."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from jnap_cli.cli.completion import bash_word, escaping_bash_completion, install, typer_bash_completion


def test_typer_still_has_the_bash_completion_jnap_extends() -> None:
    """Fails when a Typer upgrade moves or changes what `typer_bash_completion` takes from Typer's private modules:
    then find the new place there (or a public way) and change that one function."""
    bash, register = typer_bash_completion()
    assert bash.name == "bash", "typer_bash_completion: Typer's bash completion class has moved or changed"
    assert callable(getattr(bash, "format_completion", None)), "typer_bash_completion: no format_completion"
    assert callable(register), "typer_bash_completion: add_completion_class has moved"


def test_install_makes_bash_completion_escape_each_value() -> None:
    from typer._click.shell_completion import get_completion_class

    install()
    registered = get_completion_class("bash")
    assert registered is escaping_bash_completion()
    assert issubclass(registered, typer_bash_completion()[0])
    completion = registered(None, {}, "jnap", "_JNAP_COMPLETE")
    assert completion.format_completion(SimpleNamespace(value="Our People")) == "Our\\ People"


@pytest.mark.parametrize(
    ("value", "word"),
    [
        ("Our People", "Our\\ People"),
        ("R4", "R4"),
        ("in-progress", "in-progress"),
        ("id,commentary", "id,commentary"),
        ("HEAD~1", "HEAD~1"),
        ("$(touch x)", "\\$\\(touch\\ x\\)"),
        ("a'b\"c`d", "a\\'b\\\"c\\`d"),
        ("x;y&z|w>v<u", "x\\;y\\&z\\|w\\>v\\<u"),
        ("*?[]", "\\*\\?\\[\\]"),
    ],
)
def test_bash_word_escapes_what_bash_would_read_otherwise(value: str, word: str) -> None:
    assert bash_word(value) == word
