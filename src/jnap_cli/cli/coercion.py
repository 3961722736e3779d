"""Option values converted without pydantic, where Typer's conversion is the value itself.

Typer 0.29 converts every parameter of the command it runs with a pydantic `TypeAdapter`, built on the
run's first use: importing pydantic's validation machinery and building the first adapter is about
50 ms, a third of a warm `jnap show R4`. Yet for the values jnap's options take the adapter's answer is
plain: a string is itself, a path is `Path(value)` then Typer's own checks (`coerce_cli_path`), a choice
is Typer's own match (`coerce_cli_choice`), a whole number is `int(value)`, a list is its items'.

`install` gives each such parameter of a command a converter that answers those cases itself and hands
every other one (a choice that matches nothing, a number out of range or written as `1_000`, bytes, an
annotation it does not know) to the adapter Typer would have built, built then: the same value, or the
same error message. `tests/test_coercion.py` holds the two to the same results.

It relies on Typer's `_runtime_param` slot (the converter it builds lazily); pyproject.toml pins Typer
below 0.30, and a parameter without that slot keeps Typer's own conversion.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_WHOLE_NUMBER = r"-?[0-9]{1,18}"  # beyond 18 digits, or any other spelling: pydantic decides


class _Declined(Exception):
    """This converter does not answer for that value: Typer's adapter does."""


class _Param:
    """A converter for one parameter, with `coerce` as Typer's `RuntimeParam` has it."""

    def __init__(self, parameter: Any, leaf: Any, many: bool) -> None:
        self._parameter = parameter
        self._leaf = leaf
        self._many = many
        self._typer: Any = None

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        multi_value = param.multiple or param.nargs == -1
        if value is None:  # as `RuntimeParam.coerce`: an absent option is None, or () when it takes many
            return () if multi_value else None
        if not (multi_value and isinstance(value, str)):
            try:
                return self._convert(value, param, ctx)
            except _Declined:
                pass
        return self._typer_param().coerce(value, param=param, ctx=ctx)

    def _convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if not self._many:
            return self._leaf(value, param, ctx)
        if not isinstance(value, (list, tuple)):
            raise _Declined
        return [self._leaf(item, param, ctx) for item in value]

    def _typer_param(self) -> Any:
        if self._typer is None:
            from typer._coercion import build_runtime_param

            self._typer = build_runtime_param(self._parameter.type_descriptor)
        return self._typer


class PlainValues:
    """A Click command or group (a mixin) whose parameters, the help option included, convert plain values
    without pydantic (`install`)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        install(self.get_params(ctx))  # type: ignore[attr-defined]
        return super().parse_args(ctx, args)  # type: ignore[misc,no-any-return]


def install(parameters: list[Any]) -> None:
    """Give each parameter whose values `_Param` can convert that converter, before the command line is parsed."""
    for parameter in parameters:
        if getattr(parameter, "_runtime_param", False) is not None:  # not Typer's, or converted already
            continue
        descriptor = getattr(parameter, "type_descriptor", None)
        chosen = _leaf_for(descriptor) if descriptor is not None else None
        if chosen is not None:
            parameter._runtime_param = _Param(parameter, *chosen)


def _leaf_for(descriptor: Any) -> tuple[Any, bool] | None:
    """The converter of one value of the parameter `descriptor` describes, and whether it takes a list; None:
    leave the parameter to Typer."""
    from enum import Enum
    from typing import get_args, get_origin

    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None:
        return None
    annotation, many = descriptor.annotation, False
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation)
        many = True
    if annotation is str:
        return _string, many
    if annotation is bool:  # a flag not given (None) is its default; Typer converts a given one itself
        return _flag, many
    if annotation is int and not info.clamp:
        return _number(info.min, info.max), many
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(tuple(annotation), info.case_sensitive), many
    if annotation is Path and info.path_type is None:
        return _path(info), many
    return None


def _string(value: Any, _param: Any, _ctx: Any) -> str:
    if type(value) is not str:
        raise _Declined
    return value


def _flag(value: Any, _param: Any, _ctx: Any) -> bool:
    if type(value) is not bool:
        raise _Declined
    return value


def _number(low: float | None, high: float | None) -> Any:
    def convert(value: Any, _param: Any, _ctx: Any) -> int:
        if type(value) is int:  # a default
            number = value
        elif type(value) is str and re.fullmatch(_WHOLE_NUMBER, value):
            number = int(value)
        else:
            raise _Declined
        if (low is not None and number < low) or (high is not None and number > high):
            raise _Declined  # Typer says what the range is
        return number

    return convert


def _choice(choices: tuple[Any, ...], case_sensitive: bool) -> Any:
    def convert(value: Any, _param: Any, ctx: Any) -> Any:
        from typer._param_types import coerce_cli_choice

        try:
            return coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive, ctx=ctx)
        except Exception:  # noqa: BLE001 - whatever it is, Typer's adapter says it in its own words
            raise _Declined from None

    return convert


def _path(info: Any) -> Any:
    def convert(value: Any, param: Any, ctx: Any) -> Any:
        from typer._param_types import coerce_cli_path

        if type(value) is not str and not isinstance(value, Path):  # a default may be a Path already
            raise _Declined
        try:
            return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
        except Exception:  # noqa: BLE001 - a path Typer refuses: its adapter says why, in its own words
            raise _Declined from None

    return convert
