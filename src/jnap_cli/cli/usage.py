"""Command-line mistakes in jnap's words: one line that says what was wrong and, when it can, what was
meant (`--json`: `--format json`; `complet`: complete; `--limit 0`: at least 1), as the ids suggest
(`query.select`). Click's and pydantic's own words are the fallback, never the rule."""

from __future__ import annotations

import re
from typing import Any

from jnap_cli.text import closest


def describe(exc: Any) -> str:
    """The line after `jnap: error: ` for a usage mistake Typer raised (`exc`, a Click usage error)."""
    from typer._click.exceptions import BadParameter, MissingParameter, NoSuchOption

    ctx = getattr(exc, "ctx", None)
    see = f"see '{ctx.command_path} --help'" if ctx is not None else None
    said: tuple[str, str | None] | None = None
    if isinstance(exc, NoSuchOption):
        said = _unknown_option(exc.option_name, ctx)
    elif isinstance(exc, MissingParameter) and exc.param is not None:
        said = _missing(exc.param, see)
    elif isinstance(exc, BadParameter) and exc.param is not None:
        said = _bad_value(exc, exc.param)
    said = said or _unknown_command(exc.format_message()) or (_clicks_words(exc), None)
    message, hint = said
    return "; ".join(part for part in (message, hint or see) if part)


def _clicks_words(exc: Any) -> str:
    # Typer checks values through pydantic, whose messages start "Value error, ".
    message = " ".join(exc.format_message().replace("Value error, ", "").split()).rstrip(".")
    return f"{message[:1].lower()}{message[1:]}"


def _unknown_option(name: str, ctx: Any) -> tuple[str, str | None]:
    """`--json` where `--format json` was meant, a global option after the command, or a misspelling
    (Click's own guess compares the dashes too: it offered `--sort` for `--json`)."""
    message = f"no such option: {name}"
    if ctx is None or not name.startswith("--"):
        return message, None
    word = name[2:].partition("=")[0]
    for param in ctx.command.params:
        if "--format" in param.opts and word.casefold() in _values(param):
            return message, f"did you mean --format {word.casefold()}?"
    root = ctx.find_root()
    if ctx.parent is not None and any(name in param.opts for param in root.command.params):
        return message, f"{name} goes before the command: {root.info_name} {name} {ctx.info_name} …"
    options = [o[2:] for param in ctx.command.params for o in (*param.opts, *param.secondary_opts) if o[:2] == "--"]
    close = closest(word, options)
    return message, (f"did you mean {', '.join(f'--{o}' for o in close)}?" if close else None)


def _missing(param: Any, see: str | None) -> tuple[str, str | None]:
    """A required option or argument left out, with its choices when it has them."""
    choices = _values(param)
    kind = "option" if param.param_type_name == "option" else "argument"
    return f"missing {kind} {_where(param)}", f"choose from {', '.join(choices)}" if choices else see


def _bad_value(exc: Any, param: Any) -> tuple[str, str | None] | None:
    """An unknown choice (with what it was likely meant to be) or a number out of range, in our words;
    None for anything else."""
    from pydantic import ValidationError

    cause = exc.__cause__
    if not isinstance(cause, ValidationError) or not cause.errors():
        return None
    error = cause.errors()[0]
    given, where = error.get("input"), _where(param)
    choices = _values(param)
    if choices:
        noun = str(param.metavar or param.name).lower()
        message = f"unknown {noun} {given!r}" + (f" for {where}" if where.startswith("-") else "")
        close = closest(str(given), choices)
        return message, f"did you mean {', '.join(close)}?" if close else f"choose from {', '.join(choices)}"
    limits = error.get("ctx") or {}
    if error["type"] == "greater_than_equal":
        return f"{where} must be at least {limits['ge']}, not {given}", None
    if error["type"] == "less_than_equal":
        return f"{where} must be at most {limits['le']}, not {given}", None
    if error["type"] in ("int_parsing", "int_from_float", "int_type"):
        return f"{where} takes a whole number, not {given!r}", None
    return None


def _values(param: Any) -> list[str]:
    """The values a choice parameter takes (`complete`, `in-progress`…); none for any other."""
    descriptor = getattr(param, "type_descriptor", None)
    return [str(getattr(choice, "value", choice)) for choice in getattr(descriptor, "choices", None) or ()]


def _where(param: Any) -> str:
    """`--limit` for an option (its long name), `STATUS` for an argument."""
    names = [o for o in param.opts if o.startswith("--")] or list(param.opts)
    return names[0] if param.param_type_name == "option" and names else str(param.metavar or param.name).upper()


_NO_SUCH_COMMAND = re.compile(r"No such command '(.*)'\.(?: Did you mean (.*)\?)?", re.DOTALL)


def _unknown_command(message: str) -> tuple[str, str | None] | None:
    """`no such command 'lst'; did you mean list?`, from Typer's "No such command 'lst'. Did you mean 'list'?"."""
    found = _NO_SUCH_COMMAND.fullmatch(message)
    if found is None:
        return None
    meant = found[2].replace("'", "") if found[2] else None
    return f"no such command {found[1]!r}", f"did you mean {meant}?" if meant else None
